/* tradeanalyzer.c: backtrader's TradeAnalyzer over a finished run's trade
 * list, as the same nested dict in a jansson object.
 * Source: backtrader 1.9.78.123 analyzers/tradeanalyzer.py and
 * utils/autodict.py (AutoOrderedDict: a missing key reads as an empty,
 * falsy dict, and `missing += x` gives type(x)() + x);
 * docs/backtrader-semantics.md §6.
 * Invariant: the accumulators mirror backtrader's dict slot by slot, with
 * plain sequential += in trade order and Python's int/float types: counts
 * and bar lengths are JSON integers, pnl values and averages reals. Keys
 * are written in the order backtrader first creates them, and only once a
 * trade has used them. */
#include "stratlab/metrics.h"

#include <stdint.h>
#include <string.h>

/* Python's sys.maxsize, backtrader's MAXINT: an unused min of a length. */
#define MAXINT INT64_MAX

/* Index of the won/lost and long/short halves of the accumulators, in
 * backtrader's loop order. */
enum { WON = 0, LOST = 1 };
enum { LONG = 0, SHORT = 1 };
static const char *const WL_NAME[2] = {"won", "lost"};
static const char *const LS_NAME[2] = {"long", "short"};

/* A {total, average, max} pnl slot. */
typedef struct pnl_acc {
    double total;   /* sum of pnlcomm, cash units */
    double average; /* total / (count or 1.0) */
    double max;     /* won: best pnlcomm (>= 0); lost: worst (<= 0) */
} pnl_acc;

/* A {total, average, max, min} bar-length slot. */
typedef struct len_acc {
    int64_t total;  /* bars held, summed */
    double average; /* total / (count or 1.0), bars */
    int64_t max;    /* longest, bars */
    int64_t min;    /* shortest, bars (MAXINT while unused) */
    int has_min;    /* the min key exists (len.won/len.lost set it lazily) */
} len_acc;

/* trades.long / trades.short. */
typedef struct side_acc {
    int64_t total;    /* closed trades on this side */
    double pnl_total; /* their pnlcomm, summed */
    double pnl_average;
    pnl_acc pnl_wl[2]; /* pnl.won / pnl.lost of this side */
    int64_t wl[2];     /* won / lost counts of this side */
} side_acc;

/* Everything TradeAnalyzer accumulates over closed trades. */
typedef struct ta_acc {
    int64_t closed;                    /* total.closed */
    int64_t streak_cur[2];             /* streak.won/lost.current */
    int64_t streak_longest[2];         /* streak.won/lost.longest */
    double gross_total, gross_average; /* pnl.gross, from trade pnl */
    double net_total, net_average;     /* pnl.net, from pnlcomm */
    int64_t wl_total[2];               /* won.total / lost.total */
    pnl_acc wl_pnl[2];                 /* won.pnl / lost.pnl */
    side_acc side[2];                  /* long / short */
    len_acc len;                       /* len.{total, average, max, min} */
    len_acc len_wl[2];                 /* len.won / len.lost */
    len_acc len_side[2];               /* len.long / len.short */
    len_acc len_side_wl[2][2];         /* len.long.won ... len.short.lost */
} ta_acc;

/* Returns `count or 1.0` as Python reads it in the averages. */
static double or_one(int64_t count)
{
    return count ? (double)count : 1.0;
}

/* Returns `slot.min or MAXINT`: a missing or zero min reads as MAXINT. */
static int64_t min_or_maxint(const len_acc *a)
{
    return a->has_min && a->min ? a->min : MAXINT;
}

/* Python's max(a, b) / min(a, b) on ints. */
static int64_t imax(int64_t a, int64_t b)
{
    return b > a ? b : a;
}
static int64_t imin(int64_t a, int64_t b)
{
    return b < a ? b : a;
}

/* Adds p to a pnl slot counted count times; the max keeps the best won
 * (max) or worst lost (min) value, starting from `max or 0.0`. */
static void pnl_add(pnl_acc *a, double p, int64_t count, int is_won)
{
    double wm = a->max;

    a->total += p;
    a->average = a->total / or_one(count);
    if (is_won)
        a->max = p > wm ? p : wm;
    else
        a->max = p < wm ? p : wm;
}

