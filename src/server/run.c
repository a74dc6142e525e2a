/* run.c: a POST /api/backtests body -> the result document, the way
 * `stratlab run --json` makes it for the same inputs (cmd_run.c): the run
 * options through the option table's JSON reader (so every key, default,
 * range and error location is the CLI's), bars from the store, the engine,
 * slab_result_json; a spec adds its sections as the CLI does.
 * Invariant: no request value names a file. "data" is rewritten to stored
 * symbols before the table sees it (the table's own "data" key is CSV
 * paths, and is refused here), "spec" is an object compiled in memory. */
#include "server_int.h"

#include "stratlab/diagnose.h"
#include "stratlab/engine.h"
#include "stratlab/json.h"
#include "stratlab/options.h"
#include "stratlab/report.h"
#include "stratlab/result.h"
#include "stratlab/script.h"
#include "stratlab/spec.h"
#include "stratlab/strategies.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fails err with code at pointer. */
static slab_status bad(slab_error *err, slab_errcode code, const char *pointer, const char *fix,
                       const char *msg)
{
    slab_error_fail(err, code, NULL, "%s", msg);
    if (fix)
        slab_error_fix(err, "%s", fix);
    slab_error_at_pointer(err, pointer);
    return err->code;
}

/* Moves "data": {"symbols", "from", "to", "timeframe"} into the option
 * table's keys (symbol, from, to, timeframe) of opts. */
static slab_status flatten_data(json_t *opts, const json_t *data, slab_error *err)
{
    const char *key;
    json_t *v;
    if (!json_is_object(data))
        return bad(err, SLAB_EC_BAD_VALUE, "/data",
                   "{\"data\": {\"symbols\": [\"ORCL\"], \"from\": \"2020-01-01\"}}",
                   "data: expected an object {symbols, from, to, timeframe}");
    json_object_foreach((json_t *)data, key, v)
    {
        char ptr[80];
        snprintf(ptr, sizeof ptr, "/data/%.40s", key);
        if (!strcmp(key, "symbols") || !strcmp(key, "symbol"))
            json_object_set(opts, "symbol", v);
        else if (!strcmp(key, "from") || !strcmp(key, "to") || !strcmp(key, "timeframe"))
            json_object_set(opts, key, v);
        else
            return bad(err, SLAB_EC_UNKNOWN_OPTION, ptr,
                       "data takes symbols (stored symbols), from, to and timeframe",
                       "data: unknown key (data comes from the store: give its symbols)");
    }
    return SLAB_OK;
}

/* The saved strategy req names ("saved": ID or {"id", "version"}), read
 * into *out (body owned). */
static slab_status load_saved(srv *s, const json_t *saved, slab_saved_strategy *out,
                              slab_error *err)
{
    const char *id = json_string_value(saved);
    json_int_t version = 0;
    if (json_is_object(saved)) {
        id = json_string_value(json_object_get(saved, "id"));
        json_t *v = json_object_get(saved, "version");
        if (v && (!json_is_integer(v) || json_integer_value(v) < 1))
            return bad(err, SLAB_EC_BAD_VALUE, "/saved/version", NULL,
                       "saved.version: expected a whole number >= 1");
        version = v ? json_integer_value(v) : 0;
    }
    if (!id || !*id || strlen(id) >= 40)
        return bad(err, SLAB_EC_BAD_VALUE, "/saved", "list them: GET /api/strategies",
                   "saved: expected a saved strategy's id, or {\"id\": ID, \"version\": N}");
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_get_strategy(s->store, id, (int)version, out, err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK) {
        slab_error_set_code(err, SLAB_EC_BAD_VALUE); /* a bad request, not a missing URL */
        slab_error_at_pointer(err, "/saved");
    }
    return st;
}

/* The request with a saved strategy's body under it: the saved body gives
 * what runs (strategy, params, spec, script), the request the rest. */
static json_t *merge_saved(const json_t *req, const slab_saved_strategy *sv, slab_error *err)
{
    json_t *body = json_loads(sv->body, 0, NULL), *m;
    const char *key;
    json_t *v;
    if (!body || !(m = json_deep_copy(req))) {
        json_decref(body);
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory reading a saved strategy");
        return NULL;
    }
    json_object_del(m, "saved");
    json_object_foreach(body, key, v)
    {
        if (!strcmp(key, "name"))
            continue;
        if (!strcmp(key, "params") && json_is_object(json_object_get(m, "params"))) {
            /* the request's params override the saved ones */
            json_t *p = json_deep_copy(v);
            json_object_update(p, json_object_get(m, "params"));
            json_object_set_new(m, "params", p);
        } else if (!json_object_get(m, key) || !strcmp(key, "strategy") || !strcmp(key, "spec") ||
                   !strcmp(key, "script")) {
            json_object_set(m, key, v);
        }
    }
    json_decref(body);
    return m;
}

