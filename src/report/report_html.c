/* report_html.c: the HTML report of a result document (report.h): one
 * self-contained page, inline CSS and SVG, no script and no request of any
 * kind, so it opens from file:// on a machine without network: the run's
 * provenance (config, data hash, run id), the summary, the statistics
 * block with its conventions, the six charts, the trades and the order log
 * behind a <details> toggle. Every word comes from text.h. */
#include "report_int.h"

#include "stratlab/diagnose.h"
#include "stratlab/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Table rows drawn; the rest are counted (the document has them all).
 * Table layout is most of a browser's time on a big page: a year of
 * 1-minute bars with every row took seconds to open. */
#define MAX_TRADE_ROWS 500
#define MAX_ORDER_ROWS 1000

static const char *const style =
    "body{font-family:sans-serif;margin:1.5em auto;max-width:1000px;color:#222;padding:0 1em}"
    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse;font-size:.9em}td,th{padding:2px 8px;text-align:left;"
    "border-bottom:1px solid #eee;vertical-align:top}td.num{text-align:right;"
    "white-space:nowrap;font-variant-numeric:tabular-nums}.conv{color:#666;font-size:.85em}.note{"
    "color:#666}"
    "pre{background:#f6f6f6;padding:.6em;overflow:auto;font-size:.85em}"
    "svg.chart{display:block;max-width:100%;height:auto;margin:.8em 0}"
    "details summary{cursor:pointer;color:#1f77b4}.summary{white-space:pre-wrap}";

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* A JSON value as table text. */
static void cell(rpt_buf *b, const json_t *v, slab_lang lang)
{
    char buf[64];
    if (json_is_integer(v))
        slab__rpt_add(b, "<td class=\"num\">%lld</td>", (long long)json_integer_value(v));
    else if (json_is_real(v))
        slab__rpt_add(b, "<td class=\"num\">%s</td>",
                      slab_fmt_number(lang, json_real_value(v),
                                      fabs(json_real_value(v)) >= 1000 ? 2 : 4, buf, sizeof buf));
    else if (json_is_string(v)) {
        slab__rpt_add(b, "<td>");
        slab__rpt_esc(b, json_string_value(v));
        slab__rpt_add(b, "</td>");
    } else
        slab__rpt_add(b, "<td>%s</td>",
                      json_is_boolean(v) ? (json_is_true(v) ? "true" : "false")
                                         : slab_text(lang, "num.none"));
}

static void row2(rpt_buf *b, const char *label, const char *value)
{
    slab__rpt_add(b, "<tr><th>");
    slab__rpt_esc(b, label);
    slab__rpt_add(b, "</th><td>");
    slab__rpt_esc(b, value);
    slab__rpt_add(b, "</td></tr>\n");
}

static void provenance(rpt_buf *b, const rpt_model *m)
{
    slab_lang L = m->lang;
    const json_t *bt = json_object_get(m->doc, "backtest");
    char buf[512];
    slab__rpt_add(b, "<table class=\"meta\">\n");
    row2(b, slab_text(L, "report.strategy"), str(bt, "strategy"));
    const json_t *syms = json_object_get(bt, "symbols");
    row2(b, slab_text(L, "report.symbols"),
         json_string_value(json_array_get(syms, 0)) ? json_string_value(json_array_get(syms, 0))
                                                    : "");
    row2(b, slab_text(L, "report.data"), str(bt, "data_source"));
    snprintf(buf, sizeof buf, "%s – %s", str(bt, "from"), str(bt, "to"));
    row2(b, slab_text(L, "report.period"), buf);
    row2(b, slab_text(L, "report.timeframe"), str(bt, "timeframe"));
    row2(b, slab_text(L, "report.run_id"), str(bt, "run_id"));
    row2(b, slab_text(L, "report.data_sha256"), str(bt, "data_sha256"));
    snprintf(buf, sizeof buf, "%s %s", str(json_object_get(bt, "engine"), "name"),
             str(json_object_get(bt, "engine"), "version"));
    row2(b, slab_text(L, "report.engine"), buf);
    slab__rpt_add(b, "</table>\n");
}

static void statistics(rpt_buf *b, const rpt_model *m)
{
    slab_lang L = m->lang;
    const json_t *st = json_object_get(m->doc, "stats");
    size_t n;
    const char *const *keys = slab_stats_keys(&n);
    char label[96], val[96];
    slab__rpt_add(b, "<h2>%s</h2>\n", slab_text(L, "report.statistics"));
    if (!json_is_object(st)) {
        slab__rpt_add(b, "<p class=\"note\">-</p>\n");
        return;
    }
    slab__rpt_add(b, "<table class=\"stats\"><tr><th>%s</th><th>%s</th><th>%s</th></tr>\n",
                  slab_text(L, "report.metric"), slab_text(L, "report.value"),
                  slab_text(L, "report.convention"));
    const json_t *conv = json_object_get(st, "conventions");
    for (size_t k = 0; k < n; k++) {
        snprintf(label, sizeof label, "stats.%s", keys[k]);
        slab__rpt_add(b, "<tr data-key=\"%s\"><td>", keys[k]);
        slab__rpt_esc(b, slab_text(L, label));
        slab__rpt_add(b, "</td><td class=\"num\">");
        slab__rpt_esc(b, slab_stats_format(st, keys[k], L, val, sizeof val));
        slab__rpt_add(b, "</td><td class=\"conv\">");
        slab__rpt_esc(b, str(conv, keys[k]));
        slab__rpt_add(b, "</td></tr>\n");
    }
    slab__rpt_add(b, "</table>\n");
}

static void charts(rpt_buf *b, const rpt_model *m)
{
    char buf[256], a[32], c[32];
    size_t cols = (size_t)(SLAB_CHART_WIDTH - 88);
    for (int k = 0; k < SLAB_CHART_COUNT; k++) {
        slab__rpt_add(b, "<section class=\"chart-%s\">\n", slab_chart_name((slab_chart)k));
        slab__rpt_chart_svg(m, (slab_chart)k, SLAB_CHART_WIDTH, b);
        slab__rpt_add(b, "</section>\n");
    }
    if (m->n_trades > RPT_MAX_MARKERS) {
        snprintf(a, sizeof a, "%d", RPT_MAX_MARKERS);
        slab__rpt_add(b, "<p class=\"note\">");
        slab__rpt_esc(b, slab_textf(m->lang, "report.markers_capped", buf, sizeof buf, a));
        slab__rpt_add(b, "</p>\n");
    }
    if (!m->n) {
        slab__rpt_add(b, "<p class=\"note\">");
        slab__rpt_esc(b, slab_text(m->lang, "report.no_series"));
        slab__rpt_add(b, "</p>\n");
    } else if (m->n > 2 * cols) {
        snprintf(a, sizeof a, "%zu", m->n);
        snprintf(c, sizeof c, "%zu", cols);
        slab__rpt_add(b, "<p class=\"note\">");
        slab__rpt_esc(b, slab_textf(m->lang, "report.reduced", buf, sizeof buf, a, c));
        slab__rpt_add(b, "</p>\n");
    }
}

static void trades(rpt_buf *b, const rpt_model *m)
{
    static const char *const cols[] = {"trade.side",      "trade.entry_time",  "trade.entry_price",
                                       "trade.exit_time", "trade.exit_price",  "trade.size",
                                       "trade.pnl",       "trade.pnl_percent", "trade.exit_reason",
                                       "trade.bars"};
    static const char *const keys[] = {"side",        "entry_time", "entry_price", "exit_time",
                                       "exit_price",  "size",       "pnlcomm",     "pnl_percent",
                                       "exit_reason", "bars"};
    slab_lang L = m->lang;
    const json_t *arr = json_object_get(m->doc, "trades");
    size_t n = json_array_size(arr), shown = n < MAX_TRADE_ROWS ? n : MAX_TRADE_ROWS;
    char buf[256], a[32], t[32], key[64];
    slab__rpt_add(b, "<h2>%s</h2>\n", slab_text(L, "report.trades"));
    if (shown < m->trades_total) {
        snprintf(a, sizeof a, "%zu", shown);
        snprintf(t, sizeof t, "%zu", m->trades_total);
        slab__rpt_add(b, "<p class=\"note\">");
        slab__rpt_esc(b, slab_textf(L, "report.trades_shown", buf, sizeof buf, a, t));
        slab__rpt_add(b, "</p>\n");
    }
    slab__rpt_add(b, "<table class=\"trades\"><tr><th>#</th>");
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) { /* rows are formats: "%%" */
        slab__rpt_add(b, "<th>");
        slab__rpt_esc(b, slab_textf(L, cols[c], buf, sizeof buf));
        slab__rpt_add(b, "</th>");
    }
    slab__rpt_add(b, "</tr>\n");
    for (size_t k = 0; k < shown; k++) {
        const json_t *tr = json_array_get(arr, k);
        slab__rpt_add(b, "<tr><td class=\"num\">%zu</td>", k + 1);
        for (size_t c = 0; c < sizeof keys / sizeof keys[0]; c++) {
            const json_t *v = json_object_get(tr, keys[c]);
            if (c == 0 || c == 8) { /* words from the table: side, exit reason */
                snprintf(key, sizeof key, c == 0 ? "trade.%s" : "exit.%s",
                         json_string_value(v) ? json_string_value(v) : "");
                slab__rpt_add(b, "<td>%s</td>", slab_text(L, key));
            } else
                cell(b, v, L);
        }
        slab__rpt_add(b, "</tr>\n");
    }
    slab__rpt_add(b, "</table>\n");
}

