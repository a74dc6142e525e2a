/* extra.c: indicators TA-Lib 0.6 does not have, as batch kernels of the
 * table's shape (ind_extra.h): backtrader's CrossUp/CrossDown, Highest/
 * Lowest, WMA, HMA, ZLEMA and CCI in backtrader 1.9.78's arithmetic, plus
 * rolling mean/std/z-score/percent rank, session VWAP, Donchian and
 * Keltner channels. Each computes from bar 0, writes NaN before its first
 * valid bar, and starts later when the inputs start with NaN (a warm-up);
 * none allocates. Each kernel's comment cites its definition. */
#include "ind/ind_extra.h"
#include "ind/ind_int.h"

#include <math.h>
#include <string.h>

/* Python's max()/min() of two floats: keep a unless b is strictly better. */
/* The table entry: runs body on the inputs from their first common non-NaN
 * bar (ind_int.h's slab__ind_shifted). */
#define X_ENTRY(k, n_in, n_out)                                                                    \
    slab_status slab__ind_x_##k(const double *const *in, size_t n, const double *p,                \
                                double *const *out, slab_error *err)                               \
    {                                                                                              \
        return slab__ind_shifted(body_##k, n_in, n_out, in, n, p, out, err);                       \
    }

static double hi2(double a, double b)
{
    return b > a ? b : a;
}
static double lo2(double a, double b)
{
    return b < a ? b : a;
}

/* ---- CrossUp / CrossDown --------------------------------------------------
 * backtrader 1.9.78 crossover.py, _CrossBase: up = nzd(-1) < 0 and a > b,
 * down = nzd(-1) > 0 and a < b, where nzd (NonZeroDifference) is a - b
 * seeded at the first common bar and then the last non-zero difference.
 * Output 1.0 on a cross, else 0.0, from the second common bar. */
static void cross_dir(const double *a, const double *b, size_t n, double *out, int up)
{
    slab__ind_nan(out, 1, n);
    if (n == 0)
        return;
    double nzd = a[0] - b[0];
    for (size_t i = 1; i < n; i++) {
        int hit = up ? (nzd < 0.0 && a[i] > b[i]) : (nzd > 0.0 && a[i] < b[i]);
        out[i] = hit ? 1.0 : 0.0;
        double d = a[i] - b[i];
        if (d != 0.0)
            nzd = d;
    }
}

static int body_crossup(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    cross_dir(in[0], in[1], n, out[0], 1);
    return 0;
}
static int body_crossdown(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    cross_dir(in[0], in[1], n, out[0], 0);
    return 0;
}
X_ENTRY(crossup, 2, 1)
X_ENTRY(crossdown, 2, 1)
size_t slab__ind_x_crossup_lb(const double *p)
{
    (void)p;
    return 1;
}
size_t slab__ind_x_crossdown_lb(const double *p)
{
    (void)p;
    return 1;
}

/* ---- Rolling extremes: Highest, Lowest, Donchian ---------------------------
 * backtrader basicops.py Highest/Lowest: max()/min() of the last p values,
 * first at p-1. Computed with van Herk/Gil-Werman (1992): split the series
 * into blocks of p; the window ending at i is max(suffix max of its first
 * block from i-p+1, prefix max of i's block up to i). O(n), three
 * comparisons a bar, no memory: the suffix max for window i is parked in
 * out[i] by a backward pass, read and overwritten by the forward pass. */
/* One pass pair for max (sign > 0) or min; a macro so each direction
 * compiles to its own branch-free loop. */
#define ROLLING_EXT(x, n, p, out, pick)                                                            \
    do {                                                                                           \
        double run = 0.0;                                                                          \
        size_t k = (n - 1) % p; /* position of j in its block */                                   \
        for (size_t j = n; j-- > 0; k = k ? k - 1 : p - 1) {                                       \
            run = (k == p - 1 || j == n - 1) ? x[j] : pick(run, x[j]);                             \
            if (j + p <= n)                                                                        \
                out[j + p - 1] = run;                                                              \
        }                                                                                          \
        k = 0;                                                                                     \
        for (size_t i = 0; i < n; i++, k = k + 1 == p ? 0 : k + 1) {                               \
            run = k == 0 ? x[i] : pick(run, x[i]);                                                 \
            if (i + 1 >= p)                                                                        \
                out[i] = pick(out[i], run);                                                        \
        }                                                                                          \
    } while (0)

void slab__ind_rolling_ext(const double *x, size_t n, size_t p, double *out, int sign)
{
    slab__ind_nan(out, p - 1, n);
    if (n < p)
        return;
    if (sign > 0)
        ROLLING_EXT(x, n, p, out, hi2);
    else
        ROLLING_EXT(x, n, p, out, lo2);
}

static int body_highest(const double *const *in, size_t n, const double *p, double *const *out)
{
    slab__ind_rolling_ext(in[0], n, (size_t)p[0], out[0], 1);
    return 0;
}
static int body_lowest(const double *const *in, size_t n, const double *p, double *const *out)
{
    slab__ind_rolling_ext(in[0], n, (size_t)p[0], out[0], -1);
    return 0;
}
X_ENTRY(highest, 1, 1)
X_ENTRY(lowest, 1, 1)

/* Donchian channel (Richard Donchian; as in most charting packages, the
 * window includes the current bar): upper = highest high, lower = lowest
 * low over p bars, middle = (upper + lower)/2 (= TA-Lib MIDPRICE). */
static int body_donchian(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0];
    slab__ind_rolling_ext(in[0], n, per, out[0], 1);
    slab__ind_rolling_ext(in[1], n, per, out[2], -1);
    slab__ind_nan(out[1], per - 1, n);
    for (size_t i = per - 1; i < n; i++)
        out[1][i] = (out[0][i] + out[2][i]) / 2.0;
    return 0;
}
X_ENTRY(donchian, 2, 3)

