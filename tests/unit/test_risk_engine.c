/* test_risk_engine.c: the engine's risk manager (risk.h) with a trivial
 * strategy that only sends the orders a table row scripts (buy/sell N
 * shares or close, on given bars), so every exit below comes from the
 * engine. Commission 0, cash 10000. Expected prices are worked out by hand
 * beside each row from backtrader's fill rules (semantics §4.3).
 * Common start: bar 0 (O=H=L=C 100) sends the entry, bar 1 (O100 H101 L99
 * C100) fills it at 100 and the engine sends the protective orders there
 * (created at C1 = 100), tried from bar 2. */
#include "slab_test.h"

#include "stratlab/broker.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/risk.h"

#include <math.h>
#include <string.h>

typedef struct act {
    long bar;
    double size; /* > 0 buy, < 0 sell, 0 close the position */
} act;

#define MAX_ACTS 4
static act g_acts[MAX_ACTS];

static void script_next(slab_ctx *ctx, void *st)
{
    (void)st;
    for (int k = 0; k < MAX_ACTS && g_acts[k].bar >= 0; k++) {
        if (g_acts[k].bar != slab_bar(ctx))
            continue;
        if (g_acts[k].size > 0)
            slab_buy(ctx, g_acts[k].size);
        else if (g_acts[k].size < 0)
            slab_sell(ctx, -g_acts[k].size);
        else
            slab_close_position(ctx);
    }
}

static const slab_strategy_def script = {SLAB_STRATEGY_ABI, "script", "scripted orders", NULL,
                                         0, 0, NULL, script_next, NULL, NULL, NULL};

#define MAX_BARS 8
#define DAY0 INT64_C(18267) /* 2020-01-06 */

typedef struct row {
    const char *name;
    const char *risk[3][2];       /* key, value pairs (NULL ends) */
    act acts[MAX_ACTS];           /* ends with bar -1 */
    double bars[MAX_BARS][4];     /* from bar 2 on: O, H, L, C (0 ends) */
    int coc;
    /* expected */
    size_t n_trades;
    double exit_price;            /* first trade */
    slab_exit_reason reason;      /* first trade */
    long exit_bar;
    double position;              /* at the end */
} row;

#define B01 {100, 100, 100, 100}, {100, 101, 99, 100}

static slab_run *run_row(const row *r, int64_t step_ns, int64_t t0, slab_error *err,
                         slab_status *st)
{
    slab_bars *b = slab_bars_new(MAX_BARS);
    for (size_t i = 0; i < MAX_BARS && r->bars[i][0] > 0; i++)
        assert_int_equal(slab_bars_push(b, t0 + (int64_t)i * step_ns, r->bars[i][0], r->bars[i][1],
                                        r->bars[i][2], r->bars[i][3], 0, 0, NULL),
                         SLAB_OK);
    b->timeframe = step_ns == SLAB_NS_PER_DAY ? SLAB_TF_DAYS : SLAB_TF_MINUTES;
    b->compression = 1;
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.coc = r->coc;
    cfg.strategy = &script;
    cfg.stop_after_bar = -1;
    for (int k = 0; k < 3 && r->risk[k][0]; k++)
        assert_int_equal(slab_risk_set(&cfg.risk, r->risk[k][0], r->risk[k][1], err), SLAB_OK);
    memcpy(g_acts, r->acts, sizeof g_acts);
    slab_run *run = NULL;
    *st = slab_engine_run(b, &cfg, &run, err);
    if (run)
        run->ts_ns = NULL; /* the bars go away */
    slab_bars_free(b);
    return run;
}

static void check_row(const row *r, slab_run *run)
{
    print_message("row %s\n", r->name);
    assert_int_equal(run->n_trades, r->n_trades);
    if (r->n_trades) {
        slab_test_expect_close(r->name, 0, run->trades[0].exit_price, r->exit_price, 0, 0);
        assert_int_equal(run->trades[0].exit_reason, r->reason);
        assert_int_equal((long)run->trades[0].exit_bar, r->exit_bar);
    }
    slab_test_expect_close(r->name, 1, run->position_size, r->position, 0, 0);
}

#define END {-1, 0}
#define BUY10 {{0, 10}, END, END, END}
#define SELL10 {{0, -10}, END, END, END}

