/*
 * CoRegisterMallocSpy: return codes, the QueryInterface it makes, the
 * reference it keeps, misbehaving spies (a failing QueryInterface, one that
 * hands out another object) and the scope of a registration.
 *
 * References are checked by their net effect only: an implementation may
 * AddRef and Release the spy around its calls (REGISTER-14), so no check
 * counts those calls outside the registration itself.
 */

#include "spy.h"

/* One of every operation, through IMalloc and through CoTaskMem*. */
static void exercise_allocator(void)
{
    void *p, *q;

    p = m_alloc(24);
    if (p)
    {
        m_getsize(p);
        m_didalloc(p);
        q = m_realloc(p, 48);
        m_free(q ? q : p);
    }
    m_heapminimize();
    p = pCoTaskMemAlloc(16);
    if (p)
    {
        q = pCoTaskMemRealloc(p, 32);
        pCoTaskMemFree(q ? q : p);
    }
}

static void test_register_returns_s_ok(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    HRESULT hr;

    hr = pCoRegisterMallocSpy(spy_iface(spy));
    ok(hr == S_OK, "got %s, expected S_OK\n", str_hr(hr));
    spy_unregister();
}

static void test_register_null(void)
{
    HRESULT hr;

    hr = pCoRegisterMallocSpy(NULL);
    ok(hr == E_INVALIDARG, "got %s, expected E_INVALIDARG\n", str_hr(hr));
    if (hr == S_OK) pCoRevokeMallocSpy();
}

static void test_register_null_while_registered(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    HRESULT hr;

    if (spy_register(spy))
    {
        hr = pCoRegisterMallocSpy(NULL);
        ok(hr == E_INVALIDARG, "got %s, expected E_INVALIDARG\n", str_hr(hr));
        spy_unregister();
    }
}

static void test_register_same_spy_twice(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    HRESULT hr;

    if (spy_register(spy))
    {
        hr = pCoRegisterMallocSpy(spy_iface(spy));
        ok(hr == CO_E_OBJISREG, "got %s, expected CO_E_OBJISREG\n", str_hr(hr));
        spy_unregister();
        if (hr == S_OK) pCoRevokeMallocSpy();
    }
}

static void test_register_queries_imallocspy(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    struct spy_call *call;
    LONG mark = spy_mark(), i, found = -1;

    if (spy_register(spy))
    {
        for (i = spy_find_call(spy, mark, SPY_QI); i >= 0; i = spy_find_call(spy, i + 1, SPY_QI))
        {
            call = spy_get_call(i);
            if (call && IsEqualIID(&call->iid, &IID_IMallocSpy))
            {
                found = i;
                break;
            }
        }
        ok(found >= 0, "got %ld QueryInterface calls, none for IID_IMallocSpy; expected QueryInterface(IID_IMallocSpy)\n",
           spy_count_calls(spy, mark, SPY_QI));
        spy_unregister();
    }
}

static void test_register_reference(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    LONG mark;

    ok(spy->ref == 1, "before registration: got ref %ld, expected 1\n", spy->ref);
    mark = spy_mark();
    if (!spy_register(spy)) return;
    ok(spy->ref == 2, "after registration: got ref %ld, expected 2\n", spy->ref);
    ok(spy_count_calls(spy, mark, SPY_ADDREF) == 0,
       "registration made %ld AddRef calls, expected 0 (the reference comes from QueryInterface)\n",
       spy_count_calls(spy, mark, SPY_ADDREF));
    spy_unregister();
}

static void test_register_qi_fails(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    LONG mark;
    HRESULT hr;

    spy->qi = SPY_QI_FAIL;
    mark = spy_mark();
    hr = pCoRegisterMallocSpy(spy_iface(spy));
    ok(FAILED(hr), "got %s, expected a failure\n", str_hr(hr));
    ok(spy->ref == 1, "got ref %ld, expected 1\n", spy->ref);
    ok(spy_count_calls(spy, mark, SPY_ADDREF) == 0, "got %ld AddRef calls, expected 0\n",
       spy_count_calls(spy, mark, SPY_ADDREF));

    /* nothing was kept: the spy is never called, and nothing is registered */
    mark = spy_mark();
    exercise_allocator();
    spy_check_no_calls(spy, mark);
    hr = pCoRevokeMallocSpy();
    ok(hr == CO_E_OBJNOTREG, "revoke after the refused registration: got %s, expected CO_E_OBJNOTREG\n", str_hr(hr));
    ok(spy->ref == 1, "at the end: got ref %ld, expected 1\n", spy->ref);
}

static void test_register_qi_fails_code(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    HRESULT hr;

    spy->qi = SPY_QI_FAIL;
    hr = pCoRegisterMallocSpy(spy_iface(spy));
    trace("observed: %s\n", str_hr(hr));
    if (hr == S_OK) spy_unregister();
}

