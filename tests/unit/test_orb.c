/* test_orb.c: the built-in orb on small constructed sessions, every
 * expected value worked out by hand in the comments (backtrader's rules:
 * a market order made on bar t fills at bar t+1's open; a StopTrail sits
 * at (1 - pct) x the highest close since its creating bar, that bar's
 * close included, is tried from the bar after it was made, fills at the
 * stop, or at the open when the open is already through it). Broker: cash
 * 10000, no commission, fixed stake 10 shares, so every number is small.
 * Also: several feeds on one clock (an unused feed changes nothing, bit
 * for bit), look-ahead (a run cut at each bar makes the same orders up to
 * that bar), and parameter errors. */
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MIN_NS (60LL * SLAB_NS_PER_SEC)

/* One 1-minute bar: start time HHMM, prices. */
typedef struct bar_row {
    int hhmm;
    double o, h, l, c;
} bar_row;

/* Day numbers of the sessions used: 2025-07-01 and 2025-07-02. */
static int64_t day1(void)
{
    return slab_days_from_civil(2025, 7, 1);
}
static int64_t day2(void)
{
    return slab_days_from_civil(2025, 7, 2);
}

static int64_t at(int64_t day, int hhmm)
{
    return day * SLAB_NS_PER_DAY + (int64_t)(hhmm / 100 * 60 + hhmm % 100) * MIN_NS;
}

/* Appends rows (on day) to b, creating it when *b is NULL. */
static void add_bars(slab_bars **b, const char *symbol, int64_t day, const bar_row *rows, size_t n)
{
    slab_error err;
    if (!*b) {
        *b = slab_bars_new(0);
        assert_non_null(*b);
        (*b)->timeframe = SLAB_TF_MINUTES;
        (*b)->compression = 1;
        snprintf((*b)->symbol, sizeof(*b)->symbol, "%s", symbol);
    }
    for (size_t i = 0; i < n; i++)
        assert_int_equal(slab_bars_push(*b, at(day, rows[i].hhmm), rows[i].o, rows[i].h, rows[i].l,
                                        rows[i].c, 1000, 0, &err),
                         SLAB_OK);
}

/* preroll_until_ns and the earnings calendar of the next runs. */
static int64_t preroll_ns;
static const slab_earnings *earnings;
static size_t n_earnings;

/* Runs orb on feeds with the "name=value" parameters; stop_after -1 = all.
 * Returns the run, or NULL with err set. */
static slab_run *run_orb(slab_bars **feeds, size_t n_feeds, const char **kv, size_t n_kv,
                         long stop_after, slab_error *err)
{
    const slab_strategy_def *def = slab_strategy_find("orb", err);
    double params[16];
    slab_run *run = NULL;
    assert_non_null(def);
    if (slab_strategy_resolve_params(def, kv, n_kv, params, err) != SLAB_OK)
        return NULL;
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 10000;
    cfg.broker.commission = 0;
    cfg.broker.sizer.kind = SLAB_SIZER_FIXED;
    cfg.broker.sizer.amount = 10;
    cfg.strategy = def;
    cfg.params = params;
    cfg.param_text = kv;
    cfg.n_param_text = n_kv;
    cfg.stop_after_bar = stop_after;
    cfg.preroll_until_ns = preroll_ns;
    cfg.earnings = earnings;
    cfg.n_earnings = n_earnings;
    if (slab_engine_run_feeds((const slab_bars *const *)feeds, n_feeds, &cfg, NULL, &run, err) !=
        SLAB_OK)
        return NULL;
    return run;
}

static slab_run *run_ok(slab_bars **feeds, size_t n, const char **kv, size_t n_kv)
{
    slab_error err;
    slab_run *r = run_orb(feeds, n, kv, n_kv, -1, &err);
    if (!r)
        fail_msg("run: %s", err.msg);
    return r;
}

#define CLOSE(what, got, want) slab_test_expect_close(what, 0, got, want, 1e-12, 1e-12)

