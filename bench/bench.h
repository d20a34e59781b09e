/*
 * bench.h - what the parts of securememory-bench share.
 *
 * The benchmark compares securememory with the peers found at configure
 * time (libsodium, OpenSSL's secure heap, libgcrypt's secure memory).  Every
 * timed case runs its contenders interleaved inside each repetition, so a
 * slow moment of the machine hits all of them alike, and reports medians.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_BENCH_H
#define SECMEM_BENCH_H

#include "config.h"

#include <stddef.h>

/* The peers configure found, for every part that calls them. */
#if BENCH_HAVE_SODIUM
#include <sodium.h>
#endif
#if BENCH_HAVE_OPENSSL
#include <openssl/crypto.h>
#endif
#if BENCH_HAVE_GCRYPT
#include <gcrypt.h>
#endif

#define BENCH_REPS_DEFAULT 7

/* One contender of a timed case: loop(ctx, n) performs n operations. */
struct contender {
    const char *name;
    void (*loop)(void *ctx, size_t n);
    void *ctx;
    size_t batch;      /* operations per timed batch, found by calibration */
    double median_ns;  /* per operation, over the repetitions */
};

extern int bench_reps;
extern int bench_cpu_clock; /* 1: thread CPU time (default), 0: wall clock */

double bench_now_ns(void);
/* Calibrates each contender, then times them interleaved bench_reps times
 * and stores the median ns per operation. */
void bench_measure(struct contender *c, size_t count);
double bench_median(double *values, size_t count);

/* Prints one markdown table row: case, then each contender's ns, then the
 * ratio of every other contender's time to the first one's. */
void bench_print_header(const char *title);
void bench_print_case(const char *label, const struct contender *c, size_t count);

/* The parts of the run. */
void bench_peers_init(void);
void bench_guarded(void);
void bench_protect(void);
void bench_pool(void);
void bench_threads(void);
void bench_capacity(void);
void bench_mappings(void);

#endif /* SECMEM_BENCH_H */
