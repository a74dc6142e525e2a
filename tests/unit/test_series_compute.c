/* test_series_compute.c: strategy API level 2, values worked out by hand.
 * Feed A has 1-minute bars 09:30..09:34 with (open, close) (10, 11),
 * (12, 12.5), (13, 12), (11, 14), (15, 15); feed B bars at 09:30, 09:32
 * and 09:34 closing 20, 22, 23. Series computed in init():
 *   close - open of A:            1, 0.5, -1, 3, 0
 *   B's close at A's bars:        20, 20, 22, 22, 23 (its last at or before)
 *   B fresh at A's bars:          1, 0, 1, 0, 1
 *   A's previous close:           NaN, 11, 12.5, 12, 14 (a read of the next
 *                                 bar gives NaN and is counted)
 *   SMA(close - open, 2) over it: NaN, 0.75, -0.25, 1, 1.5
 * next() runs from bar 1 (the lag's and the SMA's first value), minperiod
 * 2. Whatever the computing function writes into the state is undone.
 * A function that declares an indicator fails the run with the reason;
 * slab_run_sizer, slab_bar_unit and slab_feed_position_price report the
 * run's settings. An SMA(3) marked slab_series_nowait does not hold
 * next() back (called on all 5 bars, minperiod 1) while slab_series_start
 * still says 2. Look-ahead stays impossible: a strategy trading on an
 * indicator over a computed series makes, when the run is cut after bar
 * k, exactly the full run's decisions up to k (test_lookahead's check). */
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


typedef struct st {
    int ser[4], sma;
    int scribble; /* written by the computing function: must stay 0 */
} st;

/* What next() saw, by bar, for the test to read after the run. */
static double seen[5][5];
static int seen_scribble, n_next, sizer_kind, unit, comp;
static double sizer_amount, entry_price;

static double compute(slab_ctx *ctx, void *state, int tag)
{
    st *s = state;
    s->scribble = 42;
    switch (tag) {
    case 0: return slab_get(ctx, SLAB_CLOSE, 0) - slab_get(ctx, SLAB_OPEN, 0);
    case 1: return slab_feed_get(ctx, 1, SLAB_CLOSE, 0);
    case 2: return slab_feed_fresh(ctx, 1);
    default:
        if (!isnan(slab_get(ctx, SLAB_CLOSE, 1)))
            return -999; /* the next bar must not be readable */
        return slab_get(ctx, SLAB_CLOSE, -1);
    }
}

static int init(slab_ctx *ctx, void *state)
{
    st *s = state;
    for (int k = 0; k < 4; k++)
        if ((s->ser[k] = slab_series_compute(ctx, compute, k)) < 0)
            return -1;
    double period = 2;
    s->sma = slab_indicator(ctx, "SMA", &s->ser[0], 1, &period, 1);
    sizer_kind = slab_run_sizer(ctx, &sizer_amount);
    unit = slab_bar_unit(ctx, &comp);
    return s->sma < 0 ? -1 : 0;
}

static void next(slab_ctx *ctx, void *state)
{
    st *s = state;
    long i = slab_bar(ctx);
    for (int k = 0; k < 4; k++)
        seen[i][k] = slab_get(ctx, s->ser[k], 0);
    seen[i][4] = slab_get(ctx, s->sma, 0);
    seen_scribble |= s->scribble;
    entry_price = slab_feed_position_price(ctx, 1);
    n_next++;
}

static const slab_strategy_def def = {SLAB_STRATEGY_ABI, "computed", "computed series", NULL, 0,
                                      sizeof(st), init, next, NULL, NULL, NULL};

/* A computing function that declares an indicator: refused. */
static double nested(slab_ctx *ctx, void *state, int tag)
{
    (void)state, (void)tag;
    int in = SLAB_CLOSE;
    double p = 2;
    return slab_indicator(ctx, "SMA", &in, 1, &p, 1);
}

static int bad_init(slab_ctx *ctx, void *state)
{
    (void)state;
    return slab_series_compute(ctx, nested, 0) < 0 ? -1 : 0;
}

static const slab_strategy_def bad_def = {SLAB_STRATEGY_ABI, "nested", "declares inside", NULL,
                                          0, 1, bad_init, next, NULL, NULL, NULL};

static slab_status run(const slab_strategy_def *d, slab_run **r, slab_error *err)
{
    static const int ta[] = {930, 931, 932, 933, 934}, tb[] = {930, 932, 934};
    static const double pa[] = {10, 11, 12, 12.5, 13, 12, 11, 14, 15, 15}; /* open, close */
    static const double pb[] = {20, 20, 21, 22, 23, 23};
    slab_bars *f[2] = {slab_test_minute_bars("A", ta, pa, 5),
                       slab_test_minute_bars("B", tb, pb, 3)};
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 10000;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT_INT;
    cfg.broker.sizer.amount = 80;
    cfg.strategy = d;
    cfg.stop_after_bar = -1;
    slab_status rc = slab_engine_run_feeds((const slab_bars *const *)f, 2, &cfg, NULL, r, err);
    slab_bars_free(f[0]);
    slab_bars_free(f[1]);
    return rc;
}

