/* cmd_run_script.c: the `run --script FILE.c` half of `stratlab run`: the
 * script's flags (limits, --compare), its hint lines, executing it in the
 * sandbox, logging the execution in the store, printing a failure (one
 * JSON document with --json), merging the execution into a result, and
 * the parameter comparison (one run per value, side by side). cmd_run.c
 * loads the data and prints a successful single run as for a built-in. */
#include "cli.h"

#include "stratlab/result.h"
#include "stratlab/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define COMPARE_MAX 20

/* Parses a seconds/MiB/bytes flag value into *out. */
static int limit_value(const char *flag, const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x))
        return cli_usage_error("run", "%s expects a number, got '%s'", flag, v);
    *out = x;
    return 0;
}

int cli_script_flag(int argc, char **argv, int *i, cli_script_opts *so, int *rc)
{
    static const char *const flags[] = {"--script",         "--timeout",      "--cpu-limit",
                                        "--memory",         "--output-limit", "--compile-timeout",
                                        "--compare"};
    const char *a = argv[*i];
    size_t k = 0;
    *rc = 0;
    for (; k < sizeof flags / sizeof flags[0]; k++)
        if (!strcmp(a, flags[k]))
            break;
    if (k == sizeof flags / sizeof flags[0])
        return 0;
    if (*i + 1 >= argc) {
        *rc = cli_usage_error("run", "%s needs a value", a);
        return 1;
    }
    const char *v = argv[++*i];
    slab_script_limits *l = &so->limits;
    switch (k) {
    case 0: so->path = v; break;
    case 1: *rc = limit_value(a, v, &l->timeout_s); break;
    case 2: *rc = limit_value(a, v, &l->cpu_s); break;
    case 3: *rc = limit_value(a, v, &l->memory_mb); break;
    case 4: *rc = limit_value(a, v, &l->output_bytes); break;
    case 5: *rc = limit_value(a, v, &l->compile_timeout_s); break;
    default: so->compare = v; break;
    }
    return 1;
}

void cli_script_opts_init(cli_script_opts *so)
{
    memset(so, 0, sizeof *so);
    slab_script_limits_default(&so->limits);
}

/* Reads the whole script (at most SLAB_SCRIPT_SOURCE_MAX bytes). */
static int read_source(cli_script_opts *so)
{
    FILE *f = fopen(so->path, "rb");
    if (!f) {
        int e = errno;
        return cli_error(e == ENOENT ? SLAB_EC_FILE_NOT_FOUND : SLAB_EC_CANNOT_READ, so->path,
                         NULL, "cannot open the script: %s", strerror(e));
    }
    char *buf = malloc(SLAB_SCRIPT_SOURCE_MAX + 1);
    size_t n = buf ? fread(buf, 1, SLAB_SCRIPT_SOURCE_MAX + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad || n == 0 || n > SLAB_SCRIPT_SOURCE_MAX) {
        free(buf);
        return cli_error(!buf   ? SLAB_EC_OUT_OF_MEMORY
                         : bad ? SLAB_EC_CANNOT_READ
                               : SLAB_EC_LIMIT_REACHED,
                         so->path, NULL, "%s",
                         !buf ? "out of memory"
                         : bad ? "cannot read the file"
                         : n == 0 ? "the script is empty"
                                  : "the script is larger than 1 MiB");
    }
    buf[n] = '\0';
    so->source = buf;
    so->source_len = n;
    return 0;
}

int cli_script_prepare(cli_script_opts *so, const char **symbol, const char **from,
                       const char **to, const char **timeframe, int have_data)
{
    slab_error err;
    int rc;
    if (slab_script_limits_check(&so->limits, &err) != SLAB_OK)
        return cli_usage_error("run", "%s", err.msg);
    if ((rc = read_source(so)))
        return rc;
    if (slab_script_hint_parse(so->source, so->source_len, &so->hint, &err) != SLAB_OK) {
        if (!err.where[0])
            slab_error_at_file(&err, so->path, 0, 0);
        return cli_fail(&err);
    }
    if (!have_data && so->hint.symbol[0]) {
        *symbol = so->hint.symbol;
        if (!*from && so->hint.from[0])
            *from = so->hint.from;
        if (!*to && so->hint.to[0])
            *to = so->hint.to;
        if (!*timeframe && so->hint.timeframe[0])
            *timeframe = so->hint.timeframe;
    }
    if (!so->compare && so->hint.compare[0])
        so->compare = so->hint.compare;
    return 0;
}

