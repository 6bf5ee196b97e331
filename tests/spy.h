/*
 * A recording IMallocSpy for the mallocspy suite.
 *
 * One object type, configured per test:
 *
 *   struct spy *s = spy_new(SPY_PASSTHROUGH);     ref 1, held by the test
 *   mark = spy_mark();                            position in the call log
 *   hr = pCoRegisterMallocSpy(&s->IMallocSpy_iface);
 *   p = m_alloc(10);
 *   { struct spy_expect exp[] = { { SPY_PREALLOC, 0, NULL, 10 },
 *                                 { SPY_POSTALLOC, SPY_NOT_NULL } };
 *     spy_check_calls(s, mark, exp); }            ok() lines at THIS line
 *   ok(s->ref == 2, ...);                         the public reference count
 *
 * Recording: every call (the 12 IMallocSpy methods, QueryInterface with its
 * IID, AddRef, Release) is appended to one process-wide log (a static array,
 * slot taken with InterlockedIncrement, so threads may record at once).
 * The call tables, the formatted call lists and spy_count_calls(..., -1)
 * look at the 12 methods only: an implementation may AddRef and Release the
 * spy around its calls (nothing documented says either way), so only
 * registration and revocation tests look at references, and only at their
 * net effect.  The log queries look at the calling thread's calls only
 * (the *_on variants at another thread's): the spy hears allocations "from
 * whatever source", and on Windows other threads of the process may
 * allocate while a test runs.
 * The spy never allocates through the implementation.  Spy objects come from
 * the process heap (HeapAlloc) and are never freed, so a spy that an
 * implementation leaks or calls late never touches freed memory.
 *
 * Behaviours (fields of struct spy, set before registering or from a hook):
 *   mode       SPY_PASSTHROUGH: PreX returns its argument, PostX returns its
 *              argument (PostDidAlloc returns fActual, PostGetSize cbActual).
 *              SPY_HEADER: real header/trailer spy, see below.
 *   alloc_fault / realloc_fault: forced (SPY_FAULT_ZERO: return 0) or real
 *              (SPY_FAULT_HUGE: return HUGE_SIZE) failure for PreAlloc /
 *              PreRealloc calls of this spy; .after requests are left alone
 *              first, then .count calls get the fault (-1: all).
 *              A fault never applies to a request of 0 unless .zero_too.
 *   qi         SPY_QI_NORMAL, SPY_QI_FAIL (E_NOINTERFACE for everything),
 *              SPY_QI_OTHER (QI(IID_IMallocSpy) hands out qi_other, AddRef'd).
 *   override[method]  if .active, the method returns .ptr / .size / .value
 *              instead of its normal result (after its normal work).
 *              For SPY_PREREALLOC .size is the count and, if .ptr_set,
 *              .ptr is stored in *ppNewRequest.
 *   prerealloc_no_store  PreRealloc leaves *ppNewRequest alone.
 *   hook       called inside every method, after the call is recorded and
 *              before the spy computes its result (may change the fields
 *              above, call the allocator, ...): hook(spy, call).
 *
 * Header mode: a guard-zone spy.  For Alloc(cb) PreAlloc asks for
 * cb + SPY_OVERHEAD; PostAlloc writes a header (magic, cb, guard bytes) at
 * the start of the real block and a trailer guard, and hands the caller
 * real + SPY_HEADER_SIZE.  The trailer sits right after the part of the
 * block a test may use, spy_header_usable(cb) = cb - SPY_OVERHEAD bytes,
 * so the header, the caller's part and the trailer all fit in the first cb
 * bytes of the real block: a test that writes only its usable part stays
 * inside the real block even where the allocator ignored PreAlloc's count,
 * and that rule's own check fails instead of the heap (requests below
 * SPY_OVERHEAD are laid out as SPY_OVERHEAD).  The spy remembers the user
 * pointers it handed out (its own table, independent of fSpyed): PreFree,
 * PreRealloc, PreGetSize and PreDidAlloc map such a pointer back to the real
 * start and verify the guards (errors counted in guard_errors); PostGetSize
 * subtracts the overhead; PreRealloc asks for cb + overhead and PostRealloc
 * re-writes header and trailer.  Unknown pointers pass through unchanged
 * (a block allocated before registration and reallocated under the spy gets
 * no header).  Realloc(NULL, n) gets a header like Alloc(n).
 *
 * Bracket detectors: each Pre marks the spy busy for the calling thread and
 * the matching Post clears it.  A Pre/Post call from another thread while a
 * bracket is open counts in overlaps (and sets call->overlap); a Pre from the
 * same thread inside its own bracket counts in nested; a Post without a Pre
 * counts in unmatched_posts.  Separately, a PreAlloc or PostAlloc from
 * another thread while a PreAlloc -> PostAlloc bracket is open counts in
 * alloc_overlaps.  A Pre that forces a failure (returns 0 for a non-zero
 * request: no Post is due) closes its own bracket.  QueryInterface, AddRef
 * and Release are never part of a bracket.
 * calls_after_release counts calls made while ref <= dead_ref (default 0:
 * set dead_ref = 1 to count calls after the implementation's last Release
 * while the test still holds its own reference), except the Post that ends
 * a bracket begun before (NOTES M6g).
 */

