/* 01_fork_bomb.c: a bounded fork bomb: the first fork must be a forbidden system call (clone). */
#include <stratlab/strategy.h>
#include <unistd.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    for (int i = 0; i < 64; i++)
        fork();
}

SLAB_STRATEGY(.name = "hostile", .summary = "01_fork_bomb", .next = next);
