/* broker.h: orders, fills, cash and value, commission, sizers, positions
 * and trades, with backtrader's BackBroker arithmetic (see
 * docs/backtrader-semantics.md §4-5). The engine drives it bar by bar; the
 * metrics layer reads the trades and the order log it records.
 * Invariant: cash and position change only inside a fill; value is
 * cash + position marked at the bar's close. */
#ifndef STRATLAB_BROKER_H
#define STRATLAB_BROKER_H

#include "stratlab/core.h"
#include "stratlab/data.h"
#include "stratlab/strategy.h"

/* Execution types, numbered as backtrader's Order.ExecTypes and as the
 * SLAB_EXEC_* constants of strategy.h (fill rules: docs §4.3). */
typedef enum slab_order_type {
    SLAB_ORDER_MARKET = 0,     /* fills at the next bar's open */
    SLAB_ORDER_CLOSE,          /* fills at the session close */
    SLAB_ORDER_LIMIT,          /* at the limit price or better */
    SLAB_ORDER_STOP,           /* market once the stop price is touched */
    SLAB_ORDER_STOP_LIMIT,     /* limit order once the stop is touched */
    SLAB_ORDER_STOP_TRAIL,     /* stop that trails the close */
    SLAB_ORDER_STOP_TRAIL_LIMIT /* trailing stop with a limit at a fixed offset */
} slab_order_type;

typedef enum slab_order_status {
    SLAB_ORDER_CREATED = 0,
    SLAB_ORDER_SUBMITTED,
    SLAB_ORDER_ACCEPTED,
    SLAB_ORDER_PARTIAL,
    SLAB_ORDER_COMPLETED,
    SLAB_ORDER_CANCELED,
    SLAB_ORDER_EXPIRED,
    SLAB_ORDER_MARGIN,   /* rejected: not enough cash at submission or fill */
    SLAB_ORDER_REJECTED  /* invalid order, see the order log's reason */
} slab_order_status;

/* Why a trade was closed. */
typedef enum slab_exit_reason {
    SLAB_EXIT_NONE = 0, /* still open */
    SLAB_EXIT_SIGNAL,
    SLAB_EXIT_STOP_LOSS,
    SLAB_EXIT_TAKE_PROFIT,
    SLAB_EXIT_TRAILING_STOP,
    SLAB_EXIT_TIME,
    SLAB_EXIT_END_OF_DATA,
    SLAB_EXIT_MARGIN,
    SLAB_EXIT_SESSION_CLOSE /* closed by a strategy at the session's end */
} slab_exit_reason;
#define SLAB_EXIT_LAST SLAB_EXIT_SESSION_CLOSE

const char *slab_order_status_name(slab_order_status st); /* "Completed" */
const char *slab_order_type_name(slab_order_type t);      /* "Market" */
const char *slab_exit_reason_name(slab_exit_reason r);    /* "signal" */

/* One order's final event, as the order log keeps it. */
typedef struct slab_order_event {
    int64_t ref;              /* 1-based order number */
    int is_buy;               /* 1 buy, 0 sell */
    slab_order_type type;
    slab_order_status status; /* Completed, Margin, Expired, ... */
    int64_t created_ts_ns;    /* bar that created it */
    size_t created_bar;       /* 0-based index of that bar */
    double created_price;     /* close of the creating bar, or the order's
                                 price (limit, stop; a trail's current stop) */
    double created_plimit;    /* backtrader created.pricelimit: the limit of a
                                 StopLimit (a trail's moves with its stop) */
    double created_size;      /* signed: + buy, - sell */
    int64_t exec_ts_ns;       /* fill bar time (0 if not filled) */
    size_t exec_bar;          /* 0-based fill bar index */
    double exec_price;        /* exact fill price */
    double exec_price_avg;    /* backtrader's averaged executed.price */
    double exec_size;         /* signed filled size */
    double exec_value;        /* cost of the opened part + value of the closed part */
    double exec_comm;         /* commission of the fill, cash units */
    double exec_pnl;          /* realised pnl of the closed part */
    int64_t status_ts_ns;     /* bar time of the last status change */
    char reason[96];          /* why it was rejected (Margin/Rejected), or
                                 why the broker sent it (a margin call) */
    int feed;                 /* the feed (symbol) it trades: 0 the first */
} slab_order_event;

