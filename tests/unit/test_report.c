/* test_report.c: the report's charts from fixed result documents written
 * here: the SVG's structure (axes, series point counts), marker and worst
 * drawdown positions at the coordinates the geometry of charts.c gives by
 * hand, the min/max reduction of a long series keeping its spike, the
 * heatmap's cells, the zh words, the PNG's size and its pixels at known
 * points (cairo), the HTML page's parts and that it requests nothing, and
 * one clear error for each kind of bad document. */
#include "slab_test.h"
#include "stratlab/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<cairo.h>)
#include <cairo.h>
#define HAVE_CAIRO 1
#endif

/* The document: five daily bars from 2006-01-02 (1136160000 s), cash 100;
 *   close  10   11   12    9   15
 *   value 110   99  121  121  96.8
 * trade 1: long, bars 1..4 (baropen 2, barclose 5), 10.5 -> 14, +33.33%,
 *          best excursion +40%, worst -5%;
 * trade 2: long, bars 2..3, 12 -> 9, -25%, best +10%, worst -30%. */
static json_t *doc_new(int with_series)
{
    json_t *d = json_pack(
        "{s:{s:s,s:[s],s:s,s:s,s:s,s:s,s:{s:f},s:{s:s,s:s},s:s,s:s},s:{s:f},"
        "s:[{s:s,s:s,s:i,s:i,s:f,s:f,s:f,s:f,s:s,s:s,s:f,s:f},"
        "{s:s,s:s,s:i,s:i,s:f,s:f,s:f,s:f,s:s,s:s,s:f,s:f}],"
        "s:i,s:s}",
        "backtest", "strategy", "hand", "symbols", "HAND", "from", "2006-01-02", "to", "2006-01-06",
        "timeframe", "1d", "data_source", "hand.csv", "config", "cash", 100.0, "engine", "name",
        "stratlab", "version", SLAB_VERSION, "run_id", "0123456789abcdef", "data_sha256", "ab",
        "metrics", "annualization_periods", 252.0, "trades", "side", "long", "status", "closed",
        "baropen", 2, "barclose", 5, "entry_price", 10.5, "exit_price", 14.0, "pnl_percent",
        100.0 / 3.0, "pnlcomm", 35.0, "entry_time", "2006-01-03", "exit_time", "2006-01-06",
        "max_gain_pct", 40.0, "max_loss_pct", -5.0, "side", "long", "status", "closed", "baropen",
        3, "barclose", 4, "entry_price", 12.0, "exit_price", 9.0, "pnl_percent", -25.0, "pnlcomm",
        -30.0, "entry_time", "2006-01-04", "exit_time", "2006-01-05", "max_gain_pct", 10.0,
        "max_loss_pct", -30.0, "trades_total", 2, "summary", "hand-made <document> & co");
    if (with_series) {
        json_t *s =
            json_pack("{s:[I,I,I,I,I],s:[f,f,f,f,f],s:[f,f,f,f,f]}", "ts_s", (json_int_t)1136160000,
                      (json_int_t)1136246400, (json_int_t)1136332800, (json_int_t)1136419200,
                      (json_int_t)1136505600, "close", 10.0, 11.0, 12.0, 9.0, 15.0, "value", 110.0,
                      99.0, 121.0, 121.0, 96.8);
        json_object_set_new(d, "series", s);
    }
    return d;
}

