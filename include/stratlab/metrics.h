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
    const int64_t *ts_ns;     /* bar times, as in slab_bars (strictly increasing) */
    const double *value;      /* portfolio value after bar i, cash units */
    const double *cash;       /* cash after bar i, cash units (may be NULL; unused here) */
    double start_value;       /* V0: the broker value before the first bar, cash units */
    slab_timeframe timeframe; /* the data's timeframe */
    int compression;          /* the data's compression (5 for 5-minute bars) */
} slab_equity;

/* ---- period bucketing ---------------------------------------------------
 * backtrader's TimeFrameAnalyzerBase gives every bar a period key; a new
 * period starts when the key grows. Keys as timestamps: Years -> Dec 31,
 * Months -> the month's last day, Weeks -> the ISO week's Sunday, Days ->
 * the date (all at 00:00); Minutes/Seconds/Microseconds with compression c
 * -> the end of the c-unit bucket minus one unit, on the bar's date
 * (rolling over midnight). Ticks is rejected (backtrader fails on it). */

/* Writes a period key the way backtrader's analysis dicts print it into
 * buf (n >= 32): "2006-12-31" for Years (a date), "2006-01-31T00:00:00"
 * for every other timeframe (a datetime). Returns buf. */
char *slab_period_key_format(slab_timeframe tf, int64_t key_ns, char *buf, size_t n);

/* Period returns (TimeReturn, AnnualReturn), one row per period in time
 * order. The arrays are owned by the struct; release them with
 * slab_period_returns_clear(), which leaves an empty struct (n = 0). */
typedef struct slab_period_returns {
    size_t n;          /* periods */
    int64_t *key_ns;   /* backtrader's period key (see above) */
    double *ret;       /* the period's return, a fraction (0.05 = 5%) */
    double *end_value; /* value at the period's last bar, cash units */
    size_t *first_bar; /* index of the period's first bar in the equity */
} slab_period_returns;
/* Frees the arrays of p and zeroes it; NULL is a no-op. */
void slab_period_returns_clear(slab_period_returns *p);

/* TimeReturn(timeframe, compression): r_k = E_k/E_{k-1} - 1 with E_0 = V0,
 * where E_k is the value at period k's last bar. tf 0 means the data's
 * timeframe and compression <= 0 the data's compression, as backtrader's
 * None. Fills *out (owned, see above); SLAB_EINVAL for an empty equity or a
 * timeframe without periods, SLAB_ENOMEM. */
slab_status slab_timereturn(const slab_equity *eq, slab_timeframe tf, int compression,
                            slab_period_returns *out, slab_error *err);
/* AnnualReturn(): the same per calendar year, except that the first year
 * starts from the value at the first bar instead of V0. Keys are Dec 31. */
slab_status slab_annualreturn(const slab_equity *eq, slab_period_returns *out, slab_error *err);

/* SharpeRatio parameters, backtrader's names and defaults. */
typedef struct slab_sharpe_params {
    slab_timeframe timeframe; /* period of the returns: SLAB_TF_YEARS */
    int compression;          /* period size for sub-day timeframes: 1 */
    double riskfreerate;      /* annual risk-free rate as a fraction: 0.01 */
    int convertrate;          /* 1: rate -> per-period (1+rf)^(1/factor)-1;
                                 0: returns -> annual (1+r)^factor-1 */
    int annualize;            /* 0 (SharpeRatio_A: 1): multiply by sqrt(factor) */
    int stddev_sample;        /* 0: population sd; 1: sample sd (n-1) */
    double factor;            /* periods per year; 0 = from the timeframe
                                 (Days 252, Weeks 52, Months 12, Years 1,
                                 none for sub-day timeframes) */
} slab_sharpe_params;
/* Fills p with backtrader's SharpeRatio defaults (yearly, rf 1%). */
void slab_sharpe_params_default(slab_sharpe_params *p);
/* Returns the ratio in *out; *is_none = 1 where backtrader gives None
 * (no returns, or a zero standard deviation, so any single period). A NaN
 * ratio (NaN values) is reported as *out = NaN with *is_none = 0. */
slab_status slab_sharpe(const slab_equity *eq, const slab_sharpe_params *p, double *out,
                        int *is_none, slab_error *err);
/* The same from already computed period returns (ret[0..n-1]); the
 * timeframe in p only picks the factor. Never fails. */
void slab_sharpe_from_returns(const double *ret, size_t n, const slab_sharpe_params *p, double *out,
                              int *is_none);

