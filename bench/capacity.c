/*
 * capacity.c - how many live 32-byte secrets each allocator holds as an
 * unprivileged process (CAP_IPC_LOCK dropped, RLIMIT_MEMLOCK 8 MiB, the
 * REQUIRED lock policy) and how it fails; and how many mappings (VMAs)
 * 10,000 live secrets cost.  Every allocator runs in a fork()ed child of a
 * process that has not yet initialised any of them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#if HAVE_LINUX_CAPABILITY_H
#include <linux/capability.h>
#endif
#if HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include "securememory.h"

#define LOCK_BUDGET (8u << 20)
#define COUNT_CAP 1000000u  /* stop counting here: the allocator did not fail */
#define TIME_CAP_NS 20e9    /* stop an allocator that slows down with each block */

/* ---- the unprivileged child ----------------------------------------------- */

static int limit_locking(size_t limit)
{
#if HAVE_LINUX_CAPABILITY_H && defined(SYS_capget) && defined(SYS_capset)
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
    unsigned int i = CAP_TO_INDEX(CAP_IPC_LOCK);
    __u32 bit = CAP_TO_MASK(CAP_IPC_LOCK);
    struct rlimit rl = {(rlim_t)limit, (rlim_t)limit};

    if (syscall(SYS_capget, &header, data) != 0)
        return -1;
    data[i].effective &= ~bit;
    data[i].permitted &= ~bit;
    data[i].inheritable &= ~bit;
    if (syscall(SYS_capset, &header, data) != 0)
        return -1;
#if defined(PR_CAPBSET_DROP)
    (void)prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0);
#endif
    return setrlimit(RLIMIT_MEMLOCK, &rl);
#else
    (void)limit;
    return -1;
#endif
}

/* VmLck of this process, in KiB. */
static long locked_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static size_t count_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    size_t n = 0;
    int c;

    if (f == NULL)
        return 0;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* ---- one allocator --------------------------------------------------------- */

struct allocator {
    const char *name;
    /* Returns a note on the set-up ("" when there is nothing to say). */
    const char *(*setup)(void);
    void *(*alloc)(void);
};

static secmem_pool *capacity_pool;

static const char *pool_setup(void)
{
    capacity_pool = secmem_pool_new(0);
    return "";
}

static void *pool_alloc(void)
{
    return secmem_pool_alloc(capacity_pool, 32);
}

static const char *guarded_setup(void)
{
    return "";
}

static void *guarded_alloc(void)
{
    return secmem_malloc(32);
}

#if BENCH_HAVE_SODIUM
static const char *sodium_setup(void)
{
    return sodium_init() < 0 ? "sodium_init failed" : "";
}

static void *sodium_alloc(void)
{
    return sodium_malloc(32);
}
#endif

#if BENCH_HAVE_OPENSSL
static char openssl_note[80];

static const char *openssl_setup(void)
{
    int ret = CRYPTO_secure_malloc_init(LOCK_BUDGET, 16);
    snprintf(openssl_note, sizeof openssl_note, "CRYPTO_secure_malloc_init(8 MiB) returned %d",
             ret);
    return openssl_note;
}

static void *openssl_alloc(void)
{
    return CRYPTO_secure_malloc(32, __FILE__, __LINE__);
}
#endif

