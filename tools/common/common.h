/*
 * What the C tools under tools/ share.  strings.c, json.c and options.c
 * are plain C and build for any machine (the host programs use them too);
 * system.c needs Windows.  A module names them in SOURCES, with
 * PARENTSRC = ../common in its Makefile.in.
 *
 * Conventions, in every C tool:
 *   - A function that does something returns 0 when it did it, and -1 when
 *     it could not, after saying why: into the err buffer its caller
 *     passed, or else on stderr.
 *   - A function that answers a question (is_..., ..._usable) returns
 *     nonzero for yes, 0 for no; one that finds or makes something returns
 *     it, or NULL when there is none.
 *   - Messages start with the program's name (tool_name) and a colon.
 *   - Exit codes: 0 the work is done and nothing is wrong; 1 the work is
 *     done and something is wrong (a baseline differs, a measurement
 *     failed); 2 the work could not be done (usage, input that cannot be
 *     read or used, output that cannot be written).  Running out of memory
 *     exits 2 from inside xmalloc.
 *   - Options: main() walks argv once, comparing each argument with
 *     strcmp; an option that takes a value gets it from option_value() or
 *     option_number(), which say what is wrong on stderr and return an
 *     error that main() acts on in plain sight.
 */

#ifndef TOOLS_COMMON_H
#define TOOLS_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Defined by each program: the word its messages start with. */
extern const char tool_name[];

/* ---- strings.c ---- */

struct strlist
{
    char **items;
    size_t count, cap;
};

struct buffer
{
    char *data;
    size_t len, cap;
};

void *xmalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xsprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void strlist_add(struct strlist *list, const char *s);
void strlist_printf(struct strlist *list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strlist_add_unique_sorted(struct strlist *list, const char *s);
char *strlist_join(const struct strlist *list, const char *sep);
void buffer_append(struct buffer *buf, const char *data, size_t len);
void buffer_printf(struct buffer *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *read_whole_file(const char *path, size_t *len);
const char *path_basename(const char *path);
char *trim(char *s);

/* ---- json.c ---- */

void json_string(FILE *f, const char *s);     /* NULL is written as null */

/* ---- options.c ---- */

const char *option_value(int argc, char **argv, int *index);
int option_number(int argc, char **argv, int *index, double *value);

/* ---- system.c (Windows) ---- */

/* The architectures the project builds for; a 64-bit Windows, and Wine
 * with its 32-bit half, run programs of both. */
enum arch { ARCH_X86_64, ARCH_I386, ARCH_COUNT };

const char *wine_version(void);                /* NULL on Windows */
enum arch own_arch(void);                      /* this program's */
const char *arch_name(enum arch arch);         /* "x86_64", "i386" */
int file_exists(const char *path);
int is_wine_dll(const void *image, size_t len);
char *find_built_file(const char *root, enum arch arch, const char *dir, const char *name, char *looked,
                      size_t looked_size);
char *find_refole32(const char *root, enum arch arch, char *looked, size_t looked_size);

#endif /* TOOLS_COMMON_H */
