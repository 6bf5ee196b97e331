/*
 * Shared declarations of the mallocspy conformance suite.
 *
 * A test file checks the behaviours of one subject.  Each behaviour is one
 * row of tests/catalogue.md and one test function; the file lists them in a
 * table and hands it to the runner:
 *
 *     static const struct behaviour behaviours[] =
 *     {
 *         { "ALLOC-01", test_alloc_read_write },
 *         { "ALLOC-05", test_alloc_alignment, OBSERVATION },
 *     };
 *
 *     START_TEST(alloc)
 *     {
 *         run_behaviours(behaviours, ARRAY_SIZE(behaviours));
 *     }
 *
 * The runner (runner.c) loads the implementation named by MALLOCSPY_IMPL
 * (default ole32.dll), and runs every test function inside the context of
 * its ID, so that each failure line names the behaviour it breaks.  It
 * checks that the function left no spy registered, confines a crash or a
 * hang of the implementation to the behaviour it happened in, and once the
 * process can no longer be trusted (a crash, a hang, a spy that cannot be
 * revoked) runs the remaining behaviours each in a child process of its own.
 *
 * The implementation is never linked: the p* pointers below are its exports.
 * See spy.h for the recording IMallocSpy.
 */

#ifndef MALLOCSPY_TEST_H
#define MALLOCSPY_TEST_H

#ifndef COBJMACROS
#define COBJMACROS
#endif

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>
#include <objbase.h>

#include "wine/test.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))
#endif

#ifndef CO_E_OBJISREG
#define CO_E_OBJISREG  ((HRESULT)0x800401fbL)
#endif
#ifndef CO_E_OBJNOTREG
#define CO_E_OBJNOTREG ((HRESULT)0x800401fcL)
#endif
#ifndef MEMORY_ALLOCATION_ALIGNMENT
#ifdef _WIN64
#define MEMORY_ALLOCATION_ALIGNMENT 16
#else
#define MEMORY_ALLOCATION_ALIGNMENT 8
#endif
#endif

/* A size no heap can provide, far enough from SIZE_MAX that an
 * implementation adding a little bookkeeping of its own cannot wrap it
 * around to a small size. */
#define HUGE_SIZE (sizeof(SIZE_T) == 8 ? (SIZE_T)1 << 62 : (SIZE_T)0xf0000000)

/* On 64-bit, a byte count that a 32-bit ULONG somewhere on its way would
 * cut down to 16; 0 on 32-bit, where there is no such count. */
#define ABOVE_4G (sizeof(SIZE_T) == 8 ? (SIZE_T)(((ULONGLONG)1 << 32) + 16) : 0)

/* ---- the behaviours of a test ---- */

/* Flags of a behaviour. */
#define OBSERVATION         0x01    /* an undefined row: prints "observed: VALUE", never fails */
#define ISOLATED            0x02    /* always runs in a child process of its own */
#define NO_WARMUP           0x04    /* runs before any spied allocation of the process (see init) */
#define BEFORE_COGETMALLOC  0x08    /* runs before the process calls CoGetMalloc */

struct behaviour
{
    const char *id;                 /* the catalogue ID */
    void (*test)(void);
    unsigned int flags;
};

/* Runs the behaviours in order (see the top of this file).  In a child
 * process (argv: SUBJECT INDEX) runs only the one it was started for. */
void run_behaviours(const struct behaviour *behaviours, unsigned int count);

/* A check made while setting up or cleaning up, at the caller's line: an
 * ok() in a documented row; in an observation, which must not fail, a
 * broken setup only skips (and a sound one prints nothing).  Returns cond. */
#define setup_check(...) setup_check_(__FILE__, __LINE__, __VA_ARGS__)
BOOL setup_check_(const char *file, int line, BOOL cond, const char *fmt, ...) __WINE_PRINTF_ATTR(4,5);

/* A check of a test's clean-up, at the caller's line: an ok() in a
 * documented row; in an observation, which has been made by then, only a
 * note (the runner sees to what was left behind).  Returns cond. */
#define cleanup_check(...) cleanup_check_(__FILE__, __LINE__, __VA_ARGS__)
BOOL cleanup_check_(const char *file, int line, BOOL cond, const char *fmt, ...) __WINE_PRINTF_ATTR(4,5);

/* TRUE while the current behaviour is an observation. */
BOOL observing(void);

/* Tells the runner that the process can no longer be trusted (a thread of
 * the test is stuck inside the implementation, say): the behaviours that
 * follow run in child processes. */
void taint_process(void);

/* ---- the implementation under test (implementation.c) ---- */

