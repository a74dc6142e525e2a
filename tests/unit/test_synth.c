/* test_synth.c: synthetic markets (src/data/synth.c). The NYSE calendar
 * against dates from the exchange's published holiday lists, sessions of
 * 390 minutes stamped at their start, aggregation, determinism (and a
 * symbol's bars not depending on the others), the U-shaped volume, the
 * stocks' correlation with the index, and clear errors. */
#include "slab_test.h"

#include "stratlab/data.h"

#include <math.h>
#include <string.h>

static int64_t D(int y, int m, int d)
{
    return slab_days_from_civil(y, m, d);
}

/* NYSE holidays (nyse.com holiday calendars), and weekdays that are not. */
static void nyse_calendar(void **state)
{
    (void)state;
    static const int holidays[][3] = {
        {2025, 1, 1},   {2025, 1, 20}, {2025, 2, 17}, {2025, 4, 18},  {2025, 5, 26},
        {2025, 6, 19},  {2025, 7, 4},  {2025, 9, 1},  {2025, 11, 27}, {2025, 12, 25},
        {2024, 3, 29},  {2022, 6, 20},               /* Juneteenth on a Sunday: Monday */
        {2022, 12, 26}, {2021, 7, 5},  {2023, 1, 2}, /* New Year's on a Sunday: Monday */
    };
    static const int open_days[][3] = {
        {2025, 7, 3},  {2025, 11, 28}, {2021, 12, 31}, /* New Year's 2022 on a Saturday */
        {2021, 6, 18},                                 /* before Juneteenth was a market holiday */
        {2025, 6, 18}, {2025, 4, 21},
    };
    for (size_t k = 0; k < sizeof holidays / sizeof holidays[0]; k++)
        if (!slab_nyse_holiday(D(holidays[k][0], holidays[k][1], holidays[k][2])))
            fail_msg("%d-%02d-%02d should be a holiday", holidays[k][0], holidays[k][1],
                     holidays[k][2]);
    for (size_t k = 0; k < sizeof open_days / sizeof open_days[0]; k++)
        if (slab_nyse_holiday(D(open_days[k][0], open_days[k][1], open_days[k][2])))
            fail_msg("%d-%02d-%02d should be open", open_days[k][0], open_days[k][1],
                     open_days[k][2]);
}

static slab_bars *make(const char *sym, const char *index, int64_t from, int64_t to,
                       slab_timeframe tf, int comp, uint64_t seed)
{
    slab_error err;
    slab_bars *b = NULL;
    slab_synth_options o = {seed, from, to, tf, comp, index};
    if (slab_synth_generate(&o, sym, &b, &err) != SLAB_OK)
        fail_msg("%s: %s", sym, err.msg);
    assert_int_equal(slab_bars_check(b, &err), SLAB_OK);
    return b;
}

/* July 2025: 22 sessions (the 4th is a holiday); 390 one-minute bars a
 * session from 09:30 to 15:59 (start stamps); 5-minute bars are the
 * minutes aggregated (first open, max high, min low, last close, volume
 * summed); one daily bar per session. */
static void sessions_and_aggregation(void **state)
{
    (void)state;
    slab_bars *m1 = make("HOOD", "QQQ", D(2025, 7, 1), D(2025, 7, 31), SLAB_TF_MINUTES, 1, 7);
    slab_bars *m5 = make("HOOD", "QQQ", D(2025, 7, 1), D(2025, 7, 31), SLAB_TF_MINUTES, 5, 7);
    slab_bars *d1 = make("HOOD", "QQQ", D(2025, 7, 1), D(2025, 7, 31), SLAB_TF_DAYS, 1, 7);
    assert_int_equal(m1->n, 22 * 390);
    assert_int_equal(m5->n, 22 * 78);
    assert_int_equal(d1->n, 22);
    int64_t open = 570LL * 60 * SLAB_NS_PER_SEC;
    assert_int_equal(m1->ts_ns[0], D(2025, 7, 1) * SLAB_NS_PER_DAY + open);
    assert_int_equal(m1->ts_ns[389],
                     D(2025, 7, 1) * SLAB_NS_PER_DAY + open + 389 * 60 * SLAB_NS_PER_SEC);
    assert_int_equal(slab_ts_day(m1->ts_ns[3 * 390]), D(2025, 7, 7)); /* after the 4th */
    for (size_t j = 0; j < m5->n; j++) {
        double hi = 0, lo = INFINITY, vol = 0;
        for (size_t i = 5 * j; i < 5 * j + 5; i++) {
            hi = fmax(hi, m1->high[i]);
            lo = fmin(lo, m1->low[i]);
            vol += m1->volume[i];
        }
        assert_true(m5->ts_ns[j] == m1->ts_ns[5 * j] && m5->open[j] == m1->open[5 * j] &&
                    m5->close[j] == m1->close[5 * j + 4] && m5->high[j] == hi && m5->low[j] == lo &&
                    m5->volume[j] == vol);
    }
    assert_true(d1->open[0] == m1->open[0] && d1->close[0] == m1->close[389]);
    slab_bars_free(m1);
    slab_bars_free(m5);
    slab_bars_free(d1);
}

