/* runtime.c: a compiled spec as a strategy the engine runs. init()
 * evaluates every static node over the run's bars (eval.c), asks the
 * engine to start next() once all of them have values, and hands the risk
 * items to the engine's risk manager; next() evaluates the dynamic nodes
 * for the bar and tries the rules in order (spec_program.h states the
 * rules). Along the way it counts, per rule, how often the trigger and each
 * condition in it held and how close the others came, for diagnosis.
 * The per-run arrays live in the slab_spec_run (the strategy argument), so
 * they are released by slab_spec_run_free(), not by the engine. */
#include "spec/spec_int.h"

#include "stratlab/strategy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define MAX_LEAVES 16

/* A condition inside a trigger (a leaf of its and/or/not tree). */
typedef struct leaf {
    int node;           /* the condition */
    int kind;           /* 0 plain, 1 comparison a OP b, 2 crossover/crossunder of a and b */
    int a, b;           /* operand nodes (kind 1, 2) */
    slab_spec_op op;    /* kind 1 */
    long bars_true, bars_known;
    double best_gap;    /* smallest distance from holding, when it did not hold */
    long best_bar;      /* -1 none */
    double best_a, best_b;
} leaf;

typedef struct rule_stats {
    long bars_evaluated, bars_true, orders, blocked, sized_zero;
    long first_true_bar; /* -1 never */
    leaf leaves[MAX_LEAVES];
    int n_leaves;
} rule_stats;

struct slab_spec_run {
    const slab_spec *spec;
    slab_strategy_def def;
    spec_values *mv;        /* per member of the universe (one without a universe) */
    size_t k;               /* members: the run's feeds */
    size_t cur;             /* the member being evaluated */
    double *mscratch;       /* k x n_nodes: dynamic nodes of each member at this bar */
    double *scratch;        /* mscratch of the current member */
    double *mprev_pos;      /* per member */
    long *mentry_bar;
    unsigned char *done;    /* per member: a rule already acted this bar */
    int feed_of[SLAB_FEEDS_MAX]; /* each member's feed */
    int pair[2];            /* pair_selection: the feeds chosen, else -1 */
    double pair_ssd;        /* their sum of squared distances */
    char pair_sym[2][32];
    char member_sym[SLAB_FEEDS_MAX][32]; /* each member's symbol (universes) */
    long formation_bars;
    int has_dynamic;
    rule_stats *stats;
    long warmup;            /* first bar next() runs on, as measured */
    long n_bars;
    double ppy;             /* periods per year of the bars (volatility targets) */
    slab_sizer sizer;       /* the run's default sizer, for reversals */
    double prev_pos;
    long entry_bar;
    int allow_pyramiding;
};

/* ---- statistics -------------------------------------------------------------- */

static void add_leaf(const slab_spec_program *p, rule_stats *st, int id)
{
    const slab_spec_node *n = &p->nodes[id];
    if (n->op == SLAB_SPEC_AND || n->op == SLAB_SPEC_OR) {
        add_leaf(p, st, n->arg[0]);
        add_leaf(p, st, n->arg[1]);
        return;
    }
    if (n->op == SLAB_SPEC_NOT) {
        add_leaf(p, st, n->arg[0]);
        return;
    }
    for (int k = 0; k < st->n_leaves; k++)
        if (st->leaves[k].node == id)
            return;
    if (st->n_leaves == MAX_LEAVES || n->op == SLAB_SPEC_CONST)
        return;
    leaf *l = &st->leaves[st->n_leaves++];
    memset(l, 0, sizeof *l);
    l->node = id;
    l->best_gap = INFINITY;
    l->best_bar = -1;
    if (n->op >= SLAB_SPEC_LT && n->op <= SLAB_SPEC_NE && n->n_args == 2 &&
        p->nodes[n->arg[0]].type == SLAB_SPEC_NUM) {
        const slab_spec_node *x = &p->nodes[n->arg[0]];
        l->kind = 1;
        l->op = n->op;
        l->a = n->arg[0];
        l->b = n->arg[1];
        if (x->op == SLAB_SPEC_FIELD && p->nodes[x->arg[0]].op == SLAB_SPEC_IND &&
            !strcmp(p->nodes[x->arg[0]].ind->name, "CROSSOVER") &&
            p->nodes[n->arg[1]].op == SLAB_SPEC_CONST && p->nodes[n->arg[1]].value == 0.0) {
            l->kind = 2;
            l->a = p->nodes[x->arg[0]].arg[0];
            l->b = p->nodes[x->arg[0]].arg[1];
        }
    }
}

static double value_at(const slab_spec_run *r, int id, long i)
{
    const slab_spec_node *n = &r->spec->program.nodes[id];
    return n->dynamic ? r->scratch[id] : r->mv[r->cur].values[id][i];
}

