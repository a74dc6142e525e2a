/* cmd_run.c: `stratlab run`: load bars (a file or the store), resolve a
 * built-in strategy and its parameters and run the engine, or run a C
 * script in the sandbox (cmd_run_script.c), and print the result document
 * (--json) or a compact table; --equity writes the value curve. Uses only
 * the public headers. */
#include "cli.h"

#include "stratlab/broker.h"
#include "stratlab/spec.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/store.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 32

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab run (--strategy NAME | --spec FILE | --script FILE.c)\n"
            "                    (--data FILE | --symbol SYM) [options]\n\n"
            "  --strategy NAME      built-in strategy (see: stratlab strategies)\n"
            "  --spec FILE          a strategy spec (docs/spec.md); its data, cash and\n"
            "                       commission apply unless given here; with\n"
            "                       expected_performance the result has a diagnosis\n"
            "  --script FILE.c      a C strategy script, compiled and run in a sandbox (see:\n"
            "                       stratlab script templates, stratlab validate); every\n"
            "                       option below applies; without --data/--symbol the\n"
            "                       script's `//! stratlab run:` line names the data\n"
            "  --timeout S          script: wall-clock limit of the run (default 30, max 600)\n"
            "  --cpu-limit S        script: CPU-time limit (default: the timeout)\n"
            "  --memory MB          script: memory beyond the runner's own, MiB (default 512,\n"
            "                       16..16384)\n"
            "  --output-limit BYTES script: most bytes of log, and of trades and orders, it\n"
            "                       may send back (default 10485760, 1024..268435456)\n"
            "  --compile-timeout S  script: wall-clock limit of the compiler (default 30)\n"
            "  --compare NAME=V1,V2 script: one run per value of parameter NAME, side by side\n"
            "  --data FILE          CSV file (Yahoo, backtrader CSV or generic; auto-detected)\n"
            "  --symbol SYM         read SYM from the store (see: stratlab data list)\n"
            "  --db PATH            store path (default $STRATLAB_DB or the user data dir)\n"
            "  --timeframe TF       1m, 5m, 1h, 1d, 1w ... (default: inferred from the bars)\n"
            "  --format FMT         auto|yahoo|btcsv|generic (file runs)\n"
            "  --yahoo-adjust       backtrader YahooFinanceCSVData prices (adjusted, rounded)\n"
            "  --from DATE --to DATE  restrict the bars (inclusive; YYYY-MM-DD[ HH:MM])\n"
            "  --cash X             starting cash (default 100000)\n"
            "  --commission-scheme S  percent (default), per_share or fixed\n"
            "  --commission X       percent: fraction of traded value per leg (default\n"
            "                       0.001 = 0.1%%); per_share: cash per share; fixed: cash\n"
            "                       per fill\n"
            "  --commission-min X   minimum commission per fill, cash (default 0)\n"
            "  --slippage-perc X    slip fills by a fraction (0.001 = 0.1%%) against the\n"
            "                       trader, opens included, capped at the bar's high/low\n"
            "                       (backtrader set_slippage_perc)\n"
            "  --slippage-fixed X   same in price units (set_slippage_fixed); give one\n"
            "  --slip-open, --no-slip-open    slip fills at the open too (default on)\n"
            "  --slip-match, --no-slip-match  cap a slipped price at the bar's high/low\n"
            "                       (default on); off: the order waits for a bar with room\n"
            "  --slip-limit, --no-slip-limit  cap slipped limit fills at the limit even\n"
            "                       without --slip-match (default on)\n"
            "  --slip-out, --no-slip-out      keep a slipped price beyond the high/low\n"
            "                       instead of capping it (default off). The --slip-* flags\n"
            "                       need a slippage; defaults: backtrader set_slippage_*\n"
            "  --cheat-on-close     market orders fill at the close of the bar that sent\n"
            "                       them (backtrader set_coc; look-ahead, off by default)\n"
            "  --cheat-on-open      market orders sent from a strategy's next_open fill at\n"
            "                       that bar's open (backtrader cheat_on_open). No built-in\n"
            "                       has a next_open: for them it only moves the cash check\n"
            "                       of market orders from the creating close to the open\n"
            "  --pessimistic        a bar on which a stop-type exit and a limit target of\n"
            "                       the same position can both fill fills the stop; the\n"
            "                       target does not fill on that bar\n"
            "  --margin-call        liquidate at the next open (exit reason margin) when\n"
            "                       the value falls to <= 0, or to the maintenance\n"
            "                       fraction of the position's value (off by default, as\n"
            "                       backtrader, which never liquidates)\n"
            "  --maintenance-margin F  that fraction, 0 <= F < 1 (default 0)\n"
            "  --sizer S            percent:95 (default), percent_int:95 or fixed:N\n"
            "  --param k=v          strategy parameter (repeatable); ranges are checked\n"
            "Risk (the engine places these for any strategy, long or short; an item\n"
            "also set by a strategy parameter such as stop_loss_pct must agree):\n"
            "  --stop-loss L        exit stop from the entry fill: 2%% (percent), 1.5\n"
            "                       (price distance), 2atr (ATR multiple) or @95.50 (price)\n"
            "  --take-profit L      limit target from the entry fill, same forms\n"
            "  --trail T            trailing stop: 2%% of the close or 0.75 (distance)\n"
            "  --atr-period N       ATR bars for atr levels (default 14; ATR at the\n"
            "                       fill bar's close, tried from the next bar)\n"
            "  --time-exit N        close at the next open once held N bars\n"
            "  --exit-at HH:MM      close on the first bar at/after this time of day (or\n"
            "                       the first bar of a later day), bars' own clock\n"
            "  --max-position Q     most shares (100) or percent of value (50%%); a larger\n"
            "                       order is cut to fit (reason in the order log)\n"
            "  --allow-pyramiding   let entries add to an open position (default: one\n"
            "                       position per symbol, adding is rejected)\n"
            "  --json               print the whole result document as JSON\n"
            "  --orders             include the order log in the JSON\n"
            "  --trades N|all       trades listed in the JSON (default 100; trades_total\n"
            "                       always gives the count)\n"
            "  --out FILE           write the JSON document to FILE\n"
            "  --equity FILE        write the value after every bar as CSV\n\n"
            "Orders created on a bar fill at the next bar's open (backtrader's rules);\n"
            "positions still open at the end stay open and are marked at the last close.\n");
}

