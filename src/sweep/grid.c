/* grid.c: a sweep's grid: axes from "name=LIST" (values and exact decimal
 * ranges), the constraint, random samples, positions and shards.
 * Invariant: every value of a range is the decimal a + k*step computed in
 * integers and then read once as a double, so a range gives the same
 * doubles as typing its values, on every machine. */
#include "sweep/sweep_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEC_MAX_DIGITS 17 /* significant digits a range number may have */

slab_grid *slab_grid_new(void) { return slab_calloc(1, sizeof(slab_grid)); }

void slab_grid_free(slab_grid *g)
{
    if (!g)
        return;
    for (size_t k = 0; k < g->n_axes; k++)
        slab_free(g->axes[k].values);
    slab_free(g->where);
    slab_free(g->where_text);
    slab_free(g->drawn);
    slab_free(g->canonical);
    slab_free(g);
}

/* ---- values ------------------------------------------------------------ */

/* A decimal number as an integer mantissa and a count of decimals. */
typedef struct decimal {
    int64_t m;   /* value = m / 10^d */
    int d;       /* decimals, 0..DEC_MAX_DIGITS */
} decimal;

/* Parses [+-]digits[.digits] (or .digits) of s[0..len) into *out;
 * returns 1, or 0 when it is not such a number or has too many digits. */
static int decimal_parse(const char *s, size_t len, decimal *out)
{
    size_t i = 0, digits = 0;
    int neg = 0, seen = 0;
    int64_t m = 0;
    out->d = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    for (; i < len && isdigit((unsigned char)s[i]); i++, seen = 1) {
        if (m == 0 && s[i] == '0')
            continue;
        if (++digits > DEC_MAX_DIGITS)
            return 0;
        m = m * 10 + (s[i] - '0');
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && isdigit((unsigned char)s[i]); i++, seen = 1) {
            if (out->d == DEC_MAX_DIGITS || (m != 0 || s[i] != '0' ? ++digits : 0) > DEC_MAX_DIGITS)
                return 0;
            m = m * 10 + (s[i] - '0');
            out->d++;
        }
    }
    if (!seen || i != len)
        return 0;
    out->m = neg ? -m : m;
    return 1;
}

/* Rescales x to d decimals (d >= x->d); 0 on overflow. */
static int decimal_scale(decimal *x, int d)
{
    for (; x->d < d; x->d++) {
        if (x->m > INT64_MAX / 10 || x->m < INT64_MIN / 10)
            return 0;
        x->m *= 10;
    }
    return 1;
}

/* Writes m / 10^d without trailing zeros ("0.5", "12", "-0.25"). */
static void decimal_format(int64_t m, int d, char *buf, size_t n)
{
    char digits[32];
    uint64_t u = m < 0 ? (uint64_t)0 - (uint64_t)m : (uint64_t)m;
    int len = snprintf(digits, sizeof digits, "%0*" PRIu64, d + 1, u);
    int int_len = len - d;
    while (d > 0 && digits[int_len + d - 1] == '0')
        d--;
    snprintf(buf, n, "%s%.*s%s%.*s", m < 0 ? "-" : "", int_len, digits, d ? "." : "", d,
             digits + int_len);
}

/* Splits a value's text into its number and unit: "2%" -> 2, "%";
 * "@95.5" -> 95.5, "@"; "1.5atr" -> 1.5, "atr". The number must be a plain
 * decimal; *num_off and *num_len locate it. Returns 1 when there is one. */
static int split_unit(const char *s, size_t *num_off, size_t *num_len, char *unit, size_t cap)
{
    size_t i = 0, j;
    unit[0] = '\0';
    if (s[0] == '@')
        i = 1;
    for (j = i; s[j] && (isdigit((unsigned char)s[j]) || strchr("+-.", s[j])); j++)
        ;
    if (j == i)
        return 0;
    if (snprintf(unit, cap, "%.*s%s", (int)i, s, s + j) >= (int)cap)
        return 0;
    for (const char *u = s + j; *u; u++)
        if (!isalpha((unsigned char)*u) && *u != '%')
            return 0;
    *num_off = i;
    *num_len = j - i;
    return 1;
}