/* ---- the execution log -------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* What the log keeps as "parameters": the template's variables, the
 * --param values, the data and the limits. */
static char *log_parameters(const cli_script_opts *so, const cli_script_ctx *r)
{
    json_t *o = json_object(), *ps = json_array(), *data = json_object(), *lim = json_object();
    if (so->hint.template_name[0])
        json_object_set_new(o, "template_vars", json_string(so->hint.vars));
    for (size_t k = 0; k < r->n_params; k++)
        json_array_append_new(ps, json_string(r->params[k]));
    json_object_set_new(o, "params", ps);
    json_object_set_new(data, "symbol", json_string(r->bars->symbol));
    json_object_set_new(data, "source", json_string(r->bars->source));
    json_object_set_new(data, "bars", json_integer((json_int_t)r->bars->n));
    if (r->feeds && r->n_feeds > 1) {
        /* every feed, the traded one first */
        json_t *syms = json_array();
        for (size_t k = 0; k < r->n_feeds; k++)
            json_array_append_new(syms, json_string(r->feeds[k]->symbol));
        json_object_set_new(data, "symbols", syms);
    }
    json_object_set_new(o, "data", data);
    json_object_set_new(lim, "timeout_s", json_real(so->limits.timeout_s));
    json_object_set_new(lim, "memory_mb", json_real(so->limits.memory_mb));
    json_object_set_new(lim, "output_bytes", json_real(so->limits.output_bytes));
    json_object_set_new(o, "limits", lim);
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return t;
}

/* Logs ex in the store; a store that cannot be written gets a warning,
 * never a failed run. */
static void log_execution(const cli_script_opts *so, const cli_script_ctx *r,
                          const slab_script_exec *ex)
{
    char path[1024];
    slab_store *db = NULL;
    slab_error err;
    slab_execution_record rec;
    slab_execution_record_from_exec(&rec, ex, so->path, now_ms());
    snprintf(rec.template_name, sizeof rec.template_name, "%s", so->hint.template_name);
    rec.parameters = log_parameters(so, r);
    if (!cli_db_path("run", r->db, path, sizeof path)) {
        free(rec.parameters);
        return;
    }
    cli_db_mkdirs(path);
    if (slab_store_open(path, &db, &err) != SLAB_OK ||
        slab_store_log_execution(db, &rec, &err) != SLAB_OK)
        fprintf(stderr, "stratlab: warning: the execution was not logged: %s\n", err.msg);
    slab_store_close(db);
    free(rec.parameters);
}

/* ---- executing -------------------------------------------------------------------- */

/* A failure for people: status, detail, diagnostics, the end of stderr. */
static void print_failure(const slab_script_exec *ex)
{
    fprintf(stderr, "stratlab: script %s: %s\n", slab_script_status_name(ex->status), ex->detail);
    for (size_t k = 0; k < ex->n_diags; k++)
        fprintf(stderr, "  %s\n", ex->diags[k].msg);
    if (ex->err_text && ex->err_text[0] && ex->status != SLAB_SCRIPT_CRASH)
        fprintf(stderr, "stderr of the script:\n%s", ex->err_text);
    fprintf(stderr, "(execution %s)\n", ex->id);
}

static void print_json(json_t *doc) { cli_print_json(doc); }

/* The store's earnings calendar for the traded symbol, which a script may
 * ask about (slab_earnings_near, the orb template's skip_earnings), as the
 * built-in orb reads it: 1 when the store could be read (*out owned, maybe
 * no rows), 0 when not (the script hears "no calendar" and says what to
 * do). Quiet: a script that never asks must not fail for it. */
