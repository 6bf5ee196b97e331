/*
 * The implementation under test: loading it, getting its allocator, and
 * the helpers every test shares.
 */

#include "mallocspy_test.h"
#include "implementation.h"

HRESULT (WINAPI *pCoGetMalloc)(DWORD, IMalloc **);
void *  (WINAPI *pCoTaskMemAlloc)(SIZE_T);
void    (WINAPI *pCoTaskMemFree)(void *);
void *  (WINAPI *pCoTaskMemRealloc)(void *, SIZE_T);
HRESULT (WINAPI *pCoRegisterMallocSpy)(IMallocSpy *);
HRESULT (WINAPI *pCoRevokeMallocSpy)(void);

IMalloc *test_malloc;
const char *impl_path = "";
const char *impl_version = "";

static struct implementation impl;

/* Loads the implementation and checks EXPORTS-01: once per process. */
static BOOL load_implementation(void)
{
    static int state;       /* 0: not tried, 1: loaded, -1: failed */
    char err[MAX_PATH + 128];

    if (state) return state > 0;
    if (implementation_load(&impl, implementation_default_name(), err, sizeof(err)))
    {
        state = -1;
        winetest_push_context("EXPORTS-01");
        ok(0, "%s\n", err);
        winetest_pop_context();
        return FALSE;
    }
    state = 1;
    impl_path = impl.path;
    impl_version = impl.version;
    pCoGetMalloc = impl.pCoGetMalloc;
    pCoTaskMemAlloc = impl.pCoTaskMemAlloc;
    pCoTaskMemFree = impl.pCoTaskMemFree;
    pCoTaskMemRealloc = impl.pCoTaskMemRealloc;
    pCoRegisterMallocSpy = impl.pCoRegisterMallocSpy;
    pCoRevokeMallocSpy = impl.pCoRevokeMallocSpy;

    trace("implementation: %s version %s\n", impl.path, impl.version);
    winetest_push_context("EXPORTS-01");
    if (winetest_debug > 1) trace("reached\n");
    ok(1, "all six functions are exported\n");
    winetest_pop_context();
    return TRUE;
}

/* CoGetMalloc(1, &test_malloc): once per process. */
static BOOL get_allocator(void)
{
    static int state;
    IMalloc *m = NULL;
    HRESULT hr;

    if (state) return state > 0;
    hr = pCoGetMalloc(1, &m);
    if (hr != S_OK || !m)
    {
        state = -1;
        winetest_push_context("COGETMALLOC-01");
        ok(0, "CoGetMalloc(1) returned %s, %p; cannot test the allocator\n", str_hr(hr), m);
        winetest_pop_context();
        return FALSE;
    }
    state = 1;
    test_malloc = m;
    return TRUE;
}

/* A minimal pass-through spy for warm_up(), outside the recording spy's log. */
static HRESULT WINAPI warm_QueryInterface(IMallocSpy *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMallocSpy)) { *ppv = iface; return S_OK; }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG WINAPI warm_AddRef(IMallocSpy *iface) { return 2; }
static ULONG WINAPI warm_Release(IMallocSpy *iface) { return 1; }
static SIZE_T WINAPI warm_PreAlloc(IMallocSpy *iface, SIZE_T cb) { return cb; }
static void *WINAPI warm_PostAlloc(IMallocSpy *iface, void *p) { return p; }
static void *WINAPI warm_PreFree(IMallocSpy *iface, void *p, BOOL spyed) { return p; }
static void WINAPI warm_PostFree(IMallocSpy *iface, BOOL spyed) {}
static SIZE_T WINAPI warm_PreRealloc(IMallocSpy *iface, void *p, SIZE_T cb, void **out, BOOL spyed) { *out = p; return cb; }
static void *WINAPI warm_PostRealloc(IMallocSpy *iface, void *p, BOOL spyed) { return p; }
static void *WINAPI warm_PreGetSize(IMallocSpy *iface, void *p, BOOL spyed) { return p; }
static SIZE_T WINAPI warm_PostGetSize(IMallocSpy *iface, SIZE_T cb, BOOL spyed) { return cb; }
static void *WINAPI warm_PreDidAlloc(IMallocSpy *iface, void *p, BOOL spyed) { return p; }
static int WINAPI warm_PostDidAlloc(IMallocSpy *iface, void *p, BOOL spyed, int actual) { return actual; }
static void WINAPI warm_PreHeapMinimize(IMallocSpy *iface) {}
static void WINAPI warm_PostHeapMinimize(IMallocSpy *iface) {}

