/*
 * CoTaskMemAlloc, CoTaskMemFree, CoTaskMemRealloc.
 */

#include "spy.h"

static BYTE fake_block[256] __attribute__((aligned(16)));

/* Runs before anything calls CoGetMalloc in this process. */
static void test_before_cogetmalloc(void)
{
    BYTE *p, *q;

    push_behaviour("COTASKMEM-02");
    p = pCoTaskMemAlloc(40);
    ok(p != NULL, "CoTaskMemAlloc(40) returned NULL\n");
    if (p)
    {
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
    winetest_pop_context();
}

static void test_alloc_read_write(void)
{
    static const SIZE_T sizes[] = { 1, 16, 333, 4096, 200000 };
    unsigned int i;

    push_behaviour("COTASKMEM-01");
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        BYTE *p = pCoTaskMemAlloc(sizes[i]);

        ok(p != NULL, "CoTaskMemAlloc(%s) returned NULL\n", str_size(sizes[i]));
        if (!p) continue;
        fill_pattern(p, sizes[i], i + 20);
        ok(check_pattern(p, sizes[i], i + 20), "CoTaskMemAlloc(%s): contents not kept\n", str_size(sizes[i]));
        pCoTaskMemFree(p);
    }
    winetest_pop_context();
}

static void test_imalloc_accepts(void)
{
    SIZE_T size;
    BYTE *p;
    int r;

    push_behaviour("COTASKMEM-03");
    p = pCoTaskMemAlloc(77);
    ok(p != NULL, "CoTaskMemAlloc(77) returned NULL\n");
    if (p)
    {
        r = m_didalloc(p);
        ok(r == 1, "DidAlloc: got %d, expected 1\n", r);
        size = m_getsize(p);
        ok(size >= 77 && size != (SIZE_T)-1, "GetSize: got %s, expected at least 77\n", str_size(size));
        pCoTaskMemFree(p);
    }
    winetest_pop_context();
}

static void test_mixed_free(void)
{
    BYTE *p;
    int r;

    push_behaviour("COTASKMEM-04");
    p = pCoTaskMemAlloc(30);
    ok(p != NULL, "CoTaskMemAlloc(30) returned NULL\n");
    if (p)
    {
        m_free(p);
        r = m_didalloc(p);
        ok(r != 1, "IMalloc::Free of a CoTaskMemAlloc block: DidAlloc %d afterwards\n", r);
    }
    p = m_alloc(30);
    ok(p != NULL, "Alloc(30) returned NULL\n");
    if (p)
    {
        pCoTaskMemFree(p);
        r = m_didalloc(p);
        ok(r != 1, "CoTaskMemFree of an IMalloc::Alloc block: DidAlloc %d afterwards\n", r);
    }
    winetest_pop_context();
}

static void test_alloc_zero(void)
{
    void *p;

    push_behaviour("COTASKMEM-05");
    p = pCoTaskMemAlloc(0);
    ok(p != NULL, "CoTaskMemAlloc(0) returned NULL\n");
    if (p) pCoTaskMemFree(p);
    winetest_pop_context();
}

static void test_alloc_huge(void)
{
    static const SIZE_T sizes[] = { ~(SIZE_T)0, ~(SIZE_T)0 - 15, ~(SIZE_T)0 / 2 + 1, HUGE_SIZE };
    unsigned int i;

    push_behaviour("COTASKMEM-06");
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        void *p = pCoTaskMemAlloc(sizes[i]);

        ok(p == NULL, "CoTaskMemAlloc(%s): got %p, expected NULL\n", str_size(sizes[i]), p);
        if (p) pCoTaskMemFree(p);
    }
    winetest_pop_context();
}

static void test_alloc_spy(void)
{
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p;

    push_behaviour("COTASKMEM-07");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;

    /* the calls, and PreAlloc sees the caller's count */
    mark = spy_mark();
    p = pCoTaskMemAlloc(21);
    {
        struct spy_expect exp[] =
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
        struct spy_expect exp[] = { { SPY_PREALLOC, 0, NULL, 21 } };
        spy_check_calls(spy, mark, exp);
    }
    if (p) pCoTaskMemFree(p);
done:
    spy_stop();
    winetest_pop_context();
}

static void test_free_null(void)
{
    BYTE *p;

    push_behaviour("COTASKMEM-08");
    p = pCoTaskMemAlloc(32);
    ok(p != NULL, "CoTaskMemAlloc(32) returned NULL\n");
    if (p) fill_pattern(p, 32, 8);
    pCoTaskMemFree(NULL);
    if (p)
    {
        ok(check_pattern(p, 32, 8), "CoTaskMemFree(NULL) changed a live block\n");
        ok(m_didalloc(p) == 1, "CoTaskMemFree(NULL) released a live block\n");
        pCoTaskMemFree(p);
    }
    winetest_pop_context();
}

