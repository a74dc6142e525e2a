/* http.c: the HTTP API on libmicrohttpd: one thread per connection (a run
 * blocks its own connection's thread, and the queue in service.c bounds
 * how many run), request bodies collected up to a cap (more is 413, told
 * before the body is read when Content-Length says so), API keys when the
 * address is not loopback (SHA-256 compared in constant time), a per-key
 * rate limit, and SIGTERM/SIGINT: refuse new jobs, let running ones finish
 * within the grace, stop.
 * Invariant: every answer is the JSON text service.c made, with the
 * status it chose; nothing here builds a path from a request. */
#include "server_int.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define RATE_KEYS_MAX 256 /* keys whose request rate is tracked */

/* One request being read. */
typedef struct http_req {
    char *body;      /* the body so far (owned), NUL-terminated */
    size_t len, cap; /* bytes held, bytes allocated */
    int too_large;   /* 1 once the body passed the cap: it is dropped */
    int64_t t0_ns;   /* when the request arrived */
} http_req;

/* A key's token bucket. */
typedef struct rate_slot {
    char id[40];
    double tokens;   /* requests it may still make now */
    int64_t last_ms; /* when tokens was last refilled */
} rate_slot;

/* The server: the service plus what HTTP adds. */
typedef struct http_srv {
    srv svc;
    int need_auth; /* the address is not loopback */
    pthread_mutex_t rate_mu;
    rate_slot rate[RATE_KEYS_MAX];
    size_t n_rate;
} http_srv;

void slab_server_config_init(slab_server_config *c)
{
    memset(c, 0, sizeof *c);
    c->listen = SLAB_SERVER_LISTEN_DEFAULT;
    c->workers = 2;
    c->queue = 64;
    c->queue_wait_s = 30.0;
    c->body_max = SLAB_SERVER_BODY_MAX_DEFAULT;
    c->header_max = SLAB_SERVER_HEADER_MAX_DEFAULT;
    c->shutdown_grace_s = 30.0;
}

/* ---- the address ------------------------------------------------------------ */

/* Parses "HOST:PORT" ("[::1]:8750" for IPv6) into *ss. *loopback gets 1
 * for 127.0.0.0/8 and ::1. */
static slab_status parse_listen(const char *listen, struct sockaddr_storage *ss, int *loopback,
                                slab_error *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':'), *h = listen;
    size_t hl;
    struct addrinfo hints, *ai = NULL;
    if (!colon || colon == listen || !colon[1])
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, "--listen",
                               "--listen: expected HOST:PORT (127.0.0.1:8750), got '%.100s'",
                               listen);
    hl = (size_t)(colon - listen);
    if (*h == '[' && colon[-1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= sizeof host)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, "--listen", "--listen: host too long");
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, "--listen",
                               "--listen: the port must be 0 to 65535, got '%.20s'", colon + 1);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
    if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, "--listen",
                               "--listen: cannot resolve host '%.100s'", host);
    memset(ss, 0, sizeof *ss);
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (ss->ss_family == AF_INET)
        *loopback = (ntohl(((struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    else
        *loopback = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)ss)->sin6_addr);
    return SLAB_OK;
}

/* ---- keys and rates ------------------------------------------------------------ */

/* The key the Authorization header carries, checked against every stored
 * key's SHA-256 in constant time (each comparison takes the same time; all
 * are made). Writes its id into id; 0 when valid. */
static int check_key(http_srv *h, const char *auth, char id[40])
{
    slab_api_key *keys = NULL;
    size_t n = 0;
    slab_error err;
    char hex[65];
    int found = 0;
    if (!auth || strncmp(auth, "Bearer ", 7))
        return -1;
    auth += 7;
    slab_sha256_mem(auth, strlen(auth), hex);
    pthread_mutex_lock(&h->svc.store_mu);
    slab_status st = slab_store_list_keys(h->svc.store, &keys, &n, &err);
    pthread_mutex_unlock(&h->svc.store_mu);
    if (st != SLAB_OK)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (CRYPTO_memcmp(hex, keys[k].sha256, 64) == 0 && !found) {
            found = 1;
            snprintf(id, 40, "%s", keys[k].id);
        }
    slab_free(keys);
    return found ? 0 : -1;
}

