/* checks.c: what a compiled spec means, checked before anything runs:
 * triggers that can never fire (a constant false, a comparison outside the
 * range its indicator can reach, x > x, a position the plan never opens),
 * exits without an entry, entries that nothing closes, warm-up longer than
 * the data period the spec asks for, definitions nothing uses, and
 * features the data cannot feed (clock rules on daily bars, rebalancing a
 * single symbol). Ranges come from the compiler (node lo/hi). */
#include "spec/spec_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct why {
    char text[300]; /* the first reason found */
} why;

static int can(const slab_spec *s, int id, int want, why *w);

/* Comparison a OP b can give `want` (1 true, 0 false)? */
static int cmp_can(const slab_spec *s, const slab_spec_node *n, int want, why *w)
{
    const slab_spec_node *a = &s->nodes[n->arg[0]], *b = &s->nodes[n->arg[1]];
    int ok = 1;
    if (a->type != SLAB_SPEC_NUM)
        return 1;
    if (n->arg[0] == n->arg[1]) {
        int always = n->op == SLAB_SPEC_LE || n->op == SLAB_SPEC_GE || n->op == SLAB_SPEC_EQ;
        ok = want ? always : !always;
        if (!ok)
            snprintf(w->text, sizeof w->text, "both sides of `%s` are the same value",
                     n->text ? n->text : "the comparison");
        return ok;
    }
    /* crossover(a, a) / crossunder(a, a) */
    if (a->op == SLAB_SPEC_FIELD && s->nodes[a->arg[0]].op == SLAB_SPEC_IND &&
        !strcmp(s->nodes[a->arg[0]].ind->name, "CROSSOVER") && want &&
        s->nodes[a->arg[0]].arg[0] == s->nodes[a->arg[0]].arg[1]) {
        snprintf(w->text, sizeof w->text, "`%s` crosses a line with itself",
                 n->text ? n->text : "the cross");
        return 0;
    }
    int op = n->op;
    if (!want) /* can it be false = can the negation be true */
        op = op == SLAB_SPEC_LT ? SLAB_SPEC_GE : op == SLAB_SPEC_LE ? SLAB_SPEC_GT
             : op == SLAB_SPEC_GT ? SLAB_SPEC_LE : op == SLAB_SPEC_GE ? SLAB_SPEC_LT
             : op == SLAB_SPEC_EQ ? SLAB_SPEC_NE : SLAB_SPEC_EQ;
    switch (op) {
    case SLAB_SPEC_GT: ok = a->hi > b->lo; break;
    case SLAB_SPEC_GE: ok = a->hi >= b->lo; break;
    case SLAB_SPEC_LT: ok = a->lo < b->hi; break;
    case SLAB_SPEC_LE: ok = a->lo <= b->hi; break;
    case SLAB_SPEC_EQ: ok = a->lo <= b->hi && b->lo <= a->hi; break;
    default: ok = !(a->lo == a->hi && b->lo == b->hi && a->lo == b->lo); break;
    }
    if (!ok && !w->text[0]) {
        const char *what = a->lo == a->hi ? (b->text ? b->text : "it") : (a->text ? a->text : "it");
        const slab_spec_node *r = a->lo == a->hi ? b : a;
        snprintf(w->text, sizeof w->text, "%s stays within %g..%g, so `%s` is never %s", what,
                 r->lo, r->hi, n->text ? n->text : "the comparison", want ? "true" : "false");
    }
    return ok;
}

/* Can node id (a condition) take the value want (1/0)? */
static int can(const slab_spec *s, int id, int want, why *w)
{
    const slab_spec_node *n = &s->nodes[id];
    switch (n->op) {
    case SLAB_SPEC_CONST:
        if ((n->value == 1.0) != want && !w->text[0])
            snprintf(w->text, sizeof w->text, "`%s` is always %s", n->text ? n->text : "it",
                     n->value == 1.0 ? "true" : "false");
        return (n->value == 1.0) == want;
    case SLAB_SPEC_AND:
        return want ? can(s, n->arg[0], 1, w) && can(s, n->arg[1], 1, w)
                    : can(s, n->arg[0], 0, w) || can(s, n->arg[1], 0, w);
    case SLAB_SPEC_OR:
        return want ? can(s, n->arg[0], 1, w) || can(s, n->arg[1], 1, w)
                    : can(s, n->arg[0], 0, w) && can(s, n->arg[1], 0, w);
    case SLAB_SPEC_NOT: return can(s, n->arg[0], !want, w);
    default: break;
    }
    if (n->op >= SLAB_SPEC_LT && n->op <= SLAB_SPEC_NE)
        return cmp_can(s, n, want, w);
    return 1;
}

static void mark(const slab_spec *s, int id, unsigned char *seen)
{
    if (id < 0 || seen[id])
        return;
    seen[id] = 1;
    for (int k = 0; k < s->nodes[id].n_args; k++)
        mark(s, s->nodes[id].arg[k], seen);
}

