/* stats.c: the statistics block (stats.h), backtesting.py's compute_stats
 * list (backtesting/_stats.py, "Statistics" in its docs) with backtrader's
 * conventions where the document already has them, each stated in the
 * "conventions" object. Sits above metrics: it reads the value record and
 * the trades, never the analyzers' internals.
 * Where backtesting.py and we agree (cited per line below): exposure,
 * return, buy & hold, drawdown periods, Calmar, best/worst trade, the
 * geometric average trade, Kelly. Where we differ we say so: annualisation
 * by the data's periods (not resampled calendar days), population sd (as
 * backtrader), win = pnlcomm >= 0 (as backtrader), profit factor and SQN
 * in cash (as backtrader), durations in bars. */
#include "stratlab/stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const keys[] = {"start",
                                   "end",
                                   "duration_days",
                                   "bars",
                                   "exposure_time_pct",
                                   "equity_final",
                                   "equity_peak",
                                   "return_pct",
                                   "buy_and_hold_return_pct",
                                   "cagr_pct",
                                   "annual_volatility_pct",
                                   "sharpe_ratio",
                                   "sortino_ratio",
                                   "calmar_ratio",
                                   "max_drawdown_pct",
                                   "avg_drawdown_pct",
                                   "max_drawdown_duration",
                                   "avg_drawdown_duration",
                                   "num_trades",
                                   "win_rate_pct",
                                   "best_trade_pct",
                                   "worst_trade_pct",
                                   "avg_trade_pct",
                                   "max_trade_duration",
                                   "avg_trade_duration",
                                   "profit_factor",
                                   "expectancy",
                                   "expectancy_pct",
                                   "sqn",
                                   "kelly_fraction",
                                   "commissions",
                                   "max_drawdown_duration_days",
                                   "avg_drawdown_duration_days",
                                   "max_trade_duration_days",
                                   "avg_trade_duration_days"};
#define N_KEYS (sizeof keys / sizeof keys[0])
#define N_REQUIRED 31 /* keys every document with statistics has: up to commissions */

/* One line per key, in keys[] order. */
static const char *const conventions[N_KEYS] = {
    "time of the first bar",
    "time of the last bar",
    "calendar days from the first bar to the last",
    "bars in the run, warm-up included",
    "percent of bars with a position open: a trade holds bars entry_bar..exit_bar inclusive "
    "(open trades to the last bar), as backtesting.py's Exposure Time [%]",
    "portfolio value after the last bar, cash units",
    "highest value after any bar, or the starting cash if higher, cash units",
    "percent: (equity_final / starting cash - 1) * 100, as backtesting.py's Return [%]",
    "percent: (last close / first close - 1) * 100, as backtesting.py's Buy & Hold Return [%]",
    "percent: (equity_final / starting cash)^(annualization_periods / bars) - 1, the compound "
    "annual rate over the bars' periods (= metrics.normalized_annual_return); backtesting.py's "
    "Return (Ann.) [%] on daily bars",
    "percent: population sd of the per-bar returns (r_i = v_i / v_(i-1) - 1, v_-1 = starting "
    "cash) times sqrt(annualization_periods); backtesting.py compounds a sample variance instead",
    "(mean(r) - rf) / sd_pop(r) * sqrt(annualization_periods), rf = 1.01^(1/"
    "annualization_periods) - 1 per bar (= metrics.sharpe_ratio_annualized); null with fewer "
    "than 2 bars or no variation",
    "(mean(r) - rf) / sqrt(mean(min(r - rf, 0)^2)) * sqrt(annualization_periods), downside "
    "deviation over every bar; null when no bar is below rf",
    "cagr_pct / max_drawdown_pct, as backtesting.py's Calmar Ratio; null without a drawdown",
    "percent: largest (peak - value) / peak over the bars, the peak the running maximum of the "
    "values (backtrader's DrawDown, = metrics.max_drawdown_pct)",
    "percent: mean of the deepest point of each drawdown period (a run of bars below the "
    "running peak, to the bar that regains it or the last bar), as backtesting.py's Avg. "
    "Drawdown [%]",
    "bars from the peak to the bar that regains it (or the last bar) of the longest drawdown "
    "period; backtesting.py gives the same span as a time",
    "bars: mean length of the drawdown periods",
    "closed trades (open ones are not counted; backtesting.py closes them at the end)",
    "percent of closed trades with pnlcomm >= 0 (backtrader counts break-even as won; "
    "backtesting.py uses > 0)",
    "percent: best closed trade's pnlcomm / (|size| * entry_price) * 100 (net of commission)",
    "percent: worst closed trade's return, as best_trade_pct",
    "percent: geometric mean of the closed trades' returns, (prod(1 + r))^(1/n) - 1, as "
    "backtesting.py's Avg. Trade [%]; null when a trade lost 100% or more",
    "bars: longest closed trade, exit_bar - entry_bar",
    "bars: mean of exit_bar - entry_bar over closed trades",
    "sum of winning pnlcomm / |sum of losing pnlcomm| in cash (= metrics.profit_factor; "
    "backtesting.py sums trade returns); null with no losing trade",
    "mean pnlcomm per closed trade, cash units",
    "percent: arithmetic mean of the closed trades' returns, as backtesting.py's Expectancy [%]",
    "sqrt(n) * mean / population sd of closed trades' pnlcomm (backtrader's SQN; backtesting.py "
    "uses the sample sd); null with fewer than 2 trades or no variation",
    "W - (1 - W) / R, W = win rate as a fraction, R = mean winning pnlcomm / mean |losing "
    "pnlcomm|, as backtesting.py's Kelly Criterion; null without both winners and losers",
    "commission paid on the closed trades, cash units",
    "calendar days from the peak to the bar that regains it (or the last bar), longest drawdown "
    "period; backtesting.py's Max. Drawdown Duration",
    "calendar days: mean span of the drawdown periods, as backtesting.py's Avg. Drawdown "
    "Duration",
    "calendar days from entry to exit bar of the longest closed trade, as backtesting.py's Max. "
    "Trade Duration",
    "calendar days: mean span from entry to exit bar of the closed trades, as backtesting.py's "
    "Avg. Trade Duration",
};

