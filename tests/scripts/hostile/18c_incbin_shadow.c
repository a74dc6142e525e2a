/* 18c_incbin_shadow.c: embeds /etc/shadow into the object with .incbin and
 * prints it: the assembler in the jail cannot read it. */
#include <stdio.h>
#include <stratlab/strategy.h>

__asm__(".section .rodata\n.globl slab_hostile_blob\nslab_hostile_blob:\n"
        ".incbin \"/etc/shadow\"\n.byte 0\n.text");
extern const char slab_hostile_blob[];

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    fputs(slab_hostile_blob, stdout);
}

SLAB_STRATEGY(.name = "hostile", .summary = "incbin shadow", .next = next);
