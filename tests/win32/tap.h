/*
 * tap.h - a few lines of TAP (Test Anything Protocol) for the Windows test
 * programs: Debian has no GLib for mingw, so these print TAP themselves and
 * automake's tap-driver reads it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_TESTS_WIN32_TAP_H
#define SECMEM_TESTS_WIN32_TAP_H

#include <fcntl.h>
#include <io.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <windows.h>

/* printf-checked with the C runtime's own format rules (msvcrt or gnu). */
#define TAP_PRINTF(fmt, args) __attribute__((format(__MINGW_PRINTF_FORMAT, fmt, args)))

static int tap_count;
static int tap_failed;

/* Windows text mode turns "\n" into "\r\n"; the TAP driver wants "\n". */
static inline void tap_plan(int tests)
{
    _setmode(_fileno(stdout), _O_BINARY);
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("1..%d\n", tests);
}

TAP_PRINTF(3, 0) static inline void tap_vreport(int passed, const char *directive, const char *fmt, va_list ap)
{
    tap_count++;
    if (!passed)
        tap_failed++;
    printf("%s %d - ", passed ? "ok" : "not ok", tap_count);
    vprintf(fmt, ap);
    if (directive != NULL)
        printf(" # %s", directive);
    printf("\n");
}

/* One test point; returns passed so that callers can add a diagnostic. */
TAP_PRINTF(2, 3) static inline int tap_ok(int passed, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vreport(passed, NULL, fmt, ap);
    va_end(ap);
    return passed;
}

TAP_PRINTF(2, 3) static inline void tap_skip(const char *why, const char *fmt, ...)
{
    char directive[256];
    va_list ap;
    snprintf(directive, sizeof directive, "SKIP %s", why);
    va_start(ap, fmt);
    tap_vreport(1, directive, fmt, ap);
    va_end(ap);
}

TAP_PRINTF(1, 2) static inline void tap_diag(const char *fmt, ...)
{
    va_list ap;
    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* A failed precondition: the rest of the program cannot run meaningfully. */
static inline void tap_bail(const char *why)
{
    printf("Bail out! %s\n", why);
    exit(1);
}

static inline int tap_done(void)
{
    return tap_failed ? 1 : 0;
}

/* Wine exports wine_get_version from its ntdll; Windows does not. */
static inline int running_on_wine(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    return ntdll != NULL && GetProcAddress(ntdll, "wine_get_version") != NULL;
}

#endif /* SECMEM_TESTS_WIN32_TAP_H */
