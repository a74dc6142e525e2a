/* test_script_cli.c: `run --script` and `executions` as a user meets them:
 * the script's document is the built-in's document plus `execution` (every
 * other field equal, source "script"); limits outside their documented
 * ranges are usage errors naming the range; a missing file says so; the
 * run hint line picks the data; --compare runs each value and each equals
 * the built-in run with that parameter; --param reaches the script and
 * bad values come back as strategy_error; --equity works; the execution
 * log lists each run with seed 000's fields. */
#include "slab_test.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char tmp[1024], data[1200], script[1200];
static const char *cli;

typedef struct outcome {
    char *out, *err;
    int rc;
    json_t *doc;
} outcome;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 1 << 22);
    if (f && buf) {
        size_t n = fread(buf, 1, (1 << 22) - 1, f);
        buf[n] = '\0';
    }
    if (f)
        fclose(f);
    return buf;
}

/* Runs `stratlab <args>` (words separated by spaces). */
static void cli_run(const char *args, outcome *r)
{
    char words[4096], o[1300], e[1300], *argv[64];
    int n = 0, st;
    pid_t pid;
    posix_spawn_file_actions_t fa;
    snprintf(words, sizeof words, "%s", args);
    argv[n++] = (char *)cli;
    for (char *save = NULL, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
        argv[n++] = w;
    argv[n] = NULL;
    snprintf(o, sizeof o, "%s/out", tmp);
    snprintf(e, sizeof e, "%s/err", tmp);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_int_equal(posix_spawn(&pid, cli, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    r->rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = slurp(o);
    r->err = slurp(e);
    r->doc = json_loads(r->out, 0, NULL);
}

static void clear(outcome *r)
{
    free(r->out);
    free(r->err);
    json_decref(r->doc);
    memset(r, 0, sizeof *r);
}

static double final_value(json_t *doc)
{
    return json_number_value(json_object_get(json_object_get(doc, "final"), "value"));
}

static int setup(void **state)
{
    outcome r = {0};
    char args[4096], dir[1300];
    (void)state;
    cli = getenv("SLAB_CLI");
    const char *src = getenv("SLAB_SOURCE_DIR");
    if (!cli || !src)
        return -1;
    snprintf(tmp, sizeof tmp, "%s/script_cli", slab_test_tmpdir());
    mkdir(tmp, 0755);
    snprintf(dir, sizeof dir, "%s/state", tmp);
    setenv("STRATLAB_SCRIPT_DIR", dir, 1);
    snprintf(dir, sizeof dir, "%s/store.db", tmp);
    unlink(dir);
    setenv("STRATLAB_DB", dir, 1);
    snprintf(data, sizeof data, "%s/bars.csv", tmp);
    snprintf(script, sizeof script, "%s/tests/scripts/parity/sma_cross.c", src);
    snprintf(args, sizeof args, "data sample --symbol SAMPLE --bars 500 --seed 5 --out %s", data);
    cli_run(args, &r);
    int ok = r.rc == 0;
    clear(&r);
    snprintf(args, sizeof args, "data import %s --symbol SAMPLE", data);
    cli_run(args, &r);
    ok &= r.rc == 0;
    clear(&r);
    return ok ? 0 : -1;
}

/* The same document as the built-in's, plus execution. */
static void test_same_document(void **state)
{
    (void)state;
    outcome b = {0}, s = {0};
    char args[4096];
    snprintf(args, sizeof args, "run --strategy sma_cross --data %s --json --orders", data);
    cli_run(args, &b);
    snprintf(args, sizeof args, "run --script %s --data %s --json --orders", script, data);
    cli_run(args, &s);
    assert_int_equal(b.rc, 0);
    assert_int_equal(s.rc, 0);
    assert_non_null(b.doc);
    assert_non_null(s.doc);
    json_t *ex = json_object_get(s.doc, "execution");
    assert_string_equal(json_string_value(json_object_get(ex, "status")), "ok");
    static const char *const keys[] = {"id", "status", "compile_ms", "run_ms", "wall_ms",
                                       "cpu_ms", "max_rss_kb", "cached"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        assert_non_null(json_object_get(ex, keys[k]));
    assert_true(json_is_boolean(json_object_get(ex, "cached")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(s.doc, "backtest"),
                                                          "source")),
                        "script");
    /* Everything but the execution and the source must be equal. */
    json_object_del(s.doc, "execution");
    json_object_del(b.doc, "execution");
    json_object_set_new(json_object_get(s.doc, "backtest"), "source", json_string("builtin"));
    if (!json_equal(s.doc, b.doc)) {
        const char *key;
        json_t *v;
        json_object_foreach(b.doc, key, v) if (!json_equal(v, json_object_get(s.doc, key)))
            print_message("differs: %s\n", key);
        fail_msg("the script's document differs from the built-in's");
    }
    clear(&b);
    clear(&s);
}

static void expect_usage(const char *extra, const char *text)
{
    outcome r = {0};
    char args[4096];
    snprintf(args, sizeof args, "run --script %s --data %s %s", script, data, extra);
    cli_run(args, &r);
    if (r.rc != 2 || !strstr(r.err, text))
        fail_msg("%s: rc %d, stderr %s (want 2 and '%s')", extra, r.rc, r.err, text);
    clear(&r);
}

static void test_limits(void **state)
{
    (void)state;
    expect_usage("--timeout 0", "--timeout 0 is outside 0.1..600 seconds");
    expect_usage("--timeout 601", "--timeout 601 is outside 0.1..600 seconds");
    expect_usage("--memory 8", "--memory 8 is outside 16..16384 MiB");
    expect_usage("--output-limit 100", "--output-limit 100 is outside 1024..268435456 bytes");
    expect_usage("--timeout abc", "--timeout expects a number, got 'abc'");
    expect_usage("--compare fast", "--compare expects name=v1,v2,..., got 'fast'");
    outcome r = {0};
    char args[4096];
    snprintf(args, sizeof args, "run --script %s/nope.c --data %s", tmp, data);
    cli_run(args, &r);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "nope.c: No such file or directory"));
    clear(&r);
    snprintf(args, sizeof args, "run --strategy sma_cross --script %s --data %s", script, data);
    cli_run(args, &r);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "give one of --strategy NAME, --spec FILE or --script FILE.c"));
    clear(&r);
}

