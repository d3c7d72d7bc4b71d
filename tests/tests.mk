# tests.mk: included by Makefile.am.  C unit tests and shell tests all
# print TAP, so every check counts in the summary.  ./quickstart test
# runs them with make -j(cores): a TCG appliance keeps one core busy,
# so two end-to-end tests at once on 2 cores take about half the time
# of one after the other (the same as sysprep --jobs).  Every test has
# its own directory under tests/tmp.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(BASH)
TESTS_ENVIRONMENT = $(top_builddir)/run

# No appliance needed.
TESTS += \
	tests/test-cli.sh \
	tests/test-anchor-lists.sh \
	tests/test-compat.sh \
	tests/test-completion.sh \
	tests/test-sdk.sh \
	tests/test-refusals.sh \
	tests/test-launch-failure.sh \
	tests/test-lock.sh \
	tests/test-customize-args.sh \
	tests/sparsify/test-sparsify-args.sh \
	tests/inspect/test-inspect-cli.sh \
	tests/resize/test-resize-docs.sh \
	tests/test-batch-lock.sh \
	tests/test-batch-merge.sh \
	tests/test-batch-examples.sh \
	tests/test-journal.sh \
	tests/test-systemd.sh

# The unit tests again under ASan and UBSan (a build tree of their
# own), then each fuzz target for FUZZ_TIME (5) seconds: together
# under 3 minutes on 2 cores.
TESTS += \
	tests/test-sanitizers.sh \
	tests/test-fuzz.sh
EXTRA_DIST += tests/lsan.supp

# End-to-end: one appliance launch each (plus read-back), on the phony
# guests built once per run.  The longest first (make check -j2 runs two
# at a time: the short ones then fill the end).
TESTS += \
	tests/inspect/test-inspect.sh \
	tests/sparsify/test-sparsify.sh \
	tests/sysprep/test-sysprep-defaults.sh \
	tests/sysprep/test-sysprep-shared.sh \
	tests/sysprep/test-sysprep-dry-run.sh \
	tests/sysprep/test-sysprep-transaction.sh \
	tests/sysprep/test-customize.sh \
	tests/inspect/test-inspect-distros.sh \
	tests/sysprep/test-edit-ops.sh \
	tests/sysprep/test-device-ops.sh \
	tests/sysprep/test-hostile.sh \
	tests/luks/test-luks.sh \
	tests/resize/test-resize-grow.sh \
	tests/resize/test-resize-refuse.sh \
	tests/resize/test-resize-fs.sh \
	tests/test-doctor.sh \
	tests/test-compat-anchors.sh

# goldsmith batch: manifest checks and plans without the appliance, then
# one fleet of two guests as a job array of two shards under GNU
# parallel (four launches, two at a time), merged.
TESTS += tests/test-batch.sh

EXTRA_DIST += tests/functions.sh tests/manifest.py tests/fixture.py tests/refusals.txt \
	tests/fixtures/fedora.txt tests/fixtures/debian.txt \
	tests/make-phony-guests.sh tests/make-sparse-guest.sh \
	tests/make-rpmdb.sh tests/fixtures/gs-hello.spec \
	tests/make-phony-windows.sh tests/make-hive.py \
	tests/make-hostile-guest.py tests/mutate.sh tests/make-distros-guest.sh \
	tests/fixtures/windows-software.reg tests/fixtures/windows-system.reg \
	tests/oot/oot-probe.c \
	tests/inspect/fedora.xml tests/inspect/debian.xml \
	tests/inspect/windows.xml $(TESTS)
# Opt-in and slow (a real Debian guest booted twice; a single-node
# Slurm running the batch as a job array): never in TESTS.
EXTRA_DIST += tests/slow/sysprep-boots.sh tests/slow/test-batch-slurm.sh \
	tests/luks/luks-guest.pl

# The phony guests: built once (one launch) before the tests run, and
# again only when the script that makes them changes.  Where the
# appliance cannot launch, the end-to-end tests skip (but fail under
# CI=true, see requires_appliance in functions.sh).
check_DATA += tests/phony/fedora.img
tests/phony/fedora.img: $(srcdir)/tests/make-phony-guests.sh \
		$(srcdir)/tests/functions.sh $(srcdir)/tests/fixture.py \
		$(srcdir)/tests/make-sparse-guest.sh \
		$(srcdir)/tests/make-phony-windows.sh $(srcdir)/tests/make-hive.py \
		$(srcdir)/tests/fixtures/windows-software.reg \
		$(srcdir)/tests/fixtures/windows-system.reg \
		$(srcdir)/tests/fixtures/fedora.txt $(srcdir)/tests/fixtures/debian.txt \
		$(srcdir)/tests/manifest.py $(srcdir)/tests/make-rpmdb.sh \
		$(srcdir)/tests/fixtures/gs-hello.spec
	$(AM_V_GEN)$(MKDIR_P) tests/phony; \
	if ! $(BASH) $(srcdir)/tests/make-phony-guests.sh tests/phony \
	     > tests/phony/build.log 2>&1; then \
	  cat tests/phony/build.log; rm -f $@; \
	  if [ "$$CI" = true ]; then exit 1; fi; \
	fi

clean-local:
	rm -rf tests/tmp tests/phony

include tests/unit/unit.mk