static char *svg_of(const json_t *doc, slab_chart chart, slab_lang lang)
{
    char *out = NULL;
    size_t len;
    slab_error err;
    if (slab_report_svg(doc, NULL, chart, lang, &out, &len, &err) != SLAB_OK)
        fail_msg("svg %s: %s", slab_chart_name(chart), err.msg);
    assert_int_equal(strlen(out), len);
    return out;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The numeric attribute attr of the k-th element that has class="cls". */
static double attr(const char *svg, const char *cls, size_t k, const char *name)
{
    char key[96], at[64];
    snprintf(key, sizeof key, "class=\"%s\"", cls);
    snprintf(at, sizeof at, " %s=\"", name);
    const char *p = svg;
    for (size_t i = 0; i <= k; i++) {
        if (!(p = strstr(p, key)))
            fail_msg("no element %zu of class %s", k, cls);
        if (i < k)
            p += strlen(key);
    }
    const char *end = strchr(p, '>'), *a = strstr(p, at);
    if (!a || a > end)
        fail_msg("element of class %s has no %s", cls, name);
    return strtod(a + strlen(at), NULL);
}

#define NEAR(what, got, want) slab_test_expect_close(what, -1, got, want, 0, 0.006)

/* Plot area of a 960 x 320 chart: x 72..944, y 34..286 (charts.c). */
static void price_markers(void **state)
{
    (void)state;
    json_t *d = doc_new(1);
    char *svg = svg_of(d, SLAB_CHART_PRICE, SLAB_LANG_EN);
    assert_non_null(strstr(svg, "width=\"960\" height=\"320\""));
    assert_int_equal(count(svg, "class=\"axis x\""), 1);
    assert_int_equal(count(svg, "class=\"axis y\""), 1);
    assert_true(count(svg, "class=\"tick x\"") >= 2);
    /* five bars, five points */
    assert_int_equal((int)attr(svg, "series close", 0, "data-n"), 5);
    assert_int_equal(count(svg, "class=\"entry\""), 2);
    assert_int_equal(count(svg, "class=\"exit\""), 2);
    /* prices 9..15, padded 5% of 6: lo 8.7, hi 15.3, 252 px for 6.6.
     * entry 1: bar 1 -> x = 72 + 1/4 * 872 = 290;
     *          10.5 -> y = 286 - (10.5 - 8.7) / 6.6 * 252 = 217.2727 */
    NEAR("entry 1 x", attr(svg, "entry", 0, "data-x"), 290);
    NEAR("entry 1 y", attr(svg, "entry", 0, "data-y"), 217.27);
    /* exit 1: bar 4 -> x = 944; 14 -> y = 286 - 5.3 / 6.6 * 252 = 83.6364 */
    NEAR("exit 1 x", attr(svg, "exit", 0, "data-x"), 944);
    NEAR("exit 1 y", attr(svg, "exit", 0, "data-y"), 83.64);
    /* exit 2: bar 3 -> x = 72 + 3/4 * 872 = 726; 9 -> 286 - 0.3 / 6.6 * 252 = 274.5455 */
    NEAR("exit 2 x", attr(svg, "exit", 1, "data-x"), 726);
    NEAR("exit 2 y", attr(svg, "exit", 1, "data-y"), 274.55);
    /* a trade without its exit price: no marker, no "nan" in the SVG */
    json_t *d2 = json_deep_copy(d);
    json_object_set_new(json_array_get(json_object_get(d2, "trades"), 0), "exit_price",
                        json_null());
    char *svg2 = svg_of(d2, SLAB_CHART_PRICE, SLAB_LANG_EN);
    assert_int_equal(count(svg2, "class=\"exit\""), 1);
    assert_null(strstr(svg2, "nan"));
    free(svg2);
    json_decref(d2);
    /* hover text names the trade */
    assert_non_null(strstr(svg, "<title>#1 long: Exit 2006-01-06 @ 14, P&amp;L +33.33%</title>"));
    free(svg);
    json_decref(d);
}

static void equity_and_drawdown(void **state)
{
    (void)state;
    json_t *d = doc_new(1);
    char *svg = svg_of(d, SLAB_CHART_EQUITY, SLAB_LANG_EN);
    assert_int_equal((int)attr(svg, "series equity", 0, "data-n"), 5);
    assert_int_equal((int)attr(svg, "series buy-and-hold", 0, "data-n"), 5);
    /* buy & hold 100, 110, 120, 90, 150 and values 96.8..121: lo 90, hi
     * 150, padded by 3: 87..153; the first value 110 at
     * y = 286 - (110 - 87) / 66 * 252 = 198.1818, x = 72 */
    assert_non_null(strstr(strstr(svg, "series equity"), "points=\"72.00,198.18 "));
    free(svg);
    svg = svg_of(d, SLAB_CHART_DRAWDOWN, SLAB_LANG_EN);
    /* drawdowns 0, -10, 0, 0, -20: worst -20% at bar 4; range -20..0
     * padded by 1: y = 286 - (-20 + 21) / 22 * 252 = 274.5455, x = 944 */
    NEAR("worst x", attr(svg, "worst", 0, "data-x"), 944);
    NEAR("worst y", attr(svg, "worst", 0, "data-y"), 274.55);
    assert_non_null(strstr(svg, "Worst drawdown -20.00%"));
    /* the area: five points and the two on the zero line */
    assert_int_equal((int)attr(svg, "series drawdown", 0, "data-n"), 7);
    /* the worst period: from its peak (bar 3, x 726) to the end (x 944) */
    NEAR("worst period x", attr(svg, "worst-period", 0, "x"), 726);
    NEAR("worst period width", attr(svg, "worst-period", 0, "width"), 218);
    free(svg);
    json_decref(d);
}

static void heatmap_and_trades(void **state)
{
    (void)state;
    json_t *d = doc_new(1);
    char *svg = svg_of(d, SLAB_CHART_RETURNS, SLAB_LANG_EN);
    /* one month (January 2006) and its year: 96.8 / 100 - 1 */
    assert_int_equal(count(svg, "class=\"cell month\""), 1);
    assert_int_equal(count(svg, "class=\"cell year\""), 1);
    assert_non_null(strstr(svg, "<title>2006 Jan: -3.20%</title>"));
    free(svg);
    svg = svg_of(d, SLAB_CHART_TRADES, SLAB_LANG_EN);
    assert_int_equal(count(svg, "class=\"bar win\""), 1);
    assert_non_null(strstr(svg, ">P&amp;L % by trade</text>"));
    assert_int_equal(count(svg, "class=\"bar loss\""), 1);
    /* range -25..33.33 padded by 2.9167: zero at
     * y = 286 - (0 + 27.9167) / 64.1667 * 252 = 176.3636: the win bar ends there */
    double y = attr(svg, "bar win", 0, "y"), h = attr(svg, "bar win", 0, "height");
    NEAR("win bar bottom", y + h, 176.36);
    NEAR("win bar x", attr(svg, "bar win", 0, "x"), 72);
    NEAR("loss bar x", attr(svg, "bar loss", 0, "x"), 72 + 872 / 2.0);
    free(svg);
    svg = svg_of(d, SLAB_CHART_EXCURSIONS, SLAB_LANG_EN);
    assert_int_equal(count(svg, "class=\"mfe\""), 2);
    assert_non_null(strstr(svg, ">MFE / MAE % against P&amp;L %</text>")); /* no "%%" */
    assert_int_equal(count(svg, "class=\"mae\""), 2);
    /* x: P&L -25..33.33 padded by 2.9167 to -27.9167..36.25; y: excursions
     * -30..40 padded by 3.5 to -33.5..43.5. Trade 1's MFE (+33.33, +40):
     * x = 72 + 61.25 / 64.1667 * 872 = 904.36, y = 286 - 73.5 / 77 * 252 = 45.45;
     * trade 2's MAE (-25, -30): x = 72 + 2.9167 / 64.1667 * 872 = 111.64,
     * y = 286 - 3.5 / 77 * 252 = 274.55 */
    NEAR("mfe 1 x", attr(svg, "mfe", 0, "data-x"), 904.36);
    NEAR("mfe 1 y", attr(svg, "mfe", 0, "data-y"), 45.45);
    NEAR("mae 2 x", attr(svg, "mae", 1, "data-x"), 111.64);
    NEAR("mae 2 y", attr(svg, "mae", 1, "data-y"), 274.55);
    free(svg);
    /* the trade charts need no series; the others say they do */
    json_object_del(d, "series");
    svg = svg_of(d, SLAB_CHART_TRADES, SLAB_LANG_EN);
    assert_int_equal(count(svg, "class=\"bar "), 2);
    free(svg);
    char *out = NULL;
    size_t len;
    slab_error err;
    assert_int_equal(slab_report_svg(d, NULL, SLAB_CHART_EQUITY, SLAB_LANG_EN, &out, &len, &err),
                     SLAB_EDATA);
    assert_non_null(strstr(err.msg, "equity chart needs the per-bar series"));
    json_decref(d);
}

/* 20,000 bars with one spike: at most two points per pixel column, and
 * the spike is among them, at the top of the plot. */
static void reduction_keeps_spikes(void **state)
{
    (void)state;
    enum { N = 20000, SPIKE = 12345 };
    json_t *d = doc_new(0), *ts = json_array(), *cl = json_array(), *v = json_array();
    for (int i = 0; i < N; i++) {
        json_array_append_new(ts, json_integer(1136160000 + 86400LL * i));
        json_array_append_new(cl, json_real(i == SPIKE ? 50.0 : 10.0 + (i % 7) * 0.1));
        json_array_append_new(v, json_real(100.0 + (i % 5)));
    }
    json_object_set_new(d, "series",
                        json_pack("{s:o,s:o,s:o}", "ts_s", ts, "close", cl, "value", v));
    json_object_set_new(d, "trades", json_array());
    char *svg = svg_of(d, SLAB_CHART_PRICE, SLAB_LANG_EN);
    int n = (int)attr(svg, "series close", 0, "data-n");
    assert_true(n <= 2 * 872 && n >= 872);
    /* closes 10..10.6 and the spike 50: lo 10, hi 50, padded by 2 to 8..52;
     * the spike at y = 286 - (50 - 8) / 44 * 252 = 45.4545 */
    const char *pts = strstr(strstr(svg, "series close"), "points=\"");
    assert_non_null(strstr(pts, ",45.45 "));
    free(svg);
    json_decref(d);
}

/* Rolling Sharpe: nine bars alternating +10% and -10% from 100, three
 * periods a year, so the window is min(3, 9 / 3) = 3 bars and rf =
 * 1.01^(1/3) - 1 = 0.0033223. Windows (.1, -.1, .1): mean 1/30, sd_pop
 * sqrt(.01 - 1/900) = 0.0942809, (0.0333333 - 0.0033223) / 0.0942809 *
 * sqrt 3 = 0.551338; windows (-.1, .1, -.1): -0.673407. Seven points (bars
 * 2..8); range -0.673407..0.551338 padded by 0.0612374: the first point
 * (bar 2, x = 72 + 2/8 * 872 = 290) at the top, y = 34 + 0.05 / 1.1 * 252
 * = 45.45; the second (x = 399) at the bottom, y = 274.55. Five bars give
 * a window of one: not enough data. */
static void rolling_sharpe(void **state)
{
    (void)state;
    json_t *d = doc_new(1), *ts = json_array(), *cl = json_array(), *v = json_array();
    double x = 100.0;
    for (int i = 0; i < 9; i++) {
        x *= i % 2 == 0 ? 1.1 : 0.9;
        json_array_append_new(ts, json_integer(1136160000 + 86400LL * i));
        json_array_append_new(cl, json_real(10.0));
        json_array_append_new(v, json_real(x));
    }
    char *svg = svg_of(d, SLAB_CHART_SHARPE, SLAB_LANG_EN);
    assert_non_null(strstr(svg, "Not enough data"));
    free(svg);
    json_object_set_new(d, "series",
                        json_pack("{s:o,s:o,s:o}", "ts_s", ts, "close", cl, "value", v));
    json_object_set_new(d, "trades", json_array());
    json_object_set_new(json_object_get(d, "metrics"), "annualization_periods", json_real(3.0));
    svg = svg_of(d, SLAB_CHART_SHARPE, SLAB_LANG_EN);
    assert_non_null(strstr(svg, "Rolling Sharpe (3 periods)"));
    assert_int_equal((int)attr(svg, "series sharpe", 0, "data-n"), 7);
    assert_non_null(strstr(strstr(svg, "series sharpe"), "points=\"290.00,45.45 399.00,274.55 "));
    free(svg);
    json_decref(d);
}

/* Times out of order or out of any calendar: the heatmap keeps every bar
 * inside its grid (rows from the earliest to the latest bar) or says it
 * cannot draw; nothing is written outside the grid (regression: rows came
 * from the first and last bar only). */
static void heatmap_bad_times(void **state)
{
    (void)state;
    json_t *d = doc_new(1);
    json_t *ts = json_object_get(json_object_get(d, "series"), "ts_s");
    json_array_set_new(ts, 2, json_integer(1262304000)); /* 2010-01-01 between 2006 bars */
    char *svg = svg_of(d, SLAB_CHART_RETURNS, SLAB_LANG_EN);
    assert_non_null(strstr(svg, ">2010</text>"));
    free(svg);
    json_array_set_new(ts, 2, json_integer(100000000000000LL)); /* year ~3 million */
    svg = svg_of(d, SLAB_CHART_RETURNS, SLAB_LANG_EN);
    assert_non_null(strstr(svg, "Not enough data"));
    assert_non_null(strstr(svg, "height=\"320\""));
    free(svg);
    json_decref(d);
}

/* More trades than the page marks: the first 2000 get markers and dots,
 * the page says so. */
static void markers_capped(void **state)
{
    (void)state;
    enum { N = 6000, T = 2500 };
    json_t *d = doc_new(0), *ts = json_array(), *cl = json_array(), *v = json_array();
    json_t *tr = json_array();
    for (int i = 0; i < N; i++) {
        json_array_append_new(ts, json_integer(1136160000 + 86400LL * i));
        json_array_append_new(cl, json_real(10.0 + i % 3));
        json_array_append_new(v, json_real(100.0 + i % 5));
    }
    for (int k = 0; k < T; k++)
        json_array_append_new(tr, json_pack("{s:s,s:s,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f}", "side",
                                            "long", "status", "closed", "baropen", 2 * k + 1,
                                            "barclose", 2 * k + 2, "entry_price", 10.0,
                                            "exit_price", 11.0, "pnl_percent", 10.0, "pnlcomm", 1.0,
                                            "max_gain_pct", 12.0, "max_loss_pct", -1.0));
    json_object_set_new(d, "series",
                        json_pack("{s:o,s:o,s:o}", "ts_s", ts, "close", cl, "value", v));
    json_object_set_new(d, "trades", tr);
    json_object_set_new(d, "trades_total", json_integer(T));
    char *svg = svg_of(d, SLAB_CHART_PRICE, SLAB_LANG_EN);
    assert_int_equal(count(svg, "class=\"entry\""), 2000);
    free(svg);
    svg = svg_of(d, SLAB_CHART_EXCURSIONS, SLAB_LANG_EN);
    assert_int_equal(count(svg, "class=\"mfe\""), 2000);
    free(svg);
    char *html = NULL;
    size_t len;
    slab_error err;
    assert_int_equal(slab_report_html(d, NULL, SLAB_LANG_EN, &html, &len, &err), SLAB_OK);
    assert_non_null(strstr(html, "The price and excursion charts mark the first 2000 trades."));
    free(html);
    json_decref(d);
}

static void chinese(void **state)
{
    (void)state;
    json_t *d = doc_new(1);
    char *svg = svg_of(d, SLAB_CHART_PRICE, SLAB_LANG_ZH);
    assert_non_null(strstr(svg, "价格与买卖点"));
    assert_null(strstr(svg, "Price with entries"));
    free(svg);
    svg = svg_of(d, SLAB_CHART_RETURNS, SLAB_LANG_ZH);
    assert_non_null(strstr(svg, "1月"));
    free(svg);
    json_decref(d);
}

static void html_page(void **state)
{
    (void)state;
    json_t *d = doc_new(1);
    json_object_set_new(
        d, "orders", json_pack("[{s:i,s:s,s:s}]", "ref", 1, "side", "buy", "status", "Completed"));
    char *html = NULL;
    size_t len;
    slab_error err;
    assert_int_equal(slab_report_html(d, NULL, SLAB_LANG_EN, &html, &len, &err), SLAB_OK);
    assert_int_equal(count(html, "<svg "), SLAB_CHART_COUNT);
    assert_non_null(strstr(html, "0123456789abcdef"));                    /* run id */
    assert_non_null(strstr(html, "hand-made &lt;document&gt; &amp; co")); /* escaped */
    assert_non_null(strstr(html, "<details class=\"orders\">"));
    assert_null(strstr(html, "%%")); /* every format row printed as text */
    assert_non_null(strstr(html, "<th>P&amp;L %</th>"));
    /* self-contained: nothing to fetch, no script */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, " src="));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "url("));
    assert_int_equal(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
    free(html);
    assert_int_equal(slab_report_html(d, NULL, SLAB_LANG_ZH, &html, &len, &err), SLAB_OK);
    assert_non_null(strstr(html, "<html lang=\"zh\">"));
    assert_non_null(strstr(html, "委托记录"));
    free(html);
    /* with statistics, zh gets a headline from the table and the English
     * summary behind a toggle */
    json_object_set_new(d, "stats",
                        json_pack("{s:i,s:f,s:f,s:i,s:f,s:f,s:n,s:f,s:f,s:f}", "bars", 5,
                                  "equity_final", 96.8, "return_pct", -3.2, "num_trades", 2,
                                  "win_rate_pct", 50.0, "max_drawdown_pct", 20.0, "sharpe_ratio",
                                  "exposure_time_pct", 80.0, "cagr_pct", -3.2,
                                  "buy_and_hold_return_pct", 50.0));
    assert_int_equal(slab_report_html(d, NULL, SLAB_LANG_ZH, &html, &len, &err), SLAB_OK);
    assert_non_null(strstr(html, "最终资产 96.80"));
    assert_non_null(strstr(html, "已平仓交易 2 笔"));
    assert_non_null(strstr(html, "夏普比率 无"));
    assert_non_null(strstr(html, "买入持有收益率 50.00%"));
    assert_non_null(strstr(html, "<details class=\"run-notes\">"));
    assert_non_null(strstr(html, "hand-made &lt;document&gt;"));
    free(html);
    json_decref(d);
}

