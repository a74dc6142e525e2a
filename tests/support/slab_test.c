/* slab_test.c: see slab_test.h. */
#include "slab_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *slab_test_shared(void)
{
    static char path[1024];
    const char *env = getenv("SLAB_SHARED");
    struct stat st;

    if (!env || !*env)
        env = "../shared";
    snprintf(path, sizeof path, "%s/reference", env);
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    snprintf(path, sizeof path, "%s", env);
    return path;
}

const char *slab_test_shared_path(const char *rel, char *buf, size_t n)
{
    const char *root = slab_test_shared();
    if (!root)
        return NULL;
    snprintf(buf, n, "%s/%s", root, rel);
    return buf;
}

int slab_test_close(double a, double b, double rel, double abs_tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    if (isinf(a) || isinf(b))
        return a == b;
    double d = fabs(a - b);
    if (d <= abs_tol)
        return 1;
    double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
    return d <= rel * m;
}

void slab_test_expect_close(const char *what, long index, double got, double want, double rel,
                            double abs_tol)
{
    if (slab_test_close(got, want, rel, abs_tol))
        return;
    fail_msg("%s [%ld]: got %.17g, want %.17g (diff %.3g)", what, index, got, want,
             fabs(got - want));
}

const char *slab_test_tmpdir(void)
{
    static char path[1024];
    const char *base = getenv("SLAB_TMP");
    if (path[0])
        return path;
    if (!base || !*base)
        base = "/tmp";
    mkdir(base, 0755);
    snprintf(path, sizeof path, "%s/t%ld", base, (long)getpid());
    mkdir(path, 0755);
    return path;
}
