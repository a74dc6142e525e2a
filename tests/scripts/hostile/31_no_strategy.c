/* 31_no_strategy.c: compiles, but defines no slab_strategy: rejected. */
#include <stratlab/strategy.h>

void slab_hostile_nothing(slab_ctx *ctx)
{
    (void)ctx;
}
