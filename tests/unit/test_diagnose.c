/* test_diagnose.c: seed 001's Phase 5 diagnosis, Phase 5.5 zero-trade
 * triage and Phase 6 table, and the documented JSON shapes.
 *   - The status (match / partial_match / mismatch) and each deviation on
 *     result documents made by hand, with the thresholds from the defaults,
 *     the spec and the options; the arithmetic is written beside each case.
 *   - A zero-trade run: the triage names the condition that never held and
 *     how close it came, checked against the lowest RSI computed here.
 *   - The Chinese and English texts carry seed 001's words.
 *   - ValidationResult, DiagnosisReport and BacktestMetrics round-trip:
 *     reading back what was written and writing it again gives the same
 *     document. */
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/diagnose.h"
#include "stratlab/engine.h"
#include "stratlab/ind.h"
#include "stratlab/result.h"
#include "stratlab/spec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static slab_spec *spec_with(const char *expected)
{
    char text[2048];
    slab_diags d;
    slab_spec *s = NULL;
    snprintf(text, sizeof text,
             "{\"strategy_name\": \"t\", \"data\": {\"symbols\": [\"ORCL\"]},"
             " \"execution_plan\": [{\"trigger\": \"close > open\", \"action\": \"buy\"},"
             " {\"trigger\": \"close < open\", \"action\": \"sell\"}]%s%s}",
             expected ? ", \"expected_performance\": " : "", expected ? expected : "");
    slab_diags_init(&d);
    if (slab_spec_compile(text, strlen(text), &s, &d) != SLAB_OK)
        fail_msg("spec: %s", d.n ? d.items[0].message : "?");
    slab_diags_clear(&d);
    return s;
}

/* A result document with the metrics a diagnosis reads. */
static json_t *result_doc(double sharpe, double rnorm100, double dd_pct, double total_pct,
                          long trades)
{
    json_t *doc = json_pack("{s:{s:s, s:[s], s:s, s:s, s:I, s:s, s:{s:f, s:f}},"
                            " s:{s:f, s:f, s:f, s:f, s:f, s:I, s:I, s:f, s:f, s:f}}",
                            "backtest", "strategy", "t", "symbols", "ORCL", "from", "2000-01-03",
                            "to", "2009-12-31", "bars", (json_int_t)2515, "data_source",
                            "orcl.csv", "config", "cash", 100000.0, "commission", 0.001, "metrics",
                            "sharpe_ratio", sharpe, "sharpe_ratio_daily_annualized", 0.7,
                            "normalized_annual_return", rnorm100, "max_drawdown_pct", dd_pct,
                            "total_return", total_pct, "num_trades", (json_int_t)trades,
                            "open_trades", (json_int_t)0, "win_rate", 50.0, "sqn", 1.5,
                            "final_value", 100000.0 * (1 + total_pct / 100));
    assert_non_null(doc);
    return doc;
}

static json_t *diagnose(json_t *doc, const slab_spec *s, const slab_diag_options *opt)
{
    slab_error err;
    json_t *rep = slab_diagnose_json(doc, s, opt, &err);
    if (!rep)
        fail_msg("diagnose: %s", err.msg);
    return rep;
}

static const char *status(json_t *rep) { return json_string_value(json_object_get(rep, "status")); }

static json_t *dev(json_t *rep, const char *metric)
{
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(rep, "deviations"), i, d) if (
        !strcmp(json_string_value(json_object_get(d, "metric")), metric)) return d;
    return NULL;
}

