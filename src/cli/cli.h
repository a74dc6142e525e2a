/* cli.h: the `stratlab` command table. Each subcommand lives in its own
 * cmd_<name>.c and uses only the public headers (include/stratlab/), the
 * way curl's tool uses libcurl. The CLI decides how errors look: library
 * calls return a status and a slab_error, and the CLI prints them. */
#ifndef SLAB_CLI_H
#define SLAB_CLI_H

#include "stratlab/core.h"

/* A subcommand: argv[0] is the subcommand's name. Returns the exit code:
 * 0 ok, 1 a run/data error, 2 a usage error. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_run(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_strategies(int argc, char **argv);
int cmd_indicators(int argc, char **argv);

/* Prints "stratlab: <where>: <msg>" to stderr; returns 1. */
int cli_fail(const slab_error *err);
/* Prints "stratlab <cmd>: <msg>" and a hint to see --help; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when arg is -h or --help. */
int cli_is_help(const char *arg);
/* The store path: --db value if given, else $STRATLAB_DB, else
 * $XDG_DATA_HOME/stratlab/stratlab.db or ~/.local/share/stratlab/stratlab.db.
 * Writes into buf and returns it; an empty --db value is a usage error of
 * command cmd (printed; returns NULL), not the default store. */
const char *cli_db_path(const char *cmd, const char *flag_value, char *buf, size_t n);
/* Creates the folders above a store path, before a command writes it. */
void cli_db_mkdirs(const char *path);

#endif
