/* templates.c: the script templates (seed 000's Script Template System):
 * each a C file embedded in the binary (src/script/templates/NAME.c.in,
 * see embed.cmake) with {{placeholders}}, and a table of typed variables.
 * Rendering checks every given value against its type first (tickers
 * ^[A-Z0-9.\-]{1,12}$, ISO dates, HH:MM times, numbers in ranges, enums,
 * lists) and reports every problem at once, each with the allowed form;
 * only canonical text made from a checked value is written into the file
 * (numbers reprinted, never the user's bytes), so a value cannot change
 * the code around it.
 * Placeholders: {{name}} (the canonical value: numbers as C literals,
 * booleans 1/0, ticker_opt "none" when empty), {{name.minutes}} (a time
 * as minutes after midnight), {{name.hint}} (a ticker_opt as
 * " --market SYM" or ""), {{file}} (the file name, folders dropped and
 * checked), {{vars}} (every variable as name=value). */
#include "script/script_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char slab__embed_tpl_orb[];
extern const char slab__embed_tpl_indicator_signal[];
extern const char slab__embed_tpl_mean_reversion[];
extern const char slab__embed_tpl_momentum[];
extern const char slab__embed_tpl_param_compare[];

/* ---- the table ---------------------------------------------------------- */

static const slab_template_var orb_vars[] = {
    {"ticker", SLAB_TVAR_TICKER, NULL, 0, 0, NULL, "the traded symbol (HOOD)"},
    {"date", SLAB_TVAR_DATE, NULL, 0, 0, NULL, "the session to run (YYYY-MM-DD)"},
    {"market_filter", SLAB_TVAR_TICKER_OPT, "none", 0, 0, NULL,
     "a second symbol that must be up on its previous close (QQQ), or none"},
    {"trailing_stop_pct", SLAB_TVAR_FLOAT, "2", 0, 99, NULL,
     "trailing stop distance, percent of the close; 0 = none"},
    {"opening_range_minutes", SLAB_TVAR_INT, "5", 1, 390, NULL, "opening range length, minutes"},
    {"exit_time", SLAB_TVAR_TIME, "15:55", 0, 0, NULL, "session exit time (HH:MM)"},
    {"direction", SLAB_TVAR_ENUM, "long", 0, 0, "long,short,both", "which breakouts to trade"},
    {"stop_at_range", SLAB_TVAR_BOOL, "false", 0, 0, NULL,
     "protective stop at the range's opposite edge"},
    {"take_profit_r", SLAB_TVAR_FLOAT, "0", 0, 100, NULL,
     "target, multiples of the range's height; 0 = none"},
    {"skip_earnings", SLAB_TVAR_BOOL, "false", 0, 0, NULL,
     "no entry on a session around an earnings release (the store's calendar)"},
};

static const slab_template_var signal_vars[] = {
    {"ticker", SLAB_TVAR_TICKER, NULL, 0, 0, NULL, "the traded symbol (ORCL)"},
    {"from", SLAB_TVAR_DATE, NULL, 0, 0, NULL, "first day (YYYY-MM-DD)"},
    {"to", SLAB_TVAR_DATE, NULL, 0, 0, NULL, "last day (YYYY-MM-DD)"},
    {"average", SLAB_TVAR_ENUM, "SMA_BT", 0, 0, "SMA_BT,EMA,WMA,SMA",
     "the moving average (indicator name)"},
    {"fast", SLAB_TVAR_INT, "10", 2, 500, NULL, "fast average period, bars"},
    {"slow", SLAB_TVAR_INT, "30", 3, 1000, NULL, "slow average period, bars (> fast)"},
};

static const slab_template_var meanrev_vars[] = {
    {"ticker", SLAB_TVAR_TICKER, NULL, 0, 0, NULL, "the traded symbol (ORCL)"},
    {"from", SLAB_TVAR_DATE, NULL, 0, 0, NULL, "first day (YYYY-MM-DD)"},
    {"to", SLAB_TVAR_DATE, NULL, 0, 0, NULL, "last day (YYYY-MM-DD)"},
    {"period", SLAB_TVAR_INT, "14", 2, 200, NULL, "RSI period, bars"},
    {"oversold", SLAB_TVAR_FLOAT, "30", 1, 50, NULL, "buy when the RSI falls below this"},
    {"overbought", SLAB_TVAR_FLOAT, "70", 50, 99, NULL, "sell when the RSI rises above this"},
};

