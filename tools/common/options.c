/*
 * Option values.  Each tool's main() walks argv itself; these take the
 * value that follows an option and say on stderr what is wrong with it, so
 * that main() only decides what to do about it.
 */

#include <stdlib.h>

#include "common.h"

/* The value after the option at argv[*index], stepping *index over it; NULL
 * when the option is the last argument. */
const char *option_value(int argc, char **argv, int *index)
{
    if (*index + 1 >= argc)
    {
        fprintf(stderr, "%s: %s needs a value\n", tool_name, argv[*index]);
        return NULL;
    }
    return argv[++*index];
}

/* The same for a value that must be a number (an integer or a decimal). */
int option_number(int argc, char **argv, int *index, double *value)
{
    const char *option = argv[*index], *text = option_value(argc, argv, index);
    char *end;

    if (!text) return -1;
    *value = strtod(text, &end);
    if (end == text || *end)
    {
        fprintf(stderr, "%s: %s wants a number, not \"%s\"\n", tool_name, option, text);
        return -1;
    }
    return 0;
}
