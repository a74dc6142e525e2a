/* bench_vs_talib.c: our TA-Lib-convention kernels (the plain-named table
 * entries) against TA-Lib 0.6.0-dev itself, side by side in one process:
 * same input (the sample generator's random walk, seed 42, 1-minute bars),
 * output arrays allocated and touched beforehand, TA-Lib's own temporaries
 * allocated per call as its callers see them, unstable period 0. Prints
 * ns/bar, best of `reps` runs, and the largest difference between the two
 * outputs (they must be bit-identical). Built by fetch_and_build.sh, never
 * by the product build (it needs TA-Lib's headers and library).
 * usage: bench_vs_talib [reps] [n_bars ...]   (default: 5 1000000 10000000) */
#include "stratlab/data.h"
#include "stratlab/ind.h"

#include "ta_libc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct io {
    const double *o, *h, *l, *c; /* inputs, n each */
    size_t n;
    double *out[3]; /* TA-Lib's outputs, packed from index 0 */
    int beg, nb;    /* TA-Lib's outBegIdx, outNBElement */
} io;

static int ta_sma(io *x)
{
    return TA_SMA(0, (int)x->n - 1, x->c, 20, &x->beg, &x->nb, x->out[0]);
}
static int ta_ema(io *x)
{
    return TA_EMA(0, (int)x->n - 1, x->c, 20, &x->beg, &x->nb, x->out[0]);
}
static int ta_rsi(io *x)
{
    return TA_RSI(0, (int)x->n - 1, x->c, 14, &x->beg, &x->nb, x->out[0]);
}
static int ta_macd(io *x)
{
    return TA_MACD(0, (int)x->n - 1, x->c, 12, 26, 9, &x->beg, &x->nb, x->out[0], x->out[1],
                   x->out[2]);
}
static int ta_atr(io *x)
{
    return TA_ATR(0, (int)x->n - 1, x->h, x->l, x->c, 14, &x->beg, &x->nb, x->out[0]);
}
static int ta_bbands(io *x)
{
    return TA_BBANDS(0, (int)x->n - 1, x->c, 20, 2.0, 2.0, TA_MAType_SMA, &x->beg, &x->nb,
                     x->out[0], x->out[1], x->out[2]);
}
static int ta_stoch(io *x)
{
    return TA_STOCH(0, (int)x->n - 1, x->h, x->l, x->c, 14, 3, TA_MAType_SMA, 3, TA_MAType_SMA,
                    &x->beg, &x->nb, x->out[0], x->out[1]);
}

/* One row: our table entry with parameters set by name, TA-Lib's call. */
typedef struct bcase {
    const char *label, *name;
    const char *pn[5]; /* parameter names, NULL-terminated */
    double pv[5];
    int (*ta)(io *);
} bcase;

