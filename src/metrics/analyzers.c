/* analyzers.c: backtrader's portfolio analyzers over a finished run's equity
 * record (TimeReturn, AnnualReturn, SharpeRatio and SharpeRatio_A, DrawDown,
 * Returns, VWR, Calmar with its TimeDrawDown, PeriodStats, SQN) and the
 * "analyzers" object of the result document.
 * Source: backtrader 1.9.78.123: analyzer.py (TimeFrameAnalyzerBase,
 * _get_dt_cmpkey, _get_subday_cmpkey), analyzers/{timereturn, annualreturn,
 * sharpe, drawdown, returns, sqn, vwr, calmar, periodstats}.py and
 * mathsupport.py; docs/backtrader-semantics.md §3 and §6.
 * Invariant: a bar's period is found with integer day arithmetic and a range
 * check, never by formatting; sums backtrader takes with math.fsum use
 * slab_fsum, and every other expression keeps Python's operation order. */
#include "stratlab/metrics.h"
#include "metrics/metrics_int.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Calmar's rolling window in periods (Calmar.params.period). */
#define CALMAR_PERIOD 36
/* VWR's parameters as the code runs them (the docstring swaps them). */
#define VWR_TAU 0.20
#define VWR_SDEV_MAX 2.0
/* Largest sub-day bucket accepted (1000 days), so that bucket arithmetic
 * in int64 nanoseconds cannot overflow. */
#define MAX_BUCKET_NS (1000 * SLAB_NS_PER_DAY)

/* x squared, rounded once: Python's x ** 2 is libm's pow(x, 2.0), which
 * GCC folds to x * x in every optimised build (exact for a correctly
 * rounded pow); written out so an -O0 build (the sanitizer build) calls no
 * libm pow and gives the same bits as the shipped one, and the sweep's
 * exact sums (slab_fsum_sqdev) square the same way. */
static inline double sq(double x) { return x * x; }

/* ---- timeframes and period keys ---------------------------------------- */

/* Returns the unit of a sub-day timeframe in ns, or 0 for day-based ones. */
static int64_t subday_unit_ns(slab_timeframe tf)
{
    switch (tf) {
    case SLAB_TF_MINUTES: return 60 * SLAB_NS_PER_SEC;
    case SLAB_TF_SECONDS: return SLAB_NS_PER_SEC;
    case SLAB_TF_MICROSECONDS: return 1000;
    default: return 0;
    }
}

/* Returns periods per year (SharpeRatio.RATEFACTORS, Returns._TANN), or 0
 * where backtrader's tables have no entry (sub-day timeframes). */
static double year_factor(slab_timeframe tf)
{
    switch (tf) {
    case SLAB_TF_DAYS: return 252.0;
    case SLAB_TF_WEEKS: return 52.0;
    case SLAB_TF_MONTHS: return 12.0;
    case SLAB_TF_YEARS: return 1.0;
    default: return 0.0;
    }
}

/* Returns SLAB_OK when eq has bars to analyse, else SLAB_EINVAL. */
static slab_status check_equity(const slab_equity *eq, slab_error *err)
{
    if (!eq || eq->n == 0 || !eq->ts_ns || !eq->value)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "the equity record has no bars; analyzers need at least one bar");
    return SLAB_OK;
}

/* Replaces tf 0 / compression <= 0 by the data's (backtrader's None) and
 * checks that the timeframe has periods. Returns SLAB_OK or SLAB_EINVAL. */
static slab_status resolve_tf(const slab_equity *eq, slab_timeframe *tf, int *comp, slab_error *err)
{
    int64_t unit;

    if ((int)*tf == 0)
        *tf = eq->timeframe;
    if (*comp <= 0)
        *comp = eq->compression > 0 ? eq->compression : 1;
    if (*tf < SLAB_TF_MICROSECONDS || *tf > SLAB_TF_YEARS)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "timeframe %d has no analyzer periods (backtrader fails on ticks); "
                              "use microseconds, seconds, minutes, days, weeks, months or years",
                              (int)*tf);
    unit = subday_unit_ns(*tf);
    if (unit && *comp > MAX_BUCKET_NS / unit)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "compression %d is too large for a sub-day timeframe; "
                              "use a day-based timeframe instead",
                              *comp);
    return SLAB_OK;
}

/* One period of a timeframe: its key and the timestamps that share it. */
typedef struct bucket {
    int64_t key_ns;  /* backtrader's dtkey as a timestamp */
    int64_t lo_ns;   /* first timestamp of the bucket */
    int64_t hi_ns;   /* first timestamp past the bucket */
    int64_t day_end; /* midnight after lo_ns (sub-day buckets stop there) */
} bucket;

/* Fills *b with the bucket of ts_ns. Day-based timeframes key on the
 * calendar day only; sub-day ones follow _get_subday_cmpkey: the bucket end
 * ((point // c) + 1) * c units after midnight, minus one unit. A sub-day
 * bucket never spans midnight: the next day restarts at point 0. */
static void bucket_of(slab_timeframe tf, int comp, int64_t ts_ns, bucket *b)
{
    int64_t day = slab_ts_day(ts_ns), unit = subday_unit_ns(tf), lo, hi;
    int y, m, d;

    b->day_end = (day + 1) * SLAB_NS_PER_DAY;
    if (unit) {
        int64_t span = unit * comp, day0 = day * SLAB_NS_PER_DAY;
        int64_t start = day0 + (ts_ns - day0) / span * span;
        b->key_ns = start + span - unit;
        b->lo_ns = start;
        b->hi_ns = start + span < b->day_end ? start + span : b->day_end;
        return;
    }
    switch (tf) {
    case SLAB_TF_YEARS:
        slab_civil_from_days(day, &y, &m, &d);
        lo = slab_days_from_civil(y, 1, 1);
        hi = slab_days_from_civil(y, 12, 31);
        break;
    case SLAB_TF_MONTHS:
        slab_civil_from_days(day, &y, &m, &d);
        lo = day - (d - 1);
        hi = lo + slab_days_in_month(y, m) - 1;
        break;
    case SLAB_TF_WEEKS: /* ISO week, Monday..Sunday; key = the Sunday */
        lo = day - (slab_weekday(day) - 1);
        hi = lo + 6;
        break;
    default: /* days */ lo = hi = day; break;
    }
    b->key_ns = hi * SLAB_NS_PER_DAY;
    b->lo_ns = lo * SLAB_NS_PER_DAY;
    b->hi_ns = (hi + 1) * SLAB_NS_PER_DAY;
}

char *slab_period_key_format(slab_timeframe tf, int64_t key_ns, char *buf, size_t n)
{
    return slab_time_format(key_ns, tf == SLAB_TF_YEARS, buf, n);
}

/* Walks an equity record period by period. */
typedef struct walker {
    const slab_equity *eq; /* the record walked */
    slab_timeframe tf;     /* resolved timeframe */
    int comp;              /* resolved compression */
    int64_t unit;          /* sub-day unit in ns, 0 for day-based timeframes */
    size_t i;              /* first bar of the next period */
    bucket b;              /* bucket of bar i, once i < n */
} walker;

/* Starts a walk of eq over tf/comp (both resolved). */
static void walker_init(walker *w, const slab_equity *eq, slab_timeframe tf, int comp)
{
    w->eq = eq;
    w->tf = tf;
    w->comp = comp;
    w->unit = subday_unit_ns(tf);
    w->i = 0;
    if (eq->n)
        bucket_of(tf, comp, eq->ts_ns[0], &w->b);
}

/* Moves w->b to the bucket of ts_ns (>= the current one's end), taking
 * the adjacent sub-day bucket without a division when ts_ns falls in it:
 * the common case of one intraday bar per bucket. */
static void bucket_advance(walker *w, int64_t ts_ns)
{
    bucket *b = &w->b;

    if (w->unit && ts_ns >= b->hi_ns) {
        int64_t lo = b->hi_ns, end = lo + w->unit * w->comp;
        int64_t day_end = lo == b->day_end ? b->day_end + SLAB_NS_PER_DAY : b->day_end;
        int64_t hi = end < day_end ? end : day_end;
        if (ts_ns < hi) {
            b->lo_ns = lo;
            b->hi_ns = hi;
            b->key_ns = end - w->unit;
            b->day_end = day_end;
            return;
        }
    }
    bucket_of(w->tf, w->comp, ts_ns, b);
}

/* Advances to the next period: writes its first and last bar and its key
 * and returns 1, or returns 0 past the last bar. As in _dt_over, a period
 * ends only when a bar's key is greater than the period's key. */
static int walk_next(walker *w, size_t *first, size_t *last, int64_t *key_ns)
{
    const int64_t *ts = w->eq->ts_ns;
    size_t n = w->eq->n, j;

    if (w->i >= n)
        return 0;
    *first = w->i;
    *key_ns = w->b.key_ns;
    for (j = w->i + 1; j < n; j++) {
        if (ts[j] >= w->b.lo_ns && ts[j] < w->b.hi_ns)
            continue;
        bucket_advance(w, ts[j]);
        if (w->b.key_ns > *key_ns)
            break;
    }
    *last = j - 1;
    w->i = j;
    return 1;
}

/* Returns the number of periods of tf/comp in eq (both resolved). */
static size_t count_periods(const slab_equity *eq, slab_timeframe tf, int comp)
{
    walker w;
    size_t k = 0, first, last;
    int64_t key;

    walker_init(&w, eq, tf, comp);
    while (walk_next(&w, &first, &last, &key))
        k++;
    return k;
}

/* ---- period tables ------------------------------------------------------- */

/* The periods of one timeframe over an equity record: only each period's
 * first bar is stored; its last bar, key, end value and return follow. */