const char *const *slab_stats_keys(size_t *n)
{
    *n = N_KEYS;
    return keys;
}

/* Exposure: marks bars entry_bar..exit_bar of every trade in a byte map,
 * so overlapping trades (several feeds, pyramiding) count a bar once.
 * Returns the percent, or -1 when out of memory. */
static double exposure_pct(const slab_stats_input *in)
{
    size_t n = in->n_bars, held = 0;
    unsigned char *mark = slab_calloc(n, 1);
    if (!mark)
        return -1.0;
    for (size_t k = 0; k < in->n_trades; k++) {
        const slab_trade *t = &in->trades[k];
        size_t a = t->entry_bar, b = t->is_open ? n - 1 : t->exit_bar;
        for (size_t i = a; i <= b && i < n; i++)
            mark[i] = 1;
    }
    for (size_t i = 0; i < n; i++)
        held += mark[i];
    slab_free(mark);
    return 100.0 * (double)held / (double)n;
}

/* Calendar days from bar a to bar b. */
static double days_between(const slab_stats_input *in, size_t a, size_t b)
{
    return (double)(in->ts_ns[b] - in->ts_ns[a]) / 86400e9;
}

/* Drawdown periods: a period starts at a bar on its running peak and ends
 * at the next bar at or above that peak (or the last bar); its depth is the
 * largest (peak - v) / peak inside, its length the bars between. */
static void drawdowns(const slab_stats_input *in, slab_stats *s)
{
    const double *v = in->value;
    double peak = -INFINITY, depth = 0.0, sum_depth = 0.0, sum_len = 0.0;
    double max_dd = 0.0, max_len = 0.0, sum_days = 0.0, max_days = 0.0;
    size_t peak_i = 0, periods = 0;
    int in_dd = 0;
    for (size_t i = 0; i < in->n_bars; i++) {
        if (v[i] >= peak) {
            if (in_dd) {
                periods++;
                sum_depth += depth;
                sum_len += (double)(i - peak_i);
                max_len = fmax(max_len, (double)(i - peak_i));
                sum_days += days_between(in, peak_i, i);
                max_days = fmax(max_days, days_between(in, peak_i, i));
            }
            in_dd = 0;
            depth = 0.0;
            peak = v[i];
            peak_i = i;
            continue;
        }
        double dd = 100.0 * (peak - v[i]) / peak; /* backtrader's DrawDown formula */
        in_dd = 1;
        depth = fmax(depth, dd);
        max_dd = fmax(max_dd, dd);
    }
    if (in_dd) { /* still under water at the last bar */
        periods++;
        sum_depth += depth;
        sum_len += (double)(in->n_bars - 1 - peak_i);
        max_len = fmax(max_len, (double)(in->n_bars - 1 - peak_i));
        sum_days += days_between(in, peak_i, in->n_bars - 1);
        max_days = fmax(max_days, days_between(in, peak_i, in->n_bars - 1));
    }
    s->max_drawdown_pct = max_dd;
    s->avg_drawdown_pct = periods ? sum_depth / (double)periods : 0.0;
    s->max_drawdown_duration = max_len;
    s->avg_drawdown_duration = periods ? sum_len / (double)periods : 0.0;
    s->max_drawdown_duration_days = max_days;
    s->avg_drawdown_duration_days = periods ? sum_days / (double)periods : 0.0;
}

