/*
 * test-pool.c - pools: one test per rule of the contract (api.md, "Pools").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "securememory.h"
#include "testutil.h"

#define FREE_MISUSE "not a live allocation of this pool (double, interior or foreign free)"

static const size_t class_sizes[] = {16, 32, 48, 64, 96, 128, 192, 256,
                                     384, 512, 768, 1024, 1360, 2048};

static gboolean all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return FALSE;
    return TRUE;
}

/* ---- helpers ---------------------------------------------------------------- */

/* The line of /proc/self/maps for the mapping holding addr, or NULL. */
static char *maps_line_of(const void *addr)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    char *found = NULL;

    if (f == NULL)
        return NULL;
    while (found == NULL && fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && (uintptr_t)addr >= lo &&
            (uintptr_t)addr < hi)
            found = g_strdup(line);
    }
    fclose(f);
    return found;
}

/* Mappings excluded from core dumps: only the library makes them here, so
 * a failed allocation that left one behind shows up in this count (a count
 * of all mappings would also see the allocator of a tool like valgrind). */
static size_t count_dontdump_mappings(void)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    size_t n = 0;

    g_assert_nonnull(f);
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmFlags:", 8) == 0 && strstr(line, " dd") != NULL)
            n++;
    fclose(f);
    return n;
}

static gboolean can_limit_locking(void)
{
    const char *why;

    if (tu_can_limit_locking(&why))
        return TRUE;
    g_test_skip(why);
    return FALSE;
}

/* ---- allocation ---------------------------------------------------------- */

static void test_alloc_zeroed_aligned(void)
{
    secmem_pool *pool = secmem_pool_new(0);
    unsigned char *p[64];

    g_assert_nonnull(pool);
    for (size_t i = 0; i < G_N_ELEMENTS(p); i++) {
        size_t size = 1 + i * 37;
        p[i] = secmem_pool_alloc(pool, size);
        g_assert_nonnull(p[i]);
        g_assert_cmpuint((uintptr_t)p[i] % 16, ==, 0);
        g_assert_true(all_zero(p[i], size));
        memset(p[i], (int)i + 1, size);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(p); i++) {
        size_t size = 1 + i * 37;
        for (size_t j = 0; j < size; j++)
            g_assert_cmpuint(p[i][j], ==, i + 1); /* no two allocations overlap */
    }
    for (size_t i = 0; i < G_N_ELEMENTS(p); i++)
        secmem_pool_free(pool, p[i]);
    secmem_pool_destroy(pool);
}

static void test_free_wipes_and_reuse_is_zeroed(void)
{
    secmem_pool *pool = secmem_pool_new(0);
    unsigned char *keep = secmem_pool_alloc(pool, 32); /* keeps the page in the pool */
    volatile unsigned char *p = secmem_pool_alloc(pool, 32);

    g_assert_nonnull(keep);
    memset((void *)p, 0xA5, 32);
    secmem_pool_free(pool, (void *)p);
    /* The slot is still mapped (the page holds keep): its bytes are wiped. */
    for (size_t i = 0; i < 32; i++)
        g_assert_cmpuint(p[i], ==, 0);
    unsigned char *again = secmem_pool_alloc(pool, 32);
    g_assert_true(all_zero(again, 32));
    secmem_pool_free(pool, again);
    secmem_pool_free(pool, keep);
    secmem_pool_destroy(pool);
}

static void test_null_and_errno(void)
{
    secmem_pool *pool = secmem_pool_new(0);

    secmem_pool_destroy(NULL);
    errno = 1234;
    secmem_pool_free(pool, NULL);
    g_assert_cmpint(errno, ==, 1234);
    void *p = secmem_pool_alloc(pool, 8);
    errno = 4321;
    secmem_pool_free(pool, p);
    g_assert_cmpint(errno, ==, 4321);
    errno = 0;
    g_assert_null(secmem_pool_alloc(pool, 0));
    g_assert_cmpint(errno, ==, EINVAL);
    secmem_pool_destroy(pool);
}

