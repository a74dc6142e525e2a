/* talib_mom.c: momentum indicators in TA-Lib 0.6's exact arithmetic
 * (ta_RSI.c, ta_CMO.c, ta_MACD.c, ta_MACDEXT.c, ta_STOCH.c, ta_STOCHF.c,
 * ta_STOCHRSI.c, ta_MOM.c, ta_ROC*.c, ta_TRIX.c, ta_CCI.c, ta_WILLR.c,
 * ta_AROON*.c, ta_MFI.c, ta_ULTOSC.c, ta_APO.c, ta_PPO.c, ta_BOP.c): whole
 * series from bar 0, unstable period 0, TA-Lib's zero guards. Composite
 * indicators use their own output arrays as scratch, never the heap. */
#include "ind/ind_int.h"

#include <math.h>

/* ---- RSI, CMO: Wilder-smoothed gains and losses ------------------------ */

/* cmo=0: 100*g/(g+l); cmo=1: 100*(g-l)/(g+l); 0 when g+l is ~0.
 * Each bar: g *= p-1; l *= p-1; if (d < 0) l -= d else g += d; g /= p;
 * l /= p (ta_RSI.c). The mul-add-divide chain is the floor, and the branch
 * stays a branch: when predicted, the lane that gets no add skips its
 * latency, which a branchless select cannot do. The previous close stays
 * in a register rather than being reloaded (measurably faster). */
static void wilder_osc(const double *x, size_t n, int period, int cmo, double *out)
{
    size_t p = (size_t)period;
    double gain, loss, pm1 = period - 1, per = period;
    slab__ind_nan(out, p, n);
    if (n <= p)
        return;
    slab__wilder_seed(x, 0, p, &gain, &loss);
    double prev = x[p];
    for (size_t i = p;;) {
        double t = gain + loss;
        out[i] = SLAB__IS_ZERO(t) ? 0.0 : cmo ? 100.0 * ((gain - loss) / t) : 100.0 * (gain / t);
        if (++i >= n)
            break;
        double xi = x[i], d = xi - prev;
        prev = xi;
        slab__wilder_step(d, pm1, per, &gain, &loss);
    }
}

static int body_rsi(const double *const *in, size_t n, const double *p, double *const *out)
{
    wilder_osc(in[0], n, (int)p[0], 0, out[0]);
    return 0;
}
static int body_cmo(const double *const *in, size_t n, const double *p, double *const *out)
{
    wilder_osc(in[0], n, (int)p[0], 1, out[0]);
    return 0;
}
SLAB__TA_ENTRY(rsi, 1, 1)
SLAB__TA_ENTRY(cmo, 1, 1)

/* ---- MACD family -------------------------------------------------------- */

/* EMA with an explicit k, seeded by the mean of x[s..s+p-1]. */
static void ema_k(const double *x, size_t n, size_t s, int period, double k, double *out)
{
    size_t p = (size_t)period;
    slab__ind_nan(out, s + p - 1, n);
    if (s + p > n)
        return;
    double sum = 0.0;
    for (size_t i = s; i < s + p; i++)
        sum += x[i];
    double prev = sum / period;
    out[s + p - 1] = prev;
    for (size_t i = s + p; i < n; i++)
        out[i] = prev = ((x[i] - prev) * k) + prev;
}

/* MACD with EMAs throughout (MACD, MACDFIX) in one pass and no scratch:
 * the fast EMA seeded over x[lbl-fast+1..lbl], the slow one over
 * x[lbl-slow+1..lbl] (lbl = the slow lookback), macd = fast - slow from
 * lbl, the signal EMA seeded with the mean of macd[lbl..lbl+sig-1]. The
 * same roundings as three separate ema_k passes; the two EMA chains and
 * the signal's run side by side instead of one after another. */
static void macd_ema(const double *x, size_t n, int fast, double fk, int slow, double sk, int sig,
                     double *const *out)
{
    size_t lbl = (size_t)slow - 1, first = lbl + (size_t)sig - 1;
    double *m = out[0], *sg = out[1], *h = out[2], sf = 0.0, ss = 0.0, sm = 0.0;
    for (int k = 0; k < 3; k++)
        slab__ind_nan(out[k], first, n);
    if (first >= n)
        return;
    for (size_t i = 0; i <= lbl; i++)
        ss += x[i];
    for (size_t i = lbl + 1 - (size_t)fast; i <= lbl; i++)
        sf += x[i];
    double f = sf / fast, s = ss / slow;
    sm += f - s;
    for (size_t i = lbl + 1; i <= first; i++) {
        f = ((x[i] - f) * fk) + f;
        s = ((x[i] - s) * sk) + s;
        sm += f - s;
    }
    double ksig = 2.0 / ((double)(sig + 1)), g = sm / sig, d = f - s;
    m[first] = d;
    sg[first] = g;
    h[first] = d - g;
    for (size_t i = first + 1; i < n; i++) {
        f = ((x[i] - f) * fk) + f;
        s = ((x[i] - s) * sk) + s;
        d = f - s;
        g = ((d - g) * ksig) + g;
        m[i] = d;
        sg[i] = g;
        h[i] = d - g;
    }
}

