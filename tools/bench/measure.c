/*
 * Measuring points: the clock, the table of results, calibration by time,
 * and repetitions interleaved across implementations.
 */

#include "bench.h"

#define MAX_ITERS (1ul << 24)

struct result results[MAX_RESULTS];
int nresults;
static int ngroups;

static LARGE_INTEGER qpc_freq;

void clock_init(void)
{
    QueryPerformanceFrequency(&qpc_freq);
}

LONGLONG now_ticks(void)
{
    LARGE_INTEGER t;

    QueryPerformanceCounter(&t);
    return t.QuadPart;
}

double ticks_to_ns(LONGLONG ticks)
{
    return (double)ticks * 1e9 / (double)qpc_freq.QuadPart;
}

double ticks_to_s(LONGLONG ticks)
{
    return (double)ticks / (double)qpc_freq.QuadPart;
}

LONGLONG ms_to_ticks(double ms)
{
    return (LONGLONG)(ms * (double)qpc_freq.QuadPart / 1000.0);
}

double qpc_hz(void)
{
    return (double)qpc_freq.QuadPart;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y ? 1 : 0;
}

/* values holds at most MAX_THREAD_REPS numbers. */
double median(const double *values, int n)
{
    double sorted[MAX_THREAD_REPS];

    if (n <= 0) return -1.0;
    memcpy(sorted, values, n * sizeof(double));
    qsort(sorted, n, sizeof(double), compare_doubles);
    if (n % 2) return sorted[n / 2];
    return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

/* The first (which 1) or third (which 3) quartile, by nearest rank. */
double quartile(const double *values, int n, int which)
{
    double sorted[MAX_THREAD_REPS];

    if (n <= 0) return -1.0;
    memcpy(sorted, values, n * sizeof(double));
    qsort(sorted, n, sizeof(double), compare_doubles);
    return sorted[(n - 1) * which / 4];
}

static double minimum(const double *values, int n)
{
    double best = -1.0;
    int i;

    for (i = 0; i < n; i++)
        if (best < 0 || values[i] < best) best = values[i];
    return best;
}

const char *live_label(int live, char *buf, size_t size)
{
    if (live == NO_SPY) snprintf(buf, size, "no spy");
    else snprintf(buf, size, "spy, %d live", live);
    return buf;
}

static struct result *add_result(struct bench_impl *b, enum op op, int live)
{
    struct result *r;

    if (nresults >= MAX_RESULTS)
    {
        fprintf(stderr, "bench: too many results (at most %d)\n", MAX_RESULTS);
        exit(2);
    }
    r = &results[nresults++];
    memset(r, 0, sizeof(*r));
    r->b = b;
    r->op = op;
    r->live = live;
    r->median = -1.0;
    return r;
}

const struct result *find_result(const struct bench_impl *b, enum op op, int live)
{
    int i;

    for (i = 0; i < nresults; i++)
        if (results[i].b == b && results[i].op == op && results[i].live == live) return &results[i];
    return NULL;
}

void skip_result(struct bench_impl *b, enum op op, int live, const char *reason)
{
    struct result *r = add_result(b, op, live);
    char buf[32];

    snprintf(r->skip, sizeof(r->skip), "%s", reason);
    progress("skipped: %s: %s: %s: %s", live_label(live, buf, sizeof(buf)), ops[op].name, b->label, reason);
}

/* Runs n iterations of one point; returns the elapsed ticks, or -1 when an
 * operation failed (already reported). */
static LONGLONG time_op(struct result *r, unsigned long n)
{
    LONGLONG start = now_ticks();

    if (ops[r->op].loop(r->b, n, r->live)) return -1;
    return now_ticks() - start;
}

/* Doubles the count until a run takes a quarter of the target, then scales:
 * the slowest point (Wine's builtin at 100 000 live blocks) costs no more
 * calibration time than the fastest. */
static unsigned long calibrate(struct result *r, LONGLONG target)
{
    unsigned long n = 1;
    double scaled;
    LONGLONG t;

    for (;;)
    {
        if ((t = time_op(r, n)) < 0) return 0;
        if (t >= target / 4 || n >= MAX_ITERS) break;
        n *= 2;
    }
    if (t <= 0) t = 1;
    scaled = (double)n * (double)target / (double)t;
    if (scaled < 1.0) scaled = 1.0;
    if (scaled > (double)MAX_ITERS) scaled = (double)MAX_ITERS;
    return (unsigned long)scaled;
}

/* One short run of r inside a repetition, keeping the fastest in *best. */
static void subrun(struct result *r, LONGLONG *best)
{
    LONGLONG t;

    if (r->skip[0]) return;
    if ((t = time_op(r, r->iters)) < 0)
    {
        snprintf(r->skip, sizeof(r->skip), "failed: %s", r->b->error);
        return;
    }
    if (*best < 0 || t < *best) *best = t;
}

/* One point (same operation, same live count) for several implementations:
 * calibrate each, then repetitions.  Within a repetition the implementations
 * take turns short run by short run, each turn starting one further along,
 * so that a disturbance of a few runs, or the order, touches all of them
 * alike; a repetition of each is the fastest of its SUBRUNS runs. */
static void measure_group(struct result **group, int n)
{
    LONGLONG target = ms_to_ticks(opt.rep_ms / SUBRUNS), best[MAX_IMPLS];
    int i, k, rep, sub;

    for (i = 0; i < n; i++)
        if (!group[i]->skip[0] && !(group[i]->iters = calibrate(group[i], target)))
            snprintf(group[i]->skip, sizeof(group[i]->skip), "failed: %s", group[i]->b->error);

    for (rep = 0; rep < opt.reps; rep++)
    {
        for (i = 0; i < n; i++) best[i] = -1;
        for (sub = 0; sub < SUBRUNS; sub++)
            for (k = 0; k < n; k++)
            {
                i = (k + sub) % n;
                subrun(group[i], &best[i]);
            }
        for (i = 0; i < n; i++)
            if (!group[i]->skip[0]) group[i]->ns[group[i]->nreps++] = ticks_to_ns(best[i]) / (double)group[i]->iters;
    }
    for (i = 0; i < n; i++)
    {
        if (group[i]->skip[0]) continue;
        group[i]->median = median(group[i]->ns, group[i]->nreps);
        group[i]->min = minimum(group[i]->ns, group[i]->nreps);
    }
}

/* Measures one operation for every implementation in the list, interleaved. */
void measure_op(struct bench_impl **list, int n, enum op op, int live)
{
    struct result *group[MAX_IMPLS];
    char buf[32];
    int i;

    progress("%s: %s (%d implementation%s)", live_label(live, buf, sizeof(buf)), ops[op].name, n, n == 1 ? "" : "s");
    ngroups++;
    for (i = 0; i < n; i++)
    {
        group[i] = add_result(list[i], op, live);
        group[i]->group = ngroups;
        if (ops[op].on_probe && !list[i]->probe)
            snprintf(group[i]->skip, sizeof(group[i]->skip), "no probe block: %s", list[i]->error);
    }
    measure_group(group, n);
}

/* The ratios r1 / r2 repetition by repetition, into ratios[]; returns
 * their number, or 0 when the two were not measured in the same
 * repetitions. */
int paired_ratios(const struct result *r1, const struct result *r2, double *ratios)
{
    int i;

    if (r1->group != r2->group || r1->nreps != r2->nreps) return 0;
    for (i = 0; i < r1->nreps; i++) ratios[i] = r1->ns[i] / r2->ns[i];
    return r1->nreps;
}

/* Ratio of this point to the raw heap doing the same thing (the floor). */
double x_raw(const struct result *r)
{
    const struct result *raw = find_result(role_impl(ROLE_RAW), ops[r->op].raw_op, NO_SPY);

    if (r->median < 0 || !raw || raw->median <= 0) return -1.0;
    return r->median / raw->median;
}

/* Ratio of this point to the baseline implementation's at the same point. */
double x_baseline(const struct result *r)
{
    const struct bench_impl *base = baseline_impl();
    const struct result *other;

    if (r->b->kind == KIND_RAW || !base || r->median < 0) return -1.0;
    other = find_result(base, r->op, r->live);
    if (!other || other->median <= 0) return -1.0;
    return r->median / other->median;
}
