/* sweep.h: parameter sweeps. A grid of parameter values (comma lists,
 * ranges a:b:step, random samples, a --where constraint), split into
 * shards that any machine can run, run on a fixed pool of worker threads,
 * written as JSON Lines in grid order, and merged back into exactly the
 * bytes one machine would have written.
 *
 * Invariant: the line of a combination depends only on the sweep's inputs
 * (data, engine version, run options, grid) and its position in the grid,
 * never on the number of workers or the shard that ran it.
 *
 * Grid order: the first axis varies slowest (an odometer whose last wheel
 * turns fastest). A position is a combination's index among those that
 * pass the constraint (or among the drawn samples), counted in grid order. */
#ifndef STRATLAB_SWEEP_H
#define STRATLAB_SWEEP_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "stratlab/broker.h"
#include "stratlab/core.h"
#include "stratlab/data.h"
#include "stratlab/risk.h"
#include "stratlab/strategy.h"

#define SLAB_GRID_MAX_AXES 16          /* axes a grid may have */
#define SLAB_GRID_MAX_VALUES 1000000   /* values one axis may have */
#define SLAB_GRID_NAME_MAX 64          /* bytes of an axis name, NUL included */
#define SLAB_GRID_TEXT_MAX 48          /* bytes of a value's text, NUL included */
/* Most combinations a grid may run without --samples (a bigger grid is
 * sampled: a billion backtests is not a sweep anyone waits for). */
#define SLAB_GRID_MAX_RUN 1000000000ULL

/* One value of an axis. */
typedef struct slab_grid_value {
    double num;                   /* the number (for "2%", "1.5atr", "@95": the
                                     number in it); NaN for other text */
    int is_num;                   /* 1: a plain number, written as a JSON number;
                                     0: text (it has a unit), written as a string */
    char text[SLAB_GRID_TEXT_MAX]; /* as it is handed to the parameter or run
                                     option: "5", "0.1", "2%" */
} slab_grid_value;

/* One axis: a name and its values in the order given. */
typedef struct slab_grid_axis {
    char name[SLAB_GRID_NAME_MAX];
    slab_grid_value *values; /* n values, owned by the grid */
    size_t n;
} slab_grid_axis;

/* A grid: axes, an optional constraint, an optional sample. Owned; free
 * with slab_grid_free(). */
typedef struct slab_grid slab_grid;

/* Returns a new empty grid, or NULL when out of memory. */
slab_grid *slab_grid_new(void);
/* Frees g; NULL is a no-op. */
void slab_grid_free(slab_grid *g);

/* Adds an axis from "name=LIST". LIST is comma-separated items; an item is
 * a value ("5", "0.25", "2%", "percent:95" is NOT a range because it is
 * not three numbers) or a range "a:b:step" of decimal numbers with an
 * optional common unit ("1%:5%:1%"). A range's values are the decimals
 * a + k*step, k = 0, 1, ..., computed exactly in decimal, each then read
 * as a double exactly as if typed (0.1:0.3:0.1 gives 0.1, 0.2 and 0.3, the
 * same doubles as typing them); b is included when (b - a) is a whole
 * number of steps, and the values never pass b. A negative step counts
 * down (5:1:-1). Repeated values, an empty item, a zero step, a step that
 * moves away from b and more than SLAB_GRID_MAX_VALUES values are errors;
 * err->where is "--param name". Values stay text until a run resolves
 * them, so a strategy parameter's range check happens there. */
slab_status slab_grid_add_axis(slab_grid *g, const char *spec, slab_error *err);

/* 1 when value (the part after "name=") makes an axis: a comma list or a
 * range a:b:step (or something shaped like one, whose error
 * slab_grid_add_axis() then reports); 0 for a single value. */
int slab_grid_is_list(const char *value);

/* Sets the constraint: an expression over axis names and the names given
 * in fixed_names (values in fixed_values: the parameters that do not
 * vary), e.g. "fast < slow", "slow >= 2 * fast and stop_loss <= 5". Numbers,
 * names, + - * / %, comparisons (< <= > >= == != =), and/or/not (also
 * && || !), parentheses, abs() min() max(). A combination runs when the
 * value is non-zero (NaN counts as false). Errors say where in the text
 * ("--where:1:8") and, for an unknown name, the names there are. */
