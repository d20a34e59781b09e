/*
 * fuzz-api.c - libFuzzer harness: decodes the input as a sequence of API
 * operations (never deliberate misuse) and checks invariants after each one
 * against a shadow model of what the library should hold.
 *
 * Invariants: contents survive protection round trips; size, protection and
 * the live statistics match the model; freed bytes are unreachable or zero.
 *
 * Op 7 drives pools (secmem_pool_*): new with or without a limit, alloc
 * (zeroed, aligned; EACCES unless READWRITE; ENOMEM only at a limit), free
 * and destroy in any protection state, protect, rewrite; pool allocations
 * count in the same statistics.  Where the library has no pools (secmem_pool_new
 * fails with ENOSYS) the op does nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
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
static int mem_fd = -1;

#define POOLS 4
#define POOL_SLOTS 32
#define POOL_MAX_SIZE 5000 /* size classes up to 2 KiB, then pages of their own */

struct pool {
    secmem_pool *handle;
    size_t limit;
    secmem_prot prot;
};

struct pool_slot {
    struct slot data; /* prot unused: the pool's state applies */
    unsigned int pool;
};

static struct pool pools[POOLS];
static struct pool_slot pool_slots[POOL_SLOTS];

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
    for (size_t i = 0; i < POOL_SLOTS; i++) {
        const struct pool_slot *ps = &pool_slots[i];
        if (ps->data.ptr == NULL)
            continue;
        live++;
        bytes += ps->data.size;
        struct slot view = ps->data;
        view.prot = pools[ps->pool].prot;
        verify(&view, SLOTS + i);
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


/* ---- pools (op 7) ------------------------------------------------------ */

static void pool_new(struct pool *p, struct input *in)
{
    unsigned int raw = take(in, 2);

    if (p->handle != NULL)
        return;
    /* Half of them unlimited, the others limited to a few pages. */
    p->limit = (raw & 1) ? 0 : (size_t)(raw >> 1) * 64;
    int below_a_page = p->limit != 0 && p->limit < (size_t)sysconf(_SC_PAGESIZE);
    errno = 0;
    p->handle = secmem_pool_new(p->limit);
    if (p->handle == NULL && errno == ENOSYS)
        return; /* a library without pools */
    if (below_a_page != (p->handle == NULL && errno == EINVAL))
        fail("secmem_pool_new: EINVAL exactly for a limit below one page", p->limit);
    if (p->handle == NULL && errno != EINVAL && errno != ENOMEM)
        fail("secmem_pool_new: unexpected errno", (size_t)errno);
    p->prot = SECMEM_READWRITE;
}

static void pool_alloc(struct pool_slot *ps, unsigned int which, struct input *in)
{
    struct pool *p = &pools[which];
    size_t size = 1 + take(in, 2) % POOL_MAX_SIZE;
    unsigned char seed = (unsigned char)take(in, 1);

    if (p->handle == NULL || ps->data.ptr != NULL)
        return;
    errno = 0;
    unsigned char *ptr = secmem_pool_alloc(p->handle, size);
    if (p->prot != SECMEM_READWRITE) {
        if (ptr != NULL || errno != EACCES)
            fail("secmem_pool_alloc in a pool that is not READWRITE: not EACCES", which);
        return;
    }
    if (ptr == NULL) {
        /* Over the limit, or out of lockable memory: said, not silent. */
        if (errno != ENOMEM && errno != EPERM)
            fail("secmem_pool_alloc: unexpected errno", (size_t)errno);
        return;
    }
    if (((uintptr_t)ptr & 15u) != 0)
        fail("pool allocation not 16-byte aligned", which);
    for (size_t i = 0; i < size; i++)
        if (ptr[i] != 0)
            fail("pool allocation not zeroed", which);
    ps->data.ptr = ptr;
    ps->data.size = size;
    ps->data.prot = SECMEM_READWRITE;
    ps->data.seed = seed;
    ps->pool = which;
    fill(&ps->data);
}

static void pool_slot_free(struct pool_slot *ps)
{
    unsigned char *ptr = ps->data.ptr;

    if (ptr == NULL)
        return;
    secmem_pool_free(pools[ps->pool].handle, ptr);
    ps->data.ptr = NULL;
    check_unreachable(ptr, ps->data.size, (size_t)(ps - pool_slots));
}

static void pool_protect(unsigned int which, struct input *in)
{
    struct pool *p = &pools[which];
    secmem_prot prot = (secmem_prot)(take(in, 1) % 3);

    if (p->handle == NULL)
        return;
    if (secmem_pool_protect(p->handle, prot) != 0)
        fail("secmem_pool_protect failed", which);
    p->prot = prot;
}

/* Destroy wipes and releases everything the pool held, in any state. */
static void pool_destroy(unsigned int which)
{
    struct pool *p = &pools[which];
    struct {
        unsigned char *ptr;
        size_t size;
    } gone[POOL_SLOTS];
    size_t n = 0;

    if (p->handle == NULL)
        return;
    for (size_t i = 0; i < POOL_SLOTS; i++) {
        struct pool_slot *ps = &pool_slots[i];
        if (ps->data.ptr != NULL && ps->pool == which) {
            gone[n].ptr = ps->data.ptr;
            gone[n++].size = ps->data.size;
            ps->data.ptr = NULL;
        }
    }
    secmem_pool_destroy(p->handle);
    p->handle = NULL;
    for (size_t i = 0; i < n; i++)
        check_unreachable(gone[i].ptr, gone[i].size, i);
}

static void op_pool(unsigned int op, struct input *in)
{
    unsigned int sub = take(in, 1);
    unsigned int which = (sub >> 3) % POOLS;
    struct pool_slot *ps = &pool_slots[(op >> 3) % POOL_SLOTS];

    switch (sub & 7u) {
    case 0: pool_new(&pools[which], in); break;
    case 1:
    case 2: pool_alloc(ps, which, in); break;
    case 3:
    case 4: pool_slot_free(ps); break;
    case 5: pool_protect(which, in); break;
    case 6: pool_destroy(which); break;
    default: /* rewrite, where the pool is writable */
        if (ps->data.ptr != NULL && pools[ps->pool].prot == SECMEM_READWRITE) {
            ps->data.seed = (unsigned char)take(in, 1);
            fill(&ps->data);
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
        default: op_pool(op, &in); break;
        }
        check_model();
    }
    for (size_t i = 0; i < SLOTS; i++)
        op_free(&slots[i]);
    for (size_t i = 0; i < POOL_SLOTS; i++)
        pool_slot_free(&pool_slots[i]);
    for (unsigned int i = 0; i < POOLS; i++)
        pool_destroy(i);
    check_model();
    return 0;
}
