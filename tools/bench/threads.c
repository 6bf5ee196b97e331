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

/* One and two threads back to back in each repetition, so each scaling
 * value compares runs made a few milliseconds apart. */
void measure_threads(struct bench_impl **list, int n, int spy)
{
    struct thread_result *group[MAX_IMPLS];
    int i, rep, k;

    progress("two threads, %s: alloc+free 32 B (%d configuration%s)", spy ? "spy, 0 live" : "no spy", n,
             n == 1 ? "" : "s");
    for (i = 0; i < n; i++) group[i] = add_thread_result(list[i], spy);
    for (rep = 0; rep < opt.reps; rep++)
    {
        for (i = 0; i < n; i++)
        {
            struct thread_result *t = group[i];
            double ns1 = -1.0, ns2 = -1.0, ns;

            /* Fastest of SUBRUNS for each, as for the other points. */
            for (k = 0; k < SUBRUNS; k++)
            {
                if ((ns = run_threads(t->b, 1)) < ns1 || ns1 < 0) ns1 = ns;
                if ((ns = run_threads(t->b, 2)) < ns2 || ns2 < 0) ns2 = ns;
            }
            t->ns1[t->nreps] = ns1;
            t->ns2[t->nreps] = ns2;
            t->scaling[t->nreps] = ns1 / ns2;
            t->nreps++;
        }
    }
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

/* Scaling relative to the raw process heap's own scaling. */
double x_raw_scaling(const struct thread_result *t)
{
    const struct thread_result *raw = find_thread_result(role_impl(ROLE_RAW), 0);

    if (!raw || raw->scaling_median <= 0 || t->scaling_median < 0) return -1.0;
    return t->scaling_median / raw->scaling_median;
}
