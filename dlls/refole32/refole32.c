/*
 * refole32: the mallocspy reference implementation of the COM task
 * allocator (CoGetMalloc, CoTaskMem*) and of its spy hooks
 * (CoRegisterMallocSpy, CoRevokeMallocSpy).
 *
 * Design
 *
 * - Heap.  Every block lives in the process heap, as Wine's builtin
 *   allocator's blocks do, and the IMalloc methods and the CoTaskMem*
 *   helpers are thin wrappers around the same task_* functions.  Under
 *   Wine 8.0 the cost of a HeapAlloc/HeapFree pair depends on the state of
 *   the heap's free blocks (an exact fit is about 0.7 times the cost of
 *   splitting a large free block), so a heap of our own, fresh and with
 *   one big free block, was slower than the process heap whenever the
 *   process heap had blocks of the right size free.  On the process heap
 *   the allocator costs what Wine's own does, in whatever state the
 *   process is.
 *
 * - Live blocks.  DidAlloc must answer for any pointer value, a freed one
 *   included, so it never reads memory at the pointer (HeapValidate reads
 *   the block header in front of it, which for a freed block is stale data,
 *   and crashed under Wine 8.0).  Instead every live block is marked in the
 *   live-block map: one byte per 16 bytes of address space, set when the
 *   heap hands the block out and cleared before it is given back.  Setting
 *   and clearing are plain byte stores, without a lock.
 *
 * - Lock.  One process-wide CRITICAL_SECTION.  With no spy registered no
 *   lock is taken: one volatile read of spy_registered, then the heap.  With
 *   a spy, each Pre -> heap -> Post bracket runs entirely under the lock, so
 *   the brackets of different threads never interleave.  The spy pointer is
 *   read and written only under the lock.
 *
 * - Spied blocks.  The blocks allocated (or reallocated) while the current
 *   spy is registered are kept in an open-addressing hash set, keyed by the
 *   pointer the caller got back.  It gives fSpyed in O(1), and tells
 *   CoRevokeMallocSpy whether spied blocks are still live.  Room for a new
 *   entry is reserved before the spy is called, so an operation either fails
 *   before any spy call or its result is tracked.
 *
 * - Re-entrancy.  lock_owner holds the id of the thread that holds the lock.
 *   When a spy method calls the allocator on that thread, the call finds
 *   that it already owns the lock and bypasses the spy: no spy call, no
 *   tracking, straight to the heap, no deadlock.  A nested call therefore
 *   sees a plain allocator.  Its blocks are never spied (fSpyed FALSE later),
 *   and it leaves the spy's bookkeeping alone.  CoRegisterMallocSpy and
 *   CoRevokeMallocSpy called from inside a spy method do not wait for the
 *   lock either (the thread already holds it).
 *
 * - Release point.  unlock_allocator() is the only place the spy is let go.
 *   When a revoke is pending and no spied block is live, it clears the spy
 *   under the lock, then calls Release after leaving the lock.  No thread can
 *   reach the spy after that, and Release runs without the lock held.
 *
 * Comments name the behaviour each rule implements, by its ID in
 * tests/catalogue.md.  Rules that no check can observe from outside cite
 * the catalogue's "Reference choices that no check can reach" by heading.
 */

#define COBJMACROS
#define _OLE32_             /* we define the Co* functions: declare them without dllimport */
#include <windows.h>
#include <objbase.h>

#define NOINLINE __attribute__((noinline))

/* ------------------------------------------------------------------------ */
/* State                                                                    */
/* ------------------------------------------------------------------------ */

static HANDLE task_heap;                    /* the process heap: every block of this allocator */

static CRITICAL_SECTION allocator_lock;     /* guards everything below */
static DWORD volatile lock_owner;           /* id of the thread holding the lock, 0 if none */

static IMallocSpy *spy;                     /* the registered spy, or NULL */
static BOOL revoke_pending;                 /* CoRevokeMallocSpy returned E_ACCESSDENIED */
static LONG volatile spy_registered;        /* spy != NULL; the only state read without the lock */

/* The caller-visible pointers of the live spied blocks (see spied_blocks_*). */
static struct
{
    void **slots;                           /* NULL marks an empty slot */
    SIZE_T capacity;                        /* a power of two, or 0 before first use */
    SIZE_T count;                           /* live spied blocks */
} spied_blocks;

