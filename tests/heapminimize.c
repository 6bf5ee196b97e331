/*
 * IMalloc::HeapMinimize, with and without a spy.
 */

#include "spy.h"

static void test_keeps_blocks(void)
{
    BYTE *blocks[32];
    unsigned int i;

    push_behaviour("HEAPMIN-01");
    for (i = 0; i < ARRAY_SIZE(blocks); i++)
    {
        blocks[i] = m_alloc(100 + i * 500);
        if (blocks[i]) fill_pattern(blocks[i], 100 + i * 500, i);
    }
    /* holes for the heap to coalesce and give back */
    for (i = 0; i < ARRAY_SIZE(blocks); i += 2)
    {
        if (blocks[i]) m_free(blocks[i]);
        blocks[i] = NULL;
    }
    m_heapminimize();
    for (i = 1; i < ARRAY_SIZE(blocks); i += 2)
    {
        ok(blocks[i] != NULL, "Alloc(%u) returned NULL\n", 100 + i * 500);
        if (!blocks[i]) continue;
        ok(check_pattern(blocks[i], 100 + i * 500, i), "block %u lost its contents\n", i);
        ok(m_didalloc(blocks[i]) == 1, "block %u is no longer allocated\n", i);
        m_free(blocks[i]);
    }
    m_heapminimize();
    winetest_pop_context();
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;

    push_behaviour("HEAPMIN-02");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    mark = spy_mark();
    m_heapminimize();
    {
        struct spy_expect exp[] =
        {
            { SPY_PREHEAPMINIMIZE },
            { SPY_POSTHEAPMINIMIZE },
        };
        spy_check_calls(spy, mark, exp);
    }
done:
    spy_stop();
    winetest_pop_context();
}

static void test_free_no_heapminimize(void)
{
    struct spy *spy;
    LONG mark;
    void *p, *q;

    push_behaviour("HEAPMIN-03");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    p = m_alloc(10);
    q = pCoTaskMemAlloc(10);
    mark = spy_mark();
    m_free(p);
    pCoTaskMemFree(q);
    ok(spy_count_calls(spy, mark, SPY_PREHEAPMINIMIZE) == 0, "Free called PreHeapMinimize %ld times\n",
       spy_count_calls(spy, mark, SPY_PREHEAPMINIMIZE));
    ok(spy_count_calls(spy, mark, SPY_POSTHEAPMINIMIZE) == 0, "Free called PostHeapMinimize %ld times\n",
       spy_count_calls(spy, mark, SPY_POSTHEAPMINIMIZE));
done:
    spy_stop();
    winetest_pop_context();
}

START_TEST(heapminimize)
{
    if (!init_test()) return;

    test_keeps_blocks();
    test_spy_calls();
    test_free_no_heapminimize();
}
