/* cmd_executions.c: `stratlab executions`: the script execution log kept
 * in the store (seed 000's ScriptExecutionLog), newest first, as a table
 * or JSON with the seed's field names (id, template, parameters, success,
 * executionTime, stdout, stderr, error, createdAt) plus ours. */
#include "cli.h"

#include "stratlab/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *out)
{
    fprintf(out, "usage: stratlab executions [--json] [--limit N] [--id ID] [--db PATH]\n\n"
                 "The log of `run --script` executions, newest first.\n"
                 "  --json      one JSON array: id, template, parameters, success,\n"
                 "              executionTime (ms), stdout, stderr, error, createdAt, and\n"
                 "              status, compile_ms, run_ms, cpu_ms, max_rss_kb, cached,\n"
                 "              script, source_sha256, strategy\n"
                 "  --limit N   the newest N (default 50; 0 = all)\n"
                 "  --id ID     one execution, with its output and parameters\n"
                 "  --db PATH   store path (default $STRATLAB_DB or the user data dir)\n");
}

/* "2025-07-31T14:05:09.123Z" */
static const char *iso_ms(int64_t ms, char *buf, size_t n)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
    return buf;
}

static json_t *record_json(const slab_execution_record *r)
{
    char when[80];
    json_t *o = json_object(), *params = json_loads(r->parameters, 0, NULL);
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "template", r->template_name[0] ? json_string(r->template_name)
                                                           : json_null());
    json_object_set_new(o, "parameters", params ? params : json_string(r->parameters));
    json_object_set_new(o, "success", json_boolean(r->success));
    json_object_set_new(o, "executionTime", json_real(r->execution_ms));
    json_object_set_new(o, "stdout", json_string(r->stdout_text));
    json_object_set_new(o, "stderr", json_string(r->stderr_text));
    json_object_set_new(o, "error", r->success ? json_null() : json_string(r->error));
    json_object_set_new(o, "createdAt", json_string(iso_ms(r->created_at_ms, when, sizeof when)));
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "compile_ms", json_real(r->compile_ms));
    json_object_set_new(o, "run_ms", json_real(r->run_ms));
    json_object_set_new(o, "cpu_ms", json_real(r->cpu_ms));
    json_object_set_new(o, "max_rss_kb", json_integer(r->max_rss_kb));
    json_object_set_new(o, "cached", json_boolean(r->cached));
    json_object_set_new(o, "script", json_string(r->script));
    json_object_set_new(o, "source_sha256", json_string(r->source_sha256));
    json_object_set_new(o, "strategy", json_string(r->strategy));
    return o;
}

static void print_table(const slab_execution_record *r, size_t n)
{
    char when[80];
    if (n == 0) {
        printf("no script executions logged yet (stratlab run --script FILE.c ...)\n");
        return;
    }
    printf("%-24s %-21s %-22s %9s %-6s %-16s %s\n", "created (UTC)", "id", "status", "ms", "cache",
           "strategy", "script");
    for (size_t k = 0; k < n; k++)
        printf("%-24s %-21s %-22s %9.1f %-6s %-16s %s%s%s\n",
               iso_ms(r[k].created_at_ms, when, sizeof when), r[k].id, r[k].status,
               r[k].execution_ms, r[k].cached ? "yes" : "no", r[k].strategy[0] ? r[k].strategy : "-",
               r[k].script, r[k].template_name[0] ? "  template " : "", r[k].template_name);
}

/* One execution in full, for people. */
static void print_one(const slab_execution_record *r)
{
    char when[80];
    printf("execution %s  %s\n", r->id, iso_ms(r->created_at_ms, when, sizeof when));
    printf("  status     %s%s%s\n", r->status, r->success ? "" : ": ", r->success ? "" : r->error);
    printf("  script     %s (sha256 %.16s...), strategy %s\n", r->script, r->source_sha256,
           r->strategy[0] ? r->strategy : "-");
    if (r->template_name[0])
        printf("  template   %s\n", r->template_name);
    printf("  time       %.1f ms (compile %.1f%s, run %.1f, cpu %.1f), max rss %lld KiB\n",
           r->execution_ms, r->compile_ms, r->cached ? " cached" : "", r->run_ms, r->cpu_ms,
           (long long)r->max_rss_kb);
    printf("  parameters %s\n", r->parameters);
    printf("  stdout     %s\n", r->stdout_text[0] ? r->stdout_text : "(empty)");
    printf("  stderr     %s\n", r->stderr_text[0] ? r->stderr_text : "(empty)");
}

int cmd_executions(int argc, char **argv)
{
    const char *dbflag = NULL, *id = NULL;
    long limit = 50;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (cli_is_help(a))
            return cli_help("executions", usage);
        if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        }
        if (!v)
            return cli_usage_error("executions", "%s needs a value", a);
        i++;
        if (!strcmp(a, "--db"))
            dbflag = v;
        else if (!strcmp(a, "--id"))
            id = v;
        else if (!strcmp(a, "--limit")) {
            char *end;
            limit = strtol(v, &end, 10);
            if (end == v || *end || limit < 0)
                return cli_usage_error("executions", "--limit expects a count >= 0, got '%s'", v);
        } else
            return cli_error(SLAB_EC_UNKNOWN_OPTION, a, "the options are --db, --id, --limit, --json",
                             "unknown option '%s'", a);
    }
    char path[1024];
    slab_store *db = NULL;
    slab_error err;
    slab_execution_record *recs = NULL;
    size_t n = 0;
    if (!cli_db_path("executions", dbflag, path, sizeof path))
        return 2;
    if (slab_store_open_read(path, &db, &err) != SLAB_OK)
        return cli_fail(&err);
    slab_status st = slab_store_list_executions(db, id, id ? 1 : (size_t)limit, &recs, &n, &err);
    slab_store_close(db);
    if (st != SLAB_OK)
        return cli_fail(&err);
    if (id && n == 0) {
        slab_execution_records_free(recs, n);
        return cli_error(SLAB_EC_NOT_FOUND, "--id", "list them with: stratlab executions",
                         "no execution with id '%s'", id);
    }
    if (json) {
        json_t *arr = json_array();
        for (size_t k = 0; k < n; k++)
            json_array_append_new(arr, record_json(&recs[k]));
        cli_print_json(arr);
        json_decref(arr);
    } else if (id) {
        print_one(&recs[0]);
    } else {
        print_table(recs, n);
    }
    slab_execution_records_free(recs, n);
    return 0;
}
