/*
 * Guarded threads, for code that may crash inside the implementation (see
 * start_guarded in mallocspy_test.h).
 *
 * The guard is a top-level exception filter: it only sees exceptions that
 * nothing else handled, so an implementation that catches its own faults
 * keeps doing so.  On a guarded thread it sends the thread to ExitThread;
 * on any other thread it hands over to the filter that was there before
 * (test.h's, which reports the crash and ends the process).
 */

#include "mallocspy_test.h"

static DWORD guard_tls = TLS_OUT_OF_INDEXES;
static LPTOP_LEVEL_EXCEPTION_FILTER next_filter;

struct guarded
{
    LPTHREAD_START_ROUTINE func;
    void *arg;
    DWORD *exception;
};

static void guard_bailout(void)
{
    ExitThread(GUARD_CRASHED);
}

/* Resumes the thread in guard_bailout(), on a fresh part of its stack. */
static void redirect_to_bailout(CONTEXT *context)
{
#if defined(__x86_64__)
    context->Rsp = ((context->Rsp - 1024) & ~(DWORD64)15) - 8;
    context->Rip = (DWORD64)(ULONG_PTR)guard_bailout;
#elif defined(__i386__)
    context->Esp = ((context->Esp - 1024) & ~(DWORD)15) - 4;
    context->Eip = (DWORD)(ULONG_PTR)guard_bailout;
#elif defined(__aarch64__)
    context->Sp = (context->Sp - 1024) & ~(DWORD64)15;
    context->Pc = (DWORD64)(ULONG_PTR)guard_bailout;
#else
#error "guard.c: no way to redirect a crashed thread on this architecture"
#endif
}

static LONG WINAPI guard_filter(EXCEPTION_POINTERS *ep)
{
    struct guarded *g = guard_tls == TLS_OUT_OF_INDEXES ? NULL : TlsGetValue(guard_tls);

    if (!g) return next_filter ? next_filter(ep) : EXCEPTION_CONTINUE_SEARCH;
    if (g->exception) *g->exception = ep->ExceptionRecord->ExceptionCode;
    redirect_to_bailout(ep->ContextRecord);
    return EXCEPTION_CONTINUE_EXECUTION;
}

static DWORD WINAPI guarded_start(void *arg)
{
    struct guarded *g = arg;
    DWORD ret;

    TlsSetValue(guard_tls, g);
    ret = g->func(g->arg);
    TlsSetValue(guard_tls, NULL);
    HeapFree(GetProcessHeap(), 0, g);
    return ret;
}

/* The first caller installs the filter; the suite starts its guarded
 * threads from one thread at a time. */
static BOOL install_guard(void)
{
    if (guard_tls != TLS_OUT_OF_INDEXES) return TRUE;
    if ((guard_tls = TlsAlloc()) == TLS_OUT_OF_INDEXES) return FALSE;
    next_filter = SetUnhandledExceptionFilter(guard_filter);
    return TRUE;
}

HANDLE start_guarded(LPTHREAD_START_ROUTINE func, void *arg, DWORD *exception)
{
    struct guarded *g;
    HANDLE thread;

    if (!install_guard() || !(g = HeapAlloc(GetProcessHeap(), 0, sizeof(*g)))) return NULL;
    g->func = func;
    g->arg = arg;
    g->exception = exception;
    /* a crashed thread never frees g: a few bytes, once per crash */
    if (!(thread = CreateThread(NULL, 0, guarded_start, g, 0, NULL))) HeapFree(GetProcessHeap(), 0, g);
    return thread;
}
