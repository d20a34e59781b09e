/*
 * check-probes.c - the live self-test: one allocation made the way a daemon
 * would make it, then each protection checked from outside it (the kernel's
 * view in /proc, or a child process), never taken from the library's word.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check-tests.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check-proc.h"

/* ASan and TSan replace mlock with a no-op that reports success. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_NOTE "; this build uses a sanitizer, which makes mlock a no-op"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZER_NOTE "; this build uses a sanitizer, which makes mlock a no-op"
#endif
#endif
#ifndef SANITIZER_NOTE
#define SANITIZER_NOTE ""
#endif

/* ---- bookkeeping shared with check-faults.c ---------------------------- */

struct check_test *test_add(struct check_report *r, const char *id, const char *title,
                            unsigned int feature)
{
    static struct check_test overflow; /* only if CHECK_MAX_TESTS is too small */
    struct check_test *t = r->n_tests < CHECK_MAX_TESTS ? &r->tests[r->n_tests++] : &overflow;

    memset(t, 0, sizeof *t);
    t->id = id;
    t->title = title;
    t->feature = feature;
    t->claimed = feature == 0 || check_offered(r, feature);
    t->result = CHECK_UNVERIFIABLE;
    return t;
}

void test_set(struct check_test *t, enum check_result result, const char *fmt, ...)
{
    va_list ap;

    t->result = result;
    va_start(ap, fmt);
    vsnprintf(t->detail, sizeof t->detail, fmt, ap);
    va_end(ap);
}

int test_should_run(const struct check_report *r, struct check_test *t)
{
    if (t->claimed)
        return 1;
    if (!check_compiled(r, t->feature))
        test_set(t, CHECK_SKIPPED, "not compiled in (configure found no mechanism)");
    else
        test_set(t, CHECK_SKIPPED, "not offered by this system (secmem_features() lacks %s)",
                 secmem_feature_name(t->feature));
    return 0;
}

int test_can_fork(struct check_test *t)
{
    if (child_supported())
        return 1;
    test_set(t, CHECK_UNVERIFIABLE, "no fork() in this build to run the test in a child");
    return 0;
}

void test_unexpected_child(struct check_test *t, const struct child_outcome *o,
                           const char *expected)
{
    if (!o->ran)
        test_set(t, CHECK_UNVERIFIABLE, "could not start a child process: %s", strerror(o->err));
    else if (o->exited && o->code == CHILD_SETUP_FAILED)
        test_set(t, CHECK_FAIL, "the child could not set up the test: %s",
                 strerror(o->child_errno));
    else if (o->exited && o->code == CHILD_BAD_LAYOUT)
        test_set(t, CHECK_FAIL, "a 32-byte allocation does not end at its trailing guard page");
    else if (o->exited && o->code == CHILD_NO_FAULT)
        test_set(t, CHECK_FAIL, "%s: the access went through, no fault", expected);
    else if (o->exited)
        test_set(t, CHECK_FAIL, "%s: the child exited with status %d instead", expected, o->code);
    else if (!o->ready)
        test_set(t, CHECK_FAIL, "the child died of %s before the access under test",
                 child_signal_name(o->signal));
    else
        test_set(t, CHECK_FAIL, "%s: the child died of %s instead", expected,
                 child_signal_name(o->signal));
}

void test_pattern(unsigned char *buf, size_t len)
{
    uint64_t x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20) ^ (uint64_t)(uintptr_t)buf;

    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (unsigned char)(x | 1u); /* never zero: zero means "wiped" */
    }
}

/* ---- the allocation under test ------------------------------------------ */

struct secret {
    unsigned char *p;
    int err;           /* errno of the allocation under the default policy */
    int unlocked;      /* made under SECMEM_LOCK_BEST_EFFORT after that failed */
    unsigned char pattern[CHECK_SECRET_SIZE];
};

static int lock_refused(int err)
{
    return err == ENOMEM || err == EPERM || err == EAGAIN;
}

