/* engine.c: the bar loop and the strategy context (the accessors declared
 * in strategy.h). Per bar t, in backtrader's order: broker step (orders
 * from t-1 are checked and filled at O[t]), order then trade notifications,
 * the strategy's next() once t reaches its minimum period, then the value
 * after the bar is recorded for the analyzers.
 * Invariant: accessors index only bars 0..t; indicators are computed once
 * by causal kernels, so the value at t never depends on bars after t. */
#include "stratlab/engine.h"
#include "stratlab/ind.h"

#include "engine/risk_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_SERIES 1024

struct slab_ctx {
    const slab_bars *bars;         /* feed 0, the one a strategy trades */
    size_t n;                      /* feed 0's bars in this run (indicator length) */
    size_t i;                      /* feed 0's current bar (its last one at this step) */
    const slab_bars *const *feeds; /* every feed, n_feeds of them */
    size_t n_feeds;
    const int64_t *clock;          /* the union of the feeds' times, n_steps values */
    size_t n_steps;                /* clock steps up to the run's end */
    size_t first_step;             /* the first step run; those before only
                                      move the feeds (preroll_until_ns) */
    size_t step;                   /* the current step */
    size_t *next_bar;              /* per feed: its bars delivered so far */
    slab_day_record *days;         /* per-session records (slab_ctx_new_day) */
    size_t n_days, cap_days;
    const double *series[MAX_SERIES]; /* column or indicator arrays, n each */
    long start[MAX_SERIES];        /* first valid index of each series */
    int n_series;
    const signed char *signs[MAX_SERIES]; /* sign series (series[] NULL there):
                                      -1, 0, +1 or SLAB_SIGN_NAN, n each */
    void *owned[MAX_SERIES];       /* indicator arrays this run allocated */
    int n_owned;
    const slab_ind_share *share;   /* shared indicator outputs, or NULL */
    const slab_ind_def *shared_def[MAX_SERIES]; /* indicators taken from share */
    const double *shared_out[MAX_SERIES][SLAB_IND_MAX_OUTPUTS]; /* their outputs */
    int n_shared;
    int day_series;                /* series id of the day numbers, -1 none yet */
    const slab_strategy_def *def;
    const double *params;          /* def->n_params values */
    slab_broker *broker;           /* cash, positions, orders, trades */
    const slab_broker_view *bv;    /* the broker's cash, value, positions */
    slab_feed_bar *fbar;           /* every feed's current bar as the broker sees
                                      it (n_feeds) */
    slab__risk risk;               /* the risk manager (risk.h) */
    slab_risk_config risk_cfg;     /* the run's risk settings plus the
                                      strategy's, until the loop starts */
    const slab_risk_config *risk_given; /* the run config's own */
    long lookahead;                /* refused reads of the future */
    long sizer_zero;               /* orders the sizer sized to 0 shares */
    int in_init;                   /* 1 while init() runs */
    int replaying;                 /* 1 while slab_series_compute calls its fn */
    void *state;                   /* the strategy's state (state_size bytes) */
    size_t state_size;
    unsigned char computed[MAX_SERIES]; /* 1: made by slab_series_compute (its
                                      array is this run's: never shared) */
    unsigned char nowait[MAX_SERIES]; /* 1: next() does not wait for it
                                      (slab_series_nowait) */
    long started1;                 /* slab_strategy_started: its bar + 1 (0: not called) */
    long warmup;                   /* first bar a strategy asked next() to
                                      start at (slab_ctx_set_warmup) */
    const void *strategy_arg;      /* the run config's strategy_arg */
    int stamp_end;                 /* the run config's stamp_end */
    const slab_earnings *earnings; /* the run config's calendar */
    size_t n_earnings;
    int has_earnings;              /* the run config's has_earnings */
    const char *const *param_text; /* the run config's param_text */
    size_t n_param_text;
    slab_error *err;               /* where init failures go */
    slab_status failed;            /* first error inside a callback */
};

static int fail_nomem(slab_ctx *ctx, const char *what, const char *name);

double slab_get(const slab_ctx *ctx, int series, int ago)
{
    if (ago > 0) {
        ((slab_ctx *)ctx)->lookahead++;
        return NAN;
    }
    if ((unsigned)series >= (unsigned)ctx->n_series || (size_t)(-(long)ago) > ctx->i)
        return NAN;
    size_t at = ctx->i + (size_t)(long)ago;
    if (ctx->series[series])
        return ctx->series[series][at];
    if (ctx->signs[series] && ctx->signs[series][at] != SLAB_SIGN_NAN)
        return (double)ctx->signs[series][at];
    return NAN;
}

int slab_series_release(slab_ctx *ctx, int series)
{
    if (!ctx->in_init || ctx->replaying || series < SLAB_N_COLUMNS || series >= ctx->n_series ||
        !ctx->series[series] || series == ctx->day_series)
        return -1;
    for (int k = 0; k < ctx->n_owned; k++)
        if (ctx->owned[k] == ctx->series[series]) {
            slab_free(ctx->owned[k]);
            ctx->owned[k] = NULL;
            ctx->series[series] = NULL;
            return 0;
        }
    return 0; /* shared with other runs: kept */
}

int64_t slab_time(const slab_ctx *ctx, int ago)
{
    if (ago > 0) {
        ((slab_ctx *)ctx)->lookahead++;
        return 0;
    }
    if ((size_t)(-(long)ago) > ctx->i)
        return 0;
    return ctx->bars->ts_ns[ctx->i + (size_t)(long)ago];
}

long slab_bar(const slab_ctx *ctx) { return (long)ctx->i; }

int slab_n_feeds(const slab_ctx *ctx) { return (int)ctx->n_feeds; }

int slab_feed_find(const slab_ctx *ctx, const char *symbol)
{
    if (!symbol)
        return -1;
    for (size_t k = 0; k < ctx->n_feeds; k++)
        if (!strcmp(ctx->feeds[k]->symbol, symbol))
            return (int)k;
    return -1;
}

/* Index of feed's bar ago bars back from its current one, or -1 (no such
 * feed, not started, before its first bar, or a look-ahead ago > 0). */
