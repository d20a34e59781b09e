/*
 * pool-chunk.c - the mappings of a pool: [guard][data pages][guard], with
 * every protection the system offers applied to the data pages, locked
 * under the lock policy, and the pool's address-sorted list of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "pool.h"
#include "stats.h"

/* ---- locking and protecting a fresh mapping ------------------------------ */

static int lock_data(struct pool_chunk *chunk, unsigned int features)
{
    int required = secmem_lock_policy() == SECMEM_LOCK_REQUIRED;
    int err;

    if (chunk->applied & SECMEM_FEATURE_LOCK)
        return 0; /* the mapping came locked (memfd_secret) */
    if (!(features & SECMEM_FEATURE_LOCK))
        return required ? ENOSYS : 0;
    err = page_lock(chunk->data, chunk->data_len);
    if (err && required) {
        /* Cached guarded pages may be what fills the budget. */
        secmem_trim();
        err = page_lock(chunk->data, chunk->data_len);
    }
    if (err == 0)
        chunk->applied |= SECMEM_FEATURE_LOCK;
    return required ? err : 0;
}

/* Any protection that the features promise but that fails fails the chunk:
 * nothing is ever protected less than secmem_features() says. */
static int protect_fresh(struct pool_chunk *chunk, unsigned int features)
{
    size_t page = page_size();

    if (page_protect(chunk->base, page, SECMEM_NOACCESS) != 0 ||
        page_protect(chunk->data + chunk->data_len, page, SECMEM_NOACCESS) != 0)
        return ENOMEM;
    chunk->applied |= SECMEM_FEATURE_GUARD_PAGES | SECMEM_FEATURE_PROTECT;
    if ((features & SECMEM_FEATURE_NODUMP) && !(chunk->applied & SECMEM_FEATURE_NODUMP)) {
        if (page_exclude_from_dump(chunk->data, chunk->data_len) != 0)
            return ENOMEM;
        chunk->applied |= SECMEM_FEATURE_NODUMP;
    }
    if ((features & SECMEM_FEATURE_FORK_WIPE) && !(chunk->applied & SECMEM_FEATURE_FORK_WIPE)) {
        if (page_withhold_from_fork(chunk->data, chunk->data_len, &chunk->fork_unmapped) != 0)
            return ENOMEM;
        chunk->applied |= SECMEM_FEATURE_FORK_WIPE;
    }
    return lock_data(chunk, features);
}

/* ---- descriptors ----------------------------------------------------------- */

static void free_descriptor(struct pool_chunk *chunk)
{
    free(chunk->pages);
    free(chunk->bitmaps);
    free(chunk->size_table);
    free(chunk);
}

static struct pool_chunk *new_descriptor(size_t data_len, int small)
{
    struct pool_chunk *chunk = calloc(1, sizeof *chunk);
    size_t pages = data_len / page_size();

    if (chunk == NULL || !small)
        return chunk;
    chunk->pages = calloc(pages, sizeof *chunk->pages);
    chunk->bitmaps = calloc(pages * pool_bitmap_words(), sizeof *chunk->bitmaps);
    chunk->size_table = calloc(pages * pool_slots_max(), sizeof *chunk->size_table);
    if (chunk->pages == NULL || chunk->bitmaps == NULL || chunk->size_table == NULL) {
        free_descriptor(chunk);
        return NULL;
    }
    return chunk;
}

/* ---- mapping and unmapping ------------------------------------------------- */

struct pool_chunk *pool_chunk_map(size_t data_len, int small, int *err)
{
    size_t page = page_size();
    struct pool_chunk *chunk = new_descriptor(data_len, small);

    if (chunk == NULL) {
        *err = ENOMEM;
        return NULL;
    }
    chunk->data_len = data_len;
    chunk->map_len = data_len + 2 * page;
    *err = page_map(chunk->map_len, (void **)&chunk->base, &chunk->applied);
    if (*err) {
        free_descriptor(chunk);
        return NULL;
    }
    chunk->data = chunk->base + page;
    *err = protect_fresh(chunk, secmem_runtime_features());
    if (*err) {
        pool_chunk_unmap(chunk, 0);
        return NULL;
    }
    return chunk;
}

void pool_chunk_unmap(struct pool_chunk *chunk, int forget)
{
    /* A fork child holds no lock on its copy and has nothing to unlock. */
    if (!forget && (chunk->applied & SECMEM_FEATURE_LOCK) &&
        !(chunk->applied & SECMEM_FEATURE_SECRETMEM))
        page_unlock(chunk->data, chunk->data_len);
    if (forget)
        page_forget(chunk->base, chunk->map_len, chunk->fork_unmapped);
    else
        page_unmap(chunk->base, chunk->map_len);
    free_descriptor(chunk);
}

void pool_chunk_account(const struct pool_chunk *chunk, int add)
{
    secmem_stat bytes = (chunk->applied & SECMEM_FEATURE_LOCK) ? SECMEM_STAT_BYTES_LOCKED
                                                               : SECMEM_STAT_BYTES_UNLOCKED;
    if (add) {
        stats_add(bytes, chunk->data_len);
        stats_add(SECMEM_STAT_MAPPINGS, 1);
    } else {
        stats_sub(bytes, chunk->data_len);
        stats_sub(SECMEM_STAT_MAPPINGS, 1);
    }
}

/* ---- the sorted chunk list ------------------------------------------------- */

/* Index of the first chunk whose data starts above addr. */
static size_t upper_bound(const struct secmem_pool *pool, const unsigned char *addr)
{
    size_t lo = 0, hi = pool->chunk_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pool->chunks[mid]->data <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int pool_chunk_insert(struct secmem_pool *pool, struct pool_chunk *chunk)
{
    if (pool->chunk_count == pool->chunk_capacity) {
        size_t capacity = pool->chunk_capacity ? pool->chunk_capacity * 2 : 8;
        struct pool_chunk **grown = realloc(pool->chunks, capacity * sizeof *grown);
        if (grown == NULL)
            return ENOMEM;
        pool->chunks = grown;
        pool->chunk_capacity = capacity;
    }
    size_t at = upper_bound(pool, chunk->data);
    memmove(&pool->chunks[at + 1], &pool->chunks[at],
            (pool->chunk_count - at) * sizeof *pool->chunks);
    pool->chunks[at] = chunk;
    pool->chunk_count++;
    return 0;
}

void pool_chunk_remove(struct secmem_pool *pool, struct pool_chunk *chunk)
{
    size_t at = upper_bound(pool, chunk->data) - 1;

    if (pool->last_found == chunk)
        pool->last_found = NULL;
    memmove(&pool->chunks[at], &pool->chunks[at + 1],
            (pool->chunk_count - at - 1) * sizeof *pool->chunks);
    pool->chunk_count--;
}

struct pool_chunk *pool_chunk_find(struct secmem_pool *pool, const void *ptr)
{
    const unsigned char *addr = ptr;
    struct pool_chunk *chunk = pool->last_found;

    /* Frees tend to come in runs from one chunk. */
    if (chunk != NULL && addr >= chunk->data && addr < chunk->data + chunk->data_len)
        return chunk;
    size_t at = upper_bound(pool, addr);
    if (at == 0)
        return NULL;
    chunk = pool->chunks[at - 1];
    if (addr >= chunk->data + chunk->data_len)
        return NULL;
    pool->last_found = chunk;
    return chunk;
}
