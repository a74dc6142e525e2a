/* test_analyzers.c: backtrader's analyzers on small hand-computed cases:
 * TradeAnalyzer key sets and quirks, SQN, Sharpe variants on a 3-year
 * curve, single-year and flat curves, DrawDown, Returns through zero, VWR,
 * Calmar, period keys, and the error paths. Every expected value is worked
 * out in the comment beside it from backtrader's formulas (semantics §6). */
#include "slab_test.h"
#include "stratlab/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-12

/* A daily bar's timestamp: the date at backtrader's session end. */
static int64_t day_ts(int y, int m, int d)
{
    return slab_days_from_civil(y, m, d) * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS;
}

/* An intraday bar's timestamp. */
static int64_t min_ts(int y, int m, int d, int hh, int mm)
{
    return slab_days_from_civil(y, m, d) * SLAB_NS_PER_DAY +
           ((int64_t)hh * 60 + mm) * 60 * SLAB_NS_PER_SEC;
}

/* Returns an equity record over caller arrays. */
static slab_equity make_eq(size_t n, const int64_t *ts, const double *v, double v0,
                           slab_timeframe tf, int comp)
{
    slab_equity eq = {n, ts, v, NULL, v0, tf, comp};
    return eq;
}

/* Fails unless got equals the JSON text want (types included: 1 != 1.0). */
static void expect_json(const char *what, json_t *got, const char *want_text)
{
    json_error_t jerr;
    json_t *want = json_loads(want_text, 0, &jerr);
    char *g;

    if (!want)
        fail_msg("%s: bad expected JSON: %s", what, jerr.text);
    if (!json_equal(got, want)) {
        g = json_dumps(got, JSON_COMPACT | JSON_REAL_PRECISION(17));
        print_message("%s:\n got  %s\n want %s\n", what, g ? g : "NULL", want_text);
        free(g);
        json_decref(want);
        fail_msg("%s differs", what);
    }
    json_decref(want);
}

/* A closed trade with the fields TradeAnalyzer reads. */
static slab_trade closed(int is_long, double pnl, double commission, int64_t barlen)
{
    slab_trade t;
    memset(&t, 0, sizeof t);
    t.is_long = is_long;
    t.pnl = pnl;
    t.commission = commission;
    t.pnlcomm = pnl - commission;
    t.barlen = barlen;
    return t;
}

/* ---- TradeAnalyzer and SQN ------------------------------------------------ */

static void ta_no_trades(void **state)
{
    (void)state;
    /* create_analysis sets total.total = 0 and nothing else is touched. */
    json_t *ta = slab_tradeanalyzer_json(NULL, 0);
    slab_sqn_result q;
    expect_json("no trades", ta, "{\"total\": {\"total\": 0}}");
    json_decref(ta);
    slab_sqn(NULL, 0, &q);
    /* count <= 1 -> sqn = 0 (an int), trades 0 */
    assert_true(q.sqn == 0.0 && !q.is_none && q.trades == 0);
}

static void ta_one_open_trade(void **state)
{
    (void)state;
    slab_trade t;
    memset(&t, 0, sizeof t);
    t.is_open = 1;
    t.is_long = 1;
    /* justopened: total.total += 1, total.open += 1; no close, no stats. */
    json_t *ta = slab_tradeanalyzer_json(&t, 1);
    slab_sqn_result q;
    expect_json("one open trade", ta, "{\"total\": {\"total\": 1, \"open\": 1}}");
    json_decref(ta);
    slab_sqn(&t, 1, &q);
    assert_true(q.sqn == 0.0 && q.trades == 0); /* open trades never reach SQN */
}