typedef struct run_opts {
    const char *strategy, *data, *symbol, *db, *timeframe, *format, *from, *to;
    const char *out, *equity, *spec;
    int json, orders, yahoo_adjust;
    int given[2];          /* --cash, --commission were given (a spec's own apply otherwise) */
    long max_trades;
    slab_broker_config broker;
    slab_risk_config risk;
    int slip_flag[4];      /* --[no-]slip-open/match/limit/out: -1 not given */
    int maintenance_given; /* --maintenance-margin was given */
    const char *params[MAX_PARAMS];
    size_t n_params;
    cli_script_opts script; /* --script and its limits */
} run_opts;

/* Parses a number flag; returns 0 or a usage error code. */
static int number(const char *flag, const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !isfinite(v))
        return cli_usage_error("run", "%s expects a number, got '%s'", flag, s);
    *out = v;
    return 0;
}

static const char *const slip_names[4] = {"open", "match", "limit", "out"};

/* --slip-X / --no-slip-X: records the choice; 0 when a is one of them,
 * -1 when it is not. */
static int slip_flag(const char *a, int flags[4])
{
    int on = strncmp(a, "--no-", 5) != 0;
    const char *rest = a + (on ? 2 : 5);
    if (strncmp(rest, "slip-", 5))
        return -1;
    for (int k = 0; k < 4; k++)
        if (!strcmp(rest + 5, slip_names[k])) {
            flags[k] = on;
            return 0;
        }
    return -1;
}

/* Applies the slip flags (backtrader set_slippage_perc/fixed defaults:
 * slip_open, slip_match and slip_limit on, slip_out off) and refuses the
 * broker flag combinations that mean nothing. */
