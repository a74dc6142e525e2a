/* summary.c: the few human lines of a result: what ran, on what, how it
 * went, and for a run without trades the likely reasons, so a silent
 * zero-trade run cannot pass unnoticed. */
#include "stratlab/result.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SUMMARY_MAX 2048

static void add(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(char *buf, const char *fmt, ...)
{
    size_t l = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + l, SUMMARY_MAX - l, fmt, ap);
    va_end(ap);
}

static double get(json_t *m, const char *k)
{
    json_t *v = json_object_get(m, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The orders a run's broker refused for lack of cash (status Margin). */
typedef struct refusals {
    long n;                       /* how many */
    const slab_order_event *first;/* the first of them, NULL when none */
} refusals;

static refusals margin_refusals(const slab_run *run)
{
    refusals r = {0, NULL};
    for (size_t k = 0; k < run->n_orders; k++)
        if (run->orders[k].status == SLAB_ORDER_MARGIN) {
            if (!r.first)
                r.first = &run->orders[k];
            r.n++;
        }
    return r;
}

/* What the cash refusals were, why the broker refused them and what to
 * change, as three sentences without their full stops (the summary and
 * the JSON warning share them). all: no trade was made at all. */
static void refusal_text(const slab_bars *bars, const slab_broker_config *b, refusals r, int all,
                         char *what, char *cause, char *fix, size_t cap)
{
    char when[40];
    const slab_order_event *o = r.first;
    snprintf(what, cap, "%s (Margin): %ld order(s), the first (order %lld, created %s): %s",
             all ? "every entry order was refused for lack of cash"
                 : "orders were refused for lack of cash",
             r.n, (long long)o->ref,
             slab_time_format(o->created_ts_ns, bars->timeframe >= SLAB_TF_DAYS, when, sizeof when),
             o->reason[0] ? o->reason : "no reason recorded");
    int percent = b && (b->sizer.kind == SLAB_SIZER_PERCENT || b->sizer.kind == SLAB_SIZER_PERCENT_INT);
    const char *sizer = b && b->sizer.kind == SLAB_SIZER_PERCENT_INT ? "percent_int" : "percent";
    int perc_comm = b && b->comm_scheme == SLAB_COMM_PERCENT && b->commission_min <= 0.0;
    size_t n = (size_t)snprintf(cause, cap,
                                "the broker checks the cash when an order is submitted, at the "
                                "creating bar's close plus commission, and again at the fill price");
    if (percent && perc_comm && n < cap)
        snprintf(cause + n, cap - n, "; --sizer %s:%g with commission %g%% of value needs %g%% of "
                 "the cash at that close",
                 sizer, b->sizer.amount, b->commission * 100.0,
                 b->sizer.amount * (1.0 + b->commission));
    if (percent) {
        size_t m = (size_t)snprintf(fix, cap, "--sizer %s:95 (the reference setting) or lower "
                                    "leaves room for the commission and the move from the "
                                    "signal's close to the next open", sizer);
        /* the largest percent with one decimal whose order and commission
         * fit the cash at the creating close: p * (1 + c) <= 100 */
        if (perc_comm && !b->coc && m < cap)
            snprintf(fix + m, cap - m, "; or --cheat-on-close with at most %s:%.1f (fills at "
                     "the signal's close: look-ahead)", sizer,
                     floor(1000.0 / (1.0 + b->commission)) / 10.0);
    } else {
        snprintf(fix, cap, "a smaller --sizer fixed:N (N shares at the price plus commission "
                 "must fit the cash), more --cash, or --sizer percent:95");
    }
}

/* Lists why a run may have made no trade. */
static void no_trade_reasons(char *buf, const slab_bars *bars, const slab_run *run,
                             const slab_broker_config *broker)
{
    refusals r = margin_refusals(run);
    if (r.n) {
        char what[512], cause[512], fix[512];
        refusal_text(bars, broker, r, 1, what, cause, fix, sizeof what);
        add(buf, "No trades were made: %s.\nCause: %s.\nFix: %s.\n", what, cause, fix);
        return;
    }
    add(buf, "No trades were made. Likely reasons: ");
    if ((size_t)run->minperiod > run->n_bars)
        add(buf,
            "the indicators never produced a value: the strategy needs more warm-up bars "
            "than the %zu the data has (use longer data or shorter periods); ",
            run->n_bars);
    else if ((size_t)run->minperiod == run->n_bars)
        add(buf,
            "the strategy's warm-up of %ld bars leaves only the last bar, whose orders "
            "never fill; ",
            run->minperiod - 1);
    else if (run->n_orders == 0 && run->sizer_zero == 0)
        add(buf,
            "the entry condition never held in %ld bars after warm-up (check the "
            "parameters and the data range); ",
            run->next_calls);
    if (run->sizer_zero)
        add(buf,
            "the sizer gave 0 shares %ld time(s) (price above the cash share; try "
            "--sizer percent:95 or a smaller fixed stake); ",
            run->sizer_zero);
    if (run->n_orders)
        add(buf, "an order was created on the last bar, which never fills; ");
    size_t l = strlen(buf);
    if (l >= 2 && buf[l - 2] == ';')
        buf[l - 2] = '.', buf[l - 1] = '\n';
}

/* "Exits: 59 stop_loss, 24 take_profit, 5 signal." when anything but a
 * strategy signal closed a trade (the risk rules were at work), and how
 * many orders were rejected, so refused entries are never silent. */
static void exits_line(char *buf, const slab_run *run)
{
    size_t count[SLAB_EXIT_LAST + 1] = {0}, rejected = 0, other = 0;
    for (size_t k = 0; k < run->n_trades; k++) {
        int r = run->trades[k].exit_reason;
        if (!run->trades[k].is_open && r > SLAB_EXIT_NONE && r <= SLAB_EXIT_LAST) {
            count[r]++;
            other += r != SLAB_EXIT_SIGNAL;
        }
    }
    for (size_t k = 0; k < run->n_orders; k++)
        rejected += run->orders[k].status == SLAB_ORDER_REJECTED;
    if (other) {
        const char *sep = "Exits: ";
        for (int r = SLAB_EXIT_SIGNAL; r <= SLAB_EXIT_LAST; r++)
            if (count[r]) {
                add(buf, "%s%zu %s", sep, count[r], slab_exit_reason_name((slab_exit_reason)r));
                sep = ", ";
            }
        add(buf, ".\n");
    }
    if (rejected)
        add(buf, "%zu order(s) rejected (reasons in the order log: --json --orders).\n", rejected);
}

/* The filter's symbol when the sessions read one (a record with filter
 * values), else NULL. */
static const char *filter_symbol(const slab_run *run)
{
    for (size_t k = 0; k < run->n_days; k++)
        if (run->days[k].filter_on && (size_t)run->days[k].filter_feed < run->n_feeds)
            return run->symbols[run->days[k].filter_feed];
    return NULL;
}

/* "HH:MM" of a bar time into buf (16 bytes). */
static const char *hhmm(int64_t ts, char *buf)
{
    int64_t s = (ts - slab_ts_day(ts) * SLAB_NS_PER_DAY) / SLAB_NS_PER_SEC;
    snprintf(buf, 16, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
    return buf;
}

/* The session record of the day a trade opened, or NULL. */
static const slab_day_record *day_of(const slab_run *run, int64_t ts)
{
    int64_t day = slab_ts_day(ts);
    for (size_t k = run->n_days; k-- > 0;)
        if (run->days[k].day <= day)
            return run->days[k].day == day ? &run->days[k] : NULL;
    return NULL;
}

/* One trade of an intraday strategy in the seed's answer shape: entry
 * with why, exit with its reason, P&L, the best move and what was kept. */
static void session_trade(char *buf, const slab_run *run, const slab_trade *t, const char *filt)
{
    char a[16], b[16];
    const slab_day_record *d = day_of(run, t->entry_ts_ns);
    double dir = t->is_long ? 1.0 : -1.0, basis = fabs(t->size) * t->entry_price;
    add(buf, "Entry: %s %.2f at %s", t->is_long ? "long" : "short", t->entry_price,
        hhmm(t->entry_ts_ns, a));
    if (d && d->breakout_ts_ns) {
        add(buf, " (breakout %s %.2f confirmed at %s", d->breakout_short ? "below" : "above",
            d->breakout_short ? d->range_low : d->range_high, hhmm(d->breakout_ts_ns, b));
        if (filt && !isnan(d->filter_prev_close) && d->filter_prev_close != 0.0)
            add(buf, "; %s %+.2f%% on its prior close", filt,
                (d->filter_close / d->filter_prev_close - 1.0) * 100.0);
        add(buf, ")");
    }
    if (t->is_open) {
        add(buf, "; still open at the end.\n");
        return;
    }
    add(buf, ".\nExit: %.2f at %s (%s). P&L %+.2f (%+.2f%%) after commission.\n", t->exit_price,
        hhmm(t->exit_ts_ns, a), slab_exit_reason_name(t->exit_reason), t->pnlcomm,
        basis > 0 ? t->pnlcomm / basis * 100.0 : 0.0);
    add(buf, "%s price reached %.2f; max gain during the trade %+.2f (%+.2f%%)",
        t->is_long ? "Highest" : "Lowest", t->is_long ? t->high_price : t->low_price,
        t->max_gain, t->max_gain / t->entry_price * 100.0);
    if (t->max_gain > 0.0)
        add(buf, "; the exit kept %.1f%% of it", dir * (t->exit_price - t->entry_price) /
                                                      t->max_gain * 100.0);
    add(buf, ".\n");
}

/* Sessions of an intraday strategy: how each was decided, the trades of
 * a short run one by one, and the runs a user would want next. */
static void sessions_lines(char *buf, const slab_run *run, const char *filt)
{
    size_t n[SLAB_DAY_NO_PRIOR_SESSION + 1] = {0};
    for (size_t k = 0; k < run->n_days; k++)
        if ((unsigned)run->days[k].decision <= SLAB_DAY_NO_PRIOR_SESSION)
            n[run->days[k].decision]++;
    add(buf, "Sessions: %zu: %zu traded, %zu blocked by the filter, %zu without a breakout, %zu "
             "skipped for earnings",
        run->n_days, n[SLAB_DAY_TRADED], n[SLAB_DAY_BLOCKED_BY_FILTER], n[SLAB_DAY_NO_BREAKOUT],
        n[SLAB_DAY_SKIPPED_EARNINGS]);
    if (n[SLAB_DAY_NO_PRIOR_SESSION])
        add(buf, ", %zu without a previous session for the filter (not traded)",
            n[SLAB_DAY_NO_PRIOR_SESSION]);
    add(buf, ".\n");
    if (run->n_trades <= 3)
        for (size_t k = 0; k < run->n_trades; k++)
            session_trade(buf, run, &run->trades[k], filt);
    add(buf, "Next: other trailing stops (--param trailing_stop_pct=1, =3), more dates "
             "(--from/--to)%s.\n",
        filt ? ", without the filter (drop --param market_filter)" : "");
}

/* The cash refusals of a run that made trades: how many, the first with
 * the broker's reason, and what to change. */
static void refusals_line(char *buf, const slab_bars *bars, const slab_run *run,
                          const slab_broker_config *broker)
{
    refusals r = margin_refusals(run);
    if (!r.n || run->n_trades == 0)
        return;
    char what[512], cause[512], fix[512];
    refusal_text(bars, broker, r, 0, what, cause, fix, sizeof what);
    add(buf, "Some %s.\nCause: %s.\nFix: %s.\n", what, cause, fix);
}

json_t *slab_result_warnings(const slab_bars *bars, const slab_run *run,
                             const slab_broker_config *broker)
{
    json_t *arr = json_array();
    refusals r = margin_refusals(run);
    if (!arr || !r.n)
        return arr;
    char what[512], cause[512], fix[512];
    int all = run->n_trades == 0;
    refusal_text(bars, broker, r, all, what, cause, fix, sizeof what);
    json_t *w = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "code",
                          slab_errcode_get(all ? SLAB_EC_MARGIN_ALL_REJECTED
                                               : SLAB_EC_MARGIN_REJECTED)->name,
                          "message", what,
                          "cause", cause, "fix", fix, "orders", (json_int_t)r.n, "first_order",
                          (json_int_t)r.first->ref);
    if (!w || json_array_append_new(arr, w)) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}

char *slab_summary_text(const slab_bars *bars, const slab_run *run, const char *strategy,
                        const slab_broker_config *broker, json_t *m)
{
    char *buf = slab_malloc(SUMMARY_MAX), from[40], to[40], tf[16];
    int daily = bars->timeframe >= SLAB_TF_DAYS;
    if (!buf)
        return NULL;
    buf[0] = '\0';
    add(buf, "%s on %s (%s, %s to %s, %zu bars): final value %.2f from %.2f (%+.2f%%).\n", strategy,
        bars->symbol[0] ? bars->symbol : "data",
        slab_timeframe_format(bars->timeframe, bars->compression, tf, sizeof tf),
        slab_time_format(run->ts_ns[0], daily, from, sizeof from),
        slab_time_format(run->ts_ns[run->n_bars - 1], daily, to, sizeof to), run->n_bars,
        run->final_value, run->start_value, get(m, "total_return"));
    if (!strncmp(bars->source, "synth:", 6))
        add(buf, "Synthetic data (stratlab data synth), not market prices.\n");
    long closed = (long)get(m, "num_trades"), open = (long)get(m, "open_trades");
    if (closed > 0)
        add(buf, "%ld closed trades, %.1f%% won, net pnl %.2f; max drawdown %.2f%%.\n", closed,
            get(m, "win_rate"), get(m, "total_pnl"), get(m, "max_drawdown_pct"));
    else if (open == 0 && run->n_days)
        add(buf, "No trades: the sessions below say why.\n"); /* a session strategy */
    else if (open == 0)
        no_trade_reasons(buf, bars, run, broker);
    exits_line(buf, run);
    if (run->days && run->n_days)
        sessions_lines(buf, run, filter_symbol(run));
    refusals_line(buf, bars, run, broker);
    if (open > 0)
        add(buf, "%ld position(s) still open at the end, marked at the last close.\n", open);
    if (broker && broker->coc)
        add(buf, "Cheat-on-close was on: market orders filled at the close of the bar that sent "
                 "them, which a live trader cannot do.\n");
    if (broker && broker->coo)
        add(buf, "Cheat-on-open was on: orders sent from next_open filled at that bar's open.\n");
    double sh = get(m, "sharpe_ratio"), sha = get(m, "sharpe_ratio_daily_annualized");
    if (!isnan(sh))
        add(buf, "Sharpe %.3f (yearly returns, rf 1%%)", sh);
    else
        add(buf, "Sharpe (yearly) undefined: fewer than 2 yearly returns or no variation");
    double shf = get(m, "sharpe_ratio_annualized");
    char nb[SLAB_NUM_TEXT_MAX];
    if (!isnan(sha))
        add(buf, "; %.3f on daily returns, annualized.\n", sha);
    else if (!isnan(shf))
        add(buf, "; %.3f on %s bar returns, annualized (%s bars a year).\n", shf,
            daily ? "per-period" : "intraday",
            slab_num_format(get(m, "annualization_periods"), nb, sizeof nb));
    else
        add(buf, ".\n");
    size_t l = strlen(buf);
    if (l && buf[l - 1] == '\n')
        buf[l - 1] = '\0';
    return buf;
}