slab_status slab_grid_set_where(slab_grid *g, const char *expr, const char *const *fixed_names,
                                const double *fixed_values, size_t n_fixed, slab_error *err);

/* Asks for n combinations drawn at random (without repetition) with seed:
 * reproducible on every machine (splitmix64; each draw picks one value per
 * axis, first axis first, with an unbiased bounded draw; combinations
 * failing the constraint or drawn before are drawn again). The drawn
 * combinations run in grid order. */
void slab_grid_set_samples(slab_grid *g, uint64_t n, uint64_t seed);

/* Finishes the grid: counts the combinations (evaluating the constraint
 * over the whole grid when there is one) and draws the sample. Errors: no
 * axis, an empty result, a grid too big to run whole (use samples), more
 * samples than combinations, a sample that cannot be drawn. */
slab_status slab_grid_finish(slab_grid *g, slab_error *err);

/* The axes (after finish or before). */
size_t slab_grid_n_axes(const slab_grid *g);
const slab_grid_axis *slab_grid_axis_at(const slab_grid *g, size_t k);
/* The index of the axis named name, or -1. */
int slab_grid_axis_find(const slab_grid *g, const char *name);
/* Combinations that run (after finish): positions are 0..count-1. */
uint64_t slab_grid_count(const slab_grid *g);
/* Combinations of the full grid, before the constraint and sampling
 * (saturates at UINT64_MAX). */
uint64_t slab_grid_full_count(const slab_grid *g);
/* The canonical text of the grid (axes with their values' texts, the
 * constraint, the sample): the part of a sweep's identity the grid gives.
 * Borrowed; valid until g is freed. */
const char *slab_grid_canonical(const slab_grid *g);

/* Walks the combinations of positions [lo, hi) in grid order. */
typedef struct slab_grid_cursor {
    const slab_grid *g;
    uint64_t pos;                     /* position of the current combination */
    uint64_t end;                     /* hi */
    uint64_t full;                    /* its index in the full grid */
    size_t idx[SLAB_GRID_MAX_AXES];   /* value index per axis */
    int started;
} slab_grid_cursor;
/* Starts a walk of [lo, hi) (hi is clipped to the count); with a
 * constraint this scans the grid up to lo. */
void slab_grid_cursor_init(slab_grid_cursor *c, const slab_grid *g, uint64_t lo, uint64_t hi);
/* Moves to the next combination: 1 with c->pos, c->idx set, 0 at the end. */
int slab_grid_cursor_next(slab_grid_cursor *c);

/* 1 when the combination with value indexes idx passes the constraint. */
int slab_grid_passes(const slab_grid *g, const size_t *idx);

/* Shard i of n (1-based) of count positions: [*lo, *hi), contiguous,
 * sizes differing by at most one, in order: shard 1 first. */
void slab_grid_shard(uint64_t count, uint64_t i, uint64_t n, uint64_t *lo, uint64_t *hi);
/* Parses "i/N" (1 <= i <= N <= 1000000). */
slab_status slab_grid_shard_parse(const char *s, uint64_t *i, uint64_t *n, slab_error *err);

/* ---- running a sweep --------------------------------------------------- */

/* Blocks of daily returns each line carries for CSCV (overfit.h). */
#define SLAB_SWEEP_BLOCKS 16

/* How axes that are not strategy parameters set run options. The CLI
 * hands the run-option table here (options.h), so an axis sets an option
 * exactly as its flag would; without hooks a built-in list is used
 * (slab_sweep_option_names()). */
typedef struct slab_sweep_options {
    /* 1 when an axis may set run option name. */
    int (*known)(void *user, const char *name);
    /* The settings of one combination: the options every combination
     * starts from with names[k] set to texts[k] (k < n), checked together,
     * into *broker and *risk. Called from several threads at once. */
    slab_status (*apply)(void *user, const char *const *names, const char *const *texts,
                         size_t n, slab_broker_config *broker, slab_risk_config *risk,
                         slab_error *err);
    void *user;
} slab_sweep_options;

/* What to sweep. An axis named like a strategy parameter sets it; any
 * other axis must name a run option, which it sets with the value's text
 * as the option's flag would ("2%", "fixed:10"). */
