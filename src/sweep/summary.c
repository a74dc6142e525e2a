/* summary.c: what a ranked sweep reports beside its lines: the best
 * combinations (kept whole), and how much of the best is selection: the
 * number of trials, the deflated Sharpe ratio of the best, the probability
 * of backtest overfitting by CSCV over every trial's daily returns, and the
 * stability of the metric around the best point (its neighbours on each
 * axis, profiles, a heatmap). Built from the lines alone, so a sweep and
 * the merge of its shards give the same summary.
 * Invariant: memory per trial is bounded (a record of its position, metric
 * and value indexes, and 2S block sums up to SLAB_SUMMARY_MAX_PBO trials);
 * only top_n lines are kept whole. */
#include "sweep/sweep_int.h"

#include "stratlab/engine.h"
#include "stratlab/metrics.h"
#include "stratlab/overfit.h"
#include "stratlab/result.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rank metric -------------------------------------------------------- */

/* The keys of the "metrics" object, read from one built for an empty run,
 * so the list follows whatever `run --json` writes. */
static json_t *metric_keys(void)
{
    double v = 100000.0;
    int64_t ts = 0;
    slab_run run;
    slab_headline h;
    memset(&run, 0, sizeof run);
    memset(&h, 0, sizeof h);
    run.n_bars = 1;
    run.ts_ns = &ts;
    run.value = &v;
    run.start_value = run.final_value = v;
    return slab_result_metrics(&run, &h);
}

slab_status slab_sweep_rank_parse(const char *s, char metric[64], int *descending,
                                  slab_error *err)
{
    const char *colon = strchr(s, ':');
    size_t len = colon ? (size_t)(colon - s) : strlen(s);
    char names[1024] = "";
    const char *key;
    json_t *v, *keys = metric_keys();
    int found = 0;
    if (len == 0 || len >= 64) {
        json_decref(keys);
        return slab_error_set(err, SLAB_EINVAL, "--rank", "--rank takes a metric name, e.g. "
                                                          "sharpe_ratio or max_drawdown_pct:min");
    }
    snprintf(metric, 64, "%.*s", (int)len, s);
    json_object_foreach(keys, key, v)
    {
        if (!strcmp(key, metric))
            found = 1;
        if (json_is_number(v) || json_is_null(v))
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                     names[0] ? ", " : "", key);
    }
    json_decref(keys);
    if (!found || !strcmp(metric, "conventions"))
        return slab_error_set(err, SLAB_ENOTFOUND, "--rank",
                              "unknown metric '%s'; rank by one of: %s", metric, names);
    if (!colon)
        *descending = strcmp(metric, "max_drawdown_pct") && strcmp(metric, "lost_trades") &&
                      strcmp(metric, "losing_trades");
    else if (!strcmp(colon + 1, "max"))
        *descending = 1;
    else if (!strcmp(colon + 1, "min"))
        *descending = 0;
    else
        return slab_error_set(err, SLAB_EINVAL, "--rank",
                              "'%s': after the metric give :max (higher is better) or :min", s);
    return SLAB_OK;
}

/* ---- the summary ------------------------------------------------------------ */

typedef struct axis {
    char name[SLAB_GRID_NAME_MAX];
    char **text;      /* distinct values as JSON text, in order of appearance */
    double *num;      /* their numbers (NaN: none), for ordering */
    size_t n, cap;
    size_t *slot;     /* hash table of value index + 1 */
    size_t slots;     /* a power of two */
    size_t *order;    /* after finish: sorted position -> value index */
    size_t *rank;     /* value index -> sorted position */
} axis;

typedef struct top {
    double value;
    uint64_t index;
    char *line;       /* owned */
    double sr, skew, kurt;
    uint64_t days;
    int sr_null;
} top;

