/* multi.c: the multi-series form (slab_ind_run_multi): one indicator over
 * many series or parameter sets, as for a sweep. SMA, EMA, RSI and ATR run
 * four series at a time, one vector lane each, with each lane doing
 * exactly the roundings of the single-series kernel in talib_*.c (so every
 * lane is bit for bit what def->fn gives for that series alone); every
 * other entry calls def->fn per series. A single series is bound by the
 * latency of its recursion; four independent lanes fill the pipeline.
 *
 * Shape of a lane kernel: each lane first runs its warm-up, seed and any
 * extra bars up to F, the latest first-output bar of the group, in scalar
 * code (lanes differ in leading NaNs and periods); from F+1 on the lanes
 * advance together. Bars go through small blocks: each lane's inputs are
 * gathered into [bar][lane] vectors, the vector loop runs, and results are
 * scattered back into each lane's output; nothing is allocated. Blocks are
 * kept small (32 bars) and groups at four lanes (two SSE2 vectors): with
 * larger blocks or eight lanes (up to 32 input and output streams) the
 * streams and block buffers thrash L1 and the prefetchers, and it runs
 * slower, with erratic timings (measured with bench_ind_multi). */
#include "ind/ind_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Lanes go in VEC registers of VW doubles (SSE2 width: portable, no
 * -march needed), NV of them side by side, so a group advances LANES
 * independent recursions per bar and hides part of their latency. */
typedef slab__v2d VEC;
typedef int64_t VECI __attribute__((vector_size(16)));
#define VW 2
#define NV 2
#define LANES (VW * NV)
#define BLK 32
#define V(buf, j, v) (*(VEC *)&(buf)[j][(v)*VW]) /* lanes v*VW.. of block row j */
#define FOR_V _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++)

/* One series in a group of LANES. A group with fewer series repeats its
 * first one, which writes the same bits to the same places again. */
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

static size_t group_first(const lane *ln)
{
    size_t f = 0;
    for (int l = 0; l < LANES; l++)
        f = ln[l].first > f ? ln[l].first : f;
    return f;
}

typedef double row[LANES]; /* one bar of a block, one value per lane */

/* Block transposes between lanes' own arrays and [bar][lane] rows, two
 * lanes and two bars at a time: two 2-bar loads become two 2-lane rows
 * (and back), so each element costs about one vector move. */
