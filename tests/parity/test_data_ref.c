/* test_data_ref.c: the data module on the files of ../shared/data: each
 * file's format, bar count, first/last stamp, timeframe and edge values
 * against the files' own text (read here without the loader), and the bars
 * backtrader's reference runs saw (their order prices and meta, and every
 * ORCL OHLC of indicators_orcl.csv), all exact. Skipped when ../shared is
 * absent. */
#include "slab_test.h"
#include "stratlab/data.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What the loader must report for each file: its format, timeframe and,
 * for adjusted loads, the first open, last close and last volume after
 * backtrader's Yahoo adjustment (adjclose/close factor, rounded to 2
 * decimals; computed with backtrader's formula in Python). Raw loads are
 * checked against the file's own text, read by raw_file() below. */
static const struct {
    const char *file;
    int adjust;
    slab_csv_format fmt;
    const char *tf;
    double first_open, last_close, last_volume; /* adjusted loads only */
} shared_files[] = {
    {"2006-01-02-volume-min-001.txt", 0, SLAB_CSV_BTCSV, "1m", 0, 0, 0},
    {"2006-day-001.txt", 0, SLAB_CSV_BTCSV, "1d", 0, 0, 0},
    {"2006-min-005.txt", 0, SLAB_CSV_BTCSV, "5m", 0, 0, 0},
    {"2006-volume-day-001.txt", 0, SLAB_CSV_BTCSV, "1d", 0, 0, 0},
    {"nvda-1999-2014.txt", 0, SLAB_CSV_YAHOO, "1d", 0, 0, 0},
    {"orcl-1995-2014.txt", 0, SLAB_CSV_YAHOO, "1d", 0, 0, 0},
    {"yhoo-1996-2015.txt", 0, SLAB_CSV_YAHOO, "1d", 0, 0, 0},
    {"edge_cases_400.csv", 0, SLAB_CSV_GENERIC, "1d", 0, 0, 0},
    {"synthetic_ohlcv_5000.csv", 0, SLAB_CSV_GENERIC, "1d", 0, 0, 0},
    {"orcl-1995-2014.txt", 1, SLAB_CSV_YAHOO, "1d", 1.94, 42.3, 14105714},
    {"nvda-1999-2014.txt", 1, SLAB_CSV_YAHOO, "1d", 1.62, 19.43, 4291074},
    {"yhoo-1996-2015.txt", 1, SLAB_CSV_YAHOO, "1d", 1.05, 33.26, 7423300},
};

/* A file's rows as its text says, read without the loader: the count of
 * data rows, the first and last stamps ("YYYY-MM-DD", or with
 * "THH:MM:SS" when the rows carry a time field; day numbers are days since
 * 1970-01-01) and the first open, last close and last volume. */
typedef struct raw {
    size_t n;
    char first[40], last[40];
    double first_open, last_close, last_volume;
} raw;

/* Splits line at commas in place (CR/LF dropped); returns the field count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max && p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        f[n++] = p;
    for (int k = 1; k < n; k++)
        f[k][-1] = '\0';
    return n;
}

/* The stamp of a split row: date (day number or text) and time field. */
static void stamp(char **f, int has_time, char *out, size_t cap)
{
    char *end;
    long days = strtol(f[0], &end, 10);
    if (*end == '\0') {
        time_t t = (time_t)days * 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(out, cap, "%Y-%m-%d", &tm);
    } else {
        snprintf(out, cap, "%s", f[0]);
    }
    if (has_time)
        snprintf(out + strlen(out), cap - strlen(out), "T%s", f[1]);
}

