/*
 * The recording IMallocSpy of the mallocspy suite (see spy.h).
 *
 * Nothing here allocates through the implementation under test: the log is
 * a static array, spy objects and per-thread state come from the process
 * heap with HeapAlloc.
 */

#include "spy.h"

struct spy_call spy_log[SPY_LOG_SIZE];
volatile LONG spy_log_count;

/* The log is a ring that holds the last SPY_LOG_SIZE calls: call i sits in
 * slot i % SPY_LOG_SIZE until SPY_LOG_SIZE later calls overwrite it.  The
 * threaded tests make far more calls than that; a check looks only at the
 * few calls after its own mark. */
static struct spy_call *log_at(LONG i)
{
    return &spy_log[i % SPY_LOG_SIZE];
}

/* The first index from `from` on that the ring still holds. */
static LONG log_first(LONG from, LONG end)
{
    if (from < 0) from = 0;
    if (end - from > SPY_LOG_SIZE) from = end - SPY_LOG_SIZE;
    return from;
}

/* ---- per-thread state (TlsAlloc, not __thread: no winpthread import) ---- */

struct spy_thread
{
    int depth;                  /* open Pre/Post brackets on this thread */
    int alloc_depth;            /* open PreAlloc/PostAlloc brackets on this thread */
    /* header mode: what a Pre method left for its Post method */
    SIZE_T alloc_cb;
    BOOL alloc_header;
    SIZE_T realloc_cb;
    void *realloc_old_user;
    BOOL realloc_header;
    BOOL getsize_mapped;
};

static volatile LONG spy_tls = (LONG)TLS_OUT_OF_INDEXES;

static struct spy_thread *spy_thread(void)
{
    struct spy_thread *t;
    DWORD index = (DWORD)spy_tls;

    if (index == TLS_OUT_OF_INDEXES)
    {
        DWORD mine = TlsAlloc();
        if ((DWORD)InterlockedCompareExchange(&spy_tls, (LONG)mine, (LONG)TLS_OUT_OF_INDEXES) != TLS_OUT_OF_INDEXES)
            TlsFree(mine);
        index = (DWORD)spy_tls;
    }
    if (!(t = TlsGetValue(index)))
    {
        t = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*t));
        TlsSetValue(index, t);
    }
    return t;
}

/* ---- names and formatting ---- */

static const char *const method_names[SPY_METHOD_COUNT] =
{
    "QueryInterface", "AddRef", "Release",
    "PreAlloc", "PostAlloc", "PreFree", "PostFree", "PreRealloc", "PostRealloc",
    "PreGetSize", "PostGetSize", "PreDidAlloc", "PostDidAlloc",
    "PreHeapMinimize", "PostHeapMinimize",
};

const char *spy_method_name(enum spy_method method)
{
    return (unsigned)method < SPY_METHOD_COUNT ? method_names[method] : "?";
}

/* QueryInterface, AddRef or Release: not one of the 12 IMallocSpy methods. */
static BOOL is_iunknown_method(enum spy_method method)
{
    return method <= SPY_RELEASE;
}

/* A call of spy (NULL: any spy) made on thread tid. */
static BOOL call_is(const struct spy_call *c, struct spy *spy, DWORD tid)
{
    return (!spy || c->spy == spy) && c->tid == tid;
}

/* Decimal without printf's size modifiers (msvcrt and mingw disagree on them). */
static void format_size(char *buf, size_t size, SIZE_T value)
{
    char tmp[32];
    int i = 0;

    do { tmp[i++] = (char)('0' + value % 10); value /= 10; } while (value && i < 31);
    if (!size) return;
    {
        size_t j = 0;
        while (i && j + 1 < size) buf[j++] = tmp[--i];
        buf[j] = 0;
    }
}

static const char *iid_name(const IID *iid)
{
    if (IsEqualIID(iid, &IID_IMallocSpy)) return "IMallocSpy";
    if (IsEqualIID(iid, &IID_IUnknown)) return "IUnknown";
    return "other";
}

static void append(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list args;

    if (len + 1 >= size) return;
    va_start(args, fmt);
    vsnprintf(buf + len, size - len, fmt, args);
    va_end(args);
    buf[size - 1] = 0;
}

