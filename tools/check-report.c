/*
 * check-report.c - the plain-text report, for an administrator to read.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

#define LABEL "  %-25s "

/* "8388608 bytes (8 MiB)", "unlimited", "unknown". */
static const char *bytes_text(const struct check_value *v, char *buf, size_t len)
{
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};

    if (!v->known)
        return "unknown";
    if (v->unlimited)
        return "unlimited";
    unsigned long long x = v->value;
    int unit = -1;
    while (x >= 1024 && x % 1024 == 0 && unit < 3) {
        x /= 1024;
        unit++;
    }
    if (unit < 0)
        snprintf(buf, len, "%llu bytes", v->value);
    else
        snprintf(buf, len, "%llu bytes (%llu %s)", v->value, x, units[unit]);
    return buf;
}

static const char *count_text(const struct check_value *v, char *buf, size_t len)
{
    if (!v->known)
        return "unknown";
    if (v->unlimited)
        return "unlimited";
    snprintf(buf, len, "%llu", v->value);
    return buf;
}

static void print_library(const struct check_report *r)
{
    printf("Library\n");
    printf(LABEL "%s (built against header %s)\n", "version", r->library_version,
           r->header_version);
    if (r->page_size)
        printf(LABEL "%lu bytes\n", "page size", (unsigned long)r->page_size);
    else
        printf(LABEL "unknown\n", "page size");
    printf("\n%-28s%-34s %s\n", "Protections", "compiled in", "offered by this system");
    for (int i = 0; i < CHECK_FEATURES; i++) {
        const struct check_feature *f = &r->features[i];
        printf(LABEL "%-34s %s\n", f->name, f->compiled[0] ? f->compiled : "no",
               f->offered ? "yes" : "no");
    }
}

static void print_limits(const struct check_report *r)
{
    const struct check_limits *l = &r->limits;
    char a[64], b[64];

    printf("\nLimits for this process\n");
    printf(LABEL "soft %s, hard %s\n", "RLIMIT_MEMLOCK", bytes_text(&l->memlock_soft, a, sizeof a),
           bytes_text(&l->memlock_hard, b, sizeof b));
    printf(LABEL "%s\n", "locked now", bytes_text(&l->locked_now, a, sizeof a));
    printf(LABEL "%s\n", "CAP_IPC_LOCK effective",
           l->cap_ipc_lock == 1   ? "yes (RLIMIT_MEMLOCK does not limit locking)"
           : l->cap_ipc_lock == 0 ? "no (RLIMIT_MEMLOCK limits locking)"
                                  : "unknown");
    printf(LABEL "%s", "vm.max_map_count", count_text(&l->max_map_count, a, sizeof a));
    if (l->map_count.known)
        printf(" (this process has %llu mappings)", l->map_count.value);
    printf("\n");
    printf(LABEL "%s\n", "kernel.core_pattern", l->core_pattern_known ? l->core_pattern : "unknown");
    printf(LABEL "%s%s\n", "RLIMIT_CORE governs dumps",
           l->core_governed < 0 ? "unknown"
           : l->core_governed   ? "yes"
                                : "no: piped to a helper, which decides",
           l->core_governed == 0 && strstr(check_mechanisms(r, SECMEM_FEATURE_NO_CORE), "PR_SET_DUMPABLE")
               ? "; secmem_disable_core_dumps() also clears the dumpable flag, which stops it"
               : "");
    printf(LABEL "soft %s, hard %s\n", "RLIMIT_CORE", bytes_text(&l->core_soft, a, sizeof a),
           bytes_text(&l->core_hard, b, sizeof b));
}

static const char *result_text(enum check_result result)
{
    switch (result) {
    case CHECK_PASS:
        return "pass";
    case CHECK_FAIL:
        return "FAIL";
    case CHECK_SKIPPED:
        return "skipped";
    default:
        return "cannot verify here";
    }
}

static void print_tests(const struct check_report *r)
{
    printf("\nSelf-test (each protection checked from outside the allocation)\n");
    for (size_t i = 0; i < r->n_tests; i++) {
        const struct check_test *t = &r->tests[i];
        printf(LABEL "%-18s %s\n", t->title, result_text(t->result), t->detail);
    }
}

