/* test_sweep_run.c: a sweep's lines. Over a 50-point sma_cross grid on
 * sample bars, every line's metrics and run id equal those of a separate
 * engine run with the same settings and a full result document (no shared
 * indicators, no period plan): bit for bit, as JSON values. The lines are
 * the same bytes for 1, 2 and 3 worker threads and for any sharding
 * (shards concatenated in order). Combinations the strategy refuses get an
 * error line; run options (trail, stop_loss, sizer) can be swept; bad axes
 * are refused before anything runs. */
#include "slab_test.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"
#include "stratlab/sweep.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Collected lines: one text with "\n" after each. */
typedef struct sink {
    char *text;
    size_t len, cap;
    uint64_t next; /* the position expected next */
    int out_of_order;
} sink;

static int collect(void *user, uint64_t pos, const char *line, size_t len)
{
    sink *s = user;
    if (pos != s->next)
        s->out_of_order = 1;
    s->next = pos + 1;
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

static slab_bars *bars;

static int setup(void **state)
{
    slab_error err;
    (void)state;
    if (slab_sample_generate(11, 1200, SLAB_TF_DAYS, 1, slab_days_from_civil(2014, 1, 6), &bars,
                             &err) != SLAB_OK)
        return -1;
    snprintf(bars->sha256, sizeof bars->sha256, "%064d", 7);
    snprintf(bars->symbol, sizeof bars->symbol, "SAMPLE");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    slab_bars_free(bars);
    return 0;
}

/* The reference runs' settings, as `stratlab run` defaults them. */
static void spec_init(slab_sweep_spec *spec, const char *strategy, slab_grid *g)
{
    slab_error err;
    memset(spec, 0, sizeof *spec);
    spec->bars = bars;
    spec->strategy = slab_strategy_find(strategy, &err);
    slab_broker_config_default(&spec->broker);
    spec->broker.cash = 100000.0;
    spec->broker.commission = 0.001;
    spec->broker.sizer.kind = SLAB_SIZER_PERCENT;
    spec->broker.sizer.amount = 95.0;
    spec->grid = g;
    spec->lo = 0;
    spec->hi = UINT64_MAX;
    spec->jobs = 1;
}

static slab_grid *grid_of(const char *a, const char *b, const char *where)
{
    slab_grid *g = slab_grid_new();
    slab_error err;
    assert_int_equal(slab_grid_add_axis(g, a, &err), SLAB_OK);
    if (b)
        assert_int_equal(slab_grid_add_axis(g, b, &err), SLAB_OK);
    if (where)
        assert_int_equal(slab_grid_set_where(g, where, NULL, NULL, 0, &err), SLAB_OK);
    if (slab_grid_finish(g, &err) != SLAB_OK)
        fail_msg("%s", err.msg);
    return g;
}

static void run_sweep(const slab_sweep_spec *spec, sink *s, slab_sweep_report *rep)
{
    slab_error err;
    memset(s, 0, sizeof *s);
    s->next = spec->lo;
    if (slab_sweep_run(spec, collect, s, NULL, NULL, rep, &err) != SLAB_OK)
        fail_msg("sweep: %s: %s", err.where, err.msg);
    assert_false(s->out_of_order);
}

/* Checks one line against a separate run with its settings. */
static void check_line(const slab_sweep_spec *spec, json_t *line, uint64_t pos)
{
    slab_error err;
    slab_grid_cursor c;
    double params[32];
    slab_broker_config broker;
    slab_risk_config risk;
    slab_grid_cursor_init(&c, spec->grid, pos, pos + 1);
    assert_true(slab_grid_cursor_next(&c));
    json_t *sw = json_object_get(line, "sweep");
    assert_int_equal(json_integer_value(json_object_get(sw, "index")), (json_int_t)pos);
    assert_int_equal(json_integer_value(json_object_get(sw, "of")),
                     (json_int_t)slab_grid_count(spec->grid));
    /* params: the swept values, numbers as numbers */
    json_t *pj = json_object_get(line, "params");
    assert_int_equal(json_object_size(pj), slab_grid_n_axes(spec->grid));
    for (size_t a = 0; a < slab_grid_n_axes(spec->grid); a++) {
        const slab_grid_axis *ax = slab_grid_axis_at(spec->grid, a);
        json_t *v = json_object_get(pj, ax->name);
        if (ax->values[c.idx[a]].is_num)
            assert_true(json_is_number(v) && json_number_value(v) == ax->values[c.idx[a]].num);
        else
            assert_string_equal(json_string_value(v), ax->values[c.idx[a]].text);
    }
    slab_status st = slab_sweep_settings(spec, c.idx, params, &broker, &risk, &err);
    slab_run *run = NULL;
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.broker = broker;
    cfg.strategy = spec->strategy;
    cfg.params = params;
    cfg.stop_after_bar = -1;
    cfg.skip_cash_curve = 1;
    cfg.risk = risk;
    if (st == SLAB_OK)
        st = slab_engine_run(bars, &cfg, &run, &err);
    if (st != SLAB_OK) {
        assert_true(json_is_null(json_object_get(line, "metrics")));
        assert_non_null(strstr(json_string_value(json_object_get(line, "error")), err.msg));
        return;
    }
    slab_result_info info;
    memset(&info, 0, sizeof info);
    info.strategy = spec->strategy->name;
    info.source = "builtin";
    info.def = spec->strategy;
    info.params = params;
    info.broker = &broker;
    json_t *doc = slab_result_json(bars, run, &info, &err);
    assert_non_null(doc);
    /* Text round trip of the doc's metrics as `run --json` prints them. */
    char *txt = json_dumps(json_object_get(doc, "metrics"), JSON_INDENT(1) | JSON_REAL_PRECISION(17));
    json_t *printed = json_loads(txt, 0, NULL);
    if (!json_equal(printed, json_object_get(line, "metrics"))) {
        char *a = json_dumps(json_object_get(line, "metrics"), JSON_COMPACT | JSON_REAL_PRECISION(17));
        fail_msg("position %llu: metrics differ\nsweep: %s\nrun:   %s", (unsigned long long)pos,
                 a, txt);
    }
    assert_string_equal(json_string_value(json_object_get(line, "run_id")),
                        json_string_value(json_object_get(json_object_get(doc, "backtest"),
                                                          "run_id")));
    free(txt);
    json_decref(printed);
    json_decref(doc);
    slab_run_free(run);
}

/* Parses every line of s and checks it. */
static size_t check_all(const slab_sweep_spec *spec, const sink *s)
{
    size_t n = 0;
    for (const char *p = s->text; p && *p;) {
        const char *nl = strchr(p, '\n');
        json_error_t je;
        json_t *line = json_loadb(p, (size_t)(nl - p), 0, &je);
        if (!line)
            fail_msg("line %zu is not JSON: %s", n, je.text);
        check_line(spec, line, spec->lo + n);
        json_decref(line);
        n++;
        p = nl + 1;
    }
    return n;
}

static void test_fifty_points(void **state)
{
    (void)state;
    slab_sweep_spec spec;
    slab_sweep_report rep;
    sink one, par, sh;
    slab_grid *g = grid_of("fast=5:25:5", "slow=20:65:5", NULL); /* 5 x 10 = 50 */
    spec_init(&spec, "sma_cross", g);
    assert_int_equal(slab_grid_count(g), 50);
    run_sweep(&spec, &one, &rep);
    assert_int_equal(rep.lines, 50);
    /* fast 20 and 25 with slow 20, fast 25 with slow 25: the strategy refuses */
    assert_int_equal(rep.failed, 3);
    assert_non_null(strstr(rep.first_error, "fast (20) must be shorter than slow (20)"));
    assert_int_equal(check_all(&spec, &one), 50);
    assert_true(rep.ind_hits > 0);
    /* the same bytes for any number of workers */
    for (int jobs = 2; jobs <= 3; jobs++) {
        spec.jobs = jobs;
        run_sweep(&spec, &par, NULL);
        if (strcmp(one.text, par.text))
            fail_msg("--jobs %d gives other bytes", jobs);
        free(par.text);
    }
    /* and for any sharding: shards in order concatenate to the whole */
    for (uint64_t n = 1; n <= 7; n += 3) {
        char *all = calloc(1, one.len + 1);
        for (uint64_t i = 1; i <= n; i++) {
            slab_grid_shard(50, i, n, &spec.lo, &spec.hi);
            spec.jobs = (int)(i % 3) + 1;
            run_sweep(&spec, &sh, NULL);
            assert_int_equal(check_all(&spec, &sh), spec.hi - spec.lo);
            strcat(all, sh.text ? sh.text : "");
            free(sh.text);
        }
        assert_string_equal(all, one.text);
        free(all);
    }
    free(one.text);
    slab_grid_free(g);
}

static void test_where_and_options(void **state)
{
    (void)state;
    slab_sweep_spec spec;
    slab_sweep_report rep;
    sink s, s2;
    slab_grid *g = slab_grid_new();
    slab_error err;
    assert_int_equal(slab_grid_add_axis(g, "fast=5,10", &err), SLAB_OK);
    assert_int_equal(slab_grid_add_axis(g, "slow=10,30", &err), SLAB_OK);
    assert_int_equal(slab_grid_add_axis(g, "trail=1%:3%:1%", &err), SLAB_OK);
    assert_int_equal(slab_grid_add_axis(g, "sizer=percent:95,fixed:10", &err), SLAB_OK);
    assert_int_equal(slab_grid_set_where(g, "fast < slow", NULL, NULL, 0, &err), SLAB_OK);
    assert_int_equal(slab_grid_finish(g, &err), SLAB_OK);
    spec_init(&spec, "sma_cross", g);
    spec.jobs = 2;
    run_sweep(&spec, &s, &rep);
    assert_int_equal(rep.lines, 3 * 3 * 2);
    assert_int_equal(rep.failed, 0);
    assert_int_equal(check_all(&spec, &s), 18);
    assert_non_null(strstr(s.text, "\"params\":{\"fast\":5,\"slow\":10,\"trail\":\"1%\","
                                   "\"sizer\":\"percent:95\"}"));
    /* a fixed parameter and a fixed option apply to every combination */
    const char *fixed[] = {"stop_loss_pct=2"};
    spec.params = fixed;
    spec.n_params = 1;
    spec.risk.take_profit.kind = SLAB_RISK_PERCENT;
    spec.risk.take_profit.value = 4.0;
    run_sweep(&spec, &s2, &rep);
    assert_int_equal(check_all(&spec, &s2), 18);
    assert_string_not_equal(s.text, s2.text);
    free(s.text);
    free(s2.text);
    slab_grid_free(g);
}

static void test_bad_axes(void **state)
{
    (void)state;
    static const struct { const char *axis, *where, *msg; } rows[] = {
        {"fats=5,10", "--param fats",
         "sma_cross has no parameter 'fats' and no run option is called so; parameters: fast, "
         "slow, stop_loss_pct, take_profit_pct, trail_pct, time_exit_bars; run options: cash, "
         "commission, commission_min, slippage_perc, slippage_fixed, sizer, stop_loss, "
         "take_profit, trail, atr_period, time_exit, exit_at, max_position, allow_pyramiding, "
         "maintenance_margin"},
        {"fast=0,5", "--param fast", "fast=0 is outside the allowed range 1..10000"},
        {"fast=2.5,5", "--param fast", "fast must be a whole number, got 2.5"},
        {"trail=2x", "--param trail", "trail"},
        {"cash=-5", "--param cash", "'-5' is not a positive number"},
        {"sizer=kelly:2", "--param sizer", "kelly"},
    };
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        slab_sweep_spec spec;
        slab_error err;
        slab_grid *g = grid_of(rows[k].axis, NULL, NULL);
        spec_init(&spec, "sma_cross", g);
        if (slab_sweep_check(&spec, &err) == SLAB_OK)
            fail_msg("%s accepted", rows[k].axis);
        assert_string_equal(err.where, rows[k].where);
        if (!strstr(err.msg, rows[k].msg))
            fail_msg("%s: got '%s'", rows[k].axis, err.msg);
        slab_grid_free(g);
    }
    /* swept and fixed at once */
    slab_sweep_spec spec;
    slab_error err;
    slab_grid *g = grid_of("fast=5,10", NULL, NULL);
    const char *fixed[] = {"fast=7"};
    spec_init(&spec, "sma_cross", g);
    spec.params = fixed;
    spec.n_params = 1;
    assert_int_not_equal(slab_sweep_check(&spec, &err), SLAB_OK);
    assert_string_equal(err.msg, "fast is both swept and fixed (fast=7); give it once");
    slab_grid_free(g);
}

