/*
 * IMalloc::DidAlloc, with and without a spy.
 */

#include "spy.h"

static void test_didalloc_null(void)
{
    int r = m_didalloc(NULL);

    ok(r == -1, "got %d, expected -1\n", r);
}

static void test_didalloc_live(void)
{
    BYTE *a, *b, *c, *d;
    int r;

    a = m_alloc(16);
    b = m_alloc(4);
    c = b ? m_realloc(b, 3000) : NULL;
    d = pCoTaskMemAlloc(16);
    ok(a && c && d, "an allocation failed\n");
    if (a)
    {
        r = m_didalloc(a);
        ok(r == 1, "Alloc: got %d, expected 1\n", r);
        m_free(a);
    }
    if (c)
    {
        r = m_didalloc(c);
        ok(r == 1, "Realloc: got %d, expected 1\n", r);
        m_free(c);
    }
    else m_free(b);
    if (d)
    {
        r = m_didalloc(d);
        ok(r == 1, "CoTaskMemAlloc: got %d, expected 1\n", r);
        pCoTaskMemFree(d);
    }
}

/* Observed on Windows. */
static void test_didalloc_one(void)
{
    int r = m_didalloc((void *)1);

    ok(r == 0, "got %d, expected 0\n", r);
}

/* Observed on Windows. */
static void test_didalloc_interior(void)
{
    BYTE *p = m_alloc(16);
    int r;

    ok(p != NULL, "Alloc(16) returned NULL\n");
    if (!p) return;
    r = m_didalloc(p + 4);
    ok(r == 0, "got %d, expected 0\n", r);
    m_free(p);
}

static void test_didalloc_stack(void)
{
    BYTE buffer[64];
    int r;

    memset(buffer, 0, sizeof(buffer));
    r = m_didalloc(buffer);
    ok(r != 1, "got %d, expected 0 or -1\n", r);
}

static void test_didalloc_stack_value(void)
{
    BYTE buffer[64];

    memset(buffer, 0, sizeof(buffer));
    trace("observed: %d\n", m_didalloc(buffer));
}

static void test_didalloc_process_heap(void)
{
    void *p = HeapAlloc(GetProcessHeap(), 0, 16);

    if (!p)
    {
        trace("observed: HeapAlloc fails\n");
        return;
    }
    trace("observed: %d\n", m_didalloc(p));
    HeapFree(GetProcessHeap(), 0, p);
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (p)
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREDIDALLOC, SPY_ANY_PTR | SPY_ANY_SPYED },
            { SPY_POSTDIDALLOC, SPY_ANY_PTR | SPY_ANY_SPYED | SPY_ANY_ACTUAL },
        };
        mark = spy_mark();
        m_didalloc(p);
        spy_check_calls(spy, mark, exp);
        m_free(p);
    }
    spy_unregister();
}

