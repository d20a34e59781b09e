/*
 * testutil.c - helpers shared by the test programs (see testutil.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#if HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#if HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif
#if HAVE_LINUX_CAPABILITY_H
#include <linux/capability.h>
#include <sys/syscall.h>
#endif

void tu_init(int *argc, char ***argv)
{
    g_test_init(argc, argv, NULL);
}

size_t tu_page_size(void)
{
    long n = sysconf(_SC_PAGESIZE);
    g_assert_cmpint(n, >, 0);
    return (size_t)n;
}

const unsigned char *tu_page_of(const void *addr)
{
    return (const unsigned char *)((uintptr_t)addr & ~(uintptr_t)(tu_page_size() - 1));
}

/* ---- /proc/self/maps and smaps ------------------------------------------ */

/* A mapping header line: "start-end perms offset dev inode [path]". */
static gboolean parse_header(const char *line, uintptr_t *start, uintptr_t *end, char perms[5])
{
    unsigned long s, e;

    if (sscanf(line, "%lx-%lx %4s", &s, &e, perms) != 3)
        return FALSE;
    *start = (uintptr_t)s;
    *end = (uintptr_t)e;
    return TRUE;
}

static char **read_lines(const char *path)
{
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL))
        return NULL;
    char **lines = g_strsplit(text, "\n", -1);
    g_free(text);
    return lines;
}

gboolean tu_have_smaps(void)
{
    return g_file_test("/proc/self/smaps", G_FILE_TEST_EXISTS) && tu_count_mappings() > 0;
}

char *tu_vmflags(const void *addr)
{
    char **lines = read_lines("/proc/self/smaps");
    char *flags = NULL;
    gboolean inside = FALSE;

    if (lines == NULL)
        return NULL;
    for (char **l = lines; *l != NULL && flags == NULL; l++) {
        uintptr_t start, end;
        char perms[5];
        if (parse_header(*l, &start, &end, perms))
            inside = (uintptr_t)addr >= start && (uintptr_t)addr < end;
        else if (inside && g_str_has_prefix(*l, "VmFlags:"))
            flags = g_strdup_printf(" %s ", g_strstrip(*l + strlen("VmFlags:")));
    }
    g_strfreev(lines);
    return flags;
}

gboolean tu_has_vmflag(const void *addr, const char *flag)
{
    char *flags = tu_vmflags(addr);
    char *needle = g_strdup_printf(" %s ", flag);

    g_assert_nonnull(flags);
    gboolean found = strstr(flags, needle) != NULL;
    g_free(needle);
    g_free(flags);
    return found;
}

char *tu_perms(const void *addr)
{
    char **lines = read_lines("/proc/self/maps");
    char *result = NULL;

    g_assert_nonnull(lines);
    for (char **l = lines; *l != NULL && result == NULL; l++) {
        uintptr_t start, end;
        char perms[5];
        if (parse_header(*l, &start, &end, perms) && (uintptr_t)addr >= start &&
            (uintptr_t)addr < end)
            result = g_strdup(perms);
    }
    g_strfreev(lines);
    return result != NULL ? result : g_strdup("");
}

size_t tu_count_mappings(void)
{
    char **lines = read_lines("/proc/self/maps");
    size_t n = 0;

    if (lines == NULL)
        return 0;
    for (char **l = lines; *l != NULL; l++)
        if (**l != '\0')
            n++;
    g_strfreev(lines);
    return n;
}

/* ---- deliberate crashes in a child ------------------------------------- */

void tu_no_core_file(void)
{
#if HAVE_SETRLIMIT && HAVE_DECL_RLIMIT_CORE
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
#endif
}

static const void *expected_fault;

static void say(const char *line)
{
    if (write(2, line, strlen(line)) < 0) {
        /* the death test will see the line missing */
    }
}

/* SA_RESETHAND: on return the access runs again and kills the process. */
static void on_segv(int sig, siginfo_t *info, void *ctx)
{
    (void)sig;
    (void)ctx;
    say(info->si_addr == expected_fault ? TU_SEGV_LINE : "SIGSEGV at other address\n");
}

void tu_expect_segv_at(const void *addr)
{
    struct sigaction sa;

    tu_no_core_file();
    expected_fault = addr;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    g_assert_cmpint(sigaction(SIGSEGV, &sa, NULL), ==, 0);
}

/* abort() raises SIGABRT again after a handler returns. */
static void on_abort(int sig)
{
    (void)sig;
    say(TU_ABORT_LINE);
}

void tu_report_abort(void)
{
    struct sigaction sa;

    tu_no_core_file();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_abort;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    g_assert_cmpint(sigaction(SIGABRT, &sa, NULL), ==, 0);
}

