/* test_spec_expr.c: what expressions compute, on small series whose every
 * value is worked out by hand in the comments: arithmetic, lags, NaN
 * through comparisons, Kleene and/or/not, if, math functions, rolling
 * functions (through the indicator table), crossover/crossunder as
 * backtrader's CrossOver, multi-output fields and their aliases, calendar
 * and session values, cross-sectional values across a universe; and that
 * equal subexpressions share one node, named and positional parameters
 * mean the same, and "conventions" switches SMA between backtrader's and
 * TA-Lib's. */
#include "slab_test.h"

#include "spec/spec_int.h"
#include "stratlab/data.h"
#include "stratlab/spec.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define N 7
/* close 10 11 12 11 10 12 13, daily from Monday 2024-01-01 (weekends
 * included: these are calendar days). open = close - 0.5, high = close + 1,
 * low = close - 1, volume 100.. */
static const double closes[N] = {10, 11, 12, 11, 10, 12, 13};

static slab_bars *daily(void)
{
    slab_error err;
    slab_bars *b = slab_bars_new(N);
    int64_t d0 = slab_days_from_civil(2024, 1, 1);
    for (int i = 0; i < N; i++)
        assert_int_equal(slab_bars_push(b, (d0 + i) * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS,
                                        closes[i] - 0.5, closes[i] + 1, closes[i] - 1, closes[i],
                                        100 + i, 0, &err),
                         SLAB_OK);
    return b;
}

/* Two sessions of three 1-minute bars: 09:30 09:31 09:32 each day; high
 * 5 7 6 | 4 8 9, close = high - 1, open = low = close - 1. */
static slab_bars *intraday(void)
{
    slab_error err;
    static const double highs[6] = {5, 7, 6, 4, 8, 9};
    slab_bars *b = slab_bars_new(6);
    int64_t d0 = slab_days_from_civil(2024, 3, 4);
    for (int i = 0; i < 6; i++) {
        int64_t ts = (d0 + i / 3) * SLAB_NS_PER_DAY + (570 + i % 3) * 60 * SLAB_NS_PER_SEC;
        double c = highs[i] - 1;
        assert_int_equal(slab_bars_push(b, ts, c - 1, highs[i], c - 1, c, 10, 0, &err), SLAB_OK);
    }
    b->timeframe = SLAB_TF_MINUTES;
    b->compression = 1;
    return b;
}

/* Compiles "x = expr" (plus a trivial rule) with the given conventions. */
static slab_spec *spec_of(const char *expr, const char *conventions)
{
    char text[2048];
    slab_diags d;
    slab_spec *s = NULL;
    snprintf(text, sizeof text,
             "{\"strategy_name\": \"t\", \"conventions\": \"%s\", \"logic_pipeline\": "
             "[{\"expression\": \"%s\", \"output\": \"x\"}], \"execution_plan\": [{\"trigger\": "
             "\"true\", \"action\": \"buy\"}]}",
             conventions, expr);
    slab_diags_init(&d);
    if (slab_spec_compile(text, strlen(text), &s, &d) != SLAB_OK)
        fail_msg("%s: %s", expr, d.n ? d.items[0].message : "?");
    slab_diags_clear(&d);
    return s;
}

/* Evaluates expr over bars into out (bars->n values). */
static void eval(const char *expr, const slab_bars *b, double *out)
{
    slab_spec *s = spec_of(expr, "backtrader");
    slab_error err;
    spec_values v;
    const double *cols[SLAB_N_COLUMNS] = {b->open, b->high, b->low, b->close, b->volume, b->oi};
    assert_int_equal(slab__spec_eval(slab_spec_program_get(s), cols, b->ts_ns, b->n, &v, &err),
                     SLAB_OK);
    int id = slab__find_def(s, "x")->node;
    memcpy(out, v.values[id], b->n * sizeof *out);
    slab__spec_values_free(&v);
    slab_spec_free(s);
}

typedef struct row {
    const char *expr;
    double want[N]; /* hand-computed; NAN = no value */
} row;

