/*
 * Two threads doing alloc/free pairs at once, against one: how an
 * implementation scales when its lock (or its heap's) is contended.
 */

#include "bench.h"

#define THREAD_BATCH 64

struct thread_result thread_results[2 * MAX_IMPLS];
int nthread_results;

struct worker
{
    struct bench_impl *b;
    HANDLE go;
    volatile LONG *ready;
    LONGLONG deadline;
    LONGLONG end;
    ULONGLONG ops;
};

static DWORD WINAPI worker_main(void *arg)
{
    struct worker *w = arg;
    ULONGLONG done = 0;   /* local: a shared counter would add false sharing */
    LONGLONG now;

    InterlockedIncrement(w->ready);
    WaitForSingleObject(w->go, INFINITE);
    do
    {
        alloc_free_pairs(w->b, THREAD_BATCH);
        done += THREAD_BATCH;
        now = now_ticks();
    } while (now < w->deadline);
    w->end = now;
    w->ops = done;
    return 0;
}

/* Runs nthreads threads doing alloc/free pairs for the thread duration;
 * returns the total throughput as ns per pair (wall time / all pairs). */
static double run_threads(struct bench_impl *b, int nthreads)
{
    struct worker workers[2];
    HANDLE threads[2];
    volatile LONG ready = 0;
    HANDLE go = CreateEventA(NULL, TRUE, FALSE, NULL);
    LONGLONG start, end = 0;
    ULONGLONG done = 0;
    int i;

    for (i = 0; i < nthreads; i++)
    {
        memset(&workers[i], 0, sizeof(workers[i]));
        workers[i].b = b;
        workers[i].go = go;
        workers[i].ready = &ready;
        threads[i] = CreateThread(NULL, 0, worker_main, &workers[i], 0, NULL);
    }
    /* Thread creation is not part of the measurement. */
    while (ready < nthreads) Sleep(0);
    start = now_ticks();
    for (i = 0; i < nthreads; i++) workers[i].deadline = start + ms_to_ticks(opt.thread_ms);
    SetEvent(go);
    WaitForMultipleObjects(nthreads, threads, TRUE, INFINITE);
    for (i = 0; i < nthreads; i++)
    {
        CloseHandle(threads[i]);
        done += workers[i].ops;
        if (workers[i].end > end) end = workers[i].end;
    }
    CloseHandle(go);
    return ticks_to_ns(end - start) / (double)done;
}

static struct thread_result *add_thread_result(struct bench_impl *b, int spy)
{
    struct thread_result *t = &thread_results[nthread_results++];

    memset(t, 0, sizeof(*t));
    t->b = b;
    t->spy = spy;
    t->ns1_median = t->ns2_median = t->scaling_median = -1.0;
    return t;
}

/* One repetition of t: a 1-thread and a 2-thread run.  With a base (the
 * raw process heap), the base runs just before each of t's, and its
 * scaling in those runs is kept beside t's: the two are compared in the
 * same few milliseconds. */
static void thread_repetition(struct thread_result *t)
{
    int i = t->nreps++;
    double base1, base2;

    if (t->base)
    {
        base1 = run_threads(t->base, 1);
        t->ns1[i] = run_threads(t->b, 1);
        base2 = run_threads(t->base, 2);
        t->ns2[i] = run_threads(t->b, 2);
        t->base_scaling[i] = base1 / base2;
    }
    else
    {
        t->ns1[i] = run_threads(t->b, 1);
        t->ns2[i] = run_threads(t->b, 2);
    }
    t->scaling[i] = t->ns1[i] / t->ns2[i];
}

/* A single run's scaling ranges over a factor of three on a shared
 * machine (whether the other thread's lock holder was preempted), so there
 * are many short repetitions, no fastest-of, and the median; the
 * implementations take turns repetition by repetition.  Without a spy each
 * implementation's runs alternate with the raw process heap's (see
 * thread_repetition), and x_raw_scaling() pairs them. */
void measure_threads(struct bench_impl **list, int n, int spy)
{
    struct thread_result *group[MAX_IMPLS];
    struct bench_impl *raw = NULL;
    int i, rep;

    progress("two threads, %s: alloc+free 32 B (%d configuration%s, %d repetitions)", spy ? "spy, 0 live" : "no spy",
             n, n == 1 ? "" : "s", opt.thread_reps);
    for (i = 0; i < n; i++)
    {
        group[i] = add_thread_result(list[i], spy);
        if (list[i] == role_impl(ROLE_RAW)) raw = list[i];
    }
    for (i = 0; i < n; i++)
        if (raw && list[i] != raw) group[i]->base = raw;
    for (rep = 0; rep < opt.thread_reps; rep++)
        for (i = 0; i < n; i++) thread_repetition(group[i]);
    for (i = 0; i < n; i++)
    {
        group[i]->ns1_median = median(group[i]->ns1, group[i]->nreps);
        group[i]->ns2_median = median(group[i]->ns2, group[i]->nreps);
        group[i]->scaling_median = median(group[i]->scaling, group[i]->nreps);
    }
}

const struct thread_result *find_thread_result(const struct bench_impl *b, int spy)
{
    int i;

    for (i = 0; i < nthread_results; i++)
        if (thread_results[i].b == b && thread_results[i].spy == spy) return &thread_results[i];
    return NULL;
}

/* The ratios of t's scaling to base's in the runs next to t's, repetition
 * by repetition, into ratios[]; returns their number, or 0 when base did
 * not run next to t. */
int paired_scaling_ratios(const struct thread_result *t, const struct thread_result *base, double *ratios)
{
    int i;

    if (!t->base || t->base != base->b) return 0;
    for (i = 0; i < t->nreps; i++) ratios[i] = t->scaling[i] / t->base_scaling[i];
    return t->nreps;
}

/* Scaling relative to the raw process heap's own scaling: the median of
 * the paired ratios, or (a spy's, measured apart) the ratio of medians;
 * raw's own is 1. */
double x_raw_scaling(const struct thread_result *t)
{
    const struct thread_result *raw = find_thread_result(role_impl(ROLE_RAW), 0);
    double ratios[MAX_THREAD_REPS];
    int n;

    if (!raw || raw->scaling_median <= 0 || t->scaling_median < 0) return -1.0;
    if (t == raw) return 1.0;
    if ((n = paired_scaling_ratios(t, raw, ratios))) return median(ratios, n);
    return t->scaling_median / raw->scaling_median;
}
