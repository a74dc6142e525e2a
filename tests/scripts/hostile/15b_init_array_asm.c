/* 15b_init_array_asm.c: an .init_array entry written in assembler: rejected. */
#include <stratlab/strategy.h>
#include <stdio.h>
void slab_hostile_early(void)
{
    puts("init_array ran");
}
__asm__(".section .init_array,\"aw\"\n.balign 8\n.quad slab_hostile_early\n.text");

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;

}

SLAB_STRATEGY(.name = "hostile", .summary = "15b_init_array_asm", .next = next);
