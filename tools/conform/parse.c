/*
 * Parsing the output of one mallocspy_test.exe process (Wine test.h format):
 *
 *   realloc.c:88: REALLOC-07: Test failed: got 0, expected non-NULL
 *   realloc.c:88: Test failed: REALLOC-07: got 0, expected non-NULL
 *   runner.c:84: Test failed: GETSIZE-12: crashed: exception c0000005  (a crash the suite confined)
 *   realloc.c:88: REALLOC-07: CoTaskMemRealloc: Test succeeded
 *   realloc.c:90: REALLOC-07: Tests skipped: reason
 *   realloc.c:120: REALLOC-31: observed: PreRealloc PostRealloc(NULL)
 *   realloc.c:80: REALLOC-07: reached          (at WINETEST_DEBUG > 1)
 *   impl.c:40: implementation: Z:\x\refole32.dll version 1.0.0.0
 *   impl.c:37: Test failed: cannot load "foo.dll": error 126
 *   0a1c:realloc: 12 tests executed (0 marked as todo, 0 as flaky, 1 failure), 0 skipped.
 *
 * A line is "file:LINE[...]: " followed by contexts ("ctx: "); the first
 * context, when it is a behaviour ID, owns the line.  The message is found
 * at the start of the text or right after a ": ".  Wine's test.h prints the
 * contexts after the message type instead ("Test failed: ID: ..."): an ID
 * right after the message type owns the line too.  A "Test succeeded" line
 * without any ID context (Wine's test.h prints none) counts nowhere: the
 * suite's "ID: reached" lines, printed when it enters a behaviour at
 * WINETEST_DEBUG > 1, are what show that a behaviour's checks ran.  Anything else (wine
 * debugger output, stray prints, colour escapes) is counted as garbage or
 * ignored.
 */

#include "conform.h"

static const char *skip_location(const char *line)
{
    const char *p = line;

    /* file name: no spaces or colons */
    while (*p && *p != ':' && *p != ' ' && *p != '\t') p++;
    if (p == line || *p != ':' || !(p[1] >= '0' && p[1] <= '9')) return NULL;
    p++;
    while (*p >= '0' && *p <= '9') p++;
    /* optional extra fields (e.g. timing) up to ": " */
    while (*p && *p != ' ' && *p != '\t') p++;
    if (p[-1] != ':') return NULL;
    while (*p == ' ') p++;
    return p;
}

enum kind { K_NONE, K_FAILED, K_TODO_FAILED, K_SUCCEEDED, K_SKIPPED, K_OBSERVED, K_REACHED };

static const struct
{
    const char *prefix;
    enum kind kind;
}
keywords[] =
{
    { "Test failed", K_FAILED },
    { "Test succeeded inside todo block", K_TODO_FAILED },
    { "Test marked todo", K_TODO_FAILED },
    { "Test marked flaky", K_SUCCEEDED },
    { "Test succeeded", K_SUCCEEDED },
    { "Tests skipped", K_SKIPPED },
    { "observed: ", K_OBSERVED },
    { "reached", K_REACHED },
};

/* Finds the message kind at the start of text or after any ": "; *msg gets
 * the text after the keyword (and its ": "). */
static enum kind find_message(const char *text, const char **msg)
{
    const char *p = text;
    size_t i;

    for (;;)
    {
        for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
        {
            size_t n = strlen(keywords[i].prefix);

            if (!strncmp(p, keywords[i].prefix, n))
            {
                if (keywords[i].kind == K_REACHED && p[n]) continue;   /* the whole message only */
                p += n;
                if (keywords[i].kind != K_OBSERVED)
                {
                    if (*p == ':') p++;
                    while (*p == ' ') p++;
                }
                *msg = p;
                return keywords[i].kind;
            }
        }
        if (!(p = strstr(p, ": "))) return K_NONE;
        p += 2;
    }
}

