/*
 * conform.exe: options, choosing the implementations, and the order of the
 * work (run, collect, print, compare with baselines, write reports).
 *
 * Exit code: 0 done (and every baseline matched), 1 a baseline differs,
 * 2 usage or setup error (no suite, unreadable baseline, ...).
 */

#include "conform.h"

static const char usage_text[] =
    "usage: conform.exe [options] [DLL...]\n"
    "Runs mallocspy_test.exe for each implementation (each test in its own process)\n"
    "and prints a matrix of per-behaviour results.\n"
    "\n"
    "Implementations: ole32.dll, combase.dll (when it exports the six functions) and\n"
    "refole32.dll, plus every DLL named on the command line.\n"
    "  --only               run only the implementations named on the command line\n"
    "  --impl NAME          name an implementation (ole32, combase, refole32, or a DLL);\n"
    "                       the following --baseline / --write-baseline apply to it\n"
    "  --baseline FILE      compare with saved expectations; exit 1 on a difference\n"
    "  --write-baseline FILE  save this run's results as a baseline\n"
    "  --suite PATH         the suite (default: beside conform.exe, or ROOT\\tests)\n"
    "  --root DIR           project root (default: two levels above conform.exe)\n"
    "  -j, --jobs N         processes run at once (default 2)\n"
    "  --timeout SECONDS    time limit of one test process (default 30)\n"
    "  -d, --differ         print only the rows where implementations differ\n"
    "  --out DIR            write conform.md, conform.json, conform-junit.xml,\n"
    "                       conform.html and logs\\ into DIR\n"
    "  --color=WHEN         auto (default), always, never; --no-color = never\n"
    "  --catalogue FILE     read this catalogue.md instead of the built-in one\n"
    "  --list-catalogue     print the catalogue (tab-separated) and exit\n"
    "  -q, --quiet          no progress on stderr\n"
    "Testing: --parse FILE [--parse-status ok|exit:N|crash:CODE|timeout] prints what\n"
    "the parser makes of one recorded test output.\n";

struct attach
{
    int target;             /* index into names, -1: the only implementation */
    const char *file;
    int write;
};

static int quiet, stderr_is_terminal;

static int is_terminal(HANDLE h)
{
    DWORD mode;

    return GetConsoleMode(h, &mode) || (wine_version() && GetFileType(h) == FILE_TYPE_CHAR);
}

static void progress(struct impl *impl, size_t index, size_t total, size_t ntests)
{
    const char *sep = impl->version[0] ? " " : "", *label = impl->version;

    if (quiet) return;
    if (stderr_is_terminal)
    {
        fprintf(stderr, "\r[%u/%u] %s%s%s: %u/%u tests   ", (unsigned)index + 1, (unsigned)total, impl->key, sep, label,
                (unsigned)impl->done, (unsigned)ntests);
        if ((size_t)impl->done == ntests) fprintf(stderr, "\n");
    }
    else if ((size_t)impl->done == ntests)
        fprintf(stderr, "[%u/%u] %s%s%s: %u/%u tests\n", (unsigned)index + 1, (unsigned)total, impl->key, sep, label,
                (unsigned)impl->done, (unsigned)ntests);
    fflush(stderr);
}