static void observe(slab_spec_run *r, leaf *l, long i)
{
    double v = value_at(r, l->node, i);
    if (isnan(v))
        return;
    l->bars_known++;
    if (v == 1.0) {
        l->bars_true++;
        return;
    }
    if (!l->kind)
        return;
    double a = value_at(r, l->a, i), b = value_at(r, l->b, i), gap;
    if (isnan(a) || isnan(b))
        return;
    if (l->kind == 2)
        gap = fabs(a - b);
    else if (l->op == SLAB_SPEC_GT || l->op == SLAB_SPEC_GE)
        gap = b - a;
    else if (l->op == SLAB_SPEC_LT || l->op == SLAB_SPEC_LE)
        gap = a - b;
    else if (l->op == SLAB_SPEC_EQ)
        gap = fabs(a - b);
    else
        return;
    if (gap < l->best_gap) {
        l->best_gap = gap;
        l->best_bar = i;
        l->best_a = a;
        l->best_b = b;
    }
}

/* ---- sizing and actions ------------------------------------------------------------ */

/* Shares for a new position by the rule's sizing (the run's sizer applied
 * to the equity for SIZE_RUN); 0 when none. */
static double new_shares(const slab_spec_run *r, slab_ctx *ctx, const slab_spec_sizing *z, long i)
{
    double close = r->k > 1 ? slab_feed_get(ctx, r->feed_of[r->cur], SLAB_CLOSE, 0)
                            : slab_get(ctx, SLAB_CLOSE, 0);
    double equity = slab_value(ctx), size = 0.0;
    switch (z->kind) {
    case SLAB_SPEC_SIZE_RUN:
        if (r->sizer.kind == SLAB_SIZER_FIXED)
            size = r->sizer.amount;
        else
            size = equity / close * (r->sizer.amount / 100.0);
        if (r->sizer.kind == SLAB_SIZER_PERCENT_INT)
            size = trunc(size);
        break;
    case SLAB_SPEC_SIZE_PERCENT_EQUITY: size = equity / close * (z->value / 100.0); break;
    case SLAB_SPEC_SIZE_FIXED_SHARES: size = z->value; break;
    case SLAB_SPEC_SIZE_FIXED_CASH: size = z->value / close; break;
    case SLAB_SPEC_SIZE_VOL_TARGET: {
        double vol =
            z->vol_node >= 0 ? r->mv[r->cur].values[z->vol_node][i] * sqrt(r->ppy) : NAN;
        if (!(vol > 0.0))
            return 0.0;
        size = equity * fmin(z->max_percent / 100.0, z->value / vol) / close;
        break;
    }
    }
    if (z->whole_shares)
        size = trunc(size);
    return isfinite(size) && size > 0.0 ? size : 0.0;
}

/* Opens (or adds to) a position of direction dir; returns 1 when an
 * order went out, 0 when the sizing gave no shares. */
static int enter(slab_spec_run *r, slab_ctx *ctx, const slab_spec_rule *rule, int dir, long i)
{
    double pos = slab_position_size(ctx), size;
    if ((pos > 0.0 && dir < 0) || (pos < 0.0 && dir > 0)) {
        /* Reverse in one order: cover what is held plus the new position. */
        size = new_shares(r, ctx, &rule->sizing, i);
        return (dir > 0 ? slab_buy(ctx, fabs(pos) + size) : slab_sell(ctx, fabs(pos) + size)) > 0;
    }
    if (rule->sizing.kind == SLAB_SPEC_SIZE_RUN)
        return (dir > 0 ? slab_buy(ctx, 0) : slab_sell(ctx, 0)) > 0;
    size = new_shares(r, ctx, &rule->sizing, i);
    if (!(size > 0.0))
        return 0;
    return (dir > 0 ? slab_buy(ctx, size) : slab_sell(ctx, size)) > 0;
}

/* Tries rule's action; returns 1 sent, 0 sized to nothing, -1 does not apply. */
static int act(slab_spec_run *r, slab_ctx *ctx, const slab_spec_rule *rule, long i)
{
    double pos = slab_position_size(ctx);
    int idle = slab_orders_pending(ctx) == 0;
    switch (rule->action) {
    case SLAB_SPEC_BUY:
        if (pos < 0.0 || (pos == 0.0 && idle) || (pos > 0.0 && r->allow_pyramiding))
            return enter(r, ctx, rule, 1, i);
        return -1;
    case SLAB_SPEC_SHORT:
        if (pos > 0.0 || (pos == 0.0 && idle) || (pos < 0.0 && r->allow_pyramiding))
            return enter(r, ctx, rule, -1, i);
        return -1;
    case SLAB_SPEC_SELL:
        return pos > 0.0 ? slab_close_position(ctx) > 0 : -1;
    case SLAB_SPEC_COVER:
        return pos < 0.0 ? slab_close_position(ctx) > 0 : -1;
    case SLAB_SPEC_CLOSE:
        return pos != 0.0 ? slab_close_position(ctx) > 0 : -1;
    default: return -1;
    }
}

