/*
 * page-win32.c - the page interface (page.h) over the Win32 virtual memory
 * calls: VirtualAlloc/VirtualFree, VirtualProtect, VirtualLock/VirtualUnlock,
 * and CryptProtectMemory for the time an allocation spends NOACCESS.
 *
 * Built when configure finds VirtualAlloc and no mmap.  Each optional call is
 * compiled in only when its probe found it (HAVE_*), and used only when the
 * runtime check in page_probe_features() saw the running system accept it.
 *
 * What Windows does not offer here, and why the feature bit stays off:
 *  - NODUMP: there is no per-page exclusion from every kind of dump.
 *    (WerRegisterExcludedMemoryBlock covers only WER reports and takes at
 *    most 512 blocks per process, too few to promise it per allocation.)
 *  - FORK_WIPE: there is no fork(); a child process never inherits memory.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <limits.h>
#include <string.h>
#include <time.h>
#include <windows.h>
#if HAVE_CRYPTPROTECTMEMORY
#include <dpapi.h>
#endif
#if HAVE_BCRYPTGENRANDOM
#include <bcrypt.h>
#elif HAVE_RTLGENRANDOM
#include <ntsecapi.h>
#endif

#include "mutex.h"
#include "page.h"

/* ---- GetLastError -> errno ------------------------------------------- */

/* The errno values of the contract: ENOMEM for want of memory or lockable
 * memory, EPERM where the system does not permit the call, EINVAL for an
 * address or size it rejects. */
static int errno_from_win32(DWORD error)
{
    switch (error) {
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_WORKING_SET_QUOTA:
    case ERROR_PAGEFILE_QUOTA:
        return ENOMEM;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
        return EPERM;
    case ERROR_NOACCESS:
        return EFAULT;
    case ERROR_CALL_NOT_IMPLEMENTED:
    case ERROR_NOT_SUPPORTED:
        return ENOSYS;
    default:
        return EINVAL;
    }
}

static int last_errno(void)
{
    return errno_from_win32(GetLastError());
}

/* ---- mapping and protection ------------------------------------------ */

size_t page_size(void)
{
    static size_t cached;

    if (cached == 0) {
        SYSTEM_INFO info;
        GetSystemInfo(&info);
        cached = info.dwPageSize ? (size_t)info.dwPageSize : 4096;
    }
    return cached;
}

int page_map(size_t len, void **base, unsigned int *applied)
{
    /* Committed pages are zero-filled; the reservation is ours alone. */
    void *p = VirtualAlloc(NULL, len, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);

    if (p == NULL)
        return last_errno();
    *base = p;
    *applied = 0;
    return 0;
}

int page_unmap(void *base, size_t len)
{
    (void)len; /* MEM_RELEASE frees the whole reservation and wants size 0 */
    return VirtualFree(base, 0, MEM_RELEASE) ? 0 : last_errno();
}

int page_protect(void *addr, size_t len, secmem_prot prot)
{
    static const DWORD native[] = {
        [SECMEM_NOACCESS] = PAGE_NOACCESS,
        [SECMEM_READONLY] = PAGE_READONLY,
        [SECMEM_READWRITE] = PAGE_READWRITE,
    };
    DWORD old;

    return VirtualProtect(addr, len, native[prot], &old) ? 0 : last_errno();
}

/* ---- locking --------------------------------------------------------- */

#if HAVE_VIRTUALLOCK && HAVE_SETPROCESSWORKINGSETSIZE
/* Serialises the read-modify-write of the working-set bounds. */
static secmem_mutex working_set_lock = SECMEM_MUTEX_INITIALIZER;

/*
 * Windows lets a process lock no more than its minimum working set (less a
 * few pages of its own), and fails VirtualLock beyond it with
 * ERROR_WORKING_SET_QUOTA.  Raise the minimum (and the maximum, which must
 * stay above it) by len plus slack, as the VirtualLock documentation asks.
 * The bounds are never lowered again: locked memory may be freed and
 * re-locked many times, and the minimum is only a reservation, not a use.
 */
static int grow_working_set(size_t len)
{
    HANDLE self = GetCurrentProcess();
    SIZE_T min_ws, max_ws;
    size_t add = len + 16 * page_size();
    int err = 0;

    if (add < len)
        return ENOMEM;
    secmem_mutex_lock(&working_set_lock);
    if (!GetProcessWorkingSetSize(self, &min_ws, &max_ws)) {
        err = last_errno();
    } else if (min_ws > SIZE_MAX - add || max_ws > SIZE_MAX - add) {
        err = ENOMEM;
    } else {
        SIZE_T new_min = min_ws + add;
        SIZE_T new_max = max_ws + add;
        if (!SetProcessWorkingSetSize(self, new_min, new_max))
            err = last_errno();
    }
    secmem_mutex_unlock(&working_set_lock);
    return err;
}
#endif

int page_lock(void *addr, size_t len)
{
#if HAVE_VIRTUALLOCK
    if (VirtualLock(addr, len))
        return 0;
#if HAVE_SETPROCESSWORKINGSETSIZE
    /* The lock policy (REQUIRED or BEST_EFFORT) decides in the caller what
     * a final failure means; here the budget is grown once and retried. */
    if (GetLastError() == ERROR_WORKING_SET_QUOTA) {
        int err = grow_working_set(len);
        if (err)
            return err == EINVAL ? ENOMEM : err;
        if (VirtualLock(addr, len))
            return 0;
    }
#endif
    return last_errno();
#else
    (void)addr;
    (void)len;
    return ENOSYS;
#endif
}