static const slab_template_var momentum_vars[] = {
    {"ticker", SLAB_TVAR_TICKER, NULL, 0, 0, NULL, "the traded symbol (ORCL)"},
    {"from", SLAB_TVAR_DATE, NULL, 0, 0, NULL, "first day (YYYY-MM-DD)"},
    {"to", SLAB_TVAR_DATE, NULL, 0, 0, NULL, "last day (YYYY-MM-DD)"},
    {"lookback", SLAB_TVAR_INT, "20", 1, 500, NULL, "rate-of-change period, bars"},
    {"threshold_pct", SLAB_TVAR_FLOAT, "5", -100, 1000, NULL,
     "buy when the change over lookback exceeds this, percent; sell below 0"},
};

static const slab_template_var compare_vars[] = {
    {"ticker", SLAB_TVAR_TICKER, NULL, 0, 0, NULL, "the traded symbol (HOOD)"},
    {"date", SLAB_TVAR_DATE, NULL, 0, 0, NULL, "the session to run (YYYY-MM-DD)"},
    {"market_filter", SLAB_TVAR_TICKER_OPT, "none", 0, 0, NULL,
     "a second symbol that must be up on its previous close, or none"},
    {"trailing_stops", SLAB_TVAR_LIST, "1,2,3,4,5", 0, 99, NULL,
     "the trailing stops to compare, percent (1 to 20 values)"},
    {"opening_range_minutes", SLAB_TVAR_INT, "5", 1, 390, NULL, "opening range length, minutes"},
    {"exit_time", SLAB_TVAR_TIME, "15:55", 0, 0, NULL, "session exit time (HH:MM)"},
};

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const slab_template t_orb = {
    "orb", "opening-range breakout: trailing stop, market filter, MFE/MAE per trade",
    orb_vars, N(orb_vars), slab__embed_tpl_orb};
static const slab_template t_signal = {
    "indicator_signal", "basic indicator signal: buy when a fast average crosses above a slow one",
    signal_vars, N(signal_vars), slab__embed_tpl_indicator_signal};
static const slab_template t_meanrev = {
    "mean_reversion", "mean reversion: buy an oversold RSI, sell an overbought one",
    meanrev_vars, N(meanrev_vars), slab__embed_tpl_mean_reversion};
static const slab_template t_momentum = {
    "momentum", "momentum: buy when the rate of change over a lookback passes a threshold",
    momentum_vars, N(momentum_vars), slab__embed_tpl_momentum};
static const slab_template t_compare = {
    "param_compare",
    "parameter comparison: the orb over a list of trailing stops, results side by side",
    compare_vars, N(compare_vars), slab__embed_tpl_param_compare};

static const slab_template *const table[] = {&t_orb, &t_signal, &t_meanrev, &t_momentum,
                                             &t_compare};

const slab_template *const *slab_template_table(size_t *n)
{
    *n = sizeof table / sizeof table[0];
    return table;
}

const slab_template *slab_template_find(const char *name, slab_error *err)
{
    char names[256] = "";
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        if (name && !strcmp(name, table[k]->name))
            return table[k];
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", k ? ", " : "", table[k]->name);
    }
    char shown[40];
    snprintf(shown, sizeof shown, "%s", name ? name : "");
    slab__text_sanitize(shown, strlen(shown));
    slab_error_set(err, SLAB_EINVAL, "template", "no template '%s'; the templates are: %s "
                   "(stratlab script templates lists them with their variables)", shown, names);
    return NULL;
}

/* ---- checking values ----------------------------------------------------- */

static const char *type_name(slab_tvar_type t)
{
    static const char *const n[] = {"ticker", "ticker_opt", "date", "time", "int",
                                    "float",  "bool",       "enum", "list"};
    return (unsigned)t < sizeof n / sizeof n[0] ? n[t] : "?";
}