/* Every class size and the sizes just around it fill exactly their bytes. */
static void test_size_classes(void)
{
    secmem_pool *pool = secmem_pool_new(0);

    for (size_t c = 0; c < G_N_ELEMENTS(class_sizes); c++) {
        for (size_t delta = 0; delta < 3; delta++) {
            size_t size = class_sizes[c] - delta;
            unsigned char *a = secmem_pool_alloc(pool, size);
            unsigned char *b = secmem_pool_alloc(pool, size);
            g_assert_nonnull(a);
            g_assert_nonnull(b);
            g_assert_cmpuint((uintptr_t)a % 16, ==, 0);
            memset(a, 0x11, size);
            memset(b, 0x22, size);
            g_assert_cmpuint(a[size - 1], ==, 0x11);
            g_assert_true(a + size <= b || b + size <= a);
            secmem_pool_free(pool, a);
            secmem_pool_free(pool, b);
        }
    }
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, 0);
    secmem_pool_destroy(pool);
}

/* Larger requests get pages of their own, ending at a guard page. */
static void test_large(void)
{
    secmem_pool *pool = secmem_pool_new(0);
    size_t sizes[] = {2049, 4096, 5000, 100000, 1 << 20};

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        size_t locked = secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) +
                        secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED);
        unsigned char *p = secmem_pool_alloc(pool, sizes[i]);
        g_assert_nonnull(p);
        g_assert_cmpuint((uintptr_t)p % 16, ==, 0);
        g_assert_true(all_zero(p, sizes[i]));
        memset(p, 0x5A, sizes[i]);
        g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) +
                             secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED),
                         ==, locked + (sizes[i] + tu_page_size() - 1) / tu_page_size() * tu_page_size());
        secmem_pool_free(pool, p);
        g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) +
                             secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED),
                         ==, locked);
    }
    secmem_pool_destroy(pool);
}

static void test_large_overflow_faults(void)
{
    if (g_test_subprocess()) {
        secmem_pool *pool = secmem_pool_new(0);
        volatile unsigned char *p = secmem_pool_alloc(pool, 5008);
        tu_expect_segv_at((const void *)&p[5008]);
        p[5008] = 1; /* the first byte past the end is in the guard page */
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    tu_assert_trap_segv();
}

/* ---- the limit ------------------------------------------------------------ */

static void test_limit(void)
{
    size_t page = tu_page_size();
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);
    secmem_pool *pool = secmem_pool_new(4 * page);
    size_t n = 0;
    void *p;

    g_assert_nonnull(pool);
    while ((p = secmem_pool_alloc(pool, 32)) != NULL)
        n++;
    g_assert_cmpint(errno, ==, ENOMEM);
    /* The limit counts data pages: every one of them serves the class. */
    g_assert_cmpuint(n, ==, 4 * page / 32);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) +
                         secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED),
                     >=, 4 * page);
    errno = 0;
    g_assert_null(secmem_pool_alloc(pool, 3 * page)); /* large, over the limit */
    g_assert_cmpint(errno, ==, ENOMEM);
    secmem_pool_destroy(pool);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings);

    /* A large request counts against the limit too. */
    pool = secmem_pool_new(4 * page);
    p = secmem_pool_alloc(pool, 3 * page);
    g_assert_nonnull(p);
    errno = 0;
    g_assert_null(secmem_pool_alloc(pool, 2 * page));
    g_assert_cmpint(errno, ==, ENOMEM);
    secmem_pool_free(pool, p);
    p = secmem_pool_alloc(pool, 4 * page);
    g_assert_nonnull(p);
    secmem_pool_free(pool, p);
    secmem_pool_destroy(pool);

    errno = 0;
    g_assert_null(secmem_pool_new(page - 1)); /* could never hold a byte */
    g_assert_cmpint(errno, ==, EINVAL);
}

/* ---- protection ------------------------------------------------------------ */

