/*
 * mutate: writes a copy of a source file with one seeded defect applied.
 *
 *   mutate DEFINITIONS --list            one line per mutant: NAME<TAB>CATEGORY<TAB>NOTE
 *   mutate DEFINITIONS NAME SOURCE OUT   apply mutant NAME to SOURCE, write OUT
 *
 * A definitions file holds mutants like this:
 *
 *   @ name category
 *   ! one line saying what the defect is
 *   <<<
 *   exact text of the reference source (one or more lines)
 *   ===
 *   the text that replaces it
 *   >>>
 *
 * A mutant may have several <<< === >>> replacements.  A line "? reason"
 * marks a mutant that is equivalent to the reference by design.  Each
 * original text must occur exactly once in the source: a definition that
 * no longer matches the reference fails loudly instead of silently
 * testing nothing.  Lines starting with # outside a replacement are
 * comments.
 *
 * This is a host program: it runs on the build machine.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct text
{
    char *data;
    size_t len;
};

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "mutate: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

static struct text read_file(const char *path)
{
    struct text t = { NULL, 0 };
    size_t cap = 0, n;
    FILE *f = fopen(path, "rb");

    if (!f) die("cannot open", path);
    do
    {
        if (t.len + 4096 + 1 > cap)
        {
            cap = (cap + 4096) * 2;
            if (!(t.data = realloc(t.data, cap))) die("out of memory", NULL);
        }
        n = fread(t.data + t.len, 1, 4096, f);
        t.len += n;
    } while (n);
    fclose(f);
    t.data[t.len] = 0;
    return t;
}

static void append(struct text *t, const char *s, size_t len)
{
    if (!(t->data = realloc(t->data, t->len + len + 1))) die("out of memory", NULL);
    memcpy(t->data + t->len, s, len);
    t->len += len;
    t->data[t->len] = 0;
}

/* Returns the next line of *pos (without its newline) and advances. */
static char *next_line(char **pos)
{
    char *line = *pos, *end;

    if (!*line) return NULL;
    end = strchr(line, '\n');
    if (end)
    {
        *end = 0;
        *pos = end + 1;
    }
    else *pos = line + strlen(line);
    return line;
}

/* Collects lines up to the terminator line; returns them joined by '\n'. */
static struct text read_block(char **pos, const char *terminator, const char *name)
{
    struct text block = { NULL, 0 };
    char *line;

    append(&block, "", 0);
    while ((line = next_line(pos)))
    {
        if (!strcmp(line, terminator)) return block;
        append(&block, line, strlen(line));
        append(&block, "\n", 1);
    }
    die("unterminated replacement in mutant", name);
    return block;
}

static size_t count_occurrences(const struct text *source, const struct text *needle)
{
    size_t count = 0;
    const char *p = source->data;

    while ((p = strstr(p, needle->data)))
    {
        count++;
        p += needle->len;
    }
    return count;
}

static void check_applies(const struct text *source, const struct text *from, const char *name);

static void replace_once(struct text *source, const struct text *from, const struct text *to, const char *name)
{
    struct text result = { NULL, 0 };
    const char *at;

    check_applies(source, from, name);
    at = strstr(source->data, from->data);
    append(&result, source->data, at - source->data);
    append(&result, to->data, to->len);
    append(&result, at + from->len, source->len - (at - source->data) - from->len);
    free(source->data);
    *source = result;
}

/* --list also proves that every definition still applies to the source. */
static void check_applies(const struct text *source, const struct text *from, const char *name)
{
    size_t count = count_occurrences(source, from);

    if (count == 1) return;
    fprintf(stderr, "mutate: mutant %s: its original text occurs %zu times in the source, expected once:\n%s",
            name, count, from->data);
    exit(2);
}

/* Walks the definitions.  With want == NULL lists them; otherwise applies
 * the mutant called want to *source and returns 1 if it was found. */
static int walk(char *defs, const char *want, struct text *source)
{
    char name[128] = "", category[64] = "", note[512] = "", equivalent[512] = "";
    int found = 0, in_want = 0;
    char *line, *pos = defs;

    while ((line = next_line(&pos)))
    {
        if (line[0] == '@')
        {
            if (!want && *name) printf("%s\t%s\t%s%s%s\n", name, category, note, *equivalent ? "\tequivalent: " : "", equivalent);
            *note = *equivalent = 0;
            if (sscanf(line, "@ %127s %63s", name, category) != 2) die("malformed mutant header", line);
            in_want = want && !strcmp(name, want);
            found |= in_want;
        }
        else if (line[0] == '!') snprintf(note, sizeof(note), "%s", line + 2);
        else if (line[0] == '?') snprintf(equivalent, sizeof(equivalent), "%s", line + 2);
        else if (!strcmp(line, "<<<"))
        {
            struct text from, to;

            if (!*name) die("replacement before any mutant header", NULL);
            from = read_block(&pos, "===", name);
            to = read_block(&pos, ">>>", name);
            if (!from.len) die("empty original text in mutant", name);
            if (in_want) replace_once(source, &from, &to, name);
            else if (!want) check_applies(source, &from, name);
            free(from.data);
            free(to.data);
        }
    }
    if (!want && *name) printf("%s\t%s\t%s%s%s\n", name, category, note, *equivalent ? "\tequivalent: " : "", equivalent);
    return found;
}

int main(int argc, char **argv)
{
    struct text defs, source;
    FILE *out;

    if (argc == 4 && !strcmp(argv[2], "--list"))
    {
        /* mutate DEFS --list SOURCE: list, checking every mutant against SOURCE */
        defs = read_file(argv[1]);
        source = read_file(argv[3]);
        walk(defs.data, NULL, &source);
        return 0;
    }
    if (argc != 5)
    {
        fprintf(stderr, "usage: mutate DEFINITIONS --list SOURCE\n"
                        "       mutate DEFINITIONS NAME SOURCE OUT\n");
        return 2;
    }
    defs = read_file(argv[1]);
    source = read_file(argv[3]);
    if (!walk(defs.data, argv[2], &source)) die("no such mutant", argv[2]);
    if (!(out = fopen(argv[4], "wb"))) die("cannot write", argv[4]);
    fwrite(source.data, 1, source.len, out);
    return fclose(out) ? 2 : 0;
}
