# unit.mk: the C unit tests of the core (common/), included by
# tests/tests.mk.  Each prints TAP; as they have no extension, automake
# runs them with LOG_DRIVER (the TAP driver), through ./run, which sets
# GOLDSMITH_BUILDDIR and GOLDSMITH_SRCDIR.  None launches the appliance.

UNIT_TESTS = \
	tests/unit/test-config \
	tests/unit/test-domxml \
	tests/unit/test-selection \
	tests/unit/test-plugins \
	tests/unit/test-resize-plan \
	tests/unit/test-gpt-renumber \
	tests/unit/test-netplan-mac \
	tests/unit/test-id-range \
	tests/unit/test-edit-config \
	tests/unit/test-inspect-xml \
	tests/unit/test-inspect-own \
	tests/unit/test-report-path \
	tests/unit/test-result \
	tests/unit/test-provenance \
	tests/unit/test-commit-crash \
	tests/unit/test-qemu-img \
	tests/unit/test-xalloc \
	tests/unit/test-quiet \
	tests/unit/test-machine-readable
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)

UNIT_COMMON = tests/unit/tap.h tests/unit/unit-util.c tests/unit/unit-util.h
# The tests load plugins, so they export the plugin API like goldsmith.
UNIT_LINK_FLAGS = $(AM_LDFLAGS) $(EXPORT_API)
UNIT_DEPS = common/plugin-api.syms
# The real plugins the tests load from the build tree.
UNIT_REAL_PLUGINS = \
	plugins/sysprep/sysprep-machine-id.so \
	plugins/sysprep/sysprep-net-ifcfg.so \
	plugins/sysprep/sysprep-net-mac-bindings.so \
	plugins/sysprep/sysprep-remove-paths.so \
	plugins/sysprep/sysprep-user-account.so

tests_unit_test_config_SOURCES = tests/unit/test-config.c $(UNIT_COMMON)
tests_unit_test_config_LDADD = $(CORE_LIBS)
tests_unit_test_config_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_config_DEPENDENCIES = $(UNIT_DEPS) $(UNIT_REAL_PLUGINS)

tests_unit_test_domxml_SOURCES = tests/unit/test-domxml.c $(UNIT_COMMON)
tests_unit_test_domxml_LDADD = $(CORE_LIBS)
tests_unit_test_domxml_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_domxml_DEPENDENCIES = $(UNIT_DEPS)

tests_unit_test_selection_SOURCES = tests/unit/test-selection.c $(UNIT_COMMON)
tests_unit_test_selection_LDADD = $(CORE_LIBS)
tests_unit_test_selection_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_selection_DEPENDENCIES = $(UNIT_DEPS) \
	$(UNIT_REAL_PLUGINS)

tests_unit_test_plugins_SOURCES = tests/unit/test-plugins.c $(UNIT_COMMON)
tests_unit_test_plugins_LDADD = $(CORE_LIBS)
tests_unit_test_plugins_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_plugins_DEPENDENCIES = $(UNIT_DEPS) \
	$(UNIT_REAL_PLUGINS) $(UNIT_TEST_PLUGINS)

# Pure: links the core for gs_error and the planner, loads no plugin.
tests_unit_test_resize_plan_SOURCES = tests/unit/test-resize-plan.c \
	$(UNIT_COMMON)
tests_unit_test_resize_plan_LDADD = $(CORE_LIBS)
tests_unit_test_resize_plan_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_resize_plan_DEPENDENCIES = $(UNIT_DEPS)
# Pure, like the planner: partition tables made in memory (and shown
# to sgdisk).
tests_unit_test_gpt_renumber_SOURCES = tests/unit/test-gpt-renumber.c \
	$(UNIT_COMMON)
tests_unit_test_gpt_renumber_LDADD = $(CORE_LIBS)
tests_unit_test_gpt_renumber_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_gpt_renumber_DEPENDENCIES = $(UNIT_DEPS)

