/* summary.c: the few human lines of a result: what ran, on what, how it
 * went, and for a run without trades the likely reasons, so a silent
 * zero-trade run cannot pass unnoticed. Every sentence is a summary.* row
 * of the en/zh string table (text.c); the English rows are the words the
 * summary always printed, so the English summary does not change. The
 * numbers are printed the same way in both languages (no grouping), so a
 * Chinese summary carries exactly the English one's numbers. */
#include "stratlab/result.h"
#include "stratlab/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SUMMARY_MAX 8192 /* a Chinese summary takes about twice the English bytes */

static void add(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(char *buf, const char *fmt, ...)
{
    size_t l = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + l, SUMMARY_MAX - l, fmt, ap);
    va_end(ap);
}

/* Appends the table row key of lang, formatted with the arguments (the
 * table's tests check that both languages take the same conversions). */
static void addt(char *buf, slab_lang lang, const char *key, ...)
{
    size_t l = strlen(buf);
    va_list ap;
    va_start(ap, key);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(buf + l, SUMMARY_MAX - l, slab_text(lang, key), ap);
#pragma GCC diagnostic pop
    va_end(ap);
}

/* The row's text, unformatted (a row without conversions). */
#define T(lang, key) slab_text((lang), (key))

/* An exit reason's name: the machine name in English (as the summary
 * always printed it: "stop_loss"), the exit.* row in other languages. */
