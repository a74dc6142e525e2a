/* script.h: C strategy scripts. A script is one C file that includes only
 * <stratlab/strategy.h> and defines `const slab_strategy_def slab_strategy`.
 * This layer compiles it in a jail (fixed flags, limits, a cache keyed by
 * content hash), runs it in a sandboxed child process (its own process
 * group, rlimits, no new privileges, a dropped uid when root, Landlock,
 * a seccomp allow-list installed last; docs: ../shared/docs/sandbox-design.md
 * §7), and hands back the run or a status saying exactly what went wrong.
 * It also renders templates, validates scripts and queues executions.
 * Thread-safe: one slab_sandbox may serve many threads at once; the queue
 * is shared with every other process using the same state directory.
 * Invariant: nothing the child process sends is trusted: the supervisor
 * decides from exit statuses, its own timers and byte counts, and checks
 * every field of the result before using it. */
#ifndef STRATLAB_SCRIPT_H
#define STRATLAB_SCRIPT_H

#include <jansson.h>

#include "stratlab/broker.h"
#include "stratlab/core.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/risk.h"
#include "stratlab/strategy.h"

/* ---- limits -------------------------------------------------------------- */

/* Defaults and documented maximums of the per-job limits. */
#define SLAB_SCRIPT_TIMEOUT_DEFAULT_S 30.0
#define SLAB_SCRIPT_TIMEOUT_MAX_S 600.0
#define SLAB_SCRIPT_MEMORY_DEFAULT_MB 512.0
#define SLAB_SCRIPT_MEMORY_MIN_MB 16.0
#define SLAB_SCRIPT_MEMORY_MAX_MB 16384.0
#define SLAB_SCRIPT_OUTPUT_DEFAULT (10.0 * 1024 * 1024)
#define SLAB_SCRIPT_OUTPUT_MIN 1024.0
#define SLAB_SCRIPT_OUTPUT_MAX (256.0 * 1024 * 1024)
#define SLAB_SCRIPT_COMPILE_TIMEOUT_DEFAULT_S 30.0
#define SLAB_SCRIPT_COMPILE_TIMEOUT_MAX_S 300.0
#define SLAB_SCRIPT_SOURCE_MAX (1024 * 1024) /* bytes of C source */

/* What one job may use. */
typedef struct slab_script_limits {
    double timeout_s;         /* wall clock of the run, seconds (0.1 .. 600) */
    double cpu_s;             /* CPU time of the run, seconds; 0 = timeout_s */
    double memory_mb;         /* address space beyond the runner's own, MiB */
    double output_bytes;      /* most bytes the script may send back: its log
                                 (stdout + stderr) and, separately, the result's
                                 trades and orders (the per-bar value curve,
                                 whose size the data fixes, is not counted) */
    double compile_timeout_s; /* wall clock of the compiler, seconds */
} slab_script_limits;

/* Fills l with the defaults (timeout 30 s, memory 512 MiB, output 10 MiB,
 * compile 30 s). */
void slab_script_limits_default(slab_script_limits *l);
/* SLAB_OK when every limit is within its documented range; else
 * SLAB_ERANGE naming the limit, the value and the range. */
slab_status slab_script_limits_check(const slab_script_limits *l, slab_error *err);

/* ---- statuses ------------------------------------------------------------ */

/* How an execution ended (sandbox-design.md §7.5). */
typedef enum slab_script_status {
    SLAB_SCRIPT_OK = 0,
    SLAB_SCRIPT_COMPILE_ERROR,          /* the compiler refused the file */
    SLAB_SCRIPT_COMPILE_TIMEOUT,        /* the compiler ran past its wall clock */
    SLAB_SCRIPT_COMPILE_RESOURCE_LIMIT, /* the compiler hit its CPU, memory or file cap */
    SLAB_SCRIPT_REJECTED,               /* the binary failed the checks (constructors,
                                           IFUNC, no slab_strategy), or a protection
                                           could not be set up (fail closed) */
    SLAB_SCRIPT_TIMEOUT,                /* the run passed its wall clock */
    SLAB_SCRIPT_CPU_LIMIT,              /* the run passed its CPU time */
    SLAB_SCRIPT_MEMORY_LIMIT,           /* an allocation failed at the memory limit */
    SLAB_SCRIPT_OUTPUT_LIMIT,           /* the log or the result passed its byte cap */
    SLAB_SCRIPT_FORBIDDEN_SYSCALL,      /* a system call outside the allow-list */
    SLAB_SCRIPT_CRASH,                  /* a fatal signal (SIGSEGV, SIGFPE, SIGABRT...) */
    SLAB_SCRIPT_STRATEGY_ERROR,         /* init() failed, a bad parameter, or no
                                           valid result */
    SLAB_SCRIPT_BUSY                    /* the queue was full, or the wait too long */
} slab_script_status;

