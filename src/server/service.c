/* service.c: the service's state and operations, shared by HTTP (http.c)
 * and MCP (mcp.c): health, backtests (run, store, read back byte for
 * byte, list), saved strategies (versioned), the execution log, the
 * bounded queue of K workers, replies and the error document.
 * Invariant: every reply is one JSON document; an error reply never names
 * a file or the store's path (only JSON pointers into the request). */
#include "server_int.h"

#include "stratlab/ind.h"
#include "stratlab/json.h"
#include "stratlab/options.h"
#include "stratlab/spec.h"
#include "stratlab/strategies.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* ---- small helpers ---------------------------------------------------------- */

int64_t srv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *srv_iso_ms(int64_t ms, char *buf, size_t n)
{
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    /* strftime for the fields: snprintf with tm's ints trips
     * -Wformat-truncation in Release builds (any int could be 11 digits) */
    size_t k = n ? strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm) : 0;
    unsigned milli = (unsigned)(((ms % 1000) + 1000) % 1000);
    if (n && k + 6 <= n) {
        buf[k++] = '.';
        buf[k++] = (char)('0' + milli / 100);
        buf[k++] = (char)('0' + milli / 10 % 10);
        buf[k++] = (char)('0' + milli % 10);
        buf[k++] = 'Z';
        buf[k] = '\0';
    }
    return buf;
}

void srv_new_id(const char *prefix, char *buf, size_t n)
{
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        /* no entropy source: time and a counter still make ids unique here */
        static unsigned long counter;
        uint64_t v = (uint64_t)srv_now_ms() * 1000003u + __atomic_add_fetch(&counter, 1, 0);
        memcpy(r, &v, sizeof r);
    }
    snprintf(buf, n, "%s%02x%02x%02x%02x%02x%02x%02x%02x", prefix, r[0], r[1], r[2], r[3], r[4],
             r[5], r[6], r[7]);
}

/* 1 when id is 1-39 characters of [A-Za-z0-9_-]: anything else is no id
 * of ours, refused before it reaches the store. */
static int id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= 40)
        return 0;
    return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* ---- replies ------------------------------------------------------------------ */

int srv_http_status(slab_errcode code)
{
    switch (code) {
    case SLAB_EC_NOT_FOUND: return 404;
    case SLAB_EC_UNAUTHORIZED: return 401;
    case SLAB_EC_METHOD_NOT_ALLOWED: return 405;
    case SLAB_EC_TOO_LARGE: return 413;
    case SLAB_EC_RATE_LIMITED: return 429;
    case SLAB_EC_BUSY:
    case SLAB_EC_SHUTTING_DOWN: return 503;
    default: break;
    }
    switch (slab_errcode_get(code)->klass) {
    case SLAB_CLASS_USAGE:
    case SLAB_CLASS_DATA: return 400;
    case SLAB_CLASS_RUN: return 422;
    default: return 500;
    }
}

/* The last-resort reply when even the error document cannot be built. */
static void reply_oom(srv_reply *out)
{
    static const char text[] = "{\"error\": {\"code\": \"out_of_memory\", \"message\": \"the "
                               "server ran out of memory\", \"fix\": \"retry later\"}}\n";
    out->status = 500;
    out->body = slab_malloc(sizeof text);
    if (out->body)
        memcpy(out->body, text, sizeof text);
}

void srv_reply_json(srv_reply *out, int status, json_t *doc)
{
    char *text = doc ? slab_json_dumps(doc, JSON_INDENT(1)) : NULL;
    json_decref(doc);
    out->status = status;
    out->body = NULL;
    if (text) {
        size_t n = strlen(text);
        out->body = slab_realloc(text, n + 2);
        if (out->body) {
            out->body[n] = '\n';
            out->body[n + 1] = '\0';
            return;
        }
        slab_free(text);
    }
    reply_oom(out);
}

void srv_reply_error(srv_reply *out, const slab_error *err)
{
    slab_errcode code = slab_error_code(err);
    json_t *e = slab_error_json(err), *doc = json_object();
    if (!e || !doc) {
        json_decref(e);
        json_decref(doc);
        reply_oom(out);
        return;
    }
    if (err->where_kind != SLAB_WHERE_POINTER) {
        /* a file, an option or the store's path: none of them is the
         * caller's business */
        json_object_del(e, "where");
        json_object_del(e, "file");
        json_object_del(e, "line");
        json_object_del(e, "column");
        json_object_del(e, "option");
    }
    json_object_set_new(doc, "error", e);
    int status = srv_http_status(code);
    srv_reply_json(out, status, doc);
    out->status = status;
}

void srv_reply_fail(srv_reply *out, slab_errcode code, const char *fix, const char *fmt, ...)
{
    slab_error err;
    char msg[SLAB_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    slab_error_fail(&err, code, NULL, "%s", msg);
    if (fix)
        slab_error_fix(&err, "%s", fix);
    srv_reply_error(out, &err);
}

/* ---- the queue ------------------------------------------------------------------
 * A FIFO of waiters in front of K worker slots: a job runs on its own
 * connection's thread once it holds a slot. Full (queue waiters already)
 * or waited past the deadline: busy, with a Retry-After from the average
 * job time. */

static int retry_after(const srv *s)
{
    double per_job_s = s->job_ms_avg > 0 ? s->job_ms_avg / 1000.0 : 0.1;
    double wait = per_job_s * (s->waiting + s->running + 1) / (s->cfg.workers ? s->cfg.workers : 1);
    int r = (int)wait + 1;
    return r < 1 ? 1 : r > 60 ? 60 : r;
}

slab_errcode srv_queue_enter(srv *s, int *retry_s)
{
    srv_waiter me = {NULL};
    slab_errcode rc = SLAB_EC_NONE;
    struct timespec deadline;
    pthread_mutex_lock(&s->q_mu);
    if (s->stopping) {
        rc = SLAB_EC_SHUTTING_DOWN;
        goto out;
    }
    if (s->running < s->cfg.workers && !s->head) {
        s->running++;
        goto out;
    }
    if (s->waiting >= s->cfg.queue) {
        rc = SLAB_EC_BUSY;
        goto out;
    }
    if (s->tail)
        s->tail->next = &me;
    else
        s->head = &me;
    s->tail = &me;
    s->waiting++;
    clock_gettime(CLOCK_REALTIME, &deadline);
    double w = s->cfg.queue_wait_s;
    deadline.tv_sec += (time_t)w;
    deadline.tv_nsec += (long)((w - (double)(time_t)w) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (!s->stopping && !(s->head == &me && s->running < s->cfg.workers))
        if (pthread_cond_timedwait(&s->q_cv, &s->q_mu, &deadline) == ETIMEDOUT)
            break;
    int go = !s->stopping && s->head == &me && s->running < s->cfg.workers;
    /* unlink me (I may be anywhere in the list after a timeout) */
    srv_waiter **pp = &s->head, *prev = NULL;
    while (*pp && *pp != &me) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp)
        *pp = me.next;
    if (s->tail == &me)
        s->tail = prev;
    s->waiting--;
    if (go)
        s->running++;
    else
        rc = s->stopping ? SLAB_EC_SHUTTING_DOWN : SLAB_EC_BUSY;
    pthread_cond_broadcast(&s->q_cv);
out:
    if (rc != SLAB_EC_NONE) {
        s->jobs_refused++;
        *retry_s = retry_after(s);
    }
    pthread_mutex_unlock(&s->q_mu);
    return rc;
}

void srv_queue_leave(srv *s, double job_ms)
{
    pthread_mutex_lock(&s->q_mu);
    s->running--;
    s->jobs_done++;
    s->job_ms_avg = s->job_ms_avg > 0 ? 0.8 * s->job_ms_avg + 0.2 * job_ms : job_ms;
    pthread_cond_broadcast(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
}

void srv_active(srv *s, int delta)
{
    pthread_mutex_lock(&s->q_mu);
    s->active += delta;
    pthread_cond_broadcast(&s->q_cv);
    pthread_mutex_unlock(&s->q_mu);
}

int srv_queue_drain(srv *s, double grace_s)
{
    struct timespec deadline;
    int left;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)grace_s + 1;
    pthread_mutex_lock(&s->q_mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->q_cv);
    while (s->running > 0 || s->active > 0)
        if (pthread_cond_timedwait(&s->q_cv, &s->q_mu, &deadline) == ETIMEDOUT)
            break;
    left = s->running + (s->active > 0);
    pthread_mutex_unlock(&s->q_mu);
    return left;
}

/* ---- keeping server paths out of answers ------------------------------------------ */

void srv_secret_path(srv *s, const char *path)
{
    size_t n = path ? strlen(path) : 0;
    while (n > 1 && path[n - 1] == '/')
        n--;
    /* absolute folders only: a relative one ("a") would match ordinary words */
    if (n < 4 || path[0] != '/' || n >= sizeof s->secret_paths[0])
        return;
    pthread_mutex_lock(&s->q_mu);
    int known = 0;
    int full = s->n_secret_paths == (int)(sizeof s->secret_paths / sizeof s->secret_paths[0]);
    for (int k = 0; k < s->n_secret_paths; k++)
        known |= strlen(s->secret_paths[k]) == n && !strncmp(s->secret_paths[k], path, n);
    if (!known && !full)
        snprintf(s->secret_paths[s->n_secret_paths++], sizeof s->secret_paths[0], "%.*s", (int)n,
                 path);
    pthread_mutex_unlock(&s->q_mu);
}

/* Replaces each occurrence of what in *text by "<server>" (reallocating). */
static void replace_all(char **text, const char *what)
{
    static const char with[] = "<server>";
    size_t wl = strlen(what), hits = 0;
    for (const char *p = strstr(*text, what); p; p = strstr(p + wl, what))
        hits++;
    if (!hits)
        return;
    size_t n = strlen(*text) + hits * sizeof with;
    char *out = slab_malloc(n + 1), *o = out;
    if (!out)
        return;
    const char *p = *text, *q;
    while ((q = strstr(p, what))) {
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, with, sizeof with - 1);
        o += sizeof with - 1;
        p = q + wl;
    }
    strcpy(o, p);
    slab_free(*text);
    *text = out;
}

