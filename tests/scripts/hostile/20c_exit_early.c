/* 20c_exit_early.c: calls exit(0) in the middle of the run: strategy_error (no result). */
#include <stratlab/strategy.h>
#include <stdlib.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    if (slab_bar(ctx) == 5)
        exit(0);
}

SLAB_STRATEGY(.name = "hostile", .summary = "20c_exit_early", .next = next);
