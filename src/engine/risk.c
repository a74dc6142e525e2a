/* risk.c: the engine's risk manager (risk.h, risk_internal.h): the text
 * forms of its settings, order admission (one position per symbol, the
 * maximum position) and the per-bar step that places protective exits when
 * an entry fills and sends time exits. It sits above the broker and the
 * indicator table, below the strategies, so every way in gets it.
 * ATR levels use TA-Lib's ATR (Wilder) at the bar the entry filled on: the
 * orders are created while that bar is processed, its close is known, and
 * they are first tried on the next bar, so nothing is read ahead. */
#include "risk_internal.h"

#include "stratlab/ind.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static const char *const keys[] = {"stop_loss",    "take_profit",  "trail",
                                   "atr_period",   "time_exit",    "exit_at",
                                   "max_position", "allow_pyramiding"};

const char *const *slab_risk_keys(size_t *n)
{
    *n = sizeof keys / sizeof keys[0];
    return keys;
}

/* A finite number > 0 filling s[0..len) exactly. */
static int positive(const char *s, size_t len, double *out)
{
    char buf[64], *end;
    if (len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    double v = strtod(buf, &end);
    if (end == buf || *end || !isfinite(v) || !(v > 0.0))
        return 0;
    *out = v;
    return 1;
}

/* "2%", "1.5", "2atr", "@95.50"; atr and price only when allowed (full);
 * a percent must be below pct_max. */
static int parse_level(const char *s, int full, double pct_max, slab_risk_level *out)
{
    size_t len = strlen(s);
    if (len > 1 && s[len - 1] == '%')
        out->kind = SLAB_RISK_PERCENT, len--;
    else if (full && len > 3 && !strcasecmp(s + len - 3, "atr"))
        out->kind = SLAB_RISK_ATR, len -= 3;
    else if (full && s[0] == '@')
        out->kind = SLAB_RISK_PRICE, s++, len--;
    else
        out->kind = SLAB_RISK_AMOUNT;
    if (!positive(s, len, &out->value))
        return 0;
    return out->kind != SLAB_RISK_PERCENT || out->value < pct_max;
}

/* A whole number >= 1. */
static int whole(const char *s, long *out)
{
    double v;
    if (!positive(s, strlen(s), &v) || v != floor(v) || v > 1e9)
        return 0;
    *out = (long)v;
    return 1;
}

/* "HH:MM" or "HH:MM:SS" -> seconds after midnight. */
static int clock(const char *s, int *out)
{
    size_t len = strlen(s);
    int f[3] = {0, 0, 0};
    if (len != 5 && len != 8)
        return 0;
    for (size_t k = 0; k < len; k++) {
        if (k % 3 == 2 ? s[k] != ':' : (s[k] < '0' || s[k] > '9'))
            return 0;
        if (k % 3 != 2)
            f[k / 3] = f[k / 3] * 10 + (s[k] - '0');
    }
    if (f[0] > 23 || f[1] > 59 || f[2] > 59)
        return 0;
    *out = f[0] * 3600 + f[1] * 60 + f[2];
    return 1;
}

slab_status slab_risk_set(slab_risk_config *cfg, const char *key, const char *value,
                          slab_error *err)
{
    slab_risk_level lv;
    long n;
    int k = -1;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!strcmp(key, keys[i]))
            k = (int)i;
    if (!value)
        value = "";
    switch (k) {
    case 0: /* a long's stop 100% or more below its entry would be at a price <= 0 */
    case 1:
        if (!parse_level(value, 1, k == 0 ? 100.0 : 1e6, &lv))
            break;
        *(k ? &cfg->take_profit : &cfg->stop_loss) = lv;
        return SLAB_OK;
    case 2:
        if (!parse_level(value, 0, 100.0, &lv))
            break;
        cfg->trail = lv;
        return SLAB_OK;
    case 3:
    case 4:
        if (!whole(value, &n))
            break;
        if (k == 3)
            cfg->atr_period = (int)n;
        else
            cfg->time_exit_bars = n;
        return SLAB_OK;
    case 5:
        if (!clock(value, &cfg->exit_at_s))
            break;
        cfg->exit_at_on = 1;
        return SLAB_OK;
    case 6:
        if (!parse_level(value, 0, 100.0, &lv))
            break;
        if (lv.kind == SLAB_RISK_PERCENT)
            cfg->max_position_pct = lv.value;
        else
            cfg->max_position_qty = lv.value;
        return SLAB_OK;
    case 7:
        if (strcmp(value, "true") && strcmp(value, "false"))
            break;
        cfg->allow_pyramiding = !strcmp(value, "true");
        return SLAB_OK;
    default:
        return slab_error_set(err, SLAB_EINVAL, key,
                              "unknown risk setting '%s' (stop_loss, take_profit, trail, "
                              "atr_period, time_exit, exit_at, max_position, allow_pyramiding)",
                              key);
    }
    static const char *const forms[] = {
        "2%% (percent of the entry fill, below 100%%), 1.5 (price distance), 2atr (ATR multiple) "
        "or @95.50 (a price), all > 0",
        "2%% (percent of the entry fill), 1.5 (price distance), 2atr (ATR multiple) or @95.50 "
        "(a price), all > 0",
        "2%% (percent of the close, below 100%%) or 0.75 (price distance), > 0",
        "a whole number of bars >= 1",
        "a whole number of bars >= 1",
        "a clock time HH:MM or HH:MM:SS (00:00 to 23:59:59), in the bars' clock",
        "100 (shares) or 50%% (percent of the portfolio value, below 100%%), > 0",
        "true or false"};
    char fmt[256];
    snprintf(fmt, sizeof fmt, "%%s '%%s' is not valid: give %s", forms[k]);
    return slab_error_set(err, SLAB_EINVAL, key, fmt, key, value);
}