/* A breakout session: range 09:30-09:31 (opening_range_minutes 2) with
 * high 101.5 (09:31) and low 99 (09:30); 09:32 is the first bar after the
 * range and closes at 101.75 > 101.5: the breakout. */
static const bar_row breakout_day[] = {
    {930, 100, 101, 99, 100.5},      {931, 100.5, 101.5, 100, 101},
    {932, 101, 102, 101, 101.75},    {933, 102, 103, 101.5, 102.5},
    {934, 102.5, 103, 102, 102.75},  {935, 102.75, 103.5, 102.5, 103},
    {936, 103, 103.5, 102.5, 103},   {937, 103, 103.5, 102.5, 103},
    {938, 103.25, 103.25, 103, 103}, {939, 103, 103.5, 103, 103.25},
};

/* Breakout on the first eligible bar, held to the session exit (no trail):
 * 09:32 closes above 101.5 -> buy 10, filled at 09:33's open 102. exit_time
 * 09:38: the first bar ending at or after it is 09:37 (ends 09:38) -> close,
 * filled at 09:38's open 103.25. pnl = (103.25 - 102) x 10 = 12.5, exit
 * reason session_close. Highest high while open: 103.5 (09:35-09:37; the
 * exit bar 09:38 never goes above its open), so max_gain = 1.5. */
static void breakout_then_session_close(void **state)
{
    (void)state;
    slab_bars *b = NULL;
    add_bars(&b, "ACME", day1(), breakout_day, SLAB_COUNT(breakout_day));
    const char *kv[] = {"opening_range_minutes=2", "exit_time=09:38", "trailing_stop_pct=0"};
    slab_run *r = run_ok(&b, 1, kv, 3);
    assert_int_equal(r->n_trades, 1);
    const slab_trade *t = &r->trades[0];
    assert_int_equal(t->entry_ts_ns, at(day1(), 933));
    assert_int_equal(t->exit_ts_ns, at(day1(), 938));
    CLOSE("entry", t->entry_price, 102);
    CLOSE("exit", t->exit_price, 103.25);
    CLOSE("size", t->size, 10);
    CLOSE("pnl", t->pnl, 12.5);
    CLOSE("max_gain", t->max_gain, 1.5);
    CLOSE("highest", t->high_price, 103.5);
    assert_int_equal(t->exit_reason, SLAB_EXIT_SESSION_CLOSE);
    assert_int_equal(r->n_days, 1);
    const slab_day_record *d = &r->days[0];
    CLOSE("range_high", d->range_high, 101.5);
    CLOSE("range_low", d->range_low, 99);
    assert_int_equal(d->breakout_ts_ns, at(day1(), 932));
    assert_int_equal(d->decision, SLAB_DAY_TRADED);
    assert_int_equal(d->entry_status, SLAB_ORDER_COMPLETED);
    /* orders: the entry (09:32) and the session close (09:37), both done */
    assert_int_equal(r->n_orders, 2);
    assert_int_equal(r->orders[1].created_ts_ns, at(day1(), 937));
    slab_run_free(r);
    slab_bars_free(b);
}

/* No breakout: after the range (high 101.5) the closes stay at or below
 * 101.5, though 09:33's high (102) pierces it: the close decides. */
static void no_breakout(void **state)
{
    (void)state;
    static const bar_row rows[] = {
        {930, 100, 101, 99, 100.5}, {931, 100.5, 101.5, 100, 101},  {932, 101, 101.5, 100, 101.5},
        {933, 101, 102, 100, 101},  {934, 101, 101.25, 100, 100.5}, {935, 100.5, 101, 99, 99.5},
    };
    slab_bars *b = NULL;
    add_bars(&b, "ACME", day1(), rows, SLAB_COUNT(rows));
    const char *kv[] = {"opening_range_minutes=2", "exit_time=09:38"};
    slab_run *r = run_ok(&b, 1, kv, 2);
    assert_int_equal(r->n_trades, 0);
    assert_int_equal(r->n_orders, 0);
    assert_int_equal(r->n_days, 1);
    assert_int_equal(r->days[0].decision, SLAB_DAY_NO_BREAKOUT);
    assert_int_equal(r->days[0].breakout_ts_ns, 0);
    CLOSE("range_high", r->days[0].range_high, 101.5);
    slab_run_free(r);
    slab_bars_free(b);
}

