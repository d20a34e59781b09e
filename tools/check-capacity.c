/*
 * check-capacity.c - how many guarded allocations fit: the lock budget
 * (RLIMIT_MEMLOCK, unless CAP_IPC_LOCK) divided by what one allocation
 * locks, and vm.max_map_count divided by the mappings one allocation adds,
 * both measured here rather than assumed.
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

/* The kernel's count of locked bytes; 0 where it does not say. */
static unsigned long long locked_bytes(int *known)
{
    unsigned long long bytes = 0;
    *known = proc_locked_bytes(&bytes) == 0;
    return bytes;
}

/* One allocation: the data bytes the library says it holds, and the bytes
 * the kernel says it locked.  Returns the applied bits, 0 if it failed. */
static unsigned int measure_one(size_t size, struct check_value *data, struct check_value *locked)
{
    int known_before, known_after;
    size_t held = data_bytes_held();
    unsigned long long before = locked_bytes(&known_before);
    void *p = secmem_malloc(size);
    unsigned long long after = locked_bytes(&known_after);
    unsigned int applied;

    if (p == NULL)
        return 0;
    if (data != NULL && data_bytes_held() > held) {
        data->known = 1;
        data->value = data_bytes_held() - held;
    }
    applied = secmem_applied(p);
    if ((applied & SECMEM_FEATURE_LOCK) && known_before && known_after && after > before) {
        locked->known = 1;
        locked->value = after - before;
    }
    secmem_free(p);
    secmem_trim();
    return applied;
}

/* VMAs one allocation adds: count /proc/self/maps around a batch, after a
 * first allocation so that neighbours can share their guard pages. */