static IMallocSpyVtbl warm_vtbl =
{
    warm_QueryInterface, warm_AddRef, warm_Release, warm_PreAlloc, warm_PostAlloc, warm_PreFree,
    warm_PostFree, warm_PreRealloc, warm_PostRealloc, warm_PreGetSize, warm_PostGetSize,
    warm_PreDidAlloc, warm_PostDidAlloc, warm_PreHeapMinimize, warm_PostHeapMinimize,
};
static IMallocSpy warm_spy = { &warm_vtbl };

/* See init_implementation() in mallocspy_test.h. */
static void warm_up(void)
{
    static BOOL done;
    void *p;

    if (done) return;
    done = TRUE;
    if (pCoRegisterMallocSpy(&warm_spy) != S_OK) return;
    p = m_alloc(1);
    m_free(p);
    pCoRevokeMallocSpy();
}

BOOL no_spy_registered(void)
{
    if (pCoRegisterMallocSpy(&warm_spy) != S_OK) return FALSE;
    return pCoRevokeMallocSpy() == S_OK;
}

BOOL init_implementation(unsigned int flags)
{
    if (!load_implementation()) return FALSE;
    if (flags & BEFORE_COGETMALLOC) return TRUE;
    if (!get_allocator()) return FALSE;
    if (!(flags & NO_WARMUP)) warm_up();
    return TRUE;
}

void fill_pattern(void *p, SIZE_T n, unsigned seed)
{
    BYTE *b = p;
    SIZE_T i;

    for (i = 0; i < n; i++) b[i] = (BYTE)(seed * 131 + i * 7 + (i >> 8));
}

BOOL check_pattern(const void *p, SIZE_T n, unsigned seed)
{
    const BYTE *b = p;
    SIZE_T i;

    for (i = 0; i < n; i++)
        if (b[i] != (BYTE)(seed * 131 + i * 7 + (i >> 8))) return FALSE;
    return TRUE;
}

const char *str_size(SIZE_T value)
{
    static char buffers[32][32];
    static LONG next;
    char *buf = buffers[(InterlockedIncrement(&next) - 1) & 31], tmp[32];
    int i = 0, j = 0;

    if (value == (SIZE_T)-1) return "-1";
    do { tmp[i++] = (char)('0' + value % 10); value /= 10; } while (value);
    while (i) buf[j++] = tmp[--i];
    buf[j] = 0;
    return buf;
}

const char *str_hr(HRESULT hr)
{
    static char buffers[16][16];
    static LONG next;
    char *buf;

    switch (hr)
    {
    case S_OK: return "S_OK";
    case S_FALSE: return "S_FALSE";
    case E_INVALIDARG: return "E_INVALIDARG";
    case E_ACCESSDENIED: return "E_ACCESSDENIED";
    case E_NOINTERFACE: return "E_NOINTERFACE";
    case E_OUTOFMEMORY: return "E_OUTOFMEMORY";
    case E_POINTER: return "E_POINTER";
    case CO_E_OBJISREG: return "CO_E_OBJISREG";
    case CO_E_OBJNOTREG: return "CO_E_OBJNOTREG";
    }
    buf = buffers[(InterlockedIncrement(&next) - 1) & 15];
    snprintf(buf, 16, "0x%08lx", (unsigned long)hr);
    return buf;
}