/* The argument list of a call: method-specific fields, as strings. */
static void format_args(char *buf, size_t size, enum spy_method method, const char *ptr,
                        const char *sz, const char *spyed, int actual, const char *iid)
{
    *buf = 0;
    switch (method)
    {
    case SPY_QI: append(buf, size, "(%s)", iid); break;
    case SPY_PREALLOC: append(buf, size, "(%s)", sz); break;
    case SPY_POSTALLOC: append(buf, size, "(%s)", ptr); break;
    case SPY_PREFREE: case SPY_POSTREALLOC: case SPY_PREGETSIZE: case SPY_PREDIDALLOC:
        append(buf, size, "(%s,%s)", ptr, spyed); break;
    case SPY_POSTFREE: append(buf, size, "(%s)", spyed); break;
    case SPY_PREREALLOC: append(buf, size, "(%s,%s,%s)", ptr, sz, spyed); break;
    case SPY_POSTGETSIZE: append(buf, size, "(%s,%s)", sz, spyed); break;
    case SPY_POSTDIDALLOC:
        if (actual == 0x7fffffff) append(buf, size, "(%s,%s,*)", ptr, spyed);
        else append(buf, size, "(%s,%s,%d)", ptr, spyed, actual);
        break;
    default: break;
    }
}

void spy_describe_call(char *buf, size_t size, const struct spy_call *call)
{
    char ptr[32], sz[32], args[128];

    snprintf(ptr, sizeof(ptr), "%p", call->ptr);
    format_size(sz, sizeof(sz), call->size);
    format_args(args, sizeof(args), call->method, ptr, sz, call->spyed ? "TRUE" : "FALSE",
                call->actual, iid_name(&call->iid));
    snprintf(buf, size, "%s%s", spy_method_name(call->method), args);
}

static void describe_expect(char *buf, size_t size, const struct spy_expect *e)
{
    char ptr[32], sz[32], args[128];

    if (e->flags & SPY_ANY_PTR) strcpy(ptr, "*");
    else if (e->flags & SPY_NOT_NULL) strcpy(ptr, "non-NULL");
    else snprintf(ptr, sizeof(ptr), "%p", e->ptr);
    if (e->flags & SPY_ANY_SIZE) strcpy(sz, "*");
    else format_size(sz, sizeof(sz), e->size);
    format_args(args, sizeof(args), e->method, ptr, sz,
                (e->flags & SPY_ANY_SPYED) ? "*" : e->spyed ? "TRUE" : "FALSE",
                (e->flags & SPY_ANY_ACTUAL) ? 0x7fffffff : e->actual, "");
    snprintf(buf, size, "%s%s%s", spy_method_name(e->method), args,
             (e->flags & SPY_OPTIONAL) ? " (optional)" : "");
}

static const char *name_ptr(const void *ptr, const void *p, const void *q)
{
    if (!ptr) return "NULL";
    if (p && ptr == p) return "p";
    if (q && ptr == q) return "q";
    return "block";
}

void spy_format_calls(char *buf, size_t size, struct spy *spy, LONG from, BOOL with_args,
                      const void *p, const void *q, SIZE_T n)
{
    LONG i, end = spy_mark();
    char sz[32], args[128];

    if (!size) return;
    *buf = 0;
    for (i = log_first(from, end); i < end; i++)
    {
        const struct spy_call *c = log_at(i);

        if (!call_is(c, spy, GetCurrentThreadId()) || is_iunknown_method(c->method)) continue;
        if (!c->size) strcpy(sz, "0");
        else if (n && c->size == n) strcpy(sz, "n");
        else format_size(sz, sizeof(sz), c->size);
        if (with_args)
        {
            const void *ptr = c->method == SPY_POSTGETSIZE || c->method == SPY_POSTFREE ? NULL : c->ptr;
            format_args(args, sizeof(args), c->method, name_ptr(ptr, p, q), sz,
                        c->spyed ? "TRUE" : "FALSE", c->actual, iid_name(&c->iid));
        }
        else *args = 0;
        append(buf, size, "%s%s%s", *buf ? " " : "", spy_method_name(c->method), args);
    }
    if (!*buf) snprintf(buf, size, "no spy call");
}

/* ---- the log ---- */

LONG spy_mark(void)
{
    return spy_log_count;
}

struct spy_call *spy_get_call(LONG i)
{
    if (i < 0 || i >= spy_log_count || i < spy_log_count - SPY_LOG_SIZE) return NULL;
    return log_at(i);
}

struct spy_call *spy_call_of(struct spy *spy, LONG from, enum spy_method method)
{
    return spy_get_call(spy_find_call(spy, from, method));
}

struct spy_call *spy_final_release(struct spy *spy, LONG from)
{
    LONG i;

    for (i = spy_find_call(spy, from, SPY_RELEASE); i >= 0; i = spy_find_call(spy, i + 1, SPY_RELEASE))
        if (log_at(i)->ref == spy->dead_ref) return log_at(i);
    return NULL;
}

struct spy *spy_register_(const char *file, int line, struct spy *spy)
{
    HRESULT hr;

