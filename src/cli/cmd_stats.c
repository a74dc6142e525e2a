/* cmd_stats.c: `stratlab stats RESULT.json [--json] [--lang zh]`: the
 * statistics block of a saved result document (stats.h), as a table or as
 * the "stats" object. Uses only the public headers. */
#include "cli.h"

#include "stratlab/report.h"
#include "stratlab/stats.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab stats RESULT.json [--json] [--lang en|zh]\n\n"
            "The statistics block of a result document (stratlab run ... --json): start,\n"
            "end, exposure, return and buy & hold, CAGR, volatility, Sharpe, Sortino,\n"
            "Calmar, drawdowns and their durations, trade statistics, profit factor,\n"
            "expectancy, SQN and the Kelly fraction, each with its convention (--json\n"
            "prints the \"stats\" object with its \"conventions\").\n\n"
            "  --json          print the statistics object\n"
            "  --lang en|zh    language of the table (default en)\n"
            "Exit status: 0 ok, 1 a document without statistics, 2 usage, 3 unreadable input.\n");
}

int cmd_stats(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0, rc;
    slab_lang lang = SLAB_LANG_EN;
    slab_error err;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a))
            return cli_help("stats", usage);
        if (!strcmp(a, "--json"))
            json = 1;
        else if (!strcmp(a, "--lang")) {
            if (i + 1 >= argc)
                return cli_usage_error("stats", "--lang needs a value (en or zh)");
            if (slab_lang_parse(argv[++i], &lang, &err) != SLAB_OK)
                return cli_usage_error("stats", "--lang: %s", err.msg);
        } else if (a[0] == '-' && a[1])
            return cli_unknown_option("stats", a, usage);
        else if (path)
            return cli_usage_error("stats", "give one result file (got '%s' and '%s')", path, a);
        else
            path = a;
    }
    if (!path)
        return cli_usage_error("stats", "give the result file: stratlab stats result.json");
    json_t *doc, *st;
    slab_series *series;
    if (slab_result_load(path, &doc, &series, &err) != SLAB_OK)
        return cli_fail(&err);
    slab_series_free(series);
    if (!(st = slab_stats_from_document(doc, &err))) {
        if (err.code != SLAB_ENOMEM)
            slab_error_at_file(&err, path, 0, 0);
        json_decref(doc);
        return cli_fail(&err);
    }
    json_decref(doc);
    if (json) {
        rc = cli_print_json(st);
    } else {
        char *text = slab_stats_text(st, lang);
        rc = text ? (fputs(text, stdout), 0)
                  : cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory");
        slab_free(text);
    }
    json_decref(st);
    return rc;
}
