/* talib_vol.c: volatility, volume, statistics, math and price transforms
 * in TA-Lib 0.6's exact arithmetic (ta_ATR.c, ta_NATR.c, ta_TRANGE.c,
 * ta_BBANDS.c, ta_STDDEV.c, ta_VAR.c, ta_OBV.c, ta_AD.c, ta_ADOSC.c,
 * ta_LINEARREG*.c, ta_TSF.c, ta_CORREL.c, ta_BETA.c, ta_SUM.c, ta_MAX.c,
 * ta_MIN.c, ta_MIDPOINT.c, ta_MIDPRICE.c, ta_SAR.c, price transforms),
 * including its one-pass running-sum variance and its zero guards. */
#include "ind/ind_extra.h"
#include "ind/ind_int.h"

#include <math.h>

static size_t lb_zero(const double *p)
{
    (void)p;
    return 0;
}

/* ---- True range, ATR, NATR ----------------------------------------------- */

static double tr_at(const double *h, const double *l, const double *c, size_t i)
{
    double r = h[i] - l[i], t = fabs(c[i - 1] - h[i]);
    if (t > r)
        r = t;
    t = fabs(c[i - 1] - l[i]);
    if (t > r)
        r = t;
    return r;
}

static int body_trange(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    slab__ind_nan(out[0], 1, n);
    for (size_t i = 1; i < n; i++)
        out[0][i] = tr_at(in[0], in[1], in[2], i);
    return 0;
}
size_t slab__ind_ta_trange_lb(const double *p)
{
    (void)p;
    return 1;
}
SLAB__TA_ENTRY(trange, 3, 1)

/* ATR: seed = SMA of TR[1..p] (running sum), then (atr*(p-1) + tr)/p,
 * with the true range computed in the same pass (TA-Lib fills a TRANGE
 * array first). The mul-add-divide chain is the floor. natr=1 gives
 * 100*ATR/close (0 when close is ~0). */
static void atr(const double *const *in, size_t n, int period, int natr, double *out)
{
    const double *h = in[0], *l = in[1], *c = in[2];
    size_t p = (size_t)period;
    double sum = 0.0, pm1 = period - 1, per = period;
    if (period == 1) {
        body_trange(in, n, NULL, &out);
    } else {
        slab__ind_nan(out, p, n);
        if (n <= p)
            return;
        for (size_t i = 1; i <= p; i++)
            sum += tr_at(h, l, c, i);
        double a = sum / per;
        out[p] = a;
        for (size_t i = p + 1; i < n; i++)
            out[i] = a = ((a * pm1) + tr_at(h, l, c, i)) / per;
    }
    if (natr)
        for (size_t i = p; i < n; i++)
            out[i] = SLAB__IS_ZERO(c[i]) ? 0.0 : (out[i] / c[i]) * 100.0;
}

static int body_atr(const double *const *in, size_t n, const double *p, double *const *out)
{
    atr(in, n, (int)p[0], 0, out[0]);
    return 0;
}
static int body_natr(const double *const *in, size_t n, const double *p, double *const *out)
{
    atr(in, n, (int)p[0], 1, out[0]);
    return 0;
}
SLAB__TA_ENTRY(atr, 3, 1)
SLAB__TA_ENTRY(natr, 3, 1)

/* ---- Variance family ------------------------------------------------------ */

/* Population variance from running sums: E[x^2] - E[x]^2 (ta_VAR.c). */
static void var0(const double *x, size_t n, int period, double *out)
{
    size_t p = (size_t)period;
    double s1 = 0.0, s2 = 0.0;
    slab__ind_nan(out, p - 1, n);
    for (size_t i = 0; i < n; i++) {
        s1 += x[i];
        s2 += x[i] * x[i];
        if (i + 1 < p)
            continue;
        double m1 = s1 / period, m2 = s2 / period, t = x[i + 1 - p];
        s1 -= t;
        s2 -= t * t;
        out[i] = m2 - (m1 * m1);
    }
}

static void stddev_of_var(double *v, size_t from, size_t n, double nbdev)
{
    for (size_t i = from; i < n; i++) {
        double t = v[i];
        if (nbdev != 1.0)
            v[i] = SLAB__IS_ZERO_OR_NEG(t) ? 0.0 : sqrt(t) * nbdev;
        else
            v[i] = SLAB__IS_ZERO_OR_NEG(t) ? 0.0 : sqrt(t);
    }
}