static void computed_series(void **state)
{
    (void)state;
    static const double want[5][5] = {
        {1, 20, 1, NAN, NAN},        {0.5, 20, 0, 11, 0.75}, {-1, 22, 1, 12.5, -0.25},
        {3, 22, 0, 12, 1},           {0, 23, 1, 14, 1.5}};
    static const char *const what[] = {"close - open", "B close", "B fresh", "prev close",
                                       "SMA"};
    slab_error err;
    slab_run *r = NULL;
    memset(seen, 0, sizeof seen);
    assert_int_equal(run(&def, &r, &err), SLAB_OK);
    assert_int_equal(n_next, 4); /* bars 1..4 */
    assert_int_equal(r->minperiod, 2);
    for (int i = 1; i < 5; i++)
        for (int k = 0; k < 5; k++)
            slab_test_expect_close(what[k], i, seen[i][k], want[i][k], 0, 0);
    assert_int_equal(seen_scribble, 0);
    assert_int_equal(r->lookahead_attempts, 5); /* one refused read per bar */
    assert_int_equal(sizer_kind, SLAB_SIZER_PCT_INT);
    assert_true(sizer_amount == 80);
    assert_int_equal(unit, SLAB_UNIT_MINUTES);
    assert_int_equal(comp, 1);
    assert_true(entry_price == 0.0);
    slab_run_free(r);
}

static void nested_declaration_refused(void **state)
{
    (void)state;
    slab_error err;
    slab_run *r = NULL;
    assert_int_not_equal(run(&bad_def, &r, &err), SLAB_OK);
    assert_null(r);
    assert_non_null(strstr(err.msg, "inside a slab_series_compute function"));
}

static int nowait_calls;
static long nowait_start;

static int nowait_init(slab_ctx *ctx, void *state)
{
    int in = SLAB_CLOSE, *sma = state;
    double period = 3;
    *sma = slab_indicator(ctx, "SMA", &in, 1, &period, 1);
    nowait_start = slab_series_start(ctx, *sma);
    return *sma < 0 || slab_series_nowait(ctx, *sma) != 0 ? -1 : 0;
}

static void nowait_next(slab_ctx *ctx, void *state)
{
    (void)ctx, (void)state;
    nowait_calls++;
}

static const slab_strategy_def nowait_def = {SLAB_STRATEGY_ABI, "nowait", "does not wait",
                                             NULL, 0, sizeof(int), nowait_init, nowait_next,
                                             NULL, NULL, NULL};

static void nowait_series(void **state)
{
    (void)state;
    slab_error err;
    slab_run *r = NULL;
    assert_int_equal(run(&nowait_def, &r, &err), SLAB_OK);
    assert_int_equal(nowait_calls, 5);
    assert_int_equal(r->minperiod, 1);
    assert_int_equal(nowait_start, 2);
    slab_run_free(r);
}

/* Long while SMA(close - open, 5) is above 0 (an indicator over a
 * computed series), flat otherwise. */
static int trend_init(slab_ctx *ctx, void *state)
{
    st *s = state; /* compute() writes an st: the state is one */
    int body = slab_series_compute(ctx, compute, 0);
    double period = 5;
    if (body < 0)
        return -1;
    s->sma = slab_indicator(ctx, "SMA", &body, 1, &period, 1);
    return s->sma < 0 ? -1 : 0;
}

static void trend_next(slab_ctx *ctx, void *state)
{
    const st *s = state;
    double v = slab_get(ctx, s->sma, 0), pos = slab_position_size(ctx);
    if (v > 0.0 && pos == 0.0 && slab_orders_pending(ctx) == 0)
        slab_buy(ctx, 0);
    else if (v < 0.0 && pos > 0.0)
        slab_close_position(ctx);
}

static const slab_strategy_def trend_def = {SLAB_STRATEGY_ABI, "body_trend", "SMA of close - open",
                                            NULL, 0, sizeof(st), trend_init, trend_next, NULL,
                                            NULL, NULL};

static slab_run *run_cut(const slab_bars *b, long stop_after)
{
    slab_error err;
    slab_run *run = NULL;
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000;
    cfg.strategy = &trend_def;
    cfg.stop_after_bar = stop_after;
    if (slab_engine_run(b, &cfg, &run, &err) != SLAB_OK)
        fail_msg("%s", err.msg);
    return run;
}

static void truncation_matches_full_run(void **state)
{
    (void)state;
    slab_bars *b = NULL;
    slab_error err;
    assert_int_equal(slab_sample_generate(13, 800, SLAB_TF_DAYS, 1,
                                          slab_days_from_civil(2001, 1, 2), &b, &err),
                     SLAB_OK);
    slab_run *full = run_cut(b, -1);
    assert_true(full->n_orders > 10); /* it trades: a weak check otherwise */
    static const long cuts[] = {4, 5, 100, 401, 798};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        long k = cuts[c];
        slab_run *cut = run_cut(b, k);
        for (long i = 0; i <= k; i++)
            slab_test_expect_close("value", i, cut->value[i], full->value[i], 0, 0);
        size_t m = 0;
        for (size_t o = 0; o < full->n_orders; o++)
            if ((long)full->orders[o].created_bar <= k) {
                assert_true(m < cut->n_orders);
                assert_int_equal(cut->orders[m].created_bar, full->orders[o].created_bar);
                assert_true(cut->orders[m].created_size == full->orders[o].created_size);
                m++;
            }
        assert_int_equal(m, cut->n_orders);
        slab_run_free(cut);
    }
    slab_run_free(full);
    slab_bars_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(computed_series),
                                       cmocka_unit_test(truncation_matches_full_run),
                                       cmocka_unit_test(nowait_series),
                                       cmocka_unit_test(nested_declaration_refused)};
    return cmocka_run_group_tests_name("series_compute", tests, NULL, NULL);
}
