/*
 * The targets: each is the ratio of two medians, compared with a limit.
 * One row of target_defs[] per target (and its name in enum target_id); a
 * missed target prints MISS and is not an error.
 */

#include "bench.h"

static void raw_heaps_note(char *buf, size_t size);

const struct target_def target_defs[NUM_TARGETS] =
{
    [TARGET_NO_SPY_PAIR] =
    {
        "T1", "refole32 no-spy alloc+free pair vs raw HeapAlloc+HeapFree floor",
        { ROLE_REF, OP_PAIR, NO_SPY, 0 }, { ROLE_RAW, OP_PAIR, NO_SPY, 0 }, 1, 1.10, raw_heaps_note,
    },
    [TARGET_LIVE_GROWTH] =
    {
        "T2", "refole32 spy pair at 100000 live vs at 0 live",
        { ROLE_REF, OP_PAIR, 100000, 0 }, { ROLE_REF, OP_PAIR, 0, 0 }, 1, 2.0, NULL,
    },
    [TARGET_BUILTIN_SPEEDUP] =
    {
        "T3", "Wine builtin spy pair at 100000 live / refole32's (speed-up)",
        { ROLE_BUILTIN, OP_PAIR, 100000, 0 }, { ROLE_REF, OP_PAIR, 100000, 0 }, 0, 100.0, NULL,
    },
    [TARGET_THREAD_SCALING] =
    {
        "T4", "refole32 two-thread scaling (no spy) vs raw HeapAlloc's scaling",
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

/* Splits T1 into the heap's share and the code's share, using the
 * HeapCreate heap measured beside the process heap. */
static void raw_heaps_note(char *buf, size_t size)
{
    double ref_ns = point_median(role_impl(ROLE_REF), OP_PAIR, NO_SPY);
    double floor_ns = point_median(role_impl(ROLE_RAW), OP_PAIR, NO_SPY);
    double priv_ns = point_median(role_impl(ROLE_RAWPRIV), OP_PAIR, NO_SPY);

    if (priv_ns <= 0) return;
    snprintf(buf, size, "refole32 vs a bare HeapCreate(0, 0, 0) heap: %.2fx; that heap vs the process heap: %.2fx",
             ref_ns / priv_ns, priv_ns / floor_ns);
}

static void judge(const struct target_def *def, struct target *t, double value)
{
    int pass = def->at_most ? value <= def->limit : value >= def->limit;

    t->value = value;
    t->verdict = pass ? VERDICT_PASS : VERDICT_MISS;
}

/* Judges on the ratio of two points' medians; the ratio of their fastest
 * repetitions is kept beside it as a hint of the noise. */
static void judge_points(const struct target_def *def, struct target *t, const struct bench_impl *b1,
                         const struct bench_impl *b2)
{
    const struct result *r1 = find_result(b1, def->num.op, def->num.live);
    const struct result *r2 = find_result(b2, def->den.op, def->den.live);

    if (r1 && r2 && r1->median > 0 && r2->median > 0)
    {
        judge(def, t, r1->median / r2->median);
        t->value_min = r1->min / r2->min;
    }
    else if (r1 && r1->skip[0]) snprintf(t->reason, sizeof(t->reason), "%s: %s", b1->label, r1->skip);
    else if (r2 && r2->skip[0]) snprintf(t->reason, sizeof(t->reason), "%s: %s", b2->label, r2->skip);
    else snprintf(t->reason, sizeof(t->reason), "point not measured");
}

static void judge_scaling(const struct target_def *def, struct target *t, const struct bench_impl *b1,
                          const struct bench_impl *b2)
{
    const struct thread_result *t1 = find_thread_result(b1, 0), *t2 = find_thread_result(b2, 0);

    if (t1 && t2 && t1->scaling_median > 0 && t2->scaling_median > 0)
        judge(def, t, t1->scaling_median / t2->scaling_median);
    else snprintf(t->reason, sizeof(t->reason), "point not measured");
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
