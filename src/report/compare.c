/* compare.c: runs side by side (report.h, slab_compare_*): the statistics
 * block of each result document in one table with the best of each row
 * marked, the configuration items that differ (what explains the
 * difference), and their equity curves overlaid on one time axis, as JSON,
 * text or a self-contained HTML page.
 * Invariant: every number is the documents' own; "best" is decided only
 * for rows with a direction (higher return, lower drawdown ...), never for
 * counts or spans that are neither good nor bad. */
#include "report_int.h"

#include "stratlab/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* +1 higher is better, -1 lower is better, 0 no direction. */
static int direction(const char *key)
{
    static const char *const up[] = {
        "equity_final",  "equity_peak",   "return_pct",   "cagr_pct",       "sharpe_ratio",
        "sortino_ratio", "calmar_ratio",  "win_rate_pct", "best_trade_pct", "worst_trade_pct",
        "avg_trade_pct", "profit_factor", "expectancy",   "expectancy_pct", "sqn"};
    static const char *const down[] = {"annual_volatility_pct", "max_drawdown_pct",
                                       "avg_drawdown_pct",      "max_drawdown_duration",
                                       "avg_drawdown_duration", "commissions"};
    for (size_t k = 0; k < sizeof up / sizeof up[0]; k++)
        if (!strcmp(key, up[k]))
            return 1;
    for (size_t k = 0; k < sizeof down / sizeof down[0]; k++)
        if (!strcmp(key, down[k]))
            return -1;
    return 0;
}

/* Flattens o's scalars into out as "prefix.key" -> value. */
static void flatten(const json_t *o, const char *prefix, json_t *out)
{
    const char *k;
    json_t *v;
    char path[256];
    json_object_foreach((json_t *)o, k, v)
    {
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", k);
        if (json_is_object(v))
            flatten(v, path, out);
        else
            json_object_set(out, path, v);
    }
}

/* The settings of a run that may explain a difference: the strategy,
 * data and period, and every configuration item. */
static json_t *settings(const json_t *doc)
{
    static const char *const keys[] = {"strategy", "source",    "symbols",    "from",
                                       "to",       "timeframe", "data_sha256"};
    const json_t *bt = json_object_get(doc, "backtest");
    json_t *out = json_object();
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (json_object_get(bt, keys[k]))
            json_object_set(out, keys[k], json_object_get(bt, keys[k]));
    flatten(json_object_get(bt, "config"), "config", out);
    return out;
}

json_t *slab_compare_json(const json_t *const *docs, const char *const *names, size_t n,
                          slab_error *err)
{
    if (n < 2)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                               "give at least two result documents to compare"),
               NULL;
    json_t *out = json_object(), *runs = json_array(), *stats = json_object(),
           *best = json_object(), *diff = json_object(), *conv = NULL;
    json_t **st = calloc(n, sizeof *st), **set = calloc(n, sizeof *set);
    if (!out || !runs || !stats || !best || !diff || !st || !set)
        goto oom;
    for (size_t r = 0; r < n; r++) {
        if (!(st[r] = slab_stats_from_document(docs[r], err))) {
            snprintf(err->where, sizeof err->where, "%s", names[r]);
            goto fail;
        }
        const json_t *bt = json_object_get(docs[r], "backtest");
        json_array_append_new(runs, json_pack("{s:s,s:O?,s:O?,s:O?,s:O?}", "file", names[r],
                                              "run_id", json_object_get(bt, "run_id"), "strategy",
                                              json_object_get(bt, "strategy"), "from",
                                              json_object_get(bt, "from"), "to",
                                              json_object_get(bt, "to")));
        set[r] = settings(docs[r]);
        if (!conv)
            conv = json_object_get(st[r], "conventions");
    }
    size_t nk;
    const char *const *keys = slab_stats_keys(&nk);
    for (size_t k = 0; k < nk; k++) {
        json_t *row = json_array();
        int dir = direction(keys[k]);
        long at = -1;
        double top = 0;
        for (size_t r = 0; r < n; r++) {
            json_t *v = json_object_get(st[r], keys[k]);
            json_array_append(row, v ? v : json_null());
            if (dir && json_is_number(v) && (at < 0 || dir * json_number_value(v) > dir * top)) {
                at = (long)r;
                top = json_number_value(v);
            }
        }
        json_object_set_new(stats, keys[k], row);
        if (dir)
            json_object_set_new(best, keys[k], at < 0 ? json_null() : json_integer(at));
    }
    /* every setting any run has, where the runs do not all agree */
    for (size_t r = 0; r < n; r++) {
        const char *k;
        json_t *v;
        json_object_foreach(set[r], k, v)
        {
            if (json_object_get(diff, k))
                continue;
            int same = 1;
            for (size_t q = 0; q < n; q++)
                same &= json_equal(json_object_get(set[q], k), v) != 0;
            if (same)
                continue;
            json_t *row = json_array();
            for (size_t q = 0; q < n; q++) {
                json_t *x = json_object_get(set[q], k);
                json_array_append(row, x ? x : json_null());
            }
            json_object_set_new(diff, k, row);
        }
    }
    json_object_set_new(out, "runs", runs);
    json_object_set_new(out, "stats", stats);
    json_object_set_new(out, "best", best);
    json_object_set_new(out, "config_diff", diff);
    json_object_set_new(out, "conventions", conv ? json_incref(conv) : json_object());
    json_object_set_new(out, "best_rule",
                        json_string("best: the run with the highest value of a row where "
                                    "higher is better (return, CAGR, Sharpe, ...) or the lowest "
                                    "where lower is better (volatility, drawdowns, commissions); "
                                    "rows without a direction (counts, spans, exposure) have "
                                    "none; the first run wins a tie"));
    for (size_t r = 0; r < n; r++) {
        json_decref(st[r]);
        json_decref(set[r]);
    }
    free(st);
    free(set);
    return out;