static const row daily_rows[] = {
    /* Long stop 2%: 100*(1-0.02) = 98; bar 2 opens 99.5 > 98 and dips to
     * 97: fills at 98. */
    {"long_stop_percent", {{"stop_loss", "2%"}}, BUY10,
     {B01, {99.5, 100, 97, 97.5}}, 0, 1, 98, SLAB_EXIT_STOP_LOSS, 2, 0},
    /* Long target 5%: 105; bar 2 O102 < 105, H106: fills at 105. */
    {"long_target_percent", {{"take_profit", "5%"}, {"stop_loss", "2%"}}, BUY10,
     {B01, {102, 106, 101.5, 103}}, 0, 1, 105, SLAB_EXIT_TAKE_PROFIT, 2, 0},
    /* Long stop 1.5 away: 98.5; bar 2 L97. */
    {"long_stop_amount", {{"stop_loss", "1.5"}}, BUY10,
     {B01, {99.5, 100, 97, 97.5}}, 0, 1, 98.5, SLAB_EXIT_STOP_LOSS, 2, 0},
    /* Long stop at the price 99.25; bar 2 L97, O99.5 above it. */
    {"long_stop_price", {{"stop_loss", "@99.25"}}, BUY10,
     {B01, {99.5, 100, 97, 97.5}}, 0, 1, 99.25, SLAB_EXIT_STOP_LOSS, 2, 0},
    /* 2 ATR(1): ATR(1) at the fill bar 1 is its true range
     * max(101-99, |101-100|, |99-100|) = 2, so the stop is 100 - 2*2 = 96;
     * bar 2 (O99, L95) fills it at 96. */
    {"long_stop_atr", {{"stop_loss", "2atr"}, {"atr_period", "1"}}, BUY10,
     {B01, {99, 99.5, 95, 95.5}}, 0, 1, 96, SLAB_EXIT_STOP_LOSS, 2, 0},
    /* Target 1 ATR(1) = 102; bar 2 O101 H102.5: fills at 102. */
    {"long_target_atr", {{"take_profit", "1atr"}, {"atr_period", "1"}}, BUY10,
     {B01, {101, 102.5, 100.5, 102}}, 0, 1, 102, SLAB_EXIT_TAKE_PROFIT, 2, 0},
    /* Trail 0.75 from C1 100: 99.25. Bar 2 (L100) does not touch it and
     * C 102 moves it to 101.25; bar 3 opens 101.5 and dips to 101: 101.25. */
    {"long_trail_amount", {{"trail", "0.75"}}, BUY10,
     {B01, {100.5, 102, 100, 102}, {101.5, 101.8, 101, 101.2}}, 0, 1, 101.25,
     SLAB_EXIT_TRAILING_STOP, 3, 0},
    /* The same trail on bars whose high is above the close: bar 2 (H103,
     * C102) moves the stop to C 102 - 0.75 = 101.25, not to H 103 - 0.75 =
     * 102.25 (backtrader trails the close); bar 3 opens 101.5 above it and
     * dips to 101: fills at 101.25. A stop that followed the high would
     * sit at 102.25 and fill at bar 3's open, 101.5. */
    {"long_trail_amount_high_above_close", {{"trail", "0.75"}}, BUY10,
     {B01, {100.5, 103, 100, 102}, {101.5, 101.8, 101, 101.2}}, 0, 1, 101.25,
     SLAB_EXIT_TRAILING_STOP, 3, 0},
    /* Trail 1% on the same bars: S0 = 100 - 1 = 99; bar 2 moves it to
     * 102 - 1.02 = 100.98 (the high would give 103 - 1.03 = 101.97); bar 3
     * (O101.5, L101) does not reach 100.98; bar 4 gaps down to O100.5
     * below it: fills at the open, 100.5. */
    {"long_trail_percent_high_above_close", {{"trail", "1%"}}, BUY10,
     {B01, {100.5, 103, 100, 102}, {101.5, 101.8, 101, 101.2}, {100.5, 100.8, 100, 100.2}}, 0, 1,
     100.5, SLAB_EXIT_TRAILING_STOP, 4, 0},
    /* Short stop 2%: buy stop 102; bar 2 O100.5 H103: fills at 102. */
    {"short_stop_percent", {{"stop_loss", "2%"}}, SELL10,
     {B01, {100.5, 103, 100, 102.5}}, 0, 1, 102, SLAB_EXIT_STOP_LOSS, 2, 0},
    /* Short stop 1.5 away: 101.5. */
    {"short_stop_amount", {{"stop_loss", "1.5"}}, SELL10,
     {B01, {100.5, 103, 100, 102.5}}, 0, 1, 101.5, SLAB_EXIT_STOP_LOSS, 2, 0},
    /* Short stop 2 ATR(1) = 104; bar 2 gaps to O104.5: fills at the open. */
    {"short_stop_atr_gap", {{"stop_loss", "2atr"}, {"atr_period", "1"}}, SELL10,
     {B01, {104.5, 105, 104, 104.8}}, 0, 1, 104.5, SLAB_EXIT_STOP_LOSS, 2, 0},
    /* Short target 3%: buy limit 97; bar 2 O99 L96: fills at 97. */
    {"short_target_percent", {{"take_profit", "3%"}, {"stop_loss", "2%"}}, SELL10,
     {B01, {99, 99.5, 96, 96.5}}, 0, 1, 97, SLAB_EXIT_TAKE_PROFIT, 2, 0},
    /* Short target at the price 98.5; bar 2 O99 L96. */
    {"short_target_price", {{"take_profit", "@98.5"}}, SELL10,
     {B01, {99, 99.5, 96, 96.5}}, 0, 1, 98.5, SLAB_EXIT_TAKE_PROFIT, 2, 0},
    /* Short trail 1%: S0 = 100 + 1 = 101; bar 2 (H99.5) misses and C98
     * moves it to 98 + 0.98; bar 3 (O98.5, H99.5) fills there. */
    {"short_trail_percent", {{"trail", "1%"}}, SELL10,
     {B01, {99, 99.5, 98, 98}, {98.5, 99.5, 98.2, 99.2}}, 0, 1, 98.0 + 98.0 * (1 / 100.0),
     SLAB_EXIT_TRAILING_STOP, 3, 0},
    /* Time exit after 2 bars: held on bars 1 and 2, the close is sent on
     * bar 2 and fills at bar 3's open, 101.5. */
    {"time_exit_bars", {{"time_exit", "2"}}, BUY10,
     {B01, {100.5, 102, 100, 102}, {101.5, 101.8, 101, 101.2}}, 0, 1, 101.5, SLAB_EXIT_TIME,
     3, 0},
    /* A strategy close on bar 2 joins the stop's group: bar 3 opens at
     * 101.5 (above the 98 stop), the close fills there, tagged signal. */
    {"signal_close_joins_group", {{"stop_loss", "2%"}}, {{0, 10}, {2, 0}, END, END},
     {B01, {100.5, 102, 100, 102}, {101.5, 101.8, 101, 101.2}}, 0, 1, 101.5, SLAB_EXIT_SIGNAL,
     3, 0},
};

