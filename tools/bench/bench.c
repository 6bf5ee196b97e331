/*
 * mallocspy_bench: how fast is the COM task allocator, with and without an
 * IMallocSpy registered, and how does that cost grow with the number of live
 * spied blocks?
 *
 * Every implementation (ole32.dll, refole32.dll, any DLL named on the command
 * line) is loaded into this one process and measured in the same run, with the
 * repetitions of each point interleaved across implementations, so that the
 * ratios between them survive a noisy, shared machine.
 *
 * Iteration counts are calibrated by time, never fixed: Wine 8.0's builtin
 * scans a table of spied blocks, so one alloc/free pair at 100 000 live blocks
 * costs about a thousand times what it costs at 0.
 *
 * This is a benchmark, not a test: a missed target prints MISS and the exit
 * code stays 0.  Exit code 1 means the run itself went wrong (an allocation
 * failed, a revoke did not return S_OK, the JSON could not be written).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <objbase.h>

#include "implementation.h"

#define MAX_IMPLS 12
#define MAX_REPS 15
#define MAX_RESULTS 512
#define MAX_ITERS (1ul << 24)
#define BLOCK_SIZE 32
#define GROW_SIZE 1024
#define THREAD_BATCH 64
#define NUM_LIVE_STEPS 4
/* A repetition is the fastest of this many short runs: on a shared machine
 * a run during which another process took the CPU is thrown away. */
#define SUBRUNS 5

static const unsigned live_steps[NUM_LIVE_STEPS] = { 0, 1000, 10000, 100000 };

enum op { OP_PAIR, OP_IMALLOC_PAIR, OP_REALLOC, OP_GETSIZE, OP_DIDALLOC, NUM_OPS };

static const char *const op_keys[NUM_OPS] =
{
    "pair", "imalloc_pair", "realloc_grow_shrink", "getsize", "didalloc"
};

static const char *const op_names[NUM_OPS] =
{
    "alloc+free 32 B",
    "IMalloc Alloc+Free 32 B",
    "realloc 32->1024->32 (2 calls)",
    "GetSize",
    "DidAlloc",
};

/* What the raw heap does for the same operation: the "x raw" column. */
static const char *const op_raw_names[NUM_OPS] =
{
    "HeapAlloc+HeapFree",
    "HeapAlloc+HeapFree",
    "HeapReAlloc x2",
    "HeapSize",
    "HeapValidate(block)",
};

enum kind { KIND_RAW, KIND_SYSTEM, KIND_REF, KIND_EXTRA };

/* The pass-through spy: every Pre returns its input, every Post its input, so
 * what is measured is the implementation's own cost of having a spy. */
struct pass_spy
{
    IMallocSpy IMallocSpy_iface;
    LONG refs;
};

struct bench_impl
{
    char label[32];
    char requested[MAX_PATH];
    enum kind kind;
    int wine_builtin;
    int measured;               /* loaded and not a duplicate */
    char skip[400];             /* why it is not measured at all */
    char error[400];            /* first thing that went wrong while measuring */
    struct implementation impl;
    IMalloc *malloc;
    struct pass_spy spy;
    int spy_registered;
    void **blocks;              /* the live spied blocks */
    unsigned live;
    int live_stopped;           /* no more live steps: see live_skip */
    char live_skip[300];
    double populate_s[NUM_LIVE_STEPS];   /* < 0: not done */
    double teardown_s;
    HRESULT revoke_hr;
    int revoke_done;
    void *probe;                /* block for realloc/GetSize/DidAlloc */
    HANDLE heap;                /* raw kind only: the heap measured */
};

struct result
{
    struct bench_impl *b;
    enum op op;
    int live;                   /* -1: no spy registered */
    unsigned long iters;
    double ns[MAX_REPS];
    int nreps;
    double median;              /* ns per iteration; < 0 when skipped */
    double min;                 /* the fastest repetition: how noisy the median is */
    char skip[300];
};

struct thread_result
{
    struct bench_impl *b;
    int spy;
    double ns1[MAX_REPS], ns2[MAX_REPS], scaling[MAX_REPS];
    int nreps;
    double ns1_median, ns2_median, scaling_median;
    char skip[300];
};

struct settings
{
    int quick;
    int reps;
    double rep_ms;
    double thread_ms;
    double populate_limit_s;
    const char *json_path;
    const char *ref_path;
    int no_ref;
    int no_ole32;
    const char *extra[MAX_IMPLS];
    int nextra;
};

static struct settings opt;
static struct bench_impl impls[MAX_IMPLS];
static int nimpls;
static struct result results[MAX_RESULTS];
static int nresults;
static struct thread_result thread_results[2 * MAX_IMPLS];
static int nthread_results;
static LARGE_INTEGER qpc_freq;
static HANDLE process_heap;
static const char *wine_version;
static int run_failed;
static volatile SIZE_T sink;    /* keeps GetSize/DidAlloc results alive */

/* Local copies so that only kernel32 is imported (no libuuid). */
static const GUID bench_IID_IUnknown =
    { 0x00000000, 0x0000, 0x0000, { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 } };
static const GUID bench_IID_IMallocSpy =
    { 0x0000001d, 0x0000, 0x0000, { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 } };

/* ---------------------------------------------------------------- spy */

static struct pass_spy *impl_from_IMallocSpy(IMallocSpy *iface)
{
    return CONTAINING_RECORD(iface, struct pass_spy, IMallocSpy_iface);
}