static void status_and_deviations(void **state)
{
    (void)state;
    slab_diag_options opt;
    slab_diag_options_default(&opt);
    slab_spec *s = spec_with("{\"sharpe\": 1.0, \"annual_return\": 0.10, \"max_drawdown\": 0.20}");
    /* Sharpe 1.1: (1.1 - 1.0)/1.0 = +10% <= 20%; annual 9%: (0.09 - 0.10)/0.10 =
     * -10%; drawdown 25%: 0.25 - 0.20 = +5 points <= 10. Every one within. */
    json_t *doc = result_doc(1.1, 9.0, 25.0, 150.0, 40), *rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "match");
    slab_test_expect_close("sharpe deviation", 0, json_number_value(json_object_get(dev(rep, "sharpe"), "deviation")), 0.1, 1e-12, 1e-12);
    slab_test_expect_close("annual deviation", 0, json_number_value(json_object_get(dev(rep, "annual_return"), "deviation")), -0.1, 1e-12, 1e-12);
    slab_test_expect_close("drawdown deviation", 0, json_number_value(json_object_get(dev(rep, "max_drawdown"), "deviation")), 0.05, 1e-12, 1e-12);
    assert_string_equal(json_string_value(json_object_get(dev(rep, "max_drawdown"), "kind")), "absolute");
    json_decref(rep);
    json_decref(doc);
    /* Sharpe 1.5: +50% > 20%, the other two within: partial. */
    doc = result_doc(1.5, 9.0, 25.0, 150.0, 40);
    rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "partial_match");
    assert_false(json_is_true(json_object_get(dev(rep, "sharpe"), "within")));
    json_decref(rep);
    /* The same with a Sharpe threshold of 60% from the options: match. */
    opt.tol[SLAB_DX_SHARPE] = 0.6;
    opt.tol_given[SLAB_DX_SHARPE] = 1;
    rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "match");
    json_decref(rep);
    json_decref(doc);
    slab_diag_options_default(&opt);
    /* Sharpe -0.5 (-150%), annual 2% (-80%), drawdown 45% (+25 points): none within. */
    doc = result_doc(-0.5, 2.0, 45.0, 20.0, 40);
    rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "mismatch");
    /* The opposite sign is the strongest clue. */
    json_t *top = json_array_get(json_object_get(rep, "likely_causes"), 0);
    assert_string_equal(json_string_value(json_object_get(top, "cause")), "signal_logic");
    json_decref(rep);
    json_decref(doc);
    /* Everything within but no trade: mismatch, with a triage. */
    doc = result_doc(1.0, 10.0, 20.0, 0.0, 0);
    rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "mismatch");
    assert_true(json_is_true(json_object_get(rep, "zero_trades")));
    assert_non_null(json_object_get(rep, "triage"));
    json_decref(rep);
    json_decref(doc);
    slab_spec_free(s);
    /* Thresholds from the spec: drawdown 0.03 points; 25% vs 20% is out. */
    s = spec_with("{\"max_drawdown\": 0.20, \"thresholds\": {\"max_drawdown\": 0.03}}");
    doc = result_doc(1.1, 9.0, 25.0, 150.0, 40);
    rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "mismatch");
    slab_test_expect_close("threshold", 0, json_number_value(json_object_get(json_object_get(rep, "thresholds"), "max_drawdown")), 0.03, 0, 0);
    json_decref(rep);
    json_decref(doc);
    slab_spec_free(s);
    /* No expected_performance: only the trade count is judged. */
    s = spec_with(NULL);
    doc = result_doc(1.1, 9.0, 25.0, 150.0, 40);
    rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "match");
    assert_int_equal(json_array_size(json_object_get(rep, "deviations")), 0);
    json_decref(rep);
    json_decref(doc);
    slab_spec_free(s);
    /* A yearly Sharpe that is undefined (one year) falls back to the daily
     * annualized one, and says so. */
    s = spec_with("{\"sharpe\": 0.7}");
    doc = result_doc(0.0, 9.0, 25.0, 150.0, 40); /* JSON has no NaN: set to null below */
    json_object_set_new(json_object_get(doc, "metrics"), "sharpe_ratio", json_null());
    rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "match");
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(rep, "conventions"), "sharpe")), "daily"));
    json_decref(rep);
    json_decref(doc);
    slab_spec_free(s);
}

