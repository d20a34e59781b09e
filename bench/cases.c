/*
 * cases.c - the timed cases: guarded allocations, protection round trips,
 * pools against the peers' secure heaps.  Each operation writes every byte
 * it allocated, as a caller storing a secret would.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "securememory.h"

#define MAX_CONTENDERS 4
#define LIVE_MANY 10000

static void die(const char *what)
{
    fprintf(stderr, "securememory-bench: %s failed\n", what);
    exit(1);
}

/* ---- guarded allocations ------------------------------------------------- */

static void guarded_cycle(void *ctx, size_t n)
{
    size_t size = *(size_t *)ctx;

    for (size_t i = 0; i < n; i++) {
        unsigned char *p = secmem_malloc(size);
        if (p == NULL)
            die("secmem_malloc");
        memset(p, (int)i, size);
        secmem_free(p);
    }
}

#if BENCH_HAVE_SODIUM
static void sodium_cycle(void *ctx, size_t n)
{
    size_t size = *(size_t *)ctx;

    for (size_t i = 0; i < n; i++) {
        unsigned char *p = sodium_malloc(size);
        if (p == NULL)
            die("sodium_malloc");
        memset(p, (int)i, size);
        sodium_free(p);
    }
}
#endif

void bench_guarded(void)
{
    static size_t sizes[] = {32, 1024, 65536};
    static const char *labels[] = {"guarded 32 B", "guarded 1 KiB", "guarded 64 KiB"};

    bench_print_header("Guarded allocations: alloc + write every byte + free");
    for (size_t s = 0; s < 3; s++) {
        struct contender c[MAX_CONTENDERS] = {
            {"securememory secmem_malloc/secmem_free", guarded_cycle, &sizes[s], 0, 0},
        };
        size_t count = 1;
#if BENCH_HAVE_SODIUM
        c[count++] = (struct contender){"libsodium sodium_malloc/sodium_free", sodium_cycle,
                                        &sizes[s], 0, 0};
#endif
        bench_measure(c, count);
        bench_print_case(labels[s], c, count);
    }
}

/* ---- protection round trip ------------------------------------------------- */

static void protect_cycle(void *ctx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (secmem_protect(ctx, SECMEM_NOACCESS) != 0 ||
            secmem_protect(ctx, SECMEM_READWRITE) != 0)
            die("secmem_protect");
    }
}

#if BENCH_HAVE_SODIUM
static void sodium_protect_cycle(void *ctx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (sodium_mprotect_noaccess(ctx) != 0 || sodium_mprotect_readwrite(ctx) != 0)
            die("sodium_mprotect_*");
    }
}
#endif

void bench_protect(void)
{
    struct contender c[MAX_CONTENDERS];
    size_t count = 0;
    void *ours = secmem_malloc(32);

    c[count++] = (struct contender){"securememory secmem_protect", protect_cycle, ours, 0, 0};
#if BENCH_HAVE_SODIUM
    void *theirs = sodium_malloc(32);
    c[count++] = (struct contender){"libsodium sodium_mprotect_*", sodium_protect_cycle, theirs,
                                    0, 0};
#endif
    bench_print_header("Protection round trip READWRITE → NOACCESS → READWRITE (32 B)");
    bench_measure(c, count);
    bench_print_case("protect round trip", c, count);
    secmem_free(ours);
#if BENCH_HAVE_SODIUM
    sodium_free(theirs);
#endif
}

/* ---- pools and secure heaps -------------------------------------------------- */

struct heap_case {
    size_t size;
    secmem_pool *pool; /* securememory only */
};

static void pool_cycle(void *ctx, size_t n)
{
    struct heap_case *h = ctx;

    for (size_t i = 0; i < n; i++) {
        unsigned char *p = secmem_pool_alloc(h->pool, h->size);
        if (p == NULL)
            die("secmem_pool_alloc");
        memset(p, (int)i, h->size);
        secmem_pool_free(h->pool, p);
    }
}

