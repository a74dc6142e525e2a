/* synth.c: realistic synthetic intraday markets (`stratlab data synth`), so
 * demos and tests of session strategies need no download. Every symbol is
 * made minute by minute over NYSE sessions (09:30-16:00 on weekdays, the
 * exchange's full-day holidays left out), then aggregated to the asked
 * timeframe inside each session:
 * - a market factor (the index symbol when one is named) with a drifting,
 *   persistent daily trend, overnight gaps and U-shaped intraday volatility;
 * - each stock = beta x the market's moves + its own trend, noise and gaps
 *   (now and then a large one, as around news), so stocks and the index
 *   are correlated;
 * - U-shaped volume (heavy at the open and the close), prices in cents.
 * Invariant: the same seed, dates and symbol give bit-identical bars on
 * every machine (our own generator, +-x/ only), and a symbol's bars do not
 * depend on which other symbols are made with it. */
#include "data_int.h"

#include <string.h>

#define SESSION_OPEN_S (9 * 3600 + 30 * 60) /* 09:30 */
#define MINUTES 390                         /* 09:30-16:00 */
#define MIN_PRICE 0.5

/* ---- the exchange calendar -------------------------------------------- */

/* The n-th (1-based) weekday wd (1 = Monday) of month m, or the last one
 * when n is 0. */
static int64_t nth_weekday(int y, int m, int wd, int n)
{
    if (n == 0) {
        int64_t d = slab_days_from_civil(y, m, slab_days_in_month(y, m));
        while (slab_weekday(d) != wd)
            d--;
        return d;
    }
    int64_t d = slab_days_from_civil(y, m, 1);
    while (slab_weekday(d) != wd)
        d++;
    return d + 7 * (n - 1);
}

/* A fixed-date holiday as observed: Saturday -> Friday, Sunday -> Monday. */
static int64_t observed(int y, int m, int d)
{
    int64_t day = slab_days_from_civil(y, m, d);
    int wd = slab_weekday(day);
    return wd == 6 ? day - 1 : wd == 7 ? day + 1 : day;
}

/* Easter Sunday (the anonymous Gregorian algorithm). */
static int64_t easter(int y)
{
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
    int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    return slab_days_from_civil(y, month, day);
}

int slab_nyse_holiday(int64_t day)
{
    int y, m, d;
    slab_civil_from_days(day, &y, &m, &d);
    /* New Year's Day on a Saturday is not moved to the Friday before. */
    int64_t ny = slab_days_from_civil(y, 1, 1);
    if (slab_weekday(ny) != 6 && day == observed(y, 1, 1))
        return 1;
    if (day == nth_weekday(y, 1, 1, 3) && y >= 1998) /* Martin Luther King Jr. Day */
        return 1;
    if (day == nth_weekday(y, 2, 1, 3) || day == easter(y) - 2 ||     /* Washington, Good Friday */
        day == nth_weekday(y, 5, 1, 0) || day == observed(y, 7, 4) || /* Memorial, July 4 */
        day == nth_weekday(y, 9, 1, 1) || day == nth_weekday(y, 11, 4, 4) || /* Labor, Thanks. */
        day == observed(y, 12, 25))
        return 1;
    return y >= 2022 && day == observed(y, 6, 19); /* Juneteenth */
}

int64_t slab_prev_trading_day(int64_t day)
{
    do
        day--;
    while (slab_weekday(day) > 5 || slab_nyse_holiday(day));
    return day;
}

int slab_earnings_hit(const slab_earnings *e, size_t n, const char *symbol, int64_t day)
{
    int64_t prev = slab_prev_trading_day(day);
    for (size_t k = 0; k < n; k++)
        if (!strcmp(e[k].symbol, symbol) && (e[k].after_close ? e[k].day == prev : e[k].day == day))
            return 1;
    return 0;
}

/* ---- prices ------------------------------------------------------------ */

/* FNV-1a of a symbol: each symbol's own random stream and traits. */
static uint64_t symbol_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static void rng_seed(rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int k = 0; k < 4; k++)
        r->s[k] = splitmix64(&x);
}

static double cents(double x)
{
    return (double)(int64_t)(x * 100.0 + 0.5) / 100.0;
}
static double maxd(double a, double b)
{
    return a > b ? a : b;
}
static double mind(double a, double b)
{
    return a < b ? a : b;
}
static double absd(double x)
{
    return x < 0 ? -x : x;
}

/* The U-shaped intraday profile at minute t (0..389): 2.2 at the open and
 * the close, 0.6 at midday. */
static double ushape(int t)
{
    double x = (t - 194.5) / 194.5;
    return 0.6 + 1.6 * x * x;
}

/* The market factor's minute returns and overnight gaps of one day, from
 * the market's own stream (so every symbol sees the same market). */
typedef struct market_day {
    double gap;          /* overnight return */
    double ret[MINUTES]; /* minute returns */
} market_day;

typedef struct walker {
    rng r;
    double drift; /* the persistent trend, per day */
} walker;

static void market_step(walker *w, market_day *md)
{
    w->drift = 0.8 * w->drift + 0.003 * normalish(&w->r);
    md->gap = 0.004 * normalish(&w->r);
    for (int t = 0; t < MINUTES; t++)
        md->ret[t] = w->drift / MINUTES + 0.0005 * ushape(t) * normalish(&w->r);
}

/* One symbol's traits from its hash: beta, own volatility, start price,
 * volume. The index symbol is the market itself. */
typedef struct traits {
    double beta, idio, price, volume;
} traits;