tests_unit_test_edit_config_SOURCES = tests/unit/test-edit-config.c \
	$(UNIT_COMMON)
tests_unit_test_edit_config_LDADD = $(CORE_LIBS)
tests_unit_test_edit_config_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_edit_config_DEPENDENCIES = $(UNIT_DEPS) \
	plugins/sysprep/sysprep-net-ifcfg.so \
	plugins/sysprep/sysprep-net-mac-bindings.so \
	plugins/sysprep/sysprep-user-account.so \
	$(UNIT_REAL_PLUGINS)

# net-mac-bindings' netplan edit, a pure function: linked alone.
tests_unit_test_netplan_mac_SOURCES = tests/unit/test-netplan-mac.c \
	tests/unit/tap.h plugins/sysprep/netplan-mac.c \
	plugins/sysprep/netplan-mac.h plugins/edit-util.h
tests_unit_test_netplan_mac_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/sysprep
tests_unit_test_netplan_mac_CFLAGS = $(AM_CFLAGS) $(PCRE2_CFLAGS)
tests_unit_test_netplan_mac_LDADD = $(PCRE2_LIBS)

# user-account's UID range as a regexp, a pure function: linked alone,
# checked with pcre2.
tests_unit_test_id_range_SOURCES = tests/unit/test-id-range.c \
	tests/unit/tap.h plugins/sysprep/id-range.c plugins/sysprep/id-range.h
tests_unit_test_id_range_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/sysprep
tests_unit_test_id_range_CFLAGS = $(AM_CFLAGS) $(PCRE2_CFLAGS)
tests_unit_test_id_range_LDADD = $(PCRE2_LIBS)

# Plugins that test-plugins.c loads, good and broken, built like the
# real ones (never installed).
UNIT_TEST_PLUGINS = \
	tests/unit/plugin-good.so \
	tests/unit/plugin-bad-abi.so \
	tests/unit/plugin-no-entry.so \
	tests/unit/plugin-dup.so \
	tests/unit/plugin-bad-name.so
check_PROGRAMS += $(UNIT_TEST_PLUGINS)

tests_unit_plugin_good_so_SOURCES = tests/unit/plugin-good.c $(PLUGIN_HDRS)
tests_unit_plugin_good_so_CFLAGS = $(PLUGIN_CC_FLAGS)
tests_unit_plugin_good_so_LDFLAGS = $(PLUGIN_LD_FLAGS)

tests_unit_plugin_bad_abi_so_SOURCES = tests/unit/plugin-bad-abi.c \
	$(PLUGIN_HDRS)
tests_unit_plugin_bad_abi_so_CFLAGS = $(PLUGIN_CC_FLAGS)
tests_unit_plugin_bad_abi_so_LDFLAGS = $(PLUGIN_LD_FLAGS)

# Not linked with plugins.syms: it exports another name instead.
tests_unit_plugin_no_entry_so_SOURCES = tests/unit/plugin-no-entry.c \
	$(PLUGIN_HDRS)
tests_unit_plugin_no_entry_so_CFLAGS = $(PLUGIN_CC_FLAGS)
tests_unit_plugin_no_entry_so_LDFLAGS = $(AM_LDFLAGS) -shared

tests_unit_plugin_dup_so_SOURCES = tests/unit/plugin-dup.c $(PLUGIN_HDRS)
tests_unit_plugin_dup_so_CFLAGS = $(PLUGIN_CC_FLAGS)
tests_unit_plugin_dup_so_LDFLAGS = $(PLUGIN_LD_FLAGS)

tests_unit_plugin_bad_name_so_SOURCES = tests/unit/plugin-bad-name.c \
	$(PLUGIN_HDRS)
tests_unit_plugin_bad_name_so_CFLAGS = $(PLUGIN_CC_FLAGS)
tests_unit_plugin_bad_name_so_LDFLAGS = $(PLUGIN_LD_FLAGS)

