/*
 * The matrix on stdout: one row per behaviour ID grouped by API, one column
 * per implementation, totals, then notes (crashes, load failures, values
 * too long for a column).  Coloured when stdout is a console (Windows
 * console API, or ANSI escapes when the console accepts them) or, under
 * Wine, a terminal.
 */

#include "conform.h"

#define MAX_CELL 40

enum colour { C_NONE, C_GREEN, C_RED, C_GREY, C_MAGENTA, C_YELLOW, C_CYAN, C_BOLD };

static int use_ansi, use_console;
static HANDLE console;
static WORD console_default;

static void setup_colour(enum colour_mode mode)
{
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    CONSOLE_SCREEN_BUFFER_INFO info;
    DWORD console_mode;
    const char *no_colour = getenv("NO_COLOR");

    use_ansi = use_console = 0;
    if (mode == COLOUR_NEVER) return;
    if (mode == COLOUR_ALWAYS)
    {
        use_ansi = 1;
        return;
    }
    if (no_colour && *no_colour) return;
    if (GetConsoleMode(out, &console_mode))
    {
        /* A real console: ANSI if it takes virtual terminal sequences
         * (Windows 10 and later), else the console attribute API.  Wine's
         * console accepts the mode but prints the escapes as text, so
         * under Wine the attribute API is used (it becomes tty colours). */
        if (!wine_version() && SetConsoleMode(out, console_mode | 0x0004 /* ENABLE_VIRTUAL_TERMINAL_PROCESSING */))
            use_ansi = 1;
        else if (GetConsoleScreenBufferInfo(out, &info))
        {
            use_console = 1;
            console = out;
            console_default = info.wAttributes;
        }
    }
    else if (wine_version() && GetFileType(out) == FILE_TYPE_CHAR)
        use_ansi = 1;   /* a Unix terminal under Wine */
}

static void colour(enum colour c)
{
    static const char *const ansi[] = { "\033[0m", "\033[32m", "\033[1;31m", "\033[90m", "\033[35m",
                                        "\033[33m", "\033[36m", "\033[1m" };
    static const WORD attrs[] = { 0, FOREGROUND_GREEN | FOREGROUND_INTENSITY,
                                  FOREGROUND_RED | FOREGROUND_INTENSITY, FOREGROUND_INTENSITY,
                                  FOREGROUND_RED | FOREGROUND_BLUE, FOREGROUND_RED | FOREGROUND_GREEN,
                                  FOREGROUND_GREEN | FOREGROUND_BLUE,
                                  FOREGROUND_RED | FOREGROUND_GREEN | FOREGROUND_BLUE | FOREGROUND_INTENSITY };

    if (use_ansi) fputs(ansi[c], stdout);
    else if (use_console)
    {
        fflush(stdout);
        SetConsoleTextAttribute(console, c == C_NONE ? console_default : attrs[c]);
    }
}

static enum colour status_colour(enum status st, int matches_choice)
{
    switch (st)
    {
    case ST_PASS: return C_GREEN;
    case ST_FAIL: return C_RED;
    case ST_SKIP: case ST_MISSING: case ST_NONE: return C_GREY;
    case ST_CRASH: return C_MAGENTA;
    case ST_TIMEOUT: return C_YELLOW;
    case ST_OBSERVED: return matches_choice ? C_CYAN : C_YELLOW;
    }
    return C_NONE;
}

/* Cell text cut to MAX_CELL characters ("..." marks a cut). */
static char *shown_text(const struct impl *impl, const char *id, int *cut)
{
    char *text = cell_text(impl, id);

    *cut = 0;
    if (strlen(text) > MAX_CELL)
    {
        strcpy(text + MAX_CELL - 3, "...");
        *cut = 1;
    }
    return text;
}

static void print_padded(const char *s, int width, enum colour c)
{
    int n = (int)strlen(s);

    colour(c);
    fputs(s, stdout);
    if (c) colour(C_NONE);
    while (n++ < width) putchar(' ');
}

static int matches_choice(const struct row *row, const struct impl *impl)
{
    char *obs;
    int same;

    if (!row->cat || !row->cat->choice[0]) return 0;
    obs = cell_observed(impl, row->id);
    same = obs && !strcmp(obs, row->cat->choice);
    free(obs);
    return same;
}