/* The fast and slow averages are aligned so both start at the slow one's
 * lookback (TA-Lib seeds the fast EMA over bars slow-fast..slow-1), then
 * macd = fast - slow, signal = its average, hist = macd - signal; all three
 * from the total lookback. out[0..2] hold fast, slow, then the results. */
static int macd_core(const double *x, size_t n, int fast, int ftype, double fk, int slow, int stype,
                     double sk, int sig, int sigtype, double *const *out)
{
    size_t lbf = slab__ind_ma_lookback(ftype, fast), lbs = slab__ind_ma_lookback(stype, slow);
    size_t lbl = lbf > lbs ? lbf : lbs, lbsig = slab__ind_ma_lookback(sigtype, sig);
    double *m = out[0], *sg = out[1], *h = out[2];
    if (fk > 0 && sigtype == SLAB__MA_EMA) {
        macd_ema(x, n, fast, fk, slow, sk, sig, out);
        return 0;
    }
    if (fk > 0) {
        ema_k(x, n, lbl - lbf, fast, fk, m);
        ema_k(x, n, lbl - lbs, slow, sk, h);
    } else if (slab__ind_ma(x, n, lbl - lbf, fast, ftype, m) ||
               slab__ind_ma(x, n, lbl - lbs, slow, stype, h))
        return -1;
    for (size_t i = lbl; i < n; i++)
        m[i] = m[i] - h[i];
    if (sigtype == SLAB__MA_EMA && fk > 0)
        ema_k(m, n, lbl, sig, 2.0 / ((double)(sig + 1)), sg);
    else if (slab__ind_ma(m, n, lbl, sig, sigtype, sg))
        return -1;
    slab__ind_nan(m, lbl + lbsig, n);
    for (size_t i = 0; i < n; i++)
        h[i] = m[i] - sg[i];
    return 0;
}

static int body_macd(const double *const *in, size_t n, const double *p, double *const *out)
{
    int f = (int)p[0], s = (int)p[1];
    if (s < f) {
        int t = s;
        s = f;
        f = t;
    }
    return macd_core(in[0], n, f, SLAB__MA_EMA, 2.0 / ((double)(f + 1)), s, SLAB__MA_EMA,
                     2.0 / ((double)(s + 1)), (int)p[2], SLAB__MA_EMA, out);
}
size_t slab__ind_ta_macd_lb(const double *p)
{
    double s = p[1] > p[0] ? p[1] : p[0];
    return (size_t)s - 1 + (size_t)p[2] - 1;
}
SLAB__TA_ENTRY(macd, 1, 3)

static int body_macdfix(const double *const *in, size_t n, const double *p, double *const *out)
{
    return macd_core(in[0], n, 12, SLAB__MA_EMA, 0.15, 26, SLAB__MA_EMA, 0.075, (int)p[0],
                     SLAB__MA_EMA, out);
}
size_t slab__ind_ta_macdfix_lb(const double *p)
{
    return 25 + (size_t)p[0] - 1;
}
SLAB__TA_ENTRY(macdfix, 1, 3)

static int body_macdext(const double *const *in, size_t n, const double *p, double *const *out)
{
    int f = (int)p[0], ft = (int)p[1], s = (int)p[2], st = (int)p[3];
    if (s < f) {
        int t = s;
        s = f;
        f = t;
        t = st;
        st = ft;
        ft = t;
    }
    return macd_core(in[0], n, f, ft, 0.0, s, st, 0.0, (int)p[4], (int)p[5], out);
}
size_t slab__ind_ta_macdext_lb(const double *p)
{
    size_t a = slab__ind_ma_lookback((int)p[1], (int)p[0]);
    size_t b = slab__ind_ma_lookback((int)p[3], (int)p[2]);
    return (a > b ? a : b) + slab__ind_ma_lookback((int)p[5], (int)p[4]);
}
SLAB__TA_ENTRY(macdext, 1, 3)

