/* broker.c: backtrader's BackBroker for stock-like instruments
 * (docs/backtrader-semantics.md §3-5; backtrader 1.9.78 bbroker.py): the
 * broker object, order creation and validation, the submission check, the
 * per-step loop over pending orders (expiry, one fill attempt, OCO and
 * bracket groups), the value over every feed's position, the opt-in margin
 * call and the accessors of stratlab/broker.h. The fill rules, the cash
 * arithmetic of a fill and the trade records are in fill.c.
 * Invariant: an order is tried only on a fresh bar of its own feed, never
 * on the bar that created it. */
#include "broker_internal.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

slab_status slab_broker_new(const slab_broker_config *cfg, size_t n_feeds, slab_broker **out,
                            slab_error *err)
{
    *out = NULL;
    if (!(cfg->cash <= SLAB_CASH_MAX)) /* NaN too */
        return slab_error_set(err, SLAB_ERANGE, "cash",
                              "starting cash %g is too large: at most %g (values beyond overflow "
                              "double arithmetic)",
                              cfg->cash, SLAB_CASH_MAX);
    if (n_feeds == 0 || n_feeds > SLAB_BROKER_FEEDS_MAX)
        return slab_error_set(err, SLAB_EINVAL, NULL, "a broker trades 1 to %d feeds, not %zu",
                              SLAB_BROKER_FEEDS_MAX, n_feeds);
    slab_broker *b = slab_calloc(1, sizeof *b);
    if (!b)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the broker");
    b->feeds = slab_calloc(n_feeds, sizeof *b->feeds);
    b->pos = slab_calloc(n_feeds, sizeof *b->pos);
    b->liquidating = slab_calloc(n_feeds, sizeof *b->liquidating);
    b->scratch = slab_calloc(n_feeds, sizeof *b->scratch);
    if (!b->feeds || !b->pos || !b->liquidating || !b->scratch) {
        slab_broker_free(b);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the broker");
    }
    b->n_feeds = n_feeds;
    b->v.positions = b->pos;
    b->v.n_feeds = n_feeds;
    b->cfg = *cfg;
    b->v.cash = cfg->cash;
    b->v.value = cfg->cash;
    *out = b;
    return SLAB_OK;
}

void slab_broker_free(slab_broker *b)
{
    if (!b)
        return;
    slab_free(b->orders);
    slab_free(b->gone);
    slab_free(b->kept);
    slab_free(b->submitted);
    slab_free(b->pending);
    slab_free(b->trades);
    slab_free(b->onotes);
    slab_free(b->tnotes);
    slab_free(b->feeds);
    slab_free(b->pos);
    slab_free(b->liquidating);
    slab_free(b->scratch);
    slab_free(b);
}

const slab_broker_view *slab_broker_view_of(const slab_broker *b) { return &b->v; }
const slab_broker_config *slab_broker_cfg(const slab_broker *b) { return &b->cfg; }
size_t slab_broker_n_feeds(const slab_broker *b) { return b->n_feeds; }

/* Order ref's record, or NULL for no such order or one dropped from
 * orders[] (finished: slab_broker_drop_finished). */
static slab__order *order_at(const slab_broker *b, int64_t ref)
{
    if (ref <= (int64_t)b->base || (size_t)ref > b->n_orders)
        return NULL;
    return &b->orders[(size_t)ref - 1 - b->base];
}

/* gone[]'s bit for an order that was a bracket child; the rest is its
 * status. */
#define GONE_CHILD 0x80

/* Status of order ref (1..n_orders), moved out of orders[] or not. */
static slab_order_status status_of(const slab_broker *b, int64_t ref)
{
    const slab__order *o = order_at(b, ref);
    return o ? o->ev.status : (slab_order_status)(b->gone[ref - 1] & ~GONE_CHILD);
}

/* 1 when order ref (1..n_orders) is a bracket child. */
static int is_child(const slab_broker *b, int64_t ref)
{
    const slab__order *o = order_at(b, ref);
    return o ? o->parent != 0 : (b->gone[ref - 1] & GONE_CHILD) != 0;
}

