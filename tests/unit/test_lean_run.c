/* test_lean_run.c: a run that keeps less memory (skip_order_log: the
 * broker drops finished orders, keeping only the refused and rejected
 * ones) gives the same run and the same result document as one that keeps
 * the whole order log: every value, every trade, every refused or rejected
 * order record, the order count, the document without the order log and
 * its summary. Built-ins over daily and 5-minute sample bars, with the
 * risk manager's OCO exits, trailing stops and cash refusals. And a
 * document whose trade and order lists are made while it is written
 * (lists_later, slab_result_series_lazy, slab_json_dumpf_lazy) is the
 * same bytes as the whole tree written (slab_json_dumps), lists capped,
 * whole, empty or absent, with and without the per-bar series. And
 * finished orders moved out of the broker's live array (bracket children
 * included) still refuse a new order naming them, with the same reasons. */
#include "slab_test.h"
#include "stratlab/broker.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/json.h"
#include "stratlab/report.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lean_case {
    const char *strategy;
    const char *kv[4]; /* strategy parameters */
    int n_kv;
    const char *sizer; /* "fixed:N" or "percent:N" */
} lean_case;

static const lean_case cases[] = {
    {"sma_cross", {"fast=5", "slow=20"}, 2, "percent:95"},
    {"sma_cross", {"fast=3", "slow=8", "stop_loss_pct=1", "take_profit_pct=2"}, 4, "percent:95"},
    {"sma_cross", {"fast=3", "slow=8", "trail_pct=1.5"}, 3, "percent:95"},
    {"sma_cross", {"fast=4", "slow=9"}, 2, "fixed:700"},    /* some entries refused */
    {"sma_cross", {"fast=4", "slow=9"}, 2, "fixed:100000"}, /* every entry refused */
    {"rsi_reversion", {"period=10", "time_exit_bars=5"}, 2, "percent:95"},
    {"macd_trail", {NULL}, 0, "percent:95"},
    {"bbands_reversion", {NULL}, 0, "fixed:10"},
};

/* Orders the lean runs dropped and kept, over a group of cases. */
static size_t seen_dropped, seen_kept;

static slab_run *run_one(const slab_bars *bars, const lean_case *c, const double *params,
                         int skip_order_log)
{
    slab_error err;
    slab_run_config cfg;
    slab_run *run = NULL;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000;
    cfg.broker.commission = 0.001;
    assert_int_equal(slab_sizer_parse(c->sizer, &cfg.broker.sizer, &err), SLAB_OK);
    cfg.strategy = slab_strategy_find(c->strategy, &err);
    cfg.params = params;
    cfg.stop_after_bar = -1;
    cfg.skip_order_log = skip_order_log;
    if (slab_engine_run(bars, &cfg, &run, &err) != SLAB_OK)
        fail_msg("%s: %s", c->strategy, err.msg);
    return run;
}

static json_t *doc_of(const slab_bars *bars, const slab_run *run, const lean_case *c,
                      const double *params)
{
    slab_error err;
    slab_broker_config broker;
    slab_broker_config_default(&broker);
    const slab_strategy_def *def = slab_strategy_find(c->strategy, &err);
    slab_result_info info = {def->name, "builtin", def, params, &broker, 0.0, 0, -1, 0, 0};
    json_t *doc = slab_result_json(bars, run, &info, &err);
    if (!doc)
        fail_msg("%s: %s", c->strategy, err.msg);
    return doc;
}

