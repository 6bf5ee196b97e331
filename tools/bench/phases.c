/*
 * What is measured when: every operation without a spy, then, with the
 * pass-through spy registered, every operation at each number of live
 * spied blocks, growing the blocks from one step to the next.
 */

#include "bench.h"

/* The live spied blocks a point is measured at, in order. */
const unsigned live_steps[] = { 0, 1000, 10000, 100000 };
const int num_live_steps = sizeof(live_steps) / sizeof(live_steps[0]);

/* --quick stops here: a few seconds even on Wine's builtin. */
#define QUICK_MAX_LIVE 1000

/* A point that finds no probe block is skipped (see measure_op). */
static void alloc_probe(struct bench_impl *b)
{
    if (b->kind == KIND_RAW) b->probe = HeapAlloc(b->heap, 0, BLOCK_SIZE);
    else b->probe = b->impl.pCoTaskMemAlloc(BLOCK_SIZE);
    if (!b->probe) impl_error(b, "allocating a %d-byte block returned NULL", BLOCK_SIZE);
}

static void free_probe(struct bench_impl *b)
{
    if (!b->probe) return;
    if (b->kind == KIND_RAW) HeapFree(b->heap, 0, b->probe);
    else b->impl.pCoTaskMemFree(b->probe);
    b->probe = NULL;
}

/* Measures each operation in ops[] order (those measured under a spy only
 * when spied); the probe block is allocated just before the first
 * operation that needs it, under the same conditions as it. */
static void measure_ops(struct bench_impl **list, int n, struct bench_impl **no_raw, int m, int live)
{
    int i, probes = 0;
    enum op op;

    for (op = 0; op < NUM_OPS; op++)
    {
        if (live != NO_SPY && !ops[op].under_spy) continue;
        if (ops[op].on_probe && !probes)
        {
            for (i = 0; i < n; i++) alloc_probe(list[i]);
            probes = 1;
        }
        if (ops[op].raw_name) measure_op(list, n, op, live);
        else measure_op(no_raw, m, op, live);
    }
    for (i = 0; i < n && probes; i++) free_probe(list[i]);
}

void phase_no_spy(void)
{
    struct bench_impl *list[MAX_IMPLS], *no_raw[MAX_IMPLS];
    int n = collect_impls(list, 1), m = collect_impls(no_raw, 0);

    measure_ops(list, n, no_raw, m, NO_SPY);
}

/* Populating is quadratic when an implementation scans its table on every
 * insert (Wine 8.0's builtin does), so the next step is predicted from the
 * last one assuming quadratic cost, and skipped -- with the reason printed --
 * when the prediction exceeds the limit. */
static double predict_populate(const struct bench_impl *b, int step)
{
    double l0, l1, l2;

    if (step < 2 || b->populate_s[step - 1] < 0) return 0.0;
    l0 = live_steps[step - 2];
    l1 = live_steps[step - 1];
    l2 = live_steps[step];
    return b->populate_s[step - 1] * (l2 * l2 - l1 * l1) / (l1 * l1 - l0 * l0);
}

static void stop_live(struct bench_impl *b, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vsnprintf(b->live_skip, sizeof(b->live_skip), fmt, args);
    va_end(args);
    b->live_stopped = 1;
}

static void populate(struct bench_impl *b, int step)
{
    unsigned target = live_steps[step];
    double predicted = predict_populate(b, step);
    LONGLONG start;

    if (predicted > opt.populate_limit_s)
    {
        stop_live(b, "populating %u live spied blocks would take about %.0f s (the step to %u took %.2f s), "
                  "over the %.0f s limit (--populate-limit)",
                  target, predicted, live_steps[step - 1], b->populate_s[step - 1], opt.populate_limit_s);
        return;
    }
    if (target > b->live) progress("%s: populating %u live spied blocks...", b->label, target);
    start = now_ticks();
    while (b->live < target)
    {
        void *p = b->impl.pCoTaskMemAlloc(BLOCK_SIZE);

        if (!p)
        {
            impl_error(b, "CoTaskMemAlloc(%d) returned NULL at %u live spied blocks", BLOCK_SIZE, b->live);
            stop_live(b, "allocation failed at %u live blocks", b->live);
            return;
        }
        b->blocks[b->live++] = p;
    }
    b->populate_s[step] = ticks_to_s(now_ticks() - start);
    if (target) progress("%s: populated %u live spied blocks in %.3f s", b->label, target, b->populate_s[step]);
}