static const char *level_text(const slab_risk_level *l, char *buf, size_t cap)
{
    static const char *const pre[] = {"", "", "", "", "@"};
    static const char *const post[] = {"", "%", "", "atr", ""};
    if (l->kind == SLAB_RISK_OFF)
        snprintf(buf, cap, "%s", "");
    else
        snprintf(buf, cap, "%s%.17g%s", pre[l->kind], l->value, post[l->kind]);
    return buf;
}

const char *slab_risk_get(const slab_risk_config *cfg, const char *key, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (!strcmp(key, "stop_loss"))
        return level_text(&cfg->stop_loss, buf, cap);
    if (!strcmp(key, "take_profit"))
        return level_text(&cfg->take_profit, buf, cap);
    if (!strcmp(key, "trail"))
        return level_text(&cfg->trail, buf, cap);
    if (!strcmp(key, "atr_period") && cfg->atr_period > 0)
        snprintf(buf, cap, "%d", cfg->atr_period);
    else if (!strcmp(key, "time_exit") && cfg->time_exit_bars > 0)
        snprintf(buf, cap, "%ld", cfg->time_exit_bars);
    else if (!strcmp(key, "exit_at") && cfg->exit_at_on)
        snprintf(buf, cap, "%02d:%02d:%02d", cfg->exit_at_s / 3600, cfg->exit_at_s / 60 % 60,
                 cfg->exit_at_s % 60);
    else if (!strcmp(key, "max_position") && (cfg->max_position_qty > 0.0 ||
                                              cfg->max_position_pct > 0.0)) {
        int n = 0;
        if (cfg->max_position_qty > 0.0)
            n = snprintf(buf, cap, "%.17g", cfg->max_position_qty);
        if (cfg->max_position_pct > 0.0)
            snprintf(buf + n, cap - (size_t)n, "%s%.17g%%", n ? "," : "", cfg->max_position_pct);
    } else if (!strcmp(key, "allow_pyramiding") && cfg->allow_pyramiding)
        snprintf(buf, cap, "true");
    return buf;
}

int slab_risk_active(const slab_risk_config *cfg)
{
    char buf[96];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (slab_risk_get(cfg, keys[i], buf, sizeof buf)[0])
            return 1;
    return 0;
}

/* ---- the manager */

static int uses_atr(const slab_risk_config *c)
{
    return c->stop_loss.kind == SLAB_RISK_ATR || c->take_profit.kind == SLAB_RISK_ATR;
}

slab_status slab__risk_start(slab__risk *r, const slab_risk_config *cfg, const slab_bars *bars,
                             size_t n, slab_error *err)
{
    memset(r, 0, sizeof *r);
    r->cfg = *cfg;
    r->entry_bar = -1;
    if (cfg->trail.kind == SLAB_RISK_ATR || cfg->trail.kind == SLAB_RISK_PRICE)
        return slab_error_set(err, SLAB_EINVAL, "trail",
                              "a trailing stop is a percent or a price distance");
    /* Daily bars carry no time of day worth comparing with (they are
     * stamped at the session's end), so a clock exit would fire on the
     * entry's fill bar and silently make every trade one bar long. */
    if (cfg->exit_at_on && bars->timeframe >= SLAB_TF_DAYS)
        return slab_error_set(err, SLAB_EINVAL, "exit_at",
                              "a clock-time exit needs intraday bars, and these bars' "
                              "timeframe is %s; use time_exit (a number of bars) instead",
                              slab_timeframe_name(bars->timeframe));
    r->on = cfg->stop_loss.kind || cfg->take_profit.kind || cfg->trail.kind ||
            cfg->time_exit_bars > 0 || cfg->exit_at_on;
    if (!uses_atr(cfg))
        return SLAB_OK;
    const slab_ind_def *def = slab_ind_find("ATR", err);
    double period = cfg->atr_period > 0 ? cfg->atr_period : 14;
    const double *in[3] = {bars->high, bars->low, bars->close};
    if (!def)
        return err->code;
    if (!(r->atr = slab_malloc((n ? n : 1) * sizeof(double))))
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the risk ATR");
    double *out[1] = {r->atr};
    slab_status st = def->fn(in, n, &period, out, err);
    return st;
}

