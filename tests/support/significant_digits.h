/* significant_digits.h: the significant digits of a number's text, for checks
 * that compare two texts of one number digit for digit (test_numbers,
 * fuzz_numbers: ours against printf's). Header only: the fuzz harnesses
 * link no test support code. */
#ifndef SLAB_SIGNIFICANT_DIGITS_H
#define SLAB_SIGNIFICANT_DIGITS_H

/* The significant digits of s (no sign, dot, exponent, leading or
 * trailing zeros; "0" when there are none) into d. */
static inline void significant_digits(const char *s, char *d)
{
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && (n > 0 || *s != '0'))
            d[n++] = *s;
    while (n > 1 && d[n - 1] == '0')
        n--;
    if (n == 0)
        d[n++] = '0';
    d[n] = '\0';
}

#endif