static size_t lb_pm1(const double *p)
{
    return (size_t)p[0] - 1;
}
size_t slab__ind_x_highest_lb(const double *p)
{
    return lb_pm1(p);
}
size_t slab__ind_x_lowest_lb(const double *p)
{
    return lb_pm1(p);
}
size_t slab__ind_x_donchian_lb(const double *p)
{
    return lb_pm1(p);
}

/* ---- Rolling statistics: mean, std, z-score, percent rank ------------------
 * mean = math.fsum(window)/p (backtrader's Average/SMA, kernels.c), kept
 * as an exact window sum. std = sqrt(sum((x - mean)^2)/(p - ddof)): the
 * second pass over the window costs O(p) a bar but has no cancellation
 * (the running E[x^2]-E[x]^2 of TA-Lib's STDDEV leaves ~1e-6 on a flat
 * window after a volatile one, indicator-conventions.md §4); a window of
 * equal values gives exactly 0. zscore = (x - mean)/std. */
static int body_mean(const double *const *in, size_t n, const double *p, double *const *out)
{
    slab_ind_sma(in[0], n, (int)p[0], out[0]);
    return 0;
}
X_ENTRY(mean, 1, 1)
size_t slab__ind_x_mean_lb(const double *p)
{
    return lb_pm1(p);
}

enum { STAT_STD, STAT_Z };

/* out[i] = fsum(x[i+1-per..i]) for per - 1 <= i < n: exact fixed point where
 * the data allow, else a running fsum. */
static void window_sums(const double *x, size_t n, size_t per, double *out)
{
    slab_fsum acc;
    if (slab_fsum_window(x, n, per, 0, out))
        return;
    slab_fsum_init(&acc);
    for (size_t i = 0; i < n; i++) {
        slab_fsum_add(&acc, x[i]);
        if (i >= per)
            slab_fsum_add(&acc, -x[i - per]);
        if (i + 1 >= per)
            out[i] = slab_fsum_value(&acc);
    }
}

/* ss[j] = sum of (x[k] - m[j])^2 over the window ending at i + j, left to
 * right, for the nb <= 4 windows ending at i..i+nb-1: four independent
 * chains in one pass, each in the order a single window would take. */
static void window_ss(const double *x, size_t i, size_t per, size_t nb, const double *m, double *ss)
{
    const double *w = x + i + 1 - per;
    if (nb == 4) {
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        for (size_t k = 0; k < per; k++) {
            s0 += (w[k] - m[0]) * (w[k] - m[0]);
            s1 += (w[k + 1] - m[1]) * (w[k + 1] - m[1]);
            s2 += (w[k + 2] - m[2]) * (w[k + 2] - m[2]);
            s3 += (w[k + 3] - m[3]) * (w[k + 3] - m[3]);
        }
        ss[0] = s0, ss[1] = s1, ss[2] = s2, ss[3] = s3;
        return;
    }
    for (size_t j = 0; j < nb; j++) {
        ss[j] = 0.0;
        for (size_t k = j; k < j + per; k++)
            ss[j] += (w[k] - m[j]) * (w[k] - m[j]);
    }
}

