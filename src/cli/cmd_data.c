/* cmd_data.c: `stratlab data import|list|sample|synth`: CSV files into the store,
 * what the store holds, deterministic sample data (into the store or a
 * CSV file). Uses only the public headers; every failure is printed once,
 * with its location, by cli_fail(). */
#include "cli.h"

#include "stratlab/data.h"
#include "stratlab/json.h"
#include "stratlab/store.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_COLS 8                /* --col mappings accepted */
#define SAMPLE_BARS 2520          /* default sample size: ten years of days */
#define SAMPLE_SEED 42            /* default seed */
#define SAMPLE_START "2015-01-02" /* default first day */
#define HELP_SHOWN (-1)
#define EXCHANGE_TZ "America/New_York" /* stored times are its wall clock */           /* parse_opts: --help was printed */

/* One option of a subcommand: a flag (sets *flag) or a value (*value, or
 * appended to many[] when repeatable). */
typedef struct opt {
    const char *name;   /* "--symbol" */
    const char **value; /* where a value goes, or NULL for a flag */
    int *flag;          /* set to 1 by a flag */
    const char **many;  /* repeatable values, MAX_COLS slots */
    size_t *n_many;     /* values in many[] */
} opt;

/* Fails with unknown_option for a (len bytes), suggesting the closest of
 * opts (--json is accepted by every subcommand). */
static int unknown_option(const char *cmd, const char *a, size_t len, const opt *opts,
                          size_t n_opts)
{
    const char *names[16];
    char word[128], fix[160];
    size_t n = 0;
    slab_error err;
    for (size_t k = 0; k < n_opts && n < 15; k++)
        names[n++] = opts[k].name;
    names[n++] = "--json";
    snprintf(word, sizeof word, "%.*s", (int)(len < sizeof word ? len : sizeof word - 1), a);
    cli_command = cmd;
    slab_error_fail(&err, SLAB_EC_UNKNOWN_OPTION, NULL, "unknown option '%s'", word);
    slab_error_at_option(&err, word);
    const char *best = slab_error_suggest(&err, word, names, n);
    if (best) {
        size_t l = strlen(err.msg);
        snprintf(err.msg + l, sizeof err.msg - l, "; did you mean %s?", best);
    }
    snprintf(fix, sizeof fix, "%s%s%severy option: stratlab %s --help", best ? "use " : "",
             best ? best : "", best ? " (" : "", cmd);
    slab_error_fix(&err, "%s%s", fix, best ? ")" : "");
    return cli_fail(&err);
}

/* Parses argv[1..] against opts; plain words go to pos[] (at most
 * max_pos). Returns 0, HELP_SHOWN after printing help, or 2 after a usage
 * error. "--name=value" and "--name value" are both accepted; --json is
 * accepted everywhere (main has seen it). */
static int parse_opts(const char *cmd, int argc, char **argv, const opt *opts, size_t n_opts,
                      const char **pos, int max_pos, int *n_pos, void (*help)(FILE *))
{
    *n_pos = 0;
    cli_command = cmd;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        size_t len = eq && a[0] == '-' ? (size_t)(eq - a) : strlen(a);
        size_t k = 0;
        if (cli_is_help(a)) {
            cli_help(cmd, help);
            return HELP_SHOWN;
        }
        if (!strcmp(a, "--json"))
            continue;
        if (a[0] != '-' || !a[1]) {
            if (*n_pos == max_pos)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            pos[(*n_pos)++] = a;
            continue;
        }
        while (k < n_opts && (strlen(opts[k].name) != len || strncmp(opts[k].name, a, len)))
            k++;
        if (k == n_opts)
            return unknown_option(cmd, a, len, opts, n_opts);
        if (opts[k].flag) {
            *opts[k].flag = 1;
            continue;
        }
        const char *v = eq && a[0] == '-' ? eq + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v)
            return cli_error(SLAB_EC_MISSING_VALUE, opts[k].name, NULL, "%s needs a value",
                             opts[k].name);
        if (opts[k].many && *opts[k].n_many == MAX_COLS)
            return cli_usage_error(cmd, "too many %s (limit %d)", opts[k].name, MAX_COLS);
        if (opts[k].many)
            opts[k].many[(*opts[k].n_many)++] = v;
        else
            *opts[k].value = v;
    }
    return 0;
}

/* Opens the store named by --db (or the default) for command cmd: to
 * write it (created with its folders when absent) or only to read it
 * (never created); prints failures. */
static int open_store(const char *cmd, const char *db_flag, int write, char *path, size_t n,
                      slab_store **s)
{
    slab_error err;
    if (!cli_db_path(cmd, db_flag, path, n))
        return 2;
    if (write)
        cli_db_mkdirs(path);
    if ((write ? slab_store_open(path, s, &err) : slab_store_open_read(path, s, &err)) != SLAB_OK)
        return cli_fail(&err);
    return 0;
}

/* The JSON of a completed import or sample. */
static json_t *imported_json(const slab_bars *b, const char *symbol, int inferred,
                             const char *what, size_t replaced, const char *db)
{
    char tf[16], t1[40], t2[40];
    json_t *o = json_object();
    json_object_set_new(o, "symbol", json_string(symbol));
    json_object_set_new(o, "timeframe",
                        json_string(slab_timeframe_format(b->timeframe, b->compression, tf,
                                                          sizeof tf)));
    json_object_set_new(o, "timeframe_inferred", json_boolean(inferred));
    json_object_set_new(o, "bars", json_integer((json_int_t)b->n));
    json_object_set_new(o, "first", json_string(slab_bars_format_time(b->ts_ns[0], t1, sizeof t1)));
    json_object_set_new(o, "last",
                        json_string(slab_bars_format_time(b->ts_ns[b->n - 1], t2, sizeof t2)));
    json_object_set_new(o, "source", json_string(what));
    json_object_set_new(o, "sha256", b->sha256[0] ? json_string(b->sha256) : json_null());
    json_object_set_new(o, "replaced", json_integer((json_int_t)replaced));
    json_object_set_new(o, "store", json_string(db));
    return o;
}