#if BENCH_HAVE_OPENSSL
static void openssl_cycle(void *ctx, size_t n)
{
    struct heap_case *h = ctx;

    for (size_t i = 0; i < n; i++) {
        unsigned char *p = CRYPTO_secure_malloc(h->size, __FILE__, __LINE__);
        if (p == NULL)
            die("CRYPTO_secure_malloc");
        memset(p, (int)i, h->size);
        CRYPTO_secure_clear_free(p, h->size, __FILE__, __LINE__);
    }
}
#endif

#if BENCH_HAVE_GCRYPT
static void gcrypt_cycle(void *ctx, size_t n)
{
    struct heap_case *h = ctx;

    for (size_t i = 0; i < n; i++) {
        unsigned char *p = gcry_malloc_secure(h->size);
        if (p == NULL)
            die("gcry_malloc_secure");
        memset(p, (int)i, h->size);
        gcry_free(p); /* gcry_free wipes secure memory itself */
    }
}
#endif

/* Keeps `live` blocks of size allocated in every contender's heap. */
struct live_set {
    void **ours, **openssl, **gcrypt;
    size_t count;
};

static void hold_live(struct live_set *l, secmem_pool *pool, size_t size, size_t live)
{
    l->count = live;
    l->ours = calloc(live + 1, sizeof(void *));
    l->openssl = calloc(live + 1, sizeof(void *));
    l->gcrypt = calloc(live + 1, sizeof(void *));
    for (size_t i = 0; i < live; i++) {
        if ((l->ours[i] = secmem_pool_alloc(pool, size)) == NULL)
            die("secmem_pool_alloc (live set)");
#if BENCH_HAVE_OPENSSL
        if ((l->openssl[i] = CRYPTO_secure_malloc(size, __FILE__, __LINE__)) == NULL)
            die("CRYPTO_secure_malloc (live set)");
#endif
#if BENCH_HAVE_GCRYPT
        if ((l->gcrypt[i] = gcry_malloc_secure(size)) == NULL)
            die("gcry_malloc_secure (live set)");
#endif
    }
}

static void drop_live(struct live_set *l, secmem_pool *pool)
{
    for (size_t i = 0; i < l->count; i++) {
        secmem_pool_free(pool, l->ours[i]);
#if BENCH_HAVE_OPENSSL
        CRYPTO_secure_free(l->openssl[i], __FILE__, __LINE__);
#endif
#if BENCH_HAVE_GCRYPT
        gcry_free(l->gcrypt[i]);
#endif
    }
    free(l->ours);
    free(l->openssl);
    free(l->gcrypt);
}

static void pool_case(size_t size, size_t live, const char *label)
{
    struct heap_case h = {size, secmem_pool_new(0)};
    struct live_set l;
    struct contender c[MAX_CONTENDERS];
    size_t count = 0;

    if (h.pool == NULL)
        die("secmem_pool_new");
    hold_live(&l, h.pool, size, live);
    c[count++] = (struct contender){"securememory secmem_pool_alloc/free", pool_cycle, &h, 0, 0};
#if BENCH_HAVE_OPENSSL
    c[count++] = (struct contender){"OpenSSL CRYPTO_secure_malloc/clear_free", openssl_cycle, &h,
                                    0, 0};
#endif
#if BENCH_HAVE_GCRYPT
    c[count++] = (struct contender){"libgcrypt gcry_malloc_secure/gcry_free", gcrypt_cycle, &h,
                                    0, 0};
#endif
    bench_measure(c, count);
    bench_print_case(label, c, count);
    drop_live(&l, h.pool);
    secmem_pool_destroy(h.pool);
}

void bench_pool(void)
{
    bench_print_header("Pools vs secure heaps: alloc + write every byte + free");
    pool_case(32, 0, "pool 32 B, empty");
    pool_case(32, 1, "pool 32 B, one live");
    pool_case(32, LIVE_MANY, "pool 32 B, 10,000 live");
    pool_case(1024, 0, "pool 1 KiB, empty");
    pool_case(1024, 1, "pool 1 KiB, one live");
    pool_case(1024, LIVE_MANY, "pool 1 KiB, 10,000 live");
}