static void test_eacces_when_not_writable(void)
{
    secmem_pool *pool = secmem_pool_new(0);
    unsigned char *p = secmem_pool_alloc(pool, 32);

    p[0] = 7;
    g_assert_cmpint(secmem_pool_protect(pool, SECMEM_READONLY), ==, 0);
    g_assert_cmpuint(p[0], ==, 7); /* still readable */
    errno = 0;
    g_assert_null(secmem_pool_alloc(pool, 32));
    g_assert_cmpint(errno, ==, EACCES);
    g_assert_cmpint(secmem_pool_protect(pool, SECMEM_NOACCESS), ==, 0);
    errno = 0;
    g_assert_null(secmem_pool_alloc(pool, 32));
    g_assert_cmpint(errno, ==, EACCES);
    errno = 0;
    g_assert_cmpint(secmem_pool_protect(pool, (secmem_prot)7), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpint(secmem_pool_protect(pool, SECMEM_READWRITE), ==, 0);
    g_assert_cmpuint(p[0], ==, 7);
    void *q = secmem_pool_alloc(pool, 32);
    g_assert_nonnull(q);
    secmem_pool_free(pool, q);
    secmem_pool_free(pool, p);
    secmem_pool_destroy(pool);
}

/* Fills several chunks and returns a pointer in the last one made. */
static unsigned char *alloc_in_many_chunks(secmem_pool *pool)
{
    unsigned char *last = NULL;
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);

    while (secmem_stat_get(SECMEM_STAT_MAPPINGS) < mappings + 3) {
        last = secmem_pool_alloc(pool, 1024);
        g_assert_nonnull(last);
        last[0] = 1;
    }
    return last;
}

