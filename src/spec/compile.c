/* compile.c: expressions to the shared DAG (spec_program.h). Resolves
 * names (parameters, columns, broker values, calendar values, the spec's
 * indicators and pipeline outputs, in that order), calls (the language's
 * functions, then the indicator table under the spec's conventions),
 * output fields and lags; checks types; folds constants; and adds each
 * node once (equal nodes are shared, so RSI(close, 14) written twice is
 * computed once). Definitions compile on first use, which finds cycles.
 * Every error points at the expression and the column inside it. */
#include "spec/spec_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_CALLS 32

/* An indicator call written directly in the definition being compiled
 * (for checking its `parameters` object against the formula). */
typedef struct call_rec {
    const slab_ind_def *ind;
    double params[SLAB_IND_MAX_PARAMS];
    int col, end;
} call_rec;

typedef struct cctx {
    slab_spec *s;
    slab_diags *d;
    const spec_site *site; /* the expression being compiled */
    spec_def *def;         /* its definition, NULL for a rule */
    int failed;            /* an error was reported in this expression */
    spec_def *stack[64];   /* definitions being compiled, outermost first */
    int depth;
    call_rec calls[MAX_CALLS];
    int n_calls;
    const char *bound[16]; /* parameters of def used by name */
    int n_bound;
} cctx;

