/*
 * guarded.c - guarded allocations: one secret in pages of its own.
 *
 *   [guard page][ data pages ............ head|user bytes|tail ][guard page]
 *
 * The user bytes end at the trailing guard page (up to the 16-byte alignment),
 * so running off the end faults at once.  Canary bytes fill the tail slack
 * left by the alignment and 16 bytes before the start; free checks them.
 * Everything the library knows about an allocation lives in a record outside
 * those pages, found through the registry by the user pointer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "mutex.h"
#include "page.h"
#include "registry.h"
#include "stats.h"

#define HEAD_CANARY_BYTES 16u

/* Protects the registry and the cache; held only for table work, not for
 * the mapping system calls of new allocations. */
static secmem_mutex guarded_lock = SECMEM_MUTEX_INITIALIZER;
static struct registry live = REGISTRY_INITIALIZER;

/* Random per process; canary byte i of an address is canary[addr % 16]. */
static unsigned char canary[16];
static secmem_once_flag canary_once = SECMEM_ONCE_INITIALIZER;

static void make_canary(void)
{
    page_random(canary, sizeof canary);
}

/* ---- page accounting --------------------------------------------------- */

static void account_mapping(const struct guarded *g, int add)
{
    secmem_stat pages = (g->applied & SECMEM_FEATURE_LOCK) ? SECMEM_STAT_BYTES_LOCKED
                                                           : SECMEM_STAT_BYTES_UNLOCKED;
    if (add) {
        stats_add(pages, g->data_len);
        stats_add(SECMEM_STAT_MAPPINGS, 1);
    } else {
        stats_sub(pages, g->data_len);
        stats_sub(SECMEM_STAT_MAPPINGS, 1);
    }
}

/* Live allocations and their bytes: written only with guarded_lock held
 * (a plain load and store, no locked instruction on the hot path), read
 * without it by secmem_stat_get. */
static atomic_size_t live_count;
static atomic_size_t live_bytes;

static void bump(atomic_size_t *counter, size_t amount, int add)
{
    size_t now = atomic_load_explicit(counter, memory_order_relaxed);
    atomic_store_explicit(counter, add ? now + amount : now - amount, memory_order_relaxed);
}

/* Called with guarded_lock held. */
static void account_live(const struct guarded *g, int add)
{
    bump(&live_count, 1, add);
    bump(&live_bytes, g->size, add);
}

size_t guarded_stat_live(secmem_stat which)
{
    switch (which) {
    case SECMEM_STAT_ALLOCATIONS:
        return atomic_load_explicit(&live_count, memory_order_relaxed);
    case SECMEM_STAT_BYTES_IN_USE:
        return atomic_load_explicit(&live_bytes, memory_order_relaxed);
    case SECMEM_STAT_CACHED_BYTES:
        return cache_bytes();
    default:
        return 0;
    }
}

/* ---- making and releasing mappings -------------------------------------- */

static void unmap_record(struct guarded *g)
{
    if (g->applied & SECMEM_FEATURE_LOCK)
        page_unlock(guarded_data(g), g->data_len);
    page_unmap(g->base, g->map_len);
    free(g);
}

static void release_list(struct guarded *list)
{
    while (list != NULL) {
        struct guarded *next = list->next;
        account_mapping(list, 0);
        unmap_record(list);
        list = next;
    }
}

void guarded_cache_shrink(size_t limit)
{
    secmem_mutex_lock(&guarded_lock);
    struct guarded *evicted = cache_evict(limit);
    secmem_mutex_unlock(&guarded_lock);
    release_list(evicted);
}

void secmem_trim(void)
{
    guarded_cache_shrink(0);
}

/* Locks the data pages under the lock policy.  Returns 0 or the errno that
 * makes the allocation fail. */
static int lock_data(struct guarded *g, unsigned int features)
{
    int err;

    if (g->applied & SECMEM_FEATURE_LOCK)
        return 0; /* the mapping came locked (memfd_secret) */
    if (!(features & SECMEM_FEATURE_LOCK))
        return secmem_lock_policy() == SECMEM_LOCK_REQUIRED ? ENOSYS : 0;
    err = page_lock(guarded_data(g), g->data_len);
    if (err && secmem_lock_policy() == SECMEM_LOCK_REQUIRED) {
        /* The cache may be what fills the budget: give it back, try again. */
        secmem_trim();
        err = page_lock(guarded_data(g), g->data_len);
    }
    if (err == 0)
        g->applied |= SECMEM_FEATURE_LOCK;
    else if (secmem_lock_policy() == SECMEM_LOCK_BEST_EFFORT)
        err = 0;
    return err;
}

/* Applies every protection the system offers to a fresh mapping; any one
 * that the features promise but that fails makes the allocation fail. */
