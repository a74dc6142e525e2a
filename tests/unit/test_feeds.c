/* test_feeds.c: a strategy trading another feed (a pair's second leg) on
 * one clock, values worked out by hand: feed A has bars at 09:30..09:34,
 * feed B only at 09:30, 09:32 and 09:34. On the first bar the strategy
 * buys 10 B at market: the order is tried only on B's next bar, 09:32
 * (09:31 has none), and fills at its open 21. Cash 10000, no commission:
 * value 10000, 10000, 9790 + 10 x 22 = 10010, 10010 (B keeps its 09:32
 * close at 09:33), 9790 + 10 x 23 = 10020. The trade carries B's feed,
 * slab_feed_position sees it, A stays flat; a feed that does not exist
 * is refused. */
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"

#include <stdio.h>
#include <string.h>


/* What the strategy saw, for the test to read after the run. */
static double seen_pos[8]; /* feed 1's position at each next() */
static int n_seen;
static int64_t bad_ref; /* slab_order_feed on a feed that does not exist */

static void pair_next(slab_ctx *ctx, void *st)
{
    int *sent = st;
    if (!*sent) {
        slab_order_spec o = {0};
        o.type = SLAB_EXEC_MARKET;
        o.size = 10;
        *sent = slab_order_feed(ctx, 1, 1, &o) > 0;
        bad_ref = slab_order_feed(ctx, 5, 1, &o);
    }
    if (n_seen < 8)
        seen_pos[n_seen++] = slab_feed_position(ctx, 1);
}

static const slab_strategy_def pair_def = {SLAB_STRATEGY_ABI,
                                           "pair_leg",
                                           "buys 10 of feed 1 on the first bar",
                                           NULL,
                                           0,
                                           sizeof(int),
                                           NULL,
                                           pair_next,
                                           NULL,
                                           NULL,
                                           NULL};

static void second_leg(void **state)
{
    (void)state;
    static const int ta[] = {930, 931, 932, 933, 934}, tb[] = {930, 932, 934};
    static const double pa[] = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10}; /* open, close */
    static const double pb[] = {20, 20, 21, 22, 23, 23};
    slab_bars *f[2] = {slab_test_minute_bars("A", ta, pa, 5),
                       slab_test_minute_bars("B", tb, pb, 3)};
    slab_run_config cfg;
    slab_error err;
    slab_run *r = NULL;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 10000;
    cfg.broker.commission = 0;
    cfg.strategy = &pair_def;
    cfg.stop_after_bar = -1;
    assert_int_equal(slab_engine_run_feeds((const slab_bars *const *)f, 2, &cfg, NULL, &r, &err),
                     SLAB_OK);
    static const double want[] = {10000, 10000, 10010, 10010, 10020};
    assert_int_equal(r->n_bars, 5);
    for (size_t i = 0; i < 5; i++)
        slab_test_expect_close("value", (long)i, r->value[i], want[i], 0, 1e-9);
    assert_int_equal(r->n_trades, 1);
    assert_int_equal(r->trades[0].feed, 1);
    assert_string_equal(r->symbols[r->trades[0].feed], "B");
    slab_test_expect_close("entry", 0, r->trades[0].entry_price, 21, 0, 0);
    assert_int_equal(r->orders[0].exec_ts_ns, f[1]->ts_ns[1]);
    assert_int_equal(r->orders[0].feed, 1);
    assert_true(r->position_size == 0.0); /* feed 0 stays flat */
    /* feed 1's position as next() saw it: 0 until the 09:32 fill */
    static const double pos[] = {0, 0, 10, 10, 10};
    assert_int_equal(n_seen, 5);
    for (int k = 0; k < n_seen; k++)
        assert_true(seen_pos[k] == pos[k]);
    assert_int_equal(bad_ref, -1);
    slab_run_free(r);
    slab_bars_free(f[0]);
    slab_bars_free(f[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(second_leg)};
    return cmocka_run_group_tests_name("feeds", tests, NULL, NULL);
}
