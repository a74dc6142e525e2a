/* test_fsum_fast.c: slab_fsum_fast and slab_fsum_ramp against slab_fsum
 * (Python math.fsum), bit for bit, and slab_fsum_sqdev against fsum of the
 * squared deviations, on millions of random and adversarial
 * windows: price-like walks, mixed magnitudes, catastrophic cancellation,
 * subnormals, exact half-ulp ties nudged either way, inf/nan and overflow;
 * slab_fsum_window and slab_fsum_ramp_windows against fsum of every window
 * of long series. */
#include "slab_test.h"
#include "stratlab/core.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unif(void)
{
    return (double)(rnd() >> 11) * 0x1p-53;
}

/* A random double with a full 53-bit mantissa, sign and exponent e. */
static double mant(int e)
{
    return ldexp(1.0 + unif(), e) * ((rnd() & 1) ? -1.0 : 1.0);
}

enum { GEN_PRICE, GEN_MIXED, GEN_CANCEL, GEN_SUBNORMAL, GEN_TIE, GEN_SPECIAL, GEN_N };

/* Fills x[0..n-1] with one window of kind g. */
static void gen(int g, double *x, size_t n)
{
    double p = 50.0 + 100.0 * unif();
    for (size_t k = 0; k < n; k++) {
        switch (g) {
        case GEN_PRICE: /* two-decimal prices, as CSV data gives */
            p += round((unif() - 0.5) * 100.0) / 100.0;
            x[k] = round(p * 100.0) / 100.0;
            break;
        case GEN_MIXED: x[k] = mant((int)(rnd() % 120) - 60); break;
        case GEN_CANCEL: /* big values and their negatives around small ones */
            x[k] = (rnd() & 3) ? mant((int)(rnd() % 20) - 10) : mant(52 + (int)(rnd() % 20));
            if (k > 0 && (rnd() & 1))
                x[k] = -x[k - 1];
            break;
        case GEN_SUBNORMAL:
            x[k] = (rnd() & 1) ? ldexp(mant(0), -1074 + (int)(rnd() % 60))
                               : mant(-1022 + (int)(rnd() % 40));
            break;
        case GEN_TIE: /* a, then ulp(a)/2, then nothing or a tiny nudge */
            if (k == 0)
                x[k] = mant((int)(rnd() % 80) - 40);
            else if (k == 1)
                x[k] = ldexp((rnd() & 1) ? 1.0 : -1.0, ilogb(x[0]) - 53);
            else
                x[k] = (rnd() % 3) ? 0.0 : ldexp(mant(0), ilogb(x[0]) - 80 - (int)(rnd() % 30));
            break;
        default: { /* GEN_SPECIAL */
            static const double sp[] = {INFINITY, -INFINITY, NAN,  1.7e308, -1.7e308,
                                        0x1p1000, -0.0,      1e16, -1e16,   1.0};
            x[k] = (rnd() % 4) ? sp[rnd() % (sizeof sp / sizeof sp[0])] : mant(0);
        }
        }
    }
}

