/*
 * IMalloc::Alloc, with and without a spy.
 */

#include "spy.h"

/* Memory the allocator never handed out: what a spy returns from PostAlloc
 * to prove that the caller gets the spy's value. */
static BYTE fake_block[256] __attribute__((aligned(16)));

/* Frees a block the caller knows as "user" by having the registered spy's
 * PreFree hand the allocator "real", a block the allocator really made. */
static void free_mapped(struct spy *spy, void *user, void *real)
{
    spy_override_ptr(spy, SPY_PREFREE, real);
    m_free(user);
    spy_clear_override(spy, SPY_PREFREE);
}

static void test_alloc_read_write(void)
{
    static const SIZE_T sizes[] = { 1, 7, 16, 100, 4096, 65536, 1000000 };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        BYTE *p = m_alloc(sizes[i]);

        ok(p != NULL, "Alloc(%s) returned NULL\n", str_size(sizes[i]));
        if (!p) continue;
        fill_pattern(p, sizes[i], i);
        ok(check_pattern(p, sizes[i], i), "Alloc(%s): contents not kept\n", str_size(sizes[i]));
        m_free(p);
    }
}

static void test_alloc_zero(void)
{
    void *p = m_alloc(0);

    ok(p != NULL, "Alloc(0) returned NULL\n");
    m_free(p);
}

static void test_alloc_zero_didalloc(void)
{
    void *p = m_alloc(0);
    int r;

    ok(p != NULL, "Alloc(0) returned NULL\n");
    if (!p) return;
    r = m_didalloc(p);
    ok(r == 1, "got %d, expected 1\n", r);
    m_free(p);
}

static void test_alloc_huge(void)
{
    static const SIZE_T sizes[] = { ~(SIZE_T)0, ~(SIZE_T)0 - 15, ~(SIZE_T)0 - 4096, ~(SIZE_T)0 / 2 + 1, HUGE_SIZE };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        void *p = m_alloc(sizes[i]);

        ok(p == NULL, "Alloc(%s): got %p, expected NULL\n", str_size(sizes[i]), p);
        m_free(p);     /* never touched */
    }
}

static void test_alloc_alignment(void)
{
    void *blocks[64];
    unsigned int i, misaligned = 0, got = 0;

    for (i = 0; i < ARRAY_SIZE(blocks); i++)
    {
        blocks[i] = m_alloc(1 + i * 3);
        if (!blocks[i]) continue;
        got++;
        if ((ULONG_PTR)blocks[i] % MEMORY_ALLOCATION_ALIGNMENT) misaligned++;
    }
    for (i = 0; i < ARRAY_SIZE(blocks); i++) m_free(blocks[i]);
    if (!got) trace("observed: Alloc failed\n");
    else trace("observed: %s\n", misaligned ? "not aligned" : "aligned");
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    p = m_alloc(10);
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREALLOC, SPY_ANY_SIZE },
            { SPY_POSTALLOC, SPY_NOT_NULL },
        };
        spy_check_calls(spy, mark, exp);
    }
    ok(p != NULL, "Alloc(10) returned NULL\n");
    m_free(p);
    spy_unregister();
}

static void test_prealloc_count(void)
{
    static const SIZE_T sizes[] = { 1, 37, 4096, 100000 };
    struct spy *spy;
    unsigned int i;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        LONG mark = spy_mark();
        void *p = m_alloc(sizes[i]);
        struct spy_call *c = spy_call_of(spy, mark, SPY_PREALLOC);

        ok(c != NULL, "Alloc(%s): no PreAlloc call\n", str_size(sizes[i]));
        if (c) ok(c->size == sizes[i], "got %s, expected %s\n", str_size(c->size), str_size(sizes[i]));
        m_free(p);
    }
    /* a count above 4 GiB arrives whole; PreAlloc fails it, so nothing is
     * allocated */
    if (ABOVE_4G)
    {
        LONG mark = spy_mark();
        struct spy_call *c;
        void *p;

        spy->alloc_fault.kind = SPY_FAULT_ZERO;
        p = m_alloc(ABOVE_4G);
        spy->alloc_fault.kind = SPY_FAULT_NONE;
        c = spy_call_of(spy, mark, SPY_PREALLOC);
        ok(c && c->size == ABOVE_4G, "Alloc(%s): got PreAlloc(%s)\n", str_size(ABOVE_4G), c ? str_size(c->size) : "-");
        m_free(p);
    }
    spy_unregister();
}

/* The block is as big as PreAlloc said: what the allocator's GetSize tells
 * PostGetSize. */
