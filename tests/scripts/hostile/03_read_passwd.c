/* 03_read_passwd.c: opens /etc/passwd and prints it: forbidden (openat), nothing of it in any output. */
#include <stratlab/strategy.h>
#include <stdio.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    char line[512];
    FILE *f = fopen("/etc/passwd", "r");
    while (f && fgets(line, sizeof line, f))
        fputs(line, stdout);
}

SLAB_STRATEGY(.name = "hostile", .summary = "03_read_passwd", .next = next);
