/* sweep_int.h: the sweep module's private structs (grid, constraint
 * program), shared by its files only. */
#ifndef SLAB_SWEEP_INT_H
#define SLAB_SWEEP_INT_H

#include "stratlab/engine.h"
#include "stratlab/ind.h"
#include "stratlab/metrics.h"
#include "stratlab/sweep.h"

#define WHERE_MAX_OPS 256   /* instructions of a compiled constraint */
#define WHERE_MAX_FIXED 64  /* fixed names a constraint may read */

typedef enum where_op {
    W_CONST = 0, W_AXIS, W_FIXED, W_NEG, W_NOT, W_ADD, W_SUB, W_MUL, W_DIV, W_MOD,
    W_LT, W_LE, W_GT, W_GE, W_EQ, W_NE, W_AND, W_OR, W_ABS, W_MIN, W_MAX
} where_op;

typedef struct where_ins {
    where_op op;
    int arg;      /* axis or fixed index */
    double value; /* W_CONST's number; W_FIXED's value */
} where_ins;

/* A compiled constraint: a stack program. */
typedef struct slab__where {
    where_ins ins[WHERE_MAX_OPS];
    int n;
    int depth; /* stack slots it needs */
} slab__where;

struct slab_grid {
    slab_grid_axis axes[SLAB_GRID_MAX_AXES];
    size_t n_axes;
    slab__where *where;       /* NULL: every combination runs */
    char *where_text;         /* as given (trimmed), NULL when none */
    uint64_t samples, seed;   /* samples 0: the whole grid */
    uint64_t *drawn;          /* samples drawn: full-grid indexes, sorted */
    uint64_t full;            /* product of the axis sizes (saturated) */
    uint64_t count;           /* combinations that run */
    int finished;
    char *canonical;          /* slab_grid_canonical() */
};

/* ---- the shared indicator cache (cache.c) ---- */
typedef struct slab__cache slab__cache;
/* A cache holding at most cap_bytes of indicator outputs; NULL when out
 * of memory. */
slab__cache *slab__cache_new(size_t cap_bytes);
void slab__cache_free(slab__cache *c);
/* slab_ind_share.get for a run of combination idx of grid g (both may be
 * NULL: no prefetch); 1 with out set, 0 when the run must compute. */
int slab__cache_get(slab__cache *c, const slab_grid *g, const size_t *idx,
                    const slab_ind_def *def, const double *const *in, size_t n, const double *p,
                    const double **out);
/* Drops the unheld entries of first-axis values below floor that no
 * other axis has and that only runs of their own row asked for (a run of
 * another row asking means another parameter takes that value too): every
 * worker's combinations are at or past that row (the grid's order), so
 * none will ask again (one that did would only compute it again). */
void slab__cache_retire(slab__cache *c, size_t floor);
/* slab_ind_share.put. */
void slab__cache_put(slab__cache *c, const slab_ind_def *def, const double *const *out);
/* Lookups served from the cache, missed, and series computed. */
void slab__cache_stats(const slab__cache *c, uint64_t *hits, uint64_t *misses,
                       uint64_t *computed);

/* ---- the bar loop specialised for built-ins (fast.c) ---- */
typedef struct slab__fast slab__fast; /* one worker's buffers */
/* 1 when the sweep's strategy, axes and data let its combinations take
 * the specialised loop (each is still checked, slab__fast_run). */
int slab__fast_eligible(const slab_sweep_spec *spec);
/* Buffers for runs on n bars; NULL when out of memory. */
slab__fast *slab__fast_new(size_t n);
void slab__fast_free(slab__fast *f);
/* The SMAs' block ranges a sweep's workers share (a capped table);
 * NULL when out of memory. */
typedef struct slab__franges slab__franges;
slab__franges *slab__franges_new(size_t n_bars);
void slab__franges_free(slab__franges *t);
/* Runs combination idx (its resolved params, broker and risk) by the
 * specialised loop: fills *run (borrowing f's arrays until the next call;
 * its values only where its spans' record needs them), *h and
 * daily[0 .. the plan's days - 1] (its TimeReturn(Days)), the same bits
 * as the general engine, slab_headline_compute and slab_daily_returns.
 * Returns 1; 0 when this combination needs the general engine; -1 with
 * err set when out of memory. cache and shared may be NULL. */
