/*
 * The allocator and its spy hooks under several threads: sound blocks with
 * no spy, Pre/Post brackets kept whole with one, registering and revoking
 * while other threads allocate, and a spy that allocates from inside its
 * own PreAlloc.
 *
 * Each test is short (well under a second) and asserts only what holds on
 * every run.  Every thread that calls the implementation is "guarded": a
 * crash inside the implementation ends that thread instead of the process,
 * and the main thread waits with a timeout, so a broken implementation
 * gives failure lines, not a crash or a hang.  Only the main thread prints.
 */

#include "spy.h"

#define NUM_WORKERS 4

/* A test timed out or crashed and may have left the allocator's lock
 * held: later tests touch nothing. */
static BOOL allocator_stuck;

/* ---- guarded threads ---- */

enum outcome { FINISHED, CRASHED, TIMED_OUT, CRASHED_AND_HUNG };

/* How long the other threads may still take once one has crashed: a crash
 * inside the allocator usually leaves its lock held, so waiting out the
 * whole time limit would only slow the run down. */
#define CRASH_GRACE_MS 300

/* Waits for all threads (at most timeout ms in all) and closes them.  A
 * thread still running is left running: it may hold the allocator's lock. */
static enum outcome wait_guarded(HANDLE *threads, unsigned count, DWORD timeout)
{
    DWORD start = GetTickCount(), elapsed, code;
    BOOL crashed, timed_out = FALSE;
    unsigned i, running;

    for (;;)
    {
        running = 0;
        crashed = FALSE;
        for (i = 0; i < count; i++)
        {
            if (!GetExitCodeThread(threads[i], &code) || code == STILL_ACTIVE) running++;
            else if (code == GUARD_CRASHED) crashed = TRUE;
        }
        if (!running) break;
        elapsed = GetTickCount() - start;
        if (crashed && timeout > elapsed + CRASH_GRACE_MS) timeout = elapsed + CRASH_GRACE_MS;
        if (elapsed >= timeout)
        {
            timed_out = TRUE;
            break;
        }
        Sleep(5);
    }
    for (i = 0; i < count; i++) CloseHandle(threads[i]);
    if (timed_out || crashed) allocator_stuck = TRUE;
    if (timed_out) return crashed ? CRASHED_AND_HUNG : TIMED_OUT;
    return crashed ? CRASHED : FINISHED;
}

/* Reports a thread outcome other than FINISHED in the current context. */
static BOOL check_outcome(enum outcome outcome, const char *what)
{
    setup_check(outcome != TIMED_OUT, "%s: did not finish within the time limit (deadlock)\n", what);
    setup_check(outcome != CRASHED, "%s: a thread crashed inside the implementation\n", what);
    setup_check(outcome != CRASHED_AND_HUNG,
                "%s: a thread crashed inside the implementation and the others did not finish within the time limit\n", what);
    return outcome == FINISHED;
}

/* Starts count guarded threads running func(arg[i]); FALSE (with a failure
 * line) if one cannot be started, after waiting for the others. */
static BOOL start_threads(HANDLE *threads, unsigned count, LPTHREAD_START_ROUTINE func, void **args)
{
    unsigned i;

    for (i = 0; i < count; i++)
    {
        if (!(threads[i] = start_guarded(func, args[i])))
        {
            setup_check(0, "cannot start a thread, error %lu\n", GetLastError());
            if (i) wait_guarded(threads, i, 10000);
            return FALSE;
        }
    }
    return TRUE;
}

/* ---- spies ---- */

static BOOL is_pre(enum spy_method method)
{
    return method == SPY_PREALLOC || method == SPY_PREFREE || method == SPY_PREREALLOC
        || method == SPY_PREGETSIZE || method == SPY_PREDIDALLOC || method == SPY_PREHEAPMINIMIZE;
}

/* Inside each bracket, give the other threads a chance to run, so that an
 * allocator without a lock lets them in. */
static void yield_hook(struct spy *spy, struct spy_call *call)
{
    if (is_pre(call->method)) SwitchToThread();
}

/* ---- THREADS-01: no spy ---- */

