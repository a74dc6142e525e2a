/* test_ind_engine.c: TA-Lib indicators through the engine. A strategy
 * declares multi-input indicators (STOCH on high/low/close, MFI with
 * volume, CORREL of two series, OBV) and one on another indicator (EMA of
 * RSI, whose input starts with NaN); what next() reads must equal the
 * table's kernel run directly on the same columns. A wrong input count is
 * refused with its message. Runs on generated sample data. VWAP reads the
 * day series (slab_day_series) on a hand-computed two-day minute series. */
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/ind.h"
#include "stratlab/strategy.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_BARS 600
#define N_LINES 6

static slab_bars *bars;
static double seen[N_LINES][N_BARS]; /* what next() read, NaN if not called */

typedef struct st {
    int id[N_LINES];
} st;

static int init_ok(slab_ctx *ctx, void *state)
{
    st *s = state;
    int hlc[3] = {SLAB_HIGH, SLAB_LOW, SLAB_CLOSE};
    int hlcv[4] = {SLAB_HIGH, SLAB_LOW, SLAB_CLOSE, SLAB_VOLUME};
    int hl[2] = {SLAB_HIGH, SLAB_LOW}, cv[2] = {SLAB_CLOSE, SLAB_VOLUME}, c = SLAB_CLOSE;
    double stoch[5] = {14, 3, 0, 3, 1}, p14 = 14, p30 = 30, p10 = 10;
    s->id[0] = slab_indicator(ctx, "STOCH", hlc, 3, stoch, 5);
    s->id[1] = s->id[0] + 1; /* slowd */
    s->id[2] = slab_indicator(ctx, "MFI", hlcv, 4, &p14, 1);
    s->id[3] = slab_indicator(ctx, "CORREL", hl, 2, &p30, 1);
    s->id[4] = slab_indicator(ctx, "OBV", cv, 2, NULL, 0);
    int rsi = slab_indicator(ctx, "RSI", &c, 1, &p14, 1);
    s->id[5] = slab_indicator(ctx, "EMA", &rsi, 1, &p10, 1);
    for (int k = 0; k < N_LINES; k++)
        if (s->id[k] < 0)
            return -1;
    return 0;
}

static void next_rec(slab_ctx *ctx, void *state)
{
    st *s = state;
    long i = slab_bar(ctx);
    for (int k = 0; k < N_LINES; k++)
        seen[k][i] = slab_get(ctx, s->id[k], 0);
}

static int init_bad(slab_ctx *ctx, void *state)
{
    (void)state;
    int c = SLAB_CLOSE;
    return slab_indicator(ctx, "ATR", &c, 1, NULL, 0) < 0 ? -1 : 0;
}

static slab_status run(int (*init)(slab_ctx *, void *), slab_error *err)
{
    slab_strategy_def def = {SLAB_STRATEGY_ABI, "ind_probe", "probe", NULL, 0, sizeof(st), init,
                             next_rec,          NULL,        NULL,    NULL};
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_run *r = NULL;
    slab_broker_config_default(&cfg.broker);
    cfg.strategy = &def;
    cfg.params = NULL;
    cfg.stop_after_bar = -1;
    slab_status rc = slab_engine_run(bars, &cfg, &r, err);
    slab_run_free(r);
    return rc;
}

/* The kernel of name run directly; output k into out (N_BARS). */
static void direct(const char *name, const double *const *in, const double *p, int k, double *out)
{
    const slab_ind_def *d = slab_ind_find(name, NULL);
    double *o[SLAB_IND_MAX_OUTPUTS];
    slab_error err;
    for (int j = 0; j < d->n_outputs; j++)
        o[j] = malloc(N_BARS * sizeof(double));
    assert_int_equal(d->fn(in, N_BARS, p, o, &err), SLAB_OK);
    memcpy(out, o[k], N_BARS * sizeof(double));
    for (int j = 0; j < d->n_outputs; j++)
        free(o[j]);
}

