/*
 * test-win32-alloc.c - guarded allocations on Windows: sizes and errors,
 * alignment and placement against the trailing guard page, what the
 * runtime reports (features, applied bits), wipe on free, secmem_lock and
 * secmem_unlock, secmem_disable_core_dumps.
 *
 * Built twice: against the DLL, and against the static library with
 * SECMEM_STATIC (so both ways of linking are shown to work).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "securememory.h"
#include "tap.h"

static size_t page;

static size_t page_of_system(void)
{
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return info.dwPageSize;
}

static void test_errors(void)
{
    errno = 0;
    tap_ok(secmem_malloc(0) == NULL && errno == EINVAL, "secmem_malloc(0): NULL, EINVAL");
    errno = 0;
    tap_ok(secmem_calloc(0, 8) == NULL && errno == EINVAL, "secmem_calloc(0, 8): NULL, EINVAL");
    errno = 0;
    tap_ok(secmem_calloc(SIZE_MAX / 2, 4) == NULL && errno == ENOMEM,
           "secmem_calloc overflow: NULL, ENOMEM");
    errno = 0;
    tap_ok(secmem_malloc(SIZE_MAX - 8) == NULL && errno == ENOMEM,
           "secmem_malloc(SIZE_MAX - 8): NULL, ENOMEM");
    errno = 0;
    tap_ok(secmem_protect(NULL, SECMEM_READONLY) == -1 && errno == EINVAL,
           "secmem_protect(NULL): -1, EINVAL");
    tap_ok(secmem_size(NULL) == 0 && secmem_applied(NULL) == 0 &&
               secmem_protection(NULL) == SECMEM_NOACCESS,
           "NULL queries: size 0, applied 0, NOACCESS");
    errno = 1234;
    secmem_free(NULL);
    tap_ok(errno == 1234, "secmem_free(NULL) does nothing and keeps errno");
}

/* Every size lands aligned to 16; multiples of 16 end exactly at the guard
 * page (the page after the last byte is PAGE_NOACCESS). */
static void test_alignment_and_placement(void)
{
    static const size_t sizes[] = {1, 15, 16, 17, 31, 32, 100, 4095, 4096, 4097, 65536, 100000};
    int aligned = 1, at_guard = 1, sized = 1, writable = 1;

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t n = sizes[i];
        unsigned char *p = secmem_malloc(n);
        if (p == NULL) {
            tap_diag("secmem_malloc(%lu) failed: errno %d", (unsigned long)n, errno);
            aligned = at_guard = sized = writable = 0;
            continue;
        }
        aligned &= ((uintptr_t)p % 16) == 0;
        sized &= secmem_size(p) == n;
        memset(p, 0xa5, n);
        writable &= p[0] == 0xa5 && p[n - 1] == 0xa5;
        if (n % 16 == 0) {
            MEMORY_BASIC_INFORMATION info;
            at_guard &= VirtualQuery(p + n, &info, sizeof info) == sizeof info &&
                        info.Protect == PAGE_NOACCESS && ((uintptr_t)(p + n) % page) == 0;
        }
        secmem_free(p);
    }
    tap_ok(aligned, "every allocation is 16-byte aligned");
    tap_ok(sized, "secmem_size returns the size asked for");
    tap_ok(writable, "fresh allocations are writable end to end");
    tap_ok(at_guard, "for sizes that are multiples of 16, p[size] is in a NOACCESS guard page");
}

static void test_calloc_zero(void)
{
    unsigned char *p = secmem_calloc(37, 3);
    int zero = p != NULL;

    for (size_t i = 0; p != NULL && i < 37 * 3; i++)
        zero &= p[i] == 0;
    tap_ok(zero, "secmem_calloc returns zeroed memory");
    secmem_free(p);
}

