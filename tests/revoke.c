/*
 * CoRevokeMallocSpy: return codes, the single Release, and the pending
 * revoke that completes by itself once the last spied block is freed (by
 * Free, by Realloc(p, 0), and what a Realloc that moves a block does).
 *
 * Every test function checks one catalogue row, starts with no spy
 * registered and frees its blocks and revokes its spy even after a
 * failure.  A spy that an implementation never lets go stays registered:
 * the next test then reports that it cannot register, and goes on.
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

    setup_check(hr == E_ACCESSDENIED, "CoRevokeMallocSpy with a live spied block returned %#lx, expected E_ACCESSDENIED\n",
       (unsigned long)hr);
    return hr == E_ACCESSDENIED;
}

static BOOL released(struct spy *spy)
{
    return spy->ref == 1;
}

/* Where the spy's Release came among its calls since mark:
 * "released after PostFree", "not released", ... */
static void describe_release(char *buf, size_t size, struct spy *spy, LONG mark)
{
    LONG i = spy_find_call(spy, mark, SPY_RELEASE), j;
    struct spy_call *call;
    const char *before = NULL;

    if (i < 0)
    {
        snprintf(buf, size, "not released");
        return;
    }
    for (j = mark; j < i; j++)
        if ((call = spy_get_call(j)) && call->spy == spy) before = spy_method_name(call->method);
    if (before) snprintf(buf, size, "released after %s", before);
    else snprintf(buf, size, "released before any spy call");
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

    push_behaviour("REVOKE-01");
    cleanup_spy();
    hr = pCoRevokeMallocSpy();
    ok(hr == CO_E_OBJNOTREG, "got %#lx, expected CO_E_OBJNOTREG\n", (unsigned long)hr);
    winetest_pop_context();
}

static void test_revoke_releases_once(void)
{
    struct spy *spy;
    HRESULT hr;

    push_behaviour("REVOKE-02");
    if ((spy = start_spy()))
    {
        ok(spy->ref == 2, "registered: got ref %ld, expected 2\n", spy->ref);
        hr = pCoRevokeMallocSpy();
        ok(hr == S_OK, "got %#lx, expected S_OK\n", (unsigned long)hr);
        ok(spy->ref == 1, "after revoke: got ref %ld, expected 1\n", spy->ref);
        ok(spy->calls[SPY_RELEASE] == 1, "got %ld Release calls, expected 1\n", spy->calls[SPY_RELEASE]);
        if (hr != S_OK) spy_unregister();
    }
    winetest_pop_context();
}

static void test_revoke_twice(void)
{
    struct spy *spy;
    HRESULT hr;

    push_behaviour("REVOKE-03");
    if ((spy = start_spy()))
    {
        hr = pCoRevokeMallocSpy();
        ok(hr == S_OK, "first revoke: got %#lx, expected S_OK\n", (unsigned long)hr);
        hr = pCoRevokeMallocSpy();
        ok(hr == CO_E_OBJNOTREG, "second revoke: got %#lx, expected CO_E_OBJNOTREG\n", (unsigned long)hr);
        ok(spy->calls[SPY_RELEASE] == 1, "got %ld Release calls, expected 1\n", spy->calls[SPY_RELEASE]);
        if (hr != CO_E_OBJNOTREG) spy_unregister();
    }
    winetest_pop_context();
}

