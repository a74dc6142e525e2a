/* codegen.c: a compiled spec written out as one readable C strategy script
 * (seed 001 Phase 2), `stratlab spec codegen SPEC.json`. The script
 * includes only <stratlab/strategy.h> and runs with `stratlab run --script`;
 * it follows the semantics of spec_program.h so that it gives the spec
 * run's numbers exactly (tests/parity/test_spec_codegen.sh compares them).
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
 * Universes: every feed of the run is a member, as in the spec run; each
 * node function takes the member, reads that member's feed, and a
 * cross-sectional node calls its operand for every member. An indicator
 * whose input is not a series (an expression, another feed's column) reads
 * a series init() computes with slab_series_compute (strategy API level
 * 2), one per slot. With data.pair_selection every pair of feeds is a
 * group of two slots, each with its own indicators; next() picks the
 * group when the formation period ends, from the bars before it.
 *
 * Still refused (one line): indicators whose names are not plain words,
 * lags of broker state, risk items whose text is not plain. */
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
/* Why codegen cannot write this spec, or NULL. */
static const char *unsupported(const slab_spec *s, char *buf, size_t n)
{
    const slab_spec_program *p = &s->program;
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (!nd->used)
            continue;
        /* Both are refused by the spec compiler already (indicator names
         * come from the table; broker state cannot be lagged): kept so that
         * nothing unexpected is ever written as code. */
        const char *why = NULL;
        if (nd->op == SLAB_SPEC_IND && !plain_word(nd->ind->name))
            why = "this indicator's name is";
        if (nd->op == SLAB_SPEC_LAG && p->nodes[nd->arg[0]].dynamic)
            why = "a lag of broker state is";
        if (why) {
            snprintf(buf, n, "%s not supported by codegen (in \"%.60s\")", why,
                     nd->text ? nd->text : "an expression");
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

/* The C expression of node id for member m at bar offset `ago`. */
static void ref(FILE *f, size_t id, const char *ago) { fprintf(f, "n%zu(ctx, s, m, %s)", id, ago); }

/* 1 when node id is an indicator's input that is not a series itself (an
 * expression, or a column of another feed): init() computes it as a
 * series (slab_series_compute) and its function reads that series. */
static int needs_series(const slab_spec_program *p, size_t id)
{
    const slab_spec_node *nd = &p->nodes[id];
    if (nd->op == SLAB_SPEC_IND || nd->op == SLAB_SPEC_FIELD || nd->op == SLAB_SPEC_CONST)
        return 0;
    for (size_t k = id + 1; k < p->n_nodes; k++) {
        const slab_spec_node *u = &p->nodes[k];
        if (u->used && u->op == SLAB_SPEC_IND)
            for (int a = 0; a < u->n_args; a++)
                if (u->arg[a] == (int)id)
                    return 1;
    }
    return 0;
}

/* The series id expression of an indicator input node, in init()'s loop
 * over the slots (slot, m). */
static void series_of(FILE *f, const slab_spec_program *p, int id)
{
    const slab_spec_node *nd = &p->nodes[id];
    if (nd->op == SLAB_SPEC_COLUMN)
        fprintf(f, "s->feed[slot] == 0 ? %d : node_series(ctx, s, slot, %d)", nd->kind, id);
    else if (nd->op == SLAB_SPEC_FIELD)
        fprintf(f, "s->ind[slot][%d] + %d", nd->arg[0], nd->kind);
    else if (nd->op == SLAB_SPEC_IND)
        fprintf(f, "s->ind[slot][%d]", id);
    else
        fprintf(f, "node_series(ctx, s, slot, %d)", id);
}

static void session_fn(FILE *f, const slab_spec_node *nd, size_t id, int a, int b)
{
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
               "    session_cache *c = &s->sess[SLOT(s, m)][%zu];\n"
               "    long long day = day_of(slab_time(ctx, ago));\n"
               "    if (c->bar1 == bar + 1)\n        return c->value;\n"
               "    if (!(c->bar1 == bar && c->day == day)) {\n"
               "        /* today's first bar, and the value before it */\n"
               "        long first = bar;\n"
               "        while (first > 0 && day_of(slab_time(ctx, (int)(first - 1 - slab_bar(ctx)))) == day)\n"
               "            first--;\n"
               "        c->day = day;\n        c->first = first;\n", id);
    switch (kind) {
    case SLAB_SPEC_SESS_MAX:
    case SLAB_SPEC_SESS_MIN:
    case SLAB_SPEC_SESS_COUNT:
        fprintf(f, "        c->value = %s;\n"
                   "        for (long k = first; k < bar; k++)\n"
                   "            c->value = session_step(%d, c->value, ",
                kind == SLAB_SPEC_SESS_COUNT ? "0.0" : "NAN_", kind);
        if (kind == SLAB_SPEC_SESS_COUNT)
            fputs("0.0", f);
        else
            fprintf(f, "n%d(ctx, s, m, (int)(k - slab_bar(ctx)))", a);
        fprintf(f, ",\n                                    n%d(ctx, s, m, (int)(k - slab_bar(ctx))));\n"
                   "    }\n", b);
        fprintf(f, "    c->value = session_step(%d, c->value, ", kind);
        if (kind == SLAB_SPEC_SESS_COUNT)
            fputs("0.0", f);
        else
            fprintf(f, "n%d(ctx, s, m, ago)", a);
        fprintf(f, ", n%d(ctx, s, m, ago));\n", b);
        break;
    case SLAB_SPEC_SESS_FIRST:
        fprintf(f, "        c->value = n%d(ctx, s, m, (int)(first - slab_bar(ctx)));\n    }\n", a);
        break;
    default:
        fprintf(f, "        c->value = first > 0 ? n%d(ctx, s, m, (int)(first - 1 - slab_bar(ctx))) : NAN_;\n"
                   "    }\n", a);
        break;
    }
    fputs("    c->bar1 = bar + 1;\n    return c->value;\n", f);
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
    fprintf(f, "static __attribute__((unused)) double n%zu(slab_ctx *ctx, state *s, int m, int ago)\n{\n"
               "    (void)ctx, (void)s, (void)m, (void)ago;\n", id);
    if (needs_series(p, id))
        fprintf(f, "    if (s->ser[SLOT(s, m)][%zu] > 0) /* computed once in init() */\n"
                   "        return slab_get(ctx, s->ser[SLOT(s, m)][%zu], ago);\n", id, id);
    const char *op = op_c(nd->op);
    int a = nd->n_args > 0 ? nd->arg[0] : -1, b = nd->n_args > 1 ? nd->arg[1] : -1;
    switch (nd->op) {
    case SLAB_SPEC_CONST:
        fputs("    return ", f);
        put_num(f, nd->value);
        fputs(";\n", f);
        break;
    case SLAB_SPEC_COLUMN:
        fprintf(f, "    /* %s of the member's feed; another feed's bars from the run's\n"
                   "     * first bar on (not its preroll), as the spec run reads them */\n"
                   "    int feed = s->feed[SLOT(s, m)];\n"
                   "    if (feed == 0)\n        return slab_get(ctx, %d, ago);\n"
                   "    if (slab_bar(ctx) + ago < 0)\n        return NAN_;\n"
                   "    return slab_feed_get(ctx, feed, %d, ago);\n",
                (const char *[]){"open", "high", "low", "close", "volume", "openinterest"}
                    [nd->kind >= 0 && nd->kind < 6 ? nd->kind : 0], nd->kind, nd->kind);
        break;
    case SLAB_SPEC_CLOCK: {
        static const char *const what[] = {"time of day, minutes", "day number", "ISO weekday",
                                           "month", "year"};
        fprintf(f, "    if (slab_bar(ctx) + ago < 0)\n        return NAN_;\n"
                   "    return clock_value(%d, slab_time(ctx, ago)); /* %s */\n",
                nd->kind, what[nd->kind >= 0 && nd->kind < 5 ? nd->kind : 0]);
        break;
    }
    case SLAB_SPEC_SESSION: session_fn(f, nd, id, a, b); break;
    case SLAB_SPEC_IND:
        fprintf(f, "    return slab_get(ctx, s->ind[SLOT(s, m)][%zu], ago); /* its first output */\n", id);
        break;
    case SLAB_SPEC_FIELD:
        fprintf(f, "    return slab_get(ctx, s->ind[SLOT(s, m)][%d] + %d, ago); /* output %d of n%d */\n",
                a, nd->kind, nd->kind, a);
        break;
    case SLAB_SPEC_LAG:
        fprintf(f, "    /* %d bars back; no value before bar %d */\n"
                   "    if (slab_bar(ctx) + ago < %d)\n        return NAN_;\n"
                   "    return n%d(ctx, s, m, ago - %d);\n",
                nd->kind, nd->kind, nd->kind, a, nd->kind);
        break;
    case SLAB_SPEC_XSECT: {
        static const char *const what[] = {"rank", "z-score", "mean"};
        fprintf(f, "    /* the %s of n%d across the members at that bar */\n"
                   "    double x[MAXM] = {0};\n"
                   "    for (int j = 0; j < s->mem; j++)\n"
                   "        x[j] = n%d(ctx, s, j, ago);\n"
                   "    return xsect(%d, x, s->mem, m);\n",
                what[nd->kind >= 0 && nd->kind < 3 ? nd->kind : 0], a, a, nd->kind);
        break;
    }
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
        fputs("    int feed = s->feed[SLOT(s, m)];\n", f);
        switch (nd->kind) {
        case SLAB_SPEC_STATE_POSITION: fputs("    return slab_feed_position(ctx, feed);\n", f); break;
        case SLAB_SPEC_STATE_ENTRY_PRICE:
            fputs("    return slab_feed_position_price(ctx, feed);\n", f);
            break;
        case SLAB_SPEC_STATE_BARS_HELD:
            fputs("    return slab_feed_position(ctx, feed) != 0.0 ? (double)(slab_bar(ctx) - "
                  "s->entry_bar[m]) : 0.0;\n", f);
            break;
        case SLAB_SPEC_STATE_CASH: fputs("    return slab_cash(ctx);\n", f); break;
        default: fputs("    return slab_value(ctx);\n", f); break;
        }
        break;
    default: fputs("    return NAN_;\n", f); break;
    }
    fputs("}\n\n", f);
}

/* The sizing arguments of new_shares() for rule k, member m. */
static void sizing_args(FILE *f, const slab_spec_rule *r)
{
    const slab_spec_sizing *z = &r->sizing;
    fprintf(f, "%d, ", (int)z->kind);
    put_num(f, z->value);
    fputs(", ", f);
    put_num(f, z->max_percent);
    fprintf(f, ", %d, ", z->whole_shares);
    if (z->kind == SLAB_SPEC_SIZE_VOL_TARGET && z->vol_node >= 0)
        fprintf(f, "n%d(ctx, s, m, 0) * __builtin_sqrt(s->ppy)", z->vol_node);
    else
        fputs("NAN_", f);
}

static void rule_comment(FILE *f, const slab_spec_rule *r, const char *indent)
{
    fprintf(f, "%s/* ", indent);
    put_comment(f, r->pointer, 255);
    fputs(": when \"", f);
    put_comment(f, r->text, 400);
    fprintf(f, "\": %s */\n", action_c(r->action));
}

/* Rule k in next() for one feed: the first rule that sends ends the bar. */
static void rule_single(FILE *f, const slab_spec *s, size_t k)
{
    const slab_spec_rule *r = &s->program.rules[k];
    rule_comment(f, r, "    ");
    fprintf(f, "    if (!sent && n%d(ctx, s, m, 0) == 1.0)\n", r->trigger);
    switch (r->action) {
    case SLAB_SPEC_BUY:
    case SLAB_SPEC_SHORT:
        fprintf(f, "        sent = enter(ctx, %d, %d, new_shares(ctx, s, m, ",
                r->action == SLAB_SPEC_BUY ? 1 : -1, (int)r->sizing.kind);
        sizing_args(f, r);
        fputs("));\n", f);
        break;
    case SLAB_SPEC_SELL: fputs("        sent = leave(ctx, 1);\n", f); break;
    case SLAB_SPEC_COVER: fputs("        sent = leave(ctx, -1);\n", f); break;
    case SLAB_SPEC_REBALANCE: fputs("        sent = 0; /* rebalance: universes only */\n", f); break;
    default: fputs("        sent = leave(ctx, 0);\n", f); break;
    }
}

/* Rule k in next() over several members. */
static void rule_universe(FILE *f, const slab_spec *s, size_t k)
{
    const slab_spec_rule *r = &s->program.rules[k];
    rule_comment(f, r, "    ");
    if (r->action == SLAB_SPEC_REBALANCE) {
        fprintf(f, "    { /* every member where the trigger holds gets an equal share */\n"
                   "        int any = 0;\n        unsigned char sel[MAXM];\n        double size[MAXM];\n"
                   "        for (int m = 0; m < s->mem; m++) {\n"
                   "            sel[m] = n%d(ctx, s, m, 0) == 1.0;\n"
                   "            any |= sel[m];\n"
                   "            size[m] = new_shares(ctx, s, m, ", r->trigger);
        sizing_args(f, r);
        fprintf(f, ");\n        }\n"
                   "        if (any) {\n"
                   "            rebalance(ctx, s, sel, size, %d, ", (int)r->sizing.kind);
        put_num(f, r->sizing.value);
        fputs(");\n            return;\n        }\n    }\n", f);
        return;
    }
    fprintf(f, "    for (int m = 0; m < s->mem; m++)\n"
               "        if (!done[m] && n%d(ctx, s, m, 0) == 1.0 &&\n"
               "            act_member(ctx, s, m, %d, %d, new_shares(ctx, s, m, ",
            r->trigger, (int)r->action, (int)r->sizing.kind);
    sizing_args(f, r);
    fputs(")) > 0)\n            done[m] = 1;\n", f);
}
static const char helpers[] =
    "#define NAN_ __builtin_nan(\"\")\n"
    "#define IS_NAN(x) ((x) != (x))\n"
    "#define UNUSED __attribute__((unused))\n\n"
    "/* Kleene logic: false and x = false, true or x = true, else NaN spreads. */\n"
    "static UNUSED double kleene_and(double a, double b)\n"
    "{\n"
    "    if (a == 0.0 || b == 0.0)\n        return 0.0;\n"
    "    return IS_NAN(a) || IS_NAN(b) ? NAN_ : 1.0;\n}\n\n"
    "static UNUSED double kleene_or(double a, double b)\n"
    "{\n"
    "    if (a == 1.0 || b == 1.0)\n        return 1.0;\n"
    "    return IS_NAN(a) || IS_NAN(b) ? NAN_ : 0.0;\n}\n\n"
    "/* The calendar day (days since 1970-01-01) of a bar time, ns. */\n"
    "static UNUSED long long day_of(long long ns)\n"
    "{\n"
    "    long long q = ns / 86400000000000LL;\n"
    "    return ns % 86400000000000LL < 0 ? q - 1 : q;\n}\n\n"
    "/* Calendar values of a bar time: 0 minutes after midnight, 1 day number,\n"
    " * 2 ISO weekday (1 = Monday), 3 month, 4 year. */\n"
    "static UNUSED double clock_value(int kind, long long ns)\n"
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
    "static UNUSED double session_step(int kind, double acc, double x, double c)\n"
    "{\n"
    "    int on = c == 1.0;\n"
    "    if (kind == 0 && on && !IS_NAN(x) && !(x <= acc))\n        return x;\n"
    "    if (kind == 1 && on && !IS_NAN(x) && !(x >= acc))\n        return x;\n"
    "    if (kind == 2)\n        return acc + on;\n"
    "    return acc;\n}\n\n"
    "/* Member m's cross-sectional value among x[0..k-1] (NaN members skipped):\n"
    " * 0 rank (below + half the ties) / (members - 1), 0.5 alone; 1 z-score\n"
    " * with the population sd (0 when it is 0); 2 the mean. */\n"
    "static UNUSED double xsect(int kind, const double *x, int k, int m)\n"
    "{\n"
    "    int n = 0;\n    double sum = 0.0, ss = 0.0, below = 0.0;\n"
    "    for (int j = 0; j < k; j++)\n"
    "        if (!IS_NAN(x[j])) {\n            n++;\n            sum += x[j];\n        }\n"
    "    double mean = n ? sum / (double)n : NAN_;\n"
    "    if (kind == 1)\n        for (int j = 0; j < k; j++)\n"
    "            if (!IS_NAN(x[j]))\n                ss += (x[j] - mean) * (x[j] - mean);\n"
    "    double sd = n ? __builtin_sqrt(ss / (double)n) : NAN_, v = x[m];\n"
    "    if (IS_NAN(v))\n        return NAN_;\n"
    "    if (kind == 2)\n        return mean;\n"
    "    if (kind == 1)\n        return sd > 0.0 ? (v - mean) / sd : 0.0;\n"
    "    for (int j = 0; j < k; j++)\n"
    "        if (j != m && !IS_NAN(x[j]))\n"
    "            below += x[j] < v ? 1.0 : x[j] == v ? 0.5 : 0.0;\n"
    "    return n > 1 ? below / (double)(n - 1) : 0.5;\n}\n\n"
    "/* Periods a year of the run's bars (volatility targets annualise with it). */\n"
    "static UNUSED double periods_per_year(int unit, int comp)\n"
    "{\n"
    "    double c = comp > 0 ? comp : 1;\n"
    "    switch (unit) {\n"
    "    case SLAB_UNIT_DAYS: return 252.0 / c;\n"
    "    case SLAB_UNIT_WEEKS: return 52.0 / c;\n"
    "    case SLAB_UNIT_MONTHS: return 12.0 / c;\n"
    "    case SLAB_UNIT_YEARS: return 1.0 / c;\n"
    "    case SLAB_UNIT_MINUTES: return 252.0 * 390.0 / c;\n"
    "    case SLAB_UNIT_SECONDS: return 252.0 * 23400.0 / c;\n"
    "    default: return 252.0;\n    }\n}\n\n"
    "/* Python's float floor division a // b (a rebalance sizes each difference\n"
    " * with it, as backtrader's order_target_value does). */\n"
    "static UNUSED double py_floordiv(double a, double b)\n"
    "{\n"
    "    double mod = __builtin_fmod(a, b), div = (a - mod) / b, fl;\n"
    "    if (mod != 0.0 && ((b < 0.0) != (mod < 0.0)))\n        div -= 1.0;\n"
    "    if (div != 0.0) {\n        fl = __builtin_floor(div);\n"
    "        if (div - fl > 0.5)\n            fl += 1.0;\n"
    "    } else {\n        fl = __builtin_copysign(0.0, a / b);\n    }\n"
    "    return fl;\n}\n\n";

static const char helpers_state[] =
    "/* Shares for a new position of member m: sizing kind 0 the run's sizer\n"
    " * applied to the equity, 1 percent of equity, 2 fixed shares, 3 fixed\n"
    " * cash, 4 volatility target (vol: annualised); 0 when none. */\n"
    "static UNUSED double new_shares(slab_ctx *ctx, state *s, int m, int kind, double value,\n"
    "                                double max_pct, int whole, double vol)\n"
    "{\n"
    "    int feed = s->feed[SLOT(s, m)];\n"
    "    double close = s->mem > 1 ? slab_feed_get(ctx, feed, SLAB_CLOSE, 0) : slab_get(ctx, SLAB_CLOSE, 0);\n"
    "    double equity = slab_value(ctx), size = 0.0, amount = 0.0;\n"
    "    switch (kind) {\n"
    "    case 0: {\n"
    "        int sizer = slab_run_sizer(ctx, &amount);\n"
    "        size = sizer == SLAB_SIZER_STAKE ? amount : equity / close * (amount / 100.0);\n"
    "        if (sizer == SLAB_SIZER_PCT_INT)\n            size = __builtin_trunc(size);\n"
    "        break;\n    }\n"
    "    case 1: size = equity / close * (value / 100.0); break;\n"
    "    case 2: size = value; break;\n"
    "    case 3: size = value / close; break;\n"
    "    default:\n"
    "        if (!(vol > 0.0))\n            return 0.0;\n"
    "        size = equity * __builtin_fmin(max_pct / 100.0, value / vol) / close;\n"
    "        break;\n    }\n"
    "    if (whole)\n        size = __builtin_trunc(size);\n"
    "    return size - size == 0.0 && size > 0.0 ? size : 0.0;\n}\n\n"
    "/* One feed: buy (dir 1) or short (dir -1) applies when flat with no order\n"
    " * in flight, or the other way round (one order covers and reverses), or,\n"
    " * with allow_pyramiding, when already that way (adds). 1 when an order\n"
    " * went out. */\n"
    "static UNUSED int enter(slab_ctx *ctx, int dir, int kind, double size)\n"
    "{\n"
    "    double pos = slab_position_size(ctx);\n"
    "    if (!(pos * dir < 0.0 || (pos == 0.0 && slab_orders_pending(ctx) == 0) ||\n"
    "          (pos * dir > 0.0 && PYRAMIDING)))\n"
    "        return 0;\n"
    "    if (pos * dir < 0.0) {\n"
    "        size += pos < 0.0 ? -pos : pos;\n"
    "        return (dir > 0 ? slab_buy(ctx, size) : slab_sell(ctx, size)) > 0;\n"
    "    }\n"
    "    if (kind == 0)\n        return (dir > 0 ? slab_buy(ctx, 0) : slab_sell(ctx, 0)) > 0;\n"
    "    if (!(size > 0.0))\n        return 0;\n"
    "    return (dir > 0 ? slab_buy(ctx, size) : slab_sell(ctx, size)) > 0;\n}\n\n"
    "/* One feed: sell (side 1: when long), cover (-1: when short), close (0:\n"
    " * either) flattens the position; 1 when an order went out. */\n"
    "static UNUSED int leave(slab_ctx *ctx, int side)\n"
    "{\n"
    "    double pos = slab_position_size(ctx);\n"
    "    if (side > 0 ? pos > 0.0 : side < 0 ? pos < 0.0 : pos != 0.0)\n"
    "        return slab_close_position(ctx) > 0;\n"
    "    return 0;\n}\n\n"
    "/* A market order on a feed; 1 when it went out. size 0 asks the sizer. */\n"
    "static UNUSED int feed_market(slab_ctx *ctx, int feed, int is_buy, double size)\n"
    "{\n"
    "    slab_order_spec o;\n"
    "    __builtin_memset(&o, 0, sizeof o);\n"
    "    o.type = SLAB_EXEC_MARKET;\n    o.size = size;\n"
    "    return slab_order_feed(ctx, feed, is_buy, &o) > 0;\n}\n\n"
    "/* Several members: action 0 buy, 1 sell, 2 short, 3 cover, 4 close on\n"
    " * member m (no in-flight check: a member's market order has filled by\n"
    " * its next bar). 1 sent, 0 sized to nothing, -1 does not apply. */\n"
    "static UNUSED int act_member(slab_ctx *ctx, state *s, int m, int action, int kind, double size)\n"
    "{\n"
    "    int feed = s->feed[SLOT(s, m)], dir = action == 0 ? 1 : -1;\n"
    "    double pos = slab_feed_position(ctx, feed);\n"
    "    switch (action) {\n"
    "    case 0:\n"
    "    case 2:\n"
    "        if (pos * dir > 0.0 && !PYRAMIDING)\n            return -1;\n"
    "        break;\n"
    "    case 1: return pos > 0.0 ? feed_market(ctx, feed, 0, pos) : -1;\n"
    "    case 3: return pos < 0.0 ? feed_market(ctx, feed, 1, -pos) : -1;\n"
    "    default: return pos != 0.0 ? feed_market(ctx, feed, pos < 0.0, pos < 0.0 ? -pos : pos) : -1;\n"
    "    }\n"
    "    if (kind == 0 && pos == 0.0)\n        return feed_market(ctx, feed, dir > 0, 0.0); /* the run's sizer */\n"
    "    if (pos * dir < 0.0)\n        return feed_market(ctx, feed, dir > 0, (pos < 0.0 ? -pos : pos) + size);\n"
    "    return size > 0.0 ? feed_market(ctx, feed, dir > 0, size) : 0;\n}\n\n"
    "/* rebalance: the members with sel[m] get equal shares of the sizing's\n"
    " * percent of the equity (sizing kinds 0 and 1; others size[m] shares\n"
    " * each), the others none; reductions first (member order), then\n"
    " * additions, each difference floor(difference / close). */\n"
    "static UNUSED void rebalance(slab_ctx *ctx, state *s, const unsigned char *sel,\n"
    "                             const double *size, int kind, double value)\n"
    "{\n"
    "    int n_sel = 0;\n"
    "    double equity = slab_value(ctx), pct = -1.0, amount = 0.0;\n"
    "    for (int m = 0; m < s->mem; m++)\n        n_sel += sel[m];\n"
    "    if (kind == 1)\n        pct = value;\n"
    "    else if (kind == 0)\n"
    "        pct = slab_run_sizer(ctx, &amount) == SLAB_SIZER_STAKE ? 95.0 : amount;\n"
    "    for (int pass = 0; pass < 2; pass++)\n"
    "        for (int m = 0; m < s->mem; m++) {\n"
    "            int feed = s->feed[SLOT(s, m)];\n"
    "            double pos = slab_feed_position(ctx, feed), close = slab_feed_get(ctx, feed, SLAB_CLOSE, 0);\n"
    "            double target, cur = pos * close, d;\n"
    "            if (!sel[m]) {\n"
    "                if (pass == 0 && pos != 0.0)\n"
    "                    feed_market(ctx, feed, pos < 0.0, pos < 0.0 ? -pos : pos);\n"
    "                continue;\n            }\n"
    "            target = pct >= 0.0 ? equity * (pct / 100.0) / (double)n_sel : size[m] * close;\n"
    "            if (!(target - target == 0.0) || !(cur - cur == 0.0) || !(close > 0.0))\n"
    "                continue;\n"
    "            if (target < cur && pass == 0) {\n"
    "                d = py_floordiv(cur - target, close);\n"
    "                if (d > 0.0)\n                    feed_market(ctx, feed, 0, d);\n"
    "            } else if (target > cur && pass == 1) {\n"
    "                d = py_floordiv(target - cur, close);\n"
    "                if (d > 0.0)\n                    feed_market(ctx, feed, 1, d);\n"
    "            }\n        }\n}\n\n";
/* The header comment: the spec, the settings to pass, every definition
 * and rule with its JSON pointer. */
static void write_header(FILE *f, const slab_spec *s)
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
    for (size_t k = 0; k < s->settings.n_symbols && k < 16; k++) {
        fputs(s->settings.n_symbols > 1 ? " --data " : " (symbol ", f);
        put_comment(f, s->settings.symbols[k], 40);
        fputs(s->settings.n_symbols > 1 ? "=FILE" : ")", f);
    }
    fputs("\n *\n * Every feed of the run is a member (the spec's universe): the rules are\n"
          " * evaluated for each, on its own bars; with one feed, for it alone.\n", f);
    if (s->settings.pair_selection)
        fputs(" * data.pair_selection: every pair of feeds is a group; the pair with the\n"
              " * smallest distance over the formation period is chosen when it ends.\n", f);
    fputs(" *\n * Definitions (JSON pointer, name = formula or expression -> node):\n", f);
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
    fputs(" * Rules, tried in this order each bar (with one feed the first that sends\n"
          " * an order ends the bar; with several, each member takes the first rule\n"
          " * that acts on it, and a rebalance ends the bar):\n", f);
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
    fputs(" */\n", f);
}

