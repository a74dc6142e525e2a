/* run.c: running a sweep: the settings of each combination, one backtest
 * per combination on a fixed pool of worker threads sharing indicator
 * outputs and the period tables, and the JSON line of each, handed out in
 * grid order whatever thread finished first.
 * Invariant: a line is a function of the spec and its position only (the
 * same bytes for any number of workers or shard); at most RING lines wait
 * for their turn, so memory does not grow with the grid. */
#include "sweep/sweep_int.h"

#include "stratlab/engine.h"
#include "stratlab/json.h"
#include "stratlab/metrics.h"
#include "stratlab/overfit.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"

#include <errno.h>
#include <jansson.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARAMS SLAB__SWEEP_PARAMS_MAX
#define RING_PER_JOB 8     /* lines that may wait per worker, past its batch */
#define BATCH_MAX 1024     /* combinations a worker takes at once, at most */
#define BATCH_MIN 16       /* and at least, while that many are left */
#define WAKE_EVERY 64      /* lines a worker makes before it wakes the writer */
#define KV_MAX SLAB__SWEEP_KV_MAX

/* ---- run options an axis may set ------------------------------------------ */

static const char *const option_names[] = {
    "cash",          "commission", "commission_min", "slippage_perc", "slippage_fixed",
    "sizer",         "stop_loss",  "take_profit",    "trail",         "atr_period",
    "time_exit",     "exit_at",    "max_position",   "allow_pyramiding",
    "maintenance_margin", NULL};

const char *const *slab_sweep_option_names(void) { return option_names; }

static int builtin_option(const char *name)
{
    for (size_t k = 0; option_names[k]; k++)
        if (!strcmp(option_names[k], name))
            return 1;
    return 0;
}

static int is_param(const slab_strategy_def *def, const char *name)
{
    for (int k = 0; k < def->n_params; k++)
        if (!strcmp(def->params[k].name, name))
            return 1;
    return 0;
}

/* A number option's value: finite, and > 0 (positive) or >= 0. */
static slab_status number(const char *where, const char *text, int positive, double *out,
                          slab_error *err)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v) || v < 0.0 || (positive && v == 0.0))
        return slab_error_set(err, SLAB_EINVAL, where, "'%s' is not a %s number", text,
                              positive ? "positive" : "non-negative");
    *out = v;
    return SLAB_OK;
}

/* Sets run option name to text, as its flag would (the checks of `run`). */
static slab_status apply_option(const char *name, const char *text, slab_broker_config *b,
                                slab_risk_config *r, slab_error *err)
{
    char where[SLAB_GRID_NAME_MAX + 16];
    slab_error e;
    snprintf(where, sizeof where, "--param %s", name);
    if (!strcmp(name, "cash"))
        return number(where, text, 1, &b->cash, err);
    if (!strcmp(name, "commission")) {
        slab_status st = number(where, text, 0, &b->commission, err);
        if (st == SLAB_OK && b->comm_scheme == SLAB_COMM_PERCENT && b->commission >= 1.0)
            return slab_error_set(err, SLAB_EINVAL, where,
                                  "commission is a fraction in [0, 1): 0.001 means 0.1%%");
        return st;
    }
    if (!strcmp(name, "commission_min"))
        return number(where, text, 0, &b->commission_min, err);
    if (!strcmp(name, "slippage_perc") || !strcmp(name, "slippage_fixed")) {
        int perc = name[9] == 'p';
        double v = 0.0;
        slab_status st = number(where, text, 0, &v, err);
        if (st != SLAB_OK)
            return st;
        if (perc && v >= 1.0)
            return slab_error_set(err, SLAB_EINVAL, where,
                                  "slippage_perc is a fraction in [0, 1): 0.001 means 0.1%%");
        *(perc ? &b->slip_perc : &b->slip_fixed) = v;
        if (b->slip_perc != 0.0 && b->slip_fixed != 0.0)
            return slab_error_set(err, SLAB_EINVAL, where,
                                  "give one of slippage_perc or slippage_fixed");
        /* backtrader's set_slippage_* switches: slip_open on when slipping */
        b->slip_open = b->slip_perc != 0.0 || b->slip_fixed != 0.0;
        return SLAB_OK;
    }
    if (!strcmp(name, "maintenance_margin")) {
        slab_status st = number(where, text, 0, &b->maintenance_margin, err);
        if (st == SLAB_OK && (!b->margin_call || b->maintenance_margin >= 1.0))
            return slab_error_set(err, SLAB_EINVAL, where,
                                  "maintenance_margin is a fraction in [0, 1) and needs "
                                  "--margin-call");
        return st;
    }
    if (!strcmp(name, "sizer")) {
        if (slab_sizer_parse(text, &b->sizer, &e) != SLAB_OK)
            return slab_error_set(err, SLAB_EINVAL, where, "%s", e.msg);
        return SLAB_OK;
    }
    if (slab_risk_set(r, name, text, &e) != SLAB_OK)
        return slab_error_set(err, SLAB_EINVAL, where, "%s", e.msg);
    return SLAB_OK;
}

/* 1 when the spec lets an axis set run option name. */
static int is_option(const slab_sweep_spec *spec, const char *name)
{
    if (spec->options)
        return spec->options->known(spec->options->user, name);
    return builtin_option(name);
}

/* Sets the option axes names/texts (n of them) over the spec's options. */
static slab_status apply_options(const slab_sweep_spec *spec, const char *const *names,
                                 const char *const *texts, size_t n, slab_broker_config *b,
                                 slab_risk_config *r, slab_error *err)
{
    slab_status st = SLAB_OK;
    *b = spec->broker;
    *r = spec->risk;
    if (n && spec->options)
        return spec->options->apply(spec->options->user, names, texts, n, b, r, err);
    for (size_t k = 0; k < n && st == SLAB_OK; k++)
        st = apply_option(names[k], texts[k], b, r, err);
    return st;
}

