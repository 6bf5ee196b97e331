/*
 * IMalloc::Alloc, with and without a spy.
 */

#include "spy.h"

/* Memory the allocator never handed out: what a spy returns from PostAlloc
 * to prove that the caller gets the spy's value. */
static BYTE fake_block[256] __attribute__((aligned(16)));

/* Frees a block the caller knows as "user" but whose real start is "real"
 * (through the registered spy's PreFree). */
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

    push_behaviour("ALLOC-01");
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        BYTE *p = m_alloc(sizes[i]);

        ok(p != NULL, "Alloc(%s) returned NULL\n", str_size(sizes[i]));
        if (!p) continue;
        fill_pattern(p, sizes[i], i);
        ok(check_pattern(p, sizes[i], i), "Alloc(%s): contents not kept\n", str_size(sizes[i]));
        m_free(p);
    }
    winetest_pop_context();
}

static void test_alloc_zero(void)
{
    void *p;

    push_behaviour("ALLOC-02");
    p = m_alloc(0);
    ok(p != NULL, "Alloc(0) returned NULL\n");
    if (p) m_free(p);
    winetest_pop_context();
}

static void test_alloc_zero_didalloc(void)
{
    void *p;
    int r;

    push_behaviour("ALLOC-03");
    p = m_alloc(0);
    if (!p)
    {
        ok(0, "Alloc(0) returned NULL\n");
        winetest_pop_context();
        return;
    }
    r = m_didalloc(p);
    ok(r == 1, "got %d, expected 1\n", r);
    m_free(p);
    winetest_pop_context();
}

static void test_alloc_huge(void)
{
    static const SIZE_T sizes[] = { ~(SIZE_T)0, ~(SIZE_T)0 - 15, ~(SIZE_T)0 - 4096, ~(SIZE_T)0 / 2 + 1, HUGE_SIZE };
    unsigned int i;

    push_behaviour("ALLOC-04");
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        void *p = m_alloc(sizes[i]);

        ok(p == NULL, "Alloc(%s): got %p, expected NULL\n", str_size(sizes[i]), p);
        if (p) m_free(p);   /* never touched */
    }
    winetest_pop_context();
}

static void test_alloc_alignment(void)
{
    void *blocks[64];
    unsigned int i, misaligned = 0, got = 0;

    push_behaviour("ALLOC-05");
    for (i = 0; i < ARRAY_SIZE(blocks); i++)
    {
        blocks[i] = m_alloc(1 + i * 3);
        if (!blocks[i]) continue;
        got++;
        if ((ULONG_PTR)blocks[i] % MEMORY_ALLOCATION_ALIGNMENT) misaligned++;
    }
    for (i = 0; i < ARRAY_SIZE(blocks); i++) if (blocks[i]) m_free(blocks[i]);
    if (!got) trace("observed: Alloc failed\n");
    else trace("observed: %s\n", misaligned ? "not aligned" : "aligned");
    winetest_pop_context();
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    push_behaviour("ALLOC-06");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    mark = spy_mark();
    p = m_alloc(10);
    {
        struct spy_expect exp[] =
        {
            { SPY_PREALLOC, SPY_ANY_SIZE },
            { SPY_POSTALLOC, SPY_NOT_NULL },
        };
        spy_check_calls(spy, mark, exp);
    }
    ok(p != NULL, "Alloc(10) returned NULL\n");
    m_free(p);
done:
    spy_stop();
    winetest_pop_context();
}

static void test_prealloc_count(void)
{
    static const SIZE_T sizes[] = { 1, 37, 4096, 100000 };
    struct spy *spy;
    unsigned int i;

    push_behaviour("ALLOC-07");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        LONG mark = spy_mark();
        void *p = m_alloc(sizes[i]);
        struct spy_call *c = spy_call_of(spy, mark, SPY_PREALLOC);

        ok(c != NULL, "Alloc(%s): no PreAlloc call\n", str_size(sizes[i]));
        if (c) ok(c->size == sizes[i], "got %s, expected %s\n", str_size(c->size), str_size(sizes[i]));
        m_free(p);
    }
done:
    spy_stop();
    winetest_pop_context();
}

