/* test_sweep_grid.c: the sweep grid: lists and exact decimal ranges (the
 * doubles a range gives are the ones typing its values gives), units,
 * repeated values, every error with its exact text, the --where language,
 * grid order, cursors started anywhere, shards that tile the positions, and
 * reproducible samples. Expected values are written out by hand. */
#include "slab_test.h"
#include "stratlab/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- axes ------------------------------------------------------------------ */

typedef struct axis_case {
    const char *spec;
    const char *texts; /* expected value texts, space-separated */
    int is_num;        /* expected is_num of every value */
} axis_case;

static const axis_case axis_cases[] = {
    {"fast=5,10,20", "5 10 20", 1},
    {"fast=5:50:5", "5 10 15 20 25 30 35 40 45 50", 1},
    {"fast=1:10:3", "1 4 7 10", 1},            /* 10 = 1 + 3*3: included */
    {"fast=1:9:3", "1 4 7", 1},                /* 9 is not on the steps */
    {"x=0.1:0.3:0.1", "0.1 0.2 0.3", 1},       /* not 0.30000000000000004 */
    {"x=0.7:1:0.1", "0.7 0.8 0.9 1", 1},
    {"x=1:0.5:-0.25", "1 0.75 0.5", 1},        /* counting down */
    {"x=-1:1:0.5", "-1 -0.5 0 0.5 1", 1},
    {"x=0.001:0.003:0.001", "0.001 0.002 0.003", 1},
    {"x=5", "5", 1},
    {"x=2:2:1", "2", 1},
    {"x=1, 2 ,3", "1 2 3", 1},                 /* spaces around items */
    {"x=1,5:7:1,10", "1 5 6 7 10", 1},         /* ranges inside a list */
    {"trail=1%:3%:0.5%", "1% 1.5% 2% 2.5% 3%", 0},
    {"trail=1%:2%:0.5", "1% 1.5% 2%", 0},      /* a step without the unit */
    {"stop_loss=1atr:2atr:0.5atr", "1atr 1.5atr 2atr", 0},
    {"stop_loss=@95:@97:@1", "@95 @96 @97", 0},
    {"sizer=percent:95,fixed:10", "percent:95 fixed:10", 0},
    {"exit_at=15:55,15:30:00", "15:55 15:30:00", 0},
};

static void test_axes(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof axis_cases / sizeof axis_cases[0]; c++) {
        const axis_case *k = &axis_cases[c];
        slab_grid *g = slab_grid_new();
        slab_error err;
        char texts[256], want[256];
        assert_non_null(g);
        if (slab_grid_add_axis(g, k->spec, &err) != SLAB_OK)
            fail_msg("%s: %s", k->spec, err.msg);
        const slab_grid_axis *ax = slab_grid_axis_at(g, 0);
        texts[0] = '\0';
        for (size_t j = 0; j < ax->n; j++) {
            snprintf(texts + strlen(texts), sizeof texts - strlen(texts), "%s%s", j ? " " : "",
                     ax->values[j].text);
            if (ax->values[j].is_num != k->is_num)
                fail_msg("%s: value %s is_num %d", k->spec, ax->values[j].text,
                         ax->values[j].is_num);
            /* A value's number is the double typing its number part gives. */
            const char *t = ax->values[j].text;
            if (t[0] == '@')
                t++;
            if (strcmp(k->spec, "sizer=percent:95,fixed:10") &&
                strcmp(k->spec, "exit_at=15:55,15:30:00") && ax->values[j].num != strtod(t, NULL))
                fail_msg("%s: %s gives %.17g", k->spec, ax->values[j].text, ax->values[j].num);
        }
        snprintf(want, sizeof want, "%s", k->texts);
        if (strcmp(texts, want))
            fail_msg("%s: got '%s', want '%s'", k->spec, texts, want);
        slab_grid_free(g);
    }
    /* The one a naive loop gets wrong: 0.1 + 0.1 + 0.1 != 0.3. */
    slab_grid *g = slab_grid_new();
    slab_error err;
    assert_int_equal(slab_grid_add_axis(g, "x=0.1:0.3:0.1", &err), SLAB_OK);
    assert_true(slab_grid_axis_at(g, 0)->values[2].num == 0.3);
    assert_true(0.1 + 0.1 + 0.1 != 0.3);
    slab_grid_free(g);
}

