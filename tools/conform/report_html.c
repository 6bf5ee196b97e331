/*
 * conform.html: one self-contained page (inline CSS, no scripts, no
 * external assets), the matrix coloured like test.winehq.org: green pass,
 * red failure, grey skip / not run, purple crash, orange timeout; observed
 * values light blue when they equal the reference choice, yellow when not.
 * Hovering a cell shows its failure lines.
 */

#include "conform.h"

static const char style[] =
    "body { font-family: sans-serif; font-size: 14px; margin: 1em; }\n"
    "table.matrix { border-collapse: collapse; }\n"
    "table.matrix th, table.matrix td { border: 1px solid #999; padding: 2px 6px; text-align: left; }\n"
    "table.matrix th { background: #ddd; }\n"
    "tr.group td { background: #eee; font-weight: bold; }\n"
    "td.pass { background: #80ff80; }\n"
    "td.fail { background: #ff8080; font-weight: bold; }\n"
    "td.skip, td.missing, td.empty { background: #ccc; color: #444; }\n"
    "td.crash { background: #c080ff; font-weight: bold; }\n"
    "td.timeout { background: #ffb060; font-weight: bold; }\n"
    "td.observed { background: #ffff80; font-family: monospace; }\n"
    "td.observed.reference { background: #a0e0ff; }\n"
    "td.uncatalogued { color: #a00; }\n"
    "tr.total td { font-weight: bold; }\n"
    ".diff { color: #a00; }\n";

static void html(FILE *f, const char *s)
{
    xml_string(f, s);
}

static void cell(FILE *f, const struct row *row, const struct impl *impl)
{
    const struct result *r = resultlist_find(&impl->results, row->id);
    enum status st = result_status(r);
    char *obs = result_observed(r);
    int reference = obs && row->cat && row->cat->choice[0] && !strcmp(obs, row->cat->choice);
    size_t m;

    fprintf(f, "<td class=\"%s%s\"", status_word(st), reference ? " reference" : "");
    if (r && (r->messages.count || r->note))
    {
        fprintf(f, " title=\"");
        if (r->note)
        {
            html(f, r->note);
            fputc('\n', f);
        }
        for (m = 0; m < r->messages.count; m++)
        {
            html(f, r->messages.items[m]);
            fputc('\n', f);
        }
        fprintf(f, "\"");
    }
    fprintf(f, ">");
    html(f, st == ST_OBSERVED ? obs : status_display(st));
    fprintf(f, "</td>");
    free(obs);
}

