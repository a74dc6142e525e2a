/* 17b_undeclared.c: an undeclared identifier on line 8 (column 9). */
#include <stratlab/strategy.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    if (threshold > 1)
        slab_buy(ctx, 0);
}

SLAB_STRATEGY(.name = "broken", .summary = "undeclared identifier", .next = next);
