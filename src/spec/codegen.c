/* codegen.c: a compiled spec written out as one readable C strategy script
 * (seed 001 Phase 2), `stratlab spec codegen SPEC.json`. The script
 * includes only <stratlab/strategy.h> and runs with `stratlab run --script`;
 * it follows the semantics of spec_program.h so that it gives the spec
 * run's numbers exactly (tests/cli/test_spec_codegen.sh compares them).
 *
 * Layout of the generated file: a header comment (spec name, SHA-256, the
 * run settings to pass, every definition with its JSON pointer), one
 * function per used node of the DAG (nK, K the node id, with a comment
 * quoting the spec text that made it), init() declaring the indicators
 * and the risk settings, next() with the warm-up and the rules.
 *
 * Nothing from the spec reaches the C file as code: identifiers are node
 * ids, numbers are printed with %.17g (exact), indicator names come from
 * the indicator table, and spec text only appears inside comments or
 * string literals, escaped (put_comment, put_string).
 *
 * The warm-up: the spec run starts next() at the first bar where every
 * static node has had a value. The generated next() is called from its
 * indicators' minimum period and returns until every node has had a value
 * (scanning the bars before the first call once); the rules then run from
 * the same bar as the spec's, which slab_strategy_started() reports as the
 * run's minimum period.
 *
 * Session aggregates are computed from the bars of the day (a per-node
 * cache extends them bar by bar); calendar values from slab_time().
 *
 * Not supported yet (refused with one line): universes (cross-sectional
 * nodes, rebalance, several symbols, pair selection), indicators over
 * computed series (the script API's slab_indicator takes series ids only),
 * volatility-target sizing (its volatility is one), reversals sized by the
 * run's sizer (a script cannot read it), lags of broker state. */
#include "spec/spec_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Spec text inside a C block comment: printable ASCII only, no comment
 * end ("*" then "/"), at most max bytes. */
static void put_comment(FILE *f, const char *s, size_t max)
{
    size_t n = 0;
    for (; s && *s && n < max; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if (c == '*' && s[1] == '/') {
            fputs("*\\/", f);
            s++;
            continue;
        }
        if (c == '/' && s[1] == '*') {
            fputs("/\\*", f);
            s++;
            continue;
        }
        if (c == '\\') { /* a line splice at a line's end could end a // comment */
            fputs("\\\\", f);
            continue;
        }
        fputc(c >= 0x20 && c < 0x7f ? (int)c : '?', f);
    }
    if (s && *s)
        fputs("...", f);
}

/* Spec text as a C string literal: letters, digits, space and . _ - kept,
 * everything else as an octal escape. */
static void put_string(FILE *f, const char *s, size_t max)
{
    fputc('"', f);
    for (size_t n = 0; s && *s && n < max; s++, n++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == ' ' || c == '.' || c == '_' || c == '-')
            fputc(c, f);
        else
            fprintf(f, "\\%03o", c);
    }
    fputc('"', f);
}

/* Word checks for what goes into string literals from our own tables. */
static int plain_word(const char *s)
{
    if (!s || !*s || strlen(s) > 60)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '%' || *s == '@' || *s == '-' || *s == ':'))
            return 0;
    return 1;
}

static const char *op_c(slab_spec_op op)
{
    switch (op) {
    case SLAB_SPEC_ADD: return "+";
    case SLAB_SPEC_SUB: return "-";
    case SLAB_SPEC_MUL: return "*";
    case SLAB_SPEC_DIV: return "/";
    case SLAB_SPEC_LT: return "<";
    case SLAB_SPEC_LE: return "<=";
    case SLAB_SPEC_GT: return ">";
    case SLAB_SPEC_GE: return ">=";
    case SLAB_SPEC_EQ: return "==";
    case SLAB_SPEC_NE: return "!=";
    default: return NULL;
    }
}

static const char *action_c(slab_spec_action a)
{
    static const char *const names[] = {"buy", "sell", "short", "cover", "close", "rebalance"};
    return (unsigned)a < 6 ? names[a] : "?";
}

/* The definition whose value is node id (for comments), or NULL. */
static const spec_def *def_of(const slab_spec *s, size_t id)
{
    for (size_t k = 0; k < s->n_defs; k++)
        if (s->defs[k].node == (int)id && s->defs[k].state == 2)
            return &s->defs[k];
    return NULL;
}

