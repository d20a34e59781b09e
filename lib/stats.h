/*
 * stats.h - the process-wide statistics (secmem_stat_get), kept as atomic
 * counters so that guarded allocations and pools update them without sharing
 * a lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_STATS_H
#define SECMEM_STATS_H

#include <stddef.h>

#include "securememory.h"

void stats_add(secmem_stat which, size_t amount);
void stats_sub(secmem_stat which, size_t amount);
/* In a fork child: nothing inherited is locked, mapped for it, or live. */
void stats_reset(void);
/* Live allocations and their bytes held by pools (pool-registry.c); each
 * pool counts its own, so threads on different pools share no counter. */
size_t pool_stat_live(secmem_stat which);
/* Live guarded allocations, their bytes and the cached bytes (guarded.c),
 * counted under the guarded allocator's own lock. */
size_t guarded_stat_live(secmem_stat which);

#endif /* SECMEM_STATS_H */
