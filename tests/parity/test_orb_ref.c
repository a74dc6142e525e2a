/* test_orb_ref.c: the built-in orb against ../shared/reference/orb/, a
 * backtrader 1.9.78 run of the same default rules on two synthetic feeds
 * (ACME traded, IDX the market filter with 3 bars deleted; the README
 * there says how it was made). Both runs (market_filter=IDX, and no
 * filter) must agree with backtrader bit for bit (the issue asks 1e-9;
 * every number is exact today, so the test is) in every closed trade,
 * every order event, the cash and value at every clock step, the final
 * state and every analyzer value; each session's record
 * (range, breakout bar, filter values, decision, entry status) must be
 * the reference's. Also: the no-filter run with IDX loaded but unused is
 * bit-identical to the run on ACME alone. Reference values are read from
 * ../shared at test time, never copied. */
#include "bt_compare.h"
#include "json_compare.h"
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct orb_case {
    const char *name;   /* reference/orb/<name>.json, _equity.csv, _days.json */
    const char *filter; /* the market_filter parameter, or NULL */
} orb_case;

static const orb_case cases[] = {
    {"orb_acme_filter", "market_filter=IDX"},
    {"orb_acme_nofilter", NULL},
};

typedef struct fixture {
    const orb_case *row;
    json_t *ref;
    slab_run *run;
    bt_cmp c; /* the comparison's differences */
} fixture;

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}
static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* "HH:MM" of a bar time, as the reference's days list writes it; NULL for 0. */
static const char *fmt_tod(int64_t ts, char *buf)
{
    if (!ts)
        return NULL;
    int64_t s = (ts - slab_ts_day(ts) * SLAB_NS_PER_DAY) / SLAB_NS_PER_SEC;
    snprintf(buf, 16, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
    return buf;
}

static slab_bars *load(const char *file, const char *symbol)
{
    char path[1024], rel[256];
    slab_error err;
    slab_bars *b = NULL;
    snprintf(rel, sizeof rel, "reference/orb/%s", file);
    if (slab_csv_load(slab_test_ref(rel, path, sizeof path), NULL, &b, NULL, &err) != SLAB_OK)
        fail_msg("load %s: %s: %s", file, err.where, err.msg);
    assert_int_equal(slab_timeframe_parse("1m", &b->timeframe, &b->compression, &err), SLAB_OK);
    snprintf(b->symbol, sizeof b->symbol, "%s", symbol);
    return b;
}

/* Runs orb on feeds[0 .. n) with the case's filter and the reference's
 * broker settings. */
static slab_run *run_orb(const orb_case *row, json_t *meta, slab_bars **feeds, size_t n)
{
    slab_error err;
    slab_run *run = NULL;
    const slab_strategy_def *def = slab_strategy_find("orb", &err);
    const char *kv[1] = {row->filter};
    double params[16];
    assert_non_null(def);
    if (slab_strategy_resolve_params(def, kv, row->filter ? 1 : 0, params, &err) != SLAB_OK)
        fail_msg("%s: params: %s", row->name, err.msg);
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = num(meta, "cash");
    cfg.broker.commission = num(meta, "commission");
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95.0;
    cfg.strategy = def;
    cfg.params = params;
    cfg.param_text = kv;
    cfg.n_param_text = row->filter ? 1 : 0;
    cfg.stop_after_bar = -1;
    if (slab_engine_run_feeds((const slab_bars *const *)feeds, n, &cfg, NULL, &run, &err) !=
        SLAB_OK)
        fail_msg("%s: run: %s", row->name, err.msg);
    return run;
}

/* A price field of a day: null in the reference is NaN here. */
static void expect_day_num(fixture *fx, const char *what, long i, double got, json_t *w)
{
    if (json_is_null(w) && isnan(got))
        return;
    bt_expect(&fx->c, what, i, got, json_is_null(w) ? NAN : json_number_value(w));
}

/* The result document's `days` is the reference's days list, value for
 * value (the same keys, times as HH:MM, null for none). */
static void compare_days_json(fixture *fx, json_t *days, const slab_bars *bars)
{
    slab_error err;
    slab_broker_config broker;
    char msg[4096] = "";
    slab_broker_config_default(&broker);
    slab_result_info info = {.strategy = "orb", .source = "builtin", .broker = &broker};
    json_t *doc = slab_result_document(bars, fx->run, &info, &err);
    assert_non_null(doc);
    int d = slab_json_compare(json_object_get(doc, "days"), days, "days", 0.0, 0.0, msg,
                              sizeof msg);
    if (d) {
        fx->c.failures += d;
        print_message("%s: %d difference(s) in the document's days:\n%s", fx->row->name, d, msg);
    }
    json_decref(doc);
}

static void compare_days(fixture *fx, const slab_bars *bars)
{
    char path[1024], rel[256], buf[16], date[40];
    snprintf(rel, sizeof rel, "reference/orb/%s_days.json", fx->row->name);
    json_t *doc = json_load_file(slab_test_ref(rel, path, sizeof path), 0, NULL);
    json_t *days = json_object_get(doc, "days");
    assert_non_null(days);
    if (json_array_size(days) != fx->run->n_days) {
        fx->c.failures++;
        print_message("%s: %zu sessions, reference has %zu\n", fx->row->name, fx->run->n_days,
                      json_array_size(days));
    }
    for (size_t k = 0; k < fx->run->n_days && k < json_array_size(days); k++) {
        const slab_day_record *d = &fx->run->days[k];
        json_t *w = json_array_get(days, k);
        long i = (long)k;
        slab_time_format(d->day * SLAB_NS_PER_DAY, 1, date, sizeof date);
        bt_expect_str(&fx->c, "day.date", i, date, str(w, "date"));
        bt_expect(&fx->c, "day.range_high", i, d->range_high, num(w, "range_high"));
        bt_expect(&fx->c, "day.range_low", i, d->range_low, num(w, "range_low"));
        bt_expect_str(&fx->c, "day.breakout_time", i, fmt_tod(d->breakout_ts_ns, buf),
                   str(w, "breakout_time"));
        bt_expect_str(&fx->c, "day.decision", i, slab_day_decision_name(d->decision), str(w, "decision"));
        bt_expect_str(&fx->c, "day.entry_status", i,
                   d->entry_status > 0 ? slab_order_status_name(d->entry_status) : NULL,
                   str(w, "entry_status"));
        /* without a filter the second feed's values are recorded all the
         * same (read, not acted on), as the reference does */
        expect_day_num(fx, "day.filter_close", i, d->filter_close,
                       json_object_get(w, "filter_close"));
        expect_day_num(fx, "day.filter_prev_close", i, d->filter_prev_close,
                       json_object_get(w, "filter_prev_close"));
        bt_expect_str(&fx->c, "day.filter_bar_time", i, fmt_tod(d->filter_ts_ns, buf),
                   str(w, "filter_bar_time"));
    }
    compare_days_json(fx, days, bars);
    json_decref(doc);
}

static void run_case(void **state)
{
    const orb_case *row = *state;
    char path[1024], rel[256];
    fixture fx = {row, NULL, NULL, {row->name, 0, 0}};
    SLAB_REQUIRE_SHARED();

    snprintf(rel, sizeof rel, "reference/orb/%s.json", row->name);
    fx.ref = json_load_file(slab_test_ref(rel, path, sizeof path), 0, NULL);
    assert_non_null(fx.ref);
    json_t *meta = json_object_get(fx.ref, "meta");
    slab_bars *feeds[2] = {load("acme_1m.csv", "ACME"), load("idx_1m.csv", "IDX")};
    assert_int_equal(feeds[0]->n, (size_t)num(meta, "bars"));
    assert_int_equal(feeds[1]->n, (size_t)num(meta, "bars1"));
    fx.run = run_orb(row, meta, feeds, 2);

    bt_compare_final(&fx.c, fx.ref, fx.run);
    snprintf(rel, sizeof rel, "reference/orb/%s_equity.csv", row->name);
    bt_compare_equity(&fx.c, rel, fx.run);
    bt_compare_trades(&fx.c, fx.ref, fx.run, "ACME");
    bt_compare_orders(&fx.c, fx.ref, fx.run);
    bt_compare_analyzers(&fx.c, fx.ref, fx.run);
    compare_days(&fx, feeds[0]);

    int failures = fx.c.failures;
    json_decref(fx.ref);
    slab_run_free(fx.run);
    slab_bars_free(feeds[0]);
    slab_bars_free(feeds[1]);
    if (failures)
        fail_msg("%s: %d difference(s) from backtrader", row->name, failures);
}

/* Without a filter, IDX is loaded but unused: the run on ACME and IDX
 * (their union clock is ACME's, as IDX only lacks bars) is the run on
 * ACME alone, bit for bit, in values, trades and orders. */
static void unused_feed_changes_nothing(void **state)
{
    char path[1024];
    (void)state;
    SLAB_REQUIRE_SHARED();
    json_t *ref = json_load_file(
        slab_test_ref("reference/orb/orb_acme_nofilter.json", path, sizeof path), 0, NULL);
    assert_non_null(ref);
    json_t *meta = json_object_get(ref, "meta");
    slab_bars *feeds[2] = {load("acme_1m.csv", "ACME"), load("idx_1m.csv", "IDX")};
    slab_run *two = run_orb(&cases[1], meta, feeds, 2), *one = run_orb(&cases[1], meta, feeds, 1);
    assert_int_equal(two->n_bars, one->n_bars);
    for (size_t i = 0; i < one->n_bars; i++) {
        if (!slab_test_same(two->value[i], one->value[i]) ||
            !slab_test_same(two->cash[i], one->cash[i]))
            fail_msg("step %zu: value %.17g vs %.17g", i, two->value[i], one->value[i]);
    }
    assert_int_equal(two->n_trades, one->n_trades);
    assert_int_equal(two->n_orders, one->n_orders);
    assert_true(two->n_trades > 0);
    for (size_t k = 0; k < one->n_trades; k++) {
        const slab_trade *a = &two->trades[k], *b = &one->trades[k];
        assert_true(a->entry_ts_ns == b->entry_ts_ns && a->exit_ts_ns == b->exit_ts_ns);
        assert_true(a->exit_reason == b->exit_reason && a->barlen == b->barlen);
        assert_true(slab_test_same(a->entry_price, b->entry_price) &&
                    slab_test_same(a->exit_price, b->exit_price) &&
                    slab_test_same(a->size, b->size) && slab_test_same(a->pnlcomm, b->pnlcomm) &&
                    slab_test_same(a->max_gain, b->max_gain));
    }
    for (size_t k = 0; k < one->n_orders; k++) {
        const slab_order_event *a = &two->orders[k], *b = &one->orders[k];
        assert_true(a->status == b->status && a->type == b->type);
        assert_true(a->created_ts_ns == b->created_ts_ns && a->exec_ts_ns == b->exec_ts_ns);
        assert_true(slab_test_same(a->exec_price, b->exec_price) &&
                    slab_test_same(a->exec_size, b->exec_size) &&
                    slab_test_same(a->exec_comm, b->exec_comm));
    }
    slab_run_free(one);
    slab_run_free(two);
    slab_bars_free(feeds[0]);
    slab_bars_free(feeds[1]);
    json_decref(ref);
}

int main(void)
{
    struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(run_case, (void *)&cases[0]),
        cmocka_unit_test_prestate(run_case, (void *)&cases[1]),
        cmocka_unit_test(unused_feed_changes_nothing),
    };
    tests[0].name = cases[0].name;
    tests[1].name = cases[1].name;
    return cmocka_run_group_tests_name("orb_ref", tests, NULL, NULL);
}
