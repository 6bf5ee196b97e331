/*
 * Per-behaviour results: one struct result per ID and implementation,
 * merged from the test processes; the rows of the matrix; cell values.
 *
 * Status of one ID (first rule that applies):
 *   crash / timeout  the test process died while on this ID, or died before
 *                    reaching an ID that the same test reports for other
 *                    implementations
 *   FAIL             any "Test failed", "Test succeeded inside todo block"
 *                    or "Test marked todo" line
 *   observed         an "observed: VALUE" trace (several distinct values are
 *                    sorted and joined with " | ")
 *   skip             skipped lines: some of its checks did not run
 *   pass             reached (or succeeded) lines and nothing of the above
 *   missing          not reported at all for this implementation ("-")
 */

#include "conform.h"

struct result *resultlist_get(struct resultlist *list, const char *id, int create)
{
    size_t i;

    for (i = 0; i < list->count; i++)
        if (!strcmp(list->items[i].id, id)) return &list->items[i];
    if (!create) return NULL;
    if (list->count == list->cap)
    {
        list->cap = list->cap ? list->cap * 2 : 32;
        list->items = xrealloc(list->items, list->cap * sizeof(*list->items));
    }
    memset(&list->items[list->count], 0, sizeof(list->items[0]));
    list->items[list->count].id = xstrdup(id);
    return &list->items[list->count++];
}

const struct result *resultlist_find(const struct resultlist *list, const char *id)
{
    return resultlist_get((struct resultlist *)list, id, 0);
}

void result_add_message(struct result *r, const char *msg)
{
    if (r->messages.count < MAX_MESSAGES) strlist_add(&r->messages, msg);
}

void result_merge(struct result *dst, const struct result *src)
{
    size_t i;

    dst->passed += src->passed;
    dst->failed += src->failed;
    dst->skipped += src->skipped;
    dst->reached += src->reached;
    for (i = 0; i < src->observations.count; i++)
        strlist_add_unique_sorted(&dst->observations, src->observations.items[i]);
    for (i = 0; i < src->messages.count; i++) result_add_message(dst, src->messages.items[i]);
    if (src->forced && !dst->forced)
    {
        dst->forced = src->forced;
        if (src->note) dst->note = xstrdup(src->note);
    }
    if (!dst->test && src->test) dst->test = xstrdup(src->test);
}

enum status result_status(const struct result *r)
{
    if (!r) return ST_MISSING;
    if (r->forced) return r->forced;
    if (r->failed) return ST_FAIL;
    if (r->observations.count) return ST_OBSERVED;
    if (r->skipped) return ST_SKIP;
    if (r->passed || r->reached) return ST_PASS;
    return ST_NONE;
}

char *result_observed(const struct result *r)
{
    if (!r || !r->observations.count) return NULL;
    return strlist_join(&r->observations, " | ");
}

static const char *const words[] = { "empty", "pass", "observed", "skip", "fail", "crash", "timeout", "missing" };
static const char *const shown[] = { "?", "pass", "observed", "skip", "FAIL", "crash", "timeout", "-" };

const char *status_word(enum status st)
{
    return words[st];
}

const char *status_display(enum status st)
{
    return shown[st];
}

int status_parse(const char *word, enum status *st)
{
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (!_stricmp(word, words[i]))
        {
            *st = i;
            return 0;
        }
    return -1;
}

/* Parses every test process of one implementation and merges the results. */
void impl_collect(struct impl *impl)
{
    size_t t, i;

    for (t = 0; t < impl->nruns; t++)
    {
        struct testrun *run = &impl->runs[t];
        struct parsed p;

        memset(&p, 0, sizeof(p));
        if (run->output) parse_output(run->output, run->output_len, &p);
        if (p.have_impl && !impl->path[0])
        {
            snprintf(impl->path, sizeof(impl->path), "%s", p.impl_path);
            snprintf(impl->version, sizeof(impl->version), "%s", p.impl_version);
        }
        parse_correct_outcome(&p, &run->outcome, &run->exit_code);
        if (p.load_error[0] && !impl->load_error[0])
            snprintf(impl->load_error, sizeof(impl->load_error), "%s", p.load_error);
        parse_mark_died(&p, run->name, run->outcome, run->exit_code);
        for (i = 0; i < p.results.count; i++)
        {
            struct result *dst = resultlist_get(&impl->results, p.results.items[i].id, 1);

            p.results.items[i].test = run->name;
            result_merge(dst, &p.results.items[i]);
            p.results.items[i].test = NULL;
        }
        impl->unattributed += p.unattributed;
        impl->anonymous_successes += p.anonymous_successes;
        run->have_summary = p.have_summary;
        for (i = 0; i < p.unattributed_messages.count; i++)
            if (impl->unattributed_messages.count < MAX_MESSAGES)
                strlist_printf(&impl->unattributed_messages, "%s: %s", run->name, p.unattributed_messages.items[i]);
        parse_free(&p);
    }
}

/* A test process that crashed or timed out did not reach its remaining IDs.
 * Which IDs a test reports is learnt from the other implementations: those
 * this implementation lacks are marked crash / timeout. */
