/* fuzz_ind.c: libFuzzer harness for every indicator kernel in the table
 * (src/ind/registry.c). The input picks an entry, parameters inside the
 * table's ranges (defaults, edges, small and huge periods), a series
 * length, a price shape (a walk, extreme magnitudes at the data limits,
 * flat stretches, one-ulp ticks) and leading NaNs (an upstream warm-up).
 * Beyond ASan+UBSan (outputs are exactly n long, so a write past the end is
 * caught), it checks the kernel contract in ind.h: NaN before the
 * lookback; value i depends only on inputs 0..i (the run on a prefix gives
 * the same bits); slab_ind_run_multi gives each series the bits of its
 * single run. Run: scripts/fuzz.sh ind SECONDS. */
#include "stratlab/data.h"
#include "stratlab/ind.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_MAX 512 /* longest series tried (longer ones add time, not paths) */

/* The fuzzer's bytes, read front to back; zeros once used up. */
typedef struct src {
    const uint8_t *p;
    size_t n;
} src;

static uint32_t take(src *s, int bytes)
{
    uint32_t v = 0;
    for (int k = 0; k < bytes; k++) {
        v = v << 8 | (s->n ? *s->p : 0);
        if (s->n) {
            s->p++;
            s->n--;
        }
    }
    return v;
}

/* A value for parameter q: its default, an edge, small or anywhere. */
static double param_value(src *s, const slab_ind_param *q)
{
    uint32_t mode = take(s, 1) % 5;
    double span = q->max - q->min, v;
    switch (mode) {
    case 0: return q->def;
    case 1: return q->min;
    case 2: return q->max;
    case 3:
        v = q->min + (q->is_int ? (double)(take(s, 1) % 64) : span * take(s, 2) / 65535.0);
        break;
    default:
        v = q->min + (q->is_int ? (double)(take(s, 4) % ((uint64_t)span + 1))
                                : span * take(s, 4) / 4294967295.0);
    }
    if (q->is_int)
        v = floor(v);
    return v < q->min ? q->min : v > q->max ? q->max : v;
}

/* Bars of one shape: open, high, low, close, volume, day. */
typedef struct series {
    double col[6][N_MAX];
} series;

static double clamp_price(double x)
{
    return x < SLAB_PRICE_MIN ? SLAB_PRICE_MIN : x > SLAB_PRICE_MAX ? SLAB_PRICE_MAX : x;
}

/* The next close after c, by shape: a walk, magnitudes anywhere in the data
 * limits, a flat run with rare steps, or one-ulp ticks. */
static double next_close(src *s, int shape, double c)
{
    int32_t r = (int32_t)(take(s, 1)) - 128;
    switch (shape) {
    case 0: return clamp_price(c * (1.0 + r / 2000.0));
    case 1: return clamp_price(pow(10.0, (r / 128.0) * 100.0));
    case 2: return r > 120 ? clamp_price(c * 1.5) : r < -120 ? clamp_price(c / 1.5) : c;
    default: return clamp_price(r > 0 ? nextafter(c, INFINITY) : r < 0 ? nextafter(c, 0) : c);
    }
}

static void make_series(src *s, size_t n, series *b)
{
    int shape = (int)(take(s, 1) % 4);
    double c = shape == 1 ? 1.0 : 100.0, day = 13000.0;
    for (size_t i = 0; i < n; i++) {
        double o = c;
        uint32_t w = take(s, 1);
        c = next_close(s, shape, c);
        double hi = o > c ? o : c, lo = o < c ? o : c;
        b->col[0][i] = o;
        b->col[1][i] = (w & 1) ? hi : clamp_price(hi * (1.0 + (w >> 4) / 512.0));
        b->col[2][i] = (w & 2) ? lo : clamp_price(lo / (1.0 + (w >> 4) / 512.0));
        b->col[3][i] = c;
        b->col[4][i] = (w & 4) ? 0.0 : (w & 8) ? SLAB_VOLUME_MAX : 1000.0 * (w >> 4);
        day += (w >> 6) == 0; /* sessions of a few bars (VWAP) */
        b->col[5][i] = day;
    }
}

/* The column an input name reads (as the CLI's defaults). */
static const double *column(const series *b, const char *name)
{
    static const char *names[] = {"open",  "high",  "low", "close", "volume",
                                  "real0", "real1", "a",   "b",     "day"};
    static const int cols[] = {0, 1, 2, 3, 4, 1, 2, 3, 0, 5};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i]))
            return b->col[cols[i]];
    return b->col[3];
}

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0 || (isnan(a) && isnan(b));
}

/* Runs def on the first n bars of in[] into fresh outputs of exactly n.
 * Returns 0, or -1 when the kernel refused the parameters (MAMA, matype 7,
 * is in TA-Lib's range but not implemented): then it must say so. */
static int run(const slab_ind_def *def, const double *const *in, size_t n, const double *p,
               double **out)
{
    slab_error err;
    for (int k = 0; k < def->n_outputs; k++)
        if (!(out[k] = malloc(n * sizeof(double) + (n == 0))))
            abort();
    if (def->fn(in, n, p, out, &err) == SLAB_OK)
        return 0;
    if (err.code != SLAB_EINVAL || !strstr(err.msg, "not implemented")) {
        fprintf(stderr, "%s failed: %s\n", def->name, err.msg);
        abort();
    }
    return -1;
}

