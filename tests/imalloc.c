/*
 * IUnknown on the allocator returned by CoGetMalloc.
 */

#include "spy.h"

static void test_qi_iunknown(void)
{
    void *unk = (void *)0xdeadbeef;
    HRESULT hr;

    push_behaviour("IMALLOC-01");
    hr = IMalloc_QueryInterface(test_malloc, &IID_IUnknown, &unk);
    ok(hr == S_OK, "got %s, expected S_OK\n", str_hr(hr));
    ok(unk != NULL && unk != (void *)0xdeadbeef, "got %p, expected an interface\n", unk);
    if (hr == S_OK && unk && unk != (void *)0xdeadbeef) IUnknown_Release((IUnknown *)unk);
    winetest_pop_context();
}

static void test_qi_imalloc(void)
{
    void *m = (void *)0xdeadbeef;
    HRESULT hr;

    push_behaviour("IMALLOC-02");
    hr = IMalloc_QueryInterface(test_malloc, &IID_IMalloc, &m);
    ok(hr == S_OK, "got %s, expected S_OK\n", str_hr(hr));
    ok(m != NULL && m != (void *)0xdeadbeef, "got %p, expected an interface\n", m);
    if (hr == S_OK && m && m != (void *)0xdeadbeef) IMalloc_Release((IMalloc *)m);
    winetest_pop_context();
}

static void test_qi_other(void)
{
    static const GUID IID_random = {0x3f1c5e2a, 0x9b4d, 0x4c71, {0x8e, 0x1a, 0x52, 0x6d, 0x0b, 0x93, 0xa4, 0x17}};
    static const struct { const IID *iid; const char *name; } iids[] =
    {
        { &IID_IMallocSpy, "IID_IMallocSpy" },
        { &IID_IStream, "IID_IStream" },
        { &IID_IClassFactory, "IID_IClassFactory" },
        { &IID_random, "a random IID" },
    };
    unsigned int i;

    push_behaviour("IMALLOC-03");
    for (i = 0; i < ARRAY_SIZE(iids); i++)
    {
        void *obj = (void *)0xdeadbeef;
        HRESULT hr = IMalloc_QueryInterface(test_malloc, iids[i].iid, &obj);

        ok(hr == E_NOINTERFACE, "%s: got %s, expected E_NOINTERFACE\n", iids[i].name, str_hr(hr));
        ok(obj == NULL, "%s: got %p, expected NULL\n", iids[i].name, obj);
        if (SUCCEEDED(hr) && obj && obj != (void *)0xdeadbeef) IUnknown_Release((IUnknown *)obj);
    }
    winetest_pop_context();
}

static void test_addref_release(void)
{
    ULONG a, r;

    push_behaviour("IMALLOC-04");
    a = IMalloc_AddRef(test_malloc);
    r = IMalloc_Release(test_malloc);
    trace("observed: AddRef %lu, Release %lu\n", (unsigned long)a, (unsigned long)r);
    winetest_pop_context();
}

static void test_qi_same_pointer(void)
{
    void *unk = NULL, *m = NULL;

    push_behaviour("IMALLOC-05");
    IMalloc_QueryInterface(test_malloc, &IID_IUnknown, &unk);
    IMalloc_QueryInterface(test_malloc, &IID_IMalloc, &m);
    if (!unk || !m) trace("observed: QueryInterface failed\n");
    else if (unk == (void *)test_malloc && m == (void *)test_malloc) trace("observed: same pointer\n");
    else if (m == (void *)test_malloc) trace("observed: same pointer for IMalloc only\n");
    else trace("observed: different pointer\n");
    if (unk) IUnknown_Release((IUnknown *)unk);
    if (m) IMalloc_Release((IMalloc *)m);
    winetest_pop_context();
}

START_TEST(imalloc)
{
    if (!init_test()) return;

    test_qi_iunknown();
    test_qi_imalloc();
    test_qi_other();
    test_addref_release();
    test_qi_same_pointer();
}
