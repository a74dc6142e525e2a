/* test_feeds_report.c: the report layer on several feeds whose union clock
 * has steps where the traded feed (feed 0) has no bar (regression
 * feeds_report_traded_close: it indexed feed 0's close[] by clock step,
 * reading past its bars). Feed A (traded) has bars at 09:31, 09:32, 09:34
 * and 09:36; feed B at every minute 09:30..09:37, so the clock has 8
 * steps and A has none at 09:30 (before its first), 09:33, 09:35 and
 * 09:37 (after its last). A's closes: 20, 22, 21, 25.
 *   series close per step, A's last close carried forward (null before
 *   its first bar):   null 20 22 22 21 21 25 25
 *   buy and hold on A's own first and last bars in the window (09:31 and
 *   09:36): (25 / 20 - 1) x 100 = +25%.
 * The strategy never trades, so the value is the cash at every step. */
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/report.h"
#include "stratlab/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void idle_next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
}

static const slab_strategy_def idle_def = {
    SLAB_STRATEGY_ABI, "idle", "never trades", NULL, 0, 1, NULL, idle_next, NULL, NULL, NULL};

/* open, close pairs */
static const int ta[] = {931, 932, 934, 936};
static const double pa[] = {19, 20, 20, 22, 22, 21, 21, 25};
static const int tb[] = {930, 931, 932, 933, 934, 935, 936, 937};
static const double pb[] = {50, 50, 50, 51, 51, 52, 52, 53, 53, 54, 54, 55, 55, 56, 56, 57};

/* The hand-worked closes above; NaN is null. */
static const double want_close[8] = {NAN, 20, 22, 22, 21, 21, 25, 25};
#define WANT_BH 25.0 /* (25 / 20 - 1) x 100 */

/* Checks a series' closes against want_close. */
static void expect_closes(const double *got, size_t n)
{
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++) {
        if (isnan(want_close[i]))
            assert_true(isnan(got[i]));
        else
            slab_test_expect_close("close", (long)i, got[i], want_close[i], 0, 0);
    }
}

static void feeds_report_traded_close(void **state)
{
    (void)state;
    slab_bars *f[2] = {slab_test_minute_bars("A", ta, pa, 4),
                       slab_test_minute_bars("B", tb, pb, 8)};
    slab_run_config cfg;
    slab_broker_config broker;
    slab_error err;
    slab_run *r = NULL;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 10000;
    cfg.strategy = &idle_def;
    cfg.stop_after_bar = -1;
    broker = cfg.broker;
    assert_int_equal(slab_engine_run_feeds((const slab_bars *const *)f, 2, &cfg, NULL, &r, &err),
                     SLAB_OK);
    assert_int_equal(r->n_bars, 8);

    slab_result_info info;
    memset(&info, 0, sizeof info);
    info.strategy = "idle";
    info.source = "builtin";
    info.broker = &broker;
    info.max_trades = -1;
    json_t *doc = slab_result_json(f[0], r, &info, &err);
    assert_non_null(doc);
    const json_t *bh = json_object_get(json_object_get(doc, "stats"), "buy_and_hold_return_pct");
    assert_true(json_is_number(bh));
    slab_test_expect_close("buy_and_hold_return_pct", -1, json_number_value(bh), WANT_BH, 1e-12,
                           1e-12);
    const char *sum = json_string_value(json_object_get(doc, "summary"));
    assert_non_null(sum);
    assert_non_null(strstr(sum, "against buy & hold +25.00%"));

    /* the series, built whole and from the lazy items */
    json_t *se = slab_result_series(f[0], r);
    assert_non_null(se);
    const json_t *cl = json_object_get(se, "close");
    double got[8];
    assert_int_equal(json_array_size(cl), 8);
    for (size_t i = 0; i < 8; i++) {
        const json_t *c = json_array_get(cl, i);
        assert_true(json_is_null(c) || json_is_number(c));
        got[i] = json_is_null(c) ? NAN : json_number_value(c);
    }
    expect_closes(got, 8);
    slab_result_lists lists = {f[0], r};
    slab_json_lazy lazy[3];
    json_t *se2 = slab_result_series_lazy(&lists, lazy);
    assert_non_null(se2);
    for (size_t i = 0; i < 8; i++) {
        json_t *c = lazy[1].item(lazy[1].user, i);
        got[i] = json_is_null(c) ? NAN : json_number_value(c);
        json_decref(c);
    }
    expect_closes(got, 8);
    json_decref(se2);

    /* the report reads it back: from the tree, and from a file read apart */
    json_object_set_new(doc, "series", se);
    char *html = NULL;
    size_t len = 0;
    assert_int_equal(slab_report_html(doc, NULL, SLAB_LANG_EN, &html, &len, &err), SLAB_OK);
    slab_free(html);
    char path[512];
    snprintf(path, sizeof path, "%s/feeds_report.json", slab_test_tmpdir());
    assert_int_equal(json_dump_file(doc, path, JSON_COMPACT), 0);
    json_t *back = NULL;
    slab_series *ser = NULL;
    assert_int_equal(slab_result_load(path, &back, &ser, &err), SLAB_OK);
    assert_non_null(ser);
    expect_closes(ser->close, ser->n);
    assert_int_equal(slab_report_html(back, ser, SLAB_LANG_EN, &html, &len, &err), SLAB_OK);
    slab_free(html);
    remove(path);

    slab_series_free(ser);
    json_decref(back);
    json_decref(doc);
    slab_run_free(r);
    slab_bars_free(f[0]);
    slab_bars_free(f[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(feeds_report_traded_close)};
    return cmocka_run_group_tests_name("feeds_report", tests, NULL, NULL);
}