/* The same options give the same bars; a stock's bars do not depend on
 * which symbol is the index (the market factor comes from the seed); the
 * index symbol is the market itself and differs from a stock. */
static void deterministic(void **state)
{
    (void)state;
    slab_bars *a = make("HOOD", "QQQ", D(2025, 6, 2), D(2025, 6, 13), SLAB_TF_MINUTES, 1, 42);
    slab_bars *b = make("HOOD", "SPY", D(2025, 6, 2), D(2025, 6, 13), SLAB_TF_MINUTES, 1, 42);
    slab_bars *c = make("HOOD", "QQQ", D(2025, 6, 2), D(2025, 6, 13), SLAB_TF_MINUTES, 1, 43);
    assert_int_equal(a->n, b->n);
    assert_memory_equal(a->close, b->close, a->n * sizeof(double));
    assert_memory_equal(a->volume, b->volume, a->n * sizeof(double));
    assert_true(memcmp(a->close, c->close, a->n * sizeof(double)) != 0);
    slab_bars_free(a);
    slab_bars_free(b);
    slab_bars_free(c);
}

/* Daily close-to-close returns of the stocks are correlated with the
 * index over a year; volume is U-shaped (the first and last 30 minutes
 * trade more than the middle 30, summed over the year). */
static void correlated_and_u_shaped(void **state)
{
    (void)state;
    const char *stocks[] = {"HOOD", "AAPL", "TSLA"};
    slab_bars *ix = make("QQQ", "QQQ", D(2024, 1, 1), D(2024, 12, 31), SLAB_TF_DAYS, 1, 5);
    assert_int_equal(ix->n, 252); /* 2024: 252 NYSE sessions */
    for (size_t s = 0; s < 3; s++) {
        slab_bars *st = make(stocks[s], "QQQ", D(2024, 1, 1), D(2024, 12, 31), SLAB_TF_DAYS, 1, 5);
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
        size_t n = st->n - 1;
        for (size_t i = 1; i < st->n; i++) {
            double x = ix->close[i] / ix->close[i - 1] - 1, y = st->close[i] / st->close[i - 1] - 1;
            sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
        }
        double r = (n * sxy - sx * sy) / sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
        print_message("%s: correlation with QQQ %.3f\n", stocks[s], r);
        assert_true(r > 0.3);
        slab_bars_free(st);
    }
    slab_bars *m = make("HOOD", "QQQ", D(2024, 1, 1), D(2024, 12, 31), SLAB_TF_MINUTES, 1, 5);
    double first = 0, mid = 0, last = 0;
    for (size_t i = 0; i < m->n; i++) {
        size_t t = i % 390;
        first += t < 30 ? m->volume[i] : 0;
        mid += t >= 180 && t < 210 ? m->volume[i] : 0;
        last += t >= 360 ? m->volume[i] : 0;
    }
    assert_true(first > 2 * mid && last > 2 * mid);
    slab_bars_free(m);
    slab_bars_free(ix);
}

/* Resampling 1-minute bars inside sessions gives exactly the generator's
 * own 5-minute, 1-hour (the last bar of a session is the 15:30 half
 * hour) and daily bars, which aggregate the same minutes; end-stamped
 * input (each time one minute later) gives the buckets stamped at their
 * end. A target that is not a multiple is refused. */
