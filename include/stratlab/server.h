/* server.h: the service, the top layer under the CLI: an HTTP API
 * (libmicrohttpd) and an MCP server (JSON-RPC on stdio) over one store, the
 * same documents through both (docs/service.md has the contract). Runs are
 * gated by a bounded queue of K workers; a full queue answers busy (HTTP
 * 503 with Retry-After), never a lost job.
 * Invariant: nothing from a request names a file: data comes from the
 * store, scripts go through the sandbox, errors never carry a server path. */
#ifndef STRATLAB_SERVER_H
#define STRATLAB_SERVER_H

#include <stdio.h>

#include "stratlab/core.h"

#define SLAB_SERVER_LISTEN_DEFAULT "127.0.0.1:8750"
#define SLAB_SERVER_BODY_MAX_DEFAULT (1024 * 1024) /* bytes of a request body */
#define SLAB_SERVER_HEADER_MAX_DEFAULT (16 * 1024) /* bytes of a request's headers */

/* How the server runs. */
typedef struct slab_server_config {
    const char *listen;      /* "HOST:PORT"; a host other than loopback needs API keys */
    const char *db;          /* the store's path (opened, created when absent) */
    int workers;             /* runs at once (K) */
    int queue;               /* runs that may wait for a worker */
    double queue_wait_s;     /* longest wait for a worker, s; then busy */
    size_t body_max;         /* bytes of a request body; more is 413 */
    size_t header_max;       /* bytes of the request line and headers; more is 431 */
    double rate_per_min;     /* requests per minute per API key; 0 = no limit */
    double shutdown_grace_s; /* SIGTERM: how long running jobs may finish, s */
    FILE *log;               /* one line per request; NULL = none */
} slab_server_config;

/* Fills c with the defaults: 127.0.0.1:8750, 2 workers, queue 64, wait
 * 30 s, body 1 MiB, headers 16 KiB, no rate limit, grace 30 s; db NULL. */
void slab_server_config_init(slab_server_config *c);

/* Runs the HTTP server until SIGTERM or SIGINT: then refuses new jobs,
 * lets running ones finish within shutdown_grace_s and returns SLAB_OK.
 * ready (may be NULL) is called with the bound port once it listens.
 * Fails (err set) when the address is bad or taken, when a non-loopback
 * address is asked for and the store holds no API key, or the store
 * cannot be opened. */
slab_status slab_server_run(const slab_server_config *c, void (*ready)(int port, void *arg),
                            void *arg, slab_error *err);

/* Runs the MCP server on in/out (JSON-RPC 2.0, one message per line,
 * protocol version 2025-06-18) until in ends. */
slab_status slab_mcp_run(const slab_server_config *c, FILE *in, FILE *out, slab_error *err);

/* Makes an API key named name in the store at db: writes the token (shown
 * once; only its SHA-256 is stored) into token (at least 80 bytes). */
slab_status slab_server_token_create(const char *db, const char *name, char *token, size_t n,
                                     slab_error *err);

#endif
