/* result_doc.c: the result document's public constructor. The metrics
 * layer builds every part (slab_result_document); the summary text is the
 * report layer's, so it is written here and put in the place the metrics
 * layer left for it. Layers call only downwards (DESIGN.md; checked by
 * tests/cli/test_layering.sh). */
#include "stratlab/result.h"

#include "stratlab/stats.h"
#include "stratlab/text.h"

#include "report_int.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/* Buy and hold's closes (in->close, in->n_close): the traded feed's own
 * bars in the run's window, from its first at or after the first step to
 * its last at or before the last step; with one feed, bars 0 .. n - 1.
 * With several feeds the steps are the union clock's, so a step index is
 * not a bar index of the traded feed. None when it has no bar there. */
static void buy_hold_closes(const slab_bars *bars, const slab_run *run, slab_stats_input *in)
{
    if (!run->n_bars)
        return;
    size_t lo = slab_bars_index_at(bars, run->ts_ns[0]);
    size_t hi = slab__rpt_bar_at_step(bars, run, run->n_bars - 1);
    if (lo < bars->n && hi != SIZE_MAX && lo <= hi) {
        in->close = bars->close + lo;
        in->n_close = hi - lo + 1;
    }
}

/* The "stats" object of a run (stats.h), annualised with the document's
 * metrics.annualization_periods so the two blocks agree. NULL with err
 * set. */
static json_t *run_stats(const slab_bars *bars, const slab_run *run, const json_t *metrics,
                         slab_error *err)
{
    slab_stats s;
    slab_stats_input in = {0};
    in.n_bars = run->n_bars;
    in.ts_ns = run->ts_ns;
    in.value = run->value;
    buy_hold_closes(bars, run, &in);
    in.start_value = run->start_value;
    in.periods_per_year = json_number_value(json_object_get(metrics, "annualization_periods"));
    if (!(in.periods_per_year > 0.0))
        in.periods_per_year = NAN;
    in.riskfree_rate = 0.01;
    in.date_only = bars->timeframe >= SLAB_TF_DAYS;
    in.trades = run->trades;
    in.n_trades = run->n_trades;
    if (slab_stats_compute(&in, &s, err) != SLAB_OK)
        return NULL;
    json_t *o = slab_stats_json(&s, in.date_only);
    if (!o)
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the statistics");
    return o;
}

/* The summary's statistics line: what the issue found missing from it
 * (exposure, CAGR, buy and hold, best and worst trade), from "stats".
 * Writes into buf (n bytes). */
static void stats_line(const json_t *st, slab_lang L, char *buf, size_t n)
{
    double v[6];
    static const char *const keys[] = {"exposure_time_pct", "cagr_pct", "buy_and_hold_return_pct",
                                       "return_pct", "best_trade_pct", "worst_trade_pct"};
    for (int k = 0; k < 6; k++) {
        const json_t *x = json_object_get(st, keys[k]);
        v[k] = json_is_number(x) ? json_number_value(x) : NAN;
    }
    slab_textf(L, "summary.market", buf, n, v[0], v[1], v[3], v[2]);
    size_t w = strlen(buf);
    if (w + 1 < n && isfinite(v[4]))
        slab_textf(L, "summary.best_worst", buf + w, n - w, v[4], v[5]);
    else if (w + 1 < n)
        snprintf(buf + w, n - w, "%s", slab_text(L, "summary.end"));
}

json_t *slab_result_json(const slab_bars *bars, const slab_run *run,
                         const slab_result_info *info, slab_error *err)
{
    json_t *doc = slab_result_document(bars, run, info, err);
    if (!doc)
        return NULL;
    json_t *st = run_stats(bars, run, json_object_get(doc, "metrics"), err);
    if (!st) {
        json_decref(doc);
        return NULL;
    }
    json_object_set_new(doc, "stats", st); /* replaces the metrics layer's null */
    slab_lang L = (unsigned)info->lang < SLAB_LANG_COUNT ? (slab_lang)info->lang : SLAB_LANG_EN;
    char *sum = slab_summary_text(bars, run, info->strategy, info->broker,
                                  json_object_get(doc, "metrics"), L);
    if (!sum) { /* its one allocation failed: no document without its summary */
        json_decref(doc);
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the summary");
        return NULL;
    }
    /* replacing a key's value keeps its place in the document */
    char line[512];
    stats_line(st, L, line, sizeof line);
    json_t *text = json_sprintf("%s\n%s", sum, line);
    slab_free(sum);
    if (!text) {
        json_decref(doc);
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the summary");
        return NULL;
    }
    json_object_set_new(doc, "summary", text);
    /* a summary in another language than English says which (absent: en),
     * so a document from before and a default one do not change */
    if (L != SLAB_LANG_EN)
        json_object_set_new(doc, "summary_lang", json_string(slab_lang_code(L)));
    json_t *warn = slab_result_warnings(bars, run, info->broker);
    if (!warn) {
        json_decref(doc);
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the warnings");
        return NULL;
    }
    /* only when there is one, so documents without them do not change */
    if (json_array_size(warn))
        json_object_set_new(doc, "warnings", warn);
    else
        json_decref(warn);
    return doc;
}
