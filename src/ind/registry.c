/* registry.c: the one table of indicators. Every name a strategy, a spec
 * or the CLI uses is resolved here; the listing and the docs come from it.
 * Adding an indicator = writing its kernel and adding one row. */
#include "ind/ind_extra.h"
#include "ind/ind_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PERIOD_PARAM(d)                                                                            \
    {                                                                                              \
        "timeperiod", d, 1, 100000, 1, "number of bars in the window"                              \
    }

slab_status slab__ind_bt_sma(const double *const *in, size_t n, const double *p, double *const *out,
                             slab_error *err)
{
    (void)err;
    slab_ind_sma(in[0], n, (int)p[0], out[0]);
    return SLAB_OK;
}

static slab_status run_ema(const double *const *in, size_t n, const double *p, double *const *out,
                           slab_error *err)
{
    (void)err;
    slab_ind_ema_alpha(in[0], n, (int)p[0], 2.0 / (1.0 + p[0]), out[0]);
    return SLAB_OK;
}

static slab_status run_smma(const double *const *in, size_t n, const double *p, double *const *out,
                            slab_error *err)
{
    (void)err;
    slab_ind_ema_alpha(in[0], n, (int)p[0], 1.0 / p[0], out[0]);
    return SLAB_OK;
}

static slab_status run_rsi(const double *const *in, size_t n, const double *p, double *const *out,
                           slab_error *err)
{
    (void)err;
    slab_ind_rsi(in[0], n, (int)p[0], out[0]);
    return SLAB_OK;
}

static slab_status run_bbands(const double *const *in, size_t n, const double *p,
                              double *const *out, slab_error *err)
{
    (void)err;
    slab_ind_bbands(in[0], n, (int)p[0], p[1], p[2], out[0], out[1], out[2]);
    return SLAB_OK;
}

static slab_status run_cross(const double *const *in, size_t n, const double *p, double *const *out,
                             slab_error *err)
{
    (void)p;
    (void)err;
    slab_ind_crossover(in[0], in[1], n, out[0]);
    return SLAB_OK;
}

/* backtrader MACD: each EMA seeded on its own (fast from index p0-1, slow
 * from p1-1), macd = fast - slow, signal = EMA(macd) seeded with the mean of
 * its first p2 values, histo = macd - signal. out[1], out[2] hold the two
 * EMAs until macd is known. */
static slab_status run_macd_bt(const double *const *in, size_t n, const double *p,
                               double *const *out, slab_error *err)
{
    (void)err;
    slab_ind_ema_alpha(in[0], n, (int)p[0], 2.0 / (1.0 + p[0]), out[1]);
    slab_ind_ema_alpha(in[0], n, (int)p[1], 2.0 / (1.0 + p[1]), out[2]);
    for (size_t i = 0; i < n; i++)
        out[0][i] = out[1][i] - out[2][i];
    slab_ind_ema_alpha(out[0], n, (int)p[2], 2.0 / (1.0 + p[2]), out[1]);
    for (size_t i = 0; i < n; i++)
        out[2][i] = out[0][i] - out[1][i];
    return SLAB_OK;
}

static size_t lb_macd_bt(const double *p)
{
    return (size_t)(p[0] > p[1] ? p[0] : p[1]) + (size_t)p[2] - 2;
}

/* backtrader Stochastic (slow): %K = SMA(fastK, p1) from index p0+p1-2,
 * %D = SMA(%K, p2) (fsum SMAs). fastK is built in out[1] first. */
static slab_status run_stoch_bt(const double *const *in, size_t n, const double *p,
                                double *const *out, slab_error *err)
{
    (void)err;
    slab_ind_stoch_fastk_bt(in[0], in[1], in[2], n, (int)p[0], out[1]);
    slab_ind_sma(out[1], n, (int)p[1], out[0]);
    slab_ind_sma(out[0], n, (int)p[2], out[1]);
    return SLAB_OK;
}

static size_t lb_stoch_bt(const double *p)
{
    return (size_t)p[0] + (size_t)p[1] + (size_t)p[2] - 3;
}

/* backtrader StochasticFast: %K = fastK, %D = SMA(fastK, p1). */
static slab_status run_stochf_bt(const double *const *in, size_t n, const double *p,
                                 double *const *out, slab_error *err)
{
    (void)err;
    slab_ind_stoch_fastk_bt(in[0], in[1], in[2], n, (int)p[0], out[0]);
    slab_ind_sma(out[0], n, (int)p[1], out[1]);
    return SLAB_OK;
}

static size_t lb_stochf_bt(const double *p)
{
    return (size_t)p[0] + (size_t)p[1] - 2;
}