/* Breakout then trailing stop (4%): range high 50 (09:31), low 49;
 * 09:32 closes 50.5 -> buy, filled at 09:33's open 51. The StopTrail is
 * made on 09:33 at its close 52: stop 52 x 0.96 = 49.92. 09:34: low 52 is
 * above it; close 54 -> stop 54 x 0.96 = 51.84. 09:35 opens 53, low 50 <=
 * 51.84 -> filled at 51.84. pnl = (51.84 - 51) x 10 = 8.4, exit reason
 * trailing_stop; highest high while open 54 -> max_gain 3, so the trail
 * kept 0.84 / 3 = 28% of it. */
static void breakout_then_trailing_stop(void **state)
{
    (void)state;
    static const bar_row rows[] = {
        {930, 49.5, 50, 49, 49.5}, {931, 49.5, 50, 49.5, 50}, {932, 50, 50.75, 50, 50.5},
        {933, 51, 52, 51, 52},     {934, 52, 54, 52, 54},     {935, 53, 53, 50, 50.5},
        {936, 50.5, 51, 50, 50.5}, {937, 50.5, 51, 50, 50.5},
    };
    slab_bars *b = NULL;
    add_bars(&b, "ACME", day1(), rows, SLAB_COUNT(rows));
    const char *kv[] = {"opening_range_minutes=2", "exit_time=09:45", "trailing_stop_pct=4"};
    slab_run *r = run_ok(&b, 1, kv, 3);
    assert_int_equal(r->n_trades, 1);
    const slab_trade *t = &r->trades[0];
    assert_int_equal(t->entry_ts_ns, at(day1(), 933));
    assert_int_equal(t->exit_ts_ns, at(day1(), 935));
    CLOSE("entry", t->entry_price, 51);
    CLOSE("exit", t->exit_price, 51.84);
    CLOSE("pnl", t->pnl, 8.4);
    CLOSE("max_gain", t->max_gain, 3);
    CLOSE("highest", t->high_price, 54);
    CLOSE("mfe_capture", t->pnl / t->size / t->max_gain, 0.28);
    assert_int_equal(t->exit_reason, SLAB_EXIT_TRAILING_STOP);
    assert_int_equal(r->orders[1].type, SLAB_ORDER_STOP_TRAIL);
    assert_int_equal(r->orders[1].created_ts_ns, at(day1(), 933));
    slab_run_free(r);
    slab_bars_free(b);
}

/* Two sessions of ACME (the breakout day twice) and IDX, the filter.
 * IDX day 1 ends at 200 (its 09:39 close); day 2 its closes are given. */
static void filter_feeds(slab_bars **feeds, const bar_row *idx2, size_t n_idx2)
{
    static const bar_row idx1[] = {
        {930, 190, 191, 189, 190},
        {935, 195, 196, 194, 195},
        {939, 199, 200, 199, 200},
    };
    feeds[0] = feeds[1] = NULL;
    add_bars(&feeds[0], "ACME", day1(), breakout_day, SLAB_COUNT(breakout_day));
    add_bars(&feeds[0], "ACME", day2(), breakout_day, SLAB_COUNT(breakout_day));
    add_bars(&feeds[1], "IDX", day1(), idx1, SLAB_COUNT(idx1));
    add_bars(&feeds[1], "IDX", day2(), idx2, n_idx2);
}

static const char *filter_kv[] = {"opening_range_minutes=2", "exit_time=09:38",
                                  "trailing_stop_pct=0", "market_filter=IDX"};

/* Filter blocks the day. Day 1: breakout at 09:32 but IDX has no previous
 * session -> no_prior_session, no order. Day 2: breakout at 09:32, IDX's
 * 09:32 close 199.5 is not above its day-1 last close 200 ->
 * blocked_by_filter; the 09:33 IDX close 250 comes after the decision
 * and changes nothing. No trades at all. */
