/* mcp.c: the MCP server (Model Context Protocol 2025-06-18) on stdio:
 * JSON-RPC 2.0, one message per line. Each tool is an HTTP endpoint under
 * another name: its input is that endpoint's JSON body and its
 * structuredContent the document the endpoint answers (service.c makes
 * both), so an agent and a program see the same numbers.
 *   run_backtest      POST /api/backtests
 *   run_script        POST /api/backtests with "script"
 *   validate_spec     POST /api/specs/validate
 *   validate_script   POST /api/scripts/validate
 *   list_strategies   GET  /api/strategies
 *   list_indicators   GET  /api/indicators
 *   get_backtest      GET  /api/backtests/{id}
 *   compare_backtests POST /api/backtests/compare
 *   save_strategy     POST /api/strategies (PUT /api/strategies/{id} with "id")
 * Invariant: stdout carries only JSON-RPC messages; a failed call is a
 * result with isError and the error document, never a crash. */
#include "server_int.h"

#include "stratlab/json.h"

#include <stdio.h>
#include <string.h>

#define MCP_PROTOCOL "2025-06-18"
#define MCP_LINE_MAX (8u * 1024 * 1024) /* bytes of one message */

/* A tool: its name, what it does, its input schema, and the call. */
typedef struct mcp_tool {
    const char *name;
    const char *title;
    const char *description;
    json_t *(*input)(void);
    void (*call)(srv *s, json_t *args, srv_reply *out);
} mcp_tool;

/* ---- input schemas ---- */

static json_t *schema_empty(void)
{
    return json_pack("{s:s,s:{},s:b}", "type", "object", "properties", "additionalProperties", 0);
}

static json_t *schema_backtest(void)
{
    return srv_backtest_schema();
}

static json_t *schema_script(void)
{
    json_t *sc = srv_backtest_schema();
    json_t *props = json_object_get(sc, "properties");
    json_object_set_new(props, "script",
                        json_pack("{s:s,s:s}", "type", "string", "description",
                                  "the C source of a strategy script: one file that includes "
                                  "only <stratlab/strategy.h> and defines slab_strategy"));
    json_object_del(props, "strategy");
    json_object_del(props, "spec");
    json_object_del(props, "saved");
    json_object_set_new(sc, "required", json_pack("[s]", "script"));
    return sc;
}

static json_t *schema_validate(void)
{
    return json_pack("{s:s,s:{s:{s:s,s:s}},s:[s]}", "type", "object", "properties", "spec", "type",
                     "object", "description", "the strategy spec (seed 001's format) to check",
                     "required", "spec");
}

static json_t *schema_validate_script(void)
{
    return json_pack("{s:s,s:{s:{s:s,s:s}},s:[s]}", "type", "object", "properties", "script",
                     "type", "string", "description", "the C strategy script's source to check",
                     "required", "script");
}

static json_t *schema_get(void)
{
    return json_pack("{s:s,s:{s:{s:s,s:s},s:{s:s,s:s,s:{s:{s:s,s:i},s:{s:s,s:i,s:i}}}},s:[s]}",
                     "type", "object", "properties", "id", "type", "string", "description",
                     "a backtest id (bt_...)", "trades", "type", "object", "description",
                     "only a page of its trades (GET /api/backtests/{id}/trades)", "properties",
                     "offset", "type", "integer", "minimum", 0, "limit", "type", "integer",
                     "minimum", 1, "maximum", 10000, "required", "id");
}

static json_t *schema_compare(void)
{
    return json_pack("{s:s,s:{s:{s:s,s:{s:s},s:i,s:i}},s:[s]}", "type", "object", "properties",
                     "ids", "type", "array", "items", "type", "string", "minItems", 2, "maxItems",
                     20, "required", "ids");
}

static json_t *schema_save(void)
{
    return json_pack(
        "{s:s,s:{s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s},s:{s:s,s:s}},"
        "s:[s]}",
        "type", "object", "properties", "name", "type", "string", "description", "what to call it",
        "strategy", "type", "string", "description", "a built-in's name (with params)", "params",
        "type", "object", "description", "the built-in's fixed parameters", "spec", "type",
        "object", "description", "a strategy spec instead", "script", "type", "string",
        "description", "C source instead", "id", "type", "string", "description",
        "an existing saved strategy's id: save a new version of it", "required", "name");
}