static size_t lb_period_minus1(const double *p)
{
    return (size_t)p[0] - 1;
}
size_t slab__ind_lb_period(const double *p)
{
    return (size_t)p[0];
}
static size_t lb_one(const double *p)
{
    (void)p;
    return 1;
}

#define IN_C                                                                                       \
    1,                                                                                             \
    {                                                                                              \
        "close"                                                                                    \
    }
#define IN_HL                                                                                      \
    2,                                                                                             \
    {                                                                                              \
        "high", "low"                                                                              \
    }
#define IN_HLC                                                                                     \
    3,                                                                                             \
    {                                                                                              \
        "high", "low", "close"                                                                     \
    }
#define IN_HLCV                                                                                    \
    4,                                                                                             \
    {                                                                                              \
        "high", "low", "close", "volume"                                                           \
    }
#define IN_OHLC                                                                                    \
    4,                                                                                             \
    {                                                                                              \
        "open", "high", "low", "close"                                                             \
    }
#define IN_CV                                                                                      \
    2,                                                                                             \
    {                                                                                              \
        "close", "volume"                                                                          \
    }
#define IN_2                                                                                       \
    2,                                                                                             \
    {                                                                                              \
        "real0", "real1"                                                                           \
    }
#define OUT1(x)                                                                                    \
    1,                                                                                             \
    {                                                                                              \
        x                                                                                          \
    }
/* A TA kernel, its lookback and no notes. */
#define TA(k) slab__ind_ta_##k, slab__ind_ta_##k##_lb, NULL
/* A TA kernel, its lookback and notes. */
#define TA_NOTE(k, note) slab__ind_ta_##k, slab__ind_ta_##k##_lb, note
/* TA-Lib's int arithmetic that overflows within the allowed periods. */
#define WMA_INT_NOTE                                                                               \
    "TA-Lib computes the divider timeperiod*(timeperiod+1)/2 in int, which overflows from "       \
    "timeperiod 46341 (TA-Lib's WMA(50000) is wrong); here it is exact: the same bits as TA-Lib " \
    "below 46341, the true weighted mean above."
#define LINREG_INT_NOTE                                                                            \
    "TA-Lib sums x and x^2 over the window in int, which overflows from timeperiod 1025 (its "    \
    "values are wrong from there: ORCL, timeperiod 2000, last LINEARREG 24.02 where least "       \
    "squares gives 39.27); here the sums are exact: the same bits as TA-Lib up to 1024, the "     \
    "least-squares line above."
/* A TA kernel whose lookback is its period (timeperiod bars). */
#define TA_P(k) slab__ind_ta_##k, slab__ind_lb_period, NULL
#define NOPARAMS                                                                                   \
    0,                                                                                             \
    {                                                                                              \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }
#define P_INT(nm, d, lo, help)                                                                     \
    {                                                                                              \
        nm, d, lo, 100000, 1, help                                                                 \
    }
#define P_PER(d, lo) P_INT("timeperiod", d, lo, "number of bars in the window")
#define P_MAT(nm)                                                                                  \
    {                                                                                              \
        nm, 0, 0, 8, 1, "average: 0 SMA 1 EMA 2 WMA 3 DEMA 4 TEMA 5 TRIMA 6 KAMA 8 T3"             \
    }
#define P_DEV(nm, help)                                                                            \
    {                                                                                              \
        nm, 2.0, -3e37, 3e37, 0, help                                                              \
    }
#define TAC "ta-lib"
#define BTC "backtrader"
#define SLC "stratlab"
/* An extra.c/flat.c kernel (ind_extra.h). */
#define XK(k) slab__ind_x_##k, slab__ind_x_##k##_lb
#define P_FLAT                                                                                     \
    {                                                                                              \
        "flat", 0, 0, 1, 1, "flat window: 0 TA-Lib's 0, 1 NaN (ind.h)"                             \
    }
#define IN_AB                                                                                      \
    2,                                                                                             \
    {                                                                                              \
        "a", "b"                                                                                   \
    }
#define BANDS3                                                                                     \
    3,                                                                                             \
    {                                                                                              \
        "upperband", "middleband", "lowerband"                                                     \
    }
#define NOTE_HL_FLAT                                                                               \
    "flat=1: NaN where the highest high equals the lowest low over the window (TA-Lib's 0 "        \
    "guard)."

