/* test_risk.c: the built-ins' risk shortcut parameters (stop_loss_pct,
 * take_profit_pct, trail_pct, time_exit_bars), which set the engine's risk
 * manager (test_risk_engine.c tests it directly), on sma_cross with fast=1,
 * slow=2, so the cross is "an up close after a down close" and the exits
 * can be hand-computed. Fixed stake 1, no commission.
 * Bars: 0 C100, 1 C99 (down), 2 C100 (up: the cross, buy sent), 3 O100
 * (entry fills at 100; protective orders sent), then rising closes (no
 * exit signal) until the tested bar. */
#include "slab_test.h"

#include "stratlab/broker.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/risk.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <string.h>

static slab_run *run_sma(const double (*ohlc)[4], size_t n, double sl, double tp, double trail,
                         double tbars)
{
    slab_bars *b = slab_bars_new(16);
    slab_error err;
    for (size_t i = 0; i < n; i++)
        assert_int_equal(slab_bars_push(b, (INT64_C(18267) + (int64_t)i) * SLAB_NS_PER_DAY,
                                        ohlc[i][0], ohlc[i][1], ohlc[i][2], ohlc[i][3], 0, 0, NULL),
                         SLAB_OK);
    b->timeframe = SLAB_TF_DAYS;
    b->compression = 1;
    const slab_strategy_def *def = slab_strategy_find("sma_cross", &err);
    assert_non_null(def);
    assert_int_equal(def->n_params, 6);
    double params[6] = {1, 2, sl, tp, trail, tbars};
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.strategy = def;
    cfg.params = params;
    cfg.stop_after_bar = -1;
    slab_run *run = NULL;
    assert_int_equal(slab_engine_run(b, &cfg, &run, &err), SLAB_OK);
    run->ts_ns = NULL; /* the bars go away */
    slab_bars_free(b);
    return run;
}

static const double base[][4] = {
    {100, 100, 100, 100},  {99, 99, 99, 99},       {100, 100, 100, 100},
    {100, 101, 99.5, 101}, {101, 102, 100.5, 102},
};

static void take_profit_and_stop_loss(void **state)
{
    (void)state;
    double bars[6][4];
    memcpy(bars, base, sizeof base);
    /* Stop 2% under the 100 fill = 98, target 5% over = 105 (OCO). Bar 5
     * reaches 106 (O 102 < 105): the target fills at 105; pnl 5. */
    const double up[4] = {102, 106, 101.5, 103};
    memcpy(bars[5], up, sizeof up);
    slab_run *run = run_sma((const double(*)[4])bars, 6, 2, 5, 0, 0);
    assert_int_equal(run->n_trades, 1);
    assert_true(run->trades[0].entry_price == 100.0 && run->trades[0].exit_price == 105.0);
    assert_int_equal(run->trades[0].exit_reason, SLAB_EXIT_TAKE_PROFIT);
    assert_true(run->trades[0].pnl == 5.0);
    assert_int_equal(run->orders[1].status, SLAB_ORDER_CANCELED); /* the stop */
    slab_run_free(run);
    /* Bar 5 falls to 97 (O 101.5 > 98): the stop fills at 98; pnl -2. */
    const double down[4] = {101.5, 102, 97, 97.5};
    memcpy(bars[5], down, sizeof down);
    run = run_sma((const double(*)[4])bars, 6, 2, 5, 0, 0);
    assert_int_equal(run->n_trades, 1);
    assert_true(run->trades[0].exit_price == 98.0);
    assert_int_equal(run->trades[0].exit_reason, SLAB_EXIT_STOP_LOSS);
    assert_int_equal(run->orders[2].status, SLAB_ORDER_CANCELED); /* the target */
    assert_true(run->position_size == 0.0 && run->final_cash == 10000.0 - 2.0);
    slab_run_free(run);
}

static void trailing_stop(void **state)
{
    (void)state;
    double bars[7][4];
    memcpy(bars, base, sizeof base);
    /* 1% trail from the fill bar's close 101 (99.99), re-trailed to 1%
     * under C 102 (bar 4) and C 103 (bar 5): 103 - 103*0.01; bar 6 dips to
     * 101 and fills there. */
    const double b5[4] = {102, 103.5, 101.98, 103}, b6[4] = {103, 103, 101, 101.5};
    memcpy(bars[5], b5, sizeof b5);
    memcpy(bars[6], b6, sizeof b6);
    slab_run *run = run_sma((const double(*)[4])bars, 7, 0, 0, 1, 0);
    assert_int_equal(run->n_trades, 1);
    assert_true(run->trades[0].exit_price == 103 - 103 * (1 / 100.0));
    assert_int_equal(run->trades[0].exit_reason, SLAB_EXIT_TRAILING_STOP);
    assert_int_equal(run->trades[0].barlen, 3);
    slab_run_free(run);
}

