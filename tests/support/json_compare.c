/* json_compare.c: see json_compare.h. */
#include "json_compare.h"
#include "slab_test.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void note(char *msg, size_t len, const char *fmt, const char *path, const char *a,
                 const char *b)
{
    size_t l = strlen(msg);
    if (l + 200 < len)
        snprintf(msg + l, len - l, fmt, path, a, b);
}

static void repr(json_t *v, char *buf, size_t n)
{
    if (!v)
        snprintf(buf, n, "(missing)");
    else if (json_is_number(v))
        snprintf(buf, n, "%.17g", json_number_value(v));
    else {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        snprintf(buf, n, "%.80s", s ? s : "?");
        free(s);
    }
}

int slab_json_compare(json_t *got, json_t *want, const char *path, double rel, double abs_tol,
                      char *msg, size_t msg_len)
{
    char a[128], b[128], sub[512];
    int diffs = 0;

    if (json_is_string(want) && !strcmp(json_string_value(want), "NaN")) {
        if (json_is_null(got) || (json_is_real(got) && isnan(json_real_value(got))))
            return 0;
    } else if (json_is_number(want) && json_is_number(got)) {
        double x = json_number_value(got), y = json_number_value(want);
        if (rel == 0.0 && abs_tol == 0.0 ? slab_test_same(x, y)
                                         : slab_test_close(x, y, rel, abs_tol))
            return 0;
    } else if (json_is_object(want) && json_is_object(got)) {
        const char *k;
        json_t *v;
        json_object_foreach(want, k, v)
        {
            snprintf(sub, sizeof sub, "%s/%s", path, k);
            diffs += slab_json_compare(json_object_get(got, k), v, sub, rel, abs_tol, msg, msg_len);
        }
        json_object_foreach(got, k, v)
        {
            if (!json_object_get(want, k)) {
                snprintf(sub, sizeof sub, "%s/%s", path, k);
                repr(v, a, sizeof a);
                note(msg, msg_len, "%s: extra key, got %s%s\n", sub, a, "");
                diffs++;
            }
        }
        return diffs;
    } else if (json_is_array(want) && json_is_array(got)) {
        if (json_array_size(want) != json_array_size(got)) {
            snprintf(a, sizeof a, "%zu items", json_array_size(got));
            snprintf(b, sizeof b, "%zu items", json_array_size(want));
            note(msg, msg_len, "%s: got %s, want %s\n", path, a, b);
            return 1;
        }
        for (size_t i = 0; i < json_array_size(want); i++) {
            snprintf(sub, sizeof sub, "%s/%zu", path, i);
            diffs += slab_json_compare(json_array_get(got, i), json_array_get(want, i), sub, rel,
                                       abs_tol, msg, msg_len);
        }
        return diffs;
    } else if (got && json_equal(got, want)) {
        return 0;
    }
    repr(got, a, sizeof a);
    repr(want, b, sizeof b);
    note(msg, msg_len, "%s: got %s, want %s\n", path, a, b);
    return 1;
}