static int script_earnings(const cli_script_ctx *r, slab_earnings **out, size_t *n)
{
    char path[1024];
    slab_store *db = NULL;
    slab_error err;
    *out = NULL;
    *n = 0;
    if ((r->db && !*r->db) || !cli_db_path("run", r->db, path, sizeof path) ||
        slab_store_open_read(path, &db, &err) != SLAB_OK)
        return 0;
    slab_status st = slab_store_load_earnings(db, r->bars->symbol, out, n, &err);
    slab_store_close(db);
    return st == SLAB_OK;
}

/* Runs one execution of so on r with extra parameters; logs it. */
static int execute(slab_sandbox *sb, const cli_script_opts *so, const cli_script_ctx *r,
                   const char *const *params, size_t n_params, slab_script_exec **out)
{
    slab_error err;
    cli_script_ctx logged = *r;
    slab_earnings *earn = NULL;
    size_t n_earn = 0;
    int has_earn = script_earnings(r, &earn, &n_earn);
    slab_script_job job = {so->source,  so->source_len, so->path,   r->bars,
                           r->broker,   r->risk,        params,     n_params,
                           r->keep_cash, so->limits,    r->feeds,   r->n_feeds,
                           r->preroll_until_ns,         r->stamp_end,
                           earn,        n_earn,         has_earn};
    slab_status st = slab_script_execute(sb, &job, out, &err);
    slab_free(earn);
    if (st != SLAB_OK)
        return err.code == SLAB_ERANGE || err.code == SLAB_ELIMIT ? cli_usage_error("run", "%s", err.msg)
                                                                  : cli_fail(&err);
    logged.params = params;
    logged.n_params = n_params;
    log_execution(so, &logged, *out);
    return 0;
}

static int open_sandbox(slab_sandbox **sb)
{
    slab_error err;
    if (slab_sandbox_open(NULL, sb, &err) != SLAB_OK)
        return cli_fail(&err);
    return 0;
}

int cli_script_run(cli_script_opts *so, const cli_script_ctx *r, slab_script_exec **out)
{
    slab_sandbox *sb = NULL;
    int rc;
    *out = NULL;
    if ((rc = open_sandbox(&sb)))
        return rc;
    rc = execute(sb, so, r, r->params, r->n_params, out);
    slab_sandbox_close(sb);
    if (rc)
        return rc;
    if ((*out)->status == SLAB_SCRIPT_OK)
        return 0;
    if (r->json) {
        json_t *doc = slab_script_failure_json(*out);
        print_json(doc);
        json_decref(doc);
    }
    print_failure(*out);
    slab_script_exec_free(*out);
    *out = NULL;
    return 1;
}

void cli_script_merge(json_t *doc, const slab_script_exec *ex)
{
    json_t *exj = slab_script_exec_json(ex), *cur = json_object_get(doc, "execution");
    const char *key;
    json_t *val;
    if (!cur) {
        json_object_set_new(doc, "execution", exj);
        return;
    }
    /* Existing keys keep their place; the script's come after. */
    json_object_foreach(exj, key, val) json_object_set(cur, key, val);
    json_decref(exj);
}

/* ---- --compare name=v1,v2,... ----------------------------------------------------- */

/* Splits "name=v1,v2" into name and values; checks each is a number. */
static int split_compare(const char *spec, char *name, size_t cap, double *vals, size_t *n)
{
    const char *eq = strchr(spec, '=');
    *n = 0;
    if (!eq || eq == spec || (size_t)(eq - spec) >= cap)
        return cli_usage_error("run", "--compare expects name=v1,v2,..., got '%s'", spec);
    memcpy(name, spec, (size_t)(eq - spec));
    name[eq - spec] = '\0';
    for (const char *p = eq + 1; *p;) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || (*end && *end != ',') || !isfinite(v) || *n == COMPARE_MAX)
            return cli_usage_error("run", "--compare %s: the values must be 1 to %d numbers "
                                          "separated by commas", spec, COMPARE_MAX);
        vals[(*n)++] = v;
        p = *end ? end + 1 : end;
    }
    if (*n == 0)
        return cli_usage_error("run", "--compare %s: give at least one value", spec);
    return 0;
}

