/* script_int.h: what the script layer's files share with each other and
 * with its runner program (src/script/runner/): the job handed to the
 * runner (one sealed memfd: settings, then the bar columns), the result it
 * sends back on fd 3, the hint page its signal handlers write, the fd
 * numbers, exit codes and fixed compiler flags.
 * Invariant: the runner is the same build as the library (the job header
 * carries a layout stamp the runner checks); the supervisor still treats
 * everything the runner sends as untrusted and checks it field by field. */
#ifndef SLAB_SCRIPT_INT_H
#define SLAB_SCRIPT_INT_H

#include "stratlab/script.h"

#include <stdint.h>

/* The runner's file descriptors (sandbox-design.md §7.2 step 3). */
enum {
    SLAB__FD_NULL = 0,   /* /dev/null */
    SLAB__FD_STDOUT = 1, /* the script's stdout (a pipe) */
    SLAB__FD_STDERR = 2, /* the script's stderr (a pipe) */
    SLAB__FD_RESULT = 3, /* the result (a pipe) */
    SLAB__FD_JOB = 4,    /* the sealed job memfd (run) */
    SLAB__FD_SO = 5,     /* the sealed compiled strategy (run) */
    SLAB__FD_HINT = 6,   /* the shared hint page (run) */
    SLAB__FD_N = 7
};

/* Runner exit codes the supervisor understands; anything else is the
 * script's own exit. */
enum {
    SLAB__EXIT_SETUP = 121, /* a protection could not be set up: hint.text says which */
    SLAB__EXIT_LOAD = 122,  /* the compiled file could not be loaded: hint.text */
    SLAB__EXIT_USAGE = 123  /* started wrongly (not by a supervisor) */
};

#define SLAB__JOB_MAGIC "SLABJOB1"
#define SLAB__RES_MAGIC "SLABRES1"
#define SLAB__HINT_MAGIC 0x534c4248u /* "SLBH" */

/* A stamp of the structures copied byte for byte between the library and
 * the runner: a runner from another build is refused. */
#define SLAB__LAYOUT                                                                               \
    ((uint32_t)(sizeof(slab_broker_config) * 131u + sizeof(slab_risk_config) * 17u +              \
                sizeof(slab_trade) * 7u + sizeof(slab_order_event) + sizeof(slab_day_record) * 3u + \
                sizeof(slab_earnings) * 5u + SLAB_STRATEGY_ABI * 100003u))

/* The job, at offset 0 of the job memfd; the params text and the columns
 * follow at the offsets given (each column n_bars values, 8-byte aligned). */
/* One feed of the job: its columns' offsets in the memfd. */
typedef struct slab__job_feed {
    uint64_t n_bars;
    uint64_t col_off[7];      /* ts_ns, open, high, low, close, volume, oi */
    int32_t timeframe, compression;
    char symbol[32];
} slab__job_feed;

typedef struct slab__job_hdr {
    char magic[8];
    uint32_t layout;          /* SLAB__LAYOUT */
    uint32_t n_params;        /* "name=value" strings, NUL-separated */
    uint64_t params_off, params_len;
    uint32_t n_feeds;         /* 1 .. SLAB_FEEDS_MAX; feeds[0] is traded */
    int32_t stamp_end;        /* the run config's stamp_end */
    int64_t preroll_until_ns; /* the run config's preroll_until_ns */
    slab__job_feed feeds[SLAB_FEEDS_MAX];
    slab_broker_config broker;
    slab_risk_config risk;
    int32_t keep_cash;
    int32_t drop_uid;         /* 1: switch to uid/gid below (started as root) */
    int64_t uid, gid;
    int64_t supervisor_pid;   /* the runner dies unless this is its parent */
    int64_t cpu_ms;           /* CPU budget */
    int64_t memory_bytes;     /* address space beyond the runner's baseline */
    uint64_t earnings_off;    /* n_earnings slab_earnings rows (8-aligned) */
    uint32_t n_earnings;      /* at most SLAB__EARNINGS_MAX */
    int32_t has_earnings;     /* the run config's has_earnings */
} slab__job_hdr;

/* Most earnings rows a job carries (one symbol's releases). */
#define SLAB__EARNINGS_MAX 100000

