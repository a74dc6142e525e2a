/* bt_compare.h: what the backtrader reference tests share: the table of
 * the 17 reference runs of ../shared/reference/backtrader (how each was
 * run: data file, adjustment, timeframe, strategy, sizer, parameter) and
 * the comparison of a run with a reference document, field by field and
 * bit for bit: the value and cash at every step, each closed trade, each
 * logged order event, the analyzers. Used by test_backtrader_runs (the
 * engine), test_script_parity (the script copies, in the sandbox) and
 * test_orb_ref (the two-feed orb run). Reference values are read from
 * ../shared at test time, never copied. */
#ifndef BT_COMPARE_H
#define BT_COMPARE_H

#include <jansson.h>

#include "stratlab/broker.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"

/* One reference run: reference/backtrader/<name>.json and _equity.csv. */
typedef struct bt_run {
    const char *name;
    const char *file;      /* data/<file> */
    int yahoo_adjust;      /* backtrader YahooFinanceCSVData defaults */
    const char *timeframe; /* "1d" or "5m" */
    const char *strategy;  /* the built-in (and tests/scripts/parity/<strategy>.c) */
    slab_sizer_kind sizer;
    const char *param;     /* one "name=value" for the strategy, or NULL */
} bt_run;

/* The 17 runs, in slab_refs_bt_runs' order (bt_runs_check proves it). */
extern const bt_run bt_runs[];
extern const size_t bt_n_runs;
/* Fails the test unless bt_runs names each run of slab_refs_bt_runs once. */
void bt_runs_check(void);
/* The run's data, loaded and timed as backtrader read it (owned). */
slab_bars *bt_load(const bt_run *r);

/* A comparison in progress: differences are counted, the first few printed. */
typedef struct bt_cmp {
    const char *name; /* for messages */
    int daily;        /* times written as dates (daily bars) or date-times */
    int failures;
} bt_cmp;

/* got and want the same double bit for bit (slab_test_same). */
void bt_expect(bt_cmp *c, const char *what, long i, double got, double want);
/* The same text, or both absent. */
void bt_expect_str(bt_cmp *c, const char *what, long i, const char *got, const char *want);
/* Cash and value at every step against the reference _equity.csv (rel:
 * its path under ../shared); needs a run with its cash curve. */
void bt_compare_equity(bt_cmp *c, const char *rel, const slab_run *run);
/* final.value, final.cash, final.position_size (and position_price when
 * the reference gives it). */
void bt_compare_final(bt_cmp *c, json_t *ref, const slab_run *run);
/* Each closed trade against the reference's "trades"; exit_reason when the
 * reference gives it, the symbol when symbol is not NULL. */
void bt_compare_trades(bt_cmp *c, json_t *ref, const slab_run *run, const char *symbol);
/* Each logged order event (those still in flight at the end have none in
 * backtrader's log) against the reference's "orders": side, status,
 * creation; exectype and exec_price_avg when the reference gives them; a
 * margin refusal's bar; the execution wherever the reference has one. */
void bt_compare_orders(bt_cmp *c, json_t *ref, const slab_run *run);
/* slab_analyzers_json of the run against the reference's "analyzers". */
void bt_compare_analyzers(bt_cmp *c, json_t *ref, const slab_run *run);

#endif