/* APO/PPO: fast and slow averages each seeded from bar 0 (unlike MACD,
 * whose fast EMA is aligned on the slow one), output from the slow
 * lookback: APO = fast - slow, PPO = 100*(fast - slow)/slow (0 when slow
 * is ~0). The slow average goes into out[0], and the fast one is combined
 * into it as it is computed, so no scratch array is needed. */
static int po_body(const double *const *in, size_t n, const double *p, double *const *out, int op)
{
    int f = (int)p[0], s = (int)p[1], t = (int)p[2];
    if (s < f) {
        int u = s;
        s = f;
        f = u;
    }
    if (slab__ind_ma(in[0], n, 0, s, t, out[0]) || slab__ind_ma_op(in[0], n, 0, f, t, out[0], op))
        return -1;
    return 0;
}
static int body_apo(const double *const *in, size_t n, const double *p, double *const *out)
{
    return po_body(in, n, p, out, SLAB__MA_APO);
}
static int body_ppo(const double *const *in, size_t n, const double *p, double *const *out)
{
    return po_body(in, n, p, out, SLAB__MA_PPO);
}
size_t slab__ind_ta_apo_lb(const double *p)
{
    double s = p[1] > p[0] ? p[1] : p[0];
    return slab__ind_ma_lookback((int)p[2], (int)s);
}
size_t slab__ind_ta_ppo_lb(const double *p)
{
    return slab__ind_ta_apo_lb(p);
}
SLAB__TA_ENTRY(apo, 1, 1)
SLAB__TA_ENTRY(ppo, 1, 1)

/* ---- Stochastics -------------------------------------------------------- */

/* fastK = (C - LL)/((HH - LL)/100), 0 when HH == LL, from bar p-1. */
static void fastk(const double *h, const double *l, const double *c, size_t n, int period,
                  double *out)
{
    size_t p = (size_t)period;
    slab__ext eh = {0, 0}, el = {0, 0};
    slab__ind_nan(out, p - 1, n);
    for (size_t i = p - 1; i < n; i++) {
        double hh = h[slab__ext_step(&eh, h, i, p, 1)], ll = l[slab__ext_step(&el, l, i, p, -1)];
        double diff = (hh - ll) / 100.0;
        out[i] = diff != 0.0 ? (c[i] - ll) / diff : 0.0;
    }
}

/* Rolling max and min over w bars, van Herk / Gil-Werman: the series is cut
 * into blocks of w bars; a window ending at offset o of a block is the
 * block's prefix up to o joined with the previous block's suffix from
 * o+1, so each bar costs three max (min) operations and no branches. The
 * suffixes of the previous block sit in a w+1 buffer whose last entry is
 * -inf (+inf), for the window that is exactly one block. The extremes are
 * values, and a max is exact, so the result is the same as TA-Lib's
 * index-tracking rescans (inputs without NaN). */
#define ROLL_MAX_W 256
typedef struct roll {
    double suf_h[ROLL_MAX_W + 1], suf_l[ROLL_MAX_W + 1];
    double pre_h, pre_l; /* prefix extremes of the current block */
} roll;

static double maxd(double a, double b) { return a > b ? a : b; }
static double mind(double a, double b) { return a < b ? a : b; }

/* Stores the suffix extremes of the block h[b0..b0+w), l[b0..b0+w). */
static void roll_suffix(roll *r, const double *h, const double *l, size_t w)
{
    double mh = -INFINITY, ml = INFINITY;
    r->suf_h[w] = mh;
    r->suf_l[w] = ml;
    for (size_t o = w; o-- > 0;) {
        r->suf_h[o] = mh = maxd(mh, h[o]);
        r->suf_l[o] = ml = mind(ml, l[o]);
    }
}

/* STOCH with SMA smoothing of both %K and %D (the default) in one pass:
 * fastK = (C - LL)/((HH - LL)/100) (0 when HH == LL), then the two
 * running-sum SMAs of ta_SMA.c over it, side by side. The last sk fastK
 * values live in a small ring (slowK's trailing term); slowD's trailing
 * term is read back from the slowK output. Same roundings as the three
 * passes it replaces. */
