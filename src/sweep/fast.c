/* fast.c: the sweep's bar loop specialised for the built-ins sma_cross,
 * rsi_reversion and bbands_reversion (issue 15): a combination's trades,
 * equity record and headline metrics without the general engine's per-bar
 * machinery. The crossings are found by a block scan of the two shared SMA
 * arrays (the RSI's levels and the close against the bands are read bar
 * by bar; sma_cross's are found for a worker's batch of combinations
 * together); only the stretches with a position are walked bar by bar
 * (value at each close), a flat one writes its last bar only, and the
 * analyzers see the record as spans (metrics.h).
 * Invariant: the run it fills is the one slab_engine_run_shared gives for
 * the same combination, bit for bit in everything the sweep's line reads
 * (the values the spans' record holds, closed trades' pnlcomm, final
 * value, minimum period, risk): the
 * broker's expressions (broker.c check_submitted/mark, fill.c execute,
 * trade_update, slab__commission, slab_broker_sizer) are kept in their
 * operation order. What it does not model goes to the general engine. */
#include "sweep/sweep_int.h"

#include "stratlab/engine.h"
#include "stratlab/metrics.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* The parameters of sma_cross and rsi_reversion, in their tables' order
 * (parity.c); both end with the four risk shortcuts. */
enum { P_FAST, P_SLOW };
enum { P_PERIOD, P_LOW, P_HIGH };
enum { P_DEVFACTOR = 1 };
enum { K_SMA_CROSS, K_RSI, K_BBANDS };

/* A built-in the loop models: its signal's parameters (the axes it takes)
 * and where its risk shortcuts start. */
typedef struct fast_def {
    const char *name;
    const char *const *signal; /* NULL-terminated */
    int risk0;                 /* index of stop_loss_pct; 4 shortcuts follow */
    int kind;                  /* K_* */
} fast_def;

static const char *const sma_signal[] = {"fast", "slow", NULL};
static const char *const rsi_signal[] = {"period", "low", "high", NULL};
static const char *const bb_signal[] = {"period", "devfactor", NULL};
static const fast_def fast_defs[] = {{"sma_cross", sma_signal, 2, K_SMA_CROSS},
                                     {"rsi_reversion", rsi_signal, 3, K_RSI},
                                     {"bbands_reversion", bb_signal, 2, K_BBANDS}};

#define N_FAST_DEFS (sizeof fast_defs / sizeof fast_defs[0])

/* The built-ins' and their indicators' definitions, looked up once (by
 * name, a scan of each table with strcasecmp: it was twice a combination).
 * A built-in's signal indicator, by its K_* kind. */
static const char *const ind_names[] = {"SMA_BT", "RSI_BT", "BBANDS_BT"};
static const slab_strategy_def *fast_strategies[N_FAST_DEFS];
static const slab_ind_def *fast_inds[sizeof ind_names / sizeof ind_names[0]];
static pthread_once_t defs_once = PTHREAD_ONCE_INIT;

static void defs_find(void)
{
    slab_error e;
    for (size_t k = 0; k < N_FAST_DEFS; k++)
        fast_strategies[k] = slab_strategy_find(fast_defs[k].name, &e);
    for (size_t k = 0; k < sizeof ind_names / sizeof ind_names[0]; k++)
        fast_inds[k] = slab_ind_find(ind_names[k], &e);
}

/* The loop's description of strategy, or NULL. */
static const fast_def *fast_def_of(const slab_strategy_def *strategy)
{
    pthread_once(&defs_once, defs_find);
    for (size_t k = 0; k < N_FAST_DEFS; k++)
        if (strategy && strategy == fast_strategies[k] &&
            strategy->n_params == fast_defs[k].risk0 + 4)
            return &fast_defs[k];
    return NULL;
}

/* The signal indicator of the built-ins of kind K_*, or NULL. */
static const slab_ind_def *ind_def(int kind)
{
    pthread_once(&defs_once, defs_find);
    return fast_inds[kind];
}

#define SB 64                            /* bars a range summary covers */
#define RANGES_BYTES ((size_t)128 << 20) /* range summaries a sweep keeps */

/* An SMA's ranges: per block of SB bars, b2[2J] and b2[2J + 1] bound
 * bars [J SB, (J+1) SB) (-inf and inf when one of them is NaN). Low and
 * high side by side: a block's pair is one read. */
typedef struct ranges {
    double period; /* the SMA's period */
    double *b2;    /* 2 (n / SB) (owned) */
} ranges;

/* The ranges of a sweep's SMAs, shared by its workers. An entry is
 * claimed under the lock and filled outside it by the worker that claimed
 * it (a fill reads the SMA's every bar, and holding the lock through it
 * kept the other workers waiting on every new SMA); once ready it never
 * changes before the sweep ends, so a worker reads it without the lock.
 * Past the cap a worker computes its own. */
enum { RG_FILLING, RG_READY, RG_FAILED };

struct slab__franges {
    pthread_mutex_t mu;
    pthread_cond_t filled; /* an entry left RG_FILLING */
    size_t nb;             /* blocks: n / SB */
    ranges *rg;
    int *state;    /* RG_* of each entry below n */
    size_t n, cap; /* entries, entries at most */
};

struct slab__fast {
    size_t n;            /* bars */
    ranges own_rg[2];    /* ranges computed here when the shared table is full */
    double *value;       /* value after each bar (n) */
    double *scratch;     /* the analyzers' (n + 8) */
    double *own[3];      /* indicator arrays computed here when the cache is full */
    size_t *ev;          /* crossings: bar << 1 | 1 up, 0 down (n) */
    slab_bar_span *span; /* bars holding a position, and each exit bar */
    size_t n_span, cap_span;
    slab_trade *trades;
    size_t n_trades, cap_trades;
    struct xpair *bat; /* the batch's sma_cross combinations (slab__fast_batch_*) */
    size_t n_bat, cap_bat, bat_next;
    size_t *evbuf;     /* their crossings, BATCH_EV_BYTES, a slot each (lazily) */
    uint64_t n_batched; /* runs that took a batch's crossings */
    int nonneg;         /* 1: no close below zero; 0: some; -1: not looked yet */
    double pmax;        /* the largest |open| and |close| (with nonneg) */
    int reverse;        /* a batch's SMAs asked for from its end */
};

/* ---- eligibility ----------------------------------------------------------- */

/* Axes the fast path models whatever their value: the signal's
 * parameters and the costs, cash and sizer (the rest of the configuration
 * is checked per combination, slab__fast_run). */
static int axis_ok(const fast_def *d, const char *name)
{
    static const char *const ok[] = {"cash", "commission", "commission_min", "sizer", NULL};
    for (size_t k = 0; ok[k]; k++)
        if (!strcmp(ok[k], name))
            return 1;
    for (size_t k = 0; d->signal[k]; k++)
        if (!strcmp(d->signal[k], name))
            return 1;
    return 0;
}