/* Fills v from text (num is its number, NaN when it has none). */
static slab_status value_set(slab_grid_value *v, const char *text, size_t len, const char *axis,
                             slab_error *err)
{
    char unit[16];
    size_t off, nlen;
    if (len == 0)
        return slab_error_set(err, SLAB_EPARSE, axis, "an empty value (two commas in a row, or a "
                                                      "comma at the end?)");
    if (len >= sizeof v->text)
        return slab_error_set(err, SLAB_ELIMIT, axis, "the value '%.*s' is longer than %d bytes",
                              (int)len, text, SLAB_GRID_TEXT_MAX - 1);
    memcpy(v->text, text, len);
    v->text[len] = '\0';
    char *end;
    double x = strtod(v->text, &end);
    v->is_num = end != v->text && *end == '\0' && isfinite(x);
    v->num = v->is_num ? x : NAN;
    if (!v->is_num && split_unit(v->text, &off, &nlen, unit, sizeof unit)) {
        char num[SLAB_GRID_TEXT_MAX];
        snprintf(num, sizeof num, "%.*s", (int)nlen, v->text + off);
        x = strtod(num, &end);
        if (end != num && *end == '\0')
            v->num = x;
    }
    return SLAB_OK;
}

/* ---- axes -------------------------------------------------------------- */

typedef struct vlist {
    slab_grid_value *v;
    size_t n, cap;
} vlist;

static slab_status vlist_push(vlist *l, slab_error *err)
{
    if (l->n == SLAB_GRID_MAX_VALUES)
        return slab_error_set(err, SLAB_ELIMIT, NULL, "more than %d values on one axis",
                              SLAB_GRID_MAX_VALUES);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        slab_grid_value *g = slab_realloc(l->v, cap * sizeof *g);
        if (!g)
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for grid values");
        l->v = g;
        l->cap = cap;
    }
    memset(&l->v[l->n++], 0, sizeof *l->v);
    return SLAB_OK;
}

/* Expands "a:b:step" (item[0..len)) into l; returns SLAB_OK, or an error
 * naming the range. Returns SLAB_ENOTFOUND (no error set) when the item is
 * not three numbers separated by colons, so it is taken as one value. */
static slab_status range_expand(const char *item, size_t len, const char *axis, vlist *l,
                                slab_error *err)
{
    char part[3][SLAB_GRID_TEXT_MAX], unit[3][16];
    size_t off[3], nlen[3];
    decimal x[3];
    const char *p = item, *end = item + len;
    int k;
    for (k = 0; k < 3; k++) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        const char *e = k < 2 ? c : end;
        if (!e || (k == 2 && memchr(p, ':', (size_t)(end - p))) ||
            (size_t)(e - p) >= sizeof part[k])
            return SLAB_ENOTFOUND;
        snprintf(part[k], sizeof part[k], "%.*s", (int)(e - p), p);
        if (!split_unit(part[k], &off[k], &nlen[k], unit[k], sizeof unit[k]) ||
            !decimal_parse(part[k] + off[k], nlen[k], &x[k]))
            return k == 0 ? SLAB_ENOTFOUND
                          : slab_error_set(err, SLAB_EPARSE, axis,
                                           "range '%.*s': '%s' is not a decimal number (ranges "
                                           "take a:b:step, e.g. 5:50:5 or 1%%:5%%:0.5%%)",
                                           (int)len, item, part[k]);
        p = e + 1;
    }
    if (strcmp(unit[0], unit[1]) || (unit[2][0] && strcmp(unit[2], unit[0])))
        return slab_error_set(err, SLAB_EPARSE, axis,
                              "range '%.*s': the start, end and step must have the same unit",
                              (int)len, item);
    int d = x[0].d > x[1].d ? x[0].d : x[1].d;
    d = x[2].d > d ? x[2].d : d;
    if (!decimal_scale(&x[0], d) || !decimal_scale(&x[1], d) || !decimal_scale(&x[2], d))
        return slab_error_set(err, SLAB_ERANGE, axis, "range '%.*s' has too many digits",
                              (int)len, item);
    int64_t a = x[0].m, b = x[1].m, step = x[2].m;
    if (step == 0)
        return slab_error_set(err, SLAB_EINVAL, axis, "range '%.*s' has a zero step", (int)len,
                              item);
    if ((b - a != 0) && ((b - a > 0) != (step > 0)))
        return slab_error_set(err, SLAB_EINVAL, axis,
                              "range '%.*s' never reaches its end: the step goes the other way "
                              "(use a %s step)",
                              (int)len, item, step > 0 ? "negative" : "positive");
    /* (b - a) / step + 1 values; both differences fit: |a|, |b| < 10^17. */
    uint64_t count = (uint64_t)((b - a) / step) + 1;
    if (count > SLAB_GRID_MAX_VALUES)
        return slab_error_set(err, SLAB_ELIMIT, axis,
                              "range '%.*s' has %" PRIu64 " values (limit %d)", (int)len, item,
                              count, SLAB_GRID_MAX_VALUES);
    for (uint64_t j = 0; j < count; j++) {
        char num[40], text[96];
        slab_status st = vlist_push(l, err);
        if (st != SLAB_OK)
            return st;
        decimal_format(a + (int64_t)j * step, d, num, sizeof num);
        /* the unit goes where the value had it: "@" before, others after */
        if (unit[0][0] == '@')
            snprintf(text, sizeof text, "@%s%s", num, unit[0] + 1);
        else
            snprintf(text, sizeof text, "%s%s", num, unit[0]);
        if ((st = value_set(&l->v[l->n - 1], text, strlen(text), axis, err)) != SLAB_OK)
            return st;
    }
    return SLAB_OK;
}

