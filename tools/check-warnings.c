/*
 * check-warnings.c - limits below what a typical daemon needs, each with the
 * setting an administrator changes to raise it.
 *
 * Warnings do not change the exit status: a small limit is a choice the
 * administrator may have made on purpose (the library then fails loudly, or
 * falls back as its lock policy says), whereas a failed self-test is a
 * protection the library claims and does not deliver.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * What a typical daemon needs.  A daemon that holds key material per
 * connection or per session (a VPN, a TLS terminator, an SSH or a password
 * agent) keeps one or a few 32-byte secrets per client:
 *
 * - 1,000 guarded secrets: a thousand concurrent clients of a daemon that
 *   gives each key its own guard pages.  At one locked page each that is
 *   4 MiB, which the 8 MiB RLIMIT_MEMLOCK Linux gives unprivileged processes
 *   since 5.16 holds; the older 64 KiB default holds 16.
 * - 100,000 pooled secrets: pools exist to hold many small secrets (a busy
 *   server's session keys); 100,000 x 32 bytes is 3.2 MiB, again within the
 *   8 MiB default, far beyond 64 KiB (2,048).
 *
 * Below either, the daemon runs out of lockable memory under ordinary load.
 */
#define NEED_GUARDED 1000ull
#define NEED_POOLED 100000ull

#define SETTING_MEMLOCK \
    "LimitMEMLOCK= in the daemon's systemd unit, or memlock in /etc/security/limits.conf"
#define SETTING_MAP_COUNT "sysctl vm.max_map_count (persist it in /etc/sysctl.d/)"
#define SETTING_CORE_PATTERN \
    "sysctl kernel.core_pattern, or the dump helper's configuration " \
    "(systemd-coredump: Storage=none in /etc/systemd/coredump.conf)"

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void warn(struct check_report *r, const char *id, const char *setting, const char *fmt, ...)
{
    struct check_warning *w;
    va_list ap;

    if (r->n_warnings >= CHECK_MAX_WARNINGS)
        return;
    w = &r->warnings[r->n_warnings++];
    w->id = id;
    w->setting = setting;
    va_start(ap, fmt);
    vsnprintf(w->message, sizeof w->message, fmt, ap);
    va_end(ap);
}

/* Bytes RLIMIT_MEMLOCK leaves to lock, whatever the capabilities: 0 when
 * the limit is unknown or unlimited (nothing to warn about). */
static int memlock_room(const struct check_limits *l, unsigned long long *room)
{
    unsigned long long used = l->locked_now.known ? l->locked_now.value : 0;

    if (!l->memlock_soft.known || l->memlock_soft.unlimited)
        return 0;
    *room = l->memlock_soft.value > used ? l->memlock_soft.value - used : 0;
    return 1;
}

/* Secrets of lock_bytes each that room holds; 0 when lock_bytes is unknown. */
static int fits(unsigned long long room, const struct check_value *lock_bytes,
                unsigned long long *n)
{
    if (!lock_bytes->known || lock_bytes->unlimited || lock_bytes->value == 0)
        return 0;
    *n = room / lock_bytes->value;
    return 1;
}

/* "soft N bytes, M in use; the hard limit ...": the limit as it stands. */
static void memlock_context(const struct check_limits *l, char *buf, size_t len)
{
    int n = snprintf(buf, len, "soft %llu bytes", l->memlock_soft.value);

    if (n < 0 || (size_t)n >= len)
        return;
    if (l->locked_now.known && l->locked_now.value > 0)
        n += snprintf(buf + n, len - (size_t)n, ", %llu in use", l->locked_now.value);
    if (n < 0 || (size_t)n >= len)
        return;
    if (l->memlock_hard.known && l->memlock_hard.unlimited)
        snprintf(buf + n, len - (size_t)n, "; hard unlimited: the daemon may raise it with setrlimit");
    else if (l->memlock_hard.known && l->memlock_hard.value > l->memlock_soft.value)
        snprintf(buf + n, len - (size_t)n,
                 "; hard %llu bytes: the daemon may raise it with setrlimit", l->memlock_hard.value);
}

static void warn_memlock(struct check_report *r)
{
    const struct check_limits *l = &r->limits;
    unsigned long long room, guarded = 0, pooled = 0;
    int guarded_known, pooled_known;
    char context[128];

    if (!check_offered(r, SECMEM_FEATURE_LOCK) || !memlock_room(l, &room))
        return;
    guarded_known = fits(room, &r->capacity.anonymous.lock_bytes, &guarded);
    pooled_known = r->pools.available && fits(room, &r->pools.budget.lock_bytes, &pooled);
    if (!(guarded_known && guarded < NEED_GUARDED) && !(pooled_known && pooled < NEED_POOLED))
        return;
    memlock_context(l, context, sizeof context);
    warn(r, "memlock", SETTING_MEMLOCK,
         "%sRLIMIT_MEMLOCK (%s) holds %s%llu guarded (a typical daemon needs %llu) and "
         "%s%llu pooled (needs %llu) %lu-byte secrets",
         l->cap_ipc_lock == 1 ? "this process has CAP_IPC_LOCK; for a daemon without it, " : "",
         context, guarded_known ? "" : "unknown ", guarded, NEED_GUARDED,
         pooled_known ? "" : "unknown ", pooled, NEED_POOLED, (unsigned long)CHECK_SECRET_SIZE);
}

static void warn_map_count(struct check_report *r)
{
    const struct check_capacity *c = &r->capacity;

    if (!c->by_maps.known || c->by_maps.value >= NEED_GUARDED)
        return;
    warn(r, "max-map-count", SETTING_MAP_COUNT,
         "vm.max_map_count (%llu, %llu in use) holds %llu more guarded secrets at %.1f "
         "mappings each; a typical daemon needs %llu",
         r->limits.max_map_count.value, r->limits.map_count.value, c->by_maps.value,
         c->mappings_per_alloc, NEED_GUARDED);
}

/* A piped core_pattern is not governed by RLIMIT_CORE; only the dumpable
 * flag stops the kernel from handing the helper the whole memory. */
static void warn_core_pattern(struct check_report *r)
{
    const struct check_limits *l = &r->limits;

    if (!l->core_pattern_known || !l->core_piped ||
        strstr(check_mechanisms(r, SECMEM_FEATURE_NO_CORE), "PR_SET_DUMPABLE") != NULL)
        return;
    warn(r, "core-pattern-piped", SETTING_CORE_PATTERN,
         "kernel.core_pattern pipes dumps to a helper, which RLIMIT_CORE does not govern, and "
         "this build cannot clear the dumpable flag (no PR_SET_DUMPABLE): a crash hands the "
         "helper every secret that is not in don't-dump memory");
}

void check_warnings(struct check_report *r)
{
    warn_memlock(r);
    warn_map_count(r);
    warn_core_pattern(r);
}
