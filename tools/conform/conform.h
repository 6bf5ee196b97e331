/*
 * conform.exe: runs mallocspy_test.exe once per implementation of the COM
 * task allocator and compares the per-behaviour results.
 *
 * Declarations shared by the files of tools/conform.  Each .c file holds one
 * concern: catalogue.c (the behaviour catalogue, see catalogue.h),
 * impls.c (which DLLs to test and how to label them), pe.c (what a DLL's
 * headers say), suites.c (the suite of each architecture), run.c (child
 * processes), parse.c (the suite's output), results.c (per-behaviour
 * results, rows), matrix.c (the console table), report_*.c (files written by
 * --out), baseline.c (saved expectations), main.c (options).  What the
 * tools share, and their conventions, are in ../common/common.h.
 */

#ifndef CONFORM_H
#define CONFORM_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "common.h"
#include "catalogue.h"

#define CONFORM_VERSION "1.0"
#define MAX_MESSAGES 8

/* ---- results.c ---- */

enum status
{
    ST_NONE,        /* ID seen, but no check and no observation */
    ST_PASS,
    ST_OBSERVED,
    ST_SKIP,
    ST_FAIL,
    ST_CRASH,
    ST_TIMEOUT,
    ST_MISSING      /* not run for this implementation */
};

struct result
{
    char *id;
    char *test;                 /* test (process) that reported it */
    unsigned passed, failed, skipped;
    unsigned reached;              /* "ID: reached" lines: its checks ran */
    struct strlist observations;   /* distinct values, sorted */
    struct strlist messages;       /* failures and skips, at most MAX_MESSAGES */
    enum status forced;            /* ST_CRASH or ST_TIMEOUT, else ST_NONE */
    char *note;                    /* why it was forced */
};

struct resultlist
{
    struct result *items;
    size_t count, cap;
};

struct result *resultlist_get(struct resultlist *list, const char *id, int create);
const struct result *resultlist_find(const struct resultlist *list, const char *id);
void result_add_message(struct result *r, const char *msg);
void result_merge(struct result *dst, const struct result *src);
enum status result_status(const struct result *r);
char *result_observed(const struct result *r);   /* joined, or NULL */
const char *status_word(enum status st);         /* pass, fail, skip, ... */
const char *status_display(enum status st);      /* pass, FAIL, skip, ... */
int status_parse(const char *word, enum status *st);

/* ---- parse.c ---- */

struct parsed
{
    int have_impl;
    char impl_path[MAX_PATH];
    char impl_version[64];
    char load_error[512];
    struct resultlist results;
    char *last_id;              /* ID of the last check or trace seen */
    unsigned unattributed;      /* failures outside an ID context */
    struct strlist unattributed_messages;
    unsigned anonymous_successes;  /* "Test succeeded" without an ID context */
    unsigned garbage;           /* lines that are not test output */
    unsigned long exception;    /* code from test.h's "unhandled exception" line, or 0 */
    int have_summary;
    unsigned sum_executed, sum_todo, sum_failures, sum_skipped;
};

void parse_output(const char *text, size_t len, struct parsed *p);
int parse_implementation_line(const char *text, size_t len, char *path, size_t pathsize,
                              char *version, size_t versionsize);
void parse_free(struct parsed *p);

/* ---- pe.c ---- */

int pe_machine(const char *path, WORD *machine, char *err, size_t errsize);
int pe_exports_all(const char *path, const char *const *names, size_t count);
int arch_of_machine(WORD machine, enum arch *arch);
const char *machine_name(WORD machine);

/* ---- suites.c ---- */

struct suite
{
    enum arch arch;
    char *path;                 /* NULL: none found */
    DWORD timeout_ms;
    int state;                  /* 0: not asked yet, 1: usable, -1: not (see error) */
    struct strlist tests;       /* from "--list" */
    char error[3072];
};

int suites_find(struct suite suites[ARCH_COUNT], const char *given, const char *root, DWORD timeout_ms);
int suite_usable(struct suite *suite);

/* ---- impls.c / run.c ---- */

enum outcome
{
    OUT_OK,         /* exit code 0 */
    OUT_FAILED,     /* exit code 1..0x7fffffff: test failures */
    OUT_CRASH,      /* exception code as exit code */
    OUT_TIMEOUT,
    OUT_NOLOAD,     /* the implementation could not be loaded */
    OUT_ERROR       /* the suite could not be started */
};

