/*
 * fSpyed: the flag the allocator passes to the spy, TRUE for blocks
 * allocated (or successfully reallocated) while the spy is registered,
 * FALSE for blocks allocated before it was registered.
 *
 * Every test function checks one catalogue row, starts with no spy
 * registered and frees its blocks and revokes its spy even after a failure.
 */

#include "spy.h"

static const char *hr_name(HRESULT hr)
{
    static char buf[16];

    switch (hr)
    {
    case S_OK: return "S_OK";
    case E_INVALIDARG: return "E_INVALIDARG";
    case E_ACCESSDENIED: return "E_ACCESSDENIED";
    case CO_E_OBJISREG: return "CO_E_OBJISREG";
    case CO_E_OBJNOTREG: return "CO_E_OBJNOTREG";
    }
    snprintf(buf, sizeof(buf), "0x%08lx", (unsigned long)hr);
    return buf;
}

static const char *bool_name(BOOL b)
{
    return b ? "TRUE" : "FALSE";
}


/* Checks made while setting up or cleaning up.  They fail in a documented
 * row; in an undefined row (observing), which never fails, a broken setup
 * only skips. */
static BOOL observing;

static BOOL setup_check(BOOL cond, const char *fmt, ...) __WINE_PRINTF_ATTR(2,3);
static BOOL setup_check(BOOL cond, const char *fmt, ...)
{
    char buf[256];
    va_list args;

    va_start(args, fmt);
    vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);
    if (!observing) ok(cond, "%s", buf);
    else if (!cond) skip("%s", buf);
    return cond;
}

/* A new pass-through spy, registered; a failure line if that fails. */
static struct spy *start_spy(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    HRESULT hr;

    if (!spy)
    {
        setup_check(0, "cannot create a spy\n");
        return NULL;
    }
    hr = pCoRegisterMallocSpy(spy_iface(spy));
    setup_check(hr == S_OK, "CoRegisterMallocSpy returned %#lx, expected S_OK (is a spy left registered?)\n",
       (unsigned long)hr);
    return hr == S_OK ? spy : NULL;
}

/* Revokes the spy at the end of a test; every block the test made under
 * it must be freed by then, so anything but S_OK is reported. */
static void end_spy(void)
{
    HRESULT hr = pCoRevokeMallocSpy();

    setup_check(hr == S_OK || hr == CO_E_OBJNOTREG, "cleanup: CoRevokeMallocSpy returned %#lx, expected S_OK\n",
       (unsigned long)hr);
}

/* The first call to method of spy since mark, or NULL (with a failure line
 * naming what is missing). */
static struct spy_call *get_call(struct spy *spy, LONG mark, enum spy_method method)
{
    struct spy_call *call = spy_get_call(spy_find_call(spy, mark, method));

    ok(call != NULL, "no %s call\n", spy_method_name(method));
    return call;
}

/* The fSpyed the spy saw in its first call to method since mark. */
static BOOL spyed_of(struct spy *spy, LONG mark, enum spy_method method, BOOL expected, const char *what)
{
    struct spy_call *call = get_call(spy, mark, method);

    if (!call) return FALSE;
    ok(!call->spyed == !expected, "%s: got %s fSpyed %s, expected %s\n", what, spy_method_name(method),
       bool_name(call->spyed), bool_name(expected));
    return !call->spyed == !expected;
}

static void test_prefree_spied_block(void)
{
    struct spy *spy;
    void *p;
    LONG mark;

    push_behaviour("FSPYED-01");
    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        mark = spy_mark();
        m_free(p);
        if (p) spyed_of(spy, mark, SPY_PREFREE, TRUE, "block allocated under the spy");

        p = pCoTaskMemAlloc(16);
        ok(p != NULL, "CoTaskMemAlloc(16) returned NULL\n");
        mark = spy_mark();
        pCoTaskMemFree(p);
        if (p) spyed_of(spy, mark, SPY_PREFREE, TRUE, "block from CoTaskMemAlloc under the spy");
        end_spy();
    }
    winetest_pop_context();
}

static void test_prefree_unspied_block(void)
{
    struct spy *spy;
    void *p;
    LONG mark;

    push_behaviour("FSPYED-02");
    p = m_alloc(16);
    ok(p != NULL, "Alloc(16) returned NULL\n");
    if ((spy = start_spy()))
    {
        mark = spy_mark();
        m_free(p);
        p = NULL;
        spyed_of(spy, mark, SPY_PREFREE, FALSE, "block allocated before registration");
        end_spy();
    }
    m_free(p);
    winetest_pop_context();
}

