/* test_sign_series.c: the crossover of two SMAs made in blocks as one byte
 * a bar (slab_ind_sma_cross_signs, what sma_cross runs on through
 * slab_ctx_sma_cross) is, bar for bar, slab_ind_crossover of the two whole
 * slab_ind_sma series: random walks, flat stretches and ties (zero
 * differences carry the last non-zero one), blocks shorter than the
 * lookback, series shorter than the periods; non-finite input is refused.
 * And a sma_cross run with shared indicators (a sweep's path, the three
 * indicators declared) is the same run as one on the byte series. */
#include "slab_test.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/ind.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 99;
static double uniform(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* x[0..n-1]: shape 0 a random walk, 1 with flat stretches (ties), 2 small
 * integers (many equal SMAs), 3 huge and tiny magnitudes mixed. */
static void fill(double *x, size_t n, int shape)
{
    double v = 100.0;
    for (size_t i = 0; i < n; i++) {
        double u = uniform();
        if (shape == 0)
            v *= 1.0 + (u - 0.5) * 0.02;
        else if (shape == 1)
            v = u < 0.6 ? v : v + (u - 0.8);
        else if (shape == 2)
            v = floor(u * 3.0);
        else
            v = u < 0.5 ? 1e12 * u : 1e-9 * u;
        x[i] = v;
    }
}

typedef struct sign_case {
    size_t n;
    int fast, slow;
    size_t block;
} sign_case;

static const sign_case cases[] = {
    {5000, 10, 30, 65536}, {5000, 10, 30, 7},       {5000, 10, 30, 1}, {5000, 30, 10, 100},
    {5000, 1, 2, 3},       {5000, 50, 200, 64},     {5000, 5, 5, 33},  {20, 10, 30, 4},
    {30, 10, 30, 8},       {31, 10, 30, 8},         {1, 1, 2, 1},      {0, 10, 30, 16},
    {4000, 3, 1000, 512},  {4000, 999, 1000, 1001},
};

static void test_signs_match_crossover(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (int shape = 0; shape < 4; shape++) {
            const sign_case *k = &cases[c];
            size_t n = k->n, look = (size_t)(k->fast > k->slow ? k->fast : k->slow) - 1;
            double *x = malloc((n + 1) * sizeof *x), *a = malloc((n + 1) * sizeof *a);
            double *b = malloc((n + 1) * sizeof *b), *want = malloc((n + 1) * sizeof *want);
            double *scratch = malloc(2 * (k->block + look) * sizeof *scratch);
            signed char *got = malloc(n + 1);
            fill(x, n, shape);
            slab_ind_sma(x, n, k->fast, a);
            slab_ind_sma(x, n, k->slow, b);
            slab_ind_crossover(a, b, n, want);
            assert_int_equal(
                slab_ind_sma_cross_signs(x, n, k->fast, k->slow, scratch, k->block, got), 0);
            for (size_t i = 0; i < n; i++) {
                double g = got[i] == SLAB_SIGN_NAN ? NAN : (double)got[i];
                if (!(isnan(g) && isnan(want[i])) && memcmp(&g, &want[i], sizeof g))
                    fail_msg("case %zu shape %d: bar %zu: signs %g, crossover %g", c, shape, i, g,
                             want[i]);
            }
            free(x), free(a), free(b), free(want), free(scratch), free(got);
        }
}

static void test_signs_refuse_non_finite(void **state)
{
    (void)state;
    double x[50], scratch[2 * (16 + 9)];
    signed char out[50];
    const double bad[] = {NAN, INFINITY, -INFINITY};
    for (size_t k = 0; k < 3; k++) {
        fill(x, 50, 0);
        x[25] = bad[k];
        memset(out, 7, sizeof out);
        assert_int_equal(slab_ind_sma_cross_signs(x, 50, 5, 10, scratch, 16, out), -1);
        assert_int_equal(out[0], 7); /* nothing written */
    }
    fill(x, 50, 0);
    assert_int_equal(slab_ind_sma_cross_signs(x, 50, 0, 10, scratch, 16, out), -1);
    assert_int_equal(slab_ind_sma_cross_signs(x, 50, 5, 10, scratch, 0, out), -1);
}

/* A share that hands out nothing: the engine computes every indicator
 * itself, but takes the path of a sweep's runs (the three declared). */
static int share_get(void *user, const slab_ind_def *def, const double *const *in, size_t n,
                     const double *p, const double **out)
{
    (void)def, (void)in, (void)n, (void)p, (void)out;
    ++*(int *)user;
    return 0;
}
static void share_put(void *user, const slab_ind_def *def, const double *const *out)
{
    (void)user, (void)def, (void)out;
}

static void test_sma_cross_shared_same_run(void **state)
{
    (void)state;
    slab_bars *bars = NULL;
    slab_error err;
    assert_int_equal(slab_sample_generate(3, 30000, SLAB_TF_MINUTES, 1,
                                          slab_days_from_civil(2020, 3, 2), &bars, &err),
                     SLAB_OK);
    static const char *const kv[][2] = {{"fast=10", "slow=30"},
                                        {"fast=1", "slow=2"},
                                        {"fast=50", "slow=5000"},
                                        {"fast=7", "slow=10000"}};
    for (size_t c = 0; c < sizeof kv / sizeof kv[0]; c++) {
        const slab_strategy_def *def = slab_strategy_find("sma_cross", &err);
        double params[16];
        int asked = 0;
        slab_ind_share share = {share_get, share_put, &asked};
        slab_run *a = NULL, *b = NULL;
        slab_run_config cfg;
        assert_int_equal(slab_strategy_resolve_params(def, kv[c], 2, params, &err), SLAB_OK);
        memset(&cfg, 0, sizeof cfg);
        slab_broker_config_default(&cfg.broker);
        cfg.broker.cash = 100000;
        cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
        cfg.broker.sizer.amount = 95;
        cfg.strategy = def;
        cfg.params = params;
        cfg.stop_after_bar = -1;
        assert_int_equal(slab_engine_run(bars, &cfg, &a, &err), SLAB_OK);
        assert_int_equal(slab_engine_run_shared(bars, &cfg, &share, &b, &err), SLAB_OK);
        assert_int_equal(asked, 3); /* two SMAs and their crossover */
        assert_int_equal(a->minperiod, b->minperiod);
        assert_int_equal(a->next_calls, b->next_calls);
        assert_int_equal(a->n_bars, b->n_bars);
        assert_memory_equal(a->value, b->value, a->n_bars * sizeof(double));
        assert_int_equal(a->n_trades, b->n_trades);
        if (a->n_trades)
            assert_memory_equal(a->trades, b->trades, a->n_trades * sizeof(slab_trade));
        assert_int_equal(a->n_orders, b->n_orders);
        if (a->n_orders)
            assert_memory_equal(a->orders, b->orders, a->n_orders * sizeof(slab_order_event));
        slab_run_free(a);
        slab_run_free(b);
    }
    slab_bars_free(bars);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signs_match_crossover),
        cmocka_unit_test(test_signs_refuse_non_finite),
        cmocka_unit_test(test_sma_cross_shared_same_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
