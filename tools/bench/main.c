/*
 * mallocspy_bench: options, and the order of the work (see bench.h).
 */

#include "bench.h"

/* The implementations every run has besides those named: the three raw
 * heaps, ole32, refole32 and MALLOCSPY_IMPL. */
#define MAX_EXTRA (MAX_IMPLS - 6)
#define DEFAULT_REPS 31
#define DEFAULT_THREAD_REPS 101

const char tool_name[] = "bench";

struct settings opt;

static void usage(void)
{
    fprintf(stderr,
            "usage: mallocspy_bench.exe [options] [extra.dll ...]\n"
            "  measures ole32.dll, refole32.dll and each extra DLL (at most %d) in one run\n"
            "  --json FILE          also write the results as JSON (schema: tools/bench/bench.schema.json)\n"
            "  --quick              a few seconds: smoke test, timings meaningless\n"
            "  --ref PATH           refole32.dll to use (default: the one beside the exe, else\n"
            "                       dlls\\refole32\\refole32.dll in the project root or the current directory)\n"
            "  --no-ref             do not load refole32.dll\n"
            "  --no-ole32           do not load ole32.dll\n"
            "  --reps N             repetitions per point (default %d, quick 3; at most %d)\n"
            "  --ms N               target duration of one repetition in ms (default 20, quick 2);\n"
            "                       a repetition is the fastest of %d runs of N/%d ms\n"
            "  --thread-reps N      two-thread repetitions (default %d, quick 3; at most %d), each\n"
            "                       a 1-thread and a 2-thread run as long as 2 of a point's runs\n"
            "  --populate-limit S   skip a live-block step predicted to take longer (default 30 s)\n",
            MAX_EXTRA, DEFAULT_REPS, MAX_REPS, SUBRUNS, SUBRUNS, DEFAULT_THREAD_REPS, MAX_THREAD_REPS);
}

/* Returns 0, or -1 when the command line is wrong (said on stderr). */
static int parse_options(int argc, char **argv)
{
    double reps = 0, ms = 0, thread_reps = 0;
    int i;

    memset(&opt, 0, sizeof(opt));
    opt.populate_limit_s = 30.0;
    for (i = 1; i < argc; i++)
    {
        const char *a = argv[i];

        if (!strcmp(a, "--quick")) opt.quick = 1;
        else if (!strcmp(a, "--no-ref")) opt.no_ref = 1;
        else if (!strcmp(a, "--no-ole32")) opt.no_ole32 = 1;
        else if (!strcmp(a, "--json"))
        {
            if (!(opt.json_path = option_value(argc, argv, &i))) return -1;
        }
        else if (!strcmp(a, "--ref"))
        {
            if (!(opt.ref_path = option_value(argc, argv, &i))) return -1;
        }
        else if (!strcmp(a, "--reps"))
        {
            if (option_number(argc, argv, &i, &reps)) return -1;
        }
        else if (!strcmp(a, "--ms"))
        {
            if (option_number(argc, argv, &i, &ms)) return -1;
        }
        else if (!strcmp(a, "--thread-reps"))
        {
            if (option_number(argc, argv, &i, &thread_reps)) return -1;
        }
        else if (!strcmp(a, "--populate-limit"))
        {
            if (option_number(argc, argv, &i, &opt.populate_limit_s)) return -1;
        }
        else if (a[0] == '-')
        {
            fprintf(stderr, "bench: unknown option %s\n", a);
            usage();
            return -1;
        }
        else if (opt.nextra < MAX_EXTRA) opt.extra[opt.nextra++] = a;
        else
        {
            fprintf(stderr, "bench: %s: at most %d DLLs can be named\n", a, MAX_EXTRA);
            return -1;
        }
    }
    opt.reps = reps >= 1 ? (int)reps : opt.quick ? 3 : DEFAULT_REPS;
    if (opt.reps > MAX_REPS) opt.reps = MAX_REPS;
    opt.thread_reps = thread_reps >= 1 ? (int)thread_reps : opt.quick ? 3 : DEFAULT_THREAD_REPS;
    if (opt.thread_reps > MAX_THREAD_REPS) opt.thread_reps = MAX_THREAD_REPS;
    opt.rep_ms = ms > 0 ? ms : opt.quick ? 2.0 : 20.0;
    /* One threaded run: a 1-thread and a 2-thread run take as long as two
     * of a point's runs. */
    opt.thread_ms = 2 * opt.rep_ms / SUBRUNS;
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_impl *list[MAX_IMPLS];
    LONGLONG start;
    double total_s;

    if (parse_options(argc, argv)) return 2;
    clock_init();
    read_load(&load_start);
    start = now_ticks();

    load_all();
    if (!collect_impls(list, 0)) progress("no implementation loaded: only the raw heap is measured");
    phase_no_spy();
    measure_threads(list, collect_impls(list, 1), 0);
    phase_spy();

    total_s = ticks_to_s(now_ticks() - start);
    read_load(&load_end);
    evaluate_targets();
    print_report(total_s);
    if (opt.json_path)
    {
        if (write_json(opt.json_path, total_s)) return 2;
        progress("wrote %s", opt.json_path);
    }
    return run_failed ? 1 : 0;
}
