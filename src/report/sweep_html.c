/* sweep_html.c: the sweep report: one self-contained HTML page (inline CSS
 * and SVG, no script, no network) drawn from a sweep summary
 * (slab_sweep_summary_json): the overfitting statistics, the heatmap of
 * the ranked metric over two parameters with the best point marked, the
 * metric along each parameter through the best point, the logit histogram
 * of CSCV, and the best combinations. Words come from text.h.
 * Invariant: every number printed is the summary's; nothing is recomputed
 * here. */
#include "stratlab/sweep_report.h"
#include "stratlab/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing string; any allocation failure sticks. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;

static void add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->len + (size_t)n + 1) * 2 + 4096;
        char *g = slab_realloc(b->s, cap);
        if (!g) {
            b->oom = 1;
            return;
        }
        b->s = g;
        b->cap = cap;
    }
}

/* Text with HTML's special characters escaped. */
static void esc(sbuf *b, const char *t)
{
    for (; t && *t; t++) {
        switch (*t) {
        case '<': add(b, "&lt;"); break;
        case '>': add(b, "&gt;"); break;
        case '&': add(b, "&amp;"); break;
        case '"': add(b, "&quot;"); break;
        default: add(b, "%c", *t);
        }
    }
}

/* A value as text: numbers shortest-ish for people, strings as they are. */
static const char *val(const json_t *v, slab_lang lang, char *buf, size_t n)
{
    if (json_is_integer(v))
        return slab_fmt_number(lang, (double)json_integer_value(v), 0, buf, n);
    if (json_is_real(v)) {
        double x = json_real_value(v);
        return slab_fmt_number(lang, x, fabs(x) >= 100 ? 2 : 4, buf, n);
    }
    if (json_is_string(v)) {
        snprintf(buf, n, "%s", json_string_value(v));
        return buf;
    }
    return slab_text(lang, "num.none");
}

/* A blue (low) to white to red (high) color for t in [0, 1]; t < 0: none. */
static void color(double t, char *buf, size_t n)
{
    if (t < 0) {
        snprintf(buf, n, "#dddddd");
        return;
    }
    int r, g, bl;
    if (t < 0.5) {
        double u = t / 0.5;
        r = (int)(49 + u * (247 - 49));
        g = (int)(130 + u * (247 - 130));
        bl = (int)(189 + u * (247 - 189));
    } else {
        double u = (t - 0.5) / 0.5;
        r = (int)(247 + u * (215 - 247));
        g = (int)(247 + u * (48 - 247));
        bl = (int)(247 + u * (39 - 247));
    }
    snprintf(buf, n, "#%02x%02x%02x", r, g, bl);
}

