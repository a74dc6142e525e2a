/* test_ind_extra.c: the indicators beyond TA-Lib (extra.c) and the
 * flat-window policy (flat.c) on small series whose expected values are
 * worked out by hand in the comment beside each row (definitions cited in
 * the kernels). Plus the O(n) rolling extremes against a brute-force max
 * and min over a long series with ties and every block alignment. */
#include "slab_test.h"
#include "stratlab/ind.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define N NAN
#define MAXB 8

typedef struct row {
    const char *label;
    const char *ind;                      /* table name */
    double p[SLAB_IND_MAX_PARAMS];        /* every parameter */
    int n;                                /* bars */
    double in[SLAB_IND_MAX_INPUTS][MAXB]; /* inputs in the table's order */
    int output;                           /* which output is checked */
    double want[MAXB];
    double tol; /* relative (absolute below 1) */
} row;

/* Shared inputs. */
#define PI8                                                                                        \
    {                                                                                              \
        3, 1, 4, 1, 5, 9, 2, 6                                                                     \
    }
#define FIVE                                                                                       \
    {                                                                                              \
        1, 2, 3, 4, 10                                                                             \
    }

static const row rows[] = {
    /* d = a-b = -1 0 1 0 0 1 -1; the previous non-zero difference is -1 at
     * bar 1 (the touch keeps it), so a > b at bar 2 is a cross up; bars 3-4
     * touch and bar 5 goes back up: no cross; bar 6 crosses down. */
    {"crossup",
     "CROSSUP",
     {0},
     7,
     {{1, 2, 3, 2, 2, 3, 1}, {2, 2, 2, 2, 2, 2, 2}},
     0,
     {N, 0, 1, 0, 0, 0, 0},
     0},
    {"crossdown",
     "CROSSDOWN",
     {0},
     7,
     {{1, 2, 3, 2, 2, 3, 1}, {2, 2, 2, 2, 2, 2, 2}},
     0,
     {N, 0, 0, 0, 0, 0, 1},
     0},
    /* a starts at bar 1 (leading NaN): nzd seeded there with 1-2 = -1. */
    {"crossup nan lead", "CROSSUP", {0}, 3, {{N, 1, 3}, {2, 2, 2}}, 0, {N, N, 1}, 0},
    /* windows of 3: {3,1,4} {1,4,1} {4,1,5} {1,5,9} {5,9,2} {9,2,6} */
    {"highest 3", "HIGHEST", {3}, 8, {PI8}, 0, {N, N, 4, 4, 5, 9, 9, 9}, 0},
    {"lowest 3", "LOWEST", {3}, 8, {PI8}, 0, {N, N, 1, 1, 1, 1, 2, 2}, 0},
    {"maxn alias", "MaxN", {1}, 3, {{2, 1, 3}}, 0, {2, 1, 3}, 0},
    /* valid from bar 2: windows {2,7} {7,1} */
    {"highest nan lead", "HIGHEST", {2}, 5, {{N, N, 2, 7, 1}}, 0, {N, N, N, 7, 7}, 0},
    /* (1+2+3)/3, (2+3+4)/3, (3+4+10)/3 */
    {"mean 3", "MEAN", {3}, 5, {FIVE}, 0, {N, N, 2, 3, 17.0 / 3}, 1e-15},
    /* {1,2,3}: ss = 1+0+1 = 2, sd = sqrt(2/3) = 0.816496580927726;
     * {3,4,10}: mean 17/3, ss = (64+25+169)/9 = 258/9, sd = sqrt(258/27) */
    {"std pop",
     "STD",
     {3, 0},
     5,
     {FIVE},
     0,
     {N, N, 0.816496580927726, 0.816496580927726, 3.0912061651652345},
     1e-15},
    /* sample: sqrt(2/2) = 1, sqrt(258/18) */
    {"std sample", "STD", {3, 1}, 5, {FIVE}, 0, {N, N, 1, 1, 3.7859388972001824}, 1e-15},
    /* {1,100,1}: mean 34, ss = 1089+4356+1089, sd = sqrt(2178); {100,1,7}:
     * mean 36, ss = 4096+1225+841 = 6162, sd = sqrt(2054); {1,7,7}: mean 5,
     * ss = 24, sd = sqrt(8); then a constant window: exactly 0 */
    {"std flat",
     "STD",
     {3, 0},
     6,
     {{1, 100, 1, 7, 7, 7}},
     0,
     {N, N, 46.66904755831214, 45.32107677449864, 2.8284271247461903, 0},
     1e-15},
    /* (3-2)/sqrt(2/3) = sqrt(1.5); (10-17/3)/sqrt(258/27) = 1.4018260516446994 */
    {"zscore",
     "ZSCORE",
     {3, 0, 0},
     5,
     {FIVE},
     0,
     {N, N, 1.224744871391589, 1.224744871391589, 1.4018260516446994},
     1e-15},
    /* {5,5,5}: sd 0 -> 0 (flat=0) or NaN (flat=1); {5,5,6}: mean 16/3,
     * sd = sqrt((1/9+1/9+4/9)/3) = sqrt(2/9), z = (2/3)/sqrt(2/9) = sqrt(2) */
    {"zscore flat 0",
     "ZSCORE",
     {3, 0, 0},
     4,
     {{5, 5, 5, 6}},
     0,
     {N, N, 0, 1.4142135623730951},
     1e-15},
    {"zscore flat 1",
     "ZSCORE",
     {3, 0, 1},
     4,
     {{5, 5, 5, 6}},
     0,
     {N, N, N, 1.4142135623730951},
     1e-15},
    /* windows of 4 ending at 3..7: {3,1,4,1} 0 below 1; {1,4,1,5} 3 below 5;
     * {4,1,5,9} 3; {1,5,9,2} 1 below 2; {5,9,2,6} 2 below 6 */
    {"percentrank", "PERCENTRANK", {4}, 8, {PI8}, 0, {N, N, N, 0, 0.75, 0.75, 0.25, 0.5}, 0},
    {"percentrank ties", "PctRank", {3}, 3, {{2, 2, 2}}, 0, {N, N, 0}, 0},
    /* (1*1+2*2+3*3)/6 = 14/6, (2+6+12)/6 = 20/6 */
    {"wma_bt",
     "WMA_BT",
     {3},
     4,
     {{1, 2, 3, 4}},
     0,
     {N, N, 2.3333333333333335, 3.3333333333333335},
     1e-15},
    /* HMA(4): half 2, sqrt 2. wma2(i) = (x[i-1]+2x[i])/3, wma4(i) = (x[i-3]+
     * 2x[i-2]+3x[i-1]+4x[i])/10. d3 = 40/3-49/10 = 253/30, d4 = 80/3-98/10 =
     * 506/30, d5 = 1012/30; hma = (d[i-1]+2d[i])/3: 1265/90, 2530/90 */
    {"hma",
     "HMA",
     {4},
     6,
     {{1, 2, 4, 8, 16, 32}},
     0,
     {N, N, N, N, 14.055555555555555, 28.11111111111111},
     1e-14},
    /* ZLEMA(3): lag 1, alpha 0.5, d = 2x - x[-1] = 3 6 12 24 from bar 1;
     * seed at bar 3 = (3+6+12)/3 = 7; bar 4: 7*0.5 + 24*0.5 = 15.5 */
    {"zlema", "ZLEMA", {3}, 5, {{1, 2, 4, 8, 16}}, 0, {N, N, N, 7, 15.5}, 0},
    /* tp 10 11 13 | 20 21 23 (day 0 | day 1), volume 100 300 0 | 0 50 150:
     * 10; (1000+3300)/400 = 10.75; unchanged; no volume yet: NaN; 21;
     * (1050+3450)/200 = 22.5 */
    {"vwap",
     "VWAP",
     {0},
     6,
     {{11, 12, 14, 21, 22, 24},
      {9, 10, 12, 19, 20, 21},
      {10, 11, 13, 20, 21, 24},
      {100, 300, 0, 0, 50, 150},
      {0, 0, 0, 1, 1, 1}},
     0,
     {10, 10.75, 10.75, N, 21, 22.5},
     0},
    /* highs {5,6,4} {6,4,7} {4,7,3}; lows {1,2,3} {2,3,0} {3,0,2} */
    {"donchian up", "DONCHIAN", {3}, 5, {{5, 6, 4, 7, 3}, {1, 2, 3, 0, 2}}, 0, {N, N, 6, 7, 7}, 0},
    {"donchian mid",
     "DONCHIAN",
     {3},
     5,
     {{5, 6, 4, 7, 3}, {1, 2, 3, 0, 2}},
     1,
     {N, N, 3.5, 3.5, 3.5},
     0},
    {"donchian low", "DONCHIAN", {3}, 5, {{5, 6, 4, 7, 3}, {1, 2, 3, 0, 2}}, 2, {N, N, 1, 0, 0}, 0},
    /* KELTNER(3, atr 2, x2). EMA(3) of 9 10 12 11: SMA seed 31/3 at bar 2,
     * then ((11-31/3)*0.5)+31/3 = 32/3. TR from bar 1: 2, 3, 1; ATR(2) seed
     * (2+3)/2 = 2.5 at bar 2, then (2.5*1+1)/2 = 1.75. Bands mid +/- 2*ATR. */
    {"keltner up",
     "KELTNER",
     {3, 2, 2},
     4,
     {{10, 11, 13, 12}, {8, 9, 10, 11}, {9, 10, 12, 11}},
     0,
     {N, N, 15.333333333333334, 14.166666666666666},
     1e-15},
    {"keltner mid",
     "KELTNER",
     {3, 2, 2},
     4,
     {{10, 11, 13, 12}, {8, 9, 10, 11}, {9, 10, 12, 11}},
     1,
     {N, N, 31.0 / 3, 32.0 / 3},
     1e-15},
    {"keltner low",
     "KELTNER",
     {3, 2, 2},
     4,
     {{10, 11, 13, 12}, {8, 9, 10, 11}, {9, 10, 12, 11}},
     2,
     {N, N, 5.333333333333334, 7.166666666666666},
     1e-15},
    /* CCI_BT(2) on tp 1 3 2 6 (h = l = c): tpmean 2, 2.5, 4 from bar 1;
     * |tp - own mean| = 1, 0.5, 2; meandev (SMA 2) 0.75 at bar 2, 1.25 at 3;
     * cci = (2-2.5)/(0.015*0.75) = -44.44, (6-4)/(0.015*1.25) = 106.67 */
    {"cci_bt",
     "CCI_BT",
     {2, 0.015, 0},
     4,
     {{1, 3, 2, 6}, {1, 3, 2, 6}, {1, 3, 2, 6}},
     0,
     {N, N, -44.44444444444444, 106.66666666666667},
     1e-13},
    /* TA-Lib's CCI(2) on the same: deviation about the current mean:
     * {1,3}: (3-2)/(0.015*1); {3,2}: -0.5/(0.015*0.5); {2,6}: 2/(0.015*2) */
    {"cci talib",
     "CCI",
     {2, 0},
     4,
     {{1, 3, 2, 6}, {1, 3, 2, 6}, {1, 3, 2, 6}},
     0,
     {N, 66.666666666666667, -66.666666666666667, 66.666666666666667},
     1e-13},
    /* flat typical prices 5 5 5 5: backtrader divides 0 by 0 */
    {"cci_bt flat 0",
     "CCI_BT",
     {2, 0.015, 0},
     4,
     {{5, 5, 5, 5}, {5, 5, 5, 5}, {5, 5, 5, 5}},
     0,
     {N, N, 0, 0},
     0},
    {"cci_bt flat 1",
     "CCI_BT",
     {2, 0.015, 1},
     4,
     {{5, 5, 5, 5}, {5, 5, 5, 5}, {5, 5, 5, 5}},
     0,
     {N, N, N, N},
     0},
    /* ---- flat-window policy on TA-Lib entries ----
     * WILLR(3): bars 0-2 have high = low = 10: TA-Lib's 0 at bar 2; bar 3:
     * hh 12, ll 9: (12-11)/((12-9)/-100) = -33.33 */
    {"willr flat 0",
     "WILLR",
     {3, 0},
     4,
     {{10, 10, 10, 12}, {10, 10, 10, 9}, {10, 10, 10, 11}},
     0,
     {N, N, 0, -33.333333333333336},
     1e-14},
    {"willr flat 1",
     "WILLR",
     {3, 1},
     4,
     {{10, 10, 10, 12}, {10, 10, 10, 9}, {10, 10, 10, 11}},
     0,
     {N, N, N, -33.333333333333336},
     1e-14},
    /* STOCHF(3, 2, SMA): fastK 0 (flat) at bar 2, (11-9)/(3/100) = 66.67 at
     * bar 3; fastD = (0 + 66.67)/2 = 33.33 reads the flat bar -> NaN. */
    {"stochf flat 0 k",
     "STOCHF",
     {3, 2, 0, 0},
     4,
     {{10, 10, 10, 12}, {10, 10, 10, 9}, {10, 10, 10, 11}},
     0,
     {N, N, N, 66.666666666666667},
     1e-13},
    {"stochf flat 0 d",
     "STOCHF",
     {3, 2, 0, 0},
     4,
     {{10, 10, 10, 12}, {10, 10, 10, 9}, {10, 10, 10, 11}},
     1,
     {N, N, N, 33.333333333333333},
     1e-13},
    {"stochf flat 1 k",
     "STOCHF",
     {3, 2, 0, 1},
     4,
     {{10, 10, 10, 12}, {10, 10, 10, 9}, {10, 10, 10, 11}},
     0,
     {N, N, N, 66.666666666666667},
     1e-13},
    {"stochf flat 1 d",
     "STOCHF",
     {3, 2, 0, 1},
     4,
     {{10, 10, 10, 12}, {10, 10, 10, 9}, {10, 10, 10, 11}},
     1,
     {N, N, N, N},
     0},
    /* STOCH(3, 2 SMA, 2 SMA): fastK 0 (flat), 66.67, 100, 0 at bars 2-5;
     * slowK 33.33, 83.33, 50 at 3-5; slowD 58.33, 66.67 at 4-5 (lookback 4).
     * flat=1: slowD at bar 4 reads fastK of bars 2-4 (span 2+2-1) -> NaN. */
    {"stoch flat 0 k",
     "STOCH",
     {3, 2, 0, 2, 0, 0},
     6,
     {{10, 10, 10, 12, 12, 12}, {10, 10, 10, 9, 9, 9}, {10, 10, 10, 11, 12, 9}},
     0,
     {N, N, N, N, 83.333333333333333, 50},
     1e-13},
    {"stoch flat 0 d",
     "STOCH",
     {3, 2, 0, 2, 0, 0},
     6,
     {{10, 10, 10, 12, 12, 12}, {10, 10, 10, 9, 9, 9}, {10, 10, 10, 11, 12, 9}},
     1,
     {N, N, N, N, 58.333333333333336, 66.666666666666667},
     1e-13},
    {"stoch flat 1 k",
     "STOCH",
     {3, 2, 0, 2, 0, 1},
     6,
     {{10, 10, 10, 12, 12, 12}, {10, 10, 10, 9, 9, 9}, {10, 10, 10, 11, 12, 9}},
     0,
     {N, N, N, N, 83.333333333333333, 50},
     1e-13},
    {"stoch flat 1 d",
     "STOCH",
     {3, 2, 0, 2, 0, 1},
     6,
     {{10, 10, 10, 12, 12, 12}, {10, 10, 10, 9, 9, 9}, {10, 10, 10, 11, 12, 9}},
     1,
     {N, N, N, N, N, 66.666666666666667},
     1e-13},
    /* CCI(3) on tp 5 5 5 7: flat at bar 2; bar 3: mean 17/3, MD = (2/3 +
     * 2/3 + 4/3)/3 = 8/9, (7-17/3)/(0.015*8/9) = 100 */
    {"cci flat 0",
     "CCI",
     {3, 0},
     4,
     {{5, 5, 5, 7}, {5, 5, 5, 7}, {5, 5, 5, 7}},
     0,
     {N, N, 0, 100},
     1e-12},
    {"cci flat 1",
     "CCI",
     {3, 1},
     4,
     {{5, 5, 5, 7}, {5, 5, 5, 7}, {5, 5, 5, 7}},
     0,
     {N, N, N, 100},
     1e-12},
    /* CORREL(3): real0 1 1 1 is flat at bar 2; bar 3: x {1,1,2}, y {2,3,4}:
     * Sxy = 1, Sxx = 6/9, Syy = 2, r = 1/sqrt(4/3) = sqrt(3)/2 */
    {"correl flat 0",
     "CORREL",
     {3, 0},
     4,
     {{1, 1, 1, 2}, {1, 2, 3, 4}},
     0,
     {N, N, 0, 0.8660254037844386},
     1e-12},
    {"correl flat 1",
     "CORREL",
     {3, 1},
     4,
     {{1, 1, 1, 2}, {1, 2, 3, 4}},
     0,
     {N, N, N, 0.8660254037844386},
     1e-12},
};

