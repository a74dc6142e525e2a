/* spec_program.h: the compiled form of a strategy spec, for anyone who turns
 * a spec into something else (codegen writes C from it; tests and fuzzers
 * inspect it). A spec compiles to two parts:
 *   - a DAG of nodes (the indicator graph): every expression of the spec,
 *     with equal subexpressions shared, in topological order (a node's
 *     operands always have smaller ids). Static nodes depend on the bars
 *     only and are evaluated once over whole arrays; dynamic nodes read the
 *     broker (position, cash ...) and are evaluated bar by bar in next().
 *   - a rule program: the execution plan's entries in order, each a trigger
 *     node, an action and a sizing, plus the risk settings for the engine's
 *     risk manager.
 * Semantics a re-implementation must follow to give identical results:
 *   - Values are doubles; booleans are 1.0 / 0.0; NaN means "no value yet"
 *     (warm-up) or undefined. Arithmetic is IEEE, in the order written.
 *     Comparisons give NaN when an operand is NaN. and/or/not are Kleene's:
 *     false and x = false, true or x = true, otherwise NaN propagates.
 *     if(c, a, b) is NaN when c is NaN.
 *   - LAG k reads the value k bars back (NaN before bar k). No node reads a
 *     later bar: value i depends on bars 0..i only.
 *   - Warm-up (backtrader's minimum period): next() runs from the first bar
 *     at which every static node that is not a constant has had a value
 *     (the largest first-non-NaN index over those nodes).
 *   - Each bar, the rules are tried in order; a NaN trigger is false. The
 *     first rule whose trigger holds and whose action applies sends its
 *     order and ends the bar (an if/elif chain). Actions apply when:
 *     buy: position <= 0 (flat with no order in flight, or short: the order
 *     covers the short and opens the long); sell: position > 0 (sells it
 *     all); short: position >= 0 (mirror of buy); cover: position < 0;
 *     close: position != 0. With allow_pyramiding, buy/short also apply
 *     while already long/short (adding).
 *   - Sizes: see slab_spec_sizing. All orders are market orders.
 * Universes (a run over several feeds; docs/spec.md, Universes): every
 * static node is evaluated once per member on its own bars (the members
 * share feed 0's bar times), XSECT nodes across the members at each bar;
 * STATE position/entry_price/bars_held are the member's. Each bar the rules
 * are tried in plan order: a member rule acts on every member whose trigger
 * holds and on which no earlier rule acted this bar (member order, no
 * in-flight check); a REBALANCE rule whose trigger holds for any member
 * gives the members where it holds equal shares of its percent of the
 * equity, closes the others (reductions first, then additions, each
 * difference sized floor(difference / close) as Python's float //), and
 * ends the bar.
 * Owned by the slab_spec that compiled it; valid until slab_spec_free(). */
#ifndef STRATLAB_SPEC_PROGRAM_H
#define STRATLAB_SPEC_PROGRAM_H

#include "stratlab/ind.h"
#include "stratlab/risk.h"

