/* fsum.c: exactly rounded floating-point summation (Shewchuk 1997,
 * "Adaptive Precision Floating-Point Arithmetic"), the algorithm Python's
 * math.fsum uses. backtrader's SMA, BollingerBands, SharpeRatio, SQN and VWR
 * sum with math.fsum, so bit parity needs the same correctly rounded sums.
 * Invariant: p[0..n-1] are non-overlapping, increasing in magnitude, and
 * their exact sum is the exact sum of every finite value added. */
#include "stratlab/core.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

void slab_fsum_init(slab_fsum *s)
{
    s->n = 0;
    s->special = 0.0;
    s->overflow = 0;
}

void slab_fsum_add(slab_fsum *s, double x)
{
    int i = 0;

    if (!isfinite(x)) {
        s->special += x; /* inf + -inf gives nan, as fsum does */
        return;
    }
    for (int j = 0; j < s->n; j++) {
        double y = s->p[j];
        if (fabs(x) < fabs(y)) {
            double t = x;
            x = y;
            y = t;
        }
        double hi = x + y;
        double lo = y - (hi - x);
        if (lo != 0.0)
            s->p[i++] = lo;
        x = hi;
    }
    if (x != 0.0) {
        if (!isfinite(x)) {
            s->overflow = 1;
            s->special += x;
            s->n = 0;
            return;
        }
        if (i < SLAB_FSUM_PARTIALS)
            s->p[i++] = x;
    }
    s->n = i;
}

double slab_fsum_value(const slab_fsum *s)
{
    int n = s->n;
    double hi = 0.0, lo = 0.0;

    if (s->special != 0.0 || s->overflow)
        return s->special;
    if (n == 0)
        return 0.0;
    hi = s->p[--n];
    while (n > 0) {
        double x = hi, y = s->p[--n];
        hi = x + y;
        double yr = hi - x;
        lo = y - yr;
        if (lo != 0.0)
            break;
    }
    /* Round half-even correctly when the remaining partials push the
     * discarded part past exactly half an ulp. */
    if (n > 0 && ((lo < 0.0 && s->p[n - 1] < 0.0) || (lo > 0.0 && s->p[n - 1] > 0.0))) {
        double y = lo * 2.0;
        double x = hi + y;
        double yr = x - hi;
        if (y == yr)
            hi = x;
    }
    return hi;
}

double slab_fsum_array(const double *x, size_t n)
{
    slab_fsum s;

    slab_fsum_init(&s);
    for (size_t i = 0; i < n; i++)
        slab_fsum_add(&s, x[i]);
    return slab_fsum_value(&s);
}

/* ---- fast path -------------------------------------------------------------
 * Four chains of Knuth's TwoSum (error-free: a + b = s + e exactly) turn the
 * n values into s plus n + 3 exact errors e_i (n adds, 3 to merge chains),
 * so the exact sum is S = s + sum(e_i). c = fl(sum e_i) and TwoSum(s, c) =
 * (h, l) give S = h + l + d with h = fl(h + l) and, by Ogita, Rump & Oishi
 * 2005 ("Accurate sum and dot product", SIAM J. Sci. Comput. 26(6), Lemma
 * 2.3/Prop. 4.5 style bounds; Higham, Accuracy and Stability, 2nd ed. §4.2)
 *   |e_i| <= u |partial sum| <= u (1 + g_n) A,   A = sum |x_i|,
 *   |d| <= g_{N-1} sum |e_i| <= 1.1 N^2 u^2 A,   N = n + 3, u = 2^-53,
 * for N u < 0.01 (g_k = k u / (1 - k u)); B = 2 N^2 2^-106 fl(A) covers it
 * with the roundings of fl(A) and of B itself. h is then the correctly
 * rounded S when |l| + B is below half the gap from h to its neighbour on
 * l's side: S lies strictly inside h's rounding interval (a computed
 * fl(|l| + B) below that power of two implies the exact one is, by
 * monotonic rounding). Exact ties are common (two prices of one binade sum
 * into the next): when every value is a multiple of q = ulp(min |x_i|), so
 * are every partial sum and e_i (by induction: a TwoSum of multiples of q
 * whose sum is below 2^53 q is exact; q is taken from the bitwise AND of
 * the values' exponent fields, at most their minimum), and if sum |e_i| <= N u (1 + g_n) A
 * < 2^53 q every partial sum of the e_i is representable, so c is exact,
 * d = 0 and h = fl(h + l) is fsum's value outright.
 * Otherwise (near-ties, deep cancellation, h tiny, any
 * inf/nan, A >= 2^1000 where fsum's own partials might overflow) we return
 * slab_fsum_array's value, so the result is always fsum's, bit for bit. */
