/* test_regress.c: one regression test per defect found by probing the
 * landed code (issue 9), each named after the defect and failing before
 * its fix (those that need ../shared: tests/parity/test_regress_ref.c).
 * Expected values are hand calculations written beside each case,
 * the issue's own least-squares figure, or coreutils' sha256sum. */
#include "slab_test.h"
#include "stratlab/broker.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/ind.h"
#include "stratlab/metrics.h"
#include "stratlab/store.h"
#include "stratlab/strategies.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Writes n bytes to <tmpdir>/name and returns the path (static buffer). */
static const char *write_tmp_n(const char *name, const char *text, size_t n)
{
    static char path[1100];
    snprintf(path, sizeof path, "%s/%s", slab_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    fclose(f);
    return path;
}

static const char *write_tmp(const char *name, const char *text)
{
    return write_tmp_n(name, text, strlen(text));
}

/* Loads path, expecting failure with exactly this message at path+where. */
static void expect_load_error(const char *path, slab_status want_st, const char *where,
                              const char *msg)
{
    slab_bars *b;
    slab_error err;
    char want_where[1200];
    snprintf(want_where, sizeof want_where, "%s%s", path, where);
    slab_status st = slab_csv_load(path, NULL, &b, NULL, &err);
    if (st != want_st || strcmp(err.where, want_where) || strcmp(err.msg, msg))
        fail_msg("got %d '%s' '%s'\nwant %d '%s' '%s'", st, err.where, err.msg, want_st, want_where,
                 msg);
    assert_null(b);
}

/* ---- defect 1: CSV numbers of 65+ characters, NUL bytes ------------------ */

/* "1." and 63 zeros is 65 characters: it used to be copied with its NUL
 * into char buf[65] (one byte past the end; the ASan build aborts). Any
 * length is a number Python's float() reads: 1.0 here, hand-checked. A
 * 66-character one used to be refused as "expected a number". */
static void csv_number_of_65_chars_overflowed_get_num(void **state)
{
    (void)state;
    static const size_t lens[] = {65, 66, 200, 5000};
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        size_t n = lens[k];
        char *num = malloc(n + 1), *text = malloc(n + 200);
        assert_non_null(num);
        assert_non_null(text);
        /* "1." then zeros: the value 1 exactly, any length. */
        memset(num, '0', n);
        num[0] = '1';
        num[1] = '.';
        num[n] = '\0';
        snprintf(text, n + 200, "Date,Open,High,Low,Close\n2006-01-02,%s,2,0.5,%s\n", num, num);
        slab_bars *b;
        slab_error err;
        slab_status st = slab_csv_load(write_tmp("long_num.csv", text), NULL, &b, NULL, &err);
        if (st != SLAB_OK)
            fail_msg("length %zu: %s: %s", n, err.where, err.msg);
        assert_true(b->open[0] == 1.0 && b->close[0] == 1.0);
        slab_bars_free(b);
        free(num);
        free(text);
    }
    /* leading zeros and an exponent beyond the fast path: 0...01.5e0 = 1.5 */
    char text[400];
    snprintf(text, sizeof text, "Date,Open,High,Low,Close\n2006-01-02,%070d1.5e0,2,0.5,1.5\n", 0);
    slab_bars *b;
    slab_error err;
    assert_int_equal(slab_csv_load(write_tmp("lead.csv", text), NULL, &b, NULL, &err), SLAB_OK);
    assert_true(b->open[0] == 1.5);
    slab_bars_free(b);
}

/* A NUL byte inside a field passed the number filter (strchr finds the
 * terminator) and was quoted cut short ("bad open '1.5'"). A NUL is no
 * text: the line is refused, saying where and why; UTF-16 is named. */
