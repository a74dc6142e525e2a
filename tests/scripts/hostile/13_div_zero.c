/* 13_div_zero.c: integer division by zero: a crash (SIGFPE). */
#include <stratlab/strategy.h>


static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    volatile int zero = 0;
    volatile int x = 7 / zero;
    (void)x;
}

SLAB_STRATEGY(.name = "hostile", .summary = "13_div_zero", .next = next);
