/* runner.c: stratlab-runner, the program a supervisor (src/script/)
 * starts for each job, with fds and a job memfd already in place:
 *   stratlab-runner run        load the compiled strategy, put every
 *                              protection up (sandbox-design.md §7.2, in
 *                              that order, seccomp last), run the engine,
 *                              write the result to fd 3;
 *   stratlab-runner compile CC UID GID PPID CPU_S MEM_MB
 *                              jail this process and exec the compiler on
 *                              strategy.c in the working folder.
 * Invariant: no code of the script runs before every protection is in
 * place (the supervisor's ELF check refused initializers and IFUNC), and a
 * protection that cannot be set up ends the run (exit 121, saying which). */
#include "jail.h"

#include "script/script_int.h"
#include "stratlab/engine.h"
#include "stratlab/strategies.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_BYTES (8ULL << 20)

#if defined(__SANITIZE_ADDRESS__)
/* Sanitizer builds (the tests' second pass): a failed allocation returns
 * NULL as in the normal build, instead of a report the filter would cut
 * short. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1:detect_leaks=0"; }
#endif

static slab__hint *hint;             /* the shared page, once mapped */
static uintptr_t data_lo, data_hi;   /* the read-only job mapping */
static uintptr_t stack_top;          /* an address near the stack's top */
static char alt_stack[64 * 1024];    /* where the fault handlers run */
static char out_buf[4096];           /* stdout's buffer, set before seccomp */

/* Records a fatal signal for the supervisor. SIGSYS: then makes a denied
 * call while SIGSYS is blocked, which the kernel delivers with the default
 * action, so the process dies by SIGSYS (a fact the supervisor can trust).
 * Other faults return (SA_RESETHAND), fault again and die by the signal. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
    int saved = errno;
    (void)uc;
    if (hint) {
        uintptr_t a = (uintptr_t)si->si_addr;
        hint->signo = sig;
        hint->code = si->si_code;
        hint->addr = a;
        hint->saved_errno = saved;
        if (sig == SIGSYS) {
            hint->syscall_nr = si->si_syscall;
            hint->arch = si->si_arch;
        }
        hint->where = a < 65536                                    ? SLAB__WHERE_NULL
                      : a >= data_lo && a < data_hi                ? SLAB__WHERE_DATA
                      : a < stack_top + 65536 && a + STACK_BYTES + (2u << 20) > stack_top
                          ? SLAB__WHERE_STACK
                          : SLAB__WHERE_OTHER;
        hint->magic = SLAB__HINT_MAGIC;
    }
    if (sig == SIGSYS)
        syscall(SYS_getppid);
}

/* Ends the run: a protection could not be set up (121) or the strategy
 * could not be loaded (122); the reason goes to the hint page. */
static void die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void die(int code, const char *fmt, ...)
{
    va_list ap;
    char msg[sizeof hint->text];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (hint)
        memcpy(hint->text, msg, sizeof msg);
    else
        (void)!write(2, msg, strlen(msg));
    _exit(code);
}

/* Maps the job read-only and checks its header; fills one bar view per
 * feed (views[0 .. job->n_feeds)). */
