/* flaky blocks: a failure inside is "marked flaky", counted as flaky and
 * not in the exit status unless WINETEST_REPORT_FLAKY is set. */
#include <windows.h>
#include "wine/test.h"

START_TEST(flaky)
{
    flaky ok(0, "flaky failure\n");
    flaky ok(1, "flaky success\n");
    flaky_if(0) ok(0, "flaky_if(0) failure\n");
    flaky_wine ok(0, "flaky_wine failure\n");
    flaky_wine_if(1) ok(0, "flaky_wine_if(1) failure\n");
    todo_if(1) flaky ok(1, "success inside flaky todo\n");
    todo_if(1) flaky ok(0, "failure inside flaky todo\n");
}
