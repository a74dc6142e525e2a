/* 16d_memfd.c: makes an in-memory file: forbidden (memfd_create). */
#define _GNU_SOURCE
#include <stratlab/strategy.h>
#include <sys/mman.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    memfd_create("x", 0);
}

SLAB_STRATEGY(.name = "hostile", .summary = "16d_memfd", .next = next);
