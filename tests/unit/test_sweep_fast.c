/* test_sweep_fast.c: the sweep's loop specialised for sma_cross,
 * rsi_reversion and bbands_reversion (src/sweep/fast.c) against the
 * general engine. Every grid here is swept twice, once
 * as it comes (the specialised loop where it applies) and once with
 * no_fast (every combination through slab_engine_run_shared), and the two
 * outputs must be the same bytes: every metrics field, run id and daily
 * statistics, bit for bit. The grids cover zero-trade runs, trades open at
 * the end, commission schemes and minimums, the three sizers, cash too
 * small to trade, fast >= slow (error lines), daily bars, minute bars in
 * sessions, minute bars with holes, five-minute bars and periods of
 * several bars; sweeps with an option the loop does
 * not model (stop loss, trailing stop, slippage, a strategy it does not
 * know) must fall back to the engine whole. */
#include "slab_test.h"
#include "stratlab/data.h"
#include "stratlab/strategies.h"
#include "stratlab/sweep.h"
#include "sweep/sweep_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sink {
    char *text;
    size_t len, cap;
} sink;

static int collect(void *user, uint64_t pos, const char *line, size_t len)
{
    sink *s = user;
    (void)pos;
    if (s->len + len + 2 > s->cap) {
        s->cap = (s->len + len + 2) * 2;
        s->text = realloc(s->text, s->cap);
        assert_non_null(s->text);
    }
    memcpy(s->text + s->len, line, len);
    s->len += len;
    s->text[s->len++] = '\n';
    s->text[s->len] = '\0';
    return 0;
}

static slab_bars *daily, *minutes, *holes, *fives, *grouped, *steps;

/* minute bars with every 7th block of 50 bars removed (gaps inside and
 * across sessions), or all kept (drop 0) */
static slab_bars *with_holes(const slab_bars *b, int drop)
{
    slab_bars *h = calloc(1, sizeof *h);
    size_t m = 0;
    *h = *b;
    h->ts_ns = malloc(b->n * sizeof *h->ts_ns);
    double **cols[6] = {&h->open, &h->high, &h->low, &h->close, &h->volume, &h->oi};
    const double *src[6] = {b->open, b->high, b->low, b->close, b->volume, b->oi};
    for (int k = 0; k < 6; k++)
        *cols[k] = malloc(b->n * sizeof(double));
    for (size_t i = 0; i < b->n; i++) {
        if (drop && (i / 50) % 7 == 3)
            continue;
        h->ts_ns[m] = b->ts_ns[i];
        for (int k = 0; k < 6; k++)
            (*cols[k])[m] = src[k] ? src[k][i] : 0.0;
        m++;
    }
    h->n = m;
    return h;
}

/* minute bars whose prices are whole numbers that stay put for runs of
 * bars: SMAs of different periods meet exactly (zero differences, the
 * crossover's held sign) again and again */
static slab_bars *stepped(const slab_bars *b)
{
    slab_bars *h = with_holes(b, 0);
    double x = 100.0;
    unsigned r = 12345u;
    for (size_t i = 0; i < h->n; i++) {
        r = r * 1103515245u + 12345u;
        if ((r >> 16) % 5 == 0) /* a step one time in five */
            x += (r >> 8) % 2 ? 1.0 : -1.0;
        if (x < 50.0)
            x = 50.0;
        h->open[i] = h->close[i] = x;
        h->high[i] = x + 1.0;
        h->low[i] = x - 1.0;
    }
    snprintf(h->sha256, sizeof h->sha256, "%064d", 4);
    return h;
}

static void free_holes(slab_bars *h)
{
    free(h->ts_ns);
    free(h->open);
    free(h->high);
    free(h->low);
    free(h->close);
    free(h->volume);
    free(h->oi);
    free(h);
}

