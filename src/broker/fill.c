/* fill.c: the fill side of the broker (backtrader 1.9.78 bbroker.py
 * _try_exec_* and _execute, position.py, trade.py): whether and at what
 * price an order fills on its feed's bar (docs/backtrader-semantics.md
 * §4.3), the cash arithmetic of a fill (§4.2), commission schemes,
 * slippage, and the trade records with their excursions (§5).
 * Every expression keeps backtrader's operation order, so cash, value and
 * trade pnl agree bit for bit. */
#include "broker_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* backtrader CommInfoBase._getcommission: the size-proportional part of
 * the commission of `size` shares at price. */
static double comm_base(const slab_broker *b, double size, double price)
{
    switch (b->cfg.comm_scheme) {
    case SLAB_COMM_PER_SHARE:
        return fabs(size) * b->cfg.commission;
    case SLAB_COMM_FIXED:
        return 0.0;
    default:
        return fabs(size) * b->cfg.commission * price;
    }
}

/* Commission of one part of a fill. The part that carries the fill's
 * per-order charges (first: the closing part, else the opening one) adds
 * the fixed fee and tops the fill (this part plus `other`) up to the
 * minimum. With the percent scheme and no minimum it is backtrader's
 * formula exactly. */
double slab__commission(const slab_broker *b, double size, double price, int first,
                        double other)
{
    double c = comm_base(b, size, price);
    if (!first)
        return c;
    if (b->cfg.comm_scheme == SLAB_COMM_FIXED)
        c += b->cfg.commission;
    if (b->cfg.commission_min > 0.0) {
        double total = c + comm_base(b, other, price);
        if (total < b->cfg.commission_min)
            c += b->cfg.commission_min - total;
    }
    return c;
}

/* backtrader Position.update: new size and price, and the opened/closed
 * split of the fill (both carry the fill's sign). */
void slab__position_update(double *psize, double *pprice, double size, double price,
                            double *opened, double *closed)
{
    double old = *psize;
    *psize = old + size;
    if (*psize == 0.0) {
        *opened = 0.0;
        *closed = size;
        *pprice = 0.0;
    } else if (old == 0.0) {
        *opened = size;
        *closed = 0.0;
        *pprice = price;
    } else if ((old > 0.0) == (size > 0.0)) {
        *opened = size;
        *closed = 0.0;
        *pprice = (*pprice * old + size * price) / *psize;
    } else if ((old > 0.0) == (*psize > 0.0)) {
        *opened = 0.0;
        *closed = size;
    } else {
        *opened = *psize;
        *closed = -old;
        *pprice = price;
    }
}

static int note_trade(slab_broker *b, const slab_trade *t, int is_open)
{
    if (slab_grow((void **)&b->tnotes, &b->cap_tnotes, b->n_tnotes + 1, sizeof *b->tnotes))
        return -1;
    slab_trade_note *n = &b->tnotes[b->n_tnotes++];
    n->ref = t->ref;
    n->is_open = is_open;
    n->size = t->size;
    n->price = t->entry_price;
    n->pnl = t->pnl;
    n->pnlcomm = t->pnlcomm;
    n->feed = t->feed;
    return 0;
}

/* Starts a new trade of feed for an opening fill on bar. */
static slab_trade *trade_begin(slab_broker *b, int feed, const slab_feed_bar *bar)
{
    if (slab_grow((void **)&b->trades, &b->cap_trades, b->n_trades + 1, sizeof *b->trades))
        return NULL;
    slab_trade *t = &b->trades[b->n_trades];
    memset(t, 0, sizeof *t);
    t->ref = (int64_t)b->n_trades + 1;
    t->feed = feed;
    t->is_open = 1;
    t->entry_ts_ns = bar->ts_ns;
    t->entry_bar = bar->i;
    t->baropen = (int64_t)bar->i + 1;
    b->feeds[feed].trade_idx = b->n_trades;
    b->feeds[feed].trade_open = 1;
    b->n_trades++;
    b->n_open++;
    return t;
}

/* Closes the open trade's excursion record at the exit price. */
static void trade_excursion(const slab__feed *f, slab_trade *t, double exit_price)
{
    double hi = f->mfe_high > exit_price ? f->mfe_high : exit_price;
    double lo = f->mfe_low < exit_price ? f->mfe_low : exit_price;
    t->high_price = hi;
    t->low_price = lo;
    if (t->is_long) {
        t->max_gain = hi - t->entry_price;
        t->max_loss = lo - t->entry_price;
    } else {
        t->max_gain = t->entry_price - lo;
        t->max_loss = t->entry_price - hi;
    }
}