    if (!spy)
    {
        setup_check_(file, line, 0, "cannot create a spy\n");
        return NULL;
    }
    hr = pCoRegisterMallocSpy(&spy->IMallocSpy_iface);
    setup_check_(file, line, hr == S_OK, "CoRegisterMallocSpy returned %s, expected S_OK\n", str_hr(hr));
    return hr == S_OK ? spy : NULL;
}

void spy_unregister_(const char *file, int line)
{
    HRESULT hr = pCoRevokeMallocSpy();

    cleanup_check_(file, line, hr == S_OK || hr == CO_E_OBJNOTREG,
                   "cleanup: CoRevokeMallocSpy returned %s, expected S_OK or CO_E_OBJNOTREG\n", str_hr(hr));
}

/* Frees caller with PreFree handing the allocator actual, under a spy of
 * its own that is gone afterwards. */
static BOOL free_redirected(const char *file, int line, void (WINAPI *free_func)(void *), void *caller, void *actual)
{
    struct spy *spy;

    if (!(spy = spy_register_(file, line, spy_new(SPY_PASSTHROUGH)))) return FALSE;
    spy_override_ptr(spy, SPY_PREFREE, actual);
    free_func(caller);
    spy_clear_override(spy, SPY_PREFREE);
    spy_unregister_(file, line);
    return TRUE;
}

void check_frees_prefree_result_(const char *file, int line, void (WINAPI *free_func)(void *))
{
    SIZE_T before;
    unsigned int i;
    BYTE *small, *big;

    if (!(small = m_alloc(24))) return;
    fill_pattern(small, 24, 5);
    before = address_space_in_use();
    for (i = 0; i < BIG_ROUNDS; i++)
    {
        if (!(big = m_alloc(BIG_BLOCK))) break;
        if (!free_redirected(file, line, free_func, small, big))
        {
            m_free(big);
            break;
        }
    }
    ok_(file, line)(i == BIG_ROUNDS, "round %u of %u failed\n", i, BIG_ROUNDS);
    /* if the big blocks stayed, the small one may be gone: leave it */
    if (!check_no_leak_(file, line, before, "freeing a small block, PreFree returning a big one")) return;
    ok_(file, line)(check_pattern(small, 24, 5), "the caller's block changed\n");
    m_free(small);
}

void spy_unregister_freeing_(const char *file, int line, void *block)
{
    HRESULT hr = pCoRevokeMallocSpy();

    if (hr == E_ACCESSDENIED) m_free(block);
    else cleanup_check_(file, line, hr == S_OK || hr == CO_E_OBJNOTREG,
                        "cleanup: CoRevokeMallocSpy returned %s, expected S_OK or CO_E_OBJNOTREG\n", str_hr(hr));
}

LONG spy_find_call_on(struct spy *spy, LONG from, enum spy_method method, DWORD tid)
{
    LONG i, end = spy_mark();

    for (i = log_first(from, end); i < end; i++)
        if (call_is(log_at(i), spy, tid) && log_at(i)->method == method) return i;
    return -1;
}

LONG spy_find_call(struct spy *spy, LONG from, enum spy_method method)
{
    return spy_find_call_on(spy, from, method, GetCurrentThreadId());
}

LONG spy_count_calls_on(struct spy *spy, LONG from, int method, DWORD tid)
{
    LONG i, n = 0, end = spy_mark();

    for (i = log_first(from, end); i < end; i++)
    {
        const struct spy_call *c = log_at(i);

        if (!call_is(c, spy, tid)) continue;
        if (method < 0 ? !is_iunknown_method(c->method) : c->method == (enum spy_method)method) n++;
    }
    return n;
}

LONG spy_count_calls(struct spy *spy, LONG from, int method)
{
    return spy_count_calls_on(spy, from, method, GetCurrentThreadId());
}

/* A Post that ends a bracket this thread opened: where in the Free (or
 * Realloc) of the last spied block the final Release comes, before or
 * after the Post, is left open (NOTES M6g), so that Post is no call made
 * after the Release. */
static BOOL ends_open_bracket(enum spy_method method)
{
    return method > SPY_RELEASE && (method - SPY_PREALLOC) % 2 && spy_thread()->depth;
}

static struct spy_call *record(struct spy *spy, enum spy_method method)
{
    LONG i = InterlockedIncrement(&spy_log_count) - 1;
    struct spy_call *c;
    DWORD tid = GetCurrentThreadId();

