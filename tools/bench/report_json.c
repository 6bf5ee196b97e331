/*
 * bench.json: the whole run, in the schema of bench.schema.json, with the
 * JSON writer of ../common/json.c.  Numbers that are missing (negative
 * inside the program) are null.
 */

#include "bench.h"

static void json_number(FILE *f, double value)
{
    if (value < 0) fprintf(f, "null");
    else fprintf(f, "%.6g", value);
}

/* An array of the repetitions' values. */
static void json_reps(FILE *f, const double *values, int n)
{
    int i;

    fputc('[', f);
    for (i = 0; i < n; i++) fprintf(f, "%s%.6g", i ? ", " : "", values[i]);
    fputc(']', f);
}

/* A string, or null when it is empty. */
static void json_text(FILE *f, const char *s)
{
    json_string(f, s && *s ? s : NULL);
}

static void json_impls(FILE *f)
{
    int i, step;

    fprintf(f, "  \"implementations\": [\n");
    for (i = 0; i < nimpls; i++)
    {
        const struct bench_impl *b = &impls[i];
        int loaded = b->measured && b->kind != KIND_RAW;

        fprintf(f, "    {\"label\": ");
        json_string(f, b->label);
        fprintf(f, ", \"kind\": \"%s\", \"requested\": ", kind_word(b->kind));
        json_string(f, b->requested);
        fprintf(f, ", \"path\": ");
        json_text(f, loaded ? b->impl.path : NULL);
        fprintf(f, ", \"version\": ");
        json_text(f, loaded ? b->impl.version : NULL);
        fprintf(f, ", \"wine_builtin\": %s, \"measured\": %s, \"skip_reason\": ",
                b->wine_builtin ? "true" : "false", b->measured ? "true" : "false");
        json_text(f, b->skip);
        fprintf(f, ", \"error\": ");
        json_text(f, b->error);
        fprintf(f, ",\n     \"populate_seconds\": {");
        for (step = 1; step < num_live_steps; step++)
        {
            fprintf(f, "%s\"%u\": ", step > 1 ? ", " : "", live_steps[step]);
            json_number(f, b->populate_s[step]);
        }
        fprintf(f, "}, \"free_all_seconds\": ");
        json_number(f, b->teardown_s);
        fprintf(f, ", \"live_stopped\": ");
        json_text(f, b->live_skip);
        fprintf(f, ", \"revoke_hr\": ");
        if (b->revoke_done) fprintf(f, "\"0x%08lx\"", (unsigned long)b->revoke_hr);
        else fprintf(f, "null");
        fprintf(f, "}%s\n", i + 1 < nimpls ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static void json_points(FILE *f)
{
    int i;

    fprintf(f, "  \"points\": [\n");
    for (i = 0; i < nresults; i++)
    {
        const struct result *r = &results[i];

        fprintf(f, "    {\"op\": \"%s\", \"operation\": ", ops[r->op].key);
        json_string(f, r->b->kind == KIND_RAW ? ops[r->op].raw_name : ops[r->op].name);
        fprintf(f, ", \"spy\": %s, \"live\": ", r->live == NO_SPY ? "false" : "true");
        if (r->live == NO_SPY) fprintf(f, "null");
        else fprintf(f, "%d", r->live);
        fprintf(f, ", \"impl\": ");
        json_string(f, r->b->label);
        fprintf(f, ", \"ns_per_op\": ");
        json_number(f, r->skip[0] ? -1.0 : r->median);
        fprintf(f, ", \"ns_min\": ");
        json_number(f, r->skip[0] ? -1.0 : r->min);
        fprintf(f, ", \"ns_reps\": ");
        json_reps(f, r->ns, r->nreps);
        fprintf(f, ", \"iterations\": %lu, \"x_raw\": ", r->iters);
        json_number(f, r->skip[0] ? -1.0 : x_raw(r));
        fprintf(f, ", \"x_baseline\": ");
        json_number(f, r->skip[0] ? -1.0 : x_baseline(r));
        fprintf(f, ", \"skipped\": ");
        json_text(f, r->skip);
        fprintf(f, "}%s\n", i + 1 < nresults ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static void json_threads(FILE *f)
{
    int i;

    fprintf(f, "  \"threads\": [\n");
    for (i = 0; i < nthread_results; i++)
    {
        const struct thread_result *t = &thread_results[i];

        fprintf(f, "    {\"impl\": ");
        json_string(f, t->b->label);
        fprintf(f, ", \"spy\": %s, \"ns_per_op_1_thread\": ", t->spy ? "true" : "false");
        json_number(f, t->ns1_median);
        fprintf(f, ", \"ns_per_op_2_threads\": ");
        json_number(f, t->ns2_median);
        fprintf(f, ", \"scaling\": ");
        json_number(f, t->scaling_median);
        fprintf(f, ", \"scaling_reps\": ");
        json_reps(f, t->scaling, t->nreps);
        fprintf(f, ", \"x_raw_scaling\": ");
        json_number(f, x_raw_scaling(t));
        fprintf(f, "}%s\n", i + 1 < nthread_results ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static void json_targets(FILE *f)
{
    int i;

    fprintf(f, "  \"targets\": [\n");
    for (i = 0; i < NUM_TARGETS; i++)
    {
        const struct target_def *def = &target_defs[i];
        const struct target *t = &targets[i];

        fprintf(f, "    {\"id\": \"%s\", \"description\": ", def->id);
        json_string(f, def->text);
        fprintf(f, ", \"value\": ");
        json_number(f, t->value);
        fprintf(f, ", \"value_from_minima\": ");
        json_number(f, t->value_min);
        fprintf(f, ", \"limit\": %.6g, \"comparison\": \"%s\", \"result\": \"%s\", \"reason\": ",
                def->limit, def->at_most ? "<=" : ">=", verdict_word(t->verdict));
        json_text(f, t->reason);
        fprintf(f, ", \"note\": ");
        json_text(f, t->note);
        fprintf(f, "}%s\n", i + 1 < NUM_TARGETS ? "," : "");
    }
    fprintf(f, "  ],\n");
}

/* Returns 0, or -1 when the file could not be written (said on stderr). */
int write_json(const char *path, double total_s)
{
    const struct bench_impl *base = baseline_impl();
    SYSTEM_INFO info;
    FILE *f;
    int failed;

    if (!(f = fopen(path, "w")))
    {
        fprintf(stderr, "bench: ERROR: cannot write %s\n", path);
        return -1;
    }
    GetSystemInfo(&info);
    fprintf(f, "{\n  \"tool\": \"mallocspy_bench\",\n  \"mode\": \"%s\",\n  \"wine_version\": ", opt.quick ? "quick" : "full");
    json_string(f, wine_version());
    fprintf(f, ",\n  \"cpus\": %lu,\n  \"qpc_frequency\": %.0f,\n  \"repetitions\": %d,\n  \"repetition_ms\": %.6g,\n"
            "  \"thread_run_ms\": %.6g,\n  \"runs_per_repetition\": %d,\n  \"block_size\": %d,\n  \"baseline\": ",
            (unsigned long)info.dwNumberOfProcessors, qpc_hz(), opt.reps, opt.rep_ms, opt.thread_ms, SUBRUNS,
            BLOCK_SIZE);
    json_string(f, base ? base->label : NULL);
    fprintf(f, ",\n");
    json_impls(f);
    json_points(f);
    json_threads(f);
    json_targets(f);
    fprintf(f, "  \"errors\": %s,\n  \"total_seconds\": %.3f\n}\n", run_failed ? "true" : "false", total_s);
    failed = ferror(f);
    if (fclose(f)) failed = 1;
    if (!failed) return 0;
    fprintf(stderr, "bench: ERROR: writing %s failed\n", path);
    return -1;
}
