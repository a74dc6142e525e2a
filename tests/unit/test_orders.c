/* test_orders.c: order types beyond market orders against hand
 * calculations: OCO cancellation, cancel, exit reasons of the trades that
 * stops and trails close, rejection of invalid orders with a reason,
 * brackets (children active from the bar after the parent's fill, one
 * cancels the other, a dead parent cancels or rejects them), the
 * pessimistic mode (any stop-type exit against any limit target, grouped
 * or not, long and short, gaps) and the opt-in margin call (backtrader
 * bbroker.py rules, docs/backtrader-semantics.md §4.3-4.4). */
#include "slab_test.h"

#include "broker_fixture.h"

#include <math.h>
#include <string.h>

static void oco_stop_fills_limit_cancelled(void **state)
{
    (void)state;
    slab_broker *b = fx_broker(NULL);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    int64_t lim = fx_order(b, &b0, SLAB_ORDER_LIMIT, 1, 95, 0, 0);
    int64_t stp = fx_order(b, &b0, SLAB_ORDER_STOP, 1, 105, lim, 0);
    /* Bar 1: the limit (first in FIFO) is not reached (L 99 > 95); the stop
     * is touched (H 106 >= 105, O 100 < 105) and fills at 105; the limit,
     * its OCO sibling, is cancelled. Cash 10000 - 105 = 9895. */
    fx_step(b, fx_bar(1, 100, 106, 99, 104));
    assert_int_equal(EV(b, stp)->status, SLAB_ORDER_COMPLETED);
    assert_true(EV(b, stp)->exec_price == 105.0);
    assert_int_equal(EV(b, lim)->status, SLAB_ORDER_CANCELED);
    assert_int_equal(b->n_pending, 0);
    assert_true(slab_broker_cash(b) == 9895.0 && POS(b).size == 1.0);
    slab_broker_free(b);
}

static void cancel_pending_only(void **state)
{
    (void)state;
    slab_broker *b = fx_broker(NULL);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    int64_t lim = fx_order(b, &b0, SLAB_ORDER_LIMIT, 1, 90, 0, 0);
    /* Not through the submission check yet: backtrader cannot cancel it. */
    assert_int_equal(slab_broker_cancel(b, lim, &b0), 0);
    slab_feed_bar b1 = fx_bar(1, 100, 101, 99, 100);
    fx_step(b, b1);
    assert_int_equal(slab_broker_cancel(b, lim, &b1), 1);
    assert_int_equal(EV(b, lim)->status, SLAB_ORDER_CANCELED);
    assert_int_equal(slab_broker_cancel(b, lim, &b1), 0);
    slab_broker_free(b);
}

static void exit_reasons(void **state)
{
    (void)state;
    slab_broker *b = fx_broker(NULL);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    fx_order(b, &b0, SLAB_ORDER_MARKET, 1, 0, 0, 0);
    slab_feed_bar b1 = fx_bar(1, 100, 101, 99, 100);
    fx_step(b, b1);
    /* Sell stop at 97 tagged stop_loss: bar 2 opens 98 (> 97), L 96 <= 97:
     * fills at 97; the trade closes with reason stop_loss. */
    fx_order(b, &b1, SLAB_ORDER_STOP, -1, 97, 0, SLAB_EXIT_STOP_LOSS);
    slab_feed_bar b2 = fx_bar(2, 98, 99, 96, 97);
    fx_step(b, b2);
    assert_int_equal(slab_broker_n_trades(b), 1);
    assert_true(TRADE(b, 0).exit_price == 97.0);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_STOP_LOSS);
    /* A second round closed by an untagged 1-point trail: trailing_stop. */
    fx_order(b, &b2, SLAB_ORDER_MARKET, 1, 0, 0, 0);
    slab_feed_bar b3 = fx_bar(3, 97, 98, 96, 97);
    fx_step(b, b3);
    slab_order_req r;
    memset(&r, 0, sizeof r);
    r.type = SLAB_ORDER_STOP_TRAIL;
    r.size = -1;
    r.trailamount = 1.0;
    slab_broker_order(b, &b3, &r, NULL);  /* stop 97 - 1 = 96 */
    fx_step(b, fx_bar(4, 97, 97, 95, 95)); /* touches 96: fills at 96 */
    assert_int_equal(slab_broker_n_trades(b), 2);
    assert_true(TRADE(b, 1).exit_price == 96.0);
    assert_int_equal(TRADE(b, 1).exit_reason, SLAB_EXIT_TRAILING_STOP);
    slab_broker_free(b);
}

