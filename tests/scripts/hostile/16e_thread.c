/* 16e_thread.c: starts a thread: forbidden (clone3 or clone). */
#include <stratlab/strategy.h>
#include <pthread.h>
static void *work(void *arg)
{
    return arg;
}

static void next(slab_ctx *ctx, void *st)
{
    (void)ctx;
    (void)st;
    pthread_t t;
    pthread_create(&t, NULL, work, NULL);
}

SLAB_STRATEGY(.name = "hostile", .summary = "16e_thread", .next = next);
