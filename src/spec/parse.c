/* parse.c: the spec's schema (docs/spec.md, docs/spec.schema.json): reads
 * the JSON tree into struct slab_spec, checking types, required fields,
 * allowed values and ranges, and warning about unknown fields (with the
 * closest known name). Every problem carries the JSON pointer of the value
 * it is about; nothing stops at the first problem. */
#include "spec/spec_int.h"

#include "stratlab/data.h"
#include "stratlab/risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct pctx {
    slab_spec *s;
    slab_diags *d;
} pctx;

#define ERR(ptr, code, fix, ...) slab__diag(c->d, SLAB_DIAG_ERROR, code, ptr, 0, fix, __VA_ARGS__)
#define WARN(ptr, code, fix, ...) slab__diag(c->d, SLAB_DIAG_WARNING, code, ptr, 0, fix, __VA_ARGS__)

/* Names an expression cannot define: columns, broker state, calendar
 * values and keywords. */
static const char *const reserved[] = {
    "open", "high", "low", "close", "volume", "position", "entry_price", "bars_held", "cash",
    "equity", "time", "day", "weekday", "month", "year", "and", "or", "not", "true", "false"};

static const char *type_name(json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

static void ptr_join(char *out, size_t n, const char *base, const char *key)
{
    /* JSON pointer escaping: ~ -> ~0, / -> ~1 */
    size_t k = 0;
    while (base[k] && k + 2 < n) {
        out[k] = base[k];
        k++;
    }
    out[k++] = '/';
    for (const char *p = key; *p && k + 3 < n; p++) {
        if (*p == '~' || *p == '/') {
            out[k++] = '~';
            out[k++] = *p == '~' ? '0' : '1';
        } else {
            out[k++] = *p;
        }
    }
    out[k < n ? k : n - 1] = '\0';
}

static void ptr_index(char *out, size_t n, const char *base, size_t i)
{
    char num[24];
    snprintf(num, sizeof num, "%zu", i);
    ptr_join(out, n, base, num);
}

/* Warns about every member of obj not in known[], suggesting the closest. */
static void unknown_fields(pctx *c, json_t *obj, const char *base, const char *const *known,
                           size_t n_known, const char *where)
{
    const char *key;
    json_t *v;
    char ptr[PTR_MAX], fix[200];
    json_object_foreach(obj, key, v) {
        size_t k = 0;
        while (k < n_known && strcmp(known[k], key))
            k++;
        if (k < n_known)
            continue;
        const char *near = slab__closest(key, known, n_known);
        ptr_join(ptr, sizeof ptr, base, key);
        if (near)
            snprintf(fix, sizeof fix, "did you mean \"%s\"? (the field is ignored)", near);
        else
            snprintf(fix, sizeof fix, "remove it, or see docs/spec.md for the fields of %s", where);
        WARN(ptr, "unknown_field", fix, "unknown field \"%s\" in %s", key, where);
    }
}

/* A string member; NULL (with an error when required or of the wrong type). */
static const char *get_str(pctx *c, json_t *obj, const char *key, const char *base, int required,
                           char *ptr, size_t n)
{
    json_t *v = json_object_get(obj, key);
    ptr_join(ptr, n, base, key);
    if (!v) {
        if (required)
            ERR(ptr, "missing_field", "add it: see docs/spec.md", "\"%s\" is required", key);
        return NULL;
    }
    if (!json_is_string(v)) {
        ERR(ptr, "bad_type", "write it as a string in double quotes", "\"%s\" must be a string, not %s",
            key, type_name(v));
        return NULL;
    }
    return json_string_value(v);
}

/* A number member into *out; 0 when absent, 1 when read, -1 on error. */
static int get_num(pctx *c, json_t *obj, const char *key, const char *base, double *out,
                   const char *fix_example)
{
    char ptr[PTR_MAX];
    json_t *v = json_object_get(obj, key);
    ptr_join(ptr, sizeof ptr, base, key);
    if (!v)
        return 0;
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return 1;
    }
    if (json_is_string(v)) {
        const char *t = json_string_value(v);
        size_t l = strlen(t);
        char fix[200];
        if (l > 1 && t[l - 1] == '%') {
            double x = strtod(t, NULL);
            snprintf(fix, sizeof fix, "write the fraction as a number: %g (for %s)", x / 100.0, t);
            ERR(ptr, "bad_type", fix, "\"%s\" must be a number (a fraction), not the string \"%s\"",
                key, t);
            return -1;
        }
        snprintf(fix, sizeof fix, "write a number without quotes, e.g. %s", fix_example);
        ERR(ptr, "bad_type", fix, "\"%s\" must be a number, not the string \"%s\"", key, t);
        return -1;
    }
    char fix[200];
    snprintf(fix, sizeof fix, "write a number, e.g. %s", fix_example);
    ERR(ptr, "bad_type", fix, "\"%s\" must be a number, not %s", key, type_name(v));
    return -1;
}

/* An array of strings (or null); checks each element. */
static void check_str_array(pctx *c, json_t *obj, const char *key, const char *base)
{
    char ptr[PTR_MAX], ip[PTR_MAX];
    json_t *v = json_object_get(obj, key), *e;
    size_t i;
    if (!v || json_is_null(v))
        return;
    ptr_join(ptr, sizeof ptr, base, key);
    if (!json_is_array(v)) {
        ERR(ptr, "bad_type", "write a list of strings: [\"close\"]",
            "\"%s\" must be an array of strings, not %s", key, type_name(v));
        return;
    }
    json_array_foreach(v, i, e) if (!json_is_string(e))
    {
        ptr_index(ip, sizeof ip, ptr, i);
        ERR(ip, "bad_type", "write each element as a string", "\"%s\" elements must be strings, not %s",
            key, type_name(e));
    }
}

