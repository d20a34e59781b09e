/*
 * main.c - securememory-bench: securememory against libsodium, OpenSSL's
 * secure heap and libgcrypt, in one run.  Prints markdown for
 * docs/PERFORMANCE.md.
 *
 *   securememory-bench [--reps N] [--clock cpu|wall] [--only PART]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "securememory.h"

static void usage(void)
{
    fprintf(stderr, "usage: securememory-bench [--reps N (5..64)] [--clock cpu|wall] "
                    "[--only capacity|mappings|guarded|protect|pool|threads]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *only = NULL;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            bench_reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else if (strcmp(argv[i], "--clock") == 0 && i + 1 < argc &&
                 (strcmp(argv[i + 1], "cpu") == 0 || strcmp(argv[i + 1], "wall") == 0))
            bench_cpu_clock = strcmp(argv[++i], "cpu") == 0;
        else
            usage();
    }
    if (bench_reps < 5 || bench_reps > 64)
        usage();
    printf("## securememory-bench (securememory %s)\n\n", secmem_version());
    printf("Peers linked: libsodium %s, OpenSSL secure heap %s, libgcrypt %s.\n",
           BENCH_HAVE_SODIUM ? "yes" : "no", BENCH_HAVE_OPENSSL ? "yes" : "no",
           BENCH_HAVE_GCRYPT ? "yes" : "no");
    printf("Single-thread cases: %d interleaved repetitions, medians, clock: %s.\n", bench_reps,
           bench_cpu_clock ? "thread CPU time (user + system)" : "wall (CLOCK_MONOTONIC)");
    printf("Thread cases: wall clock (throughput of all threads together).\n");
    /* Capacity and mappings first, in children of a process that has not
     * initialised any allocator yet. */
#define PART(name) (only == NULL || strcmp(only, name) == 0)
    if (PART("capacity"))
        bench_capacity();
    if (PART("mappings"))
        bench_mappings();
    bench_peers_init();
    if (PART("guarded"))
        bench_guarded();
    if (PART("protect"))
        bench_protect();
    if (PART("pool"))
        bench_pool();
    if (PART("threads"))
        bench_threads();
    return 0;
}
