/* core.h: status codes, error detail, time, exact summation: the layer
 * every other stratlab module stands on.
 * Invariant: a fallible function returns a slab_status and, when it is not
 * SLAB_OK, has written a message with its location into the caller's
 * slab_error (a fixed buffer, so it works even when memory is gone). */
#ifndef STRATLAB_CORE_H
#define STRATLAB_CORE_H

#include <stddef.h>
#include <stdint.h>

#define SLAB_VERSION "0.1.0"

/* One status enum for every fallible call in the library. */
typedef enum slab_status {
    SLAB_OK = 0,
    SLAB_ENOMEM,    /* an allocation failed */
    SLAB_EINVAL,    /* bad argument or option from the caller */
    SLAB_EIO,       /* a file could not be opened, read or written */
    SLAB_EPARSE,    /* malformed input text (CSV, JSON, parameter) */
    SLAB_EDATA,     /* well-formed but inconsistent data (high < low ...) */
    SLAB_ERANGE,    /* a value outside its allowed range */
    SLAB_ENOTFOUND, /* unknown name: strategy, symbol, indicator */
    SLAB_EDB,       /* the SQLite store reported an error */
    SLAB_ELIMIT,    /* a size cap was reached */
    SLAB_EINTERNAL  /* a bug in stratlab: please report it */
} slab_status;

/* ---- error codes --------------------------------------------------------
 * Every failure carries a stable, machine-readable code ("unknown_strategy")
 * besides its slab_status: the status says what kind of thing went wrong
 * for C callers, the code names the exact problem for agents (the JSON
 * error document's "code", the HTTP/MCP error), and never changes meaning
 * once released. Each code has one row in the table in src/core/error.c:
 * its name, the status it implies, its class (which decides the CLI's exit
 * status) and a default fix. To add one: append an enumerator below (in its
 * group; the numbers are not part of the interface, the names are), add its
 * row to that table, and list it in README.md's error table (a unit test
 * checks that every enumerator has a row). */

/* What kind of failure a code is; the CLI's exit status follows from it. */
typedef enum slab_errclass {
    SLAB_CLASS_OK = 0,   /* no failure (exit 0) */
    SLAB_CLASS_RUN,      /* the run or check ran and failed (exit 1) */
    SLAB_CLASS_USAGE,    /* the command or request is wrong: fix it (exit 2) */
    SLAB_CLASS_DATA,     /* an input file, stored series or spec is unusable (exit 3) */
    SLAB_CLASS_SYSTEM,   /* the machine: I/O, the store, memory (exit 4) */
    SLAB_CLASS_INTERNAL  /* a bug in stratlab: please report it (exit 5) */
} slab_errclass;

