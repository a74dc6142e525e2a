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
    SLAB_EXIT_MARGIN
} slab_exit_reason;

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

#endif
