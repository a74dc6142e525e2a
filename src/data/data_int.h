/* data_int.h: helpers shared by the data module's files (bars.c, csv.c,
 * sample.c); not part of the public interface. One place defines what makes
 * a bar inconsistent, so the loader and slab_bars_check() say the same. */
#ifndef SLAB_DATA_INT_H
#define SLAB_DATA_INT_H

#include "stratlab/data.h"

#include <stdio.h>

/* Which value of a bar a problem is about (0 = none). */
typedef enum slab__bar_field {
    SLAB__BF_NONE = 0,
    SLAB__BF_OPEN,
    SLAB__BF_HIGH,
    SLAB__BF_LOW,
    SLAB__BF_CLOSE,
    SLAB__BF_VOLUME
} slab__bar_field;

/* Checks one bar's values: finite prices > 0, high >= low,
 * low <= min(open, close), high >= max(open, close), finite volume >= 0.
 * Returns SLAB__BF_NONE when consistent, else the field at fault, with a
 * message like "high 9.5 is below low 10" written into msg[n]. */
slab__bar_field slab__bar_problem(double open, double high, double low, double close, double volume,
                                  char *msg, size_t n);

/* Writes the shortest decimal text that strtod() reads back as exactly x
 * ("100.25", "1e-05", "3599"); returns buf. n should be at least 32. */
const char *slab__num_format(double x, char *buf, size_t n);

/* slab_csv_load() over an open stream f, which stays open; path names it
 * in messages and in bars->source. The fuzz harness feeds it fmemopen()
 * buffers. */
slab_status slab__csv_load_stream(FILE *f, const char *path, const slab_csv_options *opt,
                                  slab_bars **out, slab_load_report *rep, slab_error *err);

#endif
