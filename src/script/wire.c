/* wire.c: the bytes between the supervisor and the runner. Down: one
 * sealed memfd with the job (settings, parameters, bar columns), which the
 * runner maps read-only. Up: the result the runner writes to fd 3, checked
 * here field by field before anything uses it (counts against sizes, enums
 * against their ranges, bar indexes and times against the bars sent,
 * strings terminated and printable): a hostile script controls the
 * runner's memory, so the result is data to verify, never to trust.
 * slab_trade and slab_order_event travel byte for byte; they hold no
 * pointers (a field that became one would have to be sent differently). */
#include "script/script_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t align8(size_t x) { return (x + 7u) & ~(size_t)7u; }

/* The job's feeds: job->feeds, or job->bars alone. */
static size_t job_feeds(const slab_script_job *job, const slab_bars *const **out)
{
    if (job->feeds && job->n_feeds > 0) {
        *out = job->feeds;
        return job->n_feeds;
    }
    *out = &job->bars;
    return 1;
}

int slab__job_memfd(const slab_script_job *job, int drop_uid, long uid, long gid,
                    slab_error *err)
{
    const slab_bars *const *fs;
    size_t nf = job_feeds(job, &fs), params_len = 0, off, total;
    if (nf > SLAB_FEEDS_MAX) {
        slab_error_set(err, SLAB_EINVAL, "sandbox", "a script runs on 1 to %d feeds, got %zu",
                       SLAB_FEEDS_MAX, nf);
        return -1;
    }
    for (size_t k = 0; k < job->n_params; k++)
        params_len += strlen(job->params[k]) + 1;
    size_t n_earn = job->earnings ? job->n_earnings : 0;
    if (n_earn > SLAB__EARNINGS_MAX) {
        slab_error_set(err, SLAB_ELIMIT, "sandbox", "%zu earnings releases for one symbol (at most %d)",
                       n_earn, SLAB__EARNINGS_MAX);
        return -1;
    }
    off = align8(sizeof(slab__job_hdr) + params_len);
    total = off;
    for (size_t f = 0; f < nf; f++)
        total += 7 * fs[f]->n * 8;
    total += align8(n_earn * sizeof(slab_earnings));
    int fd = memfd_create("stratlab-job", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0 || ftruncate(fd, (off_t)total) != 0) {
        slab_error_set(err, SLAB_EIO, "sandbox", "cannot make the job's memory file: %s",
                       strerror(errno));
        goto fail;
    }
    char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        slab_error_set(err, SLAB_ENOMEM, "sandbox", "cannot map the job (%zu bytes): %s", total,
                       strerror(errno));
        goto fail;
    }
    slab__job_hdr *h = (slab__job_hdr *)p;
    memcpy(h->magic, SLAB__JOB_MAGIC, 8);
    h->layout = SLAB__LAYOUT;
    h->n_params = (uint32_t)job->n_params;
    h->params_off = sizeof *h;
    h->params_len = params_len;
    char *q = p + sizeof *h;
    for (size_t k = 0; k < job->n_params; k++) {
        size_t l = strlen(job->params[k]) + 1;
        memcpy(q, job->params[k], l);
        q += l;
    }
    h->n_feeds = (uint32_t)nf;
    h->stamp_end = job->stamp_end != 0;
    h->preroll_until_ns = job->preroll_until_ns;
    for (size_t f = 0; f < nf; f++) {
        const slab_bars *b = fs[f];
        slab__job_feed *jf = &h->feeds[f];
        const void *cols[7] = {b->ts_ns, b->open, b->high, b->low, b->close, b->volume, b->oi};
        jf->n_bars = b->n;
        for (int k = 0; k < 7; k++) {
            jf->col_off[k] = off;
            memcpy(p + off, cols[k], b->n * 8);
            off += b->n * 8;
        }
        jf->timeframe = (int32_t)b->timeframe;
        jf->compression = b->compression;
        memcpy(jf->symbol, b->symbol, sizeof jf->symbol);
    }
    h->earnings_off = off;
    h->n_earnings = (uint32_t)n_earn;
    h->has_earnings = job->has_earnings != 0;
    if (n_earn)
        memcpy(p + off, job->earnings, n_earn * sizeof(slab_earnings));
    h->broker = *job->broker;
    if (job->risk)
        h->risk = *job->risk;
    h->keep_cash = job->keep_cash != 0;
    h->drop_uid = drop_uid;
    h->uid = uid;
    h->gid = gid;
    h->supervisor_pid = getpid();
    double cpu_s = job->limits.cpu_s > 0.0 ? job->limits.cpu_s : job->limits.timeout_s;
    h->cpu_ms = (int64_t)(cpu_s * 1000.0 + 0.5);
    h->memory_bytes = (int64_t)(job->limits.memory_mb * 1048576.0);
    munmap(p, total);
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        slab_error_set(err, SLAB_EIO, "sandbox", "cannot seal the job's data: %s",
                       strerror(errno));
        goto fail;
    }
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    return -1;
}