/* The identity changes with everything that changes the lines. */
static void test_identity(void **state)
{
    (void)state;
    slab_sweep_spec spec;
    char id1[17], id2[17], d1[17], d2[17];
    slab_error err;
    slab_grid *g = grid_of("fast=5,10", NULL, NULL), *g2 = grid_of("fast=5,11", NULL, NULL);
    spec_init(&spec, "sma_cross", g);
    assert_int_equal(slab_sweep_identity(&spec, id1, d1, &err), SLAB_OK);
    assert_int_equal(slab_sweep_identity(&spec, id2, d2, &err), SLAB_OK);
    assert_string_equal(id1, id2);
    spec.grid = g2;
    assert_int_equal(slab_sweep_identity(&spec, id2, d2, &err), SLAB_OK);
    assert_string_not_equal(id1, id2);
    assert_string_equal(d1, d2); /* the same data */
    spec.grid = g;
    spec.options_text = "cash=5";
    assert_int_equal(slab_sweep_identity(&spec, id2, d2, &err), SLAB_OK);
    assert_string_not_equal(id1, id2);
    spec.options_text = NULL;
    double keep = bars->close[100];
    bars->close[100] += 0.01;
    assert_int_equal(slab_sweep_identity(&spec, id2, d2, &err), SLAB_OK);
    bars->close[100] = keep;
    assert_string_not_equal(id1, id2);
    assert_string_not_equal(d1, d2);
    slab_grid_free(g);
    slab_grid_free(g2);
}