static long feed_index(const slab_ctx *ctx, int feed, int ago)
{
    if (ago > 0) {
        ((slab_ctx *)ctx)->lookahead++;
        return -1;
    }
    if (feed < 0 || (size_t)feed >= ctx->n_feeds || (ctx->in_init && !ctx->replaying) ||
        !ctx->fbar)
        return -1;
    size_t got = ctx->next_bar[feed]; /* bars delivered so far */
    if (got == 0 || (size_t)(-(long)ago) >= got)
        return -1;
    return (long)(got - 1) + ago;
}

double slab_feed_get(const slab_ctx *ctx, int feed, int column, int ago)
{
    long i = feed_index(ctx, feed, ago);
    if (i < 0 || column < 0 || column >= SLAB_N_COLUMNS)
        return NAN;
    const slab_bars *b = ctx->feeds[feed];
    const double *cols[SLAB_N_COLUMNS] = {b->open, b->high, b->low, b->close, b->volume, b->oi};
    return cols[column][i];
}

int64_t slab_feed_time(const slab_ctx *ctx, int feed, int ago)
{
    long i = feed_index(ctx, feed, ago);
    return i < 0 ? 0 : ctx->feeds[feed]->ts_ns[i];
}

const char *slab_feed_symbol(const slab_ctx *ctx, int feed)
{
    return feed >= 0 && (size_t)feed < ctx->n_feeds ? ctx->feeds[feed]->symbol : "";
}

int slab_feed_fresh(const slab_ctx *ctx, int feed)
{
    if (feed < 0 || (size_t)feed >= ctx->n_feeds || (ctx->in_init && !ctx->replaying) ||
        !ctx->fbar)
        return 0;
    return ctx->fbar[feed].fresh;
}

slab_day_record *slab_ctx_new_day(slab_ctx *ctx)
{
    if (ctx->n_days == ctx->cap_days) {
        size_t cap = ctx->cap_days ? 2 * ctx->cap_days : 64;
        slab_day_record *d = slab_realloc(ctx->days, cap * sizeof *d);
        if (!d) {
            fail_nomem(ctx, "the session records", "");
            return NULL;
        }
        ctx->days = d;
        ctx->cap_days = cap;
    }
    slab_day_record *r = &ctx->days[ctx->n_days++];
    memset(r, 0, sizeof *r);
    return r;
}

int slab_ctx_stamp_end(const slab_ctx *ctx) { return ctx->stamp_end; }

slab_day_record *slab_day_new(slab_ctx *ctx)
{
    return ctx->in_init ? NULL : slab_ctx_new_day(ctx);
}

int slab_earnings_near(const slab_ctx *ctx, int64_t day)
{
    if (!ctx->has_earnings)
        return -1;
    return slab_earnings_hit(ctx->earnings, ctx->n_earnings, ctx->bars->symbol, day);
}

const slab_earnings *slab_ctx_earnings(const slab_ctx *ctx, size_t *n)
{
    *n = ctx->n_earnings;
    return ctx->earnings;
}

double slab_param(const slab_ctx *ctx, const char *name)
{
    for (int k = 0; k < ctx->def->n_params; k++)
        if (!strcmp(ctx->def->params[k].name, name))
            return ctx->params ? ctx->params[k] : ctx->def->params[k].def;
    return NAN;
}

const char *slab_param_text(const slab_ctx *ctx, const char *name)
{
    size_t len = strlen(name);
    for (size_t k = 0; k < ctx->n_param_text; k++)
        if (!strncmp(ctx->param_text[k], name, len) && ctx->param_text[k][len] == '=')
            return ctx->param_text[k] + len + 1;
    return "";
}

int slab_series_nowait(slab_ctx *ctx, int series)
{
    if (!ctx->in_init || ctx->replaying || (unsigned)series >= (unsigned)ctx->n_series)
        return -1;
    ctx->nowait[series] = 1;
    return 0;
}

long slab_series_start(const slab_ctx *ctx, int series)
{
    return (unsigned)series < (unsigned)ctx->n_series ? ctx->start[series] : -1;
}

int slab_fail(slab_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    char msg[SLAB_ERR_MSG_MAX];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ctx->failed == SLAB_OK)
        ctx->failed = slab_error_set(ctx->err, SLAB_EINVAL, ctx->def->name, "%s", msg);
    return -1;
}

/* slab_fail for an allocation that failed, with SLAB_ENOMEM, so a caller
 * can tell a full machine from a wrong strategy. */
static int fail_nomem(slab_ctx *ctx, const char *what, const char *name)
{
    if (ctx->failed == SLAB_OK)
        ctx->failed = slab_error_set(ctx->err, SLAB_ENOMEM, ctx->def->name, "out of memory for %s%s",
                                     what, name);
    return -1;
}

static long first_valid(const double *x, size_t n)
{
    size_t i = 0;
    while (i < n && isnan(x[i]))
        i++;
    return (long)i;
}

/* Fills p[] with def's parameters: params[0..n_params-1], then the
 * defaults. Returns 0, or -1 after slab_fail() for one outside its range. */
static int resolve_params(slab_ctx *ctx, const slab_ind_def *def, const double *params,
                          int n_params, double *p)
{
    for (int k = 0; k < def->n_params; k++) {
        const slab_ind_param *d = &def->params[k];
        p[k] = k < n_params ? params[k] : d->def;
        if (!(p[k] >= d->min && p[k] <= d->max) || (d->is_int && p[k] != floor(p[k])))
            return slab_fail(ctx, "%s %s = %g is outside %g..%g%s", def->name, d->name, p[k],
                             d->min, d->max, d->is_int ? " (whole numbers)" : "");
    }
    return 0;
}

