/* 05_busy_loop.c: an infinite loop: stopped at the CPU limit. */
#include <stratlab/strategy.h>


static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    for (volatile unsigned long i = 0;; i++)
        ;
}

SLAB_STRATEGY(.name = "hostile", .summary = "05_busy_loop", .next = next);