/* Why codegen cannot write this spec yet, or NULL. */
static const char *unsupported(const slab_spec *s, char *buf, size_t n)
{
    const slab_spec_program *p = &s->program;
    if (s->settings.n_symbols > 1 || s->settings.pair_selection)
        return "universe specs (several data.symbols, pair_selection) are not supported by "
               "codegen yet";
    int buys = 0, shorts = 0, run_sized = 0;
    for (size_t k = 0; k < p->n_rules; k++) {
        const slab_spec_rule *r = &p->rules[k];
        if (r->action == SLAB_SPEC_REBALANCE)
            return "rebalance rules (universes) are not supported by codegen yet";
        if (r->sizing.kind == SLAB_SPEC_SIZE_VOL_TARGET) {
            snprintf(buf, n, "%.120s: volatility_target sizing is not supported by codegen yet",
                     r->pointer);
            return buf;
        }
        buys |= r->action == SLAB_SPEC_BUY;
        shorts |= r->action == SLAB_SPEC_SHORT;
        run_sized |= (r->action == SLAB_SPEC_BUY || r->action == SLAB_SPEC_SHORT) &&
                     r->sizing.kind == SLAB_SPEC_SIZE_RUN;
    }
    if (buys && shorts && run_sized)
        return "a reversal (buy while short, short while long) sized by the run's sizer is not "
               "supported by codegen yet: give the entries a position_sizing";
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (!nd->used)
            continue;
        const char *why = NULL;
        switch (nd->op) {
        case SLAB_SPEC_XSECT: why = "cross-sectional functions (universes)"; break;
        case SLAB_SPEC_IND:
            if (!plain_word(nd->ind->name))
                why = "this indicator";
            for (int k = 0; k < nd->n_args && !why; k++) {
                const slab_spec_node *in = &p->nodes[nd->arg[k]];
                if (in->op != SLAB_SPEC_COLUMN && in->op != SLAB_SPEC_IND &&
                    in->op != SLAB_SPEC_FIELD)
                    why = "indicators over computed series";
            }
            break;
        case SLAB_SPEC_LAG:
            if (p->nodes[nd->arg[0]].dynamic)
                why = "lags of broker state";
            break;
        default: break;
        }
        if (why) {
            snprintf(buf, n, "%s (in \"%.60s\") %s not supported by codegen yet", why,
                     nd->text ? nd->text : "an expression",
                     nd->op == SLAB_SPEC_IND ? "is" : "are");
            return buf;
        }
    }
    for (size_t j = 0; j < s->n_risk; j++)
        if (!plain_word(s->risk[j].key) || !plain_word(s->risk[j].value)) {
            snprintf(buf, n, "%.120s: this risk item's text is not supported by codegen yet",
                     s->risk[j].pointer);
            return buf;
        }
    return NULL;
}

/* A number as a C double expression, exactly (%.17g round-trips). */
static void put_num(FILE *f, double x)
{
    if (isnan(x))
        fputs("NAN_", f);
    else if (isinf(x))
        fputs(x > 0 ? "__builtin_inf()" : "-__builtin_inf()", f);
    else
        fprintf(f, "%.17g", x);
}

/* The C expression of node id at bar offset `ago` (a C expression text). */
static void ref(FILE *f, size_t id, const char *ago) { fprintf(f, "n%zu(ctx, s, %s)", id, ago); }

/* The series id expression of an indicator input node. */
static void series_of(FILE *f, const slab_spec_program *p, int id)
{
    const slab_spec_node *nd = &p->nodes[id];
    if (nd->op == SLAB_SPEC_COLUMN)
        fprintf(f, "%d", nd->kind);
    else if (nd->op == SLAB_SPEC_FIELD)
        fprintf(f, "s->ind[%d] + %d", nd->arg[0], nd->kind);
    else
        fprintf(f, "s->ind[%d]", id);
}