int slab__fast_eligible(const slab_sweep_spec *spec)
{
    const slab_bars *b = spec->bars;
    const fast_def *d = fast_def_of(spec->strategy);
    if (!d || !b || b->n == 0)
        return 0;
    for (size_t a = 0; a < slab_grid_n_axes(spec->grid); a++)
        if (!axis_ok(d, slab_grid_axis_at(spec->grid, a)->name))
            return 0;
    /* finite prices: the signals and the marks then take no NaN path */
    for (size_t i = 0; i < b->n; i++)
        if (!isfinite(b->open[i]) || !isfinite(b->close[i]))
            return 0;
    return 1;
}

/* 1 when the combination's settings are what the fast path models: no
 * risk items (the strategy's shortcuts included), market orders at the
 * next open without slippage, no margin call, parameters the strategy's
 * init() accepts (fast < slow, low < high). */
static int config_ok(const fast_def *d, const double *params, const slab_broker_config *br,
                     const slab_risk_config *risk)
{
    for (int k = d->risk0; k < d->risk0 + 4; k++)
        if (params[k] > 0.0)
            return 0;
    int sane = d->kind == K_SMA_CROSS ? params[P_FAST] < params[P_SLOW]
               : d->kind == K_RSI     ? params[P_LOW] < params[P_HIGH]
                                      : 1;
    return sane && !slab_risk_active(risk) && !br->coc && !br->coo && br->slip_perc == 0.0 &&
           br->slip_fixed == 0.0 && !br->margin_call && br->cash > 0.0 && br->cash <= SLAB_CASH_MAX;
}

/* ---- scratch --------------------------------------------------------------- */

slab__fast *slab__fast_new(size_t n)
{
    slab__fast *f = slab_calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->n = n;
    f->nonneg = -1;
    f->value = slab_malloc((n ? n : 1) * sizeof *f->value);
    f->scratch = slab_malloc((n + 8) * sizeof *f->scratch);
    f->ev = slab_malloc((n ? n : 1) * sizeof *f->ev);
    /* never NULL, even with no span: a run's record is always given with
     * its spans (its flat bars are not all written) */
    f->cap_span = 16;
    f->span = slab_malloc(f->cap_span * sizeof *f->span);
    if (!f->value || !f->scratch || !f->ev || !f->span) {
        slab__fast_free(f);
        return NULL;
    }
    return f;
}

static void batch_free(slab__fast *f);

void slab__fast_free(slab__fast *f)
{
    if (!f)
        return;
    for (int k = 0; k < 2; k++)
        slab_free(f->own_rg[k].b2);
    slab_free(f->ev);
    slab_free(f->value);
    slab_free(f->scratch);
    for (int k = 0; k < 3; k++)
        slab_free(f->own[k]);
    slab_free(f->span);
    slab_free(f->trades);
    batch_free(f);
    slab_free(f);
}

/* ---- the crossings ----------------------------------------------------------
 * backtrader CrossOver (slab_ind_crossover): nzd is seeded with a - b at
 * the first bar both are valid, then takes each non-zero difference; bar
 * i > s crosses up when nzd < 0 and a > b, down when nzd > 0 and a < b. */

/* Four lanes of doubles (GCC/Clang vector types): AVX2 in the clones that
 * have it, pairs of SSE2 (NEON) otherwise; each lane keeps the scalar
 * expression's operations in order, so the bits do not depend on it. */
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LANES_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define LANES_CLONES
#endif

typedef struct xscan {
    const double *a, *b;
    const ranges *ra, *rb; /* their block ranges, or NULL */
    size_t i, n;           /* next bar to look at; bars */
    double sign;           /* 1 or -1: the sign of nzd; 0: nzd is 0 or NaN (no cross) */
} xscan;

/* The smaller and the larger of two numbers neither of which is NaN. */
static inline double fmin2(double a, double b)
{
    return a < b ? a : b;
}

static inline double fmax2(double a, double b)
{
    return a > b ? a : b;
}

/* Fills r's ranges (nb blocks, allocated when NULL) from x; -1 when out
 * of memory. Its period is the caller's to set. */
static int ranges_fill(ranges *r, const double *x, size_t nb)
{
    /* line-aligned: with the bars', a scan's reads are whole lines */
    if (!r->b2) {
        if (!(r->b2 = slab_malloc_aligned(64, (nb ? 2 * nb : 1) * sizeof(double))))
            return -1;
        slab_prefault(r->b2, 2 * nb * sizeof(double));
    }
    for (size_t j = 0; j < nb; j++) {
        /* the block's low and high in eight lanes of eight bars (no chain
         * of 64 dependent steps); a NaN shows in the sum of the bars (an
         * inf less an inf too: then the block only gets the wider bounds,
         * which never let a scan skip wrongly) */
        const double *v = x + j * SB;
        double lo[8], hi[8], sum[8];
        for (int k = 0; k < 8; k++)
            lo[k] = hi[k] = sum[k] = v[k];
        for (size_t i = 8; i < SB; i += 8)
            for (int k = 0; k < 8; k++) {
                lo[k] = fmin2(v[i + k], lo[k]);
                hi[k] = fmax2(v[i + k], hi[k]);
                sum[k] += v[i + k];
            }
        for (int w = 4; w > 0; w /= 2)
            for (int k = 0; k < w; k++) {
                lo[k] = fmin2(lo[k + w], lo[k]);
                hi[k] = fmax2(hi[k + w], hi[k]);
                sum[k] += sum[k + w];
            }
        int nan = isnan(sum[0]);
        r->b2[2 * j] = nan ? -INFINITY : lo[0];
        r->b2[2 * j + 1] = nan ? INFINITY : hi[0];
    }
    return 0;
}

slab__franges *slab__franges_new(size_t n_bars)
{
    slab__franges *t = slab_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->nb = n_bars / SB;
    size_t per = t->nb * 2 * sizeof(double) + sizeof(ranges) + 1;
    t->cap = RANGES_BYTES / per < 4096 ? RANGES_BYTES / per : 4096;
    t->rg = slab_calloc(t->cap ? t->cap : 1, sizeof *t->rg);
    t->state = slab_calloc(t->cap ? t->cap : 1, sizeof *t->state);
    if (!t->rg || !t->state) {
        slab_free(t->rg);
        slab_free(t->state);
        slab_free(t);
        return NULL;
    }
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->filled, NULL);
    return t;
}

void slab__franges_free(slab__franges *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->n; k++) { /* a failed fill's too */
        slab_free(t->rg[k].b2);
    }
    slab_free(t->rg);
    slab_free(t->state);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->filled);
    slab_free(t);
}

/* The block ranges of x (the SMA of period) from the sweep's table t,
 * made on first use (by the worker that asks first; another asking
 * meanwhile waits for it); NULL when the table is full or out of memory. */