/* Compiles the request's spec object; on errors err lists the first. */
static slab_status compile_spec(const json_t *spec, slab_spec **out, slab_error *err)
{
    slab_diags d;
    char line[600] = "";
    char *text;
    if (!json_is_object(spec))
        return bad(err, SLAB_EC_BAD_VALUE, "/spec", NULL,
                   "spec: expected a strategy spec object (seed 001's format)");
    if (!(text = slab_json_dumps(spec, JSON_INDENT(2))))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory reading the spec");
    slab_diags_init(&d);
    slab_status st = slab_spec_compile(text, strlen(text), out, &d);
    slab_free(text);
    if (st == SLAB_OK && d.n_errors == 0) {
        slab_diags_clear(&d);
        return SLAB_OK;
    }
    for (size_t k = 0; k < d.n; k++)
        if (d.items[k].severity == SLAB_DIAG_ERROR) {
            slab_diag_format(&d.items[k], "spec", line, sizeof line);
            break;
        }
    slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                    "spec: %zu error(s), nothing was run; the first: %s", d.n_errors, line);
    slab_error_fix(err, "validate it first (validate_spec / stratlab validate) and fix each one");
    slab_error_at_pointer(err, "/spec");
    slab_diags_clear(&d);
    slab_spec_free(*out);
    *out = NULL;
    return err->code == SLAB_OK ? SLAB_EINVAL : err->code;
}

/* Fills symbol, from, to, timeframe from the spec's data section where the
 * request gave none (as cli_spec_defaults does for the CLI). */
static void spec_defaults(const slab_spec *spec, json_t *opts)
{
    json_t *dj = json_object_get(slab_spec_json(spec), "data");
    const slab_spec_settings *set = slab_spec_settings_get(spec);
    if (!json_object_get(opts, "symbol") && set->n_symbols > 0)
        json_object_set_new(opts, "symbol", json_string(set->symbols[0]));
    if (!json_object_get(opts, "from") && set->has_start)
        json_object_set(opts, "from", json_object_get(dj, "start"));
    if (!json_object_get(opts, "to") && set->has_end)
        json_object_set(opts, "to", json_object_get(dj, "end"));
    if (!json_object_get(opts, "timeframe") && set->timeframe)
        json_object_set_new(opts, "timeframe", json_string(set->timeframe));
}

/* The run options from the request (opts keeps the JSON they borrow). */
static slab_status read_options(const json_t *req, json_t **opts_out, slab_run_options *o,
                                slab_error *err)
{
    json_t *opts = json_deep_copy(req);
    *opts_out = opts;
    if (!opts)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory reading the request");
    json_t *data = json_object_get(req, "data");
    json_object_del(opts, "data");
    json_object_del(opts, "spec");
    json_object_del(opts, "script");
    if (data && flatten_data(opts, data, err) != SLAB_OK)
        return err->code;
    slab_run_options_init(o);
    return slab_run_options_apply_json(o, opts, "", err);
}

/* ---- scripts ---- */

void srv_run_close(srv *s)
{
    slab_sandbox_close(s->sandbox);
    s->sandbox = NULL;
    for (size_t k = 0; k < SRV_BARS_CACHE; k++) {
        slab_bars_free(s->cache[k].bars);
        s->cache[k].bars = NULL;
    }
}

/* ---- bars: the store, through a small cache ----
 * A hit copies the cached series' range (what slab_store_load would read:
 * from_ns <= ts <= to_ns, the same metadata); the cache is checked against
 * the store's data_version, so an import by another process is seen at the
 * next run. A miss, an empty range or a series too large for the cache
 * reads the store as the CLI does (and its errors are the CLI's). */

static srv_bars_entry *cache_find(srv *s, const char *symbol, const char *tf, int64_t version)
{
    for (size_t k = 0; k < SRV_BARS_CACHE; k++) {
        srv_bars_entry *e = &s->cache[k];
        if (e->bars && e->version == version && !strcmp(e->symbol, symbol) &&
            !strcmp(e->timeframe, tf))
            return e;
    }
    return NULL;
}