static void hand_rows(void **state)
{
    (void)state;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const row *w = &rows[r];
        const slab_ind_def *d = slab_ind_find(w->ind, NULL);
        const double *in[SLAB_IND_MAX_INPUTS];
        double out[SLAB_IND_MAX_OUTPUTS][MAXB], *o[SLAB_IND_MAX_OUTPUTS];
        slab_error err;
        char what[96];
        assert_non_null(d);
        for (int k = 0; k < d->n_inputs; k++)
            in[k] = w->in[k];
        for (int k = 0; k < SLAB_IND_MAX_OUTPUTS; k++)
            o[k] = out[k];
        assert_int_equal(d->fn(in, (size_t)w->n, w->p, o, &err), SLAB_OK);
        snprintf(what, sizeof what, "%s (%s output %d)", w->label, d->name, w->output);
        for (int i = 0; i < w->n; i++)
            slab_test_expect_close(what, i, out[w->output][i], w->want[i], w->tol, w->tol);
    }
}

#define LONG 300

/* HIGHEST/LOWEST/DONCHIAN equal a brute-force max/min for every period in
 * the table (block boundaries fall everywhere) on a series with ties. */
static void extremes_brute_force(void **state)
{
    (void)state;
    static const double periods[] = {1, 2, 3, 7, 16, 64, 299, 300};
    double x[LONG], y[LONG], hi[LONG], lo[LONG], ch[3][LONG];
    uint64_t s = 7;
    for (int i = 0; i < LONG; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = (double)((s >> 33) % 13); /* small integers: many ties */
        y[i] = x[i] - (double)((s >> 20) % 5);
    }
    const slab_ind_def *dh = slab_ind_find("HIGHEST", NULL), *dl = slab_ind_find("LOWEST", NULL),
                       *dc = slab_ind_find("DONCHIAN", NULL);
    for (size_t t = 0; t < sizeof periods / sizeof periods[0]; t++) {
        const double *in1[1] = {x}, *in2[2] = {x, y};
        double *oh[1] = {hi}, *ol[1] = {lo}, *oc[3] = {ch[0], ch[1], ch[2]};
        size_t p = (size_t)periods[t];
        slab_error err;
        assert_int_equal(dh->fn(in1, LONG, &periods[t], oh, &err), SLAB_OK);
        assert_int_equal(dl->fn(in1, LONG, &periods[t], ol, &err), SLAB_OK);
        assert_int_equal(dc->fn(in2, LONG, &periods[t], oc, &err), SLAB_OK);
        for (size_t i = 0; i < LONG; i++) {
            double mx = NAN, mn = NAN, ylo = NAN;
            if (i + 1 >= p) {
                mx = mn = x[i];
                ylo = y[i];
                for (size_t j = i + 1 - p; j < i; j++) {
                    mx = fmax(mx, x[j]);
                    mn = fmin(mn, x[j]);
                    ylo = fmin(ylo, y[j]);
                }
            }
            slab_test_expect_close("highest", (long)i, hi[i], mx, 0, 0);
            slab_test_expect_close("lowest", (long)i, lo[i], mn, 0, 0);
            slab_test_expect_close("donchian upper", (long)i, ch[0][i], mx, 0, 0);
            slab_test_expect_close("donchian lower", (long)i, ch[2][i], ylo, 0, 0);
        }
    }
}

