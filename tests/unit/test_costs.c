/* test_costs.c: commission schemes (percent of value, per share, fixed per
 * fill, each with a minimum per fill) and slippage (backtrader bbroker.py
 * _slip_up/_slip_down with slip_open, slip_match, slip_limit, slip_out),
 * against hand calculations on one-share-scale orders. */
#include "slab_test.h"

#include "broker_fixture.h"

#include <math.h>
#include <string.h>

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
}

/* Buys `size` at market on bar 1 (O 100) and sells it on bar 2 (O 110)
 * under cfg; returns the broker for inspection. */
static slab_broker *round_trip(const slab_broker_config *cfg, double size)
{
    slab_broker *b = fx_broker(cfg);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    fx_order(b, &b0, SLAB_ORDER_MARKET, size, 0, 0, 0);
    slab_feed_bar b1 = fx_bar(1, 100, 101, 99, 100);
    fx_step(b, b1);
    fx_order(b, &b1, SLAB_ORDER_MARKET, -size, 0, 0, 0);
    fx_step(b, fx_bar(2, 110, 111, 109, 110));
    return b;
}

static void commission_percent(void **state)
{
    (void)state;
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.commission = 0.001;
    slab_broker *b = round_trip(&cfg, 10);
    /* Entry 10*0.001*100 = 1, exit 10*0.001*110 = 1.1; cash 10000 - 1000 -
     * 1 + 1100 - 1.1 = 10097.9. */
    assert_true(near(EV(b, 1)->exec_comm, 1.0));
    assert_true(near(EV(b, 2)->exec_comm, 1.1));
    assert_true(near(slab_broker_cash(b), 10097.9));
    assert_true(near(TRADE(b, 0).pnlcomm, 100.0 - 2.1));
    slab_broker_free(b);
    /* Minimum 2 per fill: 1 -> 2, 1.1 -> 2; cash 10096. */
    cfg.commission_min = 2.0;
    b = round_trip(&cfg, 10);
    assert_true(near(EV(b, 1)->exec_comm, 2.0) && near(EV(b, 2)->exec_comm, 2.0));
    assert_true(near(slab_broker_cash(b), 10096.0));
    slab_broker_free(b);
}

static void commission_per_share(void **state)
{
    (void)state;
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.comm_scheme = SLAB_COMM_PER_SHARE;
    cfg.commission = 0.02;
    slab_broker *b = round_trip(&cfg, 10);
    /* 10 shares * 0.02 = 0.2 per leg, whatever the price. */
    assert_true(near(EV(b, 1)->exec_comm, 0.2) && near(EV(b, 2)->exec_comm, 0.2));
    assert_true(near(slab_broker_cash(b), 10099.6));
    slab_broker_free(b);
    cfg.commission_min = 1.0; /* 0.2 -> 1 per fill */
    b = round_trip(&cfg, 10);
    assert_true(near(EV(b, 1)->exec_comm, 1.0) && near(TRADE(b, 0).commission, 2.0));
    assert_true(near(slab_broker_cash(b), 10098.0));
    slab_broker_free(b);
}

static void commission_fixed(void **state)
{
    (void)state;
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.comm_scheme = SLAB_COMM_FIXED;
    cfg.commission = 5.0;
    slab_broker *b = round_trip(&cfg, 10);
    /* 5 per fill: cash 10000 - 1000 - 5 + 1100 - 5 = 10090; pnlcomm 90. */
    assert_true(EV(b, 1)->exec_comm == 5.0 && EV(b, 2)->exec_comm == 5.0);
    assert_true(slab_broker_cash(b) == 10090.0 && TRADE(b, 0).pnlcomm == 90.0);
    slab_broker_free(b);
    /* A reversing fill (+10 then -20) pays the fee once, on its closing
     * part: trade 1 gets 5 + 5, trade 2 (short 10) nothing yet. */
    b = fx_broker(&cfg);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    fx_order(b, &b0, SLAB_ORDER_MARKET, 10, 0, 0, 0);
    slab_feed_bar b1 = fx_bar(1, 100, 101, 99, 100);
    fx_step(b, b1);
    fx_order(b, &b1, SLAB_ORDER_MARKET, -20, 0, 0, 0);
    fx_step(b, fx_bar(2, 110, 111, 109, 110));
    assert_true(EV(b, 2)->exec_comm == 5.0);
    assert_int_equal(slab_broker_n_trades(b), 2);
    assert_true(TRADE(b, 0).commission == 10.0 && TRADE(b, 1).commission == 0.0);
    /* Cash: 8995 + 1100 (close 10) - 5 + 1100 (short 10 adds cash) = 11190. */
    assert_true(slab_broker_cash(b) == 11190.0 && POS(b).size == -10.0);
    /* Minimum 8 with the fixed 5: topped up to 8. */
    slab_broker_free(b);
    cfg.commission_min = 8.0;
    b = round_trip(&cfg, 10);
    assert_true(EV(b, 1)->exec_comm == 8.0 && slab_broker_cash(b) == 10084.0);
    slab_broker_free(b);
}