int slab__note_order(slab_broker *b, const slab__order *o)
{
    if (slab_grow((void **)&b->onotes, &b->cap_onotes, b->n_onotes + 1, sizeof *b->onotes))
        return -1;
    slab_order_note *n = &b->onotes[b->n_onotes++];
    n->ref = o->ev.ref;
    n->is_buy = o->ev.is_buy;
    n->status = (int)o->ev.status;
    n->size = o->ev.exec_size != 0.0 ? o->ev.exec_size : o->ev.created_size;
    n->price = o->ev.exec_price;
    n->commission = o->ev.exec_comm;
    n->type = (int)o->ev.type;
    n->feed = o->ev.feed;
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

int slab__is_stop_type(int type)
{
    return type == SLAB_ORDER_STOP || type == SLAB_ORDER_STOP_LIMIT || is_trail(type);
}

int slab__is_alive(const slab__order *o)
{
    return o->ev.status == SLAB_ORDER_SUBMITTED || o->ev.status == SLAB_ORDER_ACCEPTED ||
           o->ev.status == SLAB_ORDER_PARTIAL;
}

/* backtrader Order.trailadjust: the stop follows `price` by the trail
 * distance, only ever towards the market; a trail-limit's limit keeps its
 * offset. */
void slab__trail_adjust(slab__order *o, double price)
{
    double amount = o->trailamount != 0.0 ? o->trailamount : price * o->trailpercent;
    double p = o->ev.is_buy ? price + amount : price - amount;
    if (o->ev.is_buy ? p < o->ev.created_price : p > o->ev.created_price) {
        o->ev.created_price = p;
        if (o->ev.type == SLAB_ORDER_STOP_TRAIL_LIMIT)
            o->ev.created_plimit = p - o->limitoffset;
    }
}

/* The ref of a margin call's order still in flight, 0 none. */
static int64_t liquidation(const slab_broker *b)
{
    for (size_t k = 0; b->n_liquidating && k < b->n_feeds; k++)
        if (b->liquidating[k])
            return b->liquidating[k];
    return 0;
}

static int bad_price(double p) { return !isfinite(p) || p < 0.0; }

/* Why req cannot be an order (written to reason), or 0 if it can. */
static int invalid(const slab_broker *b, const slab_order_req *r, const slab_feed_bar *bar,
                   char *reason, size_t cap)
{
    int t = r->type, stop_like = t == SLAB_ORDER_STOP || t == SLAB_ORDER_STOP_LIMIT;
    int64_t liq = liquidation(b);
    if (liq)
        snprintf(reason, cap, "a margin call is closing the position (order %lld); no new "
                              "orders until it has filled", (long long)liq);
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
    else if (r->parent != 0 && is_child(b, r->parent))
        snprintf(reason, cap, "bracket parent %lld is itself a child", (long long)r->parent);
    else if (r->parent != 0 && !slab_broker_alive(b, r->parent))
        snprintf(reason, cap, "bracket parent %lld is %s", (long long)r->parent,
                 slab_order_status_name(status_of(b, r->parent)));
    else if (r->parent != 0 && order_at(b, r->parent)->ev.feed != r->feed)
        snprintf(reason, cap, "bracket parent %lld trades another feed", (long long)r->parent);
    else if (r->oco != 0 && (r->oco < 1 || !slab_broker_alive(b, r->oco)))
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
static void set_validity(slab__order *o, const slab_order_req *r, const slab_feed_bar *bar)
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
static void set_prices(slab__order *o, const slab_order_req *r, const slab_feed_bar *bar)
{
    double ref = r->price > 0.0 ? r->price : bar->close;
    o->ev.created_price = ref;
    o->ev.created_plimit = r->plimit > 0.0 ? r->plimit : ref;
    if (is_trail(r->type)) {
        o->trailamount = r->trailamount;
        o->trailpercent = r->trailpercent;
        o->limitoffset = ref - o->ev.created_plimit;
        o->ev.created_price = o->ev.is_buy ? INFINITY : -INFINITY;
        slab__trail_adjust(o, ref);
    }
}

/* Sends the held children of parent (creation order) to the submission
 * check, as backtrader's transmit of the parent/children queue. */
static int transmit_held(slab_broker *b, int64_t parent)
{
    for (size_t k = (size_t)parent - b->base; k < b->n_orders - b->base; k++) {
        slab__order *q = &b->orders[k];
        if (!q->held || q->parent != parent)
            continue;
        if (slab_grow((void **)&b->submitted, &b->cap_submitted, b->n_submitted + 1,
                       sizeof(size_t)))
            return -1;
        q->held = 0;
        q->ev.status = SLAB_ORDER_SUBMITTED;
        b->submitted[b->n_submitted++] = k;
        if (slab__note_order(b, q))
            return -1;
    }
    return 0;
}

/* A new order record for req on bar, status Submitted. */
static slab__order *new_order(slab_broker *b, const slab_feed_bar *bar, const slab_order_req *req)
{
    slab__order *o = &b->orders[b->n_orders - b->base];
    memset(o, 0, sizeof *o);
    o->ev.ref = (int64_t)b->n_orders + 1;
    o->ev.feed = req->feed;
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
    return o;
}

int64_t slab_broker_order(slab_broker *b, const slab_feed_bar *bars, const slab_order_req *req,
                          slab_error *err)
{
    if (req->feed < 0 || (size_t)req->feed >= b->n_feeds) {
        slab_error_set(err, SLAB_EINVAL, NULL, "an order for feed %d, but the run has %zu feed(s)",
                       req->feed, b->n_feeds);
        return -1;
    }
    if (slab_grow((void **)&b->orders, &b->cap_orders, b->n_orders - b->base + 1,
                   sizeof *b->orders) ||
        slab_grow((void **)&b->submitted, &b->cap_submitted, b->n_submitted + 1,
                   sizeof(size_t))) {
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for orders");
        return -1;
    }
    const slab_feed_bar *bar = &bars[req->feed];
    slab__order *o = new_order(b, bar, req);
    if (req->reject)
        snprintf(o->ev.reason, sizeof o->ev.reason, "%s", req->reject);
    if (req->reject || invalid(b, req, bar, o->ev.reason, sizeof o->ev.reason)) {
        o->ev.status = SLAB_ORDER_REJECTED;
        o->remsize = 0.0;
    } else {
        if (req->note)
            snprintf(o->ev.reason, sizeof o->ev.reason, "%s", req->note);
        set_prices(o, req, bar);
        set_validity(o, req, bar);
        if (req->oco) {
            slab__order *q = order_at(b, req->oco); /* alive: checked by invalid() */
            if (!q->oco)
                q->oco = q->ev.ref;
            o->oco = q->oco;
        }
        if (req->parent) {
            o->parent = req->parent;
            o->active = 0;
            order_at(b, req->parent)->has_children = 1;
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
        b->submitted[b->n_submitted++] = b->n_orders - 1 - b->base;
    }
    if (slab__note_order(b, o)) {
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
        return -1;
    }
    return o->ev.ref;
}

int64_t slab_broker_submit(slab_broker *b, const slab_feed_bar *bars, int feed, double size,
                           slab_error *err)
{
    slab_order_req req;
    if (!(size != 0.0) || !isfinite(size)) {
        slab_error_set(err, SLAB_EINVAL, NULL, "order size must be a finite non-zero number, got %g",
                       size);
        return -1;
    }
    memset(&req, 0, sizeof req);
    req.feed = feed;
    req.type = SLAB_ORDER_MARKET;
    req.is_buy = size > 0.0;
    req.size = size;
    return slab_broker_order(b, bars, &req, err);
}

/* Pseudo-execution at the created price on a cloned position: the cash
 * left if the order filled now (backtrader _execute with ago=None). Values
 * carry the fill's sign (semantics §4.2), so a short sale adds cash
 * (shortcash) and covering takes it back; for longs -closed*p = |closed|*p
 * exactly. */
static double pseudo_execute(const slab_broker *b, const slab__order *o, const slab_feed_bar *bar,
                             double cash, slab_position *pos)
{
    /* backtrader uses the created price for both; with coo a market order
     * is checked at the open of the checking bar. */
    double price = o->ev.created_price, opened, closed;
    if (b->cfg.coo && o->ev.type == SLAB_ORDER_MARKET)
        price = bar->open;
    double pprice_orig = price;
    slab__position_update(&pos->size, &pos->price, o->remsize, price, &opened, &closed);
    if (closed != 0.0) {
        double closedvalue = -closed * pprice_orig;
        cash += closedvalue + 0.0; /* pnl is 0 in a pseudo execution */
        cash -= slab__commission(b, closed, price, 1, opened);
    }
    if (opened != 0.0) {
        cash -= opened * price;
        cash -= slab__commission(b, opened, price, closed == 0.0, 0.0);
    }
    return cash;
}

/* backtrader check_submitted: the orders created since the last step, in
 * FIFO order, each pseudo-executed on a clone of its feed's position with
 * the cash left by the ones before it; accepted when the cash stays >= 0. */
static slab_status check_submitted(slab_broker *b, const slab_feed_bar *bars, slab_error *err)
{
    double cash = b->v.cash;
    for (size_t k = 0; k < b->n_feeds; k++) {
        b->scratch[k].size = b->pos[k].size;
        b->scratch[k].price = b->pos[k].price;
    }
    for (size_t k = 0; k < b->n_submitted; k++) {
        slab__order *o = &b->orders[b->submitted[k]];
        const slab_feed_bar *bar = &bars[o->ev.feed];
        o->ev.status_ts_ns = bar->ts_ns;
        if (o->parent && !slab_broker_alive(b, o->parent) &&
            status_of(b, o->parent) != SLAB_ORDER_COMPLETED) {
            /* backtrader _take_children: the parent's group is gone. */
            o->ev.status = SLAB_ORDER_REJECTED;
            snprintf(o->ev.reason, sizeof o->ev.reason, "bracket parent %lld was %s",
                     (long long)o->parent,
                     slab_order_status_name(status_of(b, o->parent)));
            if (slab__note_order(b, o))
                return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
            continue;
        }
        cash = pseudo_execute(b, o, bar, cash, &b->scratch[o->ev.feed]);
        if (cash >= 0.0 || o->forced) {
            if (slab_grow((void **)&b->pending, &b->cap_pending, b->n_pending + 1,
                           sizeof(size_t)))
                return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for orders");
            o->ev.status = SLAB_ORDER_ACCEPTED;
            b->pending[b->n_pending++] = b->submitted[k];
        } else {
            o->ev.status = SLAB_ORDER_MARGIN;
            snprintf(o->ev.reason, sizeof o->ev.reason,
                     "not enough cash at submission: %.2f short at the creating close",
                     -cash);
        }
        if (slab__note_order(b, o))
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
        if (o->ev.status == SLAB_ORDER_MARGIN && slab__group_cancel(b, o, bars))
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
    }
    b->n_submitted = 0;
    return SLAB_OK;
}

/* Ends o with status st at its feed's bar and notifies it. */
int slab__finish(slab_broker *b, slab__order *o, slab_order_status st, const slab_feed_bar *bars)
{
    o->ev.status = st;
    o->ev.status_ts_ns = bars[o->ev.feed].ts_ns;
    return slab__note_order(b, o);
}

/* backtrader _ococheck: once an order of an OCO group is done, the
 * group's other pending orders are cancelled. */
int slab__oco_cancel(slab_broker *b, const slab__order *o, const slab_feed_bar *bars)
{
    if (!o->oco)
        return 0;
    for (size_t j = 0; j < b->n_pending; j++) {
        slab__order *q = &b->orders[b->pending[j]];
        if (q != o && q->oco == o->oco && slab__is_alive(q) &&
            slab__finish(b, q, SLAB_ORDER_CANCELED, bars))
            return -1;
    }
    return 0;
}

/* backtrader _bracketize(cancel=True): o's bracket group (its parent
 * while pending, and the parent's children) is cancelled. */
int slab__group_cancel(slab_broker *b, const slab__order *o, const slab_feed_bar *bars)
{
    if (!o->parent && !o->has_children)
        return 0;
    int64_t pref = o->parent ? o->parent : o->ev.ref;
    for (size_t j = 0; j < b->n_pending; j++) {
        slab__order *q = &b->orders[b->pending[j]];
        if (q == o || !slab__is_alive(q) || (q->ev.ref != pref && q->parent != pref))
            continue;
        if (slab__finish(b, q, SLAB_ORDER_CANCELED, bars) || slab__oco_cancel(b, q, bars))
            return -1;
    }
    return 0;
}

/* backtrader _bracketize after a fill: a parent's children become active
 * from the next step; a child's siblings are cancelled. */
static int bracket_filled(slab_broker *b, const slab__order *o, const slab_feed_bar *bars)
{
    if (o->parent)
        return slab__group_cancel(b, o, bars);
    for (size_t j = 0; j < b->n_pending; j++) {
        slab__order *q = &b->orders[b->pending[j]];
        if (q->parent == o->ev.ref && slab__is_alive(q) && !q->to_activate) {
            q->to_activate = 1;
            b->n_to_activate++;
        }
    }
    return 0;
}

/* 1 when the order would expire on bar k instead of being tried. */
static int expires(const slab__order *o, const slab_feed_bar *k)
{
    return o->ev.type != SLAB_ORDER_MARKET && (k->ts_ns > o->valid_ts || k->i > o->valid_bar);
}

/* Pessimistic mode: 1 when limit order pending[at] must not be tried on
 * bar k because a stop-type exit of the same position is assumed to fill
 * first. That is when the limit would fill inside the bar (a fill at the
 * open is certainly first and goes ahead) and either a stop-type order of
 * its side already closed a position of its feed on this bar, or the limit
 * is an exit of the feed's position and a stop-type exit of the feed later
 * in the queue (not tried yet) would fill on this bar too. */
static int adverse_first(const slab_broker *b, size_t at, const slab_feed_bar *k)
{
    const slab__order *o = &b->orders[b->pending[at]];
    const slab__feed *f = &b->feeds[o->ev.feed];
    int buy = o->ev.is_buy;
    double lm = o->ev.created_price, x;
    if (o->ev.type != SLAB_ORDER_LIMIT || (buy ? lm >= k->open : lm <= k->open) ||
        !slab__try_limit(&b->cfg, buy, k, lm, &x))
        return 0;
    if (f->stop_exit_bar == k->i + 1 && f->stop_exit_buy == buy)
        return 1;
    double held = b->pos[o->ev.feed].size;
    if (held == 0.0 || (held < 0.0) != buy)
        return 0;
    for (size_t j = at + 1; j < b->n_pending; j++) {
        const slab__order *q = &b->orders[b->pending[j]];
        if (q->ev.feed == o->ev.feed && slab__is_alive(q) && q->active && q->ev.is_buy == buy &&
            slab__is_stop_type(q->ev.type) && !expires(q, k) &&
            slab__stop_would_fill(&b->cfg, q, k))
            return 1;
    }
    return 0;
}

/* Drops the orders that are no longer alive from the pending queue. */
static void compact_pending(slab_broker *b)
{
    size_t keep = 0;
    for (size_t k = 0; k < b->n_pending; k++)
        if (slab__is_alive(&b->orders[b->pending[k]]))
            b->pending[keep++] = b->pending[k];
    b->n_pending = keep;
}

int slab_broker_cancel(slab_broker *b, int64_t ref, const slab_feed_bar *bars)
{
    for (size_t k = 0; k < b->n_pending; k++) {
        slab__order *o = &b->orders[b->pending[k]];
        if (o->ev.ref != ref || !slab__is_alive(o))
            continue;
        if (slab__finish(b, o, SLAB_ORDER_CANCELED, bars) || slab__oco_cancel(b, o, bars) ||
            slab__group_cancel(b, o, bars))
            return -1;
        compact_pending(b);
        return 1;
    }
    return 0;
}

/* Widens each open trade's excursion range with its feed's fresh bar. */
static inline __attribute__((always_inline)) void track(slab_broker *b,
                                                       const slab_feed_bar *bars)
{
    for (size_t k = 0; k < b->n_feeds; k++) {
        slab__feed *f = &b->feeds[k];
        if (!f->trade_open || !bars[k].fresh)
            continue;
        if (bars[k].high > f->mfe_high)
            f->mfe_high = bars[k].high;
        if (bars[k].low < f->mfe_low)
            f->mfe_low = bars[k].low;
    }
}

/* backtrader _get_value: cash plus every position marked at its feed's
 * close, accumulated in feed order as backtrader accumulates
 * pos_value_unlever: a long position adds (size*C - u)/leverage, then u
 * (u = size*(C - price)), a short one size*C. Algebraically size*C, but
 * the rounding differs, so the form is kept. */
static inline __attribute__((always_inline)) void mark(slab_broker *b,
                                                      const slab_feed_bar *bars)
{
    const slab_position *p = b->pos;
    size_t n = b->n_feeds;
    double pv = 0.0;
    for (size_t k = 0; k < n; k++) {
        double size = p[k].size;
        if (size == 0.0)
            continue; /* adds 0.0: no change */
        double close = bars[k].close, dvalue = size * close;
        if (dvalue > 0.0) {
            double u = size * (close - p[k].price);
            pv += (dvalue - u) / 1.0;
            pv += u;
        } else {
            pv += dvalue;
        }
    }
    b->v.value = b->v.cash + pv;
}

/* The pending loop: each pending order whose feed has a fresh bar gets
 * exactly one attempt, FIFO, after its expiry check (market orders never
 * expire); the survivors keep their order. An order cancelled by an OCO
 * sibling earlier in the step is skipped. */
static slab_status try_pending(slab_broker *b, const slab_feed_bar *bars, slab_error *err)
{
    slab_status st;
    size_t n = b->n_pending;
    for (size_t k = 0; k < n; k++) {
        slab__order *o = &b->orders[b->pending[k]];
        const slab_feed_bar *bar = &bars[o->ev.feed];
        if (!slab__is_alive(o) || !bar->fresh)
            continue;
        if (expires(o, bar)) {
            if (slab__finish(b, o, SLAB_ORDER_EXPIRED, bars))
                goto nomem;
        } else if (!o->active || (b->cfg.pessimistic && adverse_first(b, k, bar))) {
            continue; /* a child waiting for its parent; a pessimistic skip */
        } else if ((st = slab__try_exec(b, o, bar, err)) != SLAB_OK) {
            return st;
        }
        if (!slab__is_alive(o) && slab__oco_cancel(b, o, bars))
            goto nomem;
        if (!slab__is_alive(o) && (o->parent || o->has_children) &&
            (o->ev.status == SLAB_ORDER_COMPLETED ? bracket_filled(b, o, bars)
                                                  : slab__group_cancel(b, o, bars)))
            goto nomem;
    }
    compact_pending(b);
    return SLAB_OK;
nomem:
    return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
}

static slab_status margin_check(slab_broker *b, const slab_feed_bar *bars, slab_error *err);

void slab_broker_drop_finished(slab_broker *b, int on) { b->drop_finished = on != 0; }

/* 1 when o may leave orders[]: finished (Completed, Canceled, Expired,
 * Margin, Rejected). Nothing looks a finished order up as a live record:
 * its group's orders find each other in pending[], and a new order naming
 * it as parent or OCO partner needs its status and whether it was a child
 * (gone[]). */
static int finished(const slab__order *o)
{
    return o->ev.status >= SLAB_ORDER_COMPLETED;
}

static int refused(slab_order_status st)
{
    return st == SLAB_ORDER_MARGIN || st == SLAB_ORDER_REJECTED;
}

/* 1 when an order leaving orders[] keeps its event in kept[]: always,
 * or with drop_finished only a refused or rejected one. */
static int keeps(const slab_broker *b, slab_order_status st)
{
    return !b->drop_finished || refused(st);
}

/* Moves the finished orders at the front of orders[] out of it: their
 * public events to kept[] (with drop_finished only the refused and
 * rejected ones), their status and child bit to gone[], so a finished
 * order costs its event (or a byte), not the live record. Only once they
 * are half the array or 4096, so each order moves O(1) times. Returns 0,
 * or -1 when out of memory (nothing moved). */
static int move_finished(slab_broker *b)
{
    size_t live = b->n_orders - b->base, d = 0, keep = 0;
    while (d < live && finished(&b->orders[d]))
        keep += keeps(b, b->orders[d++].ev.status);
    if (d == 0 || (2 * d < live && d < 4096))
        return 0;
    if (slab_grow((void **)&b->gone, &b->cap_gone, b->base + d, 1) ||
        slab_grow((void **)&b->kept, &b->cap_kept, b->n_kept + keep, sizeof *b->kept))
        return -1;
    for (size_t k = 0; k < d; k++) {
        const slab__order *o = &b->orders[k];
        b->gone[b->base + k] = (unsigned char)(o->ev.status | (o->parent ? GONE_CHILD : 0));
        if (keeps(b, b->orders[k].ev.status))
            b->kept[b->n_kept++] = b->orders[k].ev;
    }
    memmove(b->orders, b->orders + d, (live - d) * sizeof *b->orders);
    for (size_t k = 0; k < b->n_submitted; k++)
        b->submitted[k] -= d;
    for (size_t k = 0; k < b->n_pending; k++)
        b->pending[k] -= d;
    b->base += d;
    return 0;
}

/* The step with orders in flight or the margin call on. */
static __attribute__((noinline)) slab_status step_orders(slab_broker *b,
                                                          const slab_feed_bar *bars,
                                                          slab_error *err)
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
    if (b->n_submitted && (st = check_submitted(b, bars, err)) != SLAB_OK)
        return st;
    if (b->n_pending && (st = try_pending(b, bars, err)) != SLAB_OK)
        return st;
    if (b->n_open)
        track(b, bars);
    mark(b, bars);
    if (b->cfg.margin_call && (st = margin_check(b, bars, err)) != SLAB_OK)
        return st;
    if (move_finished(b))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the order log");
    return SLAB_OK;
}

slab_status slab_broker_step(slab_broker *b, const slab_feed_bar *bars, slab_error *err)
{
    if (b->n_submitted | b->n_pending | b->cfg.margin_call)
        return step_orders(b, bars, err);
    /* Nothing in flight: the step is the excursion record and the mark. */
    if (b->n_open)
        track(b, bars);
    mark(b, bars);
    return SLAB_OK;
}

/* The margin call's liquidation: every pending order is cancelled and a
 * market order for each whole position, tagged margin, is sent; it skips
 * the submission cash check and fills at its feed's next open. */
static slab_status liquidate(slab_broker *b, const slab_feed_bar *bars, double exposure,
                             slab_error *err)
{
    slab_order_req req;
    for (size_t j = 0; j < b->n_pending; j++) {
        slab__order *q = &b->orders[b->pending[j]];
        if (slab__is_alive(q) && slab__finish(b, q, SLAB_ORDER_CANCELED, bars))
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for notifications");
    }
    compact_pending(b);
    for (size_t k = 0; k < b->n_feeds; k++) {
        double pos = b->pos[k].size;
        if (pos == 0.0)
            continue;
        memset(&req, 0, sizeof req);
        req.feed = (int)k;
        req.type = SLAB_ORDER_MARKET;
        req.is_buy = pos < 0.0;
        req.size = -pos;
        req.exit_reason = SLAB_EXIT_MARGIN;
        int64_t ref = slab_broker_order(b, bars, &req, err);
        if (ref < 0)
            return err ? err->code : SLAB_ENOMEM;
        slab__order *o = order_at(b, ref);
        o->forced = 1;
        snprintf(o->ev.reason, sizeof o->ev.reason,
                 "margin call: value %.2f <= %g x position value %.2f at the close", b->v.value,
                 b->cfg.maintenance_margin, exposure);
        b->liquidating[k] = ref;
        b->n_liquidating++;
    }
    return SLAB_OK;
}

/* The margin call (cfg.margin_call), after the step's value is marked:
 * when the value is at or below the maintenance fraction of the positions'
 * value at the close, everything is liquidated; until those orders have
 * filled, new orders are rejected. */
static slab_status margin_check(slab_broker *b, const slab_feed_bar *bars, slab_error *err)
{
    double need = 0.0, exposure = 0.0;
    int held = 0;
    for (size_t k = 0; k < b->n_feeds; k++) {
        int64_t ref = b->liquidating[k];
        if (ref && !slab_broker_alive(b, ref)) {
            b->liquidating[k] = 0;
            b->n_liquidating--;
        }
        double pos = b->pos[k].size;
        if (pos == 0.0)
            continue;
        held = 1;
        need += b->cfg.maintenance_margin * fabs(pos) * bars[k].close;
        exposure += fabs(pos) * bars[k].close;
    }
    if (!held || b->n_liquidating || b->v.value > need)
        return SLAB_OK;
    return liquidate(b, bars, exposure, err);
}

double slab_broker_sizer(const slab_broker *b, int feed, double close, int is_buy)
{
    const slab_sizer *s = &b->cfg.sizer;
    double size;
    (void)is_buy;
    if (s->kind == SLAB_SIZER_FIXED)
        return s->amount;
    /* backtrader PercentSizer: flat -> cash / close * (percents / 100),
     * float shares; in a position -> the position's size. */
    double pos = slab_broker_position(b, feed).size;
    if (pos == 0.0)
        size = b->v.cash / close * (s->amount / 100.0);
    else
        size = fabs(pos);
    if (s->kind == SLAB_SIZER_PERCENT_INT)
        size = trunc(size);
    return isfinite(size) && size > 0.0 ? size : 0.0;
}

/* ---- reading the broker's state */

slab_position slab_broker_position(const slab_broker *b, int feed)
{
    slab_position p = {0.0, 0.0};
    if (feed >= 0 && (size_t)feed < b->n_feeds) {
        p.size = b->pos[feed].size;
        p.price = b->pos[feed].price;
    }
    return p;
}

double slab_broker_cash(const slab_broker *b) { return b->v.cash; }
double slab_broker_value(const slab_broker *b) { return b->v.value; }
size_t slab_broker_in_flight(const slab_broker *b) { return b->n_submitted + b->n_pending; }
size_t slab_broker_n_notes(const slab_broker *b) { return b->n_onotes + b->n_tnotes; }
size_t slab_broker_n_orders(const slab_broker *b) { return b->n_orders; }
size_t slab_broker_n_trades(const slab_broker *b) { return b->n_trades; }

int slab_broker_alive(const slab_broker *b, int64_t ref)
{
    const slab__order *o = order_at(b, ref);
    return o && slab__is_alive(o);
}

const slab_order_event *slab_broker_event(const slab_broker *b, int64_t ref)
{
    const slab__order *o = order_at(b, ref);
    if (o)
        return &o->ev;
    /* moved out of orders[]: its event in kept[], unless dropped */
    return !b->drop_finished && ref > 0 && (size_t)ref <= b->base ? &b->kept[ref - 1] : NULL;
}

const slab_trade *slab_broker_trade(const slab_broker *b, size_t k)
{
    return k < b->n_trades ? &b->trades[k] : NULL;
}

double slab_broker_unfilled(const slab_broker *b, int feed, double dir, const int64_t *skip,
                            size_t n_skip, int64_t *first)
{
    const size_t *lists[2] = {b->submitted, b->pending};
    size_t counts[2] = {b->n_submitted, b->n_pending};
    double sum = 0.0;
    *first = 0;
    for (int l = 0; l < 2; l++)
        for (size_t k = 0; k < counts[l]; k++) {
            const slab__order *o = &b->orders[lists[l][k]];
            int64_t oref = (int64_t)(lists[l][k] + b->base) + 1;
            int skipped = 0;
            for (size_t s = 0; s < n_skip; s++)
                skipped |= skip[s] == oref;
            if (o->ev.feed != feed || o->parent || (o->remsize > 0.0) != (dir > 0.0) ||
                o->remsize == 0.0 || skipped)
                continue;
            sum += o->remsize;
            if (!*first)
                *first = oref;
        }
    return sum;
}

const slab_order_note *slab_broker_order_notes(const slab_broker *b, size_t *n)
{
    *n = b->n_onotes;
    return b->onotes;
}

const slab_trade_note *slab_broker_trade_notes(const slab_broker *b, size_t *n)
{
    *n = b->n_tnotes;
    return b->tnotes;
}

void slab_broker_notes_done(slab_broker *b, size_t n_orders, size_t n_trades)
{
    if (n_orders > b->n_onotes)
        n_orders = b->n_onotes;
    if (n_trades > b->n_tnotes)
        n_trades = b->n_tnotes;
    if (b->n_onotes > n_orders)
        memmove(b->onotes, b->onotes + n_orders, (b->n_onotes - n_orders) * sizeof *b->onotes);
    b->n_onotes -= n_orders;
    if (b->n_tnotes > n_trades)
        memmove(b->tnotes, b->tnotes + n_trades, (b->n_tnotes - n_trades) * sizeof *b->tnotes);
    b->n_tnotes -= n_trades;
}

/* The order log take() hands out: kept[] and then the events of the
 * orders still in orders[] (with drop_finished only the refused and
 * rejected ones), in creation order, in *ev (owned; at least one element
 * allocated) and *n. Returns 0, or -1 when out of memory (nothing moved). */
static int take_log(slab_broker *b, slab_order_event **ev, size_t *n)
{
    size_t live = b->n_orders - b->base, more = 0;
    for (size_t k = 0; k < live; k++)
        more += keeps(b, b->orders[k].ev.status);
    if (slab_grow((void **)&b->kept, &b->cap_kept, b->n_kept + more + 1, sizeof *b->kept))
        return -1;
    for (size_t k = 0; k < live; k++)
        if (keeps(b, b->orders[k].ev.status))
            b->kept[b->n_kept++] = b->orders[k].ev;
    *ev = b->kept;
    *n = b->n_kept;
    if (b->n_kept < b->cap_kept / 2) {
        void *shrunk = slab_realloc(b->kept, (b->n_kept + 1) * sizeof *b->kept);
        if (shrunk)
            *ev = shrunk;
    }
    b->kept = NULL;
    b->n_kept = b->cap_kept = 0;
    slab_free(b->orders);
    b->orders = NULL;
    b->base = 0;
    return 0;
}

slab_status slab_broker_take(slab_broker *b, slab_trade **trades, size_t *n_trades,
                             slab_order_event **orders, size_t *n_orders, slab_error *err)
{
    slab_trade *t = b->trades ? b->trades : slab_calloc(1, sizeof *t);
    slab_order_event *ev = NULL;
    size_t n_ev = 0;
    if (!t || take_log(b, &ev, &n_ev)) {
        if (t != b->trades)
            slab_free(t);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory collecting trades");
    }
    for (size_t k = 0; k < b->n_trades; k++) {
        slab_trade *tr = &t[k];
        if (!tr->is_open)
            continue;
        tr->exit_reason = SLAB_EXIT_NONE;
        tr->high_price = b->feeds[tr->feed].mfe_high;
        tr->low_price = b->feeds[tr->feed].mfe_low;
    }
    *trades = t;
    *n_trades = b->n_trades;
    *orders = ev;
    *n_orders = n_ev;
    b->trades = NULL;
    b->n_trades = b->n_orders = b->cap_trades = b->cap_orders = 0;
    b->n_submitted = b->n_pending = 0;
    for (size_t k = 0; k < b->n_feeds; k++)
        b->feeds[k].trade_open = 0;
    b->n_open = 0;
    return SLAB_OK;
}
