/* execute.c: one execution, start to end: a queue slot, the compiled
 * object (cache or jail), the runner started with its fds and sealed
 * memfds, its pipes watched against the wall clock and the byte caps, and
 * the outcome decided in sandbox-design.md §7.5's order: what the
 * supervisor did itself (timeout, output cap), then the exit status the
 * kernel reports, then the runner's hints (only to explain, checked
 * against the status first). Also the execution's JSON forms. */
#include "script/script_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG_KEEP (16u << 10) /* bytes of stdout and of stderr kept */

static void new_id(char id[40])
{
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        uint64_t t = (uint64_t)slab_clock_ns() ^ ((uint64_t)getpid() << 32);
        memcpy(r, &t, sizeof r);
    }
    snprintf(id, 40, "exec_%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
             r[6], r[7]);
}

/* Copies a kept stream into an owned, printable, NUL-terminated text. */
static char *take_text(const slab__stream *s)
{
    char *t = slab_malloc(s->kept + 1);
    if (!t)
        return NULL;
    if (s->kept)
        memcpy(t, s->buf, s->kept);
    t[s->kept] = '\0';
    /* NULs inside become '?', like every other unprintable byte */
    for (size_t k = 0; k < s->kept; k++)
        if (!t[k])
            t[k] = '?';
    slab__text_sanitize(t, s->kept);
    return t;
}

/* The assert line of a SIGABRT's stderr, if there is one. */
static void assert_text(const char *err_text, char *out, size_t cap)
{
    const char *a = err_text ? strstr(err_text, "Assertion") : NULL;
    out[0] = '\0';
    if (!a)
        return;
    while (a > err_text && a[-1] != '\n')
        a--;
    size_t n = strcspn(a, "\n");
    snprintf(out, cap, ": %.*s", (int)(n < 200 ? n : 200), a);
}

/* SIGSEGV: what the fault address says. */
static void segv_detail(const slab__hint *h, int valid, char *d, size_t cap)
{
    unsigned long long a = valid ? (unsigned long long)h->addr : 0;
    int where = valid ? (int)h->where : SLAB__WHERE_OTHER;
    if (valid && h->code == SI_KERNEL)
        snprintf(d, cap, "SIGSEGV: general protection fault (a privileged or invalid "
                 "instruction, such as int 0x80 where 32-bit system calls are off)");
    else if (where == SLAB__WHERE_NULL)
        snprintf(d, cap, "SIGSEGV at 0x%llx: null pointer dereference", a);
    else if (where == SLAB__WHERE_STACK)
        snprintf(d, cap, "SIGSEGV: stack overflow (unbounded recursion or a huge local array; "
                 "the stack is 8 MiB)");
    else if (where == SLAB__WHERE_DATA)
        snprintf(d, cap, "SIGSEGV at 0x%llx: write to read-only market data", a);
    else if (valid)
        snprintf(d, cap, "SIGSEGV at 0x%llx: invalid memory access (a bad pointer or an index "
                 "out of bounds)", a);
    else
        snprintf(d, cap, "SIGSEGV: invalid memory access");
}

