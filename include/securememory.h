/*
 * securememory.h - memory for secrets: locked, kept out of core dumps and fork
 * children, fenced by guard pages, switchable between NOACCESS, READONLY and
 * READWRITE, and wiped when freed.
 *
 * This is the only installed header of libsecurememory.  Every name in it has
 * a manual page (start with securememory(7)).
 *
 * Conventions (see securememory(7) for the details):
 *  - Every function is thread-safe; the library initialises itself on first use.
 *  - Functions returning int return 0 on success, -1 with errno set on failure.
 *    Allocators return NULL with errno set.  secmem_free(), secmem_pool_free()
 *    and secmem_wipe() leave errno unchanged.
 *  - Misuse that means the caller's memory is already corrupt (a pointer that
 *    is not a live allocation, a damaged canary) writes one line
 *    "securememory: <function>: <what> (<pointer>)" to stderr and aborts.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECUREMEMORY_H
#define SECUREMEMORY_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * SECMEM_API marks the exported functions.  On ELF platforms the library is
 * built with -fvisibility=hidden and these are the names made visible again.
 * For a Windows DLL the library build defines SECMEM_BUILDING_DLL and consumers
 * of the DLL import the names; define SECMEM_STATIC when linking the static
 * library on Windows.
 */
#if defined(_WIN32) || defined(__CYGWIN__)
#  if defined(SECMEM_BUILDING_DLL)
#    define SECMEM_API __declspec(dllexport)
#  elif defined(SECMEM_STATIC) || defined(SECMEM_BUILDING_STATIC)
#    define SECMEM_API
#  else
#    define SECMEM_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define SECMEM_API __attribute__((visibility("default")))
#else
#  define SECMEM_API
#endif

/* ---- Version ---------------------------------------------------------- */

#define SECMEM_VERSION_MAJOR 0
#define SECMEM_VERSION_MINOR 1
#define SECMEM_VERSION_MICRO 0
#define SECMEM_VERSION_STRING "0.1.0"

/* The version of the library actually loaded (may differ from the header). */
SECMEM_API const char *secmem_version(void);

/* ---- Protection states ------------------------------------------------ */

typedef enum secmem_prot {
    SECMEM_NOACCESS = 0,  /* no read, no write; Windows: also encrypted */
    SECMEM_READONLY = 1,
    SECMEM_READWRITE = 2
} secmem_prot;

/* ---- Guarded allocations: one secret, pages of its own ------------------ */

/*
 * Returns READWRITE memory aligned to 16 bytes, between two inaccessible
 * guard pages, locked under the lock policy, excluded from core dumps and
 * withheld from fork children where the platform can.  size 0: NULL/EINVAL;
 * too large: NULL/ENOMEM; locking refused under SECMEM_LOCK_REQUIRED: NULL
 * with the system's errno (ENOMEM or EPERM).
 */
SECMEM_API void *secmem_malloc(size_t size);
/* As secmem_malloc for nmemb * size bytes, zero-filled; overflow: ENOMEM. */
SECMEM_API void *secmem_calloc(size_t nmemb, size_t size);
/* Wipes and releases; any protection state; NULL does nothing; errno kept. */
SECMEM_API void secmem_free(void *ptr);
/* Sets the protection of the whole allocation.  Bad prot or NULL: EINVAL. */
SECMEM_API int secmem_protect(void *ptr, secmem_prot prot);
/* The size that was asked for; NULL gives 0. */
SECMEM_API size_t secmem_size(const void *ptr);
/* The current protection; NULL gives SECMEM_NOACCESS. */
SECMEM_API secmem_prot secmem_protection(const void *ptr);
/* The SECMEM_FEATURE_* bits in effect for this allocation; NULL gives 0. */
SECMEM_API unsigned int secmem_applied(const void *ptr);

/* ---- Locking arbitrary memory ----------------------------------------- */

/*
 * Locks the pages spanning [addr, addr+len) and excludes them from core dumps.
 * The pages are shared with whatever else lives on them.
 */
SECMEM_API int secmem_lock(void *addr, size_t len);
/* Wipes exactly [addr, addr+len), then unlocks and re-includes the pages. */
SECMEM_API int secmem_unlock(void *addr, size_t len);

/* ---- Wiping and comparing --------------------------------------------- */

/* Sets len bytes to zero; never optimised away; errno kept. */
SECMEM_API void secmem_wipe(void *ptr, size_t len);
/* 1 if equal, 0 if not; the time taken depends on len only. */
SECMEM_API int secmem_equal(const void *a, const void *b, size_t len);

