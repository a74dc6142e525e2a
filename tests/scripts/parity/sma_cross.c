/* sma_cross.c: the built-in sma_cross (src/strategies/parity.c) as a
 * script, its risk shortcut parameters included: buy when SMA_BT(fast)
 * crosses above SMA_BT(slow), close when it crosses below. It must give the
 * built-in's numbers bit for bit (tests/parity/test_script_parity.c) and the
 * built-in's whole result document (tests/unit/test_script_cli.c). Defines
 * slab_strategy directly, without the registration macro. */
#include <stdio.h>
#include <stratlab/strategy.h>

/* Hands the shortcut parameters to the engine's risk manager (init only). */
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

typedef struct {
    int cross;
} state;

static int init(slab_ctx *ctx, void *st)
{
    state *s = st;
    double fast = slab_param(ctx, "fast"), slow = slab_param(ctx, "slow");
    int close = SLAB_CLOSE;
    if (fast >= slow)
        return slab_fail(ctx, "fast (%g) must be shorter than slow (%g)", fast, slow);
    int f = slab_indicator(ctx, "SMA_BT", &close, 1, &fast, 1);
    int l = slab_indicator(ctx, "SMA_BT", &close, 1, &slow, 1);
    if (f < 0 || l < 0)
        return -1;
    int in[2] = {f, l};
    s->cross = slab_indicator(ctx, "CrossOver", in, 2, NULL, 0);
    return s->cross < 0 ? -1 : risk_params(ctx);
}

static void next(slab_ctx *ctx, void *st)
{
    state *s = st;
    double x = slab_get(ctx, s->cross, 0);
    if (slab_position_size(ctx) == 0.0) {
        if (x > 0.0)
            slab_buy(ctx, 0);
    } else if (x < 0.0) {
        slab_close_position(ctx);
    }
}

static const slab_param_def params[] = {
    {"fast", SLAB_PARAM_INT, 10, 1, 10000, "fast SMA period, bars"},
    {"slow", SLAB_PARAM_INT, 30, 2, 10000, "slow SMA period, bars"},
    {"stop_loss_pct", SLAB_PARAM_FLOAT, 0, 0, 99,
     "stop-loss from the entry fill, percent (0 = off; same as --stop-loss N%)"},
    {"take_profit_pct", SLAB_PARAM_FLOAT, 0, 0, 1000,
     "take-profit from the entry fill, percent (0 = off; same as --take-profit N%)"},
    {"trail_pct", SLAB_PARAM_FLOAT, 0, 0, 99,
     "trailing stop from the close, percent (0 = off; same as --trail N%)"},
    {"time_exit_bars", SLAB_PARAM_INT, 0, 0, 1000000,
     "close after this many bars (0 = off; same as --time-exit N)"},
};

const slab_strategy_def slab_strategy = {
    SLAB_STRATEGY_ABI, "sma_cross",
    "buy when SMA(fast) crosses above SMA(slow), close when it crosses below",
    params, 6, sizeof(state), init, next, NULL, NULL, NULL};