/* One order of type/size/price created on bar 0 (C 100), tried on bar 1
 * (k) under cfg; returns the broker. */
static slab_broker *one(const slab_broker_config *cfg, int type, double size, double price,
                        slab_feed_bar k)
{
    slab_broker *b = fx_broker(cfg);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    fx_order(b, &b0, type, size, price, 0, 0);
    fx_step(b, k);
    return b;
}

static void slippage_market(void **state)
{
    (void)state;
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.slip_perc = 0.01;
    /* slip_open off (BackBroker default): the open, unslipped. */
    slab_broker *b = one(&cfg, SLAB_ORDER_MARKET, 1, 0, fx_bar(1, 100, 105, 99, 100));
    assert_true(EV(b, 1)->exec_price == 100.0);
    slab_broker_free(b);
    /* slip_open: buy 100*(1+0.01), sell 100*(1-0.01). */
    cfg.slip_open = 1;
    b = one(&cfg, SLAB_ORDER_MARKET, 1, 0, fx_bar(1, 100, 105, 95, 100));
    assert_true(EV(b, 1)->exec_price == 100 * (1 + 0.01));
    slab_broker_free(b);
    b = one(&cfg, SLAB_ORDER_MARKET, -1, 0, fx_bar(1, 100, 105, 95, 100));
    assert_true(EV(b, 1)->exec_price == 100 * (1 - 0.01));
    slab_broker_free(b);
    /* slip_match: 101 is above the high 100.5: capped at 100.5. */
    b = one(&cfg, SLAB_ORDER_MARKET, 1, 0, fx_bar(1, 100, 100.5, 99, 100));
    assert_true(EV(b, 1)->exec_price == 100.5);
    slab_broker_free(b);
    /* slip_out: the slipped price is kept even outside the bar. */
    cfg.slip_out = 1;
    b = one(&cfg, SLAB_ORDER_MARKET, 1, 0, fx_bar(1, 100, 100.5, 99, 100));
    assert_true(EV(b, 1)->exec_price == 100 * (1 + 0.01));
    slab_broker_free(b);
    /* No slip_match: no price this bar, the order waits and fills on the
     * next bar whose high leaves room: 102*1.01 = 103.02 <= 104. */
    cfg.slip_out = 0;
    cfg.slip_match = 0;
    b = one(&cfg, SLAB_ORDER_MARKET, 1, 0, fx_bar(1, 100, 100.5, 99, 100));
    assert_int_equal(EV(b, 1)->status, SLAB_ORDER_ACCEPTED);
    fx_step(b, fx_bar(2, 102, 104, 101, 103));
    assert_int_equal(EV(b, 1)->status, SLAB_ORDER_COMPLETED);
    assert_true(EV(b, 1)->exec_price == 102 * (1 + 0.01));
    slab_broker_free(b);
    /* Fixed slippage: 100 + 0.25. */
    slab_broker_config_default(&cfg);
    cfg.slip_fixed = 0.25;
    cfg.slip_open = 1;
    b = one(&cfg, SLAB_ORDER_MARKET, 1, 0, fx_bar(1, 100, 105, 99, 100));
    assert_true(EV(b, 1)->exec_price == 100.25);
    slab_broker_free(b);
}

static void slippage_stop(void **state)
{
    (void)state;
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.slip_perc = 0.01;
    /* An intrabar stop slips whatever slip_open says: sell stop 95 touched
     * (O 98, L 90): 95*(1-0.01). */
    slab_broker *b = one(&cfg, SLAB_ORDER_STOP, -1, 95, fx_bar(1, 98, 99, 90, 92));
    assert_true(EV(b, 1)->exec_price == 95 * (1 - 0.01));
    slab_broker_free(b);
    /* Touched with the low at 94.5: 94.05 is below it, capped at 94.5. */
    b = one(&cfg, SLAB_ORDER_STOP, -1, 95, fx_bar(1, 98, 99, 94.5, 96));
    assert_true(EV(b, 1)->exec_price == 94.5);
    slab_broker_free(b);
    /* A gap through the stop fills at the open, unslipped without
     * slip_open, slipped with it. */
    b = one(&cfg, SLAB_ORDER_STOP, 1, 105, fx_bar(1, 107, 112, 106, 110));
    assert_true(EV(b, 1)->exec_price == 107.0);
    slab_broker_free(b);
    cfg.slip_open = 1;
    b = one(&cfg, SLAB_ORDER_STOP, 1, 105, fx_bar(1, 107, 112, 106, 110));
    assert_true(EV(b, 1)->exec_price == 107 * (1 + 0.01));
    slab_broker_free(b);
}