int slab_indicator(slab_ctx *ctx, const char *name, const int *inputs, int n_inputs,
                   const double *params, int n_params)
{
    slab_error e;
    const slab_ind_def *def = slab_ind_find(name, &e);
    double p[SLAB_IND_MAX_PARAMS];
    const double *in[SLAB_IND_MAX_INPUTS];
    double *out[SLAB_IND_MAX_OUTPUTS];

    if (!ctx->in_init || ctx->replaying)
        return slab_fail(ctx, "indicator %s declared outside init()%s", name,
                         ctx->replaying ? " (inside a slab_series_compute function)" : "");
    if (!def)
        return slab_fail(ctx, "%s", e.msg);
    if (n_inputs != def->n_inputs || n_params > def->n_params)
        return slab_fail(ctx, "%s takes %d input(s) and at most %d parameter(s), got %d and %d",
                         def->name, def->n_inputs, def->n_params, n_inputs, n_params);
    if (ctx->n_series + def->n_outputs > MAX_SERIES)
        return slab_fail(ctx, "too many indicator outputs (limit %d)", MAX_SERIES);
    if (resolve_params(ctx, def, params, n_params, p))
        return -1;
    int computed_input = 0;
    for (int k = 0; k < n_inputs; k++) {
        if ((unsigned)inputs[k] < (unsigned)ctx->n_series)
            computed_input |= ctx->computed[inputs[k]];
        if ((unsigned)inputs[k] >= (unsigned)ctx->n_series)
            return slab_fail(ctx, "%s input %d is not a series id", def->name, k);
        if (!ctx->series[inputs[k]])
            return slab_fail(ctx, "%s input %d was released (slab_series_release)", def->name, k);
        in[k] = ctx->series[inputs[k]];
    }
    int first = ctx->n_series;
    const double *got[SLAB_IND_MAX_OUTPUTS];
    if (ctx->share && !computed_input &&
        ctx->share->get(ctx->share->user, def, in, ctx->n, p, got)) {
        /* computed once for every run on these bars; given back at the end */
        ctx->shared_def[ctx->n_shared] = def;
        memcpy(ctx->shared_out[ctx->n_shared++], got, sizeof got);
    } else {
        for (int k = 0; k < def->n_outputs; k++) {
            double *arr = slab_malloc(ctx->n * sizeof(double));
            if (!arr)
                return fail_nomem(ctx, "indicator ", def->name);
            ctx->owned[ctx->n_owned++] = arr;
            out[k] = arr;
            got[k] = arr;
        }
        if (def->fn(in, ctx->n, p, out, &e) != SLAB_OK)
            return slab_fail(ctx, "%s: %s", def->name, e.msg);
    }
    for (int k = 0; k < def->n_outputs; k++) {
        ctx->series[ctx->n_series] = got[k];
        ctx->start[ctx->n_series] = first_valid(got[k], ctx->n);
        ctx->n_series++;
    }
    return first;
}

/* slab_ctx_sma_cross as declared: the two SMAs, their crossover, the
 * SMAs released. */
static int sma_cross_declared(slab_ctx *ctx, int column, double fast, double slow)
{
    int f = slab_indicator(ctx, "SMA_BT", &column, 1, &fast, 1);
    int l = f < 0 ? -1 : slab_indicator(ctx, "SMA_BT", &column, 1, &slow, 1);
    if (l < 0)
        return -1;
    int in[2] = {f, l}, x = slab_indicator(ctx, "CrossOver", in, 2, NULL, 0);
    slab_series_release(ctx, f);
    slab_series_release(ctx, l);
    return x;
}

/* Bars per block of slab_ind_sma_cross_signs: its scratch is about 1 MB. */
#define SIGN_BLOCK 65536

int slab_ctx_sma_cross(slab_ctx *ctx, int column, double fast, double slow)
{
    slab_error e;
    const slab_ind_def *def = slab_ind_find("SMA_BT", &e);
    double pf, ps;
    if (!ctx->in_init)
        return slab_fail(ctx, "slab_ctx_sma_cross outside init()");
    if (ctx->share || column < 0 || column >= SLAB_N_COLUMNS || !def)
        return sma_cross_declared(ctx, column, fast, slow); /* shared, or its errors */
    if (resolve_params(ctx, def, &fast, 1, &pf) || resolve_params(ctx, def, &slow, 1, &ps))
        return -1;
    if (ctx->n_series >= MAX_SERIES)
        return slab_fail(ctx, "too many indicator outputs (limit %d)", MAX_SERIES);
    size_t room = SIGN_BLOCK + (size_t)(pf > ps ? pf : ps);
    signed char *sg = slab_malloc(ctx->n ? ctx->n : 1);
    double *scratch = slab_malloc(2 * room * sizeof *scratch);
    if (!sg || !scratch) {
        slab_free(sg);
        slab_free(scratch);
        return fail_nomem(ctx, "indicator ", "CrossOver");
    }
    int rc = slab_ind_sma_cross_signs(ctx->series[column], ctx->n, (int)pf, (int)ps, scratch,
                                      SIGN_BLOCK, sg);
    slab_free(scratch);
    if (rc != 0) {
        slab_free(sg);
        return sma_cross_declared(ctx, column, fast, slow); /* a non-finite column */
    }
    size_t first = 0;
    while (first < ctx->n && sg[first] == SLAB_SIGN_NAN)
        first++;
    ctx->owned[ctx->n_owned++] = sg;
    ctx->signs[ctx->n_series] = sg;
    ctx->start[ctx->n_series] = (long)first;
    return ctx->n_series++;
}

const void *slab_ctx_strategy_arg(const slab_ctx *ctx) { return ctx->strategy_arg; }

size_t slab_ctx_n_bars(const slab_ctx *ctx) { return ctx->n; }

const double *slab_ctx_column(const slab_ctx *ctx, int column)
{
    if (!ctx->in_init || column < 0 || column >= SLAB_N_COLUMNS)
        return NULL;
    return ctx->series[column];
}

const int64_t *slab_ctx_times(const slab_ctx *ctx)
{
    return ctx->in_init ? ctx->bars->ts_ns : NULL;
}

/* feed's bars at or before the run's last clock step. */
static size_t feed_len(const slab_ctx *ctx, int feed)
{
    if (feed == 0)
        return ctx->n;
    const slab_bars *b = ctx->feeds[feed];
    size_t n = b->n;
    int64_t end = ctx->n_steps ? ctx->clock[ctx->n_steps - 1] : INT64_MIN;
    while (n > 0 && b->ts_ns[n - 1] > end)
        n--;
    return n;
}

const double *slab_ctx_feed_column(const slab_ctx *ctx, int feed, int column, size_t *n)
{
    if (!ctx->in_init || feed < 0 || (size_t)feed >= ctx->n_feeds || column < 0 ||
        column >= SLAB_N_COLUMNS)
        return NULL;
    if (feed == 0) {
        *n = ctx->n;
        return ctx->series[column];
    }
    const slab_bars *b = ctx->feeds[feed];
    const double *cols[SLAB_N_COLUMNS] = {b->open, b->high, b->low, b->close, b->volume, b->oi};
    *n = feed_len(ctx, feed);
    return cols[column];
}

