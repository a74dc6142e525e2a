/* 16f_prctl.c: changes its process name with prctl: forbidden (prctl). */
#include <stratlab/strategy.h>
#include <sys/prctl.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    prctl(PR_SET_NAME, "innocent");
}

SLAB_STRATEGY(.name = "hostile", .summary = "16f_prctl", .next = next);
