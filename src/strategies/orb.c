/* orb.c: the built-in opening-range breakout (seed 000's flagship). Per
 * session (a new date on feed 0): the range is every bar starting in
 * [09:30, 09:30 + opening_range_minutes); the first bar after it whose
 * close leaves the range, ending before exit_time, is the day's only
 * chance; an optional market filter (another feed) must be up on its
 * previous session's last close (down, for shorts). Exits: a StopTrail
 * sent when the entry fills, optional stop at the range's other edge and
 * target, and the session exit on the first bar ending at or after
 * exit_time. Every session gets a record (the result's `days`).
 * Invariant: decisions read only bars up to the current one. */
#include "stratlab/broker.h"
#include "stratlab/engine.h"
#include "stratlab/strategy.h"

#include <math.h>
#include <string.h>

#define MIN_NS (60LL * SLAB_NS_PER_SEC)
#define SESSION_OPEN_NS (570LL * MIN_NS) /* 09:30 */

typedef struct orb_state {
    /* parameters */
    int64_t range_ns;    /* opening range length, ns */
    int64_t exit_tod_ns; /* exit time of day, ns after midnight */
    double trail;        /* trailing stop, a fraction (0 none) */
    int go_long, go_short;
    int entry_stop;       /* 1: stop orders at the range edges */
    int stop_at_range;    /* 1: protective stop at the opposite edge */
    double tp_r;          /* target, multiples of the range (0 none) */
    double position_cash; /* cash per entry (0: the sizer) */
    int skip_earnings;    /* 1: no entry on a session around a release */
    int filter;           /* the filter's feed, -1 none */
    int watch;            /* the feed whose values the day records show: the
                             filter, else the second feed (read, never
                             acted on), -1 none */
    int64_t bar_ns;       /* one bar's length, ns */
    int64_t stamp_off;    /* subtracted from a stamp to get the bar's start */
    /* the session */
    int64_t day;          /* day number, -1 before the first bar */
    slab_day_record *rec; /* this session's record */
    double rh, rl;        /* the range so far (NaN before its first bar) */
    int tried, exited;    /* entry chance used; session exit done */
    int64_t entry_ref[2]; /* entry orders in flight (stop entry: both sides) */
    int64_t exit_ref[3];  /* trail, stop, target of the open position */
    /* the filter feed */
    int64_t f_day; /* the day f_prev is for, INT64_MIN none yet */
    double f_prev; /* its last close before f_day (NaN none) */
} orb_state;

static int word_in(const char *w, const char *a, const char *b, const char *c)
{
    return !strcmp(w, a) || !strcmp(w, b) || (c && !strcmp(w, c));
}

static int orb_init(slab_ctx *ctx, void *st)
{
    orb_state *s = st;
    int comp = 1;
    slab_timeframe tf = slab_ctx_timeframe(ctx, &comp);
    const char *dir = slab_param_text(ctx, "direction"), *entry = slab_param_text(ctx, "entry");
    const char *filter = slab_param_text(ctx, "market_filter");
    if (tf != SLAB_TF_MINUTES && tf != SLAB_TF_SECONDS)
        return slab_fail(ctx,
                         "orb needs intraday bars (seconds or minutes), got %s bars; give "
                         "1-minute data or --timeframe 1m",
                         slab_timeframe_name(tf));
    if (*dir && !word_in(dir, "long", "short", "both"))
        return slab_fail(ctx, "direction=%s: use long, short or both", dir);
    if (*entry && !word_in(entry, "close", "stop", NULL))
        return slab_fail(ctx,
                         "entry=%s: use close (market order after a close beyond the range) "
                         "or stop (stop orders at the range edges)",
                         entry);
    s->bar_ns = (int64_t)comp * (tf == SLAB_TF_MINUTES ? MIN_NS : SLAB_NS_PER_SEC);
    s->stamp_off = slab_ctx_stamp_end(ctx) ? s->bar_ns : 0;
    s->range_ns = (int64_t)slab_param(ctx, "opening_range_minutes") * MIN_NS;
    s->exit_tod_ns = (int64_t)slab_param(ctx, "exit_time") * MIN_NS;
    if (s->exit_tod_ns <= SESSION_OPEN_NS + s->range_ns)
        return slab_fail(ctx,
                         "exit_time must come after the opening range (09:30 + %lld "
                         "minutes)",
                         (long long)(s->range_ns / MIN_NS));
    s->trail = slab_param(ctx, "trailing_stop_pct") / 100.0;
    s->go_long = !*dir || strcmp(dir, "short");
    s->go_short = *dir && strcmp(dir, "long");
    s->entry_stop = !strcmp(entry, "stop");
    s->stop_at_range = slab_param(ctx, "stop_at_range") != 0.0;
    s->tp_r = slab_param(ctx, "take_profit_r");
    s->position_cash = slab_param(ctx, "position_cash");
    s->skip_earnings = slab_param(ctx, "skip_earnings") != 0.0;
    s->filter = -1;
    if (*filter) {
        s->filter = slab_feed_find(ctx, filter);
        if (s->filter < 0)
            return slab_fail(ctx,
                             "market_filter=%s is not one of the run's feeds; add it "
                             "(--symbol %s, or --data %s=FILE)",
                             filter, filter, filter);
        if (s->filter == 0)
            return slab_fail(ctx,
                             "market_filter=%s is the traded symbol; the filter is another "
                             "feed (the first --data/--symbol is traded)",
                             filter);
    }
    s->watch = s->filter >= 0 ? s->filter : slab_n_feeds(ctx) > 1 ? 1 : -1;
    s->day = -1;
    s->f_day = INT64_MIN;
    s->f_prev = NAN;
    return 0;
}

