/* slab_test.c: see slab_test.h. */
#include "slab_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Tests of this process skipped for a missing ../shared. */
static int n_skipped;

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

/* on_exit handler: a process that skipped tests and failed none exits 77,
 * which CTest counts as Skipped; a failing one exits 1 whatever its count
 * (cmocka returns the number of failures, and 256 of them would read as 0
 * once truncated to an exit status). */
static void exit_skipped(int status, void *arg)
{
    (void)arg;
    fflush(NULL);
    _exit(status != 0 ? 1 : SLAB_TEST_SKIP_CODE);
}

void slab_test_require_shared(void)
{
    const char *req = getenv("SLAB_SHARED_REQUIRED");

    if (slab_test_shared())
        return;
    if (req && !strcmp(req, "1"))
        fail_msg("../shared is absent (SLAB_SHARED=%s) and SLAB_SHARED_REQUIRED=1: the reference "
                 "tests must run here",
                 getenv("SLAB_SHARED") ? getenv("SLAB_SHARED") : "(unset)");
    if (n_skipped++ == 0)
        on_exit(exit_skipped, NULL);
    print_message("SKIP: ../shared is absent (set SLAB_SHARED to the reference data); this "
                  "reference test did not run\n");
    skip();
}

int slab_test_skipped(void)
{
    return n_skipped > 0;
}

const char *slab_test_ref(const char *rel, char *buf, size_t n)
{
    struct stat st;

    slab_test_require_shared();
    slab_test_shared_path(rel, buf, n);
    if (stat(buf, &st) != 0)
        fail_msg("reference file missing: %s (../shared is incomplete; every file the tests "
                 "read is listed in tests/support/slab_refs.c)",
                 buf);
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

int slab_test_same(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
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

slab_bars *slab_test_minute_bars(const char *sym, const int *hhmm, const double *px, size_t n)
{
    slab_error err;
    slab_bars *b = slab_bars_new(0);
    int64_t day = slab_days_from_civil(2025, 7, 1) * SLAB_NS_PER_DAY;
    assert_non_null(b);
    b->timeframe = SLAB_TF_MINUTES;
    b->compression = 1;
    snprintf(b->symbol, sizeof b->symbol, "%s", sym);
    for (size_t i = 0; i < n; i++) {
        int64_t t = day + (int64_t)(hhmm[i] / 100 * 60 + hhmm[i] % 100) * 60 * SLAB_NS_PER_SEC;
        double hi = px[2 * i] > px[2 * i + 1] ? px[2 * i] : px[2 * i + 1];
        double lo = px[2 * i] < px[2 * i + 1] ? px[2 * i] : px[2 * i + 1];
        assert_int_equal(slab_bars_push(b, t, px[2 * i], hi, lo, px[2 * i + 1], 100, 0, &err),
                         SLAB_OK);
    }
    return b;
}
