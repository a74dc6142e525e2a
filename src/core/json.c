/* json.c: the JSON writer every stratlab document goes through (jansson's
 * layout, shortest round-trip reals) and the JSON form of an error.
 * Invariant: for a tree without reals the text is byte for byte what
 * json_dumps() gives with the same flags (test_json checks it). */
#include "stratlab/json.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define OUT_MAX ((size_t)1 << 31) /* the largest document written (2 GiB) */

/* Bytes a writer to a file holds before writing them out. */
#define OUT_FLUSH ((size_t)1 << 16)

/* A growable output buffer; failed = 1 once an allocation (or a write to
 * f) failed. With f, the text goes to f in pieces of about OUT_FLUSH
 * bytes, so a large document is never held whole as text. */
typedef struct out {
    slab_json_text t; /* the text (json.h): all of it, or what f has not had yet */
    FILE *f;
    const slab_json_lazy *lazy; /* arrays made while written, n_lazy */
    size_t n_lazy;
} out;

/* Writes o's buffer out to o->f (when writing to a file). */
static void flush(out *o)
{
    if (!o->f || o->t.failed || o->t.n == 0)
        return;
    if (fwrite(o->t.s, 1, o->t.n, o->f) != o->t.n)
        o->t.failed = 1;
    o->t.n = 0;
}

static void put(out *o, const char *s, size_t n)
{
    if (o->t.failed)
        return;
    if (o->f && o->t.n + n + 1 > OUT_FLUSH)
        flush(o);
    if (o->t.n + n + 1 > o->t.cap) {
        size_t cap = o->t.cap ? o->t.cap : 4096;
        while (cap < o->t.n + n + 1 && cap < OUT_MAX)
            cap *= 2;
        char *p = cap >= o->t.n + n + 1 ? slab_realloc(o->t.s, cap) : NULL;
        if (!p) {
            o->t.failed = 1;
            return;
        }
        o->t.s = p;
        o->t.cap = cap;
    }
    memcpy(o->t.s + o->t.n, s, n);
    o->t.n += n;
    o->t.s[o->t.n] = '\0';
}

static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

/* jansson's dump_indent: a newline and depth * indent spaces when
 * indenting, else one space where space is asked for (not compact). */
static void indent(out *o, size_t flags, int depth, int space)
{
    int n = (int)(flags & 0x1F);
    if (n > 0) {
        put(o, "\n", 1);
        for (int i = 0; i < n * depth; i++)
            put(o, " ", 1);
    } else if (space && !(flags & JSON_COMPACT)) {
        put(o, " ", 1);
    }
}

/* A JSON string: quotes, backslash, the short escapes, \uXXXX for the
 * other control characters; UTF-8 passes through (jansson's rules). */
static void string(out *o, const char *s, size_t len)
{
    size_t a = 0;
    put(o, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[8];
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                snprintf(u, sizeof u, "\\u%04X", c);
                esc = u;
            }
        }
        if (!esc)
            continue;
        put(o, s + a, i - a);
        puts_(o, esc);
        a = i + 1;
    }
    put(o, s + a, len - a);
    put(o, "\"", 1);
}

/* A real: the shortest round-trip text, ".0" added to a whole number so
 * that it reads back as a real. */
static void real(out *o, double x)
{
    char buf[SLAB_NUM_TEXT_MAX + 4];
    slab_num_format(x, buf, SLAB_NUM_TEXT_MAX);
    if (!strpbrk(buf, ".en"))
        strcat(buf, ".0");
    puts_(o, buf);
}

/* jansson's text of a real (its dump at the default precision): "%.17g",
 * ".0" added when there is neither a point nor an exponent, the exponent
 * without its '+' and leading zeros. Remembered per thread by the bits:
 * a sweep's run ids print the same few reals (cash, commission, the swept
 * values) on every line, and "%.17g" costs half a microsecond. */
static void real17(out *o, double x)
{
    enum { MEMO = 16 };
    static _Thread_local struct {
        uint64_t bits;
        unsigned char len; /* 0: empty */
        char text[39];
    } memo[MEMO];
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    unsigned h = (unsigned)((b * 0x9E3779B97F4A7C15ULL) >> 60) % MEMO;
    if (memo[h].len && memo[h].bits == b) {
        put(o, memo[h].text, memo[h].len);
        return;
    }
    char buf[40];
    int n = snprintf(buf, 32, "%.17g", x);
    if (n < 0 || n >= 32) {
        o->t.failed = 1;
        return;
    }
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    char *e = strchr(buf, 'e');
    if (e) { /* e+07 -> e7, e-07 -> e-7 */
        char *from = e + 1, *to = e + 1;
        if (*from == '-')
            to = ++from;
        else if (*from == '+')
            from++;
        while (*from == '0' && from[1])
            from++;
        memmove(to, from, strlen(from) + 1);
        n = (int)strlen(buf);
    }
    memo[h].bits = b;
    memo[h].len = (unsigned char)n;
    memcpy(memo[h].text, buf, (size_t)n);
    put(o, buf, (size_t)n);
}

