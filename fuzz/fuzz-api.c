/*
 * fuzz-api.c - libFuzzer harness: decodes the input as a sequence of API
 * operations (never deliberate misuse) and checks invariants after each one
 * against a shadow model of what the library should hold.
 *
 * Invariants: contents survive protection round trips; size, protection and
 * the live statistics match the model; freed bytes are unreachable or zero.
 * Op 7 drives one pool the same way (alloc, free, protect, rewrite).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "securememory.h"

#define SLOTS 32
#define MAX_SIZE 9000

struct slot {
    unsigned char *ptr;
    size_t size;
    secmem_prot prot;
    unsigned char seed;
};

struct input {
    const uint8_t *data;
    size_t left;
};

static struct slot slots[SLOTS];
static struct slot pool_slots[SLOTS];
static secmem_pool *pool;
static secmem_prot pool_prot = SECMEM_READWRITE;
static int mem_fd = -1;

static unsigned int take(struct input *in, unsigned int bytes)
{
    unsigned int v = 0;
    for (unsigned int i = 0; i < bytes && in->left > 0; i++, in->left--)
        v = (v << 8) | *in->data++;
    return v;
}

static void fail(const char *what, size_t i)
{
    fprintf(stderr, "fuzz-api: invariant broken: %s (slot %zu)\n", what, i);
    abort();
}

static unsigned char pattern(const struct slot *s, size_t i)
{
    return (unsigned char)(s->seed + i * 31u + 1u);
}

static void fill(struct slot *s)
{
    for (size_t i = 0; i < s->size; i++)
        s->ptr[i] = pattern(s, i);
}

static void verify(const struct slot *s, size_t n)
{
    if (s->prot == SECMEM_NOACCESS)
        return;
    for (size_t i = 0; i < s->size; i++)
        if (s->ptr[i] != pattern(s, i))
            fail("contents changed", n);
}

/* Reads the bytes a freed pointer leaves behind through /proc/self/mem,
 * which does not fault: unmapped (EIO) or zero is fine, anything else not. */
static void check_unreachable(const unsigned char *ptr, size_t size, size_t n)
{
    unsigned char buf[256];
    size_t len = size < sizeof buf ? size : sizeof buf;

    if (mem_fd < 0)
        return;
    ssize_t got = pread(mem_fd, buf, len, (off_t)(uintptr_t)ptr);
    for (ssize_t i = 0; i < got; i++)
        if (buf[i] != 0)
            fail("freed bytes still readable", n);
}

static void check_model(void)
{
    size_t live = 0, bytes = 0;

    for (size_t i = 0; i < SLOTS; i++) {
        const struct slot *s = &slots[i];
        if (s->ptr == NULL)
            continue;
        live++;
        bytes += s->size;
        if (secmem_size(s->ptr) != s->size)
            fail("secmem_size", i);
        if (secmem_protection(s->ptr) != s->prot)
            fail("secmem_protection", i);
        if (!(secmem_applied(s->ptr) & SECMEM_FEATURE_GUARD_PAGES))
            fail("guard pages not applied", i);
        verify(s, i);
    }
    for (size_t i = 0; i < SLOTS; i++) {
        const struct slot *s = &pool_slots[i];
        if (s->ptr == NULL)
            continue;
        live++;
        bytes += s->size;
        verify(s, i);
    }
    if (secmem_stat_get(SECMEM_STAT_ALLOCATIONS) != live)
        fail("SECMEM_STAT_ALLOCATIONS", live);
    if (secmem_stat_get(SECMEM_STAT_BYTES_IN_USE) != bytes)
        fail("SECMEM_STAT_BYTES_IN_USE", bytes);
}

static void op_alloc(struct slot *s, struct input *in, int zeroed)
{
    size_t size = 1 + take(in, 2) % MAX_SIZE;

    if (s->ptr != NULL)
        return;
    s->ptr = zeroed ? secmem_calloc(1, size) : secmem_malloc(size);
    if (s->ptr == NULL)
        return; /* out of lockable memory is allowed, silence is not */
    s->size = size;
    s->prot = SECMEM_READWRITE;
    s->seed = (unsigned char)take(in, 1);
    if (zeroed)
        for (size_t i = 0; i < size; i++)
            if (s->ptr[i] != 0)
                fail("calloc not zeroed", (size_t)(s - slots));
    if (((uintptr_t)s->ptr & 15u) != 0)
        fail("not 16-byte aligned", (size_t)(s - slots));
    fill(s);
}

static void op_free(struct slot *s)
{
    unsigned char *ptr = s->ptr;
    size_t size = s->size;

    if (ptr == NULL)
        return;
    secmem_free(ptr);
    s->ptr = NULL;
    check_unreachable(ptr, size, (size_t)(s - slots));
}