struct soak
{
    unsigned id;
    LONG errors;
};

static void *soak_alloc(unsigned i, SIZE_T n)
{
    return (i & 1) ? pCoTaskMemAlloc(n) : m_alloc(n);
}

static void *soak_realloc(unsigned i, void *p, SIZE_T n)
{
    return (i & 2) ? pCoTaskMemRealloc(p, n) : m_realloc(p, n);
}

static void soak_free(unsigned i, void *p)
{
    if (i & 4) pCoTaskMemFree(p);
    else m_free(p);
}

static DWORD WINAPI soak_thread(void *arg)
{
    struct soak *s = arg;
    struct { void *p; SIZE_T n; unsigned seed; } ring[8] = { { 0 } };
    unsigned i, slot, seed = s->id * 7919 + 1;
    SIZE_T n, m;
    void *p, *q;

    for (i = 0; i < 1500; i++)
    {
        seed = seed * 1103515245 + 12345;
        n = 1 + (seed >> 16) % 300;
        if (!(p = soak_alloc(i, n)))
        {
            s->errors++;
            continue;
        }
        fill_pattern(p, n, seed);
        m = (i % 3) ? n * 2 + 5 : n / 2 + 1;
        if (!(q = soak_realloc(i, p, m)))
        {
            s->errors++;
            soak_free(i, p);
            continue;
        }
        if (!check_pattern(q, n < m ? n : m, seed)) s->errors++;
        fill_pattern(q, m, seed);
        if (!(i % 16) && (m_didalloc(q) != 1 || m_getsize(q) < m)) s->errors++;
        slot = i % ARRAY_SIZE(ring);
        if (ring[slot].p)
        {
            if (!check_pattern(ring[slot].p, ring[slot].n, ring[slot].seed)) s->errors++;
            soak_free(i, ring[slot].p);
        }
        ring[slot].p = q;
        ring[slot].n = m;
        ring[slot].seed = seed;
    }
    for (slot = 0; slot < ARRAY_SIZE(ring); slot++)
    {
        if (!ring[slot].p) continue;
        if (!check_pattern(ring[slot].p, ring[slot].n, ring[slot].seed)) s->errors++;
        soak_free(slot, ring[slot].p);
    }
    return 0;
}

static void test_threads_no_spy(void)
{
    struct soak soak[NUM_WORKERS];
    void *args[NUM_WORKERS];
    HANDLE threads[NUM_WORKERS];
    LONG errors = 0;
    unsigned i;

    push_behaviour("THREADS-01");
    for (i = 0; i < NUM_WORKERS; i++)
    {
        soak[i].id = i;
        soak[i].errors = 0;
        args[i] = &soak[i];
    }
    if (start_threads(threads, NUM_WORKERS, soak_thread, args)
        && check_outcome(wait_guarded(threads, NUM_WORKERS, 10000), "allocating threads"))
    {
        for (i = 0; i < NUM_WORKERS; i++) errors += soak[i].errors;
        ok(errors == 0, "got %ld failed or damaged blocks, expected 0\n", errors);
    }
    winetest_pop_context();
}

/* ---- THREADS-02 and -03: brackets under a spy ---- */

#define BLOCKS_PER_THREAD 64

struct bracket_work
{
    unsigned id;
    void *blocks[BLOCKS_PER_THREAD];
    LONG errors;
};

static DWORD WINAPI alloc_thread(void *arg)
{
    struct bracket_work *w = arg;
    unsigned i;

    for (i = 0; i < BLOCKS_PER_THREAD; i++)
    {
        w->blocks[i] = (i & 1) ? pCoTaskMemAlloc(16 + i) : m_alloc(16 + i);
        if (!w->blocks[i]) w->errors++;
    }
    return 0;
}

