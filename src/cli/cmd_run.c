/* cmd_run.c: `stratlab run`: read the run options (the library's option
 * table: flags, --config FILE), load bars (a file or the store), resolve a
 * built-in strategy and its parameters and run the engine, or a strategy
 * spec (spec_cli.c), or a C script in the sandbox (cmd_run_script.c), and
 * print the result document
 * (--json) or a compact table; --equity writes the value curve. The flags
 * and their --help come from the table (include/stratlab/options.h), never
 * from here. Uses only the public headers. */
#include "cli.h"

#include "stratlab/broker.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/json.h"
#include "stratlab/options.h"
#include "stratlab/report.h"
#include "stratlab/stats.h"
#include "stratlab/result.h"
#include "stratlab/store.h"
#include "stratlab/strategies.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELP_WIDTH 78
#define HELP_COL 26

/* Writes text wrapped at HELP_WIDTH, continuation lines at HELP_COL;
 * col is the column the first line starts at. */
static void wrap(FILE *out, const char *text, int col)
{
    const char *p = text;
    while (*p) {
        int room = HELP_WIDTH - col, n = (int)strlen(p);
        if (n > room) {
            n = room;
            while (n > 0 && p[n] != ' ')
                n--;
            if (n == 0) /* one word longer than the line */
                n = (int)strcspn(p, " ");
        }
        fprintf(out, "%.*s\n", n, p);
        p += n;
        while (*p == ' ')
            p++;
        if (*p)
            fprintf(out, "%*s", HELP_COL, "");
        col = HELP_COL;
    }
}

/* One row's help: flag, value, text, default and unit. */
static void help_row(FILE *out, const slab_opt_def *d)
{
    char head[96], text[1024];
    size_t k;
    if (d->negation)
        snprintf(head, sizeof head, "  %s, %s", d->flag, d->negation);
    else
        snprintf(head, sizeof head, "  %s%s%s", d->flag, d->metavar ? " " : "",
                 d->metavar ? d->metavar : "");
    k = (size_t)snprintf(text, sizeof text, "%s", d->help);
    if (d->type == SLAB_OPT_CHOICE && k < sizeof text)
        k += (size_t)snprintf(text + k, sizeof text - k, "; one of %s", d->choices);
    if (d->def && k < sizeof text)
        k += (size_t)snprintf(text + k, sizeof text - k, " (default %s)", d->def);
    if (d->unit && k < sizeof text)
        k += (size_t)snprintf(text + k, sizeof text - k, "; unit: %s", d->unit);
    if (d->max_count > 1 && k < sizeof text)
        snprintf(text + k, sizeof text - k, "; repeatable");
    if ((int)strlen(head) >= HELP_COL - 1) {
        fprintf(out, "%s\n%*s", head, HELP_COL, "");
    } else {
        fprintf(out, "%-*s", HELP_COL, head);
    }
    wrap(out, text, HELP_COL);
}

void cli_run_options_help(FILE *out)
{
    size_t n;
    const slab_opt_def *t = slab_run_options_table(&n);
    const char *group = "";
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].group, group)) {
            group = t[i].group;
            fprintf(out, "\n%s:\n", group);
        }
        help_row(out, &t[i]);
    }
}

static void usage(FILE *out)
{
    fprintf(out, "usage: stratlab run (--strategy NAME | --spec FILE | --script FILE.c)\n"
                 "                    (--data FILE | --symbol SYM) [options]\n"
                 "       stratlab run --config FILE.json [options]\n");
    cli_run_options_help(out);
    fprintf(out,
            "\n--flag=value works too. The same options as a JSON object (keys as in\n"
            "--schema: {\"cash\": 50000, \"params\": {\"fast\": 5}}) are what --config FILE, the\n"
            "HTTP/MCP service and a spec's run settings take.\n\n"
            "Orders created on a bar fill at the next bar's open (backtrader's rules);\n"
            "positions still open at the end stay open and are marked at the last close.\n\n"
            "Exit status: 0 ok, 1 the run failed, 2 usage (fix the command), 3 input\n"
            "data (file, CSV row, stored symbol), 4 system (I/O, store, memory),\n"
            "5 internal error. With --json every failure prints one JSON error document\n"
            "on stdout: {\"error\": {\"code\", \"message\", \"where\", \"fix\", ...}}.\n");
}

