/* time.c: calendar arithmetic on int64 nanosecond timestamps.
 * Day numbers count from 1970-01-01 in the proleptic Gregorian calendar
 * (the civil-from-days algorithm by H. Hinnant, "chrono-Compatible Low-Level
 * Date Algorithms"); no time zone is ever applied. */
#include "stratlab/core.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t slab_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void slab_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
    int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = mm;
    *d = dd;
}

int64_t slab_ts_day(int64_t ts_ns)
{
    int64_t q = ts_ns / SLAB_NS_PER_DAY;
    if (ts_ns % SLAB_NS_PER_DAY < 0)
        q--;
    return q;
}

int slab_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (ISO 4). */
    int64_t w = (days + 3) % 7;
    if (w < 0)
        w += 7;
    return (int)w + 1;
}

void slab_iso_week(int64_t days, int *iso_year, int *iso_week)
{
    int y, m, d;
    /* The ISO year of a day is the calendar year of its week's Thursday. */
    int64_t thursday = days - slab_weekday(days) + 4;
    slab_civil_from_days(thursday, &y, &m, &d);
    int64_t jan1 = slab_days_from_civil(y, 1, 1);
    *iso_year = y;
    *iso_week = (int)((thursday - jan1) / 7) + 1;
}

int slab_days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

char *slab_time_format(int64_t ts_ns, int date_only, char *buf, size_t n)
{
    int y, m, d;
    int64_t day = slab_ts_day(ts_ns);
    int64_t rem = ts_ns - day * SLAB_NS_PER_DAY;
    slab_civil_from_days(day, &y, &m, &d);
    if (date_only) {
        snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
        return buf;
    }
    int64_t secs = rem / SLAB_NS_PER_SEC, frac = rem % SLAB_NS_PER_SEC;
    int len = snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, (int)(secs / 3600),
                       (int)(secs / 60 % 60), (int)(secs % 60));
    if (frac && len > 0 && (size_t)len < n)
        snprintf(buf + len, n - (size_t)len, ".%06d", (int)(frac / 1000));
    return buf;
}

/* Reads exactly `w` digits at s[*i]; returns -1 if they are not there. */
static long digits(const char *s, size_t len, size_t *i, int w)
{
    long v = 0;
    for (int k = 0; k < w; k++, (*i)++) {
        if (*i >= len || s[*i] < '0' || s[*i] > '9')
            return -1;
        v = v * 10 + (s[*i] - '0');
    }
    return v;
}

static int parse_clock(const char *s, size_t len, size_t *i, int64_t *ns)
{
    long hh = digits(s, len, i, 2), mi, ss = 0, frac = 0;
    if (hh < 0 || *i >= len || s[*i] != ':')
        return -1;
    (*i)++;
    if ((mi = digits(s, len, i, 2)) < 0)
        return -1;
    if (*i < len && s[*i] == ':') {
        (*i)++;
        if ((ss = digits(s, len, i, 2)) < 0)
            return -1;
        if (*i < len && s[*i] == '.') {
            int k = 0;
            for ((*i)++; *i < len && s[*i] >= '0' && s[*i] <= '9'; (*i)++, k++)
                if (k < 9)
                    frac = frac * 10 + (s[*i] - '0');
            if (k == 0)
                return -1;
            for (; k < 9; k++)
                frac *= 10;
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return -1;
    *ns = ((hh * 3600 + mi * 60 + ss) * SLAB_NS_PER_SEC) + frac;
    return 0;
}

slab_status slab_time_parse(const char *s, size_t len, int64_t *ts_ns, int *has_time,
                            slab_error *err)
{
    size_t i = 0;
    long y, m, d;
    int64_t clock = 0;
    int with_time = 0;

    y = digits(s, len, &i, 4);
    if (y >= 0 && i < len && (s[i] == '-' || s[i] == '/')) {
        char sep = s[i++];
        m = digits(s, len, &i, 2);
        if (m >= 0 && i < len && s[i] == sep)
            i++;
        else
            m = -1;
        d = m >= 0 ? digits(s, len, &i, 2) : -1;
    } else {
        m = y >= 0 ? digits(s, len, &i, 2) : -1;
        d = m >= 0 ? digits(s, len, &i, 2) : -1;
    }
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > slab_days_in_month((int)y, (int)m))
        goto bad;
    if (y < SLAB_YEAR_MIN || y > SLAB_YEAR_MAX)
        return slab_error_set(err, SLAB_ERANGE, NULL,
                              "date '%.*s' is outside %d..%d, the range of nanosecond "
                              "timestamps",
                              (int)(len > 40 ? 40 : len), s, SLAB_YEAR_MIN, SLAB_YEAR_MAX);
    if (i < len && (s[i] == ' ' || s[i] == 'T')) {
        i++;
        if (parse_clock(s, len, &i, &clock) != 0)
            goto bad;
        with_time = 1;
    }
    if (i != len)
        goto bad;
    *ts_ns = slab_days_from_civil((int)y, (int)m, (int)d) * SLAB_NS_PER_DAY + clock;
    if (has_time)
        *has_time = with_time;
    return SLAB_OK;
bad:
    return slab_error_set(err, SLAB_EPARSE, NULL,
                          "bad date '%.*s'; expected YYYY-MM-DD, YYYYMMDD or "
                          "YYYY-MM-DD HH:MM[:SS[.ffffff]]",
                          (int)(len > 40 ? 40 : len), s);
}

int64_t slab_clock_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * SLAB_NS_PER_SEC + t.tv_nsec;
}
