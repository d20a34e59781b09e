#!/usr/bin/env bash
# CI stage: the feature matrix.  Builds and tests the POSIX library with each
# probed feature forced off through configure's cache variables, one at a
# time, then all at once (a bare mmap/mprotect system).  In each build the
# library must compile without warnings, secmem_features() must report
# exactly what was compiled in (tests/test-features checks it against
# config.h) and the tests may skip only what that build cannot do.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

# One entry per probe a platform may lack: "name: cache-variable=no ...".
matrix=(
  "no-mlock: ac_cv_func_mlock=no ac_cv_func_munlock=no"
  "no-madvise: ac_cv_func_madvise=no"
  "no-MADV_DONTDUMP: ac_cv_have_decl_MADV_DONTDUMP=no ac_cv_have_decl_MADV_DODUMP=no"
  "no-MADV_WIPEONFORK: ac_cv_have_decl_MADV_WIPEONFORK=no"
  "no-fork-withholding: ac_cv_have_decl_MADV_WIPEONFORK=no ac_cv_have_decl_MADV_DONTFORK=no"
  "no-memfd_secret: ac_cv_have_decl_SYS_memfd_secret=no"
  "no-prctl: ac_cv_func_prctl=no ac_cv_have_decl_PR_SET_DUMPABLE=no"
  "no-setrlimit: ac_cv_func_setrlimit=no"
  "no-explicit_bzero: ac_cv_func_explicit_bzero=no"
  "no-getrandom: ac_cv_func_getrandom=no ac_cv_header_sys_random_h=no"
  "no-sysconf: ac_cv_func_sysconf=no"
  "bare-mmap: ac_cv_func_mlock=no ac_cv_func_munlock=no ac_cv_func_madvise=no ac_cv_have_decl_MADV_DONTDUMP=no ac_cv_have_decl_MADV_DODUMP=no ac_cv_have_decl_MADV_WIPEONFORK=no ac_cv_have_decl_MADV_DONTFORK=no ac_cv_have_decl_SYS_memfd_secret=no ac_cv_func_prctl=no ac_cv_have_decl_PR_SET_DUMPABLE=no ac_cv_func_setrlimit=no ac_cv_func_explicit_bzero=no ac_cv_func_getrandom=no ac_cv_header_sys_random_h=no ac_cv_func_sysconf=no"
)

only=${SECMEM_MATRIX_ONLY:-}
for entry in "${matrix[@]}"; do
    name=${entry%%:*}
    vars=${entry#*: }
    [ -z "$only" ] || [ "$only" = "$name" ] || continue
    printf -- '---- matrix: %s (%s)\n' "$name" "$vars"
    build=$(mktemp -d "/tmp/secmem-matrix-$name.XXXXXX")
    (
        cd "$build"
        # shellcheck disable=SC2086 # the variables are meant to split
        "$top/configure" --enable-werror --disable-static $vars >configure.out 2>&1 \
            || { tail -40 configure.out; exit 1; }
        sed -n '/configured for/,$p' configure.out
        make -j"$jobs" >make.out 2>&1 || { tail -60 make.out; exit 1; }
        if ! make -j"$jobs" check >check.out 2>&1; then
            tail -60 check.out; cat tests/*.log 2>/dev/null | grep -E '^not ok|FAIL|Bail' | head -40
            exit 1
        fi
        grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR)' tests/test-suite.log 2>/dev/null \
            || grep -hE '^(PASS|SKIP|FAIL|ERROR)' check.out | sort | uniq -c | sort -rn | head -5
        grep -h '# SKIP' tests/*.log 2>/dev/null | sed 's/^/    /' | sort -u | head -20 || true
    )
    rm -rf "$build"
done
