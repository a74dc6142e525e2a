/* report_model.c: what the report reads from a result document (the
 * model of report_int.h), checked field by field so a document of another
 * kind, version or shape gives one clear line; the per-bar "series" a run
 * writes for it; and the growing string the page is written into. */
#include "report_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void slab__rpt_put(rpt_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2 + 4096;
        char *g = slab_realloc(b->s, cap);
        if (!g) {
            b->oom = 1;
            return;
        }
        b->s = g;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void slab__rpt_add(rpt_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        slab__rpt_put(b, small, (size_t)n);
        return;
    }
    char *big = slab_malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    slab__rpt_put(b, big, (size_t)n);
    slab_free(big);
}

void slab__rpt_esc(rpt_buf *b, const char *t)
{
    const char *run = t;
    for (; t && *t; t++) {
        const char *rep = *t == '<'   ? "&lt;"
                          : *t == '>' ? "&gt;"
                          : *t == '&' ? "&amp;"
                          : *t == '"' ? "&quot;"
                                      : NULL;
        if (!rep)
            continue;
        slab__rpt_put(b, run, (size_t)(t - run));
        slab__rpt_put(b, rep, strlen(rep));
        run = t + 1;
    }
    if (t)
        slab__rpt_put(b, run, (size_t)(t - run));
}

/* Bar i's time in whole seconds (floor division: times before 1970 stay
 * on their second). */
static json_int_t ts_s(const slab_run *run, size_t i)
{
    int64_t t = run->ts_ns[i];
    return (json_int_t)(t / 1000000000 - (t % 1000000000 < 0));
}

size_t slab__rpt_bar_at_step(const slab_bars *bars, const slab_run *run, size_t i)
{
    int64_t t = run->ts_ns[i];
    if (i < bars->n && bars->ts_ns[i] == t) /* one feed; or a step on the feed's own bar */
        return i;
    size_t k = slab_bars_index_at(bars, t); /* the first bar at or after the step */
    if (k < bars->n && bars->ts_ns[k] == t)
        return k;
    return k ? k - 1 : SIZE_MAX;
}

double slab__rpt_close_at_step(const slab_bars *bars, const slab_run *run, size_t i)
{
    size_t k = slab__rpt_bar_at_step(bars, run, i);
    return k == SIZE_MAX ? NAN : bars->close[k];
}

/* A close as JSON: null before the traded feed's first bar (NaN). */
static json_t *close_json(double c)
{
    return isnan(c) ? json_null() : json_real(c);
}

/* The series' "units"; with several feeds the steps are the union clock's
 * and the traded symbol may have no bar at one. */
#define UNITS_VALUE "value: portfolio value after the bar's fills, marked at the close, cash units"
#define UNITS                                                                                      \
    "ts_s: bar time, seconds since 1970-01-01 UTC; close: the traded symbol's close; " UNITS_VALUE
#define UNITS_FEEDS                                                                                \
    "ts_s: clock step time (the union of the feeds' bar times), seconds since 1970-01-01 UTC; "    \
    "close: the traded symbol's close at the step, its last bar's carried forward where it has "   \
    "no bar then, null before its first bar; " UNITS_VALUE

/* The series object; its arrays filled, or left empty when empty = 1
 * (*arrs gets them: ts_s, close, value). NULL when out of memory. */
static json_t *series_new(const slab_bars *bars, const slab_run *run, int empty, json_t **arrs)
{
    json_t *o = json_object(), *ts = json_array(), *cl = json_array(), *v = json_array();
    int bad = !o || !ts || !cl || !v;
    for (size_t i = 0; !bad && !empty && i < run->n_bars; i++) {
        bad |= json_array_append_new(ts, json_integer(ts_s(run, i)));
        bad |= json_array_append_new(cl, close_json(slab__rpt_close_at_step(bars, run, i)));
        bad |= json_array_append_new(v, json_real(run->value[i]));
    }
    if (!bad) {
        arrs[0] = ts, arrs[1] = cl, arrs[2] = v;
        bad |= json_object_set_new(o, "ts_s", ts);
        bad |= json_object_set_new(o, "close", cl);
        bad |= json_object_set_new(o, "value", v);
        bad |= json_object_set_new(o, "units", json_string(run->n_feeds > 1 ? UNITS_FEEDS : UNITS));
        if (!bad)
            return o;
        json_decref(o);
        return NULL;
    }
    json_decref(ts);
    json_decref(cl);
    json_decref(v);
    json_decref(o);
    return NULL;
}