/* ---- calls ---- */

static void call_backtest(srv *s, json_t *args, srv_reply *out)
{
    srv_backtest_post(s, args, out);
}

static void call_validate(srv *s, json_t *args, srv_reply *out)
{
    srv_validate_spec(s, args, out);
}

static void call_validate_script(srv *s, json_t *args, srv_reply *out)
{
    srv_validate_script(s, args, out);
}

static void call_strategies(srv *s, json_t *args, srv_reply *out)
{
    (void)args;
    srv_strategy_list(s, out);
}

static void call_indicators(srv *s, json_t *args, srv_reply *out)
{
    (void)args;
    srv_indicators(s, out);
}

static void call_get(srv *s, json_t *args, srv_reply *out)
{
    const char *id = json_string_value(json_object_get(args, "id"));
    json_t *tr = json_object_get(args, "trades");
    if (!id) {
        srv_reply_fail(out, SLAB_EC_MISSING_OPTION, "give {\"id\": \"bt_...\"}",
                       "id: the backtest's id is missing");
        return;
    }
    if (tr) { /* a page of its trades, as GET /api/backtests/{id}/trades */
        char off[32] = "0", lim[32] = "100";
        json_t *o = json_object_get(tr, "offset"), *l = json_object_get(tr, "limit");
        if (!json_is_object(tr) || (o && !json_is_integer(o)) || (l && !json_is_integer(l))) {
            srv_reply_fail(out, SLAB_EC_BAD_VALUE, NULL,
                           "trades: expected {\"offset\": N, \"limit\": N}");
            return;
        }
        if (o)
            snprintf(off, sizeof off, "%lld", (long long)json_integer_value(o));
        if (l)
            snprintf(lim, sizeof lim, "%lld", (long long)json_integer_value(l));
        srv_backtest_trades(s, id, off, lim, out);
        return;
    }
    srv_backtest_get(s, id, out);
}

static void call_compare(srv *s, json_t *args, srv_reply *out)
{
    srv_compare(s, args, out);
}

static void call_save(srv *s, json_t *args, srv_reply *out)
{
    const char *id = json_string_value(json_object_get(args, "id"));
    json_t *body = json_deep_copy(args);
    json_object_del(body, "id");
    if (json_object_get(args, "id") && !id)
        srv_reply_fail(out, SLAB_EC_BAD_VALUE, NULL, "id: expected a saved strategy's id");
    else
        srv_strategy_save(s, id, body, out);
    json_decref(body);
}

static const mcp_tool tools[] = {
    {"run_backtest", "Run a backtest",
     "Backtests a built-in strategy (strategy + params), a strategy spec (spec) or a saved "
     "strategy (saved) on stored data (data.symbols, from, to, timeframe) with backtrader's "
     "exact semantics, stores it and returns the result document with its id (the body and "
     "answer of POST /api/backtests). Trades are capped by \"trades\" (default 100; "
     "trades_total gives the count).",
     schema_backtest, call_backtest},
    {"run_script", "Run a C strategy script",
     "Compiles a C strategy script in the sandbox and backtests it on stored data; the answer "
     "is the result document (POST /api/backtests with \"script\").",
     schema_script, call_backtest},
    {"validate_spec", "Validate a strategy spec",
     "Checks a strategy spec and lists every problem at once, each with a JSON pointer and a "
     "fix (POST /api/specs/validate).",
     schema_validate, call_validate},
    {"validate_script", "Validate a C strategy script",
     "Compiles a C strategy script in the sandbox without running it and checks its "
     "registration, includes, indicator names and forbidden constructs; lists every problem "
     "with line and column (POST /api/scripts/validate, stratlab validate FILE.c --json).",
     schema_validate_script, call_validate_script},
    {"list_strategies", "List strategies",
     "The built-in strategies with their parameters and defaults, and the saved strategies "
     "(GET /api/strategies).",
     schema_empty, call_strategies},
    {"list_indicators", "List indicators",
     "Every indicator a spec may use: name, aliases, inputs, parameters with ranges, outputs "
     "(GET /api/indicators).",
     schema_empty, call_indicators},
    {"get_backtest", "Get a stored backtest",
     "The whole stored result document of a backtest, byte for byte as it was first answered "
     "(GET /api/backtests/{id}).",
     schema_get, call_get},
    {"compare_backtests", "Compare backtests",
     "Headline metrics of 2 to 20 stored backtests side by side and the best of each "
     "(POST /api/backtests/compare).",
     schema_compare, call_compare},
    {"save_strategy", "Save a strategy",
     "Saves a built-in with fixed parameters, a spec or a script under a name, versioned; "
     "with id, saves a new version of that one (POST /api/strategies, PUT "
     "/api/strategies/{id}).",
     schema_save, call_save},
};
#define N_TOOLS (sizeof tools / sizeof tools[0])

