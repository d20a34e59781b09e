/*
 * test-smaps.c - what the kernel says took effect on an allocation's data
 * pages: /proc/self/smaps VmFlags lo (locked), dd (don't dump), wf (wipe on
 * fork).  Each is checked for the first and the last data page of sizes
 * that span one and several pages, fresh and recycled.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <string.h>

#if HAVE_MLOCK
#define BUILT_WITH_MLOCK 1
#else
#define BUILT_WITH_MLOCK 0
#endif

static const size_t sizes[] = {1, 16, 4096, 4097, 50000};

struct flag_case {
    const char *flag;           /* VmFlags name */
    unsigned int feature;       /* SECMEM_FEATURE_* that promises it */
    gboolean compiled_in;       /* the build has the call that sets it */
    const char *not_compiled;   /* why it is skipped otherwise */
};

static const struct flag_case cases[] = {
    {"lo", SECMEM_FEATURE_LOCK, BUILT_WITH_MLOCK, "built without mlock"},
    {"dd", SECMEM_FEATURE_NODUMP, HAVE_DECL_MADV_DONTDUMP, "built without MADV_DONTDUMP"},
    {"wf", SECMEM_FEATURE_FORK_WIPE, HAVE_DECL_MADV_WIPEONFORK, "built without MADV_WIPEONFORK"},
};

static gboolean can_run(const struct flag_case *c)
{
    if (!tu_have_smaps()) {
        g_test_skip("/proc/self/smaps is not available");
        return FALSE;
    }
    if (!c->compiled_in) {
        g_test_skip(c->not_compiled);
        return FALSE;
    }
    if (!(secmem_features() & c->feature)) {
        char *why = g_strdup_printf("secmem_features() does not report %s",
                                    secmem_feature_name(c->feature));
        g_test_skip(why);
        g_free(why);
        return FALSE;
    }
    if (TU_MLOCK_IS_FAKE && c->feature == SECMEM_FEATURE_LOCK) {
        g_test_skip("the sanitizer turns mlock into a no-op");
        return FALSE;
    }
    return TRUE;
}

static void assert_flag_on_data(const unsigned char *p, size_t size, const char *flag)
{
    const unsigned char *first = tu_page_of(p);
    const unsigned char *last = p + size - 1;

    if (!tu_has_vmflag(first, flag) || !tu_has_vmflag(last, flag)) {
        char *vf = tu_vmflags(first);
        g_error("size %zu: VmFlags%s lacks %s", size, vf, flag);
    }
}

static void test_flag(gconstpointer data)
{
    const struct flag_case *c = data;

    if (!can_run(c))
        return;
    g_assert_cmpint(secmem_get_option(SECMEM_OPT_LOCK_POLICY), ==, SECMEM_LOCK_REQUIRED);
    for (int round = 0; round < 2; round++) { /* fresh, then from the cache */
        for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
            unsigned char *p = secmem_malloc(sizes[i]);
            g_assert_nonnull(p);
            g_assert_cmphex(secmem_applied(p) & c->feature, ==, c->feature);
            assert_flag_on_data(p, sizes[i], c->flag);
            /* The flag stays through protection changes. */
            g_assert_cmpint(secmem_protect(p, SECMEM_NOACCESS), ==, 0);
            assert_flag_on_data(p, sizes[i], c->flag);
            secmem_free(p);
        }
    }
}

/* The guard pages are not locked: they hold nothing and would only eat the
 * lock budget. */
static void test_guards_not_locked(void)
{
    if (!can_run(&cases[0]))
        return;
    unsigned char *p = secmem_malloc(100);
    g_assert_nonnull(p);
    const unsigned char *before = tu_page_of(p) - 1;
    const unsigned char *after = tu_page_of(p) + tu_page_size();
    g_assert_false(tu_has_vmflag(before, "lo"));
    g_assert_false(tu_has_vmflag(after, "lo"));
    secmem_free(p);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_data_func("/smaps/locked-lo", &cases[0], test_flag);
    g_test_add_data_func("/smaps/nodump-dd", &cases[1], test_flag);
    g_test_add_data_func("/smaps/wipeonfork-wf", &cases[2], test_flag);
    g_test_add_func("/smaps/guards-not-locked", test_guards_not_locked);
    return g_test_run();
}