static void test_noaccess_faults(void)
{
    if (g_test_subprocess()) {
        secmem_pool *pool = secmem_pool_new(0);
        volatile unsigned char *p = alloc_in_many_chunks(pool);
        secmem_pool_protect(pool, SECMEM_NOACCESS);
        tu_expect_segv_at((const void *)p);
        (void)p[0];
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    tu_assert_trap_segv();
}

static void test_readonly_faults_on_write(void)
{
    if (g_test_subprocess()) {
        secmem_pool *pool = secmem_pool_new(0);
        volatile unsigned char *p = alloc_in_many_chunks(pool);
        secmem_pool_protect(pool, SECMEM_READONLY);
        g_assert_cmpuint(p[0], ==, 1); /* reading works */
        tu_expect_segv_at((const void *)p);
        p[0] = 2;
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    tu_assert_trap_segv();
}

/* Freeing works in any state and leaves the pool in that state. */
static void test_free_in_any_state(void)
{
    secmem_pool *pool = secmem_pool_new(0);
    unsigned char *small = secmem_pool_alloc(pool, 64);
    unsigned char *large = secmem_pool_alloc(pool, 10000);
    unsigned char *other = secmem_pool_alloc(pool, 64);

    memset(small, 1, 64);
    memset(large, 1, 10000);
    other[0] = 3;
    g_assert_cmpint(secmem_pool_protect(pool, SECMEM_NOACCESS), ==, 0);
    secmem_pool_free(pool, small);
    secmem_pool_free(pool, large);
    g_assert_cmpint(secmem_pool_protect(pool, SECMEM_READONLY), ==, 0);
    g_assert_true(all_zero(small, 64)); /* wiped while NOACCESS */
    g_assert_cmpuint(other[0], ==, 3);
    secmem_pool_free(pool, other);
    g_assert_true(all_zero(other, 64));
    secmem_pool_destroy(pool); /* destroy of a READONLY pool */
}

static void test_free_keeps_noaccess(void)
{
    if (g_test_subprocess()) {
        secmem_pool *pool = secmem_pool_new(0);
        unsigned char *a = secmem_pool_alloc(pool, 64);
        volatile unsigned char *b = secmem_pool_alloc(pool, 64);
        secmem_pool_protect(pool, SECMEM_NOACCESS);
        secmem_pool_free(pool, a);
        tu_expect_segv_at((const void *)b);
        (void)b[0];
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    tu_assert_trap_segv();
}

/* ---- misuse ------------------------------------------------------------------ */

static void misuse_child(int which)
{
    secmem_pool *pool = secmem_pool_new(0);
    secmem_pool *other = secmem_pool_new(0);
    unsigned char *p = secmem_pool_alloc(pool, 48);
    unsigned char *q = secmem_pool_alloc(other, 48);
    unsigned char *big = secmem_pool_alloc(pool, 9000);
    static unsigned char not_ours[64] __attribute__((aligned(16)));
    void *heap = malloc(64);

    tu_report_abort();
    switch (which) {
    case 0:
        secmem_pool_free(pool, p);
        secmem_pool_free(pool, p); /* double */
        break;
    case 1:
        secmem_pool_free(pool, p + 16); /* interior */
        break;
    case 2:
        secmem_pool_free(pool, q); /* another pool's */
        break;
    case 3:
        secmem_pool_free(pool, not_ours);
        break;
    case 4:
        secmem_pool_free(pool, heap);
        break;
    case 5:
        secmem_pool_free(pool, big + 16); /* interior of a large one */
        break;
    case 6:
        secmem_pool_free(pool, p + 48); /* a free slot next to a live one */
        break;
    case 7:
        secmem_pool_free(pool, big);
        secmem_pool_free(pool, big); /* double, of a large one: its pages are gone */
        break;
    }
}

static void test_misuse_free(void)
{
    for (int which = 0; which <= 7; which++) {
        char *path = g_strdup_printf("/pool/misuse/free/subprocess/%d", which);
        g_test_trap_subprocess(path, 0, G_TEST_SUBPROCESS_DEFAULT);
        tu_assert_trap_fatal("secmem_pool_free", FREE_MISUSE);
        g_free(path);
    }
}

static void misuse_free_case(gconstpointer data)
{
    misuse_child(GPOINTER_TO_INT(data));
}

static void test_misuse_handle(void)
{
    static const char *const functions[] = {"secmem_pool_alloc", "secmem_pool_free",
                                            "secmem_pool_protect", "secmem_pool_destroy"};
    for (int which = 0; which < 8; which++) {
        char *path = g_strdup_printf("/pool/misuse/handle/subprocess/%d", which);
        g_test_trap_subprocess(path, 0, G_TEST_SUBPROCESS_DEFAULT);
        tu_assert_trap_fatal(functions[which % 4], "not a live pool");
        g_free(path);
    }
}

static void misuse_handle_case(gconstpointer data)
{
    int which = GPOINTER_TO_INT(data);
    secmem_pool *pool = secmem_pool_new(0);
    void *p = secmem_pool_alloc(pool, 16);
    static long fake[64];
    secmem_pool *bad = (secmem_pool *)fake;

    if (which >= 4) { /* a destroyed pool */
        secmem_pool_destroy(pool);
        bad = pool;
    }
    tu_report_abort();
    switch (which % 4) {
    case 0:
        secmem_pool_alloc(bad, 16);
        break;
    case 1:
        secmem_pool_free(bad, p);
        break;
    case 2:
        secmem_pool_protect(bad, SECMEM_NOACCESS);
        break;
    case 3:
        secmem_pool_destroy(bad);
        break;
    }
}

/* ---- statistics ----------------------------------------------------------------- */

static void test_stats(void)
{
    size_t allocs = secmem_stat_get(SECMEM_STAT_ALLOCATIONS);
    size_t bytes = secmem_stat_get(SECMEM_STAT_BYTES_IN_USE);
    size_t held = secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) +
                  secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED);
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);
    secmem_pool *pool = secmem_pool_new(0);

    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings); /* lazy */
    void *a = secmem_pool_alloc(pool, 10);
    void *b = secmem_pool_alloc(pool, 100);
    void *c = secmem_pool_alloc(pool, 3000);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, allocs + 3);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_IN_USE), ==, bytes + 3110);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings + 2);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) +
                         secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED),
                     >, held + 4096);
    secmem_pool_free(pool, b);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, allocs + 2);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_IN_USE), ==, bytes + 3010);
    secmem_pool_free(pool, c);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings + 1);
    (void)a; /* destroy releases live allocations too */
    secmem_pool_destroy(pool);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, allocs);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_IN_USE), ==, bytes);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) +
                         secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED),
                     ==, held);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings);
}

