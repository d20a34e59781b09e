/*
 * check-child.c - one self-test step in a child process.
 *
 * A fault test must not be believed from inside: the child makes the access,
 * and the parent sees whether the kernel killed it.  Before the access the
 * child tells the parent it is ready through a pipe, so a crash earlier in
 * the setup is not mistaken for the fault under test.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check-child.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if HAVE_SYS_WAIT_H
#include <sys/wait.h>
#endif
#if HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#if HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#define CHILD_TIMEOUT_SECONDS 10

int child_supported(void)
{
    return CHILD_CAN_FORK;
}

const char *child_signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGABRT:
        return "SIGABRT";
    case SIGILL:
        return "SIGILL";
#ifdef SIGBUS
    case SIGBUS:
        return "SIGBUS";
#endif
#ifdef SIGALRM
    case SIGALRM:
        return "SIGALRM (timed out)";
#endif
    default:
        return "another signal";
    }
}

int child_faulted(const struct child_outcome *out)
{
    if (!out->ran || !out->ready)
        return 0;
#ifdef SIGBUS
    if (out->signal == SIGBUS)
        return 1;
#endif
    return out->signal == SIGSEGV;
}

#if CHILD_CAN_FORK

/* The child's end of the report pipe. */
static int report_fd = -1;

static void write_all(const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t n = write(report_fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

void child_ready(void)
{
    int devnull = open("/dev/null", O_WRONLY);

    /* A runtime (a sanitizer, say) may describe the coming crash at
     * length; the parent reports it in one line instead. */
    if (devnull >= 0) {
        dup2(devnull, STDERR_FILENO);
        close(devnull);
    }
    write_all("R", 1);
}

_Noreturn void child_setup_failed(int err)
{
    write_all("E", 1);
    write_all(&err, sizeof err);
    _exit(CHILD_SETUP_FAILED);
}

/* No core file from a deliberate crash, wherever core_pattern points, and
 * the default action for the faults (not a handler someone installed). */
static void prepare_child(void)
{
#if HAVE_SETRLIMIT && HAVE_DECL_RLIMIT_CORE
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
#endif
#if HAVE_PRCTL && HAVE_DECL_PR_SET_DUMPABLE
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
    signal(SIGSEGV, SIG_DFL);
#ifdef SIGBUS
    signal(SIGBUS, SIG_DFL);
#endif
    signal(SIGALRM, SIG_DFL);
    alarm(CHILD_TIMEOUT_SECONDS);
}

static void read_report(int fd, struct child_outcome *out)
{
    unsigned char buf[64];
    size_t got = 0;
    ssize_t n;

    while (got < sizeof buf && ((n = read(fd, buf + got, sizeof buf - got)) > 0 ||
                                (n < 0 && errno == EINTR)))
        if (n > 0)
            got += (size_t)n;
    for (size_t i = 0; i < got; i++) {
        if (buf[i] == 'R') {
            out->ready = 1;
        } else if (buf[i] == 'E' && got - i - 1 >= sizeof(int)) {
            memcpy(&out->child_errno, buf + i + 1, sizeof(int));
            i += sizeof(int);
        }
    }
}

static void wait_for(pid_t pid, struct child_outcome *out)
{
    int status;

    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            out->ran = 0;
            out->err = errno;
            return;
        }
    }
    if (WIFEXITED(status)) {
        out->exited = 1;
        out->code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        out->signal = WTERMSIG(status);
    }
}

void child_run(child_body body, void *arg, struct child_outcome *out)
{
    int fds[2];
    pid_t pid;

    memset(out, 0, sizeof *out);
    signal(SIGCHLD, SIG_DFL); /* an inherited SIG_IGN would hide the child's status */
    if (pipe(fds) != 0) {
        out->err = errno;
        return;
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid = fork();
    if (pid < 0) {
        out->err = errno;
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        report_fd = fds[1];
        prepare_child();
        _exit(body(arg));
    }
    close(fds[1]);
    out->ran = 1;
    read_report(fds[0], out);
    close(fds[0]);
    wait_for(pid, out);
}

#else /* no fork: every child step is "cannot verify here" */

void child_ready(void) {}

_Noreturn void child_setup_failed(int err)
{
    (void)err;
    _exit(CHILD_SETUP_FAILED);
}

void child_run(child_body body, void *arg, struct child_outcome *out)
{
    (void)body;
    (void)arg;
    memset(out, 0, sizeof *out);
    out->err = ENOSYS;
}

#endif
