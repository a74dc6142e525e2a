/* 18d_include_dotdot.c: climbs out of the job folder to the state folder's
 * cache: the jail allows only the job folder. */
#include <stratlab/strategy.h>
#include "../../cache/x.so"

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
}

SLAB_STRATEGY(.name = "hostile", .summary = "include outside", .next = next);
