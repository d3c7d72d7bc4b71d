# tests.mk: included by Makefile.am.  C unit tests and shell tests all
# print TAP, so every check counts in the summary.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
TESTS_ENVIRONMENT = $(top_builddir)/run