static void test_predidalloc_pointer(void)
{
    BYTE buffer[64];
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p;

    p = m_alloc(10);
    if (!setup_check(p != NULL, "Alloc(10) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        mark = spy_mark();
        m_didalloc(p);
        c = spy_call_of(spy, mark, SPY_PREDIDALLOC);
        ok(c && c->ptr == p, "got %p, expected %p\n", c ? c->ptr : NULL, p);
        mark = spy_mark();
        m_didalloc(buffer);
        c = spy_call_of(spy, mark, SPY_PREDIDALLOC);
        ok(c && c->ptr == buffer, "got %p, expected %p\n", c ? c->ptr : NULL, buffer);
        spy_unregister();
    }
    m_free(p);
}

/* The PostDidAlloc call made when the caller passes "caller" and
 * PreDidAlloc returns "pre", or NULL. */
static struct spy_call *post_for(struct spy *spy, void *caller, void *pre)
{
    LONG mark = spy_mark();

    spy_override_ptr(spy, SPY_PREDIDALLOC, pre);
    m_didalloc(caller);
    spy_clear_override(spy, SPY_PREDIDALLOC);
    return spy_call_of(spy, mark, SPY_POSTDIDALLOC);
}

static void test_examines_predidalloc_result(void)
{
    BYTE buffer[64];
    struct spy_call *c;
    struct spy *spy;
    int forward = -2, reverse = -2;
    void *p;

    p = m_alloc(10);
    if (!setup_check(p != NULL, "Alloc(10) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((c = post_for(spy, buffer, p))) forward = c->actual;
        if ((c = post_for(spy, p, buffer))) reverse = c->actual;
        if (forward == 1 && reverse != 1) trace("observed: PreDidAlloc's pointer\n");
        else if (forward != 1 && reverse == 1) trace("observed: the caller's pointer\n");
        else trace("observed: fActual %d and %d\n", forward, reverse);
        spy_unregister();
    }
    m_free(p);
}

static void test_postdidalloc_pointer(void)
{
    BYTE buffer[64];
    struct spy_call *c;
    struct spy *spy;
    void *p;

    p = m_alloc(10);
    if (!setup_check(p != NULL, "Alloc(10) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        c = post_for(spy, buffer, p);
        ok(c && c->ptr == buffer, "got %p, expected the caller's %p (PreDidAlloc returned %p)\n",
           c ? c->ptr : NULL, buffer, p);
        c = post_for(spy, p, buffer);
        ok(c && c->ptr == p, "got %p, expected the caller's %p (PreDidAlloc returned %p)\n",
           c ? c->ptr : NULL, p, buffer);
        spy_unregister();
    }
    m_free(p);
}

/* With a pass-through spy the allocator examines the caller's pointer, so
 * its answer is known: 1 for a live block, not 1 for a stack buffer.  What
 * PostDidAlloc returns must not feed back into what it is told. */
static void test_postdidalloc_actual(void)
{
    BYTE buffer[64];
    struct spy_call *c;
    struct spy *spy;
    void *p;

    p = m_alloc(10);
    if (!setup_check(p != NULL, "Alloc(10) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        spy_override_int(spy, SPY_POSTDIDALLOC, 5);
        c = post_for(spy, p, p);
        ok(c && c->actual == 1, "live block: got fActual %d, expected 1\n", c ? c->actual : -2);
        c = post_for(spy, buffer, buffer);
        ok(c && c->actual != 1, "stack buffer: got fActual %d, expected 0 or -1\n", c ? c->actual : -2);
        spy_clear_override(spy, SPY_POSTDIDALLOC);
        spy_unregister();
    }
    m_free(p);
}

static void test_caller_gets_postdidalloc(void)
{
    BYTE buffer[64];
    struct spy *spy;
    void *p;
    int r;

    p = m_alloc(10);
    if (!setup_check(p != NULL, "Alloc(10) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
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
        spy_unregister();
    }
    m_free(p);
}

static void test_didalloc_null_with_spy(void)
{
    char buf[256];
    struct spy *spy;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    m_didalloc(NULL);
    spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
    trace("observed: %s\n", buf);
    spy_unregister();
}

/* Whatever spy calls DidAlloc(NULL) makes, a pass-through spy hands every
 * value back unchanged. */
static void test_didalloc_null_result_with_spy(void)
{
    int r;

    if (!spy_register_new(SPY_PASSTHROUGH)) return;
    r = m_didalloc(NULL);
    ok(r == -1, "got %d, expected -1\n", r);
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "DIDALLOC-01", test_didalloc_null },
    { "DIDALLOC-02", test_didalloc_live },
    { "DIDALLOC-03", test_didalloc_one },
    { "DIDALLOC-04", test_didalloc_interior },
    { "DIDALLOC-05", test_didalloc_stack },
    { "DIDALLOC-06", test_didalloc_stack_value, OBSERVATION },
    { "DIDALLOC-07", test_didalloc_process_heap, OBSERVATION },
    { "DIDALLOC-08", test_spy_calls },
    { "DIDALLOC-09", test_predidalloc_pointer },
    { "DIDALLOC-10", test_examines_predidalloc_result, OBSERVATION },
    { "DIDALLOC-11", test_postdidalloc_pointer },
    { "DIDALLOC-12", test_postdidalloc_actual },
    { "DIDALLOC-13", test_caller_gets_postdidalloc },
    { "DIDALLOC-14", test_didalloc_null_with_spy, OBSERVATION },
    { "DIDALLOC-16", test_didalloc_null_result_with_spy },
};

START_TEST(didalloc)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
