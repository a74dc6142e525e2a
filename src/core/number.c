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

/* Digits d (nd of them, no dot) and the decimal exponent of the first,
 * as "%.{nd-1}e" would print them, into buf for strtod; returns buf. */
static const char *sci_text(const char *d, int nd, int e10, int neg, char *buf, size_t n)
{
    size_t k = 0;
    if (neg)
        buf[k++] = '-';
    buf[k++] = d[0];
    if (nd > 1) {
        buf[k++] = '.';
        memcpy(buf + k, d + 1, (size_t)nd - 1);
        k += (size_t)nd - 1;
    }
    snprintf(buf + k, n - k, "e%d", e10);
    return buf;
}

/* 1 when the decimal of the nd digits d (exponent e10 of the first) reads
 * back as |x|, as strtod() would read it: by Clinger's fast path (one
 * correctly rounded operation on exact operands) when the digits form an
 * integer below 2^53 and the power of ten is exact, else by strtod. */
static int reads_back(const char *d, int nd, int e10, int neg, double x)
{
    uint64_t m = 0;
    int p = e10 - (nd - 1);
    for (int i = 0; i < nd; i++)
        m = m * 10 + (uint64_t)(d[i] - '0');
    if (m < ((uint64_t)1 << 53) && p >= -22 && p <= 22) {
        double back = p < 0 ? (double)m / pow10_exact[-p] : (double)m * pow10_exact[p];
        return back == fabs(x);
    }
    char text[48];
    return strtod(sci_text(d, nd, e10, neg, text, sizeof text), NULL) == x;
}

/* "%.{prec-1}e" of x split: significant digits into d (prec of them, no
 * dot, no sign), the exponent of the first into *e10. */
static void sci_digits(double x, int prec, char *d, int *e10)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
    const char *p = buf + (buf[0] == '-');
    int n = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            d[n++] = *p;
    *e10 = atoi(p + 1);
}

/* The k decimal digits of c (below 10^k, leading zeros written) into d. */
static void int_digits(uint64_t c, int k, char *d)
{
    for (int i = k - 1; i >= 0; i--) {
        d[i] = (char)('0' + (int)(c % 10));
        c /= 10;
    }
}

/* 10^k, k = 0..19. */
static const uint64_t p10[20] = {1ULL,
                                 10ULL,
                                 100ULL,
                                 1000ULL,
                                 10000ULL,
                                 100000ULL,
                                 1000000ULL,
                                 10000000ULL,
                                 100000000ULL,
                                 1000000000ULL,
                                 10000000000ULL,
                                 100000000000ULL,
                                 1000000000000ULL,
                                 10000000000000ULL,
                                 100000000000000ULL,
                                 1000000000000000ULL,
                                 10000000000000000ULL,
                                 100000000000000000ULL,
                                 1000000000000000000ULL,
                                 10000000000000000000ULL};

#ifdef __SIZEOF_INT128__
/* 10^k as a 128-bit integer, k = 0..22. */
typedef unsigned __int128 u128;
static u128 pow10_u128(int k)
{
    static const uint64_t p19 = 10000000000000000000ULL;
    return k <= 19 ? (u128)(uint64_t)pow10_exact[k] : (u128)p19 * (uint64_t)pow10_exact[k - 19];
}


/* The first nd (<= 19) significant decimal digits of x (positive, normal),
 * by exact integer arithmetic: x = m 2^q, T = floor(x 10^k) with
 * k = nd - 1 - E, and E, the exponent of the first digit, fixed so T has
 * nd digits; *rest says what x 10^k - T is: 0 zero, 1 below one half, 2
 * one half, 3 above. Into *T, *rest and *E; returns 0 (nothing written)
 * where the products would pass 128 bits (for 17 digits, x below about
 * 1e-6 or above 1e35; two more powers of ten below for 19): the caller
 * prints it then. */
