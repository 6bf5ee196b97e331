/*
 * CoRevokeMallocSpy: return codes, the single Release, and the pending
 * revoke that completes by itself once the last spied block is freed (by
 * Free, by Realloc(p, 0), and what a Realloc that moves a block does).
 *
 * Every test frees its blocks and revokes its spy even after a failure.
 * Releases are checked by their net effect, the spy's reference count: an
 * implementation may AddRef and Release the spy around its calls.  Where
 * exactly the final Release comes is open (REVOKE-17), so a check waits for
 * it until the revoke is over from the caller's side.
 */

#include "spy.h"

/* Big enough that growing a 16-byte block to it moves the block. */
#define MOVE_SIZE (1024 * 1024)

/* A new pass-through spy, registered (spy_register_new).  The test keeps
 * its own reference, so from now on a call while only that reference is
 * left is a call after the implementation's final Release. */
static struct spy *start_spy(void)
{
    struct spy *spy = spy_register_new(SPY_PASSTHROUGH);

    if (spy) spy->dead_ref = 1;
    return spy;
}

/* Revokes expecting a pending revoke (E_ACCESSDENIED); FALSE otherwise,
 * with a failure line. */
static BOOL revoke_pending(void)
{
    HRESULT hr = pCoRevokeMallocSpy();

    setup_check(hr == E_ACCESSDENIED, "CoRevokeMallocSpy with a live spied block returned %s, expected E_ACCESSDENIED\n",
                str_hr(hr));
    return hr == E_ACCESSDENIED;
}

static BOOL released(struct spy *spy)
{
    return spy->ref == 1;
}

/* Where the spy's final Release came among its calls since mark:
 * "released after PostFree", "not released", ... */
static void describe_release(char *buf, size_t size, struct spy *spy, LONG mark)
{
    struct spy_call *release = spy_final_release(spy, mark), *call;
    const char *before = NULL;
    LONG i;

    if (!release)
    {
        snprintf(buf, size, "not released");
        return;
    }
    for (i = mark; i < release->index; i++)
        if ((call = spy_get_call(i)) && call->spy == spy && call->method > SPY_RELEASE)
            before = spy_method_name(call->method);
    if (before) snprintf(buf, size, "released after %s", before);
    else snprintf(buf, size, "released before any spy call");
}

/* The end of a revoke, from the caller's side: once CoRevokeMallocSpy says
 * no spy is registered, the implementation holds no reference. */
static void check_released_once(struct spy *spy, const char *what)
{
    HRESULT hr = pCoRevokeMallocSpy();

    ok(hr == CO_E_OBJNOTREG, "%s: revoke afterwards got %s, expected CO_E_OBJNOTREG\n", what, str_hr(hr));
    ok(spy->ref == 1, "%s: got ref %ld, expected 1 (released once)\n", what, spy->ref);
    ok(spy->calls_after_release == 0, "%s: got %ld spy calls after the final Release, expected 0\n", what,
       spy->calls_after_release);
}

/* Every operation, through IMalloc and CoTaskMem*, with fresh blocks. */
static void exercise_allocator(void)
{
    char stack[16];
    void *p, *q;

    p = m_alloc(24);
    if (p)
    {
        m_getsize(p);
        m_didalloc(p);
        q = m_realloc(p, 48);
        if (q) p = q;
        q = m_realloc(p, MOVE_SIZE);
        if (q) p = q;
        m_free(p);
    }
    p = m_realloc(NULL, 8);
    if (p) m_realloc(p, 0);
    m_didalloc(stack);
    m_heapminimize();
    p = pCoTaskMemAlloc(16);
    if (p)
    {
        q = pCoTaskMemRealloc(p, 32);
        pCoTaskMemFree(q ? q : p);
    }
}

static void test_revoke_nothing_registered(void)
{
    HRESULT hr;

    hr = pCoRevokeMallocSpy();
    ok(hr == CO_E_OBJNOTREG, "got %s, expected CO_E_OBJNOTREG\n", str_hr(hr));
}

static void test_revoke_releases_once(void)
{
    struct spy *spy;
    HRESULT hr;

    if ((spy = start_spy()))
    {
        ok(spy->ref == 2, "registered: got ref %ld, expected 2\n", spy->ref);
        hr = pCoRevokeMallocSpy();
        ok(hr == S_OK, "got %s, expected S_OK\n", str_hr(hr));
        ok(spy->ref == 1, "after revoke: got ref %ld, expected 1\n", spy->ref);
        if (hr != S_OK) spy_unregister();
    }
}