static HRESULT WINAPI spy_QueryInterface(IMallocSpy *iface, REFIID riid, void **out)
{
    if (!memcmp(riid, &bench_IID_IUnknown, sizeof(GUID)) || !memcmp(riid, &bench_IID_IMallocSpy, sizeof(GUID)))
    {
        *out = iface;
        iface->lpVtbl->AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI spy_AddRef(IMallocSpy *iface)
{
    return InterlockedIncrement(&impl_from_IMallocSpy(iface)->refs);
}

static ULONG WINAPI spy_Release(IMallocSpy *iface)
{
    /* The object is static: never freed, the count is only informative. */
    return InterlockedDecrement(&impl_from_IMallocSpy(iface)->refs);
}

static SIZE_T WINAPI spy_PreAlloc(IMallocSpy *iface, SIZE_T size)
{
    return size;
}

static void * WINAPI spy_PostAlloc(IMallocSpy *iface, void *actual)
{
    return actual;
}

static void * WINAPI spy_PreFree(IMallocSpy *iface, void *request, BOOL spyed)
{
    return request;
}

static void WINAPI spy_PostFree(IMallocSpy *iface, BOOL spyed)
{
}

static SIZE_T WINAPI spy_PreRealloc(IMallocSpy *iface, void *request, SIZE_T size, void **new_request, BOOL spyed)
{
    *new_request = request;
    return size;
}

static void * WINAPI spy_PostRealloc(IMallocSpy *iface, void *actual, BOOL spyed)
{
    return actual;
}

static void * WINAPI spy_PreGetSize(IMallocSpy *iface, void *request, BOOL spyed)
{
    return request;
}

static SIZE_T WINAPI spy_PostGetSize(IMallocSpy *iface, SIZE_T actual, BOOL spyed)
{
    return actual;
}

static void * WINAPI spy_PreDidAlloc(IMallocSpy *iface, void *request, BOOL spyed)
{
    return request;
}

static int WINAPI spy_PostDidAlloc(IMallocSpy *iface, void *request, BOOL spyed, int actual)
{
    return actual;
}

static void WINAPI spy_PreHeapMinimize(IMallocSpy *iface)
{
}

static void WINAPI spy_PostHeapMinimize(IMallocSpy *iface)
{
}

static IMallocSpyVtbl pass_spy_vtbl =
{
    spy_QueryInterface, spy_AddRef, spy_Release,
    spy_PreAlloc, spy_PostAlloc, spy_PreFree, spy_PostFree,
    spy_PreRealloc, spy_PostRealloc, spy_PreGetSize, spy_PostGetSize,
    spy_PreDidAlloc, spy_PostDidAlloc, spy_PreHeapMinimize, spy_PostHeapMinimize,
};

/* ---------------------------------------------------------------- helpers */

static LONGLONG now_ticks(void)
{
    LARGE_INTEGER t;

    QueryPerformanceCounter(&t);
    return t.QuadPart;
}

static double ticks_to_ns(LONGLONG ticks)
{
    return (double)ticks * 1e9 / (double)qpc_freq.QuadPart;
}

static double ticks_to_s(LONGLONG ticks)
{
    return (double)ticks / (double)qpc_freq.QuadPart;
}

static LONGLONG ms_to_ticks(double ms)
{
    return (LONGLONG)(ms * (double)qpc_freq.QuadPart / 1000.0);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y ? 1 : 0;
}

static double median(const double *values, int n)
{
    double sorted[MAX_REPS];

    if (n <= 0) return -1.0;
    memcpy(sorted, values, n * sizeof(double));
    qsort(sorted, n, sizeof(double), compare_doubles);
    if (n % 2) return sorted[n / 2];
    return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

static double minimum(const double *values, int n)
{
    double best = -1.0;
    int i;

    for (i = 0; i < n; i++)
        if (best < 0 || values[i] < best) best = values[i];
    return best;
}

static void progress(const char *fmt, ...)
{
    va_list args;

    fprintf(stderr, "bench: ");
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, "\n");
}

/* Records the first error of an implementation; the run then exits 1. */
static void impl_error(struct bench_impl *b, const char *fmt, ...)
{
    va_list args;
    char buf[400];

    va_start(args, fmt);
    vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);
    fprintf(stderr, "bench: ERROR: %s: %s\n", b->label, buf);
    if (!b->error[0]) snprintf(b->error, sizeof(b->error), "%s", buf);
    run_failed = 1;
}

static const char *live_label(int live, char *buf, size_t size)
{
    if (live < 0) snprintf(buf, size, "no spy");
    else snprintf(buf, size, "spy, %d live", live);
    return buf;
}

/* ---------------------------------------------------------------- timed loops */

static void loop_raw_pair(HANDLE heap, unsigned long n)
{
    while (n--) HeapFree(heap, 0, HeapAlloc(heap, 0, BLOCK_SIZE));
}

static void loop_cotaskmem_pair(const struct implementation *impl, unsigned long n)
{
    void * (WINAPI *alloc)(SIZE_T) = impl->pCoTaskMemAlloc;
    void (WINAPI *release)(void *) = impl->pCoTaskMemFree;

    while (n--) release(alloc(BLOCK_SIZE));
}

static void loop_imalloc_pair(IMalloc *malloc, unsigned long n)
{
    IMallocVtbl *vtbl = malloc->lpVtbl;

    while (n--) vtbl->Free(malloc, vtbl->Alloc(malloc, BLOCK_SIZE));
}

static void *loop_raw_realloc(HANDLE heap, void *p, unsigned long n)
{
    while (n-- && p)
    {
        p = HeapReAlloc(heap, 0, p, GROW_SIZE);
        if (p) p = HeapReAlloc(heap, 0, p, BLOCK_SIZE);
    }
    return p;
}

static void *loop_cotaskmem_realloc(const struct implementation *impl, void *p, unsigned long n)
{
    void * (WINAPI *realloc_fn)(void *, SIZE_T) = impl->pCoTaskMemRealloc;

    /* Stop at the first failure: Realloc(NULL, n) would silently allocate. */
    while (n-- && p)
    {
        p = realloc_fn(p, GROW_SIZE);
        if (p) p = realloc_fn(p, BLOCK_SIZE);
    }
    return p;
}

static void loop_raw_getsize(HANDLE heap, void *p, unsigned long n)
{
    SIZE_T sum = 0;

    while (n--) sum += HeapSize(heap, 0, p);
    sink = sum;
}

static void loop_imalloc_getsize(IMalloc *malloc, void *p, unsigned long n)
{
    IMallocVtbl *vtbl = malloc->lpVtbl;
    SIZE_T sum = 0;

    while (n--) sum += vtbl->GetSize(malloc, p);
    sink = sum;
}

static void loop_raw_didalloc(HANDLE heap, void *p, unsigned long n)
{
    SIZE_T sum = 0;

    while (n--) sum += HeapValidate(heap, 0, p);
    sink = sum;
}

static void loop_imalloc_didalloc(IMalloc *malloc, void *p, unsigned long n)
{
    IMallocVtbl *vtbl = malloc->lpVtbl;
    SIZE_T sum = 0;

    while (n--) sum += vtbl->DidAlloc(malloc, p);
    sink = sum;
}

/* Runs n iterations of one point; returns the elapsed ticks, or -1 when an
 * operation failed (already reported). */
static LONGLONG time_op(struct result *r, unsigned long n)
{
    struct bench_impl *b = r->b;
    int raw = b->kind == KIND_RAW;
    LONGLONG start = now_ticks();
    char buf[32];

    switch (r->op)
    {
    case OP_PAIR:
        if (raw) loop_raw_pair(b->heap, n);
        else loop_cotaskmem_pair(&b->impl, n);
        break;
    case OP_IMALLOC_PAIR:
        loop_imalloc_pair(b->malloc, n);
        break;
    case OP_REALLOC:
        if (raw) b->probe = loop_raw_realloc(b->heap, b->probe, n);
        else b->probe = loop_cotaskmem_realloc(&b->impl, b->probe, n);
        if (!b->probe)
        {
            impl_error(b, "realloc returned NULL (%s)", live_label(r->live, buf, sizeof(buf)));
            return -1;
        }
        break;
    case OP_GETSIZE:
        if (raw) loop_raw_getsize(b->heap, b->probe, n);
        else loop_imalloc_getsize(b->malloc, b->probe, n);
        break;
    case OP_DIDALLOC:
        if (raw) loop_raw_didalloc(b->heap, b->probe, n);
        else loop_imalloc_didalloc(b->malloc, b->probe, n);
        break;
    default:
        break;
    }
    return now_ticks() - start;
}

/* ---------------------------------------------------------------- measuring points */

static struct result *add_result(struct bench_impl *b, enum op op, int live)
{
    struct result *r;

    if (nresults >= MAX_RESULTS)
    {
        fprintf(stderr, "bench: too many results\n");
        exit(1);
    }
    r = &results[nresults++];
    memset(r, 0, sizeof(*r));
    r->b = b;
    r->op = op;
    r->live = live;
    r->median = -1.0;
    return r;
}

static struct result *find_result(const struct bench_impl *b, enum op op, int live)
{
    int i;

    for (i = 0; i < nresults; i++)
        if (results[i].b == b && results[i].op == op && results[i].live == live) return &results[i];
    return NULL;
}

static void skip_result(struct bench_impl *b, enum op op, int live, const char *reason)
{
    struct result *r = add_result(b, op, live);
    char buf[32];

    snprintf(r->skip, sizeof(r->skip), "%s", reason);
    progress("skipped: %s: %s: %s: %s", live_label(live, buf, sizeof(buf)), op_names[op], b->label, reason);
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

/* One repetition: the fastest of SUBRUNS runs, in ns per iteration, or
 * -1 when an operation failed. */
static double repetition(struct result *r)
{
    LONGLONG t, best = -1;
    int i;

    for (i = 0; i < SUBRUNS; i++)
    {
        if ((t = time_op(r, r->iters)) < 0) return -1.0;
        if (best < 0 || t < best) best = t;
    }
    return ticks_to_ns(best) / (double)r->iters;
}

/* One point (same operation, same live count) for several implementations:
 * calibrate each, then repetition by repetition, every implementation in
 * turn, so that a disturbance hits all of them alike. */
static void measure_group(struct result **group, int n)
{
    LONGLONG target = ms_to_ticks(opt.rep_ms / SUBRUNS);
    int i, rep;

    for (i = 0; i < n; i++)
        if (!group[i]->skip[0] && !(group[i]->iters = calibrate(group[i], target)))
            snprintf(group[i]->skip, sizeof(group[i]->skip), "failed: %s", group[i]->b->error);

    for (rep = 0; rep < opt.reps; rep++)
    {
        for (i = 0; i < n; i++)
        {
            struct result *r = group[i];
            double ns;

            if (r->skip[0]) continue;
            if ((ns = repetition(r)) < 0)
            {
                snprintf(r->skip, sizeof(r->skip), "failed: %s", r->b->error);
                continue;
            }
            r->ns[r->nreps++] = ns;
        }
    }
    for (i = 0; i < n; i++)
    {
        if (group[i]->skip[0]) continue;
        group[i]->median = median(group[i]->ns, group[i]->nreps);
        group[i]->min = minimum(group[i]->ns, group[i]->nreps);
    }
}

/* ---------------------------------------------------------------- two threads */

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
    ULONGLONG ops = 0;   /* local: a shared counter would add false sharing */
    LONGLONG now;

    InterlockedIncrement(w->ready);
    WaitForSingleObject(w->go, INFINITE);
    do
    {
        if (w->b->kind == KIND_RAW) loop_raw_pair(w->b->heap, THREAD_BATCH);
        else loop_cotaskmem_pair(&w->b->impl, THREAD_BATCH);
        ops += THREAD_BATCH;
        now = now_ticks();
    } while (now < w->deadline);
    w->end = now;
    w->ops = ops;
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
    ULONGLONG ops = 0;
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
        ops += workers[i].ops;
        if (workers[i].end > end) end = workers[i].end;
    }
    CloseHandle(go);
    return ticks_to_ns(end - start) / (double)ops;
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
static void measure_threads(struct thread_result **group, int n)
{
    int i, rep;

    for (rep = 0; rep < opt.reps; rep++)
    {
        for (i = 0; i < n; i++)
        {
            struct thread_result *t = group[i];
            double ns1 = -1.0, ns2 = -1.0, ns;
            int k;

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

/* ---------------------------------------------------------------- loading */

static int is_wine_builtin(HMODULE module)
{
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)module;

    /* Wine writes this marker into the DOS stub of its builtin PE DLLs. */
    return dos->e_lfanew >= 0x50 && !memcmp((const char *)module + 0x40, "Wine builtin DLL", 16);
}

static void make_label(struct bench_impl *b, const char *name)
{
    const char *base = name, *s;
    char *dot;
    int i, n = 2;

    for (s = name; *s; s++) if (*s == '\\' || *s == '/' || *s == ':') base = s + 1;
    snprintf(b->label, sizeof(b->label), "%s", base);
    if ((dot = strrchr(b->label, '.')) && !_stricmp(dot, ".dll")) *dot = 0;
    for (i = 0; i < nimpls; i++)
    {
        if (&impls[i] != b && !strcmp(impls[i].label, b->label))
        {
            snprintf(b->label + strlen(b->label), sizeof(b->label) - strlen(b->label), "#%d", n++);
            i = -1;
        }
    }
}

static struct bench_impl *new_impl(enum kind kind, const char *name)
{
    struct bench_impl *b = &impls[nimpls++];
    int i;

    memset(b, 0, sizeof(*b));
    b->kind = kind;
    snprintf(b->requested, sizeof(b->requested), "%s", name);
    for (i = 0; i < NUM_LIVE_STEPS; i++) b->populate_s[i] = -1.0;
    b->teardown_s = -1.0;
    make_label(b, name);
    return b;
}

static int same_functions(const struct implementation *a, const struct implementation *b)
{
    return a->pCoGetMalloc == b->pCoGetMalloc && a->pCoTaskMemAlloc == b->pCoTaskMemAlloc
        && a->pCoTaskMemFree == b->pCoTaskMemFree && a->pCoTaskMemRealloc == b->pCoTaskMemRealloc
        && a->pCoRegisterMallocSpy == b->pCoRegisterMallocSpy && a->pCoRevokeMallocSpy == b->pCoRevokeMallocSpy;
}

static void load_impl(struct bench_impl *b)
{
    char err[400];
    HRESULT hr;
    int i;

    if (implementation_load(&b->impl, b->requested, err, sizeof(err)))
    {
        snprintf(b->skip, sizeof(b->skip), "%s", err);
        return;
    }
    /* ole32 forwards to combase since Windows 8 (and in Wine): measuring
     * the same code twice would only cost time. */
    for (i = 0; i < nimpls; i++)
    {
        if (impls[i].measured && same_functions(&impls[i].impl, &b->impl))
        {
            snprintf(b->skip, sizeof(b->skip), "same functions as %s (forwarded exports), measured once", impls[i].label);
            implementation_unload(&b->impl);
            return;
        }
    }
    b->wine_builtin = is_wine_builtin(b->impl.module);
    if (FAILED(hr = b->impl.pCoGetMalloc(1, &b->malloc)) || !b->malloc)
    {
        snprintf(b->skip, sizeof(b->skip), "CoGetMalloc(1) returned 0x%08lx", (unsigned long)hr);
        implementation_unload(&b->impl);
        return;
    }
    b->spy.IMallocSpy_iface.lpVtbl = &pass_spy_vtbl;
    b->spy.refs = 1;
    b->measured = 1;
}

static int file_exists(const char *path)
{
    DWORD attr = GetFileAttributesA(path);

    return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}

/* refole32.dll is looked for relative to the current directory (make runs
 * from the project root), then relative to the exe (tools\bench\ or
 * tools\bench\i386\ under the root), then beside the exe. */
static int find_refole32(char *found, size_t size, char *looked, size_t looked_size)
{
    const char *rel = sizeof(void *) == 8 ? "dlls\\refole32\\refole32.dll" : "dlls\\refole32\\i386\\refole32.dll";
    const char *up = sizeof(void *) == 8 ? "..\\..\\" : "..\\..\\..\\";
    char exe_dir[MAX_PATH], candidate[3][2 * MAX_PATH];
    char *slash;
    int i;

    GetModuleFileNameA(NULL, exe_dir, sizeof(exe_dir));
    if ((slash = strrchr(exe_dir, '\\'))) slash[1] = 0;
    else exe_dir[0] = 0;

    GetFullPathNameA(rel, sizeof(candidate[0]), candidate[0], NULL);
    snprintf(candidate[1], sizeof(candidate[1]), "%s%s%s", exe_dir, up, rel);
    snprintf(candidate[2], sizeof(candidate[2]), "%srefole32.dll", exe_dir);
    looked[0] = 0;
    for (i = 0; i < 3; i++)
    {
        char full[MAX_PATH];

        if (!GetFullPathNameA(candidate[i], sizeof(full), full, NULL)) continue;
        if (file_exists(full))
        {
            snprintf(found, size, "%s", full);
            return 1;
        }
        snprintf(looked + strlen(looked), looked_size - strlen(looked), "%s%s", i ? ", " : "", full);
    }
    return 0;
}

static const char *raw_description(const struct bench_impl *b)
{
    if (b->heap == process_heap)
        return "HeapAlloc/HeapFree/HeapReAlloc/HeapSize/HeapValidate on GetProcessHeap(): the floor";
    return "the same on a HeapCreate(0, 0, 0) heap (information only)";
}

static void load_all(void)
{
    struct bench_impl *b;
    int i;

    /* The floor: the process heap, which ole32 has always used. */
    b = new_impl(KIND_RAW, "raw");
    b->heap = process_heap;
    b->measured = 1;
    /* For information: a heap of one's own (what refole32 uses) may cost
     * more than the process heap by itself, whatever the code around it. */
    b = new_impl(KIND_RAW, "rawpriv");
    if ((b->heap = HeapCreate(0, 0, 0))) b->measured = 1;
    else snprintf(b->skip, sizeof(b->skip), "HeapCreate failed: error %lu", GetLastError());
    if (!opt.no_ole32) load_impl(new_impl(KIND_SYSTEM, "ole32.dll"));
    if (opt.ref_path) load_impl(new_impl(KIND_REF, opt.ref_path));
    else if (!opt.no_ref)
    {
        char path[MAX_PATH], looked[4 * MAX_PATH];

        if (find_refole32(path, sizeof(path), looked, sizeof(looked))) load_impl(new_impl(KIND_REF, path));
        else
        {
            b = new_impl(KIND_REF, "refole32.dll");
            snprintf(b->skip, sizeof(b->skip), "not found (looked for %s); name it with --ref PATH", looked);
        }
    }
    for (i = 0; i < opt.nextra && nimpls < MAX_IMPLS; i++) load_impl(new_impl(KIND_EXTRA, opt.extra[i]));
    /* The suite's MALLOCSPY_IMPL is measured too; a DLL already loaded is
     * recognised by its functions and measured once. */
    if (getenv("MALLOCSPY_IMPL") && nimpls < MAX_IMPLS) load_impl(new_impl(KIND_EXTRA, implementation_default_name()));

    for (i = 0; i < nimpls; i++)
    {
        b = &impls[i];
        if (b->kind == KIND_RAW) progress("%s: %s", b->label, raw_description(b));
        else if (b->measured)
            progress("%s: %s version %s%s", b->label, b->impl.path, b->impl.version,
                     b->wine_builtin ? " (Wine builtin)" : "");
        else progress("%s: skipped: %s", b->label, b->skip);
    }
}

/* ---------------------------------------------------------------- phases */

static int collect_impls(struct bench_impl **list, int with_raw)
{
    int i, n = 0;

    for (i = 0; i < nimpls; i++)
    {
        if (!impls[i].measured) continue;
        if (impls[i].kind == KIND_RAW && !with_raw) continue;
        list[n++] = &impls[i];
    }
    return n;
}

static int alloc_probe(struct bench_impl *b)
{
    if (b->kind == KIND_RAW) b->probe = HeapAlloc(b->heap, 0, BLOCK_SIZE);
    else b->probe = b->impl.pCoTaskMemAlloc(BLOCK_SIZE);
    if (!b->probe) impl_error(b, "allocating a %d-byte block returned NULL", BLOCK_SIZE);
    return b->probe != NULL;
}

static void free_probe(struct bench_impl *b)
{
    if (!b->probe) return;
    if (b->kind == KIND_RAW) HeapFree(b->heap, 0, b->probe);
    else b->impl.pCoTaskMemFree(b->probe);
    b->probe = NULL;
}

/* Measures one operation for every implementation in the list, interleaved. */
static void measure_op(struct bench_impl **list, int n, enum op op, int live)
{
    struct result *group[MAX_IMPLS];
    char buf[32];
    int i, count = 0;

    progress("%s: %s (%d implementation%s)", live_label(live, buf, sizeof(buf)), op_names[op], n, n == 1 ? "" : "s");
    for (i = 0; i < n; i++)
    {
        struct result *r = add_result(list[i], op, live);

        if (op >= OP_REALLOC && !list[i]->probe)
            snprintf(r->skip, sizeof(r->skip), "no probe block: %s", list[i]->error);
        group[count++] = r;
    }
    measure_group(group, count);
}

static void phase_no_spy(void)
{
    struct bench_impl *list[MAX_IMPLS], *no_raw[MAX_IMPLS];
    int i, n = collect_impls(list, 1), m = collect_impls(no_raw, 0);

    measure_op(list, n, OP_PAIR, -1);
    measure_op(no_raw, m, OP_IMALLOC_PAIR, -1);
    for (i = 0; i < n; i++) alloc_probe(list[i]);
    measure_op(list, n, OP_REALLOC, -1);
    measure_op(list, n, OP_GETSIZE, -1);
    measure_op(list, n, OP_DIDALLOC, -1);
    for (i = 0; i < n; i++) free_probe(list[i]);
}

static void phase_threads(struct bench_impl **list, int n, int spy)
{
    struct thread_result *group[MAX_IMPLS];
    int i;

    progress("two threads, %s: alloc+free 32 B (%d configuration%s)", spy ? "spy, 0 live" : "no spy", n,
             n == 1 ? "" : "s");
    for (i = 0; i < n; i++) group[i] = add_thread_result(list[i], spy);
    measure_threads(group, n);
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
        if (!batch[i]->live_stopped) populate(batch[i], step);
        if (batch[i]->live_stopped)
            for (op = OP_PAIR; op < NUM_OPS; op++)
                if (op != OP_IMALLOC_PAIR) skip_result(batch[i], op, live, batch[i]->live_skip);
        if (!batch[i]->live_stopped) active[m++] = batch[i];
    }
    if (!m) return;
    measure_op(active, m, OP_PAIR, live);
    /* The probe is allocated under the spy after the live blocks, so a table
     * scanned from its start is scanned to its end for it. */
    for (i = 0; i < m; i++) alloc_probe(active[i]);
    measure_op(active, m, OP_REALLOC, live);
    measure_op(active, m, OP_GETSIZE, live);
    measure_op(active, m, OP_DIDALLOC, live);
    for (i = 0; i < m; i++) free_probe(active[i]);
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
    b->spy_registered = 0;
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

        if (hr == S_OK)
        {
            b->spy_registered = 1;
            batch[n++] = b;
        }
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

static void phase_spy(void)
{
    struct bench_impl *pending[MAX_IMPLS], *batch[MAX_IMPLS];
    int npending = collect_impls(pending, 0);
    unsigned max_live = live_steps[NUM_LIVE_STEPS - 1];
    int i, step, n;

    for (i = 0; i < npending; i++)
    {
        pending[i]->blocks = VirtualAlloc(NULL, max_live * sizeof(void *), MEM_COMMIT, PAGE_READWRITE);
        if (!pending[i]->blocks)
        {
            fprintf(stderr, "bench: out of memory\n");
            exit(1);
        }
    }
    while (npending)
    {
        if (!(n = register_batch(pending, &npending, batch))) break;
        phase_threads(batch, n, 1);
        for (step = 0; step < NUM_LIVE_STEPS; step++)
        {
            if (opt.quick && live_steps[step] > 1000)
            {
                for (i = 0; i < n; i++)
                    if (!batch[i]->live_stopped) stop_live(batch[i], "--quick stops at 1000 live blocks");
            }
            measure_live_step(batch, n, step);
        }
        for (i = 0; i < n; i++) teardown(batch[i]);
    }
}

/* ---------------------------------------------------------------- output: table */

static const struct bench_impl *baseline_impl(void)
{
    int i;

    for (i = 0; i < nimpls; i++)
        if (impls[i].measured && impls[i].kind == KIND_REF) return &impls[i];
    for (i = 0; i < nimpls; i++)
        if (impls[i].measured && impls[i].kind != KIND_RAW) return &impls[i];
    return NULL;
}

static const struct bench_impl *raw_impl(void)
{
    return &impls[0];
}

/* Ratio of this point to the raw heap doing the same thing (the floor). */
static double x_raw(const struct result *r)
{
    enum op op = r->op == OP_IMALLOC_PAIR ? OP_PAIR : r->op;
    const struct result *raw = find_result(raw_impl(), op, -1);

    if (r->median < 0 || !raw || raw->median <= 0) return -1.0;
    return r->median / raw->median;
}

static double x_baseline(const struct result *r)
{
    const struct bench_impl *base = baseline_impl();
    const struct result *other;

    if (r->b->kind == KIND_RAW || !base || r->median < 0) return -1.0;
    other = find_result(base, r->op, r->live);
    if (!other || other->median <= 0) return -1.0;
    return r->median / other->median;
}

static void print_ratio(double ratio)
{
    if (ratio < 0) printf(" %10s", "-");
    else if (ratio >= 100) printf(" %10.0f", ratio);
    else printf(" %10.2f", ratio);
}

static void print_header(void)
{
    const struct bench_impl *base = baseline_impl();
    SYSTEM_INFO info;
    char buf[40];
    int i;

    GetSystemInfo(&info);
    printf("mallocspy_bench: %s%s, %lu CPUs, QPC %.0f Hz, %s run: median of %d repetitions,\n"
           "each the fastest of %d runs of ~%.1f ms (threads: %.1f ms)\n",
           wine_version ? "wine-" : "", wine_version ? wine_version : "Windows",
           (unsigned long)info.dwNumberOfProcessors, (double)qpc_freq.QuadPart,
           opt.quick ? "quick" : "full", opt.reps, SUBRUNS, opt.rep_ms / SUBRUNS, opt.thread_ms);
    printf("\nimplementations:\n");
    for (i = 0; i < nimpls; i++)
    {
        const struct bench_impl *b = &impls[i];

        if (b->kind == KIND_RAW && b->measured) printf("  %-10s %s\n", b->label, raw_description(b));
        else if (b->measured)
            printf("  %-10s %s version %s%s\n", b->label, b->impl.path, b->impl.version,
                   b->wine_builtin ? " (Wine builtin)" : "");
        else printf("  %-10s skipped: %s\n", b->label, b->skip);
    }
    snprintf(buf, sizeof(buf), "x %s", base ? base->label : "-");
    printf("\nns/op is the median of the repetitions, min the fastest one; x raw: the same operation on the\n"
           "process heap (the floor); %s: this implementation / %s at the same point\n", buf, base ? base->label : "-");
    printf("%-18s %-32s %-10s %12s %12s %10s %10s\n", "point", "operation", "impl", "ns/op", "min", "x raw", buf);
}

static void print_results(void)
{
    char buf[32];
    int i;

    print_header();
    for (i = 0; i < nresults; i++)
    {
        const struct result *r = &results[i];

        if (i && results[i - 1].live != r->live) printf("\n");
        printf("%-18s %-32s %-10s", live_label(r->live, buf, sizeof(buf)),
               r->b->kind == KIND_RAW ? op_raw_names[r->op] : op_names[r->op], r->b->label);
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

static const struct thread_result *find_thread_result(const struct bench_impl *b, int spy)
{
    int i;

    for (i = 0; i < nthread_results; i++)
        if (thread_results[i].b == b && thread_results[i].spy == spy) return &thread_results[i];
    return NULL;
}

static double x_raw_scaling(const struct thread_result *t)
{
    const struct thread_result *raw = find_thread_result(raw_impl(), 0);

    if (!raw || raw->scaling_median <= 0 || t->scaling_median < 0) return -1.0;
    return t->scaling_median / raw->scaling_median;
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
    for (step = 1; step < NUM_LIVE_STEPS; step++) printf(" %9u->%-7u", live_steps[step - 1], live_steps[step]);
    printf(" %12s  %s\n", "free all", "revoke");
    for (i = 0; i < nimpls; i++)
    {
        const struct bench_impl *b = &impls[i];

        if (!b->measured || b->kind == KIND_RAW) continue;
        printf("%-10s", b->label);
        for (step = 1; step < NUM_LIVE_STEPS; step++)
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

/* ---------------------------------------------------------------- targets */

struct target
{
    const char *id;
    const char *text;
    double value;
    double value_min;       /* the same ratio from the fastest repetitions */
    double limit;
    int at_most;            /* PASS when value <= limit, else when value >= limit */
    const char *result;     /* PASS, MISS, SKIP */
    char reason[300];
    char note[300];         /* context printed under the verdict */
};

static struct target targets[4];
static int ntargets;

static struct target *new_target(const char *id, const char *text, double limit, int at_most)
{
    struct target *t = &targets[ntargets++];

    memset(t, 0, sizeof(*t));
    t->id = id;
    t->text = text;
    t->limit = limit;
    t->at_most = at_most;
    t->value = t->value_min = -1.0;
    t->result = "SKIP";
    return t;
}

static void judge(struct target *t, double value)
{
    t->value = value;
    if (t->at_most) t->result = value <= t->limit ? "PASS" : "MISS";
    else t->result = value >= t->limit ? "PASS" : "MISS";
}

static double point_median(const struct bench_impl *b, enum op op, int live)
{
    const struct result *r = b ? find_result(b, op, live) : NULL;

    return r ? r->median : -1.0;
}

static const struct bench_impl *wine_builtin_impl(void)
{
    int i;

    for (i = 0; i < nimpls; i++)
        if (impls[i].measured && impls[i].wine_builtin) return &impls[i];
    return NULL;
}

/* Splits T1 into the heap's share and the code's share, using the
 * HeapCreate heap measured beside the process heap. */
static void t1_note(struct target *t, double ref_ns, double floor_ns)
{
    const struct bench_impl *priv = NULL;
    double priv_ns;
    int i;

    for (i = 1; i < nimpls; i++)
        if (impls[i].kind == KIND_RAW && impls[i].measured) priv = &impls[i];
    if ((priv_ns = point_median(priv, OP_PAIR, -1)) <= 0) return;
    snprintf(t->note, sizeof(t->note),
             "refole32 vs a bare HeapCreate(0, 0, 0) heap: %.2fx; that heap vs the process heap: %.2fx",
             ref_ns / priv_ns, priv_ns / floor_ns);
}

/* Judges a target on the ratio of two pair points' medians; the ratio of
 * their fastest repetitions is printed beside it as a hint of the noise. */
static void judge_points(struct target *t, const struct bench_impl *b1, int live1,
                         const struct bench_impl *b2, int live2)
{
    const struct result *r1 = b1 ? find_result(b1, OP_PAIR, live1) : NULL;
    const struct result *r2 = b2 ? find_result(b2, OP_PAIR, live2) : NULL;

    if (r1 && r2 && r1->median > 0 && r2->median > 0)
    {
        judge(t, r1->median / r2->median);
        t->value_min = r1->min / r2->min;
    }
    else if (r1 && r1->skip[0]) snprintf(t->reason, sizeof(t->reason), "%s: %s", b1->label, r1->skip);
    else if (r2 && r2->skip[0]) snprintf(t->reason, sizeof(t->reason), "%s: %s", b2->label, r2->skip);
    else snprintf(t->reason, sizeof(t->reason), "point not measured");
}

static void evaluate_targets(void)
{
    const struct bench_impl *ref = NULL, *builtin = wine_builtin_impl();
    int top = live_steps[NUM_LIVE_STEPS - 1];
    const struct thread_result *tr;
    struct target *t;
    int i;

    for (i = 0; i < nimpls; i++)
        if (impls[i].measured && impls[i].kind == KIND_REF) ref = &impls[i];

    t = new_target("T1", "refole32 no-spy alloc+free pair vs raw HeapAlloc+HeapFree floor", 1.10, 1);
    if (!ref) snprintf(t->reason, sizeof(t->reason), "refole32 not measured");
    else judge_points(t, ref, -1, raw_impl(), -1);
    if (t->value > 0) t1_note(t, point_median(ref, OP_PAIR, -1), point_median(raw_impl(), OP_PAIR, -1));

    t = new_target("T2", "refole32 spy pair at 100000 live vs at 0 live", 2.0, 1);
    if (!ref) snprintf(t->reason, sizeof(t->reason), "refole32 not measured");
    else judge_points(t, ref, top, ref, 0);

    t = new_target("T3", "Wine builtin spy pair at 100000 live / refole32's (speed-up)", 100.0, 0);
    if (!ref) snprintf(t->reason, sizeof(t->reason), "refole32 not measured");
    else if (!builtin) snprintf(t->reason, sizeof(t->reason), "Wine's builtin was not measured");
    else judge_points(t, builtin, top, ref, top);

    t = new_target("T4", "refole32 two-thread scaling (no spy) vs raw HeapAlloc's scaling", 0.9, 0);
    if (!ref) snprintf(t->reason, sizeof(t->reason), "refole32 not measured");
    else if ((tr = find_thread_result(ref, 0)) && x_raw_scaling(tr) > 0) judge(t, x_raw_scaling(tr));
    else snprintf(t->reason, sizeof(t->reason), "point not measured");
}

static void print_targets(void)
{
    int i, pass = 0, miss = 0, skip = 0;

    printf("\ntargets:\n");
    for (i = 0; i < ntargets; i++)
    {
        const struct target *t = &targets[i];

        if (!strcmp(t->result, "SKIP"))
        {
            printf("SKIP  %s %s: %s\n", t->id, t->text, t->reason);
            skip++;
            continue;
        }
        printf("%s  %s %s: %.2fx (target %s %.2fx)", t->result, t->id, t->text, t->value,
               t->at_most ? "<=" : ">=", t->limit);
        if (t->value_min > 0) printf(" [fastest repetitions: %.2fx]", t->value_min);
        printf("\n");
        if (t->note[0]) printf("      %s\n", t->note);
        if (!strcmp(t->result, "MISS"))
        {
            fprintf(stderr, "bench: MISS %s %s: %.2fx (target %s %.2fx)\n", t->id, t->text, t->value,
                    t->at_most ? "<=" : ">=", t->limit);
            miss++;
        }
        else pass++;
    }
    printf("targets: %d PASS, %d MISS, %d SKIP\n", pass, miss, skip);
}

/* ---------------------------------------------------------------- output: JSON */

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; s && *s; s++)
    {
        unsigned char c = *s;

        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void json_number(FILE *f, double value)
{
    /* Missing values are negative internally; JSON has no NaN. */
    if (value < 0) fprintf(f, "null");
    else fprintf(f, "%.6g", value);
}

static void json_skip(FILE *f, const char *reason)
{
    if (reason && *reason) json_string(f, reason);
    else fprintf(f, "null");
}

static void json_impls(FILE *f)
{
    int i, step;

    fprintf(f, "  \"implementations\": [\n");
    for (i = 0; i < nimpls; i++)
    {
        const struct bench_impl *b = &impls[i];
        static const char *const kinds[] = { "raw", "system", "reference", "extra" };

        fprintf(f, "    {\"label\": ");
        json_string(f, b->label);
        fprintf(f, ", \"kind\": \"%s\", \"requested\": ", kinds[b->kind]);
        json_string(f, b->requested);
        fprintf(f, ", \"path\": ");
        json_skip(f, b->measured && b->kind != KIND_RAW ? b->impl.path : NULL);
        fprintf(f, ", \"version\": ");
        json_skip(f, b->measured && b->kind != KIND_RAW ? b->impl.version : NULL);
        fprintf(f, ", \"wine_builtin\": %s, \"measured\": %s, \"skip_reason\": ",
                b->wine_builtin ? "true" : "false", b->measured ? "true" : "false");
        json_skip(f, b->skip);
        fprintf(f, ", \"error\": ");
        json_skip(f, b->error);
        fprintf(f, ",\n     \"populate_seconds\": {");
        for (step = 1; step < NUM_LIVE_STEPS; step++)
        {
            fprintf(f, "%s\"%u\": ", step > 1 ? ", " : "", live_steps[step]);
            json_number(f, b->populate_s[step]);
        }
        fprintf(f, "}, \"free_all_seconds\": ");
        json_number(f, b->teardown_s);
        fprintf(f, ", \"live_stopped\": ");
        json_skip(f, b->live_skip);
        fprintf(f, ", \"revoke_hr\": ");
        if (b->revoke_done) fprintf(f, "\"0x%08lx\"", (unsigned long)b->revoke_hr);
        else fprintf(f, "null");
        fprintf(f, "}%s\n", i + 1 < nimpls ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static void json_points(FILE *f)
{
    int i, rep;

    fprintf(f, "  \"points\": [\n");
    for (i = 0; i < nresults; i++)
    {
        const struct result *r = &results[i];

        fprintf(f, "    {\"op\": \"%s\", \"operation\": ", op_keys[r->op]);
        json_string(f, r->b->kind == KIND_RAW ? op_raw_names[r->op] : op_names[r->op]);
        fprintf(f, ", \"spy\": %s, \"live\": ", r->live < 0 ? "false" : "true");
        if (r->live < 0) fprintf(f, "null");
        else fprintf(f, "%d", r->live);
        fprintf(f, ", \"impl\": ");
        json_string(f, r->b->label);
        fprintf(f, ", \"ns_per_op\": ");
        json_number(f, r->skip[0] ? -1.0 : r->median);
        fprintf(f, ", \"ns_min\": ");
        json_number(f, r->skip[0] ? -1.0 : r->min);
        fprintf(f, ", \"ns_reps\": [");
        for (rep = 0; rep < r->nreps; rep++) fprintf(f, "%s%.6g", rep ? ", " : "", r->ns[rep]);
        fprintf(f, "], \"iterations\": %lu, \"x_raw\": ", r->iters);
        json_number(f, r->skip[0] ? -1.0 : x_raw(r));
        fprintf(f, ", \"x_baseline\": ");
        json_number(f, r->skip[0] ? -1.0 : x_baseline(r));
        fprintf(f, ", \"skipped\": ");
        json_skip(f, r->skip);
        fprintf(f, "}%s\n", i + 1 < nresults ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static void json_threads(FILE *f)
{
    int i, rep;

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
        fprintf(f, ", \"scaling_reps\": [");
        for (rep = 0; rep < t->nreps; rep++) fprintf(f, "%s%.6g", rep ? ", " : "", t->scaling[rep]);
        fprintf(f, "], \"x_raw_scaling\": ");
        json_number(f, x_raw_scaling(t));
        fprintf(f, "}%s\n", i + 1 < nthread_results ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static void json_targets(FILE *f)
{
    int i;

    fprintf(f, "  \"targets\": [\n");
    for (i = 0; i < ntargets; i++)
    {
        const struct target *t = &targets[i];

        fprintf(f, "    {\"id\": \"%s\", \"description\": ", t->id);
        json_string(f, t->text);
        fprintf(f, ", \"value\": ");
        json_number(f, t->value);
        fprintf(f, ", \"value_from_minima\": ");
        json_number(f, t->value_min);
        fprintf(f, ", \"limit\": %.6g, \"comparison\": \"%s\", \"result\": \"%s\", \"reason\": ",
                t->limit, t->at_most ? "<=" : ">=", t->result);
        json_skip(f, t->reason);
        fprintf(f, ", \"note\": ");
        json_skip(f, t->note);
        fprintf(f, "}%s\n", i + 1 < ntargets ? "," : "");
    }
    fprintf(f, "  ],\n");
}

static int write_json(const char *path, double total_s)
{
    const struct bench_impl *base = baseline_impl();
    SYSTEM_INFO info;
    FILE *f;
    int ok;

    if (!(f = fopen(path, "w")))
    {
        fprintf(stderr, "bench: ERROR: cannot write %s\n", path);
        return 0;
    }
    GetSystemInfo(&info);
    fprintf(f, "{\n  \"tool\": \"mallocspy_bench\",\n  \"mode\": \"%s\",\n  \"wine_version\": ", opt.quick ? "quick" : "full");
    json_skip(f, wine_version);
    fprintf(f, ",\n  \"cpus\": %lu,\n  \"qpc_frequency\": %.0f,\n  \"repetitions\": %d,\n  \"repetition_ms\": %.6g,\n"
            "  \"thread_run_ms\": %.6g,\n  \"runs_per_repetition\": %d,\n  \"block_size\": %d,\n  \"baseline\": ",
            (unsigned long)info.dwNumberOfProcessors, (double)qpc_freq.QuadPart, opt.reps, opt.rep_ms,
            opt.thread_ms, SUBRUNS, BLOCK_SIZE);
    json_skip(f, base ? base->label : NULL);
    fprintf(f, ",\n");
    json_impls(f);
    json_points(f);
    json_threads(f);
    json_targets(f);
    fprintf(f, "  \"errors\": %s,\n  \"total_seconds\": %.3f\n}\n", run_failed ? "true" : "false", total_s);
    ok = !ferror(f);
    if (fclose(f)) ok = 0;
    if (!ok) fprintf(stderr, "bench: ERROR: writing %s failed\n", path);
    return ok;
}

/* ---------------------------------------------------------------- JSON check */

/* A small recursive-descent checker, so that `--quick` as a smoke test proves
 * the file it wrote parses, without needing any tool outside this program. */
struct json_reader
{
    const char *p;
    int depth;
};

static int json_value(struct json_reader *r);

static void json_space(struct json_reader *r)
{
    while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r') r->p++;
}

static int json_literal(struct json_reader *r, const char *word)
{
    size_t len = strlen(word);

    if (strncmp(r->p, word, len)) return 0;
    r->p += len;
    return 1;
}

static int json_str(struct json_reader *r)
{
    if (*r->p++ != '"') return 0;
    while (*r->p != '"')
    {
        if ((unsigned char)*r->p < 0x20) return 0;
        if (*r->p == '\\')
        {
            r->p++;
            if (*r->p == 'u')
            {
                int i;

                for (i = 1; i <= 4; i++) if (!strchr("0123456789abcdefABCDEF", r->p[i]) || !r->p[i]) return 0;
                r->p += 4;
            }
            else if (!*r->p || !strchr("\"\\/bfnrt", *r->p)) return 0;
        }
        r->p++;
    }
    r->p++;
    return 1;
}

static int json_digits(struct json_reader *r)
{
    const char *start = r->p;

    while (*r->p >= '0' && *r->p <= '9') r->p++;
    return r->p > start;
}

static int json_num(struct json_reader *r)
{
    if (*r->p == '-') r->p++;
    if (*r->p == '0') r->p++;
    else if (!json_digits(r)) return 0;
    if (*r->p == '.')
    {
        r->p++;
        if (!json_digits(r)) return 0;
    }
    if (*r->p == 'e' || *r->p == 'E')
    {
        r->p++;
        if (*r->p == '+' || *r->p == '-') r->p++;
        if (!json_digits(r)) return 0;
    }
    return 1;
}

/* Objects and arrays: members separated by commas, no trailing comma. */
static int json_container(struct json_reader *r, char close, int keyed)
{
    r->p++;
    json_space(r);
    if (*r->p == close)
    {
        r->p++;
        return 1;
    }
    for (;;)
    {
        json_space(r);
        if (keyed)
        {
            if (!json_str(r)) return 0;
            json_space(r);
            if (*r->p++ != ':') return 0;
        }
        if (!json_value(r)) return 0;
        json_space(r);
        if (*r->p == close)
        {
            r->p++;
            return 1;
        }
        if (*r->p++ != ',') return 0;
    }
}

static int json_value(struct json_reader *r)
{
    int ok;

    json_space(r);
    if (++r->depth > 64) return 0;
    switch (*r->p)
    {
    case '{': ok = json_container(r, '}', 1); break;
    case '[': ok = json_container(r, ']', 0); break;
    case '"': ok = json_str(r); break;
    case 't': ok = json_literal(r, "true"); break;
    case 'f': ok = json_literal(r, "false"); break;
    case 'n': ok = json_literal(r, "null"); break;
    default: ok = json_num(r); break;
    }
    r->depth--;
    return ok;
}

static int check_json_file(const char *path)
{
    struct json_reader reader;
    char *text;
    long size;
    FILE *f;
    int ok;

    if (!(f = fopen(path, "rb"))) return 0;
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size < 0 || !(text = malloc(size + 1)))
    {
        fclose(f);
        return 0;
    }
    ok = fread(text, 1, size, f) == (size_t)size;
    fclose(f);
    text[size] = 0;
    reader.p = text;
    reader.depth = 0;
    ok = ok && json_value(&reader);
    if (ok)
    {
        json_space(&reader);
        ok = !*reader.p;
    }
    free(text);
    return ok;
}

/* ---------------------------------------------------------------- main */

static void usage(void)
{
    fprintf(stderr,
            "usage: mallocspy_bench.exe [options] [extra.dll ...]\n"
            "  measures ole32.dll, refole32.dll and each extra DLL in one run\n"
            "  --json FILE          also write the results as JSON\n"
            "  --quick              a few seconds: smoke test, timings meaningless\n"
            "  --ref PATH           refole32.dll to use (default: dlls\\refole32\\refole32.dll\n"
            "                       from the current directory or the project root, or beside the exe)\n"
            "  --no-ref             do not load refole32.dll\n"
            "  --no-ole32           do not load ole32.dll\n"
            "  --reps N             repetitions per point (default 7, quick 3; at most %d)\n"
            "  --ms N               target duration of one repetition in ms (default 20, quick 2);\n"
            "                       a repetition is the fastest of %d runs of N/%d ms\n"
            "  --populate-limit S   skip a live-block step predicted to take longer (default 30 s)\n"
            "  --check-json FILE    only check that FILE is valid JSON (exit 0 if it is)\n",
            MAX_REPS, SUBRUNS, SUBRUNS);
}

static int parse_args(int argc, char **argv)
{
    int i, reps = 0;
    double ms = 0;

    memset(&opt, 0, sizeof(opt));
    opt.populate_limit_s = 30.0;
    for (i = 1; i < argc; i++)
    {
        const char *a = argv[i];

        if (!strcmp(a, "--quick")) opt.quick = 1;
        else if (!strcmp(a, "--no-ref")) opt.no_ref = 1;
        else if (!strcmp(a, "--no-ole32")) opt.no_ole32 = 1;
        else if (!strcmp(a, "--json") && i + 1 < argc) opt.json_path = argv[++i];
        else if (!strcmp(a, "--ref") && i + 1 < argc) opt.ref_path = argv[++i];
        else if (!strcmp(a, "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(a, "--ms") && i + 1 < argc) ms = atof(argv[++i]);
        else if (!strcmp(a, "--populate-limit") && i + 1 < argc) opt.populate_limit_s = atof(argv[++i]);
        else if (!strcmp(a, "--check-json") && i + 1 < argc)
        {
            int ok = check_json_file(argv[++i]);

            printf("%s: %s\n", argv[i], ok ? "valid JSON" : "NOT valid JSON");
            exit(ok ? 0 : 1);
        }
        else if (a[0] == '-')
        {
            usage();
            return 0;
        }
        else if (opt.nextra < MAX_IMPLS - 3) opt.extra[opt.nextra++] = a;
    }
    opt.reps = reps > 0 ? reps : opt.quick ? 3 : 7;
    if (opt.reps > MAX_REPS) opt.reps = MAX_REPS;
    opt.rep_ms = ms > 0 ? ms : opt.quick ? 2.0 : 20.0;
    /* One threaded run; a repetition is the fastest of SUBRUNS of them. */
    opt.thread_ms = 2 * opt.rep_ms / SUBRUNS;
    return 1;
}

static void find_wine(void)
{
    const char * (CDECL *get_version)(void);

    get_version = (void *)GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version");
    if (get_version) wine_version = get_version();
}

int main(int argc, char **argv)
{
    struct bench_impl *list[MAX_IMPLS];
    LONGLONG start;
    double total_s;
    int n;

    if (!parse_args(argc, argv)) return 2;
    QueryPerformanceFrequency(&qpc_freq);
    process_heap = GetProcessHeap();
    find_wine();
    start = now_ticks();

    load_all();
    if (collect_impls(list, 0) == 0) progress("no implementation loaded: only the raw heap is measured");

    phase_no_spy();
    n = collect_impls(list, 1);
    phase_threads(list, n, 0);
    phase_spy();

    total_s = ticks_to_s(now_ticks() - start);
    evaluate_targets();
    print_results();
    print_threads();
    print_populate();
    print_targets();
    printf("\ntotal %.1f s%s\n", total_s, run_failed ? "; ERRORS occurred, see stderr" : "");
    fflush(stdout);

    if (opt.json_path)
    {
        if (!write_json(opt.json_path, total_s) || !check_json_file(opt.json_path))
        {
            fprintf(stderr, "bench: ERROR: %s is not valid JSON\n", opt.json_path);
            return 1;
        }
        progress("wrote %s (valid JSON)", opt.json_path);
    }
    return run_failed ? 1 : 0;
}
