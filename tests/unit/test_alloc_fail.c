/* test_alloc_fail.c: every allocation fails in turn (slab_alloc_fail_after
 * driven k = 1, 2, ... until a call makes fewer than k allocations) through
 * a whole engine run with the result document, the CSV loader and the
 * store import. Each failure must come back as SLAB_ENOMEM with nothing
 * leaked (the ASan build checks leaks) and nothing half-done: no run or
 * series is returned, and the store holds the old bars or the complete new
 * ones. A call that absorbs a failure (a shrinking realloc may fail
 * harmlessly) must give exactly the undisturbed result. SQLite allocates
 * through slab_malloc too (store.c), so its out-of-memory paths run here. */
#include "slab_test.h"
#include "stratlab/broker.h"
#include "stratlab/engine.h"
#include "stratlab/result.h"
#include "stratlab/risk.h"
#include "stratlab/store.h"
#include "stratlab/strategies.h"
#include "stratlab/sweep.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Safety stop: no call here makes anywhere near this many allocations. */
#define K_MAX 200000

static slab_bars *sample(uint64_t seed, size_t n)
{
    slab_bars *b;
    slab_error err;
    assert_int_equal(
        slab_sample_generate(seed, n, SLAB_TF_DAYS, 1, slab_days_from_civil(2015, 1, 2), &b, &err),
        SLAB_OK);
    return b;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- engine run and result document -------------------------------------------- */

typedef struct run_case {
    const char *strategy;
    const char *risk[3][2]; /* risk.h key/value pairs, NULL-terminated */
} run_case;

/* A run of c over b with the reference settings, then its result
 * document. Returns the status; *run and *doc are owned on success. */
static slab_status run_once(const run_case *c, const slab_bars *b, slab_run **run, json_t **doc,
                            slab_error *err)
{
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000.0;
    cfg.broker.commission = 0.001;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95.0;
    cfg.strategy = slab_strategy_find(c->strategy, NULL);
    cfg.stop_after_bar = -1;
    assert_non_null(cfg.strategy);
    for (int k = 0; k < 3 && c->risk[k][0]; k++)
        assert_int_equal(slab_risk_set(&cfg.risk, c->risk[k][0], c->risk[k][1], NULL), SLAB_OK);
    *run = NULL;
    *doc = NULL;
    slab_status st = slab_engine_run(b, &cfg, run, err);
    if (st != SLAB_OK)
        return st;
    double params[64];
    assert_true(cfg.strategy->n_params <= 64);
    assert_int_equal(slab_strategy_resolve_params(cfg.strategy, NULL, 0, params, NULL), SLAB_OK);
    slab_result_info info = {c->strategy, "builtin", cfg.strategy, params, &cfg.broker, 0.0, 1, -1, 0, 0};
    if (!(*doc = slab_result_json(b, *run, &info, err))) {
        slab_run_free(*run);
        *run = NULL;
        return err->code;
    }
    return SLAB_OK;
}

/* Fails unless two finished runs agree bit for bit. */
static void expect_same_run(const slab_run *a, const slab_run *b, long k)
{
    if (a->n_bars != b->n_bars || a->n_trades != b->n_trades || a->n_orders != b->n_orders ||
        !same_bits(a->final_value, b->final_value))
        fail_msg("failing allocation %ld was absorbed but the run differs", k);
    for (size_t i = 0; i < a->n_bars; i++)
        if (!same_bits(a->value[i], b->value[i]))
            fail_msg("failing allocation %ld: value at bar %zu differs", k, i);
}

static void engine_run_each_allocation_fails(void **state)
{
    (void)state;
    static const run_case cases[] = {
        {"sma_cross", {{"stop_loss", "2%"}, {"take_profit", "2atr"}, {NULL, NULL}}},
        {"bbands_reversion", {{"trail", "1.5%"}, {"time_exit", "20"}, {NULL, NULL}}},
        {"macd_trail", {{NULL, NULL}}},
        {"rsi_reversion", {{"max_position", "50%"}, {NULL, NULL}}},
    };
    slab_bars *b = sample(4, 700);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        slab_run *want, *got;
        json_t *want_doc, *got_doc;
        slab_error err;
        assert_int_equal(run_once(&cases[c], b, &want, &want_doc, &err), SLAB_OK);
        json_object_del(want_doc, "execution");
        assert_true(want->n_trades > 0); /* the error paths of trades are reached */
        long k;
        for (k = 1; k < K_MAX; k++) {
            slab_alloc_fail_after(k);
            slab_status st = run_once(&cases[c], b, &got, &got_doc, &err);
            int fired = slab_alloc_fail_fired();
            slab_alloc_fail_after(0);
            if (st == SLAB_OK) {
                expect_same_run(want, got, k);
                /* everything but the timings in "execution" */
                json_object_del(got_doc, "execution");
                if (!json_equal(want_doc, got_doc)) {
                    const char *key;
                    json_t *v;
                    json_object_foreach(want_doc, key, v)
                    {
                        if (!json_equal(v, json_object_get(got_doc, key)))
                            fail_msg("%s: failing allocation %ld was absorbed but \"%s\" differs",
                                     cases[c].strategy, k, key);
                    }
                    fail_msg("%s: failing allocation %ld was absorbed but the document differs",
                             cases[c].strategy, k);
                }
                slab_run_free(got);
                json_decref(got_doc);
                if (!fired)
                    break; /* every allocation of the call has failed once */
                continue;
            }
            if (st != SLAB_ENOMEM)
                fail_msg("%s: failing allocation %ld gave status %d: %s", cases[c].strategy, k, st,
                         err.msg);
            assert_null(got);
            assert_null(got_doc);
        }
        print_message("%s: %ld allocations, each failed once\n", cases[c].strategy, k - 1);
        assert_true(k > 5 && k < K_MAX);
        slab_run_free(want);
        json_decref(want_doc);
    }
    slab_bars_free(b);
}

