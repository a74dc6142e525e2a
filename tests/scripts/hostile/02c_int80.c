/* 02c_int80.c: a system call through the 32-bit ABI (int 0x80): killed as a foreign architecture. */
#include <stratlab/strategy.h>


static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
    (void)ret;
}

SLAB_STRATEGY(.name = "hostile", .summary = "02c_int80", .next = next);