/* A trade: from the first fill out of flat to the fill that flattens. */
typedef struct slab_trade {
    int64_t ref;              /* 1-based trade number */
    int is_long;              /* 1 if size > 0 at open */
    int is_open;              /* 1 while the position is still open */
    int64_t entry_ts_ns;      /* time of the opening fill's bar */
    int64_t exit_ts_ns;       /* time of the closing fill's bar (0 if open) */
    size_t entry_bar, exit_bar; /* 0-based bar indexes */
    double entry_price;       /* average entry price, backtrader's trade.price */
    double exit_price;        /* exact price of the closing fill */
    double size;              /* largest absolute size held, signed as opened */
    double pnl;               /* gross realised profit, cash units */
    double pnlcomm;           /* pnl minus commission */
    double commission;        /* entry and exit commission, cash units */
    int64_t baropen, barclose; /* backtrader's 1-based bar numbers */
    int64_t barlen;           /* barclose - baropen (bars held) */
    slab_exit_reason exit_reason;
    double max_gain;          /* best unrealised price move while open
                                 (high-based for longs), price units per share */
    double max_loss;          /* worst unrealised price move (<= 0) */
    double high_price;        /* highest high seen while open (the fills
                                 included), price units */
    double low_price;         /* lowest low seen while open, price units */
    int feed;                 /* the feed (symbol) traded: 0 the first */
} slab_trade;

/* Sizer: how many shares a buy()/sell() without a size gets. */
typedef enum slab_sizer_kind {
    SLAB_SIZER_FIXED = 0,      /* stake shares */
    SLAB_SIZER_PERCENT,        /* percent of cash / close, float shares */
    SLAB_SIZER_PERCENT_INT     /* same, truncated to whole shares */
} slab_sizer_kind;

typedef struct slab_sizer {
    slab_sizer_kind kind;
    double amount; /* stake (shares) for FIXED, percent (95 = 95%) otherwise */
} slab_sizer;

/* Parses "percent:95", "percent_int:95", "fixed:10". */
slab_status slab_sizer_parse(const char *s, slab_sizer *out, slab_error *err);

/* Commission schemes (the amount is cfg.commission). */
typedef enum slab_comm_scheme {
    SLAB_COMM_PERCENT = 0, /* fraction of the traded value: |size|*c*price
                              (backtrader COMM_PERC, percabs) */
    SLAB_COMM_PER_SHARE,   /* cash per share: |size|*c (backtrader COMM_FIXED) */
    SLAB_COMM_FIXED        /* cash per fill, whatever its size */
} slab_comm_scheme;

const char *slab_comm_scheme_name(slab_comm_scheme s); /* "percent" */

/* Largest starting cash accepted (a quadrillion). With prices inside
 * SLAB_PRICE_MIN..SLAB_PRICE_MAX (data.h), values stay far from double
 * overflow; 1e308 made the final value inf. */
#define SLAB_CASH_MAX 1e15

/* Broker settings. */
typedef struct slab_broker_config {
    double cash;          /* starting cash (backtrader default 10000), at most
                             SLAB_CASH_MAX */
    double commission;    /* per the scheme: fraction of traded value per leg
                             (0.001 = 0.1%), cash per share, or cash per fill */
    slab_sizer sizer;     /* default sizer */
    int check_submit;     /* 1: cash check at submission (backtrader default) */
    int coc;              /* 1: cheat-on-close, market orders fill at the
                             creating bar's close (backtrader set_coc) */
    int coo;              /* 1: cheat-on-open: the strategy's next_open runs
                             before the broker step and its market orders fill
                             at that bar's open; the submission check of
                             market orders uses the open (backtrader coo) */
    slab_comm_scheme comm_scheme;
    double commission_min; /* minimum commission per fill, cash (0 = none);
                              per-fill charges (fixed, the minimum's top-up)
                              go on the closing part of a reversing fill */
    /* Slippage (backtrader BackBroker slip_*): slip_perc (fraction, takes
     * precedence) or slip_fixed (price units) moves buys up and sells down;
     * slip_open applies it to fills at the open too; a slipped price
     * beyond the bar's high/low is capped there when slip_match (or
     * slip_limit for limit fills), kept when slip_out too, else the order
     * does not fill this bar. */
    double slip_perc, slip_fixed;
    int slip_open, slip_match, slip_limit, slip_out;
    /* Pessimistic mode for ambiguous bars (off: backtrader's FIFO, the
     * order sent first fills first). A bar's path between its open and
     * close is unknown, so when a stop-type exit (Stop, StopTrail,
     * StopLimit, StopTrailLimit, triggered or triggering on the bar) and a
     * Limit target of the same position could both fill inside one bar,
     * the stop is assumed to come first, whatever the queue order:
     * - the Limit is not tried on that bar: an exit of the position held
     *   when it comes up whose side has a stop-type order later in the
     *   queue that would fill on the bar, or a Limit of the side of a
     *   stop-type order that already closed a position on the bar;
     * - in one OCO or bracket group the stop's fill then cancels the Limit
     *   as usual; outside one the Limit stays pending (so it cannot open a
     *   new position on that bar; it is tried again from the next bar);
     * - certain orders are kept: a Limit reached at the open (a gap
     *   through the target) fills there, before anything else, and a gap
     *   through a stop fills at the open, as backtrader does.
     * A stop that fills first and then finds the position gone (FIFO,
     * outside a group) still opens the reverse position, as in backtrader. */
    int pessimistic;
    /* Margin call (off by default: backtrader's BackBroker has none; its
     * only margin event is the Margin rejection of an order that the cash
     * cannot pay for, which leaves any open position alone). On: after
     * each bar's value is marked at the close, a position whose account
     * value is <= maintenance_margin x |size| x close (0: when the value
     * is <= 0) is liquidated: pending orders are cancelled, a market order
     * for the whole position (no submission cash check) fills at the next
     * open, its trade gets exit reason margin, and orders sent before that
     * fill are rejected. Without leverage a long position's value never
     * falls below its market value, so in practice it fires on shorts
     * (shortcash: the sale's cash stays while the price rises) and on
     * cash driven negative by costs. */
    int margin_call;
    double maintenance_margin; /* fraction of the position's value, [0, 1) */
} slab_broker_config;