static void print_budget(const char *label, const struct check_budget *b)
{
    char a[64];

    printf(LABEL "%s; %s\n", label, count_text(&b->by_lock, a, sizeof a), b->note);
}

static void print_capacity(const struct check_report *r)
{
    const struct check_capacity *c = &r->capacity;
    char a[64];

    printf("\nCapacity (guarded allocations of %lu bytes, default backend)\n",
           (unsigned long)c->secret_size);
    printf(LABEL "%s\n", "data pages each", bytes_text(&c->data_bytes, a, sizeof a));
    printf(LABEL "%s\n", "locked each", bytes_text(&c->anonymous.lock_bytes, a, sizeof a));
    if (c->mappings_known)
        printf(LABEL "%.1f\n", "mappings each", c->mappings_per_alloc);
    else
        printf(LABEL "unknown\n", "mappings each");
    print_budget("by the lock budget", &c->anonymous);
    printf(LABEL "%s\n", "by vm.max_map_count", count_text(&c->by_maps, a, sizeof a));
    if (c->binding)
        printf(LABEL "about %llu more; %s binds\n", "fit", c->fit.value, c->binding);
    else if (c->anonymous.by_lock.unlimited && !c->by_maps.known)
        printf(LABEL "no limit known\n", "fit");
    else
        printf(LABEL "unknown\n", "fit");
    if (c->secretmem_measured) {
        printf(LABEL "%s\n", "secretmem: locked each",
               bytes_text(&c->secretmem.lock_bytes, a, sizeof a));
        print_budget("secretmem: by lock budget", &c->secretmem);
    }
}

static void print_pools(const struct check_report *r)
{
    const struct check_pools *p = &r->pools;
    char a[64];

    printf("\nPools (secrets of %lu bytes)\n", (unsigned long)p->secret_size);
    printf(LABEL "%s\n", "pools", p->detail);
    if (!p->available || !p->chunk_secrets.known)
        return;
    printf(LABEL "%s\n", "locked each", bytes_text(&p->budget.lock_bytes, a, sizeof a));
    print_budget("by the lock budget", &p->budget);
    if (p->budget.by_lock.known && !p->budget.by_lock.unlimited)
        printf(LABEL "about %llu pooled %lu-byte secrets fit in the lock budget\n", "fit",
               p->budget.by_lock.value, (unsigned long)p->secret_size);
}

/* Limits below what a typical daemon needs; they do not change the result. */
static void print_warnings(const struct check_report *r)
{
    printf("\nWarnings (limits below what a typical daemon needs; they do not change the result)\n");
    if (r->n_warnings == 0)
        printf("  none\n");
    for (size_t i = 0; i < r->n_warnings; i++) {
        const struct check_warning *w = &r->warnings[i];
        printf("  %s: %s\n", w->id, w->message);
        printf("    change: %s\n", w->setting);
    }
}

static void print_verdict(const struct check_report *r)
{
    size_t failed = 0;

    for (size_t i = 0; i < r->n_tests; i++)
        failed += r->tests[i].claimed && r->tests[i].result == CHECK_FAIL;
    if (failed == 0) {
        printf("\nResult: pass - every protection the library claims here holds\n");
        return;
    }
    printf("\nResult: FAIL - %lu protection%s the library claims here do%s not hold:",
           (unsigned long)failed,
           failed == 1 ? "" : "s", failed == 1 ? "es" : "");
    for (size_t i = 0; i < r->n_tests; i++)
        if (r->tests[i].claimed && r->tests[i].result == CHECK_FAIL)
            printf(" %s", r->tests[i].id);
    printf("\n");
}

void report_text(const struct check_report *r)
{
    printf("securememory-check %s: what libsecurememory can guarantee here", PACKAGE_VERSION);
    if (r->uid_known)
        printf(", for uid %lu", r->euid);
    printf("\n\n");
    print_library(r);
    print_limits(r);
    print_tests(r);
    print_capacity(r);
    print_pools(r);
    print_warnings(r);
    print_verdict(r);
}