static int protect_fresh(struct guarded *g, unsigned int features)
{
    size_t page = page_size();
    unsigned char *data = guarded_data(g);

    if (page_protect(g->base, page, SECMEM_NOACCESS) != 0 ||
        page_protect(data + g->data_len, page, SECMEM_NOACCESS) != 0)
        return ENOMEM;
    g->applied |= SECMEM_FEATURE_GUARD_PAGES | SECMEM_FEATURE_PROTECT;
    if ((features & SECMEM_FEATURE_NODUMP) && !(g->applied & SECMEM_FEATURE_NODUMP)) {
        if (page_exclude_from_dump(data, g->data_len) != 0)
            return ENOMEM;
        g->applied |= SECMEM_FEATURE_NODUMP;
    }
    if ((features & SECMEM_FEATURE_FORK_WIPE) && !(g->applied & SECMEM_FEATURE_FORK_WIPE)) {
        if (page_withhold_from_fork(data, g->data_len, &g->fork_unmapped) != 0)
            return ENOMEM;
        g->applied |= SECMEM_FEATURE_FORK_WIPE;
    }
    g->applied |= features & SECMEM_FEATURE_IDLE_ENCRYPT;
    return lock_data(g, features);
}

static struct guarded *map_fresh(size_t data_len, int *err)
{
    size_t page = page_size();
    unsigned int features = secmem_runtime_features();
    struct guarded *g = calloc(1, sizeof *g);

    if (g == NULL) {
        *err = ENOMEM;
        return NULL;
    }
    g->data_len = data_len;
    g->map_len = data_len + 2 * page;
    *err = page_map(g->map_len, (void **)&g->base, &g->applied);
    if (*err) {
        free(g);
        return NULL;
    }
    *err = protect_fresh(g, features);
    if (*err) {
        unmap_record(g);
        return NULL;
    }
    return g;
}

/* ---- placing the user bytes and their canaries ------------------------- */

static size_t span_of(size_t size)
{
    return secmem_round_up(size, SECMEM_ALIGNMENT);
}

static unsigned char *head_start(const struct guarded *g)
{
    unsigned char *data = guarded_data(g);
    size_t room = (size_t)(g->user - data);
    return g->user - (room < HEAD_CANARY_BYTES ? room : HEAD_CANARY_BYTES);
}

static void fill_canary(unsigned char *from, unsigned char *to)
{
    for (unsigned char *p = from; p < to; p++)
        *p = canary[(uintptr_t)p & 15u];
}

static int canary_intact(const unsigned char *from, const unsigned char *to)
{
    unsigned char diff = 0;
    for (const unsigned char *p = from; p < to; p++)
        diff |= (unsigned char)(*p ^ canary[(uintptr_t)p & 15u]);
    return diff == 0;
}

static void place_user(struct guarded *g, size_t size)
{
    size_t span = span_of(size);

    g->size = size;
    g->user = guarded_data(g) + g->data_len - span;
    g->prot = SECMEM_READWRITE;
    g->generation = secmem_fork_generation();
    fill_canary(head_start(g), g->user);
    fill_canary(g->user + size, g->user + span);
}

/* ---- allocation -------------------------------------------------------- */

/* The data pages for size bytes, or 0 when the size cannot be served. */
static size_t data_len_for(size_t size)
{
    size_t page = page_size();
    size_t span = span_of(size);
    size_t data_len = span ? secmem_round_up(span, page) : 0;

    if (data_len == 0 || data_len > SIZE_MAX - 2 * page)
        return 0;
    return data_len;
}

/* Only records with every protection a fresh one would get are recycled: an
 * allocation that could not be locked (BEST_EFFORT over the budget) must not
 * come back, unlocked, to a later caller, whatever the policy is by then. */
static int recyclable(const struct guarded *g)
{
    return (g->applied & SECMEM_FEATURE_LOCK) ||
           !(secmem_runtime_features() & SECMEM_FEATURE_LOCK);
}

/* Returns a wiped record to the cache or the system (the lock not held).
 * was_live: it was a live allocation until now, and leaves the live
 * counters in the same lock section. */
static void retire(struct guarded *g, int was_live)
{
    int keep = recyclable(g);

    secmem_mutex_lock(&guarded_lock);
    if (was_live)
        account_live(g, 0);
    int kept = keep && cache_put(g, secmem_cache_limit());
    secmem_mutex_unlock(&guarded_lock);
    if (!kept) {
        account_mapping(g, 0);
        unmap_record(g);
    }
}

/* The bytes place_user wrote: the head canary, the user bytes, the tail. */
static void wipe_placed(const struct guarded *g)
{
    unsigned char *from = head_start(g);
    secmem_internal_wipe(from, (size_t)(g->user + span_of(g->size) - from));
}