static void rejections_have_reasons(void **state)
{
    (void)state;
    static const struct {
        int type;
        double size, price;
        const char *reason;
    } rows[] = {
        {SLAB_ORDER_LIMIT, 1, NAN, "price and plimit must be finite"},
        {SLAB_ORDER_LIMIT, 1, 0, "a Limit order needs a price > 0"},
        {SLAB_ORDER_STOP_TRAIL, -1, 0, "a StopTrail order needs trailamount or trailpercent"},
        {SLAB_ORDER_MARKET, NAN, 0, "size must be a finite number > 0"},
        {9, 1, 0, "unknown order type 9"},
    };
    slab_broker *b = fx_broker(NULL);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t ref = fx_order(b, &b0, rows[i].type, rows[i].size, rows[i].price, 0, 0);
        assert_true(ref > 0);
        assert_int_equal(EV(b, ref)->status, SLAB_ORDER_REJECTED);
        if (!strstr(EV(b, ref)->reason, rows[i].reason))
            fail_msg("row %zu: reason '%s', want '%s'", i, EV(b, ref)->reason,
                     rows[i].reason);
    }
    assert_int_equal(b->n_submitted, 0);
    fx_step(b, fx_bar(1, 100, 100, 100, 100));
    assert_true(slab_broker_cash(b) == 10000.0 && POS(b).size == 0.0);
    slab_broker_free(b);
}

/* A bracket child of parent: type at price, transmit flag, exit tag. */
static int64_t child(slab_broker *b, const slab_feed_bar *x, int type, double size, double price,
                     int64_t parent, int transmit, int why)
{
    slab_order_req r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.is_buy = size > 0.0;
    r.size = size;
    r.price = price;
    r.parent = parent;
    r.transmit = transmit;
    r.exit_reason = why;
    return slab_broker_order(b, x, &r, NULL);
}

/* Long bracket on bar 0: market entry, stop 95 (held), limit 110
 * (transmits both). Returns the entry ref; stop = +1, limit = +2. */
static int64_t long_bracket(slab_broker *b, const slab_feed_bar *b0)
{
    int64_t p = fx_order(b, b0, SLAB_ORDER_MARKET, 1, 0, 0, 0);
    int64_t s = child(b, b0, SLAB_ORDER_STOP, -1, 95, p, 0, SLAB_EXIT_STOP_LOSS);
    assert_int_equal(EV(b, s)->status, SLAB_ORDER_CREATED); /* held */
    assert_int_equal(b->n_submitted, 1);
    child(b, b0, SLAB_ORDER_LIMIT, -1, 110, p, 1, SLAB_EXIT_TAKE_PROFIT);
    assert_int_equal(b->n_submitted, 3);
    return p;
}

