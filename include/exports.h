/*
 * The six functions an implementation of the COM task allocator exports by
 * name (catalogue row EXPORTS-01).  The one list of them: the loader
 * (implementation.h) and the tools read it from here.
 */

#ifndef MALLOCSPY_EXPORTS_H
#define MALLOCSPY_EXPORTS_H

#define IMPLEMENTATION_EXPORT_COUNT 6

static const char *const implementation_exports[IMPLEMENTATION_EXPORT_COUNT] =
{
    "CoGetMalloc", "CoTaskMemAlloc", "CoTaskMemFree", "CoTaskMemRealloc",
    "CoRegisterMallocSpy", "CoRevokeMallocSpy",
};

#endif /* MALLOCSPY_EXPORTS_H */
