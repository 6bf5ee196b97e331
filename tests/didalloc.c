/*
 * IMalloc::DidAlloc, with and without a spy.
 */

#include "spy.h"

static void test_didalloc_null(void)
{
    int r;

    push_behaviour("DIDALLOC-01");
    r = m_didalloc(NULL);
    ok(r == -1, "got %d, expected -1\n", r);
    winetest_pop_context();
}

static void test_didalloc_live(void)
{
    BYTE *a, *b, *c, *d;
    int r;

    push_behaviour("DIDALLOC-02");
    a = m_alloc(16);
    b = m_alloc(4);
    c = b ? m_realloc(b, 3000) : NULL;
    d = pCoTaskMemAlloc(16);
    ok(a && c && d, "an allocation failed\n");
    if (a) { r = m_didalloc(a); ok(r == 1, "Alloc: got %d, expected 1\n", r); m_free(a); }
    if (c) { r = m_didalloc(c); ok(r == 1, "Realloc: got %d, expected 1\n", r); m_free(c); }
    else if (b) m_free(b);
    if (d) { r = m_didalloc(d); ok(r == 1, "CoTaskMemAlloc: got %d, expected 1\n", r); pCoTaskMemFree(d); }
    winetest_pop_context();
}

/* Observed on Windows. */
static void test_didalloc_one(void)
{
    int r;

    push_behaviour("DIDALLOC-03");
    r = m_didalloc((void *)1);
    ok(r == 0, "got %d, expected 0\n", r);
    winetest_pop_context();
}

/* Observed on Windows. */
static void test_didalloc_interior(void)
{
    BYTE *p;
    int r;

    push_behaviour("DIDALLOC-04");
    p = m_alloc(16);
    ok(p != NULL, "Alloc(16) returned NULL\n");
    if (p)
    {
        r = m_didalloc(p + 4);
        ok(r == 0, "got %d, expected 0\n", r);
        m_free(p);
    }
    winetest_pop_context();
}

static void test_didalloc_stack(void)
{
    BYTE buffer[64];
    int r;

    push_behaviour("DIDALLOC-05");
    memset(buffer, 0, sizeof(buffer));
    r = m_didalloc(buffer);
    ok(r != 1, "got %d, expected 0 or -1\n", r);
    winetest_pop_context();
}

static void test_didalloc_stack_value(void)
{
    BYTE buffer[64];

    push_behaviour("DIDALLOC-06");
    memset(buffer, 0, sizeof(buffer));
    trace("observed: %d\n", m_didalloc(buffer));
    winetest_pop_context();
}

static void test_didalloc_process_heap(void)
{
    void *p;

    push_behaviour("DIDALLOC-07");
    p = HeapAlloc(GetProcessHeap(), 0, 16);
    if (!p) trace("observed: HeapAlloc fails\n");
    else
    {
        trace("observed: %d\n", m_didalloc(p));
        HeapFree(GetProcessHeap(), 0, p);
    }
    winetest_pop_context();
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    push_behaviour("DIDALLOC-08");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (p)
    {
        struct spy_expect exp[] =
        {
            { SPY_PREDIDALLOC, SPY_ANY_PTR | SPY_ANY_SPYED },
            { SPY_POSTDIDALLOC, SPY_ANY_PTR | SPY_ANY_SPYED | SPY_ANY_ACTUAL },
        };
        mark = spy_mark();
        m_didalloc(p);
        spy_check_calls(spy, mark, exp);
        m_free(p);
    }
done:
    spy_stop();
    winetest_pop_context();
}

