/* data.h: bar series (columns ts, open, high, low, close, volume, oi), the
 * CSV loaders (Yahoo, backtrader CSV, generic with a user mapping, with
 * format auto-detection), OHLC consistency checks and the deterministic
 * sample-data generator. Sits on core; everything above reads bars here.
 * Invariant: a loaded series has strictly increasing ts_ns and finite,
 * positive, consistent prices, or the loader returned an error. */
#ifndef STRATLAB_DATA_H
#define STRATLAB_DATA_H

#include "stratlab/core.h"

/* backtrader's TimeFrame values, in the same order. */
typedef enum slab_timeframe {
    SLAB_TF_TICKS = 1,
    SLAB_TF_MICROSECONDS,
    SLAB_TF_SECONDS,
    SLAB_TF_MINUTES,
    SLAB_TF_DAYS,
    SLAB_TF_WEEKS,
    SLAB_TF_MONTHS,
    SLAB_TF_YEARS
} slab_timeframe;

/* A bar series in columns. Owned by whoever created it; free with
 * slab_bars_free(). Column arrays hold n values (capacity cap). */
typedef struct slab_bars {
    size_t n;                          /* bars in use */
    size_t cap;                        /* allocated length of every column */
    int64_t *ts_ns;                    /* bar end time, ns since epoch (see core.h);
                                          daily bars: date + SLAB_SESSION_END_NS */
    double *open, *high, *low, *close; /* prices */
    double *volume;                    /* traded quantity, >= 0 */
    double *oi;                        /* open interest, 0 when absent */
    slab_timeframe timeframe;          /* bar period unit */
    int compression;                   /* bar period in units, e.g. 5 for 5m */
    char symbol[32];                   /* "ORCL"; may be empty for a file run */
    char source[512];                  /* file path; for a series loaded from the store,
                                          the path it was imported from */
    char sha256[65];                   /* SHA-256 of the source file, or "" */
} slab_bars;

/* The first index whose time is at or after t (b->n when none): a binary
 * search of the sorted times. */
size_t slab_bars_index_at(const slab_bars *b, int64_t t);

/* Returns an empty owned series with room for cap bars (cap may be 0);
 * NULL when out of memory. Free with slab_bars_free(). */
slab_bars *slab_bars_new(size_t cap);
/* Frees b and its columns; NULL is a no-op. */
void slab_bars_free(slab_bars *b);
/* Appends one bar, growing the columns (up to SLAB_BARS_MAX). */
#define SLAB_BARS_MAX ((size_t)1 << 31)
slab_status slab_bars_push(slab_bars *b, int64_t ts_ns, double open, double high, double low,
                           double close, double volume, double oi, slab_error *err);
/* Returns an owned copy of the bars with from_ns <= ts_ns <= to_ns
 * (INT64_MIN / INT64_MAX for an open end); SLAB_ERANGE if none remain. */
slab_status slab_bars_slice(const slab_bars *b, int64_t from_ns, int64_t to_ns, slab_bars **out,
                            slab_error *err);

/* Resamples intraday bars (seconds or minutes; stamped at their start, or
 * at their end with stamp_end) to tf/compression inside each session: a
 * whole multiple of their period, buckets counted from 09:30 (and stamped
 * the same way as the input), or 1 day (one bar a date, stamped at the
 * session end). First open, highest high, lowest low, last close, summed
 * volume, last open interest. Returns an owned series in *out, or
 * SLAB_EINVAL for a target it cannot make. */
slab_status slab_bars_resample(const slab_bars *b, int stamp_end, slab_timeframe tf,
                               int compression, slab_bars **out, slab_error *err);
/* Parses "1m", "5m", "15m", "1h", "1d", "1w", "1mo", "tick" (also
 * "minutes:5" style) into a timeframe and compression. */
slab_status slab_timeframe_parse(const char *s, slab_timeframe *tf, int *compression,
                                 slab_error *err);