/* Prints the summary of a completed import or sample. */
static void print_imported(const char *verb, const slab_bars *b, const char *symbol, int inferred,
                           const char *what, size_t replaced, const char *db)
{
    char tf[16], t1[40], t2[40];
    printf("%s %s %s%s: %zu bars, %s .. %s\n", verb, symbol,
           slab_timeframe_format(b->timeframe, b->compression, tf, sizeof tf),
           inferred ? " (inferred)" : "", b->n, slab_bars_format_time(b->ts_ns[0], t1, sizeof t1),
           slab_bars_format_time(b->ts_ns[b->n - 1], t2, sizeof t2));
    printf("  source   %s\n", what);
    if (b->sha256[0])
        printf("  sha256   %s\n", b->sha256);
    printf("  replaced %zu stored bars\n", replaced);
    printf("  store    %s\n", db);
}

/* ---- import ---------------------------------------------------------------- */

/* Prints `data import --help`. */
static void import_help(FILE *out)
{
    fprintf(out, "usage: stratlab data import FILE --symbol SYM [options]\n\n"
           "  --symbol SYM          name to store the bars under (required)\n"
           "  --timeframe TF        1m, 5m, 1h, 1d, 1w, 1mo ... (default: inferred)\n"
           "  --format FMT          auto (default), yahoo, btcsv or generic\n"
           "  --yahoo-adjust        Yahoo files: backtrader's adjusted, rounded prices\n"
           "                        (YahooFinanceCSVData defaults); default: raw prices\n"
           "  --skip-bad-rows       skip malformed or inconsistent rows; the count and the\n"
           "                        first one's problem are printed\n"
           "  --col ROLE=NAME       generic files: the header name of a column; ROLE is\n"
           "                        date, time, open, high, low, close, volume or oi\n"
           "  --stamp start|end     intraday files: what a bar's time marks (default start);\n"
           "                        end-stamped bars are stored at their start\n"
           "  --tz ZONE             the zone of the file's times (default %s, the\n"
           "                        exchange's); others are converted to it (tzdata names:\n"
           "                        UTC, Europe/London, ...)\n"
           "  --db PATH             store path (default $STRATLAB_DB or the user data dir)\n"
           "  --json                print what was imported as JSON (errors too)\n\n"
           "Fields are separated by commas, or semicolons (detected from the header).\n"
           "Re-importing a symbol and timeframe replaces its bars (never duplicates);\n"
           "a failed import leaves the store as it was. The store keeps exchange time\n"
           "(US equities: %s) with intraday bars stamped at their start.\n",
           EXCHANGE_TZ, EXCHANGE_TZ);
}

/* Converts b's naive times from zone to the exchange's wall clock, through
 * the system's tzdata (TZ is set for the conversion and restored). Daily
 * bars keep their dates. Prints failures. */
static int convert_zone(slab_bars *b, const char *zone)
{
    char tzfile[512];
    if (!strcmp(zone, EXCHANGE_TZ) || b->timeframe >= SLAB_TF_DAYS)
        return 0;
    snprintf(tzfile, sizeof tzfile, "/usr/share/zoneinfo/%s", zone);
    if (strstr(zone, "..") || access(tzfile, R_OK) != 0)
        return cli_error(SLAB_EC_BAD_VALUE, "--tz", "give a tzdata name such as UTC or "
                                                    "Europe/London",
                         "unknown time zone '%s'", zone);
    const char *old = getenv("TZ");
    char saved[256] = "";
    if (old)
        snprintf(saved, sizeof saved, "%s", old);
    for (size_t i = 0; i < b->n; i++) {
        int64_t sec = b->ts_ns[i] / SLAB_NS_PER_SEC, frac = b->ts_ns[i] % SLAB_NS_PER_SEC;
        time_t t = (time_t)sec;
        struct tm tm;
        gmtime_r(&t, &tm); /* the naive wall clock, as fields */
        setenv("TZ", zone, 1);
        tzset();
        tm.tm_isdst = -1;
        time_t utc = mktime(&tm);
        setenv("TZ", EXCHANGE_TZ, 1);
        tzset();
        struct tm ex;
        localtime_r(&utc, &ex);
        b->ts_ns[i] = (int64_t)timegm(&ex) * SLAB_NS_PER_SEC + frac;
    }
    if (old)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    for (size_t i = 1; i < b->n; i++)
        if (b->ts_ns[i] <= b->ts_ns[i - 1])
            return cli_error(SLAB_EC_BAD_VALUE, "--tz", "import the file with its own zone",
                             "in %s, bars %zu and %zu fall on the same time or go back (a "
                             "daylight-saving change)",
                             EXCHANGE_TZ, i - 1, i);
    return 0;
}

/* --stamp end: moves intraday bars to their start (one bar earlier). */
static int restamp(slab_bars *b, const char *stamp)
{
    if (!stamp || !strcmp(stamp, "start"))
        return 0;
    if (strcmp(stamp, "end"))
        return cli_error(SLAB_EC_BAD_VALUE, "--stamp", NULL, "--stamp is start or end, got '%s'",
                         stamp);
    int64_t unit = b->timeframe == SLAB_TF_MINUTES   ? 60 * SLAB_NS_PER_SEC
                   : b->timeframe == SLAB_TF_SECONDS ? SLAB_NS_PER_SEC
                                                     : 0;
    for (size_t i = 0; unit && i < b->n; i++)
        b->ts_ns[i] -= unit * b->compression;
    return 0;
}

