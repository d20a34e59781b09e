/*
 * stats.c - secmem_stat_get and the counters behind it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdatomic.h>

#include "stats.h"

#define STAT_FIRST SECMEM_STAT_ALLOCATIONS
#define STAT_LAST SECMEM_STAT_CACHED_BYTES

static atomic_size_t counters[STAT_LAST + 1];

static int known(secmem_stat which)
{
    return which >= STAT_FIRST && which <= STAT_LAST;
}

void stats_add(secmem_stat which, size_t amount)
{
    atomic_fetch_add_explicit(&counters[which], amount, memory_order_relaxed);
}

void stats_sub(secmem_stat which, size_t amount)
{
    atomic_fetch_sub_explicit(&counters[which], amount, memory_order_relaxed);
}

void stats_reset(void)
{
    for (int i = STAT_FIRST; i <= STAT_LAST; i++)
        atomic_store_explicit(&counters[i], 0, memory_order_relaxed);
}

size_t secmem_stat_get(secmem_stat which)
{
    if (!known(which)) {
        errno = EINVAL;
        return 0;
    }
    return atomic_load_explicit(&counters[which], memory_order_relaxed) +
           guarded_stat_live(which) + pool_stat_live(which);
}