#ifndef MALLOCSPY_SPY_H
#define MALLOCSPY_SPY_H

#include "mallocspy_test.h"

enum spy_method
{
    SPY_QI, SPY_ADDREF, SPY_RELEASE,
    SPY_PREALLOC, SPY_POSTALLOC,
    SPY_PREFREE, SPY_POSTFREE,
    SPY_PREREALLOC, SPY_POSTREALLOC,
    SPY_PREGETSIZE, SPY_POSTGETSIZE,
    SPY_PREDIDALLOC, SPY_POSTDIDALLOC,
    SPY_PREHEAPMINIMIZE, SPY_POSTHEAPMINIMIZE,
    SPY_METHOD_COUNT
};

/* "PreAlloc", "QueryInterface", ... */
const char *spy_method_name(enum spy_method method);

/* One recorded call.  Which argument fields a method fills:
 *   QI: iid, hr, ret_ptr (*ppv)     AddRef/Release: ref (the value returned)
 *   PreAlloc: size                  PostAlloc: ptr (pActual)
 *   PreFree: ptr, spyed             PostFree: spyed
 *   PreRealloc: ptr, size, spyed; ret_ptr = *ppNewRequest as left by the spy
 *   PostRealloc: ptr, spyed
 *   PreGetSize: ptr, spyed          PostGetSize: size (cbActual), spyed
 *   PreDidAlloc: ptr, spyed         PostDidAlloc: ptr, spyed, actual
 * Results: ret_ptr (pointer methods), ret_size (PreAlloc, PreRealloc,
 * PostGetSize), ret_int (PostDidAlloc). */
struct spy_call
{
    struct spy *spy;
    enum spy_method method;
    LONG index;             /* position in the log */
    DWORD tid;              /* GetCurrentThreadId() of the caller */
    void *ptr;
    SIZE_T size;
    BOOL spyed;
    int actual;
    IID iid;
    HRESULT hr;
    LONG ref;
    void *ret_ptr;
    SIZE_T ret_size;
    int ret_int;
    BOOL overlap;           /* bracket detector fired on this call */
    BOOL guard_ok;          /* header mode: guards intact (FALSE if not checked) */
    volatile LONG done;     /* 1 once the method has returned */
};

enum spy_mode { SPY_PASSTHROUGH, SPY_HEADER };
enum spy_fault_kind { SPY_FAULT_NONE, SPY_FAULT_ZERO, SPY_FAULT_HUGE };
enum spy_qi { SPY_QI_NORMAL, SPY_QI_FAIL, SPY_QI_OTHER };

struct spy_fault
{
    enum spy_fault_kind kind;
    LONG after;             /* leave this many requests alone first */
    LONG count;             /* then fault this many (-1: all) */
    BOOL zero_too;          /* also fault requests of 0 bytes */
};

struct spy_override
{
    BOOL active;
    void *ptr;
    BOOL ptr_set;           /* SPY_PREREALLOC: store ptr in *ppNewRequest */
    SIZE_T size;
    int value;
};

#define SPY_HEADER_SIZE  32
#define SPY_TRAILER_SIZE 16
#define SPY_OVERHEAD     (SPY_HEADER_SIZE + SPY_TRAILER_SIZE)
#define SPY_MAX_BLOCKS   1024