/* Chunk pages are locked, kept out of dumps and wiped on fork; a guard page
 * sits on each side. */
static void test_chunk_flags(void)
{
    if (!tu_have_smaps()) {
        g_test_skip("no /proc/self/smaps to read the VmFlags from");
        return;
    }
    secmem_pool *pool = secmem_pool_new(0);
    unsigned char *p = secmem_pool_alloc(pool, 32);
    unsigned int features = secmem_features();
    char *flags = tu_vmflags(p);

    g_assert_nonnull(flags);
    if (features & SECMEM_FEATURE_LOCK && !TU_MLOCK_IS_FAKE)
        g_assert_nonnull(strstr(flags, " lo "));
    if (features & SECMEM_FEATURE_NODUMP)
        g_assert_nonnull(strstr(flags, " dd "));
    if (features & SECMEM_FEATURE_FORK_WIPE)
        g_assert_true(strstr(flags, " wf ") != NULL || strstr(flags, " dc ") != NULL);
    g_free(flags);
    /* The first slot starts the chunk: the page before it is a guard. */
    flags = tu_vmflags(p - 1);
    g_assert_nonnull(flags);
    g_assert_null(strstr(flags, " rd "));
    g_free(flags);
    secmem_pool_free(pool, p);
    secmem_pool_destroy(pool);
}

/* 10,000 small secrets need only a few chunks. */
static void test_few_mappings(void)
{
    secmem_pool *pool = secmem_pool_new(0);
    size_t before = tu_count_mappings();
    void **p = g_new(void *, 10000);

    for (int i = 0; i < 10000; i++)
        g_assert_nonnull(p[i] = secmem_pool_alloc(pool, 32));
    g_assert_cmpuint(tu_count_mappings() - before, <=, 50);
    for (int i = 0; i < 10000; i++)
        secmem_pool_free(pool, p[i]);
    g_free(p);
    secmem_pool_destroy(pool);
}

/* ---- the lock budget ------------------------------------------------------------- */

#define BUDGET (64 * 1024)

static void fill_budget_required(gconstpointer data)
{
    (void)data;
    tu_limit_locking(BUDGET);
    secmem_pool *pool = secmem_pool_new(0);
    size_t n = 0;

    while (secmem_pool_alloc(pool, 32) != NULL)
        n++;
    g_assert_cmpint(errno, ==, ENOMEM);
    /* Every page of the budget holds secrets, nothing is held unlocked. */
    g_assert_cmpuint(n, >=, (BUDGET - 2 * tu_page_size()) / 32);
    g_assert_cmpuint(n, <=, BUDGET / 32);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED), ==, 0);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED), <=, BUDGET);
    size_t mappings = count_dontdump_mappings();
    size_t counted = secmem_stat_get(SECMEM_STAT_MAPPINGS);
    g_assert_null(secmem_pool_alloc(pool, 10000)); /* large: fails too, leaves nothing */
    g_assert_cmpint(errno, ==, ENOMEM);
    g_assert_cmpuint(count_dontdump_mappings(), ==, mappings);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, counted);
    secmem_pool_destroy(pool);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED), ==, 0);
}

static void no_budget_is_eperm(gconstpointer data)
{
    (void)data;
    tu_limit_locking(0);
    secmem_pool *pool = secmem_pool_new(0);
    size_t mappings = count_dontdump_mappings();

    errno = 0;
    g_assert_null(secmem_pool_alloc(pool, 32));
    g_assert_cmpint(errno, ==, EPERM);
    g_assert_cmpuint(count_dontdump_mappings(), ==, mappings);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, 0);
    secmem_pool_destroy(pool);
}