static void test_revoke_twice(void)
{
    struct spy *spy;
    HRESULT hr;

    if ((spy = start_spy()))
    {
        hr = pCoRevokeMallocSpy();
        ok(hr == S_OK, "first revoke: got %s, expected S_OK\n", str_hr(hr));
        hr = pCoRevokeMallocSpy();
        ok(hr == CO_E_OBJNOTREG, "second revoke: got %s, expected CO_E_OBJNOTREG\n", str_hr(hr));
        ok(spy->ref == 1, "got ref %ld, expected 1\n", spy->ref);
        if (hr != CO_E_OBJNOTREG) spy_unregister();
    }
}

static void test_revoke_with_live_block(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        hr = pCoRevokeMallocSpy();
        ok(hr == E_ACCESSDENIED, "got %s, expected E_ACCESSDENIED\n", str_hr(hr));
        ok(spy->ref == 2, "got ref %ld, expected 2 (not released)\n", spy->ref);
        m_free(p);
        spy_unregister();
    }
}

static void test_revoke_pending_free_calls_spy(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        q = m_alloc(16);
        ok(p && q, "Alloc(16) returned %p, %p\n", p, q);
        if (p && q && revoke_pending())
        {
            /* p is not the last live spied block: only PreFree and PostFree */
            const struct spy_expect expect[] =
            {
                { SPY_PREFREE, SPY_ANY_SPYED, p },
                { SPY_POSTFREE, SPY_ANY_SPYED },
                /* the PostHeapMinimize page says it follows any Free (HEAPMIN-03) */
                { SPY_PREHEAPMINIMIZE, SPY_OPTIONAL },
                { SPY_POSTHEAPMINIMIZE, SPY_OPTIONAL },
            };
            mark = spy_mark();
            m_free(p);
            spy_check_calls(spy, mark, expect);
            p = NULL;
        }
        m_free(p);
        m_free(q);
        spy_unregister();
    }
}

static void test_revoke_pending_realloc_calls_spy(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q, *r = NULL;
    LONG mark;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        q = m_alloc(16);
        ok(p && q, "Alloc(16) returned %p, %p\n", p, q);
        if (p && q && revoke_pending())
        {
            mark = spy_mark();
            r = m_realloc(p, 64);
            ok(spy_count_calls(spy, mark, SPY_PREREALLOC) == 1, "got %ld PreRealloc calls, expected 1\n",
               spy_count_calls(spy, mark, SPY_PREREALLOC));
            if ((call = spy_call_of(spy, mark, SPY_PREREALLOC)))
                ok(call->ptr == p && call->size == 64, "got PreRealloc(%p, %s), expected PreRealloc(%p, 64)\n",
                   call->ptr, str_size(call->size), p);
            if (r) p = r;
        }
        m_free(p);
        m_free(q);
        spy_unregister();
    }
}

/* Blocks freed one by one with free_func: the spy is not released before
 * the last one goes, and released exactly once by the end. */
static void check_completes_on_last_free(void (WINAPI *free_func)(void *), const char *what)
{
    struct spy *spy;
    void *b[3];
    int i;

    if (!(spy = start_spy())) return;
    for (i = 0; i < 3; i++) b[i] = pCoTaskMemAlloc(16);
    ok(b[0] && b[1] && b[2], "CoTaskMemAlloc(16) returned NULL\n");
    if (b[0] && b[1] && b[2] && revoke_pending())
    {
        for (i = 0; i < 2; i++)
        {
            free_func(b[i]);
            b[i] = NULL;
            ok(!released(spy), "%s: after freeing block %d of 3: released, expected not yet\n", what, i);
        }
        free_func(b[2]);
        b[2] = NULL;
        check_released_once(spy, what);
    }
    for (i = 0; i < 3; i++) free_func(b[i]);
    spy_unregister();
}

static void WINAPI imalloc_free(void *p)
{
    m_free(p);
}

static void test_revoke_completes_on_last_free(void)
{
    check_completes_on_last_free(imalloc_free, "IMalloc::Free");
}

static void test_revoke_completes_on_last_cotaskmemfree(void)
{
    check_completes_on_last_free(pCoTaskMemFree, "CoTaskMemFree");
}

static void test_revoke_pending_then_register(void)
{
    struct spy *spy, *next;
    HRESULT hr;
    void *p;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            m_free(p);
            p = NULL;
            next = spy_new(SPY_PASSTHROUGH);
            hr = pCoRegisterMallocSpy(spy_iface(next));
            ok(hr == S_OK, "registering a new spy: got %s, expected S_OK\n", str_hr(hr));
            if (hr == S_OK)
            {
                hr = pCoRevokeMallocSpy();
                ok(hr == S_OK, "revoking the new spy: got %s, expected S_OK\n", str_hr(hr));
                ok(next->ref == 1, "new spy: got ref %ld, expected 1\n", next->ref);
            }
        }
        m_free(p);
        spy_unregister();
    }
}

