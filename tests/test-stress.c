/*
 * test-stress.c - threads x operations, with fork() from one thread while
 * the others allocate, protect and free.  Bounded by an operation count, not
 * by time, so a slow machine (valgrind, TSan) still finishes.
 *
 * Checks: every thread's contents survive its own protection round trips,
 * fork children see no secret and can allocate, and the statistics return
 * to where they started.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 4
#define SLOTS 16

struct worker {
    GThread *thread;
    guint32 seed;
    guint ops;
};

static void check_and_free(unsigned char **slot, size_t *size, unsigned char tag)
{
    if (*slot == NULL)
        return;
    g_assert_cmpint(secmem_protect(*slot, SECMEM_READWRITE), ==, 0);
    for (size_t i = 0; i < *size; i++)
        g_assert_cmpint((*slot)[i], ==, tag);
    secmem_free(*slot);
    *slot = NULL;
}

static gpointer work(gpointer data)
{
    struct worker *w = data;
    GRand *rand = g_rand_new_with_seed(w->seed);
    unsigned char *slot[SLOTS] = {NULL};
    size_t size[SLOTS] = {0};
    unsigned char tag = (unsigned char)(w->seed | 1u);

    for (guint op = 0; op < w->ops; op++) {
        guint i = (guint)g_rand_int_range(rand, 0, SLOTS);
        switch (g_rand_int_range(rand, 0, 3)) {
        case 0:
            check_and_free(&slot[i], &size[i], tag);
            size[i] = (size_t)g_rand_int_range(rand, 1, 3000);
            slot[i] = secmem_malloc(size[i]);
            g_assert_nonnull(slot[i]);
            memset(slot[i], tag, size[i]);
            break;
        case 1:
            if (slot[i] != NULL)
                g_assert_cmpint(secmem_protect(slot[i], (secmem_prot)g_rand_int_range(rand, 0, 3)),
                                ==, 0);
            break;
        default:
            check_and_free(&slot[i], &size[i], tag);
            break;
        }
    }
    for (guint i = 0; i < SLOTS; i++)
        check_and_free(&slot[i], &size[i], tag);
    g_rand_free(rand);
    return NULL;
}

/* In the child: the inherited secret reads as zeros, new allocations work. */
static void fork_and_check(unsigned char *secret, size_t len)
{
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int bad = 0;
        for (size_t i = 0; i < len; i++)
            bad |= secret[i];
        unsigned char *fresh = secmem_malloc(64);
        bad |= fresh == NULL;
        if (fresh != NULL) {
            memset(fresh, 1, 64);
            secmem_free(fresh);
        }
        secmem_free(secret);
        _exit(bad ? 1 : 0);
    }
    int status = 0;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    tu_assert_child_ok(status);
}

static void test_threads_with_fork(void)
{
    /* Every slot of every thread live and locked at once, twice over. */
    if (!tu_require_lock_budget(2 * THREADS * SLOTS * tu_page_size()))
        return;
    struct worker workers[THREADS];
    size_t allocations = secmem_stat_get(SECMEM_STAT_ALLOCATIONS);
    size_t in_use = secmem_stat_get(SECMEM_STAT_BYTES_IN_USE);
    guint ops = g_test_slow() ? 200000 : 20000;
    gboolean can_fork = (secmem_features() & SECMEM_FEATURE_FORK_WIPE) != 0;

    for (guint t = 0; t < THREADS; t++) {
        workers[t].seed = 0x5ec0000u + t;
        workers[t].ops = ops;
        workers[t].thread = g_thread_new("stress", work, &workers[t]);
    }
    if (can_fork) {
        unsigned char *secret = secmem_malloc(48);
        g_assert_nonnull(secret);
        memset(secret, 0xa5, 48);
        for (int round = 0; round < 20; round++)
            fork_and_check(secret, 48);
        secmem_free(secret);
    }
    for (guint t = 0; t < THREADS; t++)
        g_thread_join(workers[t].thread);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, allocations);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_IN_USE), ==, in_use);
    if (!can_fork)
        g_test_skip("fork withholding not available: the fork part did not run");
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/stress/threads-with-fork", test_threads_with_fork);
    return g_test_run();
}
