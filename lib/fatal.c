/*
 * fatal.c - the one way the library reports misuse that means the caller's
 * memory is already corrupt: one line on stderr, then SIGABRT.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if HAVE_UNISTD_H
#include <unistd.h>
#endif
#if HAVE_WINDOWS_H && HAVE_VIRTUALALLOC
#include <io.h>
#define write _write
#endif

/* Formats without malloc or stdio buffering: the heap may be what is broken. */
_Noreturn void secmem_fatal(const char *function, const char *what, const void *ptr)
{
    char line[256];
    int n = snprintf(line, sizeof line, "securememory: %s: %s (%p)\n", function, what, ptr);

    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        if (write(2, line, (unsigned)len) < 0) {
            /* nothing better to do: we abort either way */
        }
    }
    abort();
}