/* Keeps b (owned) for symbol/tf, evicting the least recently used. */
static void cache_put(srv *s, const char *symbol, const char *tf, int64_t version, slab_bars *b)
{
    size_t total = b->n, victim = 0;
    for (size_t k = 0; k < SRV_BARS_CACHE; k++) {
        srv_bars_entry *e = &s->cache[k];
        if (e->bars && e->version != version) { /* stale: drop */
            slab_bars_free(e->bars);
            e->bars = NULL;
        }
        if (e->bars)
            total += e->bars->n;
        if (!e->bars || (s->cache[victim].bars && e->used < s->cache[victim].used))
            victim = k;
    }
    while (total > SRV_BARS_CACHE_MAX) { /* make room: drop the oldest */
        size_t old = SRV_BARS_CACHE;
        for (size_t k = 0; k < SRV_BARS_CACHE; k++)
            if (s->cache[k].bars &&
                (old == SRV_BARS_CACHE || s->cache[k].used < s->cache[old].used))
                old = k;
        if (old == SRV_BARS_CACHE)
            break;
        total -= s->cache[old].bars->n;
        slab_bars_free(s->cache[old].bars);
        s->cache[old].bars = NULL;
        victim = old;
    }
    srv_bars_entry *e = &s->cache[victim];
    slab_bars_free(e->bars);
    snprintf(e->symbol, sizeof e->symbol, "%s", symbol);
    snprintf(e->timeframe, sizeof e->timeframe, "%s", tf);
    e->version = version;
    e->used = ++s->cache_tick;
    e->bars = b;
}

/* The bars the options name into *out (owned), as slab_store_load gives. */
static slab_status load_bars(srv *s, const slab_run_options *o, const char *symbol, int64_t from_ns,
                             slab_bars **out, slab_error *err)
{
    const char *tf = o->timeframe ? o->timeframe : "";
    int64_t version = 0;
    slab_status st;
    *out = NULL;
    pthread_mutex_lock(&s->store_mu);
    st = slab_store_data_version(s->store, &version, err);
    pthread_mutex_unlock(&s->store_mu);
    if (st == SLAB_OK) {
        pthread_mutex_lock(&s->cache_mu);
        srv_bars_entry *e = cache_find(s, symbol, tf, version);
        if (e) {
            e->used = ++s->cache_tick;
            s->cache_hits++;
            if (slab_bars_slice(e->bars, from_ns, o->to_ns, out, err) != SLAB_OK)
                *out = NULL; /* an empty range: the store says it in the CLI's words */
        }
        pthread_mutex_unlock(&s->cache_mu);
        if (*out)
            return SLAB_OK;
    }
    slab_bars *whole = NULL;
    int resampled = 0;
    /* the run reads through the read-only handle: it cannot write; a
     * timeframe not stored is made from finer stored bars, as stratlab run
     * does (store.h), and not kept in the cache */
    pthread_mutex_lock(&s->ro_mu);
    st = slab_store_load_resampled(s->ro, symbol, o->timeframe, from_ns, o->to_ns, o->stamp_end,
                                   out, &resampled, err);
    if (resampled) {
        pthread_mutex_unlock(&s->ro_mu);
        return st;
    }
    if (st == SLAB_OK && version && (from_ns != INT64_MIN || o->to_ns != INT64_MAX) &&
        slab_store_load(s->ro, symbol, o->timeframe, INT64_MIN, INT64_MAX, &whole, NULL) != SLAB_OK)
        whole = NULL;
    pthread_mutex_unlock(&s->ro_mu);
    if (st != SLAB_OK || !version)
        return st;
    if (!whole && slab_bars_slice(*out, INT64_MIN, INT64_MAX, &whole, NULL) != SLAB_OK)
        whole = NULL;
    if (!whole)
        return SLAB_OK;
    if (whole->n > SRV_BARS_CACHE_MAX / 4) { /* too large to keep */
        slab_bars_free(whole);
        return SLAB_OK;
    }
    pthread_mutex_lock(&s->cache_mu);
    s->cache_misses++;
    cache_put(s, symbol, tf, version, whole);
    pthread_mutex_unlock(&s->cache_mu);
    return SLAB_OK;
}

/* The sandbox, opened at the first script (its state folder and runner
 * come from the environment, as for the CLI). */
static slab_sandbox *sandbox(srv *s, slab_error *err)
{
    pthread_mutex_lock(&s->sandbox_mu);
    if (!s->sandbox) {
        slab_sandbox_config c;
        memset(&c, 0, sizeof c);
        c.max_concurrent = s->cfg.workers;
        if (slab_sandbox_open(&c, &s->sandbox, err) != SLAB_OK) {
            s->sandbox = NULL;
        } else {
            slab_sandbox_health h;
            slab_sandbox_health_get(s->sandbox, &h);
            srv_secret_path(s, h.state_dir);
            const char *slash = strrchr(h.runner, '/');
            if (slash) {
                char dir[1024];
                snprintf(dir, sizeof dir, "%.*s", (int)(slash - h.runner), h.runner);
                srv_secret_path(s, dir);
            }
        }
    }
    slab_sandbox *sb = s->sandbox;
    pthread_mutex_unlock(&s->sandbox_mu);
    if (!sb) {
        /* the reason names server folders: keep the kind, not the text */
        slab_errcode code = slab_error_code(err);
        slab_error_fail(err, code == SLAB_EC_NONE ? SLAB_EC_IO_ERROR : code, NULL,
                        "the script sandbox is not available on this server");
        slab_error_fix(err, "run a built-in or a spec; the operator sees why in stratlab run "
                            "--script on this machine");
    }
    return sb;
}