/* ------------------------------------------------------------------------ */
/* The live-block map: for every address p, whether a live block of this    */
/* allocator starts at p.  One byte per 16-byte granule of address space,   */
/* 1 + (p & 15) when a block starts at p, 0 when none does: two blocks      */
/* start at least 16 bytes apart (a heap block has a header and room for a  */
/* free-list link), so a granule holds at most one block start.  Leaves     */
/* cover 1 MiB of address space each and are made on first use, zeroed by   */
/* VirtualAlloc, whose untouched pages cost no memory; they are published   */
/* with a compare-and-swap and stay until the DLL is unloaded.              */
/*                                                                          */
/* No lock: a block's byte is written only by the thread that holds the     */
/* block, after HeapAlloc returned it and before HeapFree gets it back, so  */
/* the heap's own lock orders the writes of two threads that get the same   */
/* address in turn.  Different blocks have different bytes.                 */
/* ------------------------------------------------------------------------ */

#define LIVE_MAP_GRANULE_BITS 4             /* one byte per 16 bytes */
#define LIVE_MAP_LEAF_BITS 20               /* a leaf covers 1 MiB */
#ifdef _WIN64
#define LIVE_MAP_ADDRESS_BITS 48            /* more than user space has on x64 and ARM64 */
#define LIVE_MAP_TOP_BITS 14
#else
#define LIVE_MAP_ADDRESS_BITS 32
#define LIVE_MAP_TOP_BITS 0
#endif
#define LIVE_MAP_MID_BITS (LIVE_MAP_ADDRESS_BITS - LIVE_MAP_LEAF_BITS - LIVE_MAP_TOP_BITS)

struct live_map_leaf
{
    BYTE volatile marks[1 << (LIVE_MAP_LEAF_BITS - LIVE_MAP_GRANULE_BITS)];
};

struct live_map_mid
{
    struct live_map_leaf *volatile leaves[1 << LIVE_MAP_MID_BITS];
};

static struct live_map_mid *volatile live_map[1 << LIVE_MAP_TOP_BITS];

#ifdef REFOLE32_TEST_HOOKS
/* Test-only seam, like test_fail_table_growth below: makes the map's
 * growth fail. */
static BOOL test_fail_map_growth;
#endif

static BYTE live_map_value(const void *p)
{
    return 1 + ((ULONG_PTR)p & ((1 << LIVE_MAP_GRANULE_BITS) - 1));
}

/* The byte of p's granule, or NULL if the map has no leaf there yet. */
static inline BYTE volatile *live_map_find(const void *p)
{
    ULONG_PTR address = (ULONG_PTR)p, leaf_index = address >> LIVE_MAP_LEAF_BITS;
    struct live_map_mid *mid;
    struct live_map_leaf *leaf;

#ifdef _WIN64
    if (address >> LIVE_MAP_ADDRESS_BITS) return NULL;
#endif
    if (!(mid = live_map[leaf_index >> LIVE_MAP_MID_BITS])) return NULL;
    if (!(leaf = mid->leaves[leaf_index & ((1 << LIVE_MAP_MID_BITS) - 1)])) return NULL;
    return &leaf->marks[(address & ((1 << LIVE_MAP_LEAF_BITS) - 1)) >> LIVE_MAP_GRANULE_BITS];
}

/* The node in *slot, made (zeroed) if there is none.  NULL if it could not
 * be made.  Two threads may race to make it: one wins, the other frees its
 * copy. */
static void *live_map_node(void *volatile *slot, SIZE_T size)
{
    void *node, *found;

    if ((node = *slot)) return node;
#ifdef REFOLE32_TEST_HOOKS
    if (test_fail_map_growth) return NULL;
#endif
    if (!(node = VirtualAlloc(NULL, size, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE))) return NULL;
    if (!(found = InterlockedCompareExchangePointer(slot, node, NULL))) return node;
    VirtualFree(node, 0, MEM_RELEASE);
    return found;
}

