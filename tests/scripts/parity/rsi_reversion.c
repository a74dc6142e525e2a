/* rsi_reversion.c: the built-in rsi_reversion (src/strategies/parity.c) as
 * a script, registered with SLAB_STRATEGY: buy when RSI_BT(period) < low,
 * close when it rises above high. Must reproduce the built-in bit for bit. */
#include <stratlab/strategy.h>

typedef struct {
    int rsi;
    double low, high;
} state;

static int init(slab_ctx *ctx, void *st)
{
    state *s = st;
    double period = slab_param(ctx, "period");
    int close = SLAB_CLOSE;
    s->low = slab_param(ctx, "low");
    s->high = slab_param(ctx, "high");
    if (s->low >= s->high)
        return slab_fail(ctx, "low (%g) must be below high (%g)", s->low, s->high);
    s->rsi = slab_indicator(ctx, "RSI_BT", &close, 1, &period, 1);
    return s->rsi < 0 ? -1 : 0;
}

static void next(slab_ctx *ctx, void *st)
{
    state *s = st;
    double r = slab_get(ctx, s->rsi, 0);
    if (slab_position_size(ctx) == 0.0) {
        if (r < s->low)
            slab_buy(ctx, 0);
    } else if (r > s->high) {
        slab_close_position(ctx);
    }
}

static const slab_param_def params[] = {
    SLAB_INT_PARAM("period", 14, 1, 10000, "RSI period, bars"),
    SLAB_FLOAT_PARAM("low", 30, 0, 100, "buy below this RSI"),
    SLAB_FLOAT_PARAM("high", 70, 0, 100, "close above this RSI"),
};

SLAB_STRATEGY(.name = "rsi_reversion",
              .summary = "buy when RSI falls below low, close when it rises above high",
              .params = params, .n_params = SLAB_COUNT(params), .state_size = sizeof(state),
              .init = init, .next = next);
