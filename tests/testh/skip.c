/* skip() lines and the skipped count. */
#include <windows.h>
#include "wine/test.h"

START_TEST(skip)
{
    ok(1, "passes\n");
    skip("first reason %d\n", 1);
    skip("second reason\n");
}
