/* bench_orb.c: the built-in orb with its market filter over one year of
 * 1-minute bars for 2 symbols (2 x 252 sessions x 390 bars = 196,560
 * bars), measured as a user runs it: the whole `stratlab run` process
 * (CSV loading, the run, the result document), wall time, CPU time and
 * peak resident memory (wait4's rusage), best and median of several runs.
 * The data are the sample generator's (seeds 1 and 2, stamped at the bar
 * end, hence --stamp end), written once to CSV files. Figures only.
 *
 *   build/bench_orb [path/to/stratlab] [runs] [dir]
 */
#include "stratlab/data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SESSIONS 252
#define BARS_PER_SESSION 390

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Writes the sample series seed as symbol's CSV into path. */
static int write_feed(uint64_t seed, const char *path)
{
    slab_error err;
    slab_bars *b = NULL;
    size_t n = (size_t)SESSIONS * BARS_PER_SESSION;
    if (slab_sample_generate(seed, n, SLAB_TF_MINUTES, 1, slab_days_from_civil(2024, 1, 2), &b,
                             &err) != SLAB_OK ||
        slab_csv_write(b, path, &err) != SLAB_OK) {
        fprintf(stderr, "bench_orb: %s\n", err.msg);
        slab_bars_free(b);
        return -1;
    }
    slab_bars_free(b);
    return 0;
}

/* Runs argv once with stdout and stderr to /dev/null; *wall_s, *cpu_s
 * (user + system: less moved by other processes than the wall time on a
 * shared machine) and *maxrss_kb get the figures. Returns the exit
 * status, -1 on failure. */
static int run_once(char *const argv[], double *wall_s, double *cpu_s, long *maxrss_kb)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *wall_s = now_s() - t0;
    *cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
             (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    *maxrss_kb = ru.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *exe = argc > 1 ? argv[1] : "build/stratlab";
    int runs = argc > 2 ? atoi(argv[2]) : 7;
    const char *dir = argc > 3 ? argv[3] : "/tmp/stratlab-bench-orb";
    char a[1024], b[1024], da[1100], db[1100];
    if (runs < 1 || runs > 100)
        runs = 7;
    mkdir(dir, 0755);
    snprintf(a, sizeof a, "%s/stk_1m.csv", dir);
    snprintf(b, sizeof b, "%s/idx_1m.csv", dir);
    if (write_feed(1, a) || write_feed(2, b))
        return 1;
    snprintf(da, sizeof da, "STK=%s", a);
    snprintf(db, sizeof db, "IDX=%s", b);
    char *cmd[] = {(char *)exe, "run", "--strategy", "orb", "--data",  da,
                   "--data",    db,    "--stamp",    "end", "--param", "market_filter=IDX",
                   "--json",    NULL};
    double wall[100], cpu[100];
    long rss_max = 0;
    for (int k = 0; k < runs; k++) {
        long rss = 0;
        int rc = run_once(cmd, &wall[k], &cpu[k], &rss);
        if (rc != 0) {
            fprintf(stderr, "bench_orb: %s exited with %d\n", exe, rc);
            return 1;
        }
        rss_max = rss > rss_max ? rss : rss_max;
    }
    qsort(wall, (size_t)runs, sizeof wall[0], cmp_double);
    qsort(cpu, (size_t)runs, sizeof cpu[0], cmp_double);
    printf("orb + market filter, 2 symbols x %d sessions x %d 1-minute bars = %d bars\n", SESSIONS,
           BARS_PER_SESSION, 2 * SESSIONS * BARS_PER_SESSION);
    printf("whole process (%s run ... --json), %d runs: best %.1f ms, median %.1f ms, "
           "peak RSS %.1f MiB\n",
           exe, runs, wall[0] * 1e3, wall[runs / 2] * 1e3, (double)rss_max / 1024.0);
    printf("cpu time (user + system): best %.1f ms, median %.1f ms\n", cpu[0] * 1e3,
           cpu[runs / 2] * 1e3);
    return 0;
}