/* Logs a script execution in the store (seed 000's ScriptExecutionLog). */
static void log_script(srv *s, const slab_run_options *o, const slab_bars *bars,
                       const slab_script_exec *ex)
{
    slab_execution_record rec;
    slab_error err;
    json_t *p = json_object(), *ps = json_array();
    for (size_t k = 0; k < o->n_params; k++)
        json_array_append_new(ps, json_string(o->params[k]));
    json_object_set_new(p, "params", ps);
    json_object_set_new(p, "data",
                        json_pack("{s:s,s:i}", "symbol", bars->symbol, "bars", (int)bars->n));
    json_object_set_new(p, "via", json_string("http"));
    slab_execution_record_from_exec(&rec, ex, "request.c", srv_now_ms());
    rec.parameters = slab_json_dumps(p, JSON_COMPACT);
    json_decref(p);
    pthread_mutex_lock(&s->store_mu);
    slab_store_log_execution(s->store, &rec, &err); /* a lost log line never fails the run */
    pthread_mutex_unlock(&s->store_mu);
    slab_free(rec.parameters);
}

/* Runs the request's script on bars. SLAB_OK with *ex (owned, status ok);
 * otherwise err and, for a script that ran and failed, *fail_doc. */
static slab_status run_script(srv *s, const char *source, size_t len, const slab_run_options *o,
                              slab_bars *const *feeds, size_t n_feeds, slab_script_exec **ex,
                              json_t **fail_doc, slab_error *err)
{
    static const char *const names[] = {"timeout", "cpu_limit", "memory", "output_limit",
                                        "compile_timeout"};
    slab_script_job job;
    slab_sandbox *sb = sandbox(s, err);
    *ex = NULL;
    if (!sb)
        return err->code;
    memset(&job, 0, sizeof job);
    slab_script_limits_default(&job.limits);
    double *lim[] = {&job.limits.timeout_s, &job.limits.cpu_s, &job.limits.memory_mb,
                     &job.limits.output_bytes, &job.limits.compile_timeout_s};
    const double val[] = {o->script_timeout_s, o->script_cpu_s, o->script_memory_mb,
                          o->script_output_bytes, o->script_compile_timeout_s};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (slab_run_options_given(o, slab_run_options_find(names[k])))
            *lim[k] = val[k];
    if (slab_script_limits_check(&job.limits, err) != SLAB_OK)
        return err->code;
    job.source = source;
    job.source_len = len;
    job.source_name = "request.c";
    const slab_bars *bars = feeds[0];
    job.bars = bars;
    job.broker = &o->broker;
    job.risk = &o->risk;
    job.params = o->params;
    job.n_params = o->n_params;
    job.keep_cash = 0;
    /* every feed of data.symbols, as stratlab run --script hands them */
    job.feeds = (const slab_bars *const *)feeds;
    job.n_feeds = n_feeds;
    job.preroll_until_ns = n_feeds > 1 && o->from_ns != INT64_MIN ? o->from_ns : 0;
    job.stamp_end = o->stamp_end;
    /* the store's earnings calendar for a script that asks
     * (slab_earnings_near), as stratlab run --script hands it */
    slab_earnings *earn = NULL;
    size_t n_earn = 0;
    slab_error e2;
    pthread_mutex_lock(&s->ro_mu);
    job.has_earnings = s->ro && slab_store_load_earnings(s->ro, bars->symbol, &earn, &n_earn,
                                                         &e2) == SLAB_OK;
    pthread_mutex_unlock(&s->ro_mu);
    job.earnings = earn;
    job.n_earnings = n_earn;
    slab_status st = slab_script_execute(sb, &job, ex, err);
    slab_free(earn);
    if (st != SLAB_OK)
        return err->code;
    log_script(s, o, bars, *ex);
    if ((*ex)->status == SLAB_SCRIPT_OK)
        return SLAB_OK;
    *fail_doc = slab_script_failure_json(*ex);
    slab_error_fail(err, (*ex)->status == SLAB_SCRIPT_BUSY ? SLAB_EC_BUSY : SLAB_EC_RUN_FAILED,
                    NULL, "script %s: %s", slab_script_status_name((*ex)->status), (*ex)->detail);
    slab_error_fix(err, "%s",
                   (*ex)->n_diags ? "fix the errors listed under errors (line:column)"
                                  : "see stdout, stderr and detail; the limits are timeout, "
                                    "cpu_limit, memory, output_limit");
    slab_script_exec_free(*ex);
    *ex = NULL;
    return err->code;
}

