/*
 * Running the suite: one child process per (implementation, test), N at a
 * time, each of the suite of the implementation's architecture, with
 * MALLOCSPY_IMPL set and its stdout+stderr read through a pipe, killed when
 * it runs past the time limit.
 *
 * Handles: the pipe's write end is made inheritable only while the child is
 * created, under a lock, so that a child never inherits another child's pipe.
 * The environment variable is set under the same lock.  The pipe is polled
 * (PeekNamedPipe) so that the time limit holds whatever the child does with
 * its handles.
 */

#include "conform.h"

static CRITICAL_SECTION create_lock;
static HANDLE null_input;

enum outcome outcome_from_exit(unsigned long code)
{
    if (code == 0) return OUT_OK;
    if (code >= 0x80000000ul) return OUT_CRASH;
    return OUT_FAILED;
}

const char *outcome_word(enum outcome o)
{
    static const char *const words[] = { "ok", "failed", "crash", "timeout", "cannot-load", "error" };
    return words[o];
}

static void init(void)
{
    static LONG initialised;
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, TRUE };

    if (InterlockedExchange(&initialised, 1)) return;
    InitializeCriticalSection(&create_lock);
    null_input = CreateFileA("NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, NULL);
    /* Crashing children must not open a dialog or a debugger: this mode is
     * inherited by every child. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
}

static void drain(HANDLE pipe, struct buffer *out)
{
    char chunk[16384];
    DWORD avail, got;

    while (PeekNamedPipe(pipe, NULL, 0, NULL, &avail, NULL) && avail)
    {
        if (!ReadFile(pipe, chunk, avail < sizeof(chunk) ? avail : sizeof(chunk), &got, NULL) || !got) break;
        buffer_append(out, chunk, got);
    }
}

/* Runs "suite" args with MALLOCSPY_IMPL=impl_name (NULL: unset). */
static void run_process(const char *suite, const char *args, const char *impl_name, DWORD timeout_ms,
                        struct testrun *tr)
{
    SECURITY_ATTRIBUTES sa = { sizeof(sa), NULL, FALSE };
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    struct buffer out = {0};
    HANDLE rd, wr;
    char *cmdline;
    DWORD start, code = 0;
    BOOL ok;

    init();
    tr->outcome = OUT_ERROR;
    if (!CreatePipe(&rd, &wr, &sa, 1 << 20))
    {
        tr->error = xsprintf("CreatePipe failed: error %lu", GetLastError());
        return;
    }
    cmdline = xsprintf("\"%s\" %s", suite, args);
    memset(&si, 0, sizeof(si));
    si.cb = sizeof(si);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = null_input;
    si.hStdOutput = wr;
    si.hStdError = wr;

    EnterCriticalSection(&create_lock);
    SetEnvironmentVariableA("MALLOCSPY_IMPL", impl_name);
    SetHandleInformation(wr, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    ok = CreateProcessA(NULL, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi);
    if (!ok) tr->error = xsprintf("cannot run %s: error %lu", suite, GetLastError());
    CloseHandle(wr);
    LeaveCriticalSection(&create_lock);
    free(cmdline);
    if (!ok)
    {
        CloseHandle(rd);
        return;
    }
    CloseHandle(pi.hThread);

    start = GetTickCount();
    for (;;)
    {
        drain(rd, &out);
        if (WaitForSingleObject(pi.hProcess, 5) == WAIT_OBJECT_0)
        {
            drain(rd, &out);
            GetExitCodeProcess(pi.hProcess, &code);
            tr->exit_code = code;
            tr->outcome = outcome_from_exit(code);
            break;
        }
        if (GetTickCount() - start >= timeout_ms)
        {
            TerminateProcess(pi.hProcess, 0xdead);
            WaitForSingleObject(pi.hProcess, 5000);
            drain(rd, &out);
            tr->exit_code = 0;
            tr->outcome = OUT_TIMEOUT;
            break;
        }
    }
    tr->ms = GetTickCount() - start;
    CloseHandle(pi.hProcess);
    CloseHandle(rd);
    tr->output = out.data ? out.data : xstrdup("");
    tr->output_len = out.len;
}

/* Test names from "suite --list": every line that is a single word after
 * the "Valid test names:" header (or any single-word indented line). */
int run_list_tests(const char *suite, DWORD timeout_ms, struct strlist *tests, char *err, size_t errsize)
{
    struct testrun tr;
    char *line, *next;

    memset(&tr, 0, sizeof(tr));
    run_process(suite, "--list", NULL, timeout_ms, &tr);
    if (tr.outcome == OUT_ERROR)
    {
        snprintf(err, errsize, "%s", tr.error);
        return -1;
    }
    if (tr.outcome == OUT_TIMEOUT || tr.outcome == OUT_CRASH)
    {
        snprintf(err, errsize, "%s --list %s", suite, tr.outcome == OUT_TIMEOUT ? "timed out" : "crashed");
        return -1;
    }
    for (line = tr.output; line && *line; line = next)
    {
        char *word;

        if ((next = strchr(line, '\n'))) *next++ = 0;
        if (*line != ' ' && *line != '\t') continue;
        word = trim(line);
        if (!*word || strpbrk(word, " \t:")) continue;
        strlist_add(tests, word);
    }
    free(tr.output);
    if (!tests->count)
    {
        snprintf(err, errsize, "%s --list printed no test names", suite);
        return -1;
    }
    return 0;
}

struct job
{
    struct impl *impl;
    size_t index;               /* of impl, in column order */
    size_t test;
};

struct pool
{
    struct job *jobs;
    size_t njobs, nimpls;
    DWORD timeout_ms;
    progress_func progress;
    volatile LONG next;
    CRITICAL_SECTION progress_lock;
};

static DWORD WINAPI worker(void *arg)
{
    struct pool *pool = arg;

    for (;;)
    {
        size_t j = (size_t)InterlockedIncrement(&pool->next) - 1;
        struct impl *impl;
        struct testrun *tr;

        if (j >= pool->njobs) break;
        impl = pool->jobs[j].impl;
        tr = &impl->runs[pool->jobs[j].test];
        run_process(impl->suite->path, tr->name, impl->name, pool->timeout_ms, tr);
        EnterCriticalSection(&pool->progress_lock);
        if (!impl->path[0] && tr->output)
            parse_implementation_line(tr->output, tr->output_len, impl->path, sizeof(impl->path),
                                      impl->version, sizeof(impl->version));
        impl->done++;
        if (pool->progress) pool->progress(impl, pool->jobs[j].index, pool->nimpls, impl->nruns);
        LeaveCriticalSection(&pool->progress_lock);
    }
    return 0;
}

/* Runs every test of each implementation's suite, jobs processes at once. */
void run_all(struct impl **impls, size_t nimpls, int jobs, DWORD timeout_ms, progress_func progress)
{
    struct pool pool;
    HANDLE threads[64];
    size_t i, t;
    int n;

    memset(&pool, 0, sizeof(pool));
    for (i = 0; i < nimpls; i++) pool.njobs += impls[i]->suite->tests.count;
    pool.jobs = xmalloc((pool.njobs + 1) * sizeof(*pool.jobs));
    pool.njobs = 0;
    for (i = 0; i < nimpls; i++)
    {
        const struct strlist *tests = &impls[i]->suite->tests;

        impls[i]->nruns = tests->count;
        impls[i]->runs = xmalloc((tests->count + 1) * sizeof(struct testrun));
        memset(impls[i]->runs, 0, tests->count * sizeof(struct testrun));
        for (t = 0; t < tests->count; t++)
        {
            impls[i]->runs[t].name = xstrdup(tests->items[t]);
            pool.jobs[pool.njobs].impl = impls[i];
            pool.jobs[pool.njobs].index = i;
            pool.jobs[pool.njobs++].test = t;
        }
    }
    pool.nimpls = nimpls;
    pool.timeout_ms = timeout_ms;
    pool.progress = progress;
    InitializeCriticalSection(&pool.progress_lock);
    if (jobs < 1) jobs = 1;
    if (jobs > 64) jobs = 64;
    for (n = 0; n < jobs; n++)
        if (!(threads[n] = CreateThread(NULL, 0, worker, &pool, 0, NULL))) break;
    if (!n) worker(&pool);
    WaitForMultipleObjects(n, threads, TRUE, INFINITE);
    while (n--) CloseHandle(threads[n]);
    DeleteCriticalSection(&pool.progress_lock);
    free(pool.jobs);
}