static void heatmap(sbuf *b, json_t *h, const char *metric, slab_lang lang)
{
    json_t *xv = json_object_get(h, "x_values"), *yv = json_object_get(h, "y_values");
    json_t *z = json_object_get(h, "z");
    const char *xn = json_string_value(json_object_get(h, "x"));
    const char *yn = json_string_value(json_object_get(h, "y"));
    size_t nx = json_array_size(xv), ny = json_array_size(z);
    double lo = INFINITY, hi = -INFINITY;
    char buf[128], c[16], line[512];
    for (size_t i = 0; i < ny; i++)
        for (size_t j = 0; j < nx; j++) {
            json_t *v = json_array_get(json_array_get(z, i), j);
            if (json_is_number(v)) {
                double x = json_number_value(v);
                lo = x < lo ? x : lo;
                hi = x > hi ? x : hi;
            }
        }
    int cw = nx > 40 ? 12 : nx > 20 ? 20 : 40, ch = ny > 40 ? 12 : ny > 20 ? 20 : 32;
    int left = 90, top = 20, w = left + (int)nx * cw + 20, hgt = top + (int)ny * ch + 60;
    slab_textf(lang, "sweep.heatmap", line, sizeof line, metric, xn ? xn : "", yn ? yn : "-");
    add(b, "<h2>");
    esc(b, line);
    add(b, "</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
           "font-family=\"sans-serif\" font-size=\"11\">\n", w, hgt);
    for (size_t i = 0; i < ny; i++) {
        for (size_t j = 0; j < nx; j++) {
            json_t *v = json_array_get(json_array_get(z, i), j);
            double t = json_is_number(v) && hi > lo
                           ? (json_number_value(v) - lo) / (hi - lo)
                           : json_is_number(v) ? 0.5 : -1.0;
            color(t, c, sizeof c);
            int x = left + (int)j * cw, y = top + (int)(ny - 1 - i) * ch;
            add(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                   "<title>%s=", x, y, cw, ch, c, xn ? xn : "");
            esc(b, val(json_array_get(xv, j), lang, buf, sizeof buf));
            if (yn) {
                add(b, " %s=", yn);
                esc(b, val(json_array_get(yv, i), lang, buf, sizeof buf));
            }
            add(b, ": ");
            esc(b, json_is_number(v) ? val(v, lang, buf, sizeof buf)
                                     : slab_text(lang, "sweep.no_value"));
            add(b, "</title></rect>\n");
        }
        add(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", left - 4,
            top + (int)(ny - 1 - i) * ch + ch / 2 + 4);
        esc(b, yn ? val(json_array_get(yv, i), lang, buf, sizeof buf) : "");
        add(b, "</text>\n");
    }
    /* the best point: the summary's best, which the heatmap passes through */
    json_t *at = json_object_get(h, "best_at"), *fixed = json_object_get(h, "fixed");
    long bj = (long)json_integer_value(json_array_get(at, 0));
    long bi = (long)json_integer_value(json_array_get(at, 1));
    if (json_array_size(at) == 2 && bi < (long)ny && bj < (long)nx)
        add(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
               "stroke=\"#000\" stroke-width=\"2\"><title>%s</title></rect>\n",
            left + (int)bj * cw, top + (int)(ny - 1 - (size_t)bi) * ch, cw, ch,
            slab_text(lang, "sweep.best_cell"));
    for (size_t j = 0; j < nx; j += nx > 20 ? nx / 10 : 1) {
        add(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", left + (int)j * cw + cw / 2,
            top + (int)ny * ch + 14);
        esc(b, val(json_array_get(xv, j), lang, buf, sizeof buf));
        add(b, "</text>\n");
    }
    add(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-weight=\"bold\">", left +
           (int)nx * cw / 2, top + (int)ny * ch + 32);
    esc(b, xn ? xn : "");
    add(b, "</text>\n<text x=\"12\" y=\"%d\" font-weight=\"bold\" transform=\"rotate(-90 12 %d)\" "
           "text-anchor=\"middle\">", top + (int)ny * ch / 2, top + (int)ny * ch / 2);
    esc(b, yn ? yn : "");
    add(b, "</text>\n</svg>\n");
    if (json_object_size(fixed)) {
        char *f = json_dumps(fixed, JSON_COMPACT);
        slab_textf(lang, "sweep.heatmap_fixed", line, sizeof line, f ? f : "");
        free(f);
        add(b, "<p class=\"note\">");
        esc(b, line);
        add(b, "</p>\n");
    }
}

/* A small line chart of the metric along one parameter. */
static void profile(sbuf *b, const char *axis, json_t *rows, const char *metric, slab_lang lang)
{
    size_t n = json_array_size(rows);
    double lo = INFINITY, hi = -INFINITY;
    char buf[128], line[512];
    for (size_t k = 0; k < n; k++) {
        json_t *v = json_array_get(json_array_get(rows, k), 1);
        if (json_is_number(v)) {
            lo = fmin(lo, json_number_value(v));
            hi = fmax(hi, json_number_value(v));
        }
    }
    slab_textf(lang, "sweep.profile", line, sizeof line, metric, axis);
    add(b, "<h3>");
    esc(b, line);
    add(b, "</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"480\" height=\"140\" "
           "font-family=\"sans-serif\" font-size=\"10\">\n<polyline fill=\"none\" "
           "stroke=\"#3182bd\" stroke-width=\"1.5\" points=\"");
    for (size_t k = 0; k < n; k++) {
        json_t *v = json_array_get(json_array_get(rows, k), 1);
        if (!json_is_number(v))
            continue;
        double x = 40 + (n > 1 ? 420.0 * (double)k / (double)(n - 1) : 210.0);
        double y = hi > lo ? 110 - 90 * (json_number_value(v) - lo) / (hi - lo) : 65;
        add(b, "%.1f,%.1f ", x, y);
    }
    add(b, "\"/>\n");
    if (isfinite(lo)) {
        add(b, "<text x=\"36\" y=\"24\" text-anchor=\"end\">");
        esc(b, slab_fmt_number(lang, hi, 3, buf, sizeof buf));
        add(b, "</text><text x=\"36\" y=\"114\" text-anchor=\"end\">");
        esc(b, slab_fmt_number(lang, lo, 3, buf, sizeof buf));
        add(b, "</text>\n");
    }
    if (n) {
        add(b, "<text x=\"40\" y=\"130\">");
        esc(b, val(json_array_get(json_array_get(rows, 0), 0), lang, buf, sizeof buf));
        add(b, "</text><text x=\"460\" y=\"130\" text-anchor=\"end\">");
        esc(b, val(json_array_get(json_array_get(rows, n - 1), 0), lang, buf, sizeof buf));
        add(b, "</text>\n");
    }
    add(b, "</svg>\n");
}