static void csv_nul_byte_in_field_passed_the_filter(void **state)
{
    (void)state;
    static const char nul_row[] = "Date,Open,High,Low,Close\n2006-01-02,1.5\0,2,0.5,1.5\n";
    expect_load_error(write_tmp_n("nul.csv", nul_row, sizeof nul_row - 1), SLAB_EPARSE, ":2:2",
                      "NUL byte in the line: expected text (a UTF-16 file must be saved as "
                      "UTF-8; a binary file is not a CSV of bars)");
    /* "Date,Open" in UTF-16LE with its byte order mark */
    static const char u16[] = "\xFF\xFE"
                              "D\0a\0t\0e\0,\0O\0p\0e\0n\0\n\0";
    expect_load_error(write_tmp_n("u16.csv", u16, sizeof u16 - 1), SLAB_EPARSE, ":1:1",
                      "the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as "
                      "UTF-8 or ASCII text");
    /* with skip_bad_rows the NUL row is a counted skip */
    static const char two[] = "Date,Open,High,Low,Close\n2006-01-02,1\0,2,0.5,1.5\n"
                              "2006-01-03,1,2,0.5,1.5\n";
    slab_csv_options opt = {.skip_bad_rows = 1};
    slab_load_report rep;
    slab_bars *b;
    slab_error err;
    assert_int_equal(
        slab_csv_load(write_tmp_n("nul2.csv", two, sizeof two - 1), &opt, &b, &rep, &err), SLAB_OK);
    assert_int_equal(b->n, 1);
    assert_int_equal(rep.rows_skipped, 1);
    slab_bars_free(b);
}

/* ---- defects 2 and 3: int overflow in LINEARREG*, TSF and WMA ------------ */

/* Runs indicator name with timeperiod p (and matype when >= 0) on x[n];
 * returns the owned output. */
static double *run_ind(const char *name, const double *x, size_t n, double p, double matype)
{
    const slab_ind_def *def = slab_ind_find(name, NULL);
    assert_non_null(def);
    double params[SLAB_IND_MAX_PARAMS];
    for (int k = 0; k < def->n_params; k++)
        params[k] = def->params[k].def;
    params[0] = p;
    if (matype >= 0)
        params[1] = matype;
    double *out = malloc(n * sizeof *out);
    assert_non_null(out);
    const double *in[1] = {x};
    double *outs[1] = {out};
    slab_error err;
    assert_int_equal(def->fn(in, n, params, outs, &err), SLAB_OK);
    return out;
}

/* A straight line y = 7 + 3i: every least-squares quantity is known by
 * hand. At the last bar (i = n-1) with window p: LINEARREG = y[n-1],
 * SLOPE = 3, INTERCEPT = y[n-p] (the line at the window's first bar),
 * TSF = y[n-1] + 3, ANGLE = atan(3) in degrees. The x sums were formed
 * in int and overflowed from p = 1025. */
static void linearreg_int_overflow_of_x_sums(void **state)
{
    (void)state;
    static const size_t periods[] = {14, 1024, 1025, 2000, 46342, 100000};
    size_t nmax = 100010;
    double *y = malloc(nmax * sizeof *y);
    assert_non_null(y);
    for (size_t i = 0; i < nmax; i++)
        y[i] = 7.0 + 3.0 * (double)i;
    for (size_t k = 0; k < sizeof periods / sizeof periods[0]; k++) {
        double p = (double)periods[k];
        size_t n = periods[k] + 10, last = n - 1; /* ten full windows */
        struct {
            const char *name;
            double want;
        } rows[] = {
            {"LINEARREG", y[last]},
            {"LINEARREG_SLOPE", 3.0},
            {"LINEARREG_INTERCEPT", y[n - periods[k]]},
            {"TSF", y[last] + 3.0},
            {"LINEARREG_ANGLE", atan(3.0) * (180.0 / 3.14159265358979323846)},
        };
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            double *out = run_ind(rows[r].name, y, n, p, -1);
            char what[64];
            snprintf(what, sizeof what, "%s(%g)", rows[r].name, p);
            slab_test_expect_close(what, (long)last, out[last], rows[r].want, 1e-9, 1e-9);
            free(out);
        }
    }
    free(y);
}

/* WMA's divider p(p+1)/2 was an int: wrong from p = 46341. On the ramp
 * x[i] = i + 1 the WMA at bar t is, by hand,
 *   sum_{k=1..p} k (t-p+k+1) / (p(p+1)/2) = (t - p + 1) + (2p + 1)/3,
 * and every partial sum is an integer below 2^53, so the kernel's value
 * is the correctly rounded quotient. MA with matype 2 runs the same WMA. */
