/*
 * The report on stdout: the implementations, one line per point, the two
 * threads, the live spied blocks, the targets.
 */

#include "bench.h"

/* The width of the impl column: the longest label. */
static int label_width;

static void set_label_width(void)
{
    int i;

    label_width = 10;
    for (i = 0; i < nimpls; i++)
        if ((int)strlen(impls[i].label) > label_width) label_width = strlen(impls[i].label);
}

static void print_ratio(double ratio)
{
    if (ratio < 0) printf(" %10s", "-");
    else if (ratio >= 100) printf(" %10.0f", ratio);
    else printf(" %10.2f", ratio);
}

static void print_load(const char *when, const struct load *load)
{
    if (load->known) printf("%s %.2f %.2f %.2f", when, load->avg[0], load->avg[1], load->avg[2]);
    else printf("%s unknown", when);
}

/* How a request of the measured size was served, before and after the
 * no-spy points (heapstate.c). */
static void print_heap_state(const struct bench_impl *b)
{
    char before[300], after[300];

    if (!b->state_before.observed) return;
    heap_state_text(&b->state_before, before, sizeof(before));
    heap_state_text(&b->state_after, after, sizeof(after));
    printf("  %-*s %s%s\n", label_width, "", before, strcmp(before, after) ? "" : " (before and after the points)");
    if (strcmp(before, after)) printf("  %-*s after the no-spy points: %s\n", label_width, "", after);
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
           "each the fastest of %d runs of ~%.1f ms; two threads: %d repetitions of %.1f ms runs\n",
           wine ? "wine-" : "", wine ? wine : "Windows", (unsigned long)info.dwNumberOfProcessors, qpc_hz(),
           opt.quick ? "quick" : "full", opt.reps, SUBRUNS, opt.rep_ms / SUBRUNS, opt.thread_reps, opt.thread_ms);
    printf("machine load (1, 5, 15-minute load average):");
    print_load(" at start", &load_start);
    print_load(", at end", &load_end);
    printf("\n\nimplementations, and how a %d-byte request is served (seen with HeapWalk; every heap but\n"
           "rawsplit's was first warmed: %d blocks of %d bytes allocated, every other one freed):\n",
           BLOCK_SIZE, WARM_BLOCKS, BLOCK_SIZE);
    for (i = 0; i < nimpls; i++)
    {
        printf("  %-*s %s\n", label_width, impls[i].label, impl_description(&impls[i], line, sizeof(line)));
        print_heap_state(&impls[i]);
    }
    snprintf(buf, sizeof(buf), "x %s", base ? base->label : "-");
    printf("\nns/op is the median of the repetitions, min the fastest one; x raw: the same operation on the\n"
           "process heap (the floor; for DidAlloc, HeapValidate, which is how Wine's builtin answers it);\n"
           "%s: this implementation / %s at the same point\n", buf, base ? base->label : "-");
    printf("%-18s %-32s %-*s %12s %12s %10s %10s\n", "point", "operation", label_width, "impl", "ns/op", "min", "x raw",
           buf);
}

static void print_points(void)
{
    char buf[32];
    int i;

    for (i = 0; i < nresults; i++)
    {
        const struct result *r = &results[i];

        if (i && results[i - 1].live != r->live) printf("\n");
        printf("%-18s %-32s %-*s", live_label(r->live, buf, sizeof(buf)),
               r->b->kind == KIND_RAW ? ops[r->op].raw_name : ops[r->op].name, label_width, r->b->label);
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
    const struct thread_result *raw = find_thread_result(role_impl(ROLE_RAW), 0);
    double ratios[MAX_THREAD_REPS];
    int i, n;

    printf("\ntwo threads, alloc+free 32 B: ns/op is wall time / all pairs; scaling = 2-thread throughput / 1-thread;\n"
           "medians of the repetitions; x raw scaling: without a spy, the median of the ratios to raw's scaling\n"
           "in raw runs made just before each of its own, and [the middle half] of those ratios; with a spy,\n"
           "the ratio of the medians, measured apart from raw's\n");
    printf("%-18s %-*s %12s %12s %10s %14s %14s\n", "point", label_width, "impl", "1T ns/op", "2T ns/op", "scaling",
           "x raw scaling", "middle half");
    for (i = 0; i < nthread_results; i++)
    {
        const struct thread_result *t = &thread_results[i];

        printf("%-18s %-*s %12.1f %12.1f %10.2f", t->spy ? "spy, 0 live" : "no spy", label_width, t->b->label,
               t->ns1_median, t->ns2_median, t->scaling_median);
        print_ratio(x_raw_scaling(t));
        if (raw && (n = paired_scaling_ratios(t, raw, ratios)))
            printf("   [%.2f, %.2f]", quartile(ratios, n, 1), quartile(ratios, n, 3));
        printf("\n");
    }
}

static void print_populate(void)
{
    int i, step;

    printf("\npopulating live spied blocks (seconds, 32-byte CoTaskMemAlloc under the spy), freeing them, revoking:\n");
    printf("%-*s", label_width, "impl");
    for (step = 1; step < num_live_steps; step++) printf(" %9u->%-7u", live_steps[step - 1], live_steps[step]);
    printf(" %12s  %s\n", "free all", "revoke");
    for (i = 0; i < nimpls; i++)
    {
        const struct bench_impl *b = &impls[i];

        if (!b->measured || b->kind == KIND_RAW) continue;
        printf("%-*s", label_width, b->label);
        for (step = 1; step < num_live_steps; step++)
        {
            if (b->populate_s[step] < 0) printf(" %17s", "-");
            else printf(" %17.3f", b->populate_s[step]);
        }
        if (b->teardown_s < 0) printf(" %12s", "-");
        else printf(" %12.3f", b->teardown_s);
        if (b->revoke_done) printf("  %s\n", b->revoke_hr == S_OK ? "S_OK" : "FAILED");
        else printf("  -\n");
        if (b->live_skip[0]) printf("%-*s stopped: %s\n", label_width, "", b->live_skip);
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
        /* Three decimals: T2 and T3 are judged a few thousandths from their limit. */
        printf("%s  %s %s: %.3fx (target %s %.2fx)", verdict_word(t->verdict), def->id, def->text, t->value, cmp,
               def->limit);
        if (t->paired)
            printf("\n      median of %d repetitions, paired; middle half [%.3f, %.3f]", t->nratios, t->q1, t->q3);
        else printf("\n      ratio of the medians");
        if (t->value_min > 0) printf("; fastest repetitions %.3fx", t->value_min);
        printf("\n");
        if (t->note[0]) printf("      %s\n", t->note);
        if (t->verdict == VERDICT_MISS)
            fprintf(stderr, "bench: MISS %s %s: %.3fx (target %s %.2fx)\n", def->id, def->text, t->value, cmp,
                    def->limit);
    }
    printf("targets: %d PASS, %d MISS, %d SKIP\n", count[VERDICT_PASS], count[VERDICT_MISS], count[VERDICT_SKIP]);
}

void print_report(double total_s)
{
    set_label_width();
    print_header();
    print_points();
    print_threads();
    print_populate();
    print_targets();
    printf("\ntotal %.1f s%s\n", total_s, run_failed ? "; ERRORS occurred, see stderr" : "");
    fflush(stdout);
}