/* Static values the warm-up waits for (an indicator with every output). */
static size_t warm_count(const slab_spec_program *p)
{
    size_t n_warm = 0;
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (nd->used && !nd->dynamic && nd->op != SLAB_SPEC_CONST)
            n_warm += nd->op == SLAB_SPEC_IND ? (size_t)nd->ind->n_outputs : 1;
    }
    return n_warm;
}

static void write_series(FILE *f, const slab_spec_program *p)
{
    fputs("/* A node's value at each bar of a slot, for indicators over it: the\n"
          " * engine calls this once per bar (slab_series_compute), with the\n"
          " * accessors at that bar; tag = slot * NODES + node. */\n"
          "static UNUSED double node_value(slab_ctx *ctx, void *st, int tag)\n{\n"
          "    state *s = st;\n"
          "    int slot = tag / NODES, id = tag % NODES, m = slot % s->mem;\n"
          "    s->g = slot / s->mem;\n    (void)ctx, (void)m;\n    switch (id) {\n", f);
    for (size_t id = 0; id < p->n_nodes; id++)
        if (p->nodes[id].used && needs_series(p, id))
            fprintf(f, "    case %zu: return n%zu(ctx, s, m, 0);\n", id, id);
    fputs("    default: return NAN_;\n    }\n}\n\n"
          "/* The series of node id in slot (computed once); -1 on failure. */\n"
          "static UNUSED int node_series(slab_ctx *ctx, state *s, int slot, int id)\n{\n"
          "    if (s->ser[slot][id] <= 0)\n"
          "        s->ser[slot][id] = slab_series_compute(ctx, node_value, slot * NODES + id);\n"
          "    return s->ser[slot][id];\n}\n\n", f);
}

