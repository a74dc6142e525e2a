/* spec.c: the public entry points of spec.h: text in, every problem out,
 * and a compiled spec when there is no error. Order: size cap, JSON
 * pre-scan (limits, syntax at line:column), jansson tree (duplicate keys),
 * schema, compile, semantic checks; then every problem gets the line and
 * column of the value its pointer names. Also the built-in examples. */
#include "spec/spec_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* Generated from the JSON files of examples/specs by cmake/embed_examples.cmake. */
extern const char *const slab__spec_example_names[];
extern const char *const slab__spec_example_texts[];
extern const size_t slab__spec_n_examples;

/* Gives each new problem (from index `from`) the line and column of its
 * pointer; inside an expression, of the character itself when the string
 * has no escapes before it. */
static void locate_all(const char *text, size_t len, slab_diags *d, size_t from)
{
    for (size_t k = from; k < d->n; k++) {
        slab_diag *g = &d->items[k];
        size_t raw;
        int line, col;
        if (g->line > 0)
            continue;
        /* A missing member has no position: use its parent's. */
        char ptr[sizeof g->pointer];
        snprintf(ptr, sizeof ptr, "%s", g->pointer);
        int found;
        while ((found = slab__jscan_locate(text, len, ptr, &line, &col, &raw)) != 0 && ptr[0])
            *strrchr(ptr, '/') = '\0';
        if (found != 0)
            continue;
        if (strcmp(ptr, g->pointer)) {
            g->line = line;
            g->column = col;
            continue;
        }
        g->line = line;
        g->column = col;
        if (g->expr_column > 0 && raw < len && text[raw] == '"') {
            size_t end = raw + 1 + (size_t)g->expr_column - 1;
            int clean = end < len;
            for (size_t i = raw + 1; clean && i < end; i++)
                clean = text[i] != '\\' && text[i] != '"' && text[i] != '\n';
            if (clean)
                g->column = col + g->expr_column;
        }
    }
}

static slab_spec *spec_new(void)
{
    slab_spec *s = slab_calloc(1, sizeof *s);
    return s;
}

void slab_spec_free(slab_spec *s)
{
    if (!s)
        return;
    json_decref(s->root);
    slab_free(s->nodes);
    slab_free(s->hash);
    slab__arena_free(&s->arena);
    slab_free(s);
}

slab_status slab_spec_compile(const char *text, size_t len, slab_spec **out, slab_diags *diags)
{
    size_t from = diags->n, errors = diags->n_errors;
    int64_t t0 = slab_clock_ns();
    json_error_t jerr;
    *out = NULL;
    if (len > SLAB_SPEC_MAX_BYTES) {
        slab__diag(diags, SLAB_DIAG_ERROR, "spec_too_large", "", 0,
                   "a spec is a few KB of JSON: check that this is the right file",
                   "the spec is %zu bytes; the limit is %d", len, SLAB_SPEC_MAX_BYTES);
        return SLAB_EINVAL;
    }
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        slab__diag(diags, SLAB_DIAG_ERROR, "json_syntax", "", 0,
                   "save the spec as UTF-8 text (is this a binary file?)",
                   "the text contains a NUL byte");
        slab__jscan_linecol(text, (size_t)(nul - text), &diags->items[diags->n - 1].line,
                            &diags->items[diags->n - 1].column);
        return SLAB_EINVAL;
    }
    if (slab__jscan_check(text, len, diags) != 0)
        return SLAB_EINVAL;
    size_t skip = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
    json_t *root = json_loadb(text + skip, len - skip, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        slab__diag(diags, SLAB_DIAG_ERROR, "json_syntax", "", 0,
                   "keep each key once per object; check the JSON syntax", "%s", jerr.text);
        if (diags->n > from) {
            diags->items[diags->n - 1].line = jerr.line;
            diags->items[diags->n - 1].column = jerr.column;
        }
        return SLAB_EINVAL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        slab__diag(diags, SLAB_DIAG_ERROR, "json_schema", "", 0,
                   "write the spec as one JSON object {...}", "the spec must be a JSON object");
        return SLAB_EINVAL;
    }
    slab_spec *s = spec_new();
    if (!s) {
        json_decref(root);
        return SLAB_ENOMEM;
    }
    s->root = root;
    slab_sha256_mem(text, len, s->sha256);
    slab__spec_parse(s, diags);
    if (s->defs && s->rules)
        slab__spec_compile(s, diags);
    if (diags->n_errors == errors)
        slab__spec_checks(s, diags);
    locate_all(text, len, diags, from);
    if (diags->n_errors != errors) {
        slab_spec_free(s);
        return SLAB_EINVAL;
    }
    s->compile_ns = slab_clock_ns() - t0;
    *out = s;
    return SLAB_OK;
}