void srv_scrub(srv *s, srv_reply *r)
{
    if (r->status < 400 || !r->body)
        return;
    pthread_mutex_lock(&s->q_mu);
    /* longest first, so a folder inside another is replaced whole */
    for (size_t len = sizeof s->secret_paths[0] - 1; len >= 4; len--)
        for (int k = 0; k < s->n_secret_paths; k++)
            if (strlen(s->secret_paths[k]) == len)
                replace_all(&r->body, s->secret_paths[k]);
    pthread_mutex_unlock(&s->q_mu);
}

/* The folders to hide: the store's (as given and resolved), the working
 * folder, the home folder. The sandbox adds its own when it opens. */
static void secret_paths_init(srv *s, const char *db)
{
    char buf[PATH_MAX], dir[1024];
    const char *slash = strrchr(db, '/');
    if (slash) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - db), db);
        srv_secret_path(s, dir);
    }
    if (realpath(db, buf) && (slash = strrchr(buf, '/'))) {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - buf), buf);
        srv_secret_path(s, dir);
    }
    if (getcwd(buf, sizeof buf))
        srv_secret_path(s, buf);
    srv_secret_path(s, getenv("HOME"));
}

/* ---- open/close ------------------------------------------------------------------- */

slab_status srv_open(srv *s, const slab_server_config *c, slab_error *err)
{
    memset(s, 0, sizeof *s);
    s->cfg = *c;
    if (s->cfg.workers < 1)
        s->cfg.workers = 1;
    if (s->cfg.queue < 0)
        s->cfg.queue = 0;
    pthread_mutex_init(&s->store_mu, NULL);
    pthread_mutex_init(&s->q_mu, NULL);
    pthread_cond_init(&s->q_cv, NULL);
    pthread_mutex_init(&s->sandbox_mu, NULL);
    pthread_mutex_init(&s->cache_mu, NULL);
    pthread_mutex_init(&s->ro_mu, NULL);
    secret_paths_init(s, c->db);
    slab_status rc = slab_store_open(c->db, &s->store, err);
    if (rc == SLAB_OK)
        rc = slab_store_open_readonly(c->db, &s->ro, err);
    size_t n = 0;
    if (rc == SLAB_OK && slab_store_interrupt_executions(s->store, &n, err) == SLAB_OK && n &&
        c->log)
        fprintf(c->log, "marked %zu job(s) left running by an earlier server as interrupted\n", n);
    return rc;
}

void srv_close(srv *s)
{
    srv_run_close(s);
    pthread_mutex_destroy(&s->sandbox_mu);
    pthread_mutex_destroy(&s->cache_mu);
    slab_store_close(s->ro);
    s->ro = NULL;
    pthread_mutex_destroy(&s->ro_mu);
    slab_store_close(s->store);
    s->store = NULL;
    pthread_cond_destroy(&s->q_cv);
    pthread_mutex_destroy(&s->q_mu);
    pthread_mutex_destroy(&s->store_mu);
}

/* ---- health ------------------------------------------------------------------------ */

void srv_health(srv *s, srv_reply *out)
{
    pthread_mutex_lock(&s->q_mu);
    json_t *q = json_pack("{s:i,s:i,s:i,s:i}", "running", s->running, "waiting", s->waiting,
                          "capacity", s->cfg.queue, "workers", s->cfg.workers);
    int stopping = s->stopping;
    pthread_mutex_unlock(&s->q_mu);
    json_t *doc = json_pack("{s:s,s:s,s:o}", "status", stopping ? "stopping" : "ok", "version",
                            SLAB_VERSION, "queue", q);
    srv_reply_json(out, 200, doc);
}

/* ---- backtests ---------------------------------------------------------------------- */

/* The record text: doc with its id, as served and stored. */
static char *doc_text(json_t *doc)
{
    char *text = slab_json_dumps(doc, JSON_INDENT(1));
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *t = slab_realloc(text, n + 2);
    if (!t) {
        slab_free(text);
        return NULL;
    }
    t[n] = '\n';
    t[n + 1] = '\0';
    return t;
}

/* ---- the job log: every POST /api/backtests job gets an execution row ----
 * "running" when it starts (so a server killed mid-job leaves a row that
 * the next start marks "interrupted"), then its outcome: ok, failed, busy
 * (refused: the queue was full), shutting_down. Its parameters are
 * {"request": the body (a script as its size and SHA-256), "backtest_id"}. */

#define JOB_REQUEST_MAX (64 * 1024) /* bytes of a request kept in its row */

