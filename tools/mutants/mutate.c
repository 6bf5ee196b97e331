/*
 * mutate: writes a copy of a source file with the changes of one entry of
 * a definitions file applied.
 *
 *   mutate DEFINITIONS --list SOURCE     one line per entry:
 *                                        NAME<TAB>KIND<TAB>CATEGORY<TAB>NOTE
 *                                        [<TAB>equivalent: REASON]
 *                                        [<TAB>changes: ID ID ...]
 *   mutate DEFINITIONS NAME SOURCE OUT   apply entry NAME to SOURCE, write OUT
 *
 * A definitions file holds entries like this:
 *
 *   @ KIND NAME CATEGORY
 *   ! one line saying what the change is
 *   <<<
 *   exact text of the reference source (one or more lines)
 *   ===
 *   the text that replaces it
 *   >>>
 *
 * KIND says what the suite must make of the change (tools/mutants/run
 * decides from it):
 *   mutant   a seeded defect, which the suite must catch.  A line
 *            "? reason" marks one that is equivalent to the reference by
 *            design.
 *   legal    a legal variant: it differs from the reference only where the
 *            documentation leaves the behaviour open, so the suite must
 *            pass it.  A line "= ID ID ..." names the undefined rows whose
 *            observation it changes.
 * An entry may have several <<< === >>> replacements.  Lines starting with
 * # outside a replacement are comments.
 *
 * The original text is the lines between <<< and ===, joined by line
 * breaks; the break after the last line is not part of it, so the text
 * may stop where the code on that line stops, before a trailing comment.
 * It must occur exactly once in the source, and none of it may lie inside
 * a comment: a definition that no longer matches the reference fails
 * loudly instead of silently testing nothing, and editing a comment never
 * breaks one.  Both are checked by --list too.
 *
 * This is a host program: it runs on the build machine.
 */

#include <stdlib.h>
#include <string.h>

#include "common.h"

const char tool_name[] = "mutate";

struct source
{
    char *text;
    size_t len;
    char *in_comment;           /* one flag per byte of text */
};

