/* test_script_hostile.c: the hostile test plan of sandbox-design.md §8 (all
 * 23 rows, and more) through the CLI, as an outside caller meets it: each
 * script in tests/scripts/hostile/ runs with `stratlab run --script ...
 * --json` and must end with its expected status and a detail naming what
 * happened; stdout must be exactly one JSON document (the seed 000
 * failure shape when it failed) and the exit code non-zero on failure;
 * nothing of /etc/passwd or /etc/shadow may appear in any output; after
 * every row a benign script still runs and gives the built-in's numbers.
 * Then: the supervisor killed mid-run and mid-compile (its children die,
 * the next start sweeps the stale job folder), the queue (K running,
 * depth waiting, the rest busy), a subset again as an unprivileged user
 * (when the test runs as root), and no stray process or temp file left. */
#include "slab_test.h"
#include "stratlab/core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char tmp[1024], data[1200], state_dir[1200], db[1200], hostile[1200], benign[1200];
static const char *cli;
static double builtin_final; /* sma_cross's final value on the data, from the built-in */

/* ---- running the CLI ------------------------------------------------------------ */

typedef struct outcome {
    char *out, *err; /* whole stdout and stderr (owned) */
    int rc;          /* exit code, or 128 + signal */
    json_t *doc;     /* stdout parsed, or NULL */
} outcome;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = malloc((size_t)len + 1);
        n = buf ? fread(buf, 1, (size_t)len, f) : 0;
        fclose(f);
    }
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[n] = '\0';
    return buf;
}

/* Starts argv (NULL-terminated) with stdout and stderr going to files
 * named after tag; returns the pid. prefix (may be NULL) runs first
 * (setpriv for the unprivileged rows). */
static pid_t start(char *const *argv, const char *tag)
{
    char o[1300], e[1300];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    snprintf(o, sizeof o, "%s/%s.out", tmp, tag);
    snprintf(e, sizeof e, "%s/%s.err", tmp, tag);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

static void finish(pid_t pid, const char *tag, outcome *r)
{
    char o[1300], e[1300];
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    snprintf(o, sizeof o, "%s/%s.out", tmp, tag);
    snprintf(e, sizeof e, "%s/%s.err", tmp, tag);
    r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = slurp(o);
    r->err = slurp(e);
    r->doc = json_loads(r->out, 0, NULL);
}

static void outcome_clear(outcome *r)
{
    free(r->out);
    free(r->err);
    json_decref(r->doc);
    memset(r, 0, sizeof *r);
}

/* Splits "a b c" into argv words appended at argv[*n]. */
static void add_words(char **argv, int *n, char *words)
{
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
        argv[(*n)++] = w;
}

/* `[prefix...] stratlab run --script FILE --data DATA --json [args]`. */
static void run_script(const char *prefix, const char *file, const char *args, const char *tag,
                       outcome *r)
{
    char *argv[48], pre[256] = "", extra[512] = "";
    int n = 0;
    if (prefix)
        snprintf(pre, sizeof pre, "%s", prefix);
    add_words(argv, &n, pre);
    argv[n++] = (char *)cli;
    argv[n++] = "run";
    argv[n++] = "--script";
    argv[n++] = (char *)file;
    argv[n++] = "--data";
    argv[n++] = data;
    argv[n++] = "--json";
    if (args)
        snprintf(extra, sizeof extra, "%s", args);
    add_words(argv, &n, extra);
    argv[n] = NULL;
    finish(start(argv, tag), tag, r);
}

static const char *jstr(json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* ---- what no output may contain ---------------------------------------------------- */

/* Each line of /etc/passwd and (when readable) /etc/shadow: no output
 * may contain any of them. */
static char secrets[512][256];
static size_t n_secrets;

static void load_secrets(const char *path)
{
    char line[512];
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f) && n_secrets < 512) {
        line[strcspn(line, "\n")] = '\0';
        if (strlen(line) >= 12)
            snprintf(secrets[n_secrets++], sizeof secrets[0], "%.255s", line);
    }
    if (f)
        fclose(f);
}

static int leaks(const char *text)
{
    for (size_t k = 0; k < n_secrets; k++)
        if (strstr(text, secrets[k]))
            return 1;
    return strstr(text, "root:x:0:0") != NULL;
}

