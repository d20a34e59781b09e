# tests/ - GTest suite

if HAVE_GLIB
check_PROGRAMS += tests/test-pool
TESTS += tests/test-pool
tests_test_pool_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS) $(PTHREAD_CFLAGS)
tests_test_pool_LDADD = lib/libsecurememory.la $(GLIB_LIBS) $(PTHREAD_LIBS)
endif

LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
