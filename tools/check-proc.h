/*
 * check-proc.h - reading what the kernel says about this process (/proc).
 *
 * Every function degrades to "unknown" where /proc or the file is missing,
 * so the program runs (and says "cannot verify here") on systems without it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_CHECK_PROC_H
#define SECMEM_CHECK_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* The first line of a file, without its newline.  0, or -1 when unreadable. */
int proc_read_line(const char *path, char *buf, size_t len);

/* A file holding one unsigned number.  0, or -1. */
int proc_read_number(const char *path, unsigned long long *value);

/* The value after "Name:" in /proc/self/status.  0, or -1. */
int proc_status_field(const char *name, char *buf, size_t len);

/* Bytes this process holds locked (VmLck in /proc/self/status).  0, or -1. */
int proc_locked_bytes(unsigned long long *bytes);

/*
 * The VmFlags of the mapping that contains addr, from /proc/self/smaps.
 * 1 found, 0 no mapping contains addr, -1 smaps or VmFlags not available.
 */
int proc_vmflags(const void *addr, char *flags, size_t len);

/* Whether the VmFlags string holds the two-letter flag. */
int proc_has_flag(const char *flags, const char *flag);

/* The path column of /proc/self/maps for addr ("" for anonymous).
 * 1 found, 0 not mapped, -1 not available. */
int proc_mapping_name(const void *addr, char *name, size_t len);

/* Mappings this process has (lines of /proc/self/maps), or -1. */
long proc_count_mappings(void);

/*
 * Reads len bytes at addr through /proc/self/mem, as the kernel sees them,
 * whatever their protection.  Returns the bytes read, or -1 with errno (EIO
 * when nothing is mapped there; ENOENT and the like when /proc is missing).
 */
ssize_t proc_read_memory(const void *addr, void *buf, size_t len);

#endif /* SECMEM_CHECK_PROC_H */