/* A fatal signal: crash, forbidden_syscall, cpu_limit or memory_limit. */
static void judge_signal(slab_script_exec *ex, int sig, const slab__hint *h, double cpu_limit_ms,
                         const slab_script_limits *lim)
{
    int valid = h->magic == SLAB__HINT_MAGIC && h->signo == sig;
    char *d = ex->detail, extra[260];
    size_t cap = sizeof ex->detail;
    ex->status = SLAB_SCRIPT_CRASH;
    switch (sig) {
    case SIGSYS: {
        ex->status = SLAB_SCRIPT_FORBIDDEN_SYSCALL;
        const char *name = valid ? slab__syscall_name(h->syscall_nr, h->arch) : NULL;
        if (valid && (h->syscall_nr & 0x40000000))
            snprintf(d, cap, "system call %d through the x32 ABI is not allowed in a strategy "
                     "script", h->syscall_nr & ~0x40000000);
        else if (valid)
            snprintf(d, cap, "system call %s (%d) is not allowed in a strategy script",
                     name ? name : "?", h->syscall_nr);
        else
            snprintf(d, cap, "a system call through a foreign ABI (int 0x80 or x32) is not "
                     "allowed in a strategy script");
        return;
    }
    case SIGPROF: case SIGXCPU:
        ex->status = SLAB_SCRIPT_CPU_LIMIT;
        snprintf(d, cap, "CPU limit %.0f ms exceeded (used %.0f ms)", cpu_limit_ms, ex->cpu_ms);
        return;
    case SIGKILL:
        if (ex->cpu_ms >= cpu_limit_ms * 0.9) {
            ex->status = SLAB_SCRIPT_CPU_LIMIT;
            snprintf(d, cap, "CPU limit %.0f ms exceeded (used %.0f ms; the script blocked the "
                     "CPU-time signal, so the hard limit killed it)", cpu_limit_ms, ex->cpu_ms);
        } else {
            snprintf(d, cap, "SIGKILL: killed from outside the sandbox (the system's "
                     "out-of-memory killer?)");
        }
        return;
    case SIGSEGV:
        if (valid && h->where == SLAB__WHERE_NULL && h->saved_errno == ENOMEM) {
            ex->status = SLAB_SCRIPT_MEMORY_LIMIT;
            snprintf(d, cap, "an allocation failed at the memory limit (%g MiB) and the script "
                     "used the NULL it returned (SIGSEGV at 0x%llx)", lim->memory_mb,
                     (unsigned long long)h->addr);
            return;
        }
        segv_detail(h, valid, d, cap);
        return;
    case SIGFPE:
        snprintf(d, cap, "SIGFPE: %s",
                 valid && h->code == FPE_INTDIV   ? "integer division by zero"
                 : valid && h->code == FPE_INTOVF ? "integer overflow (INT_MIN / -1?)"
                                                  : "arithmetic exception (integer division by "
                                                    "zero?)");
        return;
    case SIGABRT:
        assert_text(ex->err_text, extra, sizeof extra);
        snprintf(d, cap, "SIGABRT: abort() or a failed assert()%s", extra);
        return;
    case SIGILL:
        snprintf(d, cap, "SIGILL: illegal instruction (__builtin_trap(), or code the compiler "
                 "found unreachable, such as a function ending without its return)");
        return;
    case SIGBUS:
        snprintf(d, cap, "SIGBUS at 0x%llx: misaligned or unmapped memory access",
                 valid ? (unsigned long long)h->addr : 0ULL);
        return;
    case SIGXFSZ:
        snprintf(d, cap, "SIGXFSZ: the script tried to grow a file (no files may be written)");
        return;
    default: {
        const char *ab = sigabbrev_np(sig);
        snprintf(d, cap, "killed by signal %d (SIG%s)", sig, ab ? ab : "?");
        return;
    }
    }
}

/* Decides the status of a finished run (§7.5's order). */
static void judge_run(slab_script_exec *ex, const slab__watch *w, const slab__hint *h,
                      const slab__stream *res, const slab_script_job *job)
{
    const slab_script_limits *lim = &job->limits;
    double cpu_limit_ms = 1000.0 * (lim->cpu_s > 0.0 ? lim->cpu_s : lim->timeout_s);
    char text[sizeof h->text];
    memcpy(text, h->text, sizeof text);
    text[sizeof text - 1] = '\0';
    slab__text_sanitize(text, strlen(text));
    if (w->killed == SLAB__KILLED_TIMEOUT) {
        ex->status = SLAB_SCRIPT_TIMEOUT;
        snprintf(ex->detail, sizeof ex->detail, "wall clock limit %g s exceeded (CPU used %.0f "
                 "ms%s)", lim->timeout_s, w->cpu_ms,
                 w->cpu_ms < lim->timeout_s * 500.0 ? ": the script was sleeping or blocked" : "");
    } else if (w->killed == SLAB__KILLED_LOG) {
        ex->status = SLAB_SCRIPT_OUTPUT_LIMIT;
        snprintf(ex->detail, sizeof ex->detail, "the script's log (stdout and stderr) exceeded "
                 "the output limit of %.0f bytes", lim->output_bytes);
    } else if (w->killed == SLAB__KILLED_RESULT) {
        ex->status = SLAB_SCRIPT_OUTPUT_LIMIT;
        snprintf(ex->detail, sizeof ex->detail, "the result (trades and orders) exceeded the "
                 "output limit of %.0f bytes", lim->output_bytes);
    } else if (WIFSIGNALED(w->status)) {
        judge_signal(ex, WTERMSIG(w->status), h, cpu_limit_ms, lim);
    } else if (WEXITSTATUS(w->status) == SLAB__EXIT_SETUP) {
        ex->status = SLAB_SCRIPT_REJECTED;
        snprintf(ex->detail, sizeof ex->detail, "refused to run (fail closed, the script did "
                 "not run): %.500s", text[0] ? text : "a protection could not be set up");
    } else if (WEXITSTATUS(w->status) == SLAB__EXIT_LOAD ||
               WEXITSTATUS(w->status) == SLAB__EXIT_USAGE) {
        ex->status = SLAB_SCRIPT_REJECTED;
        snprintf(ex->detail, sizeof ex->detail, "%.600s",
                 text[0] ? text : "the runner refused the job");
    } else if (WEXITSTATUS(w->status) == 0 && res->total > 0) {
        if (!slab__result_decode(res->buf, res->kept, job, ex))
            ex->status = SLAB_SCRIPT_STRATEGY_ERROR;
    } else {
        ex->status = SLAB_SCRIPT_STRATEGY_ERROR;
        snprintf(ex->detail, sizeof ex->detail, "the script ended the process (exit status %d) "
                 "before the run finished", WEXITSTATUS(w->status));
    }
}

