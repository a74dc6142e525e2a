/* 15_constructor.c: a constructor would run while loading, before the sandbox: rejected. */
#include <stratlab/strategy.h>
#include <stdio.h>
__attribute__((constructor)) static void early(void)
{
    puts("constructor ran");
}

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;

}

SLAB_STRATEGY(.name = "hostile", .summary = "15_constructor", .next = next);
