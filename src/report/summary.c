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

/* Lists why a run may have made no trade. */
static void no_trade_reasons(char *buf, const slab_run *run)
{
    long margin = 0;
    for (size_t k = 0; k < run->n_orders; k++)
        margin += run->orders[k].status == SLAB_ORDER_MARGIN;
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
    if (margin)
        add(buf, "%ld order(s) were rejected for lack of cash (Margin); ", margin);
    if (run->sizer_zero)
        add(buf,
            "the sizer gave 0 shares %ld time(s) (price above the cash share; try "
            "--sizer percent:95 or a smaller fixed stake); ",
            run->sizer_zero);
    if (run->n_orders && !margin)
        add(buf, "an order was created on the last bar, which never fills; ");
    size_t l = strlen(buf);
    if (l >= 2 && buf[l - 2] == ';')
        buf[l - 2] = '.', buf[l - 1] = '\0';
}

/* "Exits: 59 stop_loss, 24 take_profit, 5 signal." when anything but a
 * strategy signal closed a trade (the risk rules were at work), and how
 * many orders were rejected, so refused entries are never silent. */
static void exits_line(char *buf, const slab_run *run)
{
    size_t count[SLAB_EXIT_MARGIN + 1] = {0}, rejected = 0, other = 0;
    for (size_t k = 0; k < run->n_trades; k++) {
        int r = run->trades[k].exit_reason;
        if (!run->trades[k].is_open && r > SLAB_EXIT_NONE && r <= SLAB_EXIT_MARGIN) {
            count[r]++;
            other += r != SLAB_EXIT_SIGNAL;
        }
    }
    for (size_t k = 0; k < run->n_orders; k++)
        rejected += run->orders[k].status == SLAB_ORDER_REJECTED;
    if (other) {
        const char *sep = "Exits: ";
        for (int r = SLAB_EXIT_SIGNAL; r <= SLAB_EXIT_MARGIN; r++)
            if (count[r]) {
                add(buf, "%s%zu %s", sep, count[r], slab_exit_reason_name((slab_exit_reason)r));
                sep = ", ";
            }
        add(buf, ".\n");
    }
    if (rejected)
        add(buf, "%zu order(s) rejected (reasons in the order log: --json --orders).\n", rejected);
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
        slab_time_format(bars->ts_ns[0], daily, from, sizeof from),
        slab_time_format(bars->ts_ns[run->n_bars - 1], daily, to, sizeof to), run->n_bars,
        run->final_value, run->start_value, get(m, "total_return"));
    long closed = (long)get(m, "num_trades"), open = (long)get(m, "open_trades");
    if (closed > 0)
        add(buf, "%ld closed trades, %.1f%% won, net pnl %.2f; max drawdown %.2f%%.\n", closed,
            get(m, "win_rate"), get(m, "total_pnl"), get(m, "max_drawdown_pct"));
    else if (open == 0)
        no_trade_reasons(buf, run);
    exits_line(buf, run);
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
    if (!isnan(sha))
        add(buf, "; %.3f on daily returns, annualized.\n", sha);
    else
        add(buf, ".\n");
    size_t l = strlen(buf);
    if (l && buf[l - 1] == '\n')
        buf[l - 1] = '\0';
    return buf;
}