static void test_free_spy(void)
{
    struct spy *spy;
    struct spy_call *c;
    BYTE *a, *b, *p;
    LONG mark;

    push_behaviour("COTASKMEM-09");
    a = pCoTaskMemAlloc(24);
    b = pCoTaskMemAlloc(24);
    ok(a && b, "CoTaskMemAlloc returned NULL\n");
    if (!a || !b) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;

    p = pCoTaskMemAlloc(10);
    if (p)
    {
        struct spy_expect exp[] =
        {
            { SPY_PREFREE, SPY_ANY_SPYED, p },
            { SPY_POSTFREE, SPY_ANY_SPYED },
        };
        mark = spy_mark();
        pCoTaskMemFree(p);
        spy_check_calls(spy, mark, exp);
    }

    /* PreFree's pointer is freed, not the caller's */
    spy_override_ptr(spy, SPY_PREFREE, b);
    mark = spy_mark();
    pCoTaskMemFree(a);
    spy_clear_override(spy, SPY_PREFREE);
    c = spy_call_of(spy, mark, SPY_PREFREE);
    ok(c && c->ptr == a, "PreFree got %p, expected %p\n", c ? c->ptr : NULL, a);
    spy_stop();
    ok(m_didalloc(b) != 1, "PreFree's block is still allocated\n");
    ok(m_didalloc(a) == 1, "the caller's block was freed instead of PreFree's\n");
    if (m_didalloc(b) != 1) b = NULL;
    if (m_didalloc(a) != 1) a = NULL;
done:
    spy_stop();
    if (a) pCoTaskMemFree(a);
    if (b) pCoTaskMemFree(b);
    winetest_pop_context();
}

static void test_realloc_contents(void)
{
    BYTE *p, *q;

    push_behaviour("COTASKMEM-10");
    p = pCoTaskMemAlloc(100);
    ok(p != NULL, "CoTaskMemAlloc(100) returned NULL\n");
    if (!p) goto done;
    fill_pattern(p, 100, 10);
    q = pCoTaskMemRealloc(p, 100000);
    ok(q != NULL, "grow: returned NULL\n");
    if (!q) goto done;
    p = q;
    ok(check_pattern(p, 100, 10), "grow: contents not kept\n");
    fill_pattern(p, 100000, 11);
    q = pCoTaskMemRealloc(p, 50);
    ok(q != NULL, "shrink: returned NULL\n");
    if (!q) goto done;
    p = q;
    ok(check_pattern(p, 50, 11), "shrink: first 50 bytes not kept\n");
done:
    if (p) pCoTaskMemFree(p);
    winetest_pop_context();
}

static void test_realloc_null(void)
{
    BYTE *p;

    push_behaviour("COTASKMEM-11");
    p = pCoTaskMemRealloc(NULL, 64);
    ok(p != NULL, "CoTaskMemRealloc(NULL, 64) returned NULL\n");
    if (p)
    {
        fill_pattern(p, 64, 12);
        ok(check_pattern(p, 64, 12), "contents not kept\n");
        ok(m_didalloc(p) == 1, "DidAlloc of the new block is not 1\n");
        pCoTaskMemFree(p);
    }
    winetest_pop_context();
}

static void test_realloc_zero(void)
{
    void *p, *q;
    int r;

    push_behaviour("COTASKMEM-12");
    p = pCoTaskMemAlloc(64);
    ok(p != NULL, "CoTaskMemAlloc(64) returned NULL\n");
    if (p)
    {
        q = pCoTaskMemRealloc(p, 0);
        ok(q == NULL, "got %p, expected NULL\n", q);
        r = m_didalloc(p);
        ok(r != 1, "the block was not freed: DidAlloc %d\n", r);
        if (q && q != p) pCoTaskMemFree(q);
        else if (q == p || r == 1) pCoTaskMemFree(p);
    }
    winetest_pop_context();
}

static void test_realloc_huge(void)
{
    BYTE *p, *q;

    push_behaviour("COTASKMEM-13");
    p = pCoTaskMemAlloc(64);
    ok(p != NULL, "CoTaskMemAlloc(64) returned NULL\n");
    if (!p) goto done;
    fill_pattern(p, 64, 13);
    q = pCoTaskMemRealloc(p, HUGE_SIZE);
    ok(q == NULL, "got %p, expected NULL\n", q);
    if (q) { p = NULL; pCoTaskMemFree(q); goto done; }
    q = pCoTaskMemRealloc(p, ~(SIZE_T)0 - 15);
    ok(q == NULL, "got %p, expected NULL\n", q);
    if (q) { p = NULL; pCoTaskMemFree(q); goto done; }
    ok(m_didalloc(p) == 1, "the block is no longer allocated\n");
    ok(check_pattern(p, 64, 13), "the contents changed\n");
done:
    if (p) pCoTaskMemFree(p);
    winetest_pop_context();
}

