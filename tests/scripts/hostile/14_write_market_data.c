/* 14_write_market_data.c: writes into the market data: a crash named as a write to read-only market data. */
#include <stratlab/strategy.h>
/* The engine context starts with the bars pointer (src/engine/engine.c),
 * and slab_bars has n and cap before its columns (include/stratlab/data.h):
 * this reaches the market data the way a hostile script could, and checks
 * it found the right thing before touching it. */
#include <stdio.h>
struct bars_head {
    unsigned long n, cap;
    long long *ts;
    double *open, *high, *low, *close;
};

static double *close_column(slab_ctx *ctx)
{
    const struct bars_head *b = *(const struct bars_head *const *)ctx;
    long i = slab_bar(ctx);
    if (!b || (unsigned long)i >= b->n || b->close[i] != slab_get(ctx, SLAB_CLOSE, 0)) {
        printf("layout changed: update this test\n");
        return NULL;
    }
    return b->close;
}

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    double *c = close_column(ctx);
    if (c)
        c[0] = 1.0;
}

SLAB_STRATEGY(.name = "hostile", .summary = "14_write_market_data", .next = next);