static const slab__job_hdr *map_job(slab_bars *views)
{
    struct stat st;
    if (fstat(SLAB__FD_JOB, &st) != 0 || (size_t)st.st_size < sizeof(slab__job_hdr))
        die(SLAB__EXIT_USAGE, "no job on fd %d", SLAB__FD_JOB);
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, SLAB__FD_JOB, 0);
    if (p == MAP_FAILED)
        die(SLAB__EXIT_SETUP, "read-only data: cannot map the job: %s", strerror(errno));
    const slab__job_hdr *h = p;
    uint64_t size = (uint64_t)st.st_size;
    if (memcmp(h->magic, SLAB__JOB_MAGIC, 8) || h->layout != SLAB__LAYOUT)
        die(SLAB__EXIT_USAGE, "the job comes from another build of stratlab (layout %u, runner %u)",
            h->layout, (unsigned)SLAB__LAYOUT);
    if (h->n_feeds < 1 || h->n_feeds > SLAB_FEEDS_MAX || h->params_off + h->params_len > size)
        die(SLAB__EXIT_USAGE, "malformed job");
    const char *base = p;
    for (uint32_t f = 0; f < h->n_feeds; f++) {
        const slab__job_feed *jf = &h->feeds[f];
        uint64_t n = jf->n_bars;
        slab_bars *view = &views[f];
        if (n == 0 || n > SLAB_BARS_MAX)
            die(SLAB__EXIT_USAGE, "malformed job feed %u", f);
        for (int k = 0; k < 7; k++)
            if (jf->col_off[k] % 8 || jf->col_off[k] > size || n * 8 > size - jf->col_off[k])
                die(SLAB__EXIT_USAGE, "malformed job feed %u column %d", f, k);
        memset(view, 0, sizeof *view);
        view->n = view->cap = (size_t)n;
        view->ts_ns = (int64_t *)(uintptr_t)(base + jf->col_off[0]);
        double **cols[6] = {&view->open, &view->high, &view->low, &view->close, &view->volume, &view->oi};
        for (int k = 0; k < 6; k++)
            *cols[k] = (double *)(uintptr_t)(base + jf->col_off[k + 1]);
        view->timeframe = (slab_timeframe)jf->timeframe;
        view->compression = jf->compression;
        memcpy(view->symbol, jf->symbol, sizeof view->symbol);
        view->symbol[sizeof view->symbol - 1] = '\0';
    }
    if (h->n_earnings > SLAB__EARNINGS_MAX || h->earnings_off % 8 || h->earnings_off > size ||
        (uint64_t)h->n_earnings * sizeof(slab_earnings) > size - h->earnings_off)
        die(SLAB__EXIT_USAGE, "malformed job earnings");
    data_lo = (uintptr_t)p;
    data_hi = data_lo + (uintptr_t)size;
    return h;
}

/* Loads the sealed shared object from fd 5; returns the strategy. */
static const slab_strategy_def *load_strategy(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", SLAB__FD_SO);
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror(), *tail = e ? strstr(e, ": ") : NULL;
        die(SLAB__EXIT_LOAD, "the compiled script cannot be loaded: %s",
            tail ? tail + 2 : e ? e : "unknown error");
    }
    const slab_strategy_def *def = dlsym(h, "slab_strategy");
    if (!def)
        die(SLAB__EXIT_LOAD, "the script defines no `slab_strategy`: add "
                             "`const slab_strategy_def slab_strategy = {...}` or SLAB_STRATEGY(...)");
    if (def->abi != SLAB_STRATEGY_ABI)
        die(SLAB__EXIT_LOAD, "slab_strategy.abi is %d; this stratlab runs ABI %d "
                             "(SLAB_STRATEGY_ABI)", def->abi, SLAB_STRATEGY_ABI);
    return def;
}

/* Every protection, in sandbox-design.md §7.2's order; seccomp last. */
static void sandbox(const slab__job_hdr *job)
{
    char why[JAIL_WHY];
    uint64_t cpu_s = (uint64_t)((job->cpu_ms + 999) / 1000);
    if (chdir("/") != 0)
        die(SLAB__EXIT_SETUP, "chdir /: %s", strerror(errno));
    jail_namespaces(getuid() == 0);
    if (job->drop_uid && jail_drop_ids(job->uid, job->gid, why) != 0)
        die(SLAB__EXIT_SETUP, "%s", why);
    if (jail_parent_death(job->supervisor_pid, why) != 0)
        die(SLAB__EXIT_SETUP, "%s", why);
    uint64_t as = jail_vm_size() + (uint64_t)job->memory_bytes;
    if (jail_rlimit(RLIMIT_AS, as, as, "AS", why) || jail_rlimit(RLIMIT_CPU, cpu_s + 1, cpu_s + 2, "CPU", why) ||
        jail_rlimit(RLIMIT_FSIZE, 0, 0, "FSIZE", why) || jail_rlimit(RLIMIT_NOFILE, 16, 16, "NOFILE", why) ||
        jail_rlimit(RLIMIT_NPROC, 0, 0, "NPROC", why) || jail_rlimit(RLIMIT_CORE, 0, 0, "CORE", why) ||
        jail_rlimit(RLIMIT_MEMLOCK, 0, 0, "MEMLOCK", why) ||
        jail_rlimit(RLIMIT_STACK, STACK_BYTES, STACK_BYTES, "STACK", why))
        die(SLAB__EXIT_SETUP, "%s", why);
    if (jail_no_new_privs(why) != 0)
        die(SLAB__EXIT_SETUP, "%s", why);
    struct itimerval cpu = {{0, 0}, {(time_t)(job->cpu_ms / 1000), (suseconds_t)(job->cpu_ms % 1000) * 1000}};
    if (setitimer(ITIMER_PROF, &cpu, NULL) != 0)
        die(SLAB__EXIT_SETUP, "CPU timer: %s", strerror(errno));
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGSYS};
    if (sigaltstack(&ss, NULL) != 0)
        die(SLAB__EXIT_SETUP, "signal stack: %s", strerror(errno));
    for (size_t k = 0; k < sizeof fatal / sizeof fatal[0]; k++)
        if (sigaction(fatal[k], &sa, NULL) != 0)
            die(SLAB__EXIT_SETUP, "signal handler: %s", strerror(errno));
    /* libc state the script may need, made while allocation is cheap. */
    setvbuf(stdout, out_buf, _IOLBF, sizeof out_buf);
    setvbuf(stderr, NULL, _IONBF, 0);
    free(malloc(1));
    if (jail_landlock_deny_all(jail_landlock_abi(), why) != 0)
        die(SLAB__EXIT_SETUP, "%s", why);
    if (jail_seccomp_runner(why) != 0)
        die(SLAB__EXIT_SETUP, "%s", why);
}