static void filter_blocks(void **state)
{
    (void)state;
    static const bar_row idx2[] = {
        {930, 201, 202, 200, 201},
        {931, 201, 201, 199, 199.75},
        {932, 199.75, 200, 199, 199.5},
        {933, 240, 250, 240, 250},
    };
    slab_bars *f[2];
    filter_feeds(f, idx2, SLAB_COUNT(idx2));
    slab_run *r = run_ok(f, 2, filter_kv, 4);
    assert_int_equal(r->n_trades, 0);
    assert_int_equal(r->n_orders, 0);
    assert_int_equal(r->n_days, 2);
    assert_int_equal(r->days[0].decision, SLAB_DAY_NO_PRIOR_SESSION);
    assert_true(isnan(r->days[0].filter_prev_close));
    assert_int_equal(r->days[1].decision, SLAB_DAY_BLOCKED_BY_FILTER);
    CLOSE("filter_close", r->days[1].filter_close, 199.5);
    CLOSE("filter_prev_close", r->days[1].filter_prev_close, 200);
    assert_int_equal(r->days[1].filter_ts_ns, at(day2(), 932));
    /* the clock: ACME's 20 bars plus none of IDX's (all at ACME times) */
    assert_int_equal(r->n_bars, 20);
    slab_run_free(r);
    slab_bars_free(f[0]);
    slab_bars_free(f[1]);
}

/* A filter feed missing a bar: IDX has no 09:32 bar on day 2, so at
 * ACME's 09:32 breakout it still shows its 09:31 bar, close 201 > 200 ->
 * traded: buy at 09:33's open 102, closed at 09:38's open 103.25 (as in
 * breakout_then_session_close). IDX's 09:40 bar is past ACME's last bar
 * (09:39) and adds one clock step: 21 steps. */
static void filter_feed_missing_bar(void **state)
{
    (void)state;
    static const bar_row idx2[] = {
        {930, 201, 202, 200, 201},
        {931, 201, 201.5, 200.5, 201},
        {933, 150, 151, 149, 150},
        {940, 150, 151, 149, 150},
    };
    slab_bars *f[2];
    filter_feeds(f, idx2, SLAB_COUNT(idx2));
    slab_run *r = run_ok(f, 2, filter_kv, 4);
    assert_int_equal(r->n_bars, 21);
    assert_int_equal(r->ts_ns[20], at(day2(), 940));
    assert_int_equal(r->days[1].decision, SLAB_DAY_TRADED);
    CLOSE("filter_close", r->days[1].filter_close, 201);
    assert_int_equal(r->days[1].filter_ts_ns, at(day2(), 931));
    assert_int_equal(r->n_trades, 1);
    assert_int_equal(r->trades[0].entry_ts_ns, at(day2(), 933));
    CLOSE("pnl", r->trades[0].pnl, 12.5);
    assert_string_equal(r->symbols[r->trades[0].feed], "ACME");
    /* the last step is IDX's alone: ACME keeps its last bar, the value
     * stays the cash (flat) */
    CLOSE("last value", r->value[20], 10000 + 12.5);
    slab_run_free(r);
    slab_bars_free(f[0]);
    slab_bars_free(f[1]);
}

/* One session with the filter's previous session before it (what `run
 * --date D` does: the filter feed is loaded from days before, the clock
 * steps before D 09:30 only move the feeds). The run starts at day 2: 10
 * steps, one session; IDX's day-1 last close 200 is its previous close,
 * so day 2 (IDX 199.5 at 09:32) is blocked_by_filter, not
 * no_prior_session. */