/* Orders values for the repeat check: numbers by value, then texts. */
static int cmp_value(const void *pa, const void *pb)
{
    const slab_grid_value *a = *(const slab_grid_value *const *)pa;
    const slab_grid_value *b = *(const slab_grid_value *const *)pb;
    if (a->is_num != b->is_num)
        return a->is_num ? -1 : 1;
    if (a->is_num && a->num != b->num)
        return a->num < b->num ? -1 : 1;
    return a->is_num ? 0 : strcmp(a->text, b->text);
}

/* Refuses a value that appears twice (the same number, or the same text). */
static slab_status check_repeats(const vlist *l, const char *axis, slab_error *err)
{
    const slab_grid_value **s = slab_malloc((l->n ? l->n : 1) * sizeof *s);
    slab_status st = SLAB_OK;
    if (!s)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for grid values");
    for (size_t i = 0; i < l->n; i++)
        s[i] = &l->v[i];
    qsort(s, l->n, sizeof *s, cmp_value);
    for (size_t i = 1; i < l->n && st == SLAB_OK; i++)
        if (cmp_value(&s[i - 1], &s[i]) == 0)
            st = slab_error_set(err, SLAB_EINVAL, axis,
                                "the value %s is listed twice (as '%s' and '%s'); each "
                                "combination runs once",
                                s[i]->text, s[i - 1]->text, s[i]->text);
    slab_free(s);
    return st;
}

/* 1 when item is a clock time HH:MM:00 (a value such as exit_at's), not a
 * range: a range's step is never zero, and 10:40:10 stays a range. */
static int is_clock(const char *item, size_t len)
{
    return len == 8 && item[2] == ':' && item[5] == ':' && isdigit((unsigned char)item[0]) &&
           isdigit((unsigned char)item[1]) && isdigit((unsigned char)item[3]) &&
           isdigit((unsigned char)item[4]) && item[6] == '0' && item[7] == '0';
}

slab_status slab_grid_add_axis(slab_grid *g, const char *spec, slab_error *err)
{
    char where[SLAB_GRID_NAME_MAX + 16];
    const char *eq = strchr(spec, '=');
    vlist l = {0};
    slab_status st = SLAB_OK;
    if (g->finished)
        return slab_error_set(err, SLAB_EINVAL, NULL, "the grid is already finished");
    if (!eq || eq == spec)
        return slab_error_set(err, SLAB_EPARSE, "--param",
                              "'%s' is not name=LIST (e.g. fast=5,10,20 or fast=5:50:5)", spec);
    if ((size_t)(eq - spec) >= SLAB_GRID_NAME_MAX)
        return slab_error_set(err, SLAB_ELIMIT, "--param", "the name in '%s' is too long", spec);
    snprintf(where, sizeof where, "--param %.*s", (int)(eq - spec), spec);
    for (size_t k = 0; k < g->n_axes; k++)
        if (strlen(g->axes[k].name) == (size_t)(eq - spec) &&
            !strncmp(g->axes[k].name, spec, (size_t)(eq - spec)))
            return slab_error_set(err, SLAB_EINVAL, where,
                                  "%s is given twice; put all its values in one list "
                                  "(%s=5,10,20)",
                                  g->axes[k].name, g->axes[k].name);
    if (g->n_axes == SLAB_GRID_MAX_AXES)
        return slab_error_set(err, SLAB_ELIMIT, where, "more than %d swept parameters",
                              SLAB_GRID_MAX_AXES);
    for (const char *p = eq + 1;; ) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        while (len && isspace((unsigned char)*p))
            p++, len--;
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        st = is_clock(p, len) ? SLAB_ENOTFOUND : range_expand(p, len, where, &l, err);
        if (st == SLAB_ENOTFOUND && (st = vlist_push(&l, err)) == SLAB_OK)
            st = value_set(&l.v[l.n - 1], p, len, where, err);
        if (st != SLAB_OK || !c)
            break;
        p = c + 1;
    }
    if (st == SLAB_OK)
        st = check_repeats(&l, where, err);
    if (st != SLAB_OK) {
        slab_free(l.v);
        return st;
    }
    slab_grid_axis *ax = &g->axes[g->n_axes++];
    snprintf(ax->name, sizeof ax->name, "%.*s", (int)(eq - spec), spec);
    ax->values = l.v;
    ax->n = l.n;
    return SLAB_OK;
}