static void engine_matches_kernels(void **state)
{
    (void)state;
    slab_error err;
    static double want[N_LINES][N_BARS], rsi[N_BARS];
    const double *hlc[3] = {bars->high, bars->low, bars->close};
    const double *hlcv[4] = {bars->high, bars->low, bars->close, bars->volume};
    const double *hl[2] = {bars->high, bars->low}, *cv[2] = {bars->close, bars->volume};
    const double *c[1] = {bars->close}, *r[1] = {rsi};
    /* Direct calls pass every parameter, flat (last, 0) included. */
    double stoch[6] = {14, 3, 0, 3, 1, 0}, correl[2] = {30, 0}, p14 = 14, p10 = 10;

    for (int k = 0; k < N_LINES; k++)
        for (int i = 0; i < N_BARS; i++)
            seen[k][i] = NAN;
    assert_int_equal(run(init_ok, &err), SLAB_OK);
    direct("STOCH", hlc, stoch, 0, want[0]);
    direct("STOCH", hlc, stoch, 1, want[1]);
    direct("MFI", hlcv, &p14, 0, want[2]);
    direct("CORREL", hl, correl, 0, want[3]);
    direct("OBV", cv, NULL, 0, want[4]);
    direct("RSI", c, &p14, 0, rsi);
    direct("EMA", r, &p10, 0, want[5]);
    assert_true(!isnan(want[5][23]) && isnan(want[5][22])); /* 14 + 10 - 1 */
    int compared = 0;
    for (int i = 0; i < N_BARS; i++) {
        if (isnan(seen[0][i]))
            continue;
        compared++;
        for (int k = 0; k < N_LINES; k++)
            if (!(seen[k][i] == want[k][i]))
                fail_msg("line %d bar %d: engine %.17g, kernel %.17g", k, i, seen[k][i],
                         want[k][i]);
    }
    assert_true(compared > N_BARS - 40);
}

static void wrong_input_count_is_refused(void **state)
{
    (void)state;
    slab_error err;
    assert_int_not_equal(run(init_bad, &err), SLAB_OK);
    if (!strstr(err.msg, "ATR takes 3 input(s)"))
        fail_msg("unexpected message: %s", err.msg);
}

/* slab_series_release: an indicator's input given back after use. */
static int release_rc[2];

static int init_release(slab_ctx *ctx, void *state)
{
    st *s = state;
    int c = SLAB_CLOSE;
    double p14 = 14, p10 = 10;
    int rsi = slab_indicator(ctx, "RSI", &c, 1, &p14, 1);
    int ema = slab_indicator(ctx, "EMA", &rsi, 1, &p10, 1);
    if (rsi < 0 || ema < 0)
        return -1;
    release_rc[0] = slab_series_release(ctx, rsi);
    release_rc[1] = slab_series_release(ctx, SLAB_CLOSE); /* a price column: kept */
    s->id[0] = ema;
    s->id[1] = rsi;
    for (int k = 2; k < N_LINES; k++)
        s->id[k] = SLAB_CLOSE;
    return 0;
}

static int init_release_then_use(slab_ctx *ctx, void *state)
{
    (void)state;
    int c = SLAB_CLOSE;
    double p14 = 14, p10 = 10;
    int rsi = slab_indicator(ctx, "RSI", &c, 1, &p14, 1);
    if (rsi < 0 || slab_series_release(ctx, rsi) != 0)
        return -1;
    return slab_indicator(ctx, "EMA", &rsi, 1, &p10, 1) < 0 ? -1 : 0;
}

static void released_input_reads_nan_and_keeps_the_start(void **state)
{
    (void)state;
    slab_error err;
    static double rsi[N_BARS], ema[N_BARS];
    const double *c[1] = {bars->close}, *r[1] = {rsi};
    double p14 = 14, p10 = 10;
    for (int k = 0; k < N_LINES; k++)
        for (int i = 0; i < N_BARS; i++)
            seen[k][i] = NAN;
    assert_int_equal(run(init_release, &err), SLAB_OK);
    assert_int_equal(release_rc[0], 0);
    assert_int_equal(release_rc[1], -1);
    direct("RSI", c, &p14, 0, rsi);
    direct("EMA", r, &p10, 0, ema);
    /* next() starts where the EMA of RSI(14) starts, bar 14 + 10 - 1 */
    assert_true(isnan(seen[0][22]) && isnan(seen[2][22]));
    for (int i = 23; i < N_BARS; i++) {
        if (!(seen[0][i] == ema[i]))
            fail_msg("bar %d: engine %.17g, kernel %.17g", i, seen[0][i], ema[i]);
        assert_true(isnan(seen[1][i]));               /* the released RSI */
        assert_true(seen[2][i] == bars->close[i]); /* the close, kept */
    }
    assert_int_not_equal(run(init_release_then_use, &err), SLAB_OK);
    if (!strstr(err.msg, "EMA input 0 was released"))
        fail_msg("unexpected message: %s", err.msg);
}

