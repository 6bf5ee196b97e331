/*
 * The behaviour catalogue (tests/catalogue.md): one row per behaviour ID
 * with its class, source, description and, for undefined behaviours, the
 * reference choice (the observation refole32 prints).  This file is the
 * only reader of catalogue.md; the rules:
 *   - rows are lines starting with '|'; cells are split on '|' except "\|";
 *   - the first cell must be a behaviour ID, else the line is skipped
 *     (header, separator, prose tables); a first cell that starts like an
 *     ID (LETTERS-digit) but is not one is an error;
 *   - a row has exactly five cells: ID, class, source, behaviour,
 *     reference choice (empty but for undefined rows);
 *   - cells are trimmed, a tab inside a cell becomes a space, and a cell
 *     wholly wrapped in `backticks` loses them.
 */

#include <stdlib.h>
#include <string.h>

#include "catalogue.h"

#define CELLS 5

static const struct catalogue_entry *entries;
static size_t nentries;

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

/* Whether s starts as an ID does (LETTERS-digit), whatever follows. */
static int looks_like_id(const char *s)
{
    size_t i;

    if (!(s[0] >= 'A' && s[0] <= 'Z')) return 0;
    for (i = 1; (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9'); i++)
        ;
    return s[i] == '-' && s[i + 1] >= '0' && s[i + 1] <= '9';
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

/* Splits one table line into cells (modifies line): stores at most max,
 * returns how many there are. */
static int split_cells(char *line, char **cells, int max)
{
    char *p = line, *out, *cell;
    int n = 0;

    if (*p != '|') return 0;
    p++;
    while (*p)
    {
        cell = out = p;
        while (*p && *p != '|')
        {
            if (p[0] == '\\' && p[1] == '|') p++;
            *out++ = *p++;
        }
        if (!*p)
        {
            /* text after the last '|' is not a cell unless it has content */
            *out = 0;
            if (!*trim(cell)) break;
        }
        else p++;
        *out = 0;
        if (n < max) cells[n] = cell;
        n++;
    }
    return n;
}

static char *clean_cell(char *cell)
{
    size_t len;
    char *p;

    for (p = cell; *p; p++)
        if (*p == '\t') *p = ' ';
    cell = trim(cell);
    len = strlen(cell);
    if (len >= 2 && cell[0] == '`' && cell[len - 1] == '`' && !memchr(cell + 1, '`', len - 2))
    {
        cell[len - 1] = 0;
        cell++;
    }
    return cell;
}

/* What a row must say beyond its shape: a known class, a source and a
 * behaviour, and a reference choice exactly when the row is undefined.
 * Returns 1 (with the reason in errors) when it does not. */
static int row_rule_broken(char **cells, const char *file, unsigned lineno, const char *id, struct strlist *errors)
{
    const char *cls = cells[1], *why = NULL;
    int undefined = !strcmp(cls, "undefined");

    if (!undefined && strcmp(cls, "documented") && strcmp(cls, "windows"))
        why = "unknown class (documented, windows or undefined)";
    else if (!cells[2][0]) why = "no source";
    else if (!cells[3][0]) why = "no behaviour";
    else if (undefined && !cells[4][0]) why = "undefined without a reference choice";
    else if (!undefined && cells[4][0]) why = "only undefined rows have a reference choice";
    if (!why) return 0;
    strlist_printf(errors, "%s:%u: %s: %s", file, lineno, id, why);
    return 1;
}

/* Parses one line; returns 1 and fills *entry for a row, 0 for a line that
 * is not one, -1 (with the reason in errors) for a malformed row. */
static int parse_row(char *line, const char *file, unsigned lineno, struct catalogue_entry *entry,
                     struct strlist *errors)
{
    char *cells[CELLS], *id;
    int n, i;

    n = split_cells(trim(line), cells, CELLS);
    if (n < 1) return 0;
    id = clean_cell(cells[0]);
    if (!is_behaviour_id(id, strlen(id)))
    {
        if (!looks_like_id(id)) return 0;
        strlist_printf(errors, "%s:%u: \"%s\" is not a behaviour ID (LETTERS-NN)", file, lineno, id);
        return -1;
    }
    if (n != CELLS)
    {
        strlist_printf(errors, "%s:%u: %s: %d cells, expected %d (ID, class, source, behaviour, "
                       "reference choice)", file, lineno, id, n, CELLS);
        return -1;
    }
    for (i = 1; i < CELLS; i++) cells[i] = clean_cell(cells[i]);
    if (row_rule_broken(cells, file, lineno, id, errors)) return -1;
    entry->id = xstrdup(id);
    entry->cls = xstrdup(cells[1]);
    entry->source = xstrdup(cells[2]);
    entry->behaviour = xstrdup(cells[3]);
    entry->choice = xstrdup(cells[4]);
    return 1;
}

static const struct catalogue_entry *find_entry(const struct catalogue_entry *list, size_t count, const char *id)
{
    size_t i;

    for (i = 0; i < count; i++)
        if (!strcmp(list[i].id, id)) return &list[i];
    return NULL;
}

/* Reads a catalogue.md and uses it from then on.  Returns 0, or -1 with
 * one line in errors per malformed row (then nothing changes). */
int catalogue_load_file(const char *path, struct strlist *errors)
{
    struct catalogue_entry *list = NULL;
    size_t count = 0, cap = 0, errors_before = errors->count;
    unsigned lineno = 0;
    char *text = read_whole_file(path, NULL), *line, *next;

    if (!text)
    {
        strlist_printf(errors, "cannot read catalogue %s", path);
        return -1;
    }
    for (line = text; *line; line = next)
    {
        lineno++;
        if ((next = strchr(line, '\n'))) *next++ = 0;
        else next = line + strlen(line);
        if (count == cap)
        {
            cap = cap ? cap * 2 : 64;
            list = xrealloc(list, cap * sizeof(*list));
        }
        if (parse_row(line, path, lineno, &list[count], errors) <= 0) continue;
        if (find_entry(list, count, list[count].id))
            strlist_printf(errors, "%s:%u: %s: duplicate ID", path, lineno, list[count].id);
        count++;
    }
    free(text);
    if (errors->count > errors_before) return -1;
    catalogue_use(list, count);
    return 0;
}

void catalogue_use(const struct catalogue_entry *list, size_t count)
{
    entries = list;
    nentries = count;
}

const struct catalogue_entry *catalogue_find(const char *id)
{
    return find_entry(entries, nentries, id);
}

size_t catalogue_count(void)
{
    return nentries;
}

const struct catalogue_entry *catalogue_get(size_t index)
{
    return index < nentries ? &entries[index] : NULL;
}

/* The machine-readable form: one line per row, its five cells separated
 * by tabs (make_catalogue -t, conform.exe --list-catalogue). */
void catalogue_print(FILE *out)
{
    size_t i;

    for (i = 0; i < nentries; i++)
        fprintf(out, "%s\t%s\t%s\t%s\t%s\n", entries[i].id, entries[i].cls, entries[i].source,
                entries[i].behaviour, entries[i].choice);
}
