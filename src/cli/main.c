/* main.c: `stratlab` entry point; dispatches argv[1] through one command
 * table (git's style), and the helpers every subcommand shares: how an
 * error is printed (text or, with --json, one JSON document on stdout) and
 * which exit status it gives. */
#include "cli.h"

#include "stratlab/json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int cli_json;
const char *cli_command = "";

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"run", cmd_run, "backtest a strategy on a file or a stored symbol"},
    {"sweep", cmd_sweep, "run a strategy over a grid of parameters (JSON lines, shards, merge)"},
    {"walkforward", cmd_walkforward, "re-optimise a sweep on rolling train windows, test on the next"},
    {"data", cmd_data, "import CSV files, list the store, sample or synthetic bars, earnings calendars"},
    {"strategies", cmd_strategies, "list the built-in strategies with their parameters"},
    {"indicators", cmd_indicators, "list, show or compute indicators (TA-Lib and backtrader)"},
    {"validate", cmd_validate, "check a strategy spec (spec.json) and list every problem"},
    {"diagnose", cmd_diagnose, "compare a run with its spec's expected performance"},
    {"report", cmd_report, "an HTML report, or one chart as SVG or PNG, of a result document"},
    {"compare", cmd_compare, "result documents side by side: statistics, best marked, settings that differ"},
    {"stats", cmd_stats, "the statistics block of a result document"},
    {"spec", cmd_spec, "start a strategy spec from a documented example"},
    {"codegen", cmd_codegen, "write a strategy spec as one C strategy script (spec codegen)"},
    {"script", cmd_script, "C strategy scripts from templates (script templates, script new)"},
    {"executions", cmd_executions, "the log of script executions (run --script)"},
    {"serve", cmd_serve, "the HTTP API: run, store and list backtests, saved strategies"},
    {"mcp", cmd_mcp, "the MCP server on stdio: the HTTP API's operations as tools for agents"},
    {"token", cmd_token, "make an API key for callers of serve on a non-loopback address"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: stratlab <command> [options]   (stratlab <command> --help)\n\n"
                 "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n--json (any command): print JSON on success and one JSON error document\n"
            "on stdout on failure: {\"error\": {\"code\", \"message\", \"where\", \"fix\", ...}}.\n"
            "Exit status: 0 ok, 1 the run or check failed, 2 usage (fix the command),\n"
            "3 input data (file, CSV row, stored symbol), 4 system (I/O, store, memory),\n"
            "5 internal error (a bug: please report it).\n"
            "\nstratlab %s: backtrader-exact backtests, fast.\n",
            SLAB_VERSION);
}

/* ---- shared helpers ---------------------------------------------------------- */

const char *cli_num(double x)
{
    static char bufs[8][SLAB_NUM_TEXT_MAX];
    static int next;
    char *b = bufs[next++ & 7];
    return slab_num_format(x, b, SLAB_NUM_TEXT_MAX);
}

int cli_print_json(const json_t *doc)
{
    return cli_print_json_lazy(doc, NULL, 0);
}

int cli_print_json_lazy(const json_t *doc, const slab_json_lazy *lazy, size_t n_lazy)
{
    if (slab_json_dumpf_lazy(doc, stdout, JSON_INDENT(1), lazy, n_lazy) != 0 ||
        putchar('\n') == EOF || fflush(stdout) != 0)
        return slab_errclass_exit(slab_errcode_get(SLAB_EC_WRITE_FAILED)->klass);
    return 0;
}

int cli_fail(const slab_error *err)
{
    const slab_errcode_def *d = slab_errcode_get(slab_error_code(err));
    int rc = slab_errclass_exit(d->klass);
    if (rc == 0) /* a failure without a status is still a failure */
        rc = slab_errclass_exit(SLAB_CLASS_INTERNAL);
    if (cli_json) {
        json_t *e = slab_error_json(err), *doc = json_object();
        json_object_set_new(e, "exit_code", json_integer(rc));
        json_object_set_new(e, "command", json_string(cli_command));
        json_object_set_new(doc, "error", e);
        cli_print_json(doc);
        json_decref(doc);
        return rc;
    }
    /* "stratlab run: --cash: must be > 0"; the location is left out when
     * the message already quotes it. */
    if (err->where[0] && !strstr(err->msg, err->where))
        fprintf(stderr, "stratlab%s%s: %s: %s\n", *cli_command ? " " : "", cli_command,
                err->where, err->msg);
    else
        fprintf(stderr, "stratlab%s%s: %s\n", *cli_command ? " " : "", cli_command,
                err->msg[0] ? err->msg : d->summary);
    if (err->fix[0])
        fprintf(stderr, "  fix: %s\n", err->fix);
    if (d->klass == SLAB_CLASS_USAGE && *cli_command)
        fprintf(stderr, "(see: stratlab %s --help)\n", cli_command);
    return rc;
}

