/* sandbox.c: the sandbox handle: where its state lives (cache/, queue/,
 * jobs/ under one folder, mode 0700), the runner program and compiler it
 * uses, and what the kernel offers (probed once). Opening it removes job
 * folders a killed supervisor left behind: each live job holds an flock on
 * its folder, so a folder whose lock can be taken has no owner.
 * Invariant: after open, nothing here changes; threads share it freely. */
#include "script/script_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SLAB_RUNNER_BUILD_PATH
#define SLAB_RUNNER_BUILD_PATH ""
#endif

struct slab_sandbox {
    slab__sandbox_view v;
    char state_dir[1024], cache_dir[1100], jobs_dir[1100], queue_dir[1100];
    char runner[1024], cc[256];
    slab_sandbox_health health;
};

const slab__sandbox_view *slab__sandbox_view_of(const slab_sandbox *sb) { return &sb->v; }

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(const char *path)
{
    char buf[1100];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p)
            continue;
        char c = *p;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        if (!c)
            break;
        *p = c;
    }
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static void default_state_dir(char *buf, size_t n)
{
    const char *env = getenv("STRATLAB_SCRIPT_DIR"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env && *env)
        snprintf(buf, n, "%s", env);
    else if (xdg && *xdg)
        snprintf(buf, n, "%s/stratlab/scripts", xdg);
    else
        snprintf(buf, n, "%s/.cache/stratlab/scripts", home && *home ? home : "/tmp");
}

/* Removes the job folders nobody holds; returns how many. */
static size_t sweep(const char *jobs_dir)
{
    size_t removed = 0;
    int dfd = open(jobs_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    struct dirent *e;
    if (!d) {
        if (dfd >= 0)
            close(dfd);
        return 0;
    }
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "job-", 4))
            continue;
        int fd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            /* not a folder: a stray file; remove it */
            removed += unlinkat(dfd, e->d_name, 0) == 0;
            continue;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            removed += slab__rmtree_at(dfd, e->d_name) == 0;
        close(fd);
    }
    closedir(d);
    return removed;
}

/* The runner: config, $STRATLAB_RUNNER, beside this program, the build's. */
static int find_runner(const char *given, char *out, size_t n)
{
    char self[PATH_MAX];
    const char *env = getenv("STRATLAB_RUNNER");
    if (given && *given) {
        snprintf(out, n, "%s", given);
        return access(out, X_OK);
    }
    if (env && *env) {
        snprintf(out, n, "%s", env);
        return access(out, X_OK);
    }
    ssize_t l = readlink("/proc/self/exe", self, sizeof self - 1);
    if (l > 0) {
        self[l] = '\0';
        char *slash = strrchr(self, '/');
        if (slash && (size_t)(slash - self) + 20 < n) {
            memcpy(out, self, (size_t)(slash - self));
            snprintf(out + (slash - self), n - (size_t)(slash - self), "/stratlab-runner");
            if (access(out, X_OK) == 0)
                return 0;
        }
    }
    snprintf(out, n, "%s", SLAB_RUNNER_BUILD_PATH);
    return out[0] ? access(out, X_OK) : -1;
}

/* The compiler's real path and a stamp of its identity for the cache key
 * (path, size, modification time: an upgrade changes the key). */
static int find_cc(const char *given, char *out, size_t n, char *stamp, size_t sn)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(given && *given ? given : "/usr/bin/cc", real) || stat(real, &st) != 0 ||
        access(real, X_OK) != 0)
        return -1;
    if (strlen(real) >= n || strlen(real) > 200)
        return -1;
    memcpy(out, real, strlen(real) + 1);
    snprintf(stamp, sn, "%.200s:%lld:%lld", real, (long long)st.st_size, (long long)st.st_mtime);
    return 0;
}

/* A number from the environment within [lo, hi]; 0 when unset or bad. */
static double env_number(const char *name, double lo, double hi)
{
    const char *v = getenv(name);
    char *end;
    double x = v && *v ? strtod(v, &end) : 0.0;
    return v && *v && !*end && x >= lo && x <= hi ? x : 0.0;
}

