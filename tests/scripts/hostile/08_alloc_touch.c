/* 08_alloc_touch.c: allocates and touches 16 MiB blocks until allocation fails, then uses the NULL. */
#include <stratlab/strategy.h>
#include <stdlib.h>
#include <string.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    for (;;) {
        volatile char *p = malloc(16u << 20);
        memset((char *)p, 1, 16u << 20);
        p[0] = 2;
    }
}

SLAB_STRATEGY(.name = "hostile", .summary = "08_alloc_touch", .next = next);