    c = log_at(i);
    memset(c, 0, sizeof(*c));
    c->spy = spy;
    c->method = method;
    c->index = i;
    c->tid = tid;
    InterlockedIncrement(&spy->calls[method]);
    if (spy->ref <= spy->dead_ref && !ends_open_bracket(method)) InterlockedIncrement(&spy->calls_after_release);
    if (spy->bracket_owner && (DWORD)spy->bracket_owner != tid && method <= SPY_RELEASE) c->overlap = TRUE;
    return c;
}

static void run_hook(struct spy *spy, struct spy_call *c)
{
    if (spy->hook) spy->hook(spy, c);
}

static void finish(struct spy_call *c)
{
    InterlockedExchange(&c->done, 1);
}

/* ---- bracket detector ---- */

static void bracket_open(struct spy *spy, struct spy_call *c)
{
    struct spy_thread *t = spy_thread();
    DWORD tid = GetCurrentThreadId();

    if (t->depth++)
    {
        InterlockedIncrement(&spy->nested);
        return;
    }
    if (InterlockedCompareExchange(&spy->bracket_owner, (LONG)tid, 0))
    {
        InterlockedIncrement(&spy->overlaps);
        c->overlap = TRUE;
    }
}

static void bracket_close(struct spy *spy, struct spy_call *c)
{
    struct spy_thread *t = spy_thread();
    DWORD tid = GetCurrentThreadId();

    if (!t->depth)
    {
        InterlockedIncrement(&spy->unmatched_posts);
        return;
    }
    if (--t->depth) return;
    if ((DWORD)InterlockedCompareExchange(&spy->bracket_owner, 0, (LONG)tid) != tid)
    {
        InterlockedIncrement(&spy->overlaps);
        c->overlap = TRUE;
    }
}

/* PreAlloc -> PostAlloc brackets alone: THREADS-02 asserts that no other
 * thread's Alloc bracket falls inside one. */
static void alloc_bracket_open(struct spy *spy)
{
    struct spy_thread *t = spy_thread();
    DWORD tid = GetCurrentThreadId();

    if (t->alloc_depth++) return;
    if (InterlockedCompareExchange(&spy->alloc_owner, (LONG)tid, 0)) InterlockedIncrement(&spy->alloc_overlaps);
}

static void alloc_bracket_close(struct spy *spy)
{
    struct spy_thread *t = spy_thread();
    DWORD tid = GetCurrentThreadId();

    if (!t->alloc_depth || --t->alloc_depth) return;
    if ((DWORD)InterlockedCompareExchange(&spy->alloc_owner, 0, (LONG)tid) != tid)
        InterlockedIncrement(&spy->alloc_overlaps);
}

/* ---- header mode ---- */

#define HEADER_MAGIC  0x48595053u   /* "SPYH" */
#define HEADER_GUARD  0xab
#define TRAILER_GUARD 0xcd

/* Header mode lays a request of cb bytes out in the first cb bytes of the
 * real block, small requests as SPY_OVERHEAD (see spy.h). */
static SIZE_T header_layout_size(SIZE_T cb)
{
    return cb < SPY_OVERHEAD ? SPY_OVERHEAD : cb;
}

SIZE_T spy_header_usable(SIZE_T cb)
{
    return header_layout_size(cb) - SPY_OVERHEAD;
}

static void write_header(void *base, SIZE_T cb)
{
    BYTE *b = base;
    DWORD magic = HEADER_MAGIC, check = ~HEADER_MAGIC;
    ULONGLONG size = header_layout_size(cb);

    memcpy(b, &magic, 4);
    memcpy(b + 4, &check, 4);
    memcpy(b + 8, &size, 8);
    memset(b + 16, HEADER_GUARD, SPY_HEADER_SIZE - 16);
    memset(b + size - SPY_TRAILER_SIZE, TRAILER_GUARD, SPY_TRAILER_SIZE);
}

static BOOL check_header(const void *base)
{
    const BYTE *b = base;
    DWORD magic, check;
    ULONGLONG size;
    unsigned i;

    memcpy(&magic, b, 4);
    memcpy(&check, b + 4, 4);
    memcpy(&size, b + 8, 8);
    if (magic != HEADER_MAGIC || check != ~HEADER_MAGIC || size < SPY_OVERHEAD) return FALSE;
    for (i = 16; i < SPY_HEADER_SIZE; i++) if (b[i] != HEADER_GUARD) return FALSE;
    for (i = 0; i < SPY_TRAILER_SIZE; i++) if (b[size - SPY_TRAILER_SIZE + i] != TRAILER_GUARD) return FALSE;
    return TRUE;
}

static int find_block(struct spy *spy, const void *p)
{
    LONG i;

    for (i = 0; i < spy->nblocks; i++) if (spy->blocks[i] == p) return i;
    return -1;
}

