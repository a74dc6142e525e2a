/* test_stats.c: every figure of the statistics block (stats.h) against a
 * hand calculation on a five-bar series written out below, plus the edge
 * cases that make a figure null (no trades, one bar, no drawdown, a trade
 * that lost everything), the JSON object's keys and conventions, and the
 * checks slab_stats_from_document makes on a document.
 * backtesting.py's definitions cited are those of backtesting/_stats.py
 * (compute_stats), the "Statistics" block of its Quick Start. */
#include "slab_test.h"
#include "stratlab/stats.h"

#include <math.h>
#include <string.h>

#define DAY_NS 86400000000000LL

/* The series, V0 = 100, five daily bars (times day 0..4):
 *   value   110    99    121   121   96.8
 *   close    10    11     12     9     15
 *   r_i     .10   -.10   2/9     0   -.20   (v_i / v_(i-1) - 1, v_-1 = 100)
 * periods_per_year 5, so the compound annual rate is the return itself.
 * Trades (long): T1 bars 0..1, 10 @ 10, pnlcomm +20 (+20%), commission 1;
 *                T2 bar 3..3, 5 @ 20, pnlcomm -10 (-10%), commission 0.5. */
static const int64_t ts[5] = {0, DAY_NS, 2 * DAY_NS, 3 * DAY_NS, 4 * DAY_NS};
static const double value[5] = {110, 99, 121, 121, 96.8};
static const double closes[5] = {10, 11, 12, 9, 15};

static slab_trade trade(size_t a, size_t b, double size, double price, double pnlcomm, double comm,
                        int is_open)
{
    slab_trade t;
    memset(&t, 0, sizeof t);
    t.is_long = 1;
    t.is_open = is_open;
    t.entry_bar = a;
    t.exit_bar = b;
    t.entry_ts_ns = ts[a]; /* one bar a day */
    t.exit_ts_ns = is_open ? 0 : ts[b];
    t.size = size;
    t.entry_price = price;
    t.pnlcomm = pnlcomm;
    t.pnl = pnlcomm + comm;
    t.commission = comm;
    return t;
}

static slab_stats_input input(const slab_trade *tr, size_t n_tr)
{
    slab_stats_input in;
    memset(&in, 0, sizeof in);
    in.n_bars = 5;
    in.ts_ns = ts;
    in.value = value;
    in.close = closes;
    in.start_value = 100;
    in.periods_per_year = 5;
    in.riskfree_rate = 0.01;
    in.date_only = 1;
    in.trades = tr;
    in.n_trades = n_tr;
    return in;
}

#define EXPECT(what, got, want) slab_test_expect_close(what, -1, got, want, 1e-12, 1e-12)