#define STOCH_RING 64
static void stoch_sma(const double *h, const double *l, const double *c, size_t n, int fk, int sk,
                      int sd, double *const *out)
{
    size_t w = (size_t)fk, qk = (size_t)sk, qd = (size_t)sd;
    size_t sk0 = w - 1 + qk - 1, lb = sk0 + qd - 1;
    double ring[STOCH_RING], tk = 0.0, td = 0.0, dk = sk, dd = sd, *ok = out[0], *od = out[1];
    roll r;
    slab__ind_nan(ok, lb, n);
    slab__ind_nan(od, lb, n);
    for (size_t o = 0; o <= w; o++) { /* block 0 has no predecessor */
        r.suf_h[o] = -INFINITY;
        r.suf_l[o] = INFINITY;
    }
    for (size_t b0 = 0; b0 < n; b0 += w) {
        r.pre_h = -INFINITY;
        r.pre_l = INFINITY;
        for (size_t o = 0; o < w && b0 + o < n; o++) {
            size_t i = b0 + o;
            r.pre_h = maxd(r.pre_h, h[i]);
            r.pre_l = mind(r.pre_l, l[i]);
            if (i + 1 < w)
                continue;
            double hh = maxd(r.suf_h[o + 1], r.pre_h), ll = mind(r.suf_l[o + 1], r.pre_l);
            double diff = (hh - ll) / 100.0, k = diff != 0.0 ? (c[i] - ll) / diff : 0.0;
            size_t j = i + 1 - w; /* index of k in the fastK series */
            ring[j % STOCH_RING] = k;
            tk += k;
            if (i < sk0)
                continue;
            double t = tk;
            tk -= ring[(j + 1 - qk) % STOCH_RING];
            double slowk = t / dk;
            td += slowk;
            ok[i] = slowk; /* before lb: slowD's trailing terms, NaN later */
            if (i < lb)
                continue;
            t = td;
            td -= ok[i + 1 - qd];
            od[i] = t / dd;
        }
        if (b0 + w <= n)
            roll_suffix(&r, h + b0, l + b0, w);
    }
    slab__ind_nan(ok, lb, n);
}

static int body_stoch(const double *const *in, size_t n, const double *p, double *const *out)
{
    int fk = (int)p[0], sk = (int)p[1], skt = (int)p[2], sd = (int)p[3], sdt = (int)p[4];
    size_t lb = (size_t)fk - 1 + slab__ind_ma_lookback(skt, sk) + slab__ind_ma_lookback(sdt, sd);
    if (skt == SLAB__MA_SMA && sdt == SLAB__MA_SMA && sk >= 2 && sd >= 2 && sk <= STOCH_RING &&
        fk <= ROLL_MAX_W) {
        stoch_sma(in[0], in[1], in[2], n, fk, sk, sd, out);
        return 0;
    }
    fastk(in[0], in[1], in[2], n, fk, out[1]);
    if (slab__ind_ma(out[1], n, (size_t)fk - 1, sk, skt, out[0]) ||
        slab__ind_ma(out[0], n, (size_t)fk - 1 + slab__ind_ma_lookback(skt, sk), sd, sdt, out[1]))
        return -1;
    slab__ind_nan(out[0], lb, n);
    return 0;
}
size_t slab__ind_ta_stoch_lb(const double *p)
{
    return (size_t)p[0] - 1 + slab__ind_ma_lookback((int)p[2], (int)p[1]) +
           slab__ind_ma_lookback((int)p[4], (int)p[3]);
}
SLAB__TA_ENTRY(stoch, 3, 2)

/* fastK of (h,l,c) into k, fastD = MA(fastK) into d, both from fk-1+lb(d). */
static int stochf(const double *h, const double *l, const double *c, size_t n, int fk, int fd,
                  int fdt, double *k, double *d)
{
    fastk(h, l, c, n, fk, k);
    if (slab__ind_ma(k, n, (size_t)fk - 1, fd, fdt, d))
        return -1;
    slab__ind_nan(k, (size_t)fk - 1 + slab__ind_ma_lookback(fdt, fd), n);
    return 0;
}

static int body_stochf(const double *const *in, size_t n, const double *p, double *const *out)
{
    return stochf(in[0], in[1], in[2], n, (int)p[0], (int)p[1], (int)p[2], out[0], out[1]);
}
size_t slab__ind_ta_stochf_lb(const double *p)
{
    return (size_t)p[0] - 1 + slab__ind_ma_lookback((int)p[2], (int)p[1]);
}
SLAB__TA_ENTRY(stochf, 3, 2)

/* STOCHRSI = STOCHF over RSI (high = low = close = RSI). The RSI goes into
 * out[1] and fastK must not overwrite it while it is read, so fastK is
 * computed into out[0] first, then fastD from it into out[1]. */
