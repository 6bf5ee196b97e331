/*
 * IMalloc::Realloc: the allocator's own edge cases (NULL, 0, failure,
 * growing, shrinking, alignment), then Realloc under a spy: which spy calls
 * it makes, that it reallocates the block and the byte count PreRealloc
 * hands back, and that the caller gets PostRealloc's result.  The header
 * spy (spy.h, SPY_HEADER) moves the caller's pointer 32 bytes into the
 * real block, so an allocator that ignores *ppNewRequest, PreRealloc's count
 * or PostRealloc's result is caught.
 *
 * Which spy calls Realloc(p, 0) makes is open (REALLOC-20): it may be a
 * reallocation (PreRealloc) or a free (PreFree).  Checks that redirect the
 * block to free set up both, so they hold either way.  Whether a block was
 * freed is measured (addrspace.c), never asked of DidAlloc.
 */

#include "spy.h"

/* Big enough that growing a small block to it moves the block. */
#define MOVE_SIZE (1024 * 1024)

/* Alloc(n) under the header spy, its usable part filled with a pattern;
 * NULL on failure. */
static void *header_block(struct spy *spy, SIZE_T n, unsigned seed)
{
    void *p = m_alloc(n);

    if (!setup_check(p != NULL, "Alloc(%s) returned NULL\n", str_size(n))) return NULL;
    if (!setup_check(spy_owns_block(spy, p), "Alloc did not return PostAlloc's pointer\n"))
    {
        m_free(p);
        return NULL;
    }
    fill_pattern(p, spy_header_usable(n), seed);
    return p;
}

static void *filled_block(SIZE_T n, unsigned seed)
{
    void *p = m_alloc(n);

    if (setup_check(p != NULL, "Alloc(%s) returned NULL\n", str_size(n))) fill_pattern(p, n, seed);
    return p;
}

/* ---- the allocator alone ---- */

static void test_grow_keeps_contents(void)
{
    static const SIZE_T sizes[] = { 80, 4096, MOVE_SIZE };
    void *p, *q;
    SIZE_T old = 64;
    unsigned int i;

    p = filled_block(old, 1);
    for (i = 0; p && i < ARRAY_SIZE(sizes); i++)
    {
        q = m_realloc(p, sizes[i]);
        ok(q != NULL, "Realloc(p, %s) returned NULL\n", str_size(sizes[i]));
        if (!q) break;
        p = q;
        ok(check_pattern(p, old, 1), "Realloc(p, %s): the first %s bytes changed\n", str_size(sizes[i]), str_size(old));
        fill_pattern(p, sizes[i], 1);
        old = sizes[i];
    }
    m_free(p);
}

static void test_shrink_keeps_contents(void)
{
    void *p, *q;

    if (!(p = filled_block(256, 2))) return;
    q = m_realloc(p, 40);
    ok(q != NULL, "Realloc(p, 40) returned NULL\n");
    if (q)
    {
        p = q;
        ok(check_pattern(p, 40, 2), "Realloc(p, 40): the first 40 bytes changed\n");
    }
    m_free(p);
}

static void test_realloc_null_allocates(void)
{
    SIZE_T size;
    void *p;
    int did;

    p = m_realloc(NULL, 48);
    ok(p != NULL, "Realloc(NULL, 48): got NULL, expected a block\n");
    if (!p) return;
    fill_pattern(p, 48, 3);
    ok(check_pattern(p, 48, 3), "the 48 bytes do not read back\n");
    did = m_didalloc(p);
    ok(did == 1, "DidAlloc: got %d, expected 1\n", did);
    size = m_getsize(p);
    ok(size >= 48 && size != (SIZE_T)-1, "GetSize: got %s, expected at least 48\n", str_size(size));
    m_free(p);
}