static void test_revoke_with_live_block(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    push_behaviour("REVOKE-04");
    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        hr = pCoRevokeMallocSpy();
        ok(hr == E_ACCESSDENIED, "got %#lx, expected E_ACCESSDENIED\n", (unsigned long)hr);
        ok(spy->ref == 2, "got ref %ld, expected 2 (not released)\n", spy->ref);
        ok(spy->calls[SPY_RELEASE] == 0, "got %ld Release calls, expected 0\n", spy->calls[SPY_RELEASE]);
        m_free(p);
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_revoke_pending_free_calls_spy(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("REVOKE-05");
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
    winetest_pop_context();
}

static void test_revoke_pending_realloc_calls_spy(void)
{
    struct spy *spy;
    void *p, *q, *r = NULL;
    LONG mark;

    push_behaviour("REVOKE-06");
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
            if (spy_find_call(spy, mark, SPY_PREREALLOC) >= 0)
            {
                struct spy_call *call = spy_get_call(spy_find_call(spy, mark, SPY_PREREALLOC));
                ok(call->ptr == p && call->size == 64, "got PreRealloc(%p, %lu), expected PreRealloc(%p, 64)\n",
                   call->ptr, (unsigned long)call->size, p);
            }
            if (r) p = r;
        }
        m_free(p);
        m_free(q);
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_revoke_completes_on_last_free(void)
{
    struct spy *spy;
    void *b[3], *moved;
    HRESULT hr;
    int i;

    push_behaviour("REVOKE-07");

    /* freed one by one with Free: released exactly once, by the last Free */
    if ((spy = start_spy()))
    {
        for (i = 0; i < 3; i++) b[i] = m_alloc(16);
        ok(b[0] && b[1] && b[2], "Alloc(16) returned NULL\n");
        if (b[0] && b[1] && b[2] && revoke_pending())
        {
            for (i = 0; i < 2; i++)
            {
                m_free(b[i]);
                b[i] = NULL;
                ok(!released(spy), "after freeing block %d of 3: released, expected not yet\n", i);
            }
            m_free(b[2]);
            b[2] = NULL;
            ok(spy->ref == 1, "after freeing the last block: got ref %ld, expected 1\n", spy->ref);
            ok(spy->calls[SPY_RELEASE] == 1, "after freeing the last block: got %ld Release calls, expected 1\n",
               spy->calls[SPY_RELEASE]);
        }
        for (i = 0; i < 3; i++) m_free(b[i]);
        spy_unregister();
    }

    /* freed by a Realloc that moves, a Realloc(p, 0) and Free: once all are
     * gone the spy has been released exactly once */
    if ((spy = start_spy()))
    {
        for (i = 0; i < 3; i++) b[i] = m_alloc(16);
        ok(b[0] && b[1] && b[2], "Alloc(16) returned NULL\n");
        if (b[0] && b[1] && b[2] && revoke_pending())
        {
            moved = m_realloc(b[0], MOVE_SIZE);
            ok(moved != NULL, "Realloc(p, %u) returned NULL\n", MOVE_SIZE);
            if (moved) b[0] = moved;
            ok(!released(spy), "after moving block 0 of 3: released, expected not yet\n");
            m_realloc(b[1], 0);
            b[1] = NULL;
            ok(!released(spy), "after Realloc(block 1 of 3, 0): released, expected not yet\n");
            m_free(b[2]);
            b[2] = NULL;
            m_free(b[0]);
            b[0] = NULL;
            ok(spy->ref == 1, "after freeing all blocks: got ref %ld, expected 1\n", spy->ref);
            ok(spy->calls[SPY_RELEASE] == 1, "after freeing all blocks: got %ld Release calls, expected 1\n",
               spy->calls[SPY_RELEASE]);
            hr = pCoRevokeMallocSpy();
            ok(hr == CO_E_OBJNOTREG, "revoke afterwards: got %#lx, expected CO_E_OBJNOTREG\n", (unsigned long)hr);
        }
        for (i = 0; i < 3; i++) m_free(b[i]);
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_revoke_pending_then_register(void)
{
    struct spy *spy, *next;
    HRESULT hr;
    void *p;

    push_behaviour("REVOKE-08");
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
            ok(hr == S_OK, "registering a new spy: got %#lx, expected S_OK\n", (unsigned long)hr);
            if (hr == S_OK)
            {
                hr = pCoRevokeMallocSpy();
                ok(hr == S_OK, "revoking the new spy: got %#lx, expected S_OK\n", (unsigned long)hr);
                ok(next->ref == 1, "new spy: got ref %ld, expected 1\n", next->ref);
            }
        }
        m_free(p);
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_revoke_once_is_enough(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    push_behaviour("REVOKE-09");
    if ((spy = start_spy()))
    {
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            m_free(p);
            p = NULL;
            hr = pCoRevokeMallocSpy();
            ok(hr == CO_E_OBJNOTREG, "got %#lx, expected CO_E_OBJNOTREG\n", (unsigned long)hr);
            ok(spy->calls[SPY_RELEASE] == 1, "got %ld Release calls, expected 1\n", spy->calls[SPY_RELEASE]);
        }
        m_free(p);
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_revoke_no_call_after_release(void)
{
    static const char *const how[] = { "Free", "Realloc(p, 0)", "a Realloc that moves it, then Free" };
    struct spy *spy;
    void *p, *q;
    int i;

    push_behaviour("REVOKE-10");
    for (i = 0; i < ARRAY_SIZE(how); i++)
    {
        if (!(spy = start_spy())) break;
        p = m_alloc(16);
        ok(p != NULL, "Alloc(16) returned NULL\n");
        if (p && revoke_pending())
        {
            switch (i)
            {
            case 0: m_free(p); break;
            case 1: m_realloc(p, 0); break;
            case 2:
                q = m_realloc(p, MOVE_SIZE);
                m_free(q ? q : p);
                break;
            }
            p = NULL;
            /* whether Realloc counts as freeing is REVOKE-15/16: only look
             * for calls made after a Release, whenever it came */
            exercise_allocator();
        }
        m_free(p);
        spy_unregister();
        ok(spy->calls_after_release == 0, "last block freed by %s: got %ld calls after the final Release, expected 0\n",
           how[i], spy->calls_after_release);
    }
    winetest_pop_context();
}

static void test_revoke_pending_alloc_goes_through_spy(void)
{
    struct spy *spy;
    void *p, *q = NULL;
    LONG mark;

    push_behaviour("REVOKE-11");
    observing = TRUE;
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
    observing = FALSE;
    winetest_pop_context();
}

static void test_revoke_pending_alloc_spyed(void)
{
    struct spy *spy;
    struct spy_call *call;
    char spyed[32];
    void *p, *q = NULL;
    BOOL delays;
    LONG mark;

    push_behaviour("REVOKE-12");
    observing = TRUE;
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
    observing = FALSE;
    winetest_pop_context();
}

static void test_revoke_twice_while_pending(void)
{
    struct spy *spy;
    HRESULT hr;
    void *p;

    push_behaviour("REVOKE-13");
    observing = TRUE;
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
    observing = FALSE;
    winetest_pop_context();
}

static void test_revoke_pending_register(void)
{
    struct spy *spy, *next;
    HRESULT hr;
    void *p;

    push_behaviour("REVOKE-14");
    observing = TRUE;
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
    observing = FALSE;
    winetest_pop_context();
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

    push_behaviour("REVOKE-15");
    observing = TRUE;
    if ((spy = start_spy()))
    {
        if (free_last_block(spy, TRUE, buf, sizeof(buf))) trace("observed: %s\n", buf);
        spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

static void test_revoke_pending_realloc_move(void)
{
    char buf[64];
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("REVOKE-16");
    observing = TRUE;
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
    observing = FALSE;
    winetest_pop_context();
}

static void test_revoke_pending_free_release_point(void)
{
    char buf[64];
    struct spy *spy;

    push_behaviour("REVOKE-17");
    observing = TRUE;
    if ((spy = start_spy()))
    {
        /* "after PostFree", "after PreFree", "not released" */
        if (free_last_block(spy, FALSE, buf, sizeof(buf)))
            trace("observed: %s\n", strncmp(buf, "released ", 9) ? buf : buf + 9);
        spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

static void test_revoke_reallocated_block_delays(void)
{
    struct spy *spy;
    void *p, *q;
    HRESULT hr;

    push_behaviour("REVOKE-18");
    observing = TRUE;
    p = m_alloc(16);                        /* before registration */
    setup_check(p != NULL, "Alloc(16) returned NULL\n");
    if (p && (spy = start_spy()))
    {
        q = m_realloc(p, 32);
        setup_check(q != NULL, "Realloc(p, 32) returned NULL\n");
        if (q) p = q;
        hr = pCoRevokeMallocSpy();
        if (hr == E_ACCESSDENIED && !released(spy))
            trace("observed: delays the release\n");
        else if (hr == S_OK && released(spy))
            trace("observed: does not delay the release\n");
        else
            trace("observed: revoke %s, %s\n", str_hr(hr), released(spy) ? "released" : "not released");
        m_free(p);
        p = NULL;
        spy_unregister();
    }
    m_free(p);
    observing = FALSE;
    winetest_pop_context();
}

START_TEST(revoke)
{
    if (!init_test()) return;

    test_revoke_nothing_registered();
    test_revoke_releases_once();
    test_revoke_twice();
    test_revoke_with_live_block();
    test_revoke_pending_free_calls_spy();
    test_revoke_pending_realloc_calls_spy();
    test_revoke_completes_on_last_free();
    test_revoke_pending_then_register();
    test_revoke_once_is_enough();
    test_revoke_no_call_after_release();
    test_revoke_pending_alloc_goes_through_spy();
    test_revoke_pending_alloc_spyed();
    test_revoke_twice_while_pending();
    test_revoke_pending_register();
    test_revoke_pending_realloc_zero();
    test_revoke_pending_realloc_move();
    test_revoke_pending_free_release_point();
    test_revoke_reallocated_block_delays();
}