static size_t name_hash(const char *s)
{
    size_t h = 5381;
    while (*s)
        h = h * 33 + (unsigned char)*s++;
    return h;
}

spec_def *slab__find_def(const slab_spec *s, const char *name)
{
    if (!s->def_hash_cap)
        return NULL;
    for (size_t i = name_hash(name) & (s->def_hash_cap - 1); s->def_hash[i] >= 0;
         i = (i + 1) & (s->def_hash_cap - 1))
        if (!strcmp(s->defs[s->def_hash[i]].name, name))
            return &s->defs[s->def_hash[i]];
    return NULL;
}

/* Indexes the definition just added (defs[n_defs - 1]). */
static void index_def(slab_spec *s)
{
    size_t i = name_hash(s->defs[s->n_defs - 1].name) & (s->def_hash_cap - 1);
    while (s->def_hash[i] >= 0)
        i = (i + 1) & (s->def_hash_cap - 1);
    s->def_hash[i] = (int)s->n_defs - 1;
}

static int is_reserved(const char *name)
{
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (!strcasecmp(name, reserved[i]))
            return 1;
    return 0;
}

/* Checks a definition's name; returns 1 when it can be used. */
static int check_name(pctx *c, const char *name, const char *ptr)
{
    char fix[200];
    size_t len = strlen(name);
    if (!slab__is_ident(name, len) || len > 64) {
        snprintf(fix, sizeof fix, "start with a letter or _, then letters, digits or _, e.g. "
                 "\"sma_200\"");
        ERR(ptr, "bad_name", fix,
            "\"%s\" is not a name expressions can use (letters, digits and _, starting with a "
            "letter or _, at most 64)",
            name);
        return 0;
    }
    if (is_reserved(name)) {
        snprintf(fix, sizeof fix, "pick another name, e.g. \"%s_1\" or \"my_%s\"", name, name);
        ERR(ptr, "reserved_name", fix, "\"%s\" is a built-in name (a column, keyword or broker value)",
            name);
        return 0;
    }
    const spec_def *first = slab__find_def(c->s, name);
    if (first) {
        char f[300];
        snprintf(f, sizeof f, "rename one of them (the first is at %.200s)", first->name_pointer);
        ERR(ptr, "duplicate_name", f, "the name \"%s\" is defined twice", name);
        return 0;
    }
    return 1;
}

static void site_init(spec_site *site, const char *ptr, const char *text)
{
    snprintf(site->pointer, sizeof site->pointer, "%s", ptr);
    site->text = text;
    site->len = strlen(text);
}

/* ---- top-level settings --------------------------------------------------- */

static void parse_version(pctx *c, json_t *root)
{
    json_t *v = json_object_get(root, "version");
    if (!v)
        return;
    if ((json_is_number(v) && json_number_value(v) == 1.0) ||
        (json_is_string(v) && (!strcmp(json_string_value(v), "1") ||
                               !strcmp(json_string_value(v), "1.0"))))
        return;
    char shown[64];
    if (json_is_number(v))
        snprintf(shown, sizeof shown, "%g", json_number_value(v));
    else
        snprintf(shown, sizeof shown, "%.40s", json_is_string(v) ? json_string_value(v)
                                                                   : type_name(v));
    ERR("/version", "bad_version", "write \"version\": 1 (the format docs/spec.md describes)",
        "unsupported spec version %s; this stratlab reads version 1", shown);
}