/* "Days", "Minutes", ... as backtrader names them. */
const char *slab_timeframe_name(slab_timeframe tf);
/* Formats tf/compression as "1d", "5m" into buf; returns buf. */
const char *slab_timeframe_format(slab_timeframe tf, int compression, char *buf, size_t n);
/* Guesses the timeframe from the most common spacing between bars;
 * series without a time of day are SLAB_TF_DAYS/1 (or weeks/months when
 * spaced so). */
void slab_bars_infer_timeframe(const slab_bars *b, slab_timeframe *tf, int *compression);
/* Formats a bar time for people: "YYYY-MM-DD" for a session-end stamp (a
 * bar without a time of day), else "YYYY-MM-DDTHH:MM:SS[.ffffff]".
 * Returns buf; n must be at least 32. */
char *slab_bars_format_time(int64_t ts_ns, char *buf, size_t n);

/* ---- CSV loading -------------------------------------------------------- */
typedef enum slab_csv_format {
    SLAB_CSV_AUTO = 0, /* decide from the header */
    SLAB_CSV_YAHOO,    /* Date,Open,High,Low,Close,Adj Close,Volume */
    SLAB_CSV_BTCSV,    /* Date[,Time],Open,High,Low,Close,Volume,OpenInterest */
    SLAB_CSV_GENERIC   /* any header; columns mapped by name */
} slab_csv_format;

typedef struct slab_csv_options {
    slab_csv_format format; /* SLAB_CSV_AUTO by default */
    /* Yahoo only: backtrader YahooFinanceCSVData's adjclose=True, round=True,
     * decimals=2 (O/H/L scaled by AdjClose/Close, C := AdjClose, volume
     * scaled, each price rounded half-even to 2 decimals). 0 = raw prices. */
    int yahoo_adjust;
    /* Skip malformed or inconsistent rows and count them, instead of
     * failing on the first one. */
    int skip_bad_rows;
    /* Generic format: header names of each column; NULL picks the usual
     * names case-insensitively (date/datetime/timestamp, time, open, ...). */
    const char *col_date, *col_time, *col_open, *col_high, *col_low, *col_close, *col_volume;
    /* Generic format: open interest column; NULL picks "OpenInterest"/"OI"
     * when present, else open interest is 0. */
    const char *col_oi;
} slab_csv_options;

/* Longest accepted line, in bytes: a longer one is an error (SLAB_ELIMIT),
 * so a binary or runaway file cannot exhaust memory. */
#define SLAB_CSV_LINE_MAX (64 * 1024)
/* Most fields accepted on one line. */
#define SLAB_CSV_FIELDS_MAX 256

/* What a load saw, for the user; filled even when the load fails. */
typedef struct slab_load_report {
    slab_csv_format format;            /* the format used (after auto-detection) */
    size_t rows_read;                  /* data rows seen */
    size_t rows_loaded;                /* bars kept */
    size_t rows_skipped;               /* rows dropped by skip_bad_rows */
    size_t rows_null;                  /* Yahoo rows with a 'null' field, dropped as
                                          backtrader's YahooFinanceCSVData drops them */
    int day_index;                     /* dates were integer day numbers (0 = 1970-01-01) */
    int has_time;                      /* rows carried a time of day */
    char first_skip[SLAB_ERR_MSG_MAX]; /* the first skipped row's problem */
} slab_load_report;

/* Loads a CSV file into a new owned series (free with slab_bars_free()),
 * with source = path, sha256 of the file and the inferred timeframe.
 * opt and rep may be NULL (a zeroed slab_csv_options is the default).
 * On error *out is NULL and err->where is "path:row:col" (row: 1-based line
 * number in the file, col: 1-based field). */
slab_status slab_csv_load(const char *path, const slab_csv_options *opt, slab_bars **out,
                          slab_load_report *rep, slab_error *err);
