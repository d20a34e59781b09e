/*
 * explicit_bzero.c - for platforms whose C library lacks explicit_bzero.
 * Built only when configure does not find it (AC_REPLACE_FUNCS); hidden,
 * never exported.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#if HAVE_WINDOWS_H
#include <windows.h>
#endif

void explicit_bzero(void *ptr, size_t len);

#if !HAVE_MEMSET_S && !HAVE_EXPLICIT_MEMSET && !HAVE_WINDOWS_H
/* Called through a volatile pointer: the compiler cannot prove it is memset
 * and so cannot drop the call as a dead store. */
static void *(*const volatile memset_indirect)(void *, int, size_t) = memset;
#endif

void explicit_bzero(void *ptr, size_t len)
{
#if HAVE_MEMSET_S
    memset_s(ptr, len, 0, len);
#elif HAVE_EXPLICIT_MEMSET
    explicit_memset(ptr, 0, len);
#elif HAVE_WINDOWS_H
    SecureZeroMemory(ptr, len);
#else
    memset_indirect(ptr, 0, len);
#endif
#if defined(__GNUC__)
    /* The bytes are "used" afterwards as far as the optimiser knows. */
    __asm__ __volatile__("" : : "r"(ptr) : "memory");
#endif
}
