/*
 * fatal.c - the one way the library reports misuse that means the caller's
 * memory is already corrupt: one line on stderr, then SIGABRT.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <signal.h>
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
#if HAVE_WINDOWS_H && HAVE_VIRTUALALLOC
    /* The Microsoft C runtime's abort() writes a line of its own ("abnormal
     * program termination") and the Universal CRT's may call Windows Error
     * Reporting, which writes a dump; SIGABRT raised with its default action
     * ends the process with exit code 3 and does neither. */
    raise(SIGABRT);
#endif
    abort();
}
