/*
 * Which implementations to test (the defaults and the names given), of
 * which architecture, and how to label them; and which of them cannot be
 * tested at all.  Those get one line on stderr, before any test runs, and
 * no column: a missing file, a file that is no PE image, a DLL of an
 * architecture without a usable suite, a name the loader would not find.
 * Whether a DLL exports the six functions is not asked here: that is
 * EXPORTS-01's verdict, given by the suite.
 *
 * A DLL named by its path is of the architecture of its PE header.  A name
 * without a path (ole32, foo.dll) is of --arch's, and the suite of that
 * architecture loads it by name, so that an i386 suite gets the i386
 * system DLL (SysWOW64).  refole32 is looked for beside conform.exe (in
 * i386\ beside it for i386), then in the build tree: see find_built_file()
 * in ../common/system.c.
 */

#include "conform.h"
#include "exports.h"

struct chooser
{
    const struct choice *choice;
    struct impl ***impls;
    size_t *nimpls;
    struct strlist refusals;    /* each said once */
};

/* Where the system DLLs of arch are, as this process can read them. */
static int system_directory(enum arch arch, char *dir, UINT size)
{
    UINT n;

    if (arch == own_arch()) n = GetSystemDirectoryA(dir, size);
    else if (arch == ARCH_I386) n = GetSystemWow64DirectoryA(dir, size);
    else
    {
        /* a 32-bit process sees the 64-bit system32 as Sysnative */
        n = GetWindowsDirectoryA(dir, size);
        if (n && n + sizeof("\\Sysnative") <= size) strcat(dir, "\\Sysnative");
        else n = 0;
    }
    return n && n < size ? 0 : -1;
}

static int in_directory(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return n && !_strnicmp(path, dir, n) && (path[n] == '\\' || path[n] == '/');
}

/* Finds name (a DLL without a path) where the loader of the suite's
 * process looks for it: the suite's directory, the system directory of its
 * architecture, the Windows directory, the current directory, PATH.
 * Returns 0 with the file in path, or -1 with the places in looked. */
static int find_bare(const char *name, const struct suite *suite, char *path, size_t size, char *looked,
                     size_t looked_size)
{
    struct strlist places = {0};
    char dir[MAX_PATH], *env = getenv("PATH"), *file, *p;
    size_t i, fixed;
    int found = 0;

    if (suite->path && path_basename(suite->path) > suite->path)
        strlist_printf(&places, "%.*s", (int)(path_basename(suite->path) - suite->path - 1), suite->path);
    if (!system_directory(suite->arch, dir, sizeof(dir))) strlist_add(&places, dir);
    if (GetWindowsDirectoryA(dir, sizeof(dir))) strlist_add(&places, dir);
    if (GetCurrentDirectoryA(sizeof(dir), dir)) strlist_add(&places, dir);
    fixed = places.count;
    for (p = env = xstrdup(env ? env : ""); (p = strtok(p, ";")); p = NULL) strlist_add(&places, p);
    free(env);

    /* as LoadLibrary does, a name without an extension is a .dll */
    file = strchr(name, '.') ? xstrdup(name) : xsprintf("%s.dll", name);
    for (i = 0; i < places.count && !found; i++)
    {
        size_t n = strlen(places.items[i]);
        const char *sep = n && (places.items[i][n - 1] == '\\' || places.items[i][n - 1] == '/') ? "" : "\\";

        snprintf(path, size, "%s%s%s", places.items[i], sep, file);
        found = file_exists(path);
    }
    places.count = fixed;
    p = strlist_join(&places, ", ");
    snprintf(looked, looked_size, "%s or PATH", p);
    free(p);
    for (i = 0; i < places.count; i++) free(places.items[i]);
    free(places.items);
    free(file);
    return found ? 0 : -1;
}

/* The architecture of the DLL file; -1 with "FILE: why not" in reason when
 * it is no PE image or of a machine without a suite. */
static int dll_arch(const char *file, enum arch *arch, char *reason, size_t size)
{
    char err[256];
    WORD machine;

    if (pe_machine(file, &machine, err, sizeof(err)))
    {
        snprintf(reason, size, "%s: %s", file, err);
        return -1;
    }
    if (arch_of_machine(machine, arch))
    {
        snprintf(reason, size, "%s: a DLL for %s; conform.exe has suites for x86_64 and i386 only", file,
                 machine_name(machine));
        return -1;
    }
    return 0;
}

