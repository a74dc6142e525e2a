/* test_analyzers_ref.c: every analyzer of every backtrader reference run.
 * For each of the 17 runs of slab_refs_bt_runs (a run missing from
 * ../shared/reference/backtrader/ fails, and so does a run there that the
 * list lacks) the equity record comes from <run>_equity.csv and the trades
 * from the JSON's "trades" list plus placeholders for the open trades its
 * tradeanalyzer counts; slab_analyzers_json must then reproduce the JSON's
 * "analyzers" object: the same keys at every level, integers equal, reals
 * bit-identical (measured: every value of the 17 runs is), None and the
 * string "NaN" as null. Reference values are only read from ../shared. */
#include "slab_refs.h"
#include "slab_test.h"
#include "stratlab/metrics.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Mismatch lines printed before the rest are only counted. */
#define MAX_REPORTS 60

/* One reference run loaded into slab structures. */
typedef struct run {
    char name[128];     /* "smacross_orcl" */
    json_t *doc;        /* the whole reference JSON (owned) */
    int64_t *ts_ns;     /* equity timestamps (owned) */
    double *value;      /* equity values (owned) */
    double *cash;       /* equity cash (owned) */
    slab_equity eq;     /* borrows the arrays above */
    slab_trade *trades; /* closed trades, then open placeholders (owned) */
    size_t n_trades;    /* entries in trades */
} run;

/* Returns backtrader's timeframe for its name, or 0. */
static slab_timeframe tf_from_name(const char *s)
{
    static const struct {
        const char *name;
        slab_timeframe tf;
    } rows[] = {{"Ticks", SLAB_TF_TICKS},     {"MicroSeconds", SLAB_TF_MICROSECONDS},
                {"Seconds", SLAB_TF_SECONDS}, {"Minutes", SLAB_TF_MINUTES},
                {"Days", SLAB_TF_DAYS},       {"Weeks", SLAB_TF_WEEKS},
                {"Months", SLAB_TF_MONTHS},   {"Years", SLAB_TF_YEARS}};
    for (size_t i = 0; s && i < sizeof rows / sizeof rows[0]; i++)
        if (strcmp(s, rows[i].name) == 0)
            return rows[i].tf;
    return (slab_timeframe)0;
}

/* Parses a reference date or datetime; a bare date gets backtrader's
 * session-end stamp, as daily bars do. Returns 0 or -1. */
static int parse_dt(const char *s, size_t len, int64_t *ts_ns)
{
    int has_time = 0;
    slab_error err;

    if (slab_time_parse(s, len, ts_ns, &has_time, &err) != SLAB_OK)
        return -1;
    if (!has_time)
        *ts_ns += SLAB_SESSION_END_NS;
    return 0;
}

/* Reads <run>_equity.csv (datetime,cash,value) into r. Returns 0 or -1. */
static int load_equity(run *r, const char *dir)
{
    char path[1280], *line = NULL;
    size_t cap = 0, n = 0, alloc = 0;
    FILE *f;
    int rc = -1;

    snprintf(path, sizeof path, "%s/%s_equity.csv", dir, r->name);
    if (!(f = fopen(path, "r"))) {
        print_message("%s: cannot open %s\n", r->name, path);
        return -1;
    }
    if (getline(&line, &cap, f) < 0) /* header */
        goto out;
    while (getline(&line, &cap, f) > 0) {
        char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (!c2)
            goto out;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 1024;
            r->ts_ns = realloc(r->ts_ns, alloc * sizeof *r->ts_ns);
            r->cash = realloc(r->cash, alloc * sizeof *r->cash);
            r->value = realloc(r->value, alloc * sizeof *r->value);
            assert_non_null(r->ts_ns);
            assert_non_null(r->cash);
            assert_non_null(r->value);
        }
        if (parse_dt(line, (size_t)(c1 - line), &r->ts_ns[n]) != 0) {
            print_message("%s: bad datetime on equity row %zu\n", r->name, n + 2);
            goto out;
        }
        r->cash[n] = strtod(c1 + 1, NULL);
        r->value[n] = strtod(c2 + 1, NULL);
        n++;
    }
    r->eq.n = n;
    r->eq.ts_ns = r->ts_ns;
    r->eq.value = r->value;
    r->eq.cash = r->cash;
    rc = n > 0 ? 0 : -1;
