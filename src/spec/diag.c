/* diag.c: the problem list a spec check fills (seed 001's
 * ValidationResult), its text and JSON forms, and the small helpers the
 * compiler shares: an arena, edit distance for "did you mean", identifier
 * checks. The list is capped (SLAB_SPEC_MAX_DIAGS kept, the rest counted)
 * so a hostile spec cannot grow it without bound. */
#include "spec/spec_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------ */
struct spec_block {
    spec_block *next;
    size_t used, cap;
    max_align_t data[]; /* cap bytes */
};

void *slab__arena_alloc(spec_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n > SPEC_ARENA_CAP || a->used_total + n > SPEC_ARENA_CAP)
        return NULL;
    spec_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        b = slab_malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    a->used_total += n;
    memset(p, 0, n);
    return p;
}

char *slab__arena_strndup(spec_arena *a, const char *s, size_t n)
{
    char *p = slab__arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void slab__arena_free(spec_arena *a)
{
    while (a->head) {
        spec_block *b = a->head;
        a->head = b->next;
        slab_free(b);
    }
    a->used_total = 0;
}

/* ---- diagnostics ------------------------------------------------------ */
void slab_diags_init(slab_diags *d) { memset(d, 0, sizeof *d); }

void slab_diags_clear(slab_diags *d)
{
    if (!d)
        return;
    slab_free(d->items);
    memset(d, 0, sizeof *d);
}

/* Cuts s before a UTF-8 sequence that a full buffer left incomplete at its
 * end (a long JSON key in a pointer), so the text stays valid UTF-8 and
 * the JSON writer keeps it. */
static void utf8_cut(char *s)
{
    size_t n = strlen(s), i = n;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80 && n - i < 3)
        i--; /* continuation bytes at the end */
    if (i == 0)
        return;
    unsigned char c = (unsigned char)s[i - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (c >= 0xC0 && n - (i - 1) < need)
        s[i - 1] = '\0';
}

void slab__vdiag(slab_diags *d, slab_diag_severity sev, const char *code, const char *pointer,
                 int expr_column, const char *fix, const char *fmt, va_list ap)
{
    if (sev == SLAB_DIAG_ERROR)
        d->n_errors++;
    else
        d->n_warnings++;
    if (d->n >= SLAB_SPEC_MAX_DIAGS) {
        d->dropped++;
        return;
    }
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        slab_diag *items = slab_realloc(d->items, cap * sizeof *items);
        if (!items) {
            d->dropped++;
            return;
        }
        d->items = items;
        d->cap = cap;
    }
    slab_diag *g = &d->items[d->n++];
    memset(g, 0, sizeof *g);
    g->severity = sev;
    snprintf(g->code, sizeof g->code, "%s", code ? code : "");
    snprintf(g->pointer, sizeof g->pointer, "%s", pointer ? pointer : "");
    utf8_cut(g->pointer);
    g->expr_column = expr_column;
    /* Messages quote the user's text: a quote cut short by the buffer or a
     * byte that is not UTF-8 would make the message invalid UTF-8, which
     * the JSON writer drops. slab_text_show keeps valid UTF-8, writes other
     * bytes as \xNN and cuts at a character boundary. */
    char raw[2 * sizeof g->message];
    vsnprintf(raw, sizeof raw, fmt, ap);
    slab_text_show(raw, strlen(raw), g->message, sizeof g->message);
    snprintf(g->fix, sizeof g->fix, "%s", fix ? fix : "");
}

void slab__diag(slab_diags *d, slab_diag_severity sev, const char *code, const char *pointer,
                int expr_column, const char *fix, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    slab__vdiag(d, sev, code, pointer, expr_column, fix, fmt, ap);
    va_end(ap);
}

const char *slab_diag_format(const slab_diag *g, const char *file, char *buf, size_t n)
{
    size_t k = 0;
    int w;
#define PUT(...)                                                                                   \
    do {                                                                                           \
        w = snprintf(buf + k, k < n ? n - k : 0, __VA_ARGS__);                                     \
        if (w > 0)                                                                                 \
            k += (size_t)w;                                                                        \
    } while (0)
    if (!n)
        return buf;
    buf[0] = '\0';
    if (file)
        PUT("%s:", file);
    if (g->line > 0)
        PUT("%d:%d:", g->line, g->column);
    if (file || g->line > 0)
        PUT(" ");
    PUT("%s: ", g->severity == SLAB_DIAG_ERROR ? "error" : "warning");
    if (g->pointer[0])
        PUT("%s", g->pointer);
    if (g->expr_column > 0)
        PUT("%scolumn %d", g->pointer[0] ? " " : "", g->expr_column);
    if (g->pointer[0] || g->expr_column > 0)
        PUT(": ");
    PUT("%s", g->message);
    if (g->fix[0])
        PUT("\n    fix: %s", g->fix);
#undef PUT
    if (k >= n)
        buf[n - 1] = '\0';
    return buf;
}

