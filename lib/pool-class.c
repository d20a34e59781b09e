/*
 * pool-class.c - size classes: every data page of a small chunk is a slab of
 * equal slots for one class, with a bitmap (outside the page) of the slots
 * in use.  Pages with a free slot sit on their class's partial list, pages
 * with none in use go back to the pool's free pages for any class, so alloc
 * and free cost O(1): a list head, a few bitmap words, never a scan of the
 * live allocations.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <string.h>

#include "page.h"
#include "pool.h"

/* Multiples of 16 spaced about 1.5x apart, so a request wastes at most a
 * third of its slot.  1360 instead of 1536: three of them fill a 4 KiB page
 * (4080 bytes), where two 1536-byte slots would leave a quarter unused. */
static const uint16_t class_sizes[POOL_CLASSES] = {
    16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1360, 2048,
};

/* The class of every multiple of 16 up to POOL_SMALL_MAX, by (size-1)/16. */
uint8_t pool_class_by_granule[POOL_SMALL_MAX / 16];
static secmem_once_flag class_table_once = SECMEM_ONCE_INITIALIZER;

static void fill_class_table(void)
{
    unsigned int c = 0;

    for (size_t g = 0; g < POOL_SMALL_MAX / 16; g++) {
        while (class_sizes[c] < (g + 1) * 16)
            c++;
        pool_class_by_granule[g] = (uint8_t)c;
    }
}

void pool_classes_init(void)
{
    secmem_once(&class_table_once, fill_class_table);
}

size_t pool_class_size(unsigned int class_index)
{
    return class_sizes[class_index];
}

size_t pool_slots_max(void)
{
    return page_size() / class_sizes[0];
}

size_t pool_bitmap_words(void)
{
    return (pool_slots_max() + 63) / 64;
}

/* ---- the partial lists --------------------------------------------------- */

static void partial_push(struct secmem_pool *pool, struct pool_page *page)
{
    struct pool_page **head = &pool->partial[page->class_index];

    page->prev = NULL;
    page->next = *head;
    if (*head != NULL)
        (*head)->prev = page;
    *head = page;
    page->listed = 1;
}

static void partial_unlink(struct secmem_pool *pool, struct pool_page *page)
{
    if (page->prev != NULL)
        page->prev->next = page->next;
    else
        pool->partial[page->class_index] = page->next;
    if (page->next != NULL)
        page->next->prev = page->prev;
    page->next = page->prev = NULL;
    page->listed = 0;
}

static void free_page_push(struct secmem_pool *pool, struct pool_page *page)
{
    page->class_index = POOL_NO_CLASS;
    page->next = pool->free_pages;
    page->prev = NULL;
    pool->free_pages = page;
}

void pool_pages_adopt(struct secmem_pool *pool, struct pool_chunk *chunk)
{
    size_t page = page_size();
    size_t count = chunk->data_len / page;

    /* Pushed from the last page down, so the first page is used first. */
    for (size_t i = count; i-- > 0;) {
        chunk->pages[i].addr = chunk->data + i * page;
        chunk->pages[i].used = chunk->bitmaps + i * pool_bitmap_words();
        chunk->pages[i].sizes = chunk->size_table + i * pool_slots_max();
        free_page_push(pool, &chunk->pages[i]);
    }
}

/* Turns a free page into a slab of the class; the slots past the last one
 * are marked used so that the bitmap search never offers them. */
static void page_format(struct pool_page *page, unsigned int class_index)
{
    size_t words = pool_bitmap_words();
    size_t slots = page_size() / class_sizes[class_index];

    memset(page->used, 0, words * sizeof *page->used);
    for (size_t s = slots; s < words * 64; s++)
        page->used[s / 64] |= UINT64_C(1) << (s % 64);
    page->class_index = (uint16_t)class_index;
    page->slot_size = class_sizes[class_index];
    page->slot_reciprocal = (uint32_t)((UINT64_C(0xFFFFFFFF) + class_sizes[class_index]) /
                                       class_sizes[class_index]);
    page->slots = (uint16_t)slots;
    page->free_slots = (uint16_t)slots;
}

/* ---- the slow paths of pool-slot.h ----------------------------------------- */

struct pool_page *pool_page_refill(struct secmem_pool *pool, unsigned int class_index)
{
    struct pool_page *page = pool->free_pages;

    if (page == NULL)
        return NULL;
    pool->free_pages = page->next;
    page_format(page, class_index);
    partial_push(pool, page);
    return page;
}

void pool_page_full(struct secmem_pool *pool, struct pool_page *page)
{
    partial_unlink(pool, page);
}

void pool_page_refile(struct secmem_pool *pool, struct pool_page *page)
{
    if (!page->listed) {
        partial_push(pool, page);
        return;
    }
    /* An empty page goes back to every class, unless it is the only page
     * its class has: then an alloc/free cycle would reformat it each time. */
    if (page->free_slots == page->slots &&
        !(pool->partial[page->class_index] == page && page->next == NULL)) {
        partial_unlink(pool, page);
        free_page_push(pool, page);
    }
}
