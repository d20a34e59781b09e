/*
 * cache.c - free lists of recycled guarded allocations, by data size.
 *
 * Small sizes (the common case for keys and passwords) have a list per page
 * count, so taking one is O(1); larger ones share a last list searched for
 * an exact fit, which is bounded by the cache limit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdatomic.h>

#include "cache.h"
#include "page.h"

#define CACHE_CLASSES 16 /* lists for 1..15 pages, then one for the rest */

static struct guarded *lists[CACHE_CLASSES];
/* Changed with the guarded lock held; read without it by secmem_stat_get. */
static atomic_size_t held;

static void held_add(size_t n)
{
    atomic_store_explicit(&held, atomic_load_explicit(&held, memory_order_relaxed) + n,
                          memory_order_relaxed);
}

static void held_sub(size_t n)
{
    atomic_store_explicit(&held, atomic_load_explicit(&held, memory_order_relaxed) - n,
                          memory_order_relaxed);
}

static unsigned int class_of(size_t data_len)
{
    size_t pages = data_len / page_size();
    return pages < CACHE_CLASSES ? (unsigned int)pages : 0;
}

struct guarded *cache_take(size_t data_len)
{
    struct guarded **link = &lists[class_of(data_len)];

    while (*link != NULL && (*link)->data_len != data_len)
        link = &(*link)->next;
    struct guarded *g = *link;
    if (g == NULL)
        return NULL;
    *link = g->next;
    g->next = NULL;
    held_sub(g->data_len);
    return g;
}

int cache_put(struct guarded *g, size_t limit)
{
    size_t held_bytes = cache_bytes();

    if (g->data_len > limit || held_bytes > limit - g->data_len)
        return 0;
    unsigned int c = class_of(g->data_len);
    g->next = lists[c];
    lists[c] = g;
    held_add(g->data_len);
    return 1;
}

static struct guarded *pop(unsigned int c)
{
    struct guarded *g = lists[c];

    lists[c] = g->next;
    held_sub(g->data_len);
    return g;
}

struct guarded *cache_evict(size_t limit)
{
    struct guarded *evicted = NULL;
    /* Class 0 holds the largest entries: the fewest give back the most. */
    static const unsigned int order[CACHE_CLASSES] = {0, 15, 14, 13, 12, 11, 10, 9,
                                                      8, 7, 6, 5, 4, 3, 2, 1};

    for (unsigned int i = 0; i < CACHE_CLASSES && cache_bytes() > limit; i++) {
        while (lists[order[i]] != NULL && cache_bytes() > limit) {
            struct guarded *g = pop(order[i]);
            g->next = evicted;
            evicted = g;
        }
    }
    return evicted;
}

size_t cache_bytes(void)
{
    return atomic_load_explicit(&held, memory_order_relaxed);
}
