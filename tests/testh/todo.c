/* todo_wine and friends: on Windows a todo_wine block is an ordinary
 * check, on Wine a failure inside it is "marked todo" and a success is an
 * error.  broken() and win_skip() also depend on the platform. */
#include <windows.h>
#include "wine/test.h"

START_TEST(todo)
{
    todo_wine ok(0, "fails everywhere, todo on wine\n");
    todo_wine ok(1, "passes everywhere\n");
    todo_wine_if(1) ok(0, "todo_wine_if(1), fails\n");
    todo_wine_if(0) ok(0, "todo_wine_if(0), fails\n");
    todo_if(1) ok(0, "todo_if(1), fails\n");
    todo_if(1) ok(1, "todo_if(1), passes\n");
    todo_if(0) ok(1, "todo_if(0), passes\n");
    todo_if(1)
    {
        todo_if(0) ok(0, "nested todo_if(0) inside todo_if(1)\n");
    }
    todo_if(0)
    {
        todo_if(1) ok(0, "nested todo_if(1) inside todo_if(0)\n");
        ok(0, "after the inner block, outside any todo\n");
    }
    ok(broken(1), "broken(1) is accepted on windows only\n");
    ok(0 || broken(0), "broken(0) is never accepted\n");
    win_skip("win_skip: skip on windows, failure on wine\n");
    trace("platform %s, is_wine %d\n", winetest_platform, winetest_platform_is_wine);
}
