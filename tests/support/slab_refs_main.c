/* slab_refs_main.c: `slab_refs`, the reference files the tests read
 * (slab_refs.c), for .ci/run and the suite's skip test. Not linked into
 * the test executables.
 *   slab_refs --list          every path, relative to ../shared, one a line
 *   slab_refs --check DIR     exit 0 when DIR holds them all; else one line
 *                             naming DIR or the missing files, exit 1 */
#include "slab_refs.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* What --check found missing. */
typedef struct missing {
    const char *dir;
    size_t n;         /* files missing */
    char names[1024]; /* the first of them, comma separated */
} missing;

static void print_rel(const char *rel, void *arg)
{
    (void)arg;
    printf("%s\n", rel);
}

static void check_rel(const char *rel, void *arg)
{
    missing *m = arg;
    char path[2048];
    struct stat st;
    size_t len = strlen(m->names);

    snprintf(path, sizeof path, "%s/%s", m->dir, rel);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        return;
    if (m->n++ < 6 && len + strlen(rel) + 3 < sizeof m->names)
        snprintf(m->names + len, sizeof m->names - len, "%s%s", len ? ", " : "", rel);
}

int main(int argc, char **argv)
{
    struct stat st;
    missing m = {0};

    if (argc == 2 && !strcmp(argv[1], "--list")) {
        slab_refs_each(print_rel, NULL);
        return 0;
    }
    if (argc != 3 || strcmp(argv[1], "--check") != 0) {
        fprintf(stderr, "usage: slab_refs --list | --check SHARED_DIR\n");
        return 2;
    }
    m.dir = argv[2];
    if (stat(m.dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("missing: %s, the reference data (../shared) the parity tests need; put it beside "
               "the clone or set SLAB_SHARED\n",
               m.dir);
        return 1;
    }
    slab_refs_each(check_rel, &m);
    if (m.n == 0)
        return 0;
    printf("missing: %zu reference file(s) under %s that the tests read: %s%s (listed in "
           "tests/support/slab_refs.c)\n",
           m.n, m.dir, m.names, m.n > 6 ? ", ..." : "");
    return 1;
}
