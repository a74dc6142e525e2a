/* broker_fixture.c: see broker_fixture.h. */
#include "broker_fixture.h"
#include "slab_test.h"

#include <string.h>

slab__broker fx_broker(const slab_broker_config *cfg)
{
    slab__broker b;
    slab_broker_config def;
    if (!cfg) {
        slab_broker_config_default(&def);
        cfg = &def;
    }
    assert_int_equal(slab__broker_init(&b, cfg, NULL), SLAB_OK);
    return b;
}

slab__bar fx_bar(size_t i, double o, double h, double l, double c)
{
    slab__bar x = {i, (int64_t)(i + 1) * SLAB_NS_PER_DAY, o, h, l, c};
    return x;
}

void fx_step(slab__broker *b, slab__bar x)
{
    assert_int_equal(slab__broker_next(b, &x, NULL), SLAB_OK);
    b->n_onotes = b->n_tnotes = 0;
}

int64_t fx_order(slab__broker *b, const slab__bar *x, int type, double size, double price,
                 int64_t oco, int why)
{
    slab__order_req r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.is_buy = size > 0.0;
    r.size = size;
    r.price = price;
    r.oco = oco;
    r.exit_reason = why;
    return slab__broker_order(b, x, &r, NULL);
}
