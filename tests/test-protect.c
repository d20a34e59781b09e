/*
 * test-protect.c - secmem_protect/secmem_protection: every state change
 * keeps the contents, takes effect on the pages (seen in /proc/self/maps),
 * and bad arguments change nothing.  Faults are in test-guard.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>

static const secmem_prot states[] = {SECMEM_NOACCESS, SECMEM_READONLY, SECMEM_READWRITE};
static const size_t sizes[] = {1, 16, 100, 4096, 4097, 20000};

static void fill(unsigned char *p, size_t size, unsigned int seed)
{
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char)(i * 31u + seed);
}

static void check(const unsigned char *p, size_t size, unsigned int seed)
{
    for (size_t i = 0; i < size; i++)
        g_assert_cmpuint(p[i], ==, (unsigned char)(i * 31u + seed));
}

/* Every transition between the three states, from every state. */
static void test_round_trips_keep_contents(void)
{
    if (!tu_require_feature(SECMEM_FEATURE_PROTECT, "protect not reported"))
        return;
    for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
        unsigned char *p = secmem_malloc(sizes[s]);
        g_assert_nonnull(p);
        fill(p, sizes[s], (unsigned int)s);
        for (size_t from = 0; from < G_N_ELEMENTS(states); from++) {
            for (size_t to = 0; to < G_N_ELEMENTS(states); to++) {
                g_assert_cmpint(secmem_protect(p, states[from]), ==, 0);
                g_assert_cmpint(secmem_protection(p), ==, states[from]);
                g_assert_cmpint(secmem_protect(p, states[to]), ==, 0);
                g_assert_cmpint(secmem_protection(p), ==, states[to]);
                g_assert_cmpint(secmem_protect(p, SECMEM_READONLY), ==, 0);
                check(p, sizes[s], (unsigned int)s);
            }
        }
        g_assert_cmpint(secmem_protect(p, SECMEM_READWRITE), ==, 0);
        secmem_free(p);
    }
}

/* The state is the pages' state, as the kernel reports it. */
static void test_state_is_page_state(void)
{
    static const char *const perms[] = {"---p", "r--p", "rw-p"};

    if (!tu_require_feature(SECMEM_FEATURE_PROTECT, "protect not reported"))
        return;
    if (!tu_have_smaps()) {
        g_test_skip("/proc/self/maps is not available");
        return;
    }
    for (size_t s = 0; s < G_N_ELEMENTS(sizes); s++) {
        unsigned char *p = secmem_malloc(sizes[s]);
        g_assert_nonnull(p);
        for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
            g_assert_cmpint(secmem_protect(p, states[i]), ==, 0);
            char *first = tu_perms(tu_page_of(p));
            char *last = tu_perms(p + sizes[s] - 1);
            g_assert_cmpstr(first, ==, perms[states[i]]);
            g_assert_cmpstr(last, ==, perms[states[i]]);
            g_free(first);
            g_free(last);
        }
        secmem_free(p);
    }
}

/* Setting the state it already has is a no-op that succeeds. */
static void test_same_state_twice(void)
{
    unsigned char *p = secmem_malloc(64);
    g_assert_nonnull(p);
    fill(p, 64, 9);
    for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
        g_assert_cmpint(secmem_protect(p, states[i]), ==, 0);
        g_assert_cmpint(secmem_protect(p, states[i]), ==, 0);
        g_assert_cmpint(secmem_protection(p), ==, states[i]);
    }
    check(p, 64, 9);
    secmem_free(p);
}

static void test_invalid_prot_einval(void)
{
    static const int bad[] = {-1, 3, 4, 100, 0x7fffffff};
    unsigned char *p = secmem_malloc(64);

    g_assert_nonnull(p);
    fill(p, 64, 3);
    g_assert_cmpint(secmem_protect(p, SECMEM_READONLY), ==, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        errno = 0;
        g_assert_cmpint(secmem_protect(p, (secmem_prot)bad[i]), ==, -1);
        g_assert_cmpint(errno, ==, EINVAL);
        g_assert_cmpint(secmem_protection(p), ==, SECMEM_READONLY);
    }
    check(p, 64, 3);
    secmem_free(p);
}

/* secmem_free takes an allocation in any state, and the pages come back
 * wiped: a calloc of the same size, likely the same pages, reads zeros and
 * is READWRITE. */
static void test_free_in_any_state(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(states); i++) {
        unsigned char *p = secmem_malloc(4000);
        g_assert_nonnull(p);
        memset(p, 0x77, 4000);
        g_assert_cmpint(secmem_protect(p, states[i]), ==, 0);
        secmem_free(p);
        unsigned char *q = secmem_calloc(1, 4000);
        g_assert_nonnull(q);
        g_assert_cmpint(secmem_protection(q), ==, SECMEM_READWRITE);
        for (size_t j = 0; j < 4000; j++)
            g_assert_cmpuint(q[j], ==, 0);
        q[0] = 1; /* writable */
        secmem_free(q);
    }
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/protect/round-trips-keep-contents", test_round_trips_keep_contents);
    g_test_add_func("/protect/state-is-page-state", test_state_is_page_state);
    g_test_add_func("/protect/same-state-twice", test_same_state_twice);
    g_test_add_func("/protect/invalid-prot-einval", test_invalid_prot_einval);
    g_test_add_func("/protect/free-in-any-state", test_free_in_any_state);
    return g_test_run();
}
