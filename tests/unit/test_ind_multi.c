/* test_ind_multi.c: the multi-series form (slab_ind_run_multi) gives, for
 * every series, bit for bit what the single-series kernel gives for that
 * series alone. Series differ in data (sample generator seeds), leading
 * NaNs (per input, for ATR), a flat stretch (RSI's zero guard) and
 * parameters per lane, including periods the lane kernels leave to the
 * single kernel (1, longer than the data); counts of series that fill
 * whole vector groups and leave a remainder; and entries without a lane
 * kernel (fallback). Every case runs with each vector width the lane
 * kernels have (AVX2 where the CPU has it, and the SSE2 fallback, forced).
 * A failure prints the width, series, output, first differing bar and both
 * values. */
#include "ind/ind_int.h"
#include "slab_test.h"
#include "stratlab/data.h"
#include "stratlab/ind.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIES 13

/* Series s: OHLC from seed 100+s, with s*5 % 37 leading NaNs in high,
 * s*3 % 23 in close, for odd s a flat close over bars 300..379, and for
 * the last one a close flat throughout. */
typedef struct fixture {
    size_t n;
    double *col[MAX_SERIES][4]; /* open, high, low, close */
} fixture;

static void fixture_init(fixture *f, size_t n)
{
    f->n = n;
    for (int s = 0; s < MAX_SERIES; s++) {
        slab_bars *b = NULL;
        slab_error err;
        assert_int_equal(slab_sample_generate(100 + (uint64_t)s, n, SLAB_TF_DAYS, 1,
                                              slab_days_from_civil(2015, 1, 5), &b, &err),
                         SLAB_OK);
        const double *src[4] = {b->open, b->high, b->low, b->close};
        for (int k = 0; k < 4; k++) {
            f->col[s][k] = malloc(n * sizeof(double));
            assert_non_null(f->col[s][k]);
            memcpy(f->col[s][k], src[k], n * sizeof(double));
        }
        for (size_t i = 0; i < (size_t)(s * 5 % 37) && i < n; i++)
            f->col[s][1][i] = NAN;
        for (size_t i = 0; i < (size_t)(s * 3 % 23) && i < n; i++)
            f->col[s][3][i] = NAN;
        if (s % 2)
            for (size_t i = 300; i < 380 && i < n; i++)
                f->col[s][3][i] = f->col[s][3][299];
        if (s == MAX_SERIES - 1) /* flat throughout: RSI's 0 guard */
            for (size_t i = 0; i < n; i++)
                f->col[s][3][i] = isnan(f->col[s][3][i]) ? NAN : 50.0;
        slab_bars_free(b);
    }
}

static void fixture_clear(fixture *f)
{
    for (int s = 0; s < MAX_SERIES; s++)
        for (int k = 0; k < 4; k++)
            free(f->col[s][k]);
}

static const double *input_of(const fixture *f, int s, const char *name)
{
    if (!strcmp(name, "open"))
        return f->col[s][0];
    if (!strcmp(name, "high"))
        return f->col[s][1];
    if (!strcmp(name, "low"))
        return f->col[s][2];
    return f->col[s][3];
}

/* Runs name over k series with period periods[s] (the first parameter;
 * the others at their defaults) both ways and compares every value. */
static void check(const fixture *f, const char *name, int k, const double *periods)
{
    const slab_ind_def *d = slab_ind_find(name, NULL);
    const double *in[MAX_SERIES * SLAB_IND_MAX_INPUTS];
    double p[MAX_SERIES * SLAB_IND_MAX_PARAMS], *multi[MAX_SERIES * SLAB_IND_MAX_OUTPUTS];
    double *one[SLAB_IND_MAX_OUTPUTS];
    slab_error err;
    size_t n = f->n;

    assert_non_null(d);
    for (int s = 0; s < k; s++) {
        for (int j = 0; j < d->n_inputs; j++)
            in[s * d->n_inputs + j] = input_of(f, s, d->inputs[j]);
        for (int j = 0; j < d->n_params; j++)
            p[s * d->n_params + j] = j == 0 ? periods[s] : d->params[j].def;
        for (int o = 0; o < d->n_outputs; o++) {
            multi[s * d->n_outputs + o] = malloc(n * sizeof(double));
            assert_non_null(multi[s * d->n_outputs + o]);
        }
    }
    for (int o = 0; o < d->n_outputs; o++) {
        one[o] = malloc(n * sizeof(double));
        assert_non_null(one[o]);
    }
    assert_int_equal(slab_ind_run_multi(d, (size_t)k, in, n, p, multi, &err), SLAB_OK);
    for (int s = 0; s < k; s++) {
        assert_int_equal(d->fn(in + s * d->n_inputs, n, p + s * d->n_params, one, &err), SLAB_OK);
        for (int o = 0; o < d->n_outputs; o++) {
            const double *got = multi[s * d->n_outputs + o];
            for (size_t i = 0; i < n; i++) {
                if (memcmp(&got[i], &one[o][i], sizeof(double)) != 0) {
                    print_message("%s(%g) n=%zu width %d series %d output %s bar %zu: multi "
                                  "%.17g, single %.17g\n",
                                  name, periods[s], n, slab__ind_multi_width(0), s, d->outputs[o],
                                  i, got[i], one[o][i]);
                    fail();
                }
            }
        }
    }
    for (int s = 0; s < k * d->n_outputs; s++)
        free(multi[s]);
    for (int o = 0; o < d->n_outputs; o++)
        free(one[o]);
}