/* Node operations. Operand ids are in arg[0..n_args-1]. */
typedef enum slab_spec_op {
    SLAB_SPEC_CONST = 0, /* value */
    SLAB_SPEC_COLUMN,    /* a bar column: column = SLAB_OPEN .. SLAB_VOLUME */
    SLAB_SPEC_CLOCK,     /* calendar value of the bar's time: clock = SLAB_SPEC_CLOCK_* */
    SLAB_SPEC_IND,       /* an indicator of the table: ind, params; its inputs are
                            arg[0..ind->n_inputs-1]; has ind->n_outputs outputs */
    SLAB_SPEC_FIELD,     /* output `output` of the IND node arg[0] */
    SLAB_SPEC_LAG,       /* arg[0] `lag` bars ago (lag >= 1) */
    SLAB_SPEC_NEG,       /* -a */
    SLAB_SPEC_ADD,       /* a + b */
    SLAB_SPEC_SUB,       /* a - b */
    SLAB_SPEC_MUL,       /* a * b */
    SLAB_SPEC_DIV,       /* a / b (IEEE: x/0 is +-inf, 0/0 NaN) */
    SLAB_SPEC_POW,       /* pow(a, b) */
    SLAB_SPEC_LT,        /* a < b, NaN if either is NaN */
    SLAB_SPEC_LE,
    SLAB_SPEC_GT,
    SLAB_SPEC_GE,
    SLAB_SPEC_EQ,
    SLAB_SPEC_NE,
    SLAB_SPEC_AND,       /* Kleene and */
    SLAB_SPEC_OR,        /* Kleene or */
    SLAB_SPEC_NOT,
    SLAB_SPEC_IF,        /* c ? a : b, NaN when c is NaN */
    SLAB_SPEC_FUNC,      /* a math function of arg[0] (and arg[1]): func = SLAB_SPEC_FN_* */
    SLAB_SPEC_SESSION,   /* a per-day (session) aggregate: session = SLAB_SPEC_SESS_*;
                            a day is a calendar date of the bars' clock */
    SLAB_SPEC_XSECT,     /* cross-sectional, across the universe at each bar:
                            xsect = SLAB_SPEC_XS_* (NaN members are skipped) */
    SLAB_SPEC_STATE      /* broker state at this bar (dynamic): state = SLAB_SPEC_STATE_* */
} slab_spec_op;

/* CLOCK values, from the bar's timestamp (the bars' own clock). */
enum {
    SLAB_SPEC_CLOCK_TIME = 0, /* minutes since midnight, with fractions (09:35 = 575) */
    SLAB_SPEC_CLOCK_DAY,      /* day number since 1970-01-01 (slab_ts_day) */
    SLAB_SPEC_CLOCK_WEEKDAY,  /* ISO weekday, 1 = Monday .. 7 */
    SLAB_SPEC_CLOCK_MONTH,    /* 1..12 */
    SLAB_SPEC_CLOCK_YEAR
};

/* FUNC kinds. */
enum {
    SLAB_SPEC_FN_ABS = 0,
    SLAB_SPEC_FN_LOG,   /* natural log */
    SLAB_SPEC_FN_EXP,
    SLAB_SPEC_FN_SQRT,
    SLAB_SPEC_FN_SIGN,  /* -1, 0, +1 (NaN stays NaN) */
    SLAB_SPEC_FN_LEAST, /* fmin-like of two, NaN if either is NaN */
    SLAB_SPEC_FN_GREATEST
};

/* SESSION kinds (the running value within the bar's day, bars 0..i). */
enum {
    SLAB_SPEC_SESS_MAX = 0,  /* max of arg[0] over today's bars where arg[1] held */
    SLAB_SPEC_SESS_MIN,      /* min, likewise */
    SLAB_SPEC_SESS_COUNT,    /* how many of today's bars so far had arg[0] true */
    SLAB_SPEC_SESS_FIRST,    /* arg[0] at today's first bar */
    SLAB_SPEC_SESS_PREV_LAST /* arg[0] at the last bar of the previous day (NaN on the first) */
};

/* XSECT kinds. */
enum {
    SLAB_SPEC_XS_RANK = 0, /* (members strictly below + half the ties) / (members - 1),
                              in [0, 1]; 0.5 when there is one member */
    SLAB_SPEC_XS_ZSCORE,   /* (x - mean) / population sd across members; 0 when sd = 0 */
    SLAB_SPEC_XS_MEAN      /* the mean across members (x - cs_mean(x): a pair's spread) */
};

/* STATE values (dynamic: read from the broker each bar). */
enum {
    SLAB_SPEC_STATE_POSITION = 0, /* signed shares held in the traded symbol */
    SLAB_SPEC_STATE_ENTRY_PRICE,  /* average entry price, 0 when flat */
    SLAB_SPEC_STATE_BARS_HELD,    /* bars since the position was opened (0 on the fill bar;
                                     0 when flat) */
    SLAB_SPEC_STATE_CASH,
    SLAB_SPEC_STATE_EQUITY        /* portfolio value at this bar's close */
};

