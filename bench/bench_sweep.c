/* bench_sweep.c: a parameter sweep's speed: sma_cross over a 10,000-point
 * grid (fast 1..100 x slow 110..1100 step 10) on 200,000 one-minute bars
 * (the sample generator, seed 42, 09:30-16:00 sessions from 2010-01-04, as
 * bench_engine), through slab_sweep_run with 1 and 2 worker threads: wall
 * time and the CPU time of the process (on a shared machine the two part),
 * combinations per second, bar-evaluations per second; the loop specialised
 * for built-ins (src/sweep/fast.c) and, beside it, the general engine on
 * every combination (no_fast; the same lines). Against that, the cost of
 * running `stratlab run` once per point, measured on a sample of points (a
 * whole process each: load, run, result document) and scaled to the grid.
 * Best of `reps` runs (the engine: of one run, 2 workers); the load average
 * is printed before and after, since other work on the machine slows both.
 * usage: bench_sweep [n_bars] [reps] [path/to/stratlab] [grid: small|mid|full]
 *                    [engine: yes|no] */
#include "stratlab/data.h"
#include "stratlab/strategies.h"
#include "stratlab/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int count_line(void *user, uint64_t pos, const char *line, size_t len)
{
    (void)pos;
    (void)line;
    *(size_t *)user += len + 1;
    return 0;
}

/* CPU seconds of the whole process so far (every thread), user + system. */
static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void load_average(const char *when)
{
    double l[3];
    if (getloadavg(l, 3) == 3)
        printf("  load average %s: %.2f %.2f %.2f\n", when, l[0], l[1], l[2]);
}

static double sweep_once(const slab_bars *bars, slab_grid *g, int jobs, int no_fast,
                         slab_sweep_report *rep, double *cpu)
{
    slab_error err;
    slab_sweep_spec spec;
    size_t bytes = 0;
    memset(&spec, 0, sizeof spec);
    spec.bars = bars;
    spec.strategy = slab_strategy_find("sma_cross", &err);
    slab_broker_config_default(&spec.broker);
    spec.broker.cash = 100000.0;
    spec.broker.commission = 0.001;
    spec.broker.sizer.kind = SLAB_SIZER_PERCENT;
    spec.broker.sizer.amount = 95.0;
    spec.grid = g;
    spec.hi = UINT64_MAX;
    spec.jobs = jobs;
    spec.no_fast = no_fast;
    double c0 = cpu_s();
    int64_t t0 = slab_clock_ns();
    if (slab_sweep_run(&spec, count_line, &bytes, NULL, NULL, rep, &err) != SLAB_OK) {
        fprintf(stderr, "sweep failed: %s\n", err.msg);
        exit(1);
    }
    *cpu = cpu_s() - c0;
    return (double)(slab_clock_ns() - t0) / 1e9;
}

/* Best of reps sweeps with jobs workers, printed as one line. */
static void sweep_line(const char *what, const slab_bars *bars, slab_grid *g, int jobs, int no_fast,
                       int reps)
{
    double best = 1e30, best_cpu = 0.0;
    uint64_t points = slab_grid_count(g);
    slab_sweep_report rep;
    for (int r = 0; r < reps; r++) {
        double cpu, t = sweep_once(bars, g, jobs, no_fast, &rep, &cpu);
        if (t < best) {
            best = t;
            best_cpu = cpu;
        }
    }
    printf("  %s --jobs %d: %.3f s wall (%.3f s CPU) = %.0f combinations/s = %.1f M "
           "bar-evaluations/s (%llu by the specialised loop; indicators: %llu computed, %llu "
           "lookups served)\n",
           what, jobs, best, best_cpu, (double)points / best,
           (double)points * (double)bars->n / best / 1e6, (unsigned long long)rep.fast,
           (unsigned long long)rep.ind_computed, (unsigned long long)rep.ind_hits);
    fflush(stdout);
}