/* Out of line: it runs once per MiB of address space. */
static NOINLINE BYTE volatile *live_map_grow(const void *p)
{
    ULONG_PTR leaf_index = (ULONG_PTR)p >> LIVE_MAP_LEAF_BITS;
    struct live_map_mid *mid;

#ifdef _WIN64
    if ((ULONG_PTR)p >> LIVE_MAP_ADDRESS_BITS) return NULL;
#endif
    if (!(mid = live_map_node((void *volatile *)&live_map[leaf_index >> LIVE_MAP_MID_BITS], sizeof(*mid))))
        return NULL;
    if (!live_map_node((void *volatile *)&mid->leaves[leaf_index & ((1 << LIVE_MAP_MID_BITS) - 1)],
                       sizeof(struct live_map_leaf)))
        return NULL;
    return live_map_find(p);
}

/* FALSE if the map could not grow to cover p. */
static inline BOOL live_map_mark(const void *p)
{
    BYTE volatile *mark = live_map_find(p);

    if (!mark && !(mark = live_map_grow(p))) return FALSE;
    *mark = live_map_value(p);
    return TRUE;
}

static inline void live_map_unmark(const void *p)
{
    BYTE volatile *mark = live_map_find(p);

    if (mark) *mark = 0;
}

static BOOL live_map_contains(const void *p)
{
    BYTE volatile *mark = live_map_find(p);

    return mark && *mark == live_map_value(p);
}

/* FreeLibrary: every node goes. */
static void live_map_destroy(void)
{
    SIZE_T i, j;

    for (i = 0; i < 1 << LIVE_MAP_TOP_BITS; i++)
    {
        if (!live_map[i]) continue;
        for (j = 0; j < 1 << LIVE_MAP_MID_BITS; j++)
            if (live_map[i]->leaves[j]) VirtualFree(live_map[i]->leaves[j], 0, MEM_RELEASE);
        VirtualFree(live_map[i], 0, MEM_RELEASE);
        live_map[i] = NULL;
    }
}

/* ------------------------------------------------------------------------ */
/* The heap: the allocator without a spy.  Calls made while no spy is       */
/* registered, and nested calls from inside spy methods, end up here.       */
/* ------------------------------------------------------------------------ */

static void *heap_alloc(SIZE_T cb)
{
    void *p;

    /* ALLOC-02: cb == 0 gives a valid zero-length item.
     * ALLOC-05, REALLOC-06: HeapAlloc aligns to MEMORY_ALLOCATION_ALIGNMENT.
     * ALLOC-04: NULL when the memory cannot be had, for the block or for
     * its mark ("Bookkeeping failure"). */
    if (!(p = HeapAlloc(task_heap, 0, cb))) return NULL;
    if (live_map_mark(p)) return p;
    HeapFree(task_heap, 0, p);
    return NULL;
}

static void heap_free(void *p)
{
    if (!p) return;                         /* FREE-01: Free(NULL) has no effect */
    /* Unmarked before the heap can hand p out again, to this thread or another */
    live_map_unmark(p);
    HeapFree(task_heap, 0, p);
}

/* Resizes a live block to cb bytes; cb == 0 makes a zero-length item.  In
 * place when the heap can, otherwise into a new block, so that the new
 * block is marked before the old one goes.  REALLOC-05: on failure p is
 * left unchanged. */
static void *heap_resize(void *p, SIZE_T cb)
{
    SIZE_T old_size;
    void *q;

    if ((q = HeapReAlloc(task_heap, HEAP_REALLOC_IN_PLACE_ONLY, p, cb))) return q;
    if (!(q = heap_alloc(cb))) return NULL;
    old_size = HeapSize(task_heap, 0, p);
    memcpy(q, p, old_size < cb ? old_size : cb);
    heap_free(p);
    return q;
}

static void *heap_realloc(void *p, SIZE_T cb)
{
    if (!p) return heap_alloc(cb);          /* REALLOC-03, -07: Realloc(NULL, cb) is Alloc(cb) */
    if (!cb)
    {
        heap_free(p);                       /* REALLOC-04: Realloc(p, 0) frees p and returns NULL */
        return NULL;
    }
    return heap_resize(p, cb);
}

static SIZE_T heap_get_size(void *p)
{
    if (!p) return (SIZE_T)-1;              /* GETSIZE-01 */
    return HeapSize(task_heap, 0, p);       /* GETSIZE-03, -04, -05: exactly the size asked for */
}

static int heap_did_alloc(void *p)
{
    if (!p) return -1;                      /* DIDALLOC-01 */
    /* DIDALLOC-02..07, "DidAlloc of a freed block": 1 only for a live block
     * of this allocator; an interior, freed, stack or other-heap pointer
     * is 0.  The map answers: memory at p is never read. */
    return live_map_contains(p) ? 1 : 0;
}

