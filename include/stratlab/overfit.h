/* overfit.h: how much of a sweep's best result is selection: the deflated
 * Sharpe ratio (Bailey and Lopez de Prado, "The Deflated Sharpe Ratio:
 * Correcting for Selection Bias, Backtest Overfitting and Non-Normality",
 * Journal of Portfolio Management 40(5), 2014) and the probability of
 * backtest overfitting by combinatorially symmetric cross-validation
 * (Bailey, Borwein, Lopez de Prado and Zhu, "The Probability of Backtest
 * Overfitting", Journal of Computational Finance 20(4), 2017; SSRN 2326253,
 * 2015). Pure arithmetic over numbers the caller gives; nothing here runs a
 * backtest. Sharpe ratios here are per period (not annualized) unless a
 * name says otherwise. */
#ifndef STRATLAB_OVERFIT_H
#define STRATLAB_OVERFIT_H

#include <stddef.h>
#include <stdint.h>

#include "stratlab/core.h"

/* Standard normal cumulative distribution Z(x), from erfc. */
double slab_norm_cdf(double x);
/* Its inverse Z^-1(p) for 0 < p < 1 (-inf at 0, +inf at 1, NaN outside):
 * Acklam's rational approximation refined by one Halley step on erfc,
 * relative error below 1e-14. */
double slab_norm_ppf(double p);

/* Moments of x[0..n-1] about the mean, population form: mean, sd
 * (sqrt(m2)), skewness m3/m2^1.5 and kurtosis m4/m2^2 (3 for a normal:
 * not the excess). Zero variance gives skew 0 and kurtosis 3 (a normal's)
 * so that a flat series is not penalised for shape. */
typedef struct slab_moments {
    size_t n;
    double mean, sd, skew, kurt;
} slab_moments;
void slab_moments_of(const double *x, size_t n, slab_moments *out);

/* The expected maximum of n_trials Sharpe ratio estimates with variance
 * var_sr around a true Sharpe of 0 (the paper's SR0, its equation 2
 * with the Euler-Mascheroni constant gamma):
 *   sqrt(var_sr) * ((1 - gamma) Z^-1(1 - 1/N) + gamma Z^-1(1 - 1/(N e))).
 * 0 for n_trials <= 1 (no selection) or var_sr <= 0. */
double slab_expected_max_sharpe(double var_sr, double n_trials);

/* The probabilistic Sharpe ratio: the probability that the true Sharpe
 * exceeds sr_star given an estimate sr from n_obs returns with skewness
 * skew and kurtosis kurt (3 = normal):
 *   Z[(sr - sr_star) sqrt(n_obs - 1) / sqrt(1 - skew sr + (kurt - 1)/4 sr^2)].
 * NaN when n_obs < 2 or the root's argument is <= 0. */
double slab_psr(double sr, double sr_star, double n_obs, double skew, double kurt);

/* The deflated Sharpe ratio: the PSR against SR0 of the trials. */
typedef struct slab_dsr {
    double sr;       /* the selected trial's Sharpe, per period */
    double sr0;      /* the expected maximum under no skill, per period */
    double n_obs;    /* returns behind sr */
    double skew;     /* of the selected trial's returns */
    double kurt;     /* ditto, 3 = normal */
    double n_trials; /* trials the selection was made from */
    double var_sr;   /* variance of the trials' Sharpe ratios */
    double dsr;      /* the probability; NaN when it cannot be computed */
} slab_dsr;
/* Fills out->sr0 and out->dsr from the other fields. */
void slab_dsr_compute(slab_dsr *out);

/* ---- CSCV ----------------------------------------------------------------
 * The returns of every trial (the same T periods for all) are cut into S
 * contiguous blocks (S even; block b holds periods floor(b T / S) ..
 * floor((b+1) T / S) - 1). A trial's performance on a set of blocks is the
 * Sharpe ratio of the returns in them: mean / population sd, computed from
 * per-block sums and sums of squares (0 when the sd is 0 and the mean 0,
 * +-inf when only the sd is 0). For each of the C(S, S/2) ways to choose
 * the in-sample half: n* = the best trial in sample (the first, in trial
 * order, of equals); its out-of-sample rank r among the N trials (1 =
 * worst; equal performances share their average rank); w = r / (N + 1);
 * logit = ln(w / (1 - w)). PBO = the fraction of splits with logit <= 0:
 * the in-sample best did no better than the median out of sample. */
typedef struct slab_pbo {
    size_t trials, blocks, splits; /* N, S, C(S, S/2) */
    double pbo;                    /* fraction of splits with logit <= 0 */
    double logit_mean;             /* mean logit over the splits */
    double prob_oos_loss;          /* fraction of splits where n*'s
                                      out-of-sample Sharpe is < 0 */
    double degradation_slope;      /* least-squares slope of n*'s out-of-
                                      sample on its in-sample Sharpe over the
                                      splits (the paper's performance
                                      degradation; NaN if undefined) */
    double is_sharpe_mean;         /* mean in-sample Sharpe of n* */
    double oos_sharpe_mean;        /* mean out-of-sample Sharpe of n* */
    size_t hist[10];               /* splits by logit: bins of width 1 from
                                      < -4 (bin 0) to >= 4 (bin 9), bin k
                                      holding [k - 5, k - 4) for 1..8 */
} slab_pbo;

/* Most blocks accepted (C(16, 8) = 12870 splits). */
#define SLAB_CSCV_MAX_BLOCKS 16

/* Computes PBO from sums[t*S + b] and sumsq[t*S + b] (trial t, block b) and
 * the block sizes count[b] (periods in block b, all > 0), for N >= 2 trials
 * and an even S in 2..SLAB_CSCV_MAX_BLOCKS. Allocates O(N) scratch.
 * Returns SLAB_OK, SLAB_EINVAL (too few trials or blocks) or SLAB_ENOMEM. */
slab_status slab_pbo_cscv(const double *sums, const double *sumsq, const size_t *count, size_t n,
                          size_t s, slab_pbo *out, slab_error *err);
/* The start of block b of s over t periods: floor(b t / s). */
size_t slab_cscv_block_start(size_t t, size_t s, size_t b);

#endif
