/* bt_compare.c: see bt_compare.h. */
#include "bt_compare.h"
#include "json_compare.h"
#include "slab_refs.h"
#include "slab_test.h"

#include "stratlab/metrics.h"
#include "stratlab/result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const bt_run bt_runs[] = {
    {"smacross_orcl", "orcl-1995-2014.txt", 0, "1d", "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"smacross_orcl_int", "orcl-1995-2014.txt", 0, "1d", "sma_cross", SLAB_SIZER_PERCENT_INT, NULL},
    {"smacross_orcl_yahooadj", "orcl-1995-2014.txt", 1, "1d", "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"smacross_day2006", "2006-day-001.txt", 0, "1d", "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"smacross_min5", "2006-min-005.txt", 0, "5m", "sma_cross", SLAB_SIZER_PERCENT, NULL},
    {"rsi_orcl", "orcl-1995-2014.txt", 0, "1d", "rsi_reversion", SLAB_SIZER_PERCENT, NULL},
    {"rsi_day2006", "2006-day-001.txt", 0, "1d", "rsi_reversion", SLAB_SIZER_PERCENT, NULL},
    {"rsi_min5", "2006-min-005.txt", 0, "5m", "rsi_reversion", SLAB_SIZER_PERCENT, NULL},
    {"bbands_orcl", "orcl-1995-2014.txt", 0, "1d", "bbands_reversion", SLAB_SIZER_PERCENT, NULL},
    {"bbands_day2006", "2006-day-001.txt", 0, "1d", "bbands_reversion", SLAB_SIZER_PERCENT, NULL},
    {"bbands_min5", "2006-min-005.txt", 0, "5m", "bbands_reversion", SLAB_SIZER_PERCENT, NULL},
    {"buyhold_orcl", "orcl-1995-2014.txt", 0, "1d", "buy_hold", SLAB_SIZER_PERCENT, NULL},
    {"buyhold_day2006", "2006-day-001.txt", 0, "1d", "buy_hold", SLAB_SIZER_PERCENT, NULL},
    {"buyhold_min5", "2006-min-005.txt", 0, "5m", "buy_hold", SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_orcl", "orcl-1995-2014.txt", 0, "1d", "macd_trail", SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_day2006", "2006-day-001.txt", 0, "1d", "macd_trail", SLAB_SIZER_PERCENT, NULL},
    {"macdtrail_min5", "2006-min-005.txt", 0, "5m", "macd_trail", SLAB_SIZER_PERCENT,
     "trail_pct=0.5"},
};
const size_t bt_n_runs = sizeof bt_runs / sizeof bt_runs[0];

void bt_runs_check(void)
{
    int seen[SLAB_REFS_N_BT_RUNS] = {0}, bad = 0;
    for (size_t i = 0; i < bt_n_runs; i++) {
        int k = slab_refs_find(slab_refs_bt_runs, SLAB_REFS_N_BT_RUNS, bt_runs[i].name);
        if (k < 0 || seen[k]++) {
            print_message("row %s: %s\n", bt_runs[i].name,
                          k < 0 ? "not in slab_refs_bt_runs" : "named twice");
            bad++;
        }
    }
    for (size_t k = 0; k < SLAB_REFS_N_BT_RUNS; k++)
        if (!seen[k]) {
            print_message("reference run %s has no row in bt_runs\n", slab_refs_bt_runs[k]);
            bad++;
        }
    assert_int_equal(bad, 0);
}

slab_bars *bt_load(const bt_run *r)
{
    char path[1024], rel[256];
    slab_error err;
    slab_bars *b = NULL;
    slab_csv_options opt = {0};
    opt.yahoo_adjust = r->yahoo_adjust;
    snprintf(rel, sizeof rel, "data/%s", r->file);
    if (slab_csv_load(slab_test_ref(rel, path, sizeof path), &opt, &b, NULL, &err) != SLAB_OK)
        fail_msg("%s: load: %s: %s", r->name, err.where, err.msg);
    assert_int_equal(slab_timeframe_parse(r->timeframe, &b->timeframe, &b->compression, &err),
                     SLAB_OK);
    return b;
}

void bt_expect(bt_cmp *c, const char *what, long i, double got, double want)
{
    if (slab_test_same(got, want))
        return;
    if (c->failures++ < 10)
        print_message("%s: %s[%ld]: got %.17g, want %.17g\n", c->name, what, i, got, want);
}