static void check_rows(const row *rows, size_t n, const slab_bars *b)
{
    double got[N];
    for (size_t r = 0; r < n; r++) {
        eval(rows[r].expr, b, got);
        for (size_t i = 0; i < b->n; i++) {
            char what[160];
            snprintf(what, sizeof what, "%s", rows[r].expr);
            slab_test_expect_close(what, (long)i, got[i], rows[r].want[i], 1e-12, 1e-12);
        }
    }
    print_message("%zu expressions agree with their hand-computed values\n", n);
}

static void daily_values(void **state)
{
    (void)state;
    const double X = NAN, INF = INFINITY;
    static row rows[32];
    size_t n = 0;
#define R(e, ...) rows[n++] = (row){e, {__VA_ARGS__}}
    R("close - close[-1]", X, 1, 1, -1, -1, 2, 1);
    R("close[-2]", X, X, 10, 11, 12, 11, 10);
    R("close[-1][-1]", X, X, 10, 11, 12, 11, 10);           /* lags add up */
    R("if(close > close[-1], 1, 0)", X, 1, 1, 0, 0, 1, 1);  /* NaN condition: NaN */
    /* close > 11: 0 0 1 0 0 1 1; close[-1] > 10: X 0 1 1 1 0 1. Kleene and:
     * false and unknown is false. */
    R("if(close > 11 and close[-1] > 10, 1, 0)", 0, 0, 1, 0, 0, 0, 1);
    /* Kleene or: false or unknown is unknown, true or anything is true. */
    R("if(close > 11 or close[-1] > 10, 1, 0)", X, 0, 1, 1, 1, 1, 1);
    R("if(not (close > close[-1]), 1, 0)", X, 0, 0, 1, 1, 0, 0);
    R("if(close > 11, close, -close)", -10, -11, 12, -11, -10, 12, 13);
    R("max(close, 3)", X, X, 12, 12, 12, 12, 13);
    R("min(close, 3)", X, X, 10, 11, 10, 10, 10);
    R("mean(close, 2)", X, 10.5, 11.5, 11.5, 10.5, 11, 12.5);
    R("sum(close, 2)", X, 21, 23, 23, 21, 22, 25);
    R("2 ^ 3 + close * 0", 8, 8, 8, 8, 8, 8, 8);
    R("-2 ^ 2", -4, -4, -4, -4, -4, -4, -4);                /* ^ binds tighter than - */
    R("abs(close - 11.5)", 1.5, 0.5, 0.5, 0.5, 1.5, 0.5, 1.5);
    R("sign(close - close[-1])", X, 1, 1, -1, -1, 1, 1);
    R("least(close, 11)", 10, 11, 11, 11, 10, 11, 11);
    R("greatest(close, 11)", 11, 11, 12, 11, 11, 12, 13);
    R("close / (close - close)", INF, INF, INF, INF, INF, INF, INF);
    /* close - 11 = -1 0 1 0 -1 1 2. CrossOver: +1 when the last non-zero
     * difference was < 0 and now > 0; first value at index 1. */
    R("if(crossover(close, 11), 1, 0)", X, 0, 1, 0, 0, 1, 0);
    R("if(crossunder(close, 11), 1, 0)", X, 0, 0, 0, 1, 0, 0);
    R("CrossOver(close, 11)", X, 0, 1, 0, -1, 1, 0);
    /* Bollinger, backtrader's: mid = mean of 2, sd = |E[x^2] - E[x]^2|^0.5:
     * (10,11): 110.5 - 110.25 = .25 -> .5, top = 10.5 + 2*.5 = 11.5;
     * (11,12) and (12,11): 132.5 - 132.25 -> top 12.5; (11,10): 11.5;
     * (10,12): 122 - 121 = 1 -> sd 1, top 11 + 2 = 13; (12,13): 13.5. */
    R("BBANDS(close, 2, 2).top", X, 11.5, 12.5, 12.5, 11.5, 13, 13.5);
    R("BBANDS(close, 2, 2).upper", X, 11.5, 12.5, 12.5, 11.5, 13, 13.5);
    R("BBANDS(close, 2, 2).bot", X, 9.5, 10.5, 10.5, 9.5, 9, 11.5);
    R("BBANDS(close, period=2, devfactor=2).mid - mean(close, 2)", X, 0, 0, 0, 0, 0, 0);
    /* 2024-01-01 is a Monday. */
    R("weekday", 1, 2, 3, 4, 5, 6, 7);
    R("month * 10000 + year", 12024, 12024, 12024, 12024, 12024, 12024, 12024);
    R("day - day[-1]", X, 1, 1, 1, 1, 1, 1);
    R("if(close >= 11 and close <= 12 and close != 12 and close == 11, 1, 0)", 0, 1, 0, 1, 0, 0,
      0);
#undef R
    slab_bars *b = daily();
    check_rows(rows, n, b);
    slab_bars_free(b);
}

