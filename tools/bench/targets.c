/*
 * The targets: each is the ratio of two points (or two scalings), compared
 * with a limit.  One row of target_defs[] per target (and its name in enum
 * target_id); a missed target prints MISS and is not an error.
 */

#include "bench.h"

static void heap_states_note(char *buf, size_t size);

const struct target_def target_defs[NUM_TARGETS] =
{
    [TARGET_PAIR_FLOOR] =
    {
        "T1", "refole32 no-spy CoTaskMem pair vs raw HeapAlloc+HeapFree (the floor)",
        { ROLE_REF, OP_PAIR, NO_SPY, 0 }, { ROLE_RAW, OP_PAIR, NO_SPY, 0 }, 1, 1.10, heap_states_note,
    },
    [TARGET_PAIR_BUILTIN] =
    {
        "T2", "refole32 no-spy CoTaskMem pair vs Wine builtin's",
        { ROLE_REF, OP_PAIR, NO_SPY, 0 }, { ROLE_BUILTIN, OP_PAIR, NO_SPY, 0 }, 1, 1.00, NULL,
    },
    [TARGET_IMALLOC_BUILTIN] =
    {
        "T3", "refole32 no-spy IMalloc pair vs Wine builtin's",
        { ROLE_REF, OP_IMALLOC_PAIR, NO_SPY, 0 }, { ROLE_BUILTIN, OP_IMALLOC_PAIR, NO_SPY, 0 }, 1, 1.00, NULL,
    },
    [TARGET_LIVE_GROWTH] =
    {
        "T4", "refole32 spy pair at 100000 live vs at 0 live",
        { ROLE_REF, OP_PAIR, 100000, 0 }, { ROLE_REF, OP_PAIR, 0, 0 }, 1, 2.0, NULL,
    },
    [TARGET_BUILTIN_SPEEDUP] =
    {
        "T5", "Wine builtin spy pair at 100000 live / refole32's (speed-up)",
        { ROLE_BUILTIN, OP_PAIR, 100000, 0 }, { ROLE_REF, OP_PAIR, 100000, 0 }, 0, 100.0, NULL,
    },
    [TARGET_THREAD_SCALING] =
    {
        "T6", "refole32 two-thread scaling (no spy) vs raw HeapAlloc's scaling",
        { ROLE_REF, 0, NO_SPY, 1 }, { ROLE_RAW, 0, NO_SPY, 1 }, 0, 0.9, NULL,
    },
};

struct target targets[NUM_TARGETS];

const char *verdict_word(enum verdict verdict)
{
    static const char *const words[] = { "SKIP", "PASS", "MISS" };

    return words[verdict];
}

static double point_median(const struct bench_impl *b, enum op op, int live)
{
    const struct result *r = b ? find_result(b, op, live) : NULL;

    return r ? r->median : -1.0;
}

/* What the state of a heap costs in this run: the same raw pair on a heap
 * warmed like the others and on a fresh one, against the floor. */
static void heap_states_note(char *buf, size_t size)
{
    double floor_ns = point_median(role_impl(ROLE_RAW), OP_PAIR, NO_SPY);
    double exact_ns = point_median(role_impl(ROLE_RAW_EXACT), OP_PAIR, NO_SPY);
    double split_ns = point_median(role_impl(ROLE_RAW_SPLIT), OP_PAIR, NO_SPY);

    if (exact_ns <= 0 || split_ns <= 0) return;
    snprintf(buf, size, "the raw pair on a heap of its own: warmed %.2fx the floor, fresh (split) %.2fx",
             exact_ns / floor_ns, split_ns / floor_ns);
}

static void judge(const struct target_def *def, struct target *t, double value)
{
    int pass = def->at_most ? value <= def->limit : value >= def->limit;

    t->value = value;
    t->verdict = pass ? VERDICT_PASS : VERDICT_MISS;
}

static void judge_paired(const struct target_def *def, struct target *t, int n)
{
    t->paired = 1;
    t->nratios = n;
    t->q1 = quartile(t->ratios, n, 1);
    t->q3 = quartile(t->ratios, n, 3);
    judge(def, t, median(t->ratios, n));
}

/* The ratio of the fastest repetitions is kept beside the judged value as
 * a hint of the noise. */
static void judge_points(const struct target_def *def, struct target *t, const struct bench_impl *b1,
                         const struct bench_impl *b2)
{
    const struct result *r1 = find_result(b1, def->num.op, def->num.live);
    const struct result *r2 = find_result(b2, def->den.op, def->den.live);
    int n;

    if (r1 && r2 && r1->median > 0 && r2->median > 0)
    {
        t->value_min = r1->min / r2->min;
        if ((n = paired_ratios(r1, r2, t->ratios))) judge_paired(def, t, n);
        else judge(def, t, r1->median / r2->median);
    }
    else if (r1 && r1->skip[0]) snprintf(t->reason, sizeof(t->reason), "%s: %s", b1->label, r1->skip);
    else if (r2 && r2->skip[0]) snprintf(t->reason, sizeof(t->reason), "%s: %s", b2->label, r2->skip);
    else snprintf(t->reason, sizeof(t->reason), "point not measured");
}

static void judge_scaling(const struct target_def *def, struct target *t, const struct bench_impl *b1,
                          const struct bench_impl *b2)
{
    const struct thread_result *t1 = find_thread_result(b1, 0), *t2 = find_thread_result(b2, 0);
    int n;

    if (!t1 || !t2 || t1->scaling_median <= 0 || t2->scaling_median <= 0)
        snprintf(t->reason, sizeof(t->reason), "point not measured");
    else if ((n = paired_scaling_ratios(t1, t2, t->ratios))) judge_paired(def, t, n);
    else judge(def, t, t1->scaling_median / t2->scaling_median);
}

static void evaluate(const struct target_def *def, struct target *t)
{
    const struct bench_impl *b1 = role_impl(def->num.role), *b2 = role_impl(def->den.role);
    enum role missing = NUM_ROLES;

    memset(t, 0, sizeof(*t));
    t->value = t->value_min = -1.0;
    t->verdict = VERDICT_SKIP;
    /* Of two implementations missing, name the first role (refole32 first). */
    if (!b1) missing = def->num.role;
    if (!b2 && def->den.role < missing) missing = def->den.role;
    if (missing != NUM_ROLES)
    {
        snprintf(t->reason, sizeof(t->reason), "%s", role_missing(missing));
        return;
    }
    if (def->num.scaling) judge_scaling(def, t, b1, b2);
    else judge_points(def, t, b1, b2);
    if (t->verdict != VERDICT_SKIP && def->note) def->note(t->note, sizeof(t->note));
}

void evaluate_targets(void)
{
    int i;

    for (i = 0; i < NUM_TARGETS; i++) evaluate(&target_defs[i], &targets[i]);
}
