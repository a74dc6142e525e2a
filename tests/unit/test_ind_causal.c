/* test_ind_causal.c: no indicator looks ahead. For every table entry (with
 * its default parameters, plus a table of other parameter sets), computing
 * on the first k bars must give exactly the values of the full series on
 * 0..k-1, for several k including k below the lookback. Also checks that
 * the table's lookback is the first bar where every output is valid and
 * that no kernel writes past n. */
#include "slab_test.h"
#include "stratlab/ind.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_BARS 400
#define SENTINEL 12345.678

static double bars[6][N_BARS]; /* open, high, low, close, volume, day */

/* A deterministic random walk with flat stretches and ties. */
static void make_bars(void)
{
    uint64_t s = 42;
    double c = 50.0;
    for (int i = 0; i < N_BARS; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0 - 0.5;
        double o = c;
        if (i < 200 || i > 240) /* bars 200..240 are flat */
            c = fmax(1.0, c + u * 2.0);
        double h = fmax(o, c) + ((i % 7) ? fabs(u) : 0.0),
               l = fmin(o, c) - ((i % 5) ? fabs(u) / 2 : 0.0);
        bars[0][i] = o;
        bars[1][i] = h;
        bars[2][i] = l;
        bars[3][i] = c;
        bars[4][i] = (i % 11 != 10) ? 1000.0 + 500.0 * u : 0.0; /* bar 0 trades (VWAP) */
        bars[5][i] = (double)(i / 7);                              /* 7-bar sessions */
    }
}

static const double *column(const char *name)
{
    static const char *names[] = {"open",  "high", "low", "close", "volume",
                                  "real0", "real1", "a",   "b",     "day"};
    static const int cols[] = {0, 1, 2, 3, 4, 1, 2, 3, 0, 5};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i]))
            return bars[cols[i]];
    return bars[3];
}

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Runs def on the first k bars into out (k+1 each, the last a sentinel). */
static void compute(const slab_ind_def *def, const double *p, size_t k, double **out)
{
    const double *in[SLAB_IND_MAX_INPUTS];
    slab_error err;
    for (int j = 0; j < def->n_inputs; j++)
        in[j] = column(def->inputs[j]);
    for (int j = 0; j < def->n_outputs; j++)
        out[j][k] = SENTINEL;
    assert_int_equal(def->fn(in, k, p, out, &err), SLAB_OK);
    for (int j = 0; j < def->n_outputs; j++)
        if (out[j][k] != SENTINEL)
            fail_msg("%s wrote past n = %zu", def->name, k);
}

/* Returns the number of failures for def with parameters p. */
static int check(const slab_ind_def *def, const double *p, const char *label)
{
    static const size_t ks[] = {0, 1, 2, 3, 5, 9, 17, 30, 41, 90, 150, 205, 260, 399};
    double *full[SLAB_IND_MAX_OUTPUTS], *part[SLAB_IND_MAX_OUTPUTS];
    int bad = 0;
    for (int j = 0; j < def->n_outputs; j++) {
        full[j] = malloc((N_BARS + 1) * sizeof(double));
        part[j] = malloc((N_BARS + 1) * sizeof(double));
    }
    compute(def, p, N_BARS, full);
    size_t first = 0;
    for (int j = 0; j < def->n_outputs; j++) {
        size_t f = 0;
        while (f < N_BARS && isnan(full[j][f]))
            f++;
        if (f > first)
            first = f;
    }
    if (first != def->lookback(p)) {
        print_message("%s: first valid bar %zu, lookback says %zu\n", label, first,
                      def->lookback(p));
        bad++;
    }
    for (size_t t = 0; t < sizeof ks / sizeof ks[0] && !bad; t++) {
        size_t k = ks[t];
        compute(def, p, k, part);
        for (int j = 0; j < def->n_outputs && !bad; j++)
            for (size_t i = 0; i < k; i++)
                if (!same(part[j][i], full[j][i])) {
                    print_message("%s: %s on %zu bars differs at %zu: %.17g vs %.17g\n", label,
                                  def->outputs[j], k, i, part[j][i], full[j][i]);
                    bad++;
                    break;
                }
    }
    for (int j = 0; j < def->n_outputs; j++) {
        free(full[j]);
        free(part[j]);
    }
    return bad;
}