static void release(const slab_ind_def *def, double **out)
{
    for (int k = 0; k < def->n_outputs; k++)
        free(out[k]);
}

/* Fails when a[0..n) and b[0..n) differ in any bit (NaN == NaN). */
static void expect_same(const char *what, const slab_ind_def *def, int k, const double *a,
                        const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!same(a[i], b[i])) {
            fprintf(stderr, "%s: %s output %d bar %zu: %.17g vs %.17g\n", what, def->name, k, i,
                    a[i], b[i]);
            abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static series b0, b1;
    src s = {data, size};
    size_t nt;
    const slab_ind_def *t = slab_ind_table(&nt);
    const slab_ind_def *def = &t[take(&s, 2) % nt];
    double p[2][SLAB_IND_MAX_PARAMS];
    const double *in[2 * SLAB_IND_MAX_INPUTS];
    double *full[SLAB_IND_MAX_OUTPUTS] = {0}, *part[SLAB_IND_MAX_OUTPUTS] = {0};
    double *multi[2 * SLAB_IND_MAX_OUTPUTS], *single1[SLAB_IND_MAX_OUTPUTS] = {0};

    for (int l = 0; l < 2; l++)
        for (int k = 0; k < def->n_params; k++)
            p[l][k] = param_value(&s, &def->params[k]);
    size_t n = take(&s, 2) % (N_MAX + 1), lead = take(&s, 1) % 8;
    make_series(&s, n, &b0);
    make_series(&s, n, &b1);
    for (size_t i = 0; i < lead && i < n; i++) /* an upstream warm-up */
        for (int c = 0; c < 5; c++)
            b0.col[c][i] = NAN;
    for (int k = 0; k < def->n_inputs; k++) {
        in[k] = column(&b0, def->inputs[k]);
        in[def->n_inputs + k] = column(&b1, def->inputs[k]);
    }

    /* The lookback is the first bar where every output is valid (shifted
     * by the leading NaNs): before it, some output is NaN. */
    if (run(def, in, n, p[0], full) != 0 || run(def, in + def->n_inputs, n, p[1], single1) != 0) {
        release(def, full);
        release(def, single1);
        return 0; /* a refused parameter set: nothing to compare */
    }
    size_t lb = def->lookback(p[0]) + lead;
    for (size_t i = 0; i < lb && i < n; i++) {
        int any_nan = 0;
        for (int k = 0; k < def->n_outputs; k++)
            any_nan |= isnan(full[k][i]);
        if (!any_nan) {
            fprintf(stderr, "%s: every output valid at bar %zu, before the lookback %zu\n",
                    def->name, i, lb);
            abort();
        }
    }

    /* Causal: the first m bars alone give the same values. */
    size_t m = n ? take(&s, 2) % (n + 1) : 0;
    if (run(def, in, m, p[0], part) != 0)
        abort(); /* it took these parameters on n bars */
    for (int k = 0; k < def->n_outputs; k++)
        expect_same("prefix", def, k, full[k], part[k], m);
    release(def, part);

    /* Two series at once, each with its own parameters: each the bits of
     * its single run. */
    double pm[2 * SLAB_IND_MAX_PARAMS];
    memcpy(pm, p[0], sizeof(double) * (size_t)def->n_params);
    memcpy(pm + def->n_params, p[1], sizeof(double) * (size_t)def->n_params);
    for (int k = 0; k < 2 * def->n_outputs; k++)
        if (!(multi[k] = malloc(n * sizeof(double) + (n == 0))))
            abort();
    slab_error err;
    if (slab_ind_run_multi(def, 2, in, n, pm, multi, &err) != SLAB_OK)
        abort();
    for (int k = 0; k < def->n_outputs; k++) {
        expect_same("multi lane 0", def, k, full[k], multi[k], n);
        expect_same("multi lane 1", def, k, single1[k], multi[def->n_outputs + k], n);
    }
    /* Two parameter sets over the same input (a sweep's axis: SMA_BT then
     * shares one exact prefix): each the bits of its single run. */
    double *same1[SLAB_IND_MAX_OUTPUTS] = {0};
    const double *in2[2 * SLAB_IND_MAX_INPUTS];
    for (int k = 0; k < def->n_inputs; k++)
        in2[k] = in2[def->n_inputs + k] = in[k];
    if (run(def, in, n, p[1], same1) == 0) {
        if (slab_ind_run_multi(def, 2, in2, n, pm, multi, &err) != SLAB_OK)
            abort();
        for (int k = 0; k < def->n_outputs; k++) {
            expect_same("multi one input, lane 0", def, k, full[k], multi[k], n);
            expect_same("multi one input, lane 1", def, k, same1[k], multi[def->n_outputs + k], n);
        }
    }
    release(def, same1);
    for (int k = 0; k < 2 * def->n_outputs; k++)
        free(multi[k]);
    release(def, single1);
    release(def, full);
    return 0;
}