static int compile_ast(cctx *c, const ast *a);
static void cerr(cctx *c, int col, const char *code, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void cerr(cctx *c, int col, const char *code, const char *fix, const char *fmt, ...)
{
    va_list ap;
    c->failed = 1;
    va_start(ap, fmt);
    slab__vdiag(c->d, SLAB_DIAG_ERROR, code, c->site->pointer, col, fix, fmt, ap);
    va_end(ap);
}

/* The source text of a, for messages and node labels. */
static const char *src(cctx *c, const ast *a)
{
    int from = a->col - 1, to = a->end - 1;
    if (from < 0 || to > (int)c->site->len || to <= from)
        return "";
    return slab__arena_strndup(&c->s->arena, c->site->text + from, (size_t)(to - from));
}

/* ---- nodes ---------------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h;
}

static uint64_t bits(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static uint64_t node_hash(const slab_spec_node *n)
{
    uint64_t h = mix((uint64_t)n->op, (uint64_t)n->type);
    h = mix(h, (uint64_t)n->n_args);
    for (int k = 0; k < n->n_args; k++)
        h = mix(h, (uint64_t)n->arg[k]);
    h = mix(h, bits(n->value));
    h = mix(h, (uint64_t)n->kind);
    h = mix(h, (uint64_t)(uintptr_t)n->ind);
    if (n->ind)
        for (int k = 0; k < n->ind->n_params; k++)
            h = mix(h, bits(n->params[k]));
    /* Finalise (MurmurHash3's fmix64): doubles differ in their high bits,
     * and the table indexes by the low ones. */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static int node_equal(const slab_spec_node *a, const slab_spec_node *b)
{
    if (a->op != b->op || a->type != b->type || a->n_args != b->n_args || a->kind != b->kind ||
        a->ind != b->ind || bits(a->value) != bits(b->value))
        return 0;
    for (int k = 0; k < a->n_args; k++)
        if (a->arg[k] != b->arg[k])
            return 0;
    if (a->ind)
        for (int k = 0; k < a->ind->n_params; k++)
            if (bits(a->params[k]) != bits(b->params[k]))
                return 0;
    return 1;
}

static int grow_hash(slab_spec *s)
{
    size_t cap = s->hash_cap ? s->hash_cap * 2 : 256;
    int *h = slab_malloc(cap * sizeof *h);
    if (!h)
        return -1;
    for (size_t i = 0; i < cap; i++)
        h[i] = -1;
    for (size_t id = 0; id < s->n_nodes; id++) {
        size_t i = node_hash(&s->nodes[id]) & (cap - 1);
        while (h[i] >= 0)
            i = (i + 1) & (cap - 1);
        h[i] = (int)id;
    }
    slab_free(s->hash);
    s->hash = h;
    s->hash_cap = cap;
    return 0;
}

int slab__node_add(slab_spec *s, const slab_spec_node *n, slab_diags *d, const char *pointer)
{
    if (s->full)
        return -1; /* reported once; the rest would only repeat it */
    if (s->n_nodes * 2 >= s->hash_cap && grow_hash(s) != 0)
        goto nomem;
    size_t i = node_hash(n) & (s->hash_cap - 1);
    while (s->hash[i] >= 0) {
        if (node_equal(&s->nodes[s->hash[i]], n))
            return s->hash[i];
        i = (i + 1) & (s->hash_cap - 1);
    }
    if (s->n_nodes >= SLAB_SPEC_MAX_NODES) {
        s->full = 1;
        slab__diag(d, SLAB_DIAG_ERROR, "spec_limit", pointer, 0,
                   "simplify the spec; share subexpressions through named steps",
                   "the spec compiles to more than %d nodes", SLAB_SPEC_MAX_NODES);
        return -1;
    }
    if (s->n_nodes == s->cap_nodes) {
        size_t cap = s->cap_nodes ? s->cap_nodes * 2 : 64;
        slab_spec_node *nodes = slab_realloc(s->nodes, cap * sizeof *nodes);
        if (!nodes)
            goto nomem;
        s->nodes = nodes;
        s->cap_nodes = cap;
    }
    int id = (int)s->n_nodes++;
    s->nodes[id] = *n;
    s->hash[i] = id;
    return id;
nomem:
    s->full = 1;
    slab__diag(d, SLAB_DIAG_ERROR, "out_of_memory", pointer, 0, "simplify the spec",
               "out of memory compiling the spec");
    return -1;
}

static slab_spec_node blank(slab_spec_op op, int type)
{
    slab_spec_node n;
    memset(&n, 0, sizeof n);
    n.op = op;
    n.type = type;
    n.lo = -INFINITY;
    n.hi = INFINITY;
    return n;
}

static const slab_spec_node *N(cctx *c, int id) { return &c->s->nodes[id]; }

/* Adds n, inheriting dynamic and warm-up from its operands; labels it. */
static int add(cctx *c, slab_spec_node n, const ast *at)
{
    for (int k = 0; k < n.n_args; k++) {
        const slab_spec_node *a = N(c, n.arg[k]);
        n.dynamic |= a->dynamic;
        if (a->warmup > n.warmup)
            n.warmup = a->warmup;
    }
    int id = slab__node_add(c->s, &n, c->d, c->site->pointer);
    if (id < 0) {
        c->failed = 1;
        return -1;
    }
    if (at && !c->s->nodes[id].text)
        c->s->nodes[id].text = src(c, at);
    return id;
}

static int constant(cctx *c, double v, int type, const ast *at)
{
    slab_spec_node n = blank(SLAB_SPEC_CONST, type);
    n.value = v;
    n.lo = n.hi = v;
    return add(c, n, at);
}

static int is_const(cctx *c, int id) { return N(c, id)->op == SLAB_SPEC_CONST; }

/* ---- names ------------------------------------------------------------------- */

static const struct {
    const char *name;
    slab_spec_op op;
    int kind;
} builtin_names[] = {
    {"open", SLAB_SPEC_COLUMN, SLAB_OPEN},
    {"high", SLAB_SPEC_COLUMN, SLAB_HIGH},
    {"low", SLAB_SPEC_COLUMN, SLAB_LOW},
    {"close", SLAB_SPEC_COLUMN, SLAB_CLOSE},
    {"volume", SLAB_SPEC_COLUMN, SLAB_VOLUME},
    {"openinterest", SLAB_SPEC_COLUMN, SLAB_OI},
    {"position", SLAB_SPEC_STATE, SLAB_SPEC_STATE_POSITION},
    {"entry_price", SLAB_SPEC_STATE, SLAB_SPEC_STATE_ENTRY_PRICE},
    {"bars_held", SLAB_SPEC_STATE, SLAB_SPEC_STATE_BARS_HELD},
    {"cash", SLAB_SPEC_STATE, SLAB_SPEC_STATE_CASH},
    {"equity", SLAB_SPEC_STATE, SLAB_SPEC_STATE_EQUITY},
    {"time", SLAB_SPEC_CLOCK, SLAB_SPEC_CLOCK_TIME},
    {"day", SLAB_SPEC_CLOCK, SLAB_SPEC_CLOCK_DAY},
    {"weekday", SLAB_SPEC_CLOCK, SLAB_SPEC_CLOCK_WEEKDAY},
    {"month", SLAB_SPEC_CLOCK, SLAB_SPEC_CLOCK_MONTH},
    {"year", SLAB_SPEC_CLOCK, SLAB_SPEC_CLOCK_YEAR},
};

static const char *const functions[] = {
    "crossover", "crossunder", "abs",       "log",           "exp",          "sqrt",
    "sign",      "least",      "greatest",  "if",            "mean",         "std",
    "zscore",    "min",        "max",       "rank",          "sum",          "cs_rank",
    "cs_zscore", "cs_mean", "session_max", "session_min", "session_count", "session_first",
    "prev_session_last"};


static int compile_def(cctx *c, spec_def *def, const ast *at);

static void unknown_name(cctx *c, const ast *a)
{
    const char *cand[256];
    size_t n = 0;
    char fix[300];
    for (size_t k = 0; k < sizeof builtin_names / sizeof builtin_names[0]; k++)
        cand[n++] = builtin_names[k].name;
    for (size_t k = 0; k < c->s->n_defs && n < 256; k++)
        cand[n++] = c->s->defs[k].name;
    const char *near = slab__closest(a->name, cand, n);
    if (slab_ind_find(a->name, NULL))
        snprintf(fix, sizeof fix, "%s is an indicator: call it with its inputs, e.g. %s(close, 14), "
                 "or define it under indicators and use that name",
                 a->name, a->name);
    else if (near)
        snprintf(fix, sizeof fix, "did you mean %s?", near);
    else
        snprintf(fix, sizeof fix, "define it in indicators or logic_pipeline, or use a data "
                 "column (open, high, low, close, volume)");
    cerr(c, a->col, "unknown_name", fix, "unknown name '%s'", a->name);
}

static int compile_name(cctx *c, const ast *a)
{
    /* 1. a parameter of the definition being compiled */
    if (c->def && c->def->parameters) {
        json_t *v = json_object_get(c->def->parameters, a->name);
        if (json_is_number(v)) {
            if (c->n_bound < 16)
                c->bound[c->n_bound++] = a->name;
            return constant(c, json_number_value(v), SLAB_SPEC_NUM, a);
        }
    }
    /* 2. the spec's own names (they may not shadow builtins, see parse.c) */
    spec_def *def = slab__find_def(c->s, a->name);
    if (def)
        return compile_def(c, def, a);
    /* 3. columns, broker values, calendar values */
    for (size_t k = 0; k < sizeof builtin_names / sizeof builtin_names[0]; k++)
        if (!strcasecmp(a->name, builtin_names[k].name) ||
            (!strcasecmp(a->name, "oi") && builtin_names[k].kind == SLAB_OI &&
             builtin_names[k].op == SLAB_SPEC_COLUMN)) {
            slab_spec_node n = blank(builtin_names[k].op, SLAB_SPEC_NUM);
            n.kind = builtin_names[k].kind;
            n.dynamic = n.op == SLAB_SPEC_STATE;
            if (n.op == SLAB_SPEC_CLOCK) {
                static const double lo[] = {0, -INFINITY, 1, 1, -INFINITY};
                static const double hi[] = {1440, INFINITY, 7, 12, INFINITY};
                n.lo = lo[n.kind];
                n.hi = hi[n.kind];
            }
            return add(c, n, a);
        }
    unknown_name(c, a);
    return -1;
}

/* ---- type helpers ------------------------------------------------------------- */

static const char *type_word(int t)
{
    return t == SLAB_SPEC_BOOL ? "a condition (true/false)"
           : t == SLAB_SPEC_MULTI ? "an indicator with several outputs"
                                  : "a number";
}

/* Requires node id (compiled from a) to have type want; reports otherwise. */
static int need(cctx *c, int id, int want, const ast *a, const char *what)
{
    if (id < 0)
        return -1;
    int t = N(c, id)->type;
    if (t == want)
        return id;
    char fix[300];
    const char *text = src(c, a);
    if (t == SLAB_SPEC_MULTI) {
        const slab_ind_def *d = N(c, id)->ind;
        snprintf(fix, sizeof fix, "pick one output: %s.%s (outputs: %s%s%s%s%s)", text,
                 d->outputs[0], d->outputs[0], d->n_outputs > 1 ? ", " : "",
                 d->n_outputs > 1 ? d->outputs[1] : "", d->n_outputs > 2 ? ", " : "",
                 d->n_outputs > 2 ? d->outputs[2] : "");
    } else if (want == SLAB_SPEC_BOOL) {
        snprintf(fix, sizeof fix, "compare it to get a condition, e.g. %s > 0", text);
    } else {
        snprintf(fix, sizeof fix, "use if(%s, 1, 0) to turn a condition into a number", text);
    }
    cerr(c, a->col, "type_error", fix, "%s needs %s, but %s is %s", what, type_word(want), text,
         type_word(t));
    return -1;
}

/* ---- constant folding and ranges ---------------------------------------------- */

/* Folds a node whose operands are all constants into a constant. */
static int fold(cctx *c, slab_spec_node n, const ast *at)
{
    double vals[SLAB_IND_MAX_INPUTS + 1];
    if (n.op == SLAB_SPEC_IND || n.op == SLAB_SPEC_FIELD || n.op == SLAB_SPEC_LAG ||
        n.op == SLAB_SPEC_SESSION || n.op == SLAB_SPEC_XSECT)
        return add(c, n, at);
    for (int k = 0; k < n.n_args; k++) {
        if (!is_const(c, n.arg[k]))
            return add(c, n, at);
    }
    /* The scalar kernel reads operand values by node id: lay them out. */
    double *tmp = slab__arena_alloc(&c->s->arena, (c->s->n_nodes + 1) * sizeof(double));
    if (!tmp)
        return add(c, n, at);
    for (int k = 0; k < n.n_args; k++)
        tmp[n.arg[k]] = N(c, n.arg[k])->value;
    (void)vals;
    double v = slab__spec_eval_scalar(&n, tmp);
    if (isnan(v) || isinf(v))
        return add(c, n, at); /* keep it visible (a division by zero written out) */
    return constant(c, v, n.type, at);
}

static void range_arith(cctx *c, slab_spec_node *n)
{
    const slab_spec_node *a = N(c, n->arg[0]), *b = n->n_args > 1 ? N(c, n->arg[1]) : NULL;
    switch (n->op) {
    case SLAB_SPEC_NEG: n->lo = -a->hi; n->hi = -a->lo; break;
    case SLAB_SPEC_ADD: n->lo = a->lo + b->lo; n->hi = a->hi + b->hi; break;
    case SLAB_SPEC_SUB: n->lo = a->lo - b->hi; n->hi = a->hi - b->lo; break;
    case SLAB_SPEC_MUL:
        if (b->lo == b->hi && isfinite(b->lo)) {
            double x = a->lo * b->lo, y = a->hi * b->lo;
            n->lo = fmin(x, y);
            n->hi = fmax(x, y);
        }
        break;
    default: break;
    }
    if (isnan(n->lo))
        n->lo = -INFINITY;
    if (isnan(n->hi))
        n->hi = INFINITY;
}

/* ---- indicators ------------------------------------------------------------------ */

/* Names whose backtrader form is a separate table entry. */
static const char *const bt_forms[][2] = {
    {"SMA", "SMA_BT"}, {"EMA", "EMA_BT"},   {"RSI", "RSI_BT"},       {"BBANDS", "BBANDS_BT"},
    {"MACD", "MACD_BT"}, {"STOCH", "STOCH_BT"}, {"STOCHF", "STOCHF_BT"}, {"WMA", "WMA_BT"},
    {"CCI", "CCI_BT"}};

/* backtrader's parameter names for table parameters. */
static const struct {
    const char *ind, *name;
    int index;
} bt_params[] = {{"MACD_BT", "period_me1", 0},  {"MACD_BT", "period_me2", 1},
                 {"MACD_BT", "period_signal", 2}, {"MACD", "period_me1", 0},
                 {"MACD", "period_me2", 1},       {"MACD", "period_signal", 2},
                 {"BBANDS_BT", "devfactor", 1},   {"BBANDS", "devfactor", 1},
                 {"STOCH", "period", 0},          {"STOCHF", "period", 0}};

/* Known ranges of indicator outputs (all outputs of the entry). */
static const struct {
    const char *name;
    double lo, hi;
} ind_ranges[] = {{"RSI", 0, 100},      {"RSI_BT", 0, 100},   {"STOCH", 0, 100},
                  {"STOCH_BT", 0, 100}, {"STOCHF", 0, 100},   {"STOCHF_BT", 0, 100},
                  {"STOCHRSI", 0, 100}, {"MFI", 0, 100},      {"ULTOSC", 0, 100},
                  {"ADX", 0, 100},      {"ADXR", 0, 100},     {"DX", 0, 100},
                  {"PLUS_DI", 0, 100},  {"MINUS_DI", 0, 100}, {"AROON", 0, 100},
                  {"WILLR", -100, 0},   {"CMO", -100, 100},   {"AROONOSC", -100, 100},
                  {"CROSSOVER", -1, 1}, {"CROSSUP", 0, 1},    {"CROSSDOWN", 0, 1},
                  {"PERCENTRANK", 0, 1}, {"BOP", -1, 1},      {"CORREL", -1, 1}};

/* Output aliases: a field name and the table outputs it may mean. */
static const struct {
    const char *alias;
    const char *outs[3];
} field_aliases[] = {{"upper", {"upperband"}},       {"top", {"upperband"}},
                     {"middle", {"middleband"}},     {"mid", {"middleband"}},
                     {"basis", {"middleband"}},      {"lower", {"lowerband"}},
                     {"bot", {"lowerband"}},         {"bottom", {"lowerband"}},
                     {"signal", {"macdsignal", "signal"}}, {"hist", {"macdhist", "histo"}},
                     {"histogram", {"macdhist", "histo"}}, {"histo", {"macdhist", "histo"}},
                     {"k", {"percK", "slowk", "fastk"}},   {"d", {"percD", "slowd", "fastd"}},
                     {"up", {"aroonup"}},            {"down", {"aroondown"}}};

/* Strips library prefixes papers write: bt.indicators.SMA, talib.RSI. */
static const char *strip_prefix(const char *name)
{
    static const char *const pre[] = {"bt.indicators.", "bt.ind.", "btind.", "bt.talib.",
                                      "talib.", "ta."};
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++)
        if (!strncasecmp(name, pre[k], strlen(pre[k])))
            return name + strlen(pre[k]);
    return name;
}

