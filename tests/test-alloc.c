/*
 * test-alloc.c - secmem_malloc/calloc/free/size/applied: sizes, alignment,
 * zeroing, errors, the NULL rules and errno.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#define MAX_SIZE 5000

static void assert_fails(void *p, int expected_errno)
{
    int err = errno;
    g_assert_null(p);
    g_assert_cmpint(err, ==, expected_errno);
}

/* Every size from 1 to 5000: aligned, the size remembered, every byte ours. */
static void test_alignment_every_size(void)
{
    g_assert_cmpuint(alignof(max_align_t), <=, 16);
    for (size_t size = 1; size <= MAX_SIZE; size++) {
        unsigned char *p = secmem_malloc(size);
        g_assert_nonnull(p);
        g_assert_cmpuint((uintptr_t)p % 16, ==, 0);
        g_assert_cmpuint(secmem_size(p), ==, size);
        memset(p, 0x5a, size);
        g_assert_cmpuint(p[0], ==, 0x5a);
        g_assert_cmpuint(p[size - 1], ==, 0x5a);
        secmem_free(p);
    }
}

static void test_calloc_alignment(void)
{
    for (size_t size = 1; size <= 64; size++) {
        for (size_t nmemb = 1; nmemb <= 3; nmemb++) {
            unsigned char *p = secmem_calloc(nmemb, size);
            g_assert_nonnull(p);
            g_assert_cmpuint((uintptr_t)p % 16, ==, 0);
            g_assert_cmpuint(secmem_size(p), ==, nmemb * size);
            secmem_free(p);
        }
    }
}

static gboolean all_zero(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != 0)
            return FALSE;
    return TRUE;
}

/* calloc zeroes, also when the pages come back from the recycling cache
 * after an allocation of the same size was filled and freed. */
static void test_calloc_zeroes(void)
{
    static const size_t sizes[] = {1, 16, 100, 4096, 4097, 12345};

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        for (int round = 0; round < 3; round++) {
            unsigned char *dirty = secmem_malloc(sizes[i]);
            g_assert_nonnull(dirty);
            memset(dirty, 0xa5, sizes[i]);
            secmem_free(dirty);
            unsigned char *p = secmem_calloc(1, sizes[i]);
            g_assert_nonnull(p);
            g_assert_true(all_zero(p, sizes[i]));
            secmem_free(p);
        }
    }
}

/* Whatever memory malloc hands out after a free holds nothing of the
 * secret that was freed (free wipes every byte, cached pages included). */
static void test_free_wipes(void)
{
    for (size_t size = 1; size <= 8192; size = size * 2 + 1) {
        unsigned char *p = secmem_malloc(size);
        g_assert_nonnull(p);
        memset(p, 0xc3, size);
        secmem_free(p);
        unsigned char *q = secmem_malloc(size);
        g_assert_nonnull(q);
        for (size_t i = 0; i < size; i++)
            g_assert_cmpuint(q[i], !=, 0xc3);
        secmem_free(q);
    }
}

static void test_size_zero_einval(void)
{
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);

    errno = 0;
    assert_fails(secmem_malloc(0), EINVAL);
    errno = 0;
    assert_fails(secmem_calloc(0, 16), EINVAL);
    errno = 0;
    assert_fails(secmem_calloc(16, 0), EINVAL);
    errno = 0;
    assert_fails(secmem_calloc(0, 0), EINVAL);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings);
}

/* Sizes whose rounding or overhead overflow, and ones no system can map. */
static void test_overflow_enomem(void)
{
    size_t page = tu_page_size();
    const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 14, SIZE_MAX - 15,
                            SIZE_MAX - page, SIZE_MAX - 2 * page, SIZE_MAX - 3 * page,
                            SIZE_MAX / 2, SIZE_MAX / 2 + 1};
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);
    size_t allocations = secmem_stat_get(SECMEM_STAT_ALLOCATIONS);

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        errno = 0;
        assert_fails(secmem_malloc(sizes[i]), ENOMEM);
    }
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, allocations);
}

static void test_calloc_overflow_enomem(void)
{
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);

    errno = 0;
    assert_fails(secmem_calloc(SIZE_MAX, 2), ENOMEM);
    errno = 0;
    assert_fails(secmem_calloc(2, SIZE_MAX), ENOMEM);
    errno = 0;
    assert_fails(secmem_calloc(SIZE_MAX / 2 + 1, 2), ENOMEM);
    errno = 0;
    /* (2^(w/2)) squared wraps to exactly 0: must not become a tiny allocation. */
    size_t root = (size_t)1 << (sizeof(size_t) * 4);
    assert_fails(secmem_calloc(root, root), ENOMEM);
    errno = 0;
    assert_fails(secmem_calloc(root + 1, root - 1), ENOMEM);
    errno = 0;
    assert_fails(secmem_calloc(1, SIZE_MAX), ENOMEM);
    errno = 0;
    assert_fails(secmem_calloc(SIZE_MAX, SIZE_MAX), ENOMEM);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings);
}