/* backtrader Trade.update for one execution bit of `size` at `price` on
 * feed: commission accumulates; an increase re-averages the price as
 * (old*price + size*x)/new (so one fill can differ from x by an ulp); a
 * reduction realises pnl against that average. */
static int trade_update(slab_broker *b, int feed, const slab_feed_bar *bar, double size,
                        double price, double comm, slab_exit_reason why)
{
    slab__feed *f = &b->feeds[feed];
    slab_trade *t;
    if (!f->trade_open) {
        if (!(t = trade_begin(b, feed, bar)))
            return -1;
        f->trade_size = 0.0;
        f->mfe_high = f->mfe_low = price;
    } else {
        t = &b->trades[f->trade_idx];
    }
    double old = f->trade_size;
    t->commission += comm;
    f->trade_size = old + size;
    if (old == 0.0)
        t->is_long = f->trade_size > 0.0;
    t->barlen = (int64_t)bar->i + 1 - t->baropen;
    if (fabs(f->trade_size) > fabs(old)) {
        t->entry_price = (old * t->entry_price + size * price) / f->trade_size;
        if (fabs(f->trade_size) > fabs(t->size))
            t->size = f->trade_size;
    } else {
        t->pnl += -size * (price - t->entry_price);
    }
    t->pnlcomm = t->pnl - t->commission;
    if (old == 0.0 && note_trade(b, t, 1))
        return -1;
    if (f->trade_size == 0.0) {
        t->is_open = 0;
        f->trade_open = 0;
        b->n_open--;
        t->barclose = (int64_t)bar->i + 1;
        t->exit_ts_ns = bar->ts_ns;
        t->exit_bar = bar->i;
        t->exit_price = price;
        t->exit_reason = why;
        trade_excursion(f, t, price);
        if (note_trade(b, t, 0))
            return -1;
    }
    return 0;
}

/* What closing a trade with o is recorded as: the strategy's tag, else
 * trailing_stop for trails, else signal. */
static slab_exit_reason exit_reason(const slab__order *o)
{
    if (o->exit_reason > SLAB_EXIT_NONE && o->exit_reason <= SLAB_EXIT_LAST)
        return (slab_exit_reason)o->exit_reason;
    return o->ev.type == SLAB_ORDER_STOP_TRAIL || o->ev.type == SLAB_ORDER_STOP_TRAIL_LIMIT ? SLAB_EXIT_TRAILING_STOP : SLAB_EXIT_SIGNAL;
}

/* Real execution of o at price x on this bar (backtrader _execute); the
 * order records exec_ts/exec_bar (cheat-on-close and Close orders can
 * execute "at" an earlier bar), the trade the processing bar. */
