/* options.c: the run-option table and everything derived from it: the
 * command-line parser, the JSON request checker (errors at JSON pointers),
 * the rules between options and the JSON Schema. The CLI's --help is
 * printed from the same rows (src/cli/cmd_run.c).
 * Invariant: every value reaches the struct through set_value(), whichever
 * way it came (default, flag, JSON), so the type, range and count checks
 * cannot differ between the ways in. */
#include "stratlab/options.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFF(f) offsetof(slab_run_options, f)
#define NOMAX INFINITY

enum { SRC_DEFAULT = 0, SRC_FLAG = 1, SRC_JSON = 2 };

static slab_status set_sizer(slab_run_options *, const slab_opt_def *, const char *, slab_error *);
static slab_status set_risk(slab_run_options *, const slab_opt_def *, const char *, slab_error *);
static slab_status set_trades(slab_run_options *, const slab_opt_def *, const char *, slab_error *);
static slab_status set_date(slab_run_options *, const slab_opt_def *, const char *, slab_error *);
static slab_status set_day(slab_run_options *, const slab_opt_def *, const char *, slab_error *);
static slab_status set_timeframe(slab_run_options *, const slab_opt_def *, const char *,
                                 slab_error *);
static slab_status set_column(slab_run_options *, const slab_opt_def *, const char *, slab_error *);

static const char *const risk_units =
    "2% (percent of the entry fill), 1.5 (price distance), 2atr (ATR multiple) or @95.50 (price)";

