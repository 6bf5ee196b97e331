/*
 * Loading an implementation of the COM task allocator under test.
 *
 * An implementation is any DLL that exports, by name, the six functions
 * of exports.h: ole32.dll, combase.dll, our refole32.dll, or one a user
 * points at.
 * Everything is resolved with GetProcAddress so that a missing DLL or
 * export is a clear message and never a crash or a loader dialog.  The
 * functions are static inline so that any file of a program may include
 * this header for struct implementation alone.
 */

#ifndef MALLOCSPY_IMPLEMENTATION_H
#define MALLOCSPY_IMPLEMENTATION_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <objbase.h>

#include "exports.h"

struct implementation
{
    HMODULE module;
    char path[MAX_PATH];
    char version[64];
    FARPROC exports[IMPLEMENTATION_EXPORT_COUNT];   /* in the order of implementation_exports */
    HRESULT (WINAPI *pCoGetMalloc)(DWORD, IMalloc **);
    void *  (WINAPI *pCoTaskMemAlloc)(SIZE_T);
    void    (WINAPI *pCoTaskMemFree)(void *);
    void *  (WINAPI *pCoTaskMemRealloc)(void *, SIZE_T);
    HRESULT (WINAPI *pCoRegisterMallocSpy)(IMallocSpy *);
    HRESULT (WINAPI *pCoRevokeMallocSpy)(void);
};

static inline const char *implementation_default_name(void)
{
    const char *name = getenv("MALLOCSPY_IMPL");

    return name && *name ? name : "ole32.dll";
}

/* The fixed part of a version resource starts with this signature; finding
 * it avoids version.dll, which is one more import for every binary. */
static inline void implementation_read_version(HMODULE module, char *buf, size_t size)
{
    const DWORD signature = 0xfeef04bd;
    const VS_FIXEDFILEINFO *info = NULL;
    const BYTE *data;
    DWORD len, i;
    HRSRC res;

    snprintf(buf, size, "none");
    if (!(res = FindResourceA(module, MAKEINTRESOURCEA(VS_VERSION_INFO), (LPCSTR)RT_VERSION))) return;
    if (!(data = LockResource(LoadResource(module, res)))) return;
    len = SizeofResource(module, res);
    for (i = 0; i + sizeof(*info) <= len; i += 4)
    {
        if (!memcmp(data + i, &signature, sizeof(signature)))
        {
            info = (const VS_FIXEDFILEINFO *)(data + i);
            break;
        }
    }
    if (!info) return;
    snprintf(buf, size, "%lu.%lu.%lu.%lu",
             (unsigned long)HIWORD(info->dwFileVersionMS), (unsigned long)LOWORD(info->dwFileVersionMS),
             (unsigned long)HIWORD(info->dwFileVersionLS), (unsigned long)LOWORD(info->dwFileVersionLS));
}

static inline FARPROC implementation_resolve(struct implementation *impl, const char *export,
                                             char *err, size_t errsize)
{
    FARPROC proc = GetProcAddress(impl->module, export);

    if (!proc && err && !*err)
        snprintf(err, errsize, "%s does not export %s", impl->path, export);
    return proc;
}

static inline void implementation_unload(struct implementation *impl)
{
    if (impl->module) FreeLibrary(impl->module);
    memset(impl, 0, sizeof(*impl));
}

/* Returns 0 on success.  On failure writes a one-line reason into err and
 * leaves nothing loaded. */
static inline int implementation_load(struct implementation *impl, const char *name, char *err, size_t errsize)
{
    int i, missing = 0;
    UINT old_mode;

    memset(impl, 0, sizeof(*impl));
    if (err && errsize) *err = 0;

    /* No "cannot find DLL" dialog on Windows: report the error instead. */
    old_mode = SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX);
    impl->module = LoadLibraryA(name);
    SetErrorMode(old_mode);
    if (!impl->module)
    {
        if (err) snprintf(err, errsize, "cannot load \"%s\": error %lu", name, GetLastError());
        return -1;
    }
    if (!GetModuleFileNameA(impl->module, impl->path, sizeof(impl->path)))
        snprintf(impl->path, sizeof(impl->path), "%s", name);
    implementation_read_version(impl->module, impl->version, sizeof(impl->version));

    for (i = 0; i < IMPLEMENTATION_EXPORT_COUNT; i++)
        if (!(impl->exports[i] = implementation_resolve(impl, implementation_exports[i], err, errsize)))
            missing = 1;
    if (missing)
    {
        implementation_unload(impl);
        return -1;
    }
    impl->pCoGetMalloc = (void *)impl->exports[0];
    impl->pCoTaskMemAlloc = (void *)impl->exports[1];
    impl->pCoTaskMemFree = (void *)impl->exports[2];
    impl->pCoTaskMemRealloc = (void *)impl->exports[3];
    impl->pCoRegisterMallocSpy = (void *)impl->exports[4];
    impl->pCoRevokeMallocSpy = (void *)impl->exports[5];
    return 0;
}

#endif /* MALLOCSPY_IMPLEMENTATION_H */
