/* test_spec_parity.c: a spec equal to a backtrader parity built-in
 * reproduces backtrader's reference runs (../shared/reference/backtrader/)
 * within 1e-9, exactly as the built-in does: every run of the parity table
 * is run twice, once through the built-in and once through the example
 * spec (examples/specs/, compiled from the library's embedded copy), and
 *   1. the spec run must equal the built-in run bit for bit (the value and
 *      cash after every bar, every trade, every order event, the minimum
 *      period), and
 *   2. the spec run is compared with the reference itself, bit for bit as
 *      the built-ins are (tests/README.md rule 5): the final state, the
 *      value and cash at every bar, every closed trade and every analyzer.
 * The runs are the fixed list slab_refs_bt_runs (all 17); a run this file
 * has no spec for fails. The opening-range breakout spec is checked the
 * same way against ../shared/reference/orb/orb_acme_nofilter (backtrader
 * running the ORB rules on one traded feed). Reference values are read at
 * test time. */
#include "json_compare.h"
#include "slab_refs.h"
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/spec.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parity_run {
    const char *ref;       /* a run of slab_refs_bt_runs (reference/backtrader/<ref>.json),
                              or a path under reference/ */
    const char *file;      /* data file under ../shared/ */
    int yahoo_adjust;
    const char *timeframe;
    const char *builtin;   /* the built-in it mirrors (NULL: none) */
    const char *spec;      /* example spec name */
    slab_sizer_kind sizer;
    const char *param;     /* built-in parameter; for the spec, "trail" rewrites its trailing stop */
} parity_run;

static const parity_run runs[] = {
    {"smacross_orcl", "data/orcl-1995-2014.txt", 0, "1d", "sma_cross", "sma_cross",
     SLAB_SIZER_PERCENT, NULL},
    {"smacross_orcl_int", "data/orcl-1995-2014.txt", 0, "1d", "sma_cross", "sma_cross",
     SLAB_SIZER_PERCENT_INT, NULL},
    {"smacross_orcl_yahooadj", "data/orcl-1995-2014.txt", 1, "1d", "sma_cross",
     "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"smacross_day2006", "data/2006-day-001.txt", 0, "1d", "sma_cross", "sma_cross",
     SLAB_SIZER_PERCENT, NULL},
    {"smacross_min5", "data/2006-min-005.txt", 0, "5m", "sma_cross", "sma_cross",
     SLAB_SIZER_PERCENT, NULL},
    {"rsi_orcl", "data/orcl-1995-2014.txt", 0, "1d", "rsi_reversion", "rsi_reversion",
     SLAB_SIZER_PERCENT, NULL},
    {"rsi_day2006", "data/2006-day-001.txt", 0, "1d", "rsi_reversion", "rsi_reversion",
     SLAB_SIZER_PERCENT, NULL},
    {"rsi_min5", "data/2006-min-005.txt", 0, "5m", "rsi_reversion", "rsi_reversion",
     SLAB_SIZER_PERCENT, NULL},
    {"bbands_orcl", "data/orcl-1995-2014.txt", 0, "1d", "bbands_reversion",
     "bollinger_reversion", SLAB_SIZER_PERCENT, NULL},
    {"bbands_day2006", "data/2006-day-001.txt", 0, "1d", "bbands_reversion",
     "bollinger_reversion", SLAB_SIZER_PERCENT, NULL},
    {"bbands_min5", "data/2006-min-005.txt", 0, "5m", "bbands_reversion",
     "bollinger_reversion", SLAB_SIZER_PERCENT, NULL},
    {"buyhold_orcl", "data/orcl-1995-2014.txt", 0, "1d", "buy_hold", "buy_hold",
     SLAB_SIZER_PERCENT, NULL},
    {"buyhold_day2006", "data/2006-day-001.txt", 0, "1d", "buy_hold", "buy_hold",
     SLAB_SIZER_PERCENT, NULL},
    {"buyhold_min5", "data/2006-min-005.txt", 0, "5m", "buy_hold", "buy_hold",
     SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_orcl", "data/orcl-1995-2014.txt", 0, "1d", "macd_trail",
     "macd_momentum", SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_day2006", "data/2006-day-001.txt", 0, "1d", "macd_trail",
     "macd_momentum", SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_min5", "data/2006-min-005.txt", 0, "5m", "macd_trail", "macd_momentum",
     SLAB_SIZER_PERCENT, "trail_pct=0.5"},
};

