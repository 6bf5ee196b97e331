/*
 * CoTaskMemAlloc, CoTaskMemFree, CoTaskMemRealloc.
 *
 * Whether a block was freed is measured, never asked of DidAlloc (see
 * addrspace.c).
 */

#include "spy.h"

static BYTE fake_block[256] __attribute__((aligned(16)));

/* Runs before anything calls CoGetMalloc in this process. */
static void test_before_cogetmalloc(void)
{
    BYTE *p, *q;

    p = pCoTaskMemAlloc(40);
    ok(p != NULL, "CoTaskMemAlloc(40) returned NULL\n");
    if (!p) return;
    fill_pattern(p, 40, 2);
    ok(check_pattern(p, 40, 2), "contents not kept\n");
    q = pCoTaskMemRealloc(p, 400);
    ok(q != NULL, "CoTaskMemRealloc(p, 400) returned NULL\n");
    if (q)
    {
        ok(check_pattern(q, 40, 2), "CoTaskMemRealloc lost the contents\n");
        p = q;
    }
    pCoTaskMemFree(p);
}

static void test_alloc_read_write(void)
{
    static const SIZE_T sizes[] = { 1, 16, 333, 4096, 200000 };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        BYTE *p = pCoTaskMemAlloc(sizes[i]);

        ok(p != NULL, "CoTaskMemAlloc(%s) returned NULL\n", str_size(sizes[i]));
        if (!p) continue;
        fill_pattern(p, sizes[i], i + 20);
        ok(check_pattern(p, sizes[i], i + 20), "CoTaskMemAlloc(%s): contents not kept\n", str_size(sizes[i]));
        pCoTaskMemFree(p);
    }
}

static void test_imalloc_accepts(void)
{
    SIZE_T size;
    BYTE *p;
    int r;

    p = pCoTaskMemAlloc(77);
    ok(p != NULL, "CoTaskMemAlloc(77) returned NULL\n");
    if (!p) return;
    r = m_didalloc(p);
    ok(r == 1, "DidAlloc: got %d, expected 1\n", r);
    size = m_getsize(p);
    ok(size >= 77 && size != (SIZE_T)-1, "GetSize: got %s, expected at least 77\n", str_size(size));
    pCoTaskMemFree(p);
}

static void test_mixed_free(void)
{
    SIZE_T before = address_space_in_use();
    unsigned int i;
    void *p;

    for (i = 0; i < BIG_ROUNDS && (p = pCoTaskMemAlloc(BIG_BLOCK)); i++) m_free(p);
    ok(i == BIG_ROUNDS, "CoTaskMemAlloc(%u) returned NULL in round %u\n", BIG_BLOCK, i);
    check_no_leak(before, "CoTaskMemAlloc then IMalloc::Free");

    before = address_space_in_use();
    for (i = 0; i < BIG_ROUNDS && (p = m_alloc(BIG_BLOCK)); i++) pCoTaskMemFree(p);
    ok(i == BIG_ROUNDS, "Alloc(%u) returned NULL in round %u\n", BIG_BLOCK, i);
    check_no_leak(before, "IMalloc::Alloc then CoTaskMemFree");
}

static void test_alloc_zero(void)
{
    void *p = pCoTaskMemAlloc(0);

    ok(p != NULL, "CoTaskMemAlloc(0) returned NULL\n");
    pCoTaskMemFree(p);
}

static void test_alloc_huge(void)
{
    static const SIZE_T sizes[] = { ~(SIZE_T)0, ~(SIZE_T)0 - 15, ~(SIZE_T)0 / 2 + 1, HUGE_SIZE };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        void *p = pCoTaskMemAlloc(sizes[i]);

        ok(p == NULL, "CoTaskMemAlloc(%s): got %p, expected NULL\n", str_size(sizes[i]), p);
        pCoTaskMemFree(p);
    }
}

