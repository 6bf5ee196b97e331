/*
 * The machine's load.  On a shared machine the ratios between
 * implementations measured side by side hold up far better than the times,
 * but a run made under load should say so.  Under Wine the Linux load
 * average is read through drive Z:, the root of the Unix file system in a
 * default prefix; Windows has none, and the run records none.
 */

#include "bench.h"

struct load load_start, load_end;

void read_load(struct load *load)
{
    FILE *f;

    load->known = 0;
    if (!wine_version() || !(f = fopen("Z:\\proc\\loadavg", "r"))) return;
    load->known = fscanf(f, "%lf %lf %lf", &load->avg[0], &load->avg[1], &load->avg[2]) == 3;
    fclose(f);
}