static int digits_of(double x, int nd, uint64_t *T, int *rest, int *E)
{
    const u128 lo = (u128)p10[nd - 1], hi = (u128)p10[nd - 1] * 10;
    int q;
    uint64_t m = (uint64_t)ldexp(frexp(x, &q), 53);
    /* x in [2^(q-1), 2^q): floor(log10 x) is floor((q - 1) log10 2) or one
     * more (the tries below move e by one until T has nd digits) */
    int e = (int)floor((double)(q - 1) * 0.30102999566398119521);
    q -= 53; /* x = m 2^q exactly */
    for (int tries = 0; tries < 4; tries++) {
        int k = nd - 1 - e, r = 0;
        u128 n;
        if (k > 22 || k < -19)
            return 0;
        if (k >= 0) { /* m 10^k < 2^53 10^22 < 2^127 */
            u128 num = (u128)m * pow10_u128(k);
            if (q >= 0) {
                if (q >= 128 || (q > 0 && (num >> (128 - q)) != 0))
                    return 0;
                n = num << q;
            } else if (-q >= 127) {
                return 0;
            } else {
                u128 rem = num & (((u128)1 << -q) - 1), half = (u128)1 << (-q - 1);
                n = num >> -q;
                r = rem == 0 ? 0 : rem < half ? 1 : rem == half ? 2 : 3;
            }
        } else { /* T = m 2^q / 10^-k */
            if (q < 0 || q > 74)
                return 0;
            u128 num = (u128)m << q, p = pow10_u128(-k), rem;
            n = num / p;
            rem = num % p;
            r = rem == 0 ? 0 : 2 * rem < p ? 1 : 2 * rem == p ? 2 : 3;
        }
        if (n < lo) { /* E was one too high */
            e--;
            continue;
        }
        if (n >= hi) { /* one too low */
            e++;
            continue;
        }
        *T = (uint64_t)n;
        *rest = r;
        *E = e;
        return 1;
    }
    return 0;
}

/* x (positive, normal) rounded to 17 significant decimal digits, as
 * "%.16e" prints it (to nearest, ties to even), into the digits D and the
 * exponent of the first *E; 0 as digits_of. */
static int digits17(double x, char *D, int *E)
{
    uint64_t t;
    int rest;
    if (!digits_of(x, 17, &t, &rest, E))
        return 0;
    if ((rest == 3 || (rest == 2 && (t & 1))) && ++t == p10[17]) { /* 99..9 up: 10..0 */
        t = p10[16];
        ++*E;
    }
    int_digits(t, 17, D);
    return 1;
}
#else
static int digits_of(double x, int nd, uint64_t *T, int *rest, int *E) /* no 128-bit integers */
{
    (void)x;
    (void)nd;
    (void)T;
    (void)rest;
    (void)E;
    return 0;
}

static int digits17(double x, char *D, int *E) /* no 128-bit integers: printf */
{
    (void)x;
    (void)D;
    (void)E;
    return 0;
}
#endif

/* The k digits of c (below 10^k) into d, trailing zeros dropped (one
 * kept); returns their count. */
static int put_digits(uint64_t c, int k, char *d)
{
    int_digits(c, k, d);
    while (k > 1 && d[k - 1] == '0')
        k--;
    d[k] = '\0';
    return k;
}

/* shortest_digits from x's first 19 significant digits T, truncated, and
 * what follows them (rest, as digits_of), E the exponent of the first:
 * x rounded to k = 15, 16 or 17 digits is T rounded to k, exactly (the
 * dropped digits and rest say which side of the half-way point x is);
 * the first of 15, 16 that reads back wins, else 17 digits. Returns 0
 * when x lies exactly half-way at 15 or 16 digits (printf's rounding
 * decides: the caller's way). The candidate is checked as an integer
 * (Clinger's fast path), its digits made only once. */
static int shortest_of(uint64_t T, int rest, int E, double x, char *d, int *e10)
{
    for (int k = 15; k <= 17; k++) {
        uint64_t div = p10[19 - k], c = T / div, r = T % div, half = div / 2;
        int e = E, up = r > half || (r == half && rest != 0);
        if (r == half && rest == 0) {
            if (k < 17)
                return 0;
            up = (int)(c & 1); /* a tie to even, as "%.16e" */
        }
        if (up && ++c == p10[k]) { /* 99..9 rounded up: 10..0 */
            c = p10[k - 1];
            e++;
        }
        if (k == 17) {
            *e10 = e;
            return put_digits(c, k, d);
        }
        int p = e - (k - 1);
        if (c < ((uint64_t)1 << 53) && p >= -22 && p <= 22) {
            double back = p < 0 ? (double)c / pow10_exact[-p] : (double)c * pow10_exact[p];
            if (back != fabs(x))
                continue;
        } else {
            char t[24];
            int_digits(c, k, t);
            if (!reads_back(t, k, e, signbit(x) != 0, x))
                continue;
        }
        *e10 = e;
        return put_digits(c, k, d);
    }
    return 0; /* not reached */
}