static void daily_exits(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof daily_rows / sizeof daily_rows[0]; k++) {
        slab_error err;
        slab_status st;
        slab_run *run = run_row(&daily_rows[k], SLAB_NS_PER_DAY, DAY0 * SLAB_NS_PER_DAY, &err, &st);
        assert_int_equal(st, SLAB_OK);
        check_row(&daily_rows[k], run);
        slab_run_free(run);
    }
}

/* Minute bars: 15:52 sends the entry, 15:53 fills it. */
#define MIN_NS (INT64_C(60) * 1000000000)
#define T1552 (DAY0 * SLAB_NS_PER_DAY + (15 * 60 + 52) * MIN_NS)

static void exit_at_clock_time(void **state)
{
    (void)state;
    slab_error err;
    slab_status st;
    /* --exit-at 15:55: 15:53 fills, 15:54 is before 15:55, 15:55 sends
     * the close, 15:56 fills it at its open 101.3 (bar 4). */
    const row r = {"exit_at_1555", {{"exit_at", "15:55"}}, BUY10,
                   {B01, {100.5, 101, 100, 101}, {101, 101.2, 100.8, 101.1},
                    {101.3, 101.5, 101, 101.4}}, 0, 1, 101.3, SLAB_EXIT_TIME, 4, 0};
    slab_run *run = run_row(&r, MIN_NS, T1552, &err, &st);
    assert_int_equal(st, SLAB_OK);
    check_row(&r, run);
    slab_run_free(run);
    /* Same with cheat-on-close: the entry fills at C0 100 during bar 1,
     * the close sent on 15:55 fills at that bar's close, 101.1, during
     * 15:56 (the order records the 15:55 bar, index 3). */
    row c = r;
    c.coc = 1;
    c.exit_price = 101.1;
    c.exit_bar = 4;
    run = run_row(&c, MIN_NS, T1552, &err, &st);
    assert_int_equal(st, SLAB_OK);
    check_row(&c, run);
    assert_int_equal(run->orders[1].exec_bar, 3);
    slab_run_free(run);
}

