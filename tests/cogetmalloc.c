/*
 * CoGetMalloc, and where the six functions are exported.
 */

#include "spy.h"
#include "exports.h"

/* Observed on Windows 8 and later (the functions moved to combase.dll);
 * systems without combase.dll skip. */
static void test_combase_exports(void)
{
    HMODULE module;
    unsigned int i;

    module = LoadLibraryA("combase.dll");
    if (!module)
    {
        skip("combase.dll is not available (error %lu)\n", GetLastError());
        return;
    }
    for (i = 0; i < ARRAY_SIZE(implementation_exports); i++)
        ok(GetProcAddress(module, implementation_exports[i]) != NULL, "combase.dll does not export %s\n",
           implementation_exports[i]);
    FreeLibrary(module);
}

static void test_task_context(void)
{
    IMalloc *m = (IMalloc *)0xdeadbeef;
    HRESULT hr;

    hr = pCoGetMalloc(1, &m);
    ok(hr == S_OK, "got %s, expected S_OK\n", str_hr(hr));
    ok(m != NULL && m != (IMalloc *)0xdeadbeef, "got %p, expected an allocator\n", m);
}

static void test_allocator_works(void)
{
    IMalloc *m = NULL;
    BYTE *p, *q;
    HRESULT hr;

    hr = pCoGetMalloc(1, &m);
    if (hr != S_OK || !m)
    {
        ok(0, "CoGetMalloc(1) returned %s, %p\n", str_hr(hr), m);
        return;
    }
    p = IMalloc_Alloc(m, 24);
    ok(p != NULL, "Alloc(24) returned NULL\n");
    if (p)
    {
        fill_pattern(p, 24, 3);
        q = IMalloc_Realloc(m, p, 200);
        ok(q != NULL, "Realloc(p, 200) returned NULL\n");
        if (q)
        {
            ok(check_pattern(q, 24, 3), "Realloc lost the contents\n");
            fill_pattern(q, 200, 4);
            ok(check_pattern(q, 200, 4), "the reallocated block does not hold 200 bytes\n");
            p = q;
        }
        IMalloc_Free(m, p);
    }
}

static const struct { DWORD context; const char *name; } bad_contexts[] =
{
    { 0, "0" },
    { MEMCTX_SHARED, "MEMCTX_SHARED" },
    { MEMCTX_MACSYSTEM, "MEMCTX_MACSYSTEM" },
    { (DWORD)MEMCTX_UNKNOWN, "MEMCTX_UNKNOWN" },
    { (DWORD)MEMCTX_SAME, "MEMCTX_SAME" },
};

/* Observed on Windows. */
static void test_bad_contexts(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(bad_contexts); i++)
    {
        IMalloc *m = (IMalloc *)0xdeadbeef;
        HRESULT hr = pCoGetMalloc(bad_contexts[i].context, &m);

        ok(hr == E_INVALIDARG, "%s: got %s, expected E_INVALIDARG\n", bad_contexts[i].name, str_hr(hr));
    }
}

static void test_failure_clears_out_pointer(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(bad_contexts); i++)
    {
        IMalloc *m = (IMalloc *)0xdeadbeef;
        HRESULT hr = pCoGetMalloc(bad_contexts[i].context, &m);

        if (FAILED(hr))
            ok(m == NULL, "%s: got %p, expected NULL\n", bad_contexts[i].name, m);
        else if (m && m != (IMalloc *)0xdeadbeef)
            IMalloc_Release(m);
    }
}

static void test_same_object(void)
{
    IMalloc *m1 = NULL, *m2 = NULL;

    pCoGetMalloc(1, &m1);
    pCoGetMalloc(1, &m2);
    if (!m1 || !m2) trace("observed: CoGetMalloc failed\n");
    else trace("observed: %s\n", m1 == m2 ? "same object" : "different objects");
}

/* Observed on Windows: CoGetMalloc and IMalloc::Release make no spy call.
 * Nothing known covers AddRef, so it is left out. */
static void test_no_spy_calls(void)
{
    IMalloc *m = NULL;
    struct spy *spy;
    LONG mark;
    HRESULT hr;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    hr = pCoGetMalloc(1, &m);
    ok(hr == S_OK && m, "CoGetMalloc(1) returned %s, %p\n", str_hr(hr), m);
    if (m) IMalloc_Release(m);
    spy_check_no_calls(spy, mark);
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "EXPORTS-02", test_combase_exports },
    { "COGETMALLOC-01", test_task_context },
    { "COGETMALLOC-02", test_allocator_works },
    { "COGETMALLOC-03", test_bad_contexts },
    { "COGETMALLOC-04", test_failure_clears_out_pointer },
    { "COGETMALLOC-05", test_same_object, OBSERVATION },
    { "COGETMALLOC-07", test_no_spy_calls },
};

START_TEST(cogetmalloc)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