/* POST /api/scripts/validate {"script": "C source"}: the script validator
 * of `stratlab validate FILE.c --json` (script.h: the compiler in the jail,
 * then the source checks); 200 with the validation document, valid or not
 * (as POST /api/specs/validate). A compile takes a worker slot. */
void srv_validate_script(srv *s, const json_t *req, srv_reply *out)
{
    const json_t *src = json_object_get(req, "script");
    const char *key;
    json_t *val;
    slab_error err;
    slab_script_report *r = NULL;
    int retry = 0;
    json_object_foreach((json_t *)req, key, val) {
        if (strcmp(key, "script")) {
            srv_reply_fail(out, SLAB_EC_UNKNOWN_OPTION, "send {\"script\": \"C source\"}",
                           "%s: unknown key (the body is {\"script\": \"...\"})", key);
            return;
        }
    }
    if (!src) {
        srv_reply_fail(out, SLAB_EC_MISSING_OPTION, "send {\"script\": \"C source\"}",
                       "script: expected the C source under \"script\"");
        return;
    }
    if (!json_is_string(src) || json_string_length(src) == 0 ||
        json_string_length(src) > SLAB_SCRIPT_SOURCE_MAX) {
        slab_error_clear(&err);
        bad(&err, SLAB_EC_BAD_VALUE, "/script", "send the C source as one string",
            "script: expected the C source as a string of 1 byte to 1 MiB");
        srv_reply_error(out, &err);
        return;
    }
    slab_errcode q = srv_queue_enter(s, &retry);
    if (q != SLAB_EC_NONE) {
        srv_reply_fail(out, q, NULL,
                       q == SLAB_EC_BUSY ? "the queue is full: retry in %d s"
                                         : "the server is stopping: retry in %d s",
                       retry);
        out->retry_after_s = retry;
        return;
    }
    int64_t t0 = slab_clock_ns();
    slab_error_clear(&err);
    slab_sandbox *sb = sandbox(s, &err);
    slab_status st = sb ? slab_script_validate(sb, json_string_value(src), json_string_length(src),
                                               "request.c", &r, &err)
                        : err.code;
    srv_queue_leave(s, (double)(slab_clock_ns() - t0) / 1e6);
    if (st != SLAB_OK) {
        if (sb) /* the source itself (a NUL byte): the request's fault */
            slab_error_fail(&err, st == SLAB_ENOMEM ? SLAB_EC_OUT_OF_MEMORY : SLAB_EC_BAD_VALUE,
                            NULL, "script: %s", err.msg);
        slab_error_at_pointer(&err, "/script");
        srv_reply_error(out, &err);
        return;
    }
    json_t *doc = slab_script_report_json(r);
    slab_script_report_free(r);
    srv_reply_json(out, 200, doc);
}

/* Puts ex's execution fields into doc's "execution" object (as the CLI). */
static void merge_execution(json_t *doc, const slab_script_exec *ex)
{
    json_t *exj = slab_script_exec_json(ex), *cur = json_object_get(doc, "execution");
    const char *key;
    json_t *val;
    if (!cur) {
        json_object_set_new(doc, "execution", exj);
        return;
    }
    json_object_foreach(exj, key, val) json_object_set(cur, key, val);
    json_decref(exj);
}

/* One run being prepared and made: srv_run's state, cleared by
 * job_clear(). */
typedef struct run_job {
    slab_run_options o;
    json_t *opts;           /* the option JSON o borrows from */
    const json_t *req;      /* the request as given (borrowed) */
    json_t *merged;         /* the request with a saved strategy under it */
    json_t *script;         /* the request's "script" (borrowed) */
    slab_saved_strategy sv; /* the saved strategy it runs, if any */
    slab_spec *spec;
    slab_spec_run *srun;
    slab_bars *feeds[SLAB_FEEDS_MAX]; /* data.symbols' bars, in order (owned) */
    size_t n_feeds;
    slab_bars *bars;         /* feeds[0] */
    slab_earnings *earnings; /* the calendar a skip_earnings run reads (owned) */
    size_t n_earnings;
    slab_run *r;
    slab_script_exec *ex;
    const slab_strategy_def *def;
    double params[SLAB_RUN_PARAMS_MAX * 8];
} run_job;

static void job_clear(run_job *j)
{
    slab_script_exec_free(j->ex);
    slab_run_free(j->r);
    for (size_t k = 0; k < j->n_feeds; k++)
        slab_bars_free(j->feeds[k]);
    slab_free(j->earnings);
    slab_spec_run_free(j->srun);
    slab_spec_free(j->spec);
    json_decref(j->opts);
    json_decref(j->merged);
    slab_free(j->sv.body);
}