/* The shortest significant digits of x (finite, nonzero magnitude) that
 * strtod() reads back as x: digits into d (no dot, no sign), the decimal
 * exponent of the first digit into *e10; returns the digit count. For a
 * normal double, rounding to 15 significant digits cannot land on a
 * different decimal than the shortest one when that one has <= 15 digits
 * (15-digit steps are wider than the double's spacing), so 15, 16, 17 are
 * tried in turn; subnormals have fewer significant bits and try 1..17.
 * One printing gives all three: the 17 digits D (correctly rounded), and
 * x rounded to k < 17 digits is D rounded to k, except when D's digits
 * past k are exactly 5 then zeros (x may lie on either side of that
 * half): only then is x printed again to k digits. */
static int shortest_digits(double x, char *d, int *e10)
{
    char D[24], text[48];
    int neg = signbit(x) != 0, E;
    if (fabs(x) < DBL_MIN) { /* subnormal: 1..17 digits, printed each time */
        int n = 1;
        for (;; n++) {
            sci_digits(x, n, d, e10);
            if (n == 17 || strtod(sci_text(d, n, *e10, neg, text, sizeof text), NULL) == x)
                break;
        }
        while (n > 1 && d[n - 1] == '0')
            n--;
        d[n] = '\0';
        return n;
    }
    uint64_t T;
    int rest;
    if (digits_of(fabs(x), 19, &T, &rest, &E)) { /* the steps below on integers */
        int n = shortest_of(T, rest, E, x, d, e10);
        if (n > 0)
            return n;
    }
    if (!digits17(fabs(x), D, &E))
        sci_digits(x, 17, D, &E);
    for (int k = 15; k <= 17; k++) {
        int e = E;
        if (k == 17) {
            memcpy(d, D, 17);
        } else {
            int half = D[k] == '5';
            for (int j = k + 1; j < 17 && half; j++)
                half = D[j] == '0';
            if (half) { /* on D's half-way point: x decides */
                sci_digits(x, k, d, &e);
            } else {
                memcpy(d, D, (size_t)k);
                if (D[k] >= '5') { /* round up, carrying */
                    int j = k - 1;
                    while (j >= 0 && d[j] == '9')
                        d[j--] = '0';
                    if (j >= 0) {
                        d[j]++;
                    } else { /* 99..9 -> 10..0 */
                        d[0] = '1';
                        e++;
                    }
                }
            }
            if (!reads_back(d, k, e, neg, x))
                continue;
        }
        int n = k;
        while (n > 1 && d[n - 1] == '0')
            n--;
        d[n] = '\0';
        *e10 = e;
        return n;
    }
    return 0; /* not reached: 17 digits always read back */
}

/* snprintf(buf, n, "%s", s) without printf's machinery (a fifth of a
 * number's time). */
static void copy_text(char *buf, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (n == 0)
        return;
    if (len >= n)
        len = n - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
}

const char *slab_num_format(double x, char *buf, size_t n)
{
    char d[24], out[SLAB_NUM_TEXT_MAX + 8];
    int e10 = 0, nd, k = 0;

    if (isnan(x) || isinf(x)) {
        copy_text(buf, n, isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
        return buf;
    }
    if (signbit(x))
        out[k++] = '-';
    if (x == 0.0) {
        out[k++] = '0';
        out[k] = '\0';
        copy_text(buf, n, out);
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
        int a = abs(e10); /* below 400 */
        out[k++] = 'e';
        out[k++] = e10 < 0 ? '-' : '+';
        if (a >= 100)
            out[k++] = (char)('0' + a / 100);
        out[k++] = (char)('0' + a / 10 % 10);
        out[k++] = (char)('0' + a % 10);
        out[k] = '\0';
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
    copy_text(buf, n, out);
    return buf;
}
