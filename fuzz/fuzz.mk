# fuzz.mk: the libFuzzer targets (fuzz/README), included by Makefile.am.
#
#   make fuzz [FUZZ_TIME=60]   build them, run each FUZZ_TIME seconds
#                              from its corpus; fails on any crash
#
# They need clang ($(FUZZ_CC), found by configure), not the tree's
# compiler: fuzz-build runs make again with CC=$(FUZZ_CC) for these
# targets only.  Their objects have names of their own (per-target
# CFLAGS), so the rest of the tree stays as gcc built it.

FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# -Wno-error: the tree is -Werror clean for its own compiler; clang's
# extra warnings are shown, but must not stop the fuzzing.
FUZZ_CC_FLAGS = -fsanitize=fuzzer-no-link $(FUZZ_SAN) -Wno-error
FUZZ_LD_FLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) $(EXPORT_API)
FUZZ_LIBS = fuzz/libgsfuzz.a $(CORE_EXT_LIBS)
FUZZ_UTIL = fuzz/fuzz-util.c fuzz/fuzz-util.h

FUZZ_TARGETS = \
	fuzz/fuzz-config \
	fuzz/fuzz-config-set \
	fuzz/fuzz-domxml \
	fuzz/fuzz-manifest \
	fuzz/fuzz-password \
	fuzz/fuzz-resize-plan \
	fuzz/fuzz-selection \
	fuzz/fuzz-size

# Instrumented copies of the plugins that read configuration, so that
# the fuzzer sees (and ASan checks) their .configure too; the targets
# load the other plugins from plugins/FAMILY/.
FUZZ_PLUGINS = \
	fuzz/plugins/sparsify-filesystem.so \
	fuzz/plugins/sysprep-customize.so \
	fuzz/plugins/sysprep-fs-uuids.so \
	fuzz/plugins/sysprep-machine-id.so \
	fuzz/plugins/sysprep-net-ifcfg.so \
	fuzz/plugins/sysprep-net-mac-bindings.so \
	fuzz/plugins/sysprep-remove-paths.so \
	fuzz/plugins/sysprep-script.so \
	fuzz/plugins/sysprep-user-account.so

EXTRA_LIBRARIES = fuzz/libgsfuzz.a
EXTRA_PROGRAMS = $(FUZZ_TARGETS) $(FUZZ_PLUGINS)
CLEANFILES += fuzz/libgsfuzz.a $(FUZZ_TARGETS) $(FUZZ_PLUGINS)
EXTRA_DIST += fuzz/README fuzz/corpus

# The core, instrumented.
fuzz_libgsfuzz_a_SOURCES = $(common_libgscommon_a_SOURCES)
fuzz_libgsfuzz_a_CFLAGS = $(common_libgscommon_a_CFLAGS) $(FUZZ_CC_FLAGS)

# The targets whose input is libconfig text and whose
# LLVMFuzzerInitialize is fuzz-util.c's (fuzz-util.h).
FUZZ_LIBCONFIG_INPUT = -DFUZZ_LIBCONFIG_INPUT

