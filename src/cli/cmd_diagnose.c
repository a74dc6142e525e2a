/* cmd_diagnose.c: `stratlab diagnose RESULT.json --spec SPEC.json`: compares
 * a finished run with the paper's expected performance (seed 001 Phase 5),
 * triages zero-trade runs (Phase 5.5) and prints the Phase 6 table in
 * English or Chinese, or the DiagnosisReport document with --json. */
#include "cli.h"

#include "stratlab/diagnose.h"
#include "stratlab/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab diagnose RESULT.json [--spec SPEC.json] [--lang en|zh] [--json]\n\n"
            "Compares a result document (stratlab run ... --json) with the spec's\n"
            "expected_performance: status match (every expected metric within its\n"
            "threshold and at least one trade), partial_match or mismatch (none within,\n"
            "or no trade); each deviation with its size, the likely causes ranked (period,\n"
            "data source, costs, survivorship, signal logic, metric conventions, risk\n"
            "management) with what to try, and for a run without trades which condition\n"
            "never held and how close it came.\n\n"
            "  --spec FILE              the spec the run came from (its expectations)\n"
            "  --lang en|zh             language of the text and of status_text (default en)\n"
            "  --json                   print the DiagnosisReport document\n"
            "  --sharpe yearly|daily    compare the paper's Sharpe with backtrader's default\n"
            "                           (yearly returns, the default) or the daily annualized one\n"
            "  --tol-sharpe X           relative threshold (default 0.2 = 20%%)\n"
            "  --tol-annual-return X    relative threshold (default 0.2)\n"
            "  --tol-total-return X     relative threshold (default 0.2)\n"
            "  --tol-max-drawdown X     absolute, as a fraction (default 0.1 = 10 points)\n"
            "The spec's expected_performance.thresholds set thresholds too; flags win.\n"
            "Exit status: 0 diagnosed (whatever the status), 1 unreadable input, 2 usage.\n");
}

static int tol(const char *flag, const char *v, double *out)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !(x >= 0.0 && x <= 100.0))
        return cli_usage_error("diagnose", "%s expects a fraction >= 0 (0.2 means 20%%), got '%s'",
                               flag, v);
    *out = x;
    return 0;
}

int cmd_diagnose(int argc, char **argv)
{
    const char *path = NULL, *spec_path = NULL;
    int json = 0, rc;
    slab_diag_options opt;
    slab_diag_options_default(&opt);
    static const char *const tol_flags[SLAB_DX_N] = {"--tol-sharpe", "--tol-annual-return",
                                                     "--tol-max-drawdown", "--tol-total-return"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int k, done = 0;
        if (cli_is_help(a)) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        }
        if (a[0] != '-') {
            if (path)
                return cli_usage_error("diagnose", "give one result file (got '%s' and '%s')",
                                       path, a);
            path = a;
            continue;
        }
        if (!v)
            return cli_usage_error("diagnose", "%s needs a value", a);
        i++;
        for (k = 0; k < SLAB_DX_N; k++)
            if (!strcmp(a, tol_flags[k])) {
                if ((rc = tol(a, v, &opt.tol[k])))
                    return rc;
                opt.tol_given[k] = done = 1;
            }
        if (done)
            continue;
        if (!strcmp(a, "--spec"))
            spec_path = v;
        else if (!strcmp(a, "--lang")) {
            slab_error e;
            if (slab_lang_parse(v, &opt.lang, &e) != SLAB_OK)
                return cli_usage_error("diagnose", "--lang: %s", e.msg);
        } else if (!strcmp(a, "--sharpe")) {
            if (strcmp(v, "yearly") && strcmp(v, "daily"))
                return cli_usage_error("diagnose", "--sharpe is yearly or daily, got '%s'", v);
            opt.sharpe_daily = !strcmp(v, "daily");
        } else
            return cli_unknown_option("diagnose", a, usage);
    }
    if (!path)
        return cli_usage_error("diagnose",
                               "give the result file: stratlab diagnose result.json --spec spec.json");
    json_error_t jerr;
    json_t *result = json_load_file(path, 0, &jerr);
    if (!result) {
        fprintf(stderr, "stratlab: %s:%d:%d: %s (a result document comes from stratlab run ... "
                        "--json)\n",
                path, jerr.line, jerr.column, jerr.text);
        return 1;
    }
    slab_spec *spec = NULL;
    if (spec_path && (rc = cli_spec_open(spec_path, &spec))) {
        json_decref(result);
        return rc;
    }
    slab_error err;
    json_t *rep = slab_diagnose_json(result, spec, &opt, &err);
    if (!rep) {
        rc = cli_fail(&err);
        goto out;
    }
    const char *ran = json_string_value(json_object_get(json_object_get(result, "backtest"),
                                                        "spec_sha256"));
    if (spec && ran && strcmp(ran, slab_spec_sha256(spec))) {
        json_t *notes = json_array();
        json_array_append_new(notes, json_string("the result was run with another version of "
                                                 "the spec (its spec_sha256 differs)"));
        json_object_set_new(rep, "notes", notes);
        fprintf(stderr, "stratlab diagnose: note: %s was run with another version of %s "
                        "(spec_sha256 differs)\n",
                path, spec_path);
    }
    if (json) {
        json_dumpf(rep, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
        putchar('\n');
    } else {
        char *text = slab_diagnosis_text(rep, opt.lang);
        if (!text) {
            fprintf(stderr, "stratlab: out of memory\n");
            rc = 1;
            goto out;
        }
        fputs(text, stdout);
        slab_free(text);
    }
    rc = 0;
out:
    json_decref(rep);
    json_decref(result);
    slab_spec_free(spec);
    return rc;
}
