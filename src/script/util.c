/* util.c: the script layer's small shared pieces: status names, limits,
 * sealed memfds, spawning a jailed child safely from threaded callers,
 * removing a folder tree without following links, making untrusted text
 * printable. */
#include "script/script_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const status_names[] = {
    "ok",        "compile_error", "compile_timeout", "compile_resource_limit", "rejected",
    "timeout",   "cpu_limit",     "memory_limit",    "output_limit",           "forbidden_syscall",
    "crash",     "strategy_error", "busy"};

const char *slab_script_status_name(slab_script_status st)
{
    return (unsigned)st < sizeof status_names / sizeof status_names[0] ? status_names[st] : "?";
}

void slab_script_limits_default(slab_script_limits *l)
{
    l->timeout_s = SLAB_SCRIPT_TIMEOUT_DEFAULT_S;
    l->cpu_s = 0.0;
    l->memory_mb = SLAB_SCRIPT_MEMORY_DEFAULT_MB;
    l->output_bytes = SLAB_SCRIPT_OUTPUT_DEFAULT;
    l->compile_timeout_s = SLAB_SCRIPT_COMPILE_TIMEOUT_DEFAULT_S;
}

/* One range row: where, value, lo, hi, unit. */
static int out_of(const char *flag, double v, double lo, double hi, const char *unit, char *msg,
                  size_t cap)
{
    size_t l = strlen(msg);
    if (v >= lo && v <= hi)
        return 0;
    snprintf(msg + l, cap - l, "%s%s %g is outside %g..%.0f %s", l ? "; " : "", flag, v, lo, hi, unit);
    return 1;
}

slab_status slab_script_limits_check(const slab_script_limits *l, slab_error *err)
{
    char msg[SLAB_ERR_MSG_MAX] = "";
    int bad = 0;
    bad |= out_of("--timeout", l->timeout_s, 0.1, SLAB_SCRIPT_TIMEOUT_MAX_S, "seconds", msg,
                  sizeof msg);
    if (l->cpu_s != 0.0)
        bad |= out_of("--cpu-limit", l->cpu_s, 0.1, SLAB_SCRIPT_TIMEOUT_MAX_S, "seconds", msg,
                      sizeof msg);
    bad |= out_of("--memory", l->memory_mb, SLAB_SCRIPT_MEMORY_MIN_MB, SLAB_SCRIPT_MEMORY_MAX_MB,
                  "MiB", msg, sizeof msg);
    bad |= out_of("--output-limit", l->output_bytes, SLAB_SCRIPT_OUTPUT_MIN,
                  SLAB_SCRIPT_OUTPUT_MAX, "bytes", msg, sizeof msg);
    bad |= out_of("--compile-timeout", l->compile_timeout_s, 0.5,
                  SLAB_SCRIPT_COMPILE_TIMEOUT_MAX_S, "seconds", msg, sizeof msg);
    if (bad)
        return slab_error_set(err, SLAB_ERANGE, "limits", "%s", msg);
    return SLAB_OK;
}

double slab__ms_since(int64_t t0_ns) { return (double)(slab_clock_ns() - t0_ns) / 1e6; }

int slab__sealed_memfd(const char *name, const void *data, size_t n)
{
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    const char *p = data;
    size_t left = n;
    if (fd < 0)
        return -1;
    if (ftruncate(fd, (off_t)n) != 0)
        goto fail;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            goto fail;
        p += w;
        left -= (size_t)w;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0)
        goto fail;
    return fd;
fail:;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

void slab__text_sanitize(char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                  : (c & 0xF8) == 0xF0 ? 4 : 0;
        int ok = len > 0 && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = ((unsigned char)s[i + k] & 0xC0) == 0x80;
        if (ok && len == 2 && c < 0xC2)
            ok = 0; /* overlong */
        if (len == 1 && c < 0x20 && c != '\n' && c != '\t')
            ok = 0;
        if (len == 1 && c == 0x7F)
            ok = 0;
        if (!ok) {
            s[i++] = '?';
            continue;
        }
        i += len;
    }
}

int slab__rmtree_at(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dirfd, name, 0);
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    /* Read the names first: removing while reading skips entries. */
    char (*names)[256] = NULL;
    size_t n = 0, cap = 0;
    int dfd = dup(fd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    struct dirent *e;
    int rc = d ? 0 : -1;
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            void *p = slab_realloc(names, nc * sizeof *names);
            if (!p) {
                rc = -1;
                break;
            }
            names = p;
            cap = nc;
        }
        snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    if (d)
        closedir(d);
    else if (dfd >= 0)
        close(dfd);
    for (size_t k = 0; k < n; k++)
        if (slab__rmtree_at(fd, names[k]) != 0)
            rc = -1;
    slab_free(names);
    close(fd);
    if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0)
        rc = -1;
    return rc;
}

long slab__spawn(const char *prog, char *const argv[], char *const envp[], const int *fds,
                 int n_fds, int cwd_fd)
{
    int high[SLAB__FD_N + 1];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, all;
    pid_t pid = -1;
    int rc, k;

    if (n_fds > SLAB__FD_N + 1)
        return -1;
    /* Move every source above the targets first, so no dup2 clobbers
     * another source. */
    for (k = 0; k < n_fds; k++)
        high[k] = -1;
    for (k = 0; k < n_fds; k++)
        if ((high[k] = fcntl(fds[k], F_DUPFD_CLOEXEC, 64)) < 0)
            goto out_fds;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    if (cwd_fd >= 0) /* first: the fd is closed by the actions below */
        posix_spawn_file_actions_addfchdir_np(&fa, cwd_fd);
    for (k = 0; k < n_fds; k++)
        posix_spawn_file_actions_adddup2(&fa, high[k], k);
    posix_spawn_file_actions_addclosefrom_np(&fa, n_fds);
    rc = posix_spawn(&pid, prog, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (rc != 0) {
        errno = rc;
        pid = -1;
    }
out_fds:
    for (k = 0; k < n_fds; k++)
        if (high[k] >= 0)
            close(high[k]);
    return (long)pid;
}

const char *slab__syscall_name(int nr, uint32_t arch)
{
    /* libseccomp's table is static; the copy it returns is freed here. */
    static __thread char buf[64];
    char *name = seccomp_syscall_resolve_num_arch(arch ? arch : SCMP_ARCH_NATIVE, nr);
    if (!name)
        return NULL;
    snprintf(buf, sizeof buf, "%s", name);
    free(name);
    return buf;
}