/* The request as the log keeps it. */
static json_t *job_request(const json_t *req)
{
    json_t *r = json_deep_copy(req);
    const char *script = json_string_value(json_object_get(req, "script"));
    if (!r)
        return NULL;
    if (script) {
        char hex[65];
        slab_sha256_mem(script, strlen(script), hex);
        json_object_set_new(r, "script",
                            json_pack("{s:i,s:s}", "bytes", (int)strlen(script), "sha256", hex));
    }
    char *text = slab_json_dumps(r, JSON_COMPACT);
    size_t n = text ? strlen(text) : 0;
    slab_free(text);
    if (n > JOB_REQUEST_MAX) {
        json_decref(r);
        r = json_pack("{s:b,s:i}", "truncated", 1, "bytes", (int)n);
    }
    return r;
}

/* Fills rec for req and inserts it with status (its outcome, or
 * "running"). A log that cannot be written never fails the job. */
static void job_log_begin(srv *s, slab_execution_record *rec, json_t **params, const json_t *req,
                          const char *status)
{
    slab_error err;
    const char *strat = json_string_value(json_object_get(req, "strategy"));
    memset(rec, 0, sizeof *rec);
    srv_new_id("job_", rec->id, sizeof rec->id);
    rec->created_at_ms = srv_now_ms();
    snprintf(rec->status, sizeof rec->status, "%s", status);
    snprintf(rec->strategy, sizeof rec->strategy, "%s",
             strat                            ? strat
             : json_object_get(req, "spec")   ? "(spec)"
             : json_object_get(req, "script") ? "(script)"
             : json_object_get(req, "saved")  ? "(saved)"
                                              : "");
    *params = json_pack("{s:o*}", "request", job_request(req));
    rec->parameters = *params ? slab_json_dumps(*params, JSON_COMPACT) : NULL;
    pthread_mutex_lock(&s->store_mu);
    slab_store_log_execution(s->store, rec, &err);
    pthread_mutex_unlock(&s->store_mu);
}

/* Writes the job's outcome into its row. */
static void job_log_end(srv *s, slab_execution_record *rec, json_t *params, const char *status,
                        double ms, const char *error, const char *backtest_id)
{
    slab_error err;
    snprintf(rec->status, sizeof rec->status, "%s", status);
    rec->success = !strcmp(status, "ok");
    rec->execution_ms = ms;
    rec->run_ms = ms;
    rec->error = (char *)(error ? error : "");
    if (params && backtest_id)
        json_object_set_new(params, "backtest_id", json_string(backtest_id));
    slab_free(rec->parameters);
    rec->parameters = params ? slab_json_dumps(params, JSON_COMPACT) : NULL;
    pthread_mutex_lock(&s->store_mu);
    slab_store_update_execution(s->store, rec, &err);
    pthread_mutex_unlock(&s->store_mu);
    slab_free(rec->parameters);
    rec->parameters = NULL;
    json_decref(params);
}

void srv_backtest_post(srv *s, const json_t *req, srv_reply *out)
{
    slab_error err;
    slab_backtest_record r;
    int retry = 0;
    memset(&r, 0, sizeof r);
    if (!json_is_object(req)) {
        srv_reply_fail(out, SLAB_EC_BAD_JSON,
                       "send a JSON object: {\"strategy\": \"sma_cross\", "
                       "\"data\": {\"symbols\": [\"ORCL\"]}}",
                       "the request body must be a JSON object");
        return;
    }
    slab_execution_record job;
    json_t *job_params = NULL;
    slab_errcode q = srv_queue_enter(s, &retry);
    if (q != SLAB_EC_NONE) {
        srv_reply_fail(out, q, NULL,
                       q == SLAB_EC_BUSY
                           ? "the queue is full (%d running, %d waiting at most): retry in %d s"
                           : "the server is stopping (%d workers, queue %d): retry in %d s",
                       s->cfg.workers, s->cfg.queue, retry);
        out->retry_after_s = retry;
        job_log_begin(s, &job, &job_params, req, "running");
        job_log_end(s, &job, job_params, slab_errcode_name(q), 0.0, "refused: the queue was full",
                    NULL);
        return;
    }
    job_log_begin(s, &job, &job_params, req, "running");
    int64_t t0 = srv_now_ms();
    json_t *fail = NULL;
    json_t *doc = srv_run(s, req, r.saved_id, &r.saved_version, &fail, &err);
    double job_ms = (double)(srv_now_ms() - t0);
    srv_queue_leave(s, job_ms);
    if (!doc) {
        job_log_end(s, &job, job_params, "failed", job_ms, err.msg, NULL);
        srv_reply_error(out, &err);
        if (fail) { /* a script that failed: its failure document, with the error */
            json_t *e = json_loads(out->body, 0, NULL);
            int status = out->status;
            slab_free(out->body);
            if (e)
                json_object_set(fail, "error", json_object_get(e, "error"));
            json_decref(e);
            srv_reply_json(out, status, fail);
        }
        return;
    }
    json_t *bt = json_object_get(doc, "backtest");
    srv_new_id("bt_", r.id, sizeof r.id);
    r.created_at_ms = srv_now_ms();
    snprintf(r.strategy, sizeof r.strategy, "%s",
             json_string_value(json_object_get(bt, "strategy")) ?: "");
    snprintf(r.source, sizeof r.source, "%s",
             json_string_value(json_object_get(bt, "source")) ?: "");
    json_object_set_new(doc, "id", json_string(r.id));
    if (!(r.document = doc_text(doc))) {
        json_decref(doc);
        job_log_end(s, &job, job_params, "failed", job_ms, "out of memory", NULL);
        reply_oom(out);
        return;
    }
    json_decref(doc);
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_save_backtest(s->store, &r, &err);
    pthread_mutex_unlock(&s->store_mu);
    job_log_end(s, &job, job_params, st == SLAB_OK ? "ok" : "failed", job_ms,
                st == SLAB_OK ? NULL : err.msg, st == SLAB_OK ? r.id : NULL);
    if (st != SLAB_OK) {
        slab_free(r.document);
        srv_reply_error(out, &err);
        return;
    }
    out->status = 201;
    out->body = r.document;
}

void srv_backtest_get(srv *s, const char *id, srv_reply *out)
{
    slab_error err;
    slab_backtest_record r;
    if (!id_ok(id)) {
        srv_reply_fail(out, SLAB_EC_NOT_FOUND, "list the stored ones: GET /api/backtests",
                       "no backtest with this id (ids look like bt_0123456789abcdef)");
        return;
    }
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_get_backtest(s->store, id, &r, &err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK) {
        srv_reply_error(out, &err);
        return;
    }
    out->status = 200;
    out->body = r.document;
}

/* Parses a limit argument: default def, 1..max; -1 when bad. */
static long parse_limit(const char *text, long def, long max)
{
    char *end;
    if (!text)
        return def;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end || errno || v < 1 || v > max)
        return -1;
    return v;
}

void srv_backtest_trades(srv *s, const char *id, const char *offset, const char *limit,
                         srv_reply *out)
{
    long off = offset ? parse_limit(offset, 0, 100000000) : 0;
    long lim = parse_limit(limit, 100, 10000);
    if (offset && !strcmp(offset, "0"))
        off = 0;
    if (off < 0 || lim < 0) {
        srv_reply_fail(out, SLAB_EC_BAD_VALUE, "offset >= 0, limit from 1 to 10000",
                       "offset and limit: expected whole numbers (offset >= 0, limit 1..10000)");
        return;
    }
    srv_reply one;
    memset(&one, 0, sizeof one);
    srv_backtest_get(s, id, &one);
    if (one.status != 200) {
        *out = one;
        return;
    }
    json_t *doc = json_loads(one.body, 0, NULL);
    slab_free(one.body);
    json_t *all = json_object_get(doc, "trades"), *page = json_array();
    size_t n = json_array_size(all);
    for (size_t k = (size_t)off; k < n && k < (size_t)off + (size_t)lim; k++)
        json_array_append(page, json_array_get(all, k));
    json_t *res = json_pack("{s:s,s:O?,s:i,s:i,s:i,s:o}", "id", id, "trades_total",
                            json_object_get(doc, "trades_total"), "trades_stored", (int)n, "offset",
                            (int)off, "limit", (int)lim, "trades", page);
    json_decref(doc);
    srv_reply_json(out, 200, res);
}

