/* result.c: assembles the result document from a finished run: the
 * analyzers (analyzers.c, tradeanalyzer.c), headline metrics with their
 * conventions, the trade list and the run's provenance. */
#include "stratlab/result.h"

#include "stratlab/json.h"

#include <assert.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

slab_equity slab_run_equity(const slab_run *run)
{
    slab_equity eq = {run->n_bars,      run->ts_ns,     run->value,      run->cash,
                      run->start_value, run->timeframe, run->compression};
    return eq;
}

/* A number, or null when it is NaN/inf (JSON has neither). */
static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *time_str(int64_t ts, int daily)
{
    char buf[40];
    return json_string(slab_time_format(ts, daily, buf, sizeof buf));
}

static int is_daily(const slab_bars *b) { return b->timeframe >= SLAB_TF_DAYS; }

/* The "conventions" of the metrics object: what each figure means. */
static json_t *conventions_json(void)
{
    json_t *c = json_object();
    json_object_set_new(c, "total_return", json_string("percent: (final_value/cash - 1)*100"));
    json_object_set_new(c, "sharpe_ratio",
                        json_string("backtrader SharpeRatio default: yearly returns, rf 1% "
                                    "converted per period, population sd, not annualized; "
                                    "null when there are fewer than 2 years or sd is 0"));
    json_object_set_new(c, "sharpe_ratio_daily_annualized",
                        json_string("SharpeRatio_A(timeframe=Days): sqrt(252)*mean/sd of daily "
                                    "returns, rf 1.01^(1/252)-1, population sd"));
    json_object_set_new(c, "sharpe_ratio_annualized",
                        json_string("fitted to the bars' timeframe: mean/sd of the returns of "
                                    "the data's periods (days for daily bars, each bar below a "
                                    "day), rf 1% a year converted per period, population sd, "
                                    "times sqrt(annualization_periods); equals "
                                    "sharpe_ratio_daily_annualized on daily bars; null with "
                                    "fewer than 2 returns or no variation"));
    json_object_set_new(c, "max_drawdown_pct", json_string("percent of the running peak value"));
    json_object_set_new(c, "win_rate", json_string("percent of closed trades with pnlcomm >= 0"));
    json_object_set_new(c, "normalized_annual_return",
                        json_string("percent: expm1(mean log return per bar * "
                                    "annualization_periods); for daily and longer bars "
                                    "backtrader's Returns.rnorm100 (252 days, 52 weeks, 12 "
                                    "months, 1 year); for intraday bars 252 sessions a year "
                                    "times the bars per session seen, where backtrader's "
                                    "analyzers.returns does not annualise"));
    json_object_set_new(c, "annualization_periods",
                        json_string("bar periods a year used by normalized_annual_return"));
    json_object_set_new(c, "sqn", json_string("sqrt(n)*mean/sd of closed trades' pnlcomm; 0 "
                                              "with fewer than 2 trades"));
    json_object_set_new(c, "total_pnl", json_string("sum of closed trades' pnlcomm (net of "
                                                    "commission), cash units"));
    json_object_set_new(c, "profit_factor",
                        json_string("won pnlcomm / |lost pnlcomm|; null with no losing trade"));
    return c;
}

/* The conventions are the same text in every document: built once and
 * shared (jansson's reference counts are atomic; no writer changes the
 * object), since a sweep writes them on every line. NULL when out of memory:
 * each document then builds its own. */
static json_t *conventions_shared;
static pthread_once_t conventions_once = PTHREAD_ONCE_INIT;

static char *conventions_text; /* its compact text, for slab_result_metrics_text */

static void conventions_share(void)
{
    conventions_shared = conventions_json();
    conventions_text = conventions_shared ? slab_json_dumps(conventions_shared, JSON_COMPACT) : NULL;
}

/* The "metrics" object's fields, in their order: one list that the tree
 * (metrics_json) and the text (slab_result_metrics_text) are both made
 * from, so the two cannot drift apart. */
enum {
    F_REAL, /* json_real: a real (left out when not finite, as jansson does) */
    F_NUM,  /* num(): a real, null when not finite */
    F_INT,  /* an integer */
    F_NULL  /* null */
};

typedef struct mfield {
    const char *key;
    int kind;
    double x;
    long i;
} mfield;

#define N_MFIELDS 20

static void mset(mfield *f, const char *key, int kind, double x, long i)
{
    f->key = key;
    f->kind = kind;
    f->x = x;
    f->i = i;
}

/* The fields from a run's trades and its headline analyzer values (the
 * same numbers the "analyzers" object carries); returns how many. The
 * conventions follow them. */
