/* 17a_missing_semicolon.c: a missing ';' at the end of line 10: compile_error at
 * 10:25, the column after `slab_buy(ctx, 0)` (8 spaces + 16 characters). */
#include <stratlab/strategy.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)st;
    double c = slab_get(ctx, SLAB_CLOSE, 0);
    if (c > 0)
        slab_buy(ctx, 0)
}

SLAB_STRATEGY(.name = "broken", .summary = "missing semicolon", .next = next);
