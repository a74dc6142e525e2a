/* ind.h: the indicator library. One table (src/ind/registry.c) lists every
 * indicator with its aliases, inputs, parameters (defaults and ranges),
 * outputs and lookback; strategies, specs and the CLI look names up there.
 * Kernels are batch functions over a whole series that write into
 * caller-provided arrays and never allocate per call; value i depends only
 * on inputs 0..i (no look-ahead), and values before the first valid index
 * are NaN (leading NaN inputs, an upstream warm-up, shift the start).
 *
 * Conventions: a plain TA-Lib name (SMA, MACD, STOCH, CCI, BBANDS, ...)
 * computes bit for bit what TA-Lib 0.6 computes over the whole series from
 * bar 0 (unstable period 0), with its parameter names, defaults, output
 * order, lookbacks and zero guards. Where backtrader 1.9.78 differs, its
 * arithmetic is a separate entry named *_BT (SMA_BT, EMA_BT, RSI_BT,
 * BBANDS_BT, MACD_BT, STOCH_BT, STOCHF_BT) whose aliases are backtrader's
 * class names; SMMA and CROSSOVER exist only in backtrader's form.
 * matype parameters take TA-Lib's TA_MAType numbers: 0 SMA 1 EMA 2 WMA
 * 3 DEMA 4 TEMA 5 TRIMA 6 KAMA 8 T3 (7, MAMA, is not implemented).
 * Entries that neither library has (VWAP, DONCHIAN, KELTNER, MEAN, STD,
 * ZSCORE) have convention "stratlab" and cite their definition.
 *
 * Flat-window policy: where a denominator is zero because the window is
 * flat (high == low throughout, a constant series), TA-Lib substitutes 0.
 * Entries where this matters (STOCH, STOCHF, WILLR, CCI, CORREL, CCI_BT,
 * ZSCORE) take a last parameter `flat`: 0 (the default) keeps TA-Lib's 0,
 * 1 gives NaN on the affected bars instead. It is an ordinary table
 * parameter, so callers that pass fewer parameters get TA-Lib's behaviour;
 * each entry's notes say which bars are affected. */
#ifndef STRATLAB_IND_H
#define STRATLAB_IND_H

#include "stratlab/core.h"

#define SLAB_IND_MAX_INPUTS 5
#define SLAB_IND_MAX_PARAMS 6
#define SLAB_IND_MAX_OUTPUTS 4

typedef struct slab_ind_param {
    const char *name;  /* TA-Lib's name: timeperiod, nbdevup, ... */
    double def;        /* default value */
    double min, max;   /* allowed range, inclusive */
    int is_int;        /* must be a whole number */
    const char *help;  /* one line */
} slab_ind_param;

/* Batch kernel: in[k] are the input series (n values each), p the
 * parameter values in table order, out[k] the output arrays (n each). */
typedef slab_status (*slab_ind_fn)(const double *const *in, size_t n, const double *p,
                                   double *const *out, slab_error *err);
/* Index of the first valid output for these parameters (the lookback),
 * assuming inputs valid from index 0. */
typedef size_t (*slab_ind_lookback_fn)(const double *p);

typedef struct slab_ind_def {
    const char *name;        /* canonical name, TA-Lib spelling: "SMA" */
    const char *aliases;     /* comma-separated other names (backtrader's) */
    const char *summary;     /* one line */
    const char *convention;  /* "ta-lib", "backtrader" or "stratlab" */
    int n_inputs;
    /* What each input reads, in the order fn takes them (and slab_indicator
     * passes series ids): a bar column ("open", "high", "low", "close",
     * "volume") or a generic series ("real0", "real1" for CORREL/BETA,
     * "a", "b" for CROSSOVER), or "day": the bar's calendar day number
     * (days since 1970-01-01, slab_ts_day(ts_ns), as a double) for the
     * session-anchored VWAP. */
    const char *inputs[SLAB_IND_MAX_INPUTS];
    int n_params;
    slab_ind_param params[SLAB_IND_MAX_PARAMS];
    int n_outputs;
    const char *outputs[SLAB_IND_MAX_OUTPUTS];
    slab_ind_fn fn;
    slab_ind_lookback_fn lookback;
    /* Deliberate differences from the cited source, edge cases, cost; ""
     * or NULL when there is nothing to add. */
    const char *notes;
} slab_ind_def;