oom:
    slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory comparing the runs");
fail:
    for (size_t r = 0; st && set && r < n; r++) {
        json_decref(st[r]);
        json_decref(set[r]);
    }
    free(st);
    free(set);
    json_decref(out);
    json_decref(runs);
    json_decref(stats);
    json_decref(best);
    json_decref(diff);
    return NULL;
}

/* A cell's value as people read it. */
static void value_text(const json_t *v, const char *key, slab_lang lang, char *buf, size_t n)
{
    json_t *one = json_object();
    json_object_set(one, key, v ? (json_t *)v : json_null());
    slab_stats_format(one, key, lang, buf, n);
    json_decref(one);
}

/* Prints what a setting's value is: its JSON text, or "-" when absent. */
static char *setting_text(const json_t *v)
{
    return v && !json_is_null(v) ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
}

char *slab_compare_text(const json_t *cmp, slab_lang lang)
{
    rpt_buf b = {0};
    size_t nk, n = json_array_size(json_object_get(cmp, "runs"));
    const char *const *keys = slab_stats_keys(&nk);
    char label[96], val[96], head[64];
    slab__rpt_add(&b, "%-28s", "");
    for (size_t r = 0; r < n; r++) {
        snprintf(val, sizeof val, "%zu", r + 1);
        slab__rpt_add(&b, " %16s", slab_textf(lang, "compare.run", head, sizeof head, val));
    }
    slab__rpt_add(&b, "\n");
    for (size_t k = 0; k < nk; k++) {
        const json_t *row = json_object_get(json_object_get(cmp, "stats"), keys[k]);
        const json_t *best = json_object_get(json_object_get(cmp, "best"), keys[k]);
        snprintf(label, sizeof label, "stats.%s", keys[k]);
        const char *l = slab_text(lang, label);
        int cols = 0;
        for (const unsigned char *p = (const unsigned char *)l; *p; p++)
            cols += *p < 0x80 ? 1 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : 0;
        slab__rpt_add(&b, "%s%*s", l, cols < 28 ? 28 - cols : 0, "");
        for (size_t r = 0; r < n; r++) {
            value_text(json_array_get(row, r), keys[k], lang, val, sizeof val);
            int is_best = json_is_integer(best) && (size_t)json_integer_value(best) == r;
            slab__rpt_add(&b, " %15s%s", val, is_best ? "*" : " ");
        }
        slab__rpt_add(&b, "\n");
    }
    slab__rpt_add(&b, "* %s\n\n%s:\n", slab_text(lang, "compare.best"),
                  slab_text(lang, "compare.config_diff"));
    const json_t *diff = json_object_get(cmp, "config_diff");
    if (!json_object_size(diff))
        slab__rpt_add(&b, "  %s\n", slab_text(lang, "compare.no_config_diff"));
    const char *k;
    json_t *row;
    json_object_foreach((json_t *)diff, k, row)
    {
        slab__rpt_add(&b, "  %-26s", k);
        for (size_t r = 0; r < n; r++) {
            char *t = setting_text(json_array_get(row, r));
            slab__rpt_add(&b, " %16s", t ? t : "-");
            free(t);
        }
        slab__rpt_add(&b, "\n");
    }
    for (size_t r = 0; r < n; r++) {
        const json_t *run = json_array_get(json_object_get(cmp, "runs"), r);
        snprintf(val, sizeof val, "%zu", r + 1);
        slab__rpt_add(&b, "%s: %s (%s)\n", slab_textf(lang, "compare.run", head, sizeof head, val),
                      json_string_value(json_object_get(run, "file")),
                      json_string_value(json_object_get(run, "run_id"))
                          ? json_string_value(json_object_get(run, "run_id"))
                          : "-");
    }
    if (b.oom) {
        slab_free(b.s);
        return NULL;
    }
    return b.s;
}