static void parse_data(pctx *c, json_t *root)
{
    static const char *const known[] = {"symbols", "symbol", "timeframe", "start", "end",
                                        "pair_selection"};
    json_t *data = json_object_get(root, "data");
    slab_spec *s = c->s;
    char ptr[PTR_MAX];
    if (!data)
        return;
    if (!json_is_object(data)) {
        ERR("/data", "bad_type",
            "write {\"symbols\": [\"ORCL\"], \"timeframe\": \"1d\", \"start\": \"2000-01-01\", "
            "\"end\": \"2014-12-31\"}",
            "\"data\" must be an object, not %s", type_name(data));
        return;
    }
    unknown_fields(c, data, "/data", known, sizeof known / sizeof known[0], "data");
    json_t *syms = json_object_get(data, "symbols");
    const char *key = "symbols";
    if (!syms) {
        syms = json_object_get(data, "symbol");
        key = "symbol";
    }
    ptr_join(ptr, sizeof ptr, "/data", key);
    if (syms && json_is_string(syms)) {
        s->symbols = slab__arena_alloc(&s->arena, sizeof *s->symbols);
        if (s->symbols) {
            s->symbols[0] = json_string_value(syms);
            s->settings.n_symbols = 1;
        }
    } else if (syms && json_is_array(syms)) {
        size_t i, n = json_array_size(syms);
        json_t *e;
        s->symbols = slab__arena_alloc(&s->arena, (n ? n : 1) * sizeof *s->symbols);
        json_array_foreach(syms, i, e) {
            char ip[PTR_MAX];
            ptr_index(ip, sizeof ip, ptr, i);
            if (!json_is_string(e) || !json_string_length(e)) {
                ERR(ip, "bad_type", "write each symbol as a string, e.g. \"ORCL\"",
                    "a symbol must be a non-empty string, not %s", type_name(e));
                continue;
            }
            for (size_t k = 0; k < s->settings.n_symbols; k++)
                if (!strcmp(s->symbols[k], json_string_value(e)))
                    WARN(ip, "duplicate_symbol", "list each symbol once",
                         "the symbol %s is listed twice", json_string_value(e));
            if (s->symbols)
                s->symbols[s->settings.n_symbols++] = json_string_value(e);
        }
        if (n == 0)
            ERR(ptr, "empty_array", "name at least one symbol, e.g. [\"ORCL\"]",
                "\"%s\" is empty", key);
    } else if (syms) {
        ERR(ptr, "bad_type", "write a list of symbols: [\"ORCL\"]",
            "\"%s\" must be an array of strings, not %s", key, type_name(syms));
    }
    s->settings.symbols = s->symbols;
    const char *tf = get_str(c, data, "timeframe", "/data", 0, ptr, sizeof ptr);
    if (tf) {
        slab_timeframe t;
        int comp;
        slab_error e;
        if (slab_timeframe_parse(tf, &t, &comp, &e) != SLAB_OK)
            ERR(ptr, "bad_timeframe", "write 1d, 1w, 1mo, 1h, 5m or 1m", "%s", e.msg);
        else
            s->settings.timeframe = tf;
    }
    static const char *const ends[] = {"start", "end"};
    for (int k = 0; k < 2; k++) {
        const char *t = get_str(c, data, ends[k], "/data", 0, ptr, sizeof ptr);
        int64_t ts;
        int has_time;
        slab_error e;
        if (!t)
            continue;
        if (slab_time_parse(t, strlen(t), &ts, &has_time, &e) != SLAB_OK) {
            ERR(ptr, "bad_date", "write the date as YYYY-MM-DD, e.g. 2014-12-31", "%s", e.msg);
            continue;
        }
        if (k == 0) {
            s->settings.has_start = 1;
            s->settings.start_ns = ts;
        } else {
            s->settings.has_end = 1;
            s->settings.end_ns = has_time ? ts : ts + SLAB_NS_PER_DAY - 1;
        }
    }
    if (s->settings.has_start && s->settings.has_end && s->settings.end_ns < s->settings.start_ns)
        ERR("/data/end", "bad_range", "swap start and end", "data.end is before data.start");
    json_t *ps = json_object_get(data, "pair_selection");
    if (!ps)
        return;
    static const char *const ps_known[] = {"method", "formation_end", "description"};
    const char *example = "write {\"method\": \"min_distance\", \"formation_end\": \"2016-12-31\"}";
    if (!json_is_object(ps)) {
        ERR("/data/pair_selection", "bad_type", example,
            "\"pair_selection\" must be an object, not %s", type_name(ps));
        return;
    }
    unknown_fields(c, ps, "/data/pair_selection", ps_known,
                   sizeof ps_known / sizeof ps_known[0], "pair_selection");
    get_str(c, ps, "description", "/data/pair_selection", 0, ptr, sizeof ptr);
    const char *m = get_str(c, ps, "method", "/data/pair_selection", 1, ptr, sizeof ptr);
    int ok = 1;
    if (m && strcmp(m, "min_distance")) {
        ERR(ptr, "bad_value", "use \"min_distance\"",
            "unknown pair selection method \"%s\"; this stratlab knows min_distance", m);
        ok = 0;
    }
    const char *fe = get_str(c, ps, "formation_end", "/data/pair_selection", 1, ptr, sizeof ptr);
    if (fe) {
        int64_t ts;
        int has_time;
        slab_error e;
        if (slab_time_parse(fe, strlen(fe), &ts, &has_time, &e) != SLAB_OK) {
            ERR(ptr, "bad_date", "write the date as YYYY-MM-DD, e.g. 2016-12-31", "%s", e.msg);
            ok = 0;
        } else {
            s->settings.formation_end_ns = has_time ? ts : ts + SLAB_NS_PER_DAY - 1;
        }
    }
    if (s->settings.n_symbols < 2) {
        ERR("/data/pair_selection", "needs_universe",
            "list the candidates in data.symbols, e.g. [\"KO\", \"PEP\", \"XOM\"]",
            "pair_selection picks two of data.symbols, which names %zu", s->settings.n_symbols);
        ok = 0;
    }
    s->settings.pair_selection = ok && m && fe;
}

static void parse_money(pctx *c, json_t *root)
{
    slab_spec *s = c->s;
    double v;
    int r = get_num(c, root, "cash", "", &v, "\"cash\": 100000");
    if (r > 0) {
        if (!(v > 0.0) || !isfinite(v))
            ERR("/cash", "bad_value", "give the starting cash, e.g. 100000",
                "cash must be positive, got %g", v);
        else
            s->settings.has_cash = 1, s->settings.cash = v;
    }
    r = get_num(c, root, "commission", "", &v, "\"commission\": 0.001 (0.1%)");
    if (r > 0) {
        if (!(v >= 0.0 && v < 1.0))
            ERR("/commission", "bad_value",
                v >= 1.0 ? "commission is a fraction of the traded value: 0.001 means 0.1%"
                         : "give a fraction >= 0: 0.001 means 0.1%",
                "commission must be a fraction in [0, 1), got %g", v);
        else
            s->settings.has_commission = 1, s->settings.commission = v;
    }
    const char *conv = get_str(c, root, "conventions", "", 0, (char[PTR_MAX]){0}, PTR_MAX);
    s->settings.conventions = "backtrader";
    if (conv) {
        if (!strcasecmp(conv, "talib") || !strcasecmp(conv, "ta-lib")) {
            s->talib = 1;
            s->settings.conventions = "talib";
        } else if (strcasecmp(conv, "backtrader")) {
            ERR("/conventions", "bad_value",
                "write \"backtrader\" (the default: SMA means backtrader's SMA) or \"talib\"",
                "unknown conventions \"%s\"", conv);
        }
    }
}