/* Applies --col ROLE=NAME mappings to the CSV options. */
static int map_cols(const char **cols, size_t n, slab_csv_options *o)
{
    static const char *roles[] = {"date", "time", "open", "high", "low", "close", "volume", "oi"};
    const char **slot[] = {&o->col_date, &o->col_time,  &o->col_open,   &o->col_high,
                           &o->col_low,  &o->col_close, &o->col_volume, &o->col_oi};
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(cols[i], '=');
        size_t k = 0, len = eq ? (size_t)(eq - cols[i]) : 0;
        while (k < 8 && (strlen(roles[k]) != len || strncmp(roles[k], cols[i], len)))
            k++;
        if (!eq || k == 8 || !eq[1])
            return cli_error(SLAB_EC_BAD_VALUE, "--col", NULL,
                             "--col expects ROLE=NAME with ROLE one of date, time, open, "
                             "high, low, close, volume, oi; got '%s'",
                             cols[i]);
        *slot[k] = eq + 1;
    }
    return 0;
}

/* Builds the CSV options from the import flags. */
static int csv_options(const char *format, int adjust, int skip, const char **cols, size_t n_cols,
                       slab_csv_options *o)
{
    slab_error err;
    memset(o, 0, sizeof *o);
    if (format && slab_csv_format_parse(format, &o->format, &err) != SLAB_OK)
        return cli_usage_error("data import", "--format: %s", err.msg);
    o->yahoo_adjust = adjust;
    o->skip_bad_rows = skip;
    return map_cols(cols, n_cols, o);
}

/* Loads FILE with the import's options; prints failures. */
static int load_file(const char *file, const slab_csv_options *o, const char *timeframe,
                     slab_bars **b, slab_load_report *rep)
{
    slab_error err;
    if (slab_csv_load(file, o, b, rep, &err) != SLAB_OK)
        return cli_fail(&err);
    if (timeframe &&
        slab_timeframe_parse(timeframe, &(*b)->timeframe, &(*b)->compression, &err) != SLAB_OK) {
        slab_bars_free(*b);
        *b = NULL;
        return cli_usage_error("data import", "--timeframe: %s", err.msg);
    }
    return 0;
}

/* Prints what the loader dropped, if anything. */
static void print_drops(const slab_load_report *rep)
{
    printf("  rows     %zu read, %zu loaded, %zu skipped", rep->rows_read, rep->rows_loaded,
           rep->rows_skipped);
    if (rep->rows_null)
        printf(", %zu with 'null' dropped (as backtrader does)", rep->rows_null);
    printf("\n");
    if (rep->rows_skipped)
        printf("skipped %zu bad row%s (--skip-bad-rows); the first: %s\n", rep->rows_skipped,
               rep->rows_skipped == 1 ? "" : "s", rep->first_skip);
}

/* The loader's counts as JSON. */
static json_t *drops_json(const slab_load_report *rep)
{
    json_t *o = json_object();
    json_object_set_new(o, "read", json_integer((json_int_t)rep->rows_read));
    json_object_set_new(o, "loaded", json_integer((json_int_t)rep->rows_loaded));
    json_object_set_new(o, "skipped", json_integer((json_int_t)rep->rows_skipped));
    json_object_set_new(o, "null_dropped", json_integer((json_int_t)rep->rows_null));
    json_object_set_new(o, "first_skipped",
                        rep->rows_skipped ? json_string(rep->first_skip) : json_null());
    return o;
}