static void test_register_qi_other_object(void)
{
    struct spy *outer = spy_new(SPY_PASSTHROUGH), *inner = spy_new(SPY_PASSTHROUGH);
    LONG mark;
    HRESULT hr;
    void *p;

    outer->name = "outer";
    inner->name = "inner";
    outer->qi = SPY_QI_OTHER;
    outer->qi_other = inner;
    if (spy_register(outer))
    {
        ok(outer->ref == 1, "object passed in: got ref %ld, expected 1\n", outer->ref);
        ok(inner->ref == 2, "object from QueryInterface: got ref %ld, expected 2\n", inner->ref);

        mark = spy_mark();
        p = m_alloc(10);
        ok(spy_count_calls(inner, mark, SPY_PREALLOC) == 1,
           "object from QueryInterface: got %ld PreAlloc calls, expected 1\n", spy_count_calls(inner, mark, SPY_PREALLOC));
        ok(spy_count_calls(outer, mark, -1) == 0,
           "object passed in: got %ld calls, expected 0\n", spy_count_calls(outer, mark, -1));
        m_free(p);

        hr = pCoRevokeMallocSpy();
        ok(hr == S_OK, "revoke: got %s, expected S_OK\n", str_hr(hr));
        ok(inner->ref == 1, "object from QueryInterface after revoke: got ref %ld, expected 1\n", inner->ref);
        ok(outer->ref == 1, "object passed in after revoke: got ref %ld, expected 1\n", outer->ref);
        if (hr != S_OK) spy_unregister();
    }
}

static void test_register_other_spy_while_registered(void)
{
    struct spy *first = spy_new(SPY_PASSTHROUGH), *second = spy_new(SPY_PASSTHROUGH);
    HRESULT hr;

    if (spy_register(first))
    {
        hr = pCoRegisterMallocSpy(spy_iface(second));
        trace("observed: %s\n", str_hr(hr));
        if (hr == S_OK) pCoRevokeMallocSpy();
        spy_unregister();
    }
}

static void test_register_refused_without_qi(void)
{
    struct spy *first = spy_new(SPY_PASSTHROUGH), *second = spy_new(SPY_PASSTHROUGH);
    HRESULT hr;

    if (spy_register(first))
    {
        hr = pCoRegisterMallocSpy(spy_iface(second));
        if (hr == S_OK)
            trace("observed: accepted\n");
        else if (!second->calls[SPY_QI])
            trace("observed: no QueryInterface\n");
        else
            trace("observed: QueryInterface, %s\n", second->ref == 1 ? "released" : "reference kept");
        if (hr == S_OK) pCoRevokeMallocSpy();
        spy_unregister();
    }
}

struct thread_alloc
{
    LONG mark;
    DWORD tid;
};

static DWORD WINAPI alloc_thread(void *arg)
{
    struct thread_alloc *t = arg;
    void *p;

    t->tid = GetCurrentThreadId();
    p = pCoTaskMemAlloc(12);
    pCoTaskMemFree(p);
    return 0;
}

/* "whenever there is a call to IMalloc::Alloc, from whatever source": a
 * thread other than the registering one is a source too. */
static void test_register_process_wide(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    struct thread_alloc t = { 0 };
    HANDLE thread;

    if (spy_register(spy))
    {
        t.mark = spy_mark();
        thread = CreateThread(NULL, 0, alloc_thread, &t, 0, NULL);
        setup_check(thread != NULL, "CreateThread failed, error %lu\n", GetLastError());
        if (thread)
        {
            if (WaitForSingleObject(thread, 5000) != WAIT_OBJECT_0)
                setup_check(0, "the allocating thread did not finish within 5 s\n");
            else
            {
                ok(spy_find_call_on(spy, t.mark, SPY_PREALLOC, t.tid) >= 0,
                   "the spy saw no PreAlloc from the other thread\n");
            }
            CloseHandle(thread);
        }
        spy_unregister();
    }
}

static void test_register_no_net_reference(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);

    if (!spy_register(spy)) return;
    exercise_allocator();
    ok(spy->ref == 2, "got ref %ld, expected 2\n", spy->ref);
    spy_unregister();
}

static void test_register_refcount_traffic(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    LONG mark, addref, release;

    if (!spy_register(spy)) return;
    mark = spy_mark();
    exercise_allocator();
    addref = spy_count_calls(spy, mark, SPY_ADDREF);
    release = spy_count_calls(spy, mark, SPY_RELEASE);
    if (!addref && !release) trace("observed: none\n");
    else trace("observed: %s AddRef and Release calls\n", addref == release ? "paired" : "unpaired");
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "REGISTER-01", test_register_returns_s_ok },
    { "REGISTER-02", test_register_null },
    { "REGISTER-03", test_register_null_while_registered },
    { "REGISTER-04", test_register_same_spy_twice },
    { "REGISTER-05", test_register_queries_imallocspy },
    { "REGISTER-06", test_register_reference },
    { "REGISTER-07", test_register_qi_fails },
    { "REGISTER-08", test_register_qi_other_object },
    { "REGISTER-09", test_register_other_spy_while_registered, OBSERVATION },
    { "REGISTER-10", test_register_refused_without_qi, OBSERVATION },
    { "REGISTER-11", test_register_process_wide },
    { "REGISTER-12", test_register_no_net_reference },
    { "REGISTER-13", test_register_qi_fails_code, OBSERVATION },
    { "REGISTER-14", test_register_refcount_traffic, OBSERVATION },
};

START_TEST(register)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