static void test_realloc_zero_frees(void)
{
    SIZE_T before = address_space_in_use();
    unsigned int i;
    void *p, *q = NULL;

    for (i = 0; i < BIG_ROUNDS && (p = m_alloc(BIG_BLOCK)); i++)
    {
        q = m_realloc(p, 0);
        ok(q == NULL, "Realloc(p, 0): got %p, expected NULL\n", q);
        if (q) break;
    }
    ok(q || i == BIG_ROUNDS, "Alloc(%u) returned NULL in round %u\n", BIG_BLOCK, i);
    check_no_leak(before, "Alloc then Realloc(p, 0)");
}

static void test_realloc_failure_keeps_block(void)
{
    void *p, *q;
    int did;

    if (!(p = filled_block(64, 5))) return;
    q = m_realloc(p, HUGE_SIZE);
    ok(q == NULL, "Realloc(p, huge): got %p, expected NULL\n", q);
    if (q)
    {
        m_free(q);
        return;
    }
    ok(check_pattern(p, 64, 5), "the block's contents changed after a failed Realloc\n");
    did = m_didalloc(p);
    ok(did == 1, "DidAlloc(p) after a failed Realloc: got %d, expected 1\n", did);
    m_free(p);
}

static void test_realloc_alignment(void)
{
    static const SIZE_T sizes[] = { 1, 3, 17, 100, 1000, 65536 + 5, MOVE_SIZE + 3 };
    void *p, *q;
    unsigned int i;

    p = m_realloc(NULL, 5);
    ok(p != NULL && !((ULONG_PTR)p % MEMORY_ALLOCATION_ALIGNMENT), "Realloc(NULL, 5): got %p, expected a multiple of %u\n",
       p, MEMORY_ALLOCATION_ALIGNMENT);
    for (i = 0; p && i < ARRAY_SIZE(sizes); i++)
    {
        q = m_realloc(p, sizes[i]);
        ok(q != NULL && !((ULONG_PTR)q % MEMORY_ALLOCATION_ALIGNMENT), "Realloc(p, %s): got %p, expected a multiple of %u\n",
           str_size(sizes[i]), q, MEMORY_ALLOCATION_ALIGNMENT);
        if (q) p = q;
    }
    m_free(p);
}

/* Realloc(NULL, 0) is Alloc(0), which makes a valid zero-length item. */
static void test_realloc_null_zero(void)
{
    void *p = m_realloc(NULL, 0);
    int did;

    ok(p != NULL, "Realloc(NULL, 0): got NULL, expected a zero-length item\n");
    if (!p) return;
    did = m_didalloc(p);
    ok(did == 1, "DidAlloc of the zero-length item: got %d, expected 1\n", did);
    m_free(p);
}

/* Later Realloc calls "track the reallocated memory" (R7), and Free and
 * GetSize take Realloc's blocks: so does Realloc itself. */
static void test_realloc_twice(void)
{
    void *p, *q, *r;

    if (!(p = filled_block(16, 8))) return;
    if (!(q = m_realloc(p, 64)))
    {
        ok(0, "Realloc(p, 64) returned NULL\n");
        m_free(p);
        return;
    }
    r = m_realloc(q, 256);
    ok(r != NULL, "Realloc of Realloc's block returned NULL\n");
    if (r) ok(check_pattern(r, 16, 8), "Realloc of Realloc's block lost the contents\n");
    m_free(r ? r : q);
}

/* ---- under a spy ---- */