/* The filter's last close of a session before day: found by walking
 * back from its current bar (bars already delivered only), once per day. */
static double filter_prev(slab_ctx *ctx, orb_state *s, int64_t day)
{
    if (s->f_day == day)
        return s->f_prev;
    s->f_day = day;
    s->f_prev = NAN;
    for (int ago = 0; ago > -1000000; ago--) {
        int64_t t = slab_feed_time(ctx, s->watch, ago);
        if (!t)
            break;
        if (slab_ts_day(t - s->stamp_off) < day) {
            s->f_prev = slab_feed_get(ctx, s->watch, SLAB_CLOSE, ago);
            break;
        }
    }
    return s->f_prev;
}

static void new_session(slab_ctx *ctx, orb_state *s, int64_t day)
{
    s->day = day;
    s->rh = s->rl = NAN;
    s->tried = s->exited = 0;
    s->rec = slab_ctx_new_day(ctx);
    if (!s->rec)
        return;
    s->rec->day = day;
    s->rec->range_high = s->rec->range_low = NAN;
    s->rec->filter_close = s->rec->filter_prev_close = NAN;
    s->rec->decision = SLAB_DAY_NO_BREAKOUT;
    s->rec->entry_status = -1;
    size_t n;
    const slab_earnings *e = slab_ctx_earnings(ctx, &n);
    if (s->skip_earnings && slab_earnings_hit(e, n, slab_feed_symbol(ctx, 0), day)) {
        s->tried = 1; /* no entry today */
        s->rec->decision = SLAB_DAY_SKIPPED_EARNINGS;
    }
}

/* Shares for an entry at price: position_cash / price, else the sizer's. */
static double entry_size(const orb_state *s, double price)
{
    return s->position_cash > 0.0 ? s->position_cash / price : 0.0;
}

/* The session exit: protective orders cancelled, the position closed at
 * the next open (exit reason session_close), entries in flight cancelled. */
static void session_exit(slab_ctx *ctx, orb_state *s)
{
    for (int k = 0; k < 3; k++)
        if (s->exit_ref[k] > 0)
            slab_cancel(ctx, s->exit_ref[k]);
    for (int k = 0; k < 2; k++)
        if (s->entry_ref[k] > 0)
            slab_cancel(ctx, s->entry_ref[k]);
    double pos = slab_position_size(ctx);
    if (pos != 0.0) {
        slab_order_spec o = {0};
        o.type = SLAB_EXEC_MARKET;
        o.size = fabs(pos);
        o.exit_reason = SLAB_EXIT_SESSION_CLOSE;
        slab_order(ctx, pos < 0.0, &o);
    }
}

/* The filter's verdict for a breakout on day (long: the filter above its
 * previous session's last close; short: below), written to the record. */
static slab_day_decision filter_verdict(slab_ctx *ctx, orb_state *s, int is_long)
{
    if (s->watch < 0)
        return SLAB_DAY_TRADED;
    double prev = filter_prev(ctx, s, s->day), now = slab_feed_get(ctx, s->watch, SLAB_CLOSE, 0);
    if (s->rec) {
        s->rec->filter_close = now;
        s->rec->filter_ts_ns = slab_feed_time(ctx, s->watch, 0);
        s->rec->filter_feed = s->watch;
        s->rec->filter_on = s->filter >= 0;
        s->rec->filter_prev_close = prev;
    }
    if (s->filter < 0)
        return SLAB_DAY_TRADED;
    if (isnan(prev))
        return SLAB_DAY_NO_PRIOR_SESSION;
    return (is_long ? now > prev : now < prev) ? SLAB_DAY_TRADED : SLAB_DAY_BLOCKED_BY_FILTER;
}

