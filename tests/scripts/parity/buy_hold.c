/* buy_hold.c: the built-in buy_hold as a script: buy while flat with no
 * order in flight (again after a Margin rejection); never sell. */
#include <stratlab/strategy.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)st;
    if (slab_position_size(ctx) == 0.0 && slab_orders_pending(ctx) == 0)
        slab_buy(ctx, 0);
}

SLAB_STRATEGY(.name = "buy_hold", .summary = "buy on the first bar (retry after a rejection) and hold",
              .next = next);