/* DrawDown(): peak = running max of the value (from -inf). */
typedef struct slab_drawdown_result {
    double len;           /* bars in the current drawdown (an int in backtrader) */
    double drawdown;      /* current drawdown at the last bar, percent of the peak */
    double moneydown;     /* current drawdown at the last bar, cash units */
    double max_len;       /* longest drawdown, bars; backtrader's float 0.0 while
                             there never was one, an int afterwards */
    double max_drawdown;  /* largest drawdown, percent */
    double max_moneydown; /* largest drawdown, cash units */
} slab_drawdown_result;
/* Fills *out from every bar of eq (all zero for an empty equity). */
void slab_drawdown(const slab_equity *eq, slab_drawdown_result *out);

/* Returns(timeframe=data's): log returns over the data's periods. */
typedef struct slab_returns_result {
    double rtot;      /* ln(v_N / V0); -inf when the ratio is <= 0 or V0 = 0 */
    double ravg;      /* rtot / n_periods */
    double rnorm;     /* expm1(ravg * tann), or ravg when that is -inf */
    double rnorm100;  /* rnorm in percent */
    size_t n_periods; /* periods of the data's timeframe seen (warm-up included) */
    double tann;      /* periods per year used: 252/52/12/1, or 1.0 for sub-day */
} slab_returns_result;
/* Returns(timeframe=data's, tann=None); tann <= 0 picks backtrader's table.
 * SLAB_EINVAL for an empty equity or a timeframe without periods. */
slab_status slab_returns(const slab_equity *eq, double tann, slab_returns_result *out,
                         slab_error *err);

/* SQN(): the system quality number of the closed trades. */
typedef struct slab_sqn_result {
    double sqn;    /* sqrt(n)*mean/sd_pop of pnlcomm; 0 (an int in backtrader)
                      when trades <= 1 */
    int is_none;   /* 1: sd = 0 with more than one trade (backtrader's None) */
    size_t trades; /* closed trades counted */
} slab_sqn_result;
/* Fills *out from the closed trades (is_open == 0) of trades[0..n-1]. */
void slab_sqn(const slab_trade *trades, size_t n, slab_sqn_result *out);

/* VWR(timeframe=data's, tau=0.20, sdev_max=2.0, as backtrader's code
 * actually runs; its docstring swaps the two). *is_none = 1 where
 * backtrader divides by zero (a single period). */
slab_status slab_vwr(const slab_equity *eq, double *out, int *is_none, slab_error *err);

/* Calmar(timeframe=Months, period=36). */
typedef struct slab_calmar_result {
    double last;         /* the last rolling ratio; NaN during the first 34 months */
    size_t n_periods;    /* months seen (entries of backtrader's dict) */
    int64_t last_key_ns; /* key of the last month (its last day, 00:00) */
} slab_calmar_result;
/* SLAB_EINVAL for an empty equity. */
slab_status slab_calmar(const slab_equity *eq, slab_calmar_result *out, slab_error *err);

/* PeriodStats(timeframe=tf, compression=1): statistics of TimeReturn. */
typedef struct slab_periodstats_result {
    double average;  /* mean return (fsum / n) */
    double stddev;   /* population standard deviation of the returns */
    double best;     /* largest return */
    double worst;    /* smallest return */
    size_t positive; /* returns > 0 */
    size_t negative; /* returns < 0 */
    size_t nochange; /* returns == 0 */
} slab_periodstats_result;
/* SLAB_EINVAL for an empty equity or a timeframe without periods. */
slab_status slab_periodstats(const slab_equity *eq, slab_timeframe tf, slab_periodstats_result *out,
                             slab_error *err);

/* TradeAnalyzer: backtrader's nested dict as a new JSON object (owned;
 * json_decref()), or NULL when out of memory. Every trade counts as opened
 * (total.total, total.open); closed ones (is_open == 0) feed the statistics
 * in the order they appear, which must be the order they closed. Keys
 * appear only once used, as in backtrader. */
json_t *slab_tradeanalyzer_json(const slab_trade *trades, size_t n);

/* Every analyzer the result document carries, keyed as in the reference
 * runs: tradeanalyzer, sharperatio, drawdown, returns, sqn, annualreturn,
 * sharpe_a_days, sharpe_days_sample_annualized, sharpe_months, vwr, calmar
 * {last, n_periods, last_key}, timereturn_years, periodstats. Counts are
 * JSON integers where backtrader has ints; None, NaN and +-inf are null
 * (JSON has no NaN or infinity). Returns a new object (owned; json_decref()),
 * or NULL with err set (empty equity, bad timeframe, out of memory). */