static int setup(void **state)
{
    slab_error err;
    (void)state;
    if (slab_sample_generate(11, 1200, SLAB_TF_DAYS, 1, slab_days_from_civil(2014, 1, 6), &daily,
                             &err) != SLAB_OK ||
        slab_sample_generate(5, 6000, SLAB_TF_MINUTES, 1, slab_days_from_civil(2012, 12, 27),
                             &minutes, &err) != SLAB_OK ||
        slab_sample_generate(3, 4000, SLAB_TF_MINUTES, 5, slab_days_from_civil(2015, 6, 1), &fives,
                             &err) != SLAB_OK)
        return -1;
    snprintf(daily->sha256, sizeof daily->sha256, "%064d", 7);
    snprintf(minutes->sha256, sizeof minutes->sha256, "%064d", 8);
    snprintf(fives->sha256, sizeof fives->sha256, "%064d", 6);
    holes = with_holes(minutes, 1);
    /* minute bars read as five-minute ones: several bars to a period */
    grouped = with_holes(minutes, 0);
    grouped->compression = 5;
    snprintf(grouped->sha256, sizeof grouped->sha256, "%064d", 5);
    snprintf(holes->sha256, sizeof holes->sha256, "%064d", 9);
    steps = stepped(minutes);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    slab_bars_free(daily);
    slab_bars_free(minutes);
    slab_bars_free(fives);
    free_holes(holes);
    free_holes(grouped);
    free_holes(steps);
    return 0;
}

static slab_grid *grid_of(const char *const *axes)
{
    slab_grid *g = slab_grid_new();
    slab_error err;
    for (size_t k = 0; axes[k]; k++)
        if (slab_grid_add_axis(g, axes[k], &err) != SLAB_OK)
            fail_msg("%s: %s", axes[k], err.msg);
    if (slab_grid_finish(g, &err) != SLAB_OK)
        fail_msg("%s", err.msg);
    return g;
}

static void spec_init(slab_sweep_spec *spec, const slab_bars *b, const char *strategy, slab_grid *g)
{
    slab_error err;
    memset(spec, 0, sizeof *spec);
    spec->bars = b;
    spec->strategy = slab_strategy_find(strategy, &err);
    slab_broker_config_default(&spec->broker);
    spec->broker.cash = 100000.0;
    spec->broker.commission = 0.001;
    spec->broker.sizer.kind = SLAB_SIZER_PERCENT;
    spec->broker.sizer.amount = 95.0;
    spec->grid = g;
    spec->hi = UINT64_MAX;
    spec->jobs = 2;
}

static void sweep(const slab_sweep_spec *spec, sink *s, slab_sweep_report *rep)
{
    slab_error err;
    memset(s, 0, sizeof *s);
    if (slab_sweep_run(spec, collect, s, NULL, NULL, rep, &err) != SLAB_OK)
        fail_msg("sweep: %s: %s", err.where, err.msg);
}

/* The first line where a and b differ, both printed. */
static void same_lines(const char *what, const char *a, const char *b)
{
    size_t line = 0;
    while (*a && *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        if (ea - a != eb - b || memcmp(a, b, (size_t)(ea - a))) {
            size_t k = 0;
            while (a[k] == b[k])
                k++;
            k = k > 60 ? k - 60 : 0; /* from a little before the first difference */
            fail_msg("%s: line %zu differs\nfast:   ...%.140s\nengine: ...%.140s", what, line,
                     a + k, b + k);
        }
        a = ea + 1;
        b = eb + 1;
        line++;
    }
    if (*a || *b)
        fail_msg("%s: the outputs have different line counts", what);
}

/* Sweeps spec both ways, checks the bytes, returns the fast path's count
 * and the text (caller frees). */
static uint64_t batched; /* combinations both_ways saw take a batch's crossings */

static uint64_t both_ways(const char *what, slab_sweep_spec *spec, sink *out)
{
    slab_sweep_report rf, re;
    sink e;
    spec->no_fast = 0;
    sweep(spec, out, &rf);
    /* the batches' scan on the portable lanes too (AVX2 where the
     * machine has it): the same bytes */
    sink port;
    slab__scan_portable = 1;
    sweep(spec, &port, NULL);
    slab__scan_portable = 0;
    same_lines(what, out->text ? out->text : "", port.text ? port.text : "");
    free(port.text);
    spec->no_fast = 1;
    sweep(spec, &e, &re);
    spec->no_fast = 0;
    assert_int_equal(re.fast, 0);
    assert_int_equal(rf.lines, re.lines);
    assert_int_equal(rf.failed, re.failed);
    same_lines(what, out->text ? out->text : "", e.text ? e.text : "");
    free(e.text);
    assert_true(rf.batched <= rf.fast);
    batched += rf.batched;
    return rf.fast;
}

/* Lines of s whose text holds needle. */
static size_t count_with(const sink *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = s->text; p && (p = strstr(p, needle)); p++)
        n++;
    return n;
}