static void test_revoke_once_is_enough(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            m_free(p);
            p = NULL;
            hr = pCoRevokeMallocSpy();
            ok(hr == CO_E_OBJNOTREG, "got %s, expected CO_E_OBJNOTREG\n", str_hr(hr));
            ok(spy->ref == 1, "got ref %ld, expected 1\n", spy->ref);
        }
        m_free(p);
        spy_unregister();
    }
}

static void test_revoke_no_call_after_release(void)
{
    /* not Realloc(p, 0): whether that ends a pending revoke at all is
     * REVOKE-15's question */
    static const char *const how[] = { "Free", "a Realloc that moves it, then Free" };
    struct spy *spy;
    void *p, *q;
    int i;

    for (i = 0; i < ARRAY_SIZE(how); i++)
    {
        if (!(spy = start_spy())) break;
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            if (i == 0) m_free(p);
            else
            {
                q = m_realloc(p, MOVE_SIZE);
                m_free(q ? q : p);
            }
            p = NULL;
            /* whether a move counts as freeing is REVOKE-16's question:
             * only look for calls made after the final Release, whenever
             * it came */
            exercise_allocator();
        }
        m_free(p);
        spy_unregister();
        ok(spy->calls_after_release == 0, "last block freed by %s: got %ld calls after the final Release, expected 0\n",
           how[i], spy->calls_after_release);
    }
}

static void test_revoke_pending_alloc_goes_through_spy(void)
{
    struct spy *spy;
    void *p, *q = NULL;
    LONG mark;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        setup_check(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            mark = spy_mark();
            q = m_alloc(16);
            trace("observed: %s\n", spy_count_calls(spy, mark, SPY_PREALLOC) ? "through the spy" : "not through the spy");
        }
        m_free(q);
        m_free(p);
        spy_unregister();
    }
}

static void test_revoke_pending_alloc_spyed(void)
{
    struct spy *spy;
    struct spy_call *call;
    char spyed[32];
    void *p, *q = NULL;
    BOOL delays;
    LONG mark;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        setup_check(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            q = m_alloc(16);
            m_free(p);
            p = NULL;
            delays = !released(spy);
            mark = spy_mark();
            m_free(q);
            q = NULL;
            if ((call = spy_get_call(spy_find_call(spy, mark, SPY_PREFREE))))
                snprintf(spyed, sizeof(spyed), "%s", call->spyed ? "TRUE" : "FALSE");
            else
                snprintf(spyed, sizeof(spyed), "no PreFree");
            trace("observed: %s, %s\n", spyed, delays ? "delays the release" : "does not delay the release");
        }
        m_free(q);
        m_free(p);
        spy_unregister();
    }
}

static void test_revoke_twice_while_pending(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        setup_check(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            hr = pCoRevokeMallocSpy();
            trace("observed: %s\n", str_hr(hr));
        }
        m_free(p);
        spy_unregister();
    }
}

static void test_revoke_pending_register(void)
{
    struct spy *spy, *next;
    HRESULT hr;
    void *p;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        setup_check(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            next = spy_new(SPY_PASSTHROUGH);
            hr = pCoRegisterMallocSpy(spy_iface(next));
            trace("observed: %s\n", str_hr(hr));
            if (hr == S_OK)
            {
                /* the new spy now sees the Free of p; revoke it afterwards */
                m_free(p);
                p = NULL;
                pCoRevokeMallocSpy();
            }
        }
        m_free(p);
        spy_unregister();
    }
}

/* REVOKE-15 and -17 alike: one block allocated under spy, a revoke left
 * pending by it, then the block goes by Realloc(p, 0) (by_realloc) or by
 * Free.  buf says where the spy's Release came ("released after PostFree",
 * "not released", ...).  FALSE if that could not be set up. */
static BOOL free_last_block(struct spy *spy, BOOL by_realloc, char *buf, size_t size)
{
    BOOL done = FALSE;
    void *p;
    LONG mark;

    p = m_alloc(16);
    setup_check(p != NULL, "Alloc(16) returned NULL\n");
    if (p && revoke_pending())
    {
        mark = spy_mark();
        if (by_realloc) m_realloc(p, 0);
        else m_free(p);
        p = NULL;
        describe_release(buf, size, spy, mark);
        done = TRUE;
    }
    m_free(p);
    return done;
}

static void test_revoke_pending_realloc_zero(void)
{
    char buf[64];
    struct spy *spy;

    if ((spy = start_spy()))
    {
        if (free_last_block(spy, TRUE, buf, sizeof(buf))) trace("observed: %s\n", buf);
        spy_unregister();
    }
}