static const slab_ind_def *find_indicator(cctx *c, const char *name)
{
    if (!c->s->talib)
        for (size_t k = 0; k < sizeof bt_forms / sizeof bt_forms[0]; k++)
            if (!strcasecmp(name, bt_forms[k][0]))
                return slab_ind_find(bt_forms[k][1], NULL);
    return slab_ind_find(name, NULL);
}

static int param_index(const slab_ind_def *def, const char *name)
{
    int k = slab_ind_param_index(def, name);
    if (k >= 0)
        return k;
    for (size_t i = 0; i < sizeof bt_params / sizeof bt_params[0]; i++)
        if (!strcmp(def->name, bt_params[i].ind) && !strcasecmp(name, bt_params[i].name))
            return bt_params[i].index;
    return -1;
}

static void unknown_function(cctx *c, const ast *a, const char *name)
{
    size_t n_tab;
    const slab_ind_def *tab = slab_ind_table(&n_tab);
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    char fix[300];
    for (size_t k = 0; k < n_tab; k++) {
        size_t dist = slab_edit_distance(name, tab[k].name);
        if (dist < best_d)
            best_d = dist, best = tab[k].name;
        /* aliases: comma-separated */
        const char *p = tab[k].aliases;
        while (p && *p) {
            const char *comma = strchr(p, ',');
            size_t l = comma ? (size_t)(comma - p) : strlen(p);
            char al[64];
            if (l < sizeof al) {
                memcpy(al, p, l);
                al[l] = '\0';
                dist = slab_edit_distance(name, al);
                if (dist < best_d)
                    best_d = dist, best = tab[k].name;
            }
            p = comma ? comma + 1 : NULL;
        }
    }
    for (size_t k = 0; k < sizeof functions / sizeof functions[0]; k++) {
        size_t dist = slab_edit_distance(name, functions[k]);
        if (dist < best_d)
            best_d = dist, best = functions[k];
    }
    size_t len = strlen(name);
    if (best && best_d <= (len / 3 > 2 ? len / 3 : 2))
        snprintf(fix, sizeof fix, "did you mean %s? (`stratlab indicators` lists every indicator)",
                 best);
    else
        snprintf(fix, sizeof fix, "`stratlab indicators` lists every indicator; docs/spec.md the "
                 "functions");
    cerr(c, a->col, "unknown_function", fix, "unknown function or indicator '%s'", name);
}

/* The column an indicator input names (SLAB_OPEN..), 5 for "day", -1 for
 * a generic series. */
static int column_kind(const char *input)
{
    static const char *const cols[] = {"open", "high", "low", "close", "volume", "day"};
    for (int k = 0; k < 6; k++)
        if (!strcmp(input, cols[k]))
            return k;
    return -1;
}

static int column_node(cctx *c, const char *input)
{
    static const char *const cols[] = {"open", "high", "low", "close", "volume"};
    for (int k = 0; k < 5; k++)
        if (!strcmp(input, cols[k])) {
            slab_spec_node n = blank(SLAB_SPEC_COLUMN, SLAB_SPEC_NUM);
            n.kind = k;
            return add(c, n, NULL);
        }
    if (!strcmp(input, "day")) {
        slab_spec_node n = blank(SLAB_SPEC_CLOCK, SLAB_SPEC_NUM);
        n.kind = SLAB_SPEC_CLOCK_DAY;
        return add(c, n, NULL);
    }
    return -1;
}