static const slab_ind_def table[] = {
    /* Overlap studies */
    {"SMA",
     "",
     "simple moving average, running sum",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("sma"),
     TA(sma)},
    {"EMA",
     "",
     "exponential moving average, alpha 2/(n+1), SMA seed",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("ema"),
     TA(ema)},
    {"WMA",
     "WeightedMovingAverage",
     "linearly weighted moving average",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("wma"),
     TA_NOTE(wma, WMA_INT_NOTE)},
    {"DEMA",
     "DoubleExponentialMovingAverage",
     "double EMA, 2*e1 - e2",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("dema"),
     TA(dema)},
    {"TEMA",
     "TripleExponentialMovingAverage",
     "triple EMA, 3*e1 - 3*e2 + e3",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("tema"),
     TA(tema)},
    {"TRIMA",
     "",
     "triangular moving average",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("trima"),
     TA(trima)},
    {"KAMA",
     "",
     "Kaufman adaptive moving average (fast 2, slow 30)",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("kama"),
     TA(kama)},
    {"T3",
     "",
     "Tillson T3, six chained EMAs",
     TAC,
     IN_C,
     2,
     {P_PER(5, 2), {"vfactor", 0.7, 0, 1, 0, "volume factor"}},
     OUT1("t3"),
     TA(t3)},
    {"MA",
     "",
     "moving average of a chosen type",
     TAC,
     IN_C,
     2,
     {P_PER(30, 1), P_MAT("matype")},
     OUT1("ma"),
     TA_NOTE(ma, "matype 2 (WMA): " WMA_INT_NOTE)},
    {"BBANDS",
     "",
     "Bollinger bands, population sd from running sums",
     TAC,
     IN_C,
     4,
     {P_PER(5, 2), P_DEV("nbdevup", "upper band in standard deviations"),
      P_DEV("nbdevdn", "lower band in standard deviations"), P_MAT("matype")},
     3,
     {"upperband", "middleband", "lowerband"},
     TA(bbands)},
    {"MIDPOINT",
     "",
     "(highest + lowest)/2 of one series",
     TAC,
     IN_C,
     1,
     {P_PER(14, 2)},
     OUT1("midpoint"),
     TA(midpoint)},
    {"MIDPRICE",
     "",
     "(highest high + lowest low)/2",
     TAC,
     IN_HL,
     1,
     {P_PER(14, 2)},
     OUT1("midprice"),
     TA(midprice)},
    {"SAR",
     "ParabolicSAR,PSAR",
     "Wilder's parabolic stop and reverse",
     TAC,
     IN_HL,
     2,
     {{"acceleration", 0.02, 0, 3e37, 0, "acceleration step"},
      {"maximum", 0.2, 0, 3e37, 0, "acceleration cap"}},
     OUT1("sar"),
     TA(sar)},
    /* Momentum */
    {"RSI",
     "",
     "relative strength index, Wilder smoothing, 0 when flat",
     TAC,
     IN_C,
     1,
     {P_PER(14, 2)},
     OUT1("rsi"),
     TA_P(rsi)},
    {"CMO",
     "",
     "Chande momentum oscillator, Wilder-smoothed (TA-Lib 0.6)",
     TAC,
     IN_C,
     1,
     {P_PER(14, 2)},
     OUT1("cmo"),
     TA_P(cmo)},
    {"MACD",
     "",
     "EMA(fast) - EMA(slow), signal EMA; fast EMA aligned to the slow one",
     TAC,
     IN_C,
     3,
     {P_INT("fastperiod", 12, 2, "fast EMA bars"), P_INT("slowperiod", 26, 2, "slow EMA bars"),
      P_INT("signalperiod", 9, 1, "signal EMA bars")},
     3,
     {"macd", "macdsignal", "macdhist"},
     TA(macd)},
    {"MACDFIX",
     "",
     "MACD(12,26) with fixed alphas 0.15 and 0.075",
     TAC,
     IN_C,
     1,
     {P_INT("signalperiod", 9, 1, "signal EMA bars")},
     3,
     {"macd", "macdsignal", "macdhist"},
     TA(macdfix)},
    {"MACDEXT",
     "",
     "MACD with a chosen average type for each line",
     TAC,
     IN_C,
     6,
     {P_INT("fastperiod", 12, 2, "fast average bars"), P_MAT("fastmatype"),
      P_INT("slowperiod", 26, 2, "slow average bars"), P_MAT("slowmatype"),
      P_INT("signalperiod", 9, 1, "signal average bars"), P_MAT("signalmatype")},
     3,
     {"macd", "macdsignal", "macdhist"},
     TA(macdext)},
    {"STOCH",
     "",
     "slow stochastic: %K = MA(fastK), %D = MA(%K), 0 when flat",
     TAC,
     IN_HLC,
     6,
     {P_INT("fastk_period", 5, 1, "bars of the high/low window"),
      P_INT("slowk_period", 3, 1, "%K smoothing bars"), P_MAT("slowk_matype"),
      P_INT("slowd_period", 3, 1, "%D smoothing bars"), P_MAT("slowd_matype"), P_FLAT},
     2,
     {"slowk", "slowd"},
     XK(stoch_flat),
     NOTE_HL_FLAT
     " The smoothed lines are NaN on the bars whose windows read such a fastK: "
     "slowk for slowk_period bars from it, slowd for slowk_period + slowd_period - 1."},
    {"STOCHF",
     "",
     "fast stochastic: fastK and its MA",
     TAC,
     IN_HLC,
     4,
     {P_INT("fastk_period", 5, 1, "bars of the high/low window"),
      P_INT("fastd_period", 3, 1, "fastD smoothing bars"), P_MAT("fastd_matype"), P_FLAT},
     2,
     {"fastk", "fastd"},
     XK(stochf_flat),
     NOTE_HL_FLAT " fastd is NaN for fastd_period bars from such a bar."},
    {"STOCHRSI",
     "",
     "fast stochastic of RSI",
     TAC,
     IN_C,
     4,
     {P_PER(14, 2), P_INT("fastk_period", 5, 1, "bars of the RSI high/low window"),
      P_INT("fastd_period", 3, 1, "fastD smoothing bars"), P_MAT("fastd_matype")},
     2,
     {"fastk", "fastd"},
     TA(stochrsi)},
    {"MOM", "Momentum", "x - x[n bars ago]", TAC, IN_C, 1, {P_PER(10, 1)}, OUT1("mom"), TA(mom)},
    {"ROC",
     "",
     "rate of change in percent: (x/prev - 1)*100",
     TAC,
     IN_C,
     1,
     {P_PER(10, 1)},
     OUT1("roc"),
     TA(roc)},
    {"ROCP",
     "RateOfChange",
     "rate of change as a fraction: (x - prev)/prev",
     TAC,
     IN_C,
     1,
     {P_PER(10, 1)},
     OUT1("rocp"),
     TA(rocp)},
    {"ROCR",
     "",
     "rate of change ratio: x/prev",
     TAC,
     IN_C,
     1,
     {P_PER(10, 1)},
     OUT1("rocr"),
     TA(rocr)},
    {"ROCR100",
     "",
     "rate of change ratio times 100",
     TAC,
     IN_C,
     1,
     {P_PER(10, 1)},
     OUT1("rocr100"),
     TA(rocr100)},
    {"TRIX",
     "",
     "1-bar percent change of a triple EMA",
     TAC,
     IN_C,
     1,
     {P_PER(30, 1)},
     OUT1("trix"),
     TA(trix)},
    {"CCI",
     "",
     "commodity channel index, mean deviation about the current mean",
     TAC,
     IN_HLC,
     2,
     {P_PER(14, 2), P_FLAT},
     OUT1("cci"),
     XK(cci_flat),
     "flat=1: NaN where the window's typical prices are all equal; TA-Lib gives 0 there, or "
     "+/-66.67 when the rounded mean differs from them."},
    {"ADX", "", "average directional index", TAC, IN_HLC, 1, {P_PER(14, 2)}, OUT1("adx"), TA(adx)},
    {"ADXR",
     "",
     "ADX rating: (ADX + ADX n-1 bars ago)/2",
     TAC,
     IN_HLC,
     1,
     {P_PER(14, 2)},
     OUT1("adxr"),
     TA(adxr)},
    {"DX", "", "directional movement index", TAC, IN_HLC, 1, {P_PER(14, 2)}, OUT1("dx"), TA(dx)},
    {"PLUS_DI",
     "",
     "plus directional indicator",
     TAC,
     IN_HLC,
     1,
     {P_PER(14, 1)},
     OUT1("plus_di"),
     TA(plus_di)},
    {"MINUS_DI",
     "",
     "minus directional indicator",
     TAC,
     IN_HLC,
     1,
     {P_PER(14, 1)},
     OUT1("minus_di"),
     TA(minus_di)},
    {"PLUS_DM",
     "",
     "plus directional movement, Wilder sum",
     TAC,
     IN_HL,
     1,
     {P_PER(14, 1)},
     OUT1("plus_dm"),
     TA(plus_dm)},
    {"MINUS_DM",
     "",
     "minus directional movement, Wilder sum",
     TAC,
     IN_HL,
     1,
     {P_PER(14, 1)},
     OUT1("minus_dm"),
     TA(minus_dm)},
    {"WILLR",
     "WilliamsR",
     "Williams %R, 0 when flat",
     TAC,
     IN_HLC,
     2,
     {P_PER(14, 2), P_FLAT},
     OUT1("willr"),
     XK(willr_flat),
     NOTE_HL_FLAT},
    {"AROON",
     "",
     "Aroon down/up over n+1 bars, ties to the most recent",
     TAC,
     IN_HL,
     1,
     {P_PER(14, 2)},
     2,
     {"aroondown", "aroonup"},
     TA_P(aroon)},
    {"AROONOSC",
     "",
     "Aroon up - Aroon down",
     TAC,
     IN_HL,
     1,
     {P_PER(14, 2)},
     OUT1("aroonosc"),
     TA_P(aroonosc)},
    {"MFI",
     "MoneyFlowIndex",
     "money flow index, 0 when total flow < 1",
     TAC,
     IN_HLCV,
     1,
     {P_PER(14, 2)},
     OUT1("mfi"),
     TA_P(mfi)},
    {"ULTOSC",
     "UltimateOscillator",
     "ultimate oscillator, weights 4/2/1",
     TAC,
     IN_HLC,
     3,
     {P_INT("timeperiod1", 7, 1, "shortest window"), P_INT("timeperiod2", 14, 1, "middle window"),
      P_INT("timeperiod3", 28, 1, "longest window")},
     OUT1("ultosc"),
     TA(ultosc)},
    {"APO",
     "",
     "absolute price oscillator: MA(fast) - MA(slow)",
     TAC,
     IN_C,
     3,
     {P_INT("fastperiod", 12, 2, "fast average bars"),
      P_INT("slowperiod", 26, 2, "slow average bars"), P_MAT("matype")},
     OUT1("apo"),
     TA(apo)},
    {"PPO",
     "",
     "percentage price oscillator: 100*(fast - slow)/slow",
     TAC,
     IN_C,
     3,
     {P_INT("fastperiod", 12, 2, "fast average bars"),
      P_INT("slowperiod", 26, 2, "slow average bars"), P_MAT("matype")},
     OUT1("ppo"),
     TA(ppo)},
    {"BOP", "", "balance of power: (close - open)/(high - low)", TAC, IN_OHLC, NOPARAMS,
     OUT1("bop"), TA(bop)},
    /* Volatility */
    {"ATR",
     "",
     "average true range, Wilder smoothing, SMA seed",
     TAC,
     IN_HLC,
     1,
     {P_PER(14, 1)},
     OUT1("atr"),
     TA_P(atr)},
    {"NATR",
     "",
     "normalized ATR: 100*ATR/close",
     TAC,
     IN_HLC,
     1,
     {P_PER(14, 1)},
     OUT1("natr"),
     TA_P(natr)},
    {"TRANGE", "TrueRange", "true range (from bar 1)", TAC, IN_HLC, NOPARAMS, OUT1("trange"),
     TA(trange)},
    /* Volume */
    {"OBV", "", "on-balance volume, starting at volume[0]", TAC, IN_CV, NOPARAMS, OUT1("obv"),
     TA(obv)},
    {"AD", "", "Chaikin accumulation/distribution line", TAC, IN_HLCV, NOPARAMS, OUT1("ad"),
     TA(ad)},
    {"ADOSC",
     "",
     "Chaikin oscillator: EMA(fast) - EMA(slow) of AD, seeded with AD[0]",
     TAC,
     IN_HLCV,
     2,
     {P_INT("fastperiod", 3, 2, "fast EMA bars"), P_INT("slowperiod", 10, 2, "slow EMA bars")},
     OUT1("adosc"),
     TA(adosc)},
    /* Statistics */
    {"STDDEV",
     "",
     "population standard deviation (running sums) times nbdev",
     TAC,
     IN_C,
     2,
     {P_PER(5, 2), {"nbdev", 1.0, -3e37, 3e37, 0, "multiplier"}},
     OUT1("stddev"),
     TA(stddev)},
    {"VAR",
     "",
     "population variance (running sums)",
     TAC,
     IN_C,
     2,
     {P_PER(5, 1), {"nbdev", 1.0, -3e37, 3e37, 0, "ignored, as in TA-Lib"}},
     OUT1("var"),
     TA(var)},
    {"LINEARREG",
     "",
     "least-squares line's value at the last bar",
     TAC,
     IN_C,
     1,
     {P_PER(14, 2)},
     OUT1("linearreg"),
     TA_NOTE(linearreg, LINREG_INT_NOTE)},
    {"LINEARREG_SLOPE",
     "",
     "least-squares slope per bar",
     TAC,
     IN_C,
     1,
     {P_PER(14, 2)},
     OUT1("linearreg_slope"),
     TA_NOTE(linearreg_slope, LINREG_INT_NOTE)},
    {"LINEARREG_INTERCEPT",
     "",
     "least-squares line's value at the window's first bar",
     TAC,
     IN_C,
     1,
     {P_PER(14, 2)},
     OUT1("linearreg_intercept"),
     TA_NOTE(linearreg_intercept, LINREG_INT_NOTE)},
    {"LINEARREG_ANGLE",
     "",
     "least-squares slope as an angle in degrees",
     TAC,
     IN_C,
     1,
     {P_PER(14, 2)},
     OUT1("linearreg_angle"),
     TA_NOTE(linearreg_angle, LINREG_INT_NOTE)},
    {"TSF",
     "",
     "time series forecast: the line's value one bar ahead",
     TAC,
     IN_C,
     1,
     {P_PER(14, 2)},
     OUT1("tsf"),
     TA_NOTE(tsf, LINREG_INT_NOTE)},
    {"CORREL",
     "",
     "Pearson correlation of two series, 0 when flat",
     TAC,
     IN_2,
     2,
     {P_PER(30, 1), P_FLAT},
     OUT1("correl"),
     XK(correl_flat),
     "flat=1: NaN where either series is constant over the window (TA-Lib gives 0 once its "
     "running-sum denominator is <= 1e-14)."},
    {"BETA",
     "",
     "beta of the second series' returns on the first's",
     TAC,
     IN_2,
     1,
     {P_PER(5, 1)},
     OUT1("beta"),
     TA_P(beta)},
    /* Math */
    {"SUM",
     "SumN",
     "running sum over the window",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("sum"),
     TA(sum)},
    {"MAX",
     "",
     "highest value over the window",
     TAC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("max"),
     TA(max)},
    {"MIN", "", "lowest value over the window", TAC, IN_C, 1, {P_PER(30, 2)}, OUT1("min"), TA(min)},
    /* Price transforms */
    {"AVGPRICE", "", "(open + high + low + close)/4", TAC, IN_OHLC, NOPARAMS, OUT1("avgprice"),
     TA(avgprice)},
    {"MEDPRICE", "", "(high + low)/2", TAC, IN_HL, NOPARAMS, OUT1("medprice"), TA(medprice)},
    {"TYPPRICE", "", "(high + low + close)/3", TAC, IN_HLC, NOPARAMS, OUT1("typprice"),
     TA(typprice)},
    {"WCLPRICE", "", "(high + low + 2*close)/4", TAC, IN_HLC, NOPARAMS, OUT1("wclprice"),
     TA(wclprice)},
    /* backtrader 1.9.78 conventions, for the backtrader-parity strategies */
    {"SMA_BT",
     "SimpleMovingAverage,MovingAverageSimple,MovAv.SMA",
     "simple moving average, backtrader: math.fsum(window)/n",
     "backtrader",
     1,
     {"close"},
     1,
     {PERIOD_PARAM(30)},
     1,
     {"sma"},
     slab__ind_bt_sma,
     lb_period_minus1,
     NULL},
    {"EMA_BT",
     "ExponentialMovingAverage,MovingAverageExponential",
     "EMA, backtrader: fsum SMA seed, y*(1-alpha) + x*alpha",
     "backtrader",
     1,
     {"close"},
     1,
     {PERIOD_PARAM(30)},
     1,
     {"ema"},
     run_ema,
     lb_period_minus1,
     NULL},
    {"SMMA",
     "SmoothedMovingAverage,MovingAverageSmoothed,Wilder,WilderMA",
     "Wilder's smoothed moving average, alpha 1/n, SMA seed",
     "backtrader",
     1,
     {"close"},
     1,
     {PERIOD_PARAM(30)},
     1,
     {"smma"},
     run_smma,
     lb_period_minus1,
     NULL},
    {"RSI_BT",
     "RelativeStrengthIndex,RSI_SMMA,RSI_Safe",
     "RSI, backtrader: SMMA of moves, 100 - 100/(1 + rs); 50 when flat",
     "backtrader",
     1,
     {"close"},
     1,
     {PERIOD_PARAM(14)},
     1,
     {"rsi"},
     run_rsi,
     slab__ind_lb_period,
     "A zero down-average gives 100 where backtrader's RSI raises ZeroDivisionError; up and "
     "down averages both zero give 50."},
    {"BBANDS_BT",
     "BollingerBands,BBands",
     "Bollinger bands, backtrader: fsum means, |E[x^2]-E[x]^2|^0.5",
     "backtrader",
     1,
     {"close"},
     3,
     {PERIOD_PARAM(20),
      {"nbdevup", 2.0, 0, 1000, 0, "upper band in standard deviations"},
      {"nbdevdn", 2.0, 0, 1000, 0, "lower band in standard deviations"}},
     3,
     {"upperband", "middleband", "lowerband"},
     run_bbands,
     lb_period_minus1,
     "On ORCL (backtrader reference) the middle line is exact and the bands differ at one bar "
     "(index 4524) by 1.6e-13: one ulp of E[x^2] magnified by the E[x^2]-E[x]^2 cancellation."},
    {"MACD_BT",
     "MovingAverageConvergenceDivergence,MACDHisto",
     "MACD, backtrader: each EMA seeded on its own, macd from slow-1",
     "backtrader",
     1,
     {"close"},
     3,
     {P_INT("fastperiod", 12, 2, "fast EMA bars"), P_INT("slowperiod", 26, 2, "slow EMA bars"),
      P_INT("signalperiod", 9, 1, "signal EMA bars")},
     3,
     {"macd", "signal", "histo"},
     run_macd_bt,
     lb_macd_bt,
     NULL},
    {"STOCH_BT",
     "Stochastic,StochasticSlow",
     "slow stochastic, backtrader: %K = SMA(fastK) starts 2 bars before %D; fsum SMAs",
     "backtrader",
     IN_HLC,
     3,
     {P_INT("period", 14, 1, "bars of the high/low window"),
      P_INT("period_dfast", 3, 1, "%K smoothing bars"),
      P_INT("period_dslow", 3, 1, "%D smoothing bars")},
     2,
     {"percK", "percD"},
     run_stoch_bt,
     lb_stoch_bt,
     NULL},
    {"STOCHF_BT",
     "StochasticFast",
     "fast stochastic, backtrader: %K = fastK, %D = SMA(%K)",
     "backtrader",
     IN_HLC,
     2,
     {P_INT("period", 14, 1, "bars of the high/low window"),
      P_INT("period_dfast", 3, 1, "%D smoothing bars")},
     2,
     {"percK", "percD"},
     run_stochf_bt,
     lb_stochf_bt,
     NULL},
    {"CROSSOVER",
     "CrossOver",
     "+1 when a crosses above b, -1 below (previous non-zero difference)",
     "backtrader",
     2,
     {"a", "b"},
     0,
     {{0}},
     1,
     {"crossover"},
     run_cross,
     lb_one,
     NULL},
    {"CROSSUP", "CrossUp",
     "1 when a crosses above b (previous non-zero difference < 0, now a > b), else 0", BTC, IN_AB,
     NOPARAMS, OUT1("crossup"), XK(crossup), ""},
    {"CROSSDOWN", "CrossDown",
     "1 when a crosses below b (previous non-zero difference > 0, now a < b), else 0", BTC, IN_AB,
     NOPARAMS, OUT1("crossdown"), XK(crossdown), ""},
    {"HIGHEST",
     "Highest,MaxN",
     "highest value of the last timeperiod bars, O(n) (van Herk/Gil-Werman)",
     BTC,
     IN_C,
     1,
     {P_PER(14, 1)},
     OUT1("highest"),
     XK(highest),
     "Same values as MAX (which keeps TA-Lib's minimum period 2)."},
    {"LOWEST",
     "Lowest,MinN",
     "lowest value of the last timeperiod bars, O(n) (van Herk/Gil-Werman)",
     BTC,
     IN_C,
     1,
     {P_PER(14, 1)},
     OUT1("lowest"),
     XK(lowest),
     "Same values as MIN (which keeps TA-Lib's minimum period 2)."},
    {"MEAN",
     "RollingMean,Average,ArithmeticMean",
     "rolling mean: math.fsum(window)/timeperiod, exactly rounded",
     BTC,
     IN_C,
     1,
     {P_PER(20, 1)},
     OUT1("mean"),
     XK(mean),
     "Same values as SMA_BT, with period 1 allowed."},
    {"STD",
     "RollingStd",
     "rolling standard deviation, sqrt(sum((x - mean)^2)/(timeperiod - ddof))",
     SLC,
     IN_C,
     2,
     {P_PER(20, 2), {"ddof", 0, 0, 1, 1, "0 population, 1 sample (n - 1)"}},
     OUT1("std"),
     XK(std),
     "Two-pass over each window (O(timeperiod) a bar, no cancellation); a constant window gives "
     "exactly 0, where TA-Lib's STDDEV can leave ~1e-6 of running-sum residue."},
    {"ZSCORE",
     "ZScore",
     "(x - rolling mean)/rolling standard deviation",
     SLC,
     IN_C,
     3,
     {P_PER(20, 2), {"ddof", 0, 0, 1, 1, "0 population, 1 sample (n - 1)"}, P_FLAT},
     OUT1("zscore"),
     XK(zscore),
     "Mean and deviation as MEAN and STD. A constant window (std 0) gives 0 (flat=0) or NaN "
     "(flat=1)."},
    {"PERCENTRANK",
     "PercentRank,PctRank",
     "share of the timeperiod values (current included) strictly below the current one",
     BTC,
     IN_C,
     1,
     {P_PER(50, 1)},
     OUT1("pctrank"),
     XK(percentrank),
     "backtrader's PercentRank: fsum(x < current for x in window)/timeperiod, so the lowest "
     "value of the window gives 0 and the highest (timeperiod-1)/timeperiod. O(timeperiod) a "
     "bar."},
    {"WMA_BT",
     "",
     "weighted moving average, backtrader: coef * math.fsum(w*x), weights 1..n",
     BTC,
     IN_C,
     1,
     {P_PER(30, 1)},
     OUT1("wma"),
     XK(wma_bt),
     "Each window is summed afresh (O(timeperiod) a bar) to reproduce fsum's rounding."},
    {"HMA",
     "HullMovingAverage,HullMA",
     "Hull MA: WMA(2*WMA(x, n//2) - WMA(x, n), int(sqrt(n))), backtrader WMAs",
     BTC,
     IN_C,
     1,
     {P_PER(30, 2)},
     OUT1("hma"),
     XK(hma),
     "First value at n - 1 + int(sqrt(n)) - 1 (33 for n = 30, as backtrader's docstring says)."},
    {"ZLEMA",
     "ZeroLagExponentialMovingAverage,ZeroLagEma",
     "zero-lag EMA: backtrader EMA of 2*x - x[lag bars ago], lag = (n-1)//2",
     BTC,
     IN_C,
     1,
     {P_PER(30, 1)},
     OUT1("zlema"),
     XK(zlema),
     "First value at lag + n - 1."},
    {"VWAP",
     "",
     "session VWAP: sum(typical price * volume)/sum(volume) since the day's first bar",
     SLC,
     5,
     {"high", "low", "close", "volume", "day"},
     NOPARAMS,
     OUT1("vwap"),
     XK(vwap),
     "Typical price (H+L+C)/3; the sums restart when the day input (the bar's calendar day) "
     "changes (a strategy passes slab_day_series). NaN while the session has no volume yet."},
    {"DONCHIAN",
     "DonchianChannels",
     "Donchian channel: highest high, (upper + lower)/2, lowest low",
     SLC,
     IN_HL,
     1,
     {P_PER(20, 1)},
     BANDS3,
     XK(donchian),
     "The window includes the current bar; the middle line equals MIDPRICE."},
    {"KELTNER",
     "KeltnerChannels",
     "Keltner channel: EMA(close) +/- multiplier * ATR",
     SLC,
     IN_HLC,
     3,
     {P_PER(20, 2),
      P_INT("atrperiod", 10, 1, "ATR bars"),
      {"multiplier", 2.0, -3e37, 3e37, 0, "band width in ATRs"}},
     BANDS3,
     XK(keltner),
     "The middle line is TA-Lib's EMA (SMA seed) and the width TA-Lib's Wilder ATR, so they "
     "equal the EMA and ATR entries; all three lines start at max(timeperiod - 1, atrperiod)."},
    {"CCI_BT",
     "CommodityChannelIndex",
     "CCI, backtrader: mean deviation of each bar about its own mean, factor 0.015",
     BTC,
     IN_HLC,
     3,
     {P_PER(20, 2), {"factor", 0.015, 1e-12, 3e37, 0, "scaling constant"}, P_FLAT},
     OUT1("cci"),
     XK(cci_bt),
     "First value at 2*timeperiod - 2 (TA-Lib's CCI: timeperiod - 1). Where the 2*timeperiod - 1 "
     "typical prices are all equal, backtrader divides by zero or by rounding residue; here 0 "
     "(flat=0) or NaN (flat=1)."},
};

