/* test_spec_invalid.c: the corpus of invalid specs. Each file
 * tests/specs/invalid/NAME.json is paired with NAME.expected, the exact
 * diagnostics `stratlab validate` prints for it (without the file name):
 * one item per problem, "LINE:COL: severity: POINTER column N: message"
 * and its "fix:" line. The expected files were written by hand from what
 * each spec gets wrong; a difference prints both texts. Every spec of the
 * corpus must be invalid (at least one error). */
#include "slab_test.h"

#include "stratlab/spec.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void corpus(void **state)
{
    (void)state;
    char dir[1024], path[1200];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    *strrchr(dir, '/') = '\0';
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/../specs/invalid");
    DIR *d = opendir(dir);
    assert_non_null(d);
    char *names[512];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".json"))
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], by_name);
    int failures = 0;
    for (size_t k = 0; k < n; k++) {
        size_t len = 0, elen = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        char *text = slurp(path, &len);
        assert_non_null(text);
        snprintf(path + strlen(path) - 5, 16, ".expected");
        char *want = slurp(path, &elen);
        if (!want)
            fail_msg("%s has no .expected file", names[k]);
        while (elen && (want[elen - 1] == '\n' || want[elen - 1] == '\r'))
            want[--elen] = '\0';
        slab_diags dg;
        slab_spec *spec = NULL;
        slab_diags_init(&dg);
        slab_status st = slab_spec_compile(text, len, &spec, &dg);
        char got[16384] = "", line[2048];
        for (size_t i = 0; i < dg.n; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", i ? "\n" : "",
                     slab_diag_format(&dg.items[i], NULL, line, sizeof line));
        if (st != SLAB_EINVAL || dg.n_errors == 0) {
            print_message("%s: expected an invalid spec, got status %d with %zu error(s)\n",
                          names[k], st, dg.n_errors);
            failures++;
        } else if (strcmp(got, want)) {
            print_message("%s: diagnostics differ\n--- got:\n%s\n--- want:\n%s\n", names[k], got,
                          want);
            failures++;
        }
        slab_spec_free(spec);
        slab_diags_clear(&dg);
        free(text);
        free(want);
    }
    print_message("%zu invalid specs, each with its exact diagnostics; %d differ\n", n, failures);
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    assert_true(n >= 40);
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(corpus)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