/* ---- universes: orders on member feeds ---------------------------------------------- */

/* Python's float floor division a // b (backtrader sizes a target's
 * difference with it: CommInfoBase.getsize is cash // price). */
static double py_floordiv(double a, double b)
{
    double mod = fmod(a, b), div = (a - mod) / b, fl;
    if (mod != 0.0 && ((b < 0.0) != (mod < 0.0)))
        div -= 1.0;
    if (div != 0.0) {
        fl = floor(div);
        if (div - fl > 0.5)
            fl += 1.0;
    } else {
        fl = copysign(0.0, a / b);
    }
    return fl;
}

static int feed_market(slab_ctx *ctx, int feed, int is_buy, double size)
{
    slab_order_spec o;
    memset(&o, 0, sizeof o);
    o.type = SLAB_EXEC_MARKET;
    o.size = size;
    return slab_order_feed(ctx, feed, is_buy, &o) > 0;
}

/* A member rule's action on member r->cur: 1 sent, 0 sized to nothing,
 * -1 does not apply. As act(), without the pending-order check (a
 * member's market order has filled by its next bar). */
static int act_member(slab_spec_run *r, slab_ctx *ctx, const slab_spec_rule *rule, long i)
{
    int f = r->feed_of[r->cur];
    double pos = slab_feed_position(ctx, f), size;
    int dir = 0;
    switch (rule->action) {
    case SLAB_SPEC_BUY:
        if (pos > 0.0 && !r->allow_pyramiding)
            return -1;
        dir = 1;
        break;
    case SLAB_SPEC_SHORT:
        if (pos < 0.0 && !r->allow_pyramiding)
            return -1;
        dir = -1;
        break;
    case SLAB_SPEC_SELL:
        return pos > 0.0 ? feed_market(ctx, f, 0, pos) : -1;
    case SLAB_SPEC_COVER:
        return pos < 0.0 ? feed_market(ctx, f, 1, -pos) : -1;
    case SLAB_SPEC_CLOSE:
        return pos != 0.0 ? feed_market(ctx, f, pos < 0.0, fabs(pos)) : -1;
    default: return -1;
    }
    if (rule->sizing.kind == SLAB_SPEC_SIZE_RUN && pos == 0.0)
        return feed_market(ctx, f, dir > 0, 0.0); /* the run's sizer */
    size = new_shares(r, ctx, &rule->sizing, i);
    if ((pos > 0.0 && dir < 0) || (pos < 0.0 && dir > 0))
        return feed_market(ctx, f, dir > 0, fabs(pos) + size);
    return size > 0.0 ? feed_market(ctx, f, dir > 0, size) : 0;
}

/* rebalance: the members whose trigger holds (sel[s]) get equal shares of
 * the sizing's percent of equity, the others none; reductions are sent
 * first (member order), then additions. Returns orders sent. */
static int rebalance(slab_spec_run *r, slab_ctx *ctx, const slab_spec_rule *rule,
                     const unsigned char *sel, long i)
{
    size_t n_sel = 0;
    int sent = 0;
    double equity = slab_value(ctx), pct;
    for (size_t s = 0; s < r->k; s++)
        n_sel += sel[s];
    switch (rule->sizing.kind) {
    case SLAB_SPEC_SIZE_PERCENT_EQUITY: pct = rule->sizing.value; break;
    case SLAB_SPEC_SIZE_RUN:
        pct = r->sizer.kind == SLAB_SIZER_FIXED ? 95.0 : r->sizer.amount;
        break;
    default: pct = -1.0; break; /* a size per member: new_shares */
    }
    for (int pass = 0; pass < 2; pass++)
        for (size_t s = 0; s < r->k; s++) {
            int f = r->feed_of[s];
            double pos = slab_feed_position(ctx, f), close = slab_feed_get(ctx, f, SLAB_CLOSE, 0);
            double target, cur = pos * close, d;
            if (!sel[s]) {
                if (pass == 0 && pos != 0.0)
                    sent += feed_market(ctx, f, pos < 0.0, fabs(pos));
                continue;
            }
            if (pct >= 0.0) {
                target = equity * (pct / 100.0) / (double)n_sel;
            } else {
                r->cur = s;
                target = new_shares(r, ctx, &rule->sizing, i) * close;
            }
            if (!isfinite(target) || !isfinite(cur) || !(close > 0.0))
                continue;
            if (target < cur && pass == 0) {
                d = py_floordiv(cur - target, close);
                if (d > 0.0)
                    sent += feed_market(ctx, f, 0, d);
            } else if (target > cur && pass == 1) {
                d = py_floordiv(target - cur, close);
                if (d > 0.0)
                    sent += feed_market(ctx, f, 1, d);
            }
        }
    return sent;
}

/* ---- the strategy ------------------------------------------------------------------- */