static void orders(rpt_buf *b, const rpt_model *m)
{
    static const char *const cols[] = {
        "order.ref",      "order.side",  "order.type", "order.status",     "order.created",
        "order.executed", "order.price", "order.size", "order.commission", "order.reason"};
    static const char *const keys[] = {"ref",          "side",      "exectype",   "status",
                                       "created_time", "exec_time", "exec_price", "exec_size",
                                       "exec_comm",    "reason"};
    slab_lang L = m->lang;
    const json_t *arr = json_object_get(m->doc, "orders");
    char buf[128], n[32];
    slab__rpt_add(b, "<h2>%s</h2>\n", slab_text(L, "report.orders"));
    if (!json_is_array(arr)) {
        slab__rpt_add(b, "<p class=\"note\">");
        slab__rpt_esc(b, slab_text(L, "report.no_orders"));
        slab__rpt_add(b, "</p>\n");
        return;
    }
    snprintf(n, sizeof n, "%zu", json_array_size(arr));
    slab__rpt_add(b, "<details class=\"orders\"><summary>");
    slab__rpt_esc(b, slab_textf(L, "report.show_orders", buf, sizeof buf, n));
    slab__rpt_add(b, "</summary>\n");
    if (json_array_size(arr) > MAX_ORDER_ROWS) {
        char a[32];
        snprintf(a, sizeof a, "%d", MAX_ORDER_ROWS);
        slab__rpt_add(b, "<p class=\"note\">");
        slab__rpt_esc(b, slab_textf(L, "report.orders_shown", buf, sizeof buf, a, n));
        slab__rpt_add(b, "</p>\n");
    }
    slab__rpt_add(b, "<table><tr>");
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
        slab__rpt_add(b, "<th>%s</th>", slab_text(L, cols[c]));
    slab__rpt_add(b, "</tr>\n");
    for (size_t k = 0; k < json_array_size(arr) && k < MAX_ORDER_ROWS; k++) {
        slab__rpt_add(b, "<tr>");
        for (size_t c = 0; c < sizeof keys / sizeof keys[0]; c++) {
            const json_t *v = json_object_get(json_array_get(arr, k), keys[c]);
            if (c == 1) {
                snprintf(buf, sizeof buf, "order.%s",
                         json_string_value(v) ? json_string_value(v) : "");
                slab__rpt_add(b, "<td>%s</td>", slab_text(L, buf));
            } else
                cell(b, v, L);
        }
        slab__rpt_add(b, "</tr>\n");
    }
    slab__rpt_add(b, "</table></details>\n");
}