void bt_expect_str(bt_cmp *c, const char *what, long i, const char *got, const char *want)
{
    if ((!got && !want) || (want && got && !strcmp(got, want)))
        return;
    if (c->failures++ < 10)
        print_message("%s: %s[%ld]: got %s, want %s\n", c->name, what, i, got ? got : "(null)",
                      want ? want : "(null)");
}

static double num(json_t *o, const char *k) { return json_number_value(json_object_get(o, k)); }
static const char *str(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

static const char *fmt_ts(const bt_cmp *c, int64_t ts, char *buf)
{
    return slab_time_format(ts, c->daily, buf, 40);
}

void bt_compare_equity(bt_cmp *c, const char *rel, const slab_run *run)
{
    char path[1024], line[512], ts[40];
    FILE *f = fopen(slab_test_ref(rel, path, sizeof path), "r");
    long i = 0, exact = 0;
    assert_non_null(f);
    assert_non_null(run->cash);
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        assert_non_null(c2);
        *c1 = '\0';
        if ((size_t)i >= run->n_bars) {
            c->failures++;
            print_message("%s: the equity file has more rows than steps run\n", c->name);
            break;
        }
        bt_expect_str(c, "equity.datetime", i, fmt_ts(c, run->ts_ns[i], ts), line);
        double cash = strtod(c1 + 1, NULL), value = strtod(c2 + 1, NULL);
        bt_expect(c, "equity.cash", i, run->cash[i], cash);
        bt_expect(c, "equity.value", i, run->value[i], value);
        exact += run->value[i] == value && run->cash[i] == cash;
        i++;
    }
    fclose(f);
    if ((size_t)i != run->n_bars) {
        c->failures++;
        print_message("%s: %ld equity rows, %zu steps run\n", c->name, i, run->n_bars);
    }
    print_message("%s: %ld steps, %ld bit-identical in cash and value\n", c->name, i, exact);
}

void bt_compare_final(bt_cmp *c, json_t *ref, const slab_run *run)
{
    json_t *fin = json_object_get(ref, "final");
    assert_non_null(fin);
    bt_expect(c, "final.value", 0, run->final_value, num(fin, "value"));
    bt_expect(c, "final.cash", 0, run->final_cash, num(fin, "cash"));
    bt_expect(c, "final.position_size", 0, run->position_size, num(fin, "position_size"));
    if (json_object_get(fin, "position_price"))
        bt_expect(c, "final.position_price", 0, run->position_price, num(fin, "position_price"));
}

void bt_compare_trades(bt_cmp *c, json_t *ref, const slab_run *run, const char *symbol)
{
    json_t *want = json_object_get(ref, "trades");
    size_t k = 0;
    char ts[40];
    for (size_t t = 0; t < run->n_trades; t++) {
        const slab_trade *tr = &run->trades[t];
        if (tr->is_open)
            continue;
        json_t *w = json_array_get(want, k);
        if (!w) {
            c->failures++;
            print_message("%s: more closed trades than the reference (%zu)\n", c->name,
                          json_array_size(want));
            return;
        }
        long i = (long)k;
        bt_expect_str(c, "trade.entry_dt", i, fmt_ts(c, tr->entry_ts_ns, ts), str(w, "entry_dt"));
        bt_expect_str(c, "trade.exit_dt", i, fmt_ts(c, tr->exit_ts_ns, ts), str(w, "exit_dt"));
        if (json_object_get(w, "exit_reason"))
            bt_expect_str(c, "trade.exit_reason", i, slab_exit_reason_name(tr->exit_reason),
                          str(w, "exit_reason"));
        bt_expect(c, "trade.entry_price", i, tr->entry_price, num(w, "entry_price"));
        bt_expect(c, "trade.exit_price", i, tr->exit_price, num(w, "exit_price"));
        bt_expect(c, "trade.size", i, tr->size, num(w, "size"));
        bt_expect(c, "trade.pnl", i, tr->pnl, num(w, "pnl"));
        bt_expect(c, "trade.pnlcomm", i, tr->pnlcomm, num(w, "pnlcomm"));
        bt_expect(c, "trade.commission", i, tr->commission, num(w, "commission"));
        bt_expect(c, "trade.barlen", i, (double)tr->barlen, num(w, "barlen"));
        bt_expect(c, "trade.baropen", i, (double)tr->baropen, num(w, "baropen"));
        bt_expect(c, "trade.barclose", i, (double)tr->barclose, num(w, "barclose"));
        if (symbol)
            bt_expect_str(c, "trade.symbol", i, run->symbols[tr->feed], symbol);
        k++;
    }
    if (k != json_array_size(want)) {
        c->failures++;
        print_message("%s: %zu closed trades, the reference has %zu\n", c->name, k,
                      json_array_size(want));
    }
}