static VEC load2(const double *p)
{
    VEC v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Copies block results ob[0..m) of each lane to out[i0..i0+m). Padding
 * lanes are copies of lane 0 and write the same bits to the same place. */
static void scatter(const lane *ln, const row *ob, size_t i0, size_t m)
{
    for (int v = 0; v < NV; v++) {
        double *a = ln[v * VW].out + i0, *b = ln[v * VW + 1].out + i0;
        size_t j = 0;
        for (; j + 2 <= m; j += 2) {
            VEC r0 = V(ob, j, v), r1 = V(ob, j + 1, v);
            VEC va = __builtin_shufflevector(r0, r1, 0, 2), vb = __builtin_shufflevector(r0, r1, 1, 3);
            memcpy(a + j, &va, sizeof va);
            memcpy(b + j, &vb, sizeof vb);
        }
        for (; j < m; j++) {
            a[j] = ob[j][v * VW];
            b[j] = ob[j][v * VW + 1];
        }
    }
}

/* Gathers src_l[i0+j-back_l] of input k into b[j][l]. */
static void gather(const lane *ln, int k, const size_t *back, row *b, size_t i0, size_t m)
{
    for (int v = 0; v < NV; v++) {
        int la = v * VW, lb = v * VW + 1;
        const double *xa = ln[la].in[k] + i0 - (back ? back[la] : 0);
        const double *xb = ln[lb].in[k] + i0 - (back ? back[lb] : 0);
        size_t j = 0;
        for (; j + 2 <= m; j += 2) {
            VEC va = load2(xa + j), vb = load2(xb + j);
            V(b, j, v) = __builtin_shufflevector(va, vb, 0, 2);
            V(b, j + 1, v) = __builtin_shufflevector(va, vb, 1, 3);
        }
        for (; j < m; j++) {
            b[j][la] = xa[j];
            b[j][lb] = xb[j];
        }
    }
}

/* Lane-wise mask ? x : y, mask from a vector comparison (a macro: a
 * function returning a 32-byte vector has a target-dependent ABI). */
#define SELECT(mask, x, y) ((VEC)(((mask) & (VECI)(x)) | (~(mask) & (VECI)(y))))
#define ALIGNED __attribute__((aligned(32)))

/* Lane state: one double per lane, read and written as NV vectors. */
typedef struct lanes {
    double d[LANES] ALIGNED;
} lanes;
#define L(st, v) (*(VEC *)&(st).d[(v)*VW])

/* ---- SMA: total += x; out = total/p; total -= x[i-p+1] (talib_ma.c) ---- */
static void sma_group(const lane *ln, size_t n)
{
    size_t F = group_first(ln), back[LANES];
    lanes tot, per;
    row xb[BLK] ALIGNED, tb[BLK] ALIGNED, ob[BLK] ALIGNED;
    for (int l = 0; l < LANES; l++) {
        const double *x = ln[l].in[0];
        size_t p = (size_t)ln[l].period, s = ln[l].s;
        double total = 0.0;
        nan_head(&ln[l]);
        for (size_t i = s; i <= F; i++) {
            total += x[i];
            if (i < ln[l].first)
                continue;
            double t = total;
            total -= x[i + 1 - p];
            put(&ln[l], i, t / (double)p);
        }
        tot.d[l] = total;
        per.d[l] = (double)p;
        back[l] = p - 1;
    }
    VEC T[NV], P[NV];
    FOR_V
    {
        T[v] = L(tot, v);
        P[v] = L(per, v);
    }
    for (size_t i0 = F + 1; i0 < n; i0 += BLK) {
        size_t m = n - i0 < BLK ? n - i0 : BLK;
        gather(ln, 0, NULL, xb, i0, m);
        gather(ln, 0, back, tb, i0, m);
        for (size_t j = 0; j < m; j++)
            FOR_V
            {
                T[v] += V(xb, j, v);
                VEC t = T[v];
                T[v] -= V(tb, j, v);
                V(ob, j, v) = t / P[v];
            }
        scatter(ln, ob, i0, m);
    }
}

/* ---- EMA: seed = mean of the first p, then ((x - prev) * k) + prev ---- */
static void ema_group(const lane *ln, size_t n)
{
    size_t F = group_first(ln);
    lanes prev, k;
    row xb[BLK] ALIGNED, ob[BLK] ALIGNED;
    for (int l = 0; l < LANES; l++) {
        const double *x = ln[l].in[0];
        int p = ln[l].period;
        double sum = 0.0, e;
        nan_head(&ln[l]);
        for (size_t i = ln[l].s; i <= ln[l].first; i++)
            sum += x[i];
        k.d[l] = 2.0 / ((double)(p + 1));
        e = sum / p;
        put(&ln[l], ln[l].first, e);
        for (size_t i = ln[l].first + 1; i <= F; i++)
            put(&ln[l], i, e = ((x[i] - e) * k.d[l]) + e);
        prev.d[l] = e;
    }
    VEC E[NV], K[NV];
    FOR_V
    {
        E[v] = L(prev, v);
        K[v] = L(k, v);
    }
    for (size_t i0 = F + 1; i0 < n; i0 += BLK) {
        size_t m = n - i0 < BLK ? n - i0 : BLK;
        gather(ln, 0, NULL, xb, i0, m);
        for (size_t j = 0; j < m; j++)
            FOR_V V(ob, j, v) = E[v] = ((V(xb, j, v) - E[v]) * K[v]) + E[v];
        scatter(ln, ob, i0, m);
    }
}

/* ---- RSI: Wilder-smoothed gains and losses (talib_mom.c) ---------------- */
static double rsi_value(double gain, double loss)
{
    double t = gain + loss;
    return SLAB__IS_ZERO(t) ? 0.0 : 100.0 * (gain / t);
}

/* The scalar bars of one lane up to F; returns gain, loss, x[F]. */
static void rsi_head(const lane *ln, size_t F, double *g, double *lo, double *px)
{
    const double *x = ln->in[0];
    size_t s = ln->s, p = (size_t)ln->period;
    double gain = 0.0, loss = 0.0, pm1 = ln->period - 1, per = ln->period;
    nan_head(ln);
    for (size_t i = s + 1; i <= s + p; i++) {
        double d = x[i] - x[i - 1];
        if (d < 0)
            loss -= d;
        else
            gain += d;
    }
    loss /= per;
    gain /= per;
    put(ln, s + p, rsi_value(gain, loss));
    for (size_t i = s + p + 1; i <= F; i++) {
        double d = x[i] - x[i - 1];
        loss *= pm1;
        gain *= pm1;
        if (d < 0)
            loss -= d;
        else
            gain += d;
        loss /= per;
        gain /= per;
        put(ln, i, rsi_value(gain, loss));
    }
    *g = gain;
    *lo = loss;
    *px = x[F];
}

/* Vector bars: the branch on the sign of the move becomes a select; the
 * lane that the scalar kernel leaves alone gets + 0.0, which changes no
 * bits of a value >= +0 (or of NaN), and l - d == l + (-d) exactly. */
static void rsi_group(const lane *ln, size_t n)
{
    size_t F = group_first(ln);
    lanes gain, loss, px, pm1, per;
    row xb[BLK] ALIGNED, ob[BLK] ALIGNED;
    const VEC zero = {0.0, 0.0}, hundred = {100.0, 100.0};
    const VEC lo = {-0.00000000000001, -0.00000000000001}, hi = -lo;
    for (int l = 0; l < LANES; l++) {
        rsi_head(&ln[l], F, &gain.d[l], &loss.d[l], &px.d[l]);
        pm1.d[l] = ln[l].period - 1;
        per.d[l] = ln[l].period;
    }
    VEC G[NV], Lo[NV], X[NV], M[NV], P[NV];
    FOR_V
    {
        G[v] = L(gain, v);
        Lo[v] = L(loss, v);
        X[v] = L(px, v);
        M[v] = L(pm1, v);
        P[v] = L(per, v);
    }
    for (size_t i0 = F + 1; i0 < n; i0 += BLK) {
        size_t m = n - i0 < BLK ? n - i0 : BLK;
        gather(ln, 0, NULL, xb, i0, m);
        for (size_t j = 0; j < m; j++)
            FOR_V
            {
                VEC x = V(xb, j, v), d = x - X[v];
                VECI neg = d < zero;
                X[v] = x;
                Lo[v] = ((Lo[v] * M[v]) + SELECT(neg, -d, zero)) / P[v];
                G[v] = ((G[v] * M[v]) + SELECT(neg, zero, d)) / P[v];
                VEC t = G[v] + Lo[v];
                VECI is_zero = (lo < t) & (t < hi);
                V(ob, j, v) = SELECT(is_zero, zero, hundred * (G[v] / t));
            }
        scatter(ln, ob, i0, m);
    }
}

/* ---- ATR: true range fused, (atr*(p-1) + tr)/p (talib_vol.c) ------------ */
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

static void atr_group(const lane *ln, size_t n)
{
    size_t F = group_first(ln);
    lanes a, cp, pm1, per;
    row hb[BLK] ALIGNED, lb[BLK] ALIGNED, cb[BLK] ALIGNED, ob[BLK] ALIGNED;
    const VECI sign = {INT64_MIN, INT64_MIN};
    for (int l = 0; l < LANES; l++) {
        const double *h = ln[l].in[0], *lo = ln[l].in[1], *c = ln[l].in[2];
        size_t s = ln[l].s, p = (size_t)ln[l].period;
        double sum = 0.0, pm = ln[l].period - 1, pr = ln[l].period, v;
        nan_head(&ln[l]);
        for (size_t i = s + 1; i <= s + p; i++)
            sum += tr_of(h[i], lo[i], c[i - 1]);
        v = sum / pr;
        put(&ln[l], s + p, v);
        for (size_t i = s + p + 1; i <= F; i++)
            put(&ln[l], i, v = ((v * pm) + tr_of(h[i], lo[i], c[i - 1])) / pr);
        a.d[l] = v;
        cp.d[l] = c[F];
        pm1.d[l] = pm;
        per.d[l] = pr;
    }
    VEC A[NV], C[NV], M[NV], P[NV];
    FOR_V
    {
        A[v] = L(a, v);
        C[v] = L(cp, v);
        M[v] = L(pm1, v);
        P[v] = L(per, v);
    }
    for (size_t i0 = F + 1; i0 < n; i0 += BLK) {
        size_t m = n - i0 < BLK ? n - i0 : BLK;
        gather(ln, 0, NULL, hb, i0, m);
        gather(ln, 1, NULL, lb, i0, m);
        gather(ln, 2, NULL, cb, i0, m);
        for (size_t j = 0; j < m; j++)
            FOR_V
            {
                VEC h = V(hb, j, v), l = V(lb, j, v), r = h - l;
                VEC t = (VEC)((VECI)(C[v] - h) & ~sign); /* fabs */
                r = SELECT(t > r, t, r);
                t = (VEC)((VECI)(C[v] - l) & ~sign);
                r = SELECT(t > r, t, r);
                C[v] = V(cb, j, v);
                V(ob, j, v) = A[v] = ((A[v] * M[v]) + r) / P[v];
            }
        scatter(ln, ob, i0, m);
    }
}

/* ---- dispatch ------------------------------------------------------------ */

typedef void (*group_fn)(const lane *ln, size_t n);

/* The lane kernel for def and its input count; *add is the lookback
 * minus (period - 1). NULL when def has none. */
static group_fn lane_kernel(const slab_ind_def *def, int *n_in, size_t *add)
{
    *add = 0;
    *n_in = 1;
    if (def->fn == slab__ind_ta_sma)
        return sma_group;
    if (def->fn == slab__ind_ta_ema)
        return ema_group;
    *add = 1;
    if (def->fn == slab__ind_ta_rsi)
        return rsi_group;
    if (def->fn == slab__ind_ta_atr) {
        *n_in = 3;
        return atr_group;
    }
    return NULL;
}

slab_status slab_ind_run_multi(const slab_ind_def *def, size_t k, const double *const *in, size_t n,
                               const double *p, double *const *out, slab_error *err)
{
    int ni = def->n_inputs, np = def->n_params, no = def->n_outputs, lin, nt = 0;
    size_t add;
    group_fn g = lane_kernel(def, &lin, &add);
    lane ln[LANES];

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
            if (nt == LANES) {
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
        for (int l = nt; l < LANES; l++)
            ln[l] = ln[0];
        g(ln, n);
    }
    return SLAB_OK;
}
