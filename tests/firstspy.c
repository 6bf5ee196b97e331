/*
 * GetSize and DidAlloc under a spy before the process has allocated any
 * block under a spy.
 *
 * Every other behaviour starts after one spied allocation of its process
 * (see init_implementation), so that an implementation crashing here does
 * not take unrelated behaviours down.  These two run each in a process of
 * their own without that step, so a crash, if any, is reported against the
 * behaviour it breaks and no other.
 */

#include "spy.h"

static void test_getsize_first(void)
{
    struct spy_call *post;
    struct spy *spy;
    SIZE_T size;
    LONG mark;
    void *p;

    p = m_alloc(24);
    if (!setup_check(p != NULL, "Alloc(24) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREGETSIZE, 0, p, 0, FALSE },
            { SPY_POSTGETSIZE, SPY_ANY_SIZE, NULL, 0, FALSE },
        };
        mark = spy_mark();
        size = m_getsize(p);
        ok(size >= 24 && size != (SIZE_T)-1, "got %s, expected at least 24\n", str_size(size));
        spy_check_calls(spy, mark, exp);
        post = spy_call_of(spy, mark, SPY_POSTGETSIZE);
        ok(post && post->size >= 24 && post->size != (SIZE_T)-1, "PostGetSize got %s, expected at least 24\n",
           post ? str_size(post->size) : "no call");
        spy_unregister();
    }
    m_free(p);
}

static void test_didalloc_first(void)
{
    struct spy *spy;
    LONG mark;
    void *p;
    int ret;

    p = m_alloc(24);
    if (!setup_check(p != NULL, "Alloc(24) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        const struct spy_expect exp[] =
        {
            { SPY_PREDIDALLOC, 0, p, 0, FALSE },
            { SPY_POSTDIDALLOC, 0, p, 0, FALSE, 1 },
        };
        mark = spy_mark();
        ret = m_didalloc(p);
        ok(ret == 1, "got %d, expected 1\n", ret);
        spy_check_calls(spy, mark, exp);
        spy_unregister();
    }
    m_free(p);
}

static const struct behaviour behaviours[] =
{
    { "GETSIZE-12", test_getsize_first, ISOLATED | NO_WARMUP },
    { "DIDALLOC-15", test_didalloc_first, ISOLATED | NO_WARMUP },
};

START_TEST(firstspy)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
