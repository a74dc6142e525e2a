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

static void usage(FILE *out)
{
    size_t n;
    const slab_opt_def *t = slab_run_options_table(&n);
    const char *group = "";
    fprintf(out, "usage: stratlab run (--strategy NAME | --spec FILE | --script FILE.c)\n"
                 "                    (--data FILE | --symbol SYM) [options]\n"
                 "       stratlab run --config FILE.json [options]\n");
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].group, group)) {
            group = t[i].group;
            fprintf(out, "\n%s:\n", group);
        }
        help_row(out, &t[i]);
    }
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
static int read_options(int argc, char **argv, slab_run_options *o, json_t **cfg)
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
    int rc;
    *spec_period = !o->from || !o->to;
    if ((rc = cli_spec_open(o->spec, spec)) ||
        (rc = cli_spec_defaults(*spec, &symbol, o->n_data ? o->data[0] : NULL, &from, &to, &tf)) ||
        (rc = fill_from(o, symbol, from, to, tf, "the spec's data section")))
        return rc;
    const int given[2] = {slab_run_options_given(o, slab_run_options_find("cash")) != 0,
                          slab_run_options_given(o, slab_run_options_find("commission")) != 0};
    slab_spec_apply_settings(*spec, &o->broker, given);
    *spec_period = *spec_period && (o->from || o->to);
    if (o->from_ns > o->to_ns)
        return cli_error(SLAB_EC_REVERSED_RANGE, "--from", NULL,
                         "the range is reversed: from %s is after to %s", o->from, o->to);
    return 0;
}