/* `stratlab data import FILE --symbol SYM ...`: load, check, store. */
static int data_import(int argc, char **argv)
{
    const char *pos[1], *symbol = NULL, *tf = NULL, *format = NULL, *db = NULL, *cols[MAX_COLS];
    const char *stamp = NULL, *zone = EXCHANGE_TZ;
    int n_pos, adjust = 0, skip = 0, json = cli_json, rc;
    size_t n_cols = 0, replaced = 0;
    const opt opts[] = {
        {"--symbol", &symbol, NULL, NULL, NULL},       {"--timeframe", &tf, NULL, NULL, NULL},
        {"--format", &format, NULL, NULL, NULL},       {"--db", &db, NULL, NULL, NULL},
        {"--yahoo-adjust", NULL, &adjust, NULL, NULL}, {"--skip-bad-rows", NULL, &skip, NULL, NULL},
        {"--col", NULL, NULL, cols, &n_cols},          {"--stamp", &stamp, NULL, NULL, NULL},
        {"--tz", &zone, NULL, NULL, NULL},
    };
    slab_csv_options copt;
    slab_load_report rep;
    slab_bars *b = NULL;
    slab_store *s = NULL;
    slab_error err;
    char path[1024], source[PATH_MAX], how[64], what[PATH_MAX + 80];

    if ((rc = parse_opts("data import", argc, argv, opts, sizeof opts / sizeof opts[0], pos, 1,
                         &n_pos, import_help)))
        return rc == HELP_SHOWN ? 0 : rc;
    if (n_pos != 1)
        return cli_error(SLAB_EC_MISSING_OPTION, NULL, "stratlab data import FILE --symbol SYM",
                         "give the CSV file to import");
    if (!symbol)
        return cli_error(SLAB_EC_MISSING_OPTION, "--symbol", "add --symbol SYM (e.g. --symbol ORCL)",
                         "--symbol is required");
    if ((rc = csv_options(format, adjust, skip, cols, n_cols, &copt)) ||
        (rc = load_file(pos[0], &copt, tf, &b, &rep)) || (rc = restamp(b, stamp)) ||
        (rc = convert_zone(b, zone)) ||
        (rc = open_store("data import", db, 1, path, sizeof path, &s)))
        goto out;
    if (!realpath(pos[0], source)) /* the path as given when it cannot be resolved */
        snprintf(source, sizeof source, "%s", pos[0]);
    snprintf(how, sizeof how, "%s%s", slab_csv_format_name(rep.format),
             rep.format == SLAB_CSV_YAHOO ? (adjust ? " adjusted" : " raw") : "");
    slab_import_info info = {source, b->sha256, how};
    if (slab_store_import(s, b, symbol, NULL, &info, &replaced, &err) != SLAB_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    snprintf(what, sizeof what, "%s (%s)", source, how);
    if (json) {
        json_t *doc = imported_json(b, symbol, !tf, what, replaced, path);
        json_object_set_new(doc, "format", json_string(how));
        json_object_set_new(doc, "rows", drops_json(&rep));
        rc = cli_print_json(doc);
        json_decref(doc);
    } else {
        print_imported("imported", b, symbol, !tf, what, replaced, path);
        print_drops(&rep);
    }
out:
    slab_store_close(s);
    slab_bars_free(b);
    return rc;
}

/* ---- list -------------------------------------------------------------------- */

/* Prints `data list --help`. */
static void list_help(FILE *out)
{
    fprintf(out, "usage: stratlab data list [--db PATH] [--json]\n\n"
           "Lists every stored symbol and timeframe: bar count, first and last bar, and\n"
           "the file it was imported from.\n");
}

/* UTC ISO 8601 of a Unix time in seconds. */
static const char *utc_text(int64_t secs, char *buf, size_t n)
{
    time_t t = (time_t)secs;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(buf, n, "?");
    return buf;
}

/* Prints the listing as one JSON document: {"store": ..., "series": [...]}. */
static int print_list_json(const char *db, const slab_store_entry *e, size_t n)
{
    json_t *doc = json_object(), *arr = json_array();
    char t1[40], t2[40], t3[40];
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "symbol", json_string(e[i].symbol));
        json_object_set_new(o, "timeframe", json_string(e[i].timeframe));
        json_object_set_new(o, "bars", json_integer((json_int_t)e[i].n_bars));
        json_object_set_new(o, "first",
                            json_string(slab_bars_format_time(e[i].first_ts_ns, t1, sizeof t1)));
        json_object_set_new(o, "last",
                            json_string(slab_bars_format_time(e[i].last_ts_ns, t2, sizeof t2)));
        json_object_set_new(o, "first_ts_ns", json_integer(e[i].first_ts_ns));
        json_object_set_new(o, "last_ts_ns", json_integer(e[i].last_ts_ns));
        json_object_set_new(o, "source", json_string(e[i].source));
        json_object_set_new(o, "loaded_as", json_string(e[i].loaded_as));
        json_object_set_new(o, "sha256", json_string(e[i].sha256));
        json_object_set_new(o, "imported_at",
                            json_string(utc_text(e[i].imported_at, t3, sizeof t3)));
        json_array_append_new(arr, o);
    }
    json_object_set_new(doc, "store", json_string(db));
    json_object_set_new(doc, "series", arr);
    int rc = cli_print_json(doc);
    json_decref(doc);
    return rc;
}

/* Prints the listing as an aligned table. */
static int print_list_text(const char *db, const slab_store_entry *e, size_t n)
{
    char t1[40], t2[40];
    int ws = 6, wt = 9;
    if (n == 0) {
        printf("the store %s is empty; import with: stratlab data import FILE --symbol SYM\n", db);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int a = (int)strlen(e[i].symbol), b = (int)strlen(e[i].timeframe);
        ws = a > ws ? a : ws;
        wt = b > wt ? b : wt;
    }
    printf("%-*s  %-*s  %9s  %-19s  %-19s  %s\n", ws, "SYMBOL", wt, "TIMEFRAME", "BARS", "FIRST",
           "LAST", "SOURCE");
    for (size_t i = 0; i < n; i++)
        printf("%-*s  %-*s  %9zu  %-19s  %-19s  %s%s%s%s\n", ws, e[i].symbol, wt, e[i].timeframe,
               e[i].n_bars, slab_bars_format_time(e[i].first_ts_ns, t1, sizeof t1),
               slab_bars_format_time(e[i].last_ts_ns, t2, sizeof t2), e[i].source,
               e[i].loaded_as[0] ? " (" : "", e[i].loaded_as, e[i].loaded_as[0] ? ")" : "");
    printf("(store: %s)\n", db);
    return 0;
}

/* `stratlab data list [--json]`. */
static int data_list(int argc, char **argv)
{
    const char *db = NULL;
    int json = cli_json, n_pos, rc;
    const opt opts[] = {{"--db", &db, NULL, NULL, NULL}};
    slab_store *s = NULL;
    slab_store_entry *e = NULL;
    size_t n = 0;
    slab_error err;
    char path[1024];

    if ((rc = parse_opts("data list", argc, argv, opts, 1, NULL, 0, &n_pos, list_help)))
        return rc == HELP_SHOWN ? 0 : rc;
    if ((rc = open_store("data list", db, 0, path, sizeof path, &s)))
        return rc;
    if (slab_store_list(s, &e, &n, &err) != SLAB_OK)
        rc = cli_fail(&err);
    else
        rc = json ? print_list_json(path, e, n) : print_list_text(path, e, n);
    slab_free(e);
    slab_store_close(s);
    return rc;
}

/* ---- sample ------------------------------------------------------------------ */