typedef enum slab_errcode {
    SLAB_EC_NONE = 0, /* no specific code: the status's generic code is used */
    /* generic codes, one per slab_status (what slab_error_set() records) */
    SLAB_EC_OUT_OF_MEMORY,
    SLAB_EC_INVALID_ARGUMENT,
    SLAB_EC_IO_ERROR,
    SLAB_EC_PARSE_ERROR,
    SLAB_EC_BAD_DATA,
    SLAB_EC_OUT_OF_RANGE,
    SLAB_EC_NOT_FOUND,
    SLAB_EC_STORE_ERROR,
    SLAB_EC_LIMIT_REACHED,
    SLAB_EC_INTERNAL_ERROR,
    /* the command line and requests (usage) */
    SLAB_EC_UNKNOWN_COMMAND,     /* no such subcommand */
    SLAB_EC_UNKNOWN_OPTION,      /* no such flag or JSON key */
    SLAB_EC_MISSING_VALUE,       /* a flag without its value */
    SLAB_EC_BAD_VALUE,           /* a value of the wrong type, form or range */
    SLAB_EC_MISSING_OPTION,      /* a required option is absent */
    SLAB_EC_CONFLICTING_OPTIONS, /* options that exclude each other */
    SLAB_EC_REPEATED_OPTION,     /* given more times than allowed */
    SLAB_EC_REVERSED_RANGE,      /* --from after --to */
    SLAB_EC_BAD_JSON,            /* a JSON text that does not parse */
    SLAB_EC_UNKNOWN_STRATEGY,    /* no such built-in strategy */
    SLAB_EC_UNKNOWN_PARAM,       /* the strategy or indicator has no such parameter */
    SLAB_EC_BAD_PARAM,           /* a parameter value that is not allowed */
    SLAB_EC_UNKNOWN_INDICATOR,   /* no such indicator */
    /* input data */
    SLAB_EC_FILE_NOT_FOUND,      /* an input file does not exist */
    SLAB_EC_CANNOT_READ,         /* an input file exists but cannot be read */
    SLAB_EC_BAD_CSV_HEADER,      /* the CSV header is missing or not understood */
    SLAB_EC_UNKNOWN_COLUMN,      /* a column the options name, or a required one, is absent */
    SLAB_EC_BAD_CSV_ROW,         /* a data row that does not parse or is inconsistent */
    SLAB_EC_NO_BARS,             /* no bars to run on (empty file, range or import) */
    SLAB_EC_UNKNOWN_SYMBOL,      /* the store has no such symbol/timeframe */
    SLAB_EC_NO_STORE,            /* no store at the path read from (nothing imported) */
    /* runs */
    SLAB_EC_RUN_FAILED,          /* the engine stopped with an error */
    SLAB_EC_MARGIN_ALL_REJECTED, /* every entry order was refused for cash */
    SLAB_EC_MARGIN_REJECTED,     /* some orders were refused for cash (a warning) */
    SLAB_EC_LOOKAHEAD_REFUSED,   /* the strategy asked for future bars (a warning) */
    /* the machine */
    SLAB_EC_WRITE_FAILED,        /* an output file could not be written */
    /* the service (HTTP and MCP) */
    SLAB_EC_UNAUTHORIZED,        /* no API key, or not a valid one (HTTP 401) */
    SLAB_EC_METHOD_NOT_ALLOWED,  /* the path exists, the method does not (HTTP 405) */
    SLAB_EC_TOO_LARGE,           /* a request body over the limit (HTTP 413) */
    SLAB_EC_BUSY,                /* the queue is full or the wait too long (HTTP 503) */
    SLAB_EC_RATE_LIMITED,        /* too many requests for this key (HTTP 429) */
    SLAB_EC_SHUTTING_DOWN,       /* the server is stopping; no new jobs (HTTP 503) */
    SLAB_EC_UNKNOWN_TEMPLATE,    /* no such script template */
    SLAB_EC_COUNT                /* number of codes (not a code) */
} slab_errcode;

/* One row of the code table. */
typedef struct slab_errcode_def {
    slab_errcode code;
    const char *name;    /* "unknown_strategy": stable, snake_case */
    slab_status status;  /* the status a failure with this code returns */
    slab_errclass klass; /* decides the CLI exit status */
    const char *summary; /* one line: what the code means */
    const char *fix;     /* the default fix, when the error gives none */
} slab_errcode_def;

/* The table, in enum order; *n gets SLAB_EC_COUNT. */
const slab_errcode_def *slab_errcode_table(size_t *n);
/* The row of code (the row of SLAB_EC_INTERNAL_ERROR for an invalid one). */
const slab_errcode_def *slab_errcode_get(slab_errcode code);
/* "unknown_strategy"; "none" for SLAB_EC_NONE. */
const char *slab_errcode_name(slab_errcode code);
/* The code named name, or SLAB_EC_NONE. */
slab_errcode slab_errcode_find(const char *name);
/* The class's CLI exit status: 0 ok, 1 run, 2 usage, 3 data, 4 system,
 * 5 internal (README "Exit status"). */
int slab_errclass_exit(slab_errclass c);
/* "ok", "run", "usage", "data", "system", "internal". */
const char *slab_errclass_name(slab_errclass c);

/* ---- error detail ---------------------------------------------------------- */
#define SLAB_ERR_WHERE_MAX 256
#define SLAB_ERR_MSG_MAX 768
#define SLAB_ERR_FIX_MAX 384
#define SLAB_ERR_WORD_MAX 64
#define SLAB_ERR_CHOICES_MAX 512