void srv_backtest_list(srv *s, const char *strategy, const char *limit, srv_reply *out)
{
    slab_error err;
    slab_backtest_record *r = NULL;
    size_t n = 0;
    char when[40];
    long lim = parse_limit(limit, 50, 1000);
    if (lim < 0) {
        srv_reply_fail(out, SLAB_EC_BAD_VALUE, "give a whole number from 1 to 1000",
                       "limit: expected a whole number from 1 to 1000");
        return;
    }
    if (strategy && !*strategy)
        strategy = NULL;
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_list_backtests(s->store, strategy, (size_t)lim, &r, &n, &err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK) {
        srv_reply_error(out, &err);
        return;
    }
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) {
        json_t *o =
            json_pack("{s:s,s:s,s:s,s:s}", "id", r[k].id, "strategy", r[k].strategy, "source",
                      r[k].source, "created_at", srv_iso_ms(r[k].created_at_ms, when, sizeof when));
        if (o && r[k].saved_id[0])
            json_object_set_new(
                o, "saved",
                json_pack("{s:s,s:i}", "id", r[k].saved_id, "version", r[k].saved_version));
        json_array_append_new(arr, o);
    }
    slab_backtest_records_free(r, n);
    srv_reply_json(out, 200, json_pack("{s:o}", "backtests", arr));
}

/* ---- saved strategies ------------------------------------------------------------------ */

/* Checks a saved strategy's body: a name and exactly one of strategy (a
 * built-in, with params it accepts), spec (one that compiles) or script
 * (C source). *kind gets "builtin", "spec" or "script". */
static slab_status check_saved(const json_t *req, const char **kind, slab_error *err)
{
    const char *name = json_string_value(json_object_get(req, "name"));
    json_t *strat = json_object_get(req, "strategy"), *spec = json_object_get(req, "spec");
    json_t *script = json_object_get(req, "script");
    int ways = (strat != NULL) + (spec != NULL) + (script != NULL);
    if (!name || !*name || strlen(name) > 63) {
        slab_error_fail(err, SLAB_EC_MISSING_OPTION, NULL,
                        "name: give the strategy a name of 1 to 63 characters");
        slab_error_at_pointer(err, "/name");
        return err->code;
    }
    if (ways != 1) {
        slab_error_fail(err, ways ? SLAB_EC_CONFLICTING_OPTIONS : SLAB_EC_MISSING_OPTION, NULL,
                        "give exactly one of strategy (a built-in NAME with params), spec (a "
                        "strategy spec object) or script (C source)");
        slab_error_at_pointer(err, "/strategy");
        return err->code;
    }
    if (strat) {
        const slab_strategy_def *def;
        const char *kv[SLAB_RUN_PARAMS_MAX];
        char buf[SLAB_RUN_PARAMS_MAX][96];
        size_t nkv = 0;
        double vals[256];
        const char *key;
        json_t *v, *params = json_object_get(req, "params");
        *kind = "builtin";
        if (!json_is_string(strat) || !(def = slab_strategy_find(json_string_value(strat), err))) {
            if (!json_is_string(strat))
                slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                                "strategy: expected the name of a built-in (GET /api/strategies "
                                "lists them under builtin)");
            slab_error_at_pointer(err, "/strategy");
            return err->code;
        }
        if (params && !json_is_object(params)) {
            slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                            "params: expected an object {\"fast\": 5}");
            slab_error_at_pointer(err, "/params");
            return err->code;
        }
        json_object_foreach(params, key, v)
        {
            if (nkv == SLAB_RUN_PARAMS_MAX || !json_is_number(v)) {
                slab_error_fail(err, SLAB_EC_BAD_PARAM, NULL, "params/%.40s: expected a number",
                                key);
                slab_error_at_pointer(err, "/params");
                return err->code;
            }
            snprintf(buf[nkv], sizeof buf[nkv], "%.60s=%.17g", key, json_number_value(v));
            kv[nkv] = buf[nkv];
            nkv++;
        }
        if (slab_strategy_resolve_params(def, kv, nkv, vals, err) != SLAB_OK) {
            slab_error_at_pointer(err, "/params");
            return err->code;
        }
        return SLAB_OK;
    }
    if (spec) {
        slab_spec *sp = NULL;
        slab_diags d;
        char *text;
        *kind = "spec";
        if (!json_is_object(spec) || !(text = slab_json_dumps(spec, JSON_COMPACT))) {
            slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL, "spec: expected a strategy spec object");
            slab_error_at_pointer(err, "/spec");
            return err->code;
        }
        slab_diags_init(&d);
        slab_status st = slab_spec_compile(text, strlen(text), &sp, &d);
        slab_free(text);
        if (st != SLAB_OK || d.n_errors) {
            char line[600] = "";
            for (size_t k = 0; k < d.n; k++)
                if (d.items[k].severity == SLAB_DIAG_ERROR) {
                    slab_diag_format(&d.items[k], "spec", line, sizeof line);
                    break;
                }
            slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                            "spec: %zu error(s); the first: %s (POST the spec to validate_spec "
                            "for the list)",
                            d.n_errors, line);
            slab_error_at_pointer(err, "/spec");
            slab_diags_clear(&d);
            slab_spec_free(sp);
            return err->code;
        }
        slab_diags_clear(&d);
        slab_spec_free(sp);
        return SLAB_OK;
    }
    *kind = "script";
    if (!json_is_string(script) || json_string_length(script) == 0 ||
        json_string_length(script) > 1024 * 1024) {
        slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                        "script: expected C source text of at most 1 MiB");
        slab_error_at_pointer(err, "/script");
        return err->code;
    }
    return SLAB_OK;
}

/* {"id", "version", "name", "kind", "created_at", "body": {...}} */
static json_t *saved_json(const slab_saved_strategy *r)
{
    char when[40];
    json_t *body = json_loads(r->body, 0, NULL);
    return json_pack("{s:s,s:i,s:s,s:s,s:s,s:o}", "id", r->id, "version", r->version, "name",
                     r->name, "kind", r->kind, "created_at",
                     srv_iso_ms(r->created_at_ms, when, sizeof when), "body",
                     body ? body : json_object());
}

void srv_strategy_save(srv *s, const char *id, const json_t *req, srv_reply *out)
{
    slab_error err;
    slab_saved_strategy r;
    const char *kind = "";
    memset(&r, 0, sizeof r);
    if (id && !id_ok(id)) {
        srv_reply_fail(out, SLAB_EC_NOT_FOUND, "list them: GET /api/strategies",
                       "no saved strategy with this id");
        return;
    }
    if (!json_is_object(req)) {
        srv_reply_fail(out, SLAB_EC_BAD_JSON, NULL, "the request body must be a JSON object");
        return;
    }
    if (check_saved(req, &kind, &err) != SLAB_OK) {
        srv_reply_error(out, &err);
        return;
    }
    char *body = slab_json_dumps(req, JSON_COMPACT);
    if (!body) {
        reply_oom(out);
        return;
    }
    if (id)
        snprintf(r.id, sizeof r.id, "%s", id);
    else
        srv_new_id("st_", r.id, sizeof r.id);
    snprintf(r.name, sizeof r.name, "%s", json_string_value(json_object_get(req, "name")));
    snprintf(r.kind, sizeof r.kind, "%s", kind);
    r.body = body;
    r.created_at_ms = srv_now_ms();
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_put_strategy(s->store, &r, id != NULL, &err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK) {
        slab_free(body);
        srv_reply_error(out, &err);
        return;
    }
    json_t *doc = saved_json(&r);
    slab_free(body);
    srv_reply_json(out, id ? 200 : 201, doc);
}

