/* metrics.h: backtrader-exact analyzers computed from a finished run's
 * per-bar values and trades (docs/backtrader-semantics.md §6), and the
 * headline metrics of the result document.
 * Invariant: every analyzer reads only the equity record (value after each
 * bar's fills, marked at the close, warm-up included) and the trade list,
 * so it gives the same numbers whichever way the run was produced. */
#ifndef STRATLAB_METRICS_H
#define STRATLAB_METRICS_H

#include <jansson.h>

#include "stratlab/broker.h"
#include "stratlab/core.h"
#include "stratlab/data.h"

/* The per-bar portfolio record of a run (borrowed arrays of n values). */
typedef struct slab_equity {
    size_t n;                 /* bars */
    const int64_t *ts_ns;     /* bar times, as in slab_bars */
    const double *value;      /* portfolio value after bar i */
    const double *cash;       /* cash after bar i (may be NULL) */
    double start_value;       /* V0: the broker value before the first bar */
    slab_timeframe timeframe; /* the data's timeframe */
    int compression;          /* the data's compression */
} slab_equity;

/* Period returns (TimeReturn, AnnualReturn): key_ns[i] is backtrader's
 * period key (Years: Dec 31 of the year; Months: last day of the month;
 * Days: the date; intraday: the bucket end), ret[i] the return. Owned by
 * the caller's struct; release with slab_period_returns_clear(). */
typedef struct slab_period_returns {
    size_t n;
    int64_t *key_ns;
    double *ret;
    double *end_value;  /* value at each period's last bar */
} slab_period_returns;
void slab_period_returns_clear(slab_period_returns *p);

/* TimeReturn(timeframe, compression): r_k = E_k/E_{k-1} - 1, E_0 = V0. */
slab_status slab_timereturn(const slab_equity *eq, slab_timeframe tf, int compression,
                            slab_period_returns *out, slab_error *err);
/* AnnualReturn(): years, starting from the value at the first bar. */
slab_status slab_annualreturn(const slab_equity *eq, slab_period_returns *out,
                              slab_error *err);

/* SharpeRatio parameters, backtrader's names and defaults. */
typedef struct slab_sharpe_params {
    slab_timeframe timeframe; /* SLAB_TF_YEARS */
    int compression;          /* 1 */
    double riskfreerate;      /* 0.01 */
    int convertrate;          /* 1 */
    int annualize;            /* 0 (SharpeRatio_A: 1) */
    int stddev_sample;        /* 0: population sd */
    double factor;            /* 0 = from the timeframe (252/52/12/1) */
} slab_sharpe_params;
void slab_sharpe_params_default(slab_sharpe_params *p);
/* Returns the ratio in *out; *is_none = 1 where backtrader gives None
 * (no returns, or a zero standard deviation). */
slab_status slab_sharpe(const slab_equity *eq, const slab_sharpe_params *p, double *out,
                        int *is_none, slab_error *err);

typedef struct slab_drawdown_result {
    double len, drawdown, moneydown;             /* at the last bar */
    double max_len, max_drawdown, max_moneydown; /* running maxima */
} slab_drawdown_result;
void slab_drawdown(const slab_equity *eq, slab_drawdown_result *out);

typedef struct slab_returns_result {
    double rtot, ravg, rnorm, rnorm100;
    size_t n_periods;
    double tann;
} slab_returns_result;
/* Returns(timeframe=data's, tann=None); tann <= 0 picks backtrader's table. */
void slab_returns(const slab_equity *eq, double tann, slab_returns_result *out);

typedef struct slab_sqn_result {
    double sqn;      /* 0 when trades <= 1 (an int in backtrader) */
    int is_none;     /* sd = 0 with > 1 trade */
    size_t trades;   /* closed trades counted */
} slab_sqn_result;
void slab_sqn(const slab_trade *trades, size_t n, slab_sqn_result *out);

/* VWR(tau=0.20, sdev_max=2.0 as backtrader's code actually runs). */
slab_status slab_vwr(const slab_equity *eq, double *out, int *is_none, slab_error *err);

/* Calmar(timeframe=Months, period=36): the last value and the count. */
typedef struct slab_calmar_result {
    double last;     /* NaN during the first 34 months */
    size_t n_periods;
    int64_t last_key_ns;
} slab_calmar_result;
slab_status slab_calmar(const slab_equity *eq, slab_calmar_result *out, slab_error *err);

typedef struct slab_periodstats_result {
    double average, stddev, best, worst;
    size_t positive, negative, nochange;
} slab_periodstats_result;
slab_status slab_periodstats(const slab_equity *eq, slab_timeframe tf,
                             slab_periodstats_result *out, slab_error *err);

/* TradeAnalyzer: backtrader's nested dict as a new JSON object (owned;
 * json_decref()). Keys appear only once used, as in backtrader. */
json_t *slab_tradeanalyzer_json(const slab_trade *trades, size_t n);

/* Every analyzer the result document carries, keyed as in the reference
 * runs: tradeanalyzer, sharperatio, drawdown, returns, sqn, annualreturn,
 * sharpe_a_days, sharpe_days_sample_annualized, sharpe_months, vwr, calmar,
 * timereturn_years, periodstats, timereturn. Returns a new object (owned). */
json_t *slab_analyzers_json(const slab_equity *eq, const slab_trade *trades, size_t n_trades,
                            slab_error *err);

#endif
