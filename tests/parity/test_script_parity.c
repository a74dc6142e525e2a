/* test_script_parity.c: a script copy of each parity built-in
 * (tests/scripts/parity/), compiled and run in the sandbox, reproduces
 * backtrader's 17 reference runs in ../shared/reference/backtrader/ (the
 * table of tests/support/bt_compare.c) bit for bit, as test_backtrader_runs
 * checks the engine: the value and cash at every bar, the final state,
 * every closed trade and order event, every analyzer; and gives the
 * built-in's run byte for byte (value and cash curves, trades, order
 * events). The reference values are read from ../shared at test time. */
#include "bt_compare.h"
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/script.h"
#include "stratlab/strategies.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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

/* The script's run against backtrader's reference, field by field. */
static int matches_backtrader(const bt_run *row, json_t *ref, const slab_run *run)
{
    char rel[256];
    bt_cmp c = {row->name, !strcmp(row->timeframe, "1d"), 0};
    bt_compare_final(&c, ref, run);
    snprintf(rel, sizeof rel, "reference/backtrader/%s_equity.csv", row->name);
    bt_compare_equity(&c, rel, run);
    bt_compare_trades(&c, ref, run, NULL);
    bt_compare_orders(&c, ref, run);
    bt_compare_analyzers(&c, ref, run);
    return c.failures == 0;
}

static void test_parity_scripts(void **state)
{
    (void)state;
    SLAB_REQUIRE_SHARED();
    int failures = 0;
    for (size_t r = 0; r < bt_n_runs; r++) {
        const bt_run *row = &bt_runs[r];
        char rel[256], path[1200];
        slab_error err;
        snprintf(rel, sizeof rel, "reference/backtrader/%s.json", row->name);
        json_t *ref = json_load_file(slab_test_ref(rel, path, sizeof path), 0, NULL);
        assert_non_null(ref);
        json_t *meta = json_object_get(ref, "meta");
        slab_bars *bars = bt_load(row);
        slab_broker_config bc;
        slab_broker_config_default(&bc);
        bc.cash = json_number_value(json_object_get(meta, "cash"));
        bc.commission = json_number_value(json_object_get(meta, "commission"));
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
            int ok = same_bits(row->name, ex->run, builtin) &&
                     matches_backtrader(row, ref, ex->run);
            failures += !ok;
            print_message("%s: script %s (%s, compile %.0f ms, run %.0f ms)\n", row->name,
                          ok ? "matches backtrader and the built-in bit for bit" : "DIFFERS",
                          ex->cached ? "cached" : "compiled", ex->compile_ms, ex->run_ms);
        }
        slab_script_exec_free(ex);
        free(src);
        slab_run_free(builtin);
        slab_bars_free(bars);
        json_decref(ref);
    }
    assert_int_equal(failures, 0);
}

/* The table names each run of the fixed list once. */
static void test_table_is_the_fixed_list(void **state)
{
    (void)state;
    bt_runs_check();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_the_fixed_list),
        cmocka_unit_test(test_parity_scripts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