static void resample_matches(void **state)
{
    (void)state;
    slab_error err;
    static const struct {
        slab_timeframe tf;
        int comp;
    } targets[] = {{SLAB_TF_MINUTES, 5}, {SLAB_TF_MINUTES, 60}, {SLAB_TF_DAYS, 1}};
    slab_bars *m1 = make("HOOD", "QQQ", D(2025, 7, 1), D(2025, 7, 10), SLAB_TF_MINUTES, 1, 9);
    for (size_t k = 0; k < 3; k++) {
        slab_bars *want =
            make("HOOD", "QQQ", D(2025, 7, 1), D(2025, 7, 10), targets[k].tf, targets[k].comp, 9);
        slab_bars *got = NULL;
        assert_int_equal(slab_bars_resample(m1, 0, targets[k].tf, targets[k].comp, &got, &err),
                         SLAB_OK);
        assert_int_equal(got->n, want->n);
        assert_memory_equal(got->ts_ns, want->ts_ns, got->n * sizeof(int64_t));
        assert_memory_equal(got->open, want->open, got->n * sizeof(double));
        assert_memory_equal(got->high, want->high, got->n * sizeof(double));
        assert_memory_equal(got->low, want->low, got->n * sizeof(double));
        assert_memory_equal(got->close, want->close, got->n * sizeof(double));
        assert_memory_equal(got->volume, want->volume, got->n * sizeof(double));
        assert_int_equal(got->compression, targets[k].comp);
        slab_bars_free(got);
        slab_bars_free(want);
    }
    for (size_t i = 0; i < m1->n; i++)
        m1->ts_ns[i] += 60 * SLAB_NS_PER_SEC;
    slab_bars *e5 = NULL;
    assert_int_equal(slab_bars_resample(m1, 1, SLAB_TF_MINUTES, 5, &e5, &err), SLAB_OK);
    assert_int_equal(e5->ts_ns[0], D(2025, 7, 1) * SLAB_NS_PER_DAY + 575LL * 60 * SLAB_NS_PER_SEC);
    slab_bars_free(e5);
    slab_bars *bad = NULL;
    assert_int_equal(slab_bars_resample(m1, 1, SLAB_TF_MINUTES, 7, &bad, &err), SLAB_OK);
    slab_bars_free(bad); /* 7 minutes is a multiple of 1 */
    slab_bars *m5 = make("HOOD", "QQQ", D(2025, 7, 1), D(2025, 7, 2), SLAB_TF_MINUTES, 5, 9);
    assert_int_equal(slab_bars_resample(m5, 0, SLAB_TF_MINUTES, 7, &bad, &err), SLAB_EINVAL);
    assert_non_null(strstr(err.msg, "resample to a multiple of their period or to 1d"));
    slab_bars_free(m5);
    slab_bars_free(m1);
}

static void errors(void **state)
{
    (void)state;
    slab_error err;
    slab_bars *b = NULL;
    slab_synth_options week = {1, D(2025, 7, 1), D(2025, 7, 31), SLAB_TF_WEEKS, 1, NULL};
    assert_int_equal(slab_synth_generate(&week, "X", &b, &err), SLAB_EINVAL);
    assert_non_null(strstr(err.msg, "give --timeframe 1m, 5m, 15m, 1h or 1d"));
    slab_synth_options weekend = {1, D(2025, 7, 5), D(2025, 7, 6), SLAB_TF_MINUTES, 1, NULL};
    assert_int_equal(slab_synth_generate(&weekend, "X", &b, &err), SLAB_ERANGE);
    assert_non_null(strstr(err.msg, "no trading day between the dates"));
    slab_synth_options reversed = {1, D(2025, 7, 9), D(2025, 7, 1), SLAB_TF_MINUTES, 1, NULL};
    assert_int_equal(slab_synth_generate(&reversed, "X", &b, &err), SLAB_ERANGE);
    assert_null(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nyse_calendar),    cmocka_unit_test(sessions_and_aggregation),
        cmocka_unit_test(deterministic),    cmocka_unit_test(correlated_and_u_shaped),
        cmocka_unit_test(resample_matches), cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests_name("synth", tests, NULL, NULL);
}
