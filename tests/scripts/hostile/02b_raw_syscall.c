/* 02b_raw_syscall.c: socket through a raw syscall instruction, bypassing libc: still forbidden. */
#include <stratlab/strategy.h>


static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(41L), "D"(2L), "S"(1L), "d"(0L) : "rcx", "r11", "memory");
    (void)ret;
}

SLAB_STRATEGY(.name = "hostile", .summary = "02b_raw_syscall", .next = next);
