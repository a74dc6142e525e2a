/* csv.c: CSV loaders for the formats backtrader reads (Yahoo, backtrader
 * CSV, generic with named columns), chosen from the header, and a writer
 * for backtrader CSV. Files in, slab_bars out; see backtrader-semantics.md
 * section 2 for the rules reproduced here.
 * Invariant: every data row becomes a bar that passes the checks of
 * slab_bars_check(), or is an error (a counted skip with skip_bad_rows).
 * Integer-only dates of 1 to 7 digits (generic format: edge_cases_400.csv,
 * synthetic_ohlcv_5000.csv have Date = 0, 1, 2 ...) are day numbers
 * counted from 1970-01-01; 8 digits are YYYYMMDD. Fields are separated by
 * commas, or by semicolons when the header line has semicolons and no
 * comma (a decimal comma is not read: numbers use '.'). */
#include "data_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (256 * 1024)     /* reader buffer; > SLAB_CSV_LINE_MAX */
#define SHOW_MAX 40                 /* longest field text quoted in a message */
#define SHOW_BUF (4 * SHOW_MAX + 1) /* SHOW_MAX bytes, each possibly written as \xNN */

/* What a column holds. */
enum role { R_DATE, R_TIME, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_ADJ, R_VOLUME, R_OI, R_COUNT };

/* Names of the roles in messages ("bad close 'abc'"). */
static const char *const role_name[R_COUNT] = {"date",  "time",      "open",   "high",        "low",
                                               "close", "adj close", "volume", "openinterest"};

/* Header names (normalized: lower case, no spaces, '_' or quotes) that
 * select a role in the generic format, in order of preference. */
static const char *const role_alias[R_COUNT][4] = {
    [R_DATE] = {"date", "datetime", "timestamp", NULL},
    [R_TIME] = {"time", NULL},
    [R_OPEN] = {"open", NULL},
    [R_HIGH] = {"high", NULL},
    [R_LOW] = {"low", NULL},
    [R_CLOSE] = {"close", NULL},
    [R_ADJ] = {NULL},
    [R_VOLUME] = {"volume", "vol", NULL},
    [R_OI] = {"openinterest", "oi", NULL},
};

/* The exact headers that select Yahoo and backtrader CSV (normalized). */
static const char *const yahoo_header[] = {"date",  "open",     "high",  "low",
                                           "close", "adjclose", "volume"};
static const char *const btcsv_header[] = {"date",  "open",   "high",        "low",
                                           "close", "volume", "openinterest"};
static const char *const btcsv_time_header[] = {"date", "time",  "open",   "high",
                                                "low",  "close", "volume", "openinterest"};

/* One field of the current line: not NUL-terminated. */
typedef struct field {
    const char *s; /* first byte, inside the reader's buffer */
    size_t len;    /* bytes */
} field;

/* Buffered line reader with a line-length cap. It hashes the bytes as it
 * reads them, so data from a pipe or FIFO gets the SHA-256 of what was
 * actually loaded (a pipe cannot be read a second time). */
typedef struct reader {
    FILE *f;          /* the open file */
    char *buf;        /* READ_CHUNK bytes */
    size_t start;     /* first unread byte in buf */
    size_t end;       /* one past the last valid byte in buf */
    int eof;          /* fread has returned 0 */
    char eol;         /* line terminator: '\n' (LF, CR-LF), '\r' (CR only), 0 = not known yet */
    slab_sha256 *sha; /* hash of every byte read so far */
} reader;

/* A row layout the fast scanner reads: each field's role. */
typedef struct fast_layout {
    int n;                                 /* fields a row has */
    int has_time_col;                      /* one field is a time of day */
    int allow_time;                        /* the date may carry its own time */
    signed char role[SLAB_CSV_FIELDS_MAX]; /* each field's role; -1: not read */
} fast_layout;

/* Loader state for one file. */
typedef struct loader {
    const char *path;                /* the file, for locations */
    slab_csv_options opt;            /* options (defaults when the caller gave none) */
    slab_load_report *rep;           /* where counts go (never NULL here) */
    slab_csv_format fmt;             /* the format in use */
    int ncols;                       /* fields a row must have (yahoo, generic) */
    int col[R_COUNT];                /* 0-based column of each role; -1 = absent */
    long row;                        /* 1-based line number being read */
    char sep;                        /* field separator: ',' or ';' (from the header) */
    field f[SLAB_CSV_FIELDS_MAX];    /* fields of the current line */
    int nf;                          /* fields on the current line */
    int64_t last_ts;                 /* time of the last kept bar */
    long last_row;                   /* its line number; 0 before the first */
    slab_bars *bars;                 /* the series being built */
    slab_error rowerr;               /* the current row's problem */
    char show[SHOW_BUF];             /* a field as quoted in the current message */
    char num[SLAB_CSV_LINE_MAX + 1]; /* a long number's text, NUL-terminated for strtod */
    char date_text[32];              /* the last date field parsed (intraday files repeat
                                        it on every bar of a day) ... */
    size_t date_len;                 /* ... its length (0: none yet) ... */
    int date_allow_time;             /* ... the allow_time it was parsed with ... */
    int64_t date_ts;                 /* ... and its result */
    int date_has_time;
    long long file_size;             /* bytes in the file; -1: not a regular file */
    int oi_zero;                     /* every open interest so far is +0: the oi column
                                        is not written (see finish_oi) */
    int fast;                        /* rows go through fast_row() first */
    fast_layout lay[2];              /* its layouts: [0], and for btcsv [1] with Time */
} loader;

/* A parsed row before it is checked. */
typedef struct row_vals {
    int64_t ts_ns;     /* bar time */
    double v[R_COUNT]; /* numbers by role (date/time unused) */
    int has_time;      /* the row carried a time of day */
} row_vals;

/* ---- reading lines ----------------------------------------------------- */

/* Reads more of the file into buf (keeping the unread bytes) and hashes
 * it. Returns 0, or -2 for a read error. */
static int fill(reader *r)
{
    size_t avail = r->end - r->start;
    memmove(r->buf, r->buf + r->start, avail);
    r->start = 0;
    r->end = avail;
    size_t got = fread(r->buf + r->end, 1, READ_CHUNK - r->end, r->f);
    if (got == 0) {
        if (ferror(r->f))
            return -2;
        r->eof = 1;
    }
    slab_sha256_update(r->sha, r->buf + r->end, got);
    r->end += got;
    return 0;
}

/* Decides the line terminator from the first one in the buffer: a CR not
 * followed by LF makes a CR-only file (classic Mac), which Python's
 * universal newlines, and so backtrader, read as lines. Returns 1 when
 * decided, 0 when more bytes are needed. */