typedef struct err_case {
    const char *spec;
    const char *msg;
} err_case;

static const err_case axis_errors[] = {
    {"fast", "'fast' is not name=LIST (e.g. fast=5,10,20 or fast=5:50:5)"},
    {"=5", "'=5' is not name=LIST (e.g. fast=5,10,20 or fast=5:50:5)"},
    {"fast=5,,10", "an empty value (two commas in a row, or a comma at the end?)"},
    {"fast=5,", "an empty value (two commas in a row, or a comma at the end?)"},
    {"fast=5:50:0", "range '5:50:0' has a zero step"},
    {"fast=50:5:5", "range '50:5:5' never reaches its end: the step goes the other way (use a "
                    "negative step)"},
    {"fast=5:x:5", "range '5:x:5': 'x' is not a decimal number (ranges take a:b:step, e.g. "
                   "5:50:5 or 1%:5%:0.5%)"},
    {"t=1%:5:1", "range '1%:5:1': the start, end and step must have the same unit"},
    {"fast=5,10,5", "the value 5 is listed twice (as '5' and '5'); each combination runs once"},
    {"fast=1:10:1,5", "the value 5 is listed twice (as '5' and '5'); each combination runs once"},
    {"fast=1:2000000:1", "range '1:2000000:1' has 2000000 values (limit 1000000)"},
};

static void test_axis_errors(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof axis_errors / sizeof axis_errors[0]; c++) {
        slab_grid *g = slab_grid_new();
        slab_error err;
        if (slab_grid_add_axis(g, axis_errors[c].spec, &err) == SLAB_OK)
            fail_msg("%s: accepted", axis_errors[c].spec);
        if (strcmp(err.msg, axis_errors[c].msg))
            fail_msg("%s: got '%s'\nwant '%s'", axis_errors[c].spec, err.msg, axis_errors[c].msg);
        slab_grid_free(g);
    }
    slab_grid *g = slab_grid_new();
    slab_error err;
    assert_int_equal(slab_grid_add_axis(g, "fast=5", &err), SLAB_OK);
    assert_int_not_equal(slab_grid_add_axis(g, "fast=6", &err), SLAB_OK);
    assert_string_equal(err.msg, "fast is given twice; put all its values in one list "
                                 "(fast=5,10,20)");
    assert_string_equal(err.where, "--param fast");
    slab_grid_free(g);
    g = slab_grid_new();
    assert_int_not_equal(slab_grid_finish(g, &err), SLAB_OK);
    assert_string_equal(err.msg, "a sweep needs at least one --param name=LIST");
    slab_grid_free(g);
}

/* ---- order, constraint, cursors -------------------------------------------- */

/* A 3 x 4 grid: fast in {5,10,20}, slow in {10,20,30,40}. */
static slab_grid *grid_3x4(const char *where)
{
    slab_grid *g = slab_grid_new();
    slab_error err;
    const char *names[] = {"cash"};
    double values[] = {1000};
    assert_int_equal(slab_grid_add_axis(g, "fast=5,10,20", &err), SLAB_OK);
    assert_int_equal(slab_grid_add_axis(g, "slow=10:40:10", &err), SLAB_OK);
    if (where && slab_grid_set_where(g, where, names, values, 1, &err) != SLAB_OK)
        fail_msg("%s: %s: %s", where, err.where, err.msg);
    if (slab_grid_finish(g, &err) != SLAB_OK)
        fail_msg("finish: %s", err.msg);
    return g;
}