/* ---- definitions ------------------------------------------------------------- */

static spec_def *new_def(pctx *c)
{
    slab_spec *s = c->s;
    spec_def *d = &s->defs[s->n_defs];
    memset(d, 0, sizeof *d);
    d->node = -1;
    return d;
}

static void parse_indicators(pctx *c, json_t *root)
{
    static const char *const known[] = {"name", "formula", "inputs", "parameters", "scope",
                                        "description"};
    static const char *const scopes[] = {"asset",    "per_asset", "time_series", "single",
                                         "cross_sectional", "universe", "portfolio", "pair"};
    json_t *arr = json_object_get(root, "indicators"), *it;
    char base[PTR_MAX], ptr[PTR_MAX];
    size_t i;
    if (!arr)
        return;
    if (!json_is_array(arr)) {
        ERR("/indicators", "bad_type",
            "write a list: [{\"name\": \"sma_20\", \"formula\": \"SMA(close, 20)\"}]",
            "\"indicators\" must be an array, not %s", type_name(arr));
        return;
    }
    json_array_foreach(arr, i, it) {
        snprintf(base, sizeof base, "/indicators/%zu", i);
        if (!json_is_object(it)) {
            ERR(base, "bad_type", "write {\"name\": ..., \"formula\": ...}",
                "an indicator must be an object, not %s", type_name(it));
            continue;
        }
        unknown_fields(c, it, base, known, sizeof known / sizeof known[0], "an indicator");
        char nptr[PTR_MAX];
        const char *name = get_str(c, it, "name", base, 1, nptr, sizeof nptr);
        const char *formula = get_str(c, it, "formula", base, 1, ptr, sizeof ptr);
        check_str_array(c, it, "inputs", base);
        json_t *params = json_object_get(it, "parameters");
        ptr_join(ptr, sizeof ptr, base, "parameters");
        if (params && !json_is_object(params) && !json_is_null(params)) {
            ERR(ptr, "bad_type", "write {\"period\": 20}", "\"parameters\" must be an object, not %s",
                type_name(params));
            params = NULL;
        } else if (params && json_is_object(params)) {
            const char *k;
            json_t *v;
            json_object_foreach(params, k, v) if (!json_is_number(v))
            {
                char pp[PTR_MAX];
                ptr_join(pp, sizeof pp, ptr, k);
                ERR(pp, "bad_type", "write the parameter as a number, e.g. 20",
                    "parameter \"%s\" must be a number, not %s", k, type_name(v));
            }
        }
        const char *scope = get_str(c, it, "scope", base, 0, ptr, sizeof ptr);
        if (scope) {
            size_t k = 0;
            while (k < sizeof scopes / sizeof scopes[0] && strcasecmp(scope, scopes[k]))
                k++;
            if (k == sizeof scopes / sizeof scopes[0])
                WARN(ptr, "bad_scope",
                     "use \"asset\" (per symbol, the default) or \"cross_sectional\" (across the "
                     "universe)",
                     "unknown scope \"%s\" (ignored)", scope);
        }
        if (!name || !check_name(c, name, nptr))
            continue;
        spec_def *d = new_def(c);
        d->name = name;
        d->is_indicator = 1;
        snprintf(d->name_pointer, sizeof d->name_pointer, "%s", nptr);
        snprintf(d->base, sizeof d->base, "%s", base);
        ptr_join(ptr, sizeof ptr, base, "formula");
        site_init(&d->site, ptr, formula ? formula : "");
        d->parameters = params && json_is_object(params) ? params : NULL;
        if (!formula)
            d->state = 3; /* reported; references to it stay quiet */
        c->s->n_defs++;
        index_def(c->s);
    }
}

static void parse_pipeline(pctx *c, json_t *root)
{
    static const char *const known[] = {"function", "description", "expression", "inputs",
                                        "output"};
    json_t *arr = json_object_get(root, "logic_pipeline"), *it;
    char base[PTR_MAX], ptr[PTR_MAX], optr[PTR_MAX];
    size_t i;
    if (!arr)
        return;
    if (!json_is_array(arr)) {
        ERR("/logic_pipeline", "bad_type",
            "write a list: [{\"expression\": \"close > sma_200\", \"output\": \"uptrend\"}]",
            "\"logic_pipeline\" must be an array, not %s", type_name(arr));
        return;
    }
    json_array_foreach(arr, i, it) {
        snprintf(base, sizeof base, "/logic_pipeline/%zu", i);
        if (!json_is_object(it)) {
            ERR(base, "bad_type", "write {\"expression\": ..., \"output\": ...}",
                "a pipeline step must be an object, not %s", type_name(it));
            continue;
        }
        unknown_fields(c, it, base, known, sizeof known / sizeof known[0], "a pipeline step");
        get_str(c, it, "function", base, 0, ptr, sizeof ptr);
        get_str(c, it, "description", base, 0, ptr, sizeof ptr);
        check_str_array(c, it, "inputs", base);
        const char *expr = get_str(c, it, "expression", base, 1, ptr, sizeof ptr);
        const char *out = get_str(c, it, "output", base, 1, optr, sizeof optr);
        if (!out || !check_name(c, out, optr))
            continue;
        spec_def *d = new_def(c);
        d->name = out;
        snprintf(d->name_pointer, sizeof d->name_pointer, "%s", optr);
        snprintf(d->base, sizeof d->base, "%s", base);
        ptr_join(ptr, sizeof ptr, base, "expression");
        site_init(&d->site, ptr, expr ? expr : "");
        if (!expr)
            d->state = 3;
        c->s->n_defs++;
        index_def(c->s);
    }
}

/* ---- execution plan ------------------------------------------------------------ */

