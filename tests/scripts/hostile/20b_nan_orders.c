/* 20b_nan_orders.c: sends orders with NaN and infinite prices and sizes: each is
 * rejected (no trade), the document stays valid JSON. */
#include <stratlab/strategy.h>
#include <math.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    slab_order_spec o = {0};
    o.type = SLAB_EXEC_LIMIT;
    o.size = NAN;
    o.price = INFINITY;
    slab_order(ctx, 1, &o);
    o.size = 1;
    o.price = NAN;
    slab_order(ctx, 1, &o);
}

SLAB_STRATEGY(.name = "hostile", .summary = "20b_nan_orders", .next = next);