/* "ok", "compile_error", ... as the result document spells them. */
const char *slab_script_status_name(slab_script_status st);

/* One diagnostic about a script: a compiler message (paths stripped) or a
 * validator finding. line/col are 1-based, 0 when not tied to a place. */
typedef struct slab_script_diag {
    int line, col;
    int is_error;       /* 1 error, 0 warning (notes are folded into their message) */
    char code[24];      /* "compile", "registration", "include", "indicator",
                           "forbidden", "link" */
    char msg[400];      /* what is wrong and what to do */
} slab_script_diag;

/* ---- the sandbox (one per process or server) ----------------------------- */

typedef struct slab_sandbox_config {
    const char *state_dir;   /* cache/, queue/, jobs/ live here. NULL:
                                $STRATLAB_SCRIPT_DIR, else $XDG_CACHE_HOME/stratlab/scripts,
                                else ~/.cache/stratlab/scripts */
    const char *runner_path; /* the stratlab-runner program. NULL: $STRATLAB_RUNNER,
                                else stratlab-runner beside the running program,
                                else the one this build made */
    const char *cc;          /* the C compiler; NULL: /usr/bin/cc (GCC 10 or later) */
    int max_concurrent;      /* jobs at once, compiles included; 0:
                                $STRATLAB_SCRIPT_CONCURRENCY, else online CPUs */
    int queue_depth;         /* jobs that may wait for a slot; 0:
                                $STRATLAB_SCRIPT_QUEUE_DEPTH, else 64 */
    double queue_wait_s;     /* longest wait for a slot, seconds; 0:
                                $STRATLAB_SCRIPT_QUEUE_WAIT, else 60 */
    long jail_uid, jail_gid; /* identity of the compiler and the runner when
                                started as root; 0: 65534 (nobody) */
} slab_sandbox_config;

typedef struct slab_sandbox slab_sandbox;

/* What the sandbox found it can use on this machine (a health check). */
typedef struct slab_sandbox_health {
    int is_root;            /* the supervisor runs as uid 0: uid drop on */
    int landlock_abi;       /* 0: Landlock unavailable (skipped; seccomp, the
                               uid drop and rlimits still hold) */
    int seccomp;            /* 1: seccomp filters available (required) */
    size_t stale_removed;   /* job folders of dead supervisors removed at open */
    char runner[1024];      /* runner program in use */
    char cc[256];           /* compiler in use */
    char state_dir[1024];
} slab_sandbox_health;

/* Opens the sandbox: makes the state directories (mode 0700), removes job
 * folders a killed supervisor left behind, finds the runner program and
 * the compiler and probes seccomp and Landlock (without seccomp every run
 * is refused: fail closed). cfg may be NULL (defaults). Returns an owned
 * handle in *out (free with slab_sandbox_close()); SLAB_EIO when a folder
 * cannot be made or the runner or compiler is missing. */
slab_status slab_sandbox_open(const slab_sandbox_config *cfg, slab_sandbox **out, slab_error *err);
/* Closes sb; NULL is a no-op. */
void slab_sandbox_close(slab_sandbox *sb);
/* What sb found at open. */
void slab_sandbox_health_get(const slab_sandbox *sb, slab_sandbox_health *out);

/* ---- executing a script -------------------------------------------------- */

/* One job: a script, the bars it runs on and the run's settings. */
typedef struct slab_script_job {
    const char *source;        /* the C file's bytes (need not be NUL-terminated) */
    size_t source_len;         /* at most SLAB_SCRIPT_SOURCE_MAX */
    const char *source_name;   /* file name shown in diagnostics (its folders are
                                  dropped); NULL: "strategy.c" */
    const slab_bars *bars;     /* the data (the script sees it read-only) */
    const slab_broker_config *broker;
    const slab_risk_config *risk;   /* NULL: zeroed (one position per symbol) */
    const char *const *params; /* "name=value" overrides of the script's parameters */
    size_t n_params;
    int keep_cash;             /* 1: keep the cash after every bar (run->cash) */
    slab_script_limits limits;
    /* Several feeds (symbols), as slab_engine_run_feeds takes them: feeds[0]
     * is bars (traded, read by slab_get), the others are read through
     * slab_feed_get(); all go to the runner read-only. NULL/0: bars alone. */
    const slab_bars *const *feeds;
    size_t n_feeds;
    int64_t preroll_until_ns;  /* the run config's preroll (several feeds) */
    int stamp_end;             /* 1: intraday bars stamped at their end */
    /* The earnings calendar the script may ask about (slab_earnings_near):
     * borrowed rows, and 1 in has_earnings when it was read (0: the
     * script gets -1, "no calendar"). */
    const slab_earnings *earnings;
    size_t n_earnings;
    int has_earnings;
} slab_script_job;

