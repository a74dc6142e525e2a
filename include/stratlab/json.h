/* json.h: writing JSON documents the stratlab way (core's JSON helpers).
 * jansson prints a real with a fixed 17 significant digits (or the
 * precision JSON_REAL_PRECISION asks for), so 33.9510001 comes out as
 * 33.951000099999998; these writers print every real as the shortest text
 * that reads back to the same double (slab_num_format(), with ".0" kept on
 * whole numbers so a real stays a real), and are otherwise byte for byte
 * jansson's layout for the same flags. Every JSON stratlab prints goes
 * through them. Also: an error as a JSON object (the CLI's and the
 * service's error document). */
#ifndef STRATLAB_JSON_H
#define STRATLAB_JSON_H

#include <jansson.h>
#include <stdio.h>

#include "stratlab/core.h"

/* Flags: jansson's JSON_INDENT(n), JSON_COMPACT, JSON_SORT_KEYS and
 * JSON_ENCODE_ANY (any value at the top, not only an object or array);
 * others are ignored. Objects keep their insertion order unless sorted.
 * NaN cannot be stored in a jansson real; a non-finite value never appears.
 * Returns the text (owned; free with slab_free()), or NULL when out of
 * memory or when j is not an object/array without JSON_ENCODE_ANY. */
char *slab_json_dumps(const json_t *j, size_t flags);
/* A flag of these writers (above jansson's): every real as jansson itself
 * prints it ("%.17g", ".0" on a whole number, the exponent without '+' or
 * leading zeros), so the text is byte for byte json_dumps()'s. For texts
 * that must not change when the shortest form would, such as what a run
 * id hashes. */
#define SLAB_JSON_REAL17 ((size_t)1 << 24)

/* A JSON text written piece by piece, for a caller that knows its
 * document's layout and would otherwise build a tree only to print it (a
 * sweep's line): the writer slab_json_dumps uses, so the same bytes for
 * the same values. Start it zeroed; s (NUL-terminated, owned: slab_free())
 * holds n bytes; failed = 1 once memory ran out or a value could not be
 * written (a non-finite real, a NULL tree), and the text is then not to
 * be used. */
typedef struct slab_json_text {
    char *s;
    size_t n, cap;
    int failed;
} slab_json_text;
/* s[0..n) as it is (text already JSON). */
void slab_json_text_raw(slab_json_text *t, const char *s, size_t n);
/* s as a JSON string, quoted and escaped. */
void slab_json_text_string(slab_json_text *t, const char *s);
/* A finite real as these writers print one (shortest, ".0" on a whole number). */
void slab_json_text_real(slab_json_text *t, double x);
/* An integer, as a json_integer prints. */
void slab_json_text_integer(slab_json_text *t, long long v);
/* A tree, with slab_json_dumps's flags (JSON_ENCODE_ANY implied). */
void slab_json_text_value(slab_json_text *t, const json_t *j, size_t flags);
/* Writes the text to f as it is made, about 64 KiB at a time (a large
 * document is never held whole as text); returns 0, or -1 on a write
 * error or no memory (f may then have part of the text). */
int slab_json_dumpf(const json_t *j, FILE *f, size_t flags);
/* An array whose items are made one at a time while the document is
 * written, so a long list is never held whole as a tree: the tree holds
 * an empty array `at` in its place, and item(user, k) gives item k, k =
 * 0..n-1 (owned; written and freed before the next; NULL when out of
 * memory). */
typedef struct slab_json_lazy {
    const json_t *at;
    size_t n;
    json_t *(*item)(void *user, size_t k);
    void *user;
} slab_json_lazy;
/* slab_json_dumpf, with the items of lazy[0..n_lazy-1] written in place of
 * their empty arrays: the same bytes as a tree holding them. */
int slab_json_dumpf_lazy(const json_t *j, FILE *f, size_t flags, const slab_json_lazy *lazy,
                         size_t n_lazy);
/* Writes the text to path (created or truncated); SLAB_EIO with the path
 * and reason in err when it cannot (code write_failed). */
slab_status slab_json_dump_file(const json_t *j, const char *path, size_t flags, slab_error *err);

/* The error as a JSON object (owned; json_decref()), NULL when out of
 * memory:
 *   {"code": "unknown_strategy", "class": "usage", "status": "not found",
 *    "message": "...", "where": "--strategy", "option": "--strategy",
 *    "fix": "...", "did_you_mean": "sma_cross", "choices": ["sma_cross", ...]}
 * "where" is present when there is a location, with one of "file" (plus
 * "line" and "column" when known), "option" or "pointer" beside it;
 * "did_you_mean" and "choices" only when the error has them. The CLI wraps
 * it as {"error": {...}} and adds "exit_code". */
json_t *slab_error_json(const slab_error *err);

#endif
