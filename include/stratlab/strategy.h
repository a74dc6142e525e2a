/* strategy.h: the strategy ABI, the one header a strategy includes, whether
 * it is a built-in, compiled from a spec, or a C script run in a sandbox.
 * A strategy declares indicators in init(), then decides in next() through
 * accessors relative to the current bar (ago = 0 now, -1 the previous bar):
 * no accessor can return bar t+1 during bar t, so look-ahead is impossible.
 * Self-contained on purpose: it includes only the C standard headers.
 * Versioned: a strategy built for another SLAB_STRATEGY_ABI is refused. */
#ifndef STRATLAB_STRATEGY_H
#define STRATLAB_STRATEGY_H

#include <stddef.h>
#include <stdint.h>

#define SLAB_STRATEGY_ABI 1
/* The API level within ABI 1: functions and types are only ever
 * appended, so a strategy built for an earlier level runs unchanged.
 * Level 2 added slab_series_compute, slab_series_nowait,
 * slab_feed_position_price, slab_run_sizer, slab_bar_unit, slab_day_new,
 * slab_earnings_near and the slab_day_record type; a script that needs
 * them can say `#if SLAB_STRATEGY_API < 2` / `#error`. */
#define SLAB_STRATEGY_API 2

/* The engine's per-run context; opaque to strategies. */
typedef struct slab_ctx slab_ctx;

/* Series ids of the data's columns; indicator outputs get ids after these. */
enum { SLAB_OPEN = 0, SLAB_HIGH, SLAB_LOW, SLAB_CLOSE, SLAB_VOLUME, SLAB_OI, SLAB_N_COLUMNS };

typedef enum slab_param_type {
    SLAB_PARAM_INT = 0,
    SLAB_PARAM_FLOAT,
    SLAB_PARAM_BOOL,
    SLAB_PARAM_TIME, /* a time of day "HH:MM"; the value is minutes after
                        midnight (def, min, max too) */
    SLAB_PARAM_TEXT  /* a word (a symbol, a choice; letters, digits, . _ ^
                        -), read with slab_param_text(); the value is 1
                        when given, 0 when empty (the default) */
} slab_param_type;

/* A strategy parameter: name, type, default and inclusive range. Percent
 * parameters are in percent (2 means 2%). */
typedef struct slab_param_def {
    const char *name;
    slab_param_type type;
    double def, min, max;
    const char *help;
} slab_param_def;

/* What notify_order receives (a copy; valid during the call). */
typedef struct slab_order_note {
    int64_t ref;        /* order number */
    int is_buy;
    int status;         /* slab_order_status: 4 Completed, 7 Margin, ... */
    double size;        /* executed size (signed), or created size if none */
    double price;       /* fill price, 0 if not filled */
    double commission;  /* cash units */
    int type;           /* SLAB_EXEC_* */
    int feed;           /* the feed it trades (0 = the first; see
                           slab_feed_find); appended in ABI 1 */
} slab_order_note;

/* What notify_trade receives. */
typedef struct slab_trade_note {
    int64_t ref;
    int is_open;        /* 1 when just opened, 0 when just closed */
    double size, price; /* size at open, average entry price */
    double pnl, pnlcomm;
    int feed;           /* the feed traded; appended in ABI 1 */
} slab_trade_note;

typedef struct slab_strategy_def {
    int abi;                      /* SLAB_STRATEGY_ABI */
    const char *name;             /* "sma_cross" */
    const char *summary;          /* one line */
    const slab_param_def *params; /* table of n_params entries */
    int n_params;
    size_t state_size;            /* bytes of zeroed per-run state */
    /* Declares indicators and reads parameters; returns 0, or -1 after
     * slab_fail() explained why. */
    int (*init)(slab_ctx *ctx, void *state);
    /* Called once per bar from the strategy's minimum period on. */
    void (*next)(slab_ctx *ctx, void *state);
    /* Optional: order status changes and trade opens/closes, delivered
     * before next() of the bar they happened on. */
    void (*notify_order)(slab_ctx *ctx, void *state, const slab_order_note *o);
    void (*notify_trade)(slab_ctx *ctx, void *state, const slab_trade_note *t);
    /* Optional, cheat-on-open runs only (broker coo): called from the
     * minimum period on, before the broker step of the bar; market orders
     * sent here fill at this bar's open. As in backtrader the accessors
     * still show the whole bar (its close included): use the open only. */
    void (*next_open)(slab_ctx *ctx, void *state);
} slab_strategy_def;

