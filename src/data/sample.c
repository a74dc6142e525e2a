/* sample.c: deterministic sample bars (a seeded random walk with a plausible
 * OHLCV envelope) for demos, tests and benchmarks when no data file is at
 * hand. Invariant: the same arguments give bit-identical bars on every
 * machine, because the generator is our own (splitmix64 seeding
 * xoshiro256**) and the arithmetic uses only +, -, *, / and sqrt, which
 * IEEE 754 rounds exactly (no log/exp/cos, whose libm results vary). */
#include "data_int.h"

#include <math.h>
#include <stdio.h>

#define SESSION_OPEN_S (9 * 3600 + 30 * 60) /* 09:30 */
#define SESSION_LEN_S (390 * 60)            /* 09:30-16:00 */
#define START_PRICE 100.0                   /* first bar's reference close */
#define DAILY_SIGMA 0.015                   /* sd of one day's return */
#define DAILY_VOLUME 1e6                    /* typical shares per day */
#define MAX_BAR_DAYS 252.0                  /* longest bar: about a year */
#define MIN_PRICE 0.05                      /* floor for open and close */

/* The generator (xoshiro256** seeded by splitmix64) is in data_int.h,
 * shared with synth.c. */

/* |x| without libm. */
static double absd(double x)
{
    return x < 0 ? -x : x;
}

/* x limited to [-lim, lim]. */
static double clamp(double x, double lim)
{
    return x > lim ? lim : x < -lim ? -lim : x;
}

/* Rounds a positive price to cents; monotonic, so the order of open,
 * high, low and close survives it. */
static double cents(double x)
{
    return (double)(int64_t)(x * 100.0 + 0.5) / 100.0;
}

/* ---- timestamps ------------------------------------------------------- */

/* Next weekday on or after day. */
static int64_t weekday_from(int64_t day)
{
    while (slab_weekday(day) > 5)
        day++;
    return day;
}

/* Last weekday of the month containing day, plus months (>= 0). */
static int64_t month_end(int64_t day, int months)
{
    int y, m, d;
    slab_civil_from_days(day, &y, &m, &d);
    m += months;
    y += (m - 1) / 12;
    m = (m - 1) % 12 + 1;
    int64_t last = slab_days_from_civil(y, m, slab_days_in_month(y, m));
    while (slab_weekday(last) > 5)
        last--;
    return last;
}

/* Fills b->ts_ns[0..n-1] for tf/compression from start_day. Intraday bars
 * are stamped at their end (09:35 for the first 5-minute bar). */
static slab_status fill_times(slab_bars *b, size_t n, slab_timeframe tf, int comp,
                              int64_t start_day, slab_error *err)
{
    int64_t day = weekday_from(start_day), per_s = comp, per_day = 0;

    if (tf == SLAB_TF_MINUTES)
        per_s *= 60;
    if (tf == SLAB_TF_MINUTES || tf == SLAB_TF_SECONDS) {
        if ((per_day = SESSION_LEN_S / per_s) == 0)
            return slab_error_set(err, SLAB_EINVAL, NULL,
                                  "a %lld-second bar does not fit the 09:30-16:00 session",
                                  (long long)per_s);
    } else if (tf == SLAB_TF_WEEKS) {
        day = day - slab_weekday(day) + 5; /* that week's Friday */
    } else if (tf == SLAB_TF_MONTHS) {
        day = month_end(day, 0);
    } else if (tf != SLAB_TF_DAYS) {
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "sample data comes in seconds, minutes, days, weeks or months, "
                              "not %s",
                              slab_timeframe_name(tf));
    }
    for (size_t i = 0; i < n; i++) {
        if (day < SLAB_DAY_MIN || day > SLAB_DAY_MAX) {
            char t[40];
            return slab_error_set(err, SLAB_ERANGE, NULL,
                                  "%zu bars from %s run past 2261-12-31, the end of the "
                                  "supported years: ask for fewer bars, an earlier "
                                  "start or a shorter timeframe",
                                  n, slab_time_format(start_day * SLAB_NS_PER_DAY, 1, t, sizeof t));
        }
        if (per_day) {
            int64_t k = (int64_t)(i % (size_t)per_day);
            if (i && k == 0)
                day = weekday_from(day + 1);
            b->ts_ns[i] =
                day * SLAB_NS_PER_DAY + (SESSION_OPEN_S + (k + 1) * per_s) * SLAB_NS_PER_SEC;
            continue;
        }
        b->ts_ns[i] = day * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS;
        if (tf == SLAB_TF_DAYS)
            for (int c = 0; c < comp; c++)
                day = weekday_from(day + 1);
        else if (tf == SLAB_TF_WEEKS)
            day += 7 * comp;
        else
            day = month_end(day, comp);
    }
    return SLAB_OK;
}

