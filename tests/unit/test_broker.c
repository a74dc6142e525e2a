/* test_broker.c: the broker's arithmetic against hand calculations
 * (backtrader's BackBroker rules, docs/backtrader-semantics.md §4-5). Each
 * case drives the broker bar by bar and states its expected numbers with
 * the arithmetic beside them. */
#include "slab_test.h"

#include "broker_fixture.h"

#include <math.h>
#include <string.h>

#define TOL 1e-12

static slab_broker *make(double cash, double comm, slab_sizer_kind kind, double amount)
{
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.cash = cash;
    cfg.commission = comm;
    cfg.sizer.kind = kind;
    cfg.sizer.amount = amount;
    return fx_broker(&cfg);
}

static void round_trip(void **state)
{
    (void)state;
    slab_broker *b = make(1000.0, 0.001, SLAB_SIZER_FIXED, 10);
    slab_feed_bar b0 = fx_bar(0, 49, 51, 48, 50);
    fx_step(b, b0);
    assert_true(slab_broker_submit(b, &b0, 0, 10.0, NULL) == 1);
    /* Bar 1: submission check at the creating close 50: 1000 - 500 - 0.5 >= 0, accepted;
     * fill at the open 52: cash = 1000 - 10*52 - 10*0.001*52 = 479.48. */
    slab_feed_bar b1 = fx_bar(1, 52, 56, 51, 55);
    fx_step(b, b1);
    slab_test_expect_close("cash after buy", 1, slab_broker_cash(b), 479.48, TOL, 0);
    assert_true(POS(b).size == 10.0 && POS(b).price == 52.0);
    /* Value at the close 55: 479.48 + 10*55 = 1029.48. */
    slab_test_expect_close("value after buy", 1, slab_broker_value(b), 1029.48, TOL, 0);
    assert_true(slab_broker_submit(b, &b1, 0, -10.0, NULL) == 2);
    /* Bar 2: sell 10 at the open 60: pnl = 10*(60-52) = 80; cash = 479.48 + (520 + 80)
     * - 10*0.001*60 = 1078.88. */
    fx_step(b, fx_bar(2, 60, 61, 58, 59));
    slab_test_expect_close("cash after sell", 2, slab_broker_cash(b), 1078.88, TOL, 0);
    assert_true(POS(b).size == 0.0 && POS(b).price == 0.0);
    assert_int_equal(slab_broker_n_trades(b), 1);
    const slab_trade *t = &TRADE(b, 0);
    assert_false(t->is_open);
    slab_test_expect_close("trade pnl", 0, t->pnl, 80.0, TOL, 0);
    /* commission 0.52 + 0.60 = 1.12; pnlcomm = 78.88 */
    slab_test_expect_close("trade commission", 0, t->commission, 1.12, TOL, 0);
    slab_test_expect_close("trade pnlcomm", 0, t->pnlcomm, 78.88, TOL, 0);
    /* opened on bar index 1 (len 2), closed on bar index 2 (len 3): barlen 1 */
    assert_int_equal(t->baropen, 2);
    assert_int_equal(t->barclose, 3);
    assert_int_equal(t->barlen, 1);
    /* Excursion: highs/lows while open: bar 1 H56 L51, exit at 60: best 60-52 = 8,
     * worst 51-52 = -1. */
    slab_test_expect_close("max_gain", 0, t->max_gain, 8.0, TOL, 0);
    slab_test_expect_close("max_loss", 0, t->max_loss, -1.0, TOL, 0);
    assert_int_equal(EV(b, 1)->status, SLAB_ORDER_COMPLETED);
    /* exec_value of the sell is the closed size at the old average price: 10*52. */
    slab_test_expect_close("sell exec_value", 1, EV(b, 2)->exec_value, 520.0, TOL, 0);
    slab_test_expect_close("sell exec_pnl", 1, EV(b, 2)->exec_pnl, 80.0, TOL, 0);
    slab_broker_free(b);
}

static void margin_at_submission(void **state)
{
    (void)state;
    slab_broker *b = make(100.0, 0.0, SLAB_SIZER_FIXED, 1);
    slab_feed_bar b0 = fx_bar(0, 50, 50, 50, 50);
    fx_step(b, b0);
    slab_broker_submit(b, &b0, 0, 10.0, NULL);
    /* 100 - 10*50 < 0 at the creating close: Margin, never tried. */
    fx_step(b, fx_bar(1, 1, 1, 1, 1));
    assert_int_equal(EV(b, 1)->status, SLAB_ORDER_MARGIN);
    assert_true(slab_broker_cash(b) == 100.0 && POS(b).size == 0.0 && slab_broker_n_trades(b) == 0);
    assert_non_null(strstr(EV(b, 1)->reason, "submission"));
    slab_broker_free(b);
}

static void margin_at_fill(void **state)
{
    (void)state;
    slab_broker *b = make(1000.0, 0.001, SLAB_SIZER_FIXED, 1);
    slab_feed_bar b0 = fx_bar(0, 50, 50, 50, 50);
    fx_step(b, b0);
    slab_broker_submit(b, &b0, 0, 19.0, NULL);
    /* Submission: 1000 - 950 - 0.95 = 49.05 >= 0, accepted. Fill at a gap-up open 53:
     * 1000 - 1007 - 1.007 < 0, so nothing executes and the status is Margin. */
    fx_step(b, fx_bar(1, 53, 54, 52, 53));
    assert_int_equal(EV(b, 1)->status, SLAB_ORDER_MARGIN);
    assert_true(slab_broker_cash(b) == 1000.0 && POS(b).size == 0.0 && slab_broker_n_trades(b) == 0);
    assert_non_null(strstr(EV(b, 1)->reason, "fill"));
    slab_broker_free(b);
}

