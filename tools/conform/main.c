/*
 * conform.exe: options, choosing the implementations, and the order of the
 * work (run, collect, print, compare with baselines, write reports).
 *
 * Exit code: 0 done (and every baseline matched), 1 a baseline differs,
 * 2 usage or setup error (an implementation that cannot be tested, no
 * suite, unreadable baseline, ...).
 */

#include "conform.h"

const char tool_name[] = "conform";

static const char usage_text[] =
    "usage: conform.exe [options] [DLL...]\n"
    "Runs mallocspy_test.exe for each implementation (each test in its own process)\n"
    "and prints a matrix of per-behaviour results.\n"
    "\n"
    "Implementations: ole32.dll, combase.dll (when it exports the six functions) and\n"
    "refole32.dll, plus every DLL named on the command line.  A DLL that cannot be\n"
    "tested (no such file, not a PE image, no suite for its architecture) is named on\n"
    "stderr before anything runs, and the exit code is 2.\n"
    "  --only               run only the implementations named on the command line\n"
    "  --impl NAME          name an implementation (ole32, combase, refole32, or a DLL);\n"
    "                       the following --baseline / --write-baseline apply to it\n"
    "  --arch x86_64|i386   architecture of the defaults and of the DLLs named without\n"
    "                       a path (default: conform.exe's own); a DLL named by its\n"
    "                       path is of the architecture its PE header says\n"
    "  --baseline FILE      compare with saved expectations; exit 1 on a difference\n"
    "  --write-baseline FILE  save this run's results as a baseline\n"
    "  --suite PATH         the suite for the architecture of PATH (default: beside\n"
    "                       conform.exe, i386\\ beside it for i386, or ROOT\\tests,\n"
    "                       ROOT\\tests\\i386)\n"
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

struct settings
{
    const char *suite, *root, *out_dir, *catalogue, *parse_file, *parse_status;
    struct strlist names;           /* implementations named on the command line */
    struct attach *attaches;        /* --baseline and --write-baseline, in order */
    size_t nattaches;
    enum colour_mode colour;
    enum arch arch;
    int help, only, differ, jobs, list_catalogue;
    unsigned timeout_s;
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

static void attach_baseline(struct settings *set, const char *file, int target, int write)
{
    set->attaches = xrealloc(set->attaches, (set->nattaches + 1) * sizeof(*set->attaches));
    set->attaches[set->nattaches].target = target;
    set->attaches[set->nattaches].file = file;
    set->attaches[set->nattaches].write = write;
    set->nattaches++;
}

/* Returns 0, or -1 when the command line is wrong (said on stderr). */
static int parse_options(int argc, char **argv, struct settings *set)
{
    const char *value;
    double number;
    int i, last_impl = -1;

    memset(set, 0, sizeof(*set));
    set->colour = COLOUR_AUTO;
    set->arch = own_arch();
    set->jobs = 2;
    set->timeout_s = 30;
    for (i = 1; i < argc; i++)
    {
        const char *a = argv[i];

        if (!strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "/?")) set->help = 1;
        else if (!strcmp(a, "--suite"))
        {
            if (!(set->suite = option_value(argc, argv, &i))) return -1;
        }
        else if (!strcmp(a, "--root"))
        {
            if (!(set->root = option_value(argc, argv, &i))) return -1;
        }
        else if (!strcmp(a, "-j") || !strcmp(a, "--jobs"))
        {
            if (option_number(argc, argv, &i, &number)) return -1;
            set->jobs = (int)number;
        }
        else if (!strncmp(a, "-j", 2) && a[2] >= '0' && a[2] <= '9') set->jobs = atoi(a + 2);
        else if (!strcmp(a, "--timeout"))
        {
            if (option_number(argc, argv, &i, &number)) return -1;
            set->timeout_s = (unsigned)number;
        }
        else if (!strcmp(a, "--only")) set->only = 1;
        else if (!strcmp(a, "--arch"))
        {
            if (!(value = option_value(argc, argv, &i))) return -1;
            if (!strcmp(value, "x86_64")) set->arch = ARCH_X86_64;
            else if (!strcmp(value, "i386")) set->arch = ARCH_I386;
            else
            {
                fprintf(stderr, "conform: --arch %s: the architectures are x86_64 and i386\n", value);
                return -1;
            }
        }
        else if (!strcmp(a, "--impl"))
        {
            if (!(value = option_value(argc, argv, &i))) return -1;
            strlist_add(&set->names, value);
            last_impl = (int)set->names.count - 1;
        }
        else if (!strcmp(a, "--baseline") || !strcmp(a, "--write-baseline"))
        {
            if (!(value = option_value(argc, argv, &i))) return -1;
            attach_baseline(set, value, last_impl, !strcmp(a, "--write-baseline"));
        }
        else if (!strcmp(a, "--out"))
        {
            if (!(set->out_dir = option_value(argc, argv, &i))) return -1;
        }
        else if (!strcmp(a, "-d") || !strcmp(a, "--differ")) set->differ = 1;
        else if (!strcmp(a, "--no-color") || !strcmp(a, "--color=never")) set->colour = COLOUR_NEVER;
        else if (!strcmp(a, "--color=always")) set->colour = COLOUR_ALWAYS;
        else if (!strcmp(a, "--color=auto")) set->colour = COLOUR_AUTO;
        else if (!strcmp(a, "--catalogue"))
        {
            if (!(set->catalogue = option_value(argc, argv, &i))) return -1;
        }
        else if (!strcmp(a, "--list-catalogue")) set->list_catalogue = 1;
        else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) quiet = 1;
        else if (!strcmp(a, "--parse"))
        {
            if (!(set->parse_file = option_value(argc, argv, &i))) return -1;
        }
        else if (!strcmp(a, "--parse-status"))
        {
            if (!(set->parse_status = option_value(argc, argv, &i))) return -1;
        }
        else if (a[0] == '-' && a[1])
        {
            fprintf(stderr, "conform: unknown option %s\n%s", a, usage_text);
            return -1;
        }
        else strlist_add(&set->names, a);
    }
    if (set->jobs < 1) set->jobs = 1;
    if (!set->timeout_s) set->timeout_s = 1;
    return 0;
}

