/*
 * What a DLL file says before anything loads it: whether it is a PE
 * image, for which machine, and which names it exports.  Read from the
 * file, not loaded: a 64-bit conform.exe cannot load an i386 DLL into its
 * own process, and must not run the DllMain of a DLL it only asks about.
 */

#include <stddef.h>

#include "conform.h"

struct pe
{
    FILE *f;
    IMAGE_FILE_HEADER header;
    IMAGE_DATA_DIRECTORY exports;
    IMAGE_SECTION_HEADER *sections;
};

static int read_at(FILE *f, unsigned long offset, void *buf, size_t size)
{
    return !fseek(f, (long)offset, SEEK_SET) && fread(buf, 1, size, f) == size;
}

static void pe_close(struct pe *pe)
{
    if (pe->f) fclose(pe->f);
    free(pe->sections);
}

/* Reads the headers of path.  Returns 0, or -1 with why it is no PE image
 * in err. */
static int pe_open(const char *path, struct pe *pe, char *err, size_t errsize)
{
    DWORD attr = GetFileAttributesA(path), signature, optional;
    IMAGE_DOS_HEADER dos;
    WORD magic;
    size_t at;

    memset(pe, 0, sizeof(*pe));
    if (attr == INVALID_FILE_ATTRIBUTES)
    {
        DWORD error = GetLastError();

        if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) snprintf(err, errsize, "no such file");
        else snprintf(err, errsize, "cannot read it (error %lu)", error);
        return -1;
    }
    if (attr & FILE_ATTRIBUTE_DIRECTORY)
    {
        snprintf(err, errsize, "a directory, not a DLL");
        return -1;
    }
    if (!(pe->f = fopen(path, "rb")))
    {
        snprintf(err, errsize, "cannot open it");
        return -1;
    }
    if (!read_at(pe->f, 0, &dos, sizeof(dos)) || dos.e_magic != IMAGE_DOS_SIGNATURE)
    {
        snprintf(err, errsize, "not a PE image (no MZ header)");
        goto fail;
    }
    if (!read_at(pe->f, dos.e_lfanew, &signature, sizeof(signature)) || signature != IMAGE_NT_SIGNATURE
        || !read_at(pe->f, dos.e_lfanew + sizeof(signature), &pe->header, sizeof(pe->header)))
    {
        snprintf(err, errsize, "not a PE image (no PE header after the MZ header)");
        goto fail;
    }
    optional = dos.e_lfanew + sizeof(signature) + sizeof(pe->header);
    if (read_at(pe->f, optional, &magic, sizeof(magic)))
    {
        if (magic == IMAGE_NT_OPTIONAL_HDR64_MAGIC) at = offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory);
        else at = offsetof(IMAGE_OPTIONAL_HEADER32, DataDirectory);
        /* the export directory is entry 0, present whenever the optional
         * header is long enough to hold it */
        if (at + sizeof(pe->exports) > pe->header.SizeOfOptionalHeader
            || !read_at(pe->f, optional + at, &pe->exports, sizeof(pe->exports)))
            memset(&pe->exports, 0, sizeof(pe->exports));
    }
    pe->sections = xmalloc((pe->header.NumberOfSections + 1) * sizeof(*pe->sections));
    if (!read_at(pe->f, optional + pe->header.SizeOfOptionalHeader, pe->sections,
                 pe->header.NumberOfSections * sizeof(*pe->sections)))
    {
        snprintf(err, errsize, "not a PE image (its section table is cut short)");
        goto fail;
    }
    return 0;

fail:
    pe_close(pe);
    return -1;
}

/* The file offset of an RVA, or 0 when no section holds it. */
static unsigned long rva_offset(const struct pe *pe, DWORD rva)
{
    WORD i;

    for (i = 0; i < pe->header.NumberOfSections; i++)
    {
        const IMAGE_SECTION_HEADER *s = &pe->sections[i];

        if (rva >= s->VirtualAddress && rva - s->VirtualAddress < s->SizeOfRawData)
            return s->PointerToRawData + (rva - s->VirtualAddress);
    }
    return 0;
}

int pe_machine(const char *path, WORD *machine, char *err, size_t errsize)
{
    struct pe pe;

    if (pe_open(path, &pe, err, errsize)) return -1;
    *machine = pe.header.Machine;
    pe_close(&pe);
    return 0;
}

/* Whether path is a PE image whose export table names every one of names. */
int pe_exports_all(const char *path, const char *const *names, size_t count)
{
    IMAGE_EXPORT_DIRECTORY dir;
    unsigned long at, names_at;
    size_t found = 0, i;
    char err[256], name[64];
    unsigned char *seen;
    struct pe pe;
    DWORD n;

    if (pe_open(path, &pe, err, sizeof(err))) return 0;
    seen = xmalloc(count + 1);
    memset(seen, 0, count + 1);
    if ((at = rva_offset(&pe, pe.exports.VirtualAddress)) && read_at(pe.f, at, &dir, sizeof(dir))
        && (names_at = rva_offset(&pe, dir.AddressOfNames)))
    {
        for (n = 0; n < dir.NumberOfNames && found < count; n++)
        {
            DWORD rva;

            if (!read_at(pe.f, names_at + n * sizeof(rva), &rva, sizeof(rva)) || !(at = rva_offset(&pe, rva))
                || fseek(pe.f, (long)at, SEEK_SET) || !fgets(name, sizeof(name), pe.f))
                break;
            /* fgets reads on past the name's NUL, where strcmp stops */
            for (i = 0; i < count; i++)
                if (!seen[i] && !strcmp(name, names[i]))
                {
                    seen[i] = 1;
                    found++;
                }
        }
    }
    free(seen);
    pe_close(&pe);
    return found == count;
}

/* The architecture of a machine type, or -1 for one without a suite. */
int arch_of_machine(WORD machine, enum arch *arch)
{
    if (machine == IMAGE_FILE_MACHINE_AMD64) *arch = ARCH_X86_64;
    else if (machine == IMAGE_FILE_MACHINE_I386) *arch = ARCH_I386;
    else return -1;
    return 0;
}

/* "ARM64", ..., "machine 0x1234": for the error about a DLL of a machine
 * without a suite. */
const char *machine_name(WORD machine)
{
    static char unknown[32];

    switch (machine)
    {
    case IMAGE_FILE_MACHINE_AMD64: return "x86_64";
    case IMAGE_FILE_MACHINE_I386: return "i386";
    case IMAGE_FILE_MACHINE_ARM64: return "ARM64";
    case IMAGE_FILE_MACHINE_ARMNT: return "ARM";
    case IMAGE_FILE_MACHINE_IA64: return "IA-64";
    }
    snprintf(unknown, sizeof(unknown), "machine 0x%04x", machine);
    return unknown;
}
