/*
 * test-win32-faults.c - what must crash does crash: guard pages, NOACCESS
 * and READONLY raise EXCEPTION_ACCESS_VIOLATION (0xC0000005); damaged
 * canaries and double frees abort with the one line on stderr.
 *
 * Each crash runs in a child process (this program started again with the
 * case name); the parent checks the child's exit code and its stderr.  The
 * faults are also caught in-process by a vectored exception handler, which
 * checks the exception code and the faulting address.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <string.h>

#include "securememory.h"
#include "tap.h"

#define EXIT_ABORT 3u /* what the C runtime's abort() exits with */

static size_t page_of_system(void)
{
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return info.dwPageSize;
}

/* ---- the child side: each case does one bad thing ---------------------- */

static volatile unsigned char sink;

/* Stores the compiler may not drop or move: the fault must happen here. */
static void poke(unsigned char *where, unsigned char value)
{
    *(volatile unsigned char *)where = value;
}

static int run_case(const char *name)
{
    size_t page = page_of_system();
    unsigned char *p;

    if (strcmp(name, "clean-exit") == 0) {
        p = secmem_malloc(32);
        secmem_free(p);
        return 0;
    }
    if (strcmp(name, "guard-after") == 0) {
        p = secmem_malloc(32);
        poke(p + 32, 1);
    } else if (strcmp(name, "guard-before") == 0) {
        p = secmem_malloc(page); /* starts at the first data page */
        sink = *(volatile unsigned char *)(p - 1);
    } else if (strcmp(name, "noaccess-read") == 0) {
        p = secmem_malloc(32);
        secmem_protect(p, SECMEM_NOACCESS);
        sink = *(volatile unsigned char *)p;
    } else if (strcmp(name, "readonly-write") == 0) {
        p = secmem_malloc(32);
        secmem_protect(p, SECMEM_READONLY);
        poke(p, 1);
    } else if (strcmp(name, "readonly-read") == 0) {
        p = secmem_malloc(32);
        p[0] = 42;
        secmem_protect(p, SECMEM_READONLY);
        return p[0] == 42 ? 0 : 1;
    } else if (strcmp(name, "canary-after") == 0) {
        p = secmem_malloc(20); /* 12 bytes of canary up to the guard page */
        p[20] ^= 0xff;
        secmem_free(p);
    } else if (strcmp(name, "canary-before") == 0) {
        p = secmem_malloc(32);
        p[-1] ^= 0xff;
        secmem_free(p);
    } else if (strcmp(name, "double-free") == 0) {
        p = secmem_malloc(32);
        secmem_free(p);
        secmem_free(p);
    } else if (strcmp(name, "foreign-pointer") == 0) {
        static unsigned char not_ours[32];
        secmem_protect(not_ours, SECMEM_READONLY);
    } else {
        return 2;
    }
    return 0; /* reached only when the bad thing went unnoticed */
}

/* ---- the parent side --------------------------------------------------- */

struct outcome {
    DWORD exit_code;
    char err[1024];
};

/* Starts this program with "child NAME", collects stderr and the exit code. */
static int spawn_case(const char *name, struct outcome *out)
{
    char self[MAX_PATH], cmd[MAX_PATH + 64];
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, NULL, TRUE};
    HANDLE rd, wr;
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    DWORD got, total = 0;

    memset(out, 0, sizeof *out);
    if (GetModuleFileNameA(NULL, self, sizeof self) == 0 || !CreatePipe(&rd, &wr, &inherit, 0))
        return 0;
    SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
    snprintf(cmd, sizeof cmd, "\"%s\" child %s", self, name);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = wr; /* keep the child's stdout out of our TAP stream */
    si.hStdError = wr;
    if (!CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
        CloseHandle(rd);
        CloseHandle(wr);
        return 0;
    }
    CloseHandle(wr);
    while (total < sizeof out->err - 1 &&
           ReadFile(rd, out->err + total, (DWORD)(sizeof out->err - 1 - total), &got, NULL) &&
           got > 0)
        total += got;
    out->err[total] = '\0';
    WaitForSingleObject(pi.hProcess, INFINITE);
    GetExitCodeProcess(pi.hProcess, &out->exit_code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(rd);
    return 1;
}

static void expect_fault(const char *name, const char *what)
{
    struct outcome o;
    int ran = spawn_case(name, &o);

    if (!tap_ok(ran && o.exit_code == EXCEPTION_ACCESS_VIOLATION,
                "%s raises an access violation (0xC0000005)", what))
        tap_diag("child %s: ran %d, exit code 0x%lx, stderr: %s", name, ran,
                 (unsigned long)o.exit_code, o.err);
}

/* An abort: exit code 3, and stderr holds exactly one line from the library
 * that starts with prefix (Windows may write it with "\r\n"). */