/* ---- settings of a combination ---------------------------------------------- */

typedef slab__kv_list kv_list;

static slab_status settings(const slab_sweep_spec *spec, const size_t *idx, double *params,
                            slab_broker_config *broker, slab_risk_config *risk, kv_list *l,
                            slab_error *err)
{
    const slab_grid *g = spec->grid;
    const char **kv = l->kv;
    char(*buf)[KV_MAX] = l->buf;
    size_t n_kv = 0, n_axes = slab_grid_n_axes(g);
    slab_status st;

    const char *names[SLAB_GRID_MAX_AXES], *texts[SLAB_GRID_MAX_AXES];
    size_t n_opt = 0;
    for (size_t k = 0; k < spec->n_params && k < MAX_PARAMS; k++)
        kv[n_kv++] = spec->params[k];
    for (size_t a = 0; a < n_axes; a++) {
        const slab_grid_axis *ax = slab_grid_axis_at(g, a);
        const char *text = ax->values[idx[a]].text;
        if (is_param(spec->strategy, ax->name)) {
            snprintf(buf[a], sizeof buf[a], "%s=%s", ax->name, text);
            kv[n_kv++] = buf[a];
        } else {
            names[n_opt] = ax->name;
            texts[n_opt++] = text;
        }
    }
    l->n = n_kv;
    if ((st = apply_options(spec, names, texts, n_opt, broker, risk, err)) != SLAB_OK)
        return st;
    return slab_strategy_resolve_params(spec->strategy, kv, n_kv, params, err);
}

slab_status slab_sweep_settings(const slab_sweep_spec *spec, const size_t *idx, double *params,
                                slab_broker_config *broker, slab_risk_config *risk,
                                slab_error *err)
{
    kv_list l;
    return settings(spec, idx, params, broker, risk, &l, err);
}

/* Names the strategy's parameters and the options, for an unknown axis. */
static void known_names(const slab_sweep_spec *spec, char *buf, size_t n)
{
    const slab_strategy_def *def = spec->strategy;
    size_t l = 0;
    buf[0] = '\0';
    for (int k = 0; k < def->n_params && l < n; k++)
        l += (size_t)snprintf(buf + l, n - l, "%s%s", k ? ", " : "", def->params[k].name);
    if (spec->options) {
        if (l < n)
            snprintf(buf + l, n - l, "; or a run option by its name in `stratlab run --schema` "
                                     "(cash, commission, stop_loss, trail, sizer, ...)");
        return;
    }
    if (l < n)
        l += (size_t)snprintf(buf + l, n - l, "; run options: ");
    for (size_t k = 0; option_names[k] && l < n; k++)
        l += (size_t)snprintf(buf + l, n - l, "%s%s", k ? ", " : "", option_names[k]);
}

slab_status slab_sweep_check(const slab_sweep_spec *spec, slab_error *err)
{
    const slab_grid *g = spec->grid;
    double params[MAX_PARAMS];
    char where[SLAB_GRID_NAME_MAX + 16], names[600], kv[KV_MAX];
    const char *one[1] = {kv};
    if (spec->strategy->n_params > MAX_PARAMS)
        return slab_error_set(err, SLAB_ELIMIT, NULL, "%s has more than %d parameters",
                              spec->strategy->name, MAX_PARAMS);
    if (spec->jobs < 1)
        return slab_error_set(err, SLAB_EINVAL, "--jobs", "--jobs must be at least 1");
    if (spec->blocks && (spec->blocks < 2 || spec->blocks % 2 || spec->blocks > 16))
        return slab_error_set(err, SLAB_EINVAL, NULL, "CSCV blocks must be even, 2..16");
    for (size_t a = 0; a < slab_grid_n_axes(g); a++) {
        const slab_grid_axis *ax = slab_grid_axis_at(g, a);
        snprintf(where, sizeof where, "--param %s", ax->name);
        int param = is_param(spec->strategy, ax->name);
        if (!param && !is_option(spec, ax->name)) {
            known_names(spec, names, sizeof names);
            return slab_error_set(err, SLAB_ENOTFOUND, where,
                                  "%s has no parameter '%s' and no run option is called so; "
                                  "parameters: %s",
                                  spec->strategy->name, ax->name, names);
        }
        for (size_t k = 0; k < spec->n_params; k++) {
            size_t l = strlen(ax->name);
            if (!strncmp(spec->params[k], ax->name, l) && spec->params[k][l] == '=')
                return slab_error_set(err, SLAB_EINVAL, where,
                                      "%s is both swept and fixed (%s); give it once",
                                      ax->name, spec->params[k]);
        }
        for (size_t v = 0; v < ax->n; v++) {
            slab_broker_config b;
            slab_risk_config r;
            slab_status st;
            if (param) {
                snprintf(kv, sizeof kv, "%s=%s", ax->name, ax->values[v].text);
                slab_error e;
                st = slab_strategy_resolve_params(spec->strategy, one, 1, params, &e);
                if (st != SLAB_OK)
                    return slab_error_set(err, st, where, "%s", e.msg);
            } else {
                const char *name = ax->name, *text = ax->values[v].text;
                if ((st = apply_options(spec, &name, &text, 1, &b, &r, err)) != SLAB_OK)
                    return st;
            }
        }
    }
    return SLAB_OK;
}

/* ---- identity --------------------------------------------------------------- */

/* The run options every combination starts from, in an exact text (hex
 * floats): part of the sweep's identity. */