out:
    free(line);
    fclose(f);
    return rc;
}

/* Returns the number at obj[key] (integer or real), or NaN. */
static double num(json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

/* Fills t from one entry of the reference "trades" list. Returns 0 or -1. */
static int load_trade(json_t *j, slab_trade *t)
{
    const char *entry = json_string_value(json_object_get(j, "entry_dt"));
    const char *exit_dt = json_string_value(json_object_get(j, "exit_dt"));

    memset(t, 0, sizeof *t);
    if (!entry || !exit_dt || parse_dt(entry, strlen(entry), &t->entry_ts_ns) != 0 ||
        parse_dt(exit_dt, strlen(exit_dt), &t->exit_ts_ns) != 0)
        return -1;
    t->ref = (int64_t)num(j, "ref");
    t->is_long = json_is_true(json_object_get(j, "long"));
    t->entry_price = num(j, "entry_price");
    t->exit_price = num(j, "exit_price");
    t->size = num(j, "size");
    t->pnl = num(j, "pnl");
    t->pnlcomm = num(j, "pnlcomm");
    t->commission = num(j, "commission");
    t->barlen = json_integer_value(json_object_get(j, "barlen"));
    t->baropen = json_integer_value(json_object_get(j, "baropen"));
    t->barclose = json_integer_value(json_object_get(j, "barclose"));
    t->exit_reason = SLAB_EXIT_SIGNAL;
    return 0;
}

/* Builds r->trades: the closed trades in order, then one placeholder per
 * open trade counted by the reference tradeanalyzer. Returns 0 or -1. */
static int load_trades(run *r)
{
    json_t *list = json_object_get(r->doc, "trades");
    json_t *total = json_object_get(
        json_object_get(json_object_get(json_object_get(r->doc, "analyzers"), "tradeanalyzer"),
                        "total"),
        "open");
    size_t n_closed = json_array_size(list), n_open = (size_t)json_integer_value(total);

    r->n_trades = n_closed + n_open;
    r->trades = calloc(r->n_trades ? r->n_trades : 1, sizeof *r->trades);
    assert_non_null(r->trades);
    for (size_t i = 0; i < n_closed; i++)
        if (load_trade(json_array_get(list, i), &r->trades[i]) != 0) {
            print_message("%s: bad trade %zu\n", r->name, i);
            return -1;
        }
    for (size_t i = n_closed; i < r->n_trades; i++) {
        r->trades[i].ref = (int64_t)i + 1;
        r->trades[i].is_long = 1;
        r->trades[i].is_open = 1;
    }
    return 0;
}

/* Loads <dir>/<name>.json and its equity. Returns 0 or -1. */
static int run_load(run *r, const char *dir, const char *name)
{
    char path[1280];
    json_error_t jerr;
    json_t *meta;

    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(path, sizeof path, "%s/%s.json", dir, name);
    if (!(r->doc = json_load_file(path, 0, &jerr))) {
        print_message("%s: %s:%d: %s\n", name, path, jerr.line, jerr.text);
        return -1;
    }
    meta = json_object_get(r->doc, "meta");
    r->eq.timeframe = tf_from_name(json_string_value(json_object_get(meta, "timeframe")));
    r->eq.compression = (int)json_integer_value(json_object_get(meta, "compression"));
    r->eq.start_value = num(meta, "cash");
    if (!r->eq.timeframe || r->eq.compression < 1 || !isfinite(r->eq.start_value)) {
        print_message("%s: meta lacks timeframe, compression or cash\n", name);
        return -1;
    }
    if (load_equity(r, dir) != 0)
        return -1;
    return load_trades(r);
}

/* Releases everything r owns. */
static void run_free(run *r)
{
    json_decref(r->doc);
    free(r->ts_ns);
    free(r->value);
    free(r->cash);
    free(r->trades);
}

/* Mismatches found so far, over all runs. */
static int n_fail;

/* Prints one mismatch (the first MAX_REPORTS of them) and counts it. */
static void report(const char *run_name, const char *path, const char *what, json_t *got,
                   json_t *want)
{
    char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) : NULL;
    char *w = want ? json_dumps(want, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) : NULL;

    if (n_fail++ < MAX_REPORTS)
        print_message("%s: %s: %s: got %s, want %s\n", run_name, path, what, g ? g : "(absent)",
                      w ? w : "(absent)");
    free(g);
    free(w);
}

