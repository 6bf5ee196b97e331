/*
 * White-box tests of refole32's bookkeeping: the live-block map that
 * answers DidAlloc, and the set of spied blocks.
 *
 * This program compiles refole32.c itself, with REFOLE32_TEST_HOOKS
 * defined, so that it can reach the static state and make the map's or the
 * set's growth fail on demand (test_fail_map_growth, test_fail_table_growth).
 * The shipped DLL has no such hook.
 *
 * What is proven here is not promised by the documentation, so the
 * conformance suite does not ask it of other implementations:
 * - DidAlloc answers for any pointer, a freed one whose memory was reused
 *   included, without crashing: 1 for a live block, else 0.
 * - When the map or the set cannot grow, an operation that needs it returns
 *   NULL, allocates nothing (before any spy call, for the set), and leaves
 *   the tracking as it was; everything else keeps working, and so does
 *   everything once growth works again.
 * - The set of spied blocks gives its memory back when its last block goes.
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

/* Live blocks of this allocator, as the map records them. */
static unsigned int marked_block_count(void)
{
    unsigned int count = 0;
    SIZE_T i, j, k;

    for (i = 0; i < 1 << LIVE_MAP_TOP_BITS; i++)
    {
        if (!live_map[i]) continue;
        for (j = 0; j < 1 << LIVE_MAP_MID_BITS; j++)
        {
            if (!live_map[i]->leaves[j]) continue;
            for (k = 0; k < ARRAY_SIZE(live_map[i]->leaves[j]->marks); k++)
                if (live_map[i]->leaves[j]->marks[k]) count++;
        }
    }
    return count;
}