/* ---- setup -------------------------------------------------------------------------------- */

static void cli_simple(const char *args, const char *tag, outcome *r)
{
    char *argv[32], words[1024];
    int n = 0;
    argv[n++] = (char *)cli;
    snprintf(words, sizeof words, "%s", args);
    add_words(argv, &n, words);
    argv[n] = NULL;
    finish(start(argv, tag), tag, r);
}

static int setup(void **state)
{
    outcome r = {0};
    char args[1400];
    (void)state;
    cli = getenv("SLAB_CLI");
    const char *src = getenv("SLAB_SOURCE_DIR");
    if (!cli || !src)
        return -1;
    snprintf(tmp, sizeof tmp, "%s/hostile", slab_test_tmpdir());
    mkdir(tmp, 0755);
    snprintf(state_dir, sizeof state_dir, "%s/state", tmp);
    snprintf(db, sizeof db, "%s/log.db", tmp);
    snprintf(data, sizeof data, "%s/bars.csv", tmp);
    snprintf(hostile, sizeof hostile, "%s/tests/scripts/hostile", src);
    snprintf(benign, sizeof benign, "%s/tests/scripts/parity/sma_cross.c", src);
    setenv("STRATLAB_SCRIPT_DIR", state_dir, 1);
    setenv("STRATLAB_DB", db, 1);
    snprintf(args, sizeof args, "data sample --symbol SAMPLE --bars 300 --seed 11 --out %s", data);
    cli_simple(args, "sample", &r);
    if (r.rc != 0)
        return -1;
    outcome_clear(&r);
    snprintf(args, sizeof args, "run --strategy sma_cross --data %s --json", data);
    cli_simple(args, "builtin", &r);
    builtin_final = json_number_value(json_object_get(json_object_get(r.doc, "final"), "value"));
    outcome_clear(&r);
    load_secrets("/etc/passwd");
    load_secrets("/etc/shadow");
    return builtin_final > 0 ? 0 : -1;
}

/* ---- the rows ------------------------------------------------------------------------------- */

typedef struct row {
    const char *file;   /* in tests/scripts/hostile/ */
    const char *status; /* expected status; "a|b" accepts either */
    const char *detail; /* a substring of the detail; "x|y" accepts either */
    const char *args;   /* extra run options */
    int unpriv;         /* also run as an unprivileged user */
} row;