/* The ORB rules on one feed: backtrader's run of ../shared/reference/orb. */
static const parity_run orb_run = {"orb/orb_acme_nofilter", "reference/orb/acme_1m.csv", 0, "1m",
                                   NULL, "orb", SLAB_SIZER_PERCENT, NULL};

typedef struct fixture {
    const parity_run *row;
    json_t *ref;
    slab_bars *bars;
    int daily, failures;
} fixture;

static void expect(fixture *fx, const char *what, long i, double got, double want)
{
    if (slab_test_same(got, want))
        return;
    if (fx->failures++ < 10)
        print_message("%s: %s[%ld]: got %.17g, want %.17g\n", fx->row->ref, what, i, got, want);
}

static void expect_str(fixture *fx, const char *what, long i, const char *got, const char *want)
{
    if (got && want && !strcmp(got, want))
        return;
    if (fx->failures++ < 10)
        print_message("%s: %s[%ld]: got %s, want %s\n", fx->row->ref, what, i,
                      got ? got : "(null)", want ? want : "(null)");
}

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }
static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* The example spec, with its trailing stop rewritten to 0.5% for the
 * 5-minute MACD run (the reference uses 0.5% there). */
static slab_spec *compile_spec(const parity_run *row)
{
    const char *text = slab_spec_example(row->spec);
    slab_diags d;
    slab_spec *spec = NULL;
    assert_non_null(text);
    slab_diags_init(&d);
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    if (row->param && !strcmp(row->param, "trail_pct=0.5")) {
        json_t *risk = json_array_get(json_object_get(doc, "risk_management"), 0);
        json_object_set_new(risk, "value", json_string("0.5%"));
    }
    char *t = json_dumps(doc, 0);
    slab_status st = slab_spec_compile(t, strlen(t), &spec, &d);
    if (st != SLAB_OK)
        fail_msg("%s: spec %s does not compile: %s", row->ref, row->spec,
                 d.n ? d.items[0].message : "?");
    free(t);
    json_decref(doc);
    slab_diags_clear(&d);
    return spec;
}

static slab_run_config base_config(const fixture *fx)
{
    slab_run_config cfg;
    json_t *meta = json_object_get(fx->ref, "meta");
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = num(meta, "cash");
    cfg.broker.commission = num(meta, "commission");
    cfg.broker.sizer.kind = fx->row->sizer;
    cfg.broker.sizer.amount = 95.0;
    cfg.stop_after_bar = -1;
    return cfg;
}

