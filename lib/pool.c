/*
 * pool.c - pools of many small secrets (see the pools issue).  Until they
 * are implemented every entry point fails with ENOSYS, and the handles the
 * callers cannot have are treated as misuse.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

secmem_pool *secmem_pool_new(size_t limit)
{
    (void)limit;
    errno = ENOSYS;
    return NULL;
}

void *secmem_pool_alloc(secmem_pool *pool, size_t size)
{
    (void)size;
    secmem_fatal("secmem_pool_alloc", "not a live pool", pool);
}

void secmem_pool_free(secmem_pool *pool, void *ptr)
{
    if (ptr == NULL)
        return;
    secmem_fatal("secmem_pool_free", "not a live pool", pool);
}

int secmem_pool_protect(secmem_pool *pool, secmem_prot prot)
{
    (void)prot;
    secmem_fatal("secmem_pool_protect", "not a live pool", pool);
}

void secmem_pool_destroy(secmem_pool *pool)
{
    if (pool == NULL)
        return;
    secmem_fatal("secmem_pool_destroy", "not a live pool", pool);
}

void pool_atfork_prepare(void) {}
void pool_atfork_parent(void) {}
void pool_atfork_child(void) {}
