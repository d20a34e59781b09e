/*
 * pool-state.c - what applies to a whole pool: its protection, set on every
 * chunk, and its destruction, which wipes and releases every chunk.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdlib.h>

#include "page.h"
#include "pool.h"

/* Sets prot on every chunk; on a failure the chunks already changed go back
 * to the previous state, so the pool is never half protected. */
static int protect_chunks(struct secmem_pool *pool, secmem_prot prot)
{
    for (size_t i = 0; i < pool->chunk_count; i++) {
        struct pool_chunk *chunk = pool->chunks[i];
        int err = page_protect(chunk->data, chunk->data_len, prot);
        if (err) {
            while (i-- > 0)
                page_protect(pool->chunks[i]->data, pool->chunks[i]->data_len, pool->prot);
            return err;
        }
    }
    return 0;
}

int secmem_pool_protect(secmem_pool *pool, secmem_prot prot)
{
    int err = 0;

    pool_enter("secmem_pool_protect", pool);
    if (prot != SECMEM_NOACCESS && prot != SECMEM_READONLY && prot != SECMEM_READWRITE)
        err = EINVAL;
    else if (prot != pool->prot)
        err = protect_chunks(pool, prot);
    if (err == 0)
        pool->prot = prot;
    pool_leave(pool);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

/* Wipes what the chunk holds and gives it back to the system. */
static void release_chunk(struct secmem_pool *pool, struct pool_chunk *chunk)
{
    if (pool->prot == SECMEM_READWRITE ||
        page_protect(chunk->data, chunk->data_len, SECMEM_READWRITE) == 0)
        secmem_internal_wipe(chunk->data, chunk->data_len);
    else
        secmem_fatal("secmem_pool_destroy", "cannot make the pool writable to wipe it", pool);
    pool_chunk_account(chunk, 0);
    pool_chunk_unmap(chunk, 0);
}

void secmem_pool_destroy(secmem_pool *pool)
{
    if (pool == NULL)
        return;
    pool_unregister("secmem_pool_destroy", pool);
    /* Taken once more so that a thread still inside the pool finishes first. */
    secmem_mutex_lock(&pool->lock);
    /* A fork child's copy holds no secret and no lock: only forget it. */
    int inherited = pool->inherited;
    for (size_t i = 0; i < pool->chunk_count; i++) {
        if (inherited)
            pool_chunk_unmap(pool->chunks[i], 1);
        else
            release_chunk(pool, pool->chunks[i]);
    }
    secmem_mutex_unlock(&pool->lock);
    free(pool->chunks);
    pool_release(pool);
}