static void config_text(const slab_broker_config *b, const slab_risk_config *r, char *buf,
                        size_t n)
{
    size_t l = (size_t)snprintf(
        buf, n, "cash=%a;comm=%a;scheme=%d;min=%a;sizer=%d:%a;submit=%d;coc=%d;coo=%d;"
                "slip=%a,%a,%d%d%d%d;pess=%d;margin=%d:%a",
        b->cash, b->commission, (int)b->comm_scheme, b->commission_min, (int)b->sizer.kind,
        b->sizer.amount, b->check_submit, b->coc, b->coo, b->slip_perc, b->slip_fixed,
        b->slip_open, b->slip_match, b->slip_limit, b->slip_out, b->pessimistic, b->margin_call,
        b->maintenance_margin);
    size_t nk;
    const char *const *keys = slab_risk_keys(&nk);
    for (size_t k = 0; k < nk && l < n; k++) {
        char v[96];
        slab_risk_get(r, keys[k], v, sizeof v);
        l += (size_t)snprintf(buf + l, n - l, ";%s=%s", keys[k], v);
    }
}

/* SHA-256 (hex) of a series' bars, column by column. */
static void bars_digest(const slab_bars *b, char hex[65])
{
    const void *cols[7] = {b->ts_ns, b->open, b->high, b->low, b->close, b->volume, b->oi};
    char all[7 * 64 + 1];
    for (int k = 0; k < 7; k++)
        slab_sha256_mem(cols[k], b->n * 8, all + k * 64);
    slab_sha256_mem(all, 7 * 64, hex);
}

slab_status slab_sweep_identity(const slab_sweep_spec *spec, char id[17], char data[17],
                                slab_error *err)
{
    const slab_bars *b = spec->bars;
    char hex[65];
    bars_digest(b, hex);
    if (spec->n_feeds > 1) {
        /* every feed, in order, with its symbol; one feed keeps the
         * one-feed digest */
        char all[SLAB_FEEDS_MAX * (64 + 32 + 2) + 1];
        size_t l = 0;
        for (size_t k = 0; k < spec->n_feeds && k < SLAB_FEEDS_MAX; k++) {
            char h[65];
            bars_digest(spec->feeds[k], h);
            l += (size_t)snprintf(all + l, sizeof all - l, "%s=%s;", spec->feeds[k]->symbol, h);
        }
        slab_sha256_mem(all, strlen(all), hex);
    }
    memcpy(data, hex, 16);
    data[16] = '\0';
    const char *grid = slab_grid_canonical(spec->grid);
    size_t cap = strlen(grid) + (spec->options_text ? strlen(spec->options_text) : 0) + 2048;
    for (size_t k = 0; k < spec->n_params; k++)
        cap += strlen(spec->params[k]) + 1;
    char *text = slab_malloc(cap);
    if (!text)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the sweep's identity");
    char cfg[1024];
    config_text(&spec->broker, &spec->risk, cfg, sizeof cfg);
    size_t l = (size_t)snprintf(text, cap, "stratlab %s|%s|%s|%s|%zu|%d:%d|blocks=%d|%s|",
                                SLAB_VERSION, spec->strategy->name, data, b->sha256, b->n,
                                (int)b->timeframe, b->compression,
                                spec->blocks ? spec->blocks : SLAB_SWEEP_BLOCKS, cfg);
    for (size_t k = 0; k < spec->n_params; k++)
        l += (size_t)snprintf(text + l, cap - l, "%s,", spec->params[k]);
    snprintf(text + l, cap - l, "|%s|%s", spec->options_text ? spec->options_text : "", grid);
    l = strlen(text);
    if (spec->n_feeds > 1 || spec->stamp_end || spec->n_earnings) { /* one feed as before */
        char earn[65] = "none";
        char *rows = spec->n_earnings ? slab_malloc(spec->n_earnings * 64 + 1) : NULL;
        if (spec->n_earnings && !rows) {
            slab_free(text);
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the sweep's identity");
        }
        if (rows) {
            size_t m = 0;
            for (size_t k = 0; k < spec->n_earnings; k++)
                m += (size_t)snprintf(rows + m, 64, "%.31s:%lld:%d;", spec->earnings[k].symbol,
                                      (long long)spec->earnings[k].day,
                                      spec->earnings[k].after_close);
            slab_sha256_mem(rows, m, earn);
            slab_free(rows);
        }
        snprintf(text + l, cap - l, "|feeds=%zu|preroll=%lld|stamp_end=%d|earnings=%zu:%s",
                 spec->n_feeds, (long long)spec->preroll_until_ns, spec->stamp_end,
                 spec->n_earnings, earn);
    }
    slab_sha256_mem(text, strlen(text), hex);
    slab_free(text);
    memcpy(id, hex, 16);
    id[16] = '\0';
    return SLAB_OK;
}

/* ---- one combination ------------------------------------------------------------ */

typedef struct sweep sweep;

/* A worker thread's own state. */
typedef struct worker {
    sweep *sw;
    pthread_t thread;
    size_t idx[SLAB_GRID_MAX_AXES]; /* the combination it runs */
    slab_ind_share share;           /* its view of the cache */
    double *daily;                  /* daily returns (plan days) */
    slab__fast *fast;               /* the specialised loop's buffers, or
                                       NULL when the sweep cannot take it */
    uint64_t n_fast;                /* combinations it ran by that loop */
    uint64_t *bpos;                 /* the positions it took together (batch) */
    size_t row;                     /* the first axis's index of its batch's first
                                       combination (SIZE_MAX: none) */
    size_t (*bidx)[SLAB_GRID_MAX_AXES]; /* and their value indexes */
} worker;