/* The table. Order is --help order; group changes start a section. */
static const slab_opt_def table[] = {
    /* ---- what runs ---- */
    {.name = "strategy", .flag = "--strategy", .type = SLAB_OPT_TEXT, .metavar = "NAME",
     .group = "Strategy", .help = "built-in strategy (see: stratlab strategies)",
     .field = "strategy", .offset = OFF(strategy), .max_count = 1, .capacity = 1},
    {.name = "spec", .flag = "--spec", .type = SLAB_OPT_TEXT, .metavar = "FILE",
     .group = "Strategy",
     .help = "a strategy spec instead of --strategy (docs/spec.md); its data, cash and "
             "commission apply unless given here; with expected_performance the result has a "
             "diagnosis",
     .field = "spec", .offset = OFF(spec), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
    {.name = "params", .flag = "--param", .type = SLAB_OPT_PAIR, .metavar = "NAME=VALUE",
     .group = "Strategy",
     .help = "strategy parameter; types and ranges are checked (see: stratlab "
             "strategies). JSON: an object {\"fast\": 10, \"slow\": 30}",
     .field = "params", .offset = OFF(params), .count_offset = OFF(n_params),
     .max_count = SLAB_RUN_PARAMS_MAX, .capacity = SLAB_RUN_PARAMS_MAX,
     .repeat_fix = "give each parameter once"},
    /* ---- data ---- */
    {.name = "data", .flag = "--data", .type = SLAB_OPT_TEXT, .metavar = "[SYM=]FILE",
     .group = "Data",
     .help = "CSV file of bars (Yahoo, backtrader CSV or generic; the format is detected from "
             "the header; comma or semicolon separated); SYM= names its symbol (else the file "
             "name). Several feeds run on one clock; the first is the one traded, the others "
             "are read (a market filter, a pair)",
     .field = "data", .offset = OFF(data), .count_offset = OFF(n_data),
     .max_count = SLAB_RUN_FEEDS_MAX, .capacity = SLAB_RUN_DATA_MAX,
     .repeat_fix = "give at most 16 --data files: a run reads at most 16 feeds"},
    {.name = "symbol", .flag = "--symbol", .type = SLAB_OPT_TEXT, .metavar = "SYM",
     .group = "Data",
     .help = "read SYM from the store (see: stratlab data list); several run on one clock, "
             "the first is the one traded",
     .field = "symbols", .offset = OFF(symbols), .count_offset = OFF(n_symbols),
     .max_count = SLAB_RUN_FEEDS_MAX, .capacity = SLAB_RUN_DATA_MAX,
     .repeat_fix = "give at most 16 --symbol SYM: a run reads at most 16 feeds"},
    {.name = "stamp", .flag = "--stamp", .type = SLAB_OPT_CHOICE, .metavar = "WHEN",
     .def = "start", .choices = "start|end", .group = "Data",
     .help = "what an intraday bar's time marks: its start (most vendors) or its end (the "
             "2006 backtrader sample files); session rules (opening range, exit time) read "
             "it", .field = "stamp_end", .offset = OFF(stamp_end), .max_count = 1, .capacity = 1},
    {.name = "db", .flag = "--db", .type = SLAB_OPT_TEXT, .metavar = "PATH", .group = "Data",
     .help = "store path (default $STRATLAB_DB, else the user data folder)", .field = "db",
     .offset = OFF(db), .max_count = 1, .capacity = 1, .flags = SLAB_OPT_CLI_ONLY},
    {.name = "timeframe", .flag = "--timeframe", .type = SLAB_OPT_FORM, .metavar = "TF",
     .group = "Data",
     .help = "bar period: 1m, 5m, 1h, 1d, 1w, 1mo ... (default: inferred from the bars)",
     .field = "timeframe", .offset = OFF(timeframe), .max_count = 1, .capacity = 1,
     .set = set_timeframe},
    {.name = "format", .flag = "--format", .type = SLAB_OPT_CHOICE, .metavar = "FMT",
     .def = "auto", .choices = "auto|yahoo|btcsv|generic", .group = "Data",
     .help = "CSV format of --data files", .field = "csv.format", .offset = OFF(csv.format),
     .max_count = 1, .capacity = 1},
    {.name = "yahoo_adjust", .flag = "--yahoo-adjust", .type = SLAB_OPT_FLAG, .group = "Data",
     .help = "Yahoo files: backtrader YahooFinanceCSVData's adjusted, rounded prices",
     .field = "csv.yahoo_adjust", .offset = OFF(csv.yahoo_adjust), .max_count = 1,
     .capacity = 1},
    {.name = "columns", .flag = "--col", .type = SLAB_OPT_PAIR, .metavar = "ROLE=NAME",
     .group = "Data",
     .help = "generic CSV files: the header name of a column; ROLE is date, time, "
             "open, high, low, close, volume or oi. JSON: an object {\"date\": \"Timestamp\"}",
     .field = "csv.col_*", .offset = 0, .max_count = 8, .capacity = 8, .set = set_column},
    {.name = "from", .flag = "--from", .type = SLAB_OPT_FORM, .metavar = "DATE", .group = "Data",
     .help = "first bar to use, inclusive: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS]",
     .field = "from_ns", .offset = OFF(from), .max_count = 1, .capacity = 1, .set = set_date},
    {.name = "to", .flag = "--to", .type = SLAB_OPT_FORM, .metavar = "DATE", .group = "Data",
     .help = "last bar to use, inclusive: a year, month or day means its end",
     .field = "to_ns", .offset = OFF(to), .max_count = 1, .capacity = 1, .set = set_date},
    {.name = "date", .flag = "--date", .type = SLAB_OPT_FORM, .metavar = "YYYY-MM-DD",
     .group = "Data", .help = "run one session: the bars of that day only (instead of --from/--to)",
     .field = "date", .offset = OFF(date), .max_count = 1, .capacity = 1, .set = set_day},
    /* ---- costs, fills, sizing ---- */
    {.name = "cash", .flag = "--cash", .type = SLAB_OPT_NUMBER, .metavar = "X", .def = "100000",
     .min = 0, .max = NOMAX, .min_excl = 1, .unit = "cash units", .group = "Costs and fills",
     .help = "starting cash", .field = "broker.cash", .offset = OFF(broker.cash),
     .max_count = 1, .capacity = 1},
    {.name = "commission", .flag = "--commission", .type = SLAB_OPT_NUMBER, .metavar = "X",
     .def = "0.001", .min = 0, .max = NOMAX,
     .unit = "percent scheme: fraction of traded value per leg (0.001 = 0.1%); per_share: cash "
             "per share; fixed: cash per fill",
     .group = "Costs and fills", .help = "commission charged on every fill",
     .field = "broker.commission", .offset = OFF(broker.commission), .max_count = 1,
     .capacity = 1},
    {.name = "commission_scheme", .flag = "--commission-scheme", .type = SLAB_OPT_CHOICE,
     .metavar = "S", .def = "percent", .choices = "percent|per_share|fixed",
     .group = "Costs and fills", .help = "how --commission is read",
     .field = "broker.comm_scheme", .offset = OFF(broker.comm_scheme), .max_count = 1,
     .capacity = 1},
    {.name = "commission_min", .flag = "--commission-min", .type = SLAB_OPT_NUMBER,
     .metavar = "X", .def = "0", .min = 0, .max = NOMAX, .unit = "cash units per fill",
     .group = "Costs and fills", .help = "minimum commission per fill",
     .field = "broker.commission_min", .offset = OFF(broker.commission_min), .max_count = 1,
     .capacity = 1},
    {.name = "slippage_perc", .flag = "--slippage-perc", .type = SLAB_OPT_NUMBER, .metavar = "X",
     .def = "0", .min = 0, .max = 1, .max_excl = 1, .unit = "fraction (0.001 = 0.1%)",
     .group = "Costs and fills",
     .help = "slip fills by a fraction against the trader, opens included, capped at the "
             "bar's high/low (backtrader set_slippage_perc)",
     .field = "broker.slip_perc", .offset = OFF(broker.slip_perc), .max_count = 1,
     .capacity = 1},
    {.name = "slippage_fixed", .flag = "--slippage-fixed", .type = SLAB_OPT_NUMBER,
     .metavar = "X", .def = "0", .min = 0, .max = NOMAX, .unit = "price units",
     .group = "Costs and fills",
     .help = "the same as a price distance (set_slippage_fixed); give one of the two",
     .field = "broker.slip_fixed", .offset = OFF(broker.slip_fixed), .max_count = 1,
     .capacity = 1},
    {.name = "slip_open", .flag = "--slip-open", .negation = "--no-slip-open",
     .type = SLAB_OPT_FLAG, .group = "Costs and fills",
     .help = "slip fills at the open too (default on with a slippage)",
     .field = "broker.slip_open", .offset = OFF(broker.slip_open), .max_count = 1,
     .capacity = 1},
    {.name = "slip_match", .flag = "--slip-match", .negation = "--no-slip-match",
     .type = SLAB_OPT_FLAG, .group = "Costs and fills",
     .help = "cap a slipped price at the bar's high/low (default on); off: the order waits "
             "for a bar with room",
     .field = "broker.slip_match", .offset = OFF(broker.slip_match), .max_count = 1,
     .capacity = 1},
    {.name = "slip_limit", .flag = "--slip-limit", .negation = "--no-slip-limit",
     .type = SLAB_OPT_FLAG, .group = "Costs and fills",
     .help = "cap slipped limit fills at the limit even without --slip-match (default on)",
     .field = "broker.slip_limit", .offset = OFF(broker.slip_limit), .max_count = 1,
     .capacity = 1},
    {.name = "slip_out", .flag = "--slip-out", .negation = "--no-slip-out",
     .type = SLAB_OPT_FLAG, .group = "Costs and fills",
     .help = "keep a slipped price beyond the high/low instead of capping it (default off). "
             "The --slip-* switches need a slippage; defaults: backtrader set_slippage_*",
     .field = "broker.slip_out", .offset = OFF(broker.slip_out), .max_count = 1, .capacity = 1},
    {.name = "cheat_on_close", .flag = "--cheat-on-close", .type = SLAB_OPT_FLAG,
     .group = "Costs and fills",
     .help = "market orders fill at the close of the bar that sent them (backtrader set_coc; "
             "look-ahead, off by default)",
     .field = "broker.coc", .offset = OFF(broker.coc), .max_count = 1, .capacity = 1},
    {.name = "cheat_on_open", .flag = "--cheat-on-open", .type = SLAB_OPT_FLAG,
     .group = "Costs and fills",
     .help = "market orders sent from a strategy's next_open fill at that bar's open "
             "(backtrader cheat_on_open). No built-in has a next_open: for them it only moves "
             "the cash check of market orders from the creating close to the open",
     .field = "broker.coo", .offset = OFF(broker.coo), .max_count = 1, .capacity = 1},
    {.name = "pessimistic", .flag = "--pessimistic", .type = SLAB_OPT_FLAG,
     .group = "Costs and fills",
     .help = "a bar on which a stop-type exit and a limit target of the same position can "
             "both fill fills the stop; the target does not fill on that bar",
     .field = "broker.pessimistic", .offset = OFF(broker.pessimistic), .max_count = 1,
     .capacity = 1},
    {.name = "margin_call", .flag = "--margin-call", .type = SLAB_OPT_FLAG,
     .group = "Costs and fills",
     .help = "liquidate at the next open (exit reason margin) when the value falls to <= 0, "
             "or to the maintenance fraction of the position's value (off by default, as "
             "backtrader, which never liquidates)",
     .field = "broker.margin_call", .offset = OFF(broker.margin_call), .max_count = 1,
     .capacity = 1},
    {.name = "maintenance_margin", .flag = "--maintenance-margin", .type = SLAB_OPT_NUMBER,
     .metavar = "F", .def = "0", .min = 0, .max = 1, .max_excl = 1,
     .unit = "fraction of the position's value (0.25 = 25%)", .group = "Costs and fills",
     .help = "the margin call's maintenance level; needs --margin-call",
     .field = "broker.maintenance_margin", .offset = OFF(broker.maintenance_margin),
     .max_count = 1, .capacity = 1},
    {.name = "sizer", .flag = "--sizer", .type = SLAB_OPT_FORM, .metavar = "S",
     .def = "percent:95", .group = "Costs and fills",
     .help = "shares per entry: percent:95 (percent of cash at the signal's close, float "
             "shares), percent_int:95 (whole shares) or fixed:N (N shares)",
     .field = "broker.sizer", .offset = OFF(broker.sizer), .max_count = 1, .capacity = 1,
     .set = set_sizer},
    /* ---- risk ---- */
    {.name = "stop_loss", .flag = "--stop-loss", .type = SLAB_OPT_FORM, .metavar = "L",
     .group = "Risk", .unit = risk_units,
     .help = "exit stop placed when an entry fills, below a long's fill (above a short's)",
     .field = "risk.stop_loss", .offset = OFF(risk.stop_loss), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_JSON_NUMBER, .set = set_risk},
    {.name = "take_profit", .flag = "--take-profit", .type = SLAB_OPT_FORM, .metavar = "L",
     .group = "Risk", .unit = risk_units, .help = "limit target from the entry fill, same forms",
     .field = "risk.take_profit", .offset = OFF(risk.take_profit), .max_count = 1,
     .capacity = 1, .flags = SLAB_OPT_JSON_NUMBER, .set = set_risk},
    {.name = "trail", .flag = "--trail", .type = SLAB_OPT_FORM, .metavar = "T", .group = "Risk",
     .unit = "2% (percent of the close) or 0.75 (price distance)", .help = "trailing stop",
     .field = "risk.trail", .offset = OFF(risk.trail), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_JSON_NUMBER, .set = set_risk},
    {.name = "atr_period", .flag = "--atr-period", .type = SLAB_OPT_FORM, .metavar = "N",
     .group = "Risk", .unit = "bars",
     .help = "ATR period for atr levels (default 14; ATR at the fill bar's close, tried from "
             "the next bar)",
     .field = "risk.atr_period", .offset = OFF(risk.atr_period), .max_count = 1,
     .capacity = 1, .flags = SLAB_OPT_JSON_NUMBER, .set = set_risk},
    {.name = "time_exit", .flag = "--time-exit", .type = SLAB_OPT_FORM, .metavar = "N",
     .group = "Risk", .unit = "bars", .help = "close at the next open once held N bars",
     .field = "risk.time_exit_bars", .offset = OFF(risk.time_exit_bars), .max_count = 1,
     .capacity = 1, .flags = SLAB_OPT_JSON_NUMBER, .set = set_risk},
    {.name = "exit_at", .flag = "--exit-at", .type = SLAB_OPT_FORM, .metavar = "HH:MM",
     .group = "Risk",
     .help = "close on the first bar at/after this time of day (or the first bar of a later "
             "day), in the bars' own clock; intraday bars only",
     .field = "risk.exit_at_s", .offset = OFF(risk.exit_at_s), .max_count = 1, .capacity = 1,
     .set = set_risk},
    {.name = "max_position", .flag = "--max-position", .type = SLAB_OPT_FORM, .metavar = "Q",
     .group = "Risk", .unit = "100 (shares) or 50% (percent of the portfolio value)",
     .help = "most held; a larger order is cut to fit (reason in the order log)",
     .field = "risk.max_position_qty/pct", .offset = OFF(risk.max_position_qty),
     .max_count = 1, .capacity = 1, .flags = SLAB_OPT_JSON_NUMBER, .set = set_risk},
    {.name = "allow_pyramiding", .flag = "--allow-pyramiding", .type = SLAB_OPT_FLAG,
     .group = "Risk",
     .help = "let entries add to an open position (default: one position per symbol, adding "
             "is rejected)",
     .field = "risk.allow_pyramiding", .offset = OFF(risk.allow_pyramiding), .max_count = 1,
     .capacity = 1},
    /* ---- C strategy scripts ----
     * The limits' ranges are the script module's (slab_script_limits_check
     * in script.h, a layer above this one), so the rows take any number and
     * `run` reports that check's message ("--timeout 0 is outside 0.1..600
     * seconds"). */
    {.name = "script", .flag = "--script", .type = SLAB_OPT_TEXT, .metavar = "FILE.c",
     .group = "Scripts",
     .help = "a C strategy script instead of --strategy, compiled and run in a sandbox (see: "
             "stratlab script templates, stratlab validate); every option applies; without "
             "--data/--symbol the script's `//! stratlab run:` line names the data",
     .field = "script", .offset = OFF(script), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
    {.name = "timeout", .flag = "--timeout", .type = SLAB_OPT_NUMBER, .metavar = "S", .min = -NOMAX,
     .max = NOMAX, .unit = "seconds", .group = "Scripts",
     .help = "script: wall-clock limit of the run (default 30, max 600)",
     .field = "script_timeout_s", .offset = OFF(script_timeout_s), .max_count = 1,
     .capacity = 1},
    {.name = "cpu_limit", .flag = "--cpu-limit", .type = SLAB_OPT_NUMBER, .metavar = "S",
     .min = -NOMAX, .max = NOMAX, .unit = "seconds", .group = "Scripts",
     .help = "script: CPU-time limit (default: the timeout)", .field = "script_cpu_s",
     .offset = OFF(script_cpu_s), .max_count = 1, .capacity = 1},
    {.name = "memory", .flag = "--memory", .type = SLAB_OPT_NUMBER, .metavar = "MB", .min = -NOMAX,
     .max = NOMAX, .unit = "MiB", .group = "Scripts",
     .help = "script: memory beyond the runner's own (default 512, 16..16384)",
     .field = "script_memory_mb", .offset = OFF(script_memory_mb), .max_count = 1,
     .capacity = 1},
    {.name = "output_limit", .flag = "--output-limit", .type = SLAB_OPT_NUMBER,
     .metavar = "BYTES", .min = -NOMAX, .max = NOMAX, .unit = "bytes",
     .group = "Scripts",
     .help = "script: most bytes of log, and of trades and orders, it may send back (default "
             "10485760, 1024..268435456)",
     .field = "script_output_bytes", .offset = OFF(script_output_bytes), .max_count = 1,
     .capacity = 1},
    {.name = "compile_timeout", .flag = "--compile-timeout", .type = SLAB_OPT_NUMBER,
     .metavar = "S", .min = -NOMAX, .max = NOMAX, .unit = "seconds",
     .group = "Scripts", .help = "script: wall-clock limit of the compiler (default 30)",
     .field = "script_compile_timeout_s", .offset = OFF(script_compile_timeout_s),
     .max_count = 1, .capacity = 1},
    {.name = "compare", .flag = "--compare", .type = SLAB_OPT_TEXT, .metavar = "NAME=V1,V2",
     .group = "Scripts", .help = "script: one run per value of parameter NAME, side by side",
     .field = "compare", .offset = OFF(compare), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
    /* ---- output ---- */
    {.name = "json", .flag = "--json", .type = SLAB_OPT_FLAG, .group = "Output",
     .help = "print the whole result document as JSON (and any error as a JSON error document "
             "on stdout)",
     .field = "json", .offset = OFF(json), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
    {.name = "orders", .flag = "--orders", .type = SLAB_OPT_FLAG, .group = "Output",
     .help = "include the order log in the document", .field = "orders", .offset = OFF(orders),
     .max_count = 1, .capacity = 1},
    {.name = "trades", .flag = "--trades", .type = SLAB_OPT_FORM, .metavar = "N|all",
     .def = "100", .group = "Output",
     .help = "trades listed in the document (trades_total always gives the count)",
     .field = "max_trades", .offset = OFF(max_trades), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_JSON_NUMBER, .set = set_trades},
    {.name = "out", .flag = "--out", .type = SLAB_OPT_TEXT, .metavar = "FILE", .group = "Output",
     .help = "write the JSON document to FILE", .field = "out", .offset = OFF(out),
     .max_count = 1, .capacity = 1, .flags = SLAB_OPT_CLI_ONLY},
    {.name = "equity", .flag = "--equity", .type = SLAB_OPT_TEXT, .metavar = "FILE",
     .group = "Output", .help = "write the cash and value after every bar as CSV",
     .field = "equity", .offset = OFF(equity), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
    {.name = "series", .flag = "--series", .negation = "--no-series", .type = SLAB_OPT_FLAG,
     .group = "Output",
     .help = "include the per-bar series (times, closes, values) in the document, for "
             "stratlab report and compare (about 50 bytes a bar; off by default, so the "
             "document stays small and the same through the CLI, HTTP and MCP)",
     .field = "series", .offset = OFF(series), .max_count = 1, .capacity = 1},
    {.name = "report", .flag = "--report", .type = SLAB_OPT_TEXT, .metavar = "FILE",
     .group = "Output",
     .help = "write the HTML report (charts, statistics, trades) to FILE.html, or one chart "
             "as FILE.svg or FILE.png",
     .field = "report", .offset = OFF(report), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
    {.name = "lang", .flag = "--lang", .type = SLAB_OPT_CHOICE, .metavar = "L", .def = "en",
     .choices = "en|zh", .group = "Output",
     .help = "language of the text output (headline, statistics and summary; the document's "
             "summary too, with summary_lang), the --report page and a spec run's diagnosis",
     .field = "lang", .offset = OFF(lang), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
    {.name = "config", .flag = "--config", .type = SLAB_OPT_TEXT, .metavar = "FILE",
     .group = "Output",
     .help = "read run options from a JSON object in FILE (keys as in --schema); flags on the "
             "command line override it",
     .field = "config", .offset = OFF(config), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
    {.name = "schema", .flag = "--schema", .type = SLAB_OPT_FLAG, .group = "Output",
     .help = "print the JSON Schema of the run options (what --config and requests take)",
     .field = "schema", .offset = OFF(schema), .max_count = 1, .capacity = 1,
     .flags = SLAB_OPT_CLI_ONLY},
};

#define N_ROWS (sizeof table / sizeof table[0])
_Static_assert(N_ROWS <= SLAB_RUN_OPTIONS_ROWS, "raise SLAB_RUN_OPTIONS_ROWS");

const slab_opt_def *slab_run_options_table(size_t *n)
{
    *n = N_ROWS;
    return table;
}

const slab_opt_def *slab_run_options_find(const char *s)
{
    for (size_t i = 0; i < N_ROWS; i++)
        if (!strcmp(table[i].name, s) || !strcmp(table[i].flag, s) ||
            (table[i].negation && !strcmp(table[i].negation, s)))
            return &table[i];
    return NULL;
}

static size_t row_index(const slab_opt_def *d) { return (size_t)(d - table); }

int slab_run_options_given(const slab_run_options *o, const slab_opt_def *d)
{
    return o->given[row_index(d)];
}

/* ---- storing values -------------------------------------------------------- */

static void *field(slab_run_options *o, const slab_opt_def *d)
{
    return (char *)o + d->offset;
}

/* Copies text into o's own buffer; NULL when it is full. */
static const char *keep(slab_run_options *o, const char *s, size_t len)
{
    if (o->text_used + len + 1 > sizeof o->text)
        return NULL;
    char *p = o->text + o->text_used;
    memcpy(p, s, len);
    p[len] = '\0';
    o->text_used += len + 1;
    return p;
}

/* "a number > 0", "a whole number in [1, 10]" ... for messages. */
static const char *bounds_text(const slab_opt_def *d, char *buf, size_t n)
{
    char lo[SLAB_NUM_TEXT_MAX], hi[SLAB_NUM_TEXT_MAX];
    const char *what = d->type == SLAB_OPT_INT ? "a whole number" : "a number";
    slab_num_format(d->min, lo, sizeof lo);
    slab_num_format(d->max, hi, sizeof hi);
    if (isinf(d->max))
        snprintf(buf, n, "%s %s %s", what, d->min_excl ? ">" : ">=", lo);
    else
        snprintf(buf, n, "%s in %c%s, %s%c", what, d->min_excl ? '(' : '[', lo, hi,
                 d->max_excl ? ')' : ']');
    return buf;
}

static slab_status store_number(slab_run_options *o, const slab_opt_def *d, double v,
                                const char *text, slab_error *err)
{
    char b[96];
    int low = d->min_excl ? !(v > d->min) : !(v >= d->min);
    int high = d->max_excl ? !(v < d->max) : !(v <= d->max);
    if (!isfinite(v) || low || high || (d->type == SLAB_OPT_INT && v != floor(v)))
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL, "%s must be %s%s%s%s, got %s",
                               d->name, bounds_text(d, b, sizeof b), d->unit ? " (" : "",
                               d->unit ? d->unit : "", d->unit ? ")" : "", text);
    if (d->type == SLAB_OPT_INT)
        *(long *)field(o, d) = (long)v;
    else
        *(double *)field(o, d) = v;
    return SLAB_OK;
}

/* Appends text to a repeatable row's array. */
static slab_status append(slab_run_options *o, const slab_opt_def *d, const char *text,
                          slab_error *err)
{
    size_t *count = (size_t *)((char *)o + d->count_offset);
    const char **arr = (const char **)field(o, d);
    if (*count >= (size_t)d->max_count) {
        if (d->max_count == 1)
            slab_error_fail(err, SLAB_EC_REPEATED_OPTION, NULL,
                            "%s given twice ('%s', then '%s'); a run takes one", d->name, arr[0],
                            text);
        else
            slab_error_fail(err, SLAB_EC_REPEATED_OPTION, NULL, "%s given more than %d times",
                            d->name, d->max_count);
        if (d->repeat_fix)
            slab_error_fix(err, "%s", d->repeat_fix);
        return SLAB_EINVAL;
    }
    arr[(*count)++] = text;
    return SLAB_OK;
}

/* One choice word's index in d->choices ("a|b|c"), or -1. */
static int choice_index(const slab_opt_def *d, const char *s)
{
    const char *p = d->choices;
    size_t len = strlen(s);
    for (int k = 0; p; k++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && !strncmp(p, s, n))
            return k;
        p = bar ? bar + 1 : NULL;
    }
    return -1;
}

/* The words of d->choices, for suggestions. */
static size_t choice_words(const slab_opt_def *d, char *buf, size_t cap, const char **w, size_t nw)
{
    size_t n = 0;
    snprintf(buf, cap, "%s", d->choices);
    for (char *p = buf; p && n < nw;) {
        w[n++] = p;
        p = strchr(p, '|');
        if (p)
            *p++ = '\0';
    }
    return n;
}

/* Parses and stores one value for d (text NULL: a FLAG; on = 0 for its
 * negation). The generic store per type; FORM rows call d->set. */
static slab_status set_value(slab_run_options *o, const slab_opt_def *d, int on, const char *text,
                             slab_error *err)
{
    char *end;
    double v;
    switch (d->type) {
    case SLAB_OPT_FLAG:
        *(int *)field(o, d) = on;
        return SLAB_OK;
    case SLAB_OPT_NUMBER:
    case SLAB_OPT_INT:
        v = strtod(text, &end);
        if (end == text || *end)
            return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL, "%s expects %s, got '%s'",
                                   d->name,
                                   d->type == SLAB_OPT_INT ? "a whole number" : "a number", text);
        return store_number(o, d, v, text, err);
    case SLAB_OPT_TEXT:
        if (!*text)
            return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL, "%s expects %s, got an empty text",
                                   d->name, d->metavar);
        if (d->count_offset)
            return append(o, d, text, err);
        *(const char **)field(o, d) = text;
        return SLAB_OK;
    case SLAB_OPT_CHOICE: {
        int k = choice_index(d, text);
        if (k < 0) {
            char words[256];
            const char *w[16];
            size_t n = choice_words(d, words, sizeof words, w, 16);
            slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL, "%s is one of %s, got '%s'", d->name,
                            d->choices, text);
            const char *best = slab_error_suggest(err, text, w, n);
            if (best)
                slab_error_fix(err, "did you mean %s?", best);
            return SLAB_EINVAL;
        }
        *(int *)field(o, d) = k;
        return SLAB_OK;
    }
    case SLAB_OPT_PAIR: {
        const char *eq = strchr(text, '=');
        if (!eq || eq == text)
            return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL, "%s expects %s, got '%s'",
                                   d->name, d->metavar, text);
        if (d->set)
            return d->set(o, d, text, err);
        return append(o, d, text, err);
    }
    case SLAB_OPT_FORM: return d->set(o, d, text, err);
    }
    return slab_error_fail(err, SLAB_EC_INTERNAL_ERROR, NULL, "option %s has no type", d->name);
}

/* Puts the location on err: the flag (command line, default) or the JSON
 * pointer prefix/name[/sub], and names the option in the message. */
static void locate(const slab_run_options *o, const slab_opt_def *d, int src, const char *sub,
                   slab_error *err)
{
    char where[SLAB_ERR_WHERE_MAX];
    if (!err)
        return;
    if (src == SRC_JSON) {
        snprintf(where, sizeof where, "%s/%s%s%s", o->json_prefix, d->name, sub ? "/" : "",
                 sub ? sub : "");
        slab_error_at_pointer(err, where);
    } else {
        slab_error_at_option(err, d->flag);
    }
}

/* Makes err's message name the option as the user wrote it (the flag, or
 * the JSON key): a message that starts with the row's name gets that name
 * replaced; any other gets "label: " in front. */
static void name_it(const slab_opt_def *d, int src, slab_error *err)
{
    const char *label = src == SRC_JSON ? d->name : d->flag;
    size_t n = strlen(d->name), m = strlen(label), skip = 0, l;
    char msg[SLAB_ERR_MSG_MAX];
    if (!err)
        return;
    if (!strncmp(err->msg, d->name, n) && err->msg[n] == ' ')
        skip = n;
    snprintf(msg, sizeof msg, "%s", err->msg + skip);
    l = strlen(msg);
    if (m + 2 + l >= sizeof err->msg)
        l = sizeof err->msg - m - 3;
    memcpy(err->msg, label, m);
    if (skip) {
        memcpy(err->msg + m, msg, l);
        err->msg[m + l] = '\0';
    } else {
        memcpy(err->msg + m, ": ", 2);
        memcpy(err->msg + m + 2, msg, l);
        err->msg[m + 2 + l] = '\0';
    }
}

/* set_value plus the bookkeeping: a repeatable row given on the command
 * line replaces what a JSON file gave it. */
static slab_status set_from(slab_run_options *o, const slab_opt_def *d, int on, const char *text,
                            int src, const char *sub, slab_error *err)
{
    size_t r = row_index(d);
    if (d->count_offset && src == SRC_FLAG && o->given[r] == SRC_JSON)
        *(size_t *)((char *)o + d->count_offset) = 0;
    slab_status st = set_value(o, d, on, text, err);
    if (st != SLAB_OK) {
        name_it(d, src, err);
        locate(o, d, src, sub, err);
        return st;
    }
    if (src != SRC_DEFAULT)
        o->given[r] = (unsigned char)src;
    return SLAB_OK;
}

slab_status slab_run_options_set(slab_run_options *o, const slab_opt_def *d, int negated,
                                 const char *text, slab_error *err)
{
    return set_from(o, d, !negated, text, SRC_FLAG, NULL, err);
}

void slab_run_options_init(slab_run_options *o)
{
    memset(o, 0, sizeof *o);
    slab_broker_config_default(&o->broker);
    o->from_ns = INT64_MIN;
    o->to_ns = INT64_MAX;
    for (size_t i = 0; i < N_ROWS; i++)
        if (table[i].def) {
            slab_status st = set_from(o, &table[i], 1, table[i].def, SRC_DEFAULT, NULL, NULL);
            (void)st; /* the defaults are checked by test_options */
        }
}

/* ---- the FORM setters ---------------------------------------------------------- */

static slab_status set_sizer(slab_run_options *o, const slab_opt_def *d, const char *text,
                             slab_error *err)
{
    (void)d;
    slab_status st = slab_sizer_parse(text, &o->broker.sizer, err);
    if (st != SLAB_OK && err)
        err->id = SLAB_EC_BAD_VALUE;
    return st;
}

/* slab_risk_set() under the row's name (its message starts with that
 * name, which name_it() turns into the flag or JSON key). */
static slab_status set_risk(slab_run_options *o, const slab_opt_def *d, const char *text,
                            slab_error *err)
{
    slab_status st = slab_risk_set(&o->risk, d->name, text, err);
    slab_error_set_code(st != SLAB_OK ? err : NULL, SLAB_EC_BAD_VALUE);
    return st;
}

static slab_status set_trades(slab_run_options *o, const slab_opt_def *d, const char *text,
                              slab_error *err)
{
    char *end;
    if (!strcmp(text, "all")) {
        o->max_trades = -1;
        return SLAB_OK;
    }
    long v = strtol(text, &end, 10);
    if (end == text || *end || v < 0)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                               "%s expects a count >= 0 or 'all', got '%s'", d->name, text);
    o->max_trades = v;
    return SLAB_OK;
}

static slab_status set_timeframe(slab_run_options *o, const slab_opt_def *d, const char *text,
                                 slab_error *err)
{
    (void)d;
    slab_status st = slab_timeframe_parse(text, &o->tf, &o->tf_compression, err);
    if (st != SLAB_OK) {
        if (err)
            err->id = SLAB_EC_BAD_VALUE;
        return st;
    }
    o->timeframe = text;
    return SLAB_OK;
}

/* "YYYY" or "YYYY-MM": 1 and the period's first day and its day count. */
static int year_or_month(const char *s, int64_t *day, int64_t *n_days)
{
    int y, m = 0, len = (int)strlen(s);
    if (len == 4 && sscanf(s, "%4d", &y) == 1 && strspn(s, "0123456789") == 4) {
        *day = slab_days_from_civil(y, 1, 1);
        *n_days = slab_days_from_civil(y + 1, 1, 1) - *day;
        return 1;
    }
    if (len == 7 && s[4] == '-' && strspn(s, "0123456789") == 4 &&
        strspn(s + 5, "0123456789") == 2 && sscanf(s, "%4d-%2d", &y, &m) == 2 && m >= 1 &&
        m <= 12) {
        *day = slab_days_from_civil(y, m, 1);
        *n_days = slab_days_in_month(y, m);
        return 1;
    }
    return 0;
}

/* --from is the start of what it names, --to the end (a date without a
 * time covers the whole day, a year the whole year). */
static slab_status set_date(slab_run_options *o, const slab_opt_def *d, const char *text,
                            slab_error *err)
{
    int is_to = !strcmp(d->name, "to"), has_time = 0, year = 0;
    int64_t day, n_days, ts;
    /* Nanosecond timestamps reach 1677-09-21 .. 2262-04-11: whole years
     * inside that span, as the CSV loader keeps them. */
    if (sscanf(text, "%4d", &year) == 1 && strspn(text, "0123456789") >= 4 &&
        (year < 1678 || year > 2261))
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                               "date '%s' is outside 1678..2261 (the years nanosecond timestamps "
                               "reach)",
                               text);
    if (year_or_month(text, &day, &n_days)) {
        ts = (day + (is_to ? n_days : 0)) * SLAB_NS_PER_DAY - is_to;
    } else if (slab_time_parse(text, strlen(text), &ts, &has_time, NULL) == SLAB_OK) {
        if (!has_time && is_to)
            ts += SLAB_NS_PER_DAY - 1;
    } else {
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                               "%s expects a date YYYY-MM-DD (or YYYY, YYYY-MM, YYYY-MM-DD "
                               "HH:MM[:SS]), got '%s'",
                               d->name, text);
    }
    *(const char **)field(o, d) = text;
    *(is_to ? &o->to_ns : &o->from_ns) = ts;
    return SLAB_OK;
}