const int64_t *slab_ctx_feed_times(const slab_ctx *ctx, int feed, size_t *n)
{
    if (!ctx->in_init || feed < 0 || (size_t)feed >= ctx->n_feeds)
        return NULL;
    *n = feed_len(ctx, feed);
    return ctx->feeds[feed]->ts_ns;
}

double slab_ctx_feed_position_price(const slab_ctx *ctx, int feed)
{
    return feed >= 0 && (size_t)feed < ctx->n_feeds ? ctx->bv->positions[feed].price : 0.0;
}

double slab_feed_position_price(const slab_ctx *ctx, int feed)
{
    return slab_ctx_feed_position_price(ctx, feed);
}

_Static_assert(SLAB_SIZER_STAKE == (int)SLAB_SIZER_FIXED && SLAB_SIZER_PCT == (int)SLAB_SIZER_PERCENT &&
                   SLAB_SIZER_PCT_INT == (int)SLAB_SIZER_PERCENT_INT,
               "strategy.h's sizer kinds follow broker.h's");

int slab_run_sizer(const slab_ctx *ctx, double *amount)
{
    const slab_sizer *z = &slab_broker_cfg(ctx->broker)->sizer;
    if (amount)
        *amount = z->amount;
    return (int)z->kind;
}

_Static_assert(SLAB_UNIT_TICKS == (int)SLAB_TF_TICKS && SLAB_UNIT_SECONDS == (int)SLAB_TF_SECONDS &&
                   SLAB_UNIT_MINUTES == (int)SLAB_TF_MINUTES && SLAB_UNIT_DAYS == (int)SLAB_TF_DAYS &&
                   SLAB_UNIT_YEARS == (int)SLAB_TF_YEARS,
               "strategy.h's bar units follow data.h's timeframes");

int slab_bar_unit(const slab_ctx *ctx, int *compression)
{
    if (compression)
        *compression = ctx->bars->compression;
    return (int)ctx->bars->timeframe;
}

int slab_strategy_started(slab_ctx *ctx)
{
    if (ctx->in_init)
        return -1;
    if (!ctx->started1)
        ctx->started1 = (long)ctx->i + 1;
    return 0;
}

int slab_ctx_set_warmup(slab_ctx *ctx, long first_bar)
{
    if (!ctx->in_init)
        return -1;
    if (first_bar > ctx->warmup)
        ctx->warmup = first_bar;
    return 0;
}

slab_timeframe slab_ctx_timeframe(const slab_ctx *ctx, int *compression)
{
    if (compression)
        *compression = ctx->bars->compression;
    return ctx->bars->timeframe;
}

int64_t slab_bar_ns(const slab_ctx *ctx)
{
    int64_t unit = ctx->bars->timeframe == SLAB_TF_MINUTES   ? 60 * SLAB_NS_PER_SEC
                   : ctx->bars->timeframe == SLAB_TF_SECONDS ? SLAB_NS_PER_SEC
                                                             : 0;
    return unit * ctx->bars->compression;
}

int slab_stamp_end(const slab_ctx *ctx) { return ctx->stamp_end != 0; }

int slab_day_series(slab_ctx *ctx)
{
    if (!ctx->in_init || ctx->replaying)
        return slab_fail(ctx, "the day series is declared outside init()");
    if (ctx->day_series >= 0)
        return ctx->day_series;
    if (ctx->n_series >= MAX_SERIES)
        return slab_fail(ctx, "too many series (limit %d)", MAX_SERIES);
    double *day = slab_malloc((ctx->n ? ctx->n : 1) * sizeof(double));
    if (!day)
        return fail_nomem(ctx, "the day series", "");
    for (size_t i = 0; i < ctx->n; i++)
        day[i] = (double)slab_ts_day(ctx->bars->ts_ns[i]);
    ctx->owned[ctx->n_owned++] = day;
    ctx->series[ctx->n_series] = day;
    ctx->start[ctx->n_series] = 0;
    ctx->day_series = ctx->n_series;
    return ctx->n_series++;
}

/* Moves every feed to clock step s, backtrader's way: a feed whose next
 * bar is stamped at this step delivers it (fresh); the others keep their
 * last bar (not fresh; a feed that has not started has NaN prices and
 * index SIZE_MAX). Returns 1 when every feed has delivered a bar by now. */
static int advance(slab_ctx *ctx, size_t s)
{
    int started = 1;
    int64_t t = ctx->clock[s];
    for (size_t k = 0; k < ctx->n_feeds; k++) {
        const slab_bars *b = ctx->feeds[k];
        size_t i = ctx->next_bar[k];
        if (i < b->n && b->ts_ns[i] == t) {
            slab_feed_bar bar = {i, t, b->open[i], b->high[i], b->low[i], b->close[i], 1};
            ctx->fbar[k] = bar;
            ctx->next_bar[k] = i + 1;
        } else {
            ctx->fbar[k].fresh = 0;
            started &= i > 0;
        }
    }
    ctx->i = ctx->fbar[0].i;
    return started;
}

/* Every feed back before the first clock step, as before the run. */
static void rewind_feeds(slab_ctx *ctx)
{
    slab_feed_bar none = {SIZE_MAX, 0, NAN, NAN, NAN, NAN, 0};
    for (size_t k = 0; k < ctx->n_feeds; k++) {
        ctx->next_bar[k] = 0;
        ctx->fbar[k] = none;
    }
    ctx->i = 0;
}

