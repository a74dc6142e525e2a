/* charts.c: the report's charts, drawn through rpt_canvas (report_int.h)
 * from the model of a result document.
 * Geometry, which the tests recompute: the plot spans x from PL to w - PR
 * and y from PT to h - PB; bar i of n sits at x = PL + i / (n - 1) * (w -
 * PL - PR); a value v at y = (h - PB) - (v - lo) / (hi - lo) * (h - PB -
 * PT), lo and hi the smallest and largest value drawn, each moved out by
 * 5% of their distance (by 1 when they are equal). A series longer than
 * two points per pixel column keeps, per column, its minimum and its
 * maximum in bar order, so no spike is lost (drawing only). */
#include "report_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PL 72.0
#define PR 16.0
#define PT 34.0
#define PB 34.0
#define LINE_H 320.0

enum {
    C_TEXT = 0x222222,
    C_AXIS = 0x444444,
    C_GRID = 0xe3e3e3,
    C_BLUE = 0x1f77b4,
    C_GREY = 0x8c8c8c,
    C_GREEN = 0x1a9850,
    C_RED = 0xd73027,
    C_ORANGE = 0xff7f0e
};

static const char *const names[SLAB_CHART_COUNT] = {"price",  "equity",     "drawdown", "returns",
                                                    "trades", "excursions", "sharpe"};

const char *slab_chart_name(slab_chart c)
{
    return c < SLAB_CHART_COUNT ? names[c] : "?";
}

slab_status slab_chart_parse(const char *s, slab_chart *out, slab_error *err)
{
    for (int k = 0; k < SLAB_CHART_COUNT; k++)
        if (s && !strcmp(s, names[k])) {
            *out = (slab_chart)k;
            return SLAB_OK;
        }
    return slab_error_fail(err, SLAB_EC_BAD_VALUE, "--chart",
                           "unknown chart '%s' (one of price, equity, drawdown, returns, trades, "
                           "excursions, sharpe)",
                           s ? s : "");
}

/* The plot area and value range of a line chart. */
typedef struct frame {
    double x0, x1, y0, y1; /* left, right, top, bottom, pixels */
    double lo, hi;         /* value range */
    size_t n;              /* bars across */
} frame;

static double fx(const frame *f, double i)
{
    return f->n > 1 ? f->x0 + i / (double)(f->n - 1) * (f->x1 - f->x0) : (f->x0 + f->x1) / 2;
}

static double fy(const frame *f, double v)
{
    return f->y1 - (v - f->lo) / (f->hi - f->lo) * (f->y1 - f->y0);
}

static void frame_init(frame *f, size_t n, double lo, double hi, double w, double h)
{
    f->x0 = PL;
    f->x1 = w - PR;
    f->y0 = PT;
    f->y1 = h - PB;
    f->n = n;
    if (!(lo < hi)) { /* one value, or none finite */
        lo = isfinite(lo) ? lo - 1.0 : -1.0;
        hi = isfinite(hi) ? hi + 1.0 : 1.0;
    }
    double pad = (hi - lo) * 0.05;
    f->lo = lo - pad;
    f->hi = hi + pad;
}

/* Widens [*lo, *hi] by the finite values of y[0..n-1]. */
static void range(const double *y, size_t n, double *lo, double *hi)
{
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i])) {
            *lo = fmin(*lo, y[i]);
            *hi = fmax(*hi, y[i]);
        }
}

/* The indexes to draw of y[0..n-1] (NaN skipped): all of them when n <=
 * 2 * cols, else each column's minimum and maximum in bar order. idx has
 * room for 2 * cols + 2 (or n). Returns the count. */
static size_t reduce(const double *y, size_t n, size_t cols, size_t *idx)
{
    size_t k = 0;
    if (n <= 2 * cols) {
        for (size_t i = 0; i < n; i++)
            if (isfinite(y[i]))
                idx[k++] = i;
        return k;
    }
    for (size_t c = 0; c < cols; c++) {
        size_t a = c * n / cols, b = (c + 1) * n / cols, lo = n, hi = n;
        for (size_t i = a; i < b; i++) {
            if (!isfinite(y[i]))
                continue;
            if (lo == n || y[i] < y[lo])
                lo = i;
            if (hi == n || y[i] > y[hi])
                hi = i;
        }
        if (lo == n)
            continue;
        idx[k++] = lo < hi ? lo : hi;
        if (lo != hi)
            idx[k++] = lo < hi ? hi : lo;
    }
    return k;
}

