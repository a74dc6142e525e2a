/* test_options.c: the run-option table (defaults, the command line, JSON
 * requests with pointer locations, the rules between options, the JSON
 * Schema), the error-code table and the "did you mean" suggestions. Every
 * invalid input is paired with its exact code, location and message. */
#include "slab_test.h"
#include "stratlab/core.h"
#include "stratlab/json.h"
#include "stratlab/options.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- defaults ---------------------------------------------------------------- */

static void defaults_are_the_reference_runs(void **state)
{
    (void)state;
    slab_run_options o;
    slab_run_options_init(&o);
    /* The backtrader reference runs' settings (../shared/reference/backtrader:
     * cash 100000, commission 0.001, PercentSizer 95). */
    assert_true(o.broker.cash == 100000.0);
    assert_true(o.broker.commission == 0.001);
    assert_int_equal(o.broker.sizer.kind, SLAB_SIZER_PERCENT);
    assert_true(o.broker.sizer.amount == 95.0);
    assert_int_equal(o.broker.comm_scheme, SLAB_COMM_PERCENT);
    assert_int_equal(o.csv.format, SLAB_CSV_AUTO);
    assert_int_equal(o.max_trades, 100);
    assert_true(o.from_ns == INT64_MIN && o.to_ns == INT64_MAX);
    assert_null(o.strategy);
    /* Every row's default goes through its own parser without error. */
    size_t n;
    const slab_opt_def *t = slab_run_options_table(&n);
    for (size_t i = 0; i < n; i++) {
        slab_error err;
        if (!t[i].def)
            continue;
        if (slab_run_options_set(&o, &t[i], 0, t[i].def, &err) != SLAB_OK)
            fail_msg("default of %s ('%s') is refused: %s", t[i].name, t[i].def, err.msg);
    }
}

static void table_rows_are_complete(void **state)
{
    (void)state;
    size_t n;
    const slab_opt_def *t = slab_run_options_table(&n);
    assert_true(n <= SLAB_RUN_OPTIONS_ROWS);
    for (size_t i = 0; i < n; i++) {
        char want[64];
        if (!t[i].name || !t[i].flag || !t[i].help || !t[i].group || !t[i].field)
            fail_msg("row %zu (%s) lacks a name, flag, help, group or field", i, t[i].name);
        if (t[i].type != SLAB_OPT_FLAG && !t[i].metavar)
            fail_msg("%s takes a value but has no metavar", t[i].name);
        if (t[i].type == SLAB_OPT_FORM && !t[i].set)
            fail_msg("%s is a FORM row without a set function", t[i].name);
        if (t[i].max_count < 1 || t[i].capacity < t[i].max_count)
            fail_msg("%s: max_count %d, capacity %d", t[i].name, t[i].max_count, t[i].capacity);
        if (slab_run_options_find(t[i].name) != &t[i] || slab_run_options_find(t[i].flag) != &t[i])
            fail_msg("%s is not found by its name and flag (a duplicate?)", t[i].name);
        /* Flags are the names with dashes, except the plural JSON keys. */
        snprintf(want, sizeof want, "--%s", t[i].name);
        for (char *c = want; *c; c++)
            if (*c == '_')
                *c = '-';
        if (strcmp(want, t[i].flag) && strcmp(t[i].name, "params") &&
            strcmp(t[i].name, "columns"))
            fail_msg("%s's flag is %s, want %s", t[i].name, t[i].flag, want);
    }
}

/* ---- the command line ---------------------------------------------------------- */

typedef struct args_case {
    const char *argv[12];
    slab_errcode code; /* SLAB_EC_NONE: accepted */
    const char *where;
    const char *msg; /* the exact message */
} args_case;

