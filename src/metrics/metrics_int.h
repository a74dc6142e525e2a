/* metrics_int.h: the metrics module's internals that its tests reach. */
#ifndef SLAB_METRICS_INT_H
#define SLAB_METRICS_INT_H

/* Test hook: 1 makes the span analyzers use the portable bar-return loop
 * even where the AVX2 one runs (both must give the same bits). */
extern int slab__bar_excess_portable;

#endif
