/* slab_refs.h: the fixed lists of what the reference tests read from
 * ../shared. A reference loop walks its list, never a directory listing:
 * an entry whose file (or case) is missing fails the test, and a file the
 * reference directory has that no list names fails it too, so a suite
 * cannot pass by checking less than everything. slab_refs_each() walks
 * every file, for `slab_refs --check` (.ci/run names what is missing
 * before anything runs) and the suite's own skip test. Add a row here
 * whenever a test starts reading a new file from ../shared. */
#ifndef SLAB_REFS_H
#define SLAB_REFS_H

#include <stddef.h>

#define SLAB_REFS_N_BT_RUNS 17
#define SLAB_REFS_N_FILL_CASES 29
#define SLAB_REFS_N_TALIB 78
#define SLAB_REFS_N_TALIB_SETS 2
#define SLAB_REFS_N_DATA 9

/* backtrader reference runs: reference/backtrader/<name>.json and
 * <name>_equity.csv (test_backtrader_runs, test_analyzers_ref). */
extern const char *const slab_refs_bt_runs[SLAB_REFS_N_BT_RUNS];
/* The cases of reference/backtrader/order_fill_cases.json, in its order. */
extern const char *const slab_refs_fill_cases[SLAB_REFS_N_FILL_CASES];
/* TA-Lib reference calls: the rows of each dataset's talib/manifest.csv
 * (file names), in the manifest's order. */
extern const char *const slab_refs_talib[SLAB_REFS_N_TALIB];
/* The datasets under reference/indicators/ (each has input.csv, the
 * manifest and every file of slab_refs_talib). */
extern const char *const slab_refs_talib_sets[SLAB_REFS_N_TALIB_SETS];
/* data/ files the tests load. */
extern const char *const slab_refs_data[SLAB_REFS_N_DATA];

/* Calls fn with every path (relative to ../shared) a test reads. */
void slab_refs_each(void (*fn)(const char *rel, void *arg), void *arg);

/* Index of name in list[0..n), or -1. */
int slab_refs_find(const char *const *list, size_t n, const char *name);

#endif
