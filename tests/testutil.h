/*
 * testutil.h - what the test programs share: reading /proc/self/maps and
 * smaps, recording how a deliberate crash ended, running code in a forked
 * child, and taking the lock budget away from a process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_TESTUTIL_H
#define SECMEM_TESTUTIL_H

#include "config.h"

#include <glib.h>
#include <stddef.h>

#include "securememory.h"

/* Sanitizers that turn mlock into a no-op (see field notes) and disable
 * core dumps. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TU_MLOCK_IS_FAKE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TU_MLOCK_IS_FAKE 1
#endif
#endif
#ifndef TU_MLOCK_IS_FAKE
#define TU_MLOCK_IS_FAKE 0
#endif

/* g_test_init plus the options every suite wants. */
void tu_init(int *argc, char ***argv);

size_t tu_page_size(void);

/* The start of the page holding addr, and the start of the next page. */
const unsigned char *tu_page_of(const void *addr);

/* ---- /proc/self/maps and smaps ------------------------------------------ */

/* TRUE when /proc/self/smaps can be read here. */
gboolean tu_have_smaps(void);
/* The VmFlags line (" rd wr mr mw me lo dd wf ...", with a leading and a
 * trailing space so that " lo " can be searched) of the mapping holding
 * addr; NULL when there is none.  g_free the result. */
char *tu_vmflags(const void *addr);
/* TRUE when the mapping holding addr has VmFlags flag (e.g. "lo"). */
gboolean tu_has_vmflag(const void *addr, const char *flag);
/* The permission field ("rw-p", "---p", ...) of the mapping holding addr,
 * or "" when addr is not mapped.  g_free the result. */
char *tu_perms(const void *addr);
/* The number of mappings (lines of /proc/self/maps). */
size_t tu_count_mappings(void);

/* ---- deliberate crashes in a child ------------------------------------- */

/* Keeps a crash that a test causes on purpose from leaving a core file. */
void tu_no_core_file(void);
/* From now on a SIGSEGV writes "SIGSEGV at expected address\n" (or "SIGSEGV
 * at other address\n") to stderr and the process dies of it. */
void tu_expect_segv_at(const void *addr);
/* From now on a SIGABRT writes "SIGABRT\n" to stderr and the process dies
 * of it, so a death test can tell abort() from any other failure. */
void tu_report_abort(void);

#define TU_SEGV_LINE "SIGSEGV at expected address\n"
#define TU_ABORT_LINE "SIGABRT\n"

/*
 * Asserts that the last g_test_trap_subprocess() child died of a fault at
 * the expected address, or of abort() after writing exactly
 * "securememory: <function>: <what> (<pointer>)".
 */
void tu_assert_trap_segv(void);
void tu_assert_trap_fatal(const char *function, const char *what);

/* Runs fn(data) in a fork()ed child that then _exit(0)s; returns the wait
 * status.  Use g_assert* inside fn: a failure aborts the child. */
int tu_run_in_child(void (*fn)(gconstpointer data), gconstpointer data);
/* Asserts that a wait status is a clean exit with status 0. */
void tu_assert_child_ok(int status);

/* ---- the lock budget --------------------------------------------------- */

/* FALSE with a reason when this build/run cannot take CAP_IPC_LOCK away. */
gboolean tu_can_limit_locking(const char **why);
/* Drops CAP_IPC_LOCK from every set and sets RLIMIT_MEMLOCK (soft and hard)
 * to limit bytes.  Irreversible: call it only in a child. */
void tu_limit_locking(size_t limit);

/* ---- features ---------------------------------------------------------- */

/* TRUE when this process can lock bytes more (RLIMIT_MEMLOCK, CAP_IPC_LOCK;
 * checked by locking a scratch mapping); otherwise skips with the reason.
 * For tests that keep much locked memory live at once. */
gboolean tu_require_lock_budget(size_t bytes);

/* TRUE when secmem_features() has bit; otherwise skips with why. */
gboolean tu_require_feature(unsigned int bit, const char *why);

#endif /* SECMEM_TESTUTIL_H */