/* Seconds for one `stratlab run --json` process at fast/slow, best of 2. */
static double one_process(const char *cli, const char *csv, int fast, int slow)
{
    double best = 1e30;
    char f[32], s[32];
    snprintf(f, sizeof f, "fast=%d", fast);
    snprintf(s, sizeof s, "slow=%d", slow);
    for (int r = 0; r < 2; r++) {
        fflush(stdout);
        int64_t t0 = slab_clock_ns();
        pid_t pid = fork();
        if (pid == 0) {
            if (!freopen("/dev/null", "w", stdout))
                _exit(127);
            execl(cli, cli, "run", "--strategy", "sma_cross", "--data", csv, "--param", f,
                  "--param", s, "--json", (char *)NULL);
            _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        double t = (double)(slab_clock_ns() - t0) / 1e9;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return -1.0;
        best = t < best ? t : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 200000;
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    const char *cli = argc > 3 ? argv[3] : "./stratlab";
    int small = argc > 4 && !strcmp(argv[4], "small");
    int mid = argc > 4 && !strcmp(argv[4], "mid"); /* 100 points across the full grid */
    int engine = !(argc > 5 && !strcmp(argv[5], "no"));
    /* as `stratlab sweep` does (slab_sweep_tune_malloc: freed run buffers
     * kept in the heap, workers' heaps writable whole) */
    if (!getenv("BENCH_NO_MALLOPT"))
        slab_sweep_tune_malloc();
    slab_bars *bars = NULL;
    slab_error err;
    if (slab_sample_generate(42, n, SLAB_TF_MINUTES, 1, slab_days_from_civil(2010, 1, 4), &bars,
                             &err) != SLAB_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    slab_grid *g = slab_grid_new();
    const char *fast = small ? "fast=1:10:1" : mid ? "fast=1:100:11" : "fast=1:100:1";
    const char *slow = small || mid ? "slow=110:1100:110" : "slow=110:1100:10";
    if (slab_grid_add_axis(g, fast, &err) != SLAB_OK ||
        slab_grid_add_axis(g, slow, &err) != SLAB_OK || slab_grid_finish(g, &err) != SLAB_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    uint64_t points = slab_grid_count(g);
    printf("bench_sweep: sma_cross, %llu-point grid (%s x %s), %zu 1-minute bars\n",
           (unsigned long long)points, fast, slow, n);
    load_average("before");
    for (int jobs = 1; jobs <= 2; jobs++)
        sweep_line("specialised loop", bars, g, jobs, 0, reps);
    if (engine)
        sweep_line("general engine  ", bars, g, 2, 1, 1);
    load_average("after the sweeps");
    /* One process per point, measured on a few points and scaled. */
    if (access(cli, X_OK) != 0) {
        printf("  (no CLI at %s: skipped the one-process-per-point figure)\n", cli);
    } else {
        char csv[] = "/tmp/bench_sweep_XXXXXX.csv";
        int fd = mkstemps(csv, 4);
        if (fd < 0 || (close(fd), slab_csv_write(bars, csv, &err)) != SLAB_OK) {
            fprintf(stderr, "cannot write the CSV: %s\n", err.msg);
            return 1;
        }
        static const int pts[][2] = {{1, 110}, {50, 600}, {100, 1100}, {10, 300}, {75, 900}};
        double sum = 0.0;
        int k = 0;
        for (; k < 5; k++) {
            double t = one_process(cli, csv, pts[k][0], pts[k][1]);
            if (t < 0) {
                printf("  `stratlab run` failed\n");
                break;
            }
            sum += t;
        }
        unlink(csv);
        if (k == 5)
            printf("  `stratlab run` once per point: %.3f s a point (mean of 5 points, best of 2 "
                   "each) -> %.0f s for the grid on one core, %.0f s on two\n",
                   sum / 5, sum / 5 * (double)points, sum / 5 * (double)points / 2.0);
    }
    slab_grid_free(g);
    slab_bars_free(bars);
    return 0;
}