static slab_status execute(slab_broker *b, slab__order *o, const slab_feed_bar *bar, double x,
                           int64_t exec_ts, size_t exec_bar, slab_error *err)
{
    slab__feed *f = &b->feeds[o->ev.feed];
    slab_position *pos = &b->pos[o->ev.feed];
    double size = o->remsize, pprice_orig = pos->price;
    double psize = pos->size, pprice = pos->price, opened, closed;
    double cash = b->v.cash, closedvalue = 0.0, closedcomm = 0.0;
    double openedvalue = 0.0, openedcomm = 0.0;

    slab__position_update(&psize, &pprice, size, x, &opened, &closed);
    double pnl = -closed * (x - pprice_orig);
    if (closed != 0.0) {
        closedvalue = -closed * pprice_orig;
        cash += closedvalue + pnl;
        closedcomm = slab__commission(b, closed, x, 1, opened);
        cash -= closedcomm;
        b->v.cash = cash;
    }
    double popened = opened;
    if (opened != 0.0) {
        openedvalue = opened * x;
        cash -= openedvalue;
        openedcomm = slab__commission(b, opened, x, closed == 0.0, 0.0);
        cash -= openedcomm;
        if (cash < 0.0) {
            opened = 0.0;
            openedvalue = openedcomm = 0.0;
        } else {
            b->v.cash = cash;
        }
    }
    double execsize = closed + opened;
    if (execsize != 0.0) {
        double ignored_open, ignored_closed;
        slab__position_update(&pos->size, &pos->price, execsize, x, &ignored_open,
                              &ignored_closed);
        o->remsize -= execsize;
        o->ev.exec_ts_ns = exec_ts;
        o->ev.exec_bar = exec_bar;
        o->ev.exec_price = x;
        o->ev.exec_price_avg = (o->ev.exec_size * o->ev.exec_price_avg + execsize * x) /
                               (o->ev.exec_size + execsize);
        o->ev.exec_size += execsize;
        o->ev.exec_value += closedvalue + openedvalue;
        o->ev.exec_comm += closedcomm + openedcomm;
        o->ev.exec_pnl += pnl;
        o->ev.status = o->remsize == 0.0 ? SLAB_ORDER_COMPLETED : SLAB_ORDER_PARTIAL;
        o->ev.status_ts_ns = bar->ts_ns;
        if (slab__note_order(b, o))
            goto nomem;
        if (closed != 0.0 && trade_update(b, o->ev.feed, bar, closed, x, closedcomm, exit_reason(o)))
            goto nomem;
        if (closed != 0.0 && slab__is_stop_type(o->ev.type)) {
            f->stop_exit_bar = bar->i + 1; /* for the pessimistic mode */
            f->stop_exit_buy = o->ev.is_buy;
        }
        if (opened != 0.0 && trade_update(b, o->ev.feed, bar, opened, x, openedcomm, SLAB_EXIT_SIGNAL))
            goto nomem;
    }
    if (popened != 0.0 && opened == 0.0) {
        o->ev.status = SLAB_ORDER_MARGIN;
        o->ev.status_ts_ns = bar->ts_ns;
        snprintf(o->ev.reason, sizeof o->ev.reason,
                 "not enough cash at the fill: %.2f needed at %.6g, %.2f available",
                 fabs(popened) * x + slab__commission(b, popened, x, closed == 0.0, 0.0), x,
                 b->v.cash);
        if (slab__note_order(b, o))
            goto nomem;
    }
    return SLAB_OK;
nomem:
    return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory recording a fill");
}

/* backtrader _slip_up (up) / _slip_down: the price a fill at `price`
 * gets after slippage, bounded by `bound` (the bar's high or low, or a
 * limit); 0 when no price can be given (the order waits). */
static int slip(const slab_broker_config *c, int up, double bound, double price, int doslip,
                int lim, double *x)
{
    double p;
    if (!doslip || (c->slip_perc == 0.0 && c->slip_fixed == 0.0)) {
        *x = price;
        return 1;
    }
    if (c->slip_perc != 0.0)
        p = up ? price * (1 + c->slip_perc) : price * (1 - c->slip_perc);
    else
        p = up ? price + c->slip_fixed : price - c->slip_fixed;
    if (up ? p <= bound : p >= bound) {
        *x = p;
        return 1;
    }
    if (c->slip_match || (lim && c->slip_limit)) {
        *x = c->slip_out ? p : bound;
        return 1;
    }
    return 0;
}

/* backtrader _try_exec_limit: Lm at or better than the open fills at the
 * open (slipped when slip_open, never past Lm or the high/low), else
 * touching Lm fills at Lm. 1 and *x when it fills. */
int slab__try_limit(const slab_broker_config *c, int buy, const slab_feed_bar *k, double lm,
                     double *x)
{
    if (buy ? lm >= k->open : lm <= k->open) {
        double bound = buy ? fmin(k->high, lm) : fmax(k->low, lm);
        return slip(c, buy, bound, k->open, c->slip_open, 1, x);
    }
    if (buy ? lm >= k->low : lm <= k->high) {
        *x = lm;
        return 1;
    }
    return 0;
}

/* backtrader _try_exec_stop: a gap through S fills at the open (slipped
 * when slip_open), a touch at S slipped, both bounded by the high/low. */
static int try_stop(const slab_broker_config *c, int buy, const slab_feed_bar *k, double stop,
                    double *x)
{
    double bound = buy ? k->high : k->low;
    if (buy ? k->open >= stop : k->open <= stop)
        return slip(c, buy, bound, k->open, c->slip_open, 0, x);
    if (buy ? k->high >= stop : k->low <= stop)
        return slip(c, buy, bound, stop, 1, 0, x);
    return 0;
}

/* backtrader _try_exec_stoplimit: a gap through S triggers and applies
 * the limit rule; an intrabar touch triggers and fills only where the
 * bar's path (open-to-close direction) proves the limit was reachable. */
