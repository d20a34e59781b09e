/*
 * pool.h - what the pool files share: a pool, its chunks and its slab pages.
 *
 * A pool maps chunks: [guard page][data pages ...][guard page].  Each data
 * page of a small chunk is a slab that serves one size class; a large
 * request gets a chunk of its own.  Everything the pool knows about its
 * slots (which are used, which class a page serves, the lists) lives in
 * malloc'd descriptors here, never in the chunk pages, so a caller running
 * off the end of an allocation can damage other secrets of the same page at
 * worst, never the allocator.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_POOL_H
#define SECMEM_POOL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mutex.h"
#include "securememory.h"

/* 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1360, 2048 */
#define POOL_CLASSES 14u
#define POOL_SMALL_MAX 2048u
#define POOL_NO_CLASS 0xFFFFu

struct pool_chunk;

/* One data page of a small chunk: a slab of equal slots, or free. */
struct pool_page {
    unsigned char *addr;         /* the page itself */
    uint64_t *used;              /* bitmap, 1 = slot handed out */
    uint16_t *sizes;             /* the size asked for, per slot (statistics) */
    struct pool_page *next;      /* partial list of its class, or free pages */
    struct pool_page *prev;      /* partial list only */
    uint32_t slot_reciprocal;    /* ceil(2^32 / slot_size): division by multiply */
    uint16_t class_index;        /* POOL_NO_CLASS when free */
    uint16_t slot_size;
    uint16_t slots;
    uint16_t free_slots;
    uint16_t listed;             /* on its class's partial list */
};

struct pool_chunk {
    unsigned char *base;         /* the mapping, leading guard page first */
    size_t map_len;
    unsigned char *data;         /* the data pages between the guards */
    size_t data_len;
    unsigned int applied;        /* SECMEM_FEATURE_* in effect */
    int fork_unmapped;           /* data pages not mapped in fork children */
    /* small chunk: one descriptor per data page */
    struct pool_page *pages;
    uint64_t *bitmaps;
    uint16_t *size_table;
    /* large chunk (pages == NULL): its one allocation */
    unsigned char *large_user;
    size_t large_size;
};

/* Pool descriptors start on a cache line of their own and are padded to
 * the next, so that two threads on two pools never share one. */
#define POOL_CACHE_LINE 64u

struct secmem_pool {
    void *allocation;            /* what calloc returned, for free() */
    secmem_mutex lock;
    size_t page;                 /* page_size(), kept at hand */
    unsigned int page_shift;
    size_t limit;                /* most data bytes to map; 0: none */
    size_t mapped;               /* data bytes mapped now */
    size_t next_chunk_len;       /* data bytes of the next small chunk */
    secmem_prot prot;
    int inherited;               /* a fork child's copy (set in the child) */
    struct pool_chunk **chunks;  /* sorted by address */
    struct pool_chunk *last_found; /* pool_chunk_find's answer last time */
    size_t chunk_count;
    size_t chunk_capacity;
    struct pool_page *partial[POOL_CLASSES];
    struct pool_page *free_pages;
    /* Written under the lock, read by secmem_stat_get without it. */
    atomic_size_t live_count;
    atomic_size_t live_bytes;
};

/* A zeroed, cache-line aligned descriptor, or NULL; released by pool_release. */
struct secmem_pool *pool_allocate(void);
void pool_release(struct secmem_pool *pool);

/* ---- pool-registry.c: live pools ---- */

/* 0 or ENOMEM. */
int pool_register(struct secmem_pool *pool);
/* Removes a live pool; a handle that is not one is fatal misuse. */
void pool_unregister(const char *function, struct secmem_pool *pool);
/* Validates the handle and takes the pool's lock; misuse is fatal (not a
 * live pool, or a pool inherited across fork() used in the child). */
void pool_enter(const char *function, struct secmem_pool *pool);
void pool_leave(struct secmem_pool *pool);

/* ---- pool-class.c: size classes and slots ---- */

/* Builds the class table, once. */
void pool_classes_init(void);
size_t pool_class_size(unsigned int class_index);
/* Bitmap words and size entries one page needs for the smallest class. */
size_t pool_bitmap_words(void);
size_t pool_slots_max(void);
/* The slow paths behind pool-slot.h: a free page formatted for the class
 * and put on its partial list (NULL when the pool has none); a page that
 * just became full; a page that just gained a free slot. */
struct pool_page *pool_page_refill(struct secmem_pool *pool, unsigned int class_index);
void pool_page_full(struct secmem_pool *pool, struct pool_page *page);
void pool_page_refile(struct secmem_pool *pool, struct pool_page *page);
/* Adds every page of a new small chunk to the free pages. */
void pool_pages_adopt(struct secmem_pool *pool, struct pool_chunk *chunk);

/* ---- pool-chunk.c: mappings ---- */

/* Maps a chunk with data_len data bytes (pages) under the lock policy;
 * small: with page descriptors.  NULL with *err on failure, nothing left. */
struct pool_chunk *pool_chunk_map(size_t data_len, int small, int *err);
/* Unlocks (when it was locked) and unmaps; forget: a fork child's copy. */
void pool_chunk_unmap(struct pool_chunk *chunk, int forget);
/* Page accounting of a chunk in the process statistics. */
void pool_chunk_account(const struct pool_chunk *chunk, int add);
/* Chunk list, sorted by address: 0 or ENOMEM. */
int pool_chunk_insert(struct secmem_pool *pool, struct pool_chunk *chunk);
void pool_chunk_remove(struct secmem_pool *pool, struct pool_chunk *chunk);
/* The chunk whose data pages contain ptr, or NULL: O(log chunks). */
struct pool_chunk *pool_chunk_find(struct secmem_pool *pool, const void *ptr);

#endif /* SECMEM_POOL_H */