/* Each bad document: one line naming what is wrong. */
static void bad_documents(void **state)
{
    (void)state;
    static const struct {
        const char *json, *msg;
    } rows[] = {
        {"[1]", "not a stratlab result document"},
        {"{\"backtest\": {\"engine\": {\"name\": \"backtrader\"}}, \"metrics\": {}}",
         "written by backtrader"},
        {"{\"backtest\": {\"engine\": {\"name\": \"stratlab\"}}, \"metrics\": {}}",
         "has no positive backtest.config.cash"},
        {"{\"backtest\": {\"engine\": {\"name\": \"stratlab\"}, \"config\": {\"cash\": 1}}, "
         "\"metrics\": {}}",
         "has no \"trades\" array"},
        {"{\"backtest\": {\"engine\": {\"name\": \"stratlab\"}, \"config\": {\"cash\": 1}}, "
         "\"metrics\": {}, \"trades\": [], \"series\": {\"ts_s\": [1, 2], \"close\": [1], "
         "\"value\": [1, 2]}}",
         "has series of unequal lengths"},
        {"{\"backtest\": {\"engine\": {\"name\": \"stratlab\"}, \"config\": {\"cash\": 1}}, "
         "\"metrics\": {}, \"trades\": [], \"series\": {\"ts_s\": [1], \"close\": [\"x\"], "
         "\"value\": [1]}}",
         "series entry that is not a number"},
        {"{\"backtest\": {\"engine\": {\"name\": \"stratlab\"}, \"config\": {\"cash\": 1}}, "
         "\"metrics\": {}, \"trades\": [{\"status\": \"closed\", \"baropen\": 1, \"barclose\": "
         "9}], \"series\": {\"ts_s\": [1], \"close\": [1], \"value\": [1]}}",
         "has a trade outside its series"},
        {"{\"backtest\": {\"engine\": {\"name\": \"stratlab\"}, \"config\": {\"cash\": 1}}, "
         "\"metrics\": {}, \"trades\": [{\"status\": \"closed\"}]}",
         "has a trade without baropen"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *d = json_loads(rows[i].json, 0, NULL);
        char *out = NULL;
        size_t len;
        slab_error err;
        assert_non_null(d);
        if (slab_report_html(d, NULL, SLAB_LANG_EN, &out, &len, &err) == SLAB_OK)
            fail_msg("row %zu accepted", i);
        if (!strstr(err.msg, rows[i].msg) || strchr(err.msg, '\n'))
            fail_msg("row %zu: got '%s', want '%s'", i, err.msg, rows[i].msg);
        json_decref(d);
    }
    slab_chart c;
    slab_error err;
    assert_int_equal(slab_chart_parse("equity", &c, &err), SLAB_OK);
    assert_int_equal(c, SLAB_CHART_EQUITY);
    assert_int_not_equal(slab_chart_parse("candles", &c, &err), SLAB_OK);
    assert_non_null(strstr(err.msg, "unknown chart 'candles'"));
}

/* slab_result_load reads the series apart from jansson: every number
 * must be the double strtod gives (the fast decimal path included), the
 * rest of the document intact, and a document it cannot read fast is read
 * by jansson with the same result. */
static void load_series_exactly(void **state)
{
    (void)state;
    enum { N = 4000 };
    static char text[N][40];
    char path[512];
    uint64_t r = 88172645463325252ULL;
    for (int i = 0; i < N; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        double x = (double)(r % 100000000) / 1000.0 * ((r >> 40) % 2 ? 1 : -1);
        int dec = (int)((r >> 20) % 8);
        if (i % 5 == 0) /* shortest round trip and 17 digits: strtod's side */
            snprintf(text[i], sizeof text[i], "%.17g", x / 3.0);
        else if (i % 7 == 0)
            snprintf(text[i], sizeof text[i], "%.3e", x);
        else
            snprintf(text[i], sizeof text[i], "%.*f", dec, x);
    }
    snprintf(path, sizeof path, "%s/load.json", slab_test_tmpdir());
    for (int slow = 0; slow < 2; slow++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "{\"backtest\": {\"run_id\": \"x\"},\n \"series\": {%s\"ts_s\": [",
                slow ? "\"extra\": 1, " : "");
        for (int i = 0; i < N; i++)
            fprintf(f, "%s%d", i ? ", " : "", i * 60);
        fprintf(f, "],\n \"close\": [");
        for (int i = 0; i < N; i++)
            fprintf(f, "%s%s", i ? ", " : "", text[i]);
        fprintf(f, "], \"value\": [");
        for (int i = 0; i < N; i++)
            fprintf(f, "%s%s", i ? ", " : "", i == 7 ? "null" : text[N - 1 - i]);
        fprintf(f, "], \"units\": \"u\"},\n \"after\": [1, 2]}\n");
        fclose(f);
        json_t *doc;
        slab_series *se;
        slab_error err;
        assert_int_equal(slab_result_load(path, &doc, &se, &err), SLAB_OK);
        assert_int_equal(json_array_size(json_object_get(doc, "after")), 2);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(doc, "backtest"), "run_id")), "x");
        if (slow) { /* not the shape run --series writes: jansson read it all */
            assert_null(se);
            assert_int_equal(
                json_array_size(json_object_get(json_object_get(doc, "series"), "close")), N);
        } else {
            assert_non_null(se);
            assert_true(json_is_null(json_object_get(doc, "series")));
            assert_int_equal(se->n, N);
            for (int i = 0; i < N; i++) {
                double want = strtod(text[i], NULL);
                if (memcmp(&se->close[i], &want, 8))
                    fail_msg("close %d '%s': %.17g, strtod %.17g", i, text[i], se->close[i], want);
                assert_int_equal(se->ts_s[i], i * 60);
            }
            assert_true(isnan(se->value[7]));
        }
        slab_series_free(se);
        json_decref(doc);
    }
}