/* Takes one request from key id's bucket; 0, or the seconds to wait. */
static int rate_take(http_srv *h, const char *id)
{
    double per_min = h->svc.cfg.rate_per_min;
    int64_t now = srv_now_ms();
    int wait = 0;
    if (per_min <= 0)
        return 0;
    pthread_mutex_lock(&h->rate_mu);
    rate_slot *r = NULL;
    for (size_t k = 0; k < h->n_rate && !r; k++)
        if (!strcmp(h->rate[k].id, id))
            r = &h->rate[k];
    if (!r && h->n_rate < RATE_KEYS_MAX) {
        r = &h->rate[h->n_rate++];
        snprintf(r->id, sizeof r->id, "%s", id);
        r->tokens = per_min;
        r->last_ms = now;
    }
    if (r) {
        r->tokens += (double)(now - r->last_ms) * per_min / 60000.0;
        if (r->tokens > per_min)
            r->tokens = per_min;
        r->last_ms = now;
        if (r->tokens >= 1.0)
            r->tokens -= 1.0;
        else
            wait = (int)((1.0 - r->tokens) * 60.0 / per_min) + 1;
    }
    pthread_mutex_unlock(&h->rate_mu);
    return wait;
}

/* ---- requests ------------------------------------------------------------------ */

static const char *query_arg(void *arg, const char *name)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)arg, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result send_reply(struct MHD_Connection *c, srv_reply *r)
{
    const char *body = r->body ? r->body : "{}\n";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ok = MHD_NO;
    if (resp) {
        char ra[16];
        MHD_add_response_header(resp, "Content-Type", "application/json");
        MHD_add_response_header(resp, "Cache-Control", "no-store");
        if (r->retry_after_s > 0) {
            snprintf(ra, sizeof ra, "%d", r->retry_after_s);
            MHD_add_response_header(resp, "Retry-After", ra);
        }
        ok = MHD_queue_response(c, (unsigned)r->status, resp);
        MHD_destroy_response(resp);
    }
    slab_free(r->body);
    r->body = NULL;
    return ok;
}