static const row rows[] = {
    {"01_fork_bomb.c", "forbidden_syscall", "clone", NULL, 1},
    {"02_socket.c", "forbidden_syscall", "socket (41)", NULL, 1},
    {"02b_raw_syscall.c", "forbidden_syscall", "socket (41)", NULL, 0},
    /* 32-bit system calls: killed as a foreign architecture, or, where
     * the kernel has them off (this machine), a general protection fault */
    {"02c_int80.c", "forbidden_syscall|crash", "foreign ABI|int 0x80", NULL, 0},
    {"02d_x32.c", "forbidden_syscall", "x32|foreign ABI", NULL, 0},
    {"03_read_passwd.c", "forbidden_syscall", "openat", NULL, 1},
    {"04_write_file.c", "forbidden_syscall", "openat", NULL, 1},
    {"05_busy_loop.c", "cpu_limit", "CPU limit 1000 ms exceeded", "--cpu-limit 1 --timeout 120", 0},
    {"05b_busy_loop_masked.c", "cpu_limit", "CPU limit 1000 ms exceeded",
     "--cpu-limit 1 --timeout 120", 0},
    {"06_futex_wait.c", "timeout", "wall clock limit 2 s exceeded", "--timeout 2", 0},
    {"06b_sleep.c", "forbidden_syscall", "clock_nanosleep", NULL, 0},
    {"07_huge_malloc.c", "memory_limit", "memory limit (64 MiB)", "--memory 64", 0},
    {"08_alloc_touch.c", "memory_limit|crash", "memory limit (64 MiB)|null pointer", "--memory 64",
     0},
    {"09_printf_flood.c", "output_limit", "log (stdout and stderr) exceeded the output limit of "
                                          "65536 bytes", "--output-limit 65536", 0},
    {"09b_result_flood.c", "output_limit", "result (trades and orders) exceeded",
     "--output-limit 65536", 0},
    {"10_stack_overflow.c", "crash", "stack overflow", NULL, 0},
    {"11_assert.c", "crash", "SIGABRT", NULL, 0},
    {"12_null_deref.c", "crash", "SIGSEGV at 0x0: null pointer dereference", NULL, 1},
    {"13_div_zero.c", "crash", "SIGFPE: integer division by zero", NULL, 0},
    {"14_write_market_data.c", "crash", "write to read-only market data", NULL, 1},
    {"14b_mprotect_market_data.c", "ok", "", NULL, 0},
    {"15_constructor.c", "rejected", "constructors", NULL, 0},
    {"15b_init_array_asm.c", "rejected", "constructors", NULL, 0},
    {"15c_ifunc.c", "rejected", "IFUNC", NULL, 0},
    {"16a_setrlimit.c", "forbidden_syscall", "prlimit64", NULL, 1},
    {"16b_kill_parent.c", "forbidden_syscall", "getppid", NULL, 1},
    {"16c_execve.c", "forbidden_syscall", "execve", NULL, 0},
    {"16d_memfd.c", "forbidden_syscall", "memfd_create", NULL, 0},
    {"16e_thread.c", "forbidden_syscall", "is not allowed", NULL, 0},
    {"16f_prctl.c", "forbidden_syscall", "prctl", NULL, 0},
    {"16g_ptrace.c", "forbidden_syscall", "ptrace", NULL, 0},
    {"16h_write_other_fd.c", "forbidden_syscall", "system call write (1)", NULL, 0},
    {"16i_shellcode.c", "forbidden_syscall", "socket (41)", NULL, 0},
    {"17a_missing_semicolon.c", "compile_error",
     "17a_missing_semicolon.c:10:25: error: expected ';'", NULL, 0},
    {"17b_undeclared.c", "compile_error", "17b_undeclared.c:8:9: error: 'threshold' undeclared",
     NULL, 0},
    {"17c_implicit.c", "compile_error",
     "17c_implicit.c:8:5: error: implicit declaration of function 'slab_buy_everything'", NULL, 0},
    {"18a_include_passwd.c", "compile_error", "/etc/passwd: Permission denied", NULL, 1},
    {"18b_include_devzero.c", "compile_error", "/dev/zero: Permission denied", NULL, 0},
    {"18c_incbin_shadow.c", "compile_error", "/etc/shadow", NULL, 0},
    {"18d_include_dotdot.c", "compile_error", "Permission denied", NULL, 0},
    {"19_preprocessor_bomb.c", "compile_resource_limit|compile_timeout", "compiler",
     "--compile-timeout 10", 0},
    {"20a_garbage_result.c", "strategy_error", "malformed result", NULL, 0},
    {"20b_nan_orders.c", "ok", "", NULL, 0},
    {"20c_exit_early.c", "strategy_error", "ended the process", NULL, 0},
    {"30_abi_mismatch.c", "rejected", "this stratlab runs ABI 1", NULL, 0},
    {"31_no_strategy.c", "rejected", "defines no `slab_strategy`", NULL, 0},
    {"32_init_fails.c", "strategy_error", "period 20 is too long for this data", NULL, 0},
};

/* 1 when s is one of the '|'-separated alternatives (exact), or, with
 * sub, contains one of them. */
static int one_of(const char *s, const char *alts, int sub)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", alts);
    for (char *save = NULL, *a = strtok_r(buf, "|", &save); a; a = strtok_r(NULL, "|", &save))
        if (sub ? strstr(s, a) != NULL : !strcmp(s, a))
            return 1;
    return !*alts && sub;
}