static int uses(const slab_spec *s, const unsigned char *seen, slab_spec_op op, int kind)
{
    for (size_t id = 0; id < s->n_nodes; id++)
        if (seen[id] && s->nodes[id].op == op && (kind < 0 || s->nodes[id].kind == kind))
            return 1;
    return 0;
}

/* Roughly how many bars data.start..data.end holds; 0 when unknown. */
static double bars_in_period(const slab_spec *s, int *daily)
{
    slab_timeframe tf = SLAB_TF_DAYS;
    int comp = 1;
    slab_error e;
    *daily = 1;
    if (s->settings.timeframe &&
        slab_timeframe_parse(s->settings.timeframe, &tf, &comp, &e) != SLAB_OK)
        return 0;
    *daily = tf >= SLAB_TF_DAYS;
    if (!s->settings.has_start || !s->settings.has_end)
        return 0;
    double days = (double)(s->settings.end_ns - s->settings.start_ns) / (double)SLAB_NS_PER_DAY;
    double trading = days * 252.0 / 365.25;
    switch (tf) {
    case SLAB_TF_DAYS: return trading / comp;
    case SLAB_TF_WEEKS: return days / 7.0 / comp;
    case SLAB_TF_MONTHS: return days / 30.44 / comp;
    case SLAB_TF_YEARS: return days / 365.25 / comp;
    case SLAB_TF_MINUTES: return trading * 390.0 / comp;
    case SLAB_TF_SECONDS: return trading * 23400.0 / comp;
    default: return 0;
    }
}