/* The request as run options: a saved strategy merged under it, one way
 * in, the script's text checked, a spec compiled (its data section fills
 * what the request left out), then the option table's rules. */
static slab_status job_options(srv *s, const json_t *req, run_job *j, slab_error *err)
{
    j->req = req;
    if (json_object_get(req, "saved")) {
        if (load_saved(s, json_object_get(req, "saved"), &j->sv, err) != SLAB_OK)
            return err->code;
        if (!(j->merged = merge_saved(req, &j->sv, err)))
            return err->code;
        req = j->merged;
    }
    int ways = (json_object_get(req, "strategy") != NULL) + (json_object_get(req, "spec") != NULL) +
               (json_object_get(req, "script") != NULL);
    if (ways != 1)
        return bad(err, ways ? SLAB_EC_CONFLICTING_OPTIONS : SLAB_EC_MISSING_OPTION, "/strategy",
                   "GET /api/strategies lists the built-ins",
                   "give exactly one of strategy (a built-in's name), spec (a strategy spec "
                   "object), script (C source) or saved (a saved strategy's id)");
    if ((j->script = json_object_get(req, "script")) &&
        (!json_is_string(j->script) || json_string_length(j->script) == 0 ||
         json_string_length(j->script) > SLAB_SCRIPT_SOURCE_MAX))
        return bad(err, SLAB_EC_BAD_VALUE, "/script", NULL,
                   "script: expected the C source as a string of at most 1 MiB");
    if (read_options(req, &j->opts, &j->o, err) != SLAB_OK)
        return err->code;
    if (j->script)
        j->o.script = "request.c"; /* the table's rule: one way in */
    if (json_object_get(req, "spec")) {
        if (compile_spec(json_object_get(req, "spec"), &j->spec, err) != SLAB_OK)
            return err->code;
        spec_defaults(j->spec, j->opts);
        slab_run_options_init(&j->o);
        if (slab_run_options_apply_json(&j->o, j->opts, "", err) != SLAB_OK)
            return err->code;
        j->o.spec = "(request)"; /* the table's rule: one way in */
    }
    if (j->o.n_symbols == 0 && j->o.n_data == 0)
        return bad(
            err, SLAB_EC_MISSING_OPTION, "/data/symbols",
            "{\"data\": {\"symbols\": [\"ORCL\"]}} (stratlab data list shows the stored ones)",
            "data.symbols: give the stored symbol to run on");
    if (slab_run_options_check(&j->o, err) != SLAB_OK)
        return err->code;
    if (j->o.n_data) /* never through "data" (rewritten): a flat "data" is a path */
        return bad(err, SLAB_EC_BAD_VALUE, "/data",
                   "give stored symbols: {\"data\": {\"symbols\": [...]}}",
                   "data: the service reads stored symbols only, never files");
    return SLAB_OK;
}

/* What runs: a spec's cash and commission (unless given), or a built-in
 * and its parameters (a script's come from the script). */
static slab_status job_strategy(run_job *j, slab_error *err)
{
    slab_run_options *o = &j->o;
    if (j->spec) {
        const int given[2] = {slab_run_options_given(o, slab_run_options_find("cash")) != 0,
                              slab_run_options_given(o, slab_run_options_find("commission")) != 0};
        slab_spec_apply_settings(j->spec, &o->broker, given);
        return SLAB_OK;
    }
    if (j->script)
        return SLAB_OK;
    if (!(j->def = slab_strategy_find(o->strategy, err))) {
        slab_error_at_pointer(err, "/strategy");
        return err->code;
    }
    if (j->def->n_params > (int)(sizeof j->params / sizeof j->params[0]))
        return slab_error_set(err, SLAB_EINTERNAL, NULL, "too many parameters");
    if (slab_strategy_resolve_params(j->def, o->params, o->n_params, j->params, err) != SLAB_OK) {
        slab_error_at_pointer(err, "/params");
        return err->code;
    }
    return SLAB_OK;
}

