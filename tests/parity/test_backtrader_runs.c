/* test_backtrader_runs.c: the acceptance test of the engine. Each of the
 * 17 reference runs in ../shared/reference/backtrader/ (slab_refs_bt_runs;
 * the table below must name each exactly once, and a missing file fails)
 * is run again, and every closed trade, every order event, the value and
 * cash at every bar, the final state and every analyzer value must be
 * bit-identical to backtrader's (measured: all are, on every bar of every
 * run; the reference files are written with repr, so they round-trip).
 * The reference values are read from ../shared at test time, never copied. */
#include "json_compare.h"
#include "slab_refs.h"
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exact: slab_json_compare with 0, 0 compares the doubles bit for bit. */
#define REL 0.0
#define ABS 0.0

typedef struct parity_run {
    const char *name;     /* reference/backtrader/<name>.json */
    const char *file;     /* data/<file> */
    int yahoo_adjust;     /* backtrader YahooFinanceCSVData defaults */
    const char *timeframe; /* "1d" or "5m" */
    const char *strategy;
    slab_sizer_kind sizer;
    const char *params;   /* one "name=value" for the strategy, or NULL */
} parity_run;

static const parity_run runs[] = {
    {"smacross_orcl", "orcl-1995-2014.txt", 0, "1d", "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"smacross_orcl_int", "orcl-1995-2014.txt", 0, "1d", "sma_cross", SLAB_SIZER_PERCENT_INT, NULL},
    {"smacross_orcl_yahooadj", "orcl-1995-2014.txt", 1, "1d", "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"smacross_day2006", "2006-day-001.txt", 0, "1d", "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"smacross_min5", "2006-min-005.txt", 0, "5m", "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"rsi_orcl", "orcl-1995-2014.txt", 0, "1d", "rsi_reversion", SLAB_SIZER_PERCENT, NULL},
    {"rsi_day2006", "2006-day-001.txt", 0, "1d", "rsi_reversion", SLAB_SIZER_PERCENT, NULL},
    {"rsi_min5", "2006-min-005.txt", 0, "5m", "rsi_reversion", SLAB_SIZER_PERCENT, NULL},
    {"bbands_orcl", "orcl-1995-2014.txt", 0, "1d", "bbands_reversion", SLAB_SIZER_PERCENT, NULL},
    {"bbands_day2006", "2006-day-001.txt", 0, "1d", "bbands_reversion", SLAB_SIZER_PERCENT, NULL},
    {"bbands_min5", "2006-min-005.txt", 0, "5m", "bbands_reversion", SLAB_SIZER_PERCENT, NULL},
    {"buyhold_orcl", "orcl-1995-2014.txt", 0, "1d", "buy_hold", SLAB_SIZER_PERCENT, NULL},
    {"buyhold_day2006", "2006-day-001.txt", 0, "1d", "buy_hold", SLAB_SIZER_PERCENT, NULL},
    {"buyhold_min5", "2006-min-005.txt", 0, "5m", "buy_hold", SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_orcl", "orcl-1995-2014.txt", 0, "1d", "macd_trail", SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_day2006", "2006-day-001.txt", 0, "1d", "macd_trail", SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_min5", "2006-min-005.txt", 0, "5m", "macd_trail", SLAB_SIZER_PERCENT,
     "trail_pct=0.5"},
};

/* Everything one comparison needs. */
typedef struct fixture {
    const parity_run *row;
    json_t *ref;
    slab_bars *bars;
    slab_run *run;
    int daily;
    int failures;
} fixture;

static void expect(fixture *fx, const char *what, long i, double got, double want)
{
    if (slab_test_same(got, want))
        return;
    if (fx->failures++ < 10)
        print_message("%s: %s[%ld]: got %.17g, want %.17g\n", fx->row->name, what, i, got, want);
}

static void expect_str(fixture *fx, const char *what, long i, const char *got, const char *want)
{
    if (want && got && !strcmp(got, want))
        return;
    if (fx->failures++ < 10)
        print_message("%s: %s[%ld]: got %s, want %s\n", fx->row->name, what, i, got ? got : "(null)",
                      want ? want : "(null)");
}

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }
static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static const char *fmt_ts(const fixture *fx, int64_t ts, char *buf)
{
    return slab_time_format(ts, fx->daily, buf, 40);
}

static void compare_equity(fixture *fx)
{
    char path[1024], rel[256], line[512], ts[40];
    snprintf(rel, sizeof rel, "reference/backtrader/%s_equity.csv", fx->row->name);
    FILE *f = fopen(slab_test_ref(rel, path, sizeof path), "r");
    long i = 0, exact = 0;
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        assert_non_null(c2);
        *c1 = '\0';
        if ((size_t)i >= fx->run->n_bars) {
            fx->failures++;
            print_message("%s: equity has more rows than bars run\n", fx->row->name);
            break;
        }
        expect_str(fx, "equity.datetime", i, fmt_ts(fx, fx->bars->ts_ns[i], ts), line);
        double cash = strtod(c1 + 1, NULL), value = strtod(c2 + 1, NULL);
        expect(fx, "equity.cash", i, fx->run->cash[i], cash);
        expect(fx, "equity.value", i, fx->run->value[i], value);
        exact += fx->run->value[i] == value && fx->run->cash[i] == cash;
        i++;
    }
    fclose(f);
    if ((size_t)i != fx->run->n_bars) {
        fx->failures++;
        print_message("%s: %ld equity rows, %zu bars run\n", fx->row->name, i, fx->run->n_bars);
    }
    print_message("%s: %ld bars, %ld bit-identical in cash and value\n", fx->row->name, i, exact);
}