static int body_stochrsi(const double *const *in, size_t n, const double *p, double *const *out)
{
    int rp = (int)p[0];
    double *r = out[1];
    wilder_osc(in[0], n, rp, 0, r);
    if ((size_t)rp >= n) {
        slab__ind_nan(out[0], n, n);
        return 0;
    }
    fastk(r + rp, r + rp, r + rp, n - (size_t)rp, (int)p[1], out[0] + rp);
    slab__ind_nan(out[0], (size_t)rp, n);
    if (slab__ind_ma(out[0], n, (size_t)rp + (size_t)p[1] - 1, (int)p[2], (int)p[3], out[1]))
        return -1;
    slab__ind_nan(out[0], slab__ind_ta_stochrsi_lb(p), n);
    return 0;
}
size_t slab__ind_ta_stochrsi_lb(const double *p)
{
    return (size_t)p[0] + (size_t)p[1] - 1 + slab__ind_ma_lookback((int)p[3], (int)p[2]);
}
SLAB__TA_ENTRY(stochrsi, 1, 2)

/* ---- Differences and ratios over p bars --------------------------------- */

enum { D_MOM, D_ROC, D_ROCP, D_ROCR, D_ROCR100 };

static void diff_p(const double *x, size_t n, int period, int kind, double *out)
{
    size_t p = (size_t)period;
    slab__ind_nan(out, p, n);
    for (size_t i = p; i < n; i++) {
        double prev = x[i - p], v = x[i];
        switch (kind) {
        case D_MOM: out[i] = v - prev; break;
        case D_ROC: out[i] = prev != 0.0 ? ((v / prev) - 1.0) * 100.0 : 0.0; break;
        case D_ROCP: out[i] = prev != 0.0 ? (v - prev) / prev : 0.0; break;
        case D_ROCR: out[i] = prev != 0.0 ? (v / prev) : 0.0; break;
        default: out[i] = prev != 0.0 ? (v / prev) * 100.0 : 0.0; break;
        }
    }
}

#define DIFF_BODY(k, kind)                                                                         \
    static int body_##k(const double *const *in, size_t n, const double *p, double *const *out)    \
    {                                                                                              \
        diff_p(in[0], n, (int)p[0], kind, out[0]);                                                 \
        return 0;                                                                                  \
    }                                                                                              \
    size_t slab__ind_ta_##k##_lb(const double *p)                                                  \
    {                                                                                              \
        return (size_t)p[0];                                                                       \
    }                                                                                              \
    SLAB__TA_ENTRY(k, 1, 1)
DIFF_BODY(mom, D_MOM)
DIFF_BODY(roc, D_ROC)
DIFF_BODY(rocp, D_ROCP)
DIFF_BODY(rocr, D_ROCR)
DIFF_BODY(rocr100, D_ROCR100)

/* TRIX: 1-bar ROC (percent) of a triple EMA. The triple EMA is streamed. */
static int body_trix(const double *const *in, size_t n, const double *p, double *const *out)
{
    int per = (int)p[0];
    size_t lb = slab__ind_ta_trix_lb(p);
    double k = 2.0 / ((double)(per + 1)), e[3] = {0}, sum[3] = {0}, prev = 0.0;
    size_t q = (size_t)per - 1;
    slab__ind_nan(out[0], lb, n);
    for (size_t i = 0; i < n; i++) {
        double v = in[0][i];
        size_t j = 0;
        for (; j < 3; j++) {
            size_t start = j * q;
            if (i < start)
                break;
            if (i <= start + q) {
                sum[j] += v;
                if (i < start + q)
                    break;
                e[j] = sum[j] / per;
            } else {
                e[j] = ((v - e[j]) * k) + e[j];
            }
            v = e[j];
        }
        if (j < 3)
            continue;
        if (i >= lb)
            out[0][i] = prev != 0.0 ? ((v / prev) - 1.0) * 100.0 : 0.0;
        prev = v;
    }
    return 0;
}
size_t slab__ind_ta_trix_lb(const double *p)
{
    return 3 * ((size_t)p[0] - 1) + 1;
}
SLAB__TA_ENTRY(trix, 1, 1)

/* ---- CCI ----------------------------------------------------------------- */

/* TA-Lib keeps TP in a circular buffer and sums it slot by slot (slot = bar
 * mod p); the sums here visit the window's bars in that same order. */
