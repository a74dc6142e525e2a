/* strategies.h: the built-in strategies, registered in one table with
 * typed parameters, defaults and ranges, and parameter resolution from
 * `name=value` strings (the CLI's --param, the API's params object). */
#ifndef STRATLAB_STRATEGIES_H
#define STRATLAB_STRATEGIES_H

#include "stratlab/core.h"
#include "stratlab/strategy.h"

/* Every built-in, in listing order; *n gets the count. */
const slab_strategy_def *const *slab_strategy_table(size_t *n);
/* A built-in by name (case-insensitive); NULL with a "did you mean"
 * message in err when unknown. */
const slab_strategy_def *slab_strategy_find(const char *name, slab_error *err);

/* Resolves parameters: out[k] starts at def->params[k].def and each
 * "name=value" in kv[0..n_kv-1] overrides one. Unknown names, non-numbers,
 * fractions for integer parameters and values outside the range are
 * rejected with the allowed range; all problems are reported at once. */
slab_status slab_strategy_resolve_params(const slab_strategy_def *def, const char *const *kv,
                                         size_t n_kv, double *out, slab_error *err);

#endif
