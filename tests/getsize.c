/*
 * IMalloc::GetSize, with and without a spy.
 */

#include "spy.h"

static void test_getsize_null(void)
{
    SIZE_T size;

    push_behaviour("GETSIZE-01");
    size = m_getsize(NULL);
    ok(size == (SIZE_T)-1, "got %s, expected -1\n", str_size(size));
    winetest_pop_context();
}

static void test_getsize_at_least(void)
{
    static const SIZE_T sizes[] = { 1, 13, 16, 100, 4097, 70000 };
    unsigned int i;

    push_behaviour("GETSIZE-02");
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
    {
        BYTE *p = m_alloc(sizes[i]), *q;
        SIZE_T size;

        ok(p != NULL, "Alloc(%s) returned NULL\n", str_size(sizes[i]));
        if (!p) continue;
        size = m_getsize(p);
        ok(size >= sizes[i] && size != (SIZE_T)-1, "Alloc(%s): got %s\n", str_size(sizes[i]), str_size(size));
        q = m_realloc(p, sizes[i] * 2 + 5);
        ok(q != NULL, "Realloc returned NULL\n");
        if (!q) { m_free(p); continue; }
        size = m_getsize(q);
        ok(size >= sizes[i] * 2 + 5 && size != (SIZE_T)-1, "Realloc(p, %s): got %s\n",
           str_size(sizes[i] * 2 + 5), str_size(size));
        m_free(q);
    }
    winetest_pop_context();
}

/* Observed on Windows. */
static void test_getsize_exact16(void)
{
    SIZE_T size;
    void *p;

    push_behaviour("GETSIZE-03");
    p = m_alloc(16);
    ok(p != NULL, "Alloc(16) returned NULL\n");
    if (p)
    {
        size = m_getsize(p);
        ok(size == 16, "got %s, expected 16\n", str_size(size));
        m_free(p);
    }
    winetest_pop_context();
}

static void test_getsize_27(void)
{
    void *p;

    push_behaviour("GETSIZE-04");
    p = m_alloc(27);
    if (!p) trace("observed: Alloc fails\n");
    else
    {
        trace("observed: %s\n", str_size(m_getsize(p)));
        m_free(p);
    }
    winetest_pop_context();
}

static void test_getsize_zero(void)
{
    void *p;

    push_behaviour("GETSIZE-05");
    p = m_alloc(0);
    if (!p) trace("observed: Alloc fails\n");
    else
    {
        trace("observed: %s\n", str_size(m_getsize(p)));
        m_free(p);
    }
    winetest_pop_context();
}

static void test_spy_calls(void)
{
    struct spy *spy;
    LONG mark;
    void *p;

    push_behaviour("GETSIZE-06");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (p)
    {
        struct spy_expect exp[] =
        {
            { SPY_PREGETSIZE, SPY_ANY_PTR | SPY_ANY_SPYED },
            { SPY_POSTGETSIZE, SPY_ANY_SIZE | SPY_ANY_SPYED },
        };
        mark = spy_mark();
        m_getsize(p);
        spy_check_calls(spy, mark, exp);
        m_free(p);
    }
done:
    spy_stop();
    winetest_pop_context();
}

