/* 16g_ptrace.c: attaches to another process: forbidden (ptrace). */
#include <stratlab/strategy.h>
#include <sys/ptrace.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    ptrace(PTRACE_ATTACH, 1, 0, 0);
}

SLAB_STRATEGY(.name = "hostile", .summary = "16g_ptrace", .next = next);
