/* test_csv_fast_ref.c: every CSV and text file under ../shared/data and
 * ../shared/reference loaded with the fast row scanner and with the
 * general path alone (slab__csv_fast_off): the same status, location,
 * message, report and bars bit for bit, in the formats auto, btcsv and
 * generic, with and without skip_bad_rows. Files that are not bars (the
 * reference outputs) must fail the same way. */
#define _XOPEN_SOURCE 700
#include "csv_outcome.h"
#include "slab_test.h"
#include "stratlab/data.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
            csv_outcome a, b;
            char what[1300];
            snprintf(what, sizeof what, "%s (format %d, skip %d)", path, f, skip);
            csv_load_with(path, &o, 0, &a);
            csv_load_with(path, &o, 1, &b);
            csv_same_load(what, &a, &b);
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