/* Compiles an indicator call a of def; ids[i] is argument i compiled
 * (positional ones first, named ones from first_named on). */
static int indicator_call(cctx *c, const ast *a, const slab_ind_def *def, const int *ids,
                          int first_named)
{
    int n_user = 0, inputs[SLAB_IND_MAX_INPUTS];
    double p[SLAB_IND_MAX_PARAMS];
    int given[SLAB_IND_MAX_PARAMS] = {0};
    char fix[300], list[160] = "";
    for (int k = 0; k < def->n_inputs; k++)
        if (strcmp(def->inputs[k], "day")) {
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", n_user ? ", " : "",
                     def->inputs[k]);
            n_user++;
        }
    int n_pos = first_named, m = 0, generic = 0;
    for (int k = 0; k < def->n_inputs; k++)
        generic |= column_kind(def->inputs[k]) < 0;
    if (generic) /* no default columns: the first arguments are the series (a
                    constant is a level, as in CrossOver(rsi, 30)) */
        m = n_pos < n_user ? n_pos : n_user;
    else
        while (m < n_pos && !is_const(c, ids[m]))
            m++;
    if (m != 0 && m != n_user) {
        if (m > n_user)
            snprintf(fix, sizeof fix, "%s takes %d input series (%s), then constant parameters",
                     def->name, n_user, list);
        else
            snprintf(fix, sizeof fix,
                     "give all %d input series (%s), or none to read the bar's columns", n_user,
                     list);
        cerr(c, a->args[m < n_pos ? m : n_pos - 1]->col, "bad_arguments", fix,
             "%s takes %d input series, got %d", def->name, n_user, m);
        return -1;
    }
    for (int k = 0, u = 0; k < def->n_inputs; k++) {
        if (!strcmp(def->inputs[k], "day")) {
            inputs[k] = column_node(c, "day");
        } else if (m) {
            int id = ids[u];
            if (N(c, id)->type == SLAB_SPEC_MULTI)
                return need(c, id, SLAB_SPEC_NUM, a->args[u], def->name);
            if (N(c, id)->dynamic) {
                cerr(c, a->args[u]->col, "dynamic_input",
                     "indicators read data series; compute from the bars, not the broker",
                     "%s cannot take %s as input: it changes as orders fill", def->name,
                     src(c, a->args[u]));
                return -1;
            }
            inputs[k] = id;
            u++;
        } else {
            inputs[k] = column_node(c, def->inputs[k]);
            if (inputs[k] < 0 && !c->failed) {
                snprintf(fix, sizeof fix, "pass the series: %s(%s%s)", def->name,
                         n_user == 2 ? "a, b" : "x", def->n_params ? ", ..." : "");
                cerr(c, a->col, "bad_arguments", fix, "%s needs %d input series (%s)", def->name,
                     n_user, list);
            }
        }
        if (inputs[k] < 0)
            return -1;
    }
    int n_par = n_pos - m;
    if (n_par > def->n_params) {
        snprintf(fix, sizeof fix,
                 "%s takes %d parameter(s) after its input series; `stratlab indicators` shows "
                 "them",
                 def->name, def->n_params);
        cerr(c, a->args[m + def->n_params]->col, "bad_arguments", fix, "too many arguments for %s",
             def->name);
        return -1;
    }
    for (int k = 0; k < def->n_params; k++)
        p[k] = def->params[k].def;
    for (int k = 0; k < n_par; k++) {
        p[k] = N(c, ids[m + k])->value;
        given[k] = 1;
    }
    for (int i = first_named; i < a->n_args; i++) {
        const char *nm = a->arg_names[i];
        int k = param_index(def, nm);
        if (k < 0) {
            const char *names[SLAB_IND_MAX_PARAMS];
            char plist[160] = "";
            for (int j = 0; j < def->n_params; j++) {
                names[j] = def->params[j].name;
                snprintf(plist + strlen(plist), sizeof plist - strlen(plist), "%s%s",
                         j ? ", " : "", names[j]);
            }
            const char *near = slab__closest(nm, names, (size_t)def->n_params);
            snprintf(fix, sizeof fix, "%s%s%s%s's parameters: %s", near ? "did you mean " : "",
                     near ? near : "", near ? "? " : "", def->name,
                     def->n_params ? plist : "(none)");
            cerr(c, a->args[i]->col, "unknown_parameter", fix, "%s has no parameter '%s'",
                 def->name, nm);
            return -1;
        }
        if (given[k]) {
            cerr(c, a->args[i]->col, "duplicate_parameter", "give each parameter once",
                 "%s's %s is given twice", def->name, def->params[k].name);
            return -1;
        }
        if (!is_const(c, ids[i])) {
            cerr(c, a->args[i]->col, "nonconstant_parameter",
                 "parameters are numbers fixed before the run (a literal or a parameter name)",
                 "%s's %s must be a constant, not %s", def->name, def->params[k].name,
                 src(c, a->args[i]));
            return -1;
        }
        p[k] = N(c, ids[i])->value;
        given[k] = 1;
    }
    /* Bollinger bands as backtrader writes them: one devfactor for both. */
    if ((!strcmp(def->name, "BBANDS_BT") || !strcmp(def->name, "BBANDS")) && given[1] && !given[2])
        p[2] = p[1];
    for (int k = 0; k < def->n_params; k++) {
        const slab_ind_param *d = &def->params[k];
        if (!(p[k] >= d->min && p[k] <= d->max) || (d->is_int && p[k] != floor(p[k]))) {
            int at = a->col;
            for (int i = 0; i < a->n_args; i++)
                if ((i >= first_named && param_index(def, a->arg_names[i]) == k) ||
                    (i < first_named && i - m == k))
                    at = a->args[i]->col;
            snprintf(fix, sizeof fix, "give %s a value in %g..%g%s", d->name, d->min, d->max,
                     d->is_int ? " (a whole number)" : "");
            cerr(c, at, "param_range", fix, "%s %s = %g is outside %g..%g%s", def->name, d->name,
                 p[k], d->min, d->max, d->is_int ? " (whole numbers)" : "");
            return -1;
        }
    }
    slab_spec_node n = blank(SLAB_SPEC_IND, def->n_outputs > 1 ? SLAB_SPEC_MULTI : SLAB_SPEC_NUM);
    n.ind = def;
    n.n_args = def->n_inputs;
    memcpy(n.arg, inputs, sizeof(int) * (size_t)def->n_inputs);
    memcpy(n.params, p, sizeof(double) * (size_t)def->n_params);
    int base = 0;
    for (int k = 0; k < def->n_inputs; k++)
        if (N(c, inputs[k])->warmup > base)
            base = N(c, inputs[k])->warmup;
    size_t lb = def->lookback ? def->lookback(p) : 0;
    for (size_t k = 0; k < sizeof ind_ranges / sizeof ind_ranges[0]; k++)
        if (!strcmp(def->name, ind_ranges[k].name)) {
            n.lo = ind_ranges[k].lo;
            n.hi = ind_ranges[k].hi;
        }
    int id = add(c, n, a);
    if (id < 0)
        return -1;
    if ((size_t)base + lb > (size_t)c->s->nodes[id].warmup)
        c->s->nodes[id].warmup = (int)((size_t)base + lb > 100000000 ? 100000000 : base + lb);
    if (c->def && c->n_calls < MAX_CALLS && c->site == &c->def->site) {
        call_rec *r = &c->calls[c->n_calls++];
        r->ind = def;
        memcpy(r->params, p, sizeof p);
        r->col = a->col;
        r->end = a->end;
    }
    if (def->n_outputs > 1)
        return id;
    slab_spec_node f = blank(SLAB_SPEC_FIELD, SLAB_SPEC_NUM);
    f.n_args = 1;
    f.arg[0] = id;
    f.kind = 0;
    f.lo = N(c, id)->lo;
    f.hi = N(c, id)->hi;
    return add(c, f, a);
}

