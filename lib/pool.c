/*
 * pool.c - pools of many small secrets: the public entry points and growth.
 * The live pools and fork handling are in pool-registry.c, the mappings in
 * pool-chunk.c, the size classes in pool-class.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "pool.h"
#include "pool-slot.h"
#include "stats.h"

/* Small chunks start at 4 pages and double up to 256 pages (1 MiB with
 * 4 KiB pages): a pool of a few keys locks 16 KiB, and 10,000 32-byte
 * secrets take five chunks (fifteen VMAs at most). */
#define FIRST_CHUNK_PAGES 4u
#define LAST_CHUNK_PAGES 256u

/* Plain load and store: only the pool's lock holder writes these. */
static inline void count_live(struct secmem_pool *pool, size_t size, int add)
{
    size_t count = atomic_load_explicit(&pool->live_count, memory_order_relaxed);
    size_t bytes = atomic_load_explicit(&pool->live_bytes, memory_order_relaxed);

    atomic_store_explicit(&pool->live_count, add ? count + 1 : count - 1, memory_order_relaxed);
    atomic_store_explicit(&pool->live_bytes, add ? bytes + size : bytes - size,
                          memory_order_relaxed);
}

struct secmem_pool *pool_allocate(void)
{
    unsigned char *raw = calloc(1, sizeof(struct secmem_pool) + 2 * POOL_CACHE_LINE);

    if (raw == NULL)
        return NULL;
    uintptr_t start = ((uintptr_t)raw + POOL_CACHE_LINE) & ~(uintptr_t)(POOL_CACHE_LINE - 1);
    /* start is cache-line aligned by construction: through void * so that
     * clang's -Wcast-align does not see a char * to struct * cast. */
    struct secmem_pool *pool = (void *)(raw + (start - (uintptr_t)raw));
    pool->allocation = raw;
    return pool;
}

void pool_release(struct secmem_pool *pool)
{
    secmem_mutex_destroy(&pool->lock);
    free(pool->allocation);
}

/* ---- creating ------------------------------------------------------------- */