struct slab_sweep_summary {
    char metric[64];
    int desc;
    size_t top_n;
    axis ax[SLAB_GRID_MAX_AXES];
    size_t n_axes;
    int axes_set;
    uint64_t trials, failed, ranked;
    /* per-trial records */
    uint64_t *t_index;
    double *t_value;
    uint32_t *t_vi;   /* n_axes value indexes per trial */
    size_t n_rec, cap_rec;
    int records_ok;
    /* CSCV */
    double *sums, *sumsq;
    size_t n_pbo, cap_pbo;
    int blocks;       /* S, -1 until the first trial */
    uint64_t days;    /* T of the first trial */
    const char *pbo_why;
    /* Sharpe ratios of the trials, for DSR (Welford) */
    double sr_mean, sr_m2;
    uint64_t sr_null;
    top *tops;
    size_t n_top;
};

slab_sweep_summary *slab_sweep_summary_new(const char *metric, int descending, size_t top_n)
{
    slab_sweep_summary *s = slab_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    snprintf(s->metric, sizeof s->metric, "%s", metric);
    s->desc = descending;
    s->top_n = top_n ? top_n : 1;
    s->tops = slab_calloc(s->top_n + 1, sizeof *s->tops);
    if (!s->tops) {
        slab_free(s);
        return NULL;
    }
    s->records_ok = 1;
    s->blocks = -1;
    return s;
}

void slab_sweep_summary_free(slab_sweep_summary *s)
{
    if (!s)
        return;
    for (size_t a = 0; a < s->n_axes; a++) {
        for (size_t k = 0; k < s->ax[a].n; k++)
            free(s->ax[a].text[k]);
        slab_free(s->ax[a].text);
        slab_free(s->ax[a].num);
        slab_free(s->ax[a].slot);
        slab_free(s->ax[a].order);
        slab_free(s->ax[a].rank);
    }
    for (size_t k = 0; k < s->n_top; k++)
        slab_free(s->tops[k].line);
    slab_free(s->tops);
    slab_free(s->t_index);
    slab_free(s->t_value);
    slab_free(s->t_vi);
    slab_free(s->sums);
    slab_free(s->sumsq);
    slab_free(s);
}

static size_t hash_str(const char *t)
{
    size_t h = 1469598103934665603ULL;
    for (; *t; t++)
        h = (h ^ (unsigned char)*t) * 1099511628211ULL;
    return h;
}

/* The leading number of a value's JSON text: 5 for 5, 2 for "2%". */
static double value_num(const json_t *v)
{
    if (json_is_number(v))
        return json_number_value(v);
    if (json_is_string(v)) {
        const char *t = json_string_value(v);
        char *end;
        double x = strtod(t[0] == '@' ? t + 1 : t, &end);
        if (end != t)
            return x;
    }
    return NAN;
}

/* The index of value v on axis a (added when new); -1 when out of memory. */
static long value_index(axis *a, const json_t *v)
{
    char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
    if (!t)
        return -1;
    if (a->n * 2 >= a->slots) {
        size_t slots = a->slots ? a->slots * 2 : 64;
        size_t *g = slab_calloc(slots, sizeof *g);
        if (!g) {
            free(t);
            return -1;
        }
        for (size_t k = 0; k < a->n; k++) {
            size_t h = hash_str(a->text[k]) & (slots - 1);
            while (g[h])
                h = (h + 1) & (slots - 1);
            g[h] = k + 1;
        }
        slab_free(a->slot);
        a->slot = g;
        a->slots = slots;
    }
    size_t h = hash_str(t) & (a->slots - 1);
    for (; a->slot[h]; h = (h + 1) & (a->slots - 1))
        if (!strcmp(a->text[a->slot[h] - 1], t)) {
            free(t);
            return (long)(a->slot[h] - 1);
        }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        char **gt = slab_realloc(a->text, cap * sizeof *gt);
        double *gn = gt ? slab_realloc(a->num, cap * sizeof *gn) : NULL;
        if (gt)
            a->text = gt;
        if (!gt || !gn) {
            free(t);
            return -1;
        }
        a->num = gn;
        a->cap = cap;
    }
    a->text[a->n] = t;
    a->num[a->n] = value_num(v);
    a->slot[h] = a->n + 1;
    return (long)a->n++;
}