/* Applies --config FILE: a JSON object of options. */
static int apply_config(slab_run_options *o, const char *path, json_t **keep)
{
    json_error_t je;
    slab_error err;
    json_t *cfg = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!cfg) {
        slab_error_fail(&err, SLAB_EC_BAD_JSON, NULL, "--config: %s", je.text);
        if (je.line > 0)
            slab_error_at_file(&err, path, je.line, je.column);
        else
            slab_error_at_file(&err, path, 0, 0);
        if (!strncmp(je.text, "unable to open", 14))
            slab_error_set_code(&err, SLAB_EC_FILE_NOT_FOUND);
        return cli_fail(&err);
    }
    *keep = cfg;
    if (slab_run_options_apply_json(o, cfg, "", &err) != SLAB_OK) {
        size_t l = strlen(err.msg);
        snprintf(err.msg + l, sizeof err.msg - l, " (in --config %s)", path);
        return cli_fail(&err);
    }
    return 0;
}

/* Reads the options: a --config file first, then the flags over it. */
int cli_run_read_options(int argc, char **argv, slab_run_options *o, json_t **cfg)
{
    slab_error err;
    int rc;
    slab_run_options_init(o);
    if (slab_run_options_parse_args(o, argc, argv, &err) != SLAB_OK)
        return cli_fail(&err);
    if (o->schema)
        return 0;
    if (o->config) {
        const char *path = o->config;
        slab_run_options_init(o);
        if ((rc = apply_config(o, path, cfg)))
            return rc;
        if (slab_run_options_parse_args(o, argc, argv, &err) != SLAB_OK)
            return cli_fail(&err);
    }
    if (slab_run_options_check(o, &err) != SLAB_OK)
        return cli_fail(&err);
    return 0;
}

static int fill_from(slab_run_options *o, const char *symbol, const char *from, const char *to,
                     const char *tf, const char *what);

/* --script: its limits from the options, the script read with its hint
 * lines, which may name the data when no --data/--symbol was given. */
static int prepare_script(slab_run_options *o, cli_script_opts *so)
{
    static const char *const names[] = {"timeout", "cpu_limit", "memory", "output_limit",
                                        "compile_timeout"};
    double *lim[] = {&so->limits.timeout_s, &so->limits.cpu_s, &so->limits.memory_mb,
                     &so->limits.output_bytes, &so->limits.compile_timeout_s};
    const double val[] = {o->script_timeout_s, o->script_cpu_s, o->script_memory_mb,
                          o->script_output_bytes, o->script_compile_timeout_s};
    const char *symbol = NULL, *from = o->from, *to = o->to, *tf = o->timeframe;
    int rc;
    so->path = o->script;
    so->compare = o->compare;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (slab_run_options_given(o, slab_run_options_find(names[k])))
            *lim[k] = val[k];
    if ((rc = cli_script_prepare(so, &symbol, &from, &to, &tf, o->n_data + o->n_symbols > 0)))
        return rc;
    if (symbol && (rc = fill_from(o, symbol, from, to, tf, "the script's `//! stratlab run:` line")))
        return rc;
    if (symbol && so->hint.market[0] && o->n_symbols == 1 && !o->n_data) {
        /* the hint's second symbol (a market filter) is the second feed */
        slab_error err;
        if (slab_run_options_set(o, slab_run_options_find("symbol"), 0, so->hint.market, &err) !=
            SLAB_OK)
            return cli_fail(&err);
    }
    if (o->n_data + o->n_symbols == 0)
        return cli_error(SLAB_EC_MISSING_OPTION, "--data",
                         "add --data FILE or --symbol SYM, or a `//! stratlab run: --symbol SYM` "
                         "line to the script",
                         "give exactly one of --data FILE or --symbol SYM (%s names no data)",
                         o->script);
    return 0;
}

/* Sets the options a spec's data section or a script's hint names and
 * the user did not give, through the table as if they were flags. */
static int fill_from(slab_run_options *o, const char *symbol, const char *from, const char *to,
                     const char *tf, const char *what)
{
    const char *given[][2] = {{"symbol", symbol}, {"from", from}, {"to", to}, {"timeframe", tf}};
    slab_error err;
    for (size_t k = 0; k < 4; k++) {
        const slab_opt_def *d = slab_run_options_find(given[k][0]);
        if (!given[k][1] || slab_run_options_given(o, d) || (k == 0 && o->n_data))
            continue;
        if (slab_run_options_set(o, d, 0, given[k][1], &err) != SLAB_OK) {
            size_t l = strlen(err.msg);
            snprintf(err.msg + l, sizeof err.msg - l, " (from %s)", what);
            return cli_fail(&err);
        }
    }
    return 0;
}