static void node_fn(FILE *f, const slab_spec *s, size_t id)
{
    const slab_spec_program *p = &s->program;
    const slab_spec_node *nd = &p->nodes[id];
    const spec_def *d = def_of(s, id);
    fprintf(f, "/* n%zu", id);
    if (d) {
        fputs(": ", f);
        put_comment(f, d->site.pointer, 255);
        fputs(" \"", f);
        put_comment(f, d->name, 80);
        fputs("\" = ", f);
        put_comment(f, d->site.text, 400);
    } else if (nd->text) {
        fputs(": ", f);
        put_comment(f, nd->text, 400);
    } else {
        fputs(": (made by the compiler)", f);
    }
    fputs(nd->dynamic ? " [broker state, this bar only] */\n" : " */\n", f);
    fprintf(f, "static __attribute__((unused)) double n%zu(slab_ctx *ctx, state *s, int ago)\n{\n", id);
    const char *op = op_c(nd->op);
    int a = nd->n_args > 0 ? nd->arg[0] : -1, b = nd->n_args > 1 ? nd->arg[1] : -1;
    switch (nd->op) {
    case SLAB_SPEC_CONST:
        fputs("    (void)ctx, (void)s, (void)ago;\n    return ", f);
        put_num(f, nd->value);
        fputs(";\n", f);
        break;
    case SLAB_SPEC_COLUMN:
        fprintf(f, "    (void)s;\n    return slab_get(ctx, %d, ago); /* %s */\n", nd->kind,
                (const char *[]){"open", "high", "low", "close", "volume", "openinterest"}
                    [nd->kind >= 0 && nd->kind < 6 ? nd->kind : 0]);
        break;
    case SLAB_SPEC_CLOCK: {
        static const char *const what[] = {"time of day, minutes", "day number", "ISO weekday",
                                           "month", "year"};
        fprintf(f, "    (void)s;\n    if (slab_bar(ctx) + ago < 0)\n        return NAN_;\n"
                   "    return clock_value(%d, slab_time(ctx, ago)); /* %s */\n",
                nd->kind, what[nd->kind >= 0 && nd->kind < 5 ? nd->kind : 0]);
        break;
    }
    case SLAB_SPEC_SESSION: {
        static const char *const what[] = {
            "the running max of x over today's bars where c held",
            "the running min of x over today's bars where c held",
            "how many of today's bars so far had c", "x at today's first bar",
            "x at the previous day's last bar"};
        int kind = nd->kind >= 0 && nd->kind < 5 ? nd->kind : 0;
        fprintf(f, "    /* %s (x = n%d, c = n%d). The value is kept for the bar it was\n"
                   "     * computed for and extended bar by bar within a day, so asking\n"
                   "     * for consecutive bars costs one step each. */\n", what[kind], a, b);
        fprintf(f, "    long bar = slab_bar(ctx) + ago;\n"
                   "    if (bar < 0)\n        return NAN_;\n"
                   "    session_cache *m = &s->sess[%zu];\n"
                   "    long long day = day_of(slab_time(ctx, ago));\n"
                   "    if (m->bar1 == bar + 1)\n        return m->value;\n"
                   "    if (!(m->bar1 == bar && m->day == day)) {\n"
                   "        /* today's first bar, and the value before it */\n"
                   "        long first = bar;\n"
                   "        while (first > 0 && day_of(slab_time(ctx, (int)(first - 1 - slab_bar(ctx)))) == day)\n"
                   "            first--;\n"
                   "        m->day = day;\n        m->first = first;\n", id);
        switch (kind) {
        case SLAB_SPEC_SESS_MAX:
        case SLAB_SPEC_SESS_MIN:
        case SLAB_SPEC_SESS_COUNT:
            fprintf(f, "        m->value = %s;\n"
                       "        for (long k = first; k < bar; k++)\n"
                       "            m->value = session_step(%d, m->value, ", kind == SLAB_SPEC_SESS_COUNT ? "0.0" : "NAN_", kind);
            if (kind == SLAB_SPEC_SESS_COUNT)
                fputs("0.0", f);
            else
                fprintf(f, "n%d(ctx, s, (int)(k - slab_bar(ctx)))", a);
            fprintf(f, ",\n                                    n%d(ctx, s, (int)(k - slab_bar(ctx))));\n"
                       "    }\n", b);
            fprintf(f, "    m->value = session_step(%d, m->value, ", kind);
            if (kind == SLAB_SPEC_SESS_COUNT)
                fputs("0.0", f);
            else
                fprintf(f, "n%d(ctx, s, ago)", a);
            fprintf(f, ", n%d(ctx, s, ago));\n", b);
            break;
        case SLAB_SPEC_SESS_FIRST:
            fprintf(f, "        m->value = n%d(ctx, s, (int)(first - slab_bar(ctx)));\n    }\n", a);
            break;
        default:
            fprintf(f, "        m->value = first > 0 ? n%d(ctx, s, (int)(first - 1 - slab_bar(ctx))) : NAN_;\n"
                       "    }\n", a);
            break;
        }
        fputs("    m->bar1 = bar + 1;\n    return m->value;\n", f);
        break;
    }
    case SLAB_SPEC_IND:
        fprintf(f, "    return slab_get(ctx, s->ind[%zu], ago); /* its first output */\n", id);
        break;
    case SLAB_SPEC_FIELD:
        fprintf(f, "    return slab_get(ctx, s->ind[%d] + %d, ago); /* output %d of n%d */\n", a,
                nd->kind, nd->kind, a);
        break;
    case SLAB_SPEC_LAG:
        fprintf(f, "    /* %d bars back; no value before bar %d */\n"
                   "    if (slab_bar(ctx) + ago < %d)\n        return NAN_;\n"
                   "    return n%d(ctx, s, ago - %d);\n",
                nd->kind, nd->kind, nd->kind, a, nd->kind);
        break;
    case SLAB_SPEC_POW:
        fputs("    return __builtin_pow(", f);
        ref(f, (size_t)a, "ago");
        fputs(", ", f);
        ref(f, (size_t)b, "ago");
        fputs(");\n", f);
        break;
    case SLAB_SPEC_NEG:
        fputs("    return -", f);
        ref(f, (size_t)a, "ago");
        fputs(";\n", f);
        break;
    case SLAB_SPEC_ADD:
    case SLAB_SPEC_SUB:
    case SLAB_SPEC_MUL:
    case SLAB_SPEC_DIV:
        fputs("    return ", f);
        ref(f, (size_t)a, "ago");
        fprintf(f, " %s ", op);
        ref(f, (size_t)b, "ago");
        fputs(";\n", f);
        break;
    case SLAB_SPEC_LT:
    case SLAB_SPEC_LE:
    case SLAB_SPEC_GT:
    case SLAB_SPEC_GE:
    case SLAB_SPEC_EQ:
    case SLAB_SPEC_NE:
        fputs("    double a = ", f);
        ref(f, (size_t)a, "ago");
        fputs(", b = ", f);
        ref(f, (size_t)b, "ago");
        fprintf(f, ";\n    return IS_NAN(a) || IS_NAN(b) ? NAN_ : (double)(a %s b);\n", op);
        break;
    case SLAB_SPEC_AND:
    case SLAB_SPEC_OR:
        fputs("    double a = ", f);
        ref(f, (size_t)a, "ago");
        fputs(", b = ", f);
        ref(f, (size_t)b, "ago");
        fprintf(f, ";\n    return %s(a, b);\n", nd->op == SLAB_SPEC_AND ? "kleene_and" : "kleene_or");
        break;
    case SLAB_SPEC_NOT:
        fputs("    double a = ", f);
        ref(f, (size_t)a, "ago");
        fputs(";\n    return IS_NAN(a) ? NAN_ : (double)(a == 0.0);\n", f);
        break;
    case SLAB_SPEC_IF:
        fputs("    double c = ", f);
        ref(f, (size_t)a, "ago");
        fputs(";\n    return IS_NAN(c) ? NAN_ : c != 0.0 ? ", f);
        ref(f, (size_t)b, "ago");
        fputs(" : ", f);
        ref(f, (size_t)nd->arg[2], "ago");
        fputs(";\n", f);
        break;
    case SLAB_SPEC_FUNC:
        fputs("    double a = ", f);
        ref(f, (size_t)a, "ago");
        if (b >= 0) {
            fputs(", b = ", f);
            ref(f, (size_t)b, "ago");
        }
        fputs(";\n", f);
        switch (nd->kind) {
        case SLAB_SPEC_FN_ABS: fputs("    return __builtin_fabs(a);\n", f); break;
        case SLAB_SPEC_FN_LOG: fputs("    return __builtin_log(a); /* the C library's log */\n", f); break;
        case SLAB_SPEC_FN_EXP: fputs("    return __builtin_exp(a);\n", f); break;
        case SLAB_SPEC_FN_SQRT: fputs("    return __builtin_sqrt(a);\n", f); break;
        case SLAB_SPEC_FN_SIGN:
            fputs("    return IS_NAN(a) ? NAN_ : (double)((a > 0.0) - (a < 0.0));\n", f);
            break;
        case SLAB_SPEC_FN_LEAST:
            fputs("    return IS_NAN(a) || IS_NAN(b) ? NAN_ : (b < a ? b : a);\n", f);
            break;
        default: fputs("    return IS_NAN(a) || IS_NAN(b) ? NAN_ : (b > a ? b : a);\n", f); break;
        }
        break;
    case SLAB_SPEC_STATE:
        fputs("    (void)ago;\n", f);
        switch (nd->kind) {
        case SLAB_SPEC_STATE_POSITION: fputs("    (void)s;\n    return slab_position_size(ctx);\n", f); break;
        case SLAB_SPEC_STATE_ENTRY_PRICE: fputs("    (void)s;\n    return slab_position_price(ctx);\n", f); break;
        case SLAB_SPEC_STATE_BARS_HELD:
            fputs("    return slab_position_size(ctx) != 0.0 ? (double)(slab_bar(ctx) - s->entry_bar) "
                  ": 0.0;\n", f);
            break;
        case SLAB_SPEC_STATE_CASH: fputs("    (void)s;\n    return slab_cash(ctx);\n", f); break;
        default: fputs("    (void)s;\n    return slab_value(ctx);\n", f); break;
        }
        break;
    default: fputs("    (void)ctx, (void)s, (void)ago;\n    return NAN_;\n", f); break;
    }
    fputs("}\n\n", f);
}

