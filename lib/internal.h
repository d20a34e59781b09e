/*
 * internal.h - what the library's files share; never installed.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_INTERNAL_H
#define SECMEM_INTERNAL_H

#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "securememory.h"

/* Every pointer handed out is aligned to this (alignof(max_align_t) here). */
#define SECMEM_ALIGNMENT 16u

/* Rounds n up to a multiple of align (a power of two); 0 on overflow. */
static inline size_t secmem_round_up(size_t n, size_t align)
{
    if (n > SIZE_MAX - (align - 1))
        return 0;
    return (n + align - 1) & ~(align - 1);
}

/* One-time initialisation (features, canary secret, fork handlers). */
void secmem_init(void);

/* The features found at initialisation; calls secmem_init(). */
unsigned int secmem_runtime_features(void);

/* Number of fork()s this process descends from since the library started;
 * an object made under an older generation was inherited from a parent. */
unsigned int secmem_fork_generation(void);

/* Current process-wide option values. */
int secmem_lock_policy(void);
size_t secmem_cache_limit(void);
int secmem_backend(void);

/* Fatal misuse: one line to stderr, then abort().  Never returns. */
_Noreturn void secmem_fatal(const char *function, const char *what, const void *ptr);

/* Secure wipe used inside the library (explicit_bzero or the compat one). */
void secmem_internal_wipe(void *ptr, size_t len);

/* Fork handlers of the parts that keep state (called with their locks
 * taken/released by the parts themselves). */
void guarded_atfork_prepare(void);
void guarded_atfork_parent(void);
void guarded_atfork_child(void);
void pool_atfork_prepare(void);
void pool_atfork_parent(void);
void pool_atfork_child(void);

/* SECMEM_FEATURE_NO_CORE when secmem_disable_core_dumps can work here. */
unsigned int process_probe_features(void);

/* Cache trimming, used by options (lowering the limit) and by secmem_trim. */
void guarded_cache_shrink(size_t limit);

#if !HAVE_EXPLICIT_BZERO
void explicit_bzero(void *ptr, size_t len);
#endif

#endif /* SECMEM_INTERNAL_H */
