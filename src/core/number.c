/* number.c: fast, exact parsing of plain decimals ("123.4567") for the CSV
 * loaders. Clinger's fast path (W. D. Clinger, "How to Read Floating Point
 * Numbers Accurately", PLDI 1990): when the digits form an integer m < 2^53
 * and there are k <= 22 fraction digits, m and 10^k are exact doubles and
 * one IEEE division rounds m / 10^k correctly, so the result equals
 * strtod's (and Python's float()) bit for bit. Anything else is left to
 * strtod. */
#include "stratlab/core.h"

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int slab_parse_decimal_fast(const char *s, size_t len, double *out)
{
    size_t i = 0;
    int neg = 0, digits = 0, frac = -1;
    uint64_t m = 0;

    if (i < len && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (m == 0 && c == '0') {
                /* leading zeros add no significant digit */
            } else if (++digits > 15) {
                return 0;
            }
            m = m * 10 + (uint64_t)(c - '0');
            if (frac >= 0)
                frac++;
        } else if (c == '.' && frac < 0) {
            frac = 0;
        } else {
            return 0;
        }
    }
    if (frac > 22 || (digits == 0 && m == 0 && i == (size_t)neg + (frac >= 0)))
        return 0; /* too many decimals, or no digit at all ("", "-", ".") */
    double v = (double)m;
    if (frac > 0)
        v /= pow10_exact[frac];
    *out = neg ? -v : v;
    return 1;
}
