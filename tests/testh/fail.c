/* Exactly one failure among passes: singular "1 failure", exit status 1. */
#include <windows.h>
#include "wine/test.h"

START_TEST(fail)
{
    ok(1, "passes\n");
    ok(0, "expected %d, got %d\n", 1, 2);
    ok(1, "passes\n");
    winetest_add_failures(-1);  /* negative adds nothing */
    ok(winetest_get_failures() == 1, "failures %ld\n", winetest_get_failures());
}