static void test_realloc_alignment(void)
{
    void *p, *q;
    unsigned int i, misaligned = 0;

    push_behaviour("COTASKMEM-14");
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
    if (p) pCoTaskMemFree(p);
    winetest_pop_context();
}

static void test_realloc_spy(void)
{
    struct spy *spy;
    struct spy_call *c;
    BYTE *p = NULL, *q;
    LONG mark;

    push_behaviour("COTASKMEM-15");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    p = pCoTaskMemAlloc(16);
    ok(p != NULL, "CoTaskMemAlloc(16) returned NULL\n");
    if (!p) goto done;
    fill_pattern(p, 16, 15);

    /* the calls, with the caller's pointer and count */
    mark = spy_mark();
    q = pCoTaskMemRealloc(p, 64);
    {
        struct spy_expect exp[] =
        {
            { SPY_PREREALLOC, SPY_ANY_SPYED, p, 64 },
            { SPY_POSTREALLOC, SPY_NOT_NULL | SPY_ANY_SPYED },
        };
        spy_check_calls(spy, mark, exp);
    }
    ok(q != NULL, "CoTaskMemRealloc(p, 64) returned NULL\n");
    if (!q) goto done;
    p = q;

    /* forced failure: NULL, no PostRealloc, block unchanged */
    spy->realloc_fault.kind = SPY_FAULT_ZERO;
    mark = spy_mark();
    q = pCoTaskMemRealloc(p, 128);
    spy->realloc_fault.kind = SPY_FAULT_NONE;
    ok(q == NULL, "forced failure: got %p, expected NULL\n", q);
    {
        struct spy_expect exp[] = { { SPY_PREREALLOC, SPY_ANY_SPYED, p, 128 } };
        spy_check_calls(spy, mark, exp);
    }
    if (q) p = q;
    else ok(check_pattern(p, 16, 15), "forced failure changed the block\n");

    /* the caller gets PostRealloc's value */
    spy_override_ptr(spy, SPY_POSTREALLOC, fake_block);
    mark = spy_mark();
    q = pCoTaskMemRealloc(p, 100);
    spy_clear_override(spy, SPY_POSTREALLOC);
    ok(q == fake_block, "got %p, expected PostRealloc's %p\n", q, fake_block);
    c = spy_call_of(spy, mark, SPY_POSTREALLOC);
    if (c && c->ptr)
    {
        p = c->ptr;     /* the real block now */
        if (q == fake_block)
        {
            spy_override_ptr(spy, SPY_PREFREE, p);
            pCoTaskMemFree(fake_block);
            spy_clear_override(spy, SPY_PREFREE);
            p = NULL;
        }
    }
    else if (q && q != fake_block) p = q;
done:
    if (p) pCoTaskMemFree(p);
    spy_stop();
    winetest_pop_context();
}

static void test_realloc_null_zero(void)
{
    void *p;

    push_behaviour("COTASKMEM-16");
    p = pCoTaskMemRealloc(NULL, 0);
    if (!p) trace("observed: NULL\n");
    else
    {
        trace("observed: %s\n", m_didalloc(p) == 1 ? "zero-length item" : "a pointer DidAlloc does not know");
        pCoTaskMemFree(p);
    }
    winetest_pop_context();
}

static void test_no_net_reference(void)
{
    ULONG before, after;
    unsigned int i;
    void *p;

    push_behaviour("COTASKMEM-17");
    before = IMalloc_AddRef(test_malloc);
    IMalloc_Release(test_malloc);
    for (i = 0; i < 5; i++)
    {
        p = pCoTaskMemAlloc(10);
        p = pCoTaskMemRealloc(p, 20);
        pCoTaskMemFree(p);
        pCoTaskMemFree(NULL);
    }
    after = IMalloc_AddRef(test_malloc);
    IMalloc_Release(test_malloc);
    ok(after == before, "AddRef returned %lu before and %lu after\n", (unsigned long)before, (unsigned long)after);
    winetest_pop_context();
}

static void test_free_null_with_spy(void)
{
    char buf[256];
    struct spy *spy;
    LONG mark;

    push_behaviour("COTASKMEM-18");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    mark = spy_mark();
    pCoTaskMemFree(NULL);
    spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
    trace("observed: %s\n", buf);
done:
    spy_stop();
    winetest_pop_context();
}

START_TEST(cotaskmem)
{
    if (!init_implementation()) return;
    test_before_cogetmalloc();
    if (!init_test()) return;

    test_alloc_read_write();
    test_imalloc_accepts();
    test_mixed_free();
    test_alloc_zero();
    test_alloc_huge();
    test_alloc_spy();
    test_free_null();
    test_free_spy();
    test_realloc_contents();
    test_realloc_null();
    test_realloc_zero();
    test_realloc_huge();
    test_realloc_alignment();
    test_realloc_spy();
    test_realloc_null_zero();
    test_no_net_reference();
    test_free_null_with_spy();
}