/* The summary in lang: the document's own (English) text, or for other
 * languages the headline (slab_stats_headline) with that text behind a
 * toggle. */
static void summary(rpt_buf *b, const rpt_model *m)
{
    slab_lang L = m->lang;
    char *head = L == SLAB_LANG_EN ? NULL : slab_stats_headline(m->doc, L);
    slab__rpt_add(b, "<h2>%s</h2>\n<p class=\"summary\">", slab_text(L, "report.summary"));
    if (!head) {
        slab__rpt_esc(b, str(m->doc, "summary"));
        slab__rpt_add(b, "</p>\n");
        return;
    }
    slab__rpt_esc(b, head);
    slab_free(head);
    slab__rpt_add(b, "</p>\n<details class=\"run-notes\"><summary>");
    /* "(English)" only when the notes are not in the page's language */
    const char *sl = json_string_value(json_object_get(m->doc, "summary_lang"));
    slab__rpt_esc(b, slab_text(L, !strcmp(sl ? sl : "en", slab_lang_code(L)) ? "summary.notes"
                                                                             : "report.run_notes"));
    slab__rpt_add(b, "</summary><p class=\"summary\">");
    slab__rpt_esc(b, str(m->doc, "summary"));
    slab__rpt_add(b, "</p></details>\n");
}