/* Sets up the fds, starts the runner, watches it, judges it. */
static slab_status run_child(slab_sandbox *sb, const slab_script_job *job,
                             const unsigned char *so, size_t so_len, slab_script_exec *ex,
                             slab_error *err)
{
    const slab__sandbox_view *v = slab__sandbox_view_of(sb);
    int out[2] = {-1, -1}, errp[2] = {-1, -1}, res[2] = {-1, -1};
    int so_fd = -1, job_fd = -1, hint_fd = -1, null = -1;
    slab__hint *hint = MAP_FAILED;
    slab__stream s[3];
    slab_status st = SLAB_OK;
    memset(s, 0, sizeof s);

    so_fd = slab__sealed_memfd("stratlab-strategy", so, so_len);
    hint_fd = memfd_create("stratlab-hint", MFD_CLOEXEC);
    null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (so_fd < 0 || hint_fd < 0 || null < 0 || ftruncate(hint_fd, sizeof *hint) != 0 ||
        pipe2(out, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) || pipe2(res, O_CLOEXEC) ||
        (hint = mmap(NULL, sizeof *hint, PROT_READ | PROT_WRITE, MAP_SHARED, hint_fd, 0)) ==
            MAP_FAILED) {
        st = slab_error_set(err, SLAB_EIO, "sandbox", "cannot set up the runner's files: %s",
                            strerror(errno));
        goto out;
    }
    if ((job_fd = slab__job_memfd(job, v->is_root, v->uid, v->gid, err)) < 0) {
        st = err->code;
        goto out;
    }
    char *argv[] = {"stratlab-runner", "run", NULL};
    char *envp[] = {"LC_ALL=C", NULL};
    int fds[SLAB__FD_N] = {null, out[1], errp[1], res[1], job_fd, so_fd, hint_fd};
    int64_t t0 = slab_clock_ns();
    long pid = slab__spawn(v->runner, argv, envp, fds, SLAB__FD_N, -1);
    if (pid < 0) {
        st = slab_error_set(err, SLAB_EIO, "sandbox", "cannot start %s: %s", v->runner,
                            strerror(errno));
        goto out;
    }
    close(out[1]);
    close(errp[1]);
    close(res[1]);
    out[1] = errp[1] = res[1] = -1;
    s[0] = (slab__stream){out[0], NULL, 0, 0, LOG_KEEP, 0};
    s[1] = (slab__stream){errp[0], NULL, 0, 0, LOG_KEEP, 0};
    /* The result: the per-bar values are fixed by the data; the rest
     * (trades, orders) is what the output limit caps. */
    size_t steps = job->bars->n;
    for (size_t k = 1; job->feeds && k < job->n_feeds; k++)
        steps += job->feeds[k]->n; /* several feeds: the merged clock is at most this */
    size_t fixed = sizeof(slab__res_hdr) + SLAB__PARAMS_MAX * sizeof(slab__res_param) +
                   steps * (job->feeds && job->n_feeds > 1 ? 24 : 16);
    s[2] = (slab__stream){res[0], NULL, 0, 0, fixed + (size_t)job->limits.output_bytes + 1, 0};
    out[0] = errp[0] = res[0] = -1;
    slab__watch w = {pid, t0 + (int64_t)(job->limits.timeout_s * 1e9), s, 3, 2,
                     (size_t)job->limits.output_bytes, 2, fixed + (size_t)job->limits.output_bytes,
                     0, 0, 0, 0};
    slab__watch_run(&w);
    ex->run_ms = slab__ms_since(t0);
    ex->cpu_ms = w.cpu_ms;
    ex->max_rss_kb = w.max_rss_kb;
    ex->out_text = take_text(&s[0]);
    ex->err_text = take_text(&s[1]);
    ex->out_bytes = s[0].total;
    ex->err_bytes = s[1].total;
    judge_run(ex, &w, hint, &s[2], job);
out:
    for (int k = 0; k < 3; k++)
        slab_free(s[k].buf);
    int fds_all[] = {out[0], out[1], errp[0], errp[1], res[0], res[1], so_fd, job_fd, hint_fd, null};
    for (size_t k = 0; k < sizeof fds_all / sizeof fds_all[0]; k++)
        if (fds_all[k] >= 0)
            close(fds_all[k]);
    if (hint != MAP_FAILED)
        munmap(hint, sizeof *hint);
    return st;
}