/* Checks one outcome against its row; returns the number of problems. */
static int check_outcome(const row *w, const outcome *r, const char *who)
{
    int bad = 0;
    json_t *ex = json_object_get(r->doc, "execution");
    const char *status = jstr(ex, "status"), *detail = jstr(ex, "detail");
    if (!r->doc || !ex || !status || !detail) {
        print_message("%s %s: stdout is not one JSON document with an execution (rc %d): %.300s "
                      "| stderr %.300s\n", who, w->file, r->rc, r->out, r->err);
        return 1;
    }
    if (!one_of(status, w->status, 0) || !one_of(detail, w->detail, 1)) {
        print_message("%s %s: got %s \"%s\", want %s \"%s\"\n", who, w->file, status, detail,
                      w->status, w->detail);
        bad++;
    }
    int ok = !strcmp(status, "ok");
    if ((r->rc == 0) != ok) {
        print_message("%s %s: exit code %d with status %s\n", who, w->file, r->rc, status);
        bad++;
    }
    if (!ok && (!json_is_false(json_object_get(r->doc, "success")) ||
                !jstr(r->doc, "error") || !jstr(r->doc, "stdout") || !jstr(r->doc, "stderr") ||
                strcmp(jstr(r->doc, "status"), status) || strcmp(jstr(r->doc, "detail"), detail))) {
        print_message("%s %s: the failure document lacks seed 000's shape\n", who, w->file);
        bad++;
    }
    if (leaks(r->out) || leaks(r->err)) {
        print_message("%s %s: a line of /etc/passwd or /etc/shadow reached the output\n", who,
                      w->file);
        bad++;
    }
    return bad;
}

/* The runner is healthy: the benign script gives the built-in's value. */
static int healthy(const char *prefix, const char *after)
{
    outcome r = {0};
    run_script(prefix, benign, NULL, "benign", &r);
    double v = json_number_value(json_object_get(json_object_get(r.doc, "final"), "value"));
    int ok = r.rc == 0 && v == builtin_final;
    if (!ok)
        print_message("after %s: the benign script gave rc %d, final %.17g (built-in %.17g): "
                      "%.300s %.300s\n", after, r.rc, v, builtin_final, r.out, r.err);
    outcome_clear(&r);
    return ok;
}

/* Row-specific facts beyond status and detail. */
static int check_extra(const row *w, const outcome *r)
{
    json_t *ex = json_object_get(r->doc, "execution");
    const char *out = jstr(ex, "stdout"), *err = jstr(ex, "stderr");
    struct stat st;
    if (!strcmp(w->file, "04_write_file.c") && stat("/tmp/stratlab_hostile_04.txt", &st) == 0) {
        print_message("04: the file was written\n");
        return 1;
    }
    if (!strcmp(w->file, "09_printf_flood.c") &&
        (strlen(out) > 16384 || json_integer_value(json_object_get(ex, "stdout_bytes")) <= 65536)) {
        print_message("09: kept %zu bytes of stdout, counted %lld\n", strlen(out),
                      (long long)json_integer_value(json_object_get(ex, "stdout_bytes")));
        return 1;
    }
    if (!strcmp(w->file, "11_assert.c") &&
        (!strstr(err, "strategy.c:9: next: Assertion") || strstr(err, tmp) ||
         strstr(err, getenv("SLAB_SOURCE_DIR")))) {
        print_message("11: stderr should name strategy.c:9 and no server path: %s\n", err);
        return 1;
    }
    if (!strcmp(w->file, "14b_mprotect_market_data.c") && !strstr(out, "mprotect: -1 errno 13 EACCES")) {
        print_message("14b: mprotect was not refused: %s\n", out);
        return 1;
    }
    if (!strcmp(w->file, "17a_missing_semicolon.c")) {
        json_t *e0 = json_array_get(json_object_get(ex, "errors"), 0);
        if (json_integer_value(json_object_get(e0, "line")) != 10 ||
            json_integer_value(json_object_get(e0, "col")) != 25) {
            print_message("17a: errors[0] is not at 10:25\n");
            return 1;
        }
    }
    json_t *m = json_object_get(r->doc, "metrics");
    if (!strcmp(w->file, "20b_nan_orders.c") &&
        (json_integer_value(json_object_get(m, "num_trades")) != 0 ||
         json_integer_value(json_object_get(m, "open_trades")) != 0)) {
        print_message("20b: NaN orders made trades\n");
        return 1;
    }
    return 0;
}

