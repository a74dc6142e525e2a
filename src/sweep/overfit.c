/* overfit.c: the deflated Sharpe ratio (Bailey and Lopez de Prado 2014)
 * and the probability of backtest overfitting by combinatorially symmetric
 * cross-validation (Bailey, Borwein, Lopez de Prado and Zhu 2015/2017),
 * with the normal distribution they need. Formulas as overfit.h states
 * them; the tests check the papers' worked numbers. */
#include "stratlab/overfit.h"

#include <math.h>
#include <string.h>

#define EULER_GAMMA 0.57721566490153286061

double slab_norm_cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

double slab_norm_ppf(double p)
{
    /* P. J. Acklam's coefficients (central region and tails). */
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                -2.759285104469687e+02, 1.383577518672690e+02,
                                -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                -1.556989798598866e+02, 6.680131188771972e+01,
                                -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                -2.400758277161838e+00, -2.549732539343734e+00,
                                4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                2.445134137142996e+00, 3.754408661907416e+00};
    const double lo = 0.02425;
    double q, r, x;
    if (isnan(p) || p < 0.0 || p > 1.0)
        return NAN;
    if (p == 0.0)
        return -INFINITY;
    if (p == 1.0)
        return INFINITY;
    /* Work in the lower half, where 1 - p is exact and Z(x) is accurate to
     * the last bits (erfc of a positive argument). */
    if (p > 0.5)
        return -slab_norm_ppf(1.0 - p);
    if (p < lo) {
        q = sqrt(-2.0 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else {
        q = p - 0.5;
        r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    /* One Halley step on Z(x) - p brings it to full double precision. */
    double e = slab_norm_cdf(x) - p;
    double u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
    return x - u / (1.0 + x * u / 2.0);
}

void slab_moments_of(const double *x, size_t n, slab_moments *out)
{
    double s = 0.0, m2 = 0.0, m3 = 0.0, m4 = 0.0;
    memset(out, 0, sizeof *out);
    out->n = n;
    out->kurt = 3.0;
    if (n == 0)
        return;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    out->mean = s / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - out->mean, d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    m2 /= (double)n;
    m3 /= (double)n;
    m4 /= (double)n;
    out->sd = sqrt(m2);
    if (m2 > 0.0) {
        out->skew = m3 / (m2 * sqrt(m2));
        out->kurt = m4 / (m2 * m2);
    }
}

double slab_expected_max_sharpe(double var_sr, double n_trials)
{
    if (!(n_trials > 1.0) || !(var_sr > 0.0))
        return 0.0;
    return sqrt(var_sr) * ((1.0 - EULER_GAMMA) * slab_norm_ppf(1.0 - 1.0 / n_trials) +
                           EULER_GAMMA * slab_norm_ppf(1.0 - 1.0 / (n_trials * M_E)));
}

double slab_psr(double sr, double sr_star, double n_obs, double skew, double kurt)
{
    double v = 1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr * sr;
    if (!(n_obs >= 2.0) || !(v > 0.0) || !isfinite(sr))
        return NAN;
    return slab_norm_cdf((sr - sr_star) * sqrt(n_obs - 1.0) / sqrt(v));
}

void slab_dsr_compute(slab_dsr *o)
{
    o->sr0 = slab_expected_max_sharpe(o->var_sr, o->n_trials);
    o->dsr = slab_psr(o->sr, o->sr0, o->n_obs, o->skew, o->kurt);
}

/* ---- CSCV ------------------------------------------------------------------ */

size_t slab_cscv_block_start(size_t t, size_t s, size_t b)
{
    return (size_t)((unsigned __int128)t * b / s);
}

/* The Sharpe ratio of returns with this sum, sum of squares and count. */
static double sharpe_of(double sum, double sumsq, double n)
{
    double mean = sum / n, var = sumsq / n - mean * mean;
    if (!(var > 0.0) || var <= 1e-14 * mean * mean)
        return mean == 0.0 ? 0.0 : copysign(INFINITY, mean);
    return mean / sqrt(var);
}

/* Performances of every trial on the blocks in mask (in) and the others
 * (out). */
static void perf_split(const double *sums, const double *sumsq, const size_t *count, size_t n,
                       size_t s, unsigned mask, double *in, double *out)
{
    double n_in = 0.0, n_out = 0.0;
    for (size_t b = 0; b < s; b++) {
        if (mask >> b & 1u)
            n_in += (double)count[b];
        else
            n_out += (double)count[b];
    }
    for (size_t t = 0; t < n; t++) {
        const double *su = sums + t * s, *sq = sumsq + t * s;
        double si = 0.0, qi = 0.0, so = 0.0, qo = 0.0;
        for (size_t b = 0; b < s; b++) {
            if (mask >> b & 1u) {
                si += su[b];
                qi += sq[b];
            } else {
                so += su[b];
                qo += sq[b];
            }
        }
        in[t] = sharpe_of(si, qi, n_in);
        out[t] = sharpe_of(so, qo, n_out);
    }
}

/* Accumulates one split: is[] chooses n*, oos[] ranks it. */
typedef struct acc {
    size_t splits, below, loss;
    double logit_sum, sx, sy, sxx, sxy;
    size_t n_xy;
    size_t hist[10];
} acc;

static void one_split(const double *is, const double *oos, size_t n, acc *a)
{
    size_t best = 0, lower = 0, equal = 0;
    for (size_t t = 1; t < n; t++)
        if (is[t] > is[best] || (isnan(is[best]) && !isnan(is[t])))
            best = t;
    double v = oos[best];
    for (size_t t = 0; t < n; t++) {
        if (oos[t] < v)
            lower++;
        else if (oos[t] == v)
            equal++;
    }
    /* average rank among equals; 1 = worst */
    double rank = (double)lower + ((double)equal + 1.0) / 2.0;
    double w = rank / ((double)n + 1.0), logit = log(w / (1.0 - w));
    a->splits++;
    a->below += logit <= 0.0;
    a->loss += v < 0.0;
    a->logit_sum += logit;
    int bin = logit < -4.0 ? 0 : logit >= 4.0 ? 9 : (int)floor(logit) + 5;
    a->hist[bin]++;
    if (isfinite(is[best]) && isfinite(v)) {
        a->n_xy++;
        a->sx += is[best];
        a->sy += v;
        a->sxx += is[best] * is[best];
        a->sxy += is[best] * v;
    }
}

static unsigned popcount(unsigned x)
{
    unsigned c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
}

slab_status slab_pbo_cscv(const double *sums, const double *sumsq, const size_t *count, size_t n,
                          size_t s, slab_pbo *out, slab_error *err)
{
    acc a;
    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if (n < 2)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "the probability of backtest overfitting needs at least 2 trials");
    if (s < 2 || s % 2 || s > SLAB_CSCV_MAX_BLOCKS)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "CSCV needs an even number of blocks from 2 to %d, got %zu",
                              SLAB_CSCV_MAX_BLOCKS, s);
    for (size_t b = 0; b < s; b++)
        if (count[b] == 0)
            return slab_error_set(err, SLAB_EINVAL, NULL,
                                  "CSCV block %zu has no returns: fewer periods than blocks", b);
    double *in = slab_malloc(2 * n * sizeof *in);
    if (!in)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for CSCV over %zu trials",
                              n);
    double *oo = in + n;
    /* Each split and its mirror: enumerate the halves holding block 0 and
     * use each twice, once as in-sample and once as out-of-sample. */
    for (unsigned mask = 1; mask < (1u << s); mask += 2) {
        if (popcount(mask) != s / 2)
            continue;
        perf_split(sums, sumsq, count, n, s, mask, in, oo);
        one_split(in, oo, n, &a);
        one_split(oo, in, n, &a);
    }
    slab_free(in);
    out->trials = n;
    out->blocks = s;
    out->splits = a.splits;
    out->pbo = (double)a.below / (double)a.splits;
    out->logit_mean = a.logit_sum / (double)a.splits;
    out->prob_oos_loss = (double)a.loss / (double)a.splits;
    double k = (double)a.n_xy, vx = a.sxx - a.sx * a.sx / k;
    out->degradation_slope = a.n_xy >= 2 && vx > 0.0 ? (a.sxy - a.sx * a.sy / k) / vx : NAN;
    out->is_sharpe_mean = a.n_xy ? a.sx / k : NAN;
    out->oos_sharpe_mean = a.n_xy ? a.sy / k : NAN;
    memcpy(out->hist, a.hist, sizeof a.hist);
    return SLAB_OK;
}