static int action_of(const char *a)
{
    static const struct {
        const char *name;
        int action;
    } map[] = {{"buy", SLAB_SPEC_BUY},         {"long", SLAB_SPEC_BUY},
               {"enter_long", SLAB_SPEC_BUY},  {"sell", SLAB_SPEC_SELL},
               {"exit_long", SLAB_SPEC_SELL},  {"short", SLAB_SPEC_SHORT},
               {"sell_short", SLAB_SPEC_SHORT}, {"enter_short", SLAB_SPEC_SHORT},
               {"cover", SLAB_SPEC_COVER},     {"buy_to_cover", SLAB_SPEC_COVER},
               {"exit_short", SLAB_SPEC_COVER}, {"close", SLAB_SPEC_CLOSE},
               {"exit", SLAB_SPEC_CLOSE},      {"flatten", SLAB_SPEC_CLOSE},
               {"close_position", SLAB_SPEC_CLOSE}, {"rebalance", SLAB_SPEC_REBALANCE}};
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (!strcasecmp(a, map[k].name))
            return map[k].action;
    return -1;
}

/* "95%" or {"type": ..., "value": ...}. */
static void parse_sizing(pctx *c, json_t *v, const char *ptr, slab_spec_sizing *z)
{
    static const char *const known[] = {"type", "value", "lookback", "max_percent", "whole_shares",
                                        "description"};
    static const char *const types[] = {"percent_equity", "fixed_shares", "fixed_cash",
                                        "volatility_target"};
    memset(z, 0, sizeof *z);
    z->vol_node = -1;
    z->max_percent = 100.0;
    z->lookback = 20;
    if (!v || json_is_null(v))
        return;
    if (json_is_string(v)) {
        const char *t = json_string_value(v);
        char *end;
        double x = strtod(t, &end);
        if (end != t && end[0] == '%' && end[1] == '\0' && x > 0.0 && x <= 100.0) {
            z->kind = SLAB_SPEC_SIZE_PERCENT_EQUITY;
            z->value = x;
            return;
        }
        ERR(ptr, "bad_sizing",
            "write \"95%\" (percent of equity) or {\"type\": \"fixed_shares\", \"value\": 100}",
            "position_sizing \"%s\" is not a percent of equity in (0%%, 100%%]", t);
        return;
    }
    if (!json_is_object(v)) {
        ERR(ptr, "bad_type", "write \"95%\" or {\"type\": \"percent_equity\", \"value\": 95}",
            "position_sizing must be a string or an object, not %s", type_name(v));
        return;
    }
    unknown_fields(c, v, ptr, known, sizeof known / sizeof known[0], "position_sizing");
    char tp[PTR_MAX];
    const char *type = get_str(c, v, "type", ptr, 1, tp, sizeof tp);
    if (!type)
        return;
    static const struct {
        const char *name;
        int kind;
    } map[] = {{"percent_equity", SLAB_SPEC_SIZE_PERCENT_EQUITY},
               {"percent", SLAB_SPEC_SIZE_PERCENT_EQUITY},
               {"percent_of_equity", SLAB_SPEC_SIZE_PERCENT_EQUITY},
               {"fixed_shares", SLAB_SPEC_SIZE_FIXED_SHARES},
               {"shares", SLAB_SPEC_SIZE_FIXED_SHARES},
               {"fixed_cash", SLAB_SPEC_SIZE_FIXED_CASH},
               {"cash", SLAB_SPEC_SIZE_FIXED_CASH},
               {"volatility_target", SLAB_SPEC_SIZE_VOL_TARGET},
               {"vol_target", SLAB_SPEC_SIZE_VOL_TARGET}};
    int kind = -1;
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (!strcasecmp(type, map[k].name))
            kind = map[k].kind;
    if (kind < 0) {
        const char *near = slab__closest(type, types, 4);
        char fix[200];
        snprintf(fix, sizeof fix, "%s%s%suse percent_equity, fixed_shares, fixed_cash or "
                 "volatility_target",
                 near ? "did you mean " : "", near ? near : "", near ? "? " : "");
        ERR(tp, "bad_sizing", fix, "unknown position_sizing type \"%s\"", type);
        return;
    }
    z->kind = (slab_spec_sizing_kind)kind;
    double x = 0.0;
    char vp[PTR_MAX];
    ptr_join(vp, sizeof vp, ptr, "value");
    int r = get_num(c, v, "value", ptr, &x, "95");
    if (r == 0)
        ERR(vp, "missing_field", "add \"value\": percent, shares, cash or the target volatility",
            "position_sizing needs a \"value\"");
    if (r <= 0)
        return;
    z->value = x;
    if (kind == SLAB_SPEC_SIZE_PERCENT_EQUITY && !(x > 0.0 && x <= 100.0))
        ERR(vp, "bad_value", "a percent of equity is in (0, 100]: 95 means 95%",
            "percent_equity must be in (0, 100], got %g", x);
    else if ((kind == SLAB_SPEC_SIZE_FIXED_SHARES || kind == SLAB_SPEC_SIZE_FIXED_CASH) &&
             !(x > 0.0 && isfinite(x)))
        ERR(vp, "bad_value", "give a positive amount", "%s must be positive, got %g", type, x);
    else if (kind == SLAB_SPEC_SIZE_VOL_TARGET && !(x > 0.0 && x <= 5.0))
        ERR(vp, "bad_value", "the target is an annual volatility as a fraction: 0.15 means 15%",
            "volatility_target must be in (0, 5], got %g", x);
    if (get_num(c, v, "lookback", ptr, &x, "20") > 0) {
        ptr_join(vp, sizeof vp, ptr, "lookback");
        if (!(x >= 2 && x <= 10000 && x == floor(x)))
            ERR(vp, "bad_value", "give a whole number of bars from 2 to 10000",
                "lookback must be a whole number of bars >= 2, got %g", x);
        else
            z->lookback = (int)x;
    }
    if (get_num(c, v, "max_percent", ptr, &x, "100") > 0) {
        ptr_join(vp, sizeof vp, ptr, "max_percent");
        if (!(x > 0.0 && x <= 100.0))
            ERR(vp, "bad_value", "give a percent of equity in (0, 100]",
                "max_percent must be in (0, 100], got %g", x);
        else
            z->max_percent = x;
    }
    json_t *w = json_object_get(v, "whole_shares");
    if (w && !json_is_boolean(w)) {
        ptr_join(vp, sizeof vp, ptr, "whole_shares");
        ERR(vp, "bad_type", "write true or false", "whole_shares must be true or false");
    }
    z->whole_shares = json_is_true(w);
}

