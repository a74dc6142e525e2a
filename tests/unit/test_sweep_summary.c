/* test_sweep_summary.c: the ranked summary of sweep lines, on hand-made
 * lines whose answers are worked out in the comments: ranking order
 * (ties to the earlier position, nulls never ranked, error lines counted
 * apart), the top lines kept whole, the trials' Sharpe variance and the
 * numbers handed to the deflated Sharpe ratio, CSCV fed with the lines'
 * block sums, the neighbours and profiles around the best point, the
 * heatmap's layout, and --rank parsing. */
#include "slab_test.h"
#include "stratlab/overfit.h"
#include "stratlab/sweep.h"
#include "stratlab/sweep_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One line of a fast x slow grid. m: the metric (NAN -> null); sr: the
 * daily Sharpe; blocks: 4 blocks of sums (sumsq = sum^2 / 2 + 1e-4). */
static void add(slab_sweep_summary *s, int index, int fast, int slow, double m, double sr,
                const double blocks[4])
{
    char line[2048], metric[64], bl[512] = "";
    slab_error err;
    if (isnan(m))
        snprintf(metric, sizeof metric, "null");
    else
        snprintf(metric, sizeof metric, "%.17g", m);
    for (int b = 0; b < 4; b++)
        snprintf(bl + strlen(bl), sizeof bl - strlen(bl), "%s%.17g,%.17g", b ? "," : "",
                 blocks[b], blocks[b] * blocks[b] / 2 + 1e-4);
    snprintf(line, sizeof line,
             "{\"params\":{\"fast\":%d,\"slow\":%d},\"metrics\":{\"sharpe_ratio\":%s,"
             "\"num_trades\":3},\"run_id\":\"x\",\"daily\":{\"days\":8,\"sharpe\":%.17g,"
             "\"skew\":0.5,\"kurtosis\":4,\"blocks\":[%s]},\"sweep\":{\"id\":\"a\",\"index\":%d,"
             "\"of\":9,\"engine\":\"0\",\"data\":\"d\"}}",
             fast, slow, metric, sr, bl, index);
    if (slab_sweep_summary_add(s, line, strlen(line), &err) != SLAB_OK)
        fail_msg("add: %s", err.msg);
}

static double jget(json_t *o, const char *path)
{
    char buf[256], *save = NULL;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *k = strtok_r(buf, ".", &save); k; k = strtok_r(NULL, ".", &save))
        o = json_object_get(o, k);
    return json_is_number(o) ? json_number_value(o) : NAN;
}

/* A 3 x 3 grid, fast {5,10,20} x slow {50,100,200}, metric by hand:
 *            slow=50  slow=100  slow=200
 *   fast=5     0.1      0.4       0.2
 *   fast=10    0.3      0.9       0.5      <- best (10, 100)
 *   fast=20    null     0.6       0.9 (ties 0.9; later position, ranks second)
 * Lines arrive in an order other than the grid's (a merge may not). */
static const struct { int fast, slow; double m, sr; } grid[9] = {
    {5, 50, 0.1, 0.01},  {5, 100, 0.4, 0.02},  {5, 200, 0.2, 0.03},
    {10, 50, 0.3, 0.04}, {10, 100, 0.9, 0.05}, {10, 200, 0.5, 0.06},
    {20, 50, NAN, 0.07}, {20, 100, 0.6, 0.08}, {20, 200, 0.9, 0.09},
};