typedef struct periods {
    const slab_equity *eq; /* the record (borrowed) */
    slab_timeframe tf;     /* resolved timeframe */
    int comp;              /* resolved compression */
    size_t n;              /* periods */
    size_t cap;            /* allocated entries of first */
    size_t *first;         /* index of each period's first bar, or NULL
                              while period k is bar k alone (the data's own
                              timeframe: no table of 8 bytes a bar) */
    const slab_bar_span *sp; /* a record that changes only inside these */
    size_t n_sp;             /* (NULL: every bar stored), see value_at */
    size_t *cur;             /* value_at's place in sp (the caller's) */
} periods;

/* Bar i's value. A record given with spans (slab_headline_compute_spans)
 * need store values only inside them, at bar 0 and at the bar before each
 * span: a bar outside them holds the value the span before ended with (or
 * bar 0's). */
static inline __attribute__((always_inline)) double value_at(const periods *p, size_t i)
{
    const double *v = p->eq->value;
    if (!p->sp)
        return v[i];
    /* lo: the spans starting at or before i; from the last call's, as the
     * bars asked for mostly grow */
    size_t lo = *p->cur;
    if (lo > 0 && p->sp[lo - 1].lo > i) {
        size_t hi = lo;
        lo = 0;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (p->sp[mid].lo <= i)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    while (lo < p->n_sp && p->sp[lo].lo <= i)
        lo++;
    *p->cur = lo;
    if (lo == 0)
        return v[0];
    const slab_bar_span *s = &p->sp[lo - 1];
    return i < s->hi ? v[i] : v[s->hi - 1];
}

/* Returns the index of period k's first bar. */
static size_t pfirst(const periods *p, size_t k)
{
    return p->first ? p->first[k] : k;
}

/* Returns a first guess of the number of periods: the time span over the
 * shortest period, plus the two partial ends, at most one per bar. */
static size_t guess_periods(const slab_equity *eq, slab_timeframe tf, int comp)
{
    static const int64_t min_days[] = {
        [SLAB_TF_DAYS] = 1, [SLAB_TF_WEEKS] = 7, [SLAB_TF_MONTHS] = 28, [SLAB_TF_YEARS] = 365};
    int64_t unit = subday_unit_ns(tf);
    int64_t len = unit ? unit * comp : min_days[tf] * SLAB_NS_PER_DAY;
    /* unsigned: the supported years span more than int64 ns (584 years) */
    uint64_t guess = ((uint64_t)eq->ts_ns[eq->n - 1] - (uint64_t)eq->ts_ns[0]) / (uint64_t)len + 2;

    return guess < eq->n ? (size_t)guess : eq->n;
}

/* Frees the table of p; a cleared or zeroed table is a no-op. */
static void periods_clear(periods *p)
{
    slab_free(p->first);
    p->first = NULL;
    p->n = p->cap = 0;
}

/* Gives p an explicit table of at least need entries (the identity
 * 0..n-1 written out when it had none). Returns 0, or -1 when out of
 * memory (p unchanged). */
static int periods_grow(periods *p, size_t need)
{
    size_t cap = p->cap ? p->cap : guess_periods(p->eq, p->tf, p->comp);
    if (cap < 1)
        cap = 1;
    while (cap < need)
        cap = cap * 2 < p->eq->n ? cap * 2 : p->eq->n;
    if (cap == p->cap && p->first)
        return 0;
    size_t *grown = slab_realloc(p->first, cap * sizeof *grown);
    if (!grown)
        return -1;
    if (!p->first)
        for (size_t k = 0; k < p->n; k++)
            grown[k] = k;
    p->first = grown;
    p->cap = cap;
    return 0;
}

/* Fills *p with the periods of tf/comp (resolved) over eq (checked) in one
 * walk. While every period is a single bar (the data's own timeframe) no
 * table is kept. Returns SLAB_OK or SLAB_ENOMEM (p is then empty). */
static slab_status periods_build(const slab_equity *eq, slab_timeframe tf, int comp, periods *p,
                                 slab_error *err)
{
    walker w;
    size_t first, last;
    int64_t key;

    memset(p, 0, sizeof *p);
    p->eq = eq;
    p->tf = tf;
    p->comp = comp;
    walker_init(&w, eq, tf, comp);
    while (walk_next(&w, &first, &last, &key)) {
        if (!p->first && first == p->n) {
            p->n++;
            continue;
        }
        if ((!p->first || p->n == p->cap) && periods_grow(p, p->n + 1))
            goto nomem;
        p->first[p->n++] = first;
    }
    return SLAB_OK;
nomem:
    periods_clear(p);
    return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for a table of %zu periods",
                          eq->n);
}

/* Returns the index of period k's last bar. */
static size_t period_last(const periods *p, size_t k)
{
    return k + 1 < p->n ? pfirst(p, k + 1) - 1 : p->eq->n - 1;
}

/* Returns period k's key, recomputed from its first bar. */
static int64_t period_key(const periods *p, size_t k)
{
    bucket b;
    bucket_of(p->tf, p->comp, p->eq->ts_ns[pfirst(p, k)], &b);
    return b.key_ns;
}

/* A sequence of period returns: explicit values, or TimeReturn computed on
 * the fly from a period table (E_k / E_{k-1} - 1, E_{-1} = start). */
typedef struct rets {
    const double *ret; /* explicit returns, or NULL to use p */
    const periods *p;  /* the periods when ret is NULL */
    double start;      /* value before the first period: V0 */
    size_t n;          /* returns */
} rets;

/* Returns the i-th return of r. */
static double rets_get(const rets *r, size_t i)
{
    double prev;

    if (r->ret)
        return r->ret[i];
    prev = i ? value_at(r->p, pfirst(r->p, i) - 1) : r->start;
    return value_at(r->p, period_last(r->p, i)) / prev - 1.0;
}

/* Returns a view of TimeReturn over the table p. */
static rets timereturn_of(const periods *p)
{
    rets r = {NULL, p, p->eq->start_value, p->n};
    return r;
}

/* rets_get(timereturn_of(p), k) for every k into out[0..p->n - 1], each
 * period's end value read once (period k-1's last bar is the one before
 * period k's first). */
static void returns_into(const periods *p, double *out)
{
    double prev = p->eq->start_value;
    for (size_t k = 0; k < p->n; k++) {
        double e = value_at(p, period_last(p, k));
        out[k] = e / prev - 1.0;
        prev = e;
    }
}

/* ---- TimeReturn / AnnualReturn ------------------------------------------ */

void slab_period_returns_clear(slab_period_returns *p)
{
    if (!p)
        return;
    slab_free(p->key_ns);
    slab_free(p->ret);
    slab_free(p->end_value);
    slab_free(p->first_bar);
    memset(p, 0, sizeof *p);
}

/* Fills *out with the periods of tf/comp (resolved) over eq (checked). The
 * first period's return is measured from start: V0 for TimeReturn, the
 * first bar's value for AnnualReturn; each later one from the previous
 * period's end value. */
static slab_status build_returns(const slab_equity *eq, slab_timeframe tf, int comp, double start,
                                 slab_period_returns *out, slab_error *err)
{
    periods p;
    rets r;
    slab_status rc = periods_build(eq, tf, comp, &p, err);

    memset(out, 0, sizeof *out);
    if (rc != SLAB_OK)
        return rc;
    r = timereturn_of(&p);
    r.start = start;
    if (!p.first && periods_grow(&p, p.n)) { /* the caller gets an explicit table */
        periods_clear(&p);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for %zu period returns", p.n);
    }
    out->key_ns = slab_malloc(p.n * sizeof *out->key_ns);
    out->ret = slab_malloc(p.n * sizeof *out->ret);
    out->end_value = slab_malloc(p.n * sizeof *out->end_value);
    out->first_bar = p.first; /* the table's array becomes the caller's */
    if (!out->key_ns || !out->ret || !out->end_value) {
        slab_period_returns_clear(out);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for %zu period returns", p.n);
    }
    for (size_t k = 0; k < p.n; k++) {
        out->key_ns[k] = period_key(&p, k);
        out->end_value[k] = eq->value[period_last(&p, k)];
        out->ret[k] = rets_get(&r, k);
    }
    out->n = p.n;
    return SLAB_OK;
}

slab_status slab_timereturn(const slab_equity *eq, slab_timeframe tf, int compression,
                            slab_period_returns *out, slab_error *err)
{
    slab_status rc;

    memset(out, 0, sizeof *out);
    if ((rc = check_equity(eq, err)) != SLAB_OK)
        return rc;
    if ((rc = resolve_tf(eq, &tf, &compression, err)) != SLAB_OK)
        return rc;
    return build_returns(eq, tf, compression, eq->start_value, out, err);
}

slab_status slab_annualreturn(const slab_equity *eq, slab_period_returns *out, slab_error *err)
{
    slab_status rc;

    memset(out, 0, sizeof *out);
    if ((rc = check_equity(eq, err)) != SLAB_OK)
        return rc;
    return build_returns(eq, SLAB_TF_YEARS, 1, eq->value[0], out, err);
}

/* Builds the period table of tf/comp (0 = the data's) after checking eq. */
static slab_status table_of(const slab_equity *eq, slab_timeframe tf, int comp, periods *p,
                            slab_error *err)
{
    slab_status rc;

    memset(p, 0, sizeof *p);
    if ((rc = check_equity(eq, err)) != SLAB_OK)
        return rc;
    if ((rc = resolve_tf(eq, &tf, &comp, err)) != SLAB_OK)
        return rc;
    return periods_build(eq, tf, comp, p, err);
}

/* ---- SharpeRatio ----------------------------------------------------------- */