static void averaging_and_partial_close(void **state)
{
    (void)state;
    slab_broker *b = make(10000.0, 0.0, SLAB_SIZER_FIXED, 1);
    slab_feed_bar b0 = fx_bar(0, 10, 10, 10, 10);
    fx_step(b, b0);
    slab_broker_submit(b, &b0, 0, 10.0, NULL);
    slab_feed_bar b1 = fx_bar(1, 10, 20, 10, 20);
    fx_step(b, b1); /* 10 @ 10 */
    slab_broker_submit(b, &b1, 0, 10.0, NULL);
    slab_feed_bar b2 = fx_bar(2, 20, 30, 20, 30);
    fx_step(b, b2); /* + 10 @ 20: average (10*10 + 10*20)/20 = 15 */
    slab_test_expect_close("average price", 2, POS(b).price, 15.0, TOL, 0);
    slab_test_expect_close("trade price", 2, TRADE(b, 0).entry_price, 15.0, TOL, 0);
    slab_broker_submit(b, &b2, 0, -5.0, NULL);
    fx_step(b, fx_bar(3, 30, 30, 30, 30)); /* sell 5 @ 30: pnl 5*(30-15) = 75, still open */
    assert_true(TRADE(b, 0).is_open);
    slab_test_expect_close("partial pnl", 3, TRADE(b, 0).pnl, 75.0, TOL, 0);
    slab_test_expect_close("price unchanged on reduce", 3, POS(b).price, 15.0, TOL, 0);
    /* cash: 10000 - 100 - 200 + (5*15 + 75) = 9850 */
    slab_test_expect_close("cash", 3, slab_broker_cash(b), 9850.0, TOL, 0);
    assert_true(TRADE(b, 0).size == 20.0);
    slab_broker_free(b);
}

static void sizers(void **state)
{
    (void)state;
    /* percent:95 with cash 1000 at close 50: 1000/50*0.95 = 19 shares (float). */
    slab_broker *b = make(1000.0, 0.0, SLAB_SIZER_PERCENT, 95);
    slab_test_expect_close("percent", 0, slab_broker_sizer(b, 0, 50.0, 1), 19.0, TOL, 0);
    /* at close 51: 1000/51*0.95 = 18.627..., float shares */
    slab_test_expect_close("percent float", 0, slab_broker_sizer(b, 0, 51.0, 1),
                           1000.0 / 51.0 * 0.95, 0, 0);
    slab_broker_free(b);
    /* percent_int truncates: 18 shares; a price above the cash share gives 0. */
    b = make(1000.0, 0.0, SLAB_SIZER_PERCENT_INT, 95);
    assert_true(slab_broker_sizer(b, 0, 51.0, 1) == 18.0);
    assert_true(slab_broker_sizer(b, 0, 2000.0, 1) == 0.0);
    slab_broker_free(b);
    b = make(1000.0, 0.0, SLAB_SIZER_FIXED, 7);
    assert_true(slab_broker_sizer(b, 0, 51.0, 1) == 7.0);
    slab_broker_free(b);
}

static void sizer_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        slab_status st;
        const char *msg;
    } rows[] = {
        {"percent:95", SLAB_OK, ""},
        {"percent_int:50", SLAB_OK, ""},
        {"fixed:10", SLAB_OK, ""},
        {"percent:0", SLAB_EINVAL, "bad amount in 'percent:0': expected a number in (0, 100]"},
        {"percent:abc", SLAB_EINVAL, "bad amount in 'percent:abc': expected a number in (0, 100]"},
        {"kelly:1", SLAB_EINVAL,
         "unknown sizer 'kelly:1'; use percent:95, percent_int:95 or fixed:N"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_sizer s;
        slab_error err;
        slab_error_clear(&err);
        assert_int_equal(slab_sizer_parse(rows[i].in, &s, &err), rows[i].st);
        assert_string_equal(err.msg, rows[i].msg);
    }
}

static void bad_order_size(void **state)
{
    (void)state;
    slab_broker *b = make(1000.0, 0.0, SLAB_SIZER_FIXED, 1);
    slab_feed_bar b0 = fx_bar(0, 1, 1, 1, 1);
    slab_error err;
    assert_true(slab_broker_submit(b, &b0, 0, NAN, &err) == -1);
    assert_int_equal(err.code, SLAB_EINVAL);
    assert_true(slab_broker_submit(b, &b0, 0, 0.0, &err) == -1);
    assert_int_equal(slab_broker_n_orders(b), 0);
    slab_broker_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),     cmocka_unit_test(margin_at_submission),
        cmocka_unit_test(margin_at_fill), cmocka_unit_test(averaging_and_partial_close),
        cmocka_unit_test(sizers),         cmocka_unit_test(sizer_parse_errors),
        cmocka_unit_test(bad_order_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
