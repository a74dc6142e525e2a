/* engine.h: the bar loop. Given bars, a strategy definition with its
 * parameters and a broker configuration, it runs backtrader's order of
 * events per bar (docs/backtrader-semantics.md §3): broker step (submission
 * check, fills), notifications, strategy next() from the minimum period,
 * and records the value after every bar for the analyzers.
 * Invariant: on bar t the strategy can read nothing from bar t+1. */
#ifndef STRATLAB_ENGINE_H
#define STRATLAB_ENGINE_H

#include "stratlab/broker.h"
#include "stratlab/core.h"
#include "stratlab/data.h"
#include "stratlab/ind.h"
#include "stratlab/risk.h"
#include "stratlab/strategy.h"

/* Indicator outputs shared between runs on the same bars (a sweep computes
 * each distinct indicator once and hands it to every run that declares
 * it). Before computing an indicator the engine calls get() with its
 * definition, input arrays (n values each), n and every parameter (the
 * defaults filled in). get() returns 1 with out[0 .. def->n_outputs - 1]
 * pointing at arrays of n values holding exactly what def->fn computes for
 * those inputs (the engine reads them, never writes or frees them), or 0
 * to let the engine compute them itself. Every array handed out is given
 * back by one put() call with the same pointers when the run ends. Both
 * may be called from several threads at once (one run per thread). */
typedef struct slab_ind_share {
    int (*get)(void *user, const slab_ind_def *def, const double *const *in, size_t n,
               const double *p, const double **out);
    void (*put)(void *user, const slab_ind_def *def, const double *const *out);
    void *user;
} slab_ind_share;

typedef struct slab_run_config {
    slab_broker_config broker;
    const slab_strategy_def *strategy;
    const double *params;  /* strategy->n_params resolved values (see
                              slab_strategy_resolve_params), NULL = defaults */
    long stop_after_bar;   /* run bars 0..stop_after_bar only; -1 = all
                              (the truncation test uses it) */
    int skip_cash_curve;   /* 1: do not keep the cash after every bar
                              (run->cash is NULL; saves 8 bytes a bar) */
    slab_risk_config risk; /* protective exits, time exits, position
                              limits for any strategy (risk.h); zeroed:
                              one position per symbol, nothing else. A
                              strategy may add items in init()
                              (slab_set_risk); an item set by both is an
                              error unless the values agree */
    const void *strategy_arg; /* handed to the strategy through
                                 slab_ctx_strategy_arg() (a compiled spec
                                 keeps its program and statistics there) */
    const char *const *param_text; /* the "name=value" texts the params
                              were resolved from (slab_param_text), or NULL */
    size_t n_param_text;
    int64_t preroll_until_ns; /* 0, or: clock steps before this time only
                              move the feeds (a filter feed loaded from
                              before the run's start shows its previous
                              session); the run, its values and trades
                              start at the first step at or after it */
    const slab_earnings *earnings; /* the earnings calendar rows a strategy
                              may filter on (slab_ctx_earnings), borrowed;
                              NULL = none */
    size_t n_earnings;
    int stamp_end;         /* 1: intraday bars are stamped at their end
                              (the 2006 backtrader sample files), 0: at
                              their start (slab_ctx_stamp_end) */
    int has_earnings;     /* 1: the calendar was read (earnings may be empty
                             for this symbol); 0: none was (a script asking
                             slab_earnings_near gets -1) */
    int skip_order_log;    /* 1: keep only the refused and rejected orders
                              in run->orders (the summary's warnings need
                              them), not every order: a long run's order log
                              is its largest part after the bars
                              (slab_broker_drop_finished) */
} slab_run_config;

/* Most feeds (symbols) one run reads. */
#define SLAB_FEEDS_MAX 16
/* Days of bars the feeds after the first are given before a run's start
 * (its preroll_until_ns), so a filter on another symbol sees its previous
 * session on the first day: `run`, the service and walk-forward windows
 * load them so. */
#define SLAB_PREROLL_DAYS 10

/* slab_day_decision and slab_day_record are in strategy.h (scripts write
 * session records too). */

/* "traded", "blocked_by_filter", ... (NULL for SLAB_DAY_NONE). */
const char *slab_day_decision_name(slab_day_decision d);

/* A finished run. Owned; free with slab_run_free(). */
typedef struct slab_run {
    size_t n_bars;
    const int64_t *ts_ns;        /* borrowed from the bars that were run */
    double *value;               /* value after each bar (n_bars) */
    double *cash;                /* cash after each bar (n_bars), or NULL
                                    with skip_cash_curve */
    double start_value;          /* starting cash */
    slab_trade *trades;          /* every trade, closed ones and the open one */
    size_t n_trades;
    slab_order_event *orders;    /* every order in creation order, or with
                                    skip_order_log only the refused and
                                    rejected ones (Margin, Rejected) */
    size_t n_orders;
    size_t n_orders_dropped;     /* orders created but not in orders[]
                                    (skip_order_log); n_orders +
                                    n_orders_dropped were created */
    double final_value, final_cash;
    double position_size, position_price; /* at the end (positions stay open) */
    long minperiod;              /* bars before the first next() call + 1 */
    long lookahead_attempts;     /* accessor calls with ago > 0 (refused) */
    long next_calls;             /* how many times next() ran */
    long sizer_zero;             /* buy/sell calls the sizer gave 0 shares */
    int64_t indicators_ns;       /* time spent computing indicators */
    int64_t loop_ns;             /* time spent in the bar loop */
    slab_timeframe timeframe;
    int compression;
    slab_risk_config risk;       /* the risk settings the run used (the
                                    config's plus the strategy's) */
    int64_t *ts_owned;           /* the clock when several feeds ran (ts_ns
                                    points here), else NULL */
    size_t n_feeds;              /* feeds run; trade and order `feed`
                                    fields index symbols[] */
    char symbols[SLAB_FEEDS_MAX][32]; /* each feed's symbol ("" unknown) */
    slab_day_record *days;       /* per-session records of an intraday
                                    strategy, or NULL */
    size_t n_days;
    const char *const *param_text; /* the run config's "name=value" texts
                                    (borrowed from the caller), for the
                                    result's text parameters */
    size_t n_param_text;
} slab_run;