/* ---- reading: ago must be <= 0; a positive ago or one before the first
 * bar returns NaN (and a positive ago is recorded as a look-ahead attempt). */
double slab_get(const slab_ctx *ctx, int series, int ago);
/* Bar time in ns since epoch (exchange wall clock). */
int64_t slab_time(const slab_ctx *ctx, int ago);
/* 0-based index of the current bar; bars seen so far is slab_bar() + 1. */
long slab_bar(const slab_ctx *ctx);
/* One bar's length in ns for intraday bars (seconds or minutes: 60e9 for
 * 1-minute bars), 0 for daily and longer bars; appended in ABI 1. */
int64_t slab_bar_ns(const slab_ctx *ctx);
/* 1 when the run's intraday bars are stamped at their end (--stamp end),
 * 0 at their start: a bar starts at slab_time() - slab_stamp_end() *
 * slab_bar_ns(). Appended in ABI 1. */
int slab_stamp_end(const slab_ctx *ctx);
/* ---- other feeds (symbols) of a run with several: feed 0 is the one
 * slab_get() reads and orders trade; feed k's current bar is its last
 * bar at or before this step (it keeps it while it has none). */
/* Number of feeds in the run (>= 1). */
int slab_n_feeds(const slab_ctx *ctx);
/* The feed with this symbol, or -1. */
int slab_feed_find(const slab_ctx *ctx, const char *symbol);
/* A column (SLAB_OPEN .. SLAB_OI) of feed's bar ago bars back from its
 * current one (ago <= 0); NaN when there is none. */
double slab_feed_get(const slab_ctx *ctx, int feed, int column, int ago);
/* That bar's time in ns (0 when there is none). */
int64_t slab_feed_time(const slab_ctx *ctx, int feed, int ago);
/* 1 when feed delivered a bar at this step, 0 when it keeps its last. */
int slab_feed_fresh(const slab_ctx *ctx, int feed);
/* feed's symbol ("" when unknown or no such feed); borrowed. */
const char *slab_feed_symbol(const slab_ctx *ctx, int feed);
/* In next(): the strategy's own warm-up ended at this bar (it waited past
 * its indicators' minimum period for values it computes itself, as code
 * generated from a spec does): the run reports its minimum period
 * (backtest.config.minperiod) from this bar, as if next() had started
 * here. Only the first call counts; nothing else changes. Returns 0, or -1
 * inside init(). Appended in ABI 1. */
int slab_strategy_started(slab_ctx *ctx);
/* A parameter's value as given (or its default). NaN if unknown. */
double slab_param(const slab_ctx *ctx, const char *name);
/* A text parameter's text as given, "" when not given (borrowed, valid for
 * the run). */
const char *slab_param_text(const slab_ctx *ctx, const char *name);

/* ---- indicators, declared in init(): returns the series id of the first
 * output (the others follow in order), or -1 after recording the error.
 * inputs are series ids; params in the indicator table's order, n_params
 * may be fewer (defaults fill the rest). */
int slab_indicator(slab_ctx *ctx, const char *name, const int *inputs, int n_inputs,
                   const double *params, int n_params);
/* In init(): the strategy will not read indicator series again (it was
 * only another indicator's input): its array is freed now, so a run holds
 * less memory. Its start still counts for the first next() (the run's
 * numbers do not change); slab_get() on it gives NaN and it cannot be an
 * input any more. Price columns and indicators shared by a sweep are kept.
 * Returns 0, or -1 (not an indicator series, or outside init()). */
int slab_series_release(slab_ctx *ctx, int series);
/* Index of the first bar where the series has a value. */
long slab_series_start(const slab_ctx *ctx, int series);
/* In init(): the series id of each bar's calendar day number (days since
 * 1970-01-01 in the bars' clock, as a double), the input indicators such
 * as VWAP name "day" (their sums restart when it changes). Made on the
 * first call, the same id after; -1 after slab_fail() when out of memory
 * or outside init(). */
int slab_day_series(slab_ctx *ctx);

/* ---- session records (API level 2): the result's `days` ------------------
 * An intraday strategy can keep one record per session, as the built-in
 * orb does: the result lists them under `days` (the decision, the range,
 * the breakout, the filter's values, the entry order). */
