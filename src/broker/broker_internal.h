/* broker_internal.h: the broker's real structs, for the engine (the layer
 * above) and the broker's own files. Strategies never see these.
 * Invariant: orders[] holds every order ever created, in creation order
 * (ref = index + 1); submitted[] and pending[] hold indexes into it in
 * FIFO order; trades[] every trade, the last one possibly open. */
#ifndef SLAB_BROKER_INTERNAL_H
#define SLAB_BROKER_INTERNAL_H

#include "stratlab/broker.h"
#include "stratlab/strategy.h"

/* An order in flight or done. */
typedef struct slab__order {
    slab_order_event ev;  /* the public record (created_*, exec_*, status);
                             ev.created_price is the live limit/stop */
    double remsize;       /* size still to fill, signed */
    double trailamount;   /* trail distance, price units (0: percent) */
    double trailpercent;  /* trail distance as a fraction of the close */
    double limitoffset;   /* trail-limit: stop - limit, fixed at creation */
    int triggered;        /* StopLimit: the stop was touched, now a Limit */
    int64_t valid_ts;     /* expires on a bar with ts > this (INT64_MAX: never) */
    size_t valid_bar;     /* expires on a bar with index > this (SIZE_MAX) */
    int64_t dteos;        /* end of the creation day, ns (Close orders) */
    int has_annot;        /* Close: a later bar of the creation day was seen */
    double pannotated;    /* Close: that bar's close */
    int64_t annot_ts;     /* Close: that bar's time */
    size_t annot_bar;     /* Close: that bar's index */
    int64_t oco;          /* OCO group (ref of its first order), 0 none */
    int exit_reason;      /* slab_exit_reason for the trade it closes */
    int64_t parent;       /* bracket parent ref (0: not a child) */
    int has_children;     /* a bracket parent */
    int active;           /* 0: a child waiting for its parent's fill */
    int to_activate;      /* active from the next broker step */
    int held;             /* a child not transmitted yet (status Created) */
    int forced;           /* a margin call's liquidation: no submission
                             cash check */
} slab__order;

/* The broker's view of a slab_order_spec, sizes resolved. */
typedef struct slab__order_req {
    int type;             /* slab_order_type */
    int is_buy;           /* 1 buy, 0 sell */
    double size;          /* signed: + buy, - sell (else Rejected) */
    double price, plimit, trailamount, trailpercent;
    int valid_kind;
    int64_t valid_value;
    int64_t oco, parent;
    int transmit;
    int exit_reason;
    int check_side;
    const char *reject;   /* non-NULL: record the order as Rejected with
                             this reason (the engine's risk rules) */
} slab__order_req;

/* One bar's prices, as the broker sees them. */
typedef struct slab__bar {
    size_t i;        /* 0-based bar index */
    int64_t ts_ns;
    double open, high, low, close;
} slab__bar;

typedef struct slab__broker {
    slab_broker_config cfg;
    double cash;           /* cash after the last fill */
    double value;          /* cash + position marked at the last close */
    double pos_size;       /* signed shares */
    double pos_price;      /* backtrader Position.price (average, 0 flat) */

    slab__order *orders;   /* every order, ref = index + 1 */
    size_t n_orders, cap_orders;
    size_t *submitted;     /* created last bar, awaiting the submission check */
    size_t n_submitted, cap_submitted;
    size_t *pending;       /* accepted, waiting to fill */
    size_t n_pending, cap_pending;
    size_t n_to_activate;  /* children whose parent filled this bar */

    slab_trade *trades;    /* every trade; the last may be open */
    size_t n_trades, cap_trades;
    int trade_open;        /* 1 when trades[n_trades-1] is open */
    double trade_size;     /* the open trade's current signed size */
    double mfe_high, mfe_low; /* extreme high/low seen while the trade is open */
    size_t stop_exit_bar;  /* 1 + the bar on which a stop-type order last
                              closed a position (pessimistic mode) */
    int stop_exit_buy;     /* that order's side */
    int64_t liquidating;   /* ref of a margin call's order in flight, 0 none */

    /* Notifications for the strategy, gathered during a bar. */
    slab_order_note *onotes;
    size_t n_onotes, cap_onotes;
    slab_trade_note *tnotes;
    size_t n_tnotes, cap_tnotes;
} slab__broker;

/* Initialises b for a run (cash from cfg). Returns SLAB_OK or SLAB_ENOMEM. */
slab_status slab__broker_init(slab__broker *b, const slab_broker_config *cfg, slab_error *err);
/* Releases everything b owns. */
void slab__broker_clear(slab__broker *b);
/* Creates a market order of signed size on bar `bar` (created price = its
 * close); it is checked and tried from the next bar. Returns the ref, or
 * -1 with err set. */
int64_t slab__broker_submit(slab__broker *b, const slab__bar *bar, double size, slab_error *err);
/* Creates any order type from req on bar `bar`. An invalid request is
 * recorded as Rejected (reason in the log) and notified. Returns the ref,
 * or -1 with err set when out of memory. */
int64_t slab__broker_order(slab__broker *b, const slab__bar *bar, const slab__order_req *req,
                           slab_error *err);
/* Cancels a pending (accepted) order: 1 if cancelled, 0 if not pending,
 * -1 when out of memory for the notification. */
int slab__broker_cancel(slab__broker *b, int64_t ref, const slab__bar *bar);
/* The broker step of one bar: submission check, one fill attempt per
 * pending order, value at the close (backtrader's BackBroker.next). With
 * no order in flight it reduces to slab__broker_track + slab__broker_mark,
 * which the engine calls directly on that path. */
slab_status slab__broker_next(slab__broker *b, const slab__bar *bar, slab_error *err);
/* The margin call (cfg.margin_call), after bar's value is marked: when
 * the value is at or below the maintenance fraction of the position's
 * value at the close, every pending order is cancelled and the position
 * is closed by a market order (tagged margin) at the next open; until
 * that fills, new orders are rejected. slab__broker_next runs it; a
 * caller that marks a bar without a broker step calls it too. Returns
 * SLAB_OK or SLAB_ENOMEM. */
slab_status slab__broker_margin_check(slab__broker *b, const slab__bar *bar, slab_error *err);
/* Marks the position at close and stores it in b->value; returns it.
 * backtrader _get_value: a long position's value is un-levered as
 * (size*C - u)/leverage + u with u = size*(C - price); algebraically size*C,
 * but the rounding differs, so the form is kept. Inline: it runs every bar. */
static inline double slab__broker_mark(slab__broker *b, double close)
{
    double size = b->pos_size, dvalue = size * close, posvalue = dvalue;
    if (dvalue > 0.0) {
        double u = size * (close - b->pos_price);
        posvalue = (dvalue - u) / 1.0 + u;
    }
    b->value = b->cash + posvalue;
    return b->value;
}

/* Widens the open trade's excursion range with a bar's high and low. */
static inline void slab__broker_track(slab__broker *b, double high, double low)
{
    if (high > b->mfe_high)
        b->mfe_high = high;
    if (low < b->mfe_low)
        b->mfe_low = low;
}
/* Shares a buy (is_buy) or sell gets from the configured sizer at this
 * bar's close; 0 means no order. */
double slab__broker_sizer(const slab__broker *b, double close, int is_buy);

#endif