static void preroll_gives_the_filter_its_previous_session(void **state)
{
    (void)state;
    static const bar_row idx2[] = {
        {930, 201, 202, 200, 201},
        {931, 201, 201, 199, 199.75},
        {932, 199.75, 200, 199, 199.5},
    };
    slab_bars *f[2];
    filter_feeds(f, idx2, SLAB_COUNT(idx2));
    preroll_ns = at(day2(), 930);
    slab_run *r = run_ok(f, 2, filter_kv, 4);
    preroll_ns = 0;
    assert_int_equal(r->n_bars, 10);
    assert_int_equal(r->ts_ns[0], at(day2(), 930));
    assert_int_equal(r->n_days, 1);
    assert_int_equal(r->days[0].decision, SLAB_DAY_BLOCKED_BY_FILTER);
    CLOSE("filter_prev_close", r->days[0].filter_prev_close, 200);
    CLOSE("value", r->value[9], 10000);
    slab_run_free(r);
    slab_bars_free(f[0]);
    slab_bars_free(f[1]);
}

/* Earnings: a release after the close of 2025-07-01 (amc) puts the next
 * session, 2025-07-02, on watch: with skip_earnings it is
 * skipped_earnings and only day 1 trades (12.5, as in
 * breakout_then_session_close). A before-the-open release (bmo) on
 * 2025-07-01 skips day 1 instead. Another symbol's release changes
 * nothing. And the calendar: AAPL's amc on Thursday 2025-07-03 watches
 * Monday 2025-07-07 (the 4th is a holiday, then the weekend). */
static void earnings_skip(void **state)
{
    (void)state;
    slab_bars *b = NULL;
    add_bars(&b, "ACME", day1(), breakout_day, SLAB_COUNT(breakout_day));
    add_bars(&b, "ACME", day2(), breakout_day, SLAB_COUNT(breakout_day));
    const char *kv[] = {"opening_range_minutes=2", "exit_time=09:38", "trailing_stop_pct=0",
                        "skip_earnings=true"};
    static const struct {
        slab_earnings e;
        int skipped_day; /* 0: none, 1 or 2 */
    } rows[] = {
        {{"ACME", 0, 1}, 2}, /* amc on day 1 */
        {{"ACME", 0, 0}, 1}, /* bmo on day 1 */
        {{"OTHER", 0, 0}, 0},
    };
    for (size_t k = 0; k < SLAB_COUNT(rows); k++) {
        slab_earnings e = rows[k].e;
        e.day = day1();
        earnings = &e;
        n_earnings = 1;
        slab_run *r = run_ok(&b, 1, kv, 4);
        earnings = NULL;
        n_earnings = 0;
        assert_int_equal(r->n_days, 2);
        for (int d = 0; d < 2; d++)
            assert_int_equal(r->days[d].decision, rows[k].skipped_day == d + 1
                                                      ? SLAB_DAY_SKIPPED_EARNINGS
                                                      : SLAB_DAY_TRADED);
        assert_int_equal(r->n_trades, rows[k].skipped_day ? 1 : 2);
        CLOSE("pnl", r->trades[0].pnl, 12.5);
        slab_run_free(r);
    }
    slab_earnings aapl = {"AAPL", 0, 1};
    aapl.day = slab_days_from_civil(2025, 7, 3);
    assert_true(slab_earnings_hit(&aapl, 1, "AAPL", slab_days_from_civil(2025, 7, 7)));
    assert_false(slab_earnings_hit(&aapl, 1, "AAPL", slab_days_from_civil(2025, 7, 3)));
    assert_false(slab_earnings_hit(&aapl, 1, "AAPL", slab_days_from_civil(2025, 7, 8)));
    slab_bars_free(b);
}

/* entry=stop: the buy stop at the range high 101.5 is placed on the
 * range's last bar (09:31, close 101 below it) and works from 09:32, which
 * opens at 101 and reaches 102: filled at the stop, 101.5, on 09:32. The
 * session exit sells at 09:38's open 103.25: pnl (103.25 - 101.5) x 10 =
 * 17.5. The breakout bar is the fill bar. */
