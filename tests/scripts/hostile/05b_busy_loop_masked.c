/* 05b_busy_loop_masked.c: blocks the CPU-time signals, then loops: the hard CPU rlimit still kills it. */
#include <stratlab/strategy.h>
#include <signal.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPROF);
    sigaddset(&s, SIGXCPU);
    sigprocmask(SIG_BLOCK, &s, NULL);
    for (volatile unsigned long i = 0;; i++)
        ;
}

SLAB_STRATEGY(.name = "hostile", .summary = "05b_busy_loop_masked", .next = next);