static void ta_one_closed_trade(void **state)
{
    (void)state;
    /* long, pnl 100.5, commission 2.25 -> pnlcomm 98.25 >= 0: won; barlen 4.
     * Every average divides by a count of 1 (or `0 or 1.0` = 1.0); the lost
     * and short slots add pnlcomm * 0 = 0.0 and barlen * 0 = 0; long/short
     * mins take `0 or MAXINT` and stay sys.maxsize where nothing counted. */
    slab_trade t = closed(1, 100.5, 2.25, 4);
    json_t *ta = slab_tradeanalyzer_json(&t, 1);
    expect_json(
        "one closed trade", ta,
        "{\"total\": {\"total\": 1, \"open\": 0, \"closed\": 1},"
        " \"streak\": {\"won\": {\"current\": 1, \"longest\": 1},"
        "              \"lost\": {\"current\": 0, \"longest\": 0}},"
        " \"pnl\": {\"gross\": {\"total\": 100.5, \"average\": 100.5},"
        "           \"net\": {\"total\": 98.25, \"average\": 98.25}},"
        " \"won\": {\"total\": 1, \"pnl\": {\"total\": 98.25, \"average\": 98.25, \"max\": 98.25}},"
        " \"lost\": {\"total\": 0, \"pnl\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0}},"
        " \"long\": {\"total\": 1, \"pnl\": {\"total\": 98.25, \"average\": 98.25,"
        "   \"won\": {\"total\": 98.25, \"average\": 98.25, \"max\": 98.25},"
        "   \"lost\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0}}, \"won\": 1, \"lost\": 0},"
        " \"short\": {\"total\": 0, \"pnl\": {\"total\": 0.0, \"average\": 0.0,"
        "   \"won\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0},"
        "   \"lost\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0}}, \"won\": 0, \"lost\": 0},"
        " \"len\": {\"total\": 4, \"average\": 4.0, \"max\": 4, \"min\": 4,"
        "   \"won\": {\"total\": 4, \"average\": 4.0, \"max\": 4, \"min\": 4},"
        "   \"lost\": {\"total\": 0, \"average\": 0.0, \"max\": 0},"
        "   \"long\": {\"total\": 4, \"average\": 4.0, \"max\": 4, \"min\": 4,"
        "     \"won\": {\"total\": 4, \"average\": 4.0, \"max\": 4, \"min\": 4},"
        "     \"lost\": {\"total\": 0, \"average\": 0.0, \"max\": 0, \"min\": "
        "9223372036854775807}},"
        "   \"short\": {\"total\": 0, \"average\": 0.0, \"max\": 0, \"min\": 9223372036854775807,"
        "     \"won\": {\"total\": 0, \"average\": 0.0, \"max\": 0, \"min\": 9223372036854775807},"
        "     \"lost\": {\"total\": 0, \"average\": 0.0, \"max\": 0, \"min\": "
        "9223372036854775807}}}}");
    json_decref(ta);
}

static void ta_breakeven_and_zero_length_quirks(void **state)
{
    (void)state;
    /* A: long, pnl 1 - comm 1 = pnlcomm 0.0 -> won (>= 0), barlen 0.
     * B: short, pnl -3 - comm 1 = -4.0 -> lost, barlen 5.
     * len.min: A sets min(MAXINT, 0) = 0; B reads `0 or MAXINT` and sets
     * min(MAXINT, 5) = 5, so the zero is forgotten. len.won never gets a
     * min (its only trade has barlen 0); len.lost gets 5.
     * pnl: gross 1 + -3 = -2.0 (avg -1.0), net 0 + -4 = -4.0 (avg -2.0).
     * streaks: won 1 then 1*0+0 = 0 (longest 1); lost 0 then 0*1+1 = 1.
     * short.len: 0 then 5 -> total 5, average 5/1, min 5. */
    slab_trade t[2] = {closed(1, 1.0, 1.0, 0), closed(0, -3.0, 1.0, 5)};
    json_t *ta = slab_tradeanalyzer_json(t, 2);
    slab_sqn_result q;
    expect_json(
        "break-even and zero-length trades", ta,
        "{\"total\": {\"total\": 2, \"open\": 0, \"closed\": 2},"
        " \"streak\": {\"won\": {\"current\": 0, \"longest\": 1},"
        "              \"lost\": {\"current\": 1, \"longest\": 1}},"
        " \"pnl\": {\"gross\": {\"total\": -2.0, \"average\": -1.0},"
        "           \"net\": {\"total\": -4.0, \"average\": -2.0}},"
        " \"won\": {\"total\": 1, \"pnl\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0}},"
        " \"lost\": {\"total\": 1, \"pnl\": {\"total\": -4.0, \"average\": -4.0, \"max\": -4.0}},"
        " \"long\": {\"total\": 1, \"pnl\": {\"total\": 0.0, \"average\": 0.0,"
        "   \"won\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0},"
        "   \"lost\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0}}, \"won\": 1, \"lost\": 0},"
        " \"short\": {\"total\": 1, \"pnl\": {\"total\": -4.0, \"average\": -4.0,"
        "   \"won\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0},"
        "   \"lost\": {\"total\": -4.0, \"average\": -4.0, \"max\": -4.0}}, \"won\": 0, \"lost\": "
        "1},"
        " \"len\": {\"total\": 5, \"average\": 2.5, \"max\": 5, \"min\": 5,"
        "   \"won\": {\"total\": 0, \"average\": 0.0, \"max\": 0},"
        "   \"lost\": {\"total\": 5, \"average\": 5.0, \"max\": 5, \"min\": 5},"
        "   \"long\": {\"total\": 0, \"average\": 0.0, \"max\": 0, \"min\": 9223372036854775807,"
        "     \"won\": {\"total\": 0, \"average\": 0.0, \"max\": 0, \"min\": 9223372036854775807},"
        "     \"lost\": {\"total\": 0, \"average\": 0.0, \"max\": 0, \"min\": "
        "9223372036854775807}},"
        "   \"short\": {\"total\": 5, \"average\": 5.0, \"max\": 5, \"min\": 5,"
        "     \"won\": {\"total\": 0, \"average\": 0.0, \"max\": 0, \"min\": 9223372036854775807},"
        "     \"lost\": {\"total\": 5, \"average\": 5.0, \"max\": 5, \"min\": 5}}}}");
    json_decref(ta);
    /* SQN of {0, -4}: mean -2, population sd sqrt((4 + 4)/2) = 2,
     * sqrt(2) * -2 / 2 = -sqrt(2). */
    slab_sqn(t, 2, &q);
    assert_int_equal(q.trades, 2);
    slab_test_expect_close("sqn", 0, q.sqn, -sqrt(2.0), TOL, 0);
}