/* --date D: the whole of day D, as --from D --to D would give. */
static slab_status set_day(slab_run_options *o, const slab_opt_def *d, const char *text,
                           slab_error *err)
{
    int64_t ts;
    int has_time = 0;
    if (slab_time_parse(text, strlen(text), &ts, &has_time, NULL) != SLAB_OK || has_time ||
        strlen(text) != 10)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                               "%s expects one day as YYYY-MM-DD, got '%s'", d->name, text);
    int64_t day = slab_ts_day(ts);
    if (day < SLAB_DAY_MIN || day > SLAB_DAY_MAX)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                               "date '%s' is outside 1678..2261 (the years nanosecond timestamps "
                               "reach)",
                               text);
    *(const char **)field(o, d) = text;
    o->from_ns = day * SLAB_NS_PER_DAY;
    o->to_ns = o->from_ns + SLAB_NS_PER_DAY - 1;
    return SLAB_OK;
}

/* ROLE=NAME into the CSV options' column names. */
static slab_status set_column(slab_run_options *o, const slab_opt_def *d, const char *text,
                              slab_error *err)
{
    static const char *const roles[] = {"date", "time",  "open",   "high",
                                        "low",  "close", "volume", "oi"};
    const char **slot[] = {&o->csv.col_date, &o->csv.col_time,  &o->csv.col_open,
                           &o->csv.col_high, &o->csv.col_low,   &o->csv.col_close,
                           &o->csv.col_volume, &o->csv.col_oi};
    const char *eq = strchr(text, '=');
    char role[32];
    snprintf(role, sizeof role, "%.*s", (int)(eq - text), text);
    for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++)
        if (!strcmp(role, roles[k])) {
            if (!eq[1])
                return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                                       "%s expects ROLE=NAME with a column name after '=', got "
                                       "'%s'",
                                       d->name, text);
            *slot[k] = eq + 1;
            return SLAB_OK;
        }
    slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
              "unknown column role '%s': ROLE is date, time, open, high, low, close, volume or oi",
              role);
    const char *best = slab_error_suggest(err, role, roles, sizeof roles / sizeof roles[0]);
    if (best)
        slab_error_fix(err, "did you mean %s=%s?", best, eq + 1);
    return SLAB_EINVAL;
}

