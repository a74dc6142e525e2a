/* broker_internal.h: the broker's real structs, private to src/broker/
 * (and the broker's white-box tests); everyone else goes through the
 * functions of stratlab/broker.h.
 * Invariant: orders[] holds the live records of the orders from ref
 * base + 1 on, in creation order (ref = base + index + 1); the orders
 * before them are finished, their events in kept[] (kept[ref - 1]; with
 * drop_finished only the refused and rejected ones) and their status and
 * child bit in gone[]; submitted[] and pending[] hold indexes into
 * orders[] in FIFO order; trades[] every trade in opening order, and each feed's open
 * trade (if any) is trades[feeds[k].trade_idx]. */
#ifndef SLAB_BROKER_INTERNAL_H
#define SLAB_BROKER_INTERNAL_H

#include "stratlab/broker.h"

/* An order in flight or done. */
typedef struct slab__order {
    slab_order_event ev;  /* the public record (created_*, exec_*, status,
                             feed); ev.created_price is the live limit/stop */
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

/* One feed's trade bookkeeping (its position is pos[feed]). */
typedef struct slab__feed {
    int trade_open;        /* 1 when trades[trade_idx] is open */
    size_t trade_idx;      /* index of the feed's open trade in trades[] */
    double trade_size;     /* the open trade's current signed size */
    double mfe_high, mfe_low; /* extreme high/low seen while the trade is open */
    size_t stop_exit_bar;  /* 1 + the feed bar on which a stop-type order
                              last closed a position (pessimistic mode) */
    int stop_exit_buy;     /* that order's side */
} slab__feed;

struct slab_broker {
    slab_broker_view v;    /* cash, value and positions: the public view */
    slab_position *pos;    /* n_feeds positions, indexed by feed (v.positions) */
    slab_broker_config cfg;
    slab__feed *feeds;     /* n_feeds trade records, indexed by feed */
    size_t n_feeds;
    size_t n_open;         /* feeds with an open trade */
    slab_position *scratch; /* n_feeds cloned positions (submission check) */

    slab__order *orders;   /* every order from ref base + 1, ref = base + index + 1 */
    size_t n_orders, cap_orders; /* n_orders: every order created (refs 1..n_orders);
                              orders[] holds n_orders - base of them */
    size_t base;           /* orders moved out of the front of orders[] */
    int drop_finished;     /* 1: of those, keep only the refused and rejected */
    unsigned char *gone;   /* each order moved out (ref 1..base): its status,
                              0x80 when it was a bracket child */
    size_t cap_gone;
    slab_order_event *kept; /* the events of the orders moved out (all of
                              them, or the refused and rejected), in
                              creation order */
    size_t n_kept, cap_kept;
    size_t *submitted;     /* created last step, awaiting the submission check */
    size_t n_submitted, cap_submitted;
    size_t *pending;       /* accepted, waiting to fill */
    size_t n_pending, cap_pending;
    size_t n_to_activate;  /* children whose parent filled this step */

    slab_trade *trades;    /* every trade in opening order */
    size_t n_trades, cap_trades;
    int64_t *liquidating;  /* per feed: ref of a margin call's order in
                              flight, 0 none */
    size_t n_liquidating;  /* entries of liquidating[] that are non-zero */

    /* Notifications for the strategy, gathered during a step. */
    slab_order_note *onotes;
    size_t n_onotes, cap_onotes;
    slab_trade_note *tnotes;
    size_t n_tnotes, cap_tnotes;
};

/* Most feeds one broker trades. */
#define SLAB_BROKER_FEEDS_MAX 4096

/* ---- shared by broker.c and fill.c */
/* Queues o's notification; 0, or -1 when out of memory. */
int slab__note_order(slab_broker *b, const slab__order *o);
/* 1 while o is submitted, accepted or partly filled. */
int slab__is_alive(const slab__order *o);
/* 1 for Stop, StopLimit, StopTrail, StopTrailLimit. */
int slab__is_stop_type(int type);
/* backtrader Order.trailadjust to `price`. */
void slab__trail_adjust(slab__order *o, double price);
/* Ends o with status st at its feed's bar in bars, notified; 0 or -1. */
int slab__finish(slab_broker *b, slab__order *o, slab_order_status st, const slab_feed_bar *bars);
/* Cancels the rest of o's OCO group / bracket group; 0 or -1 (no memory). */
int slab__oco_cancel(slab_broker *b, const slab__order *o, const slab_feed_bar *bars);
int slab__group_cancel(slab_broker *b, const slab__order *o, const slab_feed_bar *bars);

/* backtrader Position.update of (*psize, *pprice) by a fill of size at
 * price; the fill's opened and closed parts carry its sign. */
void slab__position_update(double *psize, double *pprice, double size, double price,
                           double *opened, double *closed);
/* Commission of one part of a fill (fill.c says how fixed fees and the
 * minimum go on the part that carries the fill's per-order charges). */
double slab__commission(const slab_broker *b, double size, double price, int first, double other);
/* backtrader _try_exec_limit on bar k: 1 and *x when a limit lm fills. */
int slab__try_limit(const slab_broker_config *c, int buy, const slab_feed_bar *k, double lm,
                    double *x);
/* Whether stop-type order q would fill on bar k (tried on a copy). */
int slab__stop_would_fill(const slab_broker_config *c, const slab__order *q,
                          const slab_feed_bar *k);
/* One fill attempt for o on its feed's bar k (backtrader _try_exec), with
 * the execution when it fills. SLAB_OK or SLAB_ENOMEM. */
slab_status slab__try_exec(slab_broker *b, slab__order *o, const slab_feed_bar *k,
                           slab_error *err);

#endif