#define FAST_MAX_N ((size_t)1 << 20)

/* Half the distance from h (|h| in [2^-960, 2^1021)) to its neighbour on
 * the side of lo: ulp(h)/2, or ulp(h)/4 toward zero from a power of two. */
static double half_gap(double h, double lo)
{
    uint64_t b, g;
    double r;
    memcpy(&b, &h, sizeof b);
    uint64_t e = (b >> 52) & 0x7ff;
    g = (e - 53) << 52;
    if ((b & 0xfffffffffffffULL) == 0 && (lo < 0.0) != (h < 0.0))
        g = (e - 54) << 52;
    memcpy(&r, &g, sizeof r);
    return r;
}

/* Pairs of lanes in GCC/Clang vector types: SSE2 on x86-64, NEON on arm64. */
typedef double v2d __attribute__((vector_size(16)));
typedef uint64_t v2u __attribute__((vector_size(16)));

/* ulp(m) for finite m >= 0: the spacing of doubles at m's binade, 2^-1074
 * for subnormals; every double of magnitude >= m is a multiple of it. */
static double ulp_of(double m)
{
    uint64_t b, g;
    double r;
    memcpy(&b, &m, sizeof b);
    uint64_t e = b >> 52;
    g = e > 52 ? (e - 52) << 52 : (uint64_t)1 << (e > 0 ? e - 1 : 0);
    memcpy(&r, &g, sizeof r);
    return r;
}

/* The chains' end, shared by fast_sum and lanes8: h, the first chain's
 * sum, takes the other chains' sums sl[0..n_sl-1] by TwoSum (their errors
 * into c, the errors so far); A is sum |x_i|, e the values' bits ANDed, N
 * the terms with the merges. The proven value of the sum, or NAN. */
static double proven(double h, const double *sl, int n_sl, double c, double A, uint64_t e,
                     double N)
{
    for (int j = 0; j < n_sl; j++) {
        double t = h + sl[j], bv = t - h;
        c += (h - (t - bv)) + (sl[j] - bv);
        h = t;
    }
    if (!(A < 0x1p1000))
        return NAN; /* inf, nan, or too large to rule out fsum's overflow */
    if (A == 0.0)
        return 0.0; /* all zeros; fsum gives +0.0 */
    double t = h + c, bv = t - h, l = (h - (t - bv)) + (c - bv);
    double emin;
    h = t;
    e &= 0x7ffULL << 52; /* an exponent field <= every value's (a & b <= min(a, b)) */
    memcpy(&emin, &e, sizeof emin);
    if (2.0 * N * 0x1p-53 * A < 0x1p53 * ulp_of(emin))
        return h + 0.0; /* c was exact; + 0.0 gives fsum's +0.0 for a zero sum */
    if (!(fabs(h) >= 0x1p-960))
        return NAN;
    double B = 2.0 * (N * N) * 0x1p-106 * A;
    if (fabs(l) + B < half_gap(h, l))
        return h;
    return NAN;
}

/* The proven value of the sum, or NAN when the proof fails (the caller then
 * runs fsum). ramp: multiply x[k] by k + 1 first (rounded, as Python). */
/* One TwoSum step on a pair of lanes: s += v, its exact error into c, |v|
 * into a, v's bits ANDed into e. */
