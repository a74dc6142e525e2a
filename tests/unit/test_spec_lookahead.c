/* test_spec_lookahead.c: specs cannot read the future (tests/unit/
 * test_lookahead.c's truncation approach, applied to specs).
 *   1. Every node of a spec that uses every operation of the language is
 *      evaluated on bars 0..k and on all bars; the first k+1 values must be
 *      identical bit for bit, for several k: no kernel reads a later bar.
 *   2. Every example spec, and that spec, run cut after bar k must make
 *      exactly the decisions of the full run on bars 0..k; the universe
 *      examples on six generated feeds in one run.
 * Runs on generated sample data (daily, and 1-minute for the session
 * functions), so it needs no ../shared. */
#include "slab_test.h"

#include "spec/spec_int.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/spec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Every operation: lags, rolling functions, indicators with several
 * outputs, math, logic, clock and session values, broker state, sizing by
 * volatility. The rules are arbitrary; the values are what is checked. */
static const char *const everything =
    "{\"strategy_name\": \"every operation\","
    " \"indicators\": ["
    "  {\"name\": \"bb\", \"formula\": \"BBANDS(close, 20, 2)\"},"
    "  {\"name\": \"m\", \"formula\": \"MACD(close)\"},"
    "  {\"name\": \"st\", \"formula\": \"STOCH(14, 3, 3)\"},"
    "  {\"name\": \"r\", \"formula\": \"RSI(close, 14)\"},"
    "  {\"name\": \"a\", \"formula\": \"ATR(14)\"},"
    "  {\"name\": \"v\", \"formula\": \"VWAP()\"},"
    "  {\"name\": \"z\", \"formula\": \"zscore(close, 30)\"},"
    "  {\"name\": \"hi\", \"formula\": \"max(high, 20)\"},"
    "  {\"name\": \"lo\", \"formula\": \"min(low[-1], 20)\"},"
    "  {\"name\": \"rk\", \"formula\": \"rank(volume, 10) + mean(close, 5) - std(close, 5) + sum(volume, 3)\"},"
    "  {\"name\": \"mx\", \"formula\": \"log(close / close[-1]) + sqrt(abs(close - open)) + sign(close - open) * least(open, close) / greatest(high, 1) + (close / open) ^ 2\"},"
    "  {\"name\": \"clk\", \"formula\": \"time + weekday + month + year + day\"},"
    "  {\"name\": \"ses\", \"formula\": \"session_max(high, close > open) - session_min(low) + session_count(close > open) + session_first(open) + prev_session_last(close)\"},"
    "  {\"name\": \"xs\", \"formula\": \"cs_rank(close) + cs_zscore(close)\"}"
    " ],"
    " \"logic_pipeline\": ["
    "  {\"expression\": \"crossover(m.macd, m.signal) or crossunder(close, bb.mid) and not (r > 70)\", \"output\": \"sig\"},"
    "  {\"expression\": \"if(z > 0, hi - lo, a) > st.k[-2] or close < bb.bot[-1]\", \"output\": \"alt\"}"
    " ],"
    " \"execution_plan\": ["
    "  {\"trigger\": \"position == 0 and (sig or alt) and rk > mx[-3] and clk > ses - 1e9 and v > 0 and xs >= 0\", \"action\": \"buy\","
    "   \"position_sizing\": {\"type\": \"volatility_target\", \"value\": 0.2, \"lookback\": 10}},"
    "  {\"trigger\": \"bars_held >= 5 or close < entry_price * 0.97 or equity < cash * 0.5\", \"action\": \"sell\"},"
    "  {\"trigger\": \"r > 80 and position >= 0\", \"action\": \"short\", \"position_sizing\": \"50%\"},"
    "  {\"trigger\": \"r < 40\", \"action\": \"cover\"}"
    " ]}";

static slab_spec *compile(const char *text)
{
    slab_diags d;
    slab_spec *s = NULL;
    slab_diags_init(&d);
    if (slab_spec_compile(text, strlen(text), &s, &d) != SLAB_OK) {
        char line[1024];
        for (size_t k = 0; k < d.n; k++)
            print_message("%s\n", slab_diag_format(&d.items[k], NULL, line, sizeof line));
        fail_msg("spec does not compile");
    }
    slab_diags_clear(&d);
    return s;
}