int slab__fast_run(slab__fast *f, slab__cache *cache, slab__franges *shared,
                   const slab_sweep_spec *spec,
                   const size_t *idx, const double *params, const slab_broker_config *broker,
                   const slab_risk_config *risk, const slab_period_plan *plan, slab_run *run,
                   slab_headline *h, double *daily, slab_error *err);

/* A worker's next combinations, their sma_cross crossings found together
 * (the SMAs' bars read once a tile for all of them): begin, add each
 * combination (its resolved settings; one the loop does not take is not
 * kept), scan; slab__fast_run then takes each one's crossings when it runs
 * them in the order added. add and scan return 0, or -1 out of memory: the
 * combinations the batch could not take then scan alone, so a caller may
 * go on. */
void slab__fast_batch_begin(slab__fast *f);
int slab__fast_batch_add(slab__fast *f, const slab_sweep_spec *spec, const size_t *idx,
                         const double *params, const slab_broker_config *broker,
                         const slab_risk_config *risk);
/* Tests set it to scan batches with the portable lanes where AVX2 is
 * there too (fast.c tile_scan). */
extern int slab__scan_portable;
/* Tests set it (> 0) to cap a batch pair's crossings lower, so pairs
 * overflow their slot and scan alone (fast.c slab__fast_batch_scan). */
extern size_t slab__batch_slot_cap;
int slab__fast_batch_scan(slab__fast *f, slab__cache *cache, slab__franges *shared,
                          const slab_sweep_spec *spec);
/* Whether f's batches ask for their SMAs from the end (every other
 * worker). */
void slab__fast_set_reverse(slab__fast *f, int reverse);
/* Runs of f that took a batch's crossings. */
uint64_t slab__fast_batched(const slab__fast *f);
/* 1 when the sweep's combinations gain from batches (sma_cross). */
int slab__fast_batches(const slab_sweep_spec *spec);

/* Compiles expr against the grid's axes and the fixed names. */
slab_status slab__where_compile(const char *expr, const slab_grid *g,
                                const char *const *fixed_names, const double *fixed_values,
                                size_t n_fixed, slab__where *out, slab_error *err);
/* Evaluates w on the combination idx (value indexes per axis). */
double slab__where_eval(const slab__where *w, const slab_grid *g, const size_t *idx);

/* ---- one combination's run (run.c) ---- */
#define SLAB__SWEEP_PARAMS_MAX 64 /* strategy parameters a sweep handles */
#define SLAB__SWEEP_KV_MAX (SLAB_GRID_NAME_MAX + SLAB_GRID_TEXT_MAX + 2)
/* The parameter texts of a combination ("name=value": the fixed ones,
 * then the swept), as a run's param_text gives them to slab_param_text. */
typedef struct slab__kv_list {
    const char *kv[SLAB__SWEEP_PARAMS_MAX + SLAB_GRID_MAX_AXES];
    char buf[SLAB_GRID_MAX_AXES][SLAB__SWEEP_KV_MAX];
    size_t n;
} slab__kv_list;
/* Runs combination idx as `run` would run it: the spec's feeds (bars, when
 * not NULL, replaces the first: a walk-forward window), preroll, stamps,
 * calendar and the parameter texts in *kv (which the run points at: kv
 * must outlive it); cash, unless NaN, replaces the starting cash. The order log
 * only when keep_orders. params, broker and risk get the settings. */
slab_status slab__sweep_run(const slab_sweep_spec *spec, const size_t *idx, const slab_bars *bars,
                            double cash, int keep_orders, const slab_ind_share *share,
                            double *params, slab_broker_config *broker, slab_risk_config *risk,
                            slab__kv_list *kv, slab_run **run, slab_error *err);

#endif