static int try_stoplimit(const slab_broker_config *c, slab__order *o, const slab_feed_bar *k,
                         double *x)
{
    int buy = o->ev.is_buy;
    double stop = o->ev.created_price, lm = o->ev.created_plimit;
    if (buy ? k->open >= stop : k->open <= stop) {
        o->triggered = 1;
        return slab__try_limit(c, buy, k, lm, x);
    }
    if (!(buy ? k->high >= stop : k->low <= stop))
        return 0;
    o->triggered = 1;
    int against = buy ? k->open > k->close : k->open <= k->close;
    if (buy ? lm >= stop : lm <= stop)
        return slip(c, buy, buy ? k->high : k->low, stop, 1, 1, x);
    if (against && (buy ? lm >= k->close : lm <= k->close))
        *x = lm;
    else
        return 0;
    return 1;
}

/* backtrader _try_exec_close: executes on the first bar at or past the end
 * of the creation day; past it, at the remembered close of the creation
 * day's last bar (and "at" that bar); otherwise remembers this close. */
static int try_close(slab__order *o, const slab_feed_bar *k, double *x, int64_t *ets, size_t *ebar)
{
    if (k->ts_ns > o->ev.created_ts_ns && k->ts_ns >= o->dteos) {
        if (o->has_annot && k->ts_ns > o->dteos) {
            *x = o->pannotated;
            *ets = o->annot_ts;
            *ebar = o->annot_bar;
        } else {
            *x = k->close;
        }
        return 1;
    }
    o->has_annot = 1;
    o->pannotated = k->close;
    o->annot_ts = k->ts_ns;
    o->annot_bar = k->i;
    return 0;
}

/* One fill attempt for o on bar k (backtrader _try_exec); a trail that
 * did not fill follows the close afterwards. */
slab_status slab__try_exec(slab_broker *b, slab__order *o, const slab_feed_bar *k,
                           slab_error *err)
{
    double x = 0.0;
    int64_t ets = k->ts_ns;
    size_t ebar = k->i;
    int fill = 0, buy = o->ev.is_buy;
    const slab_broker_config *c = &b->cfg;
    switch (o->ev.type) {
    case SLAB_ORDER_MARKET:
        x = k->open;
        if (c->coc) {
            x = o->ev.created_price;
            ets = o->ev.created_ts_ns;
            ebar = o->ev.created_bar;
        }
        fill = slip(c, buy, buy ? k->high : k->low, x, c->slip_open, 0, &x);
        break;
    case SLAB_ORDER_CLOSE:
        fill = try_close(o, k, &x, &ets, &ebar);
        break;
    case SLAB_ORDER_LIMIT:
        fill = slab__try_limit(c, buy, k, o->ev.created_price, &x);
        break;
    case SLAB_ORDER_STOP:
    case SLAB_ORDER_STOP_TRAIL:
        fill = try_stop(c, buy, k, o->ev.created_price, &x);
        if (!fill && o->ev.type == SLAB_ORDER_STOP_TRAIL)
            slab__trail_adjust(o, k->close);
        break;
    case SLAB_ORDER_STOP_LIMIT:
    case SLAB_ORDER_STOP_TRAIL_LIMIT:
        if (o->triggered)
            return slab__try_limit(c, buy, k, o->ev.created_plimit, &x)
                       ? execute(b, o, k, x, ets, ebar, err)
                       : SLAB_OK;
        fill = try_stoplimit(c, o, k, &x);
        if (!fill && o->ev.type == SLAB_ORDER_STOP_TRAIL_LIMIT)
            slab__trail_adjust(o, k->close);
        break;
    }
    return fill ? execute(b, o, k, x, ets, ebar, err) : SLAB_OK;
}

/* Whether stop-type order q would fill on bar k, tried on a copy so that
 * nothing (the trigger flag) changes. */
int slab__stop_would_fill(const slab_broker_config *c, const slab__order *q,
                          const slab_feed_bar *k)
{
    slab__order t = *q;
    double x;
    if (t.ev.type == SLAB_ORDER_STOP || t.ev.type == SLAB_ORDER_STOP_TRAIL)
        return try_stop(c, t.ev.is_buy, k, t.ev.created_price, &x);
    if (t.triggered)
        return slab__try_limit(c, t.ev.is_buy, k, t.ev.created_plimit, &x);
    return try_stoplimit(c, &t, k, &x);
}
