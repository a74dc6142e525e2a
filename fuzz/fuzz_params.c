/* fuzz_params.c: libFuzzer harness for parameter text: a strategy's
 * "name=value" parameters (slab_strategy_resolve_params, what --param and
 * the API's params give), indicator and strategy names (slab_ind_find,
 * slab_strategy_find with their "did you mean") and indicator parameter
 * names (slab_ind_param_index). Input: lines; the first names a strategy
 * or indicator, the rest are name=value. Checks beyond ASan+UBSan: a
 * resolved parameter is inside its range (whole when an int), a failure's
 * message is printable and non-empty. Run: scripts/fuzz.sh params SECONDS. */
#include "stratlab/ind.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LINES 16

/* A printable message: no byte below 0x20 and no DEL (UTF-8 is fine). */
static void check_text(const char *what, const char *s)
{
    if (!s[0]) {
        fprintf(stderr, "%s is empty\n", what);
        abort();
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) {
            fprintf(stderr, "%s has raw byte 0x%02X: %s\n", what, *p, s);
            abort();
        }
}

/* Resolves lines as the strategy's parameters and checks the outcome. */
static void strategy_params(const slab_strategy_def *def, const char *const *kv, size_t n)
{
    double out[64];
    slab_error err;
    if (def->n_params > 64)
        return;
    if (slab_strategy_resolve_params(def, kv, n, out, &err) != SLAB_OK) {
        check_text("strategy parameter message", err.msg);
        return;
    }
    for (int k = 0; k < def->n_params; k++) {
        const slab_param_def *p = &def->params[k];
        if (!(out[k] >= p->min && out[k] <= p->max) ||
            (p->type == SLAB_PARAM_INT && out[k] != floor(out[k]))) {
            fprintf(stderr, "%s %s = %.17g accepted outside %g..%g\n", def->name, p->name, out[k],
                    p->min, p->max);
            abort();
        }
    }
}

/* Looks the first line up as an indicator, then each name= as one of its
 * parameters. */
static void indicator_names(const char *name, const char *const *kv, size_t n)
{
    slab_error err;
    const slab_ind_def *def = slab_ind_find(name, &err);
    if (!def) {
        check_text("indicator message", err.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char pname[64];
        const char *eq = strchr(kv[i], '=');
        size_t len = eq ? (size_t)(eq - kv[i]) : strlen(kv[i]);
        snprintf(pname, sizeof pname, "%.*s", (int)(len < 63 ? len : 63), kv[i]);
        int k = slab_ind_param_index(def, pname);
        if (k >= def->n_params || k < -1)
            abort();
        if (k >= 0 && strcasecmp(def->params[k].name, pname) && strcasecmp(pname, "period"))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    const char *lines[MAX_LINES];
    size_t n = 0, tn;
    slab_error err;

    if (!text || size < 1)
        goto out;
    memcpy(text, data, size);
    text[size] = '\0';
    for (char *p = text; n < MAX_LINES;) {
        lines[n++] = p;
        char *nl = memchr(p, '\n', (size_t)(text + size - p));
        if (!nl)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    const slab_strategy_def *const *table = slab_strategy_table(&tn);
    const slab_strategy_def *def = slab_strategy_find(lines[0], &err);
    if (!def) {
        check_text("strategy message", err.msg);
        def = table[(unsigned char)data[0] % tn];
    }
    strategy_params(def, lines + 1, n - 1);
    indicator_names(lines[0], lines + 1, n - 1);
out:
    free(text);
    return 0;
}