int report_html(const struct run *run, const char *path)
{
    FILE *f = fopen(path, "wb");
    const struct suite *suites[ARCH_COUNT];
    size_t nsuites = run_suites(run, suites), i, j;
    const char *group = "";
    static const enum status total_rows[] = { ST_PASS, ST_FAIL, ST_OBSERVED, ST_SKIP, ST_CRASH, ST_TIMEOUT,
                                              ST_MISSING };

    if (!f) return -1;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<title>mallocspy conformance</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
    fprintf(f, "<h1>mallocspy conformance</h1>\n<p>");
    for (i = 0; i < nsuites; i++)
    {
        fprintf(f, "%s", i ? ", " : "Suite: ");
        html(f, suites[i]->path);
        fprintf(f, " (%s)", arch_name(suites[i]->arch));
    }
    if (run->wine)
    {
        fprintf(f, "; Wine ");
        html(f, run->wine);
    }
    fprintf(f, "</p>\n<ul id=\"implementations\">\n");
    for (j = 0; j < run->nimpls; j++)
    {
        const struct impl *impl = run->impls[j];

        fprintf(f, "<li><b>");
        html(f, impl->key);
        fprintf(f, "</b>: ");
        html(f, impl->label);
        fprintf(f, " (%s: ", arch_name(impl->arch));
        html(f, impl->path[0] ? impl->path : impl->name);
        fprintf(f, ")");
        if (impl->load_error[0])
        {
            fprintf(f, " <span class=\"diff\">");
            html(f, impl->load_error);
            fprintf(f, "</span>");
        }
        fprintf(f, "</li>\n");
    }
    fprintf(f, "</ul>\n<table class=\"matrix\" id=\"matrix\">\n<thead><tr><th>ID</th><th>Class</th>");
    for (j = 0; j < run->nimpls; j++)
    {
        fprintf(f, "<th>");
        html(f, run->impls[j]->key);
        fprintf(f, "</th>");
    }
    fprintf(f, "<th>Behaviour</th></tr></thead>\n<tbody>\n");
    for (i = 0; i < run->nrows; i++)
    {
        const struct row *row = &run->rows[i];

        if (strcmp(group, row->group))
        {
            group = row->group;
            fprintf(f, "<tr class=\"group\"><td colspan=\"%u\">%s</td></tr>\n", (unsigned)run->nimpls + 3, group);
        }
        fprintf(f, "<tr id=\"%s\"%s><td>%s</td><td class=\"%s\">", row->id,
                row_differs(run, row) ? " class=\"differs\"" : "", row->id, row->cat ? "class" : "uncatalogued");
        html(f, row_class(row));
        fprintf(f, "</td>");
        for (j = 0; j < run->nimpls; j++) cell(f, row, run->impls[j]);
        fprintf(f, "<td>");
        if (row->cat)
        {
            html(f, row->cat->behaviour);
            if (row->cat->choice[0])
            {
                fprintf(f, " <i>Reference choice:</i> <code>");
                html(f, row->cat->choice);
                fprintf(f, "</code>");
            }
        }
        else fprintf(f, "<i>not in the catalogue</i>");
        fprintf(f, "</td></tr>\n");
    }
    for (i = 0; i < sizeof(total_rows) / sizeof(total_rows[0]); i++)
    {
        fprintf(f, "<tr class=\"total\"><td colspan=\"2\">total %s</td>",
                total_rows[i] == ST_MISSING ? "not run" : status_display(total_rows[i]));
        for (j = 0; j < run->nimpls; j++)
        {
            unsigned c[ST_MISSING + 1];

            impl_totals(run, run->impls[j], c);
            fprintf(f, "<td%s>%u</td>", c[total_rows[i]] ? xsprintf(" class=\"%s\"", status_word(total_rows[i])) : "",
                    c[total_rows[i]]);
        }
        fprintf(f, "<td></td></tr>\n");
    }
    fprintf(f, "</tbody>\n</table>\n");

    for (i = 0; i < run->nchecks; i++)
    {
        const struct baseline_check *c = &run->checks[i];

        fprintf(f, "<h2>Baseline ");
        html(f, c->file);
        fprintf(f, " (");
        html(f, c->impl->key);
        fprintf(f, ")</h2>\n");
        if (c->error)
        {
            fprintf(f, "<p class=\"diff\">");
            html(f, c->error);
            fprintf(f, "</p>\n");
            continue;
        }
        if (!c->ndiffs) fprintf(f, "<p>As expected.</p>\n");
        else fprintf(f, "<ul class=\"diff\">\n");
        for (j = 0; j < c->ndiffs; j++)
        {
            fprintf(f, "<li>");
            html(f, c->diffs[j].kind);
            fprintf(f, ": <a href=\"#%s\">%s</a> (expected ", c->diffs[j].id, c->diffs[j].id);
            html(f, c->diffs[j].expected);
            fprintf(f, ", got ");
            html(f, c->diffs[j].got);
            fprintf(f, ")</li>\n");
        }
        if (c->ndiffs) fprintf(f, "</ul>\n");
    }
    fprintf(f, "<p>Generated by conform.exe %s.</p>\n</body>\n</html>\n", CONFORM_VERSION);
    return fclose(f) ? -1 : 0;
}
