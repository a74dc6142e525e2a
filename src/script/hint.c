/* hint.c: the `//! stratlab run:` and `//! stratlab template:` lines a
 * script may carry (script.h). Parsed strictly: known options only, each
 * value checked by its kind, so a hint can only choose data, never inject
 * anything into a command. */
#include "script/script_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define RUN_TAG "//! stratlab run:"
#define TPL_TAG "//! stratlab template:"

/* 1 when every byte of v is in the allowed set and 1 <= len < cap. */
static int plain(const char *v, size_t len, size_t cap, const char *extra)
{
    if (len == 0 || len >= cap)
        return 0;
    for (size_t k = 0; k < len; k++) {
        char c = v[k];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr(extra, c)))
            return 0;
    }
    return 1;
}

/* Copies token t (len bytes) into dst if it passes; 0 when it does not. */
static int put(char *dst, size_t cap, const char *t, size_t len, const char *extra)
{
    if (!plain(t, len, cap, extra))
        return 0;
    memcpy(dst, t, len);
    dst[len] = '\0';
    return 1;
}

static int parse_run(const char *p, const char *end, slab_script_hint *h)
{
    static const struct {
        const char *flag;
        size_t off, cap;
        const char *extra;
    } opts[] = {
        {"--symbol", offsetof(slab_script_hint, symbol), 16, ".-"},
        {"--market", offsetof(slab_script_hint, market), 16, ".-"},
        {"--from", offsetof(slab_script_hint, from), 16, "-"},
        {"--to", offsetof(slab_script_hint, to), 16, "-"},
        {"--timeframe", offsetof(slab_script_hint, timeframe), 16, ""},
        {"--compare", offsetof(slab_script_hint, compare), 256, "_=,.-"},
    };
    while (p < end) {
        while (p < end && *p == ' ')
            p++;
        if (p >= end)
            break;
        const char *f = p;
        while (p < end && *p != ' ')
            p++;
        size_t fl = (size_t)(p - f);
        while (p < end && *p == ' ')
            p++;
        const char *v = p;
        while (p < end && *p != ' ')
            p++;
        size_t k = 0;
        for (; k < sizeof opts / sizeof opts[0]; k++)
            if (strlen(opts[k].flag) == fl && !strncmp(f, opts[k].flag, fl))
                break;
        if (k == sizeof opts / sizeof opts[0] ||
            !put((char *)h + opts[k].off, opts[k].cap, v, (size_t)(p - v), opts[k].extra))
            return 0;
    }
    return 1;
}

static int parse_template(const char *p, const char *end, slab_script_hint *h)
{
    while (p < end && *p == ' ')
        p++;
    const char *name = p;
    while (p < end && *p != ' ')
        p++;
    if (!put(h->template_name, sizeof h->template_name, name, (size_t)(p - name), "_"))
        return 0;
    while (p < end && *p == ' ')
        p++;
    return (size_t)(end - p) < sizeof h->vars &&
           (p == end || put(h->vars, sizeof h->vars, p, (size_t)(end - p), "_=.:,- "));
}

slab_status slab_script_hint_parse(const char *source, size_t len, slab_script_hint *out,
                                   slab_error *err)
{
    const char *p = source, *end = source + len;
    int line = 1;
    memset(out, 0, sizeof *out);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        const char *e = eol;
        while (e > p && (e[-1] == '\r' || e[-1] == ' '))
            e--;
        size_t rl = strlen(RUN_TAG), tl = strlen(TPL_TAG);
        int ok = 1;
        if ((size_t)(e - p) >= rl && !strncmp(p, RUN_TAG, rl))
            ok = parse_run(p + rl, e, out);
        else if ((size_t)(e - p) >= tl && !strncmp(p, TPL_TAG, tl))
            ok = parse_template(p + tl, e, out);
        if (!ok)
            return slab_error_set(err, SLAB_EPARSE, "script",
                                  "line %d: malformed stratlab hint; the forms are `//! stratlab "
                                  "run: --symbol SYM --from DATE --to DATE [--timeframe TF] "
                                  "[--market SYM] [--compare name=v1,v2]` and `//! stratlab "
                                  "template: NAME var=value ...`", line);
        p = eol + 1;
        line++;
    }
    return SLAB_OK;
}
