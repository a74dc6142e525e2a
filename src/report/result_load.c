/* result_load.c: reads a result document from a file for the report
 * commands (report.h, slab_result_load), fast on large ones: the per-bar
 * "series" (three arrays of a million numbers for 1M bars) is read by a
 * small scanner straight into arrays, and only the rest goes through
 * jansson, which would allocate a JSON value per number (over a second).
 * Invariant: the scanner either reads the series exactly as jansson would
 * (strtod, strtoll) or leaves the text alone, and jansson then reads the
 * whole document. The series text is cut out (replaced by null) before
 * jansson reads the rest, which it would otherwise scan byte by byte; the
 * line of a parse error after it is moved back by the lines cut. */
#include "stratlab/report.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void slab_series_free(slab_series *s)
{
    if (!s)
        return;
    slab_free(s->ts_s);
    slab_free(s->close);
    slab_free(s->value);
    slab_free(s);
}

static const char *ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

/* Past the string starting at p ('"'), or NULL when it does not end. */
static const char *skip_string(const char *p)
{
    for (p++; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* The end of the JSON value at p: the ',', '}' or ']' after it at its
 * own depth (not checked, only delimited), or NULL at the end of the text. */
static const char *skip_value(const char *p)
{
    int depth = 0;
    for (;;) {
        char c = *p;
        if (!c)
            return NULL;
        if (depth == 0 && (c == ',' || c == '}' || c == ']'))
            return p;
        if (c == '"') {
            if (!(p = skip_string(p)))
                return NULL;
            continue;
        }
        if (c == '{' || c == '[')
            depth++;
        else if (c == '}' || c == ']')
            depth--;
        p++;
    }
}

/* The span [*a, *b) of the top-level "series" value; 0 when none. */
static int find_series(const char *p, const char **a, const char **b)
{
    p = ws(p);
    if (*p++ != '{')
        return 0;
    for (;;) {
        p = ws(p);
        if (*p != '"')
            return 0;
        const char *k = p, *e = skip_string(p);
        if (!e)
            return 0;
        p = ws(e);
        if (*p++ != ':')
            return 0;
        p = ws(p);
        const char *v = p;
        if (!(p = skip_value(p)))
            return 0;
        if (e - k == 8 && !memcmp(k, "\"series\"", 8)) {
            *a = v;
            *b = p;
            return 1;
        }
        p = ws(p);
        if (*p++ != ',')
            return 0;
    }
}

/* A decimal number at p into *out, exactly as strtod would, without it
 * for the common short case: at most 15 significant digits and a power of
 * ten within 10^22 (Clinger's fast path: both exact doubles, one
 * correctly rounded operation); else strtod. Returns the end. */
static const char *number(const char *p, double *out)
{
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *q = p;
    int neg = *q == '-', digits = 0, frac = 0;
    uint64_t mant = 0;
    q += neg;
    for (; *q >= '0' && *q <= '9'; q++, digits++)
        mant = mant * 10 + (uint64_t)(*q - '0');
    if (*q == '.')
        for (q++; *q >= '0' && *q <= '9'; q++, digits++, frac++)
            mant = mant * 10 + (uint64_t)(*q - '0');
    if (digits == 0 || digits > 15 || *q == 'e' || *q == 'E' || frac > 22) {
        char *end;
        *out = strtod(p, &end);
        return end;
    }
    double x = (double)mant / pow10[frac];
    *out = neg ? -x : x;
    return q;
}

/* Reads one array of numbers (null read as NaN when nulls is set) into a
 * new array; returns the end of the array or NULL. */
static const char *read_array(const char *p, int integers, int nulls, void **out, size_t *n)
{
    size_t cap = 1024, k = 0;
    char *buf = slab_malloc(cap * 8);
    if (!buf || *(p = ws(p)) != '[')
        goto fail;
    p = ws(p + 1);
    while (*p != ']') {
        char *end;
        if (k == cap) {
            char *g = slab_realloc(buf, cap * 2 * 8);
            if (!g)
                goto fail;
            buf = g;
            cap *= 2;
        }
        if (integers) {
            errno = 0;
            long long x = strtoll(p, &end, 10);
            if (end == p || errno || (*end == '.' || *end == 'e' || *end == 'E'))
                goto fail;
            ((int64_t *)(void *)buf)[k++] = x;
        } else if (nulls && !strncmp(p, "null", 4)) {
            ((double *)(void *)buf)[k++] = NAN;
            end = (char *)p + 4;
        } else {
            if (!(*p == '-' || (*p >= '0' && *p <= '9')))
                goto fail;
            end = (char *)number(p, &((double *)(void *)buf)[k++]);
        }
        p = ws(end);
        if (*p == ',')
            p = ws(p + 1);
        else if (*p != ']')
            goto fail;
    }
    *out = buf;
    *n = k;
    return p + 1;
fail:
    slab_free(buf);
    return NULL;
}

/* Reads the series object [a, b) into s; 0 when it is not the shape run
 * --series writes (the caller then leaves it to jansson). */
static int read_series(const char *a, const char *b, slab_series *s)
{
    size_t n[3] = {0, 0, 0};
    const char *p = ws(a);
    if (*p++ != '{')
        return 0;
    for (;;) {
        p = ws(p);
        if (*p == '}' && ws(p + 1) == b)
            break;
        const char *k = p, *e = *p == '"' ? skip_string(p) : NULL;
        if (!e || *(p = ws(e)) != ':')
            return 0;
        p = ws(p + 1);
        size_t len = (size_t)(e - k);
        if (len == 6 && !memcmp(k, "\"ts_s\"", 6) && !s->ts_s)
            p = read_array(p, 1, 0, (void **)&s->ts_s, &n[0]);
        else if (len == 7 && !memcmp(k, "\"close\"", 7) && !s->close)
            p = read_array(p, 0, 1, (void **)&s->close, &n[1]); /* null: no bar yet */
        else if (len == 7 && !memcmp(k, "\"value\"", 7) && !s->value)
            p = read_array(p, 0, 1, (void **)&s->value, &n[2]);
        else if (*p == '"')
            p = skip_string(p);
        else
            return 0;
        if (!p)
            return 0;
        p = ws(p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            return 0;
    }
    if (!s->ts_s || !s->close || !s->value || n[0] != n[1] || n[0] != n[2])
        return 0;
    s->n = n[0];
    return 1;
}

static slab_status too_big(const char *path, long long bytes, slab_error *err)
{
    return slab_error_fail(err, SLAB_EC_CANNOT_READ, path,
                           "the result document is %lld MiB, over the %lld MiB a result document "
                           "may have (write it without --series or --orders)",
                           bytes >> 20, SLAB_RESULT_MAX_BYTES >> 20);
}

/* A pipe or stdin ("-"): read in growing chunks up to the cap. */
static slab_status read_stream(FILE *f, const char *path, char **out, size_t *len, slab_error *err)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = slab_malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if ((long long)cap > SLAB_RESULT_MAX_BYTES) {
            slab_free(buf);
            return too_big(path, (long long)cap, err);
        }
        char *g = slab_realloc(buf, cap * 2 + 1);
        if (!g)
            slab_free(buf);
        buf = g;
        cap *= 2;
    }
    if (!buf)
        return slab_error_set(err, SLAB_ENOMEM, path, "out of memory reading the result document");
    if (ferror(f)) {
        slab_free(buf);
        return slab_error_fail(err, SLAB_EC_CANNOT_READ, path, "cannot read the result document");
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return SLAB_OK;
}

static slab_status read_file(const char *path, char **out, size_t *len, slab_error *err)
{
    struct stat st;
    if (!strcmp(path, "-"))
        return read_stream(stdin, "(stdin)", out, len, err);
    if (stat(path, &st) != 0)
        return slab_error_fail(err, errno == ENOENT ? SLAB_EC_FILE_NOT_FOUND : SLAB_EC_CANNOT_READ,
                               path, "cannot open the result document: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return slab_error_fail(err, SLAB_EC_CANNOT_READ, path,
                               "the result document is a folder, not a file");
    if ((long long)st.st_size > SLAB_RESULT_MAX_BYTES)
        return too_big(path, (long long)st.st_size, err);
    FILE *f = fopen(path, "rb");
    if (!f)
        return slab_error_fail(err, SLAB_EC_CANNOT_READ, path,
                               "cannot open the result document: %s", strerror(errno));
    if (!S_ISREG(st.st_mode)) { /* a pipe, a process substitution */
        slab_status rc = read_stream(f, path, out, len, err);
        fclose(f);
        return rc;
    }
    char *buf = slab_malloc((size_t)st.st_size + 1);
    size_t got = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
    fclose(f);
    if (!buf)
        return slab_error_set(err, SLAB_ENOMEM, path, "out of memory reading the result document");
    if (got != (size_t)st.st_size) {
        slab_free(buf);
        return slab_error_fail(err, SLAB_EC_CANNOT_READ, path, "cannot read the result document");
    }
    buf[got] = '\0';
    *out = buf;
    *len = got;
    return SLAB_OK;
}

slab_status slab_result_load(const char *path, json_t **doc, slab_series **series, slab_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    const char *a, *b;
    json_error_t je;
    slab_status st;
    *doc = NULL;
    *series = NULL;
    if ((st = read_file(path, &buf, &len, err)) != SLAB_OK)
        return st;
    slab_series *s = slab_calloc(1, sizeof *s);
    size_t cut_at = 0, cut_lines = 0;
    if (s && find_series(buf, &a, &b) && read_series(a, b, s)) {
        cut_at = (size_t)(a - buf);
        for (const char *p = a; p < b; p++)
            cut_lines += *p == '\n';
        /* an object with three arrays is longer than "null" */
        memcpy(buf + cut_at, "null", 4);
        memmove(buf + cut_at + 4, b, len - (size_t)(b - buf) + 1);
        len -= (size_t)(b - a) - 4;
    } else {
        slab_series_free(s);
        s = NULL;
    }
    *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
    slab_free(buf);
    if (!*doc) {
        slab_series_free(s);
        slab_error_fail(err, SLAB_EC_CANNOT_READ, NULL,
                        "not a JSON result document: %s (write one with stratlab run ... --json)",
                        je.text);
        slab_error_at_file(err, path,
                           je.line + (cut_at && (size_t)je.position > cut_at ? (int)cut_lines : 0),
                           je.column);
        return SLAB_EDATA;
    }
    *series = s;
    return SLAB_OK;
}