/* A field of a multi-output indicator. */
static int compile_field(cctx *c, const ast *a)
{
    char fix[300];
    int base = compile_ast(c, a->a);
    if (base < 0)
        return -1;
    const slab_spec_node *b = N(c, base);
    if (b->type != SLAB_SPEC_MULTI) {
        const char *text = src(c, a->a);
        snprintf(fix, sizeof fix, "use %s directly", text);
        cerr(c, a->col, "bad_field", fix, "%s has a single value; it has no output '%s'", text,
             a->name);
        return -1;
    }
    const slab_ind_def *def = b->ind;
    int out = -1;
    for (int k = 0; k < def->n_outputs; k++)
        if (!strcasecmp(a->name, def->outputs[k]))
            out = k;
    for (size_t i = 0; out < 0 && i < sizeof field_aliases / sizeof field_aliases[0]; i++) {
        if (strcasecmp(a->name, field_aliases[i].alias))
            continue;
        for (int j = 0; j < 3 && field_aliases[i].outs[j] && out < 0; j++)
            for (int k = 0; k < def->n_outputs; k++)
                if (!strcmp(field_aliases[i].outs[j], def->outputs[k]))
                    out = k;
    }
    if (out < 0) {
        char list[160] = "";
        for (int k = 0; k < def->n_outputs; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "",
                     def->outputs[k]);
        snprintf(fix, sizeof fix, "%s's outputs: %s (also .upper/.middle/.lower, .top/.mid/.bot, "
                 ".macd/.signal/.hist where they apply)",
                 def->name, list);
        cerr(c, a->col, "bad_field", fix, "%s has no output '%s'", def->name, a->name);
        return -1;
    }
    slab_spec_node f = blank(SLAB_SPEC_FIELD, SLAB_SPEC_NUM);
    f.n_args = 1;
    f.arg[0] = base;
    f.kind = out;
    f.lo = b->lo;
    f.hi = b->hi;
    return add(c, f, a);
}

static int compile_lag(cctx *c, const ast *a)
{
    char fix[300];
    if (a->num > 0) {
        const char *text = src(c, a->a);
        snprintf(fix, sizeof fix, "use %s[-%g] for %g bar(s) ago; a rule sees only the past", text,
                 a->num, a->num);
        cerr(c, a->col, "lookahead", fix, "%s[%g] reads %g bar(s) into the future (look-ahead)",
             text, a->num, a->num);
        return -1;
    }
    int x = compile_ast(c, a->a);
    if (x < 0)
        return -1;
    if (N(c, x)->type == SLAB_SPEC_MULTI)
        return need(c, x, SLAB_SPEC_NUM, a->a, "a lag");
    if (a->num == 0)
        return x;
    if (N(c, x)->dynamic) {
        cerr(c, a->col, "dynamic_lag", "keep broker values at the current bar",
             "%s cannot be lagged: broker values are only known at the current bar",
             src(c, a->a));
        return -1;
    }
    int lag = (int)-a->num;
    if (N(c, x)->op == SLAB_SPEC_LAG) { /* x[-1][-2] = x[-3] */
        lag += N(c, x)->kind;
        x = N(c, x)->arg[0];
    }
    if (is_const(c, x))
        return x;
    slab_spec_node n = blank(SLAB_SPEC_LAG, N(c, x)->type);
    n.n_args = 1;
    n.arg[0] = x;
    n.kind = lag;
    n.lo = N(c, x)->lo;
    n.hi = N(c, x)->hi;
    int id = add(c, n, a);
    if (id >= 0 && c->s->nodes[id].warmup < N(c, x)->warmup + lag)
        c->s->nodes[id].warmup = N(c, x)->warmup + lag;
    return id;
}

/* ---- the language's functions -------------------------------------------------- */

static int call_arity(cctx *c, const ast *a, int lo, int hi, const char *usage)
{
    if (a->n_args >= lo && a->n_args <= hi)
        return 0;
    char fix[200];
    snprintf(fix, sizeof fix, "write %s", usage);
    cerr(c, a->col, "bad_arguments", fix, "%s takes %d%s%.0d argument(s), got %d", a->name, lo,
         hi > lo ? " to " : "", hi > lo ? hi : 0, a->n_args);
    return -1;
}