static void op_protect(struct slot *s, struct input *in)
{
    secmem_prot prot = (secmem_prot)(take(in, 1) % 3);

    if (s->ptr == NULL)
        return;
    if (secmem_protect(s->ptr, prot) != 0)
        fail("secmem_protect failed", (size_t)(s - slots));
    s->prot = prot;
}

static void op_rewrite(struct slot *s, struct input *in)
{
    if (s->ptr == NULL || s->prot != SECMEM_READWRITE)
        return;
    s->seed = (unsigned char)take(in, 1);
    fill(s);
}

static void op_lock_buffer(struct input *in)
{
    static unsigned char buffer[3 * 4096];
    size_t off = take(in, 2) % (sizeof buffer - 1);
    size_t len = 1 + take(in, 2) % (sizeof buffer - off);

    memset(buffer + off, 0x5a, len);
    if (secmem_lock(buffer + off, len) == 0) {
        if (secmem_unlock(buffer + off, len) != 0)
            fail("secmem_unlock", off);
        for (size_t i = off; i < off + len; i++)
            if (buffer[i] != 0)
                fail("secmem_unlock did not wipe", i);
    }
}

static void op_cache(struct input *in)
{
    if (take(in, 1) & 1)
        secmem_trim();
    else
        secmem_set_option(SECMEM_OPT_CACHE_BYTES, (long)take(in, 2) * 64);
}

/* ---- one pool, driven like the guarded slots ---- */

static void pool_set_prot(secmem_prot prot)
{
    if (secmem_pool_protect(pool, prot) != 0)
        fail("secmem_pool_protect failed", 0);
    pool_prot = prot;
    for (size_t i = 0; i < SLOTS; i++)
        pool_slots[i].prot = prot;
}

static void pool_alloc(struct slot *s, struct input *in)
{
    size_t size = 1 + take(in, 2) % MAX_SIZE;
    unsigned char *p;

    if (s->ptr != NULL)
        return;
    p = secmem_pool_alloc(pool, size);
    if (pool_prot != SECMEM_READWRITE) {
        if (p != NULL)
            fail("secmem_pool_alloc succeeded on a pool that is not READWRITE", 0);
        return;
    }
    if (p == NULL)
        return; /* out of lockable memory is allowed */
    for (size_t i = 0; i < size; i++)
        if (p[i] != 0)
            fail("pool allocation not zeroed", (size_t)(s - pool_slots));
    if (((uintptr_t)p & 15u) != 0)
        fail("pool allocation not 16-byte aligned", (size_t)(s - pool_slots));
    s->ptr = p;
    s->size = size;
    s->prot = pool_prot;
    s->seed = (unsigned char)take(in, 1);
    fill(s);
}

static void pool_release(struct slot *s)
{
    unsigned char *ptr = s->ptr;

    if (ptr == NULL)
        return;
    secmem_pool_free(pool, ptr);
    s->ptr = NULL;
    check_unreachable(ptr, s->size, (size_t)(s - pool_slots));
}

static void op_pool(struct input *in)
{
    unsigned int op = take(in, 1);
    struct slot *s = &pool_slots[(op >> 2) % SLOTS];

    if (pool == NULL && (pool = secmem_pool_new(0)) == NULL)
        fail("secmem_pool_new", 0);
    switch (op & 3u) {
    case 0: pool_alloc(s, in); break;
    case 1: pool_release(s); break;
    case 2: pool_set_prot((secmem_prot)(take(in, 1) % 3)); break;
    default:
        if (s->ptr != NULL && pool_prot == SECMEM_READWRITE) {
            s->seed = (unsigned char)take(in, 1);
            fill(s);
        }
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};

    if (mem_fd < 0)
        mem_fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
    while (in.left > 0) {
        unsigned int op = take(&in, 1);
        struct slot *s = &slots[(op >> 3) % SLOTS];
        switch (op & 7u) {
        case 0: op_alloc(s, &in, 0); break;
        case 1: op_alloc(s, &in, 1); break;
        case 2: op_free(s); break;
        case 3: op_protect(s, &in); break;
        case 4: op_rewrite(s, &in); break;
        case 5: op_lock_buffer(&in); break;
        case 6: op_cache(&in); break;
        default: op_pool(&in); break;
        }
        check_model();
    }
    for (size_t i = 0; i < SLOTS; i++)
        op_free(&slots[i]);
    for (size_t i = 0; i < SLOTS; i++)
        pool_release(&pool_slots[i]);
    if (pool != NULL)
        pool_set_prot(SECMEM_READWRITE);
    check_model();
    return 0;
}