static inline __attribute__((always_inline)) void step2(v2d v, v2d *s, v2d *c, v2d *a, v2u *e)
{
    const v2u absmask = {~0ULL >> 1, ~0ULL >> 1};
    v2d t = *s + v, bv = t - *s;
    *c += (*s - (t - bv)) + (v - bv);
    *a += (v2d)((v2u)v & absmask);
    *e &= (v2u)v;
    *s = t;
}

/* The proven value of the sum, or NAN when the proof fails (the caller then
 * runs fsum). mode RAMP: multiply x[k] by k + 1 first (rounded, as
 * Python); SQDEV: add (x[k] - avg)^2 (d * d, rounded). extra[0..n_extra-1]
 * are added as they are after the n terms. */
enum { PLAIN, RAMP, SQDEV };
static inline __attribute__((always_inline)) double
fast_sum(const double *x, size_t n, int mode, double avg, const double *extra, size_t n_extra)
{
    const int ramp = mode == RAMP;
    const v2d av = {avg, avg};
    v2d s[2] = {{0.0, 0.0}, {0.0, 0.0}}, c[2] = {{0.0, 0.0}, {0.0, 0.0}};
    v2d a[2] = {{0.0, 0.0}, {0.0, 0.0}}, w[2] = {{1.0, 2.0}, {3.0, 4.0}};
    v2u bits[2] = {{~0ULL, ~0ULL}, {~0ULL, ~0ULL}};
    size_t k = 0;

    for (; k + 4 <= n; k += 4) {
        v2d v0, v1;
        memcpy(&v0, x + k, sizeof v0);
        memcpy(&v1, x + k + 2, sizeof v1);
        if (ramp) {
            v0 *= w[0];
            v1 *= w[1];
            w[0] += 4.0;
            w[1] += 4.0;
        } else if (mode == SQDEV) {
            v0 -= av;
            v1 -= av;
            v0 *= v0;
            v1 *= v1;
        }
        step2(v0, &s[0], &c[0], &a[0], &bits[0]);
        step2(v1, &s[1], &c[1], &a[1], &bits[1]);
    }
    double h = s[0][0], c0 = c[0][0] + c[1][0], a0 = a[0][0] + a[1][0];
    double sl[3] = {s[0][1], s[1][0], s[1][1]};
    uint64_t e = bits[0][0] & bits[0][1] & bits[1][0] & bits[1][1];
    c0 += c[0][1] + c[1][1];
    a0 += a[0][1] + a[1][1];
    for (; k < n + n_extra; k++) {
        double v = k >= n ? extra[k - n] : ramp ? x[k] * (double)(k + 1) : x[k];
        if (k < n && mode == SQDEV)
            v = (x[k] - avg) * (x[k] - avg);
        double t = h + v, bv = t - h;
        uint64_t vb;
        memcpy(&vb, &v, sizeof vb);
        c0 += (h - (t - bv)) + (v - bv);
        a0 += fabs(v);
        e &= vb;
        h = t;
    }
    return proven(h, sl, 3, c0, a0, e, (double)(n + n_extra + 3));
}

double slab_fsum_fast(const double *x, size_t n)
{
    double r = n <= FAST_MAX_N ? fast_sum(x, n, PLAIN, 0.0, NULL, 0) : NAN;
    return isnan(r) ? slab_fsum_array(x, n) : r;
}

/* Four-lane vectors: AVX2 in the clone that has it, pairs of SSE2 (NEON)
 * otherwise. */
typedef double v4d __attribute__((vector_size(32)));
typedef uint64_t v4u __attribute__((vector_size(32)));
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LANES_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define LANES_CLONES
#endif

/* vp by pointer: a vector passed by value changes the ABI where AVX is
 * not enabled (clang's -Wpsabi, an error in the fuzz build) */