/* Allocates under the process's lock policy (REQUIRED by default), as a
 * daemon would.  When the lock budget refuses, the remaining tests still run
 * on an unlocked allocation; the lock test reports the refusal. */
static void secret_make(struct secret *s)
{
    memset(s, 0, sizeof *s);
    test_pattern(s->pattern, sizeof s->pattern);
    s->p = secmem_malloc(sizeof s->pattern);
    if (s->p == NULL) {
        s->err = errno;
        if (lock_refused(s->err)) {
            long policy = secmem_get_option(SECMEM_OPT_LOCK_POLICY);
            secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
            s->p = secmem_malloc(sizeof s->pattern);
            s->unlocked = s->p != NULL;
            secmem_set_option(SECMEM_OPT_LOCK_POLICY, policy);
        }
    }
    if (s->p != NULL)
        memcpy(s->p, s->pattern, sizeof s->pattern);
}

/* ---- checks through /proc/self/smaps ------------------------------------ */

static void verify_vmflag(struct check_test *t, const void *p, const char *flag)
{
    char flags[160];
    int found = proc_vmflags(p, flags, sizeof flags);

    if (found < 0)
        test_set(t, CHECK_UNVERIFIABLE,
                 "no VmFlags in /proc/self/smaps here; secmem_applied() says %s", t->title);
    else if (found == 0)
        test_set(t, CHECK_FAIL, "no mapping at the allocation's address in /proc/self/smaps");
    else if (proc_has_flag(flags, flag))
        test_set(t, CHECK_PASS, "/proc/self/smaps VmFlags has '%s' (%s)", flag, flags);
    else
        test_set(t, CHECK_FAIL, "/proc/self/smaps VmFlags lacks '%s' (%s)", flag, flags);
}

static void test_locked(struct check_report *r, const struct secret *s)
{
    struct check_test *t = test_add(r, "locked", "locked", SECMEM_FEATURE_LOCK);
    const struct check_limits *l = &r->limits;

    if (!test_should_run(r, t))
        return;
    if (s->err != 0 && lock_refused(s->err))
        test_set(t, CHECK_FAIL,
                 "secmem_malloc(%u) failed (%s): no room to lock a page under RLIMIT_MEMLOCK "
                 "(soft %llu bytes, %llu locked now)",
                 CHECK_SECRET_SIZE, strerror(s->err), l->memlock_soft.value,
                 l->locked_now.value);
    else if (s->p == NULL)
        test_set(t, CHECK_FAIL, "secmem_malloc(%u) failed: %s", CHECK_SECRET_SIZE,
                 strerror(s->err));
    else if (!(secmem_applied(s->p) & SECMEM_FEATURE_LOCK))
        test_set(t, CHECK_FAIL, "secmem_applied() lacks lock for a new allocation");
    else
        verify_vmflag(t, s->p, "lo");
    if (t->result == CHECK_FAIL && SANITIZER_NOTE[0] != '\0') {
        size_t used = strlen(t->detail);
        snprintf(t->detail + used, sizeof t->detail - used, "%s", SANITIZER_NOTE);
    }
}

static void test_not_dumped(struct check_report *r, const struct secret *s)
{
    struct check_test *t = test_add(r, "not-dumped", "not dumped", SECMEM_FEATURE_NODUMP);

    if (!test_should_run(r, t))
        return;
    if (s->p == NULL)
        test_set(t, CHECK_FAIL, "secmem_malloc(%u) failed: %s", CHECK_SECRET_SIZE,
                 strerror(s->err));
    else if (!(secmem_applied(s->p) & SECMEM_FEATURE_NODUMP))
        test_set(t, CHECK_FAIL, "secmem_applied() lacks nodump for a new allocation");
    else
        verify_vmflag(t, s->p, "dd");
}