static void expect_abort(const char *name, const char *prefix, const char *what)
{
    struct outcome o;
    int ran = spawn_case(name, &o);
    const char *nl = strchr(o.err, '\n');
    int one_line = nl != NULL && nl[1] == '\0' && strncmp(o.err, prefix, strlen(prefix)) == 0;

    if (!tap_ok(ran && o.exit_code == EXIT_ABORT && one_line, "%s aborts with \"%s...\"", what,
                prefix))
        tap_diag("child %s: ran %d, exit code 0x%lx, stderr: %s", name, ran,
                 (unsigned long)o.exit_code, o.err);
}

static void expect_clean(const char *name, const char *what)
{
    struct outcome o;
    int ran = spawn_case(name, &o);

    if (!tap_ok(ran && o.exit_code == 0 && o.err[0] == '\0', "%s", what))
        tap_diag("child %s: ran %d, exit code 0x%lx, stderr: %s", name, ran,
                 (unsigned long)o.exit_code, o.err);
}

/* ---- in-process: a vectored exception handler sees the fault ------------ */

static volatile DWORD seen_code;
static volatile uintptr_t seen_address;
static volatile int seen_write;

/* Records the fault and makes the page accessible so that the access can
 * complete; the test puts the protection back afterwards. */
static LONG CALLBACK on_fault(EXCEPTION_POINTERS *ep)
{
    EXCEPTION_RECORD *r = ep->ExceptionRecord;
    DWORD old;

    if (r->ExceptionCode != EXCEPTION_ACCESS_VIOLATION || r->NumberParameters < 2)
        return EXCEPTION_CONTINUE_SEARCH;
    seen_code = r->ExceptionCode;
    seen_write = r->ExceptionInformation[0] == 1;
    seen_address = (uintptr_t)r->ExceptionInformation[1];
    if (!VirtualProtect((void *)seen_address, 1, PAGE_READWRITE, &old))
        return EXCEPTION_CONTINUE_SEARCH;
    return EXCEPTION_CONTINUE_EXECUTION;
}

static void test_vectored_handler(void)
{
    size_t page = page_of_system();
    unsigned char *p = secmem_malloc(32);
    unsigned char *guard = p + 32;
    DWORD old;
    PVOID handler = AddVectoredExceptionHandler(1, on_fault);

    if (p == NULL || handler == NULL)
        tap_bail("cannot set up the vectored handler test");
    seen_code = 0;
    *(volatile unsigned char *)guard = 7; /* volatile: not moved past the checks */
    if (!tap_ok(seen_code == EXCEPTION_ACCESS_VIOLATION && seen_write &&
                    seen_address == (uintptr_t)guard,
                "vectored handler: writing p[size] faults on the guard page, at that address"))
        tap_diag("code 0x%lx write %d address %p (guard %p)", (unsigned long)seen_code, seen_write,
                 (void *)seen_address, (void *)guard);
    VirtualProtect(guard, page, PAGE_NOACCESS, &old);

    seen_code = 0;
    secmem_protect(p, SECMEM_READONLY);
    *(volatile unsigned char *)(p + 3) = 1;
    if (!tap_ok(seen_code == EXCEPTION_ACCESS_VIOLATION && seen_write &&
                    seen_address == (uintptr_t)(p + 3),
                "vectored handler: writing a READONLY allocation faults, at that address"))
        tap_diag("code 0x%lx write %d address %p (p + 3 = %p)", (unsigned long)seen_code,
                 seen_write, (void *)seen_address, (void *)(p + 3));

    seen_code = 0;
    secmem_protect(p, SECMEM_NOACCESS);
    sink = *(volatile unsigned char *)(p + 5);
    tap_ok(seen_code == EXCEPTION_ACCESS_VIOLATION && !seen_write &&
               seen_address == (uintptr_t)(p + 5),
           "vectored handler: reading a NOACCESS allocation faults, at that address");
    RemoveVectoredExceptionHandler(handler);
    /* The handler opened the page behind the library's back: close it again
     * before free, which goes through its own protection changes. */
    VirtualProtect((void *)((uintptr_t)p & ~(uintptr_t)(page - 1)), page, PAGE_NOACCESS, &old);
    secmem_free(p);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "child") == 0)
        return run_case(argv[2]);

    tap_plan(13);
    expect_clean("clean-exit", "control: a child that does nothing wrong exits 0, silently");
    expect_clean("readonly-read", "control: reading a READONLY allocation works");
    expect_fault("guard-after", "writing p[size] (trailing guard page)");
    expect_fault("guard-before", "reading p[-1] of a page-sized allocation (leading guard page)");
    expect_fault("noaccess-read", "reading a NOACCESS allocation");
    expect_fault("readonly-write", "writing a READONLY allocation");
    expect_abort("canary-after", "securememory: secmem_free: canary after the allocation damaged",
                 "a damaged tail canary");
    expect_abort("canary-before", "securememory: secmem_free: canary before the allocation damaged",
                 "a damaged head canary");
    expect_abort("double-free", "securememory: secmem_free: not a live secure allocation",
                 "a double free");
    expect_abort("foreign-pointer", "securememory: secmem_protect: not a live secure allocation",
                 "a pointer the library never returned");
    test_vectored_handler();
    return tap_done();
}