/* Adds bars to a length slot whose kind has count trades; the min takes
 * `bars or m`, so a zero never lowers it. */
static void len_add(len_acc *a, int64_t bars, int64_t count)
{
    int64_t m = min_or_maxint(a);

    a->total += bars;
    a->average = (double)a->total / or_one(count);
    a->max = imax(a->max, bars);
    a->min = imin(m, bars ? bars : m);
    a->has_min = 1;
}

/* Updates the won/lost and long/short pnl statistics with one trade. */
static void close_pnl(ta_acc *s, const slab_trade *t, const int64_t wl[2], const int64_t ls[2])
{
    s->gross_total += t->pnl;
    s->gross_average = s->gross_total / (double)s->closed;
    s->net_total += t->pnlcomm;
    s->net_average = s->net_total / (double)s->closed;
    for (int w = 0; w < 2; w++) {
        s->wl_total[w] += wl[w];
        pnl_add(&s->wl_pnl[w], t->pnlcomm * (double)wl[w], s->wl_total[w], w == WON);
    }
    for (int k = 0; k < 2; k++) {
        side_acc *sd = &s->side[k];
        sd->total += ls[k];
        sd->pnl_total += t->pnlcomm * (double)ls[k];
        sd->pnl_average = sd->pnl_total / or_one(sd->total);
        for (int w = 0; w < 2; w++) {
            sd->wl[w] += wl[w] * ls[k];
            pnl_add(&sd->pnl_wl[w], t->pnlcomm * (double)wl[w] * (double)ls[k], sd->wl[w],
                    w == WON);
        }
    }
}

/* Updates the bar-length statistics with one trade. */
static void close_len(ta_acc *s, const slab_trade *t, const int64_t wl[2], const int64_t ls[2])
{
    int64_t bars = t->barlen;

    s->len.total += bars;
    s->len.average = (double)s->len.total / (double)s->closed;
    s->len.max = imax(s->len.max, bars);
    s->len.min = imin(min_or_maxint(&s->len), bars); /* a 0 here is forgotten later */
    s->len.has_min = 1;
    for (int w = 0; w < 2; w++) {
        len_acc *a = &s->len_wl[w];
        int64_t b = bars * wl[w];
        a->total += b;
        a->average = (double)a->total / or_one(s->wl_total[w]);
        a->max = imax(a->max, b);
        if (b != 0) { /* the min key appears with the first nonzero length */
            a->min = imin(min_or_maxint(a), b);
            a->has_min = 1;
        }
    }
    for (int k = 0; k < 2; k++) {
        len_add(&s->len_side[k], bars * ls[k], s->side[k].total);
        for (int w = 0; w < 2; w++)
            len_add(&s->len_side_wl[k][w], bars * ls[k] * wl[w], s->side[k].wl[w]);
    }
}

/* Feeds one closed trade through TradeAnalyzer.notify_trade. */
static void close_trade(ta_acc *s, const slab_trade *t)
{
    int64_t won = t->pnlcomm >= 0.0; /* break-even is a win; NaN a loss */
    int64_t wl[2] = {won, !won};
    int64_t ls[2] = {t->is_long != 0, t->is_long == 0};

    s->closed++;
    for (int w = 0; w < 2; w++) {
        s->streak_cur[w] = s->streak_cur[w] * wl[w] + wl[w];
        s->streak_longest[w] = imax(s->streak_longest[w], s->streak_cur[w]);
    }
    close_pnl(s, t, wl, ls);
    close_len(s, t, wl, ls);
}

/* Sets obj[key] = v, taking v's reference; returns 0, or -1 when v is NULL
 * or the set fails (jansson then releases v). */
static int put(json_t *obj, const char *key, json_t *v)
{
    if (!v)
        return -1;
    return json_object_set_new(obj, key, v);
}

