/* next_runs.c: the runs a user would want after a session strategy's run
 * (seed 000: "now try 1% to 5% trailing stops"): a tighter and a wider
 * trailing stop, the 30 days up to a one-day run's date, the same run
 * without its market filter. Each is a change to this run, said once here
 * and rendered by each way in: the CLI as a ready command line, the
 * service as a ready request body.
 * Invariant: a change names only what differs from this run. */
#include "stratlab/result.h"

#include <math.h>
#include <string.h>

/* params[k] of def's parameter name; NAN when def has none. */
static double param(const slab_strategy_def *def, const double *params, const char *name)
{
    for (int k = 0; k < def->n_params; k++)
        if (!strcmp(def->params[k].name, name))
            return params[k];
    return NAN;
}

static int add(json_t *arr, const char *why, json_t *change)
{
    json_t *o = json_pack("{s:s,s:o}", "why", why, "change", change);
    return o ? json_array_append_new(arr, o) : -1;
}

json_t *slab_next_runs(const slab_strategy_def *def, const double *params, int64_t day)
{
    json_t *arr = json_array();
    double trail = param(def, params, "trailing_stop_pct");
    double filter = param(def, params, "market_filter");
    char from[40], to[40];
    int bad = !arr;
    if (!bad && !isnan(trail)) {
        double a = trail > 0 ? trail / 2 : 1, b = trail > 0 ? trail * 1.5 : 2;
        bad |= add(arr, "a tighter trailing stop",
                   json_pack("{s:{s:f}}", "params", "trailing_stop_pct", a));
        bad |= add(arr, "a wider trailing stop",
                   json_pack("{s:{s:f}}", "params", "trailing_stop_pct", b));
    }
    if (!bad && day != INT64_MIN) {
        slab_time_format((day - 30) * SLAB_NS_PER_DAY, 1, from, sizeof from);
        slab_time_format(day * SLAB_NS_PER_DAY, 1, to, sizeof to);
        bad |= add(arr, "the 30 days up to that date, for consistency",
                   json_pack("{s:n,s:s,s:s}", "date", "from", from, "to", to));
    }
    if (!bad && !isnan(filter) && filter != 0.0)
        bad |= add(arr, "without the market filter",
                   json_pack("{s:{s:n}}", "params", "market_filter"));
    if (bad) {
        json_decref(arr);
        return NULL;
    }
    return arr;
}
