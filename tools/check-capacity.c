/*
 * check-capacity.c - how many guarded allocations fit: the lock budget
 * (RLIMIT_MEMLOCK, unless CAP_IPC_LOCK) divided by the data pages one
 * allocation locks, and vm.max_map_count divided by the mappings one
 * allocation adds, both measured here rather than assumed.
 *
 * Pools (their own issue) get their own section at the end of this file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check-proc.h"

/* Allocations made to count mappings: enough to average out where the
 * kernel places them, few enough to fit an 8 MiB budget many times over. */
#define MAPPING_SAMPLE 16

static size_t data_bytes_held(void)
{
    return secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) + secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED);
}

/* The data page bytes one allocation holds (locked or not). */
static void measure_data_bytes(struct check_capacity *c)
{
    size_t before, after;
    void *p;

    secmem_trim(); /* a cached page would make the allocation free */
    before = data_bytes_held();
    p = secmem_malloc(c->secret_size);
    after = data_bytes_held();
    if (p == NULL)
        return;
    secmem_free(p);
    secmem_trim();
    if (after > before) {
        c->data_bytes.known = 1;
        c->data_bytes.value = after - before;
    }
}

/* VMAs one allocation adds: count /proc/self/maps around a batch, after a
 * first allocation so that neighbours can share their guard pages. */
static void measure_mappings(struct check_capacity *c)
{
    void *held[MAPPING_SAMPLE + 1];
    size_t n = 0;
    long first, last;

    secmem_trim();
    held[n] = secmem_malloc(c->secret_size);
    if (held[n] != NULL)
        n++;
    first = proc_count_mappings();
    while (n < MAPPING_SAMPLE + 1 && (held[n] = secmem_malloc(c->secret_size)) != NULL)
        n++;
    last = proc_count_mappings();
    if (first >= 0 && last > first && n > 1) {
        c->mappings_known = 1;
        c->mappings_per_alloc = (double)(last - first) / (double)(n - 1);
    }
    while (n > 0)
        secmem_free(held[--n]);
    secmem_trim();
}

static void lock_budget(const struct check_report *r, struct check_capacity *c)
{
    const struct check_limits *l = &r->limits;

    if (!check_offered(r, SECMEM_FEATURE_LOCK)) {
        c->by_lock.known = c->by_lock.unlimited = 1;
        snprintf(c->lock_note, sizeof c->lock_note, "nothing is locked on this system");
    } else if (l->cap_ipc_lock == 1) {
        c->by_lock.known = c->by_lock.unlimited = 1;
        snprintf(c->lock_note, sizeof c->lock_note,
                 "CAP_IPC_LOCK: RLIMIT_MEMLOCK does not apply to this process");
    } else if (l->memlock_soft.known && l->memlock_soft.unlimited) {
        c->by_lock.known = c->by_lock.unlimited = 1;
        snprintf(c->lock_note, sizeof c->lock_note, "RLIMIT_MEMLOCK is unlimited");
    } else if (!l->memlock_soft.known || !c->data_bytes.known) {
        snprintf(c->lock_note, sizeof c->lock_note, "RLIMIT_MEMLOCK or page use unknown");
    } else {
        unsigned long long used = l->locked_now.known ? l->locked_now.value : 0;
        unsigned long long room = l->memlock_soft.value > used ? l->memlock_soft.value - used : 0;
        c->by_lock.known = 1;
        c->by_lock.value = room / c->data_bytes.value;
        snprintf(c->lock_note, sizeof c->lock_note, "(%llu bytes of RLIMIT_MEMLOCK free) / "
                 "(%llu bytes per allocation)", room, c->data_bytes.value);
    }
}

static void map_budget(const struct check_report *r, struct check_capacity *c)
{
    const struct check_limits *l = &r->limits;

    if (!l->max_map_count.known || !l->map_count.known || !c->mappings_known ||
        c->mappings_per_alloc <= 0.0)
        return;
    unsigned long long room = l->max_map_count.value > l->map_count.value
                                  ? l->max_map_count.value - l->map_count.value
                                  : 0;
    c->by_maps.known = 1;
    c->by_maps.value = (unsigned long long)((double)room / c->mappings_per_alloc);
}

/* The limit that runs out first. */
static void binding_limit(struct check_capacity *c)
{
    const struct check_value *lock = &c->by_lock, *maps = &c->by_maps;
    int lock_finite = lock->known && !lock->unlimited;

    if (lock_finite && (!maps->known || lock->value <= maps->value)) {
        c->binding = "RLIMIT_MEMLOCK";
        c->fit = *lock;
    } else if (maps->known) {
        c->binding = "vm.max_map_count";
        c->fit = *maps;
    }
}

void check_capacity(struct check_report *r)
{
    struct check_capacity *c = &r->capacity;
    long policy = secmem_get_option(SECMEM_OPT_LOCK_POLICY);

    c->secret_size = CHECK_SECRET_SIZE;
    /* Measure the layout, not the budget: unlocked allocations have the same
     * pages and mappings, and they work even when the budget is full. */
    secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
    measure_data_bytes(c);
    measure_mappings(c);
    secmem_set_option(SECMEM_OPT_LOCK_POLICY, policy);
    lock_budget(r, c);
    map_budget(r, c);
    binding_limit(c);
}

/* ---- pools ----------------------------------------------------------------
 * Pools pack many secrets into shared locked pages.  When they exist, their
 * capacity under the same two limits belongs here. */

void check_pools(struct check_report *r)
{
    struct check_pools *pools = &r->pools;
    secmem_pool *pool = secmem_pool_new(0);

    if (pool == NULL && errno == ENOSYS) {
        pools->available = 0;
        snprintf(pools->detail, sizeof pools->detail, "not available in this build");
    } else if (pool == NULL) {
        pools->available = 0;
        snprintf(pools->detail, sizeof pools->detail, "secmem_pool_new failed: %s",
                 strerror(errno));
    } else {
        secmem_pool_destroy(pool);
        pools->available = 1;
        snprintf(pools->detail, sizeof pools->detail,
                 "available; this securememory-check does not estimate their capacity yet");
    }
}
