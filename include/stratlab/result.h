/* result.h: the result document every way in produces (DESIGN.md "Result
 * format"): backtest, metrics (seed 001's and seed 000's names, each with
 * its convention), analyzers (backtrader's structures), trades, summary,
 * execution. */
#ifndef STRATLAB_RESULT_H
#define STRATLAB_RESULT_H

#include <jansson.h>

#include "stratlab/broker.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/json.h"
#include "stratlab/metrics.h"

/* What the document says about where a run came from. */
typedef struct slab_result_info {
    const char *strategy;        /* "sma_cross" */
    const char *source;          /* "builtin", "spec" or "script" */
    const slab_strategy_def *def;/* for parameter names (may be NULL) */
    const double *params;        /* def->n_params values */
    const slab_broker_config *broker;
    double wall_ms;              /* whole run, load to result */
    int include_orders;          /* add the order log ("orders") */
    long max_trades;             /* trades listed in "trades": the first N, -1 = all;
                                    "trades_total" always gives the full count */
    int lang;                    /* the language of the "summary" text: a slab_lang of
                                    text.h (0, English, the default); any other adds
                                    "summary_lang" to the document */
    int lists_later;             /* 1: "trades" and "orders" are empty arrays in the
                                    tree, their items made while it is written
                                    (slab_result_lazy): a long run's lists are never
                                    held whole */
} slab_result_info;

/* What slab_result_lazy's items are made from (borrowed; must outlive the
 * writing). */
typedef struct slab_result_lists {
    const slab_bars *bars;
    const slab_run *run;
} slab_result_lists;

/* Item k of the document's "trades" (k < run->n_trades) and of its
 * "orders" (k < run->n_orders), as the document holds them. Returns a new
 * object (owned; json_decref()). */
json_t *slab_result_trade_json(const slab_bars *bars, const slab_run *run, size_t k);
json_t *slab_result_order_json(const slab_bars *bars, const slab_run *run, size_t k);

/* For a document built with info->lists_later: fills lazy[] with its
 * "trades" (the first info->max_trades) and, when it has them, its
 * "orders", made from lists, for slab_json_dumpf_lazy(). Returns how many
 * (0 without lists_later: the tree holds its lists). */
size_t slab_result_lazy(const json_t *doc, const slab_result_info *info, slab_result_lists *lists,
                        slab_json_lazy lazy[2]);

/* The equity record of a run, for the analyzers (borrows run's arrays). */
slab_equity slab_run_equity(const slab_run *run);

/* Builds the whole document (report layer, src/report/result_doc.c):
 * slab_result_document, then its "summary" from slab_summary_text. Returns
 * a new object (owned; json_decref()), or NULL with err set. */
json_t *slab_result_json(const slab_bars *bars, const slab_run *run,
                         const slab_result_info *info, slab_error *err);

/* The document as the metrics layer builds it (src/metrics/result.c):
 * every part but the summary text, whose key is there with the value null
 * (the report layer fills it: slab_result_json). Returns a new object
 * (owned; json_decref()), or NULL with err set. */
json_t *slab_result_document(const slab_bars *bars, const slab_run *run,
                             const slab_result_info *info, slab_error *err);

/* The short human summary (a few lines) of a finished document's parts
 * (report layer, src/report/summary.c) in lang (a slab_lang of text.h:
 * English 0, Chinese; its sentences are the summary.* rows of the string
 * table, the numbers printed alike in both); zero-trade runs say so with
 * the likely reasons, and cheat-on-close or cheat-on-open runs say so
 * (broker may be NULL). Returns an owned string (free with slab_free()). */
char *slab_summary_text(const slab_bars *bars, const slab_run *run, const char *strategy,
                        const slab_broker_config *broker, json_t *metrics, int lang);

/* The document's "warnings" (report layer, src/report/summary.c): what
 * went wrong in a run that still finished, each {"code", "message",
 * "cause", "fix", "orders", "first_order"}: "margin_all_rejected" when no
 * trade was made because every entry order was refused for lack of cash,
 * "margin_rejected" when some orders were (codes of core.h's table). An
 * empty array when there is nothing to say; NULL when out of memory.
 * broker may be NULL. */
json_t *slab_result_warnings(const slab_bars *bars, const slab_run *run,
                             const slab_broker_config *broker);

/* The next runs of a session strategy's run (report layer,
 * src/report/next_runs.c): def's parameters params, day the one session a
 * --date run ran (a day number, core.h) or INT64_MIN. An array of {"why",
 * "change"}, where change says what differs from this run: "params" (a
 * parameter's new value, null to leave it out), "date": null with "from"
 * and "to" (YYYY-MM-DD). Each way in renders it: the CLI as a command line,
 * the service as a request body. Empty when def has neither a
 * trailing_stop_pct nor a market_filter and day is INT64_MIN; NULL when
 * out of memory. */
json_t *slab_next_runs(const slab_strategy_def *def, const double *params, int64_t day);

/* Makes slab_analyzers_json's backtrader-exact object the document's
 * "analyzers" (src/metrics/analyzers_doc.c): adds "conventions" (the unit
 * of every analyzer's numbers) and turns backtrader's sys.maxsize, an
 * unused minimum of trade lengths, into null. Returns 0, or -1 when out of
 * memory. */
int slab_analyzers_document(json_t *analyzers);

/* The document's "metrics" object from a run and its headline analyzer
 * values (slab_headline_compute), as slab_result_json builds it. Returns a
 * new object (owned; json_decref()). */
json_t *slab_result_metrics(const slab_run *run, const slab_headline *h);
/* The same object as compact text appended to t: the bytes
 * slab_json_dumps(slab_result_metrics(run, h), JSON_COMPACT) gives, without
 * the tree (a sweep writes one a line). 0, or -1 when out of memory. */
struct slab_json_text;
int slab_result_metrics_text(const slab_run *run, const slab_headline *h,
                             struct slab_json_text *t);

/* The document's backtest.run_id (16 hex digits) for this run and info,
 * without building the document. SLAB_ENOMEM when out of memory. */
slab_status slab_result_run_id(const slab_bars *bars, const slab_run *run,
                               const slab_result_info *info, char id[17], slab_error *err);

#endif