static int slip_and_cheat(run_opts *o)
{
    slab_broker_config *c = &o->broker;
    int slipping = c->slip_perc != 0.0 || c->slip_fixed != 0.0;
    int *f = o->slip_flag;
    for (int k = 0; k < 4; k++)
        if (f[k] >= 0 && !slipping)
            return cli_usage_error("run", "--%sslip-%s needs --slippage-perc or --slippage-fixed",
                                   f[k] ? "" : "no-", slip_names[k]);
    c->slip_open = f[0] >= 0 ? f[0] : slipping;
    c->slip_match = f[1] >= 0 ? f[1] : 1;
    c->slip_limit = f[2] >= 0 ? f[2] : 1;
    c->slip_out = f[3] >= 0 ? f[3] : 0;
    if (c->slip_out && !c->slip_match && !c->slip_limit)
        return cli_usage_error("run", "--slip-out changes only capped fills; it has no effect "
                                      "with --no-slip-match and --no-slip-limit");
    if (c->coc && c->coo)
        return cli_usage_error("run", "give one of --cheat-on-close or --cheat-on-open");
    if (o->maintenance_given && !c->margin_call)
        return cli_usage_error("run", "--maintenance-margin needs --margin-call");
    if (c->maintenance_margin < 0.0 || c->maintenance_margin >= 1.0)
        return cli_usage_error("run", "--maintenance-margin is a fraction in [0, 1): 0.25 means "
                                      "25%% of the position's value");
    return 0;
}

/* The risk flags (risk.h keys). Returns 1 and *rc when argv[*i] is one,
 * consuming its value; 0 when it is not. */
static int risk_flag(int argc, char **argv, int *i, run_opts *o, int *rc)
{
    static const char *const map[][2] = {
        {"--stop-loss", "stop_loss"},   {"--take-profit", "take_profit"},
        {"--trail", "trail"},           {"--atr-period", "atr_period"},
        {"--time-exit", "time_exit"},   {"--exit-at", "exit_at"},
        {"--max-position", "max_position"}};
    slab_error err;
    const char *a = argv[*i];
    *rc = 0;
    if (!strcmp(a, "--allow-pyramiding")) {
        o->risk.allow_pyramiding = 1;
        return 1;
    }
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
        if (strcmp(a, map[k][0]))
            continue;
        if (*i + 1 >= argc) {
            *rc = cli_usage_error("run", "%s needs a value", a);
        } else if (slab_risk_set(&o->risk, map[k][1], argv[++*i], &err) != SLAB_OK) {
            /* err.msg starts with the key; show the flag instead. */
            *rc = cli_usage_error("run", "%s%s", a, err.msg + strlen(map[k][1]));
        }
        return 1;
    }
    return 0;
}

