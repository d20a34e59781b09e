/*
 * test-features.c - secmem_features and secmem_feature_name: the names, the
 * one-bit rule, and that the reported set is what this build compiled in
 * and the running kernel accepts -- checked here independently, on a
 * scratch page, with the same probes configure ran.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if HAVE_DECL_SYS_MEMFD_SECRET
#include <sys/syscall.h>
#endif

static const struct {
    unsigned int bit;
    const char *name;
} names[] = {
    {SECMEM_FEATURE_LOCK, "lock"},
    {SECMEM_FEATURE_NODUMP, "nodump"},
    {SECMEM_FEATURE_GUARD_PAGES, "guard-pages"},
    {SECMEM_FEATURE_PROTECT, "protect"},
    {SECMEM_FEATURE_FORK_WIPE, "fork-wipe"},
    {SECMEM_FEATURE_IDLE_ENCRYPT, "idle-encrypt"},
    {SECMEM_FEATURE_SECRETMEM, "secretmem"},
    {SECMEM_FEATURE_NO_CORE, "no-core"},
};

#define ALL_FEATURES 0xffu

static void test_names(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        g_assert_cmpstr(secmem_feature_name(names[i].bit), ==, names[i].name);
}

/* Anything but exactly one known bit gives NULL. */
static void test_not_one_bit_null(void)
{
    g_assert_null(secmem_feature_name(0));
    g_assert_null(secmem_feature_name(SECMEM_FEATURE_LOCK | SECMEM_FEATURE_NODUMP));
    g_assert_null(secmem_feature_name(ALL_FEATURES));
    g_assert_null(secmem_feature_name(~0u));
    for (unsigned int bit = 8; bit < 32; bit++)
        g_assert_null(secmem_feature_name(1u << bit));
}

static void test_only_known_bits(void)
{
    g_assert_cmphex(secmem_features() & ~ALL_FEATURES, ==, 0);
}

static void test_stable(void)
{
    unsigned int first = secmem_features();
    void *p = secmem_malloc(10);
    g_assert_nonnull(p);
    secmem_free(p);
    g_assert_cmphex(secmem_features(), ==, first);
}

/* ---- independent probes ---------------------------------------------------- */