BOOL spy_owns_block(struct spy *spy, const void *p)
{
    BOOL ret;

    if (!p) return FALSE;
    EnterCriticalSection(&spy->cs);
    ret = find_block(spy, p) >= 0;
    LeaveCriticalSection(&spy->cs);
    return ret;
}

static void add_block(struct spy *spy, void *p)
{
    EnterCriticalSection(&spy->cs);
    if (find_block(spy, p) < 0 && spy->nblocks < SPY_MAX_BLOCKS) spy->blocks[spy->nblocks++] = p;
    LeaveCriticalSection(&spy->cs);
}

static void remove_block(struct spy *spy, const void *p)
{
    int i;

    EnterCriticalSection(&spy->cs);
    if ((i = find_block(spy, p)) >= 0) spy->blocks[i] = spy->blocks[--spy->nblocks];
    LeaveCriticalSection(&spy->cs);
}

/* Header mode: if p is one of ours, checks its guards and returns the real
 * start; otherwise returns p. */
static void *map_back(struct spy *spy, struct spy_call *c, void *p)
{
    if (spy->mode != SPY_HEADER || !spy_owns_block(spy, p)) return p;
    c->guard_ok = check_header((BYTE *)p - SPY_HEADER_SIZE);
    if (!c->guard_ok) InterlockedIncrement(&spy->guard_errors);
    return (BYTE *)p - SPY_HEADER_SIZE;
}

/* Applies a fault configuration to one request; returns the new count. */
static SIZE_T apply_fault(const struct spy_fault *fault, volatile LONG *counter, SIZE_T cb, SIZE_T count)
{
    LONG n;

    if (fault->kind == SPY_FAULT_NONE || (!cb && !fault->zero_too)) return count;
    n = InterlockedIncrement(counter) - 1;
    if (n < fault->after) return count;
    if (fault->count >= 0 && n >= fault->after + fault->count) return count;
    return fault->kind == SPY_FAULT_ZERO ? 0 : HUGE_SIZE;
}

/* ---- IMallocSpy ---- */

static inline struct spy *impl_from_IMallocSpy(IMallocSpy *iface)
{
    return CONTAINING_RECORD(iface, struct spy, IMallocSpy_iface);
}

static HRESULT WINAPI spy_QueryInterface(IMallocSpy *iface, REFIID riid, void **ppv)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_QI);
    HRESULT hr = E_NOINTERFACE;
    void *out = NULL;

    if (riid) c->iid = *riid;
    run_hook(spy, c);
    if (!ppv) hr = E_POINTER;
    else if (spy->qi == SPY_QI_FAIL) hr = E_NOINTERFACE;
    else if (IsEqualIID(riid, &IID_IUnknown) || (IsEqualIID(riid, &IID_IMallocSpy) && spy->qi == SPY_QI_NORMAL))
    {
        /* Our own reference, not a call: it does not appear as AddRef. */
        InterlockedIncrement(&spy->ref);
        out = iface;
        hr = S_OK;
    }
    else if (IsEqualIID(riid, &IID_IMallocSpy) && spy->qi == SPY_QI_OTHER && spy->qi_other)
    {
        InterlockedIncrement(&spy->qi_other->ref);
        out = &spy->qi_other->IMallocSpy_iface;
        hr = S_OK;
    }
    if (ppv) *ppv = out;
    c->hr = hr;
    c->ret_ptr = out;
    c->ref = spy->ref;
    finish(c);
    return hr;
}

static ULONG WINAPI spy_AddRef(IMallocSpy *iface)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_ADDREF);
    LONG ref;

    run_hook(spy, c);
    ref = InterlockedIncrement(&spy->ref);
    c->ref = ref;
    finish(c);
    return ref;
}

static ULONG WINAPI spy_Release(IMallocSpy *iface)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_RELEASE);
    LONG ref;

    run_hook(spy, c);
    ref = InterlockedDecrement(&spy->ref);
    c->ref = ref;
    finish(c);
    return ref;     /* never freed: see spy.h */
}

static SIZE_T WINAPI spy_PreAlloc(IMallocSpy *iface, SIZE_T cb)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_PREALLOC);
    struct spy_thread *t = spy_thread();
    SIZE_T ret = cb;

    c->size = cb;
    bracket_open(spy, c);
    alloc_bracket_open(spy);
    run_hook(spy, c);
    t->alloc_header = FALSE;
    if (spy->mode == SPY_HEADER && cb <= HUGE_SIZE)
    {
        ret = header_layout_size(cb) + SPY_OVERHEAD;
        t->alloc_cb = cb;
        t->alloc_header = TRUE;
    }
    ret = apply_fault(&spy->alloc_fault, &spy->alloc_requests, cb, ret);
    if (spy->override[SPY_PREALLOC].active)
    {
        ret = spy->override[SPY_PREALLOC].size;
        t->alloc_header = FALSE;
    }
    if (ret == HUGE_SIZE || !ret) t->alloc_header = FALSE;
    if (!ret && cb)
    {
        /* forced failure: no PostAlloc is due */
        bracket_close(spy, c);
        alloc_bracket_close(spy);
    }
    c->ret_size = ret;
    finish(c);
    return ret;
}

