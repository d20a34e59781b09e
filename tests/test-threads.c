/*
 * test-threads.c - 2, 4 and 8 threads allocating, writing, protecting,
 * checking and freeing at once, plus one thread freeing what another made;
 * afterwards every statistic is back where it started.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <string.h>

#define ROUNDS 300
#define LIVE 8

struct worker {
    unsigned int id;
    GAsyncQueue *handoff; /* allocations passed to the next thread to free */
    GAsyncQueue *inbox;
};

static size_t size_for(unsigned int id, unsigned int round, unsigned int slot)
{
    return 1 + (id * 7919u + round * 104729u + slot * 31u) % 9000u;
}

static void fill(unsigned char *p, size_t size, unsigned char tag)
{
    memset(p, tag, size);
}

static void check(const unsigned char *p, size_t size, unsigned char tag)
{
    g_assert_cmpuint(p[0], ==, tag);
    g_assert_cmpuint(p[size / 2], ==, tag);
    g_assert_cmpuint(p[size - 1], ==, tag);
}

static gpointer work(gpointer data)
{
    struct worker *w = data;
    unsigned char *live[LIVE];
    size_t size[LIVE];

    for (unsigned int round = 0; round < ROUNDS; round++) {
        unsigned char tag = (unsigned char)(w->id * 16 + round);
        for (unsigned int s = 0; s < LIVE; s++) {
            size[s] = size_for(w->id, round, s);
            live[s] = (s & 1) ? secmem_calloc(1, size[s]) : secmem_malloc(size[s]);
            g_assert_nonnull(live[s]);
            fill(live[s], size[s], tag);
        }
        for (unsigned int s = 0; s < LIVE; s++) {
            g_assert_cmpint(secmem_protect(live[s], SECMEM_READONLY), ==, 0);
            check(live[s], size[s], tag);
            g_assert_cmpint(secmem_protect(live[s], SECMEM_NOACCESS), ==, 0);
            g_assert_cmpint(secmem_protection(live[s]), ==, SECMEM_NOACCESS);
            g_assert_cmpuint(secmem_size(live[s]), ==, size[s]);
        }
        for (unsigned int s = 0; s < LIVE; s++) {
            g_assert_cmpint(secmem_protect(live[s], SECMEM_READWRITE), ==, 0);
            check(live[s], size[s], tag);
            if (s == 0)
                g_async_queue_push(w->handoff, live[s]); /* freed by another thread */
            else
                secmem_free(live[s]);
        }
        /* Free what the previous thread handed over. */
        void *theirs;
        while ((theirs = g_async_queue_try_pop(w->inbox)) != NULL)
            secmem_free(theirs);
    }
    return NULL;
}

struct baseline {
    size_t allocs, in_use, maps, locked, unlocked;
};

static void take_baseline(struct baseline *b)
{
    secmem_trim();
    b->allocs = secmem_stat_get(SECMEM_STAT_ALLOCATIONS);
    b->in_use = secmem_stat_get(SECMEM_STAT_BYTES_IN_USE);
    b->maps = secmem_stat_get(SECMEM_STAT_MAPPINGS);
    b->locked = secmem_stat_get(SECMEM_STAT_BYTES_LOCKED);
    b->unlocked = secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED);
}

/* Call only when no other thread uses the library any more. */
static void assert_back_to(const struct baseline *b)
{
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, b->allocs);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_IN_USE), ==, b->in_use);
    secmem_trim();
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_CACHED_BYTES), ==, 0);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, b->maps);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED), ==, b->locked);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED), ==, b->unlocked);
}

/* n workers, each handing one allocation per round to the next to free. */
static void run_workers(unsigned int n)
{
    struct worker workers[8];
    GThread *threads[8];
    GAsyncQueue *queues[8];

    g_assert_cmpuint(n, <=, G_N_ELEMENTS(threads));
    for (unsigned int i = 0; i < n; i++)
        queues[i] = g_async_queue_new();
    for (unsigned int i = 0; i < n; i++) {
        workers[i].id = i;
        workers[i].handoff = queues[(i + 1) % n];
        workers[i].inbox = queues[i];
        threads[i] = g_thread_new("secmem-worker", work, &workers[i]);
    }
    for (unsigned int i = 0; i < n; i++)
        g_thread_join(threads[i]);
    for (unsigned int i = 0; i < n; i++) {
        void *left;
        while ((left = g_async_queue_try_pop(queues[i])) != NULL)
            secmem_free(left);
        g_async_queue_unref(queues[i]);
    }
}

/* The most the workers keep locked at once: LIVE allocations of up to
 * 9000 bytes (3 pages) each, plus one handed over, per thread. */
static size_t budget_for(unsigned int n)
{
    return n * (LIVE + 1) * 3 * tu_page_size();
}

static void run_threads(gconstpointer data)
{
    struct baseline b;
    unsigned int n = GPOINTER_TO_UINT(data);

    if (!tu_require_lock_budget(budget_for(n)))
        return;
    take_baseline(&b);
    run_workers(n);
    assert_back_to(&b);
}

/* Option changes and trims while other threads allocate. */
static gpointer churn_options(gpointer data)
{
    volatile gint *stop = data;
    long limit = 0;

    while (!g_atomic_int_get(stop)) {
        g_assert_cmpint(secmem_set_option(SECMEM_OPT_CACHE_BYTES, limit), ==, 0);
        limit = (limit + 8192) % (256 * 1024);
        secmem_trim();
        g_thread_yield();
    }
    return NULL;
}

static void test_trim_while_allocating(void)
{
    gint stop = 0;
    long old_limit = secmem_get_option(SECMEM_OPT_CACHE_BYTES);
    struct baseline b;

    if (!tu_require_lock_budget(budget_for(4)))
        return;
    take_baseline(&b);
    GThread *churn = g_thread_new("secmem-churn", churn_options, &stop);
    run_workers(4);
    g_atomic_int_set(&stop, 1);
    g_thread_join(churn);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_CACHE_BYTES, old_limit), ==, 0);
    assert_back_to(&b);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_data_func("/threads/2", GUINT_TO_POINTER(2), run_threads);
    g_test_add_data_func("/threads/4", GUINT_TO_POINTER(4), run_threads);
    g_test_add_data_func("/threads/8", GUINT_TO_POINTER(8), run_threads);
    g_test_add_func("/threads/trim-while-allocating", test_trim_while_allocating);
    return g_test_run();
}