/* The allowed form of v, for messages and the listing. */
static void allowed_form(const slab_template_var *v, char *out, size_t cap)
{
    switch (v->type) {
    case SLAB_TVAR_TICKER:
        snprintf(out, cap, "a ticker: 1-12 of A-Z 0-9 . - (e.g. HOOD, BRK.B)");
        break;
    case SLAB_TVAR_TICKER_OPT:
        snprintf(out, cap, "a ticker (1-12 of A-Z 0-9 . -) or none");
        break;
    case SLAB_TVAR_DATE: snprintf(out, cap, "a date YYYY-MM-DD (e.g. 2025-07-31)"); break;
    case SLAB_TVAR_TIME: snprintf(out, cap, "a time HH:MM, 00:00 to 23:59"); break;
    case SLAB_TVAR_INT: snprintf(out, cap, "a whole number from %g to %g", v->min, v->max); break;
    case SLAB_TVAR_FLOAT: snprintf(out, cap, "a number from %g to %g", v->min, v->max); break;
    case SLAB_TVAR_BOOL: snprintf(out, cap, "true or false"); break;
    case SLAB_TVAR_ENUM: snprintf(out, cap, "one of %s", v->choices); break;
    case SLAB_TVAR_LIST:
        snprintf(out, cap, "1 to 20 numbers from %g to %g separated by commas (e.g. 1,2,3)",
                 v->min, v->max);
        break;
    }
}

/* A decimal number in plain notation only (no hex, inf, nan, spaces). */
static int parse_num(const char *s, size_t len, double *out)
{
    char buf[40];
    if (len == 0 || len >= sizeof buf)
        return 0;
    for (size_t k = 0; k < len; k++)
        if (!strchr("0123456789.-+eE", s[k]))
            return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double x = strtod(buf, &end);
    if (*end || end == buf || !isfinite(x))
        return 0;
    *out = x;
    return 1;
}

/* Writes x as a C number literal: the fewest decimals that give x back
 * (plain notation for everyday magnitudes), else %.17g. */
static void num_text(double x, char *out, size_t cap)
{
    if (x == 0.0 || (fabs(x) >= 1e-6 && fabs(x) < 1e15)) {
        for (int d = 0; d <= 17; d++) {
            snprintf(out, cap, "%.*f", d, x);
            if (strtod(out, NULL) == x)
                return;
        }
    }
    snprintf(out, cap, "%.17g", x);
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Checks value against v; on success the canonical text goes to out and,
 * for a time, its minutes to *minutes. */
static int check_value(const slab_template_var *v, const char *value, char *out, size_t cap,
                       int *minutes)
{
    size_t len = strlen(value);
    double x;
    switch (v->type) {
    case SLAB_TVAR_TICKER_OPT:
        if (len == 0 || !strcmp(value, "none")) {
            snprintf(out, cap, "none");
            return 1;
        }
        /* fall through */
    case SLAB_TVAR_TICKER:
        if (len < 1 || len > 12 || strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != len)
            return 0;
        snprintf(out, cap, "%s", value);
        return 1;
    case SLAB_TVAR_DATE: {
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (len != 10 || value[4] != '-' || value[7] != '-' ||
            strspn(value, "0123456789") != 4 || strspn(value + 5, "0123456789") != 2 ||
            strspn(value + 8, "0123456789") != 2)
            return 0;
        int y = atoi(value), m = atoi(value + 5), d = atoi(value + 8);
        if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 ||
            d > mdays[m - 1] + (m == 2 && leap(y)))
            return 0;
        snprintf(out, cap, "%04d-%02d-%02d", y, m, d);
        return 1;
    }
    case SLAB_TVAR_TIME: {
        if (len != 5 || value[2] != ':' || strspn(value, "0123456789") != 2 ||
            strspn(value + 3, "0123456789") != 2)
            return 0;
        int h = atoi(value), mi = atoi(value + 3);
        if (h > 23 || mi > 59)
            return 0;
        snprintf(out, cap, "%02d:%02d", h, mi);
        *minutes = h * 60 + mi;
        return 1;
    }
    case SLAB_TVAR_INT:
        if (!parse_num(value, len, &x) || x != floor(x) || x < v->min || x > v->max)
            return 0;
        snprintf(out, cap, "%.0f", x);
        return 1;
    case SLAB_TVAR_FLOAT:
        if (!parse_num(value, len, &x) || x < v->min || x > v->max)
            return 0;
        num_text(x, out, cap);
        return 1;
    case SLAB_TVAR_BOOL:
        if (!strcmp(value, "true") || !strcmp(value, "1"))
            snprintf(out, cap, "1");
        else if (!strcmp(value, "false") || !strcmp(value, "0"))
            snprintf(out, cap, "0");
        else
            return 0;
        return 1;
    case SLAB_TVAR_ENUM: {
        const char *c = v->choices;
        while (*c) {
            size_t l = strcspn(c, ",");
            if (l == len && !strncmp(c, value, len)) {
                snprintf(out, cap, "%s", value);
                return 1;
            }
            c += l + (c[l] == ',');
        }
        return 0;
    }
    case SLAB_TVAR_LIST: {
        size_t n = 0, used = 0;
        const char *p = value;
        out[0] = '\0';
        while (1) {
            size_t l = strcspn(p, ",");
            char t[40];
            if (!parse_num(p, l, &x) || x < v->min || x > v->max || ++n > 20)
                return 0;
            num_text(x, t, sizeof t);
            used += (size_t)snprintf(out + used, used < cap ? cap - used : 0, "%s%s",
                                     n > 1 ? "," : "", t);
            if (used >= cap)
                return 0;
            if (!p[l])
                break;
            p += l + 1;
        }
        return 1;
    }
    }
    return 0;
}