/* A copy of the script with hint lines prepended. */
static void write_hinted(const char *path, const char *hint)
{
    char *src = slurp(script);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n%s", hint, src);
    fclose(f);
    free(src);
}

static void test_hint_and_params(void **state)
{
    (void)state;
    outcome a = {0}, b = {0};
    char args[4096], hinted[1300];
    snprintf(hinted, sizeof hinted, "%s/hinted.c", tmp);
    write_hinted(hinted, "//! stratlab run: --symbol SAMPLE --timeframe 1d");
    snprintf(args, sizeof args, "run --script %s --json --param fast=5", hinted);
    cli_run(args, &a);
    snprintf(args, sizeof args, "run --strategy sma_cross --symbol SAMPLE --json --param fast=5");
    cli_run(args, &b);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, 0);
    assert_true(final_value(a.doc) == final_value(b.doc));
    clear(&a);
    clear(&b);
    write_hinted(hinted, "//! stratlab run: --symbol SAMPLE; rm -rf /");
    snprintf(args, sizeof args, "run --script %s", hinted);
    cli_run(args, &a);
    assert_int_equal(a.rc, 1);
    assert_non_null(strstr(a.err, "line 1: malformed stratlab hint"));
    clear(&a);
    snprintf(args, sizeof args, "run --script %s --data %s --json --param fast=abc", script, data);
    cli_run(args, &a);
    assert_int_not_equal(a.rc, 0);
    assert_string_equal(json_string_value(json_object_get(a.doc, "status")), "strategy_error");
    assert_non_null(strstr(json_string_value(json_object_get(a.doc, "detail")),
                           "fast=abc is not a number"));
    clear(&a);
    /* --equity needs the cash curve from the sandbox: one row per bar. */
    char eq[1300];
    snprintf(eq, sizeof eq, "%s/eq.csv", tmp);
    snprintf(args, sizeof args, "run --script %s --data %s --equity %s", script, data, eq);
    cli_run(args, &a);
    assert_int_equal(a.rc, 0);
    char *text = slurp(eq);
    size_t lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 501); /* header + 500 bars */
    free(text);
    clear(&a);
}

static void test_compare(void **state)
{
    (void)state;
    outcome c = {0}, b = {0};
    char args[4096];
    snprintf(args, sizeof args, "run --script %s --data %s --json --compare fast=5,12", script,
             data);
    cli_run(args, &c);
    assert_int_equal(c.rc, 0);
    json_t *runs = json_object_get(json_object_get(c.doc, "comparison"), "runs");
    assert_int_equal(json_array_size(runs), 2);
    static const int fast[2] = {5, 12};
    for (int k = 0; k < 2; k++) {
        snprintf(args, sizeof args, "run --strategy sma_cross --data %s --json --param fast=%d",
                 data, fast[k]);
        cli_run(args, &b);
        json_t *row = json_array_get(runs, (size_t)k);
        assert_true(json_number_value(json_object_get(row, "value")) == fast[k]);
        assert_true(json_number_value(json_object_get(row, "final_value")) == final_value(b.doc));
        clear(&b);
    }
    clear(&c);
}

static void test_execution_log(void **state)
{
    (void)state;
    outcome r = {0}, l = {0};
    char args[4096];
    snprintf(args, sizeof args, "run --script %s --data %s --json", script, data);
    cli_run(args, &r);
    assert_int_equal(r.rc, 0);
    char id[64];
    const char *idp = json_string_value(json_object_get(json_object_get(r.doc, "execution"), "id"));
    assert_non_null(idp);
    snprintf(id, sizeof id, "%s", idp);
    snprintf(args, sizeof args, "executions --json --id %s", id);
    cli_run(args, &l);
    assert_int_equal(l.rc, 0);
    json_t *rec = json_array_get(l.doc, 0);
    assert_non_null(rec);
    static const char *const seed_fields[] = {"id",     "template", "parameters", "success",
                                              "executionTime", "stdout", "stderr", "error",
                                              "createdAt"};
    for (size_t k = 0; k < sizeof seed_fields / sizeof seed_fields[0]; k++)
        if (!json_object_get(rec, seed_fields[k]))
            fail_msg("the log lacks %s", seed_fields[k]);
    assert_string_equal(json_string_value(json_object_get(rec, "id")), id);
    assert_true(json_is_true(json_object_get(rec, "success")));
    assert_true(json_is_null(json_object_get(rec, "error")));
    assert_true(json_number_value(json_object_get(rec, "executionTime")) > 0.0);
    assert_string_equal(json_string_value(json_object_get(rec, "strategy")), "sma_cross");
    clear(&r);
    clear(&l);
    cli_run("executions", &l);
    assert_int_equal(l.rc, 0);
    assert_non_null(strstr(l.out, id));
    clear(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_document), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_hint_and_params), cmocka_unit_test(test_compare),
        cmocka_unit_test(test_execution_log),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