static double periods_per_year(slab_timeframe tf, int comp)
{
    double c = comp > 0 ? comp : 1;
    switch (tf) {
    case SLAB_TF_DAYS: return 252.0 / c;
    case SLAB_TF_WEEKS: return 52.0 / c;
    case SLAB_TF_MONTHS: return 12.0 / c;
    case SLAB_TF_YEARS: return 1.0 / c;
    case SLAB_TF_MINUTES: return 252.0 * 390.0 / c;
    case SLAB_TF_SECONDS: return 252.0 * 23400.0 / c;
    default: return 252.0;
    }
}

static int spec_init(slab_ctx *ctx, void *state)
{
    (void)state;
    slab_spec_run *r = (slab_spec_run *)slab_ctx_strategy_arg(ctx);
    const slab_spec_program *p = &r->spec->program;
    slab_error err;
    size_t n = slab_ctx_n_bars(ctx);
    const double *cols[SLAB_N_COLUMNS];
    int comp;
    if (!r)
        return slab_fail(ctx, "the spec strategy was run without its spec (strategy_arg)");
    /* A universe needs every symbol's bars in one run. */
    int rebalance = 0, xsect = 0;
    for (size_t k = 0; k < p->n_rules; k++)
        rebalance |= p->rules[k].action == SLAB_SPEC_REBALANCE;
    for (size_t id = 0; id < p->n_nodes; id++)
        xsect |= p->nodes[id].used && p->nodes[id].op == SLAB_SPEC_XSECT;
    size_t k = (size_t)slab_n_feeds(ctx);
    if ((rebalance || (xsect && r->spec->settings.n_symbols > 1)) && k < 2)
        return slab_fail(ctx, "this spec trades a universe (cs_rank/cs_zscore/cs_mean or "
                              "rebalance across data.symbols) but the run has one feed: give "
                              "every symbol (--symbol A --symbol B, or --data A=FILE ...)");
    for (size_t s = 0; s < r->k; s++)
        slab__spec_values_free(&r->mv[s]);
    slab_free(r->mv);
    slab_free(r->mscratch);
    slab_free(r->mprev_pos);
    slab_free(r->mentry_bar);
    slab_free(r->done);
    r->k = 0; /* until every array below is there (slab_spec_run_free reads k) */
    r->cur = 0;
    r->mv = slab_calloc(k, sizeof *r->mv);
    r->mscratch = slab_calloc(k * (p->n_nodes + 1), sizeof *r->mscratch);
    r->mprev_pos = slab_calloc(k, sizeof *r->mprev_pos);
    r->mentry_bar = slab_calloc(k, sizeof *r->mentry_bar);
    r->done = slab_calloc(k, 1);
    const double *(*mcols)[SLAB_N_COLUMNS] = slab_calloc(k, sizeof *mcols);
    const double *const **cp = slab_calloc(k, sizeof *cp);
    if (!r->mv || !r->mscratch || !r->mprev_pos || !r->mentry_bar || !r->done || !mcols || !cp) {
        slab_free(mcols);
        slab_free(cp);
        return slab_fail(ctx, "out of memory for the spec's universe of %zu symbols", k);
    }
    r->k = k;
    r->scratch = r->mscratch;
    for (int c = 0; c < SLAB_N_COLUMNS; c++)
        cols[c] = slab_ctx_column(ctx, c);
    const int64_t *ts = slab_ctx_times(ctx);
    for (size_t s = 0; s < k; s++) {
        cp[s] = s == 0 ? cols : mcols[s];
        if (s == 0)
            continue;
        /* Every member on feed 0's calendar: the rules read one bar index. */
        size_t ns = 0, nt = 0, o = 0;
        const int64_t *t = slab_ctx_feed_times(ctx, (int)s, &nt);
        /* Bars before feed 0's first (the preroll a run with --from gives
         * the other feeds) are left out: every member starts there. */
        while (o < nt && n > 0 && t[o] < ts[0])
            o++;
        t += o;
        nt -= o;
        for (int c = 0; c < SLAB_N_COLUMNS; c++)
            mcols[s][c] = slab_ctx_feed_column(ctx, (int)s, c, &ns) + o;
        size_t j = 0;
        while (j < n && j < nt && t[j] == ts[j])
            j++;
        if (j < n || nt != n) {
            char when[40];
            int64_t at = j < n ? ts[j] : t[j];
            slab_free(mcols);
            slab_free(cp);
            return slab_fail(ctx, "the universe's feeds must share one calendar: %s and %s "
                                  "differ at %s (bar %zu); give feeds with the same dates",
                             slab_feed_symbol(ctx, 0), slab_feed_symbol(ctx, (int)s),
                             slab_bars_format_time(at, when, sizeof when), j);
        }
    }
    for (size_t s = 0; s < k; s++)
        r->feed_of[s] = (int)s;
    r->pair[0] = r->pair[1] = -1;
    r->pair_ssd = NAN;
    if (r->spec->settings.pair_selection) {
        /* The formation period: bars 0 .. f-1 (to formation_end); each
         * close normalised by its first; the pair with the smallest sum
         * of squared differences (the first such in member order). */
        size_t f = 0;
        while (f < n && ts[f] <= r->spec->settings.formation_end_ns)
            f++;
        if (k < 2) {
            slab_free(mcols);
            slab_free(cp);
            return slab_fail(ctx, "pair_selection picks two of the run's feeds, which has one: "
                                  "give the candidates (data.symbols, or --symbol/--data each)");
        }
        if (f < 2 && f < n) {
            slab_free(mcols);
            slab_free(cp);
            return slab_fail(ctx, "pair_selection: the formation period (to data.pair_selection."
                                  "formation_end) covers %zu of the run's bars; it needs at "
                                  "least 2", f);
        }
        r->formation_bars = (long)f;
        if (f >= n) {
            /* The formation has not ended within these bars (a run cut
             * early, or data that end first): no pair, no rule runs. */
            slab_free(mcols);
            slab_free(cp);
            r->warmup = (long)n;
            r->n_bars = (long)n;
            slab_ctx_set_warmup(ctx, (long)n);
            for (size_t j = 0; j < p->n_rules; j++) {
                memset(&r->stats[j], 0, sizeof r->stats[j]);
                r->stats[j].first_true_bar = -1;
            }
            return 0;
        }
        double best = INFINITY;
        for (size_t a = 0; a < k; a++)
            for (size_t b = a + 1; b < k; b++) {
                const double *xa = cp[a][SLAB_CLOSE], *xb = cp[b][SLAB_CLOSE];
                double ssd = 0.0;
                for (size_t j = 0; j < f; j++) {
                    double d = xa[j] / xa[0] - xb[j] / xb[0];
                    ssd += d * d;
                }
                if (ssd < best) {
                    best = ssd;
                    r->pair[0] = (int)a;
                    r->pair[1] = (int)b;
                }
            }
        if (r->pair[0] < 0) {
            slab_free(mcols);
            slab_free(cp);
            return slab_fail(ctx, "pair_selection: no pair has a finite distance over the "
                                  "formation period");
        }
        r->pair_ssd = best;
        for (int m = 0; m < 2; m++)
            snprintf(r->pair_sym[m], sizeof r->pair_sym[m], "%s", slab_feed_symbol(ctx, r->pair[m]));
        r->feed_of[0] = r->pair[0];
        r->feed_of[1] = r->pair[1];
        cp[0] = cp[r->pair[0]];
        cp[1] = cp[r->pair[1]];
        k = 2;
        r->k = 2;
    }
    for (size_t s = 0; s < k; s++)
        snprintf(r->member_sym[s], sizeof r->member_sym[s], "%s",
                 slab_feed_symbol(ctx, r->feed_of[s]));
    slab_status est = slab__spec_eval_multi(p, cp, ts, n, k, r->mv, &err);
    slab_free(mcols);
    slab_free(cp);
    if (est != SLAB_OK)
        return slab_fail(ctx, "%s", err.msg);
    /* next() starts once every static node has had a value; an indicator
     * counts with all of its outputs, as a backtrader indicator's minimum
     * period is its slowest line's. */
    long warm = 0;
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (nd->dynamic || nd->op == SLAB_SPEC_CONST || !nd->used)
            continue;
        int outs = nd->op == SLAB_SPEC_IND ? nd->ind->n_outputs : 1;
        for (size_t s = 0; s < k; s++)
            for (int o = 0; o < outs; o++) {
                const double *v = nd->op == SLAB_SPEC_IND ? r->mv[s].outs[id] + (size_t)o * n
                                                          : r->mv[s].values[id];
                long j = 0;
                while ((size_t)j < n && isnan(v[j]))
                    j++;
                if (j > warm)
                    warm = j;
            }
    }
    /* With pair_selection no rule runs before the formation has ended:
     * the pair is known from that bar on, never earlier. */
    if (r->pair[0] >= 0 && r->formation_bars > warm)
        warm = r->formation_bars;
    r->warmup = warm;
    r->n_bars = (long)n;
    slab_ctx_set_warmup(ctx, warm);
    slab_timeframe tf = slab_ctx_timeframe(ctx, &comp); /* comp is set by this call */
    r->ppy = periods_per_year(tf, comp);
    for (size_t j = 0; k > 1 && j < r->spec->n_risk; j++)
        if (strcmp(r->spec->risk[j].key, "allow_pyramiding"))
            return slab_fail(ctx, "risk_management item %s (%s) is not run on a universe yet: the "
                                  "engine's risk manager protects the first feed only; remove it "
                                  "or run one symbol",
                             r->spec->risk[j].key, r->spec->risk[j].pointer);
    for (size_t j = 0; j < r->spec->n_risk; j++)
        if (slab_set_risk(ctx, r->spec->risk[j].key, r->spec->risk[j].value) != 0)
            return -1;
    /* rebalance adds to and trims held positions. */
    if (rebalance && slab_set_risk(ctx, "allow_pyramiding", "true") != 0)
        return -1;
    for (size_t j = 0; j < p->n_rules; j++) {
        rule_stats *st = &r->stats[j];
        memset(st, 0, sizeof *st);
        st->first_true_bar = -1;
        add_leaf(p, st, p->rules[j].trigger);
    }
    r->prev_pos = 0.0;
    r->entry_bar = -1;
    for (size_t s = 0; s < k; s++)
        r->mentry_bar[s] = -1;
    return 0;
}

