/* broker.c: backtrader's BackBroker for stock-like instruments with a
 * percentage commission (docs/backtrader-semantics.md §3-5; backtrader
 * 1.9.78 bbroker.py, position.py, trade.py). Market orders created on bar t
 * pass a cash check at the creating close on bar t+1, then fill at O[t+1];
 * the other types follow bbroker.py's _try_exec_* rules (semantics §4.3-4.4).
 * Every expression keeps backtrader's operation order, so cash, value and
 * trade pnl agree bit for bit. */
#include "broker_internal.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
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
    cfg->coc = 0;
    cfg->coo = 0;
    cfg->comm_scheme = SLAB_COMM_PERCENT;
    cfg->commission_min = 0.0;
    cfg->slip_perc = cfg->slip_fixed = 0.0;
    cfg->slip_open = 0;
    cfg->slip_match = 1;
    cfg->slip_limit = 1;
    cfg->slip_out = 0;
    cfg->pessimistic = 0;
    cfg->margin_call = 0;
    cfg->maintenance_margin = 0.0;
}

slab_status slab__broker_init(slab__broker *b, const slab_broker_config *cfg, slab_error *err)
{
    memset(b, 0, sizeof *b);
    if (!(cfg->cash <= SLAB_CASH_MAX)) /* NaN too */
        return slab_error_set(err, SLAB_ERANGE, "cash",
                              "starting cash %g is too large: at most %g (values beyond overflow "
                              "double arithmetic)",
                              cfg->cash, SLAB_CASH_MAX);
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

/* backtrader CommInfoBase._getcommission: the size-proportional part of
 * the commission of `size` shares at price. */
static double comm_base(const slab__broker *b, double size, double price)
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
static double commission(const slab__broker *b, double size, double price, int first,
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
    n->type = (int)o->ev.type;
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

/* End of the day holding ts (23:59:59.999999999): backtrader's dteos. */
static int64_t day_end(int64_t ts)
{
    return (slab_ts_day(ts) + 1) * SLAB_NS_PER_DAY - 1;
}

static int is_trail(int type)
{
    return type == SLAB_ORDER_STOP_TRAIL || type == SLAB_ORDER_STOP_TRAIL_LIMIT;
}

static int is_stop_type(int type)
{
    return type == SLAB_ORDER_STOP || type == SLAB_ORDER_STOP_LIMIT || is_trail(type);
}

static int is_alive(const slab__order *o)
{
    return o->ev.status == SLAB_ORDER_SUBMITTED || o->ev.status == SLAB_ORDER_ACCEPTED ||
           o->ev.status == SLAB_ORDER_PARTIAL;
}

/* backtrader Order.trailadjust: the stop follows `price` by the trail
 * distance, only ever towards the market; a trail-limit's limit keeps its
 * offset. */
static void trail_adjust(slab__order *o, double price)
{
    double amount = o->trailamount != 0.0 ? o->trailamount : price * o->trailpercent;
    double p = o->ev.is_buy ? price + amount : price - amount;
    if (o->ev.is_buy ? p < o->ev.created_price : p > o->ev.created_price) {
        o->ev.created_price = p;
        if (o->ev.type == SLAB_ORDER_STOP_TRAIL_LIMIT)
            o->ev.created_plimit = p - o->limitoffset;
    }
}

static int finish(slab__broker *b, slab__order *o, slab_order_status st, const slab__bar *k);
static int oco_cancel(slab__broker *b, const slab__order *o, const slab__bar *k);
static int group_cancel(slab__broker *b, const slab__order *o, const slab__bar *k);

static int bad_price(double p) { return !isfinite(p) || p < 0.0; }

/* Why req cannot be an order (written to reason), or 0 if it can. */
static int invalid(const slab__broker *b, const slab__order_req *r, const slab__bar *bar,
                   char *reason, size_t cap)
{
    int t = r->type, stop_like = t == SLAB_ORDER_STOP || t == SLAB_ORDER_STOP_LIMIT;
    if (b->liquidating)
        snprintf(reason, cap, "a margin call is closing the position (order %lld); no new "
                              "orders until it has filled", (long long)b->liquidating);
    else if (!(r->size != 0.0) || !isfinite(r->size) || (r->size > 0.0) != (r->is_buy != 0))
        snprintf(reason, cap, "size must be a finite number > 0, got %g",
                 r->is_buy ? r->size : -r->size);
    else if (t < SLAB_ORDER_MARKET || t > SLAB_ORDER_STOP_TRAIL_LIMIT)
        snprintf(reason, cap, "unknown order type %d", t);
    else if (bad_price(r->price) || bad_price(r->plimit))
        snprintf(reason, cap, "price and plimit must be finite and >= 0");
    else if ((t == SLAB_ORDER_LIMIT || stop_like) && !(r->price > 0.0))
        snprintf(reason, cap, "a %s order needs a price > 0", slab_order_type_name(t));
    else if ((t == SLAB_ORDER_STOP_LIMIT || t == SLAB_ORDER_STOP_TRAIL_LIMIT) && !(r->plimit > 0.0))
        snprintf(reason, cap, "a %s order needs a plimit > 0", slab_order_type_name(t));
    else if (bad_price(r->trailamount) || !isfinite(r->trailpercent) || r->trailpercent < 0.0 ||
             r->trailpercent >= 1.0)
        snprintf(reason, cap, "trailamount must be >= 0 and trailpercent in [0, 1)");
    else if (is_trail(t) && !(r->trailamount > 0.0) && !(r->trailpercent > 0.0))
        snprintf(reason, cap, "a %s order needs trailamount or trailpercent",
                 slab_order_type_name(t));
    else if (r->valid_kind < SLAB_VALID_GTC || r->valid_kind > SLAB_VALID_BARS ||
             (r->valid_kind >= SLAB_VALID_FOR_NS && r->valid_value < 0))
        snprintf(reason, cap, "bad validity (kind %d, value %lld)", r->valid_kind,
                 (long long)r->valid_value);
    else if (r->parent != 0 && (r->parent < 1 || (size_t)r->parent > b->n_orders))
        snprintf(reason, cap, "bracket parent %lld is not an order", (long long)r->parent);
    else if (r->parent != 0 && b->orders[r->parent - 1].parent != 0)
        snprintf(reason, cap, "bracket parent %lld is itself a child", (long long)r->parent);
    else if (r->parent != 0 && !is_alive(&b->orders[r->parent - 1]))
        snprintf(reason, cap, "bracket parent %lld is %s", (long long)r->parent,
                 slab_order_status_name(b->orders[r->parent - 1].ev.status));
    else if (r->oco != 0 && (r->oco < 1 || (size_t)r->oco > b->n_orders ||
                             !is_alive(&b->orders[r->oco - 1])))
        snprintf(reason, cap, "oco order %lld is not in flight", (long long)r->oco);
    else if (r->check_side && stop_like && (r->size > 0.0 ? r->price <= bar->close
                                                          : r->price >= bar->close))
        snprintf(reason, cap, "%s stop %g is on the wrong side of the close %g",
                 r->size > 0.0 ? "buy" : "sell", r->price, bar->close);
    else
        return 0;
    return 1;
}

/* Sets the order's expiry from the request (backtrader Order.__init__). */
static void set_validity(slab__order *o, const slab__order_req *r, const slab__bar *bar)
{
    o->valid_ts = INT64_MAX;
    o->valid_bar = SIZE_MAX;
    if (r->valid_kind == SLAB_VALID_DAY ||
        (r->valid_kind == SLAB_VALID_FOR_NS && r->valid_value == 0))
        o->valid_ts = o->dteos;
    else if (r->valid_kind == SLAB_VALID_UNTIL)
        o->valid_ts = r->valid_value;
    else if (r->valid_kind == SLAB_VALID_FOR_NS)
        o->valid_ts = bar->ts_ns + r->valid_value;
    else if (r->valid_kind == SLAB_VALID_BARS)
        o->valid_bar = bar->i + (size_t)r->valid_value;
}

/* Prices at creation: created.price is the limit/stop (or the close), the
 * limit defaults to it; a trail starts from +-inf and is adjusted once to
 * its reference. */
static void set_prices(slab__order *o, const slab__order_req *r, const slab__bar *bar)
{
    double ref = r->price > 0.0 ? r->price : bar->close;
    o->ev.created_price = ref;
    o->ev.created_plimit = r->plimit > 0.0 ? r->plimit : ref;
    if (is_trail(r->type)) {
        o->trailamount = r->trailamount;
        o->trailpercent = r->trailpercent;
        o->limitoffset = ref - o->ev.created_plimit;
        o->ev.created_price = o->ev.is_buy ? INFINITY : -INFINITY;
        trail_adjust(o, ref);
    }
}

/* Sends the held children of parent (creation order) to the submission
 * check, as backtrader's transmit of the parent/children queue. */
static int transmit_held(slab__broker *b, int64_t parent)
{
    for (size_t k = (size_t)parent; k < b->n_orders; k++) {
        slab__order *q = &b->orders[k];
        if (!q->held || q->parent != parent)
            continue;
        if (grow((void **)&b->submitted, &b->cap_submitted, b->n_submitted + 1, sizeof(size_t)))
            return -1;
        q->held = 0;
        q->ev.status = SLAB_ORDER_SUBMITTED;
        b->submitted[b->n_submitted++] = k;
        if (note_order(b, q))
            return -1;
    }
    return 0;
}

int64_t slab__broker_order(slab__broker *b, const slab__bar *bar, const slab__order_req *req,
                           slab_error *err)
{
    if (grow((void **)&b->orders, &b->cap_orders, b->n_orders + 1, sizeof *b->orders) ||
        grow((void **)&b->submitted, &b->cap_submitted, b->n_submitted + 1, sizeof(size_t))) {
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for orders");
        return -1;
    }
    slab__order *o = &b->orders[b->n_orders];
    memset(o, 0, sizeof *o);
    o->ev.ref = (int64_t)b->n_orders + 1;
    o->ev.is_buy = req->is_buy != 0;
    o->ev.type = (slab_order_type)req->type;
    o->ev.status = SLAB_ORDER_SUBMITTED;
    o->ev.created_ts_ns = bar->ts_ns;
    o->ev.created_bar = bar->i;
    o->ev.created_price = bar->close;
    o->ev.created_plimit = bar->close;
    o->ev.created_size = req->size;
    o->ev.status_ts_ns = bar->ts_ns;
    o->remsize = req->size;
    o->dteos = day_end(bar->ts_ns);
    o->exit_reason = req->exit_reason;
    o->active = 1;
    b->n_orders++;
    if (req->reject)
        snprintf(o->ev.reason, sizeof o->ev.reason, "%s", req->reject);
    if (req->reject || invalid(b, req, bar, o->ev.reason, sizeof o->ev.reason)) {
        o->ev.status = SLAB_ORDER_REJECTED;
        o->remsize = 0.0;
    } else {
        set_prices(o, req, bar);
        set_validity(o, req, bar);
        if (req->oco) {
            slab__order *q = &b->orders[req->oco - 1];
            if (!q->oco)
                q->oco = q->ev.ref;
            o->oco = q->oco;
        }
        if (req->parent) {
            o->parent = req->parent;
            o->active = 0;
            b->orders[req->parent - 1].has_children = 1;
        }
        if (req->parent && !req->transmit) {
            /* backtrader: kept in the parent's queue until a sibling
             * transmits; no notification until then. */
            o->held = 1;
            o->ev.status = SLAB_ORDER_CREATED;
            return o->ev.ref;
        }
        if (req->parent && transmit_held(b, req->parent)) {
            slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for orders");
            return -1;
        }
        b->submitted[b->n_submitted++] = b->n_orders - 1;
    }
    if (note_order(b, o)) {
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
        return -1;
    }
    return o->ev.ref;
}

int64_t slab__broker_submit(slab__broker *b, const slab__bar *bar, double size, slab_error *err)
{
    slab__order_req req;
    if (!(size != 0.0) || !isfinite(size)) {
        slab_error_set(err, SLAB_EINVAL, NULL, "order size must be a finite non-zero number, got %g",
                       size);
        return -1;
    }
    memset(&req, 0, sizeof req);
    req.type = SLAB_ORDER_MARKET;
    req.is_buy = size > 0.0;
    req.size = size;
    return slab__broker_order(b, bar, &req, err);
}

/* Pseudo-execution at the created price on a cloned position: the cash
 * left if the order filled now (backtrader _execute with ago=None). Values
 * carry the fill's sign (semantics §4.2), so a short sale adds cash
 * (shortcash) and covering takes it back; for longs -closed*p = |closed|*p
 * exactly. */
static double pseudo_execute(const slab__broker *b, const slab__order *o, const slab__bar *bar,
                             double cash, double *psize, double *pprice)
{
    /* backtrader uses the created price for both; with coo a market order
     * is checked at the open of the checking bar. */
    double price = o->ev.created_price, opened, closed;
    if (b->cfg.coo && o->ev.type == SLAB_ORDER_MARKET)
        price = bar->open;
    double pprice_orig = price;
    position_update(psize, pprice, o->remsize, price, &opened, &closed);
    if (closed != 0.0) {
        double closedvalue = -closed * pprice_orig;
        cash += closedvalue + 0.0; /* pnl is 0 in a pseudo execution */
        cash -= commission(b, closed, price, 1, opened);
    }
    if (opened != 0.0) {
        cash -= opened * price;
        cash -= commission(b, opened, price, closed == 0.0, 0.0);
    }
    return cash;
}

static slab_status check_submitted(slab__broker *b, const slab__bar *bar, slab_error *err)
{
    double cash = b->cash, psize = b->pos_size, pprice = b->pos_price;

    for (size_t k = 0; k < b->n_submitted; k++) {
        slab__order *o = &b->orders[b->submitted[k]];
        o->ev.status_ts_ns = bar->ts_ns;
        if (o->parent && !is_alive(&b->orders[o->parent - 1]) &&
            b->orders[o->parent - 1].ev.status != SLAB_ORDER_COMPLETED) {
            /* backtrader _take_children: the parent's group is gone. */
            o->ev.status = SLAB_ORDER_REJECTED;
            snprintf(o->ev.reason, sizeof o->ev.reason, "bracket parent %lld was %s",
                     (long long)o->parent,
                     slab_order_status_name(b->orders[o->parent - 1].ev.status));
            if (note_order(b, o))
                return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
            continue;
        }
        cash = pseudo_execute(b, o, bar, cash, &psize, &pprice);
        if (cash >= 0.0 || o->forced) {
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
        if (o->ev.status == SLAB_ORDER_MARGIN && group_cancel(b, o, bar))
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
                        double comm, slab_exit_reason why)
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
        t->exit_reason = why;
        trade_excursion(b, t, price);
        if (note_trade(b, t, 0))
            return -1;
    }
    return 0;
}

/* What closing a trade with o is recorded as: the strategy's tag, else
 * trailing_stop for trails, else signal. */
static slab_exit_reason exit_reason(const slab__order *o)
{
    if (o->exit_reason > SLAB_EXIT_NONE && o->exit_reason <= SLAB_EXIT_MARGIN)
        return (slab_exit_reason)o->exit_reason;
    return is_trail(o->ev.type) ? SLAB_EXIT_TRAILING_STOP : SLAB_EXIT_SIGNAL;
}

/* Real execution of o at price x on this bar (backtrader _execute); the
 * order records exec_ts/exec_bar (cheat-on-close and Close orders can
 * execute "at" an earlier bar), the trade the processing bar. */
static slab_status execute(slab__broker *b, slab__order *o, const slab__bar *bar, double x,
                           int64_t exec_ts, size_t exec_bar, slab_error *err)
{
    double size = o->remsize, pprice_orig = b->pos_price;
    double psize = b->pos_size, pprice = b->pos_price, opened, closed;
    double cash = b->cash, closedvalue = 0.0, closedcomm = 0.0;
    double openedvalue = 0.0, openedcomm = 0.0;

    position_update(&psize, &pprice, size, x, &opened, &closed);
    double pnl = -closed * (x - pprice_orig);
    if (closed != 0.0) {
        closedvalue = -closed * pprice_orig;
        cash += closedvalue + pnl;
        closedcomm = commission(b, closed, x, 1, opened);
        cash -= closedcomm;
        b->cash = cash;
    }
    double popened = opened;
    if (opened != 0.0) {
        openedvalue = opened * x;
        cash -= openedvalue;
        openedcomm = commission(b, opened, x, closed == 0.0, 0.0);
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
        if (note_order(b, o))
            goto nomem;
        if (closed != 0.0 && trade_update(b, bar, closed, x, closedcomm, exit_reason(o)))
            goto nomem;
        if (closed != 0.0 && is_stop_type(o->ev.type)) {
            b->stop_exit_bar = bar->i + 1; /* for the pessimistic mode */
            b->stop_exit_buy = o->ev.is_buy;
        }
        if (opened != 0.0 && trade_update(b, bar, opened, x, openedcomm, SLAB_EXIT_SIGNAL))
            goto nomem;
    }
    if (popened != 0.0 && opened == 0.0) {
        o->ev.status = SLAB_ORDER_MARGIN;
        o->ev.status_ts_ns = bar->ts_ns;
        snprintf(o->ev.reason, sizeof o->ev.reason,
                 "not enough cash at the fill: %.2f needed at %.6g, %.2f available",
                 fabs(popened) * x + commission(b, popened, x, closed == 0.0, 0.0), x,
                 b->cash);
        if (note_order(b, o))
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
static int try_limit(const slab_broker_config *c, int buy, const slab__bar *k, double lm,
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
static int try_stop(const slab_broker_config *c, int buy, const slab__bar *k, double stop,
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
static int try_stoplimit(const slab_broker_config *c, slab__order *o, const slab__bar *k,
                         double *x)
{
    int buy = o->ev.is_buy;
    double stop = o->ev.created_price, lm = o->ev.created_plimit;
    if (buy ? k->open >= stop : k->open <= stop) {
        o->triggered = 1;
        return try_limit(c, buy, k, lm, x);
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
static int try_close(slab__order *o, const slab__bar *k, double *x, int64_t *ets, size_t *ebar)
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
static slab_status try_exec(slab__broker *b, slab__order *o, const slab__bar *k, slab_error *err)
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
        fill = try_limit(c, buy, k, o->ev.created_price, &x);
        break;
    case SLAB_ORDER_STOP:
    case SLAB_ORDER_STOP_TRAIL:
        fill = try_stop(c, buy, k, o->ev.created_price, &x);
        if (!fill && o->ev.type == SLAB_ORDER_STOP_TRAIL)
            trail_adjust(o, k->close);
        break;
    case SLAB_ORDER_STOP_LIMIT:
    case SLAB_ORDER_STOP_TRAIL_LIMIT:
        if (o->triggered)
            return try_limit(c, buy, k, o->ev.created_plimit, &x)
                       ? execute(b, o, k, x, ets, ebar, err)
                       : SLAB_OK;
        fill = try_stoplimit(c, o, k, &x);
        if (!fill && o->ev.type == SLAB_ORDER_STOP_TRAIL_LIMIT)
            trail_adjust(o, k->close);
        break;
    }
    return fill ? execute(b, o, k, x, ets, ebar, err) : SLAB_OK;
}

/* Ends o with status st on bar k and notifies it. */
static int finish(slab__broker *b, slab__order *o, slab_order_status st, const slab__bar *k)
{
    o->ev.status = st;
    o->ev.status_ts_ns = k->ts_ns;
    return note_order(b, o);
}

/* backtrader _ococheck: once an order of an OCO group is done, the
 * group's other pending orders are cancelled. */
static int oco_cancel(slab__broker *b, const slab__order *o, const slab__bar *k)
{
    if (!o->oco)
        return 0;
    for (size_t j = 0; j < b->n_pending; j++) {
        slab__order *q = &b->orders[b->pending[j]];
        if (q != o && q->oco == o->oco && is_alive(q) && finish(b, q, SLAB_ORDER_CANCELED, k))
            return -1;
    }
    return 0;
}

/* backtrader _bracketize(cancel=True): o's bracket group (its parent
 * while pending, and the parent's children) is cancelled. */
static int group_cancel(slab__broker *b, const slab__order *o, const slab__bar *k)
{
    if (!o->parent && !o->has_children)
        return 0;
    int64_t pref = o->parent ? o->parent : o->ev.ref;
    for (size_t j = 0; j < b->n_pending; j++) {
        slab__order *q = &b->orders[b->pending[j]];
        if (q == o || !is_alive(q) || (q->ev.ref != pref && q->parent != pref))
            continue;
        if (finish(b, q, SLAB_ORDER_CANCELED, k) || oco_cancel(b, q, k))
            return -1;
    }
    return 0;
}

/* backtrader _bracketize after a fill: a parent's children become active
 * from the next bar; a child's siblings are cancelled. */
static int bracket_filled(slab__broker *b, const slab__order *o, const slab__bar *k)
{
    if (o->parent)
        return group_cancel(b, o, k);
    for (size_t j = 0; j < b->n_pending; j++) {
        slab__order *q = &b->orders[b->pending[j]];
        if (q->parent == o->ev.ref && is_alive(q) && !q->to_activate) {
            q->to_activate = 1;
            b->n_to_activate++;
        }
    }
    return 0;
}

/* 1 when the order would expire on bar k instead of being tried. */
static int expires(const slab__order *o, const slab__bar *k)
{
    return o->ev.type != SLAB_ORDER_MARKET && (k->ts_ns > o->valid_ts || k->i > o->valid_bar);
}

/* Whether stop-type order q would fill on bar k, tried on a copy so that
 * nothing (the trigger flag) changes. */
static int stop_would_fill(const slab_broker_config *c, const slab__order *q, const slab__bar *k)
{
    slab__order t = *q;
    double x;
    if (t.ev.type == SLAB_ORDER_STOP || t.ev.type == SLAB_ORDER_STOP_TRAIL)
        return try_stop(c, t.ev.is_buy, k, t.ev.created_price, &x);
    if (t.triggered)
        return try_limit(c, t.ev.is_buy, k, t.ev.created_plimit, &x);
    return try_stoplimit(c, &t, k, &x);
}

/* Pessimistic mode: 1 when limit order pending[at] must not be tried on
 * bar k because a stop-type exit of the same position is assumed to fill
 * first. That is when the limit would fill inside the bar (a fill at the
 * open is certainly first and goes ahead) and either a stop-type order of
 * its side already closed a position on this bar, or the limit is an exit
 * of the current position and a stop-type exit later in the queue (not
 * tried yet) would fill on this bar too. */
static int adverse_first(const slab__broker *b, size_t at, const slab__bar *k)
{
    const slab__order *o = &b->orders[b->pending[at]];
    int buy = o->ev.is_buy;
    double lm = o->ev.created_price, x;
    if (o->ev.type != SLAB_ORDER_LIMIT || (buy ? lm >= k->open : lm <= k->open) ||
        !try_limit(&b->cfg, buy, k, lm, &x))
        return 0;
    if (b->stop_exit_bar == k->i + 1 && b->stop_exit_buy == buy)
        return 1;
    if (b->pos_size == 0.0 || (b->pos_size < 0.0) != buy)
        return 0;
    for (size_t j = at + 1; j < b->n_pending; j++) {
        const slab__order *q = &b->orders[b->pending[j]];
        if (is_alive(q) && q->active && q->ev.is_buy == buy && is_stop_type(q->ev.type) &&
            !expires(q, k) && stop_would_fill(&b->cfg, q, k))
            return 1;
    }
    return 0;
}

/* Drops the orders that are no longer alive from the pending queue. */
static void compact_pending(slab__broker *b)
{
    size_t keep = 0;
    for (size_t k = 0; k < b->n_pending; k++)
        if (is_alive(&b->orders[b->pending[k]]))
            b->pending[keep++] = b->pending[k];
    b->n_pending = keep;
}

int slab__broker_cancel(slab__broker *b, int64_t ref, const slab__bar *bar)
{
    for (size_t k = 0; k < b->n_pending; k++) {
        slab__order *o = &b->orders[b->pending[k]];
        if (o->ev.ref != ref || !is_alive(o))
            continue;
        if (finish(b, o, SLAB_ORDER_CANCELED, bar) || oco_cancel(b, o, bar) ||
            group_cancel(b, o, bar))
            return -1;
        compact_pending(b);
        return 1;
    }
    return 0;
}

slab_status slab__broker_next(slab__broker *b, const slab__bar *bar, slab_error *err)
{
    slab_status st;

    if (b->n_to_activate) {
        for (size_t k = 0; k < b->n_pending; k++) {
            slab__order *o = &b->orders[b->pending[k]];
            if (o->to_activate)
                o->active = 1, o->to_activate = 0;
        }
        b->n_to_activate = 0;
    }
    if (b->n_submitted && (st = check_submitted(b, bar, err)) != SLAB_OK)
        return st;

    /* Each pending order gets exactly one attempt per bar, FIFO, after its
     * expiry check (market orders never expire); the survivors keep their
     * order. An order cancelled by an OCO sibling earlier this bar is
     * skipped. */
    size_t n = b->n_pending;
    for (size_t k = 0; k < n; k++) {
        slab__order *o = &b->orders[b->pending[k]];
        if (!is_alive(o))
            continue;
        if (expires(o, bar)) {
            if (finish(b, o, SLAB_ORDER_EXPIRED, bar))
                goto nomem;
        } else if (!o->active || (b->cfg.pessimistic && adverse_first(b, k, bar))) {
            continue; /* a child waiting for its parent; a pessimistic skip */
        } else if ((st = try_exec(b, o, bar, err)) != SLAB_OK) {
            return st;
        }
        if (!is_alive(o) && oco_cancel(b, o, bar))
            goto nomem;
        if (!is_alive(o) && (o->parent || o->has_children) &&
            (o->ev.status == SLAB_ORDER_COMPLETED ? bracket_filled(b, o, bar)
                                                  : group_cancel(b, o, bar)))
            goto nomem;
    }
    compact_pending(b);
    if (b->trade_open)
        slab__broker_track(b, bar->high, bar->low);
    slab__broker_mark(b, bar->close);
    return b->cfg.margin_call ? slab__broker_margin_check(b, bar, err) : SLAB_OK;
nomem:
    return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
}

/* The margin call's liquidation: every pending order is cancelled and a
 * market order for the whole position, tagged margin, is sent; it skips
 * the submission cash check and fills at the next bar's open. */
static slab_status liquidate(slab__broker *b, const slab__bar *bar, slab_error *err)
{
    slab__order_req req;
    double exposure = fabs(b->pos_size) * bar->close;
    for (size_t j = 0; j < b->n_pending; j++) {
        slab__order *q = &b->orders[b->pending[j]];
        if (is_alive(q) && finish(b, q, SLAB_ORDER_CANCELED, bar))
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
    }
    compact_pending(b);
    memset(&req, 0, sizeof req);
    req.type = SLAB_ORDER_MARKET;
    req.is_buy = b->pos_size < 0.0;
    req.size = -b->pos_size;
    req.exit_reason = SLAB_EXIT_MARGIN;
    int64_t ref = slab__broker_order(b, bar, &req, err);
    if (ref < 0)
        return err ? err->code : SLAB_ENOMEM;
    slab__order *o = &b->orders[ref - 1];
    o->forced = 1;
    snprintf(o->ev.reason, sizeof o->ev.reason,
             "margin call: value %.2f <= %g x position value %.2f at the close", b->value,
             b->cfg.maintenance_margin, exposure);
    b->liquidating = ref;
    return SLAB_OK;
}

slab_status slab__broker_margin_check(slab__broker *b, const slab__bar *bar, slab_error *err)
{
    if (b->liquidating && !is_alive(&b->orders[b->liquidating - 1]))
        b->liquidating = 0;
    if (b->pos_size == 0.0 || b->liquidating ||
        b->value > b->cfg.maintenance_margin * fabs(b->pos_size) * bar->close)
        return SLAB_OK;
    return liquidate(b, bar, err);
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