slab_status slab_spec_load(const char *path, slab_spec **out, slab_diags *diags, slab_error *err)
{
    struct stat st;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return slab_error_set(err, SLAB_EIO, path, "cannot open the spec: %s", strerror(errno));
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return slab_error_set(err, SLAB_EIO, path, "is a directory, not a spec file");
    }
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > SLAB_SPEC_MAX_BYTES) {
        fclose(f);
        slab__diag(diags, SLAB_DIAG_ERROR, "spec_too_large", "", 0,
                   "a spec is a few KB of JSON: check that this is the right file",
                   "the spec is %lld bytes; the limit is %d", (long long)st.st_size,
                   SLAB_SPEC_MAX_BYTES);
        return SLAB_EINVAL;
    }
    /* Read at most one byte past the cap, so a pipe cannot grow it. */
    char *buf = slab_malloc(SLAB_SPEC_MAX_BYTES + 2);
    if (!buf) {
        fclose(f);
        return slab_error_set(err, SLAB_ENOMEM, path, "out of memory reading the spec");
    }
    size_t len = fread(buf, 1, SLAB_SPEC_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        slab_free(buf);
        return slab_error_set(err, SLAB_EIO, path, "cannot read the spec");
    }
    slab_status stc = slab_spec_compile(buf, len, out, diags);
    slab_free(buf);
    return stc;
}

slab_status slab_spec_check_expr(const char *expr, size_t len, slab_diags *diags)
{
    slab_spec *s = spec_new();
    size_t errors = diags->n_errors;
    if (!s)
        return SLAB_ENOMEM;
    spec_site site;
    memset(&site, 0, sizeof site);
    site.text = slab__arena_strndup(&s->arena, expr, len < SLAB_SPEC_MAX_EXPR + 1
                                                         ? len
                                                         : SLAB_SPEC_MAX_EXPR + 1);
    site.len = len;
    s->settings.conventions = "backtrader";
    if (!site.text) {
        slab_spec_free(s);
        return SLAB_ENOMEM;
    }
    if (len <= SLAB_SPEC_MAX_EXPR && memchr(expr, '\0', len)) {
        slab__diag(diags, SLAB_DIAG_ERROR, "expr_syntax", "", 0, "remove the NUL byte",
                   "the expression contains a NUL byte");
    } else {
        site.len = len > SLAB_SPEC_MAX_EXPR ? SLAB_SPEC_MAX_EXPR + 1 : len;
        slab__compile_single(s, &site, diags);
    }
    slab_spec_free(s);
    return diags->n_errors == errors ? SLAB_OK : SLAB_EINVAL;
}

const char *slab_spec_name(const slab_spec *s) { return s->name; }
const char *slab_spec_sha256(const slab_spec *s) { return s->sha256; }
double slab_spec_compile_ms(const slab_spec *s) { return (double)s->compile_ns / 1e6; }
const slab_spec_program *slab_spec_program_get(const slab_spec *s) { return &s->program; }
json_t *slab_spec_json(const slab_spec *s) { return s->root; }
const slab_spec_settings *slab_spec_settings_get(const slab_spec *s) { return &s->settings; }

const slab_spec_expected *slab_spec_expected_get(const slab_spec *s)
{
    return s->has_expected ? &s->expected : NULL;
}

const char *const *slab_spec_example_names(size_t *n)
{
    *n = slab__spec_n_examples;
    return slab__spec_example_names;
}

const char *slab_spec_example(const char *name)
{
    for (size_t k = 0; k < slab__spec_n_examples; k++)
        if (!strcmp(slab__spec_example_names[k], name))
            return slab__spec_example_texts[k];
    return NULL;
}
