/* test_csv_fast_ref.c: every CSV and text file under ../shared/data and
 * ../shared/reference loaded with the fast row scanner and with the
 * general path alone (slab__csv_fast_off): the same status, location,
 * message, report and bars bit for bit, in the formats auto, btcsv and
 * generic, with and without skip_bad_rows. Files that are not bars (the
 * reference outputs) must fail the same way. */
#define _XOPEN_SOURCE 700
#include "data/data_int.h"
#include "slab_test.h"
#include "stratlab/data.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct outcome {
    slab_status st;
    slab_error err;
    slab_load_report rep;
    slab_bars *b;
} outcome;

static void load_with(const char *path, const slab_csv_options *o, int fast_off, outcome *out)
{
    slab__csv_fast_off = fast_off;
    memset(&out->err, 0, sizeof out->err);
    out->b = NULL;
    out->st = slab_csv_load(path, o, &out->b, &out->rep, &out->err);
    slab__csv_fast_off = 0;
}

static void same_load(const char *what, const outcome *a, const outcome *b)
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

static long files_seen, bars_compared;

static int visit(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    size_t len = strlen(path);
    if (type != FTW_F || len < 4 ||
        (strcmp(path + len - 4, ".csv") != 0 && strcmp(path + len - 4, ".txt") != 0))
        return 0;
    static const slab_csv_format fmts[] = {SLAB_CSV_AUTO, SLAB_CSV_BTCSV, SLAB_CSV_GENERIC};
    for (int f = 0; f < 3; f++)
        for (int skip = 0; skip < 2; skip++) {
            slab_csv_options o = {.format = fmts[f], .skip_bad_rows = skip};
            outcome a, b;
            char what[1300];
            snprintf(what, sizeof what, "%s (format %d, skip %d)", path, f, skip);
            load_with(path, &o, 0, &a);
            load_with(path, &o, 1, &b);
            same_load(what, &a, &b);
            if (a.b)
                bars_compared += (long)a.b->n;
            slab_bars_free(a.b);
            slab_bars_free(b.b);
        }
    files_seen++;
    return 0;
}

static void shared_files_fast_equals_general(void **state)
{
    (void)state;
    SLAB_REQUIRE_SHARED();
    char dir[1100];
    const char *const roots[] = {"data", "reference"};
    for (int i = 0; i < 2; i++) {
        slab_test_ref(roots[i], dir, sizeof dir);
        assert_int_equal(nftw(dir, visit, 16, 0), 0);
    }
    printf("%ld files, %ld bars compared\n", files_seen, bars_compared);
    assert_true(files_seen >= 20 && bars_compared >= 100000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_files_fast_equals_general),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