static int same(double a, double b)
{
    return (isnan(a) && isnan(b)) || !memcmp(&a, &b, sizeof a);
}

static void every_node_is_causal(void **state)
{
    (void)state;
    static const slab_timeframe tfs[] = {SLAB_TF_DAYS, SLAB_TF_MINUTES};
    slab_spec *s = compile(everything);
    const slab_spec_program *p = slab_spec_program_get(s);
    slab_error err;
    for (int t = 0; t < 2; t++) {
        slab_bars *bars = NULL;
        assert_int_equal(slab_sample_generate(5, 2000, tfs[t], 1, slab_days_from_civil(2010, 1, 4),
                                              &bars, &err),
                         SLAB_OK);
        const double *cols[SLAB_N_COLUMNS] = {bars->open, bars->high, bars->low,
                                              bars->close, bars->volume, bars->oi};
        spec_values full;
        assert_int_equal(slab__spec_eval(p, cols, bars->ts_ns, bars->n, &full, &err), SLAB_OK);
        static const size_t cuts[] = {1, 2, 31, 250, 391, 1000, 1999};
        size_t checked = 0;
        for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
            spec_values part;
            size_t k = cuts[c];
            assert_int_equal(slab__spec_eval(p, cols, bars->ts_ns, k, &part, &err), SLAB_OK);
            for (size_t id = 0; id < p->n_nodes; id++) {
                const slab_spec_node *nd = &p->nodes[id];
                if (!nd->used || nd->dynamic)
                    continue;
                int outs = nd->op == SLAB_SPEC_IND ? nd->ind->n_outputs : 1;
                for (int o = 0; o < outs; o++) {
                    const double *x = nd->op == SLAB_SPEC_IND ? full.outs[id] + (size_t)o * full.n
                                                              : full.values[id];
                    const double *y = nd->op == SLAB_SPEC_IND ? part.outs[id] + (size_t)o * part.n
                                                              : part.values[id];
                    for (size_t i = 0; i < k; i++)
                        if (!same(x[i], y[i]))
                            fail_msg("node %zu (%s) output %d: bar %zu is %.17g on bars 0..%zu but "
                                     "%.17g on all bars",
                                     id, nd->text ? nd->text : "?", o, i, y[i], k - 1, x[i]);
                    checked++;
                }
            }
            slab__spec_values_free(&part);
        }
        print_message("%s bars: %zu node outputs identical when cut at 7 points\n",
                      t ? "1-minute" : "daily", checked / 7);
        slab__spec_values_free(&full);
        slab_bars_free(bars);
    }
    slab_spec_free(s);
}

static slab_run *run_cut(const slab_spec *s, const slab_bars *const *feeds, size_t n_feeds,
                         long stop_after)
{
    slab_error err;
    slab_spec_run *sr = NULL;
    slab_run *run = NULL;
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000;
    cfg.broker.commission = 0.001;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95;
    cfg.stop_after_bar = stop_after;
    assert_int_equal(slab_spec_run_new(s, &sr, &err), SLAB_OK);
    slab_spec_run_setup(sr, &cfg);
    if (slab_engine_run_feeds(feeds, n_feeds, &cfg, NULL, &run, &err) != SLAB_OK)
        fail_msg("run: %s", err.msg);
    slab_spec_run_free(sr);
    return run;
}

