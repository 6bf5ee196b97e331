/*
 * The pass-through spy: every Pre returns its input, every Post its input,
 * so what is measured is the implementation's own cost of having a spy.
 */

#include "bench.h"

/* Local copies so that only kernel32 is imported (no libuuid). */
static const GUID bench_IID_IUnknown =
    { 0x00000000, 0x0000, 0x0000, { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 } };
static const GUID bench_IID_IMallocSpy =
    { 0x0000001d, 0x0000, 0x0000, { 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46 } };

static struct pass_spy *impl_from_IMallocSpy(IMallocSpy *iface)
{
    return CONTAINING_RECORD(iface, struct pass_spy, IMallocSpy_iface);
}

static HRESULT WINAPI spy_QueryInterface(IMallocSpy *iface, REFIID riid, void **out)
{
    if (!memcmp(riid, &bench_IID_IUnknown, sizeof(GUID)) || !memcmp(riid, &bench_IID_IMallocSpy, sizeof(GUID)))
    {
        *out = iface;
        iface->lpVtbl->AddRef(iface);
        return S_OK;
    }
    *out = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI spy_AddRef(IMallocSpy *iface)
{
    return InterlockedIncrement(&impl_from_IMallocSpy(iface)->refs);
}

static ULONG WINAPI spy_Release(IMallocSpy *iface)
{
    /* The object is static: never freed, the count is only informative. */
    return InterlockedDecrement(&impl_from_IMallocSpy(iface)->refs);
}

static SIZE_T WINAPI spy_PreAlloc(IMallocSpy *iface, SIZE_T size)
{
    return size;
}

static void * WINAPI spy_PostAlloc(IMallocSpy *iface, void *actual)
{
    return actual;
}

static void * WINAPI spy_PreFree(IMallocSpy *iface, void *request, BOOL spyed)
{
    return request;
}

static void WINAPI spy_PostFree(IMallocSpy *iface, BOOL spyed)
{
}

static SIZE_T WINAPI spy_PreRealloc(IMallocSpy *iface, void *request, SIZE_T size, void **new_request, BOOL spyed)
{
    *new_request = request;
    return size;
}

static void * WINAPI spy_PostRealloc(IMallocSpy *iface, void *actual, BOOL spyed)
{
    return actual;
}

static void * WINAPI spy_PreGetSize(IMallocSpy *iface, void *request, BOOL spyed)
{
    return request;
}

static SIZE_T WINAPI spy_PostGetSize(IMallocSpy *iface, SIZE_T actual, BOOL spyed)
{
    return actual;
}

static void * WINAPI spy_PreDidAlloc(IMallocSpy *iface, void *request, BOOL spyed)
{
    return request;
}

static int WINAPI spy_PostDidAlloc(IMallocSpy *iface, void *request, BOOL spyed, int actual)
{
    return actual;
}

static void WINAPI spy_PreHeapMinimize(IMallocSpy *iface)
{
}

static void WINAPI spy_PostHeapMinimize(IMallocSpy *iface)
{
}

static IMallocSpyVtbl pass_spy_vtbl =
{
    spy_QueryInterface, spy_AddRef, spy_Release,
    spy_PreAlloc, spy_PostAlloc, spy_PreFree, spy_PostFree,
    spy_PreRealloc, spy_PostRealloc, spy_PreGetSize, spy_PostGetSize,
    spy_PreDidAlloc, spy_PostDidAlloc, spy_PreHeapMinimize, spy_PostHeapMinimize,
};

void pass_spy_init(struct pass_spy *spy)
{
    spy->IMallocSpy_iface.lpVtbl = &pass_spy_vtbl;
    spy->refs = 1;
}