static void stop_entry(void **state)
{
    (void)state;
    slab_bars *b = NULL;
    add_bars(&b, "ACME", day1(), breakout_day, SLAB_COUNT(breakout_day));
    const char *kv[] = {"opening_range_minutes=2", "exit_time=09:38", "trailing_stop_pct=0",
                        "entry=stop"};
    slab_run *r = run_ok(&b, 1, kv, 4);
    assert_int_equal(r->n_trades, 1);
    assert_int_equal(r->orders[0].type, SLAB_ORDER_STOP);
    assert_int_equal(r->orders[0].created_ts_ns, at(day1(), 931));
    assert_int_equal(r->trades[0].entry_ts_ns, at(day1(), 932));
    CLOSE("entry", r->trades[0].entry_price, 101.5);
    CLOSE("pnl", r->trades[0].pnl, 17.5);
    assert_int_equal(r->days[0].decision, SLAB_DAY_TRADED);
    assert_int_equal(r->days[0].breakout_ts_ns, at(day1(), 932));
    slab_run_free(r);
    slab_bars_free(b);
}

/* The session of breakout_then_trailing_stop (range 49..50, bought at
 * 09:33's open 51) with other exits, no trail:
 * - stop_at_range alone: a sell stop at the range low 49 from 09:34;
 *   09:34 opens 50 and falls to 48 -> filled at 49: pnl (49 - 51) x 10 =
 *   -20, exit reason stop_loss;
 * - with take_profit_r=1 too: a sell limit at 51 + 1 x (50 - 49) = 52;
 *   09:34 opens at 52 -> filled there: pnl 10, exit reason take_profit, and
 *   the stop (one-cancels-other with the target) is cancelled. */
static void range_stop_and_target(void **state)
{
    (void)state;
    static const bar_row down[] = {
        {930, 49.5, 50, 49, 49.5}, {931, 49.5, 50, 49.5, 50}, {932, 50, 50.75, 50, 50.5},
        {933, 51, 52, 51, 51.5},   {934, 50, 50, 48, 48.5},   {935, 48.5, 49, 48, 48.5},
    };
    static const bar_row up[] = {
        {930, 49.5, 50, 49, 49.5}, {931, 49.5, 50, 49.5, 50}, {932, 50, 50.75, 50, 50.5},
        {933, 51, 51.5, 51, 51.5}, {934, 52, 54, 52, 54},     {935, 53, 53, 50, 50.5},
    };
    slab_bars *b = NULL;
    add_bars(&b, "ACME", day1(), down, SLAB_COUNT(down));
    const char *kv[] = {"opening_range_minutes=2", "exit_time=09:45", "trailing_stop_pct=0",
                        "stop_at_range=true", "take_profit_r=1"};
    slab_run *r = run_ok(&b, 1, kv, 4);
    assert_int_equal(r->n_trades, 1);
    CLOSE("stop exit", r->trades[0].exit_price, 49);
    CLOSE("stop pnl", r->trades[0].pnl, -20);
    assert_int_equal(r->trades[0].exit_reason, SLAB_EXIT_STOP_LOSS);
    slab_run_free(r);
    slab_bars_free(b);
    b = NULL;
    add_bars(&b, "ACME", day1(), up, SLAB_COUNT(up));
    r = run_ok(&b, 1, kv, 5);
    assert_int_equal(r->n_trades, 1);
    CLOSE("target exit", r->trades[0].exit_price, 52);
    CLOSE("target pnl", r->trades[0].pnl, 10);
    assert_int_equal(r->trades[0].exit_reason, SLAB_EXIT_TAKE_PROFIT);
    assert_int_equal(r->n_orders, 3); /* entry, stop (cancelled), target */
    assert_int_equal(r->orders[1].status, SLAB_ORDER_CANCELED);
    assert_int_equal(r->orders[2].status, SLAB_ORDER_COMPLETED);
    slab_run_free(r);
    slab_bars_free(b);
}

/* Short side: direction=short, range low 99 (09:30); 09:32 closes 98.5 <
 * 99 -> sell 10, filled at 09:33's open 98. exit_time 09:36: the 09:35 bar
 * ends then -> buy to close, filled at 09:36's open 97.5. pnl = (98 -
 * 97.5) x 10 = 5; lowest low while open 97 (09:34) -> max_gain 1. */
