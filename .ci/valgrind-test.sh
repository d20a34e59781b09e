#!/bin/sh
# LOG_COMPILER of the valgrind stage (.ci/sanitizers.sh):
#   valgrind-test.sh VALGRIND-OPTIONS... TEST
# A test program runs under valgrind with the options.  A shell-script test
# (examples/test-secret-keeper.sh) runs under sh as usual: under valgrind it
# would check the shell (dash does not free everything before it exits),
# not the library.
for test_path; do :; done
if [ "$(head -c 2 "$test_path")" = "#!" ]; then
    exec sh "$test_path"
fi
exec valgrind "$@"
