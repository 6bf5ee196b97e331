/*
 * mallocspy_bench: how fast is the COM task allocator, with and without an
 * IMallocSpy registered, and how does that cost grow with the number of live
 * spied blocks?
 *
 * Every implementation (ole32.dll, refole32.dll, any DLL named on the command
 * line) is loaded into this one process and measured in the same run, with the
 * repetitions of each point interleaved across implementations, so that the
 * ratios between them survive a noisy, shared machine.
 *
 * Iteration counts are calibrated by time, never fixed: Wine 8.0's builtin
 * scans a table of spied blocks, so one alloc/free pair at 100 000 live blocks
 * costs about a thousand times what it costs at 0.
 *
 * This is a benchmark, not a test: a missed target prints MISS and the exit
 * code stays 0.  Exit code 1 means the run itself went wrong (an allocation
 * failed, a revoke did not return S_OK); 2 that it could not be done (bad
 * options, the JSON could not be written).  See ../common/common.h.
 *
 * One file per job: main.c (options, the order of the work), impls.c
 * (loading the implementations), heapstate.c (warming the heaps, and how
 * a request is served), spy.c (the pass-through spy), ops.c (the
 * operations and their timed loops), measure.c (calibration, repetitions,
 * the table of results), threads.c (two threads), phases.c (what is
 * measured when, live spied blocks), targets.c (the targets), load.c (the
 * machine's load), report_text.c and report_json.c (the output).
 *
 * A point is one operation at one setting (no spy, or a spy with N live
 * blocks) for one implementation.  To add an operation, add it to enum op
 * and to the ops[] table in ops.c; to add a live-block step, add it to
 * live_steps[] in phases.c; to add a target, add it to enum target_id and to
 * the targets[] table in targets.c.
 */

#ifndef BENCH_H
#define BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <objbase.h>

#include "common.h"
#include "implementation.h"

#define MAX_IMPLS 12
#define MAX_REPS 101
#define MAX_RESULTS 512
#define BLOCK_SIZE 32
#define GROW_SIZE 1024
/* A repetition is the fastest of this many short runs: on a shared machine
 * a run during which another process took the CPU is thrown away. */
#define SUBRUNS 5
#define NO_SPY (-1)             /* the live count of a point measured without a spy */
#define MAX_LIVE_STEPS 8
/* Warming a heap: this many blocks of BLOCK_SIZE, every other one freed. */
#define WARM_BLOCKS 64

/* ---- impls.c ---- */

enum kind { KIND_RAW, KIND_SYSTEM, KIND_REF, KIND_EXTRA };

/* The implementations a target names, whatever their labels. */
enum role
{
    ROLE_REF,               /* refole32 */
    ROLE_BUILTIN,           /* Wine's builtin ole32 */
    ROLE_RAW,               /* HeapAlloc on the process heap: the floor */
    ROLE_RAW_EXACT,         /* HeapAlloc on a heap of its own, warmed */
    ROLE_RAW_SPLIT,         /* HeapAlloc on a heap of its own, fresh */
    NUM_ROLES
};

/* How a BLOCK_SIZE request is served, seen with HeapWalk (heapstate.c). */
enum heap_fit
{
    FIT_UNKNOWN,            /* not from a free block HeapWalk shows */
    FIT_EXACT,              /* a whole free block */
    FIT_SPLIT,              /* part of a larger free block, the rest left free */
};

struct heap_state
{
    int observed;
    enum heap_fit fit;
    int process_heap;           /* the block is in GetProcessHeap() */
    SIZE_T free_block;          /* bytes of the free block it came from */
    SIZE_T left;                /* FIT_SPLIT: bytes left free */
    char why[160];              /* FIT_UNKNOWN: why */
};

struct pass_spy
{
    IMallocSpy IMallocSpy_iface;
    LONG refs;
};