static void ta_gross_win_net_loss(void **state)
{
    (void)state;
    /* A long trade with pnl 0.5 and commission 1.0: pnlcomm -0.5. backtrader
     * decides won/lost on pnlcomm (tradeanalyzer.py: won = pnlcomm >= 0),
     * so it is lost: won.total 0, lost.total 1, lost.pnl.total -0.5, the
     * lost streak 1; the gross pnl still says 0.5. */
    slab_trade t = closed(1, 0.5, 1.0, 3);
    json_t *ta = slab_tradeanalyzer_json(&t, 1);
    assert_non_null(ta);
    expect_json("won", json_object_get(ta, "won"),
                "{\"total\": 0, \"pnl\": {\"total\": 0.0, \"average\": 0.0, \"max\": 0.0}}");
    expect_json("lost", json_object_get(ta, "lost"),
                "{\"total\": 1, \"pnl\": {\"total\": -0.5, \"average\": -0.5, \"max\": -0.5}}");
    expect_json("streak", json_object_get(ta, "streak"),
                "{\"won\": {\"current\": 0, \"longest\": 0},"
                " \"lost\": {\"current\": 1, \"longest\": 1}}");
    expect_json("gross", json_object_get(json_object_get(ta, "pnl"), "gross"),
                "{\"total\": 0.5, \"average\": 0.5}");
    json_decref(ta);
}

static void sqn_zero_sd_is_none(void **state)
{
    (void)state;
    /* Two trades with pnlcomm 5.0 each: sd 0 -> None (not an error). An
     * open trade in between is ignored. */
    slab_trade t[3] = {closed(1, 6.0, 1.0, 2), closed(1, 0, 0, 0), closed(1, 6.0, 1.0, 3)};
    slab_sqn_result q;
    t[1].is_open = 1;
    slab_sqn(t, 3, &q);
    assert_true(q.is_none);
    assert_int_equal(q.trades, 2);
}

/* ---- the 3-year curve ------------------------------------------------------
 * V0 = 100 and one daily bar a year: 110 (2004), 121 (2005), 108.9 (2006).
 * Yearly TimeReturn: 110/100-1 = 0.1, 121/110-1 = 0.1, 108.9/121-1 = -0.1. */
static const int64_t *curve3_ts(void)
{
    static int64_t ts[3];
    ts[0] = day_ts(2004, 12, 31);
    ts[1] = day_ts(2005, 12, 30);
    ts[2] = day_ts(2006, 12, 29);
    return ts;
}
static const double curve3_v[3] = {110.0, 121.0, 108.9};