static void session_values(void **state)
{
    (void)state;
    const double X = NAN;
    static row rows[8];
    size_t n = 0;
#define R(e, ...) rows[n++] = (row){e, {__VA_ARGS__}}
    /* time 09:30 09:31 09:32 each day = 570 571 572 minutes */
    R("time", 570, 571, 572, 570, 571, 572);
    /* high 5 7 6 | 4 8 9; bars before 09:32: 5, 7 | 4, 8 */
    R("session_max(high, time < 9:32)", 5, 7, 7, 4, 8, 8);
    R("session_min(high)", 5, 5, 5, 4, 4, 4);
    /* high > 5: 0 1 1 | 0 1 1, counted within each day */
    R("session_count(high > 5)", 0, 1, 2, 0, 1, 2);
    R("session_first(high)", 5, 5, 5, 4, 4, 4);
    R("prev_session_last(high)", X, X, X, 6, 6, 6);
#undef R
    slab_bars *b = intraday();
    check_rows(rows, n, b);
    slab_bars_free(b);
}

/* The definition x's node of a compiled spec. */
static int node_of(const char *expr, const char *conv, const slab_ind_def **ind)
{
    slab_spec *s = spec_of(expr, conv);
    const slab_spec_program *p = slab_spec_program_get(s);
    int id = slab__find_def(s, "x")->node;
    const slab_spec_node *nd = &p->nodes[id];
    *ind = nd->op == SLAB_SPEC_FIELD ? p->nodes[nd->arg[0]].ind : NULL;
    slab_spec_free(s);
    return id;
}

static void sharing_and_conventions(void **state)
{
    (void)state;
    const slab_ind_def *ind;
    /* One node however RSI is written. */
    const char *spec = "{\"strategy_name\": \"t\", \"logic_pipeline\": ["
                       "{\"expression\": \"RSI(close, 14)\", \"output\": \"a\"},"
                       "{\"expression\": \"RSI(close, period=14)\", \"output\": \"b\"},"
                       "{\"expression\": \"RSI(14)\", \"output\": \"c\"},"
                       "{\"expression\": \"RelativeStrengthIndex(close, timeperiod=14)\", \"output\": \"d\"},"
                       "{\"expression\": \"RSI(close, 14) > 70 or RSI(close, 14) < 30\", \"output\": \"e\"}],"
                       " \"execution_plan\": [{\"trigger\": \"e and a > b - 1 and c >= d\", \"action\": \"buy\"}]}";
    slab_diags d;
    slab_spec *s = NULL;
    slab_diags_init(&d);
    assert_int_equal(slab_spec_compile(spec, strlen(spec), &s, &d), SLAB_OK);
    int a = slab__find_def(s, "a")->node;
    assert_int_equal(slab__find_def(s, "b")->node, a);
    assert_int_equal(slab__find_def(s, "c")->node, a);
    assert_int_equal(slab__find_def(s, "d")->node, a);
    size_t inds = 0;
    const slab_spec_program *p = slab_spec_program_get(s);
    for (size_t id = 0; id < p->n_nodes; id++)
        inds += p->nodes[id].op == SLAB_SPEC_IND;
    assert_int_equal(inds, 1); /* RSI is computed once */
    slab_spec_free(s);
    slab_diags_clear(&d);
    /* backtrader's SMA by default, TA-Lib's with "conventions": "talib". */
    node_of("SMA(close, 20)", "backtrader", &ind);
    assert_string_equal(ind->name, "SMA_BT");
    node_of("SMA(close, 20)", "talib", &ind);
    assert_string_equal(ind->name, "SMA");
    node_of("MACD(close).signal", "talib", &ind);
    assert_string_equal(ind->name, "MACD");
    node_of("bt.indicators.SMA(close, 20)", "backtrader", &ind);
    assert_string_equal(ind->name, "SMA_BT");
    node_of("SMA_BT(close, 20)", "talib", &ind); /* an explicit form stays */
    assert_string_equal(ind->name, "SMA_BT");
}

