/*
 * check.h - what securememory-check finds out, and the parts that find it.
 *
 * The program gathers everything into one struct check_report first and
 * prints it afterwards (as text or JSON), so both outputs say the same.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_CHECK_H
#define SECMEM_CHECK_H

#include "config.h"

#include <stddef.h>

#include "securememory.h"

/* The size of the secrets the self-tests and the capacity estimate use. */
#define CHECK_SECRET_SIZE 32u

/* A number the system may not tell us, or may call unlimited. */
struct check_value {
    int known;              /* 0: could not be read here */
    int unlimited;          /* RLIM_INFINITY and the like */
    unsigned long long value;
};

/* One SECMEM_FEATURE_* bit: what the build has for it, what the system took. */
struct check_feature {
    unsigned int bit;
    const char *name;        /* secmem_feature_name() */
    char compiled[96];       /* mechanisms configure found, "" when none */
    int offered;             /* secmem_features() has the bit */
};

#define CHECK_FEATURES 8

struct check_limits {
    struct check_value memlock_soft, memlock_hard;
    struct check_value locked_now;     /* VmLck: bytes this process holds locked */
    int cap_ipc_lock;                  /* 1 effective, 0 not, -1 unknown */
    struct check_value max_map_count;  /* vm.max_map_count */
    struct check_value map_count;      /* mappings this process has now */
    int core_pattern_known;
    char core_pattern[256];            /* kernel.core_pattern */
    int core_piped;                    /* pattern starts with '|' */
    int core_governed;                 /* 1 RLIMIT_CORE governs dumps, 0 not, -1 unknown */
    struct check_value core_soft, core_hard;
};

enum check_result { CHECK_PASS, CHECK_FAIL, CHECK_SKIPPED, CHECK_UNVERIFIABLE };

struct check_test {
    const char *id;          /* JSON name, e.g. "locked" */
    const char *title;       /* text label, e.g. "locked" */
    unsigned int feature;    /* the SECMEM_FEATURE_* bit it verifies; 0: the contract */
    int claimed;             /* the library claims it here (feature offered, or 0) */
    enum check_result result;
    char detail[256];
};

#define CHECK_MAX_TESTS 16

/* How many allocations one limit allows: a count, unlimited, or unknown. */
struct check_budget {
    struct check_value lock_bytes;    /* bytes the kernel locks per allocation (VmLck) */
    struct check_value by_lock;       /* allocations the lock budget allows */
    char note[160];                   /* how by_lock came about */
};

struct check_capacity {
    size_t secret_size;
    struct check_value data_bytes;    /* data page bytes one allocation holds (statistics) */
    int mappings_known;
    double mappings_per_alloc;        /* VMAs one allocation adds (measured) */
    struct check_budget anonymous;    /* the default backend */
    struct check_value by_maps;       /* allocations vm.max_map_count allows */
    const char *binding;              /* "RLIMIT_MEMLOCK", "vm.max_map_count", NULL */
    struct check_value fit;           /* the smaller of the two */
    int secretmem_measured;           /* the secretmem backend is offered */
    struct check_budget secretmem;
};

/* Pools: how densely they pack secrets, measured on the first chunk of a
 * fresh pool, and how many pooled secrets the lock budget holds. */
struct check_pools {
    int available;
    char detail[160];
    size_t secret_size;
    struct check_value chunk_bytes;   /* data bytes of a pool's first chunk */
    struct check_value chunk_secrets; /* secrets it held before a second one was mapped */
    struct check_budget budget;       /* lock_bytes: bytes locked per pooled secret */
};

/* A limit below what a typical daemon needs: what it allows, and the
 * setting an administrator changes.  Warnings never change the exit status. */
struct check_warning {
    const char *id;          /* JSON name, e.g. "memlock" */
    char message[320];
    const char *setting;     /* where to change it */
};

#define CHECK_MAX_WARNINGS 8

struct check_report {
    const char *library_version;      /* secmem_version() */
    const char *header_version;       /* SECMEM_VERSION_STRING */
    int uid_known;
    unsigned long euid;
    size_t page_size;                 /* 0 when unknown */
    struct check_feature features[CHECK_FEATURES];
    struct check_limits limits;
    struct check_test tests[CHECK_MAX_TESTS];
    size_t n_tests;
    struct check_capacity capacity;
    struct check_pools pools;
    struct check_warning warnings[CHECK_MAX_WARNINGS];
    size_t n_warnings;
};

/* check-build.c: versions, compiled-in mechanisms and offered features. */
void check_build(struct check_report *r);
int check_compiled(const struct check_report *r, unsigned int bit);
int check_offered(const struct check_report *r, unsigned int bit);
/* "mlock", "MADV_WIPEONFORK, MADV_DONTFORK", ...; "" when none. */
const char *check_mechanisms(const struct check_report *r, unsigned int bit);

/* check-system.c: process limits and kernel settings. */
void check_system(struct check_report *r);

/* check-probes.c: the live self-tests. */
void check_probes(struct check_report *r);

/* check-capacity.c: how many guarded allocations fit; pools. */
void check_capacity(struct check_report *r);
void check_pools(struct check_report *r);

/* check-warnings.c: limits below what a typical daemon needs (after the
 * capacity and pool measurements, which it reads). */
void check_warnings(struct check_report *r);

/* check-report.c / check-json.c: the two outputs. */
void report_text(const struct check_report *r);
void report_json(const struct check_report *r, int exit_status);

/* The exit status the report calls for: 1 when a claimed protection failed. */
int check_exit_status(const struct check_report *r);
const char *check_result_name(enum check_result result);

#endif /* SECMEM_CHECK_H */