/* Returns a new {total, average, max} object, or NULL. */
static json_t *pnl_json(const pnl_acc *a)
{
    json_t *o = json_object();
    int bad = 0;

    bad |= put(o, "total", json_real(a->total));
    bad |= put(o, "average", json_real(a->average));
    bad |= put(o, "max", json_real(a->max));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Returns a new {total, average, max[, min]} object, or NULL. */
static json_t *len_json(const len_acc *a)
{
    json_t *o = json_object();
    int bad = 0;

    bad |= put(o, "total", json_integer(a->total));
    bad |= put(o, "average", json_real(a->average));
    bad |= put(o, "max", json_integer(a->max));
    if (a->has_min)
        bad |= put(o, "min", json_integer(a->min));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Returns {current, longest} of streak w. */
static json_t *streak_json(const ta_acc *s, int w)
{
    json_t *o = json_object();
    int bad = 0;

    bad |= put(o, "current", json_integer(s->streak_cur[w]));
    bad |= put(o, "longest", json_integer(s->streak_longest[w]));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Returns the "long"/"short" object of side k. */
static json_t *side_json(const ta_acc *s, int k)
{
    const side_acc *sd = &s->side[k];
    json_t *o = json_object(), *pnl = json_object();
    int bad = 0;

    bad |= put(pnl, "total", json_real(sd->pnl_total));
    bad |= put(pnl, "average", json_real(sd->pnl_average));
    for (int w = 0; w < 2; w++)
        bad |= put(pnl, WL_NAME[w], pnl_json(&sd->pnl_wl[w]));
    bad |= put(o, "total", json_integer(sd->total));
    bad |= put(o, "pnl", pnl);
    for (int w = 0; w < 2; w++)
        bad |= put(o, WL_NAME[w], json_integer(sd->wl[w]));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Returns the "len" object: overall, won/lost, then long/short with their
 * own won/lost. */
static json_t *lens_json(const ta_acc *s)
{
    json_t *o = len_json(&s->len);
    int bad = 0;

    for (int w = 0; w < 2; w++)
        bad |= put(o, WL_NAME[w], len_json(&s->len_wl[w]));
    for (int k = 0; k < 2; k++) {
        json_t *side = len_json(&s->len_side[k]);
        for (int w = 0; w < 2; w++)
            bad |= put(side, WL_NAME[w], len_json(&s->len_side_wl[k][w]));
        bad |= put(o, LS_NAME[k], side);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* Adds the keys created by the first closed trade (streak .. len). */
static int put_closed(json_t *root, const ta_acc *s)
{
    json_t *streak = json_object(), *pnl = json_object(), *gross = json_object(),
           *net = json_object();
    int bad = 0;

    for (int w = 0; w < 2; w++)
        bad |= put(streak, WL_NAME[w], streak_json(s, w));
    bad |= put(gross, "total", json_real(s->gross_total));
    bad |= put(gross, "average", json_real(s->gross_average));
    bad |= put(net, "total", json_real(s->net_total));
    bad |= put(net, "average", json_real(s->net_average));
    bad |= put(pnl, "gross", gross);
    bad |= put(pnl, "net", net);
    bad |= put(root, "streak", streak);
    bad |= put(root, "pnl", pnl);
    for (int w = 0; w < 2; w++) {
        json_t *o = json_object();
        bad |= put(o, "total", json_integer(s->wl_total[w]));
        bad |= put(o, "pnl", pnl_json(&s->wl_pnl[w]));
        bad |= put(root, WL_NAME[w], o);
    }
    for (int k = 0; k < 2; k++)
        bad |= put(root, LS_NAME[k], side_json(s, k));
    bad |= put(root, "len", lens_json(s));
    return bad ? -1 : 0;
}

json_t *slab_tradeanalyzer_json(const slab_trade *trades, size_t n)
{
    ta_acc s;
    json_t *root = json_object(), *total = json_object();
    int bad = 0;

    memset(&s, 0, sizeof s);
    for (size_t i = 0; i < n; i++)
        if (!trades[i].is_open)
            close_trade(&s, &trades[i]);
    bad |= put(total, "total", json_integer((json_int_t)n));
    if (n > 0) /* total.open appears with the first opened trade */
        bad |= put(total, "open", json_integer((json_int_t)n - s.closed));
    if (s.closed > 0)
        bad |= put(total, "closed", json_integer(s.closed));
    bad |= put(root, "total", total);
    if (s.closed > 0)
        bad |= put_closed(root, &s);
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}