/* ---- checking what came back ------------------------------------------- */

typedef struct reader {
    const unsigned char *p;
    size_t left;
} reader;

/* Points *out at the next n bytes; 0 when there are fewer. */
static int take(reader *r, size_t n, const void **out)
{
    if (n > r->left)
        return 0;
    *out = r->p;
    r->p += n;
    r->left -= n;
    return 1;
}

/* Terminates a fixed-size text field and makes it printable. */
static void fix_text(char *s, size_t cap)
{
    s[cap - 1] = '\0';
    slab__text_sanitize(s, strlen(s));
}

static int bad(slab_script_exec *ex, const char *what)
{
    snprintf(ex->detail, sizeof ex->detail,
             "the runner sent a malformed result (%s); the script may have written to fd 3 "
             "or damaged the runner's memory", what);
    return 0;
}

/* The run's clock: feed 0's times, or (several feeds) the merged clock
 * the runner sent, already checked against the feeds. */
typedef struct clock_view {
    const int64_t *ts;
    size_t n;
} clock_view;

static int in_range_ts(const clock_view *c, int64_t ts)
{
    return ts == 0 || (ts >= c->ts[0] && ts <= c->ts[c->n - 1]);
}

/* Bar indexes of trades and orders are the traded feed's own (a feed with
 * bars in a preroll has more than the run's clock steps): each must be
 * one of that feed's bars. */
static int check_trades(const slab_trade *t, size_t n, const clock_view *c,
                        const slab_bars *const *fs, size_t n_feeds)
{
    for (size_t k = 0; k < n; k++, t++) {
        if (t->feed < 0 || (size_t)t->feed >= n_feeds)
            return 0;
        size_t nb = fs[t->feed]->n;
        if ((t->is_long | 1) != 1 || (t->is_open | 1) != 1 ||
            (unsigned)t->exit_reason > SLAB_EXIT_LAST || t->entry_bar >= nb ||
            t->exit_bar >= nb || !in_range_ts(c, t->entry_ts_ns) ||
            !in_range_ts(c, t->exit_ts_ns) || t->baropen < 0 || t->barclose < 0 ||
            t->barlen < 0 || t->ref < 0)
            return 0;
    }
    return 1;
}

static int check_orders(slab_order_event *o, size_t n, const clock_view *c,
                        const slab_bars *const *fs, size_t n_feeds)
{
    for (size_t k = 0; k < n; k++, o++) {
        if (o->feed < 0 || (size_t)o->feed >= n_feeds)
            return 0;
        size_t nb = fs[o->feed]->n;
        if ((o->is_buy | 1) != 1 || (unsigned)o->type > SLAB_ORDER_STOP_TRAIL_LIMIT ||
            (unsigned)o->status > SLAB_ORDER_REJECTED || o->created_bar >= nb ||
            o->exec_bar >= nb || !in_range_ts(c, o->created_ts_ns) ||
            !in_range_ts(c, o->exec_ts_ns) || !in_range_ts(c, o->status_ts_ns) || o->ref < 0)
            return 0;
        fix_text(o->reason, sizeof o->reason);
    }
    return 1;
}

/* 1 when ts is one of b's bar times (binary search). */
static int has_time(const slab_bars *b, int64_t ts)
{
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->ts_ns[mid] < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < b->n && b->ts_ns[lo] == ts;
}

/* Session records: decisions and statuses in range, the breakout 0 or a
 * bar time of feed 0 at or before the clock's end, the filter bar 0 or
 * one of its feed's (a filter may show a bar of the preroll), feeds that
 * exist, flags 0 or 1. */
