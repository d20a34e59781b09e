#!/usr/bin/env bash
# CI stage: the feature matrix.  Builds and tests the POSIX library with each
# probed feature forced off through configure's cache variables, one at a
# time, then all at once (a bare mmap/mprotect system).  In each build the
# library must compile without warnings, secmem_features() must report
# exactly what was compiled in (tests/test-features checks it against
# config.h) and the tests may skip only what that build cannot do.
#
# Speed: one unforced configure fills a config cache; each build starts from
# a copy of it, with its forced variables on the command line (they win over
# the cache), so only the checks that differ run again.  About 25 s a build
# on 2 cores; SECMEM_MATRIX_ONLY=name runs one.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
# shellcheck source=.ci/source.sh
. "$top/.ci/source.sh"
work=$(mktemp -d /tmp/secmem-matrix.XXXXXX)
trap 'rm -rf "$work"; cleanup_source' EXIT
(cd "$work" && "$src/configure" --cache-file="$work/base.cache" --enable-werror --disable-static \
    >configure.out 2>&1) || { tail -40 "$work/configure.out"; exit 1; }

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
  "bare-mmap: ac_cv_func_mlock=no ac_cv_func_munlock=no ac_cv_func_madvise=no ac_cv_have_decl_MADV_DONTDUMP=no ac_cv_have_decl_MADV_DODUMP=no ac_cv_have_decl_MADV_WIPEONFORK=no ac_cv_have_decl_MADV_DONTFORK=no ac_cv_have_decl_SYS_memfd_secret=no ac_cv_func_prctl=no ac_cv_have_decl_PR_SET_DUMPABLE=no ac_cv_func_setrlimit=no ac_cv_func_explicit_bzero=no ac_cv_func_getrandom=no ac_cv_func_getentropy=no ac_cv_header_sys_random_h=no ac_cv_func_sysconf=no"
)

only=${SECMEM_MATRIX_ONLY:-}
for entry in "${matrix[@]}"; do
    name=${entry%%:*}
    vars=${entry#*: }
    [ -z "$only" ] || [ "$only" = "$name" ] || continue
    printf -- '---- matrix: %s (%s)\n' "$name" "$vars"
    started=$SECONDS
    build="$work/$name"
    mkdir "$build"
    cp "$work/base.cache" "$build/config.cache"
    (
        cd "$build"
        # shellcheck disable=SC2086 # the variables are meant to split
        "$src/configure" --cache-file=config.cache --enable-werror --disable-static $vars \
            >configure.out 2>&1 || { tail -40 configure.out; exit 1; }
        sed -n '/configured for/,$p' configure.out
        make -j"$jobs" >make.out 2>&1 || { tail -60 make.out; exit 1; }
        if ! make -j"$jobs" check >check.out 2>&1; then
            grep -E '^(FAIL|ERROR|XPASS):|^# (TOTAL|FAIL|ERROR):' check.out
            find . -name '*.log' ! -name test-suite.log ! -name config.log \
                -exec grep -lE '^(not ok|Bail out)' {} + | while read -r log; do
                    echo "== $log"; tail -30 "$log"; done
            exit 1
        fi
        grep -E '^# (TOTAL|PASS|SKIP|FAIL|ERROR):' check.out | tr -s ' \n' ' '; echo
        grep -h 'secmem_features():' tests/test-features.log | sed 's/^#*/   /' || true
        grep -h '^SKIP:' check.out | sed 's/^/    /' || true
    )
    rm -rf "$build"
    printf -- '---- matrix: %s passed in %d s\n' "$name" $((SECONDS - started))
done
