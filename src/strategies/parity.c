/* parity.c: the backtrader parity strategies, exactly as the reference
 * runs define them (docs/backtrader-semantics.md §8): sma_cross,
 * rsi_reversion, bbands_reversion, buy_hold. Market orders sized by the
 * run's sizer; long only; positions still open at the end stay open.
 * sma_cross, rsi_reversion and bbands_reversion take four risk shortcut
 * parameters (all 0 by default: the reference behaviour) that set the
 * engine's risk manager, which places and cancels the exits itself. */
#include "stratlab/engine.h"
#include "stratlab/strategy.h"

#include <math.h>
#include <stdio.h>

/* The shortcut rows each of those built-ins appends to its table. */
#define RISK_PARAMS                                                                              \
    {"stop_loss_pct", SLAB_PARAM_FLOAT, 0, 0, 99,                                                \
     "stop-loss from the entry fill, percent (0 = off; same as --stop-loss N%)"},               \
    {"take_profit_pct", SLAB_PARAM_FLOAT, 0, 0, 1000,                                           \
     "take-profit from the entry fill, percent (0 = off; same as --take-profit N%)"},           \
    {"trail_pct", SLAB_PARAM_FLOAT, 0, 0, 99,                                                    \
     "trailing stop from the close, percent (0 = off; same as --trail N%)"},                    \
    {"time_exit_bars", SLAB_PARAM_INT, 0, 0, 1000000,                                            \
     "close after this many bars (0 = off; same as --time-exit N)"}
#define RISK_N_PARAMS 4

/* Hands the shortcut parameters to the engine's risk manager (init only).
 * A shortcut and the run's own setting of the same item must agree. */
static int risk_params(slab_ctx *ctx)
{
    static const char *const names[] = {"stop_loss_pct", "take_profit_pct", "trail_pct",
                                        "time_exit_bars"};
    static const char *const keys[] = {"stop_loss", "take_profit", "trail", "time_exit"};
    char text[40];
    for (int k = 0; k < 4; k++) {
        double v = slab_param(ctx, names[k]);
        if (!(v > 0.0))
            continue;
        snprintf(text, sizeof text, k < 3 ? "%.17g%%" : "%.0f", v);
        if (slab_set_risk(ctx, keys[k], text) != 0)
            return -1;
    }
    return 0;
}

/* ---- sma_cross: flat and SMA(fast) crosses above SMA(slow) -> buy; long
 * and it crosses below -> close. */
typedef struct {
    int cross;
} sma_state;

static int sma_init(slab_ctx *ctx, void *st)
{
    sma_state *s = st;
    double fast = slab_param(ctx, "fast"), slow = slab_param(ctx, "slow");
    int close = SLAB_CLOSE;
    if (fast >= slow)
        return slab_fail(ctx, "fast (%g) must be shorter than slow (%g)", fast, slow);
    /* CrossOver(SMA_BT(fast), SMA_BT(slow)); next() reads the crossover
     * alone, so the engine keeps it in a byte a bar and never holds the
     * SMAs whole (a sweep shares the three indicators instead) */
    s->cross = slab_ctx_sma_cross(ctx, close, fast, slow);
    if (s->cross < 0)
        return -1;
    return risk_params(ctx);
}

static void sma_next(slab_ctx *ctx, void *st)
{
    sma_state *s = st;
    double x = slab_get(ctx, s->cross, 0);
    if (slab_position_size(ctx) == 0.0) {
        if (x > 0.0)
            slab_buy(ctx, 0);
    } else if (x < 0.0) {
        slab_close_position(ctx);
    }
}

static const slab_param_def sma_params[] = {
    {"fast", SLAB_PARAM_INT, 10, 1, 10000, "fast SMA period, bars"},
    {"slow", SLAB_PARAM_INT, 30, 2, 10000, "slow SMA period, bars"},
    RISK_PARAMS,
};

const slab_strategy_def slab__strategy_sma_cross = {
    SLAB_STRATEGY_ABI, "sma_cross",
    "buy when SMA(fast) crosses above SMA(slow), close when it crosses below",
    sma_params, 2 + RISK_N_PARAMS, sizeof(sma_state), sma_init, sma_next, NULL, NULL, NULL};

/* ---- rsi_reversion: flat and RSI < low -> buy; long and RSI > high ->
 * close. */
typedef struct {
    int rsi;
    double low, high;
} rsi_state;

static int rsi_init(slab_ctx *ctx, void *st)
{
    rsi_state *s = st;
    double period = slab_param(ctx, "period");
    int close = SLAB_CLOSE;
    s->low = slab_param(ctx, "low");
    s->high = slab_param(ctx, "high");
    if (s->low >= s->high)
        return slab_fail(ctx, "low (%g) must be below high (%g)", s->low, s->high);
    s->rsi = slab_indicator(ctx, "RSI_BT", &close, 1, &period, 1);
    return s->rsi < 0 ? -1 : risk_params(ctx);
}

static void rsi_next(slab_ctx *ctx, void *st)
{
    rsi_state *s = st;
    double r = slab_get(ctx, s->rsi, 0);
    if (slab_position_size(ctx) == 0.0) {
        if (r < s->low)
            slab_buy(ctx, 0);
    } else if (r > s->high) {
        slab_close_position(ctx);
    }
}