/* Per-bar return i: v_i / v_(i-1) - 1 with v_-1 = V0. */
static double bar_return(const slab_stats_input *in, size_t i)
{
    double prev = i ? in->value[i - 1] : in->start_value;
    return in->value[i] / prev - 1.0;
}

/* Volatility, Sharpe and Sortino over the per-bar returns. */
static void risk_ratios(const slab_stats_input *in, slab_stats *s)
{
    size_t n = in->n_bars;
    double P = in->periods_per_year;
    double rf = P > 0.0 ? pow(1.0 + in->riskfree_rate, 1.0 / P) - 1.0 : NAN;
    slab_fsum sum, sq, down;
    slab_fsum_init(&sum);
    slab_fsum_init(&sq);
    slab_fsum_init(&down);
    for (size_t i = 0; i < n; i++)
        slab_fsum_add(&sum, bar_return(in, i));
    double mean = slab_fsum_value(&sum) / (double)n;
    for (size_t i = 0; i < n; i++) {
        double r = bar_return(in, i), d = r - mean, lo = fmin(r - rf, 0.0);
        slab_fsum_add(&sq, d * d);
        slab_fsum_add(&down, lo * lo);
    }
    double sd = sqrt(slab_fsum_value(&sq) / (double)n);
    double dsd = sqrt(slab_fsum_value(&down) / (double)n);
    s->annual_volatility_pct = P > 0.0 ? sd * sqrt(P) * 100.0 : NAN;
    s->sharpe_ratio = n >= 2 && sd > 0.0 && P > 0.0 ? (mean - rf) / sd * sqrt(P) : NAN;
    s->sortino_ratio = n >= 2 && dsd > 0.0 && P > 0.0 ? (mean - rf) / dsd * sqrt(P) : NAN;
}

/* A closed trade's return, a fraction: pnlcomm over its entry value. */
static double trade_return(const slab_trade *t)
{
    double basis = fabs(t->size) * t->entry_price;
    return basis > 0.0 ? t->pnlcomm / basis : NAN;
}

/* Trade statistics over the closed trades. */
static void trade_stats(const slab_stats_input *in, slab_stats *s)
{
    size_t n = 0, won = 0, lost = 0;
    double best = -INFINITY, worst = INFINITY, log_sum = 0.0, ret_sum = 0.0, pnl_sum = 0.0;
    double win_pnl = 0.0, loss_pnl = 0.0, max_len = 0.0, len_sum = 0.0, comm = 0.0, sq = 0.0;
    double max_days = 0.0, days_sum = 0.0;
    int wiped = 0;
    for (size_t k = 0; k < in->n_trades; k++) {
        const slab_trade *t = &in->trades[k];
        if (t->is_open)
            continue;
        double r = trade_return(t), len = (double)(t->exit_bar - t->entry_bar);
        n++;
        best = fmax(best, r);
        worst = fmin(worst, r);
        if (1.0 + r <= 0.0)
            wiped = 1;
        else
            log_sum += log1p(r);
        ret_sum += r;
        pnl_sum += t->pnlcomm;
        comm += t->commission;
        max_len = fmax(max_len, len);
        len_sum += len;
        double days = (double)(t->exit_ts_ns - t->entry_ts_ns) / 86400e9;
        max_days = fmax(max_days, days);
        days_sum += days;
        if (t->pnlcomm >= 0.0) {
            won++;
            win_pnl += t->pnlcomm;
        } else {
            lost++;
            loss_pnl += t->pnlcomm;
        }
    }
    s->num_trades = n;
    s->commissions = comm;
    if (!n) {
        s->win_rate_pct = s->best_trade_pct = s->worst_trade_pct = s->avg_trade_pct = NAN;
        s->max_trade_duration = s->avg_trade_duration = s->expectancy = NAN;
        s->max_trade_duration_days = s->avg_trade_duration_days = NAN;
        s->expectancy_pct = s->profit_factor = s->sqn = s->kelly_fraction = NAN;
        return;
    }
    double mean = pnl_sum / (double)n;
    for (size_t k = 0; k < in->n_trades; k++)
        if (!in->trades[k].is_open)
            sq += (in->trades[k].pnlcomm - mean) * (in->trades[k].pnlcomm - mean);
    double sd = sqrt(sq / (double)n), w = (double)won / (double)n;
    s->win_rate_pct = 100.0 * w;
    s->best_trade_pct = 100.0 * best;
    s->worst_trade_pct = 100.0 * worst;
    s->avg_trade_pct = wiped ? NAN : 100.0 * expm1(log_sum / (double)n);
    s->max_trade_duration = max_len;
    s->avg_trade_duration = len_sum / (double)n;
    s->max_trade_duration_days = max_days;
    s->avg_trade_duration_days = days_sum / (double)n;
    s->expectancy = mean;
    s->expectancy_pct = 100.0 * ret_sum / (double)n;
    s->profit_factor = lost ? win_pnl / -loss_pnl : NAN;
    s->sqn = n >= 2 && sd > 0.0 ? sqrt((double)n) * mean / sd : NAN;
    s->kelly_fraction =
        won && lost ? w - (1.0 - w) / ((win_pnl / (double)won) / (-loss_pnl / (double)lost)) : NAN;
}