/* A line waiting for its turn. Its buffer stays with the slot once
 * written and is filled again by the slot's next line: no allocation a
 * line, and none freed by the writer that a worker's thread allocated. */
typedef struct slot {
    char *line; /* the text (ready), else a buffer to reuse or NULL */
    size_t len, cap;
    int ready;
} slot;

struct sweep {
    const slab_sweep_spec *spec;
    slab__cache *cache;
    slab_period_plan *plan;
    int64_t *clock;          /* several feeds: the union clock the plan reads */
    int fast;                /* slab__fast_eligible, decided once */
    slab__franges *ranges;   /* the fast path's shared SMA ranges */
    size_t batch;            /* combinations a worker takes at once, at most */
    uint64_t total, taken;   /* combinations in the range, handed out */
    size_t days;
    int blocks;
    char id[17], data[17];
    uint64_t count;          /* slab_grid_count */
    pthread_mutex_t mu;
    pthread_cond_t cv_ready, cv_space;
    slab_grid_cursor cur;    /* next combination to hand out */
    uint64_t written;        /* lines handed to on_line (relative to lo) */
    slot *ring;
    size_t ring_n;
    worker *workers; /* spec->jobs of them */
    int abort;
    slab_status fatal;
    slab_error fatal_err;
    uint64_t failed;
    uint64_t n_fast;         /* combinations the specialised loop ran */
    uint64_t n_batched;      /* of them, with a batch's crossings */
    char first_error[SLAB_ERR_MSG_MAX + 64];
};

static int share_get(void *user, const slab_ind_def *def, const double *const *in, size_t n,
                     const double *p, const double **out)
{
    worker *w = user;
    return slab__cache_get(w->sw->cache, w->sw->spec->grid, w->idx, def, in, n, p, out);
}

static void share_put(void *user, const slab_ind_def *def, const double *const *out)
{
    worker *w = user;
    slab__cache_put(w->sw->cache, def, out);
}

/* A grid value as JSON: a number as an integer when it is a whole number
 * that prints exactly, else a real; text for values with a unit. */
static void value_text(slab_json_text *t, const slab_grid_value *v)
{
    if (!v->is_num)
        slab_json_text_string(t, v->text);
    else if (v->num == floor(v->num) && fabs(v->num) < 9007199254740992.0)
        slab_json_text_integer(t, (long long)v->num);
    else
        slab_json_text_real(t, v->num);
}

/* A real, or null when it is not finite. */
static void num_or_null(slab_json_text *t, double x)
{
    if (isfinite(x))
        slab_json_text_real(t, x);
    else
        slab_json_text_raw(t, "null", 4);
}

/* "key": as a member's start, after a comma unless first; k is one of
 * this file's identifiers (nothing to escape). */
static void key(slab_json_text *t, const char *k, int first)
{
    if (!first)
        slab_json_text_raw(t, ",", 1);
    slab_json_text_raw(t, "\"", 1);
    slab_json_text_raw(t, k, strlen(k));
    slab_json_text_raw(t, "\":", 2);
}

/* The "params" object: the combination's value of each axis. */
static void params_text(slab_json_text *t, const slab_grid *g, const size_t *idx)
{
    slab_json_text_raw(t, "{", 1);
    for (size_t a = 0; a < slab_grid_n_axes(g); a++) {
        const slab_grid_axis *ax = slab_grid_axis_at(g, a);
        if (a > 0)
            slab_json_text_raw(t, ",", 1);
        slab_json_text_string(t, ax->name); /* the user's name: escaped */
        slab_json_text_raw(t, ":", 1);
        value_text(t, &ax->values[idx[a]]);
    }
    slab_json_text_raw(t, "}", 1);
}

/* The "daily" object: moments and CSCV block sums of the daily returns. */
static void daily_text(slab_json_text *t, const double *r, size_t days, int blocks)
{
    slab_moments m;
    slab_moments_of(r, days, &m);
    slab_json_text_raw(t, "{", 1);
    key(t, "days", 1);
    slab_json_text_integer(t, (long long)days);
    key(t, "sharpe", 0);
    num_or_null(t, m.sd > 0.0 ? m.mean / m.sd : NAN);
    key(t, "skew", 0);
    num_or_null(t, m.skew);
    key(t, "kurtosis", 0);
    num_or_null(t, m.kurt);
    key(t, "blocks", 0);
    slab_json_text_raw(t, "[", 1);
    if (days >= (size_t)blocks)
        for (int b = 0; b < blocks; b++) {
            size_t lo = slab_cscv_block_start(days, (size_t)blocks, (size_t)b);
            size_t hi = slab_cscv_block_start(days, (size_t)blocks, (size_t)b + 1);
            double s = 0.0, q = 0.0;
            for (size_t i = lo; i < hi; i++) {
                s += r[i];
                q += r[i] * r[i];
            }
            if (b)
                slab_json_text_raw(t, ",", 1);
            num_or_null(t, s);
            slab_json_text_raw(t, ",", 1);
            num_or_null(t, q);
        }
    slab_json_text_raw(t, "]}", 2);
}

/* The "sweep" object: the line's place in its sweep. */
static void sweep_text(slab_json_text *t, const sweep *sw, uint64_t pos)
{
    slab_json_text_raw(t, "{", 1);
    key(t, "id", 1);
    slab_json_text_string(t, sw->id);
    key(t, "index", 0);
    slab_json_text_integer(t, (long long)pos);
    key(t, "of", 0);
    slab_json_text_integer(t, (long long)sw->count);
    key(t, "engine", 0);
    slab_json_text_string(t, SLAB_VERSION);
    key(t, "data", 0);
    slab_json_text_string(t, sw->data);
    slab_json_text_raw(t, "}", 1);
}

