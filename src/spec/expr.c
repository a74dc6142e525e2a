/* expr.c: the expression language's lexer and recursive-descent parser,
 * text to AST (docs/spec.md "Expressions"). Precedence, lowest first:
 * or, and, not, comparisons (not chained), + -, * / %, unary -, ^ / **
 * (right-associative), postfix (call, .field, [lag]). Numbers, clock
 * times (09:35), names, true/false. Every node keeps its columns so the
 * compiler can point into the expression. Depth and length are capped. */
#include "spec/spec_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { T_END = 0, T_NUM, T_TIME, T_IDENT, T_OP, T_BAD };

typedef struct tok {
    int kind;
    int col, end;      /* 1-based, end exclusive */
    double num;
    const char *s;     /* start in the text */
    size_t len;
    char op[3];        /* T_OP: "+", "<=", "(", ... */
} tok;

typedef struct parser {
    spec_arena *arena;
    const char *text;
    size_t len, pos;
    tok t;             /* the current token */
    const char *pointer;
    slab_diags *d;
    int depth;
    int failed;
} parser;

static void perr(parser *p, int col, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void perr(parser *p, int col, const char *fix, const char *fmt, ...)
{
    va_list ap;
    if (p->failed++)
        return;
    va_start(ap, fmt);
    slab__vdiag(p->d, SLAB_DIAG_ERROR, "expr_syntax", p->pointer, col, fix, fmt, ap);
    va_end(ap);
}

/* Reads the next token into p->t. */
static void next(parser *p)
{
    const char *s = p->text;
    size_t i = p->pos;
    while (i < p->len && isspace((unsigned char)s[i]))
        i++;
    tok *t = &p->t;
    memset(t, 0, sizeof *t);
    t->col = (int)i + 1;
    t->s = s + i;
    if (i >= p->len) {
        t->kind = T_END;
        t->end = t->col;
        p->pos = i;
        return;
    }
    unsigned char c = (unsigned char)s[i];
    if (isdigit(c) || (c == '.' && i + 1 < p->len && isdigit((unsigned char)s[i + 1]))) {
        size_t j = i;
        while (j < p->len && isdigit((unsigned char)s[j]))
            j++;
        /* A clock time: H:MM or HH:MM[:SS] (minutes since midnight). */
        if (j + 2 < p->len && s[j] == ':' && j - i <= 2 && isdigit((unsigned char)s[j + 1]) &&
            isdigit((unsigned char)s[j + 2])) {
            int h = atoi(s + i), m = (s[j + 1] - '0') * 10 + (s[j + 2] - '0'), sec = 0;
            size_t k = j + 3;
            if (k + 2 < p->len && s[k] == ':' && isdigit((unsigned char)s[k + 1]) &&
                isdigit((unsigned char)s[k + 2])) {
                sec = (s[k + 1] - '0') * 10 + (s[k + 2] - '0');
                k += 3;
            }
            t->kind = T_TIME;
            t->num = h * 60 + m + sec / 60.0;
            t->len = k - i;
            t->end = (int)k + 1;
            p->pos = k;
            if (h > 24 || m > 59 || sec > 59 || (h == 24 && (m || sec)))
                t->kind = T_BAD;
            return;
        }
        if (j < p->len && s[j] == '.') {
            j++;
            while (j < p->len && isdigit((unsigned char)s[j]))
                j++;
        }
        if (j < p->len && (s[j] == 'e' || s[j] == 'E')) {
            size_t k = j + 1;
            if (k < p->len && (s[k] == '+' || s[k] == '-'))
                k++;
            if (k < p->len && isdigit((unsigned char)s[k])) {
                while (k < p->len && isdigit((unsigned char)s[k]))
                    k++;
                j = k;
            }
        }
        char buf[64];
        size_t l = j - i < sizeof buf - 1 ? j - i : sizeof buf - 1;
        memcpy(buf, s + i, l);
        buf[l] = '\0';
        t->kind = T_NUM;
        t->num = strtod(buf, NULL);
        t->len = j - i;
        t->end = (int)j + 1;
        p->pos = j;
        if (j - i >= sizeof buf - 1 || !isfinite(t->num))
            t->kind = T_BAD;
        return;
    }
    if (isalpha(c) || c == '_') {
        size_t j = i;
        while (j < p->len && (isalnum((unsigned char)s[j]) || s[j] == '_'))
            j++;
        t->kind = T_IDENT;
        t->len = j - i;
        t->end = (int)j + 1;
        p->pos = j;
        return;
    }
    static const char *const two[] = {"<=", ">=", "==", "!=", "<>", "&&", "||", "**"};
    for (size_t k = 0; k < sizeof two / sizeof two[0]; k++)
        if (i + 1 < p->len && s[i] == two[k][0] && s[i + 1] == two[k][1]) {
            t->kind = T_OP;
            memcpy(t->op, two[k], 2);
            t->len = 2;
            t->end = (int)i + 3;
            p->pos = i + 2;
            return;
        }
    if (strchr("+-*/%^()[],.<>!=", c)) {
        t->kind = T_OP;
        t->op[0] = (char)c;
        t->len = 1;
        t->end = (int)i + 2;
        p->pos = i + 1;
        return;
    }
    t->kind = T_BAD;
    t->len = 1;
    t->end = (int)i + 2;
    p->pos = i + 1;
}

static int is_op(const parser *p, const char *op)
{
    return p->t.kind == T_OP && !strcmp(p->t.op, op);
}

/* Case-insensitive keyword test on an identifier token. */
static int is_kw(const parser *p, const char *kw)
{
    return p->t.kind == T_IDENT && p->t.len == strlen(kw) && !strncasecmp(p->t.s, kw, p->t.len);
}

static ast *node(parser *p, ast_kind kind, int col)
{
    ast *n = slab__arena_alloc(p->arena, sizeof *n);
    if (!n) {
        perr(p, col, "simplify the spec", "the spec is too large to compile (memory limit)");
        return NULL;
    }
    n->kind = kind;
    n->col = col;
    n->end = col;
    return n;
}

/* What the current token looks like, for messages. */
static const char *tok_text(const parser *p, char *buf, size_t n)
{
    if (p->t.kind == T_END)
        return "the end of the expression";
    snprintf(buf, n, "'%.*s'", (int)(p->t.len > 20 ? 20 : p->t.len), p->t.s);
    return buf;
}

static ast *expr_or(parser *p);

static ast *bad_token(parser *p)
{
    char buf[48];
    const tok *t = &p->t;
    if (t->kind == T_BAD && t->s[0] == '"')
        perr(p, t->col, "compare numbers; names need no quotes (close > open)",
             "strings are not values in an expression");
    else if (t->kind == T_BAD && t->s[0] == '\'')
        perr(p, t->col, "names need no quotes: write close, not 'close'",
             "quotes are not used in expressions");
    else if (t->kind == T_BAD && (isdigit((unsigned char)t->s[0]) || t->s[0] == '.'))
        perr(p, t->col, "write a finite number (1.5, 2e3) or a clock time from 00:00 to 24:00",
             "the number %.*s cannot be read", (int)(t->len > 30 ? 30 : t->len), t->s);
    else if (t->kind == T_BAD)
        perr(p, t->col, "use the operators + - * / ^ < <= > >= == != and or not",
             "unexpected character %s", tok_text(p, buf, sizeof buf));
    else if (t->kind == T_END)
        perr(p, t->col, "complete the expression", "the expression ends where a value was expected");
    else if (is_op(p, "="))
        perr(p, t->col, "compare with ==", "'=' is not an operator here");
    else
        perr(p, t->col, "check the operators and parentheses around this point",
             "expected a value, found %s", tok_text(p, buf, sizeof buf));
    return NULL;
}

static ast *call_args(parser *p, ast *call)
{
    ast *args[SLAB_IND_MAX_INPUTS + SLAB_IND_MAX_PARAMS + 4];
    const char *names[sizeof args / sizeof args[0]];
    int n = 0;
    next(p); /* '(' */
    if (!is_op(p, ")"))
        for (;;) {
            const char *nm = NULL;
            if (n == (int)(sizeof args / sizeof args[0])) {
                perr(p, p->t.col, "pass fewer arguments", "more than %d arguments",
                     (int)(sizeof args / sizeof args[0]));
                return NULL;
            }
            if (p->t.kind == T_IDENT) {
                /* name=value: look ahead for a single '=' */
                size_t save = p->pos;
                tok saved = p->t;
                next(p);
                if (is_op(p, "=")) {
                    nm = slab__arena_strndup(p->arena, saved.s, saved.len);
                    next(p);
                } else {
                    p->pos = save;
                    p->t = saved;
                }
            }
            ast *a = expr_or(p);
            if (!a)
                return NULL;
            args[n] = a;
            names[n++] = nm;
            if (is_op(p, ",")) {
                next(p);
                continue;
            }
            if (is_op(p, ")"))
                break;
            char buf[48];
            perr(p, p->t.col, "separate arguments with ',' and close the call with ')'",
                 "expected ',' or ')' in the call of %s, found %s", call->name,
                 tok_text(p, buf, sizeof buf));
            return NULL;
        }
    call->end = p->t.end;
    next(p); /* ')' */
    call->n_args = n;
    call->args = slab__arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *call->args);
    call->arg_names = slab__arena_alloc(p->arena, (size_t)(n ? n : 1) * sizeof *call->arg_names);
    if (!call->args || !call->arg_names) {
        perr(p, call->col, "simplify the spec", "the spec is too large to compile (memory limit)");
        return NULL;
    }
    memcpy(call->args, args, (size_t)n * sizeof *args);
    memcpy(call->arg_names, names, (size_t)n * sizeof *names);
    return call;
}

