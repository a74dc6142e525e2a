/* main.c: `stratlab` entry point; dispatches argv[1] through one command
 * table (git's style). Global options come before the subcommand. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"run", cmd_run, "backtest a strategy on a file or a stored symbol"},
    {"data", cmd_data, "import CSV files into the store, list what is stored, make sample data"},
    {"strategies", cmd_strategies, "list the built-in strategies with their parameters"},
    {"indicators", cmd_indicators, "list, show or compute indicators (TA-Lib and backtrader)"},
    {"validate", cmd_validate, "check a strategy spec (spec.json) and list every problem"},
    {"diagnose", cmd_diagnose, "compare a run with its spec's expected performance"},
    {"spec", cmd_spec, "start a strategy spec from a documented example"},
    {"executions", cmd_executions, "the log of script executions (run --script)"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: stratlab <command> [options]   (stratlab <command> --help)\n\n"
                 "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nstratlab %s: backtrader-exact backtests, fast.\n", SLAB_VERSION);
}

int cli_fail(const slab_error *err)
{
    char buf[SLAB_ERR_WHERE_MAX + SLAB_ERR_MSG_MAX + 8];
    fprintf(stderr, "stratlab: %s\n", slab_error_text(err, buf, sizeof buf));
    return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "stratlab %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see: stratlab %s --help)\n", cmd);
    return 2;
}

int cli_is_help(const char *arg)
{
    return !strcmp(arg, "-h") || !strcmp(arg, "--help");
}

void cli_db_mkdirs(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        mkdir(dir, 0755);
        *p = '/';
    }
}

const char *cli_db_path(const char *cmd, const char *flag_value, char *buf, size_t n)
{
    const char *env = getenv("STRATLAB_DB");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");

    if (flag_value && !*flag_value) {
        cli_usage_error(cmd, "--db needs a path; an empty one would quietly mean the default "
                             "store (leave --db out for that)");
        return NULL;
    }
    if (flag_value)
        snprintf(buf, n, "%s", flag_value);
    else if (env && *env)
        snprintf(buf, n, "%s", env);
    else if (xdg && *xdg)
        snprintf(buf, n, "%s/stratlab/stratlab.db", xdg);
    else
        snprintf(buf, n, "%s/.local/share/stratlab/stratlab.db", home && *home ? home : ".");
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
        usage(stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
        printf("stratlab %s\n", SLAB_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "stratlab: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