/* Writes and checks the baselines, in command-line order; returns the exit
 * code so far (0, 1 a baseline differs, 2 one cannot be read or written). */
static int baselines(const struct settings *set, struct run *run, struct impl **targets)
{
    int status = 0;
    size_t i;

    run->checks = xmalloc((set->nattaches + 1) * sizeof(*run->checks));
    for (i = 0; i < set->nattaches; i++)
    {
        const struct attach *a = &set->attaches[i];
        struct impl *impl = a->target < 0 ? run->impls[0] : targets[a->target];
        struct baseline_check *check = &run->checks[run->nchecks];

        if (!impl) continue;    /* refused before the run, and said so */
        if (a->write)
        {
            if (baseline_write(run, impl, a->file))
            {
                fprintf(stderr, "conform: cannot write %s\n", a->file);
                status = 2;
            }
            else if (!quiet) fprintf(stderr, "conform: wrote baseline %s for %s\n", a->file, impl->key);
            continue;
        }
        memset(check, 0, sizeof(*check));
        check->file = a->file;
        check->impl = impl;
        baseline_check(run, check);
        if (check->error) status = 2;
        else if (check->ndiffs && status < 1) status = 1;
        baseline_print(check, stdout);
        run->nchecks++;
    }
    return status;
}

/* Returns 0, or -1 when a report could not be written (said on stderr). */
static int write_reports(const struct run *run, const char *dir)
{
    char path[MAX_PATH];
    int failed = 0;

    CreateDirectoryA(dir, NULL);
    snprintf(path, sizeof(path), "%s\\conform.md", dir);
    if (report_markdown(run, path)) failed = 1;
    snprintf(path, sizeof(path), "%s\\conform.json", dir);
    if (report_json(run, path)) failed = 1;
    snprintf(path, sizeof(path), "%s\\conform-junit.xml", dir);
    if (report_junit(run, path)) failed = 1;
    snprintf(path, sizeof(path), "%s\\conform.html", dir);
    if (report_html(run, path)) failed = 1;
    write_logs(run, dir);
    if (!failed) return 0;
    fprintf(stderr, "conform: cannot write the reports in %s\n", dir);
    return -1;
}

int main(int argc, char **argv)
{
    struct strlist errors = {0};
    struct impl **impls = NULL, **targets;
    struct suite suites[ARCH_COUNT];
    struct settings set;
    struct choice choice;
    size_t nimpls = 0, refused, i;
    struct run run;
    int status;

    if (parse_options(argc, argv, &set)) return 2;
    if (set.help)
    {
        fputs(usage_text, stdout);
        return 0;
    }
    catalogue_use(catalogue_builtin, catalogue_builtin_count);
    if (set.catalogue && catalogue_load_file(set.catalogue, &errors))
    {
        for (i = 0; i < errors.count; i++) fprintf(stderr, "conform: %s\n", errors.items[i]);
        return 2;
    }
    if (set.list_catalogue)
    {
        catalogue_print(stdout);
        return 0;
    }
    if (set.parse_file) return parse_mode(set.parse_file, set.parse_status);

    /* Level 2 makes the suite print "ID: reached" as it enters each
     * behaviour: Wine's "Test succeeded" lines name no behaviour. */
    SetEnvironmentVariableA("WINETEST_REPORT_SUCCESS", NULL);
    SetEnvironmentVariableA("WINETEST_COLOR", "0");
    SetEnvironmentVariableA("WINETEST_DEBUG", "2");
    if (suites_find(suites, set.suite, set.root, set.timeout_s * 1000)) return 2;
    memset(&choice, 0, sizeof(choice));
    choice.root = set.root;
    choice.arch = set.arch;
    choice.only = set.only;
    choice.quiet = quiet;
    choice.names = &set.names;
    choice.suites = suites;
    if (choose_impls(&choice, &impls, &nimpls, &targets, &refused)) return 2;
    for (i = 0; i < set.nattaches; i++)
        if (set.attaches[i].target < 0 && nimpls + refused != 1)
        {
            fprintf(stderr, "conform: %s: say which implementation it is for (--impl NAME before it)\n",
                    set.attaches[i].file);
            return 2;
        }
    stderr_is_terminal = is_terminal(GetStdHandle(STD_ERROR_HANDLE));
    run_all(impls, nimpls, set.jobs, set.timeout_s * 1000, progress);

    memset(&run, 0, sizeof(run));
    run.wine = wine_version();
    run.impls = impls;
    run.nimpls = nimpls;
    run.timeout_s = set.timeout_s;
    for (i = 0; i < nimpls; i++)
    {
        impl_collect(impls[i]);
        impl_detect_kind(impls[i]);
        impl_make_label(impls[i]);
    }
    run_attribute_unfinished(&run);
    run_build_rows(&run);
    matrix_print(&run, set.differ, set.colour);

    status = baselines(&set, &run, targets);
    if (set.out_dir && write_reports(&run, set.out_dir)) status = 2;
    /* the run was not the one asked for: some implementation is missing */
    if (refused) status = 2;
    fflush(stdout);
    return status;
}
