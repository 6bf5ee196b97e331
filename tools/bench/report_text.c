/*
 * The report on stdout: the implementations, one line per point, the two
 * threads, the live spied blocks, the targets.
 */

#include "bench.h"

static void print_ratio(double ratio)
{
    if (ratio < 0) printf(" %10s", "-");
    else if (ratio >= 100) printf(" %10.0f", ratio);
    else printf(" %10.2f", ratio);
}

static void print_header(void)
{
    const struct bench_impl *base = baseline_impl();
    const char *wine = wine_version();
    char buf[40], line[2 * MAX_PATH];
    SYSTEM_INFO info;
    int i;

    GetSystemInfo(&info);
    printf("mallocspy_bench: %s%s, %lu CPUs, QPC %.0f Hz, %s run: median of %d repetitions,\n"
           "each the fastest of %d runs of ~%.1f ms (threads: %.1f ms)\n",
           wine ? "wine-" : "", wine ? wine : "Windows", (unsigned long)info.dwNumberOfProcessors, qpc_hz(),
           opt.quick ? "quick" : "full", opt.reps, SUBRUNS, opt.rep_ms / SUBRUNS, opt.thread_ms);
    printf("\nimplementations:\n");
    for (i = 0; i < nimpls; i++)
        printf("  %-10s %s\n", impls[i].label, impl_description(&impls[i], line, sizeof(line)));
    snprintf(buf, sizeof(buf), "x %s", base ? base->label : "-");
    printf("\nns/op is the median of the repetitions, min the fastest one; x raw: the same operation on the\n"
           "process heap (the floor); %s: this implementation / %s at the same point\n", buf, base ? base->label : "-");
    printf("%-18s %-32s %-10s %12s %12s %10s %10s\n", "point", "operation", "impl", "ns/op", "min", "x raw", buf);
}

static void print_points(void)
{
    char buf[32];
    int i;

    for (i = 0; i < nresults; i++)
    {
        const struct result *r = &results[i];

        if (i && results[i - 1].live != r->live) printf("\n");
        printf("%-18s %-32s %-10s", live_label(r->live, buf, sizeof(buf)),
               r->b->kind == KIND_RAW ? ops[r->op].raw_name : ops[r->op].name, r->b->label);
        if (r->skip[0])
        {
            printf(" skipped: %s\n", r->skip);
            continue;
        }
        printf(" %12.1f %12.1f", r->median, r->min);
        print_ratio(x_raw(r));
        print_ratio(x_baseline(r));
        printf("\n");
    }
}

static void print_threads(void)
{
    int i;

    printf("\ntwo threads, alloc+free 32 B: ns/op is wall time / all pairs; scaling = 2-thread throughput / 1-thread\n");
    printf("%-18s %-10s %12s %12s %10s %14s\n", "point", "impl", "1T ns/op", "2T ns/op", "scaling", "x raw scaling");
    for (i = 0; i < nthread_results; i++)
    {
        const struct thread_result *t = &thread_results[i];

        printf("%-18s %-10s %12.1f %12.1f %10.2f", t->spy ? "spy, 0 live" : "no spy", t->b->label,
               t->ns1_median, t->ns2_median, t->scaling_median);
        print_ratio(x_raw_scaling(t));
        printf("\n");
    }
}

static void print_populate(void)
{
    int i, step;

    printf("\npopulating live spied blocks (seconds, 32-byte CoTaskMemAlloc under the spy), freeing them, revoking:\n");
    printf("%-10s", "impl");
    for (step = 1; step < num_live_steps; step++) printf(" %9u->%-7u", live_steps[step - 1], live_steps[step]);
    printf(" %12s  %s\n", "free all", "revoke");
    for (i = 0; i < nimpls; i++)
    {
        const struct bench_impl *b = &impls[i];

        if (!b->measured || b->kind == KIND_RAW) continue;
        printf("%-10s", b->label);
        for (step = 1; step < num_live_steps; step++)
        {
            if (b->populate_s[step] < 0) printf(" %17s", "-");
            else printf(" %17.3f", b->populate_s[step]);
        }
        if (b->teardown_s < 0) printf(" %12s", "-");
        else printf(" %12.3f", b->teardown_s);
        if (b->revoke_done) printf("  %s\n", b->revoke_hr == S_OK ? "S_OK" : "FAILED");
        else printf("  -\n");
        if (b->live_skip[0]) printf("%-10s stopped: %s\n", "", b->live_skip);
    }
}

static void print_targets(void)
{
    int i, count[3] = {0};

    printf("\ntargets:\n");
    for (i = 0; i < NUM_TARGETS; i++)
    {
        const struct target_def *def = &target_defs[i];
        const struct target *t = &targets[i];
        const char *cmp = def->at_most ? "<=" : ">=";

        count[t->verdict]++;
        if (t->verdict == VERDICT_SKIP)
        {
            printf("SKIP  %s %s: %s\n", def->id, def->text, t->reason);
            continue;
        }
        printf("%s  %s %s: %.2fx (target %s %.2fx)", verdict_word(t->verdict), def->id, def->text, t->value, cmp,
               def->limit);
        if (t->value_min > 0) printf(" [fastest repetitions: %.2fx]", t->value_min);
        printf("\n");
        if (t->note[0]) printf("      %s\n", t->note);
        if (t->verdict == VERDICT_MISS)
            fprintf(stderr, "bench: MISS %s %s: %.2fx (target %s %.2fx)\n", def->id, def->text, t->value, cmp,
                    def->limit);
    }
    printf("targets: %d PASS, %d MISS, %d SKIP\n", count[VERDICT_PASS], count[VERDICT_MISS], count[VERDICT_SKIP]);
}

void print_report(double total_s)
{
    print_header();
    print_points();
    print_threads();
    print_populate();
    print_targets();
    printf("\ntotal %.1f s%s\n", total_s, run_failed ? "; ERRORS occurred, see stderr" : "");
    fflush(stdout);
}