/* The whole page into b. */
static void page(rpt_buf *b, const rpt_model *m)
{
    slab_lang L = m->lang;
    const json_t *bt = json_object_get(m->doc, "backtest");
    char title[256];
    slab_textf(L, "report.title", title, sizeof title, str(bt, "strategy"));
    slab__rpt_add(b,
                  "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width\"><title>",
                  slab_lang_code(L));
    slab__rpt_esc(b, title);
    slab__rpt_add(b, "</title><style>%s</style></head>\n<body>\n<h1>", style);
    slab__rpt_esc(b, title);
    slab__rpt_add(b, "</h1>\n");
    provenance(b, m);
    summary(b, m);
    json_t *dg = json_object_get(m->doc, "diagnosis");
    char *dt = json_is_object(dg) ? slab_diagnosis_text(dg, L) : NULL;
    if (dt) { /* a spec run with expected performance */
        slab__rpt_add(b, "<h2>%s</h2>\n<pre class=\"diagnosis\">",
                      slab_text(L, "report.diagnosis"));
        slab__rpt_esc(b, dt);
        slab__rpt_add(b, "</pre>\n");
        slab_free(dt);
    }
    statistics(b, m);
    charts(b, m);
    trades(b, m);
    slab__rpt_add(b, "<h2>%s</h2>\n<pre class=\"config\">", slab_text(L, "report.config"));
    char *cfg = json_dumps(json_object_get(bt, "config"), JSON_INDENT(1) | JSON_REAL_PRECISION(17));
    slab__rpt_esc(b, cfg ? cfg : "{}");
    free(cfg);
    slab__rpt_add(b, "</pre>\n");
    const json_t *an = json_object_get(m->doc, "analyzers");
    if (json_is_object(an)) {
        char *t = json_dumps(an, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
        slab__rpt_add(b, "<details class=\"analyzers\"><summary>");
        slab__rpt_esc(b, slab_text(L, "report.analyzers"));
        slab__rpt_add(b, "</summary><pre>");
        slab__rpt_esc(b, t ? t : "{}");
        slab__rpt_add(b, "</pre></details>\n");
        free(t);
    }
    orders(b, m);
    slab__rpt_add(b, "<p class=\"note\">");
    slab__rpt_esc(b, slab_textf(L, "report.generated", title, sizeof title, SLAB_VERSION));
    slab__rpt_add(b, "</p>\n</body></html>\n");
}

/* Hands the buffer over, or frees it and reports memory. */
static slab_status finish(rpt_buf *b, char **out, size_t *len, slab_error *err)
{
    if (b->oom) {
        slab_free(b->s);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the report");
    }
    *out = b->s;
    *len = b->len;
    return SLAB_OK;
}

slab_status slab_report_html(const json_t *doc, const slab_series *series, slab_lang lang,
                             char **out, size_t *len, slab_error *err)
{
    rpt_model m;
    rpt_buf b = {0};
    slab_status st = slab__rpt_model_init(&m, doc, series, lang, err);
    if (st == SLAB_OK) {
        page(&b, &m);
        st = finish(&b, out, len, err);
    }
    slab__rpt_model_clear(&m);
    return st;
}

slab_status slab_report_svg(const json_t *doc, const slab_series *series, slab_chart chart,
                            slab_lang lang, char **out, size_t *len, slab_error *err)
{
    rpt_model m;
    rpt_buf b = {0};
    slab_status st = slab__rpt_model_init(&m, doc, series, lang, err);
    if (st == SLAB_OK && slab__rpt_chart_needs_series(chart) && !m.n)
        st = slab_error_fail(err, SLAB_EC_BAD_DATA, "/series",
                             "the %s chart needs the per-bar series, which this result document "
                             "does not have: write it with stratlab run ... --json --series",
                             slab_chart_name(chart));
    if (st == SLAB_OK) {
        slab__rpt_add(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        slab__rpt_chart_svg(&m, chart, SLAB_CHART_WIDTH, &b);
        st = finish(&b, out, len, err);
    }
    slab__rpt_model_clear(&m);
    return st;
}
