/* test_csv_fast.c: the CSV loader's fast paths against their references.
 * - slab_parse_decimal_fast against strtod, bit for bit, on a million
 *   random decimal texts;
 * - the loader on generated files of random decimal prices: every value
 *   equals strtod of the text written, every time the one computed here
 *   from the calendar;
 * - differential: random byte mutations of valid files (digits, dots,
 *   separators, spaces, signs, exponents, NUL, CR, LF ...) loaded with the
 *   fast row scanner and with the general path alone (slab__csv_fast_off):
 *   the same status, location, message, report and bars bit for bit;
 * - an all-zero open-interest column is not resident after a load.
 * (The shared data files are compared the same way in
 * tests/parity/test_csv_fast_ref.c.) */
#include "csv_outcome.h"
#include "data/data_int.h"
#include "slab_test.h"
#include "stratlab/data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static int rnd_int(int n) { return (int)(rnd() % (uint64_t)n); }

/* A random decimal text: 1 to 20 digits (sometimes with leading zeros),
 * the point anywhere or absent, sometimes a sign. */
static void rand_decimal(char *buf, int max_digits)
{
    int k = 0, nd = 1 + rnd_int(max_digits), dot = rnd_int(nd + 2) - 1;
    if (rnd_int(8) == 0)
        buf[k++] = rnd_int(2) ? '-' : '+';
    for (int i = 0; i < nd; i++) {
        if (i == dot)
            buf[k++] = '.';
        buf[k++] = (char)('0' + (i == 0 && rnd_int(3) ? 1 + rnd_int(9) : rnd_int(10)));
    }
    if (dot == nd)
        buf[k++] = '.';
    buf[k] = '\0';
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void decimal_fast_equals_strtod(void **state)
{
    (void)state;
    char buf[64];
    long taken = 0;
    for (long i = 0; i < 1000000; i++) {
        rand_decimal(buf, 20);
        double fast = -12345.0, ref = strtod(buf, NULL);
        if (slab_parse_decimal_fast(buf, strlen(buf), &fast)) {
            taken++;
            if (!same_bits(fast, ref))
                fail_msg("'%s': fast %.17g, strtod %.17g", buf, fast, ref);
        }
    }
    /* about 3/4 have at most 15 significant digits: the fast path must
     * have decided most of them, or this test compared nothing */
    assert_true(taken > 500000);
    /* the hard cases of short decimals: halfway-looking values */
    const char *edge[] = {"0.1",  "0.3",      "9007199254740993", "999999999999999",
                          "1.005", "2.675",   "0.000000000000001", "123456789012345.",
                          "-0",   "-0.0",     "0000000000000000001.5"};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        double fast;
        if (slab_parse_decimal_fast(edge[i], strlen(edge[i]), &fast))
            assert_true(same_bits(fast, strtod(edge[i], NULL)));
    }
}

/* A random price text with 1 to 17 significant digits (beyond 15 the
 * general path's strtod reads it) around 100. */
static double rand_price(char *buf)
{
    int whole = 1 + rnd_int(500), decs = rnd_int(rnd_int(10) == 0 ? 15 : 5);
    int k = snprintf(buf, 40, "%d", whole);
    if (decs) {
        buf[k++] = '.';
        for (int i = 0; i < decs; i++)
            buf[k++] = (char)('0' + rnd_int(10));
    }
    buf[k] = '\0';
    return strtod(buf, NULL);
}

typedef struct row_text {
    char px[4][40];
    double v[4];
} row_text;

/* Four prices, sorted into open/high/low/close so the bar is consistent. */
static void rand_bar(row_text *r)
{
    char tmp[4][40];
    double v[4];
    for (int i = 0; i < 4; i++)
        v[i] = rand_price(tmp[i]);
    int lo = 0, hi = 0;
    for (int i = 1; i < 4; i++) {
        if (v[i] < v[lo])
            lo = i;
        if (v[i] > v[hi])
            hi = i;
    }
    if (lo == hi)
        hi = (lo + 1) % 4, memcpy(tmp[hi], tmp[lo], 40), v[hi] = v[lo];
    int others[2], n = 0;
    for (int i = 0; i < 4 && n < 2; i++)
        if (i != lo && i != hi)
            others[n++] = i;
    const int order[4] = {others[0], hi, lo, others[1]};
    for (int i = 0; i < 4; i++) {
        memcpy(r->px[i], tmp[order[i]], 40);
        r->v[i] = v[order[i]];
    }
}

#define NROWS 20000