/* Prints `data sample --help`. */
static void sample_help(FILE *out)
{
    fprintf(out, "usage: stratlab data sample [options]\n\n"
           "  --symbol SYM          name in the store (default SAMPLE)\n"
           "  --bars N              number of bars (default %d)\n"
           "  --seed S              random seed (default %d); the same seed gives the same\n"
           "                        bars on every machine\n"
           "  --timeframe TF        1d (default), 1w, 1mo, or intraday (1m, 5m, 1h, 30s):\n"
           "                        09:30-16:00 sessions on weekdays\n"
           "  --start DATE          first day, YYYY-MM-DD (default %s)\n"
           "  --db PATH             store path (default $STRATLAB_DB or the user data dir)\n"
           "  --out FILE.csv        write a backtrader-style CSV file instead of storing\n"
           "  --json                print what was made as JSON (errors too)\n",
           SAMPLE_BARS, SAMPLE_SEED, SAMPLE_START);
}

/* Parses a positive whole number flag value. */
static int whole(const char *flag, const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    if (!s) /* not given: keep the default */
        return 0;
    *out = strtoull(s, &end, 10);
    if (s[0] == '-' || end == s || *end || *out > max)
        return cli_usage_error("data sample", "%s expects a whole number up to %llu, got '%s'",
                               flag, max, s);
    return 0;
}

/* Generates the sample series the flags describe; prints failures. */
static int make_sample(const char *bars_s, const char *seed_s, const char *tf_s,
                       const char *start_s, unsigned long long *seed, slab_bars **b)
{
    unsigned long long n = SAMPLE_BARS;
    slab_timeframe tf = SLAB_TF_DAYS;
    int comp = 1, rc, has_time;
    int64_t start;
    slab_error err;

    *seed = SAMPLE_SEED;
    if ((rc = whole("--bars", bars_s, 100000000ULL, &n)) ||
        (rc = whole("--seed", seed_s, ULLONG_MAX, seed)))
        return rc;
    if (n == 0)
        return cli_usage_error("data sample", "--bars must be at least 1");
    if (tf_s && slab_timeframe_parse(tf_s, &tf, &comp, &err) != SLAB_OK)
        return cli_usage_error("data sample", "--timeframe: %s", err.msg);
    slab_status st = slab_time_parse(start_s, strlen(start_s), &start, &has_time, &err);
    if (st == SLAB_ERANGE)
        return cli_usage_error("data sample", "--start: %s", err.msg);
    if (st != SLAB_OK || has_time)
        return cli_usage_error("data sample", "--start expects YYYY-MM-DD, got '%s'", start_s);
    if (slab_sample_generate(*seed, (size_t)n, tf, comp, slab_ts_day(start), b, &err) != SLAB_OK)
        return cli_fail(&err);
    return 0;
}

/* Stores the sample under symbol, recording how it was made. */
static int store_sample(const char *db, const char *symbol, slab_bars *b, unsigned long long seed,
                        int json)
{
    char path[1024], source[160], tf[16], t1[40];
    slab_store *s = NULL;
    slab_error err;
    size_t replaced = 0;
    int rc;

    if ((rc = open_store("data sample", db, 1, path, sizeof path, &s)))
        return rc;
    snprintf(source, sizeof source, "sample:seed=%llu,bars=%zu,timeframe=%s,start=%s", seed, b->n,
             slab_timeframe_format(b->timeframe, b->compression, tf, sizeof tf),
             slab_bars_format_time(b->ts_ns[0], t1, sizeof t1));
    b->sha256[0] = '\0';
    slab_import_info info = {source, "", "sample"};
    if (slab_store_import(s, b, symbol, NULL, &info, &replaced, &err) != SLAB_OK) {
        rc = cli_fail(&err);
    } else if (json) {
        json_t *doc = imported_json(b, symbol, 0, source, replaced, path);
        json_object_set_new(doc, "seed", json_integer((json_int_t)seed));
        rc = cli_print_json(doc);
        json_decref(doc);
    } else {
        print_imported("stored sample", b, symbol, 0, source, replaced, path);
    }
    slab_store_close(s);
    return rc;
}

/* `stratlab data sample ...`: generate, then store or write a CSV file. */
static int data_sample(int argc, char **argv)
{
    const char *symbol = "SAMPLE", *bars = NULL, *seed_s = NULL, *tf = NULL;
    const char *start = SAMPLE_START, *db = NULL, *out = NULL;
    const opt opts[] = {
        {"--symbol", &symbol, NULL, NULL, NULL}, {"--bars", &bars, NULL, NULL, NULL},
        {"--seed", &seed_s, NULL, NULL, NULL},   {"--timeframe", &tf, NULL, NULL, NULL},
        {"--start", &start, NULL, NULL, NULL},   {"--db", &db, NULL, NULL, NULL},
        {"--out", &out, NULL, NULL, NULL},
    };
    unsigned long long seed;
    slab_bars *b = NULL;
    slab_error err;
    char tfb[16];
    int n_pos, json = cli_json, rc;

    if ((rc = parse_opts("data sample", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0,
                         &n_pos, sample_help)))
        return rc == HELP_SHOWN ? 0 : rc;
    if (db && out)
        return cli_error(SLAB_EC_CONFLICTING_OPTIONS, "--out", NULL,
                         "give --db PATH or --out FILE, not both");
    if ((rc = make_sample(bars, seed_s, tf, start, &seed, &b)))
        return rc;
    if (!out) {
        rc = store_sample(db, symbol, b, seed, json);
    } else if (slab_csv_write(b, out, &err) != SLAB_OK) {
        slab_error_set_code(&err, SLAB_EC_WRITE_FAILED);
        rc = cli_fail(&err);
    } else if (json) {
        char t1[40], t2[40];
        json_t *doc = json_pack(
            "{s:s,s:i,s:s,s:s,s:s,s:I}", "file", out, "bars", (int)b->n, "timeframe",
            slab_timeframe_format(b->timeframe, b->compression, tfb, sizeof tfb), "first",
            slab_bars_format_time(b->ts_ns[0], t1, sizeof t1), "last",
            slab_bars_format_time(b->ts_ns[b->n - 1], t2, sizeof t2), "seed", (json_int_t)seed);
        rc = cli_print_json(doc);
        json_decref(doc);
    } else {
        printf("wrote %zu bars of sample %s (seed %llu) to %s\n", b->n,
               slab_timeframe_format(b->timeframe, b->compression, tfb, sizeof tfb), seed, out);
    }
    slab_bars_free(b);
    return rc;
}