static int body_var(const double *const *in, size_t n, const double *p, double *const *out)
{
    var0(in[0], n, (int)p[0], out[0]);
    return 0;
}
static int body_stddev(const double *const *in, size_t n, const double *p, double *const *out)
{
    var0(in[0], n, (int)p[0], out[0]);
    stddev_of_var(out[0], (size_t)p[0] - 1, n, p[1]);
    return 0;
}
size_t slab__ind_ta_var_lb(const double *p)
{
    return (size_t)p[0] - 1;
}
size_t slab__ind_ta_stddev_lb(const double *p)
{
    return (size_t)p[0] - 1;
}
SLAB__TA_ENTRY(var, 1, 1)
SLAB__TA_ENTRY(stddev, 1, 1)

/* Upper and lower band from the middle and the sd, ta_BBANDS.c's order. */
static void bands(double m, double sd, double up, double dn, double *u, double *l)
{
    if (up == dn) {
        double d = up == 1.0 ? sd : sd * up;
        *u = m + d;
        *l = m - d;
    } else {
        *u = m + (up * sd);
        *l = m - (dn * sd);
    }
}

/* BBANDS over the SMA in one pass: the SMA's running sum and the running
 * sum of squares of TA_INT_stddev_using_precalc_ma side by side, then
 * sd = sqrt(E[x^2] - sma^2) (0 when that is ~0 or negative) and the bands.
 * The same roundings as TA-Lib's three passes. */
static void bbands_sma(const double *x, size_t n, int per, double up, double dn,
                       double *const *out)
{
    size_t q = (size_t)per;
    double s1 = 0.0, s2 = 0.0, dp = per, *u = out[0], *m = out[1], *l = out[2];
    for (int k = 0; k < 3; k++)
        slab__ind_nan(out[k], q - 1, n);
    if (n < q)
        return;
    for (size_t i = 0; i + 1 < q; i++) {
        s1 += x[i];
        s2 += x[i] * x[i];
    }
    for (size_t i = q - 1; i < n; i++) {
        double xi = x[i], t = x[i + 1 - q];
        s1 += xi;
        s2 += xi * xi;
        double mean = s1 / dp, m2 = s2 / dp;
        s1 -= t;
        s2 -= t * t;
        m2 -= mean * mean;
        m[i] = mean;
        bands(mean, SLAB__IS_ZERO_OR_NEG(m2) ? 0.0 : sqrt(m2), up, dn, &u[i], &l[i]);
    }
}

/* BBANDS: middle = MA; sd = sqrt(E[x^2] - ma^2) from a running sum of
 * squares when the MA is the SMA (ta_BBANDS.c's precalc path), else
 * STDDEV; upper/lower = middle +/- nbdev*sd. out = upper, middle, lower. */
static int body_bbands(const double *const *in, size_t n, const double *p, double *const *out)
{
    int per = (int)p[0], type = (int)p[3];
    double up = p[1], dn = p[2], *u = out[0], *m = out[1], *l = out[2];
    size_t lb = slab__ind_ma_lookback(type, per), q = (size_t)per;
    if (type == SLAB__MA_SMA && per >= 2) {
        bbands_sma(in[0], n, per, up, dn, out);
        return 0;
    }
    if (slab__ind_ma(in[0], n, 0, per, type, m))
        return -1;
    slab__ind_nan(u, lb, n);
    slab__ind_nan(l, lb, n);
    if (type == SLAB__MA_SMA) {
        double s2 = 0.0;
        for (size_t i = 0; i < n; i++) {
            s2 += in[0][i] * in[0][i];
            if (i + 1 < q)
                continue;
            double m2 = s2 / per, t = in[0][i + 1 - q];
            s2 -= t * t;
            m2 -= m[i] * m[i];
            u[i] = SLAB__IS_ZERO_OR_NEG(m2) ? 0.0 : sqrt(m2);
        }
    } else {
        var0(in[0], n, per, u);
        stddev_of_var(u, q - 1, n, 1.0);
    }
    for (size_t i = lb; i < n; i++)
        bands(m[i], u[i], up, dn, &u[i], &l[i]);
    return 0;
}
size_t slab__ind_ta_bbands_lb(const double *p)
{
    return slab__ind_ma_lookback((int)p[3], (int)p[0]);
}
SLAB__TA_ENTRY(bbands, 1, 3)

/* ---- Volume --------------------------------------------------------------- */

static int body_obv(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    if (n == 0)
        return 0;
    double obv = in[1][0], prev = in[0][0];
    for (size_t i = 0; i < n; i++) {
        if (in[0][i] > prev)
            obv += in[1][i];
        else if (in[0][i] < prev)
            obv -= in[1][i];
        out[0][i] = obv;
        prev = in[0][i];
    }
    return 0;
}
size_t slab__ind_ta_obv_lb(const double *p)
{
    return lb_zero(p);
}
SLAB__TA_ENTRY(obv, 2, 1)

