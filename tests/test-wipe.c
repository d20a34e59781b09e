/*
 * test-wipe.c - secmem_wipe (exactly the bytes asked for) and secmem_equal
 * (1 or 0, any byte and any bit position matters, length 0 is equal).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>

/* Wipes [off, off+len) of a 0xee-filled buffer; the rest keeps its bytes. */
static void test_wipe_exact_range(void)
{
    unsigned char buf[96];

    for (size_t off = 0; off < 32; off += 7) {
        for (size_t len = 1; len <= 64; len += 5) {
            memset(buf, 0xee, sizeof buf);
            secmem_wipe(buf + off, len);
            for (size_t i = 0; i < sizeof buf; i++) {
                gboolean inside = i >= off && i < off + len;
                g_assert_cmpuint(buf[i], ==, inside ? 0 : 0xee);
            }
        }
    }
}

static void test_wipe_zero_length_and_null(void)
{
    unsigned char buf[8];

    memset(buf, 0xab, sizeof buf);
    secmem_wipe(buf, 0);
    for (size_t i = 0; i < sizeof buf; i++)
        g_assert_cmpuint(buf[i], ==, 0xab);
    secmem_wipe(NULL, 0);
    secmem_wipe(NULL, 16); /* nothing to wipe: must not crash */
}

static void test_wipe_keeps_errno(void)
{
    unsigned char buf[16];

    errno = ENOTTY;
    secmem_wipe(buf, sizeof buf);
    g_assert_cmpint(errno, ==, ENOTTY);
}

/* A guarded allocation wiped in place (the common use). */
static void test_wipe_allocation(void)
{
    unsigned char *p = secmem_malloc(300);

    g_assert_nonnull(p);
    memset(p, 0x99, 300);
    secmem_wipe(p, 300);
    for (size_t i = 0; i < 300; i++)
        g_assert_cmpuint(p[i], ==, 0);
    secmem_free(p);
}

static void test_equal_same(void)
{
    unsigned char a[64], b[64];

    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (unsigned char)(i * 7 + 1);
    for (size_t len = 1; len <= sizeof a; len++)
        g_assert_cmpint(secmem_equal(a, b, len), ==, 1);
    g_assert_cmpint(secmem_equal(a, a, sizeof a), ==, 1);
}

static void test_equal_zero_length(void)
{
    unsigned char a[1] = {1}, b[1] = {2};

    g_assert_cmpint(secmem_equal(a, b, 0), ==, 1);
    g_assert_cmpint(secmem_equal(NULL, NULL, 0), ==, 1);
}

/* Every single-bit difference at every position gives exactly 0. */
static void test_equal_every_bit(void)
{
    unsigned char a[33], b[33];

    memset(a, 0x5c, sizeof a);
    for (size_t i = 0; i < sizeof a; i++) {
        for (unsigned int bit = 0; bit < 8; bit++) {
            memcpy(b, a, sizeof a);
            b[i] ^= (unsigned char)(1u << bit);
            g_assert_cmpint(secmem_equal(a, b, sizeof a), ==, 0);
            g_assert_cmpint(secmem_equal(b, a, sizeof a), ==, 0);
            /* Only the first len bytes count. */
            g_assert_cmpint(secmem_equal(a, b, i), ==, 1);
        }
    }
}

/* Differences that cancel out in a sum or xor still count. */
static void test_equal_no_cancelling(void)
{
    unsigned char a[4] = {0x01, 0x02, 0x00, 0xff};
    unsigned char b[4] = {0x02, 0x01, 0xff, 0x00};

    g_assert_cmpint(secmem_equal(a, b, 4), ==, 0);
    g_assert_cmpint(secmem_equal(a, b, 2), ==, 0);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/wipe/exact-range", test_wipe_exact_range);
    g_test_add_func("/wipe/zero-length-and-null", test_wipe_zero_length_and_null);
    g_test_add_func("/wipe/keeps-errno", test_wipe_keeps_errno);
    g_test_add_func("/wipe/allocation", test_wipe_allocation);
    g_test_add_func("/equal/same", test_equal_same);
    g_test_add_func("/equal/zero-length", test_equal_zero_length);
    g_test_add_func("/equal/every-bit", test_equal_every_bit);
    g_test_add_func("/equal/no-cancelling", test_equal_no_cancelling);
    return g_test_run();
}