/* Dynamic nodes of member s at bar i into its scratch. */
static void member_dynamic(slab_spec_run *r, slab_ctx *ctx, size_t s, long i)
{
    const slab_spec_program *p = &r->spec->program;
    double *sc = r->mscratch + s * (p->n_nodes + 1);
    int f = r->feed_of[s];
    double pos = slab_feed_position(ctx, f);
    for (size_t id = 0; id < p->n_nodes; id++) {
        const slab_spec_node *nd = &p->nodes[id];
        if (!nd->dynamic)
            continue;
        if (nd->op == SLAB_SPEC_STATE) {
            double v = 0.0;
            switch (nd->kind) {
            case SLAB_SPEC_STATE_POSITION: v = pos; break;
            case SLAB_SPEC_STATE_ENTRY_PRICE: v = slab_ctx_feed_position_price(ctx, f); break;
            case SLAB_SPEC_STATE_BARS_HELD:
                v = pos != 0.0 ? (double)(i - r->mentry_bar[s]) : 0.0;
                break;
            case SLAB_SPEC_STATE_CASH: v = slab_cash(ctx); break;
            default: v = slab_value(ctx); break;
            }
            sc[id] = v;
            continue;
        }
        for (int a = 0; a < nd->n_args; a++)
            if (!p->nodes[nd->arg[a]].dynamic)
                sc[nd->arg[a]] = r->mv[s].values[nd->arg[a]][i];
        sc[id] = slab__spec_eval_scalar(nd, sc);
    }
}