/* The CSCV logits as bars. */
static void histogram(sbuf *b, json_t *hist)
{
    json_int_t mx = 1;
    for (size_t k = 0; k < json_array_size(hist); k++)
        if (json_integer_value(json_array_get(hist, k)) > mx)
            mx = json_integer_value(json_array_get(hist, k));
    add(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"440\" height=\"120\" "
           "font-family=\"sans-serif\" font-size=\"10\">\n");
    static const char *labels[10] = {"<-4", "-4", "-3", "-2", "-1", "0", "1", "2", "3", ">=4"};
    for (size_t k = 0; k < 10; k++) {
        json_int_t v = json_integer_value(json_array_get(hist, k));
        int h = (int)(80.0 * (double)v / (double)mx);
        add(b, "<rect x=\"%d\" y=\"%d\" width=\"36\" height=\"%d\" fill=\"%s\"><title>%lld"
               "</title></rect><text x=\"%d\" y=\"112\" text-anchor=\"middle\">%s</text>\n",
            10 + (int)k * 42, 95 - h, h, k < 5 ? "#d7301f" : "#3182bd", (long long)v,
            28 + (int)k * 42, labels[k]);
    }
    add(b, "</svg>\n");
}

static void stat_line(sbuf *b, const char *text)
{
    add(b, "<li>");
    esc(b, text);
    add(b, "</li>\n");
}

static void overfitting(sbuf *b, json_t *s, slab_lang lang)
{
    json_t *of = json_object_get(s, "overfitting");
    json_t *d = json_object_get(of, "deflated_sharpe"), *p = json_object_get(of, "pbo");
    json_t *st = json_object_get(of, "stability");
    const char *metric = json_string_value(json_object_get(s, "rank_by"));
    char b1[64], b2[64], b3[64], b4[64], line[1024];
    add(b, "<h2>");
    esc(b, slab_text(lang, "sweep.overfitting"));
    add(b, "</h2>\n<ul>\n");
    if (json_object_get(d, "why"))
        stat_line(b, slab_textf(lang, "sweep.not_computed", line, sizeof line, "DSR",
                                json_string_value(json_object_get(d, "why"))));
    else
        stat_line(b, slab_textf(lang, "sweep.dsr", line, sizeof line,
                                slab_fmt_number(lang, json_number_value(json_object_get(d, "dsr")),
                                                3, b1, sizeof b1),
                                val(json_object_get(d, "trials"), lang, b2, sizeof b2),
                                val(json_object_get(d, "sharpe_annualized"), lang, b3, sizeof b3),
                                val(json_object_get(d, "sr0_annualized"), lang, b4, sizeof b4)));
    if (json_object_get(p, "why")) {
        stat_line(b, slab_textf(lang, "sweep.not_computed", line, sizeof line, "PBO",
                                json_string_value(json_object_get(p, "why"))));
    } else {
        double pbo = json_number_value(json_object_get(p, "pbo"));
        double splits = json_number_value(json_object_get(p, "splits"));
        stat_line(b, slab_textf(lang, "sweep.pbo", line, sizeof line,
                                slab_fmt_number(lang, pbo, 3, b1, sizeof b1),
                                slab_fmt_number(lang, floor(pbo * splits + 0.5), 0, b2, sizeof b2),
                                slab_fmt_number(lang, splits, 0, b3, sizeof b3),
                                val(json_object_get(p, "blocks"), lang, b4, sizeof b4)));
    }
    if (!json_object_get(st, "why") && json_integer_value(json_object_get(st, "neighbors")) > 0)
        stat_line(b, slab_textf(lang, "sweep.stability", line, sizeof line,
                                val(json_object_get(st, "neighbors"), lang, b1, sizeof b1),
                                json_is_number(json_object_get(st, "ratio"))
                                    ? slab_fmt_percent(lang,
                                                       100 * json_number_value(
                                                                 json_object_get(st, "ratio")),
                                                       0, 0, b2, sizeof b2)
                                    : val(json_object_get(st, "neighbor_mean"), lang, b2,
                                          sizeof b2),
                                metric, val(json_object_get(st, "neighbor_min"), lang, b3,
                                            sizeof b3)));
    add(b, "</ul>\n");
    if (!json_object_get(p, "why"))
        histogram(b, json_object_get(p, "logit_histogram"));
}