static const bcase cases[] = {
    {"SMA(20)", "SMA", {"timeperiod"}, {20}, ta_sma},
    {"EMA(20)", "EMA", {"timeperiod"}, {20}, ta_ema},
    {"RSI(14)", "RSI", {"timeperiod"}, {14}, ta_rsi},
    {"MACD(12,26,9)", "MACD", {"fastperiod", "slowperiod", "signalperiod"}, {12, 26, 9}, ta_macd},
    {"ATR(14)", "ATR", {"timeperiod"}, {14}, ta_atr},
    {"BBANDS(20,2,2)",
     "BBANDS",
     {"timeperiod", "nbdevup", "nbdevdn", "matype"},
     {20, 2, 2, 0},
     ta_bbands},
    {"STOCH(14,3,3)",
     "STOCH",
     {"fastk_period", "slowk_period", "slowk_matype", "slowd_period", "slowd_matype"},
     {14, 3, 0, 3, 0},
     ta_stoch},
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const double *column(const io *x, const char *name)
{
    if (!strcmp(name, "high"))
        return x->h;
    if (!strcmp(name, "low"))
        return x->l;
    if (!strcmp(name, "open"))
        return x->o;
    return x->c;
}

/* Largest |ours - theirs| over TA-Lib's outputs, and the count of values
 * that differ in any bit (NaN before outBegIdx is required of ours). */
static double compare(const io *x, double *const *ours, int n_out, size_t *n_diff)
{
    double worst = 0.0;
    *n_diff = 0;
    for (int k = 0; k < n_out; k++) {
        for (size_t i = 0; i < (size_t)x->beg && i < x->n; i++)
            if (!isnan(ours[k][i]))
                (*n_diff)++;
        for (int i = 0; i < x->nb; i++) {
            double a = ours[k][(size_t)x->beg + (size_t)i], b = x->out[k][i];
            if (memcmp(&a, &b, sizeof a) != 0) {
                (*n_diff)++;
                worst = fabs(a - b) > worst || isnan(a - b) ? fabs(a - b) : worst;
            }
        }
    }
    return worst;
}

static int run_size(size_t n_bars, int reps)
{
    slab_bars *b = NULL;
    slab_error err;
    double *ours[SLAB_IND_MAX_OUTPUTS];
    io x = {0};

    if (slab_sample_generate(42, n_bars, SLAB_TF_MINUTES, 1, slab_days_from_civil(2010, 1, 4), &b,
                             &err) != SLAB_OK) {
        fprintf(stderr, "bench_vs_talib: %s\n", err.msg);
        return 1;
    }
    x = (io){b->open, b->high, b->low, b->close, b->n, {NULL}, 0, 0};
    for (int k = 0; k < SLAB_IND_MAX_OUTPUTS; k++) {
        ours[k] = malloc(b->n * sizeof(double));
        if (k < 3)
            x.out[k] = malloc(b->n * sizeof(double));
        if (!ours[k] || (k < 3 && !x.out[k]))
            return 1;
        memset(ours[k], 0, b->n * sizeof(double));
        if (k < 3)
            memset(x.out[k], 0, b->n * sizeof(double));
    }
    printf("\n%zu bars, best of %d (ns/bar)\n", b->n, reps);
    printf("%-16s %9s %9s %8s %14s %s\n", "indicator", "ours", "TA-Lib", "speedup", "max|diff|",
           "differing");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const bcase *bc = &cases[c];
        const slab_ind_def *d = slab_ind_find(bc->name, NULL);
        double p[SLAB_IND_MAX_PARAMS], t_ours = 1e300, t_ta = 1e300;
        const double *in[SLAB_IND_MAX_INPUTS];
        if (!d)
            return 1;
        for (int k = 0; k < d->n_params; k++)
            p[k] = d->params[k].def;
        for (int k = 0; k < 5 && bc->pn[k]; k++)
            p[slab_ind_param_index(d, bc->pn[k])] = bc->pv[k];
        for (int k = 0; k < d->n_inputs; k++)
            in[k] = column(&x, d->inputs[k]);
        for (int r = 0; r < reps; r++) {
            double t0 = now_s();
            if (d->fn(in, b->n, p, ours, &err) != SLAB_OK)
                return 1;
            double t1 = now_s();
            if (bc->ta(&x) != TA_SUCCESS)
                return 1;
            double t2 = now_s();
            t_ours = t1 - t0 < t_ours ? t1 - t0 : t_ours;
            t_ta = t2 - t1 < t_ta ? t2 - t1 : t_ta;
        }
        size_t n_diff;
        double worst = compare(&x, ours, d->n_outputs, &n_diff);
        printf("%-16s %9.2f %9.2f %7.2fx %14.3g %zu\n", bc->label, t_ours * 1e9 / (double)b->n,
               t_ta * 1e9 / (double)b->n, t_ta / t_ours, worst, n_diff);
    }
    for (int k = 0; k < SLAB_IND_MAX_OUTPUTS; k++) {
        free(ours[k]);
        if (k < 3)
            free(x.out[k]);
    }
    slab_bars_free(b);
    return 0;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    size_t sizes[8] = {1000000, 10000000};
    int n_sizes = 2;

    if (argc > 2) {
        n_sizes = 0;
        for (int i = 2; i < argc && n_sizes < 8; i++)
            sizes[n_sizes++] = (size_t)atol(argv[i]);
    }
    if (TA_Initialize() != TA_SUCCESS)
        return 1;
    printf("TA-Lib %s vs stratlab (ours = the plain-named TA-Lib-convention entries)\n",
           TA_GetVersionString());
    for (int i = 0; i < n_sizes; i++)
        if (run_size(sizes[i], reps) != 0)
            return 1;
    TA_Shutdown();
    return 0;
}
