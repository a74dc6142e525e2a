/* broker_fixture.h: driving the broker bar by bar in unit tests (the
 * orders, costs and broker arithmetic tests share these). One feed. The
 * broker's private header is included for the white-box checks (queue
 * lengths) the broker's own tests make. */
#ifndef SLAB_BROKER_FIXTURE_H
#define SLAB_BROKER_FIXTURE_H

#include "broker/broker_internal.h"

/* A one-feed broker from cfg (NULL: backtrader's defaults); free it with
 * slab_broker_free(). */
slab_broker *fx_broker(const slab_broker_config *cfg);
/* Bar i with these prices, stamped at day i + 1. */
slab_feed_bar fx_bar(size_t i, double o, double h, double l, double c);
/* One broker step on x; the bar's notifications are dropped. */
void fx_step(slab_broker *b, slab_feed_bar x);
/* Creates an order of `type` (slab_order_type) with signed size and price
 * on bar x, optionally in an OCO group and tagged with an exit reason;
 * returns its ref or -1. */
int64_t fx_order(slab_broker *b, const slab_feed_bar *x, int type, double size, double price,
                 int64_t oco, int why);

/* Shorthands for reading the broker. */
#define EV(b, ref) slab_broker_event((b), (ref))
#define TRADE(b, k) (*slab_broker_trade((b), (k)))
#define POS(b) (slab_broker_position((b), 0))

#endif
