/* where.c: the --where constraint of a sweep: a small expression language
 * over parameter names compiled to a stack program and evaluated once per
 * combination. Grammar (lowest precedence first):
 *   or   := and (("or" | "||") and)*
 *   and  := not (("and" | "&&") not)*
 *   not  := ("not" | "!") not | cmp
 *   cmp  := sum (("<" | "<=" | ">" | ">=" | "==" | "=" | "!=") sum)?
 *   sum  := prod (("+" | "-") prod)*
 *   prod := unary (("*" | "/" | "%") unary)*
 *   unary:= "-" unary | atom
 *   atom := number | name | "(" or ")" | ("abs"|"min"|"max") "(" args ")"
 * Errors carry "--where:1:COL" and say what was expected there. */
#include "sweep/sweep_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *s;           /* the expression */
    size_t i;                /* read position */
    const slab_grid *g;
    const char *const *fixed_names;
    const double *fixed_values;
    size_t n_fixed;
    slab__where *w;
    int depth, max_depth;    /* stack depth while emitting */
    slab_error *err;
    int failed;
} parser;

static void skip_space(parser *p)
{
    while (isspace((unsigned char)p->s[p->i]))
        p->i++;
}

/* Records the first error at the current column. */
static void fail(parser *p, const char *fmt, const char *arg)
{
    char where[48];
    if (p->failed)
        return;
    p->failed = 1;
    snprintf(where, sizeof where, "--where:1:%zu", p->i + 1);
    slab_error_set(p->err, SLAB_EPARSE, where, fmt, arg);
}

static void emit(parser *p, where_op op, int arg, double value)
{
    static const int effect[] = {
        [W_CONST] = 1, [W_AXIS] = 1, [W_FIXED] = 1, [W_NEG] = 0, [W_NOT] = 0, [W_ABS] = 0,
        [W_ADD] = -1,  [W_SUB] = -1, [W_MUL] = -1,  [W_DIV] = -1, [W_MOD] = -1, [W_LT] = -1,
        [W_LE] = -1,   [W_GT] = -1,  [W_GE] = -1,   [W_EQ] = -1,  [W_NE] = -1,  [W_AND] = -1,
        [W_OR] = -1,   [W_MIN] = -1, [W_MAX] = -1};
    if (p->failed)
        return;
    if (p->w->n == WHERE_MAX_OPS) {
        fail(p, "the expression is too long (limit %s operations)", "256");
        return;
    }
    p->w->ins[p->w->n++] = (where_ins){op, arg, value};
    p->depth += effect[op];
    if (p->depth > p->max_depth)
        p->max_depth = p->depth;
}

/* Consumes the word or symbol tok when it is next (words must end there). */
static int accept(parser *p, const char *tok)
{
    size_t n = strlen(tok);
    skip_space(p);
    if (strncmp(p->s + p->i, tok, n))
        return 0;
    if (isalpha((unsigned char)tok[0]) &&
        (isalnum((unsigned char)p->s[p->i + n]) || p->s[p->i + n] == '_'))
        return 0;
    /* "<" must not take the first half of "<=", "=" of "==", "!" of "!=" */
    if (n == 1 && strchr("<>=!", tok[0]) && p->s[p->i + 1] == '=')
        return 0;
    p->i += n;
    return 1;
}

static void parse_or(parser *p);

/* Appends "name" to list (bounded). */
static void list_add(char *list, size_t cap, const char *name)
{
    size_t l = strlen(list);
    snprintf(list + l, cap - l, "%s%s", l ? ", " : "", name);
}

static void name_ref(parser *p, const char *name)
{
    char list[512] = "";
    int k = slab_grid_axis_find(p->g, name);
    if (k >= 0) {
        emit(p, W_AXIS, k, 0.0);
        return;
    }
    for (size_t j = 0; j < p->n_fixed; j++)
        if (!strcmp(p->fixed_names[j], name)) {
            emit(p, W_FIXED, (int)j, p->fixed_values[j]);
            return;
        }
    for (size_t a = 0; a < slab_grid_n_axes(p->g); a++)
        list_add(list, sizeof list, slab_grid_axis_at(p->g, a)->name);
    for (size_t j = 0; j < p->n_fixed; j++)
        list_add(list, sizeof list, p->fixed_names[j]);
    char msg[700];
    snprintf(msg, sizeof msg, "unknown name '%s'; the constraint can use: %s", name, list);
    fail(p, "%s", msg);
}

/* abs(x), min(a, b, ...), max(a, b, ...) */
static void call(parser *p, const char *fn)
{
    where_op op = !strcmp(fn, "abs") ? W_ABS : !strcmp(fn, "min") ? W_MIN : W_MAX;
    int args = 0;
    if (!accept(p, "("))
        return fail(p, "expected '(' after %s", fn);
    do {
        parse_or(p);
        if (++args > 1 && op != W_ABS)
            emit(p, op, 0, 0.0);
    } while (!p->failed && accept(p, ","));
    if (!p->failed && !accept(p, ")"))
        return fail(p, "expected ')' to close %s(", fn);
    if (op == W_ABS && args != 1)
        return fail(p, "%s takes one argument", fn);
    if (op == W_ABS)
        emit(p, W_ABS, 0, 0.0);
    else if (args < 2)
        fail(p, "%s takes two or more arguments", fn);
}

