/* test_store.c: the SQLite store: import, idempotent re-import, failed
 * imports rolled back (a bad series, and a failure injected half-way
 * through the inserts with an SQLite trigger), loads by range, listing,
 * the not-found messages, schema versions. The test opens the database
 * with sqlite3 itself only to inject faults; the library's own SQL stays
 * in src/store/store.c. */
#include "slab_test.h"
#include "stratlab/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

/* Provenance records used below. */
static const slab_import_info from_a = {"a.csv", "", "btcsv"}, from_b = {"b.csv", "", NULL},
                              from_old = {"old.csv", "", NULL}, from_bad = {"bad.csv", "", NULL};

/* n sample daily bars from seed. */
static slab_bars *sample(uint64_t seed, size_t n)
{
    slab_bars *b;
    slab_error err;
    assert_int_equal(
        slab_sample_generate(seed, n, SLAB_TF_DAYS, 1, slab_days_from_civil(2020, 1, 2), &b, &err),
        SLAB_OK);
    return b;
}

/* Fails unless a and b hold the same bars, value for value. */
static void expect_same_bars(const slab_bars *a, const slab_bars *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->ts_ns[i], b->ts_ns[i]);
        slab_test_expect_close("open", (long)i, a->open[i], b->open[i], 0, 0);
        slab_test_expect_close("high", (long)i, a->high[i], b->high[i], 0, 0);
        slab_test_expect_close("low", (long)i, a->low[i], b->low[i], 0, 0);
        slab_test_expect_close("close", (long)i, a->close[i], b->close[i], 0, 0);
        slab_test_expect_close("volume", (long)i, a->volume[i], b->volume[i], 0, 0);
        slab_test_expect_close("oi", (long)i, a->oi[i], b->oi[i], 0, 0);
    }
}

/* Runs sql on the database file directly (fault injection only). */
static void raw_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

static void import_then_load(void **state)
{
    (void)state;
    const char *path = fresh_db("import");
    slab_store *s;
    slab_bars *b = sample(1, 300), *got;
    slab_error err;
    size_t replaced = 99;

    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    snprintf(b->source, sizeof b->source, "/data/test.csv");
    snprintf(b->sha256, sizeof b->sha256, "%064d", 7);
    assert_int_equal(slab_store_import(s, b, "TEST", "1d", NULL, &replaced, &err), SLAB_OK);
    assert_int_equal(replaced, 0);
    assert_int_equal(slab_store_load(s, "TEST", NULL, INT64_MIN, INT64_MAX, &got, &err), SLAB_OK);
    expect_same_bars(b, got);
    assert_string_equal(got->symbol, "TEST");
    assert_string_equal(got->source, "/data/test.csv");
    assert_string_equal(got->sha256, b->sha256);
    assert_int_equal(got->timeframe, SLAB_TF_DAYS);
    assert_int_equal(got->compression, 1);
    slab_bars_free(got);
    slab_store_close(s);

    /* Still there after reopening. */
    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    assert_int_equal(slab_store_load(s, "TEST", "1d", INT64_MIN, INT64_MAX, &got, &err), SLAB_OK);
    expect_same_bars(b, got);
    slab_bars_free(got);
    slab_store_close(s);
    slab_bars_free(b);
    slab_store_close(NULL);
}

static void reimport_replaces(void **state)
{
    (void)state;
    slab_store *s;
    slab_bars *a = sample(2, 200), *b = sample(3, 50), *got;
    slab_store_entry *e;
    size_t n, replaced;
    slab_error err;

    assert_int_equal(slab_store_open(fresh_db("reimport"), &s, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, a, "X", "1d", &from_a, &replaced, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, a, "X", "1d", &from_a, &replaced, &err), SLAB_OK);
    assert_int_equal(replaced, 200);
    assert_int_equal(slab_store_list(s, &e, &n, &err), SLAB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].n_bars, 200);
    assert_string_equal(e[0].source, "a.csv");
    assert_string_equal(e[0].loaded_as, "btcsv");
    slab_free(e);

    /* A different series replaces all of the old one. */
    assert_int_equal(slab_store_import(s, b, "X", "1d", &from_b, &replaced, &err), SLAB_OK);
    assert_int_equal(replaced, 200);
    assert_int_equal(slab_store_load(s, "X", NULL, INT64_MIN, INT64_MAX, &got, &err), SLAB_OK);
    expect_same_bars(b, got);
    assert_string_equal(got->source, "b.csv");
    slab_bars_free(got);
    slab_store_close(s);
    slab_bars_free(a);
    slab_bars_free(b);
}

