/* jscan.c: a small JSON scanner that runs before jansson builds the tree.
 * It enforces the spec limits (nesting, items, string length, numbers that
 * fit a double, UTF-8) so hostile text is refused before it costs memory,
 * and says what is wrong at line:column in words a person can act on
 * (NaN, comments, single quotes, trailing commas). It also locates the
 * value a JSON pointer names, so every later problem gets a line and
 * column too. Recursion depth is bounded by SLAB_SPEC_MAX_DEPTH. */
#include "spec/spec_int.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct js {
    const char *text, *p, *end;
    int depth;
    int failed;
    slab_diags *d;
} js;

void slab__jscan_linecol(const char *text, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        unsigned char ch = (unsigned char)text[i];
        if (ch == '\n') {
            l++;
            c = 1;
        } else if ((ch & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

static int fail(js *s, const char *at, const char *code, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fail(js *s, const char *at, const char *code, const char *fix, const char *fmt, ...)
{
    va_list ap;
    if (s->failed++)
        return -1;
    size_t before = s->d->n;
    va_start(ap, fmt);
    slab__vdiag(s->d, SLAB_DIAG_ERROR, code, "", 0, fix, fmt, ap);
    va_end(ap);
    if (s->d->n > before) {
        slab_diag *g = &s->d->items[s->d->n - 1];
        slab__jscan_linecol(s->text, (size_t)(at - s->text), &g->line, &g->column);
    }
    return -1;
}

static void ws(js *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* A short printable description of what is at p, for messages. */
static const char *found(const js *s, const char *p, char *buf, size_t n)
{
    if (p >= s->end)
        return "the end of the text";
    size_t k = 0;
    while (p + k < s->end && k < 12 && (isalnum((unsigned char)p[k]) || p[k] == '_'))
        k++;
    if (k == 0)
        snprintf(buf, n, (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f ? "byte 0x%02x" : "'%c'",
                 (unsigned char)*p);
    else
        snprintf(buf, n, "'%.*s'", (int)k, p);
    return buf;
}

/* Length of a valid UTF-8 sequence at p (1..4), 0 when invalid. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
    int n;
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (end - p < n)
        return 0;
    for (int k = 1; k < n; k++)
        if ((p[k] & 0xC0) != 0x80)
            return 0;
    if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0)))
        return 0; /* overlong, or a UTF-16 surrogate */
    if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90)))
        return 0;
    return n;
}

static int string(js *s)
{
    const char *start = s->p++;
    while (s->p < s->end && *s->p != '"') {
        unsigned char c = (unsigned char)*s->p;
        if ((size_t)(s->p - start) > SLAB_SPEC_MAX_STRING)
            return fail(s, start, "json_limit", "keep strings short; an expression is a line",
                        "a string longer than %d bytes", SLAB_SPEC_MAX_STRING);
        if (c < 0x20)
            return fail(s, s->p, "json_syntax",
                        "write the character escaped (\\n, \\t, \\u00XX), or close the string "
                        "with \"",
                        c == '\n' ? "a line break inside a string (unterminated string?)"
                                  : "a raw control character inside a string");
        if (c == '\\') {
            s->p++;
            if (s->p >= s->end)
                break;
            if (*s->p == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (s->p + k >= s->end || !isxdigit((unsigned char)s->p[k]))
                        return fail(s, s->p - 1, "json_syntax", "write \\u and four hex digits",
                                    "a bad \\u escape in a string");
                s->p += 5;
                continue;
            }
            if (!strchr("\"\\/bfnrt", *s->p))
                return fail(s, s->p - 1, "json_syntax",
                            "escape only \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX; for a "
                            "backslash write \\\\",
                            (unsigned char)*s->p < 0x80 && isprint((unsigned char)*s->p)
                                ? "a bad escape '\\%c' in a string"
                                : "a bad escape in a string (a backslash before byte 0x%02X)",
                            (unsigned char)*s->p);
            s->p++;
            continue;
        }
        int n = utf8_len((const unsigned char *)s->p, (const unsigned char *)s->end);
        if (!n)
            return fail(s, s->p, "json_syntax", "save the file as UTF-8",
                        "the text is not valid UTF-8 (byte 0x%02x)", c);
        s->p += n;
    }
    if (s->p >= s->end)
        return fail(s, start, "json_syntax", "close the string with \"",
                    "a string that never ends");
    s->p++;
    return 0;
}

static int number(js *s)
{
    const char *start = s->p;
    char buf[400];
    if (*s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0') {
        s->p++;
        if (s->p < s->end && isdigit((unsigned char)*s->p))
            return fail(s, start, "json_syntax", "write the number without leading zeros",
                        "a number with a leading zero");
    } else if (s->p < s->end && isdigit((unsigned char)*s->p)) {
        while (s->p < s->end && isdigit((unsigned char)*s->p))
            s->p++;
    } else {
        if (s->p + 3 <= s->end && !strncmp(s->p, "Inf", 3))
            return fail(s, start, "json_syntax",
                        "JSON has no infinity; give a finite number or leave the field out",
                        "-Infinity is not a JSON number");
        return fail(s, start, "json_syntax", "write digits after '-'", "a '-' without digits");
    }
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (s->p >= s->end || !isdigit((unsigned char)*s->p))
            return fail(s, start, "json_syntax", "write digits after the point (1.0, not 1.)",
                        "a number ending in '.'");
        while (s->p < s->end && isdigit((unsigned char)*s->p))
            s->p++;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        if (s->p >= s->end || !isdigit((unsigned char)*s->p))
            return fail(s, start, "json_syntax", "write the exponent's digits (1e5)",
                        "a number with an empty exponent");
        while (s->p < s->end && isdigit((unsigned char)*s->p))
            s->p++;
    }
    size_t len = (size_t)(s->p - start);
    if (len >= sizeof buf)
        return fail(s, start, "json_limit", "write the number with at most 17 significant digits",
                    "a number written with %zu characters", len);
    memcpy(buf, start, len);
    buf[len] = '\0';
    if (!isfinite(strtod(buf, NULL)))
        return fail(s, start, "json_number", "give a number a double can hold (|x| < 1.8e308)",
                    "the number %s is too large for a double", buf);
    return 0;
}

static int value(js *s);

/* The keys seen in one object (spans of the text, quotes included). */
typedef struct keyset {
    const char **at;
    size_t *len;
    size_t n, cap;
} keyset;

/* Records a key; fails when the object already has it. */
static int remember_key(js *s, keyset *k, const char *key, size_t len)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->len[i] == len && !memcmp(k->at[i], key, len))
            return fail(s, key, "json_duplicate_key", "keep one of them (JSON keeps only the last)",
                        "the key %.*s is given twice in one object", len > 40 ? 40 : (int)len, key);
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        const char **at = slab_realloc(k->at, cap * sizeof *at);
        if (at)
            k->at = at;
        size_t *ln = at ? slab_realloc(k->len, cap * sizeof *ln) : NULL;
        if (!at || !ln)
            return fail(s, key, "out_of_memory", "try again with more memory",
                        "out of memory reading the spec");
        k->len = ln;
        k->cap = cap;
    }
    k->at[k->n] = key;
    k->len[k->n++] = len;
    return 0;
}

