/*
 * Which implementations to test (the defaults and the names given), where
 * the suite is, and how to label them.
 * The suite and refole32.dll are looked for beside conform.exe (the zip),
 * then in the build tree (ROOT is --root, else derived from conform.exe's
 * place): see find_built_file() in ../common/system.c.
 */

#include "conform.h"
#include "exports.h"

char *find_suite(const char *root)
{
    return find_built_file(root, own_arch(), "tests", "mallocspy_test.exe", NULL, 0);
}

/* Whether combase.dll is there and exports the six functions. */
static int combase_usable(void)
{
    HMODULE module;
    UINT mode = SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX);
    size_t i;
    int ok;

    module = LoadLibraryA("combase.dll");
    SetErrorMode(mode);
    if (!module) return 0;
    for (i = 0, ok = 1; i < IMPLEMENTATION_EXPORT_COUNT; i++)
        if (!GetProcAddress(module, implementation_exports[i])) ok = 0;
    FreeLibrary(module);
    return ok;
}

static void impl_init(struct impl *impl, const char *key, const char *name)
{
    memset(impl, 0, sizeof(*impl));
    snprintf(impl->key, sizeof(impl->key), "%s", key);
    snprintf(impl->name, sizeof(impl->name), "%s", name);
}

/* "wine-builtin" when the DLL file is one of Wine's (builtin DLLs carry
 * "Wine builtin DLL" in their MZ stub, the prefix's system32 copies "Wine
 * placeholder DLL"), "native" for a Windows system DLL, else "". */
void impl_detect_kind(struct impl *impl)
{
    char path[MAX_PATH], sysdir[MAX_PATH], header[4096];
    const char *file = impl->path[0] ? impl->path : impl->name;
    DWORD got = 0;
    HANDLE h;
    UINT n;

    impl->kind[0] = 0;
    n = GetSystemDirectoryA(sysdir, sizeof(sysdir));
    if (!strpbrk(file, "\\/"))
    {
        snprintf(path, sizeof(path), "%s\\%s", sysdir, file);
        if (!file_exists(path) && !SearchPathA(NULL, file, NULL, sizeof(path), path, NULL)) return;
    }
    else snprintf(path, sizeof(path), "%s", file);

    h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, 0, NULL);
    if (h != INVALID_HANDLE_VALUE)
    {
        ReadFile(h, header, sizeof(header), &got, NULL);
        CloseHandle(h);
    }
    if (is_wine_dll(header, got))
        snprintf(impl->kind, sizeof(impl->kind), "wine-builtin");
    else if (n && !_strnicmp(path, sysdir, n) && (path[n] == '\\' || path[n] == '/'))
        snprintf(impl->kind, sizeof(impl->kind), wine_version() ? "native-in-wine" : "native");
}

/* "ole32 10.0.17134.1 wine-builtin", "refole32 1.0.0.0", ... */
void impl_make_label(struct impl *impl)
{
    char base[MAX_PATH], *dot;

    snprintf(base, sizeof(base), "%s", path_basename(impl->path[0] ? impl->path : impl->name));
    if ((dot = strrchr(base, '.')) && !_stricmp(dot, ".dll")) *dot = 0;
    snprintf(impl->label, sizeof(impl->label), "%s%s%s%s%s", base,
             impl->version[0] ? " " : "", impl->version,
             impl->kind[0] ? " " : "", impl->kind);
}

static char *lowercase_key(const char *name)
{
    char *key = xstrdup(path_basename(name)), *p;

    if ((p = strrchr(key, '.')) && !_stricmp(p, ".dll")) *p = 0;
    for (p = key; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p += 'a' - 'A';
    return key;
}

/* Finds the implementation for a command-line name, adding it if needed. */
static struct impl *find_or_add(struct impl ***impls, size_t *n, const char *arg, const char *root, int *err)
{
    char full[MAX_PATH], *key, *dll;
    size_t i;
    struct impl *impl;

    if (!_stricmp(arg, "ole32") || !_stricmp(arg, "ole32.dll")) dll = xstrdup("ole32.dll");
    else if (!_stricmp(arg, "combase") || !_stricmp(arg, "combase.dll")) dll = xstrdup("combase.dll");
    else if (!_stricmp(arg, "refole32") || !_stricmp(arg, "refole32.dll"))
    {
        if (!(dll = find_refole32(root, own_arch(), NULL, 0)))
        {
            fprintf(stderr, "conform: refole32.dll not found (beside conform.exe or in ROOT\\dlls\\refole32)\n");
            *err = 1;
            return NULL;
        }
    }
    else if (strpbrk(arg, "\\/") && GetFullPathNameA(arg, sizeof(full), full, NULL)) dll = xstrdup(full);
    else dll = xstrdup(arg);

    for (i = 0; i < *n; i++)
        if (!_stricmp((*impls)[i]->name, dll))
        {
            free(dll);
            return (*impls)[i];
        }
    if (!_stricmp(arg, "refole32")) key = xstrdup("refole32");
    else key = lowercase_key(dll);
    for (i = 0; i < *n; i++)
        if (!_stricmp((*impls)[i]->key, key))
        {
            char *k = xsprintf("%s-%u", key, (unsigned)*n + 1);
            free(key);
            key = k;
            break;
        }
    impl = xmalloc(sizeof(*impl));
    impl_init(impl, key, dll);
    *impls = xrealloc(*impls, (*n + 1) * sizeof(**impls));
    (*impls)[(*n)++] = impl;
    free(key);
    free(dll);
    return impl;
}

/* The implementations to run, in column order: unless only, ole32, combase
 * (when usable) and refole32 (when found); then each of names, where
 * (*targets)[i] is the one names->items[i] stands for.  Returns 0, or -1
 * when one cannot be had (said on stderr). */
int choose_impls(const char *root, int only, int quiet, const struct strlist *names, struct impl ***impls,
                 size_t *nimpls, struct impl ***targets)
{
    int err = 0;
    size_t i;

    if (!only)
    {
        char *ref = find_refole32(root, own_arch(), NULL, 0);

        find_or_add(impls, nimpls, "ole32", root, &err);
        if (combase_usable()) find_or_add(impls, nimpls, "combase", root, &err);
        if (ref) find_or_add(impls, nimpls, "refole32", root, &err);
        else if (!quiet) fprintf(stderr, "conform: refole32.dll not found; not tested\n");
        free(ref);
    }
    *targets = xmalloc((names->count + 1) * sizeof(**targets));
    for (i = 0; i < names->count; i++) (*targets)[i] = find_or_add(impls, nimpls, names->items[i], root, &err);
    if (err) return -1;
    if (!*nimpls)
    {
        fprintf(stderr, "conform: no implementation to test\n");
        return -1;
    }
    return 0;
}