static void exit_at_next_morning(void **state)
{
    (void)state;
    slab_error err;
    slab_status st;
    /* --exit-at 15:58, but the day's bars end at 15:53: the position
     * survives overnight; the first bar of the next day (shifted below to
     * 09:30) sends the close, the next one fills it at its open 99.7. */
    row r = {"exit_at_overnight", {{"exit_at", "15:58"}}, BUY10,
             {B01, {99.5, 100, 99, 99.6}, {99.7, 99.9, 99.5, 99.8}}, 0, 1, 99.7, SLAB_EXIT_TIME,
             3, 0};
    slab_bars *b = slab_bars_new(4);
    int64_t t[4] = {T1552, T1552 + MIN_NS, T1552 + SLAB_NS_PER_DAY - (6 * 60 + 22) * MIN_NS,
                    T1552 + SLAB_NS_PER_DAY - (6 * 60 + 21) * MIN_NS};
    for (int i = 0; i < 4; i++)
        slab_bars_push(b, t[i], r.bars[i][0], r.bars[i][1], r.bars[i][2], r.bars[i][3], 0, 0,
                       NULL);
    b->timeframe = SLAB_TF_MINUTES;
    b->compression = 1;
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.strategy = &script;
    cfg.stop_after_bar = -1;
    assert_int_equal(slab_risk_set(&cfg.risk, "exit_at", "15:58", &err), SLAB_OK);
    memcpy(g_acts, r.acts, sizeof g_acts);
    slab_run *run = NULL;
    assert_int_equal(slab_engine_run(b, &cfg, &run, &err), SLAB_OK);
    run->ts_ns = NULL;
    slab_bars_free(b);
    check_row(&r, run);
    slab_run_free(run);
    (void)st;
}