static size_t columns(const frame *f)
{
    return (size_t)(f->x1 - f->x0);
}

/* Draws y as a reduced polyline; returns the points drawn (0 when out of
 * memory or nothing finite). */
static size_t series(rpt_canvas *c, const frame *f, const double *y, size_t n, uint32_t rgb,
                     const char *cls)
{
    size_t cap = n <= 2 * columns(f) ? n : 2 * columns(f) + 2;
    size_t *idx = slab_malloc((cap ? cap : 1) * sizeof *idx);
    double *px = slab_malloc((cap ? cap : 1) * sizeof *px),
           *py = slab_malloc((cap ? cap : 1) * sizeof *py);
    size_t k = 0;
    if (idx && px && py) {
        k = reduce(y, n, columns(f), idx);
        for (size_t j = 0; j < k; j++) {
            px[j] = fx(f, (double)idx[j]);
            py[j] = fy(f, y[idx[j]]);
        }
        if (k)
            c->polyline(c, px, py, k, rgb, 1.5, cls);
    }
    slab_free(idx);
    slab_free(px);
    slab_free(py);
    return k;
}

/* A step of 1, 2 or 5 times a power of ten giving about five ticks. */
static double nice_step(double span)
{
    double raw = span / 5.0, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0) * p;
}

/* A bar's time as a tick label: a date, or month-day hour:minute. */
static void time_label(const rpt_model *m, size_t i, char *buf, size_t n)
{
    time_t t = (time_t)m->ts_s[i];
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { /* a time beyond the calendar */
        snprintf(buf, n, "?");
        return;
    }
    if (m->date_only)
        strftime(buf, n, "%Y-%m-%d", &tm);
    else
        strftime(buf, n, "%m-%d %H:%M", &tm);
}

/* Title, axes, grid and tick labels of a line chart. */
static void axes(const rpt_model *m, rpt_canvas *c, const frame *f, const char *title,
                 const char *unit)
{
    char buf[64];
    c->text(c, f->x0, 20, title, 14, RPT_START, C_TEXT, "title");
    c->group(c, "axes", 1);
    double step = nice_step(f->hi - f->lo);
    for (double v = ceil(f->lo / step) * step; v <= f->hi; v += step) {
        double y = fy(f, v);
        c->line(c, f->x0, y, f->x1, y, C_GRID, 1, "grid");
        snprintf(buf, sizeof buf, "%.*f%s",
                 step >= 1     ? 0
                 : step >= 0.1 ? 1
                               : 2,
                 fabs(v) < step / 1e6 ? 0.0 : v, unit);
        c->text(c, f->x0 - 6, y + 4, buf, 11, RPT_END, C_AXIS, "tick y");
    }
    for (size_t k = 0, last = (size_t)-1; m->n && k <= 5; k++) {
        size_t i = (size_t)((double)k / 5.0 * (double)(m->n - 1) + 0.5);
        if (i == last) /* fewer than six bars */
            continue;
        last = i;
        time_label(m, i, buf, sizeof buf);
        c->line(c, fx(f, (double)i), f->y1, fx(f, (double)i), f->y1 + 4, C_AXIS, 1, "tick");
        c->text(c, fx(f, (double)i), f->y1 + 17, buf, 11,
                k == 0   ? RPT_START
                : k == 5 ? RPT_END
                         : RPT_MIDDLE,
                C_AXIS, "tick x");
    }
    c->line(c, f->x0, f->y1, f->x1, f->y1, C_AXIS, 1, "axis x");
    c->line(c, f->x0, f->y0, f->x0, f->y1, C_AXIS, 1, "axis y");
    c->group(c, "axes", 0);
}

/* A legend entry at the top right, the k-th from the right. */
static void legend(rpt_canvas *c, double w, int k, const char *label, uint32_t rgb)
{
    double x = w - PR - 150.0 * (k + 1);
    c->line(c, x, 16, x + 18, 16, rgb, 3, "legend");
    c->text(c, x + 24, 20, label, 12, RPT_START, C_TEXT, "legend");
}

