/* wait_child_process(): runs this test again as a child process that
 * fails twice, and one that exits with an exception code; their results
 * are added to ours.  Uses winetest_get_mainargs(). */
#include <windows.h>
#include "wine/test.h"

static void run_child( char *exe, const char *mode )
{
    PROCESS_INFORMATION info;
    STARTUPINFOA si = { sizeof(si) };
    char cmdline[MAX_PATH + 64];

    snprintf( cmdline, sizeof(cmdline), "\"%s\" child %s", exe, mode );
    ok(CreateProcessA( NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &info ),
       "CreateProcess failed %lu\n", GetLastError());
    wait_child_process( &info );
}

START_TEST(child)
{
    char **argv;
    int argc = winetest_get_mainargs( &argv );

    if (argc >= 3 && !strcmp( argv[2], "fail" ))
    {
        ok(0, "child failure 1\n");
        ok(0, "child failure 2\n");
        return;
    }
    if (argc >= 3 && !strcmp( argv[2], "exception" ))
    {
        fflush( stdout );
        ExitProcess( 0xc0000005 );
    }
    if (argc >= 3 && !strcmp( argv[2], "pass" )) return;
    ok(argc == 2, "argc %d\n", argc);
    run_child( argv[0], "pass" );
    run_child( argv[0], "fail" );
    run_child( argv[0], "exception" );
    trace("failures now %ld\n", winetest_get_failures());
}
