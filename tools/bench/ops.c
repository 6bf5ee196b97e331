/*
 * The operations a point measures, and their timed loops.  Each loop runs
 * on the implementation's own functions (or, for the raw heaps, on the
 * Heap* functions that do the same job), with everything it calls held in
 * locals, so that an iteration is the call and nothing else.
 */

#include "bench.h"

static volatile SIZE_T sink;    /* keeps GetSize/DidAlloc results alive */

void alloc_free_pairs(struct bench_impl *b, unsigned long n)
{
    if (b->kind == KIND_RAW)
    {
        HANDLE heap = b->heap;

        while (n--) HeapFree(heap, 0, HeapAlloc(heap, 0, BLOCK_SIZE));
    }
    else
    {
        void * (WINAPI *alloc)(SIZE_T) = b->impl.pCoTaskMemAlloc;
        void (WINAPI *release)(void *) = b->impl.pCoTaskMemFree;

        while (n--) release(alloc(BLOCK_SIZE));
    }
}

static int loop_pair(struct bench_impl *b, unsigned long n, int live)
{
    alloc_free_pairs(b, n);
    return 0;
}

static int loop_imalloc_pair(struct bench_impl *b, unsigned long n, int live)
{
    IMalloc *malloc = b->malloc;
    IMallocVtbl *vtbl = malloc->lpVtbl;

    while (n--) vtbl->Free(malloc, vtbl->Alloc(malloc, BLOCK_SIZE));
    return 0;
}

/* Grows the probe block and shrinks it back, n times.  Stops at the first
 * failure: Realloc(NULL, n) would silently allocate. */
static int loop_realloc(struct bench_impl *b, unsigned long n, int live)
{
    void *p = b->probe;
    char buf[32];

    if (b->kind == KIND_RAW)
    {
        HANDLE heap = b->heap;

        while (n-- && p)
        {
            p = HeapReAlloc(heap, 0, p, GROW_SIZE);
            if (p) p = HeapReAlloc(heap, 0, p, BLOCK_SIZE);
        }
    }
    else
    {
        void * (WINAPI *realloc_fn)(void *, SIZE_T) = b->impl.pCoTaskMemRealloc;

        while (n-- && p)
        {
            p = realloc_fn(p, GROW_SIZE);
            if (p) p = realloc_fn(p, BLOCK_SIZE);
        }
    }
    b->probe = p;
    if (p) return 0;
    impl_error(b, "realloc returned NULL (%s)", live_label(live, buf, sizeof(buf)));
    return -1;
}

/* GetSize and DidAlloc of the probe block: the cheap queries, and what the
 * raw heap answers them with (HeapSize, HeapValidate). */
static void query_loop(struct bench_impl *b, unsigned long n, enum op op)
{
    IMalloc *malloc = b->malloc;
    IMallocVtbl *vtbl = malloc ? malloc->lpVtbl : NULL;   /* the raw heaps have no IMalloc */
    HANDLE heap = b->heap;
    void *p = b->probe;
    SIZE_T sum = 0;

    if (op == OP_GETSIZE && b->kind == KIND_RAW) while (n--) sum += HeapSize(heap, 0, p);
    else if (op == OP_GETSIZE) while (n--) sum += vtbl->GetSize(malloc, p);
    else if (b->kind == KIND_RAW) while (n--) sum += HeapValidate(heap, 0, p);
    else while (n--) sum += vtbl->DidAlloc(malloc, p);
    sink = sum;
}

static int loop_getsize(struct bench_impl *b, unsigned long n, int live)
{
    query_loop(b, n, OP_GETSIZE);
    return 0;
}

static int loop_didalloc(struct bench_impl *b, unsigned long n, int live)
{
    query_loop(b, n, OP_DIDALLOC);
    return 0;
}

const struct op_info ops[NUM_OPS] =
{
    [OP_PAIR] = { "pair", "alloc+free 32 B", "HeapAlloc+HeapFree", OP_PAIR, 0, 1, loop_pair },
    [OP_IMALLOC_PAIR] = { "imalloc_pair", "IMalloc Alloc+Free 32 B", NULL, OP_PAIR, 0, 0, loop_imalloc_pair },
    [OP_REALLOC] = { "realloc_grow_shrink", "realloc 32->1024->32 (2 calls)", "HeapReAlloc x2", OP_REALLOC, 1, 1,
                     loop_realloc },
    [OP_GETSIZE] = { "getsize", "GetSize", "HeapSize", OP_GETSIZE, 1, 1, loop_getsize },
    [OP_DIDALLOC] = { "didalloc", "DidAlloc", "HeapValidate(block)", OP_DIDALLOC, 1, 1, loop_didalloc },
};