static void test_prealloc_result_allocated(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    BYTE *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    spy_override_size(spy, SPY_PREALLOC, 20 + 300);
    p = m_alloc(20);
    spy_clear_override(spy, SPY_PREALLOC);
    ok(p != NULL, "Alloc(20) with PreAlloc returning 320 returned NULL\n");
    if (p)
    {
        mark = spy_mark();
        m_getsize(p);
        c = spy_call_of(spy, mark, SPY_POSTGETSIZE);
        ok(c != NULL, "GetSize made no PostGetSize call\n");
        if (c) ok(c->size >= 320 && c->size != (SIZE_T)-1, "the block has %s bytes, expected at least 320\n",
                  str_size(c->size));
        m_free(p);
    }

    spy_unregister();
}

static void test_postalloc_receives_block(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    BYTE *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    p = m_alloc(48);
    c = spy_call_of(spy, mark, SPY_POSTALLOC);
    ok(c != NULL, "no PostAlloc call\n");
    if (c)
    {
        ok(c->ptr != NULL, "PostAlloc got NULL for a successful allocation\n");
        /* a pass-through spy hands back pActual: the caller's block is it */
        ok(c->ptr == p, "got %p, expected the caller's block %p\n", c->ptr, p);
    }
    if (p)
    {
        int did;

        fill_pattern(p, 48, 9);
        ok(check_pattern(p, 48, 9), "the block does not hold 48 bytes\n");
        mark = spy_mark();
        m_didalloc(p);
        did = (c = spy_call_of(spy, mark, SPY_POSTDIDALLOC)) ? c->actual : -2;
        ok(did == 1, "the allocator does not know PostAlloc's pActual: DidAlloc %d\n", did);
        m_free(p);
    }
    spy_unregister();
}

static void test_caller_gets_postalloc_result(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    BYTE *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    spy_override_ptr(spy, SPY_POSTALLOC, fake_block);
    mark = spy_mark();
    p = m_alloc(32);
    spy_clear_override(spy, SPY_POSTALLOC);
    ok(p == fake_block, "got %p, expected PostAlloc's %p\n", p, fake_block);
    c = spy_call_of(spy, mark, SPY_POSTALLOC);
    if (c && c->ptr)
    {
        if (p == fake_block) free_mapped(spy, fake_block, c->ptr);
        else if (p == c->ptr) m_free(p);
    }
    spy_unregister();

    if (!(spy = spy_register_new(SPY_HEADER))) return;
    mark = spy_mark();
    p = m_alloc(200);
    c = spy_call_of(spy, mark, SPY_POSTALLOC);
    ok(c && p && p == c->ret_ptr && p == (BYTE *)c->ptr + SPY_HEADER_SIZE,
       "header spy: got %p, expected PostAlloc's %p\n", p, c ? c->ret_ptr : NULL);
    if (p && spy_owns_block(spy, p))
    {
        fill_pattern(p, spy_header_usable(200), 10);
        m_free(p);
        ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
    }
    spy_unregister();
}

static void test_forced_failure(void)
{
    static const SIZE_T sizes[] = { 1, 10, 4096 };
    struct spy *spy;
    unsigned int i;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    spy->alloc_fault.kind = SPY_FAULT_ZERO;
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        const struct spy_expect exp[] = { { SPY_PREALLOC, 0, NULL, sizes[i] } };
        LONG mark = spy_mark();
        void *p = m_alloc(sizes[i]);

        ok(p == NULL, "Alloc(%s): got %p, expected NULL\n", str_size(sizes[i]), p);
        spy_check_calls(spy, mark, exp);
        if (p)
        {
            spy->alloc_fault.kind = SPY_FAULT_NONE;
            m_free(p);
            spy->alloc_fault.kind = SPY_FAULT_ZERO;
        }
    }
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    spy_unregister();
}

static void test_zero_not_forced(void)
{
    struct spy *spy;
    void *p;
    int r;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    spy->alloc_fault.kind = SPY_FAULT_ZERO;
    spy->alloc_fault.zero_too = TRUE;
    p = m_alloc(0);
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    ok(p != NULL, "Alloc(0) with PreAlloc returning 0: got NULL, expected a valid pointer\n");
    if (p)
    {
        r = m_didalloc(p);
        ok(r == 1, "DidAlloc of the result: got %d, expected 1\n", r);
        m_free(p);
    }
    spy_unregister();
}

/* No forced failure for Alloc(0), so it is an allocation like any other:
 * PostAlloc comes "after any call to Alloc". */
static void test_zero_calls(void)
{
    const struct spy_expect exp[] =
    {
        { SPY_PREALLOC, 0, NULL, 0 },
        { SPY_POSTALLOC, SPY_NOT_NULL },
    };
    struct spy *spy;
    LONG mark;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    spy->alloc_fault.kind = SPY_FAULT_ZERO;
    spy->alloc_fault.zero_too = TRUE;
    mark = spy_mark();
    p = m_alloc(0);
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    spy_check_calls(spy, mark, exp);
    m_free(p);
    spy_unregister();
}