/* How to read slab_error.where. */
typedef enum slab_where_kind {
    SLAB_WHERE_NONE = 0, /* no location */
    SLAB_WHERE_TEXT,     /* free text (a path, a symbol, a name) */
    SLAB_WHERE_FILE,     /* "path:line:col" (line/col 0 when unknown); see line, col */
    SLAB_WHERE_OPTION,   /* a command-line flag: "--cash" */
    SLAB_WHERE_POINTER   /* an RFC 6901 JSON pointer: "/params/fast" */
} slab_where_kind;

/* Error detail kept by the caller; never heap-allocated, so it works with
 * no memory left. slab_error_set() and slab_error_fail() reset every field. */
typedef struct slab_error {
    slab_status code;               /* same as the returned status */
    char where[SLAB_ERR_WHERE_MAX]; /* "file:row:col", "--option", "/json/pointer", "" */
    char msg[SLAB_ERR_MSG_MAX];     /* what is wrong (and, briefly, what to do) */
    slab_errcode id;                /* stable code; SLAB_EC_NONE: the status's generic
                                       code (read it with slab_error_code()) */
    slab_where_kind where_kind;     /* how to read where */
    long line, col;                 /* SLAB_WHERE_FILE: 1-based line and column, 0 unknown */
    char fix[SLAB_ERR_FIX_MAX];     /* what to change; "" = the code's default fix */
    char suggest[SLAB_ERR_WORD_MAX];      /* closest valid name ("fast"), or "" */
    char choices[SLAB_ERR_CHOICES_MAX];   /* the valid names, ", "-separated, or "" */
} slab_error;

/* Returns a short constant name for st ("invalid argument"). */
const char *slab_status_str(slab_status st);

/* Records st with a location and a printf-style message; returns st so a
 * caller can write `return slab_error_set(err, SLAB_EINVAL, where, ...)`.
 * err may be NULL (the detail is then dropped); where may be NULL. The code
 * is the status's generic one; where is read as an option when it starts
 * with "--", as text otherwise. Prefer slab_error_fail() in new code. */