void matrix_print(const struct run *run, int only_differences, enum colour_mode mode)
{
    int idw = 2, clsw = 5, keyw = 1, *w = xmalloc(run->nimpls * sizeof(int));
    size_t i, j, shown = 0, notes = 0;
    const char *group = "";
    unsigned counts[ST_MISSING + 1];
    struct buffer cuts = {0};
    static const enum status total_rows[] = { ST_PASS, ST_FAIL, ST_OBSERVED, ST_SKIP, ST_CRASH, ST_TIMEOUT,
                                              ST_MISSING, ST_NONE };

    setup_colour(mode);
    for (j = 0; j < run->nimpls; j++)
    {
        w[j] = (int)strlen(run->impls[j]->key);
        if (w[j] > keyw) keyw = w[j];
    }
    for (i = 0; i < run->nrows; i++)
    {
        const struct row *row = &run->rows[i];

        if ((int)strlen(row->id) + 3 > idw) idw = (int)strlen(row->id) + 3;
        if ((int)strlen(row_class(row)) > clsw) clsw = (int)strlen(row_class(row));
        for (j = 0; j < run->nimpls; j++)
        {
            int cut;
            char *text = shown_text(run->impls[j], row->id, &cut);

            if ((int)strlen(text) > w[j]) w[j] = (int)strlen(text);
            free(text);
        }
    }

    printf("mallocspy conformance: %u implementation%s, %u behaviours",
           (unsigned)run->nimpls, run->nimpls == 1 ? "" : "s", (unsigned)run->nrows);
    if (run->wine) printf(", Wine %s", run->wine);
    printf("\n");
    for (j = 0; j < run->nimpls; j++)
    {
        const struct impl *impl = run->impls[j];

        printf("  %-*s  %s", keyw, impl->key, impl->label);
        if (impl->path[0]) printf("  (%s)", impl->path);
        else if (impl->name[0]) printf("  (%s)", impl->name);
        printf("\n");
    }
    printf("\n");

    print_padded("ID", idw, C_BOLD);
    printf(" ");
    print_padded("Class", clsw, C_BOLD);
    for (j = 0; j < run->nimpls; j++)
    {
        printf("  ");
        print_padded(run->impls[j]->key, j + 1 < run->nimpls ? w[j] : 0, C_BOLD);
    }
    printf("\n");

    for (i = 0; i < run->nrows; i++)
    {
        const struct row *row = &run->rows[i];
        char id[64];

        if (only_differences && !row_differs(run, row)) continue;
        shown++;
        if (strcmp(group, row->group))
        {
            group = row->group;
            colour(C_BOLD);
            printf("%s", group);
            colour(C_NONE);
            printf("\n");
        }
        snprintf(id, sizeof(id), "  %s%s", row->id, row->cat ? "" : "*");
        print_padded(id, idw, C_NONE);
        printf(" ");
        print_padded(row_class(row), clsw, row->cat ? C_NONE : C_YELLOW);
        for (j = 0; j < run->nimpls; j++)
        {
            int cut;
            char *text = shown_text(run->impls[j], row->id, &cut);
            enum status st = cell_status(run->impls[j], row->id);

            printf("  ");
            print_padded(text, j + 1 < run->nimpls ? w[j] : 0,
                         status_colour(st, matches_choice(row, run->impls[j])));
            if (cut)
            {
                char *full = cell_text(run->impls[j], row->id);
                buffer_printf(&cuts, "  %s %s: %s\n", row->id, run->impls[j]->key, full);
                free(full);
            }
            free(text);
        }
        printf("\n");
    }
    if (only_differences && !shown) printf("(no behaviour differs between the implementations)\n");

    printf("\n");
    for (i = 0; i < sizeof(total_rows) / sizeof(total_rows[0]); i++)
    {
        enum status st = total_rows[i];
        int any = 0;
        char label[64];

        for (j = 0; j < run->nimpls; j++)
        {
            impl_totals(run, run->impls[j], counts);
            if (counts[st]) any = 1;
        }
        if (!any && st != ST_PASS && st != ST_FAIL) continue;
        snprintf(label, sizeof(label), "total %s", st == ST_MISSING ? "not run" : status_display(st));
        print_padded(label, idw + 1 + clsw, C_BOLD);
        for (j = 0; j < run->nimpls; j++)
        {
            char num[16];

            impl_totals(run, run->impls[j], counts);
            snprintf(num, sizeof(num), "%u", counts[st]);
            printf("  ");
            print_padded(num, j + 1 < run->nimpls ? w[j] : 0, counts[st] ? status_colour(st, 1) : C_NONE);
        }
        printf("\n");
    }

    /* notes */
    for (j = 0; j < run->nimpls; j++)
    {
        const struct impl *impl = run->impls[j];
        size_t t;

        if (impl->load_error[0])
        {
            if (!notes++) printf("\nNotes:\n");
            printf("  %s: %s\n", impl->key, impl->load_error);
        }
        for (t = 0; t < impl->nruns; t++)
        {
            const struct testrun *tr = &impl->runs[t];

            if (tr->outcome != OUT_CRASH && tr->outcome != OUT_TIMEOUT && tr->outcome != OUT_ERROR) continue;
            if (!notes++) printf("\nNotes:\n");
            if (tr->outcome == OUT_CRASH)
                printf("  %s: test %s crashed (exception 0x%08lx)\n", impl->key, tr->name, tr->exit_code);
            else if (tr->outcome == OUT_TIMEOUT)
                printf("  %s: test %s timed out after %u s and was killed\n", impl->key, tr->name, run->timeout_s);
            else
                printf("  %s: test %s: %s\n", impl->key, tr->name, tr->error);
        }
        if (impl->unattributed && !impl->load_error[0])
        {
            if (!notes++) printf("\nNotes:\n");
            printf("  %s: %u failure%s outside any behaviour ID:\n", impl->key, impl->unattributed,
                   impl->unattributed == 1 ? "" : "s");
            for (t = 0; t < impl->unattributed_messages.count; t++)
                printf("    %s\n", impl->unattributed_messages.items[t]);
        }
    }
    for (j = 0; j < run->nimpls; j++)
        if (run->impls[j]->anonymous_successes)
        {
            if (!notes++) printf("\nNotes:\n");
            printf("  %s: %u \"Test succeeded\" lines carry no behaviour ID; those passes are not counted\n",
                   run->impls[j]->key, run->impls[j]->anonymous_successes);
        }
    for (i = 0; i < run->nrows; i++)
        if (!run->rows[i].cat)
        {
            if (!notes++) printf("\nNotes:\n");
            printf("  IDs marked * are not in the catalogue\n");
            break;
        }
    if (cuts.len)
    {
        if (!notes++) printf("\nNotes:\n");
        printf("  values cut in the table:\n%s", cuts.data);
    }
    free(cuts.data);
    free(w);
    fflush(stdout);
}