static const ranges *ranges_shared(slab__franges *t, const double *x, double period)
{
    const ranges *r = NULL;
    size_t k;
    pthread_mutex_lock(&t->mu);
    for (k = 0; k < t->n && t->rg[k].period != period; k++)
        ;
    if (k < t->n) {
        while (t->state[k] == RG_FILLING)
            pthread_cond_wait(&t->filled, &t->mu);
        r = t->state[k] == RG_READY ? &t->rg[k] : NULL;
        pthread_mutex_unlock(&t->mu);
        return r;
    }
    if (t->n == t->cap) {
        pthread_mutex_unlock(&t->mu);
        return NULL;
    }
    k = t->n++;
    t->rg[k].period = period;
    t->state[k] = RG_FILLING;
    pthread_mutex_unlock(&t->mu);
    ranges *e = &t->rg[k]; /* this worker's alone until it is ready */
    int ok = ranges_fill(e, x, t->nb) == 0;
    pthread_mutex_lock(&t->mu);
    t->state[k] = ok ? RG_READY : RG_FAILED;
    pthread_cond_broadcast(&t->filled);
    pthread_mutex_unlock(&t->mu);
    return ok ? e : NULL;
}

/* The block ranges of x: the sweep's entry, or ones computed into f's
 * slot `own` when the table is full or absent; NULL when out of memory
 * (the scan then reads every bar). */
static const ranges *ranges_of(slab__fast *f, slab__franges *t, const double *x, double period,
                               int own)
{
    const ranges *r = t ? ranges_shared(t, x, period) : NULL;
    if (r)
        return r;
    f->own_rg[own].period = period;
    return ranges_fill(&f->own_rg[own], x, f->n / SB) == 0 ? &f->own_rg[own] : NULL;
}

/* 1 when a - b keeps sign's side over the pair's bars (a <= b throughout
 * when sign < 0, a >= b when sign > 0): no crossing there. */
static inline __attribute__((always_inline)) int apart(const double *p, const double *q,
                                                       double sign)
{
    return sign < 0.0 ? p[1] <= q[0] : p[0] >= q[1];
}

static size_t first_valid(const double *x, size_t n)
{
    size_t i = 0;
    while (i < n && isnan(x[i]))
        i++;
    return i;
}

/* Starts the scan; returns the first bar the crossover is valid at (n
 * when never), which is where next() starts. */
static size_t xscan_init(xscan *x, const double *a, const double *b, const ranges *ra,
                         const ranges *rb, size_t n)
{
    size_t s = first_valid(a, n), sb = first_valid(b, n);
    s = sb > s ? sb : s;
    x->a = a;
    x->b = b;
    x->ra = ra && rb ? ra : NULL;
    x->rb = ra && rb ? rb : NULL;
    x->n = n;
    x->i = s + 1 < n ? s + 1 : n;
    x->sign = 0.0;
    if (s < n) {
        double d = a[s] - b[s];
        x->sign = d > 0.0 ? 1.0 : d < 0.0 ? -1.0 : 0.0;
    }
    return x->i;
}

/* A scan with the list its crossings go to: a batch's pair, or a
 * combination scanned alone (crossings()). */
typedef struct xpair {
    size_t idx[SLAB_GRID_MAX_AXES]; /* its combination */
    double fast, slow;              /* its SMA periods */
    const double *a, *b;            /* the cache's SMAs, while the scan holds them */
    xscan x;
    size_t first;             /* the first bar the crossover is valid at */
    size_t *ev, n_ev, cap_ev; /* its crossings (bar << 1 | upward): in a
                                 batch, its slot of the worker's evbuf */
    int ok;                   /* the crossings are found; 0: it scans alone */
} xpair;

/* ---- the scan, blocks of 64 bars at a time ---------------------------------
 * A block whose ranges are apart on the side nzd holds is passed over (one
 * test); another is read whole, its 64 differences tested at once for
 * keeping the side (a vector compare a 4 bars, ANDed), and only a block
 * that does not is made into masks of a > b and a < b, its crossings their
 * bits. This reads more bars than a scan by blocks of 8 bars did (every
 * bar of a block whose ranges meet) but takes one branch a block of 64
 * where that took one or more a block of 8, mispredicted wherever the
 * ranges came and went: those branches were most of its time. */

int slab__scan_portable = 0;
size_t slab__batch_slot_cap = 0;

/* Adds q's crossing at bar t (up: upward); 0 when q's slot is full (q is
 * then left to scan alone). */
static inline __attribute__((always_inline)) int emit(xpair *q, size_t t, int up)
{
    if (q->n_ev == q->cap_ev) {
        q->ok = 0;
        return 0;
    }
    q->ev[q->n_ev++] = t << 1 | (size_t)up;
    return 1;
}

/* Bars [i, end) of q one at a time by the crossover's rule (the section's
 * head): where a difference is zero or NaN, and the bars outside whole
 * blocks. */
static int bars_one(xpair *q, size_t i, size_t end)
{
    const double *a = q->x.a, *b = q->x.b;
    double sign = q->x.sign;
    for (; i < end; i++) {
        int u = sign < 0.0 && a[i] > b[i], d = sign > 0.0 && a[i] < b[i];
        double diff = a[i] - b[i];
        if (diff != 0.0)
            sign = diff > 0.0 ? 1.0 : diff < 0.0 ? -1.0 : 0.0;
        if ((u || d) && !emit(q, i, u))
            break;
    }
    q->x.sign = sign;
    return q->ok;
}

/* 1 when each of the 64 differences a - b keeps sign's side ((a - b) sign
 * >= 0: zeros keep it, a NaN does not), portable lanes. */
static inline __attribute__((always_inline)) int sb_keeps(const double *a, const double *b,
                                                          double sign)
{
    const v4d s = {sign, sign, sign, sign}, zero = {0.0, 0.0, 0.0, 0.0};
    v4l k = {-1, -1, -1, -1};
    for (size_t j = 0; j < SB; j += 4) {
        v4d x, y;
        memcpy(&x, a + j, sizeof x);
        memcpy(&y, b + j, sizeof y);
        k &= (x - y) * s >= zero;
    }
    return (k[0] & k[1] & k[2] & k[3]) != 0;
}

/* *gt, *lt: bit j set when a[j] > b[j], a[j] < b[j], j < 64. */
static inline __attribute__((always_inline)) void sb_masks(const double *a, const double *b,
                                                           uint64_t *gt, uint64_t *lt)
{
    uint64_t g = 0, l = 0;
    for (unsigned j = 0; j < SB; j++) {
        g |= (uint64_t)(a[j] > b[j]) << j;
        l |= (uint64_t)(a[j] < b[j]) << j;
    }
    *gt = g;
    *lt = l;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SCAN_AVX2 1

/* sb_keeps on AVX2: the same operations a lane, ANDed, one movemask. */
__attribute__((target("avx2"))) static inline int sb_keeps_avx2(const double *a, const double *b,
                                                                double sign)
{
    const __m256d s = _mm256_set1_pd(sign), zero = _mm256_setzero_pd();
    __m256d k = _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), k2 = k;
#pragma GCC unroll 8
    for (size_t j = 0; j < SB; j += 8) {
        __m256d d = _mm256_sub_pd(_mm256_loadu_pd(a + j), _mm256_loadu_pd(b + j));
        __m256d d2 = _mm256_sub_pd(_mm256_loadu_pd(a + j + 4), _mm256_loadu_pd(b + j + 4));
        k = _mm256_and_pd(k, _mm256_cmp_pd(_mm256_mul_pd(d, s), zero, _CMP_GE_OQ));
        k2 = _mm256_and_pd(k2, _mm256_cmp_pd(_mm256_mul_pd(d2, s), zero, _CMP_GE_OQ));
    }
    k = _mm256_and_pd(k, k2);
    return _mm256_movemask_pd(k) == 0xf;
}