static void best_effort_goes_on_unlocked(gconstpointer data)
{
    (void)data;
    tu_limit_locking(BUDGET);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT), ==, 0);
    secmem_pool *pool = secmem_pool_new(0);
    for (size_t i = 0; i < 2 * BUDGET / 32; i++)
        g_assert_nonnull(secmem_pool_alloc(pool, 32));
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED), >, 0);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED), <=, BUDGET);
    secmem_pool_destroy(pool);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED), ==, 0);
}

static void test_lock_budget(void)
{
    if (!can_limit_locking())
        return;
    tu_assert_child_ok(tu_run_in_child(fill_budget_required, NULL));
    tu_assert_child_ok(tu_run_in_child(no_budget_is_eperm, NULL));
    tu_assert_child_ok(tu_run_in_child(best_effort_goes_on_unlocked, NULL));
}

/* ---- fork ---------------------------------------------------------------------------- */

static secmem_pool *fork_pool;
static unsigned char *fork_secret;

static void child_reads_zeros(gconstpointer data)
{
    (void)data;
    g_assert_true(all_zero(fork_secret, 32));
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, 0);
    /* Pools the child makes are ordinary. */
    secmem_pool *own = secmem_pool_new(0);
    unsigned char *p = secmem_pool_alloc(own, 32);
    g_assert_nonnull(p);
    memset(p, 1, 32);
    secmem_pool_free(own, p);
    secmem_pool_destroy(own);
    /* Destroying the inherited one only forgets it. */
    secmem_pool_destroy(fork_pool);
}

static void test_fork_wipe(void)
{
    if (!(secmem_features() & SECMEM_FEATURE_FORK_WIPE)) {
        g_test_skip("secmem_features() does not report fork-wipe");
        return;
    }
    fork_pool = secmem_pool_new(0);
    fork_secret = secmem_pool_alloc(fork_pool, 32);
    memset(fork_secret, 0xEE, 32);
    char *flags = tu_vmflags(fork_secret);
    int unmapped_in_child = flags != NULL && strstr(flags, " wf ") == NULL;
    g_free(flags);
    if (unmapped_in_child) {
        g_test_skip("pages are withheld (MADV_DONTFORK), not wiped: the child cannot read them");
    } else {
        tu_assert_child_ok(tu_run_in_child(child_reads_zeros, NULL));
    }
    g_assert_cmpuint(fork_secret[31], ==, 0xEE); /* the parent keeps its secret */
    secmem_pool_free(fork_pool, fork_secret);
    secmem_pool_destroy(fork_pool);
}

static void test_fork_misuse(void)
{
    static const char *const functions[] = {"secmem_pool_alloc", "secmem_pool_free",
                                            "secmem_pool_protect"};
    for (int which = 0; which < 3; which++) {
        char *path = g_strdup_printf("/pool/fork/misuse/subprocess/%d", which);
        g_test_trap_subprocess(path, 0, G_TEST_SUBPROCESS_DEFAULT);
        tu_assert_trap_fatal(functions[which], "pool inherited across fork() used in the child");
        g_free(path);
    }
}

static void fork_misuse_case(gconstpointer data)
{
    secmem_pool *pool = secmem_pool_new(0);
    void *p = secmem_pool_alloc(pool, 32);
    pid_t pid;
    int status;

    tu_no_core_file();
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        tu_report_abort();
        switch (GPOINTER_TO_INT(data)) {
        case 0:
            secmem_pool_alloc(pool, 32);
            break;
        case 1:
            secmem_pool_free(pool, p);
            break;
        case 2:
            secmem_pool_protect(pool, SECMEM_NOACCESS);
            break;
        }
        _exit(0);
    }
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        raise(WTERMSIG(status)); /* the child's stderr is ours: pass its death on */
}

/* ---- the secretmem backend --------------------------------------------------------- */