/* Chaikin accumulation/distribution, one bar's step. */
static double ad_step(const double *const *in, size_t i, double ad)
{
    double h = in[0][i], l = in[1][i], c = in[2][i], t = h - l;
    if (t > 0.0)
        ad += (((c - l) - (h - c)) / t) * in[3][i];
    return ad;
}

static int body_ad(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    double ad = 0.0;
    for (size_t i = 0; i < n; i++)
        out[0][i] = ad = ad_step(in, i, ad);
    return 0;
}
size_t slab__ind_ta_ad_lb(const double *p)
{
    return lb_zero(p);
}
SLAB__TA_ENTRY(ad, 4, 1)

/* ADOSC: EMA(fast) - EMA(slow) of AD, both seeded with AD at bar 0 and
 * updated as k*ad + (1-k)*ema. */
static int body_adosc(const double *const *in, size_t n, const double *p, double *const *out)
{
    int f = (int)p[0], s = (int)p[1];
    size_t lb = slab__ind_ta_adosc_lb(p);
    double fk = 2.0 / ((double)(f + 1)), sk = 2.0 / ((double)(s + 1)), ad = 0.0, fe = 0, se = 0;
    slab__ind_nan(out[0], lb, n);
    for (size_t i = 0; i < n; i++) {
        ad = ad_step(in, i, ad);
        if (i == 0) {
            fe = se = ad;
        } else {
            fe = (fk * ad) + ((1.0 - fk) * fe);
            se = (sk * ad) + ((1.0 - sk) * se);
        }
        if (i >= lb)
            out[0][i] = fe - se;
    }
    return 0;
}
size_t slab__ind_ta_adosc_lb(const double *p)
{
    return (size_t)(p[0] > p[1] ? p[0] : p[1]) - 1;
}
SLAB__TA_ENTRY(adosc, 4, 1)

/* ---- Linear regression over the last p bars ------------------------------ */

enum { LR_VALUE, LR_SLOPE, LR_INTERCEPT, LR_ANGLE, LR_TSF };

/* Least squares with x = p-1..0 going back from today, sums recomputed
 * each bar (ta_LINEARREG.c); the line's value at today, its slope,
 * intercept, angle in degrees, or the next bar's forecast. TA-Lib forms
 * the sums of x and x^2 in int, which overflows from p = 1025 (x^2) and
 * p = 46342 (x); here they are exact 64-bit integers (p(p-1)(2p-1) < 2^53
 * for p <= 100000), the same doubles as TA-Lib's wherever its int does not
 * overflow. */
static void linreg(const double *x, size_t n, int period, int kind, double *out)
{
    size_t p = (size_t)period;
    int64_t q = period;
    double sx = (double)(q * (q - 1)) * 0.5;
    double sxx = (double)(q * (q - 1) * (2 * q - 1) / 6);
    double div = sx * sx - period * sxx;
    slab__ind_nan(out, p - 1, n);
    for (size_t i = p - 1; i < n; i++) {
        double sxy = 0.0, sy = 0.0;
        for (size_t k = p; k-- != 0;) {
            double v = x[i - k];
            sy += v;
            sxy += (double)k * v;
        }
        double m = (period * sxy - sx * sy) / div, b = (sy - m * sx) / (double)period;
        switch (kind) {
        case LR_VALUE: out[i] = b + m * (double)(period - 1); break;
        case LR_SLOPE: out[i] = m; break;
        case LR_INTERCEPT: out[i] = b; break;
        case LR_ANGLE: out[i] = atan(m) * (180.0 / 3.14159265358979323846); break;
        default: out[i] = b + m * (double)period; break;
        }
    }
}

#define LR_BODY(k, kind)                                                                           \
    static int body_##k(const double *const *in, size_t n, const double *p, double *const *out)    \
    {                                                                                              \
        linreg(in[0], n, (int)p[0], kind, out[0]);                                                 \
        return 0;                                                                                  \
    }                                                                                              \
    size_t slab__ind_ta_##k##_lb(const double *p)                                                  \
    {                                                                                              \
        return (size_t)p[0] - 1;                                                                   \
    }                                                                                              \
    SLAB__TA_ENTRY(k, 1, 1)
LR_BODY(linearreg, LR_VALUE)
LR_BODY(linearreg_slope, LR_SLOPE)
LR_BODY(linearreg_intercept, LR_INTERCEPT)
LR_BODY(linearreg_angle, LR_ANGLE)
LR_BODY(tsf, LR_TSF)

/* ---- Two series: CORREL, BETA --------------------------------------------- */

