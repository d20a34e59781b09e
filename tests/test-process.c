/*
 * test-process.c - secmem_disable_core_dumps, in a fork()ed child (it
 * changes the process for good): RLIMIT_CORE soft and hard 0, and the
 * process no longer dumpable where PR_SET_DUMPABLE exists.  Each check
 * first makes sure the child starts from the opposite state, so that the
 * test fails if the call does nothing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#if HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#if HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#define HAVE_CORE_LIMIT (HAVE_SETRLIMIT && HAVE_GETRLIMIT && HAVE_DECL_RLIMIT_CORE)
#define HAVE_DUMPABLE (HAVE_PRCTL && HAVE_DECL_PR_SET_DUMPABLE && HAVE_DECL_PR_GET_DUMPABLE)

#if HAVE_CORE_LIMIT
static void child_core_limit(gconstpointer data)
{
    struct rlimit rl;

    (void)data;
    g_assert_cmpint(getrlimit(RLIMIT_CORE, &rl), ==, 0);
    rl.rlim_cur = rl.rlim_max; /* start from a limit that allows dumps */
    g_assert_cmpint(setrlimit(RLIMIT_CORE, &rl), ==, 0);
    g_assert_cmpint(secmem_disable_core_dumps(), ==, 0);
    g_assert_cmpint(getrlimit(RLIMIT_CORE, &rl), ==, 0);
    g_assert_cmpuint(rl.rlim_cur, ==, 0);
    g_assert_cmpuint(rl.rlim_max, ==, 0);
}
#endif

static void test_core_limit_zero(void)
{
#if HAVE_CORE_LIMIT
    struct rlimit rl;

    if (!tu_require_feature(SECMEM_FEATURE_NO_CORE, "no-core not reported"))
        return;
    g_assert_cmpint(getrlimit(RLIMIT_CORE, &rl), ==, 0);
    if (rl.rlim_max == 0) {
        g_test_skip("RLIMIT_CORE hard limit is already 0: the test could not fail");
        return;
    }
    tu_assert_child_ok(tu_run_in_child(child_core_limit, NULL));
#else
    g_test_skip("built without setrlimit(RLIMIT_CORE)");
#endif
}

#if HAVE_DUMPABLE
static void child_not_dumpable(gconstpointer data)
{
    (void)data;
    g_assert_cmpint(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), ==, 0);
    g_assert_cmpint(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 1);
    g_assert_cmpint(secmem_disable_core_dumps(), ==, 0);
    g_assert_cmpint(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), ==, 0);
}
#endif

static void test_not_dumpable(void)
{
#if HAVE_DUMPABLE
    if (!tu_require_feature(SECMEM_FEATURE_NO_CORE, "no-core not reported"))
        return;
    tu_assert_child_ok(tu_run_in_child(child_not_dumpable, NULL));
#else
    g_test_skip("built without prctl(PR_SET_DUMPABLE)");
#endif
}

/* Calling it twice is harmless. */
static void child_twice(gconstpointer data)
{
    (void)data;
    g_assert_cmpint(secmem_disable_core_dumps(), ==, 0);
    g_assert_cmpint(secmem_disable_core_dumps(), ==, 0);
}

static void test_twice(void)
{
    if (!tu_require_feature(SECMEM_FEATURE_NO_CORE, "no-core not reported"))
        return;
    tu_assert_child_ok(tu_run_in_child(child_twice, NULL));
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/process/core-limit-zero", test_core_limit_zero);
    g_test_add_func("/process/not-dumpable", test_not_dumpable);
    g_test_add_func("/process/twice", test_twice);
    return g_test_run();
}