static int members(js *s, char close, keyset *keys);

/* Members of an object or elements of an array, after the opening bracket. */
static int container(js *s, char close)
{
    keyset keys = {NULL, NULL, 0, 0};
    int r = members(s, close, &keys);
    slab_free(keys.at);
    slab_free(keys.len);
    return r;
}

static int members(js *s, char close, keyset *k)
{
    keyset *const keys_p = k;
    const char *open = s->p - 1;
    long count = 0;
    char what[32];
    if (++s->depth > SLAB_SPEC_MAX_DEPTH)
        return fail(s, open, "json_limit", "a spec nests a few levels; flatten the structure",
                    "nesting deeper than %d levels", SLAB_SPEC_MAX_DEPTH);
    ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return 0;
    }
    for (;;) {
        ws(s);
        if (++count > SLAB_SPEC_MAX_ITEMS)
            return fail(s, open, "json_limit", "split the data or keep lists short",
                        "more than %d %s in one %s", SLAB_SPEC_MAX_ITEMS,
                        close == '}' ? "members" : "elements", close == '}' ? "object" : "array");
        if (close == '}') {
            if (s->p < s->end && *s->p == '/')
                return fail(s, s->p, "json_syntax",
                            "remove the comment (use a \"description\" field)",
                            "JSON has no comments");
            if (s->p < s->end && *s->p == '\'')
                return fail(s, s->p, "json_syntax", "use double quotes: \"name\"",
                            "object keys are in double quotes, not single quotes");
            if (s->p >= s->end || *s->p != '"') {
                if (s->p < s->end && *s->p == '}')
                    return fail(s, s->p, "json_syntax", "remove the comma before '}'",
                                "a trailing comma before '}'");
                return fail(s, s->p, "json_syntax", "write the key in double quotes",
                            "expected an object key in double quotes, found %s",
                            found(s, s->p, what, sizeof what));
            }
            const char *key = s->p;
            if (string(s))
                return -1;
            if (remember_key(s, keys_p, key, (size_t)(s->p - key)))
                return -1;
            ws(s);
            if (s->p >= s->end || *s->p != ':')
                return fail(s, s->p, "json_syntax", "put ':' between a key and its value",
                            "expected ':' after the key, found %s", found(s, s->p, what, sizeof what));
            s->p++;
        } else if (s->p < s->end && *s->p == ']' && count > 1) {
            return fail(s, s->p, "json_syntax", "remove the comma before ']'",
                        "a trailing comma before ']'");
        }
        if (value(s))
            return -1;
        ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == close) {
            s->p++;
            s->depth--;
            return 0;
        }
        if (s->p >= s->end)
            return fail(s, open, "json_syntax",
                        close == '}' ? "close the object with '}'" : "close the array with ']'",
                        "the text ends inside this %s", close == '}' ? "object" : "array");
        return fail(s, s->p, "json_syntax", "separate items with ',' (and check the brackets)",
                    "expected ',' or '%c', found %s", close, found(s, s->p, what, sizeof what));
    }
}

