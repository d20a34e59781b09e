# tools/ - securememory-check: what the library can guarantee on this machine
# for this user, with a live self-test of every protection.

bin_PROGRAMS += tools/securememory-check

tools_securememory_check_SOURCES = \
	tools/securememory-check.c \
	tools/check.h \
	tools/check-build.c \
	tools/check-system.c \
	tools/check-proc.c tools/check-proc.h \
	tools/check-child.c tools/check-child.h \
	tools/check-tests.h \
	tools/check-probes.c \
	tools/check-faults.c \
	tools/check-capacity.c \
	tools/check-warnings.c \
	tools/check-report.c \
	tools/check-json.c
tools_securememory_check_LDADD = lib/libsecurememory.la
