/*
 * Shared declarations of the mallocspy conformance suite.
 *
 * Every test (START_TEST) begins with
 *
 *     if (!init_test()) return;
 *
 * which loads the implementation named by MALLOCSPY_IMPL (default ole32.dll),
 * prints the banner line "implementation: PATH version V", checks EXPORTS-01
 * and gets the allocator from CoGetMalloc(1).  A test that must run before
 * the first CoGetMalloc call uses init_implementation() alone.
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

/* The implementation's exports; valid after init_implementation(). */
extern HRESULT (WINAPI *pCoGetMalloc)(DWORD, IMalloc **);
extern void *  (WINAPI *pCoTaskMemAlloc)(SIZE_T);
extern void    (WINAPI *pCoTaskMemFree)(void *);
extern void *  (WINAPI *pCoTaskMemRealloc)(void *, SIZE_T);
extern HRESULT (WINAPI *pCoRegisterMallocSpy)(IMallocSpy *);
extern HRESULT (WINAPI *pCoRevokeMallocSpy)(void);

/* The allocator from CoGetMalloc(1); valid after init_malloc(). */
extern IMalloc *test_malloc;

/* Full path and version string of the loaded implementation. */
extern const char *impl_path;
extern const char *impl_version;

/* Loads the implementation once per process (later calls only return the
 * result), prints the banner, checks EXPORTS-01.  FALSE: the test must
 * return at once (the failure line has been printed). */
BOOL init_implementation(void);

/* CoGetMalloc(1, &test_malloc) once per process; on failure a
 * COGETMALLOC-01 failure line and FALSE. */
BOOL init_malloc(void);

/* init_implementation() && init_malloc(), and makes sure no spy is left
 * registered by a previous test in the same process (see cleanup_spy).
 * Also, once per process, one Alloc/Free under a private pass-through spy
 * (not in the spy log): Wine 8.0's allocator crashes in GetSize/DidAlloc
 * under a spy until the first spied allocation of the process. */
BOOL init_test(void);

/* Enters the context of one catalogue behaviour: every check up to the
 * matching winetest_pop_context() names its ID.  Wine's "Test succeeded"
 * lines carry no context, so at WINETEST_DEBUG > 1 (the level the
 * comparison driver runs the suite at) a "reached" line also records that
 * the checks of the behaviour ran. */
#define push_behaviour(id) push_behaviour_(__FILE__, __LINE__, id)
static inline void push_behaviour_(const char *file, int line, const char *id)
{
    winetest_push_context("%s", id);
    if (winetest_debug > 1) trace_(file, line)("reached\n");
}

/* TRUE while a test checks an undefined (catalogue class "undefined") row:
 * such a row only observes ("observed: ..." traces) and never fails.  Set
 * it after push_behaviour() and clear it before winetest_pop_context(). */
extern BOOL observing;

/* A check made while setting up or cleaning up, at the caller's line: an
 * ok() in a documented row, but in an observing row, which must not fail,
 * a broken setup only skips (and a sound one prints nothing).  Returns
 * cond. */
#define setup_check(...) setup_check_(__FILE__, __LINE__, __VA_ARGS__)
BOOL setup_check_(const char *file, int line, BOOL cond, const char *fmt, ...) __WINE_PRINTF_ATTR(4,5);

/* Revokes whatever spy is registered, so that one failing test does not
 * cascade.  Returns the HRESULT of CoRevokeMallocSpy (CO_E_OBJNOTREG when
 * nothing was registered).  Prints nothing. */
HRESULT cleanup_spy(void);

/* Short wrappers for the allocator from CoGetMalloc. */
static inline void *m_alloc(SIZE_T cb) { return IMalloc_Alloc(test_malloc, cb); }
static inline void *m_realloc(void *p, SIZE_T cb) { return IMalloc_Realloc(test_malloc, p, cb); }
static inline void m_free(void *p) { IMalloc_Free(test_malloc, p); }
static inline SIZE_T m_getsize(void *p) { return IMalloc_GetSize(test_malloc, p); }
static inline int m_didalloc(void *p) { return IMalloc_DidAlloc(test_malloc, p); }
static inline void m_heapminimize(void) { IMalloc_HeapMinimize(test_malloc); }

/* Decimal text of a size ((SIZE_T)-1 prints as -1) and name of an HRESULT
 * (S_OK, E_INVALIDARG, ... or 0x%08lx); rotating static buffers, for messages. */
const char *str_size(SIZE_T value);
const char *str_hr(HRESULT hr);

/* A thread for code that may crash inside the implementation: like
 * CreateThread(func, arg), but a crash (access violation, heap corruption,
 * ...) on it ends only that thread, with exit code GUARD_CRASHED, instead
 * of the whole process.  NULL if it cannot be started.  The exception
 * handler this needs stays installed for the rest of the process. */
#define GUARD_CRASHED 0xdead
HANDLE start_guarded(LPTHREAD_START_ROUTINE func, void *arg);

/* Fills / checks n bytes with a pattern derived from seed. */
void fill_pattern(void *p, SIZE_T n, unsigned seed);
BOOL check_pattern(const void *p, SIZE_T n, unsigned seed);

#endif /* MALLOCSPY_TEST_H */