struct bench_impl
{
    char label[32];
    char requested[MAX_PATH];
    enum kind kind;
    int wine_builtin;
    int measured;               /* loaded and not a duplicate */
    char skip[400];             /* why it is not measured at all */
    char error[400];            /* first thing that went wrong while measuring */
    struct implementation impl;
    IMalloc *malloc;
    struct pass_spy spy;
    void **blocks;              /* the live spied blocks */
    unsigned live;
    int live_stopped;           /* no more live steps: see live_skip */
    char live_skip[300];
    double populate_s[MAX_LIVE_STEPS];   /* seconds to reach each live step; < 0: not done */
    double teardown_s;
    HRESULT revoke_hr;
    int revoke_done;
    void *probe;                /* block for realloc/GetSize/DidAlloc */
    HANDLE heap;                /* raw kind only: the heap measured */
    int cold;                   /* raw kind only: never warmed (rawsplit) */
    struct heap_state state_before, state_after;    /* around the no-spy points */
};

extern struct bench_impl impls[MAX_IMPLS];
extern int nimpls;
extern int run_failed;

void load_all(void);
int collect_impls(struct bench_impl **list, int with_raw);
const struct bench_impl *role_impl(enum role role);
const char *role_missing(enum role role);
const struct bench_impl *baseline_impl(void);
const char *impl_description(const struct bench_impl *b, char *buf, size_t size);
const char *kind_word(enum kind kind);
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void impl_error(struct bench_impl *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *impl_alloc(struct bench_impl *b, SIZE_T size);
void impl_free(struct bench_impl *b, void *p);

/* ---- heapstate.c ---- */

void warm_heap(struct bench_impl *b);
void observe_heap_state(struct bench_impl *b, struct heap_state *state);
const char *heap_state_text(const struct heap_state *state, char *buf, size_t size);
const char *fit_word(enum heap_fit fit);

/* ---- spy.c ---- */

void pass_spy_init(struct pass_spy *spy);

/* ---- ops.c ---- */

enum op { OP_PAIR, OP_IMALLOC_PAIR, OP_REALLOC, OP_GETSIZE, OP_DIDALLOC, NUM_OPS };

struct op_info
{
    const char *key;            /* in bench.json */
    const char *name;           /* in the table */
    const char *raw_name;       /* what the raw heap does instead; NULL: the raw heap does not run it */
    enum op raw_op;             /* the raw heap's point that "x raw" divides by */
    int on_probe;               /* works on the probe block, not on blocks of its own */
    int under_spy;              /* measured at every live-block step too */
    /* Runs n iterations; returns 0, or -1 when an operation failed (said). */
    int (*loop)(struct bench_impl *b, unsigned long n, int live);
};

extern const struct op_info ops[NUM_OPS];

void alloc_free_pairs(struct bench_impl *b, unsigned long n);

/* ---- measure.c ---- */

struct result
{
    struct bench_impl *b;
    enum op op;
    int live;                   /* NO_SPY, or the live spied blocks */
    int group;                  /* results of one group were measured in the same repetitions */
    unsigned long iters;
    double ns[MAX_REPS];
    int nreps;
    double median;              /* ns per iteration; < 0 when skipped */
    double min;                 /* the fastest repetition: how noisy the median is */
    char skip[300];
};

extern struct result results[MAX_RESULTS];
extern int nresults;

void clock_init(void);
LONGLONG now_ticks(void);
double ticks_to_ns(LONGLONG ticks);
double ticks_to_s(LONGLONG ticks);
LONGLONG ms_to_ticks(double ms);
double qpc_hz(void);
double median(const double *values, int n);
double quartile(const double *values, int n, int which);
int paired_ratios(const struct result *r1, const struct result *r2, double *ratios);
const char *live_label(int live, char *buf, size_t size);
const struct result *find_result(const struct bench_impl *b, enum op op, int live);
void skip_result(struct bench_impl *b, enum op op, int live, const char *reason);
void measure_op(struct bench_impl **list, int n, enum op op, int live);
double x_raw(const struct result *r);
double x_baseline(const struct result *r);

/* ---- threads.c ---- */

#define MAX_THREAD_REPS 201

/* One repetition is one 1-thread run and one 2-thread run, back to back;
 * the repetitions of the implementations are interleaved. */
struct thread_result
{
    struct bench_impl *b;
    int spy;
    double ns1[MAX_THREAD_REPS], ns2[MAX_THREAD_REPS], scaling[MAX_THREAD_REPS];
    int nreps;
    double ns1_median, ns2_median, scaling_median;
    struct bench_impl *base;    /* ran just before each of b's runs, or NULL */
    double base_scaling[MAX_THREAD_REPS];   /* base's scaling in those runs */
};

extern struct thread_result thread_results[2 * MAX_IMPLS];
extern int nthread_results;

void measure_threads(struct bench_impl **list, int n, int spy);
const struct thread_result *find_thread_result(const struct bench_impl *b, int spy);
int paired_scaling_ratios(const struct thread_result *t, const struct thread_result *base, double *ratios);
double x_raw_scaling(const struct thread_result *t);

/* ---- phases.c ---- */

extern const unsigned live_steps[];
extern const int num_live_steps;

void phase_no_spy(void);
void phase_spy(void);

/* ---- targets.c ---- */

enum target_id
{
    TARGET_PAIR_FLOOR,          /* T1 */
    TARGET_PAIR_BUILTIN,        /* T2 */
    TARGET_IMALLOC_BUILTIN,     /* T3 */
    TARGET_LIVE_GROWTH,         /* T4 */
    TARGET_BUILTIN_SPEEDUP,     /* T5 */
    TARGET_THREAD_SCALING,      /* T6 */
    NUM_TARGETS
};

/* One side of a target's ratio: a point, or a two-thread scaling (no
 * spy), of the implementation in a role. */
struct point_ref
{
    enum role role;
    enum op op;
    int live;                   /* NO_SPY, or the live spied blocks */
    int scaling;                /* 1: the two-thread scaling; op and live unused */
};

struct target_def
{
    const char *id;
    const char *text;
    struct point_ref num, den;  /* the value is num / den */
    int at_most;                /* PASS when value <= limit, else when value >= limit */
    double limit;
    /* Context printed under the verdict, or NULL. */
    void (*note)(char *buf, size_t size);
};

enum verdict { VERDICT_SKIP, VERDICT_PASS, VERDICT_MISS };

/* Two sides measured in the same repetitions (the same operation at the
 * same setting, or both two-thread scalings) are judged on the median of
 * their ratios repetition by repetition, which cancels what the machine
 * did between repetitions; two sides measured apart on the ratio of their
 * medians. */
struct target
{
    double value;               /* < 0: not judged */
    double value_min;           /* the same ratio from the fastest repetitions; < 0: none */
    int paired;
    double ratios[MAX_THREAD_REPS];     /* paired: the ratio in each repetition */
    int nratios;
    double q1, q3;              /* paired: the middle half of the ratios */
    enum verdict verdict;
    char reason[300];           /* why it is skipped */
    char note[300];
};

extern const struct target_def target_defs[NUM_TARGETS];
extern struct target targets[NUM_TARGETS];

void evaluate_targets(void);
const char *verdict_word(enum verdict verdict);

/* ---- load.c ---- */

/* The 1, 5 and 15-minute load averages. */
struct load
{
    int known;
    double avg[3];
};

extern struct load load_start, load_end;

void read_load(struct load *load);

/* ---- report_text.c, report_json.c ---- */

void print_report(double total_s);
int write_json(const char *path, double total_s);

/* ---- main.c ---- */

struct settings
{
    int quick;
    int reps;
    int thread_reps;
    double rep_ms;
    double thread_ms;
    double populate_limit_s;
    const char *json_path;
    const char *ref_path;
    int no_ref;
    int no_ole32;
    const char *extra[MAX_IMPLS];
    int nextra;
};

extern struct settings opt;

#endif /* BENCH_H */
