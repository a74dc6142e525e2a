/* 16b_kill_parent.c: tries to kill the supervisor: forbidden (getppid comes first). */
#include <stratlab/strategy.h>
#include <signal.h>
#include <unistd.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    kill(getppid(), SIGKILL);
}

SLAB_STRATEGY(.name = "hostile", .summary = "16b_kill_parent", .next = next);