/* The implementation's exports; valid inside a behaviour's test. */
extern HRESULT (WINAPI *pCoGetMalloc)(DWORD, IMalloc **);
extern void *  (WINAPI *pCoTaskMemAlloc)(SIZE_T);
extern void    (WINAPI *pCoTaskMemFree)(void *);
extern void *  (WINAPI *pCoTaskMemRealloc)(void *, SIZE_T);
extern HRESULT (WINAPI *pCoRegisterMallocSpy)(IMallocSpy *);
extern HRESULT (WINAPI *pCoRevokeMallocSpy)(void);

/* The allocator from CoGetMalloc(1); valid inside a behaviour's test unless
 * it runs BEFORE_COGETMALLOC. */
extern IMalloc *test_malloc;

/* Full path and version string of the loaded implementation. */
extern const char *impl_path;
extern const char *impl_version;

/* Gets the process ready for a behaviour with these flags: loads the
 * implementation (printing the banner and checking EXPORTS-01), gets the
 * allocator from CoGetMalloc(1) unless BEFORE_COGETMALLOC, and unless
 * NO_WARMUP makes one Alloc/Free under a private pass-through spy (Wine
 * 8.0's allocator crashes in GetSize and DidAlloc under a spy until the
 * first spied allocation of the process; only GETSIZE-12 and DIDALLOC-15
 * are about that).  Each step happens once per process.  FALSE if the
 * implementation cannot be tested (the failure line has been printed). */
BOOL init_implementation(unsigned int flags);

/* TRUE if a spy of the suite's own can be registered (and is revoked at
 * once): nothing is left registered, not even with a revoke pending. */
BOOL no_spy_registered(void);

/* ---- helpers ---- */

/* Short wrappers for the allocator from CoGetMalloc. */
static inline void *m_alloc(SIZE_T cb) { return IMalloc_Alloc(test_malloc, cb); }
static inline void *m_realloc(void *p, SIZE_T cb) { return IMalloc_Realloc(test_malloc, p, cb); }
static inline void m_free(void *p) { IMalloc_Free(test_malloc, p); }
static inline SIZE_T m_getsize(void *p) { return IMalloc_GetSize(test_malloc, p); }
static inline int m_didalloc(void *p) { return IMalloc_DidAlloc(test_malloc, p); }
static inline void m_heapminimize(void) { IMalloc_HeapMinimize(test_malloc); }

/* Decimal text of a size ((SIZE_T)-1 prints as -1) and name of an HRESULT
 * (S_OK, E_INVALIDARG, ... or 0x%08lx); rotating static buffers, for
 * messages.  Sizes never go through printf's size modifiers, which msvcrt
 * and mingw read differently. */
const char *str_size(SIZE_T value);
const char *str_hr(HRESULT hr);

/* A thread for code that may crash inside the implementation: like
 * CreateThread(func, arg), but a crash (access violation, heap corruption,
 * ...) on it ends only that thread, with exit code GUARD_CRASHED, instead
 * of the whole process; the exception code goes to *exception if that is
 * not NULL.  NULL if it cannot be started. */
#define GUARD_CRASHED 0xdead
HANDLE start_guarded(LPTHREAD_START_ROUTINE func, void *arg, DWORD *exception);

/* Fills / checks n bytes with a pattern derived from seed. */
void fill_pattern(void *p, SIZE_T n, unsigned seed);
BOOL check_pattern(const void *p, SIZE_T n, unsigned seed);

/* ---- proving that memory was given back (addrspace.c) ----
 *
 * DidAlloc and GetSize of a freed pointer are not defined (and under Wine
 * they read stale heap headers: they may crash or answer 1), so the suite
 * never asks them whether a block was freed.  It measures instead: a block
 * of BIG_BLOCK bytes has pages of its own in every heap, and freeing it
 * gives them back, while a leak of many of them grows the process's
 * address space by their size. */
#define BIG_BLOCK (4 * 1024 * 1024)
#define BIG_ROUNDS 24

/* Bytes of address space the process has reserved or committed now. */
SIZE_T address_space_in_use(void);

/* TRUE if, from before (an address_space_in_use() result) to now, the
 * process grew by less than half the BIG_ROUNDS big blocks a loop made:
 * the loop gave its blocks back.  Otherwise a failure line at the caller's
 * line, saying what leaked. */
#define check_no_leak(before, what) check_no_leak_(__FILE__, __LINE__, before, what)
BOOL check_no_leak_(const char *file, int line, SIZE_T before, const char *what);

/* TRUE if the address space shrank by at least half a big block since
 * before: one BIG_BLOCK block was given back. */
BOOL big_block_released(SIZE_T before);

#endif /* MALLOCSPY_TEST_H */
