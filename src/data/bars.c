/* bars.c: the column-oriented bar series every layer above reads, its
 * timeframe names, and the consistency check the loaders share.
 * Invariant: every column of a slab_bars holds cap slots of which the first
 * n are in use; growth never exceeds SLAB_BARS_MAX bars. */
#include "data_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GROW_FIRST 256 /* first capacity when a series grows from empty */

slab_bars *slab_bars_new(size_t cap)
{
    slab_bars *b = slab_calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->timeframe = SLAB_TF_DAYS;
    b->compression = 1;
    if (cap > SLAB_BARS_MAX)
        cap = SLAB_BARS_MAX;
    if (cap == 0)
        return b;
    b->ts_ns = slab_malloc(cap * sizeof *b->ts_ns);
    b->open = slab_malloc(cap * sizeof(double));
    b->high = slab_malloc(cap * sizeof(double));
    b->low = slab_malloc(cap * sizeof(double));
    b->close = slab_malloc(cap * sizeof(double));
    b->volume = slab_malloc(cap * sizeof(double));
    b->oi = slab_malloc(cap * sizeof(double));
    if (!b->ts_ns || !b->open || !b->high || !b->low || !b->close || !b->volume || !b->oi) {
        slab_bars_free(b);
        return NULL;
    }
    b->cap = cap;
    return b;
}

void slab_bars_free(slab_bars *b)
{
    if (!b)
        return;
    slab_free(b->ts_ns);
    slab_free(b->open);
    slab_free(b->high);
    slab_free(b->low);
    slab_free(b->close);
    slab_free(b->volume);
    slab_free(b->oi);
    slab_free(b);
}

/* Reallocates one column to cap elements of size sz; leaves *col untouched
 * when the allocation fails, so a half-grown series stays valid. */
static int grow_col(void **col, size_t cap, size_t sz)
{
    void *p = slab_realloc(*col, cap * sz);
    if (!p)
        return -1;
    *col = p;
    return 0;
}

/* Grows every column to hold at least want bars. b->cap changes only when
 * all columns have grown: a column that grew alone is merely larger. */
