/* 11_assert.c: a failing assert: a crash (SIGABRT) whose log names strategy.c and its line, and no server path. */
#include <stratlab/strategy.h>
#include <assert.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    assert(slab_bar(ctx) < 3);
}

SLAB_STRATEGY(.name = "hostile", .summary = "11_assert", .next = next);