/* --parse: the parsed content of one recorded output. */
void parsed_print(const struct parsed *p, enum outcome outcome, unsigned long exit_code)
{
    size_t i, j;

    if (p->have_impl) printf("implementation: %s version %s\n", p->impl_path, p->impl_version);
    if (p->load_error[0]) printf("load error: %s\n", p->load_error);
    printf("process: %s", outcome_word(outcome));
    if (outcome == OUT_CRASH) printf(" 0x%08lx", exit_code);
    else if (outcome == OUT_FAILED) printf(" %lu", exit_code);
    printf("\n");
    for (i = 0; i < p->results.count; i++)
    {
        const struct result *r = &p->results.items[i];
        enum status st = result_status(r);
        char *obs = result_observed(r);

        printf("%s %s", r->id, status_word(st));
        if (obs) printf(" [%s]", obs);
        printf(" (%u passed, %u failed, %u skipped)\n", r->passed, r->failed, r->skipped);
        if (r->note) printf("  note: %s\n", r->note);
        for (j = 0; j < r->messages.count; j++) printf("  %s\n", r->messages.items[j]);
        free(obs);
    }
    printf("unattributed failures: %u\n", p->unattributed);
    printf("successes without an ID: %u\n", p->anonymous_successes);
    for (j = 0; j < p->unattributed_messages.count; j++) printf("  %s\n", p->unattributed_messages.items[j]);
    printf("garbage lines: %u\n", p->garbage);
    if (p->have_summary)
        printf("summary: %u executed, %u todo, %u failures, %u skipped\n", p->sum_executed, p->sum_todo,
               p->sum_failures, p->sum_skipped);
    else
        printf("summary: none\n");
}