static void compare_trades(fixture *fx)
{
    json_t *want = json_object_get(fx->ref, "trades");
    size_t k = 0;
    char ts[40];
    for (size_t t = 0; t < fx->run->n_trades; t++) {
        const slab_trade *tr = &fx->run->trades[t];
        if (tr->is_open)
            continue;
        json_t *w = json_array_get(want, k);
        if (!w) {
            fx->failures++;
            print_message("%s: more closed trades than the reference (%zu)\n", fx->row->name,
                          json_array_size(want));
            return;
        }
        expect_str(fx, "trade.entry_dt", (long)k, fmt_ts(fx, tr->entry_ts_ns, ts), str(w, "entry_dt"));
        expect_str(fx, "trade.exit_dt", (long)k, fmt_ts(fx, tr->exit_ts_ns, ts), str(w, "exit_dt"));
        expect(fx, "trade.entry_price", (long)k, tr->entry_price, num(w, "entry_price"));
        expect(fx, "trade.exit_price", (long)k, tr->exit_price, num(w, "exit_price"));
        expect(fx, "trade.size", (long)k, tr->size, num(w, "size"));
        expect(fx, "trade.pnl", (long)k, tr->pnl, num(w, "pnl"));
        expect(fx, "trade.pnlcomm", (long)k, tr->pnlcomm, num(w, "pnlcomm"));
        expect(fx, "trade.commission", (long)k, tr->commission, num(w, "commission"));
        expect(fx, "trade.barlen", (long)k, (double)tr->barlen, num(w, "barlen"));
        expect(fx, "trade.baropen", (long)k, (double)tr->baropen, num(w, "baropen"));
        expect(fx, "trade.barclose", (long)k, (double)tr->barclose, num(w, "barclose"));
        k++;
    }
    if (k != json_array_size(want)) {
        fx->failures++;
        print_message("%s: %zu closed trades, reference has %zu\n", fx->row->name, k,
                      json_array_size(want));
    }
}

/* Orders still in flight at the end (created on the last bar, or a stop
 * never triggered) have no event in backtrader's log. */
