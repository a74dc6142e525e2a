/* multi.c: the multi-series form (slab_ind_run_multi): one indicator over
 * many series or parameter sets, as for a sweep. SMA, EMA, RSI and ATR run
 * several series at a time, one vector lane each, with each lane doing
 * exactly the roundings of the single-series kernel in talib_*.c (so every
 * lane is bit for bit what def->fn gives for that series alone); every
 * other entry calls def->fn per series. A single series is bound by the
 * latency of its recursion; independent lanes fill the pipeline.
 *
 * Shape of a lane kernel (multi_lanes.h): each lane first runs its warm-up,
 * seed and any extra bars up to F, the latest first-output bar of the
 * group, in scalar code here (lanes differ in leading NaNs and periods);
 * from F+1 on the lanes advance together. Bars go through small blocks:
 * each lane's inputs are gathered into [bar][lane] vectors, the vector loop
 * runs, and results are scattered back into each lane's output; nothing is
 * allocated. Two instruction sets, picked per call: AVX2 (4 doubles per
 * vector) where the CPU has it, SSE2 (2 doubles, 4 lanes as two vectors)
 * as the portable fallback; no -march flag. The divides (one per
 * series-bar for SMA and ATR, three for RSI) bound the SSE2 form and
 * 4-wide divides halve that. Blocks stay at 32 bars and groups at 4 lanes
 * except AVX2 RSI (8): with larger blocks or more lanes (up to 32 input
 * and output streams for ATR) the streams and block buffers thrash L1 and
 * the prefetchers, and it runs slower (measured with bench_ind_multi). */
#include "ind/ind_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define MAX_LANES 8 /* the widest group: AVX2, two vectors of four */
#define BLK 32
#define ALIGNED __attribute__((aligned(32)))
/* Lane-wise mask ? x : y, mask from a vector comparison (a macro: VEC and
 * VECI are the current width's, and a function returning a 32-byte vector
 * has a target-dependent ABI). */
#define SELECT(mask, x, y) ((VEC)(((mask) & (VECI)(x)) | (~(mask) & (VECI)(y))))

/* One series in a group. A group with fewer series repeats its first one,
 * which writes the same bits to the same places again. */
typedef struct lane {
    const double *in[3]; /* x, or high, low, close */
    double *out;         /* n values */
    int period;
    size_t s;     /* first bar where every input is valid */
    size_t first; /* first output bar: s + lookback */
} lane;

/* The start slab__ind_shifted uses: past the leading NaNs of each input in
 * turn. */
static size_t start_of(const double *const *in, int n_in, size_t n)
{
    size_t s = 0;
    for (int k = 0; k < n_in; k++)
        while (s < n && isnan(in[k][s]))
            s++;
    return s;
}

static void put(const lane *ln, size_t i, double v)
{
    ln->out[i] = v;
}

static void nan_head(const lane *ln)
{
    slab__ind_nan(ln->out, ln->first, ln->first);
}

static size_t group_first(const lane *ln, int n_lanes)
{
    size_t f = 0;
    for (int l = 0; l < n_lanes; l++)
        f = ln[l].first > f ? ln[l].first : f;
    return f;
}

/* ---- scalar heads: one lane's bars up to F, as the single kernel -------- */

/* SMA: returns the running total after bar F (x[F+1-p] taken off). */
static double sma_head(const lane *ln, size_t F)
{
    const double *x = ln->in[0];
    size_t p = (size_t)ln->period;
    double total = 0.0;
    nan_head(ln);
    for (size_t i = ln->s; i <= F; i++) {
        total += x[i];
        if (i < ln->first)
            continue;
        double t = total;
        total -= x[i + 1 - p];
        put(ln, i, t / (double)p);
    }
    return total;
}

/* EMA: returns the value at bar F and its smoothing factor in *k. */
static double ema_head(const lane *ln, size_t F, double *k)
{
    const double *x = ln->in[0];
    int p = ln->period;
    double sum = 0.0, e;
    nan_head(ln);
    for (size_t i = ln->s; i <= ln->first; i++)
        sum += x[i];
    *k = 2.0 / ((double)(p + 1));
    e = sum / p;
    put(ln, ln->first, e);
    for (size_t i = ln->first + 1; i <= F; i++)
        put(ln, i, e = ((x[i] - e) * *k) + e);
    return e;
}

