/*
 * conform-junit.xml: one <testsuite> per implementation, one <testcase>
 * per behaviour (classname "mallocspy.KEY.GROUP", name the ID).
 *   FAIL            <failure> with the failure lines
 *   crash, timeout  <error>
 *   skip, not run   <skipped>
 *   observed        passes; the value is in <system-out>
 */

#include "conform.h"

/* XML text or attribute value; control characters (not allowed in XML 1.0)
 * become '?', bytes above 0x7f character references (Latin-1). */
void xml_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    for (; p && *p; p++)
    {
        switch (*p)
        {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case '\n': case '\t': fputc(*p, f); break;
        default:
            if (*p < 0x20) fputc('?', f);
            else if (*p >= 0x7f) fprintf(f, "&#x%x;", *p);
            else fputc(*p, f);
        }
    }
}

static void messages(FILE *f, const struct result *r)
{
    size_t m;

    if (!r) return;
    if (r->note)
    {
        xml_string(f, r->note);
        fputc('\n', f);
    }
    for (m = 0; m < r->messages.count; m++)
    {
        xml_string(f, r->messages.items[m]);
        fputc('\n', f);
    }
}

int report_junit(const struct run *run, const char *path)
{
    FILE *f = fopen(path, "wb");
    size_t i, j;

    if (!f) return -1;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mallocspy conformance\">\n");
    for (j = 0; j < run->nimpls; j++)
    {
        const struct impl *impl = run->impls[j];
        unsigned c[ST_MISSING + 1];

        impl_totals(run, impl, c);
        fprintf(f, "  <testsuite name=\"");
        xml_string(f, impl->key);
        fprintf(f, "\" tests=\"%u\" failures=\"%u\" errors=\"%u\" skipped=\"%u\">\n", (unsigned)run->nrows,
                c[ST_FAIL], c[ST_CRASH] + c[ST_TIMEOUT], c[ST_SKIP] + c[ST_MISSING] + c[ST_NONE]);
        fprintf(f, "    <properties>\n      <property name=\"label\" value=\"");
        xml_string(f, impl->label);
        fprintf(f, "\"/>\n      <property name=\"arch\" value=\"%s\"/>", arch_name(impl->arch));
        fprintf(f, "\n      <property name=\"path\" value=\"");
        xml_string(f, impl->path[0] ? impl->path : impl->name);
        fprintf(f, "\"/>\n");
        if (impl->load_error[0])
        {
            fprintf(f, "      <property name=\"load_error\" value=\"");
            xml_string(f, impl->load_error);
            fprintf(f, "\"/>\n");
        }
        fprintf(f, "    </properties>\n");
        for (i = 0; i < run->nrows; i++)
        {
            const struct row *row = &run->rows[i];
            const struct result *r = resultlist_find(&impl->results, row->id);
            enum status st = result_status(r);
            char *obs = result_observed(r);

            fprintf(f, "    <testcase classname=\"mallocspy.");
            xml_string(f, impl->key);
            fprintf(f, ".%s\" name=\"%s\">", row->group, row->id);
            switch (st)
            {
            case ST_FAIL:
                fprintf(f, "\n      <failure message=\"%u check(s) failed\">", r->failed);
                messages(f, r);
                fprintf(f, "</failure>\n    ");
                break;
            case ST_CRASH:
            case ST_TIMEOUT:
                fprintf(f, "\n      <error message=\"%s\">", st == ST_CRASH ? "crash" : "timeout");
                messages(f, r);
                fprintf(f, "</error>\n    ");
                break;
            case ST_SKIP:
                fprintf(f, "\n      <skipped message=\"skipped\">");
                messages(f, r);
                fprintf(f, "</skipped>\n    ");
                break;
            case ST_MISSING:
            case ST_NONE:
                fprintf(f, "\n      <skipped message=\"%s\"/>\n    ",
                        impl->load_error[0] ? "implementation not loaded" : "not run");
                break;
            case ST_OBSERVED:
                fprintf(f, "\n      <system-out>observed: ");
                xml_string(f, obs);
                fprintf(f, "</system-out>\n    ");
                break;
            case ST_PASS:
                break;
            }
            fprintf(f, "</testcase>\n");
            free(obs);
        }
        fprintf(f, "  </testsuite>\n");
    }
    fprintf(f, "</testsuites>\n");
    return fclose(f) ? -1 : 0;
}