static void test_alloc_spy(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;

    /* the calls, and PreAlloc sees the caller's count */
    mark = spy_mark();
    p = pCoTaskMemAlloc(21);
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREALLOC, 0, NULL, 21 },
            { SPY_POSTALLOC, SPY_NOT_NULL },
        };
        spy_check_calls(spy, mark, exp);
    }
    ok(p != NULL, "CoTaskMemAlloc(21) returned NULL\n");
    pCoTaskMemFree(p);

    /* PreAlloc's count is allocated */
    spy_override_size(spy, SPY_PREALLOC, 21 + 300);
    p = pCoTaskMemAlloc(21);
    spy_clear_override(spy, SPY_PREALLOC);
    if (p)
    {
        mark = spy_mark();
        m_getsize(p);
        c = spy_call_of(spy, mark, SPY_POSTGETSIZE);
        ok(c && c->size >= 321 && c->size != (SIZE_T)-1, "the block has %s bytes, expected at least 321\n",
           c ? str_size(c->size) : "?");
        pCoTaskMemFree(p);
    }

    /* the caller gets PostAlloc's value */
    spy_override_ptr(spy, SPY_POSTALLOC, fake_block);
    mark = spy_mark();
    p = pCoTaskMemAlloc(21);
    spy_clear_override(spy, SPY_POSTALLOC);
    ok(p == fake_block, "got %p, expected PostAlloc's %p\n", p, fake_block);
    if ((c = spy_call_of(spy, mark, SPY_POSTALLOC)) && c->ptr)
    {
        if (p == fake_block)
        {
            spy_override_ptr(spy, SPY_PREFREE, c->ptr);
            pCoTaskMemFree(fake_block);
            spy_clear_override(spy, SPY_PREFREE);
        }
        else if (p == c->ptr) pCoTaskMemFree(p);
    }

    /* forced failure */
    spy->alloc_fault.kind = SPY_FAULT_ZERO;
    mark = spy_mark();
    p = pCoTaskMemAlloc(21);
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    ok(p == NULL, "forced failure: got %p, expected NULL\n", p);
    {
        const struct spy_expect exp[] = { { SPY_PREALLOC, 0, NULL, 21 } };
        spy_check_calls(spy, mark, exp);
    }
    pCoTaskMemFree(p);

    /* real failure: PostAlloc(NULL), and the caller gets its result */
    spy->alloc_fault.kind = SPY_FAULT_HUGE;
    mark = spy_mark();
    p = pCoTaskMemAlloc(21);
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    ok(p == NULL, "real failure: got %p, expected NULL\n", p);
    {
        const struct spy_expect exp[] = { { SPY_PREALLOC, 0, NULL, 21 }, { SPY_POSTALLOC, 0, NULL } };
        spy_check_calls(spy, mark, exp);
    }
    pCoTaskMemFree(p);
    spy_unregister();
}

static void test_free_null(void)
{
    BYTE *p = pCoTaskMemAlloc(32);
    int r;

    ok(p != NULL, "CoTaskMemAlloc(32) returned NULL\n");
    if (p) fill_pattern(p, 32, 8);
    pCoTaskMemFree(NULL);
    if (!p) return;
    ok(check_pattern(p, 32, 8), "CoTaskMemFree(NULL) changed a live block\n");
    r = m_didalloc(p);
    ok(r == 1, "CoTaskMemFree(NULL) released a live block: DidAlloc %d\n", r);
    pCoTaskMemFree(p);
}

static void test_free_spy(void)
{
    struct spy *spy;
    LONG mark;
    BYTE *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    p = pCoTaskMemAlloc(10);
    if (p)
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREFREE, SPY_ANY_SPYED, p },
            { SPY_POSTFREE, SPY_ANY_SPYED },
            /* the PostHeapMinimize page says it follows any Free (HEAPMIN-03) */
            { SPY_PREHEAPMINIMIZE, SPY_OPTIONAL },
            { SPY_POSTHEAPMINIMIZE, SPY_OPTIONAL },
        };
        mark = spy_mark();
        pCoTaskMemFree(p);
        spy_check_calls(spy, mark, exp);
    }
    spy_unregister();

    /* PreFree's pointer is freed, not the caller's */
    check_frees_prefree_result(pCoTaskMemFree);
}

