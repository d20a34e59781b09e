/*
 * check-tests.h - what the self-test files share: adding a test to the
 * report, recording its result, and describing how a child ended.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SECMEM_CHECK_TESTS_H
#define SECMEM_CHECK_TESTS_H

#include "check.h"
#include "check-child.h"

/* Adds a test for feature (0: a guarantee of the contract, always claimed). */
struct check_test *test_add(struct check_report *r, const char *id, const char *title,
                            unsigned int feature);

/* Records the result with a printf-style detail. */
void test_set(struct check_test *t, enum check_result result, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Marks the test skipped when the library does not claim its feature here
 * (not compiled in, or not offered by this system).  1 when it must run. */
int test_should_run(const struct check_report *r, struct check_test *t);

/* Marks a test that needs a child process "cannot verify here" when no child
 * can be started.  1 when children are available. */
int test_can_fork(struct check_test *t);

/* Records a child that did not end the way the test expects: FAIL with a
 * description, or "cannot verify here" when no child could be started. */
void test_unexpected_child(struct check_test *t, const struct child_outcome *o,
                           const char *expected);

/* Fills buf with len non-zero bytes that differ from run to run. */
void test_pattern(unsigned char *buf, size_t len);

/* The fault self-tests (check-faults.c), each in a child process. */
void faults_fork_wipe(struct check_report *r, struct check_test *t, const unsigned char *secret,
                      const unsigned char *pattern, size_t len);
void faults_guard_pages(struct check_report *r);
void faults_protection(struct check_report *r);
void faults_canaries(struct check_report *r);
void faults_no_core(struct check_report *r);

#endif /* SECMEM_CHECK_TESTS_H */