/* ---- prices ------------------------------------------------------------ */

/* Trading days one bar spans, for scaling volatility and volume. */
static double bar_days(slab_timeframe tf, int comp)
{
    switch (tf) {
    case SLAB_TF_SECONDS: return comp / (double)SESSION_LEN_S;
    case SLAB_TF_MINUTES: return comp * 60 / (double)SESSION_LEN_S;
    case SLAB_TF_WEEKS: return 5.0 * comp;
    case SLAB_TF_MONTHS: return 21.0 * comp;
    default: return comp;
    }
}

/* Fills the prices and volumes: each open is near the previous close, the
 * close is a return away from the open with a weak pull back toward
 * START_PRICE, high and low spread around them. */
static void fill_prices(slab_bars *b, size_t n, rng *r, double days)
{
    double sigma = DAILY_SIGMA * sqrt(days), prev = START_PRICE;
    double base_volume = DAILY_VOLUME * days;
    double spread = clamp(0.6 * sigma, 0.5); /* high/low reach beyond open/close */

    for (size_t i = 0; i < n; i++) {
        double gap = clamp(0.25 * sigma * normalish(r), 0.2);
        double open = prev * (1.0 + gap);
        double ret = clamp(sigma * normalish(r) + 0.02 * sigma * (START_PRICE / open - 1.0), 0.5);
        double close = open * (1.0 + ret);
        open = open < MIN_PRICE ? MIN_PRICE : open; /* keeps every rounded price > 0 */
        close = close < MIN_PRICE ? MIN_PRICE : close;
        double top = open > close ? open : close, bottom = open < close ? open : close;
        double high = top * (1.0 + spread * uniform(r));
        double low = bottom * (1.0 - spread * uniform(r));
        double volume = base_volume * (0.5 + uniform(r) + 0.3 * absd(ret) / sigma);
        b->open[i] = cents(open);
        b->high[i] = cents(high);
        b->low[i] = cents(low);
        b->close[i] = cents(close);
        b->volume[i] = volume < 1.0 ? 1.0 : (double)(int64_t)volume;
        b->oi[i] = 0.0;
        prev = b->close[i];
    }
}

slab_status slab_sample_generate(uint64_t seed, size_t n, slab_timeframe tf, int compression,
                                 int64_t start_day, slab_bars **out, slab_error *err)
{
    slab_bars *b = NULL;
    slab_status st;
    uint64_t x = seed;
    rng r;

    *out = NULL;
    if (n == 0 || n > SLAB_BARS_MAX)
        return slab_error_set(err, SLAB_EINVAL, NULL, "sample size %zu: expected 1 to %zu bars", n,
                              SLAB_BARS_MAX);
    if (start_day < SLAB_DAY_MIN || start_day > SLAB_DAY_MAX)
        return slab_error_set(err, SLAB_ERANGE, NULL,
                              "start day %lld is outside 1678-01-01 .. 2261-12-31, the supported "
                              "years",
                              (long long)start_day);
    if (compression < 1 || bar_days(tf, compression) > MAX_BAR_DAYS)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "compression %d: expected 1 or more, with bars of at most a year",
                              compression);
    if (!(b = slab_bars_new(n)))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for %zu sample bars", n);
    if ((st = fill_times(b, n, tf, compression, start_day, err)) != SLAB_OK) {
        slab_bars_free(b);
        return st;
    }
    for (int i = 0; i < 4; i++)
        r.s[i] = splitmix64(&x);
    fill_prices(b, n, &r, bar_days(tf, compression));
    b->n = n;
    b->timeframe = tf;
    b->compression = compression;
    snprintf(b->source, sizeof b->source, "sample:seed=%llu", (unsigned long long)seed);
    *out = b;
    return SLAB_OK;
}
