/* canvas_png.c: the cairo back end of the drawing surface (report_int.h)
 * and slab_report_png: a chart drawn into an image surface, white
 * background, written as PNG, no browser or display needed (seed 001's
 * "plots that work on a headless server"). Built only with cairo
 * (SLAB_HAVE_CAIRO, Debian libcairo2-dev); without it the PNG call says so. */
#include "report_int.h"

#include <math.h>
#include <stdio.h>

#ifdef SLAB_HAVE_CAIRO
#include <cairo.h>
#include <fontconfig/fontconfig.h>

void slab_report_release_fonts(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

#define CR(c) ((cairo_t *)(c)->ctx)

static void rgb(cairo_t *cr, uint32_t c, double alpha)
{
    cairo_set_source_rgba(cr, ((c >> 16) & 0xff) / 255.0, ((c >> 8) & 0xff) / 255.0,
                          (c & 0xff) / 255.0, alpha);
}

static void path(cairo_t *cr, const double *x, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        (i ? cairo_line_to : cairo_move_to)(cr, x[i], y[i]);
}

static void polyline(rpt_canvas *c, const double *x, const double *y, size_t n, uint32_t col,
                     double width, const char *cls)
{
    (void)cls;
    path(CR(c), x, y, n);
    rgb(CR(c), col, 1.0);
    cairo_set_line_width(CR(c), width);
    cairo_set_line_join(CR(c), CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(CR(c));
}

static void polygon(rpt_canvas *c, const double *x, const double *y, size_t n, uint32_t col,
                    double alpha, const char *cls)
{
    (void)cls;
    path(CR(c), x, y, n);
    cairo_close_path(CR(c));
    rgb(CR(c), col, alpha);
    cairo_fill(CR(c));
}

static void line(rpt_canvas *c, double x1, double y1, double x2, double y2, uint32_t col,
                 double width, const char *cls)
{
    (void)cls;
    cairo_move_to(CR(c), x1, y1);
    cairo_line_to(CR(c), x2, y2);
    rgb(CR(c), col, 1.0);
    cairo_set_line_width(CR(c), width);
    cairo_stroke(CR(c));
}

static void rect(rpt_canvas *c, double x, double y, double w, double h, uint32_t col, double alpha,
                 const char *cls, const char *title)
{
    (void)cls;
    (void)title;
    cairo_rectangle(CR(c), x, y, w, h);
    rgb(CR(c), col, alpha);
    cairo_fill(CR(c));
}

static void mark(rpt_canvas *c, rpt_mark kind, double x, double y, uint32_t col, const char *cls,
                 const char *title)
{
    (void)cls;
    (void)title;
    if (!isfinite(x) || !isfinite(y))
        return;
    if (kind == RPT_DOT) {
        cairo_arc(CR(c), x, y, 4, 0, 2 * M_PI);
    } else { /* the same triangle as the SVG's path: tip at (x, y) */
        double d = kind == RPT_UP ? 9 : -9;
        cairo_move_to(CR(c), x, y);
        cairo_line_to(CR(c), x - 5, y + d);
        cairo_line_to(CR(c), x + 5, y + d);
        cairo_close_path(CR(c));
    }
    rgb(CR(c), col, 1.0);
    cairo_fill(CR(c));
}

static void text(rpt_canvas *c, double x, double y, const char *s, double size, rpt_anchor a,
                 uint32_t col, const char *cls)
{
    cairo_text_extents_t e;
    (void)cls;
    /* cairo's toy text API takes one face and does no fallback: text with
     * Chinese gets a CJK face (Debian fonts-wqy-microhei, which setup.sh
     * installs, or Noto CJK), the rest the system's sans-serif */
    int wide = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && !wide; p++)
        wide = *p >= 0xE0;
    cairo_select_font_face(CR(c), wide ? "WenQuanYi Micro Hei" : "sans-serif",
                           CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(CR(c), size);
    cairo_text_extents(CR(c), s, &e);
    double dx = a == RPT_START ? 0 : a == RPT_MIDDLE ? -e.x_advance / 2 : -e.x_advance;
    cairo_move_to(CR(c), x + dx, y);
    rgb(CR(c), col, 1.0);
    cairo_show_text(CR(c), s);
}

static void group(rpt_canvas *c, const char *cls, int open)
{
    (void)c;
    (void)cls;
    (void)open;
}

slab_status slab_report_png(const json_t *doc, const slab_series *series, slab_chart chart,
                            slab_lang lang, const char *out_path, slab_error *err)
{
    rpt_model m;
    slab_status st = slab__rpt_model_init(&m, doc, series, lang, err);
    if (st == SLAB_OK && slab__rpt_chart_needs_series(chart) && !m.n)
        st = slab_error_fail(err, SLAB_EC_BAD_DATA, "/series",
                             "the %s chart needs the per-bar series, which this result document "
                             "does not have: write it with stratlab run ... --json --series",
                             slab_chart_name(chart));
    if (st != SLAB_OK) {
        slab__rpt_model_clear(&m);
        return st;
    }
    double w = SLAB_CHART_WIDTH, h = slab__rpt_chart_height(&m, chart, w);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)ceil(h));
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    rpt_canvas c = {polyline, polygon, line, rect, mark, text, group, cr};
    slab__rpt_chart_draw(&m, chart, &c, w, h);
    cairo_destroy(cr);
    cairo_status_t cs = cairo_surface_write_to_png(s, out_path);
    if (cs != CAIRO_STATUS_SUCCESS)
        st = slab_error_fail(err, SLAB_EC_WRITE_FAILED, out_path, "cannot write the PNG: %s",
                             cairo_status_to_string(cs));
    cairo_surface_destroy(s);
    slab__rpt_model_clear(&m);
    return st;
}

#else

void slab_report_release_fonts(void) {}

slab_status slab_report_png(const json_t *doc, const slab_series *series, slab_chart chart,
                            slab_lang lang, const char *out_path, slab_error *err)
{
    (void)doc;
    (void)series;
    (void)chart;
    (void)lang;
    (void)out_path;
    return slab_error_set(err, SLAB_EINVAL, NULL,
                          "this stratlab was built without cairo, so it cannot write PNG: "
                          "install libcairo2-dev (scripts/setup.sh) and rebuild, or write .svg");
}

#endif