json_t *slab_result_series(const slab_bars *bars, const slab_run *run)
{
    json_t *arrs[3];
    return series_new(bars, run, 0, arrs);
}

/* slab_json_lazy's items of the three arrays. */
static json_t *ts_item(void *user, size_t i)
{
    return json_integer(ts_s(((const slab_result_lists *)user)->run, i));
}
static json_t *close_item(void *user, size_t i)
{
    const slab_result_lists *l = user;
    return close_json(slab__rpt_close_at_step(l->bars, l->run, i));
}
static json_t *value_item(void *user, size_t i)
{
    return json_real(((const slab_result_lists *)user)->run->value[i]);
}

json_t *slab_result_series_lazy(slab_result_lists *lists, slab_json_lazy lazy[3])
{
    json_t *arrs[3];
    json_t *(*item[3])(void *, size_t) = {ts_item, close_item, value_item};
    json_t *o = series_new(lists->bars, lists->run, 1, arrs);
    for (int k = 0; o && k < 3; k++) {
        slab_json_lazy x = {arrs[k], lists->run->n_bars, item[k], lists};
        lazy[k] = x;
    }
    return o;
}

static slab_status bad(slab_error *err, const char *where, const char *what)
{
    return slab_error_fail(err, SLAB_EC_BAD_DATA, where,
                           "the result document %s: write it again with stratlab %s run ... "
                           "--json --series (or use run --report)",
                           what, SLAB_VERSION);
}

/* A number or null (NaN) from o[key]. */
static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The per-bar series, when there is one. */
static slab_status read_series(rpt_model *m, const json_t *se, slab_error *err)
{
    const json_t *ts = json_object_get(se, "ts_s"), *cl = json_object_get(se, "close"),
                 *v = json_object_get(se, "value");
    if (!json_is_array(ts) || !json_is_array(cl) || !json_is_array(v))
        return bad(err, "/series", "has a \"series\" without its ts_s, close and value arrays");
    size_t n = json_array_size(ts);
    if (json_array_size(cl) != n || json_array_size(v) != n)
        return bad(err, "/series", "has series of unequal lengths");
    if (!n)
        return SLAB_OK;
    m->ts_s = slab_malloc(n * sizeof *m->ts_s);
    m->close = slab_malloc(n * sizeof *m->close);
    m->value = slab_malloc(n * sizeof *m->value);
    if (!m->ts_s || !m->close || !m->value)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory reading the series");
    for (size_t i = 0; i < n; i++) {
        const json_t *t = json_array_get(ts, i), *c = json_array_get(cl, i),
                     *x = json_array_get(v, i);
        /* a close is null before the traded feed's first bar (several feeds) */
        if (!json_is_integer(t) || !(json_is_number(c) || json_is_null(c)) ||
            !(json_is_number(x) || json_is_null(x)))
            return bad(err, "/series", "has a series entry that is not a number");
        m->ts_s[i] = (int64_t)json_integer_value(t);
        m->close[i] = json_is_null(c) ? NAN : json_number_value(c);
        m->value[i] = json_is_null(x) ? NAN : json_number_value(x);
    }
    m->n = n;
    return SLAB_OK;
}