static void message(rpt_canvas *c, double w, double h, const char *title, const char *msg)
{
    c->text(c, PL, 20, title, 14, RPT_START, C_TEXT, "title");
    c->text(c, w / 2, h / 2, msg, 12, RPT_MIDDLE, C_GREY, "message");
}

static void price_chart(const rpt_model *m, rpt_canvas *c, double w, double h)
{
    frame f;
    double lo = INFINITY, hi = -INFINITY;
    size_t nt = m->n_trades < RPT_MAX_MARKERS ? m->n_trades : RPT_MAX_MARKERS;
    char tip[320], buf[64];
    range(m->close, m->n, &lo, &hi);
    for (size_t k = 0; k < nt; k++) {
        range(&m->trades[k].entry_price, 1, &lo, &hi);
        if (!m->trades[k].is_open)
            range(&m->trades[k].exit_price, 1, &lo, &hi);
    }
    frame_init(&f, m->n, lo, hi, w, h);
    axes(m, c, &f, slab_text(m->lang, "chart.price"), "");
    legend(c, w, 0, slab_text(m->lang, "chart.close"), C_BLUE);
    series(c, &f, m->close, m->n, C_BLUE, "series close");
    c->group(c, "trades", 1);
    for (size_t k = 0; k < nt; k++) {
        const rpt_trade *t = &m->trades[k];
        snprintf(tip, sizeof tip, "#%zu %s: %s %s @ %.6g", k + 1,
                 slab_text(m->lang, t->is_long ? "trade.long" : "trade.short"),
                 slab_text(m->lang, "chart.entry"), t->entry_time ? t->entry_time : "",
                 t->entry_price);
        c->mark(c, t->is_long ? RPT_UP : RPT_DOWN, fx(&f, (double)t->entry_bar),
                fy(&f, t->entry_price), C_GREEN, "entry", tip);
        if (t->is_open)
            continue;
        snprintf(tip, sizeof tip, "#%zu %s: %s %s @ %.6g, %s %s", k + 1,
                 slab_text(m->lang, t->is_long ? "trade.long" : "trade.short"),
                 slab_text(m->lang, "chart.exit"), t->exit_time ? t->exit_time : "", t->exit_price,
                 slab_text(m->lang, "trade.pnl"),
                 slab_fmt_percent(m->lang, t->pnl_pct, 2, 1, buf, sizeof buf));
        c->mark(c, t->is_long ? RPT_DOWN : RPT_UP, fx(&f, (double)t->exit_bar),
                fy(&f, t->exit_price), C_RED, "exit", tip);
    }
    c->group(c, "trades", 0);
}

static void equity_chart(const rpt_model *m, rpt_canvas *c, double w, double h)
{
    frame f;
    double lo = INFINITY, hi = -INFINITY;
    double *bh = slab_malloc(m->n * sizeof *bh);
    if (!bh)
        return;
    /* the starting cash in the symbol from the first close on (with
     * several feeds the traded one may start after the first step: NaN
     * closes there, a gap in the line) */
    size_t i0 = 0;
    while (i0 + 1 < m->n && !isfinite(m->close[i0]))
        i0++;
    for (size_t i = 0; i < m->n; i++)
        bh[i] = m->v0 * m->close[i] / m->close[i0];
    range(m->value, m->n, &lo, &hi);
    range(bh, m->n, &lo, &hi);
    frame_init(&f, m->n, lo, hi, w, h);
    axes(m, c, &f, slab_text(m->lang, "chart.equity"), "");
    legend(c, w, 1, slab_text(m->lang, "chart.strategy"), C_BLUE);
    legend(c, w, 0, slab_text(m->lang, "chart.buy_and_hold"), C_GREY);
    series(c, &f, bh, m->n, C_GREY, "series buy-and-hold");
    series(c, &f, m->value, m->n, C_BLUE, "series equity");
    slab_free(bh);
}