static void test_ranking(void **state)
{
    (void)state;
    slab_error err;
    double bl[4] = {0.01, -0.02, 0.03, 0.0};
    slab_sweep_summary *s = slab_sweep_summary_new("sharpe_ratio", 1, 3);
    static const int order[9] = {4, 0, 8, 2, 6, 1, 3, 5, 7};
    for (int k = 0; k < 9; k++) {
        int i = order[k];
        add(s, i, grid[i].fast, grid[i].slow, grid[i].m, grid[i].sr, bl);
    }
    /* an error line: counted as failed, not as a trial */
    const char *bad = "{\"params\":{\"fast\":30,\"slow\":30},\"metrics\":null,\"run_id\":null,"
                      "\"error\":\"no\",\"sweep\":{\"id\":\"a\",\"index\":9,\"of\":10,"
                      "\"engine\":\"0\",\"data\":\"d\"}}";
    assert_int_equal(slab_sweep_summary_add(s, bad, strlen(bad), &err), SLAB_OK);
    json_t *o = slab_sweep_summary_json(s, NULL, NULL, &err);
    assert_non_null(o);
    assert_true(jget(o, "trials") == 9);
    assert_true(jget(o, "failed") == 1);
    assert_true(jget(o, "ranked") == 8);
    json_t *top = json_object_get(o, "top");
    assert_int_equal(json_array_size(top), 3);
    /* best first: (10,100) 0.9 at position 4, (20,200) 0.9 at 8, (20,100) 0.6 */
    assert_true(jget(json_array_get(top, 0), "sweep.index") == 4);
    assert_true(jget(json_array_get(top, 1), "sweep.index") == 8);
    assert_true(jget(json_array_get(top, 2), "sweep.index") == 7);
    /* the lines are kept whole */
    assert_true(jget(json_array_get(top, 0), "metrics.num_trades") == 3);

    /* DSR inputs: the best's daily Sharpe 0.05 over 8 days, skew 0.5,
     * kurtosis 4; 9 trials whose Sharpes 0.01..0.09 have sample variance
     * sum((k - 5)^2) * 1e-4 / 8 = 60e-4 / 8 = 7.5e-4. */
    json_t *d = json_object_get(json_object_get(o, "overfitting"), "deflated_sharpe");
    slab_test_expect_close("variance", 0, jget(d, "sharpe_variance"), 7.5e-4, 1e-12, 0.0);
    assert_true(jget(d, "sharpe") == 0.05 && jget(d, "days") == 8 && jget(d, "trials") == 9);
    slab_dsr want = {0.05, 0, 8, 0.5, 4, 9, 7.5e-4, 0};
    slab_dsr_compute(&want);
    slab_test_expect_close("dsr", 0, jget(d, "dsr"), want.dsr, 1e-12, 0.0);
    slab_test_expect_close("sr0", 0, jget(d, "sr0"), want.sr0, 1e-12, 0.0);

    /* Stability at (10,100): neighbours (5,100) 0.4, (20,100) 0.6, (10,50)
     * 0.3, (10,200) 0.5: mean 0.45, min 0.3, max 0.6, ratio 0.5. */
    json_t *st = json_object_get(json_object_get(o, "overfitting"), "stability");
    assert_true(jget(st, "neighbors") == 4);
    slab_test_expect_close("mean", 0, jget(st, "neighbor_mean"), 0.45, 1e-15, 0.0);
    assert_true(jget(st, "neighbor_min") == 0.3 && jget(st, "neighbor_max") == 0.6);
    slab_test_expect_close("ratio", 0, jget(st, "ratio"), 0.5, 1e-15, 0.0);
    /* the profile along slow through fast=10: 0.3, 0.9, 0.5 */
    char *prof = json_dumps(json_object_get(json_object_get(st, "profiles"), "slow"),
                            JSON_COMPACT);
    assert_string_equal(prof, "[[50,0.29999999999999999],[100,0.90000000000000002],"
                              "[200,0.5]]");
    free(prof);

    /* The heatmap: x = fast, y = slow, z[y][x], the null cell null. */
    json_t *h = json_object_get(o, "heatmap");
    char *z = json_dumps(json_object_get(h, "z"), JSON_COMPACT | JSON_REAL_PRECISION(3));
    assert_string_equal(z, "[[0.1,0.3,null],[0.4,0.9,0.6],[0.2,0.5,0.9]]");
    free(z);
    assert_string_equal(json_string_value(json_object_get(h, "x")), "fast");
    /* asked the other way round */
    json_decref(o);
    o = slab_sweep_summary_json(s, "slow", "fast", &err);
    z = json_dumps(json_object_get(json_object_get(o, "heatmap"), "z"),
                   JSON_COMPACT | JSON_REAL_PRECISION(3));
    assert_string_equal(z, "[[0.1,0.4,0.2],[0.3,0.9,0.5],[null,0.6,0.9]]");
    free(z);

    /* PBO: the same as CSCV over the lines' blocks (9 equal trials here:
     * every split ties, the in-sample best is trial 0, rank (9+1)/2 = 5,
     * w = 0.5, logit 0: PBO = 1). */
    json_t *p = json_object_get(json_object_get(o, "overfitting"), "pbo");
    assert_true(jget(p, "pbo") == 1.0 && jget(p, "splits") == 6 && jget(p, "blocks") == 4);
    json_decref(o);
    slab_sweep_summary_free(s);
}

/* Lower is better: the minimum ranks first; a metric missing everywhere
 * is said so. */
static void test_min_and_nulls(void **state)
{
    (void)state;
    slab_error err;
    double bl[4] = {0.01, 0.02, -0.01, 0.0};
    slab_sweep_summary *s = slab_sweep_summary_new("sharpe_ratio", 0, 2);
    for (int i = 0; i < 9; i++)
        add(s, i, grid[i].fast, grid[i].slow, grid[i].m, grid[i].sr, bl);
    json_t *o = slab_sweep_summary_json(s, NULL, NULL, &err);
    json_t *top = json_object_get(o, "top");
    assert_true(jget(json_array_get(top, 0), "sweep.index") == 0); /* 0.1 */
    assert_true(jget(json_array_get(top, 1), "sweep.index") == 2); /* 0.2 */
    json_decref(o);
    slab_sweep_summary_free(s);

    s = slab_sweep_summary_new("sharpe_ratio", 1, 2);
    for (int i = 0; i < 3; i++)
        add(s, i, 5, 50 + i, NAN, 0.0, bl);
    o = slab_sweep_summary_json(s, NULL, NULL, &err);
    assert_int_equal(json_array_size(json_object_get(o, "top")), 0);
    json_t *d = json_object_get(json_object_get(o, "overfitting"), "deflated_sharpe");
    assert_string_equal(json_string_value(json_object_get(d, "why")),
                        "no trial has a value for sharpe_ratio (null in every line)");
    json_decref(o);
    slab_sweep_summary_free(s);

    /* a metric the lines do not have */
    s = slab_sweep_summary_new("sqn", 1, 2);
    char line[] = "{\"params\":{\"fast\":5},\"metrics\":{\"sharpe_ratio\":1},\"run_id\":\"x\","
                  "\"daily\":{\"days\":0,\"blocks\":[]},\"sweep\":{\"id\":\"a\",\"index\":0,"
                  "\"of\":1,\"engine\":\"0\",\"data\":\"d\"}}";
    assert_int_equal(slab_sweep_summary_add(s, line, strlen(line), &err), SLAB_ENOTFOUND);
    assert_string_equal(err.msg, "the lines have no metric 'sqn'");
    assert_int_equal(slab_sweep_summary_add(s, "nope", 4, &err), SLAB_EPARSE);
    slab_sweep_summary_free(s);
}