/* Rejections and cuts, read from the order log. */
static void order_log_reasons(void **state)
{
    (void)state;
    slab_error err;
    slab_status st;
    static const struct {
        row r;
        int order;          /* index in the order log */
        slab_order_status status;
        const char *reason; /* substring of the reason */
        double created_size;
    } rows[] = {
        /* A price stop above a long's fill is refused, the position stays. */
        {{"stop_price_wrong_side", {{"stop_loss", "@101"}}, BUY10, {B01, {99, 99.5, 90, 95}}, 0,
          1, 0, SLAB_EXIT_NONE, 0, 10},
         1, SLAB_ORDER_REJECTED, "stop_loss 101 is not below the long entry fill 100", -10},
        /* ATR(14) has no value on bar 1. */
        {{"atr_not_ready", {{"stop_loss", "2atr"}}, BUY10, {B01, {99, 99.5, 90, 95}}, 0, 1, 0,
          SLAB_EXIT_NONE, 0, 10},
         1, SLAB_ORDER_REJECTED, "ATR(14) has no value yet at bar 1", -10},
        /* One position per symbol: the second buy is refused. */
        {{"pyramiding_refused", {{NULL, NULL}}, {{0, 10}, {1, 5}, END, END},
          {B01, {100, 100, 100, 100}}, 0, 1, 0, SLAB_EXIT_NONE, 0, 10},
         1, SLAB_ORDER_REJECTED,
         "one position per symbol: already long 10 shares; set allow_pyramiding", 5},
        /* Entries not filled yet count as held: two buys on bar 0 (both
         * would fill at bar 1's open 100) -> the second is refused. */
        {{"entry_in_flight_refused", {{NULL, NULL}}, {{0, 10}, {0, 5}, END, END}, {B01}, 0, 1, 0,
          SLAB_EXIT_NONE, 0, 10},
         1, SLAB_ORDER_REJECTED, "entry order 1 (buy 10) has not filled yet", 5},
        /* Max 12 with pyramiding: 10 still to fill, so the buy of 5 on the
         * same bar is cut to 12 - 10 = 2; both fill at bar 1: 12 held. */
        {{"entry_in_flight_max", {{"max_position", "12"}, {"allow_pyramiding", "true"}},
          {{0, 10}, {0, 5}, END, END}, {B01}, 0, 1, 0, SLAB_EXIT_NONE, 0, 12},
         1, SLAB_ORDER_COMPLETED, "cut from 5 to 2 shares", 2},
        /* ... allowed with the option: 15 held. */
        {{"pyramiding_allowed", {{"allow_pyramiding", "true"}}, {{0, 10}, {1, 5}, END, END},
          {B01, {100, 100, 100, 100}}, 0, 1, 0, SLAB_EXIT_NONE, 0, 15},
         1, SLAB_ORDER_COMPLETED, "", 5},
        /* Max 5 shares: the 10-share buy is cut to 5. */
        {{"max_position_shares", {{"max_position", "5"}}, BUY10, {B01}, 0, 1, 0, SLAB_EXIT_NONE,
          0, 5},
         0, SLAB_ORDER_COMPLETED, "cut from 10 to 5 shares by the max position of 5 shares", 5},
        /* Max 50% of value: 10000 * 0.5 / C0 100 = 50 shares; 80 -> 50. */
        {{"max_position_percent", {{"max_position", "50%"}}, {{0, 80}, END, END, END}, {B01}, 0,
          1, 0, SLAB_EXIT_NONE, 0, 50},
         0, SLAB_ORDER_COMPLETED, "cut from 80 to 50 shares", 50},
        /* Pyramiding with max 12: 10 held, a buy of 5 is cut to 2 ... */
        {{"max_position_add", {{"max_position", "12"}, {"allow_pyramiding", "true"}},
          {{0, 10}, {1, 5}, {2, 5}, END}, {B01, {100, 100, 100, 100}, {100, 100, 100, 100}}, 0,
          1, 0, SLAB_EXIT_NONE, 0, 12},
         1, SLAB_ORDER_COMPLETED, "cut from 5 to 2 shares", 2},
        /* ... and the next buy finds no room. */
        {{"max_position_full", {{"max_position", "12"}, {"allow_pyramiding", "true"}},
          {{0, 10}, {1, 5}, {2, 5}, END}, {B01, {100, 100, 100, 100}, {100, 100, 100, 100}}, 0,
          1, 0, SLAB_EXIT_NONE, 0, 12},
         2, SLAB_ORDER_REJECTED, "max position 12 shares reached: holding 12", 5},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        const row *r = &rows[k].r;
        print_message("row %s\n", r->name);
        slab_run *run = run_row(r, SLAB_NS_PER_DAY, DAY0 * SLAB_NS_PER_DAY, &err, &st);
        assert_int_equal(st, SLAB_OK);
        assert_true(run->n_orders > (size_t)rows[k].order);
        const slab_order_event *e = &run->orders[rows[k].order];
        assert_int_equal(e->status, rows[k].status);
        if (!strstr(e->reason, rows[k].reason))
            fail_msg("%s: reason '%s' lacks '%s'", r->name, e->reason, rows[k].reason);
        slab_test_expect_close(r->name, 0, fabs(e->created_size), fabs(rows[k].created_size), 0,
                               0);
        slab_test_expect_close(r->name, 1, run->position_size, r->position, 0, 0);
        assert_int_equal(run->n_trades, r->n_trades);
        assert_true(run->trades[0].is_open);
        slab_run_free(run);
    }
}

/* A strategy sell of 20 while long 10 with a 2% stop reverses: it joins
 * the stop's group (the stop is cancelled when it fills at bar 3's open
 * 101.5), and the engine protects the new short with a buy stop at
 * 101.5 * 1.02, which bar 4 (H104) fills. */