/* The store as it was before a failed import: same bars, same record. */
static void expect_unchanged(slab_store *s, const slab_bars *want, const char *source)
{
    slab_bars *got;
    slab_store_entry *e;
    size_t n;
    slab_error err;
    assert_int_equal(slab_store_load(s, "RB", "1d", INT64_MIN, INT64_MAX, &got, &err), SLAB_OK);
    expect_same_bars(want, got);
    slab_bars_free(got);
    assert_int_equal(slab_store_list(s, &e, &n, &err), SLAB_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].n_bars, want->n);
    assert_string_equal(e[0].source, source);
    slab_free(e);
}

static void failed_import_rolls_back(void **state)
{
    (void)state;
    const char *path = fresh_db("rollback");
    slab_store *s;
    slab_bars *old = sample(4, 100), *bad = sample(5, 120);
    slab_error err;
    char sql[300];

    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, old, "RB", "1d", &from_old, NULL, &err), SLAB_OK);

    /* An inconsistent series is refused before anything is written. */
    double high60 = bad->high[60];
    bad->high[60] = bad->low[60] / 2;
    assert_int_equal(slab_store_import(s, bad, "RB", "1d", &from_bad, NULL, &err), SLAB_EDATA);
    assert_non_null(strstr(err.where, "bar 60"));
    expect_unchanged(s, old, "old.csv");
    bad->high[60] = high60;

    /* A failure after the delete and 80 inserts: the trigger aborts the
     * 81st, and the whole transaction is rolled back. */
    snprintf(sql, sizeof sql,
             "CREATE TRIGGER fail_81 BEFORE INSERT ON bars WHEN NEW.ts_ns = %lld "
             "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
             (long long)bad->ts_ns[80]);
    raw_sql(path, sql);
    assert_int_equal(slab_store_import(s, bad, "RB", "1d", &from_bad, NULL, &err), SLAB_EDB);
    assert_string_equal(err.where, path);
    assert_string_equal(err.msg, "cannot insert bar 80: injected failure");
    expect_unchanged(s, old, "old.csv");

    raw_sql(path, "DROP TRIGGER fail_81");
    assert_int_equal(slab_store_import(s, bad, "RB", "1d", &from_bad, NULL, &err), SLAB_OK);
    slab_store_close(s);
    slab_bars_free(old);
    slab_bars_free(bad);
}

static void load_ranges(void **state)
{
    (void)state;
    slab_store *s;
    slab_bars *b = sample(6, 100), *got;
    slab_error err;

    assert_int_equal(slab_store_open(fresh_db("range"), &s, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, b, "R", NULL, NULL, NULL, &err), SLAB_OK);
    assert_int_equal(slab_store_load(s, "R", "1d", b->ts_ns[10], b->ts_ns[19], &got, &err),
                     SLAB_OK);
    assert_int_equal(got->n, 10);
    assert_int_equal(got->ts_ns[0], b->ts_ns[10]);
    slab_test_expect_close("close", 9, got->close[9], b->close[19], 0, 0);
    slab_bars_free(got);
    assert_int_equal(slab_store_load(s, "R", "1d", b->ts_ns[95], INT64_MAX, &got, &err), SLAB_OK);
    assert_int_equal(got->n, 5);
    slab_bars_free(got);
    assert_int_equal(
        slab_store_load(s, "R", "1d", INT64_MIN, b->ts_ns[0] - SLAB_NS_PER_DAY, &got, &err),
        SLAB_ERANGE);
    assert_null(got);
    assert_non_null(strstr(err.msg, "no R 1d bars between the start and 2020-01-01"));
    assert_non_null(strstr(err.msg, "stored: 2020-01-02 .. "));

    /* An allocation failure while loading leaks nothing. */
    slab_alloc_fail_after(2);
    assert_int_equal(slab_store_load(s, "R", "1d", INT64_MIN, INT64_MAX, &got, &err), SLAB_ENOMEM);
    slab_alloc_fail_after(0);
    slab_store_close(s);
    slab_bars_free(b);
}

