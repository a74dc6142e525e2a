/* bench_csv.c: the CSV loader's speed and a whole run's memory per bar.
 * For each CSV file given (backtrader CSV as `stratlab data sample --out`
 * writes it):
 *   - slab_csv_load in this process, best of `reps` loads: MB/s of file
 *     bytes and ns per bar;
 *   - the whole `stratlab run --strategy sma_cross --data FILE --json`
 *     process (the standard analyzers, the result document to a /tmp
 *     file), best of `runs`: wall time, peak resident memory (wait4's
 *     ru_maxrss) and that peak divided by the bar count.
 * Figures only; nothing here fails on timing.
 *
 *   stratlab data sample --bars 1000000 --timeframe 1m --out /tmp/b1m.csv
 *   build/bench_csv [--exe build/stratlab] [--reps 5] [--runs 3] FILE.csv ...
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

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* This process's CPU time (user + system): on a shared, loaded machine
 * the steadier figure. */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs argv once, stdout to out_path; *wall_s and *maxrss_kb get the
 * figures. Returns the exit status, -1 on failure. */
static int run_once(char *const argv[], const char *out_path, double *wall_s, double *cpu,
                    long *maxrss_kb)
{
    fflush(stdout);
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!freopen(out_path, "w", stdout))
            _exit(126);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid)
        return -1;
    *wall_s = now_s() - t0;
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    *maxrss_kb = ru.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int main(int argc, char **argv)
{
    const char *exe = "build/stratlab";
    int reps = 5, runs = 3, i = 1;
    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
        if (!strcmp(argv[i], "--exe"))
            exe = argv[i + 1];
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--runs"))
            runs = atoi(argv[i + 1]);
        else
            break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: bench_csv [--exe build/stratlab] [--reps N] [--runs N] FILE.csv ...\n");
        return 2;
    }
    for (; i < argc; i++) {
        const char *path = argv[i];
        struct stat sb;
        if (stat(path, &sb) != 0) {
            perror(path);
            return 1;
        }
        double best = 1e300, cbest = 1e300;
        size_t n = 0;
        for (int k = 0; k < reps; k++) {
            slab_bars *b = NULL;
            slab_error err;
            double t0 = now_s(), c0 = cpu_s();
            if (slab_csv_load(path, NULL, &b, NULL, &err) != SLAB_OK) {
                fprintf(stderr, "bench_csv: %s: %s\n", err.where, err.msg);
                return 1;
            }
            double t = now_s() - t0, c = cpu_s() - c0;
            n = b->n;
            if (c < cbest)
                cbest = c;
            slab_bars_free(b);
            if (t < best)
                best = t;
        }
        printf("%s: %zu bars, %.1f MB\n", path, n, (double)sb.st_size / 1e6);
        printf("  slab_csv_load, best of %d: %.3f s, %.0f MB/s, %.1f ns/bar (wall); CPU %.3f s, "
               "%.0f MB/s\n",
               reps, best, (double)sb.st_size / 1e6 / best, best * 1e9 / (double)n, cbest,
               (double)sb.st_size / 1e6 / cbest);
        if (runs <= 0)
            continue;
        char *cmd[] = {(char *)exe, "run",  "--strategy", "sma_cross", "--data",
                       (char *)path, "--json", NULL};
        double wbest = 1e300, cpubest = 1e300;
        long rss_min = 0;
        for (int k = 0; k < runs; k++) {
            double w, c;
            long rss;
            int rc = run_once(cmd, "/tmp/bench_csv_run.json", &w, &c, &rss);
            if (rc != 0) {
                fprintf(stderr, "bench_csv: %s exited with %d\n", exe, rc);
                return 1;
            }
            wbest = w < wbest ? w : wbest;
            cpubest = c < cpubest ? c : cpubest;
            rss_min = k == 0 || rss < rss_min ? rss : rss_min;
        }
        printf("  stratlab run --strategy sma_cross --json, best of %d: %.3f s wall, %.3f s CPU, "
               "peak RSS %.1f MiB, %.1f bytes/bar\n",
               runs, wbest, cpubest, (double)rss_min / 1024.0, (double)rss_min * 1024.0 / (double)n);
    }
    return 0;
}