/* v in decimal, as "%lld" prints it. */
static void integer(out *o, long long v)
{
    char buf[24];
    size_t k = sizeof buf;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--k] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (v < 0)
        buf[--k] = '-';
    put(o, buf + k, sizeof buf - k);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void value(out *o, const json_t *j, size_t flags, int depth);

static void object(out *o, const json_t *j, size_t flags, int depth)
{
    size_t n = json_object_size(j), k = 0;
    const char *key;
    json_t *v;
    if (n == 0) {
        puts_(o, "{}");
        return;
    }
    if (!(flags & JSON_SORT_KEYS)) { /* jansson's own order: no key list to build */
        put(o, "{", 1);
        indent(o, flags, depth + 1, 0);
        json_object_foreach((json_t *)j, key, v) {
            string(o, key, strlen(key));
            puts_(o, flags & JSON_COMPACT ? ":" : ": ");
            value(o, v, flags, depth + 1);
            if (++k < n) {
                put(o, ",", 1);
                indent(o, flags, depth + 1, 1);
            }
        }
        indent(o, flags, depth, 0);
        put(o, "}", 1);
        return;
    }
    const char **keys = slab_malloc(n * sizeof *keys);
    if (!keys) {
        o->t.failed = 1;
        return;
    }
    json_object_foreach((json_t *)j, key, v) keys[k++] = key;
    qsort(keys, n, sizeof *keys, key_cmp);
    put(o, "{", 1);
    indent(o, flags, depth + 1, 0);
    for (k = 0; k < n; k++) {
        string(o, keys[k], strlen(keys[k]));
        puts_(o, flags & JSON_COMPACT ? ":" : ": ");
        value(o, json_object_get(j, keys[k]), flags, depth + 1);
        if (k + 1 < n) {
            put(o, ",", 1);
            indent(o, flags, depth + 1, 1);
        }
    }
    indent(o, flags, depth, 0);
    put(o, "}", 1);
    slab_free(keys);
}

/* The lazy array standing at j, or NULL. */
static const slab_json_lazy *lazy_at(const out *o, const json_t *j)
{
    for (size_t k = 0; k < o->n_lazy; k++)
        if (o->lazy[k].at == j)
            return &o->lazy[k];
    return NULL;
}

/* Item k of an array: j's own, or made by lz (written, then freed). */
static void item(out *o, const json_t *j, const slab_json_lazy *lz, size_t k, size_t flags,
                 int depth)
{
    if (!lz) {
        value(o, json_array_get(j, k), flags, depth);
        return;
    }
    json_t *x = lz->item(lz->user, k);
    if (!x) {
        o->t.failed = 1;
        return;
    }
    value(o, x, flags, depth);
    json_decref(x);
}

static void array(out *o, const json_t *j, size_t flags, int depth)
{
    const slab_json_lazy *lz = json_array_size(j) ? NULL : lazy_at(o, j);
    size_t n = lz ? lz->n : json_array_size(j);
    if (n == 0) {
        puts_(o, "[]");
        return;
    }
    put(o, "[", 1);
    indent(o, flags, depth + 1, 0);
    for (size_t k = 0; k < n; k++) {
        item(o, j, lz, k, flags, depth + 1);
        if (k + 1 < n) {
            put(o, ",", 1);
            indent(o, flags, depth + 1, 1);
        }
    }
    indent(o, flags, depth, 0);
    put(o, "]", 1);
}

static void value(out *o, const json_t *j, size_t flags, int depth)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT: object(o, j, flags, depth); break;
    case JSON_ARRAY: array(o, j, flags, depth); break;
    case JSON_STRING: string(o, json_string_value(j), json_string_length(j)); break;
    case JSON_INTEGER: integer(o, (long long)json_integer_value(j)); break;
    case JSON_REAL:
        if (flags & SLAB_JSON_REAL17)
            real17(o, json_real_value(j));
        else
            real(o, json_real_value(j));
        break;
    case JSON_TRUE: puts_(o, "true"); break;
    case JSON_FALSE: puts_(o, "false"); break;
    case JSON_NULL: puts_(o, "null"); break;
    }
}

char *slab_json_dumps(const json_t *j, size_t flags)
{
    out o = {0};
    if (!j || (!(flags & JSON_ENCODE_ANY) && !json_is_object(j) && !json_is_array(j)))
        return NULL;
    value(&o, j, flags, 0);
    if (o.t.failed) {
        slab_free(o.t.s);
        return NULL;
    }
    return o.t.s;
}

/* The public text's calls: an out over t's text, given back after. */
#define ON_TEXT(t, call)                                                                           \
    do {                                                                                           \
        out o_ = {.t = *(t)};                                                                      \
        call;                                                                                      \
        *(t) = o_.t;                                                                               \
    } while (0)

void slab_json_text_raw(slab_json_text *t, const char *s, size_t n) { ON_TEXT(t, put(&o_, s, n)); }