static void test_realloc_contents(void)
{
    BYTE *p, *q;

    p = pCoTaskMemAlloc(100);
    ok(p != NULL, "CoTaskMemAlloc(100) returned NULL\n");
    if (!p) return;
    fill_pattern(p, 100, 10);
    q = pCoTaskMemRealloc(p, 100000);
    ok(q != NULL, "grow: returned NULL\n");
    if (q)
    {
        p = q;
        ok(check_pattern(p, 100, 10), "grow: contents not kept\n");
        fill_pattern(p, 100000, 11);
        q = pCoTaskMemRealloc(p, 50);
        ok(q != NULL, "shrink: returned NULL\n");
        if (q)
        {
            p = q;
            ok(check_pattern(p, 50, 11), "shrink: first 50 bytes not kept\n");
        }
    }
    pCoTaskMemFree(p);
}

static void test_realloc_null(void)
{
    BYTE *p = pCoTaskMemRealloc(NULL, 64);
    int r;

    ok(p != NULL, "CoTaskMemRealloc(NULL, 64) returned NULL\n");
    if (!p) return;
    fill_pattern(p, 64, 12);
    ok(check_pattern(p, 64, 12), "contents not kept\n");
    r = m_didalloc(p);
    ok(r == 1, "DidAlloc of the new block: got %d, expected 1\n", r);
    pCoTaskMemFree(p);
}

static void test_realloc_zero(void)
{
    SIZE_T before = address_space_in_use();
    unsigned int i;
    void *p, *q = NULL;

    for (i = 0; i < BIG_ROUNDS && (p = pCoTaskMemAlloc(BIG_BLOCK)); i++)
    {
        q = pCoTaskMemRealloc(p, 0);
        ok(q == NULL, "CoTaskMemRealloc(p, 0): got %p, expected NULL\n", q);
        if (q) break;
    }
    ok(q || i == BIG_ROUNDS, "CoTaskMemAlloc(%u) returned NULL in round %u\n", BIG_BLOCK, i);
    check_no_leak(before, "CoTaskMemAlloc then CoTaskMemRealloc(p, 0)");
}

static void test_realloc_huge(void)
{
    BYTE *p, *q;
    int r;

    p = pCoTaskMemAlloc(64);
    ok(p != NULL, "CoTaskMemAlloc(64) returned NULL\n");
    if (!p) return;
    fill_pattern(p, 64, 13);
    q = pCoTaskMemRealloc(p, HUGE_SIZE);
    ok(q == NULL, "got %p, expected NULL\n", q);
    if (!q)
    {
        q = pCoTaskMemRealloc(p, ~(SIZE_T)0 - 15);
        ok(q == NULL, "got %p, expected NULL\n", q);
    }
    if (q)
    {
        pCoTaskMemFree(q);
        return;
    }
    /* the block is what it was: still the allocator's, and still holding its bytes */
    r = m_didalloc(p);
    ok(r == 1, "DidAlloc(p): got %d, expected 1\n", r);
    ok(check_pattern(p, 64, 13), "the contents changed\n");
    pCoTaskMemFree(p);
}

static void test_realloc_alignment(void)
{
    unsigned int i, misaligned = 0;
    void *p, *q;

    p = pCoTaskMemRealloc(NULL, 3);
    ok(p != NULL, "CoTaskMemRealloc(NULL, 3) returned NULL\n");
    if (p && (ULONG_PTR)p % MEMORY_ALLOCATION_ALIGNMENT) misaligned++;
    for (i = 1; p && i < 40; i++)
    {
        q = pCoTaskMemRealloc(p, 3 + i * 97);
        ok(q != NULL, "CoTaskMemRealloc(p, %u) returned NULL\n", 3 + i * 97);
        if (!q) break;
        p = q;
        if ((ULONG_PTR)p % MEMORY_ALLOCATION_ALIGNMENT) misaligned++;
    }
    ok(!misaligned, "%u blocks not aligned to %u\n", misaligned, MEMORY_ALLOCATION_ALIGNMENT);
    pCoTaskMemFree(p);
}