/* What an execution produced. Owned; free with slab_script_exec_free(). */
typedef struct slab_script_exec {
    char id[40];                 /* "exec_" + 16 hex digits, unique */
    slab_script_status status;
    char detail[640];            /* one sentence saying what happened */
    char source_sha256[65];      /* SHA-256 of the source */
    char strategy[64];           /* the script's slab_strategy.name, once known */
    double compile_ms;           /* compiling, or finding it in the cache */
    double run_ms;               /* the sandboxed run, start to reap */
    double wall_ms;              /* the whole execution, queue wait included */
    double queue_ms;             /* waiting for a slot */
    double cpu_ms;               /* the run's user + system CPU */
    long max_rss_kb;             /* the run's peak resident memory */
    int cached;                  /* 1: the compiled file came from the cache */
    slab_script_diag *diags;     /* compiler errors and warnings (n_diags) */
    size_t n_diags;
    char *out_text, *err_text;   /* the first bytes of the script's stdout and
                                    stderr (NUL-terminated, valid UTF-8) */
    size_t out_bytes, err_bytes; /* how many bytes it wrote in all */
    slab_run *run;               /* status ok: the run */
    slab_strategy_def *def;      /* status ok: name, summary, parameter table */
    double *params;              /* status ok: resolved values (def->n_params) */
} slab_script_exec;

/* Runs job through the queue, the compiler (or the cache) and the
 * sandbox. Returns SLAB_OK with an owned outcome in *out whenever there is
 * one to report, whatever its status (a script that fails is not an error
 * of this call); an error status only when the job itself is malformed
 * (SLAB_EINVAL, SLAB_ERANGE for limits) or the supervisor cannot work
 * (SLAB_ENOMEM, SLAB_EIO). */
slab_status slab_script_execute(slab_sandbox *sb, const slab_script_job *job,
                                slab_script_exec **out, slab_error *err);
/* Frees an outcome and everything it owns; NULL is a no-op. */
void slab_script_exec_free(slab_script_exec *ex);

/* The "execution" object of the result document: id, status, detail,
 * compile_ms, run_ms, wall_ms, cpu_ms, max_rss_kb, cached, queue_ms,
 * success, stdout, stderr (first 16 KiB each) with their byte counts, and
 * errors/warnings (compiler diagnostics). Returns a new object (owned). */
json_t *slab_script_exec_json(const slab_script_exec *ex);
/* The document a failed execution prints: seed 000's failure shape
 * {"success": false, "error", "stdout", "stderr"} plus status, detail,
 * errors and the execution object. Returns a new object (owned). */
json_t *slab_script_failure_json(const slab_script_exec *ex);

/* Compiles source in the jail without running it (or finds it in the
 * cache): for the validator. *status gets SLAB_SCRIPT_OK, a compile status
 * or SLAB_SCRIPT_REJECTED/BUSY; diagnostics go to *diags (owned array of
 * *n_diags, free with slab_free()), detail to detail[640]. */
slab_status slab_script_compile_only(slab_sandbox *sb, const char *source, size_t source_len,
                                     const char *source_name, double timeout_s,
                                     slab_script_status *status, char detail[640],
                                     slab_script_diag **diags, size_t *n_diags, slab_error *err);

/* ---- validator ------------------------------------------------------------ */

/* Everything wrong with a script, errors before warnings. Owned; free
 * with slab_script_report_free(). */
typedef struct slab_script_report {
    slab_script_diag *items;
    size_t n;
    size_t n_errors, n_warnings;
    int compiled;          /* 1: the compiler ran (a sandbox was given) */
} slab_script_report;

