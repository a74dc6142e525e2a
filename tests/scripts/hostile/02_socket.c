/* 02_socket.c: opens a TCP socket and connects: forbidden (socket). */
#include <stratlab/strategy.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    struct sockaddr_in a = {AF_INET, htons(80), {htonl(0x7f000001)}, {0}};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    connect(fd, (struct sockaddr *)&a, sizeof a);
}

SLAB_STRATEGY(.name = "hostile", .summary = "02_socket", .next = next);
