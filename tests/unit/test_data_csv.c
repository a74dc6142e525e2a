/* test_data_csv.c: the data module. Malformed CSV inputs paired with their
 * exact diagnostics; the Yahoo adjustment worked by hand; timeframes; the
 * sample generator's determinism; allocation failures. (The shared data
 * files are checked in tests/parity/test_data_ref.c.) */
#include "slab_test.h"
#include "stratlab/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes text to <tmpdir>/name and returns the path (static buffer). */
static const char *write_tmp(const char *name, const char *text)
{
    static char path[1100];
    snprintf(path, sizeof path, "%s/%s", slab_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

#define H_YAHOO "Date,Open,High,Low,Close,Adj Close,Volume\n"
#define H_BTCSV "Date,Open,High,Low,Close,Volume,OpenInterest\n"
#define H_GENERIC "Date,Open,High,Low,Close,Volume\n"
#define ROW_OK "2006-01-02,1,2,0.5,1.5,10,0\n"

/* One malformed input and its exact diagnostic. where is appended to the
 * file's path ("" = the path alone). */
typedef struct bad_case {
    const char *text;      /* file contents */
    slab_csv_format fmt;   /* format option */
    int adjust;            /* yahoo_adjust */
    const char *col_close; /* generic mapping for close, or NULL */
    slab_status st;        /* expected status */
    const char *where;     /* expected location after the path */
    const char *msg;       /* expected message */
} bad_case;

static const bad_case bad_cases[] = {
    {H_BTCSV "2006-01-02,1,2,0.5,abc,10,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:5",
     "bad close 'abc': expected a number"},
    {H_BTCSV "2006-01-02,1,2,0.5,1.5,10\n", 0, 0, NULL, SLAB_EPARSE, ":2:7",
     "expected 7 fields (Date,Open,High,Low,Close,Volume,OpenInterest) or 8 (with Time after "
     "Date), found 6"},
    {H_BTCSV "2006-01-02,1,2,0.5,1.5,10,0,0,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:9",
     "expected 7 fields (Date,Open,High,Low,Close,Volume,OpenInterest) or 8 (with Time after "
     "Date), found 9"},
    {H_BTCSV "2006-13-02,1,2,0.5,1.5,10,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:1",
     "bad date '2006-13-02': expected YYYY-MM-DD"},
    {H_BTCSV ROW_OK "2006-01-03,1,0.5,2,1.5,10,0\n", 0, 0, NULL, SLAB_EDATA, ":3:3",
     "high 0.5 is below low 2"},
    {H_BTCSV ROW_OK "2006-01-03,1,2,1.2,1.5,10,0\n", 0, 0, NULL, SLAB_EDATA, ":3:4",
     "low 1.2 is above min(open, close) = 1"},
    {H_BTCSV ROW_OK "2006-01-03,1,1.4,0.5,1.5,10,0\n", 0, 0, NULL, SLAB_EDATA, ":3:3",
     "high 1.4 is below max(open, close) = 1.5"},
    {H_BTCSV ROW_OK "2006-01-03,0,2,0.5,1.5,10,0\n", 0, 0, NULL, SLAB_EDATA, ":3:2",
     "open is 0: prices must be finite and > 0"},
    {H_BTCSV ROW_OK "2006-01-03,1,2,-0.5,1.5,10,0\n", 0, 0, NULL, SLAB_EDATA, ":3:4",
     "low is -0.5: prices must be finite and > 0"},
    {H_BTCSV ROW_OK "2006-01-03,1,2,0.5,1.5,-10,0\n", 0, 0, NULL, SLAB_EDATA, ":3:6",
     "volume is -10: volume must be finite and >= 0"},
    {H_BTCSV ROW_OK ROW_OK, 0, 0, NULL, SLAB_EDATA, ":3:1",
     "duplicate time 2006-01-02 (also on row 2)"},
    {H_BTCSV "2006-01-03,1,2,0.5,1.5,10,0\n" ROW_OK, 0, 0, NULL, SLAB_EDATA, ":3:1",
     "time 2006-01-02 is not after 2006-01-03 on row 2: rows must be in increasing time order"},
    {H_BTCSV "2006-01-02,1,2,0.5,nan,10,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:5",
     "bad close 'nan': expected a finite number"},
    {H_BTCSV "2006-01-02,1,2,0.5,1e999,10,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:5",
     "bad close '1e999': expected a finite number"},
    {H_BTCSV "2006-01-02,0x1p1,2,0.5,1.5,10,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:2",
     "bad open '0x1p1': expected a number"},
    {H_BTCSV "2006-01-02,1,2,0.5,1.5,,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:6",
     "bad volume '': expected a number"},
    /* Regression: a year outside 1678-2261 overflowed the ns timestamp. */
    {H_BTCSV "1400-01-02,1,2,0.5,1.5,10,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:1",
     "bad date '1400-01-02': expected a year from 1678 to 2261 (the range of nanosecond "
     "timestamps)"},
    {"Date,Open,High,Low,Close\n9999999,1,2,0.5,1.5\n", 0, 0, NULL, SLAB_EPARSE, ":2:1",
     "bad date '9999999': a day number must be at most 106650 (2261-12-31, the end of the years "
     "1678 to 2261 that timestamps cover)"},
    {H_BTCSV "2006-01-02,25:00:00,1,2,0.5,1.5,10,0\n", 0, 0, NULL, SLAB_EPARSE, ":2:2",
     "bad time '25:00:00': expected HH:MM[:SS[.ffffff]]"},
    {H_YAHOO "2006-01-02,1,2,0.5,1.5,0,100\n", 0, 1, NULL, SLAB_EDATA, ":2:6",
     "bad adj close '0': expected a price > 0"},
    {H_YAHOO "2006-01-02,1,0.5,2,1.5,1.5,100\n", 0, 1, NULL, SLAB_EDATA, ":2:3",
     "high 0.5 is below low 2 (after the Yahoo adjustment)"},
    {H_YAHOO "2006-01-02,1,2,0.5,1.5,1.5\n", 0, 0, NULL, SLAB_EPARSE, ":2:7",
     "expected 7 fields (Date,Open,High,Low,Close,Adj Close,Volume), found 6"},
    {H_YAHOO "2006-01-02 09:30,1,2,0.5,1.5,1.5,7\n", 0, 0, NULL, SLAB_EPARSE, ":2:1",
     "bad date '2006-01-02 09:30': expected YYYY-MM-DD"},
    {H_BTCSV ROW_OK, 0, 1, NULL, SLAB_EINVAL, "",
     "yahoo_adjust needs a Yahoo file (Date,Open,High,Low,Close,Adj Close,Volume); this file "
     "reads as btcsv"},
    {"Date,Open,High,Low,Volume\n2006-01-02,1,2,0.5,10\n", 0, 0, NULL, SLAB_EPARSE, ":1:1",
     "no close column in the header; columns are: Date, Open, High, Low, Volume (name it with "
     "--col close=NAME)"},
    {H_GENERIC "2006-01-02,1,2,0.5,1.5,10\n", 0, 0, "Px", SLAB_EPARSE, ":1:1",
     "no column named 'Px' (for close) in the header; columns are: Date, Open, High, Low, "
     "Close, Volume"},
    {ROW_OK ROW_OK, 0, 0, NULL, SLAB_EPARSE, ":1:1",
     "expected a header line naming the columns (Date,Open,High,Low,Close,...), found "
     "'2006-01-02'"},
    {"", 0, 0, NULL, SLAB_EPARSE, "",
     "empty file: expected a header line such as Date,Open,High,Low,Close,Volume"},
    {"\n2006-01-02,1,2,0.5,1.5\n", 0, 0, NULL, SLAB_EPARSE, ":1:1",
     "empty header line: expected one such as Date,Open,High,Low,Close,Volume"},
    {H_BTCSV, 0, 0, NULL, SLAB_EDATA, "", "no bars: the file has no usable data rows"},
    {"Date,Open,High,Low,Close\nxx,1,2,0.5,1.5\n", 0, 0, NULL, SLAB_EPARSE, ":2:1",
     "bad date 'xx': expected YYYY-MM-DD, YYYYMMDD, YYYY-MM-DD HH:MM[:SS[.ffffff]] or a day "
     "number"},
    {H_GENERIC "0,1,2,0.5,1.5\n", 0, 0, NULL, SLAB_EPARSE, ":2:6",
     "expected 6 fields as in the header, found 5"},
    {"Date,Time,Open,High,Low,Close\n2006-01-02,9h,1,2,0.5,1.5\n", 0, 0, NULL, SLAB_EPARSE, ":2:2",
     "bad time '9h': expected HH:MM[:SS[.ffffff]]"},
    /* Only the Yahoo format drops 'null' rows (as backtrader does); read
     * as btcsv, the same row is an error in its volume column. */
    {H_YAHOO "2006-01-02,1,2,0.5,1.5,null,7\n", SLAB_CSV_BTCSV, 0, NULL, SLAB_EPARSE, ":2:6",
     "bad volume 'null': expected a number"},
};

static void malformed_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        slab_csv_options opt = {0};
        slab_bars *b = (slab_bars *)&opt; /* must be reset to NULL */
        slab_load_report rep;
        slab_error err;
        char want_where[1200];
        const char *path = write_tmp("bad.csv", c->text);

        opt.format = c->fmt;
        opt.yahoo_adjust = c->adjust;
        opt.col_close = c->col_close;
        snprintf(want_where, sizeof want_where, "%s%s", path, c->where);
        slab_status st = slab_csv_load(path, &opt, &b, &rep, &err);
        if (st != c->st || strcmp(err.where, want_where) != 0 || strcmp(err.msg, c->msg) != 0)
            fail_msg("case %zu: got status %d where '%s' msg '%s'\n want status %d where '%s' "
                     "msg '%s'",
                     i, st, err.where, err.msg, c->st, want_where, c->msg);
        assert_null(b);
    }
}

