/*
 * main.c - securememory-bench: securememory against libsodium, OpenSSL's
 * secure heap and libgcrypt, in one run.  Prints markdown for
 * docs/PERFORMANCE.md.
 *
 *   securememory-bench [--reps N] [--quick]
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
    fprintf(stderr, "usage: securememory-bench [--reps N (>= 5)] [--skip-capacity]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int capacity = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            bench_reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--skip-capacity") == 0)
            capacity = 0;
        else
            usage();
    }
    if (bench_reps < 5 || bench_reps > 64)
        usage();
    printf("## securememory-bench (securememory %s)\n\n", secmem_version());
    printf("Peers linked: libsodium %s, OpenSSL secure heap %s, libgcrypt %s.\n",
           BENCH_HAVE_SODIUM ? "yes" : "no", BENCH_HAVE_OPENSSL ? "yes" : "no",
           BENCH_HAVE_GCRYPT ? "yes" : "no");
    /* Capacity and mappings first, in children of a process that has not
     * initialised any allocator yet. */
    if (capacity) {
        bench_capacity();
        bench_mappings();
    }
    bench_peers_init();
    bench_guarded();
    bench_protect();
    bench_pool();
    bench_threads();
    return 0;
}
