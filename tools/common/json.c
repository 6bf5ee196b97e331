/*
 * Writing JSON.  Bytes above 0x7f are written as \u00XX (the tools print
 * ASCII; anything else is taken as Latin-1), so that a file is always
 * valid UTF-8 whatever code page a path came in.
 */

#include "common.h"

void json_string(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    if (!s)
    {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *p; p++)
    {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", f);
        else if (*p == '\t') fputs("\\t", f);
        else if (*p < 0x20 || *p >= 0x7f) fprintf(f, "\\u%04x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}
