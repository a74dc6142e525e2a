/* bench_numbers.c: the cost of one number's text (slab_num_format, which
 * every JSON writer uses: a sweep's line holds about 56 of them) beside
 * glibc's "%.17g", which is longer text but no search for the shortest.
 * Two sets of 4,096 doubles from a fixed xorshift stream: every scale the
 * writer meets (1e-6 .. 1e5 times a uniform value, less 0.3 so some are
 * negative) and ordinary sizes (1e-3 .. 1e4). Best of 5 passes of 100
 * rounds each, in nanoseconds a number.
 * usage: bench_numbers */
#include "stratlab/core.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum { N = 4096, ROUNDS = 100, PASSES = 5 };

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void fill(double *x, int lo_exp, int n_exp)
{
    uint64_t s = 1;
    for (int i = 0; i < N; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double u = (double)(s >> 11) / 9007199254740992.0;
        x[i] = (u - 0.3) * pow(10.0, (double)((int)(s % (uint64_t)n_exp) + lo_exp));
    }
}

/* Best nanoseconds a number over PASSES passes; printf: "%.17g" instead. */
static double time_set(const double *x, int printf_)
{
    char buf[64];
    volatile size_t sink = 0;
    double best = 1e30;
    for (int p = 0; p < PASSES; p++) {
        double t0 = now_s();
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < N; i++) {
                if (printf_)
                    snprintf(buf, sizeof buf, "%.17g", x[i]);
                else
                    slab_num_format(x[i], buf, sizeof buf);
                sink += (size_t)buf[0];
            }
        double t = (now_s() - t0) / ROUNDS / N * 1e9;
        best = t < best ? t : best;
    }
    return best;
}

int main(void)
{
    static double every[N], ordinary[N];
    fill(every, -6, 12);
    fill(ordinary, -3, 8);
    printf("bench_numbers: %d doubles a set, best of %d passes of %d rounds\n", N, PASSES, ROUNDS);
    printf("  every scale (1e-6..1e5):  slab_num_format %.1f ns, %%.17g %.1f ns a number\n",
           time_set(every, 0), time_set(every, 1));
    printf("  ordinary (1e-3..1e4):     slab_num_format %.1f ns, %%.17g %.1f ns a number\n",
           time_set(ordinary, 0), time_set(ordinary, 1));
    return 0;
}
