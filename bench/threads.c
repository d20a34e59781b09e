/*
 * threads.c - aggregate throughput of two threads on separate pools and on
 * one shared pool, against one thread; OpenSSL's secure heap (one global
 * lock) alongside for comparison.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "securememory.h"

#if BENCH_HAVE_OPENSSL
#include <openssl/crypto.h>
#endif

#define OPS_PER_THREAD 2000000u

struct worker {
    secmem_pool *pool; /* NULL: OpenSSL's secure heap */
    pthread_barrier_t *start;
    double cpu_ns;     /* the thread's CPU time for its pairs */
};

static double thread_cpu_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    void *keep;

    /* One block kept live, as a program holding a key would. */
    if (w->pool != NULL)
        keep = secmem_pool_alloc(w->pool, 32);
#if BENCH_HAVE_OPENSSL
    else
        keep = CRYPTO_secure_malloc(32, __FILE__, __LINE__);
#endif
    pthread_barrier_wait(w->start);
    double cpu0 = thread_cpu_ns();
    for (unsigned int i = 0; i < OPS_PER_THREAD; i++) {
        unsigned char *p;
        if (w->pool != NULL) {
            p = secmem_pool_alloc(w->pool, 32);
            memset(p, (int)i, 32);
            secmem_pool_free(w->pool, p);
        }
#if BENCH_HAVE_OPENSSL
        else {
            p = CRYPTO_secure_malloc(32, __FILE__, __LINE__);
            memset(p, (int)i, 32);
            CRYPTO_secure_clear_free(p, 32, __FILE__, __LINE__);
        }
#endif
    }
    w->cpu_ns = thread_cpu_ns() - cpu0;
    pthread_barrier_wait(w->start);
    if (w->pool != NULL)
        secmem_pool_free(w->pool, keep);
#if BENCH_HAVE_OPENSSL
    else
        CRYPTO_secure_free(keep, __FILE__, __LINE__);
#endif
    return NULL;
}

/* The control: pure arithmetic, no memory shared.  What two threads get
 * over one here is the most the machine gives at this moment (other load
 * on a 2-CPU machine shows up here first). */
#define SPIN_ITERATIONS 50000000ul

struct spinner {
    pthread_barrier_t *start;
    double cpu_ns;
};

static void *spin(void *arg)
{
    struct spinner *s = arg;
    volatile unsigned long sum = 0;

    pthread_barrier_wait(s->start);
    double cpu0 = thread_cpu_ns();
    for (unsigned long i = 0; i < SPIN_ITERATIONS; i++)
        sum += i;
    s->cpu_ns = thread_cpu_ns() - cpu0;
    pthread_barrier_wait(s->start);
    return NULL;
}

/* M iterations/s of all threads; *cpu_per_op: CPU ns per iteration. */
static double run_control(int threads, double *cpu_per_op)
{
    pthread_barrier_t start;
    pthread_t tid[2];
    struct spinner s[2];

    pthread_barrier_init(&start, NULL, (unsigned int)threads + 1);
    for (int t = 0; t < threads; t++) {
        s[t].start = &start;
        pthread_create(&tid[t], NULL, spin, &s[t]);
    }
    pthread_barrier_wait(&start);
    double t0 = bench_now_ns();
    pthread_barrier_wait(&start);
    double elapsed = bench_now_ns() - t0;
    *cpu_per_op = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        *cpu_per_op += s[t].cpu_ns / SPIN_ITERATIONS / threads;
    }
    pthread_barrier_destroy(&start);
    return (double)threads * SPIN_ITERATIONS / elapsed * 1e3;
}

enum mode { ONE_THREAD, TWO_SEPARATE, TWO_SHARED, OPENSSL_ONE, OPENSSL_TWO, MODES };

static const char *const mode_names[MODES] = {
    "securememory, 1 thread", "securememory, 2 threads, separate pools",
    "securememory, 2 threads, one shared pool", "OpenSSL secure heap, 1 thread",
    "OpenSSL secure heap, 2 threads"};

/* Millions of alloc/free pairs per second, all threads together; *cpu_per_op
 * receives the CPU time per pair, averaged over the threads. */
static double run_mode(enum mode m, double *cpu_per_op)
{
    int threads = (m == ONE_THREAD || m == OPENSSL_ONE) ? 1 : 2;
    int openssl = m == OPENSSL_ONE || m == OPENSSL_TWO;
    secmem_pool *shared = secmem_pool_new(0);
    pthread_barrier_t start;
    pthread_t tid[2];
    struct worker w[2];

    pthread_barrier_init(&start, NULL, (unsigned int)threads + 1);
    for (int t = 0; t < threads; t++) {
        w[t].pool = openssl ? NULL : (m == TWO_SEPARATE ? secmem_pool_new(0) : shared);
        w[t].start = &start;
        pthread_create(&tid[t], NULL, work, &w[t]);
    }
    pthread_barrier_wait(&start);
    double t0 = bench_now_ns();
    pthread_barrier_wait(&start);
    double elapsed = bench_now_ns() - t0;
    *cpu_per_op = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        *cpu_per_op += w[t].cpu_ns / OPS_PER_THREAD / threads;
        if (m == TWO_SEPARATE)
            secmem_pool_destroy(w[t].pool);
    }
    pthread_barrier_destroy(&start);
    secmem_pool_destroy(shared);
    return (double)threads * OPS_PER_THREAD / elapsed * 1e3;
}

void bench_threads(void)
{
    double samples[MODES][64], cpu[MODES][64];
    double median[MODES];
    double control[2][64], control_cpu[2][64];
    int modes = MODES;

#if !BENCH_HAVE_OPENSSL
    modes = OPENSSL_ONE;
#endif
    for (int r = 0; r < bench_reps && r < 64; r++) {
        for (int m = 0; m < modes; m++)
            samples[m][r] = run_mode((enum mode)m, &cpu[m][r]);
        control[0][r] = run_control(1, &control_cpu[0][r]);
        control[1][r] = run_control(2, &control_cpu[1][r]);
    }
    printf("\n### Threads: pool 32 B alloc + write + free, one block live per thread\n\n");
    printf("| threads | M pairs/s, wall clock (median of %d) | vs 1 thread of the same "
           "allocator | CPU ns per pair, per thread |\n",
           bench_reps);
    printf("|---|---:|---:|---:|\n");
    for (int m = 0; m < modes; m++) {
        median[m] = bench_median(samples[m], (size_t)(bench_reps < 64 ? bench_reps : 64));
        double base = m >= OPENSSL_ONE ? median[OPENSSL_ONE] : median[ONE_THREAD];
        printf("| %s | %.2f | **%.2f×** | %.1f |\n", mode_names[m], median[m], median[m] / base,
               bench_median(cpu[m], (size_t)(bench_reps < 64 ? bench_reps : 64)));
    }
    double one = bench_median(control[0], (size_t)bench_reps);
    double two = bench_median(control[1], (size_t)bench_reps);
    size_t reps = (size_t)(bench_reps < 64 ? bench_reps : 64);
    printf("| control: pure arithmetic, 1 thread | %.0f M adds/s | 1.00× | %.2f per add |\n", one,
           bench_median(control_cpu[0], reps));
    printf("| control: pure arithmetic, 2 threads | %.0f M adds/s | %.2f× | %.2f per add |\n", two,
           two / one, bench_median(control_cpu[1], reps));
    fflush(stdout);
}