void run_attribute_unfinished(struct run *run)
{
    size_t i, j, t, k;

    for (i = 0; i < run->nimpls; i++)
    {
        struct impl *impl = run->impls[i];

        for (t = 0; t < impl->nruns; t++)
        {
            struct testrun *tr = &impl->runs[t];

            if (tr->outcome != OUT_CRASH && tr->outcome != OUT_TIMEOUT) continue;
            for (j = 0; j < run->nimpls; j++)
            {
                const struct impl *other = run->impls[j];

                if (other == impl) continue;
                for (k = 0; k < other->results.count; k++)
                {
                    const struct result *o = &other->results.items[k];
                    struct result *r;

                    if (!o->test || strcmp(o->test, tr->name)) continue;
                    if (resultlist_find(&impl->results, o->id)) continue;
                    r = resultlist_get(&impl->results, o->id, 1);
                    r->test = xstrdup(tr->name);
                    r->forced = tr->outcome == OUT_CRASH ? ST_CRASH : ST_TIMEOUT;
                    r->note = tr->outcome == OUT_CRASH
                              ? xsprintf("test %s crashed (exception 0x%08lx) before reaching this behaviour",
                                         tr->name, tr->exit_code)
                              : xsprintf("test %s timed out before reaching this behaviour", tr->name);
                }
            }
        }
    }
}

static void add_row(struct run *run, size_t *cap, const char *id)
{
    size_t i;

    for (i = 0; i < run->nrows; i++)
        if (!strcmp(run->rows[i].id, id)) return;
    if (run->nrows == *cap)
    {
        *cap = *cap ? *cap * 2 : 64;
        run->rows = xrealloc(run->rows, *cap * sizeof(*run->rows));
    }
    memset(&run->rows[run->nrows], 0, sizeof(run->rows[0]));
    run->rows[run->nrows].id = id;
    run->rows[run->nrows].cat = catalogue_find(id);
    id_group(id, run->rows[run->nrows].group, sizeof(run->rows[0].group));
    run->nrows++;
}

static struct run *sort_run;

/* Groups in catalogue order (groups unknown to the catalogue after them, by
 * name); inside a group, by ID. */
static int group_rank(const char *group)
{
    size_t i, n = catalogue_count();
    char g[32];

    for (i = 0; i < n; i++)
    {
        id_group(catalogue_get(i)->id, g, sizeof(g));
        if (!strcmp(g, group)) return (int)i;
    }
    return (int)n;
}

static int row_compare(const void *a, const void *b)
{
    const struct row *ra = a, *rb = b;
    int ka = group_rank(ra->group), kb = group_rank(rb->group);

    if (ka != kb) return ka < kb ? -1 : 1;
    return id_compare(ra->id, rb->id);
}

void run_build_rows(struct run *run)
{
    size_t cap = 0, i, j;

    for (i = 0; i < catalogue_count(); i++) add_row(run, &cap, catalogue_get(i)->id);
    for (i = 0; i < run->nimpls; i++)
        for (j = 0; j < run->impls[i]->results.count; j++)
            add_row(run, &cap, run->impls[i]->results.items[j].id);
    for (i = 0; i < run->nrows; i++)
        for (j = 0; j < run->nimpls; j++)
            if (resultlist_find(&run->impls[j]->results, run->rows[i].id)) run->rows[i].seen = 1;
    sort_run = run;
    qsort(run->rows, run->nrows, sizeof(*run->rows), row_compare);
}

enum status cell_status(const struct impl *impl, const char *id)
{
    return result_status(resultlist_find(&impl->results, id));
}

char *cell_observed(const struct impl *impl, const char *id)
{
    return result_observed(resultlist_find(&impl->results, id));
}

/* What a cell shows: the status, or the observed value. */
char *cell_text(const struct impl *impl, const char *id)
{
    enum status st = cell_status(impl, id);

    if (st == ST_OBSERVED) return cell_observed(impl, id);
    return xstrdup(status_display(st));
}

const char *row_class(const struct row *row)
{
    if (!row->cat) return "uncatalogued";
    return row->cat->cls[0] ? row->cat->cls : "?";
}

int row_differs(const struct run *run, const struct row *row)
{
    char *first = NULL;
    size_t i;
    int differs = 0;

    for (i = 0; i < run->nimpls && !differs; i++)
    {
        char *text = cell_text(run->impls[i], row->id);

        if (!first) first = text;
        else
        {
            differs = strcmp(first, text) != 0;
            free(text);
        }
    }
    free(first);
    return differs;
}

void impl_totals(const struct run *run, const struct impl *impl, unsigned counts[ST_MISSING + 1])
{
    size_t i;

    memset(counts, 0, sizeof(unsigned) * (ST_MISSING + 1));
    for (i = 0; i < run->nrows; i++) counts[cell_status(impl, run->rows[i].id)]++;
}

/* The suites the implementations ran with, in column order, each once;
 * returns how many. */
size_t run_suites(const struct run *run, const struct suite *suites[ARCH_COUNT])
{
    size_t n = 0, i, j;

    for (i = 0; i < run->nimpls; i++)
    {
        const struct suite *suite = run->impls[i]->suite;
        int seen = 0;

        for (j = 0; j < n; j++)
            if (suites[j] == suite) seen = 1;
        if (!seen) suites[n++] = suite;
    }
    return n;
}