slab_status slab_stats_compute(const slab_stats_input *in, slab_stats *out, slab_error *err)
{
    size_t n = in->n_bars;
    if (!n || !in->ts_ns || !in->value)
        return slab_error_set(err, SLAB_EINVAL, NULL, "statistics need at least one bar");
    if (!(in->start_value > 0.0))
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "statistics need a positive starting cash (got %g)", in->start_value);
    memset(out, 0, sizeof *out);
    out->start_ts_ns = in->ts_ns[0];
    out->end_ts_ns = in->ts_ns[n - 1];
    out->duration_days = (double)(in->ts_ns[n - 1] - in->ts_ns[0]) / 86400e9;
    out->bars = n;
    if ((out->exposure_time_pct = exposure_pct(in)) < 0.0)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the statistics");
    out->equity_final = in->value[n - 1];
    out->equity_peak = in->start_value;
    for (size_t i = 0; i < n; i++)
        out->equity_peak = fmax(out->equity_peak, in->value[i]);
    out->return_pct = (out->equity_final / in->start_value - 1.0) * 100.0;
    size_t nc = in->n_close ? in->n_close : n;
    out->buy_and_hold_return_pct =
        in->close && in->close[0] > 0.0 ? (in->close[nc - 1] / in->close[0] - 1.0) * 100.0 : NAN;
    /* expm1(mean log return * P), the bits of metrics.normalized_annual_return */
    double ratio = out->equity_final / in->start_value;
    out->cagr_pct = !(in->periods_per_year > 0.0) ? NAN
                    : ratio > 0.0 ? expm1(log(ratio) / (double)n * in->periods_per_year) * 100.0
                                  : -100.0;
    drawdowns(in, out);
    risk_ratios(in, out);
    out->calmar_ratio = out->max_drawdown_pct > 0.0 ? out->cagr_pct / out->max_drawdown_pct : NAN;
    trade_stats(in, out);
    return SLAB_OK;
}

/* A number, or null when it is NaN/inf. */
static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* The value of key k of s as JSON. */
static json_t *value_of(const slab_stats *s, size_t k, int date_only)
{
    char buf[48];
    switch (k) {
    case 0: return json_string(slab_time_format(s->start_ts_ns, date_only, buf, sizeof buf));
    case 1: return json_string(slab_time_format(s->end_ts_ns, date_only, buf, sizeof buf));
    case 3: return json_integer((json_int_t)s->bars);
    case 18: return json_integer((json_int_t)s->num_trades);
    default: break;
    }
    const double v[N_KEYS] = {0,
                              0,
                              s->duration_days,
                              0,
                              s->exposure_time_pct,
                              s->equity_final,
                              s->equity_peak,
                              s->return_pct,
                              s->buy_and_hold_return_pct,
                              s->cagr_pct,
                              s->annual_volatility_pct,
                              s->sharpe_ratio,
                              s->sortino_ratio,
                              s->calmar_ratio,
                              s->max_drawdown_pct,
                              s->avg_drawdown_pct,
                              s->max_drawdown_duration,
                              s->avg_drawdown_duration,
                              0,
                              s->win_rate_pct,
                              s->best_trade_pct,
                              s->worst_trade_pct,
                              s->avg_trade_pct,
                              s->max_trade_duration,
                              s->avg_trade_duration,
                              s->profit_factor,
                              s->expectancy,
                              s->expectancy_pct,
                              s->sqn,
                              s->kelly_fraction,
                              s->commissions,
                              s->max_drawdown_duration_days,
                              s->avg_drawdown_duration_days,
                              s->max_trade_duration_days,
                              s->avg_trade_duration_days};
    return num(v[k]);
}

