/*
 * IMalloc::GetSize, with and without a spy.
 */

#include "spy.h"

static void test_getsize_null(void)
{
    SIZE_T size = m_getsize(NULL);

    ok(size == (SIZE_T)-1, "got %s, expected -1\n", str_size(size));
}

static void test_getsize_at_least(void)
{
    static const SIZE_T sizes[] = { 1, 13, 16, 100, 4097, 70000 };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        SIZE_T grown = sizes[i] * 2 + 5, size;
        BYTE *p = m_alloc(sizes[i]), *q;

        ok(p != NULL, "Alloc(%s) returned NULL\n", str_size(sizes[i]));
        if (!p) continue;
        size = m_getsize(p);
        ok(size >= sizes[i] && size != (SIZE_T)-1, "Alloc(%s): got %s\n", str_size(sizes[i]), str_size(size));
        q = m_realloc(p, grown);
        ok(q != NULL, "Realloc(p, %s) returned NULL\n", str_size(grown));
        if (!q)
        {
            m_free(p);
            continue;
        }
        size = m_getsize(q);
        ok(size >= grown && size != (SIZE_T)-1, "Realloc(p, %s): got %s\n", str_size(grown), str_size(size));
        m_free(q);
    }
}

/* Observed on Windows. */
static void test_getsize_exact16(void)
{
    SIZE_T size;
    void *p = m_alloc(16);

    ok(p != NULL, "Alloc(16) returned NULL\n");
    if (!p) return;
    size = m_getsize(p);
    ok(size == 16, "got %s, expected 16\n", str_size(size));
    m_free(p);
}

static void test_getsize_27(void)
{
    void *p = m_alloc(27);

    if (!p)
    {
        trace("observed: Alloc fails\n");
        return;
    }
    trace("observed: %s\n", str_size(m_getsize(p)));
    m_free(p);
}

static void test_getsize_zero(void)
{
    void *p = m_alloc(0);

    if (!p)
    {
        trace("observed: Alloc fails\n");
        return;
    }
    trace("observed: %s\n", str_size(m_getsize(p)));
    m_free(p);
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
            { SPY_PREGETSIZE, SPY_ANY_PTR | SPY_ANY_SPYED },
            { SPY_POSTGETSIZE, SPY_ANY_SIZE | SPY_ANY_SPYED },
        };
        mark = spy_mark();
        m_getsize(p);
        spy_check_calls(spy, mark, exp);
        m_free(p);
    }
    spy_unregister();
}