/* TA-Lib's MAX/MIN rule (ta_MAX.c): keep the extreme's index while it is in
 * the window, a later value >= (<=) it takes over, else rescan the window. */
static void talib_ext_ref(const double *x, size_t n, size_t p, int sign, double *out)
{
    size_t idx = 0;
    int valid = 0;
    for (size_t i = 0; i < n; i++) {
        out[i] = NAN;
        if (i + 1 < p)
            continue;
        size_t lo = i + 1 - p;
        if (!valid || idx < lo) {
            idx = lo;
            for (size_t j = lo + 1; j <= i; j++)
                if (sign > 0 ? x[j] >= x[idx] : x[j] <= x[idx])
                    idx = j;
            valid = 1;
        } else if (sign > 0 ? x[i] >= x[idx] : x[i] <= x[idx]) {
            idx = i;
        }
        out[i] = x[idx];
    }
}

/* TA-Lib MAX/MIN bit for bit against that rule: ties without zeros (the
 * van Herk path), and with +0.0/-0.0 and NaN (where only the rule's own
 * pick gives TA-Lib's bits). */
static void talib_max_min_ties(void **state)
{
    (void)state;
    static const double periods[] = {2, 3, 7, 30, 299, 300};
    double x[LONG], got[LONG], want[LONG];
    const slab_ind_def *d[2] = {slab_ind_find("MAX", NULL), slab_ind_find("MIN", NULL)};
    uint64_t s = 11;
    for (int kind = 0; kind < 2; kind++) {
        for (int i = 0; i < LONG; i++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            x[i] = (double)((s >> 33) % 7) + 1.0;
            if (kind == 1)
                x[i] = (s >> 40) % 3 == 0 ? ((s >> 50) & 1 ? -0.0 : 0.0) : x[i] - 4.0;
        }
        if (kind == 1)
            x[LONG / 2] = NAN;
        for (size_t t = 0; t < sizeof periods / sizeof periods[0]; t++) {
            for (int m = 0; m < 2; m++) {
                const double *in[1] = {x};
                double *o[1] = {got};
                slab_error err;
                assert_int_equal(d[m]->fn(in, LONG, &periods[t], o, &err), SLAB_OK);
                talib_ext_ref(x, LONG, (size_t)periods[t], m == 0 ? 1 : -1, want);
                for (size_t i = 0; i < LONG; i++)
                    if (memcmp(&got[i], &want[i], sizeof got[i]) != 0 &&
                        !(isnan(got[i]) && isnan(want[i])))
                        fail_msg("%s(%g) kind %d at %zu: got %a want %a", d[m]->name, periods[t],
                                 kind, i, got[i], want[i]);
            }
        }
    }
}