static void test_realloc_spy(void)
{
    struct spy *spy;
    struct spy_call *c;
    BYTE *p, *q, *unspied;
    LONG mark;

    /* for the forced failure: a block from before the registration, so
     * that whatever becomes of it (REALLOC-16's question) no spied block
     * is left behind */
    unspied = pCoTaskMemAlloc(16);
    if (!setup_check(unspied != NULL, "CoTaskMemAlloc(16) returned NULL\n")) return;
    if (!(spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        pCoTaskMemFree(unspied);
        return;
    }
    p = pCoTaskMemAlloc(16);
    ok(p != NULL, "CoTaskMemAlloc(16) returned NULL\n");
    if (p)
    {
        /* the calls, with the caller's pointer and count */
        mark = spy_mark();
        q = pCoTaskMemRealloc(p, 64);
        {
            const struct spy_expect exp[] =
            {
                { SPY_PREREALLOC, SPY_ANY_SPYED, p, 64 },
                { SPY_POSTREALLOC, SPY_NOT_NULL | SPY_ANY_SPYED },
            };
            spy_check_calls(spy, mark, exp);
        }
        ok(q != NULL, "CoTaskMemRealloc(p, 64) returned NULL\n");
        if (q) p = q;

        /* the caller gets PostRealloc's value */
        spy_override_ptr(spy, SPY_POSTREALLOC, fake_block);
        mark = spy_mark();
        q = pCoTaskMemRealloc(p, 100);
        spy_clear_override(spy, SPY_POSTREALLOC);
        ok(q == fake_block, "got %p, expected PostRealloc's %p\n", q, fake_block);
        c = spy_call_of(spy, mark, SPY_POSTREALLOC);
        if (q == fake_block && c && c->ptr)
        {
            /* the real block is PostRealloc's pActual now; PreFree gets
             * the pointer the caller has */
            spy_override_ptr(spy, SPY_PREFREE, c->ptr);
            mark = spy_mark();
            pCoTaskMemFree(fake_block);
            spy_clear_override(spy, SPY_PREFREE);
            c = spy_call_of(spy, mark, SPY_PREFREE);
            ok(c && c->ptr == fake_block, "PreFree got %p, expected PostRealloc's %p\n", c ? c->ptr : NULL, fake_block);
        }
        else if (q && q != fake_block) pCoTaskMemFree(q);
    }

    /* forced failure: NULL and no PostRealloc */
    spy->realloc_fault.kind = SPY_FAULT_ZERO;
    mark = spy_mark();
    q = pCoTaskMemRealloc(unspied, 128);
    spy->realloc_fault.kind = SPY_FAULT_NONE;
    ok(q == NULL, "forced failure: got %p, expected NULL\n", q);
    {
        const struct spy_expect exp[] = { { SPY_PREREALLOC, SPY_ANY_SPYED, unspied, 128 } };
        spy_check_calls(spy, mark, exp);
    }
    spy_unregister_freeing(q ? q : unspied);
}

static void test_realloc_null_zero(void)
{
    void *p = pCoTaskMemRealloc(NULL, 0);
    int r;

    ok(p != NULL, "CoTaskMemRealloc(NULL, 0): got NULL, expected a zero-length item\n");
    if (!p) return;
    r = m_didalloc(p);
    ok(r == 1, "DidAlloc of the zero-length item: got %d, expected 1\n", r);
    pCoTaskMemFree(p);
}

/* Seen through AddRef's result, where it counts: a static allocator may
 * return a constant (IMALLOC-04), and then there is nothing to compare. */
static void test_no_net_reference(void)
{
    ULONG first, second, after;
    unsigned int i;
    void *p;

    first = IMalloc_AddRef(test_malloc);
    second = IMalloc_AddRef(test_malloc);
    IMalloc_Release(test_malloc);
    IMalloc_Release(test_malloc);
    if (second != first + 1)
    {
        trace("AddRef returned %lu, then %lu: the allocator does not count references\n",
              (unsigned long)first, (unsigned long)second);
        return;
    }
    for (i = 0; i < 5; i++)
    {
        p = pCoTaskMemAlloc(10);
        p = pCoTaskMemRealloc(p, 20);
        pCoTaskMemFree(p);
        pCoTaskMemFree(NULL);
    }
    after = IMalloc_AddRef(test_malloc);
    IMalloc_Release(test_malloc);
    ok(after == first, "AddRef returned %lu before and %lu after, expected no change\n", (unsigned long)first,
       (unsigned long)after);
}

static void test_free_null_with_spy(void)
{
    char buf[256];
    struct spy *spy;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    pCoTaskMemFree(NULL);
    spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
    trace("observed: %s\n", buf);
    spy_unregister();
}

static void * WINAPI imalloc_realloc(void *p, SIZE_T size)
{
    return m_realloc(p, size);
}

static void WINAPI imalloc_free(void *p)
{
    m_free(p);
}

/* The first call to method since mark got ptr, with fSpyed TRUE. */
static void check_spied_call(struct spy *spy, LONG mark, enum spy_method method, void *ptr, const char *what)
{
    struct spy_call *c = spy_call_of(spy, mark, method);

    ok(c && c->ptr == ptr && c->spyed, "%s: got %s(%p, %s), expected %s(%p, TRUE)\n", what, spy_method_name(method),
       c ? c->ptr : NULL, c ? (c->spyed ? "TRUE" : "FALSE") : "no call", spy_method_name(method), ptr);
}

/* A spied block p reallocated and freed by the other API. */
static void check_other_api(struct spy *spy, void *p, void *(WINAPI *realloc_func)(void *, SIZE_T),
                            void (WINAPI *free_func)(void *), const char *what)
{
    char context[96];
    LONG mark;
    void *q;

    mark = spy_mark();
    q = realloc_func(p, 32);
    snprintf(context, sizeof(context), "%s: reallocated", what);
    check_spied_call(spy, mark, SPY_PREREALLOC, p, context);
    if (q) p = q;
    mark = spy_mark();
    free_func(p);
    snprintf(context, sizeof(context), "%s: freed", what);
    check_spied_call(spy, mark, SPY_PREFREE, p, context);
}

/* "from whatever source": blocks made by CoTaskMem* and by IMalloc are the
 * same blocks to the spy, whichever API frees or reallocates them. */
static void test_any_source_spied(void)
{
    struct spy *spy;
    void *a, *b;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    a = pCoTaskMemAlloc(16);
    b = m_alloc(16);
    ok(a && b, "allocation failed: %p, %p\n", a, b);
    if (a) check_other_api(spy, a, imalloc_realloc, imalloc_free, "a CoTaskMemAlloc block through IMalloc");
    if (b) check_other_api(spy, b, pCoTaskMemRealloc, pCoTaskMemFree, "an IMalloc block through CoTaskMem*");
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "COTASKMEM-02", test_before_cogetmalloc, BEFORE_COGETMALLOC },
    { "COTASKMEM-01", test_alloc_read_write },
    { "COTASKMEM-03", test_imalloc_accepts },
    { "COTASKMEM-04", test_mixed_free },
    { "COTASKMEM-05", test_alloc_zero },
    { "COTASKMEM-06", test_alloc_huge },
    { "COTASKMEM-07", test_alloc_spy },
    { "COTASKMEM-08", test_free_null },
    { "COTASKMEM-09", test_free_spy },
    { "COTASKMEM-10", test_realloc_contents },
    { "COTASKMEM-11", test_realloc_null },
    { "COTASKMEM-12", test_realloc_zero },
    { "COTASKMEM-13", test_realloc_huge },
    { "COTASKMEM-14", test_realloc_alignment },
    { "COTASKMEM-15", test_realloc_spy },
    { "COTASKMEM-16", test_realloc_null_zero },
    { "COTASKMEM-17", test_no_net_reference },
    { "COTASKMEM-18", test_free_null_with_spy, OBSERVATION },
    { "COTASKMEM-19", test_any_source_spied },
};

START_TEST(cotaskmem)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
