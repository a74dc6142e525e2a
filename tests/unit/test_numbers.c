/* test_numbers.c: slab_num_format() prints the shortest text that strtod()
 * reads back to the same double, for random bit patterns and the edge
 * cases (subnormals, 0.1, 1e300, -0.0, the largest and smallest doubles),
 * and the JSON writer does the same for reals while matching jansson's
 * layout byte for byte everywhere else. */
#include "significant_digits.h"
#include "slab_test.h"
#include "stratlab/core.h"
#include "stratlab/json.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64: a fixed-seed generator, so a failure reproduces. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

/* Significant digits in a number text: mantissa digits without leading
 * zeros or trailing zeros ("100000" has 1, "0.0250" has 2). */
static int sig_digits(const char *s)
{
    int n = 0, zeros = 0, leading = 1;
    for (; *s && *s != 'e'; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (leading && *s == '0')
            continue;
        leading = 0;
        n++;
        zeros = *s == '0' ? zeros + 1 : 0;
    }
    return n - zeros ? n - zeros : 1;
}

/* The shortest digit count by brute force: the first %.{p}g that reads
 * back as x. */
static int brute_shortest(double x)
{
    char buf[64];
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, x);
        if (strtod(buf, NULL) == x)
            return p;
    }
    return 17;
}

/* x must print as text that reads back bit for bit, with no more digits
 * than the brute-force shortest, and those digits glibc's printf of x to
 * that many (correctly rounded: the nearest of the shortest texts). */
static void expect_round_trip(double x)
{
    char buf[SLAB_NUM_TEXT_MAX], *end, want[64], got[64], ref[64];
    slab_num_format(x, buf, sizeof buf);
    double back = strtod(buf, &end);
    if (*end || bits(back) != bits(x))
        fail_msg("%a printed as '%s', which reads back as %a", x, buf, back);
    if (x == 0)
        return;
    int k = brute_shortest(x);
    if (sig_digits(buf) != k)
        fail_msg("%a printed as '%s' (%d digits); the shortest has %d", x, buf, sig_digits(buf), k);
    snprintf(ref, sizeof ref, "%.*e", k - 1, x);
    significant_digits(ref, want);
    significant_digits(buf, got);
    if (strcmp(want, got))
        fail_msg("%a printed as '%s'; printf to %d digits gives '%s'", x, buf, k, ref);
}

static void random_doubles_round_trip(void **state)
{
    (void)state;
    uint64_t s = 20240601;
    for (int i = 0; i < 100000; i++) {
        double x = from_bits(next_u64(&s));
        if (isfinite(x))
            expect_round_trip(x);
    }
    /* Values of ordinary size (prices, returns), where most output lives. */
    for (int i = 0; i < 50000; i++) {
        double u = (double)(next_u64(&s) >> 11) / 9007199254740992.0; /* [0, 1) */
        expect_round_trip(u * 1000.0);
        expect_round_trip(round(u * 1e6) / 100.0); /* two decimals: "1234.56" */
    }
    /* Every scale the writer's integer path covers and its edges (about
     * 1e-6 and 1e35, past which it prints through printf), and the
     * neighbours of powers of ten, where the decimal exponent's estimate
     * and a round up to 10^17 change the first digit's place. */
    for (int i = 0; i < 50000; i++) {
        uint64_t u = next_u64(&s);
        double m = (double)(u >> 11) / 9007199254740992.0;
        expect_round_trip(m * pow(10.0, (double)((int)(u % 60) - 25)));
        double p = pow(10.0, (double)((int)(u % 70) - 35));
        expect_round_trip(p);
        expect_round_trip(nextafter(p, INFINITY));
        expect_round_trip(-nextafter(p, 0.0));
        expect_round_trip((double)(u >> (11 + u % 50))); /* whole numbers */
        /* exactly half-way between two 15- or 16-digit decimals (a whole
         * number of 15 or 16 digits plus one half, or one of 16 or 17
         * digits ending in 5): the writer's integer path hands these to
         * printf, whose rounding then decides */
        double w = (double)(u % 9000000000000000ULL + 1000000000000000ULL);
        expect_round_trip(w + 0.5);
        expect_round_trip(floor(w / 10.0) + 0.5);
        expect_round_trip(floor(w / 10.0) * 10.0 + 5.0);
    }
}

