/* 16h_write_other_fd.c: writes to a descriptor it was not given: forbidden (write with fd > 3). */
#include <stratlab/strategy.h>
#include <unistd.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    write(9, "x", 1);
}

SLAB_STRATEGY(.name = "hostile", .summary = "16h_write_other_fd", .next = next);