/* The whole table and its length. */
const slab_ind_def *slab_ind_table(size_t *n);
/* Finds a definition by name or alias, case-insensitively; NULL if none.
 * On NULL, when err is given, the message suggests the closest names. */
const slab_ind_def *slab_ind_find(const char *name, slab_error *err);
/* Index of a parameter by name ("period" is accepted for "timeperiod");
 * -1 if the indicator has no such parameter. */
int slab_ind_param_index(const slab_ind_def *def, const char *name);

/* Multi-series form, for sweeps: runs def over k series (instruments or
 * parameter sets) at once. Series s reads in[s*def->n_inputs + j] (n values
 * each, j in def->inputs order), takes its parameters from
 * p[s*def->n_params ...] (table order) and writes out[s*def->n_outputs + o]
 * (n values each, caller-provided). Every series' outputs are bit for bit
 * what def->fn gives for that series alone, leading NaNs included. SMA,
 * EMA, RSI and ATR run as lane-parallel kernels (several series per vector
 * register, each lane with the single kernel's operation order); other
 * entries call def->fn once per series; SMA_BT's periods over one input
 * share one exact prefix (slab_ind_sma_many: the one allocation, and
 * without it each series runs alone). Returns SLAB_OK, or the first error
 * def->fn reports. */
slab_status slab_ind_run_multi(const slab_ind_def *def, size_t k, const double *const *in, size_t n,
                               const double *p, double *const *out, slab_error *err);

/* Direct kernels (the table calls these). */
/* SMA: math.fsum(window)/p as backtrader computes it (exactly rounded). */
void slab_ind_sma(const double *x, size_t n, int period, double *out);
/* slab_ind_sma for the k periods period[0..k-1] over the same x at once
 * (out[j] for period[j]): one exact prefix serves them all, bit for bit
 * the single form. */
void slab_ind_sma_many(const double *x, size_t n, const int *period, size_t k, double *const *out);
/* EMA with alpha = 2/(p+1), seeded by the SMA of the first p valid values;
 * y = y_prev*(1-alpha) + x*alpha (backtrader's operation order). */
void slab_ind_ema_alpha(const double *x, size_t n, int period, double alpha, double *out);
/* RSI, backtrader's form: Wilder smoothing (alpha 1/p) of up/down moves
 * seeded by their mean; 100 - 100/(1 + up/down). A zero down average gives
 * 100 (backtrader raises ZeroDivisionError there), 0/0 gives 50. */
void slab_ind_rsi(const double *close, size_t n, int period, double *out);
/* Bollinger bands, backtrader's form: mid = SMA, sd = |E[x^2]-E[x]^2|^0.5
 * (population, fsum means), top/bot = mid +/- dev*sd. */
void slab_ind_bbands(const double *x, size_t n, int period, double devup, double devdn,
                     double *top, double *mid, double *bot);
/* backtrader's Stochastic fast %K: 100*((C - LL)/(HH - LL)) over `period`
 * bars, from index period-1; HH == LL gives 0 (backtrader's safediv=True;
 * by default it raises ZeroDivisionError). */
void slab_ind_stoch_fastk_bt(const double *high, const double *low, const double *close, size_t n,
                             int period, double *out);
/* backtrader's CrossOver: +1 when a crosses above b (the previous non-zero
 * difference a-b was < 0 and now a > b), -1 for the mirror, else 0. */
void slab_ind_crossover(const double *a, const double *b, size_t n, double *out);

/* A series of crossover signs, one byte a bar: -1, 0, +1, or this code
 * for NaN (the warm-up). */
#define SLAB_SIGN_NAN ((signed char)-128)
/* slab_ind_crossover(SMA(x, fast), SMA(x, slow)) as signs in out[0..n-1],
 * the same values bit for bit, without either SMA held whole: computed in
 * blocks of `block` bars, each from the max(fast, slow) - 1 bars before it
 * on. scratch holds 2 * (block + max(fast, slow) - 1) doubles (the
 * caller's). Returns 0, or -1 with nothing written when a period is below
 * 1, block is 0 or x holds a non-finite value (the blocks then give other
 * sums than the whole series: use the three kernels). */
int slab_ind_sma_cross_signs(const double *x, size_t n, int fast, int slow, double *scratch,
                             size_t block, signed char *out);

#endif
