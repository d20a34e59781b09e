/*
 * page-mmap.c - the page interface (page.h) over POSIX mmap/mprotect.
 *
 * Built when configure finds mmap and mprotect.  Each optional call is
 * compiled in only when its probe found it, and used only when the runtime
 * check in page_probe_features() saw the running kernel accept it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#if HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif
#if HAVE_DECL_SYS_MEMFD_SECRET
#include <sys/syscall.h>
#endif

#if HAVE_DECL_MAP_ANONYMOUS
#define ANON_FLAG MAP_ANONYMOUS
#elif HAVE_DECL_MAP_ANON
#define ANON_FLAG MAP_ANON
#else
#error "mmap without MAP_ANONYMOUS or MAP_ANON"
#endif

/* Mapping flags that bring their own dump exclusion (BSDs). */
#if HAVE_DECL_MAP_CONCEAL
#define NODUMP_MAP_FLAG MAP_CONCEAL
#elif HAVE_DECL_MAP_NOCORE
#define NODUMP_MAP_FLAG MAP_NOCORE
#else
#define NODUMP_MAP_FLAG 0
#endif

#include "page.h"

/* Set once by page_probe_features(), read-only afterwards. */
static int map_flags = MAP_PRIVATE | ANON_FLAG;
static unsigned int map_applied;
#if HAVE_DECL_MADV_WIPEONFORK
static int wipe_advice_works;
#endif

size_t page_size(void)
{
    static size_t cached;

    if (cached == 0) {
#if HAVE_SYSCONF && HAVE_DECL__SC_PAGESIZE
        long n = sysconf(_SC_PAGESIZE);
        cached = n > 0 ? (size_t)n : 4096;
#else
        cached = (size_t)getpagesize();
#endif
    }
    return cached;
}

/*
 * memfd_secret pages leave the kernel's direct map; the kernel locks them and
 * keeps them out of core dumps itself.  Only the pages between the two guard
 * pages are secret: the guards stay anonymous reservations, so they cost no
 * lock budget.  One descriptor per mapping, closed as soon as the mapping
 * holds the file.  Returns 0 or the errno that makes the caller fall back to
 * anonymous memory (ENOSYS, EPERM, ENOMEM, EAGAIN over RLIMIT_MEMLOCK, ...).
 */
static int map_secret(size_t len, void **base)
{
#if HAVE_DECL_SYS_MEMFD_SECRET
    size_t page = page_size();
    size_t inner = len - 2 * page;
    unsigned char *reserved;
    void *p;
    int fd, err = 0;

    reserved = mmap(NULL, len, PROT_NONE, map_flags, -1, 0);
    if (reserved == MAP_FAILED)
        return errno;
    fd = (int)syscall(SYS_memfd_secret, (unsigned int)O_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)inner) != 0)
        err = errno;
    if (err == 0) {
        p = mmap(reserved + page, inner, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
        if (p == MAP_FAILED)
            err = errno;
    }
    if (fd >= 0)
        close(fd);
    if (err) {
        munmap(reserved, len);
        return err;
    }
    *base = reserved;
    return 0;
#else
    (void)len;
    (void)base;
    return ENOSYS;
#endif
}

int page_map(size_t len, void **base, unsigned int *applied)
{
    if (secmem_backend() == SECMEM_BACKEND_SECRETMEM &&
        (secmem_runtime_features() & SECMEM_FEATURE_SECRETMEM) && map_secret(len, base) == 0) {
        *applied = SECMEM_FEATURE_SECRETMEM | SECMEM_FEATURE_NODUMP | SECMEM_FEATURE_LOCK;
        return 0;
    }

    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, map_flags, -1, 0);

    if (p == MAP_FAILED)
        return errno == EINVAL ? ENOMEM : errno;
    *base = p;
    *applied = map_applied;
    return 0;
}

int page_unmap(void *base, size_t len)
{
    return munmap(base, len) == 0 ? 0 : errno;
}

int page_protect(void *addr, size_t len, secmem_prot prot)
{
    static const int native[] = {
        [SECMEM_NOACCESS] = PROT_NONE,
        [SECMEM_READONLY] = PROT_READ,
        [SECMEM_READWRITE] = PROT_READ | PROT_WRITE,
    };
    return mprotect(addr, len, native[prot]) == 0 ? 0 : errno;
}

int page_lock(void *addr, size_t len)
{
#if HAVE_MLOCK
    return mlock(addr, len) == 0 ? 0 : errno;
#else
    (void)addr;
    (void)len;
    return ENOSYS;
#endif
}

int page_unlock(void *addr, size_t len)
{
#if HAVE_MUNLOCK
    return munlock(addr, len) == 0 ? 0 : errno;
#else
    (void)addr;
    (void)len;
    return ENOSYS;
#endif
}

static inline int advise(void *addr, size_t len, int advice)
{
#if HAVE_MADVISE
    return madvise(addr, len, advice) == 0 ? 0 : errno;
#else
    (void)addr;
    (void)len;
    (void)advice;
    return ENOSYS;
#endif
}

int page_exclude_from_dump(void *addr, size_t len)
{
#if HAVE_DECL_MADV_DONTDUMP
    return advise(addr, len, MADV_DONTDUMP);
#elif HAVE_DECL_MADV_NOCORE
    return advise(addr, len, MADV_NOCORE);
#else
    /* Only MAP_NOCORE/MAP_CONCEAL, which the library's own mappings get
     * when they are made: memory mapped by others cannot be excluded. */
    (void)addr;
    (void)len;
    return ENOSYS;
#endif
}