static inline __attribute__((always_inline)) void step4(const v4d *vp, v4d *s, v4d *c, v4d *a,
                                                         v4u *e)
{
    const v4u absmask = {~0ULL >> 1, ~0ULL >> 1, ~0ULL >> 1, ~0ULL >> 1};
    const v4d v = *vp;
    v4d t = *s + v, bv = t - *s;
    *c += (*s - (t - bv)) + (v - bv);
    *a += (v4d)((v4u)v & absmask);
    *e &= (v4u)v;
    *s = t;
}

/* (x[j] - avg)^2 for the eight x[j] from x, each difference and square
 * rounded: in *v0 the first four, in *v1 the next. */
static inline __attribute__((always_inline)) void squares8(const double *x, const v4d *av,
                                                           v4d *v0, v4d *v1)
{
    memcpy(v0, x, sizeof *v0);
    memcpy(v1, x + 4, sizeof *v1);
    *v0 -= *av;
    *v1 -= *av;
    *v0 *= *v0;
    *v1 *= *v1;
}

/* fast_sum's SQDEV mode on eight TwoSum chains (two four-lane vectors):
 * the same proof with N = n + n_extra + 7 (n adds, 7 merges). */
LANES_CLONES static double sqdev8(const double *x, size_t n, double avg, const double *extra,
                                  size_t n_extra)
{
    const v4d av = {avg, avg, avg, avg}, zero = {0.0, 0.0, 0.0, 0.0};
    v4d s[2] = {zero, zero}, c[2] = {zero, zero}, a[2] = {zero, zero};
    v4u bits[2] = {{~0ULL, ~0ULL, ~0ULL, ~0ULL}, {~0ULL, ~0ULL, ~0ULL, ~0ULL}};
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        v4d v0, v1;
        squares8(x + k, &av, &v0, &v1);
        step4(&v0, &s[0], &c[0], &a[0], &bits[0]);
        step4(&v1, &s[1], &c[1], &a[1], &bits[1]);
    }
    double h = s[0][0], c0 = 0.0, a0 = 0.0, sl[7];
    uint64_t e = ~0ULL;
    for (int j = 0; j < 8; j++) {
        if (j)
            sl[j - 1] = s[j / 4][j % 4];
        c0 += c[j / 4][j % 4];
        a0 += a[j / 4][j % 4];
        e &= bits[j / 4][j % 4];
    }
    for (; k < n + n_extra; k++) {
        double v = k >= n ? extra[k - n] : (x[k] - avg) * (x[k] - avg), t = h + v, bv = t - h;
        uint64_t vb;
        memcpy(&vb, &v, sizeof vb);
        c0 += (h - (t - bv)) + (v - bv);
        a0 += fabs(v);
        e &= vb;
        h = t;
    }
    return proven(h, sl, 7, c0, a0, e, (double)(n + n_extra + 7));
}

double slab_fsum_sqdev(const double *x, size_t n, double avg, const double *extra, size_t n_extra)
{
    double r = n + n_extra <= FAST_MAX_N ? sqdev8(x, n, avg, extra, n_extra) : NAN;
    if (!isnan(r))
        return r;
    slab_fsum s;
    slab_fsum_init(&s);
    for (size_t k = 0; k < n; k++)
        slab_fsum_add(&s, (x[k] - avg) * (x[k] - avg));
    for (size_t k = 0; k < n_extra; k++)
        slab_fsum_add(&s, extra[k]);
    return slab_fsum_value(&s);
}

/* ---- squared deviations under a known bound ----------------------------------
 * With |x[k]| <= xmax, every term t = fl(fl(x - avg)^2) is at most B
 * (xmax + |avg| rounded up, squared, rounded up), so with 2^K > B and
 * Q = 2^(K - 51), h = t + C (C = 1.5 2^52 Q) stays in C's binade, where the
 * ulp is Q: hi = h - C is t rounded to a multiple of Q (exact), bits(h) -
 * bits(C) = hi / Q an integer below 2^51, and lo = t - hi exact, |lo| <=
 * Q/2. The hi parts are summed exactly as integers (unsigned, modulo 2^64,
 * each lane moved to a 128-bit total every SQ_FLUSH terms, less that many
 * C's bits: below 2^62); the lo parts in eight plain double lanes, whose
 * error is at most E = 2 (n + 8) n (Q/2) 2^-53 (the recursive-sum bound
 * with room to spare). The exact sum then lies within E of H Q + L, and
 * fsum (monotone) of its two ends with the extras agreeing gives fsum of
 * the terms; else NAN (the caller proves it another way). Four additions
 * a term where the TwoSum chains take nine. */