static void missing_file_and_long_line(void **state)
{
    (void)state;
    slab_bars *b;
    slab_error err;
    char path[1100], where[1200];

    snprintf(path, sizeof path, "%s/no-such-file.csv", slab_test_tmpdir());
    assert_int_equal(slab_csv_load(path, NULL, &b, NULL, &err), SLAB_EIO);
    assert_string_equal(err.where, path);
    assert_string_equal(err.msg, "cannot open: No such file or directory");

    /* A line over SLAB_CSV_LINE_MAX is refused before it is split. */
    size_t n = SLAB_CSV_LINE_MAX + 100;
    char *text = malloc(sizeof H_BTCSV + n + 2);
    assert_non_null(text);
    strcpy(text, H_BTCSV);
    memset(text + strlen(H_BTCSV), 'x', n);
    strcpy(text + strlen(H_BTCSV) + n, "\n");
    const char *p = write_tmp("long.csv", text);
    free(text);
    assert_int_equal(slab_csv_load(p, NULL, &b, NULL, &err), SLAB_ELIMIT);
    snprintf(where, sizeof where, "%s:2:1", p);
    assert_string_equal(err.where, where);
    assert_string_equal(err.msg, "line longer than 65536 bytes: expected a CSV file of bars");
}

static void skip_bad_rows_counts(void **state)
{
    (void)state;
    slab_csv_options opt = {.skip_bad_rows = 1};
    slab_load_report rep;
    slab_bars *b;
    slab_error err;
    char want[1400];
    const char *path = write_tmp("skip.csv", H_BTCSV ROW_OK "2006-01-03,1,2,0.5,abc,10,0\n"
                                                            "2006-01-03,1,0.5,2,1.5,10,0\n" ROW_OK
                                                            "2006-01-04,1,2,0.5,1.5,10,0\n");

    assert_int_equal(slab_csv_load(path, &opt, &b, &rep, &err), SLAB_OK);
    assert_int_equal(b->n, 2);
    assert_int_equal(rep.rows_read, 5);
    assert_int_equal(rep.rows_loaded, 2);
    assert_int_equal(rep.rows_skipped, 3); /* bad number, high < low, duplicate */
    snprintf(want, sizeof want, "%s:3:5: bad close 'abc': expected a number", path);
    assert_string_equal(rep.first_skip, want);
    slab_bars_free(b);

    /* Nothing left: an error that quotes the first skipped row. */
    path = write_tmp("skipall.csv", H_BTCSV "2006-01-03,1,2,0.5,abc,10,0\n");
    assert_int_equal(slab_csv_load(path, &opt, &b, &rep, &err), SLAB_EDATA);
    snprintf(want, sizeof want,
             "all 1 data rows were skipped; the first: %s:2:5: bad close "
             "'abc': expected a number",
             path);
    assert_string_equal(err.msg, want);
}

