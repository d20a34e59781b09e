/*
 * check-child.h - running one self-test step in a child process and
 * reading how it ended, so that a fault is seen from outside.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_CHECK_CHILD_H
#define SECMEM_CHECK_CHILD_H

#include "config.h"

/* Child processes need fork() and waitpid(). */
#if HAVE_FORK && HAVE_SYS_WAIT_H
#define CHILD_CAN_FORK 1
#else
#define CHILD_CAN_FORK 0
#endif

/* How a child ended.  Exit codes are the CHILD_* values below. */
struct child_outcome {
    int ran;            /* 0: no child could be started (err says why) */
    int err;
    int exited, code;   /* ended with exit(code) */
    int signal;         /* killed by this signal (0: not) */
    int ready;          /* it reported reaching the access under test */
    int child_errno;    /* what failed in it, for CHILD_SETUP_FAILED */
};

enum {
    CHILD_NO_FAULT = 10,       /* the access went through */
    CHILD_SAW_ZEROS = 11,      /* it read only zero bytes */
    CHILD_SAW_SECRET = 12,     /* it read the parent's secret */
    CHILD_SAW_OTHER = 13,      /* it read bytes that are neither */
    CHILD_BAD_LAYOUT = 14,     /* the allocation is not where the contract puts it */
    CHILD_CHECK_FAILED = 15,   /* a state it checked was wrong */
    CHILD_CHECK_PASSED = 16,   /* every state it checked was right */
    CHILD_SETUP_FAILED = 17,   /* see child_errno */
    CHILD_LOCAL = 20           /* first code a body may give its own meaning */
};

/* The step; runs in the child and returns a CHILD_* code. */
typedef int (*child_body)(void *arg);

/*
 * Whether the child can run here at all (fork exists); when not, the
 * caller reports the test as "cannot verify here".
 */
int child_supported(void);

/*
 * Runs body(arg) in a child.  The child dumps no core, cannot hang (alarm),
 * and its deliberate crash prints nothing: it keeps stderr until it calls
 * child_ready().
 */
void child_run(child_body body, void *arg, struct child_outcome *out);

/* In the child: "the next access is the one under test". */
void child_ready(void);

/* In the child: setup failed with err; reports it and exits. */
_Noreturn void child_setup_failed(int err);

/* "SIGSEGV", "SIGBUS", ... for a signal number. */
const char *child_signal_name(int sig);

/* 1 when the child died of a memory-protection fault after child_ready(). */
int child_faulted(const struct child_outcome *out);

#endif /* SECMEM_CHECK_CHILD_H */
