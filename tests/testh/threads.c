/* ok() from several threads at once: each line stays whole and every
 * count is exact.  Each thread has its own context (thread data is per
 * thread). */
#include <windows.h>
#include "wine/test.h"

#define NTHREADS 4
#define NPASS    500
#define NFAIL    25

static DWORD WINAPI thread_proc( void *arg )
{
    int id = (int)(INT_PTR)arg, i;

    winetest_push_context("thread %d", id);
    for (i = 0; i < NPASS; i++) ok(1, "pass %d\n", i);
    for (i = 0; i < NFAIL; i++)
        ok(0, "failure %02d of thread %d, padded to make the line long enough to be torn if writes were split %s\n",
           i, id, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    todo_if(1) ok(0, "todo in thread %d\n", id);
    winetest_pop_context();
    return 0;
}

START_TEST(threads)
{
    HANDLE threads[NTHREADS];
    int i;

    for (i = 0; i < NTHREADS; i++)
        threads[i] = CreateThread( NULL, 0, thread_proc, (void *)(INT_PTR)i, 0, NULL );
    WaitForMultipleObjects( NTHREADS, threads, TRUE, INFINITE );
    for (i = 0; i < NTHREADS; i++) CloseHandle( threads[i] );
    /* the main thread has no context: contexts are per thread */
    ok(winetest_get_failures() == NTHREADS * NFAIL, "failures %ld\n", winetest_get_failures());
}