static void drawdown_chart(const rpt_model *m, rpt_canvas *c, double w, double h)
{
    frame f;
    double lo = 0.0, hi = 0.0, peak = -INFINITY, worst = 0.0;
    size_t worst_i = 0, peak_i = 0, worst_peak = 0, worst_end = m->n - 1;
    char buf[64], label[128];
    double *dd = slab_malloc(m->n * sizeof *dd);
    if (!dd)
        return;
    for (size_t i = 0; i < m->n; i++) {
        if (m->value[i] >= peak) {
            peak = m->value[i];
            peak_i = i;
        }
        dd[i] = m->value[i] >= peak ? 0.0 : -100.0 * (peak - m->value[i]) / peak;
        if (dd[i] < worst) {
            worst = dd[i];
            worst_i = i;
            worst_peak = peak_i;
        }
    }
    for (size_t i = worst_i; i < m->n; i++) /* the bar that regains the peak */
        if (dd[i] == 0.0) {
            worst_end = i;
            break;
        }
    range(dd, m->n, &lo, &hi);
    frame_init(&f, m->n, lo, hi, w, h);
    axes(m, c, &f, slab_text(m->lang, "chart.drawdown"), "%");
    if (worst < 0.0)
        c->rect(c, fx(&f, (double)worst_peak), f.y0,
                fx(&f, (double)worst_end) - fx(&f, (double)worst_peak), f.y1 - f.y0, C_RED, 0.08,
                "worst-period", NULL);
    size_t cap = 2 * columns(&f) + 4 < m->n + 2 ? 2 * columns(&f) + 4 : m->n + 2;
    size_t *idx = slab_malloc(cap * sizeof *idx);
    double *px = slab_malloc(cap * sizeof *px), *py = slab_malloc(cap * sizeof *py);
    if (idx && px && py) {
        size_t k = reduce(dd, m->n, columns(&f), idx);
        px[0] = fx(&f, 0);
        py[0] = fy(&f, 0);
        for (size_t j = 0; j < k; j++) {
            px[j + 1] = fx(&f, (double)idx[j]);
            py[j + 1] = fy(&f, dd[idx[j]]);
        }
        px[k + 1] = fx(&f, (double)(m->n - 1));
        py[k + 1] = fy(&f, 0);
        c->polygon(c, px, py, k + 2, C_RED, 0.35, "series drawdown");
    }
    slab_free(idx);
    slab_free(px);
    slab_free(py);
    if (worst < 0.0) {
        c->mark(c, RPT_DOT, fx(&f, (double)worst_i), fy(&f, worst), C_RED, "worst", NULL);
        slab_textf(m->lang, "chart.worst_drawdown", label, sizeof label,
                   slab_fmt_percent(m->lang, worst, 2, 0, buf, sizeof buf));
        c->text(c, fx(&f, (double)worst_i) + (worst_i < m->n / 2 ? 8 : -8), fy(&f, worst) + 4,
                label, 12, worst_i < m->n / 2 ? RPT_START : RPT_END, C_RED, "worst-label");
    }
    slab_free(dd);
}

/* ---- the monthly returns heatmap ---- */
#define CELL_H 22.0
#define MAX_YEARS 300 /* heatmap rows; a longer span is a broken series */

/* a / b rounded down (times before 1970 stay on their day). */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b < 0);
}

/* Years spanned by the series (first and last calendar year). */
static void years(const rpt_model *m, int *y0, int *y1)
{
    /* every bar, not the first and last: a series out of order must not
     * put a bar outside the grid */
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    int y, mo, d;
    for (size_t i = 0; i < m->n; i++) {
        lo = m->ts_s[i] < lo ? m->ts_s[i] : lo;
        hi = m->ts_s[i] > hi ? m->ts_s[i] : hi;
    }
    /* beyond +-10^7 years the day number overflows nothing but means nothing */
    if (lo < -315569520000000LL || hi > 315569520000000LL) {
        *y0 = 0;
        *y1 = MAX_YEARS + 1;
        return;
    }
    slab_civil_from_days(floor_div(lo, 86400), &y, &mo, &d);
    *y0 = y;
    slab_civil_from_days(floor_div(hi, 86400), &y, &mo, &d);
    *y1 = y;
}

static uint32_t heat(double r, double maxabs)
{
    double a = maxabs > 0 ? 0.15 + 0.85 * fmin(fabs(r) / maxabs, 1.0) : 0.15;
    uint32_t base = r >= 0 ? C_GREEN : C_RED;
    /* blend with white by a */
    uint32_t out = 0;
    for (int s = 0; s < 24; s += 8) {
        double ch = (double)((base >> s) & 0xff);
        out |= (uint32_t)(255.0 - a * (255.0 - ch) + 0.5) << s;
    }
    return out;
}

