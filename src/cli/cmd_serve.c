/* cmd_serve.c: `stratlab serve` (the HTTP API), `stratlab mcp` (the MCP
 * server on stdio) and `stratlab token` (API keys for callers other than
 * loopback). The service itself is the server layer (stratlab/server.h);
 * this file reads flags and prints. Public headers only. */
#include "cli.h"

#include "stratlab/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void serve_usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab serve [--listen HOST:PORT] [--db PATH] [--workers N] [--queue N]\n"
            "                      [--queue-wait S] [--body-max BYTES] [--rate N] [--grace S]\n"
            "                      [--log]\n\n"
            "The HTTP API (JSON in and out; docs/service.md):\n"
            "  GET  /api/health                       status, version, queue\n"
            "  POST /api/backtests                    run; the result document + id, stored\n"
            "  GET  /api/backtests[?strategy=&limit=] list; /api/backtests/{id}: one, as stored\n"
            "  GET/POST /api/strategies, GET/PUT/DELETE /api/strategies/{id}: saved, versioned\n"
            "  GET  /api/executions[/{id}]            the script execution log\n\n"
            "  --listen HOST:PORT  address (default %s; port 0 picks a free one,\n"
            "                      printed on stderr). Any address but loopback needs API\n"
            "                      keys: stratlab token create --name NAME\n"
            "  --db PATH           the store (default $STRATLAB_DB or the user data dir);\n"
            "                      --store is the same\n"
            "  --workers N         runs at once (default 2)\n"
            "  --queue N           runs that may wait for a worker (default 64); more: 503\n"
            "                      with Retry-After\n"
            "  --queue-wait S      longest wait in the queue, seconds (default 30)\n"
            "  --body-max BYTES    largest request body (default 1048576); more: 413\n"
            "  --header-max BYTES  largest request headers (default 16384); more: 431\n"
            "  --rate N            requests per minute per API key (default: no limit); more:\n"
            "                      429 with Retry-After\n"
            "  --grace S           SIGTERM: seconds running jobs get to finish (default 30)\n"
            "  --log               one line per request on stderr\n",
            SLAB_SERVER_LISTEN_DEFAULT);
}

static void ready(int port, void *arg)
{
    const slab_server_config *c = arg;
    char host[256];
    const char *colon = strrchr(c->listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - c->listen), c->listen);
    fprintf(stderr, "stratlab serve: listening on http://%s:%d (store %s, %d workers, queue %d)\n",
            host, port, c->db, c->workers, c->queue);
    fflush(stderr);
}

/* Reads a number flag's value in [lo, hi]. */
static int num_flag(const char *cmd, const char *flag, const char *text, double lo, double hi,
                    double *out)
{
    char *end;
    errno = 0;
    double v = text ? strtod(text, &end) : 0;
    if (!text || end == text || *end || errno || v < lo || v > hi)
        return cli_usage_error(cmd, "%s expects a number from %g to %g, got '%s'", flag, lo, hi,
                               text ? text : "");
    *out = v;
    return 0;
}

/* Parses the flags serve and mcp share into c; *db_flag gets --db. */
static int read_flags(const char *cmd, int argc, char **argv, slab_server_config *c,
                      const char **db_flag)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double x = 0.0;
        int rc = 0;
        if (!strcmp(a, "--json"))
            continue;
        if (!strcmp(a, "--log")) {
            c->log = stderr;
            continue;
        }
        if (!v)
            return cli_usage_error(cmd, "%s needs a value (or is not an option of %s)", a, cmd);
        if (!strcmp(a, "--listen"))
            c->listen = v;
        else if (!strcmp(a, "--db") || !strcmp(a, "--store"))
            *db_flag = v;
        else if (!strcmp(a, "--workers") && !(rc = num_flag(cmd, a, v, 1, 256, &x)))
            c->workers = (int)x;
        else if (!strcmp(a, "--queue") && !(rc = num_flag(cmd, a, v, 0, 100000, &x)))
            c->queue = (int)x;
        else if (!strcmp(a, "--queue-wait") && !(rc = num_flag(cmd, a, v, 0.001, 3600, &x)))
            c->queue_wait_s = x;
        else if (!strcmp(a, "--body-max") && !(rc = num_flag(cmd, a, v, 64, 1 << 30, &x)))
            c->body_max = (size_t)x;
        else if (!strcmp(a, "--header-max") && !(rc = num_flag(cmd, a, v, 1024, 1 << 20, &x)))
            c->header_max = (size_t)x;
        else if (!strcmp(a, "--rate") && !(rc = num_flag(cmd, a, v, 0, 1e9, &x)))
            c->rate_per_min = x;
        else if (!strcmp(a, "--grace") && !(rc = num_flag(cmd, a, v, 0, 3600, &x)))
            c->shutdown_grace_s = x;
        else if (!rc)
            return cli_unknown_option(cmd, a, strcmp(cmd, "serve") ? NULL : serve_usage);
        if (rc)
            return rc;
        i++;
    }
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    slab_server_config c;
    slab_error err;
    const char *db_flag = NULL;
    char db[1024];
    int rc;
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return cli_help("serve", serve_usage);
    slab_server_config_init(&c);
    if ((rc = read_flags("serve", argc, argv, &c, &db_flag)))
        return rc;
    if (!cli_db_path("serve", db_flag, db, sizeof db))
        return 2;
    cli_db_mkdirs(db);
    c.db = db;
    if (slab_server_run(&c, ready, &c, &err) != SLAB_OK)
        return cli_fail(&err);
    fprintf(stderr, "stratlab serve: stopped\n");
    return 0;
}