/* Runs cfg->strategy over bars. Returns SLAB_OK and an owned run in *out,
 * or an error (bad parameters, a failing init, no memory). */
slab_status slab_engine_run(const slab_bars *bars, const slab_run_config *cfg, slab_run **out,
                            slab_error *err);
/* The same, with indicator outputs taken from share where it has them
 * (a sweep's runs on the same bars share them); share NULL is
 * slab_engine_run. The run is the same bits either way. */
slab_status slab_engine_run_shared(const slab_bars *bars, const slab_run_config *cfg,
                                   const slab_ind_share *share, slab_run **out, slab_error *err);
/* Runs cfg->strategy over several feeds on one clock, backtrader's way:
 * the clock is the union of the feeds' times; at each step a feed with a
 * bar stamped then delivers it, the others keep their last bar (their
 * length does not grow). feeds[0] is the feed a single-symbol strategy
 * trades and reads through slab_get(); the others are read through
 * slab_feed_get(). next() runs once every feed has a bar. run->ts_ns is
 * the clock (n_bars steps) and run->value holds the value at every step.
 * With one feed this is slab_engine_run_shared, bit for bit. */
slab_status slab_engine_run_feeds(const slab_bars *const *feeds, size_t n_feeds,
                                  const slab_run_config *cfg, const slab_ind_share *share,
                                  slab_run **out, slab_error *err);
/* The clock slab_engine_run_feeds runs feeds on: the union of their times
 * (each feed's strictly increasing), in a new array (*clock, owned;
 * slab_free()) of *n values. A run with a preroll_until_ns records the
 * steps from the first at or after it. */
slab_status slab_engine_clock(const slab_bars *const *feeds, size_t n_feeds, int64_t **clock,
                              size_t *n, slab_error *err);
/* Frees a run; NULL is a no-op. */
void slab_run_free(slab_run *run);

/* ---- for strategies stratlab builds itself (compiled specs); not part of
 * the strategy ABI (strategy.h), so scripts cannot call them. Whole-array
 * access is given in init() only, and covers only the bars this run
 * covers (a run cut after bar k sees bars 0..k), so the truncation test
 * still proves that nothing after bar t influenced bar t. */
/* The run config's strategy_arg. */
const void *slab_ctx_strategy_arg(const slab_ctx *ctx);
/* Bars this run covers. */
size_t slab_ctx_n_bars(const slab_ctx *ctx);
/* In init(): a column's array (SLAB_OPEN .. SLAB_OI), slab_ctx_n_bars()
 * values; NULL outside init() or for another id. */
const double *slab_ctx_column(const slab_ctx *ctx, int column);
/* In init(): the bar times (ns), slab_ctx_n_bars() values; NULL outside. */
const int64_t *slab_ctx_times(const slab_ctx *ctx);
/* In init(): feed's bars up to the run's last clock step (*n of them):
 * a column (SLAB_OPEN .. SLAB_OI) or the times; NULL outside init() or
 * for no such feed. Feed 0's are slab_ctx_column()'s. */
const double *slab_ctx_feed_column(const slab_ctx *ctx, int feed, int column, size_t *n);
const int64_t *slab_ctx_feed_times(const slab_ctx *ctx, int feed, size_t *n);
/* feed's average entry price, 0 when flat (slab_position_price for feed 0). */
double slab_ctx_feed_position_price(const slab_ctx *ctx, int feed);
/* In init(): next() starts no earlier than bar first_bar (0-based), as if
 * an indicator first had a value there; the minimum period is the larger
 * of this and the indicators'. Returns 0, -1 outside init(). */
int slab_ctx_set_warmup(slab_ctx *ctx, long first_bar);
/* A new session record appended to the run's `days` (zeroed), valid
 * until the next call; NULL after slab_fail() when out of memory. */
slab_day_record *slab_ctx_new_day(slab_ctx *ctx);
/* The run config's earnings calendar (borrowed; *n gets the count). */
const slab_earnings *slab_ctx_earnings(const slab_ctx *ctx, size_t *n);
/* 1 when the run's intraday bars are stamped at their end (--stamp end). */
int slab_ctx_stamp_end(const slab_ctx *ctx);
/* The timeframe and compression of the bars being run. */
slab_timeframe slab_ctx_timeframe(const slab_ctx *ctx, int *compression);
/* In init(): CrossOver(SMA_BT(column, fast), SMA_BT(column, slow)) as a
 * new series, whose id it returns: the values, warm-up and minimum period
 * of declaring the three indicators and releasing the two SMAs, held in
 * one byte a bar and made without either SMA held whole
 * (slab_ind_sma_cross_signs): 1 byte a bar kept instead of 8, and 8 at
 * its peak instead of 24. With indicators shared between runs (a sweep)
 * or a non-finite column it declares the three. Returns -1 after
 * slab_fail() (a period out of range, no memory). */
int slab_ctx_sma_cross(slab_ctx *ctx, int column, double fast, double slow);

#endif
