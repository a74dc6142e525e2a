/* 17a_missing_semicolon.c: a missing ';' on line 9: compile_error at 9:19. */
#include <stratlab/strategy.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)st;
    double c = slab_get(ctx, SLAB_CLOSE, 0);
    if (c > 0)
        slab_buy(ctx, 0)
}

SLAB_STRATEGY(.name = "broken", .summary = "missing semicolon", .next = next);