void slab_sharpe_params_default(slab_sharpe_params *p)
{
    p->timeframe = SLAB_TF_YEARS;
    p->compression = 1;
    p->riskfreerate = 0.01;
    p->convertrate = 1;
    p->annualize = 0;
    p->stddev_sample = 0;
    p->factor = 0.0;
}

/* How SharpeRatio turns one period return into an excess return. */
typedef struct excess_rule {
    double factor; /* periods per year, 0 when none */
    int compound;  /* convertrate off: r := (1+r)^factor - 1 */
    double rate;   /* risk-free rate per period (or per year if compound) */
} excess_rule;

/* Returns the i-th excess return of r under rule x. */
static double excess_of(double v, const excess_rule *x)
{
    if (x->compound)
        v = pow(1.0 + v, x->factor) - 1.0;
    return v - x->rate;
}

static double excess(const rets *r, size_t i, const excess_rule *x)
{
    return excess_of(rets_get(r, i), x);
}

/* SharpeRatio's rule for turning returns into excess returns under p. */
static excess_rule excess_rule_of(const slab_sharpe_params *p)
{
    excess_rule x = {p->factor > 0.0 ? p->factor : year_factor(p->timeframe), 0, p->riskfreerate};
    if (x.factor > 0.0) {
        if (p->convertrate)
            x.rate = pow(1.0 + x.rate, 1.0 / x.factor) - 1.0;
        else
            x.compound = 1;
    }
    return x;
}

/* SharpeRatio.stop() over the returns r. */
static void sharpe_of(const rets *r, const slab_sharpe_params *p, double *out, int *is_none)
{
    excess_rule x = excess_rule_of(p);
    size_t n = r->n, bessel = p->stddev_sample ? 1 : 0;
    double avg, sd;
    slab_fsum s;

    *out = 0.0;
    *is_none = 1;
    /* n - stddev_sample == 0 gives None; n = 0 with stddev_sample makes
     * backtrader divide by zero, which we also report as None. */
    if (n <= bessel)
        return;
    slab_fsum_init(&s);
    for (size_t i = 0; i < n; i++)
        slab_fsum_add(&s, excess(r, i, &x));
    avg = slab_fsum_value(&s) / (double)n;
    slab_fsum_init(&s);
    for (size_t i = 0; i < n; i++)
        slab_fsum_add(&s, sq(excess(r, i, &x) - avg));
    sd = sqrt(slab_fsum_value(&s) / (double)(n - bessel));
    if (sd == 0.0) /* ZeroDivisionError -> None */
        return;
    *out = avg / sd;
    if (x.factor > 0.0 && p->convertrate && p->annualize)
        *out = sqrt(x.factor) * *out;
    *is_none = 0;
}

void slab_sharpe_from_returns(const double *ret, size_t n, const slab_sharpe_params *p, double *out,
                              int *is_none)
{
    rets r = {ret, NULL, 0.0, n};
    sharpe_of(&r, p, out, is_none);
}

slab_status slab_sharpe(const slab_equity *eq, const slab_sharpe_params *p, double *out,
                        int *is_none, slab_error *err)
{
    periods t;
    slab_status rc = table_of(eq, p->timeframe, p->compression, &t, err);
    rets r = timereturn_of(&t);

    *out = 0.0;
    *is_none = 1;
    if (rc != SLAB_OK)
        return rc;
    sharpe_of(&r, p, out, is_none);
    periods_clear(&t);
    return SLAB_OK;
}

/* ---- DrawDown ---------------------------------------------------------- */

void slab_drawdown(const slab_equity *eq, slab_drawdown_result *out)
{
    double peak = -INFINITY, len = 0.0;

    memset(out, 0, sizeof *out);
    for (size_t i = 0; eq && i < eq->n; i++) {
        double v = eq->value[i];
        if (v > peak)
            peak = v;
        out->moneydown = peak - v;
        out->drawdown = 100.0 * out->moneydown / peak;
        if (out->moneydown > out->max_moneydown)
            out->max_moneydown = out->moneydown;
        if (out->drawdown > out->max_drawdown)
            out->max_drawdown = out->drawdown;
        len = out->drawdown != 0.0 ? len + 1.0 : 0.0; /* NaN counts, as in Python */
        if (len > out->max_len)
            out->max_len = len;
    }
    out->len = len;
}

/* ---- Returns and VWR ------------------------------------------------------- */

/* Fills *out from the final value and the number of periods seen. */
static void returns_from(const slab_equity *eq, size_t n_periods, double tann,
                         slab_returns_result *out)
{
    double ratio = eq->value[eq->n - 1] / eq->start_value;

    /* math.log raises on a ratio <= 0 and V0 = 0 divides by zero; the
     * semantics document fixes both as -inf. */
    out->rtot = (eq->start_value == 0.0 || ratio <= 0.0) ? -INFINITY : log(ratio);
    out->n_periods = n_periods;
    out->ravg = out->rtot / (double)n_periods;
    if (tann <= 0.0)
        tann = year_factor(eq->timeframe);
    out->tann = tann > 0.0 ? tann : 1.0;
    out->rnorm = (isinf(out->ravg) && out->ravg < 0.0) ? out->ravg : expm1(out->ravg * out->tann);
    out->rnorm100 = out->rnorm * 100.0;
}

slab_status slab_returns(const slab_equity *eq, double tann, slab_returns_result *out,
                         slab_error *err)
{
    slab_timeframe tf = (slab_timeframe)0;
    int comp = 0;
    slab_status rc;

    memset(out, 0, sizeof *out);
    if ((rc = check_equity(eq, err)) != SLAB_OK)
        return rc;
    if ((rc = resolve_tf(eq, &tf, &comp, err)) != SLAB_OK)
        return rc;
    returns_from(eq, count_periods(eq, tf, comp), tann, out);
    return SLAB_OK;
}

/* Returns VWR's d_n for its j-th (start, end) value pair, n = j + 1. VWR
 * appends the value seen at each period's first bar (notify_fund runs
 * before the period check), so pair 0 is (V0, v[0]), pair j < k is (value
 * at period j-1's first bar, value at period j's first bar) and pair k is
 * (value at the last period's first bar, the final value). With one bar
 * per period this is E_j / E_{j-1} of the semantics document. */
static double vwr_d(const periods *p, size_t j, double ravg)
{
    const double *v = p->eq->value;
    double pi, pn;

    if (j == 0) {
        pi = p->eq->start_value;
        pn = v[0];
    } else if (j < p->n) {
        pi = v[pfirst(p, j - 1)];
        pn = v[pfirst(p, j)];
    } else {
        pi = v[pfirst(p, p->n - 1)];
        pn = v[p->eq->n - 1];
    }
    return pn / (pi * exp(ravg * (double)(j + 1))) - 1.0;
}

/* Computes VWR over the data-timeframe periods p and the child Returns'
 * ravg and rnorm100; *is_none = 1 when fewer than two pairs make the
 * sample deviation divide by zero. */
static void vwr_of(const periods *p, double ravg, double rnorm100, double *out, int *is_none)
{
    /* The pair opened by the last period's first bar is dropped when that
     * bar is the last bar (its end value was never seen). */
    size_t m = p->n + (pfirst(p, p->n - 1) != p->eq->n - 1);
    double avg, sd;
    slab_fsum s;

    *out = 0.0;
    *is_none = 1;
    if (m < 2)
        return;
    slab_fsum_init(&s);
    for (size_t j = 0; j < m; j++)
        slab_fsum_add(&s, vwr_d(p, j, ravg));
    avg = slab_fsum_value(&s) / (double)m;
    slab_fsum_init(&s);
    for (size_t j = 0; j < m; j++)
        slab_fsum_add(&s, sq(vwr_d(p, j, ravg) - avg));
    sd = sqrt(slab_fsum_value(&s) / (double)(m - 1));
    *out = rnorm100 * (1.0 - pow(sd / VWR_SDEV_MAX, VWR_TAU));
    *is_none = 0;
}

slab_status slab_vwr(const slab_equity *eq, double *out, int *is_none, slab_error *err)
{
    periods t;
    slab_returns_result r;
    slab_status rc = table_of(eq, (slab_timeframe)0, 0, &t, err);

    *out = 0.0;
    *is_none = 1;
    if (rc != SLAB_OK)
        return rc;
    returns_from(eq, t.n, 0.0, &r);
    vwr_of(&t, r.ravg, r.rnorm100, out, is_none);
    periods_clear(&t);
    return SLAB_OK;
}

/* ---- Calmar -------------------------------------------------------------- */

/* Computes Calmar's last value from the month periods mo. TimeDrawDown and
 * Calmar both act at each month's first bar, on that bar's value; Calmar's
 * deque starts as 36 NaN plus V0, gets each first-bar value, and at stop()
 * the final value, overwriting the last month's entry. */
static void calmar_of(const periods *mo, slab_calmar_result *out)
{
    const slab_equity *eq = mo->eq;
    double peak = -INFINITY, maxdd = 0.0, mdd = -INFINITY, oldest, rann;
    size_t k = mo->n;

    for (size_t i = 0; i < k; i++) {
        double v = eq->value[pfirst(mo, i)];
        double dd;
        if (v > peak)
            peak = v;
        dd = 100.0 * (peak - v) / peak;
        if (dd > maxdd)
            maxdd = dd;
        if (maxdd > mdd)
            mdd = maxdd;
    }
    if (maxdd > mdd) /* stop() with no month at all */
        mdd = maxdd;
    /* After k + 1 appends to the 36-slot deque the oldest entry is a NaN
     * for k <= 33, V0 for k = 34, else the value at month k-35's first bar. */
    if (k + 2 < CALMAR_PERIOD)
        oldest = NAN;
    else if (k + 2 == CALMAR_PERIOD)
        oldest = eq->start_value;
    else
        oldest = eq->value[pfirst(mo, k + 1 - CALMAR_PERIOD)];
    rann = log(eq->value[eq->n - 1] / oldest) / (double)CALMAR_PERIOD;
    out->last = rann / (mdd != 0.0 ? mdd : INFINITY);
    out->n_periods = k;
    out->last_key_ns = k ? period_key(mo, k - 1) : 0;
}