/* Grows a per-trial array to hold one more of size bytes each. */
static int grow(void **p, size_t n, size_t *cap, size_t each)
{
    if (n < *cap)
        return 1;
    size_t c = *cap ? *cap * 2 : 1024;
    void *g = slab_realloc(*p, c * each);
    if (!g)
        return 0;
    *p = g;
    *cap = c;
    return 1;
}

/* 1 when a (value, index) ranks before b. */
static int better(const slab_sweep_summary *s, double va, uint64_t ia, double vb, uint64_t ib)
{
    if (va != vb)
        return s->desc ? va > vb : va < vb;
    return ia < ib;
}

static double num_of(json_t *v, int *is_null)
{
    *is_null = !json_is_number(v);
    return *is_null ? NAN : json_number_value(v);
}

/* Keeps the line among the top_n when it ranks there. */
static slab_status keep_top(slab_sweep_summary *s, double value, uint64_t index, const char *line,
                            size_t len, json_t *daily, slab_error *err)
{
    size_t k = s->n_top;
    while (k > 0 && better(s, value, index, s->tops[k - 1].value, s->tops[k - 1].index))
        k--;
    if (k >= s->top_n)
        return SLAB_OK;
    char *copy = slab_malloc(len + 1);
    if (!copy)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the top lines");
    memcpy(copy, line, len);
    copy[len] = '\0';
    if (s->n_top == s->top_n)
        slab_free(s->tops[--s->n_top].line);
    memmove(&s->tops[k + 1], &s->tops[k], (s->n_top - k) * sizeof *s->tops);
    top *t = &s->tops[k];
    memset(t, 0, sizeof *t);
    t->value = value;
    t->index = index;
    t->line = copy;
    int null;
    t->sr = num_of(json_object_get(daily, "sharpe"), &t->sr_null);
    t->skew = num_of(json_object_get(daily, "skew"), &null);
    t->kurt = num_of(json_object_get(daily, "kurtosis"), &null);
    t->days = (uint64_t)json_integer_value(json_object_get(daily, "days"));
    s->n_top++;
    return SLAB_OK;
}

/* Defines the axes from the first line's params, or checks a later line's. */
static slab_status axes_of(slab_sweep_summary *s, json_t *params, slab_error *err)
{
    const char *key;
    json_t *v;
    size_t k = 0;
    if (!s->axes_set) {
        json_object_foreach(params, key, v)
        {
            if (s->n_axes == SLAB_GRID_MAX_AXES)
                return slab_error_set(err, SLAB_EPARSE, NULL, "more than %d swept parameters",
                                      SLAB_GRID_MAX_AXES);
            snprintf(s->ax[s->n_axes++].name, SLAB_GRID_NAME_MAX, "%s", key);
        }
        s->axes_set = 1;
        return SLAB_OK;
    }
    json_object_foreach(params, key, v)
    {
        if (k >= s->n_axes || strcmp(s->ax[k].name, key))
            return slab_error_set(err, SLAB_EPARSE, NULL,
                                  "a line's params differ from the first line's (swept '%s')",
                                  key);
        k++;
    }
    if (k != s->n_axes)
        return slab_error_set(err, SLAB_EPARSE, NULL,
                              "a line's params differ from the first line's");
    return SLAB_OK;
}