static void returns_chart(const rpt_model *m, rpt_canvas *c, double w, double h)
{
    int y0, y1;
    years(m, &y0, &y1);
    int ny = y1 - y0 + 1;
    if (ny < 1 || ny > MAX_YEARS) { /* times out of order or out of this world */
        message(c, w, h, slab_text(m->lang, "chart.returns"), slab_text(m->lang, "chart.no_data"));
        return;
    }
    double *ret = slab_malloc((size_t)ny * 13 * sizeof *ret), maxabs = 0.0;
    if (!ret)
        return;
    for (int k = 0; k < ny * 13; k++)
        ret[k] = NAN;
    double prev_m = m->v0, prev_y = m->v0;
    /* calendar months from the day number (no time zone: UTC, as ts_s) */
    int ym = 0, ym_next = 0, cy, mo, d;
    for (size_t i = 0; i < m->n; i++) {
        if (i == 0) {
            slab_civil_from_days(floor_div(m->ts_s[0], 86400), &cy, &mo, &d);
            ym = cy * 12 + mo - 1;
        } else
            ym = ym_next;
        if (i + 1 < m->n) {
            slab_civil_from_days(floor_div(m->ts_s[i + 1], 86400), &cy, &mo, &d);
            ym_next = cy * 12 + mo - 1;
        }
        int last_m = i + 1 == m->n || ym_next != ym;
        int last_y = i + 1 == m->n || ym_next / 12 != ym / 12;
        int row = ym / 12 - y0;
        if (row < 0 || row >= ny) /* cannot happen with y0, y1 from every bar */
            continue;
        if (last_m) {
            ret[row * 13 + ym % 12] = m->value[i] / prev_m - 1.0;
            prev_m = m->value[i];
        }
        if (last_y) {
            ret[row * 13 + 12] = m->value[i] / prev_y - 1.0;
            prev_y = m->value[i];
        }
    }
    for (int k = 0; k < ny * 13; k++)
        if (k % 13 != 12 && isfinite(ret[k]))
            maxabs = fmax(maxabs, fabs(ret[k]));
    double cw = (w - PL - PR) / 13.0;
    char key[32], buf[64], tip[128];
    c->text(c, PL, 20, slab_text(m->lang, "chart.returns"), 14, RPT_START, C_TEXT, "title");
    c->group(c, "axes", 1);
    for (int col = 0; col < 13; col++) {
        snprintf(key, sizeof key, col < 12 ? "chart.month_%d" : "chart.year_total", col + 1);
        c->text(c, PL + cw * (col + 0.5), PT + 14, slab_text(m->lang, key), 11, RPT_MIDDLE, C_AXIS,
                "tick x");
    }
    for (int r = 0; r < ny; r++) {
        snprintf(buf, sizeof buf, "%d", y0 + r);
        c->text(c, PL - 6, PT + CELL_H * (r + 1) + 15, buf, 11, RPT_END, C_AXIS, "tick y");
    }
    c->group(c, "axes", 0);
    c->group(c, "cells", 1);
    for (int r = 0; r < ny; r++)
        for (int col = 0; col < 13; col++) {
            double v = ret[r * 13 + col];
            if (!isfinite(v))
                continue;
            double x = PL + cw * col, y = PT + CELL_H * (r + 1);
            snprintf(key, sizeof key, col < 12 ? "chart.month_%d" : "chart.year_total", col + 1);
            slab_fmt_percent(m->lang, v * 100.0, 2, 1, buf, sizeof buf);
            snprintf(tip, sizeof tip, "%d %s: %s", y0 + r, slab_text(m->lang, key), buf);
            c->rect(c, x + 1, y + 1, cw - 2, CELL_H - 2,
                    col == 12 ? heat(v, fmax(maxabs, fabs(v))) : heat(v, maxabs), 1.0,
                    col == 12 ? "cell year" : "cell month", tip);
            slab_fmt_percent(m->lang, v * 100.0, 1, 0, buf, sizeof buf);
            c->text(c, x + cw / 2, y + 15, buf, 10.5, RPT_MIDDLE, C_TEXT, "cell-text");
        }
    c->group(c, "cells", 0);
    slab_free(ret);
}