typedef struct slab_sweep_spec {
    const slab_bars *bars;              /* the data (borrowed); the traded feed */
    const slab_bars *const *feeds;      /* several feeds on one clock, as
                                           slab_engine_run_feeds takes them
                                           (feeds[0] == bars), or NULL: bars alone */
    size_t n_feeds;
    int64_t preroll_until_ns;           /* as slab_run_config (several feeds) */
    int stamp_end;                      /* bars stamped at their end (--stamp end) */
    const slab_earnings *earnings;      /* the calendar skip_earnings reads, or NULL */
    size_t n_earnings;
    const slab_strategy_def *strategy;
    const char *const *params;          /* fixed "name=value" strategy parameters */
    size_t n_params;
    slab_broker_config broker;          /* run options every combination starts from */
    slab_risk_config risk;
    const char *options_text;           /* those options in a canonical text (part of
                                           the sweep's identity); NULL = none */
    const slab_grid *grid;              /* finished */
    uint64_t lo, hi;                    /* positions to run (a shard); hi is clipped */
    int jobs;                           /* worker threads, >= 1 */
    int blocks;                         /* CSCV blocks per line: even, 2..16; 0 = 16 */
    size_t cache_bytes;                 /* indicator cache cap; 0 = an eighth of the
                                           memory, at most 512 MiB */
    const slab_sweep_options *options;  /* NULL: the built-in list */
    int no_fast;                        /* 1: every combination through the
                                           general engine, never the loop
                                           specialised for built-ins (tests,
                                           benchmarks: the same lines) */
} slab_sweep_spec;

/* The run options an axis may name without hooks ("cash", "commission",
 * "stop_loss", "trail", "sizer", ...), NULL-terminated. */
const char *const *slab_sweep_option_names(void);

/* Checks the spec before anything runs: every axis names a strategy
 * parameter or a run option, every value of a parameter axis passes the
 * parameter's type and range check on its own, every value of an option
 * axis is a valid value of the option; a swept parameter is not also
 * fixed. Errors name the axis (--param NAME) and what to do. */
slab_status slab_sweep_check(const slab_sweep_spec *spec, slab_error *err);

/* The sweep's identity: id (16 hex digits) digests the engine version, the
 * strategy, the data (every bar and the file's SHA-256), the fixed
 * parameters, the run options, the grid and the block count; data (16 hex
 * digits) digests the bars alone. Every line carries both, and merge
 * refuses lines whose identity differs. SLAB_ENOMEM when the text to
 * digest cannot be made (never an identity of less). */
slab_status slab_sweep_identity(const slab_sweep_spec *spec, char id[17], char data[17],
                                slab_error *err);

/* One combination's run settings: params (strategy->n_params values),
 * broker and risk, from the spec and the value indexes idx. Returns
 * SLAB_OK or the parameter/option error (located at --param NAME). */
slab_status slab_sweep_settings(const slab_sweep_spec *spec, const size_t *idx, double *params,
                                slab_broker_config *broker, slab_risk_config *risk,
                                slab_error *err);

/* The whole result document (result.h, as `run --json` writes it) of
 * combination idx, run exactly as its line was made (the same feeds,
 * preroll, stamps, calendar, parameter texts); the order log when
 * include_orders, the first max_trades trades (-1 all). Owned
 * (json_decref()), or NULL with err set. */
json_t *slab_sweep_result_json(const slab_sweep_spec *spec, const size_t *idx,
                               int include_orders, long max_trades, slab_error *err);

/* What a sweep did. */
typedef struct slab_sweep_report {
    uint64_t lines;      /* lines written */
    uint64_t failed;     /* of them, combinations that could not run (error lines) */
    char first_error[SLAB_ERR_MSG_MAX + 64]; /* the first such error, with its params */
    uint64_t ind_hits, ind_misses, ind_computed; /* shared indicator use */
    uint64_t fast;       /* combinations run by the loop specialised for
                            built-ins (the rest by the general engine) */
    uint64_t batched;    /* of them, sma_cross ones whose crossings were found
                            with a batch's (the rest scanned alone) */
    double wall_s;       /* seconds */
} slab_sweep_report;

/* Receives each line (JSON text without the newline) in position order,
 * on the thread that called slab_sweep_run. Returns 0, or non-zero to stop
 * the sweep (a write error). */
typedef int (*slab_sweep_line_fn)(void *user, uint64_t pos, const char *line, size_t len);
/* Called about every half second from that thread. */
typedef void (*slab_sweep_progress_fn)(void *user, uint64_t done, uint64_t total,
                                       double elapsed_s);