static int body_correl(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t q = (size_t)p[0];
    double per = p[0], sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    const double *a = in[0], *b = in[1];
    slab__ind_nan(out[0], q - 1, n);
    for (size_t i = 0; i < n; i++) {
        if (i >= q) {
            double tx = a[i - q], ty = b[i - q];
            sx -= tx;
            sxx -= tx * tx;
            sxy -= tx * ty;
            sy -= ty;
            syy -= ty * ty;
        }
        double x = a[i], y = b[i];
        sx += x;
        sxx += x * x;
        sxy += x * y;
        sy += y;
        syy += y * y;
        if (i + 1 < q)
            continue;
        double t = (sxx - ((sx * sx) / per)) * (syy - ((sy * sy) / per));
        out[0][i] = SLAB__IS_ZERO_OR_NEG(t) ? 0.0 : (sxy - ((sx * sy) / per)) / sqrt(t);
    }
    return 0;
}
size_t slab__ind_ta_correl_lb(const double *p)
{
    return (size_t)p[0] - 1;
}
SLAB__TA_ENTRY(correl, 2, 1)

/* One-bar return of x at i (0 when the previous value is ~0). */
static double ret_at(const double *x, size_t i)
{
    return SLAB__IS_ZERO(x[i - 1]) ? 0.0 : (x[i] - x[i - 1]) / x[i - 1];
}

/* BETA: regression slope of returns of in[1] on returns of in[0] over p
 * returns: (n*Sxy - Sx*Sy)/(n*Sxx - Sx^2). */
static int body_beta(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t q = (size_t)p[0];
    double per = p[0], sxx = 0, sxy = 0, sx = 0, sy = 0;
    slab__ind_nan(out[0], q, n);
    for (size_t i = 1; i < n; i++) {
        double x = ret_at(in[0], i), y = ret_at(in[1], i);
        sxx += x * x;
        sxy += x * y;
        sx += x;
        sy += y;
        if (i < q)
            continue;
        double tx = ret_at(in[0], i + 1 - q), ty = ret_at(in[1], i + 1 - q);
        double t = (per * sxx) - (sx * sx);
        out[0][i] = SLAB__IS_ZERO(t) ? 0.0 : ((per * sxy) - (sx * sy)) / t;
        sxx -= tx * tx;
        sxy -= tx * ty;
        sx -= tx;
        sy -= ty;
    }
    return 0;
}
SLAB__TA_ENTRY(beta, 2, 1)

/* ---- Window sum and extremes ------------------------------------------------ */

static int body_sum(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t q = (size_t)p[0];
    double total = 0.0;
    slab__ind_nan(out[0], q - 1, n);
    for (size_t i = 0; i < n; i++) {
        total += in[0][i];
        if (i + 1 < q)
            continue;
        double t = total;
        total -= in[0][i + 1 - q];
        out[0][i] = t;
    }
    return 0;
}
size_t slab__ind_ta_sum_lb(const double *p)
{
    return (size_t)p[0] - 1;
}
SLAB__TA_ENTRY(sum, 1, 1)

enum { W_MAX, W_MIN, W_MIDPOINT, W_MIDPRICE };

/* Whether x has a NaN or a zero: only there can TA-Lib's rescans (ties go
 * to the latest index; NaN never compares) return other bits than any max
 * or min of the window's values. */
static int has_nan_or_zero(const double *x, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++)
        bad |= !(x[i] != 0.0) | (x[i] != x[i]);
    return bad;
}

static void window(const double *const *in, size_t n, int period, int kind, double *out)
{
    size_t p = (size_t)period;
    const double *lo_src = kind == W_MIDPRICE ? in[1] : in[0];
    slab__ext eh = {0, 0}, el = {0, 0};
    if ((kind == W_MAX || kind == W_MIN) && !has_nan_or_zero(in[0], n)) {
        slab__ind_rolling_ext(in[0], n, p, out, kind == W_MAX ? 1 : -1);
        return; /* the same values, three compares a bar instead of rescans */
    }
    slab__ind_nan(out, p - 1, n);
    for (size_t i = p - 1; i < n; i++) {
        double hi = kind == W_MIN ? 0.0 : in[0][slab__ext_step(&eh, in[0], i, p, 1)];
        double lo = kind == W_MAX ? 0.0 : lo_src[slab__ext_step(&el, lo_src, i, p, -1)];
        switch (kind) {
        case W_MAX: out[i] = hi; break;
        case W_MIN: out[i] = lo; break;
        default: out[i] = (hi + lo) / 2.0; break;
        }
    }
}