static int builtin(cctx *c, const ast *a, const char *name, const int *ids, int *handled)
{
    slab_spec_node n;
    *handled = 1;
    /* Lower case only: CrossOver (backtrader's +1/0/-1 indicator) is the
     * table entry, crossover the condition "crossed above on this bar". */
    if (!strcmp(name, "crossover") || !strcmp(name, "crossunder") ||
        !strcmp(name, "cross_above") || !strcmp(name, "cross_below")) {
        int up = !strcmp(name, "crossover") || !strcmp(name, "cross_above");
        if (call_arity(c, a, 2, 2, up ? "crossover(a, b)" : "crossunder(a, b)"))
            return -1;
        for (int k = 0; k < 2; k++)
            if (need(c, ids[k], SLAB_SPEC_NUM, a->args[k], name) < 0)
                return -1;
        const slab_ind_def *def = slab_ind_find("CROSSOVER", NULL);
        slab_spec_node x = blank(SLAB_SPEC_IND, SLAB_SPEC_NUM);
        x.ind = def;
        x.n_args = 2;
        x.arg[0] = ids[0];
        x.arg[1] = ids[1];
        x.lo = -1;
        x.hi = 1;
        int ind = add(c, x, NULL);
        if (ind < 0)
            return -1;
        if (c->s->nodes[ind].warmup < N(c, ids[0])->warmup + 1)
            c->s->nodes[ind].warmup = N(c, ids[0])->warmup + 1;
        if (c->s->nodes[ind].warmup < N(c, ids[1])->warmup + 1)
            c->s->nodes[ind].warmup = N(c, ids[1])->warmup + 1;
        slab_spec_node f = blank(SLAB_SPEC_FIELD, SLAB_SPEC_NUM);
        f.n_args = 1;
        f.arg[0] = ind;
        f.lo = -1;
        f.hi = 1;
        int fid = add(c, f, NULL);
        int zero = constant(c, 0.0, SLAB_SPEC_NUM, NULL);
        if (fid < 0 || zero < 0)
            return -1;
        n = blank(up ? SLAB_SPEC_GT : SLAB_SPEC_LT, SLAB_SPEC_BOOL);
        n.n_args = 2;
        n.arg[0] = fid;
        n.arg[1] = zero;
        n.lo = 0;
        n.hi = 1;
        return add(c, n, a);
    }
    static const struct {
        const char *name;
        int fn, n_args;
    } math[] = {{"abs", SLAB_SPEC_FN_ABS, 1},         {"log", SLAB_SPEC_FN_LOG, 1},
                {"exp", SLAB_SPEC_FN_EXP, 1},         {"sqrt", SLAB_SPEC_FN_SQRT, 1},
                {"sign", SLAB_SPEC_FN_SIGN, 1},       {"least", SLAB_SPEC_FN_LEAST, 2},
                {"greatest", SLAB_SPEC_FN_GREATEST, 2}};
    for (size_t k = 0; k < sizeof math / sizeof math[0]; k++) {
        if (strcasecmp(name, math[k].name))
            continue;
        if (call_arity(c, a, math[k].n_args, math[k].n_args,
                       math[k].n_args == 1 ? "f(x)" : "f(a, b)"))
            return -1;
        n = blank(SLAB_SPEC_FUNC, SLAB_SPEC_NUM);
        n.kind = math[k].fn;
        n.n_args = math[k].n_args;
        for (int j = 0; j < n.n_args; j++) {
            if (need(c, ids[j], SLAB_SPEC_NUM, a->args[j], name) < 0)
                return -1;
            n.arg[j] = ids[j];
        }
        if (n.kind == SLAB_SPEC_FN_ABS || n.kind == SLAB_SPEC_FN_SQRT || n.kind == SLAB_SPEC_FN_EXP)
            n.lo = 0;
        if (n.kind == SLAB_SPEC_FN_SIGN)
            n.lo = -1, n.hi = 1;
        return fold(c, n, a);
    }
    if (!strcasecmp(name, "if")) {
        if (call_arity(c, a, 3, 3, "if(condition, a, b)"))
            return -1;
        if (need(c, ids[0], SLAB_SPEC_BOOL, a->args[0], "if's first argument") < 0)
            return -1;
        int t = N(c, ids[1])->type;
        if (t == SLAB_SPEC_MULTI || N(c, ids[2])->type != t) {
            cerr(c, a->args[2]->col, "type_error", "give both branches the same type",
                 "if's branches must both be numbers or both conditions");
            return -1;
        }
        n = blank(SLAB_SPEC_IF, t);
        n.n_args = 3;
        memcpy(n.arg, ids, 3 * sizeof(int));
        n.lo = fmin(N(c, ids[1])->lo, N(c, ids[2])->lo);
        n.hi = fmax(N(c, ids[1])->hi, N(c, ids[2])->hi);
        return fold(c, n, a);
    }
    if (!strcasecmp(name, "cs_rank") || !strcasecmp(name, "cs_zscore") ||
        !strcasecmp(name, "cs_mean")) {
        if (call_arity(c, a, 1, 1,
                       !strcasecmp(name, "cs_rank")     ? "cs_rank(x)"
                       : !strcasecmp(name, "cs_zscore") ? "cs_zscore(x)"
                                                        : "cs_mean(x)") ||
            need(c, ids[0], SLAB_SPEC_NUM, a->args[0], name) < 0)
            return -1;
        if (N(c, ids[0])->dynamic) {
            cerr(c, a->args[0]->col, "dynamic_input", "rank data series, not broker values",
                 "%s cannot take broker values", name);
            return -1;
        }
        n = blank(SLAB_SPEC_XSECT, SLAB_SPEC_NUM);
        n.kind = !strcasecmp(name, "cs_rank")     ? SLAB_SPEC_XS_RANK
                 : !strcasecmp(name, "cs_zscore") ? SLAB_SPEC_XS_ZSCORE
                                                  : SLAB_SPEC_XS_MEAN;
        n.n_args = 1;
        n.arg[0] = ids[0];
        if (n.kind == SLAB_SPEC_XS_RANK)
            n.lo = 0, n.hi = 1;
        return add(c, n, a);
    }
    static const struct {
        const char *name;
        int kind, min_args, max_args, cond_arg;
        const char *usage;
    } sess[] = {{"session_max", SLAB_SPEC_SESS_MAX, 1, 2, 1, "session_max(x[, condition])"},
                {"session_min", SLAB_SPEC_SESS_MIN, 1, 2, 1, "session_min(x[, condition])"},
                {"session_count", SLAB_SPEC_SESS_COUNT, 1, 1, 0, "session_count(condition)"},
                {"session_first", SLAB_SPEC_SESS_FIRST, 1, 1, -1, "session_first(x)"},
                {"prev_session_last", SLAB_SPEC_SESS_PREV_LAST, 1, 1, -1, "prev_session_last(x)"}};
    for (size_t k = 0; k < sizeof sess / sizeof sess[0]; k++) {
        if (strcasecmp(name, sess[k].name))
            continue;
        if (call_arity(c, a, sess[k].min_args, sess[k].max_args, sess[k].usage))
            return -1;
        n = blank(SLAB_SPEC_SESSION, SLAB_SPEC_NUM);
        n.kind = sess[k].kind;
        n.n_args = 2;
        for (int j = 0; j < a->n_args; j++) {
            int want = j == sess[k].cond_arg ? SLAB_SPEC_BOOL : SLAB_SPEC_NUM;
            if (need(c, ids[j], want, a->args[j], name) < 0)
                return -1;
            if (N(c, ids[j])->dynamic) {
                cerr(c, a->args[j]->col, "dynamic_input", "aggregate data series",
                     "%s cannot take broker values", name);
                return -1;
            }
        }
        if (sess[k].kind == SLAB_SPEC_SESS_COUNT) {
            n.arg[0] = ids[0];
            n.arg[1] = ids[0];
        } else {
            n.arg[0] = ids[0];
            n.arg[1] = a->n_args > 1 ? ids[1] : constant(c, 1.0, SLAB_SPEC_BOOL, NULL);
            if (n.arg[1] < 0)
                return -1;
            n.lo = N(c, ids[0])->lo;
            n.hi = N(c, ids[0])->hi;
        }
        if (sess[k].kind == SLAB_SPEC_SESS_COUNT)
            n.lo = 0;
        return add(c, n, a);
    }
    *handled = 0;
    return -1;
}

/* Rolling functions of the language, as indicator table entries. */
static const char *rolling_entry(const char *name)
{
    static const char *const map[][2] = {{"mean", "MEAN"}, {"std", "STD"},
                                         {"zscore", "ZSCORE"}, {"min", "LOWEST"},
                                         {"max", "HIGHEST"}, {"rank", "PERCENTRANK"},
                                         {"sum", "SUM"}};
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
        if (!strcmp(name, map[k][0]))
            return map[k][1];
    return NULL;
}