void srv_strategy_get(srv *s, const char *id, const char *version, srv_reply *out)
{
    slab_error err;
    slab_saved_strategy r;
    long v = version ? parse_limit(version, 0, 1000000) : 0;
    if (v < 0) {
        srv_reply_fail(out, SLAB_EC_BAD_VALUE, NULL, "version: expected a whole number >= 1");
        return;
    }
    if (!id_ok(id)) {
        srv_reply_fail(out, SLAB_EC_NOT_FOUND, "list them: GET /api/strategies",
                       "no saved strategy with this id");
        return;
    }
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_get_strategy(s->store, id, (int)v, &r, &err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK) {
        srv_reply_error(out, &err);
        return;
    }
    json_t *doc = saved_json(&r);
    slab_free(r.body);
    srv_reply_json(out, 200, doc);
}

/* The built-ins with their parameters and defaults. */
static json_t *builtins_json(void)
{
    size_t n;
    const slab_strategy_def *const *t = slab_strategy_table(&n);
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) {
        json_t *params = json_object();
        for (int p = 0; p < t[k]->n_params; p++)
            json_object_set_new(params, t[k]->params[p].name, json_real(t[k]->params[p].def));
        json_array_append_new(arr, json_pack("{s:s,s:s,s:o}", "name", t[k]->name, "summary",
                                             t[k]->summary ? t[k]->summary : "", "params", params));
    }
    return arr;
}

/* ---- the migration suggestion (seed 000's "Script -> API") ----
 * From the job log: when one strategy (a built-in, or the orb template's)
 * has run at least SUGGEST_RUNS times with one shape of parameters (the
 * same names), suggest saving it, with the parameters that stayed the
 * same (fixed in the saved strategy) and those that varied (the caller
 * keeps giving them). */

#define SUGGEST_RUNS 3   /* runs of one shape before a suggestion */
#define SUGGEST_LOOK 500 /* newest job rows read */

/* The key of a request's shape: "strategy|name1,name2" (sorted names). */
static void shape_key(const char *strategy, json_t *params, char *buf, size_t n)
{
    const char *names[64];
    size_t k = 0, used;
    const char *key;
    json_t *v;
    json_object_foreach(params, key, v) if (k < 64) names[k++] = key;
    for (size_t i = 1; i < k; i++) /* insertion sort: a few names */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *t = names[j];
            names[j] = names[j - 1];
            names[j - 1] = t;
        }
    used = (size_t)snprintf(buf, n, "%s|", strategy);
    for (size_t i = 0; i < k && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? "," : "", names[i]);
}

/* The suggestions (owned array), from the log's newest SUGGEST_LOOK jobs. */
static json_t *suggestions(srv *s)
{
    slab_execution_record *r = NULL;
    size_t n = 0;
    slab_error err;
    json_t *groups = json_object(), *out = json_array();
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_list_executions(s->store, NULL, SUGGEST_LOOK, &r, &n, &err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK)
        return out;
    for (size_t k = 0; k < n; k++) {
        char key[512];
        if (strncmp(r[k].id, "job_", 4) || !r[k].success)
            continue;
        json_t *p = json_loads(r[k].parameters, 0, NULL), *req = json_object_get(p, "request");
        const char *strat = json_string_value(json_object_get(req, "strategy"));
        json_t *params = json_object_get(req, "params");
        if (!strat || json_object_get(req, "saved") || (params && !json_is_object(params))) {
            json_decref(p);
            continue;
        }
        shape_key(strat, params, key, sizeof key);
        json_t *g = json_object_get(groups, key);
        if (!g) {
            g = json_pack("{s:s,s:[]}", "strategy", strat, "runs");
            json_object_set_new(groups, key, g);
        }
        if (params)
            json_array_append(json_object_get(g, "runs"), params);
        else
            json_array_append_new(json_object_get(g, "runs"), json_object());
        json_decref(p);
    }
    slab_execution_records_free(r, n);
    const char *key;
    json_t *g;
    json_object_foreach(groups, key, g)
    {
        json_t *runs = json_object_get(g, "runs"), *first = json_array_get(runs, 0);
        size_t nr = json_array_size(runs), i;
        if (nr < SUGGEST_RUNS)
            continue;
        json_t *fixed = json_object(), *varied = json_object(), *v, *run;
        const char *name;
        json_object_foreach(first, name, v)
        {
            json_t *values = json_array();
            int same = 1;
            json_array_foreach(runs, i, run)
            {
                json_t *x = json_object_get(run, name);
                size_t j;
                json_t *y;
                int seen = 0;
                if (!json_equal(x, v))
                    same = 0;
                json_array_foreach(values, j, y) seen |= json_equal(x, y);
                if (!seen && x)
                    json_array_append(values, x);
            }
            if (same)
                json_object_set(fixed, name, v);
            else
                json_object_set(varied, name, values);
            json_decref(values);
        }
        const char *strat = json_string_value(json_object_get(g, "strategy"));
        char name_buf[80];
        snprintf(name_buf, sizeof name_buf, "%s (saved)", strat);
        json_array_append_new(
            out, json_pack("{s:s,s:i,s:o,s:o,s:s,s:{s:s,s:s,s:O}}", "strategy", strat, "runs",
                           (int)nr, "fixed", fixed, "varied", varied, "message",
                           "this strategy has run several times with one shape of parameters: "
                           "save it (POST /api/strategies, MCP save_strategy) with the fixed "
                           "ones, and give the varied ones with each run",
                           "save_with", "name", name_buf, "strategy", strat, "params", fixed));
    }
    json_decref(groups);
    return out;
}

void srv_suggestions(srv *s, srv_reply *out)
{
    srv_reply_json(out, 200, json_pack("{s:o}", "suggestions", suggestions(s)));
}

void srv_strategy_list(srv *s, srv_reply *out)
{
    slab_error err;
    slab_saved_strategy *r = NULL;
    size_t n = 0;
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_list_strategies(s->store, &r, &n, &err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK) {
        srv_reply_error(out, &err);
        return;
    }
    json_t *saved = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(saved, saved_json(&r[k]));
    slab_saved_strategies_free(r, n);
    srv_reply_json(out, 200,
                   json_pack("{s:o,s:o,s:o}", "builtin", builtins_json(), "saved", saved,
                             "suggestions", suggestions(s)));
}

void srv_strategy_delete(srv *s, const char *id, srv_reply *out)
{
    slab_error err;
    if (!id_ok(id)) {
        srv_reply_fail(out, SLAB_EC_NOT_FOUND, "list them: GET /api/strategies",
                       "no saved strategy with this id");
        return;
    }
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_delete_strategy(s->store, id, &err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK) {
        srv_reply_error(out, &err);
        return;
    }
    srv_reply_json(out, 200, json_pack("{s:s,s:b}", "id", id, "deleted", 1));
}