#if BENCH_HAVE_GCRYPT
static const char *gcrypt_setup(void)
{
    gcry_check_version(NULL);
    gcry_control(GCRYCTL_INIT_SECMEM, LOCK_BUDGET, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    return "";
}

static void *gcrypt_alloc(void)
{
    return gcry_malloc_secure(32);
}
#endif

static const struct allocator allocators[] = {
    {"securememory pool", pool_setup, pool_alloc},
    {"securememory guarded", guarded_setup, guarded_alloc},
#if BENCH_HAVE_SODIUM
    {"libsodium sodium_malloc", sodium_setup, sodium_alloc},
#endif
#if BENCH_HAVE_OPENSSL
    {"OpenSSL CRYPTO_secure_malloc", openssl_setup, openssl_alloc},
#endif
#if BENCH_HAVE_GCRYPT
    {"libgcrypt gcry_malloc_secure", gcrypt_setup, gcrypt_alloc},
#endif
};

/* In the child: fills the budget, writes one result line to fd. */
static void fill(const struct allocator *a, int fd, int limited, size_t stop_at)
{
    char line[512];
    size_t n = 0;
    const char *how = "did not fail";
    int err = 0;
    size_t maps_before = count_mappings();

    if (limited && limit_locking(LOCK_BUDGET) != 0) {
        dprintf(fd, "-|cannot drop CAP_IPC_LOCK here|-|-\n");
        _exit(0);
    }
    const char *note = a->setup();
    double start = bench_now_ns();
    for (;;) {
        if (n >= stop_at) {
            how = limited ? "still returning memory at the count cap" : "";
            break;
        }
        if ((n & 1023) == 0 && bench_now_ns() - start > TIME_CAP_NS) {
            how = "stopped after 20 s (each allocation is slower than the last)";
            break;
        }
        errno = 0;
        unsigned char *p = a->alloc();
        if (p == NULL) {
            err = errno;
            how = "returned NULL";
            break;
        }
        p[0] = 1;
        n++;
    }
    snprintf(line, sizeof line, "%zu|%s%s%s%s%s|%ld|%zu\n", n, how,
             err ? ", errno " : "", err ? strerror(err) : "", *note ? "; " : "", note,
             locked_kib(), count_mappings() - maps_before);
    if (write(fd, line, strlen(line)) < 0)
        _exit(1);
    _exit(0);
}

static void run_child(const struct allocator *a, int limited, size_t stop_at, char *out,
                      size_t out_len)
{
    int fds[2];
    ssize_t got = 0;

    fflush(stdout);
    if (pipe(fds) != 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        fill(a, fds[1], limited, stop_at);
    }
    close(fds[1]);
    for (ssize_t r; (size_t)got < out_len - 1 &&
                    (r = read(fds[0], out + got, out_len - 1 - (size_t)got)) > 0;)
        got += r;
    out[got > 0 ? got : 0] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (got <= 0)
        snprintf(out, out_len, "-|child died (status %d)|-|-\n", status);
    out[strcspn(out, "\n")] = '\0';
}

static void split(char *line, char *field[4])
{
    static char empty[1];

    for (int i = 0; i < 4; i++) {
        field[i] = line;
        line = strchr(line, '|');
        if (line == NULL) {
            for (int j = i + 1; j < 4; j++)
                field[j] = empty;
            return;
        }
        *line++ = '\0';
    }
}

void bench_capacity(void)
{
    char out[512];
    char *f[4];

    printf("\n### Capacity: live locked 32-byte secrets, unprivileged "
           "(no CAP_IPC_LOCK, RLIMIT_MEMLOCK 8 MiB, REQUIRED policy)\n\n");
    printf("| allocator | secrets it returned | how it ended | VmLck at the end | VMAs used |\n");
    printf("|---|---:|---|---:|---:|\n");
    for (size_t i = 0; i < sizeof allocators / sizeof allocators[0]; i++) {
        run_child(&allocators[i], 1, COUNT_CAP, out, sizeof out);
        split(out, f);
        printf("| %s | %s | %s | %s KiB | %s |\n", allocators[i].name, f[0], f[1], f[2], f[3]);
        fflush(stdout);
    }
}

void bench_mappings(void)
{
    char out[512];
    char *f[4];

    printf("\n### Mappings (VMAs in /proc/self/maps) for 10,000 live 32-byte secrets\n\n");
    printf("| allocator | VMAs added (set-up included) |\n|---|---:|\n");
    for (size_t i = 0; i < sizeof allocators / sizeof allocators[0]; i++) {
        run_child(&allocators[i], 0, 10000, out, sizeof out);
        split(out, f);
        printf("| %s | %s |\n", allocators[i].name, f[0][0] == '-' ? f[1] : f[3]);
        fflush(stdout);
    }
}