static void test_spy_calls(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
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

/* PreRealloc got p and size in the first call since mark. */
static void check_prerealloc_args(struct spy *spy, LONG mark, void *p, SIZE_T size, const char *what)
{
    struct spy_call *call = spy_call_of(spy, mark, SPY_PREREALLOC);

    ok(call && call->ptr == p && call->size == size, "%s: got PreRealloc(%p, %s), expected PreRealloc(%p, %s)\n", what,
       call ? call->ptr : NULL, call ? str_size(call->size) : "-", p, str_size(size));
}

static void test_prerealloc_arguments(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 10)))
        {
            mark = spy_mark();
            q = pCoTaskMemRealloc(p, 72);
            check_prerealloc_args(spy, mark, p, 72, "CoTaskMemRealloc");
            if (q) p = q;
            /* a count above 4 GiB arrives whole; PreRealloc fails it */
            if (ABOVE_4G)
            {
                spy->realloc_fault.kind = SPY_FAULT_ZERO;
                mark = spy_mark();
                q = m_realloc(p, ABOVE_4G);
                spy->realloc_fault.kind = SPY_FAULT_NONE;
                check_prerealloc_args(spy, mark, p, ABOVE_4G, "above 4 GiB");
                if (q) p = q;
            }
            m_free(p);
        }
        spy_unregister();
    }
    /* through the header spy the caller's pointer is not the real block */
    if (!(spy = spy_register_new(SPY_HEADER))) return;
    if ((p = header_block(spy, 200, 10)))
    {
        mark = spy_mark();
        q = m_realloc(p, 400);
        check_prerealloc_args(spy, mark, p, 400, "header spy");
        m_free(q ? q : p);
    }
    spy_unregister();
}

/* PreRealloc redirects the request to another block r: the result holds
 * r's contents and p is left alone.  Both come from before the
 * registration, so neither is a spied block. */
static void check_redirected_realloc(void)
{
    struct spy *spy;
    void *p, *r, *q;

    p = filled_block(32, 11);
    r = filled_block(32, 111);
    if (!p || !r || !(spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        m_free(p);
        m_free(r);
        return;
    }
    spy_override_ptr(spy, SPY_PREREALLOC, r);
    spy_override_size(spy, SPY_PREREALLOC, 64);
    q = m_realloc(p, 64);
    spy_clear_override(spy, SPY_PREREALLOC);
    ok(q != NULL, "Realloc(p, 64) redirected to r: got NULL\n");
    if (q && check_pattern(q, 32, 111))
    {
        ok(check_pattern(p, 32, 11), "the caller's block changed\n");
        m_free(p);
        m_free(q);      /* reallocated under the spy: a spied block */
    }
    else if (q)
    {
        ok(0, "the result does not hold the contents of *ppNewRequest's block\n");
        if (check_pattern(q, 32, 11)) m_free(r);
        m_free(q);
    }
    /* else who knows which block is left: leave both */
    spy_unregister();
}

/* The same for Realloc(p, 0): the redirected block goes, p stays.  PreFree
 * redirects too, for an implementation that treats Realloc(p, 0) as a
 * free.  The redirected block is a big one from before the registration,
 * a new one each round: were it not freed, the rounds would add up. */
static void check_redirected_free(void)
{
    struct spy *spy;
    SIZE_T before;
    unsigned int i;
    void *p, *big;

    if (!(p = filled_block(32, 21))) return;
    before = address_space_in_use();
    for (i = 0; i < BIG_ROUNDS; i++)
    {
        if (!(big = m_alloc(BIG_BLOCK))) break;
        if (!(spy = spy_register_new(SPY_PASSTHROUGH)))
        {
            m_free(big);
            break;
        }
        spy_override_ptr(spy, SPY_PREREALLOC, big);
        spy_override_ptr(spy, SPY_PREFREE, big);
        m_realloc(p, 0);
        spy_clear_override(spy, SPY_PREREALLOC);
        spy_clear_override(spy, SPY_PREFREE);
        spy_unregister();
    }
    ok(i == BIG_ROUNDS, "round %u of %u failed\n", i, BIG_ROUNDS);
    if (!check_no_leak(before, "Realloc(p, 0) redirected to a big block")) return;   /* p may be gone: leave it */
    ok(check_pattern(p, 32, 21), "Realloc(p, 0) redirected to a big block: the caller's block changed\n");
    m_free(p);
}

/* The header spy grows a block so far that it moves.  PreRealloc hands the
 * allocator the real block, 32 bytes before the caller's pointer: the
 * header, the trailer and the contents move with it. */
static void check_header_block_moves(void)
{
    struct spy *spy;
    void *p, *q;

    if (!(spy = spy_register_new(SPY_HEADER))) return;
    if ((p = header_block(spy, 200, 11)))
    {
        q = m_realloc(p, MOVE_SIZE);
        ok(q != NULL, "header spy: Realloc(p, %u) returned NULL\n", MOVE_SIZE);
        if (q)
        {
            p = q;
            ok(spy->guard_errors == 0, "header spy: got %ld damaged headers, expected 0\n", spy->guard_errors);
            ok(check_pattern(q, spy_header_usable(200), 11), "header spy: the contents did not move with the block\n");
            ok(spy_owns_block(spy, q), "header spy: the result is not PostRealloc's pointer\n");
        }
        m_free(p);
        ok(spy->guard_errors == 0, "header spy: got %ld damaged headers at Free, expected 0\n", spy->guard_errors);
    }
    spy_unregister();
}

static void test_reallocates_new_request(void)
{
    check_redirected_realloc();
    check_redirected_free();
    check_header_block_moves();
}

static void test_reallocates_new_count(void)
{
    struct spy *spy;
    SIZE_T size;
    void *p, *q;

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
                ok(size >= 5000 && size != (SIZE_T)-1, "GetSize: got %s, expected at least 5000 (PreRealloc's count)\n",
                   str_size(size));
            }
            m_free(p);
        }
        spy_unregister();
    }
    if (!(spy = spy_register_new(SPY_HEADER))) return;
    if ((p = header_block(spy, 200, 12)))
    {
        q = m_realloc(p, 300);
        ok(q != NULL, "header spy: Realloc(p, 300) returned NULL\n");
        if (q)
        {
            p = q;
            size = m_getsize(p);     /* the header spy takes off its overhead */
            ok(size >= 300 && size != (SIZE_T)-1, "header spy: GetSize: got %s, expected at least 300\n", str_size(size));
            ok(check_pattern(p, spy_header_usable(200), 12), "header spy: the contents changed\n");
        }
        m_free(p);
        ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
    }
    spy_unregister();
}