static int parse_args(int argc, char **argv, run_opts *o)
{
    slab_error err;
    int rc0;
    memset(o, 0, sizeof *o);
    memset(o->slip_flag, -1, sizeof o->slip_flag);
    slab_broker_config_default(&o->broker);
    o->broker.cash = 100000.0;
    o->broker.commission = 0.001;
    o->broker.sizer.kind = SLAB_SIZER_PERCENT;
    o->broker.sizer.amount = 95.0;
    o->max_trades = 100;
    cli_script_opts_init(&o->script);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = 0;
        if (cli_is_help(a)) {
            usage(stdout);
            exit(0);
        }
        if (!strcmp(a, "--json")) { o->json = 1; continue; }
        if (!strcmp(a, "--orders")) { o->orders = 1; continue; }
        if (!strcmp(a, "--yahoo-adjust")) { o->yahoo_adjust = 1; continue; }
        if (!strcmp(a, "--pessimistic")) { o->broker.pessimistic = 1; continue; }
        if (risk_flag(argc, argv, &i, o, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (!strcmp(a, "--cheat-on-close")) { o->broker.coc = 1; continue; }
        if (!strcmp(a, "--cheat-on-open")) { o->broker.coo = 1; continue; }
        if (!strcmp(a, "--margin-call")) { o->broker.margin_call = 1; continue; }
        if (slip_flag(a, o->slip_flag) == 0)
            continue;
        if (cli_script_flag(argc, argv, &i, &o->script, &rc)) {
            if (rc)
                return rc;
            continue;
        }
        if (!v)
            return cli_usage_error("run", "%s needs a value", a);
        i++;
        if (!strcmp(a, "--strategy")) o->strategy = v;
        else if (!strcmp(a, "--spec")) o->spec = v;
        else if (!strcmp(a, "--data")) o->data = v;
        else if (!strcmp(a, "--symbol")) o->symbol = v;
        else if (!strcmp(a, "--db")) o->db = v;
        else if (!strcmp(a, "--timeframe")) o->timeframe = v;
        else if (!strcmp(a, "--format")) o->format = v;
        else if (!strcmp(a, "--from")) o->from = v;
        else if (!strcmp(a, "--to")) o->to = v;
        else if (!strcmp(a, "--out")) o->out = v;
        else if (!strcmp(a, "--equity")) o->equity = v;
        else if (!strcmp(a, "--trades")) {
            char *end;
            o->max_trades = !strcmp(v, "all") ? -1 : strtol(v, &end, 10);
            if (strcmp(v, "all") && (end == v || *end || o->max_trades < 0))
                return cli_usage_error("run", "--trades expects a count or 'all', got '%s'", v);
        }
        else if (!strcmp(a, "--cash")) rc = number(a, v, &o->broker.cash), o->given[0] = 1;
        else if (!strcmp(a, "--commission")) rc = number(a, v, &o->broker.commission), o->given[1] = 1;
        else if (!strcmp(a, "--commission-min")) rc = number(a, v, &o->broker.commission_min);
        else if (!strcmp(a, "--slippage-perc")) rc = number(a, v, &o->broker.slip_perc);
        else if (!strcmp(a, "--slippage-fixed")) rc = number(a, v, &o->broker.slip_fixed);
        else if (!strcmp(a, "--maintenance-margin")) {
            rc = number(a, v, &o->broker.maintenance_margin);
            o->maintenance_given = 1;
        }
        else if (!strcmp(a, "--commission-scheme")) {
            if (!strcmp(v, "percent")) o->broker.comm_scheme = SLAB_COMM_PERCENT;
            else if (!strcmp(v, "per_share")) o->broker.comm_scheme = SLAB_COMM_PER_SHARE;
            else if (!strcmp(v, "fixed")) o->broker.comm_scheme = SLAB_COMM_FIXED;
            else
                return cli_usage_error("run", "--commission-scheme is percent, per_share or "
                                              "fixed, got '%s'", v);
        }
        else if (!strcmp(a, "--sizer")) {
            if (slab_sizer_parse(v, &o->broker.sizer, &err) != SLAB_OK)
                return cli_usage_error("run", "%s", err.msg);
        } else if (!strcmp(a, "--param")) {
            if (o->n_params == MAX_PARAMS)
                return cli_usage_error("run", "too many --param (limit %d)", MAX_PARAMS);
            o->params[o->n_params++] = v;
        } else
            return cli_usage_error("run", "unknown option '%s'", a);
        if (rc)
            return rc;
    }
    if ((o->strategy != NULL) + (o->spec != NULL) + (o->script.path != NULL) != 1)
        return cli_usage_error("run", "give one of --strategy NAME, --spec FILE or --script FILE.c");
    if (!o->script.path && (o->script.compare))
        return cli_usage_error("run", "--compare needs --script");
    if (o->script.path &&
        (rc0 = cli_script_prepare(&o->script, &o->symbol, &o->from, &o->to, &o->timeframe,
                                  o->data || o->symbol)))
        return rc0;
    if ((o->data && o->symbol) || (!o->data && !o->symbol && !o->spec))
        return cli_usage_error("run", "give exactly one of --data FILE or --symbol SYM");
    if (!(o->broker.cash > 0.0))
        return cli_usage_error("run", "--cash must be positive");
    if (o->broker.comm_scheme == SLAB_COMM_PERCENT &&
        (o->broker.commission < 0.0 || o->broker.commission >= 1.0))
        return cli_usage_error("run", "--commission is a fraction in [0, 1): 0.001 means 0.1%%");
    if (o->broker.commission < 0.0 || o->broker.commission_min < 0.0)
        return cli_usage_error("run", "--commission and --commission-min must be >= 0");
    if (o->broker.slip_perc != 0.0 && o->broker.slip_fixed != 0.0)
        return cli_usage_error("run", "give one of --slippage-perc or --slippage-fixed");
    if (o->broker.slip_perc < 0.0 || o->broker.slip_perc >= 1.0 || o->broker.slip_fixed < 0.0)
        return cli_usage_error("run", "--slippage-perc is a fraction in [0, 1), --slippage-fixed "
                                      "a price distance >= 0");
    return slip_and_cheat(o);
}

static int parse_when(const char *flag, const char *s, int end_of_day, int64_t *out)
{
    slab_error err;
    int has_time = 0;
    if (slab_time_parse(s, strlen(s), out, &has_time, &err) != SLAB_OK)
        return cli_usage_error("run", "%s: %s", flag, err.msg);
    if (!has_time && end_of_day)
        *out += SLAB_NS_PER_DAY - 1;
    return 0;
}

/* Loads the bars the options name into *out (owned). */
static int load_bars(const run_opts *o, slab_bars **out)
{
    slab_error err;
    slab_bars *b = NULL;
    int64_t from = INT64_MIN, to = INT64_MAX;
    int rc;

    if (o->from && (rc = parse_when("--from", o->from, 0, &from)))
        return rc;
    if (o->to && (rc = parse_when("--to", o->to, 1, &to)))
        return rc;
    if (o->data) {
        slab_csv_options copt = {0};
        copt.yahoo_adjust = o->yahoo_adjust;
        if (o->format) {
            static const char *names[] = {"auto", "yahoo", "btcsv", "generic"};
            int f = -1;
            for (int k = 0; k < 4; k++)
                if (!strcmp(o->format, names[k]))
                    f = k;
            if (f < 0)
                return cli_usage_error("run", "--format is one of auto, yahoo, btcsv, generic");
            copt.format = (slab_csv_format)f;
        }
        if (slab_csv_load(o->data, &copt, &b, NULL, &err) != SLAB_OK)
            return cli_fail(&err);
        if (from != INT64_MIN || to != INT64_MAX) {
            slab_bars *s = NULL;
            slab_status st = slab_bars_slice(b, from, to, &s, &err);
            slab_bars_free(b);
            if (st != SLAB_OK)
                return cli_fail(&err);
            b = s;
        }
    } else {
        char path[1024];
        slab_store *db = NULL;
        if (!cli_db_path("run", o->db, path, sizeof path))
            return 2;
        if (slab_store_open_read(path, &db, &err) != SLAB_OK)
            return cli_fail(&err);
        slab_status st = slab_store_load(db, o->symbol, o->timeframe, from, to, &b, &err);
        slab_store_close(db);
        if (st != SLAB_OK)
            return cli_fail(&err);
    }
    if (o->timeframe) {
        if (slab_timeframe_parse(o->timeframe, &b->timeframe, &b->compression, &err) != SLAB_OK) {
            slab_bars_free(b);
            return cli_usage_error("run", "--timeframe: %s", err.msg);
        }
    } else if (o->data) {
        slab_bars_infer_timeframe(b, &b->timeframe, &b->compression);
    }
    if (o->data && !b->symbol[0]) {
        const char *base = strrchr(o->data, '/');
        snprintf(b->symbol, sizeof b->symbol, "%s", base ? base + 1 : o->data);
        char *dot = strchr(b->symbol, '.');
        if (dot && dot != b->symbol)
            *dot = '\0';
    }
    *out = b;
    return 0;
}

static int write_equity(const char *path, const slab_bars *b, const slab_run *run)
{
    FILE *f = fopen(path, "w");
    char ts[40];
    int daily = b->timeframe >= SLAB_TF_DAYS;
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "datetime,cash,value\n");
    for (size_t i = 0; i < run->n_bars; i++)
        fprintf(f, "%s,%.17g,%.17g\n", slab_time_format(b->ts_ns[i], daily, ts, sizeof ts),
                run->cash[i], run->value[i]);
    return fclose(f) == 0 ? 0 : 1;
}