static int seccomp_available(void)
{
    uint32_t action = SECCOMP_RET_TRAP;
    return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

static int landlock_abi(void)
{
    long abi = syscall(444 /* landlock_create_ruleset */, NULL, 0, 1 /* VERSION */);
    return abi > 0 ? (int)abi : 0;
}

slab_status slab_sandbox_open(const slab_sandbox_config *cfg, slab_sandbox **out, slab_error *err)
{
    slab_sandbox_config none = {0};
    slab_sandbox *sb = slab_calloc(1, sizeof *sb);
    *out = NULL;
    if (!cfg)
        cfg = &none;
    if (!sb)
        return slab_error_set(err, SLAB_ENOMEM, "sandbox", "out of memory");
    if (cfg->state_dir && *cfg->state_dir)
        snprintf(sb->state_dir, sizeof sb->state_dir, "%s", cfg->state_dir);
    else
        default_state_dir(sb->state_dir, sizeof sb->state_dir);
    snprintf(sb->cache_dir, sizeof sb->cache_dir, "%s/cache", sb->state_dir);
    snprintf(sb->jobs_dir, sizeof sb->jobs_dir, "%s/jobs", sb->state_dir);
    snprintf(sb->queue_dir, sizeof sb->queue_dir, "%s/queue", sb->state_dir);
    if (make_dirs(sb->cache_dir) || make_dirs(sb->jobs_dir) || make_dirs(sb->queue_dir)) {
        slab_error_set(err, SLAB_EIO, sb->state_dir,
                       "cannot make the script state folder: %s (set STRATLAB_SCRIPT_DIR to a "
                       "writable folder)", strerror(errno));
        slab_free(sb);
        return SLAB_EIO;
    }
    if (find_runner(cfg->runner_path, sb->runner, sizeof sb->runner) != 0) {
        slab_error_set(err, SLAB_EIO, "sandbox",
                       "the runner program stratlab-runner was not found (looked for '%s'); "
                       "install it beside stratlab or set STRATLAB_RUNNER", sb->runner);
        slab_free(sb);
        return SLAB_EIO;
    }
    slab__sandbox_view *v = &sb->v;
    if (find_cc(cfg->cc, sb->cc, sizeof sb->cc, v->cc_stamp, sizeof v->cc_stamp) != 0) {
        slab_error_set(err, SLAB_EIO, "sandbox",
                       "the C compiler '%s' was not found: install build-essential (GCC)",
                       cfg->cc && *cfg->cc ? cfg->cc : "/usr/bin/cc");
        slab_free(sb);
        return SLAB_EIO;
    }
    v->state_dir = sb->state_dir;
    v->cache_dir = sb->cache_dir;
    v->jobs_dir = sb->jobs_dir;
    v->queue_dir = sb->queue_dir;
    v->runner = sb->runner;
    v->cc = sb->cc;
    v->is_root = geteuid() == 0;
    v->landlock_abi = landlock_abi();
    v->uid = cfg->jail_uid > 0 ? cfg->jail_uid : 65534;
    v->gid = cfg->jail_gid > 0 ? cfg->jail_gid : 65534;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    v->max_concurrent = cfg->max_concurrent > 0             ? cfg->max_concurrent
                        : env_number("STRATLAB_SCRIPT_CONCURRENCY", 1, 1024) > 0
                            ? (int)env_number("STRATLAB_SCRIPT_CONCURRENCY", 1, 1024)
                        : cpus > 0 ? (int)cpus
                                   : 1;
    v->queue_depth = cfg->queue_depth > 0 ? cfg->queue_depth
                     : env_number("STRATLAB_SCRIPT_QUEUE_DEPTH", 1, 4096) > 0
                         ? (int)env_number("STRATLAB_SCRIPT_QUEUE_DEPTH", 1, 4096)
                         : 64;
    v->queue_wait_s = cfg->queue_wait_s > 0 ? cfg->queue_wait_s
                      : env_number("STRATLAB_SCRIPT_QUEUE_WAIT", 0.001, 3600) > 0
                          ? env_number("STRATLAB_SCRIPT_QUEUE_WAIT", 0.001, 3600)
                          : 60.0;
    slab_sandbox_health *h = &sb->health;
    h->is_root = v->is_root;
    h->landlock_abi = v->landlock_abi;
    h->seccomp = seccomp_available();
    h->stale_removed = sweep(sb->jobs_dir);
    snprintf(h->runner, sizeof h->runner, "%s", sb->runner);
    snprintf(h->cc, sizeof h->cc, "%s", sb->cc);
    snprintf(h->state_dir, sizeof h->state_dir, "%s", sb->state_dir);
    *out = sb;
    return SLAB_OK;
}

void slab_sandbox_close(slab_sandbox *sb) { slab_free(sb); }

void slab_sandbox_health_get(const slab_sandbox *sb, slab_sandbox_health *out) { *out = sb->health; }
