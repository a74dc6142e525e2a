/* ind_extra.h: the indicators that TA-Lib 0.6 does not have (extra.c) and
 * the flat-window wrappers of TA-Lib entries (flat.c). registry.c refers
 * to them by name; each has the slab_ind_fn shape and a lookback function
 * of the same name + _lb. */
#ifndef SLAB_IND_EXTRA_H
#define SLAB_IND_EXTRA_H

#include "stratlab/ind.h"

#define SLAB__X_KERNELS(X)                                                                         \
    X(crossup)                                                                                     \
    X(crossdown)                                                                                   \
    X(highest)                                                                                     \
    X(lowest)                                                                                      \
    X(mean)                                                                                        \
    X(std)                                                                                         \
    X(zscore)                                                                                      \
    X(percentrank)                                                                                 \
    X(wma_bt)                                                                                      \
    X(hma)                                                                                         \
    X(zlema)                                                                                       \
    X(vwap)                                                                                        \
    X(donchian)                                                                                    \
    X(keltner)                                                                                     \
    X(cci_bt)                                                                                      \
    X(stoch_flat)                                                                                  \
    X(stochf_flat)                                                                                 \
    X(willr_flat)                                                                                  \
    X(cci_flat)                                                                                    \
    X(correl_flat)

#define SLAB__X_DECLARE(k)                                                                         \
    slab_status slab__ind_x_##k(const double *const *in, size_t n, const double *p,                \
                                double *const *out, slab_error *err);                              \
    size_t slab__ind_x_##k##_lb(const double *p);
SLAB__X_KERNELS(SLAB__X_DECLARE)
#undef SLAB__X_DECLARE

/* Rolling max (sign > 0) or min (sign < 0) of the p values ending at each
 * i >= p - 1 into out, NaN before (van Herk/Gil-Werman, extra.c). Of equal
 * values either may be returned, so callers needing TA-Lib's pick among
 * +0.0/-0.0 or its NaN handling must not use it. */
void slab__ind_rolling_ext(const double *x, size_t n, size_t p, double *out, int sign);

#endif