static int is_short_name(const char *arg, const char *name)
{
    size_t n = strlen(name);

    return !_strnicmp(arg, name, n) && (!arg[n] || !_stricmp(arg + n, ".dll"));
}

/* Fills impl's name (the value of MALLOCSPY_IMPL), file (the DLL it stands
 * for), arch and suite for the command-line name arg.  Returns 0, or -1
 * with "WHAT: why it cannot be tested" in reason. */
static int resolve(const struct choice *choice, const char *arg, struct impl *impl, char *reason, size_t size)
{
    char looked[2048], *ref = NULL;
    enum arch arch = choice->arch;
    struct suite *suite;

    if (is_short_name(arg, "refole32"))
    {
        if (!(ref = find_refole32(choice->root, arch, looked, sizeof(looked))))
        {
            snprintf(reason, size, "refole32.dll (%s): not in %s", arch_name(arch), looked);
            return -1;
        }
        arg = ref;
    }
    if (strpbrk(arg, "\\/"))
    {
        if (!GetFullPathNameA(arg, sizeof(impl->file), impl->file, NULL))
            snprintf(impl->file, sizeof(impl->file), "%s", arg);
        free(ref);
        snprintf(impl->name, sizeof(impl->name), "%s", impl->file);
        if (dll_arch(impl->file, &arch, reason, size)) return -1;
        suite = &choice->suites[arch];
        if (!suite_usable(suite))
        {
            snprintf(reason, size, "%s: an %s DLL, but %s", impl->file, arch_name(arch), suite->error);
            return -1;
        }
    }
    else
    {
        enum arch found;

        if (is_short_name(arg, "ole32")) arg = "ole32.dll";
        else if (is_short_name(arg, "combase")) arg = "combase.dll";
        snprintf(impl->name, sizeof(impl->name), "%s", arg);
        suite = &choice->suites[arch];
        if (!suite_usable(suite))
        {
            snprintf(reason, size, "%s (%s): %s", arg, arch_name(arch), suite->error);
            return -1;
        }
        if (find_bare(arg, suite, impl->file, sizeof(impl->file), looked, sizeof(looked)))
        {
            snprintf(reason, size, "%s (%s): not found in %s", arg, arch_name(arch), looked);
            return -1;
        }
        if (dll_arch(impl->file, &found, reason, size)) return -1;
        if (found != arch)
        {
            snprintf(reason, size, "%s (%s): %s is an %s DLL", arg, arch_name(arch), impl->file, arch_name(found));
            return -1;
        }
    }
    impl->arch = arch;
    impl->suite = suite;
    return 0;
}

/* Whether combase.dll of --arch's architecture is there and exports the six
 * functions. */
static int combase_usable(const struct choice *choice)
{
    char file[MAX_PATH], looked[2048];

    return !find_bare("combase.dll", &choice->suites[choice->arch], file, sizeof(file), looked, sizeof(looked))
           && pe_exports_all(file, implementation_exports, IMPLEMENTATION_EXPORT_COUNT);
}

/* "wine-builtin" when the DLL file is one of Wine's (builtin DLLs carry
 * "Wine builtin DLL" in their MZ stub, the prefix's system32 copies "Wine
 * placeholder DLL"), "native" for a Windows system DLL, else "". */
void impl_detect_kind(struct impl *impl)
{
    char sysdir[MAX_PATH], archdir[MAX_PATH], header[4096];
    DWORD got = 0;
    HANDLE h;

    impl->kind[0] = 0;
    if (!GetSystemDirectoryA(sysdir, sizeof(sysdir))) sysdir[0] = 0;
    if (system_directory(impl->arch, archdir, sizeof(archdir))) archdir[0] = 0;
    h = CreateFileA(impl->file, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                    OPEN_EXISTING, 0, NULL);
    if (h != INVALID_HANDLE_VALUE)
    {
        ReadFile(h, header, sizeof(header), &got, NULL);
        CloseHandle(h);
    }
    if (is_wine_dll(header, got))
        snprintf(impl->kind, sizeof(impl->kind), "wine-builtin");
    else if (in_directory(impl->file, sysdir) || in_directory(impl->file, archdir))
        snprintf(impl->kind, sizeof(impl->kind), wine_version() ? "native-in-wine" : "native");
}

