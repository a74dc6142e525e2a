/* cli.h: the `stratlab` command table. Each subcommand lives in its own
 * cmd_<name>.c and uses only the public headers (include/stratlab/), the
 * way curl's tool uses libcurl. The CLI decides how errors look: library
 * calls return a status and a slab_error, and the CLI prints them, as
 * text on stderr, or with --json as one JSON error document on stdout:
 *   {"error": {"code": "unknown_option", "class": "usage", "exit_code": 2,
 *              "command": "run", "message": "...", "where": "--comission",
 *              "option": "--comission", "fix": "...", "did_you_mean": ...}}
 * Exit status (README "Exit status"): 0 ok, 1 the run or check failed,
 * 2 usage (fix the command), 3 input data, 4 system (I/O, store, memory),
 * 5 internal error. */
#ifndef SLAB_CLI_H
#define SLAB_CLI_H

#include <jansson.h>
#include <stdio.h>

#include "stratlab/core.h"
#include "stratlab/engine.h"
#include "stratlab/json.h"
#include "stratlab/options.h"
#include "stratlab/report.h"
#include "stratlab/spec.h"
#include "stratlab/text.h"
#include "stratlab/script.h"

/* A subcommand: argv[0] is the subcommand's name. Returns the exit code. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_run(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_strategies(int argc, char **argv);
int cmd_indicators(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_spec(int argc, char **argv);
int cmd_codegen(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_walkforward(int argc, char **argv);

/* ---- what `run` shares with sweep and walkforward (cmd_run.c) ---- */
/* The run options' --help rows, grouped as the table groups them. */
void cli_run_options_help(FILE *out);
/* Reads the run options from argv: a --config file first, then the flags
 * over it, then the rules between them (slab_run_options_check). *cfg
 * keeps the config's JSON alive (json_decref it after). 0 or the printed
 * error's exit code. */
int cli_run_read_options(int argc, char **argv, slab_run_options *o, json_t **cfg);
/* Loads every feed the options name (--data or --symbol, repeated) into
 * feeds[0 .. *n) (owned; at most SLAB_FEEDS_MAX), the feeds after the
 * first from days before --from/--date as `run` loads them. 0 or the
 * printed error's exit code. */
int cli_run_load_feeds(const slab_run_options *o, slab_bars **feeds, size_t *n);
/* The run config's preroll_until_ns for n_feeds feeds, as `run` sets it. */
int64_t cli_run_preroll(const slab_run_options *o, size_t n_feeds);
/* Reads symbol's earnings calendar from the store into *out (owned). 0
 * or the printed error's exit code (a store without one says how to
 * import it). */
int cli_run_load_earnings(const slab_run_options *o, const char *symbol, slab_earnings **out,
                          size_t *n);