static void edge_cases(void **state)
{
    (void)state;
    /* {value, exact expected text}: Python 3's repr() of each value
     * (without the ".0" repr adds to a whole number), which uses the same
     * shortest-digits rule and layout. */
    static const struct {
        double x;
        const char *want;
    } rows[] = {
        {0.1, "0.1"},
        {0.2 + 0.1, "0.30000000000000004"},
        {1e300, "1e+300"},
        {-0.0, "-0"},
        {0.0, "0"},
        {5e-324, "5e-324"},                  /* the smallest subnormal */
        {2.2250738585072009e-308, "2.225073858507201e-308"}, /* largest subnormal */
        {DBL_MIN, "2.2250738585072014e-308"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {33.951000099999973, "33.95100009999997"}, /* issue 8: printed with 17 digits */
        {33.9510001, "33.9510001"},
        {100000.0, "100000"},
        {1e16, "1e+16"},
        {9999999999999998.0, "9999999999999998"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {123456789.125, "123456789.125"},
        {-1.5, "-1.5"},
        {1.0 / 3.0, "0.3333333333333333"},
        {2.0 / 3.0, "0.6666666666666666"},
    };
    char buf[SLAB_NUM_TEXT_MAX];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_num_format(rows[i].x, buf, sizeof buf);
        if (strcmp(buf, rows[i].want))
            fail_msg("row %zu: %a printed as '%s', want '%s'", i, rows[i].x, buf, rows[i].want);
        expect_round_trip(rows[i].x);
    }
    /* Every subnormal exponent and the powers of two and ten. */
    for (int e = -1074; e <= 1023; e++)
        expect_round_trip(ldexp(1.0, e));
    for (int e = -323; e <= 308; e++) {
        char ten[16];
        snprintf(ten, sizeof ten, "1e%d", e);
        expect_round_trip(strtod(ten, NULL));
    }
    slab_num_format(NAN, buf, sizeof buf);
    assert_string_equal(buf, "nan");
    slab_num_format(-INFINITY, buf, sizeof buf);
    assert_string_equal(buf, "-inf");
}

/* The JSON writer: reals read back bit for bit (and stay reals), and
 * everything else is jansson's own text for the same flags. */
static void json_reals_round_trip(void **state)
{
    (void)state;
    uint64_t s = 7;
    json_t *arr = json_array();
    double want[2000];
    for (int i = 0; i < 2000; i++) {
        double x;
        do
            x = from_bits(next_u64(&s));
        while (!isfinite(x));
        want[i] = i % 3 == 0 ? round(x) : i % 3 == 1 ? x : (double)(i - 1000);
        if (!isfinite(want[i]))
            want[i] = x;
        json_array_append_new(arr, json_real(want[i]));
    }
    char *text = slab_json_dumps(arr, JSON_COMPACT);
    json_error_t je;
    json_t *back = json_loads(text, 0, &je);
    assert_non_null(back);
    for (int i = 0; i < 2000; i++) {
        json_t *v = json_array_get(back, (size_t)i);
        if (!json_is_real(v) || bits(json_real_value(v)) != bits(want[i]))
            fail_msg("element %d: wrote %a, read back %s %a", i, want[i],
                     json_is_real(v) ? "real" : "non-real", json_number_value(v));
    }
    json_decref(back);
    slab_free(text);
    json_decref(arr);

    /* jansson writes 33.9510001 with 17 digits; ours is the short form. */
    json_t *one = json_pack("{s:f,s:f,s:f}", "a", 33.9510001, "b", 100000.0, "c", -0.0);
    text = slab_json_dumps(one, JSON_COMPACT);
    assert_string_equal(text, "{\"a\":33.9510001,\"b\":100000.0,\"c\":-0.0}");
    slab_free(text);
    json_decref(one);
}

static void json_layout_matches_jansson(void **state)
{
    (void)state;
    static const size_t flags[] = {0,
                                   JSON_COMPACT,
                                   JSON_INDENT(1),
                                   JSON_INDENT(2),
                                   JSON_INDENT(3) | JSON_COMPACT,
                                   JSON_INDENT(1) | JSON_SORT_KEYS,
                                   JSON_COMPACT | JSON_SORT_KEYS};
    char ctl[40];
    for (int c = 1; c < 32; c++)
        ctl[c - 1] = (char)c;
    ctl[31] = '\0';
    json_t *doc = json_pack("{s:i,s:[],s:{},s:[i,s,{s:b,s:n}],s:s,s:s,s:{s:[[],{}],s:I}}", "z", 1,
                            "empty", "eo", "arr", -2, "q\"\\/\x7f\xc3\xa9", "k", 1, "n", "s", ctl,
                            "unicode", "\xe6\x97\xa5\xe6\x9c\xac", "nest", "a", "m",
                            (json_int_t)-9223372036854775807LL);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        char *ours = slab_json_dumps(doc, flags[i]), *theirs = json_dumps(doc, flags[i]);
        if (strcmp(ours, theirs))
            fail_msg("flags %#zx:\nours   %s\ntheirs %s", flags[i], ours, theirs);
        slab_free(ours);
        free(theirs);
    }
    /* A bare scalar needs JSON_ENCODE_ANY, as in jansson. */
    json_t *str = json_string("x");
    assert_null(slab_json_dumps(str, 0));
    char *t = slab_json_dumps(str, JSON_ENCODE_ANY);
    assert_string_equal(t, "\"x\"");
    slab_free(t);
    json_decref(str);
    json_decref(doc);
}