static int find_eol(reader *r)
{
    const char *s = r->buf + r->start;
    size_t avail = r->end - r->start, i = 0;
    while (i < avail && s[i] != '\n' && s[i] != '\r')
        i++;
    if (i < avail && s[i] == '\r' && i + 1 == avail && !r->eof)
        return 0; /* CR at the end of the buffer: is an LF next? */
    if (i == avail && !r->eof && avail <= SLAB_CSV_LINE_MAX)
        return 0;
    r->eol = i < avail && s[i] == '\r' && (i + 1 == avail || s[i + 1] != '\n') ? '\r' : '\n';
    return 1;
}

/* Reads the next line into line and len (LF, CR-LF or, in a CR-only file,
 * CR stripped). Returns 1 for a line, 0 at the end, -1 for a line over
 * SLAB_CSV_LINE_MAX, -2 for a read error. */
static int next_line(reader *r, char **line, size_t *len)
{
    for (;;) {
        if (!r->eol && !find_eol(r)) {
            if (fill(r) < 0)
                return -2;
            continue;
        }
        if (r->eol == '\r' && r->start < r->end && r->buf[r->start] == '\n')
            r->start++; /* a CR-LF inside a CR-only file ends one line, not two */
        size_t avail = r->end - r->start;
        char *nl = memchr(r->buf + r->start, r->eol, avail);
        if (nl || (r->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - (r->buf + r->start)) : avail;
            *line = r->buf + r->start;
            r->start += nl ? n + 1 : n;
            if (n > 0 && (*line)[n - 1] == '\r')
                n--;
            *len = n;
            return n > SLAB_CSV_LINE_MAX ? -1 : 1;
        }
        if (r->eof)
            return 0;
        if (avail > SLAB_CSV_LINE_MAX)
            return -1;
        if (fill(r) < 0)
            return -2;
    }
}

/* Splits line at L->sep into L->f (at most SLAB_CSV_FIELDS_MAX kept);
 * L->nf counts every field. */
static void split(loader *L, const char *line, size_t len)
{
    size_t a = 0;
    L->nf = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != L->sep)
            continue;
        if (L->nf < SLAB_CSV_FIELDS_MAX) {
            L->f[L->nf].s = line + a;
            L->f[L->nf].len = i - a;
        }
        L->nf++;
        a = i + 1;
    }
}

/* ---- errors with a location --------------------------------------------- */