/* ---- rendering ------------------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 8192) + n;
        char *q = slab_realloc(b->p, cap);
        if (!q) {
            b->oom = 1;
            return;
        }
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

#define VAL_MAX 256

/* Appends a problem to err's message ("; "-separated). */
static void add_problem(slab_error *err, int *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void add_problem(slab_error *err, int *n, const char *fmt, ...)
{
    va_list ap;
    size_t l = strlen(err->msg);
    if (*n && l + 2 < sizeof err->msg) {
        memcpy(err->msg + l, "; ", 3);
        l += 2;
    }
    va_start(ap, fmt);
    vsnprintf(err->msg + l, sizeof err->msg - l, fmt, ap);
    va_end(ap);
    (*n)++;
}

slab_status slab_template_render(const slab_template *t, const char *const *kv, size_t n_kv,
                                 const char *file_name, char **out, slab_error *err)
{
    char vals[32][VAL_MAX], form[160], fname[64];
    int minutes[32], set[32] = {0}, problems = 0;
    *out = NULL;
    if (t->n_vars > 32)
        return slab_error_set(err, SLAB_EINVAL, "template", "template %s has too many variables",
                              t->name);
    slab_error_set(err, SLAB_EINVAL, "template", "%s", "");
    snprintf(err->where, sizeof err->where, "template %s", t->name);
    for (size_t k = 0; k < n_kv; k++) {
        const char *eq = strchr(kv[k], '=');
        int i = 0;
        size_t nl = eq ? (size_t)(eq - kv[k]) : strlen(kv[k]);
        for (; i < t->n_vars; i++)
            if (strlen(t->vars[i].name) == nl && !strncmp(t->vars[i].name, kv[k], nl))
                break;
        char shown[48];
        snprintf(shown, sizeof shown, "%.*s", (int)(nl < 40 ? nl : 40), kv[k]);
        slab__text_sanitize(shown, strlen(shown));
        if (!eq) {
            add_problem(err, &problems, "--set %s: give name=value", shown);
            continue;
        }
        if (i == t->n_vars) {
            char names[400] = "";
            for (int j = 0; j < t->n_vars; j++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
                         j ? ", " : "", t->vars[j].name);
            add_problem(err, &problems, "unknown variable %s (%s takes: %s)", shown, t->name,
                        names);
            continue;
        }
        if (set[i]) {
            add_problem(err, &problems, "%s is set twice", t->vars[i].name);
            continue;
        }
        set[i] = 1;
        if (!check_value(&t->vars[i], eq + 1, vals[i], VAL_MAX, &minutes[i])) {
            char v[48];
            snprintf(v, sizeof v, "%.40s", eq + 1);
            slab__text_sanitize(v, strlen(v));
            allowed_form(&t->vars[i], form, sizeof form);
            add_problem(err, &problems, "%s=%s is not valid: use %s", t->vars[i].name, v, form);
        }
    }
    for (int i = 0; i < t->n_vars; i++) {
        if (set[i])
            continue;
        if (!t->vars[i].def) {
            allowed_form(&t->vars[i], form, sizeof form);
            add_problem(err, &problems, "%s is required (--set %s=VALUE, %s)", t->vars[i].name,
                        t->vars[i].name, form);
        } else if (!check_value(&t->vars[i], t->vars[i].def, vals[i], VAL_MAX, &minutes[i])) {
            add_problem(err, &problems, "%s: the default is invalid", t->vars[i].name);
        }
    }
    if (problems)
        return err->code;
    /* the file name: its last part, plain characters only */
    const char *base = file_name ? strrchr(file_name, '/') : NULL;
    base = base ? base + 1 : file_name && *file_name ? file_name : "strategy.c";
    size_t bl = strlen(base);
    if (bl == 0 || bl >= sizeof fname ||
        strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != bl)
        base = "strategy.c";
    snprintf(fname, sizeof fname, "%s", base);

    buf b = {0};
    const char *p = t->body;
    while (*p) {
        const char *o = strstr(p, "{{");
        if (!o) {
            put(&b, p, strlen(p));
            break;
        }
        put(&b, p, (size_t)(o - p));
        const char *c = strstr(o + 2, "}}");
        if (!c) { /* not a placeholder: copy as is */
            put(&b, o, strlen(o));
            break;
        }
        char name[64], suffix[16] = "";
        size_t nl = (size_t)(c - o - 2);
        if (nl >= sizeof name) {
            put(&b, o, 2);
            p = o + 2;
            continue;
        }
        memcpy(name, o + 2, nl);
        name[nl] = '\0';
        char *dot = strchr(name, '.');
        if (dot) {
            snprintf(suffix, sizeof suffix, "%s", dot + 1);
            *dot = '\0';
        }
        p = c + 2;
        if (!strcmp(name, "file")) {
            put(&b, fname, strlen(fname));
            continue;
        }
        if (!strcmp(name, "vars")) {
            for (int i = 0; i < t->n_vars; i++) {
                const char *v = vals[i];
                if (t->vars[i].type == SLAB_TVAR_BOOL)
                    v = vals[i][0] == '1' ? "true" : "false";
                if (i)
                    put(&b, " ", 1);
                put(&b, t->vars[i].name, strlen(t->vars[i].name));
                put(&b, "=", 1);
                put(&b, v, strlen(v));
            }
            continue;
        }
        int i = 0;
        for (; i < t->n_vars; i++)
            if (!strcmp(t->vars[i].name, name))
                break;
        if (i == t->n_vars) {
            slab_free(b.p);
            return slab_error_set(err, SLAB_EINVAL, "template", "template %s names an unknown "
                                  "placeholder {{%s}}", t->name, name);
        }
        char tmp[VAL_MAX + 16];
        if (!strcmp(suffix, "minutes") && t->vars[i].type == SLAB_TVAR_TIME)
            snprintf(tmp, sizeof tmp, "%d", minutes[i]);
        else if (!strcmp(suffix, "hint") && t->vars[i].type == SLAB_TVAR_TICKER_OPT)
            snprintf(tmp, sizeof tmp, "%s%s", strcmp(vals[i], "none") ? " --market " : "",
                     strcmp(vals[i], "none") ? vals[i] : "");
        else
            snprintf(tmp, sizeof tmp, "%s", vals[i]);
        put(&b, tmp, strlen(tmp));
    }
    if (b.oom) {
        slab_free(b.p);
        return slab_error_set(err, SLAB_ENOMEM, "template", "out of memory rendering %s",
                              t->name);
    }
    memset(err, 0, sizeof *err);
    *out = b.p;
    return SLAB_OK;
}

json_t *slab_template_json(const slab_template *t)
{
    json_t *o = json_object(), *vars = json_array();
    char form[160];
    json_object_set_new(o, "name", json_string(t->name));
    json_object_set_new(o, "summary", json_string(t->summary));
    for (int i = 0; i < t->n_vars; i++) {
        const slab_template_var *v = &t->vars[i];
        json_t *j = json_object();
        json_object_set_new(j, "name", json_string(v->name));
        json_object_set_new(j, "type", json_string(type_name(v->type)));
        json_object_set_new(j, "required", json_boolean(v->def == NULL));
        json_object_set_new(j, "default", v->def ? json_string(v->def) : json_null());
        if (v->type == SLAB_TVAR_INT || v->type == SLAB_TVAR_FLOAT || v->type == SLAB_TVAR_LIST) {
            json_object_set_new(j, "min", json_real(v->min));
            json_object_set_new(j, "max", json_real(v->max));
        }
        if (v->type == SLAB_TVAR_ENUM) {
            json_t *c = json_array();
            const char *p = v->choices;
            while (*p) {
                size_t l = strcspn(p, ",");
                json_array_append_new(c, json_stringn(p, l));
                p += l + (p[l] == ',');
            }
            json_object_set_new(j, "choices", c);
        }
        allowed_form(v, form, sizeof form);
        json_object_set_new(j, "form", json_string(form));
        json_object_set_new(j, "help", json_string(v->help));
        json_array_append_new(vars, j);
    }
    json_object_set_new(o, "variables", vars);
    return o;
}
