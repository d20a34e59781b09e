#!/bin/sh
# wine-run.sh - LOG_COMPILER of the Windows test programs: runs one of them
# under wine, headless, in a wine prefix of its own under the build tree.
#
#   wine-run.sh PROGRAM.exe [ARGS...]
#
# WINEPREFIX: tests/win32/wineprefix in the build tree, or SECMEM_WINEPREFIX
#   (created on first use, serialised with flock so that parallel tests do
#   not race to create it).
# WINEDEBUG=-all: wine's own diagnostics stay out of the TAP stream.
# WINEDLLOVERRIDES=winedbg.exe=d: a deliberate crash does not start wine's
#   debugger; mscoree/mshtml=d: no prompts to install Mono or Gecko.
# WINEPATH: the uninstalled DLL (lib/.libs).
#
# test-win32-lockfail runs without CAP_IPC_LOCK and with a 1 MiB
# RLIMIT_MEMLOCK (wine's VirtualLock is mlock), and learns the limit from
# SECMEM_TEST_LOCK_LIMIT; where that cannot be arranged it runs without, and
# skips what needs it.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

prog=$1
shift
dir=$(dirname "$prog")
base=$(basename "$prog")
# libtool leaves a wrapper here and the real program in .libs/.
if [ -f "$dir/.libs/$base" ]; then
    prog=$dir/.libs/$base
fi

top=$(pwd)
# Never the user's own prefix: a fresh one of our own (SECMEM_WINEPREFIX overrides).
WINEPREFIX=${SECMEM_WINEPREFIX:-$top/tests/win32/wineprefix}
WINEDEBUG=-all
WINEDLLOVERRIDES='winedbg.exe=d;mscoree=d;mshtml=d'
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
unset DISPLAY WAYLAND_DISPLAY

wine=${WINE:-wine}
WINEPATH="Z:$(echo "$top/lib/.libs" | tr / '\\')"
export WINEPATH

if [ ! -f "$WINEPREFIX/system.reg" ]; then
    mkdir -p "$(dirname "$WINEPREFIX")"
    flock "$WINEPREFIX.lock" sh -c '[ -f "$WINEPREFIX/system.reg" ] || wineboot -i >/dev/null 2>&1; wineserver -w' || true
fi

case $base in
test-win32-lockfail*)
    limit=1048576
    if command -v prlimit >/dev/null && command -v setpriv >/dev/null &&
       prlimit --memlock=$limit:$limit setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock true 2>/dev/null; then
        SECMEM_TEST_LOCK_LIMIT=$limit
        export SECMEM_TEST_LOCK_LIMIT
        exec prlimit --memlock=$limit:$limit setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock \
            "$wine" "$prog" "$@"
    fi
    ;;
esac
exec "$wine" "$prog" "$@"