slab_status slab_calmar(const slab_equity *eq, slab_calmar_result *out, slab_error *err)
{
    periods mo;
    slab_status rc = table_of(eq, SLAB_TF_MONTHS, 1, &mo, err);

    memset(out, 0, sizeof *out);
    if (rc != SLAB_OK)
        return rc;
    calmar_of(&mo, out);
    periods_clear(&mo);
    return SLAB_OK;
}

/* ---- PeriodStats ------------------------------------------------------- */

/* Fills *out from r (n >= 1): fsum mean, population sd, counts, and
 * Python's max()/min(), which keep the first of equal values. */
static void periodstats_of(const rets *r, slab_periodstats_result *out)
{
    slab_fsum s;

    memset(out, 0, sizeof *out);
    slab_fsum_init(&s);
    for (size_t i = 0; i < r->n; i++)
        slab_fsum_add(&s, rets_get(r, i));
    out->average = slab_fsum_value(&s) / (double)r->n;
    slab_fsum_init(&s);
    for (size_t i = 0; i < r->n; i++)
        slab_fsum_add(&s, sq(rets_get(r, i) - out->average));
    out->stddev = sqrt(slab_fsum_value(&s) / (double)r->n);
    out->best = out->worst = rets_get(r, 0);
    for (size_t i = 0; i < r->n; i++) {
        double x = rets_get(r, i);
        if (x > 0.0)
            out->positive++;
        else if (x < 0.0)
            out->negative++;
        else if (x == 0.0)
            out->nochange++;
        if (x > out->best)
            out->best = x;
        if (x < out->worst)
            out->worst = x;
    }
}

slab_status slab_periodstats(const slab_equity *eq, slab_timeframe tf, slab_periodstats_result *out,
                             slab_error *err)
{
    periods t;
    slab_status rc = table_of(eq, tf, 1, &t, err);
    rets r = timereturn_of(&t);

    memset(out, 0, sizeof *out);
    if (rc != SLAB_OK)
        return rc;
    periodstats_of(&r, out);
    periods_clear(&t);
    return SLAB_OK;
}

/* ---- SQN ---------------------------------------------------------------- */

void slab_sqn(const slab_trade *trades, size_t n, slab_sqn_result *out)
{
    slab_fsum s;
    double avg, sd;
    size_t k = 0;

    memset(out, 0, sizeof *out);
    slab_fsum_init(&s);
    for (size_t i = 0; i < n; i++)
        if (!trades[i].is_open) {
            slab_fsum_add(&s, trades[i].pnlcomm);
            k++;
        }
    out->trades = k;
    if (k <= 1) /* backtrader's int 0 */
        return;
    avg = slab_fsum_value(&s) / (double)k;
    slab_fsum_init(&s);
    for (size_t i = 0; i < n; i++)
        if (!trades[i].is_open)
            slab_fsum_add(&s, sq(trades[i].pnlcomm - avg));
    sd = sqrt(slab_fsum_value(&s) / (double)k);
    if (sd == 0.0) {
        out->is_none = 1;
        return;
    }
    out->sqn = sqrt((double)k) * avg / sd;
}

/* ---- the result document's "analyzers" object --------------------------- */

/* Returns a JSON number, or null for NaN and +-inf (JSON has neither). */
static json_t *jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* Returns x as a JSON number, or null when is_none. */
static json_t *jopt(double x, int is_none)
{
    return is_none ? json_null() : jnum(x);
}

/* Sets obj[key] = v, taking v's reference; returns 0, or -1 when v is NULL
 * or the set fails (jansson then releases v). */
static int put(json_t *obj, const char *key, json_t *v)
{
    if (!v)
        return -1;
    return json_object_set_new(obj, key, v);
}

/* Returns obj, or releases it and returns NULL when bad. */
static json_t *done(json_t *obj, int bad)
{
    if (bad) {
        json_decref(obj);
        return NULL;
    }
    return obj;
}

/* Returns {"sharperatio": x} for TimeReturn over t under params p. */
static json_t *sharpe_json(const periods *t, const slab_sharpe_params *p)
{
    json_t *o = json_object();
    rets r = timereturn_of(t);
    double x;
    int none;

    sharpe_of(&r, p, &x, &none);
    return done(o, put(o, "sharperatio", jopt(x, none)));
}

/* Returns backtrader's DrawDown dict; max.len is the float 0.0 until a
 * drawdown happened and an int afterwards, len always an int. */
static json_t *drawdown_json(const slab_drawdown_result *d)
{
    json_t *o = json_object(), *mx = json_object();
    int bad = 0;

    bad |= put(o, "len", json_integer((json_int_t)d->len));
    bad |= put(o, "drawdown", jnum(d->drawdown));
    bad |= put(o, "moneydown", jnum(d->moneydown));
    bad |= put(mx, "len", d->max_len > 0.0 ? json_integer((json_int_t)d->max_len) : json_real(0.0));
    bad |= put(mx, "drawdown", jnum(d->max_drawdown));
    bad |= put(mx, "moneydown", jnum(d->max_moneydown));
    bad |= put(o, "max", mx);
    return done(o, bad);
}

/* Returns {rtot, ravg, rnorm, rnorm100}. */
static json_t *returns_json(const slab_returns_result *r)
{
    json_t *o = json_object();
    int bad = 0;

    bad |= put(o, "rtot", jnum(r->rtot));
    bad |= put(o, "ravg", jnum(r->ravg));
    bad |= put(o, "rnorm", jnum(r->rnorm));
    bad |= put(o, "rnorm100", jnum(r->rnorm100));
    return done(o, bad);
}

/* Returns {sqn, trades}: sqn is the int 0 for <= 1 trade, null for None. */
static json_t *sqn_json(const slab_sqn_result *q)
{
    json_t *o = json_object();
    int bad = 0;

    bad |= put(o, "sqn", q->trades <= 1 ? json_integer(0) : jopt(q->sqn, q->is_none));
    bad |= put(o, "trades", json_integer((json_int_t)q->trades));
    return done(o, bad);
}

/* Returns AnnualReturn's {year: ret} from the year table: the same end
 * values as TimeReturn(Years), but the first year starts at the first
 * bar's value instead of V0. */
static json_t *annual_json(const periods *yr)
{
    json_t *o = json_object();
    rets r = timereturn_of(yr);
    int bad = 0;

    r.start = yr->eq->value[0];
    for (size_t k = 0; k < r.n; k++) {
        char key[16];
        int y, m, d;
        slab_civil_from_days(slab_ts_day(period_key(yr, k)), &y, &m, &d);
        snprintf(key, sizeof key, "%d", y);
        bad |= put(o, key, jnum(rets_get(&r, k)));
    }
    return done(o, bad);
}

/* Returns TimeReturn's {key: ret} over t, keys printed as backtrader's. */
static json_t *timereturn_json(const periods *t)
{
    json_t *o = json_object();
    rets r = timereturn_of(t);
    int bad = 0;

    for (size_t k = 0; k < r.n; k++) {
        char key[40];
        slab_period_key_format(t->tf, period_key(t, k), key, sizeof key);
        bad |= put(o, key, jnum(rets_get(&r, k)));
    }
    return done(o, bad);
}

/* Returns {last, n_periods, last_key} of Calmar over the month table. */
static json_t *calmar_json(const periods *mo)
{
    json_t *o = json_object();
    slab_calmar_result c;
    char key[40];
    int bad = 0;

    calmar_of(mo, &c);
    slab_period_key_format(SLAB_TF_MONTHS, c.last_key_ns, key, sizeof key);
    bad |= put(o, "last", jnum(c.last));
    bad |= put(o, "n_periods", json_integer((json_int_t)c.n_periods));
    bad |= put(o, "last_key", json_string(key));
    return done(o, bad);
}

/* Returns PeriodStats' dict over TimeReturn of t (n >= 1). */
static json_t *periodstats_json(const periods *t)
{
    json_t *o = json_object();
    rets r = timereturn_of(t);
    slab_periodstats_result s;
    int bad = 0;

    periodstats_of(&r, &s);
    bad |= put(o, "average", jnum(s.average));
    bad |= put(o, "stddev", jnum(s.stddev));
    bad |= put(o, "positive", json_integer((json_int_t)s.positive));
    bad |= put(o, "negative", json_integer((json_int_t)s.negative));
    bad |= put(o, "nochange", json_integer((json_int_t)s.nochange));
    bad |= put(o, "best", jnum(s.best));
    bad |= put(o, "worst", jnum(s.worst));
    return done(o, bad);
}

/* Returns {"vwr": x} over the data-timeframe table dp. */
static json_t *vwr_json(const periods *dp, const slab_returns_result *r)
{
    json_t *o = json_object();
    double x;
    int none;

    vwr_of(dp, r->ravg, r->rnorm100, &x, &none);
    return done(o, put(o, "vwr", jopt(x, none)));
}

/* The period tables slab_analyzers_json shares between analyzers. */
typedef struct tables {
    periods years;        /* Years: Sharpe, AnnualReturn, TimeReturn, PeriodStats */
    periods months;       /* Months: Sharpe, Calmar */
    periods days;         /* Days: the two daily Sharpe ratios */
    periods data;         /* the data's timeframe, unless it is Days */
    const periods *datap; /* &data, or &days for daily data: Returns, VWR */
} tables;

