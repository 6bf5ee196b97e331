/*
 * Which implementations to test, where the suite is, and how to label them.
 *
 * Layouts searched (ROOT is --root, else derived from conform.exe's place):
 *   the zip:        conform.exe, mallocspy_test.exe, refole32.dll side by side
 *   the build tree: ROOT\tools\conform\conform.exe, ROOT\tests\mallocspy_test.exe,
 *                   ROOT\dlls\refole32\refole32.dll
 */

#include "conform.h"

const char *wine_version(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    const char *(CDECL *get_version)(void);

    if (!ntdll || !GetProcAddress(ntdll, "wine_server_call")) return NULL;
    get_version = (void *)GetProcAddress(ntdll, "wine_get_version");
    return get_version ? get_version() : "unknown";
}

const char *exe_directory(void)
{
    static char dir[MAX_PATH];
    char *base;

    if (!dir[0])
    {
        GetModuleFileNameA(NULL, dir, sizeof(dir));
        base = (char *)path_basename(dir);
        if (base > dir) base[-1] = 0;
    }
    return dir;
}

static int file_exists(const char *path)
{
    DWORD attr = GetFileAttributesA(path);

    return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}

/* Returns the first existing file of dir\rel for the candidate dirs. */
static char *find_beside_or_under(const char *root, const char *exe_rel, const char *root_rel)
{
    char path[MAX_PATH], full[MAX_PATH];

    snprintf(path, sizeof(path), "%s\\%s", exe_directory(), exe_rel);
    if (file_exists(path) && GetFullPathNameA(path, sizeof(full), full, NULL)) return xstrdup(full);
    if (root)
        snprintf(path, sizeof(path), "%s\\%s", root, root_rel);
    else
        snprintf(path, sizeof(path), "%s\\..\\..\\%s", exe_directory(), root_rel);
    if (file_exists(path) && GetFullPathNameA(path, sizeof(full), full, NULL)) return xstrdup(full);
    return NULL;
}

char *find_suite(const char *root)
{
    return find_beside_or_under(root, "mallocspy_test.exe", "tests\\mallocspy_test.exe");
}

char *find_refole32(const char *root)
{
    return find_beside_or_under(root, "refole32.dll", "dlls\\refole32\\refole32.dll");
}

int combase_usable(void)
{
    static const char *const exports[] =
    {
        "CoGetMalloc", "CoTaskMemAlloc", "CoTaskMemFree", "CoTaskMemRealloc",
        "CoRegisterMallocSpy", "CoRevokeMallocSpy",
    };
    HMODULE module;
    UINT mode = SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX);
    size_t i;
    int ok;

    module = LoadLibraryA("combase.dll");
    SetErrorMode(mode);
    if (!module) return 0;
    for (i = 0, ok = 1; i < sizeof(exports) / sizeof(exports[0]); i++)
        if (!GetProcAddress(module, exports[i])) ok = 0;
    FreeLibrary(module);
    return ok;
}

void impl_init(struct impl *impl, const char *key, const char *name)
{
    memset(impl, 0, sizeof(*impl));
    snprintf(impl->key, sizeof(impl->key), "%s", key);
    snprintf(impl->name, sizeof(impl->name), "%s", name);
}

static int memory_contains(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; i + n <= len; i++)
        if (!memcmp(data + i, needle, n)) return 1;
    return 0;
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
    if (memory_contains(header, got, "Wine builtin DLL") || memory_contains(header, got, "Wine placeholder DLL"))
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
