/* ind_int.h: internal declarations of the indicator module. The TA-Lib
 * convention kernels (talib_*.c) are listed once in SLAB__TA_KERNELS; the
 * table in registry.c refers to them by name. Each kernel has the
 * slab_ind_fn shape and a lookback function of the same name + _lb. */
#ifndef SLAB_IND_INT_H
#define SLAB_IND_INT_H

#include "stratlab/ind.h"

/* TA-Lib's TA_MAType numbering, used by every matype parameter. */
enum {
    SLAB__MA_SMA,
    SLAB__MA_EMA,
    SLAB__MA_WMA,
    SLAB__MA_DEMA,
    SLAB__MA_TEMA,
    SLAB__MA_TRIMA,
    SLAB__MA_KAMA,
    SLAB__MA_MAMA,
    SLAB__MA_T3
};

#define SLAB__TA_KERNELS(X)                                                                        \
    X(sma)                                                                                         \
    X(ema)                                                                                         \
    X(wma)                                                                                         \
    X(dema) X(tema) X(trima) X(kama) X(t3) X(ma) X(rsi) X(cmo) X(macd) X(macdfix) X(macdext)       \
        X(stoch) X(stochf) X(stochrsi) X(mom) X(roc) X(rocp) X(rocr) X(rocr100) X(trix) X(cci)     \
            X(adx) X(adxr) X(dx) X(plus_di) X(minus_di) X(plus_dm) X(minus_dm) X(willr) X(aroon)   \
                X(aroonosc) X(mfi) X(ultosc) X(apo) X(ppo) X(bop) X(atr) X(natr) X(trange)         \
                    X(bbands) X(stddev) X(var) X(obv) X(ad) X(adosc) X(linearreg)                  \
                        X(linearreg_slope) X(linearreg_intercept) X(linearreg_angle) X(tsf)        \
                            X(correl) X(beta) X(sum) X(max) X(min) X(midpoint) X(midprice) X(sar)  \
                                X(avgprice) X(medprice) X(typprice) X(wclprice)

/* SMA_BT's table function (slab_ind_sma); slab_ind_run_multi runs several
 * over one input with slab_ind_sma_many. */
slab_status slab__ind_bt_sma(const double *const *in, size_t n, const double *p, double *const *out,
                             slab_error *err);

/* Lookback = the first parameter (timeperiod): shared by the kernels whose
 * first output comes after exactly `timeperiod` bars. */
size_t slab__ind_lb_period(const double *p);

#define SLAB__TA_DECLARE(k)                                                                        \
    slab_status slab__ind_ta_##k(const double *const *in, size_t n, const double *p,               \
                                 double *const *out, slab_error *err);                             \
    size_t slab__ind_ta_##k##_lb(const double *p);
SLAB__TA_KERNELS(SLAB__TA_DECLARE)
#undef SLAB__TA_DECLARE

/* Lookback of TA-Lib moving average `type` over `period` bars. */
size_t slab__ind_ma_lookback(int type, int period);
/* Moving average of type `type` (SLAB__MA_*) of x[s..n-1], TA-Lib's
 * arithmetic, seeded at s; out[0..s+lookback) = NaN. x and out must not
 * overlap. Returns 0, or -1 for an unsupported type (MAMA). */
int slab__ind_ma(const double *x, size_t n, size_t s, int period, int type, double *out);
/* What slab__ind_ma_op does with each value: store it, or combine it as the
 * fast average with the slow one already in out (APO, PPO). */
enum { SLAB__MA_STORE, SLAB__MA_APO, SLAB__MA_PPO };
int slab__ind_ma_op(const double *x, size_t n, size_t s, int period, int type, double *out, int op);

/* A kernel body: inputs valid from index 0; writes NaN before its
 * lookback. Returns 0, or -1 for an unsupported option (MAMA). */
typedef int (*slab__ta_body)(const double *const *in, size_t n, const double *p,
                             double *const *out);
/* Runs body on the inputs from their first common non-NaN bar (an upstream
 * warm-up), writing NaN before it. */
slab_status slab__ind_shifted(slab__ta_body body, int n_in, int n_out, const double *const *in,
                              size_t n, const double *p, double *const *out, slab_error *err);
#define SLAB__TA_ENTRY(k, n_in, n_out)                                                             \
    slab_status slab__ind_ta_##k(const double *const *in, size_t n, const double *p,               \
                                 double *const *out, slab_error *err)                              \
    {                                                                                              \
        return slab__ind_shifted(body_##k, n_in, n_out, in, n, p, out, err);                       \
    }
/* out[0..min(to,n)) = NaN. */
void slab__ind_nan(double *out, size_t to, size_t n);
/* Rolling extreme of a window, TA-Lib's way: remember the index of the
 * extreme and rescan only when it leaves the window (O(1) amortized, no
 * memory). Call slab__ext_step for consecutive i >= p-1. */
typedef struct slab__ext {
    size_t idx; /* index of the current extreme */
    int valid;  /* 0 before the first step */
} slab__ext;

/* Index of the highest (sign > 0) or lowest (sign < 0) x over the p bars
 * ending at i; ties go to the most recent bar. */
static inline size_t slab__ext_step(slab__ext *e, const double *x, size_t i, size_t p, int sign)
{
    size_t lo = i + 1 - p;
    if (!e->valid || e->idx < lo) {
        e->idx = lo;
        for (size_t j = lo + 1; j <= i; j++)
            if (sign > 0 ? x[j] >= x[e->idx] : x[j] <= x[e->idx])
                e->idx = j;
        e->valid = 1;
    } else if (sign > 0 ? x[i] >= x[e->idx] : x[i] <= x[e->idx]) {
        e->idx = i;
    }
    return e->idx;
}

/* Two and four doubles operated on lane by lane (GCC/Clang vector
 * extensions; SSE2 on x86-64, plain scalar code elsewhere). Each lane
 * rounds exactly as the scalar expression would. */
typedef double slab__v2d __attribute__((vector_size(16)));
typedef double slab__v4d __attribute__((vector_size(32)));

/* Caps the vector width of slab_ind_run_multi's lane kernels at
 * max_doubles (4: AVX2 where the CPU has it, the default; 2: the SSE2
 * fallback); 0 leaves the cap. Returns the width calls now use. For tests
 * and benches; not while another thread is in slab_ind_run_multi. */
int slab__ind_multi_width(int max_doubles);

/* TA-Lib's TA_IS_ZERO and TA_IS_ZERO_OR_NEG. */
#define SLAB__IS_ZERO(v) (-0.00000000000001 < (v) && (v) < 0.00000000000001)
#define SLAB__IS_ZERO_OR_NEG(v) ((v) < 0.00000000000001)

/* Wilder's smoothing of up and down moves as TA-Lib's RSI/CMO do it
 * (ta_RSI.c), shared by the single and the multi-series kernels so both
 * keep one operation order. seed: the means of the p moves after x[s]. */
static inline void slab__wilder_seed(const double *x, size_t s, size_t p, double *gain,
                                     double *loss)
{
    double g = 0.0, l = 0.0, per = (double)p;
    for (size_t i = s + 1; i <= s + p; i++) {
        double d = x[i] - x[i - 1];
        if (d < 0)
            l -= d;
        else
            g += d;
    }
    *loss = l / per;
    *gain = g / per;
}

/* One step: v = (v*(p-1) + move)/p for the side the move d is on. */
static inline void slab__wilder_step(double d, double pm1, double per, double *gain, double *loss)
{
    double l = *loss * pm1, g = *gain * pm1;
    if (d < 0)
        l -= d;
    else
        g += d;
    *loss = l / per;
    *gain = g / per;
}

#endif