static void trades_chart(const rpt_model *m, rpt_canvas *c, double w, double h)
{
    frame f;
    size_t nc = 0;
    double lo = 0.0, hi = 0.0;
    char tip[160], buf[64], tbuf[96];
    const char *title = slab_textf(m->lang, "chart.trade_pnl", tbuf, sizeof tbuf); /* "%%" */
    double *pnl = slab_malloc((m->n_trades ? m->n_trades : 1) * sizeof *pnl);
    size_t *which = slab_malloc((m->n_trades ? m->n_trades : 1) * sizeof *which);
    if (!pnl || !which)
        goto out;
    for (size_t k = 0; k < m->n_trades; k++)
        if (!m->trades[k].is_open) {
            which[nc] = k;
            pnl[nc++] = m->trades[k].pnl_pct;
        }
    if (!nc) {
        message(c, w, h, title, slab_text(m->lang, "chart.no_trades"));
        goto out;
    }
    range(pnl, nc, &lo, &hi);
    frame_init(&f, nc, lo, hi, w, h);
    /* trades, not bars, across: slot k centred at x0 + (k + 0.5) * slot */
    double slot = (f.x1 - f.x0) / (double)nc;
    c->text(c, f.x0, 20, title, 14, RPT_START, C_TEXT, "title");
    c->group(c, "axes", 1);
    double step = nice_step(f.hi - f.lo);
    for (double v = ceil(f.lo / step) * step; v <= f.hi; v += step) {
        c->line(c, f.x0, fy(&f, v), f.x1, fy(&f, v), C_GRID, 1, "grid");
        snprintf(buf, sizeof buf, "%.*f%%",
                 step >= 1     ? 0
                 : step >= 0.1 ? 1
                               : 2,
                 fabs(v) < step / 1e6 ? 0.0 : v);
        c->text(c, f.x0 - 6, fy(&f, v) + 4, buf, 11, RPT_END, C_AXIS, "tick y");
    }
    c->line(c, f.x0, f.y1, f.x1, f.y1, C_AXIS, 1, "axis x");
    c->line(c, f.x0, f.y0, f.x0, f.y1, C_AXIS, 1, "axis y");
    c->text(c, (f.x0 + f.x1) / 2, f.y1 + 17, slab_text(m->lang, "chart.trade_number"), 11,
            RPT_MIDDLE, C_AXIS, "tick x");
    c->group(c, "axes", 0);
    c->line(c, f.x0, fy(&f, 0), f.x1, fy(&f, 0), C_AXIS, 1, "zero");
    size_t cap = nc <= 2 * columns(&f) ? nc : 2 * columns(&f) + 2;
    size_t *idx = slab_malloc(cap * sizeof *idx);
    if (!idx)
        goto out;
    size_t k = reduce(pnl, nc, columns(&f), idx);
    c->group(c, "bars", 1);
    for (size_t j = 0; j < k; j++) {
        double v = pnl[idx[j]], x = f.x0 + slot * (double)idx[j], bw = fmax(slot - 1.0, 1.0);
        double ya = fy(&f, fmax(v, 0.0)), yb = fy(&f, fmin(v, 0.0));
        snprintf(tip, sizeof tip, "#%zu %s %s", which[idx[j]] + 1,
                 m->trades[which[idx[j]]].exit_time ? m->trades[which[idx[j]]].exit_time : "",
                 slab_fmt_percent(m->lang, v, 2, 1, buf, sizeof buf));
        c->rect(c, x, ya, bw, fmax(yb - ya, 0.5), v >= 0 ? C_GREEN : C_RED, 1.0,
                v >= 0 ? "bar win" : "bar loss", tip);
    }
    c->group(c, "bars", 0);
    slab_free(idx);
out:
    slab_free(pnl);
    slab_free(which);
}

/* MFE and MAE (best and worst excursion, percent of the entry) of each
 * closed trade against its P&L %: x by P&L, y by excursion, one dot each
 * (the first RPT_MAX_MARKERS trades). */