/* next() over a universe: the rules in plan order; a member rule acts on
 * each member whose trigger holds and which no earlier rule acted on this
 * bar (member order); a rebalance rule whose trigger holds for any member
 * rebalances them all and ends the bar. */
static void next_universe(slab_spec_run *r, slab_ctx *ctx, long i)
{
    const slab_spec_program *p = &r->spec->program;
    size_t stride = p->n_nodes + 1;
    for (size_t s = 0; s < r->k; s++) {
        double pos = slab_feed_position(ctx, r->feed_of[s]);
        if (pos != 0.0 && (r->mprev_pos[s] == 0.0 || (pos > 0.0) != (r->mprev_pos[s] > 0.0)))
            r->mentry_bar[s] = i;
        r->mprev_pos[s] = pos;
        r->done[s] = 0;
        if (r->has_dynamic)
            member_dynamic(r, ctx, s, i);
    }
    for (size_t j = 0; j < p->n_rules; j++) {
        const slab_spec_rule *rule = &p->rules[j];
        rule_stats *st = &r->stats[j];
        int any = 0;
        for (size_t s = 0; s < r->k; s++) {
            r->cur = s;
            r->scratch = r->mscratch + s * stride;
            double t = value_at(r, rule->trigger, i);
            st->bars_evaluated++;
            for (int l = 0; l < st->n_leaves; l++)
                observe(r, &st->leaves[l], i);
            if (t != 1.0)
                continue;
            st->bars_true++;
            if (st->first_true_bar < 0)
                st->first_true_bar = i;
            if (rule->action == SLAB_SPEC_REBALANCE) {
                any = 1;
                continue;
            }
            if (r->done[s])
                continue;
            int res = act_member(r, ctx, rule, i);
            if (res < 0)
                st->blocked++;
            else if (res == 0)
                st->sized_zero++;
            else
                st->orders++, r->done[s] = 1;
        }
        if (rule->action == SLAB_SPEC_REBALANCE && any) {
            unsigned char *sel = r->done; /* reused: which members hold */
            for (size_t s = 0; s < r->k; s++) {
                r->cur = s;
                r->scratch = r->mscratch + s * stride;
                sel[s] = value_at(r, rule->trigger, i) == 1.0;
            }
            st->orders += rebalance(r, ctx, rule, sel, i);
            break;
        }
    }
    r->cur = 0;
    r->scratch = r->mscratch;
}