static void test_every_entry_defaults(void **state)
{
    (void)state;
    size_t n;
    const slab_ind_def *t = slab_ind_table(&n);
    int bad = 0;
    make_bars();
    for (size_t i = 0; i < n; i++) {
        double p[SLAB_IND_MAX_PARAMS];
        for (int j = 0; j < t[i].n_params; j++)
            p[j] = t[i].params[j].def;
        bad += check(&t[i], p, t[i].name);
    }
    print_message("%zu table entries checked\n", n);
    assert_int_equal(bad, 0);
}

/* Other parameter sets: every MA type, MA types inside composites,
 * period 1 where allowed. */
static void test_other_params(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        double p[SLAB_IND_MAX_PARAMS];
    } cases[] = {
        {"MA", {10, 0}},
        {"MA", {10, 1}},
        {"MA", {10, 2}},
        {"MA", {10, 3}},
        {"MA", {10, 4}},
        {"MA", {10, 5}},
        {"MA", {9, 5}},
        {"MA", {10, 6}},
        {"MA", {10, 8}},
        {"MA", {1, 1}},
        {"T3", {3, 0.5}},
        {"KAMA", {10}},
        {"BBANDS", {20, 2, 1, 1}},
        {"BBANDS", {10, 1, 1, 0}},
        {"BBANDS", {10, 2, 2, 4}},
        {"MACDEXT", {12, 1, 26, 1, 9, 1}},
        {"MACDEXT", {26, 2, 12, 0, 9, 3}},
        {"STOCH", {14, 3, 1, 3, 2}},
        {"STOCHF", {5, 3, 6}},
        {"STOCHRSI", {14, 5, 3, 1}},
        {"APO", {12, 26, 1}},
        {"PPO", {26, 12, 0}},
        {"APO", {5, 9, 6}},
        {"PPO", {3, 9, 8}},
        {"PPO", {10, 20, 5}},
        {"APO", {4, 4, 3}},
        {"ATR", {1}},
        {"NATR", {1}},
        {"PLUS_DM", {1}},
        {"MINUS_DI", {1}},
        {"TRIX", {1}},
        {"VAR", {1, 1}},
        {"STDDEV", {20, 2}},
        {"ULTOSC", {28, 7, 14}},
        {"CORREL", {1}},
        {"BETA", {1}},
        {"MOM", {1}},
        {"SAR", {0.2, 0.02}},
        {"STOCH", {14, 3, 0, 3, 0, 1}},
        {"STOCH", {5, 3, 1, 4, 2, 1}},
        {"STOCHF", {5, 3, 0, 1}},
        {"WILLR", {14, 1}},
        {"CCI", {14, 1}},
        {"CORREL", {30, 1}},
        {"HIGHEST", {1}},
        {"HIGHEST", {5}},
        {"LOWEST", {7}},
        {"MEAN", {1}},
        {"STD", {5, 1}},
        {"ZSCORE", {5, 1, 1}},
        {"PERCENTRANK", {1}},
        {"PERCENTRANK", {10}},
        {"WMA_BT", {1}},
        {"HMA", {2}},
        {"HMA", {3}},
        {"HMA", {16}},
        {"HMA", {100}},
        {"ZLEMA", {1}},
        {"ZLEMA", {2}},
        {"ZLEMA", {9}},
        {"DONCHIAN", {1}},
        {"DONCHIAN", {13}},
        {"KELTNER", {5, 14, 1.5}},
        {"KELTNER", {30, 3, 2}},
        {"CCI_BT", {2, 0.015, 1}},
        {"CCI_BT", {14, 0.015, 0}},
    };
    int bad = 0;
    make_bars();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char label[64];
        const slab_ind_def *def = slab_ind_find(cases[i].name, NULL);
        assert_non_null(def);
        snprintf(label, sizeof label, "%s case %zu", cases[i].name, i);
        bad += check(def, cases[i].p, label);
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entry_defaults),
        cmocka_unit_test(test_other_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