/* Registers g under its user pointer; called with guarded_lock held. */
static int publish_locked(struct guarded *g)
{
    /* Where fork withholding unmaps the data pages in a child, a new mapping
     * there can reuse the address of an inherited record: that one is stale. */
    free(registry_remove(&live, g->user));
    int err = registry_insert(&live, g->user, g);
    if (err == 0)
        account_live(g, 1);
    return err;
}

/* The recycled path: a cached record of the right size, placed and
 * published in one pass under the lock, no system call.  NULL with *err 0
 * when the cache has no record of that size. */
static void *alloc_cached(size_t size, size_t data_len, int *err)
{
    secmem_mutex_lock(&guarded_lock);
    struct guarded *g = cache_take(data_len);
    if (g != NULL) {
        place_user(g, size);
        *err = publish_locked(g);
        if (*err) {
            wipe_placed(g);
            cache_put(g, SIZE_MAX); /* back where it was, as clean as it was */
        }
    }
    secmem_mutex_unlock(&guarded_lock);
    return g != NULL && *err == 0 ? g->user : NULL;
}

static void *alloc_fresh(size_t size, size_t data_len, int *err)
{
    struct guarded *g = map_fresh(data_len, err);

    if (g == NULL)
        return NULL;
    account_mapping(g, 1);
    place_user(g, size);
    secmem_mutex_lock(&guarded_lock);
    *err = publish_locked(g);
    secmem_mutex_unlock(&guarded_lock);
    if (*err) {
        wipe_placed(g);
        retire(g, 0);
        return NULL;
    }
    return g->user;
}

/* zero: the caller needs zeroed bytes (calloc).  Fresh pages come zeroed
 * from the system; recycled ones are zeroed over the requested size. */
static void *guarded_alloc(size_t size, int zero)
{
    size_t data_len;
    int err = 0;

    secmem_init();
    secmem_once(&canary_once, make_canary);
    if (size == 0) {
        errno = EINVAL;
        return NULL;
    }
    data_len = data_len_for(size);
    if (data_len == 0) {
        errno = ENOMEM;
        return NULL;
    }
    void *p = alloc_cached(size, data_len, &err);
    if (p != NULL) {
        if (zero)
            memset(p, 0, size);
        return p;
    }
    if (err == 0)
        p = alloc_fresh(size, data_len, &err);
    if (p == NULL)
        errno = err;
    return p;
}

void *secmem_malloc(size_t size)
{
    return guarded_alloc(size, 0);
}

void *secmem_calloc(size_t nmemb, size_t size)
{
    if (nmemb == 0 || size == 0) {
        errno = EINVAL;
        return NULL;
    }
    if (nmemb > SIZE_MAX / size) {
        errno = ENOMEM;
        return NULL;
    }
    return guarded_alloc(nmemb * size, 1);
}

/* ---- looking allocations up -------------------------------------------- */

/* The live record for ptr, with the lock held; misuse is fatal. */
static struct guarded *find_locked(const char *function, const void *ptr)
{
    secmem_mutex_lock(&guarded_lock);
    struct guarded *g = registry_lookup(&live, ptr);
    if (g == NULL) {
        secmem_mutex_unlock(&guarded_lock);
        secmem_fatal(function, "not a live secure allocation", ptr);
    }
    if (g->generation != secmem_fork_generation()) {
        secmem_mutex_unlock(&guarded_lock);
        secmem_fatal(function, "allocation inherited across fork() used in the child", ptr);
    }
    return g;
}

size_t secmem_size(const void *ptr)
{
    if (ptr == NULL)
        return 0;
    struct guarded *g = find_locked("secmem_size", ptr);
    size_t size = g->size;
    secmem_mutex_unlock(&guarded_lock);
    return size;
}

secmem_prot secmem_protection(const void *ptr)
{
    if (ptr == NULL)
        return SECMEM_NOACCESS;
    struct guarded *g = find_locked("secmem_protection", ptr);
    secmem_prot prot = g->prot;
    secmem_mutex_unlock(&guarded_lock);
    return prot;
}

unsigned int secmem_applied(const void *ptr)
{
    if (ptr == NULL)
        return 0;
    struct guarded *g = find_locked("secmem_applied", ptr);
    unsigned int applied = g->applied;
    secmem_mutex_unlock(&guarded_lock);
    return applied;
}

/* ---- protection -------------------------------------------------------- */

/* Encrypts the bytes in place for their time as NOACCESS (where the
 * platform offers it).  On failure the allocation is left exactly as it
 * was: same bytes, same protection. */