/* 1: the spec run equals the built-in run bit for bit. */
static void same_as_builtin(fixture *fx, const slab_run *s)
{
    slab_error err;
    slab_run *b = NULL;
    double params[16];
    const slab_strategy_def *def = slab_strategy_find(fx->row->builtin, &err);
    const char *kv[1] = {fx->row->param};
    assert_non_null(def);
    assert_int_equal(slab_strategy_resolve_params(def, kv, fx->row->param ? 1 : 0, params, &err),
                     SLAB_OK);
    slab_run_config cfg = base_config(fx);
    cfg.strategy = def;
    cfg.params = params;
    if (slab_engine_run(fx->bars, &cfg, &b, &err) != SLAB_OK)
        fail_msg("%s: built-in run: %s", fx->row->ref, err.msg);
    long diff = -1;
    for (size_t i = 0; i < b->n_bars && diff < 0; i++)
        if (memcmp(&b->value[i], &s->value[i], sizeof(double)) ||
            memcmp(&b->cash[i], &s->cash[i], sizeof(double)))
            diff = (long)i;
    if (diff >= 0)
        fail_msg("%s: spec and built-in differ at bar %ld: value %.17g vs %.17g", fx->row->ref, diff,
                 s->value[diff], b->value[diff]);
    assert_int_equal(s->n_trades, b->n_trades);
    for (size_t k = 0; k < b->n_trades; k++) {
        const slab_trade *x = &s->trades[k], *y = &b->trades[k];
        if (x->entry_ts_ns != y->entry_ts_ns || x->exit_ts_ns != y->exit_ts_ns ||
            memcmp(&x->entry_price, &y->entry_price, sizeof(double)) ||
            memcmp(&x->exit_price, &y->exit_price, sizeof(double)) ||
            memcmp(&x->size, &y->size, sizeof(double)) ||
            memcmp(&x->pnlcomm, &y->pnlcomm, sizeof(double)) || x->exit_reason != y->exit_reason)
            fail_msg("%s: trade %zu differs between spec and built-in", fx->row->ref, k);
    }
    assert_int_equal(s->n_orders, b->n_orders);
    for (size_t k = 0; k < b->n_orders; k++) {
        const slab_order_event *x = &s->orders[k], *y = &b->orders[k];
        if (x->status != y->status || x->type != y->type || x->created_bar != y->created_bar ||
            x->exec_bar != y->exec_bar || memcmp(&x->created_size, &y->created_size, 8) ||
            memcmp(&x->exec_price, &y->exec_price, 8) || memcmp(&x->exec_size, &y->exec_size, 8))
            fail_msg("%s: order %zu differs between spec and built-in", fx->row->ref, k);
    }
    assert_int_equal(s->minperiod, b->minperiod);
    print_message("%s: spec %s = built-in %s bit for bit (%zu bars, %zu trades, %zu orders)\n",
                  fx->row->ref, fx->row->spec, fx->row->builtin, b->n_bars, b->n_trades,
                  b->n_orders);
    slab_run_free(b);
}

/* 2: the spec run against the reference itself. */
static void against_reference(fixture *fx, const slab_run *run)
{
    char path[1024], rel[256], line[512], ts[40];
    json_t *fin = json_object_get(fx->ref, "final");
    expect(fx, "final.value", 0, run->final_value, num(fin, "value"));
    expect(fx, "final.cash", 0, run->final_cash, num(fin, "cash"));
    expect(fx, "final.position_size", 0, run->position_size, num(fin, "position_size"));
    snprintf(rel, sizeof rel, "reference/%s%s_equity.csv", strchr(fx->row->ref, '/') ? "" : "backtrader/",
             fx->row->ref);
    FILE *f = fopen(slab_test_ref(rel, path, sizeof path), "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    long i = 0;
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        assert_non_null(c2);
        *c1 = '\0';
        if ((size_t)i >= run->n_bars) {
            fx->failures++;
            break;
        }
        expect_str(fx, "equity.datetime", i,
                   slab_time_format(fx->bars->ts_ns[i], fx->daily, ts, sizeof ts), line);
        expect(fx, "equity.cash", i, run->cash[i], strtod(c1 + 1, NULL));
        expect(fx, "equity.value", i, run->value[i], strtod(c2 + 1, NULL));
        i++;
    }
    fclose(f);
    if ((size_t)i != run->n_bars)
        fx->failures++, print_message("%s: %ld equity rows, %zu bars\n", fx->row->ref, i,
                                      run->n_bars);
    json_t *want = json_object_get(fx->ref, "trades");
    size_t k = 0;
    for (size_t t = 0; t < run->n_trades; t++) {
        const slab_trade *tr = &run->trades[t];
        json_t *w = json_array_get(want, k);
        if (tr->is_open)
            continue;
        if (!w) {
            fx->failures++;
            break;
        }
        expect_str(fx, "trade.entry_dt", (long)k,
                   slab_time_format(tr->entry_ts_ns, fx->daily, ts, sizeof ts), str(w, "entry_dt"));
        expect_str(fx, "trade.exit_dt", (long)k,
                   slab_time_format(tr->exit_ts_ns, fx->daily, ts, sizeof ts), str(w, "exit_dt"));
        expect(fx, "trade.entry_price", (long)k, tr->entry_price, num(w, "entry_price"));
        expect(fx, "trade.exit_price", (long)k, tr->exit_price, num(w, "exit_price"));
        expect(fx, "trade.size", (long)k, tr->size, num(w, "size"));
        expect(fx, "trade.pnlcomm", (long)k, tr->pnlcomm, num(w, "pnlcomm"));
        expect(fx, "trade.barlen", (long)k, (double)tr->barlen, num(w, "barlen"));
        k++;
    }
    if (k != json_array_size(want))
        fx->failures++, print_message("%s: %zu closed trades, reference %zu\n", fx->row->ref, k,
                                      json_array_size(want));
    slab_error err;
    char msg[4096] = "";
    slab_equity eq = slab_run_equity(run);
    json_t *got = slab_analyzers_json(&eq, run->trades, run->n_trades, &err);
    assert_non_null(got);
    int d = slab_json_compare(got, json_object_get(fx->ref, "analyzers"), "analyzers", 0, 0, msg,
                              sizeof msg);
    if (d)
        fx->failures += d, print_message("%s: %d analyzer difference(s):\n%s", fx->row->ref, d, msg);
    json_decref(got);
}

