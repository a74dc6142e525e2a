/* error.c: status names, the table of stable error codes, and the
 * caller-owned error record with its location, fix and suggestions.
 * Messages are truncated, never allocated, so reporting works with no
 * memory left. */
#include "stratlab/core.h"

#include <ctype.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *slab_status_str(slab_status st)
{
    switch (st) {
    case SLAB_OK: return "ok";
    case SLAB_ENOMEM: return "out of memory";
    case SLAB_EINVAL: return "invalid argument";
    case SLAB_EIO: return "i/o error";
    case SLAB_EPARSE: return "parse error";
    case SLAB_EDATA: return "inconsistent data";
    case SLAB_ERANGE: return "out of range";
    case SLAB_ENOTFOUND: return "not found";
    case SLAB_EDB: return "database error";
    case SLAB_ELIMIT: return "limit reached";
    case SLAB_EINTERNAL: return "internal error";
    }
    return "unknown status";
}

/* ---- the code table ------------------------------------------------------ */

#define ROW(c, name, st, cls, summary, fix) [c] = {c, name, st, cls, summary, fix}

static const slab_errcode_def codes[SLAB_EC_COUNT] = {
    ROW(SLAB_EC_NONE, "none", SLAB_OK, SLAB_CLASS_OK, "no error", ""),
    ROW(SLAB_EC_OUT_OF_MEMORY, "out_of_memory", SLAB_ENOMEM, SLAB_CLASS_SYSTEM,
        "an allocation failed", "free memory or run on less data"),
    ROW(SLAB_EC_INVALID_ARGUMENT, "invalid_argument", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "a setting or argument is not valid", "change the setting the message names"),
    ROW(SLAB_EC_IO_ERROR, "io_error", SLAB_EIO, SLAB_CLASS_SYSTEM,
        "a file could not be opened, read or written", "check the path and its permissions"),
    ROW(SLAB_EC_PARSE_ERROR, "parse_error", SLAB_EPARSE, SLAB_CLASS_DATA,
        "input text is malformed", "correct the text at the location given"),
    ROW(SLAB_EC_BAD_DATA, "bad_data", SLAB_EDATA, SLAB_CLASS_DATA,
        "the data is well-formed but inconsistent", "correct the data at the location given"),
    ROW(SLAB_EC_OUT_OF_RANGE, "out_of_range", SLAB_ERANGE, SLAB_CLASS_USAGE,
        "a value is outside its allowed range", "use a value inside the range the message gives"),
    ROW(SLAB_EC_NOT_FOUND, "not_found", SLAB_ENOTFOUND, SLAB_CLASS_USAGE,
        "a name is not known", "use one of the names the message lists"),
    ROW(SLAB_EC_STORE_ERROR, "store_error", SLAB_EDB, SLAB_CLASS_SYSTEM,
        "the SQLite store reported an error",
        "check the store path (--db, $STRATLAB_DB) and that the disk has room"),
    ROW(SLAB_EC_LIMIT_REACHED, "limit_reached", SLAB_ELIMIT, SLAB_CLASS_DATA,
        "a size cap was reached", "make the input smaller than the limit the message gives"),
    ROW(SLAB_EC_INTERNAL_ERROR, "internal_error", SLAB_EINTERNAL, SLAB_CLASS_INTERNAL,
        "a bug in stratlab", "please report it with the command that produced it"),
    ROW(SLAB_EC_UNKNOWN_COMMAND, "unknown_command", SLAB_ENOTFOUND, SLAB_CLASS_USAGE,
        "no such subcommand", "run `stratlab --help` for the commands"),
    ROW(SLAB_EC_UNKNOWN_OPTION, "unknown_option", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "no such option", "use an option the command's --help lists"),
    ROW(SLAB_EC_MISSING_VALUE, "missing_value", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "an option was given without its value", "give the value after the option"),
    ROW(SLAB_EC_BAD_VALUE, "bad_value", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "an option's value has the wrong type, form or range",
        "give a value of the form and range the message states"),
    ROW(SLAB_EC_MISSING_OPTION, "missing_option", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "a required option is absent", "add the option the message names"),
    ROW(SLAB_EC_CONFLICTING_OPTIONS, "conflicting_options", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "options that exclude or need each other", "give the options the message says together"),
    ROW(SLAB_EC_REPEATED_OPTION, "repeated_option", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "an option given more times than allowed", "give the option once"),
    ROW(SLAB_EC_REVERSED_RANGE, "reversed_range", SLAB_ERANGE, SLAB_CLASS_USAGE,
        "a date range whose start is after its end", "swap --from and --to"),
    ROW(SLAB_EC_BAD_JSON, "bad_json", SLAB_EPARSE, SLAB_CLASS_USAGE,
        "a JSON text that does not parse", "correct the JSON at the line and column given"),
    ROW(SLAB_EC_UNKNOWN_STRATEGY, "unknown_strategy", SLAB_ENOTFOUND, SLAB_CLASS_USAGE,
        "no such built-in strategy", "run `stratlab strategies` for the built-ins"),
    ROW(SLAB_EC_UNKNOWN_PARAM, "unknown_param", SLAB_ENOTFOUND, SLAB_CLASS_USAGE,
        "no such parameter", "use a parameter `stratlab strategies` (or `indicators show`) lists"),
    ROW(SLAB_EC_BAD_PARAM, "bad_param", SLAB_ERANGE, SLAB_CLASS_USAGE,
        "a parameter value that is not allowed",
        "use a value of the type and range `stratlab strategies` lists"),
    ROW(SLAB_EC_UNKNOWN_INDICATOR, "unknown_indicator", SLAB_ENOTFOUND, SLAB_CLASS_USAGE,
        "no such indicator", "run `stratlab indicators` for the names and aliases"),
    ROW(SLAB_EC_FILE_NOT_FOUND, "file_not_found", SLAB_EIO, SLAB_CLASS_DATA,
        "an input file does not exist", "check the path (relative paths start at the current "
                                        "directory)"),
    ROW(SLAB_EC_CANNOT_READ, "cannot_read", SLAB_EIO, SLAB_CLASS_DATA,
        "an input file cannot be read", "check the file's permissions and that it is a file"),
    ROW(SLAB_EC_BAD_CSV_HEADER, "bad_csv_header", SLAB_EPARSE, SLAB_CLASS_DATA,
        "the CSV header is missing or not understood",
        "start the file with a header such as Date,Open,High,Low,Close,Volume"),
    ROW(SLAB_EC_UNKNOWN_COLUMN, "unknown_column", SLAB_EPARSE, SLAB_CLASS_DATA,
        "a needed column is not in the CSV header",
        "name the column with --col ROLE=NAME (ROLE: date, time, open, high, low, close, "
        "volume, oi)"),
    ROW(SLAB_EC_BAD_CSV_ROW, "bad_csv_row", SLAB_EPARSE, SLAB_CLASS_DATA,
        "a CSV data row does not parse or is inconsistent",
        "correct the row, or pass --skip-bad-rows to `data import` to skip and count such rows"),
    ROW(SLAB_EC_NO_BARS, "no_bars", SLAB_EDATA, SLAB_CLASS_DATA, "there are no bars to run on",
        "widen --from/--to or use a file with data rows"),
    ROW(SLAB_EC_UNKNOWN_SYMBOL, "unknown_symbol", SLAB_ENOTFOUND, SLAB_CLASS_DATA,
        "the store has no such symbol or timeframe",
        "run `stratlab data list`, or import it with `stratlab data import FILE --symbol SYM`"),
    ROW(SLAB_EC_NO_STORE, "no_store", SLAB_ENOTFOUND, SLAB_CLASS_DATA,
        "there is no store at the path read from",
        "check --db or $STRATLAB_DB, or import data first: stratlab data import FILE --symbol "
        "SYM"),
    ROW(SLAB_EC_RUN_FAILED, "run_failed", SLAB_EINVAL, SLAB_CLASS_RUN,
        "the engine stopped with an error", "change the setting the message names"),
    ROW(SLAB_EC_MARGIN_ALL_REJECTED, "margin_all_rejected", SLAB_EINVAL, SLAB_CLASS_RUN,
        "every entry order was refused for lack of cash, so nothing was tested",
        "size entries below the whole account: --sizer percent:95 leaves room for the "
        "commission and the move from the signal's close to the next open"),
    ROW(SLAB_EC_MARGIN_REJECTED, "margin_rejected", SLAB_EINVAL, SLAB_CLASS_RUN,
        "some orders were refused for lack of cash; the run went on without them",
        "leave room for the commission and the move to the next open: --sizer percent:95 or "
        "lower; the order log (--json --orders) gives each order's reason"),
    ROW(SLAB_EC_LOOKAHEAD_REFUSED, "lookahead_refused", SLAB_EINVAL, SLAB_CLASS_RUN,
        "the strategy asked for future bars; each such read gave NaN",
        "ago counts back: 0 is this bar, -1 the previous one (slab_get(c, SLAB_CLOSE, -1)); "
        "`stratlab validate FILE.c` finds a literal positive ago"),
    ROW(SLAB_EC_WRITE_FAILED, "write_failed", SLAB_EIO, SLAB_CLASS_SYSTEM,
        "an output file could not be written", "check the output path, its folder and the disk"),
    ROW(SLAB_EC_UNAUTHORIZED, "unauthorized", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "the request has no valid API key",
        "send Authorization: Bearer TOKEN with a key from: stratlab token create --name NAME"),
    ROW(SLAB_EC_METHOD_NOT_ALLOWED, "method_not_allowed", SLAB_EINVAL, SLAB_CLASS_USAGE,
        "the path does not take this method", "use a method the API lists for this path"),
    ROW(SLAB_EC_TOO_LARGE, "too_large", SLAB_ELIMIT, SLAB_CLASS_USAGE,
        "the request is larger than the server accepts",
        "send a smaller body (the limit is in the message)"),
    ROW(SLAB_EC_BUSY, "busy", SLAB_ELIMIT, SLAB_CLASS_SYSTEM,
        "the queue is full or the wait for a worker was too long",
        "retry after the seconds Retry-After gives"),
    ROW(SLAB_EC_RATE_LIMITED, "rate_limited", SLAB_ELIMIT, SLAB_CLASS_USAGE,
        "too many requests for this key", "retry after the seconds Retry-After gives"),
    ROW(SLAB_EC_SHUTTING_DOWN, "shutting_down", SLAB_ELIMIT, SLAB_CLASS_SYSTEM,
        "the server is stopping and takes no new jobs", "retry when it is back"),
    ROW(SLAB_EC_UNKNOWN_TEMPLATE, "unknown_template", SLAB_ENOTFOUND, SLAB_CLASS_USAGE,
        "no script template by this name", "use a template the message lists"),
};