# The inspect record written as XML and JSON (hostile guest strings).
tests_unit_test_inspect_xml_SOURCES = tests/unit/test-inspect-xml.c \
	tests/unit/tap.h
tests_unit_test_inspect_xml_CFLAGS = $(AM_CFLAGS) $(LIBXML2_CFLAGS)
tests_unit_test_inspect_xml_LDADD = $(CORE_LIBS)
tests_unit_test_inspect_xml_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_inspect_xml_DEPENDENCIES = $(UNIT_DEPS)

tests_unit_test_report_path_SOURCES = tests/unit/test-report-path.c $(UNIT_COMMON)
tests_unit_test_report_path_LDADD = $(CORE_LIBS)
tests_unit_test_report_path_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_report_path_DEPENDENCIES = $(UNIT_DEPS)

tests_unit_test_result_SOURCES = tests/unit/test-result.c $(UNIT_COMMON)
tests_unit_test_result_LDADD = $(CORE_LIBS)
tests_unit_test_result_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_result_DEPENDENCIES = $(UNIT_DEPS)

# The provenance record, from results and files made by the test.
tests_unit_test_provenance_SOURCES = tests/unit/test-provenance.c $(UNIT_COMMON)
tests_unit_test_provenance_LDADD = $(CORE_LIBS)
tests_unit_test_provenance_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_provenance_DEPENDENCIES = $(UNIT_DEPS)

tests_unit_test_commit_crash_SOURCES = tests/unit/test-commit-crash.c $(UNIT_COMMON)
tests_unit_test_commit_crash_LDADD = $(CORE_LIBS) -ldl
tests_unit_test_commit_crash_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_commit_crash_DEPENDENCIES = $(UNIT_DEPS)

# The qemu-img runner, against a stand-in qemu-img.
tests_unit_test_qemu_img_SOURCES = tests/unit/test-qemu-img.c $(UNIT_COMMON)
tests_unit_test_qemu_img_LDADD = $(CORE_LIBS)
tests_unit_test_qemu_img_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_qemu_img_DEPENDENCIES = $(UNIT_DEPS)

# The checked allocators: each failure in a child process.
tests_unit_test_xalloc_SOURCES = tests/unit/test-xalloc.c $(UNIT_COMMON)
tests_unit_test_xalloc_LDADD = $(CORE_LIBS)
tests_unit_test_xalloc_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_xalloc_DEPENDENCIES = $(UNIT_DEPS)

# libguestfs called quietly: a handle that is never launched.
tests_unit_test_quiet_SOURCES = tests/unit/test-quiet.c $(UNIT_COMMON)
tests_unit_test_quiet_LDADD = $(CORE_LIBS)
tests_unit_test_quiet_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_quiet_DEPENDENCIES = $(UNIT_DEPS)

tests_unit_test_machine_readable_SOURCES = \
	tests/unit/test-machine-readable.c $(UNIT_COMMON)
tests_unit_test_machine_readable_LDADD = $(CORE_LIBS)
tests_unit_test_machine_readable_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_machine_readable_DEPENDENCIES = $(UNIT_DEPS)

# goldsmith's own reading for the inspect family: dpkg status, the
# application order, osinfo, the icon rules (libguestfs 1.48's).
tests_unit_test_inspect_own_SOURCES = tests/unit/test-inspect-own.c \
	tests/unit/tap.h plugins/inspect/dpkg.c plugins/inspect/pkgdb.h \
	plugins/inspect/pacman.c plugins/inspect/apk.c \
	plugins/inspect/applist.c plugins/inspect/applist.h \
	plugins/inspect/icon-rules.c plugins/inspect/icon-rules.h
tests_unit_test_inspect_own_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/plugins/inspect
tests_unit_test_inspect_own_LDADD = $(CORE_LIBS)
tests_unit_test_inspect_own_LDFLAGS = $(UNIT_LINK_FLAGS)
EXTRA_tests_unit_test_inspect_own_DEPENDENCIES = $(UNIT_DEPS)
