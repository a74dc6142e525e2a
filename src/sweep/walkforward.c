/* walkforward.c: walk-forward optimisation. For each window: sweep the grid
 * on the train bars, take the best combination by the metric, run it on the
 * test bars that follow; then stitch the test runs into one run (values,
 * trades) and build one result document over it, with the windows listed.
 * Windows are cut on the run's clock: the traded feed's times, or with
 * several feeds the union the engine steps on (after the preroll), each
 * window's feeds then sliced to it as `run --from --to` loads them.
 * Invariant: windows are views into the caller's bars (no copies); each
 * test run starts with the value the previous one ended with, so the
 * stitched curve is continuous. */
#include "sweep/sweep_int.h"

#include "stratlab/engine.h"
#include "stratlab/result.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

slab_status slab_span_parse(const char *s, slab_span *out, slab_error *err)
{
    char *end;
    long n = strtol(s, &end, 10);
    const char *u = end;
    if (end == s || n <= 0 || n > 100000)
        goto bad;
    if (!strcmp(u, "y") || !strcmp(u, "m") || !strcmp(u, "w") || !strcmp(u, "d") ||
        !strcmp(u, "b") || !strcmp(u, "bars")) {
        out->count = n;
        out->unit = u[0];
        return SLAB_OK;
    }
bad:
    return slab_error_set(err, SLAB_EINVAL, NULL,
                          "'%s' is not a window length: give a count and a unit, y (years), m "
                          "(months), w (weeks), d (days) or b (bars), e.g. 3y, 18m, 500b",
                          s);
}

/* Midnight of the day that is n spans after day (a day number). */
static int64_t add_span(int64_t day, slab_span sp, long times)
{
    int y, m, d;
    long k = sp.count * times;
    if (sp.unit == 'd')
        return (day + k) * SLAB_NS_PER_DAY;
    if (sp.unit == 'w')
        return (day + 7 * k) * SLAB_NS_PER_DAY;
    slab_civil_from_days(day, &y, &m, &d);
    long months = sp.unit == 'y' ? 12 * k : k;
    long total = (long)(m - 1) + months;
    y += (int)(total / 12);
    m = (int)(total % 12) + 1;
    int dim = slab_days_in_month(y, m);
    return slab_days_from_civil(y, m, d < dim ? d : dim) * SLAB_NS_PER_DAY;
}

/* A window's range [lo, hi) of clock steps. */
typedef struct window {
    size_t train_lo, train_hi, test_lo, test_hi;
} window;

/* The clock the windows are cut on: one feed's times, or the union of
 * several feeds' from the preroll on (the steps the engine takes). */
typedef struct wf_clock {
    slab_bars steps; /* n and ts_ns only (ts_ns borrowed, or in owned) */
    int64_t *owned;  /* several feeds: slab_engine_clock's array */
} wf_clock;

static slab_status clock_open(const slab_sweep_spec *sw, wf_clock *c, slab_error *err)
{
    size_t n = 0, first = 0;
    memset(c, 0, sizeof *c);
    if (sw->n_feeds <= 1) {
        c->steps = *sw->bars;
        return SLAB_OK;
    }
    slab_status st = slab_engine_clock(sw->feeds, sw->n_feeds, &c->owned, &n, err);
    if (st != SLAB_OK)
        return st;
    while (sw->preroll_until_ns && first < n && c->owned[first] < sw->preroll_until_ns)
        first++;
    c->steps.ts_ns = c->owned + first;
    c->steps.n = n - first;
    c->steps.timeframe = sw->bars->timeframe;
    c->steps.compression = sw->bars->compression;
    return c->steps.n
               ? SLAB_OK
               : slab_error_set(err, SLAB_ERANGE, NULL, "no bars to run on after the preroll");
}

/* Window k (0-based); 0 when it starts past the data. */
static int window_of(const slab_walkforward_spec *spec, const slab_bars *b, long k, window *w)
{
    if (spec->train.unit == 'b' || spec->test.unit == 'b') {
        size_t tr = (size_t)spec->train.count, te = (size_t)spec->test.count;
        size_t start = (size_t)k * te;
        w->train_lo = spec->anchored ? 0 : start;
        w->test_lo = start + tr;
        w->train_hi = w->test_lo;
        w->test_hi = w->test_lo + te < b->n ? w->test_lo + te : b->n;
    } else {
        int64_t day0 = slab_ts_day(b->ts_ns[0]);
        int64_t slide = add_span(day0, spec->test, k) / SLAB_NS_PER_DAY;
        int64_t next = add_span(day0, spec->test, k + 1) / SLAB_NS_PER_DAY;
        w->train_lo = spec->anchored ? 0 : slab_bars_index_at(b, slide * SLAB_NS_PER_DAY);
        w->test_lo = slab_bars_index_at(b, add_span(slide, spec->train, 1));
        w->train_hi = w->test_lo;
        w->test_hi = slab_bars_index_at(b, add_span(next, spec->train, 1));
    }
    return w->test_lo < b->n;
}

