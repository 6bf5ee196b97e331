/*
 * Which implementations to test, where the suite is, and how to label them.
 * The suite and refole32.dll are looked for beside conform.exe (the zip),
 * then in the build tree (ROOT is --root, else derived from conform.exe's
 * place): see find_built_file() in ../common/system.c.
 */

#include "conform.h"
#include "exports.h"

char *find_suite(const char *root)
{
    return find_built_file(root, "tests", "mallocspy_test.exe", NULL, 0);
}

/* Whether combase.dll is there and exports the six functions. */
int combase_usable(void)
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

void impl_init(struct impl *impl, const char *key, const char *name)
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