/* Loads every symbol of data.symbols, in order, into j->feeds. */
static slab_status load_feeds(srv *s, run_job *j, slab_error *err)
{
    const slab_run_options *o = &j->o;
    for (size_t k = 0; k < o->n_symbols && k < SLAB_FEEDS_MAX; k++) {
        char ptr[40];
        int64_t from = o->from_ns;
        snprintf(ptr, sizeof ptr, "/data/symbols/%zu", k);
        if (k > 0 && from != INT64_MIN && from - INT64_MIN > SLAB_PREROLL_DAYS * SLAB_NS_PER_DAY)
            from -= SLAB_PREROLL_DAYS * SLAB_NS_PER_DAY;
        for (size_t i = 0; i < k; i++)
            if (!strcmp(o->symbols[i], o->symbols[k]))
                return bad(err, SLAB_EC_CONFLICTING_OPTIONS, ptr, "name each symbol once",
                           "data.symbols: a symbol is given twice");
        if (load_bars(s, o, o->symbols[k], from, &j->feeds[k], err) != SLAB_OK) {
            slab_error_at_pointer(err, ptr);
            return err->code;
        }
        j->n_feeds = k + 1;
        if (o->timeframe) {
            j->feeds[k]->timeframe = o->tf;
            j->feeds[k]->compression = o->tf_compression;
        }
    }
    j->bars = j->feeds[0];
    return SLAB_OK;
}

/* A built-in whose skip_earnings parameter is on reads the store's
 * earnings calendar for the traded symbol (as stratlab run). */
static slab_status load_earnings(srv *s, run_job *j, slab_error *err)
{
    int want = 0;
    for (int k = 0; j->def && k < j->def->n_params; k++)
        want |= !strcmp(j->def->params[k].name, "skip_earnings") && j->params[k] != 0.0;
    if (!want)
        return SLAB_OK;
    pthread_mutex_lock(&s->ro_mu);
    slab_status st =
        slab_store_load_earnings(s->ro, j->bars->symbol, &j->earnings, &j->n_earnings, err);
    pthread_mutex_unlock(&s->ro_mu);
    if (st != SLAB_OK)
        slab_error_at_pointer(err, "/params/skip_earnings");
    return st;
}

/* The bars, then the run: the engine, or the script in the sandbox. */
static slab_status job_execute(srv *s, run_job *j, json_t **fail_doc, slab_error *err)
{
    if (load_feeds(s, j, err) != SLAB_OK)
        return err->code;
    if (!j->script && !j->spec && load_earnings(s, j, err) != SLAB_OK)
        return err->code;
    if (j->script) {
        if (run_script(s, json_string_value(j->script), json_string_length(j->script), &j->o,
                       j->feeds, j->n_feeds, &j->ex, fail_doc, err) != SLAB_OK)
            return err->code;
        j->def = j->ex->def;
        j->r = j->ex->run;
        j->ex->run = NULL;
        return SLAB_OK;
    }
    slab_run_config cfg = {.broker = j->o.broker,
                           .strategy = j->def,
                           .params = j->params,
                           .stop_after_bar = -1,
                           .skip_cash_curve = 1,
                           .risk = j->o.risk,
                           .param_text = j->o.params,
                           .n_param_text = j->o.n_params,
                           .preroll_until_ns =
                               j->n_feeds > 1 && j->o.from_ns != INT64_MIN ? j->o.from_ns : 0,
                           .earnings = j->earnings,
                           .n_earnings = j->n_earnings,
                           .stamp_end = j->o.stamp_end,
                           /* the document's order log only when asked */
                           .skip_order_log = !j->o.orders};
    if (j->spec) {
        if (slab_spec_run_new(j->spec, &j->srun, err) != SLAB_OK)
            return err->code;
        slab_spec_run_setup(j->srun, &cfg);
        j->def = cfg.strategy;
    }
    return slab_engine_run_feeds((const slab_bars *const *)j->feeds, j->n_feeds, &cfg, NULL, &j->r,
                                 err);
}

/* One next run (slab_next_runs) as {"why", "request"}: this run's
 * request (a saved strategy's body merged in, so it stands alone) with the
 * change applied: params set (null: left out), "date" replaced by
 * data.from and data.to. NULL when out of memory. */
static json_t *next_request(const run_job *j, const json_t *item)
{
    const json_t *change = json_object_get(item, "change");
    json_t *r = json_deep_copy(j->merged ? j->merged : j->req), *p, *v;
    const char *key;
    if (!r)
        return NULL;
    if (json_object_get(change, "params")) {
        if (!json_is_object(p = json_object_get(r, "params")))
            json_object_set_new(r, "params", p = json_object());
        json_object_foreach(json_object_get(change, "params"), key, v)
        {
            if (json_is_null(v))
                json_object_del(p, key);
            else
                json_object_set(p, key, v);
        }
    }
    if (json_object_get(change, "date")) {
        json_object_del(r, "date");
        if (!json_is_object(p = json_object_get(r, "data")))
            json_object_set_new(r, "data", p = json_object());
        json_object_set(p, "from", json_object_get(change, "from"));
        json_object_set(p, "to", json_object_get(change, "to"));
    }
    return json_pack("{s:O,s:o}", "why", json_object_get(item, "why"), "request", r);
}