static void sharpe_three_years(void **state)
{
    (void)state;
    slab_equity eq = make_eq(3, curve3_ts(), curve3_v, 100.0, SLAB_TF_DAYS, 1);
    /* Default: rate = 1.01^1 - 1 = 0.01; excess 0.09, 0.09, -0.11, mean
     * 0.07/3 = 7/300; deviations 1/15, 1/15, -2/15, population variance
     * (1 + 1 + 4)/225/3 = 2/225, sd sqrt(2)/15; ratio (7/300)/(sqrt(2)/15)
     * = 7/(20 sqrt(2)). Sample sd: 6/225/2 = 3/225 -> 7/(20 sqrt(3)).
     * rf 0: mean 1/30, same sd -> 1/(2 sqrt(2)). A user factor 4: rate
     * 1.01^0.25 - 1, ratio (1/30 - rate)/(sqrt(2)/15), times sqrt(4) when
     * annualized. Days: 3 daily periods with the same returns, rate
     * 1.01^(1/252) - 1, annualized by sqrt(252). Minutes have no factor:
     * rate stays 0.01 and annualize is ignored -> 7/(20 sqrt(2)). */
    double r4 = pow(1.01, 0.25) - 1.0, rd = pow(1.01, 1.0 / 252.0) - 1.0;
    static const struct {
        slab_timeframe tf;
        double rf;
        int convertrate, annualize, sample;
        double factor;
    } rows[] = {
        {SLAB_TF_YEARS, 0.01, 1, 0, 0, 0},   {SLAB_TF_YEARS, 0.01, 1, 0, 1, 0},
        {SLAB_TF_YEARS, 0.0, 1, 0, 0, 0},    {SLAB_TF_YEARS, 0.01, 0, 0, 0, 0},
        {SLAB_TF_YEARS, 0.01, 1, 1, 0, 0},   {SLAB_TF_YEARS, 0.01, 1, 0, 0, 4},
        {SLAB_TF_YEARS, 0.01, 1, 1, 0, 4},   {SLAB_TF_DAYS, 0.01, 1, 1, 0, 0},
        {SLAB_TF_MINUTES, 0.01, 1, 1, 0, 0},
    };
    double want[] = {
        7.0 / (20.0 * sqrt(2.0)),
        7.0 / (20.0 * sqrt(3.0)),
        1.0 / (2.0 * sqrt(2.0)),
        7.0 / (20.0 * sqrt(2.0)), /* convertrate off, factor 1: returns unchanged */
        7.0 / (20.0 * sqrt(2.0)), /* annualize with factor 1: sqrt(1) */
        (1.0 / 30.0 - r4) / (sqrt(2.0) / 15.0),
        2.0 * (1.0 / 30.0 - r4) / (sqrt(2.0) / 15.0),
        sqrt(252.0) * (1.0 / 30.0 - rd) / (sqrt(2.0) / 15.0),
        7.0 / (20.0 * sqrt(2.0)),
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_sharpe_params p;
        slab_error err;
        double got;
        int none;
        slab_sharpe_params_default(&p);
        p.timeframe = rows[i].tf;
        p.riskfreerate = rows[i].rf;
        p.convertrate = rows[i].convertrate;
        p.annualize = rows[i].annualize;
        p.stddev_sample = rows[i].sample;
        p.factor = rows[i].factor;
        assert_int_equal(slab_sharpe(&eq, &p, &got, &none, &err), SLAB_OK);
        assert_false(none);
        slab_test_expect_close("sharpe row", (long)i, got, want[i], 1e-12, 0);
    }
}

static void three_years_other_analyzers(void **state)
{
    (void)state;
    slab_equity eq = make_eq(3, curve3_ts(), curve3_v, 100.0, SLAB_TF_DAYS, 1);
    slab_period_returns tr, ar;
    slab_periodstats_result ps;
    slab_drawdown_result dd;
    slab_returns_result r;
    slab_error err;

    /* TimeReturn(Years) keys are Dec 31; returns 0.1, 0.1, -0.1. */
    assert_int_equal(slab_timereturn(&eq, SLAB_TF_YEARS, 1, &tr, &err), SLAB_OK);
    assert_int_equal(tr.n, 3);
    assert_true(tr.key_ns[0] == slab_days_from_civil(2004, 12, 31) * SLAB_NS_PER_DAY);
    assert_true(tr.key_ns[2] == slab_days_from_civil(2006, 12, 31) * SLAB_NS_PER_DAY);
    slab_test_expect_close("timereturn", 0, tr.ret[0], 0.1, TOL, TOL);
    slab_test_expect_close("timereturn", 2, tr.ret[2], -0.1, TOL, TOL);
    /* AnnualReturn starts from the first bar's value, not V0: 110/110-1 = 0
     * for 2004, then 0.1 and -0.1. */
    assert_int_equal(slab_annualreturn(&eq, &ar, &err), SLAB_OK);
    assert_true(ar.n == 3 && ar.ret[0] == 0.0);
    slab_test_expect_close("annualreturn", 1, ar.ret[1], 0.1, TOL, TOL);
    /* PeriodStats(Years): mean (0.1+0.1-0.1)/3 = 1/30, sd sqrt(2)/15 as in
     * the Sharpe case, 2 positive, 1 negative, best 0.1, worst -0.1. */
    assert_int_equal(slab_periodstats(&eq, SLAB_TF_YEARS, &ps, &err), SLAB_OK);
    slab_test_expect_close("ps average", 0, ps.average, 1.0 / 30.0, TOL, TOL);
    slab_test_expect_close("ps stddev", 0, ps.stddev, sqrt(2.0) / 15.0, TOL, TOL);
    assert_true(ps.positive == 2 && ps.negative == 1 && ps.nochange == 0);
    assert_true(ps.best == tr.ret[0] && ps.worst == tr.ret[2]);
    /* DrawDown: peaks 110, 121, 121; last bar 121 - 108.9 = 12.1 down,
     * 100 * 12.1 / 121 = 10%, one bar long. */
    slab_drawdown(&eq, &dd);
    slab_test_expect_close("moneydown", 0, dd.moneydown, 12.1, TOL, TOL);
    slab_test_expect_close("drawdown", 0, dd.drawdown, 10.0, TOL, TOL);
    assert_true(dd.len == 1.0 && dd.max_len == 1.0);
    /* Returns (daily data, 3 periods, tann 252): rtot = ln(108.9/100),
     * ravg = rtot/3, rnorm = e^(252 ravg) - 1 = 1.089^84 - 1. */
    assert_int_equal(slab_returns(&eq, 0, &r, &err), SLAB_OK);
    assert_int_equal(r.n_periods, 3);
    slab_test_expect_close("rtot", 0, r.rtot, log(1.089), TOL, 0);
    slab_test_expect_close("rnorm", 0, r.rnorm, pow(1.089, 84.0) - 1.0, 1e-11, 0);
    slab_test_expect_close("rnorm100", 0, r.rnorm100, 100.0 * (pow(1.089, 84.0) - 1.0), 1e-11, 0);
    slab_period_returns_clear(&tr);
    slab_period_returns_clear(&ar);
}