static void texts_in_both_languages(void **state)
{
    (void)state;
    slab_diag_options opt;
    slab_diag_options_default(&opt);
    slab_spec *s = spec_with("{\"sharpe\": 1.0, \"annual_return\": 0.10, \"max_drawdown\": 0.20}");
    json_t *doc = result_doc(1.5, 9.0, 25.0, 150.0, 40), *rep = diagnose(doc, s, &opt);
    char *zh = slab_diagnosis_text(rep, SLAB_LANG_ZH), *en = slab_diagnosis_text(rep, SLAB_LANG_EN);
    static const char *const zh_words[] = {"策略", "数据", "初始资金", "指标", "回测结果", "论文预期",
                                           "偏差", "总收益率", "年化收益", "夏普比率", "最大回撤",
                                           "总交易数", "胜率", "SQN", "最终资产", "部分匹配"};
    for (size_t k = 0; k < sizeof zh_words / sizeof zh_words[0]; k++)
        if (!strstr(zh, zh_words[k]))
            fail_msg("the Chinese text lacks %s:\n%s", zh_words[k], zh);
    assert_non_null(strstr(en, "partial match"));
    assert_non_null(strstr(en, "| Sharpe ratio | 1.5000 | 1 | +50.0% ✗ |"));
    assert_non_null(strstr(en, "Initial cash: 100,000"));
    json_t *text = json_object_get(json_object_get(rep, "table"), "text");
    assert_non_null(strstr(json_string_value(json_object_get(text, "zh")), "论文预期"));
    assert_string_equal(json_string_value(json_object_get(rep, "status_text")), "partial match");
    slab_free(zh);
    slab_free(en);
    json_decref(rep);
    opt.lang = SLAB_LANG_ZH;
    rep = diagnose(doc, s, &opt);
    assert_string_equal(json_string_value(json_object_get(rep, "status_text")), "部分匹配");
    json_decref(rep);
    json_decref(doc);
    slab_spec_free(s);
}

static void zero_trade_triage(void **state)
{
    (void)state;
    slab_bars *bars = NULL;
    slab_error err;
    assert_int_equal(slab_sample_generate(7, 800, SLAB_TF_DAYS, 1, slab_days_from_civil(2010, 1, 4),
                                          &bars, &err),
                     SLAB_OK);
    const char *text = "{\"strategy_name\": \"too strict\", \"indicators\": [{\"name\": \"rsi\", "
                       "\"formula\": \"RSI(close, 14)\"}], \"execution_plan\": [{\"trigger\": "
                       "\"rsi < 5\", \"action\": \"buy\"}, {\"trigger\": \"rsi > 70\", \"action\": "
                       "\"sell\"}], \"expected_performance\": {\"sharpe\": 1.0}}";
    slab_diags d;
    slab_spec *s = NULL;
    slab_spec_run *sr = NULL;
    slab_run *run = NULL;
    slab_diags_init(&d);
    assert_int_equal(slab_spec_compile(text, strlen(text), &s, &d), SLAB_OK);
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000;
    cfg.broker.commission = 0.001;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95;
    cfg.stop_after_bar = -1;
    assert_int_equal(slab_spec_run_new(s, &sr, &err), SLAB_OK);
    slab_spec_run_setup(sr, &cfg);
    assert_int_equal(slab_engine_run(bars, &cfg, &run, &err), SLAB_OK);
    slab_result_info info = {"too strict", "spec", NULL, NULL, &cfg.broker, 0.0, 0, -1, 0, 0};
    json_t *doc = slab_result_json(bars, run, &info, &err);
    assert_non_null(doc);
    json_object_set_new(doc, "spec", slab_spec_run_json(sr, bars));
    slab_diag_options opt;
    slab_diag_options_default(&opt);
    json_t *rep = diagnose(doc, s, &opt);
    assert_string_equal(status(rep), "mismatch");
    /* The lowest RSI over the bars the rules ran on, computed here: the
     * closest the condition rsi < 5 came is that minimum minus 5. */
    const slab_ind_def *def = slab_ind_find("RSI_BT", &err);
    double *rsi = malloc(bars->n * sizeof *rsi), p = 14, lo = INFINITY;
    const double *in[1] = {bars->close};
    double *out[1] = {rsi};
    assert_int_equal(def->fn(in, bars->n, &p, out, &err), SLAB_OK);
    for (size_t i = 14; i < bars->n; i++)
        lo = fmin(lo, rsi[i]);
    json_t *cond = json_array_get(json_object_get(json_array_get(json_object_get(json_object_get(doc, "spec"), "rules"), 0), "conditions"), 0);
    assert_int_equal(json_integer_value(json_object_get(cond, "bars_true")), 0);
    double gap = json_number_value(json_object_get(json_object_get(cond, "closest"), "gap"));
    slab_test_expect_close("closest gap", 0, gap, lo - 5.0, 1e-12, 1e-12);
    char *en = slab_diagnosis_text(rep, SLAB_LANG_EN);
    char want[200];
    snprintf(want, sizeof want, "condition `rsi < 5` never held; closest on");
    if (!strstr(en, want) || !strstr(en, "the buy rule's trigger `rsi < 5` never held in 786 bars"))
        fail_msg("triage text:\n%s", en);
    print_message("lowest RSI %.4f: the triage says rsi < 5 missed by %.4f\n", lo, gap);
    slab_free(en);
    free(rsi);
    json_decref(rep);
    json_decref(doc);
    slab_run_free(run);
    slab_spec_run_free(sr);
    slab_spec_free(s);
    slab_diags_clear(&d);
    slab_bars_free(bars);
}

