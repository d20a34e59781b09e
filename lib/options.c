/*
 * options.c - the process-wide options (secmem_set_option/secmem_get_option).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <limits.h>
#include <stdatomic.h>

/*
 * The recycling cache defaults to 1 MiB: enough to make repeated
 * allocations of a few hundred sizes free of system calls, and an eighth of
 * the 8 MiB RLIMIT_MEMLOCK that Linux gives unprivileged processes, so the
 * cache never eats the budget that live secrets need (and REQUIRED
 * allocations release it before they give up anyway).
 */
#define DEFAULT_CACHE_BYTES (1024L * 1024L)

static atomic_int lock_policy = SECMEM_LOCK_REQUIRED;
static atomic_long cache_bytes = DEFAULT_CACHE_BYTES;
static atomic_int backend = SECMEM_BACKEND_ANONYMOUS;

int secmem_lock_policy(void)
{
    return atomic_load_explicit(&lock_policy, memory_order_relaxed);
}

size_t secmem_cache_limit(void)
{
    return (size_t)atomic_load_explicit(&cache_bytes, memory_order_relaxed);
}

int secmem_backend(void)
{
    return atomic_load_explicit(&backend, memory_order_relaxed);
}

static int set_lock_policy(long value)
{
    if (value != SECMEM_LOCK_REQUIRED && value != SECMEM_LOCK_BEST_EFFORT)
        return EINVAL;
    atomic_store(&lock_policy, (int)value);
    return 0;
}

static int set_cache_bytes(long value)
{
    if (value < 0)
        return EINVAL;
    atomic_store(&cache_bytes, value);
    guarded_cache_shrink((size_t)value);
    return 0;
}

static int set_backend(long value)
{
    if (value != SECMEM_BACKEND_ANONYMOUS && value != SECMEM_BACKEND_SECRETMEM)
        return EINVAL;
    /* Cached pages carry the old backing: drop them so that every
     * allocation from now on gets the backing that was asked for. */
    if (atomic_exchange(&backend, (int)value) != (int)value)
        guarded_cache_shrink(0);
    return 0;
}

int secmem_set_option(secmem_option opt, long value)
{
    int err;

    secmem_init();
    switch (opt) {
    case SECMEM_OPT_LOCK_POLICY:
        err = set_lock_policy(value);
        break;
    case SECMEM_OPT_CACHE_BYTES:
        err = set_cache_bytes(value);
        break;
    case SECMEM_OPT_BACKEND:
        err = set_backend(value);
        break;
    default:
        err = EINVAL;
        break;
    }
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

long secmem_get_option(secmem_option opt)
{
    switch (opt) {
    case SECMEM_OPT_LOCK_POLICY:
        return secmem_lock_policy();
    case SECMEM_OPT_CACHE_BYTES:
        return (long)secmem_cache_limit();
    case SECMEM_OPT_BACKEND:
        return secmem_backend();
    default:
        errno = EINVAL;
        return -1;
    }
}