static void drawdown_reads_value_not_cash(void **state)
{
    (void)state;
    /* A position bought on bar 1 leaves cash at 10 while the value moves:
     * value 100, 120, 90, 110; cash 100, 10, 10, 110. DrawDown follows the
     * value: peak 120 from bar 1; bar 2 is 30 down, 100*30/120 = 25%; bar 3
     * is 10 down, 100*10/120 = 8.33%, the drawdown two bars long; max 25%,
     * 30, 2 bars. (From cash it would be 90 down, 90%, from bar 1.) */
    int64_t ts[4] = {day_ts(2006, 3, 1), day_ts(2006, 3, 2), day_ts(2006, 3, 3),
                     day_ts(2006, 3, 6)};
    double v[4] = {100.0, 120.0, 90.0, 110.0}, cash[4] = {100.0, 10.0, 10.0, 110.0};
    slab_equity eq = make_eq(4, ts, v, 100.0, SLAB_TF_DAYS, 1);
    slab_drawdown_result dd;

    eq.cash = cash;
    slab_drawdown(&eq, &dd);
    slab_test_expect_close("moneydown", 3, dd.moneydown, 10.0, TOL, TOL);
    slab_test_expect_close("drawdown", 3, dd.drawdown, 1000.0 / 120.0, TOL, TOL);
    slab_test_expect_close("max moneydown", 3, dd.max_moneydown, 30.0, TOL, TOL);
    slab_test_expect_close("max drawdown", 3, dd.max_drawdown, 25.0, TOL, TOL);
    assert_true(dd.len == 2.0 && dd.max_len == 2.0);
}

static void single_year_sharpe_is_none(void **state)
{
    (void)state;
    /* Three bars in 2006: one yearly return, sd 0 -> SharpeRatio None; the
     * daily Sharpe still exists. */
    int64_t ts[3] = {day_ts(2006, 1, 2), day_ts(2006, 1, 3), day_ts(2006, 1, 4)};
    double v[3] = {101.0, 99.0, 102.0};
    slab_equity eq = make_eq(3, ts, v, 100.0, SLAB_TF_DAYS, 1);
    slab_error err;
    json_t *a = slab_analyzers_json(&eq, NULL, 0, &err);

    assert_non_null(a);
    assert_true(json_is_null(json_object_get(json_object_get(a, "sharperatio"), "sharperatio")));
    assert_true(json_is_real(json_object_get(json_object_get(a, "sharpe_a_days"), "sharperatio")));
    /* no trades: TradeAnalyzer {total: {total: 0}}, SQN int 0 */
    expect_json("tradeanalyzer", json_object_get(a, "tradeanalyzer"),
                "{\"total\": {\"total\": 0}}");
    expect_json("sqn", json_object_get(a, "sqn"), "{\"sqn\": 0, \"trades\": 0}");
    /* 12-month Calmar window not filled: NaN -> null, 1 month, its key */
    expect_json("calmar", json_object_get(a, "calmar"),
                "{\"last\": null, \"n_periods\": 1, \"last_key\": \"2006-01-31T00:00:00\"}");
    assert_non_null(json_object_get(json_object_get(a, "annualreturn"), "2006"));
    assert_non_null(json_object_get(json_object_get(a, "timereturn_years"), "2006-12-31"));
    json_decref(a);
}

static void flat_equity(void **state)
{
    (void)state;
    /* 100 at every bar over 3 years: no drawdown ever (max.len stays the
     * float 0.0), yearly returns 0 -> excess -0.01 each, sd 0 -> None. */
    static const double v[3] = {100.0, 100.0, 100.0};
    slab_equity eq = make_eq(3, curve3_ts(), v, 100.0, SLAB_TF_DAYS, 1);
    slab_error err;
    json_t *a = slab_analyzers_json(&eq, NULL, 0, &err);

    assert_non_null(a);
    expect_json("drawdown", json_object_get(a, "drawdown"),
                "{\"len\": 0, \"drawdown\": 0.0, \"moneydown\": 0.0,"
                " \"max\": {\"len\": 0.0, \"drawdown\": 0.0, \"moneydown\": 0.0}}");
    expect_json("sharpe", json_object_get(a, "sharperatio"), "{\"sharperatio\": null}");
    /* Returns: ln(1) = 0 everywhere */
    expect_json("returns", json_object_get(a, "returns"),
                "{\"rtot\": 0.0, \"ravg\": 0.0, \"rnorm\": 0.0, \"rnorm100\": 0.0}");
    /* PeriodStats: three zero returns */
    expect_json("periodstats", json_object_get(a, "periodstats"),
                "{\"average\": 0.0, \"stddev\": 0.0, \"positive\": 0, \"negative\": 0,"
                " \"nochange\": 3, \"best\": 0.0, \"worst\": 0.0}");
    /* VWR: every d_n = 100/(100 e^0) - 1 = 0, sd 0 -> 0 * (1 - 0^0.2) = 0 */
    expect_json("vwr", json_object_get(a, "vwr"), "{\"vwr\": 0.0}");
    json_decref(a);
}

