/* risk.h: the engine's risk manager, configured per run and applied to any
 * strategy (built-in, spec or script): protective exits placed when an
 * entry fills, time exits, a maximum position size and one position per
 * symbol. A zeroed slab_risk_config changes nothing but refuses entries
 * that add to an open position (one position per symbol is the default).
 * The same "key = value" forms serve the CLI flags, strategy init()
 * (slab_set_risk in strategy.h) and, later, specs. */
#ifndef STRATLAB_RISK_H
#define STRATLAB_RISK_H

#include "stratlab/core.h"

/* How a protective level is given. */
typedef enum slab_risk_kind {
    SLAB_RISK_OFF = 0,
    SLAB_RISK_PERCENT, /* value in percent of the entry fill price (2 = 2%) */
    SLAB_RISK_AMOUNT,  /* value in price units from the entry fill price */
    SLAB_RISK_ATR,     /* value times ATR(atr_period) at the fill bar */
    SLAB_RISK_PRICE    /* value is the price itself */
} slab_risk_kind;

typedef struct slab_risk_level {
    slab_risk_kind kind;
    double value; /* see slab_risk_kind; > 0 */
} slab_risk_level;

typedef struct slab_risk_config {
    slab_risk_level stop_loss;   /* Stop below a long's fill (above a short's) */
    slab_risk_level take_profit; /* Limit above a long's fill (below a short's) */
    slab_risk_level trail;       /* StopTrail, percent or amount only */
    int atr_period;              /* bars of the ATR for atr levels; 0 = 14 */
    long time_exit_bars;         /* close once held this many bars; 0 = off */
    int exit_at_on;              /* 1: close at the clock time exit_at_s */
    int exit_at_s;               /* seconds after midnight, in the bars' clock */
    double max_position_qty;     /* most shares held, 0 = no limit */
    double max_position_pct;     /* most value held, percent of the portfolio
                                    value at the creating close; 0 = no limit */
    int allow_pyramiding;        /* 1: entries may add to an open position */
} slab_risk_config;

/* Sets one item of cfg from its text form (what the CLI flags take):
 *   stop_loss, take_profit  "2%" percent, "1.5" amount, "2atr" ATR multiple,
 *                           "@95.50" a price
 *   trail                   "2%" percent or "0.75" amount
 *   atr_period              whole bars >= 1
 *   time_exit               whole bars >= 1
 *   exit_at                 "HH:MM" or "HH:MM:SS"
 *   max_position            "100" shares or "50%" of value (both may be set)
 *   allow_pyramiding        "true" or "false"
 * Returns SLAB_OK, or SLAB_EINVAL with err saying what was wrong and the
 * accepted forms. */
slab_status slab_risk_set(slab_risk_config *cfg, const char *key, const char *value,
                          slab_error *err);

/* Writes the text form of key's current value into buf (cap bytes) and
 * returns buf; "" when the item is off. Keys as for slab_risk_set. */
const char *slab_risk_get(const slab_risk_config *cfg, const char *key, char *buf, size_t cap);

/* 1 when cfg asks for anything beyond the default (one position per
 * symbol, nothing else). */
int slab_risk_active(const slab_risk_config *cfg);

/* The item keys, in a stable order (n gets the count). */
const char *const *slab_risk_keys(size_t *n);

#endif
