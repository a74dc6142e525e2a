/* result_doc.c: the result document's public constructor. The metrics
 * layer builds every part (slab_result_document); the summary text is the
 * report layer's, so it is written here and put in the place the metrics
 * layer left for it. Layers call only downwards (DESIGN.md; checked by
 * tests/cli/test_layering.sh). */
#include "stratlab/result.h"

json_t *slab_result_json(const slab_bars *bars, const slab_run *run,
                         const slab_result_info *info, slab_error *err)
{
    json_t *doc = slab_result_document(bars, run, info, err);
    if (!doc)
        return NULL;
    char *sum = slab_summary_text(bars, run, info->strategy, info->broker,
                                  json_object_get(doc, "metrics"));
    if (!sum) { /* its one allocation failed: no document without its summary */
        json_decref(doc);
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the summary");
        return NULL;
    }
    /* replacing a key's value keeps its place in the document */
    json_object_set_new(doc, "summary", json_string(sum));
    slab_free(sum);
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