/* The Yahoo adjustment worked by hand (backtrader YahooFinanceCSVData,
 * adjclose=True, round=True, decimals=2, adjvolume=True):
 *  row 2: f = close/adj = 2.0/1.0 = 2; open 0.25/2 = 0.125 -> round half
 *         even -> 0.12; high 2.75/2 = 1.375 -> 1.38; low 0.125 -> 0.12;
 *         close = adj = 1.0; volume 1001*2 = 2002.
 *  row 3: f = 3.0/2.0 = 1.5; open 3/1.5 = 2; high 3.75/1.5 = 2.5; low
 *         2.25/1.5 = 1.5; close 2; volume 7*1.5 = 10.5 -> round(10.5, 0)
 *         = 10 (half even).
 *  row 4: a 'null' field: dropped, as backtrader drops it.
 *  row 5: f = 1; 2.675 is 2.67499999999999982... in binary -> 2.67.
 * Raw mode keeps the file's numbers and drops the null row too. */
static void yahoo_adjust_by_hand(void **state)
{
    (void)state;
    const char *path = write_tmp("yahoo.csv", H_YAHOO "2020-01-02,0.25,2.75,0.25,2.0,1.0,1001\n"
                                                      "2020-01-03,3.0,3.75,2.25,3.0,2.0,7\n"
                                                      "2020-01-06,null,null,null,null,null,null\n"
                                                      "2020-01-07,2.675,2.675,2.675,2.675,2.675,"
                                                      "5\n");
    static const double want[3][5] = {
        {0.12, 1.38, 0.12, 1.0, 2002}, {2.0, 2.5, 1.5, 2.0, 10}, {2.67, 2.67, 2.67, 2.67, 5}};
    slab_csv_options opt = {.yahoo_adjust = 1};
    slab_load_report rep;
    slab_bars *b;
    slab_error err;

    assert_int_equal(slab_csv_load(path, &opt, &b, &rep, &err), SLAB_OK);
    assert_int_equal(rep.format, SLAB_CSV_YAHOO);
    assert_int_equal(b->n, 3);
    assert_int_equal(rep.rows_null, 1);
    for (size_t i = 0; i < 3; i++) {
        const double got[5] = {b->open[i], b->high[i], b->low[i], b->close[i], b->volume[i]};
        for (int k = 0; k < 5; k++)
            slab_test_expect_close("adjusted", (long)(i * 5 + (size_t)k), got[k], want[i][k], 0, 0);
    }
    assert_int_equal(b->ts_ns[0],
                     slab_days_from_civil(2020, 1, 2) * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS);
    slab_bars_free(b);

    assert_int_equal(slab_csv_load(path, NULL, &b, &rep, &err), SLAB_OK);
    assert_int_equal(b->n, 3);
    slab_test_expect_close("raw open", 0, b->open[0], 0.25, 0, 0);
    slab_test_expect_close("raw volume", 0, b->volume[0], 1001, 0, 0);
    slab_test_expect_close("raw close", 2, b->close[2], 2.675, 0, 0);
    slab_bars_free(b);
}

