/* fuzz_mcp.c: libFuzzer harness for the MCP server (src/server/mcp.c): the
 * input is a stdin session (JSON-RPC 2.0 messages, one per line) for
 * slab_mcp_run over a temporary store holding one sample series (SMPL, 300
 * daily bars), so a well-formed run_backtest runs. Checks beyond
 * ASan+UBSan, from docs/service.md ("stdout carries only JSON-RPC
 * messages; a failed call is a result with isError, never a crash"): every
 * output line is one JSON object with "jsonrpc": "2.0" and exactly one of
 * "result" and "error" (an error with an integer code and a message); no
 * line names the store's folder. Seeds: fuzz/corpus/mcp (a session each).
 * Run: scripts/fuzz.sh mcp SECONDS. The store persists across inputs. */
#include "fuzz_store.h"
#include "stratlab/server.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_store_make("fuzz_mcp");
    return 0;
}

static int sent_dir; /* an input named the folder: it may come back */

static void fail(const char *what, const char *line, size_t n)
{
    fprintf(stderr, "fuzz_mcp: %s\n--- line (%zu bytes) ---\n%.*s\n", what, n,
            (int)(n < 4000 ? n : 4000), line);
    abort();
}

static void check_line(const char *line, size_t n)
{
    json_error_t je;
    json_t *m = json_loadb(line, n, 0, &je);
    if (!json_is_object(m))
        fail("an output line that is not one JSON object", line, n);
    if (!json_is_string(json_object_get(m, "jsonrpc")) ||
        strcmp(json_string_value(json_object_get(m, "jsonrpc")), "2.0"))
        fail("a message without \"jsonrpc\": \"2.0\"", line, n);
    json_t *res = json_object_get(m, "result"), *e = json_object_get(m, "error");
    if (!res == !e)
        fail("a reply with both or neither of result and error", line, n);
    if (e && (!json_is_integer(json_object_get(e, "code")) ||
              !json_is_string(json_object_get(e, "message"))))
        fail("an error without an integer code and a message", line, n);
    if (!sent_dir && fuzz_names_dir(line, n))
        fail("a message names the store's folder", line, n);
    json_decref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    slab_server_config c;
    slab_error err;
    char *out = NULL;
    size_t out_len = 0;
    if (size == 0 || size > (1u << 20))
        return 0;
    sent_dir |= fuzz_names_dir((const char *)data, size);
    FILE *in = fmemopen((void *)data, size, "r");
    FILE *o = open_memstream(&out, &out_len);
    if (!in || !o)
        fuzz_die("fmemopen/open_memstream");
    slab_server_config_init(&c);
    c.db = fuzz_db;
    c.workers = 1;
    c.queue = 2;
    if (slab_mcp_run(&c, in, o, &err) != SLAB_OK) {
        fprintf(stderr, "fuzz_mcp: slab_mcp_run failed: %s\n", err.msg);
        abort();
    }
    fclose(in);
    fclose(o);
    for (char *p = out, *end = out + out_len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (!nl)
            fail("the last message does not end in a newline", p, n);
        check_line(p, n);
        p = nl + 1;
    }
    free(out);
    return 0;
}
