/* test_headline.c: the headline metrics a sweep computes for every run
 * (slab_headline_compute with a shared period plan, slab_max_drawdown_pct)
 * are the same bits as the full analyzers object: checked on engine runs
 * over daily and 5-minute sample bars, and the one-division drawdown on
 * adversarial value series (flat runs, ties, new peaks every bar, zeros,
 * negatives, NaN, inf); the span form (slab_headline_compute_spans)
 * against it on records that change only inside random spans. */
#include "slab_test.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/json.h"
#include "stratlab/metrics.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"
#include "metrics/metrics_int.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The same bits, or both NaN. */
static int same(double a, double b) { return (isnan(a) && isnan(b)) || !memcmp(&a, &b, 8); }

static uint64_t rng = 12345;
static double uniform(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static void test_max_drawdown(void **state)
{
    (void)state;
    enum { N = 500 };
    double v[N];
    for (int shape = 0; shape < 12; shape++)
        for (int rep = 0; rep < 200; rep++) {
            double x = 100.0;
            for (int i = 0; i < N; i++) {
                double u = uniform();
                switch (shape) {
                case 0: x *= 1.0 + (u - 0.5) * 0.02; break;          /* random walk */
                case 1: x = u < 0.3 ? x : x * (1.0 + (u - 0.6) * 0.01); break; /* flat runs */
                case 2: x += 1.0; break;                              /* a new peak every bar */
                case 3: x -= 0.1; break;                              /* one peak */
                case 4: x = floor(u * 4.0) + 1.0; break;              /* ties */
                case 5: x = u < 0.01 ? 0.0 : 50.0 + u; break;         /* zeros */
                case 6: x = u - 0.7; break;                           /* negatives */
                case 7: x = u < 0.005 ? NAN : 10.0 + u; break;        /* NaN */
                case 8: x = i == 250 ? INFINITY : 10.0 + u; break;    /* inf */
                case 9: x = 1e300 * (1.0 + u); break;                 /* huge */
                case 10: x = 1e-300 * (1.0 + u); break;               /* tiny */
                default: x = i < 5 ? NAN : 5.0 + u; break;            /* leading NaN */
                }
                v[i] = x;
            }
            slab_equity eq = {0};
            slab_drawdown_result r;
            eq.n = N;
            eq.value = v;
            slab_drawdown(&eq, &r);
            double fast = slab_max_drawdown_pct(v, N);
            if (!same(fast, r.max_drawdown))
                fail_msg("shape %d rep %d: fast %.17g, slab_drawdown %.17g", shape, rep, fast,
                         r.max_drawdown);
        }
}

/* slab_result_metrics_text's bytes are those of the tree's compact text. */
static void check_metrics_text(const slab_run *run, const slab_headline *h)
{
    json_t *m = slab_result_metrics(run, h);
    char *want = slab_json_dumps(m, JSON_COMPACT);
    slab_json_text t = {0};
    slab_json_text_raw(&t, "x", 1); /* appended after what is there */
    assert_int_equal(slab_result_metrics_text(run, h, &t), 0);
    assert_false(t.failed);
    assert_non_null(want);
    if (t.n != strlen(want) + 1 || strcmp(t.s + 1, want) || t.s[0] != 'x')
        fail_msg("metrics text differs\ntext: %s\ntree: %s", t.s, want);
    slab_free(t.s);
    slab_free(want);
    json_decref(m);
}

/* The metrics text against the tree on made-up runs and headlines: every
 * value kind (None flags, NaN and inf where a key is left out or null, no
 * trades, one, won and lost, an open one, SQN's int 0). */
static void test_metrics_text(void **state)
{
    (void)state;
    slab_trade tr[4];
    memset(tr, 0, sizeof tr);
    tr[0].pnlcomm = 12.5;
    tr[1].pnlcomm = -3.25;
    tr[2].pnlcomm = 0.0;
    tr[3].pnlcomm = 7.0;
    tr[3].is_open = 1;
    static const double odd[] = {0.0, -0.0, 1.0, 0.1, -123.456, 1e300, 5e-324, NAN, INFINITY,
                                 -INFINITY};
    size_t n_odd = sizeof odd / sizeof odd[0];
    for (size_t k = 0; k < 200; k++) {
        slab_run run;
        slab_headline h;
        memset(&run, 0, sizeof run);
        memset(&h, 0, sizeof h);
        run.trades = tr;
        run.n_trades = k % 5;
        run.start_value = k % 7 == 0 ? 0.0 : 100000.0; /* 0: inf and NaN returns */
        run.final_value = odd[k % n_odd] + 100000.0 * (k % 2);
        h.sharpe = odd[(k + 1) % n_odd];
        h.sharpe_none = k % 3 == 0;
        h.sharpe_days = odd[(k + 2) % n_odd];
        h.sharpe_days_none = k % 4 == 0;
        h.sharpe_fit = odd[(k + 3) % n_odd];
        h.sharpe_fit_none = k % 5 == 1;
        h.max_drawdown = odd[(k + 4) % n_odd];
        h.annual_return_pct = odd[(k + 5) % n_odd];
        h.periods_per_year = odd[(k + 6) % n_odd];
        h.sqn.trades = k % 4;
        h.sqn.is_none = k % 6 == 0;
        h.sqn.sqn = odd[(k + 7) % n_odd];
        check_metrics_text(&run, &h);
    }
}

/* Runs def with kv on bars; compares headline and metrics with the doc. */
static void check_run(const slab_bars *bars, const slab_period_plan *plan, const char *name,
                      const char *const *kv, size_t n_kv)
{
    slab_error err;
    const slab_strategy_def *def = slab_strategy_find(name, &err);
    double params[16];
    slab_run *run = NULL;
    slab_run_config cfg;
    assert_non_null(def);
    assert_int_equal(slab_strategy_resolve_params(def, kv, n_kv, params, &err), SLAB_OK);
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000;
    cfg.broker.commission = 0.001;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95;
    cfg.strategy = def;
    cfg.params = params;
    cfg.stop_after_bar = -1;
    cfg.skip_cash_curve = 1;
    if (slab_engine_run(bars, &cfg, &run, &err) != SLAB_OK)
        fail_msg("%s: %s", name, err.msg);
    slab_result_info info = {def->name, "builtin", def, params, &cfg.broker, 0.0, 0, 0, 0, 0};
    json_t *doc = slab_result_json(bars, run, &info, &err);
    assert_non_null(doc);
    slab_equity eq = slab_run_equity(run);
    slab_headline h;
    assert_int_equal(slab_headline_compute(&eq, run->trades, run->n_trades, plan, &h, &err),
                     SLAB_OK);
    json_t *an = json_object_get(doc, "analyzers");
    json_t *s = json_object_get(json_object_get(an, "sharperatio"), "sharperatio");
    json_t *sd = json_object_get(json_object_get(an, "sharpe_a_days"), "sharperatio");
    json_t *dd = json_object_get(json_object_get(json_object_get(an, "drawdown"), "max"), "drawdown");
    json_t *rn = json_object_get(json_object_get(an, "returns"), "rnorm100");
    assert_true(h.sharpe_none ? json_is_null(s) : same(h.sharpe, json_real_value(s)));
    assert_true(h.sharpe_days_none ? json_is_null(sd) : same(h.sharpe_days, json_real_value(sd)));
    assert_true(same(h.max_drawdown, json_number_value(dd)));
    assert_true(same(h.returns.rnorm100, json_real_value(rn)));
    /* the metrics object built from the headline equals the document's */
    json_t *m = slab_result_metrics(run, &h);
    assert_true(json_equal(m, json_object_get(doc, "metrics")));
    /* its text written without the tree is the tree's text */
    check_metrics_text(run, &h);
    /* and the run id the sweep computes is the document's */
    char id[17];
    assert_int_equal(slab_result_run_id(bars, run, &info, id, &err), SLAB_OK);
    json_t *bt = json_object_get(doc, "backtest");
    assert_string_equal(id, json_string_value(json_object_get(bt, "run_id")));
    /* and it is what a run id has always been (result.c run_id_of): the
     * first 16 hex digits of SHA-256("data_sha256|strategy|config|bars|
     * timeframe"), the config as jansson itself prints it, sorted keys,
     * compact, reals with 17 digits. Made here from the document's config
     * by jansson, so the writer that prints it now (SLAB_JSON_REAL17)
     * cannot change an id unnoticed. */
    char *cfgtxt = json_dumps(json_object_get(bt, "config"), JSON_SORT_KEYS | JSON_COMPACT);
    char seed[4096], hex[65];
    snprintf(seed, sizeof seed, "%s|%s|%s|%zu|%s", bars->sha256, def->name, cfgtxt, run->n_bars,
             json_string_value(json_object_get(bt, "timeframe")));
    free(cfgtxt);
    slab_sha256_mem(seed, strlen(seed), hex);
    hex[16] = '\0';
    assert_string_equal(id, hex);
    /* the daily returns are TimeReturn(Days) */
    size_t nd = slab_period_plan_days(plan);
    double *r = malloc(nd * sizeof *r);
    assert_int_equal(slab_daily_returns(&eq, plan, r, &err), SLAB_OK);
    slab_period_returns tr;
    assert_int_equal(slab_timereturn(&eq, SLAB_TF_DAYS, 1, &tr, &err), SLAB_OK);
    assert_int_equal(tr.n, nd);
    for (size_t k = 0; k < nd; k++)
        assert_true(same(r[k], tr.ret[k]));
    slab_period_returns_clear(&tr);
    free(r);
    json_decref(m);
    json_decref(doc);
    slab_run_free(run);
}

static void on_bars(slab_timeframe tf, int comp, size_t n)
{
    slab_bars *bars = NULL;
    slab_error err;
    slab_period_plan *plan = NULL;
    assert_int_equal(slab_sample_generate(7, n, tf, comp, slab_days_from_civil(2012, 1, 2), &bars,
                                          &err),
                     SLAB_OK);
    slab_equity shape = {bars->n, bars->ts_ns, NULL, NULL, 100000, bars->timeframe,
                         bars->compression};
    assert_int_equal(slab_period_plan_new(&shape, &plan, &err), SLAB_OK);
    static const char *const k1[] = {"fast=5", "slow=20"};
    static const char *const k2[] = {"fast=30", "slow=200"};
    static const char *const k3[] = {"period=10"};
    static const char *const k4[] = {"fast=3", "slow=5", "stop_loss_pct=1"};
    check_run(bars, plan, "sma_cross", k1, 2);
    check_run(bars, plan, "sma_cross", k2, 2);
    check_run(bars, plan, "rsi_reversion", k3, 1);
    check_run(bars, plan, "bbands_reversion", NULL, 0);
    check_run(bars, plan, "buy_hold", NULL, 0);
    check_run(bars, plan, "sma_cross", k4, 3);
    /* a plan for other bars is refused */
    slab_equity other = shape;
    other.n--;
    slab_headline h;
    double v = 1.0;
    other.value = &v;
    assert_int_equal(slab_headline_compute(&other, NULL, 0, plan, &h, &err), SLAB_EINVAL);
    slab_period_plan_free(plan);
    slab_bars_free(bars);
}

static void test_daily(void **state)
{
    (void)state;
    on_bars(SLAB_TF_DAYS, 1, 1500);
}

static void test_intraday(void **state)
{
    (void)state;
    on_bars(SLAB_TF_MINUTES, 5, 6000);
}

/* normalized_annual_return and the fitted Sharpe on intraday bars, worked by hand: two sessions
 * of three 1-minute bars, V0 = 100, values 101 102 103 | 104 105 110.
 * rtot = ln(110/100) = ln 1.1 over 6 one-minute periods, so ravg =
 * ln(1.1)/6; bars per session 6/2 = 3, periods a year 252 * 3 = 756; the
 * annual return is expm1(756 * ln(1.1) / 6) = 1.1^126 - 1 (percent: times
 * 100). backtrader's own Returns does not annualise below a day: its
 * rnorm is expm1(ln(1.1)/6) = 1.1^(1/6) - 1. */
static void test_intraday_annual_by_hand(void **state)
{
    (void)state;
    int64_t day1 = (int64_t)slab_days_from_civil(2025, 6, 2) * 86400 * 1000000000LL;
    int64_t day2 = (int64_t)slab_days_from_civil(2025, 6, 3) * 86400 * 1000000000LL;
    int64_t open = (9 * 3600 + 31 * 60) * 1000000000LL, minute = 60 * 1000000000LL;
    int64_t ts[6] = {day1 + open, day1 + open + minute, day1 + open + 2 * minute,
                     day2 + open, day2 + open + minute, day2 + open + 2 * minute};
    double v[6] = {101, 102, 103, 104, 105, 110};
    slab_equity eq = {6, ts, v, NULL, 100.0, SLAB_TF_MINUTES, 1};
    slab_headline h;
    slab_error err;
    assert_int_equal(slab_headline_compute(&eq, NULL, 0, NULL, &h, &err), SLAB_OK);
    assert_true(h.periods_per_year == 756.0);
    double want = (pow(1.1, 126.0) - 1.0) * 100.0;
    assert_true(fabs(h.annual_return_pct - want) <= 1e-12 * fabs(want));
    double bt = (pow(1.1, 1.0 / 6.0) - 1.0) * 100.0;
    assert_true(fabs(h.returns.rnorm100 - bt) <= 1e-12 * fabs(bt));
    /* the fitted Sharpe: the six bar returns v[i]/v[i-1] - 1 (v[-1] = V0),
     * less rf 1.01^(1/756) - 1 a bar, mean over population sd, times
     * sqrt(756) */
    double ex[6], prev = 100.0, mean = 0.0, var = 0.0, rf = pow(1.01, 1.0 / 756.0) - 1.0;
    for (int k = 0; k < 6; k++) {
        ex[k] = v[k] / prev - 1.0 - rf;
        prev = v[k];
        mean += ex[k] / 6.0;
    }
    for (int k = 0; k < 6; k++)
        var += (ex[k] - mean) * (ex[k] - mean) / 6.0;
    double sharpe = mean / sqrt(var) * sqrt(756.0);
    assert_false(h.sharpe_fit_none);
    assert_true(fabs(h.sharpe_fit - sharpe) <= 1e-12 * fabs(sharpe));
    /* daily bars keep backtrader's 252 and its number, bit for bit */
    int64_t dts[3];
    for (int k = 0; k < 3; k++)
        dts[k] = ((int64_t)slab_days_from_civil(2025, 6, 2 + k) * 86400 + 16 * 3600) * 1000000000LL;
    slab_equity deq = {3, dts, v, NULL, 100.0, SLAB_TF_DAYS, 1};
    assert_int_equal(slab_headline_compute(&deq, NULL, 0, NULL, &h, &err), SLAB_OK);
    assert_true(h.periods_per_year == 252.0);
    assert_true(same(h.annual_return_pct, h.returns.rnorm100));
    /* and the fitted Sharpe is SharpeRatio_A(Days) */
    assert_true(h.sharpe_fit_none == h.sharpe_days_none && same(h.sharpe_fit, h.sharpe_days));
}

/* Every field of two headlines, bit for bit; the first that differs. */
static const char *headline_diff(const slab_headline *a, const slab_headline *b)
{
    static const struct {
        const char *name;
        size_t off;
    } f[] = {
        {"sharpe", offsetof(slab_headline, sharpe)},
        {"sharpe_days", offsetof(slab_headline, sharpe_days)},
        {"max_drawdown", offsetof(slab_headline, max_drawdown)},
        {"returns.rtot", offsetof(slab_headline, returns.rtot)},
        {"returns.rnorm100", offsetof(slab_headline, returns.rnorm100)},
        {"annual_return_pct", offsetof(slab_headline, annual_return_pct)},
        {"periods_per_year", offsetof(slab_headline, periods_per_year)},
        {"sharpe_fit", offsetof(slab_headline, sharpe_fit)},
        {"sqn.sqn", offsetof(slab_headline, sqn.sqn)},
    };
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
        double x, y;
        memcpy(&x, (const char *)a + f[k].off, 8);
        memcpy(&y, (const char *)b + f[k].off, 8);
        if (!same(x, y))
            return f[k].name;
    }
    if (a->sharpe_none != b->sharpe_none || a->sharpe_days_none != b->sharpe_days_none ||
        a->sharpe_fit_none != b->sharpe_fit_none || a->sqn.is_none != b->sqn.is_none ||
        a->sqn.trades != b->sqn.trades || a->returns.n_periods != b->returns.n_periods)
        return "a None flag or a count";
    return NULL;
}