static void formats_and_layouts(void **state)
{
    (void)state;
    slab_load_report rep;
    slab_bars *b;
    slab_error err;
    int64_t d = slab_days_from_civil(2006, 1, 2) * SLAB_NS_PER_DAY;

    /* CRLF, a time column only where a row has 8 fields, spaces around
     * numbers, a trailing line without a newline. */
    const char *p = write_tmp("crlf.csv", "Date,Open,High,Low,Close,Volume,OpenInterest\r\n"
                                          "2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,"
                                          "5699,0\r\n"
                                          "2006-01-02,09:02:00, 3600 ,3601,3598,3599,894,7");
    assert_int_equal(slab_csv_load(p, NULL, &b, &rep, &err), SLAB_OK);
    assert_int_equal(rep.format, SLAB_CSV_BTCSV);
    assert_int_equal(rep.has_time, 1);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->ts_ns[1], d + (9 * 60 + 2) * 60 * SLAB_NS_PER_SEC);
    slab_test_expect_close("open", 1, b->open[1], 3600, 0, 0);
    slab_test_expect_close("oi", 1, b->oi[1], 7, 0, 0);
    assert_int_equal(b->timeframe, SLAB_TF_MINUTES);
    assert_int_equal(b->compression, 1);
    slab_bars_free(b);

    /* Generic: mapped names in any order and case, day-number dates,
     * a datetime column. */
    p = write_tmp("gen.csv", "close,VOLUME,timestamp,Low,high,Open\n"
                             "1.5,10,2006-01-02 09:30:00,0.5,2,1\n"
                             "1.6,11,2006-01-02 09:35:00,0.5,2,1\n");
    assert_int_equal(slab_csv_load(p, NULL, &b, &rep, &err), SLAB_OK);
    assert_int_equal(rep.format, SLAB_CSV_GENERIC);
    assert_int_equal(b->ts_ns[0], d + (9 * 60 + 30) * 60 * SLAB_NS_PER_SEC);
    slab_test_expect_close("close", 1, b->close[1], 1.6, 0, 0);
    assert_int_equal(b->compression, 5);
    slab_bars_free(b);

    p = write_tmp("idx.csv", "Date,Open,High,Low,Close\n0,1,2,0.5,1.5\n3,1,2,0.5,1.5\n");
    assert_int_equal(slab_csv_load(p, NULL, &b, &rep, &err), SLAB_OK);
    assert_int_equal(rep.day_index, 1);
    assert_int_equal(b->ts_ns[1], 3 * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS);
    slab_test_expect_close("volume", 0, b->volume[0], 0, 0, 0);
    slab_bars_free(b);

    slab_csv_options opt = {.col_date = "Day", .col_close = "Last"};
    p = write_tmp("map.csv", "Day,Open,High,Low,Last,Close\n2006-01-02,1,2,0.5,1.5,99\n");
    assert_int_equal(slab_csv_load(p, &opt, &b, &rep, &err), SLAB_OK);
    slab_test_expect_close("mapped close", 0, b->close[0], 1.5, 0, 0);
    slab_bars_free(b);
}

