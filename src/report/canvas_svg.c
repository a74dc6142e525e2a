/* canvas_svg.c: the SVG back end of the drawing surface (report_int.h).
 * Coordinates are written with two decimals; a polyline carries its point
 * count (data-n) and a marker its tip (data-x, data-y), so tests can read
 * the geometry without a renderer. Titles become <title> children: the
 * browser shows them on hover, with no script. */
#include "report_int.h"

#include <math.h>
#include <stdio.h>

#define OUT(c) ((rpt_buf *)(c)->ctx)

static void color(rpt_buf *b, const char *attr, uint32_t rgb)
{
    slab__rpt_add(b, " %s=\"#%06x\"", attr, (unsigned)(rgb & 0xffffffu));
}

static void points(rpt_buf *b, const double *x, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        slab__rpt_add(b, i ? " %.2f,%.2f" : "%.2f,%.2f", x[i], y[i]);
}

static void polyline(rpt_canvas *c, const double *x, const double *y, size_t n, uint32_t rgb,
                     double width, const char *cls)
{
    rpt_buf *b = OUT(c);
    slab__rpt_add(b, "<polyline class=\"%s\" data-n=\"%zu\" fill=\"none\"", cls, n);
    color(b, "stroke", rgb);
    slab__rpt_add(b, " stroke-width=\"%.2g\" stroke-linejoin=\"round\" points=\"", width);
    points(b, x, y, n);
    slab__rpt_add(b, "\"/>\n");
}

static void polygon(rpt_canvas *c, const double *x, const double *y, size_t n, uint32_t rgb,
                    double alpha, const char *cls)
{
    rpt_buf *b = OUT(c);
    slab__rpt_add(b, "<polygon class=\"%s\" data-n=\"%zu\"", cls, n);
    color(b, "fill", rgb);
    slab__rpt_add(b, " fill-opacity=\"%.2f\" points=\"", alpha);
    points(b, x, y, n);
    slab__rpt_add(b, "\"/>\n");
}

static void line(rpt_canvas *c, double x1, double y1, double x2, double y2, uint32_t rgb,
                 double width, const char *cls)
{
    rpt_buf *b = OUT(c);
    slab__rpt_add(b, "<line class=\"%s\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"", cls, x1,
                  y1, x2, y2);
    color(b, "stroke", rgb);
    slab__rpt_add(b, " stroke-width=\"%.2g\"/>\n", width);
}

static void title(rpt_buf *b, const char *t, const char *close_tag)
{
    if (!t) {
        slab__rpt_add(b, "/>\n");
        return;
    }
    slab__rpt_add(b, "><title>");
    slab__rpt_esc(b, t);
    slab__rpt_add(b, "</title></%s>\n", close_tag);
}

static void rect(rpt_canvas *c, double x, double y, double w, double h, uint32_t rgb, double alpha,
                 const char *cls, const char *t)
{
    rpt_buf *b = OUT(c);
    slab__rpt_add(b, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", cls,
                  x, y, w, h);
    color(b, "fill", rgb);
    if (alpha < 1.0)
        slab__rpt_add(b, " fill-opacity=\"%.2f\"", alpha);
    title(b, t, "rect");
}

static void mark(rpt_canvas *c, rpt_mark kind, double x, double y, uint32_t rgb, const char *cls,
                 const char *t)
{
    rpt_buf *b = OUT(c);
    if (!isfinite(x) || !isfinite(y)) /* a price the document lacks: "nan" is no SVG */
        return;
    if (kind == RPT_DOT)
        slab__rpt_add(b,
                      "<circle class=\"%s\" data-x=\"%.2f\" data-y=\"%.2f\" cx=\"%.2f\" "
                      "cy=\"%.2f\" r=\"4\"",
                      cls, x, y, x, y);
    else /* the tip at (x, y): an entry points up from below, an exit down from above */
        slab__rpt_add(
            b, "<path class=\"%s\" data-x=\"%.2f\" data-y=\"%.2f\" d=\"M%.2f,%.2fl-5,%s9h10z\"",
            cls, x, y, x, y, kind == RPT_UP ? "" : "-");
    color(b, "fill", rgb);
    title(b, t, kind == RPT_DOT ? "circle" : "path");
}

static void text(rpt_canvas *c, double x, double y, const char *s, double size, rpt_anchor a,
                 uint32_t rgb, const char *cls)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    rpt_buf *b = OUT(c);
    slab__rpt_add(b,
                  "<text class=\"%s\" x=\"%.2f\" y=\"%.2f\" font-size=\"%.3g\" "
                  "text-anchor=\"%s\"",
                  cls, x, y, size, anchors[a]);
    color(b, "fill", rgb);
    slab__rpt_add(b, ">");
    slab__rpt_esc(b, s);
    slab__rpt_add(b, "</text>\n");
}

static void group(rpt_canvas *c, const char *cls, int open)
{
    if (open)
        slab__rpt_add(OUT(c), "<g class=\"%s\">\n", cls);
    else
        slab__rpt_add(OUT(c), "</g>\n");
}

void slab__rpt_svg_canvas(rpt_canvas *c, rpt_buf *out)
{
    c->polyline = polyline;
    c->polygon = polygon;
    c->line = line;
    c->rect = rect;
    c->mark = mark;
    c->text = text;
    c->group = group;
    c->ctx = out;
}
