/*
 * IMalloc::Free, with and without a spy.
 *
 * Whether a block was freed is never asked of DidAlloc, which is not
 * defined for freed blocks: big blocks give their address space back when
 * freed (see addrspace.c), and that is what is measured.
 */

#include "spy.h"

static void test_free_null(void)
{
    BYTE *p = m_alloc(32);
    int r;

    ok(p != NULL, "Alloc(32) returned NULL\n");
    if (p) fill_pattern(p, 32, 1);
    m_free(NULL);
    if (!p) return;
    ok(check_pattern(p, 32, 1), "Free(NULL) changed a live block\n");
    r = m_didalloc(p);
    ok(r == 1, "Free(NULL) released a live block: DidAlloc %d\n", r);
    m_free(p);
}

static void test_free_releases(void)
{
    SIZE_T before = address_space_in_use();
    unsigned int i;
    void *p, *q;

    for (i = 0; i < BIG_ROUNDS; i++)
    {
        if (!(p = m_alloc(BIG_BLOCK))) break;
        m_free(p);
    }
    ok(i == BIG_ROUNDS, "Alloc(%u) returned NULL in round %u\n", BIG_BLOCK, i);
    check_no_leak(before, "Alloc then Free");

    before = address_space_in_use();
    for (i = 0; i < BIG_ROUNDS; i++)
    {
        if (!(p = m_alloc(16))) break;
        if (!(q = m_realloc(p, BIG_BLOCK)))
        {
            m_free(p);
            break;
        }
        m_free(q);
    }
    ok(i == BIG_ROUNDS, "Alloc(16) or Realloc(p, %u) returned NULL in round %u\n", BIG_BLOCK, i);
    check_no_leak(before, "Realloc then Free");
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (p)
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREFREE, SPY_ANY_PTR | SPY_ANY_SPYED },
            { SPY_POSTFREE, SPY_ANY_SPYED },
            /* the PostHeapMinimize page says it follows any Free (HEAPMIN-03) */
            { SPY_PREHEAPMINIMIZE, SPY_OPTIONAL },
            { SPY_POSTHEAPMINIMIZE, SPY_OPTIONAL },
        };
        mark = spy_mark();
        m_free(p);
        spy_check_calls(spy, mark, exp);
    }
    spy_unregister();
}

/* PreFree gets the pointer the caller passes, which is PostAlloc's result,
 * not the block the allocator made. */
static void test_prefree_pointer(void)
{
    static BYTE fake_block[64] __attribute__((aligned(16)));
    struct spy *spy;
    struct spy_call *c;
    void *p, *real = NULL;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (p)
    {
        mark = spy_mark();
        m_free(p);
        c = spy_call_of(spy, mark, SPY_PREFREE);
        ok(c && c->ptr == p, "got %p, expected %p\n", c ? c->ptr : NULL, p);
    }

    spy_override_ptr(spy, SPY_POSTALLOC, fake_block);
    mark = spy_mark();
    p = m_alloc(10);
    spy_clear_override(spy, SPY_POSTALLOC);
    if ((c = spy_call_of(spy, mark, SPY_POSTALLOC))) real = c->ptr;
    if (p == fake_block && real)
    {
        spy_override_ptr(spy, SPY_PREFREE, real);
        mark = spy_mark();
        m_free(fake_block);
        spy_clear_override(spy, SPY_PREFREE);
        c = spy_call_of(spy, mark, SPY_PREFREE);
        ok(c && c->ptr == fake_block, "got %p, expected PostAlloc's %p\n", c ? c->ptr : NULL, fake_block);
    }
    else
    {
        ok(0, "the caller did not get PostAlloc's pointer (ALLOC-10)\n");
        if (p && p == real) m_free(p);
    }
    spy_unregister();
}

static void WINAPI free_by_imalloc(void *p)
{
    m_free(p);
}

static void test_frees_prefree_result(void)
{
    struct spy *spy;
    SIZE_T before;
    unsigned int i;

    check_frees_prefree_result(free_by_imalloc);

    /* a header spy hands out an interior pointer; PreFree maps it back,
     * and the whole real block goes */
    if (!(spy = spy_register_new(SPY_HEADER))) return;
    before = address_space_in_use();
    for (i = 0; i < BIG_ROUNDS; i++)
    {
        BYTE *p = m_alloc(BIG_BLOCK);

        if (!p) break;
        if (!spy_owns_block(spy, p))
        {
            ok(0, "header spy: Alloc did not return PostAlloc's pointer (ALLOC-10)\n");
            break;
        }
        fill_pattern(p, 4096, i);
        m_free(p);
    }
    ok(i == BIG_ROUNDS, "header spy: round %u of %u failed\n", i, BIG_ROUNDS);
    ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
    spy_unregister();
    check_no_leak(before, "header spy: Alloc then Free");
}

/* Observed on Windows. */
static void test_free_null_no_spy_call(void)
{
    struct spy *spy;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    m_free(NULL);
    spy_check_no_calls(spy, mark);
    spy_unregister();
}

static void test_prefree_null(void)
{
    char buf[256];
    struct spy *spy;
    SIZE_T before;
    LONG mark;
    BYTE *p;

    p = m_alloc(BIG_BLOCK);
    if (!p)
    {
        trace("observed: Alloc fails\n");
        return;
    }
    if (!(spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        m_free(p);
        return;
    }
    before = address_space_in_use();
    spy_override_ptr(spy, SPY_PREFREE, NULL);
    mark = spy_mark();
    m_free(p);
    spy_clear_override(spy, SPY_PREFREE);
    spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
    spy_unregister();
    if (big_block_released(before)) trace("observed: %s, block freed\n", buf);
    else
    {
        /* or freed, with its address space kept: hence a process of its own */
        trace("observed: %s, block stays live\n", buf);
        m_free(p);
    }
}

static const struct behaviour behaviours[] =
{
    { "FREE-01", test_free_null },
    { "FREE-02", test_free_releases },
    { "FREE-03", test_spy_calls },
    { "FREE-04", test_prefree_pointer },
    { "FREE-05", test_frees_prefree_result },
    { "FREE-06", test_free_null_no_spy_call },
    { "FREE-07", test_prefree_null, OBSERVATION | ISOLATED },
};

START_TEST(free)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