/* "ole32 10.0.17134.1 wine-builtin", "refole32 1.0.0.0", and for an
 * architecture other than conform.exe's "refole32 1.0.0.0 i386". */
void impl_make_label(struct impl *impl)
{
    char base[MAX_PATH], *dot;

    snprintf(base, sizeof(base), "%s", path_basename(impl->path[0] ? impl->path : impl->name));
    if ((dot = strrchr(base, '.')) && !_stricmp(dot, ".dll")) *dot = 0;
    snprintf(impl->label, sizeof(impl->label), "%s%s%s%s%s%s%s", base,
             impl->version[0] ? " " : "", impl->version,
             impl->kind[0] ? " " : "", impl->kind,
             impl->arch != own_arch() ? " " : "", impl->arch != own_arch() ? arch_name(impl->arch) : "");
}

/* The column name: the DLL's name in lower case without ".dll", with the
 * architecture when it is not conform.exe's ("ole32-i386"). */
static char *make_key(const struct impl *impl)
{
    char *key = xstrdup(path_basename(impl->name)), *p;

    if ((p = strrchr(key, '.')) && !_stricmp(p, ".dll")) *p = 0;
    for (p = key; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p += 'a' - 'A';
    if (impl->arch != own_arch())
    {
        p = xsprintf("%s-%s", key, arch_name(impl->arch));
        free(key);
        key = p;
    }
    return key;
}

/* The implementation for a command-line name, added if needed; NULL when
 * it cannot be tested (said on stderr, once per reason). */
static struct impl *add(struct chooser *c, const char *arg)
{
    struct impl candidate, *impl;
    char reason[4096], *key;
    size_t i;

    memset(&candidate, 0, sizeof(candidate));
    if (resolve(c->choice, arg, &candidate, reason, sizeof(reason)))
    {
        if (strlist_add_unique_sorted(&c->refusals, reason)) fprintf(stderr, "conform: %s; not tested\n", reason);
        return NULL;
    }
    for (i = 0; i < *c->nimpls; i++)
        if (!_stricmp((*c->impls)[i]->name, candidate.name) && (*c->impls)[i]->arch == candidate.arch)
            return (*c->impls)[i];
    key = make_key(&candidate);
    for (i = 0; i < *c->nimpls; i++)
        if (!_stricmp((*c->impls)[i]->key, key))
        {
            char *k = xsprintf("%s-%u", key, (unsigned)*c->nimpls + 1);
            free(key);
            key = k;
            break;
        }
    snprintf(candidate.key, sizeof(candidate.key), "%s", key);
    free(key);
    impl = xmalloc(sizeof(*impl));
    *impl = candidate;
    *c->impls = xrealloc(*c->impls, (*c->nimpls + 1) * sizeof(**c->impls));
    (*c->impls)[(*c->nimpls)++] = impl;
    return impl;
}

/* The implementations to run, in column order: unless choice->only, ole32,
 * combase (when usable) and refole32 (when found), of --arch's
 * architecture; then each of the names, where (*targets)[i] is the one
 * names->items[i] stands for, NULL when it was refused.  *refused counts
 * the refusals.  Returns 0, or -1 when none is left (said on stderr). */
int choose_impls(const struct choice *choice, struct impl ***impls, size_t *nimpls, struct impl ***targets,
                 size_t *refused)
{
    struct chooser c;
    size_t i;

    memset(&c, 0, sizeof(c));
    c.choice = choice;
    c.impls = impls;
    c.nimpls = nimpls;
    if (!choice->only)
    {
        char looked[2048], *ref = find_refole32(choice->root, choice->arch, looked, sizeof(looked));

        add(&c, "ole32");
        if (combase_usable(choice)) add(&c, "combase");
        if (ref) add(&c, "refole32");
        else if (!choice->quiet)
            fprintf(stderr, "conform: refole32.dll (%s) is not in %s; not tested\n", arch_name(choice->arch),
                    looked);
        free(ref);
    }
    *targets = xmalloc((choice->names->count + 1) * sizeof(**targets));
    for (i = 0; i < choice->names->count; i++) (*targets)[i] = add(&c, choice->names->items[i]);
    *refused = c.refusals.count;
    for (i = 0; i < c.refusals.count; i++) free(c.refusals.items[i]);
    free(c.refusals.items);
    if (!*nimpls)
    {
        fprintf(stderr, "conform: no implementation to test\n");
        return -1;
    }
    return 0;
}
