/*
 * The allocator and its spy hooks under several threads: sound blocks with
 * no spy, Pre/Post brackets kept whole with one, registering and revoking
 * while other threads allocate, and spies that call the allocator from
 * inside their own methods.
 *
 * Each test is short (well under a second) and asserts only what holds on
 * every run.  Every thread that calls the implementation is "guarded": a
 * crash inside the implementation ends that thread instead of the process,
 * and the main thread waits with a timeout, so a broken implementation
 * gives failure lines, not a crash or a hang.  Only the main thread prints.
 */

#include "spy.h"

#define NUM_WORKERS 4

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
    /* the allocator's lock may be held for good: later behaviours run in
     * fresh processes */
    if (timed_out || crashed) taint_process();
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
        if (!(threads[i] = start_guarded(func, args[i], NULL)))
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
}

/* ---- THREADS-02 and -03: brackets under a spy ---- */

#define BLOCKS_PER_THREAD 64

struct bracket_work
{
    void *blocks[BLOCKS_PER_THREAD];
    LONG errors;
    DWORD tid;
};

static DWORD WINAPI alloc_thread(void *arg)
{
    struct bracket_work *w = arg;
    unsigned int i;

    w->tid = GetCurrentThreadId();
    for (i = 0; i < BLOCKS_PER_THREAD; i++)
    {
        w->blocks[i] = (i & 1) ? pCoTaskMemAlloc(16 + i) : m_alloc(16 + i);
        if (!w->blocks[i]) w->errors++;
    }
    return 0;
}

