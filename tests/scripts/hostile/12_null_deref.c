/* 12_null_deref.c: writes through a null pointer: a crash named as a null pointer dereference. */
#include <stratlab/strategy.h>


static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    volatile int *p = (volatile int *)0;
    *p = 1;
}

SLAB_STRATEGY(.name = "hostile", .summary = "12_null_deref", .next = next);
