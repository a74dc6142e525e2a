/* cmd_report.c: `stratlab report RESULT.json -o FILE.html|FILE.svg|FILE.png
 * [--chart NAME] [--lang en|zh]`: the HTML report of a saved result
 * document, or one chart as SVG or PNG (report.h); and cli_report_write,
 * which `run --report` shares. The output kind comes from the file's
 * extension. Uses only the public headers. */
#include "cli.h"

#include "stratlab/report.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: stratlab report RESULT.json -o FILE.html|FILE.svg|FILE.png\n"
        "                       [--chart price|equity|drawdown|returns|trades|excursions|sharpe]\n"
        "                       [--lang en|zh]\n\n"
        "Draws a result document (stratlab run ... --json; '-' reads stdin): FILE.html is one\n"
        "self-contained page (no network: charts are inline SVG) with the run's\n"
        "configuration, data hash and run id, the summary, the statistics with their\n"
        "conventions, price with entries and exits, equity against buy and hold,\n"
        "drawdown, monthly returns, trade P&L, MFE/MAE, rolling Sharpe, the trades and\n"
        "the order log; FILE.svg or FILE.png is one chart (--chart, default equity).\n"
        "The charts of prices and values need the document's series (runs up to 10000\n"
        "bars have it, longer ones with run --series); without it a document gets the\n"
        "trade charts and the tables.\n"
        "stratlab run ... --report FILE.html writes the same from a run.\n\n"
        "  -o, --out FILE    the file to write; its extension picks the format\n"
        "  --chart NAME      the chart of an .svg or .png (default equity)\n"
        "  --lang en|zh      language of every text (default en)\n"
        "Exit status: 0 written, 2 usage, 3 unreadable or unusable document,\n"
        "4 the file cannot be written.\n");
}

/* The extension of path after its last dot ("" when none). */
static const char *ext_of(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    return dot && (!slash || dot > slash) ? dot + 1 : "";
}

static int write_bytes(const char *path, const char *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(s, 1, n, f) != n) {
        if (f)
            fclose(f);
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot write the report");
    }
    if (fclose(f) != 0)
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot write the report");
    return 0;
}

int cli_report_check_path(const char *path)
{
    const char *ext = ext_of(path);
    if (strcmp(ext, "html") && strcmp(ext, "htm") && strcmp(ext, "svg") && strcmp(ext, "png"))
        return cli_usage_error(cli_command,
                               "the report file must end in .html, .svg or .png "
                               "(got '%s')",
                               path);
    return 0;
}

int cli_report_write(const json_t *doc, const slab_series *series, const char *path,
                     const char *chart_name, slab_lang lang)
{
    slab_error err;
    slab_chart chart = SLAB_CHART_EQUITY;
    const char *ext = ext_of(path);
    char *out = NULL;
    size_t len = 0;
    slab_status st;
    int rc, html = !strcmp(ext, "html") || !strcmp(ext, "htm");
    if ((rc = cli_report_check_path(path)))
        return rc;
    if (chart_name && html)
        return cli_usage_error(cli_command, "--chart picks the chart of an .svg or .png; an "
                                            ".html report has every chart");
    if (chart_name && slab_chart_parse(chart_name, &chart, &err) != SLAB_OK)
        return cli_fail(&err);
    if (!strcmp(ext, "png")) {
        st = slab_report_png(doc, series, chart, lang, path, &err);
        slab_report_release_fonts(); /* one PNG a process: nothing for a leak checker */
    }
    else if (html)
        st = slab_report_html(doc, series, lang, &out, &len, &err);
    else
        st = slab_report_svg(doc, series, chart, lang, &out, &len, &err);
    if (st != SLAB_OK)
        return cli_fail(&err);
    rc = out ? write_bytes(path, out, len) : 0;
    slab_free(out);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *chart = NULL;
    slab_lang lang = SLAB_LANG_EN;
    slab_error err;
    int rc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a))
            return cli_help("report", usage);
        int takes = !strcmp(a, "-o") || !strcmp(a, "--out") || !strcmp(a, "--chart") ||
                    !strcmp(a, "--lang");
        if (takes && i + 1 >= argc)
            return cli_usage_error("report", "%s needs a value", a);
        if (!strcmp(a, "-o") || !strcmp(a, "--out"))
            out = argv[++i];
        else if (!strcmp(a, "--chart"))
            chart = argv[++i];
        else if (!strcmp(a, "--lang")) {
            if (slab_lang_parse(argv[++i], &lang, &err) != SLAB_OK)
                return cli_usage_error("report", "--lang: %s", err.msg);
        } else if (!strcmp(a, "--json"))
            continue; /* errors as JSON documents (main sets cli_json) */
        else if (a[0] == '-' && a[1])
            return cli_unknown_option("report", a, usage);
        else if (path)
            return cli_usage_error("report", "give one result file (got '%s' and '%s')", path, a);
        else
            path = a;
    }
    if (!path || !out)
        return cli_usage_error("report", "give the result file and the output: stratlab report "
                                         "result.json -o report.html");
    json_t *doc;
    slab_series *series;
    if ((rc = cli_report_check_path(out)))
        return rc;
    if (slab_result_load(path, &doc, &series, &err) != SLAB_OK)
        return cli_fail(&err);
    rc = cli_report_write(doc, series, out, chart, lang);
    slab_series_free(series);
    json_decref(doc);
    return rc;
}
