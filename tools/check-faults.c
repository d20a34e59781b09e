/*
 * check-faults.c - the self-tests that need a child process: reading an
 * inherited secret, touching guard pages, breaking the protection states,
 * damaging canaries, disabling core dumps.  The parent judges by how the
 * child ended (exit status or signal), never by what the child believes.
 *
 * Children that make allocations of their own use SECMEM_LOCK_BEST_EFFORT:
 * these tests are about faults, and the lock budget is the lock test's job.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check-tests.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#if HAVE_SYS_RESOURCE_H
#include <sys/resource.h>
#endif
#if HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#if HAVE_PRCTL && HAVE_DECL_PR_SET_DUMPABLE
#define CAN_SET_DUMPABLE 1
#else
#define CAN_SET_DUMPABLE 0
#endif
#if HAVE_PRCTL && HAVE_DECL_PR_GET_DUMPABLE
#define CAN_GET_DUMPABLE 1
#else
#define CAN_GET_DUMPABLE 0
#endif

/* ---- the fork child's view of an inherited secret ------------------------ */

struct inherited {
    const volatile unsigned char *secret;
    const unsigned char *pattern;
    size_t len;
};

static int read_inherited(void *arg)
{
    const struct inherited *in = arg;
    size_t zeros = 0, same = 0;

    child_ready(); /* an unmapped page (MADV_DONTFORK) faults here */
    for (size_t i = 0; i < in->len; i++) {
        unsigned char b = in->secret[i];
        zeros += b == 0;
        same += b == in->pattern[i];
    }
    if (zeros == in->len)
        return CHILD_SAW_ZEROS;
    return same > 0 ? CHILD_SAW_SECRET : CHILD_SAW_OTHER;
}

void faults_fork_wipe(struct check_report *r, struct check_test *t, const unsigned char *secret,
                      const unsigned char *pattern, size_t len)
{
    struct inherited in = {secret, pattern, len};
    struct child_outcome o;

    (void)r;
    child_run(read_inherited, &in, &o);
    if (child_faulted(&o))
        test_set(t, CHECK_PASS, "not mapped in a fork child (reading it raised %s)",
                 child_signal_name(o.signal));
    else if (o.exited && o.code == CHILD_SAW_ZEROS)
        test_set(t, CHECK_PASS, "a fork child reads %lu zero bytes where the secret is",
                 (unsigned long)len);
    else if (o.exited && o.code == CHILD_SAW_SECRET)
        test_set(t, CHECK_FAIL, "a fork child can read the secret");
    else if (o.exited && o.code == CHILD_SAW_OTHER)
        test_set(t, CHECK_FAIL, "a fork child reads non-zero bytes where the secret is");
    else
        test_unexpected_child(t, &o, "reading the inherited secret");
}

/* ---- an allocation of the child's own ------------------------------------ */

static unsigned char *child_secret(size_t size)
{
    unsigned char *p;

    secmem_set_option(SECMEM_OPT_LOCK_POLICY, SECMEM_LOCK_BEST_EFFORT);
    p = secmem_malloc(size);
    if (p == NULL)
        child_setup_failed(errno);
    memset(p, 0x5a, size);
    return p;
}

static void touch(volatile unsigned char *where)
{
    *where = 0xa5;
}

/* Changes the byte whatever it held, so a canary cannot match by chance. */
static void flip(volatile unsigned char *where)
{
    *where = (unsigned char)~*where;
}

static unsigned char peek(const volatile unsigned char *where)
{
    return *where;
}

/* ---- guard pages ------------------------------------------------------- */

struct guard_arg {
    size_t page;
    int before; /* the leading guard page; else the trailing one */
};

static int touch_guard(void *arg)
{
    const struct guard_arg *g = arg;
    unsigned char *p = child_secret(CHECK_SECRET_SIZE);
    uintptr_t end = (uintptr_t)(p + CHECK_SECRET_SIZE);

    /* For a size that is a multiple of 16, p[size] is the first byte of the
     * trailing guard page, and a 32-byte secret has one data page. */
    if (end % g->page != 0)
        return CHILD_BAD_LAYOUT;
    unsigned char *data_page = (unsigned char *)(end - g->page);
    (void)peek(data_page);  /* the data page itself is readable */
    (void)peek(p + CHECK_SECRET_SIZE - 1);
    unsigned char *target = g->before ? data_page - 1 : p + CHECK_SECRET_SIZE;
    child_ready();
    touch(target);
    return CHILD_NO_FAULT;
}

static void guard_test(struct check_report *r, const char *id, const char *title, int before)
{
    struct check_test *t = test_add(r, id, title, SECMEM_FEATURE_GUARD_PAGES);
    struct guard_arg arg = {r->page_size, before};
    const char *where = before ? "writing the last byte of the leading guard page"
                               : "writing p[32] of a 32-byte allocation (one byte past the end)";
    struct child_outcome o;

    if (!test_should_run(r, t) || !test_can_fork(t))
        return;
    if (r->page_size == 0) {
        test_set(t, CHECK_UNVERIFIABLE, "the page size is unknown");
        return;
    }
    child_run(touch_guard, &arg, &o);
    if (child_faulted(&o))
        test_set(t, CHECK_PASS, "a child %s died of %s", where, child_signal_name(o.signal));
    else
        test_unexpected_child(t, &o, where);
}

void faults_guard_pages(struct check_report *r)
{
    guard_test(r, "guard-before", "guard page before", 1);
    guard_test(r, "guard-after", "guard page after", 0);
}

