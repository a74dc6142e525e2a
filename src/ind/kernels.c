/* kernels.c: the batch kernels the backtrader-parity strategies need, in
 * backtrader 1.9.78's exact arithmetic (docs/backtrader-semantics.md §7):
 * SMA as math.fsum(window)/p, EMA/SMMA seeded by that SMA, RSI, Bollinger
 * bands, CrossOver. Leading values are NaN until each kernel's lookback;
 * NaN inputs (an upstream warm-up) shift the start the same way. */
#include "stratlab/ind.h"

#include <math.h>
#include <string.h>

/* First index at which x is not NaN, or n. */
static size_t first_valid(const double *x, size_t n)
{
    size_t i = 0;
    while (i < n && isnan(x[i]))
        i++;
    return i;
}

static void fill_nan(double *out, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        out[i] = NAN;
}

typedef double v4d_k __attribute__((vector_size(32)));

/* out holds the window sums of period from its first valid bar s on: NaN
 * before the first whole window, each sum divided by the period after,
 * four lanes at a time (a division per lane, the same bits; one scalar
 * division a value was the larger part of a sweep's SMA time). */
static void sums_to_sma(double *out, size_t n, size_t s, int period)
{
    size_t first = s + (size_t)period - 1, i = first;
    const double p = (double)period;
    const v4d_k pv = {p, p, p, p};
    fill_nan(out, 0, first);
    for (; i + 4 <= n; i += 4) {
        v4d_k v;
        memcpy(&v, out + i, sizeof v);
        v /= pv;
        memcpy(out + i, &v, sizeof v);
    }
    for (; i < n; i++)
        out[i] /= p;
}

void slab_ind_sma(const double *x, size_t n, int period, double *out)
{
    size_t s = first_valid(x, n), p = (size_t)period;
    slab_fsum acc;

    if (period < 1 || s + p > n) {
        fill_nan(out, 0, n);
        return;
    }
    /* Exact window sums in fixed point where the data allow (prices do);
     * else a running fsum: adding x[i] and later -x[i-p] keeps the exact
     * sum of the window. Either way each value is fsum(window)/p. */
    if (slab_fsum_window(x + s, n - s, p, 0, out + s)) {
        sums_to_sma(out, n, s, period);
        return;
    }
    fill_nan(out, 0, s + p - 1); /* every later bar gets its value */
    slab_fsum_init(&acc);
    for (size_t i = s; i < n; i++) {
        slab_fsum_add(&acc, x[i]);
        if (i >= s + p)
            slab_fsum_add(&acc, -x[i - p]);
        if (i + 1 >= s + p)
            out[i] = slab_fsum_value(&acc) / (double)period;
    }
}

void slab_ind_sma_many(const double *x, size_t n, const int *period, size_t k, double *const *out)
{
    enum { CHUNK = 64 };
    size_t s = first_valid(x, n);
    for (size_t c = 0; c < k; c += CHUNK) {
        size_t ps[CHUNK], m = 0;
        double *o[CHUNK];
        int who[CHUNK];
        for (size_t j = c; j < k && j < c + CHUNK; j++) {
            if (period[j] < 1 || s + (size_t)period[j] > n) {
                slab_ind_sma(x, n, period[j], out[j]); /* all NaN */
                continue;
            }
            ps[m] = (size_t)period[j];
            o[m] = out[j] + s;
            who[m++] = (int)j;
        }
        if (m > 1 && slab_fsum_windows(x + s, n - s, ps, m, o)) {
            for (size_t j = 0; j < m; j++)
                sums_to_sma(out[who[j]], n, s, period[who[j]]);
            continue;
        }
        for (size_t j = 0; j < m; j++) /* one window at a time (or another range) */
            slab_ind_sma(x, n, period[who[j]], out[who[j]]);
    }
}

void slab_ind_ema_alpha(const double *x, size_t n, int period, double alpha, double *out)
{
    size_t s = first_valid(x, n), p = (size_t)period;
    double alpha1 = 1.0 - alpha;

    fill_nan(out, 0, n);
    if (period < 1 || s + p > n)
        return;
    double prev = slab_fsum_array(x + s, p) / (double)period;
    out[s + p - 1] = prev;
    for (size_t i = s + p; i < n; i++)
        out[i] = prev = prev * alpha1 + x[i] * alpha;
}

/* Python's max(d, 0.0): returns d unless 0.0 > d. */
static double pymax0(double d) { return 0.0 > d ? 0.0 : d; }

void slab_ind_rsi(const double *close, size_t n, int period, double *out)
{
    size_t s = first_valid(close, n), p = (size_t)period;
    double alpha = 1.0 / period, alpha1 = 1.0 - alpha;

    fill_nan(out, 0, n);
    if (period < 1 || s + p + 1 > n)
        return;
    /* Seed: the mean (fsum) of the first p moves, which start at s+1. */
    slab_fsum su, sd;
    slab_fsum_init(&su);
    slab_fsum_init(&sd);
    for (size_t i = s + 1; i <= s + p; i++) {
        slab_fsum_add(&su, pymax0(close[i] - close[i - 1]));
        slab_fsum_add(&sd, pymax0(close[i - 1] - close[i]));
    }
    double up = slab_fsum_value(&su) / period, dn = slab_fsum_value(&sd) / period;
    for (size_t i = s + p;; i++) {
        if (i > s + p) {
            up = up * alpha1 + pymax0(close[i] - close[i - 1]) * alpha;
            dn = dn * alpha1 + pymax0(close[i - 1] - close[i]) * alpha;
        }
        if (dn != 0.0)
            out[i] = 100.0 - 100.0 / (1.0 + up / dn);
        else
            out[i] = up != 0.0 ? 100.0 : 50.0;
        if (i + 1 >= n)
            break;
    }
}