/* Runs positions [spec->lo, spec->hi) on spec->jobs threads and hands the
 * lines out in order. A line is one JSON object:
 *   {"params": {swept name: value ...}, "metrics": {... as `run --json`},
 *    "run_id": "...", "daily": {"days": T, "sharpe": ..., "skew": ...,
 *    "kurtosis": ..., "blocks": [sum_0, sumsq_0, sum_1, ...]},
 *    "sweep": {"id": "...", "index": position, "of": count, "engine": "...",
 *              "data": "..."}}
 * (numbers as numbers; "daily" is the day-by-day returns' per-day Sharpe
 * ratio, skewness, kurtosis and per-block sums for CSCV). A combination
 * that cannot run gets "metrics": null, "run_id": null and "error": "...".
 * Memory stays bounded: at most a few lines per worker wait for their
 * turn. Returns SLAB_OK, or the error that stopped the sweep (no memory,
 * on_line refused). rep may be NULL. */
slab_status slab_sweep_run(const slab_sweep_spec *spec, slab_sweep_line_fn on_line, void *user,
                           slab_sweep_progress_fn progress, void *puser, slab_sweep_report *rep,
                           slab_error *err);

/* Sets the process's malloc for sweeps (glibc; nothing elsewhere), for a
 * program that runs them (the library leaves process-wide settings to
 * its caller): freed run buffers stay in the heap instead of going back
 * to the kernel after every run (M_MMAP_THRESHOLD 256 MiB, M_TRIM_THRESHOLD
 * 512 MiB: a fresh page costs a fault), and a worker's heap is made
 * writable whole when it is made (M_TOP_PAD 64 MiB: growing it a few pages
 * at a time takes the address-space lock for writing, and kept one worker
 * waiting on the other's page faults for most of a sweep's first 0.3 s).
 * Pages are still taken only when written. */
void slab_sweep_tune_malloc(void);

/* ---- merging shards ------------------------------------------------------ */

/* Merges the lines of shard files into the unsharded output: validates
 * everything first (each line ends with the "sweep" object; one sweep id,
 * positions count "of" and engine in all files; each file holds a
 * contiguous run of positions in order; together the files hold every
 * position 0..of-1 exactly once), then hands every line to on_line in
 * position order, byte for byte as the shards wrote them. Empty files are
 * allowed (a shard with no combination). Nothing is handed out when
 * validation fails; err then says in one line which file and line, and what
 * is wrong: a missing, repeated or foreign shard (other data, engine or
 * grid), a line cut short. Memory does not grow with the lines. */
slab_status slab_sweep_merge(const char *const *paths, size_t n, slab_sweep_line_fn on_line,
                             void *user, slab_error *err);

/* ---- ranking and overfitting --------------------------------------------- */

/* Reads "--rank METRIC[:max|:min]": a key of the lines' "metrics" object
 * (checked against the keys `run --json` writes, with "did you mean");
 * without a suffix, lower is better for max_drawdown_pct, lost_trades and
 * losing_trades and higher for the rest. metric gets the key (cap 64). */
slab_status slab_sweep_rank_parse(const char *s, char metric[64], int *descending,
                                  slab_error *err);

/* Trials a summary keeps per-trial records for (stability, heatmap); past
 * it only the top lines and the deflated Sharpe ratio are computed. */
#define SLAB_SUMMARY_MAX_TRIALS 2000000
/* Trials whose CSCV blocks a summary keeps (256 bytes each). */
#define SLAB_SUMMARY_MAX_PBO 200000

/* The ranking and overfitting statistics of a set of sweep lines, built
 * one line at a time (from a sweep as it runs, or from merged shards: the
 * same lines give the same summary). Owned; free with
 * slab_sweep_summary_free(). */
typedef struct slab_sweep_summary slab_sweep_summary;
/* NULL when out of memory. top_n: lines kept whole, best first. */
slab_sweep_summary *slab_sweep_summary_new(const char *metric, int descending, size_t top_n);
void slab_sweep_summary_free(slab_sweep_summary *s);
/* Adds one line (the text a sweep writes). Error lines count as failed,
 * not as trials. SLAB_EPARSE when the line is not a sweep line,
 * SLAB_ENOMEM. */