static void check_case(const slab_bars *bars, const lean_case *c)
{
    slab_error err;
    double params[16];
    const slab_strategy_def *def = slab_strategy_find(c->strategy, &err);
    assert_non_null(def);
    assert_int_equal(slab_strategy_resolve_params(def, c->kv, (size_t)c->n_kv, params, &err),
                     SLAB_OK);
    slab_run *full = run_one(bars, c, params, 0), *lean = run_one(bars, c, params, 1);
    assert_int_equal(full->n_orders_dropped, 0);
    assert_int_equal(lean->n_orders + lean->n_orders_dropped, full->n_orders);
    assert_int_equal(lean->n_bars, full->n_bars);
    assert_memory_equal(lean->value, full->value, full->n_bars * sizeof(double));
    assert_int_equal(lean->n_trades, full->n_trades);
    if (full->n_trades)
        assert_memory_equal(lean->trades, full->trades, full->n_trades * sizeof(slab_trade));
    /* the lean log is the full one's refused and rejected orders */
    size_t k = 0;
    for (size_t i = 0; i < full->n_orders; i++) {
        const slab_order_event *e = &full->orders[i];
        if (e->status != SLAB_ORDER_MARGIN && e->status != SLAB_ORDER_REJECTED)
            continue;
        if (k >= lean->n_orders)
            fail_msg("%s: order %lld missing from the lean log", c->strategy, (long long)e->ref);
        assert_memory_equal(&lean->orders[k], e, sizeof *e);
        k++;
    }
    assert_int_equal(k, lean->n_orders);
    seen_dropped += lean->n_orders_dropped;
    seen_kept += lean->n_orders;
    json_t *a = doc_of(bars, full, c, params), *b = doc_of(bars, lean, c, params);
    /* the timings (engine_ms) are the only part that may differ */
    json_object_del(a, "execution");
    json_object_del(b, "execution");
    char *ta = json_dumps(a, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    char *tb = json_dumps(b, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (strcmp(ta, tb))
        fail_msg("%s (%s): the documents differ", c->strategy, c->sizer);
    free(ta);
    free(tb);
    json_decref(a);
    json_decref(b);
    slab_run_free(full);
    slab_run_free(lean);
}

static void on_bars(slab_timeframe tf, int comp, size_t n)
{
    slab_bars *bars = NULL;
    slab_error err;
    assert_int_equal(
        slab_sample_generate(11, n, tf, comp, slab_days_from_civil(2015, 1, 5), &bars, &err),
        SLAB_OK);
    seen_dropped = seen_kept = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        check_case(bars, &cases[k]);
    /* the cases reach both paths: orders dropped, refused ones kept */
    assert_true(seen_dropped > 0);
    assert_true(seen_kept > 0);
    slab_bars_free(bars);
}

static void test_lean_daily(void **state)
{
    (void)state;
    on_bars(SLAB_TF_DAYS, 1, 2500);
}

static void test_lean_intraday(void **state)
{
    (void)state;
    on_bars(SLAB_TF_MINUTES, 5, 20000);
}

/* The document of run written whole and streamed (lists_later), compared
 * byte for byte; max_trades and include_orders as given. */
static void check_streamed(const slab_bars *bars, const slab_run *run, const lean_case *c,
                           const double *params, long max_trades, int orders)
{
    slab_error err;
    slab_broker_config broker;
    slab_broker_config_default(&broker);
    const slab_strategy_def *def = slab_strategy_find(c->strategy, &err);
    slab_result_info info = {def->name, "builtin", def,        params, &broker,
                             0.0,       orders,    max_trades, 0,      0};
    json_t *whole = slab_result_json(bars, run, &info, &err);
    info.lists_later = 1;
    json_t *lazy_doc = slab_result_json(bars, run, &info, &err);
    assert_non_null(whole);
    assert_non_null(lazy_doc);
    /* the same timings in both, so only the lists can differ */
    json_object_set_new(whole, "execution", json_null());
    json_object_set_new(lazy_doc, "execution", json_null());
    slab_result_lists lists = {bars, run};
    slab_json_lazy lz[5];
    size_t n_lz = slab_result_lazy(lazy_doc, &info, &lists, lz);
    assert_int_equal(n_lz, orders ? 2 : 1);
    if (orders) { /* with the per-bar series too, as run --series adds it */
        json_object_set_new(whole, "series", slab_result_series(bars, run));
        json_object_set_new(lazy_doc, "series", slab_result_series_lazy(&lists, lz + n_lz));
        n_lz += 3;
    }
    char *want = slab_json_dumps(whole, JSON_INDENT(1));
    char *got = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&got, &len);
    assert_int_equal(slab_json_dumpf_lazy(lazy_doc, f, JSON_INDENT(1), lz, n_lz), 0);
    fclose(f);
    assert_non_null(want);
    if (strlen(want) != len || memcmp(want, got, len))
        fail_msg("%s, max_trades %ld, orders %d: streamed %zu bytes, whole %zu", c->strategy,
                 max_trades, orders, len, strlen(want));
    free(got);
    slab_free(want);
    json_decref(whole);
    json_decref(lazy_doc);
}

static void test_streamed_document_same_bytes(void **state)
{
    (void)state;
    slab_bars *bars = NULL;
    slab_error err;
    double params[16];
    assert_int_equal(slab_sample_generate(5, 20000, SLAB_TF_MINUTES, 1,
                                          slab_days_from_civil(2019, 6, 3), &bars, &err),
                     SLAB_OK);
    static const long caps[] = {-1, 0, 3, 1000000};
    for (size_t k = 0; k < 4; k++) { /* sma_cross, stops, trail, refusals */
        const lean_case *c = &cases[k];
        const slab_strategy_def *def = slab_strategy_find(c->strategy, &err);
        assert_int_equal(slab_strategy_resolve_params(def, c->kv, (size_t)c->n_kv, params, &err),
                         SLAB_OK);
        slab_run *run = run_one(bars, c, params, 0);
        assert_true(run->n_trades > 100); /* over 64 KiB of text: written in pieces */
        for (size_t m = 0; m < 4; m++)
            for (int orders = 0; orders < 2; orders++)
                check_streamed(bars, run, c, params, caps[m], orders);
        slab_run_free(run);
    }
    slab_bars_free(bars);
}

/* Bar i of a one-feed test: prices o, h, l, c, stamped at day i + 1. */
static slab_feed_bar bar_at(size_t i, double o, double h, double l, double c)
{
    slab_feed_bar x = {i, (int64_t)(i + 1) * 86400 * 1000000000LL, o, h, l, c, 1};
    return x;
}

static int64_t send(slab_broker *b, const slab_feed_bar *x, int type, double size, double price,
                    int64_t parent, int transmit, int64_t oco)
{
    slab_error err;
    slab_order_req r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.is_buy = size > 0.0;
    r.size = size;
    r.price = price;
    r.parent = parent;
    r.transmit = transmit;
    r.oco = oco;
    return slab_broker_order(b, x, &r, &err);
}

/* Finished orders leave the broker's live array (into its log of events,
 * or with drop_finished out altogether): a later order naming one as
 * parent or OCO partner is refused with the same reason as while it was
 * there, and with the whole log kept every record still answers. */
static void test_moved_orders_answer_as_before(void **state)
{
    (void)state;
    for (int drop = 0; drop < 2; drop++) {
        slab_broker_config cfg;
        slab_broker *b = NULL;
        slab_error err;
        slab_broker_config_default(&cfg);
        assert_int_equal(slab_broker_new(&cfg, 1, &b, &err), SLAB_OK);
        slab_broker_drop_finished(b, drop);
        slab_feed_bar x0 = bar_at(0, 100, 101, 99, 100), x1 = bar_at(1, 100, 101, 99, 100);
        slab_feed_bar x2 = bar_at(2, 100, 106, 99.5, 104);
        assert_int_equal(send(b, &x0, SLAB_ORDER_MARKET, 1, 0, 0, 0, 0), 1); /* plain */
        assert_int_equal(send(b, &x0, SLAB_ORDER_MARKET, 1, 0, 0, 0, 0), 2); /* parent */
        assert_int_equal(send(b, &x0, SLAB_ORDER_STOP, -1, 90, 2, 0, 0), 3);
        assert_int_equal(send(b, &x0, SLAB_ORDER_LIMIT, -1, 105, 2, 1, 0), 4);
        assert_int_equal(slab_broker_step(b, &x1, &err), SLAB_OK); /* 1, 2 fill */
        assert_int_equal(slab_broker_step(b, &x2, &err), SLAB_OK); /* 4 fills, 3 cancelled */
        assert_false(slab_broker_alive(b, 3) || slab_broker_alive(b, 4));
        struct {
            int64_t parent, oco;
            const char *reason;
        } refused[] = {{3, 0, "bracket parent 3 is itself a child"},
                       {1, 0, "bracket parent 1 is Completed"},
                       {0, 4, "oco order 4 is not in flight"}};
        for (int64_t k = 0; k < 3; k++) {
            int64_t ref =
                send(b, &x2, SLAB_ORDER_LIMIT, 1, 95, refused[k].parent, 1, refused[k].oco);
            assert_int_equal(ref, 5 + k);
            assert_int_equal(slab_broker_event(b, ref)->status, SLAB_ORDER_REJECTED);
            assert_string_equal(slab_broker_event(b, ref)->reason, refused[k].reason);
        }
        if (drop) {
            assert_null(slab_broker_event(b, 3));
        } else {
            assert_int_equal(slab_broker_event(b, 1)->status, SLAB_ORDER_COMPLETED);
            assert_int_equal(slab_broker_event(b, 3)->status, SLAB_ORDER_CANCELED);
            assert_int_equal(slab_broker_event(b, 4)->status, SLAB_ORDER_COMPLETED);
            assert_true(slab_broker_event(b, 4)->exec_price == 105.0);
        }
        slab_broker_free(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lean_daily),
        cmocka_unit_test(test_lean_intraday),
        cmocka_unit_test(test_streamed_document_same_bytes),
        cmocka_unit_test(test_moved_orders_answer_as_before),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