/* Records the trial's CSCV block sums (or notes why PBO cannot be had). */
static slab_status keep_blocks(slab_sweep_summary *s, json_t *daily, slab_error *err)
{
    json_t *b = json_object_get(daily, "blocks");
    size_t m = json_array_size(b);
    uint64_t days = (uint64_t)json_integer_value(json_object_get(daily, "days"));
    if (s->pbo_why)
        return SLAB_OK;
    if (s->blocks < 0) {
        s->blocks = (int)(m / 2);
        s->days = days;
    }
    if (m == 0)
        s->pbo_why = "fewer daily returns than CSCV blocks: the data is too short";
    else if ((int)(m / 2) != s->blocks || days != s->days || m % 2)
        s->pbo_why = "the lines carry different CSCV blocks (not one sweep?)";
    else if (s->n_pbo >= SLAB_SUMMARY_MAX_PBO)
        s->pbo_why = "more trials than the CSCV memory cap (SLAB_SUMMARY_MAX_PBO)";
    if (s->pbo_why) {
        slab_free(s->sums);
        slab_free(s->sumsq);
        s->sums = s->sumsq = NULL;
        return SLAB_OK;
    }
    size_t S = (size_t)s->blocks, cap = s->cap_pbo;
    if (!grow((void **)&s->sums, s->n_pbo, &cap, S * sizeof(double)) ||
        !grow((void **)&s->sumsq, s->n_pbo, &s->cap_pbo, S * sizeof(double)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for CSCV blocks");
    for (size_t k = 0; k < S; k++) {
        int null;
        double a = num_of(json_array_get(b, 2 * k), &null);
        double q = num_of(json_array_get(b, 2 * k + 1), &null);
        s->sums[s->n_pbo * S + k] = isnan(a) ? 0.0 : a;
        s->sumsq[s->n_pbo * S + k] = isnan(q) ? 0.0 : q;
    }
    s->n_pbo++;
    return SLAB_OK;
}

/* Records the trial's position, metric and value indexes. */
static slab_status keep_record(slab_sweep_summary *s, uint64_t index, double value,
                               json_t *params, slab_error *err)
{
    const char *key;
    json_t *v;
    size_t a = 0, c1 = s->cap_rec, c2 = s->cap_rec;
    if (!s->records_ok)
        return SLAB_OK;
    if (s->n_rec >= SLAB_SUMMARY_MAX_TRIALS) {
        s->records_ok = 0;
        return SLAB_OK;
    }
    if (!grow((void **)&s->t_index, s->n_rec, &c1, sizeof(uint64_t)) ||
        !grow((void **)&s->t_value, s->n_rec, &c2, sizeof(double)) ||
        !grow((void **)&s->t_vi, s->n_rec, &s->cap_rec,
              (s->n_axes ? s->n_axes : 1) * sizeof(uint32_t)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the trials");
    json_object_foreach(params, key, v)
    {
        long vi = value_index(&s->ax[a], v);
        if (vi < 0)
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the trials");
        s->t_vi[s->n_rec * s->n_axes + a++] = (uint32_t)vi;
    }
    s->t_index[s->n_rec] = index;
    s->t_value[s->n_rec++] = value;
    return SLAB_OK;
}

slab_status slab_sweep_summary_add(slab_sweep_summary *s, const char *line, size_t len,
                                   slab_error *err)
{
    json_error_t je;
    slab_status st = SLAB_OK;
    json_t *o = json_loadb(line, len, 0, &je);
    json_t *sw = json_object_get(o, "sweep"), *params = json_object_get(o, "params");
    json_t *metrics = json_object_get(o, "metrics"), *daily = json_object_get(o, "daily");
    if (!o || !json_is_object(sw) || !json_is_object(params)) {
        json_decref(o);
        return slab_error_set(err, SLAB_EPARSE, NULL, "not a sweep line%s%s", o ? "" : ": ",
                              o ? "" : je.text);
    }
    uint64_t index = (uint64_t)json_integer_value(json_object_get(sw, "index"));
    if ((st = axes_of(s, params, err)) != SLAB_OK)
        goto out;
    if (!json_is_object(metrics)) {
        s->failed++;
        goto out;
    }
    json_t *mv = json_object_get(metrics, s->metric);
    if (!mv) {
        st = slab_error_set(err, SLAB_ENOTFOUND, "--rank", "the lines have no metric '%s'",
                            s->metric);
        goto out;
    }
    int null;
    double value = num_of(mv, &null);
    double sr = num_of(json_object_get(daily, "sharpe"), &null);
    /* a flat trial (no daily variation) counts with a Sharpe ratio of 0 */
    if (null)
        s->sr_null++, sr = 0.0;
    s->trials++;
    double d = sr - s->sr_mean;
    s->sr_mean += d / (double)s->trials;
    s->sr_m2 += d * (sr - s->sr_mean);
    if (!isnan(value)) {
        s->ranked++;
        st = keep_top(s, value, index, line, len, daily, err);
    }
    if (st == SLAB_OK)
        st = keep_record(s, index, value, params, err);
    if (st == SLAB_OK)
        st = keep_blocks(s, daily, err);
out:
    json_decref(o);
    return st;
}

/* ---- the summary object ------------------------------------------------------ */

static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *why(const char *text)
{
    json_t *o = json_object();
    json_object_set_new(o, "value", json_null());
    json_object_set_new(o, "why", json_string(text));
    return o;
}

static json_t *dsr_json(const slab_sweep_summary *s)
{
    const top *b = &s->tops[0];
    if (b->sr_null)
        return why("the best trial's daily returns do not vary (no trades?)");
    slab_dsr d;
    memset(&d, 0, sizeof d);
    d.sr = b->sr;
    d.n_obs = (double)b->days;
    d.skew = isnan(b->skew) ? 0.0 : b->skew;
    d.kurt = isnan(b->kurt) ? 3.0 : b->kurt;
    d.n_trials = (double)s->trials;
    d.var_sr = s->trials > 1 ? s->sr_m2 / (double)(s->trials - 1) : 0.0;
    slab_dsr_compute(&d);
    json_t *o = json_object();
    json_object_set_new(o, "dsr", jnum(d.dsr));
    json_object_set_new(o, "sharpe", jnum(d.sr));
    json_object_set_new(o, "sharpe_annualized", jnum(d.sr * sqrt(252.0)));
    json_object_set_new(o, "sr0", jnum(d.sr0));
    json_object_set_new(o, "sr0_annualized", jnum(d.sr0 * sqrt(252.0)));
    json_object_set_new(o, "days", json_integer((json_int_t)b->days));
    json_object_set_new(o, "skew", jnum(d.skew));
    json_object_set_new(o, "kurtosis", jnum(d.kurt));
    json_object_set_new(o, "trials", json_integer((json_int_t)s->trials));
    json_object_set_new(o, "sharpe_variance", jnum(d.var_sr));
    json_object_set_new(o, "note",
                        json_string("Bailey and Lopez de Prado (2014): the probability that the "
                                    "best trial's true Sharpe ratio exceeds the expected maximum "
                                    "of this many trials without skill; per-day Sharpe of daily "
                                    "returns (rf 0), every trial counted as independent (which "
                                    "raises the bar), flat trials with Sharpe 0"));
    return o;
}

static json_t *pbo_json(const slab_sweep_summary *s, slab_error *err)
{
    size_t S = s->blocks > 0 ? (size_t)s->blocks : 0, count[SLAB_CSCV_MAX_BLOCKS];
    slab_pbo p;
    if (s->pbo_why)
        return why(s->pbo_why);
    if (s->n_pbo < 2)
        return why("CSCV needs at least 2 trials");
    for (size_t b = 0; b < S; b++)
        count[b] = slab_cscv_block_start(s->days, S, b + 1) - slab_cscv_block_start(s->days, S, b);
    if (slab_pbo_cscv(s->sums, s->sumsq, count, s->n_pbo, S, &p, err) != SLAB_OK)
        return err->code == SLAB_ENOMEM ? NULL : why(err->msg);
    json_t *o = json_object(), *h = json_array();
    json_object_set_new(o, "pbo", jnum(p.pbo));
    json_object_set_new(o, "splits", json_integer((json_int_t)p.splits));
    json_object_set_new(o, "blocks", json_integer((json_int_t)p.blocks));
    json_object_set_new(o, "days", json_integer((json_int_t)s->days));
    json_object_set_new(o, "logit_mean", jnum(p.logit_mean));
    json_object_set_new(o, "prob_oos_loss", jnum(p.prob_oos_loss));
    json_object_set_new(o, "degradation_slope", jnum(p.degradation_slope));
    json_object_set_new(o, "is_sharpe_mean", jnum(p.is_sharpe_mean));
    json_object_set_new(o, "oos_sharpe_mean", jnum(p.oos_sharpe_mean));
    for (int k = 0; k < 10; k++)
        json_array_append_new(h, json_integer((json_int_t)p.hist[k]));
    json_object_set_new(o, "logit_histogram", h);
    json_object_set_new(o, "note",
                        json_string("Bailey, Borwein, Lopez de Prado and Zhu (2015): CSCV over "
                                    "the trials' daily returns in S contiguous blocks, per-day "
                                    "Sharpe as performance; PBO is the share of the C(S, S/2) "
                                    "splits whose in-sample best ranks at or below the "
                                    "out-of-sample median (histogram: logits in unit bins from "
                                    "< -4 to >= 4)"));
    return o;
}

/* Orders value indexes of an axis: numbers ascending, values without a
 * number after them, ties in order of appearance. */
static int cmp_values(const void *pa, const void *pb, void *ctx)
{
    const axis *x = ctx;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    double na = x->num[a], nb = x->num[b];
    if (isnan(na) != isnan(nb))
        return isnan(na) ? 1 : -1;
    if (!isnan(na) && na != nb)
        return na < nb ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* Sorts each axis's values (cmp_values). */
static slab_status sort_axes(slab_sweep_summary *s, slab_error *err)
{
    for (size_t a = 0; a < s->n_axes; a++) {
        axis *x = &s->ax[a];
        slab_free(x->order);
        slab_free(x->rank);
        x->order = slab_malloc((x->n ? x->n : 1) * sizeof *x->order);
        x->rank = slab_malloc((x->n ? x->n : 1) * sizeof *x->rank);
        if (!x->order || !x->rank)
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory");
        for (size_t k = 0; k < x->n; k++)
            x->order[k] = k;
        qsort_r(x->order, x->n, sizeof *x->order, cmp_values, x);
        for (size_t k = 0; k < x->n; k++)
            x->rank[x->order[k]] = k;
    }
    return SLAB_OK;
}

/* Trials by their sorted value positions: an open hash of record + 1. */
typedef struct grid_map {
    size_t *slot, mask;
} grid_map;

static size_t tuple_hash(const slab_sweep_summary *s, const size_t *pos)
{
    size_t h = 1469598103934665603ULL;
    for (size_t a = 0; a < s->n_axes; a++)
        h = (h ^ pos[a]) * 1099511628211ULL;
    return h;
}

static void tuple_of(const slab_sweep_summary *s, size_t r, size_t *pos)
{
    for (size_t a = 0; a < s->n_axes; a++)
        pos[a] = s->ax[a].rank[s->t_vi[r * s->n_axes + a]];
}

static int map_build(const slab_sweep_summary *s, grid_map *m)
{
    size_t slots = 16, pos[SLAB_GRID_MAX_AXES];
    while (slots < s->n_rec * 2)
        slots *= 2;
    if (!(m->slot = slab_calloc(slots, sizeof *m->slot)))
        return 0;
    m->mask = slots - 1;
    for (size_t r = 0; r < s->n_rec; r++) {
        tuple_of(s, r, pos);
        size_t h = tuple_hash(s, pos) & m->mask;
        while (m->slot[h])
            h = (h + 1) & m->mask;
        m->slot[h] = r + 1;
    }
    return 1;
}

/* The record at sorted positions pos, or -1. */
static long map_find(const slab_sweep_summary *s, const grid_map *m, const size_t *pos)
{
    size_t other[SLAB_GRID_MAX_AXES];
    for (size_t h = tuple_hash(s, pos) & m->mask; m->slot[h]; h = (h + 1) & m->mask) {
        tuple_of(s, m->slot[h] - 1, other);
        if (!memcmp(other, pos, s->n_axes * sizeof *pos))
            return (long)(m->slot[h] - 1);
    }
    return -1;
}

/* The value of axis a at sorted position k, as JSON. */
static json_t *axis_value(const axis *x, size_t k)
{
    return json_loads(x->text[x->order[k]], JSON_DECODE_ANY, NULL);
}

static json_t *metric_at(const slab_sweep_summary *s, const grid_map *m, const size_t *pos)
{
    long r = map_find(s, m, pos);
    return r < 0 ? json_null() : jnum(s->t_value[r]);
}

static json_t *stability_json(const slab_sweep_summary *s, const grid_map *m, long best)
{
    size_t pos[SLAB_GRID_MAX_AXES], q[SLAB_GRID_MAX_AXES];
    double sum = 0.0, mn = INFINITY, mx = -INFINITY, bv = s->t_value[best];
    size_t k = 0;
    json_t *o = json_object(), *prof = json_object();
    tuple_of(s, (size_t)best, pos);
    for (size_t a = 0; a < s->n_axes; a++) {
        json_t *pa = json_array();
        for (int d = -1; d <= 1; d += 2) {
            memcpy(q, pos, sizeof q);
            if ((d < 0 && pos[a] == 0) || (d > 0 && pos[a] + 1 >= s->ax[a].n))
                continue;
            q[a] = pos[a] + (size_t)(long)d;
            long r = map_find(s, m, q);
            if (r < 0 || isnan(s->t_value[r]))
                continue;
            double v = s->t_value[r];
            sum += v;
            mn = v < mn ? v : mn;
            mx = v > mx ? v : mx;
            k++;
        }
        for (size_t j = 0; j < s->ax[a].n; j++) {
            json_t *row = json_array();
            memcpy(q, pos, sizeof q);
            q[a] = j;
            json_array_append_new(row, axis_value(&s->ax[a], j));
            json_array_append_new(row, metric_at(s, m, q));
            json_array_append_new(pa, row);
        }
        json_object_set_new(prof, s->ax[a].name, pa);
    }
    json_object_set_new(o, "best", jnum(bv));
    json_object_set_new(o, "neighbors", json_integer((json_int_t)k));
    json_object_set_new(o, "neighbor_mean", k ? jnum(sum / (double)k) : json_null());
    json_object_set_new(o, "neighbor_min", k ? jnum(mn) : json_null());
    json_object_set_new(o, "neighbor_max", k ? jnum(mx) : json_null());
    json_object_set_new(o, "ratio", k && bv != 0.0 ? jnum(sum / (double)k / bv) : json_null());
    json_object_set_new(o, "profiles", prof);
    json_object_set_new(o, "note",
                        json_string("the ranked metric at the best point's neighbours (one step "
                                    "up or down one axis, the others fixed); ratio = neighbour "
                                    "mean / best: near 1 is a plateau, far below 1 a spike"));
    return o;
}

static json_t *heatmap_json(const slab_sweep_summary *s, const grid_map *m, long best,
                            const char *hx, const char *hy)
{
    size_t pos[SLAB_GRID_MAX_AXES], q[SLAB_GRID_MAX_AXES];
    long x = 0, y = s->n_axes > 1 ? 1 : -1;
    for (size_t a = 0; a < s->n_axes; a++) {
        if (hx && !strcmp(s->ax[a].name, hx))
            x = (long)a;
        if (hy && !strcmp(s->ax[a].name, hy))
            y = (long)a;
    }
    if (y == x)
        y = x == 0 && s->n_axes > 1 ? 1 : x == 1 ? 0 : y;
    tuple_of(s, (size_t)best, pos);
    json_t *o = json_object(), *xv = json_array(), *yv = json_array(), *z = json_array(),
           *fixed = json_object();
    json_object_set_new(o, "x", json_string(s->ax[x].name));
    json_object_set_new(o, "y", y >= 0 ? json_string(s->ax[y].name) : json_null());
    for (size_t j = 0; j < s->ax[x].n; j++)
        json_array_append_new(xv, axis_value(&s->ax[x], j));
    size_t ny = y >= 0 ? s->ax[y].n : 1;
    for (size_t i = 0; i < ny; i++) {
        json_t *row = json_array();
        if (y >= 0)
            json_array_append_new(yv, axis_value(&s->ax[y], i));
        for (size_t j = 0; j < s->ax[x].n; j++) {
            memcpy(q, pos, sizeof q);
            q[x] = j;
            if (y >= 0)
                q[y] = i;
            json_array_append_new(row, metric_at(s, m, q));
        }
        json_array_append_new(z, row);
    }
    for (size_t a = 0; a < s->n_axes; a++)
        if ((long)a != x && (long)a != y)
            json_object_set_new(fixed, s->ax[a].name, axis_value(&s->ax[a], pos[a]));
    json_object_set_new(o, "x_values", xv);
    json_object_set_new(o, "y_values", yv);
    json_object_set_new(o, "z", z);
    json_object_set_new(o, "fixed", fixed);
    json_object_set_new(o, "best", json_integer((json_int_t)s->t_index[best]));
    json_t *at = json_array();
    json_array_append_new(at, json_integer((json_int_t)pos[x]));
    json_array_append_new(at, y >= 0 ? json_integer((json_int_t)pos[y]) : json_integer(0));
    json_object_set_new(o, "best_at", at); /* [x index, y index] of the best point */
    return o;
}

json_t *slab_sweep_summary_json(slab_sweep_summary *s, const char *heat_x, const char *heat_y,
                                slab_error *err)
{
    json_t *o = json_object(), *tops = json_array(), *of = json_object();
    grid_map m = {0};
    json_object_set_new(o, "rank_by", json_string(s->metric));
    json_object_set_new(o, "order", json_string(s->desc ? "max" : "min"));
    json_object_set_new(o, "trials", json_integer((json_int_t)s->trials));
    json_object_set_new(o, "failed", json_integer((json_int_t)s->failed));
    json_object_set_new(o, "ranked", json_integer((json_int_t)s->ranked));
    for (size_t k = 0; k < s->n_top; k++)
        json_array_append_new(tops, json_loads(s->tops[k].line, 0, NULL));
    json_object_set_new(o, "top", tops);
    json_object_set_new(o, "overfitting", of); /* filled below, owned by o */
    json_object_set_new(of, "trials", json_integer((json_int_t)s->trials));
    if (s->n_top == 0) {
        char text[200];
        snprintf(text, sizeof text, "no trial has a value for %s (null in every line)",
                 s->metric);
        json_object_set_new(of, "deflated_sharpe", why(text));
        json_object_set_new(of, "pbo", why(text));
        json_object_set_new(of, "stability", why(text));
        json_object_set_new(o, "heatmap", json_null());
        return o;
    }
    json_object_set_new(of, "deflated_sharpe", dsr_json(s));
    json_t *pbo = pbo_json(s, err);
    if (!pbo)
        goto fail;
    json_object_set_new(of, "pbo", pbo);
    long best = -1;
    for (size_t r = 0; s->records_ok && r < s->n_rec; r++)
        if (s->t_index[r] == s->tops[0].index)
            best = (long)r;
    if (best < 0) {
        json_object_set_new(of, "stability",
                            why("more trials than the summary keeps records for "
                                "(SLAB_SUMMARY_MAX_TRIALS)"));
        json_object_set_new(o, "heatmap", json_null());
    } else {
        if (sort_axes(s, err) != SLAB_OK || !map_build(s, &m))
            goto fail;
        json_object_set_new(of, "stability", stability_json(s, &m, best));
        json_object_set_new(o, "heatmap", s->n_axes ? heatmap_json(s, &m, best, heat_x, heat_y)
                                                    : json_null());
    }
    slab_free(m.slot);
    return o;
fail:
    slab_free(m.slot);
    json_decref(o);
    if (err->code != SLAB_ENOMEM)
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the sweep summary");
    return NULL;
}

int slab_sweep_summary_best(const slab_sweep_summary *s, uint64_t *index, double *value)
{
    if (!s->n_top)
        return 0;
    *index = s->tops[0].index;
    *value = s->tops[0].value;
    return 1;
}
