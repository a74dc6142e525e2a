/* 07_huge_malloc.c: asks for 2 GiB and writes to it: the allocation fails at the memory limit. */
#include <stratlab/strategy.h>
#include <stdlib.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    volatile char *p = malloc((size_t)1 << 31);
    p[0] = 1;
}

SLAB_STRATEGY(.name = "hostile", .summary = "07_huge_malloc", .next = next);
