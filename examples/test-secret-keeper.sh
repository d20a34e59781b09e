#!/bin/sh
# Runs the example consumer and checks what it answers (TAP output).
# KEEPER names the program; the default is the in-tree build, run from the
# top of the build tree by `make check`.
set -u
keeper=${KEEPER:-./examples/secret-keeper}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/secret-keeper.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
echo "1..4"

check() { # number, description, command...
    n=$1 desc=$2
    shift 2
    if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}

printf 'hunter2\nguess\nhunter2\nhunter\nhunter22\n' | "$keeper" >"$tmp/out" 2>"$tmp/err"
rc=$?
check 1 "exits 0 at end of input" test "$rc" -eq 0
printf 'mismatch\nmatch\nmismatch\nmismatch\n' >"$tmp/want"
check 2 "answers match only for the exact secret" cmp -s "$tmp/want" "$tmp/out"
check 3 "reports the library version on stderr" \
    grep -q '^secret-keeper: libsecurememory [0-9][0-9.]*, secret held NOACCESS$' "$tmp/err"

: | "$keeper" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
check 4 "refuses an empty input with status 1" test "$rc" -eq 1

if [ "$failed" -ne 0 ]; then
    echo "# stdout:"; sed 's/^/#   /' "$tmp/out"
    echo "# stderr:"; sed 's/^/#   /' "$tmp/err" "$tmp/err2"
fi
exit "$failed"