static slab_status grow(slab_bars *b, size_t want, slab_error *err)
{
    size_t cap = b->cap ? b->cap : GROW_FIRST;
    if (want > SLAB_BARS_MAX)
        return slab_error_set(err, SLAB_ELIMIT, NULL,
                              "a bar series holds at most %zu bars; split the data", SLAB_BARS_MAX);
    while (cap < want)
        cap = cap > SLAB_BARS_MAX / 2 ? SLAB_BARS_MAX : cap * 2;
    if (grow_col((void **)&b->ts_ns, cap, sizeof *b->ts_ns) ||
        grow_col((void **)&b->open, cap, sizeof(double)) ||
        grow_col((void **)&b->high, cap, sizeof(double)) ||
        grow_col((void **)&b->low, cap, sizeof(double)) ||
        grow_col((void **)&b->close, cap, sizeof(double)) ||
        grow_col((void **)&b->volume, cap, sizeof(double)) ||
        grow_col((void **)&b->oi, cap, sizeof(double)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory growing a series to %zu bars",
                              cap);
    b->cap = cap;
    return SLAB_OK;
}

slab_status slab__bars_grow(slab_bars *b, size_t want, slab_error *err)
{
    return grow(b, want, err);
}

slab_status slab__bars_reserve(slab_bars *b, size_t want, slab_error *err)
{
    if (want <= b->cap)
        return SLAB_OK;
    if (want > SLAB_BARS_MAX)
        want = SLAB_BARS_MAX;
    if (grow_col((void **)&b->ts_ns, want, sizeof *b->ts_ns) ||
        grow_col((void **)&b->open, want, sizeof(double)) ||
        grow_col((void **)&b->high, want, sizeof(double)) ||
        grow_col((void **)&b->low, want, sizeof(double)) ||
        grow_col((void **)&b->close, want, sizeof(double)) ||
        grow_col((void **)&b->volume, want, sizeof(double)) ||
        grow_col((void **)&b->oi, want, sizeof(double)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for a series of %zu bars",
                              want);
    b->cap = want;
    return SLAB_OK;
}

slab_status slab_bars_push(slab_bars *b, int64_t ts_ns, double open, double high, double low,
                           double close, double volume, double oi, slab_error *err)
{
    slab_status st;
    if (b->n == b->cap && (st = grow(b, b->n + 1, err)) != SLAB_OK)
        return st;
    size_t i = b->n++;
    b->ts_ns[i] = ts_ns;
    b->open[i] = open;
    b->high[i] = high;
    b->low[i] = low;
    b->close[i] = close;
    b->volume[i] = volume;
    b->oi[i] = oi;
    return SLAB_OK;
}

size_t slab_bars_index_at(const slab_bars *b, int64_t t)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->ts_ns[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Copies the identifying fields (symbol, source, timeframe ...) of src. */
static void copy_meta(slab_bars *dst, const slab_bars *src)
{
    dst->timeframe = src->timeframe;
    dst->compression = src->compression;
    memcpy(dst->symbol, src->symbol, sizeof dst->symbol);
    memcpy(dst->source, src->source, sizeof dst->source);
    memcpy(dst->sha256, src->sha256, sizeof dst->sha256);
}

slab_status slab_bars_slice(const slab_bars *b, int64_t from_ns, int64_t to_ns, slab_bars **out,
                            slab_error *err)
{
    char t1[40], t2[40], t3[40], t4[40];
    size_t lo = slab_bars_index_at(b, from_ns);
    size_t hi = to_ns == INT64_MAX ? b->n : slab_bars_index_at(b, to_ns + 1);

    *out = NULL;
    if (lo >= hi) {
        if (b->n == 0)
            return slab_error_set(err, SLAB_ERANGE, NULL, "the series is empty");
        slab_error_set(
            err, SLAB_ERANGE, NULL, "no bars between %s and %s; the series covers %s .. %s",
            from_ns == INT64_MIN ? "the start" : slab_bars_format_time(from_ns, t1, sizeof t1),
            to_ns == INT64_MAX ? "the end" : slab_bars_format_time(to_ns, t2, sizeof t2),
            slab_bars_format_time(b->ts_ns[0], t3, sizeof t3),
            slab_bars_format_time(b->ts_ns[b->n - 1], t4, sizeof t4));
        slab_error_set_code(err, SLAB_EC_NO_BARS);
        return SLAB_ERANGE;
    }
    size_t n = hi - lo;
    slab_bars *s = slab_bars_new(n);
    if (!s)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory copying %zu bars", n);
    memcpy(s->ts_ns, b->ts_ns + lo, n * sizeof *s->ts_ns);
    memcpy(s->open, b->open + lo, n * sizeof(double));
    memcpy(s->high, b->high + lo, n * sizeof(double));
    memcpy(s->low, b->low + lo, n * sizeof(double));
    memcpy(s->close, b->close + lo, n * sizeof(double));
    memcpy(s->volume, b->volume + lo, n * sizeof(double));
    memcpy(s->oi, b->oi + lo, n * sizeof(double));
    s->n = n;
    copy_meta(s, b);
    *out = s;
    return SLAB_OK;
}

/* ---- resampling ------------------------------------------------------------ */

/* One bar's length in ns for an intraday timeframe, 0 otherwise. */
static int64_t bar_len_ns(slab_timeframe tf, int comp)
{
    return tf == SLAB_TF_MINUTES   ? comp * 60LL * SLAB_NS_PER_SEC
           : tf == SLAB_TF_SECONDS ? comp * SLAB_NS_PER_SEC
                                   : 0;
}

/* Adds bar i of b into the last bar of s (a new one when fresh). */
static slab_status merge_bar(slab_bars *s, const slab_bars *b, size_t i, int64_t ts, int fresh,
                             slab_error *err)
{
    if (fresh)
        return slab_bars_push(s, ts, b->open[i], b->high[i], b->low[i], b->close[i], b->volume[i],
                              b->oi[i], err);
    size_t k = s->n - 1;
    s->high[k] = b->high[i] > s->high[k] ? b->high[i] : s->high[k];
    s->low[k] = b->low[i] < s->low[k] ? b->low[i] : s->low[k];
    s->close[k] = b->close[i];
    s->volume[k] += b->volume[i];
    s->oi[k] = b->oi[i];
    return SLAB_OK;
}

slab_status slab_bars_resample(const slab_bars *b, int stamp_end, slab_timeframe tf, int comp,
                               slab_bars **out, slab_error *err)
{
    int64_t src = bar_len_ns(b->timeframe, b->compression), dst = bar_len_ns(tf, comp);
    const int64_t open = (9 * 3600 + 30 * 60) * SLAB_NS_PER_SEC; /* buckets from 09:30 */
    *out = NULL;
    if (!src || (!dst && !(tf == SLAB_TF_DAYS && comp == 1)) || (dst && dst % src))
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "intraday bars resample to a multiple of their period or to 1d "
                              "(1m -> 5m, 15m, 1h, 1d)");
    slab_bars *s = slab_bars_new(b->n / (dst ? (size_t)(dst / src) : 1) + 1);
    if (!s)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory resampling %zu bars", b->n);
    copy_meta(s, b);
    s->timeframe = tf;
    s->compression = comp;
    int64_t prev_key = INT64_MIN;
    for (size_t i = 0; i < b->n; i++) {
        int64_t start = b->ts_ns[i] - (stamp_end ? src : 0), day = slab_ts_day(start);
        int64_t tod = start - day * SLAB_NS_PER_DAY, ts, key;
        if (dst) {
            int64_t q = tod - open, k = q >= 0 ? q / dst : -((-q + dst - 1) / dst);
            ts = day * SLAB_NS_PER_DAY + open + k * dst + (stamp_end ? dst : 0);
            key = ts;
        } else {
            ts = day * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS;
            key = day;
        }
        slab_status st = merge_bar(s, b, i, ts, key != prev_key, err);
        if (st != SLAB_OK) {
            slab_bars_free(s);
            return st;
        }
        prev_key = key;
    }
    *out = s;
    return SLAB_OK;
}

/* ---- timeframes ---------------------------------------------------------- */

static const char *const tf_names[] = {"",     "Ticks", "MicroSeconds", "Seconds", "Minutes",
                                       "Days", "Weeks", "Months",       "Years"};

const char *slab_timeframe_name(slab_timeframe tf)
{
    if (tf < SLAB_TF_TICKS || tf > SLAB_TF_YEARS)
        return "?";
    return tf_names[tf];
}

/* Suffixes of the short form ("5m"): unit and compression multiplier. */
static const struct {
    const char *suffix;
    slab_timeframe tf;
    int mult;
} tf_suffixes[] = {
    {"us", SLAB_TF_MICROSECONDS, 1}, {"s", SLAB_TF_SECONDS, 1},  {"m", SLAB_TF_MINUTES, 1},
    {"min", SLAB_TF_MINUTES, 1},     {"h", SLAB_TF_MINUTES, 60}, {"d", SLAB_TF_DAYS, 1},
    {"w", SLAB_TF_WEEKS, 1},         {"mo", SLAB_TF_MONTHS, 1},  {"y", SLAB_TF_YEARS, 1},
};

#define TF_COMPRESSION_MAX 1000000

/* Parses the leading decimal count of s; returns digits consumed (0: none
 * or out of range). */
static size_t parse_count(const char *s, long *v)
{
    size_t i = 0;
    *v = 0;
    while (s[i] >= '0' && s[i] <= '9') {
        *v = *v * 10 + (s[i] - '0');
        if (*v > TF_COMPRESSION_MAX)
            return 0;
        i++;
    }
    return *v >= 1 ? i : 0;
}

/* "minutes:5" style: a backtrader unit name, a colon and a count. */
static int parse_unit_form(const char *s, slab_timeframe *tf, int *compression)
{
    const char *colon = strchr(s, ':');
    long v;
    if (!colon)
        return -1;
    size_t len = (size_t)(colon - s);
    for (int t = SLAB_TF_TICKS; t <= SLAB_TF_YEARS; t++) {
        if (strlen(tf_names[t]) != len || strncasecmp(s, tf_names[t], len) != 0)
            continue;
        size_t k = parse_count(colon + 1, &v);
        if (k == 0 || colon[1 + k] != '\0')
            return -1;
        *tf = (slab_timeframe)t;
        *compression = (int)v;
        return 0;
    }
    return -1;
}

slab_status slab_timeframe_parse(const char *s, slab_timeframe *tf, int *compression,
                                 slab_error *err)
{
    long v;
    size_t k;

    if (!strcasecmp(s, "tick") || !strcasecmp(s, "ticks")) {
        *tf = SLAB_TF_TICKS;
        *compression = 1;
        return SLAB_OK;
    }
    if (parse_unit_form(s, tf, compression) == 0)
        return SLAB_OK;
    if ((k = parse_count(s, &v)) > 0) {
        for (size_t i = 0; i < sizeof tf_suffixes / sizeof tf_suffixes[0]; i++) {
            if (strcasecmp(s + k, tf_suffixes[i].suffix) != 0)
                continue;
            if (v * tf_suffixes[i].mult > TF_COMPRESSION_MAX)
                break;
            *tf = tf_suffixes[i].tf;
            *compression = (int)(v * tf_suffixes[i].mult);
            return SLAB_OK;
        }
    }
    return slab_error_set(err, SLAB_EPARSE, NULL,
                          "bad timeframe '%.40s': expected 1m, 5m, 15m, 1h, 1d, 1w, 1mo, tick, "
                          "or unit:N such as minutes:5",
                          s);
}

const char *slab_timeframe_format(slab_timeframe tf, int compression, char *buf, size_t n)
{
    switch (tf) {
    case SLAB_TF_TICKS:
        if (compression == 1)
            snprintf(buf, n, "tick");
        else
            snprintf(buf, n, "ticks:%d", compression);
        break;
    case SLAB_TF_MICROSECONDS: snprintf(buf, n, "%dus", compression); break;
    case SLAB_TF_SECONDS: snprintf(buf, n, "%ds", compression); break;
    case SLAB_TF_MINUTES:
        if (compression % 60 == 0)
            snprintf(buf, n, "%dh", compression / 60);
        else
            snprintf(buf, n, "%dm", compression);
        break;
    case SLAB_TF_DAYS: snprintf(buf, n, "%dd", compression); break;
    case SLAB_TF_WEEKS: snprintf(buf, n, "%dw", compression); break;
    case SLAB_TF_MONTHS: snprintf(buf, n, "%dmo", compression); break;
    case SLAB_TF_YEARS: snprintf(buf, n, "%dy", compression); break;
    default: snprintf(buf, n, "?"); break;
    }
    return buf;
}

/* The most common positive spacing between consecutive bars, counted over
 * at most MODE_SLOTS distinct values (enough: regular data has a handful,
 * and the bar period dominates). Ties go to the smaller gap. */
#define MODE_SLOTS 64
static int64_t mode_gap(const slab_bars *b)
{
    int64_t gap[MODE_SLOTS];
    size_t count[MODE_SLOTS], used = 0, best = 0;

    for (size_t i = 1; i < b->n; i++) {
        /* Two times in the supported years can be more than int64 ns
         * apart (584 years): such a gap is no bar period, skip it. */
        if (b->ts_ns[i] <= b->ts_ns[i - 1] ||
            (uint64_t)b->ts_ns[i] - (uint64_t)b->ts_ns[i - 1] > (uint64_t)INT64_MAX)
            continue;
        int64_t g = (int64_t)((uint64_t)b->ts_ns[i] - (uint64_t)b->ts_ns[i - 1]);
        size_t k = 0;
        while (k < used && gap[k] != g)
            k++;
        if (k == used) {
            if (used == MODE_SLOTS)
                continue;
            gap[used] = g;
            count[used++] = 0;
        }
        count[k]++;
    }
    for (size_t k = 1; k < used; k++)
        if (count[k] > count[best] || (count[k] == count[best] && gap[k] < gap[best]))
            best = k;
    return used ? gap[best] : 0;
}

/* Classifies a spacing of whole days: 1-4 days is daily (weekends and
 * holidays widen some gaps), about a week is weekly, and so on. */
static void classify_days(int64_t days, slab_timeframe *tf, int *compression)
{
    *tf = SLAB_TF_DAYS;
    *compression = 1;
    if (days >= 5 && days <= 10) {
        *tf = SLAB_TF_WEEKS;
    } else if (days >= 11 && days <= 17) {
        *tf = SLAB_TF_WEEKS;
        *compression = 2;
    } else if (days >= 27 && days <= 33) {
        *tf = SLAB_TF_MONTHS;
    } else if (days >= 85 && days <= 95) {
        *tf = SLAB_TF_MONTHS;
        *compression = 3;
    } else if (days >= 360 && days <= 370) {
        *tf = SLAB_TF_YEARS;
    }
}

void slab_bars_infer_timeframe(const slab_bars *b, slab_timeframe *tf, int *compression)
{
    int64_t g = mode_gap(b);
    const int64_t minute = 60 * SLAB_NS_PER_SEC;

    *tf = SLAB_TF_DAYS;
    *compression = 1;
    if (g == 0) {
        /* One bar (or none): a time of day other than the session end
         * means intraday, and nothing tells the period. */
        int64_t tod = b->n ? b->ts_ns[0] - slab_ts_day(b->ts_ns[0]) * SLAB_NS_PER_DAY : 0;
        if (b->n && tod != SLAB_SESSION_END_NS && tod != 0)
            *tf = SLAB_TF_MINUTES;
        return;
    }
    if (g % SLAB_NS_PER_DAY == 0) {
        classify_days(g / SLAB_NS_PER_DAY, tf, compression);
    } else if (g % minute == 0 && g / minute <= TF_COMPRESSION_MAX) {
        *tf = SLAB_TF_MINUTES;
        *compression = (int)(g / minute);
    } else if (g % SLAB_NS_PER_SEC == 0 && g < minute) {
        *tf = SLAB_TF_SECONDS;
        *compression = (int)(g / SLAB_NS_PER_SEC);
    } else {
        *tf = SLAB_TF_TICKS; /* irregular or sub-second spacing */
    }
}

/* ---- checks ---------------------------------------------------------------- */

const char *slab__num_format(double x, char *buf, size_t n)
{
    if (!isfinite(x)) {
        snprintf(buf, n, "%s", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
        return buf;
    }
    if (x > -1e15 && x < 1e15 && x == (double)(int64_t)x) {
        snprintf(buf, n, "%.0f", x); /* whole numbers without an exponent */
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    return buf;
}

char *slab_bars_format_time(int64_t ts_ns, char *buf, size_t n)
{
    int64_t tod = ts_ns - slab_ts_day(ts_ns) * SLAB_NS_PER_DAY;
    return slab_time_format(ts_ns, tod == SLAB_SESSION_END_NS, buf, n);
}

/* Writes "<name> is <x>: <rule>" for a value outside its domain. */
static slab__bar_field bad_value(slab__bar_field f, const char *name, double x, const char *rule,
                                 char *msg, size_t n)
{
    char v[40];
    snprintf(msg, n, "%s is %s: %s", name, slab__num_format(x, v, sizeof v), rule);
    return f;
}

slab__bar_field slab__bar_problem(double open, double high, double low, double close, double volume,
                                  char *msg, size_t n)
{
    static const char *price_rule = "prices must be finite and > 0";
    static const char *scale_rule = "prices must be from 1e-100 to 1e100 and volumes at most "
                                    "1e100 (beyond, indicator sums and squares overflow or "
                                    "underflow); rescale the series";
    const double px[4] = {open, high, low, close};
    static const char *const names[4] = {"open", "high", "low", "close"};
    char a[40], b[40];

    for (int i = 0; i < 4; i++) {
        if (!isfinite(px[i]) || px[i] <= 0)
            return bad_value((slab__bar_field)(SLAB__BF_OPEN + i), names[i], px[i], price_rule, msg,
                             n);
        if (px[i] < SLAB_PRICE_MIN || px[i] > SLAB_PRICE_MAX)
            return bad_value((slab__bar_field)(SLAB__BF_OPEN + i), names[i], px[i], scale_rule,
                             msg, n);
    }
    if (high < low) {
        snprintf(msg, n, "high %s is below low %s", slab__num_format(high, a, sizeof a),
                 slab__num_format(low, b, sizeof b));
        return SLAB__BF_HIGH;
    }
    if (low > open || low > close) {
        snprintf(msg, n, "low %s is above min(open, close) = %s",
                 slab__num_format(low, a, sizeof a),
                 slab__num_format(open < close ? open : close, b, sizeof b));
        return SLAB__BF_LOW;
    }
    if (high < open || high < close) {
        snprintf(msg, n, "high %s is below max(open, close) = %s",
                 slab__num_format(high, a, sizeof a),
                 slab__num_format(open > close ? open : close, b, sizeof b));
        return SLAB__BF_HIGH;
    }
    if (!isfinite(volume) || volume < 0)
        return bad_value(SLAB__BF_VOLUME, "volume", volume, "volume must be finite and >= 0", msg,
                         n);
    if (volume > SLAB_VOLUME_MAX)
        return bad_value(SLAB__BF_VOLUME, "volume", volume, scale_rule, msg, n);
    return SLAB__BF_NONE;
}

slab_status slab_bars_check(const slab_bars *b, slab_error *err)
{
    char where[64], t1[40], t2[40], msg[SLAB_ERR_MSG_MAX];

    for (size_t i = 0; i < b->n; i++) {
        snprintf(where, sizeof where, "bar %zu (%s)", i,
                 slab_bars_format_time(b->ts_ns[i], t1, sizeof t1));
        if (slab__bar_problem(b->open[i], b->high[i], b->low[i], b->close[i], b->volume[i], msg,
                              sizeof msg) != SLAB__BF_NONE)
            return slab_error_set(err, SLAB_EDATA, where, "%s", msg);
        if (i == 0 || b->ts_ns[i] > b->ts_ns[i - 1])
            continue;
        if (b->ts_ns[i] == b->ts_ns[i - 1])
            return slab_error_set(err, SLAB_EDATA, where, "duplicate time %s (also bar %zu)", t1,
                                  i - 1);
        return slab_error_set(err, SLAB_EDATA, where,
                              "time %s is not after the previous bar's %s: bars must be in "
                              "increasing time order",
                              t1, slab_bars_format_time(b->ts_ns[i - 1], t2, sizeof t2));
    }
    return SLAB_OK;
}