static ast *primary(parser *p)
{
    tok t = p->t;
    ast *n;
    if (t.kind == T_NUM || t.kind == T_TIME) {
        if (!(n = node(p, AST_NUM, t.col)))
            return NULL;
        n->num = t.num;
        n->is_time = t.kind == T_TIME;
        n->end = t.end;
        next(p);
        return n;
    }
    if (is_op(p, "(")) {
        next(p);
        n = expr_or(p);
        if (!n)
            return NULL;
        if (!is_op(p, ")")) {
            char buf[48];
            perr(p, p->t.col, "add the missing ')'",
                 "expected ')' to close the '(' at column %d, found %s", t.col,
                 tok_text(p, buf, sizeof buf));
            return NULL;
        }
        n->col = t.col;
        n->end = p->t.end;
        next(p);
        return n;
    }
    if (t.kind != T_IDENT)
        return bad_token(p);
    if (is_kw(p, "true") || is_kw(p, "false")) {
        if (!(n = node(p, AST_BOOL, t.col)))
            return NULL;
        n->num = is_kw(p, "true");
        n->end = t.end;
        next(p);
        return n;
    }
    if (is_kw(p, "and") || is_kw(p, "or")) {
        perr(p, t.col, "put a condition on both sides of and/or", "'%.*s' needs a value before it",
             (int)t.len, t.s);
        return NULL;
    }
    /* A dotted name (bt.indicators.SMA, talib.RSI, MovAv.SMA) before '(' is
     * one function name. */
    size_t save = p->pos;
    size_t name_len = t.len;
    next(p);
    while (is_op(p, ".")) {
        size_t s2 = p->pos;
        tok dot = p->t;
        next(p);
        if (p->t.kind != T_IDENT) {
            p->pos = s2;
            p->t = dot;
            break;
        }
        size_t after = p->pos;
        tok id = p->t;
        next(p);
        if (is_op(p, ".") || is_op(p, "(")) {
            name_len = (size_t)(id.s + id.len - t.s);
            continue;
        }
        /* a field access after a plain name: undo to the dot */
        (void)after;
        p->pos = s2;
        p->t = dot;
        break;
    }
    if (!is_op(p, "(") && name_len != t.len) {
        /* dots consumed but no call: restart after the first name */
        p->pos = save;
        next(p);
        name_len = t.len;
    }
    if (!(n = node(p, is_op(p, "(") ? AST_CALL : AST_NAME, t.col)))
        return NULL;
    n->name = slab__arena_strndup(p->arena, t.s, name_len);
    n->end = t.col + (int)name_len;
    if (!n->name)
        return bad_token(p);
    if (n->kind == AST_CALL)
        return call_args(p, n);
    return n;
}