void tu_assert_trap_segv(void)
{
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr(TU_SEGV_LINE);
}

void tu_assert_trap_fatal(const char *function, const char *what)
{
    char *line = g_strdup_printf("securememory: %s: %s (0x*)\n" TU_ABORT_LINE, function, what);

    g_test_trap_assert_failed();
    g_test_trap_assert_stderr(line);
    /* One line from the library, one from the SIGABRT handler, nothing else. */
    g_test_trap_assert_stderr_unmatched("*\n*\n*\n*");
    g_free(line);
}

int tu_run_in_child(void (*fn)(gconstpointer data), gconstpointer data)
{
    int status = 0;

    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        fn(data);
        _exit(0);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    return status;
}

void tu_assert_child_ok(int status)
{
    if (WIFSIGNALED(status))
        g_error("child killed by signal %d", WTERMSIG(status));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/* ---- the lock budget --------------------------------------------------- */

gboolean tu_can_limit_locking(const char **why)
{
    if (TU_MLOCK_IS_FAKE) {
        *why = "the sanitizer turns mlock into a no-op that always succeeds";
        return FALSE;
    }
#if !(HAVE_LINUX_CAPABILITY_H && defined(SYS_capget) && defined(SYS_capset))
    *why = "no <linux/capability.h> capget/capset to drop CAP_IPC_LOCK";
    return FALSE;
#elif !(HAVE_SETRLIMIT && HAVE_DECL_RLIMIT_MEMLOCK)
    *why = "no setrlimit(RLIMIT_MEMLOCK) to shrink the lock budget";
    return FALSE;
#else
    if (!(secmem_features() & SECMEM_FEATURE_LOCK)) {
        *why = "secmem_features() does not report lock";
        return FALSE;
    }
    *why = NULL;
    return TRUE;
#endif
}

#if HAVE_LINUX_CAPABILITY_H && defined(SYS_capget) && defined(SYS_capset)
static void drop_ipc_lock(void)
{
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    unsigned int i = CAP_TO_INDEX(CAP_IPC_LOCK);
    __u32 bit = CAP_TO_MASK(CAP_IPC_LOCK);

    g_assert_cmpint(syscall(SYS_capget, &header, data), ==, 0);
    data[i].effective &= ~bit;
    data[i].permitted &= ~bit;
    data[i].inheritable &= ~bit;
    g_assert_cmpint(syscall(SYS_capset, &header, data), ==, 0);
#if HAVE_PRCTL && defined(PR_CAPBSET_DROP)
    (void)prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0); /* needs CAP_SETPCAP */
#endif
    g_assert_cmpint(syscall(SYS_capget, &header, data), ==, 0);
    g_assert_cmpuint(data[i].effective & bit, ==, 0);
}
#endif

void tu_limit_locking(size_t limit)
{
#if HAVE_LINUX_CAPABILITY_H && defined(SYS_capget) && defined(SYS_capset) && HAVE_SETRLIMIT && \
    HAVE_DECL_RLIMIT_MEMLOCK
    struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};
    size_t page = tu_page_size();
    size_t probe_len = limit + 2 * page;

    drop_ipc_lock();
    g_assert_cmpint(setrlimit(RLIMIT_MEMLOCK, &rl), ==, 0);
    /* The budget really is gone: locking more than it fails. */
    void *probe = mmap(NULL, probe_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert_true(probe != MAP_FAILED);
    g_assert_cmpint(mlock(probe, probe_len), ==, -1);
    munmap(probe, probe_len);
#else
    (void)limit;
    g_assert_not_reached();
#endif
}

gboolean tu_require_lock_budget(size_t bytes)
{
    if (!(secmem_features() & SECMEM_FEATURE_LOCK))
        return TRUE; /* nothing is locked: no budget to run out of */
    secmem_trim(); /* the library's own cache counts against the budget too */
    void *scratch = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    g_assert_true(scratch != MAP_FAILED);
    int ok = mlock(scratch, bytes) == 0;
    int err = errno;
    munmap(scratch, bytes);
    if (ok)
        return TRUE;
    char *why = g_strdup_printf("cannot lock %zu more bytes here (%s): RLIMIT_MEMLOCK too small",
                                bytes, g_strerror(err));
    g_test_skip(why);
    g_free(why);
    return FALSE;
}

/* ---- features ---------------------------------------------------------- */

gboolean tu_require_feature(unsigned int bit, const char *why)
{
    if (secmem_features() & bit)
        return TRUE;
    g_test_skip(why);
    return FALSE;
}