static void raw_file(const char *path, raw *r)
{
    char head[1024], line[1024], first[1024] = "", last[1024] = "";
    char *h[16], *f[16];
    int iopen = -1, iclose = -1, ivol = -1, nh;
    FILE *fp = fopen(path, "r");

    assert_non_null(fp);
    memset(r, 0, sizeof *r);
    assert_non_null(fgets(head, sizeof head, fp));
    nh = split(head, h, 16);
    for (int k = 0; k < nh; k++) {
        iopen = !strcmp(h[k], "Open") ? k : iopen;
        iclose = !strcmp(h[k], "Close") ? k : iclose;
        ivol = !strcmp(h[k], "Volume") ? k : ivol;
    }
    assert_true(iopen > 0 && iclose > 0 && ivol > 0);
    while (fgets(line, sizeof line, fp))
        if (line[0] != '\n' && line[0] != '\r') {
            if (r->n++ == 0)
                snprintf(first, sizeof first, "%s", line);
            snprintf(last, sizeof last, "%s", line);
        }
    fclose(fp);
    /* A row with one field more than the header carries a time after its
     * date that the header does not name (2006-01-02-volume-min-001.txt). */
    int nf = split(first, f, 16), shift = nf - nh, has_time = shift == 1 || !strcmp(h[1], "Time");
    assert_true(shift == 0 || shift == 1);
    stamp(f, has_time, r->first, sizeof r->first);
    r->first_open = strtod(f[iopen + shift], NULL);
    assert_int_equal(split(last, f, 16), nf);
    stamp(f, has_time, r->last, sizeof r->last);
    r->last_close = strtod(f[iclose + shift], NULL);
    r->last_volume = strtod(f[ivol + shift], NULL);
}

static void shared_files_load(void **state)
{
    (void)state;
    SLAB_REQUIRE_SHARED();
    for (size_t i = 0; i < sizeof shared_files / sizeof shared_files[0]; i++) {
        char path[1100], rel[200], t1[40], t2[40], tf[16];
        slab_csv_options opt = {.yahoo_adjust = shared_files[i].adjust};
        slab_load_report rep;
        slab_bars *b;
        slab_error err;
        raw r;

        snprintf(rel, sizeof rel, "data/%s", shared_files[i].file);
        slab_test_ref(rel, path, sizeof path);
        raw_file(path, &r);
        if (shared_files[i].adjust) {
            r.first_open = shared_files[i].first_open;
            r.last_close = shared_files[i].last_close;
            r.last_volume = shared_files[i].last_volume;
        }
        if (slab_csv_load(path, &opt, &b, &rep, &err) != SLAB_OK)
            fail_msg("%s: %s: %s", shared_files[i].file, err.where, err.msg);
        print_message("%s%s: %zu rows, %s .. %s\n", shared_files[i].file,
                      shared_files[i].adjust ? " (adjusted)" : "", r.n, r.first, r.last);
        assert_int_equal(rep.format, shared_files[i].fmt);
        assert_int_equal(rep.rows_skipped + rep.rows_null, 0);
        assert_int_equal(b->n, r.n);
        assert_int_equal(slab_bars_check(b, &err), SLAB_OK);
        assert_string_equal(slab_bars_format_time(b->ts_ns[0], t1, sizeof t1), r.first);
        assert_string_equal(slab_bars_format_time(b->ts_ns[b->n - 1], t2, sizeof t2), r.last);
        assert_string_equal(slab_timeframe_format(b->timeframe, b->compression, tf, sizeof tf),
                            shared_files[i].tf);
        slab_test_expect_close(shared_files[i].file, 0, b->open[0], r.first_open, 0, 0);
        slab_test_expect_close(shared_files[i].file, (long)b->n - 1, b->close[b->n - 1],
                               r.last_close, 0, 0);
        slab_test_expect_close(shared_files[i].file, (long)b->n - 1, b->volume[b->n - 1],
                               r.last_volume, 0, 0);
        assert_int_equal(strlen(b->sha256), 64);
        slab_bars_free(b);
    }
}

/* Index of the bar stamped as a reference run prints its time
 * ("1995-05-11" for daily bars, "2006-01-02T12:35:00" intraday). */
