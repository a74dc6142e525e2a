/* test_trades.c: the per-trade record of the result document (DESIGN.md
 * "Result format"): max_gain/max_loss in price and percent, mfe_capture,
 * pnl_percent, bars, exit reasons signal, end_of_data and margin, short
 * entry and reversal, and orders that cannot be valid rejected through the strategy
 * ABI without ending the run. A scripted strategy sends, on each bar, the
 * market order of the script's row (+n buy, -n sell); every expected value
 * is worked out by hand beside it (backtrader rules, semantics §4-5).
 * Excursions are measured on the highs and lows of the bars during which
 * the trade is open: the entry fill's bar whole (a market entry fills at
 * its open) and, on the exit bar, only the exit price (the rest of that
 * bar comes after the exit). */
#include "slab_test.h"

#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/strategy.h"

#include <math.h>
#include <string.h>

/* The script the strategy follows: signed size per bar, 0 none. */
static const double *script;
/* 1: on bar 0 also send the invalid orders of invalid_orders(). */
static int send_invalid;

static void invalid_orders(slab_ctx *ctx)
{
    slab_order_spec s;
    memset(&s, 0, sizeof s);
    s.type = SLAB_EXEC_MARKET;
    s.size = -5; /* a negative size */
    slab_order(ctx, 1, &s);
    s.type = SLAB_EXEC_LIMIT;
    s.size = 1;
    s.price = NAN; /* a limit price NaN */
    slab_order(ctx, 1, &s);
    s.type = SLAB_EXEC_STOP;
    s.price = 9; /* a buy stop under the close 10, checked */
    s.check_side = 1;
    slab_order(ctx, 1, &s);
    s.price = 11; /* a sell stop over the close 10, checked */
    slab_order(ctx, 0, &s);
}

static void next(slab_ctx *ctx, void *state)
{
    (void)state;
    long i = slab_bar(ctx);
    if (i == 0 && send_invalid)
        invalid_orders(ctx);
    if (script[i] > 0)
        slab_buy(ctx, script[i]);
    else if (script[i] < 0)
        slab_sell(ctx, -script[i]);
}

static const slab_strategy_def scripted = {SLAB_STRATEGY_ABI, "scripted", "test script", NULL, 0, 0,
                                           NULL, next, NULL, NULL, NULL};

/* Runs the script over n bars (ohlc rows, daily from 2020-01-02) with
 * commission comm and returns the result document; *out gets the run. */
/* Margin call settings for run_script (off unless a test sets them). */
static int margin_call;
static double maintenance;
static double start_cash = 10000.0;

static json_t *run_script(const double (*ohlc)[4], const double *acts, size_t n, double comm,
                          slab_run **out)
{
    slab_error err;
    slab_bars *b = slab_bars_new(8);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(slab_bars_push(b, (INT64_C(18263) + (int64_t)i) * SLAB_NS_PER_DAY,
                                        ohlc[i][0], ohlc[i][1], ohlc[i][2], ohlc[i][3], 0, 0, NULL),
                         SLAB_OK);
    b->timeframe = SLAB_TF_DAYS;
    b->compression = 1;
    snprintf(b->symbol, sizeof b->symbol, "TEST");
    script = acts;
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.commission = comm;
    cfg.broker.cash = start_cash;
    cfg.broker.margin_call = margin_call;
    cfg.broker.maintenance_margin = maintenance;
    cfg.strategy = &scripted;
    cfg.stop_after_bar = -1;
    slab_run *run = NULL;
    assert_int_equal(slab_engine_run(b, &cfg, &run, &err), SLAB_OK);
    slab_result_info info = {"scripted", "builtin", &scripted, NULL, &cfg.broker, 0.0, 1, -1, 0, 0};
    json_t *doc = slab_result_json(b, run, &info, &err);
    assert_non_null(doc);
    run->ts_ns = NULL; /* the bars go away */
    slab_bars_free(b);
    *out = run;
    return doc;
}

static double num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v))
        fail_msg("%s is not a number", k);
    return json_number_value(v);
}

static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* One field of a trade against its hand value. */
typedef struct field {
    const char *key;
    double want;
} field;

static void expect_fields(json_t *t, const field *f, size_t n)
{
    for (size_t k = 0; k < n; k++)
        slab_test_expect_close(f[k].key, (long)k, num(t, f[k].key), f[k].want, 1e-12, 1e-12);
}