/* ---- a sweep ------------------------------------------------------------------------ */

typedef struct lines {
    char *text; /* malloc, not slab_malloc: the test's own memory never fails */
    size_t len;
} lines;

static int keep_line(void *user, uint64_t pos, const char *line, size_t len)
{
    lines *l = user;
    (void)pos;
    char *t = realloc(l->text, l->len + len + 2);
    if (!t)
        return 1;
    memcpy(t + l->len, line, len);
    t[l->len + len] = '\n';
    t[l->len + len + 1] = '\0';
    l->text = t;
    l->len += len + 1;
    return 0;
}

/* Each allocation of a sweep fails in turn: sma_cross through the
 * specialised loop with its batched crossings (one worker, so the order
 * of allocations is the same each time), and a grid with a stop loss
 * axis through the engine. A failure the sweep absorbs (a batch it could
 * not make only costs speed) must leave the lines exactly as they were;
 * any other ends the sweep with SLAB_ENOMEM and a message. */
static void sweep_each_allocation_fails(void **state)
{
    (void)state;
    static const char *const grids[][4] = {{"fast=3:9:2", "slow=20:40:10", NULL},
                                           {"fast=5", "slow=20,30", "stop_loss=1%,2%", NULL}};
    slab_bars *b = sample(5, 400);
    for (size_t c = 0; c < sizeof grids / sizeof grids[0]; c++) {
        slab_error err;
        slab_grid *g = slab_grid_new();
        for (size_t k = 0; grids[c][k]; k++)
            assert_int_equal(slab_grid_add_axis(g, grids[c][k], &err), SLAB_OK);
        assert_int_equal(slab_grid_finish(g, &err), SLAB_OK);
        slab_sweep_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.bars = b;
        spec.strategy = slab_strategy_find("sma_cross", &err);
        slab_broker_config_default(&spec.broker);
        spec.broker.cash = 100000.0;
        spec.broker.commission = 0.001;
        spec.grid = g;
        spec.hi = UINT64_MAX;
        spec.jobs = 1;
        lines want = {NULL, 0};
        slab_sweep_report rep;
        assert_int_equal(slab_sweep_run(&spec, keep_line, &want, NULL, NULL, &rep, &err), SLAB_OK);
        assert_int_equal(rep.lines, slab_grid_count(g));
        if (c == 0) /* the batches are there to fail */
            assert_int_equal(rep.batched, rep.lines);
        long k;
        size_t absorbed = 0;
        for (k = 1; k < K_MAX; k++) {
            lines got = {NULL, 0};
            slab_alloc_fail_after(k);
            slab_status st = slab_sweep_run(&spec, keep_line, &got, NULL, NULL, NULL, &err);
            int fired = slab_alloc_fail_fired();
            slab_alloc_fail_after(0);
            if (st == SLAB_OK) {
                if (!got.text || strcmp(got.text, want.text)) {
                    size_t at = 0;
                    while (got.text && got.text[at] == want.text[at])
                        at++;
                    at = at > 80 ? at - 80 : 0;
                    fail_msg("grid %zu: failing allocation %ld was absorbed but the lines differ:\n"
                             "got  ...%.200s\nwant ...%.200s",
                             c, k, got.text ? got.text + at : "(none)", want.text + at);
                }
                absorbed += fired;
            } else if (st != SLAB_ENOMEM || !err.msg[0]) {
                fail_msg("grid %zu: failing allocation %ld gave status %d: %s", c, k, st, err.msg);
            }
            free(got.text);
            if (!fired)
                break; /* every allocation of the sweep has failed once */
        }
        print_message("sweep grid %zu: %ld allocations, each failed once, %zu absorbed\n", c, k - 1,
                      absorbed);
        assert_true(k > 5 && k < K_MAX);
        free(want.text);
        slab_grid_free(g);
    }
    slab_bars_free(b);
}