typedef enum slab_day_decision {
    SLAB_DAY_NONE = 0,          /* not decided (the data ended first) */
    SLAB_DAY_TRADED,            /* an entry was sent */
    SLAB_DAY_BLOCKED_BY_FILTER, /* the market filter said no */
    SLAB_DAY_NO_BREAKOUT,       /* no bar met the entry rule */
    SLAB_DAY_SKIPPED_EARNINGS,  /* an earnings release around the session */
    SLAB_DAY_NO_PRIOR_SESSION   /* the filter had no previous close yet */
} slab_day_decision;

/* One session. Times are bar stamps (ns), 0 when there is none; prices NaN
 * when there is none. */
typedef struct slab_day_record {
    int64_t day;             /* day number (days since 1970-01-01) */
    double range_high, range_low; /* the opening range, price units */
    int64_t breakout_ts_ns;  /* the first bar meeting the entry rule, or 0 */
    int breakout_short;      /* 1: that breakout was downwards */
    double filter_close;     /* the filter's close at the breakout */
    int64_t filter_ts_ns;    /* the time of the filter bar read, or 0 */
    int filter_feed;         /* the filter's feed (index in the run's feeds);
                                without a filter the second feed's values */
    int filter_on;           /* 1: the filter decided the day */
    double filter_prev_close; /* the filter's last close of the previous session */
    slab_day_decision decision;
    int64_t entry_ref;       /* the entry order's ref, 0 none */
    int entry_status;        /* the entry's order status at its end (4
                                Completed, ...), -1 none */
} slab_day_record;

/* In next() or a notification: a new session record appended to the run's
 * `days`, zeroed; the strategy fills it in. Valid until the next call
 * (keep the latest one only). NULL in init(), or after slab_fail() when
 * out of memory. */
slab_day_record *slab_day_new(slab_ctx *ctx);
/* 1 when the run's earnings calendar has a release of feed 0's symbol
 * around session day (day number): before that day's open, or after the
 * previous trading day's close; 0 when not; -1 when the run has no
 * calendar (the store could not be read: stratlab data import-earnings). */
int slab_earnings_near(const slab_ctx *ctx, int64_t day);

/* ---- computed series (API level 2) --------------------------------------
 * In init(): a series the strategy computes itself, bar by bar, usable as
 * an indicator's input (an indicator over a spread, over log returns, over
 * a cross-sectional rank) and readable with slab_get(). The engine calls
 * fn(ctx, state, tag) once for every bar of feed 0, first to last; during
 * each call the accessors answer as of that bar (slab_bar(), slab_get(),
 * slab_time(), slab_feed_get(), slab_feed_time(), slab_feed_fresh(): the
 * other feeds at their last bar at or before it), so value i depends on
 * bars 0..i only, as an indicator's does. fn must not declare anything or
 * trade (those calls fail). The state fn sees is the strategy's, and
 * whatever fn writes into it is undone when the call returns: values
 * cannot pass from a later bar to next() through the state (keep it that
 * way: do not stash them in globals either). Returns the series id (> 0),
 * or -1 after recording the error (outside init(), inside fn, too many
 * series, out of memory). The series' first bar with a value counts for
 * the first next(), as an indicator's does. */
int slab_series_compute(slab_ctx *ctx, double (*fn)(slab_ctx *ctx, void *state, int tag),
                        int tag);

/* In init(): next() does not wait for this series' first value (API level
 * 2). For a strategy that checks for the values it needs itself, as code
 * generated from a spec does when it declares indicators it may never
 * read (every candidate pair's); it then reports where its own warm-up
 * ended with slab_strategy_started(). slab_series_start() still gives the
 * first value's bar. Returns 0, or -1 (no such series, or outside
 * init()). */
int slab_series_nowait(slab_ctx *ctx, int series);

/* ---- orders: return the order number (> 0), 0 when no order was made
 * (a sizer gave 0 shares, nothing to close), or -1 on error. size <= 0
 * asks the sizer. Market orders created on bar t fill at the open of t+1. */
int64_t slab_buy(slab_ctx *ctx, double size);
int64_t slab_sell(slab_ctx *ctx, double size);
/* Sends the order that flattens the current position. */
int64_t slab_close_position(slab_ctx *ctx);