static void loader_values_equal_strtod(void **state)
{
    (void)state;
    static row_text rows[NROWS];
    static double vol[NROWS];
    static char vtext[NROWS][40];
    /* btcsv with Time, comma; generic with semicolons and the columns in
     * another order */
    for (int layout = 0; layout < 2; layout++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/fast_%d.csv", slab_test_tmpdir(), layout);
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fputs(layout == 0 ? "Date,Time,Open,High,Low,Close,Volume,OpenInterest\n"
                          : "Close;Low;Datetime;High;Open;Volume\r\n",
              f);
        int64_t day0 = slab_days_from_civil(2020, 1, 2);
        for (int i = 0; i < NROWS; i++) {
            rand_bar(&rows[i]);
            vol[i] = rand_price(vtext[i]);
            int64_t day = day0 + i / 390, m = 570 + i % 390;
            int y, mo, d;
            slab_civil_from_days(day, &y, &mo, &d);
            if (layout == 0)
                fprintf(f, "%04d-%02d-%02d,%02d:%02d:00,%s,%s,%s,%s,%s,0\n", y, mo, d,
                        (int)(m / 60), (int)(m % 60), rows[i].px[0], rows[i].px[1],
                        rows[i].px[2], rows[i].px[3], vtext[i]);
            else
                fprintf(f, "%s;%s;%04d-%02d-%02d %02d:%02d:00;%s;%s;%s\r\n", rows[i].px[3],
                        rows[i].px[2], y, mo, d, (int)(m / 60), (int)(m % 60), rows[i].px[1],
                        rows[i].px[0], vtext[i]);
        }
        fclose(f);
        slab_bars *b = NULL;
        slab_error err;
        if (slab_csv_load(path, NULL, &b, NULL, &err) != SLAB_OK)
            fail_msg("%s: %s", err.where, err.msg);
        assert_int_equal(b->n, NROWS);
        for (int i = 0; i < NROWS; i++) {
            int64_t day = day0 + i / 390, m = 570 + i % 390;
            assert_true(b->ts_ns[i] == day * SLAB_NS_PER_DAY + m * 60 * SLAB_NS_PER_SEC);
            const double got[4] = {b->open[i], b->high[i], b->low[i], b->close[i]};
            for (int k = 0; k < 4; k++)
                if (!same_bits(got[k], rows[i].v[k]))
                    fail_msg("row %d field %d '%s': loaded %.17g", i, k, rows[i].px[k], got[k]);
            assert_true(same_bits(b->volume[i], vol[i]));
            assert_true(same_bits(b->oi[i], 0.0));
        }
        slab_bars_free(b);
    }
}

/* The open interest column is written only from its first value that is
 * not +0: the values before it read as +0, a -0 keeps its sign, an
 * all-zero column reads as zeros. */
static void open_interest_zeros(void **state)
{
    (void)state;
    static const char *const oi[3][5] = {{"0", "0", "0", "0", "0"},
                                         {"0", "0", "-0", "0", "5"},
                                         {"0.0", "0", "0", "7.25", "0"}};
    for (int t = 0; t < 3; t++) {
        for (int off = 0; off < 2; off++) {
            char path[1100];
            snprintf(path, sizeof path, "%s/oi_%d.csv", slab_test_tmpdir(), t);
            FILE *f = fopen(path, "wb");
            assert_non_null(f);
            fputs("Date,Open,High,Low,Close,Volume,OpenInterest\n", f);
            for (int i = 0; i < 5; i++)
                fprintf(f, "2006-01-%02d,1,2,0.5,1.5,10,%s\n", 2 + i, oi[t][i]);
            fclose(f);
            slab_bars *b = NULL;
            slab_error err;
            slab__csv_fast_off = off;
            slab_status st = slab_csv_load(path, NULL, &b, NULL, &err);
            slab__csv_fast_off = 0;
            assert_int_equal(st, SLAB_OK);
            assert_int_equal(b->n, 5);
            for (int i = 0; i < 5; i++)
                assert_true(same_bits(b->oi[i], strtod(oi[t][i], NULL)));
            slab_bars_free(b);
        }
    }
}

/* Pages of [p, p + n) resident in memory (mincore), whole pages only. */
static size_t resident_pages(const void *p, size_t n, size_t *total)
{
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t z = ((uintptr_t)p + n) & ~((uintptr_t)page - 1);
    *total = z > a ? (z - a) / (size_t)page : 0;
    if (!*total)
        return 0;
    unsigned char *vec = malloc(*total);
    assert_non_null(vec);
    assert_int_equal(mincore((void *)a, z - a, vec), 0);
    size_t k = 0;
    for (size_t i = 0; i < *total; i++)
        k += vec[i] & 1;
    free(vec);
    return k;
}

/* An all-zero open-interest column takes no memory after a load: its
 * pages are not resident (until read or written), while the close
 * column's are. */