/* The new names resolve, the moved aliases point at the new entries, and
 * every flat parameter defaults to TA-Lib's behaviour. */
static void names_and_flat_defaults(void **state)
{
    (void)state;
    static const struct {
        const char *alias, *name;
    } names[] = {
        {"Highest", "HIGHEST"},
        {"MinN", "LOWEST"},
        {"CrossUp", "CROSSUP"},
        {"crossdown", "CROSSDOWN"},
        {"HullMA", "HMA"},
        {"ZeroLagEma", "ZLEMA"},
        {"PercentRank", "PERCENTRANK"},
        {"CommodityChannelIndex", "CCI_BT"},
        {"RollingMean", "MEAN"},
        {"KeltnerChannels", "KELTNER"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const slab_ind_def *d = slab_ind_find(names[i].alias, NULL);
        assert_non_null(d);
        assert_string_equal(d->name, names[i].name);
    }
    size_t n;
    const slab_ind_def *t = slab_ind_table(&n);
    int flats = 0;
    for (size_t i = 0; i < n; i++) {
        int k = slab_ind_param_index(&t[i], "flat");
        if (k < 0)
            continue;
        flats++;
        assert_int_equal(k, t[i].n_params - 1); /* always last: shorter lists keep TA-Lib's */
        assert_true(t[i].params[k].def == 0.0);
    }
    assert_int_equal(flats, 7); /* STOCH STOCHF WILLR CCI CORREL ZSCORE CCI_BT */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_rows),
        cmocka_unit_test(extremes_brute_force),
        cmocka_unit_test(talib_max_min_ties),
        cmocka_unit_test(names_and_flat_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