static void slippage_limit(void **state)
{
    (void)state;
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.slip_perc = 0.01;
    cfg.slip_open = 1;
    /* Buy limit 100, open 99 at or under it: 99*1.01 = 99.99 <= min(H, Lm). */
    slab_broker *b = one(&cfg, SLAB_ORDER_LIMIT, 1, 100, fx_bar(1, 99, 102, 98, 101));
    assert_true(EV(b, 1)->exec_price == 99 * (1 + 0.01));
    slab_broker_free(b);
    /* Open 99.5: 100.495 passes the limit 100: slip_limit caps it there. */
    b = one(&cfg, SLAB_ORDER_LIMIT, 1, 100, fx_bar(1, 99.5, 102, 98, 101));
    assert_true(EV(b, 1)->exec_price == 100.0);
    slab_broker_free(b);
    /* Without slip_match and slip_limit no price: no fill this bar. */
    cfg.slip_match = 0;
    cfg.slip_limit = 0;
    b = one(&cfg, SLAB_ORDER_LIMIT, 1, 100, fx_bar(1, 99.5, 102, 98, 101));
    assert_int_equal(EV(b, 1)->status, SLAB_ORDER_ACCEPTED);
    slab_broker_free(b);
    /* slip_limit alone still matches limit fills (capped). */
    cfg.slip_limit = 1;
    b = one(&cfg, SLAB_ORDER_LIMIT, 1, 100, fx_bar(1, 99.5, 102, 98, 101));
    assert_true(EV(b, 1)->exec_price == 100.0);
    slab_broker_free(b);
    /* A limit touched intrabar fills at the limit, never slipped. */
    b = one(&cfg, SLAB_ORDER_LIMIT, -1, 103, fx_bar(1, 101, 104, 100, 102));
    assert_true(EV(b, 1)->exec_price == 103.0);
    slab_broker_free(b);
}

static void slippage_fixed_stop_limit(void **state)
{
    (void)state;
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.slip_fixed = 0.25;
    cfg.slip_open = 1;
    static const struct {
        int type;
        double size, price, o, h, l, c, want;
    } rows[] = {
        /* Sell stop 95 touched intrabar (O 98, L 90): 95 - 0.25. */
        {SLAB_ORDER_STOP, -1, 95, 98, 99, 90, 92, 94.75},
        /* Buy stop 105 gapped through (O 107): 107 + 0.25 (slip_open). */
        {SLAB_ORDER_STOP, 1, 105, 107, 112, 106, 110, 107.25},
        /* Sell stop touched with L 94.9: 94.75 < L, capped at 94.9. */
        {SLAB_ORDER_STOP, -1, 95, 98, 99, 94.9, 96, 94.9},
        /* Buy limit 100, O 99 under it: 99 + 0.25 = 99.25. */
        {SLAB_ORDER_LIMIT, 1, 100, 99, 102, 98, 101, 99.25},
        /* O 99.9: 100.15 passes the limit, capped at 100 (slip_limit). */
        {SLAB_ORDER_LIMIT, 1, 100, 99.9, 102, 98, 101, 100},
        /* Sell limit 103 touched intrabar: the limit, unslipped. */
        {SLAB_ORDER_LIMIT, -1, 103, 101, 104, 100, 102, 103},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_broker *b = one(&cfg, rows[i].type, rows[i].size, rows[i].price,
                             fx_bar(1, rows[i].o, rows[i].h, rows[i].l, rows[i].c));
        if (EV(b, 1)->status != SLAB_ORDER_COMPLETED || !near(EV(b, 1)->exec_price, rows[i].want))
            fail_msg("row %zu: %s at %g, want %g", i, slab_order_status_name(EV(b, 1)->status),
                     EV(b, 1)->exec_price, rows[i].want);
        slab_broker_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commission_percent), cmocka_unit_test(commission_per_share),
        cmocka_unit_test(commission_fixed),   cmocka_unit_test(slippage_market),
        cmocka_unit_test(slippage_stop),      cmocka_unit_test(slippage_limit),
        cmocka_unit_test(slippage_fixed_stop_limit),
    };
    return cmocka_run_group_tests_name("costs", tests, NULL, NULL);
}