void slab_json_text_string(slab_json_text *t, const char *s)
{
    ON_TEXT(t, string(&o_, s, strlen(s)));
}

void slab_json_text_real(slab_json_text *t, double x)
{
    if (!isfinite(x))
        t->failed = 1; /* no JSON for it: the tree could not hold it either */
    else
        ON_TEXT(t, real(&o_, x));
}

void slab_json_text_integer(slab_json_text *t, long long v) { ON_TEXT(t, integer(&o_, v)); }

void slab_json_text_value(slab_json_text *t, const json_t *j, size_t flags)
{
    if (!j)
        t->failed = 1;
    else
        ON_TEXT(t, value(&o_, j, flags, 0));
}

int slab_json_dumpf(const json_t *j, FILE *f, size_t flags)
{
    return slab_json_dumpf_lazy(j, f, flags, NULL, 0);
}

int slab_json_dumpf_lazy(const json_t *j, FILE *f, size_t flags, const slab_json_lazy *lazy,
                         size_t n_lazy)
{
    out o = {0};
    o.f = f;
    o.lazy = lazy;
    o.n_lazy = n_lazy;
    if (!j || (!(flags & JSON_ENCODE_ANY) && !json_is_object(j) && !json_is_array(j)))
        return -1;
    value(&o, j, flags, 0);
    flush(&o);
    slab_free(o.t.s);
    return o.t.failed ? -1 : 0;
}

slab_status slab_json_dump_file(const json_t *j, const char *path, size_t flags, slab_error *err)
{
    /* the whole text first: a failure leaves no half-written file */
    char *s = slab_json_dumps(j, flags);
    FILE *f;
    if (!s)
        return slab_error_fail(err, SLAB_EC_OUT_OF_MEMORY, path, "out of memory writing JSON");
    if (!(f = fopen(path, "w"))) {
        slab_free(s);
        return slab_error_fail(err, SLAB_EC_WRITE_FAILED, path, "cannot create: %s", strerror(errno));
    }
    int bad = fputs(s, f) < 0;
    slab_free(s);
    if (fclose(f) != 0 || bad)
        return slab_error_fail(err, SLAB_EC_WRITE_FAILED, path, "write failed: %s", strerror(errno));
    return SLAB_OK;
}

/* ---- errors ----------------------------------------------------------------- */

/* Sets key to a new string of s (skipped when s is empty). */
/* A JSON string of s[0..n): as it is when it is valid UTF-8, else shown
 * the slab_text_show way (bytes that are not UTF-8 as \xNN), so a message
 * quoting a hostile byte keeps its place in the document. */
static json_t *text_json(const char *s, size_t n)
{
    char shown[4 * SLAB_ERR_MSG_MAX];
    json_t *j = json_stringn(s, n);
    return j ? j : json_string(slab_text_show(s, n, shown, sizeof shown));
}

static void set_str(json_t *o, const char *key, const char *s)
{
    if (s && *s)
        json_object_set_new(o, key, text_json(s, strlen(s)));
}

/* "a, b, c" as ["a", "b", "c"]. */
static json_t *list(const char *s)
{
    json_t *a = json_array();
    while (a && *s) {
        const char *comma = strstr(s, ", ");
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        json_array_append_new(a, text_json(s, n));
        s += n + (comma ? 2 : 0);
    }
    return a;
}

/* The file part of a "path:line[:col]" location. */
static void file_part(const slab_error *err, char *buf, size_t n)
{
    snprintf(buf, n, "%s", err->where);
    for (int k = (err->line > 0) + (err->col > 0); k > 0; k--) {
        char *colon = strrchr(buf, ':');
        if (colon)
            *colon = '\0';
    }
}

json_t *slab_error_json(const slab_error *err)
{
    const slab_errcode_def *d = slab_errcode_get(slab_error_code(err));
    char file[SLAB_ERR_WHERE_MAX];
    json_t *o = json_object();
    if (!o)
        return NULL;
    set_str(o, "code", d->name);
    set_str(o, "class", slab_errclass_name(d->klass));
    set_str(o, "status", slab_status_str(err->code));
    set_str(o, "message", err->msg[0] ? err->msg : d->summary);
    if (err->where[0]) {
        set_str(o, "where", err->where);
        switch (err->where_kind) {
        case SLAB_WHERE_FILE:
            file_part(err, file, sizeof file);
            set_str(o, "file", file);
            if (err->line > 0)
                json_object_set_new(o, "line", json_integer(err->line));
            if (err->col > 0)
                json_object_set_new(o, "column", json_integer(err->col));
            break;
        case SLAB_WHERE_OPTION: set_str(o, "option", err->where); break;
        case SLAB_WHERE_POINTER: set_str(o, "pointer", err->where); break;
        default: break;
        }
    }
    set_str(o, "fix", slab_error_fix_text(err));
    set_str(o, "did_you_mean", err->suggest);
    if (err->choices[0])
        json_object_set_new(o, "choices", list(err->choices));
    return o;
}