typedef struct fast_case {
    const char *strategy;
    const char *name;
    int bars; /* 0 daily, 1 minutes in sessions, 2 minutes with holes,
                 3 five-minute bars, 4 five bars to a period, 5 whole-number
                 prices in flat runs */
    const char *axes[6];
    int comm_scheme; /* slab_comm_scheme */
} fast_case;

static const fast_case cases[] = {
    {"sma_cross",
     "daily, fast >= slow included",
     0,
     {"fast=1:31:3", "slow=2:62:6", NULL},
     SLAB_COMM_PERCENT},
    {"sma_cross",
     "daily, slow beyond the data (no trades)",
     0,
     {"fast=3,10", "slow=1190,1300,5000", NULL},
     SLAB_COMM_PERCENT},
    {"sma_cross",
     "daily, commission and sizers",
     0,
     {"fast=4,9", "slow=30,45", "commission=0,0.002,0.05",
      "sizer=fixed:10,percent:99.9,percent_int:50", NULL},
     SLAB_COMM_PERCENT},
    {"sma_cross",
     "daily, cash too small for a share",
     0,
     {"fast=5", "slow=20,40", "cash=1,50,100000", "sizer=fixed:1,percent_int:100", NULL},
     SLAB_COMM_PERCENT},
    {"sma_cross",
     "daily, per-share commission with a minimum",
     0,
     {"fast=5,8", "slow=25", "commission=0,0.01", "commission_min=0,1,250", NULL},
     SLAB_COMM_PER_SHARE},
    {"sma_cross",
     "daily, fixed commission",
     0,
     {"fast=5,8", "slow=25,50", "commission=0,7.5", NULL},
     SLAB_COMM_FIXED},
    {"sma_cross",
     "minutes in sessions",
     1,
     {"fast=1:41:8", "slow=30:330:60", NULL},
     SLAB_COMM_PERCENT},
    {"sma_cross",
     "whole-number prices in flat runs: SMAs tie exactly",
     5,
     {"fast=1:9:2", "slow=10:60:10", NULL},
     SLAB_COMM_PERCENT},
    {"sma_cross",
     "minutes with holes",
     2,
     {"fast=2:26:6", "slow=40:400:90", "commission=0,0.001", NULL},
     SLAB_COMM_PERCENT},
    {"sma_cross",
     "five-minute bars",
     3,
     {"fast=1:21:5", "slow=22:202:45", NULL},
     SLAB_COMM_PERCENT},
    {"sma_cross",
     "five bars to a period",
     4,
     {"fast=3:23:10", "slow=40:400:120", NULL},
     SLAB_COMM_PERCENT},
    {"rsi_reversion",
     "rsi, daily, low >= high included",
     0,
     {"period=2,7,14", "low=20,30,45", "high=45,70", NULL},
     SLAB_COMM_PERCENT},
    {"rsi_reversion",
     "rsi, minutes, costs and sizers",
     1,
     {"period=5,14", "low=30", "high=55,70", "commission=0,0.002", "sizer=fixed:3,percent:90",
      NULL},
     SLAB_COMM_PERCENT},
    {"rsi_reversion",
     "rsi, minutes with holes, a minimum commission",
     2,
     {"period=3,9,30", "low=25,35", "commission_min=0,2", NULL},
     SLAB_COMM_PER_SHARE},
    {"rsi_reversion",
     "rsi, period beyond the data (no trades)",
     0,
     {"period=5000", NULL},
     SLAB_COMM_PERCENT},
    {"bbands_reversion",
     "bbands, daily",
     0,
     {"period=5,20,60", "devfactor=0.5,2,3.5", NULL},
     SLAB_COMM_PERCENT},
    {"bbands_reversion",
     "bbands, minutes with holes, costs and sizers",
     2,
     {"period=10,30", "devfactor=1,2", "commission=0,0.002", "sizer=fixed:2,percent_int:80", NULL},
     SLAB_COMM_PERCENT},
    {"bbands_reversion",
     "bbands, period beyond the data (no trades)",
     0,
     {"period=4000", NULL},
     SLAB_COMM_PERCENT},
};

