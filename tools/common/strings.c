/*
 * Allocation that never returns NULL, string lists, growing buffers, file
 * reading.
 */

#include <stdlib.h>
#include <string.h>

#include "common.h"

static void out_of_memory(void)
{
    fprintf(stderr, "%s: out of memory\n", tool_name);
    exit(2);
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p) out_of_memory();
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p) out_of_memory();
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

static char *xvsprintf(const char *fmt, va_list args)
{
    va_list copy;
    char *p;
    int n;

    va_copy(copy, args);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    p = xmalloc(n + 1);
    vsnprintf(p, n + 1, fmt, args);
    return p;
}

char *xsprintf(const char *fmt, ...)
{
    va_list args;
    char *p;

    va_start(args, fmt);
    p = xvsprintf(fmt, args);
    va_end(args);
    return p;
}

static void strlist_take(struct strlist *list, char *s)
{
    if (list->count == list->cap)
    {
        list->cap = list->cap ? list->cap * 2 : 8;
        list->items = xrealloc(list->items, list->cap * sizeof(*list->items));
    }
    list->items[list->count++] = s;
}

void strlist_add(struct strlist *list, const char *s)
{
    strlist_take(list, xstrdup(s));
}

void strlist_printf(struct strlist *list, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    strlist_take(list, xvsprintf(fmt, args));
    va_end(args);
}

/* Keeps the list sorted (strcmp order) and free of duplicates, so that a
 * joined list does not depend on the order the values were seen in.
 * Returns 1 when s was added. */
int strlist_add_unique_sorted(struct strlist *list, const char *s)
{
    size_t i, pos = list->count;
    char *copy;

    for (i = 0; i < list->count; i++)
    {
        int cmp = strcmp(list->items[i], s);

        if (!cmp) return 0;
        if (cmp > 0)
        {
            pos = i;
            break;
        }
    }
    strlist_add(list, s);
    copy = list->items[list->count - 1];
    memmove(list->items + pos + 1, list->items + pos, (list->count - 1 - pos) * sizeof(*list->items));
    list->items[pos] = copy;
    return 1;
}

char *strlist_join(const struct strlist *list, const char *sep)
{
    struct buffer buf = {0};
    size_t i;

    for (i = 0; i < list->count; i++)
    {
        if (i) buffer_append(&buf, sep, strlen(sep));
        buffer_append(&buf, list->items[i], strlen(list->items[i]));
    }
    if (!buf.data) return xstrdup("");
    return buf.data;
}

void buffer_append(struct buffer *buf, const char *data, size_t len)
{
    if (buf->len + len + 1 > buf->cap)
    {
        buf->cap = (buf->len + len + 1) * 2;
        buf->data = xrealloc(buf->data, buf->cap);
    }
    memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = 0;
}

void buffer_printf(struct buffer *buf, const char *fmt, ...)
{
    va_list args;
    char *s;

    va_start(args, fmt);
    s = xvsprintf(fmt, args);
    va_end(args);
    buffer_append(buf, s, strlen(s));
    free(s);
}

/* The whole file, NUL-terminated (len: its length); NULL when it cannot be
 * read. */
char *read_whole_file(const char *path, size_t *len)
{
    struct buffer buf = {0};
    char chunk[8192];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (!f) return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) buffer_append(&buf, chunk, n);
    if (ferror(f))
    {
        fclose(f);
        free(buf.data);
        return NULL;
    }
    fclose(f);
    if (!buf.data) buf.data = xstrdup("");
    if (len) *len = buf.len;
    return buf.data;
}

const char *path_basename(const char *path)
{
    const char *p, *base = path;

    for (p = path; *p; p++)
        if (*p == '\\' || *p == '/' || *p == ':') base = p + 1;
    return base;
}

char *trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t') s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n')) end--;
    *end = 0;
    return s;
}