/* Human name of a format: "auto", "yahoo", "btcsv", "generic". */
const char *slab_csv_format_name(slab_csv_format f);
/* Parses a format name as slab_csv_format_name() writes it. */
slab_status slab_csv_format_parse(const char *s, slab_csv_format *f, slab_error *err);
/* Writes b to path in backtrader CSV format (Date[,Time],Open,High,Low,
 * Close,Volume,OpenInterest; a Time column when any bar has a time of day),
 * each number in the shortest text that reads back as the same double, so
 * slab_csv_load() returns identical bars. */
slab_status slab_csv_write(const slab_bars *b, const char *path, slab_error *err);

/* Prices and volumes a bar may hold: inside these, no indicator's sums,
 * squares or price-times-volume products can overflow or underflow (a
 * 100000-bar window of squares of 1e100 is 1e205). */
#define SLAB_PRICE_MIN 1e-100
#define SLAB_PRICE_MAX 1e100
#define SLAB_VOLUME_MAX 1e100

/* Checks a series: prices from SLAB_PRICE_MIN to SLAB_PRICE_MAX, low <=
 * open/close <= high, volume from 0 to SLAB_VOLUME_MAX, strictly
 * increasing timestamps. Reports the first problem
 * with its bar index and time. */
slab_status slab_bars_check(const slab_bars *b, slab_error *err);

/* ---- sample data -------------------------------------------------------- */
/* A deterministic random walk with realistic OHLCV (same seed, same bars on
 * every machine): n bars of timeframe/compression starting at start_day
 * (day number, see core.h). Daily bars skip weekends; intraday bars run
 * 09:30-16:00 sessions. Returns an owned series. */
slab_status slab_sample_generate(uint64_t seed, size_t n, slab_timeframe tf, int compression,
                                 int64_t start_day, slab_bars **out, slab_error *err);

/* ---- earnings calendar ------------------------------------------------- */
/* One earnings release: the symbol, the day (day number) and when: before
 * the open (bmo) or after the close (amc). */
typedef struct slab_earnings {
    char symbol[32];
    int64_t day;
    int after_close; /* 1: amc, 0: bmo */
} slab_earnings;

/* The trading day before day: weekends and NYSE holidays skipped. */
int64_t slab_prev_trading_day(int64_t day);
/* 1 when one of e[0..n) for symbol falls on session day's watch: released
 * before day's open (bmo on day) or after the previous session's close
 * (amc on the trading day before). */
int slab_earnings_hit(const slab_earnings *e, size_t n, const char *symbol, int64_t day);

/* ---- synthetic markets (`data synth`) ---------------------------------- */
/* What to make: sessions from from_day to to_day (day numbers, inclusive;
 * weekends and NYSE holidays skipped), bars of timeframe/compression (1 to
 * 390 minutes, stamped at their start, or 1 day), from seed. The symbol
 * named index_symbol (may be NULL) is the market factor itself; every
 * other symbol moves with it by its own beta plus its own trend, noise and
 * gaps. */
typedef struct slab_synth_options {
    uint64_t seed;
    int64_t from_day, to_day;
    slab_timeframe timeframe;
    int compression;
    const char *index_symbol;
} slab_synth_options;

/* Makes symbol's bars (owned; free with slab_bars_free()): the same
 * options and symbol give the same bars on every machine, whatever other
 * symbols are made. SLAB_EINVAL for a timeframe it does not make,
 * SLAB_ERANGE for a range without a trading day. */
slab_status slab_synth_generate(const slab_synth_options *o, const char *symbol, slab_bars **out,
                                slab_error *err);
/* 1 when day (a day number) is an NYSE full-day holiday: New Year's Day,
 * Martin Luther King Jr. Day (from 1998), Washington's Birthday, Good
 * Friday, Memorial Day, Juneteenth (from 2022), Independence Day, Labor
 * Day, Thanksgiving, Christmas (observed on the nearest weekday; a
 * Saturday New Year's Day is not moved). Special closures are not known. */
int slab_nyse_holiday(int64_t day);

#endif
