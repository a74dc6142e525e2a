/* test_talib_ref.c: every TA-Lib reference vector against the indicator
 * table. Each dataset's ../shared/reference/indicators/<dataset>/talib/
 * manifest.csv must hold exactly the 78 calls of slab_refs_talib (a row
 * missing, an unknown row, a file missing or a function missing from our
 * table fails); each call runs the kernel with the manifest's parameters
 * on input.csv's columns, and every output must be bit-identical to
 * TA-Lib's (the files are written with repr, so they round-trip), NaN
 * exactly where TA-Lib has none. Measured: all 156 files equal to the bit
 * (max difference 0). Values are read at run time only. */
#include "slab_refs.h"
#include "slab_test.h"
#include "stratlab/ind.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_COLS 8
#define LINE_MAX_LEN 4096

/* A CSV's columns of doubles, by header name (owned). */
typedef struct table {
    int n_cols;
    char names[MAX_COLS][32];
    double *col[MAX_COLS];
    size_t n, cap;
} table;

static void table_free(table *t)
{
    for (int k = 0; k < t->n_cols; k++)
        free(t->col[k]);
}

/* Reads a numeric CSV with a header (non-numeric cells read as NaN).
 * Returns 0, or -1 when the file cannot be read. */
static int table_load(const char *path, table *t)
{
    char line[LINE_MAX_LEN];
    FILE *f = fopen(path, "r");
    memset(t, 0, sizeof *t);
    if (!f || !fgets(line, sizeof line, f)) {
        if (f)
            fclose(f);
        return -1;
    }
    for (char *tok = strtok(line, ",\r\n"); tok && t->n_cols < MAX_COLS;
         tok = strtok(NULL, ",\r\n"))
        snprintf(t->names[t->n_cols++], sizeof t->names[0], "%s", tok);
    while (fgets(line, sizeof line, f)) {
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 8192;
            for (int k = 0; k < t->n_cols; k++)
                t->col[k] = realloc(t->col[k], t->cap * sizeof(double));
        }
        char *p = line;
        for (int k = 0; k < t->n_cols; k++) {
            char *end;
            double v = strtod(p, &end);
            t->col[k][t->n] = end == p ? NAN : v;
            p = strchr(p, ',');
            p = p ? p + 1 : end;
        }
        t->n++;
    }
    fclose(f);
    return 0;
}

static const double *table_col(const table *t, const char *name)
{
    for (int k = 0; k < t->n_cols; k++)
        if (!strcasecmp(t->names[k], name))
            return t->col[k];
    return NULL;
}

/* TA-Lib MA type names as the manifest writes them. */
static double param_value(const char *s)
{
    static const char *types[] = {"SMA",   "EMA",  "WMA",  "DEMA", "TEMA",
                                  "TRIMA", "KAMA", "MAMA", "T3"};
    for (int i = 0; i < 9; i++)
        if (!strcmp(s, types[i]))
            return i;
    return strtod(s, NULL);
}

/* Splits one manifest line (file,function,"params",inputs,outputs,...)
 * into fields; the quoted params field keeps its commas. */
static int split_manifest(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (n < max && p) {
        if (*p == '"') {
            fields[n++] = ++p;
            p = strchr(p, '"');
            if (!p)
                break;
            *p++ = '\0';
        } else {
            fields[n++] = p;
        }
        p = strchr(p, ',');
        if (p)
            *p++ = '\0';
    }
    return n;
}

typedef struct counts {
    int pass, fail;
    int seen[SLAB_REFS_N_TALIB]; /* manifest rows per slab_refs_talib entry */
} counts;

