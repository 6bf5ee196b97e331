/*
 * IMalloc::Realloc: the allocator's own edge cases (NULL, 0, failure,
 * growing, shrinking, alignment), then Realloc under a spy: which spy calls
 * it makes, that it reallocates the block and the byte count PreRealloc
 * hands back, and that the caller gets PostRealloc's result.  The header
 * spy (spy.h, SPY_HEADER) moves the caller's pointer 32 bytes into the
 * real block, so an allocator that ignores *ppNewRequest, PreRealloc's count
 * or PostRealloc's result is caught.
 *
 * Every test function checks one catalogue row, starts with no spy
 * registered and frees its blocks and revokes its spy even after a failure.
 */

#include "spy.h"

/* Big enough that growing a small block to it moves the block. */
#define MOVE_SIZE (1024 * 1024)

/* Probed once: may header-spy blocks be made (see probe_sizes)? */
static BOOL alloc_uses_prealloc_size, realloc_uses_prerealloc_size;

/* A header spy writes its header and trailer into the block the allocator
 * made from PreAlloc's (PreRealloc's) count; if the allocator allocated the
 * caller's count instead, that would overrun the block.  So find out first,
 * with a pass-through spy asking for a much bigger block than the caller,
 * and make header blocks only where that is safe. */
static void probe_sizes(void)
{
    struct spy *spy = spy_new(SPY_PASSTHROUGH);
    void *p, *q;

    alloc_uses_prealloc_size = realloc_uses_prerealloc_size = FALSE;
    if (!spy || pCoRegisterMallocSpy(spy_iface(spy)) != S_OK) return;
    spy_override_size(spy, SPY_PREALLOC, 4096 + 16);
    if ((p = m_alloc(16)))
    {
        alloc_uses_prealloc_size = m_getsize(p) >= 4096 + 16;
        spy_override_size(spy, SPY_PREREALLOC, 8192 + 32);
        if ((q = m_realloc(p, 32)))
        {
            realloc_uses_prerealloc_size = m_getsize(q) >= 8192 + 32;
            p = q;
        }
        spy_clear_override(spy, SPY_PREREALLOC);
        m_free(p);
    }
    pCoRevokeMallocSpy();
}

/* A registered header spy, or NULL (with a skip) where the allocator would
 * let it overrun its blocks. */
static struct spy *start_header_spy(void)
{
    if (!alloc_uses_prealloc_size || !realloc_uses_prerealloc_size)
    {
        skip("header spy: the allocator does not allocate PreAlloc's/PreRealloc's byte count (ALLOC-08, REALLOC-12), "
             "a header spy would overrun its blocks\n");
        return NULL;
    }
    return spy_register_new(SPY_HEADER);
}

/* Alloc(n) under the header spy, filled with a pattern; NULL on failure. */
static void *header_block(struct spy *spy, SIZE_T n, unsigned seed)
{
    void *p = m_alloc(n);

    if (!setup_check(p != NULL, "Alloc(%lu) returned NULL\n", (unsigned long)n)) return NULL;
    if (!setup_check(spy_owns_block(spy, p), "Alloc did not return PostAlloc's pointer\n"))
    {
        m_free(p);
        return NULL;
    }
    fill_pattern(p, n, seed);
    return p;
}

static void *filled_block(SIZE_T n, unsigned seed)
{
    void *p = m_alloc(n);

    if (setup_check(p != NULL, "Alloc(%lu) returned NULL\n", (unsigned long)n)) fill_pattern(p, n, seed);
    return p;
}

/* ---- the allocator alone ---- */

static void test_grow_keeps_contents(void)
{
    static const SIZE_T sizes[] = { 80, 4096, MOVE_SIZE };
    void *p, *q;
    SIZE_T old = 64;
    unsigned i;

    push_behaviour("REALLOC-01");
    p = filled_block(old, 1);
    for (i = 0; p && i < ARRAY_SIZE(sizes); i++)
    {
        q = m_realloc(p, sizes[i]);
        ok(q != NULL, "Realloc(p, %lu) returned NULL\n", (unsigned long)sizes[i]);
        if (!q) break;
        p = q;
        ok(check_pattern(p, old, 1), "Realloc(p, %lu): the first %lu bytes changed\n",
           (unsigned long)sizes[i], (unsigned long)old);
        fill_pattern(p, sizes[i], 1);
        old = sizes[i];
    }
    m_free(p);
    winetest_pop_context();
}