const slab_errcode_def *slab_errcode_table(size_t *n)
{
    *n = SLAB_EC_COUNT;
    return codes;
}

const slab_errcode_def *slab_errcode_get(slab_errcode code)
{
    if ((int)code < 0 || code >= SLAB_EC_COUNT || !codes[code].name)
        return &codes[SLAB_EC_INTERNAL_ERROR];
    return &codes[code];
}

const char *slab_errcode_name(slab_errcode code) { return slab_errcode_get(code)->name; }

slab_errcode slab_errcode_find(const char *name)
{
    for (int c = 1; c < SLAB_EC_COUNT; c++)
        if (codes[c].name && !strcmp(codes[c].name, name))
            return (slab_errcode)c;
    return SLAB_EC_NONE;
}

int slab_errclass_exit(slab_errclass c)
{
    return (int)c >= 0 && c <= SLAB_CLASS_INTERNAL ? (int)c : 5;
}

const char *slab_errclass_name(slab_errclass c)
{
    static const char *const names[] = {"ok", "run", "usage", "data", "system", "internal"};
    return (int)c >= 0 && c <= SLAB_CLASS_INTERNAL ? names[c] : "internal";
}

/* The generic code of a status. */
static slab_errcode generic(slab_status st)
{
    switch (st) {
    case SLAB_OK: return SLAB_EC_NONE;
    case SLAB_ENOMEM: return SLAB_EC_OUT_OF_MEMORY;
    case SLAB_EINVAL: return SLAB_EC_INVALID_ARGUMENT;
    case SLAB_EIO: return SLAB_EC_IO_ERROR;
    case SLAB_EPARSE: return SLAB_EC_PARSE_ERROR;
    case SLAB_EDATA: return SLAB_EC_BAD_DATA;
    case SLAB_ERANGE: return SLAB_EC_OUT_OF_RANGE;
    case SLAB_ENOTFOUND: return SLAB_EC_NOT_FOUND;
    case SLAB_EDB: return SLAB_EC_STORE_ERROR;
    case SLAB_ELIMIT: return SLAB_EC_LIMIT_REACHED;
    case SLAB_EINTERNAL: return SLAB_EC_INTERNAL_ERROR;
    }
    return SLAB_EC_INTERNAL_ERROR;
}