static int value(js *s)
{
    char what[32];
    ws(s);
    if (s->p >= s->end)
        return fail(s, s->p, "json_syntax", "complete the document",
                    "the text ends where a value was expected");
    switch (*s->p) {
    case '{': s->p++; return container(s, '}');
    case '[': s->p++; return container(s, ']');
    case '"': return string(s);
    case '\'':
        return fail(s, s->p, "json_syntax", "use double quotes: \"text\"",
                    "strings are in double quotes, not single quotes");
    case '/':
        return fail(s, s->p, "json_syntax", "remove the comment (use a \"description\" field)",
                    "JSON has no comments");
    default: break;
    }
    if (*s->p == '-' || isdigit((unsigned char)*s->p))
        return number(s);
    static const char *const lits[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(lits[k]);
        if ((size_t)(s->end - s->p) >= l && !memcmp(s->p, lits[k], l) &&
            (s->p + l == s->end || !isalnum((unsigned char)s->p[l]))) {
            s->p += l;
            return 0;
        }
    }
    if ((size_t)(s->end - s->p) >= 3 && (!strncmp(s->p, "NaN", 3) || !strncmp(s->p, "nan", 3)))
        return fail(s, s->p, "json_number",
                    "JSON has no NaN; give a number, or null, or leave the field out",
                    "NaN is not a JSON number");
    if ((size_t)(s->end - s->p) >= 8 && !strncmp(s->p, "Infinity", 8))
        return fail(s, s->p, "json_number",
                    "JSON has no infinity; give a finite number or leave the field out",
                    "Infinity is not a JSON number");
    if ((size_t)(s->end - s->p) >= 4 && (!strncmp(s->p, "True", 4) || !strncmp(s->p, "None", 4)))
        return fail(s, s->p, "json_syntax", "JSON writes true, false and null in lower case",
                    "%s is Python, not JSON", found(s, s->p, what, sizeof what));
    return fail(s, s->p, "json_syntax", "check the quotes and brackets around this point",
                "expected a value (object, array, string, number, true, false or null), found %s",
                found(s, s->p, what, sizeof what));
}

int slab__jscan_check(const char *text, size_t len, slab_diags *d)
{
    js s = {text, text, text + len, 0, 0, d};
    char what[32];
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        s.p += 3;
    ws(&s);
    if (s.p >= s.end)
        return fail(&s, text, "json_syntax", "write the spec as one JSON object {...}",
                    "the spec is empty");
    const char *start = s.p;
    if (value(&s))
        return -1;
    ws(&s);
    if (s.p < s.end)
        return fail(&s, s.p, "json_syntax",
                    "remove what follows the closing '}' (or merge it into the object)",
                    "text after the end of the JSON document: %s", found(&s, s.p, what, sizeof what));
    if (*start != '{')
        return fail(&s, start, "json_schema", "write the spec as one JSON object {...}",
                    "the spec must be a JSON object");
    return 0;
}

