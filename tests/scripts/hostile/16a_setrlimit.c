/* 16a_setrlimit.c: raises its own limits: forbidden (prlimit64). */
#include <stratlab/strategy.h>
#include <sys/resource.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_AS, &r);
}

SLAB_STRATEGY(.name = "hostile", .summary = "16a_setrlimit", .next = next);
