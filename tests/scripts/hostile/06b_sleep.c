/* 06b_sleep.c: sleeps: forbidden (clock_nanosleep). */
#include <stratlab/strategy.h>
#include <unistd.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    sleep(100);
}

SLAB_STRATEGY(.name = "hostile", .summary = "06b_sleep", .next = next);