int slab_series_compute(slab_ctx *ctx, double (*fn)(slab_ctx *ctx, void *state, int tag), int tag)
{
    if (!ctx->in_init || ctx->replaying)
        return slab_fail(ctx, "slab_series_compute is called in init() only, not from next() or "
                              "from inside another computed series' function");
    if (!fn)
        return slab_fail(ctx, "slab_series_compute needs a function");
    if (ctx->n_series >= MAX_SERIES)
        return slab_fail(ctx, "too many series (limit %d)", MAX_SERIES);
    double *arr = slab_malloc((ctx->n ? ctx->n : 1) * sizeof(double));
    void *saved = slab_malloc(ctx->state_size ? ctx->state_size : 1);
    if (!arr || !saved) {
        slab_free(arr);
        slab_free(saved);
        return fail_nomem(ctx, "a computed series", "");
    }
    memcpy(saved, ctx->state, ctx->state_size);
    for (size_t i = 0; i < ctx->n; i++)
        arr[i] = NAN;
    /* The clock's steps in order, as the run will take them: fn sees each
     * of feed 0's bars once, with every feed where the run will have it. */
    ctx->replaying = 1;
    rewind_feeds(ctx);
    for (size_t s = 0; s < ctx->n_steps && ctx->failed == SLAB_OK; s++) {
        advance(ctx, s);
        if (ctx->fbar[0].fresh && ctx->i < ctx->n)
            arr[ctx->i] = fn(ctx, ctx->state, tag);
    }
    rewind_feeds(ctx);
    ctx->replaying = 0;
    memcpy(ctx->state, saved, ctx->state_size); /* nothing fn wrote survives */
    slab_free(saved);
    if (ctx->failed != SLAB_OK) {
        slab_free(arr);
        return -1;
    }
    ctx->owned[ctx->n_owned++] = arr;
    ctx->series[ctx->n_series] = arr;
    ctx->start[ctx->n_series] = first_valid(arr, ctx->n);
    ctx->computed[ctx->n_series] = 1;
    return ctx->n_series++;
}

/* Sends a strategy order through the risk manager's admission (one
 * position per symbol, the maximum position, joining the protective
 * group); a cut size is noted in the order's log reason. */
static int64_t send(slab_ctx *ctx, slab_order_req *req)
{
    slab_error e;
    char why[96];
    if (slab__risk_admit(&ctx->risk, ctx->broker, ctx->fbar, req, why, sizeof why))
        req->note = why;
    int64_t ref = slab_broker_order(ctx->broker, ctx->fbar, req, &e);
    if (ref < 0 && ctx->failed == SLAB_OK)
        ctx->failed = slab_error_set(ctx->err, e.code, NULL, "%s", e.msg);
    return ref;
}

/* A market order of signed size. */
static int64_t submit(slab_ctx *ctx, double size)
{
    slab_order_req req;
    memset(&req, 0, sizeof req);
    req.type = SLAB_ORDER_MARKET;
    req.is_buy = size > 0.0;
    req.size = size;
    return send(ctx, &req);
}

/* A market order of |size| shares (the sizer's when size <= 0). */
static int64_t market(slab_ctx *ctx, double size, int is_buy)
{
    if (ctx->in_init)
        return -1;
    if (!(size > 0.0))
        size = slab_broker_sizer(ctx->broker, 0, ctx->bars->close[ctx->i], is_buy);
    if (size > 0.0)
        return submit(ctx, is_buy ? size : -size);
    ctx->sizer_zero++;
    return 0;
}

int64_t slab_buy(slab_ctx *ctx, double size) { return market(ctx, size, 1); }

int64_t slab_sell(slab_ctx *ctx, double size) { return market(ctx, size, 0); }

int64_t slab_close_position(slab_ctx *ctx)
{
    if (ctx->in_init)
        return 0;
    double s = slab_broker_position(ctx->broker, 0).size;
    if (s == 0.0)
        return 0;
    return submit(ctx, -s);
}

int64_t slab_order(slab_ctx *ctx, int is_buy, const slab_order_spec *spec)
{
    return slab_order_feed(ctx, 0, is_buy, spec);
}

int64_t slab_order_feed(slab_ctx *ctx, int feed, int is_buy, const slab_order_spec *spec)
{
    slab_order_req req;
    if (ctx->in_init || !spec || feed < 0 || (size_t)feed >= ctx->n_feeds ||
        ctx->fbar[feed].i == SIZE_MAX)
        return -1; /* no such feed, or it has no bar yet */
    double size = spec->size;
    if (size == 0.0) {
        /* the sizer prices at the feed's current close (feed 0: bar i's) */
        size = slab_broker_sizer(ctx->broker, feed, ctx->fbar[feed].close, is_buy);
        if (!(size > 0.0)) {
            ctx->sizer_zero++;
            return 0;
        }
    }
    /* A negative or NaN size stays as given so the broker rejects it with
     * a reason in the order log. */
    memset(&req, 0, sizeof req);
    req.feed = feed;
    req.type = spec->type;
    req.is_buy = is_buy != 0;
    req.size = is_buy ? size : -size;
    req.price = spec->price;
    req.plimit = spec->plimit;
    req.trailamount = spec->trailamount;
    req.trailpercent = spec->trailpercent;
    req.valid_kind = spec->valid_kind;
    req.valid_value = spec->valid_value;
    req.oco = spec->oco;
    req.parent = spec->parent;
    req.transmit = spec->transmit;
    req.exit_reason = spec->exit_reason;
    req.check_side = spec->check_side;
    return send(ctx, &req);
}

double slab_feed_position(const slab_ctx *ctx, int feed)
{
    return feed >= 0 && (size_t)feed < ctx->n_feeds ? ctx->bv->positions[feed].size : 0.0;
}

int64_t slab_bracket(slab_ctx *ctx, int is_buy, const slab_order_spec *entry, double stop_price,
                     double limit_price, int64_t refs[3])
{
    slab_order_spec e = *entry, child;
    refs[0] = refs[1] = refs[2] = 0;
    e.parent = 0;
    if (ctx->in_init)
        return -1;
    if (e.size == 0.0) {
        e.size = slab_broker_sizer(ctx->broker, 0, ctx->bars->close[ctx->i], is_buy);
        if (!(e.size > 0.0)) {
            ctx->sizer_zero++;
            return 0;
        }
    }
    if ((refs[0] = slab_order(ctx, is_buy, &e)) <= 0)
        return refs[0];
    memset(&child, 0, sizeof child);
    /* The children cover what the entry was sent for (the maximum
     * position may have cut it). */
    child.size = fabs(slab_broker_event(ctx->broker, refs[0])->created_size);
    child.parent = refs[0];
    child.type = SLAB_EXEC_STOP;
    child.price = stop_price;
    child.exit_reason = SLAB_EXIT_STOP_LOSS;
    if ((refs[1] = slab_order(ctx, !is_buy, &child)) < 0)
        return -1;
    child.type = SLAB_EXEC_LIMIT;
    child.price = limit_price;
    child.exit_reason = SLAB_EXIT_TAKE_PROFIT;
    child.transmit = 1;
    if ((refs[2] = slab_order(ctx, !is_buy, &child)) < 0)
        return -1;
    return refs[0];
}