/* entry=close: the first close beyond the range decides the day. */
static void try_close_entry(slab_ctx *ctx, orb_state *s, double close)
{
    int up = s->go_long && close > s->rh, down = s->go_short && close < s->rl;
    if (!up && !down)
        return;
    s->tried = 1;
    if (s->rec) {
        s->rec->breakout_ts_ns = slab_time(ctx, 0);
        s->rec->breakout_short = !up;
    }
    slab_day_decision d = filter_verdict(ctx, s, up);
    if (s->rec)
        s->rec->decision = d;
    if (d != SLAB_DAY_TRADED)
        return;
    double size = entry_size(s, close);
    int64_t ref = up ? slab_buy(ctx, size) : slab_sell(ctx, size);
    s->entry_ref[0] = ref > 0 ? ref : 0;
    if (s->rec)
        s->rec->entry_ref = s->entry_ref[0];
}

/* entry=stop: at the range's last bar, stop orders at its edges (one-
 * cancels-other when both sides trade; a side whose edge the close is
 * already beyond is left out), until the session exit cancels them. */
static void place_stop_entries(slab_ctx *ctx, orb_state *s, double close)
{
    s->tried = 1;
    slab_day_decision d = filter_verdict(ctx, s, s->go_long);
    if (s->rec)
        s->rec->decision = d == SLAB_DAY_TRADED ? SLAB_DAY_NO_BREAKOUT : d;
    if (d != SLAB_DAY_TRADED)
        return;
    slab_order_spec o = {0};
    o.type = SLAB_EXEC_STOP; /* good until the session exit cancels it */
    o.check_side = 1;
    if (s->go_long && close < s->rh) {
        o.price = s->rh;
        o.size = entry_size(s, s->rh);
        s->entry_ref[0] = slab_order(ctx, 1, &o);
    }
    if (s->go_short && close > s->rl) {
        o.price = s->rl;
        o.size = entry_size(s, s->rl);
        o.oco = s->entry_ref[0] > 0 ? s->entry_ref[0] : 0;
        s->entry_ref[1] = slab_order(ctx, 0, &o);
    }
    for (int k = 0; k < 2; k++)
        s->entry_ref[k] = s->entry_ref[k] > 0 ? s->entry_ref[k] : 0;
}

static void orb_next(slab_ctx *ctx, void *st)
{
    orb_state *s = st;
    if (!slab_feed_fresh(ctx, 0))
        return; /* feed 0 keeps its last bar: it was handled then */
    int64_t start = slab_time(ctx, 0) - s->stamp_off;
    int64_t day = slab_ts_day(start), tod = start - day * SLAB_NS_PER_DAY;
    if (day != s->day)
        new_session(ctx, s, day);
    double close = slab_get(ctx, SLAB_CLOSE, 0);
    if (tod >= SESSION_OPEN_NS && tod < SESSION_OPEN_NS + s->range_ns) {
        double hi = slab_get(ctx, SLAB_HIGH, 0), lo = slab_get(ctx, SLAB_LOW, 0);
        s->rh = isnan(s->rh) || hi > s->rh ? hi : s->rh;
        s->rl = isnan(s->rl) || lo < s->rl ? lo : s->rl;
        if (s->rec) {
            s->rec->range_high = s->rh;
            s->rec->range_low = s->rl;
        }
    }
    if (s->rec && !s->rec->breakout_ts_ns && s->watch >= 0)
        s->rec->filter_prev_close = filter_prev(ctx, s, day);
    if (tod + s->bar_ns >= s->exit_tod_ns) {
        if (!s->exited) {
            s->exited = 1;
            session_exit(ctx, s);
        }
        return;
    }
    /* entry=close decides on a bar after the range; entry=stop places its
     * orders at the range's last bar, so they work from the first bar
     * after it */
    int64_t ready = SESSION_OPEN_NS + s->range_ns - (s->entry_stop ? s->bar_ns : 0);
    if (s->tried || isnan(s->rh) || tod < ready || slab_position_size(ctx) != 0.0 ||
        slab_orders_pending(ctx) != 0)
        return;
    if (s->entry_stop)
        place_stop_entries(ctx, s, close);
    else
        try_close_entry(ctx, s, close);
}

/* The exits of a filled entry: the trail, the stop at the range's other
 * edge and the target, one-cancels-other. */
