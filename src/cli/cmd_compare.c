/* cmd_compare.c: `stratlab compare A.json B.json ... [-o FILE.html] [--json]
 * [--lang zh]`: runs side by side (report.h): the statistics of each with
 * the best of each row marked, the settings that differ, and with -o the
 * page with their equity curves overlaid. Uses only the public headers. */
#include "cli.h"

#include "stratlab/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RUNS 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab compare A.json B.json [C.json ...] [-o FILE.html] [--json]\n"
            "                        [--lang en|zh]\n\n"
            "Result documents (stratlab run ... --json) side by side: every statistic of\n"
            "each run with the best of each row marked (higher return, Sharpe, ...; lower\n"
            "drawdown, volatility, ...), and the settings that differ between them (the\n"
            "strategy, data, period and every config item), which explain the rest.\n"
            "-o FILE.html also writes the page, with the equity curves overlaid (runs\n"
            "written with --series).\n\n"
            "  -o, --out FILE    write the HTML page\n"
            "  --json            print the comparison as JSON\n"
            "  --lang en|zh      language of the table and page (default en)\n"
            "At most %d runs. Exit status: 0 ok, 2 usage, 3 an unreadable or unusable\n"
            "document, 4 the page cannot be written.\n",
            MAX_RUNS);
}

int cmd_compare(int argc, char **argv)
{
    const char *paths[MAX_RUNS], *out = NULL;
    size_t n = 0;
    int json = 0, rc = 0;
    slab_lang lang = SLAB_LANG_EN;
    slab_error err;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a))
            return cli_help("compare", usage);
        if ((!strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "--lang")) && i + 1 >= argc)
            return cli_usage_error("compare", "%s needs a value", a);
        if (!strcmp(a, "-o") || !strcmp(a, "--out"))
            out = argv[++i];
        else if (!strcmp(a, "--json"))
            json = 1;
        else if (!strcmp(a, "--lang")) {
            if (slab_lang_parse(argv[++i], &lang, &err) != SLAB_OK)
                return cli_usage_error("compare", "--lang: %s", err.msg);
        } else if (a[0] == '-' && a[1])
            return cli_unknown_option("compare", a, usage);
        else if (n == MAX_RUNS)
            return cli_usage_error("compare", "at most %d result documents", MAX_RUNS);
        else
            paths[n++] = a;
    }
    if (n < 2)
        return cli_usage_error("compare", "give at least two result documents: stratlab compare "
                                          "a.json b.json");
    if (out) {
        const char *dot = strrchr(out, '.');
        if (!dot || (strcmp(dot, ".html") && strcmp(dot, ".htm")))
            return cli_usage_error("compare", "the comparison page must end in .html (got '%s')",
                                   out);
    }
    json_t *docs[MAX_RUNS] = {0}, *cmp = NULL;
    slab_series *series[MAX_RUNS] = {0};
    for (size_t r = 0; r < n; r++)
        if (slab_result_load(paths[r], &docs[r], &series[r], &err) != SLAB_OK) {
            rc = cli_fail(&err);
            goto done;
        }
    if (!(cmp = slab_compare_json((const json_t *const *)docs, paths, n, &err))) {
        rc = cli_fail(&err);
        goto done;
    }
    if (out) {
        char *html = NULL;
        size_t len = 0;
        if (slab_compare_html((const json_t *const *)docs, (const slab_series *const *)series,
                              paths, n, lang, &html, &len, &err) != SLAB_OK) {
            rc = cli_fail(&err);
            goto done;
        }
        FILE *f = fopen(out, "wb");
        int ok = f && fwrite(html, 1, len, f) == len;
        if (f && fclose(f) != 0)
            ok = 0;
        slab_free(html);
        if (!ok) {
            rc = cli_error(SLAB_EC_WRITE_FAILED, out, NULL, "cannot write the comparison page");
            goto done;
        }
    }
    if (json)
        rc = cli_print_json(cmp);
    else {
        char *text = slab_compare_text(cmp, lang);
        if (!text)
            rc = cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory");
        else
            fputs(text, stdout);
        slab_free(text);
    }
done:
    json_decref(cmp);
    for (size_t r = 0; r < n; r++) {
        json_decref(docs[r]);
        slab_series_free(series[r]);
    }
    return rc;
}
