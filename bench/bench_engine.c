/* bench_engine.c: engine speed and memory on a deterministic 1,000,000-bar
 * series (the sample generator, seed 42, 1-minute bars, 09:30-16:00
 * sessions from 2010-01-04): sma_cross(10, 30) with the six
 * standard analyzers. Prints bars/second for the bar loop alone, for
 * indicators + loop + analyzers, and the wall time and peak memory of a
 * whole `stratlab run` process on the same bars written to CSV. backtrader
 * cannot run here (no PyPI), so its figures are read from the reference
 * runs' timing block in ../shared when present.
 * usage: bench_engine [n_bars] [path/to/stratlab] */
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static double best_of(double a, double b)
{
    return a < b ? a : b;
}

/* Runs the engine `reps` times; returns the best loop and total seconds. */
static void time_engine(const slab_bars *bars, const char *name, const char *const *kv, size_t n_kv,
                        int reps, double *loop_s, double *total_s, double *analyzers_s)
{
    slab_error err;
    const slab_strategy_def *def = slab_strategy_find(name, &err);
    double params[8];
    slab_strategy_resolve_params(def, kv, n_kv, params, &err);
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000;
    cfg.broker.commission = 0.001;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95;
    cfg.strategy = def;
    cfg.params = params;
    cfg.stop_after_bar = -1;
    *loop_s = *total_s = *analyzers_s = 1e30;
    for (int r = 0; r < reps; r++) {
        slab_run *run = NULL;
        int64_t t0 = slab_clock_ns();
        if (slab_engine_run(bars, &cfg, &run, &err) != SLAB_OK) {
            fprintf(stderr, "run failed: %s\n", err.msg);
            exit(1);
        }
        int64_t t1 = slab_clock_ns();
        slab_equity eq = slab_run_equity(run);
        json_t *an = slab_analyzers_json(&eq, run->trades, run->n_trades, &err);
        int64_t t2 = slab_clock_ns();
        *loop_s = best_of(*loop_s, run->loop_ns / 1e9);
        *analyzers_s = best_of(*analyzers_s, (t2 - t1) / 1e9);
        *total_s = best_of(*total_s, (t2 - t0) / 1e9);
        if (r == 0)
            printf("  %s: %zu trades, final value %.2f, minperiod %ld\n", name, run->n_trades,
                   run->final_value, run->minperiod);
        json_decref(an);
        slab_run_free(run);
    }
}

static int write_csv(const slab_bars *b, const char *path)
{
    FILE *f = fopen(path, "w");
    char ts[40];
    if (!f)
        return -1;
    fprintf(f, "Date,Time,Open,High,Low,Close,Volume,OpenInterest\n");
    for (size_t i = 0; i < b->n; i++) {
        slab_time_format(b->ts_ns[i], 0, ts, sizeof ts);
        ts[10] = ','; /* "YYYY-MM-DDTHH:MM:SS" -> "YYYY-MM-DD,HH:MM:SS" */
        fprintf(f, "%s,%.4f,%.4f,%.4f,%.4f,%.0f,0\n", ts, b->open[i], b->high[i], b->low[i],
                b->close[i], b->volume[i]);
    }
    return fclose(f);
}

/* Runs the CLI on the file; prints wall time and peak RSS of the child. */
static void time_process(const char *cli, const char *csv)
{
    int64_t t0 = slab_clock_ns();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        freopen("/dev/null", "w", stdout);
        execl(cli, cli, "run", "--strategy", "sma_cross", "--data", csv, "--json", (char *)NULL);
        perror(cli);
        _exit(127);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    double wall = (slab_clock_ns() - t0) / 1e9;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("  stratlab run failed (status %d)\n", status);
        return;
    }
    printf("  whole `stratlab run --json` process: %.3f s wall, peak RSS %.1f MB "
           "(load CSV + indicators + loop + analyzers + JSON)\n",
           wall, ru.ru_maxrss / 1024.0);
}

static void peer_figures(void)
{
    const char *shared = getenv("SLAB_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/reference/backtrader/smacross_orcl.json",
             shared ? shared : "../shared");
    json_t *ref = json_load_file(path, 0, NULL);
    if (!ref) {
        printf("  backtrader: reference timing not found (%s)\n", path);
        return;
    }
    json_t *t = json_object_get(ref, "timing");
    printf("  backtrader 1.9.78 (reference run smacross_orcl, 5036 bars, measured when the "
           "references were made): %.0f bars/s\n",
           json_number_value(json_object_get(t, "bars_per_second_run")));
    printf("  issue goal: >= 100 M bars/s engine-only, < 100 MB peak for 1M bars "
           "(backtrader: ~12,500 bars/s, 655 MB)\n");
    json_decref(ref);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    const char *cli = argc > 2 ? argv[2] : "./stratlab";
    slab_error err;
    slab_bars *bars = NULL;

    /* 1-minute bars: a million daily bars would run past the year 2261. */
    if (slab_sample_generate(42, n, SLAB_TF_MINUTES, 1, slab_days_from_civil(2010, 1, 4), &bars,
                             &err) != SLAB_OK) {
        fprintf(stderr, "sample: %s\n", err.msg);
        return 1;
    }
    printf("bench_engine: sma_cross(10,30), %zu 1-minute bars, all analyzers\n", n);
    double loop_s, total_s, an_s;
    /* Fewer trades, fewer broker steps: the loop cost with the same
     * strategy at slower periods, and with a single order. */
    static const char *slow_kv[] = {"fast=50", "slow=200"};
    time_engine(bars, "sma_cross", slow_kv, 2, 3, &loop_s, &total_s, &an_s);
    printf("    bar loop only: %.2f ms = %.1f M bars/s (%.2f ns/bar)\n", loop_s * 1e3,
           n / loop_s / 1e6, loop_s * 1e9 / n);
    time_engine(bars, "buy_hold", NULL, 0, 3, &loop_s, &total_s, &an_s);
    printf("    bar loop only: %.2f ms = %.1f M bars/s (%.2f ns/bar)\n", loop_s * 1e3,
           n / loop_s / 1e6, loop_s * 1e9 / n);
    time_engine(bars, "sma_cross", NULL, 0, 5, &loop_s, &total_s, &an_s);
    printf("  bar loop only (broker + strategy + equity record): %.2f ms = %.1f M bars/s "
           "(%.2f ns/bar)\n",
           loop_s * 1e3, n / loop_s / 1e6, loop_s * 1e9 / n);
    printf("  analyzers (all of them, from the equity record):  %.2f ms\n", an_s * 1e3);
    printf("  indicators + loop + analyzers:                     %.2f ms = %.1f M bars/s\n",
           total_s * 1e3, n / total_s / 1e6);
    char csv[256];
    snprintf(csv, sizeof csv, "/tmp/stratlab_bench_%d.csv", (int)getpid());
    if (write_csv(bars, csv) == 0 && access(cli, X_OK) == 0)
        time_process(cli, csv);
    else
        printf("  (no CLI at %s: skipped the whole-process figure)\n", cli);
    unlink(csv);
    peer_figures();
    slab_bars_free(bars);
    return 0;
}