static int check_days(const slab_day_record *d, size_t n, const clock_view *c,
                      const slab_bars *const *fs, size_t n_feeds)
{
    int64_t end = c->ts[c->n - 1];
    for (size_t k = 0; k < n; k++)
        if ((unsigned)d[k].decision > SLAB_DAY_NO_PRIOR_SESSION ||
            d[k].entry_status < -1 || d[k].entry_status > 8 || d[k].entry_ref < 0 ||
            d[k].filter_feed < 0 || (size_t)d[k].filter_feed >= n_feeds ||
            (d[k].breakout_ts_ns && (d[k].breakout_ts_ns > end || !has_time(fs[0], d[k].breakout_ts_ns))) ||
            (d[k].filter_ts_ns && (d[k].filter_ts_ns > end ||
                                   !has_time(fs[d[k].filter_feed], d[k].filter_ts_ns))) ||
            (d[k].breakout_short | 1) != 1 || (d[k].filter_on | 1) != 1 ||
            d[k].day < -1000000 || d[k].day > 1000000)
            return 0;
    return 1;
}

/* A clock from the runner: strictly increasing, every time a bar time of
 * some feed, no more steps than the feeds have bars, none before the
 * preroll. */
static int check_clock(const int64_t *ts, size_t n, const slab_bars *const *fs, size_t nf,
                       int64_t preroll)
{
    size_t bars = 0;
    for (size_t f = 0; f < nf; f++)
        bars += fs[f]->n;
    if (n == 0 || n > bars)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        if ((i && ts[i] <= ts[i - 1]) || (preroll && ts[i] < preroll))
            return 0;
        for (size_t f = 0; f < nf && !found; f++)
            found = has_time(fs[f], ts[i]);
        if (!found)
            return 0;
    }
    return 1;
}

static int level_ok(const slab_risk_level *l)
{
    return (unsigned)l->kind <= SLAB_RISK_PRICE && isfinite(l->value);
}

static int check_risk(const slab_risk_config *r)
{
    return level_ok(&r->stop_loss) && level_ok(&r->take_profit) && level_ok(&r->trail) &&
           r->atr_period >= 0 && r->atr_period <= 100000 && r->time_exit_bars >= 0 &&
           (r->exit_at_on | 1) == 1 && r->exit_at_s >= 0 && r->exit_at_s < 86400 &&
           isfinite(r->max_position_qty) && r->max_position_qty >= 0 &&
           isfinite(r->max_position_pct) && r->max_position_pct >= 0 &&
           (r->allow_pyramiding | 1) == 1;
}

/* A no-op next_open, so the result's fill-model text sees that the
 * script has one (it is never called in the supervisor). */
static void has_next_open(slab_ctx *ctx, void *state)
{
    (void)ctx;
    (void)state;
}

/* Builds the supervisor's copy of the script's description. */
static int make_def(slab_script_exec *ex, const slab__res_hdr *h, const slab__res_param *ps)
{
    size_t n = (size_t)h->n_params;
    /* One block: the def, its table, the values, the strings. */
    size_t size = sizeof(slab_strategy_def) + n * sizeof(slab_param_def) + n * sizeof(double) +
                  SLAB__NAME_MAX + SLAB__TEXT_MAX + n * (SLAB__NAME_MAX + SLAB__TEXT_MAX);
    unsigned char *blk = slab_calloc(1, size);
    if (!blk)
        return 0;
    slab_strategy_def *def = (slab_strategy_def *)blk;
    slab_param_def *pd = (slab_param_def *)(def + 1);
    double *vals = (double *)(pd + n);
    char *text = (char *)(vals + n);
    memcpy(text, h->name, SLAB__NAME_MAX);
    def->name = text;
    text += SLAB__NAME_MAX;
    memcpy(text, h->summary, SLAB__TEXT_MAX);
    def->summary = text;
    text += SLAB__TEXT_MAX;
    for (size_t k = 0; k < n; k++) {
        memcpy(text, ps[k].name, SLAB__NAME_MAX);
        pd[k].name = text;
        text += SLAB__NAME_MAX;
        memcpy(text, ps[k].help, SLAB__TEXT_MAX);
        pd[k].help = text;
        text += SLAB__TEXT_MAX;
        pd[k].type = (slab_param_type)ps[k].type;
        pd[k].def = ps[k].def;
        pd[k].min = ps[k].min;
        pd[k].max = ps[k].max;
        vals[k] = ps[k].value;
    }
    def->abi = SLAB_STRATEGY_ABI;
    def->params = n ? pd : NULL;
    def->n_params = (int)n;
    def->next_open = h->has_next_open ? has_next_open : NULL;
    ex->def = def;
    ex->params = vals; /* inside the same block: freed with def */
    return 1;
}

