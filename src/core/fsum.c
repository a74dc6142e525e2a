/* fsum.c: exactly rounded floating-point summation (Shewchuk 1997,
 * "Adaptive Precision Floating-Point Arithmetic"), the algorithm Python's
 * math.fsum uses. backtrader's SMA, BollingerBands, SharpeRatio, SQN and VWR
 * sum with math.fsum, so bit parity needs the same correctly rounded sums.
 * Invariant: p[0..n-1] are non-overlapping, increasing in magnitude, and
 * their exact sum is the exact sum of every finite value added. */
#include "stratlab/core.h"

#include <math.h>

void slab_fsum_init(slab_fsum *s)
{
    s->n = 0;
    s->special = 0.0;
    s->overflow = 0;
}

void slab_fsum_add(slab_fsum *s, double x)
{
    int i = 0;

    if (!isfinite(x)) {
        s->special += x; /* inf + -inf gives nan, as fsum does */
        return;
    }
    for (int j = 0; j < s->n; j++) {
        double y = s->p[j];
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        double hi = x + y;
        double lo = y - (hi - x);
        if (lo != 0.0)
            s->p[i++] = lo;
        x = hi;
    }
    if (x != 0.0) {
        if (!isfinite(x)) {
            s->overflow = 1;
            s->special += x;
            s->n = 0;
            return;
        }
        if (i < SLAB_FSUM_PARTIALS)
            s->p[i++] = x;
    }
    s->n = i;
}

double slab_fsum_value(const slab_fsum *s)
{
    int n = s->n;
    double hi = 0.0, lo = 0.0;

    if (s->special != 0.0 || s->overflow)
        return s->special;
    if (n == 0)
        return 0.0;
    hi = s->p[--n];
    while (n > 0) {
        double x = hi, y = s->p[--n];
        hi = x + y;
        double yr = hi - x;
        lo = y - yr;
        if (lo != 0.0)
            break;
    }
    /* Round half-even correctly when the remaining partials push the
     * discarded part past exactly half an ulp. */
    if (n > 0 && ((lo < 0.0 && s->p[n - 1] < 0.0) || (lo > 0.0 && s->p[n - 1] > 0.0))) {
        double y = lo * 2.0;
        double x = hi + y;
        double yr = x - hi;
        if (y == yr)
            hi = x;
    }
    return hi;
}

double slab_fsum_array(const double *x, size_t n)
{
    slab_fsum s;

    slab_fsum_init(&s);
    for (size_t i = 0; i < n; i++)
        slab_fsum_add(&s, x[i]);
    return slab_fsum_value(&s);
}