static const char *exit_name(slab_lang lang, slab_exit_reason r)
{
    const char *name = slab_exit_reason_name(r);
    char key[48];
    if (lang == SLAB_LANG_EN)
        return name;
    snprintf(key, sizeof key, "exit.%s", name);
    return slab_text_has(key) ? slab_text(lang, key) : name;
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
static void refusal_text(slab_lang L, const slab_bars *bars, const slab_broker_config *b,
                         refusals r, int all, char *what, char *cause, char *fix, size_t cap)
{
    char when[40];
    const slab_order_event *o = r.first;
    /* the broker's reason is its own machine-stable English */
    slab_textf(L, "summary.refused", what, cap,
               T(L, all ? "summary.refused_all" : "summary.refused_some"), r.n, (long long)o->ref,
               slab_time_format(o->created_ts_ns, bars->timeframe >= SLAB_TF_DAYS, when,
                                sizeof when),
               o->reason[0] ? o->reason : T(L, "summary.no_reason"));
    int percent = b && (b->sizer.kind == SLAB_SIZER_PERCENT || b->sizer.kind == SLAB_SIZER_PERCENT_INT);
    const char *sizer = b && b->sizer.kind == SLAB_SIZER_PERCENT_INT ? "percent_int" : "percent";
    int perc_comm = b && b->comm_scheme == SLAB_COMM_PERCENT && b->commission_min <= 0.0;
    snprintf(cause, cap, "%s", T(L, "summary.cause_check"));
    size_t n = strlen(cause);
    if (percent && perc_comm && n + 1 < cap)
        slab_textf(L, "summary.cause_percent", cause + n, cap - n, sizer, b->sizer.amount,
                   b->commission * 100.0, b->sizer.amount * (1.0 + b->commission));
    if (percent) {
        slab_textf(L, "summary.fix_percent", fix, cap, sizer);
        size_t m = strlen(fix);
        /* the largest percent with one decimal whose order and commission
         * fit the cash at the creating close: p * (1 + c) <= 100 */
        if (perc_comm && !b->coc && m + 1 < cap)
            slab_textf(L, "summary.fix_coc", fix + m, cap - m, sizer,
                       floor(1000.0 / (1.0 + b->commission)) / 10.0);
    } else {
        snprintf(fix, cap, "%s", T(L, "summary.fix_fixed"));
    }
}

/* "Cause: ...\nFix: ...\n" of a refusal. */
static void cause_fix(char *buf, slab_lang L, const char *cause, const char *fix)
{
    addt(buf, L, "summary.cause", cause);
    add(buf, "\n");
    addt(buf, L, "summary.fix", fix);
    add(buf, "\n");
}

/* Lists why a run may have made no trade. */
static void no_trade_reasons(char *buf, slab_lang L, const slab_bars *bars, const slab_run *run,
                             const slab_broker_config *broker)
{
    refusals r = margin_refusals(run);
    if (r.n) {
        char what[1024], cause[1024], fix[1024];
        refusal_text(L, bars, broker, r, 1, what, cause, fix, sizeof what);
        addt(buf, L, "summary.no_trades_refused", what);
        add(buf, "\n");
        cause_fix(buf, L, cause, fix);
        return;
    }
    addt(buf, L, "summary.no_trades");
    int reasons = 0; /* joined by the language's separator, ended by its full stop */
#define REASON(...)                                                                                \
    do {                                                                                           \
        if (reasons++)                                                                             \
            add(buf, "%s", T(L, "summary.reason_sep"));                                           \
        addt(buf, L, __VA_ARGS__);                                                                 \
    } while (0)
    if ((size_t)run->minperiod > run->n_bars)
        REASON("summary.why_warmup", run->n_bars);
    else if ((size_t)run->minperiod == run->n_bars)
        REASON("summary.why_last_bar", run->minperiod - 1);
    else if (run->n_orders + run->n_orders_dropped == 0 && run->sizer_zero == 0)
        REASON("summary.why_never", run->next_calls);
    if (run->sizer_zero)
        REASON("summary.why_sizer", run->sizer_zero);
    if (run->n_orders + run->n_orders_dropped)
        REASON("summary.why_order_last");
#undef REASON
    if (reasons)
        add(buf, "%s\n", T(L, "summary.end"));
}

/* "Exits: 59 stop_loss, 24 take_profit, 5 signal." when anything but a
 * strategy signal closed a trade (the risk rules were at work), and how
 * many orders were rejected, so refused entries are never silent. */
static void exits_line(char *buf, slab_lang L, const slab_run *run)
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
        char list[512] = "", item[96];
        for (int r = SLAB_EXIT_SIGNAL; r <= SLAB_EXIT_LAST; r++)
            if (count[r]) {
                slab_textf(L, "summary.exit_count", item, sizeof item, count[r],
                           exit_name(L, (slab_exit_reason)r));
                size_t l = strlen(list);
                snprintf(list + l, sizeof list - l, "%s%s", l ? T(L, "summary.list_sep") : "",
                         item);
            }
        addt(buf, L, "summary.exits", list);
        add(buf, "\n");
    }
    if (rejected) {
        addt(buf, L, "summary.rejected", rejected);
        add(buf, "\n");
    }
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
static void session_trade(char *buf, slab_lang L, const slab_run *run, const slab_trade *t,
                          const char *filt)
{
    char a[16], b[16];
    const slab_day_record *d = day_of(run, t->entry_ts_ns);
    double dir = t->is_long ? 1.0 : -1.0, basis = fabs(t->size) * t->entry_price;
    addt(buf, L, "summary.entry", T(L, t->is_long ? "summary.long" : "summary.short"),
         t->entry_price, hhmm(t->entry_ts_ns, a));
    if (d && d->breakout_ts_ns) {
        addt(buf, L, "summary.breakout", T(L, d->breakout_short ? "summary.below" : "summary.above"),
             d->breakout_short ? d->range_low : d->range_high, hhmm(d->breakout_ts_ns, b));
        if (filt && !isnan(d->filter_prev_close) && d->filter_prev_close != 0.0)
            addt(buf, L, "summary.filter_move", filt,
                 (d->filter_close / d->filter_prev_close - 1.0) * 100.0);
        addt(buf, L, "summary.close_paren");
    }
    if (t->is_open) {
        addt(buf, L, "summary.still_open");
        add(buf, "\n");
        return;
    }
    add(buf, "%s\n", T(L, "summary.end"));
    addt(buf, L, "summary.exit", t->exit_price, hhmm(t->exit_ts_ns, a),
         exit_name(L, t->exit_reason), t->pnlcomm, basis > 0 ? t->pnlcomm / basis * 100.0 : 0.0);
    add(buf, "\n");
    addt(buf, L, "summary.reached", T(L, t->is_long ? "summary.highest" : "summary.lowest"),
         t->is_long ? t->high_price : t->low_price, t->max_gain,
         t->max_gain / t->entry_price * 100.0);
    if (t->max_gain > 0.0)
        addt(buf, L, "summary.kept",
             dir * (t->exit_price - t->entry_price) / t->max_gain * 100.0);
    add(buf, "%s\n", T(L, "summary.end"));
}

/* Sessions of an intraday strategy: how each was decided, the trades of
 * a short run one by one, and the runs a user would want next. */
static void sessions_lines(char *buf, slab_lang L, const slab_run *run, const char *filt)
{
    size_t n[SLAB_DAY_NO_PRIOR_SESSION + 1] = {0};
    for (size_t k = 0; k < run->n_days; k++)
        if ((unsigned)run->days[k].decision <= SLAB_DAY_NO_PRIOR_SESSION)
            n[run->days[k].decision]++;
    addt(buf, L, "summary.sessions", run->n_days, n[SLAB_DAY_TRADED], n[SLAB_DAY_BLOCKED_BY_FILTER], n[SLAB_DAY_NO_BREAKOUT],
        n[SLAB_DAY_SKIPPED_EARNINGS]);
    if (n[SLAB_DAY_NO_PRIOR_SESSION])
        addt(buf, L, "summary.no_prior", n[SLAB_DAY_NO_PRIOR_SESSION]);
    add(buf, "%s\n", T(L, "summary.end"));
    if (run->n_trades <= 3)
        for (size_t k = 0; k < run->n_trades; k++)
            session_trade(buf, L, run, &run->trades[k], filt);
    addt(buf, L, "summary.next", filt ? T(L, "summary.next_filter") : "");
    add(buf, "\n");
}