/* PostRealloc hands the caller its pointer plus 16; PreFree takes it back. */
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

/* Not for Realloc(p, 0): whether PostRealloc comes at all is REALLOC-20's
 * question, and its result would fight with "NULL if the size is zero". */
static void test_caller_gets_postrealloc_result(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q;
    LONG mark;

    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        if ((p = filled_block(16, 13)))
        {
            spy->hook = offset_hook;
            mark = spy_mark();
            q = m_realloc(p, 64);
            call = spy_call_of(spy, mark, SPY_POSTREALLOC);
            ok(call && q && q == call->ret_ptr, "got %p, expected PostRealloc's result %p\n", q, call ? call->ret_ptr : NULL);
            if (q && call && q == call->ret_ptr) m_free(q);     /* PreFree takes the 16 off again */
            else
            {
                spy_reset(spy);
                m_free(call && call->ptr ? call->ptr : p);
            }
            spy_reset(spy);
        }
        spy_unregister();
    }

    if (!(spy = spy_register_new(SPY_HEADER))) return;
    if ((p = header_block(spy, 200, 13)))
    {
        mark = spy_mark();
        q = m_realloc(p, 240);
        call = spy_call_of(spy, mark, SPY_POSTREALLOC);
        ok(call && q && q == call->ret_ptr, "header spy: got %p, expected PostRealloc's result %p\n", q,
           call ? call->ret_ptr : NULL);
        if (call && q) ok(q != call->ptr, "header spy: got PostRealloc's argument %p, expected its result\n", q);
        m_free(q ? q : p);
    }
    spy_unregister();
}

/* PostRealloc's pActual is the block the allocator made (PostRealloc's
 * result is "a forward offset from pActual"): the header spy writes its
 * header there and hands the caller 32 bytes into it. */
