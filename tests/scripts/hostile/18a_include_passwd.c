/* 18a_include_passwd.c: includes /etc/passwd: the compiler jail cannot read
 * it; no line of it may appear in any output. */
#include <stratlab/strategy.h>
#include "/etc/passwd"

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
}

SLAB_STRATEGY(.name = "hostile", .summary = "include passwd", .next = next);