/* --spec: opened (its warnings printed), its data section fills what was
 * not given, its cash and commission apply unless given. */
static int prepare_spec(slab_run_options *o, slab_spec **spec, int *spec_period)
{
    const char *symbol = o->n_symbols ? o->symbols[0] : NULL, *from = o->from, *to = o->to;
    const char *tf = o->timeframe;
    int rc, universe = o->n_data + o->n_symbols == 0;
    *spec_period = !o->from || !o->to;
    if ((rc = cli_spec_open(o->spec, spec)) ||
        (rc = cli_spec_defaults(*spec, &symbol, o->n_data ? o->data[0] : NULL, &from, &to, &tf)) ||
        (rc = fill_from(o, symbol, from, to, tf, "the spec's data section")))
        return rc;
    /* A universe (data.symbols) runs every symbol unless the command
     * line names the feeds. */
    const slab_spec_settings *set = slab_spec_settings_get(*spec);
    if (universe && set->n_symbols > SLAB_FEEDS_MAX)
        return cli_error(SLAB_EC_CONFLICTING_OPTIONS, "--spec",
                         "list at most 16 symbols, or name the feeds with --symbol/--data",
                         "the spec's data.symbols names %zu symbols; a run reads at most %d feeds",
                         set->n_symbols, SLAB_FEEDS_MAX);
    for (size_t k = 1; universe && k < set->n_symbols; k++) {
        slab_error err;
        if (slab_run_options_set(o, slab_run_options_find("symbol"), 0, set->symbols[k], &err) !=
            SLAB_OK)
            return cli_fail(&err);
    }
    const int given[2] = {slab_run_options_given(o, slab_run_options_find("cash")) != 0,
                          slab_run_options_given(o, slab_run_options_find("commission")) != 0};
    slab_spec_apply_settings(*spec, &o->broker, given);
    *spec_period = *spec_period && (o->from || o->to);
    if (o->from_ns > o->to_ns)
        return cli_error(SLAB_EC_REVERSED_RANGE, "--from", NULL,
                         "the range is reversed: from %s is after to %s", o->from, o->to);
    return 0;
}

/* Splits a --data value into its symbol and file: "SYM=FILE" when the
 * text before '=' is a symbol (letters, digits, . _ ^ -), else a file
 * alone (its symbol from the file name). */
