/*
 * init.c - the library initialises itself on first use, once, thread-safely:
 * the runtime feature check, and the fork handlers that keep inherited
 * secrets and locks consistent in a child.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#include <stdatomic.h>

#include "mutex.h"
#include "page.h"
#include "stats.h"

static secmem_once_flag init_flag = SECMEM_ONCE_INITIALIZER;
static unsigned int runtime_features;
static atomic_uint fork_generation;

#if HAVE_PTHREAD_ATFORK
/* Every part takes its locks before fork() so that the child never inherits
 * a lock held by a thread that does not exist there.  Pools first: a pool
 * that grows may trim the guarded cache while holding its own lock, so that
 * is the order every thread takes them in. */
static void atfork_prepare(void)
{
    pool_atfork_prepare();
    guarded_atfork_prepare();
}

static void atfork_parent(void)
{
    guarded_atfork_parent();
    pool_atfork_parent();
}

static void atfork_child(void)
{
    atomic_fetch_add_explicit(&fork_generation, 1, memory_order_relaxed);
    pool_atfork_child();
    guarded_atfork_child();
    /* Nothing inherited is the child's: no lock, no live allocation. */
    stats_reset();
}
#endif

static void init_once(void)
{
    runtime_features = page_probe_features() | process_probe_features();
#if HAVE_PTHREAD_ATFORK
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
#endif
}

void secmem_init(void)
{
    secmem_once(&init_flag, init_once);
}

unsigned int secmem_runtime_features(void)
{
    secmem_init();
    return runtime_features;
}

unsigned int secmem_fork_generation(void)
{
    return atomic_load_explicit(&fork_generation, memory_order_relaxed);
}
