/* test_core.c: exact summation against hand-worked cases, calendar
 * arithmetic against known dates, timestamp parsing and its errors. */
#include "slab_test.h"
#include "stratlab/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void fsum_cases(void **state)
{
    (void)state;
    /* {inputs, expected}: the expected values are exact by construction.
     * 1e100 + 1 - 1e100 = 1 exactly; naive summation gives 0. */
    static const struct {
        double x[4];
        int n;
        double want;
    } rows[] = {
        {{1e100, 1.0, -1e100, 0}, 3, 1.0},
        {{0.1, 0.2, 0.3, 0},
         3,
         0.6}, /* Python math.fsum([.1,.2,.3]); naive gives 0.6000000000000001 */
        {{1e16, 1.0, 1e-16, 0}, 3, 10000000000000002.0}, /* 1e16+1+1e-16 rounds up */
        {{-0.0, 0, 0, 0}, 1, 0.0},
        {{2.0, -2.0, 3.5, 0}, 3, 3.5},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double got = slab_fsum_array(rows[i].x, (size_t)rows[i].n);
        if (got != rows[i].want)
            fail_msg("row %zu: got %.17g want %.17g", i, got, rows[i].want);
    }
}

static void fsum_running_window(void **state)
{
    (void)state;
    /* Adding x and later -x leaves the exact sum of the rest: the running
     * window sum equals fsum of the window. */
    double x[6] = {0.1, 0.7, 1e-9, 3.3, 2.2, 0.3};
    slab_fsum s;
    slab_fsum_init(&s);
    for (int i = 0; i < 6; i++)
        slab_fsum_add(&s, x[i]);
    slab_fsum_add(&s, -x[0]);
    slab_fsum_add(&s, -x[1]);
    assert_true(slab_fsum_value(&s) == slab_fsum_array(x + 2, 4));
}

static void civil_roundtrip(void **state)
{
    (void)state;
    /* Known day numbers: 1970-01-01 = 0, 2000-03-01 = 11017, 1995-01-03 = 9133. */
    assert_int_equal(slab_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(slab_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(slab_days_from_civil(1995, 1, 3), 9133);
    for (int64_t d = -800000; d < 800000; d += 37) {
        int y, m, dd;
        slab_civil_from_days(d, &y, &m, &dd);
        assert_int_equal(slab_days_from_civil(y, m, dd), d);
    }
    /* 2006-01-02 was a Monday; ISO week 1 of 2006. 2005-01-01: week 53 of 2004. */
    int64_t d = slab_days_from_civil(2006, 1, 2);
    int iy, iw;
    assert_int_equal(slab_weekday(d), 1);
    slab_iso_week(d, &iy, &iw);
    assert_int_equal(iy, 2006);
    assert_int_equal(iw, 1);
    slab_iso_week(slab_days_from_civil(2005, 1, 1), &iy, &iw);
    assert_int_equal(iy, 2004);
    assert_int_equal(iw, 53);
}

static void time_parse_cases(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int ok;
        int64_t want;
        int has_time;
    } rows[] = {
        {"2006-01-02", 1, 13150LL * SLAB_NS_PER_DAY, 0},
        {"20060102", 1, 13150LL * SLAB_NS_PER_DAY, 0},
        {"2006-01-02 09:05:00", 1, 13150LL * SLAB_NS_PER_DAY + 545LL * 60 * SLAB_NS_PER_SEC, 1},
        {"2006-01-02T09:05", 1, 13150LL * SLAB_NS_PER_DAY + 545LL * 60 * SLAB_NS_PER_SEC, 1},
        {"2015-09-23 20:57:42.146000", 1,
         16701LL * SLAB_NS_PER_DAY + (20 * 3600 + 57 * 60 + 42) * SLAB_NS_PER_SEC + 146000000, 1},
        {"2006-02-30", 0, 0, 0},
        {"2006-1-2", 0, 0, 0},
        {"abc", 0, 0, 0},
        {"2006-01-02 25:00", 0, 0, 0},
        {"2262-06-01", 0, 0, 0},
        {"1500-01-01", 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t ts = 0;
        int ht = -1;
        slab_error err;
        slab_status st = slab_time_parse(rows[i].s, strlen(rows[i].s), &ts, &ht, &err);
        if (rows[i].ok) {
            assert_int_equal(st, SLAB_OK);
            assert_int_equal(ts, rows[i].want);
            assert_int_equal(ht, rows[i].has_time);
        } else {
            assert_true(st == SLAB_EPARSE || st == SLAB_ERANGE);
            assert_non_null(
                strstr(err.msg, st == SLAB_EPARSE ? "expected YYYY-MM-DD" : "outside 1678..2261"));
        }
    }
    char buf[40];
    assert_string_equal(
        slab_time_format(13150LL * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS, 1, buf, sizeof buf),
        "2006-01-02");
    assert_string_equal(slab_time_format(13150LL * SLAB_NS_PER_DAY + 545LL * 60 * SLAB_NS_PER_SEC,
                                         0, buf, sizeof buf),
                        "2006-01-02T09:05:00");
}

static void sha256_known(void **state)
{
    (void)state;
    char hex[65];
    /* FIPS 180-2 example: SHA-256("abc"). */
    slab_sha256_mem("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* The fast decimal path must give strtod's bits (strtod is correctly
 * rounded in glibc) or decline; checked on a table of edge cases and on
 * 200,000 pseudo-random decimals of every length. */
static void decimal_fast_path(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int fast;
    } rows[] = {
        {"100.03", 1},
        {"-0", 1},
        {"0.", 1},
        {".5", 1},
        {"+7.25", 1},
        {"0.1", 1},
        {"2.179012", 1},
        {"1e5", 0},
        {"", 0},
        {"-", 0},
        {".", 0},
        {"1.2.3", 0},
        {"1-2", 0},
        {"1234567890123456", 0},
        {"0.0000000000000000000001", 1},
        {"0.00000000000000000000001", 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double v = 0;
        int got = slab_parse_decimal_fast(rows[i].s, strlen(rows[i].s), &v);
        if (got != rows[i].fast)
            fail_msg("'%s': fast=%d, want %d", rows[i].s, got, rows[i].fast);
        if (got && memcmp(&v, &(double){strtod(rows[i].s, NULL)}, sizeof v) != 0)
            fail_msg("'%s': %.17g differs from strtod", rows[i].s, v);
    }
    uint64_t x = 88172645463325252ULL;
    char buf[64];
    for (int k = 0; k < 200000; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
        int ndig = 1 + (int)(x % 15), point = (int)((x >> 8) % (uint64_t)(ndig + 1));
        size_t len = 0;
        if ((x >> 20) & 1)
            buf[len++] = '-';
        uint64_t y = x;
        for (int d = 0; d < ndig; d++) {
            if (d == point)
                buf[len++] = '.';
            buf[len++] = (char)('0' + (y % 10));
            y = y / 10 ^ (y << 3);
        }
        buf[len] = '\0';
        double v;
        if (slab_parse_decimal_fast(buf, len, &v) &&
            memcmp(&v, &(double){strtod(buf, NULL)}, sizeof v) != 0)
            fail_msg("'%s': %.17g differs from strtod %.17g", buf, v, strtod(buf, NULL));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fsum_cases),      cmocka_unit_test(fsum_running_window),
        cmocka_unit_test(civil_roundtrip), cmocka_unit_test(time_parse_cases),
        cmocka_unit_test(sha256_known),    cmocka_unit_test(decimal_fast_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
