/* An access violation: the framework reports the last check reached and
 * the exception, counts it as a failure and exits non-zero. */
#include <windows.h>
#include "wine/test.h"

START_TEST(crash)
{
    volatile int *p = NULL;

    ok(1, "passes\n");
    ok(0, "one failure before the crash\n");
    trace("about to crash\n");
    *p = 1;
    ok(0, "not reached\n");
}