void slab__risk_clear(slab__risk *r)
{
    slab_free(r->atr);
    r->atr = NULL;
}

static int alive(const slab_broker *b, int64_t ref) { return slab_broker_alive(b, ref); }

/* A live order of the protective group (or the time exit), 0 if none. */
static int64_t live_group(const slab__risk *r, const slab_broker *b)
{
    for (int k = 0; k < 3; k++)
        if (alive(b, r->refs[k]))
            return r->refs[k];
    return alive(b, r->exit_ref) ? r->exit_ref : 0;
}

/* The most shares the position may hold at this bar (INFINITY: no limit). */
static double max_shares(const slab_risk_config *c, const slab_broker *b, double close)
{
    double lim = INFINITY;
    if (c->max_position_qty > 0.0)
        lim = c->max_position_qty;
    if (c->max_position_pct > 0.0 && close > 0.0)
        lim = fmin(lim, slab_broker_value(b) * (c->max_position_pct / 100.0) / close);
    return lim;
}

/* The signed size still to fill of the strategy's entry orders in flight
 * (created or accepted, not filled) on the side of d, and the ref of the
 * first in *ref. Protective and time-exit orders and bracket children are
 * exits, not entries. */
static double entries_in_flight(const slab__risk *r, const slab_broker *b, int feed, double d,
                                int64_t *ref)
{
    int64_t skip[4] = {r->exit_ref, r->refs[0], r->refs[1], r->refs[2]};
    return slab_broker_unfilled(b, feed, d, skip, 4, ref);
}

int slab__risk_admit(const slab__risk *r, const slab_broker *b, const slab_feed_bar *bars,
                     slab_order_req *req, char *why, size_t cap)
{
    double pos = slab_broker_position(b, req->feed).size, d = req->size;
    const char *side = pos > 0.0 ? "long" : "short";
    int64_t wref;
    if (req->parent || !isfinite(d) || d == 0.0 || (d > 0.0) != (req->is_buy != 0))
        return 0; /* bracket children; the broker rejects bad sizes */
    if (pos != 0.0 && (d > 0.0) != (pos > 0.0)) {
        if (fabs(d) >= fabs(pos) && !req->oco) /* flattens or reverses */
            req->oco = live_group(r, b);
    } else if (pos != 0.0 && !r->cfg.allow_pyramiding) {
        snprintf(why, cap, "one position per symbol: already %s %g shares; set allow_pyramiding",
                 side, fabs(pos));
        req->reject = why;
        return 0;
    }
    /* Entries that have not filled yet count as held: two buys sent while
     * flat would otherwise both fill and pyramid past every rule here. */
    double waiting = (pos == 0.0 || (d > 0.0) == (pos > 0.0)) ? entries_in_flight(r, b, req->feed, d, &wref)
                                                              : 0.0;
    if (pos == 0.0 && waiting != 0.0 && !r->cfg.allow_pyramiding) {
        snprintf(why, cap,
                 "one position per symbol: entry order %lld (%s %g) has not filled yet; cancel "
                 "it first or set allow_pyramiding",
                 (long long)wref, d > 0.0 ? "buy" : "sell", fabs(waiting));
        req->reject = why;
        return 0;
    }
    pos += waiting;
    double lim = max_shares(&r->cfg, b, bars[req->feed].close), after = pos + d;
    if (!(fabs(after) > lim) || (pos != 0.0 && (after > 0.0) == (pos > 0.0) &&
                                 fabs(after) <= fabs(pos)))
        return 0;
    double fit = d > 0.0 ? lim - pos : -lim - pos;
    if (d == trunc(d))
        fit = trunc(fit);
    if (!((fit > 0.0) == (d > 0.0)) || fit == 0.0) {
        snprintf(why, cap, "max position %g shares reached: holding %g%s, no room for %s %g",
                 lim, pos, waiting != 0.0 ? " with unfilled entries" : "",
                 d > 0.0 ? "a buy of" : "a sell of", fabs(d));
        req->reject = why;
        return 0;
    }
    snprintf(why, cap, "cut from %g to %g shares by the max position of %g shares", fabs(d),
             fabs(fit), lim);
    req->size = fit;
    return 1;
}