/* ---- locator --------------------------------------------------------- */

static void skip_ws(const char **p, const char *end)
{
    while (*p < end && (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r'))
        (*p)++;
}

/* Skips one value of valid JSON (depth bounded by the pre-scan). */
static void skip_value(const char **p, const char *end)
{
    skip_ws(p, end);
    if (*p >= end)
        return;
    char c = **p;
    if (c == '"') {
        for ((*p)++; *p < end && **p != '"'; (*p)++)
            if (**p == '\\')
                (*p)++;
        (*p)++;
        return;
    }
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        (*p)++;
        skip_ws(p, end);
        if (*p < end && **p == close) {
            (*p)++;
            return;
        }
        for (;;) {
            if (close == '}') {
                skip_value(p, end); /* key */
                skip_ws(p, end);
                (*p)++; /* ':' */
            }
            skip_value(p, end);
            skip_ws(p, end);
            if (*p >= end)
                return;
            if (**p == ',') {
                (*p)++;
                continue;
            }
            (*p)++;
            return;
        }
    }
    while (*p < end && !strchr(",]} \t\r\n", **p))
        (*p)++;
}

/* Reads the key string at p (unescaping the simple escapes) into buf;
 * returns 0, or -1 when it does not fit. */
static int read_key(const char **p, const char *end, char *buf, size_t n)
{
    size_t k = 0;
    (*p)++;
    while (*p < end && **p != '"') {
        char c = **p;
        if (c == '\\' && *p + 1 < end) {
            (*p)++;
            c = **p == 'n' ? '\n' : **p == 't' ? '\t' : **p;
            if (**p == 'u') { /* rare in keys: keep it unmatched */
                c = '?';
                *p += 4;
            }
        }
        if (k + 1 < n)
            buf[k++] = c;
        (*p)++;
    }
    (*p)++;
    buf[k] = '\0';
    return k + 1 < n ? 0 : -1;
}

/* The next reference token of pointer at *ptr, unescaped (~1 -> /, ~0 -> ~). */
static int next_token(const char **ptr, char *tok, size_t n)
{
    size_t k = 0;
    if (**ptr != '/')
        return -1;
    (*ptr)++;
    while (**ptr && **ptr != '/') {
        char c = **ptr;
        if (c == '~' && ((*ptr)[1] == '0' || (*ptr)[1] == '1')) {
            c = (*ptr)[1] == '0' ? '~' : '/';
            (*ptr)++;
        }
        if (k + 1 >= n)
            return -1;
        tok[k++] = c;
        (*ptr)++;
    }
    tok[k] = '\0';
    return 0;
}

int slab__jscan_locate(const char *text, size_t len, const char *pointer, int *line, int *col,
                       size_t *raw)
{
    const char *p = text, *end = text + len;
    char tok[128], key[128];
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        p += 3;
    skip_ws(&p, end);
    while (*pointer) {
        if (next_token(&pointer, tok, sizeof tok))
            return -1;
        skip_ws(&p, end);
        if (p >= end)
            return -1;
        if (*p == '{') {
            int hit = 0;
            p++;
            skip_ws(&p, end);
            while (p < end && *p == '"') {
                int ok = read_key(&p, end, key, sizeof key) == 0;
                skip_ws(&p, end);
                p++; /* ':' */
                skip_ws(&p, end);
                if (ok && !strcmp(key, tok)) {
                    hit = 1;
                    break;
                }
                skip_value(&p, end);
                skip_ws(&p, end);
                if (p < end && *p == ',')
                    p++;
                skip_ws(&p, end);
            }
            if (!hit)
                return -1;
        } else if (*p == '[') {
            char *e;
            long idx = strtol(tok, &e, 10);
            if (*e || idx < 0)
                return -1;
            p++;
            for (long k = 0; k < idx; k++) {
                skip_value(&p, end);
                skip_ws(&p, end);
                if (p >= end || *p != ',')
                    return -1;
                p++;
            }
            skip_ws(&p, end);
            if (p >= end || *p == ']')
                return -1;
        } else {
            return -1;
        }
    }
    skip_ws(&p, end);
    if (p > end)
        return -1;
    *raw = (size_t)(p - text);
    slab__jscan_linecol(text, *raw, line, col);
    return 0;
}