static void *WINAPI spy_PostAlloc(IMallocSpy *iface, void *actual)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_POSTALLOC);
    struct spy_thread *t = spy_thread();
    void *ret = actual;

    c->ptr = actual;
    run_hook(spy, c);
    if (spy->mode == SPY_HEADER && t->alloc_header && actual)
    {
        write_header(actual, t->alloc_cb);
        ret = (BYTE *)actual + SPY_HEADER_SIZE;
        add_block(spy, ret);
    }
    t->alloc_header = FALSE;
    if (spy->override[SPY_POSTALLOC].active) ret = spy->override[SPY_POSTALLOC].ptr;
    c->ret_ptr = ret;
    bracket_close(spy, c);
    alloc_bracket_close(spy);
    finish(c);
    return ret;
}

static void *WINAPI spy_PreFree(IMallocSpy *iface, void *request, BOOL spyed)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_PREFREE);
    void *ret;

    c->ptr = request;
    c->spyed = spyed;
    bracket_open(spy, c);
    run_hook(spy, c);
    if (spy->override[SPY_PREFREE].active) ret = spy->override[SPY_PREFREE].ptr;
    else
    {
        ret = map_back(spy, c, request);
        if (ret != request) remove_block(spy, request);
    }
    c->ret_ptr = ret;
    finish(c);
    return ret;
}

static void WINAPI spy_PostFree(IMallocSpy *iface, BOOL spyed)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_POSTFREE);

    c->spyed = spyed;
    run_hook(spy, c);
    bracket_close(spy, c);
    finish(c);
}

static SIZE_T WINAPI spy_PreRealloc(IMallocSpy *iface, void *request, SIZE_T cb, void **new_request, BOOL spyed)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_PREREALLOC);
    struct spy_thread *t = spy_thread();
    void *newreq = request;
    SIZE_T ret = cb;

    c->ptr = request;
    c->size = cb;
    c->spyed = spyed;
    bracket_open(spy, c);
    run_hook(spy, c);
    t->realloc_header = FALSE;
    t->realloc_old_user = NULL;
    t->realloc_cb = cb;
    if (spy->mode == SPY_HEADER && cb <= HUGE_SIZE)
    {
        if (!request)
        {
            t->realloc_header = TRUE;
            ret = header_layout_size(cb) + SPY_OVERHEAD;
        }
        else if ((newreq = map_back(spy, c, request)) != request)
        {
            t->realloc_header = TRUE;
            t->realloc_old_user = request;
            ret = cb ? header_layout_size(cb) + SPY_OVERHEAD : 0;
        }
    }
    ret = apply_fault(&spy->realloc_fault, &spy->realloc_requests, cb, ret);
    if (spy->override[SPY_PREREALLOC].active)
    {
        ret = spy->override[SPY_PREREALLOC].size;
        if (spy->override[SPY_PREREALLOC].ptr_set) newreq = spy->override[SPY_PREREALLOC].ptr;
        t->realloc_header = FALSE;
    }
    if (ret == HUGE_SIZE) t->realloc_header = FALSE;
    if (new_request)
    {
        if (!spy->prerealloc_no_store) *new_request = newreq;
        c->ret_ptr = *new_request;
    }
    if (!ret && cb) bracket_close(spy, c);     /* forced failure: no PostRealloc is due */
    c->ret_size = ret;
    finish(c);
    return ret;
}

static void *WINAPI spy_PostRealloc(IMallocSpy *iface, void *actual, BOOL spyed)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_POSTREALLOC);
    struct spy_thread *t = spy_thread();
    void *ret = actual;

    c->ptr = actual;
    c->spyed = spyed;
    run_hook(spy, c);
    if (spy->mode == SPY_HEADER && t->realloc_header)
    {
        BOOL free_path = !t->realloc_cb && t->realloc_old_user;

        if (free_path || actual)
        {
            if (t->realloc_old_user) remove_block(spy, t->realloc_old_user);
        }
        if (actual && !free_path)
        {
            write_header(actual, t->realloc_cb);
            ret = (BYTE *)actual + SPY_HEADER_SIZE;
            add_block(spy, ret);
        }
    }
    t->realloc_header = FALSE;
    t->realloc_old_user = NULL;
    if (spy->override[SPY_POSTREALLOC].active) ret = spy->override[SPY_POSTREALLOC].ptr;
    c->ret_ptr = ret;
    bracket_close(spy, c);
    finish(c);
    return ret;
}