static void wma_int_divider_from_period_46341(void **state)
{
    (void)state;
    static const size_t periods[] = {30, 46340, 46341, 50000, 100000};
    size_t n = 120000;
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = (double)i + 1.0;
    for (size_t k = 0; k < sizeof periods / sizeof periods[0]; k++) {
        size_t p = periods[k];
        double *w = run_ind("WMA", x, n, (double)p, -1);
        double *ma = run_ind("MA", x, n, (double)p, 2);
        for (size_t t = p - 1; t < n; t += (n - p) / 7 + 1) {
            double want = (double)((long double)(t - p + 1) + (2.0L * p + 1.0L) / 3.0L);
            slab_test_expect_close("WMA", (long)t, w[t], want, 1e-15, 0);
            slab_test_expect_close("MA matype 2", (long)t, ma[t], want, 1e-15, 0);
        }
        free(w);
        free(ma);
    }
    free(x);
}

/* ---- defect 4: day numbers in 2262 overflowed the analyzers' year ------- */

/* Day numbers 106651..106750 (2262) were loaded, and the year bucket of
 * such a bar (2262-12-31, past the last nanosecond timestamp, 2262-04-11)
 * overflowed: the annual return came out under 1678. Now the loader stops
 * at 106650 = 2261-12-31 (1970-01-01 + 106650 days; 2262-04-10 is 106750
 * and 2262 before it has 31+28+31+10 = 100 days) and says why. */
static void day_number_in_2262_overflowed_period_bucket(void **state)
{
    (void)state;
    expect_load_error(write_tmp("d2262.csv", "Date,Open,High,Low,Close\n106700,1,2,0.5,1.5\n"),
                      SLAB_EPARSE, ":2:1",
                      "bad date '106700': a day number must be at most 106650 (2261-12-31, the "
                      "end of the years 1678 to 2261 that timestamps cover)");
    expect_load_error(write_tmp("d2262b.csv", "Date,Open,High,Low,Close\n106651,1,2,0.5,1.5\n"),
                      SLAB_EPARSE, ":2:1",
                      "bad date '106651': a day number must be at most 106650 (2261-12-31, the "
                      "end of the years 1678 to 2261 that timestamps cover)");

    /* The last accepted days key their year as 2261. */
    slab_bars *b;
    slab_error err;
    assert_int_equal(slab_csv_load(write_tmp("d2261.csv", "Date,Open,High,Low,Close\n"
                                                          "106649,1,2,0.5,1.5\n"
                                                          "106650,1,2,0.5,1.5\n"),
                                   NULL, &b, NULL, &err),
                     SLAB_OK);
    double value[2] = {100.0, 110.0};
    slab_equity eq = {b->n, b->ts_ns, value, NULL, 100.0, SLAB_TF_DAYS, 1};
    slab_period_returns yr = {0};
    assert_int_equal(slab_annualreturn(&eq, &yr, &err), SLAB_OK);
    assert_int_equal(yr.n, 1);
    int y, m, d;
    slab_civil_from_days(slab_ts_day(yr.key_ns[0]), &y, &m, &d);
    assert_int_equal(y, 2261);
    slab_test_expect_close("2261 return", 0, yr.ret[0], 0.1, 1e-15, 0); /* 110/100 - 1 */
    slab_period_returns_clear(&yr);
    slab_bars_free(b);
}

/* ---- defect 5: data from a FIFO or pipe ------------------------------------ */

#define FIFO_TEXT                                                                                  \
    "Date,Open,High,Low,Close,Volume,OpenInterest\n2006-01-02,1,2,0.5,1.5,10,0\n"                  \
    "2006-01-03,1.5,2.5,1,2,20,0\n"
/* printf '<FIFO_TEXT>' | sha256sum (coreutils) */
#define FIFO_SHA "03065856cf5a3fa22ed12ce5ce443767901108a5b3b803384c398aa4052518c5"

/* The file was opened a second time to hash it: a FIFO hung forever, and
 * a pipe got the SHA-256 of empty input. The bytes are hashed as read. */