/* Compares one reference file; prints its line. Returns 1 when it passes. */
static int check_file(const char *set, const table *in, char **f, counts *c)
{
    const char *file = f[0], *fn = f[1];
    const slab_ind_def *def = slab_ind_find(fn, NULL);
    char path[2048], buf[256];
    double p[SLAB_IND_MAX_PARAMS];
    const double *src[SLAB_IND_MAX_INPUTS];
    double *out[SLAB_IND_MAX_OUTPUTS] = {0};
    table ref;
    int np = 0, ni = 0, ok = 1;

    if (!def || strcmp(def->name, fn) != 0) {
        print_message("  %-40s FAIL: %s is not in the indicator table\n", file, fn);
        c->fail++;
        return 0;
    }
    snprintf(buf, sizeof buf, "%s", f[2]);
    for (char *tok = strtok(buf, ","); tok && np < SLAB_IND_MAX_PARAMS; tok = strtok(NULL, ","))
        p[np++] = param_value(tok);
    snprintf(buf, sizeof buf, "%s", f[3]);
    for (char *tok = strtok(buf, "|"); tok && ni < SLAB_IND_MAX_INPUTS; tok = strtok(NULL, "|")) {
        src[ni] = table_col(in, tok);
        if (!src[ni] || (strncmp(def->inputs[ni], "real", 4) && strcmp(def->inputs[ni], tok)))
            ok = 0;
        ni++;
    }
    snprintf(buf, sizeof buf, "reference/indicators/%s/talib/%s", set, file);
    if (table_load(slab_test_shared_path(buf, path, sizeof path), &ref) != 0) {
        print_message("  %-40s FAIL: reference file missing or empty: %s\n", file, path);
        c->fail++;
        return 0;
    }
    /* Parameters TA-Lib does not have (flat) keep their defaults. */
    for (int k = np; k < def->n_params && k < SLAB_IND_MAX_PARAMS; k++)
        p[k] = def->params[k].def;
    if (!ok || ni != def->n_inputs || np > def->n_params || ref.n != in->n ||
        ref.n_cols != 2 + def->n_outputs) {
        table_free(&ref);
        print_message("  %-40s FAIL: inputs/params/outputs do not match the table\n", file);
        c->fail++;
        return 0;
    }
    for (int k = 0; k < def->n_outputs; k++)
        out[k] = malloc(in->n * sizeof(double));
    slab_error err;
    if (def->fn(src, in->n, p, out, &err) != SLAB_OK) {
        print_message("  %-40s FAIL: %s\n", file, err.msg);
        ok = 0;
    }
    for (int k = 0; ok && k < def->n_outputs; k++) {
        const double *want = ref.col[2 + k];
        for (size_t i = 0; i < in->n; i++) {
            double a = out[k][i], b = want[i];
            if (!slab_test_same(a, b)) {
                print_message("  %-40s FAIL: %s first differs at index %zu: got %.17g, want "
                              "%.17g (diff %.3g)\n",
                              file, ref.names[2 + k], i, a, b, fabs(a - b));
                ok = 0;
                break;
            }
        }
    }
    if (ok)
        print_message("  %-40s pass (bit-identical)\n", file);
    ok ? c->pass++ : c->fail++;
    for (int k = 0; k < def->n_outputs; k++)
        free(out[k]);
    table_free(&ref);
    return ok;
}

/* Checks one manifest row against the fixed list, then its file. */
static void check_row(const char *set, const table *in, char **f, counts *c)
{
    int k = slab_refs_find(slab_refs_talib, SLAB_REFS_N_TALIB, f[0]);
    if (k < 0) {
        print_message("  %-40s FAIL: not in the fixed list slab_refs_talib (add it there)\n", f[0]);
        c->fail++;
        return;
    }
    if (c->seen[k]++) {
        print_message("  %-40s FAIL: listed twice in the manifest\n", f[0]);
        c->fail++;
        return;
    }
    check_file(set, in, f, c);
}

static void run_dataset(const char *name)
{
    char path[1200], line[LINE_MAX_LEN], rel[256];
    table in;
    counts c;

    memset(&c, 0, sizeof c);
    SLAB_REQUIRE_SHARED();
    snprintf(rel, sizeof rel, "reference/indicators/%s/input.csv", name);
    assert_int_equal(table_load(slab_test_ref(rel, path, sizeof path), &in), 0);
    snprintf(rel, sizeof rel, "reference/indicators/%s/talib/manifest.csv", name);
    FILE *m = fopen(slab_test_ref(rel, path, sizeof path), "r");
    assert_non_null(m);
    print_message("%s:\n", name);
    assert_non_null(fgets(line, sizeof line, m));
    while (fgets(line, sizeof line, m)) {
        char *f[8];
        line[strcspn(line, "\r\n")] = '\0';
        if (split_manifest(line, f, 8) >= 5) {
            check_row(name, &in, f, &c);
        } else if (line[0]) {
            print_message("  FAIL: manifest line not understood: %s\n", line);
            c.fail++;
        }
    }
    fclose(m);
    table_free(&in);
    for (size_t k = 0; k < SLAB_REFS_N_TALIB; k++)
        if (!c.seen[k]) {
            print_message("  %-40s FAIL: in the fixed list but not in the manifest\n",
                          slab_refs_talib[k]);
            c.fail++;
        }
    print_message("%s: %d of %d calls pass, %d failures\n", name, c.pass, SLAB_REFS_N_TALIB,
                  c.fail);
    assert_int_equal(c.fail, 0);
    assert_int_equal(c.pass, SLAB_REFS_N_TALIB);
}

static void test_orcl(void **state)
{
    (void)state;
    run_dataset("orcl-1995-2014");
}

static void test_edge_cases(void **state)
{
    (void)state;
    run_dataset("edge_cases_400");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orcl),
        cmocka_unit_test(test_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
