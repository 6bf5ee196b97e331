/*
 * fSpyed: the flag the allocator passes to the spy, TRUE for blocks
 * allocated (or successfully reallocated) while the spy is registered,
 * FALSE for blocks allocated before it was registered.
 *
 * Every test frees its blocks and revokes its spy even after a failure.
 */

#include "spy.h"

static const char *bool_name(BOOL b)
{
    return b ? "TRUE" : "FALSE";
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

/* What an undefined row observes: the fSpyed the spy saw in its first call
 * to method since mark. */
static void trace_spyed(struct spy *spy, LONG mark, enum spy_method method)
{
    struct spy_call *call = spy_call_of(spy, mark, method);

    if (call) trace("observed: %s\n", bool_name(call->spyed));
    else trace("observed: no %s\n", spy_method_name(method));
}

static void test_prefree_spied_block(void)
{
    struct spy *spy;
    void *p;
    LONG mark;

    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
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
        spy_unregister();
    }
}

static void test_prefree_unspied_block(void)
{
    struct spy *spy;
    void *p;
    LONG mark;

    p = m_alloc(16);
    ok(p != NULL, "Alloc(16) returned NULL\n");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        mark = spy_mark();
        m_free(p);
        p = NULL;
        spyed_of(spy, mark, SPY_PREFREE, FALSE, "block allocated before registration");
        spy_unregister();
    }
    m_free(p);
}

static void test_postfree_matches_prefree(void)
{
    struct spy *spy;
    struct spy_call *pre, *post;
    void *before, *after;
    LONG mark;
    int i;

    before = m_alloc(16);
    ok(before != NULL, "Alloc(16) returned NULL\n");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
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
        spy_unregister();
    }
    m_free(before);
}

static void test_prerealloc_spyed(void)
{
    struct spy *spy;
    void *before, *after, *q;
    LONG mark;

    before = m_alloc(16);
    ok(before != NULL, "Alloc(16) returned NULL\n");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
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
        spy_unregister();
    }
    m_free(before);
}

static void test_postrealloc_spied_block(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
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
        spy_unregister();
    }
}

static void test_postrealloc_unspied_block(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    p = m_alloc(16);
    setup_check(p != NULL, "Alloc(16) returned NULL\n");
    if (p && (spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        mark = spy_mark();
        q = m_realloc(p, 64);
        if (q) p = q;
        if (!q)
            trace("observed: Realloc failed\n");
        else
            trace_spyed(spy, mark, SPY_POSTREALLOC);
        m_free(p);
        p = NULL;
        spy_unregister();
    }
    m_free(p);
}

/* FSPYED-07 and -08 alike: GetSize or DidAlloc, whichever pre and post
 * belong to, on a block allocated before the registration and on one
 * allocated under the spy; both calls get the block's fSpyed. */
static void check_query_spyed(enum spy_method pre, enum spy_method post)
{
    struct spy *spy;
    void *before, *after;
    LONG mark;
    int i;

    before = m_alloc(16);
    ok(before != NULL, "Alloc(16) returned NULL\n");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        after = m_alloc(16);
        ok(after != NULL, "Alloc(16) returned NULL\n");
        for (i = 0; i < 2; i++)
        {
            void *p = i ? after : before;
            const char *what = i ? "block allocated under the spy" : "block allocated before registration";
            if (!p) continue;
            mark = spy_mark();
            if (pre == SPY_PREGETSIZE) m_getsize(p);
            else m_didalloc(p);
            spyed_of(spy, mark, pre, i, what);
            spyed_of(spy, mark, post, i, what);
        }
        m_free(after);
        m_free(before);
        before = NULL;
        spy_unregister();
    }
    m_free(before);
}

static void test_getsize_spyed(void)
{
    check_query_spyed(SPY_PREGETSIZE, SPY_POSTGETSIZE);
}

static void test_didalloc_spyed(void)
{
    check_query_spyed(SPY_PREDIDALLOC, SPY_POSTDIDALLOC);
}

static void test_reallocated_block_becomes_spied(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    p = m_alloc(16);
    ok(p != NULL, "Alloc(16) returned NULL\n");
    if (p && (spy = spy_register_new(SPY_PASSTHROUGH)))
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
        spy_unregister();
    }
    m_free(p);
}

static void test_didalloc_foreign_pointer(void)
{
    struct spy *spy;
    char stack[32];
    LONG mark;

    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        mark = spy_mark();
        m_didalloc(stack);
        trace_spyed(spy, mark, SPY_PREDIDALLOC);
        spy_unregister();
    }
}

static void test_realloc_null_spyed(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        mark = spy_mark();
        p = m_realloc(NULL, 16);
        trace_spyed(spy, mark, SPY_PREREALLOC);
        m_free(p);
        spy_unregister();
    }
}

/* A forced failure allocates nothing, so nothing is outstanding. */
static void test_forced_failure_leaves_nothing(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    spy->alloc_fault.kind = SPY_FAULT_ZERO;
    spy->alloc_fault.count = 1;
    p = m_alloc(16);
    ok(p == NULL, "Alloc with PreAlloc forcing a failure: got %p, expected NULL\n", p);
    hr = pCoRevokeMallocSpy();
    ok(hr == S_OK || (p && hr == E_ACCESSDENIED), "revoke: got %s, expected S_OK\n", str_hr(hr));
    m_free(p);
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "FSPYED-01", test_prefree_spied_block },
    { "FSPYED-02", test_prefree_unspied_block },
    { "FSPYED-03", test_postfree_matches_prefree },
    { "FSPYED-04", test_prerealloc_spyed },
    { "FSPYED-05", test_postrealloc_spied_block },
    { "FSPYED-06", test_postrealloc_unspied_block, OBSERVATION },
    { "FSPYED-07", test_getsize_spyed },
    { "FSPYED-08", test_didalloc_spyed },
    { "FSPYED-09", test_reallocated_block_becomes_spied },
    { "FSPYED-10", test_didalloc_foreign_pointer, OBSERVATION },
    { "FSPYED-11", test_realloc_null_spyed, OBSERVATION },
    { "FSPYED-12", test_forced_failure_leaves_nothing },
};

START_TEST(fspyed)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