static void spec_next(slab_ctx *ctx, void *state)
{
    (void)state;
    slab_spec_run *r = (slab_spec_run *)slab_ctx_strategy_arg(ctx);
    const slab_spec_program *p = &r->spec->program;
    long i = slab_bar(ctx);
    if (r->k > 1) {
        next_universe(r, ctx, i);
        return;
    }
    double pos = slab_position_size(ctx);
    if (pos != 0.0 && (r->prev_pos == 0.0 || (pos > 0.0) != (r->prev_pos > 0.0)))
        r->entry_bar = i;
    r->prev_pos = pos;
    if (r->has_dynamic)
        for (size_t id = 0; id < p->n_nodes; id++) {
            const slab_spec_node *nd = &p->nodes[id];
            if (!nd->dynamic)
                continue;
            if (nd->op == SLAB_SPEC_STATE) {
                double v = 0.0;
                switch (nd->kind) {
                case SLAB_SPEC_STATE_POSITION: v = pos; break;
                case SLAB_SPEC_STATE_ENTRY_PRICE: v = slab_position_price(ctx); break;
                case SLAB_SPEC_STATE_BARS_HELD: v = pos != 0.0 ? (double)(i - r->entry_bar) : 0.0; break;
                case SLAB_SPEC_STATE_CASH: v = slab_cash(ctx); break;
                default: v = slab_value(ctx); break;
                }
                r->scratch[id] = v;
                continue;
            }
            for (int k = 0; k < nd->n_args; k++)
                if (!p->nodes[nd->arg[k]].dynamic)
                    r->scratch[nd->arg[k]] = r->mv[0].values[nd->arg[k]][i];
            r->scratch[id] = slab__spec_eval_scalar(nd, r->scratch);
        }
    int sent = 0;
    for (size_t k = 0; k < p->n_rules; k++) {
        const slab_spec_rule *rule = &p->rules[k];
        rule_stats *st = &r->stats[k];
        double t = value_at(r, rule->trigger, i);
        st->bars_evaluated++;
        for (int j = 0; j < st->n_leaves; j++)
            observe(r, &st->leaves[j], i);
        if (t != 1.0)
            continue;
        st->bars_true++;
        if (st->first_true_bar < 0)
            st->first_true_bar = i;
        if (sent)
            continue;
        int res = act(r, ctx, rule, i);
        if (res < 0)
            st->blocked++;
        else if (res == 0)
            st->sized_zero++;
        else
            st->orders++, sent = 1;
    }
}

/* ---- public ---------------------------------------------------------------------------- */

slab_status slab_spec_run_new(const slab_spec *s, slab_spec_run **out, slab_error *err)
{
    slab_spec_run *r = slab_calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the spec run");
    r->spec = s;
    r->stats = slab_calloc(s->program.n_rules + 1, sizeof *r->stats);
    if (!r->stats) {
        slab_spec_run_free(r);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the spec run");
    }
    for (size_t id = 0; id < s->program.n_nodes; id++)
        r->has_dynamic |= s->program.nodes[id].dynamic;
    r->allow_pyramiding = s->program.risk.allow_pyramiding;
    r->pair[0] = r->pair[1] = -1;
    r->pair_ssd = NAN;
    r->def.abi = SLAB_STRATEGY_ABI;
    r->def.name = s->name;
    r->def.summary = "a strategy spec (spec.json)";
    r->def.state_size = 1;
    r->def.init = spec_init;
    r->def.next = spec_next;
    *out = r;
    return SLAB_OK;
}

void slab_spec_run_free(slab_spec_run *r)
{
    if (!r)
        return;
    for (size_t s = 0; s < r->k; s++)
        slab__spec_values_free(&r->mv[s]);
    slab_free(r->mv);
    slab_free(r->mscratch);
    slab_free(r->mprev_pos);
    slab_free(r->mentry_bar);
    slab_free(r->done);
    slab_free(r->stats);
    slab_free(r);
}

void slab_spec_run_setup(slab_spec_run *r, slab_run_config *cfg)
{
    cfg->strategy = &r->def;
    cfg->params = NULL;
    cfg->strategy_arg = r;
    r->sizer = cfg->broker.sizer;
}

