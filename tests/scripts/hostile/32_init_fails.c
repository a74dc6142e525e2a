/* 32_init_fails.c: init() refuses its parameters with slab_fail():
 * strategy_error carrying that message. */
#include <stratlab/strategy.h>

static int init(slab_ctx *ctx, void *st)
{
    (void)st;
    return slab_fail(ctx, "period %g is too long for this data", slab_param(ctx, "period"));
}

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
}

static const slab_param_def params[] = {
    SLAB_INT_PARAM("period", 20, 2, 500, "lookback, bars"),
};

SLAB_STRATEGY(.name = "fails", .summary = "init fails", .params = params,
              .n_params = SLAB_COUNT(params), .init = init, .next = next);
