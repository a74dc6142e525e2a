/* jail.c: see jail.h. Landlock constants are defined here when the
 * system's uapi headers predate them (Debian 12 ships 6.1's, ABI <= 2);
 * which rights to ask for is decided by the running kernel's ABI. The
 * seccomp filter is built with libseccomp, which adds the native
 * architecture only and rejects x32 numbers on x86_64. */
#include "jail.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)
#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#define __NR_landlock_add_rule 445
#define __NR_landlock_restrict_self 446
#endif

/* The ruleset attribute in its ABI 6 size; older kernels get a prefix. */
struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

struct ll_path_beneath {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));

static void why_errno(char *why, const char *what)
{
    snprintf(why, JAIL_WHY, "%.160s: %.80s", what, strerror(errno));
}

int jail_landlock_abi(void)
{
    long abi = syscall(__NR_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return abi > 0 ? (int)abi : 0;
}

/* Every filesystem right the kernel's ABI knows. */
static uint64_t fs_rights(int abi)
{
    uint64_t r = (1ULL << 13) - 1; /* ABI 1: EXECUTE .. MAKE_SYM */
    if (abi >= 2)
        r |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3)
        r |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5)
        r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    return r;
}

/* Creates a ruleset handling every right of abi; -1 with why. */
static int ruleset(int abi, char *why)
{
    struct ll_ruleset_attr a = {fs_rights(abi), 0, 0};
    size_t size = sizeof a.handled_access_fs;
    if (abi >= 4) {
        a.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        size += sizeof a.handled_access_net;
    }
    if (abi >= 6) {
        a.scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
        size += sizeof a.scoped;
    }
    int fd = (int)syscall(__NR_landlock_create_ruleset, &a, size, 0);
    if (fd < 0)
        why_errno(why, "Landlock ruleset");
    return fd;
}

static int restrict_self(int fd, char *why)
{
    int rc = (int)syscall(__NR_landlock_restrict_self, fd, 0);
    if (rc != 0)
        why_errno(why, "Landlock restrict_self");
    close(fd);
    return rc == 0 ? 0 : -1;
}

int jail_landlock_deny_all(int abi, char *why)
{
    if (abi <= 0)
        return 0;
    int fd = ruleset(abi, why);
    return fd < 0 ? -1 : restrict_self(fd, why);
}

/* Allows `rights` beneath path (a file gets only the file rights). A path
 * that does not exist is skipped; returns -1 only on a failed rule. */
static int allow(int rs, const char *path, uint64_t rights, int abi, char *why)
{
    struct stat st;
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : (why_errno(why, path), -1);
    if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
        rights &= LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                  LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE |
                  LANDLOCK_ACCESS_FS_IOCTL_DEV;
    struct ll_path_beneath pb = {rights & fs_rights(abi), fd};
    int rc = (int)syscall(__NR_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0);
    close(fd);
    if (rc != 0) {
        char what[300];
        snprintf(what, sizeof what, "Landlock rule for %s", path);
        why_errno(why, what);
        return -1;
    }
    return 0;
}

int jail_landlock_compiler(int abi, char *why)
{
    if (abi <= 0)
        return 0;
    const uint64_t rx = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
                        LANDLOCK_ACCESS_FS_READ_DIR;
    const uint64_t rw = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE |
                        LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
                        LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                        LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_TRUNCATE;
    static const char *const toolchain[] = {"/usr", "/lib", "/lib64", "/bin", "/sbin"};
    int rs = ruleset(abi, why);
    if (rs < 0)
        return -1;
    for (size_t k = 0; k < sizeof toolchain / sizeof toolchain[0]; k++)
        if (allow(rs, toolchain[k], rx, abi, why) != 0)
            goto fail;
    if (allow(rs, "/etc/ld.so.cache", LANDLOCK_ACCESS_FS_READ_FILE, abi, why) != 0 ||
        allow(rs, ".", rw, abi, why) != 0 ||
        allow(rs, "/dev/null", LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE, abi,
              why) != 0)
        goto fail;
    return restrict_self(rs, why);
fail:
    close(rs);
    return -1;
}

int jail_namespaces(int is_root)
{
    if (is_root)
        return unshare(CLONE_NEWNET | CLONE_NEWIPC) == 0;
    return unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWIPC) == 0;
}

int jail_drop_ids(long uid, long gid, char *why)
{
    uid_t r, e, s;
    if (setgroups(0, NULL) != 0)
        return why_errno(why, "uid drop: setgroups"), -1;
    if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0)
        return why_errno(why, "uid drop: setresgid"), -1;
    if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0)
        return why_errno(why, "uid drop: setresuid"), -1;
    if (getresuid(&r, &e, &s) != 0 || r != (uid_t)uid || e != (uid_t)uid || s != (uid_t)uid ||
        getegid() != (gid_t)gid) {
        snprintf(why, JAIL_WHY, "uid drop: the identity did not change to %ld:%ld", uid, gid);
        return -1;
    }
    return 0;
}