/* Builds every table once; on failure the caller still clears them. */
static slab_status tables_build(const slab_equity *eq, tables *t, slab_error *err)
{
    slab_timeframe tf = (slab_timeframe)0;
    int comp = 0;
    slab_status rc;

    if ((rc = resolve_tf(eq, &tf, &comp, err)) != SLAB_OK)
        return rc;
    if ((rc = periods_build(eq, SLAB_TF_YEARS, 1, &t->years, err)) != SLAB_OK ||
        (rc = periods_build(eq, SLAB_TF_MONTHS, 1, &t->months, err)) != SLAB_OK ||
        (rc = periods_build(eq, SLAB_TF_DAYS, 1, &t->days, err)) != SLAB_OK)
        return rc;
    /* Day-based keys ignore the compression, so daily data reuses Days. */
    t->datap = &t->days;
    if (tf != SLAB_TF_DAYS) {
        if ((rc = periods_build(eq, tf, comp, &t->data, err)) != SLAB_OK)
            return rc;
        t->datap = &t->data;
    }
    return SLAB_OK;
}

/* Adds the portfolio analyzers to root, in the reference runs' order after
 * tradeanalyzer; returns 0, or -1 when out of memory. */
static int put_portfolio(json_t *root, const tables *t, const slab_sqn_result *q)
{
    const slab_equity *eq = t->years.eq;
    slab_sharpe_params p;
    slab_drawdown_result dd;
    slab_returns_result r;
    int bad = 0;

    slab_drawdown(eq, &dd);
    returns_from(eq, t->datap->n, 0.0, &r);
    slab_sharpe_params_default(&p);
    bad |= put(root, "sharperatio", sharpe_json(&t->years, &p));
    bad |= put(root, "drawdown", drawdown_json(&dd));
    bad |= put(root, "returns", returns_json(&r));
    bad |= put(root, "sqn", sqn_json(q));
    bad |= put(root, "annualreturn", annual_json(&t->years));
    p.timeframe = SLAB_TF_DAYS; /* SharpeRatio_A(timeframe=Days) */
    p.annualize = 1;
    bad |= put(root, "sharpe_a_days", sharpe_json(&t->days, &p));
    p.riskfreerate = 0.0; /* ... riskfreerate=0, stddev_sample=True */
    p.stddev_sample = 1;
    bad |= put(root, "sharpe_days_sample_annualized", sharpe_json(&t->days, &p));
    slab_sharpe_params_default(&p);
    p.timeframe = SLAB_TF_MONTHS;
    bad |= put(root, "sharpe_months", sharpe_json(&t->months, &p));
    bad |= put(root, "vwr", vwr_json(t->datap, &r));
    bad |= put(root, "calmar", calmar_json(&t->months));
    bad |= put(root, "timereturn_years", timereturn_json(&t->years));
    bad |= put(root, "periodstats", periodstats_json(&t->years));
    return bad ? -1 : 0;
}

json_t *slab_analyzers_json(const slab_equity *eq, const slab_trade *trades, size_t n_trades,
                            slab_error *err)
{
    tables t;
    slab_sqn_result q;
    json_t *root = NULL;

    memset(&t, 0, sizeof t);
    if (check_equity(eq, err) != SLAB_OK || tables_build(eq, &t, err) != SLAB_OK)
        goto out;
    slab_sqn(trades, n_trades, &q);
    root = json_object();
    if (put(root, "tradeanalyzer", slab_tradeanalyzer_json(trades, n_trades)) != 0 ||
        put_portfolio(root, &t, &q) != 0) {
        json_decref(root);
        root = NULL;
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory building the analyzers object");
    }
out:
    periods_clear(&t.data);
    periods_clear(&t.days);
    periods_clear(&t.months);
    periods_clear(&t.years);
    return root;
}

/* ---- the headline metrics (the result document's "metrics") -------------- */

/* The period tables of one bar clock, built once and shared by every run
 * on those bars (a sweep): they depend only on the timestamps. */
struct slab_period_plan {
    slab_equity shape; /* ts_ns, n, timeframe and compression of the clock */
    periods years;     /* SharpeRatio (Years) */
    periods days;      /* SharpeRatio_A (Days), the daily returns */
    periods data;      /* the data's timeframe, unless it is Days: Returns */
    const periods *datap;
};

void slab_period_plan_free(slab_period_plan *p)
{
    if (!p)
        return;
    periods_clear(&p->data);
    periods_clear(&p->days);
    periods_clear(&p->years);
    slab_free(p);
}

