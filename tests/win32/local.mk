# tests/win32/ - the Windows test programs (plain C printing TAP: Debian has
# no GLib for mingw), built only with the Win32 page backend and run by
# `make check` under wine through tests/win32/wine-run.sh.

EXTRA_DIST += tests/win32/wine-run.sh tests/win32/tap.h

if PAGE_WIN32
win32_tests = \
	tests/win32/test-win32-alloc \
	tests/win32/test-win32-alloc-static \
	tests/win32/test-win32-faults \
	tests/win32/test-win32-encrypt \
	tests/win32/test-win32-lock \
	tests/win32/test-win32-lockfail \
	tests/win32/test-win32-threads
check_PROGRAMS += $(win32_tests)
TESTS += \
	tests/win32/test-win32-alloc$(EXEEXT) \
	tests/win32/test-win32-alloc-static$(EXEEXT) \
	tests/win32/test-win32-faults$(EXEEXT) \
	tests/win32/test-win32-encrypt$(EXEEXT) \
	tests/win32/test-win32-lock$(EXEEXT) \
	tests/win32/test-win32-lockfail$(EXEEXT) \
	tests/win32/test-win32-threads$(EXEEXT)

# LOG_DRIVER (the TAP driver) comes from tests/local.mk.
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/win32/wine-run.sh

win32_test_ldadd = lib/libsecurememory.la

tests_win32_test_win32_alloc_SOURCES = tests/win32/test-win32-alloc.c
tests_win32_test_win32_alloc_LDADD = $(win32_test_ldadd)

# The same tests against the static library: SECMEM_STATIC drops dllimport.
tests_win32_test_win32_alloc_static_SOURCES = tests/win32/test-win32-alloc.c
tests_win32_test_win32_alloc_static_CPPFLAGS = $(AM_CPPFLAGS) -DSECMEM_STATIC
tests_win32_test_win32_alloc_static_LDFLAGS = -static
tests_win32_test_win32_alloc_static_LDADD = $(win32_test_ldadd) $(SECMEM_SYSTEM_LIBS)

tests_win32_test_win32_faults_SOURCES = tests/win32/test-win32-faults.c
tests_win32_test_win32_faults_LDADD = $(win32_test_ldadd)

tests_win32_test_win32_encrypt_SOURCES = tests/win32/test-win32-encrypt.c
tests_win32_test_win32_encrypt_LDADD = $(win32_test_ldadd)

tests_win32_test_win32_lock_SOURCES = tests/win32/test-win32-lock.c
tests_win32_test_win32_lock_LDADD = $(win32_test_ldadd)

# Same program; wine-run.sh runs this one under a small lock limit.
tests_win32_test_win32_lockfail_SOURCES = tests/win32/test-win32-lock.c
tests_win32_test_win32_lockfail_LDADD = $(win32_test_ldadd)

tests_win32_test_win32_threads_SOURCES = tests/win32/test-win32-threads.c
tests_win32_test_win32_threads_LDADD = $(win32_test_ldadd)
endif

# The wine prefix (~700 MB) lives in the build tree; make clean removes it.
clean-local: clean-win32-wineprefix
clean-win32-wineprefix:
	-rm -rf tests/win32/wineprefix tests/win32/wineprefix.lock
.PHONY: clean-win32-wineprefix