static void time_exit(void **state)
{
    (void)state;
    double bars[6][4];
    memcpy(bars, base, sizeof base);
    const double b5[4] = {102.5, 104, 102, 103};
    memcpy(bars[5], b5, sizeof b5);
    /* Entry fills on bar 3; time_exit_bars 2 sends the close on bar 4, it
     * fills at bar 5's open 102.5: 2 bars held. */
    slab_run *run = run_sma((const double(*)[4])bars, 6, 0, 0, 0, 2);
    assert_int_equal(run->n_trades, 1);
    assert_true(run->trades[0].exit_price == 102.5);
    assert_int_equal(run->trades[0].exit_reason, SLAB_EXIT_TIME);
    assert_int_equal(run->trades[0].barlen, 2);
    slab_run_free(run);
}

/* Regression (signal exit on the entry's fill bar opened a short): the
 * entry fills at bar 3's open (100) and the stop is sent from that fill;
 * bar 3 closes down (99 after 100), so the cross turns down and the
 * strategy exits on the same bar, before the stop has passed its
 * submission check. Both exits must not fill: the close joins the stop's
 * OCO group. */
static void signal_exit_on_entry_bar_opens_no_short(void **state)
{
    (void)state;
    double bars[5][4];
    memcpy(bars, base, 3 * sizeof base[0]);
    const double b3[4] = {100, 100.5, 98.5, 99};
    memcpy(bars[3], b3, sizeof b3);
    /* Bar 4 gaps to 97.5, under the 98 stop: the stop (first in the queue)
     * fills at the open, 97.5; the market close is cancelled. pnl -2.5. */
    const double gap[4] = {97.5, 98, 97, 97.8};
    memcpy(bars[4], gap, sizeof gap);
    slab_run *run = run_sma((const double(*)[4])bars, 5, 2, 0, 0, 0);
    assert_int_equal(run->n_trades, 1);
    assert_true(run->trades[0].exit_price == 97.5);
    assert_int_equal(run->trades[0].exit_reason, SLAB_EXIT_STOP_LOSS);
    assert_true(run->position_size == 0.0 && run->final_cash == 10000.0 - 2.5);
    slab_run_free(run);
    /* Bar 4 opens at 99.5, above the stop: the market close fills at 99.5
     * and cancels the stop. pnl -0.5. */
    const double calm[4] = {99.5, 99.8, 99.2, 99.6};
    memcpy(bars[4], calm, sizeof calm);
    run = run_sma((const double(*)[4])bars, 5, 2, 0, 0, 0);
    assert_int_equal(run->n_trades, 1);
    assert_true(run->trades[0].exit_price == 99.5);
    assert_int_equal(run->trades[0].exit_reason, SLAB_EXIT_SIGNAL);
    assert_int_equal(run->orders[1].status, SLAB_ORDER_CANCELED); /* the stop */
    assert_true(run->position_size == 0.0 && run->final_cash == 10000.0 - 0.5);
    slab_run_free(run);
}

/* A shortcut parameter and the run's own setting of the same item must
 * agree: 2% twice runs, 2% against 3% is refused with both values. */
static void shortcut_and_config_must_agree(void **state)
{
    (void)state;
    slab_bars *b = slab_bars_new(4);
    slab_error err;
    for (int i = 0; i < 3; i++)
        slab_bars_push(b, (INT64_C(18267) + i) * SLAB_NS_PER_DAY, 100, 100, 100, 100, 0, 0, NULL);
    double params[6] = {1, 2, 2, 0, 0, 0};
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.strategy = slab_strategy_find("sma_cross", &err);
    cfg.params = params;
    cfg.stop_after_bar = -1;
    slab_run *run = NULL;
    assert_int_equal(slab_risk_set(&cfg.risk, "stop_loss", "2%", &err), SLAB_OK);
    assert_int_equal(slab_engine_run(b, &cfg, &run, &err), SLAB_OK);
    assert_int_equal(run->risk.stop_loss.kind, SLAB_RISK_PERCENT);
    slab_run_free(run);
    assert_int_equal(slab_risk_set(&cfg.risk, "stop_loss", "3%", &err), SLAB_OK);
    assert_int_equal(slab_engine_run(b, &cfg, &run, &err), SLAB_EINVAL);
    assert_non_null(strstr(err.msg, "stop_loss is set twice: the run says 3% and the strategy 2%"));
    slab_bars_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(take_profit_and_stop_loss),
        cmocka_unit_test(trailing_stop),
        cmocka_unit_test(time_exit),
        cmocka_unit_test(signal_exit_on_entry_bar_opens_no_short),
        cmocka_unit_test(shortcut_and_config_must_agree),
    };
    return cmocka_run_group_tests_name("risk", tests, NULL, NULL);
}