/* ---- timeframes, series ------------------------------------------------ */

static void timeframe_names(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        slab_timeframe tf;
        int comp;
        const char *out; /* NULL = parse error */
    } rows[] = {
        {"1m", SLAB_TF_MINUTES, 1, "1m"},
        {"5m", SLAB_TF_MINUTES, 5, "5m"},
        {"15m", SLAB_TF_MINUTES, 15, "15m"},
        {"1h", SLAB_TF_MINUTES, 60, "1h"},
        {"90m", SLAB_TF_MINUTES, 90, "90m"},
        {"1d", SLAB_TF_DAYS, 1, "1d"},
        {"1w", SLAB_TF_WEEKS, 1, "1w"},
        {"1mo", SLAB_TF_MONTHS, 1, "1mo"},
        {"tick", SLAB_TF_TICKS, 1, "tick"},
        {"minutes:5", SLAB_TF_MINUTES, 5, "5m"},
        {"Days:1", SLAB_TF_DAYS, 1, "1d"},
        {"30s", SLAB_TF_SECONDS, 30, "30s"},
        {"1y", SLAB_TF_YEARS, 1, "1y"},
        {"0m", 0, 0, NULL},
        {"5", 0, 0, NULL},
        {"m5", 0, 0, NULL},
        {"minutes:", 0, 0, NULL},
        {"5fortnights", 0, 0, NULL},
        {"99999999d", 0, 0, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_timeframe tf = 0;
        int comp = 0;
        char buf[32];
        slab_error err;
        slab_status st = slab_timeframe_parse(rows[i].in, &tf, &comp, &err);
        if (!rows[i].out) {
            assert_int_equal(st, SLAB_EPARSE);
            assert_non_null(strstr(err.msg, "expected 1m, 5m, 15m, 1h, 1d, 1w, 1mo, tick"));
            continue;
        }
        assert_int_equal(st, SLAB_OK);
        assert_int_equal(tf, rows[i].tf);
        assert_int_equal(comp, rows[i].comp);
        assert_string_equal(slab_timeframe_format(tf, comp, buf, sizeof buf), rows[i].out);
    }
    assert_string_equal(slab_timeframe_name(SLAB_TF_DAYS), "Days");
    assert_string_equal(slab_timeframe_name(SLAB_TF_MINUTES), "Minutes");
}

