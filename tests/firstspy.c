/*
 * GetSize and DidAlloc under a spy before the process has allocated any
 * block under a spy.
 *
 * Every other test starts with init_test(), which makes one spied
 * allocation per process so that an implementation crashing here does not
 * take the rest of its test down.  This test runs in a process of its own
 * and skips that step, so the crash, if any, is reported against the
 * behaviours it breaks.
 */

#include "spy.h"

static void test_getsize_first(void)
{
    struct spy_expect exp[] =
    {
        { SPY_PREGETSIZE, 0, NULL, 0, FALSE },
        { SPY_POSTGETSIZE, 0, NULL, 24, FALSE },
    };
    struct spy *spy;
    SIZE_T size;
    LONG mark;
    void *p;

    push_behaviour("GETSIZE-12");
    p = m_alloc(24);
    ok(p != NULL, "Alloc(24) returned NULL\n");
    if (p && (spy = spy_start(SPY_PASSTHROUGH)))
    {
        exp[0].ptr = p;
        mark = spy_mark();
        size = m_getsize(p);
        ok(size == 24, "got %s, expected 24\n", str_size(size));
        spy_check_calls(spy, mark, exp);
        spy_stop();
    }
    if (p) m_free(p);
    winetest_pop_context();
}

static void test_didalloc_first(void)
{
    struct spy_expect exp[] =
    {
        { SPY_PREDIDALLOC, 0, NULL, 0, FALSE },
        { SPY_POSTDIDALLOC, 0, NULL, 0, FALSE, 1 },
    };
    struct spy *spy;
    LONG mark;
    void *p;
    int ret;

    push_behaviour("DIDALLOC-15");
    p = m_alloc(24);
    ok(p != NULL, "Alloc(24) returned NULL\n");
    if (p && (spy = spy_start(SPY_PASSTHROUGH)))
    {
        exp[0].ptr = exp[1].ptr = p;
        mark = spy_mark();
        ret = m_didalloc(p);
        ok(ret == 1, "got %d, expected 1\n", ret);
        spy_check_calls(spy, mark, exp);
        spy_stop();
    }
    if (p) m_free(p);
    winetest_pop_context();
}

START_TEST(firstspy)
{
    if (!init_implementation() || !init_malloc()) return;
    test_getsize_first();
    test_didalloc_first();
}
