/*
 * IUnknown on the allocator returned by CoGetMalloc.
 */

#include "spy.h"

static void test_qi_iunknown(void)
{
    void *unk = (void *)0xdeadbeef;
    HRESULT hr;

    hr = IMalloc_QueryInterface(test_malloc, &IID_IUnknown, &unk);
    ok(hr == S_OK, "got %s, expected S_OK\n", str_hr(hr));
    ok(unk != NULL && unk != (void *)0xdeadbeef, "got %p, expected an interface\n", unk);
    if (hr == S_OK && unk && unk != (void *)0xdeadbeef) IUnknown_Release((IUnknown *)unk);
}

static void test_qi_imalloc(void)
{
    void *m = (void *)0xdeadbeef;
    HRESULT hr;

    hr = IMalloc_QueryInterface(test_malloc, &IID_IMalloc, &m);
    ok(hr == S_OK, "got %s, expected S_OK\n", str_hr(hr));
    ok(m != NULL && m != (void *)0xdeadbeef, "got %p, expected an interface\n", m);
    if (hr == S_OK && m && m != (void *)0xdeadbeef) IMalloc_Release((IMalloc *)m);
}

static const GUID IID_random = {0x3f1c5e2a, 0x9b4d, 0x4c71, {0x8e, 0x1a, 0x52, 0x6d, 0x0b, 0x93, 0xa4, 0x17}};

static const struct { const IID *iid; const char *name; } other_iids[] =
{
    { &IID_IMallocSpy, "IID_IMallocSpy" },
    { &IID_IStream, "IID_IStream" },
    { &IID_IClassFactory, "IID_IClassFactory" },
    { &IID_random, "a random IID" },
};

/* COM's rule for every out pointer: NULL when the call fails.  (That the
 * allocator has none of these interfaces is IMALLOC-06's observation.) */
static void test_qi_other(void)
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(other_iids); i++)
    {
        void *obj = (void *)0xdeadbeef;
        HRESULT hr = IMalloc_QueryInterface(test_malloc, other_iids[i].iid, &obj);

        if (FAILED(hr)) ok(obj == NULL, "%s: %s, got %p, expected NULL\n", other_iids[i].name, str_hr(hr), obj);
        else if (obj) IUnknown_Release((IUnknown *)obj);
    }
}

static void test_qi_other_code(void)
{
    char buf[128] = "";
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(other_iids); i++)
    {
        void *obj = NULL;
        HRESULT hr = IMalloc_QueryInterface(test_malloc, other_iids[i].iid, &obj);

        if (SUCCEEDED(hr) && obj) IUnknown_Release((IUnknown *)obj);
        if (!strstr(buf, str_hr(hr))) snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", *buf ? " " : "", str_hr(hr));
    }
    trace("observed: %s\n", buf);
}

static void test_addref_release(void)
{
    ULONG a, r;

    a = IMalloc_AddRef(test_malloc);
    r = IMalloc_Release(test_malloc);
    trace("observed: AddRef %lu, Release %lu\n", (unsigned long)a, (unsigned long)r);
}

static void test_qi_same_pointer(void)
{
    void *unk = NULL, *m = NULL;

    IMalloc_QueryInterface(test_malloc, &IID_IUnknown, &unk);
    IMalloc_QueryInterface(test_malloc, &IID_IMalloc, &m);
    if (!unk || !m) trace("observed: QueryInterface failed\n");
    else if (unk == (void *)test_malloc && m == (void *)test_malloc) trace("observed: same pointer\n");
    else if (m == (void *)test_malloc) trace("observed: same pointer for IMalloc only\n");
    else trace("observed: different pointer\n");
    if (unk) IUnknown_Release((IUnknown *)unk);
    if (m) IMalloc_Release((IMalloc *)m);
}

static const struct behaviour behaviours[] =
{
    { "IMALLOC-01", test_qi_iunknown },
    { "IMALLOC-02", test_qi_imalloc },
    { "IMALLOC-03", test_qi_other },
    { "IMALLOC-04", test_addref_release, OBSERVATION },
    { "IMALLOC-05", test_qi_same_pointer, OBSERVATION },
    { "IMALLOC-06", test_qi_other_code, OBSERVATION },
};

START_TEST(imalloc)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