static char *lowercase_key(const char *name)
{
    char *key = xstrdup(path_basename(name)), *p;

    if ((p = strrchr(key, '.')) && !_stricmp(p, ".dll")) *p = 0;
    for (p = key; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p += 'a' - 'A';
    return key;
}

/* Finds the implementation for a command-line name, adding it if needed. */
static struct impl *find_or_add(struct impl ***impls, size_t *n, const char *arg, const char *root, int *err)
{
    char full[MAX_PATH], *key, *dll;
    size_t i;
    struct impl *impl;

    if (!_stricmp(arg, "ole32") || !_stricmp(arg, "ole32.dll")) dll = xstrdup("ole32.dll");
    else if (!_stricmp(arg, "combase") || !_stricmp(arg, "combase.dll")) dll = xstrdup("combase.dll");
    else if (!_stricmp(arg, "refole32") || !_stricmp(arg, "refole32.dll"))
    {
        if (!(dll = find_refole32(root)))
        {
            fprintf(stderr, "conform: refole32.dll not found (beside conform.exe or in ROOT\\dlls\\refole32)\n");
            *err = 1;
            return NULL;
        }
    }
    else if (strpbrk(arg, "\\/") && GetFullPathNameA(arg, sizeof(full), full, NULL)) dll = xstrdup(full);
    else dll = xstrdup(arg);

    for (i = 0; i < *n; i++)
        if (!_stricmp((*impls)[i]->name, dll))
        {
            free(dll);
            return (*impls)[i];
        }
    if (!_stricmp(arg, "refole32")) key = xstrdup("refole32");
    else key = lowercase_key(dll);
    for (i = 0; i < *n; i++)
        if (!_stricmp((*impls)[i]->key, key))
        {
            char *k = xsprintf("%s-%u", key, (unsigned)*n + 1);
            free(key);
            key = k;
            break;
        }
    impl = xmalloc(sizeof(*impl));
    impl_init(impl, key, dll);
    *impls = xrealloc(*impls, (*n + 1) * sizeof(**impls));
    (*impls)[(*n)++] = impl;
    free(key);
    free(dll);
    return impl;
}

static int parse_mode(const char *file, const char *status)
{
    struct parsed p;
    enum outcome outcome = OUT_OK;
    unsigned long code = 0;
    size_t len;
    char *text = read_whole_file(file, &len);

    if (!text)
    {
        fprintf(stderr, "conform: cannot read %s\n", file);
        return 2;
    }
    if (status)
    {
        if (!strcmp(status, "timeout")) outcome = OUT_TIMEOUT;
        else if (!strncmp(status, "crash:", 6)) code = strtoul(status + 6, NULL, 0), outcome = OUT_CRASH;
        else if (!strncmp(status, "exit:", 5)) code = strtoul(status + 5, NULL, 0), outcome = outcome_from_exit(code);
        else if (strcmp(status, "ok"))
        {
            fprintf(stderr, "conform: bad --parse-status %s\n", status);
            return 2;
        }
    }
    memset(&p, 0, sizeof(p));
    parse_output(text, len, &p);
    parse_correct_outcome(&p, &outcome, &code);
    parse_mark_died(&p, path_basename(file), outcome, code);
    parsed_print(&p, outcome, code);
    parse_free(&p);
    free(text);
    return 0;
}

static void write_logs(const struct run *run, const char *dir)
{
    char path[MAX_PATH];
    size_t i, t;

    snprintf(path, sizeof(path), "%s\\logs", dir);
    CreateDirectoryA(path, NULL);
    for (i = 0; i < run->nimpls; i++)
        for (t = 0; t < run->impls[i]->nruns; t++)
        {
            const struct testrun *tr = &run->impls[i]->runs[t];
            FILE *f;

            snprintf(path, sizeof(path), "%s\\logs\\%s.%s.txt", dir, run->impls[i]->key, tr->name);
            if (!(f = fopen(path, "wb"))) continue;
            if (tr->output) fwrite(tr->output, 1, tr->output_len, f);
            fprintf(f, "\n[conform: %s, exit code 0x%08lx, %lu ms]\n", outcome_word(tr->outcome), tr->exit_code,
                    tr->ms);
            fclose(f);
        }
}

int main(int argc, char **argv)
{
    const char *suite_arg = NULL, *root = NULL, *out_dir = NULL, *catalogue = NULL;
    const char *parse_file = NULL, *parse_status = NULL;
    struct strlist names = {0}, tests = {0};
    struct attach *attaches = NULL;
    size_t nattaches = 0, nimpls = 0, i;
    struct impl **impls = NULL, **targets;
    enum colour_mode colour = COLOUR_AUTO;
    int only = 0, differ = 0, jobs = 2, last_impl = -1, list_catalogue = 0, err = 0, status = 0;
    unsigned timeout_s = 30;
    char msg[1024];
    char *suite;
    struct run run;

    for (i = 1; i < (size_t)argc; i++)
    {
        const char *a = argv[i];
        const char *next = i + 1 < (size_t)argc ? argv[i + 1] : NULL;

#define NEED_ARG() do { if (!next) { fprintf(stderr, "conform: %s needs an argument\n", a); return 2; } i++; } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "/?"))
        {
            fputs(usage_text, stdout);
            return 0;
        }
        else if (!strcmp(a, "--suite")) { NEED_ARG(); suite_arg = next; }
        else if (!strcmp(a, "--root")) { NEED_ARG(); root = next; }
        else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) { NEED_ARG(); jobs = atoi(next); }
        else if (!strncmp(a, "-j", 2) && a[2] >= '0' && a[2] <= '9') jobs = atoi(a + 2);
        else if (!strcmp(a, "--timeout")) { NEED_ARG(); timeout_s = strtoul(next, NULL, 10); }
        else if (!strcmp(a, "--only")) only = 1;
        else if (!strcmp(a, "--impl"))
        {
            NEED_ARG();
            strlist_add(&names, next);
            last_impl = (int)names.count - 1;
        }
        else if (!strcmp(a, "--baseline") || !strcmp(a, "--write-baseline"))
        {
            int write = !strcmp(a, "--write-baseline");

            NEED_ARG();
            attaches = xrealloc(attaches, (nattaches + 1) * sizeof(*attaches));
            attaches[nattaches].target = last_impl;
            attaches[nattaches].file = next;
            attaches[nattaches].write = write;
            nattaches++;
        }
        else if (!strcmp(a, "--out")) { NEED_ARG(); out_dir = next; }
        else if (!strcmp(a, "-d") || !strcmp(a, "--differ")) differ = 1;
        else if (!strcmp(a, "--no-color") || !strcmp(a, "--color=never")) colour = COLOUR_NEVER;
        else if (!strcmp(a, "--color=always")) colour = COLOUR_ALWAYS;
        else if (!strcmp(a, "--color=auto")) colour = COLOUR_AUTO;
        else if (!strcmp(a, "--catalogue")) { NEED_ARG(); catalogue = next; }
        else if (!strcmp(a, "--list-catalogue")) list_catalogue = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--parse")) { NEED_ARG(); parse_file = next; }
        else if (!strcmp(a, "--parse-status")) { NEED_ARG(); parse_status = next; }
        else if (a[0] == '-' && a[1])
        {
            fprintf(stderr, "conform: unknown option %s\n%s", a, usage_text);
            return 2;
        }
        else strlist_add(&names, a);
#undef NEED_ARG
    }
    if (jobs < 1) jobs = 1;
    if (!timeout_s) timeout_s = 1;

    if (catalogue && catalogue_load_file(catalogue, msg, sizeof(msg)))
    {
        fprintf(stderr, "conform: %s\n", msg);
        return 2;
    }
    if (list_catalogue)
    {
        catalogue_print(stdout);
        return 0;
    }
    if (parse_file) return parse_mode(parse_file, parse_status);

    /* the implementations */
    if (!only)
    {
        char *ref = find_refole32(root);

        find_or_add(&impls, &nimpls, "ole32", root, &err);
        if (combase_usable()) find_or_add(&impls, &nimpls, "combase", root, &err);
        if (ref) find_or_add(&impls, &nimpls, "refole32", root, &err);
        else if (!quiet) fprintf(stderr, "conform: refole32.dll not found; not tested\n");
        free(ref);
    }
    targets = xmalloc((names.count + 1) * sizeof(*targets));
    for (i = 0; i < names.count; i++) targets[i] = find_or_add(&impls, &nimpls, names.items[i], root, &err);
    if (err) return 2;
    if (!nimpls)
    {
        fprintf(stderr, "conform: no implementation to test\n");
        return 2;
    }
    for (i = 0; i < nattaches; i++)
        if (attaches[i].target < 0 && nimpls != 1)
        {
            fprintf(stderr, "conform: %s: say which implementation it is for (--impl NAME before it)\n",
                    attaches[i].file);
            return 2;
        }

    if (suite_arg)
    {
        char full[MAX_PATH];
        suite = xstrdup(GetFullPathNameA(suite_arg, sizeof(full), full, NULL) ? full : suite_arg);
    }
    else if (!(suite = find_suite(root)))
    {
        fprintf(stderr, "conform: mallocspy_test.exe not found beside conform.exe or in ROOT\\tests; "
                        "use --suite PATH\n");
        return 2;
    }
    /* Level 2 makes the suite print "ID: reached" as it enters each
     * behaviour: Wine's "Test succeeded" lines name no behaviour. */
    SetEnvironmentVariableA("WINETEST_REPORT_SUCCESS", NULL);
    SetEnvironmentVariableA("WINETEST_COLOR", "0");
    SetEnvironmentVariableA("WINETEST_DEBUG", "2");
    if (run_list_tests(suite, timeout_s * 1000, &tests, msg, sizeof(msg)))
    {
        fprintf(stderr, "conform: %s\n", msg);
        return 2;
    }
    stderr_is_terminal = is_terminal(GetStdHandle(STD_ERROR_HANDLE));
    run_all(impls, nimpls, suite, &tests, jobs, timeout_s * 1000, progress);

    memset(&run, 0, sizeof(run));
    run.suite = suite;
    run.wine = wine_version();
    run.impls = impls;
    run.nimpls = nimpls;
    run.timeout_s = timeout_s;
    for (i = 0; i < nimpls; i++)
    {
        impl_collect(impls[i]);
        impl_detect_kind(impls[i]);
        impl_make_label(impls[i]);
    }
    run_attribute_unfinished(&run);
    run_build_rows(&run);
    matrix_print(&run, differ, colour);

    run.checks = xmalloc((nattaches + 1) * sizeof(*run.checks));
    for (i = 0; i < nattaches; i++)
    {
        struct impl *impl = attaches[i].target < 0 ? impls[0] : targets[attaches[i].target];

        if (attaches[i].write)
        {
            if (baseline_write(&run, impl, attaches[i].file))
            {
                fprintf(stderr, "conform: cannot write %s\n", attaches[i].file);
                status = 2;
            }
            else if (!quiet) fprintf(stderr, "conform: wrote baseline %s for %s\n", attaches[i].file, impl->key);
            continue;
        }
        memset(&run.checks[run.nchecks], 0, sizeof(run.checks[0]));
        run.checks[run.nchecks].file = attaches[i].file;
        run.checks[run.nchecks].impl = impl;
        baseline_check(&run, &run.checks[run.nchecks]);
        if (run.checks[run.nchecks].error) status = 2;
        else if (run.checks[run.nchecks].ndiffs && status < 1) status = 1;
        baseline_print(&run.checks[run.nchecks], stdout);
        run.nchecks++;
    }

    if (out_dir)
    {
        char path[MAX_PATH];

        CreateDirectoryA(out_dir, NULL);
        snprintf(path, sizeof(path), "%s\\conform.md", out_dir);
        if (report_markdown(&run, path)) status = 2;
        snprintf(path, sizeof(path), "%s\\conform.json", out_dir);
        if (report_json(&run, path)) status = 2;
        snprintf(path, sizeof(path), "%s\\conform-junit.xml", out_dir);
        if (report_junit(&run, path)) status = 2;
        snprintf(path, sizeof(path), "%s\\conform.html", out_dir);
        if (report_html(&run, path)) status = 2;
        write_logs(&run, out_dir);
        if (status == 2) fprintf(stderr, "conform: cannot write the reports in %s\n", out_dir);
    }
    fflush(stdout);
    return status;
}