json_t *slab_stats_json(const slab_stats *s, int date_only)
{
    json_t *o = json_object(), *c = json_object();
    if (!o || !c)
        goto fail;
    for (size_t k = 0; k < N_KEYS; k++) {
        /* set_new takes its value, NULL included (it then fails) */
        int bad = json_object_set_new(o, keys[k], value_of(s, k, date_only));
        bad |= json_object_set_new(c, keys[k], json_string(conventions[k]));
        if (bad)
            goto fail;
    }
    if (json_object_set_new(o, "conventions", c))
        goto fail_o;
    return o;
fail:
    json_decref(c);
fail_o:
    json_decref(o);
    return NULL;
}

json_t *slab_stats_from_document(const json_t *doc, slab_error *err)
{
    const json_t *bt = json_object_get(doc, "backtest");
    const json_t *eng = json_object_get(bt, "engine");
    const char *name = json_string_value(json_object_get(eng, "name"));
    const char *ver = json_string_value(json_object_get(eng, "version"));
    if (!json_is_object(doc) || !json_is_object(bt) ||
        !json_is_object(json_object_get(doc, "metrics")))
        return slab_error_fail(err, SLAB_EC_BAD_DATA, "/backtest",
                               "not a stratlab result document (no \"backtest\" and \"metrics\" "
                               "objects): write one with stratlab run ... --json"),
               NULL;
    if (!name || strcmp(name, "stratlab"))
        return slab_error_fail(err, SLAB_EC_BAD_DATA, "/backtest/engine/name",
                               "the result document was written by %s, not stratlab",
                               name ? name : "an unknown engine"),
               NULL;
    const json_t *st = json_object_get(doc, "stats");
    if (!json_is_object(st))
        return slab_error_fail(err, SLAB_EC_BAD_DATA, "/stats",
                               "the result document has no \"stats\" object (written by stratlab "
                               "%s, before statistics were added): run it again with stratlab %s",
                               ver ? ver : "of an unknown version", SLAB_VERSION),
               NULL;
    for (size_t k = 0; k < N_KEYS; k++) {
        const json_t *v = json_object_get(st, keys[k]);
        int ok = k < 2 ? json_is_string(v) : json_is_number(v) || json_is_null(v);
        /* keys added after the contract's may be absent from an older document */
        if (!v && k >= N_REQUIRED)
            continue;
        if (!ok)
            return slab_error_fail(err, SLAB_EC_BAD_DATA, "/stats",
                                   "the result document's \"stats\" %s \"%s\" (written by "
                                   "stratlab %s): run it again with stratlab %s",
                                   v ? "has a wrong type for" : "lacks", keys[k],
                                   ver ? ver : "of an unknown version", SLAB_VERSION),
                   NULL;
    }
    json_t *copy = json_deep_copy(st);
    if (!copy)
        slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory copying the statistics");
    return copy;
}

/* How key k's value reads: text, a count, percent, days, bars, money or a
 * ratio. */
static char *format_value(const json_t *v, size_t k, slab_lang lang, char *buf, size_t n)
{
    const char *key = keys[k];
    size_t len = strlen(key);
    double x = json_is_number(v) ? json_number_value(v) : NAN;
    if (json_is_string(v)) {
        snprintf(buf, n, "%s", json_string_value(v));
        return buf;
    }
    if (!strcmp(key, "bars") || !strcmp(key, "num_trades"))
        return slab_fmt_number(lang, x, 0, buf, n);
    if (len > 4 && !strcmp(key + len - 4, "_pct"))
        return slab_fmt_percent(lang, x, 2, 0, buf, n);
    if (len > 5 && !strcmp(key + len - 5, "_days"))
        return slab_fmt_days(lang, x, buf, n);
    if (len > 9 && !strcmp(key + len - 9, "_duration"))
        return slab_fmt_bars(lang, x, buf, n);
    if (!strncmp(key, "equity", 6) || !strcmp(key, "expectancy") || !strcmp(key, "commissions"))
        return slab_fmt_number(lang, x, 2, buf, n);
    return slab_fmt_number(lang, x, 3, buf, n);
}