static const slab_param_def rsi_params[] = {
    {"period", SLAB_PARAM_INT, 14, 1, 10000, "RSI period, bars"},
    {"low", SLAB_PARAM_FLOAT, 30, 0, 100, "buy below this RSI"},
    {"high", SLAB_PARAM_FLOAT, 70, 0, 100, "close above this RSI"},
    RISK_PARAMS,
};

const slab_strategy_def slab__strategy_rsi_reversion = {
    SLAB_STRATEGY_ABI, "rsi_reversion", "buy when RSI falls below low, close when it rises above high",
    rsi_params, 3 + RISK_N_PARAMS, sizeof(rsi_state), rsi_init, rsi_next, NULL, NULL, NULL};

/* ---- bbands_reversion: flat and close < lower band -> buy; long and close
 * > middle band -> close. */
typedef struct {
    int top; /* upper band; middle = top + 1, lower = top + 2 */
} bb_state;

static int bb_init(slab_ctx *ctx, void *st)
{
    bb_state *s = st;
    double p[3] = {slab_param(ctx, "period"), slab_param(ctx, "devfactor"),
                   slab_param(ctx, "devfactor")};
    int close = SLAB_CLOSE;
    s->top = slab_indicator(ctx, "BBANDS_BT", &close, 1, p, 3);
    return s->top < 0 ? -1 : risk_params(ctx);
}

static void bb_next(slab_ctx *ctx, void *st)
{
    bb_state *s = st;
    double c = slab_get(ctx, SLAB_CLOSE, 0);
    if (slab_position_size(ctx) == 0.0) {
        if (c < slab_get(ctx, s->top + 2, 0))
            slab_buy(ctx, 0);
    } else if (c > slab_get(ctx, s->top + 1, 0)) {
        slab_close_position(ctx);
    }
}

static const slab_param_def bb_params[] = {
    {"period", SLAB_PARAM_INT, 20, 2, 10000, "band period, bars"},
    {"devfactor", SLAB_PARAM_FLOAT, 2.0, 0.01, 100, "band width in standard deviations"},
    RISK_PARAMS,
};

const slab_strategy_def slab__strategy_bbands_reversion = {
    SLAB_STRATEGY_ABI, "bbands_reversion",
    "buy when close falls below the lower Bollinger band, close above the middle band",
    bb_params, 2 + RISK_N_PARAMS, sizeof(bb_state), bb_init, bb_next, NULL, NULL, NULL};

/* ---- buy_hold: buy while flat with no order in flight (re-sent after a
 * Margin rejection); never sells. */
static void bh_next(slab_ctx *ctx, void *st)
{
    (void)st;
    if (slab_position_size(ctx) == 0.0 && slab_orders_pending(ctx) == 0)
        slab_buy(ctx, 0);
}

const slab_strategy_def slab__strategy_buy_hold = {
    SLAB_STRATEGY_ABI, "buy_hold", "buy on the first bar (retry after a rejection) and hold",
    NULL, 0, 0, NULL, bh_next, NULL, NULL, NULL};

/* ---- macd_trail: flat, nothing in flight and MACD crosses above its
 * signal -> buy (sizer); once the buy completes, a sell StopTrail at
 * trail_pct percent below the close for the executed size is the only
 * exit (docs §8 (d); the trail is sent from notify_order, so it is
 * created on the fill bar and first tried on the bar after). */
typedef struct {
    int cross;
    double trail;  /* fraction: trail_pct / 100 */
} macd_state;

static int macd_init(slab_ctx *ctx, void *st)
{
    macd_state *s = st;
    double p[3] = {slab_param(ctx, "me1"), slab_param(ctx, "me2"), slab_param(ctx, "sig")};
    int close = SLAB_CLOSE;
    s->trail = slab_param(ctx, "trail_pct") / 100.0;
    int m = slab_indicator(ctx, "MACD_BT", &close, 1, p, 3);
    if (m < 0)
        return -1;
    int in[2] = {m, m + 1};
    s->cross = slab_indicator(ctx, "CrossOver", in, 2, NULL, 0);
    return s->cross < 0 ? -1 : 0;
}

static void macd_next(slab_ctx *ctx, void *st)
{
    const macd_state *s = st;
    if (slab_position_size(ctx) == 0.0 && slab_orders_pending(ctx) == 0 &&
        slab_get(ctx, s->cross, 0) > 0.0)
        slab_buy(ctx, 0);
}

static void macd_notify_order(slab_ctx *ctx, void *st, const slab_order_note *o)
{
    const macd_state *s = st;
    if (o->status != 4 /* Completed */ || !o->is_buy)
        return;
    slab_order_spec spec = {0};
    spec.type = SLAB_EXEC_STOP_TRAIL;
    spec.size = o->size;
    spec.trailpercent = s->trail;
    slab_order(ctx, 0, &spec);
}

static const slab_param_def macd_params[] = {
    {"me1", SLAB_PARAM_INT, 12, 1, 10000, "fast EMA period, bars"},
    {"me2", SLAB_PARAM_INT, 26, 2, 10000, "slow EMA period, bars"},
    {"sig", SLAB_PARAM_INT, 9, 1, 10000, "signal EMA period, bars"},
    {"trail_pct", SLAB_PARAM_FLOAT, 5.0, 0.001, 99, "trailing stop distance, percent of the close"},
};

const slab_strategy_def slab__strategy_macd_trail = {
    SLAB_STRATEGY_ABI, "macd_trail",
    "buy when MACD crosses above its signal, exit with a trailing stop (trail_pct %)",
    macd_params, 4, sizeof(macd_state), macd_init, macd_next, macd_notify_order, NULL, NULL};
