/* jail.h: the kernel protections the runner program puts around a script
 * run and around the compiler (sandbox-design.md §7.2-7.3): identity,
 * namespaces, rlimits, no-new-privileges, Landlock, the seccomp
 * allow-list. Each returns 0, or -1 with what[] naming the protection and
 * the reason, so the caller can fail closed saying which. */
#ifndef SLAB_JAIL_H
#define SLAB_JAIL_H

#include <stddef.h>
#include <stdint.h>

#define JAIL_WHY 256

/* Landlock ABI of the running kernel; 0 when unavailable. */
int jail_landlock_abi(void);

/* Best-effort network and IPC namespaces (as root: net + ipc; otherwise a
 * user namespace first). Returns 1 when entered, 0 when not. */
int jail_namespaces(int is_root);

/* setgroups(0), setresgid(gid), setresuid(uid), then checks they hold. */
int jail_drop_ids(long uid, long gid, char *why);

/* PR_SET_PDEATHSIG(SIGKILL), then dies unless the parent is still ppid
 * (the uid change clears the death signal, so this comes after it). */
int jail_parent_death(long ppid, char *why);

/* One rlimit, soft and hard. */
int jail_rlimit(int resource, uint64_t soft, uint64_t hard, const char *name, char *why);

/* The address space now, bytes (VmSize from /proc/self/statm). */
uint64_t jail_vm_size(void);

/* PR_SET_NO_NEW_PRIVS. */
int jail_no_new_privs(char *why);

/* Landlock for the runner: no file access at all, no TCP (ABI >= 4), no
 * abstract unix sockets or signals outside (ABI >= 6). abi 0: skipped. */
int jail_landlock_deny_all(int abi, char *why);

/* Landlock for the compiler: read and execute under /usr (and /lib*,
 * /bin, /sbin when they are real folders), read /etc/ld.so.cache, read and
 * write the working folder and /dev/null, nothing else. */
int jail_landlock_compiler(int abi, char *why);

/* The runner's seccomp allow-list (§7.3), installed last; anything else
 * traps (SIGSYS names the call), a foreign architecture kills. */
int jail_seccomp_runner(char *why);

#endif