int jail_parent_death(long ppid, char *why)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        return why_errno(why, "parent-death signal"), -1;
    if ((long)getppid() != ppid) {
        snprintf(why, JAIL_WHY, "parent-death signal: the supervisor is gone");
        return -1;
    }
    return 0;
}

int jail_rlimit(int resource, uint64_t soft, uint64_t hard, const char *name, char *why)
{
    struct rlimit rl = {(rlim_t)soft, (rlim_t)hard};
    if (setrlimit(resource, &rl) != 0) {
        char what[64];
        snprintf(what, sizeof what, "rlimit %s", name);
        why_errno(why, what);
        return -1;
    }
    return 0;
}

uint64_t jail_vm_size(void)
{
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "re");
    if (f) {
        if (fscanf(f, "%lu", &pages) != 1)
            pages = 0;
        fclose(f);
    }
    return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

int jail_no_new_privs(char *why)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return why_errno(why, "no-new-privileges"), -1;
    return 0;
}

/* Adds one allow rule; on failure records which call. */
/* A comparison of syscall argument arg (libseccomp's SCMP_An() leaves
 * datum_b to the compiler, which clang's -Wmissing-field-initializers
 * refuses). */
static struct scmp_arg_cmp arg_cmp(unsigned arg, enum scmp_compare op, scmp_datum_t a)
{
    struct scmp_arg_cmp c = {.arg = arg, .op = op, .datum_a = a, .datum_b = 0};
    return c;
}

static int rule(scmp_filter_ctx ctx, int nr, unsigned n_args, const struct scmp_arg_cmp *args,
                char *why)
{
    int rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n_args, args);
    if (rc != 0) {
        char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
        snprintf(why, JAIL_WHY, "seccomp rule for %s: %s", name ? name : "?", strerror(-rc));
        free(name);
    }
    return rc;
}

int jail_seccomp_runner(char *why)
{
    /* Plain allows: memory, time, own fds, signal returns, exits. */
    static const int plain[] = {
        SCMP_SYS(read),         SCMP_SYS(close),         SCMP_SYS(lseek),
        SCMP_SYS(fstat),        SCMP_SYS(brk),           SCMP_SYS(mmap),
        SCMP_SYS(munmap),       SCMP_SYS(mremap),        SCMP_SYS(mprotect),
        SCMP_SYS(madvise),      SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday),
        SCMP_SYS(futex),        SCMP_SYS(sched_yield),   SCMP_SYS(rt_sigreturn),
        SCMP_SYS(rt_sigprocmask), SCMP_SYS(getpid),      SCMP_SYS(gettid),
        SCMP_SYS(exit),         SCMP_SYS(exit_group)};
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
    int rc = 0;
    if (!ctx) {
        snprintf(why, JAIL_WHY, "seccomp: cannot create the filter");
        return -1;
    }
    if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0) {
        snprintf(why, JAIL_WHY, "seccomp: cannot set the foreign-architecture action");
        rc = -1;
    }
    for (size_t k = 0; rc == 0 && k < sizeof plain / sizeof plain[0]; k++)
        rc = rule(ctx, plain[k], 0, NULL, why);
    /* Writes only to the log (1, 2) and the result (3). */
    struct scmp_arg_cmp low_fd = arg_cmp(0, SCMP_CMP_LE, 3);
    if (rc == 0)
        rc = rule(ctx, SCMP_SYS(write), 1, &low_fd, why);
    if (rc == 0)
        rc = rule(ctx, SCMP_SYS(writev), 1, &low_fd, why);
    /* fstat(fd) through newfstatat(fd, "", st, AT_EMPTY_PATH) only. */
    struct scmp_arg_cmp empty_path = arg_cmp(3, SCMP_CMP_EQ, AT_EMPTY_PATH);
    if (rc == 0)
        rc = rule(ctx, SCMP_SYS(newfstatat), 1, &empty_path, why);
    /* abort()/assert(): a SIGABRT to itself, nothing else. */
    struct scmp_arg_cmp abrt[2] = {arg_cmp(0, SCMP_CMP_EQ, (scmp_datum_t)getpid()),
                                   arg_cmp(2, SCMP_CMP_EQ, SIGABRT)};
    if (rc == 0)
        rc = rule(ctx, SCMP_SYS(tgkill), 2, abrt, why);
    if (rc == 0 && (rc = seccomp_load(ctx)) != 0)
        snprintf(why, JAIL_WHY, "seccomp: cannot load the filter: %s", strerror(-rc));
    seccomp_release(ctx);
    return rc == 0 ? 0 : -1;
}