/* Execution types (backtrader's Order.ExecTypes numbering). */
enum {
    SLAB_EXEC_MARKET = 0,     /* next bar's open */
    SLAB_EXEC_CLOSE,          /* the session close (daily: next bar's close) */
    SLAB_EXEC_LIMIT,          /* price = limit; fills at it or better */
    SLAB_EXEC_STOP,           /* price = stop; the open if it gaps through */
    SLAB_EXEC_STOP_LIMIT,     /* price = stop, plimit = limit once triggered */
    SLAB_EXEC_STOP_TRAIL,     /* trailamount or trailpercent from price (0 =
                                 the creating close); follows the close */
    SLAB_EXEC_STOP_TRAIL_LIMIT /* as STOP_TRAIL; the limit keeps price - plimit */
};

/* How long an order lives (the expiry is checked before each fill try). */
enum {
    SLAB_VALID_GTC = 0,  /* until filled or cancelled */
    SLAB_VALID_DAY,      /* to the end of the creation day (23:59:59.999...):
                            on daily bars it expires on the next bar untried */
    SLAB_VALID_UNTIL,    /* valid_value = last valid time, ns since epoch */
    SLAB_VALID_FOR_NS,   /* valid_value = ns after the creating bar's time */
    SLAB_VALID_BARS      /* valid_value = bars after the creating bar */
};

/* A full order. Zero-initialise it, then set what applies. */
typedef struct slab_order_spec {
    int type;            /* SLAB_EXEC_* */
    double size;         /* shares, > 0; 0 asks the sizer */
    double price;        /* limit or stop price; a trail's reference (0 =
                            the creating close) */
    double plimit;       /* limit of STOP_LIMIT / STOP_TRAIL_LIMIT */
    double trailamount;  /* trail distance, price units (or 0) */
    double trailpercent; /* trail distance as a fraction: 0.05 = 5% (or 0) */
    int valid_kind;      /* SLAB_VALID_* */
    int64_t valid_value; /* see SLAB_VALID_* */
    int64_t oco;         /* ref of a pending order: when either completes,
                            expires or is cancelled, the other is cancelled */
    int64_t parent;      /* bracket parent ref: this order is a child, held
                            inactive until the parent fills; when one child
                            fills, expires or is cancelled the others are
                            cancelled; a parent cancelled, expired or
                            rejected cancels (or rejects) its children */
    int transmit;        /* children only: 0 holds the child until a sibling
                            with transmit 1 is sent (backtrader buy_bracket:
                            the last child transmits); a parent is never
                            held */
    int exit_reason;     /* slab_exit_reason to give the trade this order
                            closes (0: signal; trails give trailing_stop) */
    int check_side;      /* 1: reject a stop already on the wrong side of the
                            creating close (a buy stop below it, ...) */
} slab_order_spec;

/* Sends an order. Returns its ref (> 0) once recorded, 0 when the sizer
 * gave no shares, -1 on error. An invalid order (bad size, NaN price,
 * missing trail, ...) is recorded with status Rejected and a reason in the
 * order log, and notified; it never executes. */
int64_t slab_order(slab_ctx *ctx, int is_buy, const slab_order_spec *spec);
/* slab_order on another feed (a pair's second leg): checked and filled
 * against that feed's bars; size 0 asks the sizer at its current close.
 * -1 for no such feed or one without a bar yet. The risk manager's
 * protective orders cover feed 0 only. */
int64_t slab_order_feed(slab_ctx *ctx, int feed, int is_buy, const slab_order_spec *spec);
/* feed's position, signed shares. */
double slab_feed_position(const slab_ctx *ctx, int feed);
/* feed's average entry price, 0 when flat (slab_position_price() for feed
 * 0). API level 2. */
double slab_feed_position_price(const slab_ctx *ctx, int feed);
/* Cancels an accepted, not yet filled order. Returns 1 if cancelled, 0 if
 * it was not pending (already done, or not yet through the submission
 * check, as in backtrader). */
int slab_cancel(slab_ctx *ctx, int64_t ref);
/* backtrader buy_bracket/sell_bracket: the entry (type and price from
 * entry, size as in slab_order), a Stop at stop_price tagged stop_loss and a
 * Limit at limit_price tagged take_profit, both children of the entry for
 * its size. refs[0..2] get entry, stop and limit refs. Returns the entry's
 * ref (> 0), 0 when the sizer gave no shares, -1 on error. */
int64_t slab_bracket(slab_ctx *ctx, int is_buy, const slab_order_spec *entry, double stop_price,
                     double limit_price, int64_t refs[3]);