void slab__risk_seen_fills(slab__risk *r, const slab_broker *b)
{
    size_t n;
    const slab_order_note *notes = slab_broker_order_notes(b, &n);
    double pos = slab_broker_position(b, 0).size;
    for (size_t k = n; k-- > 0;) {
        const slab_order_note *o = &notes[k];
        if ((o->status == SLAB_ORDER_COMPLETED || o->status == SLAB_ORDER_PARTIAL) &&
            o->is_buy == (pos > 0.0)) {
            r->fill_px = o->price;
            return;
        }
    }
}

static const char *const names[] = {"stop_loss", "take_profit"};

/* The price of protective level l (0 stop, 1 target) for a position of
 * direction dir (+1 long) entered at ref; NaN with why set when there is
 * none. */
static double level_price(const slab__risk *r, int which, int dir, double ref, size_t i,
                          char *why, size_t cap)
{
    const slab_risk_level *l = which ? &r->cfg.take_profit : &r->cfg.stop_loss;
    double away = which ? dir : -dir, px = NAN;
    switch (l->kind) {
    case SLAB_RISK_PERCENT: px = ref * (1.0 + away * (l->value / 100.0)); break;
    case SLAB_RISK_AMOUNT: px = ref + away * l->value; break;
    case SLAB_RISK_PRICE: px = l->value; break;
    case SLAB_RISK_ATR:
        if (isnan(r->atr[i])) {
            int per = r->cfg.atr_period > 0 ? r->cfg.atr_period : 14;
            snprintf(why, cap, "%s %gatr: ATR(%d) has no value yet at bar %zu (first at bar %d)",
                     names[which], l->value, per, i, per);
            return NAN;
        }
        px = ref + away * l->value * r->atr[i];
        break;
    default: return NAN;
    }
    if (!(px > 0.0))
        snprintf(why, cap, "%s at %g is not a positive price (entry %g)", names[which], px, ref);
    else if (away > 0 ? px <= ref : px >= ref)
        snprintf(why, cap, "%s %g is not %s the %s entry fill %g", names[which], px,
                 away > 0 ? "above" : "below", dir > 0 ? "long" : "short", ref);
    else
        return px;
    return NAN;
}

/* Sends one protective order; the group leader (first accepted order) is
 * *lead. Returns its ref, or -1 when out of memory. */
static int64_t send(slab_broker *b, const slab_feed_bar *bars, slab_order_req *q, int64_t *lead,
                    slab_error *err)
{
    q->oco = *lead;
    int64_t ref = slab_broker_order(b, bars, q, err);
    if (ref > 0 && !*lead && slab_broker_event(b, ref)->status != SLAB_ORDER_REJECTED)
        *lead = ref;
    return ref;
}

/* Places stop, target and trail for the whole position (qty shares of
 * direction dir); keep: reuse the live levels (a partial exit). */
static slab_status place(slab__risk *r, slab_broker *b, const slab_feed_bar *bars, int dir,
                         double ref, int keep, double trail_stop, slab_error *err)
{
    static const int types[] = {SLAB_ORDER_STOP, SLAB_ORDER_LIMIT};
    static const int tags[] = {SLAB_EXIT_STOP_LOSS, SLAB_EXIT_TAKE_PROFIT};
    const slab_risk_level *lv[2] = {&r->cfg.stop_loss, &r->cfg.take_profit};
    double *px[2] = {&r->stop_px, &r->target_px};
    char why[2][128]; /* room for the longest message (-Wformat-truncation in Release) */
    int64_t lead = 0;
    slab_order_req q;
    double held = fabs(slab_broker_position(b, 0).size);
    const slab_feed_bar *bar = &bars[0];
    for (int w = 0; w < 2; w++) {
        if (lv[w]->kind == SLAB_RISK_OFF)
            continue;
        memset(&q, 0, sizeof q);
        snprintf(why[w], sizeof why[w], "%s has no level to keep", names[w]);
        if (!keep)
            *px[w] = level_price(r, w, dir, ref, bar->i, why[w], sizeof why[w]);
        q.type = types[w];
        q.is_buy = dir < 0;
        q.size = -dir * held;
        q.price = isnan(*px[w]) ? 0.0 : *px[w];
        q.exit_reason = tags[w];
        q.reject = isnan(*px[w]) ? why[w] : NULL;
        if ((r->refs[w] = send(b, bars, &q, &lead, err)) < 0)
            return err->code;
    }
    if (r->cfg.trail.kind != SLAB_RISK_OFF) {
        memset(&q, 0, sizeof q);
        int pct = r->cfg.trail.kind == SLAB_RISK_PERCENT;
        q.type = SLAB_ORDER_STOP_TRAIL;
        q.is_buy = dir < 0;
        q.size = -dir * held;
        q.trailpercent = pct ? r->cfg.trail.value / 100.0 : 0.0;
        q.trailamount = pct ? 0.0 : r->cfg.trail.value;
        /* A re-placed trail starts where the old one had trailed to. */
        if (trail_stop > 0.0)
            q.price = pct ? trail_stop / (1.0 - dir * q.trailpercent)
                          : trail_stop + dir * q.trailamount;
        q.exit_reason = SLAB_EXIT_TRAILING_STOP;
        if ((r->refs[2] = send(b, bars, &q, &lead, err)) < 0)
            return err->code;
    }
    return SLAB_OK;
}

