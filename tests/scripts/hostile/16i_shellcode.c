/* 16i_shellcode.c: makes an executable page holding a syscall instruction and jumps to it: still forbidden (socket). */
#include <stratlab/strategy.h>
#include <string.h>
#include <sys/mman.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    /* mov eax, 41; syscall; ret */
    static const unsigned char code[] = {0xb8, 0x29, 0, 0, 0, 0x0f, 0x05, 0xc3};
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    memcpy(p, code, sizeof code);
    ((void (*)(void))p)();
}

SLAB_STRATEGY(.name = "hostile", .summary = "16i_shellcode", .next = next);