#ifdef HAVE_CAIRO
/* The pixel at (x, y) as 0xRRGGBB. */
static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
    const unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    return *(const uint32_t *)(data + y * stride + x * 4) & 0xffffff;
}

static void png_pixels(void **state)
{
    (void)state;
    char path[512];
    slab_error err;
    json_t *d = doc_new(1);
    snprintf(path, sizeof path, "%s/price.png", slab_test_tmpdir());
    assert_int_equal(slab_report_png(d, NULL, SLAB_CHART_PRICE, SLAB_LANG_EN, path, &err), SLAB_OK);
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(s), 960);
    assert_int_equal(cairo_image_surface_get_height(s), 320);
    cairo_surface_flush(s);
    assert_int_equal(pixel(s, 3, 3), 0xffffff);     /* background */
    assert_int_equal(pixel(s, 600, 300), 0xffffff); /* under the x axis, between ticks */
    /* inside entry 1's triangle: tip (290, 217.27), base 9 px below */
    assert_int_equal(pixel(s, 290, 224), 0x1a9850);
    /* inside exit 1's triangle: tip (944, 83.64), base 9 px above */
    assert_int_equal(pixel(s, 943, 77), 0xd73027);
    /* the x axis at y = 286 */
    assert_int_equal(pixel(s, 500, 286) != 0xffffff, 1);
    cairo_surface_destroy(s);
    /* a file that cannot be written */
    assert_int_not_equal(
        slab_report_png(d, NULL, SLAB_CHART_PRICE, SLAB_LANG_EN, "/nonexistent-dir/x.png", &err),
        SLAB_OK);
    assert_non_null(strstr(err.msg, "cannot write the PNG"));
    json_decref(d);
    slab_report_release_fonts(); /* the last PNG of this process */
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(price_markers),       cmocka_unit_test(equity_and_drawdown),
        cmocka_unit_test(heatmap_and_trades),  cmocka_unit_test(reduction_keeps_spikes),
        cmocka_unit_test(rolling_sharpe),      cmocka_unit_test(heatmap_bad_times),
        cmocka_unit_test(markers_capped),      cmocka_unit_test(chinese),
        cmocka_unit_test(html_page),           cmocka_unit_test(bad_documents),
        cmocka_unit_test(load_series_exactly),
#ifdef HAVE_CAIRO
        cmocka_unit_test(png_pixels),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