/* std (what = STAT_STD) or z-score into out; flat_nan: z on a constant
 * window is NaN instead of 0. The window sums land in out first; each
 * block of four reads its sums before writing its results. */
static void rolling_stat(const double *x, size_t n, size_t per, double ddof, int what, int flat_nan,
                         double *out)
{
    size_t run = 0; /* equal values ending at i */
    double m[4], ss[4];
    slab__ind_nan(out, per - 1, n);
    if (n < per)
        return;
    window_sums(x, n, per, out);
    for (size_t i = 0; i + 1 < per; i++)
        run = (i > 0 && x[i] == x[i - 1]) ? run + 1 : 1;
    for (size_t i0 = per - 1; i0 < n; i0 += 4) {
        size_t nb = n - i0 < 4 ? n - i0 : 4;
        for (size_t j = 0; j < nb; j++)
            m[j] = out[i0 + j] / (double)per;
        window_ss(x, i0, per, nb, m, ss);
        for (size_t j = 0; j < nb; j++) {
            size_t i = i0 + j;
            run = (i > 0 && x[i] == x[i - 1]) ? run + 1 : 1;
            double sd = run < per ? sqrt(ss[j] / ((double)per - ddof)) : 0.0;
            if (what == STAT_STD)
                out[i] = sd;
            else
                out[i] = sd != 0.0 ? (x[i] - m[j]) / sd : (flat_nan ? NAN : 0.0);
        }
    }
}

static int body_std(const double *const *in, size_t n, const double *p, double *const *out)
{
    rolling_stat(in[0], n, (size_t)p[0], p[1], STAT_STD, 0, out[0]);
    return 0;
}
static int body_zscore(const double *const *in, size_t n, const double *p, double *const *out)
{
    rolling_stat(in[0], n, (size_t)p[0], p[1], STAT_Z, p[2] != 0.0, out[0]);
    return 0;
}
X_ENTRY(std, 1, 1)
X_ENTRY(zscore, 1, 1)
size_t slab__ind_x_std_lb(const double *p)
{
    return lb_pm1(p);
}
size_t slab__ind_x_zscore_lb(const double *p)
{
    return lb_pm1(p);
}

/* backtrader percentrank.py PercentRank: fsum(v < current for v in window)
 * / p over the p values ending at the current one (itself included, so the
 * lowest value of the window gives 0 and the highest (p-1)/p; ties count as
 * not below). O(p) a bar. */
static int body_percentrank(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0];
    const double *x = in[0];
    slab__ind_nan(out[0], per - 1, n);
    for (size_t i = per - 1; i < n; i++) {
        size_t below = 0;
        for (size_t j = i + 1 - per; j <= i; j++)
            below += x[j] < x[i];
        out[0][i] = (double)below / (double)per;
    }
    return 0;
}
X_ENTRY(percentrank, 1, 1)
size_t slab__ind_x_percentrank_lb(const double *p)
{
    return lb_pm1(p);
}

/* ---- backtrader WMA, HMA, ZLEMA --------------------------------------------
 * backtrader wma.py / basicops.py AverageWeighted: coef * math.fsum(x_k *
 * w_k) with weights 1..p (oldest to newest) and coef = 2/(p*(p+1.0)). Each
 * window is summed afresh (O(p) a bar): a running sum would not reproduce
 * fsum's rounding of the products. slab_fsum_ramp_windows gives fsum's value
 * bit for bit, four windows at a time. */
static double wma_coef(size_t per)
{
    return 2.0 / ((double)per * ((double)per + 1.0));
}

static int body_wma_bt(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0];
    double coef = wma_coef(per);
    slab__ind_nan(out[0], per - 1, n);
    if (n < per)
        return 0;
    slab_fsum_ramp_windows(in[0], n + 1 - per, per, out[0] + per - 1);
    for (size_t i = per - 1; i < n; i++)
        out[0][i] = coef * out[0][i];
    return 0;
}
X_ENTRY(wma_bt, 1, 1)
size_t slab__ind_x_wma_bt_lb(const double *p)
{
    return lb_pm1(p);
}

/* The largest int(sqrt(p)) for p <= 100000 (the table's limit), plus room. */
#define HMA_RING 320
/* Bars per block of HMA's batched WMA sums. */
#define HMA_BLOCK 256