/* Cancels the live protective orders and the time exit. */
static slab_status cancel_all(slab__risk *r, slab_broker *b, const slab_feed_bar *bars,
                              slab_error *err)
{
    int64_t refs[4] = {r->refs[0], r->refs[1], r->refs[2], r->exit_ref};
    for (int k = 0; k < 4; k++)
        if (refs[k] > 0 && slab_broker_cancel(b, refs[k], bars) < 0)
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory cancelling");
    memset(r->refs, 0, sizeof r->refs);
    r->exit_ref = 0;
    return SLAB_OK;
}

/* The position changed from prev to pos on this bar. */
static slab_status repair(slab__risk *r, slab_broker *b, const slab_feed_bar *bars, double prev,
                          slab_error *err)
{
    slab_position p = slab_broker_position(b, 0);
    const slab_feed_bar *bar = &bars[0];
    double pos = p.size, trail_stop = 0.0;
    int dir = pos > 0.0 ? 1 : -1, same = prev != 0.0 && (prev > 0.0) == (pos > 0.0);
    if (same && alive(b, r->refs[2]))
        trail_stop = slab_broker_event(b, r->refs[2])->created_price;
    slab_status st = cancel_all(r, b, bars, err);
    if (st != SLAB_OK || pos == 0.0) {
        r->entry_bar = -1;
        r->stop_px = r->target_px = 0.0;
        return st;
    }
    if (!same) {
        r->entry_bar = (long)bar->i;
        r->entry_day = slab_ts_day(bar->ts_ns);
        return place(r, b, bars, dir, r->fill_px, 0, 0.0, err);
    }
    /* Added to (pyramiding): levels from the new average price; cut by a
     * partial exit: the same levels. Either way for the whole position. */
    int added = fabs(pos) > fabs(prev);
    return place(r, b, bars, dir, p.price, !added, added ? 0.0 : trail_stop, err);
}

/* 1 when the position's time exit is due on this bar. */
static int time_due(const slab__risk *r, const slab_feed_bar *bar)
{
    if (r->cfg.time_exit_bars > 0 && (long)bar->i - r->entry_bar + 1 >= r->cfg.time_exit_bars)
        return 1;
    if (!r->cfg.exit_at_on)
        return 0;
    int64_t day = slab_ts_day(bar->ts_ns), tod = bar->ts_ns - day * SLAB_NS_PER_DAY;
    return day > r->entry_day || tod >= (int64_t)r->cfg.exit_at_s * SLAB_NS_PER_SEC;
}

slab_status slab__risk_step(slab__risk *r, slab_broker *b, const slab_feed_bar *bars,
                            slab_error *err)
{
    slab_status st;
    const slab_feed_bar *bar = &bars[0];
    double pos = slab_broker_position(b, 0).size, prev = r->prev_pos;
    if (pos != prev) {
        r->prev_pos = pos;
        if ((st = repair(r, b, bars, prev, err)) != SLAB_OK)
            return st;
    }
    if (pos == 0.0 || r->entry_bar < 0 || alive(b, r->exit_ref) || !time_due(r, bar))
        return SLAB_OK;
    slab_order_req q;
    memset(&q, 0, sizeof q);
    q.type = SLAB_ORDER_MARKET;
    q.is_buy = pos < 0.0;
    q.size = -pos;
    q.oco = live_group(r, b);
    q.exit_reason = SLAB_EXIT_TIME;
    int64_t ref = slab_broker_order(b, bars, &q, err);
    if (ref < 0)
        return err->code;
    r->exit_ref = ref;
    return SLAB_OK;
}