static void long_excursions(void **state)
{
    (void)state;
    /* Bar 0: buy 1, fills at bar 1's open 10. Bar 3: sell 1, fills at bar
     * 4's open 9.5. While open: bar 1 (H12 L9), bar 2 (H15 L10.5), bar 3
     * (H14.5 L8), then the exit price 9.5 (bar 4's H20 and L1 come after
     * the exit and do not count). max_gain = 15 - 10 = 5 (50%); max_loss
     * = 8 - 10 = -2 (-20%); pnl = 9.5 - 10 = -0.5, pnl_percent = -0.5/10
     * = -5%; mfe_capture = pnl/size/max_gain = -0.5/5 = -0.1; bars =
     * barclose 5 - baropen 2 = 3. */
    static const double bars[][4] = {
        {10, 10, 10, 10}, {10, 12, 9, 11}, {11, 15, 10.5, 14}, {14, 14.5, 8, 9}, {9.5, 20, 1, 10},
    };
    static const double acts[] = {1, 0, 0, -1, 0};
    slab_run *run;
    json_t *doc = run_script(bars, acts, 5, 0.0, &run);
    json_t *tr = json_object_get(doc, "trades");
    assert_int_equal(json_array_size(tr), 1);
    json_t *t = json_array_get(tr, 0);
    static const field f[] = {
        {"entry_price", 10},   {"exit_price", 9.5},   {"pnl", -0.5},       {"pnl_percent", -5},
        {"max_gain", 5},       {"max_loss", -2},      {"max_gain_pct", 50}, {"max_loss_pct", -20},
        {"mfe_capture", -0.1}, {"bars", 3},
    };
    expect_fields(t, f, sizeof f / sizeof f[0]);
    assert_string_equal(str(t, "exit_reason"), "signal");
    assert_string_equal(str(t, "side"), "long");
    json_decref(doc);
    slab_run_free(run);
}

static void short_and_reversal(void **state)
{
    (void)state;
    /* Commission 0.1%. Bar 0: sell 1: a short at bar 1's open 100 (comm
     * 0.1; shortcash: cash 10000 + 100 - 0.1 = 10099.9). Bar 1: buy 2 at
     * bar 2's open 96: 1 closes the short (pnl 100 - 96 = 4, comm 0.096)
     * and 1 opens a long at 96 (comm 0.096). Trade 1: pnlcomm 4 - 0.1 -
     * 0.096 = 3.804, pnl_percent 3.804/100 = 3.804%; while open: bar 1
     * (H102 L97) and the exit 96: max_gain = 100 - 96 = 4, max_loss =
     * 100 - 102 = -2; mfe_capture 4/1/4 = 1; bars 3 - 2 = 1. Trade 2, the
     * long, is open at the end: exit_reason end_of_data, no excursion;
     * bars = 4 bars - baropen 3 = 1. Cash 10099.9 - 100 + 4 - 0.096 - 96
     * - 0.096 = 9907.708; final value at C 98: 10005.708. */
    static const double bars[][4] = {
        {100, 100, 100, 100}, {100, 102, 97, 98}, {96, 99, 95, 97}, {97, 98, 96, 98},
    };
    static const double acts[] = {-1, 2, 0, 0};
    slab_run *run;
    json_t *doc = run_script(bars, acts, 4, 0.001, &run);
    json_t *tr = json_object_get(doc, "trades");
    assert_int_equal(json_array_size(tr), 2);
    json_t *t = json_array_get(tr, 0);
    static const field f1[] = {
        {"entry_price", 100}, {"exit_price", 96},      {"size", -1},         {"pnl", 4},
        {"pnlcomm", 3.804},   {"commission", 0.196},   {"pnl_percent", 3.804}, {"max_gain", 4},
        {"max_loss", -2},     {"mfe_capture", 1},      {"bars", 1},
    };
    expect_fields(t, f1, sizeof f1 / sizeof f1[0]);
    assert_string_equal(str(t, "side"), "short");
    assert_string_equal(str(t, "exit_reason"), "signal");
    t = json_array_get(tr, 1);
    static const field f2[] = {{"entry_price", 96}, {"size", 1}, {"commission", 0.096}, {"bars", 1}};
    expect_fields(t, f2, sizeof f2 / sizeof f2[0]);
    assert_string_equal(str(t, "side"), "long");
    assert_string_equal(str(t, "status"), "open");
    assert_string_equal(str(t, "exit_reason"), "end_of_data");
    assert_true(json_is_null(json_object_get(t, "max_gain")));
    slab_test_expect_close("final cash", 0, run->final_cash, 9907.708, 1e-12, 0);
    slab_test_expect_close("final value", 0, run->final_value, 10005.708, 1e-12, 0);
    assert_true(run->position_size == 1.0);
    json_decref(doc);
    slab_run_free(run);
}