static void losing_curve_crosses_zero(void **state)
{
    (void)state;
    /* V0 100, then 50 and -20: v_N/V0 = -0.2 < 0 -> rtot = -inf, so ravg =
     * rnorm = rnorm100 = -inf (null in JSON). DrawDown ignores V0: the
     * peak starts at -inf, so 50 is the peak; -20 is 70 down, 100*70/50 =
     * 140%, one bar long. */
    int64_t ts[2] = {day_ts(2006, 3, 1), day_ts(2006, 3, 2)};
    double v[2] = {50.0, -20.0};
    slab_equity eq = make_eq(2, ts, v, 100.0, SLAB_TF_DAYS, 1);
    slab_returns_result r;
    slab_drawdown_result dd;
    slab_error err;
    json_t *a;

    assert_int_equal(slab_returns(&eq, 0, &r, &err), SLAB_OK);
    assert_true(isinf(r.rtot) && r.rtot < 0);
    assert_true(isinf(r.ravg) && r.ravg < 0);
    assert_true(isinf(r.rnorm) && r.rnorm < 0 && isinf(r.rnorm100));
    slab_drawdown(&eq, &dd);
    assert_true(dd.moneydown == 70.0 && dd.drawdown == 140.0 && dd.len == 1.0);
    a = slab_analyzers_json(&eq, NULL, 0, &err);
    assert_non_null(a);
    expect_json("returns", json_object_get(a, "returns"),
                "{\"rtot\": null, \"ravg\": null, \"rnorm\": null, \"rnorm100\": null}");
    json_decref(a);
}

static void vwr_single_and_two_periods(void **state)
{
    (void)state;
    int64_t ts[2] = {day_ts(2006, 3, 1), day_ts(2006, 3, 2)};
    double v[2] = {110.0, 121.0};
    slab_equity one = make_eq(1, ts, v, 100.0, SLAB_TF_DAYS, 1);
    slab_equity two = make_eq(2, ts, v, 100.0, SLAB_TF_DAYS, 1);
    slab_error err;
    double got, want, sd;
    int none;

    /* One bar: one (V0, v1) pair; the sample sd divides by 1 - 1 = 0. */
    assert_int_equal(slab_vwr(&one, &got, &none, &err), SLAB_OK);
    assert_true(none);
    /* Two daily bars 110, 121 from 100: ravg = ln(1.21)/2 = ln(1.1);
     * d1 = 110/(100 * 1.1) - 1 = 0, d2 = 121/(110 * 1.1^2) - 1 = 1/1.1 - 1
     * = -1/11; mean -1/22, sample sd sqrt(2 (1/22)^2 / 1) = sqrt(2)/22;
     * rnorm100 = 100 (e^(252 ln 1.1) - 1) = 100 (1.1^252 - 1);
     * vwr = rnorm100 (1 - (sd/2)^0.2). */
    sd = sqrt(2.0) / 22.0;
    want = 100.0 * (pow(1.1, 252.0) - 1.0) * (1.0 - pow(sd / 2.0, 0.2));
    assert_int_equal(slab_vwr(&two, &got, &none, &err), SLAB_OK);
    assert_false(none);
    slab_test_expect_close("vwr", 0, got, want, 1e-10, 0);
}