/* VWAP needs the day numbers: slab_day_series gives them as a series. */
static int init_vwap(slab_ctx *ctx, void *state)
{
    st *s = state;
    int day = slab_day_series(ctx);
    int in[5] = {SLAB_HIGH, SLAB_LOW, SLAB_CLOSE, SLAB_VOLUME, day};
    if (day < 0 || slab_day_series(ctx) != day) /* one series, made once */
        return -1;
    s->id[0] = slab_indicator(ctx, "VWAP", in, 5, NULL, 0);
    s->id[1] = day;
    return s->id[0] < 0 ? -1 : 0;
}

static void next_vwap(slab_ctx *ctx, void *state)
{
    st *s = state;
    for (int k = 0; k < 2; k++)
        seen[k][slab_bar(ctx)] = slab_get(ctx, s->id[k], 0);
}

/* Two one-minute bars on each of two days (2020-01-06 = day 18267):
 *   day 1: H11 L9 C10 V100 (typical 10), H12 L10 C11 V300 (typical 11)
 *          vwap 10, then (10*100 + 11*300)/400 = 4300/400 = 10.75
 *   day 2: H21 L19 C20 V50 (typical 20): the sums restart, vwap 20;
 *          H23 L21 C22 V50 (typical 22): (1000 + 1100)/100 = 21 */
static void vwap_restarts_each_day(void **state)
{
    (void)state;
    static const double hlcv[4][4] = {
        {11, 9, 10, 100}, {12, 10, 11, 300}, {21, 19, 20, 50}, {23, 21, 22, 50}};
    static const double want[4] = {10, 10.75, 20, 21}, want_day[4] = {18267, 18267, 18268, 18268};
    const int64_t t0 = INT64_C(18267) * SLAB_NS_PER_DAY + INT64_C(34200) * 1000000000;
    slab_bars *keep = bars, *b = slab_bars_new(4);
    slab_error err;
    for (int i = 0; i < 4; i++) {
        int64_t ts = t0 + (i >= 2 ? SLAB_NS_PER_DAY : 0) + (i % 2) * INT64_C(60000000000);
        assert_int_equal(slab_bars_push(b, ts, hlcv[i][2], hlcv[i][0], hlcv[i][1], hlcv[i][2],
                                        hlcv[i][3], 0, NULL),
                         SLAB_OK);
    }
    b->timeframe = SLAB_TF_MINUTES;
    b->compression = 1;
    bars = b;
    slab_strategy_def def = {SLAB_STRATEGY_ABI, "vwap_probe", "probe", NULL, 0, sizeof(st),
                             init_vwap, next_vwap, NULL, NULL, NULL};
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.strategy = &def;
    cfg.stop_after_bar = -1;
    slab_run *r = NULL;
    slab_status rc = slab_engine_run(b, &cfg, &r, &err);
    slab_run_free(r);
    bars = keep;
    slab_bars_free(b);
    assert_int_equal(rc, SLAB_OK);
    for (int i = 0; i < 4; i++) {
        slab_test_expect_close("vwap", i, seen[0][i], want[i], 0, 0);
        slab_test_expect_close("day", i, seen[1][i], want_day[i], 0, 0);
    }
}

static int setup(void **state)
{
    (void)state;
    slab_error err;
    return slab_sample_generate(7, N_BARS, SLAB_TF_DAYS, 1, slab_days_from_civil(2001, 1, 2), &bars,
                                &err) != SLAB_OK;
}

static int teardown(void **state)
{
    (void)state;
    slab_bars_free(bars);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(engine_matches_kernels),
        cmocka_unit_test(wrong_input_count_is_refused),
        cmocka_unit_test(released_input_reads_nan_and_keeps_the_start),
        cmocka_unit_test(vwap_restarts_each_day),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
