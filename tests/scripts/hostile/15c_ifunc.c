/* 15c_ifunc.c: an IFUNC resolver would run while loading: rejected. */
#include <stratlab/strategy.h>
static int impl(void)
{
    return 1;
}
static int (*resolve(void))(void)
{
    return impl;
}
int slab_hostile_pick(void) __attribute__((ifunc("resolve")));

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    slab_hostile_pick();
}

SLAB_STRATEGY(.name = "hostile", .summary = "15c_ifunc", .next = next);