/* A view of bars [lo, hi) (borrowed arrays; never freed). */
static slab_bars view_of(const slab_bars *b, size_t lo, size_t hi)
{
    slab_bars v = *b;
    v.n = v.cap = hi - lo;
    v.ts_ns += lo;
    v.open += lo;
    v.high += lo;
    v.low += lo;
    v.close += lo;
    v.volume += lo;
    v.oi += lo;
    return v;
}

/* A window's feeds: views of the spec's, and the spec that runs them. */
typedef struct wf_slice {
    slab_bars views[SLAB_FEEDS_MAX];
    const slab_bars *feeds[SLAB_FEEDS_MAX];
    slab_sweep_spec spec; /* the walk-forward's sweep on these views */
} wf_slice;

/* Slices the feeds to clock steps [lo, hi) of window k (what names the
 * span in an error) as `run --from FIRST --to LAST` loads them: the traded
 * feed from the window's first step, the others from SLAB_PREROLL_DAYS
 * days before its date (before the step itself with bar spans, where
 * --from is a time), all to its last step; the run starts at the first
 * step (the preroll). One feed is a view of [lo, hi). */
static slab_status slice_of(const slab_walkforward_spec *spec, const slab_bars *clock, size_t lo,
                            size_t hi, long k, const char *what, wf_slice *s, slab_error *err)
{
    const slab_sweep_spec *sw = &spec->sweep;
    int64_t t0 = clock->ts_ns[lo], t1 = clock->ts_ns[hi - 1];
    int bar_spans = spec->train.unit == 'b' || spec->test.unit == 'b';
    int64_t from =
        (bar_spans ? t0 : slab_ts_day(t0) * SLAB_NS_PER_DAY) - SLAB_PREROLL_DAYS * SLAB_NS_PER_DAY;
    s->spec = *sw;
    s->spec.lo = 0;
    s->spec.hi = UINT64_MAX;
    if (sw->n_feeds <= 1) {
        s->views[0] = view_of(sw->bars, lo, hi);
        s->spec.bars = &s->views[0];
        return SLAB_OK;
    }
    for (size_t f = 0; f < sw->n_feeds; f++) {
        const slab_bars *b = sw->feeds[f];
        size_t a = slab_bars_index_at(b, f ? from : t0), e = slab_bars_index_at(b, t1 + 1);
        if (a >= e) {
            slab_error_set(err, SLAB_ERANGE, what, "window %ld's %s span has no bars of %s (%s)",
                           k + 1, what + 2, b->symbol, f ? "a feed it reads" : "the traded feed");
            slab_error_fix(err, "give --from/--to where every feed has bars, or longer windows");
            return SLAB_ERANGE;
        }
        s->views[f] = view_of(b, a, e);
        s->feeds[f] = &s->views[f];
    }
    s->spec.bars = s->feeds[0];
    s->spec.feeds = s->feeds;
    s->spec.preroll_until_ns = t0;
    return SLAB_OK;
}

static json_t *span_json(const slab_bars *b, size_t lo, size_t hi)
{
    char t1[40], t2[40];
    json_t *o = json_object();
    json_object_set_new(o, "from", json_string(slab_bars_format_time(b->ts_ns[lo], t1, sizeof t1)));
    json_object_set_new(o, "to", json_string(slab_bars_format_time(b->ts_ns[hi - 1], t2, sizeof t2)));
    json_object_set_new(o, "bars", json_integer((json_int_t)(hi - lo)));
    return o;
}

static int to_summary(void *user, uint64_t pos, const char *line, size_t len)
{
    slab_error err;
    (void)pos;
    return slab_sweep_summary_add(user, line, len, &err) != SLAB_OK;
}

/* The stitched run under construction. */
typedef struct stitch {
    slab_run run;
    size_t cap_trades;
} stitch;

/* Appends a test run: its values at clock step offset, its trades' bar
 * numbers moved by bar_offset (the traded feed's bars before it). */