/* Postfix: .field and [lag]. */
static ast *postfix(parser *p)
{
    ast *n = primary(p);
    while (n && (is_op(p, ".") || is_op(p, "["))) {
        int col = p->t.col;
        if (is_op(p, ".")) {
            next(p);
            if (p->t.kind != T_IDENT) {
                perr(p, p->t.col, "name an output after '.', e.g. bb.lower or macd.signal",
                     "expected an output name after '.'");
                return NULL;
            }
            ast *f = node(p, AST_FIELD, n->col);
            if (!f)
                return NULL;
            f->a = n;
            f->name = slab__arena_strndup(p->arena, p->t.s, p->t.len);
            f->end = p->t.end;
            next(p);
            n = f;
            continue;
        }
        next(p); /* '[' */
        int sign = 1, lcol = p->t.col;
        if (is_op(p, "-") || is_op(p, "+")) {
            sign = is_op(p, "-") ? -1 : 1;
            next(p);
        }
        if (p->t.kind != T_NUM || p->t.num != floor(p->t.num) || p->t.num > 1e6) {
            perr(p, lcol, "write a whole number of bars: close[-1] is the previous bar",
                 "a lag must be a whole number of bars");
            return NULL;
        }
        double lag = sign * p->t.num;
        next(p);
        if (!is_op(p, "]")) {
            perr(p, p->t.col, "close the lag with ']'", "expected ']' after the lag");
            return NULL;
        }
        ast *l = node(p, AST_LAG, n->col);
        if (!l)
            return NULL;
        l->a = n;
        l->num = lag;
        l->end = p->t.end;
        (void)col;
        next(p);
        n = l;
    }
    return n;
}