/* What the runner's fatal-signal handlers record (one page, shared). */
typedef struct slab__hint {
    uint32_t magic;           /* SLAB__HINT_MAGIC once written */
    int32_t signo;            /* the signal the handler saw */
    int32_t code;             /* si_code */
    int32_t syscall_nr;       /* SIGSYS: the denied call */
    uint32_t arch;            /* SIGSYS: its AUDIT_ARCH_* */
    int32_t saved_errno;      /* errno at the fault (ENOMEM: a failed malloc) */
    uint32_t where;           /* SLAB__WHERE_* for a SIGSEGV */
    uint32_t stage;           /* SLAB__STAGE_* the runner had reached */
    uint64_t addr;            /* fault address */
    char text[1024];          /* setup/load failures: what failed and why */
} slab__hint;

enum {
    SLAB__WHERE_OTHER = 0,
    SLAB__WHERE_NULL,         /* below 64 KiB */
    SLAB__WHERE_STACK,        /* beside the stack: overflow */
    SLAB__WHERE_DATA          /* inside the read-only market data */
};

enum {
    SLAB__STAGE_START = 0,
    SLAB__STAGE_LOADED,       /* the compiled file is loaded */
    SLAB__STAGE_SANDBOXED,    /* every protection is in place: the script runs */
    SLAB__STAGE_DONE          /* the result was written */
};

/* The result, on fd 3: this header, then (kind OK) the strategy
 * description, the value curve, the cash curve (has_cash), the clock
 * (n_feeds > 1), the trades and the orders. */
enum { SLAB__RES_OK = 0, SLAB__RES_ERROR = 1, SLAB__RES_NOMEM = 2 };

#define SLAB__NAME_MAX 64
#define SLAB__TEXT_MAX 256
#define SLAB__PARAMS_MAX 64

typedef struct slab__res_param {
    char name[SLAB__NAME_MAX];
    char help[SLAB__TEXT_MAX];
    int32_t type;
    double def, min, max;
    double value;             /* resolved for this run */
} slab__res_param;

typedef struct slab__res_hdr {
    char magic[8];
    uint32_t kind;            /* SLAB__RES_* */
    uint32_t layout;
    char message[SLAB_ERR_MSG_MAX]; /* kind ERROR/NOMEM: what failed */
    char name[SLAB__NAME_MAX];
    char summary[SLAB__TEXT_MAX];
    int32_t n_params;
    int32_t has_next_open;
    int32_t has_cash;
    int32_t timeframe, compression;
    uint64_t n_bars, n_trades, n_orders, n_days; /* n_days session records
                                 follow the orders */
    uint32_t n_feeds;         /* > 1: the clock (n_bars times) follows the
                                 value (and cash) curves */
    double start_value, final_value, final_cash, position_size, position_price;
    int64_t minperiod, lookahead_attempts, next_calls, sizer_zero, indicators_ns, loop_ns;
    slab_risk_config risk;
} slab__res_hdr;

/* ---- compiler -------------------------------------------------------------- */

/* Fixed compiler flags (none come from the job); the source is
 * strategy.c in the job folder, the output strategy.so. */
extern const char *const slab__cc_flags[];
/* The embedded <stratlab/strategy.h> the jail compiles against. */
extern const char slab__embed_strategy_h[];
extern const unsigned long slab__embed_strategy_h_len;

/* ---- internal functions ------------------------------------------------------ */

/* Milliseconds between two slab_clock_ns() readings. */
double slab__ms_since(int64_t t0_ns);
/* A memfd holding data[0..n), sealed against any change; -1 with errno. */
int slab__sealed_memfd(const char *name, const void *data, size_t n);
/* Builds the job memfd for job (sealed); -1 with err set. */
int slab__job_memfd(const slab_script_job *job, int drop_uid, long uid, long gid,
                    slab_error *err);
/* Checks and decodes a result buffer into ex (run, def, params); returns 1
 * on success, 0 with ex->detail explaining what was malformed. */
int slab__result_decode(const unsigned char *buf, size_t n, const slab_script_job *job,
                        slab_script_exec *ex);
/* Checks a compiled strategy (ELF64 shared object): no initializers or
 * finalizers, no IFUNC, no executable stack, a `slab_strategy` object of
 * the right size. Returns 1 when fine, else 0 with why[cap] saying what. */