/* Appends an upload chunk, or drops the body once it passes the cap. */
static void take_chunk(http_req *rq, const char *data, size_t n, size_t max)
{
    if (rq->too_large)
        return;
    if (rq->len + n > max) {
        rq->too_large = 1;
        slab_free(rq->body);
        rq->body = NULL;
        rq->len = rq->cap = 0;
        return;
    }
    if (rq->len + n + 1 > rq->cap) {
        size_t nc = rq->cap ? rq->cap : 4096;
        while (nc < rq->len + n + 1)
            nc *= 2;
        char *p = slab_realloc(rq->body, nc);
        if (!p) { /* no memory for it: answered as too large to hold now */
            rq->too_large = 1;
            slab_free(rq->body);
            rq->body = NULL;
            rq->len = rq->cap = 0;
            return;
        }
        rq->body = p;
        rq->cap = nc;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    rq->body[rq->len] = '\0';
}

static void too_large(srv_reply *r, size_t max)
{
    srv_reply_fail(r, SLAB_EC_TOO_LARGE, "send a body of at most the limit (serve --body-max)",
                   "the request body is larger than %zu bytes", max);
}

/* The checks made from the headers alone, before any body is read: the
 * body's announced size, the API key, the key's rate. 0 when the request
 * may go on, else the refusal in *reply. */
static int refuse_early(http_srv *h, struct MHD_Connection *c, srv_reply *reply)
{
    char key_id[40] = "local";
    int wait;
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > h->svc.cfg.body_max) {
        too_large(reply, h->svc.cfg.body_max);
        return 1;
    }
    if (h->need_auth &&
        check_key(h, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"), key_id)) {
        srv_reply_fail(reply, SLAB_EC_UNAUTHORIZED, NULL,
                       "this server needs an API key: Authorization: Bearer TOKEN");
        return 1;
    }
    if ((wait = rate_take(h, key_id)) > 0) {
        srv_reply_fail(reply, SLAB_EC_RATE_LIMITED, NULL,
                       "more than %g requests a minute for this key: retry in %d s",
                       h->svc.cfg.rate_per_min, wait);
        reply->retry_after_s = wait;
        return 1;
    }
    return 0;
}

static void log_request(http_srv *h, const char *method, const char *url, const http_req *rq,
                        int status)
{
    if (h->svc.cfg.log)
        fprintf(h->svc.cfg.log, "%s %s %d %.3f ms\n", method, url, status,
                (double)(slab_clock_ns() - rq->t0_ns) / 1e6);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    http_srv *h = cls;
    http_req *rq = *con_cls;
    srv_reply reply;
    (void)version;
    memset(&reply, 0, sizeof reply);
    if (!rq) { /* the headers are in: refuse now, or read the body */
        if (!(rq = slab_calloc(1, sizeof *rq)))
            return MHD_NO;
        rq->t0_ns = slab_clock_ns();
        *con_cls = rq;
        srv_active(&h->svc, +1);
        if (!refuse_early(h, c, &reply))
            return MHD_YES;
        log_request(h, method, url, rq, reply.status);
        return send_reply(c, &reply);
    }
    if (*upload_data_size) {
        take_chunk(rq, upload_data, *upload_data_size, h->svc.cfg.body_max);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->too_large) {
        too_large(&reply, h->svc.cfg.body_max);
    } else {
        srv_args q = {query_arg, c};
        srv_route(&h->svc, method, url, &q, rq->body, rq->len, &reply);
    }
    log_request(h, method, url, rq, reply.status);
    return send_reply(c, &reply);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_req *rq = *con_cls;
    (void)c;
    (void)toe;
    if (rq) {
        srv_active(&((http_srv *)cls)->svc, -1);
        slab_free(rq->body);
        slab_free(rq);
        *con_cls = NULL;
    }
}

/* ---- the server --------------------------------------------------------------- */

/* 1 when the store holds at least one API key. */
static int have_keys(srv *s)
{
    slab_api_key *keys = NULL;
    size_t n = 0;
    slab_error err;
    if (slab_store_list_keys(s->store, &keys, &n, &err) != SLAB_OK)
        return 0;
    slab_free(keys);
    return n > 0;
}

slab_status slab_server_run(const slab_server_config *c, void (*ready)(int port, void *arg),
                            void *arg, slab_error *err)
{
    struct sockaddr_storage ss;
    int loopback = 0, sig = 0;
    sigset_t set;
    http_srv *h;
    slab_status rc;

    if ((rc = parse_listen(c->listen, &ss, &loopback, err)) != SLAB_OK)
        return rc;
    if (!(h = slab_calloc(1, sizeof *h)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory starting the server");
    if ((rc = srv_open(&h->svc, c, err)) != SLAB_OK) {
        srv_close(&h->svc);
        slab_free(h);
        return rc;
    }
    pthread_mutex_init(&h->rate_mu, NULL);
    h->need_auth = !loopback;
    if (h->need_auth && !have_keys(&h->svc)) {
        rc = slab_error_fail(err, SLAB_EC_UNAUTHORIZED, "--listen",
                             "%s is not a loopback address, and the store has no API key: "
                             "nobody could call this server",
                             c->listen);
        slab_error_fix(err, "make one first: stratlab token create --name NAME (same --db), "
                            "or listen on 127.0.0.1");
        goto out;
    }
    /* The threads MHD starts inherit this mask: the signals come to
     * sigwait below, never into a request's thread. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
                     MHD_USE_POLL | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)c->header_max + 16384,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(c->workers + c->queue + 512),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_END);
    if (!d) {
        rc = slab_error_fail(err, SLAB_EC_IO_ERROR, "--listen",
                             "cannot listen on %s (the port may be in use)", c->listen);
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (ready)
        ready(info ? info->port : 0, arg);
    while (sigwait(&set, &sig) != 0 || (sig != SIGTERM && sig != SIGINT))
        ;
    MHD_quiesce_daemon(d); /* no new connections */
    int left = srv_queue_drain(&h->svc, c->shutdown_grace_s);
    if (left == 0)
        MHD_stop_daemon(d); /* joins the connection threads */
    /* else: jobs past the grace; the process ends without them (the
     * store is WAL: what was committed stays, the rest never was) */
    if (c->log)
        fprintf(c->log, "stopped on signal %d; %d job(s) cut at the grace\n", sig, left);
    if (left)
        return SLAB_OK;
out:
    pthread_mutex_destroy(&h->rate_mu);
    srv_close(&h->svc);
    slab_free(h);
    return rc;
}

slab_status slab_server_token_create(const char *db, const char *name, char *token, size_t n,
                                     slab_error *err)
{
    slab_store *s = NULL;
    slab_api_key k;
    char secret[40];
    slab_status rc;
    if (!name || !*name || strlen(name) >= sizeof k.name)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, "--name",
                               "--name: give the key's caller a name of 1 to 63 characters");
    if (n < 80)
        return slab_error_set(err, SLAB_EINTERNAL, NULL, "token buffer too small");
    memset(&k, 0, sizeof k);
    srv_new_id("key_", k.id, sizeof k.id);
    k.id[12] = '\0'; /* key_ + 8 hex */
    srv_new_id("", secret, sizeof secret);
    char more[40];
    srv_new_id("", more, sizeof more);
    snprintf(token, n, "slab_%s%s%s", k.id + 4, secret, more);
    slab_sha256_mem(token, strlen(token), k.sha256);
    snprintf(k.name, sizeof k.name, "%s", name);
    k.created_at_ms = srv_now_ms();
    if ((rc = slab_store_open(db, &s, err)) != SLAB_OK)
        return rc;
    rc = slab_store_add_key(s, &k, err);
    slab_store_close(s);
    if (rc != SLAB_OK)
        token[0] = '\0';
    return rc;
}