/* sb_masks on AVX2: four bits a compare's movemask. */
__attribute__((target("avx2"))) static inline void sb_masks_avx2(const double *a, const double *b,
                                                                 uint64_t *gt, uint64_t *lt)
{
    uint64_t g = 0, l = 0;
#pragma GCC unroll 16
    for (unsigned j = 0; j < SB; j += 4) {
        __m256d x = _mm256_loadu_pd(a + j), y = _mm256_loadu_pd(b + j);
        g |= (uint64_t)_mm256_movemask_pd(_mm256_cmp_pd(x, y, _CMP_GT_OQ)) << j;
        l |= (uint64_t)_mm256_movemask_pd(_mm256_cmp_pd(x, y, _CMP_LT_OQ)) << j;
    }
    *gt = g;
    *lt = l;
}
#endif

typedef int (*sb_keeps_fn)(const double *, const double *, double);
typedef void (*sb_masks_fn)(const double *, const double *, uint64_t *, uint64_t *);

/* q's crossings over bars [q->x.i, t1) (t1 a multiple of SB, or n) into
 * its list, by blocks of SB bars (keeps and masks: one of the pairs
 * above; without ranges no block is passed over untested); the rest past
 * the last whole block, and a block where a difference is zero or NaN,
 * bar by bar. */
static inline __attribute__((always_inline)) void tile_scan_of(xpair *q, size_t t1,
                                                               sb_keeps_fn keeps, sb_masks_fn masks)
{
    xscan *x = &q->x;
    const double *a = x->a, *b = x->b;
    const double *a2 = x->ra ? x->ra->b2 : NULL, *b2 = x->rb ? x->rb->b2 : NULL;
    size_t i = x->i, whole = x->n / SB * SB;
    size_t stop = t1 < whole ? t1 : whole;
    while (i < stop) {
        size_t J = i / SB, base = J * SB, sh = i - base;
        if (sh) { /* the pair's first bars: to their block's end */
            if (!bars_one(q, i, base + SB))
                return;
            i = base + SB;
            continue;
        }
        if (x->sign != 0.0 && ((a2 && apart(a2 + 2 * J, b2 + 2 * J, x->sign)) ||
                               keeps(a + base, b + base, x->sign))) {
            i += SB;
            continue;
        }
        uint64_t gt, lt;
        /* the bars read again (from the first-level cache) rather than
         * kept from keeps(): 32 vectors kept were spilled on every block */
        __asm__ volatile("" ::: "memory");
        masks(a + base, b + base, &gt, &lt);
        if ((gt | lt) != ~(uint64_t)0) { /* a zero or NaN difference */
            if (!bars_one(q, i, base + SB))
                return;
            i += SB;
            continue;
        }
        uint64_t cu = gt & (lt << 1 | (uint64_t)(x->sign < 0.0));
        uint64_t cd = lt & (gt << 1 | (uint64_t)(x->sign > 0.0));
        x->sign = gt >> 63 ? 1.0 : -1.0;
        uint64_t c = cu | cd;
        if (q->cap_ev - q->n_ev >= SB) {
            /* room for all: the first four written whether there or not
             * (past the count, overwritten later), so the usual one or two
             * take no branch whose count varies */
            size_t *ev = q->ev + q->n_ev;
            q->n_ev += (size_t)__builtin_popcountll(c);
#pragma GCC unroll 4
            for (unsigned r = 0; r < 4; r++, c &= c - 1) {
                unsigned j = (unsigned)__builtin_ctzll(c | (uint64_t)1 << 63);
                ev[r] = (base + j) << 1 | (size_t)(cu >> j & 1);
            }
            for (ev += 4; c; c &= c - 1) {
                unsigned j = (unsigned)__builtin_ctzll(c);
                *ev++ = (base + j) << 1 | (size_t)(cu >> j & 1);
            }
        }
        for (; c; c &= c - 1) {
            unsigned j = (unsigned)__builtin_ctzll(c);
            if (!emit(q, base + j, (int)(cu >> j & 1)))
                return;
        }
        i += SB;
    }
    if (i < t1 && t1 > whole) { /* the bars past the last whole block */
        if (!bars_one(q, i, t1))
            return;
        i = t1;
    }
    x->i = i;
}

static void tile_scan(xpair *q, size_t t1)
{
    tile_scan_of(q, t1, sb_keeps, sb_masks);
}

#ifdef SCAN_AVX2
__attribute__((target("avx2,bmi,popcnt"))) static void tile_scan_avx2(xpair *q, size_t t1)
{
    tile_scan_of(q, t1, sb_keeps_avx2, sb_masks_avx2);
}
#endif

/* The tile scan this machine runs: AVX2's where it has it. */
static void (*tile_scan_fn(void))(xpair *, size_t)
{
#ifdef SCAN_AVX2
    if (!slab__scan_portable && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") &&
        __builtin_cpu_supports("popcnt"))
        return tile_scan_avx2;
#endif
    return tile_scan;
}

/* ---- the broker's arithmetic (fill.c, broker.c), for one long position ---- */

/* fill.c comm_base. */
static double comm_base(const slab_broker_config *c, double size, double price)
{
    switch (c->comm_scheme) {
    case SLAB_COMM_PER_SHARE: return fabs(size) * c->commission;
    case SLAB_COMM_FIXED: return 0.0;
    default: return fabs(size) * c->commission * price;
    }
}

/* fill.c slab__commission for a fill with one part (other = 0). */
static double commission(const slab_broker_config *c, double size, double price)
{
    double x = comm_base(c, size, price);
    if (c->comm_scheme == SLAB_COMM_FIXED)
        x += c->commission;
    if (c->commission_min > 0.0) {
        double total = x + comm_base(c, 0.0, price);
        if (total < c->commission_min)
            x += c->commission_min - total;
    }
    return x;
}

/* broker.c slab_broker_sizer while flat. */
static double sizer(const slab_broker_config *c, double cash, double close)
{
    double size;
    if (c->sizer.kind == SLAB_SIZER_FIXED)
        return c->sizer.amount;
    size = cash / close * (c->sizer.amount / 100.0);
    if (c->sizer.kind == SLAB_SIZER_PERCENT_INT)
        size = trunc(size);
    return isfinite(size) && size > 0.0 ? size : 0.0;
}

/* broker.c mark: the value of cash plus size shares bought at price,
 * marked at close (backtrader's pos_value_unlever order). */