/* ---- constraint and samples --------------------------------------------- */

slab_status slab_grid_set_where(slab_grid *g, const char *expr, const char *const *fixed_names,
                                const double *fixed_values, size_t n_fixed, slab_error *err)
{
    slab__where *w = slab_malloc(sizeof *w);
    size_t len;
    if (!w)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the constraint");
    slab_status st = slab__where_compile(expr, g, fixed_names, fixed_values, n_fixed, w, err);
    if (st != SLAB_OK) {
        slab_free(w);
        return st;
    }
    while (isspace((unsigned char)*expr))
        expr++;
    for (len = strlen(expr); len && isspace((unsigned char)expr[len - 1]); len--)
        ;
    char *text = slab_malloc(len + 1);
    if (!text) {
        slab_free(w);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the constraint");
    }
    memcpy(text, expr, len);
    text[len] = '\0';
    slab_free(g->where);
    slab_free(g->where_text);
    g->where = w;
    g->where_text = text;
    return SLAB_OK;
}

void slab_grid_set_samples(slab_grid *g, uint64_t n, uint64_t seed)
{
    g->samples = n;
    g->seed = seed;
}

/* splitmix64 (Steele, Lea, Flood 2014): the sample's generator. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform integer in [0, n) without bias: draws above the largest
 * multiple of n are drawn again. */
static uint64_t bounded(uint64_t *state, uint64_t n)
{
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = splitmix64(state);
    while (x >= limit);
    return x % n;
}

/* Value indexes of full-grid index f (last axis fastest). */
static void decode(const slab_grid *g, uint64_t f, size_t *idx)
{
    for (size_t k = g->n_axes; k-- > 0;) {
        idx[k] = (size_t)(f % g->axes[k].n);
        f /= g->axes[k].n;
    }
}

int slab_grid_passes(const slab_grid *g, const size_t *idx)
{
    if (!g->where)
        return 1;
    double v = slab__where_eval(g->where, g, idx);
    return v != 0.0 && !isnan(v);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Open-addressing set of drawn indexes (capacity a power of two). */
static int set_insert(uint64_t *set, size_t mask, uint64_t key)
{
    size_t h = (size_t)((key + 1) * 0x9E3779B97F4A7C15ULL) & mask;
    for (; set[h]; h = (h + 1) & mask)
        if (set[h] == key + 1)
            return 0;
    set[h] = key + 1;
    return 1;
}

/* Draws the sample into g->drawn (sorted). */
static slab_status draw(slab_grid *g, slab_error *err)
{
    size_t cap = 16, idx[SLAB_GRID_MAX_AXES];
    uint64_t state = g->seed, tries = 0, max_tries = g->samples * 100 + 1000;
    while (cap < g->samples * 2)
        cap *= 2;
    uint64_t *set = slab_calloc(cap, sizeof *set);
    g->drawn = slab_malloc((size_t)g->samples * sizeof *g->drawn);
    if (!set || !g->drawn) {
        slab_free(set);
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for %" PRIu64 " samples",
                              g->samples);
    }
    uint64_t got = 0;
    while (got < g->samples && tries++ < max_tries) {
        uint64_t f = 0;
        for (size_t k = 0; k < g->n_axes; k++) {
            idx[k] = (size_t)bounded(&state, g->axes[k].n);
            f = f * g->axes[k].n + idx[k];
        }
        if (slab_grid_passes(g, idx) && set_insert(set, cap - 1, f))
            g->drawn[got++] = f;
    }
    slab_free(set);
    if (got < g->samples)
        return slab_error_set(err, SLAB_EINVAL, "--samples",
                              "only %" PRIu64 " distinct combinations satisfying --where were "
                              "found in %" PRIu64 " draws; ask for fewer samples or loosen "
                              "--where",
                              got, max_tries);
    qsort(g->drawn, (size_t)g->samples, sizeof *g->drawn, cmp_u64);
    return SLAB_OK;
}