/* Compares got with the reference value want at path, recursively. */
static void compare(const char *run_name, const char *path, json_t *got, json_t *want)
{
    const char *key;
    json_t *v;
    char sub[512];

    if (json_is_string(want) && strcmp(json_string_value(want), "NaN") == 0) {
        if (!json_is_null(got))
            report(run_name, path, "NaN expected as null", got, want);
    } else if (json_is_null(want) || json_is_boolean(want)) {
        if (!got || json_typeof(got) != json_typeof(want))
            report(run_name, path, "different value", got, want);
    } else if (json_is_integer(want)) {
        if (!json_is_integer(got) || json_integer_value(got) != json_integer_value(want))
            report(run_name, path, "integers differ", got, want);
    } else if (json_is_real(want)) {
        if (!json_is_real(got) || !slab_test_same(json_real_value(got), json_real_value(want)))
            report(run_name, path, "reals differ", got, want);
    } else if (json_is_string(want)) {
        if (!json_is_string(got) || strcmp(json_string_value(got), json_string_value(want)) != 0)
            report(run_name, path, "strings differ", got, want);
    } else if (json_is_object(want)) {
        if (!json_is_object(got)) {
            report(run_name, path, "object expected", got, want);
            return;
        }
        json_object_foreach(want, key, v)
        {
            snprintf(sub, sizeof sub, "%s/%s", path, key);
            compare(run_name, sub, json_object_get(got, key), v);
        }
        json_object_foreach(got, key, v)
        {
            snprintf(sub, sizeof sub, "%s/%s", path, key);
            if (!json_object_get(want, key))
                report(run_name, sub, "key not in the reference", v, NULL);
        }
    } else {
        report(run_name, path, "unexpected reference type", got, want);
    }
}

/* Fails (counts) every <run>.json in dir that slab_refs_bt_runs lacks:
 * a reference nobody compares would make "every run matches" untrue. */
static void unlisted_runs(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char name[256];

    if (!d) {
        report("(all)", dir, "cannot list the reference directory", NULL, NULL);
        return;
    }
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 ||
            strcmp(e->d_name, "order_fill_cases.json") == 0)
            continue;
        snprintf(name, sizeof name, "%.*s", (int)(len - 5), e->d_name);
        if (slab_refs_find(slab_refs_bt_runs, SLAB_REFS_N_BT_RUNS, name) < 0)
            report(name, "", "reference run not in slab_refs_bt_runs (add it there)", NULL, NULL);
    }
    closedir(d);
}

/* Loads one run, computes its analyzers and compares them. */
static void check_run(const char *dir, const char *name)
{
    run r;
    slab_error err;
    json_t *got;

    if (run_load(&r, dir, name) != 0) {
        report(name, "", "could not load the reference run", NULL, NULL);
        run_free(&r);
        return;
    }
    got = slab_analyzers_json(&r.eq, r.trades, r.n_trades, &err);
    if (!got)
        print_message("%s: slab_analyzers_json: %s\n", name, err.msg);
    compare(name, "/analyzers", got, json_object_get(r.doc, "analyzers"));
    json_decref(got);
    run_free(&r);
}

static void every_reference_run(void **state)
{
    char dir[1024];

    (void)state;
    SLAB_REQUIRE_SHARED();
    slab_test_ref("reference/backtrader", dir, sizeof dir);
    for (size_t i = 0; i < SLAB_REFS_N_BT_RUNS; i++)
        check_run(dir, slab_refs_bt_runs[i]);
    unlisted_runs(dir);
    if (n_fail)
        fail_msg("%d analyzer values differ from backtrader's over %d runs", n_fail,
                 SLAB_REFS_N_BT_RUNS);
    print_message("%d reference runs: every analyzer value bit-identical\n", SLAB_REFS_N_BT_RUNS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_reference_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