int cli_error(slab_errcode code, const char *where, const char *fix, const char *fmt, ...)
{
    slab_error err;
    char msg[SLAB_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slab_error_fail(&err, code, where, "%s", msg);
    if (fix)
        slab_error_fix(&err, "%s", fix);
    return cli_fail(&err);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    slab_error err;
    char msg[SLAB_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (cmd && *cmd)
        cli_command = cmd;
    slab_error_fail(&err, SLAB_EC_BAD_VALUE, NULL, "%s", msg);
    return cli_fail(&err);
}

int cli_unknown_option(const char *cmd, const char *arg, void (*help)(FILE *out))
{
    enum { MAX_FLAGS = 64 };
    char *text = NULL, fix[256];
    const char *flags[MAX_FLAGS], *best = NULL;
    size_t len = 0, n = 0;
    FILE *mem = help ? open_memstream(&text, &len) : NULL;
    if (mem) {
        help(mem);
        fclose(mem);
    }
    /* the flags the help text names: "--" then letters, digits and '-' */
    for (char *p = text; p && (p = strstr(p, "--")) && n < MAX_FLAGS;) {
        char *e = p + 2;
        while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9') || *e == '-')
            e++;
        int end = *e != '\0';
        *e = '\0';
        if (e - p > 3)
            flags[n++] = p;
        p = end ? e + 1 : e;
    }
    if (n)
        best = slab_suggest(arg, flags, n);
    if (cmd && *cmd)
        cli_command = cmd;
    if (best)
        snprintf(fix, sizeof fix, "did you mean %s?", best);
    else
        snprintf(fix, sizeof fix, "see every option with: stratlab %s --help", cmd);
    int rc = cli_error(SLAB_EC_UNKNOWN_OPTION, arg, fix, "unknown option '%s'", arg);
    free(text);
    return rc;
}

int cli_help(const char *command, void (*help)(FILE *out))
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem;
    if (!cli_json) {
        help(stdout);
        return 0;
    }
    if (!(mem = open_memstream(&text, &len)))
        return cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory for the help text");
    help(mem);
    fclose(mem);
    json_t *doc = json_pack("{s:s,s:s}", "command", command, "help", text ? text : "");
    int rc = cli_print_json(doc);
    json_decref(doc);
    free(text);
    return rc;
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

/* ---- dispatch ------------------------------------------------------------------ */

/* `stratlab --version [--json]`. */
static int version(void)
{
    if (!cli_json) {
        printf("stratlab %s\n", SLAB_VERSION);
        return 0;
    }
    json_t *doc = json_pack("{s:s,s:s}", "name", "stratlab", "version", SLAB_VERSION);
    int rc = cli_print_json(doc);
    json_decref(doc);
    return rc;
}

/* `stratlab --help --json`: the commands as JSON. */
static int commands_json(void)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < N_COMMANDS; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s}", "name", commands[i].name, "summary",
                                             commands[i].summary));
    json_t *doc = json_pack("{s:s,s:o}", "version", SLAB_VERSION, "commands", arr);
    int rc = cli_print_json(doc);
    json_decref(doc);
    return rc;
}

int main(int argc, char **argv)
{
    const char *names[N_COMMANDS];
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--json"))
            cli_json = 1;
    /* The first word that is not --json is the command. */
    int c = 1;
    while (c < argc && !strcmp(argv[c], "--json"))
        c++;
    if (c >= argc) {
        if (cli_json)
            return cli_error(SLAB_EC_MISSING_OPTION, NULL, "run `stratlab --help` for the commands",
                             "no command given");
        usage(stderr);
        return 2;
    }
    if (cli_is_help(argv[c]) || !strcmp(argv[c], "help")) {
        if (cli_json)
            return commands_json();
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[c], "--version") || !strcmp(argv[c], "version"))
        return version();
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (!strcmp(argv[c], commands[i].name)) {
            cli_command = commands[i].name;
            /* The command sees its own name as argv[0]; a --json before it
             * moves after it. */
            int base = c;
            if (c > 1) {
                argv[c - 1] = argv[c];
                argv[c] = "--json";
                base = c - 1;
            }
            return commands[i].fn(argc - base, argv + base);
        }
        names[i] = commands[i].name;
    }
    slab_error err;
    slab_error_fail(&err, SLAB_EC_UNKNOWN_COMMAND, NULL, "unknown command '%s'", argv[c]);
    const char *best = slab_error_suggest(&err, argv[c], names, N_COMMANDS);
    if (best) {
        size_t l = strlen(err.msg);
        snprintf(err.msg + l, sizeof err.msg - l, "; did you mean %s?", best);
    }
    slab_error_fix(&err, "the commands are: run, data, strategies, indicators (stratlab --help)");
    return cli_fail(&err);
}
