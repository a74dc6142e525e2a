/* 06_futex_wait.c: blocks forever without using CPU (a futex wait): stopped at the wall clock. */
#include <stratlab/strategy.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    static int word;
    for (;;)
        syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0);
}

SLAB_STRATEGY(.name = "hostile", .summary = "06_futex_wait", .next = next);
