/*
 * page.h - the one internal interface to the operating system's page calls.
 *
 * Exactly one implementation is built, chosen by configure's probes:
 * page-mmap.c (mmap/mprotect found) or page-win32.c (VirtualAlloc found).
 * Inside an implementation every optional call sits behind its HAVE_* result,
 * so the allocators above never test for an operating system.
 *
 * Functions returning int return 0 on success or an errno value on failure
 * (never -1): the callers decide what to report, and errno stays untouched.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_PAGE_H
#define SECMEM_PAGE_H

#include <stddef.h>

#include "securememory.h"

/* The page size, read once from the system. */
size_t page_size(void);

/*
 * Runtime check of what the system accepts, made once at initialisation on a
 * scratch mapping: the SECMEM_FEATURE_* bits this build and this system can
 * apply.  GUARD_PAGES and PROTECT are included when protection works.
 */
unsigned int page_probe_features(void);

/*
 * Maps len bytes (a multiple of the page size) of private, zero-filled,
 * READWRITE memory.  Sets *base.  *applied receives the SECMEM_FEATURE_*
 * bits that came with the mapping itself (e.g. NODUMP from MAP_NOCORE or
 * MAP_CONCEAL; SECRETMEM, LOCK and NODUMP from a memfd_secret mapping, whose
 * pages the kernel locks itself and on which mlock fails): callers skip
 * what is already applied.  The first and the last page of every mapping
 * are the caller's guard pages: under SECMEM_BACKEND_SECRETMEM the pages
 * between them are memfd_secret-backed where the kernel allows (anonymous
 * otherwise), the guards stay anonymous and cost no lock budget.
 */
int page_map(size_t len, void **base, unsigned int *applied);
int page_unmap(void *base, size_t len);

/* Sets the hardware protection of whole pages. */
int page_protect(void *addr, size_t len, secmem_prot prot);

/* Locks/unlocks pages against paging (mlock/VirtualLock). */
int page_lock(void *addr, size_t len);
int page_unlock(void *addr, size_t len);

/* Excludes pages from core dumps, or includes them again. */
int page_exclude_from_dump(void *addr, size_t len);
int page_include_in_dump(void *addr, size_t len);

/* Makes a fork child unable to read the pages (wipe-on-fork or not mapped).
 * *unmapped is set to 1 when the child will not have them mapped at all
 * (MADV_DONTFORK): there their addresses are free for the child's own
 * mappings. */
int page_withhold_from_fork(void *addr, size_t len, int *unmapped);

/* Releases a fork child's copy of a mapping [guard][data][guard].  Where the
 * data pages were withheld by not mapping them in the child, the child may
 * have mapped something of its own there since: only the guard pages are
 * the copy's to unmap. */
static inline void page_forget(void *base, size_t map_len, int data_unmapped)
{
    size_t page = page_size();

    if (!data_unmapped) {
        page_unmap(base, map_len);
        return;
    }
    page_unmap(base, page);
    page_unmap((unsigned char *)base + map_len - page, page);
}

/*
 * Encrypts/decrypts len bytes in place for the time they spend NOACCESS
 * (Windows CryptProtectMemory; len a multiple of page_idle_block()).
 * ENOSYS where the platform has no such facility.
 */
int page_idle_encrypt(void *addr, size_t len);
int page_idle_decrypt(void *addr, size_t len);

/* Fills buf with unpredictable bytes (for canaries); never fails. */
void page_random(void *buf, size_t len);

#endif /* SECMEM_PAGE_H */