/* ---- the execution log ------------------------------------------------------------------- */

static json_t *execution_json(const slab_execution_record *r)
{
    char when[40];
    json_t *params = json_loads(r->parameters, 0, NULL);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(r->id));
    json_object_set_new(o, "template",
                        r->template_name[0] ? json_string(r->template_name) : json_null());
    json_object_set_new(o, "parameters", params ? params : json_string(r->parameters));
    json_object_set_new(o, "success", json_boolean(r->success));
    json_object_set_new(o, "executionTime", json_real(r->execution_ms));
    json_object_set_new(o, "stdout", json_string(r->stdout_text));
    json_object_set_new(o, "stderr", json_string(r->stderr_text));
    json_object_set_new(o, "error", r->success ? json_null() : json_string(r->error));
    json_object_set_new(o, "createdAt",
                        json_string(srv_iso_ms(r->created_at_ms, when, sizeof when)));
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "compile_ms", json_real(r->compile_ms));
    json_object_set_new(o, "run_ms", json_real(r->run_ms));
    json_object_set_new(o, "cached", json_boolean(r->cached));
    json_object_set_new(o, "source_sha256", json_string(r->source_sha256));
    json_object_set_new(o, "strategy", json_string(r->strategy));
    return o;
}

void srv_execution_list(srv *s, const char *id, const char *limit, srv_reply *out)
{
    slab_error err;
    slab_execution_record *r = NULL;
    size_t n = 0;
    long lim = parse_limit(limit, 50, 1000);
    if (lim < 0) {
        srv_reply_fail(out, SLAB_EC_BAD_VALUE, "give a whole number from 1 to 1000",
                       "limit: expected a whole number from 1 to 1000");
        return;
    }
    if (id && !id_ok(id)) {
        srv_reply_fail(out, SLAB_EC_NOT_FOUND, "list them: GET /api/executions",
                       "no execution with this id");
        return;
    }
    pthread_mutex_lock(&s->store_mu);
    slab_status st = slab_store_list_executions(s->store, id, id ? 1 : (size_t)lim, &r, &n, &err);
    pthread_mutex_unlock(&s->store_mu);
    if (st != SLAB_OK) {
        srv_reply_error(out, &err);
        return;
    }
    if (id) {
        if (n == 0)
            srv_reply_fail(out, SLAB_EC_NOT_FOUND, "list them: GET /api/executions",
                           "no execution with id '%s'", id);
        else
            srv_reply_json(out, 200, execution_json(&r[0]));
        slab_execution_records_free(r, n);
        return;
    }
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(arr, execution_json(&r[k]));
    slab_execution_records_free(r, n);
    srv_reply_json(out, 200, json_pack("{s:o}", "executions", arr));
}

/* ---- execute-script (seed 000) ------------------------------------------------------------ */

/* Seed 000's "orb" template parameters (camelCase) -> a POST
 * /api/backtests body for the built-in orb strategy: ticker and the market
 * filter are the run's feeds, date its one session. Unknown or mistyped
 * parameters are refused with the names the template takes. */
static slab_status orb_request(const json_t *p, json_t **out, slab_error *err)
{
    static const char *const names[] = {"ticker",
                                        "date",
                                        "timeframe",
                                        "trailingStopPct",
                                        "marketFilterTicker",
                                        "openingRangeMinutes",
                                        "exitTime",
                                        "requireEarnings",
                                        "skipEarnings"};
    const char *key;
    json_t *v;
    *out = NULL;
    if (!json_is_object(p)) {
        slab_error_fail(err, SLAB_EC_MISSING_OPTION, NULL,
                        "parameters: expected an object {\"ticker\": \"HOOD\", \"date\": "
                        "\"2025-07-31\", ...}");
        slab_error_at_pointer(err, "/parameters");
        return err->code;
    }
    json_object_foreach((json_t *)p, key, v)
    {
        size_t k = 0;
        while (k < sizeof names / sizeof names[0] && strcmp(names[k], key))
            k++;
        if (k == sizeof names / sizeof names[0]) {
            char ptr[96];
            slab_error_fail(err, SLAB_EC_UNKNOWN_PARAM, NULL,
                            "parameters.%.40s: the orb template has no such parameter", key);
            slab_error_suggest(err, key, names, sizeof names / sizeof names[0]);
            snprintf(ptr, sizeof ptr, "/parameters/%.40s", key);
            slab_error_at_pointer(err, ptr);
            return err->code;
        }
    }
    const char *ticker = json_string_value(json_object_get(p, "ticker"));
    const char *date = json_string_value(json_object_get(p, "date"));
    const char *filter = json_string_value(json_object_get(p, "marketFilterTicker"));
    json_t *tf = json_object_get(p, "timeframe"), *trail = json_object_get(p, "trailingStopPct");
    json_t *orm = json_object_get(p, "openingRangeMinutes"),
           *exit_t = json_object_get(p, "exitTime");
    if (!ticker || !date) {
        slab_error_fail(err, SLAB_EC_MISSING_OPTION, NULL,
                        "parameters: ticker and date are required (\"ticker\": \"HOOD\", \"date\": "
                        "\"2025-07-31\")");
        slab_error_at_pointer(err, ticker ? "/parameters/date" : "/parameters/ticker");
        return err->code;
    }
    if ((trail && !json_is_number(trail)) || (orm && !json_is_integer(orm)) ||
        (tf && !json_is_string(tf)) || (exit_t && !json_is_string(exit_t)) ||
        (json_object_get(p, "marketFilterTicker") && !filter)) {
        slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                        "parameters: trailingStopPct is a number (2.0 = 2%%), "
                        "openingRangeMinutes a whole number, timeframe, exitTime (HH:MM) and "
                        "marketFilterTicker text");
        slab_error_at_pointer(err, "/parameters");
        return err->code;
    }
    json_t *req_e = json_object_get(p, "requireEarnings");
    json_t *skip_e = json_object_get(p, "skipEarnings");
    if ((req_e && !json_is_boolean(req_e)) || (skip_e && !json_is_boolean(skip_e))) {
        slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                        "parameters: requireEarnings and skipEarnings are true or false");
        slab_error_at_pointer(err, "/parameters");
        return err->code;
    }
    if (json_is_true(req_e)) {
        slab_error_fail(err, SLAB_EC_BAD_PARAM, NULL,
                        "parameters.requireEarnings: the orb strategy cannot require a release "
                        "day; it can skip one (skipEarnings: true, with a calendar imported by "
                        "stratlab data import-earnings)");
        slab_error_at_pointer(err, "/parameters/requireEarnings");
        return err->code;
    }
    json_t *params = json_object();
    if (json_is_true(skip_e))
        json_object_set_new(params, "skip_earnings", json_integer(1));
    if (trail)
        json_object_set(params, "trailing_stop_pct", trail);
    if (orm)
        json_object_set(params, "opening_range_minutes", orm);
    if (exit_t)
        json_object_set(params, "exit_time", exit_t);
    if (filter && *filter && strcasecmp(filter, "none"))
        json_object_set_new(params, "market_filter", json_string(filter));
    json_t *symbols = json_pack("[s]", ticker);
    if (filter && *filter && strcasecmp(filter, "none"))
        json_array_append_new(symbols, json_string(filter));
    *out =
        json_pack("{s:s,s:{s:o,s:s},s:s,s:o}", "strategy", "orb", "data", "symbols", symbols,
                  "timeframe", tf ? json_string_value(tf) : "1m", "date", date, "params", params);
    return *out ? SLAB_OK : slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory");
}