static void rule_code(FILE *f, const slab_spec *s, size_t k)
{
    const slab_spec_rule *r = &s->program.rules[k];
    const slab_spec_sizing *z = &r->sizing;
    fputs("    /* ", f);
    put_comment(f, r->pointer, 255);
    fputs(": when \"", f);
    put_comment(f, r->text, 400);
    fprintf(f, "\": %s */\n", action_c(r->action));
    fprintf(f, "    if (!sent && n%d(ctx, s, 0) == 1.0)\n", r->trigger);
    switch (r->action) {
    case SLAB_SPEC_BUY:
    case SLAB_SPEC_SHORT:
        fprintf(f, "        sent = enter(ctx, %d, %d, ", r->action == SLAB_SPEC_BUY ? 1 : -1,
                (int)z->kind);
        put_num(f, z->value);
        fprintf(f, ", %d);\n", z->whole_shares);
        break;
    case SLAB_SPEC_SELL: fputs("        sent = leave(ctx, 1);\n", f); break;
    case SLAB_SPEC_COVER: fputs("        sent = leave(ctx, -1);\n", f); break;
    default: fputs("        sent = leave(ctx, 0);\n", f); break;
    }
}

static const char helpers[] =
    "#define NAN_ __builtin_nan(\"\")\n"
    "#define IS_NAN(x) ((x) != (x))\n\n"
    "/* Kleene logic: false and x = false, true or x = true, else NaN spreads. */\n"
    "static double kleene_and(double a, double b)\n"
    "{\n"
    "    if (a == 0.0 || b == 0.0)\n        return 0.0;\n"
    "    return IS_NAN(a) || IS_NAN(b) ? NAN_ : 1.0;\n}\n\n"
    "static double kleene_or(double a, double b)\n"
    "{\n"
    "    if (a == 1.0 || b == 1.0)\n        return 1.0;\n"
    "    return IS_NAN(a) || IS_NAN(b) ? NAN_ : 0.0;\n}\n\n"
    "/* The calendar day (days since 1970-01-01) of a bar time, ns. */\n"
    "static __attribute__((unused)) long long day_of(long long ns)\n"
    "{\n"
    "    long long q = ns / 86400000000000LL;\n"
    "    return ns % 86400000000000LL < 0 ? q - 1 : q;\n}\n\n"
    "/* Calendar values of a bar time: 0 minutes after midnight, 1 day number,\n"
    " * 2 ISO weekday (1 = Monday), 3 month, 4 year. */\n"
    "static __attribute__((unused)) double clock_value(int kind, long long ns)\n"
    "{\n"
    "    long long day = day_of(ns);\n"
    "    if (kind == 0)\n        return (double)(ns - day * 86400000000000LL) / (60.0 * 1000000000LL);\n"
    "    if (kind == 1)\n        return (double)day;\n"
    "    if (kind == 2) {\n        long long w = (day + 3) % 7;\n        return (double)((w < 0 ? w + 7 : w) + 1);\n    }\n"
    "    /* days to civil date (H. Hinnant's algorithm) */\n"
    "    long long z = day + 719468, era = (z >= 0 ? z : z - 146096) / 146097;\n"
    "    long long doe = z - era * 146097;\n"
    "    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;\n"
    "    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;\n"
    "    int m = (int)(mp < 10 ? mp + 3 : mp - 9);\n"
    "    return kind == 3 ? (double)m : (double)(yoe + era * 400 + (m <= 2));\n}\n\n"
    "/* One bar of a session aggregate: 0 max of x where c held, 1 min, 2 count of c. */\n"
    "static __attribute__((unused)) double session_step(int kind, double acc, double x, double c)\n"
    "{\n"
    "    int on = c == 1.0;\n"
    "    if (kind == 0 && on && !IS_NAN(x) && !(x <= acc))\n        return x;\n"
    "    if (kind == 1 && on && !IS_NAN(x) && !(x >= acc))\n        return x;\n"
    "    if (kind == 2)\n        return acc + on;\n"
    "    return acc;\n}\n\n"
    "/* Shares for a new position: sizing kind 1 percent of equity, 2 fixed\n"
    " * shares, 3 fixed cash (kind 0, the run's sizer, is slab_buy(ctx, 0)). */\n"
    "static double shares(slab_ctx *ctx, int kind, double value, int whole)\n"
    "{\n"
    "    double close = slab_get(ctx, SLAB_CLOSE, 0), size = 0.0;\n"
    "    if (kind == 1)\n        size = slab_value(ctx) / close * (value / 100.0);\n"
    "    else if (kind == 2)\n        size = value;\n"
    "    else if (kind == 3)\n        size = value / close;\n"
    "    if (whole)\n        size = (double)(long long)size;\n"
    "    return size - size == 0.0 && size > 0.0 ? size : 0.0;\n}\n\n"
    "/* buy (dir 1) or short (dir -1): applies when flat with no order in flight,\n"
    " * or the other way round (one order covers and reverses), or, with\n"
    " * allow_pyramiding, when already that way (adds). 1 when an order went out. */\n"
    "static int __attribute__((unused)) enter(slab_ctx *ctx, int dir, int kind, double value, int whole)\n"
    "{\n"
    "    double pos = slab_position_size(ctx), size;\n"
    "    if (!(pos * dir < 0.0 || (pos == 0.0 && slab_orders_pending(ctx) == 0) ||\n"
    "          (pos * dir > 0.0 && PYRAMIDING)))\n"
    "        return 0;\n"
    "    if (pos * dir < 0.0) {\n"
    "        size = (pos < 0.0 ? -pos : pos) + shares(ctx, kind, value, whole);\n"
    "        return (dir > 0 ? slab_buy(ctx, size) : slab_sell(ctx, size)) > 0;\n"
    "    }\n"
    "    if (kind == 0)\n        return (dir > 0 ? slab_buy(ctx, 0) : slab_sell(ctx, 0)) > 0;\n"
    "    size = shares(ctx, kind, value, whole);\n"
    "    if (!(size > 0.0))\n        return 0;\n"
    "    return (dir > 0 ? slab_buy(ctx, size) : slab_sell(ctx, size)) > 0;\n}\n\n"
    "/* sell (side 1: when long), cover (-1: when short), close (0: either):\n"
    " * flattens the position; 1 when an order went out. */\n"
    "static int __attribute__((unused)) leave(slab_ctx *ctx, int side)\n"
    "{\n"
    "    double pos = slab_position_size(ctx);\n"
    "    if (side > 0 ? pos > 0.0 : side < 0 ? pos < 0.0 : pos != 0.0)\n"
    "        return slab_close_position(ctx) > 0;\n"
    "    return 0;\n}\n\n";

