/*
 * test-lockbudget.c - the lock policy when the lock budget runs out.  Each
 * test runs in a subprocess that drops CAP_IPC_LOCK and sets a small
 * RLIMIT_MEMLOCK, as an unprivileged daemon would have:
 *  - REQUIRED: the allocation fails with the system's errno (ENOMEM, or
 *    EPERM at a limit of 0) and leaves nothing mapped or counted; the cache
 *    is given back before it fails;
 *  - BEST_EFFORT: it succeeds unlocked, secmem_applied() lacks LOCK, and
 *    BYTES_UNLOCKED counts it;
 *  - an unlocked allocation is never handed out again as if it were locked;
 *  - secmem_lock passes the system's errno through.
 * Skipped under ASan/TSan, whose mlock always succeeds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#define KiB 1024u

struct counters {
    size_t allocations, in_use, locked, unlocked, mappings, cached, vmas;
};

static void snapshot(struct counters *c)
{
    c->allocations = secmem_stat_get(SECMEM_STAT_ALLOCATIONS);
    c->in_use = secmem_stat_get(SECMEM_STAT_BYTES_IN_USE);
    c->locked = secmem_stat_get(SECMEM_STAT_BYTES_LOCKED);
    c->unlocked = secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED);
    c->mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);
    c->cached = secmem_stat_get(SECMEM_STAT_CACHED_BYTES);
    c->vmas = tu_count_mappings();
}

static void assert_unchanged(const struct counters *before)
{
    struct counters now;

    snapshot(&now);
    g_assert_cmpuint(now.allocations, ==, before->allocations);
    g_assert_cmpuint(now.in_use, ==, before->in_use);
    g_assert_cmpuint(now.locked, ==, before->locked);
    g_assert_cmpuint(now.unlocked, ==, before->unlocked);
    g_assert_cmpuint(now.mappings, ==, before->mappings);
    g_assert_cmpuint(now.vmas, ==, before->vmas);
}

static void assert_fails_with(void *p, int e1, int e2)
{
    int err = errno;

    g_assert_null(p);
    if (err != e1 && err != e2)
        g_error("errno %d (%s), expected %s", err, g_strerror(err), g_strerror(e1));
}

/* REQUIRED over the budget: ENOMEM/EPERM, nothing left behind. */
static void required_fails(void)
{
    struct counters before;

    tu_limit_locking(64 * KiB);
    errno = 0;
    /* The first failure may set up the heap for the library's bookkeeping. */
    assert_fails_with(secmem_malloc(256 * KiB), ENOMEM, EPERM);
    snapshot(&before);
    for (int i = 0; i < 3; i++) {
        errno = 0;
        assert_fails_with(secmem_malloc(256 * KiB), ENOMEM, EPERM);
        errno = 0;
        assert_fails_with(secmem_calloc(1, 100 * KiB), ENOMEM, EPERM);
        assert_unchanged(&before);
    }
    /* What fits still works, locked. */
    void *p = secmem_malloc(4 * KiB);
    g_assert_nonnull(p);
    g_assert_cmphex(secmem_applied(p) & SECMEM_FEATURE_LOCK, ==, SECMEM_FEATURE_LOCK);
    secmem_free(p);
}

/* With no budget at all the kernel says EPERM, and so does the library. */
static void required_eperm_at_zero(void)
{
    struct counters before;

    tu_limit_locking(0);
    errno = 0;
    assert_fails_with(secmem_malloc(16), EPERM, EPERM);
    snapshot(&before);
    errno = 0;
    assert_fails_with(secmem_malloc(16), EPERM, EPERM);
    assert_unchanged(&before);
}

/* The cache fills the budget: a REQUIRED allocation gives it back and
 * retries before it fails. */
static void required_releases_cache(void)
{
    tu_limit_locking(64 * KiB);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_CACHE_BYTES, 1024 * KiB), ==, 0);
    void *a = secmem_malloc(40 * KiB);
    g_assert_nonnull(a);
    secmem_free(a);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_CACHED_BYTES), >=, 40 * KiB);
    /* 40 KiB cached + 48 KiB new > 64 KiB: fits only without the cache. */
    void *b = secmem_malloc(48 * KiB);
    g_assert_nonnull(b);
    g_assert_cmphex(secmem_applied(b) & SECMEM_FEATURE_LOCK, ==, SECMEM_FEATURE_LOCK);
    g_assert_cmpuint(secmem_stat_get(SECMEM_STAT_CACHED_BYTES), ==, 0);
    secmem_free(b);
}

