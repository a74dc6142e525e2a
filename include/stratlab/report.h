/* report.h: the report of a result document (report layer, src/report/):
 * one self-contained HTML page (inline SVG charts drawn by our code, no
 * script, no network), any one chart as SVG or as PNG (cairo, for headless
 * servers), in English or Chinese (text.h).
 * Invariant: the report draws what the document says; the numbers it
 * prints are the document's, and large series are reduced only for
 * drawing (the minimum and maximum of each pixel column are kept, so no
 * spike is lost). */
#ifndef STRATLAB_REPORT_H
#define STRATLAB_REPORT_H

#include <jansson.h>

#include "stratlab/core.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/json.h"
#include "stratlab/result.h"
#include "stratlab/text.h"

/* The charts, in the page's order. */
typedef enum slab_chart {
    SLAB_CHART_PRICE = 0,  /* close with entries and exits (hover shows the trade) */
    SLAB_CHART_EQUITY,     /* value against buy and hold of the same cash */
    SLAB_CHART_DRAWDOWN,   /* underwater curve, the worst drawdown marked */
    SLAB_CHART_RETURNS,    /* monthly and yearly returns heatmap */
    SLAB_CHART_TRADES,     /* P&L % by trade */
    SLAB_CHART_EXCURSIONS, /* MFE and MAE % against P&L % per trade */
    SLAB_CHART_SHARPE,     /* rolling Sharpe ratio */
    SLAB_CHART_COUNT
} slab_chart;

/* "price", "equity", "drawdown", "returns", "trades", "excursions",
 * "sharpe". */
const char *slab_chart_name(slab_chart c);
/* Parses a chart name; SLAB_EINVAL naming the choices otherwise. */
slab_status slab_chart_parse(const char *s, slab_chart *out, slab_error *err);

/* A document's per-bar series read apart from the JSON tree (see
 * slab_result_load): n bars of times, closes and values. Owned; free with
 * slab_series_free(). */
typedef struct slab_series {
    size_t n;
    int64_t *ts_s; /* bar times, seconds since 1970-01-01 UTC */
    double *close; /* the traded symbol's close (NaN for null: before its first
                      bar, with several feeds) */
    double *value; /* portfolio value after the bar, cash units (NaN for null) */
} slab_series;
/* NULL is a no-op. */
void slab_series_free(slab_series *s);

/* A result document larger than this is refused before it is read. */
#define SLAB_RESULT_MAX_BYTES ((long long)1 << 30)

/* Reads the result document at path ("-" for stdin; pipes too): *doc (owned; json_decref()) and,
 * when it has the series run --series writes, *series (owned; or NULL, and then any series stays in
 * *doc), the series read without a JSON value per number so 1M bars load in a fraction of a second.
 * Errors, each one line: a missing or unreadable file, one over SLAB_RESULT_MAX_BYTES, text that is
 * not JSON (with its line and column). */
slab_status slab_result_load(const char *path, json_t **doc, slab_series **series, slab_error *err);

/* The chart width every chart is drawn at, pixels (the PNG's width). */
#define SLAB_CHART_WIDTH 960

/* The HTML page of doc in lang; series (may be NULL) is the document's
 * series when slab_result_load read it apart, else doc's own is used. Returns SLAB_OK with an owned
 * string in *out (free with slab_free()) of *len bytes; SLAB_EDATA with one line in err for a
 * document that is not a result document or lacks a field it needs; SLAB_ENOMEM. A document without
 * "series" gets the charts that need none and says how to get the rest. */
slab_status slab_report_html(const json_t *doc, const slab_series *series, slab_lang lang,
                             char **out, size_t *len, slab_error *err);
/* One chart as a standalone SVG document; errors as slab_report_html,
 * and SLAB_EDATA when the chart needs the series and doc has none. */
slab_status slab_report_svg(const json_t *doc, const slab_series *series, slab_chart chart,
                            slab_lang lang, char **out, size_t *len, slab_error *err);
/* One chart as a PNG file at path (SLAB_CHART_WIDTH pixels wide, white
 * background). SLAB_EIO when it cannot be written; SLAB_EINVAL when this
 * build has no cairo. */
slab_status slab_report_png(const json_t *doc, const slab_series *series, slab_chart chart,
                            slab_lang lang, const char *path, slab_error *err);

/* ---- runs side by side ---- */
/* The comparison of n >= 2 result documents (names[r] says where each came
 * from): {"runs": [{file, run_id, strategy, from, to}], "stats": {key: [one
 * value per run]}, "best": {key: the index of the best run, for rows with a
 * direction}, "config_diff": {setting: [one value per run]} (the strategy,
 * data, period and every config item where the runs differ),
 * "conventions", "best_rule"}. Returns a new object (owned; json_decref())
 * or NULL with err set (fewer than two documents, one without statistics:
 * err->where names it). */
json_t *slab_compare_json(const json_t *const *docs, const char *const *names, size_t n,
                          slab_error *err);
/* The comparison as a text table in lang, best values marked '*'. Returns
 * an owned string (free with slab_free()) or NULL when out of memory. */
char *slab_compare_text(const json_t *cmp, slab_lang lang);
/* The comparison as one self-contained HTML page: the table with the best
 * of each row marked, the equity curves overlaid on one time axis (series
 * may be NULL, or hold NULL entries: the documents' own series are used)
 * and the settings that differ. Owned *out of *len bytes (slab_free()). */
slab_status slab_compare_html(const json_t *const *docs, const slab_series *const *series,
                              const char *const *names, size_t n, slab_lang lang, char **out,
                              size_t *len, slab_error *err);

/* Frees the font caches cairo and fontconfig keep once text was drawn
 * into a PNG (they are process-wide and otherwise live until exit, where
 * a leak checker reports them). Call once no more PNG will be drawn in
 * this process; a no-op without cairo. */
void slab_report_release_fonts(void);

/* The document's per-bar "series" of a run: {"ts_s": [...], "close":
 * [...], "value": [...], "units": "..."}. Returns a new object (owned;
 * json_decref()), or NULL when out of memory. */
json_t *slab_result_series(const slab_bars *bars, const slab_run *run);
/* The same object with its three arrays empty, their items made from
 * lists while the document is written (slab_json_dumpf_lazy with
 * lazy[0..2], filled here): the same bytes. NULL when out of memory. */
json_t *slab_result_series_lazy(slab_result_lists *lists, slab_json_lazy lazy[3]);

#endif