static void write_c(FILE *f, const slab_spec *s)
{
    const slab_spec_program *p = &s->program;
    fputs("/* Generated by `stratlab spec codegen` from a strategy spec; regenerate\n"
          " * rather than edit. It runs with `stratlab run --script THIS.c` and gives\n"
          " * the numbers of `stratlab run --spec` on the same data and settings.\n *\n"
          " * spec:   ", f);
    put_comment(f, s->name, 200);
    fprintf(f, "\n * sha256: %s (of the spec text)\n", s->sha256);
    fputs(" * settings the spec carries, to pass to run --script:\n *  ", f);
    if (s->settings.has_cash)
        fprintf(f, " --cash %.17g", s->settings.cash);
    if (s->settings.has_commission)
        fprintf(f, " --commission %.17g", s->settings.commission);
    {
        json_t *data = json_object_get(s->root, "data");
        static const char *const keys[][2] = {{"start", "--from"}, {"end", "--to"},
                                              {"timeframe", "--timeframe"}};
        for (int k = 0; k < 3; k++) {
            const char *v = json_string_value(json_object_get(data, keys[k][0]));
            if (v) {
                fprintf(f, " %s ", keys[k][1]);
                put_comment(f, v, 40);
            }
        }
    }
    if (s->settings.n_symbols) {
        fputs(" (symbol ", f);
        put_comment(f, s->settings.symbols[0], 40);
        fputs(")", f);
    }
    fputs("\n *\n * Definitions (JSON pointer, name = formula or expression -> node):\n", f);
    for (size_t k = 0; k < s->n_defs; k++) {
        const spec_def *d = &s->defs[k];
        fputs(" *   ", f);
        put_comment(f, d->base, 255);
        fputs(" \"", f);
        put_comment(f, d->name, 80);
        fputs("\" = ", f);
        put_comment(f, d->site.text, 300);
        if (d->state == 2 && d->node >= 0)
            fprintf(f, " -> n%d", d->node);
        fputs("\n", f);
    }
    fputs(" * Rules, tried in this order each bar (the first that sends an order ends\n"
          " * the bar):\n", f);
    for (size_t k = 0; k < p->n_rules; k++) {
        fputs(" *   ", f);
        put_comment(f, p->rules[k].pointer, 255);
        fputs(" when \"", f);
        put_comment(f, p->rules[k].text, 300);
        fprintf(f, "\" -> %s\n", action_c(p->rules[k].action));
    }
    for (size_t j = 0; j < s->n_risk; j++) {
        fputs(" * Risk ", f);
        put_comment(f, s->risk[j].pointer, 255);
        fprintf(f, ": %s %s (the engine's risk manager)\n", s->risk[j].key, s->risk[j].value);
    }
    fputs(" */\n#include <stratlab/strategy.h>\n\n", f);
    fprintf(f, "/* allow_pyramiding: buy/short also add to a position already that way. */\n"
               "#define PYRAMIDING %d\n\n", p->risk.allow_pyramiding ? 1 : 0);
    fputs(helpers, f);
    /* State: a series id per indicator node, the warm-up flags. */
    size_t n_warm = 0;
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (nd->used && !nd->dynamic && nd->op != SLAB_SPEC_CONST)
            n_warm += nd->op == SLAB_SPEC_IND ? (size_t)nd->ind->n_outputs : 1;
    }
    fputs("/* A session aggregate's last value: for bar bar1 - 1 (0: none) of day. */\n"
          "typedef struct {\n    long bar1, first;\n    long long day;\n    double value;\n} session_cache;\n\n", f);
    fprintf(f, "typedef struct {\n"
               "    session_cache sess[%zu]; /* by node id */\n"
               "    int ind[%zu];          /* series id of each indicator node (by node id) */\n"
               "    unsigned char had[%zu]; /* warm-up: this value has been a number */\n"
               "    int scanned, warm;     /* bars before the first next() seen; rules run */\n"
               "    double prev_pos;       /* position at the previous bar */\n"
               "    long entry_bar;        /* bar the position was opened on */\n"
               "} state;\n\n",
            p->n_nodes ? p->n_nodes : 1, p->n_nodes ? p->n_nodes : 1, n_warm ? n_warm : 1);
    fputs("/* ---- the spec's expressions, one function per node of its DAG: the value\n"
          " * `ago` bars back (0 = this bar). NaN is \"no value yet\"; comparisons with\n"
          " * NaN give NaN; and/or/not are Kleene's. */\n\n", f);
    for (size_t id = 0; id < p->n_nodes; id++)
        if (p->nodes[id].used)
            node_fn(f, s, id);
    /* Warm-up check. */
    fputs("/* Records which values have been numbers by bar `ago`; 1 when all have:\n"
          " * the spec's rules run from the first bar where every value has had one\n"
          " * (an indicator with all of its outputs). */\n"
          "static int seen_values(slab_ctx *ctx, state *s, int ago)\n{\n    int all = 1;\n", f);
    size_t w = 0;
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (!nd->used || nd->dynamic || nd->op == SLAB_SPEC_CONST)
            continue;
        int outs = nd->op == SLAB_SPEC_IND ? nd->ind->n_outputs : 1;
        for (int o = 0; o < outs; o++, w++) {
            fprintf(f, "    if (!s->had[%zu]) {\n        if (!IS_NAN(", w);
            if (nd->op == SLAB_SPEC_IND)
                fprintf(f, "slab_get(ctx, s->ind[%zu] + %d, ago)", id, o);
            else
                ref(f, id, "ago");
            fprintf(f, "))\n            s->had[%zu] = 1;\n        else\n            all = 0;\n    }\n", w);
        }
    }
    fputs("    return all;\n}\n\n", f);
    /* init */
    fputs("static int init(slab_ctx *ctx, void *st)\n{\n    state *s = st;\n", f);
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (nd->op != SLAB_SPEC_IND || !nd->used)
            continue;
        const spec_def *d = def_of(s, id);
        fprintf(f, "    { /* n%zu: ", id);
        put_comment(f, d ? d->site.text : nd->text ? nd->text : nd->ind->name, 300);
        fputs(" */\n        int in[] = {", f);
        for (int k = 0; k < nd->n_args; k++) {
            if (k)
                fputs(", ", f);
            series_of(f, p, nd->arg[k]);
        }
        if (!nd->n_args)
            fputs("0", f);
        fputs("};\n        double par[] = {", f);
        for (int k = 0; k < nd->ind->n_params; k++) {
            fputs(k ? ", " : "", f);
            put_num(f, nd->params[k]);
        }
        if (!nd->ind->n_params)
            fputs("0", f);
        fprintf(f, "};\n        s->ind[%zu] = slab_indicator(ctx, \"%s\", in, %d, par, %d);\n"
                   "        if (s->ind[%zu] < 0)\n            return -1;\n    }\n",
                id, nd->ind->name, nd->n_args, nd->ind->n_params, id);
    }
    for (size_t j = 0; j < s->n_risk; j++) {
        fputs("    /* ", f);
        put_comment(f, s->risk[j].pointer, 255);
        fputs(" */\n    if (slab_set_risk(ctx, ", f);
        put_string(f, s->risk[j].key, 32);
        fputs(", ", f);
        put_string(f, s->risk[j].value, 64);
        fputs(") != 0)\n        return -1;\n", f);
    }
    fputs("    s->entry_bar = -1;\n    return 0;\n}\n\n", f);
    /* next */
    fputs("static void next(slab_ctx *ctx, void *st)\n{\n    state *s = st;\n"
          "    if (!s->warm) {\n"
          "        if (!s->scanned) {\n"
          "            for (long a = -slab_bar(ctx); a < 0; a++)\n"
          "                seen_values(ctx, s, (int)a);\n"
          "            s->scanned = 1;\n        }\n"
          "        if (!seen_values(ctx, s, 0))\n            return;\n"
          "        s->warm = 1;\n"
          "        slab_strategy_started(ctx); /* the run's minperiod: this bar */\n    }\n"
          "    double pos = slab_position_size(ctx);\n"
          "    if (pos != 0.0 && (s->prev_pos == 0.0 || (pos > 0.0) != (s->prev_pos > 0.0)))\n"
          "        s->entry_bar = slab_bar(ctx);\n"
          "    s->prev_pos = pos;\n"
          "    int sent = 0;\n", f);
    for (size_t k = 0; k < p->n_rules; k++)
        rule_code(f, s, k);
    fputs("    (void)sent;\n}\n\n", f);
    fputs("SLAB_STRATEGY(.name = ", f);
    put_string(f, s->name ? s->name : "spec", 60);
    fputs(", .summary = \"generated from a strategy spec by stratlab spec codegen\",\n"
          "              .state_size = sizeof(state), .init = init, .next = next);\n", f);
}

slab_status slab_spec_codegen(const slab_spec *s, char **out, slab_error *err)
{
    char why[256];
    const char *no = unsupported(s, why, sizeof why);
    *out = NULL;
    if (no)
        return slab_error_set(err, SLAB_EINVAL, "", "%s", no);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return slab_error_set(err, SLAB_ENOMEM, "", "out of memory for the generated C");
    write_c(f, s);
    if (fclose(f) != 0) {
        free(buf);
        return slab_error_set(err, SLAB_ENOMEM, "", "out of memory for the generated C");
    }
    *out = buf;
    return SLAB_OK;
}