static void test_postrealloc_actual(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q;
    LONG mark;

    if (!(spy = spy_register_new(SPY_HEADER))) return;
    if ((p = header_block(spy, 200, 14)))
    {
        mark = spy_mark();
        q = m_realloc(p, MOVE_SIZE);
        ok(q != NULL, "header spy: Realloc(p, %u) returned NULL\n", MOVE_SIZE);
        if (q)
        {
            p = q;
            call = spy_call_of(spy, mark, SPY_POSTREALLOC);
            ok(call && call->ptr == (BYTE *)q - SPY_HEADER_SIZE, "got PostRealloc(%p), expected the real block %p\n",
               call ? call->ptr : NULL, (BYTE *)q - SPY_HEADER_SIZE);
            ok(check_pattern(q, spy_header_usable(200), 14), "the contents did not move with the block\n");
        }
        m_free(p);
    }
    spy_unregister();
}

static void test_forced_failure(void)
{
    struct spy *spy;
    void *p, *q;
    LONG mark;

    /* from before the registration: whatever becomes of the block after a
     * forced failure is REALLOC-16's question */
    if (!(p = filled_block(16, 15))) return;
    if (!(spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        m_free(p);
        return;
    }
    {
        const struct spy_expect expect[] = { { SPY_PREREALLOC, SPY_ANY_SPYED, p, 200 } };

        spy->realloc_fault.kind = SPY_FAULT_ZERO;
        spy->realloc_fault.count = 1;
        mark = spy_mark();
        q = m_realloc(p, 200);
        ok(q == NULL, "got %p, expected NULL\n", q);
        spy_check_calls(spy, mark, expect);
    }
    spy_unregister_freeing(q ? q : p);
}

/* A spied big block: whether it was freed is measured before anything
 * reads it.  In a process of its own: an allocator that keeps freed
 * address space would be read and freed again here. */
static void test_forced_failure_block(void)
{
    struct spy_call *call;
    char buf[96] = "";
    struct spy *spy;
    SIZE_T before;
    BYTE *p, *q;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    if ((p = filled_block(BIG_BLOCK, 16)))
    {
        spy->realloc_fault.kind = SPY_FAULT_ZERO;
        spy->realloc_fault.count = 1;
        before = address_space_in_use();
        q = m_realloc(p, BIG_BLOCK * 2);
        if (q)
        {
            trace("observed: Realloc succeeded\n");
            m_free(q);
        }
        else if (big_block_released(before)) trace("observed: freed\n");
        else
        {
            if (!check_pattern(p, BIG_BLOCK, 16)) strcat(buf, ", contents changed");
            mark = spy_mark();
            if (m_didalloc(p) != 1) strcat(buf, ", DidAlloc not 1");
            call = spy_call_of(spy, mark, SPY_PREDIDALLOC);
            if (!call || !call->spyed) strcat(buf, ", no longer spied");
            trace("observed: %s\n", *buf ? buf + 2 : "unchanged");
            m_free(p);
        }
    }
    spy_unregister();
}

static void test_real_failure(void)
{
    struct spy *spy;
    void *p, *q;
    HRESULT hr;
    LONG mark;
    int did;

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
                did = m_didalloc(p);
                ok(did == 1, "DidAlloc(p): got %d, expected 1\n", did);
                /* the same block, allocated while the spy was active */
                hr = pCoRevokeMallocSpy();
                ok(hr == E_ACCESSDENIED, "revoke with the block live: got %s, expected E_ACCESSDENIED\n", str_hr(hr));
            }
            m_free(p);
        }
        spy_unregister();
    }
    if (!(spy = spy_register_new(SPY_HEADER))) return;
    if ((p = header_block(spy, 200, 17)))
    {
        spy->realloc_fault.kind = SPY_FAULT_HUGE;
        spy->realloc_fault.count = 1;
        mark = spy_mark();
        q = m_realloc(p, 400);
        ok(q == NULL, "header spy: got %p, expected NULL\n", q);
        ok(spy_find_call(spy, mark, SPY_POSTREALLOC) >= 0, "header spy: no PostRealloc call\n");
        if (q) p = q;
        else ok(check_pattern(p, spy_header_usable(200), 17), "header spy: the contents changed\n");
        m_free(p);
        ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
    }
    spy_unregister();
}