static const char *data_file(const char *text, char *sym, size_t n)
{
    const char *eq = strchr(text, '=');
    size_t len = eq ? (size_t)(eq - text) : 0;
    sym[0] = '\0';
    if (!eq || len == 0 || len >= n || strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._^-") < len)
        return text;
    memcpy(sym, text, len);
    sym[len] = '\0';
    return eq + 1;
}

/* The run config's preroll_until_ns: --from's time with several feeds. */
static int64_t preroll(const slab_run_options *o, size_t n_feeds)
{
    return n_feeds > 1 && o->from_ns != INT64_MIN ? o->from_ns : 0;
}

/* 1 when b is intraday and --timeframe asks for a longer period that is a
 * multiple of it, or 1d: what slab_bars_resample makes. */
static int coarser(const slab_bars *b, const slab_run_options *o)
{
    int64_t unit = b->timeframe == SLAB_TF_MINUTES ? 60 : b->timeframe == SLAB_TF_SECONDS ? 1 : 0;
    int64_t src = unit * b->compression;
    int64_t dst = o->tf == SLAB_TF_MINUTES   ? 60LL * o->tf_compression
                  : o->tf == SLAB_TF_SECONDS ? o->tf_compression
                                             : 0;
    if (!src)
        return 0;
    if (o->tf == SLAB_TF_DAYS && o->tf_compression == 1)
        return 1;
    return dst > src && dst % src == 0;
}

/* Loads one feed (--data k or --symbol k) into *out (owned). */
static int load_feed(const slab_run_options *o, size_t k, slab_bars **out)
{
    slab_error err;
    slab_bars *b = NULL;
    char sym[32] = "";
    const char *path = o->n_data ? data_file(o->data[k], sym, sizeof sym) : NULL;
    int ranged = o->from_ns != INT64_MIN || o->to_ns != INT64_MAX;
    int64_t from = o->from_ns;
    if (k > 0 && from != INT64_MIN && from - INT64_MIN > SLAB_PREROLL_DAYS * SLAB_NS_PER_DAY)
        from -= SLAB_PREROLL_DAYS * SLAB_NS_PER_DAY;

    if (o->n_data && path[strspn(path, " \t")] == '\0')
        return cli_error(SLAB_EC_MISSING_VALUE, "--data", "give --data SYM=FILE or --data FILE",
                         "--data '%s' names no file", o->data[k]);
    if (o->n_data) {
        if (slab_csv_load(path, &o->csv, &b, NULL, &err) != SLAB_OK)
            return cli_fail(&err);
        if (ranged) {
            slab_bars *s = NULL;
            slab_status st = slab_bars_slice(b, from, o->to_ns, &s, &err);
            slab_bars_free(b);
            if (st != SLAB_OK) {
                slab_error_set_code(&err, SLAB_EC_NO_BARS);
                slab_error_at_option(&err, o->date ? "--date" : "--from");
                return cli_fail(&err);
            }
            b = s;
        }
    } else {
        char db_path[1024];
        slab_store *db = NULL;
        if (!cli_db_path(cli_command, o->db, db_path, sizeof db_path))
            return 2;
        if (slab_store_open_read(db_path, &db, &err) != SLAB_OK)
            return cli_fail(&err);
        /* --timeframe not stored: the stored bars, if finer, resampled
         * (store.h; the service loads its bars the same way) */
        slab_status st = slab_store_load_resampled(db, o->symbols[k], o->timeframe, from,
                                                   o->to_ns, o->stamp_end, &b, NULL, &err);
        slab_store_close(db);
        if (st != SLAB_OK) {
            if (o->date)
                slab_error_at_option(&err, "--date");
            return cli_fail(&err);
        }
    }
    if (o->n_data)
        slab_bars_infer_timeframe(b, &b->timeframe, &b->compression);
    if (o->timeframe && coarser(b, o)) {
        /* intraday bars asked for at a longer period: resampled inside
         * each session (1m -> 5m, 15m, 1h, 1d) */
        slab_bars *r = NULL;
        if (slab_bars_resample(b, o->stamp_end, o->tf, o->tf_compression, &r, &err) != SLAB_OK) {
            slab_bars_free(b);
            slab_error_at_option(&err, "--timeframe");
            return cli_fail(&err);
        }
        slab_bars_free(b);
        b = r;
    } else if (o->timeframe) {
        b->timeframe = o->tf;
        b->compression = o->tf_compression;
    }
    if (sym[0] || (o->n_data && !b->symbol[0])) {
        const char *base = strrchr(path, '/');
        snprintf(b->symbol, sizeof b->symbol, "%s", sym[0] ? sym : base ? base + 1 : path);
        char *dot = sym[0] ? NULL : strchr(b->symbol, '.');
        if (dot && dot != b->symbol)
            *dot = '\0';
    }
    *out = b;
    return 0;
}

/* Loads every feed the options name into feeds[0 .. *n) (owned). */
static int load_bars(const slab_run_options *o, slab_bars **feeds, size_t *n)
{
    size_t want = o->n_data ? o->n_data : o->n_symbols;
    int rc;
    *n = 0;
    for (size_t k = 0; k < want; k++) {
        if ((rc = load_feed(o, k, &feeds[k])))
            return rc;
        *n = k + 1;
        for (size_t j = 0; j < k; j++)
            if (!strcmp(feeds[j]->symbol, feeds[k]->symbol))
                return cli_error(SLAB_EC_CONFLICTING_OPTIONS, o->n_data ? "--data" : "--symbol",
                                 "name each feed once (--data SYM=FILE names a file's symbol)",
                                 "symbol %s is given twice", feeds[k]->symbol);
    }
    return 0;
}

int cli_run_load_feeds(const slab_run_options *o, slab_bars **feeds, size_t *n)
{
    return load_bars(o, feeds, n);
}

int64_t cli_run_preroll(const slab_run_options *o, size_t n_feeds)
{
    return preroll(o, n_feeds);
}

int cli_run_load_earnings(const slab_run_options *o, const char *symbol, slab_earnings **out,
                          size_t *n)
{
    char path[1024];
    slab_store *db = NULL;
    slab_error err;
    if (!cli_db_path(cli_command, o->db, path, sizeof path))
        return 2;
    if (slab_store_open_read(path, &db, &err) != SLAB_OK) {
        slab_error_fix(&err, "import the calendar first: stratlab data import-earnings FILE "
                             "(symbol,date,when with when bmo or amc)");
        return cli_fail(&err);
    }
    slab_status st = slab_store_load_earnings(db, symbol, out, n, &err);
    slab_store_close(db);
    return st == SLAB_OK ? 0 : cli_fail(&err);
}

/* A strategy with skip_earnings on reads the store's earnings calendar
 * for the traded symbol into *out (owned). */
static int load_earnings(const slab_run_options *o, const slab_strategy_def *def,
                         const double *params, const slab_bars *bars, slab_earnings **out,
                         size_t *n)
{
    int want = 0;
    for (int k = 0; k < def->n_params; k++)
        want |= !strcmp(def->params[k].name, "skip_earnings") && params[k] != 0.0;
    return want ? cli_run_load_earnings(o, bars->symbol, out, n) : 0;
}

static int write_equity(const char *path, const slab_bars *b, const slab_run *run)
{
    FILE *f = fopen(path, "w");
    char ts[40];
    int daily = b->timeframe >= SLAB_TF_DAYS;
    if (!f)
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot create the equity file");
    fprintf(f, "datetime,cash,value\n");
    for (size_t i = 0; i < run->n_bars; i++)
        fprintf(f, "%s,%s,%s\n", slab_time_format(run->ts_ns[i], daily, ts, sizeof ts),
                cli_num(run->cash[i]), cli_num(run->value[i]));
    if (fclose(f) != 0)
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot write the equity file");
    return 0;
}

/* ---- the next runs a user would want (session strategies) ---------------- */

/* This run's command line (cmd_run's argv, argv[0] = "run"). */
static int cmd_argc;
static char **cmd_argv;

/* Appends w to buf (cap bytes), single-quoted when the shell would split or
 * expand it. */
static void add_word(char *buf, size_t cap, const char *w)
{
    size_t l = strlen(buf);
    int plain = w[0] && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-_=.,:/%@+") == strlen(w);
    if (l + 1 < cap)
        snprintf(buf + l, cap - l, l ? " %s%s%s" : "%s%s%s", plain ? "" : "'", w,
                 plain ? "" : "'");
}

/* 1 when argv[i] (and maybe argv[i + 1]) is the option flag; *value gets
 * its value and *used the words it takes. */
static int is_opt(int i, const char *flag, const char **value, int *used)
{
    size_t n = strlen(flag);
    const char *a = cmd_argv[i];
    if (strncmp(a, flag, n))
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1, *used = 1;
        return 1;
    }
    if (a[n] || i + 1 >= cmd_argc)
        return 0;
    *value = cmd_argv[i + 1], *used = 2;
    return 1;
}