/* Display columns of UTF-8 text: CJK (3-byte and longer sequences here)
 * takes two, ASCII one, continuation bytes none. */
static int columns(const char *s)
{
    int c = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        c += *p < 0x80 ? 1 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : 0;
    return c;
}

char *slab_stats_format(const json_t *stats, const char *key, slab_lang lang, char *buf, size_t n)
{
    for (size_t k = 0; k < N_KEYS; k++)
        if (!strcmp(keys[k], key))
            return format_value(json_object_get(stats, key), k, lang, buf, n);
    snprintf(buf, n, "%s", slab_text(lang, "num.none"));
    return buf;
}

char *slab_stats_text(const json_t *stats, slab_lang lang)
{
    size_t cap = N_KEYS * 160, used = 0;
    char *out = slab_malloc(cap), label[96], val[64];
    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t k = 0; k < N_KEYS; k++) {
        snprintf(label, sizeof label, "stats.%s", keys[k]);
        format_value(json_object_get(stats, keys[k]), k, lang, val, sizeof val);
        const char *l = slab_text(lang, label);
        int pad = 34 - columns(l);
        int w = snprintf(out + used, cap - used, "%s%*s %s\n", l, pad > 0 ? pad : 0, "", val);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
    return out;
}

char *slab_stats_headline(const json_t *doc, slab_lang lang)
{
    const json_t *bt = json_object_get(doc, "backtest"), *st = json_object_get(doc, "stats");
    const json_t *cash = json_object_get(json_object_get(bt, "config"), "cash");
    const char *sym = json_string_value(json_array_get(json_object_get(bt, "symbols"), 0));
    char v[6][64], a[512], b[256], c[256];
    if (!json_is_object(st))
        return NULL;
    const char *strategy = json_string_value(json_object_get(bt, "strategy")),
               *tf = json_string_value(json_object_get(bt, "timeframe")),
               *from = json_string_value(json_object_get(bt, "from")),
               *to = json_string_value(json_object_get(bt, "to"));
    slab_stats_format(st, "bars", lang, v[0], sizeof v[0]);
    slab_stats_format(st, "equity_final", lang, v[1], sizeof v[1]);
    slab_fmt_number(lang, json_is_number(cash) ? json_number_value(cash) : NAN, 2, v[2],
                    sizeof v[2]);
    const json_t *ret = json_object_get(st, "return_pct");
    slab_fmt_percent(lang, json_is_number(ret) ? json_number_value(ret) : NAN, 2, 1, v[3],
                     sizeof v[3]);
    slab_textf(lang, "report.headline", a, sizeof a, strategy ? strategy : "", sym ? sym : "",
               tf ? tf : "", from ? from : "", to ? to : "", v[0], v[1], v[2], v[3]);
    slab_stats_format(st, "num_trades", lang, v[0], sizeof v[0]);
    slab_stats_format(st, "win_rate_pct", lang, v[1], sizeof v[1]);
    slab_stats_format(st, "max_drawdown_pct", lang, v[2], sizeof v[2]);
    slab_stats_format(st, "sharpe_ratio", lang, v[3], sizeof v[3]);
    slab_textf(lang, "report.headline_trades", b, sizeof b, v[0], v[1], v[2], v[3]);
    slab_stats_format(st, "exposure_time_pct", lang, v[0], sizeof v[0]);
    slab_stats_format(st, "cagr_pct", lang, v[1], sizeof v[1]);
    slab_stats_format(st, "buy_and_hold_return_pct", lang, v[2], sizeof v[2]);
    slab_textf(lang, "report.headline_market", c, sizeof c, v[0], v[1], v[2]);
    size_t n = strlen(a) + strlen(b) + strlen(c) + 3;
    char *out = slab_malloc(n);
    if (out)
        snprintf(out, n, "%s\n%s\n%s", a, b, c);
    return out;
}