static size_t metrics_fields(const slab_run *run, const slab_headline *h, mfield *f)
{
    double won_pnl = 0.0, lost_pnl = 0.0, net = 0.0;
    long closed = 0, won = 0, lost = 0;
    size_t m = 0;
    for (size_t k = 0; k < run->n_trades; k++) {
        const slab_trade *t = &run->trades[k];
        if (t->is_open)
            continue;
        closed++;
        net += t->pnlcomm;
        if (t->pnlcomm >= 0.0) { /* backtrader counts break-even as won */
            won++;
            won_pnl += t->pnlcomm;
        } else {
            lost++;
            lost_pnl += t->pnlcomm;
        }
    }
    mset(&f[m++], "final_value", F_REAL, run->final_value, 0);
    mset(&f[m++], "total_return", F_NUM, (run->final_value / run->start_value - 1.0) * 100.0, 0);
    mset(&f[m++], "sharpe_ratio", h->sharpe_none ? F_NULL : F_NUM, h->sharpe, 0);
    mset(&f[m++], "sharpe_ratio_daily_annualized", h->sharpe_days_none ? F_NULL : F_NUM,
         h->sharpe_days, 0);
    mset(&f[m++], "sharpe_ratio_annualized", h->sharpe_fit_none ? F_NULL : F_NUM, h->sharpe_fit,
         0);
    /* a non-finite drawdown (null in "analyzers") reads as 0 here, as it
     * always has */
    mset(&f[m++], "max_drawdown_pct", F_REAL, isfinite(h->max_drawdown) ? h->max_drawdown : 0.0,
         0);
    mset(&f[m++], "num_trades", F_INT, 0.0, closed);
    mset(&f[m++], "won_trades", F_INT, 0.0, won);
    mset(&f[m++], "lost_trades", F_INT, 0.0, lost);
    mset(&f[m++], "total_trades", F_INT, 0.0, closed);
    mset(&f[m++], "winning_trades", F_INT, 0.0, won);
    mset(&f[m++], "losing_trades", F_INT, 0.0, lost);
    mset(&f[m++], "open_trades", F_INT, 0.0, (long)run->n_trades - closed);
    mset(&f[m++], "win_rate", closed ? F_REAL : F_NULL, closed ? 100.0 * won / closed : 0.0, 0);
    mset(&f[m++], "normalized_annual_return", F_NUM, h->annual_return_pct, 0);
    mset(&f[m++], "annualization_periods", F_NUM, h->periods_per_year, 0);
    /* SQN as the analyzers object has it: the int 0 for <= 1 trade */
    mset(&f[m++], "sqn", h->sqn.trades <= 1 ? F_INT : h->sqn.is_none ? F_NULL : F_NUM, h->sqn.sqn,
         0);
    mset(&f[m++], "total_pnl", F_REAL, net, 0);
    mset(&f[m++], "total_pnl_percent", F_REAL, net / run->start_value * 100.0, 0);
    mset(&f[m++], "profit_factor", lost_pnl < 0.0 ? F_REAL : F_NULL,
         lost_pnl < 0.0 ? won_pnl / -lost_pnl : 0.0, 0);
    return m;
}

/* The "metrics" object (owned). */
static json_t *metrics_json(const slab_run *run, const slab_headline *h)
{
    mfield f[N_MFIELDS];
    size_t n = metrics_fields(run, h, f);
    json_t *m = json_object();
    for (size_t k = 0; k < n; k++)
        json_object_set_new(m, f[k].key,
                            f[k].kind == F_REAL  ? json_real(f[k].x)
                            : f[k].kind == F_NUM ? num(f[k].x)
                            : f[k].kind == F_INT ? json_integer(f[k].i)
                                                 : json_null());
    pthread_once(&conventions_once, conventions_share);
    json_object_set_new(m, "conventions",
                        conventions_shared ? json_incref(conventions_shared) : conventions_json());
    return m;
}

int slab_result_metrics_text(const slab_run *run, const slab_headline *h, slab_json_text *t)
{
    mfield f[N_MFIELDS];
    size_t n = metrics_fields(run, h, f), written = 0;
    pthread_once(&conventions_once, conventions_share);
    if (!conventions_text)
        return -1;
    slab_json_text_raw(t, "{", 1);
    for (size_t k = 0; k < n; k++) {
        if (f[k].kind == F_REAL && !isfinite(f[k].x))
            continue; /* json_real() gives no value: the tree has no key */
        /* the keys are this file's identifiers: no character to escape */
        if (written++)
            slab_json_text_raw(t, ",\"", 2);
        else
            slab_json_text_raw(t, "\"", 1);
        slab_json_text_raw(t, f[k].key, strlen(f[k].key));
        slab_json_text_raw(t, "\":", 2);
        if (f[k].kind == F_INT)
            slab_json_text_integer(t, f[k].i);
        else if (f[k].kind == F_NULL || !isfinite(f[k].x))
            slab_json_text_raw(t, "null", 4);
        else
            slab_json_text_real(t, f[k].x);
    }
    slab_json_text_raw(t, written ? ",\"conventions\":" : "\"conventions\":", written ? 15 : 14);
    slab_json_text_raw(t, conventions_text, strlen(conventions_text));
    slab_json_text_raw(t, "}", 1);
    return t->failed ? -1 : 0;
}