secmem_pool *secmem_pool_new(size_t limit)
{
    secmem_init();
    pool_classes_init();
    size_t page = page_size();
    size_t data_limit = limit / page * page;

    if (limit != 0 && data_limit == 0) {
        errno = EINVAL; /* less than one page could never hold anything */
        return NULL;
    }
    struct secmem_pool *pool = pool_allocate();
    if (pool == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    secmem_mutex_init(&pool->lock);
    pool->page = page;
    while ((size_t)1 << pool->page_shift < page)
        pool->page_shift++;
    pool->limit = data_limit;
    pool->next_chunk_len = FIRST_CHUNK_PAGES * page;
    pool->prot = SECMEM_READWRITE;
    int err = pool_register(pool);
    if (err) {
        pool_release(pool);
        errno = err;
        return NULL;
    }
    return pool;
}

/* ---- growing ----------------------------------------------------------------- */

static size_t room_left(const struct secmem_pool *pool)
{
    return pool->limit ? pool->limit - pool->mapped : SIZE_MAX;
}

static int adopt_chunk(struct secmem_pool *pool, struct pool_chunk *chunk)
{
    int err = pool_chunk_insert(pool, chunk);

    if (err) {
        pool_chunk_unmap(chunk, 0);
        return err;
    }
    pool->mapped += chunk->data_len;
    pool_chunk_account(chunk, 1);
    return 0;
}

/* Maps the next small chunk.  When the lock budget cannot take a chunk of
 * the planned size, smaller ones are tried down to one page, so a pool
 * fills the budget to the last page before it reports ENOMEM. */
static int grow_small(struct secmem_pool *pool)
{
    size_t page = page_size();
    size_t room = room_left(pool) / page * page;
    size_t len = pool->next_chunk_len < room ? pool->next_chunk_len : room;
    struct pool_chunk *chunk;
    int err;

    if (len == 0)
        return ENOMEM;
    for (;;) {
        chunk = pool_chunk_map(len, 1, &err);
        if (chunk != NULL || err == EPERM || err == ENOSYS || len == page)
            break;
        len = len / page / 2 * page;
    }
    if (chunk == NULL)
        return err; /* ENOSYS: REQUIRED, and nothing here can lock */
    err = adopt_chunk(pool, chunk);
    if (err)
        return err;
    pool_pages_adopt(pool, chunk);
    if (pool->next_chunk_len < LAST_CHUNK_PAGES * page)
        pool->next_chunk_len *= 2;
    return 0;
}

static void *alloc_small(struct secmem_pool *pool, size_t size, int *err)
{
    unsigned int class_index = pool_class_of(size);
    void *p = pool_slot_take(pool, class_index, size);

    if (p == NULL) {
        *err = grow_small(pool);
        if (*err)
            return NULL;
        p = pool_slot_take(pool, class_index, size);
    }
    /* Free slots are wiped already; zeroing again costs little and keeps
     * the promise even after a caller wrote into a freed slot. */
    memset(p, 0, size);
    return p;
}

/* A request above the largest class gets a chunk of its own, its end
 * against the trailing guard page, counted against the limit. */
static void *alloc_large(struct secmem_pool *pool, size_t size, int *err)
{
    size_t page = page_size();
    size_t span = secmem_round_up(size, SECMEM_ALIGNMENT);
    size_t data_len = span ? secmem_round_up(span, page) : 0;

    if (data_len == 0 || data_len > SIZE_MAX - 2 * page || data_len > room_left(pool)) {
        *err = ENOMEM;
        return NULL;
    }
    struct pool_chunk *chunk = pool_chunk_map(data_len, 0, err);
    if (chunk == NULL)
        return NULL;
    chunk->large_user = chunk->data + data_len - span;
    chunk->large_size = size;
    *err = adopt_chunk(pool, chunk);
    return *err ? NULL : chunk->large_user;
}

void *secmem_pool_alloc(secmem_pool *pool, size_t size)
{
    void *p = NULL;
    int err = 0;

    pool_enter("secmem_pool_alloc", pool);
    if (size == 0)
        err = EINVAL;
    else if (pool->prot != SECMEM_READWRITE)
        err = EACCES;
    else if (size <= POOL_SMALL_MAX)
        p = alloc_small(pool, size, &err);
    else
        p = alloc_large(pool, size, &err);
    if (p != NULL)
        count_live(pool, size, 1);
    pool_leave(pool);
    if (p == NULL)
        errno = err;
    return p;
}

/* ---- freeing ------------------------------------------------------------------ */

/* Wipes [addr, addr+len) inside the pages [first, first+span), making them
 * writable for the moment when the pool is not. */
static void wipe_in_place(struct secmem_pool *pool, unsigned char *first, size_t span,
                          void *addr, size_t len, const void *ptr)
{
    int readonly = pool->prot != SECMEM_READWRITE;

    if (readonly && page_protect(first, span, SECMEM_READWRITE) != 0)
        secmem_fatal("secmem_pool_free", "cannot make the allocation writable to wipe it", ptr);
    secmem_internal_wipe(addr, len);
    if (readonly)
        page_protect(first, span, pool->prot);
}

static void free_large(struct secmem_pool *pool, struct pool_chunk *chunk)
{
    wipe_in_place(pool, chunk->data, chunk->data_len, chunk->data, chunk->data_len,
                  chunk->large_user);
    count_live(pool, chunk->large_size, 0);
    pool_chunk_remove(pool, chunk);
    pool->mapped -= chunk->data_len;
    pool_chunk_account(chunk, 0);
    pool_chunk_unmap(chunk, 0);
}

static void free_small(struct secmem_pool *pool, struct pool_page *page, size_t slot,
                       void *ptr)
{
    wipe_in_place(pool, page->addr, pool->page, ptr, page->slot_size, ptr);
    count_live(pool, pool_slot_release(pool, page, slot), 0);
}

void secmem_pool_free(secmem_pool *pool, void *ptr)
{
    int saved_errno = errno;

    if (ptr == NULL)
        return;
    pool_enter("secmem_pool_free", pool);
    struct pool_chunk *chunk = pool_chunk_find(pool, ptr);
    struct pool_page *page = NULL;
    size_t slot = 0;

    if (chunk != NULL && chunk->pages == NULL && ptr == chunk->large_user) {
        free_large(pool, chunk);
    } else if (chunk != NULL && chunk->pages != NULL &&
               (page = pool_slot_find(pool, chunk, ptr, &slot)) != NULL) {
        free_small(pool, page, slot, ptr);
    } else {
        pool_leave(pool);
        secmem_fatal("secmem_pool_free",
                     "not a live allocation of this pool (double, interior or foreign free)",
                     ptr);
    }
    pool_leave(pool);
    errno = saved_errno;
}