struct spy
{
    IMallocSpy IMallocSpy_iface;
    volatile LONG ref;              /* starts at 1 (the test's reference) */
    const char *name;               /* for messages, default "spy" */

    enum spy_mode mode;
    struct spy_fault alloc_fault, realloc_fault;
    LONG alloc_requests, realloc_requests;      /* fault counters */
    enum spy_qi qi;
    struct spy *qi_other;
    struct spy_override override[SPY_METHOD_COUNT];
    BOOL prerealloc_no_store;
    void (*hook)(struct spy *spy, struct spy_call *call);
    void *hook_ctx;

    /* results of the detectors */
    volatile LONG calls[SPY_METHOD_COUNT];      /* calls per method */
    volatile LONG guard_errors;
    volatile LONG overlaps, nested, unmatched_posts;
    volatile LONG alloc_overlaps;
    volatile LONG calls_after_release;  /* calls made while ref <= dead_ref */
    LONG dead_ref;                      /* default 0; 1 if the test keeps its own reference */

    /* private */
    volatile LONG bracket_owner;
    volatile LONG alloc_owner;
    CRITICAL_SECTION cs;
    void *blocks[SPY_MAX_BLOCKS];               /* header mode: user pointers */
    LONG nblocks;
};

/* A new spy with ref 1, all counters 0. */
struct spy *spy_new(enum spy_mode mode);

/* Clears overrides, faults, hook and counters (not ref, not the log, not
 * the header-mode block table). */
void spy_reset(struct spy *spy);

static inline IMallocSpy *spy_iface(struct spy *spy) { return &spy->IMallocSpy_iface; }

/* Shortcuts for the common overrides. */
void spy_override_ptr(struct spy *spy, enum spy_method method, void *ptr);
void spy_override_size(struct spy *spy, enum spy_method method, SIZE_T size);
void spy_override_int(struct spy *spy, enum spy_method method, int value);
void spy_clear_override(struct spy *spy, enum spy_method method);

/* Header mode: is p a user pointer this spy handed out (still live)? */
BOOL spy_owns_block(struct spy *spy, const void *p);

/* Registers spy (from spy_new: NULL is reported as "cannot create a
 * spy") and returns it, or NULL if it is not registered; spy_register_new
 * does so with a new spy of that mode.  spy_unregister() revokes at the end
 * of a test and reports anything but S_OK or CO_E_OBJNOTREG.  Failures are
 * setup_check()s at the caller's line, so only skips in an observation. */
struct spy *spy_register_(const char *file, int line, struct spy *spy);
#define spy_register(spy) spy_register_(__FILE__, __LINE__, spy)
#define spy_register_new(mode) spy_register_(__FILE__, __LINE__, spy_new(mode))
void spy_unregister_(const char *file, int line);
#define spy_unregister() spy_unregister_(__FILE__, __LINE__)

/* The end of a test that left block in a state the docs leave open (after
 * a forced Realloc failure): revokes, and if the revoke stays pending the
 * implementation still counts block as live, so frees it, which completes
 * the revoke.  Otherwise leaves block alone. */
void spy_unregister_freeing_(const char *file, int line, void *block);
#define spy_unregister_freeing(block) spy_unregister_freeing_(__FILE__, __LINE__, block)

/* FREE-05 and COTASKMEM-09: the caller frees a small block with free_func
 * (IMalloc::Free or CoTaskMemFree) while PreFree hands the allocator a big
 * one, a new one each round, allocated before the registration so that
 * nothing is tracked.  Were the big ones not freed, the rounds would add up
 * (failure lines at the caller's line); the small one must stay. */
void check_frees_prefree_result_(const char *file, int line, void (WINAPI *free_func)(void *));
#define check_frees_prefree_result(f) check_frees_prefree_result_(__FILE__, __LINE__, f)

/* Header mode: the bytes of a block from Alloc(cb) a test may use. */
SIZE_T spy_header_usable(SIZE_T cb);

/* Forgets any open bracket (after an implementation skipped a Post). */
void spy_bracket_reset(struct spy *spy);

/* ---- the log ---- */

/* A ring holding the last SPY_LOG_SIZE calls; reach it through the
 * functions below, which read only what it still holds. */