/* slab_headline_compute_spans against slab_headline_compute on records
 * that change only inside random spans: random walks, ties, values
 * repeated inside a span, jumps too large for the exact grid (its
 * fallback), negative values, a span from bar 0 and one to the last bar,
 * no span at all, NaN and infinite values inside spans; daily bars, minute
 * bars, minute bars read as five-minute ones (several bars a period). Each
 * record twice where the bar returns have an AVX2 loop: with it and with
 * the portable one (slab__bar_excess_portable). */
static void test_spans(void **state)
{
    (void)state;
    static const struct {
        slab_timeframe tf;
        int compression, read_as;
        size_t n;
    } clocks[] = {{SLAB_TF_DAYS, 1, 1, 900}, {SLAB_TF_MINUTES, 1, 1, 3000},
                  {SLAB_TF_MINUTES, 1, 5, 3000},
                  /* spans long enough that the grid sum's lanes move their
                   * totals to the wide sums several times (every 16,384
                   * terms) */
                  {SLAB_TF_MINUTES, 1, 1, 60000}};
    for (size_t c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
        slab_bars *bars = NULL;
        slab_error err;
        slab_period_plan *plan = NULL;
        assert_int_equal(slab_sample_generate(9, clocks[c].n, clocks[c].tf, clocks[c].compression,
                                              slab_days_from_civil(2013, 3, 4), &bars, &err),
                         SLAB_OK);
        size_t n = bars->n;
        double *v = malloc(n * sizeof *v), *scratch = malloc((n + 8) * sizeof *scratch);
        slab_bar_span *sp = malloc((n / 2 + 2) * sizeof *sp);
        slab_trade tr[40];
        slab_equity eq = {n, bars->ts_ns, v, NULL, 1000.0, clocks[c].tf, clocks[c].read_as};
        assert_int_equal(slab_period_plan_new(&eq, &plan, &err), SLAB_OK);
        size_t n_days = slab_period_plan_days(plan);
        double *day_sp = malloc(n_days * sizeof *day_sp), *day_all = malloc(n_days * sizeof *day_all);
        for (int rep = 0; rep < (n > 10000 ? 28 : 350); rep++) {
            size_t m = 0, i = uniform() < 0.2 ? 0 : (size_t)(uniform() * 50.0);
            int kind = rep % 7;
            while (i < n && m < n / 2) {
                size_t len = 1 + (size_t)(uniform() * (kind == 5 ? 3.0 : n > 10000 ? 20000.0 : 200.0));
                size_t hi = i + len < n ? i + len : n;
                if (uniform() < 0.05)
                    hi = n;
                sp[m].lo = i;
                sp[m++].hi = hi;
                /* the next span after a gap, or right after this one */
                i = hi + (uniform() < 0.3 ? 0 : (size_t)(uniform() * 300.0));
            }
            if (kind == 4)
                m = 0; /* no span: the record is flat */
            double x = 1000.0;
            size_t s = 0;
            for (size_t b = 0; b < n; b++) {
                while (s < m && sp[s].hi <= b)
                    s++;
                int inside = s < m && b >= sp[s].lo;
                if (inside) {
                    double u = uniform();
                    switch (kind) {
                    case 1: /* ties: the same value several bars running */
                        if (u < 0.5)
                            break;
                        /* fall through */
                    case 0:
                    case 4:
                    case 5: x *= 1.0 + (u - 0.5) * 0.01; break;
                    case 2: x = u < 0.01 ? x * 1e30 : u < 0.02 ? x / 1e30 : x * (1.0 + (u - 0.5) * 0.01); break;
                    case 3: x = u < 0.02 ? -x : x + (u - 0.5); break;
                    case 6: x *= 1.0 + (u - 0.5) * 0.01; break;
                    }
                }
                v[b] = x;
                if (inside && kind == 6 && uniform() < 0.002) /* this bar alone */
                    v[b] = uniform() < 0.5 ? NAN : uniform() < 0.5 ? INFINITY : -INFINITY;
                if (!inside && x == 0.0) { /* flat values are non-zero (the contract) */
                    v[b] = x = 1.0;
                    if (b > 0 && v[b - 1] == 0.0)
                        v[b - 1] = 1.0; /* and a span ends on the value after it */
                }
            }
            if (kind == 3)
                for (size_t b = 0; b < n; b++) /* flat values stay non-zero: the contract */
                    if (v[b] == 0.0)
                        v[b] = 1.0;
            for (size_t k = 0; k < sizeof tr / sizeof tr[0]; k++) {
                memset(&tr[k], 0, sizeof tr[k]);
                tr[k].pnlcomm = (uniform() - 0.45) * 100.0;
                tr[k].is_open = uniform() < 0.1;
            }
            size_t nt = (size_t)(uniform() * 40.0);
            slab_headline a, b;
            const char *d;
            assert_int_equal(slab_headline_compute(&eq, tr, nt, plan, &a, &err), SLAB_OK);
            for (int port = 1; port >= 0; port--) { /* the AVX2 loop, where there is one, last */
                slab__bar_excess_portable = port;
                assert_int_equal(
                    slab_headline_compute_spans(&eq, sp, m, tr, nt, plan, scratch, NULL, &b, &err),
                    SLAB_OK);
                if ((d = headline_diff(&a, &b)))
                    fail_msg("clock %zu, record %d (kind %d, %zu spans, portable %d): %s differs",
                             c, rep, kind, m, port, d);
            }
            /* the daily returns taken on the way, against the whole record's */
            assert_int_equal(slab_headline_compute_spans(&eq, sp, m, tr, nt, plan, scratch, day_sp,
                                                         &b, &err),
                             SLAB_OK);
            assert_int_equal(slab_daily_returns(&eq, plan, day_all, &err), SLAB_OK);
            assert_memory_equal(day_sp, day_all, n_days * sizeof *day_all);
            if ((d = headline_diff(&a, &b)))
                fail_msg("clock %zu, record %d (with its daily returns): %s differs", c, rep, d);
        }
        slab_period_plan_free(plan);
        free(day_sp);
        free(day_all);
        free(v);
        free(scratch);
        free(sp);
        slab_bars_free(bars);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_drawdown),
        cmocka_unit_test(test_daily),
        cmocka_unit_test(test_intraday),
        cmocka_unit_test(test_intraday_annual_by_hand),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_metrics_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