/* ---- CSV loader ------------------------------------------------------------------ */

/* Writes text to <tmpdir>/name and returns the path (static buffer). */
static const char *write_tmp(const char *name, const char *text)
{
    static char path[1100];
    snprintf(path, sizeof path, "%s/%s", slab_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void csv_load_each_allocation_fails(void **state)
{
    (void)state;
    /* 3000 rows: the columns grow several times; one bad row, skipped. */
    size_t cap = 3100 * 64, k = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    k += (size_t)snprintf(text + k, cap - k, "Date,Open,High,Low,Close,Volume\n");
    for (int i = 0; i < 3000; i++)
        k += (size_t)snprintf(text + k, cap - k, "%d,%d.5,%d.75,%d.25,%d.5,%d\n", i + 1, 10 + i % 7,
                              11 + i % 7, 9 + i % 7, 10 + i % 7, i == 1500 ? -1 : 100 + i);
    const char *path = write_tmp("alloc.csv", text);
    free(text);
    slab_csv_options opt = {.skip_bad_rows = 1};
    slab_bars *want, *got;
    slab_load_report rep;
    slab_error err;
    assert_int_equal(slab_csv_load(path, &opt, &want, &rep, &err), SLAB_OK);
    assert_int_equal(want->n, 2999);
    long n;
    for (n = 1; n < K_MAX; n++) {
        slab_alloc_fail_after(n);
        slab_status st = slab_csv_load(path, &opt, &got, &rep, &err);
        int fired = slab_alloc_fail_fired();
        slab_alloc_fail_after(0);
        if (st == SLAB_OK) {
            assert_int_equal(got->n, want->n);
            for (size_t i = 0; i < want->n; i++)
                assert_true(got->ts_ns[i] == want->ts_ns[i] &&
                            same_bits(got->close[i], want->close[i]));
            assert_string_equal(got->sha256, want->sha256);
            slab_bars_free(got);
            if (!fired)
                break;
            continue;
        }
        if (st != SLAB_ENOMEM)
            fail_msg("failing allocation %ld: status %d: %s: %s", n, st, err.where, err.msg);
        assert_null(got);
    }
    print_message("csv load: %ld allocations, each failed once\n", n - 1);
    assert_true(n > 3 && n < K_MAX);
    slab_bars_free(want);
}

/* ---- store import ---------------------------------------------------------------- */

/* A fresh database path under the test's scratch directory. */
static const char *fresh_db(const char *name)
{
    static char path[1100];
    char side[1200];
    snprintf(path, sizeof path, "%s/%s.db", slab_test_tmpdir(), name);
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    return path;
}

/* The stored bars of sym equal b exactly, with b's import record. */
static void expect_stored(const char *path, const char *sym, const slab_bars *b, const char *src)
{
    slab_store *s;
    slab_bars *got;
    slab_store_entry *e = NULL;
    size_t n = 0;
    slab_error err;
    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    assert_int_equal(slab_store_load(s, sym, NULL, INT64_MIN, INT64_MAX, &got, &err), SLAB_OK);
    assert_int_equal(got->n, b->n);
    for (size_t i = 0; i < b->n; i++)
        if (got->ts_ns[i] != b->ts_ns[i] || !same_bits(got->open[i], b->open[i]) ||
            !same_bits(got->close[i], b->close[i]) || !same_bits(got->volume[i], b->volume[i]))
            fail_msg("stored bar %zu differs from the %s import", i, src);
    assert_int_equal(slab_store_list(s, &e, &n, &err), SLAB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].n_bars, b->n);
    assert_string_equal(e[0].source, src);
    slab_free(e);
    slab_bars_free(got);
    slab_store_close(s);
}

static void store_import_each_allocation_fails(void **state)
{
    (void)state;
    const char *p = fresh_db("alloc");
    char path[1100];
    snprintf(path, sizeof path, "%s", p);
    slab_bars *old_bars = sample(1, 300), *new_bars = sample(2, 500);
    const slab_import_info old_info = {"old.csv", "", NULL}, new_info = {"new.csv", "", NULL};
    slab_store *s;
    slab_error err;
    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, old_bars, "S", NULL, &old_info, NULL, &err), SLAB_OK);
    slab_store_close(s);

    long k;
    int failures = 0;
    for (k = 1; k < K_MAX; k++) {
        /* open, import the new bars, close: any allocation may fail */
        slab_alloc_fail_after(k);
        slab_status st = slab_store_open(path, &s, &err);
        if (st == SLAB_OK) {
            st = slab_store_import(s, new_bars, "S", NULL, &new_info, NULL, &err);
            slab_store_close(s);
        } else {
            assert_null(s);
        }
        int fired = slab_alloc_fail_fired();
        slab_alloc_fail_after(0);
        if (st != SLAB_OK && st != SLAB_ENOMEM)
            fail_msg("failing allocation %ld: status %d: %s", k, st, err.msg);
        if (st == SLAB_OK) {
            expect_stored(path, "S", new_bars, "new.csv");
            if (!fired)
                break;
            /* put the old bars back for the next k */
            assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
            assert_int_equal(slab_store_import(s, old_bars, "S", NULL, &old_info, NULL, &err),
                             SLAB_OK);
            slab_store_close(s);
            continue;
        }
        failures++;
        expect_stored(path, "S", old_bars, "old.csv"); /* nothing half-written */
    }
    print_message("store open+import: %ld allocations, %d reported as out of memory\n", k - 1,
                  failures);
    assert_true(failures > 10 && k < K_MAX);
    slab_bars_free(old_bars);
    slab_bars_free(new_bars);
}

