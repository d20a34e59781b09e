/*
 * secret-keeper - a daemon-style consumer of libsecurememory.
 *
 * Reads a secret (the first line of standard input) into secure memory and
 * keeps it NOACCESS while idle.  Every further line is a candidate: it is
 * read into secure memory as well, the secret is made READONLY just long
 * enough to compare the two with secmem_equal(), and the answer ("match" or
 * "mismatch") is written to standard output.  Everything is wiped on exit.
 *
 * Build against the installed library with pkg-config alone:
 *     cc -o secret-keeper secret-keeper.c $(pkg-config --cflags --libs securememory)
 * Try it:
 *     printf 'hunter2\nguess\nhunter2\n' | ./secret-keeper
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <securememory.h>

/* Secrets and candidates live in buffers of this fixed size, zero-padded:
 * comparing whole buffers makes the comparison time independent of where
 * the first difference is and of the secret's length. */
#define LINE_MAX_BYTES 1024

/* Reads one line into buf (without the newline), one byte at a time with
 * read(2): stdio would keep a copy of the secret in its own heap buffer.
 * Returns the length, -1 at end of input, -2 for a line that does not fit. */
static long read_line(int fd, unsigned char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        unsigned char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return len > 0 ? (long)len : -1;
        if (c == '\n')
            return (long)len;
        if (len == cap)
            return -2;
        buf[len++] = c;
    }
}

static int fail(const char *what)
{
    fprintf(stderr, "secret-keeper: %s: %s\n", what, strerror(errno));
    return EXIT_FAILURE;
}

/* Compares the candidate against the secret, which is readable only here. */
static int check_candidate(unsigned char *secret, long secret_len,
                           const unsigned char *candidate, long candidate_len)
{
    if (secmem_protect(secret, SECMEM_READONLY) != 0)
        return -1;
    int same = secmem_equal(secret, candidate, LINE_MAX_BYTES);
    if (secmem_protect(secret, SECMEM_NOACCESS) != 0)
        return -1;
    return same && secret_len == candidate_len;
}

static int serve(unsigned char *secret, long secret_len, unsigned char *candidate)
{
    for (;;) {
        secmem_wipe(candidate, LINE_MAX_BYTES);
        long len = read_line(STDIN_FILENO, candidate, LINE_MAX_BYTES);
        if (len == -1)
            return EXIT_SUCCESS;
        if (len == -2) {
            fprintf(stderr, "secret-keeper: candidate longer than %d bytes\n",
                    LINE_MAX_BYTES);
            return EXIT_FAILURE;
        }
        int same = check_candidate(secret, secret_len, candidate, len);
        if (same < 0)
            return fail("secmem_protect");
        printf("%s\n", same ? "match" : "mismatch");
        fflush(stdout);
    }
}

int main(void)
{
    /* A crash must not write the secret into a core file. */
    if (secmem_disable_core_dumps() != 0 && errno != ENOSYS)
        return fail("secmem_disable_core_dumps");

    unsigned char *secret = secmem_calloc(1, LINE_MAX_BYTES);
    if (secret == NULL)
        return fail("secmem_calloc (secret)");
    unsigned char *candidate = secmem_calloc(1, LINE_MAX_BYTES);
    if (candidate == NULL) {
        secmem_free(secret);
        return fail("secmem_calloc (candidate)");
    }

    int status = EXIT_FAILURE;
    long secret_len = read_line(STDIN_FILENO, secret, LINE_MAX_BYTES);
    if (secret_len < 0) {
        fprintf(stderr, "secret-keeper: expected a secret of 1 to %d bytes on the first line\n",
                LINE_MAX_BYTES);
    } else if (secmem_protect(secret, SECMEM_NOACCESS) != 0) {
        status = fail("secmem_protect");
    } else {
        fprintf(stderr, "secret-keeper: libsecurememory %s, secret held NOACCESS\n",
                secmem_version());
        status = serve(secret, secret_len, candidate);
    }

    /* secmem_free wipes in any protection state. */
    secmem_free(candidate);
    secmem_free(secret);
    return status;
}