static int body_cci(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0];
    const double *h = in[0], *l = in[1], *c = in[2];
    slab__ind_nan(out[0], per - 1, n);
    for (size_t i = per - 1; i < n; i++) {
        double avg = 0.0, dev = 0.0;
        for (size_t k = 0; k < per; k++) {
            size_t j = i - ((i - k) % per);
            avg += (h[j] + l[j] + c[j]) / 3.0;
        }
        avg /= (double)per;
        for (size_t k = 0; k < per; k++) {
            size_t j = i - ((i - k) % per);
            dev += fabs((h[j] + l[j] + c[j]) / 3.0 - avg);
        }
        double num = (h[i] + l[i] + c[i]) / 3.0 - avg;
        out[0][i] = (num != 0.0 && dev != 0.0) ? num / (0.015 * (dev / (double)per)) : 0.0;
    }
    return 0;
}
size_t slab__ind_ta_cci_lb(const double *p)
{
    return (size_t)p[0] - 1;
}
SLAB__TA_ENTRY(cci, 3, 1)

/* ---- Directional movement (Wilder), TA-Lib's sums ------------------------ */

/* Today's +DM/-DM: ties and inside bars give neither. */
static void dm_step(const double *h, const double *l, size_t i, double *pdm, double *mdm)
{
    double up = h[i] - h[i - 1], dn = l[i - 1] - l[i];
    *pdm = (up > 0 && up > dn) ? up : 0.0;
    *mdm = (dn > 0 && dn > up) ? dn : 0.0;
}

static double true_range(const double *h, const double *l, const double *c, size_t i)
{
    double r = h[i] - l[i], t = fabs(h[i] - c[i - 1]);
    if (t > r)
        r = t;
    t = fabs(l[i] - c[i - 1]);
    if (t > r)
        r = t;
    return r;
}

enum { DM_PLUS, DM_MINUS, DI_PLUS, DI_MINUS, DM_DX };

/* Wilder sums: first p-1 bars summed, then s = s - s/p + x. For the DMs
 * the output starts at p-1; for DI/DX at p (one more smoothing step). */
static void directional(const double *h, const double *l, const double *c, size_t n, int period,
                        int kind, double *out)
{
    size_t p = (size_t)period, first = kind <= DM_MINUS ? (p > 1 ? p - 1 : 1) : p;
    double sp = 0.0, sm = 0.0, tr = 0.0, last = 0.0;
    slab__ind_nan(out, first, n);
    for (size_t i = 1; i < n; i++) {
        double pdm, mdm, t = kind <= DM_MINUS ? 0.0 : true_range(h, l, c, i);
        dm_step(h, l, i, &pdm, &mdm);
        if (i < p) {
            sp += pdm;
            sm += mdm;
            tr += t;
        } else {
            sp = sp - (sp / period) + pdm;
            sm = sm - (sm / period) + mdm;
            tr = tr - (tr / period) + t;
        }
        if (i < first)
            continue;
        if (kind == DM_PLUS || kind == DM_MINUS) {
            out[i] = kind == DM_PLUS ? sp : sm;
            continue;
        }
        double pdi = 0.0, mdi = 0.0;
        if (!SLAB__IS_ZERO(tr)) {
            pdi = 100.0 * (sp / tr);
            mdi = 100.0 * (sm / tr);
        }
        if (kind == DI_PLUS)
            out[i] = pdi;
        else if (kind == DI_MINUS)
            out[i] = mdi;
        else {
            double s = mdi + pdi;
            if (!SLAB__IS_ZERO(tr) && !SLAB__IS_ZERO(s))
                last = 100.0 * (fabs(mdi - pdi) / s);
            out[i] = last;
        }
    }
}

#define DIR_BODY(k, kind, nin, lbexpr)                                                             \
    static int body_##k(const double *const *in, size_t n, const double *p, double *const *out)    \
    {                                                                                              \
        directional(in[0], in[1], nin == 3 ? in[2] : in[1], n, (int)p[0], kind, out[0]);           \
        return 0;                                                                                  \
    }                                                                                              \
    size_t slab__ind_ta_##k##_lb(const double *p)                                                  \
    {                                                                                              \
        return (size_t)(lbexpr);                                                                   \
    }                                                                                              \
    SLAB__TA_ENTRY(k, nin, 1)