#define WIN_BODY(k, kind, nin)                                                                     \
    static int body_##k(const double *const *in, size_t n, const double *p, double *const *out)    \
    {                                                                                              \
        window(in, n, (int)p[0], kind, out[0]);                                                    \
        return 0;                                                                                  \
    }                                                                                              \
    size_t slab__ind_ta_##k##_lb(const double *p)                                                  \
    {                                                                                              \
        return (size_t)p[0] - 1;                                                                   \
    }                                                                                              \
    SLAB__TA_ENTRY(k, nin, 1)
WIN_BODY(max, W_MAX, 1)
WIN_BODY(min, W_MIN, 1)
WIN_BODY(midpoint, W_MIDPOINT, 1)
WIN_BODY(midprice, W_MIDPRICE, 2)

/* ---- Parabolic SAR (Wilder), ta_SAR.c ---------------------------------------- */

static int body_sar(const double *const *in, size_t n, const double *p, double *const *out)
{
    const double *h = in[0], *l = in[1];
    double acc = p[0], max = p[1], af, ep, sar, ph, pl, nh, nl;
    slab__ind_nan(out[0], 1, n);
    if (n < 2)
        return 0;
    if (acc > max)
        acc = max;
    af = acc;
    /* Start short when bar 1 has a -DM (its low fell more than the high
     * rose), long otherwise. */
    double up = h[1] - h[0], dn = l[0] - l[1];
    int is_long = !(dn > 0 && up < dn);
    if (is_long) {
        ep = h[1];
        sar = l[0];
    } else {
        ep = l[1];
        sar = h[0];
    }
    nl = l[1];
    nh = h[1];
    for (size_t i = 1; i < n; i++) {
        pl = nl;
        ph = nh;
        nl = l[i];
        nh = h[i];
        if (is_long) {
            if (nl <= sar) {
                is_long = 0;
                sar = ep;
                if (sar < ph)
                    sar = ph;
                if (sar < nh)
                    sar = nh;
                out[0][i] = sar;
                af = acc;
                ep = nl;
                sar = sar + af * (ep - sar);
                if (sar < ph)
                    sar = ph;
                if (sar < nh)
                    sar = nh;
            } else {
                out[0][i] = sar;
                if (nh > ep) {
                    ep = nh;
                    af += acc;
                    if (af > max)
                        af = max;
                }
                sar = sar + af * (ep - sar);
                if (sar > pl)
                    sar = pl;
                if (sar > nl)
                    sar = nl;
            }
        } else if (nh >= sar) {
            is_long = 1;
            sar = ep;
            if (sar > pl)
                sar = pl;
            if (sar > nl)
                sar = nl;
            out[0][i] = sar;
            af = acc;
            ep = nh;
            sar = sar + af * (ep - sar);
            if (sar > pl)
                sar = pl;
            if (sar > nl)
                sar = nl;
        } else {
            out[0][i] = sar;
            if (nl < ep) {
                ep = nl;
                af += acc;
                if (af > max)
                    af = max;
            }
            sar = sar + af * (ep - sar);
            if (sar < ph)
                sar = ph;
            if (sar < nh)
                sar = nh;
        }
    }
    return 0;
}
size_t slab__ind_ta_sar_lb(const double *p)
{
    (void)p;
    return 1;
}
SLAB__TA_ENTRY(sar, 2, 1)

/* ---- Price transforms ------------------------------------------------------ */

static int body_avgprice(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        out[0][i] = (in[1][i] + in[2][i] + in[3][i] + in[0][i]) / 4.0; /* h+l+c+o, TA-Lib order */
    return 0;
}
static int body_medprice(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        out[0][i] = (in[0][i] + in[1][i]) / 2.0;
    return 0;
}
static int body_typprice(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        out[0][i] = (in[0][i] + in[1][i] + in[2][i]) / 3.0;
    return 0;
}
static int body_wclprice(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    for (size_t i = 0; i < n; i++)
        out[0][i] = (in[0][i] + in[1][i] + (in[2][i] * 2.0)) / 4.0;
    return 0;
}
size_t slab__ind_ta_avgprice_lb(const double *p)
{
    return lb_zero(p);
}
size_t slab__ind_ta_medprice_lb(const double *p)
{
    return lb_zero(p);
}
size_t slab__ind_ta_typprice_lb(const double *p)
{
    return lb_zero(p);
}
size_t slab__ind_ta_wclprice_lb(const double *p)
{
    return lb_zero(p);
}
SLAB__TA_ENTRY(avgprice, 4, 1)
SLAB__TA_ENTRY(medprice, 2, 1)
SLAB__TA_ENTRY(typprice, 3, 1)
SLAB__TA_ENTRY(wclprice, 3, 1)
