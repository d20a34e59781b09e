/*
 * pool-registry.c - the live pools: telling a pool handle from a destroyed
 * or foreign one, summing their live allocations for secmem_stat_get, and
 * keeping them consistent across fork().
 *
 * Each pool has its own lock; the process-wide registry lock is taken by
 * secmem_pool_new/destroy, by secmem_stat_get, and by a thread the first
 * time it uses a pool after any pool was destroyed: each thread remembers
 * the last pool it checked and the destroy count it saw then, so threads
 * working on different pools do not contend on a shared lock.  Where the
 * compiler has no native thread-local storage there is no memo, and every
 * call looks the handle up under the registry lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include "pool.h"
#include "registry.h"
#include "stats.h"

static secmem_mutex pools_lock = SECMEM_MUTEX_INITIALIZER;
static struct registry pools = REGISTRY_INITIALIZER;
static atomic_uint destroy_count;

#if HAVE_NATIVE_TLS
/* One thread-local object: one TLS lookup per call; where the compiler
 * allows, in the static TLS block, read without a call. */
#if HAVE_TLS_MODEL_INITIAL_EXEC
#define POOL_TLS_MODEL __attribute__((tls_model("initial-exec")))
#else
#define POOL_TLS_MODEL
#endif
static _Thread_local struct {
    const struct secmem_pool *pool;
    unsigned int destroy_count;
} checked POOL_TLS_MODEL;

static int remembered(const secmem_pool *pool, unsigned int destroyed)
{
    return pool != NULL && pool == checked.pool && destroyed == checked.destroy_count;
}

static void remember(const secmem_pool *pool, unsigned int destroyed)
{
    checked.pool = pool;
    checked.destroy_count = destroyed;
}

static void forget_remembered(void)
{
    checked.pool = NULL;
}
#else
static int remembered(const secmem_pool *pool, unsigned int destroyed)
{
    (void)pool;
    (void)destroyed;
    return 0;
}

static void remember(const secmem_pool *pool, unsigned int destroyed)
{
    (void)pool;
    (void)destroyed;
}

static void forget_remembered(void)
{
}
#endif

int pool_register(struct secmem_pool *pool)
{
    secmem_mutex_lock(&pools_lock);
    int err = registry_insert(&pools, pool, pool);
    secmem_mutex_unlock(&pools_lock);
    return err;
}

void pool_unregister(const char *function, struct secmem_pool *pool)
{
    secmem_mutex_lock(&pools_lock);
    void *found = registry_remove(&pools, pool);
    if (found != NULL)
        atomic_fetch_add_explicit(&destroy_count, 1, memory_order_acq_rel);
    secmem_mutex_unlock(&pools_lock);
    if (found == NULL)
        secmem_fatal(function, "not a live pool", pool);
}

static void check_live(const char *function, const secmem_pool *pool)
{
    unsigned int destroyed = atomic_load_explicit(&destroy_count, memory_order_acquire);

    if (remembered(pool, destroyed))
        return;
    secmem_mutex_lock(&pools_lock);
    int live = pool != NULL && registry_lookup(&pools, pool) != NULL;
    secmem_mutex_unlock(&pools_lock);
    if (!live)
        secmem_fatal(function, "not a live pool", pool);
    remember(pool, destroyed);
}

void pool_enter(const char *function, secmem_pool *pool)
{
    check_live(function, pool);
    secmem_mutex_lock(&pool->lock);
    if (pool->inherited) {
        secmem_mutex_unlock(&pool->lock);
        secmem_fatal(function, "pool inherited across fork() used in the child", pool);
    }
}

void pool_leave(secmem_pool *pool)
{
    secmem_mutex_unlock(&pool->lock);
}

/* ---- statistics ------------------------------------------------------------ */

struct live_sum {
    secmem_stat which;
    size_t total;
};

static void add_live(void *value, void *ctx)
{
    const struct secmem_pool *pool = value;
    struct live_sum *sum = ctx;

    if (sum->which == SECMEM_STAT_ALLOCATIONS)
        sum->total += atomic_load_explicit(&pool->live_count, memory_order_relaxed);
    else
        sum->total += atomic_load_explicit(&pool->live_bytes, memory_order_relaxed);
}

size_t pool_stat_live(secmem_stat which)
{
    struct live_sum sum = {which, 0};

    if (which != SECMEM_STAT_ALLOCATIONS && which != SECMEM_STAT_BYTES_IN_USE)
        return 0;
    secmem_mutex_lock(&pools_lock);
    registry_for_each(&pools, add_live, &sum);
    secmem_mutex_unlock(&pools_lock);
    return sum.total;
}

/* ---- fork -------------------------------------------------------------------- */

static void lock_pool(void *value, void *ctx)
{
    (void)ctx;
    secmem_mutex_lock(&((struct secmem_pool *)value)->lock);
}

static void unlock_pool(void *value, void *ctx)
{
    (void)ctx;
    secmem_mutex_unlock(&((struct secmem_pool *)value)->lock);
}

/* The child's copies hold no secret (wiped or unmapped) and no lock, and
 * count for nothing; they stay registered so that the child can destroy
 * them, which then only forgets them. */
static void disown_pool(void *value, void *ctx)
{
    struct secmem_pool *pool = value;

    (void)ctx;
    pool->inherited = 1;
    atomic_store_explicit(&pool->live_count, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->live_bytes, 0, memory_order_relaxed);
    secmem_mutex_unlock(&pool->lock);
}

/* Takes the registry lock, then every pool's, so that no pool is halfway
 * through a change when fork() copies it.  Pool locks are taken before the
 * guarded allocator's (a growing pool may trim the guarded cache). */
void pool_atfork_prepare(void)
{
    secmem_mutex_lock(&pools_lock);
    registry_for_each(&pools, lock_pool, NULL);
}

void pool_atfork_parent(void)
{
    registry_for_each(&pools, unlock_pool, NULL);
    secmem_mutex_unlock(&pools_lock);
}

void pool_atfork_child(void)
{
    registry_for_each(&pools, disown_pool, NULL);
    forget_remembered();
    secmem_mutex_unlock(&pools_lock);
}