static void test_fast_equals_engine(void **state)
{
    (void)state;
    const slab_bars *all[6] = {daily, minutes, holes, fives, grouped, steps};
    size_t zero = 0, open = 0, traded = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        slab_sweep_spec spec;
        sink s;
        slab_grid *g = grid_of(cases[c].axes);
        spec_init(&spec, all[cases[c].bars], cases[c].strategy, g);
        spec.broker.comm_scheme = (slab_comm_scheme)cases[c].comm_scheme;
        if (cases[c].comm_scheme != SLAB_COMM_PERCENT)
            spec.broker.commission = 1.0;
        uint64_t fast = both_ways(cases[c].name, &spec, &s);
        uint64_t errors = count_with(&s, "\"error\"");
        /* every combination that runs goes through the specialised loop */
        if (fast + errors != slab_grid_count(g))
            fail_msg("%s: %llu fast, %llu errors of %llu", cases[c].name, (unsigned long long)fast,
                     (unsigned long long)errors, (unsigned long long)slab_grid_count(g));
        zero += count_with(&s, "\"num_trades\":0,");
        open += count_with(&s, "\"open_trades\":1,");
        traded += fast - count_with(&s, "\"num_trades\":0,");
        free(s.text);
        slab_grid_free(g);
    }
    /* the cases the grids are there for did occur, sma_cross's crossings
     * found in batches among them (run.c: a batch is an eighth of a
     * worker's share of the grid) */
    assert_true(batched > 100);
    assert_true(zero > 0);
    assert_true(open > 0);
    assert_true(traded > 100);
}

/* The same bytes whatever the workers and shards, through the fast path. */
static void test_fast_jobs_shards(void **state)
{
    (void)state;
    static const char *const axes[] = {"fast=2:20:3", "slow=25:95:10", NULL};
    slab_sweep_spec spec;
    sink one, part;
    slab_grid *g = grid_of(axes);
    spec_init(&spec, minutes, "sma_cross", g);
    spec.jobs = 1;
    slab_sweep_report rep;
    sweep(&spec, &one, &rep);
    assert_int_equal(rep.fast, slab_grid_count(g));
    /* 56 combinations, one worker: eight batches of seven, every one's
     * crossings found with its batch; other jobs and shards cut other
     * batches, and the bytes stay the same */
    assert_int_equal(rep.batched, rep.fast);
    for (int jobs = 2; jobs <= 3; jobs++) {
        spec.jobs = jobs;
        sweep(&spec, &part, NULL);
        assert_string_equal(one.text, part.text);
        free(part.text);
    }
    char *cat = calloc(1, one.len + 1);
    for (uint64_t i = 1; i <= 4; i++) {
        slab_grid_shard(slab_grid_count(g), i, 4, &spec.lo, &spec.hi);
        sweep(&spec, &part, NULL);
        strcat(cat, part.text ? part.text : "");
        free(part.text);
    }
    assert_string_equal(cat, one.text);
    free(cat);
    free(one.text);
    slab_grid_free(g);
}

/* A batch pair whose crossings overflow its slot scans alone afterwards.
 * Slots of 3 and 70 crossings (past the slot's end the scan writes them
 * one at a time, tested; 70 takes both ways) and of 150, where some pairs
 * of this minute grid overflow and some do not; on both scans' lanes the
 * lines are the engine's. */
static void test_slot_overflow(void **state)
{
    (void)state;
    static const char *const axes[] = {"fast=2:20:3", "slow=25:95:10", NULL};
    static const size_t caps[] = {3, 70, 150};
    slab_sweep_spec spec;
    slab_grid *g = grid_of(axes);
    spec_init(&spec, minutes, "sma_cross", g);
    spec.jobs = 1;
    for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
        sink s;
        slab_sweep_report rep;
        slab__batch_slot_cap = caps[c];
        both_ways("slot overflow", &spec, &s);
        free(s.text);
        sweep(&spec, &s, &rep);
        slab__batch_slot_cap = 0;
        free(s.text);
        /* pairs overflowed; with slots of 150, others kept theirs */
        assert_true(rep.batched < rep.fast);
        if (caps[c] == 150)
            assert_true(rep.batched > 0);
    }
    slab_grid_free(g);
}

/* Every SMA of a grid is computed once, in few multi-series calls: a miss
 * takes the values of its axis the cache lacks, nearest its own first, up to
 * 64 (16 on the first axis, whose entries are retired row by row and their
 * arrays reused, so none of its rows behind the workers is taken again).
 * With two workers, one asking from its batch's end, a miss used to take
 * the axis's first 64 values, all held already, and so computed its SMA
 * alone: 72 misses for the 200 SMAs of this grid's size. Here the axes have
 * 100 and 90 values (190 distinct periods): 7 misses on the first (16 at a
 * time) and two on the second (64, then the rest) for any interleaving, a
 * couple more when both workers miss the same axis at once. A retired SMA
 * asked for again would be computed twice: 190 computed says none was. */