static slab_status append_run(stitch *s, const slab_run *r, size_t offset, size_t bar_offset,
                              slab_error *err)
{
    memcpy(s->run.value + offset, r->value, r->n_bars * sizeof(double));
    if (s->run.n_trades + r->n_trades > s->cap_trades) {
        size_t cap = (s->run.n_trades + r->n_trades) * 2 + 8;
        slab_trade *g = slab_realloc(s->run.trades, cap * sizeof *g);
        if (!g)
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory stitching trades");
        s->run.trades = g;
        s->cap_trades = cap;
    }
    for (size_t k = 0; k < r->n_trades; k++) {
        slab_trade t = r->trades[k];
        t.ref += (int64_t)s->run.n_trades;
        t.entry_bar += bar_offset;
        t.exit_bar += t.is_open ? 0 : bar_offset;
        t.baropen += (int64_t)bar_offset;
        t.barclose += t.is_open ? 0 : (int64_t)bar_offset;
        s->run.trades[s->run.n_trades++] = t;
    }
    s->run.final_value = r->final_value;
    s->run.final_cash = r->final_cash;
    s->run.position_size = r->position_size;
    s->run.position_price = r->position_price;
    s->run.lookahead_attempts += r->lookahead_attempts;
    return SLAB_OK;
}

/* A test window that had no choice: the value stays where it was. */
static void append_flat(stitch *s, size_t offset, size_t n, double value)
{
    for (size_t i = 0; i < n; i++)
        s->run.value[offset + i] = value;
    s->run.final_value = s->run.final_cash = value;
    s->run.position_size = s->run.position_price = 0.0;
}

/* Sweeps window k's train span (the feeds sliced to it); on success
 * *best_pos gets the chosen position (or UINT64_MAX when no trial has a
 * value) and *is the train summary JSON. */
static slab_status train(const slab_walkforward_spec *spec, const slab_bars *clock, const window *w,
                         long k, uint64_t *best_pos, json_t **is, slab_error *err)
{
    wf_slice sl;
    double v;
    slab_status st = slice_of(spec, clock, w->train_lo, w->train_hi, k, "--train", &sl, err);
    if (st != SLAB_OK)
        return st;
    slab_sweep_summary *sum = slab_sweep_summary_new(spec->metric, spec->descending, 1);
    if (!sum)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory");
    st = slab_sweep_run(&sl.spec, to_summary, sum, NULL, NULL, NULL, err);
    if (st == SLAB_OK) {
        if (!slab_sweep_summary_best(sum, best_pos, &v))
            *best_pos = UINT64_MAX;
        if (!(*is = slab_sweep_summary_json(sum, NULL, NULL, err)))
            st = err->code;
    }
    slab_sweep_summary_free(sum);
    return st;
}

/* Runs the chosen combination on window k's test span (the feeds sliced
 * to it) with cash. */
static slab_status test(const slab_walkforward_spec *spec, const slab_bars *clock, const window *w,
                        long k, uint64_t pos, double cash, double *params, slab__kv_list *kv,
                        slab_run **run, slab_error *err)
{
    wf_slice sl;
    slab_grid_cursor c;
    slab_broker_config broker;
    slab_risk_config risk;
    slab_status st = slice_of(spec, clock, w->test_lo, w->test_hi, k, "--test", &sl, err);
    if (st != SLAB_OK)
        return st;
    slab_grid_cursor_init(&c, spec->sweep.grid, pos, pos + 1);
    if (!slab_grid_cursor_next(&c))
        return slab_error_set(err, SLAB_EINTERNAL, NULL, "the chosen position is not in the grid");
    /* as a sweep's line runs (the parameter texts, stamps, calendar), on
     * the window's bars with the cash carried over */
    st =
        slab__sweep_run(&sl.spec, c.idx, NULL, cash, 0, NULL, params, &broker, &risk, kv, run, err);
    if (st == SLAB_OK && (*run)->n_bars != w->test_hi - w->test_lo) {
        size_t n = (*run)->n_bars;
        slab_run_free(*run);
        *run = NULL;
        return slab_error_set(err, SLAB_EINTERNAL, NULL,
                              "window %ld's test run took %zu steps; its span has %zu", k + 1, n,
                              w->test_hi - w->test_lo);
    }
    return st;
}

