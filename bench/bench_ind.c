/* bench_ind.c: indicator kernel speed. Every table entry with its default
 * parameters over a deterministic n-bar series (the sample generator, seed
 * 42, 1-minute bars), output arrays allocated and touched beforehand; prints
 * ns per bar, best of `reps` runs. Compare with the TA-Lib/Tulip figures in
 * ../shared/docs/indicator-conventions.md §6 (same class of machine).
 * usage: bench_ind [n_bars] [reps] [NAME ...] */
#include "stratlab/data.h"
#include "stratlab/ind.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const double *column(const slab_bars *b, const char *name)
{
    if (!strcmp(name, "open") || !strcmp(name, "b"))
        return b->open;
    if (!strcmp(name, "high") || !strcmp(name, "real0"))
        return b->high;
    if (!strcmp(name, "low") || !strcmp(name, "real1"))
        return b->low;
    if (!strcmp(name, "volume"))
        return b->volume;
    return b->close;
}

static int wanted(const char *name, int argc, char **argv)
{
    if (argc <= 3)
        return 1;
    for (int i = 3; i < argc; i++)
        if (!strcasecmp(argv[i], name))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    size_t n_bars = argc > 1 ? (size_t)atol(argv[1]) : 1000000, n;
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    slab_bars *b = NULL;
    slab_error err;
    double *out[SLAB_IND_MAX_OUTPUTS];
    const slab_ind_def *t = slab_ind_table(&n);

    if (slab_sample_generate(42, n_bars, SLAB_TF_MINUTES, 1, slab_days_from_civil(2010, 1, 4), &b,
                             &err) != SLAB_OK) {
        fprintf(stderr, "bench_ind: %s\n", err.msg);
        return 1;
    }
    for (int k = 0; k < SLAB_IND_MAX_OUTPUTS; k++) {
        out[k] = calloc(b->n, sizeof(double));
        if (!out[k])
            return 1;
    }
    printf("%-20s %10s   (%zu bars, best of %d)\n", "indicator", "ns/bar", b->n, reps);
    for (size_t i = 0; i < n; i++) {
        double p[SLAB_IND_MAX_PARAMS], best = 1e300;
        const double *in[SLAB_IND_MAX_INPUTS];
        if (!wanted(t[i].name, argc, argv))
            continue;
        for (int k = 0; k < t[i].n_params; k++)
            p[k] = t[i].params[k].def;
        for (int k = 0; k < t[i].n_inputs; k++)
            in[k] = column(b, t[i].inputs[k]);
        for (int r = 0; r < reps; r++) {
            double t0 = now_s();
            if (t[i].fn(in, b->n, p, out, &err) != SLAB_OK)
                break;
            double dt = now_s() - t0;
            best = dt < best ? dt : best;
        }
        printf("%-20s %10.2f\n", t[i].name, best * 1e9 / (double)b->n);
    }
    for (int k = 0; k < SLAB_IND_MAX_OUTPUTS; k++)
        free(out[k]);
    slab_bars_free(b);
    return 0;
}
