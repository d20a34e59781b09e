/*
 * test-lock.c - secmem_lock/secmem_unlock on memory the library did not
 * allocate: the kernel shows the pages locked and not dumped, then neither;
 * unlock wipes exactly the range.  Lock failures (errno from the system)
 * are in test-lockbudget.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static gboolean can_observe(void)
{
    if (!tu_require_feature(SECMEM_FEATURE_LOCK, "secmem_features() does not report lock"))
        return FALSE;
    if (TU_MLOCK_IS_FAKE) {
        g_test_skip("the sanitizer turns mlock into a no-op");
        return FALSE;
    }
    if (!tu_have_smaps()) {
        g_test_skip("/proc/self/smaps is not available");
        return FALSE;
    }
    return TRUE;
}

static void assert_locked(const void *addr, size_t len, gboolean locked)
{
    const unsigned char *first = addr;
    const unsigned char *last = first + len - 1;
    gboolean nodump = (secmem_features() & SECMEM_FEATURE_NODUMP) != 0;

    g_assert_cmpint(tu_has_vmflag(first, "lo"), ==, locked);
    g_assert_cmpint(tu_has_vmflag(last, "lo"), ==, locked);
#if HAVE_DECL_MADV_DONTDUMP
    if (nodump) {
        g_assert_cmpint(tu_has_vmflag(first, "dd"), ==, locked);
        g_assert_cmpint(tu_has_vmflag(last, "dd"), ==, locked);
    }
#else
    (void)nodump;
#endif
}

/* A range in the middle of a mapping of its own, crossing a page boundary. */
static void test_lock_mapping_range(void)
{
    size_t page = tu_page_size();

    if (!can_observe())
        return;
    unsigned char *map = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert_true(map != MAP_FAILED);
    unsigned char *secret = map + page + page / 2;
    size_t len = page; /* ends halfway through the third page */

    assert_locked(secret, len, FALSE);
    g_assert_cmpint(secmem_lock(secret, len), ==, 0);
    assert_locked(secret, len, TRUE);
    /* Whole pages: the first and the last byte of the pages are covered. */
    assert_locked(map + page, 2 * page, TRUE);
    /* The pages outside the range are not. */
    g_assert_false(tu_has_vmflag(map, "lo"));
    g_assert_false(tu_has_vmflag(map + 3 * page, "lo"));
    g_assert_cmpint(secmem_unlock(secret, len), ==, 0);
    assert_locked(secret, len, FALSE);
    munmap(map, 4 * page);
}

static void test_lock_stack_buffer(void)
{
    unsigned char secret[64];

    if (!can_observe())
        return;
    memset(secret, 0x31, sizeof secret);
    g_assert_cmpint(secmem_lock(secret, sizeof secret), ==, 0);
    assert_locked(secret, sizeof secret, TRUE);
    g_assert_cmpint(secmem_unlock(secret, sizeof secret), ==, 0);
    assert_locked(secret, sizeof secret, FALSE);
    for (size_t i = 0; i < sizeof secret; i++)
        g_assert_cmpuint(secret[i], ==, 0);
}

static void test_lock_heap_buffer(void)
{
    unsigned char *secret = g_malloc(200);

    if (!can_observe()) {
        g_free(secret);
        return;
    }
    g_assert_cmpint(secmem_lock(secret, 200), ==, 0);
    assert_locked(secret, 200, TRUE);
    g_assert_cmpint(secmem_unlock(secret, 200), ==, 0);
    assert_locked(secret, 200, FALSE);
    g_free(secret);
}

/* Unlock wipes [addr, addr+len) and not one byte either side. */
static void test_unlock_wipes_exactly(void)
{
    unsigned char buf[256];

    for (size_t off = 1; off < 64; off += 13) {
        for (size_t len = 1; len < 128; len += 31) {
            memset(buf, 0xd7, sizeof buf);
            if (secmem_lock(buf + off, len) != 0) {
                /* no lock here: the wipe is what this test is about */
                g_assert_cmpint(errno, ==, ENOSYS);
            }
            (void)secmem_unlock(buf + off, len);
            for (size_t i = 0; i < sizeof buf; i++) {
                gboolean inside = i >= off && i < off + len;
                g_assert_cmpuint(buf[i], ==, inside ? 0 : 0xd7);
            }
        }
    }
}

static void test_bad_arguments_einval(void)
{
    unsigned char buf[16];

    errno = 0;
    g_assert_cmpint(secmem_lock(NULL, 16), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(secmem_lock(buf, 0), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(secmem_unlock(NULL, 16), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_cmpint(secmem_unlock(buf, 0), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
    /* A range that wraps around the address space. */
    errno = 0;
    g_assert_cmpint(secmem_lock(buf, SIZE_MAX), ==, -1);
    g_assert_cmpint(errno, ==, EINVAL);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/lock/mapping-range", test_lock_mapping_range);
    g_test_add_func("/lock/stack-buffer", test_lock_stack_buffer);
    g_test_add_func("/lock/heap-buffer", test_lock_heap_buffer);
    g_test_add_func("/lock/unlock-wipes-exactly", test_unlock_wipes_exactly);
    g_test_add_func("/lock/bad-arguments-einval", test_bad_arguments_einval);
    return g_test_run();
}