static void test_fork_wiped(struct check_report *r, const struct secret *s)
{
    struct check_test *t = test_add(r, "fork-wiped", "wiped in fork children",
                                    SECMEM_FEATURE_FORK_WIPE);

    if (!test_should_run(r, t) || !test_can_fork(t))
        return;
    if (s->p == NULL) {
        test_set(t, CHECK_FAIL, "secmem_malloc(%u) failed: %s", CHECK_SECRET_SIZE,
                 strerror(s->err));
        return;
    }
    faults_fork_wipe(r, t, s->p, s->pattern, sizeof s->pattern);
}

/* ---- checks through /proc/self/mem --------------------------------------- */

static size_t count_equal(const unsigned char *a, const unsigned char *b, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += a[i] == b[i];
    return n;
}

static int all_zero(const unsigned char *a, size_t len)
{
    unsigned char any = 0;
    for (size_t i = 0; i < len; i++)
        any |= a[i];
    return any == 0;
}

/* After secmem_free the bytes are either gone (unmapped) or wiped (kept in
 * the cache); the kernel's copy says which, whatever the page protection. */
static void test_wiped_on_free(struct check_report *r)
{
    struct check_test *t = test_add(r, "wiped-on-free", "wiped on free", 0);
    struct secret s;
    unsigned char seen[CHECK_SECRET_SIZE];

    secret_make(&s);
    if (s.p == NULL) {
        test_set(t, CHECK_FAIL, "secmem_malloc(%u) failed: %s", CHECK_SECRET_SIZE,
                 strerror(s.err));
        return;
    }
    secmem_free(s.p);
    ssize_t n = proc_read_memory(s.p, seen, sizeof seen);
    if (n < 0 && errno == EIO)
        test_set(t, CHECK_PASS, "released: nothing is mapped at the address any more");
    else if (n < 0)
        test_set(t, CHECK_UNVERIFIABLE, "cannot read /proc/self/mem: %s", strerror(errno));
    else if ((size_t)n != sizeof seen)
        test_set(t, CHECK_UNVERIFIABLE, "short read from /proc/self/mem");
    else if (all_zero(seen, sizeof seen))
        test_set(t, CHECK_PASS, "the freed bytes read back as zeros (/proc/self/mem)");
    else if (count_equal(seen, s.pattern, sizeof seen) > 0)
        test_set(t, CHECK_FAIL, "%lu of %u bytes of the secret remain after secmem_free",
                 (unsigned long)count_equal(seen, s.pattern, sizeof seen), CHECK_SECRET_SIZE);
    else
        test_set(t, CHECK_PASS, "the address holds other data now; no byte of the secret");
}

/* While NOACCESS the bytes must be ciphertext in memory, and come back. */
static void test_idle_encrypt(struct check_report *r)
{
    struct check_test *t = test_add(r, "idle-encrypt", "encrypted while NOACCESS",
                                    SECMEM_FEATURE_IDLE_ENCRYPT);
    unsigned char seen[CHECK_SECRET_SIZE];
    struct secret s;

    if (!test_should_run(r, t))
        return;
    secret_make(&s);
    if (s.p == NULL) {
        test_set(t, CHECK_FAIL, "secmem_malloc(%u) failed: %s", CHECK_SECRET_SIZE,
                 strerror(s.err));
        return;
    }
    if (secmem_protect(s.p, SECMEM_NOACCESS) != 0) {
        test_set(t, CHECK_FAIL, "secmem_protect(NOACCESS) failed: %s", strerror(errno));
    } else {
        ssize_t n = proc_read_memory(s.p, seen, sizeof seen);
        if (n != (ssize_t)sizeof seen)
            test_set(t, CHECK_UNVERIFIABLE, "cannot read the process's memory from outside");
        else if (count_equal(seen, s.pattern, sizeof seen) == sizeof seen)
            test_set(t, CHECK_FAIL, "the secret is in memory in the clear while NOACCESS");
        else
            test_set(t, CHECK_PASS, "the bytes in memory differ from the secret while NOACCESS");
        if (secmem_protect(s.p, SECMEM_READWRITE) != 0 ||
            memcmp(s.p, s.pattern, sizeof s.pattern) != 0)
            test_set(t, CHECK_FAIL, "the secret did not come back after NOACCESS");
    }
    secmem_free(s.p);
}

