/* ok() from several threads at once: each line stays whole and every
 * count is exact.  The threads wait for a common start signal so that they
 * really run together.  Each thread has its own context (thread data is
 * per thread).  The check compares this output sorted and counted
 * (sort | uniq -c), so the failure lines of a thread are identical. */
#include <windows.h>
#include "wine/test.h"

#define NTHREADS 4
#define NPASS    20000
#define NFAIL    50

static HANDLE start_event;

static DWORD WINAPI thread_proc( void *arg )
{
    int id = (int)(INT_PTR)arg, i;

    WaitForSingleObject( start_event, INFINITE );
    winetest_push_context("thread %d", id);
    /* a burst of failures from all threads at once, then many passes */
    for (i = 0; i < NFAIL; i++)
        ok(0, "failure of thread %d, with a message long enough to be torn if it were written in pieces %s\n",
           id, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    for (i = 0; i < NPASS; i++) ok(1, "pass %d\n", i);
    todo_if(1) ok(0, "todo in thread %d\n", id);
    winetest_pop_context();
    return 0;
}

START_TEST(threads)
{
    HANDLE threads[NTHREADS];
    int i;

    start_event = CreateEventA( NULL, TRUE, FALSE, NULL );
    for (i = 0; i < NTHREADS; i++)
        threads[i] = CreateThread( NULL, 0, thread_proc, (void *)(INT_PTR)i, 0, NULL );
    SetEvent( start_event );
    WaitForMultipleObjects( NTHREADS, threads, TRUE, INFINITE );
    for (i = 0; i < NTHREADS; i++) CloseHandle( threads[i] );
    CloseHandle( start_event );
    /* the main thread has no context: contexts are per thread */
    ok(winetest_get_failures() == NTHREADS * NFAIL, "failures %ld\n", winetest_get_failures());
}