/* Writes the combinations of [lo, hi) as "f/s f/s ..." into buf. */
static void walk(const slab_grid *g, uint64_t lo, uint64_t hi, char *buf, size_t n)
{
    slab_grid_cursor c;
    buf[0] = '\0';
    slab_grid_cursor_init(&c, g, lo, hi);
    while (slab_grid_cursor_next(&c)) {
        const slab_grid_axis *f = slab_grid_axis_at(g, 0), *s = slab_grid_axis_at(g, 1);
        snprintf(buf + strlen(buf), n - strlen(buf), "%s%s/%s", buf[0] ? " " : "",
                 f->values[c.idx[0]].text, s->values[c.idx[1]].text);
    }
}

static void test_order_and_where(void **state)
{
    (void)state;
    char buf[512];
    slab_grid *g = grid_3x4(NULL);
    assert_int_equal(slab_grid_count(g), 12);
    walk(g, 0, 12, buf, sizeof buf);
    /* the first axis varies slowest */
    assert_string_equal(buf, "5/10 5/20 5/30 5/40 10/10 10/20 10/30 10/40 20/10 20/20 20/30 20/40");
    walk(g, 5, 7, buf, sizeof buf);
    assert_string_equal(buf, "10/20 10/30");
    assert_string_equal(slab_grid_canonical(g), "fast=5,10,20;slow=10,20,30,40");
    slab_grid_free(g);

    g = grid_3x4("fast < slow");
    assert_int_equal(slab_grid_count(g), 9); /* 5:4, 10:3, 20:2 */
    walk(g, 0, 100, buf, sizeof buf);
    assert_string_equal(buf, "5/10 5/20 5/30 5/40 10/20 10/30 10/40 20/30 20/40");
    walk(g, 4, 7, buf, sizeof buf); /* a cursor started in the middle */
    assert_string_equal(buf, "10/20 10/30 10/40");
    walk(g, 8, 9, buf, sizeof buf);
    assert_string_equal(buf, "20/40");
    assert_string_equal(slab_grid_canonical(g),
                        "fast=5,10,20;slow=10,20,30,40|where=fast < slow");
    slab_grid_free(g);
}

typedef struct where_case {
    const char *expr;
    const char *want; /* the combinations that pass */
} where_case;

static const where_case where_cases[] = {
    {"slow >= 2 * fast", "5/10 5/20 5/30 5/40 10/20 10/30 10/40 20/40"},
    {"slow - fast == 10", "10/20 20/30"},
    {"slow % 20 = 0 and fast != 10", "5/20 5/40 20/20 20/40"},
    {"not (fast < 10) && slow < 20", "10/10 20/10"},
    {"fast > 10 || slow / fast == 8", "5/40 20/10 20/20 20/30 20/40"},
    {"min(fast, slow) == 10", "10/10 10/20 10/30 10/40 20/10"},
    {"max(fast, slow, 35) == 35 and abs(fast - slow) < 6", "5/10 10/10 20/20"},
    {"-fast + slow > 30 or cash < 0", "5/40"},
    {"slow > fast * 3.5", "5/20 5/30 5/40 10/40"},
};

static void test_where_language(void **state)
{
    (void)state;
    char buf[512];
    for (size_t c = 0; c < sizeof where_cases / sizeof where_cases[0]; c++) {
        slab_grid *g = grid_3x4(where_cases[c].expr);
        walk(g, 0, 100, buf, sizeof buf);
        if (strcmp(buf, where_cases[c].want))
            fail_msg("%s: got '%s', want '%s'", where_cases[c].expr, buf, where_cases[c].want);
        slab_grid_free(g);
    }
}

static const err_case where_errors[] = {
    {"fast < slwo", "unknown name 'slwo'; the constraint can use: fast, slow, cash"},
    {"fast <", "expected a number, a name or '(' at the end"},
    {"fast slow", "unexpected 'slow' (an operator or 'and'/'or' missing?)"},
    {"(fast < slow", "expected ')'"},
    {"abs(fast, slow) > 1", "abs takes one argument"},
    {"min(fast) > 1", "min takes two or more arguments"},
    {"fast < $", "expected a number, a name or '(' at '$'"},
};