static unsigned int random_next(unsigned int *state)
{
    unsigned int x = *state;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Bytes that read as block headers: sizes, flags and pointers made of
 * 0x00, 0x01, 0x02 and 0xff, as in the crash that HeapValidate had. */
static void fill_like_headers(BYTE *p, SIZE_T size, unsigned int *state)
{
    static const BYTE bytes[] = { 0x00, 0x01, 0x02, 0xff };
    SIZE_T i;

    for (i = 0; i < size; i++) p[i] = bytes[random_next(state) % ARRAY_SIZE(bytes)];
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
    spied_blocks_free();
    winetest_pop_context();
}

/* The set's memory goes back when its last block goes: the peak of a spy
 * does not stay allocated.  Not while an operation still needs it: a
 * Realloc of the last block removes it and inserts the result.  The
 * minimum size stays while the spy is registered, and nothing once it is
 * released. */
static void test_set_memory(void)
{
    enum { N = 20000 };
    static void *blocks[N];
    unsigned int i, failed = 0;
    void *p;

    winetest_push_context("set memory");
    ok(CoRegisterMallocSpy(&counting_spy) == S_OK, "register failed\n");
    for (i = 0; i < N; i++) if (!(blocks[i] = CoTaskMemAlloc(8))) failed++;
    ok(!failed, "%u allocations failed\n", failed);
    ok(spied_blocks.capacity >= 2 * N, "capacity %u, expected at least %u\n", (unsigned int)spied_blocks.capacity, 2 * N);
    for (i = 1; i < N; i++) CoTaskMemFree(blocks[i]);
    p = CoTaskMemRealloc(blocks[0], 4096);
    ok(p != NULL, "Realloc of the last spied block failed\n");
    ok(spied_blocks.count == 1 && spied_blocks_contains(p), "the reallocated block is not tracked: count %u\n",
       (unsigned int)spied_blocks.count);
    CoTaskMemFree(p ? p : blocks[0]);
    ok(!spied_blocks.slots && !spied_blocks.capacity, "the set kept %u slots after its last block went\n",
       (unsigned int)spied_blocks.capacity);

    CoTaskMemFree(CoTaskMemAlloc(8));
    ok(spied_blocks.slots && spied_blocks.capacity == SPIED_BLOCKS_MIN_CAPACITY,
       "capacity %u with the spy registered, expected %u\n", (unsigned int)spied_blocks.capacity, SPIED_BLOCKS_MIN_CAPACITY);
    ok(CoRevokeMallocSpy() == S_OK, "revoke failed\n");
    ok(!spied_blocks.slots && !spied_blocks.capacity, "the set kept %u slots after the spy was released\n",
       (unsigned int)spied_blocks.capacity);
    ok(spy_refs == 1, "spy refs %ld, expected 1\n", spy_refs);
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
    ok(!spied_blocks.slots, "the set kept %u slots after the revoke completed\n", (unsigned int)spied_blocks.capacity);
    ok(CoRevokeMallocSpy() == CO_E_OBJNOTREG, "spy still registered\n");
    winetest_pop_context();
}

/* The crash of issue 13: no spy; b is freed, and its memory is now the
 * middle of e, filled with bytes that read as a block header in front of
 * b.  DidAlloc(b) is 1 only if b is the start of a live block again. */
static void test_didalloc_freed_reused(void)
{
    static const BYTE headers[2][5] = { { 1, 0, 2, 0, 0 }, { 1, 0, 0, 0, 0 } };
    IMalloc *malloc;
    BYTE *a, *b, *c, *e;
    int i, expected, got;

    winetest_push_context("freed block reused");
    ok(CoGetMalloc(1, &malloc) == S_OK, "CoGetMalloc failed\n");
    for (i = 0; i < ARRAY_SIZE(headers); i++)
    {
        a = IMalloc_Alloc(malloc, 40);
        b = IMalloc_Alloc(malloc, 45);
        c = IMalloc_Alloc(malloc, 16);
        ok(a && b && c, "an allocation failed\n");
        IMalloc_Free(malloc, a);
        IMalloc_Free(malloc, b);
        e = IMalloc_Alloc(malloc, 45);
        ok(e != NULL, "Alloc(45) failed\n");
        if (!e) continue;
        memset(e + 32, 0xff, 8);
        memcpy(e + 40, headers[i], sizeof(headers[i]));
        expected = b == e ? 1 : 0;
        got = IMalloc_DidAlloc(malloc, b);
        ok(got == expected, "header %d: got %d, expected %d\n", i, got, expected);
        IMalloc_Free(malloc, c);
        IMalloc_Free(malloc, e);
    }
    winetest_pop_context();
}

#define RANDOM_LIVE 256
#define RANDOM_FREED 64

/* What the allocator should hold: the live blocks, and recently freed
 * pointers to ask about. */
struct model
{
    BYTE *live[RANDOM_LIVE];
    SIZE_T size[RANDOM_LIVE];
    unsigned int count;
    BYTE *freed[RANDOM_FREED];
    unsigned int freed_next;
};

static int model_did_alloc(const struct model *m, const void *p)
{
    unsigned int i;

    if (!p) return -1;
    for (i = 0; i < m->count; i++) if (m->live[i] == p) return 1;
    return 0;
}

static void model_forget(struct model *m, unsigned int i)
{
    m->freed[m->freed_next++ % RANDOM_FREED] = m->live[i];
    m->live[i] = m->live[--m->count];
    m->size[i] = m->size[m->count];
}

static SIZE_T random_size(unsigned int *state)
{
    unsigned int r = random_next(state);

    return (r & 15) ? r % 300 : r % 5000;
}

/* A pointer to ask DidAlloc about: a live block, an interior pointer, a
 * freed pointer (maybe reused), near a freed pointer, or anything. */
static BYTE *random_question(const struct model *m, unsigned int *state, BYTE *stack)
{
    unsigned int r = random_next(state), i;
    BYTE *freed = m->freed[r % RANDOM_FREED];

    i = m->count ? random_next(state) % m->count : 0;
    switch (r % 7)
    {
    case 0: if (m->count) return m->live[i]; break;
    case 1: if (m->count && m->size[i] > 1) return m->live[i] + 1 + random_next(state) % (m->size[i] - 1); break;
    case 2: if (freed) return freed; break;
    case 3: if (freed) return freed + (int)(random_next(state) % 129) - 64; break;
    case 4: return stack;
    case 5: return (BYTE *)1;
    }
    return (BYTE *)(ULONG_PTR)(((ULONG64)random_next(state) << 32) | random_next(state));
}

/* Random Alloc, Realloc and Free, no spy, every block filled with
 * header-like bytes; DidAlloc asked about live, interior, freed and
 * arbitrary pointers after each step.  HeapValidate crashed in 10 of 24
 * such runs of 50 000 operations. */
static void test_didalloc_random(void)
{
    BYTE stack[64];
    struct model m;
    unsigned int round, step, state, wrong = 0, asked = 0, failed_ops = 0, i;
    int got, expected;
    BYTE *p, *q, *first_p = NULL;
    int first_got = 0, first_expected = 0;
    IMalloc *malloc;

    winetest_push_context("random");
    ok(CoGetMalloc(1, &malloc) == S_OK, "CoGetMalloc failed\n");
    memset(stack, 0, sizeof(stack));
    for (round = 0; round < 24; round++)
    {
        memset(&m, 0, sizeof(m));
        state = 2463534242u + round * 7919;
        for (step = 0; step < 50000; step++)
        {
            unsigned int r = random_next(&state);

            i = m.count ? random_next(&state) % m.count : 0;
            if (r % 8 < 3 && m.count < RANDOM_LIVE)
            {
                SIZE_T n = random_size(&state);

                if (!(p = (r & 8) ? CoTaskMemAlloc(n) : IMalloc_Alloc(malloc, n))) failed_ops++;
                else
                {
                    fill_like_headers(p, n, &state);
                    m.live[m.count] = p;
                    m.size[m.count++] = n;
                }
            }
            else if (r % 8 < 5 && m.count)
            {
                if (r & 8) CoTaskMemFree(m.live[i]);
                else IMalloc_Free(malloc, m.live[i]);
                model_forget(&m, i);
            }
            else if (r % 8 < 6 && m.count)
            {
                SIZE_T n = 1 + random_size(&state);

                p = m.live[i];
                if (!(q = (r & 8) ? CoTaskMemRealloc(p, n) : IMalloc_Realloc(malloc, p, n))) failed_ops++;
                else
                {
                    if (q != p) m.freed[m.freed_next++ % RANDOM_FREED] = p;
                    fill_like_headers(q, n, &state);
                    m.live[i] = q;
                    m.size[i] = n;
                }
            }
            p = random_question(&m, &state, stack);
            got = IMalloc_DidAlloc(malloc, p);
            expected = model_did_alloc(&m, p);
            asked++;
            if (got != expected && !wrong++)
            {
                first_p = p;
                first_got = got;
                first_expected = expected;
            }
        }
        while (m.count) IMalloc_Free(malloc, m.live[--m.count]);
    }
    ok(!failed_ops, "%u allocations failed\n", failed_ops);
    ok(!wrong, "%u of %u answers wrong; the first: DidAlloc(%p) got %d, expected %d\n",
       wrong, asked, first_p, first_got, first_expected);
    ok(!marked_block_count(), "%u blocks still marked live after freeing all\n", marked_block_count());
    winetest_pop_context();
}

/* "Bookkeeping failure", for the map: an allocation whose block cannot be
 * marked fails and allocates nothing; a Realloc that would have to move
 * the block there fails and leaves it as it was. */
static void test_map_growth_failure(void)
{
    unsigned int heap_blocks;
    IMalloc *malloc;
    BYTE *p, *q;

    winetest_push_context("map growth failure");
    ok(CoGetMalloc(1, &malloc) == S_OK, "CoGetMalloc failed\n");
    ok(!marked_block_count(), "%u blocks live at the start\n", marked_block_count());
    /* An empty map: no address can be marked without growing it. */
    live_map_destroy();
    test_fail_map_growth = TRUE;
    heap_blocks = heap_block_count();
    ok(CoTaskMemAlloc(16) == NULL, "CoTaskMemAlloc succeeded without a map\n");
    ok(IMalloc_Alloc(malloc, 0) == NULL, "IMalloc::Alloc(0) succeeded without a map\n");
    ok(CoTaskMemRealloc(NULL, 16) == NULL, "Realloc(NULL, 16) succeeded without a map\n");
    ok(heap_block_count() == heap_blocks, "heap blocks %u, expected %u: something was allocated\n",
       heap_block_count(), heap_blocks);
    test_fail_map_growth = FALSE;

    p = CoTaskMemAlloc(8);
    ok(p != NULL, "CoTaskMemAlloc failed with growth back\n");
    if (!p) goto done;
    memset(p, 0x5a, 8);
    test_fail_map_growth = TRUE;
    /* A 16 MiB block is mapped on its own, away from p's MiB, whose leaf
     * is the only one there is. */
    q = CoTaskMemRealloc(p, 16 << 20);
    test_fail_map_growth = FALSE;
    if (q && (ULONG_PTR)q >> LIVE_MAP_LEAF_BITS == (ULONG_PTR)p >> LIVE_MAP_LEAF_BITS)
        skip("the 16 MiB block starts in the MiB of the old one, where the map has a leaf\n");
    else
    {
        ok(q == NULL, "Realloc that needs a new leaf succeeded: %p\n", q);
        ok(IMalloc_DidAlloc(malloc, p) == 1 && IMalloc_GetSize(malloc, p) == 8
           && !memcmp(p, "\x5a\x5a\x5a\x5a\x5a\x5a\x5a\x5a", 8), "the block of the failed Realloc changed\n");
    }
    if (q) p = q;
    CoTaskMemFree(p);
done:
    ok(!marked_block_count(), "%u blocks still marked live\n", marked_block_count());
    winetest_pop_context();
}

#define MAP_RACE_ROUNDS 1000

struct map_race
{
    LONG volatile round;                    /* raised by the main thread to start a round */
    LONG volatile done;                     /* rounds the other thread has finished */
    LONG wrong;
};

/* One allocation that may have to make the map's nodes. */
static void map_race_allocate(struct map_race *race)
{
    IMalloc *malloc;
    void *p;

    CoGetMalloc(1, &malloc);
    p = CoTaskMemAlloc(16);
    if (!p || IMalloc_DidAlloc(malloc, p) != 1) InterlockedIncrement(&race->wrong);
    CoTaskMemFree(p);
}

static DWORD WINAPI map_race_thread(void *arg)
{
    struct map_race *race = arg;
    LONG round;

    for (round = 1; round <= MAP_RACE_ROUNDS; round++)
    {
        while (race->round < round) YieldProcessor();
        map_race_allocate(race);
        InterlockedIncrement(&race->done);
    }
    return 0;
}

/* Two threads that make the same map node at once: one node is installed,
 * and both marks are in it.  The other thread spins, so that it starts
 * each round as the main thread does and both make the nodes together. */
static void test_map_growth_race(void)
{
    struct map_race race = { 0, 0, 0 };
    HANDLE thread;
    LONG round;

    winetest_push_context("map growth race");
    ok(!marked_block_count(), "%u blocks live at the start\n", marked_block_count());
    thread = CreateThread(NULL, 0, map_race_thread, &race, 0, NULL);
    ok(thread != NULL, "CreateThread failed, error %lu\n", GetLastError());
    for (round = 1; thread && round <= MAP_RACE_ROUNDS; round++)
    {
        while (race.done < round - 1) YieldProcessor();
        live_map_destroy();                 /* the first allocation makes the nodes again */
        InterlockedExchange(&race.round, round);
        map_race_allocate(&race);
    }
    if (thread)
    {
        WaitForSingleObject(thread, INFINITE);
        CloseHandle(thread);
    }
    ok(!race.wrong, "%ld of %u blocks read as not allocated, expected 0\n", race.wrong, 2 * MAP_RACE_ROUNDS);
    winetest_pop_context();
}

START_TEST(internal)
{
    /* What the loader does for the DLL: create the heap and the lock. */
    ok(DllMain(GetModuleHandleA(NULL), DLL_PROCESS_ATTACH, NULL), "DllMain failed\n");

    test_didalloc_freed_reused();
    test_didalloc_random();
    test_map_growth_failure();
    test_map_growth_race();
    test_set();
    test_set_memory();
    test_growth_failure();
}