static void heap_minimize(void)
{
    HeapCompact(task_heap, 0);              /* HEAPMIN-01: live blocks stay where they are */
}

/* ------------------------------------------------------------------------ */
/* The set of spied blocks: open addressing with linear probing, load at    */
/* most 1/2, grows by doubling; O(1) per operation whatever the number of   */
/* blocks.  Its memory comes from the process heap, unmarked in the        */
/* live-block map, and goes back when the set empties (unlock_allocator).   */
/* Used with the lock held only.                                            */
/* ------------------------------------------------------------------------ */

#define SPIED_BLOCKS_MIN_CAPACITY 64

#ifdef REFOLE32_TEST_HOOKS
/* Test-only seam, never in the shipped DLL: the white-box test in tests/
 * includes this file with -DREFOLE32_TEST_HOOKS and sets this flag to make
 * the set's growth fail. */
static BOOL test_fail_table_growth;
#endif

static void **spied_blocks_alloc_slots(SIZE_T capacity)
{
#ifdef REFOLE32_TEST_HOOKS
    if (test_fail_table_growth) return NULL;
#endif
    return HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, capacity * sizeof(void *));
}

static SIZE_T spied_blocks_home(const void *p, SIZE_T capacity)
{
    ULONG64 h = (ULONG_PTR)p;

    h ^= h >> 33;                           /* mix, so that aligned pointers spread out */
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (SIZE_T)h & (capacity - 1);
}

/* The slot holding p, or the empty slot where p would go.  capacity > 0. */
static SIZE_T spied_blocks_find(const void *p)
{
    SIZE_T mask = spied_blocks.capacity - 1, i = spied_blocks_home(p, spied_blocks.capacity);

    while (spied_blocks.slots[i] && spied_blocks.slots[i] != p) i = (i + 1) & mask;
    return i;
}

static BOOL spied_blocks_contains(const void *p)
{
    return p && spied_blocks.count && spied_blocks.slots[spied_blocks_find(p)] == p;
}

static void spied_blocks_free(void)
{
    if (spied_blocks.slots) HeapFree(GetProcessHeap(), 0, spied_blocks.slots);
    spied_blocks.slots = NULL;
    spied_blocks.capacity = 0;
}

/* Make sure one more pointer can be inserted without allocating.  FALSE if
 * the set had to grow and could not; then nothing has changed. */
static BOOL spied_blocks_reserve_one(void)
{
    void **old_slots = spied_blocks.slots, **new_slots;
    SIZE_T old_capacity = spied_blocks.capacity, new_capacity, i;

    /* the load stays at most 1/2 */
    if ((spied_blocks.count + 1) * 2 <= spied_blocks.capacity) return TRUE;

    new_capacity = old_capacity ? old_capacity * 2 : SPIED_BLOCKS_MIN_CAPACITY;
    if (new_capacity > ((SIZE_T)-1) / sizeof(void *)) return FALSE;
    if (!(new_slots = spied_blocks_alloc_slots(new_capacity))) return FALSE;

    spied_blocks.slots = new_slots;
    spied_blocks.capacity = new_capacity;
    for (i = 0; i < old_capacity; i++)
        if (old_slots[i]) spied_blocks.slots[spied_blocks_find(old_slots[i])] = old_slots[i];
    if (old_slots) HeapFree(GetProcessHeap(), 0, old_slots);
    return TRUE;
}

/* Needs a successful spied_blocks_reserve_one() first.  Inserting a
 * pointer that is already there changes nothing: a block is never counted
 * twice. */
static void spied_blocks_insert(void *p)
{
    SIZE_T i = spied_blocks_find(p);

    if (spied_blocks.slots[i]) return;
    spied_blocks.slots[i] = p;
    spied_blocks.count++;
}