/* Turns an error reply into seed 000's failure shape: {"success": false,
 * "status": code, "detail": message, "error": {...}}, same HTTP status. */
static void seed_failure(srv_reply *out)
{
    json_t *e = out->body ? json_loads(out->body, 0, NULL) : NULL;
    json_t *err = json_object_get(e, "error");
    int status = out->status, retry = out->retry_after_s;
    if (!err || json_object_get(e, "success")) { /* not an error, or already in shape */
        json_decref(e);
        return;
    }
    slab_free(out->body);
    srv_reply_json(out, status,
                   json_pack("{s:b,s:O,s:O,s:O}", "success", 0, "status",
                             json_object_get(err, "code"), "detail",
                             json_object_get(err, "message"), "error", err));
    out->retry_after_s = retry;
    json_decref(e);
}

void srv_execute_script(srv *s, const json_t *req, srv_reply *out)
{
    slab_error err;
    json_t *breq = NULL;
    const char *tpl = json_string_value(json_object_get(req, "scriptTemplate"));
    if (!json_is_object(req) || !tpl) {
        srv_reply_fail(out, SLAB_EC_MISSING_OPTION,
                       "send {\"scriptTemplate\": NAME, \"parameters\": {...}}",
                       "scriptTemplate: the request names no template");
        seed_failure(out);
        return;
    }
    if (strcmp(tpl, "orb")) {
        srv_reply_fail(out, SLAB_EC_UNKNOWN_TEMPLATE, "the templates: orb",
                       "unknown script template '%.60s'", tpl);
        seed_failure(out);
        return;
    }
    /* The template runs the built-in orb strategy; a build without it
     * says so rather than failing later. */
    if (!slab_strategy_find("orb", NULL)) {
        srv_reply_fail(out, SLAB_EC_UNKNOWN_TEMPLATE,
                       "run a built-in or a spec with POST /api/backtests",
                       "the orb template needs the orb strategy, which this build does not have");
        seed_failure(out);
        return;
    }
    if (orb_request(json_object_get(req, "parameters"), &breq, &err) != SLAB_OK) {
        srv_reply_error(out, &err);
        seed_failure(out);
        return;
    }
    srv_reply r;
    memset(&r, 0, sizeof r);
    srv_backtest_post(s, breq, &r);
    json_decref(breq);
    if (r.status != 201) { /* its error document, in the seed's failure shape */
        *out = r;
        seed_failure(out);
        return;
    }
    json_t *doc = r.body ? json_loads(r.body, 0, NULL) : NULL;
    slab_free(r.body);
    json_t *ex = json_object_get(doc, "execution");
    json_t *resp =
        json_pack("{s:b,s:O?,s:{s:O?,s:O?,s:O?},s:O?}", "success", 1, "executionId",
                  json_object_get(ex, "id"), "results", "trades", json_object_get(doc, "trades"),
                  "metrics", json_object_get(doc, "metrics"), "summary",
                  json_object_get(doc, "summary"), "executionTime", json_object_get(ex, "wall_ms"));
    if (resp && doc)
        json_object_update(resp, doc); /* plus the standard result document */
    json_decref(doc);
    srv_reply_json(out, 201, resp);
}

/* ---- indicators, spec validation, comparison ---------------------------------------------- */

/* A comma-separated list as a JSON array of strings. */
static json_t *split_list(const char *text)
{
    json_t *a = json_array();
    const char *p = text ? text : "";
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n)
            json_array_append_new(a, json_stringn(p, n));
        p += n;
        if (*p == ',')
            p++;
    }
    return a;
}

void srv_indicators(srv *s, srv_reply *out)
{
    size_t n;
    const slab_ind_def *t = slab_ind_table(&n);
    json_t *arr = json_array();
    (void)s;
    for (size_t k = 0; k < n; k++) {
        json_t *in = json_array(), *params = json_array(), *outs = json_array();
        for (int i = 0; i < t[k].n_inputs; i++)
            json_array_append_new(in, json_string(t[k].inputs[i]));
        for (int i = 0; i < t[k].n_params; i++)
            json_array_append_new(
                params,
                json_pack("{s:s,s:s,s:f,s:f,s:f,s:s}", "name", t[k].params[i].name, "type",
                          t[k].params[i].is_int ? "int" : "number", "default", t[k].params[i].def,
                          "min", t[k].params[i].min, "max", t[k].params[i].max, "help",
                          t[k].params[i].help ? t[k].params[i].help : ""));
        for (int i = 0; i < t[k].n_outputs; i++)
            json_array_append_new(outs, json_string(t[k].outputs[i]));
        json_array_append_new(arr, json_pack("{s:s,s:o,s:s,s:s,s:o,s:o,s:o}", "name", t[k].name,
                                             "aliases", split_list(t[k].aliases), "summary",
                                             t[k].summary ? t[k].summary : "", "convention",
                                             t[k].convention ? t[k].convention : "", "inputs", in,
                                             "params", params, "outputs", outs));
    }
    srv_reply_json(out, 200, json_pack("{s:i,s:o}", "count", (int)n, "indicators", arr));
}

void srv_validate_spec(srv *s, const json_t *req, srv_reply *out)
{
    json_t *spec = json_object_get(req, "spec");
    slab_spec *sp = NULL;
    slab_diags d;
    char *text;
    (void)s;
    if (!json_is_object(spec)) {
        srv_reply_fail(out, SLAB_EC_MISSING_OPTION, "send {\"spec\": {...}}",
                       "spec: expected the strategy spec object under \"spec\"");
        return;
    }
    if (!(text = slab_json_dumps(spec, JSON_INDENT(2)))) {
        reply_oom(out);
        return;
    }
    slab_diags_init(&d);
    slab_spec_compile(text, strlen(text), &sp, &d);
    slab_free(text);
    json_t *doc = slab_diags_json(&d);
    if (doc && sp) {
        json_object_set_new(doc, "strategy_name", json_string(slab_spec_name(sp)));
        json_object_set_new(doc, "spec_sha256", json_string(slab_spec_sha256(sp)));
    }
    slab_spec_free(sp);
    slab_diags_clear(&d);
    srv_reply_json(out, 200, doc);
}

/* The headline of one stored document, for a comparison. */
static json_t *compare_row(const char *id, const char *text)
{
    static const char *const keys[] = {"final_value",      "total_return", "sharpe_ratio",
                                       "max_drawdown_pct", "num_trades",   "win_rate",
                                       "profit_factor",    "sqn"};
    json_t *doc = json_loads(text, 0, NULL), *bt = json_object_get(doc, "backtest");
    json_t *m = json_object_get(doc, "metrics"), *row = json_object(), *mm = json_object();
    json_object_set_new(row, "id", json_string(id));
    for (size_t k = 0; k < 6; k++) {
        static const char *const b[] = {"strategy", "source", "symbols", "from", "to", "config"};
        json_t *v = json_object_get(bt, b[k]);
        if (v && k < 5)
            json_object_set(row, b[k], v);
        else if (v)
            json_object_set(row, "params", json_object_get(v, "params"));
    }
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(m, keys[k]);
        json_object_set(mm, keys[k], v ? v : json_null());
    }
    json_object_set_new(row, "metrics", mm);
    json_decref(doc);
    return row;
}

