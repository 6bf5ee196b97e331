/*
 * Small helpers: allocation that never returns NULL, string lists, growing
 * buffers, behaviour ID syntax, file reading.
 */

#include "conform.h"

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
    {
        fprintf(stderr, "conform: out of memory\n");
        exit(2);
    }
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p)
    {
        fprintf(stderr, "conform: out of memory\n");
        exit(2);
    }
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

char *xsprintf(const char *fmt, ...)
{
    va_list args;
    char *p;
    int n;

    va_start(args, fmt);
    n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    p = xmalloc(n + 1);
    va_start(args, fmt);
    vsnprintf(p, n + 1, fmt, args);
    va_end(args);
    return p;
}

void strlist_add(struct strlist *list, const char *s)
{
    if (list->count == list->cap)
    {
        list->cap = list->cap ? list->cap * 2 : 8;
        list->items = xrealloc(list->items, list->cap * sizeof(*list->items));
    }
    list->items[list->count++] = xstrdup(s);
}

int strlist_find(const struct strlist *list, const char *s)
{
    size_t i;

    for (i = 0; i < list->count; i++)
        if (!strcmp(list->items[i], s)) return (int)i;
    return -1;
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
    int n;

    va_start(args, fmt);
    n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    s = xmalloc(n + 1);
    va_start(args, fmt);
    vsnprintf(s, n + 1, fmt, args);
    va_end(args);
    buffer_append(buf, s, n);
    free(s);
}

/* Length of a behaviour ID at s ([A-Z][A-Z0-9]*-[0-9][0-9]), or 0. */
size_t behaviour_id_length(const char *s)
{
    size_t i = 0;

    if (!(s[0] >= 'A' && s[0] <= 'Z')) return 0;
    for (i = 1; (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'); i++)
        ;
    if (s[i] != '-') return 0;
    if (!(s[i + 1] >= '0' && s[i + 1] <= '9') || !(s[i + 2] >= '0' && s[i + 2] <= '9')) return 0;
    if (s[i + 3] >= '0' && s[i + 3] <= '9') return 0;
    return i + 3;
}

int is_behaviour_id(const char *s, size_t len)
{
    return len && behaviour_id_length(s) == len;
}

void id_group(const char *id, char *group, size_t size)
{
    const char *dash = strrchr(id, '-');
    size_t n = dash ? (size_t)(dash - id) : strlen(id);

    if (n >= size) n = size - 1;
    memcpy(group, id, n);
    group[n] = 0;
}

/* Orders by group name, then by number. */
int id_compare(const char *a, const char *b)
{
    char ga[32], gb[32];
    int cmp;

    id_group(a, ga, sizeof(ga));
    id_group(b, gb, sizeof(gb));
    if ((cmp = strcmp(ga, gb))) return cmp;
    return strcmp(a, b);
}

char *read_whole_file(const char *path, size_t *len)
{
    struct buffer buf = {0};
    char chunk[8192];
    size_t n;
    FILE *f = fopen(path, "rb");

    if (!f) return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) buffer_append(&buf, chunk, n);
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