static int parse_summary(const char *line, struct parsed *p)
{
    const char *q = strstr(line, " tests executed (");
    const char *s;
    unsigned executed, todo, failures, skipped;

    if (!q) return 0;
    for (s = q; s > line && s[-1] >= '0' && s[-1] <= '9'; s--)
        ;
    if (s == q || sscanf(s, "%u tests executed (%u marked as todo", &executed, &todo) != 2) return 0;
    if (!(q = strstr(q, "as flaky, ")) && !(q = strstr(s, "as todo, "))) return 0;
    q = strchr(q, ',') + 2;
    if (sscanf(q, "%u failure", &failures) != 1) return 0;
    if (!(q = strstr(q, "), ")) || sscanf(q + 3, "%u skipped", &skipped) != 1) return 0;
    p->have_summary = 1;
    p->sum_executed += executed;
    p->sum_todo += todo;
    p->sum_failures += failures;
    p->sum_skipped += skipped;
    return 1;
}

/* test.h catches an exception in a test, prints
 *   0a1c:realloc: unhandled exception c0000005 at 000000031c5e0dc5
 * and exits with its failure count: the process died all the same. */
static int parse_exception(const char *line, struct parsed *p)
{
    const char *q = strstr(line, ": unhandled exception ");
    unsigned long code;

    if (!q || sscanf(q, ": unhandled exception %lx", &code) != 1) return 0;
    if (!p->exception) p->exception = code;
    return 1;
}

/* Removes ANSI colour escapes in place. */
static void strip_escapes(char *s)
{
    char *out = s;

    while (*s)
    {
        if (*s == 0x1b && s[1] == '[')
        {
            s += 2;
            while (*s && !(*s >= '@' && *s <= '~')) s++;
            if (*s) s++;
            continue;
        }
        *out++ = *s++;
    }
    *out = 0;
}

static int implementation_fields(const char *text, char *path, size_t pathsize, char *version, size_t versionsize)
{
    const char *v;

    if (strncmp(text, "implementation: ", 16)) return 0;
    text += 16;
    if (!(v = strstr(text, " version "))) return 0;
    while (strstr(v + 1, " version ")) v = strstr(v + 1, " version ");
    snprintf(path, pathsize, "%.*s", (int)(v - text), text);
    snprintf(version, versionsize, "%s", v + 9);
    return 1;
}

static void parse_line(char *line, struct parsed *p)
{
    const char *text, *msg;
    char id[64] = "";
    size_t idlen;
    enum kind kind;
    struct result *r;

    strip_escapes(line);
    if (!*trim(line)) return;
    if (!(text = skip_location(line)))
    {
        if (!parse_exception(line, p) && !parse_summary(line, p)) p->garbage++;
        return;
    }
    if (!p->have_impl && implementation_fields(text, p->impl_path, sizeof(p->impl_path),
                                               p->impl_version, sizeof(p->impl_version)))
    {
        p->have_impl = 1;
        return;
    }
    if ((idlen = behaviour_id_length(text)) && text[idlen] == ':' && idlen < sizeof(id))
    {
        memcpy(id, text, idlen);
        id[idlen] = 0;
        text += idlen + 1;
        while (*text == ' ') text++;
    }
    kind = find_message(text, &msg);
    if (kind == K_NONE && (msg = strstr(text, "Test failed")))
    {
        /* not in the expected shape, but a failure is never dropped */
        kind = K_FAILED;
    }
    /* Wine's test.h prints the contexts after the message type:
     * "Test failed: REALLOC-07: got ..." */
    if (!id[0] && kind != K_NONE && kind != K_OBSERVED && (idlen = behaviour_id_length(msg))
        && msg[idlen] == ':' && idlen < sizeof(id))
    {
        memcpy(id, msg, idlen);
        id[idlen] = 0;
    }
    if (!id[0])
    {
        if (kind == K_FAILED || kind == K_TODO_FAILED)
        {
            p->unattributed++;
            if (p->unattributed_messages.count < MAX_MESSAGES) strlist_add(&p->unattributed_messages, line);
            if (strstr(msg, "cannot load") && !p->load_error[0])
                snprintf(p->load_error, sizeof(p->load_error), "%s", msg);
        }
        else if (kind == K_SUCCEEDED) p->anonymous_successes++;
        return;
    }
    r = resultlist_get(&p->results, id, 1);
    free(p->last_id);
    p->last_id = xstrdup(id);
    switch (kind)
    {
    case K_FAILED:
    case K_TODO_FAILED:
        r->failed++;
        result_add_message(r, line);
        /* the suite confines a crash to its behaviour and says so:
         * "Test failed: ID: crashed: ..." */
        if (kind == K_FAILED && !r->forced)
        {
            const char *what = !strncmp(msg, id, strlen(id)) && msg[strlen(id)] == ':' ? msg + strlen(id) + 2 : msg;

            if (!strncmp(what, "crashed: ", 9))
            {
                r->forced = ST_CRASH;
                r->note = xsprintf("the implementation %s", what);
            }
        }
        break;
    case K_SUCCEEDED:
        r->passed++;
        break;
    case K_REACHED:
        r->reached++;
        break;
    case K_SKIPPED:
        r->skipped++;
        result_add_message(r, line);
        break;
    case K_OBSERVED:
    {
        char *value = xstrdup(msg);

        strlist_add_unique_sorted(&r->observations, trim(value));
        free(value);
        break;
    }
    case K_NONE:
        break;
    }
}