static void test_revoke_pending_realloc_move(void)
{
    char buf[64];
    struct spy *spy;
    void *p, *q;
    LONG mark;

    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        setup_check(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            mark = spy_mark();
            q = m_realloc(p, MOVE_SIZE);
            if (!q)
                trace("observed: Realloc failed\n");
            else if (q == p)
                trace("observed: block did not move\n");
            else
            {
                describe_release(buf, sizeof(buf), spy, mark);
                trace("observed: %s\n", buf);
            }
            if (q) p = q;
        }
        m_free(p);
        spy_unregister();
    }
}

static void test_revoke_pending_free_release_point(void)
{
    char buf[64];
    struct spy *spy;

    if ((spy = start_spy()))
    {
        /* "after PostFree", "after PreFree", "not released" */
        if (free_last_block(spy, FALSE, buf, sizeof(buf)))
            trace("observed: %s\n", strncmp(buf, "released ", 9) ? buf : buf + 9);
        spy_unregister();
    }
}

/* Reallocated under the spy, a block from before the registration is
 * spied (R7), hence outstanding until it is freed. */
static void test_revoke_reallocated_block_delays(void)
{
    struct spy *spy;
    void *p, *q;
    HRESULT hr;

    p = m_alloc(16);                        /* before registration */
    if (!setup_check(p != NULL, "Alloc(16) returned NULL\n")) return;
    if (!(spy = start_spy()))
    {
        m_free(p);
        return;
    }
    q = m_realloc(p, 32);
    ok(q != NULL, "Realloc(p, 32) returned NULL\n");
    if (q) p = q;
    hr = pCoRevokeMallocSpy();
    ok(hr == E_ACCESSDENIED, "revoke with the reallocated block live: got %s, expected E_ACCESSDENIED\n", str_hr(hr));
    ok(!released(spy), "revoke with the reallocated block live: released, expected not yet\n");
    m_free(p);
    spy_unregister();
}

static void test_revoke_pending_cotaskmemrealloc_zero(void)
{
    char buf[64];
    struct spy *spy;
    void *p;
    LONG mark;

    if (!(spy = start_spy())) return;
    p = pCoTaskMemAlloc(16);
    setup_check(p != NULL, "CoTaskMemAlloc(16) returned NULL\n");
    if (p && revoke_pending())
    {
        mark = spy_mark();
        pCoTaskMemRealloc(p, 0);
        p = NULL;
        describe_release(buf, sizeof(buf), spy, mark);
        trace("observed: %s\n", buf);
    }
    pCoTaskMemFree(p);
    spy_unregister();
}

/* Realloc(NULL, n) allocates "in the same way that IMalloc::Alloc does":
 * whatever spy calls it makes, its block is an allocation made while the
 * spy was active. */
static void test_realloc_null_block_outstanding(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    if (!(spy = start_spy())) return;
    p = m_realloc(NULL, 24);
    ok(p != NULL, "Realloc(NULL, 24) returned NULL\n");
    if (p)
    {
        hr = pCoRevokeMallocSpy();
        ok(hr == E_ACCESSDENIED, "revoke with the block live: got %s, expected E_ACCESSDENIED\n", str_hr(hr));
        ok(!released(spy), "revoke with the block live: released, expected not yet\n");
        m_free(p);
        if (hr == E_ACCESSDENIED) check_released_once(spy, "after freeing the block");
    }
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "REVOKE-01", test_revoke_nothing_registered },
    { "REVOKE-02", test_revoke_releases_once },
    { "REVOKE-03", test_revoke_twice },
    { "REVOKE-04", test_revoke_with_live_block },
    { "REVOKE-05", test_revoke_pending_free_calls_spy },
    { "REVOKE-06", test_revoke_pending_realloc_calls_spy },
    { "REVOKE-07", test_revoke_completes_on_last_free },
    { "REVOKE-19", test_revoke_completes_on_last_cotaskmemfree },
    { "REVOKE-08", test_revoke_pending_then_register },
    { "REVOKE-09", test_revoke_once_is_enough },
    { "REVOKE-10", test_revoke_no_call_after_release },
    { "REVOKE-11", test_revoke_pending_alloc_goes_through_spy, OBSERVATION },
    { "REVOKE-12", test_revoke_pending_alloc_spyed, OBSERVATION },
    { "REVOKE-13", test_revoke_twice_while_pending, OBSERVATION },
    { "REVOKE-14", test_revoke_pending_register, OBSERVATION },
    { "REVOKE-15", test_revoke_pending_realloc_zero, OBSERVATION },
    { "REVOKE-20", test_revoke_pending_cotaskmemrealloc_zero, OBSERVATION },
    { "REVOKE-16", test_revoke_pending_realloc_move, OBSERVATION },
    { "REVOKE-17", test_revoke_pending_free_release_point, OBSERVATION },
    { "REVOKE-18", test_revoke_reallocated_block_delays },
    { "REVOKE-21", test_realloc_null_block_outstanding },
};

START_TEST(revoke)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