static json_t *item_json(const slab_diag *g)
{
    json_t *o = json_object();
    json_object_set_new(o, "severity",
                        json_string(g->severity == SLAB_DIAG_ERROR ? "error" : "warning"));
    json_object_set_new(o, "code", json_string(g->code));
    json_object_set_new(o, "pointer", json_string(g->pointer));
    json_object_set_new(o, "message", json_string(g->message));
    json_object_set_new(o, "fix", json_string(g->fix));
    if (g->line > 0) {
        json_object_set_new(o, "line", json_integer(g->line));
        json_object_set_new(o, "column", json_integer(g->column));
    }
    if (g->expr_column > 0)
        json_object_set_new(o, "expr_column", json_integer(g->expr_column));
    return o;
}

json_t *slab_diags_json(const slab_diags *d)
{
    json_t *doc = json_object(), *all = json_array(), *errs = json_array(), *warns = json_array();
    for (size_t i = 0; i < d->n; i++) {
        json_array_append_new(all, item_json(&d->items[i]));
        json_array_append_new(d->items[i].severity == SLAB_DIAG_ERROR ? errs : warns,
                              item_json(&d->items[i]));
    }
    json_object_set_new(doc, "valid", json_boolean(d->n_errors == 0));
    json_object_set_new(doc, "error_count", json_integer((json_int_t)d->n_errors));
    json_object_set_new(doc, "warning_count", json_integer((json_int_t)d->n_warnings));
    if (d->dropped)
        json_object_set_new(doc, "not_listed", json_integer((json_int_t)d->dropped));
    json_object_set_new(doc, "items", all);
    json_object_set_new(doc, "errors", errs);
    json_object_set_new(doc, "warnings", warns);
    return doc;
}

static void copy_str(json_t *o, const char *k, char *dst, size_t n)
{
    const char *v = json_string_value(json_object_get(o, k));
    snprintf(dst, n, "%s", v ? v : "");
}

slab_status slab_diags_from_json(json_t *doc, slab_diags *d, slab_error *err)
{
    json_t *items = json_object_get(doc, "items");
    size_t i;
    json_t *it;
    if (!json_is_object(doc) || !json_is_array(items))
        return slab_error_set(err, SLAB_EPARSE, "/items",
                              "not a ValidationResult: it needs an \"items\" array");
    json_array_foreach(items, i, it) {
        const char *sev = json_string_value(json_object_get(it, "severity"));
        if (!json_is_object(it) || !sev || (strcmp(sev, "error") && strcmp(sev, "warning")))
            return slab_error_set(err, SLAB_EPARSE, "/items",
                                  "item %zu needs \"severity\": \"error\" or \"warning\"", i);
        slab__diag(d, !strcmp(sev, "error") ? SLAB_DIAG_ERROR : SLAB_DIAG_WARNING, "", "", 0, "",
                   "%s", "");
        if (d->n == 0 || d->n - 1 != i)
            return slab_error_set(err, SLAB_ELIMIT, "/items", "more items than a list keeps");
        slab_diag *g = &d->items[d->n - 1];
        copy_str(it, "code", g->code, sizeof g->code);
        copy_str(it, "pointer", g->pointer, sizeof g->pointer);
        copy_str(it, "message", g->message, sizeof g->message);
        copy_str(it, "fix", g->fix, sizeof g->fix);
        g->line = (int)json_integer_value(json_object_get(it, "line"));
        g->column = (int)json_integer_value(json_object_get(it, "column"));
        g->expr_column = (int)json_integer_value(json_object_get(it, "expr_column"));
    }
    /* The counts include problems past the cap that were not listed. */
    json_t *ne = json_object_get(doc, "error_count"), *nw = json_object_get(doc, "warning_count");
    if (json_is_integer(ne))
        d->n_errors = (size_t)json_integer_value(ne);
    if (json_is_integer(nw))
        d->n_warnings = (size_t)json_integer_value(nw);
    d->dropped = (size_t)json_integer_value(json_object_get(doc, "not_listed"));
    return SLAB_OK;
}

/* ---- helpers ------------------------------------------------------------ */
const char *slab__closest(const char *s, const char *const *names, size_t n)
{
    size_t len = strlen(s), limit = len / 3 > 2 ? len / 3 : 2, best_d = limit + 1;
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t dist = slab_edit_distance(s, names[i]);
        if (dist < best_d) {
            best_d = dist;
            best = names[i];
        }
    }
    return best;
}

int slab__is_ident(const char *s, size_t len)
{
    if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}
