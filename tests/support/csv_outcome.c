/* csv_outcome.c: see csv_outcome.h. */
#include "csv_outcome.h"
#include "slab_test.h"

#include "data/data_int.h"

#include <string.h>

void csv_load_with(const char *path, const slab_csv_options *o, int fast_off, csv_outcome *out)
{
    slab__csv_fast_off = fast_off;
    memset(&out->err, 0, sizeof out->err);
    out->b = NULL;
    out->st = slab_csv_load(path, o, &out->b, &out->rep, &out->err);
    slab__csv_fast_off = 0;
}

void csv_same_load(const char *what, const csv_outcome *a, const csv_outcome *b)
{
    if (a->st != b->st || strcmp(a->err.where, b->err.where) || strcmp(a->err.msg, b->err.msg))
        fail_msg("%s: fast %d %s %s / general %d %s %s", what, a->st, a->err.where, a->err.msg,
                 b->st, b->err.where, b->err.msg);
    if (!(a->rep.format == b->rep.format && a->rep.rows_read == b->rep.rows_read &&
          a->rep.rows_loaded == b->rep.rows_loaded && a->rep.rows_skipped == b->rep.rows_skipped &&
          a->rep.rows_null == b->rep.rows_null && a->rep.day_index == b->rep.day_index &&
          a->rep.has_time == b->rep.has_time && !strcmp(a->rep.first_skip, b->rep.first_skip)))
        fail_msg("%s: the load reports differ", what);
    assert_true((a->b == NULL) == (b->b == NULL));
    if (!a->b)
        return;
    size_t n = a->b->n;
    assert_int_equal(n, b->b->n);
    if (memcmp(a->b->ts_ns, b->b->ts_ns, n * 8) || memcmp(a->b->open, b->b->open, n * 8) ||
        memcmp(a->b->high, b->b->high, n * 8) || memcmp(a->b->low, b->b->low, n * 8) ||
        memcmp(a->b->close, b->b->close, n * 8) || memcmp(a->b->volume, b->b->volume, n * 8) ||
        memcmp(a->b->oi, b->b->oi, n * 8))
        fail_msg("%s: the bars differ", what);
    assert_true(a->b->timeframe == b->b->timeframe && a->b->compression == b->b->compression &&
                !strcmp(a->b->sha256, b->b->sha256));
}