static void excursion_chart(const rpt_model *m, rpt_canvas *c, double w, double h)
{
    double xlo = 0, xhi = 0, ylo = 0, yhi = 0;
    size_t nt = 0;
    char tip[160], a[48], b[48], p[48];
    char tbuf[96]; /* the row is a printf format ("%%") */
    const char *title = slab_textf(m->lang, "chart.mfe_mae", tbuf, sizeof tbuf);
    for (size_t k = 0; k < m->n_trades && nt < RPT_MAX_MARKERS; k++) {
        const rpt_trade *t = &m->trades[k];
        if (t->is_open || !isfinite(t->pnl_pct))
            continue;
        nt++;
        xlo = fmin(xlo, t->pnl_pct);
        xhi = fmax(xhi, t->pnl_pct);
        if (isfinite(t->mfe_pct))
            yhi = fmax(yhi, t->mfe_pct);
        if (isfinite(t->mae_pct))
            ylo = fmin(ylo, t->mae_pct);
    }
    if (!nt) {
        message(c, w, h, title, slab_text(m->lang, "chart.no_trades"));
        return;
    }
    frame fxr, f; /* x: P&L % as a value range; y: excursion % */
    frame_init(&fxr, 2, xlo, xhi, w, h);
    frame_init(&f, 2, ylo, yhi, w, h);
    c->text(c, f.x0, 20, title, 14, RPT_START, C_TEXT, "title");
    legend(c, w, 1, slab_text(m->lang, "trade.mfe"), C_GREEN);
    legend(c, w, 0, slab_text(m->lang, "trade.mae"), C_RED);
    c->group(c, "axes", 1);
    double step = nice_step(f.hi - f.lo), xstep = nice_step(fxr.hi - fxr.lo);
    for (double v = ceil(f.lo / step) * step; v <= f.hi; v += step) {
        c->line(c, f.x0, fy(&f, v), f.x1, fy(&f, v), C_GRID, 1, "grid");
        snprintf(a, sizeof a, "%.*f%%", step >= 1 ? 0 : 1, fabs(v) < step / 1e6 ? 0.0 : v);
        c->text(c, f.x0 - 6, fy(&f, v) + 4, a, 11, RPT_END, C_AXIS, "tick y");
    }
    for (double v = ceil(fxr.lo / xstep) * xstep; v <= fxr.hi; v += xstep) {
        double x = f.x0 + (v - fxr.lo) / (fxr.hi - fxr.lo) * (f.x1 - f.x0);
        snprintf(a, sizeof a, "%.*f%%", xstep >= 1 ? 0 : 1, fabs(v) < xstep / 1e6 ? 0.0 : v);
        c->line(c, x, f.y1, x, f.y1 + 4, C_AXIS, 1, "tick");
        c->text(c, x, f.y1 + 17, a, 11, RPT_MIDDLE, C_AXIS, "tick x");
    }
    c->line(c, f.x0, f.y1, f.x1, f.y1, C_AXIS, 1, "axis x");
    c->line(c, f.x0, f.y0, f.x0, f.y1, C_AXIS, 1, "axis y");
    c->group(c, "axes", 0);
    c->line(c, f.x0, fy(&f, 0), f.x1, fy(&f, 0), C_AXIS, 1, "zero");
    c->group(c, "dots", 1);
    for (size_t k = 0, i = 0; k < m->n_trades && i < nt; k++) {
        const rpt_trade *t = &m->trades[k];
        if (t->is_open || !isfinite(t->pnl_pct))
            continue;
        i++;
        double x = f.x0 + (t->pnl_pct - fxr.lo) / (fxr.hi - fxr.lo) * (f.x1 - f.x0);
        snprintf(tip, sizeof tip, "#%zu %s %s, %s %s, %s %s", k + 1,
                 slab_text(m->lang, "trade.pnl"),
                 slab_fmt_percent(m->lang, t->pnl_pct, 2, 1, p, sizeof p),
                 slab_text(m->lang, "trade.mfe"),
                 slab_fmt_percent(m->lang, t->mfe_pct, 2, 1, a, sizeof a),
                 slab_text(m->lang, "trade.mae"),
                 slab_fmt_percent(m->lang, t->mae_pct, 2, 1, b, sizeof b));
        if (isfinite(t->mfe_pct))
            c->mark(c, RPT_DOT, x, fy(&f, t->mfe_pct), C_GREEN, "mfe", tip);
        if (isfinite(t->mae_pct))
            c->mark(c, RPT_DOT, x, fy(&f, t->mae_pct), C_RED, "mae", tip);
    }
    c->group(c, "dots", 0);
}

/* Rolling Sharpe over w bars: (mean r - rf) / sd_pop(r) * sqrt(P), the
 * per-bar returns of the statistics block (stats.h). */