static json_t *num(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static json_t *when(const slab_bars *bars, long i)
{
    char buf[40];
    if (i < 0 || (size_t)i >= bars->n)
        return json_null();
    return json_string(slab_bars_format_time(bars->ts_ns[i], buf, sizeof buf));
}

static const char *action_name(slab_spec_action a)
{
    static const char *const names[] = {"buy", "sell", "short", "cover", "close", "rebalance"};
    return (unsigned)a < 6 ? names[a] : "?";
}

static const char *op_text(slab_spec_op op)
{
    switch (op) {
    case SLAB_SPEC_LT: return "<";
    case SLAB_SPEC_LE: return "<=";
    case SLAB_SPEC_GT: return ">";
    case SLAB_SPEC_GE: return ">=";
    case SLAB_SPEC_EQ: return "==";
    default: return "!=";
    }
}

static json_t *leaf_json(const slab_spec_run *r, const leaf *l, const slab_bars *bars)
{
    const slab_spec_program *p = &r->spec->program;
    const slab_spec_node *n = &p->nodes[l->node];
    json_t *o = json_object();
    json_object_set_new(o, "condition", json_string(n->text ? n->text : "(condition)"));
    json_object_set_new(o, "bars_known", json_integer(l->bars_known));
    json_object_set_new(o, "bars_true", json_integer(l->bars_true));
    if (l->kind == 2)
        json_object_set_new(o, "kind", json_string(p->nodes[l->node].op == SLAB_SPEC_GT
                                                       ? "crossover"
                                                       : "crossunder"));
    else if (l->kind == 1)
        json_object_set_new(o, "kind", json_string(op_text(l->op)));
    if (l->kind && l->best_bar >= 0 && l->bars_true == 0) {
        json_t *c = json_object();
        json_object_set_new(c, "gap", num(l->best_gap));
        double scale = fmax(fabs(l->best_a), fabs(l->best_b));
        json_object_set_new(c, "gap_relative", scale > 0.0 ? num(l->best_gap / scale) : json_null());
        json_object_set_new(c, "time", when(bars, l->best_bar));
        json_object_set_new(c, "left", num(l->best_a));
        json_object_set_new(c, "right", num(l->best_b));
        const slab_spec_node *a = &p->nodes[l->a], *b = &p->nodes[l->b];
        json_object_set_new(c, "left_text", json_string(a->text ? a->text : ""));
        json_object_set_new(c, "right_text", json_string(b->text ? b->text : ""));
        json_object_set_new(o, "closest", c);
    }
    return o;
}

json_t *slab_spec_run_json(const slab_spec_run *r, const slab_bars *bars)
{
    const slab_spec *s = r->spec;
    const slab_spec_program *p = &s->program;
    json_t *o = json_object(), *rules = json_array();
    json_object_set_new(o, "name", json_string(s->name));
    json_object_set_new(o, "sha256", json_string(s->sha256));
    json_object_set_new(o, "conventions", json_string(s->settings.conventions));
    json_object_set_new(o, "nodes", json_integer((json_int_t)p->n_nodes));
    json_object_set_new(o, "warmup_bars", json_integer(r->warmup));
    json_object_set_new(o, "first_rule_bar", when(bars, r->warmup));
    json_object_set_new(o, "bars", json_integer(r->n_bars));
    if (r->k > 1 && r->mv && r->mv[0].values) {
        json_t *mem = json_array();
        for (size_t m = 0; m < r->k; m++)
            json_array_append_new(mem, json_string(r->member_sym[m]));
        json_object_set_new(o, "members", mem);
    }
    if (s->settings.pair_selection) {
        json_t *ps = json_object();
        json_object_set_new(ps, "method", json_string("min_distance"));
        json_t *pr = json_array();
        if (r->pair[0] >= 0) {
            json_array_append_new(pr, json_string(r->pair_sym[0]));
            json_array_append_new(pr, json_string(r->pair_sym[1]));
        }
        json_object_set_new(ps, "pair", r->pair[0] >= 0 ? pr : (json_decref(pr), json_null()));
        json_object_set_new(ps, "formation_bars", json_integer(r->formation_bars));
        json_object_set_new(ps, "ssd", num(r->pair_ssd));
        json_object_set_new(o, "pair_selection", ps);
    }
    for (size_t k = 0; k < p->n_rules; k++) {
        const rule_stats *st = &r->stats[k];
        json_t *j = json_object(), *leaves = json_array();
        json_object_set_new(j, "pointer", json_string(p->rules[k].pointer));
        json_object_set_new(j, "trigger", json_string(p->rules[k].text));
        json_object_set_new(j, "action", json_string(action_name(p->rules[k].action)));
        json_object_set_new(j, "bars_evaluated", json_integer(st->bars_evaluated));
        json_object_set_new(j, "bars_true", json_integer(st->bars_true));
        json_object_set_new(j, "first_true", when(bars, st->first_true_bar));
        json_object_set_new(j, "orders", json_integer(st->orders));
        json_object_set_new(j, "blocked", json_integer(st->blocked));
        json_object_set_new(j, "sized_zero", json_integer(st->sized_zero));
        for (int l = 0; l < st->n_leaves; l++)
            json_array_append_new(leaves, leaf_json(r, &st->leaves[l], bars));
        json_object_set_new(j, "conditions", leaves);
        json_array_append_new(rules, j);
    }
    json_object_set_new(o, "rules", rules);
    return o;
}

void slab_spec_apply_settings(const slab_spec *s, slab_broker_config *broker, const int given[2])
{
    if (s->settings.has_cash && !given[0])
        broker->cash = s->settings.cash;
    if (s->settings.has_commission && !given[1])
        broker->commission = s->settings.commission;
}