/* slab_bars_check() cases: {one bar's changes, expected where/msg}. */
static void check_cases(void **state)
{
    (void)state;
    static const struct {
        int bar; /* which of three bars is changed */
        double o, h, l, c, v;
        int64_t ts_shift; /* added to that bar's time */
        const char *where, *msg;
    } rows[] = {
        {1, 10, 9, 10.5, 10, 1, 0, "bar 1 (2020-01-03)", "high 9 is below low 10.5"},
        {2, 10, 11, 9, 12, 1, 0, "bar 2 (2020-01-06)", "high 11 is below max(open, close) = 12"},
        {0, 10, 11, 10.5, 10.75, 1, 0, "bar 0 (2020-01-02)",
         "low 10.5 is above min(open, close) = 10"},
        {1, 10, 11, 9, 10, -1, 0, "bar 1 (2020-01-03)",
         "volume is -1: volume must be finite and >= 0"},
        {1, 10, 11, 9, 10, 1, -SLAB_NS_PER_DAY, "bar 1 (2020-01-02)",
         "duplicate time 2020-01-02 (also bar 0)"},
        {2, 10, 11, 9, 10, 1, -5 * SLAB_NS_PER_DAY, "bar 2 (2020-01-01)",
         "time 2020-01-01 is not after the previous bar's 2020-01-03: bars must be in increasing "
         "time order"},
        {0, 10, 11, 9, 10, 1, 0, NULL, NULL},
    };
    const int64_t days[3] = {slab_days_from_civil(2020, 1, 2), slab_days_from_civil(2020, 1, 3),
                             slab_days_from_civil(2020, 1, 6)};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_bars *b = slab_bars_new(0);
        slab_error err;
        assert_non_null(b);
        for (int k = 0; k < 3; k++) {
            int64_t ts = days[k] * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS;
            if (k == rows[i].bar)
                assert_int_equal(slab_bars_push(b, ts + rows[i].ts_shift, rows[i].o, rows[i].h,
                                                rows[i].l, rows[i].c, rows[i].v, 0, &err),
                                 SLAB_OK);
            else
                assert_int_equal(slab_bars_push(b, ts, 10, 11, 9, 10, 1, 0, &err), SLAB_OK);
        }
        slab_status st = slab_bars_check(b, &err);
        if (!rows[i].msg) {
            assert_int_equal(st, SLAB_OK);
        } else {
            assert_int_equal(st, SLAB_EDATA);
            assert_string_equal(err.where, rows[i].where);
            assert_string_equal(err.msg, rows[i].msg);
        }
        slab_bars_free(b);
    }
}

static void push_grow_and_slice(void **state)
{
    (void)state;
    slab_bars *b = slab_bars_new(0), *s = NULL;
    slab_error err;
    assert_non_null(b);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(slab_bars_push(b, i, 1, 1, 1, 1, i, 0, &err), SLAB_OK);
    assert_int_equal(b->n, 1000);
    assert_true(b->cap >= 1000);
    snprintf(b->symbol, sizeof b->symbol, "X");
    assert_int_equal(slab_bars_slice(b, 10, 19, &s, &err), SLAB_OK);
    assert_int_equal(s->n, 10);
    assert_int_equal(s->ts_ns[0], 10);
    slab_test_expect_close("volume", 9, s->volume[9], 19, 0, 0);
    assert_string_equal(s->symbol, "X");
    slab_bars_free(s);
    assert_int_equal(slab_bars_slice(b, INT64_MIN, INT64_MAX, &s, &err), SLAB_OK);
    assert_int_equal(s->n, 1000);
    slab_bars_free(s);
    assert_int_equal(slab_bars_slice(b, 5000, INT64_MAX, &s, &err), SLAB_ERANGE);
    assert_null(s);
    assert_non_null(strstr(err.msg, "no bars between"));

    /* A failed growth leaves the series as it was. */
    size_t n = b->n, cap = b->cap;
    while (b->n < b->cap)
        assert_int_equal(slab_bars_push(b, (int64_t)b->n, 1, 1, 1, 1, 0, 0, &err), SLAB_OK);
    n = b->n;
    slab_alloc_fail_after(3);
    assert_int_equal(slab_bars_push(b, 99999, 1, 1, 1, 1, 0, 0, &err), SLAB_ENOMEM);
    slab_alloc_fail_after(0);
    assert_int_equal(b->n, n);
    assert_true(b->cap >= cap);
    assert_int_equal(slab_bars_push(b, 99999, 1, 1, 1, 1, 0, 0, &err), SLAB_OK);
    slab_bars_free(b);
    slab_bars_free(NULL);
}