static void models_round_trip(void **state)
{
    (void)state;
    slab_error err;
    /* ValidationResult */
    const char *bad = "{\"strategy_name\": \"t\", \"colour\": 1, \"execution_plan\": [{\"trigger\": \"clsoe > 1\", \"action\": \"buy\"}]}";
    slab_diags d, back;
    slab_spec *s = NULL;
    slab_diags_init(&d);
    slab_diags_init(&back);
    assert_int_equal(slab_spec_compile(bad, strlen(bad), &s, &d), SLAB_EINVAL);
    json_t *v1 = slab_diags_json(&d);
    assert_int_equal(slab_diags_from_json(v1, &back, &err), SLAB_OK);
    json_t *v2 = slab_diags_json(&back);
    assert_true(json_equal(v1, v2));
    assert_false(json_is_true(json_object_get(v1, "valid")));
    assert_int_equal(json_array_size(json_object_get(v1, "errors")), 1);
    assert_int_equal(json_array_size(json_object_get(v1, "warnings")), 1);
    json_decref(v1);
    json_decref(v2);
    slab_diags_clear(&d);
    slab_diags_clear(&back);
    /* DiagnosisReport */
    slab_diag_options opt;
    slab_diag_options_default(&opt);
    s = spec_with("{\"sharpe\": 1.0, \"annual_return\": 0.10}");
    json_t *doc = result_doc(1.5, 9.0, 25.0, 150.0, 40), *rep = diagnose(doc, s, &opt);
    char *t1 = json_dumps(rep, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    json_t *read = json_loads(t1, 0, NULL), *again = slab_diagnosis_from_json(read, &err);
    assert_non_null(again);
    char *t2 = json_dumps(again, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    json_decref(read);
    json_decref(again);
    json_object_del(rep, "status");
    assert_null(slab_diagnosis_from_json(rep, &err)); /* a required key is missing */
    json_decref(rep);
    /* BacktestMetrics */
    json_t *m = slab_backtest_metrics_json(doc, &err);
    assert_non_null(m);
    slab_test_expect_close("total_return", 0, json_number_value(json_object_get(m, "total_return")), 1.5, 1e-15, 0);
    slab_test_expect_close("max_drawdown", 0, json_number_value(json_object_get(m, "max_drawdown")), 0.25, 1e-15, 0);
    t1 = json_dumps(m, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    read = json_loads(t1, 0, NULL);
    assert_true(json_equal(m, read));
    free(t1);
    json_decref(read);
    json_decref(m);
    json_decref(doc);
    slab_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_and_deviations),
        cmocka_unit_test(texts_in_both_languages),
        cmocka_unit_test(zero_trade_triage),
        cmocka_unit_test(models_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
