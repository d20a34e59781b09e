/*
 * test-win32-encrypt.c - NOACCESS allocations are encrypted in place with
 * CryptProtectMemory and decrypted on the way out: the features and the
 * applied bits say so, the bytes at rest differ from the plaintext, every
 * way out of NOACCESS gives the plaintext back, and free still wipes.
 *
 * The test peeks at the bytes at rest by opening the pages itself with
 * VirtualProtect (the library's state is NOACCESS meanwhile).
 *
 * Wine's CryptProtectMemory is a stub that leaves the bytes unchanged, so
 * under wine (detected by ntdll's wine_get_version) only the "bytes at rest
 * differ" assertion is skipped; the round trip is still checked.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <string.h>

#include "securememory.h"
#include "tap.h"

static size_t page;

/* The whole pages holding [p, p + n). */
static void page_span(const unsigned char *p, size_t n, unsigned char **first, size_t *len)
{
    uintptr_t start = (uintptr_t)p & ~(uintptr_t)(page - 1);
    uintptr_t end = ((uintptr_t)p + n + page - 1) & ~(uintptr_t)(page - 1);
    *first = (unsigned char *)start;
    *len = (size_t)(end - start);
}

/* Copies the bytes at rest of a NOACCESS allocation, restoring NOACCESS. */
static int peek(const unsigned char *p, size_t n, unsigned char *copy)
{
    unsigned char *first;
    size_t len;
    DWORD old;

    page_span(p, n, &first, &len);
    if (!VirtualProtect(first, len, PAGE_READONLY, &old))
        return 0;
    memcpy(copy, p, n);
    return VirtualProtect(first, len, PAGE_NOACCESS, &old) != 0;
}

static void fill_pattern(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 7 + 1);
}

static int has_pattern(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 7 + 1))
            return 0;
    return 1;
}

static void test_reported(void)
{
    void *p = secmem_malloc(16);

    tap_ok((secmem_features() & SECMEM_FEATURE_IDLE_ENCRYPT) != 0,
           "secmem_features() has SECMEM_FEATURE_IDLE_ENCRYPT");
    tap_ok(p != NULL && (secmem_applied(p) & SECMEM_FEATURE_IDLE_ENCRYPT) != 0,
           "secmem_applied() has SECMEM_FEATURE_IDLE_ENCRYPT");
    secmem_free(p);
}

/* One size: encrypted at rest, back to plaintext through READWRITE and
 * through READONLY. */
static void test_round_trip(size_t n, int on_wine)
{
    unsigned char *p = secmem_malloc(n);
    unsigned char *at_rest = malloc(n);

    if (p == NULL || at_rest == NULL)
        tap_bail("allocation failed");
    fill_pattern(p, n);
    int to_noaccess = secmem_protect(p, SECMEM_NOACCESS) == 0;
    int peeked = peek(p, n, at_rest);
    tap_ok(to_noaccess && peeked && secmem_protection(p) == SECMEM_NOACCESS,
           "%lu bytes: NOACCESS, bytes at rest readable by the test", (unsigned long)n);
    if (on_wine)
        tap_skip("wine's CryptProtectMemory is a stub",
                 "%lu bytes: the bytes at rest differ from the plaintext", (unsigned long)n);
    else
        tap_ok(peeked && !has_pattern(at_rest, n),
               "%lu bytes: the bytes at rest differ from the plaintext", (unsigned long)n);
    tap_ok(secmem_protect(p, SECMEM_READWRITE) == 0 && has_pattern(p, n),
           "%lu bytes: NOACCESS -> READWRITE gives the plaintext back", (unsigned long)n);
    secmem_protect(p, SECMEM_NOACCESS);
    tap_ok(secmem_protect(p, SECMEM_READONLY) == 0 && has_pattern(p, n),
           "%lu bytes: NOACCESS -> READONLY gives the plaintext back", (unsigned long)n);
    secmem_free(p);
    free(at_rest);
}

/* Free of a NOACCESS (encrypted) allocation decrypts, checks the canaries
 * (no abort), and wipes: the cached pages read back as zero. */
static void test_free_while_noaccess(void)
{
    const size_t n = 100;
    unsigned char *p = secmem_malloc(n);
    MEMORY_BASIC_INFORMATION info;

    if (p == NULL)
        tap_bail("allocation failed");
    fill_pattern(p, n);
    secmem_protect(p, SECMEM_NOACCESS);
    secmem_free(p);
    if (VirtualQuery(p, &info, sizeof info) != sizeof info || info.State != MEM_COMMIT ||
        info.Protect != PAGE_READWRITE) {
        tap_skip("the freed pages were released, not cached",
                 "free of a NOACCESS allocation wipes it");
        return;
    }
    int zero = 1;
    for (size_t i = 0; i < n; i++)
        zero &= p[i] == 0;
    tap_ok(zero, "free of a NOACCESS allocation wipes it");
}

int main(void)
{
    SYSTEM_INFO si;
    int on_wine = running_on_wine();

    GetSystemInfo(&si);
    page = si.dwPageSize;
    tap_plan(2 + 4 * 4 + 1);
    if (on_wine)
        tap_diag("running under wine");
    test_reported();
    test_round_trip(16, on_wine);
    test_round_trip(37, on_wine);
    test_round_trip(page, on_wine);
    test_round_trip(3 * page + 5, on_wine);
    test_free_while_noaccess();
    return tap_done();
}