/* One row of the bands from the window's mean m and mean square meansq.
 * backtrader: pow(abs(meansq - pow(mean, 2)), 0.5); Python's float pow
 * calls the C library's pow, so we do too. */
static void bb_row(double m, double meansq, double devup, double devdn, double *top, double *mid,
                   double *bot)
{
    double sd = pow(fabs(meansq - pow(m, 2.0)), 0.5);
    *mid = m;
    *top = m + devup * sd;
    *bot = m - devdn * sd;
}

void slab_ind_bbands(const double *x, size_t n, int period, double devup, double devdn,
                     double *top, double *mid, double *bot)
{
    size_t s = first_valid(x, n), p = (size_t)period;
    slab_fsum sx, sq;

    fill_nan(top, 0, n);
    fill_nan(mid, 0, n);
    fill_nan(bot, 0, n);
    if (period < 1 || s + p > n)
        return;
    /* The exact window sums of x and x*x land in mid and top first. */
    if (slab_fsum_window(x + s, n - s, p, 0, mid + s) &&
        slab_fsum_window(x + s, n - s, p, 1, top + s)) {
        for (size_t i = s + p - 1; i < n; i++)
            bb_row(mid[i] / period, top[i] / period, devup, devdn, &top[i], &mid[i], &bot[i]);
        return;
    }
    slab_fsum_init(&sx);
    slab_fsum_init(&sq);
    for (size_t i = s; i < n; i++) {
        slab_fsum_add(&sx, x[i]);
        slab_fsum_add(&sq, x[i] * x[i]);
        if (i >= s + p) {
            slab_fsum_add(&sx, -x[i - p]);
            slab_fsum_add(&sq, -(x[i - p] * x[i - p]));
        }
        if (i + 1 < s + p)
            continue;
        bb_row(slab_fsum_value(&sx) / period, slab_fsum_value(&sq) / period, devup, devdn, &top[i],
               &mid[i], &bot[i]);
    }
}

void slab_ind_crossover(const double *a, const double *b, size_t n, double *out)
{
    size_t s = first_valid(a, n), sb = first_valid(b, n);
    if (sb > s)
        s = sb;
    fill_nan(out, 0, n);
    if (s + 1 >= n + 1)
        return;
    /* NonZeroDifference: seeded with a-b at the first common bar, then the
     * last non-zero difference. The cross reads its previous value. */
    double nzd = a[s] - b[s];
    for (size_t i = s + 1; i < n; i++) {
        double up = (nzd < 0.0 && a[i] > b[i]) ? 1.0 : 0.0;
        double down = (nzd > 0.0 && a[i] < b[i]) ? 1.0 : 0.0;
        out[i] = up - down;
        double d = a[i] - b[i];
        if (d != 0.0)
            nzd = d;
    }
}

int slab_ind_sma_cross_signs(const double *x, size_t n, int fast, int slow, double *scratch,
                             size_t block, signed char *out)
{
    size_t look = (size_t)(fast > slow ? fast : slow) - 1, room = block + look;
    double *fa = scratch, *sb = scratch + room, nzd = 0.0;
    int seen_a = 0, seen_b = 0, started = 0;
    if (fast < 1 || slow < 1 || block == 0)
        return -1;
    /* Each SMA value is fsum(window)/p of finite values, a function of its
     * window alone, so a block's values from the bars it needs are the
     * whole series' values. A non-finite value breaks that. */
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return -1;
    for (size_t a = 0; a < n; a += block) {
        size_t b = n - a < block ? n : a + block, from = a > look ? a - look : 0;
        slab_ind_sma(x + from, b - from, fast, fa);
        slab_ind_sma(x + from, b - from, slow, sb);
        /* slab_ind_crossover, one bar at a time: seeded at the first bar
         * where both SMAs have had a value, NaN there and before it */
        for (size_t i = a; i < b; i++) {
            double va = fa[i - from], vb = sb[i - from];
            if (!started) {
                seen_a |= !isnan(va);
                seen_b |= !isnan(vb);
                out[i] = SLAB_SIGN_NAN;
                if ((started = seen_a && seen_b))
                    nzd = va - vb;
                continue;
            }
            int up = nzd < 0.0 && va > vb, down = nzd > 0.0 && va < vb;
            out[i] = (signed char)(up - down);
            double d = va - vb;
            if (d != 0.0)
                nzd = d;
        }
    }
    return 0;
}

void slab_ind_stoch_fastk_bt(const double *high, const double *low, const double *close, size_t n,
                             int period, double *out)
{
    size_t p = (size_t)period, s = first_valid(high, n);
    /* The windows start after the inputs' leading NaNs: a NaN inside a
     * window would be skipped by the comparisons, giving a value from part
     * of a window (found by fuzz/fuzz_ind.c). */
    if (first_valid(low, n) > s)
        s = first_valid(low, n);
    if (first_valid(close, n) > s)
        s = first_valid(close, n);
    fill_nan(out, 0, n);
    if (period < 1)
        return;
    for (size_t i = s + p - 1; i < n; i++) {
        double hh = high[i], ll = low[i];
        for (size_t j = i + 1 - p; j < i; j++) {
            hh = high[j] > hh ? high[j] : hh;
            ll = low[j] < ll ? low[j] : ll;
        }
        double den = hh - ll;
        out[i] = den != 0.0 ? 100.0 * ((close[i] - ll) / den) : 0.0;
    }
}