static void test_pregetsize_pointer(void)
{
    static BYTE fake_block[64] __attribute__((aligned(16)));
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p;

    p = m_alloc(10);
    if (!setup_check(p != NULL, "Alloc(10) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        mark = spy_mark();
        m_getsize(p);
        c = spy_call_of(spy, mark, SPY_PREGETSIZE);
        ok(c && c->ptr == p, "got %p, expected %p\n", c ? c->ptr : NULL, p);

        /* a pointer the allocator never made reaches PreGetSize as it is */
        spy_override_ptr(spy, SPY_PREGETSIZE, p);
        mark = spy_mark();
        m_getsize(fake_block);
        spy_clear_override(spy, SPY_PREGETSIZE);
        c = spy_call_of(spy, mark, SPY_PREGETSIZE);
        ok(c && c->ptr == fake_block, "got %p, expected %p\n", c ? c->ptr : NULL, fake_block);
        spy_unregister();
    }
    m_free(p);
}

/* What PostGetSize was told when the caller asks about "caller" and
 * PreGetSize hands over "pre"; 0 without a PostGetSize call. */
static SIZE_T measured_size(struct spy *spy, void *caller, void *pre)
{
    struct spy_call *c;
    LONG mark = spy_mark();

    spy_override_ptr(spy, SPY_PREGETSIZE, pre);
    m_getsize(caller);
    spy_clear_override(spy, SPY_PREGETSIZE);
    c = spy_call_of(spy, mark, SPY_POSTGETSIZE);
    return c ? c->size : 0;
}

static void test_measures_pregetsize_result(void)
{
    struct spy *spy;
    struct spy_call *c;
    SIZE_T size;
    void *a, *b;
    BYTE *p;
    LONG mark;

    /* from before the registration, so that neither is a spied block; the
     * big one bigger than any rounding of the small one */
    a = m_alloc(16);
    b = m_alloc(BIG_BLOCK);
    if (setup_check(a && b, "Alloc returned NULL\n") && (spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        size = measured_size(spy, a, b);
        ok(size >= BIG_BLOCK && size != (SIZE_T)-1,
           "GetSize(16-byte block), PreGetSize gives the big one: measured %s\n", str_size(size));
        size = measured_size(spy, b, a);
        ok(size >= 16 && size < BIG_BLOCK,
           "GetSize(big block), PreGetSize gives the 16-byte one: measured %s\n", str_size(size));
        spy_unregister();
    }
    m_free(a);
    m_free(b);

    /* the header spy's caller pointer is no block at all: only the real
     * block PreGetSize maps it back to can be measured */
    if (!(spy = spy_register_new(SPY_HEADER))) return;
    p = m_alloc(200);
    if (setup_check(p && spy_owns_block(spy, p), "header spy: Alloc(200) did not return PostAlloc's pointer\n"))
    {
        mark = spy_mark();
        m_getsize(p);
        c = spy_call_of(spy, mark, SPY_POSTGETSIZE);
        ok(c && c->size >= 200 && c->size != (SIZE_T)-1, "header spy: measured %s, expected at least 200\n",
           c ? str_size(c->size) : "nothing");
        m_free(p);
        ok(spy->guard_errors == 0, "header spy: got %ld damaged headers or trailers, expected 0\n", spy->guard_errors);
    }
    spy_unregister();
}

static void test_postgetsize_receives(void)
{
    struct spy *spy;
    SIZE_T size;
    void *a, *b;

    a = m_alloc(100);
    b = m_alloc(BIG_BLOCK);
    if (setup_check(a && b, "Alloc returned NULL\n") && (spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        /* what PostGetSize returns must not feed back into what it is told */
        spy_override_size(spy, SPY_POSTGETSIZE, 7);
        size = measured_size(spy, a, a);
        ok(size >= 100 && size < BIG_BLOCK, "100-byte block: PostGetSize got %s, expected at least 100\n",
           str_size(size));
        size = measured_size(spy, b, b);
        ok(size >= BIG_BLOCK && size != (SIZE_T)-1, "big block: PostGetSize got %s, expected at least %u\n",
           str_size(size), BIG_BLOCK);
        spy_clear_override(spy, SPY_POSTGETSIZE);
        spy_unregister();
    }
    m_free(a);
    m_free(b);
}

static void test_caller_gets_postgetsize(void)
{
    struct spy *spy;
    SIZE_T size;
    void *p;

    p = m_alloc(100);
    if (!setup_check(p != NULL, "Alloc(100) returned NULL\n")) return;
    if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        /* above 4 GiB on 64-bit, where a ULONG on the way would cut it */
        SIZE_T value = ABOVE_4G ? ABOVE_4G : 12345;

        spy_override_size(spy, SPY_POSTGETSIZE, value);
        size = m_getsize(p);
        spy_clear_override(spy, SPY_POSTGETSIZE);
        if (size == value) trace("observed: PostGetSize's value\n");
        else if (size >= 100 && size != (SIZE_T)-1) trace("observed: the allocator's size\n");
        else trace("observed: %s\n", str_size(size));
        spy_unregister();
    }
    m_free(p);
}

static void test_getsize_null_with_spy(void)
{
    char buf[256];
    struct spy *spy;
    LONG mark;

    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    m_getsize(NULL);
    spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
    trace("observed: %s\n", buf);
    spy_unregister();
}

/* Whatever spy calls GetSize(NULL) makes, a pass-through spy hands every
 * value back unchanged. */
static void test_getsize_null_result_with_spy(void)
{
    SIZE_T size;

    if (!spy_register_new(SPY_PASSTHROUGH)) return;
    size = m_getsize(NULL);
    ok(size == (SIZE_T)-1, "got %s, expected -1\n", str_size(size));
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "GETSIZE-01", test_getsize_null },
    { "GETSIZE-02", test_getsize_at_least },
    { "GETSIZE-03", test_getsize_exact16 },
    { "GETSIZE-04", test_getsize_27, OBSERVATION },
    { "GETSIZE-05", test_getsize_zero, OBSERVATION },
    { "GETSIZE-06", test_spy_calls },
    { "GETSIZE-07", test_pregetsize_pointer },
    { "GETSIZE-08", test_measures_pregetsize_result },
    { "GETSIZE-09", test_postgetsize_receives },
    { "GETSIZE-10", test_caller_gets_postgetsize, OBSERVATION },
    { "GETSIZE-11", test_getsize_null_with_spy, OBSERVATION },
    { "GETSIZE-13", test_getsize_null_result_with_spy },
};

START_TEST(getsize)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
