/* test_ind_hand.c: the core indicators the parity strategies and the
 * TA-Lib table rest on (SMA, EMA, RSI, CMO in TA-Lib's and backtrader's
 * conventions, CrossOver), on one six-bar series worked out by hand in the
 * comment beside each row. These rows catch a wrong window, smoothing
 * constant or Wilder seed without ../shared (scripts/mutate.sh checks that
 * they do). Definitions: TA-Lib 0.6 ta_SMA.c, ta_EMA.c, ta_RSI.c, ta_CMO.c;
 * backtrader 1.9.78 sma.py, ema.py, rsi.py, crossover.py
 * (../shared/docs/backtrader-semantics.md §7). */
#include "slab_test.h"
#include "stratlab/ind.h"

#include <math.h>
#include <stdio.h>

#define N NAN
#define NB 7

typedef struct row {
    const char *label;
    const char *ind;                    /* table name */
    double p[SLAB_IND_MAX_PARAMS];      /* the first parameters; the rest keep their defaults */
    int np;                             /* how many p gives */
    int n;                              /* bars */
    double in[SLAB_IND_MAX_INPUTS][NB]; /* inputs in the table's order */
    double want[NB];                    /* output 0 */
    double tol;                         /* relative; 0 = exact */
} row;

/* The series: closes 10 12 11 14 13 13, moves +2 -1 +3 -1 0. */
#define X6                                                                                         \
    {                                                                                              \
        10, 12, 11, 14, 13, 13                                                                     \
    }

static const row rows[] = {
    /* Windows of 3: 10+12+11 = 33, 12+11+14 = 37, 11+14+13 = 38,
     * 14+13+13 = 40, over 3. Integer sums are exact and the one division
     * is correctly rounded, so the values are exact. (A window of 2
     * divided by 3 would give (10+11)/3 = 7 first.) */
    {"sma 3", "SMA", {3}, 1, 6, {X6}, {N, N, 11, 37.0 / 3, 38.0 / 3, 40.0 / 3}, 0},
    {"sma_bt 3", "SMA_BT", {3}, 1, 6, {X6}, {N, N, 11, 37.0 / 3, 38.0 / 3, 40.0 / 3}, 0},
    /* k = 2/(3+1) = 0.5, seeded by the SMA 11 at bar 2; then
     * e = (x - e)*k + e: (14-11)/2 + 11 = 12.5, (13-12.5)/2 + 12.5 = 12.75,
     * (13-12.75)/2 + 12.75 = 12.875. Binary fractions: exact. (Wilder's
     * k = 1/3 would give 12 at bar 3.) */
    {"ema 3", "EMA", {3}, 1, 6, {X6}, {N, N, 11, 12.5, 12.75, 12.875}, 0},
    /* backtrader: alpha = 2/(1+3) = 0.5, e*(1-alpha) + x*alpha: the same
     * values, exact. */
    {"ema_bt 3", "EMA_BT", {3}, 1, 6, {X6}, {N, N, 11, 12.5, 12.75, 12.875}, 0},
    /* RSI(2), TA-Lib (Wilder): the seed is the mean of the first 2 moves,
     * +2 and -1 (from bar 1 on): gain 2/2 = 1, loss 1/2 = 0.5, RSI =
     * 100*1/1.5 = 200/3 at bar 2. Then g = (g*1 + up)/2, l = (l*1 + down)/2:
     * bar 3 (+3): g 2, l 0.25, RSI 100*2/2.25 = 800/9; bar 4 (-1): g 1,
     * l 0.625, 100/1.625 = 800/13; bar 5 (0): g 0.5, l 0.3125, again
     * 800/13. (A seed without the first move has g 0, l 0.5: RSI 0.) The
     * kernel rounds 100*(g/(g+l)) twice: 1e-15. */
    {"rsi 2 (Wilder seed)",
     "RSI",
     {2},
     1,
     6,
     {X6},
     {N, N, 200.0 / 3, 800.0 / 9, 800.0 / 13, 800.0 / 13},
     1e-15},
    /* CMO(2) on the same g and l: 100*(g-l)/(g+l) = 100*0.5/1.5 = 100/3,
     * 100*1.75/2.25 = 700/9, 100*0.375/1.625 = 300/13, 100*0.1875/0.8125 =
     * 300/13. */
    {"cmo 2 (Wilder seed)",
     "CMO",
     {2},
     1,
     6,
     {X6},
     {N, N, 100.0 / 3, 700.0 / 9, 300.0 / 13, 300.0 / 13},
     1e-15},
    /* backtrader RSI(2): SMMA (alpha 1/2) of up and down moves, seeded by
     * their mean over bars 1-2: up 1, down 0.5, rs 2, RSI 100 - 100/3 =
     * 200/3; bar 3: up 1*0.5 + 3*0.5 = 2, down 0.25, rs 8, 100 - 100/9 =
     * 800/9; bar 4: up 1, down 0.625, rs 1.6, 100 - 100/2.6 = 800/13; bar 5:
     * up 0.5, down 0.3125, rs 1.6 again. 100 - 100/(1+rs) cancels a little:
     * 1e-14. */
    {"rsi_bt 2",
     "RSI_BT",
     {2},
     1,
     6,
     {X6},
     {N, N, 200.0 / 3, 800.0 / 9, 800.0 / 13, 800.0 / 13},
     1e-14},
    /* a - b = -1 0 1 0 0 1 -1. Bar 1 touches (0): no cross, the previous
     * non-zero difference stays -1; bar 2 goes above: +1; bars 3-4 touch
     * and bar 5 is above again after +1: no cross; bar 6 goes below: -1. */
    {"crossover touch",
     "CROSSOVER",
     {0},
     0,
     7,
     {{1, 2, 3, 2, 2, 3, 1}, {2, 2, 2, 2, 2, 2, 2}},
     {N, 0, 1, 0, 0, 0, -1},
     0},
};

static void hand_rows(void **state)
{
    (void)state;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const row *w = &rows[r];
        const slab_ind_def *d = slab_ind_find(w->ind, NULL);
        double out[SLAB_IND_MAX_OUTPUTS][NB], p[SLAB_IND_MAX_PARAMS];
        double *o[SLAB_IND_MAX_OUTPUTS];
        const double *in[SLAB_IND_MAX_INPUTS];
        slab_error err;
        char what[80];

        assert_non_null(d);
        for (int k = 0; k < SLAB_IND_MAX_PARAMS; k++)
            p[k] = k < w->np ? w->p[k] : k < d->n_params ? d->params[k].def : 0.0;
        for (int k = 0; k < SLAB_IND_MAX_OUTPUTS; k++)
            o[k] = out[k];
        for (int k = 0; k < SLAB_IND_MAX_INPUTS; k++)
            in[k] = w->in[k];
        assert_int_equal(d->fn(in, (size_t)w->n, p, o, &err), SLAB_OK);
        for (int i = 0; i < w->n; i++) {
            snprintf(what, sizeof what, "%s", w->label);
            slab_test_expect_close(what, i, out[0][i], w->want[i], w->tol, 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hand_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