static void *WINAPI spy_PreGetSize(IMallocSpy *iface, void *request, BOOL spyed)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_PREGETSIZE);
    struct spy_thread *t = spy_thread();
    void *ret;

    c->ptr = request;
    c->spyed = spyed;
    bracket_open(spy, c);
    run_hook(spy, c);
    ret = map_back(spy, c, request);
    t->getsize_mapped = ret != request;
    if (spy->override[SPY_PREGETSIZE].active)
    {
        ret = spy->override[SPY_PREGETSIZE].ptr;
        t->getsize_mapped = FALSE;
    }
    c->ret_ptr = ret;
    finish(c);
    return ret;
}

static SIZE_T WINAPI spy_PostGetSize(IMallocSpy *iface, SIZE_T actual, BOOL spyed)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_POSTGETSIZE);
    struct spy_thread *t = spy_thread();
    SIZE_T ret = actual;

    c->size = actual;
    c->spyed = spyed;
    run_hook(spy, c);
    if (t->getsize_mapped && actual != (SIZE_T)-1 && actual >= SPY_OVERHEAD) ret = actual - SPY_OVERHEAD;
    t->getsize_mapped = FALSE;
    if (spy->override[SPY_POSTGETSIZE].active) ret = spy->override[SPY_POSTGETSIZE].size;
    c->ret_size = ret;
    bracket_close(spy, c);
    finish(c);
    return ret;
}

static void *WINAPI spy_PreDidAlloc(IMallocSpy *iface, void *request, BOOL spyed)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_PREDIDALLOC);
    void *ret;

    c->ptr = request;
    c->spyed = spyed;
    bracket_open(spy, c);
    run_hook(spy, c);
    ret = map_back(spy, c, request);
    if (spy->override[SPY_PREDIDALLOC].active) ret = spy->override[SPY_PREDIDALLOC].ptr;
    c->ret_ptr = ret;
    finish(c);
    return ret;
}

static int WINAPI spy_PostDidAlloc(IMallocSpy *iface, void *request, BOOL spyed, int actual)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_POSTDIDALLOC);
    int ret = actual;

    c->ptr = request;
    c->spyed = spyed;
    c->actual = actual;
    run_hook(spy, c);
    if (spy->override[SPY_POSTDIDALLOC].active) ret = spy->override[SPY_POSTDIDALLOC].value;
    c->ret_int = ret;
    bracket_close(spy, c);
    finish(c);
    return ret;
}

static void WINAPI spy_PreHeapMinimize(IMallocSpy *iface)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_PREHEAPMINIMIZE);

    bracket_open(spy, c);
    run_hook(spy, c);
    finish(c);
}

static void WINAPI spy_PostHeapMinimize(IMallocSpy *iface)
{
    struct spy *spy = impl_from_IMallocSpy(iface);
    struct spy_call *c = record(spy, SPY_POSTHEAPMINIMIZE);

    run_hook(spy, c);
    bracket_close(spy, c);
    finish(c);
}

static const IMallocSpyVtbl spy_vtbl =
{
    spy_QueryInterface,
    spy_AddRef,
    spy_Release,
    spy_PreAlloc,
    spy_PostAlloc,
    spy_PreFree,
    spy_PostFree,
    spy_PreRealloc,
    spy_PostRealloc,
    spy_PreGetSize,
    spy_PostGetSize,
    spy_PreDidAlloc,
    spy_PostDidAlloc,
    spy_PreHeapMinimize,
    spy_PostHeapMinimize,
};

struct spy *spy_new(enum spy_mode mode)
{
    struct spy *spy = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*spy));

    if (!spy) return NULL;
    spy->IMallocSpy_iface.lpVtbl = (IMallocSpyVtbl *)&spy_vtbl;
    spy->ref = 1;
    spy->name = "spy";
    spy->mode = mode;
    spy->alloc_fault.count = -1;
    spy->realloc_fault.count = -1;
    InitializeCriticalSection(&spy->cs);
    return spy;
}