static void write_seen(FILE *f, const slab_spec_program *p)
{
    fputs("/* Records which values of member m have been numbers by bar `ago`; 1\n"
          " * when all have: the spec's rules run from the first bar where every\n"
          " * value of every member has had one (an indicator with all of its\n"
          " * outputs). */\n"
          "static int seen_values(slab_ctx *ctx, state *s, int m, int ago)\n{\n    int all = 1;\n", f);
    size_t w = 0;
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (!nd->used || nd->dynamic || nd->op == SLAB_SPEC_CONST)
            continue;
        int outs = nd->op == SLAB_SPEC_IND ? nd->ind->n_outputs : 1;
        for (int o = 0; o < outs; o++, w++) {
            fprintf(f, "    if (!s->had[m][%zu]) {\n        if (!IS_NAN(", w);
            if (nd->op == SLAB_SPEC_IND)
                fprintf(f, "slab_get(ctx, s->ind[SLOT(s, m)][%zu] + %d, ago)", id, o);
            else
                ref(f, id, "ago");
            fprintf(f, "))\n            s->had[m][%zu] = 1;\n        else\n            all = 0;\n    }\n", w);
        }
    }
    fputs("    return all;\n}\n\n", f);
}

static void write_checks(FILE *f, const slab_spec *s)
{
    fputs("/* Several feeds: the members must share one calendar (the spec run\n"
          " * refuses others too); each feed's bar at every step is feed 0's. */\n"
          "static int calendar_ok(slab_ctx *ctx, state *s)\n{\n"
          "    long bar = slab_bar(ctx), from = s->checked ? -1 : -bar;\n"
          "    s->checked = 1;\n"
          "    for (int feed = 1; feed < s->k; feed++)\n"
          "        for (long a = from; a <= 0; a++)\n"
          "            if (bar + a >= 0 && (!slab_feed_fresh(ctx, 0) ||\n"
          "                                 slab_feed_time(ctx, feed, (int)a) != slab_time(ctx, (int)a))) {\n"
          "                slab_fail(ctx, \"the universe's feeds must share one calendar: %s and %s \"\n"
          "                               \"differ at bar %ld; give feeds with the same dates\",\n"
          "                          slab_feed_symbol(ctx, 0), slab_feed_symbol(ctx, feed), bar);\n"
          "                return 0;\n            }\n"
          "    return 1;\n}\n\n", f);
    if (!s->settings.pair_selection)
        return;
    fputs("/* A feed's close `ago` bars back (feed 0's clock). */\n"
          "static double close_of(slab_ctx *ctx, int feed, long ago)\n{\n"
          "    return feed == 0 ? slab_get(ctx, SLAB_CLOSE, (int)ago) : slab_feed_get(ctx, feed, SLAB_CLOSE, (int)ago);\n}\n\n"
          "/* data.pair_selection (min_distance): once the formation period (bars\n"
          " * to FORMATION_END) is over, the pair whose closes normalised by their\n"
          " * first have the smallest sum of squared differences over it (the\n"
          " * first such in feed order) becomes the group the rules run on.\n"
          " * 1 when chosen (now or before). */\n"
          "static int choose_pair(slab_ctx *ctx, state *s)\n{\n"
          "    long bar = slab_bar(ctx), f = 0;\n"
          "    if (s->paired)\n        return 1;\n"
          "    if (slab_time(ctx, 0) <= FORMATION_END)\n        return 0;\n"
          "    while (f <= bar && slab_time(ctx, (int)(f - bar)) <= FORMATION_END)\n        f++;\n"
          "    if (f < 2) {\n"
          "        slab_fail(ctx, \"pair_selection: the formation period (to data.pair_selection.\"\n"
          "                       \"formation_end) covers %ld of the run's bars; it needs at least 2\", f);\n"
          "        return 0;\n    }\n"
          "    double best = __builtin_inf();\n    int pick = -1;\n"
          "    for (int g = 0; g < s->n_slots / 2; g++) {\n"
          "        int a = s->feed[2 * g], b = s->feed[2 * g + 1];\n"
          "        double a0 = close_of(ctx, a, -bar), b0 = close_of(ctx, b, -bar), ssd = 0.0;\n"
          "        for (long j = 0; j < f; j++) {\n"
          "            double d = close_of(ctx, a, j - bar) / a0 - close_of(ctx, b, j - bar) / b0;\n"
          "            ssd += d * d;\n        }\n"
          "        if (ssd < best) {\n            best = ssd;\n            pick = g;\n        }\n    }\n"
          "    if (pick < 0) {\n"
          "        slab_fail(ctx, \"pair_selection: no pair has a finite distance over the formation period\");\n"
          "        return 0;\n    }\n"
          "    s->g = pick;\n    s->paired = 1;\n    return 1;\n}\n\n", f);
}

