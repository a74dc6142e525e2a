/* risk_internal.h: the engine's risk manager state (see risk.h). The
 * engine admits each strategy order through slab__risk_admit, and after
 * every broker step tells the manager what filled (slab__risk_seen_fills)
 * and lets it act before next() (slab__risk_step).
 * Invariant: protective orders always cover the whole position, in one
 * OCO group, so no two exits can both fill and open a position the other
 * way. */
#ifndef SLAB_ENGINE_RISK_INTERNAL_H
#define SLAB_ENGINE_RISK_INTERNAL_H

#include "stratlab/risk.h"

#include "stratlab/broker.h"
#include "stratlab/data.h"

typedef struct slab__risk {
    slab_risk_config cfg;
    int on;                /* protective or time exits to run every bar */
    double *atr;           /* ATR(atr_period) over the run's bars (owned), or
                              NULL when no level is an ATR multiple */
    double prev_pos;       /* position after the last risk step, signed */
    double fill_px;        /* price of the last opening fill seen, 0 none */
    long entry_bar;        /* fill bar of the position's entry, -1 flat */
    int64_t entry_day;     /* day number of that bar */
    int64_t refs[3];       /* stop, target, trail of the live group (0 none) */
    int64_t exit_ref;      /* the time exit in flight (0 none) */
    double stop_px, target_px; /* the live group's levels, 0 when not placed */
} slab__risk;

/* Starts the manager with cfg over bars 0..n-1: computes the ATR when a
 * level needs it. Returns SLAB_OK, SLAB_EINVAL (bad config) or
 * SLAB_ENOMEM. */
slab_status slab__risk_start(slab__risk *r, const slab_risk_config *cfg, const slab_bars *bars,
                             size_t n, slab_error *err);
/* Releases what r owns. */
void slab__risk_clear(slab__risk *r);
/* Checks a strategy order before it is sent, changing req: an entry adding
 * to an open position is refused (unless allow_pyramiding), one beyond the
 * maximum position is cut to fit (or refused when nothing fits), and an
 * order that flattens or reverses the position joins the live protective
 * group. Reasons go to why (kept by the caller until the order is sent).
 * Returns 1 when the size was cut (why says how), else 0. */
int slab__risk_admit(const slab__risk *r, const slab_broker *b, const slab_feed_bar *bars,
                     slab_order_req *req, char *why, size_t cap);
/* After a broker step that changed the position: remembers the opening
 * fill's price from the bar's order notes. */
void slab__risk_seen_fills(slab__risk *r, const slab_broker *b);
/* Before next() of every bar: places the protective group for a new or
 * changed position, cancels it when flat, sends a due time exit. Returns
 * SLAB_OK or SLAB_ENOMEM. */
slab_status slab__risk_step(slab__risk *r, slab_broker *b, const slab_feed_bar *bars,
                            slab_error *err);

#endif