/* backtrader hma.py HullMovingAverage: wma(2.0*wma(x, p//2) - wma(x, p),
 * int(sqrt(p))), all three backtrader WMAs; first output at p-1 +
 * int(sqrt(p))-1 (33 for the default 30, as its docstring says). Blocks of
 * HMA_BLOCK bars: both WMAs' sums for the block, then the differences d
 * (after the last q-1 of the previous block) and their WMA sums. */
static int body_hma(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0], half = per / 2, q = (size_t)sqrt((double)per);
    double wh[HMA_BLOCK], wf[HMA_BLOCK], d[HMA_RING + HMA_BLOCK] = {0.0}, ws[HMA_BLOCK];
    double ch = wma_coef(half), cf = wma_coef(per), cq;
    const double *x = in[0];
    if (q > HMA_RING)
        q = HMA_RING; /* unreachable within the table's range */
    cq = wma_coef(q);
    slab__ind_nan(out[0], per + q - 2, n);
    for (size_t i0 = per - 1; i0 < n; i0 += HMA_BLOCK) {
        size_t nb = n - i0 < HMA_BLOCK ? n - i0 : HMA_BLOCK;
        slab_fsum_ramp_windows(x + i0 + 1 - half, nb, half, wh);
        slab_fsum_ramp_windows(x + i0 + 1 - per, nb, per, wf);
        for (size_t j = 0; j < nb; j++)
            d[q - 1 + j] = 2.0 * (ch * wh[j]) - cf * wf[j];
        slab_fsum_ramp_windows(d, nb, q, ws);
        for (size_t j = 0; j < nb; j++)
            if (i0 + j >= per + q - 2)
                out[0][i0 + j] = cq * ws[j];
        memmove(d, d + nb, (q - 1) * sizeof d[0]);
    }
    return 0;
}
X_ENTRY(hma, 1, 1)
size_t slab__ind_x_hma_lb(const double *p)
{
    return (size_t)p[0] + (size_t)sqrt(p[0]) - 2;
}

/* backtrader zlema.py ZeroLagExponentialMovingAverage: lag = (p-1)//2,
 * d = 2*x - x[-lag], zlema = backtrader EMA(d, p): seeded with fsum of its
 * first p values / p, then y*(1-alpha) + d*alpha, alpha = 2/(1+p). */
static int body_zlema(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0], lag = (per - 1) / 2, first = lag + per - 1;
    double alpha = 2.0 / (1.0 + p[0]), alpha1 = 1.0 - alpha;
    const double *x = in[0];
    slab_fsum s;
    slab__ind_nan(out[0], first, n);
    if (first >= n)
        return 0;
    slab_fsum_init(&s);
    for (size_t i = lag; i <= first; i++)
        slab_fsum_add(&s, 2.0 * x[i] - x[i - lag]);
    double prev = slab_fsum_value(&s) / (double)per;
    out[0][first] = prev;
    for (size_t i = first + 1; i < n; i++)
        out[0][i] = prev = prev * alpha1 + (2.0 * x[i] - x[i - lag]) * alpha;
    return 0;
}
X_ENTRY(zlema, 1, 1)
size_t slab__ind_x_zlema_lb(const double *p)
{
    return ((size_t)p[0] - 1) / 2 + (size_t)p[0] - 1;
}

/* ---- Session VWAP -----------------------------------------------------------
 * sum(tp * volume)/sum(volume) since the session's first bar, tp = (high +
 * low + close)/3 (the usual definition, e.g. the CFA Institute's and most
 * brokers'); a session is a run of bars with the same `day` input (the
 * calendar day number of the bar's time). Both sums are exact (fsum). NaN
 * while the session has no volume yet (the ratio is undefined). */
static int body_vwap(const double *const *in, size_t n, const double *p, double *const *out)
{
    const double *h = in[0], *l = in[1], *c = in[2], *v = in[3], *day = in[4];
    slab_fsum pv, vol;
    (void)p;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || day[i] != day[i - 1]) {
            slab_fsum_init(&pv);
            slab_fsum_init(&vol);
        }
        slab_fsum_add(&pv, (h[i] + l[i] + c[i]) / 3.0 * v[i]);
        slab_fsum_add(&vol, v[i]);
        double den = slab_fsum_value(&vol);
        out[0][i] = den != 0.0 ? slab_fsum_value(&pv) / den : NAN;
    }
    return 0;
}
X_ENTRY(vwap, 5, 1)
size_t slab__ind_x_vwap_lb(const double *p)
{
    (void)p;
    return 0;
}

