/*
 * pool-slot.h - the hot paths of the size classes, inline: taking a slot,
 * finding the slot of a pointer, giving a slot back.  O(1): a list head and
 * a few bitmap words; page transitions (first slot taken from a free page,
 * page full, page no longer full) go to pool-class.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_POOL_SLOT_H
#define SECMEM_POOL_SLOT_H

#include "pool.h"

extern uint8_t pool_class_by_granule[POOL_SMALL_MAX / 16];

/* The class for size (1..POOL_SMALL_MAX). */
static inline unsigned int pool_class_of(size_t size)
{
    return pool_class_by_granule[(size - 1) / 16];
}

static inline size_t pool_lowest_bit(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (size_t)__builtin_ctzll(x);
#else
    size_t n = 0;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
#endif
}

/* Called only for a page on a partial list: a free slot exists. */
static inline size_t pool_first_free_slot(const struct pool_page *page)
{
    for (size_t w = 0;; w++) {
        uint64_t free_bits = ~page->used[w];
        if (free_bits != 0)
            return w * 64 + pool_lowest_bit(free_bits);
    }
}

/* A free slot of the class for size bytes, or NULL when the pool has no
 * page to spare (the caller then grows the pool and tries again). */
static inline void *pool_slot_take(struct secmem_pool *pool, unsigned int class_index,
                                   size_t size)
{
    struct pool_page *page = pool->partial[class_index];

    if (page == NULL && (page = pool_page_refill(pool, class_index)) == NULL)
        return NULL;
    size_t slot = pool_first_free_slot(page);
    page->used[slot / 64] |= UINT64_C(1) << (slot % 64);
    page->sizes[slot] = (uint16_t)size;
    if (--page->free_slots == 0)
        pool_page_full(pool, page);
    return page->addr + slot * page->slot_size;
}

/* Exact for in_page < 2^16 and slot sizes < 2^16 (pages up to 64 KiB); a
 * larger page size takes the division. */
static inline size_t pool_slot_of(const struct secmem_pool *pool, const struct pool_page *page,
                                  size_t in_page)
{
    if (pool->page_shift <= 16)
        return (size_t)(((uint64_t)in_page * page->slot_reciprocal) >> 32);
    return in_page / page->slot_size;
}

/* The page and slot index of ptr inside a small chunk, or NULL when ptr is
 * not the start of a slot in use. */
static inline struct pool_page *pool_slot_find(const struct secmem_pool *pool,
                                               struct pool_chunk *chunk, const void *ptr,
                                               size_t *slot)
{
    size_t offset = (size_t)((const unsigned char *)ptr - chunk->data);
    struct pool_page *page = &chunk->pages[offset >> pool->page_shift];
    size_t in_page = offset & (pool->page - 1);

    if (page->class_index == POOL_NO_CLASS)
        return NULL;
    *slot = pool_slot_of(pool, page, in_page);
    if (*slot * page->slot_size != in_page || *slot >= page->slots ||
        !(page->used[*slot / 64] & (UINT64_C(1) << (*slot % 64))))
        return NULL;
    return page;
}

/* Marks a slot free (its bytes already wiped) and files its page; returns
 * the size that was asked for. */
static inline size_t pool_slot_release(struct secmem_pool *pool, struct pool_page *page,
                                       size_t slot)
{
    size_t size = page->sizes[slot];

    page->used[slot / 64] &= ~(UINT64_C(1) << (slot % 64));
    if (++page->free_slots == 1 || page->free_slots == page->slots)
        pool_page_refile(pool, page);
    return size;
}

#endif /* SECMEM_POOL_SLOT_H */