/* ---- synth ------------------------------------------------------------------ */

#define SYNTH_SEED 42

static void synth_help(FILE *out)
{
    fprintf(out,
            "usage: stratlab data synth --symbol SYM [--symbol SYM ...] --from DATE --to DATE\n"
            "                           [options]\n\n"
            "Realistic synthetic markets, minute by minute over NYSE sessions (09:30-16:00,\n"
            "weekdays, the exchange holidays left out): a market index with trends and gaps,\n"
            "stocks correlated with it (each its own beta, trend, noise and news gaps), a\n"
            "U-shaped intraday volume, prices in cents. Deterministic: the same seed, dates\n"
            "and symbol give the same bars, whichever other symbols are made. Every run on\n"
            "these bars says it ran on synthetic data.\n\n"
            "  --symbol SYM          a symbol to make (repeatable, up to %d)\n"
            "  --from DATE           first day, YYYY-MM-DD\n"
            "  --to DATE             last day, YYYY-MM-DD\n"
            "  --timeframe TF        1m (default), 5m, 15m, 30m, 1h or 1d; bars are stamped at\n"
            "                        their start (run --stamp start)\n"
            "  --index SYM           the symbol that is the market index (default: QQQ, SPY,\n"
            "                        IWM, DIA or VTI when one is made)\n"
            "  --seed S              random seed (default %d)\n"
            "  --db PATH             store path (default $STRATLAB_DB or the user data dir)\n"
            "  --out DIR             write DIR/SYM.csv files instead of storing\n"
            "  --json                print what was made as JSON (errors too)\n",
            MAX_COLS, SYNTH_SEED);
}

/* A --from/--to day for data synth; prints failures. */
static int synth_day(const char *flag, const char *s, int64_t *day)
{
    int64_t ts;
    int has_time;
    slab_error err;
    if (!s)
        return cli_error(SLAB_EC_MISSING_OPTION, flag, NULL,
                         "data synth needs %s YYYY-MM-DD", flag);
    if (slab_time_parse(s, strlen(s), &ts, &has_time, &err) != SLAB_OK || has_time)
        return cli_error(SLAB_EC_BAD_VALUE, flag, NULL, "%s expects YYYY-MM-DD, got '%s'", flag, s);
    *day = slab_ts_day(ts);
    return 0;
}

/* The index among syms: the one given, else a well-known index fund. */
static const char *synth_index(const char *given, const char **syms, size_t n)
{
    static const char *const known[] = {"QQQ", "SPY", "IWM", "DIA", "VTI"};
    if (given)
        return given;
    for (size_t k = 0; k < n; k++)
        for (size_t j = 0; j < sizeof known / sizeof known[0]; j++)
            if (!strcmp(syms[k], known[j]))
                return syms[k];
    return NULL;
}

/* Stores or writes one made symbol; adds its JSON to arr or prints it. */
static int synth_keep(slab_store *db, const char *dbpath, const char *out, slab_bars *b,
                      const char *source, json_t *arr)
{
    slab_error err;
    size_t replaced = 0;
    char path[1200];
    if (out) {
        snprintf(path, sizeof path, "%s/%s.csv", out, b->symbol);
        if (slab_csv_write(b, path, &err) != SLAB_OK) {
            slab_error_set_code(&err, SLAB_EC_WRITE_FAILED);
            return cli_fail(&err);
        }
    } else {
        slab_import_info info = {source, "", "synth"};
        if (slab_store_import(db, b, b->symbol, NULL, &info, &replaced, &err) != SLAB_OK)
            return cli_fail(&err);
    }
    if (arr) {
        json_t *o = imported_json(b, b->symbol, 0, source, replaced, out ? path : dbpath);
        json_object_set_new(o, "synthetic", json_true());
        json_array_append_new(arr, o);
    } else {
        print_imported(out ? "wrote synthetic" : "stored synthetic", b, b->symbol, 0, source,
                       replaced, out ? path : dbpath);
    }
    return 0;
}

