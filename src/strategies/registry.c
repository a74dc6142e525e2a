/* registry.c: the one table of built-in strategies and parameter
 * resolution with range checks. */
#include "stratlab/strategies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const slab_strategy_def slab__strategy_sma_cross, slab__strategy_rsi_reversion,
    slab__strategy_bbands_reversion, slab__strategy_buy_hold, slab__strategy_macd_trail;

static const slab_strategy_def *const table[] = {
    &slab__strategy_sma_cross,
    &slab__strategy_rsi_reversion,
    &slab__strategy_bbands_reversion,
    &slab__strategy_buy_hold,
    &slab__strategy_macd_trail,
};

const slab_strategy_def *const *slab_strategy_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

/* Length of the common prefix, for a cheap "did you mean". */
static size_t common_prefix(const char *a, const char *b)
{
    size_t k = 0;
    while (a[k] && b[k] && (a[k] | 32) == (b[k] | 32))
        k++;
    return k;
}

const slab_strategy_def *slab_strategy_find(const char *name, slab_error *err)
{
    size_t n = sizeof table / sizeof table[0], best = 0, best_k = 0;
    char names[256] = "", shown[200];
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(table[i]->name, name))
            return table[i];
    slab_text_show(name, strlen(name), shown, sizeof shown); /* outside text, escaped */
    for (size_t i = 0; i < n; i++) {
        size_t k = common_prefix(name, table[i]->name);
        if (k > best_k) {
            best_k = k;
            best = i;
        }
        strncat(names, i ? ", " : "", sizeof names - strlen(names) - 1);
        strncat(names, table[i]->name, sizeof names - strlen(names) - 1);
    }
    if (best_k >= 3)
        slab_error_set(err, SLAB_ENOTFOUND, "--strategy",
                       "unknown strategy '%s'; did you mean %s? (built-ins: %s)", shown,
                       table[best]->name, names);
    else
        slab_error_set(err, SLAB_ENOTFOUND, "--strategy", "unknown strategy '%s'; built-ins: %s",
                       shown, names);
    return NULL;
}

/* Appends "; " + text to msg (bounded). */
static void append(char *msg, size_t cap, const char *text)
{
    size_t l = strlen(msg);
    snprintf(msg + l, cap - l, "%s%s", l ? "; " : "", text);
}

slab_status slab_strategy_resolve_params(const slab_strategy_def *def, const char *const *kv,
                                         size_t n_kv, double *out, slab_error *err)
{
    char msg[SLAB_ERR_MSG_MAX] = "", one[256];
    for (int k = 0; k < def->n_params; k++)
        out[k] = def->params[k].def;
    for (size_t i = 0; i < n_kv; i++) {
        const char *eq = strchr(kv[i], '=');
        int found = -1;
        char shown[160], *val; /* kv[i] escaped for messages; val: its value part */
        slab_text_show(kv[i], strlen(kv[i]), shown, sizeof shown);
        val = strchr(shown, '=') ? strchr(shown, '=') + 1 : shown;
        if (!eq) {
            snprintf(one, sizeof one, "'%s' is not name=value", shown);
            append(msg, sizeof msg, one);
            continue;
        }
        for (int k = 0; k < def->n_params; k++)
            if (strlen(def->params[k].name) == (size_t)(eq - kv[i]) &&
                !strncmp(def->params[k].name, kv[i], (size_t)(eq - kv[i])))
                found = k;
        if (found < 0) {
            snprintf(one, sizeof one, "%s has no parameter '%.*s'", def->name,
                     (int)(val - 1 - shown), shown);
            append(msg, sizeof msg, one);
            continue;
        }
        const slab_param_def *p = &def->params[found];
        char *end;
        double v = strtod(eq + 1, &end);
        if (p->type == SLAB_PARAM_BOOL && (!strcmp(eq + 1, "true") || !strcmp(eq + 1, "false"))) {
            v = !strcmp(eq + 1, "true");
            end = (char *)eq + 1 + strlen(eq + 1);
        }
        if (end == eq + 1 || *end || !isfinite(v)) {
            snprintf(one, sizeof one, "%s=%s is not a number", p->name, val);
            append(msg, sizeof msg, one);
        } else if (p->type == SLAB_PARAM_INT && v != floor(v)) {
            snprintf(one, sizeof one, "%s must be a whole number, got %s", p->name, val);
            append(msg, sizeof msg, one);
        } else if (v < p->min || v > p->max) {
            snprintf(one, sizeof one, "%s=%s is outside the allowed range %g..%g", p->name,
                     val, p->min, p->max);
            append(msg, sizeof msg, one);
        } else {
            out[found] = v;
        }
    }
    if (msg[0])
        return slab_error_set(err, SLAB_ERANGE, "--param", "%s", msg);
    return SLAB_OK;
}
