#!/usr/bin/env bash
# CI stage: the Windows build.  Cross-builds libsecurememory-0.dll with
# Debian's mingw-w64 in a separate build directory (VPATH) and runs its
# plain-C TAP tests under wine (headless, a fresh wine prefix in the build
# directory).  Run from the top of a clean clone, as root, after
# `apt-get update`.  Exits non-zero when any step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
export DEBIAN_FRONTEND=noninteractive
jobs=$(nproc)
start=$(date +%s)

step() { printf '\n---- windows: %s (%s) ----\n' "$*" "$(date -u +%H:%M:%S)"; }

step "install mingw-w64 and wine"
# autotools for a clone that was never bootstrapped; util-linux for flock,
# prlimit and setpriv (the lock-limit test).
apt-get install -y -q --no-install-recommends \
    gcc-mingw-w64-x86-64 wine wine64 \
    autoconf automake libtool autoconf-archive pkg-config make util-linux >/dev/null

work=$(mktemp -d "$top/build-windows.XXXXXX")
build=$work/build
cleanup() {
    WINEPREFIX=$build/tests/win32/wineprefix wineserver -k 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A VPATH build needs a source tree that is not configured in place; the
# earlier CI stages build in-tree, so then build from a pristine copy.
src=$top
if [ -f "$top/config.status" ]; then
    step "pristine copy of the sources (the tree is configured in place)"
    src=$work/src
    mkdir -p "$src"
    if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$top" archive --format=tar HEAD | tar -x -C "$src"
    else
        cp -a "$top/." "$src"
        make -C "$src" distclean >/dev/null
    fi
fi
if [ ! -x "$src/configure" ]; then
    step "autoreconf"
    (cd "$src" && autoreconf -fi)
fi

step "configure --host=x86_64-w64-mingw32 (in $build)"
mkdir -p "$build"
cd "$build"
# PKG_CONFIG_LIBDIR: without it pkg-config would offer the Linux GLib.
"$src/configure" --host=x86_64-w64-mingw32 PKG_CONFIG_LIBDIR=/nonexistent --enable-werror
# The Win32 backend must have been chosen by the probes.
grep -q '^#define HAVE_VIRTUALALLOC 1' config.h

step "make"
make -j"$jobs"
test -f lib/.libs/libsecurememory-0.dll
test -f lib/.libs/libsecurememory.dll.a

step "make check (under wine)"
if ! make -j"$jobs" check; then
    cat test-suite.log tests/win32/*.log 2>/dev/null | tail -200
    exit 1
fi
# The Windows tests really ran (a missing conditional would run none).
ran=$(ls tests/win32/*.trs 2>/dev/null | wc -l)
echo "windows test programs run: $ran"
[ "$ran" -ge 7 ]

step "securememory-check under wine"
# Same wine setup as the tests; a failed self-test exits non-zero.
bash "$src/tests/win32/wine-run.sh" tools/securememory-check.exe
bash "$src/tests/win32/wine-run.sh" tools/securememory-check.exe --json |
    python3 -m json.tool >/dev/null

step "passed in $(( $(date +%s) - start )) s"
