/*
 * White-box tests of refole32's bookkeeping: the set of spied blocks.
 *
 * This program compiles refole32.c itself, with REFOLE32_TEST_HOOKS
 * defined, so that it can reach the static state and make the set's growth
 * fail on demand (test_fail_table_growth).  The shipped DLL has no such hook.
 *
 * What is proven here cannot be seen through the exports: when the set
 * cannot grow, an Alloc or Realloc that would need a new entry returns NULL
 * before any spy call, allocates nothing, and leaves the tracking as it was;
 * everything else keeps working, and so does everything once growth works
 * again.
 */

#include "../refole32.c"
#include "wine/test.h"

/* ---- a spy that counts its calls and passes everything through ---- */

static LONG spy_refs = 1;
static int spy_calls;

static HRESULT WINAPI spy_QueryInterface(IMallocSpy *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMallocSpy))
    {
        *ppv = iface;
        spy_refs++;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI spy_AddRef(IMallocSpy *iface) { return ++spy_refs; }
static ULONG WINAPI spy_Release(IMallocSpy *iface) { return --spy_refs; }

static SIZE_T WINAPI spy_PreAlloc(IMallocSpy *iface, SIZE_T cb) { spy_calls++; return cb; }
static void * WINAPI spy_PostAlloc(IMallocSpy *iface, void *actual) { spy_calls++; return actual; }
static void * WINAPI spy_PreFree(IMallocSpy *iface, void *request, BOOL spied) { spy_calls++; return request; }
static void WINAPI spy_PostFree(IMallocSpy *iface, BOOL spied) { spy_calls++; }

static SIZE_T WINAPI spy_PreRealloc(IMallocSpy *iface, void *request, SIZE_T cb, void **new_request, BOOL spied)
{
    spy_calls++;
    *new_request = request;
    return cb;
}

static void * WINAPI spy_PostRealloc(IMallocSpy *iface, void *actual, BOOL spied) { spy_calls++; return actual; }
static void * WINAPI spy_PreGetSize(IMallocSpy *iface, void *request, BOOL spied) { spy_calls++; return request; }
static SIZE_T WINAPI spy_PostGetSize(IMallocSpy *iface, SIZE_T actual, BOOL spied) { spy_calls++; return actual; }
static void * WINAPI spy_PreDidAlloc(IMallocSpy *iface, void *request, BOOL spied) { spy_calls++; return request; }
static int WINAPI spy_PostDidAlloc(IMallocSpy *iface, void *request, BOOL spied, int actual) { spy_calls++; return actual; }
static void WINAPI spy_PreHeapMinimize(IMallocSpy *iface) { spy_calls++; }
static void WINAPI spy_PostHeapMinimize(IMallocSpy *iface) { spy_calls++; }

static IMallocSpyVtbl spy_vtbl =
{
    spy_QueryInterface, spy_AddRef, spy_Release,
    spy_PreAlloc, spy_PostAlloc, spy_PreFree, spy_PostFree,
    spy_PreRealloc, spy_PostRealloc, spy_PreGetSize, spy_PostGetSize,
    spy_PreDidAlloc, spy_PostDidAlloc, spy_PreHeapMinimize, spy_PostHeapMinimize,
};

static IMallocSpy counting_spy = { &spy_vtbl };

/* ---- helpers ---- */

static unsigned int heap_block_count(void)
{
    PROCESS_HEAP_ENTRY entry = { 0 };
    unsigned int count = 0;

    while (HeapWalk(task_heap, &entry))
        if (entry.wFlags & PROCESS_HEAP_ENTRY_BUSY) count++;
    return count;
}

/* Every pointer of blocks[0..count) is in the set, and the set holds nothing else. */
static BOOL set_is_exactly(void **blocks, unsigned int count)
{
    unsigned int i;

    if (spied_blocks.count != count) return FALSE;
    for (i = 0; i < count; i++) if (!spied_blocks_contains(blocks[i])) return FALSE;
    return TRUE;
}

/* ---- the tests ---- */

/* The set on its own: many inserts, removals in a scattered order (which
 * exercises the backward-shift deletion), lookups after each phase. */
static void test_set(void)
{
    enum { N = 5000 };
    static char storage[N * 16];
    unsigned int i, j, present;
    BOOL all_ok = TRUE;

    winetest_push_context("set");
    ok(!spied_blocks.count, "set not empty at start: %u\n", (unsigned int)spied_blocks.count);
    for (i = 0; i < N; i++)
    {
        if (!spied_blocks_reserve_one()) all_ok = FALSE;
        spied_blocks_insert(storage + i * 16);
    }
    ok(all_ok, "a reservation failed\n");
    spied_blocks_insert(storage);                  /* already there: a set never counts twice */
    ok(spied_blocks.count == N, "count %u after %u inserts\n", (unsigned int)spied_blocks.count, N);
    ok(spied_blocks.capacity >= 2 * N, "load factor above 1/2: capacity %u\n", (unsigned int)spied_blocks.capacity);
    ok((spied_blocks.capacity & (spied_blocks.capacity - 1)) == 0, "capacity %u not a power of two\n", (unsigned int)spied_blocks.capacity);

    /* remove every third entry, in a scattered order */
    for (i = 0, j = 0; i < N; i++, j = (j + 7919) % N)
        if (j % 3 == 0) spied_blocks_remove(storage + j * 16);
    for (i = 0, present = 0; i < N; i++)
    {
        BOOL expect = (i % 3) != 0;
        if (spied_blocks_contains(storage + i * 16) != expect) all_ok = FALSE;
        present += expect;
    }
    ok(all_ok, "lookups wrong after removals\n");
    ok(spied_blocks.count == present, "count %u, expected %u\n", (unsigned int)spied_blocks.count, present);
    ok(!spied_blocks_contains(storage + 8), "an interior pointer is reported as present\n");
    ok(!spied_blocks_contains(NULL), "NULL is reported as present\n");

    for (i = 0; i < N; i++) spied_blocks_remove(storage + i * 16);
    ok(!spied_blocks.count, "count %u after removing everything\n", (unsigned int)spied_blocks.count);
    for (i = 0; i < spied_blocks.capacity; i++) if (spied_blocks.slots[i]) all_ok = FALSE;
    ok(all_ok, "slots left behind after removing everything\n");

    /* Back to a never-used set, so that the next test starts from the minimum size. */
    HeapFree(GetProcessHeap(), 0, spied_blocks.slots);
    spied_blocks.slots = NULL;
    spied_blocks.capacity = 0;
    winetest_pop_context();
}

/* tests/catalogue.md, "Bookkeeping failure": the operation returns NULL
 * before calling the spy; nothing is allocated; tracking is unchanged. */
static void test_growth_failure(void)
{
    void *blocks[SPIED_BLOCKS_MIN_CAPACITY];
    unsigned int i, filled, heap_blocks;
    int calls;
    IMalloc *malloc;
    void *p, *q;

    winetest_push_context("growth failure");
    ok(CoGetMalloc(1, &malloc) == S_OK, "CoGetMalloc failed\n");
    ok(CoRegisterMallocSpy(&counting_spy) == S_OK, "register failed\n");

    /* Fill the set up to the point where the next entry needs growth. */
    for (filled = 0; (spied_blocks.count + 1) * 2 <= spied_blocks.capacity || !spied_blocks.capacity; filled++)
    {
        blocks[filled] = CoTaskMemAlloc(8);
        ok(blocks[filled] != NULL, "allocation %u failed\n", filled);
        memset(blocks[filled], 0x5a, 8);
    }
    ok(filled == SPIED_BLOCKS_MIN_CAPACITY / 2, "set full after %u blocks, expected %u\n", filled, SPIED_BLOCKS_MIN_CAPACITY / 2);
    ok(set_is_exactly(blocks, filled), "set does not hold exactly the spied blocks\n");

    test_fail_table_growth = TRUE;
    calls = spy_calls;
    heap_blocks = heap_block_count();

    ok(CoTaskMemAlloc(16) == NULL, "CoTaskMemAlloc succeeded without room in the set\n");
    ok(IMalloc_Alloc(malloc, 0) == NULL, "IMalloc::Alloc(0) succeeded without room in the set\n");
    ok(CoTaskMemRealloc(NULL, 16) == NULL, "Realloc(NULL, 16) succeeded without room in the set\n");
    ok(CoTaskMemRealloc(blocks[0], 4096) == NULL, "Realloc(p, 4096) succeeded without room in the set\n");
    ok(spy_calls == calls, "the spy was called %d times\n", spy_calls - calls);
    ok(heap_block_count() == heap_blocks, "heap blocks %u, expected %u: something was allocated\n",
       heap_block_count(), heap_blocks);
    ok(set_is_exactly(blocks, filled), "tracking changed\n");
    ok(HeapSize(task_heap, 0, blocks[0]) == 8 && !memcmp(blocks[0], "\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a", 8),
       "the block of the failed Realloc changed\n");

    /* Operations that add no entry still work, through the spy. */
    ok(IMalloc_GetSize(malloc, blocks[0]) == 8, "GetSize wrong\n");
    ok(IMalloc_DidAlloc(malloc, blocks[0]) == 1, "DidAlloc wrong\n");
    IMalloc_HeapMinimize(malloc);
    CoTaskMemFree(blocks[--filled]);        /* Free needs no room */
    ok(CoTaskMemRealloc(blocks[--filled], 0) == NULL, "Realloc(p, 0) returned non-NULL\n"); /* neither does this */
    ok(spy_calls == calls + 10, "spy calls %d, expected 10\n", spy_calls - calls);
    ok(set_is_exactly(blocks, filled), "tracking wrong after Free and Realloc(p, 0)\n");

    /* Room was made by the frees: one allocation fits again without growth. */
    blocks[filled] = CoTaskMemAlloc(8);
    ok(blocks[filled] != NULL, "allocation into a freed entry failed\n");
    filled++;

    /* Growth works again: everything does. */
    test_fail_table_growth = FALSE;
    for (i = 0; i < 3; i++)
    {
        blocks[filled] = CoTaskMemAlloc(8);
        ok(blocks[filled] != NULL, "allocation after growth came back failed\n");
        filled++;
    }
    ok(spied_blocks.capacity == 2 * SPIED_BLOCKS_MIN_CAPACITY, "capacity %u, expected %u\n", (unsigned int)spied_blocks.capacity, 2 * SPIED_BLOCKS_MIN_CAPACITY);
    ok(set_is_exactly(blocks, filled), "tracking wrong after growth\n");
    p = CoTaskMemRealloc(blocks[0], 4096);
    ok(p != NULL, "Realloc failed after growth came back\n");
    if (p) blocks[0] = p;
    ok(set_is_exactly(blocks, filled), "tracking wrong after Realloc\n");

    /* The revoke is pending until the last spied block goes, then completes. */
    ok(CoRevokeMallocSpy() == E_ACCESSDENIED, "revoke with live blocks did not fail\n");
    q = blocks[--filled];
    for (i = 0; i < filled; i++) CoTaskMemFree(blocks[i]);
    ok(spy_refs == 2, "spy released early: refs %ld\n", spy_refs);
    CoTaskMemFree(q);
    ok(spy_refs == 1, "spy not released after the last spied block: refs %ld\n", spy_refs);
    ok(!spied_blocks.count, "set not empty at the end: %u\n", (unsigned int)spied_blocks.count);
    ok(CoRevokeMallocSpy() == CO_E_OBJNOTREG, "spy still registered\n");
    winetest_pop_context();
}

START_TEST(internal)
{
    /* What the loader does for the DLL: create the heap and the lock. */
    ok(DllMain(GetModuleHandleA(NULL), DLL_PROCESS_ATTACH, NULL), "DllMain failed\n");

    test_set();
    test_growth_failure();
}