/* The block must be as big as PreAlloc said: measured through GetSize (the
 * spy's PostGetSize sees what the allocator measured), and, where the
 * implementation is safe for it, by a header/trailer spy that writes guard
 * bytes around the caller's part and finds them intact at Free. */
static void test_prealloc_result_allocated(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    BYTE *p;

    push_behaviour("ALLOC-08");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_size(spy, SPY_PREALLOC, 20 + 300);
    p = m_alloc(20);
    spy_clear_override(spy, SPY_PREALLOC);
    ok(p != NULL, "Alloc(20) returned NULL\n");
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
    spy_stop();

    if (!spy_header_safe(FALSE))
    {
        skip("no header spy: the implementation is not safe for it (probe %#x)\n", spy_probe());
        goto done;
    }
    if (!(spy = spy_start(SPY_HEADER))) goto done;
    p = m_alloc(40);
    ok(p != NULL, "Alloc(40) returned NULL\n");
    if (p)
    {
        fill_pattern(p, 40, 8);
        ok(spy_owns_block(spy, p), "the caller did not get the header spy's pointer\n");
        m_free(p);
        ok(spy->guard_errors == 0, "%ld guard errors\n", spy->guard_errors);
    }
done:
    spy_stop();
    winetest_pop_context();
}

static void test_postalloc_receives_block(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    BYTE *p;

    push_behaviour("ALLOC-09");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
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
done:
    spy_stop();
    winetest_pop_context();
}

static void test_caller_gets_postalloc_result(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p;

    push_behaviour("ALLOC-10");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_ptr(spy, SPY_POSTALLOC, fake_block);
    mark = spy_mark();
    p = m_alloc(32);
    spy_clear_override(spy, SPY_POSTALLOC);
    ok(p == fake_block, "got %p, expected PostAlloc's %p\n", p, fake_block);
    c = spy_call_of(spy, mark, SPY_POSTALLOC);
    if (c && c->ptr)
    {
        if (p == fake_block) free_mapped(spy, fake_block, c->ptr);
        else if (p) m_free(p);
    }
    spy_stop();

    if (!spy_header_safe(FALSE))
    {
        skip("no header spy: the implementation is not safe for it (probe %#x)\n", spy_probe());
        goto done;
    }
    if (!(spy = spy_start(SPY_HEADER))) goto done;
    mark = spy_mark();
    p = m_alloc(16);
    c = spy_call_of(spy, mark, SPY_POSTALLOC);
    ok(c && p && p == c->ret_ptr && (BYTE *)p == (BYTE *)c->ptr + SPY_HEADER_SIZE,
       "got %p, expected PostAlloc's %p\n", p, c ? c->ret_ptr : NULL);
    if (p) m_free(p);
    ok(spy->guard_errors == 0, "%ld guard errors\n", spy->guard_errors);
done:
    spy_stop();
    winetest_pop_context();
}

static void test_forced_failure(void)
{
    static const SIZE_T sizes[] = { 1, 10, 4096 };
    struct spy *spy;
    unsigned int i;

    push_behaviour("ALLOC-11");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy->alloc_fault.kind = SPY_FAULT_ZERO;
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        LONG mark = spy_mark();
        void *p = m_alloc(sizes[i]);
        struct spy_expect exp[] = { { SPY_PREALLOC, 0, NULL, sizes[i] } };

        ok(p == NULL, "Alloc(%s): got %p, expected NULL\n", str_size(sizes[i]), p);
        spy_check_calls(spy, mark, exp);
        if (p)
        {
            spy->alloc_fault.kind = SPY_FAULT_NONE;
            m_free(p);
            spy->alloc_fault.kind = SPY_FAULT_ZERO;
        }
    }
done:
    spy_stop();
    winetest_pop_context();
}

static void test_zero_not_forced(void)
{
    struct spy *spy;
    void *p;

    push_behaviour("ALLOC-12");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy->alloc_fault.kind = SPY_FAULT_ZERO;
    spy->alloc_fault.zero_too = TRUE;
    p = m_alloc(0);
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    ok(p != NULL, "Alloc(0) with PreAlloc returning 0: got NULL, expected a valid pointer\n");
    if (p)
    {
        int r = m_didalloc(p);
        ok(r == 1, "DidAlloc of the result: got %d, expected 1\n", r);
        m_free(p);
    }
done:
    spy_stop();
    winetest_pop_context();
}

