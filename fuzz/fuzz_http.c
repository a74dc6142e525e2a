/* fuzz_http.c: libFuzzer harness for the HTTP service (src/server/): the
 * input is the raw bytes of one request (request line, headers, body) sent
 * over loopback to the real server (slab_server_run, libmicrohttpd, the
 * routes, the body parsers, the run options table), started once in this
 * process on an ephemeral port over a temporary store holding one sample
 * series (SMPL, 300 daily bars), so a well-formed POST /api/backtests runs.
 * Checks beyond ASan+UBSan, from docs/service.md: anything answered starts
 * with an HTTP status line; no 500 (an internal error is a defect: bad
 * input is a 4xx); a reply of ours (Content-Type: application/json) is one
 * JSON document, an error one with "error": {"code", "message"}; no reply
 * names the store's folder. Seeds: fuzz/corpus/http (one request each).
 * Run: scripts/fuzz.sh http SECONDS. Server state (saved strategies, stored
 * backtests) persists across inputs, as it does for a real server. */
#include "fuzz_store.h"
#include "stratlab/server.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define REPLY_MAX (4 << 20) /* bytes of a reply read back */

static int port;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static char *reply;

static void on_ready(int p, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    port = p;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static void *serve(void *arg)
{
    slab_server_config c;
    slab_error err;
    (void)arg;
    slab_server_config_init(&c);
    c.listen = "127.0.0.1:0";
    c.db = fuzz_db;
    c.workers = 1;
    c.queue = 4;
    c.queue_wait_s = 5;
    c.body_max = 64 * 1024;
    if (slab_server_run(&c, on_ready, NULL, &err) != SLAB_OK) {
        fprintf(stderr, "fuzz_http: the server did not start: %s\n", err.msg);
        exit(2);
    }
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    pthread_t t;
    (void)argc;
    (void)argv;
    fuzz_store_make("fuzz_http");
    if (!(reply = malloc(REPLY_MAX + 1)))
        fuzz_die("out of memory");
    if (pthread_create(&t, NULL, serve, NULL))
        fuzz_die("pthread_create");
    pthread_detach(t);
    pthread_mutex_lock(&mu);
    while (!port)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    return 0;
}

static void fail(const char *what, const char *text, size_t n)
{
    fprintf(stderr, "fuzz_http: %s\n--- reply (%zu bytes) ---\n%.*s\n", what, n,
            (int)(n < 4000 ? n : 4000), text);
    abort();
}

/* Sends data, half-closes, reads the whole reply; its length. */
static size_t exchange(const uint8_t *data, size_t size)
{
    struct sockaddr_in sa;
    struct timeval tv = {10, 0};
    size_t n = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        fuzz_die("socket");
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa))
        fuzz_die("connect");
    for (size_t off = 0; off < size;) {
        ssize_t w = send(fd, data + off, size - off, MSG_NOSIGNAL);
        if (w <= 0)
            break; /* the server closed early (a refused request): fine */
        off += (size_t)w;
    }
    shutdown(fd, SHUT_WR);
    for (;;) {
        ssize_t r = recv(fd, reply + n, REPLY_MAX - n, 0);
        if (r <= 0 || (n += (size_t)r) == REPLY_MAX)
            break;
    }
    close(fd);
    reply[n] = '\0';
    return n;
}

/* The value of header name in the head (CRLF lines), or NULL. */
static const char *header(const char *head, const char *end, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    for (const char *p = head; p && p < end;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol || eol > end)
            eol = end;
        if ((size_t)(eol - p) > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            *len = (size_t)(eol - v);
            return v;
        }
        p = eol + 2;
    }
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = exchange(data, size), ct_len = 0, cl_len = 0;
    if (!n)
        return 0; /* closed without an answer: libmicrohttpd's way with garbage */
    if (strncmp(reply, "HTTP/1.", 7))
        fail("the reply does not start with a status line", reply, n);
    int status = atoi(reply + 9);
    if (status < 100 || status > 599)
        fail("the status is not a number from 100 to 599", reply, n);
    if (status == 500)
        fail("500: an internal error (bad input must be a 4xx)", reply, n);
    static int sent_dir; /* a request named the folder: it may come back */
    sent_dir |= fuzz_names_dir((const char *)data, size);
    if (!sent_dir && fuzz_names_dir(reply, n))
        fail("the reply names the store's folder", reply, n);
    const char *end = strstr(reply, "\r\n\r\n");
    if (!end)
        return 0; /* cut by the reply cap or the timeout */
    const char *ct = header(reply, end, "Content-Type", &ct_len);
    const char *cl = header(reply, end, "Content-Length", &cl_len);
    if (!ct || ct_len < 16 || strncmp(ct, "application/json", 16) || !cl)
        return 0; /* libmicrohttpd's own answer (400, 413, ...) */
    const char *body = end + 4;
    size_t blen = strtoul(cl, NULL, 10);
    if (blen > (size_t)(reply + n - body))
        return 0; /* cut by the reply cap */
    json_error_t je;
    json_t *doc = json_loadb(body, blen, 0, &je);
    if (!doc)
        fail("a JSON reply that is not one JSON document", reply, n);
    if (status >= 400) {
        json_t *e = json_object_get(doc, "error");
        if (json_is_object(e) &&
            (!json_is_string(json_object_get(e, "code")) ||
             !json_is_string(json_object_get(e, "message"))))
            fail("an error document without code and message", reply, n);
        if (!json_is_object(e) && !json_is_false(json_object_get(doc, "success")))
            fail("an error reply that is neither an error document nor a script failure", reply,
                 n);
    }
    json_decref(doc);
    return 0;
}