/* ---- protection states ---------------------------------------------------- */

static int read_noaccess(void *arg)
{
    unsigned char *p = child_secret(CHECK_SECRET_SIZE);

    (void)arg;
    if (secmem_protect(p, SECMEM_NOACCESS) != 0)
        child_setup_failed(errno);
    child_ready();
    /* The value is used, so that no optimiser (nor valgrind's) drops the read. */
    return peek(p) == 0x5a ? CHILD_NO_FAULT : CHILD_SAW_OTHER;
}

static int write_readonly(void *arg)
{
    unsigned char *p = child_secret(CHECK_SECRET_SIZE);

    (void)arg;
    if (secmem_protect(p, SECMEM_READONLY) != 0)
        child_setup_failed(errno);
    if (peek(p) != 0x5a) /* READONLY must still read */
        return CHILD_CHECK_FAILED;
    child_ready();
    touch(p);
    return CHILD_NO_FAULT;
}

static void protection_test(struct check_report *r, const char *id, const char *title,
                            child_body body, const char *what)
{
    struct check_test *t = test_add(r, id, title, SECMEM_FEATURE_PROTECT);
    struct child_outcome o;

    if (!test_should_run(r, t) || !test_can_fork(t))
        return;
    child_run(body, NULL, &o);
    if (child_faulted(&o))
        test_set(t, CHECK_PASS, "a child %s died of %s", what, child_signal_name(o.signal));
    else if (o.exited && o.code == CHILD_CHECK_FAILED)
        test_set(t, CHECK_FAIL, "a READONLY allocation does not read back its bytes");
    else
        test_unexpected_child(t, &o, what);
}

void faults_protection(struct check_report *r)
{
    protection_test(r, "noaccess-read", "NOACCESS read faults", read_noaccess,
                    "reading a NOACCESS allocation");
    protection_test(r, "readonly-write", "READONLY write faults", write_readonly,
                    "writing a READONLY allocation");
}

/* ---- canaries: writes inside the data page, caught by secmem_free --------- */

static int damage_before(void *arg)
{
    unsigned char *p = child_secret(CHECK_SECRET_SIZE);

    (void)arg;
    flip(p - 1);
    child_ready();
    secmem_free(p);
    return CHILD_NO_FAULT;
}

/* 17 bytes leave 15 bytes of slack before the guard page. */
static int damage_after(void *arg)
{
    unsigned char *p = child_secret(17);

    (void)arg;
    flip(p + 17);
    child_ready();
    secmem_free(p);
    return CHILD_NO_FAULT;
}

static void canary_test(struct check_report *r, const char *id, const char *title,
                        child_body body, const char *what)
{
    struct check_test *t = test_add(r, id, title, 0);
    struct child_outcome o;

    if (!test_can_fork(t))
        return;
    child_run(body, NULL, &o);
    if (o.ran && o.ready && o.signal == SIGABRT)
        test_set(t, CHECK_PASS, "secmem_free aborted a child after %s", what);
    else
        test_unexpected_child(t, &o, what);
}

void faults_canaries(struct check_report *r)
{
    canary_test(r, "canary-before", "underflow caught on free", damage_before,
                "writing p[-1]");
    canary_test(r, "canary-after", "overflow caught on free", damage_after,
                "writing p[17] of a 17-byte allocation");
}

/* ---- secmem_disable_core_dumps ------------------------------------------ */

enum { CORE_LIMIT_KEPT = CHILD_LOCAL, CORE_STILL_DUMPABLE };

static int disable_core(void *arg)
{
    (void)arg;
    if (secmem_disable_core_dumps() != 0)
        child_setup_failed(errno);
#if HAVE_GETRLIMIT && HAVE_DECL_RLIMIT_CORE
    struct rlimit core;
    if (getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 || core.rlim_max != 0)
        return CORE_LIMIT_KEPT;
#endif
#if CAN_GET_DUMPABLE
    if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
        return CORE_STILL_DUMPABLE;
#endif
    return CHILD_CHECK_PASSED;
}

void faults_no_core(struct check_report *r)
{
    struct check_test *t = test_add(r, "no-core", "core dumps disabled", SECMEM_FEATURE_NO_CORE);
    struct child_outcome o;

    if (!test_should_run(r, t) || !test_can_fork(t))
        return;
    child_run(disable_core, NULL, &o);
    if (o.exited && o.code == CORE_LIMIT_KEPT)
        test_set(t, CHECK_FAIL, "RLIMIT_CORE is not 0/0 after secmem_disable_core_dumps()");
    else if (o.exited && o.code == CORE_STILL_DUMPABLE)
        test_set(t, CHECK_FAIL, "the process is still dumpable after secmem_disable_core_dumps()");
    else if (!(o.exited && o.code == CHILD_CHECK_PASSED))
        test_unexpected_child(t, &o, "secmem_disable_core_dumps()");
    else if (r->limits.core_piped && !CAN_SET_DUMPABLE)
        test_set(t, CHECK_FAIL, "core_pattern is piped, which RLIMIT_CORE does not govern, and "
                                "this build has no other way to stop dumps");
    else
        test_set(t, CHECK_PASS, "in a child afterwards: RLIMIT_CORE 0/0%s",
                 CAN_GET_DUMPABLE ? ", not dumpable (PR_GET_DUMPABLE 0)"
                                                           : "");
}