/* backtrader's defaults: cash 10000, no commission (percent scheme), fixed
 * stake 1, checksubmit, no slippage (slip_match and slip_limit on). */
void slab_broker_config_default(slab_broker_config *cfg);

/* ---- the broker: one object per run, driven bar by bar by the engine.
 * It owns the cash, one position per feed (symbol), every order and every
 * trade; callers read them through the functions below. Every call that
 * needs prices takes `bars`, the current bar of every feed (n_feeds
 * entries, indexed by feed), so an order is checked and filled against its
 * own feed's bar. */

typedef struct slab_broker slab_broker;

/* One feed's current bar, as the broker sees it. */
typedef struct slab_feed_bar {
    size_t i;         /* 0-based index of the bar in its own feed */
    int64_t ts_ns;    /* the bar's time */
    double open, high, low, close;
    int fresh;        /* 1: the feed delivered this bar at this step; 0: it
                         has no bar at this step and keeps its last one,
                         on which nothing is tried again */
} slab_feed_bar;

/* A position: backtrader's Position (size and average price). */
typedef struct slab_position {
    double size;  /* signed shares */
    double price; /* average entry price, 0 when flat */
} slab_position;

/* The broker's money and positions as of its last change: a read-only
 * view the broker updates in place (fills change cash and positions, each
 * step the value), so the engine reads them every bar without a call.
 * Borrowed from the broker (slab_broker_view_of), valid until it is freed. */
typedef struct slab_broker_view {
    double cash;                    /* cash after the last fill */
    double value;                   /* cash + positions marked at the last
                                       step's closes */
    const slab_position *positions; /* n_feeds entries, indexed by feed */
    size_t n_feeds;
} slab_broker_view;

/* An order as the broker receives it (sizes already resolved). */
typedef struct slab_order_req {
    int feed;             /* the feed (symbol) it trades, 0..n_feeds-1 */
    int type;             /* slab_order_type */
    int is_buy;           /* 1 buy, 0 sell */
    double size;          /* signed: + buy, - sell (else Rejected) */
    double price;         /* limit or stop price; a trail's reference (0:
                             the creating close) */
    double plimit;        /* limit of a StopLimit / StopTrailLimit */
    double trailamount;   /* trail distance, price units (or 0) */
    double trailpercent;  /* trail distance, a fraction (or 0) */
    int valid_kind;       /* SLAB_VALID_* (strategy.h) */
    int64_t valid_value;
    int64_t oco;          /* ref of an order in flight to join in OCO */
    int64_t parent;       /* bracket parent ref, 0 none */
    int transmit;         /* children: 0 holds until a sibling transmits */
    int exit_reason;      /* slab_exit_reason of the trade it closes */
    int check_side;       /* 1: reject a stop on the wrong side of the close */
    const char *reject;   /* non-NULL: record the order as Rejected with
                             this reason (a risk rule refused it) */
    const char *note;     /* non-NULL: a remark for the order log's reason
                             of an accepted order (why its size was cut) */
} slab_order_req;

/* Creates a broker for n_feeds feeds (>= 1) with cfg's cash. Returns
 * SLAB_OK and an owned broker in *out (free with slab_broker_free()), or
 * SLAB_EINVAL / SLAB_ENOMEM. */
slab_status slab_broker_new(const slab_broker_config *cfg, size_t n_feeds, slab_broker **out,
                            slab_error *err);
/* Frees b and everything it still owns; NULL is a no-op. */
void slab_broker_free(slab_broker *b);
/* b's view (see slab_broker_view). */
const slab_broker_view *slab_broker_view_of(const slab_broker *b);
/* The settings b runs with. */
const slab_broker_config *slab_broker_cfg(const slab_broker *b);
/* Number of feeds. */
size_t slab_broker_n_feeds(const slab_broker *b);

