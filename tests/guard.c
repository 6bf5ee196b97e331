/*
 * Guarded threads, for the tests that let an implementation run where it
 * may crash (see start_guarded in mallocspy_test.h).
 */

#include "mallocspy_test.h"

static DWORD guard_tls = TLS_OUT_OF_INDEXES;
static void *guard_handler_handle;

static void guard_bailout(void)
{
    ExitThread(GUARD_CRASHED);
}

/* A crash in a guarded thread ends that thread (exit code GUARD_CRASHED)
 * instead of the process. */
static LONG CALLBACK guard_handler(EXCEPTION_POINTERS *ep)
{
    DWORD code = ep->ExceptionRecord->ExceptionCode;

    if (code != EXCEPTION_ACCESS_VIOLATION && code != EXCEPTION_ILLEGAL_INSTRUCTION
        && code != EXCEPTION_PRIV_INSTRUCTION && code != EXCEPTION_INT_DIVIDE_BY_ZERO
        && code != EXCEPTION_DATATYPE_MISALIGNMENT && code != 0xc0000374 /* heap corruption */)
        return EXCEPTION_CONTINUE_SEARCH;
    if (guard_tls == TLS_OUT_OF_INDEXES || !TlsGetValue(guard_tls)) return EXCEPTION_CONTINUE_SEARCH;
#ifdef _WIN64
    ep->ContextRecord->Rsp = ((ep->ContextRecord->Rsp - 1024) & ~(DWORD64)15) - 8;
    ep->ContextRecord->Rip = (DWORD64)(ULONG_PTR)guard_bailout;
#else
    ep->ContextRecord->Esp = ((ep->ContextRecord->Esp - 1024) & ~(DWORD)15) - 4;
    ep->ContextRecord->Eip = (DWORD)(ULONG_PTR)guard_bailout;
#endif
    return EXCEPTION_CONTINUE_EXECUTION;
}

struct guarded
{
    LPTHREAD_START_ROUTINE func;
    void *arg;
};

static DWORD WINAPI guarded_start(void *arg)
{
    struct guarded g = *(struct guarded *)arg;

    HeapFree(GetProcessHeap(), 0, arg);
    TlsSetValue(guard_tls, (void *)1);
    return g.func(g.arg);
}

HANDLE start_guarded(LPTHREAD_START_ROUTINE func, void *arg)
{
    struct guarded *g = HeapAlloc(GetProcessHeap(), 0, sizeof(*g));
    HANDLE thread;

    if (!g) return NULL;
    if (guard_tls == TLS_OUT_OF_INDEXES) guard_tls = TlsAlloc();
    if (!guard_handler_handle) guard_handler_handle = AddVectoredExceptionHandler(1, guard_handler);
    g->func = func;
    g->arg = arg;
    if (!(thread = CreateThread(NULL, 0, guarded_start, g, 0, NULL))) HeapFree(GetProcessHeap(), 0, g);
    return thread;
}