/* ---- the record ------------------------------------------------------------ */

/* Resets everything but the message to a failure st/id at where. */
static void reset(slab_error *err, slab_status st, slab_errcode id, const char *where)
{
    err->code = st;
    err->id = id;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    err->where_kind = !err->where[0]                    ? SLAB_WHERE_NONE
                      : !strncmp(err->where, "--", 2) ? SLAB_WHERE_OPTION
                                                      : SLAB_WHERE_TEXT;
    err->line = err->col = 0;
    err->fix[0] = err->suggest[0] = err->choices[0] = '\0';
}

slab_status slab_error_set(slab_error *err, slab_status st, const char *where, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return st;
    reset(err, st, SLAB_EC_NONE, where);
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return st;
}

slab_status slab_error_fail(slab_error *err, slab_errcode code, const char *where, const char *fmt, ...)
{
    const slab_errcode_def *d = slab_errcode_get(code);
    va_list ap;

    if (!err)
        return d->status;
    reset(err, d->status, d->code, where);
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return d->status;
}

void slab_error_set_code(slab_error *err, slab_errcode code)
{
    if (err)
        err->id = code;
}

void slab_error_fix(slab_error *err, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->fix, sizeof err->fix, fmt, ap);
    va_end(ap);
}

void slab_error_at_file(slab_error *err, const char *path, long line, long col)
{
    if (!err)
        return;
    if (line > 0 && col > 0)
        snprintf(err->where, sizeof err->where, "%s:%ld:%ld", path, line, col);
    else if (line > 0)
        snprintf(err->where, sizeof err->where, "%s:%ld", path, line);
    else
        snprintf(err->where, sizeof err->where, "%s", path);
    err->where_kind = SLAB_WHERE_FILE;
    err->line = line > 0 ? line : 0;
    err->col = line > 0 && col > 0 ? col : 0;
}