static int compile_call(cctx *c, const ast *a)
{
    int ids[SLAB_IND_MAX_INPUTS + SLAB_IND_MAX_PARAMS + 4];
    int first_named = a->n_args, bad = 0;
    for (int i = 0; i < a->n_args; i++) {
        if (a->arg_names[i] && first_named == a->n_args)
            first_named = i;
        if (!a->arg_names[i] && first_named < i) {
            cerr(c, a->args[i]->col, "bad_arguments", "put positional arguments before named ones",
                 "a positional argument after a named one");
            return -1;
        }
        ids[i] = compile_ast(c, a->args[i]);
        bad |= ids[i] < 0;
    }
    if (bad)
        return -1;
    const char *name = strip_prefix(a->name);
    int handled;
    /* Lower-case rolling names: mean(x, 20), max(x, 20) ... */
    const char *roll = rolling_entry(name);
    if (roll) {
        if (a->n_args < 1 || is_const(c, ids[0])) {
            char fix[200];
            snprintf(fix, sizeof fix, "write %s(x, n): a series and a window of n bars", name);
            cerr(c, a->col, "bad_arguments", fix, "%s needs a series first", name);
            return -1;
        }
        if ((!strcmp(name, "min") || !strcmp(name, "max")) && a->n_args >= 2 &&
            first_named >= 2 && !is_const(c, ids[1])) {
            char fix[200];
            snprintf(fix, sizeof fix, "%s(x, n) is the rolling %s over n bars; for the %s of two "
                     "series write %s(a, b)",
                     name, name, !strcmp(name, "min") ? "smaller" : "larger",
                     !strcmp(name, "min") ? "least" : "greatest");
            cerr(c, a->args[1]->col, "bad_arguments", fix, "%s's window must be a constant", name);
            return -1;
        }
        if (a->n_args < 2) {
            char fix[200];
            snprintf(fix, sizeof fix, "write %s(x, n) with the window n in bars", name);
            cerr(c, a->col, "bad_arguments", fix, "%s needs a window length", name);
            return -1;
        }
        return indicator_call(c, a, slab_ind_find(roll, NULL), ids, first_named);
    }
    int id = builtin(c, a, name, ids, &handled);
    if (handled)
        return id;
    const slab_ind_def *def = find_indicator(c, name);
    if (!def) {
        unknown_function(c, a, name);
        return -1;
    }
    return indicator_call(c, a, def, ids, first_named);
}

/* ---- operators ----------------------------------------------------------------------- */

static int compile_unary(cctx *c, const ast *a)
{
    int x = compile_ast(c, a->a);
    if (x < 0)
        return -1;
    if (a->op == OP_NOT) {
        if (need(c, x, SLAB_SPEC_BOOL, a->a, "not") < 0)
            return -1;
        slab_spec_node n = blank(SLAB_SPEC_NOT, SLAB_SPEC_BOOL);
        n.n_args = 1;
        n.arg[0] = x;
        n.lo = 0;
        n.hi = 1;
        return fold(c, n, a);
    }
    if (need(c, x, SLAB_SPEC_NUM, a->a, a->op == OP_NEG ? "'-'" : "'+'") < 0)
        return -1;
    if (a->op == OP_PLUS)
        return x;
    slab_spec_node n = blank(SLAB_SPEC_NEG, SLAB_SPEC_NUM);
    n.n_args = 1;
    n.arg[0] = x;
    range_arith(c, &n);
    return fold(c, n, a);
}

static int compile_binary(cctx *c, const ast *a)
{
    static const struct {
        int op;
        slab_spec_op node;
        const char *text;
    } map[] = {{OP_ADD, SLAB_SPEC_ADD, "'+'"}, {OP_SUB, SLAB_SPEC_SUB, "'-'"},
               {OP_MUL, SLAB_SPEC_MUL, "'*'"}, {OP_DIV, SLAB_SPEC_DIV, "'/'"},
               {OP_POW, SLAB_SPEC_POW, "'^'"}, {OP_LT, SLAB_SPEC_LT, "'<'"},
               {OP_LE, SLAB_SPEC_LE, "'<='"},  {OP_GT, SLAB_SPEC_GT, "'>'"},
               {OP_GE, SLAB_SPEC_GE, "'>='"},  {OP_EQ, SLAB_SPEC_EQ, "'=='"},
               {OP_NE, SLAB_SPEC_NE, "'!='"},  {OP_AND, SLAB_SPEC_AND, "and"},
               {OP_OR, SLAB_SPEC_OR, "or"}};
    int x = compile_ast(c, a->a), y = compile_ast(c, a->b);
    if (x < 0 || y < 0)
        return -1;
    size_t k = 0;
    while (map[k].op != a->op)
        k++;
    slab_spec_node n;
    if (a->op == OP_AND || a->op == OP_OR) {
        if (need(c, x, SLAB_SPEC_BOOL, a->a, map[k].text) < 0 ||
            need(c, y, SLAB_SPEC_BOOL, a->b, map[k].text) < 0)
            return -1;
        n = blank(map[k].node, SLAB_SPEC_BOOL);
        n.lo = 0;
        n.hi = 1;
    } else if (a->op >= OP_LT && a->op <= OP_NE) {
        int want = SLAB_SPEC_NUM;
        if ((a->op == OP_EQ || a->op == OP_NE) && N(c, x)->type == SLAB_SPEC_BOOL)
            want = SLAB_SPEC_BOOL; /* comparing two conditions */
        if (need(c, x, want, a->a, map[k].text) < 0 || need(c, y, want, a->b, map[k].text) < 0)
            return -1;
        n = blank(map[k].node, SLAB_SPEC_BOOL);
        n.lo = 0;
        n.hi = 1;
    } else {
        if (need(c, x, SLAB_SPEC_NUM, a->a, map[k].text) < 0 ||
            need(c, y, SLAB_SPEC_NUM, a->b, map[k].text) < 0)
            return -1;
        n = blank(map[k].node, SLAB_SPEC_NUM);
    }
    n.n_args = 2;
    n.arg[0] = x;
    n.arg[1] = y;
    if (n.type == SLAB_SPEC_NUM)
        range_arith(c, &n);
    return fold(c, n, a);
}

static int compile_ast(cctx *c, const ast *a)
{
    switch (a->kind) {
    case AST_NUM: return constant(c, a->num, SLAB_SPEC_NUM, a);
    case AST_BOOL: return constant(c, a->num, SLAB_SPEC_BOOL, a);
    case AST_NAME: return compile_name(c, a);
    case AST_CALL: return compile_call(c, a);
    case AST_FIELD: return compile_field(c, a);
    case AST_LAG: return compile_lag(c, a);
    case AST_UNARY: return compile_unary(c, a);
    case AST_BINARY: return compile_binary(c, a);
    }
    return -1;
}

/* ---- definitions ------------------------------------------------------------------------ */

/* Checks an indicator's `parameters` against its formula. */
static void check_parameters(cctx *c, spec_def *def)
{
    const char *key;
    json_t *v;
    char ptr[PTR_MAX], fix[300];
    if (!def->parameters)
        return;
    json_object_foreach(def->parameters, key, v) {
        if (!json_is_number(v))
            continue;
        double want = json_number_value(v);
        int used = 0, agree = 0;
        double got = NAN;
        const call_rec *first = NULL;
        for (int k = 0; k < c->n_bound; k++)
            if (!strcmp(c->bound[k], key))
                used = agree = 1;
        for (int k = 0; k < c->n_calls && !agree; k++) {
            int idx = param_index(c->calls[k].ind, key);
            if (idx < 0)
                continue;
            used = 1;
            if (!first) {
                first = &c->calls[k];
                got = c->calls[k].params[idx];
            }
            if (c->calls[k].params[idx] == want)
                agree = 1;
        }
        snprintf(ptr, sizeof ptr, "%.64s/parameters/%.128s", def->base, key);
        if (!used) {
            snprintf(fix, sizeof fix, "use it in the formula by name (e.g. SMA(close, %s)) or "
                     "remove it",
                     key);
            slab__diag(c->d, SLAB_DIAG_ERROR, "param_unused", ptr, 0, fix,
                       "parameter \"%s\" = %g is not used by the formula \"%s\"", key, want,
                       def->site.text);
        } else if (!agree) {
            int from = first->col - 1, to = first->end - 1;
            snprintf(fix, sizeof fix, "make them agree (the formula is what runs): set \"%s\": %g, "
                     "or change the formula",
                     key, got);
            slab__diag(c->d, SLAB_DIAG_ERROR, "param_mismatch", ptr, 0, fix,
                       "parameter \"%s\" is %g but the formula %.*s gives %s = %g", key, want,
                       to - from, def->site.text + from, key, got);
        }
    }
}