int slab__elf_check(const unsigned char *so, size_t n, char *why, size_t cap);
/* Replaces bytes that are not printable ASCII or valid UTF-8 (and control
 * characters other than \n and \t) with '?', in place. */
void slab__text_sanitize(char *s, size_t n);
/* Removes the tree at fd/name without following symlinks; returns 0 or -1. */
int slab__rmtree_at(int dirfd, const char *name);

/* The compile step of an execution (compile.c): finds source in the cache
 * or compiles it in the jail. On SLAB_SCRIPT_OK, *so and *so_len hold the checked
 * shared object (owned, slab_free()); SLAB__SCRIPT_FAILED means the
 * supervisor itself failed (err says why). */
#define SLAB__SCRIPT_FAILED ((slab_script_status)-1)
struct slab_sandbox;
slab_script_status slab__compile(struct slab_sandbox *sb, const char *source, size_t len,
                                 const char *source_name, double timeout_s, unsigned char **so,
                                 size_t *so_len, int *cached, char detail[640],
                                 slab_script_diag **diags, size_t *n_diags, slab_error *err);

/* The sandbox's state (sandbox.c), read by the other files. */
typedef struct slab__sandbox_view {
    const char *state_dir, *cache_dir, *jobs_dir, *queue_dir, *runner, *cc;
    int is_root, landlock_abi, user_ns;
    long uid, gid;
    int max_concurrent, queue_depth;
    double queue_wait_s;
    char cc_stamp[256];  /* compiler identity for the cache key */
} slab__sandbox_view;
const slab__sandbox_view *slab__sandbox_view_of(const struct slab_sandbox *sb);

/* Spawns prog (argv) with fds[0..n_fds) placed at 0..n_fds-1, every other
 * fd closed, in its own process group, with cwd_fd as working directory
 * (-1: unchanged) and env. Only async-signal-safe calls run between fork
 * and exec, so threaded callers are safe. Returns the pid or -1. */
long slab__spawn(const char *prog, char *const argv[], char *const envp[], const int *fds,
                 int n_fds, int cwd_fd);

/* Queue (queue.c): a slot among max_concurrent, waiting (at most
 * queue_depth waiters) up to queue_wait_s. Returns a handle >= 0 to pass
 * to slab__queue_leave, or -1 with why[] set (busy). */
int slab__queue_enter(const slab__sandbox_view *v, double *waited_ms, char *why, size_t cap);
void slab__queue_leave(int handle);

/* Resolves a syscall number of an AUDIT_ARCH to its name ("socket"), or
 * NULL. */
const char *slab__syscall_name(int nr, uint32_t arch);


/* ---- watching a child -------------------------------------------------------- */

/* One pipe from a child: the first keep_max bytes are kept, all are counted. */
typedef struct slab__stream {
    int fd;              /* read end (owned); -1 once at EOF */
    unsigned char *buf;  /* kept bytes (owned, slab_free()), NUL-terminated; grows to
                            keep_max */
    size_t kept, cap, keep_max;
    size_t total;        /* bytes read in all */
} slab__stream;

enum { SLAB__KILLED_NONE = 0, SLAB__KILLED_TIMEOUT, SLAB__KILLED_LOG, SLAB__KILLED_RESULT };

/* A child in its own process group and the pipes to read until it ends. */
typedef struct slab__watch {
    long pid;
    int64_t deadline_ns;     /* slab_clock_ns() when the group is killed */
    slab__stream *s;
    int n_s;
    int n_log;               /* s[0..n_log) are the log: their total is capped */
    size_t log_cap;          /* 0: no cap */
    int result_idx;          /* the stream capped by result_cap, -1 none */
    size_t result_cap;
    int killed;              /* SLAB__KILLED_*: what the supervisor did */
    int status;              /* from wait4 */
    double cpu_ms;           /* user + system */
    long max_rss_kb;
} slab__watch;

/* Reads the streams until they end and the child exits, killing the whole
 * group at the deadline or when a cap is passed; then kills any stray of
 * the group and reaps the child. Closes the stream fds. */
void slab__watch_run(slab__watch *w);

#endif