/* The id of rows' best value of key (lowest when low, else highest). */
static json_t *best_of(json_t *rows, const char *key, int low)
{
    size_t i;
    json_t *row, *best = NULL;
    double bv = 0;
    json_array_foreach(rows, i, row)
    {
        json_t *v = json_object_get(json_object_get(row, "metrics"), key);
        if (!json_is_number(v))
            continue;
        double x = json_number_value(v);
        if (!best || (low ? x < bv : x > bv)) {
            best = json_object_get(row, "id");
            bv = x;
        }
    }
    return best ? json_incref(best) : json_null();
}

void srv_compare(srv *s, const json_t *req, srv_reply *out)
{
    json_t *ids = json_object_get(req, "ids"), *v, *rows;
    size_t i, n = json_array_size(ids);
    if (!json_is_array(ids) || n < 2 || n > 20) {
        srv_reply_fail(out, SLAB_EC_BAD_VALUE, "send {\"ids\": [\"bt_...\", \"bt_...\"]}",
                       "ids: expected 2 to 20 backtest ids");
        return;
    }
    rows = json_array();
    json_array_foreach(ids, i, v)
    {
        slab_backtest_record r;
        slab_error err;
        const char *id = json_string_value(v);
        if (!id || !id_ok(id)) {
            json_decref(rows);
            srv_reply_fail(out, SLAB_EC_BAD_VALUE, NULL, "ids/%zu: not a backtest id", i);
            return;
        }
        pthread_mutex_lock(&s->store_mu);
        slab_status st = slab_store_get_backtest(s->store, id, &r, &err);
        pthread_mutex_unlock(&s->store_mu);
        if (st != SLAB_OK) {
            json_decref(rows);
            srv_reply_error(out, &err);
            return;
        }
        json_array_append_new(rows, compare_row(r.id, r.document));
        slab_free(r.document);
    }
    json_t *best = json_pack("{s:o,s:o,s:o,s:o}", "total_return", best_of(rows, "total_return", 0),
                             "sharpe_ratio", best_of(rows, "sharpe_ratio", 0), "max_drawdown_pct",
                             best_of(rows, "max_drawdown_pct", 1), "final_value",
                             best_of(rows, "final_value", 0));
    srv_reply_json(out, 200, json_pack("{s:o,s:o}", "backtests", rows, "best", best));
}

/* ---- routing -------------------------------------------------------------------------------- */

/* Parses body as JSON into *out (owned), or answers the error. */
static int parse_body(const char *body, size_t len, json_t **out, srv_reply *reply)
{
    json_error_t je;
    *out = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (*out)
        return 0;
    srv_reply_fail(reply, SLAB_EC_BAD_JSON, "send one JSON object (Content-Type: application/json)",
                   "the body is not JSON: %s (line %d, column %d)", je.text, je.line, je.column);
    return -1;
}

static void not_allowed(srv_reply *out, const char *method, const char *path, const char *allow)
{
    srv_reply_fail(out, SLAB_EC_METHOD_NOT_ALLOWED, NULL, "%s is not allowed on %s (allowed: %s)",
                   method, path, allow);
}

static const char *arg(const srv_args *q, const char *name)
{
    return q && q->get ? q->get(q->arg, name) : NULL;
}

/* /api/<coll>[/<id>]: *id gets the id part or NULL. 1 when path matches. */
static int match(const char *path, const char *coll, const char **id)
{
    size_t n = strlen(coll);
    if (strncmp(path, coll, n))
        return 0;
    if (path[n] == '\0' || (path[n] == '/' && path[n + 1] == '\0')) {
        *id = NULL;
        return 1;
    }
    if (path[n] == '/' && !strchr(path + n + 1, '/')) {
        *id = path + n + 1;
        return 1;
    }
    return 0;
}

void srv_route(srv *s, const char *method, const char *path, const srv_args *q, const char *body,
               size_t len, srv_reply *out)
{
    const char *id = NULL;
    json_t *req = NULL;
    int get = !strcmp(method, "GET"), post = !strcmp(method, "POST");
    int put = !strcmp(method, "PUT"), del = !strcmp(method, "DELETE");
    memset(out, 0, sizeof *out);
    if (!strcmp(path, "/api/health")) {
        if (get)
            srv_health(s, out);
        else
            not_allowed(out, method, path, "GET");
    } else if (!strcmp(path, "/api/backtests/execute-script")) {
        if (!post)
            not_allowed(out, method, path, "POST");
        else if (!parse_body(body, len, &req, out))
            srv_execute_script(s, req, out);
    } else if (!strcmp(path, "/api/backtests/compare")) {
        if (!post)
            not_allowed(out, method, path, "POST");
        else if (!parse_body(body, len, &req, out))
            srv_compare(s, req, out);
    } else if (!strcmp(path, "/api/specs/validate")) {
        if (!post)
            not_allowed(out, method, path, "POST");
        else if (!parse_body(body, len, &req, out))
            srv_validate_spec(s, req, out);
    } else if (!strcmp(path, "/api/scripts/validate")) {
        if (!post)
            not_allowed(out, method, path, "POST");
        else if (!parse_body(body, len, &req, out))
            srv_validate_script(s, req, out);
    } else if (!strcmp(path, "/api/strategies/suggestions")) {
        if (get)
            srv_suggestions(s, out);
        else
            not_allowed(out, method, path, "GET");
    } else if (!strcmp(path, "/api/indicators")) {
        if (get)
            srv_indicators(s, out);
        else
            not_allowed(out, method, path, "GET");
    } else if (!strncmp(path, "/api/backtests/", 15) && strlen(path) > 22 &&
               !strcmp(path + strlen(path) - 7, "/trades")) {
        char bid[64];
        size_t n = strlen(path) - 22;
        snprintf(bid, sizeof bid, "%.*s", (int)(n < sizeof bid ? n : sizeof bid - 1), path + 15);
        if (get)
            srv_backtest_trades(s, bid, arg(q, "offset"), arg(q, "limit"), out);
        else
            not_allowed(out, method, path, "GET");
    } else if (match(path, "/api/backtests", &id)) {
        if (!id && post) {
            if (!parse_body(body, len, &req, out))
                srv_backtest_post(s, req, out);
        } else if (!id && get) {
            srv_backtest_list(s, arg(q, "strategy"), arg(q, "limit"), out);
        } else if (id && get) {
            srv_backtest_get(s, id, out);
        } else {
            not_allowed(out, method, path, id ? "GET" : "GET, POST");
        }
    } else if (match(path, "/api/strategies", &id)) {
        if (!id && get)
            srv_strategy_list(s, out);
        else if (!id && post) {
            if (!parse_body(body, len, &req, out))
                srv_strategy_save(s, NULL, req, out);
        } else if (id && get)
            srv_strategy_get(s, id, arg(q, "version"), out);
        else if (id && put) {
            if (!parse_body(body, len, &req, out))
                srv_strategy_save(s, id, req, out);
        } else if (id && del)
            srv_strategy_delete(s, id, out);
        else
            not_allowed(out, method, path, id ? "GET, PUT, DELETE" : "GET, POST");
    } else if (match(path, "/api/executions", &id)) {
        if (get)
            srv_execution_list(s, id, arg(q, "limit"), out);
        else
            not_allowed(out, method, path, "GET");
    } else {
        srv_reply_fail(out, SLAB_EC_NOT_FOUND,
                       "the API: /api/health, /api/backtests[/{id}], "
                       "/api/backtests/execute-script, /api/backtests/compare, "
                       "/api/strategies[/{id}], /api/executions[/{id}], /api/indicators, "
                       "/api/specs/validate, /api/scripts/validate",
                       "no such endpoint");
    }
    json_decref(req);
    srv_scrub(s, out);
}