/* Copies at most cap-1 bytes of a string the script owns. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t k = 0;
    for (; src && k + 1 < cap && src[k]; k++)
        dst[k] = src[k];
    dst[k] = '\0';
}

static void write_all(const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(SLAB__FD_RESULT, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            syscall(SYS_exit_group, 1);
        c += w;
        n -= (size_t)w;
    }
}

/* Writes a failure result: kind ERROR or NOMEM with a message. */
static void send_error(uint32_t kind, const slab_strategy_def *def, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void send_error(uint32_t kind, const slab_strategy_def *def, const char *fmt, ...)
{
    static slab__res_hdr h;
    va_list ap;
    memcpy(h.magic, SLAB__RES_MAGIC, 8);
    h.kind = kind;
    h.layout = SLAB__LAYOUT;
    va_start(ap, fmt);
    vsnprintf(h.message, sizeof h.message, fmt, ap);
    va_end(ap);
    copy_text(h.name, sizeof h.name, def->name);
    write_all(&h, sizeof h);
}

/* Writes the whole run: header, parameters, arrays. */
static void send_run(const slab_strategy_def *def, const double *vals, const slab_run *run)
{
    static slab__res_hdr h;
    static slab__res_param ps[SLAB__PARAMS_MAX];
    memcpy(h.magic, SLAB__RES_MAGIC, 8);
    h.kind = SLAB__RES_OK;
    h.layout = SLAB__LAYOUT;
    copy_text(h.name, sizeof h.name, def->name);
    copy_text(h.summary, sizeof h.summary, def->summary);
    h.n_params = def->n_params;
    h.has_next_open = def->next_open != NULL;
    h.has_cash = run->cash != NULL;
    h.timeframe = run->timeframe;
    h.compression = run->compression;
    h.n_bars = run->n_bars;
    h.n_trades = run->n_trades;
    h.n_orders = run->n_orders;
    h.n_days = run->n_days;
    h.n_feeds = (uint32_t)run->n_feeds;
    h.start_value = run->start_value;
    h.final_value = run->final_value;
    h.final_cash = run->final_cash;
    h.position_size = run->position_size;
    h.position_price = run->position_price;
    h.minperiod = run->minperiod;
    h.lookahead_attempts = run->lookahead_attempts;
    h.next_calls = run->next_calls;
    h.sizer_zero = run->sizer_zero;
    h.indicators_ns = run->indicators_ns;
    h.loop_ns = run->loop_ns;
    h.risk = run->risk;
    for (int k = 0; k < def->n_params; k++) {
        copy_text(ps[k].name, sizeof ps[k].name, def->params[k].name);
        copy_text(ps[k].help, sizeof ps[k].help, def->params[k].help);
        ps[k].type = def->params[k].type;
        ps[k].def = def->params[k].def;
        ps[k].min = def->params[k].min;
        ps[k].max = def->params[k].max;
        ps[k].value = vals[k];
    }
    write_all(&h, sizeof h);
    write_all(ps, sizeof ps[0] * (size_t)def->n_params);
    write_all(run->value, run->n_bars * sizeof(double));
    if (run->cash)
        write_all(run->cash, run->n_bars * sizeof(double));
    if (run->n_feeds > 1)
        write_all(run->ts_ns, run->n_bars * sizeof(int64_t));
    write_all(run->trades, run->n_trades * sizeof(slab_trade));
    write_all(run->orders, run->n_orders * sizeof(slab_order_event));
    write_all(run->days, run->n_days * sizeof(slab_day_record));
}

/* The script's part, inside every protection: parameters, the engine,
 * the result. */
static int run_script(const slab__job_hdr *job, const slab_bars *feeds, const slab_strategy_def *def)
{
    const char *kv[SLAB__PARAMS_MAX];
    double vals[SLAB__PARAMS_MAX];
    slab_error err;
    slab_run *run = NULL;
    const char *p = (const char *)job + job->params_off, *end = p + job->params_len;

    if (def->n_params < 0 || def->n_params > SLAB__PARAMS_MAX || (def->n_params && !def->params)) {
        send_error(SLAB__RES_ERROR, def, "slab_strategy declares %d parameters (0..%d, with a table)",
                   def->n_params, SLAB__PARAMS_MAX);
        return 0;
    }
    size_t n_kv = 0;
    for (uint32_t k = 0; k < job->n_params && k < SLAB__PARAMS_MAX && p < end; k++) {
        kv[n_kv++] = p;
        p += strnlen(p, (size_t)(end - p)) + 1;
    }
    if (slab_strategy_resolve_params(def, kv, n_kv, vals, &err) != SLAB_OK) {
        send_error(SLAB__RES_ERROR, def, "%s: %s", err.where, err.msg);
        return 0;
    }
    /* the texts the values came from: slab_param_text() reads them */
    slab_run_config cfg = {
        .broker = job->broker,
        .strategy = def,
        .params = vals,
        .stop_after_bar = -1,
        .skip_cash_curve = !job->keep_cash,
        .risk = job->risk,
        .param_text = kv,
        .n_param_text = n_kv,
        .preroll_until_ns = job->preroll_until_ns,
        .earnings = (const slab_earnings *)(const void *)((const char *)job + job->earnings_off),
        .n_earnings = job->n_earnings,
        .stamp_end = job->stamp_end,
        .has_earnings = job->has_earnings};
    const slab_bars *fp[SLAB_FEEDS_MAX];
    for (uint32_t k = 0; k < job->n_feeds; k++)
        fp[k] = &feeds[k];
    slab_status st = slab_engine_run_feeds(fp, job->n_feeds, &cfg, NULL, &run, &err);
    if (st != SLAB_OK) {
        send_error(st == SLAB_ENOMEM ? SLAB__RES_NOMEM : SLAB__RES_ERROR, def, "%s%s%s",
                   err.where, err.where[0] ? ": " : "", err.msg);
        return 0;
    }
    send_run(def, vals, run);
    return 0;
}

static int main_run(void)
{
    static slab_bars bars[SLAB_FEEDS_MAX];
    int top;
    stack_top = (uintptr_t)&top;
    void *page = mmap(NULL, sizeof(slab__hint), PROT_READ | PROT_WRITE, MAP_SHARED, SLAB__FD_HINT, 0);
    if (page == MAP_FAILED)
        die(SLAB__EXIT_USAGE, "no hint page on fd %d", SLAB__FD_HINT);
    hint = page;
    hint->stage = SLAB__STAGE_START;
    const slab__job_hdr *job = map_job(bars);
    if ((long)getppid() != job->supervisor_pid)
        die(SLAB__EXIT_USAGE, "not started by the supervisor named in the job");
    const slab_strategy_def *def = load_strategy();
    close(SLAB__FD_JOB);
    close(SLAB__FD_SO);
    hint->stage = SLAB__STAGE_LOADED;
    sandbox(job);
    hint->stage = SLAB__STAGE_SANDBOXED;
    run_script(job, bars, def);
    hint->stage = SLAB__STAGE_DONE;
    fflush(stdout);
    /* The system call itself: a sanitizer's _exit interceptor would make
     * calls the filter refuses. */
    syscall(SYS_exit_group, 0);
    return 0;
}

/* The compiler jail's watchdog: when the supervisor dies (its parent-death
 * signal), the whole jail's process group goes, compiler children
 * included, instead of running on as orphans. */
static void on_supervisor_death(int sig)
{
    (void)sig;
    kill(0, SIGKILL);
}

/* Waits for the compiler and ends the same way it did. */
static int wait_compiler(pid_t pid)
{
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return SLAB__EXIT_SETUP;
    if (WIFSIGNALED(st)) {
        signal(WTERMSIG(st), SIG_DFL);
        kill(getpid(), WTERMSIG(st));
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : SLAB__EXIT_SETUP;
}

/* Jails this process, then runs the compiler in it and waits. */
static int main_compile(int argc, char **argv)
{
    char why[JAIL_WHY];
    if (argc != 8)
        die(SLAB__EXIT_USAGE, "usage: stratlab-runner compile CC UID GID PPID CPU_S MEM_MB");
    const char *cc = argv[2];
    long uid = atol(argv[3]), gid = atol(argv[4]), ppid = atol(argv[5]);
    uint64_t cpu_s = strtoull(argv[6], NULL, 10), mem = strtoull(argv[7], NULL, 10) << 20;
    int abi = jail_landlock_abi();
    jail_namespaces(getuid() == 0);
    if (uid >= 0 && jail_drop_ids(uid, gid, why) != 0)
        die(SLAB__EXIT_SETUP, "compiler jail: %s", why);
    signal(SIGTERM, on_supervisor_death);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || (long)getppid() != ppid)
        die(SLAB__EXIT_SETUP, "compiler jail: parent-death signal: %s", strerror(errno));
    if (jail_rlimit(RLIMIT_NOFILE, 256, 256, "NOFILE", why) ||
        jail_rlimit(RLIMIT_CORE, 0, 0, "CORE", why) ||
        (uid >= 0 && jail_rlimit(RLIMIT_NPROC, 256, 256, "NPROC", why)) ||
        jail_no_new_privs(why) != 0 || jail_landlock_compiler(abi, why) != 0)
        die(SLAB__EXIT_SETUP, "compiler jail: %s", why);
    const char *args[64];
    int n = 0;
    args[n++] = cc;
    for (int k = 0; slab__cc_flags[k] && n < 63; k++)
        args[n++] = slab__cc_flags[k];
    args[n] = NULL;
    char *env[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", "LANG=C", "TMPDIR=.", NULL};
    pid_t pid = fork();
    if (pid < 0)
        die(SLAB__EXIT_SETUP, "compiler jail: fork: %s", strerror(errno));
    if (pid == 0) {
        /* The compiler's own limits; the watchdog keeps its address space
         * (a sanitizer build reserves terabytes of shadow memory). */
        signal(SIGTERM, SIG_DFL);
        if (jail_rlimit(RLIMIT_CPU, cpu_s, cpu_s + 1, "CPU", why) ||
            jail_rlimit(RLIMIT_AS, mem, mem, "AS", why) ||
            jail_rlimit(RLIMIT_FSIZE, 64ULL << 20, 64ULL << 20, "FSIZE", why))
            die(SLAB__EXIT_SETUP, "compiler jail: %s", why);
        execve(cc, (char *const *)args, env);
        die(SLAB__EXIT_SETUP, "compiler jail: cannot run %s: %s", cc, strerror(errno));
    }
    _exit(wait_compiler(pid)); /* no exit handlers: nothing else may run in the jail */
}

int main(int argc, char **argv)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int s = 1; s < 32; s++)
        if (s != SIGKILL && s != SIGSTOP)
            signal(s, SIG_DFL);
    setpgid(0, 0);
    if (argc >= 2 && !strcmp(argv[1], "run"))
        return main_run();
    if (argc >= 2 && !strcmp(argv[1], "compile"))
        return main_compile(argc, argv);
    fprintf(stderr, "stratlab-runner: started by stratlab for each script job; not a command\n");
    return SLAB__EXIT_USAGE;
}