#define SQ_FLUSH 2048

/* The split sum of the squares into *H and *L; 0 when a square left C's
 * binade (the bound did not hold, or a NaN), which checked = 0 does not
 * look for (the caller proved the bound: every square's sum with C then
 * stays in the binade, sqdev_grid). */
static inline __attribute__((always_inline)) int sqdev_split_of(const double *x, size_t n,
                                                                double avg, double Q,
                                                                slab_wide *H, double *L,
                                                                int checked)
{
    const double c = 0x1.8p52 * Q;
    const v4d cv = {c, c, c, c}, av = {avg, avg, avg, avg}, zero = {0.0, 0.0, 0.0, 0.0};
    v4u h0 = {0, 0, 0, 0}, h1 = h0, o = h0, a = {~0ULL, ~0ULL, ~0ULL, ~0ULL};
    v4d l0 = zero, l1 = zero;
    uint64_t cb;
    size_t k = 0;
    memcpy(&cb, &c, sizeof cb);
    while (k + 8 <= n) {
        size_t end = k + 8 * SQ_FLUSH < n ? k + 8 * SQ_FLUSH : n, cnt = (end - k) / 8;
        for (; k + 8 <= end; k += 8) {
            v4d v0, v1;
            squares8(x + k, &av, &v0, &v1);
            v4d s0 = v0 + cv, s1 = v1 + cv;
            l0 += v0 - (s0 - cv);
            l1 += v1 - (s1 - cv);
            h0 += (v4u)s0;
            h1 += (v4u)s1;
            if (checked) {
                a &= (v4u)s0 & (v4u)s1;
                o |= (v4u)s0 | (v4u)s1;
            }
        }
        uint64_t off = cb * (uint64_t)cnt;
        for (int j = 0; j < 4; j++) {
            slab_wide_add(H, h0[j] - off);
            slab_wide_add(H, h1[j] - off);
        }
        h0 = h1 = (v4u){0, 0, 0, 0};
    }
    l0 += l1;
    double lsum = (l0[0] + l0[1]) + (l0[2] + l0[3]);
    uint64_t aa = a[0] & a[1] & a[2] & a[3], oo = o[0] | o[1] | o[2] | o[3];
    for (; k < n; k++) {
        double t = (x[k] - avg) * (x[k] - avg), s = t + c;
        uint64_t sb;
        memcpy(&sb, &s, sizeof sb);
        lsum += t - (s - c);
        slab_wide_add(H, sb - cb);
        aa &= sb;
        oo |= sb;
    }
    *L = lsum;
    return !checked || ((aa >> 52) == (cb >> 52) && (oo >> 52) == (cb >> 52));
}

LANES_CLONES static int sqdev_split(const double *x, size_t n, double avg, double Q, slab_wide *H,
                                    double *L)
{
    return sqdev_split_of(x, n, avg, Q, H, L, 1);
}

LANES_CLONES static int sqdev_split_proven(const double *x, size_t n, double avg, double Q,
                                           slab_wide *H, double *L)
{
    return sqdev_split_of(x, n, avg, Q, H, L, 0);
}

/* slab_fsum_sqdev_within (checked = 1) and slab_fsum_sqdev_bounded. Under
 * a true bound no check is needed: every square t is at most fl(dmax^2),
 * and B carries a further factor 1 + 2^-48, so t < B (1 - 2^-49) < 2^K
 * (1 - 2^-49), far below 2^K - Q/2: t + C (C = 1.5 2^(K + 1)) rounds
 * inside [2^(K + 1), 2^(K + 2)), C's binade, for every term. */