/* ---- the command line ---------------------------------------------------------- */

/* Fails with unknown_option and the closest flag. */
static slab_status unknown_flag(const char *flag, size_t len, slab_error *err)
{
    const char *names[2 * N_ROWS];
    char word[128];
    size_t n = 0;
    for (size_t i = 0; i < N_ROWS; i++) {
        names[n++] = table[i].flag;
        if (table[i].negation)
            names[n++] = table[i].negation;
    }
    snprintf(word, sizeof word, "%.*s", (int)len, flag);
    slab_error_fail(err, SLAB_EC_UNKNOWN_OPTION, NULL, "unknown option '%s'", word);
    slab_error_at_option(err, word);
    const char *best = slab_error_suggest(err, word, names, n);
    if (best && err) {
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l, "; did you mean %s?", best);
        slab_error_fix(err, "use %s (every option: stratlab run --help)", best);
    } else {
        slab_error_fix(err, "see every option with: stratlab run --help");
    }
    return SLAB_EINVAL;
}

slab_status slab_run_options_parse_args(slab_run_options *o, int argc, char **argv,
                                        slab_error *err)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '='), *value = NULL;
        char flag[128];
        if (strncmp(a, "--", 2) || !a[2]) {
            slab_error_fail(err, SLAB_EC_UNKNOWN_OPTION, NULL,
                      "unexpected argument '%s': options start with --", a);
            slab_error_fix(err, "see every option with: stratlab run --help");
            return SLAB_EINVAL;
        }
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        snprintf(flag, sizeof flag, "%.*s", (int)(len < sizeof flag ? len : sizeof flag - 1), a);
        const slab_opt_def *d = slab_run_options_find(flag);
        if (!d)
            return unknown_flag(a, len, err);
        int negated = d->negation && !strcmp(flag, d->negation);
        if (d->type == SLAB_OPT_FLAG) {
            if (eq) {
                slab_error_fail(err, SLAB_EC_BAD_VALUE, flag, "%s takes no value, got '%s'", flag,
                                a);
                return SLAB_EINVAL;
            }
        } else if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            slab_error_fail(err, SLAB_EC_MISSING_VALUE, flag, "%s needs a value (%s)", flag,
                            d->metavar);
            return SLAB_EINVAL;
        }
        slab_status st = set_from(o, d, !negated, value, SRC_FLAG, NULL, err);
        if (st != SLAB_OK)
            return st;
    }
    return SLAB_OK;
}