static void bracket_take_profit(void **state)
{
    (void)state;
    slab_broker *b = fx_broker(NULL);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    int64_t p = long_bracket(b, &b0);
    /* Bar 1: all three accepted; the entry fills at O 100. H 111 touches
     * the target but the children are not active yet. */
    fx_step(b, fx_bar(1, 100, 111, 99, 100));
    assert_int_equal(EV(b, p)->status, SLAB_ORDER_COMPLETED);
    assert_int_equal(EV(b, p + 1)->status, SLAB_ORDER_ACCEPTED);
    assert_int_equal(EV(b, p + 2)->status, SLAB_ORDER_ACCEPTED);
    assert_true(slab_broker_cash(b) == 9900.0 && POS(b).size == 1.0);
    /* Bar 2: the stop (first) is not touched (L 104 > 95); the limit is
     * (H 112 >= 110, O 105 < 110): fills at 110; the stop is cancelled.
     * Cash 9900 + 110 = 10010; pnl 10. */
    fx_step(b, fx_bar(2, 105, 112, 104, 108));
    assert_int_equal(EV(b, p + 2)->status, SLAB_ORDER_COMPLETED);
    assert_true(EV(b, p + 2)->exec_price == 110.0);
    assert_int_equal(EV(b, p + 1)->status, SLAB_ORDER_CANCELED);
    assert_int_equal(b->n_pending, 0);
    assert_true(slab_broker_cash(b) == 10010.0 && POS(b).size == 0.0);
    assert_int_equal(slab_broker_n_trades(b), 1);
    assert_true(TRADE(b, 0).pnl == 10.0);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_TAKE_PROFIT);
    slab_broker_free(b);
}

static void bracket_stop_loss(void **state)
{
    (void)state;
    slab_broker *b = fx_broker(NULL);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    int64_t p = long_bracket(b, &b0);
    fx_step(b, fx_bar(1, 100, 101, 99, 100));
    /* Bar 2: O 99 > 95, L 94 <= 95: the stop fills at 95, the limit is
     * cancelled. Cash 9900 + 95 = 9995; pnl -5. */
    fx_step(b, fx_bar(2, 99, 100, 94, 95));
    assert_int_equal(EV(b, p + 1)->status, SLAB_ORDER_COMPLETED);
    assert_true(EV(b, p + 1)->exec_price == 95.0);
    assert_int_equal(EV(b, p + 2)->status, SLAB_ORDER_CANCELED);
    assert_true(slab_broker_cash(b) == 9995.0 && POS(b).size == 0.0);
    assert_true(TRADE(b, 0).pnl == -5.0);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_STOP_LOSS);
    slab_broker_free(b);
}

static void bracket_parent_rejected(void **state)
{
    (void)state;
    slab_broker *b = fx_broker(NULL);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    /* An invalid parent (Limit with NaN price): children are rejected. */
    int64_t p = fx_order(b, &b0, SLAB_ORDER_LIMIT, 1, NAN, 0, 0);
    int64_t s = child(b, &b0, SLAB_ORDER_STOP, -1, 95, p, 1, 0);
    assert_int_equal(EV(b, p)->status, SLAB_ORDER_REJECTED);
    assert_int_equal(EV(b, s)->status, SLAB_ORDER_REJECTED);
    assert_non_null(strstr(EV(b, s)->reason, "bracket parent 1 is Rejected"));
    /* A parent rejected at the submission check (1000 shares at 100 >
     * 10000 cash: Margin): its children, checked after it, are Rejected
     * (backtrader _take_children). */
    p = fx_order(b, &b0, SLAB_ORDER_MARKET, 1000, 0, 0, 0);
    s = child(b, &b0, SLAB_ORDER_STOP, -1000, 95, p, 0, 0);
    int64_t l = child(b, &b0, SLAB_ORDER_LIMIT, -1000, 110, p, 1, 0);
    fx_step(b, fx_bar(1, 100, 101, 99, 100));
    assert_int_equal(EV(b, p)->status, SLAB_ORDER_MARGIN);
    assert_int_equal(EV(b, s)->status, SLAB_ORDER_REJECTED);
    assert_int_equal(EV(b, l)->status, SLAB_ORDER_REJECTED);
    assert_non_null(strstr(EV(b, l)->reason, "was Margin"));
    /* A pending parent cancelled by the strategy cancels its children. */
    slab_feed_bar b1 = fx_bar(1, 100, 101, 99, 100);
    p = fx_order(b, &b1, SLAB_ORDER_LIMIT, 1, 90, 0, 0);
    s = child(b, &b1, SLAB_ORDER_STOP, -1, 85, p, 0, 0);
    l = child(b, &b1, SLAB_ORDER_LIMIT, -1, 110, p, 1, 0);
    slab_feed_bar b2 = fx_bar(2, 100, 101, 99, 100);
    fx_step(b, b2);
    assert_int_equal(slab_broker_cancel(b, p, &b2), 1);
    assert_int_equal(EV(b, s)->status, SLAB_ORDER_CANCELED);
    assert_int_equal(EV(b, l)->status, SLAB_ORDER_CANCELED);
    assert_int_equal(b->n_pending, 0);
    assert_true(slab_broker_cash(b) == 10000.0 && POS(b).size == 0.0);
    slab_broker_free(b);
}