/* Chunks get memfd_secret pages like guarded allocations do; they come
 * locked from the kernel, and pools work on them as on anonymous pages. */
static void test_secretmem_backend(void)
{
    if (!(secmem_features() & SECMEM_FEATURE_SECRETMEM)) {
        g_test_skip("secmem_features() does not report secretmem");
        return;
    }
    size_t locked = secmem_stat_get(SECMEM_STAT_BYTES_LOCKED);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_SECRETMEM), ==, 0);
    secmem_pool *pool = secmem_pool_new(0);
    unsigned char *small = secmem_pool_alloc(pool, 32);
    unsigned char *large = secmem_pool_alloc(pool, 10000);
    g_assert_nonnull(small);
    g_assert_nonnull(large);
    g_assert_true(all_zero(small, 32) && all_zero(large, 10000));
    char *line = maps_line_of(small);
    g_assert_nonnull(line);
    g_assert_nonnull(strstr(line, "secretmem"));
    g_free(line);
    memset(small, 1, 32);
    memset(large, 2, 10000);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED), >=, locked + 4 * 4096 + 12288);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED), ==, 0);
    g_assert_cmpint(secmem_pool_protect(pool, SECMEM_NOACCESS), ==, 0);
    secmem_pool_free(pool, small);
    g_assert_cmpint(secmem_pool_protect(pool, SECMEM_READWRITE), ==, 0);
    g_assert_true(all_zero(small, 32));
    secmem_pool_free(pool, large);
    secmem_pool_destroy(pool);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED), ==, locked);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_ANONYMOUS), ==, 0);
}

/* ---- threads ---------------------------------------------------------------------------- */

#define THREADS 4
#define ROUNDS 20000

struct worker {
    secmem_pool *pool;
    unsigned int seed;
    unsigned char tag;
    int failures;
};

/* Random alloc/free with a pattern per allocation, checked before free. */
static void *churn(void *arg)
{
    struct worker *w = arg;
    unsigned char *live[64] = {0};
    size_t sizes[64] = {0};

    for (int r = 0; r < ROUNDS; r++) {
        unsigned int i = (unsigned int)rand_r(&w->seed) % 64;
        if (live[i] != NULL) {
            for (size_t j = 0; j < sizes[i]; j++)
                w->failures += live[i][j] != (unsigned char)(i + w->tag);
            secmem_pool_free(w->pool, live[i]);
            live[i] = NULL;
        } else {
            sizes[i] = 1 + (size_t)rand_r(&w->seed) % 3000;
            live[i] = secmem_pool_alloc(w->pool, sizes[i]);
            if (live[i] == NULL) {
                w->failures++;
                continue;
            }
            memset(live[i], (unsigned char)(i + w->tag), sizes[i]);
        }
    }
    for (int i = 0; i < 64; i++)
        secmem_pool_free(w->pool, live[i]);
    return NULL;
}

static void run_workers(int shared)
{
    pthread_t threads[THREADS];
    struct worker workers[THREADS];
    secmem_pool *one = shared ? secmem_pool_new(0) : NULL;

    for (int t = 0; t < THREADS; t++) {
        workers[t].pool = shared ? one : secmem_pool_new(0);
        workers[t].seed = (unsigned int)t * 7919u + 1;
        workers[t].tag = (unsigned char)(t * 64);
        workers[t].failures = 0;
        g_assert_cmpint(pthread_create(&threads[t], NULL, churn, &workers[t]), ==, 0);
    }
    for (int t = 0; t < THREADS; t++) {
        g_assert_cmpint(pthread_join(threads[t], NULL), ==, 0);
        g_assert_cmpint(workers[t].failures, ==, 0);
        if (!shared)
            secmem_pool_destroy(workers[t].pool);
    }
    secmem_pool_destroy(one);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, 0);
}

static void test_threads_separate(void)
{
    run_workers(0);
}

static void test_threads_shared(void)
{
    run_workers(1);
}

/* A build or system without a lock call: REQUIRED pools cannot get a chunk
 * and say ENOSYS, as guarded allocations do; BEST_EFFORT pools work. */
