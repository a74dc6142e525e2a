/* report_int.h: the report's private parts: the model read from a result
 * document (report_model.c), a drawing surface with an SVG and a cairo
 * back end (canvas_svg.c, canvas_png.c), the charts drawn through it
 * (charts.c) and the growing string they write into.
 * Invariant: a chart is drawn once, through rpt_canvas, so the SVG in the
 * HTML page, the .svg file and the .png show the same geometry. */
#ifndef SLAB_REPORT_INT_H
#define SLAB_REPORT_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "stratlab/report.h"
#include "stratlab/text.h"

/* ---- a growing string; an allocation failure sticks in oom ---- */
typedef struct rpt_buf {
    char *s;
    size_t len, cap;
    int oom;
} rpt_buf;
void slab__rpt_add(rpt_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends n bytes of s. */
void slab__rpt_put(rpt_buf *b, const char *s, size_t n);
/* Appends t with &, <, >, " escaped for HTML and SVG. */
void slab__rpt_esc(rpt_buf *b, const char *t);

/* ---- the traded feed on a run's clock ---- */
/* The bar of the traded feed (bars) at step i of run, the one the engine
 * holds there (slab_engine_run_feeds): the bar stamped at the step, else
 * the latest before it, since a feed without a bar at a step keeps its
 * last. SIZE_MAX before its first bar. With one feed the steps are its
 * bars, so step i is bar i; with several, steps outnumber its bars. */
size_t slab__rpt_bar_at_step(const slab_bars *bars, const slab_run *run, size_t i);
/* That bar's close: the traded feed's close carried forward to step i;
 * NaN before its first bar. */
double slab__rpt_close_at_step(const slab_bars *bars, const slab_run *run, size_t i);

/* ---- the model: what the charts read from a document ---- */
typedef struct rpt_trade {
    size_t entry_bar, exit_bar; /* 0-based bars (baropen - 1, barclose - 1) */
    int is_open, is_long;
    double entry_price, exit_price;     /* exit NaN while open */
    double pnl_pct;                     /* pnlcomm over the entry value, percent */
    double pnlcomm;                     /* cash units */
    double mfe_pct, mae_pct;            /* best and worst excursion, percent of entry */
    const char *entry_time, *exit_time; /* borrowed from the document */
} rpt_trade;

typedef struct rpt_model {
    const json_t *doc;       /* the document (borrowed) */
    size_t n;                /* bars in the series; 0 when the document has none */
    int64_t *ts_s;           /* bar times, seconds since the epoch */
    double *close, *value;   /* per bar */
    double v0;               /* starting cash */
    double periods_per_year; /* metrics.annualization_periods */
    int date_only;           /* daily or longer bars */
    int owns_series;         /* 1: ts_s, close, value are the model's to free */
    rpt_trade *trades;       /* the trades the document lists (owned) */
    size_t n_trades, trades_total;
    slab_lang lang;
} rpt_model;
/* Reads doc into m (which borrows doc, and series when not NULL: the
 * series slab_result_load read apart; else doc's "series"). SLAB_EDATA with one line in err for
 * a document that is not a result document, lacks a field or has series
 * of unequal lengths; SLAB_ENOMEM. */
slab_status slab__rpt_model_init(rpt_model *m, const json_t *doc, const slab_series *series,
                                 slab_lang lang, slab_error *err);
void slab__rpt_model_clear(rpt_model *m);

/* Trades marked on the price chart and dotted on the excursion chart: the
 * first this many (each is an element with its hover text; the page
 * says when there are more). */
#define RPT_MAX_MARKERS 2000

/* ---- the drawing surface ---- */
typedef enum rpt_anchor { RPT_START, RPT_MIDDLE, RPT_END } rpt_anchor;
typedef enum rpt_mark { RPT_UP, RPT_DOWN, RPT_DOT } rpt_mark;
typedef struct rpt_canvas rpt_canvas;
struct rpt_canvas {
    /* a polyline through n points; cls names it in SVG ("series equity") */
    void (*polyline)(rpt_canvas *c, const double *x, const double *y, size_t n, uint32_t rgb,
                     double width, const char *cls);
    /* a filled polygon (an area under a curve) */
    void (*polygon)(rpt_canvas *c, const double *x, const double *y, size_t n, uint32_t rgb,
                    double alpha, const char *cls);
    void (*line)(rpt_canvas *c, double x1, double y1, double x2, double y2, uint32_t rgb,
                 double width, const char *cls);
    /* a filled rectangle; title (may be NULL) is what hovering shows */
    void (*rect)(rpt_canvas *c, double x, double y, double w, double h, uint32_t rgb, double alpha,
                 const char *cls, const char *title);
    /* a marker whose tip (triangles) or centre (dot) is at x, y */
    void (*mark)(rpt_canvas *c, rpt_mark kind, double x, double y, uint32_t rgb, const char *cls,
                 const char *title);
    void (*text)(rpt_canvas *c, double x, double y, const char *s, double size, rpt_anchor a,
                 uint32_t rgb, const char *cls);
    /* opens and closes a group (SVG <g class>), for structure */
    void (*group)(rpt_canvas *c, const char *cls, int open);
    void *ctx;
};

/* The SVG back end: writes into out. The svg element itself is written by
 * slab__rpt_chart_svg. */
void slab__rpt_svg_canvas(rpt_canvas *c, rpt_buf *out);

/* Draws chart into c on a w x h surface. Returns 0, or 1 when the chart
 * needs the per-bar series and the model has none (a message is drawn). */
int slab__rpt_chart_draw(const rpt_model *m, slab_chart chart, rpt_canvas *c, double w, double h);
/* 1 when chart draws the per-bar series (all but the trade charts). */
int slab__rpt_chart_needs_series(slab_chart chart);
/* The chart's height for width w (the heatmap grows with the years). */
double slab__rpt_chart_height(const rpt_model *m, slab_chart chart, double w);
/* Writes the chart as one <svg> element into out. */
void slab__rpt_chart_svg(const rpt_model *m, slab_chart chart, double w, rpt_buf *out);

#endif
