/* cli.h: the `stratlab` command table. Each subcommand lives in its own
 * cmd_<name>.c and uses only the public headers (include/stratlab/), the
 * way curl's tool uses libcurl. The CLI decides how errors look: library
 * calls return a status and a slab_error, and the CLI prints them. */
#ifndef SLAB_CLI_H
#define SLAB_CLI_H

#include "stratlab/core.h"
#include "stratlab/engine.h"
#include "stratlab/spec.h"
#include "stratlab/text.h"

/* A subcommand: argv[0] is the subcommand's name. Returns the exit code:
 * 0 ok, 1 a run/data error, 2 a usage error. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_run(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_strategies(int argc, char **argv);
int cmd_indicators(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_spec(int argc, char **argv);

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

/* Prints "stratlab: <where>: <msg>" to stderr; returns 1. */
int cli_fail(const slab_error *err);
/* Prints "stratlab <cmd>: <msg>" and a hint to see --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when arg is -h or --help. */
int cli_is_help(const char *arg);
/* The store path: --db value if given, else $STRATLAB_DB, else
 * $XDG_DATA_HOME/stratlab/stratlab.db or ~/.local/share/stratlab/stratlab.db
 * (the folder is created). Writes into buf and returns it. */
const char *cli_db_path(const char *flag_value, char *buf, size_t n);

#endif
