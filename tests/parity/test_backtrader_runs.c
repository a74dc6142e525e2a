/* test_backtrader_runs.c: the acceptance test of the engine. Each of the
 * 17 reference runs in ../shared/reference/backtrader/ (bt_runs of
 * tests/support/bt_compare.c, which must name each run of
 * slab_refs_bt_runs exactly once; a missing file fails) is run again, and
 * every closed trade, every order event, the value and cash at every bar,
 * the final state and every analyzer value must be bit-identical to
 * backtrader's (measured: all are, on every bar of every run; the
 * reference files are written with repr, so they round-trip). The
 * reference values are read from ../shared at test time, never copied. */
#include "bt_compare.h"
#include "slab_test.h"

#include "stratlab/strategies.h"

#include <stdio.h>
#include <string.h>

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }

static void run_one(void **state)
{
    const bt_run *row = *state;
    char path[1024], rel[256];
    slab_error err;
    slab_run *run = NULL;
    SLAB_REQUIRE_SHARED();

    snprintf(rel, sizeof rel, "reference/backtrader/%s.json", row->name);
    json_t *ref = json_load_file(slab_test_ref(rel, path, sizeof path), 0, NULL);
    assert_non_null(ref);
    slab_bars *bars = bt_load(row);
    json_t *meta = json_object_get(ref, "meta");
    const slab_strategy_def *def = slab_strategy_find(row->strategy, &err);
    assert_non_null(def);
    double params[16];
    const char *kv[1] = {row->param};
    if (slab_strategy_resolve_params(def, kv, row->param ? 1 : 0, params, &err) != SLAB_OK)
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
    if (slab_engine_run(bars, &cfg, &run, &err) != SLAB_OK)
        fail_msg("%s: run: %s", row->name, err.msg);
    assert_int_equal(run->n_bars, (size_t)num(meta, "bars"));
    assert_int_equal(run->minperiod, (long)num(meta, "strategy_minperiod"));

    bt_cmp c = {row->name, bars->timeframe >= SLAB_TF_DAYS, 0};
    bt_compare_final(&c, ref, run);
    snprintf(rel, sizeof rel, "reference/backtrader/%s_equity.csv", row->name);
    bt_compare_equity(&c, rel, run);
    bt_compare_trades(&c, ref, run, NULL);
    bt_compare_orders(&c, ref, run);
    bt_compare_analyzers(&c, ref, run);

    json_decref(ref);
    slab_run_free(run);
    slab_bars_free(bars);
    if (c.failures)
        fail_msg("%s: %d difference(s) from backtrader", row->name, c.failures);
}

/* The table names each reference run of the fixed list once: a run
 * nobody re-runs, or a row for a run that is not a reference, fails. */
static void table_is_the_fixed_list(void **state)
{
    (void)state;
    bt_runs_check();
}

int main(void)
{
    struct CMUnitTest tests[32];
    assert_true(bt_n_runs + 1 <= sizeof tests / sizeof tests[0]);
    tests[0] = (struct CMUnitTest)cmocka_unit_test(table_is_the_fixed_list);
    for (size_t i = 0; i < bt_n_runs; i++) {
        tests[i + 1] = (struct CMUnitTest)cmocka_unit_test_prestate(run_one, (void *)&bt_runs[i]);
        tests[i + 1].name = bt_runs[i].name;
    }
    return _cmocka_run_group_tests("backtrader_runs", tests, bt_n_runs + 1, NULL, NULL);
}
