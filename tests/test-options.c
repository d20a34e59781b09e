/*
 * test-options.c - options (get/set, bad input), the recycling cache and
 * its limit, secmem_trim, and the statistics that account for all of it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>

#define ALL_STATS 6

static size_t stat_now(secmem_stat which)
{
    return secmem_stat_get(which);
}

/* The locked or unlocked counter, whichever an allocation's pages are in. */
static secmem_stat pages_stat(const void *p)
{
    return (secmem_applied(p) & SECMEM_FEATURE_LOCK) ? SECMEM_STAT_BYTES_LOCKED
                                                      : SECMEM_STAT_BYTES_UNLOCKED;
}

static void set_option(secmem_option opt, long value)
{
    g_assert_cmpint(secmem_set_option(opt, value), ==, 0);
    g_assert_cmpint(secmem_get_option(opt), ==, value);
}

static void test_defaults(void)
{
    g_assert_cmpint(secmem_get_option(SECMEM_OPT_LOCK_POLICY), ==, SECMEM_LOCK_REQUIRED);
    g_assert_cmpint(secmem_get_option(SECMEM_OPT_BACKEND), ==, SECMEM_BACKEND_ANONYMOUS);
    g_assert_cmpint(secmem_get_option(SECMEM_OPT_CACHE_BYTES), >=, 0);
}

static void test_set_get_round_trip(void)
{
    long cache = secmem_get_option(SECMEM_OPT_CACHE_BYTES);

    set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
    set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_REQUIRED);
    set_option(SECMEM_OPT_CACHE_BYTES, 0);
    set_option(SECMEM_OPT_CACHE_BYTES, 12345);
    set_option(SECMEM_OPT_CACHE_BYTES, cache);
    set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_SECRETMEM);
    set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_ANONYMOUS);
}

static void test_unknown_option_einval(void)
{
    static const int unknown[] = {0, 4, -1, 1000};

    for (size_t i = 0; i < G_N_ELEMENTS(unknown); i++) {
        errno = 0;
        g_assert_cmpint(secmem_set_option((secmem_option)unknown[i], 0), ==, -1);
        g_assert_cmpint(errno, ==, EINVAL);
        errno = 0;
        g_assert_cmpint(secmem_get_option((secmem_option)unknown[i]), ==, -1);
        g_assert_cmpint(errno, ==, EINVAL);
    }
}

/* A bad value is refused and the option keeps its value. */
static void test_unknown_value_einval(void)
{
    static const struct {
        secmem_option opt;
        long value;
    } bad[] = {
        {SECMEM_OPT_LOCK_POLICY, -1}, {SECMEM_OPT_LOCK_POLICY, 2},
        {SECMEM_OPT_CACHE_BYTES, -1}, {SECMEM_OPT_CACHE_BYTES, -4096},
        {SECMEM_OPT_BACKEND, -1},     {SECMEM_OPT_BACKEND, 2},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        long before = secmem_get_option(bad[i].opt);
        errno = 0;
        g_assert_cmpint(secmem_set_option(bad[i].opt, bad[i].value), ==, -1);
        g_assert_cmpint(errno, ==, EINVAL);
        g_assert_cmpint(secmem_get_option(bad[i].opt), ==, before);
    }
}

static void test_stat_unknown_einval(void)
{
    static const int unknown[] = {0, ALL_STATS + 1, -1, 100};

    for (size_t i = 0; i < G_N_ELEMENTS(unknown); i++) {
        errno = 0;
        g_assert_cmpuint(secmem_stat_get((secmem_stat)unknown[i]), ==, 0);
        g_assert_cmpint(errno, ==, EINVAL);
    }
}

/* Fills the cache with n freed allocations of one data page each. */
static void fill_cache(size_t n)
{
    void *p[16];

    g_assert_cmpuint(n, <=, G_N_ELEMENTS(p));
    for (size_t i = 0; i < n; i++) {
        p[i] = secmem_malloc(100);
        g_assert_nonnull(p[i]);
    }
    for (size_t i = 0; i < n; i++)
        secmem_free(p[i]);
}