static void parse_plan(pctx *c, json_t *root)
{
    static const char *const known[] = {"trigger", "action", "position_sizing", "description"};
    static const char *const actions[] = {"buy", "sell", "short", "cover", "close", "rebalance"};
    json_t *arr = json_object_get(root, "execution_plan"), *it;
    slab_spec *s = c->s;
    char base[PTR_MAX], ptr[PTR_MAX];
    size_t i;
    if (!arr) {
        ERR("/execution_plan", "missing_field",
            "add rules: [{\"trigger\": \"crossover(sma_fast, sma_slow)\", \"action\": \"buy\"}]",
            "\"execution_plan\" is required: without it the strategy never trades");
        return;
    }
    if (!json_is_array(arr) || json_array_size(arr) == 0) {
        ERR("/execution_plan", json_is_array(arr) ? "empty_array" : "bad_type",
            "add rules: [{\"trigger\": \"crossover(sma_fast, sma_slow)\", \"action\": \"buy\"}]",
            json_is_array(arr) ? "\"execution_plan\" is empty: the strategy would never trade"
                               : "\"execution_plan\" must be an array of rules");
        return;
    }
    json_array_foreach(arr, i, it) {
        snprintf(base, sizeof base, "/execution_plan/%zu", i);
        if (!json_is_object(it)) {
            ERR(base, "bad_type", "write {\"trigger\": ..., \"action\": \"buy\"}",
                "a rule must be an object, not %s", type_name(it));
            continue;
        }
        unknown_fields(c, it, base, known, sizeof known / sizeof known[0], "an execution rule");
        get_str(c, it, "description", base, 0, ptr, sizeof ptr);
        const char *trig = get_str(c, it, "trigger", base, 1, ptr, sizeof ptr);
        char aptr[PTR_MAX];
        const char *act = get_str(c, it, "action", base, 1, aptr, sizeof aptr);
        spec_rule_src *r = &s->rules[s->n_rules];
        memset(r, 0, sizeof *r);
        snprintf(r->base, sizeof r->base, "%s", base);
        site_init(&r->trigger, ptr, trig ? trig : "");
        r->action = act ? action_of(act) : -1;
        if (act && r->action < 0) {
            const char *near = slab__closest(act, actions, 6);
            char fix[200];
            snprintf(fix, sizeof fix, "%s%s%suse buy, sell, short, cover, close or rebalance",
                     near ? "did you mean " : "", near ? near : "", near ? "? " : "");
            ERR(aptr, "bad_action", fix, "unknown action \"%s\"", act);
        }
        ptr_join(ptr, sizeof ptr, base, "position_sizing");
        parse_sizing(c, json_object_get(it, "position_sizing"), ptr, &r->sizing);
        if (r->sizing.kind != SLAB_SPEC_SIZE_RUN && r->action != SLAB_SPEC_BUY &&
            r->action != SLAB_SPEC_SHORT && r->action != SLAB_SPEC_REBALANCE && r->action >= 0)
            WARN(ptr, "sizing_ignored", "remove position_sizing from exits",
                 "position_sizing is ignored for %s: exits trade the whole position", act);
        if (trig && act && r->action >= 0)
            s->n_rules++;
    }
}

/* ---- risk management ------------------------------------------------------------ */

static const struct {
    const char *name, *key;
} risk_types[] = {{"stop_loss", "stop_loss"},        {"stop", "stop_loss"},
                  {"stoploss", "stop_loss"},         {"take_profit", "take_profit"},
                  {"profit_target", "take_profit"},  {"target", "take_profit"},
                  {"takeprofit", "take_profit"},     {"trailing_stop", "trail"},
                  {"trail", "trail"},                {"trailing", "trail"},
                  {"time_exit", "time_exit"},        {"max_holding_bars", "time_exit"},
                  {"holding_period", "time_exit"},   {"exit_at", "exit_at"},
                  {"session_exit", "exit_at"},       {"max_position", "max_position"},
                  {"position_limit", "max_position"}, {"atr_period", "atr_period"},
                  {"allow_pyramiding", "allow_pyramiding"}, {"pyramiding", "allow_pyramiding"}};