static void test_postfree_matches_prefree(void)
{
    struct spy *spy;
    struct spy_call *pre, *post;
    void *before, *after;
    LONG mark;
    int i;

    push_behaviour("FSPYED-03");
    before = m_alloc(16);
    ok(before != NULL, "Alloc(16) returned NULL\n");
    if ((spy = start_spy()))
    {
        after = m_alloc(16);
        ok(after != NULL, "Alloc(16) returned NULL\n");
        for (i = 0; i < 2; i++)
        {
            void *p = i ? after : before;
            if (!p) continue;
            mark = spy_mark();
            m_free(p);
            pre = get_call(spy, mark, SPY_PREFREE);
            post = get_call(spy, mark, SPY_POSTFREE);
            if (pre && post)
                ok(!pre->spyed == !post->spyed, "block allocated %s registration: got PostFree fSpyed %s, expected %s (as PreFree)\n",
                   i ? "after" : "before", bool_name(post->spyed), bool_name(pre->spyed));
        }
        before = NULL;
        end_spy();
    }
    m_free(before);
    winetest_pop_context();
}

static void test_prerealloc_spyed(void)
{
    struct spy *spy;
    void *before, *after, *q;
    LONG mark;

    push_behaviour("FSPYED-04");
    before = m_alloc(16);
    ok(before != NULL, "Alloc(16) returned NULL\n");
    if ((spy = start_spy()))
    {
        after = m_alloc(16);
        ok(after != NULL, "Alloc(16) returned NULL\n");
        if (after)
        {
            mark = spy_mark();
            q = m_realloc(after, 32);
            spyed_of(spy, mark, SPY_PREREALLOC, TRUE, "block allocated under the spy");
            if (q) after = q;
        }
        if (before)
        {
            mark = spy_mark();
            q = m_realloc(before, 32);
            spyed_of(spy, mark, SPY_PREREALLOC, FALSE, "block allocated before registration");
            if (q) before = q;
        }
        /* both are spied now (or still unspied): free them under the spy */
        m_free(after);
        m_free(before);
        before = NULL;
        end_spy();
    }
    m_free(before);
    winetest_pop_context();
}

static void test_postrealloc_spied_block(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("FSPYED-05");
    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        if (p)
        {
            mark = spy_mark();
            q = m_realloc(p, 64);
            ok(q != NULL, "Realloc(p, 64) returned NULL\n");
            if (q)
            {
                spyed_of(spy, mark, SPY_POSTREALLOC, TRUE, "block allocated under the spy");
                p = q;
            }
            mark = spy_mark();
            q = pCoTaskMemRealloc(p, 4096);
            ok(q != NULL, "CoTaskMemRealloc(p, 4096) returned NULL\n");
            if (q)
            {
                spyed_of(spy, mark, SPY_POSTREALLOC, TRUE, "block reallocated under the spy");
                p = q;
            }
        }
        m_free(p);
        end_spy();
    }
    winetest_pop_context();
}

static void test_postrealloc_unspied_block(void)
{
    struct spy *spy;
    struct spy_call *call;
    void *p, *q;
    LONG mark;

    push_behaviour("FSPYED-06");
    observing = TRUE;
    p = m_alloc(16);
    setup_check(p != NULL, "Alloc(16) returned NULL\n");
    if (p && (spy = start_spy()))
    {
        mark = spy_mark();
        q = m_realloc(p, 64);
        if (q) p = q;
        if (!q)
            trace("observed: Realloc failed\n");
        else if ((call = spy_get_call(spy_find_call(spy, mark, SPY_POSTREALLOC))))
            trace("observed: %s\n", bool_name(call->spyed));
        else
            trace("observed: no PostRealloc\n");
        m_free(p);
        p = NULL;
        end_spy();
    }
    m_free(p);
    observing = FALSE;
    winetest_pop_context();
}

static void test_getsize_spyed(void)
{
    struct spy *spy;
    void *before, *after;
    LONG mark;
    int i;

    push_behaviour("FSPYED-07");
    before = m_alloc(16);
    ok(before != NULL, "Alloc(16) returned NULL\n");
    if ((spy = start_spy()))
    {
        after = m_alloc(16);
        ok(after != NULL, "Alloc(16) returned NULL\n");
        for (i = 0; i < 2; i++)
        {
            void *p = i ? after : before;
            const char *what = i ? "block allocated under the spy" : "block allocated before registration";
            if (!p) continue;
            mark = spy_mark();
            m_getsize(p);
            spyed_of(spy, mark, SPY_PREGETSIZE, i, what);
            spyed_of(spy, mark, SPY_POSTGETSIZE, i, what);
        }
        m_free(after);
        m_free(before);
        before = NULL;
        end_spy();
    }
    m_free(before);
    winetest_pop_context();
}