/* 1 when --param text v names a parameter that change's "params" sets. */
static int changed_param(const char *v, const json_t *change)
{
    const char *eq = strchr(v, '=');
    const char *name;
    json_t *val;
    json_object_foreach(json_object_get(change, "params"), name, val)
        if (eq && strlen(name) == (size_t)(eq - v) && !strncmp(v, name, (size_t)(eq - v)))
            return 1;
    return 0;
}

/* One next run (slab_next_runs) as {"why", "command"}: "stratlab run ..."
 * as given, with change applied: a changed parameter's --param replaced
 * (or dropped, when null), --date replaced by --from/--to. The files this
 * run wrote are left out: the next run would overwrite them. */
static json_t *next_run(const json_t *item)
{
    char cmd[4096] = "", word[256];
    const json_t *change = json_object_get(item, "change");
    int replace_date = json_object_get(change, "date") != NULL;
    add_word(cmd, sizeof cmd, "stratlab");
    for (int i = 0; i < cmd_argc;) {
        const char *v;
        int used = 1;
        if ((is_opt(i, "--param", &v, &used) && changed_param(v, change)) ||
            (replace_date && is_opt(i, "--date", &v, &used)) || is_opt(i, "--out", &v, &used) ||
            is_opt(i, "--report", &v, &used) || is_opt(i, "--equity", &v, &used)) {
            i += used;
            continue;
        }
        add_word(cmd, sizeof cmd, cmd_argv[i++]);
    }
    const char *name;
    json_t *val;
    json_object_foreach(json_object_get(change, "params"), name, val)
        if (json_is_number(val)) {
            snprintf(word, sizeof word, "%s=%g", name, json_number_value(val));
            add_word(cmd, sizeof cmd, "--param");
            add_word(cmd, sizeof cmd, word);
        }
    if (replace_date) {
        add_word(cmd, sizeof cmd, "--from");
        add_word(cmd, sizeof cmd, json_string_value(json_object_get(change, "from")));
        add_word(cmd, sizeof cmd, "--to");
        add_word(cmd, sizeof cmd, json_string_value(json_object_get(change, "to")));
    }
    return json_pack("{s:O,s:s}", "why", json_object_get(item, "why"), "command", cmd);
}