static void sharpe_chart(const rpt_model *m, rpt_canvas *c, double w, double h)
{
    double P = m->periods_per_year > 0 ? m->periods_per_year : 252.0;
    size_t win = (size_t)fmin(floor(P + 0.5), (double)(m->n / 3));
    char buf[32], title[96];
    snprintf(buf, sizeof buf, "%zu", win);
    slab_textf(m->lang, "chart.rolling_sharpe", title, sizeof title, buf);
    if (win < 2) {
        message(c, w, h, title, slab_text(m->lang, "chart.no_data"));
        return;
    }
    double *rs = slab_malloc(m->n * sizeof *rs), rf = pow(1.01, 1.0 / P) - 1.0;
    double s1 = 0.0, s2 = 0.0, lo = INFINITY, hi = -INFINITY;
    if (!rs)
        return;
    for (size_t i = 0; i < m->n; i++) {
        double r = m->value[i] / (i ? m->value[i - 1] : m->v0) - 1.0;
        s1 += r;
        s2 += r * r;
        if (i >= win) {
            double old = m->value[i - win] / (i - win ? m->value[i - win - 1] : m->v0) - 1.0;
            s1 -= old;
            s2 -= old * old;
        }
        double mean = s1 / (double)win, var = s2 / (double)win - mean * mean;
        rs[i] = i + 1 >= win && var > 1e-18 ? (mean - rf) / sqrt(var) * sqrt(P) : NAN;
    }
    frame f;
    range(rs, m->n, &lo, &hi);
    lo = fmin(lo, 0.0);
    hi = fmax(hi, 0.0);
    frame_init(&f, m->n, lo, hi, w, h);
    axes(m, c, &f, title, "");
    c->line(c, f.x0, fy(&f, 0), f.x1, fy(&f, 0), C_AXIS, 1, "zero");
    series(c, &f, rs, m->n, C_ORANGE, "series sharpe");
    slab_free(rs);
}

int slab__rpt_chart_needs_series(slab_chart chart)
{
    return chart != SLAB_CHART_TRADES && chart != SLAB_CHART_EXCURSIONS;
}

double slab__rpt_chart_height(const rpt_model *m, slab_chart chart, double w)
{
    (void)w;
    if (chart == SLAB_CHART_RETURNS && m->n) {
        int y0, y1;
        years(m, &y0, &y1);
        if (y1 - y0 + 1 >= 1 && y1 - y0 + 1 <= MAX_YEARS)
            return PT + CELL_H * (y1 - y0 + 2) + 12;
    }
    return LINE_H;
}

int slab__rpt_chart_draw(const rpt_model *m, slab_chart chart, rpt_canvas *c, double w, double h)
{
    static const char *const titles[SLAB_CHART_COUNT] = {
        "chart.price",     "chart.equity",  "chart.drawdown",      "chart.returns",
        "chart.trade_pnl", "chart.mfe_mae", "chart.rolling_sharpe"};
    if (slab__rpt_chart_needs_series(chart) && !m->n) {
        char t[96];
        slab_textf(m->lang, titles[chart], t, sizeof t, "");
        message(c, w, h, t, slab_text(m->lang, "chart.no_series"));
        return 1;
    }
    switch (chart) {
    case SLAB_CHART_PRICE: price_chart(m, c, w, h); break;
    case SLAB_CHART_EQUITY: equity_chart(m, c, w, h); break;
    case SLAB_CHART_DRAWDOWN: drawdown_chart(m, c, w, h); break;
    case SLAB_CHART_RETURNS: returns_chart(m, c, w, h); break;
    case SLAB_CHART_TRADES: trades_chart(m, c, w, h); break;
    case SLAB_CHART_EXCURSIONS: excursion_chart(m, c, w, h); break;
    default: sharpe_chart(m, c, w, h); break;
    }
    return 0;
}

void slab__rpt_chart_svg(const rpt_model *m, slab_chart chart, double w, rpt_buf *out)
{
    rpt_canvas c;
    double h = slab__rpt_chart_height(m, chart, w);
    slab__rpt_add(out,
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"%s\" "
                  "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
                  "font-family=\"sans-serif\">\n<rect class=\"background\" width=\"100%%\" "
                  "height=\"100%%\" fill=\"#ffffff\"/>\n",
                  slab_chart_name(chart), w, h, w, h);
    slab__rpt_svg_canvas(&c, out);
    slab__rpt_chart_draw(m, chart, &c, w, h);
    slab__rpt_add(out, "</svg>\n");
}