/* Bracket whose target is sent first (FIFO ahead of the stop); bar 2
 * touches both 110 and 95 intrabar. */
static slab_broker *target_first(int pessimistic, slab_feed_bar b2)
{
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.pessimistic = pessimistic;
    slab_broker *b = fx_broker(&cfg);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    int64_t p = fx_order(b, &b0, SLAB_ORDER_MARKET, 1, 0, 0, 0);
    child(b, &b0, SLAB_ORDER_LIMIT, -1, 110, p, 0, SLAB_EXIT_TAKE_PROFIT);
    child(b, &b0, SLAB_ORDER_STOP, -1, 95, p, 1, SLAB_EXIT_STOP_LOSS);
    fx_step(b, fx_bar(1, 100, 101, 99, 100));
    fx_step(b, b2);
    return b;
}

static void pessimistic_ambiguous_bar(void **state)
{
    (void)state;
    slab_feed_bar both = fx_bar(2, 100, 111, 94, 100);
    /* Default: FIFO, the target (first) fills at 110, the stop is cancelled. */
    slab_broker *b = target_first(0, both);
    assert_true(TRADE(b, 0).exit_price == 110.0);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_TAKE_PROFIT);
    assert_int_equal(EV(b, 3)->status, SLAB_ORDER_CANCELED);
    slab_broker_free(b);
    /* Pessimistic: the stop is assumed first: 95, the target cancelled. */
    b = target_first(1, both);
    assert_true(TRADE(b, 0).exit_price == 95.0);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_STOP_LOSS);
    assert_int_equal(EV(b, 2)->status, SLAB_ORDER_CANCELED);
    assert_true(slab_broker_cash(b) == 9995.0);
    slab_broker_free(b);
    /* A gap through the stop fills at the open (93), in either mode. */
    b = target_first(1, fx_bar(2, 93, 111, 92, 100));
    assert_true(TRADE(b, 0).exit_price == 93.0);
    slab_broker_free(b);
    /* A target gapped through at the open is certain first: 112. */
    b = target_first(1, fx_bar(2, 112, 113, 94, 100));
    assert_true(TRADE(b, 0).exit_price == 112.0);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_TAKE_PROFIT);
    slab_broker_free(b);
}

/* An exit order on bar x: a trail gets trailamount 5 (from the close), a
 * stop-limit a limit 1 beyond its stop (94 for a sell stop 95). */
static int64_t exit_order(slab_broker *b, const slab_feed_bar *x, int type, double size,
                          double price, int64_t oco, int why)
{
    slab_order_req r;
    memset(&r, 0, sizeof r);
    r.type = type;
    r.is_buy = size > 0.0;
    r.size = size;
    r.price = type == SLAB_ORDER_STOP_TRAIL ? 0.0 : price;
    r.plimit = type == SLAB_ORDER_STOP_LIMIT ? price + (size > 0.0 ? 1.0 : -1.0) : 0.0;
    r.trailamount = type == SLAB_ORDER_STOP_TRAIL ? 5.0 : 0.0;
    r.oco = oco;
    r.exit_reason = why;
    return slab_broker_order(b, x, &r, NULL);
}