/* SLAB_JSON_REAL17: every real as jansson prints it, so the whole text is
 * json_dumps()'s, for reals of every kind (random bits, whole numbers,
 * powers of ten and their neighbours where %.17g turns to an exponent,
 * subnormals, -0.0, the extremes), each written twice (the second time
 * from the writer's memo) and among integers. */
static void json_real17_matches_jansson(void **state)
{
    (void)state;
    static const size_t flags[] = {JSON_COMPACT | JSON_SORT_KEYS, JSON_COMPACT, JSON_INDENT(2)};
    uint64_t s = 11;
    json_t *doc = json_object(), *arr = json_array();
    for (int i = 0; i < 4000; i++) {
        double x;
        switch (i % 8) {
        case 0: x = from_bits(next_u64(&s)); break;
        case 1: x = (double)(int64_t)(next_u64(&s) >> (next_u64(&s) % 64)); break;
        case 2: x = pow(10.0, (double)(i % 60) - 30.0); break;
        case 3: x = nextafter(pow(10.0, (double)(i % 44) - 22.0), (i & 16) ? 0.0 : INFINITY); break;
        case 4: x = from_bits(next_u64(&s) % 0x0010000000000000ULL); break; /* subnormal */
        case 5: x = (double)(i % 1000) / 100.0; break;
        case 6: x = ldexp((double)(next_u64(&s) >> 11), (int)(next_u64(&s) % 200) - 100); break;
        default: x = -(double)(next_u64(&s) % 100000) * 0.001; break;
        }
        if (!isfinite(x))
            x = DBL_MAX;
        json_array_append_new(arr, json_real(x));
        json_array_append_new(arr, json_real(x)); /* the memo's */
        if (i % 5 == 0)
            json_array_append_new(arr, json_integer((json_int_t)(next_u64(&s) >> (i % 64))));
    }
    static const double edge[] = {0.0, -0.0, DBL_MAX, -DBL_MAX, DBL_MIN, 5e-324, 1e16, 1e17,
                                  1e-5, 1e-4, 100000.0, 0.001, 1e21, 123456789012345678.0};
    for (size_t k = 0; k < sizeof edge / sizeof edge[0]; k++)
        json_array_append_new(arr, json_real(edge[k]));
    json_array_append_new(arr, json_integer(INT64_MIN));
    json_array_append_new(arr, json_integer(INT64_MAX));
    json_object_set_new(doc, "zeta", json_real(100000.0));
    json_object_set_new(doc, "reals", arr);
    json_object_set_new(doc, "alpha", json_pack("{s:f,s:f,s:i}", "b", 0.001, "a", 0.0, "c", 95));
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        char *ours = slab_json_dumps(doc, flags[i] | SLAB_JSON_REAL17);
        char *theirs = json_dumps(doc, flags[i]);
        assert_non_null(ours);
        assert_non_null(theirs);
        if (strcmp(ours, theirs)) {
            size_t at = 0;
            while (ours[at] == theirs[at])
                at++;
            fail_msg("flags %#zx: first difference at byte %zu:\nours   %.60s\ntheirs %.60s",
                     flags[i], at, ours + (at > 20 ? at - 20 : 0),
                     theirs + (at > 20 ? at - 20 : 0));
        }
        slab_free(ours);
        free(theirs);
    }
    json_decref(doc);
}