/* The engine run of settings already made (params, broker, risk, kv). */
static slab_status engine_run(const slab_sweep_spec *spec, const slab_bars *bars,
                              int keep_orders, const slab_ind_share *share, const double *params,
                              const slab_broker_config *broker, const slab_risk_config *risk,
                              const slab__kv_list *kv, slab_run **run, slab_error *err)
{
    const slab_bars *one[1] = {bars ? bars : spec->bars};
    const slab_bars *feeds[SLAB_FEEDS_MAX];
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.broker = *broker;
    cfg.strategy = spec->strategy;
    cfg.params = params;
    cfg.stop_after_bar = -1;
    cfg.skip_cash_curve = 1; /* as `run` without --equity */
    cfg.skip_order_log = !keep_orders;
    cfg.risk = *risk;
    cfg.param_text = kv->kv;
    cfg.n_param_text = kv->n;
    cfg.preroll_until_ns = spec->preroll_until_ns;
    cfg.stamp_end = spec->stamp_end;
    cfg.earnings = spec->earnings;
    cfg.n_earnings = spec->n_earnings;
    cfg.has_earnings = spec->earnings != NULL;
    if (spec->n_feeds <= 1)
        return slab_engine_run_feeds(one, 1, &cfg, share, run, err);
    for (size_t k = 0; k < spec->n_feeds && k < SLAB_FEEDS_MAX; k++)
        feeds[k] = k ? spec->feeds[k] : one[0];
    return slab_engine_run_feeds(feeds, spec->n_feeds, &cfg, share, run, err);
}

slab_status slab__sweep_run(const slab_sweep_spec *spec, const size_t *idx, const slab_bars *bars,
                            double cash, int keep_orders, const slab_ind_share *share,
                            double *params, slab_broker_config *broker, slab_risk_config *risk,
                            slab__kv_list *kv, slab_run **run, slab_error *err)
{
    slab_status st = settings(spec, idx, params, broker, risk, kv, err);
    if (st != SLAB_OK)
        return st;
    if (!isnan(cash))
        broker->cash = cash;
    return engine_run(spec, bars, keep_orders, share, params, broker, risk, kv, run, err);
}

json_t *slab_sweep_result_json(const slab_sweep_spec *spec, const size_t *idx,
                               int include_orders, long max_trades, slab_error *err)
{
    double params[MAX_PARAMS];
    slab_broker_config broker;
    slab_risk_config risk;
    kv_list kv;
    slab_run *run = NULL;
    if (spec->strategy->n_params > MAX_PARAMS) {
        slab_error_set(err, SLAB_EINVAL, NULL, "a sweep takes strategies of at most %d "
                       "parameters", MAX_PARAMS);
        return NULL;
    }
    if (slab__sweep_run(spec, idx, NULL, NAN, include_orders, NULL, params, &broker, &risk, &kv,
                        &run, err) != SLAB_OK)
        return NULL;
    slab_result_info info;
    memset(&info, 0, sizeof info);
    info.strategy = spec->strategy->name;
    info.source = "builtin";
    info.def = spec->strategy;
    info.params = params;
    info.broker = &broker;
    info.include_orders = include_orders;
    info.max_trades = max_trades;
    json_t *doc = slab_result_json(spec->bars, run, &info, err);
    slab_run_free(run);
    return doc;
}

/* Makes the combination's settings once, then runs it by the specialised
 * loop into *fr (borrowed, *fast = 1) and *h when it takes it, else by the
 * engine into *run (owned; its parameter texts in *kv). */
static slab_status run_one(worker *w, double *params, slab_broker_config *broker,
                           slab_risk_config *risk, kv_list *kv, slab_run **run, slab_run *fr,
                           slab_headline *h, int *fast, slab_error *e)
{
    sweep *sw = w->sw;
    const slab_sweep_spec *spec = sw->spec;
    slab_status st = settings(spec, w->idx, params, broker, risk, kv, e); /* once for both */
    *fast = 0;
    if (st != SLAB_OK)
        return st;
    if (w->fast) {
        int r = slab__fast_run(w->fast, sw->cache, sw->ranges, spec, w->idx, params, broker,
                               risk, sw->plan, fr, h, w->daily, e);
        if (r < 0)
            return e->code;
        if (r > 0) {
            w->n_fast++;
            *fast = 1;
            *run = fr;
            return SLAB_OK;
        }
    }
    return engine_run(spec, NULL, 0, &w->share, params, broker, risk, kv, run, e);
}

/* The daily returns of a run into w->daily: the specialised loop's are
 * there already (slab__fast_run), the engine's are taken here. */
static slab_status daily_returns(worker *w, int fast, const slab_equity *eq, slab_error *e)
{
    return fast ? SLAB_OK : slab_daily_returns(eq, w->sw->plan, w->daily, e);
}

/* Runs the combination and writes its line to t: compact, every real as
 * the shortest text that reads back to the same double, as `run --json`
 * prints them (json.h), so a line's metrics are the text of run's metrics
 * less the whitespace. A combination that cannot run gets a line with its
 * error, also copied to error[0..n) (else error[0] is NUL). Returns
 * SLAB_OK, or SLAB_ENOMEM (fatal). */