static void write_init(FILE *f, const slab_spec *s)
{
    const slab_spec_program *p = &s->program;
    int rebalances = 0, xsect = 0;
    for (size_t k = 0; k < p->n_rules; k++)
        rebalances |= p->rules[k].action == SLAB_SPEC_REBALANCE;
    for (size_t id = 0; id < p->n_nodes; id++)
        xsect |= p->nodes[id].used && p->nodes[id].op == SLAB_SPEC_XSECT;
    fputs("static int init(slab_ctx *ctx, void *st)\n{\n    state *s = st;\n"
          "    int k = slab_n_feeds(ctx), comp = 1;\n"
          "    if (k > MAXM)\n"
          "        return slab_fail(ctx, \"this script takes at most %d feeds, got %d\", MAXM, k);\n"
          "    s->k = k;\n", f);
    if (rebalances || (xsect && s->settings.n_symbols > 1))
        fputs("    if (k < 2)\n"
              "        return slab_fail(ctx, \"this spec trades a universe (cs_rank/cs_zscore/cs_mean or \"\n"
              "                              \"rebalance across data.symbols) but the run has one feed: give \"\n"
              "                              \"every symbol (--symbol A --symbol B, or --data A=FILE ...)\");\n", f);
    if (s->settings.pair_selection)
        fputs("    /* every pair of feeds is a group of two members */\n"
              "    if (k < 2)\n"
              "        return slab_fail(ctx, \"pair_selection picks two of the run's feeds, which has one: \"\n"
              "                              \"give the candidates (data.symbols, or --symbol/--data each)\");\n"
              "    s->mem = 2;\n"
              "    for (int a = 0; a < k; a++)\n"
              "        for (int b = a + 1; b < k; b++) {\n"
              "            s->feed[s->n_slots++] = a;\n"
              "            s->feed[s->n_slots++] = b;\n        }\n", f);
    else
        fputs("    /* one group: every feed is a member */\n"
              "    s->mem = k;\n    s->n_slots = k;\n"
              "    for (int m = 0; m < k; m++)\n        s->feed[m] = m;\n", f);
    fputs("    s->ppy = periods_per_year(slab_bar_unit(ctx, &comp), comp);\n", f);
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (nd->op != SLAB_SPEC_IND || !nd->used)
            continue;
        const spec_def *d = def_of(s, id);
        fprintf(f, "    /* n%zu: ", id);
        put_comment(f, d ? d->site.text : nd->text ? nd->text : nd->ind->name, 300);
        fputs(", for every slot */\n"
              "    for (int slot = 0; slot < s->n_slots; slot++) {\n"
              "        s->g = slot / s->mem;\n"
              "        int in[] = {", f);
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
        fprintf(f, "};\n        s->ind[slot][%zu] = slab_indicator(ctx, \"%s\", in, %d, par, %d);\n"
                   "        if (s->ind[slot][%zu] < 0)\n            return -1;\n",
                id, nd->ind->name, nd->n_args, nd->ind->n_params, id);
        if (s->settings.pair_selection)
            fprintf(f, "        for (int o = 0; o < %d; o++) /* the warm-up in next() waits */\n"
                       "            slab_series_nowait(ctx, s->ind[slot][%zu] + o);\n",
                    nd->ind->n_outputs, id);
        fputs("    }\n", f);
    }
    if (s->settings.pair_selection)
        fputs("    /* next() does not wait for every candidate pair's values: its warm-up\n"
              "     * waits for the chosen pair's, as the spec run does */\n"
              "    for (int slot = 0; slot < s->n_slots; slot++)\n"
              "        for (int id = 0; id < NODES; id++)\n"
              "            if (s->ser[slot][id] > 0)\n"
              "                slab_series_nowait(ctx, s->ser[slot][id]);\n", f);
    fputs("    s->g = 0;\n", f);
    for (size_t j = 0; j < s->n_risk; j++)
        if (strcmp(s->risk[j].key, "allow_pyramiding")) {
            char msg[512];
            snprintf(msg, sizeof msg,
                     "risk_management item %s (%s) is not run on a universe yet: the engine's "
                     "risk manager protects the first feed only; remove it or run one symbol",
                     s->risk[j].key, s->risk[j].pointer);
            fputs("    if (k > 1)\n        return slab_fail(ctx, \"%s\", ", f);
            put_string(f, msg, sizeof msg);
            fputs(");\n", f);
            break;
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
    if (rebalances)
        fputs("    /* rebalance adds to and trims held positions */\n"
              "    if (slab_set_risk(ctx, \"allow_pyramiding\", \"true\") != 0)\n        return -1;\n", f);
    fputs("    for (int m = 0; m < MAXM; m++)\n        s->entry_bar[m] = -1;\n"
          "    return 0;\n}\n\n", f);
}

