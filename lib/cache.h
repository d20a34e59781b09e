/*
 * cache.h - the guarded allocator's recycling cache and its shared state.
 *
 * A freed guarded allocation can be kept, wiped, locked and with its guard
 * pages in place, so that the next allocation of the same number of data
 * pages costs no system call.  Bounded by SECMEM_OPT_CACHE_BYTES.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_CACHE_H
#define SECMEM_CACHE_H

#include <stddef.h>

#include "securememory.h"

/* One guarded allocation: its mapping and what was applied to it. */
struct guarded {
    unsigned char *base;       /* start of the mapping: the leading guard page */
    size_t map_len;            /* whole mapping, guard pages included */
    size_t data_len;           /* the data pages between the guards */
    unsigned char *user;       /* the pointer handed out */
    size_t size;               /* the size asked for */
    secmem_prot prot;          /* current protection */
    unsigned int applied;      /* SECMEM_FEATURE_* in effect */
    unsigned int generation;   /* fork generation it was made in */
    int encrypted;             /* bytes currently idle-encrypted */
    int fork_unmapped;         /* data pages not mapped in fork children */
    struct guarded *next;      /* cache list link */
};

static inline unsigned char *guarded_data(const struct guarded *g)
{
    return g->base + (g->map_len - g->data_len) / 2;
}

/* Both are called with the guarded allocator's lock held. */

/* A cached allocation with exactly data_len data pages, or NULL. */
struct guarded *cache_take(size_t data_len);
/* Keeps g (already wiped and READWRITE) if it fits under limit; 0 if not. */
int cache_put(struct guarded *g, size_t limit);
/* Removes entries until at most limit bytes stay; returns them as a list
 * for the caller to release outside the lock. */
struct guarded *cache_evict(size_t limit);
/* Bytes held now; may be read without the lock. */
size_t cache_bytes(void);

#endif /* SECMEM_CACHE_H */