/* ---- Keltner channel ---------------------------------------------------------
 * Linda Bradford Raschke's form of Chester Keltner's channel (as in
 * StockCharts' "Keltner Channels"): middle = EMA(close, timeperiod), bands
 * = middle +/- multiplier * ATR(atrperiod). The EMA is TA-Lib's (SMA seed,
 * ((x-p)*k)+p) and the ATR TA-Lib's Wilder ATR (SMA seed of TR from bar 1),
 * so middle equals the EMA entry and the band width the ATR entry. */
slab_status slab__ind_x_keltner(const double *const *in, size_t n, const double *p,
                                double *const *out, slab_error *err)
{
    const double *close[1] = {in[2]};
    double *mid[1] = {out[1]}, *atr[1] = {out[0]};
    slab_status st = slab__ind_ta_ema(close, n, &p[0], mid, err);
    if (st == SLAB_OK)
        st = slab__ind_ta_atr(in, n, &p[1], atr, err);
    if (st != SLAB_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        double m = out[1][i], w = p[2] * out[0][i];
        if (isnan(m) || isnan(w)) {
            out[0][i] = out[1][i] = out[2][i] = NAN;
            continue;
        }
        out[0][i] = m + w;
        out[2][i] = m - w;
    }
    return SLAB_OK;
}
size_t slab__ind_x_keltner_lb(const double *p)
{
    size_t e = slab__ind_ta_ema_lb(&p[0]), a = slab__ind_lb_period(&p[1]);
    return e > a ? e : a;
}

/* ---- backtrader CCI ---------------------------------------------------------
 * backtrader cci.py CommodityChannelIndex with deviation.py MeanDeviation:
 * tp = (h + l + c)/3.0, tpmean = SMA(tp) (fsum), meandev = SMA(|tp[j] -
 * tpmean[j]|) where each bar j is taken about its *own* mean (not the
 * current one, as TA-Lib does), cci = (tp - tpmean)/(factor * meandev).
 * First output at 2p-2. Where meandev is 0, or the 2p-1 typical prices it
 * reads are all equal (meandev is then 0 or rounding residue), backtrader
 * divides by zero or by the residue; here the flat policy decides: 0
 * (flat=0) or NaN (flat=1).
 * out[0][j] holds tpmean[j] until a backward pass replaces it by cci[j];
 * meandev and the count of tp changes in the window slide backwards. */
static double tp_at(const double *const *in, size_t j)
{
    return (in[0][j] + in[1][j] + in[2][j]) / 3.0;
}

static int body_cci_bt(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0], first = 2 * per - 2, changes = 0;
    double factor = p[1], guard = p[2] != 0.0 ? NAN : 0.0, *o = out[0];
    slab_fsum acc, md;

    if (first >= n) {
        slab__ind_nan(o, n, n);
        return 0;
    }
    slab_fsum_init(&acc);
    for (size_t j = 0; j < n; j++) {
        slab_fsum_add(&acc, tp_at(in, j));
        if (j >= per)
            slab_fsum_add(&acc, -tp_at(in, j - per));
        if (j + 1 >= per)
            o[j] = slab_fsum_value(&acc) / (double)per;
    }
    slab_fsum_init(&md);
    for (size_t j = n - per; j < n; j++)
        slab_fsum_add(&md, fabs(tp_at(in, j) - o[j]));
    for (size_t j = n + 2 - 2 * per; j < n; j++)
        changes += tp_at(in, j) != tp_at(in, j - 1);
    for (size_t i = n - 1;; i--) {
        double dev = tp_at(in, i) - o[i], mdv = slab_fsum_value(&md) / (double)per;
        o[i] = (changes == 0 || mdv == 0.0) ? guard : dev / (factor * mdv);
        if (i == first)
            break;
        slab_fsum_add(&md, -fabs(dev));
        slab_fsum_add(&md, fabs(tp_at(in, i - per) - o[i - per]));
        changes -= tp_at(in, i) != tp_at(in, i - 1);
        changes += tp_at(in, i + 2 - 2 * per) != tp_at(in, i + 1 - 2 * per);
    }
    slab__ind_nan(o, first, n);
    return 0;
}
X_ENTRY(cci_bt, 3, 1)
size_t slab__ind_x_cci_bt_lb(const double *p)
{
    return 2 * (size_t)p[0] - 2;
}
