/* server_int.h: the service's private parts. service.c holds the state
 * (the store, the queue) and the operations both ways in call: HTTP
 * (http.c) and MCP (mcp.c) only translate requests and replies, so a
 * tool's structured output is the HTTP document, byte for byte before
 * parsing. run.c turns a request body into a result document. */
#ifndef SLAB_SERVER_INT_H
#define SLAB_SERVER_INT_H

#include <jansson.h>
#include <pthread.h>

#include "stratlab/core.h"
#include "stratlab/server.h"
#include "stratlab/store.h"

/* What an operation answers: an HTTP status and a JSON text. */
typedef struct srv_reply {
    int status;        /* 200, 201, 400, 404, ... */
    char *body;        /* JSON text ending in a newline (owned; slab_free()) */
    int retry_after_s; /* > 0: send Retry-After (busy, rate limited) */
} srv_reply;

/* One waiter in the queue (FIFO). */
typedef struct srv_waiter {
    struct srv_waiter *next;
} srv_waiter;

/* One cached stored series (run.c): a symbol's whole series in one
 * timeframe, as the store held it at data_version. */
typedef struct srv_bars_entry {
    char symbol[32];
    char timeframe[16];     /* as requested ("" = the only one stored) */
    int64_t version;        /* the store's data_version when read */
    unsigned long used;     /* last use, for eviction */
    struct slab_bars *bars; /* owned */
} srv_bars_entry;

#define SRV_BARS_CACHE 16          /* series kept */
#define SRV_BARS_CACHE_MAX 2000000 /* bars kept in all (about 112 MB) */

/* The service: one per server process. */
typedef struct srv {
    slab_server_config cfg;
    slab_store *store; /* the one connection; store_mu guards it */
    pthread_mutex_t store_mu;
    slab_store *ro; /* a read-only handle: runs read bars through it (ro_mu) */
    pthread_mutex_t ro_mu;
    pthread_mutex_t q_mu; /* guards the queue fields below */
    pthread_cond_t q_cv;
    int running;                  /* jobs holding a worker slot */
    int waiting;                  /* jobs in the queue */
    int stopping;                 /* 1 after SIGTERM: no new jobs */
    int active;                   /* HTTP requests between arrival and their answer's end */
    srv_waiter *head, *tail;      /* the queue, oldest first */
    double job_ms_avg;            /* moving average of a job's time, for Retry-After */
    unsigned long jobs_done;      /* jobs finished, any outcome */
    unsigned long jobs_refused;   /* jobs refused busy */
    struct slab_sandbox *sandbox; /* scripts: opened at the first one (sandbox_mu) */
    pthread_mutex_t sandbox_mu;
    srv_bars_entry cache[SRV_BARS_CACHE]; /* bars read from the store (cache_mu) */
    pthread_mutex_t cache_mu;
    unsigned long cache_tick;
    unsigned long cache_hits, cache_misses;
    char secret_paths[6][1024]; /* folders of this server an error must not show */
    int n_secret_paths;
} srv;

/* Opens the store at c->db and sets up the queue. */
slab_status srv_open(srv *s, const slab_server_config *c, slab_error *err);
void srv_close(srv *s);

/* Query arguments of a request: get(arg, "limit") or NULL. */
typedef struct srv_args {
    const char *(*get)(void *arg, const char *name);
    void *arg;
} srv_args;

/* Routes one request: method, path (no query), its query args, its body.
 * Always fills *out. */
void srv_route(srv *s, const char *method, const char *path, const srv_args *q, const char *body,
               size_t len, srv_reply *out);

/* Replaces every folder of this server (the store's, the sandbox's, the
 * working and home folders) in an error reply's text by "<server>": a
 * message from deep inside (SQLite, the sandbox) may quote one. */
void srv_scrub(srv *s, srv_reply *r);
/* Adds a folder to those srv_scrub hides (ignored when empty or "/"). */
void srv_secret_path(srv *s, const char *path);