/* ---- the engine's risk manager, from init() only: sets one item of the
 * run's risk settings from its text form, as the CLI flags take them
 * (key: stop_loss, take_profit "2%" "1.5" "2atr" "@95.50"; trail "2%"
 * "0.75"; atr_period N; time_exit N bars; exit_at "15:55"; max_position
 * "100" or "50%"; allow_pyramiding "true"). The engine then places the
 * protective orders itself when an entry fills (any strategy, long or
 * short). Returns 0, or -1 after recording why (bad text, or the run sets
 * the same item to another value). */
int slab_set_risk(slab_ctx *ctx, const char *key, const char *value);

/* ---- broker state as of this bar (after its fills) */
double slab_position_size(const slab_ctx *ctx);   /* signed shares */
double slab_position_price(const slab_ctx *ctx);  /* average price, 0 if flat */
double slab_cash(const slab_ctx *ctx);
double slab_value(const slab_ctx *ctx);
/* Orders submitted or accepted but not yet filled, cancelled or rejected. */
int slab_orders_pending(const slab_ctx *ctx);

/* ---- the run's settings (API level 2) */
/* The run's default sizer (the one size 0 asks, --sizer): returns
 * SLAB_SIZER_STAKE (*amount = shares), SLAB_SIZER_PCT (*amount = percent
 * of the cash, fractional shares: backtrader's PercentSizer) or
 * SLAB_SIZER_PCT_INT (the same, truncated to whole shares). amount may be
 * NULL. */
enum { SLAB_SIZER_STAKE = 0, SLAB_SIZER_PCT, SLAB_SIZER_PCT_INT };
int slab_run_sizer(const slab_ctx *ctx, double *amount);
/* The unit of feed 0's bars (SLAB_UNIT_*) and, in *compression (may be
 * NULL), how many units one bar spans: 5-minute bars are SLAB_UNIT_MINUTES
 * with compression 5, daily bars SLAB_UNIT_DAYS with 1. */
enum {
    SLAB_UNIT_TICKS = 1,
    SLAB_UNIT_MICROSECONDS,
    SLAB_UNIT_SECONDS,
    SLAB_UNIT_MINUTES,
    SLAB_UNIT_DAYS,
    SLAB_UNIT_WEEKS,
    SLAB_UNIT_MONTHS,
    SLAB_UNIT_YEARS
};
int slab_bar_unit(const slab_ctx *ctx, int *compression);

/* Records why init() failed (shown to the user); returns -1. */
int slab_fail(slab_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- scripts: registration ----------------------------------------------
 * A strategy script is one C file that includes only this header and
 * defines `const slab_strategy_def slab_strategy` (ABI 1). Write the
 * definition yourself, or let SLAB_STRATEGY() write it from designated
 * initializers (the compiler checks every field's type; .abi is filled):
 *
 *   static const slab_param_def params[] = {
 *       SLAB_INT_PARAM("period", 20, 2, 500, "channel length, bars"),
 *       SLAB_FLOAT_PARAM("atr_stop", 2.0, 0.1, 20, "stop distance, ATR multiples"),
 *   };
 *   SLAB_STRATEGY(.name = "donchian", .summary = "breakout of the N-bar channel",
 *                 .params = params, .n_params = SLAB_COUNT(params),
 *                 .state_size = sizeof(my_state), .init = my_init, .next = my_next);
 *
 * Parameters arrive through slab_param(ctx, "period"), already checked
 * against their range (`run --param period=30`). */

/* One parameter row: name, default, inclusive range, help (with the unit). */
#define SLAB_INT_PARAM(name, def, min, max, help) {(name), SLAB_PARAM_INT, (def), (min), (max), (help)}
#define SLAB_FLOAT_PARAM(name, def, min, max, help)                                               \
    {(name), SLAB_PARAM_FLOAT, (def), (min), (max), (help)}
#define SLAB_BOOL_PARAM(name, def, help) {(name), SLAB_PARAM_BOOL, (def), 0, 1, (help)}
/* Number of rows of a parameter table (an array, not a pointer). */
#define SLAB_COUNT(array) ((int)(sizeof(array) / sizeof((array)[0])))
/* Defines the script's exported strategy from designated initializers. */
#define SLAB_STRATEGY(...)                                                                        \
    __attribute__((visibility("default"), used)) const slab_strategy_def slab_strategy = {       \
        .abi = SLAB_STRATEGY_ABI, __VA_ARGS__}

#endif