static void token_usage(FILE *out)
{
    fprintf(out, "usage: stratlab token create --name NAME [--db PATH]\n\n"
                 "Makes an API key for a caller of `stratlab serve` on an address other than\n"
                 "loopback. The token is printed once; the store keeps only its SHA-256.\n"
                 "Send it as: Authorization: Bearer TOKEN\n");
}

int cmd_token(int argc, char **argv)
{
    const char *name = NULL, *db_flag = NULL;
    char db[1024], token[128];
    slab_error err;
    int create = 0;
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return cli_help("token", token_usage);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            continue;
        if (!strcmp(argv[i], "create") && i == 1)
            create = 1;
        else if (!strcmp(argv[i], "--name") && i + 1 < argc)
            name = argv[++i];
        else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db_flag = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--name") &&
                 strcmp(argv[i], "--db"))
            return cli_unknown_option("token", argv[i], token_usage);
        else
            return cli_usage_error("token",
                                   "unexpected '%s' (usage: stratlab token create "
                                   "--name NAME [--db PATH])",
                                   argv[i]);
    }
    if (!create)
        return cli_usage_error("token", "say what to do: stratlab token create --name NAME");
    if (!name)
        return cli_usage_error("token", "--name: give the caller's name (agent1)");
    if (!cli_db_path("token", db_flag, db, sizeof db))
        return 2;
    cli_db_mkdirs(db);
    if (slab_server_token_create(db, name, token, sizeof token, &err) != SLAB_OK)
        return cli_fail(&err);
    if (cli_json) {
        json_t *doc = json_pack("{s:s,s:s}", "name", name, "token", token);
        int rc = cli_print_json(doc);
        json_decref(doc);
        return rc;
    }
    printf("%s\n", token);
    fprintf(stderr, "stratlab token: key '%s' made; this is the only time the token is shown\n",
            name);
    return 0;
}

static void mcp_usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab mcp [--db PATH] [--workers N] [--queue N]\n\n"
            "The MCP server (Model Context Protocol %s) on stdin/stdout, for agents:\n"
            "tools run_backtest, run_script, validate_spec, list_strategies,\n"
            "list_indicators, get_backtest, compare_backtests, save_strategy. Each takes\n"
            "the JSON body of its HTTP endpoint and answers the same document\n"
            "(structuredContent). Register it in a client as the command\n"
            "`stratlab mcp --db PATH`.\n",
            "2025-06-18");
}

int cmd_mcp(int argc, char **argv)
{
    slab_server_config c;
    slab_error err;
    const char *db_flag = NULL;
    char db[1024];
    int rc;
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return cli_help("mcp", mcp_usage);
    slab_server_config_init(&c);
    if ((rc = read_flags("mcp", argc, argv, &c, &db_flag)))
        return rc;
    if (!cli_db_path("mcp", db_flag, db, sizeof db))
        return 2;
    cli_db_mkdirs(db);
    c.db = db;
    if (slab_mcp_run(&c, stdin, stdout, &err) != SLAB_OK) {
        /* stdout belongs to the protocol: the error goes to stderr */
        cli_json = 0;
        return cli_fail(&err);
    }
    return 0;
}