static inline double mark(double cash, double size, double price, double close)
{
    double dvalue = size * close, pv;
    if (dvalue > 0.0) {
        double u = size * (close - price);
        pv = 0.0 + (dvalue - u);
        pv += u;
    } else {
        pv = 0.0 + dvalue;
    }
    return cash + pv;
}

/* ---- the walk ---------------------------------------------------------------- */

/* The walk's state between crossings. */
typedef struct walk {
    slab__fast *f;
    const slab_bars *bars;
    const slab_broker_config *br;
    double cash;
    size_t done; /* bars before it walked (their values as flat_to says) */
    int bad;     /* a value or a flat cash the fast path cannot vouch for */
} walk;

/* A flat stretch to bar end: its value is the cash. Only bar 0 and the
 * stretch's last bar are written (the bar before a span, an exit's fill
 * bar, or the last bar): the analyzers read no other bar outside the
 * spans (slab_headline_compute_spans), and writing them all was a
 * twentieth of a sweep. */
static void flat_to(walk *w, size_t end)
{
    double v = w->cash + 0.0;
    if (!isfinite(v) || v == 0.0)
        w->bad = 1;
    if (end > w->done) {
        if (w->done == 0)
            w->f->value[0] = v;
        w->f->value[end - 1] = v;
    }
    w->done = end;
}

#define EXP_BITS ((int64_t)0x7ff << 52) /* a double's exponent field */

/* v[j] = mark(cash, size, price, c[j]) for j < n; returns 1 when a value
 * is not finite (its exponent bits all ones: checked on the integer units,
 * where an `x - x` sum was a chain of additions the loop waited on), else
 * 0. long_only: no close is below zero and size > 0,
 * so dvalue = size c[j] is positive, or zero, where both of mark()'s
 * branches give +0 (either zero's sign: (0 - u) + u is +0 too), and with
 * dvalue > 0 the `0 +` meets no -0 (dvalue - u is -0 for no positive
 * dvalue): the value is cash + ((dvalue - u) + u), the same bits, with no
 * compare, select or signed-zero add. check = 0: every value is known to
 * be finite (held()), and none is looked at. */
static inline __attribute__((always_inline)) int marks_of(const double *c, size_t n, double cash,
                                                          double size, double price, double *v,
                                                          int long_only, int check)
{
    const v4d zero = {0.0, 0.0, 0.0, 0.0}, s = {size, size, size, size};
    const v4d p = {price, price, price, price}, k = {cash, cash, cash, cash};
    const v4l expo = {EXP_BITS, EXP_BITS, EXP_BITS, EXP_BITS};
    v4l bad = {0, 0, 0, 0};
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        v4d cl, pv;
        memcpy(&cl, c + j, sizeof cl);
        v4d dvalue = s * cl, u = s * (cl - p);
        if (long_only) {
            pv = (dvalue - u) + u;
        } else {
            v4d pos = (zero + (dvalue - u)) + u, other = zero + dvalue;
            v4l m = dvalue > zero;
            pv = (v4d)(((v4l)pos & m) | ((v4l)other & ~m));
        }
        v4d x = k + pv;
        if (check)
            bad |= ((v4l)x & expo) == expo;
        memcpy(v + j, &x, sizeof x);
    }
    int nonfinite = (bad[0] | bad[1] | bad[2] | bad[3]) != 0;
    for (; j < n; j++) {
        v[j] = mark(cash, size, price, c[j]);
        nonfinite |= !isfinite(v[j]);
    }
    return nonfinite;
}

LANES_CLONES static int marks(const double *c, size_t n, double cash, double size, double price,
                              double *v)
{
    return marks_of(c, n, cash, size, price, v, 0, 1);
}

LANES_CLONES static int marks_long(const double *c, size_t n, double cash, double size,
                                   double price, double *v)
{
    return marks_of(c, n, cash, size, price, v, 1, 1);
}

/* marks_long where every value is known to be finite: returns 0. */
LANES_CLONES static int marks_sure(const double *c, size_t n, double cash, double size,
                                   double price, double *v)
{
    return marks_of(c, n, cash, size, price, v, 1, 0);
}

/* Values of bars [from, end) holding size shares bought at price (an
 * open, so |price| <= pmax as every close is). Long with no close below
 * zero, each value is cash + ((s c - u) + u) with u = s (c - price): every
 * operand is at most 5 s pmax (1 + 2^-53)^4 < 8 s pmax in size, so when
 * |cash| + 8 s pmax, rounded, is at most 2^1020 (its true value then below
 * 2^1021), no operation overflows; with finite inputs none gives a NaN,
 * and the values need no finiteness check. */
static void held(walk *w, size_t from, size_t end, double size, double price)
{
    const double *c = w->bars->close + from;
    double *v = w->f->value + from;
    size_t n = end - from;
    int bad;
    if (w->f->nonneg > 0 && size > 0.0)
        bad = fabs(w->cash) + 8.0 * size * w->f->pmax <= 0x1p1020
                  ? marks_sure(c, n, w->cash, size, price, v)
                  : marks_long(c, n, w->cash, size, price, v);
    else
        bad = marks(c, n, w->cash, size, price, v);
    if (bad)
        w->bad = 1; /* a value is not finite */
    w->done = end;
}

static int add_span(slab__fast *f, size_t lo, size_t hi)
{
    if (f->n_span && f->span[f->n_span - 1].hi == lo) {
        f->span[f->n_span - 1].hi = hi;
        return 0;
    }
    if (slab_grow((void **)&f->span, &f->cap_span, f->n_span + 1, sizeof *f->span))
        return -1;
    f->span[f->n_span].lo = lo;
    f->span[f->n_span++].hi = hi;
    return 0;
}

/* A new open trade (fill.c trade_begin, trade_update) for size at x,
 * commission comm, filled on bar i. Its times are not set: the sweep's
 * line does not carry trades, and reading them costs a cache miss a
 * trade. */
static slab_trade *trade_open(slab__fast *f, size_t i, double size, double x, double comm)
{
    if (slab_grow((void **)&f->trades, &f->cap_trades, f->n_trades + 1, sizeof *f->trades))
        return NULL;
    static const slab_trade zero; /* copied: a memset here was a rep stos, slow to start */
    slab_trade *t = &f->trades[f->n_trades];
    *t = zero;
    t->ref = (int64_t)f->n_trades + 1;
    t->is_open = 1;
    t->is_long = 1;
    t->entry_bar = i;
    t->baropen = (int64_t)i + 1;
    t->commission += comm;
    t->entry_price = (0.0 * t->entry_price + size * x) / (0.0 + size);
    t->size = 0.0 + size;
    t->pnlcomm = t->pnl - t->commission;
    f->n_trades++;
    return t;
}

