/* queue.c: the bounded execution queue, shared by every thread and every
 * process that uses the same state folder: max_concurrent slot files and
 * queue_depth waiting tickets under queue/, each held with flock(). A job
 * takes a free slot, or a ticket and waits for a slot (up to queue_wait_s);
 * with no ticket left it is `busy` at once. The kernel drops a dead
 * process's locks, so a killed supervisor never leaks a slot. */
#include "script/script_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* Takes the first free lock among prefix-0 .. prefix-(n-1); its fd or -1. */
static int take_one(const char *dir, const char *prefix, int n)
{
    char path[1200];
    for (int k = 0; k < n; k++) {
        snprintf(path, sizeof path, "%s/%s-%d", dir, prefix, k);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
            continue;
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        close(fd);
    }
    return -1;
}

int slab__queue_enter(const slab__sandbox_view *v, double *waited_ms, char *why, size_t cap)
{
    int64_t t0 = slab_clock_ns();
    int slot = take_one(v->queue_dir, "slot", v->max_concurrent);
    *waited_ms = 0.0;
    if (slot >= 0)
        return slot;
    int ticket = take_one(v->queue_dir, "wait", v->queue_depth);
    if (ticket < 0) {
        snprintf(why, cap, "the queue is full (%d jobs running, %d waiting); retry later",
                 v->max_concurrent, v->queue_depth);
        return -1;
    }
    long nap_us = 2000;
    while (slot < 0) {
        if (slab__ms_since(t0) >= v->queue_wait_s * 1000.0)
            break;
        struct timespec ts = {0, nap_us * 1000};
        nanosleep(&ts, NULL);
        if (nap_us < 20000)
            nap_us += nap_us / 2;
        slot = take_one(v->queue_dir, "slot", v->max_concurrent);
    }
    close(ticket);
    *waited_ms = slab__ms_since(t0);
    if (slot < 0)
        snprintf(why, cap, "no free slot after waiting %g s (%d jobs run at once); retry later",
                 v->queue_wait_s, v->max_concurrent);
    return slot;
}

void slab__queue_leave(int handle)
{
    if (handle >= 0)
        close(handle);
}
