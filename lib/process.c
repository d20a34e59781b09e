/*
 * process.c - secmem_disable_core_dumps: process-wide hardening against
 * core dumps, from every mechanism configure found.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

#if HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#if HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif
#if HAVE_SYS_PROCCTL_H
#include <sys/procctl.h>
#include <unistd.h>
#endif
#if HAVE_SETERRORMODE
#include <windows.h>
#endif

#define HAVE_CORE_LIMIT (HAVE_SETRLIMIT && HAVE_DECL_RLIMIT_CORE)

unsigned int process_probe_features(void)
{
#if HAVE_CORE_LIMIT || HAVE_SETERRORMODE
    return SECMEM_FEATURE_NO_CORE;
#else
    return 0;
#endif
}

#if HAVE_CORE_LIMIT
/* Dumps that RLIMIT_CORE does not govern (a core_pattern piped to a helper
 * such as systemd-coredump) are stopped by making the process non-dumpable. */
static int stop_uncounted_dumps(void)
{
#if HAVE_PRCTL && HAVE_DECL_PR_SET_DUMPABLE
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        return errno;
#endif
#if HAVE_PROCCTL && HAVE_DECL_PROC_TRACE_CTL
    int disable = PROC_TRACE_CTL_DISABLE;
    if (procctl(P_PID, getpid(), PROC_TRACE_CTL, &disable) != 0)
        return errno;
#endif
    return 0;
}
#endif

int secmem_disable_core_dumps(void)
{
#if HAVE_CORE_LIMIT
    struct rlimit none = {0, 0};
    int err;

    if (setrlimit(RLIMIT_CORE, &none) != 0)
        return -1;
    err = stop_uncounted_dumps();
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
#elif HAVE_SETERRORMODE
    /*
     * Windows has no core limit.  What a process can do for itself is keep
     * Windows Error Reporting away: with SEM_NOGPFAULTERRORBOX a crash does
     * not invoke WER, so no report and no WER dump (LocalDumps) is made.  The
     * error mode is process-wide and inherited by child processes.  Not
     * covered: a debugger, or another process allowed to read this one
     * (MiniDumpWriteDump, procdump), can still dump it.
     */
    SetErrorMode(GetErrorMode() | SEM_NOGPFAULTERRORBOX);
    return 0;
#else
    errno = ENOSYS;
    return -1;
#endif
}