void slab_error_at_option(slab_error *err, const char *flag)
{
    if (!err)
        return;
    snprintf(err->where, sizeof err->where, "%s", flag);
    err->where_kind = SLAB_WHERE_OPTION;
    err->line = err->col = 0;
}

void slab_error_at_pointer(slab_error *err, const char *pointer)
{
    if (!err)
        return;
    snprintf(err->where, sizeof err->where, "%s", pointer);
    err->where_kind = SLAB_WHERE_POINTER;
    err->line = err->col = 0;
}

const char *slab_error_suggest(slab_error *err, const char *word, const char *const *names,
                               size_t n)
{
    const char *best = slab_suggest(word, names, n);
    if (!err)
        return best;
    size_t k = 0;
    err->choices[0] = '\0';
    for (size_t i = 0; i < n && k + 1 < sizeof err->choices; i++) {
        int w = snprintf(err->choices + k, sizeof err->choices - k, "%s%s", i ? ", " : "",
                         names[i]);
        if (w < 0)
            break;
        k += (size_t)w;
    }
    snprintf(err->suggest, sizeof err->suggest, "%s", best ? best : "");
    return best;
}

slab_errcode slab_error_code(const slab_error *err)
{
    if (!err)
        return SLAB_EC_NONE;
    return err->id != SLAB_EC_NONE ? err->id : generic(err->code);
}

const char *slab_error_fix_text(const slab_error *err)
{
    if (err && err->fix[0])
        return err->fix;
    return slab_errcode_get(slab_error_code(err))->fix;
}

void slab_error_clear(slab_error *err)
{
    if (!err)
        return;
    reset(err, SLAB_OK, SLAB_EC_NONE, NULL);
    err->msg[0] = '\0';
}

const char *slab_error_text(const slab_error *err, char *buf, size_t n)
{
    if (!err || n == 0)
        return "";
    if (err->where[0])
        snprintf(buf, n, "%s: %s", err->where, err->msg);
    else
        snprintf(buf, n, "%s", err->msg[0] ? err->msg : slab_status_str(err->code));
    return buf;
}

/* ---- suggestions ------------------------------------------------------------ */

size_t slab_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[64][64]; /* d[i][j]: distance of a[0..i) and b[0..j) */
    if (la > 63 || lb > 63)
        return 64;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1; /* two neighbours swapped */
            d[i][j] = best;
        }
    return d[la][lb];
}

const char *slab_suggest(const char *word, const char *const *names, size_t n)
{
    size_t len = strlen(word), limit = len / 3 > 2 ? len / 3 : 2, best_d = (size_t)-1;
    const char *best = NULL, *prefix_of = NULL;
    int prefixes = 0;
    for (size_t i = 0; i < n; i++) {
        size_t d = slab_edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
        if (len >= 3 && !strncasecmp(names[i], word, len)) {
            prefixes++;
            prefix_of = names[i];
        }
    }
    if (best && best_d <= limit && best_d < len)
        return best;
    return prefixes == 1 ? prefix_of : NULL;
}
