#!/usr/bin/env bash
# CI stage: the test suite under ASan+UBSan, under TSan, and under valgrind
# memcheck (leaks and invalid accesses are errors).  Tests whose behaviour a
# tool changes (ASan and TSan turn mlock into a no-op) skip with that reason.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
apt-get install -y -q --no-install-recommends valgrind >/dev/null

run_suite() { # name, configure arguments...; then make check with MAKEFLAGS from env
    local name=$1; shift
    local build
    build=$(mktemp -d "/tmp/secmem-$name.XXXXXX")
    printf -- '---- %s\n' "$name"
    (
        cd "$build"
        "$top/configure" --enable-werror "$@" >configure.out 2>&1 || { tail -40 configure.out; exit 1; }
        make -j"$jobs" >make.out 2>&1 || { tail -60 make.out; exit 1; }
        if ! make -j"$jobs" check ${SECMEM_CHECK_ARGS:+"$SECMEM_CHECK_ARGS"} >check.out 2>&1; then
            tail -40 check.out
            for log in tests/*.log; do
                grep -qE '^not ok|^Bail out|ERROR|Sanitizer|valgrind.*ERROR SUMMARY: [1-9]' "$log" \
                    && { echo "== $log"; tail -80 "$log"; }
            done
            exit 1
        fi
        grep -E '^# (TOTAL|PASS|SKIP|FAIL|XFAIL|ERROR)' check.out || true
    )
    rm -rf "$build"
}

# halt_on_error: the first report fails the test; detect_leaks covers LSan.
export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite asan-ubsan --enable-sanitizers=address,undefined
unset ASAN_OPTIONS UBSAN_OPTIONS

export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
run_suite tsan --enable-sanitizers=thread
unset TSAN_OPTIONS

# Static test programs, so that valgrind runs the test itself, not a libtool
# wrapper script.  Death tests run their subprocesses natively (no
# --trace-children): their deaths are deliberate.
SECMEM_CHECK_ARGS="LOG_COMPILER=valgrind --error-exitcode=1 --leak-check=full \
--errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes --suppressions=/usr/share/glib-2.0/valgrind/glib.supp \
--quiet" run_suite valgrind --disable-shared