/* Closes t with a fill of its size at x on bar i, commission comm. */
static void trade_close(slab_trade *t, size_t i, double size, double x, double comm)
{
    t->commission += comm;
    t->barlen = (int64_t)i + 1 - t->baropen;
    t->pnl += size * (x - t->entry_price);
    t->pnlcomm = t->pnl - t->commission;
    t->is_open = 0;
    t->barclose = (int64_t)i + 1;
    t->exit_bar = i;
    t->exit_price = x;
    t->exit_reason = SLAB_EXIT_SIGNAL;
}

/* A buy sent at bar t (cross up while flat) with the sizer's size: the
 * submission check at bar t+1 (broker.c pseudo_execute at the creating
 * close) then the fill at its open (fill.c execute). Returns the shares
 * bought and the cash after the fill, 0 when the order was refused
 * (Margin) or never processed. */
static double buy(walk *w, size_t t, double *x, double *comm, double *cash)
{
    const slab_broker_config *br = w->br;
    const double *close = w->bars->close;
    double size = sizer(br, w->cash, close[t]);
    if (!(size > 0.0) || t + 1 >= w->bars->n)
        return 0.0;
    double c = w->cash;
    c -= size * close[t];
    c -= commission(br, size, close[t]);
    if (!(c >= 0.0))
        return 0.0;
    *x = w->bars->open[t + 1];
    c = w->cash;
    c -= size * *x;
    *comm = commission(br, size, *x);
    c -= *comm;
    if (c < 0.0)
        return 0.0;
    *cash = c;
    return size;
}

/* A close of size shares bought at price sent at bar t: 1 when it passes
 * the submission check at bar t+1 and fills at its open (*x, *comm). */
static int sell(walk *w, size_t t, double size, double price, double *x, double *comm)
{
    const slab_broker_config *br = w->br;
    const double *close = w->bars->close;
    if (t + 1 >= w->bars->n)
        return 0;
    double c = w->cash;
    c += size * close[t] + 0.0;
    c -= commission(br, -size, close[t]);
    if (!(c >= 0.0))
        return 0;
    *x = w->bars->open[t + 1];
    double pnl = size * (*x - price), closedvalue = size * price;
    c = w->cash;
    c += closedvalue + pnl;
    *comm = commission(br, -size, *x);
    c -= *comm;
    w->cash = c;
    return 1;
}

/* Every crossing of the run into f->ev (at most one a bar: never full);
 * returns the count. */
static size_t crossings(slab__fast *f, const xscan *x)
{
    xpair q;
    memset(&q, 0, sizeof q);
    q.x = *x;
    q.ev = f->ev;
    q.cap_ev = x->n;
    q.ok = 1;
    tile_scan_fn()(&q, x->n);
    return q.n_ev;
}

/* The prices the walk's signals read. */
typedef struct bars_view {
    size_t n;
    const double *open, *close;
} bars_view;

/* How many crossings ahead the walk fetches the prices an order reads:
 * they are far apart in the price arrays, so each would otherwise wait
 * for memory. */
#define AHEAD 6

/* Where the walk's signals come from: the crossings listed (sma_cross),
 * or a level series read bar by bar, as often as a signal holds
 * (rsi_reversion: below low enters, above high exits; bbands_reversion:
 * the close below the lower band enters, above the middle one exits). */
typedef struct source {
    const size_t *ev;            /* crossings, or NULL */
    size_t n_ev, k;              /* crossings, the next one */
    const double *x;             /* the level series when ev is NULL */
    double low, high;            /* entry below low, exit above high */
    const double *lo_at, *hi_at; /* or below lo_at[i], above hi_at[i] */
    size_t i;                    /* the next bar to read */
} source;

/* The next bar at or after the source's position with an entry signal
 * (entry = 1) or an exit one; n when none. */
static inline size_t next_signal(source *s, int entry, const bars_view *b)
{
    size_t n = b->n;
    if (s->ev) {
        while (s->k < s->n_ev) {
            if (s->k + AHEAD < s->n_ev) { /* fetch the prices crossing k + AHEAD reads */
                size_t ta = s->ev[s->k + AHEAD] >> 1;
                __builtin_prefetch(b->close + ta);
                __builtin_prefetch(b->open + (ta + 1 < n ? ta + 1 : ta));
            }
            size_t e = s->ev[s->k++];
            if ((int)(e & 1) == entry)
                return e >> 1;
        }
        return n;
    }
    for (size_t i = s->i; i < n; i++)
        if (entry ? s->x[i] < (s->lo_at ? s->lo_at[i] : s->low)
                  : s->x[i] > (s->hi_at ? s->hi_at[i] : s->high)) {
            s->i = i + 1;
            return i;
        }
    s->i = n;
    return n;
}

static int run_walk(walk *w, source *src)
{
    slab__fast *f = w->f;
    bars_view bv = {w->bars->n, w->bars->open, w->bars->close};
    size_t n = w->bars->n;
    for (size_t j = 0; src->ev && j < AHEAD && j < src->n_ev; j++) {
        size_t t = src->ev[j] >> 1;
        __builtin_prefetch(bv.close + t);
        __builtin_prefetch(bv.open + (t + 1 < n ? t + 1 : t));
    }
    for (;;) {
        size_t t = next_signal(src, 1, &bv), exit_t;
        if (t >= n)
            break;
        flat_to(w, t + 1 < n ? t + 1 : n);
        double px, comm, cash, size = buy(w, t, &px, &comm, &cash);
        if (!(size > 0.0))
            continue;
        size_t in = t + 1;
        w->cash = cash;
        slab_trade *tr = trade_open(f, in, size, px, comm);
        if (!tr)
            return -1;
        double sx = 0.0, scomm = 0.0;
        if (!src->ev && src->i < in)
            src->i = in; /* the level is read again from the fill bar */
        for (;;) {       /* long: only an exit signal acts */
            exit_t = next_signal(src, 0, &bv);
            if (exit_t >= n)
                break;
            held(w, w->done, exit_t + 1, size, px); /* to the signal bar's close */
            if (sell(w, exit_t, size, px, &sx, &scomm))
                break;
        }
        if (exit_t >= n) { /* still open at the end */
            held(w, w->done, n, size, px);
            return add_span(f, in, n);
        }
        flat_to(w, exit_t + 2); /* the exit bar: the cash after the fill */
        trade_close(tr, exit_t + 1, size, sx, scomm);
        if (add_span(f, in, exit_t + 2))
            return -1;
    }
    flat_to(w, n);
    return 0;
}

/* ---- one combination ---------------------------------------------------------- */

/* def(close, p) (SMA_BT, RSI_BT: one output; BBANDS_BT: three): the
 * cache's arrays into out (*held = 1) or ones computed into own (from
 * own[0]; own NULL: the cache's only); 0 when a parameter is not one
 * slab_indicator accepts (the general engine then reports it) or out of
 * memory, else 1. */