/* BEST_EFFORT over the budget: unlocked, and said so. */
static void best_effort_unlocked(void)
{
    const unsigned int others = SECMEM_FEATURE_NODUMP | SECMEM_FEATURE_GUARD_PAGES |
                                SECMEM_FEATURE_PROTECT | SECMEM_FEATURE_FORK_WIPE;
    struct counters before, after;

    tu_limit_locking(64 * KiB);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT), ==, 0);
    secmem_trim();
    snapshot(&before);
    unsigned char *p = secmem_malloc(256 * KiB);
    g_assert_nonnull(p);
    memset(p, 0x6b, 256 * KiB);
    unsigned int applied = secmem_applied(p);
    g_assert_cmphex(applied & SECMEM_FEATURE_LOCK, ==, 0);
    /* Everything else still applies. */
    g_assert_cmphex(applied & others, ==, secmem_features() & others);
    snapshot(&after);
    g_assert_cmpuint(after.unlocked, ==, before.unlocked + 256 * KiB);
    g_assert_cmpuint(after.locked, ==, before.locked);
    g_assert_cmpuint(after.mappings, ==, before.mappings + 1);
    if (tu_have_smaps())
        g_assert_false(tu_has_vmflag(p, "lo"));
    secmem_free(p);
    secmem_trim();
    snapshot(&after);
    g_assert_cmpuint(after.unlocked, ==, before.unlocked);
    g_assert_cmpuint(after.mappings, ==, before.mappings);
}

/* An allocation that could not be locked under BEST_EFFORT and was freed
 * must not come back from the cache, unlocked, to a REQUIRED caller. */
static void unlocked_not_recycled_as_locked(void)
{
    tu_limit_locking(64 * KiB);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_CACHE_BYTES, 1024 * KiB), ==, 0);
    void *a = secmem_malloc(40 * KiB); /* locked: most of the budget */
    g_assert_nonnull(a);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT), ==, 0);
    void *b = secmem_malloc(40 * KiB); /* does not fit: unlocked */
    g_assert_nonnull(b);
    g_assert_cmphex(secmem_applied(b) & SECMEM_FEATURE_LOCK, ==, 0);
    g_assert_cmpint(secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_REQUIRED), ==, 0);
    secmem_free(a);
    secmem_free(b);
    for (int i = 0; i < 2; i++) {
        void *c = secmem_malloc(40 * KiB);
        if (c == NULL) {
            g_assert_true(errno == ENOMEM || errno == EPERM);
            continue;
        }
        g_assert_cmphex(secmem_applied(c) & SECMEM_FEATURE_LOCK, ==, SECMEM_FEATURE_LOCK);
        if (tu_have_smaps())
            g_assert_true(tu_has_vmflag(c, "lo"));
        secmem_free(c);
    }
}

/* secmem_lock reports the system's errno: EPERM without budget, ENOMEM
 * over it; nothing stays locked. */
static void lock_passes_errno(void)
{
    size_t page = tu_page_size();
    unsigned char *map = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    g_assert_true(map != MAP_FAILED);
    tu_limit_locking(page);
    errno = 0;
    g_assert_cmpint(secmem_lock(map, 3 * page), ==, -1);
    g_assert_cmpint(errno, ==, ENOMEM);
    if (tu_have_smaps())
        g_assert_false(tu_has_vmflag(map, "lo"));
    g_assert_cmpint(secmem_lock(map, 16), ==, 0);
    g_assert_cmpint(secmem_unlock(map, 16), ==, 0);
    munmap(map, 4 * page);
}

static void lock_eperm_at_zero(void)
{
    unsigned char buf[64];

    tu_limit_locking(0);
    errno = 0;
    g_assert_cmpint(secmem_lock(buf, sizeof buf), ==, -1);
    g_assert_cmpint(errno, ==, EPERM);
}

struct budget_test {
    const char *path;
    void (*body)(void);
};

static const struct budget_test budget_tests[] = {
    {"/lockbudget/required-fails", required_fails},
    {"/lockbudget/required-eperm-at-zero", required_eperm_at_zero},
    {"/lockbudget/required-releases-cache", required_releases_cache},
    {"/lockbudget/best-effort-unlocked", best_effort_unlocked},
    {"/lockbudget/unlocked-not-recycled-as-locked", unlocked_not_recycled_as_locked},
    {"/lockbudget/lock-passes-errno", lock_passes_errno},
    {"/lockbudget/lock-eperm-at-zero", lock_eperm_at_zero},
};

static void run_limited(gconstpointer data)
{
    const struct budget_test *t = data;
    const char *why;

    if (!tu_can_limit_locking(&why)) {
        g_test_skip(why);
        return;
    }
    if (g_test_subprocess()) {
        t->body();
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed();
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    for (size_t i = 0; i < G_N_ELEMENTS(budget_tests); i++)
        g_test_add_data_func(budget_tests[i].path, &budget_tests[i], run_limited);
    return g_test_run();
}
