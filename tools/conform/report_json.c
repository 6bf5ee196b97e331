/*
 * conform.json: the whole run, in the schema of report.schema.json
 * (documented in README.md), with the JSON writer of ../common/json.c.
 */

#include "conform.h"

static void totals(FILE *f, const struct run *run, const struct impl *impl)
{
    unsigned c[ST_MISSING + 1];

    impl_totals(run, impl, c);
    fprintf(f, "{\"pass\": %u, \"fail\": %u, \"skip\": %u, \"crash\": %u, \"timeout\": %u, "
               "\"observed\": %u, \"missing\": %u, \"empty\": %u}",
            c[ST_PASS], c[ST_FAIL], c[ST_SKIP], c[ST_CRASH], c[ST_TIMEOUT], c[ST_OBSERVED], c[ST_MISSING],
            c[ST_NONE]);
}

static void implementation(FILE *f, const struct run *run, const struct impl *impl)
{
    size_t t, i;

    fprintf(f, "    {\n      \"key\": ");
    json_string(f, impl->key);
    fprintf(f, ",\n      \"name\": ");
    json_string(f, impl->name);
    fprintf(f, ",\n      \"arch\": \"%s\",\n      \"suite\": ", arch_name(impl->arch));
    json_string(f, impl->suite->path);
    fprintf(f, ",\n      \"path\": ");
    json_string(f, impl->path[0] ? impl->path : NULL);
    fprintf(f, ",\n      \"version\": ");
    json_string(f, impl->version[0] ? impl->version : NULL);
    fprintf(f, ",\n      \"kind\": ");
    json_string(f, impl->kind);
    fprintf(f, ",\n      \"label\": ");
    json_string(f, impl->label);
    fprintf(f, ",\n      \"load_error\": ");
    json_string(f, impl->load_error[0] ? impl->load_error : NULL);
    fprintf(f, ",\n      \"unattributed_failures\": %u,\n      \"anonymous_successes\": %u,\n      \"unattributed_messages\": [",
            impl->unattributed, impl->anonymous_successes);
    for (i = 0; i < impl->unattributed_messages.count; i++)
    {
        if (i) fputs(", ", f);
        json_string(f, impl->unattributed_messages.items[i]);
    }
    fprintf(f, "],\n      \"totals\": ");
    totals(f, run, impl);
    fprintf(f, ",\n      \"tests\": [\n");
    for (t = 0; t < impl->nruns; t++)
    {
        const struct testrun *tr = &impl->runs[t];

        fprintf(f, "        {\"name\": ");
        json_string(f, tr->name);
        fprintf(f, ", \"outcome\": \"%s\", \"exit_code\": %lu, \"duration_ms\": %lu, \"summary\": %s}%s\n",
                outcome_word(tr->outcome), tr->exit_code, tr->ms, tr->have_summary ? "true" : "false",
                t + 1 < impl->nruns ? "," : "");
    }
    fprintf(f, "      ]\n    }");
}

static void behaviour(FILE *f, const struct run *run, const struct row *row)
{
    size_t j, m;

    fprintf(f, "    {\n      \"id\": ");
    json_string(f, row->id);
    fprintf(f, ",\n      \"group\": ");
    json_string(f, row->group);
    fprintf(f, ",\n      \"class\": ");
    json_string(f, row->cat ? row->cat->cls : "uncatalogued");
    fprintf(f, ",\n      \"in_catalogue\": %s", row->cat ? "true" : "false");
    fprintf(f, ",\n      \"source\": ");
    json_string(f, row->cat ? row->cat->source : NULL);
    fprintf(f, ",\n      \"behaviour\": ");
    json_string(f, row->cat ? row->cat->behaviour : NULL);
    fprintf(f, ",\n      \"reference_choice\": ");
    json_string(f, row->cat && row->cat->choice[0] ? row->cat->choice : NULL);
    fprintf(f, ",\n      \"differs\": %s", row_differs(run, row) ? "true" : "false");
    fprintf(f, ",\n      \"results\": [\n");
    for (j = 0; j < run->nimpls; j++)
    {
        const struct impl *impl = run->impls[j];
        const struct result *r = resultlist_find(&impl->results, row->id);
        char *obs = result_observed(r);

        fprintf(f, "        {\"implementation\": ");
        json_string(f, impl->key);
        fprintf(f, ", \"status\": \"%s\", \"observed\": ", status_word(result_status(r)));
        json_string(f, obs);
        fprintf(f, ", \"passed\": %u, \"failed\": %u, \"skipped\": %u, \"test\": ", r ? r->passed : 0,
                r ? r->failed : 0, r ? r->skipped : 0);
        json_string(f, r ? r->test : NULL);
        fprintf(f, ", \"note\": ");
        json_string(f, r ? r->note : NULL);
        fprintf(f, ", \"messages\": [");
        for (m = 0; r && m < r->messages.count; m++)
        {
            if (m) fputs(", ", f);
            json_string(f, r->messages.items[m]);
        }
        fprintf(f, "]}%s\n", j + 1 < run->nimpls ? "," : "");
        free(obs);
    }
    fprintf(f, "      ]\n    }");
}

int report_json(const struct run *run, const char *path)
{
    FILE *f = fopen(path, "wb");
    size_t i, j;

    if (!f) return -1;
    fprintf(f, "{\n  \"schema_version\": 2,\n  \"generator\": \"conform.exe %s\",\n  \"suite\": ", CONFORM_VERSION);
    json_string(f, run->impls[0]->suite->path);
    fprintf(f, ",\n  \"wine_version\": ");
    json_string(f, run->wine);
    fprintf(f, ",\n  \"timeout_seconds\": %u,\n  \"implementations\": [\n", run->timeout_s);
    for (i = 0; i < run->nimpls; i++)
    {
        implementation(f, run, run->impls[i]);
        fprintf(f, "%s\n", i + 1 < run->nimpls ? "," : "");
    }
    fprintf(f, "  ],\n  \"behaviours\": [\n");
    for (i = 0; i < run->nrows; i++)
    {
        behaviour(f, run, &run->rows[i]);
        fprintf(f, "%s\n", i + 1 < run->nrows ? "," : "");
    }
    fprintf(f, "  ],\n  \"baselines\": [\n");
    for (i = 0; i < run->nchecks; i++)
    {
        const struct baseline_check *c = &run->checks[i];

        fprintf(f, "    {\"file\": ");
        json_string(f, c->file);
        fprintf(f, ", \"implementation\": ");
        json_string(f, c->impl->key);
        fprintf(f, ", \"error\": ");
        json_string(f, c->error);
        fprintf(f, ", \"differences\": [");
        for (j = 0; j < c->ndiffs; j++)
        {
            fprintf(f, "%s\n      {\"id\": ", j ? "," : "");
            json_string(f, c->diffs[j].id);
            fprintf(f, ", \"kind\": ");
            json_string(f, c->diffs[j].kind);
            fprintf(f, ", \"expected\": ");
            json_string(f, c->diffs[j].expected);
            fprintf(f, ", \"got\": ");
            json_string(f, c->diffs[j].got);
            fprintf(f, "}");
        }
        fprintf(f, "]}%s\n", i + 1 < run->nchecks ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    return fclose(f) ? -1 : 0;
}