/* After a real failure the block is the one allocated while the spy was
 * active, unchanged: its fSpyed stays TRUE. */
static void test_real_failure_spyed(void)
{
    struct spy_call *call;
    struct spy *spy;
    void *p, *q;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    if ((p = filled_block(32, 23)))
    {
        spy->realloc_fault.kind = SPY_FAULT_HUGE;
        spy->realloc_fault.count = 1;
        q = m_realloc(p, 200);
        ok(q == NULL, "got %p, expected NULL\n", q);
        if (q) p = q;
        else
        {
            mark = spy_mark();
            m_didalloc(p);
            call = spy_call_of(spy, mark, SPY_PREDIDALLOC);
            ok(call && call->spyed, "PreDidAlloc after the failure: got %s, expected fSpyed TRUE\n",
               call ? "fSpyed FALSE" : "no call");
        }
        m_free(p);
    }
    spy_unregister();
}

/* Whatever calls Realloc(p, 0) makes, with a pass-through spy it frees
 * p and returns NULL: blocks that a loop frees that way must not add up. */
static void test_realloc_zero_with_spy(void)
{
    SIZE_T before;
    struct spy *spy;
    unsigned int i;
    void *p, *q = NULL;

    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        before = address_space_in_use();
        for (i = 0; i < BIG_ROUNDS && (p = m_alloc(BIG_BLOCK)); i++)
        {
            q = m_realloc(p, 0);
            ok(q == NULL, "Realloc(p, 0): got %p, expected NULL\n", q);
            if (q) break;
        }
        ok(q || i == BIG_ROUNDS, "Alloc(%u) returned NULL in round %u\n", BIG_BLOCK, i);
        check_no_leak(before, "Alloc then Realloc(p, 0) under a pass-through spy");
        spy_unregister();
    }
    if (!(spy = spy_register_new(SPY_HEADER))) return;
    before = address_space_in_use();
    for (i = 0; i < BIG_ROUNDS && (p = header_block(spy, BIG_BLOCK, i)); i++)
    {
        q = m_realloc(p, 0);
        ok(q == NULL, "header spy: Realloc(p, 0): got %p, expected NULL\n", q);
        if (q) break;
    }
    ok(q || i == BIG_ROUNDS, "header spy: round %u of %u failed\n", i, BIG_ROUNDS);
    ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
    check_no_leak(before, "header spy: Alloc then Realloc(p, 0)");
    spy_unregister();
}

static void test_realloc_null_calls(void)
{
    struct spy *spy;
    char buf[160];
    LONG mark;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    p = m_realloc(NULL, 24);
    spy_format_calls(buf, sizeof(buf), spy, mark, TRUE, NULL, NULL, 24);
    trace("observed: %s\n", buf);
    m_free(p);
    spy_unregister();
}

static void test_realloc_zero_calls(void)
{
    struct spy *spy;
    char buf[160];
    LONG mark;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    if ((p = filled_block(16, 20)))
    {
        mark = spy_mark();
        m_realloc(p, 0);
        spy_format_calls(buf, sizeof(buf), spy, mark, TRUE, p, NULL, 16);
        trace("observed: %s\n", buf);
    }
    spy_unregister();
}

static void test_realloc_null_zero_calls(void)
{
    struct spy *spy;
    char buf[160];
    LONG mark;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    p = m_realloc(NULL, 0);
    spy_format_calls(buf, sizeof(buf), spy, mark, TRUE, NULL, NULL, 0);
    trace("observed: %s, %s\n", buf, p ? "zero-length item" : "NULL");
    m_free(p);
    spy_unregister();
}