/* ---- JSON requests -------------------------------------------------------------- */

/* A JSON scalar as option text (kept in o's buffer when it is not a
 * string); NULL with *why set when it has no text form. */
static const char *scalar_text(slab_run_options *o, const json_t *v, int numbers,
                               const char **why)
{
    char buf[SLAB_NUM_TEXT_MAX];
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v) && numbers) {
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return keep(o, buf, strlen(buf));
    }
    if (json_is_real(v) && numbers) {
        slab_num_format(json_real_value(v), buf, sizeof buf);
        return keep(o, buf, strlen(buf));
    }
    if (json_is_boolean(v) && numbers) {
        return json_is_true(v) ? "true" : "false";
    }
    *why = numbers ? "a string or a number" : "a string";
    return NULL;
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Fails with a type mismatch at d (sub: an index or member). */
static slab_status wrong_type(slab_run_options *o, const slab_opt_def *d, const json_t *v,
                              const char *want, const char *sub, slab_error *err)
{
    slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL, "%s must be %s, got %s", d->name, want,
              json_type_name(v));
    locate(o, d, SRC_JSON, sub, err);
    return SLAB_EINVAL;
}

/* One PAIR member name=value from an object member. */
static slab_status json_pair(slab_run_options *o, const slab_opt_def *d, const char *key,
                             const json_t *v, slab_error *err)
{
    const char *why = NULL, *t = scalar_text(o, v, 1, &why);
    char buf[512];
    if (!t)
        return wrong_type(o, d, v, why, key, err);
    int n = snprintf(buf, sizeof buf, "%s=%s", key, t);
    const char *kept = n > 0 && (size_t)n < sizeof buf ? keep(o, buf, (size_t)n) : NULL;
    if (!kept) {
        slab_error_fail(err, SLAB_EC_LIMIT_REACHED, NULL, "too much option text (limit %d bytes)",
                  SLAB_RUN_TEXT_MAX);
        locate(o, d, SRC_JSON, key, err);
        return SLAB_ELIMIT;
    }
    return set_from(o, d, 1, kept, SRC_JSON, key, err);
}

