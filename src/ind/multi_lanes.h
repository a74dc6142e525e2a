/* multi_lanes.h: the vector half of multi.c, the lane kernels of
 * slab_ind_run_multi. Not a header: multi.c includes it once per vector
 * width and group size, with VW (doubles per vector: 2 for SSE2, 4 for
 * AVX2), NV (vectors per group), SFX(name) (a name per copy), LANE_FN
 * (static, plus target("avx2") for the wide copies) and KERNELS (which
 * kernels to emit: a mask of the K_* bits in multi.c) defined; it
 * undefines them at the end.
 * Every lane does the single kernel's operations in its order (no
 * reciprocal, no FMA: -ffp-contract=off), so any width gives the same bits.
 * The scalar warm-up of each lane (the *_head functions) is in multi.c. */

#define LANES (VW * NV)
#define VEC SFX(vec)
#define VECI SFX(veci)
#define ROW SFX(row)
typedef double VEC __attribute__((vector_size(VW * 8)));
typedef int64_t VECI __attribute__((vector_size(VW * 8)));
typedef double ROW[LANES];                       /* one bar of a block, one value per lane */
#define V(buf, j, v) (*(VEC *)&(buf)[j][(v)*VW]) /* lanes v*VW.. of block row j */
#define L(arr, v) (*(VEC *)&(arr)[(v)*VW])       /* lanes v*VW.. of a state array */
#define FOR_V _Pragma("GCC unroll 8") for (int v = 0; v < NV; v++)
#define FOR_Q _Pragma("GCC unroll 4") for (int q = 0; q < VW; q++)

/* Transposes VW vectors of VW doubles in place: r[q][j] <-> r[j][q]. It
 * turns VW bars of VW lanes into VW rows of one bar each, and back, at
 * about one shuffle per element. */