/* ---- JSON-RPC ---- */

static void send_msg(FILE *out, json_t *msg)
{
    char *text = slab_json_dumps(msg, JSON_COMPACT);
    if (text) {
        fputs(text, out);
        fputc('\n', out);
        fflush(out);
        slab_free(text);
    }
    json_decref(msg);
}

static json_t *rpc_result(json_t *id, json_t *result)
{
    return json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "result",
                     result);
}

static json_t *rpc_error(json_t *id, int code, const char *msg)
{
    return json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
                     "error", "code", code, "message", msg);
}

static json_t *tools_list(void)
{
    json_t *arr = json_array();
    for (size_t k = 0; k < N_TOOLS; k++)
        json_array_append_new(
            arr, json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:s}}", "name", tools[k].name, "title",
                           tools[k].title, "description", tools[k].description, "inputSchema",
                           tools[k].input(), "outputSchema", "type", "object", "description",
                           "the document the matching HTTP endpoint answers (an error: "
                           "{\"error\": {code, message, fix}})"));
    return json_pack("{s:o}", "tools", arr);
}

/* The text a model reads after a run: small by default (the summary, the
 * headline metrics, the number of trades, the id and, for a session
 * strategy, the next runs as ready arguments); the whole document
 * is the structuredContent, and get_backtest returns it as text. Owned;
 * NULL when doc is not a result document. */
static char *run_brief(json_t *doc)
{
    static const char *const keys[] = {"final_value",      "total_return", "sharpe_ratio",
                                       "max_drawdown_pct", "num_trades",   "win_rate",
                                       "profit_factor"};
    json_t *m = json_object_get(doc, "metrics"), *o;
    const char *id = json_string_value(json_object_get(doc, "id"));
    if (!m || !id)
        return NULL;
    o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set(o, "summary", json_object_get(doc, "summary"));
    json_t *mm = json_object();
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        if (json_object_get(m, keys[k]))
            json_object_set(mm, keys[k], json_object_get(m, keys[k]));
    json_object_set_new(o, "metrics", mm);
    json_object_set(o, "trades_total", json_object_get(doc, "trades_total"));
    if (json_object_get(doc, "next_runs")) /* ready run_backtest arguments */
        json_object_set(o, "next_runs", json_object_get(doc, "next_runs"));
    json_object_set_new(o, "more",
                        json_string("structuredContent has the whole result document; "
                                    "get_backtest with this id returns it as text"));
    char *text = slab_json_dumps(o, JSON_INDENT(1));
    json_decref(o);
    return text;
}

/* tools/call: the result, or NULL with *code and *msg set (a protocol error). */
static json_t *tools_call(srv *s, json_t *params, int *code, const char **msg)
{
    const char *name = json_string_value(json_object_get(params, "name"));
    json_t *args = json_object_get(params, "arguments");
    const mcp_tool *t = NULL;
    srv_reply r;
    for (size_t k = 0; name && k < N_TOOLS && !t; k++)
        if (!strcmp(tools[k].name, name))
            t = &tools[k];
    if (!t) {
        *code = -32602;
        *msg = "unknown tool: tools/list gives the names";
        return NULL;
    }
    if (args && !json_is_object(args)) {
        *code = -32602;
        *msg = "arguments must be an object";
        return NULL;
    }
    json_t *empty = args ? NULL : json_object();
    memset(&r, 0, sizeof r);
    t->call(s, args ? args : empty, &r);
    json_decref(empty);
    srv_scrub(s, &r);
    json_t *doc = r.body ? json_loads(r.body, 0, NULL) : NULL;
    char *brief = t->call == call_backtest && r.status < 400 ? run_brief(doc) : NULL;
    json_t *res =
        json_pack("{s:[{s:s,s:s}],s:o,s:b}", "content", "type", "text", "text",
                  brief    ? brief
                  : r.body ? r.body
                           : "",
                  "structuredContent", doc ? doc : json_object(), "isError", r.status >= 400);
    slab_free(brief);
    slab_free(r.body);
    return res;
}

