/*
 * The runner: each behaviour of a test in the context of its catalogue ID,
 * on a guarded thread, with a time limit and a clean-up check; and, once
 * the process cannot be trusted any more, in a child process of its own.
 *
 * Why a thread: a crash or a deadlock inside the implementation must end
 * the behaviour it happened in, not the whole test, so that every row gets
 * a verdict.  Why a child process: a crashed thread may have left the
 * implementation's lock held, and a spy that cannot be revoked stays in the
 * process; the behaviours after it would report the earlier fault as their
 * own.
 */

#include "mallocspy_test.h"

/* How long one behaviour may take: well under the 30 s that conform.exe
 * and the mutant harness allow a whole test. */
#define BEHAVIOUR_TIME_LIMIT 15000
#define CHILD_TIME_LIMIT (BEHAVIOUR_TIME_LIMIT + 5000)

static const struct behaviour *current;    /* the behaviour being run */
static volatile LONG tainted;              /* see taint_process() */

BOOL observing(void)
{
    return current && (current->flags & OBSERVATION);
}

void taint_process(void)
{
    InterlockedExchange(&tainted, 1);
}

/* A failed check of set-up or clean-up: an ok() in a documented row; in
 * an observation, which must not fail, a skip (set-up) or a note. */
static void report_check(const char *file, int line, BOOL cond, BOOL setup, const char *fmt, va_list args)
{
    char buf[256];

    vsnprintf(buf, sizeof(buf), fmt, args);
    if (!observing()) ok_(file, line)(cond, "%s", buf);
    else if (cond) return;
    else if (setup) skip_(file, line)("%s", buf);
    else trace_(file, line)("%s", buf);
}

BOOL setup_check_(const char *file, int line, BOOL cond, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    report_check(file, line, cond, TRUE, fmt, args);
    va_end(args);
    return cond;
}

BOOL cleanup_check_(const char *file, int line, BOOL cond, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    report_check(file, line, cond, FALSE, fmt, args);
    va_end(args);
    return cond;
}

/* A behaviour ends with no spy registered.  One that is left is revoked
 * here and reported against this behaviour; one that cannot be revoked
 * (its revoke stays pending) taints the process, so that the behaviours
 * after it run in fresh processes instead of failing to register. */
static void check_no_spy_left(void)
{
    HRESULT hr = pCoRevokeMallocSpy();
    BOOL clean = (hr == S_OK || hr == CO_E_OBJNOTREG) && no_spy_registered();

    if (!clean) taint_process();
    if (hr == CO_E_OBJNOTREG && clean) return;
    cleanup_check(FALSE, "cleanup: a spy was still registered at the end (CoRevokeMallocSpy returned %s%s)\n",
                str_hr(hr), clean ? "" : ", and no new spy can be registered");
}

static DWORD WINAPI behaviour_thread(void *arg)
{
    const struct behaviour *b = arg;

    /* a behaviour that cannot run prints nothing under its ID: the
     * driver shows it as not reached */
    if (!init_implementation(b->flags)) return 0;
    winetest_push_context("%s", b->id);
    if (winetest_debug > 1) trace("reached\n");
    b->test();
    /* a test that left a thread stuck inside the implementation must not
     * wait for it here */
    if (!tainted) check_no_spy_left();
    winetest_pop_context();
    return 0;
}

/* A crash or a hang, reported against the behaviour.  The driver shows a
 * failure whose message starts with "crashed: " as a crash. */
static void report_abort(const struct behaviour *b, const char *what)
{
    winetest_push_context("%s", b->id);
    if (b->flags & OBSERVATION) trace("observed: %s\n", what);
    else ok(0, "%s\n", what);
    winetest_pop_context();
}

static void run_here(const struct behaviour *b)
{
    /* Static: a thread that timed out keeps running, and if it crashes
     * later its guard still writes here, after this frame is gone. */
    static DWORD exception;
    DWORD code = 0;
    char what[64];
    HANDLE thread;

    current = b;
    exception = 0;
    if (!(thread = start_guarded(behaviour_thread, (void *)b, &exception)))
    {
        winetest_push_context("%s", b->id);
        ok(0, "cannot start a thread, error %lu\n", GetLastError());
        winetest_pop_context();
        return;
    }
    if (WaitForSingleObject(thread, BEHAVIOUR_TIME_LIMIT) != WAIT_OBJECT_0)
    {
        /* it may hold the implementation's lock: leave it be */
        taint_process();
        snprintf(what, sizeof(what), "timed out: no result within %u s (deadlock?)", BEHAVIOUR_TIME_LIMIT / 1000);
        report_abort(b, what);
    }
    else if (GetExitCodeThread(thread, &code) && code == GUARD_CRASHED)
    {
        taint_process();
        snprintf(what, sizeof(what), "crashed: exception %08lx", exception);
        report_abort(b, what);
    }
    CloseHandle(thread);
    current = NULL;
}

/* Runs behaviour number index in "THIS.EXE SUBJECT INDEX", with our
 * standard handles, and adds its failures to ours. */
static void run_in_child(const struct behaviour *b, unsigned int index)
{
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    char exe[MAX_PATH], cmdline[MAX_PATH + 128], **argv;
    DWORD code = 0;
    char what[64];

    winetest_get_mainargs(&argv);
    GetModuleFileNameA(NULL, exe, sizeof(exe));
    snprintf(cmdline, sizeof(cmdline), "\"%s\" %s %u", exe, argv[1], index);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    SetHandleInformation(si.hStdOutput, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    SetHandleInformation(si.hStdError, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    if (!CreateProcessA(exe, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    {
        winetest_push_context("%s", b->id);
        ok(0, "cannot start a child process for this behaviour, error %lu\n", GetLastError());
        winetest_pop_context();
        return;
    }
    /* the child enforces the behaviour's own time limit; this one only
     * covers a child that cannot even get that far */
    if (WaitForSingleObject(pi.hProcess, CHILD_TIME_LIMIT) != WAIT_OBJECT_0)
    {
        TerminateProcess(pi.hProcess, 1);
        snprintf(what, sizeof(what), "timed out: the child process gave no result within %u s",
                 CHILD_TIME_LIMIT / 1000);
        report_abort(b, what);
    }
    else if (GetExitCodeProcess(pi.hProcess, &code)) winetest_add_failures(code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
}

/* In a child process: the index it was started for, or -1 in the parent. */
static int child_index(unsigned int count)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv), index;

    if (argc < 3) return -1;
    index = atoi(argv[2]);
    return index >= 0 && (unsigned int)index < count ? index : -1;
}

void run_behaviours(const struct behaviour *behaviours, unsigned int count)
{
    int child = child_index(count);
    unsigned int i;

    if (child >= 0)
    {
        run_here(&behaviours[child]);
        return;
    }
    for (i = 0; i < count; i++)
    {
        if ((behaviours[i].flags & ISOLATED) || tainted) run_in_child(&behaviours[i], i);
        else run_here(&behaviours[i]);
    }
}
