/* Repeated todos, skips and traces from one line are silenced past
 * WINETEST_MUTE_THRESHOLD (default 42); failures never are. */
#include <windows.h>
#include "wine/test.h"

START_TEST(mute)
{
    int i;

    for (i = 0; i < 45; i++) trace("trace %d\n", i);
    for (i = 0; i < 44; i++) skip("skip %d\n", i);
    for (i = 0; i < 43; i++) todo_if(1) ok(0, "todo %d\n", i);
    for (i = 0; i < 3; i++) ok(0, "failure %d\n", i);
}