/* Records a row problem at column col0 (0-based) of the current line. */
static slab_status row_fail(loader *L, slab_status st, int col0, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static slab_status row_fail(loader *L, slab_status st, int col0, const char *fmt, ...)
{
    char where[SLAB_ERR_WHERE_MAX], msg[SLAB_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(where, sizeof where, "%s:%ld:%d", L->path, L->row, col0 + 1);
    slab_error_set(&L->rowerr, st, where, "%s", msg);
    slab_error_set_code(&L->rowerr, L->row == 1 ? SLAB_EC_BAD_CSV_HEADER : SLAB_EC_BAD_CSV_ROW);
    slab_error_at_file(&L->rowerr, L->path, L->row, col0 + 1);
    return st;
}

/* Trims spaces and tabs around a field, as Python's float() does. */
static field trim(field fd)
{
    while (fd.len && (fd.s[0] == ' ' || fd.s[0] == '\t')) {
        fd.s++;
        fd.len--;
    }
    while (fd.len && (fd.s[fd.len - 1] == ' ' || fd.s[fd.len - 1] == '\t'))
        fd.len--;
    return fd;
}

/* Up to SHOW_MAX bytes of a field as quoted in a message, control bytes
 * and bytes that are not UTF-8 written as \xNN; in L->show, so valid until
 * the next call. */
static const char *show(loader *L, field fd)
{
    return slab_text_show(fd.s, fd.len > SHOW_MAX ? SHOW_MAX : fd.len, L->show, sizeof L->show);
}

/* ---- fields --------------------------------------------------------------- */

/* 1 when c may appear in a number's text (a NUL byte may not). */
static int num_char(char c)
{
    return (c >= '0' && c <= '9') || c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E';
}

/* Parses column c as a number for role r. Decimal text only, read with
 * strtod(), which rounds exactly as Python's float(), at any length (the
 * line cap bounds it); hex, nan and inf are refused. */
static slab_status get_num(loader *L, int c, int r, double *out)
{
    field fd = trim(L->f[c]);
    char *end;
    size_t i;

    if (slab_parse_decimal_fast(fd.s, fd.len, out))
        return SLAB_OK; /* exact: the same bits as strtod */
    for (i = 0; i < fd.len && num_char(fd.s[i]); i++)
        ;
    if (fd.len == 0 || i < fd.len) {
        /* Python's float() would take nan and inf; a bar cannot. */
        size_t sign = fd.len && (fd.s[0] == '-' || fd.s[0] == '+');
        int special = fd.len >= sign + 3 && (strncasecmp(fd.s + sign, "inf", 3) == 0 ||
                                             strncasecmp(fd.s + sign, "nan", 3) == 0);
        return row_fail(L, SLAB_EPARSE, c, "bad %s '%s': expected a %snumber%s", role_name[r],
                        show(L, fd), special ? "finite " : "",
                        L->sep == ';' && memchr(fd.s, ',', fd.len)
                            ? " (a decimal comma is not read: write 1234.5, not 1234,5)"
                            : "");
    }
    memcpy(L->num, fd.s, fd.len); /* fd.len <= SLAB_CSV_LINE_MAX: next_line caps lines */
    L->num[fd.len] = '\0';
    errno = 0;
    *out = strtod(L->num, &end);
    if (end != L->num + fd.len)
        return row_fail(L, SLAB_EPARSE, c, "bad %s '%s': expected a number", role_name[r],
                        show(L, fd));
    if (!isfinite(*out))
        return row_fail(L, SLAB_EPARSE, c, "bad %s '%s': expected a finite number", role_name[r],
                        show(L, fd));
    return SLAB_OK;
}

/* Dates stay in the supported calendar (core.h): no timestamp can
 * overflow, nor can a period that holds one (the analyzers' year). */
#define YEAR_MIN SLAB_YEAR_MIN
#define YEAR_MAX SLAB_YEAR_MAX
#define DAY_MAX SLAB_DAY_MAX

/* A day number written as 1 to 7 digits; returns 0 and sets *days when fd
 * is one. */
static int day_index(field fd, int64_t *days)
{
    if (fd.len < 1 || fd.len > 7)
        return -1;
    *days = 0;
    for (size_t i = 0; i < fd.len; i++) {
        if (fd.s[i] < '0' || fd.s[i] > '9')
            return -1;
        *days = *days * 10 + (fd.s[i] - '0');
    }
    return 0;
}

/* Parses column c as a date: midnight of that day in *ts_ns, and, when
 * allow_time, a time of day written after it (then *has_time = 1). */
static slab_status parse_date(loader *L, field fd, int c, int allow_time, int64_t *ts_ns,
                              int *has_time);

/* get_date on a field already trimmed (the fast row scanner's). */
static slab_status get_date_field(loader *L, field fd, int c, int allow_time, int64_t *ts_ns,
                                  int *has_time);

static slab_status get_date(loader *L, int c, int allow_time, int64_t *ts_ns, int *has_time)
{
    return get_date_field(L, trim(L->f[c]), c, allow_time, ts_ns, has_time);
}

static slab_status get_date_field(loader *L, field fd, int c, int allow_time, int64_t *ts_ns,
                                  int *has_time)
{
    *has_time = 0;
    /* The same text as the last row's parses the same: reuse it. */
    if (fd.len && fd.len == L->date_len && allow_time == L->date_allow_time &&
        !memcmp(fd.s, L->date_text, fd.len)) {
        *ts_ns = L->date_ts;
        *has_time = L->date_has_time;
        return SLAB_OK;
    }
    slab_status st = parse_date(L, fd, c, allow_time, ts_ns, has_time);
    if (st == SLAB_OK && fd.len < sizeof L->date_text && !L->rep->day_index) {
        memcpy(L->date_text, fd.s, fd.len);
        L->date_len = fd.len;
        L->date_allow_time = allow_time;
        L->date_ts = *ts_ns;
        L->date_has_time = *has_time;
    }
    return st;
}

/* get_date's parse proper. */
static slab_status parse_date(loader *L, field fd, int c, int allow_time, int64_t *ts_ns,
                              int *has_time)
{
    int64_t days;
    if (L->fmt == SLAB_CSV_GENERIC && day_index(fd, &days) == 0) {
        if (days > DAY_MAX)
            return row_fail(L, SLAB_EPARSE, c,
                            "bad date '%s': a day number must be at most %d (2261-12-31, "
                            "the end of the years %d to %d that timestamps cover)",
                            show(L, fd), DAY_MAX, YEAR_MIN, YEAR_MAX);
        *ts_ns = days * SLAB_NS_PER_DAY;
        L->rep->day_index = 1;
        return SLAB_OK;
    }
    if (fd.len >= 4 && isdigit((unsigned char)fd.s[0]) && isdigit((unsigned char)fd.s[1]) &&
        isdigit((unsigned char)fd.s[2]) && isdigit((unsigned char)fd.s[3])) {
        int year = atoi((char[5]){fd.s[0], fd.s[1], fd.s[2], fd.s[3], '\0'});
        if (year < YEAR_MIN || year > YEAR_MAX)
            return row_fail(L, SLAB_EPARSE, c,
                            "bad date '%s': expected a year from %d to %d (the range of "
                            "nanosecond timestamps)",
                            show(L, fd), YEAR_MIN, YEAR_MAX);
    }
    if (slab_time_parse(fd.s, fd.len, ts_ns, has_time, NULL) == SLAB_OK &&
        (allow_time || !*has_time))
        return SLAB_OK;
    if (!allow_time)
        return row_fail(L, SLAB_EPARSE, c, "bad date '%s': expected YYYY-MM-DD", show(L, fd));
    return row_fail(L, SLAB_EPARSE, c,
                    "bad date '%s': expected YYYY-MM-DD, YYYYMMDD, "
                    "YYYY-MM-DD HH:MM[:SS[.ffffff]] or a day number",
                    show(L, fd));
}

/* Parses column c as a time of day, in ns after midnight. */
static slab_status get_time(loader *L, int c, int64_t *clock_ns)
{
    field fd = trim(L->f[c]);
    char buf[64] = "1970-01-01 "; /* a time alone parses as a time on day 0 */
    int has_time = 0;

    /* HH:MM:SS, the usual form, read directly; anything else (fractions,
     * out-of-range fields) takes the general parser. */
    const char *t = fd.s;
    if (fd.len == 8 && t[2] == ':' && t[5] == ':' && isdigit((unsigned char)t[0]) &&
        isdigit((unsigned char)t[1]) && isdigit((unsigned char)t[3]) &&
        isdigit((unsigned char)t[4]) && isdigit((unsigned char)t[6]) &&
        isdigit((unsigned char)t[7])) {
        int hh = (t[0] - '0') * 10 + t[1] - '0', mm = (t[3] - '0') * 10 + t[4] - '0';
        int ss = (t[6] - '0') * 10 + t[7] - '0';
        if (hh < 24 && mm < 60 && ss < 60) {
            *clock_ns = ((int64_t)hh * 3600 + mm * 60 + ss) * SLAB_NS_PER_SEC;
            return SLAB_OK;
        }
    }
    if (fd.len <= SHOW_MAX && fd.len + 11 < sizeof buf &&
        (memcpy(buf + 11, fd.s, fd.len),
         slab_time_parse(buf, 11 + fd.len, clock_ns, &has_time, NULL) == SLAB_OK) &&
        has_time)
        return SLAB_OK;
    return row_fail(L, SLAB_EPARSE, c, "bad time '%s': expected HH:MM[:SS[.ffffff]]", show(L, fd));
}

/* Python's round(x, ndigits) for ndigits >= 0: half-even on the exact
 * binary value. glibc's printf rounds the exact value the same way, and
 * strtod reads the decimal back correctly rounded, as CPython does. */
static double py_round(double x, int ndigits)
{
    char buf[400];
    snprintf(buf, sizeof buf, "%.*f", ndigits, x);
    return strtod(buf, NULL);
}

/* Checks the field count: want fields, or also alt when alt > 0. */
static slab_status want_fields(loader *L, int want, int alt, const char *layout)
{
    if (L->nf == want || (alt > 0 && L->nf == alt))
        return SLAB_OK;
    int top = alt > want ? alt : want;
    int col0 = L->nf < want ? L->nf : top;
    if (L->nf > SLAB_CSV_FIELDS_MAX)
        return row_fail(L, SLAB_EPARSE, SLAB_CSV_FIELDS_MAX, "more than %d fields on one line",
                        SLAB_CSV_FIELDS_MAX);
    return row_fail(L, SLAB_EPARSE, col0, "expected %s, found %d", layout, L->nf);
}

/* ---- rows ------------------------------------------------------------------ */

/* Reads the numeric roles listed in roles[] from their columns. */
static slab_status get_nums(loader *L, const int *roles, int n, row_vals *rv)
{
    slab_status st;
    for (int i = 0; i < n; i++)
        if ((st = get_num(L, L->col[roles[i]], roles[i], &rv->v[roles[i]])) != SLAB_OK)
            return st;
    return SLAB_OK;
}

/* Yahoo: Date,Open,High,Low,Close,Adj Close,Volume (backtrader's
 * YahooFinanceCSVData). A row with a 'null' field is dropped, as backtrader
 * drops it (*dropped = 1); an empty volume reads as 0, as backtrader's
 * float() fallback does. With yahoo_adjust: f = close / adj close;
 * open, high, low /= f; close = adj close; volume *= f; then the prices are
 * rounded to 2 decimals and the volume to 0 (round(v, roundvolume=False)). */
static slab_status yahoo_row(loader *L, row_vals *rv, int *dropped)
{
    static const int roles[] = {R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_ADJ};
    slab_status st;
    int has_time;

    if ((st = want_fields(L, 7, 0, "7 fields (Date,Open,High,Low,Close,Adj Close,Volume)")) !=
        SLAB_OK)
        return st;
    for (int c = 1; c < 7; c++)
        if (L->f[c].len == 4 && memcmp(L->f[c].s, "null", 4) == 0) {
            *dropped = 1;
            return SLAB_OK;
        }
    if ((st = get_date(L, 0, 0, &rv->ts_ns, &has_time)) != SLAB_OK ||
        (st = get_nums(L, roles, 5, rv)) != SLAB_OK)
        return st;
    rv->ts_ns += SLAB_SESSION_END_NS;
    rv->v[R_VOLUME] = 0.0;
    if (trim(L->f[6]).len && (st = get_num(L, 6, R_VOLUME, &rv->v[R_VOLUME])) != SLAB_OK)
        return st;
    rv->v[R_OI] = 0.0;
    if (!L->opt.yahoo_adjust)
        return SLAB_OK;
    double *v = rv->v;
    if (v[R_ADJ] <= 0)
        return row_fail(L, SLAB_EDATA, 5, "bad adj close '%s': expected a price > 0",
                        show(L, L->f[5]));
    double adjfactor = v[R_CLOSE] / v[R_ADJ];
    v[R_OPEN] /= adjfactor;
    v[R_HIGH] /= adjfactor;
    v[R_LOW] /= adjfactor;
    v[R_CLOSE] = v[R_ADJ];
    v[R_VOLUME] *= adjfactor;
    for (int r = R_OPEN; r <= R_CLOSE; r++)
        v[r] = py_round(v[r], 2);
    v[R_VOLUME] = py_round(v[R_VOLUME], 0);
    return SLAB_OK;
}

/* backtrader CSV: Date[,Time],Open,High,Low,Close,Volume,OpenInterest; a
 * row has a time column iff it has 8 fields (BacktraderCSVData), so the
 * 1-minute file loads despite its 7-column header. */
static slab_status btcsv_row(loader *L, row_vals *rv)
{
    static const int roles[] = {R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_VOLUME, R_OI};
    slab_status st;
    int64_t clock_ns = SLAB_SESSION_END_NS;
    int has_time;

    if ((st = want_fields(L, 7, 8,
                          "7 fields (Date,Open,High,Low,Close,Volume,OpenInterest) or 8 "
                          "(with Time after Date)")) != SLAB_OK)
        return st;
    rv->has_time = L->nf == 8;
    L->col[R_TIME] = rv->has_time ? 1 : -1;
    for (int r = R_OPEN, c = 1 + rv->has_time; r <= R_OI; r++)
        if (r != R_ADJ)
            L->col[r] = c++;
    if ((st = get_date(L, 0, 0, &rv->ts_ns, &has_time)) != SLAB_OK ||
        (rv->has_time && (st = get_time(L, 1, &clock_ns)) != SLAB_OK) ||
        (st = get_nums(L, roles, 6, rv)) != SLAB_OK)
        return st;
    rv->ts_ns += clock_ns;
    return SLAB_OK;
}

/* Generic: columns found by name in the header; volume and open interest
 * are 0 when the file has no such column. */
static slab_status generic_row(loader *L, row_vals *rv)
{
    static const int roles[] = {R_OPEN, R_HIGH, R_LOW, R_CLOSE};
    char layout[64];
    slab_status st;
    int64_t clock_ns = SLAB_SESSION_END_NS;

    snprintf(layout, sizeof layout, "%d fields as in the header", L->ncols);
    /* A date that carries its own time keeps it; with a Time column the
     * date must be a date alone. */
    if ((st = want_fields(L, L->ncols, 0, layout)) != SLAB_OK ||
        (st = get_date(L, L->col[R_DATE], L->col[R_TIME] < 0, &rv->ts_ns, &rv->has_time)) !=
            SLAB_OK)
        return st;
    if (L->col[R_TIME] >= 0) {
        if ((st = get_time(L, L->col[R_TIME], &clock_ns)) != SLAB_OK)
            return st;
        rv->has_time = 1;
    }
    if (!rv->has_time || L->col[R_TIME] >= 0)
        rv->ts_ns += clock_ns;
    if ((st = get_nums(L, roles, 4, rv)) != SLAB_OK)
        return st;
    rv->v[R_VOLUME] = rv->v[R_OI] = 0.0;
    if (L->col[R_VOLUME] >= 0 && (st = get_nums(L, (const int[]){R_VOLUME}, 1, rv)) != SLAB_OK)
        return st;
    if (L->col[R_OI] >= 0 && (st = get_nums(L, (const int[]){R_OI}, 1, rv)) != SLAB_OK)
        return st;
    return SLAB_OK;
}

/* Checks a parsed row (prices, then order of time) against the last kept
 * bar; the same rules as slab_bars_check(). */
static slab_status check_row(loader *L, const row_vals *rv)
{
    static const int field_role[] = {-1, R_OPEN, R_HIGH, R_LOW, R_CLOSE, R_VOLUME};
    const double *v = rv->v;
    char msg[SLAB_ERR_MSG_MAX], t1[40], t2[40];
    slab__bar_field bf =
        slab__bar_problem(v[R_OPEN], v[R_HIGH], v[R_LOW], v[R_CLOSE], v[R_VOLUME], msg, sizeof msg);

    if (bf != SLAB__BF_NONE)
        return row_fail(L, SLAB_EDATA, L->col[field_role[bf]], "%s%s", msg,
                        L->opt.yahoo_adjust ? " (after the Yahoo adjustment)" : "");
    if (L->last_row == 0 || rv->ts_ns > L->last_ts)
        return SLAB_OK;
    slab_bars_format_time(rv->ts_ns, t1, sizeof t1);
    if (rv->ts_ns == L->last_ts)
        return row_fail(L, SLAB_EDATA, L->col[R_DATE], "duplicate time %s (also on row %ld)", t1,
                        L->last_row);
    return row_fail(L, SLAB_EDATA, L->col[R_DATE],
                    "time %s is not after %s on row %ld: rows must be in increasing time order", t1,
                    slab_bars_format_time(L->last_ts, t2, sizeof t2), L->last_row);
}

/* ---- appending bars ------------------------------------------------------------ */

/* Appends a bar to L->bars. The open interest column is written only from
 * the first value that is not +0 on (zeros up to it filled then): an
 * all-zero column is never touched, and finish_oi() hands it over as
 * untouched zeroed memory, which takes no space until read or written. */
static slab_status push_bar(loader *L, int64_t ts, double o, double h, double l, double c,
                            double v, double oi, slab_error *err)
{
    slab_bars *b = L->bars;
    slab_status st;
    if (b->n == b->cap && (st = slab__bars_grow(b, b->n + 1, err)) != SLAB_OK)
        return st;
    size_t i = b->n++;
    b->ts_ns[i] = ts;
    b->open[i] = o;
    b->high[i] = h;
    b->low[i] = l;
    b->close[i] = c;
    b->volume[i] = v;
    if (L->oi_zero && (oi != 0.0 || signbit(oi))) {
        memset(b->oi, 0, i * sizeof *b->oi);
        L->oi_zero = 0;
    }
    if (!L->oi_zero)
        b->oi[i] = oi;
    return SLAB_OK;
}

/* After the last bar: an open interest column that was never written is
 * zeroed, its whole pages by madvise(MADV_DONTNEED), which hands them
 * back to the system as zero-fill-on-demand (not resident until written),
 * the partial pages at its ends by memset. No allocation and no free, so
 * nothing changes the allocator's thresholds for what comes next. */
static void finish_oi(loader *L)
{
    slab_bars *b = L->bars;
    if (!L->oi_zero || b->n == 0)
        return;
    char *lo = (char *)b->oi, *hi = (char *)(b->oi + b->n);
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t a = page > 0 ? ((uintptr_t)lo + (uintptr_t)page - 1) & ~((uintptr_t)page - 1) : 0;
    uintptr_t z = page > 0 ? (uintptr_t)hi & ~((uintptr_t)page - 1) : 0;
    if (page > 0 && a < z && madvise((void *)a, z - a, MADV_DONTNEED) == 0) {
        memset(lo, 0, (size_t)((char *)a - lo));
        memset((char *)z, 0, (size_t)(hi - (char *)z));
    } else {
        memset(lo, 0, (size_t)(hi - lo));
    }
}

/* The first data row: reserves the columns for about as many bars as the
 * file has lines of this length, so they are not grown and copied. */
static void reserve_guess(loader *L, size_t len)
{
    if (L->file_size <= 0 || L->bars->cap != 0)
        return;
    /* a row holds a date and four numbers at least: 9 bytes and its end */
    unsigned long long guess = (unsigned long long)L->file_size / ((len > 9 ? len : 9) + 1) + 16;
    slab_error ignored;
    (void)slab__bars_reserve(L->bars, guess > SLAB_BARS_MAX ? SLAB_BARS_MAX : (size_t)guess,
                             &ignored); /* on failure, rows grow the columns as they come */
}

/* ---- the fast row scanner --------------------------------------------------- */

int slab__csv_fast_off = 0;

static const double fast_pow10[16] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* Reads a plain number at *pp: 1 to 15 digits with at most one '.', up to
 * sep or end. The digits form m < 10^15 < 2^53 and 10^k (k <= 15 fraction
 * digits) is exact, so one division rounds m / 10^k correctly: strtod's
 * bits, and slab_parse_decimal_fast's (get_num's) on the same text.
 * Returns 0 for anything else (signs, spaces, exponents, more digits,
 * empty), which the general path then reads. */
static inline int fast_num(const char **pp, const char *end, char sep, double *out)
{
    const char *p = *pp, *s0 = p;
    uint64_t m = 0; /* wraps past 19 digits: such a field is refused below */
    unsigned d;
    while (p < end && (d = (unsigned)(unsigned char)*p - '0') < 10) {
        m = m * 10 + d;
        p++;
    }
    size_t nd = (size_t)(p - s0), frac = 0;
    if (p < end && *p == '.') {
        const char *f0 = ++p;
        while (p < end && (d = (unsigned)(unsigned char)*p - '0') < 10) {
            m = m * 10 + d;
            p++;
        }
        frac = (size_t)(p - f0);
        nd += frac;
    }
    if ((p < end && *p != sep) || nd == 0 || nd > 15)
        return 0;
    double v = (double)m;
    if (frac > 0)
        v /= fast_pow10[frac];
    *out = v;
    *pp = p;
    return 1;
}

/* Sets up fast_row() for the format and columns the header gave. */
static void fast_setup(loader *L)
{
    static const signed char bt[8] = {R_DATE, R_TIME, R_OPEN, R_HIGH,
                                      R_LOW,  R_CLOSE, R_VOLUME, R_OI};
    L->fast = !slab__csv_fast_off && L->fmt != SLAB_CSV_YAHOO;
    if (L->fmt == SLAB_CSV_BTCSV) {
        L->lay[0].n = 7;
        L->lay[0].role[0] = R_DATE;
        memcpy(L->lay[0].role + 1, bt + 2, 6);
        L->lay[1].n = 8;
        L->lay[1].has_time_col = 1;
        memcpy(L->lay[1].role, bt, 8);
        return;
    }
    fast_layout *y = &L->lay[0];
    y->n = L->ncols;
    if (y->n < 1 || y->n > SLAB_CSV_FIELDS_MAX) {
        L->fast = 0;
        return;
    }
    memset(y->role, -1, sizeof y->role);
    for (int r = 0; r < R_COUNT; r++) {
        int c = L->col[r];
        if (r == R_ADJ || c < 0)
            continue;
        if (c >= y->n || y->role[c] != -1) {
            L->fast = 0; /* one column in two roles: the general path reads it */
            return;
        }
        y->role[c] = (signed char)r;
    }
    y->has_time_col = L->col[R_TIME] >= 0;
    y->allow_time = L->col[R_TIME] < 0;
}

/* Reads, checks and appends a row of the common shapes in one pass over
 * the line: plain numbers (fast_num), HH:MM:SS times, dates through
 * get_date's parse (the same text as the last row's costs a compare).
 * Returns 1 when the bar was appended, 0 when the row needs the general
 * path (anything unusual, and every row with a problem: its message comes
 * from there), -1 when appending failed (L->rowerr says why). It changes
 * nothing before it returns 1, except what the general path would change
 * identically (the date cache, the report's day_index). */
static int fast_row(loader *L, const char *line, size_t len, slab_status *st)
{
    const char *p = line, *end = line + len;
    const char sep = L->sep;
    const fast_layout *y = &L->lay[0];
    double v[R_COUNT];
    int64_t clock_ns = SLAB_SESSION_END_NS, dts;
    field df = {NULL, 0};
    int dcol = 0, dh = 0;

    if (L->fmt == SLAB_CSV_BTCSV) { /* Time after Date: 8 fields */
        const char *q = memchr(line, sep, len);
        if (q && end - q > 9 && q[3] == ':' && q[6] == ':' && q[9] == sep)
            y = &L->lay[1];
    }
    v[R_VOLUME] = v[R_OI] = 0.0;
    for (int k = 0; k < y->n; k++) {
        if (k > 0) {
            if (p == end) /* *p == sep here */
                return 0;
            p++;
        }
        int r = y->role[k];
        if (r == R_DATE) {
            const char *s0 = p;
            for (; p < end && *p != sep; p++)
                if (!*p)
                    return 0;
            df.s = s0;
            df.len = (size_t)(p - s0);
            dcol = k;
        } else if (r == R_TIME) {
            const char *t = p;
            if (end - p < 8 || (end - p > 8 && t[8] != sep) || t[2] != ':' || t[5] != ':')
                return 0;
            unsigned h1 = (unsigned)t[0] - '0', h2 = (unsigned)t[1] - '0';
            unsigned m1 = (unsigned)t[3] - '0', m2 = (unsigned)t[4] - '0';
            unsigned s1 = (unsigned)t[6] - '0', s2 = (unsigned)t[7] - '0';
            if (h1 > 9 || h2 > 9 || m1 > 9 || m2 > 9 || s1 > 9 || s2 > 9)
                return 0;
            unsigned hh = h1 * 10 + h2, mm = m1 * 10 + m2, ss = s1 * 10 + s2;
            if (hh >= 24 || mm >= 60 || ss >= 60)
                return 0;
            clock_ns = ((int64_t)hh * 3600 + mm * 60 + ss) * SLAB_NS_PER_SEC;
            p += 8;
        } else if (r < 0) {
            for (; p < end && *p != sep; p++)
                if (!*p)
                    return 0;
        } else if (!fast_num(&p, end, sep, &v[r])) {
            return 0;
        }
    }
    if (p != end || !df.s)
        return 0;
    if (df.len && df.len == L->date_len && y->allow_time == L->date_allow_time &&
        !memcmp(df.s, L->date_text, df.len)) { /* get_date's cache, inline */
        dts = L->date_ts;
        dh = L->date_has_time;
    } else if (get_date_field(L, trim(df), dcol, y->allow_time, &dts, &dh) != SLAB_OK) {
        return 0;
    }
    int has_time = y->has_time_col || dh;
    int64_t ts = dts + (y->has_time_col || !dh ? clock_ns : 0);
    /* slab__bar_problem's rules, and the order of time */
    const double o = v[R_OPEN], h = v[R_HIGH], l = v[R_LOW], c = v[R_CLOSE];
    if (!(o >= SLAB_PRICE_MIN && o <= SLAB_PRICE_MAX && h >= SLAB_PRICE_MIN &&
          h <= SLAB_PRICE_MAX && l >= SLAB_PRICE_MIN && l <= SLAB_PRICE_MAX &&
          c >= SLAB_PRICE_MIN && c <= SLAB_PRICE_MAX && h >= l && l <= o && l <= c && h >= o &&
          h >= c && v[R_VOLUME] <= SLAB_VOLUME_MAX))
        return 0;
    if (L->last_row != 0 && ts <= L->last_ts)
        return 0;
    if ((*st = push_bar(L, ts, o, h, l, c, v[R_VOLUME], v[R_OI], &L->rowerr)) != SLAB_OK)
        return -1;
    L->last_ts = ts;
    L->last_row = L->row;
    L->rep->has_time |= has_time;
    L->rep->rows_loaded++;
    return 1;
}

/* Parses, checks and appends the current line; a problem goes into
 * L->rowerr. */
static slab_status load_row(loader *L)
{
    row_vals rv = {0};
    int dropped = 0;
    slab_status st;

    switch (L->fmt) {
    case SLAB_CSV_YAHOO: st = yahoo_row(L, &rv, &dropped); break;
    case SLAB_CSV_BTCSV: st = btcsv_row(L, &rv); break;
    default: st = generic_row(L, &rv); break;
    }
    if (st == SLAB_OK && dropped) {
        L->rep->rows_null++;
        return SLAB_OK;
    }
    if (st != SLAB_OK || (st = check_row(L, &rv)) != SLAB_OK)
        return st;
    if ((st = push_bar(L, rv.ts_ns, rv.v[R_OPEN], rv.v[R_HIGH], rv.v[R_LOW], rv.v[R_CLOSE],
                       rv.v[R_VOLUME], rv.v[R_OI], &L->rowerr)) != SLAB_OK)
        return st;
    L->last_ts = rv.ts_ns;
    L->last_row = L->row;
    L->rep->has_time |= rv.has_time;
    L->rep->rows_loaded++;
    return SLAB_OK;
}

/* ---- header ------------------------------------------------------------------ */

/* Normalizes a header name into out: lower case, without spaces, tabs,
 * '_', quotes or a UTF-8 byte order mark. */
static void norm_name(const char *s, size_t len, char *out, size_t n)
{
    size_t k = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
    }
    for (size_t i = 0; i < len && k + 1 < n; i++)
        if (!strchr(" \t_\"'", s[i]))
            out[k++] = (char)tolower((unsigned char)s[i]);
    out[k] = '\0';
}

