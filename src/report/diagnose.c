/* diagnose.c: seed 001 Phases 5, 5.5 and 6 over a finished result document
 * (diagnose.h): deviations from the paper's expected performance against
 * thresholds, the match status, likely causes ranked by the evidence in
 * the document (period, data source, costs, survivorship, signal logic,
 * metric conventions, risk management), the zero-trade triage from the
 * spec's rule statistics, and the Phase 6 table in English and Chinese.
 * Every word comes from the shared table of strings (text.h, diag.*), both
 * languages filled at once, so the JSON carries both and --lang picks. */
#include "stratlab/diagnose.h"
#include "stratlab/text.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- words ------------------------------------------------------------- */
static const char *T(slab_lang lang, const char *key) { return slab_text(lang, key); }

/* Formats the row key in both languages with the same arguments. */
static void bi(char out[SLAB_LANG_COUNT][400], const char *key, ...)
{
    for (int l = 0; l < SLAB_LANG_COUNT; l++) {
        va_list ap;
        va_start(ap, key);
        vsnprintf(out[l], 400, slab_text((slab_lang)l, key), ap);
        va_end(ap);
    }
}

/* ---- a growable text buffer -------------------------------------------- */
typedef struct buf {
    char *s;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->n + (size_t)w < b->cap) {
            b->n += (size_t)w;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)w;
        char *s = slab_realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* ---- reading the document ---------------------------------------------- */
static json_t *at(json_t *o, const char *a, const char *b)
{
    json_t *x = json_object_get(o, a);
    return b ? json_object_get(x, b) : x;
}

static double num(json_t *v) { return json_is_number(v) ? json_number_value(v) : NAN; }

void slab_diag_options_default(slab_diag_options *o)
{
    memset(o, 0, sizeof *o);
    o->tol[SLAB_DX_SHARPE] = 0.20;
    o->tol[SLAB_DX_ANNUAL_RETURN] = 0.20;
    o->tol[SLAB_DX_MAX_DRAWDOWN] = 0.10;
    o->tol[SLAB_DX_TOTAL_RETURN] = 0.20;
    o->lang = SLAB_LANG_EN;
}

static const char *const metric_keys[SLAB_DX_N] = {"sharpe", "annual_return", "max_drawdown",
                                                   "total_return"};

json_t *slab_backtest_metrics_json(json_t *result, slab_error *err)
{
    json_t *m = json_object_get(result, "metrics");
    if (!json_is_object(m))
        return slab_error_set(err, SLAB_EPARSE, "/metrics",
                              "not a result document: it has no \"metrics\" object (make one "
                              "with stratlab run ... --json)"),
               NULL;
    json_t *o = json_object();
    double pct[3] = {num(at(m, "total_return", NULL)), num(at(m, "normalized_annual_return", NULL)),
                     num(at(m, "max_drawdown_pct", NULL))};
    static const char *const fr[3] = {"total_return", "annual_return", "max_drawdown"};
    for (int k = 0; k < 3; k++)
        json_object_set_new(o, fr[k], isfinite(pct[k]) ? json_real(pct[k] / 100.0) : json_null());
    json_t *sh = at(m, "sharpe_ratio", NULL);
    json_object_set_new(o, "sharpe_ratio", json_is_number(sh) ? json_real(num(sh)) : json_null());
    static const char *const ints[] = {"num_trades", "won_trades", "lost_trades"};
    for (int k = 0; k < 3; k++)
        json_object_set_new(o, ints[k],
                            json_integer(json_integer_value(at(m, ints[k], NULL))));
    double wr = num(at(m, "win_rate", NULL));
    json_object_set_new(o, "win_rate", isfinite(wr) ? json_real(wr / 100.0) : json_null());
    json_t *sqn = at(m, "sqn", NULL);
    json_object_set_new(o, "sqn", json_is_number(sqn) ? json_real(num(sqn)) : json_null());
    json_object_set_new(o, "final_value", json_real(num(at(m, "final_value", NULL))));
    return o;
}

/* ---- deviations and status ---------------------------------------------- */
typedef struct dx {
    int given;
    double expected, actual, deviation, tol;
    int relative, within;
    const char *note;
} dx;

static void deviation(dx *d, int metric)
{
    d->relative = metric != SLAB_DX_MAX_DRAWDOWN;
    if (!isfinite(d->actual)) {
        d->deviation = NAN;
        d->within = 0;
        return;
    }
    if (d->relative && d->expected != 0.0)
        d->deviation = (d->actual - d->expected) / fabs(d->expected);
    else
        d->deviation = d->actual - d->expected;
    d->within = fabs(d->deviation) <= d->tol + 1e-12;
}

/* ---- causes ------------------------------------------------------------------- */
typedef struct cause {
    const char *key;     /* "period", ...; its label is diag.cause.<key> */
    double score;        /* 0..1, how strongly the document points at it */
    char evidence[SLAB_LANG_COUNT][400];
    char todo[SLAB_LANG_COUNT][400];
} cause;