static void send_exits(slab_ctx *ctx, orb_state *s, const slab_order_note *o)
{
    int is_long = o->is_buy;
    double size = fabs(o->size), range = s->rh - s->rl;
    slab_order_spec e = {0};
    int64_t first = 0;
    memset(s->exit_ref, 0, sizeof s->exit_ref);
    e.size = size;
    if (s->trail > 0.0) {
        e.type = SLAB_EXEC_STOP_TRAIL;
        e.trailpercent = s->trail;
        first = s->exit_ref[0] = slab_order(ctx, !is_long, &e);
    }
    if (s->stop_at_range) {
        memset(&e, 0, sizeof e);
        e.size = size;
        e.type = SLAB_EXEC_STOP;
        e.price = is_long ? s->rl : s->rh;
        e.exit_reason = SLAB_EXIT_STOP_LOSS;
        e.oco = first > 0 ? first : 0;
        s->exit_ref[1] = slab_order(ctx, !is_long, &e);
        first = first > 0 ? first : s->exit_ref[1];
    }
    if (s->tp_r > 0.0 && range > 0.0) {
        memset(&e, 0, sizeof e);
        e.size = size;
        e.type = SLAB_EXEC_LIMIT;
        e.price = o->price + (is_long ? 1.0 : -1.0) * s->tp_r * range;
        e.exit_reason = SLAB_EXIT_TAKE_PROFIT;
        e.oco = first > 0 ? first : 0;
        s->exit_ref[2] = slab_order(ctx, !is_long, &e);
    }
}

static void orb_notify_order(slab_ctx *ctx, void *st, const slab_order_note *o)
{
    orb_state *s = st;
    int k = o->ref == s->entry_ref[0] ? 0 : o->ref == s->entry_ref[1] ? 1 : -1;
    if (k < 0 || o->feed != 0)
        return;
    if (o->status == SLAB_ORDER_SUBMITTED || o->status == SLAB_ORDER_ACCEPTED ||
        o->status == SLAB_ORDER_PARTIAL)
        return;
    s->entry_ref[k] = 0;
    if (s->rec && (o->status == SLAB_ORDER_COMPLETED || s->rec->entry_ref == o->ref ||
                   s->rec->entry_ref == 0)) {
        s->rec->entry_ref = o->ref;
        s->rec->entry_status = o->status;
    }
    if (o->status != SLAB_ORDER_COMPLETED)
        return;
    if (s->entry_stop && s->rec) {
        /* a stop entry's breakout is its fill */
        s->rec->breakout_ts_ns = slab_time(ctx, 0);
        s->rec->breakout_short = !o->is_buy;
        s->rec->decision = SLAB_DAY_TRADED;
    }
    send_exits(ctx, s, o);
}

static const slab_param_def orb_params[] = {
    {"opening_range_minutes", SLAB_PARAM_INT, 5, 1, 390,
     "opening range: bars starting in [09:30, 09:30 + this), minutes"},
    {"trailing_stop_pct", SLAB_PARAM_FLOAT, 2.0, 0, 99,
     "trailing stop distance, percent of the close (backtrader StopTrail); 0 = none"},
    {"exit_time", SLAB_PARAM_TIME, 955, 0, 1439,
     "session exit: the first bar ending at or after this time closes the position (HH:MM, "
     "default 15:55)"},
    {"market_filter", SLAB_PARAM_TEXT, 0, 0, 1,
     "a symbol among the run's feeds: trade long only when its close is above its previous "
     "session's last close (short: below); empty = no filter"},
    {"direction", SLAB_PARAM_TEXT, 0, 0, 1, "long, short or both (default long)"},
    {"entry", SLAB_PARAM_TEXT, 0, 0, 1,
     "close: a market order after the first close beyond the range (default); stop: stop "
     "orders at the range edges from the end of the range"},
    {"stop_at_range", SLAB_PARAM_BOOL, 0, 0, 1, "protective stop at the range's opposite edge"},
    {"take_profit_r", SLAB_PARAM_FLOAT, 0, 0, 100,
     "target: the entry fill plus this many times the range's height; 0 = none"},
    {"position_cash", SLAB_PARAM_FLOAT, 0, 0, 1e15,
     "cash per entry (shares = cash / price); 0 = the run's sizer"},
    {"skip_earnings", SLAB_PARAM_BOOL, 0, 0, 1,
     "no entry on a session with an earnings release before its open or after the previous "
     "close (the store's calendar: stratlab data import-earnings)"},
};

const slab_strategy_def slab__strategy_orb = {
    SLAB_STRATEGY_ABI,
    "orb",
    "opening-range breakout: enter on the first close beyond the first minutes' range, "
    "trailing stop, out by exit_time; optional market filter feed",
    orb_params,
    SLAB_COUNT(orb_params),
    sizeof(orb_state),
    orb_init,
    orb_next,
    orb_notify_order,
    NULL,
    NULL};
