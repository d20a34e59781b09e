/*
 * check-system.c - the process limits and kernel settings that decide what
 * the library can do for this user: the lock budget, CAP_IPC_LOCK, the
 * mapping limit, and where core dumps go.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#if HAVE_LINUX_CAPABILITY_H
#include <linux/capability.h>
#endif
#if HAVE_VIRTUALALLOC
#include <windows.h>
#endif

#include "check-proc.h"

#if HAVE_GETRLIMIT
static void rlimit_value(rlim_t v, struct check_value *out)
{
    out->known = 1;
    out->unlimited = v == RLIM_INFINITY;
    out->value = out->unlimited ? 0 : (unsigned long long)v;
}

static void read_rlimit(int resource, struct check_value *soft, struct check_value *hard)
{
    struct rlimit lim;

    if (getrlimit(resource, &lim) != 0)
        return;
    rlimit_value(lim.rlim_cur, soft);
    rlimit_value(lim.rlim_max, hard);
}
#endif

/* CapEff in /proc/self/status is the effective set the kernel checks when
 * mlock goes over RLIMIT_MEMLOCK. */
static int cap_ipc_lock_effective(void)
{
#if defined(CAP_IPC_LOCK)
    char hex[64];
    unsigned long long caps;
    char *end;

    if (proc_status_field("CapEff", hex, sizeof hex) != 0)
        return -1;
    caps = strtoull(hex, &end, 16);
    if (end == hex)
        return -1;
    return (caps >> CAP_IPC_LOCK) & 1u ? 1 : 0;
#else
    return -1;
#endif
}

static void locked_now(struct check_value *out)
{
    out->known = proc_locked_bytes(&out->value) == 0;
}

static void core_pattern(struct check_limits *l)
{
    l->core_governed = -1;
    if (proc_read_line("/proc/sys/kernel/core_pattern", l->core_pattern,
                       sizeof l->core_pattern) != 0)
        return;
    l->core_pattern_known = 1;
    /* A pipe hands the dump to a helper: the kernel does not apply
     * RLIMIT_CORE to it, the helper decides. */
    l->core_piped = l->core_pattern[0] == '|';
    l->core_governed = !l->core_piped;
}

void check_system(struct check_report *r)
{
    struct check_limits *l = &r->limits;
    unsigned long long n;
    long maps;

#if HAVE_GETEUID
    r->uid_known = 1;
    r->euid = (unsigned long)geteuid();
#endif
#if HAVE_SYSCONF && HAVE_DECL__SC_PAGESIZE
    long page = sysconf(_SC_PAGESIZE);
    r->page_size = page > 0 ? (size_t)page : 0;
#elif HAVE_VIRTUALALLOC
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    r->page_size = info.dwPageSize;
#endif
#if HAVE_GETRLIMIT && HAVE_DECL_RLIMIT_MEMLOCK
    read_rlimit(RLIMIT_MEMLOCK, &l->memlock_soft, &l->memlock_hard);
#endif
#if HAVE_GETRLIMIT && HAVE_DECL_RLIMIT_CORE
    read_rlimit(RLIMIT_CORE, &l->core_soft, &l->core_hard);
#endif
    locked_now(&l->locked_now);
    l->cap_ipc_lock = cap_ipc_lock_effective();
    if (proc_read_number("/proc/sys/vm/max_map_count", &n) == 0) {
        l->max_map_count.known = 1;
        l->max_map_count.value = n;
    }
    maps = proc_count_mappings();
    if (maps >= 0) {
        l->map_count.known = 1;
        l->map_count.value = (unsigned long long)maps;
    }
    core_pattern(l);
}