static void test_pregetsize_pointer(void)
{
    static BYTE fake_block[64] __attribute__((aligned(16)));
    struct spy *spy;
    struct spy_call *c;
    LONG mark;
    void *p;

    push_behaviour("GETSIZE-07");
    p = m_alloc(10);
    ok(p != NULL, "Alloc(10) returned NULL\n");
    if (!p) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
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
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

static SIZE_T measured_size(struct spy *spy, void *caller, void *pre_result)
{
    struct spy_call *c;
    LONG mark = spy_mark();

    spy_override_ptr(spy, SPY_PREGETSIZE, pre_result);
    m_getsize(caller);
    spy_clear_override(spy, SPY_PREGETSIZE);
    c = spy_call_of(spy, mark, SPY_POSTGETSIZE);
    return c ? c->size : 0;
}

static void test_measures_pregetsize_result(void)
{
    struct spy *spy;
    SIZE_T size;
    void *a, *b;

    push_behaviour("GETSIZE-08");
    a = m_alloc(16);
    b = m_alloc(3000);
    ok(a && b, "Alloc returned NULL\n");
    if (!a || !b) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    size = measured_size(spy, a, b);
    ok(size >= 3000 && size != (SIZE_T)-1, "GetSize(16-byte block), PreGetSize gives the 3000-byte one: measured %s\n",
       str_size(size));
    size = measured_size(spy, b, a);
    ok(size < 3000, "GetSize(3000-byte block), PreGetSize gives the 16-byte one: measured %s\n", str_size(size));
    spy_stop();

    if (!spy_header_safe(FALSE))
        skip("no header spy: the implementation is not safe for it (probe %#x)\n", spy_probe());
    else if ((spy = spy_start(SPY_HEADER)))
    {
        BYTE *p = m_alloc(40);
        struct spy_call *c;
        LONG mark;

        if (p)
        {
            mark = spy_mark();
            m_getsize(p);
            c = spy_call_of(spy, mark, SPY_POSTGETSIZE);
            ok(c && c->size >= 40 + SPY_OVERHEAD && c->size != (SIZE_T)-1,
               "header spy: measured %s, expected at least %u\n", c ? str_size(c->size) : "nothing", 40 + SPY_OVERHEAD);
            m_free(p);
            ok(spy->guard_errors == 0, "%ld guard errors\n", spy->guard_errors);
        }
    }
done:
    spy_stop();
    if (a) m_free(a);
    if (b) m_free(b);
    winetest_pop_context();
}

static void test_postgetsize_receives(void)
{
    struct spy *spy;
    struct spy_call *c;
    SIZE_T direct;
    LONG mark;
    void *p;

    push_behaviour("GETSIZE-09");
    p = m_alloc(100);
    ok(p != NULL, "Alloc(100) returned NULL\n");
    if (!p) goto done;
    direct = m_getsize(p);
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_size(spy, SPY_POSTGETSIZE, 7);
    mark = spy_mark();
    m_getsize(p);
    spy_clear_override(spy, SPY_POSTGETSIZE);
    c = spy_call_of(spy, mark, SPY_POSTGETSIZE);
    ok(c && c->size == direct, "got %s, expected %s (GetSize without a spy)\n",
       c ? str_size(c->size) : "no call", str_size(direct));
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

static void test_caller_gets_postgetsize(void)
{
    struct spy *spy;
    SIZE_T size;
    void *p;

    push_behaviour("GETSIZE-10");
    p = m_alloc(100);
    ok(p != NULL, "Alloc(100) returned NULL\n");
    if (!p) goto done;
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    spy_override_size(spy, SPY_POSTGETSIZE, 12345);
    size = m_getsize(p);
    ok(size == 12345, "got %s, expected 12345\n", str_size(size));
    spy_override_size(spy, SPY_POSTGETSIZE, 3);
    size = m_getsize(p);
    ok(size == 3, "got %s, expected 3\n", str_size(size));
    spy_clear_override(spy, SPY_POSTGETSIZE);
    spy_stop();

    if (!spy_header_safe(FALSE))
        skip("no header spy: the implementation is not safe for it (probe %#x)\n", spy_probe());
    else if ((spy = spy_start(SPY_HEADER)))
    {
        BYTE *q = m_alloc(40);
        struct spy_call *c;
        LONG mark;

        if (q)
        {
            mark = spy_mark();
            size = m_getsize(q);
            c = spy_call_of(spy, mark, SPY_POSTGETSIZE);
            ok(c && size == c->ret_size && c->ret_size == c->size - SPY_OVERHEAD,
               "header spy: got %s, expected PostGetSize's %s\n", str_size(size), c ? str_size(c->ret_size) : "nothing");
            m_free(q);
        }
    }
done:
    spy_stop();
    if (p) m_free(p);
    winetest_pop_context();
}

static void test_getsize_null_with_spy(void)
{
    char buf[256];
    struct spy *spy;
    SIZE_T size;
    LONG mark;

    push_behaviour("GETSIZE-11");
    if (!(spy = spy_start(SPY_PASSTHROUGH))) goto done;
    mark = spy_mark();
    size = m_getsize(NULL);
    spy_format_calls(buf, sizeof(buf), spy, mark, FALSE, NULL, NULL, 0);
    trace("observed: %s, %s\n", buf, str_size(size));
done:
    spy_stop();
    winetest_pop_context();
}

START_TEST(getsize)
{
    if (!init_test()) return;

    test_getsize_null();
    test_getsize_at_least();
    test_getsize_exact16();
    test_getsize_27();
    test_getsize_zero();
    test_spy_calls();
    test_pregetsize_pointer();
    test_measures_pregetsize_result();
    test_postgetsize_receives();
    test_caller_gets_postgetsize();
    test_getsize_null_with_spy();
}