static void decisions_match_feeds(const char *name, const slab_spec *s,
                                 const slab_bars *const *feeds, size_t n_feeds)
{
    static const long cuts[] = {0, 30, 31, 250, 777, 1234, 2998};
    const slab_bars *bars = feeds[0];
    slab_run *full = run_cut(s, feeds, n_feeds, -1);
    assert_int_equal(full->lookahead_attempts, 0);
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        long k = cuts[c];
        if ((size_t)k >= bars->n)
            continue;
        slab_run *cut = run_cut(s, feeds, n_feeds, k);
        assert_int_equal(cut->n_bars, (size_t)k + 1);
        for (long i = 0; i <= k; i++)
            if (cut->value[i] != full->value[i] || cut->cash[i] != full->cash[i])
                fail_msg("%s cut at %ld: value differs at bar %ld", name, k, i);
        size_t m = 0;
        for (size_t o = 0; o < full->n_orders; o++) {
            const slab_order_event *f = &full->orders[o];
            if ((long)f->created_bar > k)
                continue;
            assert_true(m < cut->n_orders);
            const slab_order_event *g = &cut->orders[m++];
            /* A trailing stop's event keeps its latest stop level, which moves
             * after bar k in the full run: compare what was decided. */
            int trails = f->type == SLAB_ORDER_STOP_TRAIL || f->type == SLAB_ORDER_STOP_TRAIL_LIMIT;
            if (g->created_bar != f->created_bar || g->created_size != f->created_size ||
                g->feed != f->feed ||
                g->type != f->type || (!trails && g->created_price != f->created_price))
                fail_msg("%s cut at %ld: order %zu differs", name, k, o);
        }
        assert_int_equal(m, cut->n_orders);
        slab_run_free(cut);
    }
    print_message("%s: %zu orders; decisions identical when cut at 7 points\n", name,
                  full->n_orders);
    slab_run_free(full);
}

static void decisions_match(const char *name, const slab_spec *s, const slab_bars *bars)
{
    const slab_bars *one[1] = {bars};
    decisions_match_feeds(name, s, one, 1);
}

static void example_specs_decide_causally(void **state)
{
    (void)state;
    slab_bars *daily = NULL, *minute = NULL;
    slab_error err;
    size_t n;
    assert_int_equal(slab_sample_generate(11, 3000, SLAB_TF_DAYS, 1,
                                          slab_days_from_civil(2000, 1, 3), &daily, &err),
                     SLAB_OK);
    assert_int_equal(slab_sample_generate(12, 3000, SLAB_TF_MINUTES, 1,
                                          slab_days_from_civil(2020, 6, 1), &minute, &err),
                     SLAB_OK);
    enum { MEMBERS = 6 };
    slab_bars *uni[MEMBERS];
    for (int m = 0; m < MEMBERS; m++) {
        /* from 2010: the pairs example trades from 2017 on */
        assert_int_equal(slab_sample_generate(31 + (uint64_t)m, 3000, SLAB_TF_DAYS, 1,
                                              slab_days_from_civil(2010, 1, 4), &uni[m], &err),
                         SLAB_OK);
        snprintf(uni[m]->symbol, sizeof uni[m]->symbol, "U%d", m);
    }
    const char *const *names = slab_spec_example_names(&n);
    int universes = 0;
    for (size_t k = 0; k < n; k++) {
        slab_spec *s = compile(slab_spec_example(names[k]));
        size_t members = slab_spec_settings_get(s)->n_symbols;
        if (members > 1) {
            slab_run *full = run_cut(s, (const slab_bars *const *)uni,
                                     members < MEMBERS ? members : MEMBERS, -1);
            assert_true(full->n_orders > 0); /* a universe example that never trades proves nothing */
            slab_run_free(full);
            decisions_match_feeds(names[k], s, (const slab_bars *const *)uni,
                                  members < MEMBERS ? members : MEMBERS);
            universes++;
            slab_spec_free(s);
            continue;
        }
        decisions_match(names[k], s, strcmp(names[k], "orb") ? daily : minute);
        slab_spec_free(s);
    }
    slab_spec *s = compile(everything);
    decisions_match("every operation (daily)", s, daily);
    decisions_match("every operation (1-minute)", s, minute);
    slab_spec_free(s);
    slab_bars_free(daily);
    slab_bars_free(minute);
    for (int m = 0; m < MEMBERS; m++)
        slab_bars_free(uni[m]);
    assert_true(universes >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_node_is_causal),
        cmocka_unit_test(example_specs_decide_causally),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