slab_status slab_period_plan_new(const slab_equity *eq, slab_period_plan **out, slab_error *err)
{
    slab_timeframe tf = (slab_timeframe)0;
    int comp = 0;
    slab_status rc;
    slab_period_plan *p;

    *out = NULL;
    if (!eq || eq->n == 0 || !eq->ts_ns)
        return slab_error_set(err, SLAB_EINVAL, NULL, "a period plan needs at least one bar");
    if ((rc = resolve_tf(eq, &tf, &comp, err)) != SLAB_OK)
        return rc;
    if (!(p = slab_calloc(1, sizeof *p)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the period plan");
    p->shape = *eq;
    p->shape.value = NULL;
    p->shape.cash = NULL;
    /* the tables read timestamps only; they keep &p->shape as their record */
    if ((rc = periods_build(&p->shape, SLAB_TF_YEARS, 1, &p->years, err)) != SLAB_OK ||
        (rc = periods_build(&p->shape, SLAB_TF_DAYS, 1, &p->days, err)) != SLAB_OK)
        goto fail;
    p->datap = &p->days; /* day-based keys ignore the compression */
    if (tf != SLAB_TF_DAYS) {
        if ((rc = periods_build(&p->shape, tf, comp, &p->data, err)) != SLAB_OK)
            goto fail;
        p->datap = &p->data;
    }
    *out = p;
    return SLAB_OK;
fail:
    slab_period_plan_free(p);
    return rc;
}

size_t slab_period_plan_days(const slab_period_plan *p)
{
    return p->days.n;
}

/* A view of table t over another equity record of the same clock (one
 * that changes only inside sp[0..n_sp-1], when sp is not NULL). */
static periods table_on(const periods *t, const slab_equity *eq, const slab_bar_span *sp,
                        size_t n_sp, size_t *cur)
{
    periods v = *t;
    v.eq = eq;
    v.sp = sp;
    v.n_sp = n_sp;
    v.cur = cur;
    *cur = 0;
    return v;
}

/* 1 when eq runs on the clock the plan was built for. */
/* 1 when eq runs on the plan's clock: the same times (the same array, or
 * an equal one: a run on several feeds owns its union clock). */
static int plan_fits(const slab_period_plan *p, const slab_equity *eq)
{
    return eq->n == p->shape.n && eq->timeframe == p->shape.timeframe &&
           eq->compression == p->shape.compression &&
           (eq->ts_ns == p->shape.ts_ns ||
            !memcmp(eq->ts_ns, p->shape.ts_ns, eq->n * sizeof *eq->ts_ns));
}

double slab_max_drawdown_pct(const double *v, size_t n)
{
    /* For a fixed peak P > 0, 100 * (P - x) / P never grows with x (each
     * rounding step is monotone), so within a run of bars under one peak
     * the largest drawdown is the one at the lowest value: one division
     * per new peak instead of one per bar, the same bits as slab_drawdown.
     * A peak that is not a positive finite number takes the per-bar way. */
    double peak = -INFINITY, low = INFINITY, max = 0.0;
    for (size_t i = 0; i < n; i++) {
        double x = v[i];
        if (x > peak) {
            if (low < INFINITY) {
                double dd = 100.0 * (peak - low) / peak;
                if (dd > max)
                    max = dd;
            }
            if (!(x > 0.0) || isinf(x))
                goto slow;
            peak = x;
            low = x;
        } else if (x < low) {
            low = x;
        } else if (isnan(x)) {
            goto slow;
        }
    }
    if (low < INFINITY) {
        double dd = 100.0 * (peak - low) / peak;
        if (dd > max)
            max = dd;
    }
    return max;
slow:;
    slab_equity eq = {0};
    slab_drawdown_result r;
    eq.n = n;
    eq.value = v;
    slab_drawdown(&eq, &r);
    return r.max_drawdown;
}

/* Appends to buf[*m] two exact terms whose exact sum is z copies of c
 * (finite, z < 2^26): c split into a high part of 26 significant bits and
 * the rest, each product with z exact. fsum rounds the exact sum of its
 * terms, so these two stand for the z terms, bit for bit. */
static void add_copies(double *buf, size_t *m, double c, size_t z)
{
    uint64_t b;
    double hi;
    if (z == 0)
        return;
    memcpy(&b, &c, sizeof b);
    b &= ~(((uint64_t)1 << 27) - 1);
    memcpy(&hi, &b, sizeof hi);
    buf[(*m)++] = (double)z * hi;
    buf[(*m)++] = (double)z * (c - hi);
}

/* The index of the period of table t holding bar i (its first bars are sorted). */
static size_t period_of(const periods *t, size_t i)
{
    size_t lo = 0, hi = t->n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (pfirst(t, mid) <= i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Four lanes of doubles (GCC/Clang vector types): AVX2 in the clones that
 * have it, pairs of SSE2 (NEON) otherwise. Every lane does the scalar
 * expression's operations in its order, so the bits are the same. */
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LANES_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define LANES_CLONES
#endif

/* slab_max_drawdown_pct's walk, resumable over pieces of a record. */
typedef struct ddwalk {
    double peak, low, max;
    int slow; /* a value the one-division walk does not take (NaN, a peak
                 that is not a positive finite number) */
} ddwalk;

static void dd_close(ddwalk *d)
{
    if (d->low < INFINITY) {
        double dd = 100.0 * (d->peak - d->low) / d->peak;
        if (dd > d->max)
            d->max = dd;
    }
}

/* Walks v[0..n-1] into d: a block of four bars none above the peak (nor
 * NaN) only lowers the low; the other bars go one at a time. */
LANES_CLONES static void dd_block(const double *v, size_t n, ddwalk *d)
{
    size_t i = 0;
    while (i < n && !d->slow) {
        const v4d pk = {d->peak, d->peak, d->peak, d->peak};
        for (; i + 4 <= n; i += 4) { /* no new peak, no NaN: only the low moves */
            v4d x;
            memcpy(&x, v + i, sizeof x);
            v4l under = x <= pk;
            if (!(under[0] & under[1] & under[2] & under[3]))
                break;
            double lo = x[0] < x[1] ? x[0] : x[1], hi = x[2] < x[3] ? x[2] : x[3];
            lo = lo < hi ? lo : hi;
            if (lo < d->low)
                d->low = lo;
        }
        size_t end = i + 4 < n ? i + 4 : n;
        for (; i < end; i++) { /* slab_max_drawdown_pct, bar by bar */
            double x = v[i];
            if (x > d->peak) {
                dd_close(d);
                if (!(x > 0.0) || isinf(x)) {
                    d->slow = 1;
                    return;
                }
                d->peak = x;
                d->low = x;
            } else if (x < d->low) {
                d->low = x;
            } else if (isnan(x)) {
                d->slow = 1;
                return;
            }
        }
    }
}

/* Folds the vector low into d and resets it. */
static inline __attribute__((always_inline)) void dd_fold(v4d *vlow, ddwalk *d)
{
    double l0 = (*vlow)[0] < (*vlow)[1] ? (*vlow)[0] : (*vlow)[1];
    double l1 = (*vlow)[2] < (*vlow)[3] ? (*vlow)[2] : (*vlow)[3];
    l0 = l0 < l1 ? l0 : l1;
    if (l0 < d->low)
        d->low = l0;
    const v4d inf = {INFINITY, INFINITY, INFINITY, INFINITY};
    *vlow = inf;
}

/* Ends a group of bars v[0..n-1] whose low is glow and whose "none above
 * the peak pk" mask is gok: folded into vlow when it held, else the low so
 * far folded into d and the group walked bar by bar; the group state is
 * reset and pk follows d's peak. */
static inline __attribute__((always_inline)) void dd_group(const double *v, size_t n, v4l *gok,
                                                           v4d *glow, v4d *vlow, v4d *pk, ddwalk *d)
{
    const v4d inf = {INFINITY, INFINITY, INFINITY, INFINITY};
    const v4l all = {-1, -1, -1, -1};
    if ((*gok)[0] & (*gok)[1] & (*gok)[2] & (*gok)[3] && !d->slow) {
        v4l lower = *glow < *vlow;
        *vlow = (v4d)(((v4l)*glow & lower) | ((v4l)*vlow & ~lower));
    } else if (!d->slow) {
        dd_fold(vlow, d);
        dd_block(v, n, d);
        const v4d p = {d->peak, d->peak, d->peak, d->peak};
        *pk = p;
    }
    *glow = inf;
    *gok = all;
}

/* Exact sums of excess returns on a grid. With one bar a period, r =
 * v[i] / v[i-1] - 1.0 is a multiple of 2^-53 (Sterbenz for a ratio in
 * [0.5, 2], a rounding to that grid or coarser outside), so each excess
 * return e = fl(r - rate) is a multiple of q = min(2^-53, ulp(rate)) (a
 * value on that grid stays on it when rounded).
 * Each e is split in two integers by the adders alone (no conversion
 * instruction): h = e + C_H, with C_H = 1.5 2^103 q, lies in C_H's binade
 * [2^103 q, 2^104 q) whenever |e| < 2^102 q, where its ulp is 2^51 q; so
 * e_h = h - C_H is e rounded to a multiple of 2^51 q (exact), and
 * bits(h) - bits(C_H) = e_h / (2^51 q), an integer below 2^51 in size.
 * The rest e - e_h is exact (a multiple of q of at most 2^50 q); l = that +
 * C_L, with C_L = 1.5 2^52 q, lies in [2^52 q, 2^53 q), where the ulp is q,
 * so bits(l) - bits(C_L) = (e - e_h) / q exactly. The raw bits are added as
 * unsigned 64-bit integers (modulo 2^64, on the integer units) and each
 * lane, after at most GRID_FLUSH terms, moves its sum less that many C's
 * bits into a 128-bit total: its true sum, below 2^62 in size (terms below
 * 2^51), so the modular one is exact. An h outside C_H's
 * binade (|e| too large, inf, NaN) shows in its exponent bits, ANDed and
 * ORed over all terms: then ok = 0 and the caller sums the terms
 * themselves. The two totals give four doubles whose exact sum is the
 * terms' (grid_terms), which fsum then rounds as it would the terms. */
typedef struct gridsum {
    double ch, cl;     /* C_H and C_L */
    double q;          /* the grid */
    slab_wide h, l;    /* sums of bits(h) - bits(C_H) and of bits(l) - bits(C_L) */
    uint64_t and_, or_; /* every h's bits ANDed, ORed */
    uint64_t amax;      /* the largest |term|'s bits (the squared deviations' bound) */
    size_t n;          /* terms */
    int ok;            /* 0: a term or the rate is off the grid's range */
} gridsum;

#define GRID_FLUSH 2048 /* terms a lane sums before its total moves to g */

typedef uint64_t v4u __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

/* The exact sum of e[0..n-1] into g (the terms on g's grid). A pass of
 * its own, after bar_excess: there its additions waited on the division's
 * and competed with the drawdown's for the adders, and (tried again in this
 * integer form) its lanes no longer fit the registers. Two sets of lanes,
 * so each addition's latency is hidden. */
LANES_CLONES static void grid_sum(const double *e, size_t n, gridsum *g)
{
    const v4d ch = {g->ch, g->ch, g->ch, g->ch}, cl = {g->cl, g->cl, g->cl, g->cl};
    v4u hs = {0, 0, 0, 0}, ls = hs, hs2 = hs, ls2 = hs, or_ = hs;
    v4u and_ = {~0ULL, ~0ULL, ~0ULL, ~0ULL};
    const v4l abs = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
    v8i mx = {0, 0, 0, 0, 0, 0, 0, 0};
    uint64_t chb, clb;
    size_t i = 0;
    memcpy(&chb, &g->ch, sizeof chb);
    memcpy(&clb, &g->cl, sizeof clb);
    while (i + 8 <= n) {
        size_t end = i + 8 * GRID_FLUSH < n ? i + 8 * GRID_FLUSH : n, cnt = (end - i) / 8;
        for (; i + 8 <= end; i += 8) {
            v4d x, z;
            memcpy(&x, e + i, sizeof x);
            memcpy(&z, e + i + 4, sizeof z);
            v4d h = x + ch, l = (x - (h - ch)) + cl;
            v4d h2 = z + ch, l2 = (z - (h2 - ch)) + cl;
            hs += (v4u)h;
            ls += (v4u)l;
            hs2 += (v4u)h2;
            ls2 += (v4u)l2;
            and_ &= (v4u)h & (v4u)h2;
            or_ |= (v4u)h | (v4u)h2;
            /* the top 32 bits of |x| (sign, exponent, 20 bits of
             * mantissa), their running max: a bound on |x| within 2^-20
             * (pmaxsd on the integer units; its use checks the terms) */
            v8i tx = (v8i)(((v4u)x & (v4u)abs) >> 32), tz = (v8i)(((v4u)z & (v4u)abs) >> 32);
            v8i m1 = tx > mx;
            mx = (tx & m1) | (mx & ~m1);
            v8i m2 = tz > mx;
            mx = (tz & m2) | (mx & ~m2);
        }
        /* each lane took cnt terms: its raw sum less cnt C's bits (modulo
         * 2^64) is its true sum, below 2^62 in size */
        uint64_t hc = chb * (uint64_t)cnt, lc = clb * (uint64_t)cnt;
        for (int k = 0; k < 4; k++) {
            slab_wide_add(&g->h, hs[k] - hc);
            slab_wide_add(&g->h, hs2[k] - hc);
            slab_wide_add(&g->l, ls[k] - lc);
            slab_wide_add(&g->l, ls2[k] - lc);
        }
        hs = ls = hs2 = ls2 = (v4u){0, 0, 0, 0};
    }
    uint64_t a = and_[0] & and_[1] & and_[2] & and_[3], o = or_[0] | or_[1] | or_[2] | or_[3];
    uint64_t am = g->amax;
    for (int k = 0; k < 8; k++) { /* the max's 32 bits, the rest all ones: above it */
        uint64_t b = (uint64_t)(uint32_t)mx[k] << 32 | 0xffffffffULL;
        am = mx[k] && b > am ? b : am;
    }
    for (; i < n; i++) {
        double h = e[i] + g->ch, l = (e[i] - (h - g->ch)) + g->cl;
        uint64_t hb, lb, eb;
        memcpy(&hb, &h, sizeof hb);
        memcpy(&lb, &l, sizeof lb);
        memcpy(&eb, &e[i], sizeof eb);
        eb &= (uint64_t)INT64_MAX;
        am = eb > am ? eb : am;
        slab_wide_add(&g->h, hb - chb);
        slab_wide_add(&g->l, lb - clb);
        a &= hb;
        o |= hb;
    }
    g->and_ &= a;
    g->or_ |= o;
    g->amax = am;
    g->n += n;
}

/* out[j] = (v[i] / v[i - 1] - 1.0) - rate for i = lo + j < hi, lo >= 1
 * (excess() of TimeReturn when every period is one bar), and the bars
 * walked into the drawdown d (NULL: not). */
LANES_CLONES static void bar_excess(const double *v, size_t lo, size_t hi, double rate, double *out,
                                    ddwalk *d)
{
    const v4d one = {1.0, 1.0, 1.0, 1.0}, r = {rate, rate, rate, rate};
    const v4d inf = {INFINITY, INFINITY, INFINITY, INFINITY};
    /* the drawdown by groups of 16 bars: a group none of whose bars is
     * above the peak (nor NaN) only lowers the low, folded in as a vector;
     * another goes bar by bar (dd_block) */
    v4d pk = {d ? d->peak : 0.0, d ? d->peak : 0.0, d ? d->peak : 0.0, d ? d->peak : 0.0};
    v4d vlow = inf, glow = inf;
    v4l gok = {-1, -1, -1, -1};
    size_t i = lo, g0 = lo;
    for (; i + 4 <= hi; i += 4, out += 4) {
        v4d a, b;
        memcpy(&a, v + i, sizeof a);
        memcpy(&b, v + i - 1, sizeof b);
        v4d e = (a / b - one) - r;
        memcpy(out, &e, sizeof e);
        if (!d)
            continue;
        v4l lower = a < glow;
        glow = (v4d)(((v4l)a & lower) | ((v4l)glow & ~lower));
        gok &= a <= pk;
        if (i + 4 - g0 < 16)
            continue;
        dd_group(v + g0, i + 4 - g0, &gok, &glow, &vlow, &pk, d);
        g0 = i + 4;
    }
    if (d && i > g0)
        dd_group(v + g0, i - g0, &gok, &glow, &vlow, &pk, d);
    if (d)
        dd_fold(&vlow, d);
    for (; i < hi; i++) {
        *out++ = (v[i] / v[i - 1] - 1.0) - rate;
        if (d && !d->slow)
            dd_block(v + i, 1, d);
    }
}

int slab__bar_excess_portable = 0;

#if defined(__x86_64__) && defined(__GNUC__)
/* bar_excess on AVX2 with the drawdown's group tests on min and max
 * instructions: a group of 16 bars is four vectors, its low their minimum
 * (three vminpd, then one into the group's running low) and its test one
 * compare a vector, "above the peak or NaN" (NLE_UQ), ORed: about half the
 * operations of the portable loop, whose compare-and-blend minimum and
 * per-vector mask the C vector types force (the drawdown was a third of
 * the pass). The same groups, the same folds and walks, so the same bits:
 * the tree of minima differs from the running one only in which zero a
 * tie of +0 and -0 keeps, which no later comparison or the drawdown
 * (peak - low) tells apart, and a group holding a NaN is never folded. */
#include <immintrin.h>
#define EXCESS_AVX2 1

__attribute__((target("avx2"))) static inline __m256d excess4(const double *v, size_t i,
                                                               __m256d one, __m256d r)
{
    __m256d a = _mm256_loadu_pd(v + i), b = _mm256_loadu_pd(v + i - 1);
    return _mm256_sub_pd(_mm256_sub_pd(_mm256_div_pd(a, b), one), r);
}

/* The group v[0..n-1] (n = 4, 8, 12 or 16 bars, their minimum low, their
 * test over): folded or walked as dd_group does. */
__attribute__((target("avx2"))) static inline void group_end(const double *v, size_t n,
                                                             __m256d low, __m256d over,
                                                             __m256d *vlow, __m256d *pk,
                                                             ddwalk *d)
{
    if (d->slow)
        return;
    if (_mm256_movemask_pd(over) == 0) {
        *vlow = _mm256_min_pd(low, *vlow);
        return;
    }
    v4d fold = (v4d)*vlow;
    dd_fold(&fold, d);
    *vlow = (__m256d)fold;
    dd_block(v, n, d);
    *pk = _mm256_set1_pd(d->peak);
}

__attribute__((target("avx2"))) static void bar_excess_avx2(const double *v, size_t lo, size_t hi,
                                                            double rate, double *out, ddwalk *d)
{
    const __m256d one = _mm256_set1_pd(1.0), r = _mm256_set1_pd(rate);
    const __m256d inf = _mm256_set1_pd(INFINITY);
    size_t i = lo;
    if (d) {
        __m256d pk = _mm256_set1_pd(d->peak), vlow = inf;
        for (; i + 16 <= hi; i += 16, out += 16) {
            __m256d a0 = _mm256_loadu_pd(v + i), a1 = _mm256_loadu_pd(v + i + 4);
            __m256d a2 = _mm256_loadu_pd(v + i + 8), a3 = _mm256_loadu_pd(v + i + 12);
            _mm256_storeu_pd(out, excess4(v, i, one, r));
            _mm256_storeu_pd(out + 4, excess4(v, i + 4, one, r));
            _mm256_storeu_pd(out + 8, excess4(v, i + 8, one, r));
            _mm256_storeu_pd(out + 12, excess4(v, i + 12, one, r));
            __m256d low = _mm256_min_pd(_mm256_min_pd(a0, a1), _mm256_min_pd(a2, a3));
            __m256d over = _mm256_or_pd(
                _mm256_or_pd(_mm256_cmp_pd(a0, pk, _CMP_NLE_UQ), _mm256_cmp_pd(a1, pk, _CMP_NLE_UQ)),
                _mm256_or_pd(_mm256_cmp_pd(a2, pk, _CMP_NLE_UQ), _mm256_cmp_pd(a3, pk, _CMP_NLE_UQ)));
            group_end(v + i, 16, low, over, &vlow, &pk, d);
        }
        if (i + 4 <= hi) { /* the last group: 4, 8 or 12 bars */
            size_t g0 = i;
            __m256d low = inf, over = _mm256_setzero_pd();
            for (; i + 4 <= hi; i += 4, out += 4) {
                __m256d a = _mm256_loadu_pd(v + i);
                _mm256_storeu_pd(out, excess4(v, i, one, r));
                low = _mm256_min_pd(a, low);
                over = _mm256_or_pd(over, _mm256_cmp_pd(a, pk, _CMP_NLE_UQ));
            }
            group_end(v + g0, i - g0, low, over, &vlow, &pk, d);
        }
        v4d fold = (v4d)vlow;
        dd_fold(&fold, d);
    } else {
        for (; i + 4 <= hi; i += 4, out += 4)
            _mm256_storeu_pd(out, excess4(v, i, one, r));
    }
    for (; i < hi; i++) {
        *out++ = (v[i] / v[i - 1] - 1.0) - rate;
        if (d && !d->slow)
            dd_block(v + i, 1, d);
    }
}
#endif

/* g for excess returns over rate, or g->ok = 0 when rate is not a normal
 * number the grid can use. */
static void grid_init(gridsum *g, double rate)
{
    int ex = 0;
    memset(g, 0, sizeof *g);
    if (rate != 0.0)
        frexp(rate, &ex); /* rate = m 2^ex, 0.5 <= |m| < 1: ulp 2^(ex - 53) */
    int qe = rate != 0.0 && ex - 53 < -53 ? ex - 53 : -53;
    g->ok = isfinite(rate) && qe >= -900;
    g->q = ldexp(1.0, g->ok ? qe : -53);
    g->ch = 0x1.8p103 * g->q;
    g->cl = 0x1.8p52 * g->q;
    g->and_ = ~0ULL;
}

/* The grid's exact sum as four doubles into buf[*m..]; 0 when a term was
 * off the grid's range (nothing written). The sum is H 2^51 q + L q; each
 * of H and L (below 2^51 n and 2^50 n) is cut at bit 36 into two parts a
 * double holds exactly, scaled by powers of two (exact). */
static int grid_terms(const gridsum *g, double *buf, size_t *m)
{
    uint64_t chb;
    memcpy(&chb, &g->ch, sizeof chb);
    if (!g->ok || g->n >= ((size_t)1 << 36) || (g->and_ >> 52) != (chb >> 52) ||
        (g->or_ >> 52) != (chb >> 52))
        return 0; /* an h outside C_H's binade: sign and exponent differ */
    const uint64_t low = ((uint64_t)1 << 36) - 1;
    buf[(*m)++] = (double)slab_wide_shr(&g->h, 36) * (0x1p87 * g->q);
    buf[(*m)++] = (double)(g->h.lo & low) * (0x1p51 * g->q);
    buf[(*m)++] = (double)slab_wide_shr(&g->l, 36) * (0x1p36 * g->q);
    buf[(*m)++] = (double)(g->l.lo & low) * g->q;
    return 1;
}

/* sharpe_of over the TimeReturn of table t when the record changes only
 * inside the spans (slab_headline_compute_spans): the periods holding no
 * bar of a span return exactly 0, so their excess returns are one value
 * added as a count. buf holds t->n + 8 doubles. With one bar a period, dd
 * (when not NULL, started on bar 0) walks the spans' bars too, unless it
 * comes back slow. ret (or NULL): t's TimeReturn, already taken. Returns
 * 0 when that value is not finite (the caller then takes every period). */
static int sharpe_spans(const periods *t, const slab_bar_span *sp, size_t n_sp,
                        const slab_sharpe_params *p, double *buf, double *out, int *is_none,
                        ddwalk *dd, const double *ret)
{
    rets r = timereturn_of(t);
    if (ret)
        r.ret = ret; /* t's returns, already taken (returns_into) */
    excess_rule x = excess_rule_of(p);
    size_t n = r.n, bessel = p->stddev_sample ? 1 : 0, m = 0, next = 0;
    double flat = excess_of(0.0, &x), avg, sd;

    *out = 0.0;
    *is_none = 1;
    if (dd && (!isfinite(flat) || n >= ((size_t)1 << 26) || n <= bessel))
        dd->slow = 1; /* not walked */
    if (!isfinite(flat) || n >= ((size_t)1 << 26))
        return 0;
    if (n <= bessel)
        return 1;
    int bars = n == t->eq->n && !x.compound;  /* one bar a period: no table */
    int grid = bars && n < ((size_t)1 << 21); /* every term on the grid */
    gridsum g;
    grid_init(&g, x.rate);
#ifdef EXCESS_AVX2
    int avx2 = !slab__bar_excess_portable && __builtin_cpu_supports("avx2");
#endif
    for (size_t s = 0; s < n_sp; s++) {
        size_t k = bars ? sp[s].lo : period_of(t, sp[s].lo);
        if (next >= n) {
            if (dd)
                dd->slow = 1; /* spans left unwalked (not for a valid record) */
            break;
        }
        if (bars && k > 0) {
#ifdef EXCESS_AVX2
            if (avx2)
                bar_excess_avx2(t->eq->value, k, sp[s].hi, x.rate, buf + m, dd);
            else
#endif
                bar_excess(t->eq->value, k, sp[s].hi, x.rate, buf + m, dd);
            m += sp[s].hi - k;
            next = sp[s].hi;
            continue;
        }
        grid = 0;
        if (dd)
            dd->slow = 1; /* not walked here: the caller walks it */
        for (k = k > next ? k : next; k < n && pfirst(t, k) < sp[s].hi; k++)
            buf[m++] = excess(&r, k, &x);
        next = k;
    }
    size_t z = n - m, e = m;
    if (grid)
        grid_sum(buf, m, &g);
    if (grid && grid_terms(&g, buf, &m)) { /* the exact sum in four terms, after the terms */
        add_copies(buf, &m, flat, z);
        avg = slab_fsum_fast(buf + e, m - e) / (double)n;
    } else {
        add_copies(buf, &m, flat, z);
        avg = slab_fsum_fast(buf, m) / (double)n;
    }
    double dflat = sq(flat - avg), ex[2];
    size_t ne = 0;
    if (!isfinite(dflat))
        return 0;
    add_copies(ex, &ne, dflat, z);
    double xmax = NAN; /* a bound on every |term| (the grid pass's), NaN: none */
    if (grid && g.ok)
        memcpy(&xmax, &g.amax, sizeof xmax);
    /* xmax bounds every term (the grid pass's maximum, taken over them) */
    sd = sqrt(slab_fsum_sqdev_bounded(buf, e, avg, xmax, ex, ne) / (double)(n - bessel));
    if (sd == 0.0) /* ZeroDivisionError -> None */
        return 1;
    *out = avg / sd;
    if (x.factor > 0.0 && p->convertrate && p->annualize)
        *out = sqrt(x.factor) * *out;
    *is_none = 0;
    return 1;
}

/* DrawDown's max.drawdown of a record that changes only inside the spans:
 * a bar outside them repeats the bar before, which changes neither the
 * peak nor the largest drawdown, so the first bar and the spans' bars
 * alone give the same bits (slab_max_drawdown_pct's walk). */
static double drawdown_spans(const slab_equity *eq, const slab_bar_span *sp, size_t n_sp,
                             double *buf)
{
    ddwalk d = {-INFINITY, INFINITY, 0.0, 0};
    dd_block(eq->value, 1, &d);
    for (size_t s = 0; s < n_sp && !d.slow; s++) {
        size_t lo = sp[s].lo ? sp[s].lo : 1;
        if (sp[s].hi > lo)
            dd_block(eq->value + lo, sp[s].hi - lo, &d);
    }
    if (!d.slow) {
        dd_close(&d);
        return d.max;
    }
    /* a value the walk does not take: every bar's value (value_at's, the
     * stored ones and those between the spans) by slab_max_drawdown_pct */
    size_t cur = 0;
    periods all = {.eq = eq, .sp = sp, .n_sp = n_sp, .cur = &cur};
    for (size_t i = 0; i < eq->n; i++)
        buf[i] = value_at(&all, i);
    return slab_max_drawdown_pct(buf, eq->n);
}

/* slab_sqn, the sums taken over buf (n closed trades at most). */
static void sqn_buf(const slab_trade *trades, size_t n, double *buf, slab_sqn_result *out)
{
    size_t k = 0;
    double avg, sd;
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
        if (!trades[i].is_open)
            buf[k++] = trades[i].pnlcomm;
    out->trades = k;
    if (k <= 1) /* backtrader's int 0 */
        return;
    avg = slab_fsum_fast(buf, k) / (double)k;
    for (size_t i = 0; i < k; i++)
        buf[i] = sq(buf[i] - avg);
    sd = sqrt(slab_fsum_fast(buf, k) / (double)k);
    if (sd == 0.0) {
        out->is_none = 1;
        return;
    }
    out->sqn = sqrt((double)k) * avg / sd;
}

/* slab_headline_compute with the plan given; spans NULL: every bar. */
static void headline(const slab_equity *eq, const slab_bar_span *sp, size_t n_sp, double *buf,
                     const slab_trade *trades, size_t n_trades, const slab_period_plan *plan,
                     double *daily, slab_headline *out)
{
    slab_sharpe_params p;
    size_t cur[3];
    periods years = table_on(&plan->years, eq, sp, n_sp, &cur[0]);
    periods days = table_on(&plan->days, eq, sp, n_sp, &cur[1]);
    rets r = timereturn_of(&years);
    slab_bar_span all = {0, eq->n}; /* every period, summed from buf */
    slab_sharpe_params_default(&p);
    if (!sp ||
        !sharpe_spans(&years, &all, 1, &p, buf, &out->sharpe, &out->sharpe_none, NULL, NULL))
        sharpe_of(&r, &p, &out->sharpe, &out->sharpe_none);
    p.timeframe = SLAB_TF_DAYS; /* SharpeRatio_A(timeframe=Days) */
    p.annualize = 1;
    r = timereturn_of(&days);
    if (daily) { /* the caller's too: taken once */
        returns_into(&days, daily);
        r.ret = daily;
    }
    if (!sp || !sharpe_spans(&days, &all, 1, &p, buf, &out->sharpe_days, &out->sharpe_days_none,
                             NULL, daily))
        sharpe_of(&r, &p, &out->sharpe_days, &out->sharpe_days_none);
    returns_from(eq, plan->datap->n, 0.0, &out->returns);
    out->annual_return_pct = out->returns.rnorm100;
    out->periods_per_year = out->returns.tann;
    if (eq->timeframe < SLAB_TF_DAYS && days.n > 0) { /* intraday: 252 sessions a year */
        slab_returns_result fit;
        returns_from(eq, plan->datap->n, 252.0 * (double)plan->datap->n / (double)days.n, &fit);
        out->annual_return_pct = fit.rnorm100;
        out->periods_per_year = fit.tann;
    }
    slab_sharpe_params_default(&p);
    p.timeframe = plan->datap->tf;
    p.compression = plan->datap->comp;
    p.factor = out->periods_per_year;
    p.annualize = 1;
    periods data = table_on(plan->datap, eq, sp, n_sp, &cur[2]);
    ddwalk dd = {-INFINITY, INFINITY, 0.0, 0}; /* walked with the bars' returns */
    if (sp)
        dd_block(eq->value, 1, &dd);
    if (!sp ||
        !sharpe_spans(&data, sp, n_sp, &p, buf, &out->sharpe_fit, &out->sharpe_fit_none, &dd,
                      NULL)) {
        r = timereturn_of(&data);
        sharpe_of(&r, &p, &out->sharpe_fit, &out->sharpe_fit_none);
    }
    if (!sp) {
        out->max_drawdown = slab_max_drawdown_pct(eq->value, eq->n);
    } else if (dd.slow) {
        out->max_drawdown = drawdown_spans(eq, sp, n_sp, buf);
    } else {
        dd_close(&dd);
        out->max_drawdown = dd.max;
    }
    if (sp && n_trades <= eq->n)
        sqn_buf(trades, n_trades, buf, &out->sqn);
    else
        slab_sqn(trades, n_trades, &out->sqn);
}

slab_status slab_headline_compute(const slab_equity *eq, const slab_trade *trades, size_t n_trades,
                                  const slab_period_plan *plan, slab_headline *out, slab_error *err)
{
    slab_period_plan *own = NULL;
    slab_status rc;

    memset(out, 0, sizeof *out);
    if ((rc = check_equity(eq, err)) != SLAB_OK)
        return rc;
    if (plan && !plan_fits(plan, eq))
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "the period plan was built for other bars than this run's");
    if (!plan && (rc = slab_period_plan_new(eq, &own, err)) != SLAB_OK)
        return rc;
    headline(eq, NULL, 0, NULL, trades, n_trades, plan ? plan : own, NULL, out);
    slab_period_plan_free(own);
    return SLAB_OK;
}

slab_status slab_headline_compute_spans(const slab_equity *eq, const slab_bar_span *spans,
                                        size_t n_spans, const slab_trade *trades, size_t n_trades,
                                        const slab_period_plan *plan, double *scratch,
                                        double *daily, slab_headline *out, slab_error *err)
{
    slab_status rc;

    memset(out, 0, sizeof *out);
    if ((rc = check_equity(eq, err)) != SLAB_OK)
        return rc;
    if (!plan || !plan_fits(plan, eq))
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "the period plan was built for other bars than this run's");
    headline(eq, spans, n_spans, scratch, trades, n_trades, plan, daily, out);
    return SLAB_OK;
}

slab_status slab_daily_returns(const slab_equity *eq, const slab_period_plan *plan, double *out,
                               slab_error *err)
{
    if (!plan_fits(plan, eq))
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "the period plan was built for other bars than this run's");
    size_t cur;
    periods days = table_on(&plan->days, eq, NULL, 0, &cur);
    returns_into(&days, out);
    return SLAB_OK;
}