const slab_ind_def *slab_ind_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

/* 1 when name matches one comma-separated entry of list, ignoring case. */
static int in_list(const char *name, const char *list)
{
    size_t len = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        if (l == len && strncasecmp(p, name, len) == 0)
            return 1;
        p = comma ? comma + 1 : NULL;
    }
    return 0;
}

const slab_ind_def *slab_ind_find(const char *name, slab_error *err)
{
    size_t n = sizeof table / sizeof table[0], best = 0, best_d = (size_t)-1;
    char shown[200];

    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(table[i].name, name) || in_list(name, table[i].aliases))
            return &table[i];
    slab_text_show(name, strlen(name), shown, sizeof shown); /* outside text, escaped */
    for (size_t i = 0; i < n; i++) {
        size_t d = slab_edit_distance(name, table[i].name);
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    if (best_d <= 3) {
        slab_error_fail(err, SLAB_EC_UNKNOWN_INDICATOR, NULL,
                        "unknown indicator %s; did you mean %s?", shown, table[best].name);
        if (err)
            snprintf(err->suggest, sizeof err->suggest, "%s", table[best].name);
    } else {
        slab_error_fail(err, SLAB_EC_UNKNOWN_INDICATOR, NULL,
                        "unknown indicator %s; `stratlab indicators` lists them", shown);
    }
    return NULL;
}

int slab_ind_param_index(const slab_ind_def *def, const char *name)
{
    for (int i = 0; i < def->n_params; i++)
        if (!strcasecmp(def->params[i].name, name))
            return i;
    if (!strcasecmp(name, "period"))
        for (int i = 0; i < def->n_params; i++)
            if (!strcmp(def->params[i].name, "timeperiod"))
                return i;
    return -1;
}