#define SPY_LOG_SIZE 65536
extern struct spy_call spy_log[SPY_LOG_SIZE];
extern volatile LONG spy_log_count;     /* calls recorded so far */

/* Current end of the log: take it before the operation, pass it to the
 * functions below to look only at what happened after. */
LONG spy_mark(void);
/* First log index >= from of a call of spy (NULL: any spy) to method made
 * on this thread (on thread tid), or -1. */
LONG spy_find_call(struct spy *spy, LONG from, enum spy_method method);
LONG spy_find_call_on(struct spy *spy, LONG from, enum spy_method method, DWORD tid);
/* Number of calls of spy (NULL: any spy) since from; method -1: all of
 * the 12 IMallocSpy methods (no QueryInterface, AddRef or Release). */
LONG spy_count_calls(struct spy *spy, LONG from, int method);
LONG spy_count_calls_on(struct spy *spy, LONG from, int method, DWORD tid);
/* Pointer to entry i of the log, or NULL if out of range. */
struct spy_call *spy_get_call(LONG i);
/* The first call of spy to method since from, or NULL. */
struct spy_call *spy_call_of(struct spy *spy, LONG from, enum spy_method method);
/* The Release call since from that left spy with dead_ref references (the
 * implementation's final Release), or NULL. */
struct spy_call *spy_final_release(struct spy *spy, LONG from);

/* Formats the calls of spy (NULL: any) to the 12 IMallocSpy methods since
 * from, separated by spaces,
 * e.g. "PreRealloc(p,0,TRUE) PostRealloc(NULL,TRUE)" (with_args) or
 * "PreFree PostFree" (without).  Pointers print as NULL, p, q or block;
 * sizes as 0, n or the decimal value; fSpyed as TRUE/FALSE.  No calls:
 * "no spy call". */
void spy_format_calls(char *buf, size_t size, struct spy *spy, LONG from, BOOL with_args,
                      const void *p, const void *q, SIZE_T n);

/* ---- expected-call tables (in the manner of Wine's ole2.c) ---- */

/* Flags of an expected entry. */
#define SPY_OPTIONAL   0x01     /* may be absent */
#define SPY_ANY_PTR    0x02     /* do not compare ptr */
#define SPY_NOT_NULL   0x04     /* ptr must be non-NULL, value not compared */
#define SPY_ANY_SIZE   0x08     /* do not compare size */
#define SPY_ANY_SPYED  0x10     /* do not compare fSpyed */
#define SPY_ANY_ACTUAL 0x20     /* do not compare fActual */

/* Key arguments compared per method (others ignored):
 *   PreAlloc: size        PostAlloc: ptr
 *   PreFree: ptr, spyed   PostFree: spyed   PreRealloc: ptr, size, spyed
 *   PostRealloc: ptr, spyed   PreGetSize: ptr, spyed   PostGetSize: size, spyed
 *   PreDidAlloc: ptr, spyed   PostDidAlloc: ptr, spyed, actual */
struct spy_expect
{
    enum spy_method method;
    unsigned int flags;
    const void *ptr;
    SIZE_T size;
    BOOL spyed;
    int actual;
};

/* Compares the calls of spy to the 12 IMallocSpy methods since log index
 * from with the table, in order.  Every mismatch is one failure
 * line at the caller's file:line in the current contexts, e.g.
 *   "spy call 1: got PostFree(TRUE), expected PostFree(FALSE)"
 *   "spy call 2: got PostAlloc(0000000000000000), expected no more calls"
 *   "spy call 1: got no more calls, expected PostAlloc(non-NULL)"
 * On success it counts as one successful check.  Returns TRUE if it matched. */
BOOL spy_check_calls_(const char *file, int line, struct spy *spy, LONG from,
                      const struct spy_expect *expected, unsigned int count);
#define spy_check_calls(spy, from, table) \
    spy_check_calls_(__FILE__, __LINE__, spy, from, table, ARRAY_SIZE(table))
/* The spy was not called at all since from. */
#define spy_check_no_calls(spy, from) spy_check_calls_(__FILE__, __LINE__, spy, from, NULL, 0)

/* Formats one call as "PreFree(0000000000123450,TRUE)" for messages. */
void spy_describe_call(char *buf, size_t size, const struct spy_call *call);

#endif /* MALLOCSPY_SPY_H */
