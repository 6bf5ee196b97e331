/*
 * Baselines: saved expectations for one implementation.
 *
 * A text file, one line per behaviour:
 *     ID STATUS [VALUE]
 * STATUS is pass, fail, skip, crash, timeout, missing, or observed followed
 * by one space and the exact observed value (the rest of the line).  Lines
 * whose first non-blank character is '#' are comments; blank lines are
 * ignored.  "* STATUS" sets the expectation of every behaviour that the run
 * reports but the file does not list (e.g. "* pass" in a file that lists only
 * known failures); without it such behaviours are only mentioned.
 * "pass" also accepts an observation (whatever its value).
 */

#include "conform.h"

struct expectation
{
    char *id;
    enum status st;
    char *value;
};

static int load(const char *file, struct expectation **list, size_t *count, struct expectation *def,
                char **error)
{
    size_t len, lineno = 0;
    char *text = read_whole_file(file, &len), *line, *next;

    *list = NULL;
    *count = 0;
    def->id = NULL;
    if (!text)
    {
        *error = xsprintf("cannot read baseline %s", file);
        return -1;
    }
    for (line = text; line && *line; line = next)
    {
        char *id, *word, *value = NULL, *sp;
        struct expectation e;
        size_t i;

        lineno++;
        if ((next = strchr(line, '\n'))) *next++ = 0;
        line = trim(line);
        if (!*line || *line == '#') continue;
        id = line;
        if (!(sp = strpbrk(line, " \t")))
        {
            *error = xsprintf("%s:%u: expected \"ID STATUS\"", file, (unsigned)lineno);
            return -1;
        }
        *sp++ = 0;
        while (*sp == ' ' || *sp == '\t') sp++;
        word = sp;
        if ((sp = strpbrk(word, " \t")))
        {
            *sp++ = 0;
            value = sp;   /* exact: only the one separating space is dropped */
        }
        if (strcmp(id, "*") && !is_behaviour_id(id, strlen(id)))
        {
            *error = xsprintf("%s:%u: \"%s\" is not a behaviour ID", file, (unsigned)lineno, id);
            return -1;
        }
        if (status_parse(word, &e.st) || e.st == ST_NONE)
        {
            *error = xsprintf("%s:%u: unknown status \"%s\"", file, (unsigned)lineno, word);
            return -1;
        }
        if ((e.st == ST_OBSERVED) != (value != NULL))
        {
            *error = xsprintf("%s:%u: %s", file, (unsigned)lineno,
                              e.st == ST_OBSERVED ? "\"observed\" needs the value" : "only \"observed\" takes a value");
            return -1;
        }
        e.id = xstrdup(id);
        e.value = value ? xstrdup(value) : NULL;
        if (!strcmp(id, "*"))
        {
            *def = e;
            continue;
        }
        for (i = 0; i < *count; i++)
            if (!strcmp((*list)[i].id, id))
            {
                *error = xsprintf("%s:%u: %s listed twice", file, (unsigned)lineno, id);
                return -1;
            }
        *list = xrealloc(*list, (*count + 1) * sizeof(**list));
        (*list)[(*count)++] = e;
    }
    free(text);
    return 0;
}

static int good(enum status st) { return st == ST_PASS || st == ST_OBSERVED; }
static int bad(enum status st) { return st == ST_FAIL || st == ST_CRASH || st == ST_TIMEOUT; }

static char *describe(enum status st, const char *value)
{
    if (st == ST_OBSERVED) return xsprintf("observed \"%s\"", value ? value : "");
    return xstrdup(status_display(st));
}

