/*
 * securememory-check - tells an administrator what libsecurememory can
 * guarantee on this machine, for this user: the version, what the build was
 * probed to support and what the running system accepts, the limits that
 * matter, a live self-test of every protection (each checked from outside
 * the allocation), and how many guarded allocations fit.
 *
 * Exit status: 0 when every protection the library claims here holds,
 * 1 when one does not, 2 for a usage error.  Warnings about limits (too
 * small a lock budget, too few mappings) do not change it: a limit is the
 * administrator's choice, a failed protection is a broken promise.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "check.h"

#include <stdio.h>
#include <string.h>

#define PROGRAM "securememory-check"

enum { EXIT_HOLDS = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " PROGRAM " [--json]\n"
            "Reports what libsecurememory can guarantee on this machine for the user\n"
            "running it, and tests each protection live.\n"
            "\n"
            "  --json      print the report as a JSON object\n"
            "  --help      print this help and exit\n"
            "  --version   print the version and exit\n"
            "\n"
            "Exit status: 0 every protection the library claims here holds;\n"
            "1 a protection it claims does not hold; 2 usage error.\n"
            "Warnings about limits do not change the exit status.\n");
}

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, PROGRAM ": %s '%s'\n", what, arg);
    fprintf(stderr, "Try '" PROGRAM " --help' for more information.\n");
    return EXIT_USAGE;
}

const char *check_result_name(enum check_result result)
{
    switch (result) {
    case CHECK_PASS:
        return "pass";
    case CHECK_FAIL:
        return "fail";
    case CHECK_SKIPPED:
        return "skipped";
    default:
        return "cannot-verify";
    }
}

int check_exit_status(const struct check_report *r)
{
    for (size_t i = 0; i < r->n_tests; i++)
        if (r->tests[i].claimed && r->tests[i].result == CHECK_FAIL)
            return EXIT_FAILED;
    return EXIT_HOLDS;
}

int main(int argc, char **argv)
{
    static struct check_report report;
    int json = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return EXIT_HOLDS;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf(PROGRAM " %s (libsecurememory %s)\n", PACKAGE_VERSION, secmem_version());
            return EXIT_HOLDS;
        } else if (argv[i][0] == '-') {
            return usage_error("unknown option", argv[i]);
        } else {
            return usage_error("unexpected argument", argv[i]);
        }
    }

    check_build(&report);
    check_system(&report);
    check_probes(&report);
    check_capacity(&report);
    check_pools(&report);
    check_warnings(&report);

    int status = check_exit_status(&report);
    if (json)
        report_json(&report, status);
    else
        report_text(&report);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror(PROGRAM ": writing the report");
        return status == EXIT_HOLDS ? EXIT_FAILED : status;
    }
    return status;
}