static double rsi_value(double gain, double loss)
{
    double t = gain + loss;
    return SLAB__IS_ZERO(t) ? 0.0 : 100.0 * (gain / t);
}

/* RSI: sets gain, loss and x[F] after bar F. */
static void rsi_head(const lane *ln, size_t F, double *g, double *lo, double *px)
{
    const double *x = ln->in[0];
    size_t s = ln->s, p = (size_t)ln->period;
    double gain, loss, pm1 = ln->period - 1, per = ln->period;
    nan_head(ln);
    slab__wilder_seed(x, s, p, &gain, &loss);
    put(ln, s + p, rsi_value(gain, loss));
    for (size_t i = s + p + 1; i <= F; i++) {
        slab__wilder_step(x[i] - x[i - 1], pm1, per, &gain, &loss);
        put(ln, i, rsi_value(gain, loss));
    }
    *g = gain;
    *lo = loss;
    *px = x[F];
}

static double tr_of(double h, double l, double cp)
{
    double r = h - l, t = fabs(cp - h);
    if (t > r)
        r = t;
    t = fabs(cp - l);
    if (t > r)
        r = t;
    return r;
}

/* ATR: returns the value at bar F and sets *cp to close[F]. */
static double atr_head(const lane *ln, size_t F, double *cp)
{
    const double *h = ln->in[0], *lo = ln->in[1], *c = ln->in[2];
    size_t s = ln->s, p = (size_t)ln->period;
    double sum = 0.0, pm = ln->period - 1, pr = ln->period, v;
    nan_head(ln);
    for (size_t i = s + 1; i <= s + p; i++)
        sum += tr_of(h[i], lo[i], c[i - 1]);
    v = sum / pr;
    put(ln, s + p, v);
    for (size_t i = s + p + 1; i <= F; i++)
        put(ln, i, v = ((v * pm) + tr_of(h[i], lo[i], c[i - 1])) / pr);
    *cp = c[F];
    return v;
}

/* ---- the vector kernels, once per width --------------------------------- */

#define K_SMA 1
#define K_EMA 2
#define K_RSI 4
#define K_ATR 8

#define VW 2
#define NV 2
#define SFX(name) name##_sse2
#define LANE_FN static
#define KERNELS (K_SMA | K_EMA | K_RSI | K_ATR)
#include "ind/multi_lanes.h"

/* AVX2: four lanes (one vector) for SMA, EMA and ATR, whose eight-lane
 * groups run slower from their stream count (up to 32 for ATR); eight
 * (two vectors) for RSI, whose three divides per bar on a 19-cycle
 * recursion need the second vector to hide the latency. */
#if defined(__x86_64__) || defined(__i386__)
#define HAVE_AVX2_LANES 1
#define VW 4
#define NV 1
#define SFX(name) name##_avx2
#define LANE_FN static __attribute__((target("avx2")))
#define KERNELS (K_SMA | K_EMA | K_ATR)
#include "ind/multi_lanes.h"

#define VW 4
#define NV 2
#define SFX(name) name##_avx2x2
#define LANE_FN static __attribute__((target("avx2")))
#define KERNELS K_RSI
#include "ind/multi_lanes.h"
#endif

/* ---- dispatch ------------------------------------------------------------ */

typedef void (*group_fn)(const lane *ln, size_t n);

/* A lane kernel and the number of lanes in its groups. */
typedef struct kernel {
    group_fn fn;
    int lanes;
} kernel;

/* The lane kernels of one instruction set. */
typedef struct kernels {
    kernel sma, ema, rsi, atr;
} kernels;

static const kernels sse2 = {
    {sma_group_sse2, 4}, {ema_group_sse2, 4}, {rsi_group_sse2, 4}, {atr_group_sse2, 4}};
