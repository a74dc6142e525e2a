/* test_lookahead.c: look-ahead is impossible by construction. For every
 * built-in, a run cut after bar k must make exactly the decisions (orders,
 * sizes, values) of the full run on bars 0..k: nothing after k can have
 * influenced them. A strategy that asks for a future bar gets NaN and the
 * attempt is counted. Runs on generated sample data, so it needs no
 * ../shared: daily bars, and 1-minute sessions for the intraday orb. */
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static slab_bars *bars, *minute_bars;

static int setup(void **state)
{
    (void)state;
    slab_error err;
    return slab_sample_generate(11, 3000, SLAB_TF_DAYS, 1, slab_days_from_civil(2000, 1, 3), &bars,
                                &err) != SLAB_OK ||
           slab_sample_generate(12, 3000, SLAB_TF_MINUTES, 1, slab_days_from_civil(2025, 6, 2),
                                &minute_bars, &err) != SLAB_OK;
}

static int teardown(void **state)
{
    (void)state;
    slab_bars_free(bars);
    slab_bars_free(minute_bars);
    return 0;
}

static slab_run *run_cut(const slab_strategy_def *def, long stop_after)
{
    slab_error err;
    double params[16];
    slab_run *run = NULL;
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(slab_strategy_resolve_params(def, NULL, 0, params, &err), SLAB_OK);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000;
    cfg.broker.commission = 0.001;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95;
    cfg.strategy = def;
    cfg.params = params;
    cfg.stop_after_bar = stop_after;
    /* the opening-range breakout needs intraday sessions */
    const slab_bars *b = strcmp(def->name, "orb") ? bars : minute_bars;
    if (slab_engine_run(b, &cfg, &run, &err) != SLAB_OK)
        fail_msg("%s: %s", def->name, err.msg);
    return run;
}

static void truncation_matches_full_run(void **state)
{
    (void)state;
    size_t n;
    const slab_strategy_def *const *tab = slab_strategy_table(&n);
    static const long cuts[] = {0, 30, 31, 250, 1234, 2998};
    for (size_t s = 0; s < n; s++) {
        slab_run *full = run_cut(tab[s], -1);
        assert_int_equal(full->lookahead_attempts, 0);
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            long k = cuts[c];
            slab_run *cut = run_cut(tab[s], k);
            assert_int_equal(cut->n_bars, (size_t)k + 1);
            for (long i = 0; i <= k; i++)
                if (cut->value[i] != full->value[i] || cut->cash[i] != full->cash[i])
                    fail_msg("%s cut at %ld: value differs at bar %ld", tab[s]->name, k, i);
            size_t m = 0;
            for (size_t o = 0; o < full->n_orders; o++) {
                const slab_order_event *f = &full->orders[o];
                if ((long)f->created_bar > k)
                    continue;
                assert_true(m < cut->n_orders);
                const slab_order_event *g = &cut->orders[m++];
                /* a trail's logged created price is its current stop, which
                 * moves with later closes: compared only for other types */
                int trail = f->type == SLAB_ORDER_STOP_TRAIL || f->type == SLAB_ORDER_STOP_TRAIL_LIMIT;
                if (g->created_bar != f->created_bar || g->created_size != f->created_size ||
                    g->type != f->type || (!trail && g->created_price != f->created_price))
                    fail_msg("%s cut at %ld: order %zu differs (bar %zu/%zu, size %.17g/%.17g, "
                             "price %.17g/%.17g)",
                             tab[s]->name, k, o, g->created_bar, f->created_bar, g->created_size,
                             f->created_size, g->created_price, f->created_price);
            }
            assert_int_equal(m, cut->n_orders);
            slab_run_free(cut);
        }
        print_message("%s: %zu orders; decisions identical when cut at 6 points\n", tab[s]->name,
                      full->n_orders);
        slab_run_free(full);
    }
}

/* A strategy that tries to read tomorrow's close. */
static void peek_next(slab_ctx *ctx, void *st)
{
    double *seen = st;
    double x = slab_get(ctx, SLAB_CLOSE, 1);
    if (!isnan(x))
        *seen = x;
    if (slab_time(ctx, 2) != 0)
        *seen = 1;
}

static void future_reads_are_refused(void **state)
{
    (void)state;
    slab_strategy_def def = {SLAB_STRATEGY_ABI, "peek", "reads the future", NULL, 0,
                             sizeof(double),    NULL,   peek_next,          NULL, NULL, NULL};
    slab_run *run = run_cut(&def, -1);
    /* two refused reads per bar, every bar */
    assert_int_equal(run->lookahead_attempts, 2 * (long)bars->n);
    assert_int_equal(run->n_orders, 0);
    /* and the result says so: a warning with the count, and the summary */
    json_t *w = slab_result_warnings(bars, run, NULL);
    assert_int_equal(json_array_size(w), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(w, 0), "code")),
                        "lookahead_refused");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(w, 0), "reads")),
                     2 * (long)bars->n);
    json_decref(w);
    json_t *m = json_pack("{s:i,s:i}", "num_trades", 0, "open_trades", 0);
    char *text = slab_summary_text(bars, run, "peek", NULL, m, 0), want[128];
    snprintf(want, sizeof want, "asked for a future bar %ld times", 2 * (long)bars->n);
    assert_non_null(text);
    if (!strstr(text, want))
        fail_msg("the summary does not say '%s':\n%s", want, text);
    slab_free(text);
    json_decref(m);
    slab_run_free(run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(truncation_matches_full_run),
        cmocka_unit_test(future_reads_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
