/* broker.c: backtrader's BackBroker for stock-like instruments with a
 * percentage commission (docs/backtrader-semantics.md §3-5; backtrader
 * 1.9.78 bbroker.py, position.py, trade.py). Market orders created on bar t
 * pass a cash check at the creating close on bar t+1, then fill at O[t+1].
 * Every expression keeps backtrader's operation order, so cash, value and
 * trade pnl agree bit for bit. */
#include "broker_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Grows *arr (elements of size sz) to hold at least need; 0 or -1. */
static int grow(void **arr, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *p = slab_realloc(*arr, nc * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

void slab_broker_config_default(slab_broker_config *cfg)
{
    cfg->cash = 10000.0;
    cfg->commission = 0.0;
    cfg->sizer.kind = SLAB_SIZER_FIXED;
    cfg->sizer.amount = 1.0;
    cfg->check_submit = 1;
}

slab_status slab__broker_init(slab__broker *b, const slab_broker_config *cfg, slab_error *err)
{
    (void)err;
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    b->cash = cfg->cash;
    b->value = cfg->cash;
    return SLAB_OK;
}

void slab__broker_clear(slab__broker *b)
{
    slab_free(b->orders);
    slab_free(b->submitted);
    slab_free(b->pending);
    slab_free(b->trades);
    slab_free(b->onotes);
    slab_free(b->tnotes);
    memset(b, 0, sizeof *b);
}

/* backtrader CommInfoBase._getcommission, percentage scheme. */
static double commission(const slab__broker *b, double size, double price)
{
    return fabs(size) * b->cfg.commission * price;
}

/* backtrader Position.update: new size and price, and the opened/closed
 * split of the fill (both carry the fill's sign). */
static void position_update(double *psize, double *pprice, double size, double price,
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

static int note_order(slab__broker *b, const slab__order *o)
{
    if (grow((void **)&b->onotes, &b->cap_onotes, b->n_onotes + 1, sizeof *b->onotes))
        return -1;
    slab_order_note *n = &b->onotes[b->n_onotes++];
    n->ref = o->ev.ref;
    n->is_buy = o->ev.is_buy;
    n->status = (int)o->ev.status;
    n->size = o->ev.exec_size != 0.0 ? o->ev.exec_size : o->ev.created_size;
    n->price = o->ev.exec_price;
    n->commission = o->ev.exec_comm;
    return 0;
}

static int note_trade(slab__broker *b, const slab_trade *t, int is_open)
{
    if (grow((void **)&b->tnotes, &b->cap_tnotes, b->n_tnotes + 1, sizeof *b->tnotes))
        return -1;
    slab_trade_note *n = &b->tnotes[b->n_tnotes++];
    n->ref = t->ref;
    n->is_open = is_open;
    n->size = t->size;
    n->price = t->entry_price;
    n->pnl = t->pnl;
    n->pnlcomm = t->pnlcomm;
    return 0;
}

int64_t slab__broker_submit(slab__broker *b, const slab__bar *bar, double size, slab_error *err)
{
    if (!(size != 0.0) || !isfinite(size)) {
        slab_error_set(err, SLAB_EINVAL, NULL, "order size must be a finite non-zero number, got %g",
                       size);
        return -1;
    }
    if (grow((void **)&b->orders, &b->cap_orders, b->n_orders + 1, sizeof *b->orders) ||
        grow((void **)&b->submitted, &b->cap_submitted, b->n_submitted + 1, sizeof(size_t))) {
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for orders");
        return -1;
    }
    slab__order *o = &b->orders[b->n_orders];
    memset(o, 0, sizeof *o);
    o->ev.ref = (int64_t)b->n_orders + 1;
    o->ev.is_buy = size > 0.0;
    o->ev.type = SLAB_ORDER_MARKET;
    o->ev.status = SLAB_ORDER_SUBMITTED;
    o->ev.created_ts_ns = bar->ts_ns;
    o->ev.created_bar = bar->i;
    o->ev.created_price = bar->close;
    o->ev.created_size = size;
    o->remsize = size;
    b->submitted[b->n_submitted++] = b->n_orders;
    b->n_orders++;
    return o->ev.ref;
}

/* Pseudo-execution at the created price on a cloned position: the cash
 * left if the order filled now (backtrader _execute with ago=None). */
static double pseudo_execute(const slab__broker *b, const slab__order *o, double cash,
                             double *psize, double *pprice)
{
    double price = o->ev.created_price, opened, closed;
    double pprice_orig = price; /* backtrader uses the created price for both */
    position_update(psize, pprice, o->remsize, price, &opened, &closed);
    if (closed != 0.0) {
        double closedvalue = fabs(closed) * pprice_orig;
        cash += closedvalue + 0.0; /* pnl is 0 in a pseudo execution */
        cash -= commission(b, closed, price);
    }
    if (opened != 0.0) {
        cash -= fabs(opened) * price;
        cash -= commission(b, opened, price);
    }
    return cash;
}

static slab_status check_submitted(slab__broker *b, const slab__bar *bar, slab_error *err)
{
    double cash = b->cash, psize = b->pos_size, pprice = b->pos_price;

    for (size_t k = 0; k < b->n_submitted; k++) {
        slab__order *o = &b->orders[b->submitted[k]];
        cash = pseudo_execute(b, o, cash, &psize, &pprice);
        o->ev.status_ts_ns = bar->ts_ns;
        if (cash >= 0.0) {
            if (grow((void **)&b->pending, &b->cap_pending, b->n_pending + 1, sizeof(size_t)))
                return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for orders");
            o->ev.status = SLAB_ORDER_ACCEPTED;
            b->pending[b->n_pending++] = b->submitted[k];
        } else {
            o->ev.status = SLAB_ORDER_MARGIN;
            snprintf(o->ev.reason, sizeof o->ev.reason,
                     "not enough cash at submission: %.2f short at the creating close",
                     -cash);
        }
        if (note_order(b, o))
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
    }
    b->n_submitted = 0;
    return SLAB_OK;
}

/* Starts a new trade for an opening fill. */
static slab_trade *trade_begin(slab__broker *b, const slab__bar *bar)
{
    if (grow((void **)&b->trades, &b->cap_trades, b->n_trades + 1, sizeof *b->trades))
        return NULL;
    slab_trade *t = &b->trades[b->n_trades];
    memset(t, 0, sizeof *t);
    t->ref = (int64_t)b->n_trades + 1;
    t->is_open = 1;
    t->entry_ts_ns = bar->ts_ns;
    t->entry_bar = bar->i;
    t->baropen = (int64_t)bar->i + 1;
    b->n_trades++;
    b->trade_open = 1;
    return t;
}

/* Closes the open trade's excursion record at the exit price. */
static void trade_excursion(slab__broker *b, slab_trade *t, double exit_price)
{
    double hi = b->mfe_high > exit_price ? b->mfe_high : exit_price;
    double lo = b->mfe_low < exit_price ? b->mfe_low : exit_price;
    if (t->is_long) {
        t->max_gain = hi - t->entry_price;
        t->max_loss = lo - t->entry_price;
    } else {
        t->max_gain = t->entry_price - lo;
        t->max_loss = t->entry_price - hi;
    }
}

/* backtrader Trade.update for one execution bit of `size` at `price`:
 * commission accumulates; an increase re-averages the price as
 * (old*price + size*x)/new (so one fill can differ from x by an ulp); a
 * reduction realises pnl against that average. */
static int trade_update(slab__broker *b, const slab__bar *bar, double size, double price,
                        double comm)
{
    slab_trade *t;
    if (!b->trade_open) {
        if (!(t = trade_begin(b, bar)))
            return -1;
        b->trade_size = 0.0;
        b->mfe_high = b->mfe_low = price;
    } else {
        t = &b->trades[b->n_trades - 1];
    }
    double old = b->trade_size;
    t->commission += comm;
    b->trade_size = old + size;
    if (old == 0.0)
        t->is_long = b->trade_size > 0.0;
    t->barlen = (int64_t)bar->i + 1 - t->baropen;
    if (fabs(b->trade_size) > fabs(old)) {
        t->entry_price = (old * t->entry_price + size * price) / b->trade_size;
        if (fabs(b->trade_size) > fabs(t->size))
            t->size = b->trade_size;
    } else {
        t->pnl += -size * (price - t->entry_price);
    }
    t->pnlcomm = t->pnl - t->commission;
    if (old == 0.0 && note_trade(b, t, 1))
        return -1;
    if (b->trade_size == 0.0) {
        t->is_open = 0;
        b->trade_open = 0;
        t->barclose = (int64_t)bar->i + 1;
        t->exit_ts_ns = bar->ts_ns;
        t->exit_bar = bar->i;
        t->exit_price = price;
        t->exit_reason = SLAB_EXIT_SIGNAL;
        trade_excursion(b, t, price);
        if (note_trade(b, t, 0))
            return -1;
    }
    return 0;
}

/* Real execution of o at price x on this bar (backtrader _execute). */
static slab_status execute(slab__broker *b, slab__order *o, const slab__bar *bar, double x,
                           slab_error *err)
{
    double size = o->remsize, pprice_orig = b->pos_price;
    double psize = b->pos_size, pprice = b->pos_price, opened, closed;
    double cash = b->cash, closedvalue = 0.0, closedcomm = 0.0;
    double openedvalue = 0.0, openedcomm = 0.0;

    position_update(&psize, &pprice, size, x, &opened, &closed);
    double pnl = -closed * (x - pprice_orig);
    if (closed != 0.0) {
        closedvalue = fabs(closed) * pprice_orig;
        cash += closedvalue + pnl;
        closedcomm = commission(b, closed, x);
        cash -= closedcomm;
        b->cash = cash;
    }
    double popened = opened;
    if (opened != 0.0) {
        openedvalue = fabs(opened) * x;
        cash -= openedvalue;
        openedcomm = commission(b, opened, x);
        cash -= openedcomm;
        if (cash < 0.0) {
            opened = 0.0;
            openedvalue = openedcomm = 0.0;
        } else {
            b->cash = cash;
        }
    }
    double execsize = closed + opened;
    if (execsize != 0.0) {
        double ignored_open, ignored_closed;
        position_update(&b->pos_size, &b->pos_price, execsize, x, &ignored_open, &ignored_closed);
        o->remsize -= execsize;
        o->ev.exec_ts_ns = bar->ts_ns;
        o->ev.exec_bar = bar->i;
        o->ev.exec_price = x;
        o->ev.exec_price_avg = (o->ev.exec_size * o->ev.exec_price_avg + execsize * x) /
                               (o->ev.exec_size + execsize);
        o->ev.exec_size += execsize;
        o->ev.exec_value += closedvalue + openedvalue;
        o->ev.exec_comm += closedcomm + openedcomm;
        o->ev.exec_pnl += pnl;
        o->ev.status = o->remsize == 0.0 ? SLAB_ORDER_COMPLETED : SLAB_ORDER_PARTIAL;
        o->ev.status_ts_ns = bar->ts_ns;
        if (note_order(b, o))
            goto nomem;
        if (closed != 0.0 && trade_update(b, bar, closed, x, closedcomm))
            goto nomem;
        if (opened != 0.0 && trade_update(b, bar, opened, x, openedcomm))
            goto nomem;
    }
    if (popened != 0.0 && opened == 0.0) {
        o->ev.status = SLAB_ORDER_MARGIN;
        o->ev.status_ts_ns = bar->ts_ns;
        snprintf(o->ev.reason, sizeof o->ev.reason,
                 "not enough cash at the fill: %.2f needed at %.6g, %.2f available",
                 fabs(popened) * x + commission(b, popened, x), x, b->cash);
        if (note_order(b, o))
            goto nomem;
    }
    return SLAB_OK;
nomem:
    return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory recording a fill");
}

slab_status slab__broker_next(slab__broker *b, const slab__bar *bar, slab_error *err)
{
    slab_status st;

    if (b->n_submitted && (st = check_submitted(b, bar, err)) != SLAB_OK)
        return st;
    /* Each pending order gets exactly one attempt per bar, FIFO; the
     * survivors keep their order. Market orders always fill at the open. */
    size_t keep = 0, n = b->n_pending;
    for (size_t k = 0; k < n; k++) {
        slab__order *o = &b->orders[b->pending[k]];
        if ((st = execute(b, o, bar, bar->open, err)) != SLAB_OK)
            return st;
        if (o->ev.status == SLAB_ORDER_ACCEPTED || o->ev.status == SLAB_ORDER_PARTIAL)
            b->pending[keep++] = b->pending[k];
    }
    b->n_pending = keep;
    if (b->trade_open)
        slab__broker_track(b, bar->high, bar->low);
    slab__broker_mark(b, bar->close);
    return SLAB_OK;
}

double slab__broker_sizer(const slab__broker *b, double close, int is_buy)
{
    const slab_sizer *s = &b->cfg.sizer;
    double size;
    (void)is_buy;
    if (s->kind == SLAB_SIZER_FIXED)
        return s->amount;
    /* backtrader PercentSizer: flat -> cash / close * (percents / 100),
     * float shares; in a position -> the position's size. */
    if (b->pos_size == 0.0)
        size = b->cash / close * (s->amount / 100.0);
    else
        size = fabs(b->pos_size);
    if (s->kind == SLAB_SIZER_PERCENT_INT)
        size = trunc(size);
    return isfinite(size) && size > 0.0 ? size : 0.0;
}