fuzz_fuzz_config_SOURCES = fuzz/fuzz-config.c $(FUZZ_UTIL)
fuzz_fuzz_config_CPPFLAGS = $(AM_CPPFLAGS) $(FUZZ_LIBCONFIG_INPUT)
fuzz_fuzz_config_CFLAGS = $(AM_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_fuzz_config_LDFLAGS = $(FUZZ_LD_FLAGS)
fuzz_fuzz_config_LDADD = $(FUZZ_LIBS)

fuzz_fuzz_config_set_SOURCES = fuzz/fuzz-config-set.c cli/options.c cli/optlist.c \
	cli/compat.c cli/cli.h $(FUZZ_UTIL)
fuzz_fuzz_config_set_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli \
	$(FUZZ_LIBCONFIG_INPUT)
fuzz_fuzz_config_set_CFLAGS = $(AM_CFLAGS) $(POPT_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_fuzz_config_set_LDFLAGS = $(FUZZ_LD_FLAGS)
fuzz_fuzz_config_set_LDADD = $(FUZZ_LIBS) $(POPT_LIBS)

fuzz_fuzz_domxml_SOURCES = fuzz/fuzz-domxml.c $(FUZZ_UTIL)
fuzz_fuzz_domxml_CFLAGS = $(AM_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_fuzz_domxml_LDFLAGS = $(FUZZ_LD_FLAGS)
fuzz_fuzz_domxml_LDADD = $(FUZZ_LIBS)

# The manifest loader alone; libvirt domains are made up (the link
# wraps gs_int_libvirt_load, see fuzz-manifest.c).
fuzz_fuzz_manifest_SOURCES = fuzz/fuzz-manifest.c cli/batch/manifest.c \
	cli/batch/batch.h cli/cli.h $(FUZZ_UTIL)
fuzz_fuzz_manifest_CPPFLAGS = $(AM_CPPFLAGS)
fuzz_fuzz_manifest_CFLAGS = $(AM_CFLAGS) $(POPT_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_fuzz_manifest_LDFLAGS = $(FUZZ_LD_FLAGS) \
	-Wl,--wrap=gs_int_libvirt_load
fuzz_fuzz_manifest_LDADD = $(FUZZ_LIBS)

fuzz_fuzz_password_SOURCES = fuzz/fuzz-password.c cli/params.c \
	cli/options.c cli/optlist.c cli/compat.c cli/setup.c cli/cli.h $(FUZZ_UTIL)
fuzz_fuzz_password_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/cli
fuzz_fuzz_password_CFLAGS = $(AM_CFLAGS) $(POPT_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_fuzz_password_LDFLAGS = $(FUZZ_LD_FLAGS)
fuzz_fuzz_password_LDADD = $(FUZZ_LIBS) $(POPT_LIBS)

fuzz_fuzz_resize_plan_SOURCES = fuzz/fuzz-resize-plan.c $(FUZZ_UTIL)
fuzz_fuzz_resize_plan_CFLAGS = $(AM_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_fuzz_resize_plan_LDFLAGS = $(FUZZ_LD_FLAGS)
fuzz_fuzz_resize_plan_LDADD = $(FUZZ_LIBS)

fuzz_fuzz_selection_SOURCES = fuzz/fuzz-selection.c $(FUZZ_UTIL)
fuzz_fuzz_selection_CFLAGS = $(AM_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_fuzz_selection_LDFLAGS = $(FUZZ_LD_FLAGS)
fuzz_fuzz_selection_LDADD = $(FUZZ_LIBS)

fuzz_fuzz_size_SOURCES = fuzz/fuzz-size.c $(FUZZ_UTIL)
fuzz_fuzz_size_CFLAGS = $(AM_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_fuzz_size_LDFLAGS = $(FUZZ_LD_FLAGS)
fuzz_fuzz_size_LDADD = $(FUZZ_LIBS)

# Each plugin as Makefile.am builds it, plus the instrumentation.
fuzz_plugins_sparsify_filesystem_so_SOURCES = \
	$(plugins_sparsify_sparsify_filesystem_so_SOURCES)
fuzz_plugins_sparsify_filesystem_so_CFLAGS = \
	$(plugins_sparsify_sparsify_filesystem_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sparsify_filesystem_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sparsify_filesystem_so_LDADD = \
	$(plugins_sparsify_sparsify_filesystem_so_LDADD)

fuzz_plugins_sysprep_customize_so_SOURCES = \
	$(plugins_sysprep_sysprep_customize_so_SOURCES)
nodist_fuzz_plugins_sysprep_customize_so_SOURCES = \
	$(nodist_plugins_sysprep_sysprep_customize_so_SOURCES)
fuzz_plugins_sysprep_customize_so_CFLAGS = \
	$(plugins_sysprep_sysprep_customize_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sysprep_customize_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sysprep_customize_so_LDADD = \
	$(plugins_sysprep_sysprep_customize_so_LDADD)

fuzz_plugins_sysprep_fs_uuids_so_SOURCES = \
	$(plugins_sysprep_sysprep_fs_uuids_so_SOURCES)
fuzz_plugins_sysprep_fs_uuids_so_CFLAGS = \
	$(plugins_sysprep_sysprep_fs_uuids_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sysprep_fs_uuids_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sysprep_fs_uuids_so_LDADD = \
	$(plugins_sysprep_sysprep_fs_uuids_so_LDADD)

fuzz_plugins_sysprep_machine_id_so_SOURCES = \
	$(plugins_sysprep_sysprep_machine_id_so_SOURCES)
fuzz_plugins_sysprep_machine_id_so_CFLAGS = \
	$(plugins_sysprep_sysprep_machine_id_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sysprep_machine_id_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sysprep_machine_id_so_LDADD = \
	$(plugins_sysprep_sysprep_machine_id_so_LDADD)

fuzz_plugins_sysprep_net_ifcfg_so_SOURCES = \
	$(plugins_sysprep_sysprep_net_ifcfg_so_SOURCES)
fuzz_plugins_sysprep_net_ifcfg_so_CFLAGS = \
	$(plugins_sysprep_sysprep_net_ifcfg_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sysprep_net_ifcfg_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sysprep_net_ifcfg_so_LDADD = \
	$(plugins_sysprep_sysprep_net_ifcfg_so_LDADD)

fuzz_plugins_sysprep_net_mac_bindings_so_SOURCES = \
	$(plugins_sysprep_sysprep_net_mac_bindings_so_SOURCES)
fuzz_plugins_sysprep_net_mac_bindings_so_CFLAGS = \
	$(plugins_sysprep_sysprep_net_mac_bindings_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sysprep_net_mac_bindings_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sysprep_net_mac_bindings_so_LDADD = \
	$(plugins_sysprep_sysprep_net_mac_bindings_so_LDADD)

fuzz_plugins_sysprep_remove_paths_so_SOURCES = \
	$(plugins_sysprep_sysprep_remove_paths_so_SOURCES)
fuzz_plugins_sysprep_remove_paths_so_CFLAGS = \
	$(plugins_sysprep_sysprep_remove_paths_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sysprep_remove_paths_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sysprep_remove_paths_so_LDADD = \
	$(plugins_sysprep_sysprep_remove_paths_so_LDADD)

fuzz_plugins_sysprep_script_so_SOURCES = \
	$(plugins_sysprep_sysprep_script_so_SOURCES)
fuzz_plugins_sysprep_script_so_CFLAGS = \
	$(plugins_sysprep_sysprep_script_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sysprep_script_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sysprep_script_so_LDADD = \
	$(plugins_sysprep_sysprep_script_so_LDADD)

fuzz_plugins_sysprep_user_account_so_SOURCES = \
	$(plugins_sysprep_sysprep_user_account_so_SOURCES)
fuzz_plugins_sysprep_user_account_so_CFLAGS = \
	$(plugins_sysprep_sysprep_user_account_so_CFLAGS) $(FUZZ_CC_FLAGS)
fuzz_plugins_sysprep_user_account_so_LDFLAGS = $(PLUGIN_LD_FLAGS)
fuzz_plugins_sysprep_user_account_so_LDADD = \
	$(plugins_sysprep_sysprep_user_account_so_LDADD)

# The uninstrumented plugins are loaded too: build them first, with
# the tree's compiler.
fuzz-build: $(plugin_PROGRAMS)
	@if test -z "$(FUZZ_CC)"; then \
	  echo "fuzz: configure found no clang that links -fsanitize=fuzzer" \
	       "(apt-get install clang libclang-rt-14-dev, then ./configure)" >&2; \
	  exit 1; \
	fi
	$(MAKE) $(AM_MAKEFLAGS) CC='$(FUZZ_CC)' CFLAGS='-g -O1' \
	  $(FUZZ_PLUGINS) $(FUZZ_TARGETS)

# The TAP lines as they come, then fail if one is "not ok".
FUZZ_TIME = 60
fuzz: fuzz-build
	@$(MKDIR_P) tests/tmp
	FUZZ_TIME=$(FUZZ_TIME) FUZZ_NO_BUILD=1 $(top_builddir)/run \
	  $(BASH) $(srcdir)/tests/test-fuzz.sh | tee tests/tmp/fuzz.tap
	@! grep -q '^\(not ok\|Bail out!\)' tests/tmp/fuzz.tap

.PHONY: fuzz fuzz-build