/* The ready commands for a session strategy's next runs. */
static json_t *next_runs(const slab_run_options *o, const slab_strategy_def *def,
                         const double *params)
{
    json_t *changes =
        slab_next_runs(def, params, o->date ? o->from_ns / SLAB_NS_PER_DAY : INT64_MIN);
    json_t *arr = json_array(), *item;
    size_t k;
    json_array_foreach(changes, k, item)
        json_array_append_new(arr, next_run(item));
    json_decref(changes);
    return arr;
}

/* A few lines for a person at a terminal; numbers exact (shortest
 * round-trip text). */
static void print_table(json_t *doc)
{
    json_t *m = json_object_get(doc, "metrics");
    static const char *keys[] = {"final_value",  "total_return",     "sharpe_ratio",
                                 "sharpe_ratio_daily_annualized",    "sharpe_ratio_annualized",
                                 "max_drawdown_pct",
                                 "num_trades",   "won_trades",       "lost_trades",
                                 "win_rate",     "total_pnl",        "profit_factor",
                                 "sqn",          "normalized_annual_return"};
    printf("%s\n\n", json_string_value(json_object_get(doc, "summary")));
    json_t *nx = json_object_get(doc, "next_runs");
    for (size_t k = 0; k < json_array_size(nx); k++)
        printf("%s%s:\n    %s\n%s", k ? "" : "Next runs:\n  ",
               json_string_value(json_object_get(json_array_get(nx, k), "why")),
               json_string_value(json_object_get(json_array_get(nx, k), "command")),
               k + 1 < json_array_size(nx) ? "  " : "\n");
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(m, keys[k]);
        if (json_is_integer(v))
            printf("  %-32s %lld\n", keys[k], (long long)json_integer_value(v));
        else if (json_is_real(v))
            printf("  %-32s %s\n", keys[k], cli_num(json_real_value(v)));
        else
            printf("  %-32s -\n", keys[k]);
    }
}

/* Whether the printed document carries the per-bar series: only when
 * asked (--series), so the document is the same, and as small, whichever
 * way a run came in (CLI, HTTP, MCP); `--report` draws from the run itself. */
static int want_series(const slab_run_options *o, size_t n_bars)
{
    (void)n_bars;
    return o->series;
}

/* Adds the run's per-bar "series" (report.h) to doc; with lazy, its
 * arrays are made as the document is written (lazy[0..2] filled from
 * lists). Returns 0 or the exit code (printed). */
static int add_series(json_t *doc, const slab_bars *bars, const slab_run *r,
                      slab_result_lists *lists, slab_json_lazy *lazy)
{
    json_t *se = lazy ? slab_result_series_lazy(lists, lazy) : slab_result_series(bars, r);
    if (!se || json_object_set_new(doc, "series", se))
        return cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory writing the series");
    return 0;
}

/* --report FILE: the report of this run, from a document with the
 * per-bar series and every trade (doc already is one when it has its
 * series and --trades all was given; else it is built again with them). */