static void test_cache_siblings(void **state)
{
    (void)state;
    static const char *const axes[] = {"fast=1:100:1", "slow=110:1000:10", NULL};
    slab_sweep_spec spec;
    sink out;
    slab_sweep_report rep;
    slab_grid *g = grid_of(axes);
    spec_init(&spec, minutes, "sma_cross", g);
    for (int jobs = 1; jobs <= 2; jobs++) {
        spec.jobs = jobs;
        sweep(&spec, &out, &rep);
        free(out.text);
        assert_int_equal(rep.ind_computed, 190);
        if (rep.ind_misses > 12)
            fail_msg("--jobs %d: %llu misses for 190 SMAs (calls of one SMA each?)", jobs,
                     (unsigned long long)rep.ind_misses);
    }
    slab_grid_free(g);
}

/* The first axis's SMAs are retired row by row, but not one that another
 * parameter also takes: here the fixed slow = 30 is also the swept fast
 * axis's first value (a combination that fails: fast must be below slow),
 * and the 14 rows after it (fast 2..28) read it as their slow SMA. The
 * first miss reserves the axis's 15 values, so each of the 15 SMAs is
 * computed once: were the shared one retired with its row (every batch
 * past the first finds it older than its rows), the next batch would
 * compute it again. */
static void test_cache_retire_shared(void **state)
{
    (void)state;
    static const char *const axes[] = {"fast=30,2,4,6,8,10,12,14,16,18,20,22,24,26,28", NULL};
    static const char *const fixed[] = {"slow=30"};
    slab_sweep_spec spec;
    sink out;
    slab_sweep_report rep;
    slab_grid *g = grid_of(axes);
    spec_init(&spec, minutes, "sma_cross", g);
    spec.params = fixed;
    spec.n_params = 1;
    for (int jobs = 1; jobs <= 2; jobs++) {
        spec.jobs = jobs;
        sweep(&spec, &out, &rep);
        free(out.text);
        assert_int_equal(rep.lines, 15);
        assert_int_equal(rep.failed, 1); /* fast = slow */
        if (rep.ind_computed != 15)
            fail_msg("--jobs %d: %llu SMAs computed for 15 periods", jobs,
                     (unsigned long long)rep.ind_computed);
    }
    slab_grid_free(g);
}

/* Options and strategies the loop does not model take the engine: whole
 * sweeps (an axis) and single combinations (a fixed setting). */
static void test_fallback(void **state)
{
    (void)state;
    static const struct {
        const char *strategy;
        const char *axes[3];
        const char *fixed; /* a fixed strategy parameter, or NULL */
        int slip;          /* slippage in the base configuration */
    } rows[] = {
        {"sma_cross", {"fast=5,8", "stop_loss=2%,5%", NULL}, NULL, 0},
        {"sma_cross", {"fast=5,8", "trail=3%", NULL}, NULL, 0},
        {"sma_cross", {"fast=5,8", "slippage_perc=0.001", NULL}, NULL, 0},
        {"sma_cross", {"fast=5,8", "slow=20,30", NULL}, "trail_pct=2", 0},
        {"sma_cross", {"fast=5,8", "slow=20,30", NULL}, NULL, 1},
        {"rsi_reversion", {"period=7,14", "trail=2%", NULL}, NULL, 0},
        {"bbands_reversion", {"period=10,20", "take_profit=5%", NULL}, NULL, 0},
        {"buy_hold", {"commission=0,0.001", NULL}, NULL, 0},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        slab_sweep_spec spec;
        sink s;
        slab_grid *g = grid_of(rows[r].axes);
        spec_init(&spec, daily, rows[r].strategy, g);
        if (rows[r].fixed) {
            spec.params = &rows[r].fixed;
            spec.n_params = 1;
        }
        if (rows[r].slip) {
            spec.broker.slip_perc = 0.001;
            spec.broker.slip_open = 1;
        }
        if (both_ways(rows[r].axes[1], &spec, &s) != 0)
            fail_msg("row %zu took the fast path", r);
        free(s.text);
        slab_grid_free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_equals_engine),
        cmocka_unit_test(test_fast_jobs_shards),
        cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_slot_overflow),
        cmocka_unit_test(test_cache_siblings),
        cmocka_unit_test(test_cache_retire_shared),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