static long bar_at(const slab_bars *b, const char *when)
{
    int64_t ts;
    int has_time;
    if (slab_time_parse(when, strlen(when), &ts, &has_time, NULL) != SLAB_OK)
        return -1;
    if (!has_time)
        ts += SLAB_SESSION_END_NS;
    for (size_t lo = 0, hi = b->n; lo < hi;) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->ts_ns[mid] == ts)
            return (long)mid;
        if (b->ts_ns[mid] < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* backtrader's reference runs: every market order was created at a bar's
 * close and filled at the next bar's open, so created_price and
 * exec_price are exact bar values; bars/first/last are in meta. Equality
 * here is exact: these are the bars backtrader saw. */
static void reference_runs_saw_these_bars(void **state)
{
    (void)state;
    static const struct {
        const char *json, *data;
        int adjust;
    } runs[] = {
        {"smacross_orcl.json", "orcl-1995-2014.txt", 0},
        {"smacross_orcl_yahooadj.json", "orcl-1995-2014.txt", 1},
        {"smacross_day2006.json", "2006-day-001.txt", 0},
        {"smacross_min5.json", "2006-min-005.txt", 0},
    };
    SLAB_REQUIRE_SHARED();
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        char path[1100], rel[200], t[40];
        slab_csv_options opt = {.yahoo_adjust = runs[r].adjust};
        slab_bars *b;
        slab_error err;
        json_error_t jerr;

        snprintf(rel, sizeof rel, "data/%s", runs[r].data);
        assert_int_equal(slab_csv_load(slab_test_ref(rel, path, sizeof path), &opt, &b, NULL, &err),
                         SLAB_OK);
        snprintf(rel, sizeof rel, "reference/backtrader/%s", runs[r].json);
        json_t *doc = json_load_file(slab_test_ref(rel, path, sizeof path), 0, &jerr);
        assert_non_null(doc);
        json_t *meta = json_object_get(doc, "meta"), *orders = json_object_get(doc, "orders");
        assert_int_equal(json_integer_value(json_object_get(meta, "bars")), b->n);
        slab_time_format(b->ts_ns[0], b->timeframe == SLAB_TF_DAYS, t, sizeof t);
        assert_string_equal(json_string_value(json_object_get(meta, "first_bar")), t);
        size_t k;
        json_t *o;
        json_array_foreach(orders, k, o)
        {
            if (strcmp(json_string_value(json_object_get(o, "status")), "Completed") != 0)
                continue; /* refused for margin: never filled */
            long c = bar_at(b, json_string_value(json_object_get(o, "created_dt")));
            long e = bar_at(b, json_string_value(json_object_get(o, "exec_dt")));
            assert_true(c >= 0 && e == c + 1);
            slab_test_expect_close(runs[r].json, c, b->close[c],
                                   json_number_value(json_object_get(o, "created_price")), 0, 0);
            slab_test_expect_close(runs[r].json, e, b->open[e],
                                   json_number_value(json_object_get(o, "exec_price")), 0, 0);
        }
        assert_true(k > 0);
        json_decref(doc);
        slab_bars_free(b);
    }
}

/* indicators_orcl.csv (backtrader's values for every ORCL bar) repeats
 * each bar's raw OHLC: all 5036 must match exactly. */
static void reference_orcl_ohlc(void **state)
{
    (void)state;
    char path[1100], line[4096];
    slab_bars *b;
    slab_error err;
    SLAB_REQUIRE_SHARED();

    assert_int_equal(slab_csv_load(slab_test_ref("data/orcl-1995-2014.txt", path, sizeof path),
                                   NULL, &b, NULL, &err),
                     SLAB_OK);
    FILE *f =
        fopen(slab_test_ref("reference/backtrader/indicators_orcl.csv", path, sizeof path), "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    size_t i = 0;
    for (; fgets(line, sizeof line, f); i++) {
        char *s = line, *end;
        assert_true(i < b->n);
        char *comma = strchr(s, ',');
        assert_non_null(comma);
        *comma = '\0';
        assert_int_equal(bar_at(b, s), (long)i);
        s = comma + 1;
        const double want_col[4] = {b->open[i], b->high[i], b->low[i], b->close[i]};
        for (int k = 0; k < 4; k++, s = end + 1) {
            double v = strtod(s, &end);
            slab_test_expect_close("orcl ohlc", (long)i, want_col[k], v, 0, 0);
        }
    }
    fclose(f);
    assert_int_equal(i, b->n);
    slab_bars_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shared_files_load),
        cmocka_unit_test(reference_runs_saw_these_bars),
        cmocka_unit_test(reference_orcl_ohlc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