static void die(const char *msg, const char *arg)
{
    fprintf(stderr, "mutate: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    exit(2);
}

static char *read_or_die(const char *path, size_t *len)
{
    char *text = read_whole_file(path, len);

    if (!text) die("cannot read", path);
    return text;
}

/* Marks the bytes of C comments, skipping string and character literals
 * (a quote may hold a comment's opening characters). */
static void mark_comments(struct source *s)
{
    const char *t = s->text;
    size_t i = 0, start;

    s->in_comment = xmalloc(s->len + 1);
    memset(s->in_comment, 0, s->len + 1);
    while (i < s->len)
    {
        start = i;
        if (t[i] == '/' && t[i + 1] == '*')
        {
            const char *end = strstr(t + i + 2, "*/");

            i = end ? (size_t)(end - t) + 2 : s->len;
            memset(s->in_comment + start, 1, i - start);
        }
        else if (t[i] == '/' && t[i + 1] == '/')
        {
            while (i < s->len && t[i] != '\n') i++;
            memset(s->in_comment + start, 1, i - start);
        }
        else if (t[i] == '"' || t[i] == '\'')
        {
            for (i++; i < s->len && t[i] != t[start] && t[i] != '\n'; i++)
                if (t[i] == '\\') i++;
            i++;
        }
        else i++;
    }
}

static void load_source(struct source *s, const char *path)
{
    s->text = read_or_die(path, &s->len);
    mark_comments(s);
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

/* Collects lines up to the terminator line, joined by line breaks. */
static struct buffer read_block(char **pos, const char *terminator, const char *name)
{
    struct buffer block = {0};
    char *line;
    int lines = 0;

    buffer_append(&block, "", 0);
    while ((line = next_line(pos)))
    {
        if (!strcmp(line, terminator)) return block;
        if (lines++) buffer_append(&block, "\n", 1);
        buffer_append(&block, line, strlen(line));
    }
    die("unterminated replacement in entry", name);
    return block;
}

/* Where the original text is in the source: it must occur exactly once,
 * outside comments (see the header). */
static const char *find_once(const struct source *s, const struct buffer *from, const char *name)
{
    const char *at = NULL, *p = s->text;
    size_t count = 0, i;

    while ((p = strstr(p, from->data)))
    {
        if (!count++) at = p;
        p += from->len;
    }
    if (count != 1)
    {
        fprintf(stderr, "mutate: entry %s: its original text occurs %u times in the source, expected once:\n%s\n",
                name, (unsigned)count, from->data);
        exit(2);
    }
    for (i = 0; i < from->len; i++)
    {
        if (s->in_comment[at - s->text + i])
        {
            fprintf(stderr, "mutate: entry %s: its original text reaches into a comment; anchor it on code:\n%s\n",
                    name, from->data);
            exit(2);
        }
    }
    return at;
}

static void replace_once(struct source *s, const struct buffer *from, const struct buffer *to, const char *name)
{
    struct buffer result = {0};
    const char *at = find_once(s, from, name);
    size_t offset = at - s->text;

    buffer_append(&result, s->text, offset);
    buffer_append(&result, to->data, to->len);
    buffer_append(&result, at + from->len, s->len - offset - from->len);
    free(s->text);
    free(s->in_comment);
    s->text = result.data;
    s->len = result.len;
    mark_comments(s);
}

static int known_kind(const char *kind)
{
    return !strcmp(kind, "mutant") || !strcmp(kind, "legal");
}

static void print_entry(const char *name, const char *kind, const char *category, const char *note,
                        const char *equivalent, const char *changes)
{
    printf("%s\t%s\t%s\t%s", name, kind, category, note);
    if (*equivalent) printf("\tequivalent: %s", equivalent);
    if (!strcmp(kind, "legal")) printf("\tchanges: %s", changes);
    printf("\n");
}

/* Walks the definitions.  With want == NULL lists them, checking each
 * against the source; otherwise applies the entry called want to *source
 * and returns 1 if it was found. */
static int walk(char *defs, const char *want, struct source *source)
{
    char name[128] = "", kind[32] = "", category[64] = "", note[512] = "", equivalent[512] = "", changes[512] = "";
    int found = 0, in_want = 0;
    char *line, *pos = defs;

    while ((line = next_line(&pos)))
    {
        if (line[0] == '@')
        {
            if (!want && *name) print_entry(name, kind, category, note, equivalent, changes);
            *note = *equivalent = *changes = 0;
            if (sscanf(line, "@ %31s %127s %63s", kind, name, category) != 3) die("malformed entry header", line);
            if (!known_kind(kind)) die("unknown kind of entry (\"mutant\" or \"legal\")", line);
            in_want = want && !strcmp(name, want);
            found |= in_want;
        }
        else if (line[0] == '!') snprintf(note, sizeof(note), "%s", line + 2);
        else if (line[0] == '?')
        {
            if (strcmp(kind, "mutant")) die("only a mutant can be marked equivalent", name);
            snprintf(equivalent, sizeof(equivalent), "%s", line + 2);
        }
        else if (line[0] == '=' && line[1] == ' ')
        {
            if (strcmp(kind, "legal")) die("only a legal variant names the rows it changes", name);
            snprintf(changes, sizeof(changes), "%s", line + 2);
        }
        else if (!strcmp(line, "<<<"))
        {
            struct buffer from, to;

            if (!*name) die("replacement before any entry header", NULL);
            from = read_block(&pos, "===", name);
            to = read_block(&pos, ">>>", name);
            if (!from.len) die("empty original text in entry", name);
            if (in_want) replace_once(source, &from, &to, name);
            else if (!want) find_once(source, &from, name);
            free(from.data);
            free(to.data);
        }
    }
    if (!want && *name) print_entry(name, kind, category, note, equivalent, changes);
    return found;
}

int main(int argc, char **argv)
{
    struct source source;
    char *defs;
    FILE *out;

    if (argc == 4 && !strcmp(argv[2], "--list"))
    {
        defs = read_or_die(argv[1], NULL);
        load_source(&source, argv[3]);
        walk(defs, NULL, &source);
        return 0;
    }
    if (argc != 5)
    {
        fprintf(stderr, "usage: mutate DEFINITIONS --list SOURCE\n"
                        "       mutate DEFINITIONS NAME SOURCE OUT\n");
        return 2;
    }
    defs = read_or_die(argv[1], NULL);
    load_source(&source, argv[3]);
    if (!walk(defs, argv[2], &source)) die("no such entry", argv[2]);
    if (!(out = fopen(argv[4], "wb"))) die("cannot write", argv[4]);
    fwrite(source.text, 1, source.len, out);
    return fclose(out) ? 2 : 0;
}
