/* 18b_include_devzero.c: includes /dev/zero (an endless file): refused at once. */
#include <stratlab/strategy.h>
#include "/dev/zero"

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
}

SLAB_STRATEGY(.name = "hostile", .summary = "include /dev/zero", .next = next);