static void spied_blocks_remove(const void *p)
{
    SIZE_T mask = spied_blocks.capacity - 1, hole, j;

    if (!spied_blocks_contains(p)) return;
    hole = spied_blocks_find(p);
    spied_blocks.slots[hole] = NULL;
    spied_blocks.count--;

    /* Backward-shift deletion, so that no lookup ever stops at this hole too
     * early: each later entry of the probe run moves into the hole if the
     * hole lies between the entry's home slot and the entry. */
    for (j = (hole + 1) & mask; spied_blocks.slots[j]; j = (j + 1) & mask)
    {
        SIZE_T home = spied_blocks_home(spied_blocks.slots[j], spied_blocks.capacity);

        if (((j - home) & mask) >= ((j - hole) & mask))
        {
            spied_blocks.slots[hole] = spied_blocks.slots[j];
            spied_blocks.slots[j] = NULL;
            hole = j;
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The lock, the brackets, and the one release point                        */
/* ------------------------------------------------------------------------ */

static BOOL on_lock_owner_thread(void)
{
    return lock_owner == GetCurrentThreadId();
}

static void lock_allocator(void)
{
    EnterCriticalSection(&allocator_lock);
    lock_owner = GetCurrentThreadId();
}

/* Leave the lock.  REVOKE-07, -15, -17: a pending revoke completes as soon
 * as no spied block is live, that is after the Post call of the operation
 * that freed the last one.  REVOKE-10: the spy is unhooked under the lock
 * and released after leaving it, exactly once; nothing can call it then. */
static void unlock_allocator(void)
{
    IMallocSpy *released = NULL;

    /* The memory of a peak of spied blocks goes back as soon as none is
     * left; the minimum size stays only while the spy may need it again.
     * Not earlier: an operation's reserved room must stay until it ends. */
    if (!spied_blocks.count && (spied_blocks.capacity > SPIED_BLOCKS_MIN_CAPACITY || revoke_pending))
        spied_blocks_free();
    if (spy && revoke_pending && !spied_blocks.count)
    {
        released = spy;
        spy = NULL;
        spy_registered = FALSE;
        revoke_pending = FALSE;
    }
    lock_owner = 0;
    LeaveCriticalSection(&allocator_lock);
    if (released) IMallocSpy_Release(released);   /* REGISTER-12: our only Release call */
}

/* Start a bracketed operation, once spy_registered has been seen set.
 * Returns the spy with the lock held; end the operation with
 * end_spied_operation().  Returns NULL, with no lock held, when the
 * operation must go straight to the heap after all. */
static IMallocSpy *begin_spied_operation(void)
{
    /* THREADS-05: a call made by a spy method, on the thread inside the
     * bracket, bypasses the spy and acts directly on the heap. */
    if (on_lock_owner_thread()) return NULL;

    /* THREADS-02, THREADS-03: from here to end_spied_operation() the
     * bracket holds the lock, so no other thread's spy call falls inside. */
    lock_allocator();
    if (!spy)                               /* THREADS-04: released while we waited */
    {
        unlock_allocator();
        return NULL;
    }
    return spy;
}

static void end_spied_operation(void)
{
    unlock_allocator();
}

/* ------------------------------------------------------------------------ */
/* The operations with a spy registered: each Pre -> heap -> Post bracket.  */
/*                                                                          */
/* "spied_block" is fSpyed: the caller's pointer is a live block allocated  */
/* or reallocated under the current spy (FSPYED-01, -02, -04, -07, -08;     */
/* NULL and foreign pointers: FALSE, FSPYED-10, -11).  The Pre and Post     */
/* calls of one operation get the same value, taken before the operation    */
/* (FSPYED-03, FSPYED-06).                                                  */
/*                                                                          */
/* NOINLINE keeps these out of the task_* functions below, so that the      */
/* no-spy path there stays a test and a jump, with no stack frame.          */
/* ------------------------------------------------------------------------ */

static NOINLINE void *alloc_with_spy(SIZE_T cb)
{
    IMallocSpy *s;
    SIZE_T n;
    void *result;

    if (!(s = begin_spied_operation())) return heap_alloc(cb);

    /* Bookkeeping failure: if the set cannot grow, fail before any spy call */
    if (!spied_blocks_reserve_one())
    {
        end_spied_operation();
        return NULL;
    }

    /* ALLOC-06, COTASKMEM-07: PreAlloc, then PostAlloc */
    n = IMallocSpy_PreAlloc(s, cb);         /* ALLOC-07 */
    if (!n && cb)
        result = NULL;                      /* ALLOC-11, FSPYED-12: forced failure, no PostAlloc */
    else
    {
        /* ALLOC-08, ALLOC-15: allocate what PreAlloc asked for.
         * ALLOC-12, ALLOC-13: PreAlloc 0 for Alloc(0) is a zero-length item.
         * ALLOC-09, ALLOC-14: PostAlloc gets the block, or NULL on a real
         * failure.  ALLOC-10: the caller gets what PostAlloc returns. */
        result = IMallocSpy_PostAlloc(s, heap_alloc(n));
        if (result) spied_blocks_insert(result);   /* ALLOC-16: a NULL result is not tracked */
    }
    end_spied_operation();
    return result;
}

static NOINLINE void free_with_spy(void *p)
{
    IMallocSpy *s;
    BOOL spied_block;

    if (!(s = begin_spied_operation()))
    {
        heap_free(p);
        return;
    }

    /* FREE-03, COTASKMEM-09: PreFree, then PostFree */
    spied_block = spied_blocks_contains(p);
    /* FREE-04: PreFree gets the caller's pointer.  FREE-05: the heap frees
     * the one PreFree returns.  FREE-07: if that is NULL, nothing is freed. */
    heap_free(IMallocSpy_PreFree(s, p, spied_block));
    IMallocSpy_PostFree(s, spied_block);
    spied_blocks_remove(p);
    end_spied_operation();                  /* REVOKE-07, REVOKE-17 */
}

static NOINLINE void *realloc_with_spy(void *p, SIZE_T cb)
{
    BOOL frees = p && !cb;                  /* REALLOC-04: Realloc(p, 0) is a free */
    IMallocSpy *s;
    BOOL spied_block;
    void *request, *block, *result;
    SIZE_T n;

    if (!(s = begin_spied_operation())) return heap_realloc(p, cb);

    /* Bookkeeping failure: if the set cannot grow, fail before any spy call, p untouched.
     * Only the free path adds no entry. */
    if (!frees && !spied_blocks_reserve_one())
    {
        end_spied_operation();
        return NULL;
    }

    /* REALLOC-09, COTASKMEM-15: PreRealloc, then PostRealloc, also for
     * Realloc(NULL, n) and Realloc(p, 0) (REALLOC-19, -20, -21).
     * REALLOC-22: request starts as p, so a PreRealloc that does not store
     * *ppNewRequest acts on the caller's block. */
    spied_block = spied_blocks_contains(p);
    request = p;
    n = IMallocSpy_PreRealloc(s, p, cb, &request, spied_block);     /* REALLOC-10 */

    if (frees)
    {
        /* REALLOC-18, REALLOC-20: request is freed whatever PreRealloc
         * returned; PostRealloc gets NULL; the caller gets its result. */
        heap_free(request);
        result = IMallocSpy_PostRealloc(s, NULL, spied_block);
        spied_blocks_remove(p);
    }
    else if (!n && cb)
    {
        /* REALLOC-15, REALLOC-16: forced failure, no PostRealloc, block unchanged */
        result = NULL;
    }
    else
    {
        /* REALLOC-11, REALLOC-12: resize request to n bytes; with no
         * request, allocate.  Not heap_realloc(): n == 0 here means a
         * zero-length item (REALLOC-21), not a free. */
        block = request ? heap_resize(request, n) : heap_alloc(n);
        /* REALLOC-17: on a real failure p stays live, still tracked or not */
        if (block) spied_blocks_remove(p);
        /* REALLOC-13, REALLOC-14: PostRealloc gets the new block (or NULL),
         * the caller gets what PostRealloc returns. */
        result = IMallocSpy_PostRealloc(s, block, spied_block);
        /* FSPYED-09, REVOKE-16, REVOKE-18: a block reallocated under the spy
         * is spied from now on, so a moved block stays counted. */
        if (block && result) spied_blocks_insert(result);
    }
    end_spied_operation();                  /* REVOKE-15 */
    return result;
}

static NOINLINE SIZE_T get_size_with_spy(void *p)
{
    IMallocSpy *s;
    BOOL spied_block;
    SIZE_T size;

    if (!(s = begin_spied_operation())) return heap_get_size(p);

    /* GETSIZE-06: PreGetSize, then PostGetSize */
    spied_block = spied_blocks_contains(p);
    size = heap_get_size(IMallocSpy_PreGetSize(s, p, spied_block));   /* GETSIZE-07, -08 */
    size = IMallocSpy_PostGetSize(s, size, spied_block);              /* GETSIZE-09, -10 */
    end_spied_operation();
    return size;
}

static NOINLINE int did_alloc_with_spy(void *p)
{
    IMallocSpy *s;
    BOOL spied_block;
    int did_alloc;

    if (!(s = begin_spied_operation())) return heap_did_alloc(p);

    /* DIDALLOC-08: PreDidAlloc, then PostDidAlloc */
    spied_block = spied_blocks_contains(p);
    did_alloc = heap_did_alloc(IMallocSpy_PreDidAlloc(s, p, spied_block)); /* DIDALLOC-09, -10 */
    /* DIDALLOC-11, -12, -13: PostDidAlloc gets the caller's pointer and the
     * heap's answer; the caller gets what PostDidAlloc returns. */
    did_alloc = IMallocSpy_PostDidAlloc(s, p, spied_block, did_alloc);
    end_spied_operation();
    return did_alloc;
}

static NOINLINE void heap_minimize_with_spy(void)
{
    IMallocSpy *s;

    if (!(s = begin_spied_operation()))
    {
        heap_minimize();
        return;
    }
    IMallocSpy_PreHeapMinimize(s);          /* HEAPMIN-02 */
    heap_minimize();
    IMallocSpy_PostHeapMinimize(s);
    end_spied_operation();
}

/* ------------------------------------------------------------------------ */
/* The task allocator: IMalloc and CoTaskMem* both land here.  With no spy  */
/* registered: no lock, one volatile read, then the heap.                   */
/* ------------------------------------------------------------------------ */

static void *task_alloc(SIZE_T cb)
{
    if (!spy_registered) return heap_alloc(cb);
    return alloc_with_spy(cb);
}

static void task_free(void *p)
{
    if (!p) return;                         /* FREE-01, FREE-06, COTASKMEM-18: no spy call */
    if (!spy_registered) heap_free(p);
    else free_with_spy(p);
}

static void *task_realloc(void *p, SIZE_T cb)
{
    if (!spy_registered) return heap_realloc(p, cb);
    return realloc_with_spy(p, cb);
}

static SIZE_T task_get_size(void *p)
{
    if (!p) return (SIZE_T)-1;              /* GETSIZE-01, GETSIZE-11: no spy call */
    if (!spy_registered) return heap_get_size(p);
    return get_size_with_spy(p);
}

static int task_did_alloc(void *p)
{
    if (!p) return -1;                      /* DIDALLOC-01, DIDALLOC-14: no spy call */
    if (!spy_registered) return heap_did_alloc(p);
    return did_alloc_with_spy(p);
}

static void task_heap_minimize(void)
{
    if (!spy_registered) heap_minimize();
    else heap_minimize_with_spy();
}

/* ------------------------------------------------------------------------ */
/* IMalloc: one static object                                               */
/* ------------------------------------------------------------------------ */

static HRESULT WINAPI allocator_QueryInterface(IMalloc *iface, REFIID riid, void **ppv)
{
    if (!ppv) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMalloc))
    {
        *ppv = iface;                       /* IMALLOC-01, -02, -05: the same object */
        return S_OK;
    }
    *ppv = NULL;                            /* IMALLOC-03 */
    return E_NOINTERFACE;
}

/* IMALLOC-04: the object is static; AddRef and Release do nothing. */
static ULONG WINAPI allocator_AddRef(IMalloc *iface)
{
    return 2;
}

static ULONG WINAPI allocator_Release(IMalloc *iface)
{
    return 1;
}

static void * WINAPI allocator_Alloc(IMalloc *iface, SIZE_T cb)
{
    return task_alloc(cb);
}

static void * WINAPI allocator_Realloc(IMalloc *iface, void *pv, SIZE_T cb)
{
    return task_realloc(pv, cb);
}

static void WINAPI allocator_Free(IMalloc *iface, void *pv)
{
    task_free(pv);
}

static SIZE_T WINAPI allocator_GetSize(IMalloc *iface, void *pv)
{
    return task_get_size(pv);
}

static int WINAPI allocator_DidAlloc(IMalloc *iface, void *pv)
{
    return task_did_alloc(pv);
}

static void WINAPI allocator_HeapMinimize(IMalloc *iface)
{
    task_heap_minimize();
}

static const IMallocVtbl allocator_vtbl =
{
    allocator_QueryInterface,
    allocator_AddRef,
    allocator_Release,
    allocator_Alloc,
    allocator_Realloc,
    allocator_Free,
    allocator_GetSize,
    allocator_DidAlloc,
    allocator_HeapMinimize,
};

static IMalloc task_allocator = { (IMallocVtbl *)&allocator_vtbl };

/* ------------------------------------------------------------------------ */
/* Exports.  COGETMALLOC-06: none of them needs CoInitialize.               */
/* ------------------------------------------------------------------------ */

HRESULT WINAPI CoGetMalloc(DWORD context, IMalloc **malloc)
{
    if (!malloc) return E_INVALIDARG;       /* crashes on Windows; we refuse instead */
    if (context != MEMCTX_TASK)
    {
        *malloc = NULL;                     /* COGETMALLOC-03, -04 */
        return E_INVALIDARG;
    }
    *malloc = &task_allocator;              /* COGETMALLOC-01, -05: always the same object */
    return S_OK;
}

/* COTASKMEM-04, -07, -09, -15, -17: the helpers are the IMalloc methods,
 * spy calls included, with no reference taken on the allocator. */
void * WINAPI CoTaskMemAlloc(SIZE_T cb)
{
    return task_alloc(cb);
}

void WINAPI CoTaskMemFree(void *pv)
{
    task_free(pv);
}

void * WINAPI CoTaskMemRealloc(void *pv, SIZE_T cb)
{
    return task_realloc(pv, cb);
}

/* REGISTER-11: the spy is process-wide. */
HRESULT WINAPI CoRegisterMallocSpy(IMallocSpy *new_spy)
{
    IMallocSpy *queried = NULL;
    HRESULT hr;

    if (!new_spy) return E_INVALIDARG;      /* REGISTER-02, REGISTER-03: checked first */

    /* From inside a spy method (or the QueryInterface below) a spy is
     * registered or being registered; and we must not wait for our own lock. */
    if (on_lock_owner_thread()) return CO_E_OBJISREG;

    lock_allocator();
    if (spy)
        hr = CO_E_OBJISREG;                 /* REGISTER-04, -09, -10, REVOKE-14: no QI call */
    else if (FAILED(IMallocSpy_QueryInterface(new_spy, &IID_IMallocSpy, (void **)&queried))
             || !queried)
        hr = E_INVALIDARG;                  /* REGISTER-07: nothing kept */
    else
    {
        /* REGISTER-05, -06, -08: exactly one QueryInterface; its reference
         * is the one we hold, on the object it returned. */
        spy = queried;
        spy_registered = TRUE;
        hr = S_OK;                          /* REGISTER-01 */
    }
    unlock_allocator();
    return hr;
}

HRESULT WINAPI CoRevokeMallocSpy(void)
{
    BOOL nested = on_lock_owner_thread();   /* called from inside a spy method */
    HRESULT hr;

    if (!nested) lock_allocator();
    if (!spy)
        hr = CO_E_OBJNOTREG;                /* REVOKE-01, REVOKE-03, REVOKE-09 */
    else if (revoke_pending)
        hr = E_ACCESSDENIED;                /* REVOKE-13: a second revoke changes nothing */
    else
    {
        /* REVOKE-02: no spied block live: S_OK, and unlock_allocator()
         * releases the spy before we return.  REVOKE-04, -05, -06, -11, -12:
         * otherwise E_ACCESSDENIED; the spy stays registered and is used as
         * before until the last spied block goes.  Called from inside a spy
         * method the spy is in use, so the revoke is pending there too: it
         * completes when the current operation ends with no spied block. */
        revoke_pending = TRUE;
        hr = (spied_blocks.count || nested) ? E_ACCESSDENIED : S_OK;
    }
    if (!nested) unlock_allocator();
    return hr;
}

/* ------------------------------------------------------------------------ */
/* DLL entry point                                                          */
/* ------------------------------------------------------------------------ */

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        /* THREADS-01: the process heap is thread-safe */
        task_heap = GetProcessHeap();
        InitializeCriticalSection(&allocator_lock);
        DisableThreadLibraryCalls(instance);
        break;
    case DLL_PROCESS_DETACH:
        if (reserved) break;                /* process exit: the system cleans up */
        /* FreeLibrary ("Unloading"): the blocks still live stay in the
         * process heap, unknown to a later load.  A spy still registered
         * keeps its reference: calling into it from here is not safe. */
        spied_blocks_free();
        live_map_destroy();
        DeleteCriticalSection(&allocator_lock);
        break;
    }
    return TRUE;
}