/* slab_grow: doubles from 16 to the need; a failed allocation or a size
 * that would overflow leaves the array and its capacity as they were. */
static void grow_keeps_the_array_on_failure(void **state)
{
    (void)state;
    double *a = NULL;
    size_t cap = 0;
    assert_int_equal(slab_grow((void **)&a, &cap, 5, sizeof *a), 0);
    assert_int_equal(cap, 16);
    a[15] = 1.5;
    assert_int_equal(slab_grow((void **)&a, &cap, 40, sizeof *a), 0);
    assert_int_equal(cap, 64); /* 16 -> 32 -> 64 */
    assert_true(a[15] == 1.5);
    double *was = a;
    assert_int_equal(slab_grow((void **)&a, &cap, SIZE_MAX / sizeof *a + 1, sizeof *a), -1);
    assert_ptr_equal(a, was);
    assert_int_equal(cap, 64);
    slab_alloc_fail_after(1);
    assert_int_equal(slab_grow((void **)&a, &cap, 65, sizeof *a), -1);
    slab_alloc_fail_after(0);
    assert_ptr_equal(a, was);
    assert_int_equal(cap, 64);
    assert_int_equal(slab_grow((void **)&a, &cap, 64, sizeof *a), 0); /* enough: no call */
    slab_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grow_keeps_the_array_on_failure),
        cmocka_unit_test(engine_run_each_allocation_fails),
        cmocka_unit_test(sweep_each_allocation_fails),
        cmocka_unit_test(csv_load_each_allocation_fails),
        cmocka_unit_test(store_import_each_allocation_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
