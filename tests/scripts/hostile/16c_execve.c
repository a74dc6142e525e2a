/* 16c_execve.c: runs a shell: forbidden (execve). */
#include <stratlab/strategy.h>
#include <unistd.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    char *argv[] = {"/bin/sh", "-c", "id", NULL};
    execve("/bin/sh", argv, NULL);
}

SLAB_STRATEGY(.name = "hostile", .summary = "16c_execve", .next = next);