static int seal(struct guarded *g)
{
    unsigned char *data = guarded_data(g);
    int encrypted = 0;
    int err = g->prot == SECMEM_READWRITE ? 0 : page_protect(data, g->data_len, SECMEM_READWRITE);

    if (err == 0) {
        err = page_idle_encrypt(data, g->data_len);
        encrypted = err == 0;
    }
    if (err == 0)
        err = page_protect(data, g->data_len, SECMEM_NOACCESS);
    if (err) {
        if (encrypted)
            page_idle_decrypt(data, g->data_len);
        page_protect(data, g->data_len, g->prot);
        return err;
    }
    g->encrypted = 1;
    g->prot = SECMEM_NOACCESS;
    return 0;
}

/* Leaves NOACCESS for READWRITE with the bytes decrypted; on failure the
 * allocation stays sealed. */
static int unseal(struct guarded *g)
{
    unsigned char *data = guarded_data(g);
    int err = page_protect(data, g->data_len, SECMEM_READWRITE);

    if (err)
        return err;
    err = page_idle_decrypt(data, g->data_len);
    if (err) {
        page_protect(data, g->data_len, SECMEM_NOACCESS);
        return err;
    }
    g->encrypted = 0;
    g->prot = SECMEM_READWRITE;
    return 0;
}

/* Moves g to prot; on failure g keeps its old state. */
static int change_protection(struct guarded *g, secmem_prot prot)
{
    int err;

    if (g->prot == prot)
        return 0;
    int was_sealed = g->encrypted;

    if (was_sealed) {
        err = unseal(g);
        if (err || prot == SECMEM_READWRITE)
            return err;
    }
    if (prot == SECMEM_NOACCESS && (g->applied & SECMEM_FEATURE_IDLE_ENCRYPT))
        return seal(g);
    err = page_protect(guarded_data(g), g->data_len, prot);
    if (err == 0)
        g->prot = prot;
    else if (was_sealed)
        seal(g); /* NOACCESS -> READONLY failed half way: sealed again */
    return err;
}

int secmem_protect(void *ptr, secmem_prot prot)
{
    if (ptr == NULL ||
        (prot != SECMEM_NOACCESS && prot != SECMEM_READONLY && prot != SECMEM_READWRITE)) {
        errno = EINVAL;
        return -1;
    }
    struct guarded *g = find_locked("secmem_protect", ptr);
    int err = change_protection(g, prot);
    secmem_mutex_unlock(&guarded_lock);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

/* ---- free ----------------------------------------------------------------- */

static void check_canaries(const struct guarded *g)
{
    if (!canary_intact(head_start(g), g->user))
        secmem_fatal("secmem_free", "canary before the allocation damaged (buffer underflow)",
                     g->user);
    if (!canary_intact(g->user + g->size, g->user + span_of(g->size)))
        secmem_fatal("secmem_free", "canary after the allocation damaged (buffer overflow)",
                     g->user);
}

void secmem_free(void *ptr)
{
    int saved_errno = errno;

    if (ptr == NULL)
        return;
    secmem_mutex_lock(&guarded_lock);
    struct guarded *g = registry_remove(&live, ptr);
    int inherited = g != NULL && g->generation != secmem_fork_generation();
    int err = (g != NULL && !inherited) ? change_protection(g, SECMEM_READWRITE) : 0;
    secmem_mutex_unlock(&guarded_lock);

    if (g == NULL)
        secmem_fatal("secmem_free", "not a live secure allocation (double or foreign free)", ptr);
    if (inherited) {
        /* A fork child's copy holds no secret and no lock: just forget it. */
        page_forget(g->base, g->map_len, g->fork_unmapped);
        free(g);
    } else {
        if (err)
            secmem_fatal("secmem_free", "cannot make the allocation writable to wipe it", ptr);
        check_canaries(g);
        /* Every byte handed out and every canary byte; the rest of the data
         * pages was never handed out and is still zero, so a recycled
         * record is as clean as a fresh one. */
        wipe_placed(g);
        retire(g, 1);
    }
    errno = saved_errno;
}

/* ---- fork -------------------------------------------------------------- */

void guarded_atfork_prepare(void)
{
    secmem_mutex_lock(&guarded_lock);
}

void guarded_atfork_parent(void)
{
    secmem_mutex_unlock(&guarded_lock);
}

/* The child inherits wiped (or unmapped) copies and no locks.  Live records
 * stay registered so that the child can still free them; the cache is
 * forgotten (its pages are the child's to drop, not to reuse). */
void guarded_atfork_child(void)
{
    struct guarded *stale = cache_evict(0);

    atomic_store_explicit(&live_count, 0, memory_order_relaxed);
    atomic_store_explicit(&live_bytes, 0, memory_order_relaxed);
    while (stale != NULL) {
        struct guarded *next = stale->next;
        page_forget(stale->base, stale->map_len, stale->fork_unmapped);
        free(stale);
        stale = next;
    }
    secmem_mutex_unlock(&guarded_lock);
}
