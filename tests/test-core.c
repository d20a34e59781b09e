/*
 * test-core.c - what a real core dump contains.  A fork()ed child puts
 * random secrets (made at run time, never copied out of guarded memory
 * except into a pipe to the parent) in guarded allocations of several sizes
 * and states, and a random control marker in ordinary heap memory, then
 * aborts in a temporary directory.  The core file must hold the marker
 * (so the dump is real and complete) and none of the secrets.
 *
 * A second test does the same after secmem_disable_core_dumps(): no core.
 *
 * Skipped when the kernel does not write cores into the working directory
 * (core_pattern piped to a helper or naming another directory), or when
 * RLIMIT_CORE's hard limit forbids a full dump.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#if HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#if HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#define SECRET_CHUNK 32
#define MIN_CORE_LIMIT (256u * 1024u * 1024u)

static const size_t secret_sizes[] = {32, 4096, 10000};
static const secmem_prot secret_states[] = {SECMEM_READWRITE, SECMEM_READONLY, SECMEM_NOACCESS};
#define N_SECRETS (G_N_ELEMENTS(secret_sizes) * G_N_ELEMENTS(secret_states))

/* ---- can this machine write a core file where we can find it? ----------- */

static gboolean cores_land_in_cwd(void)
{
    char *pattern = NULL;

    if (!g_file_get_contents("/proc/sys/kernel/core_pattern", &pattern, NULL, NULL)) {
        g_test_skip("cannot read /proc/sys/kernel/core_pattern");
        return FALSE;
    }
    g_strstrip(pattern);
    gboolean ok = FALSE;
    if (pattern[0] == '|')
        g_test_skip("core_pattern pipes cores to a helper; RLIMIT_CORE does not govern it");
    else if (strchr(pattern, '/') != NULL)
        g_test_skip("core_pattern writes cores into another directory");
    else
        ok = TRUE;
    g_free(pattern);
    return ok;
}

static gboolean can_dump(void)
{
#if HAVE_SETRLIMIT && HAVE_GETRLIMIT && HAVE_DECL_RLIMIT_CORE
    struct rlimit rl;

    if (TU_MLOCK_IS_FAKE) {
        g_test_skip("ASan/TSan set RLIMIT_CORE to 0 (disable_coredump) and map huge shadow memory");
        return FALSE;
    }
    g_assert_cmpint(getrlimit(RLIMIT_CORE, &rl), ==, 0);
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < MIN_CORE_LIMIT) {
        g_test_skip("RLIMIT_CORE hard limit too small for a complete core file");
        return FALSE;
    }
    return cores_land_in_cwd();
#else
    g_test_skip("built without setrlimit(RLIMIT_CORE)");
    return FALSE;
#endif
}

/* ---- the child ---------------------------------------------------------- */

static void random_fill(void *buf, size_t len)
{
#if HAVE_GETRANDOM
    g_assert_cmpint(getrandom(buf, len, 0), ==, (ssize_t)len);
#else
    /* Deterministic bytes would sit in .rodata or the stack: use /dev/urandom. */
    FILE *f = fopen("/dev/urandom", "rb");
    g_assert_nonnull(f);
    g_assert_cmpuint(fread(buf, 1, len, f), ==, len);
    fclose(f);
#endif
}

static void send_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(3);
        p += n;
        len -= (size_t)n;
    }
}

/* Writes every secret, then the marker, to fd, straight from where they
 * live; then dumps core (or not, when disable is set). */
static _Noreturn void child(const char *dir, int fd, gboolean disable)
{
    struct rlimit rl;

    if (chdir(dir) != 0)
        _exit(2);
    getrlimit(RLIMIT_CORE, &rl);
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_CORE, &rl) != 0)
        _exit(2);
    for (size_t s = 0; s < G_N_ELEMENTS(secret_sizes); s++) {
        for (size_t k = 0; k < G_N_ELEMENTS(secret_states); k++) {
            unsigned char *p = secmem_malloc(secret_sizes[s]);
            if (p == NULL)
                _exit(4);
            random_fill(p, secret_sizes[s]);
            send_all(fd, p, secret_sizes[s]);
            if (secmem_protect(p, secret_states[k]) != 0)
                _exit(4);
        }
    }
    unsigned char *marker = malloc(SECRET_CHUNK);
    random_fill(marker, SECRET_CHUNK);
    send_all(fd, marker, SECRET_CHUNK);
    close(fd);
    if (disable && secmem_disable_core_dumps() != 0)
        _exit(5);
    signal(SIGABRT, SIG_DFL);
    abort();
}