static void parse_atom(parser *p)
{
    char name[SLAB_GRID_NAME_MAX];
    skip_space(p);
    const char *s = p->s + p->i;
    if (accept(p, "(")) {
        parse_or(p);
        if (!p->failed && !accept(p, ")"))
            fail(p, "expected ')'%s", "");
        return;
    }
    if (isdigit((unsigned char)*s) || (*s == '.' && isdigit((unsigned char)s[1]))) {
        char *end;
        double v = strtod(s, &end);
        p->i += (size_t)(end - s);
        emit(p, W_CONST, 0, v);
        return;
    }
    if (isalpha((unsigned char)*s) || *s == '_') {
        size_t n = 0;
        while (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '.')
            n++;
        if (n >= sizeof name)
            return fail(p, "a name is too long (limit %s bytes)", "63");
        memcpy(name, s, n);
        name[n] = '\0';
        p->i += n;
        if (!strcmp(name, "abs") || !strcmp(name, "min") || !strcmp(name, "max"))
            return call(p, name);
        return name_ref(p, name);
    }
    fail(p, *s ? "expected a number, a name or '(' at '%s'" : "expected a number, a name or '('%s",
         *s ? s : " at the end");
}

static void parse_unary(parser *p)
{
    if (accept(p, "-")) {
        parse_unary(p);
        emit(p, W_NEG, 0, 0.0);
        return;
    }
    parse_atom(p);
}

static void parse_prod(parser *p)
{
    parse_unary(p);
    for (;;) {
        where_op op = accept(p, "*") ? W_MUL : accept(p, "/") ? W_DIV : accept(p, "%") ? W_MOD
                                                                                    : W_CONST;
        if (op == W_CONST || p->failed)
            return;
        parse_unary(p);
        emit(p, op, 0, 0.0);
    }
}

static void parse_sum(parser *p)
{
    parse_prod(p);
    for (;;) {
        where_op op = accept(p, "+") ? W_ADD : accept(p, "-") ? W_SUB : W_CONST;
        if (op == W_CONST || p->failed)
            return;
        parse_prod(p);
        emit(p, op, 0, 0.0);
    }
}

static void parse_cmp(parser *p)
{
    static const struct { const char *tok; where_op op; } ops[] = {
        {"<=", W_LE}, {">=", W_GE}, {"==", W_EQ}, {"!=", W_NE},
        {"<", W_LT},  {">", W_GT},  {"=", W_EQ}};
    parse_sum(p);
    for (size_t k = 0; !p->failed && k < sizeof ops / sizeof ops[0]; k++)
        if (accept(p, ops[k].tok)) {
            parse_sum(p);
            emit(p, ops[k].op, 0, 0.0);
            return;
        }
}

static void parse_not(parser *p)
{
    if (accept(p, "not") || accept(p, "!")) {
        parse_not(p);
        emit(p, W_NOT, 0, 0.0);
        return;
    }
    parse_cmp(p);
}

static void parse_and(parser *p)
{
    parse_not(p);
    while (!p->failed && (accept(p, "and") || accept(p, "&&"))) {
        parse_not(p);
        emit(p, W_AND, 0, 0.0);
    }
}

static void parse_or(parser *p)
{
    parse_and(p);
    while (!p->failed && (accept(p, "or") || accept(p, "||"))) {
        parse_and(p);
        emit(p, W_OR, 0, 0.0);
    }
}

slab_status slab__where_compile(const char *expr, const slab_grid *g,
                                const char *const *fixed_names, const double *fixed_values,
                                size_t n_fixed, slab__where *out, slab_error *err)
{
    parser p = {expr, 0, g, fixed_names, fixed_values, n_fixed, out, 0, 0, err, 0};
    memset(out, 0, sizeof *out);
    parse_or(&p);
    skip_space(&p);
    if (!p.failed && p.s[p.i])
        fail(&p, "unexpected '%s' (an operator or 'and'/'or' missing?)", p.s + p.i);
    if (p.failed)
        return SLAB_EPARSE;
    out->depth = p.max_depth;
    return SLAB_OK;
}

/* Truth as the constraint sees it: non-zero and not NaN. */
static int truth(double x) { return x != 0.0 && !isnan(x); }

double slab__where_eval(const slab__where *w, const slab_grid *g, const size_t *idx)
{
    double st[WHERE_MAX_OPS + 1];
    int sp = 0;
    for (int k = 0; k < w->n; k++) {
        const where_ins *in = &w->ins[k];
        double b = sp > 0 ? st[sp - 1] : 0.0, a = sp > 1 ? st[sp - 2] : 0.0, r;
        switch (in->op) {
        case W_CONST: st[sp++] = in->value; continue;
        case W_FIXED: st[sp++] = in->value; continue;
        case W_AXIS: st[sp++] = g->axes[in->arg].values[idx[in->arg]].num; continue;
        case W_NEG: st[sp - 1] = -b; continue;
        case W_NOT: st[sp - 1] = truth(b) ? 0.0 : 1.0; continue;
        case W_ABS: st[sp - 1] = fabs(b); continue;
        case W_ADD: r = a + b; break;
        case W_SUB: r = a - b; break;
        case W_MUL: r = a * b; break;
        case W_DIV: r = a / b; break;
        case W_MOD: r = fmod(a, b); break;
        case W_LT: r = a < b; break;
        case W_LE: r = a <= b; break;
        case W_GT: r = a > b; break;
        case W_GE: r = a >= b; break;
        case W_EQ: r = a == b; break;
        case W_NE: r = a != b; break;
        case W_AND: r = truth(a) && truth(b); break;
        case W_OR: r = truth(a) || truth(b); break;
        case W_MIN: r = b < a ? b : a; break;
        default: /* W_MAX */ r = b > a ? b : a; break;
        }
        st[--sp - 1] = r;
    }
    return sp ? st[0] : NAN;
}