static void zero_open_interest_is_not_resident(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s/oi_big.csv", slab_test_tmpdir());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("Date,Time,Open,High,Low,Close,Volume,OpenInterest\n", f);
    int64_t day0 = slab_days_from_civil(2020, 1, 2);
    for (int i = 0; i < 200000; i++) {
        int y, mo, d, m = 570 + i % 390;
        slab_civil_from_days(day0 + i / 390, &y, &mo, &d);
        fprintf(f, "%04d-%02d-%02d,%02d:%02d:00,10.5,10.75,10.25,10.5,%d,0\n", y, mo, d, m / 60,
                m % 60, 100 + i % 50);
    }
    fclose(f);
    slab_bars *b = NULL;
    slab_error err;
    assert_int_equal(slab_csv_load(path, NULL, &b, NULL, &err), SLAB_OK);
    assert_int_equal(b->n, 200000);
    size_t total_oi, total_close;
    size_t res_oi = resident_pages(b->oi, b->n * sizeof(double), &total_oi);
    size_t res_close = resident_pages(b->close, b->n * sizeof(double), &total_close);
    assert_true(total_oi > 300 && total_close > 300);
    if (res_oi * 10 > total_oi || res_close * 10 < total_close * 9)
        fail_msg("resident pages: open interest %zu of %zu, close %zu of %zu", res_oi, total_oi,
                 res_close, total_close);
    for (size_t i = 0; i < b->n; i++) /* and it reads as zeros */
        assert_true(same_bits(b->oi[i], 0.0));
    slab_bars_free(b);
}

static void fast_equals_general_on_mutations(void **state)
{
    (void)state;
    static const char *const bases[] = {
        "Date,Time,Open,High,Low,Close,Volume,OpenInterest\n"
        "2006-01-02,09:31:00,10.5,10.75,10.25,10.5,1200,0\n"
        "2006-01-02,09:32:00,10.5,10.8,10.4,10.6,1300,5\n"
        "2006-01-02,09:33:00,10.6,10.9,10.5,10.7,1400,0\n"
        "2006-01-03,09:31:00,10.7,10.95,10.6,10.8,0,0\n",
        "Date,Open,High,Low,Close,Volume,OpenInterest\n"
        "2006-01-02,10.5,10.75,10.25,10.5,1200,0\n"
        "2006-01-03,10.5,10.8,10.4,10.6,1300,0\n"
        "2006-01-04,10.6,10.9,10.5,10.7,1400,0\n",
        "Date;Open;High;Low;Close;Volume\n"
        "2006-01-02;10.5;10.75;10.25;10.5;1200\n"
        "2006-01-03;10.5;10.8;10.4;10.6;1300\n"
        "2006-01-04;10.6;10.9;10.5;10.7;1400\n",
        "timestamp,close,open,low,high,extra\r\n"
        "2006-01-02 09:31:00,10.5,10.5,10.25,10.75,x\r\n"
        "2006-01-02 09:32:00,10.6,10.5,10.4,10.8,y\r\n"
        "2006-01-02 09:33,10.7,10.6,10.5,10.9,z\r\n",
        "Date,Open,High,Low,Close\n"
        "0,10.5,10.75,10.25,10.5\n"
        "1,10.5,10.8,10.4,10.6\n"
        "2,10.6,10.9,10.5,10.7\n",
        "Date,Time,Open,High,Low,Close,Volume,OpenInterest\r"
        "2006-01-02,09:31:00,10.5,10.75,10.25,10.5,1200,0\r"
        "2006-01-02,09:32:00,10.5,10.8,10.4,10.6,1300,0\r",
    };
    static const char pool[] = "0123456789.,;:- +eE\t\r\nx";
    char path[1100], text[1024];
    snprintf(path, sizeof path, "%s/fast_mut.csv", slab_test_tmpdir());
    long differing_rows = 0;
    for (int it = 0; it < 6000; it++) {
        const char *base = bases[it % (sizeof bases / sizeof bases[0])];
        size_t len = strlen(base);
        memcpy(text, base, len);
        int nmut = it < 6 ? 0 : 1 + rnd_int(3);
        for (int k = 0; k < nmut; k++) {
            size_t at = (size_t)rnd_int((int)len);
            if (rnd_int(40) == 0)
                text[at] = '\0'; /* a NUL byte inside the file */
            else if (rnd_int(10) == 0 && len + 1 < sizeof text) { /* insert */
                memmove(text + at + 1, text + at, len - at);
                text[at] = pool[rnd_int((int)sizeof pool - 1)];
                len++;
            } else if (rnd_int(10) == 0 && len > 1) { /* delete */
                memmove(text + at, text + at + 1, len - at - 1);
                len--;
            } else {
                text[at] = pool[rnd_int((int)sizeof pool - 1)];
            }
        }
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(text, 1, len, f), len);
        fclose(f);
        for (int skip = 0; skip < 2; skip++) {
            slab_csv_options o = {.skip_bad_rows = skip};
            csv_outcome a, b;
            char what[64];
            snprintf(what, sizeof what, "mutation %d skip %d", it, skip);
            csv_load_with(path, &o, 0, &a);
            csv_load_with(path, &o, 1, &b);
            csv_same_load(what, &a, &b);
            differing_rows += a.st != SLAB_OK || a.rep.rows_skipped;
            slab_bars_free(a.b);
            slab_bars_free(b.b);
        }
    }
    /* the mutations must have produced problems for the comparison to mean
     * anything */
    assert_true(differing_rows > 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decimal_fast_equals_strtod),
        cmocka_unit_test(loader_values_equal_strtod),
        cmocka_unit_test(open_interest_zeros),
        cmocka_unit_test(zero_open_interest_is_not_resident),
        cmocka_unit_test(fast_equals_general_on_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
