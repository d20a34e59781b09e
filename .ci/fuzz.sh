#!/usr/bin/env bash
# CI stage: the libFuzzer harness (fuzz/fuzz-api.c) under ASan+UBSan for a
# bounded time, built with clang against a static, sanitized library.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${SECMEM_FUZZ_SECONDS:-60}
apt-get install -y -q --no-install-recommends clang libclang-rt-14-dev >/dev/null

build=$(mktemp -d /tmp/secmem-fuzz.XXXXXX)
trap 'rm -rf "$build"' EXIT
cd "$build"
"$top/configure" CC=clang --disable-shared --enable-werror \
    --enable-sanitizers=address,undefined CFLAGS="-g -O1 -fsanitize=fuzzer-no-link" >/dev/null
make -j"$(nproc)" lib/libsecurememory.la >/dev/null
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -I"$top/include" "$top/fuzz/fuzz-api.c" lib/.libs/libsecurememory.a -lpthread -o fuzz-api
mkdir corpus
cp "$top"/fuzz/corpus/* corpus/
./fuzz-api -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 corpus
