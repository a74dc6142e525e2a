/* slab_test.h: helpers shared by the cmocka tests: where ../shared is,
 * skipping when it is absent, relative-tolerance comparison that prints
 * both values, and reading the reference files. */
#ifndef SLAB_TEST_H
#define SLAB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* Path of ../shared (env SLAB_SHARED), or NULL when it is not there. */
const char *slab_test_shared(void);
/* Writes shared/<rel> into buf; returns buf, or NULL when shared is absent. */
const char *slab_test_shared_path(const char *rel, char *buf, size_t n);
/* Skips the current test with a message when ../shared is absent. */
#define SLAB_REQUIRE_SHARED()                                                                      \
    do {                                                                                           \
        if (!slab_test_shared()) {                                                                 \
            print_message(                                                                         \
                "SKIP: ../shared is absent (set SLAB_SHARED); reference test not run\n");          \
            skip();                                                                                \
        }                                                                                          \
    } while (0)

/* 1 when a and b agree within rel relative (abs near zero); NaN == NaN. */
int slab_test_close(double a, double b, double rel, double abs_tol);
/* Fails the test, printing what/index and both values, when they differ. */
void slab_test_expect_close(const char *what, long index, double got, double want, double rel,
                            double abs_tol);

/* A scratch directory for this test process (created; env SLAB_TMP). */
const char *slab_test_tmpdir(void);

#endif