static void command_line(void **state)
{
    (void)state;
    static const args_case rows[] = {
        {{"run", "--cash", "5e4", "--commission=0"}, SLAB_EC_NONE, NULL, NULL},
        {{"run", "--comission", "0.1"},
         SLAB_EC_UNKNOWN_OPTION,
         "--comission",
         "unknown option '--comission'; did you mean --commission?"},
        {{"run", "--cash"}, SLAB_EC_MISSING_VALUE, "--cash", "--cash needs a value (X)"},
        {{"run", "--cash", "-5"},
         SLAB_EC_BAD_VALUE,
         "--cash",
         "--cash must be a number > 0 (cash units), got -5"},
        {{"run", "--cash", "lots"}, SLAB_EC_BAD_VALUE, "--cash", "--cash expects a number, got 'lots'"},
        {{"run", "--slippage-perc", "1"},
         SLAB_EC_BAD_VALUE,
         "--slippage-perc",
         "--slippage-perc must be a number in [0, 1) (fraction (0.001 = 0.1%)), got 1"},
        /* several feeds on one clock (issue 10) */
        {{"run", "--data", "a.csv", "--data", "QQQ=b.csv", "--symbol", "X", "--symbol", "Y"},
         SLAB_EC_NONE, NULL, NULL},
        {{"run", "--date", "2025-07-31"}, SLAB_EC_NONE, NULL, NULL},
        {{"run", "--date", "2025-07"}, SLAB_EC_BAD_VALUE, "--date",
         "--date expects one day as YYYY-MM-DD, got '2025-07'"},
        {{"run", "--stamp", "middle"}, SLAB_EC_BAD_VALUE, "--stamp",
         "--stamp is one of start|end, got 'middle'"},
        {{"run", "--commission-scheme", "per-share"},
         SLAB_EC_BAD_VALUE,
         "--commission-scheme",
         "--commission-scheme is one of percent|per_share|fixed, got 'per-share'"},
        {{"run", "--json=yes"}, SLAB_EC_BAD_VALUE, "--json", "--json takes no value, got '--json=yes'"},
        {{"run", "stray"},
         SLAB_EC_UNKNOWN_OPTION,
         "",
         "unexpected argument 'stray': options start with --"},
        {{"run", "--stop-loss", "2x"},
         SLAB_EC_BAD_VALUE,
         "--stop-loss",
         "--stop-loss '2x' is not valid: give 2% (percent of the entry fill, below 100%), "
         "1.5 (price distance), 2atr (ATR multiple) or @95.50 (a price), all > 0"},
        {{"run", "--col", "dat=Time"},
         SLAB_EC_BAD_VALUE,
         "--col",
         "--col: unknown column role 'dat': ROLE is date, time, open, high, low, close, volume or "
         "oi"},
        {{"run", "--from", "2010-13"},
         SLAB_EC_BAD_VALUE,
         "--from",
         "--from expects a date YYYY-MM-DD (or YYYY, YYYY-MM, YYYY-MM-DD HH:MM[:SS]), got "
         "'2010-13'"},
        {{"run", "--trades", "-1"}, SLAB_EC_BAD_VALUE, "--trades",
         "--trades expects a count >= 0 or 'all', got '-1'"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_run_options o;
        slab_error err;
        int argc = 0;
        while (rows[i].argv[argc])
            argc++;
        slab_run_options_init(&o);
        slab_status st = slab_run_options_parse_args(&o, argc, (char **)rows[i].argv, &err);
        if (rows[i].code == SLAB_EC_NONE) {
            if (st != SLAB_OK)
                fail_msg("row %zu refused: %s", i, err.msg);
            continue;
        }
        if (st == SLAB_OK)
            fail_msg("row %zu accepted, want %s", i, slab_errcode_name(rows[i].code));
        if (slab_error_code(&err) != rows[i].code || strcmp(err.where, rows[i].where) ||
            strcmp(err.msg, rows[i].msg))
            fail_msg("row %zu: got %s at '%s': %s\nwant %s at '%s': %s", i,
                     slab_errcode_name(slab_error_code(&err)), err.where, err.msg,
                     slab_errcode_name(rows[i].code), rows[i].where, rows[i].msg);
    }
}

static void command_line_values(void **state)
{
    (void)state;
    const char *argv[] = {"run",          "--strategy",   "sma_cross", "--data",
                          "x.csv",        "--cash=5e4",   "--param",   "fast=5",
                          "--param",      "slow=20",      "--from",    "2010",
                          "--to",         "2011-02",      "--slippage-fixed", "0.5",
                          "--no-slip-open", "--trades",   "all",       "--max-position",
                          "50%",          "--sizer",      "fixed:10",  "--format",
                          "btcsv",        "--col",        "date=When", NULL};
    int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
    slab_run_options o;
    slab_error err;
    slab_run_options_init(&o);
    assert_int_equal(slab_run_options_parse_args(&o, argc, (char **)argv, &err), SLAB_OK);
    assert_int_equal(slab_run_options_check(&o, &err), SLAB_OK);
    assert_string_equal(o.strategy, "sma_cross");
    assert_int_equal(o.n_data, 1);
    assert_true(o.broker.cash == 50000.0);
    assert_int_equal(o.n_params, 2);
    assert_string_equal(o.params[1], "slow=20");
    /* 2010 starts 2010-01-01 00:00; 2011-02 ends on 2011-02-28 at the last ns. */
    assert_true(o.from_ns == slab_days_from_civil(2010, 1, 1) * SLAB_NS_PER_DAY);
    assert_true(o.to_ns == slab_days_from_civil(2011, 3, 1) * SLAB_NS_PER_DAY - 1);
    /* Slippage given: slip_open off as asked, the others at backtrader's
     * defaults (match on, limit on, out off). */
    assert_int_equal(o.broker.slip_open, 0);
    assert_int_equal(o.broker.slip_match, 1);
    assert_int_equal(o.broker.slip_limit, 1);
    assert_int_equal(o.broker.slip_out, 0);
    assert_int_equal(o.max_trades, -1);
    assert_true(o.risk.max_position_pct == 50.0);
    assert_int_equal(o.broker.sizer.kind, SLAB_SIZER_FIXED);
    assert_int_equal(o.csv.format, SLAB_CSV_BTCSV);
    assert_string_equal(o.csv.col_date, "When");
}

/* ---- rules ------------------------------------------------------------------------- */

static void rules_between_options(void **state)
{
    (void)state;
    static const args_case rows[] = {
        {{"run", "--data", "a.csv"},
         SLAB_EC_MISSING_OPTION,
         "--strategy",
         "give one of --strategy NAME, --spec FILE or --script FILE.c (the built-ins: "
         "stratlab strategies)"},
        {{"run", "--strategy", "s"},
         SLAB_EC_MISSING_OPTION,
         "--data",
         "give exactly one of --data FILE or --symbol SYM"},
        {{"run", "--strategy", "s", "--data", "a", "--symbol", "B"},
         SLAB_EC_CONFLICTING_OPTIONS,
         "--symbol",
         "give exactly one of --data FILE or --symbol SYM, not both"},
        {{"run", "--strategy", "s", "--data", "a", "--from", "2010", "--to", "2005"},
         SLAB_EC_REVERSED_RANGE,
         "--from",
         "the range is reversed: --from 2010 is after --to 2005"},
        {{"run", "--strategy", "s", "--data", "a", "--commission", "1"},
         SLAB_EC_BAD_VALUE,
         "--commission",
         "--commission is a fraction in [0, 1) with the percent scheme: 0.001 means 0.1%"},
        {{"run", "--strategy", "s", "--data", "a", "--no-slip-match"},
         SLAB_EC_CONFLICTING_OPTIONS,
         "--slip-match",
         "--no-slip-match needs --slippage-perc or --slippage-fixed"},
        {{"run", "--strategy", "s", "--data", "a", "--cheat-on-close", "--cheat-on-open"},
         SLAB_EC_CONFLICTING_OPTIONS,
         "--cheat-on-open",
         "give one of --cheat-on-close or --cheat-on-open"},
        {{"run", "--strategy", "s", "--data", "a", "--maintenance-margin", "0.2"},
         SLAB_EC_CONFLICTING_OPTIONS,
         "--maintenance-margin",
         "--maintenance-margin needs --margin-call"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_run_options o;
        slab_error err;
        int argc = 0;
        while (rows[i].argv[argc])
            argc++;
        slab_run_options_init(&o);
        if (slab_run_options_parse_args(&o, argc, (char **)rows[i].argv, &err) != SLAB_OK)
            fail_msg("row %zu: parse failed: %s", i, err.msg);
        if (slab_run_options_check(&o, &err) == SLAB_OK)
            fail_msg("row %zu accepted", i);
        if (slab_error_code(&err) != rows[i].code || strcmp(err.where, rows[i].where) ||
            strcmp(err.msg, rows[i].msg))
            fail_msg("row %zu: got %s at '%s': %s\nwant %s at '%s': %s", i,
                     slab_errcode_name(slab_error_code(&err)), err.where, err.msg,
                     slab_errcode_name(rows[i].code), rows[i].where, rows[i].msg);
    }
    /* The reversed range's fix says how to swap it. */
    const char *argv[] = {"run", "--strategy", "s", "--data", "a", "--from", "2010", "--to", "2005"};
    slab_run_options o;
    slab_error err;
    slab_run_options_init(&o);
    slab_run_options_parse_args(&o, 9, (char **)argv, &err);
    slab_run_options_check(&o, &err);
    assert_string_equal(slab_error_fix_text(&err), "swap them: --from 2005 --to 2010");
}

/* ---- JSON requests -------------------------------------------------------------- */

typedef struct json_case {
    const char *json;
    const char *prefix;
    slab_errcode code;
    const char *pointer;
    const char *msg;
} json_case;

static void json_requests(void **state)
{
    (void)state;
    static const json_case rows[] = {
        {"{\"cash\": \"lots\"}", "", SLAB_EC_BAD_VALUE, "/cash",
         "cash must be a number, got a string"},
        {"{\"cash\": 0}", "", SLAB_EC_BAD_VALUE, "/cash",
         "cash must be a number > 0 (cash units), got 0"},
        {"{\"comission\": 0.1}", "", SLAB_EC_UNKNOWN_OPTION, "/comission",
         "unknown option 'comission'; did you mean commission?"},
        {"{\"db\": \"x.db\"}", "", SLAB_EC_UNKNOWN_OPTION, "/db",
         "'db' is a command-line option; a request cannot set it"},
        {"{\"params\": {\"fast\": [1]}}", "/run", SLAB_EC_BAD_VALUE, "/run/params/fast",
         "params must be a string or a number, got an array"},
        {"{\"data\": [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\", "
         "\"10\", \"11\", \"12\", \"13\", \"14\", \"15\", \"16\", \"17\"]}",
         "", SLAB_EC_REPEATED_OPTION, "/data/16", "data given more than 16 times"},
        {"{\"data\": [\"a.csv\", 5]}", "", SLAB_EC_BAD_VALUE, "/data/1",
         "data must be a string, got a number"},
        {"{\"stop_loss\": \"2x\"}", "", SLAB_EC_BAD_VALUE, "/stop_loss",
         "stop_loss '2x' is not valid: give 2% (percent of the entry fill, below 100%), 1.5 (price "
         "distance), 2atr (ATR multiple) or @95.50 (a price), all > 0"},
        {"{\"pessimistic\": 1}", "", SLAB_EC_BAD_VALUE, "/pessimistic",
         "pessimistic must be true or false, got a number"},
        {"[1]", "/run", SLAB_EC_BAD_VALUE, "/run", "run options must be a JSON object, got an array"},
        /* Every problem is collected; the first gives the code and location. */
        {"{\"cash\": -1, \"sizer\": \"kelly\"}", "", SLAB_EC_BAD_VALUE, "/cash",
         "2 problems: /cash: cash must be a number > 0 (cash units), got -1; /sizer: sizer: unknown "
         "sizer 'kelly'; use percent:95, percent_int:95 or fixed:N"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        slab_run_options o;
        slab_error err;
        json_error_t je;
        json_t *j = json_loads(rows[i].json, JSON_DECODE_ANY, &je);
        assert_non_null(j);
        slab_run_options_init(&o);
        slab_status st = slab_run_options_apply_json(&o, j, rows[i].prefix, &err);
        if (st == SLAB_OK)
            fail_msg("row %zu accepted", i);
        if (slab_error_code(&err) != rows[i].code || err.where_kind != SLAB_WHERE_POINTER ||
            strcmp(err.where, rows[i].pointer) || strcmp(err.msg, rows[i].msg))
            fail_msg("row %zu: got %s at '%s': %s\nwant %s at '%s': %s", i,
                     slab_errcode_name(slab_error_code(&err)), err.where, err.msg,
                     slab_errcode_name(rows[i].code), rows[i].pointer, rows[i].msg);
        json_decref(j);
    }
}

static void json_request_values(void **state)
{
    (void)state;
    const char *text = "{\"strategy\": \"sma_cross\", \"data\": \"x.csv\", \"cash\": 50000,"
                       " \"params\": {\"fast\": 5, \"slow\": 20.5, \"flag\": true},"
                       " \"sizer\": \"fixed:10\", \"stop_loss\": 1.5, \"take_profit\": \"2%\","
                       " \"slippage_perc\": 0.001, \"slip_open\": false, \"trades\": 7,"
                       " \"columns\": {\"date\": \"When\"}, \"from\": \"2010-05-03\"}";
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    slab_run_options o;
    slab_error err;
    slab_run_options_init(&o);
    if (slab_run_options_apply_json(&o, j, "", &err) != SLAB_OK)
        fail_msg("refused: %s: %s", err.where, err.msg);
    assert_int_equal(slab_run_options_check(&o, &err), SLAB_OK);
    assert_true(o.broker.cash == 50000.0);
    assert_int_equal(o.n_params, 3);
    assert_string_equal(o.params[0], "fast=5");
    assert_string_equal(o.params[1], "slow=20.5");
    assert_string_equal(o.params[2], "flag=true");
    assert_int_equal(o.risk.stop_loss.kind, SLAB_RISK_AMOUNT);
    assert_true(o.risk.stop_loss.value == 1.5);
    assert_int_equal(o.risk.take_profit.kind, SLAB_RISK_PERCENT);
    assert_int_equal(o.broker.slip_open, 0);
    assert_int_equal(o.broker.slip_match, 1);
    assert_int_equal(o.max_trades, 7);
    assert_string_equal(o.csv.col_date, "When");
    assert_int_equal(slab_run_options_given(&o, slab_run_options_find("cash")), 2);
    assert_int_equal(slab_run_options_given(&o, slab_run_options_find("commission")), 0);
    /* A flag after JSON replaces a repeatable option's JSON values. */
    const char *argv[] = {"run", "--data", "y.csv"};
    assert_int_equal(slab_run_options_parse_args(&o, 3, (char **)argv, &err), SLAB_OK);
    assert_int_equal(o.n_data, 1);
    assert_string_equal(o.data[0], "y.csv");
    json_decref(j);
}

static void json_schema(void **state)
{
    (void)state;
    json_t *s = slab_run_options_schema();
    json_t *props = json_object_get(s, "properties");
    size_t n;
    const slab_opt_def *t = slab_run_options_table(&n);
    assert_string_equal(json_string_value(json_object_get(s, "type")), "object");
    assert_true(json_is_false(json_object_get(s, "additionalProperties")));
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_object_get(props, t[i].name);
        if ((t[i].flags & SLAB_OPT_CLI_ONLY) ? p != NULL : p == NULL)
            fail_msg("%s: in the schema iff it is not command-line only", t[i].name);
    }
    json_t *cash = json_object_get(props, "cash");
    assert_true(json_real_value(json_object_get(cash, "default")) == 100000.0);
    assert_true(json_real_value(json_object_get(cash, "exclusiveMinimum")) == 0.0);
    assert_string_equal(json_string_value(json_object_get(json_object_get(props, "sizer"),
                                                          "default")),
                        "percent:95");
    json_t *fmt = json_object_get(json_object_get(props, "format"), "enum");
    assert_int_equal(json_array_size(fmt), 4);
    json_decref(s);
}

/* ---- errors and suggestions ------------------------------------------------------ */

static void error_code_table(void **state)
{
    (void)state;
    size_t n;
    const slab_errcode_def *t = slab_errcode_table(&n);
    assert_int_equal(n, SLAB_EC_COUNT);
    for (size_t i = 0; i < n; i++) {
        if (t[i].code != (slab_errcode)i || !t[i].name || !t[i].summary || !t[i].fix)
            fail_msg("code %zu has no complete row", i);
        if (i && (slab_errcode_find(t[i].name) != (slab_errcode)i || !t[i].fix[0]))
            fail_msg("code %s is not found by name, or has no fix", t[i].name);
        for (const char *c = t[i].name; *c; c++)
            if (!((*c >= 'a' && *c <= 'z') || *c == '_'))
                fail_msg("code name %s is not snake_case", t[i].name);
    }
    /* The examples, and their exit statuses. */
    assert_int_equal(slab_errcode_find("unknown_strategy"), SLAB_EC_UNKNOWN_STRATEGY);
    assert_int_equal(slab_errcode_find("bad_csv_row"), SLAB_EC_BAD_CSV_ROW);
    assert_int_equal(slab_errclass_exit(slab_errcode_get(SLAB_EC_BAD_PARAM)->klass), 2);
    assert_int_equal(slab_errclass_exit(slab_errcode_get(SLAB_EC_BAD_CSV_ROW)->klass), 3);
    assert_int_equal(slab_errclass_exit(slab_errcode_get(SLAB_EC_MARGIN_ALL_REJECTED)->klass), 1);
    assert_int_equal(slab_errclass_exit(slab_errcode_get(SLAB_EC_WRITE_FAILED)->klass), 4);
    assert_int_equal(slab_errclass_exit(slab_errcode_get(SLAB_EC_INTERNAL_ERROR)->klass), 5);
}

static void error_record_and_json(void **state)
{
    (void)state;
    slab_error err;
    /* Legacy callers: the status's generic code, where read as an option
     * when it starts with "--". */
    slab_error_set(&err, SLAB_EIO, "--out", "cannot write");
    assert_int_equal(slab_error_code(&err), SLAB_EC_IO_ERROR);
    assert_int_equal(err.where_kind, SLAB_WHERE_OPTION);
    slab_error_fail(&err, SLAB_EC_BAD_CSV_ROW, NULL, "bad close 'abc': expected a number");
    assert_int_equal(err.code, SLAB_EPARSE);
    slab_error_at_file(&err, "d/bars.csv", 12, 5);
    assert_string_equal(err.where, "d/bars.csv:12:5");
    json_t *j = slab_error_json(&err);
    char *text = slab_json_dumps(j, JSON_COMPACT);
    assert_string_equal(text,
                        "{\"code\":\"bad_csv_row\",\"class\":\"data\",\"status\":\"parse error\","
                        "\"message\":\"bad close 'abc': expected a number\",\"where\":"
                        "\"d/bars.csv:12:5\",\"file\":\"d/bars.csv\",\"line\":12,\"column\":5,"
                        "\"fix\":\"correct the row, or pass --skip-bad-rows to `data import` to "
                        "skip and count such rows\"}");
    slab_free(text);
    json_decref(j);
    /* Suggestions go into the record and the document. */
    static const char *const names[] = {"fast", "slow", "stop_loss_pct"};
    slab_error_fail(&err, SLAB_EC_UNKNOWN_PARAM, "--param", "no parameter 'fsat'");
    assert_string_equal(slab_error_suggest(&err, "fsat", names, 3), "fast");
    slab_error_at_pointer(&err, "/params/fsat");
    j = slab_error_json(&err);
    text = slab_json_dumps(j, JSON_COMPACT);
    assert_non_null(strstr(text, "\"pointer\":\"/params/fsat\""));
    assert_non_null(strstr(text, "\"did_you_mean\":\"fast\",\"choices\":[\"fast\",\"slow\","
                                 "\"stop_loss_pct\"]"));
    slab_free(text);
    json_decref(j);
}

/* A message or location quoting bytes that are not UTF-8 (a request's
 * method, a file name) keeps its place in the document, those bytes shown
 * as \xNN (fuzz_http found a 405 whose message had vanished: jansson
 * refuses a string that is not UTF-8). */
static void error_json_not_utf8(void **state)
{
    (void)state;
    slab_error err;
    slab_error_fail(&err, SLAB_EC_METHOD_NOT_ALLOWED, NULL,
                    "\xe3\xe3GET is not allowed on /api/health (allowed: GET)");
    slab_error_fix(&err, "use \xff");
    slab_error_at_file(&err, "d/\xff\xfe.csv", 3, 1);
    json_t *j = slab_error_json(&err);
    char *text = slab_json_dumps(j, JSON_COMPACT);
    assert_non_null(strstr(text, "\"message\":\"\\\\xE3\\\\xE3GET is not allowed on /api/health "
                                 "(allowed: GET)\""));
    assert_non_null(strstr(text, "\"fix\":\"use \\\\xFF\""));
    assert_non_null(strstr(text, "\"file\":\"d/\\\\xFF\\\\xFE.csv\""));
    slab_free(text);
    json_decref(j);
}

static void suggestions(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        size_t d;
    } dist[] = {
        {"fsat", "fast", 1},          /* one swap */
        {"--comission", "--commission", 1},
        {"sma_crss", "sma_cross", 1},
        {"RSI", "rsi", 0},            /* case-insensitive */
        {"kitten", "sitting", 3},
        {"", "abc", 3},
    };
    for (size_t i = 0; i < sizeof dist / sizeof dist[0]; i++)
        if (slab_edit_distance(dist[i].a, dist[i].b) != dist[i].d)
            fail_msg("distance(%s, %s) = %zu, want %zu", dist[i].a, dist[i].b,
                     slab_edit_distance(dist[i].a, dist[i].b), dist[i].d);
    static const char *const names[] = {"fast", "slow", "stop_loss_pct", "take_profit_pct"};
    assert_string_equal(slab_suggest("fsat", names, 4), "fast");
    assert_string_equal(slab_suggest("slw", names, 4), "slow");
    assert_string_equal(slab_suggest("take", names, 4), "take_profit_pct"); /* a prefix */
    assert_null(slab_suggest("zzzz", names, 4));
    assert_null(slab_suggest("s", names, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_the_reference_runs),
        cmocka_unit_test(table_rows_are_complete),
        cmocka_unit_test(command_line),
        cmocka_unit_test(command_line_values),
        cmocka_unit_test(rules_between_options),
        cmocka_unit_test(json_requests),
        cmocka_unit_test(json_request_values),
        cmocka_unit_test(json_schema),
        cmocka_unit_test(error_code_table),
        cmocka_unit_test(error_record_and_json),
        cmocka_unit_test(error_json_not_utf8),
        cmocka_unit_test(suggestions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