static void vwr_uses_first_bar_values(void **state)
{
    (void)state;
    /* Two bars a day on data declared Days: periods {0,1}, {2,3}. VWR
     * records the value at each period's FIRST bar (notify_fund runs before
     * the period check), so its pairs are (V0, v0) = (100, 100),
     * (v0, v2) = (100, 121) and (v2, v3) = (121, 133.1), n = 1, 2, 3.
     * Returns: 2 periods, ravg = ln(1.331)/2 = 1.5 ln 1.1, so
     * d1 = 100/(100 * 1.1^1.5) - 1, d2 = 121/(100 * 1.1^3) - 1 = 1.1^-1 - 1,
     * d3 = 133.1/(121 * 1.1^4.5) - 1 = 1.1^-3.5 - 1. */
    int64_t ts[4] = {min_ts(2006, 3, 1, 10, 0), min_ts(2006, 3, 1, 16, 0),
                     min_ts(2006, 3, 2, 10, 0), min_ts(2006, 3, 2, 16, 0)};
    double v[4] = {100.0, 110.0, 121.0, 133.1};
    slab_equity eq = make_eq(4, ts, v, 100.0, SLAB_TF_DAYS, 1);
    double d[3] = {pow(1.1, -1.5) - 1.0, pow(1.1, -1.0) - 1.0, pow(1.1, -3.5) - 1.0};
    double mean = (d[0] + d[1] + d[2]) / 3.0, ss = 0.0, sd, want, got;
    slab_error err;
    int none;

    for (int i = 0; i < 3; i++)
        ss += (d[i] - mean) * (d[i] - mean);
    sd = sqrt(ss / 2.0);
    /* rnorm100 = 100 (e^(252 * 1.5 ln 1.1) - 1) = 100 (1.1^378 - 1) */
    want = 100.0 * (pow(1.1, 378.0) - 1.0) * (1.0 - pow(sd / 2.0, 0.2));
    assert_int_equal(slab_vwr(&eq, &got, &none, &err), SLAB_OK);
    assert_false(none);
    slab_test_expect_close("vwr", 0, got, want, 1e-10, 0);
}

static void calmar_window(void **state)
{
    (void)state;
    /* One bar a month (the 15th) from Jan 2000, 36 months: 100, 80, then
     * 100 ... and 160 at the last. TimeDrawDown at month starts: peak 100,
     * 80 is 20% down -> mdd 20. The deque (36 NaN, V0, 36 month values,
     * then the final value) keeps its last 36: oldest = month 1's 80.
     * last = ln(160/80)/36/20 = ln 2 / 720. */
    int64_t ts[36];
    double v[36];
    slab_calmar_result c;
    slab_error err;
    for (int i = 0; i < 36; i++) {
        ts[i] = day_ts(2000 + i / 12, i % 12 + 1, 15);
        v[i] = 100.0;
    }
    v[1] = 80.0;
    v[35] = 160.0;
    slab_equity eq = make_eq(36, ts, v, 100.0, SLAB_TF_DAYS, 1);
    assert_int_equal(slab_calmar(&eq, &c, &err), SLAB_OK);
    assert_int_equal(c.n_periods, 36);
    assert_true(c.last_key_ns == slab_days_from_civil(2002, 12, 31) * SLAB_NS_PER_DAY);
    slab_test_expect_close("calmar", 0, c.last, log(2.0) / 720.0, TOL, 0);
    /* 34 months ending at 150: the oldest slot is V0 = 100, so
     * last = ln(150/100)/36/20 */
    v[33] = 150.0;
    assert_int_equal(slab_calmar(&(slab_equity){34, ts, v, NULL, 100.0, SLAB_TF_DAYS, 1}, &c, &err),
                     SLAB_OK);
    slab_test_expect_close("calmar34", 0, c.last, log(1.5) / 36.0 / 20.0, TOL, 0);
    /* 33 months: still a NaN in the oldest slot */
    assert_int_equal(slab_calmar(&(slab_equity){33, ts, v, NULL, 100.0, SLAB_TF_DAYS, 1}, &c, &err),
                     SLAB_OK);
    assert_true(isnan(c.last));
}