/* `stratlab data synth ...`: make each symbol, then store or write it. */
static int data_synth(int argc, char **argv)
{
    const char *syms[MAX_COLS], *from = NULL, *to = NULL, *tf = "1m", *index = NULL;
    const char *seed_s = NULL, *db = NULL, *out = NULL;
    size_t n_syms = 0;
    const opt opts[] = {
        {"--symbol", NULL, NULL, syms, &n_syms}, {"--from", &from, NULL, NULL, NULL},
        {"--to", &to, NULL, NULL, NULL},         {"--timeframe", &tf, NULL, NULL, NULL},
        {"--index", &index, NULL, NULL, NULL},   {"--seed", &seed_s, NULL, NULL, NULL},
        {"--db", &db, NULL, NULL, NULL},         {"--out", &out, NULL, NULL, NULL},
    };
    slab_synth_options so = {SYNTH_SEED, 0, 0, SLAB_TF_MINUTES, 1, NULL};
    unsigned long long seed = SYNTH_SEED;
    slab_error err;
    slab_store *store = NULL;
    char dbpath[1024] = "", source[256], tfb[16];
    int n_pos, rc;

    if ((rc = parse_opts("data synth", argc, argv, opts, sizeof opts / sizeof opts[0], NULL, 0,
                         &n_pos, synth_help)))
        return rc == HELP_SHOWN ? 0 : rc;
    if (n_syms == 0)
        return cli_error(SLAB_EC_MISSING_OPTION, "--symbol", NULL,
                         "data synth needs at least one --symbol SYM");
    if ((rc = synth_day("--from", from, &so.from_day)) || (rc = synth_day("--to", to, &so.to_day)))
        return rc;
    if ((rc = whole("--seed", seed_s, ULLONG_MAX, &seed)))
        return rc;
    so.seed = seed;
    if (slab_timeframe_parse(tf, &so.timeframe, &so.compression, &err) != SLAB_OK)
        return cli_usage_error("data synth", "--timeframe: %s", err.msg);
    if (db && out)
        return cli_error(SLAB_EC_CONFLICTING_OPTIONS, "--out", NULL,
                         "give --db PATH or --out DIR, not both");
    if (out) { /* --out DIR is made when missing, as a store's folder is */
        char probe[4096];
        snprintf(probe, sizeof probe, "%s/x", out);
        cli_db_mkdirs(probe);
    }
    so.index_symbol = synth_index(index, syms, n_syms);
    snprintf(source, sizeof source, "synth:seed=%llu,from=%s,to=%s,timeframe=%s,index=%s", seed,
             from, to, slab_timeframe_format(so.timeframe, so.compression, tfb, sizeof tfb),
             so.index_symbol ? so.index_symbol : "none");
    if (!out && (rc = open_store("data synth", db, 1, dbpath, sizeof dbpath, &store)))
        return rc;
    json_t *arr = cli_json ? json_array() : NULL;
    for (size_t k = 0; k < n_syms && rc == 0; k++) {
        slab_bars *b = NULL;
        slab_status st = slab_synth_generate(&so, syms[k], &b, &err);
        if (st != SLAB_OK) {
            slab_error_at_option(&err, st == SLAB_EINVAL ? "--timeframe" : "--from");
            rc = cli_fail(&err);
            break;
        }
        snprintf(b->source, sizeof b->source, "%s", source);
        rc = synth_keep(store, dbpath, out, b, source, arr);
        slab_bars_free(b);
    }
    if (arr && rc == 0) {
        json_t *doc = json_pack("{s:o,s:b}", "series", arr, "synthetic", 1);
        rc = cli_print_json(doc);
        json_decref(doc);
    } else {
        json_decref(arr);
    }
    slab_store_close(store);
    return rc;
}

/* ---- import-earnings ----------------------------------------------------------- */

#define EARNINGS_MAX 100000 /* rows one file may hold */

static void earnings_help(FILE *out)
{
    fprintf(out, "usage: stratlab data import-earnings FILE [--db PATH] [--json]\n\n"
                 "Loads an earnings calendar into the store: a CSV file with the header\n"
                 "symbol,date,when (any order) and one release a line, date YYYY-MM-DD,\n"
                 "when bmo (before the open) or amc (after the close). A symbol's rows replace\n"
                 "its stored ones. Strategies filter on it (orb: --param skip_earnings=true\n"
                 "skips a session with a release before its open or after the previous close).\n");
}

/* Index of name among the header's fields (case-insensitive), or -1. */
static int header_col(char **f, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (!strcasecmp(f[k], name))
            return k;
    return -1;
}

/* Splits line (modified) at commas into f[0..max); returns the count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        f[n++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return n;
}

/* One calendar row into e; prints the problem (file:line:col) and returns
 * 3 when the row is bad. */
static int earnings_row(const char *file, size_t line, char **f, int nf, const int col[3],
                        slab_earnings *e)
{
    slab_error err;
    int64_t ts;
    int has_time;
    for (int k = 0; k < 3; k++)
        if (col[k] >= nf) {
            slab_error_fail(&err, SLAB_EC_BAD_CSV_ROW, NULL, "missing field (3 needed)");
            slab_error_at_file(&err, file, (long)line, nf + 1);
            return cli_fail(&err);
        }
    const char *sym = f[col[0]], *date = f[col[1]], *when = f[col[2]];
    memset(e, 0, sizeof *e);
    if (!sym[0] || strlen(sym) >= sizeof e->symbol) {
        slab_error_fail(&err, SLAB_EC_BAD_CSV_ROW, NULL, "bad symbol '%s'", sym);
        slab_error_at_file(&err, file, (long)line, col[0] + 1);
        return cli_fail(&err);
    }
    if (strlen(date) != 10 || slab_time_parse(date, 10, &ts, &has_time, &err) != SLAB_OK) {
        slab_error_fail(&err, SLAB_EC_BAD_CSV_ROW, NULL, "bad date '%s': give YYYY-MM-DD", date);
        slab_error_at_file(&err, file, (long)line, col[1] + 1);
        return cli_fail(&err);
    }
    if (strcasecmp(when, "bmo") && strcasecmp(when, "amc")) {
        slab_error_fail(&err, SLAB_EC_BAD_CSV_ROW, NULL,
                        "bad when '%s': give bmo (before the open) or amc (after the close)", when);
        slab_error_at_file(&err, file, (long)line, col[2] + 1);
        return cli_fail(&err);
    }
    snprintf(e->symbol, sizeof e->symbol, "%s", sym);
    e->day = slab_ts_day(ts);
    e->after_close = !strcasecmp(when, "amc");
    return 0;
}