/* A few lines for a person at a terminal. */
static void print_table(json_t *doc)
{
    json_t *m = json_object_get(doc, "metrics");
    static const char *keys[] = {"final_value",  "total_return",     "sharpe_ratio",
                                 "sharpe_ratio_daily_annualized",    "max_drawdown_pct",
                                 "num_trades",   "won_trades",       "lost_trades",
                                 "win_rate",     "total_pnl",        "profit_factor",
                                 "sqn",          "normalized_annual_return"};
    printf("%s\n\n", json_string_value(json_object_get(doc, "summary")));
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(m, keys[k]);
        if (json_is_integer(v))
            printf("  %-32s %lld\n", keys[k], (long long)json_integer_value(v));
        else if (json_is_real(v))
            printf("  %-32s %.4f\n", keys[k], json_real_value(v));
        else
            printf("  %-32s -\n", keys[k]);
    }
}

/* The script half: executes it (a failure is printed there) and hands
 * back the run, the script's description and its resolved parameters. */
static int run_script(run_opts *o, const slab_bars *bars, slab_script_exec **ex)
{
    cli_script_ctx r = {bars,        &o->broker,  &o->risk, o->params, o->n_params,
                        o->equity != NULL, o->json, o->db};
    if (o->script.compare)
        return cli_script_compare(&o->script, &r);
    return cli_script_run(&o->script, &r, ex);
}