static void reversal_protects_the_new_side(void **state)
{
    (void)state;
    slab_error err;
    slab_status st;
    const row r = {"reversal", {{"stop_loss", "2%"}}, {{0, 10}, {2, -20}, END, END},
                   {B01, {100.5, 102, 100, 102}, {101.5, 101.8, 101, 101.2},
                    {102, 104, 101.9, 103.8}}, 0, 2, 101.5, SLAB_EXIT_SIGNAL, 3, 0};
    slab_run *run = run_row(&r, SLAB_NS_PER_DAY, DAY0 * SLAB_NS_PER_DAY, &err, &st);
    assert_int_equal(st, SLAB_OK);
    check_row(&r, run);
    assert_int_equal(run->orders[1].status, SLAB_ORDER_CANCELED); /* the long's stop */
    assert_false(run->trades[1].is_long);
    slab_test_expect_close("short stop", 0, run->trades[1].exit_price, 101.5 * (1.0 + 0.02), 0, 0);
    assert_int_equal(run->trades[1].exit_reason, SLAB_EXIT_STOP_LOSS);
    slab_run_free(run);
}

/* Text forms: each bad value names the accepted forms. */
static void parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value, *msg;
    } rows[] = {
        {"stop_loss", "2x", "stop_loss '2x' is not valid: give 2% (percent of the entry fill, "
                            "below 100%), 1.5 (price distance), 2atr (ATR multiple) or @95.50 "
                            "(a price)"},
        /* regression (issue 9): a long's stop 200% below its entry was accepted */
        {"stop_loss", "200%", "stop_loss '200%' is not valid"},
        {"stop_loss", "100%", "stop_loss '100%' is not valid"},
        {"stop_loss", "-1%", "stop_loss '-1%' is not valid"},
        {"take_profit", "@", "take_profit '@' is not valid"},
        {"trail", "2atr", "trail '2atr' is not valid: give 2% (percent of the close, below "
                          "100%) or 0.75 (price distance)"},
        {"trail", "100%", "trail '100%' is not valid"},
        {"exit_at", "25:00", "exit_at '25:00' is not valid: give a clock time HH:MM"},
        {"exit_at", "9:30", "exit_at '9:30' is not valid"},
        {"time_exit", "2.5", "time_exit '2.5' is not valid: give a whole number of bars >= 1"},
        {"max_position", "0", "max_position '0' is not valid: give 100 (shares) or 50%"},
        {"allow_pyramiding", "yes", "allow_pyramiding 'yes' is not valid: give true or false"},
        {"stoploss", "2%", "unknown risk setting 'stoploss'"},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        slab_risk_config c;
        slab_error err;
        memset(&c, 0, sizeof c);
        assert_int_equal(slab_risk_set(&c, rows[k].key, rows[k].value, &err), SLAB_EINVAL);
        if (!strstr(err.msg, rows[k].msg))
            fail_msg("%s=%s: '%s' lacks '%s'", rows[k].key, rows[k].value, err.msg, rows[k].msg);
        assert_false(slab_risk_active(&c));
    }
    /* Good forms read back as given. */
    slab_risk_config c;
    slab_error err;
    char buf[96];
    memset(&c, 0, sizeof c);
    assert_int_equal(slab_risk_set(&c, "exit_at", "15:55", &err), SLAB_OK);
    assert_string_equal(slab_risk_get(&c, "exit_at", buf, sizeof buf), "15:55:00");
    assert_int_equal(slab_risk_set(&c, "stop_loss", "@95.5", &err), SLAB_OK);
    assert_string_equal(slab_risk_get(&c, "stop_loss", buf, sizeof buf), "@95.5");
    assert_int_equal(slab_risk_set(&c, "max_position", "100", &err), SLAB_OK);
    assert_int_equal(slab_risk_set(&c, "max_position", "50%", &err), SLAB_OK);
    assert_string_equal(slab_risk_get(&c, "max_position", buf, sizeof buf), "100,50%");
    assert_true(slab_risk_active(&c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(daily_exits),
        cmocka_unit_test(exit_at_clock_time),
        cmocka_unit_test(exit_at_next_morning),
        cmocka_unit_test(order_log_reasons),
        cmocka_unit_test(reversal_protects_the_new_side),
        cmocka_unit_test(parse_errors),
    };
    return cmocka_run_group_tests_name("risk_engine", tests, NULL, NULL);
}