static void parse_risk(pctx *c, json_t *root)
{
    static const char *const known[] = {"type", "value", "description"};
    static const char *const canon[] = {"stop_loss", "take_profit", "trailing_stop", "time_exit",
                                        "exit_at", "max_position", "atr_period",
                                        "allow_pyramiding"};
    json_t *arr = json_object_get(root, "risk_management"), *it;
    slab_spec *s = c->s;
    char base[PTR_MAX], ptr[PTR_MAX], fix[300];
    size_t i;
    slab_risk_config scratch;
    memset(&scratch, 0, sizeof scratch);
    if (!arr)
        return;
    if (!json_is_array(arr)) {
        ERR("/risk_management", "bad_type", "write a list: [{\"type\": \"stop_loss\", \"value\": \"2%\"}]",
            "\"risk_management\" must be an array, not %s", type_name(arr));
        return;
    }
    json_array_foreach(arr, i, it) {
        snprintf(base, sizeof base, "/risk_management/%zu", i);
        if (!json_is_object(it)) {
            ERR(base, "bad_type", "write {\"type\": \"stop_loss\", \"value\": \"2%\"}",
                "a risk item must be an object, not %s", type_name(it));
            continue;
        }
        unknown_fields(c, it, base, known, sizeof known / sizeof known[0], "a risk item");
        get_str(c, it, "description", base, 0, ptr, sizeof ptr);
        json_t *tv = json_object_get(it, "type");
        if (!tv) {
            WARN(base, "risk_not_applied",
                 "give it a type and a value, e.g. {\"type\": \"stop_loss\", \"value\": \"2%\"}, "
                 "or express it in the execution plan",
                 "this risk item has no \"type\", so it is not applied");
            continue;
        }
        const char *type = get_str(c, it, "type", base, 1, ptr, sizeof ptr);
        if (!type)
            continue;
        const char *key = NULL;
        for (size_t k = 0; k < sizeof risk_types / sizeof risk_types[0]; k++)
            if (!strcasecmp(type, risk_types[k].name))
                key = risk_types[k].key;
        if (!key) {
            const char *near = slab__closest(type, canon, sizeof canon / sizeof canon[0]);
            snprintf(fix, sizeof fix,
                     "%s%s%suse stop_loss, take_profit, trailing_stop, time_exit, exit_at, "
                     "max_position, atr_period or allow_pyramiding",
                     near ? "did you mean " : "", near ? near : "", near ? "? " : "");
            ERR(ptr, "bad_risk_type", fix, "unknown risk type \"%s\"", type);
            continue;
        }
        json_t *v = json_object_get(it, "value");
        char vp[PTR_MAX], text[64];
        ptr_join(vp, sizeof vp, base, "value");
        int whole = !strcmp(key, "time_exit") || !strcmp(key, "atr_period");
        if (!v) {
            ERR(vp, "missing_field", "add \"value\", e.g. \"2%\" for a stop 2% from the entry",
                "a %s needs a \"value\"", type);
            continue;
        }
        if (json_is_string(v)) {
            snprintf(text, sizeof text, "%s", json_string_value(v));
        } else if (json_is_number(v) && (whole || !strcmp(key, "max_position"))) {
            snprintf(text, sizeof text, "%.17g", json_number_value(v));
        } else if (json_is_boolean(v) && !strcmp(key, "allow_pyramiding")) {
            snprintf(text, sizeof text, "%s", json_is_true(v) ? "true" : "false");
        } else if (json_is_number(v)) {
            double x = json_number_value(v);
            snprintf(fix, sizeof fix,
                     "write the level as text: \"%g%%\" for %g%% of the entry price, \"%g\" for a "
                     "price distance, \"%gatr\" for ATR multiples%s",
                     x < 1 ? x * 100 : x, x < 1 ? x * 100 : x, x, x,
                     !strcmp(key, "trail") ? " (percent or distance only)" : "");
            ERR(vp, "ambiguous_level", fix, "the %s level %g is ambiguous (percent, fraction or price?)",
                type, x);
            continue;
        } else {
            ERR(vp, "bad_type", "write the value as text, e.g. \"2%\"",
                "a %s value must be a string, not %s", type, type_name(v));
            continue;
        }
        slab_error e;
        if (slab_risk_set(&scratch, key, text, &e) != SLAB_OK) {
            snprintf(fix, sizeof fix, "%.290s", e.msg);
            ERR(vp, "bad_risk_value", fix, "\"%s\" is not a valid %s", text, type);
            continue;
        }
        for (size_t k = 0; k < s->n_risk; k++)
            if (!strcmp(s->risk[k].key, key) && strcmp(key, "max_position")) {
                snprintf(fix, sizeof fix, "keep one of them (the first is %s)", s->risk[k].pointer);
                ERR(base, "duplicate_risk", fix, "%s is given twice", type);
                key = NULL;
                break;
            }
        if (!key)
            continue;
        spec_risk_item *r = &s->risk[s->n_risk++];
        snprintf(r->key, sizeof r->key, "%s", key);
        snprintf(r->value, sizeof r->value, "%s", text);
        snprintf(r->pointer, sizeof r->pointer, "%s", vp);
    }
    s->program.risk = scratch;
}

/* ---- expected performance --------------------------------------------------------- */

