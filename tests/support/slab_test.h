/* slab_test.h: helpers shared by the cmocka tests: where ../shared is,
 * skipping when it is absent, opening its reference files, relative-
 * tolerance comparison that prints both values.
 *
 * The rules for a test that reads ../shared (tests/README.md says more):
 *  - It lives in tests/parity/ (CTest label "shared"); unit tests never
 *    read ../shared.
 *  - It starts with SLAB_REQUIRE_SHARED(). When ../shared is absent (a
 *    user's clone) the test is skipped and the process exits 77, which
 *    CTest (SKIP_RETURN_CODE) counts as Skipped, never as Passed. Under
 *    SLAB_SHARED_REQUIRED=1 (what .ci/run sets) it fails instead.
 *  - It opens every file through slab_test_ref(), and every file it reads
 *    is listed in tests/support/slab_refs.c: a file missing from a present
 *    ../shared fails the test, and .ci/run names it before the build. */
#ifndef SLAB_TEST_H
#define SLAB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stratlab/data.h"

/* Exit status of a test process that skipped (CTest SKIP_RETURN_CODE). */
#define SLAB_TEST_SKIP_CODE 77

/* Path of ../shared (env SLAB_SHARED), or NULL when it is not there
 * (no SLAB_SHARED/reference directory). */
const char *slab_test_shared(void);
/* Writes shared/<rel> into buf; returns buf, or NULL when shared is absent.
 * Does not check that the file exists: prefer slab_test_ref(). */
const char *slab_test_shared_path(const char *rel, char *buf, size_t n);
/* Writes shared/<rel> into buf and returns it. Skips the test when
 * ../shared is absent (as SLAB_REQUIRE_SHARED does); fails it, naming the
 * file, when ../shared is there but the file is not. */
const char *slab_test_ref(const char *rel, char *buf, size_t n);

/* Skips the current test with a message when ../shared is absent, and
 * makes the process exit 77 (Skipped) unless a test failed; fails the
 * test instead when SLAB_SHARED_REQUIRED=1. */
void slab_test_require_shared(void);
#define SLAB_REQUIRE_SHARED() slab_test_require_shared()
/* 1 when some test of this process was skipped for a missing ../shared. */
int slab_test_skipped(void);

/* 1 when a and b agree within rel relative (abs near zero); NaN == NaN. */
int slab_test_close(double a, double b, double rel, double abs_tol);
/* Fails the test, printing what/index and both values, when they differ. */
void slab_test_expect_close(const char *what, long index, double got, double want, double rel,
                            double abs_tol);
/* 1 when a and b are the same double bit for bit, NaN matching any NaN
 * (+0 and -0 differ: a result that should be exact must be exactly it). */
int slab_test_same(double a, double b);

/* A scratch directory for this test process (created; env SLAB_TMP). */
const char *slab_test_tmpdir(void);

/* One session of one-minute bars of sym on 2025-07-01 (owned): bar i at
 * hhmm[i] (930 = 09:30), opening px[2i] and closing px[2i + 1], its high
 * and low the larger and smaller of the two, volume 100. */
slab_bars *slab_test_minute_bars(const char *sym, const int *hhmm, const double *px, size_t n);

#endif