static ast *unary(parser *p);

static ast *power(parser *p)
{
    ast *a = postfix(p);
    if (!a || !(is_op(p, "^") || is_op(p, "**")))
        return a;
    int col = p->t.col;
    next(p);
    if (++p->depth > SLAB_SPEC_MAX_EXPR_DEPTH) {
        perr(p, col, "simplify the expression", "the expression nests deeper than %d levels",
             SLAB_SPEC_MAX_EXPR_DEPTH);
        return NULL;
    }
    ast *b = unary(p); /* right-associative: 2^-1, a^b^c = a^(b^c) */
    p->depth--;
    if (!b)
        return NULL;
    ast *n = node(p, AST_BINARY, a->col);
    if (!n)
        return NULL;
    n->op = OP_POW;
    n->a = a;
    n->b = b;
    n->end = b->end;
    return n;
}

static ast *unary(parser *p)
{
    if (is_op(p, "-") || is_op(p, "+")) {
        int col = p->t.col, neg = is_op(p, "-");
        next(p);
        if (++p->depth > SLAB_SPEC_MAX_EXPR_DEPTH) {
            perr(p, col, "simplify the expression", "the expression nests deeper than %d levels",
                 SLAB_SPEC_MAX_EXPR_DEPTH);
            return NULL;
        }
        ast *a = unary(p);
        p->depth--;
        if (!a)
            return NULL;
        ast *n = node(p, AST_UNARY, col);
        if (!n)
            return NULL;
        n->op = neg ? OP_NEG : OP_PLUS;
        n->a = a;
        n->end = a->end;
        return n;
    }
    return power(p);
}

static ast *binary_left(parser *p, ast *(*sub)(parser *), const char *const *ops, const int *codes,
                        int n_ops)
{
    ast *a = sub(p);
    while (a) {
        int k = -1;
        for (int i = 0; i < n_ops; i++)
            if (is_op(p, ops[i]))
                k = i;
        if (k < 0)
            return a;
        next(p);
        ast *b = sub(p);
        if (!b)
            return NULL;
        ast *n = node(p, AST_BINARY, a->col);
        if (!n)
            return NULL;
        n->op = codes[k];
        n->a = a;
        n->b = b;
        n->end = b->end;
        a = n;
    }
    return a;
}

static ast *mul(parser *p)
{
    static const char *const ops[] = {"*", "/", "%"};
    static const int codes[] = {OP_MUL, OP_DIV, -1};
    if (is_op(p, "%")) {
        perr(p, p->t.col, "write the number as a fraction", "'%%' needs a value before it");
        return NULL;
    }
    ast *a = binary_left(p, unary, ops, codes, 2);
    if (a && is_op(p, "%")) {
        perr(p, p->t.col, "percentages are fractions here: write 0.02 for 2%",
             "'%%' is not an operator in expressions");
        return NULL;
    }
    return a;
}

static ast *add(parser *p)
{
    static const char *const ops[] = {"+", "-"};
    static const int codes[] = {OP_ADD, OP_SUB};
    return binary_left(p, mul, ops, codes, 2);
}

static int cmp_op(const parser *p)
{
    static const char *const ops[] = {"<", "<=", ">", ">=", "==", "!=", "<>"};
    static const int codes[] = {OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_NE};
    for (int i = 0; i < 7; i++)
        if (is_op(p, ops[i]))
            return codes[i];
    return 0;
}

