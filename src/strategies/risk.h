/* risk.h: protective exits shared by the built-ins through four common
 * parameters (percent in percent, 0 = off): stop_loss_pct, take_profit_pct,
 * trail_pct and time_exit_bars. When the entry fills (notify_order
 * Completed), the protective orders go out for the executed size: a Stop
 * tagged stop_loss, a Limit tagged take_profit and a StopTrail tagged
 * trailing_stop, all in one OCO group; a time exit closes at the open of
 * the N-th bar after the fill's bar (tagged time_exit). With all four at 0
 * nothing changes (the parity runs). Long entries only, as the built-ins. */
#ifndef SLAB_STRATEGIES_RISK_H
#define SLAB_STRATEGIES_RISK_H

#include "stratlab/strategy.h"

typedef struct slab__risk {
    double sl, tp, trail;   /* fractions (0 = off) */
    long time_bars;         /* 0 = off */
    long entry_bar;         /* bar of the entry fill, -1 when flat */
    int64_t refs[3];        /* protective orders in flight */
} slab__risk;

/* The parameter rows each built-in appends to its table. */
#define SLAB__RISK_PARAMS                                                                        \
    {"stop_loss_pct", SLAB_PARAM_FLOAT, 0, 0, 99, "stop-loss below the entry fill, percent (0 = off)"}, \
    {"take_profit_pct", SLAB_PARAM_FLOAT, 0, 0, 1000,                                           \
     "take-profit above the entry fill, percent (0 = off)"},                                    \
    {"trail_pct", SLAB_PARAM_FLOAT, 0, 0, 99, "trailing stop below the close, percent (0 = off)"}, \
    {"time_exit_bars", SLAB_PARAM_INT, 0, 0, 1000000, "close after this many bars (0 = off)"}
#define SLAB__RISK_N_PARAMS 4

/* Reads the four parameters (in init). */
void slab__risk_init(slab_ctx *ctx, slab__risk *r);
/* From notify_order: places the protective orders when a buy completes;
 * forgets them when the position is flat again. */
void slab__risk_on_order(slab_ctx *ctx, slab__risk *r, const slab_order_note *o);
/* From next(), first: the time exit. Returns 1 when it sent the close. */
int slab__risk_next(slab_ctx *ctx, slab__risk *r);
/* A signal exit: cancels the protective orders, then closes. */
void slab__risk_close(slab_ctx *ctx, slab__risk *r);

#endif
