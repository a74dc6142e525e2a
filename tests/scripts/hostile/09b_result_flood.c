/* 09b_result_flood.c: writes without end to the result pipe (fd 3): stopped at the output limit. */
#include <stratlab/strategy.h>
#include <string.h>
#include <unistd.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    static char junk[65536];
    memset(junk, 'x', sizeof junk);
    for (;;)
        write(3, junk, sizeof junk);
}

SLAB_STRATEGY(.name = "hostile", .summary = "09b_result_flood", .next = next);
