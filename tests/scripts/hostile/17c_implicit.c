/* 17c_implicit.c: calls a function nobody declared (line 8, column 5): an
 * implicit declaration is an error here, not a warning. */
#include <stratlab/strategy.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)st;
    slab_buy_everything(ctx);
}

SLAB_STRATEGY(.name = "broken", .summary = "implicit declaration", .next = next);