static void write_next(FILE *f, const slab_spec *s)
{
    const slab_spec_program *p = &s->program;
    fputs("/* Several members: each rule acts on every member whose trigger holds\n"
          " * and which no earlier rule acted on this bar (member order). */\n"
          "static void next_members(slab_ctx *ctx, state *s, long bar)\n{\n"
          "    unsigned char done[MAXM];\n"
          "    for (int m = 0; m < s->mem; m++) {\n"
          "        double pos = slab_feed_position(ctx, s->feed[SLOT(s, m)]);\n"
          "        if (pos != 0.0 && (s->prev_pos[m] == 0.0 || (pos > 0.0) != (s->prev_pos[m] > 0.0)))\n"
          "            s->entry_bar[m] = bar;\n"
          "        s->prev_pos[m] = pos;\n        done[m] = 0;\n    }\n", f);
    for (size_t k = 0; k < p->n_rules; k++)
        rule_universe(f, s, k);
    fputs("    (void)done;\n}\n\n", f);
    fputs("static void next(slab_ctx *ctx, void *st)\n{\n    state *s = st;\n"
          "    long bar = slab_bar(ctx);\n"
          "    if (s->k > 1 && !calendar_ok(ctx, s))\n        return; /* the run stops with the reason */\n", f);
    if (s->settings.pair_selection)
        fputs("    if (!choose_pair(ctx, s))\n        return; /* still the formation period */\n", f);
    fputs("    if (!s->warm) {\n"
          "        int all = 1;\n"
          "        for (int m = 0; m < s->mem; m++) {\n"
          "            if (!s->scanned)\n"
          "                for (long a = -bar; a < 0; a++)\n"
          "                    seen_values(ctx, s, m, (int)a);\n"
          "            all &= seen_values(ctx, s, m, 0);\n        }\n"
          "        s->scanned = 1;\n"
          "        if (!all)\n            return;\n"
          "        s->warm = 1;\n"
          "        slab_strategy_started(ctx); /* the run's minperiod: this bar */\n    }\n"
          "    if (s->mem > 1) {\n        next_members(ctx, s, bar);\n        return;\n    }\n"
          "    int m = 0, sent = 0;\n"
          "    double pos = slab_position_size(ctx);\n"
          "    if (pos != 0.0 && (s->prev_pos[0] == 0.0 || (pos > 0.0) != (s->prev_pos[0] > 0.0)))\n"
          "        s->entry_bar[0] = bar;\n"
          "    s->prev_pos[0] = pos;\n", f);
    for (size_t k = 0; k < p->n_rules; k++)
        rule_single(f, s, k);
    fputs("    (void)sent, (void)m;\n}\n\n", f);
}