static int write_report(const char *path, const slab_bars *bars, const slab_run *r,
                        const slab_result_info *info, json_t *doc, slab_lang lang)
{
    slab_error err;
    slab_result_info full = *info;
    json_t *rdoc = doc;
    full.lists_later = 0; /* the report reads the lists from the tree */
    int rc;
    if (!json_object_get(doc, "series") || info->max_trades >= 0) {
        full.max_trades = -1;
        if (!(rdoc = slab_result_json(bars, r, &full, &err)))
            return cli_fail(&err);
        if ((rc = add_series(rdoc, bars, r, NULL, NULL))) {
            json_decref(rdoc);
            return rc;
        }
        /* the spec and script parts are the printed document's (a spec run's
         * run id covers the spec; the diagnosis is only there) */
        static const char *const keep[] = {"backtest", "summary", "execution", "spec",
                                           "diagnosis"};
        for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
            if (json_object_get(doc, keep[k]))
                json_object_set(rdoc, keep[k], json_object_get(doc, keep[k]));
    }
    rc = cli_report_write(rdoc, NULL, path, NULL, lang);
    if (rdoc != doc)
        json_decref(rdoc);
    return rc;
}

/* The text output in another language: the headline and the statistics
 * block from the string table, the run's notes (the summary, in the
 * document's summary_lang) after them. */
/* The label of the run notes: plain when the summary is in lang, "(English)"
 * when it is the English one of a document from elsewhere. */
static const char *notes_key(const json_t *doc, slab_lang lang)
{
    const char *sl = json_string_value(json_object_get(doc, "summary_lang"));
    return !strcmp(sl ? sl : "en", slab_lang_code(lang)) ? "summary.notes" : "report.run_notes";
}

static int print_stats(json_t *doc, slab_lang lang)
{
    char *head = slab_stats_headline(doc, lang);
    char *table = slab_stats_text(json_object_get(doc, "stats"), lang);
    int rc = 0;
    if (head && table)
        printf("%s\n\n%s\n%s:\n%s\n", head, table, slab_text(lang, notes_key(doc, lang)),
               json_string_value(json_object_get(doc, "summary")));
    else
        rc = cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory");
    slab_free(head);
    slab_free(table);
    return rc;
}

/* The script half: executes it (a failure is printed there) and hands
 * back the run, the script's description and its resolved parameters. */
static int run_script(const slab_run_options *o, cli_script_opts *so,
                      slab_bars *const *feeds, size_t n_feeds, slab_script_exec **ex)
{
    cli_script_ctx r = {feeds[0],          &o->broker, &o->risk, o->params, o->n_params,
                        o->equity != NULL, o->json,    o->db,    (const slab_bars *const *)feeds,
                        n_feeds,           preroll(o, n_feeds),  o->stamp_end};
    if (so->compare)
        return cli_script_compare(so, &r);
    return cli_script_run(so, &r, ex);
}