static int compile_def(cctx *c, spec_def *def, const ast *at)
{
    if (def->state == 2)
        return def->node;
    if (def->state == 3)
        return -1;
    if (def->state == 1) {
        char chain[400] = "";
        int from = 0;
        while (from < c->depth && c->stack[from] != def)
            from++;
        for (int k = from; k < c->depth; k++) {
            snprintf(chain + strlen(chain), sizeof chain - strlen(chain), "%s -> ",
                     c->stack[k]->name);
            c->stack[k]->state = 3;
        }
        snprintf(chain + strlen(chain), sizeof chain - strlen(chain), "%s", def->name);
        cerr(c, at ? at->col : 0, "cycle", "break the cycle: a name cannot depend on itself",
             "cycle: %s", chain);
        return -1;
    }
    if (c->depth >= 64) {
        cerr(c, at ? at->col : 0, "spec_limit", "flatten the definitions",
             "definitions nest deeper than 64");
        return -1;
    }
    cctx saved = *c;
    def->state = 1;
    c->stack[c->depth++] = def;
    c->site = &def->site;
    c->def = def;
    c->failed = 0;
    c->n_calls = 0;
    c->n_bound = 0;
    if (!def->site.tree)
        def->site.tree = slab__expr_parse(&c->s->arena, def->site.text, def->site.len,
                                          def->site.pointer, c->d);
    int id = def->site.tree ? compile_ast(c, def->site.tree) : -1;
    if (id >= 0 && def->is_indicator)
        check_parameters(c, def);
    int failed = c->failed || id < 0;
    /* restore the referring expression's context */
    spec_def *stack[64];
    memcpy(stack, c->stack, sizeof stack);
    *c = saved;
    if (def->state == 3 || failed) {
        def->state = 3;
        if (at) /* the reference fails quietly: the definition reported why */
            c->failed = 1;
        return -1;
    }
    def->state = 2;
    def->node = id;
    return id;
}

/* The per-bar volatility of returns for a volatility-target sizing. */
static int vol_node(cctx *c, int lookback)
{
    slab_spec_node n = blank(SLAB_SPEC_COLUMN, SLAB_SPEC_NUM);
    n.kind = SLAB_CLOSE;
    int close = add(c, n, NULL);
    if (close < 0)
        return -1;
    n = blank(SLAB_SPEC_LAG, SLAB_SPEC_NUM);
    n.n_args = 1;
    n.arg[0] = close;
    n.kind = 1;
    n.warmup = 1;
    int prev = add(c, n, NULL);
    if (prev < 0)
        return -1;
    n = blank(SLAB_SPEC_DIV, SLAB_SPEC_NUM);
    n.n_args = 2;
    n.arg[0] = close;
    n.arg[1] = prev;
    int ratio = add(c, n, NULL);
    if (ratio < 0)
        return -1;
    n = blank(SLAB_SPEC_FUNC, SLAB_SPEC_NUM);
    n.kind = SLAB_SPEC_FN_LOG;
    n.n_args = 1;
    n.arg[0] = ratio;
    int ret = add(c, n, NULL);
    if (ret < 0)
        return -1;
    n = blank(SLAB_SPEC_IND, SLAB_SPEC_NUM);
    n.ind = slab_ind_find("STD", NULL);
    n.n_args = 1;
    n.arg[0] = ret;
    n.params[0] = lookback;
    n.params[1] = 1; /* sample standard deviation */
    n.warmup = lookback;
    n.lo = 0;
    int sd = add(c, n, NULL);
    if (sd < 0)
        return -1;
    n = blank(SLAB_SPEC_FIELD, SLAB_SPEC_NUM);
    n.n_args = 1;
    n.arg[0] = sd;
    n.lo = 0;
    return add(c, n, NULL);
}

void slab__spec_compile(slab_spec *s, slab_diags *d)
{
    cctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.d = d;
    static const spec_site none = {"", "", 0, NULL};
    c.site = &none;
    /* Every definition, used or not, so all of their problems show. */
    for (size_t k = 0; k < s->n_defs; k++)
        compile_def(&c, &s->defs[k], NULL);
    s->prog_rules = slab__arena_alloc(&s->arena, (s->n_rules + 1) * sizeof *s->prog_rules);
    if (!s->prog_rules)
        return;
    size_t n_ok = 0;
    for (size_t k = 0; k < s->n_rules; k++) {
        spec_rule_src *r = &s->rules[k];
        c.site = &r->trigger;
        c.def = NULL;
        c.failed = 0;
        c.n_calls = c.n_bound = 0;
        r->trigger.tree = slab__expr_parse(&s->arena, r->trigger.text, r->trigger.len,
                                           r->trigger.pointer, d);
        if (!r->trigger.tree)
            continue;
        int id = compile_ast(&c, r->trigger.tree);
        if (id < 0)
            continue;
        if (s->nodes[id].type != SLAB_SPEC_BOOL) {
            need(&c, id, SLAB_SPEC_BOOL, r->trigger.tree, "a trigger");
            continue;
        }
        slab_spec_rule *pr = &s->prog_rules[n_ok++];
        pr->trigger = id;
        pr->action = (slab_spec_action)r->action;
        pr->sizing = r->sizing;
        pr->pointer = r->base;
        pr->text = r->trigger.text;
        if (pr->sizing.kind == SLAB_SPEC_SIZE_VOL_TARGET)
            pr->sizing.vol_node = vol_node(&c, pr->sizing.lookback);
    }
    /* What is reachable gets computed; constants folded into indicator
     * parameters are not. Nodes are in topological order, so one pass from
     * the top marks everything below. */
    for (size_t k = 0; k < n_ok; k++) {
        s->nodes[s->prog_rules[k].trigger].used = 1;
        if (s->prog_rules[k].sizing.vol_node >= 0)
            s->nodes[s->prog_rules[k].sizing.vol_node].used = 1;
    }
    for (size_t k = 0; k < s->n_defs; k++)
        if (s->defs[k].state == 2)
            s->nodes[s->defs[k].node].used = 1;
    for (size_t id = s->n_nodes; id-- > 0;)
        if (s->nodes[id].used)
            for (int k = 0; k < s->nodes[id].n_args; k++)
                s->nodes[s->nodes[id].arg[k]].used = 1;
    s->program.nodes = s->nodes;
    s->program.n_nodes = s->n_nodes;
    s->program.rules = s->prog_rules;
    s->program.n_rules = n_ok;
    int warm = 0;
    for (size_t k = 0; k < s->n_nodes; k++)
        if (s->nodes[k].used && !s->nodes[k].dynamic && s->nodes[k].warmup > warm)
            warm = s->nodes[k].warmup;
    s->program.warmup = warm;
}

int slab__compile_single(slab_spec *s, spec_site *site, slab_diags *d)
{
    cctx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.d = d;
    c.site = site;
    site->tree = slab__expr_parse(&s->arena, site->text, site->len, site->pointer, d);
    return site->tree ? compile_ast(&c, site->tree) : -1;
}