static void test_real_failure(void)
{
    struct spy *spy;
    struct spy_call *c;
    void *p, *dummy;
    LONG mark;

    /* a block of the allocator's own, for PreFree to hand over when the
     * caller frees a pointer the allocator never made */
    dummy = m_alloc(8);
    if (!setup_check(dummy != NULL, "Alloc(8) returned NULL\n")) return;
    if (!(spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        m_free(dummy);
        return;
    }
    spy->alloc_fault.kind = SPY_FAULT_HUGE;
    mark = spy_mark();
    p = m_alloc(10);
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREALLOC, 0, NULL, 10 },
            { SPY_POSTALLOC, 0, NULL },
        };
        spy_check_calls(spy, mark, exp);
    }
    ok(p == NULL, "got %p, expected NULL\n", p);
    c = spy_call_of(spy, mark, SPY_POSTALLOC);
    if (p && c && p == c->ptr)
    {
        /* the allocation wrongly succeeded */
        spy->alloc_fault.kind = SPY_FAULT_NONE;
        m_free(p);
        spy->alloc_fault.kind = SPY_FAULT_HUGE;
    }

    /* the caller gets PostAlloc's value, here not NULL */
    spy_override_ptr(spy, SPY_POSTALLOC, fake_block);
    mark = spy_mark();
    p = m_alloc(10);
    spy_clear_override(spy, SPY_POSTALLOC);
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    ok(p == fake_block, "got %p, expected PostAlloc's %p\n", p, fake_block);
    c = spy_call_of(spy, mark, SPY_POSTALLOC);
    if (p == fake_block && c && c->ptr) free_mapped(spy, fake_block, c->ptr);     /* wrongly allocated */
    else if (p == fake_block)
    {
        free_mapped(spy, fake_block, dummy);
        dummy = NULL;
    }
    spy_unregister();
    m_free(dummy);
}

static void test_prealloc_smaller(void)
{
    struct spy *spy;
    struct spy_call *c;
    SIZE_T size = 0;
    LONG mark;
    BYTE *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    spy_override_size(spy, SPY_PREALLOC, 40);
    p = m_alloc(100);
    spy_clear_override(spy, SPY_PREALLOC);
    if (!p) trace("observed: Alloc fails\n");
    else
    {
        mark = spy_mark();
        m_getsize(p);
        if ((c = spy_call_of(spy, mark, SPY_POSTGETSIZE))) size = c->size;
        if (size == 40) trace("observed: PreAlloc's size\n");
        else if (size == 100) trace("observed: the caller's size\n");
        else trace("observed: size %s\n", str_size(size));
        m_free(p);
    }
    spy_unregister();
}

static void test_postalloc_null(void)
{
    char result[64];
    struct spy *spy;
    struct spy_call *c;
    void *p, *real = NULL;
    LONG mark;
    HRESULT hr;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    spy_override_ptr(spy, SPY_POSTALLOC, NULL);
    mark = spy_mark();
    p = m_alloc(24);
    spy_clear_override(spy, SPY_POSTALLOC);
    if ((c = spy_call_of(spy, mark, SPY_POSTALLOC))) real = c->ptr;
    if (!p) strcpy(result, "caller gets NULL");
    else if (p == real) strcpy(result, "caller gets the block");
    else strcpy(result, "caller gets another pointer");
    hr = pCoRevokeMallocSpy();
    trace("observed: %s, revoke %s\n", result, str_hr(hr));
    if (hr != S_OK && real)
    {
        m_free(real);   /* through the spy: completes a pending revoke */
        real = NULL;
    }
    spy_unregister();
    m_free(real);       /* the leaked block, now without a spy */
}

static const struct behaviour behaviours[] =
{
    { "ALLOC-01", test_alloc_read_write },
    { "ALLOC-02", test_alloc_zero },
    { "ALLOC-03", test_alloc_zero_didalloc },
    { "ALLOC-04", test_alloc_huge },
    { "ALLOC-05", test_alloc_alignment, OBSERVATION },
    { "ALLOC-06", test_spy_calls },
    { "ALLOC-07", test_prealloc_count },
    { "ALLOC-08", test_prealloc_result_allocated },
    { "ALLOC-09", test_postalloc_receives_block },
    { "ALLOC-10", test_caller_gets_postalloc_result },
    { "ALLOC-11", test_forced_failure },
    { "ALLOC-12", test_zero_not_forced },
    { "ALLOC-13", test_zero_calls },
    { "ALLOC-14", test_real_failure },
    { "ALLOC-15", test_prealloc_smaller, OBSERVATION },
    { "ALLOC-16", test_postalloc_null, OBSERVATION },
};

START_TEST(alloc)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
