/*
 * test-fork.c - what a fork() child inherits: no secret (zeros where it
 * was), no lock; it may secmem_free the inherited allocations, any other
 * use of them aborts; what it allocates itself is ordinary.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define INHERITED_MSG "allocation inherited across fork() used in the child"

static const size_t sizes[] = {1, 32, 4096, 4097, 30000};

struct inherited {
    unsigned char *p[G_N_ELEMENTS(sizes)];
};

static void make_secrets(struct inherited *in, secmem_prot prot)
{
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        in->p[i] = secmem_malloc(sizes[i]);
        g_assert_nonnull(in->p[i]);
        memset(in->p[i], 0xa5, sizes[i]);
        g_assert_cmpint(secmem_protect(in->p[i], prot), ==, 0);
    }
}

static void free_secrets(struct inherited *in)
{
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        /* The parent's copy kept its secret. */
        g_assert_cmpuint(in->p[i][0], ==, 0xa5);
        g_assert_cmpuint(in->p[i][sizes[i] - 1], ==, 0xa5);
        secmem_free(in->p[i]);
    }
}

static void child_reads_zeros(gconstpointer data)
{
    const struct inherited *in = data;

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
        for (size_t j = 0; j < sizes[i]; j++)
            if (in->p[i][j] != 0)
                _exit(10 + (int)i);
}

static void test_child_reads_zeros(void)
{
    static const secmem_prot readable[] = {SECMEM_READWRITE, SECMEM_READONLY};
    struct inherited in;

    if (!tu_require_feature(SECMEM_FEATURE_FORK_WIPE, "fork-wipe not reported"))
        return;
#if !HAVE_DECL_MADV_WIPEONFORK && !(HAVE_MINHERIT && HAVE_DECL_INHERIT_ZERO)
    g_test_skip("children are withheld by unmapping (MADV_DONTFORK), not by zeroing");
    return;
#endif
    for (size_t k = 0; k < G_N_ELEMENTS(readable); k++) {
        make_secrets(&in, readable[k]);
        tu_assert_child_ok(tu_run_in_child(child_reads_zeros, &in));
        for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
            g_assert_cmpint(secmem_protect(in.p[i], SECMEM_READWRITE), ==, 0);
        free_secrets(&in);
    }
}

/* Nothing the child inherits is locked, and its statistics say so. */
static void child_not_locked(gconstpointer data)
{
    const struct inherited *in = data;

    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_LOCKED), ==, 0);
    if (tu_have_smaps())
        for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
            g_assert_false(tu_has_vmflag(in->p[i], "lo"));
}

static void test_child_not_locked(void)
{
    struct inherited in;

    make_secrets(&in, SECMEM_READWRITE);
    tu_assert_child_ok(tu_run_in_child(child_not_locked, &in));
    free_secrets(&in);
}

static void child_frees(gconstpointer data)
{
    const struct inherited *in = data;

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
        secmem_free(in->p[i]);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, 0);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_BYTES_IN_USE), ==, 0);
}

/* In every protection state: freeing is how the child lets go of them. */
static void test_child_may_free(void)
{
    static const secmem_prot states[] = {SECMEM_READWRITE, SECMEM_READONLY, SECMEM_NOACCESS};
    struct inherited in;

    for (size_t k = 0; k < G_N_ELEMENTS(states); k++) {
        make_secrets(&in, states[k]);
        tu_assert_child_ok(tu_run_in_child(child_frees, &in));
        for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++)
            g_assert_cmpint(secmem_protect(in.p[i], SECMEM_READWRITE), ==, 0);
        free_secrets(&in);
    }
}

static void child_allocates(gconstpointer data)
{
    size_t base = secmem_stat_get(SECMEM_STAT_ALLOCATIONS);

    (void)data;
    for (size_t size = 1; size < 10000; size = size * 2 + 3) {
        unsigned char *p = secmem_malloc(size);
        g_assert_nonnull(p);
        memset(p, 0x3c, size);
        g_assert_cmpuint(secmem_size(p), ==, size);
        g_assert_cmpint(secmem_protect(p, SECMEM_READONLY), ==, 0);
        g_assert_cmpuint(p[size - 1], ==, 0x3c);
        if (secmem_features() & SECMEM_FEATURE_LOCK)
            g_assert_cmphex(secmem_applied(p) & SECMEM_FEATURE_LOCK, !=, 0);
        g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, base + 1);
        secmem_free(p);
    }
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_ALLOCATIONS), ==, base);
}

/* The child's own allocations are ordinary, cache inherited or not. */
static void test_child_allocations_work(void)
{
    struct inherited in;

    make_secrets(&in, SECMEM_READWRITE);
    /* Leave freed pages in the parent's cache: the child must not reuse
     * the (wiped, unlocked) copies as if they were its own. */
    void *cached = secmem_malloc(100);
    g_assert_nonnull(cached);
    secmem_free(cached);
    tu_assert_child_ok(tu_run_in_child(child_allocates, NULL));
    free_secrets(&in);
}

/* ---- any other use of an inherited allocation is fatal ------------------ */

enum use { USE_PROTECT, USE_SIZE, USE_PROTECTION, USE_APPLIED };
static const char *const use_names[] = {"secmem_protect", "secmem_size", "secmem_protection",
                                        "secmem_applied"};

static void use(enum use which, void *p)
{
    switch (which) {
    case USE_PROTECT:
        (void)secmem_protect(p, SECMEM_READONLY);
        break;
    case USE_SIZE:
        (void)secmem_size(p);
        break;
    case USE_PROTECTION:
        (void)secmem_protection(p);
        break;
    case USE_APPLIED:
        (void)secmem_applied(p);
        break;
    }
}

/* The subprocess forks; its child misuses, the subprocess reports how the
 * child ended (the child's stderr is the subprocess's). */
static void test_child_other_use_aborts(gconstpointer data)
{
    enum use which = (enum use)GPOINTER_TO_INT(data);

    if (g_test_subprocess()) {
        void *p = secmem_malloc(64);
        int status;
        g_assert_nonnull(p);
        fflush(stdout);
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
            tu_report_abort();
            use(which, p);
            _exit(0);
        }
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        g_assert_true(WIFSIGNALED(status));
        g_assert_cmpint(WTERMSIG(status), ==, SIGABRT);
        secmem_free(p);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
    char *line = g_strdup_printf("securememory: %s: " INHERITED_MSG " (0x*)\n" TU_ABORT_LINE,
                                 use_names[which]);
    g_test_trap_assert_stderr(line);
    g_test_trap_assert_stderr_unmatched("*\n*\n*\n*");
    g_free(line);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/fork/child-reads-zeros", test_child_reads_zeros);
    g_test_add_func("/fork/child-not-locked", test_child_not_locked);
    g_test_add_func("/fork/child-may-free", test_child_may_free);
    g_test_add_func("/fork/child-allocations-work", test_child_allocations_work);
    for (int u = USE_PROTECT; u <= USE_APPLIED; u++) {
        char *path = g_strdup_printf("/fork/child-other-use-aborts/%s", use_names[u]);
        g_test_add_data_func(path, GINT_TO_POINTER(u), test_child_other_use_aborts);
        g_free(path);
    }
    return g_test_run();
}