/* Orders still in flight at the end (created on the last bar, or a stop
 * never triggered) have no event in backtrader's log. */
static int in_flight(const slab_order_event *e)
{
    return e->status == SLAB_ORDER_SUBMITTED || e->status == SLAB_ORDER_ACCEPTED ||
           e->status == SLAB_ORDER_PARTIAL;
}

void bt_compare_orders(bt_cmp *c, json_t *ref, const slab_run *run)
{
    json_t *want = json_object_get(ref, "orders");
    char ts[40];
    size_t k = 0, logged = 0;
    for (size_t i = 0; i < run->n_orders; i++) {
        const slab_order_event *e = &run->orders[i];
        if (in_flight(e))
            continue;
        logged++;
        json_t *w = json_array_get(want, k++);
        if (!w) {
            c->failures++;
            print_message("%s: more order events than the reference\n", c->name);
            return;
        }
        long n = (long)i;
        bt_expect_str(c, "order.side", n, e->is_buy ? "buy" : "sell", str(w, "side"));
        if (json_object_get(w, "exectype"))
            bt_expect_str(c, "order.exectype", n, slab_order_type_name(e->type),
                          str(w, "exectype"));
        bt_expect_str(c, "order.status", n, slab_order_status_name(e->status), str(w, "status"));
        bt_expect_str(c, "order.created_dt", n, fmt_ts(c, e->created_ts_ns, ts),
                      str(w, "created_dt"));
        bt_expect(c, "order.created_price", n, e->created_price, num(w, "created_price"));
        bt_expect(c, "order.created_size", n, e->created_size, num(w, "created_size"));
        if (e->status == SLAB_ORDER_MARGIN) {
            bt_expect_str(c, "order.bar_dt", n, fmt_ts(c, e->status_ts_ns, ts), str(w, "bar_dt"));
            continue;
        }
        if (!str(w, "exec_dt") && e->status != SLAB_ORDER_COMPLETED)
            continue; /* cancelled or expired before any fill: no execution to compare */
        bt_expect_str(c, "order.exec_dt", n, fmt_ts(c, e->exec_ts_ns, ts), str(w, "exec_dt"));
        bt_expect(c, "order.exec_price", n, e->exec_price, num(w, "exec_price"));
        if (json_object_get(w, "exec_price_avg"))
            bt_expect(c, "order.exec_price_avg", n, e->exec_price_avg, num(w, "exec_price_avg"));
        bt_expect(c, "order.exec_size", n, e->exec_size, num(w, "exec_size"));
        bt_expect(c, "order.exec_value", n, e->exec_value, num(w, "exec_value"));
        bt_expect(c, "order.exec_comm", n, e->exec_comm, num(w, "exec_comm"));
        bt_expect(c, "order.exec_pnl", n, e->exec_pnl, num(w, "exec_pnl"));
    }
    if (logged != json_array_size(want)) {
        c->failures++;
        print_message("%s: %zu order events, the reference has %zu\n", c->name, logged,
                      json_array_size(want));
    }
}

void bt_compare_analyzers(bt_cmp *c, json_t *ref, const slab_run *run)
{
    slab_error err;
    slab_equity eq = slab_run_equity(run);
    json_t *got = slab_analyzers_json(&eq, run->trades, run->n_trades, &err);
    char msg[4096] = "";
    assert_non_null(got);
    int d = slab_json_compare(got, json_object_get(ref, "analyzers"), "analyzers", 0.0, 0.0, msg,
                              sizeof msg);
    if (d) {
        c->failures += d;
        print_message("%s: %d analyzer difference(s):\n%s", c->name, d, msg);
    }
    json_decref(got);
}
