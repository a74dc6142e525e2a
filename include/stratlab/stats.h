/* stats.h: the statistics block of a run (report layer, src/report/stats.c):
 * backtesting.py's statistics with each convention stated, computed from
 * the per-bar value record, the closes and the closed trades, in the
 * document under "stats" and printed by `stratlab stats`.
 * Invariant: every figure is a function of (times, values, closes, V0,
 * annualization periods, trades) only, so a document with its "series"
 * gives the same numbers as the run that wrote it. */
#ifndef STRATLAB_STATS_H
#define STRATLAB_STATS_H

#include <jansson.h>

#include "stratlab/broker.h"
#include "stratlab/core.h"
#include "stratlab/text.h"

/* What the statistics read (all borrowed). */
typedef struct slab_stats_input {
    size_t n_bars;            /* bars (>= 1) */
    const int64_t *ts_ns;     /* bar times, ns since the epoch */
    const double *value;      /* portfolio value after each bar, cash units */
    const double *close;      /* the traded symbol's closes over the run (buy and hold: from
                                 close[0] to its last); may be NULL */
    size_t n_close;           /* closes in close[]; 0: n_bars (one feed, a close per bar).
                                 With several feeds, the traded feed's bars in the window */
    double start_value;       /* V0: the value before the first bar (the starting cash) */
    double periods_per_year;  /* bar periods a year (metrics.annualization_periods):
                                 252 for daily bars, 252 x bars per session intraday */
    double riskfree_rate;     /* a year, as a fraction (0.01, backtrader's default) */
    int date_only;            /* 1: times print as dates (daily and longer bars) */
    const slab_trade *trades; /* every trade; only closed ones (is_open 0) make
                                 trade statistics, open ones count for exposure */
    size_t n_trades;
} slab_stats_input;

/* The statistics; NaN where a figure is undefined (null in JSON). Units:
 * _pct in percent (12.5 = 12.5%), durations in bars, money in cash units. */
typedef struct slab_stats {
    int64_t start_ts_ns, end_ts_ns; /* first and last bar */
    double duration_days;           /* calendar days between them */
    size_t bars;                    /* bars */
    double exposure_time_pct;       /* bars with a position open */
    double equity_final, equity_peak;
    double return_pct;
    double buy_and_hold_return_pct;
    double cagr_pct;
    double annual_volatility_pct;
    double sharpe_ratio, sortino_ratio, calmar_ratio;
    double max_drawdown_pct, avg_drawdown_pct;
    double max_drawdown_duration, avg_drawdown_duration; /* bars */
    size_t num_trades;                                   /* closed trades */
    double win_rate_pct, best_trade_pct, worst_trade_pct, avg_trade_pct;
    double max_trade_duration, avg_trade_duration; /* bars */
    double profit_factor;
    double expectancy;     /* mean pnlcomm per closed trade, cash units */
    double expectancy_pct; /* mean trade return, percent */
    double sqn, kelly_fraction;
    double commissions; /* commission of the closed trades, cash units */
    double max_drawdown_duration_days, avg_drawdown_duration_days; /* calendar days */
    double max_trade_duration_days, avg_trade_duration_days;       /* calendar days */
} slab_stats;

/* Computes *out from in. SLAB_EINVAL with no bars or a non-positive V0,
 * SLAB_ENOMEM when the scratch for exposure cannot be had. */
slab_status slab_stats_compute(const slab_stats_input *in, slab_stats *out, slab_error *err);

/* The document's "stats" object: every key of slab_stats (times as text,
 * NaN as null) and "conventions", one line per key. Returns a new object
 * (owned; json_decref()), or NULL when out of memory. */
json_t *slab_stats_json(const slab_stats *s, int date_only);

/* The keys of the "stats" object in order (borrowed; *n gets the count),
 * "conventions" not included. */
const char *const *slab_stats_keys(size_t *n);

/* The statistics of a result document: its "stats" object, checked and
 * copied. A document of another kind, of a version without statistics, or
 * with a key missing or of the wrong type gives one line in err (code
 * bad_data, SLAB_EDATA) that says how to get a good one. Returns a new
 * object (owned; json_decref()) or NULL. */
json_t *slab_stats_from_document(const json_t *doc, slab_error *err);

/* Key's value of a "stats" object as people read it in lang (percent,
 * days, bars, money or a ratio; "n/a" for null or an unknown key) into buf
 * (n >= 64). Returns buf. */
char *slab_stats_format(const json_t *stats, const char *key, slab_lang lang, char *buf, size_t n);

/* A result document's headline in lang, three lines from the string
 * table: strategy, data, period, bars, final value against the cash and
 * the return; trades, win rate, max drawdown, Sharpe; exposure, CAGR and
 * buy & hold, numbers formatted for the language. NULL when doc has no
 * "stats" or memory is short; else owned (slab_free()). */
char *slab_stats_headline(const json_t *doc, slab_lang lang);

/* The block as text, one "label  value" line per key, in lang (labels and
 * numbers from the string table). Returns an owned string (free with
 * slab_free()) or NULL when out of memory. */
char *slab_stats_text(const json_t *stats, slab_lang lang);

#endif
