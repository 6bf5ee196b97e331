/*
 * IMalloc::HeapMinimize, with and without a spy.
 */

#include "spy.h"

static void test_keeps_blocks(void)
{
    BYTE *blocks[32];
    unsigned int i;

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
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    m_heapminimize();
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREHEAPMINIMIZE },
            { SPY_POSTHEAPMINIMIZE },
        };
        spy_check_calls(spy, mark, exp);
    }
    spy_unregister();
}

/* The PostHeapMinimize page's remark says "after any call to
 * IMalloc::Free", against its own description. */
static void test_free_no_heapminimize(void)
{
    char buf[256];
    struct spy *spy;
    LONG mark;
    void *p, *q;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    p = m_alloc(10);
    q = pCoTaskMemAlloc(10);
    mark = spy_mark();
    m_free(p);
    pCoTaskMemFree(q);
    if (spy_count_calls(spy, mark, SPY_PREHEAPMINIMIZE) || spy_count_calls(spy, mark, SPY_POSTHEAPMINIMIZE))
    {
        spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
        trace("observed: %s\n", buf);
    }
    else trace("observed: no HeapMinimize calls\n");
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "HEAPMIN-01", test_keeps_blocks },
    { "HEAPMIN-02", test_spy_calls },
    { "HEAPMIN-03", test_free_no_heapminimize, OBSERVATION },
};

START_TEST(heapminimize)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