LANE_FN void SFX(transpose)(VEC *r)
{
#if VW == 2
    VEC a = __builtin_shufflevector(r[0], r[1], 0, 2),
        b = __builtin_shufflevector(r[0], r[1], 1, 3);
    r[0] = a;
    r[1] = b;
#else
    VEC t0 = __builtin_shufflevector(r[0], r[1], 0, 4, 2, 6);
    VEC t1 = __builtin_shufflevector(r[0], r[1], 1, 5, 3, 7);
    VEC t2 = __builtin_shufflevector(r[2], r[3], 0, 4, 2, 6);
    VEC t3 = __builtin_shufflevector(r[2], r[3], 1, 5, 3, 7);
    r[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    r[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    r[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    r[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
#endif
}

/* Gathers src_l[i0+j-back_l] of input k into b[j][l], j < m. */
LANE_FN void SFX(gather)(const lane *ln, int k, const size_t *back, ROW *b, size_t i0, size_t m)
{
    for (int v = 0; v < NV; v++) {
        const double *x[VW];
        FOR_Q
        x[q] = ln[v * VW + q].in[k] + i0 - (back ? back[v * VW + q] : 0);
        size_t j = 0;
        for (; j + VW <= m; j += VW) {
            VEC r[VW];
            FOR_Q
            memcpy(&r[q], x[q] + j, sizeof r[q]);
            SFX(transpose)(r);
            FOR_Q
            V(b, j + q, v) = r[q];
        }
        for (; j < m; j++)
            FOR_Q
        b[j][v * VW + q] = x[q][j];
    }
}

/* Copies block results ob[0..m) of each lane to out[i0..i0+m). Padding
 * lanes are copies of lane 0 and write the same bits to the same place. */
LANE_FN void SFX(scatter)(const lane *ln, const ROW *ob, size_t i0, size_t m)
{
    for (int v = 0; v < NV; v++) {
        double *o[VW];
        FOR_Q
        o[q] = ln[v * VW + q].out + i0;
        size_t j = 0;
        for (; j + VW <= m; j += VW) {
            VEC r[VW];
            FOR_Q
            r[q] = V(ob, j + q, v);
            SFX(transpose)(r);
            FOR_Q
            memcpy(o[q] + j, &r[q], sizeof r[q]);
        }
        for (; j < m; j++)
            FOR_Q
        o[q][j] = ob[j][v * VW + q];
    }
}

#if KERNELS & K_SMA
/* ---- SMA: total += x; out = total/p; total -= x[i-p+1] (talib_ma.c) ---- */
LANE_FN void SFX(sma_group)(const lane *ln, size_t n)
{
    size_t F = group_first(ln, LANES), back[LANES];
    double tot[LANES] ALIGNED, per[LANES] ALIGNED;
    ROW xb[BLK] ALIGNED, tb[BLK] ALIGNED, ob[BLK] ALIGNED;
    for (int l = 0; l < LANES; l++) {
        tot[l] = sma_head(&ln[l], F);
        per[l] = ln[l].period;
        back[l] = (size_t)ln[l].period - 1;
    }
    VEC T[NV], P[NV];
    FOR_V
    {
        T[v] = L(tot, v);
        P[v] = L(per, v);
    }
    for (size_t i0 = F + 1; i0 < n; i0 += BLK) {
        size_t m = n - i0 < BLK ? n - i0 : BLK;
        SFX(gather)(ln, 0, NULL, xb, i0, m);
        SFX(gather)(ln, 0, back, tb, i0, m);
        for (size_t j = 0; j < m; j++)
            FOR_V
            {
                T[v] += V(xb, j, v);
                VEC t = T[v];
                T[v] -= V(tb, j, v);
                V(ob, j, v) = t / P[v];
            }
        SFX(scatter)(ln, ob, i0, m);
    }
}
#endif

#if KERNELS & K_EMA
/* ---- EMA: seed = mean of the first p, then ((x - prev) * k) + prev ---- */
LANE_FN void SFX(ema_group)(const lane *ln, size_t n)
{
    size_t F = group_first(ln, LANES);
    double prev[LANES] ALIGNED, k[LANES] ALIGNED;
    ROW xb[BLK] ALIGNED, ob[BLK] ALIGNED;
    for (int l = 0; l < LANES; l++)
        prev[l] = ema_head(&ln[l], F, &k[l]);
    VEC E[NV], K[NV];
    FOR_V
    {
        E[v] = L(prev, v);
        K[v] = L(k, v);
    }
    for (size_t i0 = F + 1; i0 < n; i0 += BLK) {
        size_t m = n - i0 < BLK ? n - i0 : BLK;
        SFX(gather)(ln, 0, NULL, xb, i0, m);
        for (size_t j = 0; j < m; j++)
            FOR_V V(ob, j, v) = E[v] = ((V(xb, j, v) - E[v]) * K[v]) + E[v];
        SFX(scatter)(ln, ob, i0, m);
    }
}
#endif

#if KERNELS & K_RSI
/* ---- RSI: Wilder-smoothed gains and losses (talib_mom.c) ----------------
 * The branch on the sign of the move becomes a select; the lane that the
 * scalar kernel leaves alone gets + 0.0, which changes no bits of a value
 * >= +0 (or of NaN), and l - d == l + (-d) exactly. */
LANE_FN void SFX(rsi_group)(const lane *ln, size_t n)
{
    size_t F = group_first(ln, LANES);
    double gain[LANES] ALIGNED, loss[LANES] ALIGNED, px[LANES] ALIGNED;
    double pm1[LANES] ALIGNED, per[LANES] ALIGNED;
    ROW xb[BLK] ALIGNED, ob[BLK] ALIGNED;
    const VEC zero = {0}, hundred = zero + 100.0;
    const VEC lo = zero - 0.00000000000001, hi = -lo;
    for (int l = 0; l < LANES; l++) {
        rsi_head(&ln[l], F, &gain[l], &loss[l], &px[l]);
        pm1[l] = ln[l].period - 1;
        per[l] = ln[l].period;
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
        SFX(gather)(ln, 0, NULL, xb, i0, m);
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
        SFX(scatter)(ln, ob, i0, m);
    }
}
#endif

#if KERNELS & K_ATR
/* ---- ATR: true range fused, (atr*(p-1) + tr)/p (talib_vol.c) ------------ */
LANE_FN void SFX(atr_group)(const lane *ln, size_t n)
{
    size_t F = group_first(ln, LANES);
    double a[LANES] ALIGNED, cp[LANES] ALIGNED, pm1[LANES] ALIGNED, per[LANES] ALIGNED;
    ROW hb[BLK] ALIGNED, lb[BLK] ALIGNED, cb[BLK] ALIGNED, ob[BLK] ALIGNED;
    const VEC zero = {0};
    const VECI magnitude = ~(VECI)(-zero); /* all bits but the sign: fabs */
    for (int l = 0; l < LANES; l++) {
        a[l] = atr_head(&ln[l], F, &cp[l]);
        pm1[l] = ln[l].period - 1;
        per[l] = ln[l].period;
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
        SFX(gather)(ln, 0, NULL, hb, i0, m);
        SFX(gather)(ln, 1, NULL, lb, i0, m);
        SFX(gather)(ln, 2, NULL, cb, i0, m);
        for (size_t j = 0; j < m; j++)
            FOR_V
            {
                VEC h = V(hb, j, v), l = V(lb, j, v), r = h - l;
                VEC t = (VEC)((VECI)(C[v] - h) & magnitude);
                r = SELECT(t > r, t, r);
                t = (VEC)((VECI)(C[v] - l) & magnitude);
                r = SELECT(t > r, t, r);
                C[v] = V(cb, j, v);
                V(ob, j, v) = A[v] = ((A[v] * M[v]) + r) / P[v];
            }
        SFX(scatter)(ln, ob, i0, m);
    }
}
#endif

#undef FOR_Q
#undef FOR_V
#undef L
#undef V
#undef ROW
#undef VECI
#undef VEC
#undef LANES
#undef LANE_FN
#undef SFX
#undef KERNELS
#undef NV
#undef VW
