/* merge.c: `sweep merge`: shard files back into the one output a single
 * machine would have written. Two passes: the first reads only the
 * "sweep" object at the end of every line (id, position, count, engine,
 * data) and checks that the files are shards of one sweep that cover every
 * position exactly once; the second copies the lines, unchanged, in
 * position order. Nothing is written unless the first pass passes.
 * Invariant: memory holds one line and one record per file. */
#include "sweep/sweep_int.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_BYTES ((size_t)16 << 20) /* a longer line is not a sweep line */

/* A bounded line reader. */
typedef struct reader {
    FILE *f;
    char *line;
    size_t len, cap;
    size_t lineno;
    int no_newline; /* the last line read had no '\n' */
} reader;

/* Reads the next line (without '\n') into r->line; 1 on a line, 0 at the
 * end, -1 when a line is longer than LINE_MAX_BYTES or out of memory. */
static int read_line(reader *r)
{
    int c;
    r->len = 0;
    r->no_newline = 0;
    while ((c = getc(r->f)) != EOF) {
        if (c == '\n') {
            r->lineno++;
            return 1;
        }
        if (r->len + 2 > r->cap) {
            if (r->cap >= LINE_MAX_BYTES)
                return -1;
            size_t cap = r->cap ? r->cap * 2 : 4096;
            char *g = slab_realloc(r->line, cap);
            if (!g)
                return -1;
            r->line = g;
            r->cap = cap;
        }
        r->line[r->len++] = (char)c;
        r->line[r->len] = '\0';
    }
    if (r->len) {
        r->lineno++;
        r->no_newline = 1;
        return 1;
    }
    return 0;
}

/* What a line's "sweep" object says. */
typedef struct tag {
    char id[17], engine[32], data[17];
    uint64_t index, of;
} tag;

/* Reads the "sweep" object at the end of a line; 0, or -1 when the line
 * does not end with one. */
static int parse_tag(const char *line, size_t len, tag *t)
{
    static const char key[] = ",\"sweep\":{";
    const char *p = NULL;
    if (len < sizeof key + 2 || line[0] != '{' || line[len - 1] != '}' || line[len - 2] != '}')
        return -1;
    for (const char *q = line + len - sizeof key; q >= line; q--)
        if (!memcmp(q, key, sizeof key - 1)) {
            p = q + sizeof key - 2;
            break;
        }
    if (!p)
        return -1;
    json_t *o = json_loadb(p, (size_t)(line + len - 1 - p), 0, NULL);
    json_t *id = json_object_get(o, "id"), *ix = json_object_get(o, "index");
    json_t *of = json_object_get(o, "of"), *en = json_object_get(o, "engine");
    json_t *da = json_object_get(o, "data");
    int ok = json_is_string(id) && json_is_integer(ix) && json_is_integer(of) &&
             json_is_string(en) && json_is_string(da) && json_integer_value(ix) >= 0 &&
             json_integer_value(ix) < json_integer_value(of);
    if (ok) {
        snprintf(t->id, sizeof t->id, "%s", json_string_value(id));
        snprintf(t->engine, sizeof t->engine, "%s", json_string_value(en));
        snprintf(t->data, sizeof t->data, "%s", json_string_value(da));
        t->index = (uint64_t)json_integer_value(ix);
        t->of = (uint64_t)json_integer_value(of);
    }
    json_decref(o);
    return ok ? 0 : -1;
}

/* One file's positions. */
typedef struct shard {
    const char *path;
    uint64_t first, last; /* positions held (when lines > 0) */
    uint64_t lines;
} shard;

/* Says why t differs from the reference tag ref of file ref_path. */
static slab_status foreign(const char *path, size_t lineno, const tag *t, const char *ref_path,
                           const tag *ref, slab_error *err)
{
    char where[600];
    snprintf(where, sizeof where, "%s:%zu", path, lineno);
    if (strcmp(t->engine, ref->engine))
        return slab_error_set(err, SLAB_EDATA, where,
                              "this shard was made by stratlab %s and %s by stratlab %s: run every "
                              "shard with the same version",
                              t->engine, ref_path, ref->engine);
    if (strcmp(t->data, ref->data))
        return slab_error_set(err, SLAB_EDATA, where,
                              "this shard ran on other data than %s (data digest %s vs %s): run "
                              "every shard on the same bars",
                              ref_path, t->data, ref->data);
    if (t->of != ref->of)
        return slab_error_set(err, SLAB_EDATA, where,
                              "this shard belongs to a grid of %" PRIu64 " combinations, %s to "
                              "one of %" PRIu64 ": run every shard with the same --param, "
                              "--where and --samples",
                              t->of, ref_path, ref->of);
    return slab_error_set(err, SLAB_EDATA, where,
                          "this shard is from another sweep than %s (sweep id %s vs %s: same "
                          "data and engine, but the strategy, parameters, run options or grid "
                          "differ); run every shard with the same command but --shard",
                          ref_path, t->id, ref->id);
}

/* Pass 1 over one file: its positions, checked against ref (set from the
 * first line seen anywhere). */