/* One JSON value for row d. */
static slab_status json_value(slab_run_options *o, const slab_opt_def *d, const json_t *v,
                              slab_error *err)
{
    const char *why = NULL, *t;
    char idx[24];
    switch (d->type) {
    case SLAB_OPT_FLAG:
        if (!json_is_boolean(v))
            return wrong_type(o, d, v, "true or false", NULL, err);
        return set_from(o, d, json_is_true(v), NULL, SRC_JSON, NULL, err);
    case SLAB_OPT_NUMBER:
    case SLAB_OPT_INT: {
        char text[SLAB_NUM_TEXT_MAX];
        if (!json_is_number(v))
            return wrong_type(o, d, v, "a number", NULL, err);
        slab_num_format(json_number_value(v), text, sizeof text);
        slab_status st = store_number(o, d, json_number_value(v), text, err);
        if (st != SLAB_OK) {
            name_it(d, SRC_JSON, err);
            locate(o, d, SRC_JSON, NULL, err);
            return st;
        }
        o->given[row_index(d)] = SRC_JSON;
        return SLAB_OK;
    }
    case SLAB_OPT_PAIR: {
        const char *key;
        json_t *m;
        if (json_is_object(v)) {
            json_object_foreach((json_t *)v, key, m)
            {
                slab_status st = json_pair(o, d, key, m, err);
                if (st != SLAB_OK)
                    return st;
            }
            return SLAB_OK;
        }
        if (!json_is_array(v))
            return wrong_type(o, d, v, "an object", NULL, err);
        __attribute__((fallthrough)); /* an array of "NAME=VALUE" strings */
    }
    default:
        if (json_is_array(v) && (d->count_offset || d->type == SLAB_OPT_PAIR)) {
            for (size_t k = 0; k < json_array_size(v); k++) {
                json_t *e = json_array_get(v, k);
                snprintf(idx, sizeof idx, "%zu", k);
                if (!json_is_string(e))
                    return wrong_type(o, d, e, "a string", idx, err);
                slab_status st = set_from(o, d, 1, json_string_value(e), SRC_JSON, idx, err);
                if (st != SLAB_OK)
                    return st;
            }
            return SLAB_OK;
        }
        t = scalar_text(o, v, (d->flags & SLAB_OPT_JSON_NUMBER) != 0, &why);
        if (!t)
            return wrong_type(o, d, v,
                              d->count_offset ? "a string or an array of strings" : why, NULL,
                              err);
        return set_from(o, d, 1, t, SRC_JSON, NULL, err);
    }
}