static void fifo_data_hung_and_pipe_hashed_empty(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s/bars.fifo", slab_test_tmpdir());
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the writer: one pass, as a pipe gives */
        FILE *f = fopen(path, "wb");
        if (!f)
            _exit(1);
        fputs(FIFO_TEXT, f);
        _exit(fclose(f) == 0 ? 0 : 1);
    }
    alarm(60); /* a hang fails the test instead of stalling the suite */
    slab_bars *b;
    slab_error err;
    slab_status st = slab_csv_load(path, NULL, &b, NULL, &err);
    alarm(0);
    int status;
    waitpid(pid, &status, 0);
    if (st != SLAB_OK)
        fail_msg("%s: %s", err.where, err.msg);
    assert_int_equal(b->n, 2);
    assert_string_equal(b->sha256, FIFO_SHA);
    slab_bars_free(b);
    unlink(path);

    /* the same bytes from a regular file: the same digest */
    assert_int_equal(slab_csv_load(write_tmp("fifo_same.csv", FIFO_TEXT), NULL, &b, NULL, &err),
                     SLAB_OK);
    assert_string_equal(b->sha256, FIFO_SHA);
    slab_bars_free(b);
}

/* ---- smaller ones ------------------------------------------------------------ */

/* With CR-only line endings (classic Mac) the whole file was one line:
 * "more than 256 fields". Python's universal newlines, and so backtrader,
 * read such a file as lines; so do we. */
static void cr_only_line_endings_gave_more_than_256_fields(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "Date,Open,High,Low,Close\r2006-01-02,1,2,0.5,1.5\r2006-01-03,1,2,0.5,1.25\r",
        "Date,Open,High,Low,Close\r2006-01-02,1,2,0.5,1.5\r2006-01-03,1,2,0.5,1.25",
        "Date,Open,High,Low,Close\r\n2006-01-02,1,2,0.5,1.5\r\n2006-01-03,1,2,0.5,1.25\r\n",
        "Date,Open,High,Low,Close\n2006-01-02,1,2,0.5,1.5\n\n2006-01-03,1,2,0.5,1.25\n",
        /* a CR-LF inside a CR-only file ends one line */
        "Date,Open,High,Low,Close\r2006-01-02,1,2,0.5,1.5\r\n2006-01-03,1,2,0.5,1.25\r",
    };
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        slab_bars *b;
        slab_error err;
        slab_status st = slab_csv_load(write_tmp("cr.csv", texts[k]), NULL, &b, NULL, &err);
        if (st != SLAB_OK)
            fail_msg("case %zu: %s: %s", k, err.where, err.msg);
        assert_int_equal(b->n, 2);
        assert_true(b->close[0] == 1.5 && b->close[1] == 1.25);
        slab_bars_free(b);
    }
}

/* A binary or UTF-16 header was quoted raw into the message, so control
 * bytes reached the user's terminal. Field text is now escaped. */
static void binary_header_was_echoed_raw(void **state)
{
    (void)state;
    expect_load_error(write_tmp("bin.csv", "\x7F"
                                           "ELF\x02\x01\xFF,\xE4\xB8\xAD\n1,2\n"),
                      SLAB_EPARSE, ":1:1",
                      "no date column in the header; columns are: \\x7FELF\\x02\\x01\\xFF, "
                      "\xE4\xB8\xAD (name it with --col date=NAME)");
    /* slab_text_show case by case: input, output buffer size, expected */
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } rows[] = {
        {"plain", 64, "plain"},
        {"tab\there", 64, "tab\\x09here"},
        {"\xC3\xA9t\xC3\xA9", 64, "\xC3\xA9t\xC3\xA9"},   /* "ete" with accents: UTF-8 kept */
        {"\xC3(", 64, "\\xC3("},                          /* a lead byte without its tail */
        {"\xE0\x80\x80", 64, "\\xE0\\x80\\x80"},          /* overlong form of NUL */
        {"\xED\xA0\x80", 64, "\\xED\\xA0\\x80"},          /* a UTF-16 surrogate */
        {"\xF4\x90\x80\x80", 64, "\\xF4\\x90\\x80\\x80"}, /* past U+10FFFF */
        {"\xF0\x9F\x98\x80!", 64, "\xF0\x9F\x98\x80!"},   /* U+1F600 */
        {"abcdef", 4, "abc"},                             /* cut to fit */
        {"ab\x01", 6, "ab"},                              /* an escape that does not fit */
        {"a\xE4\xB8\xAD", 4, "a"},                        /* a character that does not fit */
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        char buf[64];
        slab_text_show(rows[k].in, strlen(rows[k].in), buf, rows[k].n);
        if (strcmp(buf, rows[k].want))
            fail_msg("case %zu: got '%s', want '%s'", k, buf, rows[k].want);
    }
}

