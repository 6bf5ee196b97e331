/* winetest_push_context(): prefixes on failures, todos, skips and traces;
 * nesting, popping, and more than 8 contexts. */
#include <windows.h>
#include "wine/test.h"

START_TEST(context)
{
    int i;

    winetest_push_context("ALLOC-03");
    ok(0, "with one context\n");
    winetest_push_context("CoTaskMemRealloc %d", 2);
    ok(0, "with two contexts\n");
    trace("trace with two contexts\n");
    skip("skip with two contexts\n");
    todo_if(1) ok(0, "todo with two contexts\n");
    todo_if(1) ok(1, "todo success with two contexts\n");
    winetest_pop_context();
    ok(0, "back to one context\n");
    winetest_pop_context();
    ok(0, "no context\n");
    winetest_pop_context();  /* one pop too many is harmless */
    ok(0, "still no context\n");

    for (i = 0; i < 10; i++) winetest_push_context("c%d", i);
    ok(0, "ten pushed, eight shown\n");
    for (i = 0; i < 10; i++) winetest_pop_context();
    ok(0, "all popped\n");
}