static void test_hostile_rows(void **state)
{
    (void)state;
    char path[1400], hash_before[65], hash_after[65];
    slab_error err;
    int failures = 0;
    unlink("/tmp/stratlab_hostile_04.txt");
    assert_int_equal(slab_sha256_file(data, hash_before, &err), SLAB_OK);
    assert_true(healthy(NULL, "nothing"));
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        outcome r = {0};
        snprintf(path, sizeof path, "%s/%s", hostile, rows[k].file);
        run_script(NULL, path, rows[k].args, "row", &r);
        int bad = check_outcome(&rows[k], &r, "root-or-user") + check_extra(&rows[k], &r);
        if (!bad)
            print_message("%-30s %s\n", rows[k].file,
                          jstr(json_object_get(r.doc, "execution"), "detail"));
        failures += bad;
        outcome_clear(&r);
        failures += !healthy(NULL, rows[k].file);
    }
    assert_int_equal(slab_sha256_file(data, hash_after, &err), SLAB_OK);
    if (strcmp(hash_before, hash_after)) {
        print_message("the market data file changed\n");
        failures++;
    }
    assert_int_equal(failures, 0);
}

/* ---- processes --------------------------------------------------------------------------------- */

typedef struct proc {
    long pid, ppid, pgrp;
    char comm[64], state;
} proc;

static size_t procs(proc *out, size_t cap)
{
    size_t n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d)) && n < cap) {
        char path[300], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        char *l = strchr(buf, '('), *r = strrchr(buf, ')');
        if (!l || !r)
            continue;
        proc *p = &out[n];
        p->pid = atol(buf);
        snprintf(p->comm, sizeof p->comm, "%.*s", (int)(r - l - 1), l + 1);
        if (sscanf(r + 2, "%c %ld %ld", &p->state, &p->ppid, &p->pgrp) == 3)
            n++;
    }
    if (d)
        closedir(d);
    return n;
}

static proc table[8192];