int cmd_stats(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
/* 0 when path ends in .html, .svg or .png; else prints a usage error and
 * returns its exit code (checked before a run starts). */
int cli_report_check_path(const char *path);
/* Writes doc's report to path: .html the page, .svg or .png one chart
 * (chart_name, NULL for equity). Returns 0 or the exit code (printed). */
int cli_report_write(const json_t *doc, const slab_series *series, const char *path,
                     const char *chart_name, slab_lang lang);

/* ---- specs (spec_cli.c) ---- */
/* Loads a spec, printing its warnings and errors to stderr as `validate`
 * does; returns 0 with *spec (owned) or the exit code (1). */
int cli_spec_open(const char *path, slab_spec **spec);
/* Fills what a run did not give from the spec's data section: the symbol
 * (when neither --data nor --symbol), --from, --to, --timeframe (store
 * runs). Returns 0 or a usage exit code. */
int cli_spec_defaults(const slab_spec *spec, const char **symbol, const char *data,
                      const char **from, const char **to, const char **timeframe);
/* Adds backtest.spec_sha256 (and a run id that covers the spec), the
 * "spec" section (rule statistics) and, with expected_performance, the
 * "diagnosis" (in lang) to a run's result document. Returns 0 or 1. */
int cli_spec_result(json_t *doc, const slab_spec *spec, const slab_spec_run *srun,
                    const slab_bars *bars, const slab_run *run, slab_lang lang);
int cmd_executions(int argc, char **argv);
int cmd_script(int argc, char **argv);
/* the service (cmd_serve.c): serve, mcp, token */
int cmd_serve(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_token(int argc, char **argv);

/* ---- run --script (cmd_run_script.c) ---- */
typedef struct cli_script_opts {
    const char *path;          /* --script FILE.c */
    const char *compare;       /* --compare name=v1,v2 (or the script's hint) */
    slab_script_limits limits; /* --timeout, --cpu-limit, --memory, --output-limit,
                                  --compile-timeout */
    char *source;              /* the file's bytes (owned) */
    size_t source_len;
    slab_script_hint hint;     /* its hint lines */
} cli_script_opts;

/* What a script run shares with a built-in run. */
typedef struct cli_script_ctx {
    const slab_bars *bars;
    const slab_broker_config *broker;
    const slab_risk_config *risk;
    const char *const *params; /* --param name=value */
    size_t n_params;
    int keep_cash;             /* --equity needs the cash curve */
    int json;                  /* --json: a failure prints one JSON document */
    const char *db;            /* --db (the execution log) */
    const slab_bars *const *feeds; /* every feed (feeds[0] == bars), n_feeds */
    size_t n_feeds;
    int64_t preroll_until_ns;  /* the run config's preroll */
    int stamp_end;             /* --stamp end */
} cli_script_ctx;

void cli_script_opts_init(cli_script_opts *so);
void cli_script_opts_clear(cli_script_opts *so);
/* Consumes argv[*i] (and its value) when it is a script flag: returns 1
 * with *rc 0 or a usage error code; 0 when it is not one. */
int cli_script_flag(int argc, char **argv, int *i, cli_script_opts *so, int *rc);
/* Checks the limits, reads the script and its hint lines; without --data
 * or --symbol (have_data 0) the hint's data options fill the empty ones. */
int cli_script_prepare(cli_script_opts *so, const char **symbol, const char **from,
                       const char **to, const char **timeframe, int have_data);
/* Executes the script (and logs it). 0 with an owned ok outcome in *out;
 * otherwise prints the failure (a JSON document with r->json) and returns
 * the exit code. */
int cli_script_run(cli_script_opts *so, const cli_script_ctx *r, slab_script_exec **out);
/* Puts ex's execution fields into doc's "execution" object. */
void cli_script_merge(json_t *doc, const slab_script_exec *ex);
/* --compare: one run per value, printed side by side (or as JSON). */
int cli_script_compare(cli_script_opts *so, const cli_script_ctx *r);

/* 1 when --json is among the arguments (set by main before dispatch):
 * success prints JSON, and so does every failure. */
extern int cli_json;
/* The command being run, for messages: "run", "data import". */
extern const char *cli_command;

/* Prints err (text on stderr, or the JSON error document on stdout);
 * returns the exit status of its code's class. */
int cli_fail(const slab_error *err);
/* A failure with a code: builds the error and prints it as cli_fail().
 * where and fix may be NULL. */
int cli_error(slab_errcode code, const char *where, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An unknown flag arg of command cmd (code unknown_option, where arg):
 * the fix names the closest flag in help's text ("did you mean --json?")
 * or points at `stratlab CMD --help`. help may be NULL. Returns 2. */
int cli_unknown_option(const char *cmd, const char *arg, void (*help)(FILE *out));
/* A usage error (code bad_value) about the command line; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints doc on stdout (indented, shortest round-trip numbers) and a
 * newline; returns 0, or the write_failed exit status. */
int cli_print_json(const json_t *doc);
/* The same, with the lazy arrays' items made as they are written
 * (slab_json_dumpf_lazy). */
int cli_print_json_lazy(const json_t *doc, const slab_json_lazy *lazy, size_t n_lazy);
/* Prints help: the text help() writes, or with --json {"command": ...,
 * "help": text}; returns 0. */
int cli_help(const char *command, void (*help)(FILE *out));
/* 1 when arg is -h or --help. */
int cli_is_help(const char *arg);
/* The store path: --db value if given, else $STRATLAB_DB, else
 * $XDG_DATA_HOME/stratlab/stratlab.db or ~/.local/share/stratlab/stratlab.db.
 * Writes into buf and returns it; an empty --db value is a usage error of
 * command cmd (printed; returns NULL), not the default store. */
const char *cli_db_path(const char *cmd, const char *flag_value, char *buf, size_t n);
/* Creates the folders above a store path, before a command writes it. */
void cli_db_mkdirs(const char *path);
/* The shortest round-trip text of x (slab_num_format) in a rotating set of
 * static buffers, for printf arguments; at most 8 live at once. */
const char *cli_num(double x);

#endif
