/* registry.c: the one table of built-in strategies and parameter
 * resolution with range checks. */
#include "stratlab/strategies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const slab_strategy_def slab__strategy_sma_cross, slab__strategy_rsi_reversion,
    slab__strategy_bbands_reversion, slab__strategy_buy_hold, slab__strategy_macd_trail,
    slab__strategy_orb;

static const slab_strategy_def *const table[] = {
    &slab__strategy_sma_cross,
    &slab__strategy_rsi_reversion,
    &slab__strategy_bbands_reversion,
    &slab__strategy_buy_hold,
    &slab__strategy_macd_trail,
    &slab__strategy_orb,
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

/* A TEXT or TIME parameter's value from its text: 0, or -1 with the
 * problem in one (cap bytes). shown is the text escaped for messages. */
static int other_param(const slab_param_def *p, const char *text, const char *shown, double *v,
                       char *one, size_t cap)
{
    if (p->type == SLAB_PARAM_TEXT) {
        size_t n = strlen(text);
        if (n >= 32 || strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789._^-") != n) {
            snprintf(one, cap, "%s=%s is not a word (letters, digits, . _ ^ -; under 32)",
                     p->name, shown);
            return -1;
        }
        *v = n > 0;
        return 0;
    }
    int hh, mm, used = 0;
    if (sscanf(text, "%2d:%2d%n", &hh, &mm, &used) != 2 || text[used] || hh < 0 || hh > 23 ||
        mm < 0 || mm > 59 || (double)(hh * 60 + mm) < p->min || (double)(hh * 60 + mm) > p->max) {
        snprintf(one, cap, "%s=%s is not a time of day HH:MM from %02d:%02d to %02d:%02d",
                 p->name, shown, (int)p->min / 60, (int)p->min % 60, (int)p->max / 60,
                 (int)p->max % 60);
        return -1;
    }
    *v = hh * 60 + mm;
    return 0;
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
        if (p->type == SLAB_PARAM_TEXT || p->type == SLAB_PARAM_TIME) {
            if (other_param(p, eq + 1, val, &out[found], one, sizeof one)) {
                append(msg, sizeof msg, one);
                first = first ? first : code;
            }
            continue;
        }
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
