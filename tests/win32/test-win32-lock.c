/*
 * test-win32-lock.c - VirtualLock under the lock policy.
 *
 * Always: the policy option, and a 4 MiB REQUIRED allocation that must come
 * back locked.  On Windows 4 MiB is far above the default minimum working
 * set (about 200 KiB), so this passes only through the library's
 * working-set growth and retry on ERROR_WORKING_SET_QUOTA.
 *
 * With SECMEM_TEST_LOCK_LIMIT set (the wine runner sets it when it has
 * started this program with a small RLIMIT_MEMLOCK and without
 * CAP_IPC_LOCK, so that wine's VirtualLock, which is mlock, must fail):
 * REQUIRED fails cleanly with ENOMEM or EPERM and leaves nothing mapped,
 * BEST_EFFORT succeeds unlocked and says so.  Without it those are skipped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <string.h>

#include "securememory.h"
#include "tap.h"

#define BIG ((size_t)4 << 20)

static void test_policy_option(void)
{
    tap_ok(secmem_get_option(SECMEM_OPT_LOCK_POLICY) == SECMEM_LOCK_REQUIRED,
           "the lock policy defaults to REQUIRED");
    errno = 0;
    tap_ok(secmem_set_option(SECMEM_OPT_LOCK_POLICY, 7) == -1 && errno == EINVAL,
           "an unknown lock policy: -1, EINVAL");
}

static void test_big_locked(void)
{
    size_t locked_before = secmem_stat_get(SECMEM_STAT_BYTES_LOCKED);
    unsigned char *p = secmem_malloc(BIG);

    if (!tap_ok(p != NULL, "a 4 MiB REQUIRED allocation succeeds (working set grown as needed)"))
        tap_diag("errno %d", errno);
    tap_ok(p != NULL && (secmem_applied(p) & SECMEM_FEATURE_LOCK) != 0,
           "... and is locked");
    tap_ok(p != NULL && secmem_stat_get(SECMEM_STAT_BYTES_LOCKED) >= locked_before + BIG,
           "... and counted as locked bytes");
    if (p != NULL) {
        memset(p, 1, BIG);
        secmem_free(p);
    }
}

static void test_limited(size_t limit)
{
    size_t n = 4 * limit;
    size_t mappings = secmem_stat_get(SECMEM_STAT_MAPPINGS);
    unsigned char *p;

    secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_REQUIRED);
    errno = 0;
    p = secmem_malloc(n);
    if (!tap_ok(p == NULL && (errno == ENOMEM || errno == EPERM),
                "REQUIRED over the lock limit: NULL, ENOMEM or EPERM"))
        tap_diag("pointer %p, errno %d", (void *)p, errno);
    tap_ok(secmem_stat_get(SECMEM_STAT_MAPPINGS) == mappings,
           "REQUIRED over the lock limit leaves nothing mapped");
    secmem_free(p);

    secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
    size_t unlocked = secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED);
    p = secmem_malloc(n);
    tap_ok(p != NULL && (secmem_applied(p) & SECMEM_FEATURE_LOCK) == 0,
           "BEST_EFFORT over the lock limit: succeeds, applied lacks LOCK");
    tap_ok(p != NULL && secmem_stat_get(SECMEM_STAT_BYTES_UNLOCKED) >= unlocked + n,
           "BEST_EFFORT over the lock limit: counted as unlocked bytes");
    secmem_free(p);
    secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_REQUIRED);

    unsigned char *plain = malloc(n);
    errno = 0;
    tap_ok(plain != NULL && secmem_lock(plain, n) == -1 && (errno == ENOMEM || errno == EPERM),
           "secmem_lock over the lock limit: -1, ENOMEM or EPERM");
    free(plain);
}

int main(void)
{
    const char *limit = getenv("SECMEM_TEST_LOCK_LIMIT");

    tap_plan(2 + 3 + 5);
    test_policy_option();
    if (limit != NULL && *limit != '\0') {
        tap_skip("a lock limit is imposed on this run", "4 MiB REQUIRED allocation (unlimited runs only)");
        tap_skip("a lock limit is imposed on this run", "... locked");
        tap_skip("a lock limit is imposed on this run", "... counted");
        test_limited((size_t)strtoul(limit, NULL, 10));
    } else {
        test_big_locked();
        for (int i = 0; i < 5; i++)
            tap_skip("no lock limit imposed on this run (the wine runner imposes one on "
                     "test-win32-lockfail)", "lock failure under the lock policy");
    }
    return tap_done();
}