static void test_didalloc_spyed(void)
{
    struct spy *spy;
    void *before, *after;
    LONG mark;
    int i;

    push_behaviour("FSPYED-08");
    before = m_alloc(16);
    ok(before != NULL, "Alloc(16) returned NULL\n");
    if ((spy = start_spy()))
    {
        after = m_alloc(16);
        ok(after != NULL, "Alloc(16) returned NULL\n");
        for (i = 0; i < 2; i++)
        {
            void *p = i ? after : before;
            const char *what = i ? "block allocated under the spy" : "block allocated before registration";
            if (!p) continue;
            mark = spy_mark();
            m_didalloc(p);
            spyed_of(spy, mark, SPY_PREDIDALLOC, i, what);
            spyed_of(spy, mark, SPY_POSTDIDALLOC, i, what);
        }
        m_free(after);
        m_free(before);
        before = NULL;
        end_spy();
    }
    m_free(before);
    winetest_pop_context();
}

static void test_reallocated_block_becomes_spied(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("FSPYED-09");
    p = m_alloc(16);
    ok(p != NULL, "Alloc(16) returned NULL\n");
    if (p && (spy = start_spy()))
    {
        q = m_realloc(p, 100);
        ok(q != NULL, "Realloc(p, 100) returned NULL\n");
        if (q)
        {
            p = q;
            mark = spy_mark();
            m_getsize(p);
            spyed_of(spy, mark, SPY_PREGETSIZE, TRUE, "after Realloc under the spy");
            mark = spy_mark();
            m_didalloc(p);
            spyed_of(spy, mark, SPY_PREDIDALLOC, TRUE, "after Realloc under the spy");
            mark = spy_mark();
            m_free(p);
            spyed_of(spy, mark, SPY_PREFREE, TRUE, "after Realloc under the spy");
        }
        else m_free(p);
        p = NULL;
        end_spy();
    }
    m_free(p);
    winetest_pop_context();
}

static void test_didalloc_foreign_pointer(void)
{
    struct spy *spy;
    struct spy_call *call;
    char stack[32];
    LONG mark;

    push_behaviour("FSPYED-10");
    observing = TRUE;
    if ((spy = start_spy()))
    {
        mark = spy_mark();
        m_didalloc(stack);
        if ((call = spy_get_call(spy_find_call(spy, mark, SPY_PREDIDALLOC))))
            trace("observed: %s\n", bool_name(call->spyed));
        else
            trace("observed: no PreDidAlloc\n");
        end_spy();
    }
    observing = FALSE;
    winetest_pop_context();
}

static void test_realloc_null_spyed(void)
{
    struct spy *spy;
    struct spy_call *call;
    LONG mark;
    void *p;

    push_behaviour("FSPYED-11");
    observing = TRUE;
    if ((spy = start_spy()))
    {
        mark = spy_mark();
        p = m_realloc(NULL, 16);
        if ((call = spy_get_call(spy_find_call(spy, mark, SPY_PREREALLOC))))
            trace("observed: %s\n", bool_name(call->spyed));
        else
            trace("observed: no PreRealloc\n");
        m_free(p);
        end_spy();
    }
    observing = FALSE;
    winetest_pop_context();
}

static void test_forced_failure_leaves_nothing(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    push_behaviour("FSPYED-12");
    observing = TRUE;
    if ((spy = start_spy()))
    {
        spy->alloc_fault.kind = SPY_FAULT_ZERO;
        spy->alloc_fault.count = 1;
        p = m_alloc(16);
        setup_check(p == NULL, "Alloc with PreAlloc forcing a failure: got %p, expected NULL\n", p);
        hr = pCoRevokeMallocSpy();
        trace("observed: revoke %s\n", hr_name(hr));
        if (p) m_free(p);
        end_spy();
    }
    observing = FALSE;
    winetest_pop_context();
}

START_TEST(fspyed)
{
    if (!init_test()) return;

    test_prefree_spied_block();
    test_prefree_unspied_block();
    test_postfree_matches_prefree();
    test_prerealloc_spyed();
    test_postrealloc_spied_block();
    test_postrealloc_unspied_block();
    test_getsize_spyed();
    test_didalloc_spyed();
    test_reallocated_block_becomes_spied();
    test_didalloc_foreign_pointer();
    test_forced_failure_leaves_nothing();
    /* last: Realloc(NULL, n) may upset the bookkeeping of a broken
     * implementation, and with it every later revoke */
    test_realloc_null_spyed();
}
