/*
 * IMalloc::Free, with and without a spy.
 */

#include "spy.h"

static void test_free_null(void)
{
    BYTE *p;

    push_behaviour("FREE-01");
    p = m_alloc(32);
    ok(p != NULL, "Alloc(32) returned NULL\n");
    if (p) fill_pattern(p, 32, 1);
    m_free(NULL);
    if (p)
    {
        ok(check_pattern(p, 32, 1), "Free(NULL) changed a live block\n");
        ok(m_didalloc(p) == 1, "Free(NULL) released a live block\n");
        m_free(p);
    }
    winetest_pop_context();
}

static void test_free_releases(void)
{
    BYTE *p, *q;
    int r;

    push_behaviour("FREE-02");
    p = m_alloc(32);
    ok(p != NULL, "Alloc(32) returned NULL\n");
    if (p)
    {
        m_free(p);
        r = m_didalloc(p);
        ok(r != 1, "block from Alloc: DidAlloc after Free got %d, expected not 1\n", r);
    }
    p = m_alloc(8);
    q = p ? m_realloc(p, 5000) : NULL;
    ok(q != NULL, "Realloc(p, 5000) returned NULL\n");
    if (q)
    {
        m_free(q);
        r = m_didalloc(q);
        ok(r != 1, "block from Realloc: DidAlloc after Free got %d, expected not 1\n", r);
    }
    else if (p) m_free(p);
    winetest_pop_context();
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    push_behaviour("FREE-03");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (p)
    {
        struct spy_expect exp[] =
        {
            { SPY_PREFREE, SPY_ANY_PTR | SPY_ANY_SPYED },
            { SPY_POSTFREE, SPY_ANY_SPYED },
        };
        mark = spy_mark();
        m_free(p);
        spy_check_calls(spy, mark, exp);
    }
done:
    spy_stop();
    winetest_pop_context();
}

/* PreFree gets the pointer the caller passes, which is PostAlloc's result,
 * not the block the allocator made. */
static void test_prefree_pointer(void)
{
    static BYTE fake_block[64] __attribute__((aligned(16)));
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p, *real = NULL;

    push_behaviour("FREE-04");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (p)
    {
        mark = spy_mark();
        m_free(p);
        c = spy_call_of(spy, mark, SPY_PREFREE);
        ok(c && c->ptr == p, "got %p, expected %p\n", c ? c->ptr : NULL, p);
    }

    spy_override_ptr(spy, SPY_POSTALLOC, fake_block);
    mark = spy_mark();
    p = m_alloc(10);
    spy_clear_override(spy, SPY_POSTALLOC);
    if ((c = spy_call_of(spy, mark, SPY_POSTALLOC))) real = c->ptr;
    if (p == fake_block && real)
    {
        mark = spy_mark();
        spy_override_ptr(spy, SPY_PREFREE, real);
        m_free(fake_block);
        spy_clear_override(spy, SPY_PREFREE);
        c = spy_call_of(spy, mark, SPY_PREFREE);
        ok(c && c->ptr == fake_block, "got %p, expected PostAlloc's %p\n", c ? c->ptr : NULL, fake_block);
    }
    else
    {
        ok(0, "the caller did not get PostAlloc's pointer (ALLOC-10)\n");
        if (p == real && p) m_free(p);
    }
done:
    spy_stop();
    winetest_pop_context();
}

/* Two blocks allocated before the spy is registered (so nothing is tracked);
 * PreFree returns the second when the caller frees the first. */
static void test_frees_prefree_result(void)
{
    struct spy *spy;
    BYTE *a, *b;

    push_behaviour("FREE-05");
    a = m_alloc(24);
    b = m_alloc(24);
    ok(a && b, "Alloc returned NULL\n");
    if (!a || !b) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_ptr(spy, SPY_PREFREE, b);
    m_free(a);
    spy_clear_override(spy, SPY_PREFREE);
    spy_stop();
    ok(m_didalloc(b) != 1, "PreFree's block is still allocated\n");
    ok(m_didalloc(a) == 1, "the caller's block was freed instead of PreFree's\n");
    if (m_didalloc(b) != 1) b = NULL;
    if (m_didalloc(a) != 1) a = NULL;

    /* A header spy hands out an interior pointer; PreFree maps it back. */
    if (!spy_header_safe(FALSE))
        skip("no header spy: the implementation is not safe for it (probe %#x)\n", spy_probe());
    else if ((spy = spy_start(SPY_HEADER)))
    {
        BYTE *p = m_alloc(50);
        struct spy_call *c;
        LONG mark;

        ok(p != NULL, "Alloc(50) returned NULL\n");
        if (p)
        {
            fill_pattern(p, 50, 5);
            mark = spy_mark();
            m_free(p);
            c = spy_call_of(spy, mark, SPY_PREFREE);
            ok(c && c->guard_ok, "PreFree did not find its header intact\n");
            ok(!spy_owns_block(spy, p), "PreFree did not see the block\n");
            ok(spy->guard_errors == 0, "%ld guard errors\n", spy->guard_errors);
            ok(m_didalloc(p) != 1 && m_didalloc(p - SPY_HEADER_SIZE) != 1, "the block was not freed\n");
        }
    }
done:
    spy_stop();
    if (a) m_free(a);
    if (b) m_free(b);
    winetest_pop_context();
}

/* Observed on Windows. */
static void test_free_null_no_spy_call(void)
{
    struct spy *spy;
    LONG mark;

    push_behaviour("FREE-06");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    mark = spy_mark();
    m_free(NULL);
    spy_check_no_calls(spy, mark);
done:
    spy_stop();
    winetest_pop_context();
}

static void test_prefree_null(void)
{
    char buf[256];
    struct spy *spy;
    LONG mark;
    BYTE *p;
    int live;

    push_behaviour("FREE-07");
    p = m_alloc(16);
    if (!p)
    {
        trace("observed: Alloc fails\n");
        winetest_pop_context();
        return;
    }
    fill_pattern(p, 16, 7);
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_ptr(spy, SPY_PREFREE, NULL);
    mark = spy_mark();
    m_free(p);
    spy_clear_override(spy, SPY_PREFREE);
    spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
    spy_stop();
    live = m_didalloc(p) == 1 && check_pattern(p, 16, 7);
    trace("observed: %s, %s\n", buf, live ? "block stays live" : "block freed");
    if (!live) p = NULL;
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

START_TEST(free)
{
    if (!init_test()) return;

    test_free_null();
    test_free_releases();
    test_spy_calls();
    test_prefree_pointer();
    test_frees_prefree_result();
    test_free_null_no_spy_call();
    test_prefree_null();
}