int slab_cancel(slab_ctx *ctx, int64_t ref)
{
    if (ctx->in_init)
        return 0;
    int r = slab_broker_cancel(ctx->broker, ref, ctx->fbar);
    if (r < 0 && ctx->failed == SLAB_OK)
        ctx->failed = slab_error_set(ctx->err, SLAB_ENOMEM, NULL, "out of memory cancelling");
    return r > 0;
}

int slab_set_risk(slab_ctx *ctx, const char *key, const char *value)
{
    slab_error e;
    char run[96], both[96];
    slab_risk_config c = ctx->risk_cfg;
    if (!ctx->in_init)
        return slab_fail(ctx, "slab_set_risk(%s) is for init() only", key ? key : "NULL");
    if (!key || slab_risk_set(&c, key, value, &e) != SLAB_OK)
        return slab_fail(ctx, "%s", key ? e.msg : "slab_set_risk: no key");
    slab_risk_get(ctx->risk_given, key, run, sizeof run);
    if (run[0] && strcmp(run, slab_risk_get(&c, key, both, sizeof both)))
        return slab_fail(ctx, "%s is set twice: the run says %s and the strategy %s; give it once",
                         key, run, value);
    ctx->risk_cfg = c;
    return 0;
}

double slab_position_size(const slab_ctx *ctx) { return ctx->bv->positions[0].size; }
double slab_position_price(const slab_ctx *ctx) { return ctx->bv->positions[0].price; }
double slab_cash(const slab_ctx *ctx) { return ctx->bv->cash; }
double slab_value(const slab_ctx *ctx) { return ctx->bv->value; }

int slab_orders_pending(const slab_ctx *ctx) { return (int)slab_broker_in_flight(ctx->broker); }

/* Hands the bar's order and trade notifications to the strategy. Notes
 * raised by orders the strategy sends from a callback (their Submitted)
 * wait for the next bar, as in backtrader; copies are passed because
 * such a send may move the note array. */
static void deliver(slab_ctx *ctx, void *state)
{
    slab_broker *b = ctx->broker;
    size_t n_o, n_t;
    slab_broker_order_notes(b, &n_o);
    slab_broker_trade_notes(b, &n_t);
    if (ctx->def->notify_order)
        for (size_t k = 0; k < n_o; k++) {
            size_t n;
            slab_order_note note = slab_broker_order_notes(b, &n)[k];
            ctx->def->notify_order(ctx, state, &note);
        }
    if (ctx->def->notify_trade)
        for (size_t k = 0; k < n_t; k++) {
            size_t n;
            slab_trade_note note = slab_broker_trade_notes(b, &n)[k];
            ctx->def->notify_trade(ctx, state, &note);
        }
    /* Notes raised during the callbacks stay for the next bar. */
    slab_broker_notes_done(b, n_o, n_t);
}

void slab_run_free(slab_run *run)
{
    if (!run)
        return;
    slab_free(run->value);
    slab_free(run->cash);
    slab_free(run->trades);
    slab_free(run->orders);
    slab_free(run->ts_owned);
    slab_free(run->days);
    slab_free(run);
}

/* The loop itself: kept small so the compiler keeps it tight. One step
 * per clock time; with one feed a step is a bar. The strategy is called
 * once every feed has a bar and feed 0 has reached the minimum period
 * (backtrader's minperstatus over all datas). */
static slab_status loop(slab_ctx *ctx, void *state, slab_run *run, long first_next,
                        slab_error *err)
{
    slab_broker *br = ctx->broker;
    const slab_broker_view *bv = ctx->bv;
    slab__risk *rk = &ctx->risk;
    void (*next)(slab_ctx *, void *) = ctx->def->next;
    void (*next_open)(slab_ctx *, void *) =
        slab_broker_cfg(br)->coo ? ctx->def->next_open : NULL;
    slab_status st;

    for (size_t s = 0; s < ctx->first_step; s++)
        advance(ctx, s); /* the preroll: feeds move, nothing else happens */
    for (size_t s = ctx->first_step, r = 0; s < ctx->n_steps; s++, r++) {
        ctx->step = s;
        int started = advance(ctx, s);
        int due = started && (long)ctx->i >= first_next;
        if (next_open && due) {
            /* backtrader cheat-on-open: before the broker step. */
            next_open(ctx, state);
            if (ctx->failed != SLAB_OK)
                return ctx->failed;
        }
        if ((st = slab_broker_step(br, ctx->fbar, err)) != SLAB_OK)
            return st;
        if (rk->on && bv->positions[0].size != rk->prev_pos)
            slab__risk_seen_fills(rk, br);
        if (slab_broker_n_notes(br)) {
            deliver(ctx, state);
            if (ctx->failed != SLAB_OK)
                return ctx->failed;
        }
        run->value[r] = bv->value;
        if (run->cash)
            run->cash[r] = bv->cash;
        if (rk->on && ctx->fbar[0].fresh) {
            /* Protective orders for this bar's entry fill, a due time
             * exit: created now, tried from the next bar. */
            if ((st = slab__risk_step(rk, br, ctx->fbar, err)) != SLAB_OK)
                return st;
        }
        if (due) {
            next(ctx, state);
            run->next_calls++;
            if (ctx->failed != SLAB_OK)
                return ctx->failed;
        }
    }
    return SLAB_OK;
}

/* The value after every bar must be a number: with bars inside the data
 * limits and cash inside SLAB_CASH_MAX it always is, but costs set beyond
 * reason (a per-share commission of 1e300) can still overflow, and an
 * infinite value must stop the run, not reach the result. */