/* Reads FILE's calendar rows into *rows (owned) / *n; prints failures. */
static int read_earnings(const char *file, slab_earnings **rows, size_t *n)
{
    char line[1024], *f[16];
    int col[3], rc = 0;
    size_t ln = 1, cap = 0;
    FILE *in = fopen(file, "r");
    *rows = NULL;
    *n = 0;
    if (!in)
        return cli_error(SLAB_EC_FILE_NOT_FOUND, file, NULL, "cannot open the calendar file");
    int nf = fgets(line, sizeof line, in) ? split(line, f, 16) : 0;
    col[0] = header_col(f, nf, "symbol"), col[1] = header_col(f, nf, "date");
    col[2] = header_col(f, nf, "when");
    if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
        fclose(in);
        return cli_error(SLAB_EC_BAD_CSV_HEADER, file, "the first line is symbol,date,when",
                         "the calendar's header must name symbol, date and when");
    }
    while (rc == 0 && fgets(line, sizeof line, in)) {
        ln++;
        if (line[strspn(line, " \t\r\n")] == '\0')
            continue;
        if (*n == cap) {
            size_t c = cap ? 2 * cap : 64;
            slab_earnings *a = c > EARNINGS_MAX ? NULL : slab_realloc(*rows, c * sizeof *a);
            if (!a) {
                rc = cli_error(SLAB_EC_BAD_VALUE, file, NULL, "more than %d rows, or no memory",
                               EARNINGS_MAX);
                break;
            }
            *rows = a, cap = c;
        }
        nf = split(line, f, 16);
        if ((rc = earnings_row(file, ln, f, nf, col, &(*rows)[*n])) == 0)
            (*n)++;
    }
    fclose(in);
    return rc;
}

/* `stratlab data import-earnings FILE`: read, store. */
static int data_import_earnings(int argc, char **argv)
{
    const char *pos[1], *db = NULL;
    const opt opts[] = {{"--db", &db, NULL, NULL, NULL}};
    slab_earnings *rows = NULL;
    slab_store *s = NULL;
    slab_error err;
    size_t n = 0, replaced = 0;
    char path[1024];
    int n_pos, rc;
    if ((rc = parse_opts("data import-earnings", argc, argv, opts, 1, pos, 1, &n_pos,
                         earnings_help)))
        return rc == HELP_SHOWN ? 0 : rc;
    if (n_pos != 1)
        return cli_error(SLAB_EC_MISSING_OPTION, NULL, "stratlab data import-earnings FILE",
                         "give the calendar file to import");
    if ((rc = read_earnings(pos[0], &rows, &n)) ||
        (rc = open_store("data import-earnings", db, 1, path, sizeof path, &s)))
        goto out;
    if (slab_store_import_earnings(s, rows, n, &replaced, &err) != SLAB_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (cli_json) {
        json_t *doc = json_pack("{s:s,s:I,s:I,s:s}", "file", pos[0], "releases", (json_int_t)n,
                                "replaced", (json_int_t)replaced, "store", path);
        rc = cli_print_json(doc);
        json_decref(doc);
    } else {
        printf("imported %zu earnings releases from %s (replaced %zu)\n  store    %s\n", n,
               pos[0], replaced, path);
    }
out:
    slab_store_close(s);
    slab_free(rows);
    return rc;
}

/* ---- dispatch ------------------------------------------------------------------ */

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} subcommands[] = {
    {"import", data_import, "load a CSV file (Yahoo, backtrader CSV, generic) into the store"},
    {"list", data_list, "list stored symbols and timeframes with their ranges"},
    {"sample", data_sample, "generate deterministic sample bars into the store or a CSV file"},
    {"synth", data_synth, "realistic synthetic intraday markets (an index and correlated stocks)"},
    {"import-earnings", data_import_earnings, "load an earnings calendar (symbol,date,when)"},
};

/* Lists the data subcommands. */
static void data_usage(FILE *out)
{
    fprintf(out, "usage: stratlab data <subcommand> [options]   (stratlab data <sub> --help)\n\n");
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        fprintf(out, "  %-16s %s\n", subcommands[i].name, subcommands[i].summary);
}

/* Dispatches `stratlab data <subcommand>`; returns the exit code. */
int cmd_data(int argc, char **argv)
{
    static const char *const full[] = {"data import", "data list", "data sample", "data synth",
                                       "data import-earnings"};
    const char *names[5];
    int a = 1;
    while (a < argc && !strcmp(argv[a], "--json"))
        a++;
    if (a < argc && cli_is_help(argv[a]))
        return cli_help("data", data_usage);
    if (a >= argc) {
        if (cli_json)
            return cli_error(SLAB_EC_MISSING_OPTION, NULL, "stratlab data --help",
                             "give a subcommand: import, list, sample, synth or import-earnings");
        data_usage(stderr);
        return 2;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++) {
        names[i] = subcommands[i].name;
        if (!strcmp(argv[a], subcommands[i].name)) {
            cli_command = full[i];
            return subcommands[i].fn(argc - a, argv + a);
        }
    }
    slab_error err;
    slab_error_fail(&err, SLAB_EC_UNKNOWN_COMMAND, NULL, "unknown subcommand '%s'", argv[a]);
    const char *best = slab_error_suggest(&err, argv[a], names, 5);
    if (best) {
        size_t l = strlen(err.msg);
        snprintf(err.msg + l, sizeof err.msg - l, "; did you mean %s?", best);
    }
    slab_error_fix(&err, "the data subcommands are import, list, sample, synth and import-earnings");
    return cli_fail(&err);
}