static void *scratch_page(void)
{
    void *p = mmap(NULL, tu_page_size(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    g_assert_true(p != MAP_FAILED);
    return p;
}

/* The kernel implements mlock (a full budget is not a missing feature). */
static gboolean kernel_locks(void)
{
#if HAVE_MLOCK
    void *p = scratch_page();
    int ok = mlock(p, tu_page_size()) == 0 || errno == ENOMEM || errno == EPERM ||
             errno == EAGAIN;
    munmap(p, tu_page_size());
    return ok;
#else
    return FALSE;
#endif
}

static gboolean kernel_advises(int advice)
{
#if HAVE_MADVISE
    void *p = scratch_page();
    int ok = madvise(p, tu_page_size(), advice) == 0;
    munmap(p, tu_page_size());
    return ok;
#else
    (void)advice;
    return FALSE;
#endif
}

static gboolean kernel_protects(void)
{
    void *p = scratch_page();
    int ok = mprotect(p, tu_page_size(), PROT_NONE) == 0;
    munmap(p, tu_page_size());
    return ok;
}

static void assert_reported(unsigned int bit, gboolean expected)
{
    unsigned int features = secmem_features();

    if (expected && !(features & bit))
        g_error("the build and the kernel support %s, secmem_features() omits it",
                secmem_feature_name(bit));
    if (!expected && (features & bit))
        g_error("secmem_features() reports %s, which this build/kernel lacks",
                secmem_feature_name(bit));
}

static void test_lock_reported(void)
{
    if (TU_MLOCK_IS_FAKE) {
        g_test_skip("the sanitizer fakes mlock: the probe proves nothing");
        return;
    }
    assert_reported(SECMEM_FEATURE_LOCK, kernel_locks());
}

static void test_protect_and_guards_reported(void)
{
    assert_reported(SECMEM_FEATURE_PROTECT, kernel_protects());
    assert_reported(SECMEM_FEATURE_GUARD_PAGES, kernel_protects());
}

static void test_nodump_reported(void)
{
#if HAVE_DECL_MADV_DONTDUMP
    assert_reported(SECMEM_FEATURE_NODUMP, kernel_advises(MADV_DONTDUMP));
#elif HAVE_DECL_MADV_NOCORE
    assert_reported(SECMEM_FEATURE_NODUMP, kernel_advises(MADV_NOCORE));
#elif HAVE_DECL_MAP_NOCORE || HAVE_DECL_MAP_CONCEAL
    g_test_skip("dump exclusion by mapping flag: not probed by this test");
#else
    assert_reported(SECMEM_FEATURE_NODUMP, FALSE);
#endif
}

static void test_fork_wipe_reported(void)
{
#if HAVE_DECL_MADV_WIPEONFORK
    /* Wipe-on-fork, or MADV_DONTFORK as the fallback: either withholds. */
    gboolean works = kernel_advises(MADV_WIPEONFORK);
#if HAVE_DECL_MADV_DONTFORK
    works = works || kernel_advises(MADV_DONTFORK);
#endif
    assert_reported(SECMEM_FEATURE_FORK_WIPE, works);
#elif HAVE_DECL_MADV_DONTFORK
    assert_reported(SECMEM_FEATURE_FORK_WIPE, kernel_advises(MADV_DONTFORK));
#elif HAVE_MINHERIT && HAVE_DECL_INHERIT_ZERO
    g_test_skip("minherit(INHERIT_ZERO): not probed by this test");
#else
    assert_reported(SECMEM_FEATURE_FORK_WIPE, FALSE);
#endif
}

static void test_no_core_reported(void)
{
#if HAVE_SETRLIMIT && HAVE_DECL_RLIMIT_CORE
    assert_reported(SECMEM_FEATURE_NO_CORE, TRUE);
#else
    assert_reported(SECMEM_FEATURE_NO_CORE, FALSE);
#endif
}

/* Idle encryption exists only with CryptProtectMemory. */
static void test_idle_encrypt_reported(void)
{
#if !HAVE_CRYPTPROTECTMEMORY
    assert_reported(SECMEM_FEATURE_IDLE_ENCRYPT, FALSE);
#else
    g_test_skip("CryptProtectMemory: checked by the Windows tests");
#endif
}

/* secretmem exactly where the build has memfd_secret and the kernel hands
 * out (and maps) such a descriptor. */
#if HAVE_DECL_SYS_MEMFD_SECRET
static gboolean kernel_has_secretmem(void)
{
    size_t page = tu_page_size();
    int fd = (int)syscall(SYS_memfd_secret, 0u);
    gboolean ok = FALSE;

    if (fd < 0)
        return FALSE;
    if (ftruncate(fd, (off_t)page) == 0) {
        void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ok = p != MAP_FAILED;
        if (ok)
            munmap(p, page);
    }
    close(fd);
    return ok;
}
#endif

static void test_secretmem_reported(void)
{
#if HAVE_DECL_SYS_MEMFD_SECRET
    assert_reported(SECMEM_FEATURE_SECRETMEM, kernel_has_secretmem());
#else
    assert_reported(SECMEM_FEATURE_SECRETMEM, FALSE);
#endif
}

static void test_version(void)
{
    g_assert_cmpstr(secmem_version(), ==, SECMEM_VERSION_STRING);
    g_assert_cmpstr(secmem_version(), ==, PACKAGE_VERSION);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/features/names", test_names);
    g_test_add_func("/features/not-one-bit-null", test_not_one_bit_null);
    g_test_add_func("/features/only-known-bits", test_only_known_bits);
    g_test_add_func("/features/stable", test_stable);
    g_test_add_func("/features/lock-reported", test_lock_reported);
    g_test_add_func("/features/protect-and-guards-reported", test_protect_and_guards_reported);
    g_test_add_func("/features/nodump-reported", test_nodump_reported);
    g_test_add_func("/features/fork-wipe-reported", test_fork_wipe_reported);
    g_test_add_func("/features/no-core-reported", test_no_core_reported);
    g_test_add_func("/features/idle-encrypt-reported", test_idle_encrypt_reported);
    g_test_add_func("/features/secretmem-reported", test_secretmem_reported);
    g_test_add_func("/version/matches-header", test_version);
    return g_test_run();
}