/* Appends s to dst (cap bytes), cut when full. */
static void cat(char *dst, size_t cap, const char *s)
{
    size_t l = strlen(dst), n = strlen(s);
    if (l + 1 >= cap)
        return;
    if (n > cap - l - 1)
        n = cap - l - 1;
    memcpy(dst + l, s, n);
    dst[l + n] = '\0';
}

/* Adds one problem to the collected message; keeps the first in *first. */
static void collect(slab_error *first, int *n, const slab_error *e, char *all, size_t cap)
{
    if ((*n)++ == 0)
        *first = *e;
    if (all[0])
        cat(all, cap, "; ");
    cat(all, cap, e->where);
    cat(all, cap, ": ");
    cat(all, cap, e->msg);
}

slab_status slab_run_options_apply_json(slab_run_options *o, const json_t *obj,
                                        const char *prefix, slab_error *err)
{
    slab_error first, one;
    char all[SLAB_ERR_MSG_MAX] = "";
    const char *key;
    json_t *v;
    int n = 0;

    snprintf(o->json_prefix, sizeof o->json_prefix, "%s", prefix ? prefix : "");
    if (!json_is_object(obj)) {
        slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL, "run options must be a JSON object, got %s",
                  obj ? json_type_name(obj) : "nothing");
        slab_error_at_pointer(err, o->json_prefix);
        return SLAB_EINVAL;
    }
    json_object_foreach((json_t *)obj, key, v)
    {
        const slab_opt_def *d = NULL;
        for (size_t i = 0; i < N_ROWS && !d; i++)
            if (!strcmp(table[i].name, key))
                d = &table[i];
        if (!d || (d->flags & SLAB_OPT_CLI_ONLY)) {
            const char *names[N_ROWS];
            size_t m = 0;
            char where[SLAB_ERR_WHERE_MAX];
            for (size_t i = 0; i < N_ROWS; i++)
                if (!(table[i].flags & SLAB_OPT_CLI_ONLY))
                    names[m++] = table[i].name;
            if (d)
                slab_error_fail(&one, SLAB_EC_UNKNOWN_OPTION, NULL,
                          "'%s' is a command-line option; a request cannot set it", key);
            else
                slab_error_fail(&one, SLAB_EC_UNKNOWN_OPTION, NULL, "unknown option '%s'", key);
            const char *best = d ? NULL : slab_error_suggest(&one, key, names, m);
            if (best) {
                size_t l = strlen(one.msg);
                snprintf(one.msg + l, sizeof one.msg - l, "; did you mean %s?", best);
            }
            snprintf(where, sizeof where, "%s/%s", o->json_prefix, key);
            slab_error_at_pointer(&one, where);
            collect(&first, &n, &one, all, sizeof all);
            continue;
        }
        if (json_value(o, d, v, &one) != SLAB_OK)
            collect(&first, &n, &one, all, sizeof all);
    }
    if (n == 0)
        return SLAB_OK;
    if (err) {
        *err = first;
        if (n > 1) {
            snprintf(err->msg, sizeof err->msg, "%d problems: ", n);
            cat(err->msg, sizeof err->msg, all);
        }
    }
    return first.code;
}

/* ---- rules between options --------------------------------------------------------- */