/* ---- operations (both ways in) ---- */
void srv_health(srv *s, srv_reply *out);
void srv_backtest_post(srv *s, const json_t *req, srv_reply *out);
void srv_backtest_get(srv *s, const char *id, srv_reply *out);
void srv_backtest_list(srv *s, const char *strategy, const char *limit, srv_reply *out);
/* A page of a stored document's trades (GET /api/backtests/{id}/trades). */
void srv_backtest_trades(srv *s, const char *id, const char *offset, const char *limit,
                         srv_reply *out);
void srv_strategy_save(srv *s, const char *id, const json_t *req, srv_reply *out);
void srv_strategy_get(srv *s, const char *id, const char *version, srv_reply *out);
void srv_strategy_list(srv *s, srv_reply *out);
void srv_strategy_delete(srv *s, const char *id, srv_reply *out);
void srv_execution_list(srv *s, const char *id, const char *limit, srv_reply *out);
void srv_execute_script(srv *s, const json_t *req, srv_reply *out);
void srv_indicators(srv *s, srv_reply *out);
/* Seed 000's migration suggestions from the job log (GET
 * /api/strategies/suggestions; also in GET /api/strategies). */
void srv_suggestions(srv *s, srv_reply *out);
void srv_validate_spec(srv *s, const json_t *req, srv_reply *out);
/* POST /api/scripts/validate (run.c): `stratlab validate FILE.c --json`. */
void srv_validate_script(srv *s, const json_t *req, srv_reply *out);
void srv_compare(srv *s, const json_t *req, srv_reply *out);
/* The JSON Schema of a POST /api/backtests body (owned). */
json_t *srv_backtest_schema(void);

/* ---- replies ---- */
/* A reply of doc (consumed) with status; out of memory becomes a 500. */
void srv_reply_json(srv_reply *out, int status, json_t *doc);
/* The error document {"error": {code, message, fix, ...}} with the HTTP
 * status of its code; where is kept only when it is a JSON pointer (a
 * file or store location never leaves the server). */
void srv_reply_error(srv_reply *out, const slab_error *err);
/* The same from a code and a message. */
void srv_reply_fail(srv_reply *out, slab_errcode code, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The HTTP status of an error code. */
int srv_http_status(slab_errcode code);

/* ---- the queue ---- */
/* Takes a worker slot, waiting in the queue up to cfg.queue_wait_s.
 * SLAB_EC_NONE with the slot, else SLAB_EC_BUSY or SLAB_EC_SHUTTING_DOWN
 * (*retry_s gets the seconds to suggest). */
slab_errcode srv_queue_enter(srv *s, int *retry_s);
/* Gives the slot back; job_ms is how long it was held. */
void srv_queue_leave(srv *s, double job_ms);
/* A request arrived (+1) or its answer was sent (-1): the drain waits for
 * these too, so a finished job's answer is sent before the server stops. */
void srv_active(srv *s, int delta);
/* Stops taking jobs and waits up to grace_s for the running ones and the
 * requests being answered; returns how many jobs were still running. */
int srv_queue_drain(srv *s, double grace_s);

/* ---- runs (run.c) ---- */
/* Runs the backtest req describes (the POST /api/backtests body) on bars
 * from s's store. Returns the result document (owned) with *source,
 * *strategy set, or NULL with err set (err->where a JSON pointer when the
 * request is at fault) and, when a script ran and failed, *fail_doc (owned)
 * the failure document (seed 000's {"success": false, ...} shape).
 * saved_id/version: the saved strategy it ran. */
json_t *srv_run(srv *s, const json_t *req, char saved_id[40], int *saved_version, json_t **fail_doc,
                slab_error *err);
/* Closes the sandbox, if one was opened. */
void srv_run_close(srv *s);

/* "2025-07-31T14:05:09.123Z" */
const char *srv_iso_ms(int64_t ms, char *buf, size_t n);
/* ms since 1970. */
int64_t srv_now_ms(void);
/* prefix + 16 random hex digits into buf (at least 40 bytes). */
void srv_new_id(const char *prefix, char *buf, size_t n);

#endif