static void names_and_messages(void **state)
{
    (void)state;
    const char *path = fresh_db("names");
    slab_store *s;
    slab_bars *b = sample(7, 30), *got;
    slab_store_entry *e;
    size_t n;
    slab_error err;

    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    assert_int_equal(slab_store_load(s, "ORCL", NULL, INT64_MIN, INT64_MAX, &got, &err),
                     SLAB_ENOTFOUND);
    assert_string_equal(err.msg, "unknown symbol 'ORCL': the store is empty; import data first");
    assert_int_equal(slab_store_import(s, b, "ORCL", "1d", NULL, NULL, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, b, "ORCL", "minutes:60", NULL, NULL, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, b, "NVDA", "1d", NULL, NULL, &err), SLAB_OK);

    static const struct {
        const char *symbol, *tf;
        slab_status st;
        const char *msg;
    } rows[] = {
        {"MSFT", NULL, SLAB_ENOTFOUND, "unknown symbol 'MSFT'; stored: NVDA (1d), ORCL (1d, 1h)"},
        {"orcl", "1d", SLAB_ENOTFOUND,
         "unknown symbol 'orcl' (did you mean ORCL?); stored: NVDA (1d), ORCL (1d, 1h)"},
        {"ORCL", NULL, SLAB_EINVAL, "ORCL is stored in several timeframes (1d, 1h): name one"},
        {"ORCL", "5m", SLAB_ENOTFOUND, "no 5m bars for ORCL; stored for ORCL: 1d, 1h"},
        {"ORCL", "5x", SLAB_EPARSE,
         "bad timeframe '5x': expected 1m, 5m, 15m, 1h, 1d, 1w, 1mo, tick, or unit:N such as "
         "minutes:5"},
        {"BAD SYM", NULL, SLAB_EINVAL,
         "bad symbol 'BAD SYM': use letters, digits and punctuation such as . - ^ = (no spaces, "
         "commas or quotes)"},
        {"", NULL, SLAB_EINVAL, "bad symbol '': expected 1 to 31 characters"},
        {"ORCL", "60m", SLAB_OK, NULL},
        {"NVDA", NULL, SLAB_OK, NULL},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_status st =
            slab_store_load(s, rows[i].symbol, rows[i].tf, INT64_MIN, INT64_MAX, &got, &err);
        if (st != rows[i].st || (rows[i].msg && strcmp(err.msg, rows[i].msg) != 0))
            fail_msg("row %zu: got %d '%s', want %d '%s'", i, st, err.msg, rows[i].st,
                     rows[i].msg ? rows[i].msg : "");
        if (st == SLAB_OK) {
            expect_same_bars(b, got);
            slab_bars_free(got);
        }
    }

    assert_int_equal(slab_store_list(s, &e, &n, &err), SLAB_OK);
    assert_int_equal(n, 3);
    const char *want[3][2] = {{"NVDA", "1d"}, {"ORCL", "1d"}, {"ORCL", "1h"}};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(e[i].symbol, want[i][0]);
        assert_string_equal(e[i].timeframe, want[i][1]);
        assert_int_equal(e[i].n_bars, 30);
        assert_int_equal(e[i].first_ts_ns, b->ts_ns[0]);
        assert_int_equal(e[i].last_ts_ns, b->ts_ns[29]);
        assert_true(e[i].imported_at > 1600000000);
    }
    slab_free(e);
    slab_store_close(s);
    slab_bars_free(b);
}

static void open_errors(void **state)
{
    (void)state;
    const char *path = fresh_db("newer");
    slab_store *s;
    slab_error err;
    char msg[200];

    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    slab_store_close(s);
    raw_sql(path, "PRAGMA user_version = 99");
    assert_int_equal(slab_store_open(path, &s, &err), SLAB_EDB);
    assert_null(s);
    assert_string_equal(err.where, path);
    snprintf(msg, sizeof msg,
             "the store has schema version 99, newer than this stratlab reads (%d): upgrade "
             "stratlab",
             SLAB_STORE_SCHEMA_VERSION);
    assert_string_equal(err.msg, msg);

    path = fresh_db("garbage");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a database, just text that is long enough to have a header......\n"
          "................................................................................\n",
          f);
    fclose(f);
    assert_int_equal(slab_store_open(path, &s, &err), SLAB_EDB);
    assert_non_null(strstr(err.msg, "not a database"));

    char dir[1100];
    snprintf(dir, sizeof dir, "%s/no/such/dir/x.db", slab_test_tmpdir());
    assert_int_equal(slab_store_open(dir, &s, &err), SLAB_EDB);
    assert_non_null(strstr(err.msg, "cannot open the store"));
}