static ast *compare(parser *p)
{
    ast *a = add(p);
    int op;
    if (!a)
        return NULL;
    if (is_op(p, "=")) {
        perr(p, p->t.col, "compare with ==", "'=' is not a comparison");
        return NULL;
    }
    if (!(op = cmp_op(p)))
        return a;
    next(p);
    ast *b = add(p);
    if (!b)
        return NULL;
    if (cmp_op(p)) {
        perr(p, p->t.col, "write a < b and b < c", "comparisons cannot be chained");
        return NULL;
    }
    ast *n = node(p, AST_BINARY, a->col);
    if (!n)
        return NULL;
    n->op = op;
    n->a = a;
    n->b = b;
    n->end = b->end;
    return n;
}

static ast *not_expr(parser *p)
{
    if (is_kw(p, "not") || is_op(p, "!")) {
        int col = p->t.col;
        next(p);
        if (++p->depth > SLAB_SPEC_MAX_EXPR_DEPTH) {
            perr(p, col, "simplify the expression", "the expression nests deeper than %d levels",
                 SLAB_SPEC_MAX_EXPR_DEPTH);
            return NULL;
        }
        ast *a = not_expr(p);
        p->depth--;
        if (!a)
            return NULL;
        ast *n = node(p, AST_UNARY, col);
        if (!n)
            return NULL;
        n->op = OP_NOT;
        n->a = a;
        n->end = a->end;
        return n;
    }
    return compare(p);
}

static ast *and_expr(parser *p)
{
    ast *a = not_expr(p);
    while (a && (is_kw(p, "and") || is_op(p, "&&"))) {
        next(p);
        ast *b = not_expr(p);
        if (!b)
            return NULL;
        ast *n = node(p, AST_BINARY, a->col);
        if (!n)
            return NULL;
        n->op = OP_AND;
        n->a = a;
        n->b = b;
        n->end = b->end;
        a = n;
    }
    return a;
}

static ast *expr_or(parser *p)
{
    if (++p->depth > SLAB_SPEC_MAX_EXPR_DEPTH) {
        perr(p, p->t.col, "simplify the expression", "the expression nests deeper than %d levels",
             SLAB_SPEC_MAX_EXPR_DEPTH);
        return NULL;
    }
    ast *a = and_expr(p);
    while (a && (is_kw(p, "or") || is_op(p, "||"))) {
        next(p);
        ast *b = and_expr(p);
        if (!b)
            return NULL;
        ast *n = node(p, AST_BINARY, a->col);
        if (!n)
            return NULL;
        n->op = OP_OR;
        n->a = a;
        n->b = b;
        n->end = b->end;
        a = n;
    }
    p->depth--;
    return a;
}

ast *slab__expr_parse(spec_arena *a, const char *text, size_t len, const char *pointer,
                      slab_diags *d)
{
    parser p;
    memset(&p, 0, sizeof p);
    p.arena = a;
    p.text = text;
    p.len = len;
    p.pointer = pointer;
    p.d = d;
    if (len > SLAB_SPEC_MAX_EXPR) {
        slab__diag(d, SLAB_DIAG_ERROR, "expr_limit", pointer, 0,
                   "split it into named steps of the logic_pipeline",
                   "the expression is %zu bytes; the limit is %d", len, SLAB_SPEC_MAX_EXPR);
        return NULL;
    }
    next(&p);
    if (p.t.kind == T_END) {
        slab__diag(d, SLAB_DIAG_ERROR, "expr_empty", pointer, 0,
                   "write an expression, e.g. close > SMA(close, 200)", "the expression is empty");
        return NULL;
    }
    ast *root = expr_or(&p);
    if (root && p.t.kind != T_END) {
        char buf[48];
        if (is_op(&p, ")"))
            perr(&p, p.t.col, "remove it or open a matching '('", "a ')' without a matching '('");
        else if (p.t.kind == T_IDENT || p.t.kind == T_NUM)
            perr(&p, p.t.col, "join the two parts with an operator (and, or, +, >, ...)",
                 "expected an operator before %s", tok_text(&p, buf, sizeof buf));
        else
            perr(&p, p.t.col, "check the operators around this point", "unexpected %s",
                 tok_text(&p, buf, sizeof buf));
        return NULL;
    }
    return p.failed ? NULL : root;
}