/* 1 when the header's normalized names are exactly names[0..n-1]. */
static int header_is(const loader *L, const char *const *names, int n)
{
    char nm[64];
    if (L->nf != n)
        return 0;
    for (int i = 0; i < n; i++) {
        norm_name(L->f[i].s, L->f[i].len, nm, sizeof nm);
        if (strcmp(nm, names[i]) != 0)
            return 0;
    }
    return 1;
}

/* Index of the header column whose normalized name is want, or -1. */
static int find_col(const loader *L, const char *want)
{
    char nm[64], w[64];
    norm_name(want, strlen(want), w, sizeof w);
    for (int i = 0; i < L->nf && i < SLAB_CSV_FIELDS_MAX; i++) {
        norm_name(L->f[i].s, L->f[i].len, nm, sizeof nm);
        if (strcmp(nm, w) == 0)
            return i;
    }
    return -1;
}

/* "Date, Open, ..." from the header, for messages. */
static const char *header_list(loader *L, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < L->nf && i < SLAB_CSV_FIELDS_MAX && k + 1 < n; i++) {
        int w = snprintf(buf + k, n - k, "%s%s", i ? ", " : "", show(L, L->f[i]));
        if (w < 0)
            break;
        k += (size_t)w;
    }
    return buf;
}

/* Maps the generic format's columns by name (options first, then the
 * usual names). date, open, high, low and close are required. */