static int same(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static double ramp_ref(const double *x, size_t n)
{
    slab_fsum s;
    slab_fsum_init(&s);
    for (size_t k = 0; k < n; k++)
        slab_fsum_add(&s, x[k] * (double)(k + 1));
    return slab_fsum_value(&s);
}

/* fsum of (x[k] - avg)^2 and the extras, one by one; the square is d * d,
 * rounded once, as slab_fsum_sqdev documents (pow(d, 2.0) is that in an
 * optimised build, libm's pow at -O0, which may differ in the last bit). */
static double sqdev_ref(const double *x, size_t n, double avg, const double *ex, size_t ne)
{
    slab_fsum s;
    slab_fsum_init(&s);
    for (size_t k = 0; k < n; k++)
        slab_fsum_add(&s, (x[k] - avg) * (x[k] - avg));
    for (size_t k = 0; k < ne; k++)
        slab_fsum_add(&s, ex[k]);
    return slab_fsum_value(&s);
}

static void fast_matches_fsum(void **state)
{
    (void)state;
    double x[80], ex[3];
    for (int g = 0; g < GEN_N; g++) {
        for (int it = 0; it < 400000; it++) {
            size_t n = 1 + rnd() % 70;
            gen(g, x, n);
            double want = slab_fsum_array(x, n), got = slab_fsum_fast(x, n);
            if (!same(got, want))
                fail_msg("gen %d window %d n=%zu: fast %a fsum %a", g, it, n, got, want);
            want = ramp_ref(x, n);
            got = slab_fsum_ramp(x, n);
            if (!same(got, want))
                fail_msg("gen %d window %d n=%zu: ramp %a fsum %a", g, it, n, got, want);
            /* squared deviations from a mean-like value, plus extra terms */
            size_t ne = rnd() % 3;
            double avg = (it & 1) ? x[rnd() % n] : x[0] * (1.0 + (unif() - 0.5) * 1e-3);
            gen(g, ex, ne);
            for (size_t k = 0; k < ne; k++)
                ex[k] = ex[k] * ex[k];
            want = sqdev_ref(x, n, avg, ex, ne);
            got = slab_fsum_sqdev(x, n, avg, ex, ne);
            if (!same(got, want) && !(isnan(got) && isnan(want)))
                fail_msg("gen %d window %d n=%zu: sqdev %a fsum %a", g, it, n, got, want);
            /* the same under a bound: the true max |x|, one too small
             * (the squares leave the grid: the exact way must answer), a
             * loose one, NaN */
            double xmax = 0.0;
            for (size_t k = 0; k < n; k++)
                xmax = fabs(x[k]) > xmax ? fabs(x[k]) : xmax;
            const double bounds[] = {xmax, xmax * 0.25, xmax * 1e6, NAN};
            for (size_t b = 0; b < sizeof bounds / sizeof bounds[0] && it % 4 == 0; b++) {
                got = slab_fsum_sqdev_within(x, n, avg, bounds[b], ex, ne);
                if (!same(got, want) && !(isnan(got) && isnan(want)))
                    fail_msg("gen %d window %d n=%zu bound %zu: sqdev_within %a fsum %a", g, it,
                             n, b, got, want);
                if (b == 1 || b == 3 || !(xmax == xmax))
                    continue; /* the unchecked form takes true bounds only */
                got = slab_fsum_sqdev_bounded(x, n, avg, bounds[b], ex, ne);
                if (!same(got, want) && !(isnan(got) && isnan(want)))
                    fail_msg("gen %d window %d n=%zu bound %zu: sqdev_bounded %a fsum %a", g, it,
                             n, b, got, want);
            }
        }
    }
}

/* slab_fsum_sqdev_within on long records like a sweep's excess returns
 * (tens of thousands of bar returns around a tiny mean, some fat-tailed,
 * some with ties at the mean): past SQ_FLUSH terms a lane, its integer sums
 * move to the 128-bit total several times; every answer is fsum's. */
static void sqdev_within_long(void **state)
{
    (void)state;
    const size_t n = 70001;
    double *x = malloc(n * sizeof *x), ex[2];
    assert_non_null(x);
    for (int rep = 0; rep < 24; rep++) {
        double sum = 0.0, xmax = 0.0;
        for (size_t k = 0; k < n; k++) {
            double u = unif() - 0.5;
            x[k] = rep % 3 == 0   ? u * 1e-3
                   : rep % 3 == 1 ? (unif() < 0.01 ? u * 0.2 : u * 1e-4)
                                  : (k % 7 == 0 ? 0.0 : u * 0x1p-20);
            x[k] -= 1.2e-7; /* an excess return's rate */
            sum += x[k];
            xmax = fabs(x[k]) > xmax ? fabs(x[k]) : xmax;
        }
        double avg = rep % 2 ? sum / (double)n : x[5];
        size_t ne = (size_t)rep % 3;
        ex[0] = 7.0 * (1.2e-7 + avg) * (1.2e-7 + avg);
        ex[1] = 1e-12;
        double want = sqdev_ref(x, n, avg, ex, ne);
        double got = slab_fsum_sqdev_within(x, n, avg, xmax, ex, ne);
        if (!same(got, want))
            fail_msg("rep %d: sqdev_within %a fsum %a", rep, got, want);
        got = slab_fsum_sqdev_bounded(x, n, avg, xmax, ex, ne);
        if (!same(got, want))
            fail_msg("rep %d: sqdev_bounded %a fsum %a", rep, got, want);
        got = slab_fsum_sqdev_within(x, n - 5, avg, xmax, ex, ne);
        want = sqdev_ref(x, n - 5, avg, ex, ne);
        if (!same(got, want))
            fail_msg("rep %d, n - 5: sqdev_within %a fsum %a", rep, got, want);
    }
    free(x);
}

/* slab_fsum_sqdev_bounded with squares just below a power of two 2^K, at
 * the bound itself: the unchecked form relies on the bound's margin to
 * keep every square's sum with the grid's constant in its binade
 * (sqdev_grid); terms at the bound, ties and small ones, every answer
 * fsum's. */
static void sqdev_bounded_edge(void **state)
{
    (void)state;
    double x[40];
    for (int K = -30; K <= 30; K += 7)
        for (int j = 0; j < 400; j++) {
            double top = sqrt(ldexp(1.0, K) * (1.0 - (double)j * 0x1p-53));
            for (size_t k = 0; k < 40; k++)
                x[k] = k % 5 == 0 ? top : k % 5 == 1 ? -top : top * (unif() - 0.5);
            double want = sqdev_ref(x, 40, 0.0, NULL, 0);
            double got = slab_fsum_sqdev_bounded(x, 40, 0.0, top, NULL, 0);
            if (!same(got, want))
                fail_msg("K %d, j %d: sqdev_bounded %a fsum %a", K, j, got, want);
        }
}

static void fast_hand_cases(void **state)
{
    (void)state;
    /* {inputs, n}: compared with fsum; the comments give fsum's value. */
    static const struct {
        double x[5];
        int n;
    } rows[] = {
        {{1e16, 1.0, -1e16}, 3},                 /* 1 */
        {{0x1p53, 1.0}, 2},                      /* tie: 2^53, even */
        {{0x1p53, 1.0, 0x1p-60}, 3},             /* past the tie: 2^53+2 */
        {{0x1p53, 1.0, -0x1p-60}, 3},            /* short of it: 2^53 */
        {{0x1p53 + 2.0, 1.0}, 2},                /* tie to even: 2^53+4 */
        {{1.0, -0x1p-54}, 2},                    /* toward zero from 2^0 */
        {{1.0, -0x1p-54, -0x1p-70}, 3},          /* 1 - 2^-53 */
        {{-0.0, -0.0}, 2},                       /* +0.0 */
        {{0.1, -0.1}, 2},                        /* +0.0 */
        {{0x1p-1074, 0x1p-1074, -0x1p-1073}, 3}, /* subnormal cancel */
        {{INFINITY, -INFINITY}, 2},              /* nan */
        {{INFINITY, 1.0}, 2},                    /* inf */
        {{1.7e308, 1.7e308, -1.7e308}, 3},       /* fsum overflows: inf */
        {{0.0}, 0},                              /* empty: 0 */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        size_t n = (size_t)rows[i].n;
        double want = slab_fsum_array(rows[i].x, n), got = slab_fsum_fast(rows[i].x, n);
        if (!same(got, want))
            fail_msg("row %zu: fast %a fsum %a", i, got, want);
        if (!same(slab_fsum_ramp(rows[i].x, n), ramp_ref(rows[i].x, n)))
            fail_msg("row %zu: ramp differs", i);
    }
}

/* A series of kind g for the sliding windows: price-like, prices with
 * their squares' range, two-binade mixes at the range's edge, ties. */
static void gen_series(int g, double *x, size_t n)
{
    double p = 20.0 + 2000.0 * unif();
    for (size_t i = 0; i < n; i++) {
        switch (g) {
        case 0:
            p += round((unif() - 0.5) * 40.0) / 100.0;
            x[i] = round(fabs(p) * 100.0) / 100.0;
            break;
        case 1: /* magnitudes spanning 2^40..2^50: some series in range, some not */
            x[i] = mant((int)(rnd() % (size_t)(40 + g)) - 20);
            break;
        case 2: x[i] = (rnd() & 1) ? mant(0) : ldexp(1.0, (int)(rnd() % 60) - 53); break;
        default: x[i] = (rnd() % 5) ? mant((int)(rnd() % 3)) : 0.0;
        }
    }
}

static void window_matches_fsum(void **state)
{
    (void)state;
    enum { N = 4000 };
    static double x[N], got[N];
    long done = 0;
    for (int it = 0; it < 400; it++) {
        int g = it % 4, square = (it / 4) % 2;
        size_t p = 1 + rnd() % 64;
        gen_series(g, x, N);
        if (!slab_fsum_window(x, N, p, square, got))
            continue;
        done++;
        for (size_t i = p - 1; i < N; i++) {
            slab_fsum s;
            slab_fsum_init(&s);
            for (size_t j = i + 1 - p; j <= i; j++)
                slab_fsum_add(&s, square ? x[j] * x[j] : x[j]);
            double want = slab_fsum_value(&s);
            if (!same(got[i], want))
                fail_msg("series %d (kind %d, p %zu, square %d) at %zu: window %a fsum %a", it, g,
                         p, square, i, got[i], want);
        }
    }
    assert_true(done > 200);           /* the fixed-point path ran, not only its refusals */
    for (int it = 0; it < 200; it++) { /* every WMA window at once */
        size_t p = 1 + rnd() % 40, count = N + 1 - p;
        gen_series(it % 4, x, N);
        if (it % 10 == 9)
            x[rnd() % N] = (it % 20 == 9) ? NAN : 0x1p950;
        slab_fsum_ramp_windows(x, count, p, got);
        for (size_t j = 0; j < count; j++)
            if (!same(got[j], ramp_ref(x + j, p)))
                fail_msg("ramp series %d (p %zu) window %zu: %a fsum %a", it, p, j, got[j],
                         ramp_ref(x + j, p));
    }
    /* Out of range: refused, so the caller sums with fsum. */
    double bad[3] = {1.0, NAN, 2.0}, wide[2] = {1.0, 0x1p60}, tiny[2] = {1.0, 0x1p-1000};
    assert_int_equal(slab_fsum_window(bad, 3, 2, 0, got), 0);
    assert_int_equal(slab_fsum_window(wide, 2, 2, 0, got), 0);
    assert_int_equal(slab_fsum_window(tiny, 2, 2, 0, got), 0);
    assert_int_equal(slab_fsum_window(wide, 2, 2, 1, got), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fast_hand_cases),
        cmocka_unit_test(fast_matches_fsum),
        cmocka_unit_test(window_matches_fsum),
        cmocka_unit_test(sqdev_within_long),
        cmocka_unit_test(sqdev_bounded_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
