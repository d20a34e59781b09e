# examples/ - the installed-consumer example.
#
# examples/Makefile builds it against the installed library with pkg-config
# (debian/tests and .ci/packaging.sh do that); here `make check` builds it
# against the library in the tree, so API changes that break it show up.

check_PROGRAMS += examples/secret-keeper
examples_secret_keeper_SOURCES = examples/secret-keeper.c
examples_secret_keeper_LDADD = lib/libsecurememory.la
# The script runs the program directly and compares its LF output: not in
# the Windows (wine) build, which still compiles the example.
if !PAGE_WIN32
TESTS += examples/test-secret-keeper.sh
endif
EXTRA_DIST += examples/Makefile examples/test-secret-keeper.sh