/* One compared run's row: the value and the headline metrics. */
static json_t *compare_row(double value, json_t *doc, const slab_script_exec *ex)
{
    static const char *const keys[] = {"final_value", "total_return", "num_trades", "win_rate",
                                       "total_pnl", "max_drawdown_pct", "sharpe_ratio",
                                       "profit_factor"};
    json_t *row = json_object(), *m = json_object_get(doc, "metrics");
    json_object_set_new(row, "value", json_real(value));
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(m, keys[k]);
        json_object_set_new(row, keys[k], v ? json_deep_copy(v) : json_null());
    }
    json_object_set_new(row, "execution_id", json_string(ex->id));
    json_object_set_new(row, "cached", json_boolean(ex->cached));
    return row;
}

static void print_compare_table(const char *name, json_t *rows)
{
    size_t i;
    json_t *row;
    printf("%-12s %14s %10s %7s %9s %12s %9s\n", name, "final_value", "return%", "trades",
           "win%", "pnl", "maxdd%");
    json_array_foreach(rows, i, row)
    {
        double v[6];
        static const char *const keys[] = {"final_value", "total_return", "num_trades",
                                           "win_rate", "total_pnl", "max_drawdown_pct"};
        for (int k = 0; k < 6; k++) {
            json_t *x = json_object_get(row, keys[k]);
            v[k] = json_is_number(x) ? json_number_value(x) : NAN;
        }
        printf("%-12g %14.2f %10.3f %7.0f %9.2f %12.2f %9.3f\n",
               json_number_value(json_object_get(row, "value")), v[0], v[1], v[2], v[3], v[4],
               v[5]);
    }
}

int cli_script_compare(cli_script_opts *so, const cli_script_ctx *r)
{
    char name[64], kv[COMPARE_MAX][96];
    double vals[COMPARE_MAX];
    const char *params[64];
    size_t n_vals, n = 0;
    slab_sandbox *sb = NULL;
    int rc;
    if ((rc = split_compare(so->compare, name, sizeof name, vals, &n_vals)))
        return rc;
    for (size_t k = 0; k < r->n_params && n < 63; k++)
        if (strncmp(r->params[k], name, strlen(name)) || r->params[k][strlen(name)] != '=')
            params[n++] = r->params[k];
    if ((rc = open_sandbox(&sb)))
        return rc;
    json_t *rows = json_array();
    for (size_t i = 0; i < n_vals && rc == 0; i++) {
        slab_script_exec *ex = NULL;
        snprintf(kv[i], sizeof kv[i], "%s=%.17g", name, vals[i]);
        params[n] = kv[i];
        if ((rc = execute(sb, so, r, params, n + 1, &ex)))
            break;
        if (ex->status != SLAB_SCRIPT_OK) {
            if (r->json) {
                json_t *doc = slab_script_failure_json(ex);
                print_json(doc);
                json_decref(doc);
            }
            print_failure(ex);
            slab_script_exec_free(ex);
            rc = 1;
            break;
        }
        slab_error err;
        slab_result_info info = {ex->def->name, "script", ex->def, ex->params, r->broker, 0.0, 0, 0, 0, 0};
        json_t *doc = slab_result_json(r->bars, ex->run, &info, &err);
        if (!doc)
            rc = cli_fail(&err);
        else
            json_array_append_new(rows, compare_row(vals[i], doc, ex));
        json_decref(doc);
        slab_script_exec_free(ex);
    }
    slab_sandbox_close(sb);
    if (rc == 0) {
        if (r->json) {
            json_t *o = json_object(), *c = json_object();
            json_object_set_new(c, "parameter", json_string(name));
            json_object_set_new(c, "runs", json_incref(rows));
            json_object_set_new(o, "comparison", c);
            print_json(o);
            json_decref(o);
        } else {
            print_compare_table(name, rows);
        }
    }
    json_decref(rows);
    return rc;
}

void cli_script_opts_clear(cli_script_opts *so)
{
    free(so->source);
    so->source = NULL;
}