static void invalid_orders_rejected(void **state)
{
    (void)state;
    /* Four invalid orders on bar 0, then a valid buy that fills at bar
     * 1's open 10: the run goes on, each invalid order is in the log as
     * Rejected with its reason. */
    static const struct {
        const char *reason;
    } want[] = {
        {"size must be a finite number > 0, got -5"},
        {"price and plimit must be finite and >= 0"},
        {"buy stop 9 is on the wrong side of the close 10"},
        {"sell stop 11 is on the wrong side of the close 10"},
    };
    static const double bars[][4] = {{10, 10, 10, 10}, {10, 11, 9, 10}, {10, 11, 9, 10}};
    static const double acts[] = {1, 0, 0};
    slab_run *run;
    send_invalid = 1;
    json_t *doc = run_script(bars, acts, 3, 0.0, &run);
    send_invalid = 0;
    json_t *orders = json_object_get(doc, "orders");
    assert_int_equal(json_array_size(orders), 5);
    for (size_t k = 0; k < 4; k++) {
        json_t *o = json_array_get(orders, k);
        assert_string_equal(str(o, "status"), "Rejected");
        if (!str(o, "reason") || !strstr(str(o, "reason"), want[k].reason))
            fail_msg("order %zu: reason '%s', want '%s'", k, str(o, "reason"), want[k].reason);
    }
    assert_string_equal(str(json_array_get(orders, 4), "status"), "Completed");
    assert_true(run->position_size == 1.0);
    json_decref(doc);
    slab_run_free(run);
}

static void margin_call_through_engine(void **state)
{
    (void)state;
    /* Cash 1000, maintenance 0.5, no commission. Bar 0: sell 10, filled at
     * bar 1's open 100: cash 2000. No order is in flight afterwards, so the
     * engine must still run the check. Bar 2 closes at 140: value 2000 -
     * 1400 = 600 <= 0.5 * 1400: margin call; the script's buy on bar 2 is
     * rejected; the liquidation buys 10 at bar 3's open 150: pnl -500,
     * exit reason margin; final cash 500 = value. */
    static const double bars[][4] = {
        {100, 100, 100, 100}, {100, 101, 99, 100}, {120, 141, 119, 140}, {150, 155, 145, 150},
    };
    static const double acts[] = {-10, 0, 10, 0};
    slab_run *run;
    start_cash = 1000;
    margin_call = 1;
    maintenance = 0.5;
    json_t *doc = run_script(bars, acts, 4, 0.0, &run);
    json_t *t = json_array_get(json_object_get(doc, "trades"), 0);
    assert_string_equal(str(t, "exit_reason"), "margin");
    static const field f[] = {{"exit_price", 150}, {"pnl", -500}, {"size", -10}};
    expect_fields(t, f, sizeof f / sizeof f[0]);
    json_t *orders = json_object_get(doc, "orders");
    assert_int_equal(json_array_size(orders), 3);
    assert_non_null(strstr(str(json_array_get(orders, 1), "reason"), "margin call: value 600.00"));
    assert_string_equal(str(json_array_get(orders, 2), "status"), "Rejected");
    json_t *cfg = json_object_get(json_object_get(doc, "backtest"), "config");
    assert_true(json_is_true(json_object_get(cfg, "margin_call")));
    assert_true(run->final_cash == 500.0 && run->final_value == 500.0);
    json_decref(doc);
    slab_run_free(run);
    /* Off (the default): the short rides on and the bar-2 buy closes it at
     * bar 3's open 150 with the same pnl, as a signal exit. */
    margin_call = 0;
    doc = run_script(bars, acts, 4, 0.0, &run);
    t = json_array_get(json_object_get(doc, "trades"), 0);
    assert_string_equal(str(t, "exit_reason"), "signal");
    assert_null(json_object_get(json_object_get(json_object_get(doc, "backtest"), "config"),
                                "margin_call"));
    json_decref(doc);
    slab_run_free(run);
    start_cash = 10000.0;
    maintenance = 0.0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_excursions),
        cmocka_unit_test(short_and_reversal),
        cmocka_unit_test(invalid_orders_rejected),
        cmocka_unit_test(margin_call_through_engine),
    };
    return cmocka_run_group_tests_name("trades", tests, NULL, NULL);
}