/* Loads the bars the options name into *out (owned). */
static int load_bars(const slab_run_options *o, slab_bars **out)
{
    slab_error err;
    slab_bars *b = NULL;
    int ranged = o->from_ns != INT64_MIN || o->to_ns != INT64_MAX;

    if (o->n_data) {
        if (slab_csv_load(o->data[0], &o->csv, &b, NULL, &err) != SLAB_OK)
            return cli_fail(&err);
        if (ranged) {
            slab_bars *s = NULL;
            slab_status st = slab_bars_slice(b, o->from_ns, o->to_ns, &s, &err);
            slab_bars_free(b);
            if (st != SLAB_OK) {
                slab_error_set_code(&err, SLAB_EC_NO_BARS);
                slab_error_at_option(&err, "--from");
                return cli_fail(&err);
            }
            b = s;
        }
    } else {
        char path[1024];
        slab_store *db = NULL;
        if (!cli_db_path("run", o->db, path, sizeof path))
            return 2;
        if (slab_store_open_read(path, &db, &err) != SLAB_OK)
            return cli_fail(&err);
        slab_status st = slab_store_load(db, o->symbols[0], o->timeframe,
                                         o->from_ns, o->to_ns, &b, &err);
        slab_store_close(db);
        if (st != SLAB_OK)
            return cli_fail(&err);
    }
    if (o->timeframe) {
        b->timeframe = o->tf;
        b->compression = o->tf_compression;
    } else if (o->n_data) {
        slab_bars_infer_timeframe(b, &b->timeframe, &b->compression);
    }
    if (o->n_data && !b->symbol[0]) {
        const char *base = strrchr(o->data[0], '/');
        snprintf(b->symbol, sizeof b->symbol, "%s", base ? base + 1 : o->data[0]);
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
    if (!f)
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot create the equity file");
    fprintf(f, "datetime,cash,value\n");
    for (size_t i = 0; i < run->n_bars; i++)
        fprintf(f, "%s,%s,%s\n", slab_time_format(b->ts_ns[i], daily, ts, sizeof ts),
                cli_num(run->cash[i]), cli_num(run->value[i]));
    if (fclose(f) != 0)
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot write the equity file");
    return 0;
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

/* Runs up to this many bars carry their series unless --no-series, so a
 * saved document can be drawn later (stratlab report); longer ones only
 * with --series, as the series is the bulk of such a document. */
#define SERIES_AUTO_BARS 10000

/* Whether the printed document carries the per-bar series. */
static int want_series(const slab_run_options *o, size_t n_bars)
{
    const slab_opt_def *d = slab_run_options_find("series");
    if (d && slab_run_options_given(o, d))
        return o->series;
    return n_bars <= SERIES_AUTO_BARS;
}

/* Adds the run's per-bar "series" (report.h) to doc. Returns 0 or the
 * exit code (printed). */
static int add_series(json_t *doc, const slab_bars *bars, const slab_run *r)
{
    json_t *se = slab_result_series(bars, r);
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
    int rc;
    if (!json_object_get(doc, "series") || info->max_trades >= 0) {
        full.max_trades = -1;
        if (!(rdoc = slab_result_json(bars, r, &full, &err)))
            return cli_fail(&err);
        if ((rc = add_series(rdoc, bars, r))) {
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
 * block from the string table, the run's English notes after them. */
static int print_stats(json_t *doc, slab_lang lang)
{
    char *head = slab_stats_headline(doc, lang);
    char *table = slab_stats_text(json_object_get(doc, "stats"), lang);
    int rc = 0;
    if (head && table)
        printf("%s\n\n%s\n%s:\n%s\n", head, table, slab_text(lang, "report.run_notes"),
               json_string_value(json_object_get(doc, "summary")));
    else
        rc = cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory");
    slab_free(head);
    slab_free(table);
    return rc;
}

/* The script half: executes it (a failure is printed there) and hands
 * back the run, the script's description and its resolved parameters. */
static int run_script(const slab_run_options *o, cli_script_opts *so, const slab_bars *bars,
                      slab_script_exec **ex)
{
    cli_script_ctx r = {bars,         &o->broker, &o->risk, o->params, o->n_params,
                        o->equity != NULL, o->json, o->db};
    if (so->compare)
        return cli_script_compare(so, &r);
    return cli_script_run(so, &r, ex);
}

/* Runs what the options say and prints it. */
static int run(slab_run_options *o, cli_script_opts *so, int64_t t0)
{
    slab_error err;
    slab_bars *bars = NULL;
    slab_run *r = NULL;
    slab_script_exec *ex = NULL;
    slab_spec *spec = NULL;
    slab_spec_run *srun = NULL;
    json_t *doc = NULL;
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
    if ((rc = load_bars(o, &bars))) {
        if (spec_period && !cli_json)
            fprintf(stderr, "stratlab run: note: the period is the spec's data.start/data.end; "
                            "give --from/--to to run another one\n");
        goto out;
    }
    if (o->script) {
        if ((rc = run_script(o, so, bars, &ex)) || !ex)
            goto out;
        def = ex->def;
        pv = ex->params;
        r = ex->run;
        ex->run = NULL;
    } else {
        /* The cash curve is only written by --equity; without it, skip it. */
        slab_run_config cfg = {o->broker, def, params, -1, o->equity == NULL, o->risk, NULL};
        if (spec) {
            if (slab_spec_run_new(spec, &srun, &err) != SLAB_OK) {
                rc = cli_fail(&err);
                goto out;
            }
            slab_spec_run_setup(srun, &cfg);
            def = cfg.strategy;
        }
        if (slab_engine_run(bars, &cfg, &r, &err) != SLAB_OK) {
            rc = cli_fail(&err);
            goto out;
        }
    }
    /* The table shows no trades, so it does not build them. */
    long max_trades = (o->json || o->out) ? o->max_trades : 0;
    slab_result_info info = {def->name, ex ? "script" : spec ? "spec" : "builtin",
                             spec ? NULL : def, pv, &o->broker, 0.0, o->orders, max_trades};
    info.wall_ms = (double)(slab_clock_ns() - t0) / 1e6;
    if (!(doc = slab_result_json(bars, r, &info, &err))) {
        rc = cli_fail(&err);
        goto out;
    }
    if ((o->json || o->out) && want_series(o, bars->n) && (rc = add_series(doc, bars, r)))
        goto out;
    if (ex)
        cli_script_merge(doc, ex);
    if (spec && (rc = cli_spec_result(doc, spec, srun, bars, r, (slab_lang)o->lang)))
        goto out;
    if (o->equity && (rc = write_equity(o->equity, bars, r)))
        goto out;
    if (o->out && slab_json_dump_file(doc, o->out, JSON_INDENT(1), &err) != SLAB_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (o->report && (rc = write_report(o->report, bars, r, &info, doc, (slab_lang)o->lang)))
        goto out;
    if (o->json)
        rc = cli_print_json(doc);
    else if (o->lang != SLAB_LANG_EN)
        rc = print_stats(doc, (slab_lang)o->lang);
    else
        print_table(doc);
out:
    json_decref(doc);
    slab_run_free(r);
    slab_script_exec_free(ex);
    slab_bars_free(bars);
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
    cli_script_opts_init(&so);
    if ((rc = read_options(argc, argv, &o, &cfg)) == 0) {
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