static void test_shrink_keeps_contents(void)
{
    void *p, *q;

    push_behaviour("REALLOC-02");
    if ((p = filled_block(256, 2)))
    {
        q = m_realloc(p, 40);
        ok(q != NULL, "Realloc(p, 40) returned NULL\n");
        if (q)
        {
            p = q;
            ok(check_pattern(p, 40, 2), "Realloc(p, 40): the first 40 bytes changed\n");
        }
        m_free(p);
    }
    winetest_pop_context();
}

static void test_realloc_null_allocates(void)
{
    SIZE_T size;
    void *p;
    int did;

    push_behaviour("REALLOC-03");
    p = m_realloc(NULL, 48);
    ok(p != NULL, "Realloc(NULL, 48): got NULL, expected a block\n");
    if (p)
    {
        fill_pattern(p, 48, 3);
        ok(check_pattern(p, 48, 3), "the 48 bytes do not read back\n");
        did = m_didalloc(p);
        ok(did == 1, "DidAlloc: got %d, expected 1\n", did);
        size = m_getsize(p);
        ok(size >= 48 && size != (SIZE_T)-1, "GetSize: got %lu, expected >= 48\n", (unsigned long)size);
        m_free(p);
    }
    winetest_pop_context();
}

static void test_realloc_zero_frees(void)
{
    void *p, *q;
    int did;

    push_behaviour("REALLOC-04");
    if ((p = filled_block(32, 4)))
    {
        q = m_realloc(p, 0);
        ok(q == NULL, "Realloc(p, 0): got %p, expected NULL\n", q);
        did = m_didalloc(p);
        ok(did != 1, "DidAlloc(p) after Realloc(p, 0): got %d, expected not 1 (freed)\n", did);
        if (q) m_free(q);
    }
    winetest_pop_context();
}

static void test_realloc_failure_keeps_block(void)
{
    void *p, *q;
    int did;

    push_behaviour("REALLOC-05");
    if ((p = filled_block(64, 5)))
    {
        q = m_realloc(p, HUGE_SIZE);
        ok(q == NULL, "Realloc(p, huge): got %p, expected NULL\n", q);
        if (q) p = q;
        else
        {
            ok(check_pattern(p, 64, 5), "the block's contents changed after a failed Realloc\n");
            did = m_didalloc(p);
            ok(did == 1, "DidAlloc(p) after a failed Realloc: got %d, expected 1\n", did);
        }
        m_free(p);
    }
    winetest_pop_context();
}

static void test_realloc_alignment(void)
{
    static const SIZE_T sizes[] = { 1, 3, 17, 100, 1000, 65536 + 5, MOVE_SIZE + 3 };
    void *p, *q;
    unsigned i;

    push_behaviour("REALLOC-06");
    p = m_realloc(NULL, 5);
    ok(p != NULL && !((ULONG_PTR)p % MEMORY_ALLOCATION_ALIGNMENT), "Realloc(NULL, 5): got %p, expected a multiple of %u\n",
       p, MEMORY_ALLOCATION_ALIGNMENT);
    for (i = 0; p && i < ARRAY_SIZE(sizes); i++)
    {
        q = m_realloc(p, sizes[i]);
        ok(q != NULL && !((ULONG_PTR)q % MEMORY_ALLOCATION_ALIGNMENT), "Realloc(p, %lu): got %p, expected a multiple of %u\n",
           (unsigned long)sizes[i], q, MEMORY_ALLOCATION_ALIGNMENT);
        if (q) p = q;
    }
    m_free(p);
    winetest_pop_context();
}

static void test_realloc_null_zero(void)
{
    void *p;

    push_behaviour("REALLOC-07");
    observing = TRUE;
    p = m_realloc(NULL, 0);
    trace("observed: %s\n", p ? "zero-length item" : "NULL");
    m_free(p);
    observing = FALSE;
    winetest_pop_context();
}