/* The script's name as given, when it is a plain identifier; "script"
 * otherwise. */
static void fix_name(char *name)
{
    size_t n = strnlen(name, SLAB__NAME_MAX - 1);
    int ok = n > 0;
    for (size_t k = 0; k < n; k++)
        ok &= (name[k] >= 'a' && name[k] <= 'z') || (name[k] >= 'A' && name[k] <= 'Z') ||
              (name[k] >= '0' && name[k] <= '9') || name[k] == '_' || name[k] == '-' ||
              name[k] == '.';
    if (!ok)
        snprintf(name, SLAB__NAME_MAX, "script");
    name[SLAB__NAME_MAX - 1] = '\0';
}

static int decode_run(reader *r, slab__res_hdr *h, const slab_script_job *job,
                      slab_script_exec *ex)
{
    const slab_bars *const *fs;
    size_t nf = job_feeds(job, &fs);
    const slab_bars *b = fs[0];
    const void *ps, *val, *cash = NULL, *clk = NULL, *tr, *od, *dy;
    size_t np = (size_t)h->n_params, nb = (size_t)h->n_bars;
    if (h->n_params < 0 || h->n_params > SLAB__PARAMS_MAX)
        return bad(ex, "parameter count");
    if (h->n_feeds != nf || (nf == 1 && nb != b->n) || nb == 0 || nb > SLAB_BARS_MAX * nf ||
        h->timeframe != (int32_t)b->timeframe || h->compression != b->compression ||
        (h->has_cash | 1) != 1 || (h->has_next_open | 1) != 1 ||
        h->has_cash != (job->keep_cash != 0))
        return bad(ex, "bar count or layout");
    if (h->n_trades > r->left / sizeof(slab_trade) || h->n_orders > r->left / sizeof(slab_order_event) ||
        h->n_days > r->left / sizeof(slab_day_record) || h->n_days > nb)
        return bad(ex, "counts");
    if (!take(r, np * sizeof(slab__res_param), &ps) || !take(r, nb * 8, &val) ||
        (h->has_cash && !take(r, nb * 8, &cash)) || (nf > 1 && !take(r, nb * 8, &clk)) ||
        !take(r, h->n_trades * sizeof(slab_trade), &tr) ||
        !take(r, h->n_orders * sizeof(slab_order_event), &od) ||
        !take(r, h->n_days * sizeof(slab_day_record), &dy) || r->left != 0)
        return bad(ex, "size");
    slab__res_param *pp = (slab__res_param *)ps;
    for (size_t k = 0; k < np; k++) {
        fix_text(pp[k].name, sizeof pp[k].name);
        fix_text(pp[k].help, sizeof pp[k].help);
        if ((unsigned)pp[k].type > SLAB_PARAM_TEXT || !isfinite(pp[k].value) ||
            !isfinite(pp[k].def) || !isfinite(pp[k].min) || !isfinite(pp[k].max) || !pp[k].name[0])
            return bad(ex, "parameter table");
    }
    if (!check_risk(&h->risk) || h->minperiod < 0 || h->next_calls < 0)
        return bad(ex, "run settings");
    slab_run *run = slab_calloc(1, sizeof *run);
    if (!run)
        return bad(ex, "out of memory");
    ex->run = run;
    run->n_bars = nb;
    run->ts_ns = b->ts_ns;
    if (clk) {
        run->ts_owned = slab_malloc(nb * 8);
        if (!run->ts_owned)
            return bad(ex, "out of memory");
        memcpy(run->ts_owned, clk, nb * 8);
        if (!check_clock(run->ts_owned, nb, fs, nf, job->preroll_until_ns))
            return bad(ex, "clock");
        run->ts_ns = run->ts_owned;
    }
    clock_view cv = {run->ts_ns, nb};
    run->value = slab_malloc(nb * 8);
    run->cash = cash ? slab_malloc(nb * 8) : NULL;
    run->trades = slab_malloc(h->n_trades ? h->n_trades * sizeof(slab_trade) : 1);
    run->orders = slab_malloc(h->n_orders ? h->n_orders * sizeof(slab_order_event) : 1);
    if (!run->value || (cash && !run->cash) || !run->trades || !run->orders || !make_def(ex, h, pp))
        return bad(ex, "out of memory");
    memcpy(run->value, val, nb * 8);
    if (cash)
        memcpy(run->cash, cash, nb * 8);
    memcpy(run->trades, tr, h->n_trades * sizeof(slab_trade));
    memcpy(run->orders, od, h->n_orders * sizeof(slab_order_event));
    run->n_trades = h->n_trades;
    run->n_orders = h->n_orders;
    if (!check_trades(run->trades, run->n_trades, &cv, fs, nf) ||
        !check_orders(run->orders, run->n_orders, &cv, fs, nf))
        return bad(ex, "trades or orders");
    if (h->n_days) {
        run->days = slab_malloc(h->n_days * sizeof(slab_day_record));
        if (!run->days)
            return bad(ex, "out of memory");
        memcpy(run->days, dy, h->n_days * sizeof(slab_day_record));
        run->n_days = h->n_days;
        if (!check_days(run->days, run->n_days, &cv, fs, nf))
            return bad(ex, "session records");
    }
    run->start_value = h->start_value;
    run->final_value = h->final_value;
    run->final_cash = h->final_cash;
    run->position_size = h->position_size;
    run->position_price = h->position_price;
    run->minperiod = (long)h->minperiod;
    run->lookahead_attempts = (long)h->lookahead_attempts;
    run->next_calls = (long)h->next_calls;
    run->sizer_zero = (long)h->sizer_zero;
    run->indicators_ns = h->indicators_ns;
    run->loop_ns = h->loop_ns;
    run->timeframe = b->timeframe;
    run->compression = b->compression;
    run->risk = h->risk;
    run->n_feeds = nf;
    for (size_t k = 0; k < nf; k++)
        snprintf(run->symbols[k], sizeof run->symbols[k], "%s", fs[k]->symbol);
    /* the job's own texts (the caller's), for the result's text parameters */
    run->param_text = job->params;
    run->n_param_text = job->n_params;
    return 1;
}