/* ---- merge ------------------------------------------------------------------ */

static int to_file(void *user, uint64_t pos, const char *line, size_t len)
{
    (void)pos;
    FILE *f = user;
    fwrite(line, 1, len, f);
    fputc('\n', f);
    return 0;
}

/* Writes shard i of n of spec's grid to path. */
static void write_shard(slab_sweep_spec *spec, uint64_t i, uint64_t n, const char *path)
{
    slab_error err;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    slab_grid_shard(slab_grid_count(spec->grid), i, n, &spec->lo, &spec->hi);
    assert_int_equal(slab_sweep_run(spec, to_file, f, NULL, NULL, NULL, &err), SLAB_OK);
    fclose(f);
    spec->lo = 0;
    spec->hi = UINT64_MAX;
}

static slab_status merge(const char *const *paths, size_t n, sink *out, slab_error *err)
{
    memset(out, 0, sizeof *out);
    return slab_sweep_merge(paths, n, collect, out, err);
}

static void test_merge(void **state)
{
    (void)state;
    const char *dir = slab_test_tmpdir();
    char p[6][512], whole[512];
    const char *paths[6];
    slab_sweep_spec spec;
    slab_error err;
    sink all, m;
    slab_grid *g = grid_of("fast=5:25:5", "slow=30:50:10", "fast < slow"); /* 15 */
    spec_init(&spec, "sma_cross", g);
    run_sweep(&spec, &all, NULL);
    snprintf(whole, sizeof whole, "%s/whole.jsonl", dir);
    write_shard(&spec, 1, 1, whole);
    for (int k = 0; k < 5; k++) {
        snprintf(p[k], sizeof p[k], "%s/part-%d.jsonl", dir, k + 1);
        write_shard(&spec, (uint64_t)k + 1, 5, p[k]);
        paths[k] = p[k];
    }
    /* any order of the files gives the unsharded bytes */
    const char *shuffled[5] = {p[3], p[0], p[4], p[2], p[1]};
    assert_int_equal(merge(shuffled, 5, &m, &err), SLAB_OK);
    assert_string_equal(m.text, all.text);
    free(m.text);
    const char *one[1] = {whole};
    assert_int_equal(merge(one, 1, &m, &err), SLAB_OK);
    assert_string_equal(m.text, all.text);
    free(m.text);

    /* a missing shard */
    assert_int_equal(merge(paths, 4, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "positions 12..14 of 15 are missing (after the last file)"));
    assert_null(m.text); /* nothing handed out */
    const char *gap[4] = {p[0], p[1], p[3], p[4]};
    assert_int_equal(merge(gap, 4, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "positions 6..8 of 15 are missing"));
    /* a repeated shard */
    const char *twice[6] = {p[0], p[1], p[2], p[2], p[3], p[4]};
    assert_int_equal(merge(twice, 6, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "overlap: a shard was given twice"));
    const char *with_whole[2] = {p[0], whole};
    assert_int_equal(merge(with_whole, 2, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "overlap"));

    /* a shard of another grid */
    slab_grid *g2 = grid_of("fast=5:25:5", "slow=30:50:10", "fast <= slow"); /* same count */
    assert_int_equal(slab_grid_count(g2), 15);
    spec.grid = g2;
    snprintf(p[5], sizeof p[5], "%s/other.jsonl", dir);
    write_shard(&spec, 5, 5, p[5]);
    const char *mixed[5] = {p[0], p[1], p[2], p[3], p[5]};
    assert_int_equal(merge(mixed, 5, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "this shard is from another sweep than"));
    assert_non_null(strstr(err.where, "other.jsonl:1"));
    /* a shard on other data */
    spec.grid = g;
    double keep = bars->close[500];
    bars->close[500] *= 1.01;
    write_shard(&spec, 5, 5, p[5]);
    bars->close[500] = keep;
    assert_int_equal(merge(mixed, 5, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "this shard ran on other data than"));

    /* a shard cut short: the last line loses its end */
    FILE *f = fopen(p[5], "wb");
    const char *src = strstr(all.text, "\n") + 1; /* lines 1.. of the whole */
    size_t keep_len = strlen(src) - 40;
    fwrite(src, 1, keep_len, f);
    fclose(f);
    const char *cut[2] = {p[0], p[5]};
    assert_int_equal(merge(cut, 2, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "no newline: the shard was cut short"));
    /* a line missing inside a shard */
    f = fopen(p[5], "wb");
    const char *l2 = strchr(src, '\n') + 1;
    fwrite(src, 1, (size_t)(l2 - src), f);           /* position 1 */
    fputs(strchr(l2, '\n') + 1, f);                  /* positions 3.. */
    fclose(f);
    assert_int_equal(merge(cut, 2, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "position 3 follows 1"));
    /* not a sweep file; an absent one */
    f = fopen(p[5], "wb");
    fputs("{\"a\": 1}\n", f);
    fclose(f);
    assert_int_equal(merge(cut, 2, &m, &err), SLAB_EDATA);
    assert_non_null(strstr(err.msg, "not a sweep line"));
    snprintf(p[5], sizeof p[5], "%s/absent.jsonl", dir);
    assert_int_equal(merge(cut, 2, &m, &err), SLAB_EIO);
    assert_non_null(strstr(err.msg, "cannot open"));
    /* an empty shard is fine */
    snprintf(p[5], sizeof p[5], "%s/empty.jsonl", dir);
    fclose(fopen(p[5], "wb"));
    const char *with_empty[6] = {p[0], p[1], p[5], p[2], p[3], p[4]};
    assert_int_equal(merge(with_empty, 6, &m, &err), SLAB_OK);
    assert_string_equal(m.text, all.text);
    free(m.text);
    free(all.text);
    slab_grid_free(g);
    slab_grid_free(g2);
}