/* Fails with code at row d (named as the user gave it). */
static slab_status rule(const slab_run_options *o, const slab_opt_def *d, slab_errcode code,
                        slab_error *err, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static slab_status rule(const slab_run_options *o, const slab_opt_def *d, slab_errcode code,
                        slab_error *err, const char *fmt, ...)
{
    char msg[SLAB_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slab_status st = slab_error_fail(err, code, NULL, "%s", msg);
    locate(o, d, o->given[row_index(d)], NULL, err);
    return st;
}

/* The name a user knows an option by: its flag, or its JSON key when it
 * came from JSON. */
static const char *label(const slab_run_options *o, const char *name)
{
    const slab_opt_def *d = slab_run_options_find(name);
    return o->given[row_index(d)] == SRC_JSON ? d->name : d->flag;
}

/* The label of a FLAG row as given (its negation when turned off). */
static const char *flag_label(const slab_run_options *o, const slab_opt_def *d)
{
    if (o->given[row_index(d)] == SRC_JSON)
        return d->name;
    return *(int *)((char *)o + d->offset) || !d->negation ? d->flag : d->negation;
}

static slab_status slip_rules(slab_run_options *o, slab_error *err)
{
    static const char *const slips[4] = {"slip_open", "slip_match", "slip_limit", "slip_out"};
    slab_broker_config *c = &o->broker;
    int slipping = c->slip_perc != 0.0 || c->slip_fixed != 0.0;
    int *val[4] = {&c->slip_open, &c->slip_match, &c->slip_limit, &c->slip_out};
    const int def[4] = {slipping, 1, 1, 0};
    if (c->slip_perc != 0.0 && c->slip_fixed != 0.0)
        return rule(o, slab_run_options_find("slippage_fixed"), SLAB_EC_CONFLICTING_OPTIONS, err,
                    "give one of %s or %s", label(o, "slippage_perc"),
                    label(o, "slippage_fixed"));
    for (int k = 0; k < 4; k++) {
        const slab_opt_def *d = slab_run_options_find(slips[k]);
        if (!o->given[row_index(d)]) {
            *val[k] = def[k];
        } else if (!slipping) {
            return rule(o, d, SLAB_EC_CONFLICTING_OPTIONS, err, "%s needs %s or %s",
                        flag_label(o, d), label(o, "slippage_perc"), label(o, "slippage_fixed"));
        }
    }
    if (c->slip_out && !c->slip_match && !c->slip_limit)
        return rule(o, slab_run_options_find("slip_out"), SLAB_EC_CONFLICTING_OPTIONS, err,
                    "%s changes only capped fills; it has no effect with %s and %s",
                    label(o, "slip_out"), flag_label(o, slab_run_options_find("slip_match")),
                    flag_label(o, slab_run_options_find("slip_limit")));
    return SLAB_OK;
}

/* The script-only options need --script. */
static slab_status script_rules(const slab_run_options *o, slab_error *err)
{
    static const char *const only[] = {"timeout", "cpu_limit", "memory", "output_limit",
                                       "compile_timeout", "compare"};
    for (size_t k = 0; k < sizeof only / sizeof only[0] && !o->script; k++) {
        const slab_opt_def *d = slab_run_options_find(only[k]);
        if (o->given[row_index(d)])
            return rule(o, d, SLAB_EC_CONFLICTING_OPTIONS, err, "%s needs %s", label(o, only[k]),
                        label(o, "script"));
    }
    return SLAB_OK;
}

slab_status slab_run_options_check(slab_run_options *o, slab_error *err)
{
    const slab_broker_config *c = &o->broker;
    slab_status st;
    int ways = (o->strategy != NULL) + (o->spec != NULL) + (o->script != NULL);
    if (ways != 1)
        return rule(o, slab_run_options_find(o->script ? "script" : o->spec ? "spec" : "strategy"),
                    ways ? SLAB_EC_CONFLICTING_OPTIONS : SLAB_EC_MISSING_OPTION, err,
                    "give one of %s NAME, %s FILE or %s FILE.c (the built-ins: stratlab "
                    "strategies)",
                    label(o, "strategy"), label(o, "spec"), label(o, "script"));
    if (o->spec && o->n_params)
        return rule(o, slab_run_options_find("params"), SLAB_EC_CONFLICTING_OPTIONS, err,
                    "%s is for built-ins and scripts; a spec's parameters are in its formulas",
                    label(o, "params"));
    if ((st = script_rules(o, err)) != SLAB_OK)
        return st;
    /* A spec's data section or a script's hint line may name the data. */
    if (o->n_data + o->n_symbols == 0 && !o->script && !o->spec)
        return rule(o, slab_run_options_find("data"), SLAB_EC_MISSING_OPTION, err,
                    "give exactly one of %s FILE or %s SYM", label(o, "data"),
                    label(o, "symbol"));
    if (o->date && (o->from || o->to))
        return rule(o, slab_run_options_find("date"), SLAB_EC_CONFLICTING_OPTIONS, err,
                    "give %s D or %s/%s, not both", label(o, "date"), label(o, "from"),
                    label(o, "to"));
    if (o->n_data && o->n_symbols)
        return rule(o, slab_run_options_find("symbol"), SLAB_EC_CONFLICTING_OPTIONS, err,
                    "give exactly one of %s FILE or %s SYM, not both", label(o, "data"),
                    label(o, "symbol"));
    if (o->from_ns > o->to_ns) {
        st = rule(o, slab_run_options_find("from"), SLAB_EC_REVERSED_RANGE, err,
                  "the range is reversed: %s %s is after %s %s", label(o, "from"), o->from,
                  label(o, "to"), o->to);
        slab_error_fix(err, "swap them: %s %s %s %s", label(o, "from"), o->to, label(o, "to"),
                       o->from);
        return st;
    }
    if (c->comm_scheme == SLAB_COMM_PERCENT && c->commission >= 1.0)
        return rule(o, slab_run_options_find("commission"), SLAB_EC_BAD_VALUE, err,
                    "%s is a fraction in [0, 1) with the percent scheme: 0.001 means 0.1%%",
                    label(o, "commission"));
    if ((st = slip_rules(o, err)) != SLAB_OK)
        return st;
    if (c->coc && c->coo)
        return rule(o, slab_run_options_find("cheat_on_open"), SLAB_EC_CONFLICTING_OPTIONS, err,
                    "give one of %s or %s", label(o, "cheat_on_close"),
                    label(o, "cheat_on_open"));
    if (o->given[row_index(slab_run_options_find("maintenance_margin"))] && !c->margin_call)
        return rule(o, slab_run_options_find("maintenance_margin"), SLAB_EC_CONFLICTING_OPTIONS,
                    err, "%s needs %s", label(o, "maintenance_margin"), label(o, "margin_call"));
    return SLAB_OK;
}

/* ---- JSON Schema ------------------------------------------------------------------- */

static json_t *row_schema(const slab_opt_def *d)
{
    json_t *s = json_object(), *t;
    char desc[1024];
    snprintf(desc, sizeof desc, "%s%s%s%s (flag %s)", d->help, d->unit ? "; unit: " : "",
             d->unit ? d->unit : "", d->max_count > 1 && d->max_count < d->capacity
                                         ? "; one value for now"
                                         : "",
             d->flag);
    switch (d->type) {
    case SLAB_OPT_FLAG:
        json_object_set_new(s, "type", json_string("boolean"));
        break;
    case SLAB_OPT_NUMBER:
    case SLAB_OPT_INT:
        json_object_set_new(s, "type", json_string(d->type == SLAB_OPT_INT ? "integer" : "number"));
        if (!isinf(d->min))
            json_object_set_new(s, d->min_excl ? "exclusiveMinimum" : "minimum",
                                json_real(d->min));
        if (!isinf(d->max))
            json_object_set_new(s, d->max_excl ? "exclusiveMaximum" : "maximum",
                                json_real(d->max));
        break;
    case SLAB_OPT_CHOICE: {
        char words[256];
        const char *w[16];
        size_t n = choice_words(d, words, sizeof words, w, 16);
        t = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(t, json_string(w[k]));
        json_object_set_new(s, "type", json_string("string"));
        json_object_set_new(s, "enum", t);
        break;
    }
    case SLAB_OPT_PAIR:
        json_object_set_new(s, "type", json_pack("[s,s]", "object", "array"));
        json_object_set_new(s, "additionalProperties",
                            json_pack("{s:[s,s,s]}", "type", "string", "number", "boolean"));
        json_object_set_new(s, "items", json_pack("{s:s,s:s}", "type", "string", "pattern",
                                                  "^[^=]+=.*$"));
        json_object_set_new(s, "maxItems", json_integer(d->max_count));
        break;
    default:
        if (d->count_offset) {
            json_object_set_new(s, "type", json_pack("[s,s]", "string", "array"));
            json_object_set_new(s, "items", json_pack("{s:s}", "type", "string"));
            json_object_set_new(s, "maxItems", json_integer(d->max_count));
        } else if (d->flags & SLAB_OPT_JSON_NUMBER) {
            json_object_set_new(s, "type", json_pack("[s,s]", "string", "number"));
        } else {
            json_object_set_new(s, "type", json_string("string"));
        }
    }
    if (d->def) {
        if (d->type == SLAB_OPT_NUMBER || d->type == SLAB_OPT_INT)
            json_object_set_new(s, "default", json_real(strtod(d->def, NULL)));
        else if (d->flags & SLAB_OPT_JSON_NUMBER && strspn(d->def, "0123456789") == strlen(d->def))
            json_object_set_new(s, "default", json_integer(strtoll(d->def, NULL, 10)));
        else
            json_object_set_new(s, "default", json_string(d->def));
    }
    json_object_set_new(s, "description", json_string(desc));
    if (d->unit)
        json_object_set_new(s, "x-unit", json_string(d->unit));
    json_object_set_new(s, "x-flag", json_string(d->flag));
    json_object_set_new(s, "x-field", json_string(d->field));
    return s;
}

json_t *slab_run_options_schema(void)
{
    json_t *props = json_object();
    for (size_t i = 0; i < N_ROWS; i++)
        if (!(table[i].flags & SLAB_OPT_CLI_ONLY))
            json_object_set_new(props, table[i].name, row_schema(&table[i]));
    return json_pack("{s:s,s:s,s:s,s:o,s:b}", "$schema",
                     "https://json-schema.org/draft/2020-12/schema", "title",
                     "stratlab run options", "type", "object", "properties", props,
                     "additionalProperties", 0);
}