int slab__result_decode(const unsigned char *buf, size_t n, const slab_script_job *job,
                        slab_script_exec *ex)
{
    slab__res_hdr h;
    reader r = {buf, n};
    const void *hp;
    if (!take(&r, sizeof h, &hp))
        return bad(ex, n ? "too short" : "empty");
    memcpy(&h, hp, sizeof h);
    if (memcmp(h.magic, SLAB__RES_MAGIC, 8) || h.layout != SLAB__LAYOUT)
        return bad(ex, "header");
    fix_text(h.message, sizeof h.message);
    fix_text(h.name, sizeof h.name);
    fix_text(h.summary, sizeof h.summary);
    fix_name(h.name);
    snprintf(ex->strategy, sizeof ex->strategy, "%s", h.name);
    if (h.kind == SLAB__RES_ERROR || h.kind == SLAB__RES_NOMEM) {
        if (r.left != 0)
            return bad(ex, "trailing bytes");
        ex->status = h.kind == SLAB__RES_NOMEM ? SLAB_SCRIPT_MEMORY_LIMIT : SLAB_SCRIPT_STRATEGY_ERROR;
        if (h.kind == SLAB__RES_NOMEM)
            snprintf(ex->detail, sizeof ex->detail,
                     "an allocation failed at the memory limit (%g MiB): %.560s",
                     job->limits.memory_mb, h.message);
        else
            snprintf(ex->detail, sizeof ex->detail, "the strategy could not run: %.600s", h.message);
        return 1;
    }
    if (h.kind != SLAB__RES_OK)
        return bad(ex, "kind");
    if (!decode_run(&r, &h, job, ex))
        return 0;
    ex->status = SLAB_SCRIPT_OK;
    return 1;
}