static double sqdev_grid(const double *x, size_t n, double avg, double xmax, const double *extra,
                         size_t n_extra, int checked)
{
    double dmax = (xmax + fabs(avg)) * (1.0 + 0x1p-50);
    double B = dmax * dmax * (1.0 + 0x1p-48); /* NaN with no bound */
    if (!(B > 0.0 && isfinite(B)) || n > FAST_MAX_N || n_extra > 4)
        return slab_fsum_sqdev(x, n, avg, extra, n_extra);
    int K = ilogb(B) + 1;
    if (K - 51 < -960 || K > 960)
        return slab_fsum_sqdev(x, n, avg, extra, n_extra);
    double Q = ldexp(1.0, K - 51), L, terms[8];
    slab_wide H = {0, 0};
    if (!(checked ? sqdev_split(x, n, avg, Q, &H, &L) : sqdev_split_proven(x, n, avg, Q, &H, &L)) ||
        !isfinite(L))
        return slab_fsum_sqdev(x, n, avg, extra, n_extra);
    /* H Q + L within E of the exact sum; H below 2^51 n: two exact parts */
    double E = 2.0 * (double)(n + 8) * (double)n * Q * 0x1p-54;
    terms[0] = (double)slab_wide_shr(&H, 36) * (0x1p36 * Q);
    terms[1] = (double)(H.lo & ((((uint64_t)1) << 36) - 1)) * Q;
    terms[2] = L;
    for (size_t j = 0; j < n_extra; j++)
        terms[4 + j] = extra[j];
    terms[3] = -E;
    double lo = slab_fsum_array(terms, 4 + n_extra);
    terms[3] = E;
    double hi = slab_fsum_array(terms, 4 + n_extra);
    if (memcmp(&lo, &hi, sizeof lo) == 0)
        return lo;
    return slab_fsum_sqdev(x, n, avg, extra, n_extra);
}

double slab_fsum_sqdev_within(const double *x, size_t n, double avg, double xmax,
                              const double *extra, size_t n_extra)
{
    return sqdev_grid(x, n, avg, xmax, extra, n_extra, 1);
}

double slab_fsum_sqdev_bounded(const double *x, size_t n, double avg, double xmax,
                               const double *extra, size_t n_extra)
{
    return sqdev_grid(x, n, avg, xmax, extra, n_extra, 0);
}

double slab_fsum_ramp(const double *x, size_t n)
{
    double r = n <= FAST_MAX_N ? fast_sum(x, n, RAMP, 0.0, NULL, 0) : NAN;
    if (!isnan(r))
        return r;
    slab_fsum s;
    slab_fsum_init(&s);
    for (size_t k = 0; k < n; k++)
        slab_fsum_add(&s, x[k] * (double)(k + 1));
    return slab_fsum_value(&s);
}

/* ---- sliding windows in exact fixed point ----------------------------------
 * When every nonzero value has a biased exponent in [lo, hi], lo >= 54 and
 * hi <= 1900, each is an integer multiple of q = 2^(lo - 1075) (its ulp is)
 * below 2^(hi - lo + 53) q, so with hi - lo + bits(p + 1) <= 52 a window's
 * sum is an exact integer count of q below 2^105, kept in two int64 limbs
 * (H 2^53 + L, carried every bar) by adding the new value and subtracting
 * the leaving one. H 2^53 and L are then exact doubles, so one floating
 * addition rounds their sum correctly, and scaling by q (a power of two,
 * the result normal since q >= 2^-1021) commutes with rounding: fsum's
 * value, bit for bit. */
static double pow2(int e) /* 2^e for -1022 <= e <= 1023 */
{
    uint64_t b = (uint64_t)(e + 1023) << 52;
    double r;
    memcpy(&r, &b, sizeof r);
    return r;
}

static inline double term(const double *x, size_t i, int square)
{
    return square ? x[i] * x[i] : x[i];
}