static DWORD WINAPI other_ops_thread(void *arg)
{
    struct bracket_work *w = arg;
    unsigned i;
    void *q;

    for (i = 0; i < BLOCKS_PER_THREAD; i++)
    {
        if (!w->blocks[i]) continue;
        m_getsize(w->blocks[i]);
        m_didalloc(w->blocks[i]);
        if ((q = (i & 1) ? pCoTaskMemRealloc(w->blocks[i], 64 + i) : m_realloc(w->blocks[i], 64 + i)))
            w->blocks[i] = q;
        else w->errors++;
        if (i & 2) pCoTaskMemFree(w->blocks[i]);
        else m_free(w->blocks[i]);
        w->blocks[i] = NULL;
    }
    return 0;
}

/* THREADS-03 under pressure: each worker takes its blocks through many
 * rounds of GetSize, DidAlloc, Realloc and an Alloc/Free pair.  One pass
 * of other_ops_thread gives another thread only a few chances to fall into
 * an implementation's short gap between a Pre and its Post (for GetSize
 * and DidAlloc it catches such a gap only most of the time); this does not
 * leave it to chance. */
#define STORM_ROUNDS 16

static DWORD WINAPI storm_thread(void *arg)
{
    struct bracket_work *w = arg;
    unsigned i, round;
    void *q;

    for (round = 0; round < STORM_ROUNDS; round++)
        for (i = 0; i < BLOCKS_PER_THREAD; i++)
        {
            if (!w->blocks[i]) continue;
            if (m_getsize(w->blocks[i]) == (SIZE_T)-1) w->errors++;
            if (m_didalloc(w->blocks[i]) != 1) w->errors++;
            if ((q = m_realloc(w->blocks[i], 16 + (round & 1) * 48 + i))) w->blocks[i] = q;
            else w->errors++;
            if ((q = pCoTaskMemAlloc(8))) pCoTaskMemFree(q);
            else w->errors++;
        }
    return 0;
}

static void free_work(struct bracket_work *work, unsigned count)
{
    unsigned i, j;

    for (i = 0; i < count; i++)
        for (j = 0; j < BLOCKS_PER_THREAD; j++)
        {
            m_free(work[i].blocks[j]);
            work[i].blocks[j] = NULL;
        }
}