static slab_status map_generic(loader *L)
{
    const char *const user[R_COUNT] = {L->opt.col_date,
                                       L->opt.col_time,
                                       L->opt.col_open,
                                       L->opt.col_high,
                                       L->opt.col_low,
                                       L->opt.col_close,
                                       NULL,
                                       L->opt.col_volume,
                                       L->opt.col_oi};
    char cols[400];

    L->ncols = L->nf;
    for (int r = 0; r < R_COUNT; r++) {
        L->col[r] = -1;
        if (user[r]) {
            if ((L->col[r] = find_col(L, user[r])) < 0) {
                slab_status st = row_fail(
                    L, SLAB_EPARSE, 0,
                    "no column named '%.40s' (for %s) in the header; columns are: %s", user[r],
                    role_name[r], header_list(L, cols, sizeof cols));
                slab_error_set_code(&L->rowerr, SLAB_EC_UNKNOWN_COLUMN);
                return st;
            }
            continue;
        }
        for (int a = 0; a < 4 && role_alias[r][a] && L->col[r] < 0; a++)
            L->col[r] = find_col(L, role_alias[r][a]);
        int required = r == R_DATE || (r >= R_OPEN && r <= R_CLOSE);
        if (required && L->col[r] < 0) {
            slab_status st = row_fail(L, SLAB_EPARSE, 0,
                                      "no %s column in the header; columns are: %s (name it "
                                      "with --col %s=NAME)",
                                      role_name[r], header_list(L, cols, sizeof cols),
                                      role_name[r]);
            slab_error_set_code(&L->rowerr, SLAB_EC_UNKNOWN_COLUMN);
            slab_error_fix(&L->rowerr, "pass --col %s=NAME with NAME one of the header's columns",
                           role_name[r]);
            return st;
        }
    }
    return SLAB_OK;
}

