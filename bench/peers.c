/*
 * peers.c - one-time set-up of the peers found at configure time.
 *
 * OpenSSL's secure heap is a fixed arena chosen at start-up: 32 MiB holds
 * the 10,000 live 1 KiB blocks of the pool case.  libgcrypt's secure pool
 * gets the same size.  Both are set up once, before any timing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>

#define PEER_ARENA_BYTES (32u << 20)

void bench_peers_init(void)
{
#if BENCH_HAVE_SODIUM
    if (sodium_init() < 0) {
        fprintf(stderr, "securememory-bench: sodium_init failed\n");
        exit(1);
    }
#endif
#if BENCH_HAVE_OPENSSL
    int ret = CRYPTO_secure_malloc_init(PEER_ARENA_BYTES, 16);
    if (ret != 1) {
        fprintf(stderr, "securememory-bench: CRYPTO_secure_malloc_init returned %d\n", ret);
        exit(1);
    }
#endif
#if BENCH_HAVE_GCRYPT
    gcry_check_version(NULL);
    gcry_control(GCRYCTL_DISABLE_SECMEM_WARN);
    gcry_control(GCRYCTL_INIT_SECMEM, PEER_ARENA_BYTES, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
#endif
}