static void parse_expected(pctx *c, json_t *root)
{
    static const char *const known[] = {"sharpe", "annual_return", "max_drawdown", "total_return",
                                        "thresholds"};
    static const char *const metrics[] = {"sharpe", "annual_return", "max_drawdown",
                                          "total_return"};
    json_t *ep = json_object_get(root, "expected_performance");
    slab_spec *s = c->s;
    slab_spec_expected *x = &s->expected;
    if (!ep || json_is_null(ep))
        return;
    if (!json_is_object(ep)) {
        ERR("/expected_performance", "bad_type",
            "write {\"sharpe\": 1.2, \"annual_return\": 0.15, \"max_drawdown\": 0.2}",
            "\"expected_performance\" must be an object, not %s", type_name(ep));
        return;
    }
    unknown_fields(c, ep, "/expected_performance", known, sizeof known / sizeof known[0],
                   "expected_performance");
    s->has_expected = 1;
    int *has[4] = {&x->has_sharpe, &x->has_annual_return, &x->has_max_drawdown,
                   &x->has_total_return};
    double *val[4] = {&x->sharpe, &x->annual_return, &x->max_drawdown, &x->total_return};
    static const char *const ex[] = {"1.2", "0.15 (15%)", "0.25 (25%)", "0.8 (80%)"};
    for (int k = 0; k < 4; k++) {
        double v;
        char ptr[PTR_MAX];
        ptr_join(ptr, sizeof ptr, "/expected_performance", metrics[k]);
        if (get_num(c, ep, metrics[k], "/expected_performance", &v, ex[k]) <= 0)
            continue;
        if (k == 2) {
            if (v < 0.0) {
                WARN(ptr, "negative_drawdown", "write the drawdown as a positive fraction",
                     "max_drawdown %g is negative; read as %g", v, -v);
                v = -v;
            }
            if (v > 1.0) {
                char fix[120];
                snprintf(fix, sizeof fix, "write the drawdown as a fraction: %g for %g%%", v / 100.0,
                         v);
                ERR(ptr, "bad_value", fix, "max_drawdown %g is more than 100%%", v);
                continue;
            }
        } else if ((k == 1 || k == 3) && (v > 5.0 || v <= -1.0)) {
            char fix[120];
            snprintf(fix, sizeof fix, "returns are fractions: write %g for %g%%", v / 100.0, v);
            WARN(ptr, "suspicious_value", fix, "%s %g means %g%%; is it a percent?", metrics[k], v,
                 v * 100.0);
        } else if (k == 0 && fabs(v) > 10.0) {
            WARN(ptr, "suspicious_value", "check the paper's number",
                 "a Sharpe ratio of %g is unusual", v);
        }
        *has[k] = 1;
        *val[k] = v;
    }
    json_t *th = json_object_get(ep, "thresholds");
    if (th && !json_is_object(th)) {
        ERR("/expected_performance/thresholds", "bad_type",
            "write {\"sharpe\": 0.2, \"annual_return\": 0.2, \"max_drawdown\": 0.1}",
            "thresholds must be an object, not %s", type_name(th));
    } else if (th) {
        unknown_fields(c, th, "/expected_performance/thresholds", metrics, 4, "thresholds");
        for (int k = 0; k < 4; k++) {
            double v;
            char ptr[PTR_MAX];
            ptr_join(ptr, sizeof ptr, "/expected_performance/thresholds", metrics[k]);
            if (get_num(c, th, metrics[k], "/expected_performance/thresholds", &v, "0.2") <= 0)
                continue;
            if (!(v >= 0.0 && v <= 100.0)) {
                ERR(ptr, "bad_value",
                    "a threshold is a fraction: 0.2 means 20% (relative for Sharpe and returns, "
                    "percentage points / 100 for max_drawdown)",
                    "threshold %g is out of range", v);
                continue;
            }
            x->has_thresholds[k] = 1;
            x->thresholds[k] = v;
        }
    }
}

void slab__spec_parse(slab_spec *s, slab_diags *d)
{
    static const char *const known[] = {
        "version",    "strategy_name", "strategy_type",   "asset_class",     "description",
        "conventions", "data",         "cash",            "commission",      "indicators",
        "logic_pipeline", "execution_plan", "risk_management", "expected_performance"};
    pctx cc = {s, d}, *c = &cc;
    json_t *root = s->root;
    char ptr[PTR_MAX];
    unknown_fields(c, root, "", known, sizeof known / sizeof known[0], "a spec");
    parse_version(c, root);
    s->name = get_str(c, root, "strategy_name", "", 1, ptr, sizeof ptr);
    if (s->name && !s->name[0]) {
        ERR("/strategy_name", "empty_string", "name the strategy", "\"strategy_name\" is empty");
    }
    if (!s->name)
        s->name = "spec";
    get_str(c, root, "strategy_type", "", 0, ptr, sizeof ptr);
    get_str(c, root, "description", "", 0, ptr, sizeof ptr);
    json_t *ac = json_object_get(root, "asset_class");
    if (ac && !json_is_string(ac))
        check_str_array(c, root, "asset_class", "");
    parse_money(c, root);
    parse_data(c, root);
    /* Room for every definition and rule the arrays could hold. */
    size_t n_ind = json_array_size(json_object_get(root, "indicators"));
    size_t n_pipe = json_array_size(json_object_get(root, "logic_pipeline"));
    size_t n_plan = json_array_size(json_object_get(root, "execution_plan"));
    size_t n_risk = json_array_size(json_object_get(root, "risk_management"));
    s->defs = slab__arena_alloc(&s->arena, (n_ind + n_pipe + 1) * sizeof *s->defs);
    s->def_hash_cap = 16;
    while (s->def_hash_cap < 2 * (n_ind + n_pipe + 1))
        s->def_hash_cap *= 2;
    s->def_hash = slab__arena_alloc(&s->arena, s->def_hash_cap * sizeof *s->def_hash);
    if (s->def_hash)
        memset(s->def_hash, 0xff, s->def_hash_cap * sizeof *s->def_hash);
    s->rules = slab__arena_alloc(&s->arena, (n_plan + 1) * sizeof *s->rules);
    s->risk = slab__arena_alloc(&s->arena, (n_risk + 1) * sizeof *s->risk);
    if (!s->defs || !s->rules || !s->risk || !s->def_hash) {
        ERR("", "out_of_memory", "simplify the spec", "out of memory reading the spec");
        return;
    }
    parse_indicators(c, root);
    parse_pipeline(c, root);
    parse_plan(c, root);
    parse_risk(c, root);
    parse_expected(c, root);
}
