/* macd_trail.c: the built-in macd_trail as a script: buy when MACD_BT
 * crosses above its signal (flat, nothing in flight); when the buy
 * completes, a sell StopTrail at trail_pct percent is the only exit. */
#include <stratlab/strategy.h>

typedef struct {
    int cross;
    double trail; /* fraction */
} state;

static int init(slab_ctx *ctx, void *st)
{
    state *s = st;
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

static void next(slab_ctx *ctx, void *st)
{
    const state *s = st;
    if (slab_position_size(ctx) == 0.0 && slab_orders_pending(ctx) == 0 &&
        slab_get(ctx, s->cross, 0) > 0.0)
        slab_buy(ctx, 0);
}

static void notify_order(slab_ctx *ctx, void *st, const slab_order_note *o)
{
    const state *s = st;
    if (o->status != 4 /* Completed */ || !o->is_buy)
        return;
    slab_order_spec spec = {0};
    spec.type = SLAB_EXEC_STOP_TRAIL;
    spec.size = o->size;
    spec.trailpercent = s->trail;
    slab_order(ctx, 0, &spec);
}

static const slab_param_def params[] = {
    SLAB_INT_PARAM("me1", 12, 1, 10000, "fast EMA period, bars"),
    SLAB_INT_PARAM("me2", 26, 2, 10000, "slow EMA period, bars"),
    SLAB_INT_PARAM("sig", 9, 1, 10000, "signal EMA period, bars"),
    SLAB_FLOAT_PARAM("trail_pct", 5.0, 0.001, 99, "trailing stop distance, percent of the close"),
};

SLAB_STRATEGY(.name = "macd_trail",
              .summary = "buy when MACD crosses above its signal, exit with a trailing stop",
              .params = params, .n_params = SLAB_COUNT(params), .state_size = sizeof(state),
              .init = init, .next = next, .notify_order = notify_order);