/* ---- the secretmem backend ----------------------------------------------- */

/* The contract lets the backend fall back to anonymous memory when the
 * kernel refuses memfd_secret, which it does when the lock budget has no
 * room for the mapping; with no such budget there is no excuse. */
static void secretmem_fell_back(const struct check_report *r, struct check_test *t)
{
    const struct check_limits *l = &r->limits;

    if (l->cap_ipc_lock != 1 && l->memlock_soft.known && !l->memlock_soft.unlimited)
        test_set(t, CHECK_SKIPPED,
                 "fell back to anonymous memory, as the contract allows: the kernel refused a "
                 "memfd_secret mapping within RLIMIT_MEMLOCK (soft %llu bytes)",
                 l->memlock_soft.value);
    else
        test_set(t, CHECK_FAIL, "fell back to anonymous memory although the lock budget "
                                "is not limited (secmem_applied() lacks secretmem)");
}

static void verify_secretmem(struct check_report *r, struct check_test *t, const struct secret *s)
{
    char name[256], flags[160];
    int named = proc_mapping_name(s->p, name, sizeof name);
    int flagged = proc_vmflags(s->p, flags, sizeof flags);

    if (!(secmem_applied(s->p) & SECMEM_FEATURE_SECRETMEM))
        secretmem_fell_back(r, t);
    else if (named < 0 || flagged < 0)
        test_set(t, CHECK_UNVERIFIABLE, "no /proc/self/maps or smaps here");
    else if (named == 0 || strstr(name, "secretmem") == NULL)
        test_set(t, CHECK_FAIL, "the mapping is '%s', not memfd_secret", name);
    else if (!proc_has_flag(flags, "lo") || !proc_has_flag(flags, "dd"))
        test_set(t, CHECK_FAIL, "the secretmem mapping lacks 'lo' or 'dd' (%s)", flags);
    else {
        test_set(t, CHECK_PASS, "mapped from %s, VmFlags %s", name, flags);
        if (test_can_fork(t))
            faults_fork_wipe(r, t, s->p, s->pattern, sizeof s->pattern);
        if (t->result == CHECK_PASS)
            test_set(t, CHECK_PASS, "mapped from %s, VmFlags %s; a fork child cannot read it",
                     name, flags);
    }
}

static void test_secretmem(struct check_report *r)
{
    struct check_test *t = test_add(r, "secretmem", "memfd_secret backend",
                                    SECMEM_FEATURE_SECRETMEM);
    struct secret s;

    if (!test_should_run(r, t))
        return;
    long backend = secmem_get_option(SECMEM_OPT_BACKEND);
    /* Freed anonymous pages in the recycling cache would be handed out
     * again: test what the backend maps, not what the cache holds. */
    secmem_trim();
    secmem_set_option(SECMEM_OPT_BACKEND, SECMEM_BACKEND_SECRETMEM);
    secret_make(&s);
    secmem_set_option(SECMEM_OPT_BACKEND, backend);
    if (s.p == NULL) {
        test_set(t, CHECK_FAIL, "secmem_malloc(%u) with the secretmem backend failed: %s",
                 CHECK_SECRET_SIZE, strerror(s.err));
        return;
    }
    verify_secretmem(r, t, &s);
    secmem_free(s.p);
}

/* ---- all of them ----------------------------------------------------------- */

void check_probes(struct check_report *r)
{
    struct secret s;

    secret_make(&s);
    test_locked(r, &s);
    test_not_dumped(r, &s);
    test_fork_wiped(r, &s);
    secmem_free(s.p);

    faults_guard_pages(r);
    faults_protection(r);
    faults_canaries(r);
    test_wiped_on_free(r);
    faults_no_core(r);
    test_idle_encrypt(r);
    test_secretmem(r);
}
