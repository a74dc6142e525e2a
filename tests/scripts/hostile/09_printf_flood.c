/* 09_printf_flood.c: prints without end: stopped at the output limit. */
#include <stratlab/strategy.h>
#include <stdio.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    for (;;)
        printf("flooding the log with lines that never stop coming %ld\n", slab_bar(ctx));
}

SLAB_STRATEGY(.name = "hostile", .summary = "09_printf_flood", .next = next);
