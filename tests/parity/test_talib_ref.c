/* test_talib_ref.c: every TA-Lib reference vector against the indicator
 * table. For each row of ../shared/reference/indicators/<dataset>/talib/
 * manifest.csv whose function is in the table, the kernel runs with the
 * manifest's parameters on input.csv's columns and every output must match:
 * |a-b| <= 1e-12*max(1,|a|) (1e-9 for the running-sum statistics: VAR,
 * STDDEV, BBANDS, CORREL, BETA, the LINEARREG family), NaN exactly where
 * TA-Lib has none. Functions missing from the table are printed as "not
 * implemented" and do not fail the test. Values are read at run time only. */
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

static int loose_tolerance(const char *fn)
{
    static const char *loose[] = {"VAR", "STDDEV", "BBANDS", "CORREL", "BETA", "TSF"};
    if (!strncmp(fn, "LINEARREG", 9))
        return 1;
    for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++)
        if (!strcmp(fn, loose[i]))
            return 1;
    return 0;
}

typedef struct counts {
    int pass, fail, missing;
} counts;

/* Compares one reference file; prints its line. Returns 1 when it passes. */
static int check_file(const char *dir, const table *in, char **f, counts *c)
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
        print_message("  %-40s not implemented\n", file);
        c->missing++;
        return 1;
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
    snprintf(path, sizeof path, "%s/talib/%s", dir, file);
    /* Parameters TA-Lib does not have (flat) keep their defaults. */
    for (int k = np; k < def->n_params && k < SLAB_IND_MAX_PARAMS; k++)
        p[k] = def->params[k].def;
    if (!ok || ni != def->n_inputs || np > def->n_params || table_load(path, &ref) != 0 ||
        ref.n != in->n || ref.n_cols != 2 + def->n_outputs) {
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
    double tol = loose_tolerance(fn) ? 1e-9 : 1e-12, worst = 0.0;
    for (int k = 0; ok && k < def->n_outputs; k++) {
        const double *want = ref.col[2 + k];
        for (size_t i = 0; i < in->n; i++) {
            double a = out[k][i], b = want[i];
            double d = fabs(a - b) / fmax(1.0, fabs(b));
            if (isnan(a) != isnan(b) || (!isnan(b) && !(d <= tol))) {
                print_message("  %-40s FAIL: %s first differs at index %zu: got %.17g, want "
                              "%.17g\n",
                              file, ref.names[2 + k], i, a, b);
                ok = 0;
                break;
            }
            if (!isnan(b) && d > worst)
                worst = d;
        }
    }
    if (ok)
        print_message("  %-40s pass (max rel diff %.3g)\n", file, worst);
    ok ? c->pass++ : c->fail++;
    for (int k = 0; k < def->n_outputs; k++)
        free(out[k]);
    table_free(&ref);
    return ok;
}

static void run_dataset(const char *name)
{
    char dir[1024], path[1200], line[LINE_MAX_LEN], rel[256];
    table in;
    counts c = {0, 0, 0};

    SLAB_REQUIRE_SHARED();
    snprintf(rel, sizeof rel, "reference/indicators/%s", name);
    assert_non_null(slab_test_shared_path(rel, dir, sizeof dir));
    snprintf(path, sizeof path, "%s/input.csv", dir);
    assert_int_equal(table_load(path, &in), 0);
    snprintf(path, sizeof path, "%s/talib/manifest.csv", dir);
    FILE *m = fopen(path, "r");
    assert_non_null(m);
    print_message("%s:\n", name);
    assert_non_null(fgets(line, sizeof line, m));
    while (fgets(line, sizeof line, m)) {
        char *f[8];
        line[strcspn(line, "\r\n")] = '\0';
        if (split_manifest(line, f, 8) >= 5)
            check_file(dir, &in, f, &c);
    }
    fclose(m);
    table_free(&in);
    print_message("%s: %d pass, %d fail, %d not implemented\n", name, c.pass, c.fail, c.missing);
    assert_int_equal(c.fail, 0);
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
