/* 02d_x32.c: socket through the x32 ABI (syscall number with bit 30): forbidden. */
#include <stratlab/strategy.h>


static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(0x40000000L | 41L), "D"(2L), "S"(1L), "d"(0L) : "rcx", "r11", "memory");
    (void)ret;
}

SLAB_STRATEGY(.name = "hostile", .summary = "02d_x32", .next = next);