/* Answers one message; NULL for a notification. */
static json_t *handle(srv *s, json_t *msg)
{
    json_t *id = json_object_get(msg, "id");
    const char *method = json_string_value(json_object_get(msg, "method"));
    json_t *params = json_object_get(msg, "params");
    if (!json_is_object(msg) || !method) {
        if (json_is_object(msg) && !method && id) /* a response to us: we send no requests */
            return NULL;
        return rpc_error(id, -32600,
                         "invalid request: expected a JSON-RPC 2.0 object with a method");
    }
    if (!id) /* notifications: initialized, cancelled: nothing to answer */
        return NULL;
    if (!strcmp(method, "initialize"))
        return rpc_result(
            id,
            json_pack("{s:s,s:{s:{s:b}},s:{s:s,s:s,s:s},s:s}", "protocolVersion", MCP_PROTOCOL,
                      "capabilities", "tools", "listChanged", 0, "serverInfo", "name", "stratlab",
                      "title", "stratlab backtests", "version", SLAB_VERSION, "instructions",
                      "Backtests with backtrader's exact numbers. list_strategies and "
                      "list_indicators say what exists; run_backtest runs a built-in, spec "
                      "or saved strategy on stored symbols and returns the result document "
                      "with an id; get_backtest re-reads it; compare_backtests ranks runs."));
    if (!strcmp(method, "ping"))
        return rpc_result(id, json_object());
    if (!strcmp(method, "tools/list"))
        return rpc_result(id, tools_list());
    if (!strcmp(method, "tools/call")) {
        int code = 0;
        const char *m = NULL;
        json_t *res = tools_call(s, params, &code, &m);
        return res ? rpc_result(id, res) : rpc_error(id, code, m);
    }
    return rpc_error(id, -32601, "method not found");
}

/* Reads one line (without its newline) into *buf, growing it up to
 * MCP_LINE_MAX bytes; a longer line is read to its end and dropped
 * (*too_long = 1). Returns its length, or -1 at the end of input. */
static ssize_t read_line(FILE *in, char **buf, size_t *cap, int *too_long)
{
    size_t n = 0;
    int ch, any = 0;
    *too_long = 0;
    while ((ch = getc(in)) != EOF) {
        any = 1;
        if (ch == '\n')
            break;
        if (*too_long)
            continue;
        if (n + 1 >= *cap) {
            size_t nc = *cap ? *cap * 2 : 4096;
            char *p = n + 1 >= MCP_LINE_MAX ? NULL : slab_realloc(*buf, nc);
            if (!p) {
                *too_long = 1;
                continue;
            }
            *buf = p;
            *cap = nc;
        }
        (*buf)[n++] = (char)ch;
    }
    if (!any)
        return -1;
    if (*buf)
        (*buf)[n] = '\0';
    return (ssize_t)n;
}

slab_status slab_mcp_run(const slab_server_config *c, FILE *in, FILE *out, slab_error *err)
{
    srv s;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int too_long;
    slab_status rc = srv_open(&s, c, err);
    if (rc != SLAB_OK) {
        srv_close(&s);
        return rc;
    }
    while ((n = read_line(in, &line, &cap, &too_long)) >= 0) {
        json_error_t je;
        if (too_long) {
            send_msg(out, rpc_error(NULL, -32700, "message too large (8 MiB at most)"));
            continue;
        }
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        json_t *msg = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES, &je);
        if (!msg) {
            send_msg(out, rpc_error(NULL, -32700, "parse error: not JSON"));
            continue;
        }
        json_t *reply = handle(&s, msg);
        json_decref(msg);
        if (reply)
            send_msg(out, reply);
    }
    slab_free(line);
    srv_close(&s);
    return SLAB_OK;
}