/* Checks a script without running it: the compiler's diagnostics (when sb
 * is not NULL), a `slab_strategy` definition (directly or through
 * SLAB_STRATEGY()), includes other than <stratlab/strategy.h>, indicator
 * names passed to slab_indicator() that the table lacks (with the closest
 * names), and forbidden constructs: constructors/destructors, inline asm,
 * system calls, file/process/network/signal functions. Collects every
 * problem. Returns SLAB_OK with an owned report (it may hold errors). */
slab_status slab_script_validate(slab_sandbox *sb, const char *source, size_t source_len,
                                 const char *source_name, slab_script_report **out,
                                 slab_error *err);
void slab_script_report_free(slab_script_report *r);
/* The report as the validation document `stratlab validate FILE.c --json`
 * prints and POST /api/scripts/validate answers: {"valid", "kind":
 * "script", "error_count", "warning_count", "compiled", "items": [{"severity",
 * "code", "message", "line", "column"}], "errors", "warnings"}. Owned; NULL
 * when out of memory. */
json_t *slab_script_report_json(const slab_script_report *r);

/* ---- templates ----------------------------------------------------------- */

/* The kind of a template variable; each is checked before it is written
 * into the file, and written in a form that cannot change the code. */
typedef enum slab_tvar_type {
    SLAB_TVAR_TICKER = 0, /* ^[A-Z0-9.\-]{1,12}$ */
    SLAB_TVAR_TICKER_OPT, /* a ticker, or "" / "none" for none */
    SLAB_TVAR_DATE,       /* YYYY-MM-DD, a real calendar day */
    SLAB_TVAR_TIME,       /* HH:MM, 00:00 .. 23:59 */
    SLAB_TVAR_INT,        /* whole number in [min, max] */
    SLAB_TVAR_FLOAT,      /* decimal number in [min, max] */
    SLAB_TVAR_BOOL,       /* true / false */
    SLAB_TVAR_ENUM,       /* one of the comma-separated choices */
    SLAB_TVAR_LIST        /* 1-20 comma-separated decimals, each in [min, max] */
} slab_tvar_type;

typedef struct slab_template_var {
    const char *name;     /* "trailing_stop_pct" */
    slab_tvar_type type;
    const char *def;      /* default text; NULL: required */
    double min, max;      /* numbers: inclusive range */
    const char *choices;  /* enum: "SMA,EMA,WMA" */
    const char *help;     /* one line, with the unit */
} slab_template_var;

typedef struct slab_template {
    const char *name;     /* "orb" */
    const char *summary;  /* one line */
    const slab_template_var *vars;
    int n_vars;
    const char *body;     /* the template text ({{var}} placeholders) */
} slab_template;

/* Every template, in listing order; *n gets the count. */
const slab_template *const *slab_template_table(size_t *n);
/* A template by name; NULL with the list of names in err when unknown. */
const slab_template *slab_template_find(const char *name, slab_error *err);
/* Renders t with "name=value" settings (the rest take their defaults) into
 * an owned NUL-terminated C file in *out (free with slab_free()). Every
 * value is checked against its type first; all problems are reported at
 * once, each with the allowed form. file_name is written into the file's
 * run hint (its folders dropped; NULL: "strategy.c"). */
slab_status slab_template_render(const slab_template *t, const char *const *kv, size_t n_kv,
                                 const char *file_name, char **out, slab_error *err);
/* A template's variables as JSON (name, type, default, range/choices, help). */
json_t *slab_template_json(const slab_template *t);

/* ---- run hints ------------------------------------------------------------ */

/* A script may carry comment lines that tell `run --script` what it was
 * made for (templates write them; each value is checked when read):
 *   //! stratlab run: --symbol HOOD --from 2025-07-31 --to 2025-07-31
 *                     [--timeframe 1m] [--market QQQ] [--compare name=v1,v2,...]
 *   //! stratlab template: orb ticker=HOOD date=2025-07-31 ...
 * The data options are used when the command line gives no --data or
 * --symbol; the template line goes to the execution log. */
typedef struct slab_script_hint {
    char symbol[16], from[16], to[16], timeframe[16];
    char market[16];    /* second symbol (a market filter), or "" */
    char compare[256];  /* "trail_pct=1,2,3", or "" */
    char template_name[32];
    char vars[512];     /* "ticker=HOOD date=2025-07-31 ..." */
} slab_script_hint;
/* Reads the hint lines of source into *out (zeroed when there are none).
 * SLAB_EPARSE with "line N" when a hint line is malformed. */
slab_status slab_script_hint_parse(const char *source, size_t len, slab_script_hint *out,
                                   slab_error *err);

#endif
