/*
 * test-secretmem.c - SECMEM_OPT_BACKEND = SECMEM_BACKEND_SECRETMEM: the
 * mappings really are memfd_secret (/proc/self/maps says so), they are
 * withheld from fork children, and when the kernel refuses the library
 * falls back to anonymous memory and says so through secmem_applied().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* The /proc/self/maps line naming the mapping that holds addr. */
static gboolean mapping_is_secretmem(const void *addr)
{
    gchar *maps = NULL;
    gboolean found = FALSE;

    g_assert_true(g_file_get_contents("/proc/self/maps", &maps, NULL, NULL));
    gchar **lines = g_strsplit(maps, "\n", -1);
    for (gchar **line = lines; *line != NULL && **line != '\0'; line++) {
        guintptr lo = 0, hi = 0;
        if (sscanf(*line, "%" G_GINTPTR_MODIFIER "x-%" G_GINTPTR_MODIFIER "x", &lo, &hi) == 2 &&
            (guintptr)addr >= lo && (guintptr)addr < hi)
            found = strstr(*line, "secretmem") != NULL;
    }
    g_strfreev(lines);
    g_free(maps);
    return found;
}

static gboolean require_secretmem(void)
{
    if (tu_under_valgrind() && !(secmem_features() & SECMEM_FEATURE_SECRETMEM)) {
        g_test_skip("valgrind does not implement memfd_secret (syscall 447): the library "
                    "rightly does not report secretmem under it");
        return FALSE;
    }
    return tu_require_feature(SECMEM_FEATURE_SECRETMEM,
                              "memfd_secret is not compiled in or the kernel refuses it");
}

static void use_secretmem(void)
{
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_SECRETMEM), ==, 0);
}

static void test_mapping_is_secretmem(void)
{
    if (!require_secretmem())
        return;
    use_secretmem();
    unsigned char *p = secmem_malloc(100);
    g_assert_nonnull(p);
    unsigned int applied = secmem_applied(p);
    g_assert_true(applied & SECMEM_FEATURE_SECRETMEM);
    g_assert_true(applied & SECMEM_FEATURE_LOCK);
    g_assert_true(applied & SECMEM_FEATURE_NODUMP);
    g_assert_true(applied & SECMEM_FEATURE_GUARD_PAGES);
    g_assert_true(mapping_is_secretmem(p));
    memset(p, 0x77, 100);
    g_assert_cmpint(secmem_protect(p, SECMEM_NOACCESS), ==, 0);
    g_assert_cmpint(secmem_protect(p, SECMEM_READWRITE), ==, 0);
    g_assert_cmpint(p[99], ==, 0x77);
    secmem_free(p);
    secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_ANONYMOUS);
}

static void test_anonymous_by_default(void)
{
    unsigned char *p = secmem_malloc(64);
    g_assert_nonnull(p);
    g_assert_false(secmem_applied(p) & SECMEM_FEATURE_SECRETMEM);
    g_assert_false(mapping_is_secretmem(p));
    secmem_free(p);
}

static void child_sees_nothing(gconstpointer data)
{
    const unsigned char *p = data;
    /* MADV_DONTFORK: the data pages are not mapped in the child at all. */
    gchar *perms = tu_perms(p);
    g_assert_cmpstr(perms, ==, "");
    g_free(perms);
    secmem_free((void *)p); /* the child may forget it */
}

static void test_withheld_from_fork(void)
{
    if (!require_secretmem())
        return;
    /* A shared memfd_secret mapping is withheld only by MADV_DONTFORK. */
    if (!tu_require_feature(SECMEM_FEATURE_FORK_WIPE, "fork-wipe not reported (no MADV_DONTFORK)"))
        return;
    use_secretmem();
    unsigned char *p = secmem_malloc(32);
    g_assert_nonnull(p);
    g_assert_true(secmem_applied(p) & SECMEM_FEATURE_FORK_WIPE);
    memset(p, 0x5a, 32);
    tu_assert_child_ok(tu_run_in_child(child_sees_nothing, p));
    g_assert_cmpint(p[0], ==, 0x5a);
    secmem_free(p);
    secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_ANONYMOUS);
}

/* The child maps a page of its own where the withheld data pages were (any
 * mmap in the child, glibc's included, may land there), then forgets the
 * inherited secret or pool: that must not unmap the child's own page. */