int page_unlock(void *addr, size_t len)
{
#if HAVE_VIRTUALLOCK
    if (VirtualUnlock(addr, len))
        return 0;
    /* munlock of unlocked pages succeeds; VirtualUnlock reports it.  Both
     * leave the pages unlocked, which is what the caller asked for. */
    return GetLastError() == ERROR_NOT_LOCKED ? 0 : last_errno();
#else
    (void)addr;
    (void)len;
    return ENOSYS;
#endif
}

/* ---- dumps and fork: nothing per page on Windows (see the top) -------- */

int page_exclude_from_dump(void *addr, size_t len)
{
    (void)addr;
    (void)len;
    return ENOSYS;
}

int page_include_in_dump(void *addr, size_t len)
{
    (void)addr;
    (void)len;
    return 0;
}

int page_withhold_from_fork(void *addr, size_t len, int *unmapped)
{
    (void)addr;
    (void)len;
    *unmapped = 0;
    return ENOSYS;
}

/* ---- encryption while NOACCESS --------------------------------------- */

#if HAVE_CRYPTPROTECTMEMORY
/* CryptProtectMemory takes a DWORD length: larger spans go in chunks that
 * keep the block size, the same chunks both ways. */
#define IDLE_CHUNK ((size_t)1 << 30)

static int idle_transform(void *addr, size_t len, BOOL(WINAPI *transform)(LPVOID, DWORD, DWORD))
{
    unsigned char *p = addr;

    if (len % CRYPTPROTECTMEMORY_BLOCK_SIZE != 0)
        return EINVAL;
    while (len > 0) {
        size_t n = len < IDLE_CHUNK ? len : IDLE_CHUNK;
        if (!transform(p, (DWORD)n, CRYPTPROTECTMEMORY_SAME_PROCESS))
            return last_errno();
        p += n;
        len -= n;
    }
    return 0;
}
#endif

int page_idle_encrypt(void *addr, size_t len)
{
#if HAVE_CRYPTPROTECTMEMORY
    return idle_transform(addr, len, CryptProtectMemory);
#else
    (void)addr;
    (void)len;
    return ENOSYS;
#endif
}

int page_idle_decrypt(void *addr, size_t len)
{
#if HAVE_CRYPTPROTECTMEMORY
    return idle_transform(addr, len, CryptUnprotectMemory);
#else
    (void)addr;
    (void)len;
    return ENOSYS;
#endif
}

/* ---- the runtime check ----------------------------------------------- */

static unsigned int probe_protect(unsigned char *scratch, size_t page)
{
    if (page_protect(scratch, page, SECMEM_NOACCESS) != 0 ||
        page_protect(scratch, page, SECMEM_READWRITE) != 0)
        return 0;
    return SECMEM_FEATURE_PROTECT | SECMEM_FEATURE_GUARD_PAGES;
}

/* The lock call exists and the system implements it; whether the working
 * set has room is a question for each allocation. */
static unsigned int probe_lock(unsigned char *scratch, size_t page)
{
    int err = page_lock(scratch, page);

    if (err == 0)
        page_unlock(scratch, page);
    return (err == 0 || err == ENOMEM || err == EPERM) ? SECMEM_FEATURE_LOCK : 0;
}

/* A round trip on one block that comes back to the same bytes. */
static unsigned int probe_idle_encrypt(unsigned char *scratch, size_t page)
{
    (void)page;
#if HAVE_CRYPTPROTECTMEMORY
    memset(scratch, 0x5a, CRYPTPROTECTMEMORY_BLOCK_SIZE);
    if (page_idle_encrypt(scratch, CRYPTPROTECTMEMORY_BLOCK_SIZE) != 0 ||
        page_idle_decrypt(scratch, CRYPTPROTECTMEMORY_BLOCK_SIZE) != 0)
        return 0;
    for (size_t i = 0; i < CRYPTPROTECTMEMORY_BLOCK_SIZE; i++)
        if (scratch[i] != 0x5a)
            return 0;
    /* The allocator encrypts whole pages: they must be whole blocks. */
    return page % CRYPTPROTECTMEMORY_BLOCK_SIZE == 0 ? SECMEM_FEATURE_IDLE_ENCRYPT : 0;
#else
    (void)scratch;
    return 0;
#endif
}

unsigned int page_probe_features(void)
{
    size_t page = page_size();
    unsigned int features = 0;
    void *scratch = NULL;
    unsigned int applied;

    if (page_map(page, &scratch, &applied) != 0)
        return 0;
    features |= probe_protect(scratch, page);
    features |= probe_lock(scratch, page);
    features |= probe_idle_encrypt(scratch, page);
    page_unmap(scratch, page);
    return features;
}

/* ---- randomness for canaries ----------------------------------------- */

static int random_from_system(unsigned char *buf, size_t len)
{
#if HAVE_BCRYPTGENRANDOM
    return len <= ULONG_MAX &&
           BCryptGenRandom(NULL, buf, (ULONG)len, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
#elif HAVE_RTLGENRANDOM
    return len <= ULONG_MAX && RtlGenRandom(buf, (ULONG)len);
#else
    (void)buf;
    (void)len;
    return 0;
#endif
}

void page_random(void *buf, size_t len)
{
    unsigned char *out = buf;

    if (random_from_system(out, len))
        return;
    /* Last resort: not secret, but still differs per process and per run. */
    uint64_t x = (uint64_t)(uintptr_t)buf ^ (uint64_t)time(NULL) ^
                 ((uint64_t)GetCurrentProcessId() << 32) ^ (uint64_t)GetTickCount64();
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = (unsigned char)x;
    }
}
