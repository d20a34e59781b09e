/*
 * timing.c - calibrated, interleaved, repeated timing with medians.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A batch long enough for the clock to be exact and short enough that
 * bench_reps batches of every contender finish in a few seconds. */
#define BATCH_NS 20e6

int bench_reps = BENCH_REPS_DEFAULT;
int bench_cpu_clock = 1;

double bench_now_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* The clock of the single-thread cases: the thread's CPU time (user and
 * kernel, so system calls and page faults count) unless --clock wall.  On a
 * shared machine it leaves out the time other processes held the CPU. */
static double case_now_ns(void)
{
    struct timespec t;

    clock_gettime(bench_cpu_clock ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static double time_batch(struct contender *c, size_t n)
{
    double start = case_now_ns();
    c->loop(c->ctx, n);
    return case_now_ns() - start;
}

static void calibrate(struct contender *c)
{
    size_t n = 1;
    double ns;

    /* Warms caches and recycling lists on the way. */
    while ((ns = time_batch(c, n)) < BATCH_NS / 8 && n < ((size_t)1 << 30))
        n *= 2;
    double per_op = ns / (double)n;
    c->batch = (size_t)(BATCH_NS / per_op);
    if (c->batch == 0)
        c->batch = 1;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *values, size_t count)
{
    qsort(values, count, sizeof *values, by_value);
    return count % 2 ? values[count / 2] : (values[count / 2 - 1] + values[count / 2]) / 2;
}

void bench_measure(struct contender *c, size_t count)
{
    double *samples = calloc(count * (size_t)bench_reps, sizeof *samples);

    for (size_t i = 0; i < count; i++)
        calibrate(&c[i]);
    for (int r = 0; r < bench_reps; r++)
        for (size_t i = 0; i < count; i++)
            samples[i * (size_t)bench_reps + (size_t)r] =
                time_batch(&c[i], c[i].batch) / (double)c[i].batch;
    for (size_t i = 0; i < count; i++)
        c[i].median_ns = bench_median(&samples[i * (size_t)bench_reps], (size_t)bench_reps);
    free(samples);
}

void bench_print_header(const char *title)
{
    printf("\n### %s\n\n", title);
    printf("| case | allocator | ns/op (median of %d) | peer / securememory |\n", bench_reps);
    printf("|---|---|---:|---:|\n");
}

void bench_print_case(const char *label, const struct contender *c, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        if (i == 0)
            printf("| %s | %s | %.1f | — |\n", label, c[i].name, c[i].median_ns);
        else
            printf("| %s | %s | %.1f | **%.1f×** |\n", label, c[i].name, c[i].median_ns,
                   c[i].median_ns / c[0].median_ns);
    }
    fflush(stdout);
}