static int by_score(const void *a, const void *b)
{
    double x = ((const cause *)a)->score, y = ((const cause *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int64_t day_of(const char *s)
{
    int y, m, d;
    if (!s || sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
        return INT64_MIN;
    return slab_days_from_civil(y, m, d);
}

/* Everything the causes need from the document. */
typedef struct facts {
    const slab_spec *spec;
    json_t *result;
    dx d[SLAB_DX_N];
    long trades;
    double years, cash, commission, gross, net, sharpe_daily;
    const char *symbol, *from, *to;
    int zero;
} facts;

static void cause_period(const facts *f, cause *c)
{
    const slab_spec_settings *set = f->spec ? slab_spec_settings_get(f->spec) : NULL;
    json_t *dj = f->spec ? json_object_get(slab_spec_json(f->spec), "data") : NULL;
    const char *s0 = json_string_value(json_object_get(dj, "start"));
    const char *s1 = json_string_value(json_object_get(dj, "end"));
    c->key = "period";
    if (set && (set->has_start || set->has_end)) {
        int64_t a = day_of(f->from), b = day_of(f->to), sa = day_of(s0), sb = day_of(s1);
        int off = (s0 && llabs((long long)(a - sa)) > 31) || (s1 && llabs((long long)(b - sb)) > 31);
        c->score = off ? 0.9 : 0.15;
        for (int l = 0; l < SLAB_LANG_COUNT; l++) {
            const char *open = T((slab_lang)l, "diag.ev.open_end");
            snprintf(c->evidence[l], 400, slab_text((slab_lang)l, "diag.ev.period"),
                     s0 ? s0 : open, s1 ? s1 : open, f->from, f->to);
            if (!off)
                snprintf(c->evidence[l] + strlen(c->evidence[l]), 400 - strlen(c->evidence[l]),
                         "%s", T((slab_lang)l, "diag.ev.period_same"));
        }
        bi(c->todo, "diag.try.period", s0 ? s0 : f->from, s1 ? s1 : f->to);
    } else {
        c->score = f->years < 3.0 ? 0.6 : 0.4;
        bi(c->evidence, "diag.ev.period_unstated", f->from, f->to, f->years);
        bi(c->todo, "diag.try.period_unstated");
    }
}

static void cause_data(const facts *f, cause *c)
{
    const slab_spec_settings *set = f->spec ? slab_spec_settings_get(f->spec) : NULL;
    const char *want = set && set->n_symbols ? set->symbols[0] : NULL;
    const char *src = json_string_value(at(f->result, "backtest", "data_source"));
    c->key = "data_source";
    /* A file run names its symbol after the file: orcl-1995-2014 is ORCL. */
    size_t wl = want ? strlen(want) : 0;
    int same = want && f->symbol && !strncasecmp(want, f->symbol, wl) &&
               (f->symbol[wl] == '\0' || !isalnum((unsigned char)f->symbol[wl]));
    if (want && f->symbol && !same) {
        c->score = 0.85;
        bi(c->evidence, "diag.ev.symbol", want, f->symbol);
        bi(c->todo, "diag.try.symbol", want);
        return;
    }
    c->score = 0.35;
    bi(c->evidence, "diag.ev.vendor", src && *src ? src : "-");
    bi(c->todo, "diag.try.vendor");
}

static void cause_costs(const facts *f, cause *c)
{
    const dx *a = &f->d[SLAB_DX_ANNUAL_RETURN];
    double paid = f->gross - f->net, per_year = f->years > 0 ? paid / f->cash / f->years : NAN;
    double short_by = a->given ? a->expected - a->actual : NAN;
    c->key = "costs";
    if (f->commission > 0.0 && isfinite(per_year) && paid > 0.0) {
        c->score = 0.3;
        if (isfinite(short_by) && short_by > 0.0)
            c->score = per_year >= 0.5 * short_by ? 0.8 : per_year >= 0.2 * short_by ? 0.55 : 0.3;
        for (int l = 0; l < SLAB_LANG_COUNT; l++)
            snprintf(c->evidence[l], 400, slab_text((slab_lang)l, "diag.ev.costs"), f->commission,
                     paid, f->trades, per_year * 100.0,
                     isfinite(short_by) && short_by > 0.0 ? T((slab_lang)l, "diag.ev.costs_gross")
                                                          : "");
        bi(c->todo, "diag.try.costs");
    } else {
        c->score = isfinite(short_by) && short_by < 0.0 ? 0.3 : 0.1;
        bi(c->evidence, "diag.ev.no_costs");
        bi(c->todo, "diag.try.no_costs");
    }
}

static void cause_survivorship(const facts *f, cause *c)
{
    const slab_spec_settings *set = f->spec ? slab_spec_settings_get(f->spec) : NULL;
    int universe = set && set->n_symbols > 1;
    c->key = "survivorship";
    c->score = universe ? 0.5 : 0.1;
    bi(c->evidence, universe ? "diag.ev.survivorship_universe" : "diag.ev.survivorship_single");
    bi(c->todo, "diag.try.survivorship");
}

static void cause_signal(const facts *f, cause *c)
{
    const dx *s = &f->d[SLAB_DX_SHARPE];
    c->key = "signal_logic";
    if (f->zero) {
        c->score = 1.0;
        bi(c->evidence, "diag.ev.zero");
        bi(c->todo, "diag.try.zero");
    } else if (s->given && isfinite(s->actual) && s->expected * s->actual < 0.0) {
        c->score = 0.8;
        bi(c->evidence, "diag.ev.sign", s->actual, s->expected);
        bi(c->todo, "diag.try.sign");
    } else if (f->trades < 10) {
        c->score = 0.6;
        bi(c->evidence, "diag.ev.few_trades", f->trades);
        bi(c->todo, "diag.try.few_trades");
    } else {
        c->score = 0.3;
        bi(c->evidence, "diag.ev.rules", f->trades);
        bi(c->todo, "diag.try.rules");
    }
}

static void cause_convention(const facts *f, cause *c)
{
    const dx *s = &f->d[SLAB_DX_SHARPE];
    double daily_dev = s->expected != 0.0 ? (f->sharpe_daily - s->expected) / fabs(s->expected)
                                          : f->sharpe_daily - s->expected;
    c->key = "metric_convention";
    c->score = 0.15;
    if (s->given && !s->within && isfinite(f->sharpe_daily) && fabs(daily_dev) <= s->tol) {
        c->score = 0.85;
        bi(c->evidence, "diag.ev.sharpe_daily", f->sharpe_daily);
        bi(c->todo, "diag.try.sharpe_daily");
        return;
    }
    bi(c->evidence, "diag.ev.sharpe_convention");
    bi(c->todo, "diag.try.sharpe_convention");
}

static void cause_risk(const facts *f, cause *c)
{
    const dx *d = &f->d[SLAB_DX_MAX_DRAWDOWN];
    const slab_spec_program *p = f->spec ? slab_spec_program_get(f->spec) : NULL;
    int stops = p && (p->risk.stop_loss.kind || p->risk.trail.kind);
    c->key = "risk_management";
    c->score = 0.1;
    if (d->given && isfinite(d->actual) && d->actual > d->expected + d->tol) {
        c->score = stops ? 0.4 : 0.65;
        for (int l = 0; l < SLAB_LANG_COUNT; l++)
            snprintf(c->evidence[l], 400, slab_text((slab_lang)l, "diag.ev.drawdown"),
                     d->actual * 100.0, d->expected * 100.0,
                     stops ? "" : T((slab_lang)l, "diag.ev.no_stops"));
        bi(c->todo, "diag.try.drawdown");
        return;
    }
    bi(c->evidence, "diag.ev.drawdown_ok");
    bi(c->todo, "diag.try.nothing");
}

/* ---- triage -------------------------------------------------------------------- */
static void finding(json_t *arr, char text[SLAB_LANG_COUNT][400])
{
    json_t *o = json_object();
    json_object_set_new(o, "en", json_string(text[SLAB_LANG_EN]));
    json_object_set_new(o, "zh", json_string(text[SLAB_LANG_ZH]));
    json_array_append_new(arr, o);
}

/* What one entry rule's statistics say about a run without trades. */
static void triage_rule(json_t *r, json_t *findings)
{
    char t[SLAB_LANG_COUNT][400];
    const char *action = json_string_value(json_object_get(r, "action"));
    const char *trig = json_string_value(json_object_get(r, "trigger"));
    long evaluated = (long)json_integer_value(json_object_get(r, "bars_evaluated"));
    long held = (long)json_integer_value(json_object_get(r, "bars_true"));
    long orders = (long)json_integer_value(json_object_get(r, "orders"));
    long blocked = (long)json_integer_value(json_object_get(r, "blocked"));
    long zero = (long)json_integer_value(json_object_get(r, "sized_zero"));
    if (held == 0 && evaluated > 0) {
        bi(t, "diag.tr.never", action, trig, evaluated);
        finding(findings, t);
    } else if (held > 0 && orders == 0) {
        bi(t, "diag.tr.no_order", action, held, blocked, zero);
        finding(findings, t);
    } else if (orders > 0) {
        bi(t, "diag.tr.no_fill", action, orders);
        finding(findings, t);
    }
    json_t *conds = json_object_get(r, "conditions"), *c;
    size_t j, n_never = 0;
    json_array_foreach(conds, j, c) {
        const char *cond = json_string_value(json_object_get(c, "condition"));
        json_t *cl = json_object_get(c, "closest");
        if (json_integer_value(json_object_get(c, "bars_true")) > 0 || !cond)
            continue;
        n_never++;
        if (!cl) {
            bi(t, "diag.tr.cond_never", cond);
            finding(findings, t);
            continue;
        }
        const char *lt = json_string_value(json_object_get(cl, "left_text"));
        const char *rt = json_string_value(json_object_get(cl, "right_text"));
        const char *when = json_string_value(json_object_get(cl, "time"));
        for (int l = 0; l < SLAB_LANG_COUNT; l++)
            snprintf(t[l], 400, slab_text((slab_lang)l, "diag.tr.closest"), cond,
                     when ? when : "?", lt && *lt ? lt : T((slab_lang)l, "diag.tr.left"),
                     num(json_object_get(cl, "left")),
                     rt && *rt ? rt : T((slab_lang)l, "diag.tr.right"),
                     num(json_object_get(cl, "right")), num(json_object_get(cl, "gap")));
        finding(findings, t);
    }
    if (held == 0 && n_never == 0 && json_array_size(conds) > 1) {
        bi(t, "diag.tr.not_together", trig);
        finding(findings, t);
    }
}

static json_t *triage(const facts *f)
{
    json_t *t = json_object(), *findings = json_array();
    json_t *sp = json_object_get(f->result, "spec");
    long warm = (long)json_integer_value(json_object_get(sp, "warmup_bars"));
    long bars = (long)json_integer_value(at(f->result, "backtest", "bars"));
    char x[SLAB_LANG_COUNT][400];
    size_t i;
    json_t *r;
    if (!sp) {
        bi(x, "diag.tr.no_stats");
        finding(findings, x);
        json_object_set_new(t, "findings", findings);
        return t;
    }
    if (warm >= bars) {
        bi(x, "diag.tr.warmup", warm, bars);
        finding(findings, x);
    }
    json_array_foreach(json_object_get(sp, "rules"), i, r) {
        const char *action = json_string_value(json_object_get(r, "action"));
        if (action && (!strcmp(action, "buy") || !strcmp(action, "short")))
            triage_rule(r, findings);
    }
    if (json_array_size(findings) == 0) {
        bi(x, "diag.tr.none");
        finding(findings, x);
    }
    json_object_set_new(t, "warmup_bars", json_integer(warm));
    json_object_set_new(t, "bars", json_integer(bars));
    json_object_set_new(t, "findings", findings);
    return t;
}

/* ---- the table --------------------------------------------------------------------- */
static void table_text(buf *b, json_t *rep, slab_lang lang)
{
    json_t *a = json_object_get(rep, "actual"), *e = json_object_get(rep, "expected");
    json_t *devs = json_object_get(rep, "deviations");
    char cash[64], fin[64];
    const char *sym = json_string_value(at(rep, "data", "symbol"));
    put(b, "%s: %s\n", T(lang, "diag.strategy"), json_string_value(json_object_get(rep, "strategy")));
    json_t *syms = at(rep, "data", "symbols");
    if (json_is_array(syms) && json_array_size(syms) > 1) {
        put(b, "%s: ", T(lang, "diag.data"));
        for (size_t k = 0; k < json_array_size(syms); k++)
            put(b, "%s%s", k ? ", " : "", json_string_value(json_array_get(syms, k)));
        put(b, " (%s → %s)\n", json_string_value(at(rep, "data", "from")),
            json_string_value(at(rep, "data", "to")));
    } else {
        put(b, "%s: %s (%s → %s)\n", T(lang, "diag.data"), sym ? sym : "-",
            json_string_value(at(rep, "data", "from")), json_string_value(at(rep, "data", "to")));
    }
    put(b, "%s: %s\n\n", T(lang, "diag.initial_cash"),
        slab_fmt_number(lang, num(json_object_get(rep, "initial_cash")), 0, cash, sizeof cash));
    put(b, "| %s | %s | %s | %s |\n|------|---------|---------|------|\n", T(lang, "diag.metric"),
        T(lang, "diag.backtest"), T(lang, "diag.expected"), T(lang, "diag.deviation"));
    static const struct {
        const char *label, *key;
        int kind; /* 0 percent, 1 ratio, 2 count */
    } rows[] = {{"diag.total_return", "total_return", 0}, {"diag.annual_return", "annual_return", 0},
                {"diag.sharpe", "sharpe", 1},             {"diag.max_drawdown", "max_drawdown", 0},
                {"diag.num_trades", "num_trades", 2},     {"diag.win_rate", "win_rate", 0},
                {"diag.sqn", "sqn", 1}};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        char av[64], ev[64], dv[64];
        double x = num(json_object_get(a, rows[k].key)), y = num(json_object_get(e, rows[k].key));
        if (rows[k].kind == 0)
            slab_fmt_percent(lang, x * 100.0, 2, 0, av, sizeof av);
        else
            slab_fmt_number(lang, x, rows[k].kind == 1 ? 4 : 0, av, sizeof av);
        snprintf(ev, sizeof ev, "—");
        snprintf(dv, sizeof dv, "—");
        if (isfinite(y)) {
            if (rows[k].kind == 0)
                slab_fmt_percent(lang, y * 100.0, 2, 0, ev, sizeof ev);
            else
                snprintf(ev, sizeof ev, "%.4g", y);
        }
        size_t i;
        json_t *d;
        json_array_foreach(devs, i, d) {
            if (strcmp(json_string_value(json_object_get(d, "metric")), rows[k].key))
                continue;
            double dev = num(json_object_get(d, "deviation"));
            const char *kind = json_string_value(json_object_get(d, "kind"));
            const char *mark = json_is_true(json_object_get(d, "within")) ? "" : " ✗";
            if (!isfinite(dev))
                snprintf(dv, sizeof dv, "%s%s", T(lang, "num.none"), mark);
            else if (kind && !strcmp(kind, "absolute") && !strcmp(rows[k].key, "max_drawdown"))
                snprintf(dv, sizeof dv, "%+.2fpp%s", dev * 100.0, mark);
            else if (kind && !strcmp(kind, "absolute"))
                snprintf(dv, sizeof dv, "%+.4g%s", dev, mark);
            else
                snprintf(dv, sizeof dv, "%+.1f%%%s", dev * 100.0, mark);
        }
        put(b, "| %s | %s | %s | %s |\n", T(lang, rows[k].label), av, ev, dv);
    }
    put(b, "\n%s: %s\n", T(lang, "diag.final_value"),
        slab_fmt_number(lang, num(json_object_get(a, "final_value")), 2, fin, sizeof fin));
}

static const char *lang_key(slab_lang lang) { return lang == SLAB_LANG_ZH ? "zh" : "en"; }

char *slab_diagnosis_text(json_t *rep, slab_lang lang)
{
    buf b = {0};
    char th_text[300];
    const char *st = json_string_value(json_object_get(rep, "status"));
    char status_key[40];
    snprintf(status_key, sizeof status_key, "diag.%s", st ? st : "mismatch");
    table_text(&b, rep, lang);
    put(&b, "\n%s: %s — %s\n", T(lang, "diag.assessment"), T(lang, status_key),
        json_string_value(at(rep, "reason", lang_key(lang))));
    json_t *th = json_object_get(rep, "thresholds");
    put(&b, "%s\n", slab_textf(lang, "diag.thresholds", th_text, sizeof th_text,
                               num(json_object_get(th, "sharpe")) * 100.0,
                               num(json_object_get(th, "annual_return")) * 100.0,
                               num(json_object_get(th, "max_drawdown")) * 100.0));
    json_t *tr = json_object_get(rep, "triage"), *x;
    size_t i;
    if (tr) {
        put(&b, "\n%s:\n", T(lang, "diag.triage"));
        json_array_foreach(json_object_get(tr, "findings"), i, x)
            put(&b, "  - %s\n", json_string_value(json_object_get(x, lang_key(lang))));
    }
    if (json_array_size(json_object_get(rep, "likely_causes")))
        put(&b, "\n%s:\n", T(lang, "diag.causes"));
    json_array_foreach(json_object_get(rep, "likely_causes"), i, x) {
        const char *k = lang_key(lang);
        put(&b, "  %zu. %s (%.2f): %s\n     %s: %s\n", i + 1,
            json_string_value(at(x, "label", k)), num(json_object_get(x, "score")),
            json_string_value(at(x, "evidence", k)), T(lang, "diag.try"),
            json_string_value(at(x, "try", k)));
    }
    if (b.oom) {
        slab_free(b.s);
        return NULL;
    }
    return b.s;
}

static json_t *both(const char *key, ...)
{
    json_t *o = json_object();
    for (int l = 0; l < SLAB_LANG_COUNT; l++) {
        char t[400];
        va_list ap;
        va_start(ap, key);
        vsnprintf(t, sizeof t, slab_text((slab_lang)l, key), ap);
        va_end(ap);
        json_object_set_new(o, lang_key((slab_lang)l), json_string(t));
    }
    return o;
}

static json_t *pair(char text[SLAB_LANG_COUNT][400])
{
    json_t *o = json_object();
    for (int l = 0; l < SLAB_LANG_COUNT; l++)
        json_object_set_new(o, lang_key((slab_lang)l), json_string(text[l]));
    return o;
}

/* Reads the facts a diagnosis needs; 0, or -1 with err. */
static int read_facts(facts *f, json_t *result, const slab_spec *spec, slab_error *err)
{
    json_t *m = json_object_get(result, "metrics"), *bt = json_object_get(result, "backtest");
    memset(f, 0, sizeof *f);
    if (!json_is_object(m) || !json_is_object(bt)) {
        slab_error_set(err, SLAB_EPARSE, "/metrics",
                       "not a result document: it needs \"backtest\" and \"metrics\" (write one "
                       "with stratlab run ... --json)");
        return -1;
    }
    f->spec = spec;
    f->result = result;
    f->trades = (long)json_integer_value(json_object_get(m, "num_trades"));
    f->zero = f->trades == 0 && json_integer_value(json_object_get(m, "open_trades")) == 0;
    f->symbol = json_string_value(json_array_get(json_object_get(bt, "symbols"), 0));
    f->from = json_string_value(json_object_get(bt, "from"));
    f->to = json_string_value(json_object_get(bt, "to"));
    if (!f->from || !f->to) {
        slab_error_set(err, SLAB_EPARSE, "/backtest", "the result document has no backtest.from/to");
        return -1;
    }
    int64_t d0 = day_of(f->from), d1 = day_of(f->to);
    f->years = d0 != INT64_MIN && d1 != INT64_MIN ? (double)(d1 - d0) / 365.25 : NAN;
    f->cash = num(at(bt, "config", "cash"));
    f->commission = num(at(bt, "config", "commission"));
    json_t *pnl = at(at(result, "analyzers", "tradeanalyzer"), "pnl", NULL);
    f->gross = num(at(pnl, "gross", "total"));
    f->net = num(at(pnl, "net", "total"));
    if (!isfinite(f->gross) || !isfinite(f->net))
        f->gross = f->net = 0.0;
    f->sharpe_daily = num(json_object_get(m, "sharpe_ratio_daily_annualized"));
    return 0;
}

json_t *slab_diagnose_json(json_t *result, const slab_spec *spec, const slab_diag_options *opt,
                           slab_error *err)
{
    const slab_spec_expected *x = spec ? slab_spec_expected_get(spec) : NULL;
    facts f;
    if (read_facts(&f, result, spec, err))
        return NULL;
    json_t *m = json_object_get(result, "metrics"), *bt = json_object_get(result, "backtest");
    double sharpe_yearly = num(json_object_get(m, "sharpe_ratio"));
    double actual[SLAB_DX_N] = {opt->sharpe_daily ? f.sharpe_daily : sharpe_yearly,
                                num(json_object_get(m, "normalized_annual_return")) / 100.0,
                                num(json_object_get(m, "max_drawdown_pct")) / 100.0,
                                num(json_object_get(m, "total_return")) / 100.0};
    const char *sharpe_used = opt->sharpe_daily
                                  ? "SharpeRatio_A(timeframe=Days): sqrt(252)*mean/sd of daily "
                                    "returns, rf 1% a year"
                                  : "backtrader SharpeRatio default: yearly returns, rf 1%";
    if (!opt->sharpe_daily && !isfinite(sharpe_yearly) && isfinite(f.sharpe_daily)) {
        actual[SLAB_DX_SHARPE] = f.sharpe_daily; /* the yearly one needs two years */
        sharpe_used = "daily annualized (SharpeRatio_A on days): the yearly Sharpe is undefined "
                      "with fewer than two yearly returns";
    }
    const int has[SLAB_DX_N] = {x && x->has_sharpe, x && x->has_annual_return,
                                x && x->has_max_drawdown, x && x->has_total_return};
    const double expect[SLAB_DX_N] = {x ? x->sharpe : NAN, x ? x->annual_return : NAN,
                                      x ? x->max_drawdown : NAN, x ? x->total_return : NAN};
    int given = 0, within = 0;
    for (int k = 0; k < SLAB_DX_N; k++) {
        dx *d = &f.d[k];
        d->given = has[k];
        d->expected = expect[k];
        d->actual = actual[k];
        d->tol = opt->tol_given[k] ? opt->tol[k]
                 : x && x->has_thresholds[k] ? x->thresholds[k]
                                             : opt->tol[k];
        if (!d->given)
            continue;
        deviation(d, k);
        given++;
        within += d->within;
    }
    const char *status;
    json_t *reason;
    if (f.zero)
        status = "mismatch", reason = both("diag.reason.zero_trades");
    else if (given == 0)
        status = "match", reason = both("diag.reason.no_expected");
    else if (within == given)
        status = "match", reason = both("diag.reason.all_within");
    else if (within == 0)
        status = "mismatch", reason = both("diag.reason.none_within");
    else
        status = "partial_match", reason = both("diag.reason.some_within", within, given);
    char status_key[40];
    snprintf(status_key, sizeof status_key, "diag.%s", status);
    json_t *rep = json_object();
    json_object_set_new(rep, "status", json_string(status));
    json_object_set_new(rep, "match_status", json_string(status));
    json_object_set_new(rep, "status_text", json_string(T(opt->lang, status_key)));
    json_object_set_new(rep, "lang", json_string(lang_key(opt->lang)));
    json_object_set_new(rep, "reason", reason);
    json_object_set_new(rep, "strategy",
                        json_string(spec ? slab_spec_name(spec)
                                         : json_string_value(json_object_get(bt, "strategy"))));
    json_t *data = json_object();
    json_object_set_new(data, "symbol", f.symbol ? json_string(f.symbol) : json_null());
    /* A universe: the members the spec's rules ran on (spec.members). */
    json_t *members = json_object_get(json_object_get(f.result, "spec"), "members");
    if (json_is_array(members) && json_array_size(members) > 1)
        json_object_set_new(data, "symbols", json_deep_copy(members));
    json_object_set_new(data, "from", json_string(f.from));
    json_object_set_new(data, "to", json_string(f.to));
    json_object_set_new(rep, "data", data);
    json_object_set_new(rep, "initial_cash", json_real(f.cash));
    json_t *th = json_object(), *ex = json_object(), *ac = json_object(), *devs = json_array();
    for (int k = 0; k < SLAB_DX_N; k++) {
        const dx *d = &f.d[k];
        json_object_set_new(th, metric_keys[k], json_real(d->tol));
        json_object_set_new(ac, metric_keys[k], isfinite(actual[k]) ? json_real(actual[k])
                                                                     : json_null());
        if (!d->given)
            continue;
        json_object_set_new(ex, metric_keys[k], json_real(d->expected));
        json_t *o = json_object();
        json_object_set_new(o, "metric", json_string(metric_keys[k]));
        json_object_set_new(o, "expected", json_real(d->expected));
        json_object_set_new(o, "actual", isfinite(d->actual) ? json_real(d->actual) : json_null());
        json_object_set_new(o, "deviation",
                            isfinite(d->deviation) ? json_real(d->deviation) : json_null());
        json_object_set_new(o, "kind", json_string(d->relative && d->expected != 0.0 ? "relative"
                                                                                    : "absolute"));
        json_object_set_new(o, "threshold", json_real(d->tol));
        json_object_set_new(o, "within", json_boolean(d->within));
        json_array_append_new(devs, o);
    }
    double wr = num(json_object_get(m, "win_rate"));
    json_t *sqn = json_object_get(m, "sqn");
    json_object_set_new(ac, "num_trades", json_integer(f.trades));
    json_object_set_new(ac, "win_rate", isfinite(wr) ? json_real(wr / 100.0) : json_null());
    json_object_set_new(ac, "sqn", json_is_number(sqn) ? json_real(num(sqn)) : json_null());
    json_object_set_new(ac, "final_value", json_real(num(json_object_get(m, "final_value"))));
    json_object_set_new(rep, "thresholds", th);
    json_object_set_new(rep, "expected", ex);
    json_object_set_new(rep, "actual", ac);
    json_object_set_new(rep, "deviations", devs);
    json_t *conv = json_object();
    json_object_set_new(conv, "sharpe", json_string(sharpe_used));
    json_object_set_new(conv, "annual_return",
                        json_string("backtrader Returns.rnorm: expm1(mean log return per period x "
                                    "periods per year), a fraction"));
    json_object_set_new(conv, "max_drawdown",
                        json_string("largest fall from a running peak of the value, a fraction"));
    json_object_set_new(conv, "total_return", json_string("final_value/cash - 1, a fraction"));
    json_object_set_new(conv, "deviation",
                        json_string("relative (actual - expected)/|expected| for Sharpe and "
                                    "returns; absolute (actual - expected) for max drawdown and "
                                    "for an expected value of 0"));
    json_object_set_new(rep, "conventions", conv);
    json_object_set_new(rep, "zero_trades", json_boolean(f.zero));
    if (f.zero)
        json_object_set_new(rep, "triage", triage(&f));
    /* Likely causes, ranked; with nothing to explain only the strong ones. */
    cause cs[7];
    memset(cs, 0, sizeof cs);
    void (*make[7])(const facts *, cause *) = {cause_period,  cause_data,       cause_costs,
                                               cause_survivorship, cause_signal, cause_convention,
                                               cause_risk};
    for (int k = 0; k < 7; k++)
        make[k](&f, &cs[k]);
    qsort(cs, 7, sizeof cs[0], by_score);
    json_t *causes = json_array(), *recs = json_array();
    int deviating = f.zero || given > within;
    for (int k = 0; k < 7; k++) {
        /* Explaining a deviation: the top three and any other with some
         * weight; explaining nothing: only strong signals (a wrong symbol). */
        if (deviating ? k >= 3 && cs[k].score < 0.3 : cs[k].score < 0.5)
            continue;
        char key[48];
        snprintf(key, sizeof key, "diag.cause.%s", cs[k].key);
        json_t *o = json_object();
        json_object_set_new(o, "cause", json_string(cs[k].key));
        json_object_set_new(o, "label", both(key));
        json_object_set_new(o, "score", json_real(cs[k].score));
        json_object_set_new(o, "evidence", pair(cs[k].evidence));
        json_object_set_new(o, "try", pair(cs[k].todo));
        json_array_append_new(causes, o);
        json_array_append_new(recs, json_string(cs[k].todo[opt->lang == SLAB_LANG_ZH]));
    }
    json_object_set_new(rep, "likely_causes", causes);
    json_object_set_new(rep, "recommendations", recs);
    /* The Phase 6 table, as rows and as text in both languages. */
    json_t *table = json_object(), *rows = json_array();
    static const char *const row_keys[] = {"total_return", "annual_return", "sharpe",
                                           "max_drawdown", "num_trades", "win_rate", "sqn"};
    for (size_t k = 0; k < sizeof row_keys / sizeof row_keys[0]; k++) {
        json_t *r = json_object(), *e = json_object_get(ex, row_keys[k]), *dv = json_null(), *d;
        size_t i;
        json_object_set_new(r, "metric", json_string(row_keys[k]));
        json_object_set_new(r, "actual", json_deep_copy(json_object_get(ac, row_keys[k])));
        json_object_set_new(r, "expected", e ? json_deep_copy(e) : json_null());
        json_array_foreach(devs, i, d) if (!strcmp(json_string_value(json_object_get(d, "metric")),
                                                   row_keys[k]))
        {
            json_decref(dv);
            dv = json_deep_copy(json_object_get(d, "deviation"));
        }
        json_object_set_new(r, "deviation", dv);
        json_array_append_new(rows, r);
    }
    json_object_set_new(table, "rows", rows);
    json_object_set_new(rep, "table", table);
    json_t *tt = json_object();
    for (int l = 0; l < SLAB_LANG_COUNT; l++) {
        buf b = {0};
        table_text(&b, rep, (slab_lang)l);
        json_object_set_new(tt, lang_key((slab_lang)l), json_string(b.s && !b.oom ? b.s : ""));
        slab_free(b.s);
    }
    json_object_set_new(table, "text", tt);
    return rep;
}

json_t *slab_diagnosis_from_json(json_t *doc, slab_error *err)
{
    static const char *const keys[] = {
        "status",   "match_status", "status_text",  "lang",        "reason",
        "strategy", "data",         "initial_cash", "thresholds",  "expected",
        "actual",   "deviations",   "conventions",  "zero_trades", "triage",
        "likely_causes", "recommendations", "table", "notes"};
    static const char *const required[] = {"status", "expected", "actual", "deviations",
                                           "likely_causes"};
    if (!json_is_object(doc))
        return slab_error_set(err, SLAB_EPARSE, "", "a DiagnosisReport is a JSON object"), NULL;
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (!json_object_get(doc, required[k]))
            return slab_error_set(err, SLAB_EPARSE, required[k], "a DiagnosisReport needs \"%s\"",
                                  required[k]),
                   NULL;
    const char *st = json_string_value(json_object_get(doc, "status"));
    if (!st || (strcmp(st, "match") && strcmp(st, "partial_match") && strcmp(st, "mismatch")))
        return slab_error_set(err, SLAB_EPARSE, "/status",
                              "status must be match, partial_match or mismatch"),
               NULL;
    if (!json_is_array(json_object_get(doc, "deviations")) ||
        !json_is_array(json_object_get(doc, "likely_causes")) ||
        !json_is_object(json_object_get(doc, "expected")) ||
        !json_is_object(json_object_get(doc, "actual")))
        return slab_error_set(err, SLAB_EPARSE, "",
                              "deviations and likely_causes must be arrays, expected and actual "
                              "objects"),
               NULL;
    json_t *out = json_object();
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(doc, keys[k]);
        if (v)
            json_object_set_new(out, keys[k], json_deep_copy(v));
    }
    return out;
}

slab_status slab_spec_result_sections(json_t *doc, const slab_spec *spec,
                                      const slab_spec_run *srun, const slab_bars *bars,
                                      slab_lang lang, slab_error *err)
{
    json_t *bt = json_object_get(doc, "backtest"), *ex = json_object_get(doc, "execution");
    const char *sha = slab_spec_sha256(spec);
    char seed[128], id[65];
    json_t *sp;
    if (!bt || !ex)
        return slab_error_set(err, SLAB_EINTERNAL, NULL, "a result document without backtest "
                              "and execution");
    json_object_set_new(bt, "spec_sha256", json_string(sha));
    snprintf(seed, sizeof seed, "%s|%s", json_string_value(json_object_get(bt, "run_id")), sha);
    slab_sha256_mem(seed, strlen(seed), id);
    id[16] = '\0';
    json_object_set_new(bt, "run_id", json_string(id));
    json_object_set_new(ex, "id", json_string(id));
    json_object_set_new(ex, "compile_ms", json_real(slab_spec_compile_ms(spec)));
    if (!(sp = slab_spec_run_json(srun, bars)) || json_object_set_new(doc, "spec", sp))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the spec section");
    if (slab_spec_expected_get(spec)) {
        slab_diag_options opt;
        slab_diag_options_default(&opt);
        opt.lang = lang;
        json_t *dg = slab_diagnose_json(doc, spec, &opt, err);
        if (!dg)
            return err->code;
        json_object_set_new(doc, "diagnosis", dg);
    }
    return SLAB_OK;
}
