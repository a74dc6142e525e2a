/* talib_ma.c: moving averages in TA-Lib 0.6's exact arithmetic (ta_SMA.c,
 * ta_EMA.c, ta_WMA.c, ta_DEMA.c, ta_TEMA.c, ta_TRIMA.c, ta_KAMA.c, ta_T3.c,
 * ta_MA.c): the whole series from bar 0, unstable period 0. The chained
 * averages (DEMA, TEMA, T3) run their stages in one pass with O(1) state,
 * so no kernel allocates. Also the shared entry wrapper of talib_*.c. */
#include "ind/ind_int.h"

#include <math.h>

void slab__ind_nan(double *out, size_t to, size_t n)
{
    for (size_t i = 0; i < to && i < n; i++)
        out[i] = NAN;
}

slab_status slab__ind_shifted(slab__ta_body body, int n_in, int n_out, const double *const *in,
                              size_t n, const double *p, double *const *out, slab_error *err)
{
    const double *sin[SLAB_IND_MAX_INPUTS];
    double *sout[SLAB_IND_MAX_OUTPUTS];
    size_t s = 0;

    for (int k = 0; k < n_in; k++)
        while (s < n && isnan(in[k][s]))
            s++;
    for (int k = 0; k < n_in; k++)
        sin[k] = in[k] + s;
    for (int k = 0; k < n_out; k++) {
        slab__ind_nan(out[k], s, n);
        sout[k] = out[k] + s;
    }
    if (body(sin, n - s, p, sout) != 0)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "matype 7 (MAMA) is not implemented; use 0-6 or 8");
    return SLAB_OK;
}

/* One TA-Lib EMA stage: seeded by the plain mean of its first `period`
 * inputs, then prev = ((x - prev) * k) + prev. */
typedef struct ema_stage {
    double k, sum, value;
    int period, count;
} ema_stage;

static void stage_init(ema_stage *e, int period, double k)
{
    e->k = k;
    e->sum = 0.0;
    e->value = 0.0;
    e->period = period;
    e->count = 0;
}

/* Feeds x; returns 1 when the stage has a value. */
static int stage_push(ema_stage *e, double x)
{
    if (e->count >= e->period) {
        e->value = ((x - e->value) * e->k) + e->value;
        return 1;
    }
    e->sum += x;
    if (++e->count < e->period)
        return 0;
    e->value = e->sum / e->period;
    return 1;
}

size_t slab__ind_ma_lookback(int type, int period)
{
    size_t q = (size_t)period - 1;
    if (period <= 1)
        return 0;
    switch (type) {
    case SLAB__MA_DEMA: return 2 * q;
    case SLAB__MA_TEMA: return 3 * q;
    case SLAB__MA_KAMA: return (size_t)period;
    case SLAB__MA_T3: return 6 * q;
    default: return q;
    }
}

/* Where an average's values go: stored, or combined with the value
 * already there (the slow average) into APO = fast - slow or PPO =
 * 100*(fast - slow)/slow (0 when slow is ~0). The kernels never read their
 * output, so the combination needs no scratch array. */
typedef struct sink {
    double *out;
    int op; /* SLAB__MA_STORE, SLAB__MA_APO or SLAB__MA_PPO */
} sink;

static void put(const sink *s, size_t i, double v)
{
    double slow;
    switch (s->op) {
    case SLAB__MA_STORE: s->out[i] = v; break;
    case SLAB__MA_APO: s->out[i] = v - s->out[i]; break;
    default:
        slow = s->out[i];
        s->out[i] = SLAB__IS_ZERO(slow) ? 0.0 : ((v - slow) / slow) * 100.0;
        break;
    }
}

static void nan_to(const sink *s, size_t to, size_t n)
{
    for (size_t i = 0; i < to && i < n; i++)
        put(s, i, NAN);
}

/* SMA, TA-Lib's running sum: total += x[i]; out = total/p; total -=
 * x[i-p+1]. The two adds are the loop-carried chain (its latency is the
 * floor); the division is off the chain. The stored case, the common one,
 * has its own loop without the sink dispatch. */
static void sma0(const double *x, size_t n, int period, const sink *o)
{
    size_t p = (size_t)period;
    double total = 0.0, div = (double)period;
    nan_to(o, p - 1, n);
    if (n < p)
        return;
    for (size_t i = 0; i + 1 < p; i++)
        total += x[i];
    if (o->op == SLAB__MA_STORE) {
        double *out = o->out;
        for (size_t i = p - 1; i < n; i++) {
            total += x[i];
            double t = total;
            total -= x[i + 1 - p];
            out[i] = t / div;
        }
        return;
    }
    for (size_t i = p - 1; i < n; i++) {
        total += x[i];
        double t = total;
        total -= x[i + 1 - p];
        put(o, i, t / div);
    }
}

