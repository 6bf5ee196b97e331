/*
 * Which suite runs the implementations of each architecture: the one that
 * --suite names, for the architecture of its PE header; else
 * mallocspy_test.exe beside conform.exe (in i386\ beside it for i386), else
 * in ROOT\tests (ROOT\tests\i386): see find_built_file() in
 * ../common/system.c.  A suite's test names are asked for ("--list") once,
 * when the first implementation of its architecture needs them, so that an
 * architecture nobody tests costs nothing.
 */

#include "conform.h"

/* Returns 0, or -1 when --suite names no suite (said on stderr). */
int suites_find(struct suite suites[ARCH_COUNT], const char *given, const char *root, DWORD timeout_ms)
{
    char full[MAX_PATH], looked[2048];
    enum arch arch;
    WORD machine;
    int a;

    memset(suites, 0, ARCH_COUNT * sizeof(*suites));
    for (a = 0; a < ARCH_COUNT; a++)
    {
        suites[a].arch = a;
        suites[a].timeout_ms = timeout_ms;
    }
    if (given)
    {
        if (!GetFullPathNameA(given, sizeof(full), full, NULL)) snprintf(full, sizeof(full), "%s", given);
        if (pe_machine(full, &machine, looked, sizeof(looked)))
        {
            fprintf(stderr, "conform: --suite %s: %s\n", full, looked);
            return -1;
        }
        if (arch_of_machine(machine, &arch))
        {
            fprintf(stderr, "conform: --suite %s: a program for %s; the suites are x86_64 or i386\n", full,
                    machine_name(machine));
            return -1;
        }
        suites[arch].path = xstrdup(full);
    }
    for (a = 0; a < ARCH_COUNT; a++)
    {
        if (suites[a].path) continue;
        if (!(suites[a].path = find_built_file(root, a, "tests", "mallocspy_test.exe", looked, sizeof(looked))))
        {
            suites[a].state = -1;
            snprintf(suites[a].error, sizeof(suites[a].error),
                     "no %s suite (looked for %s; name one with --suite PATH)", arch_name(a), looked);
        }
    }
    return 0;
}

/* Whether the suite runs and names its tests; when not, suite->error says
 * why. */
int suite_usable(struct suite *suite)
{
    char err[1024];

    if (!suite->state)
    {
        suite->state = 1;
        if (run_list_tests(suite->path, suite->timeout_ms, &suite->tests, err, sizeof(err)))
        {
            suite->state = -1;
            snprintf(suite->error, sizeof(suite->error), "the %s suite cannot be used: %s", arch_name(suite->arch),
                     err);
        }
    }
    return suite->state > 0;
}