static void run_one(const parity_run *row)
{
    char path[1024], rel[256];
    slab_error err;
    fixture fx = {row, NULL, NULL, 0, 0};
    SLAB_REQUIRE_SHARED();
    snprintf(rel, sizeof rel, "reference/%s%s.json", strchr(row->ref, '/') ? "" : "backtrader/",
             row->ref);
    fx.ref = json_load_file(slab_test_ref(rel, path, sizeof path), 0, NULL);
    assert_non_null(fx.ref);
    slab_csv_options opt = {0};
    opt.yahoo_adjust = row->yahoo_adjust;
    if (slab_csv_load(slab_test_ref(row->file, path, sizeof path), &opt, &fx.bars, NULL,
                      &err) != SLAB_OK)
        fail_msg("%s: load: %s", row->ref, err.msg);
    assert_int_equal(slab_timeframe_parse(row->timeframe, &fx.bars->timeframe,
                                          &fx.bars->compression, &err),
                     SLAB_OK);
    fx.daily = fx.bars->timeframe >= SLAB_TF_DAYS;

    slab_spec *spec = compile_spec(row);
    slab_spec_run *sr = NULL;
    slab_run *run = NULL;
    assert_int_equal(slab_spec_run_new(spec, &sr, &err), SLAB_OK);
    slab_run_config cfg = base_config(&fx);
    slab_spec_run_setup(sr, &cfg);
    if (slab_engine_run(fx.bars, &cfg, &run, &err) != SLAB_OK)
        fail_msg("%s: spec run: %s", row->ref, err.msg);
    assert_int_equal(run->minperiod,
                     (long)num(json_object_get(fx.ref, "meta"), "strategy_minperiod"));
    if (row->builtin)
        same_as_builtin(&fx, run);
    against_reference(&fx, run);
    int failures = fx.failures;
    slab_run_free(run);
    slab_spec_run_free(sr);
    slab_spec_free(spec);
    slab_bars_free(fx.bars);
    json_decref(fx.ref);
    if (failures)
        fail_msg("%s: %d difference(s) from the reference", row->ref, failures);
    print_message("%s: spec %s reproduces the reference bit for bit\n", row->ref, row->spec);
}

/* Every backtrader reference run of the fixed list, through its spec. */
static void backtrader_runs(void **state)
{
    (void)state;
    for (size_t k = 0; k < SLAB_REFS_N_BT_RUNS; k++) {
        const parity_run *row = NULL;
        for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
            if (!strcmp(runs[i].ref, slab_refs_bt_runs[k]))
                row = &runs[i];
        if (!row)
            fail_msg("reference run %s has no spec here: add a row to runs[]", slab_refs_bt_runs[k]);
        run_one(row);
    }
}

static void orb_run_one(void **state)
{
    (void)state;
    run_one(&orb_run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backtrader_runs),
        cmocka_unit_test(orb_run_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
