/* 10_stack_overflow.c: unbounded recursion: a crash named as a stack overflow. */
#include <stratlab/strategy.h>

__attribute__((noinline)) static int deep(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    return deep(n + 1) + pad[0];
}

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    deep(0);
}

SLAB_STRATEGY(.name = "hostile", .summary = "10_stack_overflow", .next = next);
