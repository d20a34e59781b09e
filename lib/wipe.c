/*
 * wipe.c - secmem_wipe and secmem_equal.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <string.h>

void secmem_internal_wipe(void *ptr, size_t len)
{
    /* explicit_bzero from libc, or lib/compat/explicit_bzero.c where the
     * platform lacks it: either way the compiler cannot drop the stores. */
    explicit_bzero(ptr, len);
}

void secmem_wipe(void *ptr, size_t len)
{
    int saved_errno = errno;

    if (ptr != NULL && len != 0)
        secmem_internal_wipe(ptr, len);
    errno = saved_errno;
}

int secmem_equal(const void *a, const void *b, size_t len)
{
    const volatile unsigned char *x = a;
    const volatile unsigned char *y = b;
    unsigned char diff = 0;

    /* Every byte is read whatever the earlier ones were: the time taken
     * depends on len only. */
    for (size_t i = 0; i < len; i++)
        diff |= (unsigned char)(x[i] ^ y[i]);
    return (int)((1u & ((unsigned int)diff - 1u) >> 8));
}