static int in_flight(const slab_order_event *e)
{
    return e->status == SLAB_ORDER_SUBMITTED || e->status == SLAB_ORDER_ACCEPTED ||
           e->status == SLAB_ORDER_PARTIAL;
}

static void compare_orders(fixture *fx)
{
    json_t *want = json_object_get(fx->ref, "orders");
    char ts[40];
    size_t k = 0;
    for (size_t i = 0; i < fx->run->n_orders; i++) {
        const slab_order_event *e = &fx->run->orders[i];
        if (in_flight(e))
            continue;
        json_t *w = json_array_get(want, k++);
        if (!w) {
            fx->failures++;
            print_message("%s: more order events than the reference\n", fx->row->name);
            return;
        }
        expect_str(fx, "order.side", (long)i, e->is_buy ? "buy" : "sell", str(w, "side"));
        expect_str(fx, "order.status", (long)i, slab_order_status_name(e->status), str(w, "status"));
        expect_str(fx, "order.created_dt", (long)i, fmt_ts(fx, e->created_ts_ns, ts),
                   str(w, "created_dt"));
        expect(fx, "order.created_price", (long)i, e->created_price, num(w, "created_price"));
        expect(fx, "order.created_size", (long)i, e->created_size, num(w, "created_size"));
        if (e->status == SLAB_ORDER_MARGIN) {
            expect_str(fx, "order.bar_dt", (long)i, fmt_ts(fx, e->status_ts_ns, ts), str(w, "bar_dt"));
            continue;
        }
        expect_str(fx, "order.exec_dt", (long)i, fmt_ts(fx, e->exec_ts_ns, ts), str(w, "exec_dt"));
        expect(fx, "order.exec_price", (long)i, e->exec_price, num(w, "exec_price"));
        expect(fx, "order.exec_price_avg", (long)i, e->exec_price_avg, num(w, "exec_price_avg"));
        expect(fx, "order.exec_size", (long)i, e->exec_size, num(w, "exec_size"));
        expect(fx, "order.exec_value", (long)i, e->exec_value, num(w, "exec_value"));
        expect(fx, "order.exec_comm", (long)i, e->exec_comm, num(w, "exec_comm"));
        expect(fx, "order.exec_pnl", (long)i, e->exec_pnl, num(w, "exec_pnl"));
    }
    size_t logged = 0;
    for (size_t i = 0; i < fx->run->n_orders; i++)
        logged += !in_flight(&fx->run->orders[i]);
    if (logged != json_array_size(want)) {
        fx->failures++;
        print_message("%s: %zu order events, reference has %zu\n", fx->row->name, logged,
                      json_array_size(want));
    }
}

static void compare_analyzers(fixture *fx)
{
    slab_error err;
    slab_equity eq = slab_run_equity(fx->run);
    json_t *got = slab_analyzers_json(&eq, fx->run->trades, fx->run->n_trades, &err);
    json_t *want = json_object_get(fx->ref, "analyzers");
    char msg[4096] = "";
    assert_non_null(got);
    int d = slab_json_compare(got, want, "analyzers", REL, ABS, msg, sizeof msg);
    if (d) {
        fx->failures += d;
        print_message("%s: %d analyzer difference(s):\n%s", fx->row->name, d, msg);
    }
    json_decref(got);
}