static slab_status check_values(const slab_run *run, slab_error *err)
{
    for (size_t i = 0; i < run->n_bars; i++)
        if (!isfinite(run->value[i])) {
            char t[40];
            return slab_error_set(err, SLAB_ERANGE, NULL,
                                  "the portfolio value is %s at bar %zu (%s): the cash, "
                                  "prices or costs are too large for double arithmetic; scale "
                                  "them down",
                                  isnan(run->value[i]) ? "not a number" : "infinite", i,
                                  slab_bars_format_time(run->ts_ns[i], t, sizeof t));
        }
    return SLAB_OK;
}

/* Hands the broker's trade and order records to the run (moved, not
 * copied) with the final state. */
static slab_status collect(slab_ctx *ctx, slab_run *run, slab_error *err)
{
    slab_broker *br = ctx->broker;
    slab_position p = slab_broker_position(br, 0);
    run->final_value = slab_broker_value(br);
    run->final_cash = slab_broker_cash(br);
    run->position_size = p.size;
    run->position_price = p.price;
    size_t created = slab_broker_n_orders(br);
    slab_status st =
        slab_broker_take(br, &run->trades, &run->n_trades, &run->orders, &run->n_orders, err);
    if (st == SLAB_OK)
        run->n_orders_dropped = created - run->n_orders;
    return st;
}

slab_status slab_engine_run(const slab_bars *bars, const slab_run_config *cfg, slab_run **out,
                            slab_error *err)
{
    return slab_engine_run_shared(bars, cfg, NULL, out, err);
}

slab_status slab_engine_run_shared(const slab_bars *bars, const slab_run_config *cfg,
                                   const slab_ind_share *share, slab_run **out, slab_error *err)
{
    const slab_bars *one[1] = {bars};
    return slab_engine_run_feeds(one, 1, cfg, share, out, err);
}

slab_status slab_engine_clock(const slab_bars *const *feeds, size_t n_feeds, int64_t **clock,
                              size_t *n, slab_error *err)
{
    size_t total = 0, m = 0;
    for (size_t k = 0; k < n_feeds; k++)
        total += feeds[k]->n;
    int64_t *c = slab_malloc(total * sizeof *c);
    size_t *at = slab_calloc(n_feeds, sizeof *at);
    if (!c || !at) {
        slab_free(c);
        slab_free(at);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the clock");
    }
    for (;;) {
        int64_t t = INT64_MAX;
        int any = 0;
        for (size_t k = 0; k < n_feeds; k++)
            if (at[k] < feeds[k]->n && (!any || feeds[k]->ts_ns[at[k]] < t)) {
                t = feeds[k]->ts_ns[at[k]];
                any = 1;
            }
        if (!any)
            break;
        for (size_t k = 0; k < n_feeds; k++)
            if (at[k] < feeds[k]->n && feeds[k]->ts_ns[at[k]] == t)
                at[k]++;
        c[m++] = t;
    }
    slab_free(at);
    *clock = c;
    *n = m;
    return SLAB_OK;
}

/* Sets up the clock and feed 0's share of it (a cut run included). */
static slab_status setup_clock(slab_ctx *ctx, const slab_run_config *cfg, slab_run *run,
                               slab_error *err)
{
    const slab_bars *b0 = ctx->feeds[0];
    if (ctx->n_feeds == 1) {
        ctx->clock = b0->ts_ns;
        ctx->n_steps = b0->n;
    } else {
        slab_status st = slab_engine_clock(ctx->feeds, ctx->n_feeds, &run->ts_owned, &ctx->n_steps, err);
        if (st != SLAB_OK)
            return st;
        ctx->clock = run->ts_owned;
    }
    while (cfg->preroll_until_ns && ctx->first_step < ctx->n_steps &&
           ctx->clock[ctx->first_step] < cfg->preroll_until_ns)
        ctx->first_step++;
    if (ctx->first_step == ctx->n_steps)
        return slab_error_set(err, SLAB_ERANGE, NULL, "no bars to run on after the preroll");
    if (cfg->stop_after_bar >= 0 &&
        (size_t)cfg->stop_after_bar + 1 < ctx->n_steps - ctx->first_step)
        ctx->n_steps = ctx->first_step + (size_t)cfg->stop_after_bar + 1;
    /* Feed 0's bars up to the last step: what its indicators cover. */
    size_t n0 = b0->n;
    while (n0 > 0 && b0->ts_ns[n0 - 1] > ctx->clock[ctx->n_steps - 1])
        n0--;
    ctx->n = n0;
    ctx->next_bar = slab_calloc(ctx->n_feeds, sizeof *ctx->next_bar);
    ctx->fbar = slab_calloc(ctx->n_feeds, sizeof *ctx->fbar);
    if (!ctx->next_bar || !ctx->fbar)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the run");
    for (size_t k = 0; k < ctx->n_feeds; k++) {
        slab_feed_bar none = {SIZE_MAX, 0, NAN, NAN, NAN, NAN, 0};
        ctx->fbar[k] = none;
    }
    return SLAB_OK;
}

/* Checks the feeds: 1..SLAB_FEEDS_MAX, each with bars, symbols distinct
 * when given. */
static slab_status check_feeds(const slab_bars *const *feeds, size_t n_feeds, slab_error *err)
{
    if (n_feeds == 0 || n_feeds > SLAB_FEEDS_MAX)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "a run takes 1 to %d feeds, got %zu; give fewer --data/--symbol",
                              SLAB_FEEDS_MAX, n_feeds);
    for (size_t k = 0; k < n_feeds; k++) {
        if (!feeds[k] || feeds[k]->n == 0)
            return slab_error_set(err, SLAB_ERANGE, NULL, "no bars to run on%s%s",
                                  k && feeds[k] ? " in feed " : "",
                                  k && feeds[k] ? feeds[k]->symbol : "");
        for (size_t j = 0; j < k; j++)
            if (feeds[k]->symbol[0] && !strcmp(feeds[k]->symbol, feeds[j]->symbol))
                return slab_error_set(err, SLAB_EINVAL, NULL,
                                      "symbol %s is given twice; give each feed once, or name "
                                      "them apart (--data SYM=FILE)",
                                      feeds[k]->symbol);
    }
    return SLAB_OK;
}