/* The symbol of a run's feed: the run's record of it, else feed 0's bars'. */
static const char *feed_symbol(const slab_bars *bars, const slab_run *run, int feed)
{
    if (feed > 0 && (size_t)feed < run->n_feeds)
        return run->symbols[feed];
    return bars->symbol;
}

/* A bar's time of day as "HH:MM" (":SS" added when not whole minutes),
 * as the ORB reference's days list has it; null for none. */
static json_t *tod_str(int64_t ts_ns)
{
    if (!ts_ns)
        return json_null();
    int64_t s = (ts_ns - slab_ts_day(ts_ns) * SLAB_NS_PER_DAY) / SLAB_NS_PER_SEC;
    if (s % 60)
        return json_sprintf("%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    return json_sprintf("%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
}

/* The result's `days`: one entry per session of an intraday strategy. */
static json_t *days_json(const slab_run *run)
{
    json_t *arr = json_array();
    char buf[40];
    for (size_t k = 0; k < run->n_days; k++) {
        const slab_day_record *d = &run->days[k];
        json_t *o = json_object();
        const char *dec = slab_day_decision_name(d->decision);
        slab_time_format(d->day * SLAB_NS_PER_DAY, 1, buf, sizeof buf);
        json_object_set_new(o, "date", json_string(buf));
        json_object_set_new(o, "range_high", num(d->range_high));
        json_object_set_new(o, "range_low", num(d->range_low));
        json_object_set_new(o, "breakout_time",
                            tod_str(d->breakout_ts_ns));
        json_object_set_new(o, "filter_close", num(d->filter_close));
        json_object_set_new(o, "filter_bar_time",
                            tod_str(d->filter_ts_ns));
        json_object_set_new(o, "filter_prev_close", num(d->filter_prev_close));
        json_object_set_new(o, "decision", dec ? json_string(dec) : json_null());
        json_object_set_new(o, "entry_status",
                            d->entry_status > 0 ? json_string(slab_order_status_name(
                                                      (slab_order_status)d->entry_status))
                                                : json_null());
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The "trades" list's length: the first max_trades (-1: all). */
static size_t trades_shown(const slab_run *run, long max_trades)
{
    size_t n = run->n_trades;
    return max_trades >= 0 && (size_t)max_trades < n ? (size_t)max_trades : n;
}

json_t *slab_result_trade_json(const slab_bars *bars, const slab_run *run, size_t k)
{
    int daily = is_daily(bars);
    const slab_trade *t = &run->trades[k];
    json_t *o = json_object();
    double basis = fabs(t->size) * t->entry_price;
    json_object_set_new(o, "ref", json_integer(t->ref));
    json_object_set_new(o, "symbol", json_string(feed_symbol(bars, run, t->feed)));
    json_object_set_new(o, "side", json_string(t->is_long ? "long" : "short"));
    json_object_set_new(o, "status", json_string(t->is_open ? "open" : "closed"));
    json_object_set_new(o, "entry_time", time_str(t->entry_ts_ns, daily));
    json_object_set_new(o, "entry_price", json_real(t->entry_price));
    json_object_set_new(o, "exit_time", t->is_open ? json_null() : time_str(t->exit_ts_ns, daily));
    json_object_set_new(o, "exit_price", t->is_open ? json_null() : json_real(t->exit_price));
    json_object_set_new(o, "size", json_real(t->size));
    json_object_set_new(o, "pnl", json_real(t->pnl));
    json_object_set_new(o, "pnlcomm", json_real(t->pnlcomm));
    json_object_set_new(o, "commission", json_real(t->commission));
    json_object_set_new(o, "pnl_percent", basis > 0 ? num(t->pnlcomm / basis * 100.0) : json_null());
    json_object_set_new(o, "exit_reason",
                        json_string(t->is_open ? "end_of_data" : slab_exit_reason_name(t->exit_reason)));
    json_object_set_new(o, "max_gain", t->is_open ? json_null() : json_real(t->max_gain));
    json_object_set_new(o, "max_loss", t->is_open ? json_null() : json_real(t->max_loss));
    json_object_set_new(o, t->is_long ? "highest_price" : "lowest_price",
                        num(t->is_long ? t->high_price : t->low_price));
    json_object_set_new(o, "max_gain_pct",
                        t->is_open ? json_null() : num(t->max_gain / t->entry_price * 100.0));
    json_object_set_new(o, "max_loss_pct",
                        t->is_open ? json_null() : num(t->max_loss / t->entry_price * 100.0));
    json_object_set_new(o, "mfe_capture",
                        t->is_open || !(t->max_gain > 0.0)
                            ? json_null()
                            : num(t->pnl / fabs(t->size) / t->max_gain));
    json_object_set_new(o, "bars", json_integer(t->is_open ? (long)run->n_bars - t->baropen
                                                           : t->barlen));
    json_object_set_new(o, "baropen", json_integer(t->baropen));
    json_object_set_new(o, "barclose", t->is_open ? json_null() : json_integer(t->barclose));
    return o;
}

static json_t *trades_json(const slab_bars *bars, const slab_run *run, long max_trades)
{
    json_t *arr = json_array();
    for (size_t k = 0, n = trades_shown(run, max_trades); k < n; k++)
        json_array_append_new(arr, slab_result_trade_json(bars, run, k));
    return arr;
}

json_t *slab_result_order_json(const slab_bars *bars, const slab_run *run, size_t k)
{
    int daily = is_daily(bars);
    const slab_order_event *e = &run->orders[k];
    int filled = e->exec_size != 0.0;
    json_t *o = json_object();
    json_object_set_new(o, "ref", json_integer(e->ref));
    json_object_set_new(o, "symbol", json_string(feed_symbol(bars, run, e->feed)));
    json_object_set_new(o, "side", json_string(e->is_buy ? "buy" : "sell"));
    json_object_set_new(o, "exectype", json_string(slab_order_type_name(e->type)));
    json_object_set_new(o, "status", json_string(slab_order_status_name(e->status)));
    json_object_set_new(o, "created_time", time_str(e->created_ts_ns, daily));
    json_object_set_new(o, "created_price", json_real(e->created_price));
    json_object_set_new(o, "created_size", json_real(e->created_size));
    json_object_set_new(o, "exec_time", filled ? time_str(e->exec_ts_ns, daily) : json_null());
    json_object_set_new(o, "exec_price", filled ? json_real(e->exec_price) : json_null());
    json_object_set_new(o, "exec_size", json_real(e->exec_size));
    json_object_set_new(o, "exec_value", json_real(e->exec_value));
    json_object_set_new(o, "exec_comm", json_real(e->exec_comm));
    json_object_set_new(o, "exec_pnl", json_real(e->exec_pnl));
    if (e->reason[0])
        json_object_set_new(o, "reason", json_string(e->reason));
    return o;
}

static json_t *orders_json(const slab_bars *bars, const slab_run *run)
{
    json_t *arr = json_array();
    for (size_t k = 0; k < run->n_orders; k++)
        json_array_append_new(arr, slab_result_order_json(bars, run, k));
    return arr;
}

/* slab_json_lazy's item callbacks over a slab_result_lists. */
static json_t *trade_item(void *user, size_t k)
{
    const slab_result_lists *l = user;
    return slab_result_trade_json(l->bars, l->run, k);
}
static json_t *order_item(void *user, size_t k)
{
    const slab_result_lists *l = user;
    return slab_result_order_json(l->bars, l->run, k);
}

size_t slab_result_lazy(const json_t *doc, const slab_result_info *info, slab_result_lists *lists,
                        slab_json_lazy lazy[2])
{
    size_t n = 0;
    const json_t *t = json_object_get(doc, "trades"), *o = json_object_get(doc, "orders");
    if (!info->lists_later)
        return 0;
    if (t) {
        slab_json_lazy x = {t, trades_shown(lists->run, info->max_trades), trade_item, lists};
        lazy[n++] = x;
    }
    if (o) {
        slab_json_lazy x = {o, lists->run->n_orders, order_item, lists};
        lazy[n++] = x;
    }
    return n;
}

/* The fill-model tag and the flags of what departs from backtrader's
 * defaults (absent when at the default, so default documents and their
 * run ids do not change). */
/* Appends to the tag in buf (cap bytes, n used); a full buffer truncates. */
static size_t cat(char *buf, size_t cap, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static size_t cat(char *buf, size_t cap, size_t n, const char *fmt, ...)
{
    va_list ap;
    if (n >= cap - 1)
        return n;
    va_start(ap, fmt);
    int w = vsnprintf(buf + n, cap - n, fmt, ap);
    va_end(ap);
    return w < 0 ? n : (size_t)w >= cap - n ? cap - 1 : n + (size_t)w;
}

static void fill_model(json_t *cfg, const slab_broker_config *b, const slab_strategy_def *def)
{
    char buf[1024];
    const char *coo = def && !def->next_open
                          ? "backtrader: market orders fill at the next bar's open (cheat-on-open, "
                            "but the strategy has no next_open: only the submission cash check "
                            "uses the open)"
                          : "backtrader: market orders fill at the next bar's open (cheat-on-open: "
                            "next_open orders at this bar's open, cash checked at the open)";
    size_t n = cat(buf, sizeof buf, 0, "%s",
                                b->coo   ? coo
                                : b->coc ? "backtrader: market orders fill at the creating bar's "
                                           "close (cheat-on-close, look-ahead)"
                                         : "backtrader: market orders fill at the next bar's open");
    n = cat(buf, sizeof buf, n, ", cash checked at submission and fill");
    int costs = b->comm_scheme != SLAB_COMM_PERCENT || b->commission_min > 0.0;
    if (costs) {
        n = cat(buf, sizeof buf, n, "; commission %s %g%s",
                              slab_comm_scheme_name(b->comm_scheme), b->commission,
                              b->comm_scheme == SLAB_COMM_PER_SHARE ? "/share"
                              : b->comm_scheme == SLAB_COMM_FIXED   ? "/fill"
                                                                    : " of value");
        if (b->commission_min > 0.0)
            n = cat(buf, sizeof buf, n, ", min %g/fill", b->commission_min);
        json_object_set_new(cfg, "commission_scheme",
                            json_string(slab_comm_scheme_name(b->comm_scheme)));
        json_object_set_new(cfg, "commission_min", json_real(b->commission_min));
    }
    if (b->slip_perc != 0.0 || b->slip_fixed != 0.0) {
        json_t *sl = json_object();
        if (b->slip_perc != 0.0)
            json_object_set_new(sl, "perc", json_real(b->slip_perc));
        else
            json_object_set_new(sl, "fixed", json_real(b->slip_fixed));
        json_object_set_new(sl, "slip_open", json_boolean(b->slip_open));
        json_object_set_new(sl, "slip_match", json_boolean(b->slip_match));
        json_object_set_new(sl, "slip_limit", json_boolean(b->slip_limit));
        json_object_set_new(sl, "slip_out", json_boolean(b->slip_out));
        json_object_set_new(cfg, "slippage", sl);
        n = cat(buf, sizeof buf, n, "; slippage %s%g%s (slip_open %s, %s%s)",
                              b->slip_perc != 0.0 ? "" : "fixed ",
                              b->slip_perc != 0.0 ? b->slip_perc * 100.0 : b->slip_fixed,
                              b->slip_perc != 0.0 ? "%" : "", b->slip_open ? "on" : "off",
                              b->slip_out     ? "kept beyond the bar's high/low"
                              : b->slip_match ? "capped at the bar's high/low"
                                              : "an order waits while its slipped price is "
                                                "outside the bar",
                              !b->slip_match && b->slip_limit ? "; limit fills capped at the limit"
                                                              : "");
    }
    if (b->coc)
        json_object_set_new(cfg, "cheat_on_close", json_true());
    if (b->coo)
        json_object_set_new(cfg, "cheat_on_open", json_true());
    if (b->pessimistic) {
        json_object_set_new(cfg, "pessimistic", json_true());
        n = cat(buf, sizeof buf, n,
                              "; pessimistic: a bar on which a stop-type exit and a limit "
                              "target of the position can both fill fills the stop");
    }
    if (b->margin_call) {
        json_object_set_new(cfg, "margin_call", json_true());
        json_object_set_new(cfg, "maintenance_margin", json_real(b->maintenance_margin));
        n = cat(buf, sizeof buf, n,
                              "; margin call: liquidated at the next open when the value is "
                              "<= %g x the position's value",
                              b->maintenance_margin);
    }
    (void)n;
    json_object_set_new(cfg, "fill_model", json_string(buf));
}

/* The run's risk settings in their text forms (risk.h), absent when at
 * the default (one position per symbol, nothing else), so default
 * documents and their run ids do not change. */
static void risk_json(json_t *cfg, const slab_risk_config *r)
{
    size_t n;
    char buf[96];
    const char *const *keys = slab_risk_keys(&n);
    if (!slab_risk_active(r))
        return;
    json_t *o = json_object();
    for (size_t k = 0; k < n; k++)
        if (slab_risk_get(r, keys[k], buf, sizeof buf)[0])
            json_object_set_new(o, keys[k], json_string(buf));
    json_object_set_new(o, "one_position_per_symbol", json_boolean(!r->allow_pyramiding));
    json_object_set_new(cfg, "risk", o);
}

/* One parameter's value as the config shows it: a time as "HH:MM", a
 * text parameter as its text ("" when not given). */
static json_t *param_json(const slab_run *run, const slab_param_def *p, double v)
{
    if (p->type == SLAB_PARAM_FLOAT)
        return json_real(v);
    if (p->type == SLAB_PARAM_TIME)
        return json_sprintf("%02d:%02d", (int)v / 60, (int)v % 60);
    if (p->type != SLAB_PARAM_TEXT)
        return json_integer((json_int_t)v);
    size_t len = strlen(p->name);
    for (size_t k = 0; k < run->n_param_text; k++)
        if (!strncmp(run->param_text[k], p->name, len) && run->param_text[k][len] == '=')
            return json_string(run->param_text[k] + len + 1);
    return json_string("");
}

/* The run's "params" object. */
static json_t *params_json(const slab_run *run, const slab_result_info *info)
{
    json_t *params = json_object();
    for (int k = 0; info->def && k < info->def->n_params; k++)
        json_object_set_new(params, info->def->params[k].name,
                            param_json(run, &info->def->params[k], info->params[k]));
    return params;
}

/* The "config" object without "params" and "minperiod": what depends on
 * the broker, risk and strategy definition alone. */
static json_t *config_rest(const slab_run *run, const slab_result_info *info)
{
    json_t *cfg = json_object();
    json_object_set_new(cfg, "cash", json_real(info->broker->cash));
    json_object_set_new(cfg, "commission", json_real(info->broker->commission));
    static const char *sizers[] = {"fixed", "percent", "percent_int"};
    char sz[64];
    snprintf(sz, sizeof sz, "%s:%g", sizers[info->broker->sizer.kind], info->broker->sizer.amount);
    json_object_set_new(cfg, "sizer", json_string(sz));
    fill_model(cfg, info->broker, info->def);
    risk_json(cfg, &run->risk);
    return cfg;
}

/* The run's "config" object: parameters, costs, fill model, risk. */
static json_t *config_json(const slab_run *run, const slab_result_info *info)
{
    json_t *cfg = config_rest(run, info);
    json_object_set_new(cfg, "params", params_json(run, info));
    json_object_set_new(cfg, "minperiod", json_integer(run->minperiod));
    return cfg;
}

#define ID_FLAGS (JSON_SORT_KEYS | JSON_COMPACT | SLAB_JSON_REAL17)

/* The config text of run ids, made without building the whole tree when
 * the broker, risk and strategy definition are those of this thread's
 * last run id (a sweep's runs differ in parameters): the text of
 * config_rest with "minperiod" and "params" put in their sorted place
 * (between "margin_call" and "pessimistic", no key sorts between them),
 * kept as the text before and after them. The key compares the structs'
 * bytes (they hold values only, no pointers): equal bytes, equal text;
 * a difference in padding alone only costs the memo. Building the tree,
 * sorting and printing it was a tenth of a sweep's time on short data. */
#define MEMO_PREFIX 2048
#define MEMO_SUFFIX 1024
typedef struct cfg_memo {
    int valid;
    slab_broker_config broker;
    slab_risk_config risk;
    const slab_strategy_def *def;
    size_t np, ns;
    char prefix[MEMO_PREFIX], suffix[MEMO_SUFFIX];
} cfg_memo;
static _Thread_local cfg_memo memo;

/* Fills the memo for run and info; 0 when it cannot hold them. */
static int memo_fill(const slab_run *run, const slab_result_info *info)
{
    static const char mark[] = ",\"minperiod\":0,\"params\":{}";
    memo.valid = 0;
    json_t *cfg = config_rest(run, info);
    if (!cfg)
        return 0;
    json_object_set_new(cfg, "params", json_object());
    json_object_set_new(cfg, "minperiod", json_integer(0));
    char *txt = slab_json_dumps(cfg, ID_FLAGS);
    json_decref(cfg);
    const char *at = txt ? strstr(txt, mark) : NULL;
    if (!at) { /* out of memory (the mark is always there) */
        slab_free(txt);
        return 0;
    }
    size_t np = (size_t)(at - txt), ns = strlen(at + sizeof mark - 1);
    if (np < MEMO_PREFIX && ns < MEMO_SUFFIX) {
        memcpy(memo.prefix, txt, np);
        memcpy(memo.suffix, at + sizeof mark - 1, ns);
        memo.np = np;
        memo.ns = ns;
        memo.broker = *info->broker;
        memo.risk = run->risk;
        memo.def = info->def;
        memo.valid = 1;
    }
    slab_free(txt);
    return memo.valid;
}

/* The config text run_id_of hashes (slab_json_dumps of config_json with
 * ID_FLAGS, byte for byte) into t. */
static void config_text(const slab_run *run, const slab_result_info *info, slab_json_text *t)
{
    int hit = memo.valid && memo.def == info->def &&
              !memcmp(&memo.broker, info->broker, sizeof memo.broker) &&
              !memcmp(&memo.risk, &run->risk, sizeof memo.risk);
    if (!hit && !memo_fill(run, info)) {
        json_t *cfg = config_json(run, info);
        if (!cfg)
            t->failed = 1;
        else
            slab_json_text_value(t, cfg, ID_FLAGS);
        json_decref(cfg);
        return;
    }
    json_t *params = params_json(run, info);
    slab_json_text_raw(t, memo.prefix, memo.np);
    slab_json_text_raw(t, ",\"minperiod\":", 13);
    slab_json_text_integer(t, run->minperiod);
    slab_json_text_raw(t, ",\"params\":", 10);
    if (!params)
        t->failed = 1;
    else
        slab_json_text_value(t, params, ID_FLAGS);
    json_decref(params);
    slab_json_text_raw(t, memo.suffix, memo.ns);
}

/* The run id: a digest of the data and the configuration text cfgtxt
 * (config_json as slab_json_dumps writes it with ID_FLAGS: jansson's
 * bytes, its reals, as every run id has hashed), so the same inputs always
 * give the same id (16 hex digits and a NUL into id). Returns 0, or -1
 * when out of memory. */
static int run_id_of(const slab_bars *bars, const slab_run *run, const slab_result_info *info,
                     const char *cfgtxt, size_t len, char id[17])
{
    char tf[32], nb[32], hex[65];
    slab_json_text seed = {0};
    slab_timeframe_format(bars->timeframe, bars->compression, tf, sizeof tf);
    snprintf(nb, sizeof nb, "|%zu|", run->n_bars);
    /* the whole text is hashed, however long the configuration */
    slab_json_text_raw(&seed, bars->sha256, strlen(bars->sha256));
    slab_json_text_raw(&seed, "|", 1);
    slab_json_text_raw(&seed, info->strategy, strlen(info->strategy));
    slab_json_text_raw(&seed, "|", 1);
    slab_json_text_raw(&seed, cfgtxt, len);
    slab_json_text_raw(&seed, nb, strlen(nb));
    slab_json_text_raw(&seed, tf, strlen(tf));
    if (seed.failed) {
        slab_free(seed.s);
        return -1; /* an id of part of the config would be another run's */
    }
    slab_sha256_mem(seed.s, seed.n, hex);
    slab_free(seed.s);
    memcpy(id, hex, 16);
    id[16] = '\0';
    return 0;
}

slab_status slab_result_run_id(const slab_bars *bars, const slab_run *run,
                               const slab_result_info *info, char id[17], slab_error *err)
{
    slab_json_text t = {0};
    config_text(run, info, &t);
#ifndef NDEBUG
    /* checked builds: the memo's text is the tree's, byte for byte */
    if (!t.failed) {
        json_t *cfg = config_json(run, info);
        char *full = cfg ? slab_json_dumps(cfg, ID_FLAGS) : NULL;
        assert(!full || (strlen(full) == t.n && !memcmp(full, t.s, t.n)));
        slab_free(full);
        json_decref(cfg);
    }
#endif
    int rc = t.failed ? -1 : run_id_of(bars, run, info, t.s, t.n, id);
    slab_free(t.s);
    return rc ? slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the run id") : SLAB_OK;
}

json_t *slab_result_metrics(const slab_run *run, const slab_headline *h)
{
    return metrics_json(run, h);
}

static json_t *backtest_json(const slab_bars *bars, const slab_run *run,
                             const slab_result_info *info)
{
    char tf[32], idbuf[17];
    int daily = is_daily(bars);
    json_t *bt = json_object();
    json_object_set_new(bt, "strategy", json_string(info->strategy));
    json_object_set_new(bt, "source", json_string(info->source));
    json_t *syms = json_array();
    json_array_append_new(syms, json_string(bars->symbol));
    for (size_t k = 1; k < run->n_feeds; k++)
        json_array_append_new(syms, json_string(run->symbols[k]));
    json_object_set_new(bt, "symbols", syms);
    json_object_set_new(bt, "from", time_str(run->ts_ns[0], daily));
    json_object_set_new(bt, "to", time_str(run->ts_ns[run->n_bars - 1], daily));
    json_object_set_new(bt, "bars", json_integer((json_int_t)run->n_bars));
    json_object_set_new(bt, "timeframe",
                        json_string(slab_timeframe_format(bars->timeframe, bars->compression, tf,
                                                          sizeof tf)));
    json_t *cfg = config_json(run, info);
    json_object_set_new(bt, "config", cfg);
    json_t *eng = json_object();
    json_object_set_new(eng, "name", json_string("stratlab"));
    json_object_set_new(eng, "version", json_string(SLAB_VERSION));
    json_object_set_new(bt, "engine", eng);
    json_object_set_new(bt, "data_source", json_string(bars->source));
    if (!strncmp(bars->source, "synth:", 6))
        json_object_set_new(bt, "synthetic", json_true()); /* stratlab data synth */
    json_object_set_new(bt, "data_sha256", bars->sha256[0] ? json_string(bars->sha256) : json_null());
    char *cfgtxt = cfg ? slab_json_dumps(cfg, ID_FLAGS) : NULL;
    int bad = !cfgtxt || run_id_of(bars, run, info, cfgtxt, strlen(cfgtxt), idbuf) != 0;
    slab_free(cfgtxt);
    if (bad) { /* out of memory: no id, no document */
        json_decref(bt);
        return NULL;
    }
    json_object_set_new(bt, "run_id", json_string(idbuf));
    return bt;
}

json_t *slab_result_document(const slab_bars *bars, const slab_run *run,
                             const slab_result_info *info, slab_error *err)
{
    slab_equity eq = slab_run_equity(run);
    json_t *an = slab_analyzers_json(&eq, run->trades, run->n_trades, err);
    if (!an)
        return NULL;
    if (slab_analyzers_document(an) != 0) { /* conventions, no sentinels */
        json_decref(an);
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the analyzers' conventions");
        return NULL;
    }
    json_t *doc = json_object(), *bt = backtest_json(bars, run, info);
    if (!bt) {
        json_decref(an);
        json_decref(doc);
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the run id");
        return NULL;
    }
    json_object_set_new(doc, "backtest", bt);
    slab_headline h;
    if (slab_headline_compute(&eq, run->trades, run->n_trades, NULL, &h, err) != SLAB_OK) {
        json_decref(an);
        json_decref(doc);
        return NULL;
    }
    json_t *m = metrics_json(run, &h);
    json_object_set_new(doc, "metrics", m);
    /* the report layer's statistics block (slab_result_json) goes here */
    json_object_set_new(doc, "stats", json_null());
    json_object_set_new(doc, "analyzers", an);
    /* Long trade lists are capped so an agent's context is not flooded; the
     * count and the way to get them all are always stated. */
    /* lists_later: empty here, written item by item (slab_result_lazy) */
    json_object_set_new(doc, "trades", info->lists_later ? json_array()
                                                         : trades_json(bars, run, info->max_trades));
    json_object_set_new(doc, "trades_total", json_integer((json_int_t)run->n_trades));
    if (info->max_trades >= 0 && (size_t)info->max_trades < run->n_trades)
        json_object_set_new(doc, "trades_note",
                            json_sprintf("showing the first %ld of %zu trades; pass --trades all "
                                         "(or max_trades -1) for every trade",
                                         info->max_trades, run->n_trades));
    if (info->include_orders)
        json_object_set_new(doc, "orders", info->lists_later ? json_array() : orders_json(bars, run));
    if (run->days)
        json_object_set_new(doc, "days", days_json(run));
    json_t *fin = json_object();
    json_object_set_new(fin, "value", json_real(run->final_value));
    json_object_set_new(fin, "cash", json_real(run->final_cash));
    json_object_set_new(fin, "position_size", json_real(run->position_size));
    json_object_set_new(fin, "position_price", json_real(run->position_price));
    json_object_set_new(doc, "final", fin);
    /* the report layer writes the summary text (slab_result_json); the key
     * is placed here so the document's order does not depend on it */
    json_object_set_new(doc, "summary", json_null());
    json_t *ex = json_object();
    json_object_set_new(ex, "id", json_object_get(json_object_get(doc, "backtest"), "run_id")
                                      ? json_deep_copy(json_object_get(
                                            json_object_get(doc, "backtest"), "run_id"))
                                      : json_null());
    json_object_set_new(ex, "wall_ms", json_real(info->wall_ms));
    json_object_set_new(ex, "engine_ms", json_real((run->loop_ns + run->indicators_ns) / 1e6));
    json_object_set_new(ex, "compile_ms", json_null());
    json_object_set_new(ex, "lookahead_attempts", json_integer(run->lookahead_attempts));
    json_object_set_new(doc, "execution", ex);
    return doc;
}