static slab_status check_job(const slab_script_job *job, slab_error *err)
{
    if (!job->source || !job->bars || !job->broker)
        return slab_error_set(err, SLAB_EINVAL, "script", "a job needs a source, bars and a "
                              "broker configuration");
    if (job->source_len == 0 || job->source_len > SLAB_SCRIPT_SOURCE_MAX)
        return slab_error_set(err, SLAB_ELIMIT, "script", "the script is %zu bytes; a script "
                              "is 1 .. %d bytes", job->source_len, SLAB_SCRIPT_SOURCE_MAX);
    if (job->bars->n == 0)
        return slab_error_set(err, SLAB_EINVAL, "script", "no bars to run on");
    if (job->feeds && job->n_feeds > 0) {
        if (job->n_feeds > SLAB_FEEDS_MAX || job->feeds[0] != job->bars)
            return slab_error_set(err, SLAB_EINVAL, "script", "a job's feeds are 1 to %d, the "
                                  "first of them its bars", SLAB_FEEDS_MAX);
        for (size_t k = 1; k < job->n_feeds; k++)
            if (!job->feeds[k] || job->feeds[k]->n == 0)
                return slab_error_set(err, SLAB_EINVAL, "script", "no bars to run on in feed %zu",
                                      k + 1);
    }
    if (job->n_params > SLAB__PARAMS_MAX)
        return slab_error_set(err, SLAB_ELIMIT, "--param", "at most %d parameters",
                              SLAB__PARAMS_MAX);
    return slab_script_limits_check(&job->limits, err);
}

slab_status slab_script_execute(slab_sandbox *sb, const slab_script_job *job,
                                slab_script_exec **out, slab_error *err)
{
    const slab__sandbox_view *v = slab__sandbox_view_of(sb);
    int64_t t0 = slab_clock_ns();
    unsigned char *so = NULL;
    size_t so_len = 0;
    slab_status rc;
    *out = NULL;
    if ((rc = check_job(job, err)) != SLAB_OK)
        return rc;
    slab_script_exec *ex = slab_calloc(1, sizeof *ex);
    if (!ex)
        return slab_error_set(err, SLAB_ENOMEM, "script", "out of memory");
    new_id(ex->id);
    slab_sha256_mem(job->source, job->source_len, ex->source_sha256);
    int slot = slab__queue_enter(v, &ex->queue_ms, ex->detail, sizeof ex->detail);
    if (slot < 0) {
        ex->status = SLAB_SCRIPT_BUSY;
        goto done;
    }
    int64_t tc = slab_clock_ns();
    slab_script_status st = slab__compile(sb, job->source, job->source_len, job->source_name,
                                          job->limits.compile_timeout_s, &so, &so_len,
                                          &ex->cached, ex->detail, &ex->diags, &ex->n_diags, err);
    ex->compile_ms = slab__ms_since(tc);
    if (st == SLAB__SCRIPT_FAILED) {
        slab__queue_leave(slot);
        slab_script_exec_free(ex);
        return err->code;
    }
    if (st == SLAB_SCRIPT_OK)
        rc = run_child(sb, job, so, so_len, ex, err);
    else
        ex->status = st;
    slab__queue_leave(slot);
    slab_free(so);
    if (rc != SLAB_OK) {
        slab_script_exec_free(ex);
        return rc;
    }
done:
    ex->wall_ms = slab__ms_since(t0);
    if (ex->status != SLAB_SCRIPT_OK) {
        slab_run_free(ex->run);
        ex->run = NULL;
        slab_free(ex->def);
        ex->def = NULL;
        ex->params = NULL;
    } else {
        snprintf(ex->detail, sizeof ex->detail, "%s in the sandbox: %zu bars, %zu trades",
                 ex->cached ? "compiled earlier (cache), ran" : "compiled and ran",
                 ex->run->n_bars, ex->run->n_trades);
    }
    *out = ex;
    return SLAB_OK;
}