void parse_mark_died(struct parsed *p, const char *test, enum outcome outcome, unsigned long exit_code);
void parse_correct_outcome(const struct parsed *p, enum outcome *outcome, unsigned long *exit_code);

struct testrun
{
    char *name;
    enum outcome outcome;
    unsigned long exit_code;
    unsigned long ms;
    char *output;
    size_t output_len;
    char *error;                /* OUT_ERROR reason */
    int have_summary;
};

struct impl
{
    char key[64];               /* column name: ole32, combase, refole32, ole32-i386, ... */
    char name[MAX_PATH];        /* value given to MALLOCSPY_IMPL */
    char file[MAX_PATH];        /* the DLL file it stands for, checked before the run */
    enum arch arch;
    const struct suite *suite;  /* the suite of its architecture */
    char path[MAX_PATH];        /* as reported by the suite */
    char version[64];
    char kind[32];              /* wine-builtin, native, or "" */
    char label[400];
    char load_error[512];
    struct testrun *runs;
    size_t nruns;
    struct resultlist results;
    unsigned unattributed;
    struct strlist unattributed_messages;
    unsigned anonymous_successes;
    volatile LONG done;
};

struct choice
{
    const char *root;
    enum arch arch;             /* of the names without a path, and the defaults */
    int only, quiet;
    const struct strlist *names;
    struct suite *suites;       /* one per architecture */
};

int choose_impls(const struct choice *choice, struct impl ***impls, size_t *nimpls, struct impl ***targets,
                 size_t *refused);
void impl_detect_kind(struct impl *impl);
void impl_make_label(struct impl *impl);

typedef void (*progress_func)(struct impl *impl, size_t index, size_t total, size_t ntests);

int run_list_tests(const char *suite, DWORD timeout_ms, struct strlist *tests, char *err, size_t errsize);
void run_all(struct impl **impls, size_t nimpls, int jobs, DWORD timeout_ms, progress_func progress);
enum outcome outcome_from_exit(unsigned long code);
const char *outcome_word(enum outcome o);

/* ---- results.c: the whole run ---- */

struct row
{
    const char *id;
    char group[32];
    const struct catalogue_entry *cat;   /* NULL: not in the catalogue */
    int seen;                            /* reported by some implementation */
};

struct difference
{
    const char *id;
    const char *kind;           /* new failure, unexpected pass, ... */
    char *expected;
    char *got;
};

struct baseline_check
{
    const char *file;
    struct impl *impl;
    struct difference *diffs;
    size_t ndiffs;
    struct strlist unlisted;    /* IDs not covered by the baseline */
    char *error;
};

struct run
{
    const char *wine;           /* Wine version or NULL */
    struct impl **impls;
    size_t nimpls;
    struct row *rows;
    size_t nrows;
    struct baseline_check *checks;
    size_t nchecks;
    unsigned timeout_s;
};

void impl_collect(struct impl *impl);
void run_attribute_unfinished(struct run *run);
void run_build_rows(struct run *run);
enum status cell_status(const struct impl *impl, const char *id);
char *cell_observed(const struct impl *impl, const char *id);
char *cell_text(const struct impl *impl, const char *id);
const char *row_class(const struct row *row);
int row_differs(const struct run *run, const struct row *row);
void impl_totals(const struct run *run, const struct impl *impl, unsigned counts[ST_MISSING + 1]);
size_t run_suites(const struct run *run, const struct suite *suites[ARCH_COUNT]);

/* ---- matrix.c ---- */

enum colour_mode { COLOUR_AUTO, COLOUR_ALWAYS, COLOUR_NEVER };
void matrix_print(const struct run *run, int only_differences, enum colour_mode mode);
void parsed_print(const struct parsed *p, enum outcome outcome, unsigned long exit_code);

/* ---- reports ---- */

int report_json(const struct run *run, const char *path);
int report_junit(const struct run *run, const char *path);
int report_html(const struct run *run, const char *path);
int report_markdown(const struct run *run, const char *path);
void xml_string(FILE *f, const char *s);

/* ---- baseline.c ---- */

void baseline_check(struct run *run, struct baseline_check *check);
int baseline_print(const struct baseline_check *check, FILE *out);
int baseline_write(const struct run *run, const struct impl *impl, const char *path);

#endif /* CONFORM_H */