slab_status slab_error_set(slab_error *err, slab_status st, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a failure with a stable code: the status comes from the code's
 * row; where as for slab_error_set(). Returns that status:
 *   return slab_error_fail(err, SLAB_EC_UNKNOWN_STRATEGY, "--strategy",
 *                    "unknown strategy '%s'", name);
 * Then, as needed: slab_error_fix(), slab_error_suggest(), slab_error_at_*(). */
slab_status slab_error_fail(slab_error *err, slab_errcode code, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Gives err a more specific code, keeping its status and message (for a
 * caller that knows more than the function that failed). */
void slab_error_set_code(slab_error *err, slab_errcode code);
/* Sets the fix ("pass --sizer percent:95 ..."), printf-style. */
void slab_error_fix(slab_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Locations: a file position (line, col 1-based, 0 = unknown; where becomes
 * "path:line:col"), a flag ("--cash") or a JSON pointer ("/cash"). */
void slab_error_at_file(slab_error *err, const char *path, long line, long col);
void slab_error_at_option(slab_error *err, const char *flag);
void slab_error_at_pointer(slab_error *err, const char *pointer);

/* Records the valid names (choices) and the closest one to word (suggest)
 * and returns that closest name, or NULL when none is close (see
 * slab_suggest()). err may be NULL. */
const char *slab_error_suggest(slab_error *err, const char *word, const char *const *names,
                               size_t n);

/* The code of err: its own, or the generic code of its status. */
slab_errcode slab_error_code(const slab_error *err);
/* The fix to show: err->fix, or the code's default fix. Never NULL. */
const char *slab_error_fix_text(const slab_error *err);

/* Clears err to SLAB_OK with empty strings. */
void slab_error_clear(slab_error *err);

/* Formats "where: msg" (or just msg) into buf; returns buf. */
const char *slab_error_text(const slab_error *err, char *buf, size_t n);

/* ---- suggestions ------------------------------------------------------------ */
/* Optimal-string-alignment distance (insert, delete, substitute, swap two
 * neighbours: each 1), case-insensitive; 64 for strings over 63 bytes. */
size_t slab_edit_distance(const char *a, const char *b);
/* The name in names[0..n-1] closest to word: at distance <= max(2,
 * len(word)/3), or the only name word is a prefix of (3+ letters). Ties go
 * to the first. NULL when none qualifies. */
const char *slab_suggest(const char *word, const char *const *names, size_t n);

/* ---- time ------------------------------------------------------------ */
/* Timestamps are int64 nanoseconds since 1970-01-01T00:00:00 in the
 * exchange's wall-clock time (no time zone is applied). */
#define SLAB_NS_PER_SEC 1000000000LL
#define SLAB_NS_PER_DAY (86400LL * SLAB_NS_PER_SEC)
/* backtrader stamps a bar without a time at the session end, 23:59:59.99999,
 * so daily bars carry this offset from midnight. */
#define SLAB_SESSION_END_NS (SLAB_NS_PER_DAY - 10000LL)

/* The supported calendar: whole years 1678..2261. int64 nanoseconds reach
 * 1677-09-21 .. 2262-04-11; keeping to whole years inside that leaves
 * room for every period that holds a bar (a year bucket ends on Dec 31),
 * so no timestamp arithmetic can overflow. Day numbers as below. */
#define SLAB_YEAR_MIN 1678
#define SLAB_YEAR_MAX 2261
#define SLAB_DAY_MIN (-106650) /* 1678-01-01 */
#define SLAB_DAY_MAX 106650    /* 2261-12-31 */

/* Days since 1970-01-01 for a proleptic Gregorian date (any int year). */
int64_t slab_days_from_civil(int y, int m, int d);
/* Inverse of slab_days_from_civil. */
void slab_civil_from_days(int64_t days, int *y, int *m, int *d);
/* Floor division of ts_ns by a day: the bar's calendar day number. */
int64_t slab_ts_day(int64_t ts_ns);
/* ISO weekday, 1 = Monday .. 7 = Sunday, of a day number. */
int slab_weekday(int64_t days);
/* ISO 8601 week-numbering year and week of a day number. */
void slab_iso_week(int64_t days, int *iso_year, int *iso_week);
/* Days in month m of year y. */
int slab_days_in_month(int y, int m);

/* Formats ts_ns as "YYYY-MM-DD" when date_only, else
 * "YYYY-MM-DDTHH:MM:SS" plus ".ffffff" when there are sub-second parts.
 * Returns buf. n must be at least 32. */
char *slab_time_format(int64_t ts_ns, int date_only, char *buf, size_t n);

/* Parses "YYYY-MM-DD", "YYYYMMDD", "YYYY-MM-DD HH:MM[:SS[.f]]" or with 'T'.
 * A date alone gives midnight; *has_time tells whether a time was present.
 * Returns SLAB_OK or SLAB_EPARSE (err->msg says what was expected). */
slab_status slab_time_parse(const char *s, size_t len, int64_t *ts_ns, int *has_time,
                            slab_error *err);

/* Monotonic clock in nanoseconds, for timings. */
int64_t slab_clock_ns(void);

/* ---- exact summation --------------------------------------------------- */
/* Shewchuk's exactly rounded summation, the algorithm behind Python's
 * math.fsum: the result is the correctly rounded sum of all added values.
 * Backtrader uses math.fsum in SMA, BollingerBands, SharpeRatio, SQN, VWR. */
#define SLAB_FSUM_PARTIALS 48
typedef struct slab_fsum {
    double p[SLAB_FSUM_PARTIALS]; /* non-overlapping partial sums */
    int n;                        /* partials in use */
    double special;               /* sum of inf/nan inputs, or 0 */
    int overflow;                 /* an intermediate overflowed */
} slab_fsum;

void slab_fsum_init(slab_fsum *s);
void slab_fsum_add(slab_fsum *s, double x);
/* The correctly rounded value of everything added so far. */
double slab_fsum_value(const slab_fsum *s);
/* fsum of an array, as Python's math.fsum(x[0..n-1]). */
double slab_fsum_array(const double *x, size_t n);
/* The same value as slab_fsum_array(x, n), bit for bit (inf/nan included),
 * by error-free transformations and an error bound that proves the rounding;
 * falls back to slab_fsum_array when it cannot (fsum.c). Several times
 * faster on ordinary data; for windows summed afresh each bar. */
double slab_fsum_fast(const double *x, size_t n);
/* fsum of (x[k] - avg)^2 for k < n (each difference and square rounded,
 * as pow(d, 2.0) compiles) and of extra[0..n_extra-1], bit for bit, as fast
 * as slab_fsum_fast: the sum of squared deviations of a standard deviation
 * without writing the squares. */
double slab_fsum_sqdev(const double *x, size_t n, double avg, const double *extra,
                       size_t n_extra);
/* slab_fsum_sqdev when every |x[k]| <= xmax (n_extra <= 4; xmax NaN: no
 * bound known, slab_fsum_sqdev itself): faster, from a
 * split of each square on a grid the bound fixes and a bound on the rest's
 * rounding; the same bits, by slab_fsum_sqdev where the bound does not
 * decide them. */
double slab_fsum_sqdev_within(const double *x, size_t n, double avg, double xmax,
                              const double *extra, size_t n_extra);
/* slab_fsum_sqdev_within for a caller that has proved every |x[k]| <=
 * xmax (no NaN): it does not check each square against the bound (a
 * fifth of the pass). With a false bound the result is not defined. */
double slab_fsum_sqdev_bounded(const double *x, size_t n, double avg, double xmax,
                               const double *extra, size_t n_extra);

/* A 128-bit two's complement integer, for exact sums of many 64-bit ones
 * (the exact sums above; no compiler's __int128 needed). Zero: {0, 0}. */
typedef struct slab_wide {
    uint64_t lo, hi;
} slab_wide;

/* w += v, v a signed 64-bit value given as its bits. */
static inline void slab_wide_add(slab_wide *w, uint64_t v)
{
    uint64_t lo = w->lo + v;
    w->hi += (lo < w->lo) + ((int64_t)v < 0 ? ~(uint64_t)0 : 0);
    w->lo = lo;
}

/* floor(w / 2^k) for 0 < k < 64, when it fits in 64 bits; w's low k bits
 * are w->lo & (2^k - 1), so w = that + 2^k this. */
static inline int64_t slab_wide_shr(const slab_wide *w, int k)
{
    return (int64_t)((w->hi << (64 - k)) | (w->lo >> k));
}
/* fsum(x[k] * (k + 1) for k < n), each product rounded first: the numerator
 * of backtrader's AverageWeighted (WMA), as fast as slab_fsum_fast. */
double slab_fsum_ramp(const double *x, size_t n);
/* sums[j] = slab_fsum_ramp(x + j, p) for j < count (x holds count + p - 1
 * values): every window of a WMA at once, several at a time. */
void slab_fsum_ramp_windows(const double *x, size_t count, size_t p, double *sums);
/* Sliding fsum: out[i] = fsum(x[i+1-p..i]) (of each x[j] * x[j], rounded,
 * when square) for p - 1 <= i < n; out[0..p-2] untouched. Returns 1 when
 * done; 0, with out unspecified, when the values leave its exact range (any
 * inf/nan, a nonzero magnitude below 2^-969 or above 2^877, or magnitudes
 * spanning more than 2^(52 - bits(p + 1)), 2^47 for p = 20): the caller
 * then sums with slab_fsum. Exact fixed point, O(1) a bar. */
int slab_fsum_window(const double *x, size_t n, size_t p, int square, double *out);
/* slab_fsum_window (square 0) for the k periods p[0..k-1] at once: out[j]
 * gets period p[j]'s windows. One exact prefix of x serves every period;
 * 0, with nothing promised of out, when the values leave the exact range
 * for the longest period or a prefix cannot be allocated. */
int slab_fsum_windows(const double *x, size_t n, const size_t *p, size_t k, double *const *out);

/* ---- numbers ------------------------------------------------------------ */
/* Parses a plain decimal ([+-]digits[.digits], at most 15 significant digits
 * and 22 decimals) exactly as strtod would, much faster; returns 1 and sets
 * *out, or 0 when the text needs strtod (exponents, long mantissas, junk). */
int slab_parse_decimal_fast(const char *s, size_t len, double *out);

/* Longest text slab_num_format() writes, NUL included. */
#define SLAB_NUM_TEXT_MAX 32
/* Writes the shortest decimal text that strtod() reads back as exactly x,
 * laid out as Python's repr(): plain digits for 1e-4 <= |x| < 1e16
 * ("0.1", "33.9510001", "100000", "-0"), else an exponent ("1e+16",
 * "5e-324", "1.2345678901234568e+300"); "nan", "inf", "-inf" otherwise.
 * Whole numbers carry no ".0" (the JSON writer adds it to keep a real a
 * real). n must be at least SLAB_NUM_TEXT_MAX. Returns buf. */
const char *slab_num_format(double x, char *buf, size_t n);
/* ---- text ------------------------------------------------------------- */
/* Writes s[0..len) into buf[n] as text that is safe to quote in a message:
 * valid UTF-8 is kept, control bytes and bytes that are not UTF-8 become
 * \xNN, and what does not fit is cut at a character boundary. Returns buf. */
const char *slab_text_show(const char *s, size_t len, char *buf, size_t n);

/* ---- hashing ----------------------------------------------------------- */
/* SHA-256 of a file as 64 lowercase hex characters plus NUL in hex[65]. */
slab_status slab_sha256_file(const char *path, char hex[65], slab_error *err);
/* SHA-256 of a memory block. */
void slab_sha256_mem(const void *data, size_t n, char hex[65]);
/* Streaming SHA-256, for bytes hashed as they are read (a pipe cannot be
 * read twice). slab_sha256_new returns an owned state, NULL when out of
 * memory; free it with slab_sha256_free() (NULL is a no-op). */
typedef struct slab_sha256 slab_sha256;
slab_sha256 *slab_sha256_new(void);
void slab_sha256_update(slab_sha256 *h, const void *data, size_t n);
/* Writes the digest of everything added as 64 hex characters plus NUL. */
void slab_sha256_final(slab_sha256 *h, char hex[65]);
void slab_sha256_free(slab_sha256 *h);

/* ---- allocation -------------------------------------------------------- */
/* All library allocation goes through these, so tests can fail them. */
void *slab_malloc(size_t n);
void *slab_calloc(size_t count, size_t size);
void *slab_realloc(void *p, size_t n);
void slab_free(void *p);
/* n bytes aligned to align (a power of two, a multiple of sizeof(void *)),
 * freed with slab_free: arrays read a cache line at a time (64). */
void *slab_malloc_aligned(size_t align, size_t n);
/* Grows the array *arr of *cap elements of sz bytes to hold at least need
 * (doubling from 16): 0, or -1 with *arr and *cap unchanged when out of
 * memory or need * sz would not fit in a size_t. */
int slab_grow(void **arr, size_t *cap, size_t need, size_t sz);
/* A hint that every byte of p[0..n) is about to be written: the whole
 * pages inside it are made the process's at once (Linux
 * MADV_POPULATE_WRITE), a quarter cheaper than a page fault on each first
 * write, which the pages already present skip; nothing where the system
 * has no such call. For large fresh arrays. */
void slab_prefault(void *p, size_t n);
/* Test hook: fail the k-th allocation from now (0 = never), counted over
 * every thread (atomically); arm and read it from one thread. */
void slab_alloc_fail_after(long k);
/* 1 when the failure armed by the last slab_alloc_fail_after() has
 * happened, so a test can drive k = 1, 2, ... until a call makes fewer
 * than k allocations. */
int slab_alloc_fail_fired(void);

#endif