static void short_side(void **state)
{
    (void)state;
    static const bar_row rows[] = {
        {930, 100, 100.5, 99, 99.5},    {931, 99.5, 100, 99.25, 99.5},
        {932, 99.5, 99.5, 98.25, 98.5}, {933, 98, 98.5, 97.75, 98},
        {934, 98, 98.25, 97, 97.5},     {935, 97.5, 98, 97.25, 97.75},
        {936, 97.5, 98, 97.25, 97.75},
    };
    slab_bars *b = NULL;
    add_bars(&b, "ACME", day1(), rows, SLAB_COUNT(rows));
    /* direction=both trades the same session the same way (the first close
     * beyond the range is below it); direction=long never trades it */
    static const char *dirs[] = {"direction=short", "direction=both", "direction=long"};
    for (int k = 0; k < 3; k++) {
        const char *kv[] = {"opening_range_minutes=2", "exit_time=09:36", "trailing_stop_pct=0",
                            dirs[k]};
        slab_run *r = run_ok(&b, 1, kv, 4);
        if (k == 2) {
            assert_int_equal(r->n_trades, 0);
            assert_int_equal(r->days[0].decision, SLAB_DAY_NO_BREAKOUT);
            slab_run_free(r);
            continue;
        }
        assert_int_equal(r->n_trades, 1);
        const slab_trade *t = &r->trades[0];
        assert_false(t->is_long);
        CLOSE("size", t->size, -10);
        CLOSE("entry", t->entry_price, 98);
        CLOSE("exit", t->exit_price, 97.5);
        CLOSE("pnl", t->pnl, 5);
        CLOSE("max_gain", t->max_gain, 1);
        CLOSE("lowest", t->low_price, 97);
        assert_int_equal(t->exit_reason, SLAB_EXIT_SESSION_CLOSE);
        assert_int_equal(r->days[0].breakout_short, 1);
        slab_run_free(r);
    }
    slab_bars_free(b);
}

/* Look-ahead: the run cut after each clock step makes exactly the orders
 * the full run made up to that step (same times and sizes), and the same
 * session decisions for the sessions decided by then. */
static void cut_runs_agree(void **state)
{
    (void)state;
    static const bar_row idx2[] = {
        {930, 201, 202, 200, 201},
        {931, 201, 201.5, 200.5, 201},
        {933, 150, 151, 149, 150},
    };
    slab_bars *f[2];
    slab_error err;
    filter_feeds(f, idx2, SLAB_COUNT(idx2));
    slab_run *full = run_ok(f, 2, filter_kv, 4);
    assert_true(full->n_orders >= 2);
    for (long k = 0; k < (long)full->n_bars; k++) {
        slab_run *cut = run_orb(f, 2, filter_kv, 4, k, &err);
        assert_non_null(cut);
        size_t want = 0;
        for (size_t o = 0; o < full->n_orders; o++)
            want += full->orders[o].created_ts_ns <= full->ts_ns[k];
        assert_int_equal(cut->n_orders, want);
        for (size_t o = 0; o < want; o++) {
            assert_int_equal(cut->orders[o].created_ts_ns, full->orders[o].created_ts_ns);
            assert_true(slab_test_same(cut->orders[o].created_size, full->orders[o].created_size));
        }
        for (size_t d = 0; d < cut->n_days; d++)
            if (cut->days[d].breakout_ts_ns)
                assert_int_equal(cut->days[d].decision, full->days[d].decision);
        slab_run_free(cut);
    }
    slab_run_free(full);
    slab_bars_free(f[0]);
    slab_bars_free(f[1]);
}

/* A second feed the strategy never reads changes nothing, bit for bit:
 * sma_cross on 600 sample days alone, and with a feed at every third of
 * those days (the clock stays the first feed's). */