static slab_status scan(shard *s, tag *ref, const char **ref_path, slab_error *err)
{
    reader r = {0};
    tag t;
    char where[600];
    slab_status st = SLAB_OK;
    int rc;
    if (!(r.f = fopen(s->path, "rb")))
        return slab_error_set(err, SLAB_EIO, s->path, "cannot open: %s", strerror(errno));
    while ((rc = read_line(&r)) > 0) {
        snprintf(where, sizeof where, "%s:%zu", s->path, r.lineno);
        if (r.no_newline) {
            st = slab_error_set(err, SLAB_EDATA, where,
                                "the last line has no newline: the shard was cut short; run it "
                                "again");
            break;
        }
        if (parse_tag(r.line, r.len, &t) != 0) {
            st = slab_error_set(err, SLAB_EDATA, where,
                                "not a sweep line (it must end with the \"sweep\" object that "
                                "`stratlab sweep` writes); was the file cut short or edited?");
            break;
        }
        if (!*ref_path) {
            *ref = t;
            *ref_path = s->path;
        } else if (strcmp(t.id, ref->id) || t.of != ref->of || strcmp(t.engine, ref->engine)) {
            st = foreign(s->path, r.lineno, &t, *ref_path, ref, err);
            break;
        }
        if (s->lines && t.index != s->last + 1) {
            st = slab_error_set(err, SLAB_EDATA, where,
                                "position %" PRIu64 " follows %" PRIu64 ": a shard holds "
                                "consecutive positions; this file was edited or joined from "
                                "pieces",
                                t.index, s->last);
            break;
        }
        if (!s->lines)
            s->first = t.index;
        s->last = t.index;
        s->lines++;
    }
    if (rc < 0 && st == SLAB_OK)
        st = slab_error_set(err, SLAB_ELIMIT, s->path,
                            "a line is longer than %zu bytes (or memory ran out): not a sweep "
                            "file",
                            LINE_MAX_BYTES);
    if (st == SLAB_OK && ferror(r.f))
        st = slab_error_set(err, SLAB_EIO, s->path, "read error: %s", strerror(errno));
    fclose(r.f);
    slab_free(r.line);
    return st;
}

static int by_first(const void *a, const void *b)
{
    const shard *x = a, *y = b;
    if (!x->lines || !y->lines)
        return (int)!x->lines - (int)!y->lines; /* empty files last */
    return x->first < y->first ? -1 : x->first > y->first;
}

/* Checks that the sorted shards tile 0..of-1. */
static slab_status tiles(const shard *s, size_t n, uint64_t of, slab_error *err)
{
    uint64_t next = 0;
    for (size_t k = 0; k < n && s[k].lines; k++) {
        if (s[k].first < next) {
            const shard *o = &s[k - 1];
            return slab_error_set(err, SLAB_EDATA, NULL,
                                  "%s (positions %" PRIu64 "..%" PRIu64 ") and %s (positions "
                                  "%" PRIu64 "..%" PRIu64 ") overlap: a shard was given twice; "
                                  "give each shard once",
                                  o->path, o->first, o->last, s[k].path, s[k].first, s[k].last);
        }
        if (s[k].first > next)
            return slab_error_set(err, SLAB_EDATA, NULL,
                                  "positions %" PRIu64 "..%" PRIu64 " of %" PRIu64 " are missing "
                                  "(between %s and %s): a shard was not given or did not "
                                  "finish; run it and merge again",
                                  next, s[k].first - 1, of, k ? s[k - 1].path : "the start",
                                  s[k].path);
        next = s[k].last + 1;
    }
    if (next < of)
        return slab_error_set(err, SLAB_EDATA, NULL,
                              "positions %" PRIu64 "..%" PRIu64 " of %" PRIu64 " are missing "
                              "(after the last file): a shard was not given or did not finish; "
                              "run it and merge again",
                              next, of - 1, of);
    return SLAB_OK;
}

/* Pass 2: copies one file's lines. */
static slab_status copy(const shard *s, slab_sweep_line_fn on_line, void *user, slab_error *err)
{
    reader r = {0};
    slab_status st = SLAB_OK;
    uint64_t pos = s->first;
    if (!(r.f = fopen(s->path, "rb")))
        return slab_error_set(err, SLAB_EIO, s->path, "cannot open: %s", strerror(errno));
    while (read_line(&r) > 0)
        if (on_line(user, pos++, r.line, r.len)) {
            st = slab_error_set(err, SLAB_EIO, NULL, "the merged output could not be written");
            break;
        }
    if (st == SLAB_OK && pos != s->first + s->lines)
        st = slab_error_set(err, SLAB_EIO, s->path, "the file changed while it was merged");
    fclose(r.f);
    slab_free(r.line);
    return st;
}

slab_status slab_sweep_merge(const char *const *paths, size_t n, slab_sweep_line_fn on_line,
                             void *user, slab_error *err)
{
    tag ref;
    const char *ref_path = NULL;
    slab_status st = SLAB_OK;
    if (n == 0)
        return slab_error_set(err, SLAB_EINVAL, NULL, "give the shard files to merge");
    shard *s = slab_calloc(n, sizeof *s);
    if (!s)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory");
    memset(&ref, 0, sizeof ref);
    for (size_t k = 0; k < n && st == SLAB_OK; k++) {
        s[k].path = paths[k];
        st = scan(&s[k], &ref, &ref_path, err);
    }
    if (st == SLAB_OK && !ref_path)
        st = slab_error_set(err, SLAB_EDATA, NULL, "the files hold no lines at all");
    if (st == SLAB_OK) {
        qsort(s, n, sizeof *s, by_first);
        st = tiles(s, n, ref.of, err);
    }
    for (size_t k = 0; k < n && st == SLAB_OK && s[k].lines; k++)
        st = copy(&s[k], on_line, user, err);
    slab_free(s);
    return st;
}