/* ---- the parent --------------------------------------------------------- */

static void receive_all(int fd, void *buf, size_t len)
{
    unsigned char *p = buf;

    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        g_assert_cmpint(n, >, 0);
        p += n;
        len -= (size_t)n;
    }
}

/* The one file the child left in dir (its core), or NULL. */
static char *find_core(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    char *found = NULL;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)) != NULL) {
        g_assert_null(found);
        found = g_build_filename(dir, name, NULL);
    }
    g_dir_close(d);
    return found;
}

static gboolean contains(const unsigned char *hay, size_t hay_len, const unsigned char *needle,
                         size_t len)
{
    return memmem(hay, hay_len, needle, len) != NULL;
}

struct dump {
    char *dir;
    int status;
    unsigned char *secrets; /* every secret, back to back */
    size_t secrets_len;
    unsigned char marker[SECRET_CHUNK];
};

static void dump_child(struct dump *d, gboolean disable)
{
    int fds[2];
    GError *error = NULL;

    d->dir = g_dir_make_tmp("secmem-core-XXXXXX", &error);
    g_assert_no_error(error);
    d->secrets_len = 0;
    for (size_t s = 0; s < G_N_ELEMENTS(secret_sizes); s++)
        d->secrets_len += secret_sizes[s] * G_N_ELEMENTS(secret_states);
    d->secrets = g_malloc(d->secrets_len);
    g_assert_cmpint(pipe(fds), ==, 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        close(fds[0]);
        child(d->dir, fds[1], disable);
    }
    close(fds[1]);
    receive_all(fds[0], d->secrets, d->secrets_len);
    receive_all(fds[0], d->marker, sizeof d->marker);
    close(fds[0]);
    g_assert_cmpint(waitpid(pid, &d->status, 0), ==, pid);
    if (!WIFSIGNALED(d->status))
        g_error("the child exited with %d instead of aborting", WEXITSTATUS(d->status));
    g_assert_cmpint(WTERMSIG(d->status), ==, SIGABRT);
}

static void dump_cleanup(struct dump *d, char *core)
{
    if (core != NULL)
        g_unlink(core);
    g_rmdir(d->dir);
    g_free(core);
    g_free(d->dir);
    g_free(d->secrets);
}

static void test_core_lacks_secrets(void)
{
    struct dump d;
    char *core_text = NULL;
    gsize core_len = 0;

    if (!tu_require_feature(SECMEM_FEATURE_NODUMP, "nodump not reported") || !can_dump())
        return;
    dump_child(&d, FALSE);
    char *core = find_core(d.dir);
    if (!WCOREDUMP(d.status) || core == NULL)
        g_error("no core file in %s although core_pattern and RLIMIT_CORE allow one", d.dir);
    g_assert_true(g_file_get_contents(core, &core_text, &core_len, NULL));
    const unsigned char *text = (const unsigned char *)core_text;

    /* The control: ordinary memory is in the dump. */
    g_assert_true(contains(text, core_len, d.marker, sizeof d.marker));
    /* Every 32-byte piece of every secret is absent. */
    for (size_t off = 0; off + SECRET_CHUNK <= d.secrets_len; off += SECRET_CHUNK)
        if (contains(text, core_len, d.secrets + off, SECRET_CHUNK))
            g_error("secret bytes at offset %zu found in the core file", off);
    g_free(core_text);
    dump_cleanup(&d, core);
}

static void test_disabled_no_core(void)
{
    struct dump d;

    if (!tu_require_feature(SECMEM_FEATURE_NO_CORE, "no-core not reported") || !can_dump())
        return;
    dump_child(&d, TRUE);
    char *core = find_core(d.dir);
    g_assert_false(WCOREDUMP(d.status));
    g_assert_null(core);
    dump_cleanup(&d, core);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    g_test_add_func("/core/dump-lacks-secrets-has-marker", test_core_lacks_secrets);
    g_test_add_func("/core/disabled-no-core", test_disabled_no_core);
    return g_test_run();
}
