/* 30_abi_mismatch.c: declares ABI 2: rejected, naming the ABI this build runs. */
#include <stratlab/strategy.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
}

const slab_strategy_def slab_strategy = {2, "future", "built for another ABI", NULL, 0, 0,
                                         NULL,     next,     NULL,  NULL, NULL};
