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

const slab_strategy_def *slab_strategy_find(const char *name, slab_error *err)
{
    size_t n = sizeof table / sizeof table[0];
    const char *names[sizeof table / sizeof table[0]];
    char shown[200];
    for (size_t i = 0; i < n; i++) {
        if (!strcasecmp(table[i]->name, name))
            return table[i];
        names[i] = table[i]->name;
    }
    slab_text_show(name, strlen(name), shown, sizeof shown); /* outside text, escaped */
    slab_error_fail(err, SLAB_EC_UNKNOWN_STRATEGY, "--strategy", "unknown strategy '%s'", shown);
    const char *best = slab_error_suggest(err, name, names, n);
    if (err) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l, "%s%s%sbuilt-ins: %s", best ? "; did you mean " : "",
                 best ? best : "", best ? "? (" : "; ", err->choices);
        if (best)
            strncat(err->msg, ")", sizeof err->msg - strlen(err->msg) - 1);
        slab_error_fix(err, best ? "use --strategy %s (every built-in: stratlab strategies)"
                                 : "%severy built-in: stratlab strategies",
                       best ? best : "");
    }
    return NULL;
}

/* Appends "; " + text to msg (cap bytes), truncating. */
static void append(char *msg, size_t cap, const char *text)
{
    size_t l = strlen(msg), t = strlen(text);
    if (l && l + 2 < cap) {
        memcpy(msg + l, "; ", 2);
        l += 2;
    }
    if (l + t >= cap)
        t = cap - l - 1;
    memcpy(msg + l, text, t);
    msg[l + t] = '\0';
}

/* The "no parameter" problem for name (len bytes), with the closest
 * parameter and the list; the first such suggestion goes into err. */
static void unknown_param(const slab_strategy_def *def, const char *name, size_t len, char *one,
                          size_t cap, slab_error *sugg)
{
    const char *names[64];
    char word[64];
    int n = def->n_params < 64 ? def->n_params : 64;
    for (int k = 0; k < n; k++)
        names[k] = def->params[k].name;
    snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1), name);
    const char *best = slab_error_suggest(sugg, word, names, (size_t)n);
    snprintf(one, cap, "%s has no parameter '%s'%s%s%s (it has: %s)", def->name, word,
             best ? "; did you mean " : "", best ? best : "", best ? "?" : "",
             n ? sugg->choices : "none");
}

slab_status slab_strategy_resolve_params(const slab_strategy_def *def, const char *const *kv,
                                         size_t n_kv, double *out, slab_error *err)
{
    char msg[SLAB_ERR_MSG_MAX] = "", one[SLAB_ERR_MSG_MAX];
    slab_errcode first = SLAB_EC_NONE;
    slab_error sugg;
    slab_error_clear(&sugg);
    for (int k = 0; k < def->n_params; k++)
        out[k] = def->params[k].def;
    for (size_t i = 0; i < n_kv; i++) {
        const char *eq = strchr(kv[i], '=');
        int found = -1;
        slab_errcode code = SLAB_EC_BAD_PARAM;
        char shown[160], *val; /* kv[i] escaped for messages; val: its value part */
        slab_text_show(kv[i], strlen(kv[i]), shown, sizeof shown);
        val = strchr(shown, '=') ? strchr(shown, '=') + 1 : shown;
        if (!eq) {
            snprintf(one, sizeof one, "'%s' is not name=value", shown);
            append(msg, sizeof msg, one);
            first = first ? first : code;
            continue;
        }
        for (int k = 0; k < def->n_params; k++)
            if (strlen(def->params[k].name) == (size_t)(eq - kv[i]) &&
                !strncmp(def->params[k].name, kv[i], (size_t)(eq - kv[i])))
                found = k;
        if (found < 0) {
            slab_error sg;
            slab_error_clear(&sg);
            unknown_param(def, shown, (size_t)(val - 1 - shown), one, sizeof one, &sg);
            if (!first) {
                first = SLAB_EC_UNKNOWN_PARAM;
                sugg = sg;
            }
            append(msg, sizeof msg, one);
            continue;
        }
        const slab_param_def *p = &def->params[found];
        char *end, lo[SLAB_NUM_TEXT_MAX], hi[SLAB_NUM_TEXT_MAX];
        double v = strtod(eq + 1, &end);
        if (p->type == SLAB_PARAM_BOOL && (!strcmp(eq + 1, "true") || !strcmp(eq + 1, "false"))) {
            v = !strcmp(eq + 1, "true");
            end = (char *)eq + 1 + strlen(eq + 1);
        }
        if (end == eq + 1 || *end || !isfinite(v)) {
            snprintf(one, sizeof one, "%s=%s is not a number", p->name, val);
        } else if (p->type == SLAB_PARAM_INT && v != floor(v)) {
            snprintf(one, sizeof one, "%s must be a whole number, got %s", p->name, val);
        } else if (v < p->min || v > p->max) {
            snprintf(one, sizeof one, "%s=%s is outside the allowed range %s..%s", p->name,
                     val, slab_num_format(p->min, lo, sizeof lo),
                     slab_num_format(p->max, hi, sizeof hi));
        } else {
            out[found] = v;
            continue;
        }
        append(msg, sizeof msg, one);
        first = first ? first : code;
    }
    if (!msg[0])
        return SLAB_OK;
    slab_status st = slab_error_fail(err, first, "--param", "%s", msg);
    if (err && first == SLAB_EC_UNKNOWN_PARAM) {
        memcpy(err->suggest, sugg.suggest, sizeof err->suggest);
        memcpy(err->choices, sugg.choices, sizeof err->choices);
        if (sugg.suggest[0])
            slab_error_fix(err, "use --param %s=... (parameters of %s: %s)", sugg.suggest,
                           def->name, sugg.choices);
    }
    if (err && first == SLAB_EC_BAD_PARAM)
        slab_error_fix(err, "see each parameter's type and range: stratlab strategies");
    return st;
}