int cmd_run(int argc, char **argv)
{
    run_opts o;
    slab_error err;
    slab_bars *bars = NULL;
    slab_run *run = NULL;
    slab_script_exec *ex = NULL;
    slab_spec *spec = NULL;
    slab_spec_run *srun = NULL;
    json_t *doc = NULL;
    double params[MAX_PARAMS];
    const double *pv = params;
    const slab_strategy_def *def = NULL;
    int rc, spec_period = 0; /* the period came from the spec's data section */
    int64_t t0 = slab_clock_ns();

    if ((rc = parse_args(argc, argv, &o)))
        goto out;
    if (o.spec) {
        spec_period = !o.from || !o.to;
        if ((rc = cli_spec_open(o.spec, &spec)) ||
            (rc = cli_spec_defaults(spec, &o.symbol, o.data, &o.from, &o.to, &o.timeframe)))
            goto out;
        slab_spec_apply_settings(spec, &o.broker, o.given);
        if (o.n_params) {
            rc = cli_usage_error("run", "--param is for built-ins; a spec's parameters are in "
                                        "its formulas");
            goto out;
        }
        spec_period = spec_period && (o.from || o.to);
    } else if (!o.script.path) {
        def = slab_strategy_find(o.strategy, &err);
        if (!def)
            return cli_fail(&err);
        if (slab_strategy_resolve_params(def, o.params, o.n_params, params, &err) != SLAB_OK)
            return cli_fail(&err);
    }
    if ((rc = load_bars(&o, &bars))) {
        if (spec_period)
            fprintf(stderr, "stratlab run: note: the period is the spec's data.start/data.end; "
                            "give --from/--to to run another one\n");
        goto out;
    }
    if (o.script.path) {
        if ((rc = run_script(&o, bars, &ex)) || !ex)
            goto out;
        def = ex->def;
        pv = ex->params;
        run = ex->run;
        ex->run = NULL;
    } else {
        /* The cash curve is only written by --equity; without it, skip it. */
        slab_run_config cfg = {o.broker, def, params, -1, o.equity == NULL, o.risk, NULL};
        if (spec) {
            if (slab_spec_run_new(spec, &srun, &err) != SLAB_OK) {
                rc = cli_fail(&err);
                goto out;
            }
            slab_spec_run_setup(srun, &cfg);
            def = cfg.strategy;
        }
        if (slab_engine_run(bars, &cfg, &run, &err) != SLAB_OK) {
            rc = cli_fail(&err);
            goto out;
        }
    }
    /* The table shows no trades, so it does not build them. */
    long max_trades = (o.json || o.out) ? o.max_trades : 0;
    slab_result_info info = {def->name, ex ? "script" : spec ? "spec" : "builtin",
                             spec ? NULL : def, pv, &o.broker, 0.0, o.orders, max_trades};
    info.wall_ms = (double)(slab_clock_ns() - t0) / 1e6;
    if (!(doc = slab_result_json(bars, run, &info, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if (ex)
        cli_script_merge(doc, ex);
    if (spec && (rc = cli_spec_result(doc, spec, srun, bars, run, SLAB_LANG_EN)))
        goto out;
    if (o.equity && (rc = write_equity(o.equity, bars, run)))
        goto out;
    if (o.out && json_dump_file(doc, o.out, JSON_INDENT(1) | JSON_REAL_PRECISION(17)) != 0) {
        fprintf(stderr, "stratlab run: cannot write %s\n", o.out);
        rc = 1;
        goto out;
    }
    if (o.json) {
        json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
        putchar('\n');
    } else {
        print_table(doc);
    }
    rc = 0;
out:
    json_decref(doc);
    slab_run_free(run);
    slab_script_exec_free(ex);
    slab_bars_free(bars);
    slab_spec_run_free(srun);
    slab_spec_free(spec);
    cli_script_opts_clear(&o.script);
    return rc;
}