/* H8 says Realloc(p, 0) returns NULL; R6 says the caller gets what
 * PostRealloc returns.  p comes from before the registration and the row
 * runs in a process of its own: an implementation that tracks PostRealloc's
 * answer as a block would never let the spy go. */
static void test_realloc_zero_postrealloc_result(void)
{
    static char sentinel[16];
    struct spy *spy;
    LONG mark;
    void *p, *q;

    if (!(p = filled_block(32, 24))) return;
    if (!(spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        m_free(p);
        return;
    }
    spy_override_ptr(spy, SPY_POSTREALLOC, sentinel);
    mark = spy_mark();
    q = m_realloc(p, 0);
    spy_clear_override(spy, SPY_POSTREALLOC);
    if (spy_find_call(spy, mark, SPY_POSTREALLOC) < 0) trace("observed: no PostRealloc\n");
    else if (q == (void *)sentinel) trace("observed: PostRealloc's result\n");
    else if (!q) trace("observed: NULL\n");
    else trace("observed: another pointer\n");
    spy_unregister();
}

/* ---- REALLOC-22: an implementation that reallocates an uninitialized
 * *ppNewRequest may crash or hang: the call runs on a thread of its own
 * (the runner would catch a crash too, but only after its time limit). ---- */

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

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    if (!(args.p = filled_block(32, 22)))
    {
        spy_unregister();
        return;
    }
    spy->prerealloc_no_store = TRUE;
    if (!setup_check((thread = start_guarded(no_store_thread, &args, NULL)) != NULL,
                     "CreateThread failed, error %lu\n", GetLastError()))
    {
        m_free(args.p);
        spy_unregister();
        return;
    }
    if (WaitForSingleObject(thread, 3000) != WAIT_OBJECT_0)
    {
        /* it may hold the allocator's lock: touch nothing more */
        trace("observed: deadlock\n");
        taint_process();
        return;
    }
    GetExitCodeThread(thread, &code);
    CloseHandle(thread);
    if (code == GUARD_CRASHED)
    {
        trace("observed: crash\n");
        taint_process();
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
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "REALLOC-01", test_grow_keeps_contents },
    { "REALLOC-02", test_shrink_keeps_contents },
    { "REALLOC-03", test_realloc_null_allocates },
    { "REALLOC-04", test_realloc_zero_frees },
    { "REALLOC-05", test_realloc_failure_keeps_block },
    { "REALLOC-06", test_realloc_alignment },
    { "REALLOC-07", test_realloc_null_zero },
    { "REALLOC-08", test_realloc_twice },
    { "REALLOC-09", test_spy_calls },
    { "REALLOC-10", test_prerealloc_arguments },
    { "REALLOC-11", test_reallocates_new_request },
    { "REALLOC-12", test_reallocates_new_count },
    { "REALLOC-13", test_caller_gets_postrealloc_result },
    { "REALLOC-14", test_postrealloc_actual },
    { "REALLOC-15", test_forced_failure },
    { "REALLOC-16", test_forced_failure_block, OBSERVATION | ISOLATED },
    { "REALLOC-17", test_real_failure },
    { "REALLOC-23", test_real_failure_spyed },
    { "REALLOC-18", test_realloc_zero_with_spy },
    { "REALLOC-19", test_realloc_null_calls, OBSERVATION },
    { "REALLOC-20", test_realloc_zero_calls, OBSERVATION },
    { "REALLOC-21", test_realloc_null_zero_calls, OBSERVATION },
    { "REALLOC-22", test_prerealloc_no_store, OBSERVATION },
    { "REALLOC-24", test_realloc_zero_postrealloc_result, OBSERVATION | ISOLATED },
};

START_TEST(realloc)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