static slab_status evaluate(worker *w, uint64_t pos, slab_json_text *t, char *error, size_t n,
                            slab_error *fatal)
{
    sweep *sw = w->sw;
    const slab_sweep_spec *spec = sw->spec;
    const slab_strategy_def *def = spec->strategy;
    double params[MAX_PARAMS];
    slab_broker_config broker;
    slab_risk_config risk;
    slab_error e;
    slab_run *run = NULL, fr;
    slab_headline h;
    int fast = 0;
    slab_status st;

    error[0] = '\0';
    slab_json_text_raw(t, "{", 1);
    key(t, "params", 1);
    params_text(t, spec->grid, w->idx);
    kv_list kv;
    st = run_one(w, params, &broker, &risk, &kv, &run, &fr, &h, &fast, &e);
    if (st == SLAB_ENOMEM || st == SLAB_EINTERNAL)
        goto nomem;
    if (st != SLAB_OK) {
        slab_error_text(&e, error, n);
        slab_json_text_raw(t, ",\"metrics\":null,\"run_id\":null", 29);
        key(t, "error", 0);
        slab_json_text_string(t, error);
        key(t, "sweep", 0);
        sweep_text(t, sw, pos);
        slab_json_text_raw(t, "}", 1);
        return SLAB_OK;
    }
    slab_equity eq = slab_run_equity(run);
    char id[17];
    slab_result_info info;
    memset(&info, 0, sizeof info);
    info.strategy = def->name;
    info.source = "builtin";
    info.def = def;
    info.params = params;
    info.broker = &broker;
    if ((!fast && slab_headline_compute(&eq, run->trades, run->n_trades, sw->plan, &h, &e) !=
                      SLAB_OK) ||
        slab_result_run_id(spec->bars, run, &info, id, &e) != SLAB_OK ||
        daily_returns(w, fast, &eq, &e) != SLAB_OK)
        goto nomem;
    key(t, "metrics", 0);
    slab_result_metrics_text(run, &h, t);
    key(t, "run_id", 0);
    slab_json_text_string(t, id);
    key(t, "daily", 0);
    daily_text(t, w->daily, sw->days, sw->blocks);
    key(t, "sweep", 0);
    sweep_text(t, sw, pos);
    slab_json_text_raw(t, "}", 1);
    if (!fast)
        slab_run_free(run);
    return SLAB_OK;
nomem:
    if (!fast)
        slab_run_free(run);
    return slab_error_set(fatal, e.code, e.where[0] ? e.where : NULL, "%s", e.msg);
}

/* Takes the next positions into w; how many (0: none left). Batches are
 * guided: half the rest's share of each worker, at most sw->batch, at
 * least BATCH_MIN, so the large early ones share most SMAs and the last
 * ones leave no worker long idle. */
static size_t take(worker *w)
{
    sweep *sw = w->sw;
    size_t m = 0, want = 1;
    pthread_mutex_lock(&sw->mu);
    if (sw->batch > 1) {
        uint64_t share = (sw->total - sw->taken) / (2 * (uint64_t)sw->spec->jobs);
        want = share < BATCH_MIN ? BATCH_MIN : share > sw->batch ? sw->batch : (size_t)share;
        if (want > sw->batch) /* BATCH_MIN above a small sweep's batch */
            want = sw->batch;
    }
    while (m < want && !sw->abort && slab_grid_cursor_next(&sw->cur)) {
        w->bpos[m] = sw->cur.pos;
        memcpy(w->bidx[m++], sw->cur.idx, sizeof w->bidx[0]);
    }
    sw->taken += m;
    /* Positions run in grid order, where the first axis never goes back:
     * no worker will ask for a value of that axis below the lowest row of
     * the batches now taken. */
    w->row = m ? w->bidx[0][0] : SIZE_MAX;
    size_t floor = SIZE_MAX;
    for (int k = 0; k < sw->spec->jobs; k++)
        if (sw->workers[k].row < floor)
            floor = sw->workers[k].row;
    pthread_mutex_unlock(&sw->mu);
    if (floor != SIZE_MAX && floor > 0)
        slab__cache_retire(sw->cache, floor);
    return m;
}

/* The specialised loop's batch of the m combinations taken: their
 * settings, then their crossings found together. A combination whose
 * settings fail is left out (its line says why when it runs). Out of
 * memory here costs only speed: the combinations the batch could not
 * take scan alone. */
static void batch(worker *w, size_t m)
{
    sweep *sw = w->sw;
    double params[MAX_PARAMS];
    slab_broker_config broker;
    slab_risk_config risk;
    kv_list kv;
    slab_error e;
    slab__fast_batch_begin(w->fast);
    for (size_t k = 0; k < m; k++)
        if (settings(sw->spec, w->bidx[k], params, &broker, &risk, &kv, &e) == SLAB_OK &&
            slab__fast_batch_add(w->fast, sw->spec, w->bidx[k], params, &broker, &risk))
            break;
    (void)slab__fast_batch_scan(w->fast, sw->cache, sw->ranges, sw->spec);
}

/* Records a fatal status and stops the sweep (under the lock). */
static void stop(sweep *sw, slab_status st, const slab_error *e)
{
    if (!sw->abort) {
        sw->fatal = st;
        sw->fatal_err = *e;
    }
    sw->abort = 1;
    pthread_cond_broadcast(&sw->cv_ready);
    pthread_cond_broadcast(&sw->cv_space);
}

