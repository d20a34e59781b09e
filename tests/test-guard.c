/*
 * test-guard.c - guard pages, canaries and fatal misuse, as death tests.
 *
 * The layout (guarded.c, api.md): [guard][data pages][guard], the user bytes
 * placed so that their 16-byte-rounded span ends at the trailing guard page;
 * canary bytes fill the slack after the end and up to 16 bytes before the
 * start.  So for a size of n bytes, span = round_up(n, 16):
 *  - p[n] is in the trailing guard page when n is a multiple of 16 (SIGSEGV
 *    at the access), otherwise in the tail canary (abort in secmem_free);
 *  - p[-1] is in the leading guard page when span is a multiple of the page
 *    size (SIGSEGV), otherwise in the head canary (abort in secmem_free).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const size_t sizes[] = {1, 15, 16, 17, 4095, 4096, 4097};

#define OVERFLOW_MSG "canary after the allocation damaged (buffer overflow)"
#define UNDERFLOW_MSG "canary before the allocation damaged (buffer underflow)"
#define NOT_LIVE_MSG "not a live secure allocation"
#define BAD_FREE_MSG "not a live secure allocation (double or foreign free)"

static size_t span_of(size_t size)
{
    return (size + 15) & ~(size_t)15;
}

static gboolean past_end_faults(size_t size)
{
    return size % 16 == 0;
}

static gboolean before_start_faults(size_t size)
{
    return span_of(size) % tu_page_size() == 0;
}

/* Changes the byte (whatever it was) so that a canary cannot match by luck. */
static void flip(volatile unsigned char *byte)
{
    *byte = (unsigned char)~*byte;
}

/* Death tests make sense only where guard pages exist. */
static gboolean have_guards(void)
{
    return tu_require_feature(SECMEM_FEATURE_GUARD_PAGES,
                              "secmem_features() does not report guard-pages");
}

/* One byte past the end. */
static void test_past_end(gconstpointer data)
{
    size_t size = *(const size_t *)data;

    if (!have_guards())
        return;
    if (g_test_subprocess()) {
        unsigned char *p = secmem_malloc(size);
        g_assert_nonnull(p);
        memset(p, 0x11, size);
        tu_expect_segv_at(p + size);
        tu_report_abort();
        flip(p + size);
        secmem_free(p);
        return; /* reached only when nothing caught the overflow */
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    if (past_end_faults(size))
        tu_assert_trap_segv();
    else
        tu_assert_trap_fatal("secmem_free", OVERFLOW_MSG);
}

/* One byte before the start. */
static void test_before_start(gconstpointer data)
{
    size_t size = *(const size_t *)data;

    if (!have_guards())
        return;
    if (g_test_subprocess()) {
        unsigned char *p = secmem_malloc(size);
        g_assert_nonnull(p);
        tu_expect_segv_at(p - 1);
        tu_report_abort();
        flip(p - 1);
        secmem_free(p);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    if (before_start_faults(size))
        tu_assert_trap_segv();
    else
        tu_assert_trap_fatal("secmem_free", UNDERFLOW_MSG);
}

/* Writing every byte inside the allocation, up to the last, is fine. */
static void test_in_bounds_ok(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        unsigned char *p = secmem_malloc(sizes[i]);
        g_assert_nonnull(p);
        memset(p, 0xff, sizes[i]);
        secmem_free(p);
    }
}

/* The end of the data touches the trailing guard page whenever the 16-byte
 * alignment allows it, for every size 1..5000. */
static void test_end_touches_guard(void)
{
    size_t page = tu_page_size();

    for (size_t size = 1; size <= 5000; size++) {
        unsigned char *p = secmem_malloc(size);
        g_assert_nonnull(p);
        uintptr_t end = (uintptr_t)(p + span_of(size));
        g_assert_cmpuint(end % page, ==, 0);
        if (size % 16 == 0)
            g_assert_cmpuint((uintptr_t)(p + size) % page, ==, 0);
        secmem_free(p);
    }
}

/* /proc/self/maps shows inaccessible pages directly before and after. */
static void test_guard_pages_mapped_none(void)
{
    if (!tu_have_smaps()) {
        g_test_skip("/proc/self/maps is not available");
        return;
    }
    if (!tu_require_feature(SECMEM_FEATURE_GUARD_PAGES, "guard-pages not reported"))
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        unsigned char *p = secmem_malloc(sizes[i]);
        g_assert_nonnull(p);
        const unsigned char *first = tu_page_of(p);
        const unsigned char *after = tu_page_of(p + sizes[i] - 1) + tu_page_size();
        char *before_perms = tu_perms(first - 1);
        char *after_perms = tu_perms(after);
        char *data_perms = tu_perms(p);
        g_assert_cmpstr(before_perms, ==, "---p");
        g_assert_cmpstr(after_perms, ==, "---p");
        g_assert_cmpstr(data_perms, ==, "rw-p");
        g_free(before_perms);
        g_free(after_perms);
        g_free(data_perms);
        secmem_free(p);
    }
}

