/* broker_fixture.h: driving the broker bar by bar in unit tests (the
 * orders, costs and broker arithmetic tests share these). */
#ifndef SLAB_BROKER_FIXTURE_H
#define SLAB_BROKER_FIXTURE_H

#include "broker/broker_internal.h"

/* A broker initialised from cfg (NULL: backtrader's defaults). */
slab__broker fx_broker(const slab_broker_config *cfg);
/* Bar i with these prices, stamped at day i + 1. */
slab__bar fx_bar(size_t i, double o, double h, double l, double c);
/* One broker step on x; the bar's notifications are dropped. */
void fx_step(slab__broker *b, slab__bar x);
/* Creates an order of `type` (slab_order_type) with signed size and price
 * on bar x, optionally in an OCO group and tagged with an exit reason;
 * returns its ref or -1. */
int64_t fx_order(slab__broker *b, const slab__bar *x, int type, double size, double price,
                 int64_t oco, int why);

#endif