/* Runs buy_hold on b with this starting cash; returns the status. */
static slab_status run_buy_hold(const slab_bars *b, double cash, slab_error *err)
{
    slab_run_config cfg;
    slab_run *run = NULL;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = cash;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95.0;
    cfg.strategy = slab_strategy_find("buy_hold", NULL);
    cfg.stop_after_bar = -1;
    assert_non_null(cfg.strategy);
    slab_status st = slab_engine_run(b, &cfg, &run, err);
    slab_run_free(run);
    return st;
}

/* --cash 1e308 gave an infinite final value, which the JSON then dropped
 * (metrics.final_value missing). Starting cash stops at SLAB_CASH_MAX; a
 * value that still overflows (bars built past the data limits, here a
 * close rising from 1e-200 to 1e200) stops the run with its bar. */
static void cash_1e308_gave_infinite_final_value(void **state)
{
    (void)state;
    slab_bars *b = slab_bars_new(0);
    slab_error err;
    assert_non_null(b);
    double px[3] = {1e-200, 1e-200, 1e200};
    for (int i = 0; i < 3; i++)
        assert_int_equal(slab_bars_push(b, (i + 1) * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS, px[i],
                                        px[i], px[i], px[i], 1.0, 0.0, &err),
                         SLAB_OK);
    b->timeframe = SLAB_TF_DAYS;
    b->compression = 1;
    assert_int_equal(run_buy_hold(b, 1e308, &err), SLAB_ERANGE);
    assert_string_equal(err.msg, "starting cash 1e+308 is too large: at most 1e+15 (values beyond "
                                 "overflow double arithmetic)");
    /* buy_hold buys 0.95 * 1e15 / 1e-200 = 9.5e214 shares at the open of
     * bar 1; at the close of bar 2 (1e200) they are worth 9.5e414: inf, and
     * backtrader's un-levered mark (dvalue - u) + u gives inf - inf = NaN. */
    assert_int_equal(run_buy_hold(b, 1e15, &err), SLAB_ERANGE);
    assert_string_equal(err.msg,
                        "the portfolio value is not a number at bar 2 (1970-01-04): the cash, "
                        "prices or costs are too large for double arithmetic; scale them "
                        "down");
    slab_bars_free(b);
}

/* Prices near 1.8e308 overflowed indicator sums to inf and the run made
 * no trades, silently. Bars now keep prices in 1e-100..1e100 and volumes
 * up to 1e100, at load and in slab_bars_check. */
static void prices_near_1e308_overflowed_indicators(void **state)
{
    (void)state;
    expect_load_error(write_tmp("huge.csv", "Date,Open,High,Low,Close\n"
                                            "2006-01-02,1.7e308,1.7e308,1.7e308,1.7e308\n"),
                      SLAB_EDATA, ":2:2",
                      "open is 1.7e+308: prices must be from 1e-100 to 1e100 and volumes at most "
                      "1e100 (beyond, indicator sums and squares overflow or underflow); rescale "
                      "the series");
    expect_load_error(write_tmp("tiny.csv", "Date,Open,High,Low,Close\n"
                                            "2006-01-02,1,1,1e-300,1\n"),
                      SLAB_EDATA, ":2:4",
                      "low is 1e-300: prices must be from 1e-100 to 1e100 and volumes at most "
                      "1e100 (beyond, indicator sums and squares overflow or underflow); rescale "
                      "the series");
    expect_load_error(write_tmp("vol.csv", "Date,Open,High,Low,Close,Volume\n"
                                           "2006-01-02,1,1,1,1,1e101\n"),
                      SLAB_EDATA, ":2:6",
                      "volume is 1e+101: prices must be from 1e-100 to 1e100 and volumes at most "
                      "1e100 (beyond, indicator sums and squares overflow or underflow); rescale "
                      "the series");
    /* the limits themselves are accepted */
    slab_bars *b;
    slab_error err;
    assert_int_equal(slab_csv_load(write_tmp("edge.csv", "Date,Open,High,Low,Close,Volume\n"
                                                         "2006-01-02,1,1e100,1e-100,1,1e100\n"),
                                   NULL, &b, NULL, &err),
                     SLAB_OK);
    b->high[0] = 2e100; /* a series built in memory is held to the same rule */
    assert_int_equal(slab_bars_check(b, &err), SLAB_EDATA);
    assert_string_equal(err.where, "bar 0 (2006-01-02)");
    slab_bars_free(b);
}