static void hand_worked(void **state)
{
    (void)state;
    slab_trade tr[2] = {trade(0, 1, 10, 10, 20, 1, 0), trade(3, 3, 5, 20, -10, 0.5, 0)};
    slab_stats_input in = input(tr, 2);
    slab_stats s;
    slab_error err;
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_OK);
    EXPECT("duration_days", s.duration_days, 4);
    assert_int_equal(s.bars, 5);
    /* bars 0,1 (T1) and 3 (T2) held: 3 of 5 (backtesting.py: have_position
     * [EntryBar:ExitBar+1] = 1, mean) */
    EXPECT("exposure_time_pct", s.exposure_time_pct, 60);
    EXPECT("equity_final", s.equity_final, 96.8);
    EXPECT("equity_peak", s.equity_peak, 121);
    /* 96.8 / 100 - 1 */
    EXPECT("return_pct", s.return_pct, -3.2);
    /* closes 10 -> 15 (backtesting.py: (c[-1] - c[0]) / c[0]) */
    EXPECT("buy_and_hold_return_pct", s.buy_and_hold_return_pct, 50);
    /* 0.968^(5/5) - 1 */
    EXPECT("cagr_pct", s.cagr_pct, -3.2);
    /* mean r = (.1 - .1 + 2/9 + 0 - .2) / 5 = 1/225 = 0.0044444;
     * sum (r - mean)^2 / 5: sd_pop = 0.14784042114204352; x sqrt(5) x 100 */
    EXPECT("annual_volatility_pct", s.annual_volatility_pct, 33.058123149580645);
    /* rf = 1.01^(1/5) - 1 = 0.001992047666533381;
     * (0.0044444 - 0.0019920) / 0.1478404 x sqrt(5) */
    EXPECT("sharpe_ratio", s.sharpe_ratio, 0.03709219617239779);
    /* downside: min(r - rf, 0) = 0, -.101992, 0, -.001992, -.201992;
     * sqrt(mean of squares) = 0.10119993415179405; (mean - rf) / that x sqrt 5 */
    EXPECT("sortino_ratio", s.sortino_ratio, 0.054187050111962634);
    /* drawdown periods: bar 0 (peak 110) -> bar 2 (121 regains it): depth
     * 11/110 = 10%, 2 bars; bar 3 (peak 121, equal counts as a peak) -> last
     * bar, depth 24.2/121 = 20%, 1 bar (backtesting.py's
     * compute_drawdown_duration_peaks: the same periods, times instead of bars) */
    EXPECT("max_drawdown_pct", s.max_drawdown_pct, 20);
    EXPECT("avg_drawdown_pct", s.avg_drawdown_pct, 15);
    EXPECT("max_drawdown_duration", s.max_drawdown_duration, 2);
    EXPECT("avg_drawdown_duration", s.avg_drawdown_duration, 1.5);
    /* backtesting.py: annualized_return / max_dd = -3.2 / 20 */
    EXPECT("calmar_ratio", s.calmar_ratio, -0.16);
    assert_int_equal(s.num_trades, 2);
    EXPECT("win_rate_pct", s.win_rate_pct, 50);
    EXPECT("best_trade_pct", s.best_trade_pct, 20);
    EXPECT("worst_trade_pct", s.worst_trade_pct, -10);
    /* geometric mean (backtesting.py geometric_mean): sqrt(1.2 x 0.9) - 1 */
    EXPECT("avg_trade_pct", s.avg_trade_pct, 3.9230484541326494);
    EXPECT("max_trade_duration", s.max_trade_duration, 1);
    EXPECT("avg_trade_duration", s.avg_trade_duration, 0.5);
    EXPECT("profit_factor", s.profit_factor, 2);   /* 20 / 10 */
    EXPECT("expectancy", s.expectancy, 5);         /* (20 - 10) / 2 */
    EXPECT("expectancy_pct", s.expectancy_pct, 5); /* (20% - 10%) / 2 */
    /* mean 5, population sd 15: sqrt(2) x 5 / 15 */
    EXPECT("sqn", s.sqn, 0.4714045207910317);
    /* backtesting.py: W - (1 - W) / (mean win / mean |loss|) = .5 - .5 / 2 */
    EXPECT("kelly_fraction", s.kelly_fraction, 0.25);
    EXPECT("commissions", s.commissions, 1.5);
    /* the same spans in calendar days, one bar a day (backtesting.py's
     * durations are these times): drawdowns day 0 -> 2 and 3 -> 4; trades
     * day 0 -> 1 and 3 -> 3 */
    EXPECT("max_drawdown_duration_days", s.max_drawdown_duration_days, 2);
    EXPECT("avg_drawdown_duration_days", s.avg_drawdown_duration_days, 1.5);
    EXPECT("max_trade_duration_days", s.max_trade_duration_days, 1);
    EXPECT("avg_trade_duration_days", s.avg_trade_duration_days, 0.5);
}

/* An open trade counts for exposure (bar 4 to the end), never for the
 * trade figures; a break-even trade is won (backtrader). */
static void open_and_break_even(void **state)
{
    (void)state;
    slab_trade tr[3] = {trade(0, 1, 10, 10, 20, 1, 0), trade(3, 3, 5, 20, 0, 0, 0),
                        trade(4, 0, 1, 15, 0, 0, 1)};
    slab_stats_input in = input(tr, 3);
    slab_stats s;
    slab_error err;
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_OK);
    EXPECT("exposure_time_pct", s.exposure_time_pct, 80); /* bars 0,1,3,4 */
    assert_int_equal(s.num_trades, 2);
    EXPECT("win_rate_pct", s.win_rate_pct, 100);
    assert_true(isnan(s.profit_factor));       /* no losing trade */
    assert_true(isnan(s.kelly_fraction));      /* no loser: R undefined */
    EXPECT("sqn", s.sqn, sqrt(2.0) * 10 / 10); /* mean 10, sd_pop 10 */
}

/* The figures that are undefined come out NaN (null in JSON). */
static void undefined_figures(void **state)
{
    (void)state;
    slab_stats s;
    slab_error err;
    slab_stats_input in = input(NULL, 0);
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_OK);
    assert_int_equal(s.num_trades, 0);
    EXPECT("exposure_time_pct", s.exposure_time_pct, 0);
    assert_true(isnan(s.win_rate_pct) && isnan(s.best_trade_pct) && isnan(s.avg_trade_pct));
    assert_true(isnan(s.sqn) && isnan(s.expectancy) && isnan(s.max_trade_duration));
    /* one bar: no spread of returns */
    in.n_bars = 1;
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_OK);
    assert_true(isnan(s.sharpe_ratio) && isnan(s.sortino_ratio));
    /* a rising series: no drawdown, no downside, Calmar null */
    static const double up[3] = {101, 102, 103};
    in.n_bars = 3;
    in.value = up;
    in.riskfree_rate = 0.0;
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_OK);
    EXPECT("max_drawdown_pct", s.max_drawdown_pct, 0);
    EXPECT("avg_drawdown_pct", s.avg_drawdown_pct, 0);
    EXPECT("max_drawdown_duration", s.max_drawdown_duration, 0);
    assert_true(isnan(s.calmar_ratio));
    assert_true(isnan(s.sortino_ratio));
    /* a trade that lost everything: no geometric mean */
    slab_trade tr[2] = {trade(0, 1, 10, 10, -100, 0, 0), trade(1, 2, 10, 10, 10, 0, 0)};
    in.trades = tr;
    in.n_trades = 2;
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_OK);
    assert_true(isnan(s.avg_trade_pct));
    EXPECT("worst_trade_pct", s.worst_trade_pct, -100);
    /* no bars, no starting cash: errors */
    in.n_bars = 0;
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_EINVAL);
    in.n_bars = 3;
    in.start_value = 0;
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_EINVAL);
    assert_non_null(strstr(err.msg, "positive starting cash"));
}