static void period_keys(void **state)
{
    (void)state;
    /* {timeframe, compression, bar time, expected key text, periods}:
     * 5-minute buckets: 09:05 -> (545//5+1)*5 = 550 min - 1 = 09:09,
     * 09:10 -> 09:14 (two periods); hourly: 09:05 and 09:30 -> 09:59,
     * 10:00 -> 10:59 (two); 7 minutes at 23:58: (1438//7+1)*7 = 1442 - 1 =
     * 1441 min = next day 00:01; ISO week of Wed 2006-01-04 ends Sun
     * 2006-01-08; a month ends on its last day (Feb 2004 has 29). */
    static const struct {
        slab_timeframe tf;
        int comp;
        int y, m, d, hh, mm;
        const char *key;
    } rows[] = {
        {SLAB_TF_MINUTES, 5, 2006, 1, 2, 9, 5, "2006-01-02T09:09:00"},
        {SLAB_TF_MINUTES, 5, 2006, 1, 2, 9, 10, "2006-01-02T09:14:00"},
        {SLAB_TF_MINUTES, 60, 2006, 1, 2, 9, 30, "2006-01-02T09:59:00"},
        {SLAB_TF_MINUTES, 7, 2006, 1, 2, 23, 58, "2006-01-03T00:01:00"},
        {SLAB_TF_SECONDS, 30, 2006, 1, 2, 9, 5, "2006-01-02T09:05:29"},
        {SLAB_TF_DAYS, 1, 2006, 1, 2, 23, 59, "2006-01-02T00:00:00"},
        {SLAB_TF_WEEKS, 1, 2006, 1, 4, 12, 0, "2006-01-08T00:00:00"},
        {SLAB_TF_MONTHS, 1, 2004, 2, 10, 12, 0, "2004-02-29T00:00:00"},
        {SLAB_TF_YEARS, 1, 2004, 2, 10, 12, 0, "2004-12-31"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t ts = min_ts(rows[i].y, rows[i].m, rows[i].d, rows[i].hh, rows[i].mm);
        double v = 1.0;
        slab_equity eq = make_eq(1, &ts, &v, 1.0, SLAB_TF_MINUTES, 1);
        slab_period_returns p;
        slab_error err;
        char buf[40];
        assert_int_equal(slab_timereturn(&eq, rows[i].tf, rows[i].comp, &p, &err), SLAB_OK);
        slab_period_key_format(rows[i].tf, p.key_ns[0], buf, sizeof buf);
        if (strcmp(buf, rows[i].key) != 0)
            fail_msg("row %zu: key %s, want %s", i, buf, rows[i].key);
        slab_period_returns_clear(&p);
    }
    /* Periods split only when the key grows: 09:05, 09:30, 10:00 hourly. */
    int64_t ts[3] = {min_ts(2006, 1, 2, 9, 5), min_ts(2006, 1, 2, 9, 30),
                     min_ts(2006, 1, 2, 10, 0)};
    double v[3] = {1.0, 2.0, 4.0};
    slab_equity eq = make_eq(3, ts, v, 1.0, SLAB_TF_MINUTES, 60);
    slab_period_returns p;
    slab_error err;
    assert_int_equal(slab_timereturn(&eq, (slab_timeframe)0, 0, &p, &err), SLAB_OK);
    /* hour 1 ends at 2.0: 2/1 - 1 = 1; hour 2: 4/2 - 1 = 1 */
    assert_true(p.n == 2 && p.first_bar[1] == 2 && p.ret[0] == 1.0 && p.ret[1] == 1.0);
    slab_period_returns_clear(&p);
}

static void errors(void **state)
{
    (void)state;
    int64_t ts = day_ts(2006, 1, 2);
    double v = 1.0;
    slab_equity empty = make_eq(0, NULL, NULL, 1.0, SLAB_TF_DAYS, 1);
    slab_equity ticks = make_eq(1, &ts, &v, 1.0, SLAB_TF_TICKS, 1);
    slab_equity ok = make_eq(1, &ts, &v, 1.0, SLAB_TF_DAYS, 1);
    slab_period_returns p;
    slab_error err;

    assert_null(slab_analyzers_json(&empty, NULL, 0, &err));
    assert_int_equal(err.code, SLAB_EINVAL);
    assert_string_equal(err.msg, "the equity record has no bars; analyzers need at least one bar");
    assert_null(slab_analyzers_json(&ticks, NULL, 0, &err));
    assert_int_equal(err.code, SLAB_EINVAL);
    assert_string_equal(err.msg,
                        "timeframe 1 has no analyzer periods (backtrader fails on ticks); "
                        "use microseconds, seconds, minutes, days, weeks, months or years");
    /* 2,000,000 minutes = 1389 days, past the 1000-day bucket cap */
    assert_int_equal(slab_timereturn(&ok, SLAB_TF_MINUTES, 2000000, &p, &err), SLAB_EINVAL);
    assert_string_equal(err.msg, "compression 2000000 is too large for a sub-day timeframe; "
                                 "use a day-based timeframe instead");
    /* every allocation of a period table can fail cleanly (no leak) */
    for (long k = 1; k <= 4; k++) {
        slab_alloc_fail_after(k);
        assert_int_equal(slab_timereturn(&ok, SLAB_TF_YEARS, 1, &p, &err), SLAB_ENOMEM);
        assert_int_equal(p.n, 0);
    }
    slab_alloc_fail_after(0);
    slab_period_returns_clear(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ta_no_trades),
        cmocka_unit_test(ta_one_open_trade),
        cmocka_unit_test(ta_one_closed_trade),
        cmocka_unit_test(ta_breakeven_and_zero_length_quirks),
        cmocka_unit_test(ta_gross_win_net_loss),
        cmocka_unit_test(sqn_zero_sd_is_none),
        cmocka_unit_test(sharpe_three_years),
        cmocka_unit_test(three_years_other_analyzers),
        cmocka_unit_test(drawdown_reads_value_not_cash),
        cmocka_unit_test(single_year_sharpe_is_none),
        cmocka_unit_test(flat_equity),
        cmocka_unit_test(losing_curve_crosses_zero),
        cmocka_unit_test(vwr_single_and_two_periods),
        cmocka_unit_test(vwr_uses_first_bar_values),
        cmocka_unit_test(calmar_window),
        cmocka_unit_test(period_keys),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