#ifdef HAVE_AVX2_LANES
static const kernels avx2 = {
    {sma_group_avx2, 4}, {ema_group_avx2, 4}, {rsi_group_avx2x2, 8}, {atr_group_avx2, 4}};
#endif

/* The widest vector (in doubles) the lane kernels may use: tests lower it
 * to check the SSE2 fallback. */
static int max_width = 4;

int slab__ind_multi_width(int max_doubles)
{
    if (max_doubles > 0)
        max_width = max_doubles;
#ifdef HAVE_AVX2_LANES
    if (max_width >= 4 && __builtin_cpu_supports("avx2"))
        return 4;
#endif
    return 2;
}

/* The lane kernel for def and its input count; *add is the lookback
 * minus (period - 1). A NULL fn when def has none. */
static kernel lane_kernel(const kernels *ks, const slab_ind_def *def, int *n_in, size_t *add)
{
    const kernel none = {NULL, 0};
    *add = 0;
    *n_in = 1;
    if (def->fn == slab__ind_ta_sma)
        return ks->sma;
    if (def->fn == slab__ind_ta_ema)
        return ks->ema;
    *add = 1;
    if (def->fn == slab__ind_ta_rsi)
        return ks->rsi;
    if (def->fn == slab__ind_ta_atr) {
        *n_in = 3;
        return ks->atr;
    }
    return none;
}

/* SMA_BT over k parameter sets of one input: every period from one exact
 * prefix (slab_ind_sma_many); 0 when the series have other inputs or more
 * than it takes at once here (each then runs alone). */
static int bt_sma_many(size_t k, const double *const *in, size_t n, const double *p,
                       double *const *out)
{
    enum { MAX_MANY = 256 };
    int period[MAX_MANY];
    if (k > MAX_MANY)
        return 0;
    for (size_t s = 0; s < k; s++) {
        if (in[s] != in[0])
            return 0;
        period[s] = (int)p[s]; /* as slab_ind_sma's table function takes it */
    }
    slab_ind_sma_many(in[0], n, period, k, out);
    return 1;
}

slab_status slab_ind_run_multi(const slab_ind_def *def, size_t k, const double *const *in, size_t n,
                               const double *p, double *const *out, slab_error *err)
{
    int ni = def->n_inputs, np = def->n_params, no = def->n_outputs, lin, nt = 0;
    size_t add;
    const kernels *ks = &sse2;
#ifdef HAVE_AVX2_LANES
    if (slab__ind_multi_width(0) == 4) /* one CPU check per call */
        ks = &avx2;
#endif
    kernel kn = lane_kernel(ks, def, &lin, &add);
    group_fn g = kn.fn;
    lane ln[MAX_LANES];

    if (def->fn == slab__ind_bt_sma && k > 1 && bt_sma_many(k, in, n, p, out))
        return SLAB_OK;

    for (size_t s = 0; s < k; s++) {
        const double *const *sin = in + s * (size_t)ni;
        const double *sp = p + s * (size_t)np;
        double per = sp[0];
        size_t st = g ? start_of(sin, lin, n) : n;
        /* Lanes take whole periods >= 2 whose first output exists; all
         * else (and every other indicator) goes through def->fn. */
        if (g && per >= 2 && per <= 1e6 && per == (double)(int)per && st < n &&
            st + (size_t)per - 1 + add < n) {
            lane *l = &ln[nt++];
            memset(l, 0, sizeof *l);
            for (int j = 0; j < lin; j++)
                l->in[j] = sin[j];
            l->out = out[s * (size_t)no];
            l->period = (int)per;
            l->s = st;
            l->first = st + (size_t)per - 1 + add;
            if (nt == kn.lanes) {
                g(ln, n);
                nt = 0;
            }
            continue;
        }
        slab_status rc = def->fn(sin, n, sp, out + s * (size_t)no, err);
        if (rc != SLAB_OK)
            return rc;
    }
    if (nt > 0) {
        for (int l = nt; l < kn.lanes; l++)
            ln[l] = ln[0];
        g(ln, n);
    }
    return SLAB_OK;
}