/* Runs what the options say and prints it. */
static int run(slab_run_options *o, cli_script_opts *so, int64_t t0)
{
    slab_error err;
    slab_bars *feeds[SLAB_FEEDS_MAX] = {NULL}, *bars = NULL;
    size_t n_feeds = 0, n_earn = 0;
    slab_earnings *earn = NULL;
    slab_run *r = NULL;
    slab_script_exec *ex = NULL;
    slab_spec *spec = NULL;
    slab_spec_run *srun = NULL;
    json_t *doc = NULL;
    slab_result_lists lists;      /* what the streamed lists are made from */
    slab_json_lazy lazy[5];       /* trades, orders, the series' three arrays */
    size_t n_lazy = 0;
    double params[SLAB_RUN_PARAMS_MAX];
    const double *pv = params;
    const slab_strategy_def *def = NULL;
    int rc, spec_period = 0; /* the period came from the spec's data section */

    if (o->report && (rc = cli_report_check_path(o->report)))
        return rc;
    if (o->spec) {
        if ((rc = prepare_spec(o, &spec, &spec_period)))
            goto out;
    } else if (!o->script) {
        if (!(def = slab_strategy_find(o->strategy, &err)))
            return cli_fail(&err);
        if (slab_strategy_resolve_params(def, o->params, o->n_params, params, &err) != SLAB_OK)
            return cli_fail(&err);
    }
    rc = load_bars(o, feeds, &n_feeds);
    bars = feeds[0];
    if (rc) {
        if (spec_period && !cli_json)
            fprintf(stderr, "stratlab run: note: the period is the spec's data.start/data.end; "
                            "give --from/--to to run another one\n");
        goto out;
    }
    if (!o->script && !spec && (rc = load_earnings(o, def, params, bars, &earn, &n_earn)))
        goto out;
    if (o->script) {
        if ((rc = run_script(o, so, feeds, n_feeds, &ex)) || !ex)
            goto out;
        def = ex->def;
        pv = ex->params;
        r = ex->run;
        ex->run = NULL;
    } else {
        /* The cash curve is only written by --equity; without it, skip it. */
        /* Without --orders nothing prints the order log: only the refused
         * and rejected orders (the warnings) are kept. */
        slab_run_config cfg = {.broker = o->broker,
                               .strategy = def,
                               .params = params,
                               .stop_after_bar = -1,
                               .skip_cash_curve = o->equity == NULL,
                               .risk = o->risk,
                               .param_text = o->params,
                               .n_param_text = o->n_params,
                               .preroll_until_ns = preroll(o, n_feeds),
                               .earnings = earn,
                               .n_earnings = n_earn,
                               .stamp_end = o->stamp_end,
                               .has_earnings = earn != NULL,
                               .skip_order_log = !o->orders};
        if (spec) {
            if (slab_spec_run_new(spec, &srun, &err) != SLAB_OK) {
                rc = cli_fail(&err);
                goto out;
            }
            slab_spec_run_setup(srun, &cfg);
            def = cfg.strategy;
        }
        if (slab_engine_run_feeds((const slab_bars *const *)feeds, n_feeds, &cfg, NULL, &r,
                                  &err) != SLAB_OK) {
            rc = cli_fail(&err);
            goto out;
        }
    }
    /* The table shows no trades, so it does not build them. */
    long max_trades = (o->json || o->out) ? o->max_trades : 0;
    /* Printed and nothing else, the document's long lists (trades, orders,
     * the series) are made item by item as it goes out (the same bytes): a
     * long run's lists are never held whole. */
    int streamed = o->json && !o->out && !o->report && !spec && !ex;
    slab_result_info info = {def->name, ex ? "script" : spec ? "spec" : "builtin",
                             spec ? NULL : def, pv, &o->broker, 0.0, o->orders, max_trades,
                             o->lang /* --lang zh: the summary in Chinese too */, streamed};
    info.wall_ms = (double)(slab_clock_ns() - t0) / 1e6;
    if (!(doc = slab_result_json(bars, r, &info, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    lists.bars = bars;
    lists.run = r;
    n_lazy = slab_result_lazy(doc, &info, &lists, lazy);
    if ((o->json || o->out) && want_series(o, bars->n) &&
        (rc = add_series(doc, bars, r, &lists, streamed ? lazy + n_lazy : NULL)))
        goto out;
    n_lazy += streamed && want_series(o, bars->n) ? 3 : 0;
    if (ex)
        cli_script_merge(doc, ex);
    if (spec && (rc = cli_spec_result(doc, spec, srun, bars, r, (slab_lang)o->lang)))
        goto out;
    if (r->days && !ex && !spec)
        json_object_set_new(doc, "next_runs", next_runs(o, def, params));
    if (o->equity && (rc = write_equity(o->equity, bars, r)))
        goto out;
    if (o->out && slab_json_dump_file(doc, o->out, JSON_INDENT(1), &err) != SLAB_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (o->report && (rc = write_report(o->report, bars, r, &info, doc, (slab_lang)o->lang)))
        goto out;
    if (o->json)
        rc = cli_print_json_lazy(doc, lazy, n_lazy);
    else if (o->lang != SLAB_LANG_EN)
        rc = print_stats(doc, (slab_lang)o->lang);
    else
        print_table(doc);
out:
    json_decref(doc);
    slab_run_free(r);
    slab_script_exec_free(ex);
    for (size_t k = 0; k < n_feeds; k++)
        slab_bars_free(feeds[k]);
    slab_free(earn);
    slab_spec_run_free(srun);
    slab_spec_free(spec);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    slab_run_options o;
    cli_script_opts so;
    json_t *cfg = NULL;
    int rc;
    int64_t t0 = slab_clock_ns();

    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return cli_help("run", usage);
    cmd_argc = argc;
    cmd_argv = argv;
    cli_script_opts_init(&so);
    if ((rc = cli_run_read_options(argc, argv, &o, &cfg)) == 0) {
        if (o.schema) {
            json_t *s = slab_run_options_schema();
            rc = cli_print_json(s);
            json_decref(s);
        } else if (!o.script || (rc = prepare_script(&o, &so)) == 0) {
            rc = run(&o, &so, t0);
        }
    }
    cli_script_opts_clear(&so);
    json_decref(cfg);
    return rc;
}
