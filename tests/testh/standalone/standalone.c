/* A single-file test program built with -DSTANDALONE: START_TEST()
 * defines the test list itself, and with one test no name is needed. */
#include <windows.h>
#include "wine/test.h"

START_TEST(standalone)
{
    ok(1, "passes\n");
    ok(0, "one failure\n");
    todo_wine ok(0, "todo on wine\n");
    trace("standalone %s\n", winetest_platform);
}