/* EMA, TA-Lib's order: seed = mean of the first p values (a plain running
 * sum), output at p-1; then prev = ((x - prev) * k) + prev. */
static void ema0(const double *x, size_t n, int period, double k, const sink *o)
{
    size_t p = (size_t)period;
    double sum = 0.0;
    nan_to(o, p - 1, n);
    if (n < p)
        return;
    for (size_t i = 0; i < p; i++)
        sum += x[i];
    double prev = sum / period;
    put(o, p - 1, prev);
    if (o->op == SLAB__MA_STORE) {
        double *out = o->out;
        for (size_t i = p; i < n; i++)
            out[i] = prev = ((x[i] - prev) * k) + prev;
        return;
    }
    for (size_t i = p; i < n; i++)
        put(o, i, prev = ((x[i] - prev) * k) + prev);
}

/* TA-Lib computes the divider p(p+1)/2 in int, which overflows from
 * p = 46341; here it is computed in 64 bits: the same double below that
 * (so the same bits as TA-Lib), the true one above. */
static void wma0(const double *x, size_t n, int period, const sink *o)
{
    size_t p = (size_t)period;
    double divider = (double)(((int64_t)period * (period + 1)) >> 1);
    double sub = 0.0, sum = 0.0, trailing = 0.0;

    nan_to(o, p - 1, n);
    for (size_t i = 0; i + 1 < p && i < n; i++) {
        sub += x[i];
        sum += x[i] * (double)(i + 1);
    }
    for (size_t i = p - 1; i < n; i++) {
        sub += x[i];
        sub -= trailing;
        sum += x[i] * period;
        trailing = x[i + 1 - p];
        put(o, i, sum / divider);
        sum -= sub;
    }
}

/* DEMA = 2*e1 - e2, TEMA = e3 + (3*e1 - 3*e2), each stage SMA-seeded. */
static void xema0(const double *x, size_t n, int period, int stages, const sink *o)
{
    ema_stage e[3];
    double k = 2.0 / ((double)(period + 1));
    for (int j = 0; j < stages; j++)
        stage_init(&e[j], period, k);
    for (size_t i = 0; i < n; i++) {
        double v = NAN;
        if (stage_push(&e[0], x[i]) && stage_push(&e[1], e[0].value)) {
            if (stages == 2)
                v = (2.0 * e[0].value) - e[1].value;
            else if (stage_push(&e[2], e[1].value))
                v = e[2].value + ((3.0 * e[0].value) - (3.0 * e[1].value));
        }
        put(o, i, v);
    }
}

static void trima0(const double *x, size_t n, int period, const sink *o)
{
    size_t h = (size_t)period >> 1, lb = (size_t)period - 1;
    int odd = period % 2 == 1;
    double factor = odd ? 1.0 / (double)((h + 1) * (h + 1)) : 1.0 / (double)(h * (h + 1));
    nan_to(o, lb, n);
    if (n <= lb)
        return;
    /* numerator = sum of the triangle weights times x: numeratorSub holds
     * the rising half, numeratorAdd the falling half (ta_TRIMA.c). */
    size_t mid = odd ? h : h - 1, today = mid + h, trailing = 0;
    double num = 0.0, nsub = 0.0, nadd = 0.0, t;
    for (size_t i = mid + 1; i-- > 0;) {
        nsub += x[i];
        num += nsub;
    }
    for (size_t i = ++mid; i <= today; i++) {
        nadd += x[i];
        num += nadd;
    }
    t = x[trailing++];
    put(o, today, num * factor);
    for (today++; today < n; today++) {
        num -= nsub;
        nsub -= t;
        t = x[mid++];
        nsub += t;
        if (odd) {
            num += nadd;
            nadd -= t;
        } else {
            nadd -= t;
            num += nadd;
        }
        t = x[today];
        nadd += t;
        num += t;
        t = x[trailing++];
        put(o, today, num * factor);
    }
}

/* Efficiency-ratio smoothing constant of KAMA (fast 2, slow 30). */
static double kama_sc(double roc, double sum)
{
    const double cmax = 2.0 / (30.0 + 1.0), cdiff = 2.0 / (2.0 + 1.0) - cmax;
    double t = (sum <= roc || SLAB__IS_ZERO(sum)) ? 1.0 : fabs(roc / sum);
    t = t * cdiff + cmax;
    return t * t;
}

static void kama0(const double *x, size_t n, int period, const sink *o)
{
    size_t p = (size_t)period;
    nan_to(o, p, n);
    if (n <= p)
        return;
    double sum = 0.0;
    for (size_t i = 0; i < p; i++)
        sum += fabs(x[i] - x[i + 1]);
    double prev = x[p - 1], trailing = x[0];
    prev = (x[p] - prev) * kama_sc(x[p] - x[0], sum) + prev;
    put(o, p, prev);
    for (size_t i = p + 1; i < n; i++) {
        double t2 = x[i - p];
        sum -= fabs(trailing - t2);
        sum += fabs(x[i] - x[i - 1]);
        trailing = t2;
        prev = (x[i] - prev) * kama_sc(x[i] - t2, sum) + prev;
        put(o, i, prev);
    }
}