/* The smallest biased exponent of the nonzero terms, or -1 when the terms
 * are outside the fixed-point range above for windows of p. */
static int window_lo(const double *x, size_t n, size_t p, int square)
{
    uint64_t lo = 0x7ff, hi = 0, bits = 0;
    for (size_t i = 0; i < n; i++) {
        double v = term(x, i, square);
        uint64_t b;
        memcpy(&b, &v, sizeof b);
        uint64_t e = (b >> 52) & 0x7ff;
        if (b << 1 == 0)
            continue; /* a zero counts for nothing */
        lo = e < lo ? e : lo;
        hi = e > hi ? e : hi;
    }
    while (bits < 64 && ((uint64_t)1 << bits) < p + 1)
        bits++;
    if (hi < lo)
        return 1023; /* all zeros */
    return lo >= 54 && hi <= 1900 && hi - lo + bits <= 52 ? (int)lo : -1;
}

/* Adds sign * (v scaled to a count of q, an integer below 2^101) to the
 * limbs: high part in units of 2^53, low part in units of 1. */
static inline void limbs_add(double y, int64_t *h, int64_t *l)
{
    int64_t top = (int64_t)(y * 0x1p-53);
    *h += top;
    *l += (int64_t)(y - (double)top * 0x1p53);
}

static inline void limbs_sub(double y, int64_t *h, int64_t *l)
{
    int64_t top = (int64_t)(y * 0x1p-53);
    *h -= top;
    *l -= (int64_t)(y - (double)top * 0x1p53);
}

int slab_fsum_window(const double *x, size_t n, size_t p, int square, double *out)
{
    if (p < 1 || p > ((size_t)1 << 24))
        return 0;
    int lo = window_lo(x, n, p, square);
    if (lo < 0)
        return 0;
    double scale = pow2(1075 - lo), q = pow2(lo - 1075);
    int64_t h = 0, l = 0;
    for (size_t i = 0; i < n; i++) {
        limbs_add(term(x, i, square) * scale, &h, &l);
        if (i >= p)
            limbs_sub(term(x, i - p, square) * scale, &h, &l);
        h += l >> 53; /* carry: l back into [0, 2^53), floor division */
        l &= ((int64_t)1 << 53) - 1;
        if (i + 1 >= p)
            out[i] = ((double)h * 0x1p53 + (double)l) * q;
    }
    return 1;
}

/* Every window of several periods at once from one exact prefix: P_i =
 * x[0] + ... + x[i-1] in the limbs above (a prefix never leaves them: H
 * counts 2^53 q and the sum of n values stays below n 2^53 q), and a
 * window's sum is P_{i+1} - P_{i+1-p}, the same integer count of q the
 * sliding form holds, rounded by the same one addition: the same bits. The
 * range check is the sliding form's for the longest period. The prefix is
 * held WSEG bars at a time (with the longest period's bars before them),
 * not whole: a whole one was 16 bytes a bar of fresh pages on every call,
 * and the segment stays in the cache while every period reads it. */
#define WSEG ((size_t)4096)