static void test_zero_calls(void)
{
    char buf[256];
    struct spy *spy;
    LONG mark;
    void *p;

    push_behaviour("ALLOC-13");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy->alloc_fault.kind = SPY_FAULT_ZERO;
    spy->alloc_fault.zero_too = TRUE;
    mark = spy_mark();
    p = m_alloc(0);
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    spy_format_calls(buf, sizeof(buf), spy, mark, TRUE, NULL, NULL, 0);
    trace("observed: %s\n", buf);
    if (p) m_free(p);
done:
    spy_stop();
    winetest_pop_context();
}

static void test_real_failure(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    push_behaviour("ALLOC-14");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy->alloc_fault.kind = SPY_FAULT_HUGE;
    mark = spy_mark();
    p = m_alloc(10);
    {
        struct spy_expect exp[] =
        {
            { SPY_PREALLOC, 0, NULL, 10 },
            { SPY_POSTALLOC, 0, NULL },
        };
        spy_check_calls(spy, mark, exp);
    }
    ok(p == NULL, "got %p, expected NULL\n", p);
    if (p) { spy->alloc_fault.kind = SPY_FAULT_NONE; m_free(p); spy->alloc_fault.kind = SPY_FAULT_HUGE; }

    /* the caller gets PostAlloc's value, here not NULL */
    spy_override_ptr(spy, SPY_POSTALLOC, fake_block);
    mark = spy_mark();
    p = m_alloc(10);
    spy_clear_override(spy, SPY_POSTALLOC);
    spy->alloc_fault.kind = SPY_FAULT_NONE;
    ok(p == fake_block, "got %p, expected PostAlloc's %p\n", p, fake_block);
    if (p == fake_block)
    {
        /* the implementation may track it: free it, freeing PostAlloc's
         * pActual (NULL, unless the allocation wrongly succeeded) */
        struct spy_call *c = spy_call_of(spy, mark, SPY_POSTALLOC);
        free_mapped(spy, fake_block, c ? c->ptr : NULL);
    }
done:
    spy_stop();
    winetest_pop_context();
}

static void test_prealloc_smaller(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    BYTE *p;

    push_behaviour("ALLOC-15");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_size(spy, SPY_PREALLOC, 40);
    p = m_alloc(100);
    spy_clear_override(spy, SPY_PREALLOC);
    if (!p) trace("observed: Alloc fails\n");
    else
    {
        SIZE_T size = 0;

        mark = spy_mark();
        m_getsize(p);
        if ((c = spy_call_of(spy, mark, SPY_POSTGETSIZE))) size = c->size;
        if (size == 40) trace("observed: PreAlloc's size\n");
        else if (size == 100) trace("observed: the caller's size\n");
        else trace("observed: size %s\n", str_size(size));
        m_free(p);
    }
done:
    spy_stop();
    winetest_pop_context();
}

static void test_postalloc_null(void)
{
    char result[64];
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p, *real = NULL;
    HRESULT hr;

    push_behaviour("ALLOC-16");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
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
    if (p != real) p = NULL;    /* never free a pointer the allocator did not make */
    if (hr != S_OK && real)
    {
        m_free(real);   /* through the spy: completes a pending revoke */
        real = NULL;
    }
    spy_stop();
    if (real) m_free(real);     /* the leaked block, now without a spy */
done:
    spy_stop();
    winetest_pop_context();
}

START_TEST(alloc)
{
    if (!init_test()) return;

    test_alloc_read_write();
    test_alloc_zero();
    test_alloc_zero_didalloc();
    test_alloc_huge();
    test_alloc_alignment();
    test_spy_calls();
    test_prealloc_count();
    test_prealloc_result_allocated();
    test_postalloc_receives_block();
    test_caller_gets_postalloc_result();
    test_forced_failure();
    test_zero_not_forced();
    test_zero_calls();
    test_real_failure();
    test_prealloc_smaller();
    test_postalloc_null();
}