static int ind(slab__fast *f, slab__cache *cache, const slab_sweep_spec *spec, const size_t *idx,
               const slab_ind_def *def, const double *given, double **own, const double **out,
               int *held)
{
    slab_error e;
    const double *in[1] = {spec->bars->close};
    double *o[SLAB_IND_MAX_OUTPUTS];
    double p[SLAB_IND_MAX_PARAMS]; /* the whole set, as slab_indicator hands the cache */
    *held = 0;
    if (!def || def->n_outputs > 3 || def->n_params > SLAB_IND_MAX_PARAMS)
        return 0;
    for (int k = 0; k < SLAB_IND_MAX_PARAMS; k++)
        p[k] = k < def->n_params ? given[k] : 0.0;
    for (int k = 0; k < def->n_params; k++) {
        const slab_ind_param *d = &def->params[k];
        if (!(p[k] >= d->min && p[k] <= d->max) || (d->is_int && p[k] != floor(p[k])))
            return 0;
    }
    if (cache && slab__cache_get(cache, spec->grid, idx, def, in, f->n, p, out)) {
        *held = 1;
        return 1;
    }
    if (!own)
        return 0;
    for (int k = 0; k < def->n_outputs; k++) {
        if (!own[k] && !(own[k] = slab_malloc(f->n * sizeof *own[k])))
            return 0;
        o[k] = own[k];
        out[k] = own[k];
    }
    return def->fn(in, f->n, p, o, &e) == SLAB_OK;
}

/* ---- a batch of sma_cross combinations ----------------------------------------
 * One combination's scan reads its two SMAs' ranges, and their bars where
 * the ranges meet: stretches of arrays far larger than the caches, each
 * new line a wait for memory. A worker's next combinations share most of
 * their SMAs (the grid's first axis varies slowest), so their scans go
 * together, a tile of bars at a time: the ranges of the tile are fetched
 * while the tile before is scanned, and a line of an SMA's bars is read
 * from memory once, then found cached by every other combination of the
 * batch that reads it. The crossings are the scan's own, only found in
 * another order. */

#define TILE_BYTES ((size_t)256 << 10)    /* the batch's SMAs' bars over a tile */
#define BATCH_EV_BYTES ((size_t)64 << 20) /* crossings a batch keeps at most */
#define EV_SLOTS 1024                     /* pairs whose slots never move */

static void batch_free(slab__fast *f)
{
    slab_free(f->evbuf);
    slab_free(f->bat);
}

void slab__fast_set_reverse(slab__fast *f, int reverse)
{
    f->reverse = reverse;
}

uint64_t slab__fast_batched(const slab__fast *f)
{
    return f->n_batched;
}

int slab__fast_batches(const slab_sweep_spec *spec)
{
    const fast_def *d = fast_def_of(spec->strategy);
    return d && d->kind == K_SMA_CROSS;
}

void slab__fast_batch_begin(slab__fast *f)
{
    f->n_bat = f->bat_next = 0;
}

int slab__fast_batch_add(slab__fast *f, const slab_sweep_spec *spec, const size_t *idx,
                         const double *params, const slab_broker_config *broker,
                         const slab_risk_config *risk)
{
    const fast_def *d = fast_def_of(spec->strategy);
    if (!d || d->kind != K_SMA_CROSS || !config_ok(d, params, broker, risk))
        return 0;
    if (f->n_bat == f->cap_bat) {
        size_t cap = f->cap_bat;
        if (slab_grow((void **)&f->bat, &cap, f->n_bat + 1, sizeof *f->bat))
            return -1;
        memset(f->bat + f->cap_bat, 0, (cap - f->cap_bat) * sizeof *f->bat);
        f->cap_bat = cap;
    }
    xpair *p = &f->bat[f->n_bat++];
    memcpy(p->idx, idx, sizeof p->idx);
    p->fast = params[P_FAST];
    p->slow = params[P_SLOW];
    p->a = p->b = NULL;
    p->n_ev = 0;
    p->ok = 0;
    return 0;
}

/* Fetches the lines of r's ranges over bars [lo, hi), which every scan
 * of a batch reads (the bars themselves it reads where ranges meet). */
static void fetch_tile(const ranges *r, size_t lo, size_t hi)
{
    for (size_t i = lo / SB * 2; i < (hi + SB - 1) / SB * 2; i += 8)
        __builtin_prefetch(r->b2 + i);
}

/* The ranges of the SMAs a batch reads, each once. */
typedef struct tile_set {
    const ranges **r;
    size_t n;
} tile_set;

/* Scans the batch's pairs that are ok tile by tile; a pair whose
 * crossings pass its slot's cap_ev is left to scan alone. */
static void batch_scan(xpair *p, size_t m, size_t n, size_t tile, const tile_set *ts)
{
    void (*scan)(xpair *, size_t) = tile_scan_fn();
    for (size_t t0 = 0; t0 < n; t0 += tile) {
        size_t t1 = t0 + tile < n ? t0 + tile : n, t2 = t1 + tile < n ? t1 + tile : n;
        for (size_t k = 0; k < ts->n; k++) /* the next tile, while this one is scanned */
            fetch_tile(ts->r[k], t1, t2);
        for (size_t k = 0; k < m; k++)
            if (p[k].ok)
                scan(&p[k], t1);
    }
}

/* Adds r to the set unless it is there. */
static void tile_add(tile_set *ts, const ranges *r)
{
    for (size_t k = 0; k < ts->n; k++)
        if (ts->r[k] == r)
            return;
    ts->r[ts->n++] = r;
}

int slab__fast_batch_scan(slab__fast *f, slab__cache *cache, slab__franges *shared,
                          const slab_sweep_spec *spec)
{
    size_t m = f->n_bat, n = f->n;
    tile_set ts = {NULL, 0};
    const slab_ind_def *sma = ind_def(K_SMA_CROSS);
    int rc = 0;
    if (m < 2 || !cache || !shared || n / SB < 2)
        return 0; /* each alone */
    /* A slot of the worker's one buffer a pair, at the same place from one
     * batch to the next while a batch has at most EV_SLOTS pairs: its pages
     * are touched once (as far as a pair's crossings reach) and no list is
     * grown by realloc and copied. A slot is a line short of a power of
     * two, so the pairs' list ends, written in turn, fall in different
     * sets of the caches rather than one or two (a precaution: no change
     * was measured either way). */
    size_t cap =
        BATCH_EV_BYTES / sizeof(size_t) / (m > EV_SLOTS ? m : EV_SLOTS) - 64 / sizeof(size_t);
    if (slab__batch_slot_cap && slab__batch_slot_cap < cap)
        cap = slab__batch_slot_cap;
    if (!f->evbuf && !(f->evbuf = slab_malloc(BATCH_EV_BYTES)))
        return 0; /* alone */
    for (size_t k = 0; k < m; k++) {
        f->bat[k].ev = f->evbuf + k * cap;
        f->bat[k].cap_ev = cap;
    }
    ts.r = slab_malloc(2 * m * sizeof *ts.r);
    if (!ts.r) {
        rc = -1;
        goto out;
    }
    for (size_t j = 0; j < m; j++) {
        /* every other worker asks for its SMAs from the batch's end: at a
         * sweep's start, when every worker misses, they then compute
         * different ones side by side (a miss computes its axis
         * neighbours too) rather than one waiting for the other's */
        size_t k = f->reverse ? m - 1 - j : j;
        xpair *p = &f->bat[k];
        const double *a[1] = {NULL}, *b[1] = {NULL};
        int ha = 0, hb = 0;
        ind(f, cache, spec, p->idx, sma, &p->fast, NULL, a, &ha);
        ind(f, cache, spec, p->idx, sma, &p->slow, NULL, b, &hb);
        p->a = ha ? a[0] : NULL;
        p->b = hb ? b[0] : NULL;
        const ranges *ra = p->a ? ranges_shared(shared, p->a, p->fast) : NULL;
        const ranges *rb = p->b ? ranges_shared(shared, p->b, p->slow) : NULL;
        if (!ra || !rb)
            continue;
        p->first = xscan_init(&p->x, p->a, p->b, ra, rb, n);
        p->ok = 1;
        tile_add(&ts, ra);
        tile_add(&ts, rb);
    }
    size_t tile = ts.n ? TILE_BYTES / (ts.n * sizeof(double)) / SB * SB : n;
    if (tile < SB)
        tile = SB;
    batch_scan(f->bat, m, n, tile, &ts);
out:
    for (size_t k = 0; k < m; k++) { /* the scan is done: the SMAs go back */
        xpair *p = &f->bat[k];
        if (p->a)
            slab__cache_put(cache, sma, &p->a);
        if (p->b)
            slab__cache_put(cache, sma, &p->b);
        p->a = p->b = NULL;
    }
    slab_free(ts.r);
    return rc;
}