static void test_realloc_twice(void)
{
    void *p, *q, *r = NULL;

    push_behaviour("REALLOC-08");
    observing = TRUE;
    if ((p = filled_block(16, 8)))
    {
        q = m_realloc(p, 64);
        if (!setup_check(q != NULL, "Realloc(p, 64) returned NULL\n")) m_free(p);
        else
        {
            r = m_realloc(q, 256);
            trace("observed: %s\n", r && check_pattern(r, 16, 8) ? "works" : r ? "contents lost" : "fails");
            m_free(r ? r : q);
        }
    }
    observing = FALSE;
    winetest_pop_context();
}

/* ---- under a spy ---- */

static void test_spy_calls(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("REALLOC-09");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 9)))
        {
            const struct spy_expect expect[] =
            {
                { SPY_PREREALLOC, SPY_ANY_SPYED, p, 100 },
                { SPY_POSTREALLOC, SPY_NOT_NULL | SPY_ANY_SPYED },
            };
            mark = spy_mark();
            q = m_realloc(p, 100);
            spy_check_calls(spy, mark, expect);
            m_free(q ? q : p);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_prerealloc_arguments(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("REALLOC-10");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 10)))
        {
            mark = spy_mark();
            q = pCoTaskMemRealloc(p, 72);
            if ((call = spy_call_of(spy, mark, SPY_PREREALLOC)))
                ok(call->ptr == p && call->size == 72, "got PreRealloc(%p, %lu), expected PreRealloc(%p, 72)\n",
                   call->ptr, (unsigned long)call->size, p);
            else ok(0, "got no PreRealloc call\n");
            m_free(q ? q : p);
        }
        spy_unregister();
    }
    /* through the header spy the caller's pointer is not the real block */
    if ((spy = start_header_spy()))
    {
        if ((p = header_block(spy, 40, 10)))
        {
            mark = spy_mark();
            q = m_realloc(p, 200);
            if ((call = spy_call_of(spy, mark, SPY_PREREALLOC)))
                ok(call->ptr == p && call->size == 200, "header spy: got PreRealloc(%p, %lu), expected PreRealloc(%p, 200)\n",
                   call->ptr, (unsigned long)call->size, p);
            else ok(0, "header spy: got no PreRealloc call\n");
            m_free(q ? q : p);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_reallocates_new_request(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *r, *q;
    LONG mark;

    push_behaviour("REALLOC-11");

    /* PreRealloc redirects the request to another block r: the result
     * holds r's contents and p is left alone.  Both come from before the
     * registration, so neither is a spied block. */
    p = filled_block(32, 11);
    r = filled_block(32, 111);
    if (p && r && (spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        spy_override_ptr(spy, SPY_PREREALLOC, r);
        spy_override_size(spy, SPY_PREREALLOC, 64);
        q = m_realloc(p, 64);
        spy_clear_override(spy, SPY_PREREALLOC);
        ok(q != NULL, "Realloc(p, 64) redirected to r: got NULL\n");
        if (q)
        {
            ok(check_pattern(q, 32, 111), "the result does not hold the contents of *ppNewRequest's block\n");
            ok(check_pattern(p, 32, 11), "the caller's block changed\n");
            r = NULL;
            m_free(q);
        }
        m_free(p);
        p = NULL;
        spy_unregister();
    }
    m_free(p);
    m_free(r);

    /* header spy, growing so far that the block moves: the header and the
     * contents move with it */
    if ((spy = start_header_spy()))
    {
        if ((p = header_block(spy, 100, 11)))
        {
            mark = spy_mark();
            q = m_realloc(p, MOVE_SIZE);
            ok(q != NULL, "header spy: Realloc(p, %u) returned NULL\n", MOVE_SIZE);
            if (q)
            {
                p = q;
                ok(spy->guard_errors == 0, "header spy: got %ld damaged headers, expected 0\n", spy->guard_errors);
                ok(check_pattern(q, 100, 11), "header spy: the contents did not move with the block\n");
                call = spy_call_of(spy, mark, SPY_POSTREALLOC);
                ok(call && call->ptr == (BYTE *)q - SPY_HEADER_SIZE,
                   "header spy: got PostRealloc(%p), expected the real block %p\n", call ? call->ptr : NULL,
                   (BYTE *)q - SPY_HEADER_SIZE);
                ok(spy_owns_block(spy, q), "header spy: the result is not PostRealloc's pointer\n");
            }
            m_free(p);
            ok(spy->guard_errors == 0, "header spy: got %ld damaged headers at Free, expected 0\n", spy->guard_errors);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_reallocates_new_count(void)
{
    struct spy *spy;
    SIZE_T size;
    void *p, *q;

    push_behaviour("REALLOC-12");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 12)))
        {
            spy_override_size(spy, SPY_PREREALLOC, 5000);
            q = m_realloc(p, 64);
            spy_clear_override(spy, SPY_PREREALLOC);
            ok(q != NULL, "Realloc(p, 64) with PreRealloc returning 5000: got NULL\n");
            if (q)
            {
                p = q;
                size = m_getsize(p);
                ok(size >= 5000 && size != (SIZE_T)-1, "GetSize: got %lu, expected >= 5000 (PreRealloc's count)\n",
                   (unsigned long)size);
            }
            m_free(p);
        }
        spy_unregister();
    }
    if ((spy = start_header_spy()))
    {
        if ((p = header_block(spy, 40, 12)))
        {
            q = m_realloc(p, 300);
            ok(q != NULL, "header spy: Realloc(p, 300) returned NULL\n");
            if (q)
            {
                p = q;
                size = m_getsize(p);     /* the header spy takes off its overhead */
                ok(size >= 300 && size != (SIZE_T)-1, "header spy: GetSize: got %lu, expected >= 300\n", (unsigned long)size);
                ok(check_pattern(p, 40, 12), "header spy: the contents changed\n");
            }
            m_free(p);
            ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

/* PostRealloc hands the caller its pointer plus 16; PreFree, PreGetSize and
 * PreDidAlloc take it back. */
static void offset_hook(struct spy *spy, struct spy_call *call)
{
    switch (call->method)
    {
    case SPY_POSTREALLOC:
        if (call->ptr) spy_override_ptr(spy, SPY_POSTREALLOC, (BYTE *)call->ptr + 16);
        else spy_clear_override(spy, SPY_POSTREALLOC);
        break;
    case SPY_PREFREE:
        spy_override_ptr(spy, SPY_PREFREE, (BYTE *)call->ptr - 16);
        break;
    default:
        break;
    }
}

static void test_caller_gets_postrealloc_result(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("REALLOC-13");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 13)))
        {
            spy->hook = offset_hook;
            mark = spy_mark();
            q = m_realloc(p, 64);
            call = spy_call_of(spy, mark, SPY_POSTREALLOC);
            ok(call != NULL, "no PostRealloc call\n");
            if (call)
                ok(q == call->ret_ptr && q != NULL, "got %p, expected PostRealloc's result %p\n", q, call->ret_ptr);
            if (q && call && q == call->ret_ptr) m_free(q);     /* PreFree takes the 16 off again */
            else
            {
                spy->hook = NULL;
                spy_reset(spy);
                m_free(call && call->ptr ? call->ptr : p);
            }
            spy->hook = NULL;
            spy_reset(spy);
        }
        spy_unregister();
    }
    if ((spy = start_header_spy()))
    {
        if ((p = header_block(spy, 40, 13)))
        {
            mark = spy_mark();
            q = m_realloc(p, 80);
            call = spy_call_of(spy, mark, SPY_POSTREALLOC);
            ok(call && q && q == call->ret_ptr, "header spy: got %p, expected PostRealloc's result %p\n", q,
               call ? call->ret_ptr : NULL);
            if (call && q) ok(q != call->ptr, "header spy: got PostRealloc's argument %p, expected its result\n", q);
            m_free(q ? q : p);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

/* Realloc(p, 0) is a reallocation too: it frees the block PreRealloc
 * stored in *ppNewRequest (a header spy's caller pointer is not a heap
 * block at all) and leaves the caller's pointer alone. */
static void test_realloc_zero_frees_new_request(void)
{
    struct spy *spy = NULL;
    void *p, *r, *q;
    int did_p, did_r;

    push_behaviour("REALLOC-11");
    p = filled_block(32, 21);
    r = filled_block(32, 121);
    if (p && r && (spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        spy_override_ptr(spy, SPY_PREREALLOC, r);
        q = m_realloc(p, 0);
        spy_clear_override(spy, SPY_PREREALLOC);
        spy_unregister();
        ok(q == NULL, "Realloc(p, 0) redirected to r: got %p, expected NULL\n", q);
        did_r = m_didalloc(r);
        did_p = m_didalloc(p);
        ok(did_r != 1, "Realloc(p, 0) redirected to r: DidAlloc(r) afterwards: got %d, expected not 1 (freed)\n",
           did_r);
        ok(did_p == 1, "Realloc(p, 0) redirected to r: DidAlloc(p) afterwards: got %d, expected 1 (left alone)\n",
           did_p);
        if (did_p == 1) ok(check_pattern(p, 32, 21), "Realloc(p, 0) redirected to r: the caller's block changed\n");
        /* free only what is still live: a broken implementation freed p */
        if (q && q != p && q != r && m_didalloc(q) == 1) m_free(q);
        if (did_r == 1) m_free(r);
        if (did_p == 1) m_free(p);
    }
    else if (!spy)
    {
        m_free(p);
        m_free(r);
    }
    winetest_pop_context();
}

/* The caller of Realloc(p, 0) gets PostRealloc's result too, where the
 * implementation calls PostRealloc for it (whether it does is REALLOC-20). */
static void test_realloc_zero_caller_gets_postrealloc_result(void)
{
    static char sentinel[16];
    struct spy *spy;
    LONG before;
    void *p, *q;

    push_behaviour("REALLOC-13");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(32, 22)))
        {
            spy_override_ptr(spy, SPY_POSTREALLOC, sentinel);
            before = spy->calls[SPY_POSTREALLOC];
            q = m_realloc(p, 0);
            spy_clear_override(spy, SPY_POSTREALLOC);
            if (spy->calls[SPY_POSTREALLOC] != before)
                ok(q == (void *)sentinel, "Realloc(p, 0) with PostRealloc returning %p: got %p\n", sentinel, q);
            if (m_didalloc(p) == 1) m_free(p);      /* not freed: REALLOC-18 says so */
        }
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_postrealloc_actual(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("REALLOC-14");
    observing = TRUE;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 14)))
        {
            mark = spy_mark();
            q = m_realloc(p, MOVE_SIZE);
            call = spy_call_of(spy, mark, SPY_POSTREALLOC);
            if (!q) trace("observed: Realloc failed\n");
            else if (q == p) trace("observed: block did not move\n");
            else if (!call) trace("observed: no PostRealloc\n");
            else if (call->ptr == q) trace("observed: new block\n");
            else if (call->ptr == p) trace("observed: caller's pointer\n");
            else trace("observed: other pointer\n");
            if (q && q != p) m_free(q);
            else if (!q) m_free(p);
        }
        spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

static void test_forced_failure(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    push_behaviour("REALLOC-15");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 15)))
        {
            const struct spy_expect expect[] = { { SPY_PREREALLOC, SPY_ANY_SPYED, p, 200 } };

            spy->realloc_fault.kind = SPY_FAULT_ZERO;
            spy->realloc_fault.count = 1;
            mark = spy_mark();
            q = m_realloc(p, 200);
            ok(q == NULL, "got %p, expected NULL\n", q);
            spy_check_calls(spy, mark, expect);
            m_free(q ? q : p);
        }
        spy_unregister();
    }
    if ((spy = start_header_spy()))
    {
        if ((p = header_block(spy, 40, 15)))
        {
            const struct spy_expect expect[] = { { SPY_PREREALLOC, SPY_ANY_SPYED, p, 200 } };

            spy->realloc_fault.kind = SPY_FAULT_ZERO;
            spy->realloc_fault.count = 1;
            mark = spy_mark();
            q = m_realloc(p, 200);
            ok(q == NULL, "header spy: got %p, expected NULL\n", q);
            spy_check_calls(spy, mark, expect);
            if (!q) ok(check_pattern(p, 40, 15), "header spy: the contents changed\n");
            m_free(q ? q : p);
            ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_forced_failure_block(void)
{
    struct spy_call *call;
    char buf[96];
    struct spy *spy;
    void *p, *q;
    LONG mark;
    int did;

    push_behaviour("REALLOC-16");
    observing = TRUE;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(32, 16)))
        {
            spy->realloc_fault.kind = SPY_FAULT_ZERO;
            spy->realloc_fault.count = 1;
            q = m_realloc(p, 200);
            if (q)
            {
                trace("observed: Realloc succeeded\n");
                m_free(q);
            }
            else
            {
                *buf = 0;
                if (!check_pattern(p, 32, 16)) strcat(buf, ", contents changed");
                mark = spy_mark();
                did = m_didalloc(p);
                if (did != 1) strcat(buf, ", freed");
                call = spy_call_of(spy, mark, SPY_PREDIDALLOC);
                if (did == 1 && call && !call->spyed) strcat(buf, ", no longer spied");
                trace("observed: %s\n", *buf ? buf + 2 : "unchanged");
                if (did == 1) m_free(p);
            }
        }
        spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

static void test_real_failure(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q;
    LONG mark;
    int did;

    push_behaviour("REALLOC-17");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(32, 17)))
        {
            const struct spy_expect expect[] =
            {
                { SPY_PREREALLOC, SPY_ANY_SPYED, p, 200 },
                { SPY_POSTREALLOC, SPY_ANY_SPYED, NULL },
            };
            spy->realloc_fault.kind = SPY_FAULT_HUGE;
            spy->realloc_fault.count = 1;
            mark = spy_mark();
            q = m_realloc(p, 200);
            ok(q == NULL, "got %p, expected NULL (PostRealloc's result)\n", q);
            spy_check_calls(spy, mark, expect);
            if (q) p = q;
            else
            {
                ok(check_pattern(p, 32, 17), "the block's contents changed\n");
                mark = spy_mark();
                did = m_didalloc(p);
                ok(did == 1, "DidAlloc(p): got %d, expected 1\n", did);
                /* still the same spied block */
                call = spy_call_of(spy, mark, SPY_PREDIDALLOC);
                ok(call && call->spyed, "PreDidAlloc(p) after the failure: got fSpyed %s, expected TRUE\n",
                   call ? (call->spyed ? "TRUE" : "FALSE") : "(no call)");
            }
            m_free(p);
        }
        spy_unregister();
    }
    if ((spy = start_header_spy()))
    {
        if ((p = header_block(spy, 40, 17)))
        {
            spy->realloc_fault.kind = SPY_FAULT_HUGE;
            spy->realloc_fault.count = 1;
            mark = spy_mark();
            q = m_realloc(p, 200);
            ok(q == NULL, "header spy: got %p, expected NULL\n", q);
            ok(spy_find_call(spy, mark, SPY_POSTREALLOC) >= 0, "header spy: no PostRealloc call\n");
            if (q) p = q;
            else ok(check_pattern(p, 40, 17), "header spy: the contents changed\n");
            m_free(p);
            ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_realloc_zero_with_spy(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q;
    LONG mark;
    int did;

    push_behaviour("REALLOC-18");
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(32, 18)))
        {
            mark = spy_mark();
            q = m_realloc(p, 0);
            call = spy_call_of(spy, mark, SPY_PREREALLOC);
            ok(call && call->ret_size == 0, "PreRealloc was not called or did not return 0\n");
            ok(q == NULL, "got %p, expected NULL\n", q);
            did = m_didalloc(p);
            ok(did != 1, "DidAlloc(p) afterwards: got %d, expected not 1 (freed)\n", did);
            if (q) m_free(q);
        }
        spy_unregister();
    }
    if ((spy = start_header_spy()))
    {
        if ((p = header_block(spy, 40, 18)))
        {
            q = m_realloc(p, 0);
            ok(q == NULL, "header spy: got %p, expected NULL\n", q);
            ok(!spy_owns_block(spy, p), "header spy: PostRealloc was not told that p went away\n");
            did = m_didalloc(p);
            ok(did != 1, "header spy: DidAlloc(p) afterwards: got %d, expected not 1 (freed)\n", did);
            if (q) m_free(q);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

static void test_realloc_null_calls(void)
{
    struct spy *spy;
    char buf[160];
    LONG mark;
    void *p;

    push_behaviour("REALLOC-19");
    observing = TRUE;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        mark = spy_mark();
        p = m_realloc(NULL, 24);
        spy_format_calls(buf, sizeof(buf), spy, mark, TRUE, NULL, NULL, 24);
        trace("observed: %s\n", buf);
        m_free(p);
        spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

static void test_realloc_zero_calls(void)
{
    struct spy *spy;
    char buf[160];
    LONG mark;
    void *p;

    push_behaviour("REALLOC-20");
    observing = TRUE;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 20)))
        {
            mark = spy_mark();
            m_realloc(p, 0);
            spy_format_calls(buf, sizeof(buf), spy, mark, TRUE, p, NULL, 16);
            trace("observed: %s\n", buf);
        }
        spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

static void test_realloc_null_zero_calls(void)
{
    struct spy *spy;
    char buf[160];
    LONG mark;
    void *p;

    push_behaviour("REALLOC-21");
    observing = TRUE;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        mark = spy_mark();
        p = m_realloc(NULL, 0);
        spy_format_calls(buf, sizeof(buf), spy, mark, TRUE, NULL, NULL, 0);
        trace("observed: %s, %s\n", buf, p ? "zero-length item" : "NULL");
        m_free(p);
        spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

/* ---- REALLOC-22 runs in a thread of its own: an implementation that
 * reallocates an uninitialized *ppNewRequest may crash or hang. ---- */

struct no_store_args
{
    void *p, *result;
};

static DWORD WINAPI no_store_thread(void *arg)
{
    struct no_store_args *a = arg;

    a->result = m_realloc(a->p, 64);
    return 0;
}

static void test_prerealloc_no_store(void)
{
    struct no_store_args args = { 0 };
    struct spy *spy;
    HANDLE thread;
    DWORD code = 0;

    push_behaviour("REALLOC-22");
    observing = TRUE;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((args.p = filled_block(32, 22)))
        {
            spy->prerealloc_no_store = TRUE;
            thread = start_guarded(no_store_thread, &args);
            if (!setup_check(thread != NULL, "CreateThread failed, error %lu\n", GetLastError()))
            {
                m_free(args.p);
                spy_unregister();
                observing = FALSE;
                winetest_pop_context();
                return;
            }
            if (WaitForSingleObject(thread, 3000) != WAIT_OBJECT_0)
            {
                /* it may hold the allocator's lock: touch nothing more */
                trace("observed: deadlock\n");
                observing = FALSE;
                winetest_pop_context();
                return;
            }
            GetExitCodeThread(thread, &code);
            CloseHandle(thread);
            if (code == GUARD_CRASHED)
            {
                trace("observed: crash\n");
                observing = FALSE;
                winetest_pop_context();
                return;
            }
            spy->prerealloc_no_store = FALSE;
            if (!args.result)
            {
                trace("observed: returns NULL\n");
                m_free(args.p);
            }
            else if (check_pattern(args.result, 32, 22))
            {
                trace("observed: acts on the caller's block\n");
                m_free(args.result);
            }
            else
            {
                trace("observed: acts on another block\n");
                m_free(args.result);
                m_free(args.p);
            }
        }
        spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

START_TEST(realloc)
{
    if (!init_test()) return;

    test_grow_keeps_contents();
    test_shrink_keeps_contents();
    test_realloc_null_allocates();
    test_realloc_zero_frees();
    test_realloc_failure_keeps_block();
    test_realloc_alignment();
    test_realloc_null_zero();
    test_realloc_twice();

    probe_sizes();
    test_spy_calls();
    test_prerealloc_arguments();
    test_reallocates_new_request();
    test_realloc_zero_frees_new_request();
    test_reallocates_new_count();
    test_caller_gets_postrealloc_result();
    test_realloc_zero_caller_gets_postrealloc_result();
    test_postrealloc_actual();
    test_forced_failure();
    test_forced_failure_block();
    test_real_failure();
    test_realloc_zero_with_spy();
    test_realloc_zero_calls();
    /* Realloc(NULL, n) under a spy may upset a broken implementation's
     * bookkeeping and with it every later revoke: near the end */
    test_realloc_null_calls();
    test_realloc_null_zero_calls();
    /* last: may crash or hang a broken implementation */
    test_prerealloc_no_store();
}