/* ---- Process hardening ------------------------------------------------ */

/*
 * RLIMIT_CORE to 0 (soft and hard) and, where the platform has it, also the
 * dumps RLIMIT_CORE does not govern (Linux PR_SET_DUMPABLE, FreeBSD
 * PROC_TRACE_CTL).  -1/ENOSYS where nothing of this exists.
 */
SECMEM_API int secmem_disable_core_dumps(void);

/* ---- Options (process-wide) ------------------------------------------- */

typedef enum secmem_option {
    SECMEM_OPT_LOCK_POLICY = 1, /* SECMEM_LOCK_REQUIRED (default) or _BEST_EFFORT */
    SECMEM_OPT_CACHE_BYTES = 2, /* bytes of freed, wiped, locked pages kept */
    SECMEM_OPT_BACKEND = 3      /* SECMEM_BACKEND_ANONYMOUS (default) or _SECRETMEM */
} secmem_option;

#define SECMEM_LOCK_REQUIRED 0
#define SECMEM_LOCK_BEST_EFFORT 1
#define SECMEM_BACKEND_ANONYMOUS 0
#define SECMEM_BACKEND_SECRETMEM 1

/* Unknown option or value: -1/EINVAL. */
SECMEM_API int secmem_set_option(secmem_option opt, long value);
/* Unknown option: -1/EINVAL. */
SECMEM_API long secmem_get_option(secmem_option opt);

/* ---- Features --------------------------------------------------------- */

#define SECMEM_FEATURE_LOCK (1u << 0)         /* mlock / VirtualLock */
#define SECMEM_FEATURE_NODUMP (1u << 1)       /* excluded from core dumps */
#define SECMEM_FEATURE_GUARD_PAGES (1u << 2)  /* inaccessible pages around data */
#define SECMEM_FEATURE_PROTECT (1u << 3)      /* mprotect / VirtualProtect */
#define SECMEM_FEATURE_FORK_WIPE (1u << 4)    /* fork children cannot read it */
#define SECMEM_FEATURE_IDLE_ENCRYPT (1u << 5) /* encrypted while NOACCESS */
#define SECMEM_FEATURE_SECRETMEM (1u << 6)    /* memfd_secret backing */
#define SECMEM_FEATURE_NO_CORE (1u << 7)      /* secmem_disable_core_dumps works */

/* What this build can do on the running system (checked once at run time). */
SECMEM_API unsigned int secmem_features(void);
/* "lock", "nodump", ... for exactly one bit; anything else gives NULL. */
SECMEM_API const char *secmem_feature_name(unsigned int feature);

/* ---- Statistics ------------------------------------------------------- */

typedef enum secmem_stat {
    SECMEM_STAT_ALLOCATIONS = 1,    /* live guarded + live pool allocations */
    SECMEM_STAT_BYTES_IN_USE = 2,   /* bytes asked for by live allocations */
    SECMEM_STAT_BYTES_LOCKED = 3,   /* bytes of data pages held locked */
    SECMEM_STAT_BYTES_UNLOCKED = 4, /* bytes of data pages held unlocked */
    SECMEM_STAT_MAPPINGS = 5,       /* mappings created and held */
    SECMEM_STAT_CACHED_BYTES = 6    /* freed pages kept for reuse */
} secmem_stat;

/* Unknown statistic: 0 with errno EINVAL. */
SECMEM_API size_t secmem_stat_get(secmem_stat which);
/* Releases every cached page. */
SECMEM_API void secmem_trim(void);

/* ---- Pools: many small secrets in shared locked pages ------------------ */

typedef struct secmem_pool secmem_pool;

/* limit: most bytes of data pages the pool may map, rounded down to whole
 * pages; 0 means no limit.  A nonzero limit below one page: NULL, EINVAL.
 * Maps nothing until the first allocation. */
SECMEM_API secmem_pool *secmem_pool_new(size_t limit);
/* Zeroed, 16-byte aligned.  0: EINVAL; over limit: ENOMEM; not RW: EACCES. */
SECMEM_API void *secmem_pool_alloc(secmem_pool *pool, size_t size);
/* Wipes the allocation; any protection state; NULL ptr does nothing. */
SECMEM_API void secmem_pool_free(secmem_pool *pool, void *ptr);
/* Applies prot to every chunk of the pool. */
SECMEM_API int secmem_pool_protect(secmem_pool *pool, secmem_prot prot);
/* Wipes and releases everything; NULL does nothing. */
SECMEM_API void secmem_pool_destroy(secmem_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* SECUREMEMORY_H */