static void *work(void *arg)
{
    worker *w = arg;
    sweep *sw = w->sw;
    const uint64_t lo = sw->spec->lo;
    size_t m;
    while ((m = take(w)) > 0) {
        if (m > 1 && w->fast)
            batch(w, m);
        for (size_t k = 0; k < m; k++) {
            uint64_t pos = w->bpos[k];
            memcpy(w->idx, w->bidx[k], sizeof w->idx);
            pthread_mutex_lock(&sw->mu);
            while (!sw->abort && pos - lo >= sw->written + sw->ring_n) {
                pthread_cond_broadcast(&sw->cv_ready); /* lines not yet announced */
                pthread_cond_wait(&sw->cv_space, &sw->mu);
            }
            int abort = sw->abort;
            slot *s = &sw->ring[(pos - lo) % sw->ring_n];
            slab_json_text t = {s->line, 0, s->cap, 0}; /* the slot's buffer, written over */
            s->line = NULL;
            pthread_mutex_unlock(&sw->mu);
            if (abort) {
                slab_free(t.s);
                return NULL;
            }

            char error[SLAB_ERR_WHERE_MAX + SLAB_ERR_MSG_MAX + 8];
            slab_error ferr;
            slab_status st = evaluate(w, pos, &t, error, sizeof error, &ferr);
            if (st == SLAB_OK && t.failed)
                st = slab_error_set(&ferr, SLAB_ENOMEM, NULL, "out of memory for a line");
            char *line = st == SLAB_OK ? t.s : NULL;
            size_t len = t.n;
            if (!line)
                slab_free(t.s);
            pthread_mutex_lock(&sw->mu);
            if (error[0] && sw->failed++ == 0) { /* "{params}: error", cut to fit */
                slab_json_text p = {0};
                params_text(&p, sw->spec->grid, w->idx);
                slab_json_text_raw(&p, ": ", 2);
                slab_json_text_raw(&p, error, strlen(error));
                size_t cut = p.failed ? 0 : p.n;
                cut = cut < sizeof sw->first_error ? cut : sizeof sw->first_error - 1;
                if (cut)
                    memcpy(sw->first_error, p.s, cut);
                sw->first_error[cut] = '\0';
                slab_free(p.s);
            }
            if (st != SLAB_OK) { /* its text is freed above */
                stop(sw, st, &ferr);
                pthread_mutex_unlock(&sw->mu);
                return NULL;
            }
            s->line = line;
            s->len = len;
            s->cap = t.cap;
            s->ready = 1;
            /* the writer is woken for every WAKE_EVERY lines and at the
             * batch's end, not for each line: a wake is a futex call and a
             * switch of the writer's thread onto a worker's core, and
             * waking it per line was a twentieth of a sweep */
            if (k + 1 == m || (pos - lo + 1) % WAKE_EVERY == 0)
                pthread_cond_broadcast(&sw->cv_ready);
            pthread_mutex_unlock(&sw->mu);
        }
    }
    return NULL;
}

/* Default cache cap: an eighth of the memory, at most 512 MiB. Enough for
 * the SMAs of a 10,000-point sma_cross grid on 200,000 bars (200 arrays,
 * 320 MB); past it the least recently used entries go and are computed
 * again when needed, so the cap bounds the sweep's memory, not its
 * results. */
static size_t default_cache(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    size_t eighth = pages > 0 && size > 0 ? (size_t)pages * (size_t)size / 8 : (size_t)256 << 20;
    return eighth < ((size_t)512 << 20) ? eighth : (size_t)512 << 20;
}

static double now_s(void) { return (double)slab_clock_ns() / 1e9; }

/* Hands lines out in order until all are written or the sweep stops. */
static void write_lines(sweep *sw, uint64_t total, slab_sweep_line_fn on_line, void *user,
                        slab_sweep_progress_fn progress, void *puser, double t0)
{
    double last = t0;
    pthread_mutex_lock(&sw->mu);
    while (sw->written < total && !sw->abort) {
        slot *s = &sw->ring[sw->written % sw->ring_n];
        if (!s->ready) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 200000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&sw->cv_ready, &sw->mu, &ts);
        } else {
            /* the line stays the slot's buffer: no worker takes this slot
             * before `written` passes it */
            const char *line = s->line;
            size_t len = s->len;
            uint64_t pos = sw->spec->lo + sw->written;
            s->ready = 0;
            pthread_mutex_unlock(&sw->mu);
            int rc = on_line(user, pos, line, len);
            pthread_mutex_lock(&sw->mu);
            sw->written++;
            if (rc) {
                sw->abort = 1;
                sw->fatal = slab_error_set(&sw->fatal_err, SLAB_EIO, NULL,
                                           "the sweep's output could not be written");
            }
            pthread_cond_broadcast(&sw->cv_space);
        }
        double t = now_s();
        if (progress && t - last >= 0.5) {
            uint64_t done = sw->written;
            pthread_mutex_unlock(&sw->mu);
            progress(puser, done, total, t - t0);
            pthread_mutex_lock(&sw->mu);
            last = t;
        }
    }
    pthread_cond_broadcast(&sw->cv_space);
    pthread_mutex_unlock(&sw->mu);
    if (progress && !sw->abort)
        progress(puser, sw->written, total, now_s() - t0);
}