/* Reads the header line: picks the format (auto), maps the columns. */
static slab_status read_header(loader *L, const char *line, size_t len)
{
    field first;

    L->sep = memchr(line, ';', len) && !memchr(line, ',', len) ? ';' : ',';
    split(L, line, len);
    if (L->nf > SLAB_CSV_FIELDS_MAX)
        return row_fail(L, SLAB_EPARSE, SLAB_CSV_FIELDS_MAX, "more than %d fields on one line",
                        SLAB_CSV_FIELDS_MAX);
    first = trim(L->f[0]);
    if (first.len && isdigit((unsigned char)first.s[0]))
        return row_fail(L, SLAB_EPARSE, 0,
                        "expected a header line naming the columns "
                        "(Date,Open,High,Low,Close,...), found '%s'",
                        show(L, first));
    if (L->fmt == SLAB_CSV_AUTO) {
        if (header_is(L, yahoo_header, 7))
            L->fmt = SLAB_CSV_YAHOO;
        else if (header_is(L, btcsv_header, 7) || header_is(L, btcsv_time_header, 8))
            L->fmt = SLAB_CSV_BTCSV;
        else
            L->fmt = SLAB_CSV_GENERIC;
    }
    L->rep->format = L->fmt;
    if (L->fmt == SLAB_CSV_GENERIC)
        return map_generic(L);
    /* Yahoo columns are fixed; btcsv_row() sets its own per row. */
    static const int yahoo_cols[R_COUNT] = {0, -1, 1, 2, 3, 4, 5, 6, -1};
    memcpy(L->col, yahoo_cols, sizeof L->col);
    return SLAB_OK;
}