static void test_threads_alloc_brackets(void)
{
    static struct bracket_work work[NUM_WORKERS];
    void *args[NUM_WORKERS];
    HANDLE threads[NUM_WORKERS];
    struct spy *spy;
    unsigned i;

    push_behaviour("THREADS-02");
    memset(work, 0, sizeof(work));
    for (i = 0; i < NUM_WORKERS; i++) args[i] = &work[i];
    if (!allocator_stuck && (spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        spy->hook = yield_hook;
        if (start_threads(threads, NUM_WORKERS, alloc_thread, args)
            && check_outcome(wait_guarded(threads, NUM_WORKERS, 10000), "allocating threads"))
        {
            ok(spy->overlaps == 0, "got %ld spy calls from another thread inside a PreAlloc/PostAlloc bracket, expected 0\n",
               spy->overlaps);
            ok(spy->calls[SPY_PREALLOC] == NUM_WORKERS * BLOCKS_PER_THREAD && spy->calls[SPY_POSTALLOC] == NUM_WORKERS * BLOCKS_PER_THREAD,
               "got %ld PreAlloc and %ld PostAlloc calls, expected %u each\n", spy->calls[SPY_PREALLOC],
               spy->calls[SPY_POSTALLOC], NUM_WORKERS * BLOCKS_PER_THREAD);
            spy->hook = NULL;
            free_work(work, NUM_WORKERS);
            spy_unregister();
        }
    }
    else if (allocator_stuck) skip("the allocator is stuck after an earlier failure\n");
    winetest_pop_context();
}

/* THREADS-03 (an observation), in two ways: blocks allocated up front,
 * then each worker takes its own through func while the spy yields inside
 * every bracket; whether another thread's call ever came inside one. */
static void observe_brackets(LPTHREAD_START_ROUTINE func)
{
    static struct bracket_work work[NUM_WORKERS];
    void *args[NUM_WORKERS];
    HANDLE threads[NUM_WORKERS];
    struct spy *spy;
    unsigned i, j;

    memset(work, 0, sizeof(work));
    for (i = 0; i < NUM_WORKERS; i++) args[i] = &work[i];
    if (!allocator_stuck && (spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        for (i = 0; i < NUM_WORKERS; i++)
            for (j = 0; j < BLOCKS_PER_THREAD; j++) work[i].blocks[j] = m_alloc(16);
        spy_reset(spy);
        spy->hook = yield_hook;
        if (start_threads(threads, NUM_WORKERS, func, args)
            && check_outcome(wait_guarded(threads, NUM_WORKERS, 10000), "threads"))
        {
            trace("observed: %s\n", spy->overlaps ? "interleaved" : "never interleaved");
            spy->hook = NULL;
            free_work(work, NUM_WORKERS);
            spy_unregister();
        }
    }
    else if (allocator_stuck) skip("the allocator is stuck after an earlier failure\n");
}

static void test_threads_other_brackets(void)
{
    push_behaviour("THREADS-03");
    observing = TRUE;
    observe_brackets(other_ops_thread);
    observing = FALSE;
    winetest_pop_context();
}

static void test_threads_bracket_storm(void)
{
    push_behaviour("THREADS-03");
    observing = TRUE;
    observe_brackets(storm_thread);
    observing = FALSE;
    winetest_pop_context();
}

/* ---- THREADS-04: register and revoke while other threads allocate ---- */

#define RACE_ROUNDS 20

static struct
{
    volatile LONG stop;
    struct spy *spies[RACE_ROUNDS];
    HRESULT register_hr[RACE_ROUNDS];
    BOOL not_released[RACE_ROUNDS];
    LONG errors;
    LONG iterations;
} race;

static DWORD WINAPI race_worker(void *arg)
{
    unsigned i = 0;
    void *p, *q;

    while (!race.stop)
    {
        i++;
        p = (i & 1) ? pCoTaskMemAlloc(32) : m_alloc(32);
        if (!p)
        {
            InterlockedIncrement(&race.errors);
            continue;
        }
        fill_pattern(p, 32, i);
        if (!(q = (i & 2) ? pCoTaskMemRealloc(p, 64) : m_realloc(p, 64)))
        {
            InterlockedIncrement(&race.errors);
            q = p;
        }
        else if (!check_pattern(q, 32, i)) InterlockedIncrement(&race.errors);
        if (i & 4) pCoTaskMemFree(q);
        else m_free(q);
        InterlockedIncrement(&race.iterations);
    }
    return 0;
}

static DWORD WINAPI race_controller(void *arg)
{
    struct spy *spy;
    HRESULT hr;
    DWORD start;
    unsigned r;

    for (r = 0; r < RACE_ROUNDS; r++)
    {
        if (!(spy = spy_new(SPY_PASSTHROUGH))) break;
        race.spies[r] = spy;
        race.register_hr[r] = hr = pCoRegisterMallocSpy(spy_iface(spy));
        if (hr != S_OK) continue;
        spy->dead_ref = 1;      /* the test keeps its own reference */
        Sleep(2);
        hr = pCoRevokeMallocSpy();
        /* pending: the workers free their blocks at once, so it completes */
        start = GetTickCount();
        while (hr == E_ACCESSDENIED && spy->ref > 1 && GetTickCount() - start < 500) Sleep(1);
        race.not_released[r] = spy->ref > 1;
        if (race.not_released[r]) break;
    }
    race.stop = 1;
    return 0;
}

static void test_threads_register_revoke_race(void)
{
    HANDLE threads[NUM_WORKERS];
    void *args[NUM_WORKERS] = { 0 };
    enum outcome outcome;
    struct spy *spy;
    unsigned r;

    push_behaviour("THREADS-04");
    memset(&race, 0, sizeof(race));
    if (allocator_stuck)
    {
        skip("the allocator is stuck after an earlier failure\n");
        winetest_pop_context();
        return;
    }
    if (!start_threads(threads, NUM_WORKERS - 1, race_worker, args))
    {
        winetest_pop_context();
        return;
    }
    if (!(threads[NUM_WORKERS - 1] = start_guarded(race_controller, NULL)))
    {
        ok(0, "cannot start a thread, error %lu\n", GetLastError());
        race.stop = 1;
        wait_guarded(threads, NUM_WORKERS - 1, 10000);
        winetest_pop_context();
        return;
    }
    outcome = wait_guarded(threads, NUM_WORKERS, 4000);
    race.stop = 1;
    if (check_outcome(outcome, "register/revoke race"))
    {
        ok(race.errors == 0, "got %ld failed or damaged blocks, expected 0\n", race.errors);
        ok(race.iterations > 0, "the allocating threads did no work\n");
        for (r = 0; r < RACE_ROUNDS && (spy = race.spies[r]); r++)
        {
            ok(race.register_hr[r] == S_OK, "round %u: CoRegisterMallocSpy returned %s, expected S_OK\n", r,
               str_hr(race.register_hr[r]));
            if (race.register_hr[r] != S_OK) continue;
            ok(spy->unmatched_posts == 0, "round %u: got %ld Post calls without their Pre call, expected 0\n", r,
               spy->unmatched_posts);
            ok(spy->calls_after_release == 0, "round %u: got %ld spy calls after the final Release, expected 0\n", r,
               spy->calls_after_release);
            ok(!race.not_released[r], "round %u: the spy was not released within 0.5 s of the revoke\n", r);
            ok(spy->ref == 1, "round %u: got ref %ld at the end, expected 1\n", r, spy->ref);
            ok(spy->calls[SPY_RELEASE] == 1 && spy->calls[SPY_ADDREF] == 0,
               "round %u: got %ld AddRef and %ld Release calls, expected 0 and 1\n", r, spy->calls[SPY_ADDREF],
               spy->calls[SPY_RELEASE]);
        }
        spy_unregister();
    }
    winetest_pop_context();
}

/* ---- THREADS-05: the spy allocates from inside PreAlloc ---- */

static struct
{
    BOOL armed, inside;
    LONG nested_calls;
    void *outer;
} reentry;

static void reentry_hook(struct spy *spy, struct spy_call *call)
{
    LONG mark;
    void *p;

    if (call->method != SPY_PREALLOC || !reentry.armed || reentry.inside) return;
    reentry.inside = TRUE;
    mark = spy_mark();
    p = pCoTaskMemAlloc(24);
    pCoTaskMemFree(p);
    reentry.nested_calls = spy_count_calls(spy, mark, -1);
    reentry.inside = FALSE;
}

static DWORD WINAPI reentry_thread(void *arg)
{
    reentry.armed = TRUE;
    reentry.outer = pCoTaskMemAlloc(16);
    reentry.armed = FALSE;
    return 0;
}

static void test_threads_reentrant_spy(void)
{
    enum outcome outcome;
    struct spy *spy;
    HANDLE thread;

    push_behaviour("THREADS-05");
    observing = TRUE;
    memset(&reentry, 0, sizeof(reentry));
    if (allocator_stuck) skip("the allocator is stuck after an earlier failure\n");
    else if ((spy = spy_register_new(SPY_PASSTHROUGH)))
    {
        spy->hook = reentry_hook;
        if (!(thread = start_guarded(reentry_thread, NULL)))
            setup_check(0, "cannot start a thread, error %lu\n", GetLastError());
        else
        {
            outcome = wait_guarded(&thread, 1, 3000);
            if (outcome == TIMED_OUT) trace("observed: deadlock\n");
            else if (outcome != FINISHED) trace("observed: crash\n");
            else
            {
                spy->hook = NULL;
                trace("observed: no deadlock, nested calls %s\n",
                      reentry.nested_calls ? "go through the spy" : "bypass the spy");
                pCoTaskMemFree(reentry.outer);
                spy_unregister();
            }
        }
        if (!thread) spy_unregister();
    }
    observing = FALSE;
    winetest_pop_context();
}

START_TEST(threads)
{
    if (!init_test()) return;

    test_threads_no_spy();
    test_threads_alloc_brackets();
    test_threads_other_brackets();
    test_threads_bracket_storm();
    test_threads_register_revoke_race();
    /* last: a deadlocked implementation may hold its lock for good */
    test_threads_reentrant_spy();
}