static void test_noaccess_read_faults(void)
{
    if (!tu_require_feature(SECMEM_FEATURE_PROTECT, "protect not reported"))
        return;
    if (g_test_subprocess()) {
        volatile unsigned char *p = secmem_malloc(64);
        g_assert_nonnull((void *)p);
        g_assert_cmpint(secmem_protect((void *)p, SECMEM_NOACCESS), ==, 0);
        tu_expect_segv_at((const void *)p);
        unsigned char c = p[0];
        (void)c;
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    tu_assert_trap_segv();
}

static void test_readonly_write_faults(void)
{
    if (!tu_require_feature(SECMEM_FEATURE_PROTECT, "protect not reported"))
        return;
    if (g_test_subprocess()) {
        volatile unsigned char *p = secmem_malloc(64);
        g_assert_nonnull((void *)p);
        p[0] = 7;
        g_assert_cmpint(secmem_protect((void *)p, SECMEM_READONLY), ==, 0);
        g_assert_cmpuint(p[0], ==, 7); /* reading is allowed */
        tu_expect_segv_at((const void *)p);
        p[0] = 8;
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    tu_assert_trap_segv();
}

/* ---- fatal misuse ------------------------------------------------------- */

enum pointer_kind { FOREIGN_STATIC, FOREIGN_HEAP, INTERIOR, FREED };

/* A pointer that is not a live allocation, of the given kind. */
static void *bad_pointer(enum pointer_kind kind)
{
    static unsigned char not_ours[64];
    unsigned char *p;

    switch (kind) {
    case FOREIGN_STATIC:
        return not_ours + 16;
    case FOREIGN_HEAP:
        return malloc(64);
    case INTERIOR:
        p = secmem_malloc(64);
        g_assert_nonnull(p);
        return p + 16;
    case FREED:
        p = secmem_malloc(64);
        g_assert_nonnull(p);
        secmem_free(p);
        return p;
    }
    g_assert_not_reached();
}

enum api_call { CALL_FREE, CALL_PROTECT, CALL_SIZE, CALL_PROTECTION, CALL_APPLIED };

static const char *const call_names[] = {"secmem_free", "secmem_protect", "secmem_size",
                                         "secmem_protection", "secmem_applied"};

static void call(enum api_call which, void *p)
{
    switch (which) {
    case CALL_FREE:
        secmem_free(p);
        break;
    case CALL_PROTECT:
        (void)secmem_protect(p, SECMEM_READONLY);
        break;
    case CALL_SIZE:
        (void)secmem_size(p);
        break;
    case CALL_PROTECTION:
        (void)secmem_protection(p);
        break;
    case CALL_APPLIED:
        (void)secmem_applied(p);
        break;
    }
}

struct misuse {
    const char *path;
    enum pointer_kind kind;
    enum api_call call;
};

static const struct misuse misuses[] = {
    {"/guard/fatal/free-foreign-static", FOREIGN_STATIC, CALL_FREE},
    {"/guard/fatal/free-foreign-heap", FOREIGN_HEAP, CALL_FREE},
    {"/guard/fatal/free-interior", INTERIOR, CALL_FREE},
    {"/guard/fatal/double-free", FREED, CALL_FREE},
    {"/guard/fatal/protect-foreign", FOREIGN_HEAP, CALL_PROTECT},
    {"/guard/fatal/protect-interior", INTERIOR, CALL_PROTECT},
    {"/guard/fatal/protect-freed", FREED, CALL_PROTECT},
    {"/guard/fatal/size-foreign", FOREIGN_STATIC, CALL_SIZE},
    {"/guard/fatal/size-interior", INTERIOR, CALL_SIZE},
    {"/guard/fatal/size-freed", FREED, CALL_SIZE},
    {"/guard/fatal/protection-foreign", FOREIGN_HEAP, CALL_PROTECTION},
    {"/guard/fatal/protection-freed", FREED, CALL_PROTECTION},
    {"/guard/fatal/applied-foreign", FOREIGN_STATIC, CALL_APPLIED},
    {"/guard/fatal/applied-interior", INTERIOR, CALL_APPLIED},
};

static void test_fatal_misuse(gconstpointer data)
{
    const struct misuse *m = data;

    if (g_test_subprocess()) {
        void *p = bad_pointer(m->kind);
        tu_report_abort();
        call(m->call, p);
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    tu_assert_trap_fatal(call_names[m->call], m->call == CALL_FREE ? BAD_FREE_MSG : NOT_LIVE_MSG);
}

int main(int argc, char **argv)
{
    tu_init(&argc, &argv);
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        char *end = g_strdup_printf("/guard/past-end/%zu", sizes[i]);
        char *start = g_strdup_printf("/guard/before-start/%zu", sizes[i]);
        g_test_add_data_func(end, &sizes[i], test_past_end);
        g_test_add_data_func(start, &sizes[i], test_before_start);
        g_free(end);
        g_free(start);
    }
    g_test_add_func("/guard/in-bounds-ok", test_in_bounds_ok);
    g_test_add_func("/guard/end-touches-guard", test_end_touches_guard);
    g_test_add_func("/guard/guard-pages-mapped-none", test_guard_pages_mapped_none);
    g_test_add_func("/guard/noaccess-read-faults", test_noaccess_read_faults);
    g_test_add_func("/guard/readonly-write-faults", test_readonly_write_faults);
    for (size_t i = 0; i < G_N_ELEMENTS(misuses); i++)
        g_test_add_data_func(misuses[i].path, &misuses[i], test_fatal_misuse);
    return g_test_run();
}
