/* 04_write_file.c: writes a file in /tmp: forbidden (openat); the file must not exist afterwards. */
#include <stratlab/strategy.h>
#include <stdio.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    FILE *f = fopen("/tmp/stratlab_hostile_04.txt", "w");
    if (f) {
        fputs("written", f);
        fclose(f);
    }
}

SLAB_STRATEGY(.name = "hostile", .summary = "04_write_file", .next = next);
