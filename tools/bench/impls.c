/*
 * The implementations measured, in one process: the raw heaps, ole32.dll,
 * refole32.dll and the DLLs named on the command line or in
 * MALLOCSPY_IMPL.  A DLL whose functions are those of one already loaded
 * (ole32 forwarding to combase) is measured once.
 */

#include "bench.h"

struct bench_impl impls[MAX_IMPLS];
int nimpls;
int run_failed;

void progress(const char *fmt, ...)
{
    va_list args;

    fprintf(stderr, "bench: ");
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, "\n");
}

/* Records the first error of an implementation; the run then exits 1. */
void impl_error(struct bench_impl *b, const char *fmt, ...)
{
    va_list args;
    char buf[400];

    va_start(args, fmt);
    vsnprintf(buf, sizeof(buf), fmt, args);
    va_end(args);
    fprintf(stderr, "bench: ERROR: %s: %s\n", b->label, buf);
    if (!b->error[0]) snprintf(b->error, sizeof(b->error), "%s", buf);
    run_failed = 1;
}

/* A block from the implementation's allocator (the raw kinds: its heap). */
void *impl_alloc(struct bench_impl *b, SIZE_T size)
{
    if (b->kind == KIND_RAW) return HeapAlloc(b->heap, 0, size);
    return b->impl.pCoTaskMemAlloc(size);
}

void impl_free(struct bench_impl *b, void *p)
{
    if (b->kind == KIND_RAW) HeapFree(b->heap, 0, p);
    else b->impl.pCoTaskMemFree(p);
}

const char *kind_word(enum kind kind)
{
    static const char *const words[] = { "raw", "system", "reference", "extra" };

    return words[kind];
}

static void make_label(struct bench_impl *b, const char *name)
{
    char *dot;
    int i, n = 2;

    snprintf(b->label, sizeof(b->label), "%s", path_basename(name));
    if ((dot = strrchr(b->label, '.')) && !_stricmp(dot, ".dll")) *dot = 0;
    for (i = 0; i < nimpls; i++)
    {
        if (&impls[i] != b && !strcmp(impls[i].label, b->label))
        {
            snprintf(b->label + strlen(b->label), sizeof(b->label) - strlen(b->label), "#%d", n++);
            i = -1;
        }
    }
}

static struct bench_impl *new_impl(enum kind kind, const char *name)
{
    struct bench_impl *b = &impls[nimpls++];
    int i;

    memset(b, 0, sizeof(*b));
    b->kind = kind;
    snprintf(b->requested, sizeof(b->requested), "%s", name);
    for (i = 0; i < MAX_LIVE_STEPS; i++) b->populate_s[i] = -1.0;
    b->teardown_s = -1.0;
    make_label(b, name);
    return b;
}

static void load_impl(struct bench_impl *b)
{
    char err[400];
    HRESULT hr;
    int i;

    if (implementation_load(&b->impl, b->requested, err, sizeof(err)))
    {
        snprintf(b->skip, sizeof(b->skip), "%s", err);
        return;
    }
    /* ole32 forwards to combase since Windows 8 (and in Wine): measuring
     * the same code twice would only cost time. */
    for (i = 0; i < nimpls; i++)
    {
        if (impls[i].measured && !memcmp(impls[i].impl.exports, b->impl.exports, sizeof(b->impl.exports)))
        {
            snprintf(b->skip, sizeof(b->skip), "same functions as %s (forwarded exports), measured once", impls[i].label);
            implementation_unload(&b->impl);
            return;
        }
    }
    /* The loaded module starts with the DLL file's headers and MZ stub. */
    b->wine_builtin = is_wine_dll(b->impl.module, 0x200);
    if (FAILED(hr = b->impl.pCoGetMalloc(1, &b->malloc)) || !b->malloc)
    {
        snprintf(b->skip, sizeof(b->skip), "CoGetMalloc(1) returned 0x%08lx", (unsigned long)hr);
        implementation_unload(&b->impl);
        return;
    }
    pass_spy_init(&b->spy);
    b->measured = 1;
}

/* What an implementation is, or why it is not measured: one line, for the
 * progress and the report. */
const char *impl_description(const struct bench_impl *b, char *buf, size_t size)
{
    if (!b->measured) snprintf(buf, size, "skipped: %s", b->skip);
    else if (b->kind == KIND_RAW && b->heap == GetProcessHeap())
        snprintf(buf, size, "HeapAlloc/HeapFree/HeapReAlloc/HeapSize/HeapValidate on GetProcessHeap(): the floor");
    else if (b->kind == KIND_RAW && b->cold)
        snprintf(buf, size, "the same on a fresh HeapCreate(0, 0, 0) heap, never warmed (information only)");
    else if (b->kind == KIND_RAW)
        snprintf(buf, size, "the same on a HeapCreate(0, 0, 0) heap, warmed (information only)");
    else snprintf(buf, size, "%s version %s%s", b->impl.path, b->impl.version, b->wine_builtin ? " (Wine builtin)" : "");
    return buf;
}