static unsigned char *map_into_hole(const void *inherited)
{
    unsigned char *hole = (unsigned char *)tu_page_of(inherited);
    g_assert_true(tu_unmapped(hole));
    void *q = mmap(hole, tu_page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    g_assert_true(q == (void *)hole); /* the range is free: the hint is taken */
    memset(q, 0x42, tu_page_size());
    return q;
}

static void assert_still_mapped(const unsigned char *q)
{
    g_assert_false(tu_unmapped(q));
    g_assert_cmpuint(q[0], ==, 0x42);
    g_assert_cmpuint(q[tu_page_size() - 1], ==, 0x42);
}

static void child_reuses_hole_then_frees(gconstpointer data)
{
    unsigned char *q = map_into_hole(data);
    secmem_free((void *)data);
    assert_still_mapped(q);
}

static void test_child_free_spares_own_mapping(void)
{
    if (!require_secretmem())
        return;
    if (!tu_require_feature(SECMEM_FEATURE_FORK_WIPE, "fork-wipe not reported (no MADV_DONTFORK)"))
        return;
    use_secretmem();
    unsigned char *p = secmem_malloc(4 * tu_page_size());
    g_assert_nonnull(p);
    g_assert_true(mapping_is_secretmem(p));
    tu_assert_child_ok(tu_run_in_child(child_reuses_hole_then_frees, p));
    secmem_free(p);
    secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_ANONYMOUS);
}

struct inherited_pool {
    secmem_pool *pool;
    unsigned char *p;
};

static void child_reuses_hole_then_destroys(gconstpointer data)
{
    const struct inherited_pool *in = data;
    unsigned char *q = map_into_hole(in->p);
    secmem_pool_destroy(in->pool);
    assert_still_mapped(q);
}

static void test_child_destroy_spares_own_mapping(void)
{
    struct inherited_pool in;

    if (!require_secretmem())
        return;
    if (!tu_require_feature(SECMEM_FEATURE_FORK_WIPE, "fork-wipe not reported (no MADV_DONTFORK)"))
        return;
    use_secretmem();
    in.pool = secmem_pool_new(0);
    g_assert_nonnull(in.pool);
    in.p = secmem_pool_alloc(in.pool, 32);
    g_assert_nonnull(in.p);
    g_assert_true(mapping_is_secretmem(in.p));
    tu_assert_child_ok(tu_run_in_child(child_reuses_hole_then_destroys, &in));
    secmem_pool_destroy(in.pool);
    secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_ANONYMOUS);
}

/* Over RLIMIT_MEMLOCK the kernel refuses the memfd_secret mapping; the
 * library falls back to anonymous memory, which it then cannot lock. */
static void fall_back_in_child(gconstpointer data)
{
    (void)data;
    tu_limit_locking(64 * 1024);
    use_secretmem();
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);

    errno = 0;
    g_assert_null(secmem_malloc(1024 * 1024));
    g_assert_true(errno == ENOMEM || errno == EPERM || errno == EAGAIN);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_MAPPINGS), ==, mappings);

    g_assert_cmpint(secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT), ==, 0);
    unsigned char *p = secmem_malloc(1024 * 1024);
    g_assert_nonnull(p);
    g_assert_false(secmem_applied(p) & SECMEM_FEATURE_SECRETMEM);
    g_assert_false(secmem_applied(p) & SECMEM_FEATURE_LOCK);
    g_assert_false(mapping_is_secretmem(p));
    secmem_free(p);
}

static void test_fallback_when_refused(void)
{
    const char *why = NULL;

    if (!require_secretmem())
        return;
    if (!tu_can_limit_locking(&why)) {
        g_test_skip(why);
        return;
    }
    tu_assert_child_ok(tu_run_in_child(fall_back_in_child, NULL));
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/secretmem/anonymous-by-default", test_anonymous_by_default);
    g_test_add_func("/secretmem/mapping-is-secretmem", test_mapping_is_secretmem);
    g_test_add_func("/secretmem/withheld-from-fork", test_withheld_from_fork);
    g_test_add_func("/secretmem/fallback-when-refused", test_fallback_when_refused);
    g_test_add_func("/secretmem/child-free-spares-own-mapping",
                    test_child_free_spares_own_mapping);
    g_test_add_func("/secretmem/child-destroy-spares-own-mapping",
                    test_child_destroy_spares_own_mapping);
    return g_test_run();
}