static void test_no_lock_required_enosys(void)
{
    if (secmem_features() & SECMEM_FEATURE_LOCK) {
        g_test_skip("lock is available here: REQUIRED pools get locked chunks");
        return;
    }
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_REQUIRED), ==, 0);
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);
    secmem_pool *pool = secmem_pool_new(0);
    g_assert_nonnull(pool);
    errno = 0;
    g_assert_null(secmem_pool_alloc(pool, 32));
    g_assert_cmpint(errno, ==, ENOSYS);
    errno = 0;
    g_assert_null(secmem_pool_alloc(pool, 10000));
    g_assert_cmpint(errno, ==, ENOSYS);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings);

    g_assert_cmpint(secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT), ==, 0);
    unsigned char *p = secmem_pool_alloc(pool, 32);
    g_assert_nonnull(p);
    memset(p, 0x42, 32);
    secmem_pool_free(pool, p);
    secmem_pool_destroy(pool);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_LOCK_POLICY, tu_lock_policy()), ==, 0);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    /* The guarded cache would show in BYTES_LOCKED: keep it out of the way. */
    secmem_set_option(SECMEM_OPT_CACHE_BYTES, 0);

    g_test_add_func("/pool/alloc/zeroed-aligned", test_alloc_zeroed_aligned);
    g_test_add_func("/pool/alloc/free-wipes", test_free_wipes_and_reuse_is_zeroed);
    g_test_add_func("/pool/alloc/null-and-errno", test_null_and_errno);
    g_test_add_func("/pool/alloc/size-classes", test_size_classes);
    g_test_add_func("/pool/alloc/large", test_large);
    g_test_add_func("/pool/alloc/large-overflow-faults", test_large_overflow_faults);
    g_test_add_func("/pool/limit", test_limit);
    g_test_add_func("/pool/protect/eacces", test_eacces_when_not_writable);
    g_test_add_func("/pool/protect/noaccess-faults", test_noaccess_faults);
    g_test_add_func("/pool/protect/readonly-faults", test_readonly_faults_on_write);
    g_test_add_func("/pool/protect/free-in-any-state", test_free_in_any_state);
    g_test_add_func("/pool/protect/free-keeps-noaccess", test_free_keeps_noaccess);
    g_test_add_func("/pool/misuse/free", test_misuse_free);
    g_test_add_func("/pool/misuse/handle", test_misuse_handle);
    for (int i = 0; i <= 7; i++) {
        char *path = g_strdup_printf("/pool/misuse/free/subprocess/%d", i);
        g_test_add_data_func(path, GINT_TO_POINTER(i), misuse_free_case);
        g_free(path);
    }
    for (int i = 0; i < 8; i++) {
        char *path = g_strdup_printf("/pool/misuse/handle/subprocess/%d", i);
        g_test_add_data_func(path, GINT_TO_POINTER(i), misuse_handle_case);
        g_free(path);
    }
    g_test_add_func("/pool/stats", test_stats);
    g_test_add_func("/pool/chunk-flags", test_chunk_flags);
    g_test_add_func("/pool/few-mappings", test_few_mappings);
    g_test_add_func("/pool/lock-budget", test_lock_budget);
    g_test_add_func("/pool/fork/wipe", test_fork_wipe);
    g_test_add_func("/pool/fork/misuse", test_fork_misuse);
    for (int i = 0; i < 3; i++) {
        char *path = g_strdup_printf("/pool/fork/misuse/subprocess/%d", i);
        g_test_add_data_func(path, GINT_TO_POINTER(i), fork_misuse_case);
        g_free(path);
    }
    g_test_add_func("/pool/secretmem", test_secretmem_backend);
    g_test_add_func("/pool/threads/separate", test_threads_separate);
    g_test_add_func("/pool/threads/shared", test_threads_shared);
    g_test_add_func("/pool/no-lock-required-enosys", test_no_lock_required_enosys);
    return g_test_run();
}