void slab__spec_checks(slab_spec *s, slab_diags *d)
{
    const slab_spec_program *p = &s->program;
    int counts[6] = {0};
    char ptr[128], fix[300];
    for (size_t k = 0; k < p->n_rules; k++)
        counts[p->rules[k].action]++;
    int risk_exit = p->risk.stop_loss.kind || p->risk.take_profit.kind || p->risk.trail.kind ||
                    p->risk.time_exit_bars > 0 || p->risk.exit_at_on;
    /* The position can only have the signs the plan can open. */
    for (size_t id = 0; id < s->n_nodes; id++)
        if (s->nodes[id].op == SLAB_SPEC_STATE && s->nodes[id].kind == SLAB_SPEC_STATE_POSITION) {
            s->nodes[id].lo = counts[SLAB_SPEC_SHORT] ? -INFINITY : 0.0;
            s->nodes[id].hi = counts[SLAB_SPEC_BUY] ? INFINITY : 0.0;
        }
    for (size_t k = 0; k < p->n_rules; k++) {
        const slab_spec_rule *r = &p->rules[k];
        why w;
        w.text[0] = '\0';
        snprintf(ptr, sizeof ptr, "%s/trigger", r->pointer);
        if (!can(s, r->trigger, 1, &w)) {
            snprintf(fix, sizeof fix, "change the condition so it can hold (check the "
                     "indicator's range, the thresholds and the direction of comparisons)");
            slab__diag(d, SLAB_DIAG_ERROR, "never_fires", ptr, 0, fix,
                       "this %s rule can never fire: %s",
                       r->action == SLAB_SPEC_BUY ? "buy" : r->action == SLAB_SPEC_SELL ? "sell"
                       : r->action == SLAB_SPEC_SHORT ? "short" : r->action == SLAB_SPEC_COVER
                       ? "cover" : r->action == SLAB_SPEC_CLOSE ? "close" : "rebalance",
                       w.text[0] ? w.text : "its condition is always false");
        }
        snprintf(ptr, sizeof ptr, "%s/action", r->pointer);
        if (r->action == SLAB_SPEC_SELL && !counts[SLAB_SPEC_BUY])
            slab__diag(d, SLAB_DIAG_ERROR, "exit_without_entry", ptr, 0,
                       "add a buy rule, or use short/cover for a short strategy",
                       "sell closes a long position, but no rule opens one (no buy rule)");
        if (r->action == SLAB_SPEC_COVER && !counts[SLAB_SPEC_SHORT])
            slab__diag(d, SLAB_DIAG_ERROR, "exit_without_entry", ptr, 0,
                       "add a short rule, or use buy/sell for a long strategy",
                       "cover closes a short position, but no rule opens one (no short rule)");
        if (r->action == SLAB_SPEC_CLOSE && !counts[SLAB_SPEC_BUY] && !counts[SLAB_SPEC_SHORT])
            slab__diag(d, SLAB_DIAG_ERROR, "exit_without_entry", ptr, 0,
                       "add a buy or short rule that opens the position",
                       "close exits a position, but no rule opens one (no buy or short rule)");
        if (r->action == SLAB_SPEC_REBALANCE && s->settings.n_symbols < 2)
            slab__diag(d, SLAB_DIAG_ERROR, "needs_universe", ptr, 0,
                       "list two or more symbols in data.symbols, or use buy/sell",
                       "rebalance needs a universe: data.symbols with two or more symbols");
    }
    static const struct {
        int entry, exit1, exit2;
        const char *entry_name, *fix;
    } pairs[] = {{SLAB_SPEC_BUY, SLAB_SPEC_SELL, SLAB_SPEC_CLOSE, "buy",
                  "add a sell or close rule, or a stop_loss/take_profit/trailing_stop/time_exit "
                  "risk item"},
                 {SLAB_SPEC_SHORT, SLAB_SPEC_COVER, SLAB_SPEC_CLOSE, "short",
                  "add a cover or close rule, or a risk exit"}};
    for (int k = 0; k < 2; k++)
        if (counts[pairs[k].entry] && !counts[pairs[k].exit1] && !counts[pairs[k].exit2] &&
            !risk_exit && !counts[pairs[k].entry == SLAB_SPEC_BUY ? SLAB_SPEC_SHORT : SLAB_SPEC_BUY])
            slab__diag(d, SLAB_DIAG_WARNING, "no_exit", "/execution_plan", 0, pairs[k].fix,
                       "positions opened by %s are never closed by a rule: they are held to the "
                       "end of the data",
                       pairs[k].entry_name);
    /* What the rules reach. */
    unsigned char *seen = slab_calloc(s->n_nodes + 1, 1);
    if (!seen)
        return;
    for (size_t k = 0; k < p->n_rules; k++) {
        mark(s, p->rules[k].trigger, seen);
        mark(s, p->rules[k].sizing.vol_node, seen);
    }
    for (size_t k = 0; k < s->n_defs; k++) {
        spec_def *def = &s->defs[k];
        if (def->state != 2 || seen[def->node])
            continue;
        slab__diag(d, SLAB_DIAG_WARNING, "unused", def->name_pointer, 0,
                   "use it in a trigger or a pipeline step, or remove it",
                   "\"%s\" is defined but no rule uses it", def->name);
    }
    int daily;
    double bars = bars_in_period(s, &daily);
    int clock = uses(s, seen, SLAB_SPEC_CLOCK, SLAB_SPEC_CLOCK_TIME) ||
                uses(s, seen, SLAB_SPEC_SESSION, -1);
    if (daily && clock && s->settings.timeframe)
        slab__diag(d, SLAB_DIAG_WARNING, "clock_on_daily", "/data/timeframe", 0,
                   "use intraday bars (1m, 5m, 1h) for time-of-day and session rules",
                   "the rules use the time of day or sessions, but data.timeframe is %s",
                   s->settings.timeframe);
    if (daily && p->risk.exit_at_on && s->settings.timeframe)
        slab__diag(d, SLAB_DIAG_ERROR, "clock_on_daily", "/risk_management", 0,
                   "use time_exit (a number of bars) on daily bars",
                   "exit_at is a time of day, but data.timeframe is %s", s->settings.timeframe);
    if (s->settings.n_symbols < 2 && uses(s, seen, SLAB_SPEC_XSECT, -1))
        slab__diag(d, SLAB_DIAG_WARNING, "needs_universe", "/data/symbols", 0,
                   "list the universe in data.symbols",
                   "cs_rank/cs_zscore/cs_mean compare symbols, but the spec names fewer than two");
    /* A spec that can only run over a universe: the risk manager protects
     * the first feed only, so run --spec refuses risk items there. */
    int universe_only = s->settings.n_symbols > 1 &&
                        (uses(s, seen, SLAB_SPEC_XSECT, -1) || s->settings.pair_selection);
    for (size_t k = 0; k < p->n_rules; k++)
        universe_only |= s->settings.n_symbols > 1 && p->rules[k].action == SLAB_SPEC_REBALANCE;
    for (size_t k = 0; universe_only && k < s->n_risk; k++)
        if (strcmp(s->risk[k].key, "allow_pyramiding"))
            slab__diag(d, SLAB_DIAG_ERROR, "risk_on_universe", s->risk[k].pointer, 0,
                       "remove it, or write the exit as a rule (e.g. close when close < "
                       "entry_price * 0.95)",
                       "%s is not run on a universe yet: the engine's risk manager protects "
                       "the first symbol only",
                       s->risk[k].key);
    if (bars > 0 && p->warmup > 0) {
        if ((double)p->warmup >= bars)
            slab__diag(d, SLAB_DIAG_ERROR, "warmup_exceeds_data", "/data", 0,
                       "start the data earlier or use shorter periods",
                       "the rules need %d bars of warm-up, but data.start..data.end holds about "
                       "%.0f bars, so no rule would ever run",
                       p->warmup, bars);
        else if ((double)p->warmup > 0.5 * bars)
            slab__diag(d, SLAB_DIAG_WARNING, "long_warmup", "/data", 0,
                       "start the data earlier so the rules see most of the period",
                       "the rules need %d bars of warm-up, more than half of the about %.0f bars "
                       "in data.start..data.end",
                       p->warmup, bars);
    }
    slab_free(seen);
}