static void t3_0(const double *x, size_t n, int period, double v, const sink *o)
{
    double k = 2.0 / (period + 1.0), k1 = 1.0 - k, e[6] = {0}, sum[6] = {0};
    double t = v * v, c1 = -(t * v), c2 = 3.0 * (t - c1), c3 = -6.0 * t - 3.0 * (v - c1);
    double c4 = 1.0 + 3.0 * v - c1 + 3.0 * t;
    size_t p = (size_t)period;

    nan_to(o, 6 * (p - 1), n);
    /* Stage j starts at bar j*(p-1): seeded by the mean of its first p
     * inputs, then e = k*x + (1-k)*e (ta_T3.c's order). */
    for (size_t i = 0; i < n; i++) {
        double in = x[i];
        for (size_t j = 0; j < 6; j++) {
            size_t start = j * (p - 1);
            if (i < start)
                break;
            if (i < start + p) {
                sum[j] += in;
                if (i + 1 < start + p)
                    break;
                e[j] = sum[j] / period;
            } else {
                e[j] = (k * in) + (k1 * e[j]);
            }
            in = e[j];
        }
        if (i >= 6 * (p - 1))
            put(o, i, c1 * e[5] + c2 * e[4] + c3 * e[3] + c4 * e[2]);
    }
}

int slab__ind_ma_op(const double *x, size_t n, size_t s, int period, int type, double *out, int op)
{
    sink sk = {out + s, op}, *o = &sk;
    nan_to(&(sink){out, op}, s, n);
    if (s >= n)
        return type == SLAB__MA_MAMA ? -1 : 0;
    x += s;
    n -= s;
    if (period == 1 && type != SLAB__MA_MAMA) {
        for (size_t i = 0; i < n; i++)
            put(o, i, x[i]);
        return 0;
    }
    switch (type) {
    case SLAB__MA_SMA: sma0(x, n, period, o); break;
    case SLAB__MA_EMA: ema0(x, n, period, 2.0 / ((double)(period + 1)), o); break;
    case SLAB__MA_WMA: wma0(x, n, period, o); break;
    case SLAB__MA_DEMA: xema0(x, n, period, 2, o); break;
    case SLAB__MA_TEMA: xema0(x, n, period, 3, o); break;
    case SLAB__MA_TRIMA: trima0(x, n, period, o); break;
    case SLAB__MA_KAMA: kama0(x, n, period, o); break;
    case SLAB__MA_T3: t3_0(x, n, period, 0.7, o); break;
    default: return -1;
    }
    return 0;
}

int slab__ind_ma(const double *x, size_t n, size_t s, int period, int type, double *out)
{
    return slab__ind_ma_op(x, n, s, period, type, out, SLAB__MA_STORE);
}

#define MA_BODY(k, type)                                                                           \
    static int body_##k(const double *const *in, size_t n, const double *p, double *const *out)    \
    {                                                                                              \
        return slab__ind_ma(in[0], n, 0, (int)p[0], type, out[0]);                                 \
    }                                                                                              \
    size_t slab__ind_ta_##k##_lb(const double *p)                                                  \
    {                                                                                              \
        return slab__ind_ma_lookback(type, (int)p[0]);                                             \
    }                                                                                              \
    SLAB__TA_ENTRY(k, 1, 1)
MA_BODY(sma, SLAB__MA_SMA)
MA_BODY(ema, SLAB__MA_EMA)
MA_BODY(wma, SLAB__MA_WMA)
MA_BODY(dema, SLAB__MA_DEMA)
MA_BODY(tema, SLAB__MA_TEMA)
MA_BODY(trima, SLAB__MA_TRIMA)
MA_BODY(kama, SLAB__MA_KAMA)

static int body_t3(const double *const *in, size_t n, const double *p, double *const *out)
{
    if ((int)p[0] == 1)
        return slab__ind_ma(in[0], n, 0, 1, SLAB__MA_T3, out[0]);
    sink o = {out[0], SLAB__MA_STORE};
    t3_0(in[0], n, (int)p[0], p[1], &o);
    return 0;
}
size_t slab__ind_ta_t3_lb(const double *p)
{
    return slab__ind_ma_lookback(SLAB__MA_T3, (int)p[0]);
}
SLAB__TA_ENTRY(t3, 1, 1)

static int body_ma(const double *const *in, size_t n, const double *p, double *const *out)
{
    return slab__ind_ma(in[0], n, 0, (int)p[0], (int)p[1], out[0]);
}
size_t slab__ind_ta_ma_lb(const double *p)
{
    return slab__ind_ma_lookback((int)p[1], (int)p[0]);
}
SLAB__TA_ENTRY(ma, 1, 1)