static void write_c(FILE *f, const slab_spec *s)
{
    const slab_spec_program *p = &s->program;
    size_t n_nodes = p->n_nodes ? p->n_nodes : 1, n_warm = warm_count(p);
    write_header(f, s);
    fputs("#include <stratlab/strategy.h>\n\n"
          "#if SLAB_STRATEGY_API < 2\n#error \"this script needs strategy API level 2 "
          "(slab_series_compute, slab_run_sizer, slab_bar_unit)\"\n#endif\n\n", f);
    fprintf(f, "/* allow_pyramiding: buy/short also add to a position already that way. */\n"
               "#define PYRAMIDING %d\n"
               "#define MAXM 16      /* most feeds (members) a run has */\n"
               "#define NODES %zu     /* nodes of the spec's DAG */\n"
               "#define NWARM %zu     /* values the warm-up waits for */\n",
            p->risk.allow_pyramiding ? 1 : 0, n_nodes, n_warm ? n_warm : 1);
    if (s->settings.pair_selection)
        fprintf(f, "#define SLOTS (MAXM * (MAXM - 1)) /* every pair's two members */\n"
                   "#define FORMATION_END %lldLL /* data.pair_selection.formation_end, ns */\n\n",
                (long long)s->settings.formation_end_ns);
    else
        fputs("#define SLOTS MAXM\n\n", f);
    fputs(helpers, f);
    fputs("/* A session aggregate's last value: for bar bar1 - 1 (0: none) of day. */\n"
          "typedef struct {\n    long bar1, first;\n    long long day;\n    double value;\n} session_cache;\n\n"
          "/* A slot is one member of one group: slot = g * mem + m. Without\n"
          " * pair_selection there is one group and a slot is a member. */\n"
          "typedef struct {\n"
          "    session_cache sess[SLOTS][NODES]; /* by slot and node id */\n"
          "    int ind[SLOTS][NODES];  /* series id of each indicator node */\n"
          "    int ser[SLOTS][NODES];  /* series id of a node an indicator reads (0: none) */\n"
          "    int feed[SLOTS];        /* each slot's feed */\n"
          "    int k;                  /* the run's feeds */\n"
          "    int mem;                /* members of a group */\n"
          "    int n_slots;            /* slots in use */\n"
          "    int g;                  /* the group evaluated (after pair selection: the pair) */\n"
          "    int paired;             /* pair_selection: the pair is chosen */\n"
          "    unsigned char had[MAXM][NWARM]; /* warm-up: this value has been a number */\n"
          "    int scanned, warm;      /* bars before the first next() seen; rules run */\n"
          "    int checked;            /* the calendar was checked back to bar 0 */\n"
          "    double ppy;             /* periods a year of the bars */\n"
          "    double prev_pos[MAXM];  /* each member's position at the previous bar */\n"
          "    long entry_bar[MAXM];   /* bar each member's position was opened on */\n"
          "} state;\n\n"
          "#define SLOT(s, m) ((s)->g * (s)->mem + (m))\n\n", f);
    fputs(helpers_state, f);
    fputs("/* ---- the spec's expressions, one function per node of its DAG: the value\n"
          " * for member m, `ago` bars back (0 = this bar). NaN is \"no value yet\";\n"
          " * comparisons with NaN give NaN; and/or/not are Kleene's. */\n\n", f);
    for (size_t id = 0; id < p->n_nodes; id++)
        if (p->nodes[id].used)
            node_fn(f, s, id);
    write_series(f, p);
    write_seen(f, p);
    write_checks(f, s);
    write_init(f, s);
    write_next(f, s);
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