static void test_where_errors(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof where_errors / sizeof where_errors[0]; c++) {
        slab_grid *g = slab_grid_new();
        slab_error err;
        const char *names[] = {"cash"};
        double values[] = {1};
        assert_int_equal(slab_grid_add_axis(g, "fast=5,10", &err), SLAB_OK);
        assert_int_equal(slab_grid_add_axis(g, "slow=20", &err), SLAB_OK);
        if (slab_grid_set_where(g, where_errors[c].spec, names, values, 1, &err) == SLAB_OK)
            fail_msg("%s: accepted", where_errors[c].spec);
        if (strcmp(err.msg, where_errors[c].msg))
            fail_msg("%s: got '%s'\nwant '%s'", where_errors[c].spec, err.msg,
                     where_errors[c].msg);
        assert_true(!strncmp(err.where, "--where:1:", 10));
        slab_grid_free(g);
    }
    /* nothing passes */
    slab_grid *g = slab_grid_new();
    slab_error err;
    assert_int_equal(slab_grid_add_axis(g, "fast=5,10", &err), SLAB_OK);
    assert_int_equal(slab_grid_set_where(g, "fast > 100", NULL, NULL, 0, &err), SLAB_OK);
    assert_int_not_equal(slab_grid_finish(g, &err), SLAB_OK);
    assert_string_equal(err.msg, "no combination of the grid satisfies 'fast > 100'");
    slab_grid_free(g);
}

/* ---- shards ------------------------------------------------------------------ */