/* ---- walk-forward ------------------------------------------------------------ */

/* Window k of a walk-forward over bar counts, checked against a sweep of
 * its train bars (the best by sharpe_ratio_daily_annualized, first of
 * equals) and a separate run of that choice on its test bars with the
 * value carried from the window before. */
static void test_walkforward_bars(void **state)
{
    (void)state;
    slab_walkforward_spec wf;
    slab_walkforward_result res;
    slab_error err;
    slab_grid *g = grid_of("fast=5:20:5", "slow=30:60:10", NULL); /* 16 */
    memset(&wf, 0, sizeof wf);
    spec_init(&wf.sweep, "sma_cross", g);
    wf.sweep.jobs = 2;
    snprintf(wf.metric, sizeof wf.metric, "sharpe_ratio_daily_annualized");
    wf.descending = 1;
    wf.train.count = 400;
    wf.train.unit = 'b';
    wf.test.count = 250;
    wf.test.unit = 'b';
    if (slab_walkforward_run(&wf, NULL, NULL, &res, &err) != SLAB_OK)
        fail_msg("%s", err.msg);
    /* tests start at bar 400: 400-649, 650-899, 900-1149, 1150-1199 */
    json_t *wins = json_object_get(json_object_get(res.doc, "walkforward"), "windows");
    assert_int_equal(json_array_size(wins), 4);
    assert_int_equal(res.n, 800);
    double value = 100000.0;
    for (size_t k = 0; k < 4; k++) {
        size_t tlo = 400 + 250 * k, thi = tlo + 250 < 1200 ? tlo + 250 : 1200;
        size_t rlo = 250 * k;
        json_t *w = json_array_get(wins, k);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(w, "test"), "bars")),
                         (json_int_t)(thi - tlo));
        assert_int_equal(json_integer_value(json_object_get(json_object_get(w, "train"), "bars")),
                         400);
        /* the train sweep's best, by hand from its lines */
        slab_bars tb = *bars;
        tb.n = 400;
        tb.ts_ns += rlo; tb.open += rlo; tb.high += rlo; tb.low += rlo; tb.close += rlo;
        tb.volume += rlo; tb.oi += rlo;
        slab_sweep_spec sp = wf.sweep;
        sp.bars = &tb;
        sink lines;
        run_sweep(&sp, &lines, NULL);
        double best = -INFINITY;
        long best_pos = -1, pos = 0;
        for (const char *p = lines.text; *p; pos++) {
            const char *nl = strchr(p, '\n');
            json_t *l = json_loadb(p, (size_t)(nl - p), 0, NULL);
            json_t *m = json_object_get(json_object_get(l, "metrics"),
                                        "sharpe_ratio_daily_annualized");
            if (json_is_number(m) && json_number_value(m) > best) {
                best = json_number_value(m);
                best_pos = pos;
            }
            json_decref(l);
            p = nl + 1;
        }
        free(lines.text);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(w, "in_sample"),
                                                            "position")),
                         best_pos);
        /* its test run, alone, with the value carried over */
        slab_grid_cursor c;
        double params[16];
        slab_run_config cfg;
        slab_run *run = NULL;
        memset(&cfg, 0, sizeof cfg);
        slab_grid_cursor_init(&c, g, (uint64_t)best_pos, (uint64_t)best_pos + 1);
        assert_true(slab_grid_cursor_next(&c));
        assert_int_equal(slab_sweep_settings(&wf.sweep, c.idx, params, &cfg.broker, &cfg.risk,
                                             &err),
                         SLAB_OK);
        cfg.broker.cash = value;
        cfg.strategy = wf.sweep.strategy;
        cfg.params = params;
        cfg.stop_after_bar = -1;
        slab_bars xb = *bars;
        xb.n = thi - tlo;
        xb.ts_ns += tlo; xb.open += tlo; xb.high += tlo; xb.low += tlo; xb.close += tlo;
        xb.volume += tlo; xb.oi += tlo;
        assert_int_equal(slab_engine_run(&xb, &cfg, &run, &err), SLAB_OK);
        assert_memory_equal(run->value, res.value + (tlo - 400), run->n_bars * sizeof(double));
        value = run->final_value;
        slab_run_free(run);
    }
    /* the document's final value is the last window's */
    assert_true(json_real_value(json_object_get(json_object_get(res.doc, "metrics"),
                                                "final_value")) == value);
    slab_walkforward_result_clear(&res);
    slab_grid_free(g);
}