int page_include_in_dump(void *addr, size_t len)
{
#if HAVE_DECL_MADV_DODUMP
    return advise(addr, len, MADV_DODUMP);
#elif HAVE_DECL_MADV_CORE
    return advise(addr, len, MADV_CORE);
#else
    (void)addr;
    (void)len;
    return 0;
#endif
}

int page_withhold_from_fork(void *addr, size_t len, int *unmapped)
{
    *unmapped = 0;
#if HAVE_DECL_MADV_WIPEONFORK
    /* Only private anonymous memory can be wiped on fork; a memfd_secret
     * mapping refuses (EINVAL) and is left unmapped in the child instead. */
    if (wipe_advice_works && advise(addr, len, MADV_WIPEONFORK) == 0)
        return 0;
#endif
#if HAVE_MINHERIT && HAVE_DECL_INHERIT_ZERO
    if (minherit(addr, len, INHERIT_ZERO) == 0)
        return 0;
#endif
#if HAVE_DECL_MADV_DONTFORK
    int err = advise(addr, len, MADV_DONTFORK);
    *unmapped = err == 0;
    return err;
#else
    (void)addr;
    (void)len;
    return ENOSYS;
#endif
}

int page_idle_encrypt(void *addr, size_t len)
{
    (void)addr;
    (void)len;
    return ENOSYS;
}

int page_idle_decrypt(void *addr, size_t len)
{
    (void)addr;
    (void)len;
    return ENOSYS;
}

/* ---- the runtime check -------------------------------------------------- */

static unsigned int probe_protect(unsigned char *scratch, size_t page)
{
    if (page_protect(scratch, page, SECMEM_NOACCESS) != 0 ||
        page_protect(scratch, page, SECMEM_READWRITE) != 0)
        return 0;
    return SECMEM_FEATURE_PROTECT | SECMEM_FEATURE_GUARD_PAGES;
}

/* The lock call exists and the kernel implements it.  Whether the budget
 * has room (RLIMIT_MEMLOCK) is a question for each allocation. */
static unsigned int probe_lock(unsigned char *scratch, size_t page)
{
    int err = page_lock(scratch, page);

    if (err == 0)
        page_unlock(scratch, page);
    return (err == 0 || err == ENOMEM || err == EPERM || err == EAGAIN) ? SECMEM_FEATURE_LOCK
                                                                          : 0;
}

static unsigned int probe_nodump(unsigned char *scratch, size_t page)
{
    if (map_applied & SECMEM_FEATURE_NODUMP)
        return SECMEM_FEATURE_NODUMP;
#if HAVE_DECL_MADV_DONTDUMP || HAVE_DECL_MADV_NOCORE
    if (page_exclude_from_dump(scratch, page) == 0)
        return SECMEM_FEATURE_NODUMP;
#endif
    (void)scratch;
    (void)page;
    return 0;
}

static unsigned int probe_fork(unsigned char *scratch, size_t page)
{
#if HAVE_DECL_MADV_WIPEONFORK
    wipe_advice_works = advise(scratch, page, MADV_WIPEONFORK) == 0;
#endif
    int unmapped;
    return page_withhold_from_fork(scratch, page, &unmapped) == 0 ? SECMEM_FEATURE_FORK_WIPE : 0;
}

/* The kernel may lack memfd_secret (before 5.14) or have it disabled
 * (before 6.5 without secretmem.enable=1). */
static unsigned int probe_secret(size_t page)
{
    void *p;

    if (map_secret(3 * page, &p) != 0)
        return 0;
    munmap(p, 3 * page);
    return SECMEM_FEATURE_SECRETMEM;
}

/* Mapping flags that the kernel may not know (e.g. MAP_CONCEAL on an older
 * OpenBSD) are kept only when a mapping with them succeeds. */
static void probe_map_flags(size_t page)
{
    if (NODUMP_MAP_FLAG == 0)
        return;
    void *p = mmap(NULL, page, PROT_READ | PROT_WRITE, map_flags | NODUMP_MAP_FLAG, -1, 0);
    if (p != MAP_FAILED) {
        munmap(p, page);
        map_flags |= NODUMP_MAP_FLAG;
        map_applied |= SECMEM_FEATURE_NODUMP;
    }
}

unsigned int page_probe_features(void)
{
    size_t page = page_size();
    unsigned int features = 0;
    void *scratch;

    probe_map_flags(page);
    scratch = mmap(NULL, page, PROT_READ | PROT_WRITE, map_flags, -1, 0);
    if (scratch == MAP_FAILED)
        return 0;
    features |= probe_protect(scratch, page);
    features |= probe_lock(scratch, page);
    features |= probe_nodump(scratch, page);
    features |= probe_fork(scratch, page);
    munmap(scratch, page);
    features |= probe_secret(page);
    return features;
}

/* ---- randomness for canaries ------------------------------------------- */

static size_t random_from_system(unsigned char *buf, size_t len)
{
#if HAVE_GETRANDOM
    ssize_t n = getrandom(buf, len, 0);
    if (n == (ssize_t)len)
        return len;
#elif HAVE_GETENTROPY
    if (len <= 256 && getentropy(buf, len) == 0)
        return len;
#endif
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t got = read(fd, buf, len);
    close(fd);
    return got == (ssize_t)len ? len : 0;
}

void page_random(void *buf, size_t len)
{
    unsigned char *out = buf;

    if (random_from_system(out, len) == len)
        return;
    /* Last resort: not secret, but still differs per process and per run. */
    uint64_t x = (uint64_t)(uintptr_t)buf ^ (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out[i] = (unsigned char)x;
    }
}
