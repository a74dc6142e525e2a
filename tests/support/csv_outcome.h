/* csv_outcome.h: a CSV load with the fast row scanner on or off
 * (slab__csv_fast_off, src/data/data_int.h) and the check that two loads
 * came out the same: status, error location and message, load report,
 * and the bars bit for bit. Used by test_csv_fast (hand-made files and
 * their mutations) and test_csv_fast_ref (every data file in ../shared). */
#ifndef CSV_OUTCOME_H
#define CSV_OUTCOME_H

#include "stratlab/data.h"

typedef struct csv_outcome {
    slab_status st;
    slab_error err;
    slab_load_report rep;
    slab_bars *b; /* owned: slab_bars_free() */
} csv_outcome;

/* Loads path with options o, the fast scanner off when fast_off is 1. */
void csv_load_with(const char *path, const slab_csv_options *o, int fast_off, csv_outcome *out);
/* Fails the test (naming what) unless a and b are the same load. */
void csv_same_load(const char *what, const csv_outcome *a, const csv_outcome *b);

#endif