/* Pessimistic mode, generalised: any stop-type exit against any limit
 * target of the same position, in one OCO group or not, either FIFO order.
 * Every row: bar 0 (all 100) sends a market entry of `side` (1 long, -1
 * short) that fills at bar 1's open 100 (bar 1: O100 H101 L99 C100); bar 1
 * sends the two exits (long: sell Limit 110 and a stop-type sell at 95;
 * short: buy Limit 90 and a stop-type buy at 105), tried on bar 2 (`k`).
 * Expected: the first trade's exit, the position after bar 2 and the
 * target's status, by hand from §4.3's rules and the pessimistic rule. */
static void pessimistic_rows(void **state)
{
    (void)state;
    enum { ST = SLAB_ORDER_STOP, SL = SLAB_ORDER_STOP_LIMIT, TR = SLAB_ORDER_STOP_TRAIL };
    enum { OK = SLAB_ORDER_COMPLETED, CX = SLAB_ORDER_CANCELED, AC = SLAB_ORDER_ACCEPTED };
    enum { TP = SLAB_EXIT_TAKE_PROFIT, SLX = SLAB_EXIT_STOP_LOSS, TS = SLAB_EXIT_TRAILING_STOP };
    static const struct {
        const char *name;
        int side, oco, stop_first, stop_type, pess;
        double o, h, l, c;
        double exit_price;
        int why;
        double pos;
        int target_status;
    } rows[] = {
        /* Long, the bar touches 110 and 95. FIFO: the target (first) fills,
         * its OCO stop is cancelled. */
        {"long oco fifo", 1, 1, 0, ST, 0, 100, 111, 94, 100, 110, TP, 0, OK},
        {"long oco pessimistic", 1, 1, 0, ST, 1, 100, 111, 94, 100, 95, SLX, 0, CX},
        /* No group, FIFO: the target closes at 110, then the stop sells 1
         * more at 95 and opens a short. Pessimistic: the stop closes at 95;
         * the target is not tried on this bar and stays pending. */
        {"long no group fifo", 1, 0, 0, ST, 0, 100, 111, 94, 100, 110, TP, -1, OK},
        {"long no group pessimistic", 1, 0, 0, ST, 1, 100, 111, 94, 100, 95, SLX, 0, AC},
        /* Stop first in the queue: FIFO closes at 95 and the target then
         * opens a short at 110; pessimistic keeps the target off the bar. */
        {"long stop first fifo", 1, 0, 1, ST, 0, 100, 111, 94, 100, 95, SLX, -1, OK},
        {"long stop first pessimistic", 1, 0, 1, ST, 1, 100, 111, 94, 100, 95, SLX, 0, AC},
        /* A gap through the stop fills at the open 93 (backtrader's rule). */
        {"long gap through stop", 1, 0, 0, ST, 1, 93, 111, 92, 100, 93, SLX, 0, AC},
        /* A target gapped through at the open is certainly first: 112. */
        {"long target at the open", 1, 1, 0, ST, 1, 112, 113, 94, 100, 112, TP, 0, OK},
        /* A StopLimit 95/94: triggered (L 93 <= 95), O <= C and Lm <= S:
         * fills at S 95; a StopTrail 5 from C 100 stops at 95 too. */
        {"long stoplimit pessimistic", 1, 0, 0, SL, 1, 100, 111, 93, 100, 95, SLX, 0, AC},
        {"long stoptrail pessimistic", 1, 0, 0, TR, 1, 100, 111, 94, 100, 95, TS, 0, AC},
        /* Only the target is touched (L 96 > 95): it fills either way. */
        {"long target only", 1, 0, 0, ST, 1, 100, 111, 96, 100, 110, TP, 0, OK},
        /* Short: target buy 90, stop buy 105; the bar touches 89 and 106. */
        {"short oco fifo", -1, 1, 0, ST, 0, 100, 106, 89, 100, 90, TP, 0, OK},
        {"short oco pessimistic", -1, 1, 0, ST, 1, 100, 106, 89, 100, 105, SLX, 0, CX},
        {"short no group fifo", -1, 0, 0, ST, 0, 100, 106, 89, 100, 90, TP, 1, OK},
        {"short no group pessimistic", -1, 0, 0, ST, 1, 100, 106, 89, 100, 105, SLX, 0, AC},
        {"short stop first pessimistic", -1, 0, 1, ST, 1, 100, 106, 89, 100, 105, SLX, 0, AC},
        {"short gap through stop", -1, 0, 0, ST, 1, 107, 108, 89, 100, 107, SLX, 0, AC},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_broker_config cfg;
        slab_broker_config_default(&cfg);
        cfg.pessimistic = rows[i].pess;
        slab_broker *b = fx_broker(&cfg);
        int side = rows[i].side;
        slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
        fx_step(b, b0);
        fx_order(b, &b0, SLAB_ORDER_MARKET, side, 0, 0, 0);
        slab_feed_bar b1 = fx_bar(1, 100, 101, 99, 100);
        fx_step(b, b1);
        double tp = side > 0 ? 110 : 90, sp = side > 0 ? 95 : 105;
        int why = rows[i].stop_type == TR ? 0 : SLX;
        int64_t tref, sref;
        if (rows[i].stop_first) {
            sref = exit_order(b, &b1, rows[i].stop_type, -side, sp, 0, why);
            tref = exit_order(b, &b1, SLAB_ORDER_LIMIT, -side, tp, rows[i].oco ? sref : 0, TP);
        } else {
            tref = exit_order(b, &b1, SLAB_ORDER_LIMIT, -side, tp, 0, TP);
            sref = exit_order(b, &b1, rows[i].stop_type, -side, sp, rows[i].oco ? tref : 0, why);
        }
        (void)sref;
        fx_step(b, fx_bar(2, rows[i].o, rows[i].h, rows[i].l, rows[i].c));
        if (slab_broker_n_trades(b) < 1 || TRADE(b, 0).is_open || TRADE(b, 0).exit_price != rows[i].exit_price ||
            (int)TRADE(b, 0).exit_reason != rows[i].why || POS(b).size != rows[i].pos ||
            (int)EV(b, tref)->status != rows[i].target_status)
            fail_msg("%s: exit %g (%s), pos %g, target %s; want %g (%s), %g, %s", rows[i].name,
                     slab_broker_n_trades(b) ? TRADE(b, 0).exit_price : NAN,
                     slab_exit_reason_name(slab_broker_n_trades(b) ? TRADE(b, 0).exit_reason : 0), POS(b).size,
                     slab_order_status_name(EV(b, tref)->status), rows[i].exit_price,
                     slab_exit_reason_name(rows[i].why), rows[i].pos,
                     slab_order_status_name(rows[i].target_status));
        slab_broker_free(b);
    }
}