static void test_features(void)
{
    unsigned int f = secmem_features();
    unsigned int want = SECMEM_FEATURE_LOCK | SECMEM_FEATURE_GUARD_PAGES | SECMEM_FEATURE_PROTECT |
                        SECMEM_FEATURE_IDLE_ENCRYPT | SECMEM_FEATURE_NO_CORE;

    tap_diag("secmem_features() = 0x%x", f);
    tap_ok((f & want) == want, "features: lock, guard-pages, protect, idle-encrypt, no-core");
    tap_ok((f & (SECMEM_FEATURE_NODUMP | SECMEM_FEATURE_FORK_WIPE | SECMEM_FEATURE_SECRETMEM)) == 0,
           "features: no nodump, fork-wipe or secretmem claimed on Windows");
    tap_ok(secmem_feature_name(SECMEM_FEATURE_IDLE_ENCRYPT) != NULL &&
               strcmp(secmem_feature_name(SECMEM_FEATURE_IDLE_ENCRYPT), "idle-encrypt") == 0,
           "secmem_feature_name(IDLE_ENCRYPT) is \"idle-encrypt\"");

    void *p = secmem_malloc(64);
    unsigned int applied = p ? secmem_applied(p) : 0;
    tap_diag("secmem_applied() = 0x%x", applied);
    tap_ok(p != NULL && (applied & want & ~SECMEM_FEATURE_NO_CORE) ==
                            (want & ~SECMEM_FEATURE_NO_CORE),
           "applied: lock, guard-pages, protect, idle-encrypt");
    tap_ok(p != NULL && secmem_protection(p) == SECMEM_READWRITE, "new allocation is READWRITE");
    secmem_free(p);
}

/* With the cache on, freed pages stay mapped for reuse: read them back. */
static void test_wipe_on_free(void)
{
    const size_t n = 200;
    unsigned char *p = secmem_malloc(n);
    MEMORY_BASIC_INFORMATION info;

    if (p == NULL) {
        tap_ok(0, "wipe on free: allocation");
        return;
    }
    memset(p, 0x3c, n);
    secmem_free(p);
    if (VirtualQuery(p, &info, sizeof info) != sizeof info || info.State != MEM_COMMIT ||
        info.Protect != PAGE_READWRITE) {
        tap_skip("the freed pages were released, not cached", "wipe on free: bytes are zero");
        return;
    }
    int zero = 1;
    for (size_t i = 0; i < n; i++)
        zero &= p[i] == 0;
    tap_ok(zero, "wipe on free: the freed (cached) bytes are zero");
}

static void test_lock_arbitrary(void)
{
    unsigned char buf[64];

    memset(buf, 0x77, sizeof buf);
    errno = 0;
    tap_ok(secmem_lock(NULL, 8) == -1 && errno == EINVAL, "secmem_lock(NULL): EINVAL");
    errno = 0;
    tap_ok(secmem_lock(buf, 0) == -1 && errno == EINVAL, "secmem_lock(len 0): EINVAL");
    tap_ok(secmem_lock(buf, sizeof buf) == 0, "secmem_lock of a stack buffer");
    tap_ok(secmem_unlock(buf, sizeof buf) == 0, "secmem_unlock of it");
    int zero = 1;
    for (size_t i = 0; i < sizeof buf; i++)
        zero &= buf[i] == 0;
    tap_ok(zero, "secmem_unlock wiped the buffer");
}

static void test_disable_core_dumps(void)
{
    tap_ok(secmem_disable_core_dumps() == 0, "secmem_disable_core_dumps succeeds");
    tap_ok((GetErrorMode() & SEM_NOGPFAULTERRORBOX) != 0,
           "the error mode now keeps Windows Error Reporting away (SEM_NOGPFAULTERRORBOX)");
}

static void test_misc(void)
{
    unsigned char a[32], b[32];

    tap_ok(strcmp(secmem_version(), SECMEM_VERSION_STRING) == 0, "secmem_version matches the header");
    memset(a, 1, sizeof a);
    memcpy(b, a, sizeof b);
    tap_ok(secmem_equal(a, b, sizeof a) == 1, "secmem_equal: equal");
    b[31] ^= 1;
    tap_ok(secmem_equal(a, b, sizeof a) == 0, "secmem_equal: differ in the last byte");
    secmem_wipe(a, sizeof a);
    tap_ok(a[0] == 0 && a[31] == 0, "secmem_wipe zeroes");
}

int main(void)
{
    tap_plan(29);
    page = page_of_system();
    test_errors();
    test_alignment_and_placement();
    test_calloc_zero();
    test_features();
    test_wipe_on_free();
    test_lock_arbitrary();
    test_disable_core_dumps();
    test_misc();
    return tap_done();
}