/* Waits up to ms for pid to be gone or a zombie; returns 1 when it is. */
static int gone(long pid, int ms)
{
    for (int t = 0; t < ms; t += 20) {
        size_t n = procs(table, 8192);
        int alive = 0;
        for (size_t k = 0; k < n; k++)
            alive |= table[k].pid == pid && table[k].state != 'Z';
        if (!alive)
            return 1;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* The first child of parent named comm (any name: NULL), waiting up to
 * ms; 0 if none. */
static long child_named(long parent, const char *comm, int ms)
{
    for (int t = 0; t < ms; t += 20) {
        size_t n = procs(table, 8192);
        for (size_t k = 0; k < n; k++)
            if (table[k].ppid == parent && (!comm || !strcmp(table[k].comm, comm)) &&
                table[k].state != 'Z')
                return table[k].pid;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static size_t job_folders(void)
{
    char jobs[1300];
    size_t n = 0;
    snprintf(jobs, sizeof jobs, "%s/jobs", state_dir);
    DIR *d = opendir(jobs);
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

/* Row 21: the supervisor SIGKILLed while the script runs: the runner
 * dies with it (parent-death signal). */
static void test_supervisor_killed_mid_run(void **state)
{
    (void)state;
    char path[1400], *argv[16];
    snprintf(path, sizeof path, "%s/06_futex_wait.c", hostile);
    /* compiled once first, so the kill lands in the run */
    outcome r = {0};
    run_script(NULL, path, "--timeout 1", "warm", &r);
    outcome_clear(&r);
    int n = 0;
    argv[n++] = (char *)cli;
    argv[n++] = "run";
    argv[n++] = "--script";
    argv[n++] = path;
    argv[n++] = "--data";
    argv[n++] = data;
    argv[n++] = "--timeout";
    argv[n++] = "60";
    argv[n] = NULL;
    pid_t sup = start(argv, "killed");
    long runner = child_named(sup, "stratlab-runner", 20000);
    assert_true(runner > 0);
    kill(sup, SIGKILL);
    finish(sup, "killed", &r);
    outcome_clear(&r);
    assert_true(gone(runner, 5000));
    assert_true(healthy(NULL, "a killed supervisor"));
}

/* The supervisor SIGKILLed while the compiler runs: the jail's watchdog
 * kills the compiler's whole group; the job folder it left is removed by
 * the next start's sweep. */
static void test_supervisor_killed_mid_compile(void **state)
{
    (void)state;
    char path[1400], *argv[16];
    outcome r = {0};
    snprintf(path, sizeof path, "%s/19_preprocessor_bomb.c", hostile);
    int n = 0;
    argv[n++] = (char *)cli;
    argv[n++] = "run";
    argv[n++] = "--script";
    argv[n++] = path;
    argv[n++] = "--data";
    argv[n++] = data;
    argv[n++] = "--compile-timeout";
    argv[n++] = "120";
    argv[n] = NULL;
    pid_t sup = start(argv, "killed_compile");
    long jail = child_named(sup, "stratlab-runner", 20000);
    assert_true(jail > 0);
    long compiler = child_named(jail, NULL, 20000); /* the driver, whatever its name */
    long cc1 = compiler ? child_named(compiler, "cc1", 20000) : 0;
    assert_true(cc1 > 0);
    assert_true(job_folders() >= 1);
    kill(sup, SIGKILL);
    finish(sup, "killed_compile", &r);
    outcome_clear(&r);
    assert_true(gone(jail, 5000));
    assert_true(gone(cc1, 5000));
    assert_true(job_folders() >= 1); /* left behind by the killed supervisor */
    assert_true(healthy(NULL, "a supervisor killed while compiling"));
    assert_int_equal(job_folders(), 0); /* swept at the next start */
}

/* Row 22: with 1 slot and 1 waiting place, three blocking jobs: one runs,
 * one waits its turn, the third is busy at once. */
static void test_queue(void **state)
{
    (void)state;
    char path[1400];
    outcome r[3] = {{0}};
    pid_t pid[3];
    snprintf(path, sizeof path, "%s/06_futex_wait.c", hostile);
    run_script(NULL, path, "--timeout 1", "warm", &r[0]); /* cache the compile */
    outcome_clear(&r[0]);
    setenv("STRATLAB_SCRIPT_CONCURRENCY", "1", 1);
    setenv("STRATLAB_SCRIPT_QUEUE_DEPTH", "1", 1);
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)cli;
    argv[n++] = "run";
    argv[n++] = "--script";
    argv[n++] = path;
    argv[n++] = "--data";
    argv[n++] = data;
    argv[n++] = "--json";
    argv[n++] = "--timeout";
    argv[n++] = "4";
    argv[n] = NULL;
    static const char *tags[3] = {"q0", "q1", "q2"};
    for (int k = 0; k < 3; k++) {
        pid[k] = start(argv, tags[k]);
        if (k == 0)
            assert_true(child_named(pid[0], "stratlab-runner", 20000) > 0);
        else {
            struct timespec ts = {0, 500000000};
            nanosleep(&ts, NULL);
        }
    }
    for (int k = 0; k < 3; k++)
        finish(pid[k], tags[k], &r[k]);
    unsetenv("STRATLAB_SCRIPT_CONCURRENCY");
    unsetenv("STRATLAB_SCRIPT_QUEUE_DEPTH");
    const char *s0 = jstr(r[0].doc, "status"), *s1 = jstr(r[1].doc, "status"),
               *s2 = jstr(r[2].doc, "status");
    print_message("queue: %s, %s (waited %.0f ms), %s: %s\n", s0, s1,
                  json_number_value(json_object_get(json_object_get(r[1].doc, "execution"),
                                                    "queue_ms")),
                  s2, jstr(r[2].doc, "detail"));
    assert_string_equal(s0, "timeout");
    assert_string_equal(s1, "timeout");
    assert_true(json_number_value(json_object_get(json_object_get(r[1].doc, "execution"),
                                                  "queue_ms")) > 1000.0);
    assert_string_equal(s2, "busy");
    assert_non_null(strstr(jstr(r[2].doc, "detail"), "queue is full"));
    assert_int_not_equal(r[2].rc, 0);
    for (int k = 0; k < 3; k++)
        outcome_clear(&r[k]);
}

/* A subset again as uid 65534 (the CI runs as root; this covers the path
 * without the uid drop, where a user namespace stands in). */
static void test_unprivileged_subset(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        print_message("SKIP: not root; every row above already ran unprivileged\n");
        skip();
    }
    if (access("/usr/bin/setpriv", X_OK) != 0) {
        print_message("SKIP: setpriv (util-linux) is missing\n");
        skip();
    }
    /* A world-readable copy of what the user needs, outside any private
     * folder: the programs, the scripts, the data; its own state and log. */
    char dir[] = "/tmp/stratlab-unpriv-XXXXXX", cmd[4096], prog[1300], saved_cli[1300];
    assert_non_null(mkdtemp(dir));
    chmod(dir, 0755);
    const char *runner = getenv("STRATLAB_RUNNER");
    snprintf(cmd, sizeof cmd,
             "cp '%s' '%s/stratlab' && cp '%s' '%s/stratlab-runner' && cp -r '%s' '%s/hostile' "
             "&& cp '%s' '%s/bars.csv' && cp '%s' '%s/benign.c' && mkdir -m 777 '%s/state' && "
             "chmod -R a+rX '%s'",
             cli, dir, runner, dir, hostile, dir, data, dir, benign, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(prog, sizeof prog, "%s/stratlab", dir);
    snprintf(saved_cli, sizeof saved_cli, "%s", cli);
    char saved_data[1200], saved_benign[1200], saved_state[1200], saved_db[1200];
    snprintf(saved_data, sizeof saved_data, "%s", data);
    snprintf(saved_benign, sizeof saved_benign, "%s", benign);
    snprintf(saved_state, sizeof saved_state, "%s", state_dir);
    snprintf(saved_db, sizeof saved_db, "%s", db);
    cli = prog;
    snprintf(data, sizeof data, "%s/bars.csv", dir);
    snprintf(benign, sizeof benign, "%s/benign.c", dir);
    snprintf(state_dir, sizeof state_dir, "%s/state", dir);
    snprintf(db, sizeof db, "%s/state/log.db", dir);
    setenv("STRATLAB_SCRIPT_DIR", state_dir, 1);
    setenv("STRATLAB_DB", db, 1);
    unsetenv("STRATLAB_RUNNER"); /* the copy beside the copied stratlab */
    const char *priv = "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups";
    int failures = 0;
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        if (!rows[k].unpriv)
            continue;
        outcome r = {0};
        char path[1400];
        snprintf(path, sizeof path, "%s/hostile/%s", dir, rows[k].file);
        run_script(priv, path, rows[k].args, "unpriv", &r);
        int bad = check_outcome(&rows[k], &r, "uid 65534");
        if (!bad)
            print_message("uid 65534: %-30s %s\n", rows[k].file,
                          jstr(json_object_get(r.doc, "execution"), "detail"));
        failures += bad;
        outcome_clear(&r);
        failures += !healthy(priv, rows[k].file);
    }
    cli = getenv("SLAB_CLI");
    snprintf(data, sizeof data, "%s", saved_data);
    snprintf(benign, sizeof benign, "%s", saved_benign);
    snprintf(state_dir, sizeof state_dir, "%s", saved_state);
    snprintf(db, sizeof db, "%s", saved_db);
    setenv("STRATLAB_SCRIPT_DIR", state_dir, 1);
    setenv("STRATLAB_DB", db, 1);
    setenv("STRATLAB_RUNNER", runner, 1);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    (void)saved_cli;
    assert_int_equal(failures, 0);
}

/* Nothing left behind: no runner or compiler orphaned, no job folder. */
static void test_nothing_left(void **state)
{
    (void)state;
    size_t n = procs(table, 8192), strays = 0;
    for (size_t k = 0; k < n; k++)
        if (table[k].ppid == 1 && table[k].state != 'Z' &&
            (!strcmp(table[k].comm, "stratlab-runner") || !strcmp(table[k].comm, "cc1") ||
             !strcmp(table[k].comm, "as") || !strcmp(table[k].comm, "collect2"))) {
            print_message("stray: pid %ld %s\n", table[k].pid, table[k].comm);
            strays++;
        }
    assert_int_equal(strays, 0);
    assert_int_equal(job_folders(), 0);
    struct stat st;
    assert_int_not_equal(stat("/tmp/stratlab_hostile_04.txt", &st), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_rows),
        cmocka_unit_test(test_supervisor_killed_mid_run),
        cmocka_unit_test(test_supervisor_killed_mid_compile),
        cmocka_unit_test(test_queue),
        cmocka_unit_test(test_unprivileged_subset),
        cmocka_unit_test(test_nothing_left),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