/* The kind of difference, or NULL when the result meets the expectation. */
static const char *compare(enum status exp, const char *expval, enum status got, const char *gotval)
{
    if (exp == ST_PASS && good(got)) return NULL;
    if (exp == got && (exp != ST_OBSERVED || !strcmp(expval, gotval ? gotval : ""))) return NULL;
    if (got == ST_MISSING || got == ST_NONE) return "missing";
    if (good(exp) || exp == ST_SKIP || exp == ST_MISSING)
    {
        if (bad(got)) return "new failure";
        if (got == ST_SKIP) return "unexpected skip";
        if (exp == ST_OBSERVED && got == ST_OBSERVED) return "observed value changed";
        if (exp == ST_OBSERVED) return "observation missing";
        return "unexpected pass";
    }
    /* expected a failure */
    if (good(got)) return "unexpected pass";
    if (got == ST_SKIP) return "unexpected skip";
    return "failure changed";
}

static void add_diff(struct baseline_check *check, const char *id, const char *kind, enum status exp,
                     const char *expval, enum status got, const char *gotval)
{
    struct difference *d;

    check->diffs = xrealloc(check->diffs, (check->ndiffs + 1) * sizeof(*check->diffs));
    d = &check->diffs[check->ndiffs++];
    d->id = id;
    d->kind = kind;
    d->expected = describe(exp, expval);
    d->got = describe(got, gotval);
}

void baseline_check(struct run *run, struct baseline_check *check)
{
    struct expectation *list, def;
    size_t count, i, j;

    if (load(check->file, &list, &count, &def, &check->error)) return;
    for (i = 0; i < run->nrows; i++)
    {
        const struct row *row = &run->rows[i];
        const struct expectation *e = NULL;
        enum status got = cell_status(check->impl, row->id);
        char *gotval = cell_observed(check->impl, row->id);
        const char *kind;

        for (j = 0; j < count; j++)
            if (!strcmp(list[j].id, row->id)) e = &list[j];
        if (!e && def.id && row->seen) e = &def;
        if (!e)
        {
            if (row->seen) strlist_add(&check->unlisted, row->id);
            free(gotval);
            continue;
        }
        if ((kind = compare(e->st, e->value, got, gotval)))
            add_diff(check, row->id, kind, e->st, e->value, got, gotval);
        free(gotval);
    }
}

int baseline_print(const struct baseline_check *check, FILE *out)
{
    size_t i;

    if (check->error)
    {
        fprintf(out, "\nbaseline: %s\n", check->error);
        return -1;
    }
    fprintf(out, "\nbaseline %s (%s): ", check->file, check->impl->key);
    if (!check->ndiffs) fprintf(out, "as expected\n");
    else fprintf(out, "%u difference%s\n", (unsigned)check->ndiffs, check->ndiffs == 1 ? "" : "s");
    for (i = 0; i < check->ndiffs; i++)
        fprintf(out, "  %s: %s (expected %s, got %s)\n", check->diffs[i].kind, check->diffs[i].id,
                check->diffs[i].expected, check->diffs[i].got);
    if (check->unlisted.count)
    {
        char *ids = strlist_join(&check->unlisted, " ");
        fprintf(out, "  not in the baseline (not checked): %s\n", ids);
        free(ids);
    }
    return 0;
}

int baseline_write(const struct run *run, const struct impl *impl, const char *path)
{
    FILE *f = fopen(path, "wb");
    size_t i;

    if (!f) return -1;
    fprintf(f, "# conform.exe baseline for %s (%s)\n", impl->key, impl->label);
    fprintf(f, "# Format: ID STATUS [OBSERVED VALUE]; see tools/conform/README.md.\n");
    for (i = 0; i < run->nrows; i++)
    {
        enum status st = cell_status(impl, run->rows[i].id);
        char *obs;

        if (st == ST_NONE) st = ST_MISSING;
        if (st == ST_OBSERVED)
        {
            obs = cell_observed(impl, run->rows[i].id);
            fprintf(f, "%s observed %s\n", run->rows[i].id, obs);
            free(obs);
        }
        else fprintf(f, "%s %s\n", run->rows[i].id, status_word(st));
    }
    return fclose(f) ? -1 : 0;
}