/* GetSize, DidAlloc, Realloc and Free of blocks allocated up front. */
static DWORD WINAPI other_ops_thread(void *arg)
{
    struct bracket_work *w = arg;
    unsigned int i;
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

/* The same under pressure: many rounds of GetSize, DidAlloc and Realloc
 * over the same blocks.  One pass gives another thread only a few chances
 * to fall into an implementation's short gap between a Pre and its Post;
 * this does not leave it to chance. */
#define STORM_ROUNDS 16

static DWORD WINAPI storm_thread(void *arg)
{
    struct bracket_work *w = arg;
    unsigned int i, round;
    void *q;

    for (round = 0; round < STORM_ROUNDS; round++)
        for (i = 0; i < BLOCKS_PER_THREAD; i++)
        {
            if (!w->blocks[i]) continue;
            if (m_getsize(w->blocks[i]) == (SIZE_T)-1) w->errors++;
            if (m_didalloc(w->blocks[i]) != 1) w->errors++;
            if ((q = m_realloc(w->blocks[i], 16 + (round & 1) * 48 + i))) w->blocks[i] = q;
            else w->errors++;
        }
    return 0;
}

static void free_work(struct bracket_work *work, unsigned int count)
{
    unsigned int i, j;

    for (i = 0; i < count; i++)
        for (j = 0; j < BLOCKS_PER_THREAD; j++)
        {
            m_free(work[i].blocks[j]);
            work[i].blocks[j] = NULL;
        }
}

/* Runs func on every worker while the spy yields inside every bracket;
 * with blocks allocated up front for the workers from first_prefilled on.
 * FALSE if the threads did not all finish (reported). */
static BOOL run_bracket_workers(struct spy *spy, struct bracket_work *work, LPTHREAD_START_ROUTINE *funcs,
                                unsigned int first_prefilled)
{
    HANDLE threads[NUM_WORKERS];
    unsigned int i, j;

    for (i = first_prefilled; i < NUM_WORKERS; i++)
        for (j = 0; j < BLOCKS_PER_THREAD; j++) work[i].blocks[j] = m_alloc(16);
    spy_reset(spy);
    spy->hook = yield_hook;
    for (i = 0; i < NUM_WORKERS; i++)
    {
        if (!(threads[i] = start_guarded(funcs[i], &work[i], NULL)))
        {
            setup_check(0, "cannot start a thread, error %lu\n", GetLastError());
            if (i) wait_guarded(threads, i, 10000);
            return FALSE;
        }
    }
    if (!check_outcome(wait_guarded(threads, NUM_WORKERS, 10000), "threads")) return FALSE;
    spy->hook = NULL;
    return TRUE;
}

/* Two threads allocate while two others get sizes, reallocate and free:
 * no other thread's Alloc bracket falls inside a PreAlloc/PostAlloc one. */
static void test_threads_alloc_brackets(void)
{
    static struct bracket_work work[NUM_WORKERS];
    LPTHREAD_START_ROUTINE funcs[NUM_WORKERS] = { alloc_thread, alloc_thread, storm_thread, other_ops_thread };
    struct spy *spy;
    LONG errors, pre, post, mark;
    unsigned int i;

    memset(work, 0, sizeof(work));
    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    mark = spy_mark();
    if (run_bracket_workers(spy, work, funcs, 2))
    {
        errors = work[0].errors + work[1].errors;
        ok(spy->alloc_overlaps == 0, "got %ld Alloc spy calls from another thread inside a PreAlloc/PostAlloc "
           "bracket, expected 0\n", spy->alloc_overlaps);
        ok(!errors, "got %ld failed allocations, expected 0\n", errors);
        /* the allocating threads' own calls: other threads of the process
         * may allocate too */
        for (i = pre = post = 0; i < 2; i++)
        {
            pre += spy_count_calls_on(spy, mark, SPY_PREALLOC, work[i].tid);
            post += spy_count_calls_on(spy, mark, SPY_POSTALLOC, work[i].tid);
        }
        ok(pre == 2 * BLOCKS_PER_THREAD && post == 2 * BLOCKS_PER_THREAD,
           "got %ld PreAlloc and %ld PostAlloc calls, expected %u each\n", pre, post, 2 * BLOCKS_PER_THREAD);
        free_work(work, NUM_WORKERS);
        spy_unregister();
    }
}

/* Whether another thread's spy call ever comes inside a bracket of Free,
 * Realloc, GetSize or DidAlloc, once in one pass and once under pressure. */
static void observe_brackets(LPTHREAD_START_ROUTINE func)
{
    static struct bracket_work work[NUM_WORKERS];
    LPTHREAD_START_ROUTINE funcs[NUM_WORKERS] = { func, func, func, func };
    struct spy *spy;

    memset(work, 0, sizeof(work));
    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    if (run_bracket_workers(spy, work, funcs, 0))
    {
        trace("observed: %s\n", spy->overlaps ? "interleaved" : "never interleaved");
        free_work(work, NUM_WORKERS);
        spy_unregister();
    }
}

static void test_threads_other_brackets(void)
{
    observe_brackets(other_ops_thread);
}

static void test_threads_bracket_storm(void)
{
    observe_brackets(storm_thread);
}

/* ---- THREADS-04: register and revoke while other threads allocate ----
 *
 * Each round registers a spy and revokes it while the workers run, so the
 * revoke may find their blocks live and stay pending.  Then the workers
 * park, each with its block freed: no block is left, the revoke is over,
 * and the spy must have been released exactly once.  Nothing waits for a
 * release to happen in time; the only time limits catch a deadlock. */

#define RACE_ROUNDS 20
#define RACE_WORKERS (NUM_WORKERS - 1)

static struct
{
    volatile LONG stop, pause, parked;
    HANDLE resume;
    struct spy *spies[RACE_ROUNDS];
    HRESULT register_hr[RACE_ROUNDS], final_revoke_hr[RACE_ROUNDS];
    BOOL park_failed;
    unsigned int rounds;
    LONG errors;
    LONG iterations;
} race;

static DWORD WINAPI race_worker(void *arg)
{
    unsigned int i = 0;
    void *p, *q;

    while (!race.stop)
    {
        if (race.pause)
        {
            InterlockedIncrement(&race.parked);
            WaitForSingleObject(race.resume, INFINITE);
            InterlockedDecrement(&race.parked);
            continue;
        }
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

/* Stops the workers between two iterations, so that none holds a block.
 * FALSE if they did not all get there within 5 s (a deadlock). */
static BOOL park_workers(void)
{
    DWORD start = GetTickCount();

    ResetEvent(race.resume);
    InterlockedExchange(&race.pause, 1);
    while (race.parked < RACE_WORKERS)
    {
        if (GetTickCount() - start > 5000) return FALSE;
        Sleep(1);
    }
    return TRUE;
}

static void resume_workers(void)
{
    InterlockedExchange(&race.pause, 0);
    SetEvent(race.resume);
}

static DWORD WINAPI race_controller(void *arg)
{
    struct spy *spy;
    unsigned int r;

    for (r = 0; r < RACE_ROUNDS; r++)
    {
        if (!(spy = spy_new(SPY_PASSTHROUGH))) break;
        race.spies[r] = spy;
        race.register_hr[r] = pCoRegisterMallocSpy(spy_iface(spy));
        if (race.register_hr[r] != S_OK) break;
        spy->dead_ref = 1;      /* the test keeps its own reference */
        Sleep(2);               /* let the workers make some spied blocks */
        pCoRevokeMallocSpy();
        if (!park_workers())
        {
            race.park_failed = TRUE;
            break;
        }
        race.final_revoke_hr[r] = pCoRevokeMallocSpy();
        race.rounds++;
        resume_workers();
    }
    race.stop = 1;
    resume_workers();
    return 0;
}

static void test_threads_register_revoke_race(void)
{
    HANDLE threads[NUM_WORKERS];
    enum outcome outcome;
    struct spy *spy;
    unsigned int i, r;

    memset(&race, 0, sizeof(race));
    if (!setup_check((race.resume = CreateEventA(NULL, TRUE, FALSE, NULL)) != NULL, "cannot create an event\n")) return;
    for (i = 0; i < RACE_WORKERS; i++)
    {
        if (!(threads[i] = start_guarded(race_worker, NULL, NULL)))
        {
            ok(0, "cannot start a thread, error %lu\n", GetLastError());
            race.stop = 1;
            wait_guarded(threads, i, 10000);
            CloseHandle(race.resume);
            return;
        }
    }
    if (!(threads[RACE_WORKERS] = start_guarded(race_controller, NULL, NULL)))
    {
        ok(0, "cannot start a thread, error %lu\n", GetLastError());
        race.stop = 1;
        resume_workers();
        wait_guarded(threads, RACE_WORKERS, 10000);
        CloseHandle(race.resume);
        return;
    }
    outcome = wait_guarded(threads, NUM_WORKERS, 8000);
    race.stop = 1;
    if (!check_outcome(outcome, "register/revoke race")) return;
    CloseHandle(race.resume);
    ok(!race.park_failed, "round %u: the workers did not finish an iteration within 5 s (deadlock)\n", race.rounds);
    ok(race.rounds == RACE_ROUNDS, "got %u rounds, expected %u\n", race.rounds, RACE_ROUNDS);
    ok(race.errors == 0, "got %ld failed or damaged blocks, expected 0\n", race.errors);
    ok(race.iterations > 0, "the allocating threads did no work\n");
    for (r = 0; r < RACE_ROUNDS && (spy = race.spies[r]); r++)
    {
        ok(race.register_hr[r] == S_OK, "round %u: CoRegisterMallocSpy returned %s, expected S_OK\n", r,
           str_hr(race.register_hr[r]));
        if (r >= race.rounds) break;
        ok(race.final_revoke_hr[r] == CO_E_OBJNOTREG, "round %u: revoke with every block freed: got %s, "
           "expected CO_E_OBJNOTREG\n", r, str_hr(race.final_revoke_hr[r]));
        ok(spy->unmatched_posts == 0, "round %u: got %ld Post calls without their Pre call, expected 0\n", r,
           spy->unmatched_posts);
        ok(spy->calls_after_release == 0, "round %u: got %ld spy calls after the final Release, expected 0\n", r,
           spy->calls_after_release);
        ok(spy->ref == 1, "round %u: got ref %ld at the end, expected 1 (released once)\n", r, spy->ref);
    }
}

/* ---- THREADS-05 and -06: spies that call the allocator from inside ---- */

static struct
{
    BOOL armed, inside;
    LONG nested_calls;
    SIZE_T size;
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

/* Runs func on a guarded thread with the spy's hook set; the observation
 * of a deadlock or a crash, or TRUE if it finished. */
static BOOL run_reentrant(struct spy *spy, void (*hook)(struct spy *, struct spy_call *), LPTHREAD_START_ROUTINE func)
{
    enum outcome outcome;
    HANDLE thread;

    spy->hook = hook;
    if (!(thread = start_guarded(func, NULL, NULL)))
    {
        setup_check(0, "cannot start a thread, error %lu\n", GetLastError());
        return FALSE;
    }
    outcome = wait_guarded(&thread, 1, 3000);
    if (outcome == TIMED_OUT) trace("observed: deadlock\n");
    else if (outcome != FINISHED) trace("observed: crash\n");
    if (outcome != FINISHED) return FALSE;
    spy->hook = NULL;
    return TRUE;
}

static void test_threads_reentrant_spy(void)
{
    struct spy *spy;

    memset(&reentry, 0, sizeof(reentry));
    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    if (!run_reentrant(spy, reentry_hook, reentry_thread)) return;
    trace("observed: no deadlock, nested calls %s\n", reentry.nested_calls ? "go through the spy" : "bypass the spy");
    pCoTaskMemFree(reentry.outer);
    spy_unregister();
}

/* A secure-delete spy: in PreFree it asks GetSize how many bytes to wipe. */
static void secure_delete_hook(struct spy *spy, struct spy_call *call)
{
    LONG mark;

    if (call->method != SPY_PREFREE || !reentry.armed || reentry.inside) return;
    reentry.inside = TRUE;
    mark = spy_mark();
    reentry.size = m_getsize(call->ptr);
    reentry.nested_calls = spy_count_calls(spy, mark, -1);
    if (reentry.size != (SIZE_T)-1 && reentry.size >= 100) memset(call->ptr, 0, 100);
    reentry.inside = FALSE;
}

static DWORD WINAPI secure_delete_thread(void *arg)
{
    reentry.armed = TRUE;
    m_free(reentry.outer);
    reentry.armed = FALSE;
    return 0;
}

static void test_threads_getsize_in_prefree(void)
{
    struct spy *spy;

    memset(&reentry, 0, sizeof(reentry));
    if (!(spy = spy_register_new(SPY_PASSTHROUGH))) return;
    if (!setup_check((reentry.outer = m_alloc(100)) != NULL, "Alloc(100) returned NULL\n"))
    {
        spy_unregister();
        return;
    }
    if (!run_reentrant(spy, secure_delete_hook, secure_delete_thread)) return;
    trace("observed: GetSize %s, %s\n", reentry.size == 100 ? "n" : reentry.size == (SIZE_T)-1 ? "-1" :
          reentry.size > 100 ? "more than n" : "less than n",
          reentry.nested_calls ? "nested spy calls" : "no nested spy call");
    spy_unregister();
}

static const struct behaviour behaviours[] =
{
    { "THREADS-01", test_threads_no_spy },
    { "THREADS-02", test_threads_alloc_brackets },
    { "THREADS-03", test_threads_other_brackets, OBSERVATION },
    { "THREADS-03", test_threads_bracket_storm, OBSERVATION },
    { "THREADS-04", test_threads_register_revoke_race },
    /* may deadlock a broken implementation for good: the runner moves what
     * follows to fresh processes */
    { "THREADS-05", test_threads_reentrant_spy, OBSERVATION },
    { "THREADS-06", test_threads_getsize_in_prefree, OBSERVATION },
};

START_TEST(threads)
{
    run_behaviours(behaviours, ARRAY_SIZE(behaviours));
}