/* The service's records: a backtest's document comes back byte for byte;
 * strategy versions count 1, 2 and a deleted one is gone but its versions
 * stay unreachable; a read-only handle reads the bars and cannot write;
 * data_version moves when another handle commits, not for its own writes. */
static void service_records(void **state)
{
    (void)state;
    const char *path = fresh_db("service");
    slab_store *s, *ro, *other;
    slab_error err;
    slab_bars *b = sample(3, 50), *got = NULL;
    int64_t v1, v2, v3;
    assert_int_equal(slab_store_open(path, &s, &err), SLAB_OK);
    assert_int_equal(slab_store_import(s, b, "AAA", "1d", &from_a, NULL, &err), SLAB_OK);

    static const char doc[] = "{\n \"x\": 1.5,\n \"s\": \"\\u00e9\"\n}\n";
    slab_backtest_record r = {"bt_1", 1000, "sma_cross", "builtin", "", 0, (char *)doc}, g;
    assert_int_equal(slab_store_save_backtest(s, &r, &err), SLAB_OK);
    assert_int_equal(slab_store_get_backtest(s, "bt_1", &g, &err), SLAB_OK);
    assert_string_equal(g.document, doc);
    slab_free(g.document);
    assert_int_equal(slab_store_get_backtest(s, "bt_2", &g, &err), SLAB_ENOTFOUND);
    assert_int_equal(slab_error_code(&err), SLAB_EC_NOT_FOUND);

    slab_saved_strategy st = {"st_1", 0, "mine", "builtin", "{\"strategy\":\"sma_cross\"}", 5};
    assert_int_equal(slab_store_put_strategy(s, &st, 1, &err), SLAB_ENOTFOUND); /* must exist */
    assert_int_equal(slab_store_put_strategy(s, &st, 0, &err), SLAB_OK);
    assert_int_equal(st.version, 1);
    assert_int_equal(slab_store_put_strategy(s, &st, 1, &err), SLAB_OK);
    assert_int_equal(st.version, 2);
    slab_saved_strategy gs;
    assert_int_equal(slab_store_get_strategy(s, "st_1", 1, &gs, &err), SLAB_OK);
    assert_int_equal(gs.version, 1);
    slab_free(gs.body);
    assert_int_equal(slab_store_delete_strategy(s, "st_1", &err), SLAB_OK);
    assert_int_equal(slab_store_get_strategy(s, "st_1", 0, &gs, &err), SLAB_ENOTFOUND);
    assert_int_equal(slab_store_put_strategy(s, &st, 0, &err), SLAB_ENOTFOUND); /* deleted */
    assert_int_equal(slab_store_delete_strategy(s, "st_1", &err), SLAB_ENOTFOUND);

    assert_int_equal(slab_store_open_readonly(path, &ro, &err), SLAB_OK);
    assert_int_equal(slab_store_load(ro, "AAA", "1d", INT64_MIN, INT64_MAX, &got, &err), SLAB_OK);
    expect_same_bars(got, b);
    slab_bars_free(got);
    slab_backtest_record r2 = {"bt_2", 1000, "x", "builtin", "", 0, (char *)doc};
    assert_int_not_equal(slab_store_save_backtest(ro, &r2, &err), SLAB_OK);

    assert_int_equal(slab_store_data_version(s, &v1, &err), SLAB_OK);
    slab_backtest_record r3 = {"bt_3", 1000, "x", "builtin", "", 0, (char *)doc};
    assert_int_equal(slab_store_save_backtest(s, &r3, &err), SLAB_OK);
    assert_int_equal(slab_store_data_version(s, &v2, &err), SLAB_OK);
    assert_true(v1 == v2); /* its own write */
    assert_int_equal(slab_store_open(path, &other, &err), SLAB_OK);
    assert_int_equal(slab_store_import(other, b, "BBB", "1d", &from_b, NULL, &err), SLAB_OK);
    slab_store_close(other);
    assert_int_equal(slab_store_data_version(s, &v3, &err), SLAB_OK);
    assert_true(v3 != v2); /* another handle's import */
    slab_store_close(ro);
    slab_store_close(s);
    slab_bars_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(import_then_load),         cmocka_unit_test(reimport_replaces),
        cmocka_unit_test(failed_import_rolls_back), cmocka_unit_test(load_ranges),
        cmocka_unit_test(names_and_messages),       cmocka_unit_test(open_errors),
        cmocka_unit_test(service_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
