/* sma_cross.c: the built-in sma_cross (src/strategies/parity.c) as a
 * script, without its risk shortcut parameters: buy when SMA_BT(fast)
 * crosses above SMA_BT(slow), close when it crosses below. Run on the
 * backtrader reference data it must give the built-in's numbers bit for
 * bit (tests/unit/test_script_parity.c). Defines slab_strategy directly. */
#include <stratlab/strategy.h>

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
    return s->cross < 0 ? -1 : 0;
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
};

const slab_strategy_def slab_strategy = {
    SLAB_STRATEGY_ABI, "sma_cross",
    "buy when SMA(fast) crosses above SMA(slow), close when it crosses below",
    params, 2, sizeof(state), init, next, NULL, NULL, NULL};