/* Creates an order on the current bar of its feed (created price = that
 * bar's close); it is checked and tried from the feed's next bar. An
 * invalid request is recorded as Rejected (reason in the log) and
 * notified. Returns the ref (> 0), or -1 with err set when out of memory. */
int64_t slab_broker_order(slab_broker *b, const slab_feed_bar *bars, const slab_order_req *req,
                          slab_error *err);
/* A market order of signed size on feed. Returns the ref, or -1 with err
 * set (a zero or non-finite size, no memory). */
int64_t slab_broker_submit(slab_broker *b, const slab_feed_bar *bars, int feed, double size,
                           slab_error *err);
/* Cancels an accepted order not yet filled: 1 if cancelled, 0 if it was
 * not pending, -1 when out of memory for the notification. */
int slab_broker_cancel(slab_broker *b, int64_t ref, const slab_feed_bar *bars);
/* The broker step of one clock step (backtrader's BackBroker.next): the
 * submission check of the orders created since the last step, one fill
 * attempt per pending order whose feed has a fresh bar, then the value
 * (cash plus every position marked at its feed's close) and, with
 * cfg.margin_call, the margin check. Returns SLAB_OK or SLAB_ENOMEM. */
slab_status slab_broker_step(slab_broker *b, const slab_feed_bar *bars, slab_error *err);

/* Shares a buy (is_buy) or sell of feed gets from the configured sizer at
 * price close (backtrader's sizers use the creating bar's close); 0 means
 * no order. */
double slab_broker_sizer(const slab_broker *b, int feed, double close, int is_buy);
/* feed's position (zero for an unknown feed). */
slab_position slab_broker_position(const slab_broker *b, int feed);
/* Cash after the last fill, and the value after the last step. */
double slab_broker_cash(const slab_broker *b);
double slab_broker_value(const slab_broker *b);
/* Orders submitted or accepted but not yet done, over every feed. */
size_t slab_broker_in_flight(const slab_broker *b);
/* 1 when order ref is submitted, accepted or partly filled. */
int slab_broker_alive(const slab_broker *b, int64_t ref);
/* Signed size still to fill of feed's orders in flight on the side of
 * sign(dir), bracket children and the refs in skip[0..n_skip) left out;
 * *first gets the first such order's ref (0 none). The risk manager
 * counts unfilled entries with it. */
double slab_broker_unfilled(const slab_broker *b, int feed, double dir, const int64_t *skip,
                            size_t n_skip, int64_t *first);

/* Orders created so far, and one order's record by ref (1-based); NULL
 * for an unknown ref (or a dropped one: slab_broker_drop_finished). The
 * record is borrowed and moves when orders are added or b steps (a
 * finished order's record moves to a compact log): copy what you keep. */
size_t slab_broker_n_orders(const slab_broker *b);
const slab_order_event *slab_broker_event(const slab_broker *b, int64_t ref);
/* Trades so far (closed and open, in opening order), and trade k
 * (0-based), borrowed as above. */
size_t slab_broker_n_trades(const slab_broker *b);
const slab_trade *slab_broker_trade(const slab_broker *b, size_t k);

/* The notifications raised since they were last consumed, oldest first
 * (borrowed; *n gets the count). */
const slab_order_note *slab_broker_order_notes(const slab_broker *b, size_t *n);
const slab_trade_note *slab_broker_trade_notes(const slab_broker *b, size_t *n);
/* Order plus trade notifications waiting (0: nothing to deliver). */
size_t slab_broker_n_notes(const slab_broker *b);
/* Drops the first n_orders order notes and n_trades trade notes (the ones
 * delivered); later ones stay for the next step. */
void slab_broker_notes_done(slab_broker *b, size_t n_orders, size_t n_trades);

/* on = 1: finished orders leave b's order log as they finish (a byte
 * each is kept instead of the record),
 * except the refused and rejected ones (Margin, Rejected); refs stay as
 * they were. slab_broker_event() and slab_broker_alive() then give NULL
 * and 0 for a dropped order, and slab_broker_take() hands out only the
 * refused and rejected orders. For runs whose order log nobody reads (a
 * long run's memory). Set it before the first order; off by default. */
void slab_broker_drop_finished(slab_broker *b, int on);

/* Moves the trade and order records out of b (the caller owns them; free
 * each with slab_free()); b keeps running with none. The order array holds
 * the public records in creation order: every order, or with
 * slab_broker_drop_finished the refused and rejected ones; *n_orders is
 * the array's length (slab_broker_n_orders() before the call counts every
 * order). Open trades get exit reason none. Returns SLAB_OK, or
 * SLAB_ENOMEM (nothing moved). */
slab_status slab_broker_take(slab_broker *b, slab_trade **trades, size_t *n_trades,
                             slab_order_event **orders, size_t *n_orders, slab_error *err);

#endif