/* A session strategy's next runs as ready request bodies (the CLI gives
 * the same runs as command lines). */
static int add_next_runs(json_t *doc, const run_job *j)
{
    const slab_run_options *o = &j->o;
    json_t *changes =
        slab_next_runs(j->def, j->params, o->date ? o->from_ns / SLAB_NS_PER_DAY : INT64_MIN);
    json_t *arr = json_array(), *item, *one;
    size_t k;
    int bad = !changes || !arr;
    json_array_foreach(changes, k, item)
        bad |= !(one = next_request(j, item)) || json_array_append_new(arr, one);
    json_decref(changes);
    if (bad) {
        json_decref(arr);
        return -1;
    }
    return json_object_set_new(doc, "next_runs", arr);
}

/* The result document, as `stratlab run --json` makes it. */
static json_t *job_document(run_job *j, int64_t t0, slab_error *err)
{
    slab_result_info info = {.strategy = j->def->name,
                             .source = j->ex     ? "script"
                                       : j->spec ? "spec"
                                                 : "builtin",
                             .def = j->spec ? NULL : j->def,
                             .params = j->ex ? j->ex->params : j->params,
                             .broker = &j->o.broker,
                             .include_orders = j->o.orders,
                             .max_trades = j->o.max_trades};
    info.wall_ms = (double)(slab_clock_ns() - t0) / 1e6;
    json_t *doc = slab_result_json(j->bars, j->r, &info, err);
    if (!doc)
        return NULL;
    /* the per-bar series where asked ("series": true), where run --series
     * puts it: after the document, before the execution */
    if (j->o.series) {
        json_t *se = slab_result_series(j->bars, j->r);
        if (!se || json_object_set_new(doc, "series", se)) {
            json_decref(doc);
            slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the series");
            return NULL;
        }
    }
    if (j->ex)
        merge_execution(doc, j->ex);
    if (j->spec && slab_spec_result_sections(doc, j->spec, j->srun, j->bars,
                                             (slab_lang)j->o.lang, err) != SLAB_OK) {
        json_decref(doc);
        return NULL;
    }
    if (j->r->days && !j->ex && !j->spec && add_next_runs(doc, j)) {
        json_decref(doc);
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory writing the next runs");
        return NULL;
    }
    if (j->sv.id[0])
        json_object_set_new(json_object_get(doc, "backtest"), "saved",
                            json_pack("{s:s,s:i}", "id", j->sv.id, "version", j->sv.version));
    return doc;
}

json_t *srv_run(srv *s, const json_t *req, char saved_id[40], int *saved_version, json_t **fail_doc,
                slab_error *err)
{
    run_job j;
    json_t *doc = NULL;
    int64_t t0 = slab_clock_ns();
    memset(&j, 0, sizeof j);
    *fail_doc = NULL;
    if (job_options(s, req, &j, err) == SLAB_OK && job_strategy(&j, err) == SLAB_OK &&
        job_execute(s, &j, fail_doc, err) == SLAB_OK)
        doc = job_document(&j, t0, err);
    snprintf(saved_id, 40, "%s", j.sv.id);
    *saved_version = j.sv.version;
    job_clear(&j);
    return doc;
}

json_t *srv_backtest_schema(void)
{
    static const char *const csv_only[] = {"data", "format", "yahoo_adjust", "columns"};
    json_t *sc = slab_run_options_schema();
    json_t *props = json_object_get(sc, "properties");
    if (!props)
        return sc;
    json_object_del(sc, "$schema");
    json_object_set_new(sc, "title", json_string("POST /api/backtests body"));
    for (size_t k = 0; k < sizeof csv_only / sizeof csv_only[0]; k++)
        json_object_del(props, csv_only[k]);
    json_object_set_new(
        props, "data",
        json_pack("{s:s,s:s,s:{s:{s:s,s:{s:s},s:i,s:i},s:{s:s},s:{s:s},s:{s:s}},s:b}", "type",
                  "object", "description",
                  "what to run on: stored symbols (stratlab data list), a date range, a timeframe",
                  "properties", "symbols", "type", "array", "items", "type", "string", "minItems",
                  1, "maxItems", SLAB_FEEDS_MAX, "from", "type", "string", "to", "type", "string", "timeframe",
                  "type", "string", "additionalProperties", 0));
    json_object_set_new(props, "spec",
                        json_pack("{s:s,s:s}", "type", "object", "description",
                                  "a strategy spec (seed 001's format) instead of strategy"));
    json_object_set_new(props, "saved",
                        json_pack("{s:[s,s],s:s}", "type", "string", "object", "description",
                                  "a saved strategy's id, or {\"id\": ID, \"version\": N}"));
    return sc;
}