/* The cash refusals of a run that made trades: how many, the first with
 * the broker's reason, and what to change. */
static void refusals_line(char *buf, slab_lang L, const slab_bars *bars, const slab_run *run,
                          const slab_broker_config *broker)
{
    refusals r = margin_refusals(run);
    if (!r.n || run->n_trades == 0)
        return;
    char what[1024], cause[1024], fix[1024];
    refusal_text(L, bars, broker, r, 0, what, cause, fix, sizeof what);
    addt(buf, L, "summary.some_refused", what);
    add(buf, "\n");
    cause_fix(buf, L, cause, fix);
}

json_t *slab_result_warnings(const slab_bars *bars, const slab_run *run,
                             const slab_broker_config *broker)
{
    json_t *arr = json_array();
    refusals r = margin_refusals(run);
    if (arr && run->lookahead_attempts > 0) {
        const slab_errcode_def *d = slab_errcode_get(SLAB_EC_LOOKAHEAD_REFUSED);
        char what[512];
        snprintf(what, sizeof what, T(SLAB_LANG_EN, "summary.lookahead"),
                 run->lookahead_attempts);
        json_t *w = json_pack("{s:s, s:s, s:s, s:s, s:I}", "code", d->name, "message", what,
                              "cause", d->summary, "fix", d->fix, "reads",
                              (json_int_t)run->lookahead_attempts);
        if (!w || json_array_append_new(arr, w)) {
            json_decref(arr);
            return NULL;
        }
    }
    if (!arr || !r.n)
        return arr;
    char what[512], cause[512], fix[512];
    int all = run->n_trades == 0;
    /* the warnings stay English whatever the summary's language: their
     * words are matched by programs */
    refusal_text(SLAB_LANG_EN, bars, broker, r, all, what, cause, fix, sizeof what);
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
                        const slab_broker_config *broker, json_t *m, int lang)
{
    char *buf = slab_malloc(SUMMARY_MAX), from[40], to[40], tf[16];
    int daily = bars->timeframe >= SLAB_TF_DAYS;
    slab_lang L = (unsigned)lang < SLAB_LANG_COUNT ? (slab_lang)lang : SLAB_LANG_EN;
    if (!buf)
        return NULL;
    buf[0] = '\0';
    addt(buf, L, "summary.headline", strategy,
         bars->symbol[0] ? bars->symbol : T(L, "summary.no_symbol"),
         slab_timeframe_format(bars->timeframe, bars->compression, tf, sizeof tf),
         slab_time_format(run->ts_ns[0], daily, from, sizeof from),
         slab_time_format(run->ts_ns[run->n_bars - 1], daily, to, sizeof to), run->n_bars,
         run->final_value, run->start_value, get(m, "total_return"));
    add(buf, "\n");
    if (!strncmp(bars->source, "synth:", 6))
        add(buf, "%s\n", T(L, "summary.synthetic"));
    if (run->lookahead_attempts > 0) {
        addt(buf, L, "summary.lookahead", run->lookahead_attempts);
        add(buf, "\n");
    }
    long closed = (long)get(m, "num_trades"), open = (long)get(m, "open_trades");
    if (closed > 0) {
        addt(buf, L, "summary.trades", closed, get(m, "win_rate"), get(m, "total_pnl"),
             get(m, "max_drawdown_pct"));
        add(buf, "\n");
    } else if (open == 0 && run->n_days)
        add(buf, "%s\n", T(L, "summary.no_trades_sessions")); /* a session strategy */
    else if (open == 0)
        no_trade_reasons(buf, L, bars, run, broker);
    exits_line(buf, L, run);
    if (run->days && run->n_days)
        sessions_lines(buf, L, run, filter_symbol(run));
    refusals_line(buf, L, bars, run, broker);
    if (open > 0) {
        addt(buf, L, "summary.open", open);
        add(buf, "\n");
    }
    if (broker && broker->coc)
        add(buf, "%s\n", T(L, "summary.coc"));
    if (broker && broker->coo)
        add(buf, "%s\n", T(L, "summary.coo"));
    double sh = get(m, "sharpe_ratio"), sha = get(m, "sharpe_ratio_daily_annualized");
    if (!isnan(sh))
        addt(buf, L, "summary.sharpe", sh);
    else
        add(buf, "%s", T(L, "summary.sharpe_undefined"));
    double shf = get(m, "sharpe_ratio_annualized");
    char nb[SLAB_NUM_TEXT_MAX];
    if (!isnan(sha))
        addt(buf, L, "summary.sharpe_daily", sha);
    else if (!isnan(shf))
        addt(buf, L, "summary.sharpe_bars", shf,
             T(L, daily ? "summary.per_period" : "summary.intraday"),
             slab_num_format(get(m, "annualization_periods"), nb, sizeof nb));
    else
        add(buf, "%s", T(L, "summary.end"));
    add(buf, "\n");
    size_t l = strlen(buf);
    if (l && buf[l - 1] == '\n')
        buf[l - 1] = '\0';
    return buf;
}
