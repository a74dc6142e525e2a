/* bench_csv.c: the CSV loader alone on one file, in process: the best of
 * N loads (parse, checks, SHA-256 of the file), in ms, and the bars per
 * second. Figures only.
 *
 *   build/bench_csv FILE.csv [runs]
 */
#include "stratlab/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int runs = argc > 2 ? atoi(argv[2]) : 25;
    double best = 1e300;
    size_t n = 0;
    if (argc < 2 || runs < 1) {
        fprintf(stderr, "usage: bench_csv FILE.csv [runs]\n");
        return 2;
    }
    for (int k = 0; k < runs; k++) {
        slab_bars *b = NULL;
        slab_error err;
        double t0 = now_s();
        if (slab_csv_load(argv[1], NULL, &b, NULL, &err) != SLAB_OK) {
            fprintf(stderr, "bench_csv: %s: %s\n", err.where, err.msg);
            return 1;
        }
        double t = now_s() - t0;
        best = t < best ? t : best;
        n = b->n;
        slab_bars_free(b);
    }
    printf("%s: %zu bars, best of %d loads %.2f ms (%.1f M bars/s)\n", argv[1], n, runs,
           best * 1e3, (double)n / best / 1e6);
    return 0;
}