static void unused_feed_is_bit_identical(void **state)
{
    (void)state;
    slab_error err;
    slab_bars *a = NULL, *c = NULL;
    assert_int_equal(slab_sample_generate(7, 600, SLAB_TF_DAYS, 1, 16000, &a, &err), SLAB_OK);
    assert_int_equal(slab_sample_generate(8, 600, SLAB_TF_DAYS, 1, 16000, &c, &err), SLAB_OK);
    snprintf(a->symbol, sizeof a->symbol, "A");
    slab_bars *b = slab_bars_new(0);
    assert_non_null(b);
    snprintf(b->symbol, sizeof b->symbol, "B");
    for (size_t i = 0; i < c->n; i += 3)
        assert_int_equal(slab_bars_push(b, a->ts_ns[i], c->open[i], c->high[i], c->low[i],
                                        c->close[i], c->volume[i], 0, &err),
                         SLAB_OK);
    const slab_strategy_def *def = slab_strategy_find("sma_cross", &err);
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.commission = 0.001;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95;
    cfg.strategy = def;
    cfg.stop_after_bar = -1;
    slab_run *one = NULL, *two = NULL;
    slab_bars *feeds[2] = {a, b};
    assert_int_equal(slab_engine_run(a, &cfg, &one, &err), SLAB_OK);
    assert_int_equal(
        slab_engine_run_feeds((const slab_bars *const *)feeds, 2, &cfg, NULL, &two, &err), SLAB_OK);
    assert_int_equal(one->n_bars, two->n_bars);
    assert_true(one->n_trades > 2);
    for (size_t i = 0; i < one->n_bars; i++)
        if (!slab_test_same(one->value[i], two->value[i]) ||
            !slab_test_same(one->cash[i], two->cash[i]))
            fail_msg("step %zu: %.17g vs %.17g", i, one->value[i], two->value[i]);
    assert_int_equal(one->n_trades, two->n_trades);
    for (size_t k = 0; k < one->n_trades; k++)
        assert_true(slab_test_same(one->trades[k].pnlcomm, two->trades[k].pnlcomm) &&
                    one->trades[k].exit_ts_ns == two->trades[k].exit_ts_ns);
    assert_int_equal(one->n_orders, two->n_orders);
    slab_run_free(one);
    slab_run_free(two);
    slab_bars_free(a);
    slab_bars_free(b);
    slab_bars_free(c);
}

/* Parameter errors: one clear line each. */
static void parameter_errors(void **state)
{
    (void)state;
    static const struct {
        const char *kv;
        const char *want; /* a part of the message */
    } rows[] = {
        {"market_filter=QQQ", "market_filter=QQQ is not one of the run's feeds; add it (--symbol "
                              "QQQ, or --data QQQ=FILE)"},
        {"market_filter=ACME", "market_filter=ACME is the traded symbol"},
        {"direction=sideways", "direction=sideways: use long, short or both"},
        {"entry=limit", "entry=limit: use close"},
        {"exit_time=25:00", "exit_time=25:00 is not a time of day HH:MM from 00:00 to 23:59"},
        {"exit_time=09:31", "exit_time must come after the opening range"},
        {"market_filter=a b", "market_filter=a b is not a word"},
    };
    slab_bars *b = NULL;
    add_bars(&b, "ACME", day1(), breakout_day, SLAB_COUNT(breakout_day));
    for (size_t k = 0; k < SLAB_COUNT(rows); k++) {
        slab_error err;
        const char *kv[1] = {rows[k].kv};
        slab_run *r = run_orb(&b, 1, kv, 1, -1, &err);
        assert_null(r);
        if (!strstr(err.msg, rows[k].want))
            fail_msg("%s: got '%s', want '%s'", rows[k].kv, err.msg, rows[k].want);
    }
    slab_bars_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(breakout_then_session_close),
        cmocka_unit_test(no_breakout),
        cmocka_unit_test(breakout_then_trailing_stop),
        cmocka_unit_test(filter_blocks),
        cmocka_unit_test(filter_feed_missing_bar),
        cmocka_unit_test(preroll_gives_the_filter_its_previous_session),
        cmocka_unit_test(earnings_skip),
        cmocka_unit_test(short_side),
        cmocka_unit_test(stop_entry),
        cmocka_unit_test(range_stop_and_target),
        cmocka_unit_test(cut_runs_agree),
        cmocka_unit_test(unused_feed_is_bit_identical),
        cmocka_unit_test(parameter_errors),
    };
    return cmocka_run_group_tests_name("orb", tests, NULL, NULL);
}