static void infer_timeframes(void **state)
{
    (void)state;
    static const struct {
        int64_t step;   /* spacing */
        int64_t offset; /* time of day */
        slab_timeframe tf;
        int comp;
    } rows[] = {
        {SLAB_NS_PER_DAY, SLAB_SESSION_END_NS, SLAB_TF_DAYS, 1},
        {7 * SLAB_NS_PER_DAY, SLAB_SESSION_END_NS, SLAB_TF_WEEKS, 1},
        {14 * SLAB_NS_PER_DAY, SLAB_SESSION_END_NS, SLAB_TF_WEEKS, 2},
        {30 * SLAB_NS_PER_DAY, SLAB_SESSION_END_NS, SLAB_TF_MONTHS, 1},
        {300 * SLAB_NS_PER_SEC, 0, SLAB_TF_MINUTES, 5},
        {3600 * SLAB_NS_PER_SEC, 0, SLAB_TF_MINUTES, 60},
        {10 * SLAB_NS_PER_SEC, 0, SLAB_TF_SECONDS, 10},
        {250000000, 0, SLAB_TF_TICKS, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_bars *b = slab_bars_new(8);
        slab_timeframe tf;
        int comp;
        slab_error err;
        for (int k = 0; k < 8; k++)
            assert_int_equal(
                slab_bars_push(b, rows[i].offset + k * rows[i].step, 1, 1, 1, 1, 0, 0, &err),
                SLAB_OK);
        slab_bars_infer_timeframe(b, &tf, &comp);
        assert_int_equal(tf, rows[i].tf);
        assert_int_equal(comp, rows[i].comp);
        slab_bars_free(b);
    }
}

/* ---- writing and sample data ----------------------------------------- */

/* SHA-256 of the bars' values as little-endian 64-bit words, so the
 * fingerprint is the same on every machine that computes the same bars. */
static void fingerprint(const slab_bars *b, char hex[65])
{
    size_t len = b->n * 7 * 8;
    unsigned char *buf = malloc(len), *p = buf;
    assert_non_null(buf);
    for (size_t i = 0; i < b->n; i++) {
        double v[6] = {b->open[i], b->high[i], b->low[i], b->close[i], b->volume[i], b->oi[i]};
        uint64_t w[7];
        w[0] = (uint64_t)b->ts_ns[i];
        memcpy(w + 1, v, sizeof v);
        for (int k = 0; k < 7; k++)
            for (int j = 0; j < 8; j++)
                *p++ = (unsigned char)(w[k] >> (8 * j));
    }
    slab_sha256_mem(buf, len, hex);
    free(buf);
}

static void sample_deterministic(void **state)
{
    (void)state;
    slab_bars *a, *b;
    slab_error err;
    char ha[65], hb[65];
    int64_t start = slab_days_from_civil(2020, 1, 4); /* a Saturday */

    assert_int_equal(slab_sample_generate(42, 2000, SLAB_TF_DAYS, 1, start, &a, &err), SLAB_OK);
    assert_int_equal(slab_sample_generate(42, 2000, SLAB_TF_DAYS, 1, start, &b, &err), SLAB_OK);
    fingerprint(a, ha);
    fingerprint(b, hb);
    assert_string_equal(ha, hb);
    /* Not pinned to a stored digest (that would be the code's own output);
     * the same bars on every machine follow from the generator using only
     * integer arithmetic and IEEE +,-,*,/,sqrt, which are correctly rounded. */
    assert_int_equal(slab_bars_check(a, &err), SLAB_OK);
    char t[40];
    assert_string_equal(slab_bars_format_time(a->ts_ns[0], t, sizeof t), "2020-01-06");
    slab_bars_free(b);
    assert_int_equal(slab_sample_generate(43, 2000, SLAB_TF_DAYS, 1, start, &b, &err), SLAB_OK);
    fingerprint(b, hb);
    assert_string_not_equal(ha, hb);
    slab_bars_free(a);
    slab_bars_free(b);
}

static void sample_timeframes(void **state)
{
    (void)state;
    static const struct {
        slab_timeframe tf;
        int comp;
        size_t n;
    } rows[] = {
        {SLAB_TF_DAYS, 1, 3000},    {SLAB_TF_MINUTES, 5, 2000},  {SLAB_TF_MINUTES, 1, 5000},
        {SLAB_TF_MINUTES, 60, 500}, {SLAB_TF_SECONDS, 30, 3000}, {SLAB_TF_WEEKS, 1, 300},
        {SLAB_TF_MONTHS, 1, 120},   {SLAB_TF_DAYS, 2, 100},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_bars *b;
        slab_error err;
        slab_timeframe tf;
        int comp;
        assert_int_equal(slab_sample_generate(7, rows[i].n, rows[i].tf, rows[i].comp,
                                              slab_days_from_civil(2021, 3, 1), &b, &err),
                         SLAB_OK);
        assert_int_equal(b->n, rows[i].n);
        if (slab_bars_check(b, &err) != SLAB_OK)
            fail_msg("row %zu: %s: %s", i, err.where, err.msg);
        for (size_t k = 0; k < b->n; k++) {
            int64_t day = slab_ts_day(b->ts_ns[k]), tod = b->ts_ns[k] - day * SLAB_NS_PER_DAY;
            assert_true(slab_weekday(day) <= 5);
            if (rows[i].tf == SLAB_TF_MINUTES || rows[i].tf == SLAB_TF_SECONDS)
                assert_true(tod > (9 * 60 + 30) * 60 * SLAB_NS_PER_SEC &&
                            tod <= 16 * 3600 * SLAB_NS_PER_SEC);
        }
        slab_bars_infer_timeframe(b, &tf, &comp);
        if (rows[i].tf != SLAB_TF_DAYS || rows[i].comp == 1) {
            assert_int_equal(tf, rows[i].tf);
            assert_int_equal(comp, rows[i].comp);
        }
        slab_bars_free(b);
    }
    slab_bars *b;
    slab_error err;
    assert_int_equal(slab_sample_generate(1, 0, SLAB_TF_DAYS, 1, 0, &b, &err), SLAB_EINVAL);
    assert_int_equal(slab_sample_generate(1, 10, SLAB_TF_TICKS, 1, 0, &b, &err), SLAB_EINVAL);
    assert_int_equal(slab_sample_generate(1, 10, SLAB_TF_MINUTES, 400, 0, &b, &err), SLAB_EINVAL);
    /* Regression: a million daily bars from 1990 overflowed ns timestamps. */
    assert_int_equal(slab_sample_generate(1, 1000000, SLAB_TF_DAYS, 1,
                                          slab_days_from_civil(1990, 1, 1), &b, &err),
                     SLAB_ERANGE);
    assert_null(b);
    assert_string_equal(err.msg, "1000000 bars from 1990-01-01 run past 2261-12-31, the end of "
                                 "the supported years: ask for fewer bars, an earlier start or a "
                                 "shorter timeframe");
}

static void write_reads_back(void **state)
{
    (void)state;
    static const struct {
        slab_timeframe tf;
        int comp;
    } rows[] = {{SLAB_TF_DAYS, 1}, {SLAB_TF_MINUTES, 5}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_bars *a, *b;
        slab_error err;
        slab_load_report rep;
        char ha[65], hb[65], path[1100];
        assert_int_equal(slab_sample_generate(9, 700, rows[i].tf, rows[i].comp, 18000, &a, &err),
                         SLAB_OK);
        snprintf(path, sizeof path, "%s/written.csv", slab_test_tmpdir());
        assert_int_equal(slab_csv_write(a, path, &err), SLAB_OK);
        assert_int_equal(slab_csv_load(path, NULL, &b, &rep, &err), SLAB_OK);
        assert_int_equal(rep.format, SLAB_CSV_BTCSV);
        fingerprint(a, ha);
        fingerprint(b, hb);
        assert_string_equal(ha, hb);
        assert_int_equal(b->timeframe, rows[i].tf);
        assert_int_equal(b->compression, rows[i].comp);
        slab_bars_free(a);
        slab_bars_free(b);
    }
}

/* Every allocation of a load fails in turn: each failure is reported as
 * SLAB_ENOMEM with nothing leaked (the sanitizer build checks leaks). */
static void load_allocation_failures(void **state)
{
    (void)state;
    char text[64 * 700 + 100];
    size_t k = (size_t)snprintf(text, sizeof text, "%s", H_BTCSV);
    for (int i = 0; i < 600; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%d-%02d-02,1,2,0.5,1.5,10,0\n",
                              1800 + i / 12, i % 12 + 1);
    const char *path = write_tmp("alloc.csv", text);
    int saw_ok = 0;
    for (long n = 1; n < 40 && !saw_ok; n++) {
        slab_bars *b;
        slab_error err;
        slab_alloc_fail_after(n);
        slab_status st = slab_csv_load(path, NULL, &b, NULL, &err);
        slab_alloc_fail_after(0);
        if (st == SLAB_OK) {
            assert_int_equal(b->n, 600);
            slab_bars_free(b);
            saw_ok = 1;
            continue;
        }
        if (st != SLAB_ENOMEM)
            fail_msg("failing allocation %ld: status %d: %s: %s", n, st, err.where, err.msg);
        assert_null(b);
    }
    assert_true(saw_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_inputs),
        cmocka_unit_test(missing_file_and_long_line),
        cmocka_unit_test(skip_bad_rows_counts),
        cmocka_unit_test(yahoo_adjust_by_hand),
        cmocka_unit_test(formats_and_layouts),
        cmocka_unit_test(timeframe_names),
        cmocka_unit_test(check_cases),
        cmocka_unit_test(push_grow_and_slice),
        cmocka_unit_test(infer_timeframes),
        cmocka_unit_test(sample_deterministic),
        cmocka_unit_test(sample_timeframes),
        cmocka_unit_test(write_reads_back),
        cmocka_unit_test(load_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
