/*
 * conform.md: the matrix as a Markdown table (with the catalogue's
 * description of each behaviour), totals, notes and baseline differences.
 */

#include "conform.h"

static void md(FILE *f, const char *s)
{
    for (; s && *s; s++)
    {
        if (*s == '|') fputs("\\|", f);
        else if (*s == '\n' || *s == '\r') fputc(' ', f);
        else fputc(*s, f);
    }
}

int report_markdown(const struct run *run, const char *path)
{
    FILE *f = fopen(path, "wb");
    const struct suite *suites[ARCH_COUNT];
    size_t nsuites = run_suites(run, suites), i, j, t;

    if (!f) return -1;
    fprintf(f, "# mallocspy conformance\n\n");
    for (i = 0; i < nsuites; i++)
        fprintf(f, "%s `%s` (%s)", i ? "," : "Suite:", suites[i]->path, arch_name(suites[i]->arch));
    if (run->wine) fprintf(f, ", Wine %s", run->wine);
    fprintf(f, "\n\n| Column | Implementation | Architecture | Path |\n|---|---|---|---|\n");
    for (j = 0; j < run->nimpls; j++)
    {
        const struct impl *impl = run->impls[j];

        fprintf(f, "| %s | ", impl->key);
        md(f, impl->label);
        fprintf(f, " | %s | ", arch_name(impl->arch));
        md(f, impl->path[0] ? impl->path : impl->name);
        fprintf(f, " |\n");
    }

    fprintf(f, "\n| ID | Class |");
    for (j = 0; j < run->nimpls; j++) fprintf(f, " %s |", run->impls[j]->key);
    fprintf(f, " Behaviour |\n|---|---|");
    for (j = 0; j < run->nimpls; j++) fprintf(f, "---|");
    fprintf(f, "---|\n");
    for (i = 0; i < run->nrows; i++)
    {
        const struct row *row = &run->rows[i];

        fprintf(f, "| %s | %s |", row->id, row_class(row));
        for (j = 0; j < run->nimpls; j++)
        {
            enum status st = cell_status(run->impls[j], row->id);
            char *text = cell_text(run->impls[j], row->id);

            fprintf(f, " ");
            if (st == ST_FAIL || st == ST_CRASH || st == ST_TIMEOUT) fprintf(f, "**");
            if (st == ST_OBSERVED) fprintf(f, "`");
            md(f, text);
            if (st == ST_OBSERVED) fprintf(f, "`");
            if (st == ST_FAIL || st == ST_CRASH || st == ST_TIMEOUT) fprintf(f, "**");
            fprintf(f, " |");
            free(text);
        }
        fprintf(f, " ");
        md(f, row->cat ? row->cat->behaviour : "(not in the catalogue)");
        fprintf(f, " |\n");
    }
    {
        static const enum status total_rows[] = { ST_PASS, ST_FAIL, ST_OBSERVED, ST_SKIP, ST_CRASH, ST_TIMEOUT,
                                                  ST_MISSING };
        for (i = 0; i < sizeof(total_rows) / sizeof(total_rows[0]); i++)
        {
            fprintf(f, "| total %s | |", total_rows[i] == ST_MISSING ? "not run" : status_display(total_rows[i]));
            for (j = 0; j < run->nimpls; j++)
            {
                unsigned c[ST_MISSING + 1];

                impl_totals(run, run->impls[j], c);
                fprintf(f, " %u |", c[total_rows[i]]);
            }
            fprintf(f, " |\n");
        }
    }

    fprintf(f, "\n");
    for (j = 0; j < run->nimpls; j++)
    {
        const struct impl *impl = run->impls[j];

        if (impl->load_error[0])
        {
            fprintf(f, "- %s: ", impl->key);
            md(f, impl->load_error);
            fprintf(f, "\n");
        }
        for (t = 0; t < impl->nruns; t++)
            if (impl->runs[t].outcome == OUT_CRASH)
                fprintf(f, "- %s: test %s crashed (exception 0x%08lx)\n", impl->key, impl->runs[t].name,
                        impl->runs[t].exit_code);
            else if (impl->runs[t].outcome == OUT_TIMEOUT)
                fprintf(f, "- %s: test %s timed out after %u s\n", impl->key, impl->runs[t].name, run->timeout_s);
    }
    for (i = 0; i < run->nchecks; i++)
    {
        const struct baseline_check *c = &run->checks[i];

        fprintf(f, "\n## Baseline %s (%s)\n\n", c->file, c->impl->key);
        if (c->error) fprintf(f, "%s\n", c->error);
        else if (!c->ndiffs) fprintf(f, "As expected.\n");
        for (j = 0; j < c->ndiffs; j++)
            fprintf(f, "- %s: %s (expected %s, got %s)\n", c->diffs[j].kind, c->diffs[j].id, c->diffs[j].expected,
                    c->diffs[j].got);
    }
    return fclose(f) ? -1 : 0;
}
