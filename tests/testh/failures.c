/* Several failures, and winetest_add_failures(): plural "failures" and the
 * exit status is the failure count. */
#include <windows.h>
#include "wine/test.h"

START_TEST(failures)
{
    int i;

    for (i = 0; i < 3; i++) ok(0, "failure %d\n", i);
    ok_("some/dir/other.c", 77)(0 == 1, "explicit file and line\n");
    ok_("c:\\dir\\win.c", 78)(0, "backslash path\n");
    winetest_add_failures(2);
    trace("failures now %ld\n", winetest_get_failures());
}
