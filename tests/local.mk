# tests/ - GTest suite, run through automake's TAP driver by `make check`.
# GLib (>= 2.62) prints TAP by itself: no --tap flag is needed.

if HAVE_GLIB
TEST_PROGS = \
	tests/test-alloc \
	tests/test-guard \
	tests/test-protect \
	tests/test-smaps \
	tests/test-fork \
	tests/test-lockbudget \
	tests/test-core \
	tests/test-process \
	tests/test-threads \
	tests/test-options \
	tests/test-lock \
	tests/test-wipe \
	tests/test-features \
	tests/test-secretmem \
	tests/test-stress \
	tests/test-pool

check_PROGRAMS += $(TEST_PROGS)
TESTS += $(TEST_PROGS)
check_LTLIBRARIES = tests/libtestutil.la
tests_libtestutil_la_SOURCES = tests/testutil.c tests/testutil.h
tests_libtestutil_la_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)

TEST_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(PTHREAD_CFLAGS)
TEST_LDADD = tests/libtestutil.la lib/libsecurememory.la $(GLIB_LIBS) $(PTHREAD_LIBS)

tests_test_alloc_CFLAGS = $(TEST_CFLAGS)
tests_test_alloc_LDADD = $(TEST_LDADD)
tests_test_guard_CFLAGS = $(TEST_CFLAGS)
tests_test_guard_LDADD = $(TEST_LDADD)
tests_test_protect_CFLAGS = $(TEST_CFLAGS)
tests_test_protect_LDADD = $(TEST_LDADD)
tests_test_smaps_CFLAGS = $(TEST_CFLAGS)
tests_test_smaps_LDADD = $(TEST_LDADD)
tests_test_fork_CFLAGS = $(TEST_CFLAGS)
tests_test_fork_LDADD = $(TEST_LDADD)
tests_test_lockbudget_CFLAGS = $(TEST_CFLAGS)
tests_test_lockbudget_LDADD = $(TEST_LDADD)
tests_test_core_CFLAGS = $(TEST_CFLAGS)
tests_test_core_LDADD = $(TEST_LDADD)
tests_test_process_CFLAGS = $(TEST_CFLAGS)
tests_test_process_LDADD = $(TEST_LDADD)
tests_test_threads_CFLAGS = $(TEST_CFLAGS)
tests_test_threads_LDADD = $(TEST_LDADD)
tests_test_options_CFLAGS = $(TEST_CFLAGS)
tests_test_options_LDADD = $(TEST_LDADD)
tests_test_lock_CFLAGS = $(TEST_CFLAGS)
tests_test_lock_LDADD = $(TEST_LDADD)
tests_test_wipe_CFLAGS = $(TEST_CFLAGS)
tests_test_wipe_LDADD = $(TEST_LDADD)
tests_test_features_CFLAGS = $(TEST_CFLAGS)
tests_test_features_LDADD = $(TEST_LDADD)
tests_test_secretmem_CFLAGS = $(TEST_CFLAGS)
tests_test_secretmem_LDADD = $(TEST_LDADD)
tests_test_stress_CFLAGS = $(TEST_CFLAGS)
tests_test_stress_LDADD = $(TEST_LDADD)
tests_test_pool_CFLAGS = $(TEST_CFLAGS)
tests_test_pool_LDADD = $(TEST_LDADD)
endif

LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