slab_status slab_engine_run_feeds(const slab_bars *const *feeds, size_t n_feeds,
                                  const slab_run_config *cfg, const slab_ind_share *share,
                                  slab_run **out, slab_error *err)
{
    slab_status st = SLAB_OK;
    slab_ctx *ctx = NULL;
    slab_run *run = NULL;
    void *state = NULL;
    const slab_strategy_def *def = cfg->strategy;

    *out = NULL;
    if (!def || def->abi != SLAB_STRATEGY_ABI || !def->next)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "strategy is missing or built for another ABI (want %d)",
                              SLAB_STRATEGY_ABI);
    if ((st = check_feeds(feeds, n_feeds, err)) != SLAB_OK)
        return st;
    const slab_bars *bars = feeds[0];
    ctx = slab_calloc(1, sizeof *ctx);
    run = slab_calloc(1, sizeof *run);
    state = slab_calloc(1, def->state_size ? def->state_size : 1);
    if (!ctx || !run || !state) {
        st = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the run");
        goto out;
    }
    ctx->bars = bars;
    ctx->feeds = feeds;
    ctx->n_feeds = n_feeds;
    if ((st = setup_clock(ctx, cfg, run, err)) != SLAB_OK)
        goto out;
    ctx->def = def;
    ctx->params = cfg->params;
    ctx->err = err;
    ctx->risk_cfg = cfg->risk;
    ctx->risk_given = &cfg->risk;
    ctx->strategy_arg = cfg->strategy_arg;
    ctx->stamp_end = cfg->stamp_end;
    ctx->earnings = cfg->earnings;
    ctx->n_earnings = cfg->earnings ? cfg->n_earnings : 0;
    ctx->has_earnings = cfg->has_earnings != 0;
    ctx->param_text = cfg->param_text;
    ctx->n_param_text = cfg->param_text ? cfg->n_param_text : 0;
    ctx->share = share;
    const double *cols[SLAB_N_COLUMNS] = {bars->open,   bars->high,   bars->low,
                                          bars->close,  bars->volume, bars->oi};
    for (int k = 0; k < SLAB_N_COLUMNS; k++) {
        ctx->series[k] = cols[k];
        ctx->start[k] = 0;
    }
    ctx->n_series = SLAB_N_COLUMNS;
    ctx->day_series = -1;
    if ((st = slab_broker_new(&cfg->broker, n_feeds, &ctx->broker, err)) != SLAB_OK)
        goto out;
    slab_broker_drop_finished(ctx->broker, cfg->skip_order_log);
    ctx->bv = slab_broker_view_of(ctx->broker);

    run->n_bars = ctx->n_steps - ctx->first_step;
    run->ts_ns = ctx->clock + ctx->first_step;
    run->n_feeds = n_feeds;
    run->param_text = ctx->param_text;
    run->n_param_text = ctx->n_param_text;
    for (size_t k = 0; k < n_feeds; k++)
        snprintf(run->symbols[k], sizeof run->symbols[k], "%s", feeds[k]->symbol);
    run->start_value = cfg->broker.cash;
    run->timeframe = bars->timeframe;
    run->compression = bars->compression;
    int64_t t0 = slab_clock_ns();
    ctx->state = state;
    ctx->state_size = def->state_size ? def->state_size : 1;
    ctx->in_init = 1;
    if (def->init && def->init(ctx, state) != 0) {
        st = ctx->failed != SLAB_OK
                 ? ctx->failed
                 : slab_error_set(err, SLAB_EINVAL, def->name, "strategy init failed");
        goto out;
    }
    ctx->in_init = 0;
    /* The equity record, after init: the indicators' inputs a strategy
     * released are gone by now, so the two are not held together. */
    run->value = slab_malloc(run->n_bars * sizeof(double));
    if (!cfg->skip_cash_curve)
        run->cash = slab_malloc(run->n_bars * sizeof(double));
    if (!run->value || (!cfg->skip_cash_curve && !run->cash)) {
        st = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the equity record");
        goto out;
    }
    /* Touch the record now so page faults are not taken inside the loop. */
    memset(run->value, 0, run->n_bars * sizeof(double));
    if (run->cash)
        memset(run->cash, 0, run->n_bars * sizeof(double));
    run->risk = ctx->risk_cfg;
    if ((st = slab__risk_start(&ctx->risk, &ctx->risk_cfg, bars, ctx->n, err)) != SLAB_OK)
        goto out;
    /* backtrader: next() runs from the largest indicator minimum period. */
    long first_next = ctx->warmup;
    for (int k = SLAB_N_COLUMNS; k < ctx->n_series; k++)
        if (!ctx->nowait[k] && ctx->start[k] > first_next)
            first_next = ctx->start[k];
    run->minperiod = first_next + 1;
    int64_t t1 = slab_clock_ns();
    st = loop(ctx, state, run, first_next, err);
    if (ctx->started1 > run->minperiod)
        run->minperiod = ctx->started1; /* the strategy's own warm-up (slab_strategy_started) */
    run->loop_ns = slab_clock_ns() - t1;
    run->indicators_ns = t1 - t0;
    if (st != SLAB_OK || (st = check_values(run, err)) != SLAB_OK)
        goto out;
    if ((st = collect(ctx, run, err)) != SLAB_OK)
        goto out;
    run->lookahead_attempts = ctx->lookahead;
    run->sizer_zero = ctx->sizer_zero;
    run->days = ctx->days;
    run->n_days = ctx->n_days;
    ctx->days = NULL;
    *out = run;
    run = NULL;
out:
    if (ctx) {
        for (int k = 0; k < ctx->n_owned; k++)
            slab_free(ctx->owned[k]);
        for (int k = 0; k < ctx->n_shared; k++)
            ctx->share->put(ctx->share->user, ctx->shared_def[k], ctx->shared_out[k]);
        slab_broker_free(ctx->broker);
        slab__risk_clear(&ctx->risk);
        slab_free(ctx->next_bar);
        slab_free(ctx->fbar);
        slab_free(ctx->days);
    }
    slab_free(state);
    slab_free(ctx);
    slab_run_free(run);
    return st;
}

const char *slab_day_decision_name(slab_day_decision d)
{
    static const char *const names[] = {NULL,          "traded",           "blocked_by_filter",
                                        "no_breakout", "skipped_earnings", "no_prior_session"};
    return (unsigned)d < sizeof names / sizeof names[0] ? names[d] : NULL;
}
