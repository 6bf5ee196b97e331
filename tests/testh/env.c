/* The settings read from the environment. */
#include <windows.h>
#include "wine/test.h"

START_TEST(env)
{
    trace("platform=%s is_wine=%d debug=%d interactive=%d report_success=%d mute=%d\n",
          winetest_platform, winetest_platform_is_wine, winetest_debug,
          winetest_interactive, winetest_report_success, winetest_mute_threshold);
    ok(1, "a success\n");
    ok(0, "a failure\n");
    todo_if(1) ok(0, "a todo\n");
    todo_if(1) ok(1, "a todo success\n");
    skip("a skip\n");
    /* counts plain failures only, not todos that succeeded */
    trace("winetest_get_failures() %ld\n", winetest_get_failures());
}
