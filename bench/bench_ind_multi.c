/* bench_ind_multi.c: the multi-series form (slab_ind_run_multi) against
 * calling the single-series kernel once per series, and against the memory
 * floor: a plain streaming loop that reads the same input bytes and writes
 * the same output bytes (one add per input, nothing else). k series of
 * n bars each (distinct copies of the sample generator's random walk, seed
 * 42; periods differ per series: a parameter sweep), outputs allocated and
 * touched beforehand. Prints ns per series-bar (best of reps), GB/s of
 * input+output, and how far each form is from the floor.
 * usage: bench_ind_multi [n_bars] [k_series] [reps]
 * SLAB_MULTI_WIDTH=2 in the environment forces the SSE2 lane kernels. */
#include "ind/ind_int.h"
#include "stratlab/data.h"
#include "stratlab/ind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The floor: out = in0 (+ in1 + in2), series by series. noinline keeps
 * the compiler from dropping or fusing it across reps. */
__attribute__((noinline)) static void stream(const double *const *in, int n_in, size_t n,
                                             double *out)
{
    if (n_in == 1)
        for (size_t i = 0; i < n; i++)
            out[i] = in[0][i] + 1.0;
    else
        for (size_t i = 0; i < n; i++)
            out[i] = in[0][i] + in[1][i] + in[2][i];
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
    int k = argc > 2 ? atoi(argv[2]) : 8, reps = argc > 3 ? atoi(argv[3]) : 5;
    const char *names[] = {"SMA", "EMA", "RSI", "ATR"};
    slab_bars *b = NULL;
    slab_error err;

    if (k < 1 || slab_sample_generate(42, n, SLAB_TF_MINUTES, 1, slab_days_from_civil(2010, 1, 4),
                                      &b, &err) != SLAB_OK)
        return 1;
    /* Distinct arrays per series so that no series reads another's
     * cached input: high, low, close for each. */
    double **cols = malloc((size_t)k * 3 * sizeof *cols), **outs = malloc((size_t)k * sizeof *outs);
    const double **in = malloc((size_t)k * 3 * sizeof *in);
    double *p = malloc((size_t)k * SLAB_IND_MAX_PARAMS * sizeof *p);
    if (!cols || !outs || !in || !p)
        return 1;
    for (int s = 0; s < k; s++) {
        const double *src[3] = {b->high, b->low, b->close};
        for (int j = 0; j < 3; j++) {
            cols[s * 3 + j] = malloc(n * sizeof(double));
            if (!cols[s * 3 + j])
                return 1;
            memcpy(cols[s * 3 + j], src[j], n * sizeof(double));
        }
        outs[s] = calloc(n, sizeof(double));
        if (!outs[s])
            return 1;
    }
    const char *w = getenv("SLAB_MULTI_WIDTH");
    int width = slab__ind_multi_width(w ? atoi(w) : 0);
    printf("%zu bars x %d series, best of %d, lanes %d doubles wide; ns per series-bar, GB/s of "
           "input+output\n",
           n, k, reps, width);
    printf("%-5s %12s %12s %12s %10s %10s %12s\n", "", "single", "multi", "floor", "multi GB/s",
           "floor GB/s", "multi/floor");
    for (size_t c = 0; c < sizeof names / sizeof names[0]; c++) {
        const slab_ind_def *d = slab_ind_find(names[c], NULL);
        int ni = d->n_inputs;
        double t1 = 1e300, tm = 1e300, tf = 1e300;
        for (int s = 0; s < k; s++) {
            for (int j = 0; j < ni; j++) /* ATR: high, low, close; else close */
                in[s * ni + j] = cols[s * 3 + (ni == 3 ? j : 2)];
            for (int j = 0; j < d->n_params; j++)
                p[s * d->n_params + j] = d->params[j].def;
            p[s * d->n_params] = 14 + s % 8; /* a sweep over the period */
        }
        for (int r = 0; r < reps; r++) {
            double t0 = now_s();
            for (int s = 0; s < k; s++)
                if (d->fn(in + s * ni, n, p + s * d->n_params, &outs[s], &err) != SLAB_OK)
                    return 1;
            double ta = now_s();
            if (slab_ind_run_multi(d, (size_t)k, in, n, p, outs, &err) != SLAB_OK)
                return 1;
            double tb = now_s();
            for (int s = 0; s < k; s++)
                stream(in + s * ni, ni, n, outs[s]);
            double tc = now_s();
            t1 = ta - t0 < t1 ? ta - t0 : t1;
            tm = tb - ta < tm ? tb - ta : tm;
            tf = tc - tb < tf ? tc - tb : tf;
        }
        double bars = (double)n * k, bytes = bars * 8.0 * (ni + 1);
        printf("%-5s %12.3f %12.3f %12.3f %10.1f %10.1f %11.2fx\n", names[c], t1 * 1e9 / bars,
               tm * 1e9 / bars, tf * 1e9 / bars, bytes / tm * 1e-9, bytes / tf * 1e-9, tm / tf);
    }
    for (int s = 0; s < k; s++) {
        for (int j = 0; j < 3; j++)
            free(cols[s * 3 + j]);
        free(outs[s]);
    }
    free(cols);
    free(outs);
    free(in);
    free(p);
    slab_bars_free(b);
    return 0;
}