/* The "walkforward" entry of window k. */
static json_t *window_json(const slab_walkforward_spec *spec, const slab_bars *b, const window *w,
                           json_t *is, uint64_t pos, const slab_run *run, const double *params)
{
    json_t *o = json_object();
    json_object_set_new(o, "train", span_json(b, w->train_lo, w->train_hi));
    json_object_set_new(o, "test", span_json(b, w->test_lo, w->test_hi));
    json_t *top = json_array_get(json_object_get(is, "top"), 0);
    json_object_set_new(o, "params", top ? json_deep_copy(json_object_get(top, "params"))
                                         : json_null());
    json_t *ins = json_object();
    json_object_set_new(ins, "metric", top ? json_deep_copy(json_object_get(
                                                 json_object_get(top, "metrics"), spec->metric))
                                           : json_null());
    json_object_set_new(ins, "trials", json_deep_copy(json_object_get(is, "trials")));
    json_object_set_new(ins, "position", pos == UINT64_MAX ? json_null()
                                                           : json_integer((json_int_t)pos));
    json_t *of = json_object_get(is, "overfitting");
    json_object_set_new(ins, "deflated_sharpe",
                        json_deep_copy(json_object_get(json_object_get(of, "deflated_sharpe"), "dsr")));
    json_object_set_new(ins, "pbo", json_deep_copy(json_object_get(json_object_get(of, "pbo"), "pbo")));
    json_object_set_new(o, "in_sample", ins);
    if (run) {
        slab_equity eq = slab_run_equity(run);
        slab_headline h;
        slab_error e;
        if (slab_headline_compute(&eq, run->trades, run->n_trades, NULL, &h, &e) == SLAB_OK)
            json_object_set_new(o, "out_of_sample", slab_result_metrics(run, &h));
    } else {
        json_object_set_new(o, "out_of_sample", json_null());
        json_object_set_new(o, "note", json_string("no trial had a value for the metric in the "
                                                   "train window: no position was taken"));
    }
    (void)params;
    return o;
}

/* The traded feed's bars before clock step i (its bar numbers). */
static size_t feed0_at(const slab_walkforward_spec *spec, const slab_bars *clock, size_t i)
{
    if (spec->sweep.n_feeds <= 1)
        return i;
    return slab_bars_index_at(spec->sweep.bars, clock->ts_ns[i]);
}

static slab_status windows_loop(const slab_walkforward_spec *spec, const slab_bars *clock,
                                stitch *s, json_t *list, size_t first_test, long n_windows,
                                slab_sweep_progress_fn progress, void *puser, slab_error *err)
{
    double params[64], value = spec->sweep.broker.cash;
    double t0 = (double)slab_clock_ns() / 1e9;
    window w;
    for (long k = 0; k < n_windows && window_of(spec, clock, k, &w); k++) {
        uint64_t pos;
        json_t *is = NULL;
        slab_run *run = NULL;
        slab_status st;
        if (w.test_hi <= w.test_lo)
            continue;
        if (w.train_hi - w.train_lo < 2)
            return slab_error_set(err, SLAB_ERANGE, "--train",
                                  "window %ld's train span holds %zu bar(s): make --train longer",
                                  k + 1, w.train_hi - w.train_lo);
        if ((st = train(spec, clock, &w, k, &pos, &is, err)) != SLAB_OK)
            return st;
        slab__kv_list kv; /* the run's parameter texts: freed with it below */
        if (pos != UINT64_MAX &&
            (st = test(spec, clock, &w, k, pos, value, params, &kv, &run, err)) != SLAB_OK) {
            json_decref(is);
            return st;
        }
        size_t offset = w.test_lo - first_test;
        if (run)
            st = append_run(s, run, offset,
                            feed0_at(spec, clock, w.test_lo) - feed0_at(spec, clock, first_test),
                            err);
        else
            append_flat(s, offset, w.test_hi - w.test_lo, value);
        value = s->run.final_value;
        json_array_append_new(list, window_json(spec, clock, &w, is, pos, run, params));
        json_decref(is);
        slab_run_free(run);
        if (st != SLAB_OK)
            return st;
        if (progress)
            progress(puser, (uint64_t)k + 1, (uint64_t)n_windows,
                     (double)slab_clock_ns() / 1e9 - t0);
    }
    return SLAB_OK;
}

void slab_walkforward_result_clear(slab_walkforward_result *r)
{
    if (!r)
        return;
    json_decref(r->doc);
    slab_free(r->value);
    slab_free(r->ts_owned);
    memset(r, 0, sizeof *r);
}

