/* bbands_reversion.c: the built-in bbands_reversion as a script: buy when
 * the close falls below the lower BBANDS_BT band, close above the middle. */
#include <stratlab/strategy.h>

typedef struct {
    int top; /* upper band; middle = top + 1, lower = top + 2 */
} state;

static int init(slab_ctx *ctx, void *st)
{
    state *s = st;
    double p[3] = {slab_param(ctx, "period"), slab_param(ctx, "devfactor"),
                   slab_param(ctx, "devfactor")};
    int close = SLAB_CLOSE;
    s->top = slab_indicator(ctx, "BBANDS_BT", &close, 1, p, 3);
    return s->top < 0 ? -1 : 0;
}

static void next(slab_ctx *ctx, void *st)
{
    state *s = st;
    double c = slab_get(ctx, SLAB_CLOSE, 0);
    if (slab_position_size(ctx) == 0.0) {
        if (c < slab_get(ctx, s->top + 2, 0))
            slab_buy(ctx, 0);
    } else if (c > slab_get(ctx, s->top + 1, 0)) {
        slab_close_position(ctx);
    }
}

static const slab_param_def params[] = {
    {"period", SLAB_PARAM_INT, 20, 2, 10000, "band period, bars"},
    {"devfactor", SLAB_PARAM_FLOAT, 2.0, 0.01, 100, "band width in standard deviations"},
};

const slab_strategy_def slab_strategy = {
    SLAB_STRATEGY_ABI, "bbands_reversion",
    "buy when close falls below the lower Bollinger band, close above the middle band",
    params, 2, sizeof(state), init, next, NULL, NULL, NULL};