static traits traits_of(const char *symbol, int is_index, rng *r)
{
    traits t;
    t.beta = is_index ? 1.0 : 0.8 + uniform(r);             /* 0.8 .. 1.8 */
    t.idio = is_index ? 0.0 : 0.0006 + 0.0008 * uniform(r); /* per minute */
    t.price = is_index ? 400.0 + 200.0 * uniform(r) : 20.0 + 280.0 * uniform(r);
    t.volume = is_index ? 40000.0 : 2000.0 + 20000.0 * uniform(r);
    (void)symbol;
    return t;
}

/* Appends one aggregated bar. */
static slab_status push_bar(slab_bars *b, int64_t ts, double o, double h, double l, double c,
                            double v, slab_error *err)
{
    return slab_bars_push(b, ts, o, h, l, c, v, 0.0, err);
}

/* One session of a symbol: 390 minute bars from the previous close, the
 * market's day and the symbol's stream, aggregated to per_min minutes
 * (MINUTES for a daily bar), appended to b. */
static slab_status symbol_day(slab_bars *b, int64_t day, const market_day *md, const traits *tr,
                              walker *w, double *close, int per_min, int daily, slab_error *err)
{
    w->drift = 0.7 * w->drift + 0.004 * normalish(&w->r) * (tr->idio > 0.0);
    double gap = tr->beta * md->gap + (tr->idio > 0.0 ? 0.008 * normalish(&w->r) : 0.0);
    if (tr->idio > 0.0 && uniform(&w->r) < 0.04)
        gap += 0.04 * normalish(&w->r); /* news: a large gap */
    double price = maxd(*close * (1.0 + gap), MIN_PRICE);
    double o = 0, h = 0, l = 0, c = 0, v = 0;
    slab_status st;
    for (int t = 0; t < MINUTES; t++) {
        double mo = cents(price);
        double r =
            tr->beta * md->ret[t] + w->drift / MINUTES + tr->idio * ushape(t) * normalish(&w->r);
        price = maxd(price * (1.0 + r), MIN_PRICE);
        double mc = cents(price), wick = price * 0.0004 * ushape(t);
        double mh = maxd(cents(maxd(mo, mc) + absd(normalish(&w->r)) * wick), maxd(mo, mc));
        double ml = mind(cents(mind(mo, mc) - absd(normalish(&w->r)) * wick), mind(mo, mc));
        ml = ml < 0.01 ? mind(mo, mc) : ml;
        double mv = (double)(int64_t)(tr->volume * ushape(t) * (0.5 + uniform(&w->r)));
        if (t % per_min == 0) {
            o = mo, h = mh, l = ml, v = 0;
        }
        h = maxd(h, mh), l = mind(l, ml), c = mc, v += mv;
        if ((t + 1) % per_min == 0 || t == MINUTES - 1) {
            int start = t / per_min * per_min;
            int64_t ts = daily ? day * SLAB_NS_PER_DAY + SLAB_SESSION_END_NS
                               : day * SLAB_NS_PER_DAY +
                                     (int64_t)(SESSION_OPEN_S + start * 60) * SLAB_NS_PER_SEC;
            if ((st = push_bar(b, ts, o, h, l, c, v, err)) != SLAB_OK)
                return st;
        }
    }
    *close = price;
    return SLAB_OK;
}

slab_status slab_synth_generate(const slab_synth_options *o, const char *symbol, slab_bars **out,
                                slab_error *err)
{
    int per_min = o->compression, daily = o->timeframe == SLAB_TF_DAYS;
    *out = NULL;
    if (daily && o->compression == 1)
        per_min = MINUTES;
    else if (o->timeframe == SLAB_TF_MINUTES && o->compression >= 1 && o->compression <= MINUTES)
        per_min = o->compression;
    else
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "synthetic bars come in 1 to 390 minutes or 1 day, not this "
                              "timeframe; give --timeframe 1m, 5m, 15m, 1h or 1d");
    if (o->from_day > o->to_day || o->from_day < SLAB_DAY_MIN || o->to_day > SLAB_DAY_MAX)
        return slab_error_set(err, SLAB_ERANGE, NULL,
                              "the date range is empty or outside "
                              "1678..2261; give --from before --to");
    slab_bars *b = slab_bars_new(0);
    if (!b)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for synthetic bars");
    b->timeframe = daily ? SLAB_TF_DAYS : SLAB_TF_MINUTES;
    b->compression = daily ? 1 : per_min;
    snprintf(b->symbol, sizeof b->symbol, "%s", symbol);
    int is_index = o->index_symbol && !strcmp(o->index_symbol, symbol);
    walker mk = {{{0}}, 0.0}, own = {{{0}}, 0.0};
    rng_seed(&mk.r, o->seed);
    rng_seed(&own.r, o->seed ^ symbol_hash(symbol));
    traits tr = traits_of(symbol, is_index, &own.r);
    market_day md;
    double close = tr.price;
    slab_status st = SLAB_OK;
    for (int64_t day = o->from_day; day <= o->to_day && st == SLAB_OK; day++) {
        if (slab_weekday(day) > 5 || slab_nyse_holiday(day))
            continue;
        market_step(&mk, &md);
        st = symbol_day(b, day, &md, &tr, &own, &close, per_min, daily, err);
    }
    if (st == SLAB_OK && b->n == 0)
        st = slab_error_set(err, SLAB_ERANGE, NULL,
                            "no trading day between the dates (weekends and holidays only)");
    if (st != SLAB_OK) {
        slab_bars_free(b);
        return st;
    }
    *out = b;
    return SLAB_OK;
}
