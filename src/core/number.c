/* number.c: fast, exact parsing of plain decimals ("123.4567") for the CSV
 * loaders. Clinger's fast path (W. D. Clinger, "How to Read Floating Point
 * Numbers Accurately", PLDI 1990): when the digits form an integer m < 2^53
 * and there are k <= 22 fraction digits, m and 10^k are exact doubles and
 * one IEEE division rounds m / 10^k correctly, so the result equals
 * strtod's (and Python's float()) bit for bit. Anything else is left to
 * strtod. The writer, slab_num_format(), prints the shortest text that
 * reads back to the same double, everywhere a number leaves stratlab. */
#include "stratlab/core.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- shortest round-trip text ------------------------------------------------ */

/* The shortest significant digits of x (finite, nonzero magnitude) that
 * strtod() reads back as x: digits into d (no dot, no sign), the decimal
 * exponent of the first digit into *e10; returns the digit count. For a
 * normal double, rounding to 15 significant digits cannot land on a
 * different decimal than the shortest one when that one has <= 15 digits
 * (15-digit steps are wider than the double's spacing), so 15, 16, 17 are
 * tried in turn; subnormals have fewer significant bits and try 1..17. */
static int shortest_digits(double x, char *d, int *e10)
{
    char buf[40];
    int first = fabs(x) < DBL_MIN ? 1 : 15;
    for (int prec = first; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
        if (strtod(buf, NULL) != x && prec < 17)
            continue;
        /* buf: [-]d[.ddd]e[+-]xx */
        const char *p = buf + (buf[0] == '-');
        int n = 0;
        for (; *p && *p != 'e'; p++)
            if (*p != '.')
                d[n++] = *p;
        *e10 = atoi(p + 1);
        while (n > 1 && d[n - 1] == '0')
            n--;
        d[n] = '\0';
        return n;
    }
    return 0; /* not reached: 17 digits always read back */
}

const char *slab_num_format(double x, char *buf, size_t n)
{
    char d[24], out[SLAB_NUM_TEXT_MAX + 8];
    int e10 = 0, nd, k = 0;

    if (isnan(x) || isinf(x)) {
        snprintf(buf, n, "%s", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
        return buf;
    }
    if (signbit(x))
        out[k++] = '-';
    if (x == 0.0) {
        out[k++] = '0';
        out[k] = '\0';
        snprintf(buf, n, "%s", out);
        return buf;
    }
    nd = shortest_digits(x, d, &e10);
    if (e10 >= 16 || e10 < -4) { /* d.ddde+XX, two exponent digits at least */
        out[k++] = d[0];
        if (nd > 1) {
            out[k++] = '.';
            memcpy(out + k, d + 1, (size_t)nd - 1);
            k += nd - 1;
        }
        snprintf(out + k, sizeof out - (size_t)k, "e%c%02d", e10 < 0 ? '-' : '+', abs(e10));
    } else if (e10 < 0) { /* 0.000ddd */
        out[k++] = '0';
        out[k++] = '.';
        for (int z = 0; z < -e10 - 1; z++)
            out[k++] = '0';
        memcpy(out + k, d, (size_t)nd);
        out[k + nd] = '\0';
    } else { /* ddd[.ddd], zeros padded up to the point */
        for (int i = 0; i <= e10; i++)
            out[k++] = i < nd ? d[i] : '0';
        if (nd > e10 + 1) {
            out[k++] = '.';
            memcpy(out + k, d + e10 + 1, (size_t)(nd - e10 - 1));
            k += nd - e10 - 1;
        }
        out[k] = '\0';
    }
    snprintf(buf, n, "%s", out);
    return buf;
}