/* A read command with --db at a mistyped path created an empty store
 * there. slab_store_open_read never creates one. */
static void read_of_mistyped_store_created_it(void **state)
{
    (void)state;
    char path[1100];
    slab_store *s = (slab_store *)path; /* must be reset to NULL */
    slab_error err;
    snprintf(path, sizeof path, "%s/typo/stratlab.db", slab_test_tmpdir());
    assert_int_equal(slab_store_open_read(path, &s, &err), SLAB_ENOTFOUND);
    assert_null(s);
    assert_string_equal(err.where, path);
    assert_string_equal(err.msg, "no store here (nothing has been imported to this path): check "
                                 "--db or $STRATLAB_DB, or create it with: stratlab data import "
                                 "FILE --symbol SYM");
    struct stat st;
    assert_int_equal(stat(path, &st), -1);
    snprintf(path, sizeof path, "%s/typo", slab_test_tmpdir());
    assert_int_equal(stat(path, &st), -1); /* not even its folder */
}

/* A store in a folder (and file) this process may not write could not be
 * read at all: "attempt to write a readonly database". Run as a user
 * without write access (root drops to nobody in a child process). */
static void read_only_store_could_not_be_read(void **state)
{
    (void)state;
    char dir[] = "/tmp/slab_ro_XXXXXX", path[100], side[120];
    slab_store *s;
    slab_bars *b;
    slab_error err;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/s.db", dir);
    assert_int_equal(slab_sample_generate(3, 50, SLAB_TF_DAYS, 1, 13000, &b, &err), SLAB_OK);
    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, b, "RO", NULL, NULL, NULL, &err), SLAB_OK);
    slab_store_close(s);
    assert_int_equal(chmod(path, 0444), 0);
    assert_int_equal(chmod(dir, 0555), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (getuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
            _exit(10);
        slab_bars *got = NULL;
        if (slab_store_open_read(path, &s, &err) != SLAB_OK) {
            fprintf(stderr, "open: %s: %s\n", err.where, err.msg);
            _exit(11);
        }
        if (slab_store_load(s, "RO", NULL, INT64_MIN, INT64_MAX, &got, &err) != SLAB_OK) {
            fprintf(stderr, "load: %s: %s\n", err.where, err.msg);
            _exit(12);
        }
        int same = got->n == b->n && got->close[49] == b->close[49];
        slab_bars_free(got);
        slab_store_close(s);
        _exit(same ? 0 : 13);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    chmod(dir, 0755);
    snprintf(side, sizeof side, "%s-shm", path);
    int made_shm = access(side, F_OK) == 0;
    unlink(side);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    unlink(path);
    rmdir(dir);
    slab_bars_free(b);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_false(made_shm);
}

/* ---- found by the fuzz harnesses (fuzz/) ------------------------------------ */

/* STOCH_BT's fastK skipped NaN inside a window (comparisons with NaN are
 * false), so after an upstream warm-up it gave values from part of a
 * window, bars before the true start. High/low/close with two leading NaNs
 * and period 3: the first value is at bar 2 + 3 - 1 = 4, from bars 2..4;
 * by hand: highest high 12, lowest low 8, close 11: 100 * (11 - 8) / 4 =
 * 75. */
static void stoch_bt_leading_nan_gave_partial_windows(void **state)
{
    (void)state;
    const double h[6] = {NAN, NAN, 10, 12, 11, 13}, l[6] = {NAN, NAN, 9, 8, 10, 11},
                 c[6] = {NAN, NAN, 9.5, 10, 11, 12};
    double out[6];
    slab_ind_stoch_fastk_bt(h, l, c, 6, 3, out);
    for (int i = 0; i < 4; i++)
        if (!isnan(out[i]))
            fail_msg("bar %d: %.17g before the first full window", i, out[i]);
    slab_test_expect_close("fastk", 4, out[4], 75.0, 0, 0);
    /* bar 5: bars 3..5, highest 13, lowest 8, close 12: 100 * 4 / 5 = 80 */
    slab_test_expect_close("fastk", 5, out[5], 80.0, 1e-15, 0);
}

/* Two bars of the supported years can be further apart than int64
 * nanoseconds reach (1678 to 2261 is 584 years, int64 ns 292): the gap in
 * the timeframe guess and the span in the analyzers' period count
 * overflowed (UBSan aborts in the sanitizer build). */
static void bars_584_years_apart_overflowed_gaps(void **state)
{
    (void)state;
    slab_bars *b;
    slab_error err;
    assert_int_equal(slab_csv_load(write_tmp("span.csv", "Date,Open,High,Low,Close\n"
                                                         "1678-01-01,1,1,1,1\n"
                                                         "2261-12-31,2,2,2,2\n"),
                                   NULL, &b, NULL, &err),
                     SLAB_OK);
    assert_int_equal(b->timeframe, SLAB_TF_DAYS); /* no usable gap: daily stamps */
    double value[2] = {100.0, 150.0};
    slab_equity eq = {b->n, b->ts_ns, value, NULL, 100.0, SLAB_TF_DAYS, 1};
    slab_period_returns yr = {0};
    assert_int_equal(slab_annualreturn(&eq, &yr, &err), SLAB_OK);
    assert_int_equal(yr.n, 2);
    int y, m, d;
    slab_civil_from_days(slab_ts_day(yr.key_ns[0]), &y, &m, &d);
    assert_int_equal(y, 1678);
    slab_civil_from_days(slab_ts_day(yr.key_ns[1]), &y, &m, &d);
    assert_int_equal(y, 2261);
    slab_test_expect_close("2261", 1, yr.ret[1], 0.5, 1e-15, 0); /* 150/100 - 1 */
    slab_period_returns_clear(&yr);
    slab_bars_free(b);
}

/* Names and name=value text from outside were quoted raw into messages
 * (fuzz_params: a control byte in a strategy name). Now escaped. */
static void strategy_and_indicator_names_echoed_raw(void **state)
{
    (void)state;
    slab_error err;
    assert_null(slab_strategy_find("sma\x1b[31m", &err));
    assert_string_equal(err.msg, "unknown strategy 'sma\\x1B[31m'; built-ins: sma_cross, "
                                 "rsi_reversion, bbands_reversion, buy_hold, macd_trail, orb");
    assert_null(slab_ind_find("S\x07MA", &err));
    assert_string_equal(err.msg, "unknown indicator S\\x07MA; did you mean SMA?");
    const slab_strategy_def *def = slab_strategy_find("sma_cross", NULL);
    double out[64];
    const char *kv[] = {"fa\x01st=3", "fast=\x7f", "x"};
    assert_int_equal(slab_strategy_resolve_params(def, kv, 3, out, &err), SLAB_ENOTFOUND);
    assert_string_equal(err.msg, "sma_cross has no parameter 'fa\\x01st' (it has: fast, slow, "
                                 "stop_loss_pct, take_profit_pct, trail_pct, time_exit_bars); "
                                 "fast=\\x7F is not a number; 'x' is not name=value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_number_of_65_chars_overflowed_get_num),
        cmocka_unit_test(csv_nul_byte_in_field_passed_the_filter),
        cmocka_unit_test(linearreg_int_overflow_of_x_sums),
        cmocka_unit_test(wma_int_divider_from_period_46341),
        cmocka_unit_test(day_number_in_2262_overflowed_period_bucket),
        cmocka_unit_test(fifo_data_hung_and_pipe_hashed_empty),
        cmocka_unit_test(cr_only_line_endings_gave_more_than_256_fields),
        cmocka_unit_test(binary_header_was_echoed_raw),
        cmocka_unit_test(cash_1e308_gave_infinite_final_value),
        cmocka_unit_test(prices_near_1e308_overflowed_indicators),
        cmocka_unit_test(read_of_mistyped_store_created_it),
        cmocka_unit_test(read_only_store_could_not_be_read),
        cmocka_unit_test(stoch_bt_leading_nan_gave_partial_windows),
        cmocka_unit_test(bars_584_years_apart_overflowed_gaps),
        cmocka_unit_test(strategy_and_indicator_names_echoed_raw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