slab_status slab_sweep_summary_add(slab_sweep_summary *s, const char *line, size_t len,
                                   slab_error *err);
/* The summary object:
 *   {"rank_by": metric, "order": "max"|"min", "trials": N, "failed": F,
 *    "ranked": trials with a value, "top": [lines, best first],
 *    "overfitting": {"trials": N,
 *       "deflated_sharpe": {"dsr", "sharpe", "sharpe_annualized", "sr0",
 *          "sr0_annualized", "days", "skew", "kurtosis", "trials",
 *          "sharpe_variance", "note"},
 *       "pbo": {"pbo", "splits", "blocks", "logit_mean", "prob_oos_loss",
 *          "degradation_slope", "is_sharpe_mean", "oos_sharpe_mean",
 *          "logit_histogram", "note"},
 *       "stability": {"best", "neighbors", "neighbor_mean", "neighbor_min",
 *          "neighbor_max", "ratio", "profiles": {axis: [[value, metric]...]}}},
 *    "heatmap": {"x", "y", "x_values", "y_values", "z": [[...] per y], "fixed"}}
 * A statistic that cannot be computed is null with a "why". heat_x/heat_y
 * name the heatmap's axes (NULL: the first two). Returns a new object
 * (owned), or NULL with err set. */
json_t *slab_sweep_summary_json(slab_sweep_summary *s, const char *heat_x, const char *heat_y,
                                slab_error *err);

/* The best trial so far: its position and metric value; 0 when no trial
 * has a value. */
int slab_sweep_summary_best(const slab_sweep_summary *s, uint64_t *index, double *value);

/* ---- walk-forward -------------------------------------------------------- */

/* A window length: count units, unit 'y' years, 'm' months, 'w' weeks,
 * 'd' days (calendar, from the first bar's date) or 'b' bars. */
typedef struct slab_span {
    long count;
    char unit;
} slab_span;
/* Parses "3y", "18m", "6w", "90d", "500b" (also "500bars"). */
slab_status slab_span_parse(const char *s, slab_span *out, slab_error *err);

/* Walk-forward optimisation: the grid is swept on each train window, the
 * best combination by the metric runs on the test window that follows, and
 * the test runs are stitched into one equity curve and one result
 * document. Rolling: the train window slides by the test length; anchored:
 * every train window starts at the first bar. Windows are calendar spans
 * from the first bar's date (or bar counts); the test windows tile the
 * data after the first train window, the last one possibly short.
 * Several feeds (sweep.feeds): the windows are cut on the engine's clock
 * (the union of the feeds' times from sweep.preroll_until_ns on), and each
 * window runs on the feeds sliced as `run --from FIRST --to LAST` loads
 * them: the traded feed from the window's first step, the others from
 * SLAB_PREROLL_DAYS days before its date (before the step itself with bar
 * spans), the run starting at the first step. */
typedef struct slab_walkforward_spec {
    slab_sweep_spec sweep;   /* bars (and feeds) = all the data; lo/hi are
                                ignored */
    char metric[64];         /* slab_sweep_rank_parse() */
    int descending;
    slab_span train, test;
    int anchored;            /* 0 rolling, 1 anchored */
} slab_walkforward_spec;

/* What a walk-forward gives: the result document (owned) with a
 * "walkforward" object (windows: spans, chosen parameters, in-sample
 * metric, trials, deflated Sharpe and PBO of the choice, out-of-sample
 * metrics), and the stitched value curve over the test windows. Each test
 * window starts flat with the value the previous one ended with (a
 * position open at a window's end is valued at its last close, without an
 * exit commission); indicators warm up inside each test window. Free with
 * slab_walkforward_result_clear(). */
typedef struct slab_walkforward_result {
    json_t *doc;
    size_t n;               /* clock steps in the test windows */
    const int64_t *ts_ns;   /* their times (borrowed from the spec's bars,
                               or in ts_owned) */
    double *value;          /* the stitched value after each (owned) */
    int64_t *ts_owned;      /* several feeds: the union clock (owned) */
} slab_walkforward_result;

/* progress (may be NULL) is told windows done / windows. */
slab_status slab_walkforward_run(const slab_walkforward_spec *spec,
                                 slab_sweep_progress_fn progress, void *puser,
                                 slab_walkforward_result *out, slab_error *err);
void slab_walkforward_result_clear(slab_walkforward_result *r);

#endif
