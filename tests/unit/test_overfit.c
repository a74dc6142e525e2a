/* test_overfit.c: the deflated Sharpe ratio against the worked example of
 * Bailey and Lopez de Prado (2014), the probability of backtest overfitting
 * (CSCV) against a split-by-split hand calculation following Bailey,
 * Borwein, Lopez de Prado and Zhu (2015/2017), and the properties the
 * papers state (no skill: PBO near one half; a real edge: PBO near 0). */
#include "slab_test.h"
#include "stratlab/overfit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Quantiles of the standard normal as Python's statistics.NormalDist
 * gives them (Wichura's AS241, an independent algorithm); their leading
 * digits are the ones any printed table lists (1.95996 for 0.975). */
static void test_normal(void **state)
{
    (void)state;
    static const struct { double p, x; } rows[] = {
        {0.5, 0.0},
        {0.975, 1.959963984540054},
        {0.99, 2.326347874040841},
        {0.995, 2.575829303548901},
        {0.9999, 3.719016485455709},
        {0.02, -2.053748910631823},
        {1e-10, -6.361340902404056},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++)
        slab_test_expect_close("ppf", (long)k, slab_norm_ppf(rows[k].p), rows[k].x, 1e-13, 1e-15);
    for (double p = 1e-12; p < 1.0; p = p < 0.01 ? p * 3.0 : p + 0.0137) {
        slab_test_expect_close("cdf(ppf(p))", 0, slab_norm_cdf(slab_norm_ppf(p)), p, 1e-12, 0.0);
        double q = 1.0 - p; /* 1 - q is exact, so this is the same point mirrored */
        slab_test_expect_close("symmetry", 0, slab_norm_ppf(q), -slab_norm_ppf(1.0 - q), 1e-12,
                               1e-12);
    }
    assert_true(isinf(slab_norm_ppf(0.0)) && slab_norm_ppf(0.0) < 0);
    assert_true(isnan(slab_norm_ppf(1.5)));
    slab_test_expect_close("cdf(1.96)", 0, slab_norm_cdf(1.959963984540054), 0.975, 1e-14, 0.0);
}

/* Bailey and Lopez de Prado (2014), section "A numerical example": after
 * N = 100 independent trials the best strategy has an annualized Sharpe of
 * 2.5 over 5 years of daily returns (T = 1250, 250 a year), with skewness
 * -3 and kurtosis 10; the trials' annualized Sharpe ratios have variance
 * 1/2. The paper finds E[max SR] = 0.1132 per day and DSR = 0.9004.
 * By hand (per-day units):
 *   SR   = 2.5 / sqrt(250)                   = 0.158113883
 *   V    = 0.5 / 250                         = 0.002, sqrt(V) = 0.0447213595
 *   Z^-1(1 - 1/100)        = Z^-1(0.99)      = 2.326347874
 *   Z^-1(1 - 1/(100 e))    = Z^-1(0.9963212) = 2.680210445
 *   SR0  = 0.0447213595 * (0.4227843351 * 2.326347874
 *                          + 0.5772156649 * 2.680210445)   = 0.113172002
 *   z    = (0.158113883 - 0.113172002) * sqrt(1249)
 *          / sqrt(1 + 3 * 0.158113883 + 9/4 * 0.158113883^2)
 *        = 1.588273 / 1.237166                              = 1.283816
 *   DSR  = Z(1.283816)                                      = 0.900397 */
static void test_dsr_paper_example(void **state)
{
    (void)state;
    slab_dsr d = {0};
    d.sr = 2.5 / sqrt(250.0);
    d.n_obs = 1250;
    d.skew = -3.0;
    d.kurt = 10.0;
    d.n_trials = 100;
    d.var_sr = 0.5 / 250.0;
    slab_dsr_compute(&d);
    slab_test_expect_close("SR0 (paper 0.1132)", 0, d.sr0, 0.113172002, 1e-8, 0.0);
    assert_true(fabs(d.sr0 - 0.1132) < 0.00005);
    slab_test_expect_close("DSR (paper 0.9004)", 0, d.dsr, 0.900397, 2e-6, 0.0);
    assert_true(fabs(d.dsr - 0.9004) < 0.00005);
}

static void test_psr_and_edges(void **state)
{
    (void)state;
    /* PSR by hand: sr 0.1 over 101 returns, normal shape, against 0:
     * z = 0.1 * 10 / sqrt(1 + 0.5 * 0.01) = 0.997509, Z(z) = 0.840741 */
    slab_test_expect_close("psr", 0, slab_psr(0.1, 0.0, 101, 0.0, 3.0), 0.840741328, 1e-8, 0.0);
    /* one trial: no selection, SR0 = 0 and DSR = PSR(0) */
    slab_dsr d = {0.1, 0, 101, 0.0, 3.0, 1, 0.002, 0};
    slab_dsr_compute(&d);
    assert_true(d.sr0 == 0.0);
    slab_test_expect_close("dsr n=1", 0, d.dsr, 0.840741328, 1e-8, 0.0);
    /* more trials, a higher bar: DSR falls with N */
    double prev = 1.0;
    for (double n = 2; n < 1e6; n *= 10) {
        slab_dsr e = {0.1, 0, 1001, 0.0, 3.0, n, 0.001, 0};
        slab_dsr_compute(&e);
        assert_true(e.dsr < prev);
        prev = e.dsr;
    }
    assert_true(isnan(slab_psr(0.1, 0.0, 1, 0.0, 3.0)));
    /* moments: skew and kurtosis of a known sample, by hand:
     * x = {1, 2, 3, 10}: mean 4; deviations -3 -2 -1 6; m2 = 50/4 = 12.5;
     * m3 = (-27 - 8 - 1 + 216)/4 = 45; m4 = (81 + 16 + 1 + 1296)/4 = 348.5;
     * skew = 45 / 12.5^1.5 = 1.018233765; kurt = 348.5 / 156.25 = 2.23040 */
    double x[] = {1, 2, 3, 10};
    slab_moments m;
    slab_moments_of(x, 4, &m);
    slab_test_expect_close("mean", 0, m.mean, 4.0, 1e-15, 0.0);
    slab_test_expect_close("sd", 0, m.sd, sqrt(12.5), 1e-15, 0.0);
    slab_test_expect_close("skew", 0, m.skew, 45.0 / pow(12.5, 1.5), 1e-14, 0.0);
    slab_test_expect_close("kurt", 0, m.kurt, 2.2304, 1e-14, 0.0);
    double flat[] = {0.5, 0.5, 0.5};
    slab_moments_of(flat, 3, &m);
    assert_true(m.sd == 0.0 && m.skew == 0.0 && m.kurt == 3.0);
}

/* Block sums of returns given per block (2 returns a block). */
static void sums_of(const double r[][4][2], size_t n, size_t s, double *sums, double *sq)
{
    for (size_t t = 0; t < n; t++)
        for (size_t b = 0; b < s; b++) {
            sums[t * s + b] = r[t][b][0] + r[t][b][1];
            sq[t * s + b] = r[t][b][0] * r[t][b][0] + r[t][b][1] * r[t][b][1];
        }
}

/* CSCV by hand (the paper's algorithm, S = 4 blocks, N = 3 trials, 2
 * returns a block). A gains .02 then 0 in blocks 0-1 and loses -.02 then 0
 * in blocks 2-3; B the reverse; C earns .011 then -.009 in every block.
 * Sharpe (mean / population sd): A on {0,1} = .01/.01 = 1, on {2,3} = -1,
 * on any mixed pair 0 (mean 0); B the mirror; C = .001/.01 = 0.1 anywhere.
 * The C(4,2) = 6 splits (in-sample -> best, its out-of-sample rank of 3):
 *   {0,1} -> A (1);  out {2,3}: A -1 is worst: rank 1, w = 1/4, logit -ln 3
 *   {2,3} -> B (1);  out {0,1}: B -1 is worst: rank 1, logit -ln 3
 *   {0,2},{0,3},{1,2},{1,3} -> C (0.1 > 0); out: C 0.1 > 0, 0: rank 3,
 *                    w = 3/4, logit +ln 3
 * PBO = 2/6 = 1/3; mean logit = (4 - 2) ln 3 / 6 = ln 3 / 3 = 0.366204;
 * out-of-sample loss in 2 of 6 splits; degradation slope of (IS, OOS)
 * pairs (1,-1) x2, (0.1,0.1) x4: means 0.4 and -4/15, cov sum -1.32, var
 * sum 1.08, slope -11/9. */
static void test_pbo_hand(void **state)
{
    (void)state;
    static const double r[3][4][2] = {
        {{0.02, 0}, {0.02, 0}, {-0.02, 0}, {-0.02, 0}},
        {{-0.02, 0}, {-0.02, 0}, {0.02, 0}, {0.02, 0}},
        {{0.011, -0.009}, {0.011, -0.009}, {0.011, -0.009}, {0.011, -0.009}},
    };
    double sums[12], sq[12];
    size_t count[4] = {2, 2, 2, 2};
    slab_pbo p;
    slab_error err;
    sums_of(r, 3, 4, sums, sq);
    assert_int_equal(slab_pbo_cscv(sums, sq, count, 3, 4, &p, &err), SLAB_OK);
    assert_int_equal(p.splits, 6);
    slab_test_expect_close("pbo", 0, p.pbo, 1.0 / 3.0, 1e-15, 0.0);
    slab_test_expect_close("logit mean", 0, p.logit_mean, log(3.0) / 3.0, 1e-12, 0.0);
    slab_test_expect_close("oos loss", 0, p.prob_oos_loss, 1.0 / 3.0, 1e-15, 0.0);
    slab_test_expect_close("slope", 0, p.degradation_slope, -11.0 / 9.0, 1e-9, 0.0);
    /* logits: -1.0986 twice in bin [-2,-1) = 3; +1.0986 four times in [1,2) = 6 */
    assert_int_equal(p.hist[3], 2);
    assert_int_equal(p.hist[6], 4);
}

/* Box-Muller normals from a fixed LCG, so the data are the same everywhere. */
static double gauss(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    double u = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    double v = ((double)(*s >> 11) + 0.5) / 9007199254740992.0;
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* N trials of T iid returns (mean mu[t], sd 0.01) into 16 block sums. */
static double run_pbo(size_t n, size_t t_len, const double *mu, uint64_t seed)
{
    enum { S = 16 };
    double *sums = calloc(n * S, sizeof *sums), *sq = calloc(n * S, sizeof *sq);
    size_t count[S];
    slab_pbo p;
    slab_error err;
    for (size_t b = 0; b < S; b++)
        count[b] = slab_cscv_block_start(t_len, S, b + 1) - slab_cscv_block_start(t_len, S, b);
    for (size_t t = 0; t < n; t++)
        for (size_t b = 0; b < S; b++)
            for (size_t i = 0; i < count[b]; i++) {
                double x = mu[t] + 0.01 * gauss(&seed);
                sums[t * S + b] += x;
                sq[t * S + b] += x * x;
            }
    assert_int_equal(slab_pbo_cscv(sums, sq, count, n, S, &p, &err), SLAB_OK);
    assert_int_equal(p.splits, 12870);
    free(sums);
    free(sq);
    return p.pbo;
}

/* The papers' reading of PBO: trials without skill are ranked at random
 * out of sample, so the in-sample best lands below the median half the
 * time (PBO about 1/2 on average over data sets); one trial with a true
 * edge among them (Sharpe 0.2 a period over 1000 periods) stays on top
 * and PBO goes to 0. */
static void test_pbo_properties(void **state)
{
    (void)state;
    double mu[20] = {0}, avg = 0.0;
    for (uint64_t k = 0; k < 12; k++)
        avg += run_pbo(20, 1000, mu, 1000 + k) / 12.0;
    if (!(avg > 0.35 && avg < 0.65))
        fail_msg("no-skill PBO averages %g, expected near 0.5", avg);
    mu[7] = 0.002; /* Sharpe 0.2 per period */
    double edge = run_pbo(20, 1000, mu, 77);
    if (!(edge < 0.05))
        fail_msg("PBO with a real edge is %g, expected near 0", edge);
}

static void test_pbo_errors(void **state)
{
    (void)state;
    double s[4] = {0}, q[4] = {0};
    size_t c[4] = {1, 1, 1, 0};
    slab_pbo p;
    slab_error err;
    assert_int_equal(slab_pbo_cscv(s, q, c, 1, 4, &p, &err), SLAB_EINVAL);
    assert_string_equal(err.msg, "the probability of backtest overfitting needs at least 2 trials");
    assert_int_equal(slab_pbo_cscv(s, q, c, 2, 3, &p, &err), SLAB_EINVAL);
    assert_int_equal(slab_pbo_cscv(s, q, c, 2, 2, &p, &err), SLAB_OK);
    assert_int_equal(slab_pbo_cscv(s, q, c, 1 + 1, 4, &p, &err), SLAB_EINVAL);
    assert_string_equal(err.msg, "CSCV block 3 has no returns: fewer periods than blocks");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal),         cmocka_unit_test(test_dsr_paper_example),
        cmocka_unit_test(test_psr_and_edges),  cmocka_unit_test(test_pbo_hand),
        cmocka_unit_test(test_pbo_properties), cmocka_unit_test(test_pbo_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
