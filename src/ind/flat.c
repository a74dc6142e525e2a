/* flat.c: the flat-window policy for TA-Lib entries (ind.h, "flat"). With
 * flat = 0 these entries are TA-Lib's kernels unchanged; with flat = 1 the
 * bars where TA-Lib substitutes 0 for 0/0 because the window is flat
 * become NaN (indicator-conventions.md §4 and §7.2-3). The TA kernel runs
 * first; a second pass over the inputs finds the flat windows. */
#include "ind/ind_extra.h"
#include "ind/ind_int.h"

#include <math.h>
#include <stdint.h>

/* First bar from which every one of the n_in inputs is non-NaN (the same
 * shift slab__ind_shifted applies). */
static size_t first_common(const double *const *in, int n_in, size_t n)
{
    size_t s = 0;
    for (int k = 0; k < n_in; k++)
        while (s < n && isnan(in[k][s]))
            s++;
    return s;
}

/* Marks NaN what a flat window at bar f reaches: out[k][i] for
 * f <= i < f + span[k]. last is the latest flat bar (SIZE_MAX: none). */
static void mask_bar(size_t i, size_t last, int n_out, const size_t *span, double *const *out)
{
    if (last == SIZE_MAX)
        return;
    for (int k = 0; k < n_out; k++)
        if (i - last < span[k])
            out[k][i] = NAN;
}

/* STOCH, STOCHF, WILLR: flat where the highest high equals the lowest low
 * over `per` bars (exactly TA-Lib's `diff != 0.0` guard). */
static void mask_hl(const double *const *in, size_t n, size_t per, int n_out, const size_t *span,
                    double *const *out)
{
    size_t s = first_common(in, 3, n), last = SIZE_MAX;
    slab__ext eh = {0, 0}, el = {0, 0};
    const double *h = in[0] + s, *l = in[1] + s;
    for (size_t i = per - 1; i + s < n; i++) {
        if (h[slab__ext_step(&eh, h, i, per, 1)] == l[slab__ext_step(&el, l, i, per, -1)])
            last = i + s;
        mask_bar(i + s, last, n_out, span, out);
    }
}

/* One series' runs of equal values: returns the run length ending at x. */
typedef struct eq_run {
    double prev;
    size_t len;
} eq_run;

static size_t run_push(eq_run *r, double x)
{
    r->len = (r->len > 0 && x == r->prev) ? r->len + 1 : 1;
    r->prev = x;
    return r->len;
}

/* STOCH (slow): a flat fastK bar reaches slowK for slowk_period bars and
 * slowD for slowk_period + slowd_period - 1 (the SMA windows that read it;
 * for the other MA types, the same number of bars). */
slab_status slab__ind_x_stoch_flat(const double *const *in, size_t n, const double *p,
                                   double *const *out, slab_error *err)
{
    slab_status st = slab__ind_ta_stoch(in, n, p, out, err);
    size_t span[2] = {(size_t)p[1], (size_t)p[1] + (size_t)p[3] - 1};
    if (st == SLAB_OK && p[5] != 0.0)
        mask_hl(in, n, (size_t)p[0], 2, span, out);
    return st;
}
size_t slab__ind_x_stoch_flat_lb(const double *p)
{
    return slab__ind_ta_stoch_lb(p);
}

slab_status slab__ind_x_stochf_flat(const double *const *in, size_t n, const double *p,
                                    double *const *out, slab_error *err)
{
    slab_status st = slab__ind_ta_stochf(in, n, p, out, err);
    size_t span[2] = {1, (size_t)p[1]};
    if (st == SLAB_OK && p[3] != 0.0)
        mask_hl(in, n, (size_t)p[0], 2, span, out);
    return st;
}
size_t slab__ind_x_stochf_flat_lb(const double *p)
{
    return slab__ind_ta_stochf_lb(p);
}

slab_status slab__ind_x_willr_flat(const double *const *in, size_t n, const double *p,
                                   double *const *out, slab_error *err)
{
    slab_status st = slab__ind_ta_willr(in, n, p, out, err);
    size_t span[1] = {1};
    if (st == SLAB_OK && p[1] != 0.0)
        mask_hl(in, n, (size_t)p[0], 1, span, out);
    return st;
}
size_t slab__ind_x_willr_flat_lb(const double *p)
{
    return slab__ind_ta_willr_lb(p);
}

/* CCI: flat where the p typical prices (h+l+c)/3 are all equal; TA-Lib
 * then gives 0, or +/-66.67 when the rounded mean differs from them. */
slab_status slab__ind_x_cci_flat(const double *const *in, size_t n, const double *p,
                                 double *const *out, slab_error *err)
{
    slab_status st = slab__ind_ta_cci(in, n, p, out, err);
    size_t per = (size_t)p[0];
    eq_run r = {0.0, 0};
    if (st != SLAB_OK || p[1] == 0.0)
        return st;
    for (size_t i = first_common(in, 3, n); i < n; i++)
        if (run_push(&r, (in[0][i] + in[1][i] + in[2][i]) / 3.0) >= per)
            out[0][i] = NAN;
    return st;
}
size_t slab__ind_x_cci_flat_lb(const double *p)
{
    return slab__ind_ta_cci_lb(p);
}

/* CORREL: flat where either series is constant over the p bars. */
slab_status slab__ind_x_correl_flat(const double *const *in, size_t n, const double *p,
                                    double *const *out, slab_error *err)
{
    slab_status st = slab__ind_ta_correl(in, n, p, out, err);
    size_t per = (size_t)p[0];
    eq_run a = {0.0, 0}, b = {0.0, 0};
    if (st != SLAB_OK || p[1] == 0.0)
        return st;
    for (size_t i = first_common(in, 2, n); i < n; i++) {
        size_t ra = run_push(&a, in[0][i]), rb = run_push(&b, in[1][i]);
        if (ra >= per || rb >= per)
            out[0][i] = NAN;
    }
    return st;
}
size_t slab__ind_x_correl_flat_lb(const double *p)
{
    return slab__ind_ta_correl_lb(p);
}