static void test_walkforward_calendar(void **state)
{
    (void)state;
    slab_walkforward_spec wf;
    slab_walkforward_result res;
    slab_error err;
    slab_grid *g = grid_of("fast=5,10", "slow=30,60", NULL);
    memset(&wf, 0, sizeof wf);
    spec_init(&wf.sweep, "sma_cross", g);
    snprintf(wf.metric, sizeof wf.metric, "total_return");
    wf.descending = 1;
    assert_int_equal(slab_span_parse("2y", &wf.train, &err), SLAB_OK);
    assert_int_equal(slab_span_parse("6m", &wf.test, &err), SLAB_OK);
    /* 1200 weekday bars from 2014-01-06 end in 2018-08; tests start
     * 2016-01-06 and step by 6 months: Jan, Jul 2016, Jan, Jul 2017, Jan,
     * Jul 2018 (the last one short) */
    for (int anchored = 0; anchored < 2; anchored++) {
        wf.anchored = anchored;
        assert_int_equal(slab_walkforward_run(&wf, NULL, NULL, &res, &err), SLAB_OK);
        json_t *wins = json_object_get(json_object_get(res.doc, "walkforward"), "windows");
        assert_int_equal(json_array_size(wins), 6);
        json_t *w1 = json_array_get(wins, 1);
        assert_string_equal(json_string_value(json_object_get(json_object_get(w1, "test"), "from")),
                            "2016-07-06");
        assert_string_equal(json_string_value(json_object_get(json_object_get(w1, "train"), "from")),
                            anchored ? "2014-01-06" : "2014-07-07");
        slab_walkforward_result_clear(&res);
    }
    static const char *bad[] = {"3", "y", "0y", "3x", "-1m"};
    slab_span sp;
    for (size_t k = 0; k < 5; k++)
        assert_int_not_equal(slab_span_parse(bad[k], &sp, &err), SLAB_OK);
    wf.train.count = 10;
    wf.train.unit = 'y';
    assert_int_equal(slab_walkforward_run(&wf, NULL, NULL, &res, &err), SLAB_ERANGE);
    assert_non_null(strstr(err.msg, "ends before the first test window starts"));
    slab_grid_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifty_points),
        cmocka_unit_test(test_where_and_options),
        cmocka_unit_test(test_bad_axes),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_walkforward_bars),
        cmocka_unit_test(test_walkforward_calendar),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
