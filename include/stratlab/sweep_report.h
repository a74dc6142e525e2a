/* sweep_report.h: the sweep report, drawn by the report layer from a
 * sweep summary (sweep.h, slab_sweep_summary_json). */
#ifndef STRATLAB_SWEEP_REPORT_H
#define STRATLAB_SWEEP_REPORT_H

#include <jansson.h>

#include "stratlab/core.h"
#include "stratlab/text.h"

/* One self-contained HTML page (inline CSS and SVG, no script, no
 * network) of a summary: the overfitting statistics with the CSCV logit
 * histogram, the heatmap of the ranked metric over two parameters (the
 * best point outlined), the metric along each parameter through the best
 * point, and the best combinations, in lang (text.h). Returns the page
 * (owned; free with slab_free()) and its length; SLAB_EINVAL when summary
 * is not a sweep summary. */
slab_status slab_sweep_report_html(const json_t *summary, slab_lang lang, char **html,
                                   size_t *len, slab_error *err);

#endif