static void measure_mappings(struct check_capacity *c)
{
    void *held[MAPPING_SAMPLE + 1];
    size_t n = 0;
    long first, last;

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

/* Allocations of lock_bytes each that the lock budget allows. */
static void lock_budget(const struct check_report *r, struct check_budget *b)
{
    const struct check_limits *l = &r->limits;

    if (!check_offered(r, SECMEM_FEATURE_LOCK)) {
        b->by_lock.known = b->by_lock.unlimited = 1;
        snprintf(b->note, sizeof b->note, "nothing is locked on this system");
    } else if (l->cap_ipc_lock == 1) {
        b->by_lock.known = b->by_lock.unlimited = 1;
        snprintf(b->note, sizeof b->note,
                 "CAP_IPC_LOCK: RLIMIT_MEMLOCK does not apply to this process");
    } else if (l->memlock_soft.known && l->memlock_soft.unlimited) {
        b->by_lock.known = b->by_lock.unlimited = 1;
        snprintf(b->note, sizeof b->note, "RLIMIT_MEMLOCK is unlimited");
    } else if (!l->memlock_soft.known || !b->lock_bytes.known || b->lock_bytes.value == 0) {
        if (b->note[0] == '\0')
            snprintf(b->note, sizeof b->note, "RLIMIT_MEMLOCK or the bytes locked each unknown");
    } else {
        unsigned long long used = l->locked_now.known ? l->locked_now.value : 0;
        unsigned long long room = l->memlock_soft.value > used ? l->memlock_soft.value - used : 0;
        b->by_lock.known = 1;
        b->by_lock.value = room / b->lock_bytes.value;
        snprintf(b->note, sizeof b->note,
                 "%llu bytes of RLIMIT_MEMLOCK free / %llu bytes locked each%s", room,
                 b->lock_bytes.value,
                 l->cap_ipc_lock < 0 ? " (unlimited if this process has CAP_IPC_LOCK)" : "");
    }
}

/* The default backend.  Measured under BEST_EFFORT: the layout is the same
 * locked or not, and it can be measured even when the budget is full. */
static void measure_anonymous(struct check_capacity *c)
{
    struct check_budget *b = &c->anonymous;

    measure_one(c->secret_size, &c->data_bytes, &b->lock_bytes);
    if (!b->lock_bytes.known && c->data_bytes.known) {
        /* Not locked now (no room, or no VmLck here): the data pages are
         * what locking them would cost. */
        b->lock_bytes = c->data_bytes;
    }
    measure_mappings(c);
}

/* memfd_secret mappings are locked by the kernel as a whole. */
static void measure_secretmem(const struct check_report *r, struct check_capacity *c)
{
    long backend = secmem_get_option(SECMEM_OPT_BACKEND);
    struct check_budget *b = &c->secretmem;
    unsigned int applied;

    c->secretmem_measured = check_offered(r, SECMEM_FEATURE_SECRETMEM);
    if (!c->secretmem_measured)
        return;
    secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_SECRETMEM);
    applied = measure_one(c->secret_size, NULL, &b->lock_bytes);
    secmem_set_option(SECMEM_OPT_BACKEND, backend);
    if (!(applied & SECMEM_FEATURE_SECRETMEM)) {
        b->lock_bytes.known = 0;
        snprintf(b->note, sizeof b->note,
                 "no memfd_secret mapping fits in the lock budget left");
        if (r->limits.cap_ipc_lock != 1 && !r->limits.memlock_soft.unlimited) {
            b->by_lock.known = 1;
            b->by_lock.value = 0;
        }
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

/* The limit that runs out first (default backend). */
static void binding_limit(struct check_capacity *c)
{
    const struct check_value *lock = &c->anonymous.by_lock, *maps = &c->by_maps;
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
    secmem_trim(); /* a cached page would make an allocation free */
    secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
    measure_anonymous(c);
    measure_secretmem(r, c);
    secmem_set_option(SECMEM_OPT_LOCK_POLICY, policy);
    lock_budget(r, &c->anonymous);
    if (c->secretmem_measured && !c->secretmem.by_lock.known)
        lock_budget(r, &c->secretmem);
    map_budget(r, c);
    binding_limit(c);
}

/* ---- pools ----------------------------------------------------------------
 * Pools pack many secrets into shared locked pages.  How densely is measured
 * on a fresh pool: the secrets its first chunk takes before the pool maps a
 * second one.  The lock budget divided by the bytes per secret is how many
 * pooled secrets fit (mappings hardly matter: a chunk is three VMAs at most). */

static void measure_pool_chunk(struct check_pools *pools, secmem_pool *pool)
{
    size_t held = data_bytes_held();
    size_t first = 0;
    size_t n = 0;

    for (;;) {
        if (secmem_pool_alloc(pool, pools->secret_size) == NULL)
            return;
        size_t now = data_bytes_held() - held;
        if (first == 0)
            first = now;
        else if (now != first)
            break;
        n++;
    }
    pools->chunk_bytes.known = pools->chunk_secrets.known = 1;
    pools->chunk_bytes.value = first;
    pools->chunk_secrets.value = n;
    pools->budget.lock_bytes.known = 1;
    pools->budget.lock_bytes.value = (first + n - 1) / n; /* rounded up: never optimistic */
}

void check_pools(struct check_report *r)
{
    struct check_pools *pools = &r->pools;
    long policy = secmem_get_option(SECMEM_OPT_LOCK_POLICY);

    pools->secret_size = CHECK_SECRET_SIZE;
    /* As for guarded allocations: the layout is the same locked or not. */
    secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
    secmem_pool *pool = secmem_pool_new(0);
    if (pool == NULL) {
        pools->available = 0;
        snprintf(pools->detail, sizeof pools->detail, "secmem_pool_new failed: %s",
                 strerror(errno));
    } else {
        measure_pool_chunk(pools, pool);
        secmem_pool_destroy(pool);
        pools->available = 1;
        if (pools->chunk_secrets.known)
            snprintf(pools->detail, sizeof pools->detail,
                     "a pool's first chunk (%llu bytes) holds %llu secrets of %lu bytes",
                     pools->chunk_bytes.value, pools->chunk_secrets.value,
                     (unsigned long)pools->secret_size);
        else
            snprintf(pools->detail, sizeof pools->detail,
                     "available; a fresh pool could not be measured");
    }
    secmem_set_option(SECMEM_OPT_LOCK_POLICY, policy);
    if (pools->available && pools->chunk_secrets.known)
        lock_budget(r, &pools->budget);
}