/* Cross-sectional functions over a universe of three members, 4 bars
 * (slab__spec_eval_multi). x = close, except NaN where close is 40:
 *   A: 10 20 30 NaN    B: 20 20 10 50    C: 30 20 20 60
 * bar 0: 10 20 30: rank (below + ties/2) / (m - 1) = 0, 1/2, 2/2; mean 20;
 *        population sd sqrt((100 + 0 + 100) / 3), z = -10/sd, 0, +10/sd
 * bar 1: all 20: rank (0 + 2 x 1/2) / 2 = 0.5 each; sd 0 -> z 0; mean 20
 * bar 2: 30 10 20: rank 1, 0, 0.5; mean 20; z +10/sd, -10/sd, 0
 * bar 3: A left out (NaN in, NaN out); B, C 50 60: m = 2, rank 0, 1;
 *        mean 55; sd sqrt((25 + 25) / 2) = 5; z -1, +1 */
static void universe_values(void **state)
{
    (void)state;
    static const double member_close[3][4] = {{10, 20, 30, 40}, {20, 20, 10, 50}, {30, 20, 20, 60}};
    const double sd = sqrt(200.0 / 3.0), nan = NAN;
    const double want[3][3][4] = {
        /* rank */ {{0, 0.5, 1, nan}, {0.5, 0.5, 0, 0}, {1, 0.5, 0.5, 1}},
        /* zscore */ {{-10 / sd, 0, 10 / sd, nan}, {0, 0, -10 / sd, -1}, {10 / sd, 0, 0, 1}},
        /* mean */ {{20, 20, 20, nan}, {20, 20, 20, 55}, {20, 20, 20, 55}}};
    static const char *const names[3] = {"r", "z", "m"};
    const char *text =
        "{\"strategy_name\": \"t\", \"data\": {\"symbols\": [\"A\", \"B\", \"C\"]},"
        " \"indicators\": [{\"name\": \"x\", \"formula\": \"if(close == 40, sqrt(-1), close)\"},"
        " {\"name\": \"r\", \"formula\": \"cs_rank(x)\"}, {\"name\": \"z\", \"formula\": \"cs_zscore(x)\"},"
        " {\"name\": \"m\", \"formula\": \"cs_mean(x)\"}],"
        " \"execution_plan\": [{\"trigger\": \"r + z + m > 100\", \"action\": \"buy\"},"
        " {\"trigger\": \"z < -1\", \"action\": \"sell\"}]}";
    slab_diags d;
    slab_spec *s = NULL;
    slab_error err;
    slab_diags_init(&d);
    if (slab_spec_compile(text, strlen(text), &s, &d) != SLAB_OK)
        fail_msg("%s", d.n ? d.items[0].message : "?");
    slab_diags_clear(&d);
    int64_t ts[4] = {0, 86400000000000LL, 2 * 86400000000000LL, 3 * 86400000000000LL};
    double zeros[4] = {0, 0, 0, 0};
    const double *cols[3][SLAB_N_COLUMNS];
    const double *const *cp[3];
    for (int k = 0; k < 3; k++) {
        for (int c = 0; c < SLAB_N_COLUMNS; c++)
            cols[k][c] = c == SLAB_CLOSE || c <= SLAB_LOW ? member_close[k] : zeros;
        cp[k] = cols[k];
    }
    spec_values v[3];
    assert_int_equal(slab__spec_eval_multi(slab_spec_program_get(s), cp, ts, 4, 3, v, &err),
                     SLAB_OK);
    for (int f = 0; f < 3; f++) {
        int id = slab__find_def(s, names[f])->node;
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 4; i++) {
                double got = v[k].values[id][i], w = want[f][k][i];
                if (isnan(w) ? !isnan(got) : got != w)
                    fail_msg("%s member %d bar %d: got %.17g, want %.17g", names[f], k, i, got, w);
            }
    }
    for (int k = 0; k < 3; k++)
        slab__spec_values_free(&v[k]);
    slab_spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(daily_values),
        cmocka_unit_test(session_values),
        cmocka_unit_test(sharing_and_conventions),
        cmocka_unit_test(universe_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
