/*
 * lockmem.c - secmem_lock/secmem_unlock: locking memory the library did not
 * allocate (a stack buffer, a struct inside a larger object).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include "page.h"

/* The whole pages spanning [addr, addr+len); 0 when that overflows. */
static size_t page_span(void *addr, size_t len, unsigned char **first)
{
    size_t page = page_size();
    uintptr_t start = (uintptr_t)addr & ~(uintptr_t)(page - 1);
    uintptr_t end = (uintptr_t)addr + len;

    if (end < (uintptr_t)addr || end > UINTPTR_MAX - (page - 1))
        return 0;
    end = (end + page - 1) & ~(uintptr_t)(page - 1);
    *first = (unsigned char *)start;
    return (size_t)(end - start);
}

/* 0, or the errno for arguments that name no pages, or for a system that
 * cannot lock at all. */
static int check_arguments(void *addr, size_t len, unsigned char **first, size_t *span)
{
    if (addr == NULL || len == 0 || (*span = page_span(addr, len, first)) == 0)
        return EINVAL;
    if (!(secmem_runtime_features() & SECMEM_FEATURE_LOCK))
        return ENOSYS;
    return 0;
}

int secmem_lock(void *addr, size_t len)
{
    unsigned char *first;
    size_t span;
    unsigned int features = secmem_runtime_features();
    int err = check_arguments(addr, len, &first, &span);

    if (err) {
        errno = err;
        return -1;
    }
    err = page_lock(first, span);
    if (err == 0 && (features & SECMEM_FEATURE_NODUMP)) {
        err = page_exclude_from_dump(first, span);
        /* ENOSYS: dump exclusion exists here only as a flag for new
         * mappings (MAP_CONCEAL), not for memory someone else mapped. */
        if (err == ENOSYS)
            err = 0;
        else if (err)
            page_unlock(first, span);
    }
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

int secmem_unlock(void *addr, size_t len)
{
    unsigned char *first;
    size_t span;
    unsigned int features = secmem_runtime_features();
    int err = check_arguments(addr, len, &first, &span);

    if (err != EINVAL)
        secmem_internal_wipe(addr, len); /* wiped even where nothing locks */
    if (err) {
        errno = err;
        return -1;
    }
    err = page_unlock(first, span);
    /* Best effort: the bytes are already wiped, and where exclusion was
     * never possible (ENOSYS) there is nothing to include again. */
    if (err == 0 && (features & SECMEM_FEATURE_NODUMP))
        (void)page_include_in_dump(first, span);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}