void parse_output(const char *text, size_t len, struct parsed *p)
{
    size_t start = 0, i;

    for (i = 0; i <= len; i++)
    {
        if (i == len || text[i] == '\n' || text[i] == 0)
        {
            if (i > start)
            {
                char *line = xstrndup(text + start, i - start);

                parse_line(line, p);
                free(line);
            }
            start = i + 1;
        }
    }
}

/* For progress display: finds the implementation line in partial output. */
int parse_implementation_line(const char *text, size_t len, char *path, size_t pathsize,
                              char *version, size_t versionsize)
{
    size_t start = 0, i;

    for (i = 0; i < len; i++)
    {
        if (text[i] == '\n')
        {
            char *line = xstrndup(text + start, i - start);
            const char *rest = skip_location(trim(line));
            int found = rest && implementation_fields(rest, path, pathsize, version, versionsize);

            free(line);
            if (found) return 1;
            start = i + 1;
        }
    }
    return 0;
}

/* What the output says beats the exit code: a test that could not load
 * the implementation, or whose exception test.h caught. */
void parse_correct_outcome(const struct parsed *p, enum outcome *outcome, unsigned long *exit_code)
{
    if (*outcome != OUT_OK && *outcome != OUT_FAILED) return;
    if (p->exception)
    {
        *outcome = OUT_CRASH;
        *exit_code = p->exception;
    }
    else if (p->load_error[0]) *outcome = OUT_NOLOAD;
}

/* A process that crashed or timed out died while on the last ID it printed. */
void parse_mark_died(struct parsed *p, const char *test, enum outcome outcome, unsigned long exit_code)
{
    struct result *r;

    if ((outcome != OUT_CRASH && outcome != OUT_TIMEOUT) || !p->last_id) return;
    r = resultlist_get(&p->results, p->last_id, 1);
    r->forced = outcome == OUT_CRASH ? ST_CRASH : ST_TIMEOUT;
    free(r->note);
    r->note = outcome == OUT_CRASH
              ? xsprintf("test %s crashed (exception 0x%08lx) after this behaviour's last line", test, exit_code)
              : xsprintf("test %s timed out after this behaviour's last line", test);
}

void parse_free(struct parsed *p)
{
    size_t i;

    for (i = 0; i < p->results.count; i++)
    {
        struct result *r = &p->results.items[i];
        size_t j;

        free(r->id);
        free(r->note);
        for (j = 0; j < r->observations.count; j++) free(r->observations.items[j]);
        for (j = 0; j < r->messages.count; j++) free(r->messages.items[j]);
        free(r->observations.items);
        free(r->messages.items);
    }
    free(p->results.items);
    free(p->last_id);
    memset(p, 0, sizeof(*p));
}