static json_t *about(const slab_walkforward_spec *spec, json_t *list)
{
    char tr[32], te[32];
    json_t *o = json_object();
    snprintf(tr, sizeof tr, "%ld%c", spec->train.count, spec->train.unit);
    snprintf(te, sizeof te, "%ld%c", spec->test.count, spec->test.unit);
    json_object_set_new(o, "mode", json_string(spec->anchored ? "anchored" : "rolling"));
    json_object_set_new(o, "train", json_string(tr));
    json_object_set_new(o, "test", json_string(te));
    json_object_set_new(o, "rank_by", json_string(spec->metric));
    json_object_set_new(o, "order", json_string(spec->descending ? "max" : "min"));
    json_object_set_new(o, "grid", json_string(slab_grid_canonical(spec->sweep.grid)));
    json_object_set_new(o, "combinations",
                        json_integer((json_int_t)slab_grid_count(spec->sweep.grid)));
    json_object_set_new(o, "windows", list);
    json_object_set_new(o, "note",
                        json_string("each window's best combination in sample runs on the test "
                                    "bars that follow; the test runs are stitched: each starts "
                                    "flat with the value the previous one ended with (an open "
                                    "position is valued at its window's last close, no exit "
                                    "commission), and indicators warm up inside each test "
                                    "window. metrics and analyzers are of the stitched curve"));
    if (spec->sweep.n_feeds > 1) {
        char text[256];
        snprintf(text, sizeof text,
                 "windows are cut on the feeds' one clock; %s is traded, the other feeds are "
                 "read, each window with the %d days before it (as run --from loads them)",
                 spec->sweep.bars->symbol, SLAB_PREROLL_DAYS);
        json_object_set_new(o, "feeds", json_string(text));
    }
    return o;
}

/* The stitched run's frame: the clock's steps from the first test window
 * on, the feeds' symbols. */
static slab_status stitch_open(const slab_walkforward_spec *spec, const slab_bars *clock,
                               size_t first_test, stitch *s, slab_error *err)
{
    const slab_sweep_spec *sw = &spec->sweep;
    memset(s, 0, sizeof *s);
    s->run.n_bars = clock->n - first_test;
    s->run.ts_ns = clock->ts_ns + first_test;
    s->run.start_value = sw->broker.cash;
    s->run.timeframe = sw->bars->timeframe;
    s->run.compression = sw->bars->compression;
    s->run.minperiod = 1;
    s->run.risk = sw->risk;
    if (sw->n_feeds > 1) { /* trades name their feed's symbol */
        s->run.n_feeds = sw->n_feeds;
        for (size_t k = 0; k < sw->n_feeds && k < SLAB_FEEDS_MAX; k++)
            snprintf(s->run.symbols[k], sizeof s->run.symbols[k], "%s", sw->feeds[k]->symbol);
    }
    s->run.value = slab_malloc(s->run.n_bars * sizeof(double));
    if (!s->run.value)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the walk-forward");
    return SLAB_OK;
}

slab_status slab_walkforward_run(const slab_walkforward_spec *spec,
                                 slab_sweep_progress_fn progress, void *puser,
                                 slab_walkforward_result *out, slab_error *err)
{
    const slab_bars *b = spec->sweep.bars;
    wf_clock c;
    window w;
    stitch s;
    long n_windows = 0;
    json_t *list = NULL;
    slab_status st;
    memset(out, 0, sizeof *out);
    memset(&s, 0, sizeof s);
    if ((st = slab_sweep_check(&spec->sweep, err)) != SLAB_OK ||
        (st = clock_open(&spec->sweep, &c, err)) != SLAB_OK)
        return st;
    const slab_bars *clock = &c.steps;
    while (window_of(spec, clock, n_windows, &w) && n_windows < 100000)
        n_windows++;
    if (n_windows == 0 || !window_of(spec, clock, 0, &w)) {
        st = slab_error_set(err, SLAB_ERANGE, "--train",
                            "the data (%zu bars) ends before the first test window starts: "
                            "make --train shorter",
                            clock->n);
        goto fail;
    }
    size_t first_test = w.test_lo;
    if ((st = stitch_open(spec, clock, first_test, &s, err)) != SLAB_OK)
        goto fail;
    if (!(list = json_array())) {
        st = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the walk-forward");
        goto fail;
    }
    if ((st = windows_loop(spec, clock, &s, list, first_test, n_windows, progress, puser, err)) !=
        SLAB_OK)
        goto fail;
    size_t f0 = feed0_at(spec, clock, first_test);
    slab_bars tb = view_of(b, f0, b->n);
    slab_result_info info;
    memset(&info, 0, sizeof info);
    info.strategy = spec->sweep.strategy->name;
    info.source = "builtin";
    info.broker = &spec->sweep.broker;
    info.max_trades = -1;
    if (!(out->doc = slab_result_json(&tb, &s.run, &info, err))) {
        st = err->code;
        goto fail;
    }
    json_object_set_new(out->doc, "walkforward", about(spec, list));
    out->n = s.run.n_bars;
    out->ts_ns = s.run.ts_ns;
    out->value = s.run.value;
    out->ts_owned = c.owned;
    slab_free(s.run.trades);
    return SLAB_OK;
fail:
    json_decref(list);
    slab_free(s.run.value);
    slab_free(s.run.trades);
    slab_free(c.owned);
    return st;
}
