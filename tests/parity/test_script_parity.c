/* test_script_parity.c: a script copy of each parity built-in
 * (tests/scripts/parity/), compiled and run in the sandbox, reproduces
 * backtrader's 17 reference runs in ../shared/reference/backtrader/ (the
 * fixed list of tests/support/slab_refs.c) bit for bit: the value and cash
 * at every bar, the final state, each closed trade's pnlcomm; and gives the
 * built-in's run byte for byte (value and cash curves, trades, order
 * events). The reference values are read from ../shared at test time. */
#include "slab_refs.h"
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/script.h"
#include "stratlab/strategies.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


typedef struct parity_row {
    const char *name;      /* reference/backtrader/<name>.json */
    const char *file;      /* data/<file> */
    int yahoo_adjust;
    const char *timeframe;
    const char *strategy;  /* built-in name = tests/scripts/parity/<strategy>.c */
    slab_sizer_kind sizer;
    const char *param;     /* one "name=value", or NULL */
} parity_row;

/* The runs of tests/parity/test_backtrader_runs.c (slab_refs_bt_runs). */
static const parity_row rows[] = {
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

static slab_sandbox *sandbox;

static int setup(void **state)
{
    slab_error err;
    char dir[1200];
    (void)state;
    snprintf(dir, sizeof dir, "%s/script_parity_state", slab_test_tmpdir());
    slab_sandbox_config cfg = {0};
    cfg.state_dir = dir;
    if (slab_sandbox_open(&cfg, &sandbox, &err) != SLAB_OK) {
        print_message("sandbox: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    slab_sandbox_close(sandbox);
    return 0;
}

/* The script file's bytes (owned). */
static char *read_script(const char *strategy, size_t *n)
{
    char path[1200];
    const char *src = getenv("SLAB_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/scripts/parity/%s.c", src ? src : ".", strategy);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* Compares the script's run with the built-in's, byte for byte. */
static int same_bits(const char *name, const slab_run *a, const slab_run *b)
{
    int bad = a->n_bars != b->n_bars || a->n_trades != b->n_trades || a->n_orders != b->n_orders ||
              memcmp(a->value, b->value, a->n_bars * 8) || memcmp(a->cash, b->cash, a->n_bars * 8) ||
              memcmp(a->trades, b->trades, a->n_trades * sizeof(slab_trade)) ||
              memcmp(a->orders, b->orders, a->n_orders * sizeof(slab_order_event)) ||
              memcmp(&a->final_value, &b->final_value, sizeof(double)) ||
              memcmp(&a->final_cash, &b->final_cash, sizeof(double));
    if (bad)
        print_message("%s: the script's run differs from the built-in's (bars %zu/%zu, trades "
                      "%zu/%zu, orders %zu/%zu, final %.17g/%.17g)\n",
                      name, a->n_bars, b->n_bars, a->n_trades, b->n_trades, a->n_orders,
                      b->n_orders, a->final_value, b->final_value);
    return !bad;
}

/* The value and cash at every bar against the reference equity file. */
static int equity_matches(const parity_row *row, const slab_run *run)
{
    char rel[256], path[1200], line[512];
    long i = 0, bad = 0;
    snprintf(rel, sizeof rel, "reference/backtrader/%s_equity.csv", row->name);
    FILE *f = fopen(slab_test_ref(rel, path, sizeof path), "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2 || (size_t)i >= run->n_bars) {
            bad++;
            break;
        }
        double cash = strtod(c1 + 1, NULL), value = strtod(c2 + 1, NULL);
        if (!slab_test_same(run->value[i], value) || !slab_test_same(run->cash[i], cash)) {
            if (bad++ < 3)
                print_message("%s: bar %ld: value %.17g cash %.17g, backtrader %.17g %.17g\n",
                              row->name, i, run->value[i], run->cash[i], value, cash);
        }
        i++;
    }
    fclose(f);
    return bad == 0 && (size_t)i == run->n_bars;
}

/* Final state and closed trades against the reference document. */
static int summary_matches(const parity_row *row, const slab_run *run)
{
    char rel[256], path[1200];
    snprintf(rel, sizeof rel, "reference/backtrader/%s.json", row->name);
    json_t *ref = json_load_file(slab_test_ref(rel, path, sizeof path), 0, NULL);
    assert_non_null(ref);
    json_t *fin = json_object_get(ref, "final"), *trades = json_object_get(ref, "trades");
    int ok = slab_test_same(run->final_value, json_number_value(json_object_get(fin, "value"))) &&
             slab_test_same(run->final_cash, json_number_value(json_object_get(fin, "cash")));
    size_t closed = 0;
    for (size_t k = 0; k < run->n_trades; k++)
        if (!run->trades[k].is_open) {
            json_t *t = json_array_get(trades, closed++);
            ok &= t && slab_test_same(run->trades[k].pnlcomm,
                                      json_number_value(json_object_get(t, "pnlcomm")));
        }
    ok &= closed == json_array_size(trades);
    if (!ok)
        print_message("%s: final %.17g / %zu closed trades differ from backtrader's\n", row->name,
                      run->final_value, closed);
    json_decref(ref);
    return ok;
}

static void test_parity_scripts(void **state)
{
    (void)state;
    SLAB_REQUIRE_SHARED();
    int failures = 0;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const parity_row *row = &rows[r];
        char rel[256], path[1200];
        slab_error err;
        slab_bars *bars = NULL;
        slab_csv_options opt = {0};
        opt.yahoo_adjust = row->yahoo_adjust;
        snprintf(rel, sizeof rel, "data/%s", row->file);
        assert_int_equal(slab_csv_load(slab_test_ref(rel, path, sizeof path), &opt, &bars, NULL, &err),
                         SLAB_OK);
        assert_int_equal(slab_timeframe_parse(row->timeframe, &bars->timeframe, &bars->compression,
                                              &err),
                         SLAB_OK);
        slab_broker_config bc;
        slab_broker_config_default(&bc);
        bc.cash = 100000.0;
        bc.commission = 0.001;
        bc.sizer.kind = row->sizer;
        bc.sizer.amount = 95.0;
        const char *kv[1] = {row->param};
        size_t n_kv = row->param ? 1 : 0;

        /* The built-in. */
        const slab_strategy_def *def = slab_strategy_find(row->strategy, &err);
        double params[16];
        assert_non_null(def);
        assert_int_equal(slab_strategy_resolve_params(def, kv, n_kv, params, &err), SLAB_OK);
        slab_run_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.broker = bc;
        cfg.strategy = def;
        cfg.params = params;
        cfg.stop_after_bar = -1;
        slab_run *builtin = NULL;
        assert_int_equal(slab_engine_run(bars, &cfg, &builtin, &err), SLAB_OK);

        /* The script, in the sandbox. */
        size_t n;
        char *src = read_script(row->strategy, &n);
        slab_script_job job;
        memset(&job, 0, sizeof job);
        job.source = src;
        job.source_len = n;
        job.source_name = "parity.c";
        job.bars = bars;
        job.broker = &bc;
        job.params = kv;
        job.n_params = n_kv;
        job.keep_cash = 1;
        slab_script_limits_default(&job.limits);
        slab_script_exec *ex = NULL;
        assert_int_equal(slab_script_execute(sandbox, &job, &ex, &err), SLAB_OK);
        if (ex->status != SLAB_SCRIPT_OK) {
            print_message("%s: %s: %s\n", row->name, slab_script_status_name(ex->status),
                          ex->detail);
            failures++;
        } else {
            int ok = same_bits(row->name, ex->run, builtin) && equity_matches(row, ex->run) &&
                     summary_matches(row, ex->run);
            failures += !ok;
            print_message("%s: script %s (%s, compile %.0f ms, run %.0f ms)\n", row->name,
                          ok ? "matches backtrader and the built-in bit for bit" : "DIFFERS",
                          ex->cached ? "cached" : "compiled", ex->compile_ms, ex->run_ms);
        }
        slab_script_exec_free(ex);
        free(src);
        slab_run_free(builtin);
        slab_bars_free(bars);
    }
    assert_int_equal(failures, 0);
}

/* The table names each run of the fixed list once. */
static void test_table_is_the_fixed_list(void **state)
{
    int seen[SLAB_REFS_N_BT_RUNS] = {0}, bad = 0;
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int k = slab_refs_find(slab_refs_bt_runs, SLAB_REFS_N_BT_RUNS, rows[i].name);
        if (k < 0 || seen[k]++) {
            print_message("row %s: %s\n", rows[i].name,
                          k < 0 ? "not in slab_refs_bt_runs" : "named twice");
            bad++;
        }
    }
    for (size_t k = 0; k < SLAB_REFS_N_BT_RUNS; k++)
        if (!seen[k]) {
            print_message("reference run %s has no script row\n", slab_refs_bt_runs[k]);
            bad++;
        }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_the_fixed_list),
        cmocka_unit_test(test_parity_scripts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