int slab_fsum_windows(const double *x, size_t n, const size_t *p, size_t k, double *const *out)
{
    size_t pmax = 0;
    for (size_t j = 0; j < k; j++) {
        if (p[j] < 1 || p[j] > ((size_t)1 << 24))
            return 0;
        pmax = p[j] > pmax ? p[j] : pmax;
    }
    int lo = window_lo(x, n, pmax, 0);
    size_t cap = (n < WSEG ? n : WSEG) + pmax + 1; /* prefixes held at once */
    int64_t *H = lo < 0 ? NULL : slab_malloc(2 * cap * sizeof *H);
    if (!H)
        return 0;
    int64_t *L = H + cap, h = 0, l = 0;
    double scale = pow2(1075 - lo), q = pow2(lo - 1075);
    size_t first = 0, done = 0; /* H[0..] holds P_first .. P_done */
    H[0] = L[0] = 0;
    for (size_t s = 0; s < n; s += WSEG) {
        size_t e = s + WSEG < n ? s + WSEG : n; /* windows ending at bars [s, e) */
        size_t want = s + 1 > pmax ? s + 1 - pmax : 0; /* the oldest prefix they read */
        if (want > first) {
            memmove(H, H + (want - first), (done - want + 1) * sizeof *H);
            memmove(L, L + (want - first), (done - want + 1) * sizeof *L);
            first = want;
        }
        for (; done < e; done++) { /* P_{done + 1} */
            limbs_add(x[done] * scale, &h, &l);
            h += l >> 53;
            l &= ((int64_t)1 << 53) - 1;
            H[done + 1 - first] = h;
            L[done + 1 - first] = l;
        }
        for (size_t j = 0; j < k; j++)
            for (size_t i = s > p[j] - 1 ? s : p[j] - 1; i < e; i++) {
                size_t a = i + 1 - first, b = i + 1 - p[j] - first;
                int64_t dh = H[a] - H[b], dl = L[a] - L[b];
                out[j][i] = ((double)dh * 0x1p53 + (double)dl) * q;
            }
    }
    slab_free(H);
    return 1;
}

/* ---- many ramp windows at once ---------------------------------------------
 * When the whole span is finite with max |x| = M and every nonzero |x| at
 * least m, each product x_k (k + 1) is a multiple of q = ulp(m) (it is at
 * least |x_k| in magnitude), and A <= M p (p + 1) / 2 (1 + u) for every
 * window. If 2 N u A < 2^53 q (with slack) the exactness argument above holds
 * for all windows at once: one TwoSum chain per window gives s and an exact
 * c, and fl(s + c) is fsum's value. Four windows run in the lanes of two
 * vector pairs, so no per-window test or merge is left in the loop. */
static void ramp4(const double *x, size_t p, double *sums)
{
    v2d s0 = {0.0, 0.0}, s1 = s0, c0 = s0, c1 = s0, w = {1.0, 1.0};
    for (size_t k = 0; k < p; k++) {
        v2d v0, v1;
        memcpy(&v0, x + k, sizeof v0);
        memcpy(&v1, x + k + 2, sizeof v1);
        v0 *= w;
        v1 *= w;
        w += 1.0;
        v2d t0 = s0 + v0, b0 = t0 - s0, t1 = s1 + v1, b1 = t1 - s1;
        c0 += (s0 - (t0 - b0)) + (v0 - b0);
        c1 += (s1 - (t1 - b1)) + (v1 - b1);
        s0 = t0;
        s1 = t1;
    }
    s0 = (s0 + c0) + 0.0; /* + 0.0: fsum's +0.0 for a zero sum */
    s1 = (s1 + c1) + 0.0;
    memcpy(sums, &s0, sizeof s0);
    memcpy(sums + 2, &s1, sizeof s1);
}

/* Whether x[0..n-1] meets the all-windows condition above for width p. */
static int ramp_span_exact(const double *x, size_t n, size_t p)
{
    double mx = 0.0, mn = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(x[i]);
        if (!(a <= 0x1p900))
            return 0; /* inf, nan or huge */
        mx = a > mx ? a : mx;
        mn = a < mn && a != 0.0 ? a : mn;
    }
    if (p > FAST_MAX_N || mn == INFINITY)
        return 0;
    double N = (double)(p + 3), A = mx * ((double)p * ((double)p + 1.0)) * 2.0;
    return A < 0x1p1000 && 2.0 * N * 0x1p-53 * A < 0x1p53 * ulp_of(mn);
}

void slab_fsum_ramp_windows(const double *x, size_t count, size_t p, double *sums)
{
    size_t j = 0;
    if (count >= 4 && ramp_span_exact(x, count + p - 1, p))
        for (; j + 4 <= count; j += 4)
            ramp4(x + j, p, sums + j);
    for (; j < count; j++)
        sums[j] = slab_fsum_ramp(x + j, p);
}
