/* broker_fixture.c: see broker_fixture.h. */
#include "broker_fixture.h"
#include "slab_test.h"

#include <string.h>

slab_broker *fx_broker(const slab_broker_config *cfg)
{
    slab_broker *b = NULL;
    slab_broker_config def;
    if (!cfg) {
        slab_broker_config_default(&def);
        cfg = &def;
    }
    assert_int_equal(slab_broker_new(cfg, 1, &b, NULL), SLAB_OK);
    return b;
}

slab_feed_bar fx_bar(size_t i, double o, double h, double l, double c)
{
    slab_feed_bar x = {i, (int64_t)(i + 1) * SLAB_NS_PER_DAY, o, h, l, c, 1};
    return x;
}

void fx_step(slab_broker *b, slab_feed_bar x)
{
    size_t n_o, n_t;
    assert_int_equal(slab_broker_step(b, &x, NULL), SLAB_OK);
    slab_broker_order_notes(b, &n_o);
    slab_broker_trade_notes(b, &n_t);
    slab_broker_notes_done(b, n_o, n_t);
}

int64_t fx_order(slab_broker *b, const slab_feed_bar *x, int type, double size, double price,
                 int64_t oco, int why)
{
    slab_order_req r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.is_buy = size > 0.0;
    r.size = size;
    r.price = price;
    r.oco = oco;
    r.exit_reason = why;
    return slab_broker_order(b, x, &r, NULL);
}
