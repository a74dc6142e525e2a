/* bench_spec.c: strategy specs, compiled and run.
 *   1. Compile time of a spec with 20 indicators (and a pipeline and four
 *      rules over them): text to a checked, compiled program, best of N.
 *   2. Run time of a universe of 10 symbols over 20 years of daily bars
 *      (10 x 5040 generated bars): the 20-indicator spec run on each
 *      symbol (evaluation of the graph plus the engine's bar loop), best
 *      of N, and the same split into graph evaluation and bar loop.
 *   3. The same 10 x 5040 bars as one universe in one run (10 feeds on one
 *      clock): cross-sectional momentum (cs_rank of the 126-bar return,
 *      cs_zscore of the 20-bar one, the top three held, rebalanced on each
 *      month's first bar), best of N.
 * Usage: bench_spec [repeats]. Prints figures; never fails on timing. */
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const spec20 =
    "{\"strategy_name\": \"twenty indicators\", \"indicators\": ["
    "{\"name\": \"sma50\", \"formula\": \"SMA(close, 50)\"},"
    "{\"name\": \"sma200\", \"formula\": \"SMA(close, 200)\"},"
    "{\"name\": \"ema20\", \"formula\": \"EMA(close, 20)\"},"
    "{\"name\": \"rsi\", \"formula\": \"RSI(close, 14)\"},"
    "{\"name\": \"bb\", \"formula\": \"BBANDS(close, 20, 2)\"},"
    "{\"name\": \"macd\", \"formula\": \"MACD(close, 12, 26, 9)\"},"
    "{\"name\": \"atr\", \"formula\": \"ATR(14)\"},"
    "{\"name\": \"st\", \"formula\": \"STOCH(14, 3, 3)\"},"
    "{\"name\": \"adx\", \"formula\": \"ADX(14)\"},"
    "{\"name\": \"cci\", \"formula\": \"CCI(20)\"},"
    "{\"name\": \"willr\", \"formula\": \"WILLR(14)\"},"
    "{\"name\": \"mfi\", \"formula\": \"MFI(14)\"},"
    "{\"name\": \"obv\", \"formula\": \"OBV()\"},"
    "{\"name\": \"roc\", \"formula\": \"ROC(close, 10)\"},"
    "{\"name\": \"kama\", \"formula\": \"KAMA(close, 30)\"},"
    "{\"name\": \"tema\", \"formula\": \"TEMA(close, 30)\"},"
    "{\"name\": \"hma\", \"formula\": \"HMA(close, 30)\"},"
    "{\"name\": \"don\", \"formula\": \"DONCHIAN(20)\"},"
    "{\"name\": \"z\", \"formula\": \"zscore(close, 60)\"},"
    "{\"name\": \"vol\", \"formula\": \"std(log(close / close[-1]), 20) * sqrt(252)\"}],"
    " \"logic_pipeline\": ["
    "{\"expression\": \"close > sma200 and sma50 > sma200 and adx > 20\", \"output\": \"trend\"},"
    "{\"expression\": \"rsi < 35 or close < bb.bot or willr < -90 or st.k < 20\", \"output\": \"dip\"},"
    "{\"expression\": \"crossover(macd.macd, macd.signal) and cci > -100 and mfi < 80\", \"output\": \"turn\"},"
    "{\"expression\": \"close > don.upper[-1] and obv > obv[-20] and roc > 0 and kama > tema[-1] and hma > ema20\", \"output\": \"breakout\"}],"
    " \"execution_plan\": ["
    "{\"trigger\": \"trend and (dip or turn or breakout)\", \"action\": \"buy\","
    " \"position_sizing\": {\"type\": \"volatility_target\", \"value\": 0.15}},"
    "{\"trigger\": \"close < sma50 - 2 * atr or z > 2.5\", \"action\": \"sell\"},"
    "{\"trigger\": \"not trend and rsi > 75 and vol < 0.6\", \"action\": \"short\", \"position_sizing\": \"50%\"},"
    "{\"trigger\": \"rsi < 50 or bars_held >= 20\", \"action\": \"cover\"}],"
    " \"risk_management\": [{\"type\": \"stop_loss\", \"value\": \"2atr\"}]}";

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    slab_error err;
    slab_diags d;
    slab_spec *spec = NULL;
    size_t len = strlen(spec20);
    if (repeats < 1)
        repeats = 1;

    /* 1. compile */
    int64_t best = INT64_MAX;
    for (int r = 0; r < 200 * repeats; r++) {
        slab_spec *s = NULL;
        slab_diags_init(&d);
        int64_t t0 = slab_clock_ns();
        slab_status st = slab_spec_compile(spec20, len, &s, &d);
        int64_t t = slab_clock_ns() - t0;
        if (st != SLAB_OK) {
            fprintf(stderr, "bench_spec: the spec does not compile: %s\n",
                    d.n ? d.items[0].message : "?");
            return 1;
        }
        if (t < best)
            best = t;
        slab_diags_clear(&d);
        if (r == 0)
            spec = s;
        else
            slab_spec_free(s);
    }
    const slab_spec_program *p = slab_spec_program_get(spec);
    printf("compile: 20 indicators, 4 pipeline steps, 4 rules (%zu bytes) -> %zu nodes: "
           "%.1f us (best of %d)\n",
           len, p->n_nodes, (double)best / 1e3, 200 * repeats);

    /* 2. a universe of 10 symbols x 20 years of daily bars */
    enum { SYMBOLS = 10, BARS = 5040 };
    slab_bars *bars[SYMBOLS];
    for (int k = 0; k < SYMBOLS; k++)
        if (slab_sample_generate(100 + (uint64_t)k, BARS, SLAB_TF_DAYS, 1,
                                 slab_days_from_civil(1995, 1, 2), &bars[k], &err) != SLAB_OK) {
            fprintf(stderr, "bench_spec: %s\n", err.msg);
            return 1;
        }
    int64_t best_all = INT64_MAX, best_eval = 0, best_loop = 0;
    long trades = 0;
    for (int r = 0; r < repeats; r++) {
        int64_t t0 = slab_clock_ns(), ev = 0, lp = 0;
        long tr = 0;
        for (int k = 0; k < SYMBOLS; k++) {
            slab_spec_run *sr = NULL;
            slab_run *run = NULL;
            slab_run_config cfg;
            memset(&cfg, 0, sizeof cfg);
            slab_broker_config_default(&cfg.broker);
            cfg.broker.cash = 100000;
            cfg.broker.commission = 0.001;
            cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
            cfg.broker.sizer.amount = 95;
            cfg.stop_after_bar = -1;
            if (slab_spec_run_new(spec, &sr, &err) != SLAB_OK)
                return 1;
            slab_spec_run_setup(sr, &cfg);
            if (slab_engine_run(bars[k], &cfg, &run, &err) != SLAB_OK) {
                fprintf(stderr, "bench_spec: run: %s\n", err.msg);
                return 1;
            }
            ev += run->indicators_ns;
            lp += run->loop_ns;
            tr += (long)run->n_trades;
            slab_run_free(run);
            slab_spec_run_free(sr);
        }
        int64_t t = slab_clock_ns() - t0;
        if (t < best_all) {
            best_all = t;
            best_eval = ev;
            best_loop = lp;
            trades = tr;
        }
    }
    printf("run: %d symbols x %d daily bars (20 years), the 20-indicator spec on each: "
           "%.1f ms (best of %d): graph %.1f ms, bar loop %.1f ms, %.0f ns/bar; %ld trades\n",
           SYMBOLS, BARS, (double)best_all / 1e6, repeats, (double)best_eval / 1e6,
           (double)best_loop / 1e6, (double)best_all / (SYMBOLS * BARS), trades);

    /* 3. one universe run over the ten feeds */
    static const char *const xs =
        "{\"strategy_name\": \"universe momentum\", \"data\": {\"symbols\": [\"S0\", \"S1\"]},"
        " \"indicators\": [{\"name\": \"mom\", \"formula\": \"close / close[-126] - 1\"},"
        " {\"name\": \"fast\", \"formula\": \"close / close[-20] - 1\"}],"
        " \"logic_pipeline\": [{\"expression\": \"month != month[-1]\", \"output\": \"new_month\"},"
        " {\"expression\": \"cs_rank(mom) > 0.7 and cs_zscore(fast) > -2\", \"output\": \"top\"}],"
        " \"execution_plan\": [{\"trigger\": \"new_month and top\", \"action\": \"rebalance\","
        " \"position_sizing\": {\"type\": \"percent_equity\", \"value\": 90}}]}";
    slab_spec *us = NULL;
    slab_diags_init(&d);
    if (slab_spec_compile(xs, strlen(xs), &us, &d) != SLAB_OK) {
        fprintf(stderr, "bench_spec: the universe spec does not compile: %s\n",
                d.n ? d.items[0].message : "?");
        return 1;
    }
    slab_diags_clear(&d);
    for (int k = 0; k < SYMBOLS; k++)
        snprintf(bars[k]->symbol, sizeof bars[k]->symbol, "S%d", k);
    int64_t best_u = INT64_MAX;
    long u_trades = 0, u_orders = 0;
    for (int r = 0; r < repeats; r++) {
        slab_spec_run *sr = NULL;
        slab_run *run = NULL;
        slab_run_config cfg;
        memset(&cfg, 0, sizeof cfg);
        slab_broker_config_default(&cfg.broker);
        cfg.broker.cash = 100000;
        cfg.broker.commission = 0.001;
        cfg.stop_after_bar = -1;
        if (slab_spec_run_new(us, &sr, &err) != SLAB_OK)
            return 1;
        slab_spec_run_setup(sr, &cfg);
        int64_t t0 = slab_clock_ns();
        if (slab_engine_run_feeds((const slab_bars *const *)bars, SYMBOLS, &cfg, NULL, &run,
                                  &err) != SLAB_OK) {
            fprintf(stderr, "bench_spec: universe run: %s\n", err.msg);
            return 1;
        }
        int64_t t = slab_clock_ns() - t0;
        if (t < best_u) {
            best_u = t;
            u_trades = (long)run->n_trades;
            u_orders = (long)run->n_orders;
        }
        slab_run_free(run);
        slab_spec_run_free(sr);
    }
    printf("universe: %d feeds x %d daily bars in one run, cs_rank/cs_zscore momentum rebalanced "
           "monthly: %.1f ms (best of %d), %.0f ns per symbol-bar; %ld trades, %ld orders\n",
           SYMBOLS, BARS, (double)best_u / 1e6, repeats, (double)best_u / (SYMBOLS * BARS),
           u_trades, u_orders);
    slab_spec_free(us);
    for (int k = 0; k < SYMBOLS; k++)
        slab_bars_free(bars[k]);
    slab_spec_free(spec);
    return 0;
}
