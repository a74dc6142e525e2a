/* diagnose.h: seed 001's Phase 5 (compare a run with the paper's expected
 * performance), Phase 5.5 step 3 (zero-trade triage: which condition never
 * held and how close it came) and Phase 6 (the summary table, English and
 * Chinese), over a finished result document and its spec. The report
 * layer: reads documents, never runs anything.
 *
 * Status (the Contract): "match" when every expected metric the spec gives
 * is within its threshold and the run made at least one trade;
 * "partial_match" when some are within and some not; "mismatch" when none
 * is within, or the run made no trade. Thresholds (seed 001 Phase 5):
 * Sharpe and returns relative to the paper's value (0.20 = 20%), max
 * drawdown absolute in fractions (0.10 = 10 percentage points); the spec's
 * expected_performance.thresholds override the defaults and options
 * override both. docs/spec.md documents the DiagnosisReport document. */
#ifndef STRATLAB_DIAGNOSE_H
#define STRATLAB_DIAGNOSE_H

#include <jansson.h>

#include "stratlab/core.h"
#include "stratlab/spec.h"
#include "stratlab/text.h"

/* Metrics a diagnosis compares, in this order everywhere. */
enum { SLAB_DX_SHARPE = 0, SLAB_DX_ANNUAL_RETURN, SLAB_DX_MAX_DRAWDOWN, SLAB_DX_TOTAL_RETURN,
       SLAB_DX_N };

typedef struct slab_diag_options {
    double tol[SLAB_DX_N];  /* thresholds; see above */
    int tol_given[SLAB_DX_N]; /* 1: tol[k] was given by the caller and wins over the spec */
    slab_lang lang;         /* status_text and recommendations (the JSON carries both
                               languages elsewhere); default English */
    int sharpe_daily;       /* 1: compare the paper's Sharpe with the daily annualized Sharpe
                               (SharpeRatio_A on days) instead of backtrader's default
                               (yearly returns) */
} slab_diag_options;

/* Defaults: 0.20, 0.20, 0.10, 0.20, English, yearly Sharpe. */
void slab_diag_options_default(slab_diag_options *o);

/* The DiagnosisReport of a result document (as `run --json` writes it) for
 * spec: status, match_status (the seed's name), status_text, thresholds,
 * expected, actual, deviations [{metric, expected, actual, deviation,
 * kind, threshold, within}], zero_trades, triage (for a zero-trade run),
 * likely_causes [{cause, score, evidence, try}] most likely first,
 * recommendations, and table {rows, text {en, zh}}. spec may be NULL (no
 * expectations: only the trade count is judged). Returns a new object
 * (owned; json_decref()), or NULL with err set (not a result document). */
json_t *slab_diagnose_json(json_t *result, const slab_spec *spec, const slab_diag_options *opt,
                           slab_error *err);

/* The report a person reads, from a DiagnosisReport: the Phase 6 table,
 * the assessment, the likely causes and, for zero trades, the triage, in
 * lang. Returns an owned string (slab_free()), or NULL when
 * out of memory. */
char *slab_diagnosis_text(json_t *report, slab_lang lang);

/* Reads a DiagnosisReport back (the seed's DiagnosisReport.from_dict):
 * checks its shape and returns a copy holding exactly the documented keys,
 * so writing it again gives the same document. NULL with err when a
 * required key is missing or has the wrong type. */
json_t *slab_diagnosis_from_json(json_t *doc, slab_error *err);

/* The seed's BacktestMetrics from a result document: {total_return,
 * annual_return, sharpe_ratio, max_drawdown, num_trades, won_trades,
 * lost_trades, win_rate, sqn, final_value}, returns and drawdown as
 * fractions. New object (owned), or NULL with err. */
json_t *slab_backtest_metrics_json(json_t *result, slab_error *err);

/* Adds a spec run's sections to its result document, the same for every
 * way in (CLI, HTTP, MCP): backtest.spec_sha256; run_id (and
 * execution.id) made to cover the spec's text too, so two specs with one
 * name never share an id; execution.compile_ms; "spec" (the spec run's
 * record, slab_spec_run_json); and "diagnosis" in lang when the spec gives
 * expected performance. SLAB_OK, or an error in err. */
slab_status slab_spec_result_sections(json_t *doc, const slab_spec *spec,
                                      const slab_spec_run *srun, const slab_bars *bars,
                                      slab_lang lang, slab_error *err);

#endif