slab_status slab_script_compile_only(slab_sandbox *sb, const char *source, size_t source_len,
                                     const char *source_name, double timeout_s,
                                     slab_script_status *status, char detail[640],
                                     slab_script_diag **diags, size_t *n_diags, slab_error *err)
{
    const slab__sandbox_view *v = slab__sandbox_view_of(sb);
    unsigned char *so = NULL;
    size_t so_len = 0;
    int cached = 0;
    double waited;
    *diags = NULL;
    *n_diags = 0;
    int slot = slab__queue_enter(v, &waited, detail, 640);
    if (slot < 0) {
        *status = SLAB_SCRIPT_BUSY;
        return SLAB_OK;
    }
    slab_script_status st = slab__compile(sb, source, source_len, source_name, timeout_s, &so,
                                          &so_len, &cached, detail, diags, n_diags, err);
    slab__queue_leave(slot);
    slab_free(so);
    if (st == SLAB__SCRIPT_FAILED)
        return err->code;
    *status = st;
    return SLAB_OK;
}

void slab_script_exec_free(slab_script_exec *ex)
{
    if (!ex)
        return;
    slab_free(ex->diags);
    slab_free(ex->out_text);
    slab_free(ex->err_text);
    slab_run_free(ex->run);
    slab_free(ex->def); /* params live in the same block */
    slab_free(ex);
}

/* ---- JSON ----------------------------------------------------------------------- */

static json_t *diags_json(const slab_script_exec *ex, int errors)
{
    json_t *arr = json_array();
    for (size_t k = 0; k < ex->n_diags; k++) {
        const slab_script_diag *d = &ex->diags[k];
        if (d->is_error != errors)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "line", json_integer(d->line));
        json_object_set_new(o, "col", json_integer(d->col));
        json_object_set_new(o, "msg", json_string(d->msg));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *text_json(const char *t) { return json_string(t ? t : ""); }

json_t *slab_script_exec_json(const slab_script_exec *ex)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(ex->id));
    json_object_set_new(o, "status", json_string(slab_script_status_name(ex->status)));
    json_object_set_new(o, "detail", json_string(ex->detail));
    json_object_set_new(o, "success", json_boolean(ex->status == SLAB_SCRIPT_OK));
    json_object_set_new(o, "compile_ms", json_real(ex->compile_ms));
    json_object_set_new(o, "run_ms", json_real(ex->run_ms));
    json_object_set_new(o, "wall_ms", json_real(ex->wall_ms));
    json_object_set_new(o, "cpu_ms", json_real(ex->cpu_ms));
    json_object_set_new(o, "max_rss_kb", json_integer(ex->max_rss_kb));
    json_object_set_new(o, "cached", json_boolean(ex->cached));
    json_object_set_new(o, "queue_ms", json_real(ex->queue_ms));
    json_object_set_new(o, "source_sha256", json_string(ex->source_sha256));
    json_object_set_new(o, "stdout", text_json(ex->out_text));
    json_object_set_new(o, "stdout_bytes", json_integer((json_int_t)ex->out_bytes));
    json_object_set_new(o, "stderr", text_json(ex->err_text));
    json_object_set_new(o, "stderr_bytes", json_integer((json_int_t)ex->err_bytes));
    json_object_set_new(o, "errors", diags_json(ex, 1));
    json_object_set_new(o, "warnings", diags_json(ex, 0));
    return o;
}

json_t *slab_script_failure_json(const slab_script_exec *ex)
{
    json_t *o = json_object();
    json_object_set_new(o, "success", json_false());
    json_object_set_new(o, "status", json_string(slab_script_status_name(ex->status)));
    json_object_set_new(o, "detail", json_string(ex->detail));
    json_object_set_new(o, "error", json_string(ex->detail));
    json_object_set_new(o, "stdout", text_json(ex->out_text));
    json_object_set_new(o, "stderr", text_json(ex->err_text));
    json_object_set_new(o, "errors", diags_json(ex, 1));
    json_object_set_new(o, "execution", slab_script_exec_json(ex));
    return o;
}