/* ---- the page ---- */
static const char *text_of(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static const uint32_t palette[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
                                   0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf};

/* The overlaid equity curves on one time axis (x from the bar times, so
 * runs of other periods sit where they ran), each reduced per column. */
static void equity_overlay(rpt_buf *b, const rpt_model *m, size_t n, slab_lang lang)
{
    const double w = SLAB_CHART_WIDTH, h = 360, x0 = 72, x1 = w - 16, y0 = 34, y1 = h - 34;
    double lo = INFINITY, hi = -INFINITY, t0 = INFINITY, t1 = -INFINITY;
    char buf[96], num[32];
    for (size_t r = 0; r < n; r++)
        for (size_t i = 0; i < m[r].n; i++) {
            if (isfinite(m[r].value[i])) {
                lo = fmin(lo, m[r].value[i]);
                hi = fmax(hi, m[r].value[i]);
            }
            t0 = fmin(t0, (double)m[r].ts_s[i]);
            t1 = fmax(t1, (double)m[r].ts_s[i]);
        }
    slab__rpt_add(b,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
                  "data-chart=\"compare-equity\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 "
                  "%.0f %.0f\" font-family=\"sans-serif\">\n<rect class=\"background\" "
                  "width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
                  w, h, w, h);
    slab__rpt_add(b, "<text class=\"title\" x=\"%.0f\" y=\"20\" font-size=\"14\">", x0);
    slab__rpt_esc(b, slab_text(lang, "compare.equity"));
    slab__rpt_add(b, "</text>\n");
    if (!(lo < hi) || !(t0 < t1)) {
        slab__rpt_add(b, "</svg>\n");
        return;
    }
    double pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    slab__rpt_add(b,
                  "<g class=\"axes\"><line class=\"axis x\" x1=\"%.0f\" y1=\"%.0f\" "
                  "x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444444\"/><line class=\"axis y\" "
                  "x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#444444\"/>",
                  x0, y1, x1, y1, x0, y0, x0, y1);
    for (int k = 0; k <= 4; k++) {
        double v = lo + (hi - lo) * k / 4.0, y = y1 - (v - lo) / (hi - lo) * (y1 - y0);
        slab__rpt_add(b,
                      "<text class=\"tick y\" x=\"%.0f\" y=\"%.2f\" font-size=\"11\" "
                      "text-anchor=\"end\">%s</text>",
                      x0 - 6, y + 4, slab_fmt_number(lang, v, 0, num, sizeof num));
    }
    slab__rpt_add(b, "</g>\n");
    size_t cols = (size_t)(x1 - x0);
    for (size_t r = 0; r < n; r++) {
        if (!m[r].n)
            continue;
        size_t cap = m[r].n <= 2 * cols ? m[r].n : 2 * cols + 2, k = 0;
        size_t *idx = slab_malloc(cap * sizeof *idx);
        if (!idx) {
            b->oom = 1;
            return;
        }
        /* the same min/max reduction as charts.c, by bar */
        if (m[r].n <= 2 * cols) {
            for (size_t i = 0; i < m[r].n; i++)
                if (isfinite(m[r].value[i]))
                    idx[k++] = i;
        } else {
            for (size_t c = 0; c < cols; c++) {
                size_t a = c * m[r].n / cols, e = (c + 1) * m[r].n / cols, l = e, u = e;
                for (size_t i = a; i < e; i++) {
                    if (!isfinite(m[r].value[i]))
                        continue;
                    if (l == e || m[r].value[i] < m[r].value[l])
                        l = i;
                    if (u == e || m[r].value[i] > m[r].value[u])
                        u = i;
                }
                if (l == e)
                    continue;
                idx[k++] = l < u ? l : u;
                if (l != u)
                    idx[k++] = l < u ? u : l;
            }
        }
        slab__rpt_add(b,
                      "<polyline class=\"series run%zu\" data-n=\"%zu\" fill=\"none\" "
                      "stroke=\"#%06x\" stroke-width=\"1.5\" points=\"",
                      r + 1, k, (unsigned)palette[r % 10]);
        for (size_t j = 0; j < k; j++) {
            double x = x0 + ((double)m[r].ts_s[idx[j]] - t0) / (t1 - t0) * (x1 - x0);
            double y = y1 - (m[r].value[idx[j]] - lo) / (hi - lo) * (y1 - y0);
            slab__rpt_add(b, j ? " %.2f,%.2f" : "%.2f,%.2f", x, y);
        }
        slab__rpt_add(b, "\"/>\n");
        snprintf(num, sizeof num, "%zu", r + 1);
        slab__rpt_add(b,
                      "<text class=\"legend\" x=\"%.0f\" y=\"20\" font-size=\"12\" "
                      "fill=\"#%06x\">",
                      w - 16 - 90.0 * (double)(n - r), (unsigned)palette[r % 10]);
        slab__rpt_esc(b, slab_textf(lang, "compare.run", buf, sizeof buf, num));
        slab__rpt_add(b, "</text>\n");
        slab_free(idx);
    }
    slab__rpt_add(b, "</svg>\n");
}

static void stats_table(rpt_buf *b, const json_t *cmp, size_t n, slab_lang lang)
{
    size_t nk;
    const char *const *keys = slab_stats_keys(&nk);
    char label[96], val[96];
    slab__rpt_add(b, "<table class=\"compare\"><tr><th></th>");
    for (size_t r = 0; r < n; r++) {
        snprintf(val, sizeof val, "%zu", r + 1);
        slab__rpt_add(b, "<th>");
        slab__rpt_esc(b, slab_textf(lang, "compare.run", label, sizeof label, val));
        slab__rpt_add(b, "</th>");
    }
    slab__rpt_add(b, "</tr>\n");
    for (size_t k = 0; k < nk; k++) {
        const json_t *row = json_object_get(json_object_get(cmp, "stats"), keys[k]);
        const json_t *best = json_object_get(json_object_get(cmp, "best"), keys[k]);
        snprintf(label, sizeof label, "stats.%s", keys[k]);
        slab__rpt_add(b, "<tr data-key=\"%s\"><td>", keys[k]);
        slab__rpt_esc(b, slab_text(lang, label));
        slab__rpt_add(b, "</td>");
        for (size_t r = 0; r < n; r++) {
            int is_best = json_is_integer(best) && (size_t)json_integer_value(best) == r;
            value_text(json_array_get(row, r), keys[k], lang, val, sizeof val);
            slab__rpt_add(b, "<td class=\"num%s\">", is_best ? " best" : "");
            slab__rpt_esc(b, val);
            slab__rpt_add(b, "</td>");
        }
        slab__rpt_add(b, "</tr>\n");
    }
    slab__rpt_add(b, "</table>\n<p class=\"note\"><span class=\"best\">&#9733;</span> ");
    slab__rpt_esc(b, slab_text(lang, "compare.best"));
    slab__rpt_add(b, "</p>\n");
}

static void diff_table(rpt_buf *b, const json_t *cmp, size_t n, slab_lang lang)
{
    const json_t *diff = json_object_get(cmp, "config_diff");
    slab__rpt_add(b, "<h2>%s</h2>\n", slab_text(lang, "compare.config_diff"));
    if (!json_object_size(diff)) {
        slab__rpt_add(b, "<p class=\"note\">");
        slab__rpt_esc(b, slab_text(lang, "compare.no_config_diff"));
        slab__rpt_add(b, "</p>\n");
        return;
    }
    slab__rpt_add(b, "<table class=\"diff\"><tr><th>%s</th>", slab_text(lang, "compare.setting"));
    for (size_t r = 0; r < n; r++)
        slab__rpt_add(b, "<th>%zu</th>", r + 1);
    slab__rpt_add(b, "</tr>\n");
    const char *k;
    json_t *row;
    json_object_foreach((json_t *)diff, k, row)
    {
        slab__rpt_add(b, "<tr><td>");
        slab__rpt_esc(b, k);
        slab__rpt_add(b, "</td>");
        for (size_t r = 0; r < n; r++) {
            char *t = setting_text(json_array_get(row, r));
            slab__rpt_add(b, "<td>");
            slab__rpt_esc(b, t ? t : "-");
            slab__rpt_add(b, "</td>");
            free(t);
        }
        slab__rpt_add(b, "</tr>\n");
    }
    slab__rpt_add(b, "</table>\n");
}

slab_status slab_compare_html(const json_t *const *docs, const slab_series *const *series,
                              const char *const *names, size_t n, slab_lang lang, char **out,
                              size_t *len, slab_error *err)
{
    rpt_buf b = {0};
    json_t *cmp = slab_compare_json(docs, names, n, err);
    rpt_model *m = cmp ? slab_calloc(n, sizeof *m) : NULL;
    slab_status st = SLAB_OK;
    char buf[256], num[32];
    if (!cmp)
        return err->code;
    if (!m) {
        json_decref(cmp);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory comparing the runs");
    }
    for (size_t r = 0; r < n && st == SLAB_OK; r++)
        if ((st = slab__rpt_model_init(&m[r], docs[r], series ? series[r] : NULL, lang, err)) !=
            SLAB_OK)
            snprintf(err->where, sizeof err->where, "%s", names[r]);
    if (st == SLAB_OK) {
        slab__rpt_add(&b,
                      "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                      "<title>%s</title><style>body{font-family:sans-serif;margin:1.5em "
                      "auto;max-width:1000px;color:#222;padding:0 1em}table{border-collapse:"
                      "collapse;font-size:.9em}td,th{padding:2px 8px;text-align:left;"
                      "border-bottom:1px solid #eee}td.num{text-align:right;white-space:"
                      "nowrap}td.best{font-weight:bold;background:#e6f4ea}.best{color:#1a9850}"
                      ".note{color:#666}svg.chart{display:block;max-width:100%%;height:auto}"
                      "</style></head>\n<body>\n<h1>%s</h1>\n<ol class=\"runs\">\n",
                      slab_lang_code(lang), slab_text(lang, "compare.title"),
                      slab_text(lang, "compare.title"));
        for (size_t r = 0; r < n; r++) {
            const json_t *bt = json_object_get(docs[r], "backtest");
            snprintf(buf, sizeof buf, "%s: %s %s – %s (%s)", names[r], text_of(bt, "strategy"),
                     text_of(bt, "from"), text_of(bt, "to"), text_of(bt, "run_id"));
            slab__rpt_add(&b, "<li style=\"color:#%06x\">", (unsigned)palette[r % 10]);
            slab__rpt_esc(&b, buf);
            slab__rpt_add(&b, "</li>\n");
        }
        slab__rpt_add(&b, "</ol>\n");
        stats_table(&b, cmp, n, lang);
        slab__rpt_add(&b, "<h2>%s</h2>\n", slab_text(lang, "compare.equity"));
        equity_overlay(&b, m, n, lang);
        for (size_t r = 0; r < n; r++)
            if (!m[r].n) {
                snprintf(num, sizeof num, "%zu", r + 1);
                slab__rpt_add(&b, "<p class=\"note\">");
                slab__rpt_esc(&b, slab_textf(lang, "compare.equity_missing", buf, sizeof buf, num));
                slab__rpt_add(&b, "</p>\n");
            }
        diff_table(&b, cmp, n, lang);
        slab__rpt_add(&b, "</body></html>\n");
        if (b.oom) {
            slab_free(b.s);
            st = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the comparison");
        } else {
            *out = b.s;
            *len = b.len;
        }
    }
    for (size_t r = 0; r < n; r++)
        slab__rpt_model_clear(&m[r]);
    slab_free(m);
    json_decref(cmp);
    return st;
}
