/*
 * What a tool asks about the Windows it runs on: whether that is Wine,
 * where the tool is, and where the files built beside it are.
 *
 * Layouts searched for a built file (ROOT is the build tree):
 *   the zip:        conform.exe, mallocspy_test.exe, refole32.dll side by side,
 *                   and the i386 mallocspy_test.exe and refole32.dll in i386\
 *   the build tree: ROOT\tools\NAME\TOOL.exe, ROOT\dlls\refole32\refole32.dll,
 *                   ROOT\tests\mallocspy_test.exe; the 32-bit build puts its
 *                   files (a 32-bit tool included) in i386\ subdirectories
 */

#include <string.h>
#include <windows.h>

#include "common.h"

const char *wine_version(void)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    const char *(CDECL *get_version)(void);

    if (!ntdll || !GetProcAddress(ntdll, "wine_server_call")) return NULL;
    get_version = (void *)GetProcAddress(ntdll, "wine_get_version");
    return get_version ? get_version() : "unknown";
}

enum arch own_arch(void)
{
    return sizeof(void *) == 8 ? ARCH_X86_64 : ARCH_I386;
}

const char *arch_name(enum arch arch)
{
    return arch == ARCH_I386 ? "i386" : "x86_64";
}

static const char *exe_directory(void)
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

int file_exists(const char *path)
{
    DWORD attr = GetFileAttributesA(path);

    return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}

static int memory_contains(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; i + n <= len; i++)
        if (!memcmp(data + i, needle, n)) return 1;
    return 0;
}

/* Wine writes "Wine builtin DLL" into the MZ stub of its builtin DLLs, and
 * "Wine placeholder DLL" into the stand-ins it puts in system32.  image is
 * the start of the file, or of the loaded module. */
int is_wine_dll(const void *image, size_t len)
{
    return memory_contains(image, len, "Wine builtin DLL") || memory_contains(image, len, "Wine placeholder DLL");
}

static void add_looked(char *looked, size_t size, const char *path)
{
    size_t used;

    if (!looked || !size) return;
    used = strlen(looked);
    snprintf(looked + used, size - used, "%s%s", used ? ", " : "", path);
}

/* Finds NAME of architecture arch built into DIR (such as
 * "dlls\\refole32"): beside this exe (in i386\\ beside a 64-bit exe for
 * i386), else under root, else (no root given) under the build tree this
 * exe was built into and under the current directory.  Returns the full
 * path, or NULL; looked (may be NULL) gets the places tried. */
char *find_built_file(const char *root, enum arch arch, const char *dir, const char *name, char *looked,
                      size_t looked_size)
{
    const char *sub = arch == ARCH_I386 ? "i386\\" : "";
    const char *up = own_arch() == ARCH_X86_64 ? "..\\.." : "..\\..\\..";
    char candidates[3][3 * MAX_PATH], full[MAX_PATH];
    int n = 0, i;

    if (arch == own_arch())
        snprintf(candidates[n++], sizeof(candidates[0]), "%s\\%s", exe_directory(), name);
    else if (arch == ARCH_I386)
        snprintf(candidates[n++], sizeof(candidates[0]), "%s\\i386\\%s", exe_directory(), name);
    if (root) snprintf(candidates[n++], sizeof(candidates[0]), "%s\\%s\\%s%s", root, dir, sub, name);
    else
    {
        snprintf(candidates[n++], sizeof(candidates[0]), "%s\\%s\\%s\\%s%s", exe_directory(), up, dir, sub, name);
        snprintf(candidates[n++], sizeof(candidates[0]), "%s\\%s%s", dir, sub, name);
    }
    if (looked && looked_size) looked[0] = 0;
    for (i = 0; i < n; i++)
    {
        if (!GetFullPathNameA(candidates[i], sizeof(full), full, NULL)) continue;
        if (file_exists(full)) return xstrdup(full);
        add_looked(looked, looked_size, full);
    }
    return NULL;
}

char *find_refole32(const char *root, enum arch arch, char *looked, size_t looked_size)
{
    return find_built_file(root, arch, "dlls\\refole32", "refole32.dll", looked, looked_size);
}