/* Value types. */
enum { SLAB_SPEC_NUM = 1, SLAB_SPEC_BOOL = 2, SLAB_SPEC_MULTI = 3 };

typedef struct slab_spec_node {
    slab_spec_op op;
    int type;                         /* SLAB_SPEC_NUM, _BOOL, or _MULTI (IND nodes) */
    int n_args;
    int arg[SLAB_IND_MAX_INPUTS];     /* operand node ids, all < this node's id */
    double value;                     /* CONST */
    int kind;                         /* COLUMN: column id; CLOCK/FUNC/SESSION/XSECT/STATE:
                                         the SLAB_SPEC_* kind; FIELD: output index; LAG: bars */
    const slab_ind_def *ind;          /* IND: the table entry */
    double params[SLAB_IND_MAX_PARAMS]; /* IND: every parameter, table order, defaults filled */
    int dynamic;                      /* 1: depends on STATE; evaluated bar by bar */
    int used;                         /* 1: a rule, a sizing or a named definition reaches
                                         it; others (constants folded into parameters) are
                                         never computed */
    int warmup;                       /* bars before the first value, as the lookbacks
                                         predict (for checks; the run measures the real one) */
    double lo, hi;                    /* range the value is known to stay in (-inf..inf) */
    const char *text;                 /* where it was first written, e.g. "RSI(close, 14)";
                                         NULL for nodes the compiler made itself */
} slab_spec_node;

/* Actions of the execution plan. */
typedef enum slab_spec_action {
    SLAB_SPEC_BUY = 0,
    SLAB_SPEC_SELL,
    SLAB_SPEC_SHORT,
    SLAB_SPEC_COVER,
    SLAB_SPEC_CLOSE,
    SLAB_SPEC_REBALANCE
} slab_spec_action;

/* How an entry is sized (exits always trade the whole position). equity is
 * the portfolio value at this bar's close (= cash when flat), close the
 * traded symbol's close at this bar. */
typedef enum slab_spec_sizing_kind {
    SLAB_SPEC_SIZE_RUN = 0,        /* the run's sizer (slab_buy(ctx, 0)), bit for bit
                                      backtrader's PercentSizer when flat */
    SLAB_SPEC_SIZE_PERCENT_EQUITY, /* equity / close * (value / 100) */
    SLAB_SPEC_SIZE_FIXED_SHARES,   /* value shares */
    SLAB_SPEC_SIZE_FIXED_CASH,     /* value / close */
    SLAB_SPEC_SIZE_VOL_TARGET      /* equity * min(max_percent/100, value / vol) / close,
                                      vol = node `vol_node` at this bar (annualised) */
} slab_spec_sizing_kind;

typedef struct slab_spec_sizing {
    slab_spec_sizing_kind kind;
    double value;       /* percent, shares, cash, or the annual volatility target (0.15) */
    double max_percent; /* VOL_TARGET: largest position, percent of equity (default 100) */
    int lookback;       /* VOL_TARGET: bars of returns in the volatility */
    int vol_node;       /* VOL_TARGET: node id of the annualised volatility, else -1 */
    int whole_shares;   /* 1: truncate to whole shares */
} slab_spec_sizing;

typedef struct slab_spec_rule {
    int trigger;             /* node id of the boolean trigger */
    slab_spec_action action;
    slab_spec_sizing sizing;
    const char *pointer;     /* "/execution_plan/0" */
    const char *text;        /* the trigger as written */
} slab_spec_rule;

typedef struct slab_spec_program {
    const slab_spec_node *nodes; /* n_nodes, topological order */
    size_t n_nodes;
    const slab_spec_rule *rules; /* n_rules, in the plan's order */
    size_t n_rules;
    slab_risk_config risk;       /* from risk_management (risk.h); set in init()
                                    through slab_set_risk, so a run that sets the same
                                    item differently is refused */
    int warmup;                  /* largest node warm-up the lookbacks predict */
} slab_spec_program;

#endif
