/* json_compare.h: recursive comparison of a result JSON against a
 * reference JSON (backtrader's), for the parity tests. */
#ifndef SLAB_JSON_COMPARE_H
#define SLAB_JSON_COMPARE_H

#include <jansson.h>
#include <stddef.h>

/* Compares got with want recursively. Numbers (int or real) agree within
 * rel relative or abs_tol absolute (both 0: the same double bit for bit,
 * slab_test_same); the string "NaN" in want matches null
 * or NaN in got; key sets must be equal. Returns the number of
 * differences; the first few are described in msg ("path: got X, want Y"). */
int slab_json_compare(json_t *got, json_t *want, const char *path, double rel, double abs_tol,
                      char *msg, size_t msg_len);

#endif