DIR_BODY(plus_dm, DM_PLUS, 2, p[0] > 1 ? p[0] - 1 : 1)
DIR_BODY(minus_dm, DM_MINUS, 2, p[0] > 1 ? p[0] - 1 : 1)
DIR_BODY(plus_di, DI_PLUS, 3, p[0])
DIR_BODY(minus_di, DI_MINUS, 3, p[0])
DIR_BODY(dx, DM_DX, 3, p[0])

/* ADX: the mean of the first p DX values (zero-guarded DX counts 0), then
 * Wilder's (adx*(p-1) + dx)/p. DX goes into out[0] and is smoothed in place. */
static void adx(const double *h, const double *l, const double *c, size_t n, int period,
                double *out)
{
    size_t p = (size_t)period, lb = 2 * p - 1;
    double sp = 0.0, sm = 0.0, tr = 0.0, sum = 0.0, a = 0.0;
    slab__ind_nan(out, lb, n);
    for (size_t i = 1; i < n; i++) {
        double pdm, mdm, t = true_range(h, l, c, i), dx = 0.0;
        dm_step(h, l, i, &pdm, &mdm);
        if (i < p) {
            sp += pdm;
            sm += mdm;
            tr += t;
            continue;
        }
        sp = sp - (sp / period) + pdm;
        sm = sm - (sm / period) + mdm;
        tr = tr - (tr / period) + t;
        if (!SLAB__IS_ZERO(tr)) {
            double mdi = 100.0 * (sm / tr), pdi = 100.0 * (sp / tr), s = mdi + pdi;
            if (!SLAB__IS_ZERO(s))
                dx = 100.0 * (fabs(mdi - pdi) / s);
        }
        if (i < lb) {
            sum += dx;
            continue;
        }
        if (i == lb)
            a = (sum + dx) / period;
        else
            a = ((a * (period - 1)) + dx) / period;
        out[i] = a;
    }
}

static int body_adx(const double *const *in, size_t n, const double *p, double *const *out)
{
    adx(in[0], in[1], in[2], n, (int)p[0], out[0]);
    return 0;
}
size_t slab__ind_ta_adx_lb(const double *p)
{
    return 2 * (size_t)p[0] - 1;
}
SLAB__TA_ENTRY(adx, 3, 1)

/* ADXR = (ADX + ADX p-1 bars ago)/2, computed backwards in place. */
static int body_adxr(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t q = (size_t)p[0] - 1, lb = slab__ind_ta_adxr_lb(p);
    adx(in[0], in[1], in[2], n, (int)p[0], out[0]);
    for (size_t i = n; i-- > lb;)
        out[0][i] = (out[0][i] + out[0][i - q]) / 2.0;
    slab__ind_nan(out[0], lb, n);
    return 0;
}
size_t slab__ind_ta_adxr_lb(const double *p)
{
    return 3 * (size_t)p[0] - 2;
}
SLAB__TA_ENTRY(adxr, 3, 1)

/* ---- Window extremes: WILLR, AROON ---------------------------------------- */

static int body_willr(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0];
    const double *h = in[0], *l = in[1], *c = in[2];
    slab__ext eh = {0, 0}, el = {0, 0};
    slab__ind_nan(out[0], per - 1, n);
    for (size_t i = per - 1; i < n; i++) {
        double hh = h[slab__ext_step(&eh, h, i, per, 1)];
        double ll = l[slab__ext_step(&el, l, i, per, -1)];
        double diff = (hh - ll) / (-100.0);
        out[0][i] = diff != 0.0 ? (hh - c[i]) / diff : 0.0;
    }
    return 0;
}
size_t slab__ind_ta_willr_lb(const double *p)
{
    return (size_t)p[0] - 1;
}
SLAB__TA_ENTRY(willr, 3, 1)

/* Aroon over p+1 bars; ties go to the most recent extreme. */
static void aroon(const double *h, const double *l, size_t n, int period, double *dn, double *up,
                  double *osc)
{
    size_t p = (size_t)period;
    double factor = 100.0 / period;
    slab__ext eh = {0, 0}, el = {0, 0};
    for (size_t i = 0; i < p && i < n; i++) {
        if (dn)
            dn[i] = up[i] = NAN;
        else
            osc[i] = NAN;
    }
    for (size_t i = p; i < n; i++) {
        size_t hi = slab__ext_step(&eh, h, i, p + 1, 1), lo = slab__ext_step(&el, l, i, p + 1, -1);
        if (osc)
            osc[i] = factor * (double)((long)hi - (long)lo);
        else {
            dn[i] = factor * (double)(p - (i - lo));
            up[i] = factor * (double)(p - (i - hi));
        }
    }
}

