/* 20a_garbage_result.c: writes garbage to the result pipe and exits before the engine can: strategy_error, valid JSON. */
#include <stratlab/strategy.h>
#include <stdlib.h>
#include <unistd.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    write(3, "{\"metrics\": NaN, garbage", 24);
    exit(0);
}

SLAB_STRATEGY(.name = "hostile", .summary = "20a_garbage_result", .next = next);