/* Allocate, free, trim: every counter moves by exactly what was held. */
static void test_stats_accounting(void)
{
    size_t page = tu_page_size();

    set_option(SECMEM_OPT_CACHE_BYTES, (long)(64 * page));
    secmem_trim();
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 0);
    size_t allocs = stat_now(SECMEM_STAT_ALLOCATIONS);
    size_t in_use = stat_now(SECMEM_STAT_BYTES_IN_USE);
    size_t maps = stat_now(SECMEM_STAT_MAPPINGS);
    size_t locked = stat_now(SECMEM_STAT_BYTES_LOCKED);
    size_t unlocked = stat_now(SECMEM_STAT_BYTES_UNLOCKED);

    void *p = secmem_malloc(100);   /* one data page */
    void *q = secmem_malloc(5000);  /* two data pages */
    g_assert_nonnull(p);
    g_assert_nonnull(q);
    secmem_stat ps = pages_stat(p);
    g_assert_cmpint(pages_stat(q), ==, ps);
    size_t held = ps == SECMEM_STAT_BYTES_LOCKED ? locked : unlocked;
    g_assert_cmpuint(stat_now(SECMEM_STAT_ALLOCATIONS), ==, allocs + 2);
    g_assert_cmpuint(stat_now(SECMEM_STAT_BYTES_IN_USE), ==, in_use + 5100);
    g_assert_cmpuint(stat_now(SECMEM_STAT_MAPPINGS), ==, maps + 2);
    g_assert_cmpuint(stat_now(ps), ==, held + 3 * page);
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 0);

    /* Freed: no longer live, but held (locked) in the cache. */
    secmem_free(p);
    secmem_free(q);
    g_assert_cmpuint(stat_now(SECMEM_STAT_ALLOCATIONS), ==, allocs);
    g_assert_cmpuint(stat_now(SECMEM_STAT_BYTES_IN_USE), ==, in_use);
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 3 * page);
    g_assert_cmpuint(stat_now(SECMEM_STAT_MAPPINGS), ==, maps + 2);
    g_assert_cmpuint(stat_now(ps), ==, held + 3 * page);

    /* Reuse from the cache: no new mapping. */
    p = secmem_malloc(200);
    g_assert_nonnull(p);
    g_assert_cmpuint(stat_now(SECMEM_STAT_MAPPINGS), ==, maps + 2);
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 2 * page);
    secmem_free(p);

    /* Trim gives everything back. */
    secmem_trim();
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 0);
    g_assert_cmpuint(stat_now(SECMEM_STAT_MAPPINGS), ==, maps);
    g_assert_cmpuint(stat_now(SECMEM_STAT_BYTES_LOCKED), ==, locked);
    g_assert_cmpuint(stat_now(SECMEM_STAT_BYTES_UNLOCKED), ==, unlocked);
}

/* The cache never holds more than the limit. */
static void test_cache_bounded(void)
{
    size_t page = tu_page_size();

    secmem_trim();
    set_option(SECMEM_OPT_CACHE_BYTES, (long)(3 * page));
    fill_cache(8);
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 3 * page);
    set_option(SECMEM_OPT_CACHE_BYTES, 0);
    fill_cache(4);
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 0);
}

/* Lowering the limit releases the excess at once, mappings included. */
static void test_lowering_limit_releases(void)
{
    size_t page = tu_page_size();

    secmem_trim();
    set_option(SECMEM_OPT_CACHE_BYTES, (long)(16 * page));
    size_t maps = stat_now(SECMEM_STAT_MAPPINGS);
    fill_cache(10);
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 10 * page);
    g_assert_cmpuint(stat_now(SECMEM_STAT_MAPPINGS), ==, maps + 10);
    set_option(SECMEM_OPT_CACHE_BYTES, (long)(4 * page));
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 4 * page);
    g_assert_cmpuint(stat_now(SECMEM_STAT_MAPPINGS), ==, maps + 4);
    set_option(SECMEM_OPT_CACHE_BYTES, 0);
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 0);
    g_assert_cmpuint(stat_now(SECMEM_STAT_MAPPINGS), ==, maps);
}

static void test_trim_empties_cache(void)
{
    size_t page = tu_page_size();

    set_option(SECMEM_OPT_CACHE_BYTES, (long)(16 * page));
    secmem_trim();
    size_t maps = stat_now(SECMEM_STAT_MAPPINGS);
    size_t locked = stat_now(SECMEM_STAT_BYTES_LOCKED);
    fill_cache(6);
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 6 * page);
    secmem_trim();
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 0);
    g_assert_cmpuint(stat_now(SECMEM_STAT_MAPPINGS), ==, maps);
    g_assert_cmpuint(stat_now(SECMEM_STAT_BYTES_LOCKED), ==, locked);
    secmem_trim(); /* an empty cache: nothing to do */
    g_assert_cmpuint(stat_now(SECMEM_STAT_CACHED_BYTES), ==, 0);
}

/* BEST_EFFORT does not change what an allocation gets when locking works. */
static void test_best_effort_still_locks(void)
{
    if (!tu_require_feature(SECMEM_FEATURE_LOCK, "secmem_features() does not report lock"))
        return;
    set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
    void *p = secmem_malloc(64);
    g_assert_nonnull(p);
    g_assert_cmphex(secmem_applied(p) & SECMEM_FEATURE_LOCK, ==, SECMEM_FEATURE_LOCK);
    secmem_free(p);
    set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_REQUIRED);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/options/defaults", test_defaults);
    g_test_add_func("/options/set-get-round-trip", test_set_get_round_trip);
    g_test_add_func("/options/unknown-option-einval", test_unknown_option_einval);
    g_test_add_func("/options/unknown-value-einval", test_unknown_value_einval);
    g_test_add_func("/options/best-effort-still-locks", test_best_effort_still_locks);
    g_test_add_func("/stats/unknown-einval", test_stat_unknown_einval);
    g_test_add_func("/stats/accounting", test_stats_accounting);
    g_test_add_func("/cache/bounded", test_cache_bounded);
    g_test_add_func("/cache/lowering-limit-releases", test_lowering_limit_releases);
    g_test_add_func("/cache/trim-empties", test_trim_empties_cache);
    return g_test_run();
}