/* The batch's crossings of the combination with these SMA periods, when
 * it has them: the next pair in the batch's order that matches (the
 * combinations run in the order they were added). */
static const xpair *batch_take(slab__fast *f, double fast, double slow)
{
    for (size_t k = f->bat_next; k < f->n_bat; k++)
        if (f->bat[k].fast == fast && f->bat[k].slow == slow) {
            f->bat_next = k + 1;
            return f->bat[k].ok ? &f->bat[k] : NULL;
        }
    return NULL;
}

int slab__fast_run(slab__fast *f, slab__cache *cache, slab__franges *shared,
                   const slab_sweep_spec *spec, const size_t *idx, const double *params,
                   const slab_broker_config *broker, const slab_risk_config *risk,
                   const slab_period_plan *plan, slab_run *run, slab_headline *h, double *daily,
                   slab_error *err)
{
    const slab_bars *bars = spec->bars;
    const fast_def *d = fast_def_of(spec->strategy);
    int held_a = 0, held_b = 0, rc = 0;
    const slab_ind_def *sig = d ? ind_def(d->kind) : NULL; /* the signal's indicator */
    const double *a[3] = {NULL, NULL, NULL}, *b[1] = {NULL};
    source src;
    size_t first_next;
    if (!d || !config_ok(d, params, broker, risk) || bars->n != f->n)
        return 0;
    memset(&src, 0, sizeof src);
    const xpair *bp = d->kind == K_SMA_CROSS ? batch_take(f, params[P_FAST], params[P_SLOW]) : NULL;
    if (bp) { /* found with its batch */
        f->n_batched++;
        first_next = bp->first;
        src.ev = bp->ev;
        src.n_ev = bp->n_ev;
    } else if (d->kind == K_SMA_CROSS) {
        if (!ind(f, cache, spec, idx, sig, &params[P_FAST], &f->own[0], a, &held_a) ||
            !ind(f, cache, spec, idx, sig, &params[P_SLOW], &f->own[1], b, &held_b))
            goto out;
        xscan x;
        const ranges *ra = ranges_of(f, shared, a[0], params[P_FAST], 0);
        const ranges *rb = ra ? ranges_of(f, shared, b[0], params[P_SLOW], 1) : NULL;
        first_next = xscan_init(&x, a[0], b[0], ra, rb, bars->n);
        src.ev = f->ev;
        src.n_ev = crossings(f, &x);
    } else if (d->kind == K_RSI) {
        /* next() from the RSI's first value (backtrader's minimum period) */
        if (!ind(f, cache, spec, idx, sig, &params[P_PERIOD], &f->own[0], a, &held_a))
            goto out;
        first_next = first_valid(a[0], bars->n);
        src.x = a[0];
        src.low = params[P_LOW];
        src.high = params[P_HIGH];
    } else {
        /* parity.c bb_init: BBANDS_BT(period, devfactor, devfactor); the
         * close below the lower band enters, above the middle one exits;
         * next() from the latest first value of the three */
        double p[3] = {params[P_PERIOD], params[P_DEVFACTOR], params[P_DEVFACTOR]};
        if (!ind(f, cache, spec, idx, sig, p, &f->own[0], a, &held_a))
            goto out;
        first_next = 0;
        for (int k = 0; k < 3; k++) {
            size_t v = first_valid(a[k], bars->n);
            first_next = v > first_next ? v : first_next;
        }
        src.x = bars->close;
        src.lo_at = a[2];
        src.hi_at = a[1];
    }
    src.i = first_next;
    if (f->nonneg < 0) { /* once: the bars are the sweep's throughout */
        f->nonneg = 1;
        f->pmax = 0.0;
        for (size_t i = 0; i < bars->n; i++) {
            f->nonneg &= !(bars->close[i] < 0.0);
            f->pmax = fmax(f->pmax, fmax(fabs(bars->open[i]), fabs(bars->close[i])));
        }
    }
    walk w = {f, bars, broker, broker->cash, 0, 0};
    f->n_span = f->n_trades = 0;
#ifndef NDEBUG
    /* the bars the walk leaves unwritten hold NaN in checked builds, so a
     * reader of one (not allowed, above) shows in every number after */
    for (size_t i = 0; i < bars->n; i++)
        f->value[i] = NAN;
#endif
    if (run_walk(&w, &src)) {
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for a combination's trades");
        rc = -1;
        goto out;
    }
    if (w.bad)
        goto out; /* the general engine says what is wrong */
    memset(run, 0, sizeof *run);
    run->n_bars = bars->n;
    run->ts_ns = bars->ts_ns;
    run->value = f->value;
    run->start_value = broker->cash;
    run->trades = f->trades;
    run->n_trades = f->n_trades;
    run->final_value = f->value[bars->n - 1];
    run->final_cash = w.cash;
    run->minperiod = (long)first_next + 1;
    run->risk = *risk;
    run->n_feeds = 1;
    run->timeframe = bars->timeframe;
    run->compression = bars->compression;
    slab_equity eq = slab_run_equity(run);
    if (slab_headline_compute_spans(&eq, f->span, f->n_span, f->trades, f->n_trades, plan,
                                    f->scratch, daily, h, err) != SLAB_OK) {
        rc = -1;
        goto out;
    }
    rc = 1;
out:
    if (held_a)
        slab__cache_put(cache, sig, a);
    if (held_b)
        slab__cache_put(cache, sig, b);
    return rc;
}