static void test_size_is_asked_size(void)
{
    static const size_t sizes[] = {1, 15, 16, 17, 4095, 4096, 4097, 65536, 100000};

    if (!tu_require_lock_budget(512 * 1024))
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        void *p = secmem_malloc(sizes[i]);
        void *q = secmem_calloc(sizes[i], 3);
        g_assert_nonnull(p);
        g_assert_nonnull(q);
        g_assert_cmpuint(secmem_size(p), ==, sizes[i]);
        g_assert_cmpuint(secmem_size(q), ==, sizes[i] * 3);
        secmem_free(p);
        secmem_free(q);
    }
}

static void test_null_rules(void)
{
    secmem_free(NULL);
    errno = 0;
    g_assert_cmpint(secmem_protect(NULL, SECMEM_READWRITE), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(secmem_protect(NULL, SECMEM_NOACCESS), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert_cmpuint(secmem_size(NULL), ==, 0);
    g_assert_cmpuint(secmem_applied(NULL), ==, 0);
    g_assert_cmpint(secmem_protection(NULL), ==, SECMEM_NOACCESS);
}

/* secmem_free and secmem_wipe leave errno as it was, whatever they do. */
static void test_errno_kept(void)
{
    unsigned char buf[32];
    static const secmem_prot states[] = {SECMEM_READWRITE, SECMEM_READONLY, SECMEM_NOACCESS};

    for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
        void *p = secmem_malloc(100);
        g_assert_nonnull(p);
        g_assert_cmpint(secmem_protect(p, states[i]), ==, 0);
        errno = EDOM;
        secmem_free(p);
        g_assert_cmpint(errno, ==, EDOM);
    }
    errno = ERANGE;
    secmem_free(NULL);
    g_assert_cmpint(errno, ==, ERANGE);
    errno = EILSEQ;
    secmem_wipe(buf, sizeof buf);
    g_assert_cmpint(errno, ==, EILSEQ);
    errno = EDOM;
    secmem_wipe(NULL, 0);
    g_assert_cmpint(errno, ==, EDOM);
}

static void test_new_is_readwrite(void)
{
    void *p = secmem_malloc(32);
    void *q = secmem_calloc(4, 8);
    g_assert_nonnull(p);
    g_assert_nonnull(q);
    g_assert_cmpint(secmem_protection(p), ==, SECMEM_READWRITE);
    g_assert_cmpint(secmem_protection(q), ==, SECMEM_READWRITE);
    secmem_free(p);
    secmem_free(q);
}

/* Under the default REQUIRED policy an allocation gets every protection the
 * system reports that applies to one allocation, and nothing it does not. */
static void test_applied_matches_features(void)
{
    const unsigned int per_allocation = SECMEM_FEATURE_LOCK | SECMEM_FEATURE_NODUMP |
                                        SECMEM_FEATURE_GUARD_PAGES | SECMEM_FEATURE_PROTECT |
                                        SECMEM_FEATURE_FORK_WIPE | SECMEM_FEATURE_IDLE_ENCRYPT;
    unsigned int features = secmem_features();

    g_assert_cmpint(secmem_get_option(SECMEM_OPT_LOCK_POLICY), ==, SECMEM_LOCK_REQUIRED);
    for (size_t size = 1; size <= 20000; size = size * 3 + 1) {
        void *p = secmem_malloc(size);
        g_assert_nonnull(p);
        unsigned int applied = secmem_applied(p);
        g_assert_cmphex(applied & ~features, ==, 0);
        g_assert_cmphex(applied & per_allocation, ==, features & per_allocation);
        g_assert_cmphex(applied & SECMEM_FEATURE_NO_CORE, ==, 0);
        secmem_free(p);
    }
}

/* Many live allocations at once never overlap one another. */
static void test_live_allocations_disjoint(void)
{
    enum { N = 300 };
    unsigned char *p[N];

    if (!tu_require_lock_budget((N + 16) * tu_page_size()))
        return;
    for (size_t i = 0; i < N; i++) {
        p[i] = secmem_malloc(i + 1);
        g_assert_nonnull(p[i]);
        memset(p[i], (int)(i & 0xff), i + 1);
    }
    for (size_t i = 0; i < N; i++) {
        for (size_t j = 0; j <= i; j++)
            g_assert_cmpuint(p[i][j], ==, i & 0xff);
        secmem_free(p[i]);
    }
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/alloc/alignment-every-size", test_alignment_every_size);
    g_test_add_func("/alloc/calloc-alignment", test_calloc_alignment);
    g_test_add_func("/alloc/calloc-zeroes", test_calloc_zeroes);
    g_test_add_func("/alloc/free-wipes", test_free_wipes);
    g_test_add_func("/alloc/size-zero-einval", test_size_zero_einval);
    g_test_add_func("/alloc/overflow-enomem", test_overflow_enomem);
    g_test_add_func("/alloc/calloc-overflow-enomem", test_calloc_overflow_enomem);
    g_test_add_func("/alloc/size-is-asked-size", test_size_is_asked_size);
    g_test_add_func("/alloc/null-rules", test_null_rules);
    g_test_add_func("/alloc/errno-kept-by-free-and-wipe", test_errno_kept);
    g_test_add_func("/alloc/new-is-readwrite", test_new_is_readwrite);
    g_test_add_func("/alloc/applied-matches-features", test_applied_matches_features);
    g_test_add_func("/alloc/live-allocations-disjoint", test_live_allocations_disjoint);
    return g_test_run();
}