static void test_shards(void **state)
{
    (void)state;
    static const uint64_t counts[] = {0, 1, 7, 16, 30, 10000, 12345678901ULL};
    static const uint64_t ns[] = {1, 2, 3, 16, 17, 1000};
    for (size_t a = 0; a < sizeof counts / sizeof counts[0]; a++)
        for (size_t b = 0; b < sizeof ns / sizeof ns[0]; b++) {
            uint64_t prev = 0, min = UINT64_MAX, max = 0, lo, hi;
            for (uint64_t i = 1; i <= ns[b]; i++) {
                slab_grid_shard(counts[a], i, ns[b], &lo, &hi);
                assert_true(lo == prev); /* contiguous, in order */
                assert_true(hi >= lo);
                min = hi - lo < min ? hi - lo : min;
                max = hi - lo > max ? hi - lo : max;
                prev = hi;
            }
            assert_true(prev == counts[a]); /* the shards cover everything */
            assert_true(max - min <= 1);
        }
    /* 10 positions over 4 shards: floor(10*i/4) = 0, 2, 5, 7, 10 */
    uint64_t lo, hi;
    slab_grid_shard(10, 2, 4, &lo, &hi);
    assert_true(lo == 2 && hi == 5);
    slab_grid_shard(10, 4, 4, &lo, &hi);
    assert_true(lo == 7 && hi == 10);

    slab_error err;
    uint64_t i, n;
    assert_int_equal(slab_grid_shard_parse("3/16", &i, &n, &err), SLAB_OK);
    assert_true(i == 3 && n == 16);
    static const char *bad[] = {"0/4", "5/4", "3", "3/", "/4", "a/4", "3/4x", "-1/4", "1/0"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        assert_int_not_equal(slab_grid_shard_parse(bad[k], &i, &n, &err), SLAB_OK);
}

/* ---- samples -------------------------------------------------------------- */

static slab_grid *sampled(uint64_t n, uint64_t seed, const char *where, slab_error *err,
                          slab_status *st)
{
    slab_grid *g = slab_grid_new();
    assert_int_equal(slab_grid_add_axis(g, "fast=1:100:1", err), SLAB_OK);
    assert_int_equal(slab_grid_add_axis(g, "slow=1:100:1", err), SLAB_OK);
    if (where)
        assert_int_equal(slab_grid_set_where(g, where, NULL, NULL, 0, err), SLAB_OK);
    slab_grid_set_samples(g, n, seed);
    *st = slab_grid_finish(g, err);
    return g;
}

static void test_samples(void **state)
{
    (void)state;
    slab_error err;
    slab_status st;
    char a[8192], b[8192], c[8192];
    slab_grid *g1 = sampled(50, 7, "fast < slow", &err, &st);
    assert_int_equal(st, SLAB_OK);
    slab_grid *g2 = sampled(50, 7, "fast < slow", &err, &st);
    slab_grid *g3 = sampled(50, 8, "fast < slow", &err, &st);
    assert_int_equal(slab_grid_count(g1), 50);
    walk(g1, 0, 50, a, sizeof a);
    walk(g2, 0, 50, b, sizeof b);
    walk(g3, 0, 50, c, sizeof c);
    assert_string_equal(a, b);        /* the same seed, the same sample */
    assert_string_not_equal(a, c);    /* another seed, another sample */
    /* distinct, satisfying the constraint, in grid order */
    slab_grid_cursor cur;
    uint64_t prev = 0;
    int first = 1;
    slab_grid_cursor_init(&cur, g1, 0, 50);
    while (slab_grid_cursor_next(&cur)) {
        const slab_grid_axis *f = slab_grid_axis_at(g1, 0), *s = slab_grid_axis_at(g1, 1);
        assert_true(f->values[cur.idx[0]].num < s->values[cur.idx[1]].num);
        assert_true(first || cur.full > prev);
        prev = cur.full;
        first = 0;
    }
    /* a shard of a sample is the same slice of it */
    walk(g1, 10, 20, b, sizeof b);
    assert_non_null(strstr(a, b));
    assert_true(!strncmp(slab_grid_canonical(g1), "fast=1,2,3,", 11));
    assert_non_null(strstr(slab_grid_canonical(g1), "|where=fast < slow|samples=50,seed=7"));
    slab_grid_free(g1);
    slab_grid_free(g2);
    slab_grid_free(g3);

    /* every combination, drawn: all 10000 distinct */
    g1 = sampled(10000, 1, NULL, &err, &st);
    assert_int_equal(st, SLAB_OK);
    slab_grid_cursor_init(&cur, g1, 0, UINT64_MAX);
    uint64_t k = 0;
    while (slab_grid_cursor_next(&cur))
        assert_true(cur.full == k++);
    assert_true(k == 10000);
    slab_grid_free(g1);

    g1 = sampled(5000, 1, "fast + 1 == slow", &err, &st);
    assert_int_not_equal(st, SLAB_OK);
    assert_string_equal(err.msg, "5000 samples asked, but the grid has 99 combinations "
                                 "satisfying --where; leave out --samples to run them all");
    slab_grid_free(g1);
}

static void test_big_grid(void **state)
{
    (void)state;
    slab_grid *g = slab_grid_new();
    slab_error err;
    for (int k = 0; k < 4; k++) {
        char spec[32];
        snprintf(spec, sizeof spec, "p%d=1:1000:1", k);
        assert_int_equal(slab_grid_add_axis(g, spec, &err), SLAB_OK);
    }
    assert_int_not_equal(slab_grid_finish(g, &err), SLAB_OK);
    assert_string_equal(err.msg, "the grid has 1000000000000 combinations, too many to run all "
                                 "(limit 1000000000); draw some with --samples N --seed S");
    slab_grid_free(g);
    g = slab_grid_new();
    for (int k = 0; k < 4; k++) {
        char spec[32];
        snprintf(spec, sizeof spec, "p%d=1:1000:1", k);
        assert_int_equal(slab_grid_add_axis(g, spec, &err), SLAB_OK);
    }
    slab_grid_set_samples(g, 1000, 42);
    assert_int_equal(slab_grid_finish(g, &err), SLAB_OK);
    assert_true(slab_grid_count(g) == 1000);
    assert_true(slab_grid_full_count(g) == 1000000000000ULL);
    slab_grid_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axes),          cmocka_unit_test(test_axis_errors),
        cmocka_unit_test(test_order_and_where), cmocka_unit_test(test_where_language),
        cmocka_unit_test(test_where_errors),  cmocka_unit_test(test_shards),
        cmocka_unit_test(test_samples),       cmocka_unit_test(test_big_grid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
