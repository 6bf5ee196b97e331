/* Checks that all pass: no output but the trace, the subtest line and the
 * summary; exit status 0.  Also checks that a passing ok() does not
 * evaluate its message arguments, as in Wine. */
#include <windows.h>
#include "wine/test.h"

static int evaluated;

static int side_effect(void)
{
    evaluated++;
    return 42;
}

START_TEST(pass)
{
    int i;

    subtest("pass");
    for (i = 0; i < 10; i++) ok(i < 10, "i = %d\n", i);
    ok(1, "value %d\n", side_effect());
    ok(!evaluated, "message arguments of a passing ok() were evaluated %d times\n", evaluated);
    ok_(__FILE__, 1234)(TRUE, "explicit location\n");
    ignore_exceptions(TRUE);
    ignore_exceptions(FALSE);
    trace("a trace line %s %d\n", "with args", 7);
    ok(winetest_get_failures() == 0, "failures %ld\n", winetest_get_failures());
}