/* ---- loading ------------------------------------------------------------------ */

/* Records a row problem as a skip (skip_bad_rows) or hands it to the caller. */
static slab_status row_problem(loader *L, slab_status st, slab_error *err)
{
    if (L->opt.skip_bad_rows && (st == SLAB_EPARSE || st == SLAB_EDATA)) {
        if (L->rep->rows_skipped++ == 0)
            slab_error_text(&L->rowerr, L->rep->first_skip, sizeof L->rep->first_skip);
        return SLAB_OK;
    }
    if (err)
        *err = L->rowerr;
    return st;
}

/* Fails on a line the reader could not return (-1: too long, -2: I/O). */
static slab_status reader_fail(loader *L, int rc, slab_error *err)
{
    char where[SLAB_ERR_WHERE_MAX];
    snprintf(where, sizeof where, "%s:%ld:1", L->path, L->row);
    if (rc == -1)
        slab_error_set(err, SLAB_ELIMIT, where,
                       "line longer than %d bytes: expected a CSV file of bars",
                       SLAB_CSV_LINE_MAX);
    else
        slab_error_fail(err, SLAB_EC_CANNOT_READ, where, "read failed: %s", strerror(errno));
    slab_error_at_file(err, L->path, L->row, 1);
    return rc == -1 ? SLAB_ELIMIT : SLAB_EIO;
}

/* Refuses a line with a NUL byte, which no text CSV has: a UTF-16 file
 * (ASCII text with every other byte NUL) or a binary one. */
static slab_status text_only(loader *L, const char *line, size_t len)
{
    const char *z = memchr(line, '\0', len);
    int col0 = 0;

    if (!z)
        return SLAB_OK;
    if (L->row == 1 && len >= 2 &&
        (memcmp(line, "\xFF\xFE", 2) == 0 || memcmp(line, "\xFE\xFF", 2) == 0))
        return row_fail(L, SLAB_EPARSE, 0,
                        "the file is UTF-16 (it starts with a UTF-16 byte order mark): save it "
                        "as UTF-8 or ASCII text");
    for (const char *p = line; p < z; p++)
        col0 += *p == ',';
    return row_fail(L, SLAB_EPARSE, col0,
                    "NUL byte in the line: expected text (a UTF-16 file must be saved as UTF-8; "
                    "a binary file is not a CSV of bars)");
}

