/* fuzz_numbers.c: libFuzzer harness for number text (slab_num_format,
 * what every JSON writer prints a real with). Input: 8 bytes a double (any
 * bit pattern), then one byte a buffer size. Checks beyond ASan+UBSan, for
 * each finite double: the text reads back (strtod) to the same bits; it
 * has as many significant digits as the shortest "%.{p}g" that reads back
 * (p = 1..17, found by brute force); those digits are glibc's printf of x
 * to that many digits ("%.{k-1}e", correctly rounded); and with a smaller
 * buffer the text is the same text cut to fit, NUL-terminated (snprintf's
 * rule). NaN and the infinities print as nan, inf, -inf. And the JSON
 * writer's SLAB_JSON_REAL17 text of a finite x is jansson's own (the
 * run id's config is hashed from it), the writer's per-thread memo hit
 * whenever a double repeats in the input.
 * Run: scripts/fuzz.sh numbers SECONDS. */
#include "significant_digits.h"
#include "stratlab/core.h"
#include "stratlab/json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, double x, const char *got, const char *want)
{
    fprintf(stderr, "%s: %a printed as '%s' (want '%s')\n", what, x, got, want);
    abort();
}

static void check(double x, size_t cut)
{
    char buf[SLAB_NUM_TEXT_MAX], small[SLAB_NUM_TEXT_MAX], ref[64], want[64], got[64], *end;
    slab_num_format(x, buf, sizeof buf);
    if (isnan(x) || isinf(x)) {
        const char *w = isnan(x) ? "nan" : x > 0 ? "inf" : "-inf";
        if (strcmp(buf, w))
            fail("not finite", x, buf, w);
    } else {
        double back = strtod(buf, &end);
        if (*end || memcmp(&back, &x, sizeof x))
            fail("does not read back", x, buf, "");
        if (x != 0.0) {
            int k = 1;
            for (; k < 17; k++) {
                snprintf(ref, sizeof ref, "%.*g", k, x);
                if (strtod(ref, NULL) == x)
                    break;
            }
            snprintf(ref, sizeof ref, "%.*e", k - 1, x);
            significant_digits(ref, want);
            significant_digits(buf, got);
            if (strcmp(want, got))
                fail("not printf's shortest digits", x, buf, ref);
        }
    }
    /* cut to a smaller buffer: the same text, cut, NUL-terminated */
    if (cut > sizeof small)
        cut = sizeof small;
    memset(small, 'x', sizeof small);
    slab_num_format(x, small, cut);
    if (cut > 0) {
        size_t len = strlen(buf) < cut - 1 ? strlen(buf) : cut - 1;
        if (memcmp(small, buf, len) || small[len] != '\0')
            fail("cut text differs", x, small, buf);
    } else if (small[0] != 'x') {
        fail("wrote into a buffer of size 0", x, small, "");
    }
}

/* x in a one-element array, by our writer with jansson's reals and by
 * jansson: the same text. */
static void check_real17(double x)
{
    json_t *a = json_array();
    json_t *r = json_real(x); /* NULL for NaN and the infinities: JSON has none */
    if (!a || !r) {
        json_decref(a);
        return;
    }
    json_array_append_new(a, r);
    char *ours = slab_json_dumps(a, JSON_COMPACT | SLAB_JSON_REAL17);
    char *theirs = json_dumps(a, JSON_COMPACT);
    if (ours && theirs && strcmp(ours, theirs))
        fail("SLAB_JSON_REAL17 is not jansson's", x, ours, theirs);
    slab_free(ours);
    free(theirs);
    json_decref(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 8 <= size; i += 9) {
        double x;
        memcpy(&x, data + i, sizeof x);
        check(x, i + 8 < size ? data[i + 8] % 40 : SLAB_NUM_TEXT_MAX);
        check_real17(x);
    }
    return 0;
}