static void load_refole32(void)
{
    char looked[4 * MAX_PATH], *path;
    struct bench_impl *b;

    if (opt.ref_path)
    {
        load_impl(new_impl(KIND_REF, opt.ref_path));
        return;
    }
    if ((path = find_refole32(NULL, own_arch(), looked, sizeof(looked))))
    {
        load_impl(new_impl(KIND_REF, path));
        free(path);
        return;
    }
    b = new_impl(KIND_REF, "refole32.dll");
    snprintf(b->skip, sizeof(b->skip), "not found (looked for %s); name it with --ref PATH", looked);
}

/* A heap of its own, in the state heapstate.c gives it (cold: fresh). */
static void new_raw_heap(const char *label, int cold)
{
    struct bench_impl *b = new_impl(KIND_RAW, label);

    b->cold = cold;
    if ((b->heap = HeapCreate(0, 0, 0))) b->measured = 1;
    else snprintf(b->skip, sizeof(b->skip), "HeapCreate failed: error %lu", GetLastError());
}

void load_all(void)
{
    char buf[2 * MAX_PATH];
    struct bench_impl *b;
    int i;

    /* The floor: the process heap, which ole32 has always used. */
    b = new_impl(KIND_RAW, "raw");
    b->heap = GetProcessHeap();
    b->measured = 1;
    /* For information: the same code on a heap of its own costs what the
     * state of that heap makes it cost (see heapstate.c). */
    new_raw_heap("rawexact", 0);
    new_raw_heap("rawsplit", 1);
    if (!opt.no_ole32) load_impl(new_impl(KIND_SYSTEM, "ole32.dll"));
    if (!opt.no_ref) load_refole32();
    for (i = 0; i < opt.nextra; i++) load_impl(new_impl(KIND_EXTRA, opt.extra[i]));
    /* The suite's MALLOCSPY_IMPL is measured too; a DLL already loaded is
     * recognised by its functions and measured once. */
    if (getenv("MALLOCSPY_IMPL")) load_impl(new_impl(KIND_EXTRA, implementation_default_name()));

    for (i = 0; i < nimpls; i++)
        progress("%s: %s", impls[i].label, impl_description(&impls[i], buf, sizeof(buf)));
}

int collect_impls(struct bench_impl **list, int with_raw)
{
    int i, n = 0;

    for (i = 0; i < nimpls; i++)
    {
        if (!impls[i].measured) continue;
        if (impls[i].kind == KIND_RAW && !with_raw) continue;
        list[n++] = &impls[i];
    }
    return n;
}

static int has_role(const struct bench_impl *b, enum role role)
{
    switch (role)
    {
    case ROLE_REF: return b->kind == KIND_REF;
    case ROLE_BUILTIN: return b->wine_builtin;
    case ROLE_RAW: return b->kind == KIND_RAW && b->heap == GetProcessHeap();
    case ROLE_RAW_EXACT: return b->kind == KIND_RAW && b->heap != GetProcessHeap() && !b->cold;
    case ROLE_RAW_SPLIT: return b->kind == KIND_RAW && b->cold;
    default: return 0;
    }
}

/* The measured implementation in a role, or NULL. */
const struct bench_impl *role_impl(enum role role)
{
    int i;

    for (i = 0; i < nimpls; i++)
        if (impls[i].measured && has_role(&impls[i], role)) return &impls[i];
    return NULL;
}

/* Why a target that needs the implementation in this role is skipped. */
const char *role_missing(enum role role)
{
    static const char *const missing[NUM_ROLES] =
    {
        "refole32 not measured", "Wine's builtin was not measured",
        "the process heap was not measured", "a warmed HeapCreate heap was not measured",
        "a fresh HeapCreate heap was not measured",
    };

    return missing[role];
}

/* What the "x baseline" column divides by: refole32, else the first DLL. */
const struct bench_impl *baseline_impl(void)
{
    const struct bench_impl *ref = role_impl(ROLE_REF);
    int i;

    if (ref) return ref;
    for (i = 0; i < nimpls; i++)
        if (impls[i].measured && impls[i].kind != KIND_RAW) return &impls[i];
    return NULL;
}
