/* More than 255 failures: the exit status is capped at 255. */
#include <windows.h>
#include "wine/test.h"

START_TEST(capped)
{
    ok(0, "one failure\n");
    winetest_add_failures(299);
}
