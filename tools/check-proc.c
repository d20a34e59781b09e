/*
 * check-proc.c - reading what the kernel says about this process (/proc).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check-proc.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * /proc describes the mappings of the mmap page backend.  A build without
 * mmap (the Win32 backend) has no procfs of its own; under wine a Linux
 * /proc would answer, describing wine's host process, not Windows.
 */
static FILE *proc_open(const char *path)
{
#if HAVE_MMAP
    return fopen(path, "r");
#else
    (void)path;
    errno = ENOSYS;
    return NULL;
#endif
}

int proc_read_line(const char *path, char *buf, size_t len)
{
    FILE *f = proc_open(path);
    int ok;

    if (f == NULL)
        return -1;
    ok = fgets(buf, (int)len, f) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    buf[strcspn(buf, "\n")] = '\0';
    return 0;
}

int proc_read_number(const char *path, unsigned long long *value)
{
    char line[64];
    char *end;

    if (proc_read_line(path, line, sizeof line) != 0)
        return -1;
    errno = 0;
    *value = strtoull(line, &end, 10);
    return (errno != 0 || end == line) ? -1 : 0;
}

int proc_status_field(const char *name, char *buf, size_t len)
{
    FILE *f = proc_open("/proc/self/status");
    char line[256];
    size_t name_len = strlen(name);
    int found = -1;

    if (f == NULL)
        return -1;
    while (found != 0 && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, name, name_len) != 0 || line[name_len] != ':')
            continue;
        const char *value = line + name_len + 1;
        value += strspn(value, " \t");
        snprintf(buf, len, "%.*s", (int)strcspn(value, "\n"), value);
        found = 0;
    }
    fclose(f);
    return found;
}

/* "VmLck:   12 kB" */
int proc_locked_bytes(unsigned long long *bytes)
{
    char field[64];
    unsigned long long kib;

    if (proc_status_field("VmLck", field, sizeof field) != 0 || sscanf(field, "%llu", &kib) != 1)
        return -1;
    *bytes = kib * 1024u;
    return 0;
}

/* Parses "start-end ..." of a maps/smaps header line. */
static int parse_range(const char *line, uintptr_t *start, uintptr_t *end)
{
    unsigned long long s, e;

    if (sscanf(line, "%llx-%llx ", &s, &e) != 2)
        return 0;
    *start = (uintptr_t)s;
    *end = (uintptr_t)e;
    return 1;
}

int proc_vmflags(const void *addr, char *flags, size_t len)
{
    FILE *f = proc_open("/proc/self/smaps");
    char line[512];
    uintptr_t a = (uintptr_t)addr, start, end;
    int inside = 0, found = 0, result = -1;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL) {
        if (parse_range(line, &start, &end)) {
            if (inside)
                break; /* the mapping had no VmFlags line: old kernel */
            inside = a >= start && a < end;
            found |= inside;
        } else if (inside && strncmp(line, "VmFlags:", 8) == 0) {
            const char *v = line + 8 + strspn(line + 8, " \t");
            size_t n = strcspn(v, "\n");
            while (n > 0 && v[n - 1] == ' ')
                n--;
            snprintf(flags, len, "%.*s", (int)n, v);
            result = 1;
            break;
        }
    }
    fclose(f);
    if (result != 1 && !found)
        result = 0;
    return result;
}

int proc_has_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);

    for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += n) {
        int starts = p == flags || p[-1] == ' ';
        int ends = p[n] == '\0' || p[n] == ' ';
        if (starts && ends)
            return 1;
    }
    return 0;
}

int proc_mapping_name(const void *addr, char *name, size_t len)
{
    FILE *f = proc_open("/proc/self/maps");
    char line[512];
    uintptr_t a = (uintptr_t)addr, start, end;
    int result = 0;

    if (f == NULL)
        return -1;
    while (result == 0 && fgets(line, sizeof line, f) != NULL) {
        if (!parse_range(line, &start, &end) || a < start || a >= end)
            continue;
        /* start-end perms offset dev inode [path] */
        const char *p = line;
        for (int field = 0; field < 5 && p != NULL; field++) {
            p = strchr(p, ' ');
            if (p != NULL)
                p += strspn(p, " ");
        }
        snprintf(name, len, "%.*s", p ? (int)strcspn(p, "\n") : 0, p ? p : "");
        result = 1;
    }
    fclose(f);
    return result;
}

long proc_count_mappings(void)
{
    FILE *f = proc_open("/proc/self/maps");
    long lines = 0;
    int c, last = '\n';

    if (f == NULL)
        return -1;
    while ((c = getc(f)) != EOF) {
        if (c == '\n')
            lines++;
        last = c;
    }
    fclose(f);
    return last == '\n' ? lines : lines + 1;
}

ssize_t proc_read_memory(const void *addr, void *buf, size_t len)
{
#if HAVE_PREAD
    int fd = open("/proc/self/mem", O_RDONLY);
    ssize_t n;
    int err;

    if (fd < 0)
        return -1;
    n = pread(fd, buf, len, (off_t)(uintptr_t)addr);
    err = errno;
    close(fd);
    errno = err;
    return n;
#else
    (void)addr;
    (void)buf;
    (void)len;
    errno = ENOSYS;
    return -1;
#endif
}
