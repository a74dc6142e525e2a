/* text.c: text from outside (CSV fields, header names, arguments) made
 * safe to quote in a message: a binary or UTF-16 file must not put raw
 * control bytes on a user's terminal. Valid UTF-8 passes unchanged. */
#include "stratlab/core.h"

#include <stdio.h>

/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0 when
 * s[0] does not start one (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */

    if (c >= 0xC2 && c <= 0xDF)
        need = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else
        return 0;
    if (len < need || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < need; k++)
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
    return need;
}

const char *slab_text_show(const char *s, size_t len, char *buf, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = 0;

    if (n == 0)
        return buf;
    for (size_t i = 0; i < len;) {
        size_t w = u[i] >= 0x80 ? utf8_len(u + i, len - i) : (u[i] >= 0x20 && u[i] != 0x7F);
        if (w == 0) { /* a control byte or a byte that is not UTF-8 */
            if (k + 4 >= n)
                break;
            snprintf(buf + k, n - k, "\\x%02X", u[i]);
            k += 4;
            i++;
            continue;
        }
        if (k + w >= n)
            break;
        for (size_t j = 0; j < w; j++)
            buf[k++] = (char)u[i++];
    }
    buf[k] = '\0';
    return buf;
}