static void measure_live_step(struct bench_impl **batch, int n, int step)
{
    struct bench_impl *active[MAX_IMPLS];
    int live = live_steps[step];
    int i, m = 0;
    enum op op;

    for (i = 0; i < n; i++)
    {
        if (opt.quick && live_steps[step] > QUICK_MAX_LIVE && !batch[i]->live_stopped)
            stop_live(batch[i], "--quick stops at %d live blocks", QUICK_MAX_LIVE);
        if (!batch[i]->live_stopped) populate(batch[i], step);
        if (batch[i]->live_stopped)
            for (op = 0; op < NUM_OPS; op++)
                if (ops[op].under_spy) skip_result(batch[i], op, live, batch[i]->live_skip);
        if (!batch[i]->live_stopped) active[m++] = batch[i];
    }
    /* The probe is allocated under the spy after the live blocks, so a table
     * scanned from its start is scanned to its end for it. */
    if (m) measure_ops(active, m, active, m, live);
}

static void teardown(struct bench_impl *b)
{
    LONGLONG start = now_ticks();
    unsigned i, count = b->live;

    if (count) progress("%s: freeing %u live spied blocks...", b->label, count);
    for (i = 0; i < count; i++) b->impl.pCoTaskMemFree(b->blocks[i]);
    b->live = 0;
    b->teardown_s = ticks_to_s(now_ticks() - start);
    if (count) progress("%s: freed %u live spied blocks in %.3f s", b->label, count, b->teardown_s);
    VirtualFree(b->blocks, 0, MEM_RELEASE);
    b->blocks = NULL;

    /* Every spied block is freed: the revoke must succeed now. */
    b->revoke_hr = b->impl.pCoRevokeMallocSpy();
    b->revoke_done = 1;
    if (b->revoke_hr != S_OK)
        impl_error(b, "CoRevokeMallocSpy returned 0x%08lx after every spied block was freed (expected S_OK)",
                   (unsigned long)b->revoke_hr);
}

/* Registers the spy in every implementation still pending.  Two
 * implementations that share their state (one forwarding to the other) cannot
 * both have a spy: the later one gets CO_E_OBJISREG and waits for the next
 * batch.  Returns the number registered. */
static int register_batch(struct bench_impl **pending, int *npending, struct bench_impl **batch)
{
    int i, n = 0, left = 0;

    for (i = 0; i < *npending; i++)
    {
        struct bench_impl *b = pending[i];
        HRESULT hr = b->impl.pCoRegisterMallocSpy(&b->spy.IMallocSpy_iface);

        if (hr == S_OK) batch[n++] = b;
        else if (hr == CO_E_OBJISREG && n) pending[left++] = b;
        else
        {
            impl_error(b, "CoRegisterMallocSpy returned 0x%08lx", (unsigned long)hr);
            stop_live(b, "CoRegisterMallocSpy failed");
        }
    }
    *npending = left;
    return n;
}

void phase_spy(void)
{
    struct bench_impl *pending[MAX_IMPLS], *batch[MAX_IMPLS];
    int npending = collect_impls(pending, 0);
    unsigned max_live = live_steps[num_live_steps - 1];
    int i, step, n;

    for (i = 0; i < npending; i++)
    {
        pending[i]->blocks = VirtualAlloc(NULL, max_live * sizeof(void *), MEM_COMMIT, PAGE_READWRITE);
        if (!pending[i]->blocks)
        {
            fprintf(stderr, "bench: out of memory\n");
            exit(2);
        }
    }
    while (npending)
    {
        if (!(n = register_batch(pending, &npending, batch))) break;
        measure_threads(batch, n, 1);
        for (step = 0; step < num_live_steps; step++) measure_live_step(batch, n, step);
        for (i = 0; i < n; i++) teardown(batch[i]);
    }
}