static void run_one(void **state)
{
    const parity_run *row = *state;
    char path[1024], rel[256];
    slab_error err;
    fixture fx = {row, NULL, NULL, NULL, 0, 0};
    SLAB_REQUIRE_SHARED();

    snprintf(rel, sizeof rel, "reference/backtrader/%s.json", row->name);
    fx.ref = json_load_file(slab_test_ref(rel, path, sizeof path), 0, NULL);
    assert_non_null(fx.ref);
    slab_csv_options opt = {0};
    opt.yahoo_adjust = row->yahoo_adjust;
    snprintf(rel, sizeof rel, "data/%s", row->file);
    if (slab_csv_load(slab_test_ref(rel, path, sizeof path), &opt, &fx.bars, NULL, &err) !=
        SLAB_OK)
        fail_msg("%s: load: %s: %s", row->name, err.where, err.msg);
    assert_int_equal(slab_timeframe_parse(row->timeframe, &fx.bars->timeframe,
                                          &fx.bars->compression, &err),
                     SLAB_OK);
    fx.daily = fx.bars->timeframe >= SLAB_TF_DAYS;

    json_t *meta = json_object_get(fx.ref, "meta");
    const slab_strategy_def *def = slab_strategy_find(row->strategy, &err);
    assert_non_null(def);
    double params[16];
    const char *kv[1] = {row->params};
    if (slab_strategy_resolve_params(def, kv, row->params ? 1 : 0, params, &err) != SLAB_OK)
        fail_msg("%s: params: %s", row->name, err.msg);
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = num(meta, "cash");
    cfg.broker.commission = num(meta, "commission");
    cfg.broker.sizer.kind = row->sizer;
    cfg.broker.sizer.amount = 95.0;
    cfg.strategy = def;
    cfg.params = params;
    cfg.stop_after_bar = -1;
    if (slab_engine_run(fx.bars, &cfg, &fx.run, &err) != SLAB_OK)
        fail_msg("%s: run: %s", row->name, err.msg);
    assert_int_equal(fx.run->n_bars, (size_t)num(meta, "bars"));
    assert_int_equal(fx.run->minperiod, (long)num(meta, "strategy_minperiod"));

    json_t *fin = json_object_get(fx.ref, "final");
    expect(&fx, "final.value", 0, fx.run->final_value, num(fin, "value"));
    expect(&fx, "final.cash", 0, fx.run->final_cash, num(fin, "cash"));
    expect(&fx, "final.position_size", 0, fx.run->position_size, num(fin, "position_size"));
    expect(&fx, "final.position_price", 0, fx.run->position_price, num(fin, "position_price"));
    compare_equity(&fx);
    compare_trades(&fx);
    compare_orders(&fx);
    compare_analyzers(&fx);

    int failures = fx.failures;
    json_decref(fx.ref);
    slab_run_free(fx.run);
    slab_bars_free(fx.bars);
    if (failures)
        fail_msg("%s: %d difference(s) from backtrader", row->name, failures);
}

#define N_RUNS (sizeof runs / sizeof runs[0])

/* The table above names each reference run of the fixed list once: a run
 * nobody re-runs, or a row for a run that is not a reference, fails. */
static void table_is_the_fixed_list(void **state)
{
    int seen[SLAB_REFS_N_BT_RUNS] = {0}, bad = 0;
    (void)state;
    for (size_t i = 0; i < N_RUNS; i++) {
        int k = slab_refs_find(slab_refs_bt_runs, SLAB_REFS_N_BT_RUNS, runs[i].name);
        if (k < 0 || seen[k]++) {
            print_message("row %s: %s\n", runs[i].name,
                          k < 0 ? "not in slab_refs_bt_runs" : "named twice");
            bad++;
        }
    }
    for (size_t k = 0; k < SLAB_REFS_N_BT_RUNS; k++)
        if (!seen[k]) {
            print_message("reference run %s has no row here\n", slab_refs_bt_runs[k]);
            bad++;
        }
    assert_int_equal(bad, 0);
}

int main(void)
{
    struct CMUnitTest tests[N_RUNS + 1];
    tests[0] = (struct CMUnitTest)cmocka_unit_test(table_is_the_fixed_list);
    for (size_t i = 0; i < N_RUNS; i++) {
        tests[i + 1] = (struct CMUnitTest)cmocka_unit_test_prestate(run_one, (void *)&runs[i]);
        tests[i + 1].name = runs[i].name;
    }
    return _cmocka_run_group_tests("backtrader_runs", tests, N_RUNS + 1, NULL, NULL);
}
