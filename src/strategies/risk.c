/* risk.c: the built-ins' protective exits (see risk.h). */
#include "risk.h"

#include "stratlab/broker.h"

#include <math.h>
#include <string.h>

void slab__risk_init(slab_ctx *ctx, slab__risk *r)
{
    memset(r, 0, sizeof *r);
    r->sl = slab_param(ctx, "stop_loss_pct") / 100.0;
    r->tp = slab_param(ctx, "take_profit_pct") / 100.0;
    r->trail = slab_param(ctx, "trail_pct") / 100.0;
    r->time_bars = (long)slab_param(ctx, "time_exit_bars");
    r->entry_bar = -1;
}

static void cancel_all(slab_ctx *ctx, slab__risk *r)
{
    for (int k = 0; k < 3; k++) {
        if (r->refs[k] > 0)
            slab_cancel(ctx, r->refs[k]);
        r->refs[k] = 0;
    }
}

void slab__risk_on_order(slab_ctx *ctx, slab__risk *r, const slab_order_note *o)
{
    if (o->status != SLAB_ORDER_COMPLETED)
        return;
    if (!o->is_buy) {
        if (slab_position_size(ctx) == 0.0) {
            cancel_all(ctx, r); /* an exit filled: the rest of the group goes */
            r->entry_bar = -1;
        }
        return;
    }
    r->entry_bar = slab_bar(ctx);
    slab_order_spec s;
    int64_t group = 0;
    int n = 0;
    double p = o->price;
    if (r->sl > 0.0) {
        memset(&s, 0, sizeof s);
        s.type = SLAB_EXEC_STOP;
        s.size = o->size;
        s.price = p * (1.0 - r->sl);
        s.exit_reason = SLAB_EXIT_STOP_LOSS;
        group = r->refs[n++] = slab_order(ctx, 0, &s);
    }
    if (r->tp > 0.0) {
        memset(&s, 0, sizeof s);
        s.type = SLAB_EXEC_LIMIT;
        s.size = o->size;
        s.price = p * (1.0 + r->tp);
        s.oco = group > 0 ? group : 0;
        s.exit_reason = SLAB_EXIT_TAKE_PROFIT;
        r->refs[n] = slab_order(ctx, 0, &s);
        if (group <= 0)
            group = r->refs[n];
        n++;
    }
    if (r->trail > 0.0) {
        memset(&s, 0, sizeof s);
        s.type = SLAB_EXEC_STOP_TRAIL;
        s.size = o->size;
        s.trailpercent = r->trail;
        s.oco = group > 0 ? group : 0;
        s.exit_reason = SLAB_EXIT_TRAILING_STOP;
        r->refs[n++] = slab_order(ctx, 0, &s);
    }
}

/* Sends the market order that flattens the position. When protective
 * orders are live, it joins their OCO group instead of cancelling them:
 * orders sent this bar (the entry filled this bar) have not passed their
 * submission check and cannot be cancelled yet, and two exits filling would
 * open a short. In the group, whichever exit fills first cancels the rest. */
static void exit_now(slab_ctx *ctx, slab__risk *r, slab_exit_reason why)
{
    double pos = slab_position_size(ctx);
    int64_t group = 0;
    for (int k = 0; k < 3 && !group; k++)
        group = r->refs[k];
    if (pos == 0.0)
        return;
    slab_order_spec s;
    memset(&s, 0, sizeof s);
    s.type = SLAB_EXEC_MARKET;
    s.size = fabs(pos);
    s.oco = group > 0 ? group : 0;
    s.exit_reason = why;
    slab_order(ctx, pos < 0.0, &s);
    r->entry_bar = -1;
}

int slab__risk_next(slab_ctx *ctx, slab__risk *r)
{
    double pos = slab_position_size(ctx);
    if (r->time_bars <= 0 || r->entry_bar < 0 || pos == 0.0 ||
        slab_bar(ctx) - r->entry_bar + 1 < r->time_bars)
        return 0;
    exit_now(ctx, r, SLAB_EXIT_TIME);
    return 1;
}

void slab__risk_close(slab_ctx *ctx, slab__risk *r)
{
    exit_now(ctx, r, SLAB_EXIT_SIGNAL);
}
