/* 14b_mprotect_market_data.c: tries to make the market data writable with mprotect: refused (EACCES), then reports. */
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
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    double *c = close_column(ctx);
    if (!c || slab_bar(ctx) != 0)
        return;
    void *page = (void *)((uintptr_t)c & ~(uintptr_t)4095);
    int rc = mprotect(page, 4096, PROT_READ | PROT_WRITE);
    printf("mprotect: %d errno %d%s\n", rc, rc ? errno : 0, rc && errno == EACCES ? " EACCES" : "");
}

SLAB_STRATEGY(.name = "hostile", .summary = "14b_mprotect_market_data", .next = next);