static void test_rank_parse(void **state)
{
    (void)state;
    char m[64];
    int desc;
    slab_error err;
    assert_int_equal(slab_sweep_rank_parse("sharpe_ratio", m, &desc, &err), SLAB_OK);
    assert_string_equal(m, "sharpe_ratio");
    assert_true(desc);
    assert_int_equal(slab_sweep_rank_parse("max_drawdown_pct", m, &desc, &err), SLAB_OK);
    assert_false(desc);
    assert_int_equal(slab_sweep_rank_parse("max_drawdown_pct:max", m, &desc, &err), SLAB_OK);
    assert_true(desc);
    assert_int_equal(slab_sweep_rank_parse("total_return:min", m, &desc, &err), SLAB_OK);
    assert_false(desc);
    assert_int_not_equal(slab_sweep_rank_parse("sharpe", m, &desc, &err), SLAB_OK);
    assert_non_null(strstr(err.msg, "unknown metric 'sharpe'; rank by one of: final_value, "
                                    "total_return, sharpe_ratio,"));
    assert_int_not_equal(slab_sweep_rank_parse("conventions", m, &desc, &err), SLAB_OK);
    assert_int_not_equal(slab_sweep_rank_parse("sqn:best", m, &desc, &err), SLAB_OK);
    assert_string_equal(err.msg, "'sqn:best': after the metric give :max (higher is better) or "
                                 ":min");
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

/* The report draws what the summary says: 9 heatmap cells (one without a
 * value, grey), the best cell (fast 10, slow 100) outlined, 10 histogram
 * bars, a profile per axis, the top table; in English and in Chinese. */
static void test_report(void **state)
{
    (void)state;
    slab_error err;
    double bl[4] = {0.01, -0.02, 0.03, 0.0};
    slab_sweep_summary *s = slab_sweep_summary_new("sharpe_ratio", 1, 3);
    for (int i = 0; i < 9; i++)
        add(s, i, grid[i].fast, grid[i].slow, grid[i].m, grid[i].sr, bl);
    json_t *o = slab_sweep_summary_json(s, NULL, NULL, &err);
    char *html = NULL;
    size_t len = 0;
    assert_int_equal(slab_sweep_report_html(o, SLAB_LANG_EN, &html, &len, &err), SLAB_OK);
    assert_int_equal(strlen(html), len);
    assert_non_null(strstr(html, "<title>Parameter sweep: sharpe_ratio</title>"));
    assert_int_equal(count(html, "fill=\"#dddddd\""), 1);  /* the null cell */
    assert_int_equal(count(html, "stroke=\"#000\""), 1);   /* the best point */
    /* best at x index 1 (fast 10), y index 1 (slow 100): cells 40 wide, 32 high */
    assert_non_null(strstr(html, "<rect x=\"130\" y=\"52\" width=\"40\" height=\"32\" "
                                 "fill=\"none\" stroke=\"#000\""));
    assert_non_null(strstr(html, "fast=10 slow=100: 0.9000"));
    assert_int_equal(count(html, "<polyline"), 2);          /* profiles of fast and slow */
    assert_non_null(strstr(html, "probability of backtest overfitting 1.000"));
    assert_non_null(strstr(html, "<td>10</td><td>100</td><td>0.9000</td>"));
    slab_free(html);
    assert_int_equal(slab_sweep_report_html(o, SLAB_LANG_ZH, &html, &len, &err), SLAB_OK);
    assert_non_null(strstr(html, "<html lang=\"zh\">"));
    assert_non_null(strstr(html, "回测过拟合概率"));
    slab_free(html);
    json_t *bad = json_object();
    assert_int_equal(slab_sweep_report_html(bad, SLAB_LANG_EN, &html, &len, &err), SLAB_EINVAL);
    json_decref(bad);
    json_decref(o);
    slab_sweep_summary_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranking),
        cmocka_unit_test(test_min_and_nulls),
        cmocka_unit_test(test_rank_parse),
        cmocka_unit_test(test_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
