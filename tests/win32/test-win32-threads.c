/*
 * test-win32-threads.c - allocations, protection changes and frees from
 * several threads at once (Win32 threads, the library's SRW locks and
 * InitOnce): every thread sees only its own bytes, and the counters come
 * back to where they started.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <string.h>

#include "securememory.h"
#include "tap.h"

#define THREADS 4
#define ROUNDS 300

static volatile LONG failures;

static DWORD WINAPI worker(LPVOID arg)
{
    unsigned char tag = (unsigned char)(uintptr_t)arg;

    for (int round = 0; round < ROUNDS; round++) {
        size_t n = 1 + (size_t)((round * 37 + tag * 11) % 5000);
        unsigned char *p = secmem_malloc(n);
        if (p == NULL) {
            InterlockedIncrement(&failures);
            continue;
        }
        memset(p, tag, n);
        int ok = secmem_protect(p, SECMEM_NOACCESS) == 0 &&
                 secmem_protect(p, SECMEM_READONLY) == 0 && p[0] == tag && p[n - 1] == tag &&
                 secmem_protect(p, SECMEM_READWRITE) == 0 && secmem_size(p) == n;
        for (size_t i = 0; ok && i < n; i++)
            ok = p[i] == tag;
        if (!ok)
            InterlockedIncrement(&failures);
        secmem_free(p);
    }
    return 0;
}

int main(void)
{
    HANDLE threads[THREADS];
    int started = 0;

    tap_plan(4);
    /* The first call of all happens in the threads: initialisation races. */
    for (int i = 0; i < THREADS; i++) {
        threads[i] = CreateThread(NULL, 0, worker, (LPVOID)(uintptr_t)(i + 1), 0, NULL);
        started += threads[i] != NULL;
    }
    tap_ok(started == THREADS, "%d threads started", THREADS);
    for (int i = 0; i < THREADS; i++)
        if (threads[i] != NULL) {
            WaitForSingleObject(threads[i], INFINITE);
            CloseHandle(threads[i]);
        }
    if (!tap_ok(failures == 0, "every allocation kept its own bytes through NOACCESS and READONLY"))
        tap_diag("%ld failures", (long)failures);
    tap_ok(secmem_stat_get(SECMEM_STAT_ALLOCATIONS) == 0, "no live allocation is left counted");
    tap_ok(secmem_stat_get(SECMEM_STAT_BYTES_IN_USE) == 0, "no byte is left counted in use");
    return tap_done();
}