/* Appends printf text to the growing string *s (length *len). */
static slab_status cat(char **s, size_t *len, size_t *cap, const char *text)
{
    size_t n = strlen(text);
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;
        char *g = slab_realloc(*s, c);
        if (!g)
            return SLAB_ENOMEM;
        *s = g;
        *cap = c;
    }
    memcpy(*s + *len, text, n + 1);
    *len += n;
    return SLAB_OK;
}

/* The canonical text: "name=v1,v2;name2=...|where=...|samples=N,seed=S". */
static slab_status canonical(slab_grid *g, slab_error *err)
{
    size_t len = 0, cap = 0;
    char buf[128];
    slab_status st = SLAB_OK;
    for (size_t k = 0; k < g->n_axes && st == SLAB_OK; k++) {
        st = cat(&g->canonical, &len, &cap, k ? ";" : "");
        st = st ? st : cat(&g->canonical, &len, &cap, g->axes[k].name);
        for (size_t j = 0; j < g->axes[k].n && st == SLAB_OK; j++) {
            st = cat(&g->canonical, &len, &cap, j ? "," : "=");
            st = st ? st : cat(&g->canonical, &len, &cap, g->axes[k].values[j].text);
        }
    }
    if (st == SLAB_OK && g->where_text) {
        st = cat(&g->canonical, &len, &cap, "|where=");
        st = st ? st : cat(&g->canonical, &len, &cap, g->where_text);
    }
    if (st == SLAB_OK && g->samples) {
        snprintf(buf, sizeof buf, "|samples=%" PRIu64 ",seed=%" PRIu64, g->samples, g->seed);
        st = cat(&g->canonical, &len, &cap, buf);
    }
    return st == SLAB_OK ? SLAB_OK
                         : slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the grid");
}

slab_status slab_grid_finish(slab_grid *g, slab_error *err)
{
    size_t idx[SLAB_GRID_MAX_AXES];
    slab_status st;
    if (g->finished)
        return SLAB_OK;
    if (g->n_axes == 0)
        return slab_error_set(err, SLAB_EINVAL, "--param",
                              "a sweep needs at least one --param name=LIST");
    g->full = 1;
    for (size_t k = 0; k < g->n_axes; k++)
        g->full = g->full > UINT64_MAX / g->axes[k].n ? UINT64_MAX : g->full * g->axes[k].n;
    if (g->samples) {
        if (g->full <= SLAB_GRID_MAX_RUN) {
            uint64_t pass = g->where ? 0 : g->full;
            for (uint64_t f = 0; g->where && f < g->full; f++) {
                decode(g, f, idx);
                pass += (uint64_t)slab_grid_passes(g, idx);
            }
            if (g->samples > pass)
                return slab_error_set(err, SLAB_EINVAL, "--samples",
                                      "%" PRIu64 " samples asked, but the grid has %" PRIu64
                                      " combinations%s; leave out --samples to run them all",
                                      g->samples, pass, g->where ? " satisfying --where" : "");
        } else if (g->full == UINT64_MAX) {
            return slab_error_set(err, SLAB_ELIMIT, "--param",
                                  "the grid has more than 2^64 combinations; use fewer values");
        }
        if ((st = draw(g, err)) != SLAB_OK)
            return st;
        g->count = g->samples;
    } else if (g->full > SLAB_GRID_MAX_RUN) {
        return slab_error_set(err, SLAB_ELIMIT, "--param",
                              "the grid has %s%" PRIu64 " combinations, too many to run all "
                              "(limit %llu); draw some with --samples N --seed S",
                              g->full == UINT64_MAX ? "more than " : "", g->full,
                              (unsigned long long)SLAB_GRID_MAX_RUN);
    } else if (g->where) {
        g->count = 0;
        for (uint64_t f = 0; f < g->full; f++) {
            decode(g, f, idx);
            g->count += (uint64_t)slab_grid_passes(g, idx);
        }
        if (g->count == 0)
            return slab_error_set(err, SLAB_EINVAL, "--where",
                                  "no combination of the grid satisfies '%s'", g->where_text);
    } else {
        g->count = g->full;
    }
    if ((st = canonical(g, err)) != SLAB_OK)
        return st;
    g->finished = 1;
    return SLAB_OK;
}