/* Margin call, by hand. Cash 1000, no commission; short 10 sent on bar 0
 * fills at bar 1's open 100: cash 1000 + 10*100 = 2000; value at C 100 is
 * 2000 - 10*100 = 1000 > 0.5*10*100 = 500. A buy stop at `stop` is sent
 * on bar 1. Bar 2 closes at 140: value 2000 - 1400 = 600 <= 0.5*1400 = 700:
 * margin call: the stop is cancelled, a buy 10 (tagged margin) is sent and
 * fills at bar 3's open 150: pnl -10*(150-100) = -500, cash 2000 - 1500 =
 * 500. An order sent while it is in flight is rejected. */
static slab_broker *margin_run(int on, double maint, double close2, double stop)
{
    slab_broker_config cfg;
    slab_broker_config_default(&cfg);
    cfg.cash = 1000;
    cfg.margin_call = on;
    cfg.maintenance_margin = maint;
    slab_broker *b = fx_broker(&cfg);
    slab_feed_bar b0 = fx_bar(0, 100, 100, 100, 100);
    fx_step(b, b0);
    fx_order(b, &b0, SLAB_ORDER_MARKET, -10, 0, 0, 0);
    slab_feed_bar b1 = fx_bar(1, 100, 101, 99, 100);
    fx_step(b, b1);
    fx_order(b, &b1, SLAB_ORDER_STOP, 10, stop, 0, SLAB_EXIT_STOP_LOSS);
    slab_feed_bar b2 = fx_bar(2, 120, close2 + 1, 119, close2);
    fx_step(b, b2);
    fx_order(b, &b2, SLAB_ORDER_MARKET, 10, 0, 0, 0); /* ref 4 after a call, else 3 */
    fx_step(b, fx_bar(3, 150, 155, 145, 150));
    return b;
}