/* Reads the header and every data row of an open file into L->bars. */
static slab_status read_rows(loader *L, reader *r, slab_error *err)
{
    char *line;
    size_t len;
    int rc;
    slab_status st;

    L->row = 1;
    if ((rc = next_line(r, &line, &len)) < 0)
        return reader_fail(L, rc, err);
    if (rc == 0) {
        slab_error_set(err, SLAB_EPARSE, L->path,
                       "empty file: expected a header line such as "
                       "Date,Open,High,Low,Close,Volume");
        slab_error_set_code(err, SLAB_EC_BAD_CSV_HEADER);
        slab_error_at_file(err, L->path, 0, 0);
        return SLAB_EPARSE;
    }
    if (len == 0)
        st = row_fail(L, SLAB_EPARSE, 0,
                      "empty header line: expected one such as Date,Open,High,Low,Close,Volume");
    else if ((st = text_only(L, line, len)) == SLAB_OK)
        st = read_header(L, line, len);
    if (st != SLAB_OK) {
        if (err)
            *err = L->rowerr;
        return st;
    }
    if (L->opt.yahoo_adjust && L->fmt != SLAB_CSV_YAHOO)
        return slab_error_set(err, SLAB_EINVAL, L->path,
                              "yahoo_adjust needs a Yahoo file (Date,Open,High,Low,Close,"
                              "Adj Close,Volume); this file reads as %s",
                              slab_csv_format_name(L->fmt));
    fast_setup(L);
    while ((rc = next_line(r, &line, &len)) != 0) {
        L->row++;
        if (rc < 0)
            return reader_fail(L, rc, err);
        if (len == 0)
            continue; /* a blank line holds no bar */
        if (L->rep->rows_read++ == 0)
            reserve_guess(L, len);
        if (L->fast) {
            int got = fast_row(L, line, len, &st);
            if (got > 0)
                continue;
            if (got < 0) {
                if ((st = row_problem(L, st, err)) != SLAB_OK)
                    return st;
                continue;
            }
        }
        split(L, line, len);
        if (((st = text_only(L, line, len)) != SLAB_OK || (st = load_row(L)) != SLAB_OK) &&
            (st = row_problem(L, st, err)) != SLAB_OK)
            return st;
    }
    return SLAB_OK;
}

slab_status slab__csv_load_stream(FILE *f, const char *path, const slab_csv_options *opt,
                                  slab_bars **out, slab_load_report *rep, slab_error *err)
{
    slab_load_report local_rep;
    reader r = {.f = f};
    loader *L = NULL;
    slab_status st = SLAB_OK;

    *out = NULL;
    if (!rep)
        rep = &local_rep;
    memset(rep, 0, sizeof *rep);
    L = slab_calloc(1, sizeof *L);
    r.buf = slab_malloc(READ_CHUNK);
    r.sha = slab_sha256_new();
    if (!L || !r.buf || !r.sha || !(L->bars = slab_bars_new(0))) {
        st = slab_error_set(err, SLAB_ENOMEM, path, "out of memory starting to read");
        goto out;
    }
    L->path = path;
    L->oi_zero = 1;
    struct stat sb;
    int fd = fileno(f);
    L->file_size = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) ? (long long)sb.st_size : -1;
    if (opt)
        L->opt = *opt;
    L->rep = rep;
    L->fmt = L->opt.format;
    if ((st = read_rows(L, &r, err)) != SLAB_OK)
        goto out;
    if (L->bars->n == 0) {
        if (rep->rows_skipped)
            st = slab_error_set(err, SLAB_EDATA, path,
                                "all %zu data rows were skipped; the first: %s", rep->rows_skipped,
                                rep->first_skip);
        else
            st = slab_error_set(err, SLAB_EDATA, path, "no bars: the file has no usable data rows");
        slab_error_set_code(err, SLAB_EC_NO_BARS);
        slab_error_at_file(err, path, 0, 0);
        goto out;
    }
    finish_oi(L);
    slab_sha256_final(r.sha, L->bars->sha256);
    snprintf(L->bars->source, sizeof L->bars->source, "%s", path);
    slab_bars_infer_timeframe(L->bars, &L->bars->timeframe, &L->bars->compression);
    *out = L->bars;
    L->bars = NULL;
out:
    if (L)
        slab_bars_free(L->bars);
    slab_free(L);
    slab_free(r.buf);
    slab_sha256_free(r.sha);
    return st;
}

slab_status slab_csv_load(const char *path, const slab_csv_options *opt, slab_bars **out,
                          slab_load_report *rep, slab_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *out = NULL;
        if (rep)
            memset(rep, 0, sizeof *rep);
        int e = errno;
        slab_error_fail(err, e == ENOENT ? SLAB_EC_FILE_NOT_FOUND : SLAB_EC_CANNOT_READ, path,
                        "cannot open: %s", strerror(e));
        slab_error_at_file(err, path, 0, 0);
        return SLAB_EIO;
    }
    slab_status st = slab__csv_load_stream(f, path, opt, out, rep, err);
    fclose(f);
    return st;
}

/* ---- names --------------------------------------------------------------------- */

static const char *const format_names[] = {"auto", "yahoo", "btcsv", "generic"};

const char *slab_csv_format_name(slab_csv_format f)
{
    if ((int)f < 0 || (size_t)f >= sizeof format_names / sizeof format_names[0])
        return "?";
    return format_names[f];
}

slab_status slab_csv_format_parse(const char *s, slab_csv_format *f, slab_error *err)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++)
        if (!strcasecmp(s, format_names[i])) {
            *f = (slab_csv_format)i;
            return SLAB_OK;
        }
    return slab_error_set(err, SLAB_EPARSE, NULL,
                          "bad format '%.40s': expected auto, yahoo, btcsv or generic", s);
}

/* ---- writing -------------------------------------------------------------------- */

/* Writes one bar as a backtrader CSV row. */
static void write_row(FILE *f, const slab_bars *b, size_t i, int with_time)
{
    char d[40], nums[6][40];
    const double v[6] = {b->open[i], b->high[i], b->low[i], b->close[i], b->volume[i], b->oi[i]};
    int64_t day = slab_ts_day(b->ts_ns[i]);
    int64_t tod = b->ts_ns[i] - day * SLAB_NS_PER_DAY;

    slab_time_format(b->ts_ns[i], 1, d, sizeof d);
    fputs(d, f);
    if (with_time) {
        int64_t secs = tod / SLAB_NS_PER_SEC, frac = tod % SLAB_NS_PER_SEC;
        fprintf(f, ",%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
        if (frac % 1000)
            fprintf(f, ".%09d", (int)frac);
        else if (frac)
            fprintf(f, ".%06d", (int)(frac / 1000));
    }
    for (int k = 0; k < 6; k++)
        fprintf(f, ",%s", slab__num_format(v[k], nums[k], sizeof nums[k]));
    fputc('\n', f);
}

slab_status slab_csv_write(const slab_bars *b, const char *path, slab_error *err)
{
    int with_time = 0;
    FILE *f;

    for (size_t i = 0; i < b->n && !with_time; i++)
        with_time = b->ts_ns[i] - slab_ts_day(b->ts_ns[i]) * SLAB_NS_PER_DAY != SLAB_SESSION_END_NS;
    if (!(f = fopen(path, "w")))
        return slab_error_set(err, SLAB_EIO, path, "cannot create: %s", strerror(errno));
    fprintf(f, "Date,%sOpen,High,Low,Close,Volume,OpenInterest\n", with_time ? "Time," : "");
    for (size_t i = 0; i < b->n; i++)
        write_row(f, b, i, with_time);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return slab_error_set(err, SLAB_EIO, path, "write failed: %s", strerror(errno));
    return SLAB_OK;
}