json_t *slab_analyzers_json(const slab_equity *eq, const slab_trade *trades, size_t n_trades,
                            slab_error *err);

/* ---- the headline metrics (the result document's "metrics"), for many
 * runs on the same bars (a sweep) ------------------------------------------ */

/* The period tables of one bar clock (years, days, the data's timeframe),
 * built once from an equity record's timestamps and shared by every run on
 * the same bars. Owned; free with slab_period_plan_free(). */
typedef struct slab_period_plan slab_period_plan;
/* Builds the plan for eq's clock (eq->ts_ns, n, timeframe, compression;
 * the values are not read). The plan borrows eq->ts_ns. */
slab_status slab_period_plan_new(const slab_equity *eq, slab_period_plan **out, slab_error *err);
void slab_period_plan_free(slab_period_plan *p);
/* Daily periods of the plan (TimeReturn(Days) returns). */
size_t slab_period_plan_days(const slab_period_plan *p);

/* What the "metrics" object needs from the analyzers, computed by the same
 * code as slab_analyzers_json, so every value is the same bits. */
typedef struct slab_headline {
    double sharpe;         /* SharpeRatio() (yearly, rf 1%) */
    int sharpe_none;       /* 1: backtrader's None */
    double sharpe_days;    /* SharpeRatio_A(timeframe=Days) */
    int sharpe_days_none;
    double max_drawdown;   /* DrawDown max.drawdown, percent */
    slab_returns_result returns; /* Returns (rnorm100) */
    slab_sqn_result sqn;   /* SQN */
    /* The normalized annual return fitted to the bars' timeframe, percent:
     * expm1(ravg * periods_per_year) * 100. For days and longer it is
     * returns.rnorm100 (backtrader's 252/52/12/1). Below a day backtrader
     * uses 1 (no annualisation); here periods_per_year is 252 sessions a
     * year times the bars per session seen (bars / days with a bar). */
    double annual_return_pct;
    double periods_per_year;
    /* The Sharpe ratio fitted to the bars' timeframe: the returns of the
     * data's own periods (days for daily bars, each bar below a day), rf
     * 1% a year converted per period, population sd, times
     * sqrt(periods_per_year). Equals sharpe_days on daily bars; defined
     * for a single intraday session, where the yearly and daily ones are
     * not. */
    double sharpe_fit;
    int sharpe_fit_none;
} slab_headline;
/* Fills *out for eq and its trades. plan may be NULL (built and freed
 * here); when given it must come from the same bars (same ts_ns array and
 * length), else SLAB_EINVAL. */
slab_status slab_headline_compute(const slab_equity *eq, const slab_trade *trades, size_t n_trades,
                                  const slab_period_plan *plan, slab_headline *out,
                                  slab_error *err);
/* A range of bars [lo, hi) of an equity record. */
typedef struct slab_bar_span {
    size_t lo, hi; /* first bar, one past the last bar */
} slab_bar_span;
/* slab_headline_compute for a record that changes only inside spans: for
 * every bar i outside spans[0..n_spans-1] (sorted, disjoint, non-empty),
 * value[i] == value[i-1] (value[-1] meaning start_value), and each such
 * value is finite and non-zero. The same bits as slab_headline_compute,
 * with work in proportion to the bars inside the spans and the periods
 * (a flat stretch's returns are all exactly 0). Outside the spans only
 * value[0], value[lo - 1] of each span and value[n - 1] are read: the
 * other bars there may be left unwritten. plan is required; scratch is
 * the caller's, eq->n + 8 doubles. SLAB_EINVAL when the plan is for other
 * bars. daily (or NULL): slab_daily_returns' values written there too
 * (the daily Sharpe ratio's returns, taken once, reading the bars the
 * spans allow). */
slab_status slab_headline_compute_spans(const slab_equity *eq, const slab_bar_span *spans,
                                        size_t n_spans, const slab_trade *trades,
                                        size_t n_trades, const slab_period_plan *plan,
                                        double *scratch, double *daily, slab_headline *out,
                                        slab_error *err);
/* DrawDown's max.drawdown of v[0..n-1] (percent of the running peak), the
 * same bits as slab_drawdown, with one division per new peak. */
double slab_max_drawdown_pct(const double *v, size_t n);
/* TimeReturn(Days) of eq, r_k = E_k / E_{k-1} - 1 with E_-1 = V0, into
 * out[0 .. slab_period_plan_days(plan) - 1]. SLAB_EINVAL when the plan is
 * for other bars. */
slab_status slab_daily_returns(const slab_equity *eq, const slab_period_plan *plan, double *out,
                               slab_error *err);

#endif