/* The listed trades; bars from backtrader's 1-based bar numbers. */
static slab_status read_trades(rpt_model *m, const json_t *arr, slab_error *err)
{
    size_t n = json_array_size(arr);
    if (!n)
        return SLAB_OK;
    if (!(m->trades = slab_calloc(n, sizeof *m->trades)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory reading the trades");
    for (size_t k = 0; k < n; k++) {
        const json_t *t = json_array_get(arr, k);
        rpt_trade *r = &m->trades[k];
        const json_t *bo = json_object_get(t, "baropen"), *bc = json_object_get(t, "barclose");
        const char *st = json_string_value(json_object_get(t, "status"));
        if (!json_is_object(t) || !json_is_integer(bo) || json_integer_value(bo) < 1 || !st)
            return bad(err, "/trades", "has a trade without baropen or status");
        r->is_open = !strcmp(st, "open");
        if (!r->is_open &&
            (!json_is_integer(bc) || json_integer_value(bc) < json_integer_value(bo)))
            return bad(err, "/trades", "has a closed trade without a valid barclose");
        r->entry_bar = (size_t)json_integer_value(bo) - 1;
        r->exit_bar = r->is_open ? r->entry_bar : (size_t)json_integer_value(bc) - 1;
        const char *side = json_string_value(json_object_get(t, "side"));
        r->is_long = !side || strcmp(side, "short");
        r->entry_price = num(t, "entry_price");
        r->exit_price = num(t, "exit_price");
        r->pnl_pct = num(t, "pnl_percent");
        r->pnlcomm = num(t, "pnlcomm");
        r->mfe_pct = num(t, "max_gain_pct");
        r->mae_pct = num(t, "max_loss_pct");
        r->entry_time = json_string_value(json_object_get(t, "entry_time"));
        r->exit_time = json_string_value(json_object_get(t, "exit_time"));
        if (m->n && (r->entry_bar >= m->n || r->exit_bar >= m->n))
            return bad(err, "/trades", "has a trade outside its series");
    }
    m->n_trades = n;
    return SLAB_OK;
}

slab_status slab__rpt_model_init(rpt_model *m, const json_t *doc, const slab_series *series,
                                 slab_lang lang, slab_error *err)
{
    slab_status st;
    memset(m, 0, sizeof *m);
    m->doc = doc;
    m->lang = lang;
    const json_t *bt = json_object_get(doc, "backtest");
    const char *name = json_string_value(json_object_get(json_object_get(bt, "engine"), "name"));
    if (!json_is_object(doc) || !json_is_object(bt) ||
        !json_is_object(json_object_get(doc, "metrics")))
        return slab_error_fail(err, SLAB_EC_BAD_DATA, "/backtest",
                               "not a stratlab result document (no \"backtest\" and \"metrics\" "
                               "objects): write one with stratlab run ... --json --series");
    if (!name || strcmp(name, "stratlab"))
        return slab_error_fail(err, SLAB_EC_BAD_DATA, "/backtest/engine/name",
                               "the result document was written by %s, not stratlab",
                               name ? name : "an unknown engine");
    const json_t *cfg = json_object_get(bt, "config");
    m->v0 = num(cfg, "cash");
    if (!(m->v0 > 0.0))
        return bad(err, "/backtest/config/cash", "has no positive backtest.config.cash");
    const json_t *trades = json_object_get(doc, "trades");
    if (!json_is_array(trades))
        return bad(err, "/trades", "has no \"trades\" array");
    const json_t *total = json_object_get(doc, "trades_total");
    m->trades_total =
        json_is_integer(total) ? (size_t)json_integer_value(total) : json_array_size(trades);
    m->periods_per_year = num(json_object_get(doc, "metrics"), "annualization_periods");
    /* daily and longer runs print their times as dates ("2006-01-02") */
    const char *from = json_string_value(json_object_get(bt, "from"));
    m->date_only = !from || !strchr(from, ':');
    const json_t *se = json_object_get(doc, "series");
    if (series && series->n) { /* read apart by slab_result_load: borrowed */
        m->n = series->n;
        m->ts_s = series->ts_s;
        m->close = series->close;
        m->value = series->value;
    } else if (se && !json_is_null(se)) {
        m->owns_series = 1;
        if ((st = read_series(m, se, err)) != SLAB_OK)
            return st;
    }
    if ((st = read_trades(m, trades, err)) != SLAB_OK)
        return st;
    return SLAB_OK;
}

void slab__rpt_model_clear(rpt_model *m)
{
    if (m->owns_series) {
        slab_free(m->ts_s);
        slab_free(m->close);
        slab_free(m->value);
    }
    slab_free(m->trades);
    memset(m, 0, sizeof *m);
}