/* ---- reading ------------------------------------------------------------ */

size_t slab_grid_n_axes(const slab_grid *g) { return g->n_axes; }

const slab_grid_axis *slab_grid_axis_at(const slab_grid *g, size_t k)
{
    return k < g->n_axes ? &g->axes[k] : NULL;
}

int slab_grid_axis_find(const slab_grid *g, const char *name)
{
    for (size_t k = 0; k < g->n_axes; k++)
        if (!strcmp(g->axes[k].name, name))
            return (int)k;
    return -1;
}

uint64_t slab_grid_count(const slab_grid *g) { return g->count; }
uint64_t slab_grid_full_count(const slab_grid *g) { return g->full; }
const char *slab_grid_canonical(const slab_grid *g) { return g->canonical ? g->canonical : ""; }

void slab_grid_cursor_init(slab_grid_cursor *c, const slab_grid *g, uint64_t lo, uint64_t hi)
{
    memset(c, 0, sizeof *c);
    c->g = g;
    c->end = hi < g->count ? hi : g->count;
    c->pos = lo;
    if (g->samples || !g->where) {
        c->full = lo; /* for samples: an index into drawn[] until next() */
        return;
    }
    /* Scan to the lo-th passing combination; full is the next to test. */
    uint64_t seen = 0, f = 0;
    for (; f < g->full && seen < lo; f++) {
        decode(g, f, c->idx);
        seen += (uint64_t)slab_grid_passes(g, c->idx);
    }
    c->full = f;
}

int slab_grid_cursor_next(slab_grid_cursor *c)
{
    const slab_grid *g = c->g;
    if (c->started)
        c->pos++;
    if (c->pos >= c->end)
        return 0;
    if (g->samples) {
        c->full = g->drawn[c->pos];
        decode(g, c->full, c->idx);
    } else if (!g->where) {
        c->full = c->pos;
        decode(g, c->full, c->idx);
    } else {
        uint64_t f = c->started ? c->full + 1 : c->full;
        for (; f < g->full; f++) {
            decode(g, f, c->idx);
            if (slab_grid_passes(g, c->idx))
                break;
        }
        if (f >= g->full)
            return 0;
        c->full = f;
    }
    c->started = 1;
    return 1;
}

void slab_grid_shard(uint64_t count, uint64_t i, uint64_t n, uint64_t *lo, uint64_t *hi)
{
    *lo = (uint64_t)((unsigned __int128)count * (i - 1) / n);
    *hi = (uint64_t)((unsigned __int128)count * i / n);
}

slab_status slab_grid_shard_parse(const char *s, uint64_t *i, uint64_t *n, slab_error *err)
{
    char *end;
    unsigned long long a, b;
    if (!isdigit((unsigned char)s[0]))
        goto bad;
    a = strtoull(s, &end, 10);
    if (*end != '/' || !isdigit((unsigned char)end[1]))
        goto bad;
    b = strtoull(end + 1, &end, 10);
    if (*end || b == 0 || b > 1000000 || a == 0 || a > b)
        goto bad;
    *i = a;
    *n = b;
    return SLAB_OK;
bad:
    return slab_error_set(err, SLAB_EINVAL, "--shard",
                          "'%s' is not i/N with 1 <= i <= N <= 1000000 (e.g. --shard 3/16)", s);
}

int slab_grid_is_list(const char *value)
{
    vlist l = {0};
    slab_error err;
    size_t len = strlen(value);
    if (strchr(value, ','))
        return 1;
    if (is_clock(value, len))
        return 0;
    slab_status st = range_expand(value, len, "", &l, &err);
    slab_free(l.v);
    return st != SLAB_ENOTFOUND; /* a range, or a malformed one (its error shows later) */
}