static void top_table(sbuf *b, json_t *s, slab_lang lang)
{
    json_t *top = json_object_get(s, "top"), *first = json_array_get(top, 0);
    const char *metric = json_string_value(json_object_get(s, "rank_by"));
    static const char *cols[] = {"total_return", "sharpe_ratio", "max_drawdown_pct", "num_trades"};
    const char *key;
    json_t *v;
    char buf[128];
    add(b, "<h2>");
    esc(b, slab_text(lang, "sweep.top"));
    add(b, "</h2>\n<table><tr><th>#</th>");
    json_object_foreach(json_object_get(first, "params"), key, v)
    {
        add(b, "<th>");
        esc(b, key);
        add(b, "</th>");
    }
    add(b, "<th>");
    esc(b, metric);
    add(b, "</th>");
    for (size_t c = 0; c < 4; c++)
        if (strcmp(cols[c], metric))
            add(b, "<th>%s</th>", cols[c]);
    add(b, "<th>run_id</th></tr>\n");
    for (size_t k = 0; k < json_array_size(top); k++) {
        json_t *l = json_array_get(top, k), *m = json_object_get(l, "metrics");
        add(b, "<tr><td>%zu</td>", k + 1);
        json_object_foreach(json_object_get(l, "params"), key, v)
        {
            add(b, "<td>");
            esc(b, val(v, lang, buf, sizeof buf));
            add(b, "</td>");
        }
        add(b, "<td>");
        esc(b, val(json_object_get(m, metric), lang, buf, sizeof buf));
        add(b, "</td>");
        for (size_t c = 0; c < 4; c++)
            if (strcmp(cols[c], metric)) {
                add(b, "<td>");
                esc(b, val(json_object_get(m, cols[c]), lang, buf, sizeof buf));
                add(b, "</td>");
            }
        add(b, "<td><code>");
        esc(b, json_string_value(json_object_get(l, "run_id")));
        add(b, "</code></td></tr>\n");
    }
    add(b, "</table>\n");
}

slab_status slab_sweep_report_html(const json_t *summary, slab_lang lang, char **html,
                                   size_t *len, slab_error *err)
{
    sbuf b = {0};
    char line[512], n1[64];
    json_t *s = (json_t *)summary;
    const char *metric = json_string_value(json_object_get(s, "rank_by"));
    *html = NULL;
    if (!metric)
        return slab_error_set(err, SLAB_EINVAL, NULL, "not a sweep summary (no rank_by)");
    slab_textf(lang, "sweep.report_title", line, sizeof line, metric);
    add(&b, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\"><title>",
        slab_lang_code(lang));
    esc(&b, line);
    add(&b, "</title><style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
            "text-align:right}.note{color:#555}</style></head><body>\n<h1>");
    esc(&b, line);
    add(&b, "</h1>\n<p>");
    slab_textf(lang, "sweep.ranked", line, sizeof line, metric,
               slab_text(lang, strcmp(json_string_value(json_object_get(s, "order")), "max")
                                   ? "sweep.lower"
                                   : "sweep.higher"),
               val(json_object_get(s, "trials"), lang, n1, sizeof n1),
               val(json_object_get(s, "ranked"), lang, n1 + 32, 32));
    esc(&b, line);
    add(&b, "</p>\n");
    overfitting(&b, s, lang);
    json_t *h = json_object_get(s, "heatmap");
    if (json_is_object(h))
        heatmap(&b, h, metric, lang);
    json_t *prof = json_object_get(json_object_get(json_object_get(s, "overfitting"),
                                                   "stability"),
                                   "profiles");
    const char *key;
    json_t *rows;
    json_object_foreach(prof, key, rows) profile(&b, key, rows, metric, lang);
    top_table(&b, s, lang);
    add(&b, "</body></html>\n");
    if (b.oom) {
        slab_free(b.s);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the sweep report");
    }
    *html = b.s;
    *len = b.len;
    return SLAB_OK;
}
