/*
 * mutex.h - the library's locks and its run-once, over whatever thread
 * primitives configure found (POSIX threads or Win32).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_MUTEX_H
#define SECMEM_MUTEX_H

#include "config.h"

#if HAVE_PTHREAD_H && !HAVE_VIRTUALALLOC
#include <pthread.h>

typedef pthread_mutex_t secmem_mutex;
#define SECMEM_MUTEX_INITIALIZER PTHREAD_MUTEX_INITIALIZER
typedef pthread_once_t secmem_once_flag;
#define SECMEM_ONCE_INITIALIZER PTHREAD_ONCE_INIT

static inline void secmem_mutex_init(secmem_mutex *m) { pthread_mutex_init(m, NULL); }
static inline void secmem_mutex_lock(secmem_mutex *m) { pthread_mutex_lock(m); }
static inline void secmem_mutex_unlock(secmem_mutex *m) { pthread_mutex_unlock(m); }
static inline void secmem_mutex_destroy(secmem_mutex *m) { pthread_mutex_destroy(m); }
static inline void secmem_once(secmem_once_flag *flag, void (*fn)(void)) { pthread_once(flag, fn); }

#elif HAVE_WINDOWS_H
#include <windows.h>

/* SRW locks need no destruction and have a static initialiser. */
typedef SRWLOCK secmem_mutex;
#define SECMEM_MUTEX_INITIALIZER SRWLOCK_INIT
typedef INIT_ONCE secmem_once_flag;
#define SECMEM_ONCE_INITIALIZER INIT_ONCE_STATIC_INIT

static inline void secmem_mutex_init(secmem_mutex *m) { InitializeSRWLock(m); }
static inline void secmem_mutex_lock(secmem_mutex *m) { AcquireSRWLockExclusive(m); }
static inline void secmem_mutex_unlock(secmem_mutex *m) { ReleaseSRWLockExclusive(m); }
static inline void secmem_mutex_destroy(secmem_mutex *m) { (void)m; }

static BOOL CALLBACK secmem_once_trampoline(PINIT_ONCE once, PVOID fn, PVOID *ctx)
{
    (void)once;
    (void)ctx;
    ((void (*)(void))fn)();
    return TRUE;
}
static inline void secmem_once(secmem_once_flag *flag, void (*fn)(void))
{
    InitOnceExecuteOnce(flag, secmem_once_trampoline, (PVOID)fn, NULL);
}

#else
#error "no thread primitives found by configure (pthread.h or windows.h)"
#endif

#endif /* SECMEM_MUTEX_H */
