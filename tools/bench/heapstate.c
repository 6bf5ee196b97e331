/*
 * The state of the heap at the measured size.  Under Wine 8.0 (which has no
 * low-fragmentation heap) a HeapAlloc/HeapFree pair of BLOCK_SIZE costs
 * about 0.7 times as much when the request takes a whole free block lying
 * between live blocks (an exact fit) as when it splits a large free block
 * and the free merges the block back, which is all a fresh HeapCreate heap
 * can do.  What the process heap holds depends on what the process did
 * before, so unless the benchmark sets the state, two runs of the same code
 * can measure different heaps.
 *
 * So every heap is warmed the same way before the first point (WARM_BLOCKS
 * blocks of BLOCK_SIZE, every other one freed again, through the
 * implementation's own allocator), except rawsplit, which stays fresh to
 * show the other state.  And how a request is served is observed, not
 * assumed: HeapWalk before and after one allocation shows which free block
 * it came from and whether any of that block is left free.
 */

#include "bench.h"

#define MAX_HEAPS 64
#define MAX_FREE_BLOCKS 8192

struct free_block
{
    const char *start;
    SIZE_T size;
};

/* Static: while the state is observed, nothing may come from a heap. */
static struct free_block before[MAX_FREE_BLOCKS], after[MAX_FREE_BLOCKS];

void warm_heap(struct bench_impl *b)
{
    void *blocks[WARM_BLOCKS];
    int i;

    if (b->cold) return;
    for (i = 0; i < WARM_BLOCKS; i++)
    {
        if (!(blocks[i] = impl_alloc(b, BLOCK_SIZE)))
        {
            impl_error(b, "warming the heap: allocating a %d-byte block returned NULL", BLOCK_SIZE);
            break;
        }
    }
    /* Blocks 2k + 1 stay allocated for the whole run: each free block
     * has a live block on either side. */
    while (i--)
        if (i % 2 == 0) impl_free(b, blocks[i]);
}

/* The free blocks of a heap, header included (HeapWalk's lpData is past
 * the cbOverhead bytes of header).  Returns their number, or -1 when the
 * walk failed or found more than max. */
static int walk_free_blocks(HANDLE heap, struct free_block *blocks, int max)
{
    PROCESS_HEAP_ENTRY entry;
    DWORD error;
    int n = 0;

    if (!HeapLock(heap)) return -1;
    entry.lpData = NULL;
    while (HeapWalk(heap, &entry))
    {
        if (entry.wFlags & (PROCESS_HEAP_ENTRY_BUSY | PROCESS_HEAP_REGION | PROCESS_HEAP_UNCOMMITTED_RANGE))
            continue;
        if (n == max)
        {
            n = -1;
            break;
        }
        blocks[n].start = (const char *)entry.lpData - entry.cbOverhead;
        blocks[n].size = entry.cbData + entry.cbOverhead;
        n++;
    }
    error = GetLastError();
    HeapUnlock(heap);
    return n >= 0 && error == ERROR_NO_MORE_ITEMS ? n : -1;
}

static int heap_holds(HANDLE heap, const void *p)
{
    PROCESS_HEAP_ENTRY entry;
    int found = 0;

    if (!HeapLock(heap)) return 0;
    entry.lpData = NULL;
    while (!found && HeapWalk(heap, &entry))
        found = (entry.wFlags & PROCESS_HEAP_ENTRY_BUSY) && entry.lpData == p;
    HeapUnlock(heap);
    return found;
}

/* The heap an implementation's blocks come from, or NULL when none of the
 * process's heaps holds one. */
static HANDLE find_heap(struct bench_impl *b)
{
    HANDLE heaps[MAX_HEAPS], found = NULL;
    DWORD i, n;
    void *p;

    if (b->kind == KIND_RAW) return b->heap;
    if (!(p = impl_alloc(b, BLOCK_SIZE))) return NULL;
    n = GetProcessHeaps(MAX_HEAPS, heaps);
    for (i = 0; i < n && i < MAX_HEAPS && !found; i++)
        if (heap_holds(heaps[i], p)) found = heaps[i];
    impl_free(b, p);
    return found;
}

static int find_containing(const struct free_block *blocks, int n, const char *p)
{
    int i;

    for (i = 0; i < n; i++)
        if (p >= blocks[i].start && p < blocks[i].start + blocks[i].size) return i;
    return -1;
}

static void unknown(struct heap_state *state, const char *why)
{
    state->fit = FIT_UNKNOWN;
    snprintf(state->why, sizeof(state->why), "%s", why);
}

/* Allocates one block between two walks of its heap and frees it again:
 * a pair leaves the heap as it found it, which is what the points measure. */
void observe_heap_state(struct bench_impl *b, struct heap_state *state)
{
    HANDLE heap = find_heap(b);
    int nbefore, nafter, i, j;
    char *p;

    memset(state, 0, sizeof(*state));
    state->observed = 1;
    if (!heap)
    {
        unknown(state, "no heap of the process holds its blocks");
        return;
    }
    state->process_heap = heap == GetProcessHeap();
    if ((nbefore = walk_free_blocks(heap, before, MAX_FREE_BLOCKS)) < 0
        || !(p = impl_alloc(b, BLOCK_SIZE)))
    {
        unknown(state, "HeapWalk failed, or found more free blocks than it can hold");
        return;
    }
    nafter = walk_free_blocks(heap, after, MAX_FREE_BLOCKS);
    impl_free(b, p);
    if (nafter < 0) unknown(state, "HeapWalk failed, or found more free blocks than it can hold");
    else if ((i = find_containing(before, nbefore, p)) < 0)
        unknown(state, "not from a free block HeapWalk shows (a front-end heap, or new memory)");
    else
    {
        state->free_block = before[i].size;
        for (j = 0; j < nafter; j++)
            if (after[j].start >= before[i].start && after[j].start < before[i].start + before[i].size) break;
        state->fit = j < nafter ? FIT_SPLIT : FIT_EXACT;
        if (j < nafter) state->left = after[j].size;
    }
}

const char *fit_word(enum heap_fit fit)
{
    static const char *const words[] = { "unknown", "exact", "split" };

    return words[fit];
}

const char *heap_state_text(const struct heap_state *state, char *buf, size_t size)
{
    const char *heap = state->process_heap ? "the process heap" : "a heap of its own";

    if (!state->observed) snprintf(buf, size, "not observed");
    else if (state->fit == FIT_UNKNOWN) snprintf(buf, size, "unknown: %s", state->why);
    else if (state->fit == FIT_EXACT)
        snprintf(buf, size, "exact fit: a whole free block of %lu bytes, in %s", (unsigned long)state->free_block,
                 heap);
    else
        snprintf(buf, size, "split: a free block of %lu bytes, %lu left free, in %s", (unsigned long)state->free_block,
                 (unsigned long)state->left, heap);
    return buf;
}