static int body_aroon(const double *const *in, size_t n, const double *p, double *const *out)
{
    aroon(in[0], in[1], n, (int)p[0], out[0], out[1], NULL);
    return 0;
}
static int body_aroonosc(const double *const *in, size_t n, const double *p, double *const *out)
{
    aroon(in[0], in[1], n, (int)p[0], NULL, NULL, out[0]);
    return 0;
}
SLAB__TA_ENTRY(aroon, 2, 2)
SLAB__TA_ENTRY(aroonosc, 2, 1)

/* ---- Volume-weighted and multi-window oscillators ------------------------ */

/* Money flow of bar i (i >= 1): +TP*V if TP rose, -TP*V if it fell. */
static void money_flow(const double *const *in, size_t i, double *pos, double *neg)
{
    double tp = (in[0][i] + in[1][i] + in[2][i]) / 3.0;
    double prev = (in[0][i - 1] + in[1][i - 1] + in[2][i - 1]) / 3.0;
    double d = tp - prev, mf = tp * in[3][i];
    *pos = d > 0 ? mf : 0.0;
    *neg = d < 0 ? mf : 0.0;
}

static int body_mfi(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per = (size_t)p[0];
    double ps = 0.0, ns = 0.0, a, b;
    slab__ind_nan(out[0], per, n);
    for (size_t i = 1; i < n; i++) {
        if (i > per) {
            money_flow(in, i - per, &a, &b);
            ps -= a;
            ns -= b;
        }
        money_flow(in, i, &a, &b);
        ps += a;
        ns += b;
        if (i < per)
            continue;
        double t = ps + ns;
        out[0][i] = t < 1.0 ? 0.0 : 100.0 * (ps / t);
    }
    return 0;
}
SLAB__TA_ENTRY(mfi, 4, 1)

/* Buying pressure and true range of bar i (i >= 1). */
static void uo_terms(const double *const *in, size_t i, double *bp, double *tr)
{
    double pc = in[2][i - 1], lo = in[1][i] < pc ? in[1][i] : pc;
    *bp = in[2][i] - lo;
    *tr = true_range(in[0], in[1], in[2], i);
}

static int body_ultosc(const double *const *in, size_t n, const double *p, double *const *out)
{
    size_t per[3] = {(size_t)p[0], (size_t)p[1], (size_t)p[2]};
    double a[3] = {0}, b[3] = {0}, bp, tr;
    /* TA-Lib sorts the periods: the shortest gets weight 4. */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2 - i; j++)
            if (per[j] > per[j + 1]) {
                size_t t = per[j];
                per[j] = per[j + 1];
                per[j + 1] = t;
            }
    slab__ind_nan(out[0], per[2], n);
    /* Each sum starts with the bars of its first window only, as TA-Lib
     * primes it; after each output the oldest bar leaves. */
    for (size_t i = 1; i < n; i++) {
        uo_terms(in, i, &bp, &tr);
        for (int k = 0; k < 3; k++)
            if (i + per[k] > per[2]) {
                a[k] += bp;
                b[k] += tr;
            }
        if (i < per[2])
            continue;
        double o = 0.0;
        if (!SLAB__IS_ZERO(b[0]))
            o += 4.0 * (a[0] / b[0]);
        if (!SLAB__IS_ZERO(b[1]))
            o += 2.0 * (a[1] / b[1]);
        if (!SLAB__IS_ZERO(b[2]))
            o += a[2] / b[2];
        out[0][i] = 100.0 * (o / 7.0);
        for (int k = 0; k < 3; k++) {
            uo_terms(in, i + 1 - per[k], &bp, &tr);
            a[k] -= bp;
            b[k] -= tr;
        }
    }
    return 0;
}
size_t slab__ind_ta_ultosc_lb(const double *p)
{
    double m = p[0] > p[1] ? p[0] : p[1];
    return (size_t)(m > p[2] ? m : p[2]);
}
SLAB__TA_ENTRY(ultosc, 3, 1)

static int body_bop(const double *const *in, size_t n, const double *p, double *const *out)
{
    (void)p;
    for (size_t i = 0; i < n; i++) {
        double r = in[1][i] - in[2][i];
        out[0][i] = SLAB__IS_ZERO_OR_NEG(r) ? 0.0 : (in[3][i] - in[0][i]) / r;
    }
    return 0;
}
size_t slab__ind_ta_bop_lb(const double *p)
{
    (void)p;
    return 0;
}
SLAB__TA_ENTRY(bop, 4, 1)