static void margin_call_liquidates(void **state)
{
    (void)state;
    /* The stop at 190 passes the submission check (2000 - 10*190 >= 0)
     * and is not touched (H 141). */
    slab_broker *b = margin_run(1, 0.5, 140, 190);
    assert_true(slab_broker_cash(b) == 2000.0 - 1500.0 && POS(b).size == 0.0);
    assert_int_equal(EV(b, 2)->status, SLAB_ORDER_CANCELED); /* the stop */
    const slab_order_event *liq = EV(b, 3);
    assert_int_equal(liq->status, SLAB_ORDER_COMPLETED);
    assert_true(liq->is_buy && liq->exec_price == 150.0 && liq->exec_size == 10.0);
    assert_non_null(strstr(liq->reason, "margin call: value 600.00 <= 0.5 x position value 1400.00"));
    assert_int_equal(EV(b, 4)->status, SLAB_ORDER_REJECTED);
    assert_non_null(strstr(EV(b, 4)->reason, "a margin call is closing the position"));
    assert_int_equal(slab_broker_n_trades(b), 1);
    assert_true(TRADE(b, 0).pnl == -500.0 && TRADE(b, 0).exit_price == 150.0);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_MARGIN);
    assert_int_equal(b->n_liquidating, 0);
    slab_broker_free(b);
    /* Maintenance 0: only a value <= 0 calls. At C 140 the value is 600:
     * nothing happens; the late buy closes the short at 150 (signal). */
    b = margin_run(1, 0.0, 140, 190);
    assert_int_equal(EV(b, 3)->status, SLAB_ORDER_COMPLETED);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_SIGNAL);
    slab_broker_free(b);
    /* A stop at 250 is itself rejected at submission (backtrader's pseudo
     * execution at its price: 2000 - 10*250 < 0, Margin), which leaves the
     * short alone. At C 200 the value is 2000 - 2000 = 0 <= 0: called; the
     * liquidation fills at 150 whatever the cash. */
    b = margin_run(1, 0.0, 200, 250);
    assert_int_equal(EV(b, 2)->status, SLAB_ORDER_MARGIN);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_MARGIN);
    assert_true(slab_broker_cash(b) == 500.0);
    slab_broker_free(b);
    /* Off (backtrader): the position rides on and the stop stays. */
    b = margin_run(0, 0.5, 140, 190);
    assert_int_equal(EV(b, 2)->status, SLAB_ORDER_ACCEPTED);
    assert_int_equal(TRADE(b, 0).exit_reason, SLAB_EXIT_SIGNAL);
    slab_broker_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(oco_stop_fills_limit_cancelled),
        cmocka_unit_test(cancel_pending_only),
        cmocka_unit_test(exit_reasons),
        cmocka_unit_test(rejections_have_reasons),
        cmocka_unit_test(bracket_take_profit),
        cmocka_unit_test(bracket_stop_loss),
        cmocka_unit_test(bracket_parent_rejected),
        cmocka_unit_test(pessimistic_ambiguous_bar),
        cmocka_unit_test(pessimistic_rows),
        cmocka_unit_test(margin_call_liquidates),
    };
    return cmocka_run_group_tests_name("orders", tests, NULL, NULL);
}