/* The contract's keys, each with a convention line; NaN as null. */
static void json_keys(void **state)
{
    (void)state;
    static const char *contract[] = {"exposure_time_pct",
                                     "buy_and_hold_return_pct",
                                     "cagr_pct",
                                     "annual_volatility_pct",
                                     "sharpe_ratio",
                                     "sortino_ratio",
                                     "calmar_ratio",
                                     "max_drawdown_pct",
                                     "avg_drawdown_pct",
                                     "max_drawdown_duration",
                                     "avg_drawdown_duration",
                                     "num_trades",
                                     "win_rate_pct",
                                     "best_trade_pct",
                                     "worst_trade_pct",
                                     "avg_trade_pct",
                                     "max_trade_duration",
                                     "avg_trade_duration",
                                     "profit_factor",
                                     "expectancy",
                                     "sqn",
                                     "kelly_fraction"};
    slab_stats s;
    slab_error err;
    slab_stats_input in = input(NULL, 0);
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_OK);
    json_t *o = slab_stats_json(&s, 1);
    assert_non_null(o);
    json_t *c = json_object_get(o, "conventions");
    for (size_t k = 0; k < sizeof contract / sizeof contract[0]; k++) {
        const char *conv = json_string_value(json_object_get(c, contract[k]));
        if (!json_object_get(o, contract[k]) || !conv || !*conv || strchr(conv, '\n'))
            fail_msg("key %s: missing, or its convention is not one line", contract[k]);
    }
    size_t n;
    const char *const *keys = slab_stats_keys(&n);
    assert_int_equal(json_object_size(o), n + 1);
    assert_int_equal(json_object_size(c), n);
    (void)keys;
    assert_true(json_is_null(json_object_get(o, "sqn")));
    assert_string_equal(json_string_value(json_object_get(o, "start")), "1970-01-01");
    assert_int_equal(json_integer_value(json_object_get(o, "num_trades")), 0);
    /* a document carrying it gives it back; each problem is one line */
    json_t *doc = json_pack("{s:{s:{s:s,s:s}},s:{},s:O}", "backtest", "engine", "name", "stratlab",
                            "version", "0.1.0", "metrics", "stats", o);
    json_t *back = slab_stats_from_document(doc, &err);
    assert_non_null(back);
    assert_true(json_equal(back, o));
    json_decref(back);
    json_object_del(json_object_get(doc, "stats"), "cagr_pct");
    assert_null(slab_stats_from_document(doc, &err));
    assert_non_null(strstr(err.msg, "lacks \"cagr_pct\""));
    json_object_del(doc, "stats");
    assert_null(slab_stats_from_document(doc, &err));
    assert_non_null(strstr(err.msg, "no \"stats\" object (written by stratlab 0.1.0"));
    json_object_set_new(json_object_get(json_object_get(doc, "backtest"), "engine"), "name",
                        json_string("backtrader"));
    assert_null(slab_stats_from_document(doc, &err));
    assert_non_null(strstr(err.msg, "written by backtrader"));
    json_t *arr = json_array();
    assert_null(slab_stats_from_document(arr, &err));
    assert_non_null(strstr(err.msg, "not a stratlab result document"));
    json_decref(arr);
    json_decref(doc);
    json_decref(o);
}

/* The table in both languages, labels from the string table. */
static void text_block(void **state)
{
    (void)state;
    slab_trade tr[2] = {trade(0, 1, 10, 10, 20, 1, 0), trade(3, 3, 5, 20, -10, 0.5, 0)};
    slab_stats_input in = input(tr, 2);
    slab_stats s;
    slab_error err;
    assert_int_equal(slab_stats_compute(&in, &s, &err), SLAB_OK);
    json_t *o = slab_stats_json(&s, 1);
    char *en = slab_stats_text(o, SLAB_LANG_EN), *zh = slab_stats_text(o, SLAB_LANG_ZH);
    assert_non_null(strstr(en, "Exposure time"));
    assert_non_null(strstr(en, "60.00%"));
    assert_non_null(strstr(en, "2 bars")); /* max drawdown duration */
    assert_non_null(strstr(zh, "持仓时间占比"));
    assert_non_null(strstr(zh, "凯利比例"));
    assert_null(strstr(zh, "Exposure"));
    slab_free(en);
    slab_free(zh);
    json_decref(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_worked),       cmocka_unit_test(open_and_break_even),
        cmocka_unit_test(undefined_figures), cmocka_unit_test(json_keys),
        cmocka_unit_test(text_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