/* slab_json_text_*: a document written piece by piece is the text of the
 * same tree; a real JSON cannot hold, or a NULL tree, marks it failed. */
static void json_text_pieces(void **state)
{
    (void)state;
    json_t *tree = json_pack("{s:s,s:f,s:I,s:I,s:[f,f,n],s:{s:b}}", "k\"ey", "v\n\x01al", "r",
                             0.1, "i", (json_int_t)INT64_MIN, "j", (json_int_t)42, "arr", 2.0,
                             -1e-300, "o", "t", 1);
    char *want = slab_json_dumps(tree, JSON_COMPACT);
    slab_json_text t = {0};
    slab_json_text_raw(&t, "{", 1);
    slab_json_text_string(&t, "k\"ey");
    slab_json_text_raw(&t, ":", 1);
    slab_json_text_string(&t, "v\n\x01al");
    slab_json_text_raw(&t, ",\"r\":", 5);
    slab_json_text_real(&t, 0.1);
    slab_json_text_raw(&t, ",\"i\":", 5);
    slab_json_text_integer(&t, INT64_MIN);
    slab_json_text_raw(&t, ",\"j\":", 5);
    slab_json_text_integer(&t, 42);
    slab_json_text_raw(&t, ",\"arr\":[", 8);
    slab_json_text_real(&t, 2.0);
    slab_json_text_raw(&t, ",", 1);
    slab_json_text_real(&t, -1e-300);
    slab_json_text_raw(&t, ",null],\"o\":", 11);
    json_t *o = json_pack("{s:b}", "t", 1);
    slab_json_text_value(&t, o, JSON_COMPACT);
    slab_json_text_raw(&t, "}", 1);
    assert_false(t.failed);
    assert_string_equal(t.s, want);
    assert_int_equal(t.n, strlen(want));
    slab_json_text_real(&t, NAN);
    assert_true(t.failed);
    slab_free(t.s);
    slab_json_text u = {0};
    slab_json_text_value(&u, NULL, 0);
    assert_true(u.failed);
    slab_free(u.s);
    json_decref(o);
    slab_free(want);
    json_decref(tree);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_doubles_round_trip),
        cmocka_unit_test(edge_cases),
        cmocka_unit_test(json_reals_round_trip),
        cmocka_unit_test(json_layout_matches_jansson),
        cmocka_unit_test(json_real17_matches_jansson),
        cmocka_unit_test(json_text_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
