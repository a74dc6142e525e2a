/* child.c: watching a child process (the jailed compiler or a runner):
 * poll its pipes and a pidfd against one deadline, keep the first bytes of
 * each pipe and count the rest, kill the process group (not just the
 * child) on a deadline or a cap, and kill the group again before reaping
 * the leader, so a stray cannot outlive it and the group id is not reused
 * meanwhile (sandbox-design.md §3, process groups). */
#include "script/script_int.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* Reads once from s; returns the bytes read, 0 at EOF, -1 to retry. */
static ssize_t pull(slab__stream *s)
{
    unsigned char tmp[65536];
    ssize_t r = read(s->fd, tmp, sizeof tmp);
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? -1 : 0;
    size_t room = s->keep_max - s->kept, take = (size_t)r < room ? (size_t)r : room;
    if (take && s->kept + take > s->cap) {
        size_t nc = s->cap ? s->cap : 4096;
        while (nc < s->kept + take)
            nc *= 2;
        if (nc > s->keep_max)
            nc = s->keep_max;
        unsigned char *p = slab_realloc(s->buf, nc + 1); /* + the terminating NUL */
        if (p) {
            s->buf = p;
            s->cap = nc;
        } else {
            take = s->cap - s->kept; /* keep what fits; still count all */
        }
    }
    if (take) {
        memcpy(s->buf + s->kept, tmp, take);
        s->kept += take;
        s->buf[s->kept] = '\0';
    }
    s->total += (size_t)r;
    return r;
}

static void close_stream(slab__stream *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* Which cap, if any, the streams passed. */
static int over_cap(const slab__watch *w)
{
    size_t log = 0;
    for (int k = 0; k < w->n_log; k++)
        log += w->s[k].total;
    if (w->log_cap && log > w->log_cap)
        return SLAB__KILLED_LOG;
    if (w->result_idx >= 0 && w->s[w->result_idx].total > w->result_cap)
        return SLAB__KILLED_RESULT;
    return SLAB__KILLED_NONE;
}

/* 1 once the child has exited (without reaping it). */
static int has_exited(long pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid != 0;
}

void slab__watch_run(slab__watch *w)
{
    int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)w->pid, 0);
    int exited = 0;
    struct pollfd pf[8];
    int idx[8];
    w->killed = SLAB__KILLED_NONE;
    for (;;) {
        int n = 0;
        for (int k = 0; k < w->n_s && n < 7; k++)
            if (w->s[k].fd >= 0) {
                pf[n].fd = w->s[k].fd;
                pf[n].events = POLLIN;
                idx[n++] = k;
            }
        if (exited && n == 0)
            break;
        int64_t left = w->deadline_ns - slab_clock_ns();
        if (left <= 0) {
            w->killed = SLAB__KILLED_TIMEOUT;
            break;
        }
        int wait_ms = (int)((left + 999999) / 1000000);
        if (!exited && pidfd >= 0) {
            pf[n].fd = pidfd;
            pf[n].events = POLLIN;
            idx[n++] = -1;
        } else if (!exited && wait_ms > 10) {
            wait_ms = 10; /* no pidfd: look at the child every 10 ms */
        }
        if (poll(pf, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
            break;
        for (int k = 0; k < n; k++) {
            if (!pf[k].revents)
                continue;
            if (idx[k] < 0) {
                exited = 1;
                continue;
            }
            if (pull(&w->s[idx[k]]) == 0)
                close_stream(&w->s[idx[k]]);
        }
        if ((w->killed = over_cap(w)) != SLAB__KILLED_NONE)
            break;
        if (!exited && pidfd < 0)
            exited = has_exited(w->pid);
        if (exited)
            kill(-(pid_t)w->pid, SIGKILL); /* strays of the group; the leader is a zombie */
    }
    kill(-(pid_t)w->pid, SIGKILL);
    for (int k = 0; k < w->n_s; k++)
        close_stream(&w->s[k]);
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    while (wait4((pid_t)w->pid, &w->status, 0, &ru) < 0 && errno == EINTR)
        ;
    if (pidfd >= 0)
        close(pidfd);
    w->cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
                (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
    w->max_rss_kb = ru.ru_maxrss;
}