/* Sets up the shared parts; on failure the caller still calls teardown. */
static slab_status setup(sweep *sw, const slab_sweep_spec *spec, worker *ws, slab_error *err)
{
    slab_status st;
    slab_equity shape = {spec->bars->n, spec->bars->ts_ns, NULL, NULL, spec->broker.cash,
                         spec->bars->timeframe, spec->bars->compression};
    if (spec->n_feeds > 1) {
        int64_t *clock;
        /* several feeds run on the union of their times, from the preroll's
         * end: the periods are those of that clock (the engine's) */
        size_t n = 0, first = 0;
        if ((st = slab_engine_clock(spec->feeds, spec->n_feeds, &sw->clock, &n, err)) != SLAB_OK)
            return st;
        clock = sw->clock;
        while (spec->preroll_until_ns && first < n && clock[first] < spec->preroll_until_ns)
            first++;
        shape.n = n - first;
        shape.ts_ns = clock + first;
    }
    st = shape.n ? slab_period_plan_new(&shape, &sw->plan, err)
                 : slab_error_set(err, SLAB_ERANGE, NULL, "no bars to run on after the preroll");
    if (st != SLAB_OK)
        return st;
    sw->days = slab_period_plan_days(sw->plan);
    /* the specialised loop runs one feed, as `run` with defaults does */
    sw->fast = !spec->no_fast && spec->n_feeds <= 1 && !spec->stamp_end && !spec->n_earnings &&
               slab__fast_eligible(spec);
    if (sw->fast && !(sw->ranges = slab__franges_new(spec->bars->n)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the sweep");
    sw->cache = slab__cache_new(spec->cache_bytes ? spec->cache_bytes : default_cache());
    /* sma_cross takes its combinations in batches (fast.c, take()) */
    uint64_t hi = spec->hi < sw->count ? spec->hi : sw->count;
    sw->total = hi > spec->lo ? hi - spec->lo : 0;
    sw->batch = 1;
    if (sw->fast && slab__fast_batches(spec)) {
        uint64_t b = sw->total / ((uint64_t)spec->jobs * 2);
        sw->batch = b < 1 ? 1 : b > BATCH_MAX ? BATCH_MAX : (size_t)b;
    }
    sw->ring_n = (size_t)spec->jobs * (RING_PER_JOB + sw->batch);
    sw->ring = slab_calloc(sw->ring_n, sizeof *sw->ring);
    sw->workers = ws;
    if (!sw->cache || !sw->ring)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the sweep");
    for (int k = 0; k < spec->jobs; k++) {
        ws[k].sw = sw; /* row 0: no retiring before it takes its first batch */
        ws[k].share.get = share_get;
        ws[k].share.put = share_put;
        ws[k].share.user = &ws[k];
        if (!(ws[k].daily = slab_malloc((sw->days ? sw->days : 1) * sizeof(double))) ||
            !(ws[k].bpos = slab_malloc(sw->batch * sizeof *ws[k].bpos)) ||
            !(ws[k].bidx = slab_malloc(sw->batch * sizeof *ws[k].bidx)) ||
            (sw->fast && !(ws[k].fast = slab__fast_new(spec->bars->n))))
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the sweep");
        if (ws[k].fast)
            slab__fast_set_reverse(ws[k].fast, k & 1);
    }
    return SLAB_OK;
}

void slab_sweep_tune_malloc(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    mallopt(M_TOP_PAD, 64 << 20);
#endif
}

slab_status slab_sweep_run(const slab_sweep_spec *spec, slab_sweep_line_fn on_line, void *user,
                           slab_sweep_progress_fn progress, void *puser, slab_sweep_report *rep,
                           slab_error *err)
{
    sweep sw;
    slab_status st;
    double t0 = now_s();
    int started = 0;

    if (rep)
        memset(rep, 0, sizeof *rep);
    if ((st = slab_sweep_check(spec, err)) != SLAB_OK)
        return st;
    memset(&sw, 0, sizeof sw);
    sw.spec = spec;
    sw.count = slab_grid_count(spec->grid);
    sw.blocks = spec->blocks ? spec->blocks : SLAB_SWEEP_BLOCKS;
    if ((st = slab_sweep_identity(spec, sw.id, sw.data, err)) != SLAB_OK)
        return st;
    uint64_t hi = spec->hi < sw.count ? spec->hi : sw.count;
    uint64_t total = hi > spec->lo ? hi - spec->lo : 0;
    worker *ws = slab_calloc((size_t)spec->jobs, sizeof *ws);
    if (!ws)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the sweep");
    pthread_mutex_init(&sw.mu, NULL);
    pthread_cond_init(&sw.cv_ready, NULL);
    pthread_cond_init(&sw.cv_space, NULL);
    if ((st = setup(&sw, spec, ws, err)) != SLAB_OK)
        goto out;
    slab_grid_cursor_init(&sw.cur, spec->grid, spec->lo, hi);
    for (; started < spec->jobs; started++)
        if (pthread_create(&ws[started].thread, NULL, work, &ws[started]) != 0)
            break;
    if (started == 0) {
        st = slab_error_set(err, SLAB_EINTERNAL, NULL, "cannot start a worker thread: %s",
                            strerror(errno));
        goto out;
    }
    write_lines(&sw, total, on_line, user, progress, puser, t0);
    for (int k = 0; k < started; k++) {
        pthread_join(ws[k].thread, NULL);
        sw.n_fast += ws[k].n_fast;
        sw.n_batched += ws[k].fast ? slab__fast_batched(ws[k].fast) : 0;
    }
    if (sw.fatal != SLAB_OK) {
        st = sw.fatal;
        *err = sw.fatal_err;
    }
    if (rep) {
        rep->lines = sw.written;
        rep->failed = sw.failed;
        rep->fast = sw.n_fast;
        rep->batched = sw.n_batched;
        snprintf(rep->first_error, sizeof rep->first_error, "%s", sw.first_error);
        slab__cache_stats(sw.cache, &rep->ind_hits, &rep->ind_misses, &rep->ind_computed);
        rep->wall_s = now_s() - t0;
    }
out:
    for (size_t k = 0; sw.ring && k < sw.ring_n; k++)
        slab_free(sw.ring[k].line);
    slab_free(sw.ring);
    for (int k = 0; k < spec->jobs; k++) {
        slab_free(ws[k].daily);
        slab_free(ws[k].bpos);
        slab_free(ws[k].bidx);
        slab__fast_free(ws[k].fast);
    }
    slab_free(ws);
    slab__cache_free(sw.cache);
    slab__franges_free(sw.ranges);
    slab_period_plan_free(sw.plan);
    slab_free(sw.clock);
    pthread_mutex_destroy(&sw.mu);
    pthread_cond_destroy(&sw.cv_ready);
    pthread_cond_destroy(&sw.cv_space);
    return st;
}