void spy_reset(struct spy *spy)
{
    unsigned i;

    memset(&spy->alloc_fault, 0, sizeof(spy->alloc_fault));
    memset(&spy->realloc_fault, 0, sizeof(spy->realloc_fault));
    spy->alloc_fault.count = spy->realloc_fault.count = -1;
    spy->alloc_requests = spy->realloc_requests = 0;
    spy->qi = SPY_QI_NORMAL;
    spy->qi_other = NULL;
    memset(spy->override, 0, sizeof(spy->override));
    spy->prerealloc_no_store = FALSE;
    spy->hook = NULL;
    spy->hook_ctx = NULL;
    for (i = 0; i < SPY_METHOD_COUNT; i++) spy->calls[i] = 0;
    spy->guard_errors = spy->overlaps = spy->nested = spy->unmatched_posts = spy->alloc_overlaps = 0;
    spy->calls_after_release = 0;
}

void spy_override_ptr(struct spy *spy, enum spy_method method, void *ptr)
{
    spy->override[method].ptr = ptr;
    spy->override[method].ptr_set = TRUE;
    spy->override[method].active = TRUE;
}

void spy_override_size(struct spy *spy, enum spy_method method, SIZE_T size)
{
    spy->override[method].size = size;
    spy->override[method].active = TRUE;
}

void spy_override_int(struct spy *spy, enum spy_method method, int value)
{
    spy->override[method].value = value;
    spy->override[method].active = TRUE;
}

void spy_clear_override(struct spy *spy, enum spy_method method)
{
    memset(&spy->override[method], 0, sizeof(spy->override[method]));
}

/* ---- expected-call tables ---- */

static BOOL call_matches(const struct spy_call *c, const struct spy_expect *e)
{
    BOOL ptr_ok, size_ok, spyed_ok, actual_ok;

    if (c->method != e->method) return FALSE;
    if (e->flags & SPY_ANY_PTR) ptr_ok = TRUE;
    else if (e->flags & SPY_NOT_NULL) ptr_ok = c->ptr != NULL;
    else ptr_ok = c->ptr == e->ptr;
    size_ok = (e->flags & SPY_ANY_SIZE) || c->size == e->size;
    spyed_ok = (e->flags & SPY_ANY_SPYED) || !c->spyed == !e->spyed;
    actual_ok = (e->flags & SPY_ANY_ACTUAL) || c->actual == e->actual;

    switch (c->method)
    {
    case SPY_PREALLOC: return size_ok;
    case SPY_POSTALLOC: return ptr_ok;
    case SPY_PREFREE: case SPY_POSTREALLOC: case SPY_PREGETSIZE: case SPY_PREDIDALLOC:
        return ptr_ok && spyed_ok;
    case SPY_POSTFREE: return spyed_ok;
    case SPY_PREREALLOC: return ptr_ok && size_ok && spyed_ok;
    case SPY_POSTGETSIZE: return size_ok && spyed_ok;
    case SPY_POSTDIDALLOC: return ptr_ok && spyed_ok && actual_ok;
    default: return TRUE;
    }
}

static LONG next_call(struct spy *spy, LONG i, LONG end)
{
    DWORD tid = GetCurrentThreadId();

    while (i < end && (!call_is(log_at(i), spy, tid) || is_iunknown_method(log_at(i)->method))) i++;
    return i;
}

BOOL spy_check_calls_(const char *file, int line, struct spy *spy, LONG from,
                      const struct spy_expect *expected, unsigned int count)
{
    LONG end = spy_mark(), i;
    unsigned int e = 0, n = 0, errors = 0;
    char got[160], exp[160];

    if (end - from > SPY_LOG_SIZE)
    {
        ok_(file, line)(0, "%ld spy calls since the mark, more than the log holds\n", end - from);
        return FALSE;
    }
    i = next_call(spy, from < 0 ? 0 : from, end);
    for (;;)
    {
        const struct spy_call *c = i < end ? log_at(i) : NULL;

        if (!c && e == count) break;
        if (e < count && (expected[e].flags & SPY_OPTIONAL) && (!c || c->method != expected[e].method))
        {
            e++;
            continue;
        }
        if (c) spy_describe_call(got, sizeof(got), c);
        else strcpy(got, "no more calls");
        if (e < count) describe_expect(exp, sizeof(exp), &expected[e]);
        else strcpy(exp, "no more calls");
        if (!c || e == count || !call_matches(c, &expected[e]))
        {
            ok_(file, line)(0, "spy call %u: got %s, expected %s\n", n, got, exp);
            errors++;
        }
        if (c) i = next_call(spy, i + 1, end);
        if (e < count) e++;
        n++;
    }
    if (!errors) ok_(file, line)(1, "spy calls match\n");
    return !errors;
}

void spy_bracket_reset(struct spy *spy)
{
    spy_thread()->depth = 0;
    InterlockedExchange(&spy->bracket_owner, 0);
}