/* Per-lane periods: a group of 4 in different periods, ones the lane
 * kernels leave to def->fn (1, and 2000 > n for n = 1500), a remainder. */
static const double periods[MAX_SERIES] = {14, 20, 2, 5, 1, 30, 14, 2000, 9, 3, 50, 14, 7};

static const struct {
    const char *name;
    int k;
} cases[] = {
    {"SMA", 13}, {"EMA", 13}, {"RSI", 13}, {"ATR", 13}, /* lane kernels, remainder of 1 */
    {"SMA", 4},  {"EMA", 3},  {"RSI", 1},  {"ATR", 8},  /* whole groups, a partial one */
    {"CMO", 5},  {"WMA", 6},  {"NATR", 5},              /* no lane kernel: fallback */
};

static void test_multi_equals_single(void **state)
{
    (void)state;
    const size_t lengths[] = {1500, 40, 3};
    const int widths[] = {4, 2}; /* AVX2 (where the CPU has it), SSE2 */
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        int got = slab__ind_multi_width(widths[w]);
        print_message("lane kernels at %d doubles per vector\n", got);
        for (size_t L = 0; L < sizeof lengths / sizeof lengths[0]; L++) {
            fixture f;
            fixture_init(&f, lengths[L]);
            for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
                check(&f, cases[c].name, cases[c].k, periods);
            fixture_clear(&f);
        }
    }
    slab__ind_multi_width(4);
}

/* SMA_BT over many periods of one input (a sweep's SMA axis) shares one
 * exact prefix (slab_ind_sma_many): each series must still be bit for bit
 * slab_ind_sma's. Inputs: a close with leading NaNs; one whose magnitudes
 * span too much for the fixed point (every period then falls back to the
 * running fsum); periods 1, longer than the data, repeated, and 70 of them
 * (past one 64-period chunk). On 1,500 bars and on 10,000, where the
 * prefix is held 4,096 bars at a time (slab_fsum_windows) and periods of
 * 4,095 to 9,999 reach back over one or two of those segments. */
static void check_bt_sma_one_input(size_t bars)
{
    enum { K = 70 };
    fixture f;
    fixture_init(&f, bars);
    size_t n = f.n;
    double *wide = malloc(n * sizeof *wide);
    assert_non_null(wide);
    for (size_t i = 0; i < n; i++) /* 1e-300 .. 1e300: outside the fixed point */
        wide[i] = (i % 3 == 0 ? 1e-300 : i % 3 == 1 ? 1e300 : 1.0) * f.col[1][3][i];
    const double *inputs[] = {f.col[3][3], wide};
    const slab_ind_def *d = slab_ind_find("SMA_BT", NULL);
    assert_non_null(d);
    for (size_t c = 0; c < 2; c++) {
        const double *in[K];
        double p[K], *multi[K], *one = malloc(n * sizeof *one);
        slab_error err;
        assert_non_null(one);
        for (int s = 0; s < K; s++) {
            in[s] = inputs[c];
            static const double big[] = {4095, 4096, 4097, 6000, 8193, 9999};
            p[s] = s == 0   ? 1
                   : s == 1 ? 2000
                   : s == 2 ? 20
                   : s < 9  ? big[s - 3]
                            : (double)(2 + (s * 37) % 400);
            multi[s] = malloc(n * sizeof(double));
            assert_non_null(multi[s]);
        }
        assert_int_equal(slab_ind_run_multi(d, K, in, n, p, multi, &err), SLAB_OK);
        for (int s = 0; s < K; s++) {
            double *o[1] = {one};
            assert_int_equal(d->fn(&in[s], n, &p[s], o, &err), SLAB_OK);
            for (size_t i = 0; i < n; i++)
                if (memcmp(&multi[s][i], &one[i], sizeof(double)) != 0) {
                    print_message("SMA_BT(%g) input %zu bar %zu: many %.17g, single %.17g\n",
                                  p[s], c, i, multi[s][i], one[i]);
                    fail();
                }
            free(multi[s]);
        }
        free(one);
    }
    free(wide);
    fixture_clear(&f);
}

static void test_bt_sma_one_input(void **state)
{
    (void)state;
    check_bt_sma_one_input(1500);
    check_bt_sma_one_input(10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multi_equals_single),
        cmocka_unit_test(test_bt_sma_one_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