static void test_predidalloc_pointer(void)
{
    BYTE buffer[64];
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p;

    push_behaviour("DIDALLOC-09");
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (!p) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    mark = spy_mark();
    m_didalloc(p);
    c = spy_call_of(spy, mark, SPY_PREDIDALLOC);
    ok(c && c->ptr == p, "got %p, expected %p\n", c ? c->ptr : NULL, p);
    mark = spy_mark();
    m_didalloc(buffer);
    c = spy_call_of(spy, mark, SPY_PREDIDALLOC);
    ok(c && c->ptr == buffer, "got %p, expected %p\n", c ? c->ptr : NULL, buffer);
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

/* fActual that PostDidAlloc receives when the caller passes "caller" and
 * PreDidAlloc returns "pre"; -2 if there was no PostDidAlloc. */
static int actual_for(struct spy *spy, void *caller, void *pre, void **post_ptr)
{
    struct spy_call *c;
    LONG mark = spy_mark();

    spy_override_ptr(spy, SPY_PREDIDALLOC, pre);
    m_didalloc(caller);
    spy_clear_override(spy, SPY_PREDIDALLOC);
    c = spy_call_of(spy, mark, SPY_POSTDIDALLOC);
    if (post_ptr) *post_ptr = c ? c->ptr : NULL;
    return c ? c->actual : -2;
}

static void test_examines_predidalloc_result(void)
{
    BYTE buffer[64];
    struct spy *spy;
    void *p;
    int r;

    push_behaviour("DIDALLOC-10");
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (!p) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    r = actual_for(spy, buffer, p, NULL);
    ok(r == 1, "DidAlloc(stack buffer), PreDidAlloc gives a live block: fActual %d, expected 1\n", r);
    r = actual_for(spy, p, buffer, NULL);
    ok(r != 1 && r != -2, "DidAlloc(live block), PreDidAlloc gives a stack buffer: fActual %d, expected 0 or -1\n", r);
    spy_stop();

    if (!spy_header_safe(FALSE))
        skip("no header spy: the implementation is not safe for it (probe %#x)\n", spy_probe());
    else if ((spy = spy_start(SPY_HEADER)))
    {
        BYTE *q = m_alloc(30);

        if (q)
        {
            r = m_didalloc(q);      /* q is interior to the real block */
            ok(r == 1, "header spy: got %d, expected 1\n", r);
            m_free(q);
            ok(spy->guard_errors == 0, "%ld guard errors\n", spy->guard_errors);
        }
    }
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

static void test_postdidalloc_pointer(void)
{
    BYTE buffer[64];
    struct spy *spy;
    void *p, *post = NULL;

    push_behaviour("DIDALLOC-11");
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (!p) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    actual_for(spy, buffer, p, &post);
    ok(post == buffer, "got %p, expected the caller's %p (PreDidAlloc returned %p)\n", post, buffer, p);
    actual_for(spy, p, buffer, &post);
    ok(post == p, "got %p, expected the caller's %p (PreDidAlloc returned %p)\n", post, p, buffer);
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

static void test_postdidalloc_actual(void)
{
    BYTE buffer[64];
    struct spy *spy;
    int direct_live, direct_stack, r;
    void *p;

    push_behaviour("DIDALLOC-12");
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (!p) goto done;
    direct_live = m_didalloc(p);
    direct_stack = m_didalloc(buffer);
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_int(spy, SPY_POSTDIDALLOC, 5);
    r = actual_for(spy, p, p, NULL);
    ok(r == direct_live, "live block: got %d, expected %d (DidAlloc without a spy)\n", r, direct_live);
    r = actual_for(spy, buffer, buffer, NULL);
    ok(r == direct_stack, "stack buffer: got %d, expected %d (DidAlloc without a spy)\n", r, direct_stack);
    spy_clear_override(spy, SPY_POSTDIDALLOC);
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

static void test_caller_gets_postdidalloc(void)
{
    BYTE buffer[64];
    struct spy *spy;
    void *p;
    int r;

    push_behaviour("DIDALLOC-13");
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (!p) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_int(spy, SPY_POSTDIDALLOC, 0);
    r = m_didalloc(p);
    ok(r == 0, "live block, PostDidAlloc returns 0: got %d\n", r);
    spy_override_int(spy, SPY_POSTDIDALLOC, 1);
    r = m_didalloc(buffer);
    ok(r == 1, "stack buffer, PostDidAlloc returns 1: got %d\n", r);
    spy_override_int(spy, SPY_POSTDIDALLOC, -1);
    r = m_didalloc(p);
    ok(r == -1, "live block, PostDidAlloc returns -1: got %d\n", r);
    spy_clear_override(spy, SPY_POSTDIDALLOC);
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

static void test_didalloc_null_with_spy(void)
{
    char buf[256];
    struct spy *spy;
    LONG mark;
    int r;

    push_behaviour("DIDALLOC-14");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    mark = spy_mark();
    r = m_didalloc(NULL);
    spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
    trace("observed: %s, %d\n", buf, r);
done:
    spy_stop();
    winetest_pop_context();
}

START_TEST(didalloc)
{
    if (!init_test()) return;

    test_didalloc_null();
    test_didalloc_live();
    test_didalloc_one();
    test_didalloc_interior();
    test_didalloc_stack();
    test_didalloc_stack_value();
    test_didalloc_process_heap();
    test_spy_calls();
    test_predidalloc_pointer();
    test_examines_predidalloc_result();
    test_postdidalloc_pointer();
    test_postdidalloc_actual();
    test_caller_gets_postdidalloc();
    test_didalloc_null_with_spy();
}
