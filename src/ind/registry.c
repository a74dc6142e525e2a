/* registry.c: the one table of indicators. Every name a strategy, a spec
 * or the CLI uses is resolved here; the listing and the docs come from it.
 * Adding an indicator = writing its kernel and adding one row. */
#include "stratlab/ind.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PERIOD_PARAM(d) {"timeperiod", d, 1, 100000, 1, "number of bars in the window"}

static slab_status run_sma(const double *const *in, size_t n, const double *p, double *const *out,
                           slab_error *err)
{
    (void)err;
    slab_ind_sma(in[0], n, (int)p[0], out[0]);
    return SLAB_OK;
}

static slab_status run_ema(const double *const *in, size_t n, const double *p, double *const *out,
                           slab_error *err)
{
    (void)err;
    slab_ind_ema_alpha(in[0], n, (int)p[0], 2.0 / (1.0 + p[0]), out[0]);
    return SLAB_OK;
}

static slab_status run_smma(const double *const *in, size_t n, const double *p, double *const *out,
                            slab_error *err)
{
    (void)err;
    slab_ind_ema_alpha(in[0], n, (int)p[0], 1.0 / p[0], out[0]);
    return SLAB_OK;
}

static slab_status run_rsi(const double *const *in, size_t n, const double *p, double *const *out,
                           slab_error *err)
{
    (void)err;
    slab_ind_rsi(in[0], n, (int)p[0], out[0]);
    return SLAB_OK;
}

static slab_status run_bbands(const double *const *in, size_t n, const double *p,
                              double *const *out, slab_error *err)
{
    (void)err;
    slab_ind_bbands(in[0], n, (int)p[0], p[1], p[2], out[0], out[1], out[2]);
    return SLAB_OK;
}

static slab_status run_cross(const double *const *in, size_t n, const double *p,
                             double *const *out, slab_error *err)
{
    (void)p;
    (void)err;
    slab_ind_crossover(in[0], in[1], n, out[0]);
    return SLAB_OK;
}

/* backtrader MACD: each EMA seeded on its own (fast from index p0-1, slow
 * from p1-1), macd = fast - slow, signal = EMA(macd) seeded with the mean of
 * its first p2 values, histo = macd - signal. out[1], out[2] hold the two
 * EMAs until macd is known. */
static slab_status run_macd_bt(const double *const *in, size_t n, const double *p,
                               double *const *out, slab_error *err)
{
    (void)err;
    slab_ind_ema_alpha(in[0], n, (int)p[0], 2.0 / (1.0 + p[0]), out[1]);
    slab_ind_ema_alpha(in[0], n, (int)p[1], 2.0 / (1.0 + p[1]), out[2]);
    for (size_t i = 0; i < n; i++)
        out[0][i] = out[1][i] - out[2][i];
    slab_ind_ema_alpha(out[0], n, (int)p[2], 2.0 / (1.0 + p[2]), out[1]);
    for (size_t i = 0; i < n; i++)
        out[2][i] = out[0][i] - out[1][i];
    return SLAB_OK;
}

static size_t lb_macd_bt(const double *p)
{
    return (size_t)(p[0] > p[1] ? p[0] : p[1]) + (size_t)p[2] - 2;
}

static size_t lb_period_minus1(const double *p) { return (size_t)p[0] - 1; }
static size_t lb_period(const double *p) { return (size_t)p[0]; }
static size_t lb_one(const double *p)
{
    (void)p;
    return 1;
}

static const slab_ind_def table[] = {
    {"SMA", "SimpleMovingAverage,MovingAverageSimple,MovAv.SMA",
     "simple moving average, fsum(window)/n", "same in both", 1, {"close"}, 1,
     {PERIOD_PARAM(30)}, 1, {"sma"}, run_sma, lb_period_minus1},
    {"EMA", "ExponentialMovingAverage,MovingAverageExponential",
     "exponential moving average, alpha 2/(n+1), SMA seed", "same in both", 1, {"close"}, 1,
     {PERIOD_PARAM(30)}, 1, {"ema"}, run_ema, lb_period_minus1},
    {"SMMA", "SmoothedMovingAverage,MovingAverageSmoothed,Wilder,WilderMA",
     "Wilder's smoothed moving average, alpha 1/n, SMA seed", "same in both", 1, {"close"}, 1,
     {PERIOD_PARAM(30)}, 1, {"smma"}, run_smma, lb_period_minus1},
    {"RSI", "RelativeStrengthIndex,RSI_SMMA,RSI_Safe",
     "relative strength index, Wilder smoothing", "same in both", 1, {"close"}, 1,
     {PERIOD_PARAM(14)}, 1, {"rsi"}, run_rsi, lb_period},
    {"BBANDS", "BollingerBands,BBands", "Bollinger bands, population sd", "backtrader", 1,
     {"close"}, 3,
     {PERIOD_PARAM(20), {"nbdevup", 2.0, 0, 1000, 0, "upper band in standard deviations"},
      {"nbdevdn", 2.0, 0, 1000, 0, "lower band in standard deviations"}},
     3, {"upperband", "middleband", "lowerband"}, run_bbands, lb_period_minus1},
    {"CROSSOVER", "CrossOver",
     "+1 when a crosses above b, -1 below (previous non-zero difference)", "backtrader", 2,
     {"a", "b"}, 0, {{0}}, 1, {"crossover"}, run_cross, lb_one},
    {"MACD_BT", "MACDHisto",
     "MACD with backtrader's seeding: each EMA SMA-seeded on its own, signal seeded by the "
     "mean of the first macd values",
     "backtrader", 1, {"close"}, 3,
     {{"fastperiod", 12, 1, 100000, 1, "fast EMA period, bars"},
      {"slowperiod", 26, 1, 100000, 1, "slow EMA period, bars"},
      {"signalperiod", 9, 1, 100000, 1, "signal EMA period, bars"}},
     3, {"macd", "signal", "histo"}, run_macd_bt, lb_macd_bt},
};

const slab_ind_def *slab_ind_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

/* 1 when name matches one comma-separated entry of list, ignoring case. */
static int in_list(const char *name, const char *list)
{
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (l == len && strncasecmp(p, name, len) == 0)
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

/* Levenshtein distance, case-insensitive, for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[64];
    if (la > 63 || lb > 63)
        return 64;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const slab_ind_def *slab_ind_find(const char *name, slab_error *err)
{
    size_t n = sizeof table / sizeof table[0], best = 0, best_d = (size_t)-1;

    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(table[i].name, name) || in_list(name, table[i].aliases))
            return &table[i];
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(name, table[i].name);
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    if (best_d <= 3)
        slab_error_set(err, SLAB_ENOTFOUND, NULL, "unknown indicator %s; did you mean %s?", name,
                       table[best].name);
    else
        slab_error_set(err, SLAB_ENOTFOUND, NULL,
                       "unknown indicator %s; `stratlab indicators` lists them", name);
    return NULL;
}

int slab_ind_param_index(const slab_ind_def *def, const char *name)
{
    for (int i = 0; i < def->n_params; i++)
        if (!strcasecmp(def->params[i].name, name))
            return i;
    if (!strcasecmp(name, "period"))
        for (int i = 0; i < def->n_params; i++)
            if (!strcmp(def->params[i].name, "timeperiod"))
                return i;
    return -1;
}
