/* diagnose.c: seed 001 Phases 5, 5.5 and 6 over a finished result document
 * (diagnose.h): deviations from the paper's expected performance against
 * thresholds, the match status, likely causes ranked by the evidence in
 * the document (period, data source, costs, survivorship, signal logic,
 * metric conventions, risk management), the zero-trade triage from the
 * spec's rule statistics, and the Phase 6 table in English and Chinese.
 * The words live in one table (texts[]) with both languages side by side. */
#include "stratlab/diagnose.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- words ------------------------------------------------------------- */
typedef enum {
    W_STRATEGY, W_DATA, W_CASH, W_METRIC, W_BACKTEST, W_PAPER, W_DEVIATION, W_TOTAL_RETURN,
    W_ANNUAL_RETURN, W_SHARPE, W_MAX_DD, W_TRADES, W_WIN_RATE, W_SQN, W_FINAL, W_ASSESSMENT,
    W_MATCH, W_PARTIAL, W_MISMATCH, W_CAUSES, W_TRY, W_TRIAGE, W_ALL_WITHIN, W_SOME_WITHIN,
    W_NONE_WITHIN, W_ZERO_TRADES, W_NO_EXPECTED, W_THRESHOLDS, W_C_PERIOD, W_C_DATA, W_C_COSTS,
    W_C_SURVIVORSHIP, W_C_SIGNAL, W_C_CONVENTION, W_C_RISK, W_N
} word;

static const char *const texts[W_N][2] = {
    [W_STRATEGY] = {"Strategy", "策略"},
    [W_DATA] = {"Data", "数据"},
    [W_CASH] = {"Initial cash", "初始资金"},
    [W_METRIC] = {"Metric", "指标"},
    [W_BACKTEST] = {"Backtest", "回测结果"},
    [W_PAPER] = {"Paper", "论文预期"},
    [W_DEVIATION] = {"Deviation", "偏差"},
    [W_TOTAL_RETURN] = {"Total return", "总收益率"},
    [W_ANNUAL_RETURN] = {"Annual return", "年化收益"},
    [W_SHARPE] = {"Sharpe ratio", "夏普比率"},
    [W_MAX_DD] = {"Max drawdown", "最大回撤"},
    [W_TRADES] = {"Trades", "总交易数"},
    [W_WIN_RATE] = {"Win rate", "胜率"},
    [W_SQN] = {"SQN", "SQN"},
    [W_FINAL] = {"Final value", "最终资产"},
    [W_ASSESSMENT] = {"Assessment", "匹配评估"},
    [W_MATCH] = {"match", "匹配"},
    [W_PARTIAL] = {"partial match", "部分匹配"},
    [W_MISMATCH] = {"mismatch", "不匹配"},
    [W_CAUSES] = {"Likely causes, most likely first", "可能原因（按可能性排序）"},
    [W_TRY] = {"try", "建议"},
    [W_TRIAGE] = {"Zero-trade triage", "零交易排查"},
    [W_ALL_WITHIN] = {"every expected metric is within its threshold",
                      "所有预期指标均在阈值之内"},
    [W_SOME_WITHIN] = {"%d of %d expected metrics are within their thresholds",
                       "%d/%d 项预期指标在阈值之内"},
    [W_NONE_WITHIN] = {"no expected metric is within its threshold", "没有预期指标在阈值之内"},
    [W_ZERO_TRADES] = {"the run made no trade, so nothing can match",
                       "回测没有产生任何交易，无法匹配"},
    [W_NO_EXPECTED] = {"the spec gives no expected_performance: only the trade count was judged",
                       "规格没有 expected_performance：只检查了交易次数"},
    [W_THRESHOLDS] = {"thresholds: Sharpe %s%.0f%%, annual return %s%.0f%%, max drawdown "
                      "%s%.0fpp",
                      "阈值：夏普比率 %s%.0f%%，年化收益 %s%.0f%%，最大回撤 %s%.0f 个百分点"},
    [W_C_PERIOD] = {"period", "时间区间"},
    [W_C_DATA] = {"data source", "数据来源"},
    [W_C_COSTS] = {"costs", "交易成本"},
    [W_C_SURVIVORSHIP] = {"survivorship", "幸存者偏差"},
    [W_C_SIGNAL] = {"signal logic", "信号逻辑"},
    [W_C_CONVENTION] = {"metric convention", "指标口径"},
    [W_C_RISK] = {"risk management", "风险管理"},
};

static int zh(const char *lang) { return lang && !strcmp(lang, "zh"); }
static const char *W(word w, const char *lang) { return texts[w][zh(lang)]; }

/* ---- a growable text buffer -------------------------------------------- */
typedef struct buf {
    char *s;
    size_t n, cap;
    int oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        int w = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (w < 0) {
            b->oom = 1;
            return;
        }
        if (b->s && b->n + (size_t)w < b->cap) {
            b->n += (size_t)w;
            return;
        }
        size_t cap = (b->cap ? b->cap * 2 : 4096) + (size_t)w;
        char *s = slab_realloc(b->s, cap);
        if (!s) {
            b->oom = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

/* ---- reading the document ---------------------------------------------- */
static json_t *at(json_t *o, const char *a, const char *b)
{
    json_t *x = json_object_get(o, a);
    return b ? json_object_get(x, b) : x;
}

static double num(json_t *v) { return json_is_number(v) ? json_number_value(v) : NAN; }

/* 1,234,567.89 */
static const char *money(double x, char *out, size_t n)
{
    char raw[64];
    if (!isfinite(x)) {
        snprintf(out, n, "-");
        return out;
    }
    snprintf(raw, sizeof raw, "%.2f", fabs(x));
    char *dot = strchr(raw, '.');
    size_t ints = (size_t)(dot - raw), k = 0;
    if (x < 0 && k + 1 < n)
        out[k++] = '-';
    for (size_t i = 0; i < ints && k + 2 < n; i++) {
        if (i && (ints - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = raw[i];
    }
    snprintf(out + k, n - k, "%s", dot);
    return out;
}

void slab_diag_options_default(slab_diag_options *o)
{
    memset(o, 0, sizeof *o);
    o->tol[SLAB_DX_SHARPE] = 0.20;
    o->tol[SLAB_DX_ANNUAL_RETURN] = 0.20;
    o->tol[SLAB_DX_MAX_DRAWDOWN] = 0.10;
    o->tol[SLAB_DX_TOTAL_RETURN] = 0.20;
    o->lang = "en";
}

static const char *const metric_keys[SLAB_DX_N] = {"sharpe", "annual_return", "max_drawdown",
                                                   "total_return"};

json_t *slab_backtest_metrics_json(json_t *result, slab_error *err)
{
    json_t *m = json_object_get(result, "metrics");
    if (!json_is_object(m))
        return slab_error_set(err, SLAB_EPARSE, "/metrics",
                              "not a result document: it has no \"metrics\" object (make one "
                              "with stratlab run ... --json)"),
               NULL;
    json_t *o = json_object();
    double pct[3] = {num(at(m, "total_return", NULL)), num(at(m, "normalized_annual_return", NULL)),
                     num(at(m, "max_drawdown_pct", NULL))};
    static const char *const fr[3] = {"total_return", "annual_return", "max_drawdown"};
    for (int k = 0; k < 3; k++)
        json_object_set_new(o, fr[k], isfinite(pct[k]) ? json_real(pct[k] / 100.0) : json_null());
    json_t *sh = at(m, "sharpe_ratio", NULL);
    json_object_set_new(o, "sharpe_ratio", json_is_number(sh) ? json_real(num(sh)) : json_null());
    static const char *const ints[] = {"num_trades", "won_trades", "lost_trades"};
    for (int k = 0; k < 3; k++)
        json_object_set_new(o, ints[k],
                            json_integer(json_integer_value(at(m, ints[k], NULL))));
    double wr = num(at(m, "win_rate", NULL));
    json_object_set_new(o, "win_rate", isfinite(wr) ? json_real(wr / 100.0) : json_null());
    json_t *sqn = at(m, "sqn", NULL);
    json_object_set_new(o, "sqn", json_is_number(sqn) ? json_real(num(sqn)) : json_null());
    json_object_set_new(o, "final_value", json_real(num(at(m, "final_value", NULL))));
    return o;
}

/* ---- deviations and status ---------------------------------------------- */
typedef struct dx {
    int given;
    double expected, actual, deviation, tol;
    int relative, within;
    const char *note;
} dx;

static void deviation(dx *d, int metric)
{
    d->relative = metric != SLAB_DX_MAX_DRAWDOWN;
    if (!isfinite(d->actual)) {
        d->deviation = NAN;
        d->within = 0;
        return;
    }
    if (d->relative && d->expected != 0.0)
        d->deviation = (d->actual - d->expected) / fabs(d->expected);
    else
        d->deviation = d->actual - d->expected;
    d->within = fabs(d->deviation) <= d->tol + 1e-12;
}

/* ---- causes ------------------------------------------------------------------- */
typedef struct cause {
    word name;
    const char *key;
    double score;
    char evidence[2][400]; /* en, zh */
    char todo[2][300];
} cause;

static int by_score(const void *a, const void *b)
{
    double x = ((const cause *)a)->score, y = ((const cause *)b)->score;
    return x < y ? 1 : x > y ? -1 : 0;
}

static int64_t day_of(const char *s)
{
    int y, m, d;
    if (!s || sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
        return INT64_MIN;
    return slab_days_from_civil(y, m, d);
}

/* Everything the causes need from the document. */
typedef struct facts {
    const slab_spec *spec;
    json_t *result;
    dx d[SLAB_DX_N];
    long trades;
    double years, cash, commission, gross, net, sharpe_daily;
    const char *symbol, *from, *to;
    int zero;
} facts;

static void cause_period(const facts *f, cause *c)
{
    const slab_spec_settings *set = f->spec ? slab_spec_settings_get(f->spec) : NULL;
    json_t *dj = f->spec ? json_object_get(slab_spec_json(f->spec), "data") : NULL;
    const char *s0 = json_string_value(json_object_get(dj, "start"));
    const char *s1 = json_string_value(json_object_get(dj, "end"));
    c->name = W_C_PERIOD;
    c->key = "period";
    if (set && (set->has_start || set->has_end)) {
        int64_t a = day_of(f->from), b = day_of(f->to), sa = day_of(s0), sb = day_of(s1);
        int off = (s0 && llabs((long long)(a - sa)) > 31) || (s1 && llabs((long long)(b - sb)) > 31);
        c->score = off ? 0.9 : 0.15;
        snprintf(c->evidence[0], 400, "the spec's period is %s to %s; the run covered %s to %s%s",
                 s0 ? s0 : "(open)", s1 ? s1 : "(open)", f->from, f->to,
                 off ? "" : " (the same period)");
        snprintf(c->evidence[1], 400, "规格的区间为 %s 至 %s；回测覆盖 %s 至 %s%s", s0 ? s0 : "（未定）",
                 s1 ? s1 : "（未定）", f->from, f->to, off ? "" : "（区间一致）");
        snprintf(c->todo[0], 300, "run over the spec's period: --from %s --to %s",
                 s0 ? s0 : f->from, s1 ? s1 : f->to);
        snprintf(c->todo[1], 300, "按规格区间回测：--from %s --to %s", s0 ? s0 : f->from,
                 s1 ? s1 : f->to);
    } else {
        c->score = f->years < 3.0 ? 0.6 : 0.4;
        snprintf(c->evidence[0], 400, "the spec does not state the paper's period; the run covered "
                 "%s to %s (%.1f years)", f->from, f->to, f->years);
        snprintf(c->evidence[1], 400, "规格未注明论文的时间区间；回测覆盖 %s 至 %s（%.1f 年）",
                 f->from, f->to, f->years);
        snprintf(c->todo[0], 300, "add data.start and data.end from the paper and rerun over them");
        snprintf(c->todo[1], 300, "在 data.start 和 data.end 中填入论文的区间后重新回测");
    }
}

static void cause_data(const facts *f, cause *c)
{
    const slab_spec_settings *set = f->spec ? slab_spec_settings_get(f->spec) : NULL;
    c->name = W_C_DATA;
    c->key = "data_source";
    const char *want = set && set->n_symbols ? set->symbols[0] : NULL;
    const char *src = json_string_value(at(f->result, "backtest", "data_source"));
    /* A file run names its symbol after the file: orcl-1995-2014 is ORCL. */
    size_t wl = want ? strlen(want) : 0;
    int same = want && f->symbol && !strncasecmp(want, f->symbol, wl) &&
               (f->symbol[wl] == '\0' || !isalnum((unsigned char)f->symbol[wl]));
    if (want && f->symbol && !same) {
        c->score = 0.85;
        snprintf(c->evidence[0], 400, "the spec trades %s but the run used %s", want, f->symbol);
        snprintf(c->evidence[1], 400, "规格交易 %s，但回测使用的是 %s", want, f->symbol);
        snprintf(c->todo[0], 300, "run on %s (--symbol %s, or --data with its file)", want, want);
        snprintf(c->todo[1], 300, "改用 %s 回测（--symbol %s 或 --data 指定其文件）", want, want);
        return;
    }
    c->score = 0.35;
    snprintf(c->evidence[0], 400, "prices from %s; the paper may use another vendor or adjusted "
             "(split and dividend) prices",
             src && *src ? src : "the run's data");
    snprintf(c->evidence[1], 400, "价格来自 %s；论文可能使用其他数据源或复权（拆股、分红）价格",
             src && *src ? src : "本次回测数据");
    snprintf(c->todo[0], 300, "compare with adjusted prices (--yahoo-adjust for Yahoo files) or the "
             "paper's data source");
    snprintf(c->todo[1], 300, "用复权价格对比（Yahoo 文件加 --yahoo-adjust），或换用论文的数据源");
}

static void cause_costs(const facts *f, cause *c)
{
    c->name = W_C_COSTS;
    c->key = "costs";
    double paid = f->gross - f->net, per_year = f->years > 0 ? paid / f->cash / f->years : NAN;
    double short_by = f->d[SLAB_DX_ANNUAL_RETURN].given
                          ? f->d[SLAB_DX_ANNUAL_RETURN].expected - f->d[SLAB_DX_ANNUAL_RETURN].actual
                          : NAN;
    if (f->commission > 0.0 && isfinite(per_year) && paid > 0.0) {
        c->score = 0.3;
        if (isfinite(short_by) && short_by > 0.0)
            c->score = per_year >= 0.5 * short_by ? 0.8 : per_year >= 0.2 * short_by ? 0.55 : 0.3;
        snprintf(c->evidence[0], 400, "commission %g per leg cost %.2f in %ld trades, about %.2f%% "
                 "of the starting cash a year%s",
                 f->commission, paid, f->trades, per_year * 100.0,
                 isfinite(short_by) && short_by > 0.0 ? "; papers often report returns before costs"
                                                      : "");
        snprintf(c->evidence[1], 400, "每边佣金 %g，%ld 笔交易共花费 %.2f，约为每年初始资金的 %.2f%%%s",
                 f->commission, f->trades, paid, per_year * 100.0,
                 isfinite(short_by) && short_by > 0.0 ? "；论文常报告未扣除成本的收益" : "");
        snprintf(c->todo[0], 300, "rerun with --commission 0 to see the result before costs");
        snprintf(c->todo[1], 300, "用 --commission 0 重新回测，查看扣除成本前的结果");
    } else {
        c->score = isfinite(short_by) && short_by < 0.0 ? 0.3 : 0.1;
        snprintf(c->evidence[0], 400, "the run charged no commission; the paper's figures may be "
                 "net of costs");
        snprintf(c->evidence[1], 400, "本次回测未收取佣金；论文的数字可能已扣除成本");
        snprintf(c->todo[0], 300, "rerun with the paper's costs, e.g. --commission 0.001");
        snprintf(c->todo[1], 300, "按论文的成本重新回测，例如 --commission 0.001");
    }
}

static void cause_survivorship(const facts *f, cause *c)
{
    const slab_spec_settings *set = f->spec ? slab_spec_settings_get(f->spec) : NULL;
    int universe = set && set->n_symbols > 1;
    c->name = W_C_SURVIVORSHIP;
    c->key = "survivorship";
    c->score = universe ? 0.5 : 0.1;
    snprintf(c->evidence[0], 400, "%s", universe
             ? "a universe chosen from today's listings drops the companies that failed, which "
               "flatters a backtest (and papers differ in how they handle it)"
             : "one symbol chosen today is a survivor; this matters most for universes");
    snprintf(c->evidence[1], 400, "%s", universe
             ? "按当前上市名单选出的股票池遗漏了已退市的公司，会美化回测结果（论文的处理方式各不相同）"
             : "今天选出的单只股票本身就是幸存者；对股票池影响更大");
    snprintf(c->todo[0], 300, "use a point-in-time universe, including delisted symbols");
    snprintf(c->todo[1], 300, "使用时点一致的股票池，包括已退市的股票");
}

static void cause_signal(const facts *f, cause *c)
{
    const dx *s = &f->d[SLAB_DX_SHARPE];
    c->name = W_C_SIGNAL;
    c->key = "signal_logic";
    if (f->zero) {
        c->score = 1.0;
        snprintf(c->evidence[0], 400, "no trade was made: the entry rules never led to a filled "
                 "order (see the triage)");
        snprintf(c->evidence[1], 400, "没有任何交易：入场规则从未产生成交（见排查）");
        snprintf(c->todo[0], 300, "loosen the condition that never held (the triage says how "
                 "close it came), or check the data period");
        snprintf(c->todo[1], 300, "放宽从未成立的条件（排查中给出了最接近的一次），或检查数据区间");
    } else if (s->given && isfinite(s->actual) && s->expected * s->actual < 0.0) {
        c->score = 0.8;
        snprintf(c->evidence[0], 400, "the Sharpe ratio has the opposite sign of the paper's (%.3f "
                 "vs %.3f)", s->actual, s->expected);
        snprintf(c->evidence[1], 400, "夏普比率与论文符号相反（%.3f 对 %.3f）", s->actual,
                 s->expected);
        snprintf(c->todo[0], 300, "check the direction of each rule (buy/sell swapped, > vs <)");
        snprintf(c->todo[1], 300, "检查每条规则的方向（买卖是否颠倒，> 与 < 是否写反）");
    } else if (f->trades < 10) {
        c->score = 0.6;
        snprintf(c->evidence[0], 400, "only %ld closed trades: too few for stable statistics",
                 f->trades);
        snprintf(c->evidence[1], 400, "只有 %ld 笔已平仓交易：样本太少，统计不稳定", f->trades);
        snprintf(c->todo[0], 300, "run over a longer period or check the entry thresholds");
        snprintf(c->todo[1], 300, "延长回测区间，或检查入场阈值");
    } else {
        c->score = 0.3;
        snprintf(c->evidence[0], 400, "%ld trades; the rules may differ from the paper's in "
                 "thresholds, windows or timing (orders fill at the next bar's open)",
                 f->trades);
        snprintf(c->evidence[1], 400, "%ld 笔交易；规则可能在阈值、窗口或时点上与论文不同（订单在下一根 K 线开盘成交）",
                 f->trades);
        snprintf(c->todo[0], 300, "re-read the paper's rules and compare them with the spec, one "
                 "by one");
        snprintf(c->todo[1], 300, "逐条对照论文的规则与规格");
    }
}

static void cause_convention(const facts *f, cause *c)
{
    const dx *s = &f->d[SLAB_DX_SHARPE];
    c->name = W_C_CONVENTION;
    c->key = "metric_convention";
    c->score = 0.15;
    double daily_dev = s->expected != 0.0 ? (f->sharpe_daily - s->expected) / fabs(s->expected)
                                          : f->sharpe_daily - s->expected;
    if (s->given && !s->within && isfinite(f->sharpe_daily) && fabs(daily_dev) <= s->tol) {
        c->score = 0.85;
        snprintf(c->evidence[0], 400, "the Sharpe ratio annualized from daily returns is %.3f, "
                 "within the threshold; backtrader's default (yearly returns) gives %s",
                 f->sharpe_daily, isfinite(s->actual) ? "another value" : "none");
        snprintf(c->evidence[1], 400, "按日收益年化的夏普比率为 %.3f，在阈值之内；backtrader 默认（年收益）口径的结果不同",
                 f->sharpe_daily);
        snprintf(c->todo[0], 300, "compare with the daily annualized Sharpe: diagnose --sharpe "
                 "daily");
        snprintf(c->todo[1], 300, "改用按日收益年化的夏普比率比较：diagnose --sharpe daily");
        return;
    }
    snprintf(c->evidence[0], 400, "Sharpe conventions differ (yearly or daily returns, risk-free "
             "rate, annualization); this run's Sharpe: backtrader's default, yearly returns, rf 1%%");
    snprintf(c->evidence[1], 400, "夏普比率口径不同（年或日收益、无风险利率、年化方式）；本次为 backtrader 默认：年收益，无风险利率 1%%");
    snprintf(c->todo[0], 300, "check how the paper computes its Sharpe ratio");
    snprintf(c->todo[1], 300, "核对论文计算夏普比率的方法");
}

static void cause_risk(const facts *f, cause *c)
{
    const dx *d = &f->d[SLAB_DX_MAX_DRAWDOWN];
    const slab_spec_program *p = f->spec ? slab_spec_program_get(f->spec) : NULL;
    int stops = p && (p->risk.stop_loss.kind || p->risk.trail.kind);
    c->name = W_C_RISK;
    c->key = "risk_management";
    c->score = 0.1;
    if (d->given && isfinite(d->actual) && d->actual > d->expected + d->tol) {
        c->score = stops ? 0.4 : 0.65;
        snprintf(c->evidence[0], 400, "the drawdown is %.1f%% against the paper's %.1f%%%s",
                 d->actual * 100.0, d->expected * 100.0,
                 stops ? "" : ", and the spec has no stop-loss or trailing stop");
        snprintf(c->evidence[1], 400, "最大回撤为 %.1f%%，论文为 %.1f%%%s", d->actual * 100.0,
                 d->expected * 100.0, stops ? "" : "，且规格没有止损或移动止损");
        snprintf(c->todo[0], 300, "add the paper's risk rules: a stop_loss, a trailing_stop or "
                 "volatility_target sizing");
        snprintf(c->todo[1], 300, "补上论文的风控规则：止损、移动止损或按波动率定仓");
        return;
    }
    snprintf(c->evidence[0], 400, "the drawdown is %s the paper's",
             d->given ? "not far above" : "not compared with");
    snprintf(c->evidence[1], 400, "最大回撤%s论文", d->given ? "没有明显高于" : "未与之比较：");
    snprintf(c->todo[0], 300, "nothing specific");
    snprintf(c->todo[1], 300, "无特别建议");
}

/* ---- triage -------------------------------------------------------------------- */
static json_t *triage(const facts *f)
{
    json_t *t = json_object(), *findings = json_array();
    json_t *sp = json_object_get(f->result, "spec");
    json_t *rules = json_object_get(sp, "rules");
    long warm = (long)json_integer_value(json_object_get(sp, "warmup_bars"));
    long bars = (long)json_integer_value(at(f->result, "backtest", "bars"));
    char en[600], cn[600];
#define FIND(...)                                                                                  \
    do {                                                                                           \
        json_t *o = json_object();                                                                 \
        snprintf(en, sizeof en, __VA_ARGS__);                                                      \
        json_object_set_new(o, "en", json_string(en));                                             \
        json_object_set_new(o, "zh", json_string(cn));                                             \
        json_array_append_new(findings, o);                                                        \
    } while (0)
    if (!sp) {
        snprintf(cn, sizeof cn, "结果中没有规格的规则统计（请用 run --spec 运行）；按 Phase 5.5 清单排查：条件是否过严、是否用了 [0] 而不是 [-1]、数据区间是否包含信号");
        FIND("the result has no rule statistics (run it with run --spec); Phase 5.5 checklist: "
             "conditions too strict, [0] vs [-1] indexing, a data period without signals");
        json_object_set_new(t, "findings", findings);
        return t;
    }
    if (warm >= bars) {
        snprintf(cn, sizeof cn, "规则需要 %ld 根 K 线预热，但数据只有 %ld 根：规则从未运行", warm, bars);
        FIND("the rules need %ld bars of warm-up but the data has %ld: no rule ever ran", warm,
             bars);
    }
    size_t i, j;
    json_t *r, *c;
    json_array_foreach(rules, i, r) {
        const char *action = json_string_value(json_object_get(r, "action"));
        const char *trig = json_string_value(json_object_get(r, "trigger"));
        long evaluated = (long)json_integer_value(json_object_get(r, "bars_evaluated"));
        long held = (long)json_integer_value(json_object_get(r, "bars_true"));
        long orders = (long)json_integer_value(json_object_get(r, "orders"));
        long blocked = (long)json_integer_value(json_object_get(r, "blocked"));
        long zero = (long)json_integer_value(json_object_get(r, "sized_zero"));
        int entry = action && (!strcmp(action, "buy") || !strcmp(action, "short"));
        if (!entry)
            continue;
        if (held == 0 && evaluated > 0) {
            snprintf(cn, sizeof cn, "%s 规则的触发条件 `%s` 在 %ld 根 K 线中从未成立", action, trig,
                     evaluated);
            FIND("the %s rule's trigger `%s` never held in %ld bars", action, trig, evaluated);
        } else if (held > 0 && orders == 0) {
            snprintf(cn, sizeof cn, "%s 规则的触发条件成立了 %ld 次，但没有下单（%ld 次因已有持仓或订单未完成而跳过，%ld 次仓位计算为 0）",
                     action, held, blocked, zero);
            FIND("the %s rule's trigger held on %ld bars but sent no order (%ld blocked by an open "
                 "position or an order in flight, %ld sized to 0 shares)",
                 action, held, blocked, zero);
        } else if (orders > 0) {
            snprintf(cn, sizeof cn, "%s 规则下了 %ld 个订单，但没有成交：查看订单记录（--orders）中的拒单原因（现金不足 Margin，或最后一根 K 线的订单不会成交）",
                     action, orders);
            FIND("the %s rule sent %ld order(s) but none made a trade: see the order log "
                 "(--orders) for rejections (Margin: not enough cash) or an order on the last bar",
                 action, orders);
        }
        long n_never = 0, n_cond = (long)json_array_size(json_object_get(r, "conditions"));
        json_array_foreach(json_object_get(r, "conditions"), j, c) {
            long ct = (long)json_integer_value(json_object_get(c, "bars_true"));
            const char *cond = json_string_value(json_object_get(c, "condition"));
            json_t *cl = json_object_get(c, "closest");
            if (ct > 0 || !cond)
                continue;
            n_never++;
            if (cl) {
                const char *lt = json_string_value(json_object_get(cl, "left_text"));
                const char *rt = json_string_value(json_object_get(cl, "right_text"));
                const char *when = json_string_value(json_object_get(cl, "time"));
                double gap = num(json_object_get(cl, "gap")), l = num(json_object_get(cl, "left")),
                       rv = num(json_object_get(cl, "right"));
                snprintf(cn, sizeof cn, "条件 `%s` 从未成立；最接近的一次在 %s：%s = %.6g，%s = %.6g（差 %.4g）",
                         cond, when ? when : "?", lt && *lt ? lt : "左边", l,
                         rt && *rt ? rt : "右边", rv, gap);
                FIND("condition `%s` never held; closest on %s: %s = %.6g, %s = %.6g (off by %.4g)",
                     cond, when ? when : "?", lt && *lt ? lt : "left", l, rt && *rt ? rt : "right",
                     rv, gap);
            } else {
                snprintf(cn, sizeof cn, "条件 `%s` 从未成立", cond);
                FIND("condition `%s` never held", cond);
            }
        }
        if (held == 0 && n_never == 0 && n_cond > 1) {
            snprintf(cn, sizeof cn, "`%s` 中的每个条件都单独成立过，但从未在同一根 K 线上同时成立",
                     trig);
            FIND("each condition of `%s` held on some bars, but never all on the same bar", trig);
        }
    }
    if (json_array_size(findings) == 0) {
        snprintf(cn, sizeof cn, "入场规则运行正常；检查数据区间是否包含信号");
        FIND("the entry rules ran without an obvious cause; check that the data period contains "
             "the signals");
    }
#undef FIND
    json_object_set_new(t, "warmup_bars", json_integer(warm));
    json_object_set_new(t, "bars", json_integer(bars));
    json_object_set_new(t, "findings", findings);
    return t;
}

/* ---- the table --------------------------------------------------------------------- */
static void cell_pct(char *out, size_t n, double x)
{
    if (isfinite(x))
        snprintf(out, n, "%.2f%%", x * 100.0);
    else
        snprintf(out, n, "-");
}

static void table_text(buf *b, json_t *rep, const char *lang)
{
    json_t *a = json_object_get(rep, "actual"), *e = json_object_get(rep, "expected");
    json_t *devs = json_object_get(rep, "deviations");
    char cash[64], fin[64];
    const char *dash = "—";
    put(b, "%s: %s\n", W(W_STRATEGY, lang), json_string_value(json_object_get(rep, "strategy")));
    put(b, "%s: %s (%s → %s)\n", W(W_DATA, lang),
        json_string_value(at(rep, "data", "symbol")) ? json_string_value(at(rep, "data", "symbol"))
                                                     : "-",
        json_string_value(at(rep, "data", "from")), json_string_value(at(rep, "data", "to")));
    put(b, "%s: %s\n\n", W(W_CASH, lang),
        money(num(json_object_get(rep, "initial_cash")), cash, sizeof cash));
    put(b, "| %s | %s | %s | %s |\n|------|---------|---------|------|\n", W(W_METRIC, lang),
        W(W_BACKTEST, lang), W(W_PAPER, lang), W(W_DEVIATION, lang));
    static const struct {
        word label;
        const char *key;
        int kind; /* 0 percent, 1 ratio, 2 count */
    } rows[] = {{W_TOTAL_RETURN, "total_return", 0}, {W_ANNUAL_RETURN, "annual_return", 0},
                {W_SHARPE, "sharpe", 1},             {W_MAX_DD, "max_drawdown", 0},
                {W_TRADES, "num_trades", 2},         {W_WIN_RATE, "win_rate", 0},
                {W_SQN, "sqn", 1}};
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        char av[48], ev[48], dv[48];
        double x = num(json_object_get(a, rows[k].key)), y = num(json_object_get(e, rows[k].key));
        if (rows[k].kind == 0)
            cell_pct(av, sizeof av, x);
        else if (rows[k].kind == 1)
            snprintf(av, sizeof av, isfinite(x) ? "%.4f" : "-", x);
        else
            snprintf(av, sizeof av, "%.0f", x);
        snprintf(ev, sizeof ev, "%s", dash);
        snprintf(dv, sizeof dv, "%s", dash);
        if (isfinite(y)) {
            if (rows[k].kind == 0)
                cell_pct(ev, sizeof ev, y);
            else
                snprintf(ev, sizeof ev, "%.4g", y);
        }
        size_t i;
        json_t *d;
        json_array_foreach(devs, i, d) {
            if (strcmp(json_string_value(json_object_get(d, "metric")), rows[k].key))
                continue;
            double dev = num(json_object_get(d, "deviation"));
            const char *kind = json_string_value(json_object_get(d, "kind"));
            const char *mark = json_is_true(json_object_get(d, "within")) ? "" : " ✗";
            if (!isfinite(dev))
                snprintf(dv, sizeof dv, "-%s", mark);
            else if (kind && !strcmp(kind, "absolute"))
                snprintf(dv, sizeof dv, "%+.2fpp%s", dev * 100.0, mark);
            else
                snprintf(dv, sizeof dv, "%+.1f%%%s", dev * 100.0, mark);
        }
        put(b, "| %s | %s | %s | %s |\n", W(rows[k].label, lang), av, ev, dv);
    }
    put(b, "\n%s: %s\n", W(W_FINAL, lang), money(num(json_object_get(a, "final_value")), fin,
                                                  sizeof fin));
}

char *slab_diagnosis_text(json_t *rep, const char *lang)
{
    buf b = {0};
    const char *st = json_string_value(json_object_get(rep, "status"));
    word sw = st && !strcmp(st, "match") ? W_MATCH : st && !strcmp(st, "partial_match") ? W_PARTIAL
                                                                                      : W_MISMATCH;
    table_text(&b, rep, lang);
    put(&b, "\n%s: %s — %s\n", W(W_ASSESSMENT, lang), W(sw, lang),
        json_string_value(at(rep, "reason", zh(lang) ? "zh" : "en")));
    json_t *th = json_object_get(rep, "thresholds");
    put(&b, W(W_THRESHOLDS, lang), "±", num(json_object_get(th, "sharpe")) * 100.0, "±",
        num(json_object_get(th, "annual_return")) * 100.0, "±",
        num(json_object_get(th, "max_drawdown")) * 100.0);
    put(&b, "\n");
    json_t *tr = json_object_get(rep, "triage");
    size_t i;
    json_t *x;
    if (tr) {
        put(&b, "\n%s:\n", W(W_TRIAGE, lang));
        json_array_foreach(json_object_get(tr, "findings"), i, x)
            put(&b, "  - %s\n", json_string_value(json_object_get(x, zh(lang) ? "zh" : "en")));
    }
    if (json_array_size(json_object_get(rep, "likely_causes")))
        put(&b, "\n%s:\n", W(W_CAUSES, lang));
    json_array_foreach(json_object_get(rep, "likely_causes"), i, x) {
        json_t *lab = json_object_get(x, "label"), *ev = json_object_get(x, "evidence");
        json_t *todo = json_object_get(x, "try");
        const char *k = zh(lang) ? "zh" : "en";
        put(&b, "  %zu. %s (%.2f): %s\n     %s: %s\n", i + 1,
            json_string_value(json_object_get(lab, k)), num(json_object_get(x, "score")),
            json_string_value(json_object_get(ev, k)), W(W_TRY, lang),
            json_string_value(json_object_get(todo, k)));
    }
    if (b.oom) {
        slab_free(b.s);
        return NULL;
    }
    return b.s;
}

static json_t *bilingual(const char *en, const char *cn)
{
    json_t *o = json_object();
    json_object_set_new(o, "en", json_string(en));
    json_object_set_new(o, "zh", json_string(cn));
    return o;
}

json_t *slab_diagnose_json(json_t *result, const slab_spec *spec, const slab_diag_options *opt,
                           slab_error *err)
{
    json_t *m = json_object_get(result, "metrics"), *bt = json_object_get(result, "backtest");
    const slab_spec_expected *x = spec ? slab_spec_expected_get(spec) : NULL;
    facts f;
    memset(&f, 0, sizeof f);
    if (!json_is_object(m) || !json_is_object(bt))
        return slab_error_set(err, SLAB_EPARSE, "/metrics",
                              "not a result document: it needs \"backtest\" and \"metrics\" "
                              "(write one with stratlab run ... --json)"),
               NULL;
    f.spec = spec;
    f.result = result;
    f.trades = (long)json_integer_value(json_object_get(m, "num_trades"));
    long open = (long)json_integer_value(json_object_get(m, "open_trades"));
    f.zero = f.trades == 0 && open == 0;
    f.symbol = json_string_value(json_array_get(json_object_get(bt, "symbols"), 0));
    f.from = json_string_value(json_object_get(bt, "from"));
    f.to = json_string_value(json_object_get(bt, "to"));
    if (!f.from || !f.to)
        return slab_error_set(err, SLAB_EPARSE, "/backtest",
                              "the result document has no backtest.from/to"),
               NULL;
    int64_t d0 = day_of(f.from), d1 = day_of(f.to);
    f.years = d0 != INT64_MIN && d1 != INT64_MIN ? (double)(d1 - d0) / 365.25 : NAN;
    f.cash = num(at(bt, "config", "cash"));
    f.commission = num(at(bt, "config", "commission"));
    json_t *ta = at(result, "analyzers", "tradeanalyzer");
    f.gross = num(at(json_object_get(ta, "pnl"), "gross", "total"));
    f.net = num(at(json_object_get(ta, "pnl"), "net", "total"));
    if (!isfinite(f.gross) || !isfinite(f.net))
        f.gross = f.net = 0.0;
    f.sharpe_daily = num(json_object_get(m, "sharpe_ratio_daily_annualized"));
    double sharpe_yearly = num(json_object_get(m, "sharpe_ratio"));
    double actual[SLAB_DX_N] = {
        opt->sharpe_daily ? f.sharpe_daily : sharpe_yearly,
        num(json_object_get(m, "normalized_annual_return")) / 100.0,
        num(json_object_get(m, "max_drawdown_pct")) / 100.0,
        num(json_object_get(m, "total_return")) / 100.0};
    const char *sharpe_used = opt->sharpe_daily ? "daily" : "yearly";
    if (!opt->sharpe_daily && !isfinite(sharpe_yearly) && isfinite(f.sharpe_daily)) {
        actual[SLAB_DX_SHARPE] = f.sharpe_daily; /* the yearly one needs two years */
        sharpe_used = "daily (the yearly Sharpe is undefined: fewer than two years of returns)";
    }
    const int *has = x ? &x->has_sharpe : NULL;
    const double *expect = x ? &x->sharpe : NULL;
    int given = 0, within = 0;
    for (int k = 0; k < SLAB_DX_N; k++) {
        dx *d = &f.d[k];
        d->given = x && has[k];
        d->expected = d->given ? expect[k] : NAN;
        d->actual = actual[k];
        d->tol = opt->tol_given[k] ? opt->tol[k]
                 : x && x->has_thresholds[k] ? x->thresholds[k]
                                             : opt->tol[k];
        if (!d->given)
            continue;
        deviation(d, k);
        given++;
        within += d->within;
    }
    const char *status;
    char reason_en[300], reason_zh[300];
    if (f.zero) {
        status = "mismatch";
        snprintf(reason_en, sizeof reason_en, "%s", W(W_ZERO_TRADES, "en"));
        snprintf(reason_zh, sizeof reason_zh, "%s", W(W_ZERO_TRADES, "zh"));
    } else if (given == 0) {
        status = "match";
        snprintf(reason_en, sizeof reason_en, "%s", W(W_NO_EXPECTED, "en"));
        snprintf(reason_zh, sizeof reason_zh, "%s", W(W_NO_EXPECTED, "zh"));
    } else if (within == given) {
        status = "match";
        snprintf(reason_en, sizeof reason_en, "%s", W(W_ALL_WITHIN, "en"));
        snprintf(reason_zh, sizeof reason_zh, "%s", W(W_ALL_WITHIN, "zh"));
    } else if (within == 0) {
        status = "mismatch";
        snprintf(reason_en, sizeof reason_en, "%s", W(W_NONE_WITHIN, "en"));
        snprintf(reason_zh, sizeof reason_zh, "%s", W(W_NONE_WITHIN, "zh"));
    } else {
        status = "partial_match";
        snprintf(reason_en, sizeof reason_en, W(W_SOME_WITHIN, "en"), within, given);
        snprintf(reason_zh, sizeof reason_zh, W(W_SOME_WITHIN, "zh"), within, given);
    }
    json_t *rep = json_object();
    json_object_set_new(rep, "status", json_string(status));
    json_object_set_new(rep, "match_status", json_string(status));
    word sw = !strcmp(status, "match") ? W_MATCH : !strcmp(status, "partial_match") ? W_PARTIAL
                                                                                    : W_MISMATCH;
    json_object_set_new(rep, "status_text", json_string(W(sw, opt->lang)));
    json_object_set_new(rep, "lang", json_string(zh(opt->lang) ? "zh" : "en"));
    json_object_set_new(rep, "reason", bilingual(reason_en, reason_zh));
    json_object_set_new(rep, "strategy", json_string(spec ? slab_spec_name(spec)
                                                          : json_string_value(json_object_get(bt, "strategy"))));
    json_t *data = json_object();
    json_object_set_new(data, "symbol", f.symbol ? json_string(f.symbol) : json_null());
    json_object_set_new(data, "from", json_string(f.from));
    json_object_set_new(data, "to", json_string(f.to));
    json_object_set_new(rep, "data", data);
    json_object_set_new(rep, "initial_cash", json_real(f.cash));
    json_t *th = json_object(), *ex = json_object(), *ac = json_object(), *devs = json_array();
    for (int k = 0; k < SLAB_DX_N; k++) {
        json_object_set_new(th, metric_keys[k], json_real(f.d[k].tol));
        if (f.d[k].given)
            json_object_set_new(ex, metric_keys[k], json_real(f.d[k].expected));
        json_object_set_new(ac, metric_keys[k],
                            isfinite(actual[k]) ? json_real(actual[k]) : json_null());
        if (!f.d[k].given)
            continue;
        json_t *d = json_object();
        json_object_set_new(d, "metric", json_string(metric_keys[k]));
        json_object_set_new(d, "expected", json_real(f.d[k].expected));
        json_object_set_new(d, "actual", isfinite(f.d[k].actual) ? json_real(f.d[k].actual)
                                                                  : json_null());
        json_object_set_new(d, "deviation", isfinite(f.d[k].deviation)
                                                ? json_real(f.d[k].deviation)
                                                : json_null());
        json_object_set_new(d, "kind", json_string(f.d[k].relative && f.d[k].expected != 0.0
                                                       ? "relative"
                                                       : "absolute"));
        json_object_set_new(d, "threshold", json_real(f.d[k].tol));
        json_object_set_new(d, "within", json_boolean(f.d[k].within));
        json_array_append_new(devs, d);
    }
    json_object_set_new(ac, "num_trades", json_integer(f.trades));
    json_object_set_new(ac, "win_rate", isfinite(num(json_object_get(m, "win_rate")))
                                            ? json_real(num(json_object_get(m, "win_rate")) / 100.0)
                                            : json_null());
    json_t *sqn = json_object_get(m, "sqn");
    json_object_set_new(ac, "sqn", json_is_number(sqn) ? json_real(num(sqn)) : json_null());
    json_object_set_new(ac, "final_value", json_real(num(json_object_get(m, "final_value"))));
    json_object_set_new(rep, "thresholds", th);
    json_object_set_new(rep, "expected", ex);
    json_object_set_new(rep, "actual", ac);
    json_object_set_new(rep, "deviations", devs);
    json_t *conv = json_object();
    json_object_set_new(conv, "sharpe", json_string(sharpe_used));
    json_object_set_new(conv, "annual_return",
                        json_string("backtrader Returns.rnorm: expm1(mean log return per period "
                                    "x periods per year)"));
    json_object_set_new(conv, "max_drawdown", json_string("largest fall from a running peak of the "
                                                          "value, a fraction"));
    json_object_set_new(conv, "deviation", json_string("relative (actual - expected)/|expected| "
                                                       "for Sharpe and returns; absolute fraction "
                                                       "(actual - expected) for max drawdown"));
    json_object_set_new(rep, "conventions", conv);
    json_object_set_new(rep, "zero_trades", json_boolean(f.zero));
    if (f.zero)
        json_object_set_new(rep, "triage", triage(&f));
    /* Likely causes, ranked. */
    cause cs[7];
    memset(cs, 0, sizeof cs);
    void (*make[7])(const facts *, cause *) = {cause_period, cause_data, cause_costs,
                                               cause_survivorship, cause_signal, cause_convention,
                                               cause_risk};
    for (int k = 0; k < 7; k++)
        make[k](&f, &cs[k]);
    qsort(cs, 7, sizeof cs[0], by_score);
    json_t *causes = json_array(), *recs = json_array();
    int deviating = f.zero || given > within;
    for (int k = 0; k < 7; k++) {
        if (!deviating && cs[k].score < 0.5)
            continue;
        json_t *o = json_object();
        json_object_set_new(o, "cause", json_string(cs[k].key));
        json_object_set_new(o, "label", bilingual(W(cs[k].name, "en"), W(cs[k].name, "zh")));
        json_object_set_new(o, "score", json_real(cs[k].score));
        json_object_set_new(o, "evidence", bilingual(cs[k].evidence[0], cs[k].evidence[1]));
        json_object_set_new(o, "try", bilingual(cs[k].todo[0], cs[k].todo[1]));
        json_array_append_new(causes, o);
        json_array_append_new(recs, json_string(cs[k].todo[zh(opt->lang)]));
    }
    json_object_set_new(rep, "likely_causes", causes);
    json_object_set_new(rep, "recommendations", recs);
    /* The Phase 6 table, as rows and as text in both languages. */
    json_t *table = json_object(), *rows = json_array();
    static const char *const row_keys[] = {"total_return", "annual_return", "sharpe",
                                           "max_drawdown", "num_trades", "win_rate", "sqn"};
    for (size_t k = 0; k < sizeof row_keys / sizeof row_keys[0]; k++) {
        json_t *r = json_object();
        json_object_set_new(r, "metric", json_string(row_keys[k]));
        json_object_set_new(r, "actual", json_deep_copy(json_object_get(ac, row_keys[k])));
        json_t *e = json_object_get(ex, row_keys[k]);
        json_object_set_new(r, "expected", e ? json_deep_copy(e) : json_null());
        json_t *dv = json_null();
        size_t i;
        json_t *d;
        json_array_foreach(devs, i, d) if (!strcmp(json_string_value(json_object_get(d, "metric")),
                                                   row_keys[k]))
            dv = json_deep_copy(json_object_get(d, "deviation"));
        json_object_set_new(r, "deviation", dv);
        json_array_append_new(rows, r);
    }
    json_object_set_new(table, "rows", rows);
    json_object_set_new(rep, "table", table);
    buf en = {0}, cn = {0};
    table_text(&en, rep, "en");
    table_text(&cn, rep, "zh");
    json_t *tt = json_object();
    json_object_set_new(tt, "en", json_string(en.s ? en.s : ""));
    json_object_set_new(tt, "zh", json_string(cn.s ? cn.s : ""));
    slab_free(en.s);
    slab_free(cn.s);
    json_object_set_new(table, "text", tt);
    return rep;
}

json_t *slab_diagnosis_from_json(json_t *doc, slab_error *err)
{
    static const char *const keys[] = {
        "status",   "match_status", "status_text",   "lang",          "reason",
        "strategy", "data",         "initial_cash",  "thresholds",    "expected",
        "actual",   "deviations",   "conventions",   "zero_trades",   "triage",
        "likely_causes", "recommendations", "table"};
    static const char *const required[] = {"status", "expected", "actual", "deviations",
                                           "likely_causes"};
    if (!json_is_object(doc))
        return slab_error_set(err, SLAB_EPARSE, "", "a DiagnosisReport is a JSON object"), NULL;
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (!json_object_get(doc, required[k]))
            return slab_error_set(err, SLAB_EPARSE, required[k],
                                  "a DiagnosisReport needs \"%s\"", required[k]),
                   NULL;
    const char *st = json_string_value(json_object_get(doc, "status"));
    if (!st || (strcmp(st, "match") && strcmp(st, "partial_match") && strcmp(st, "mismatch")))
        return slab_error_set(err, SLAB_EPARSE, "/status",
                              "status must be match, partial_match or mismatch"),
               NULL;
    if (!json_is_array(json_object_get(doc, "deviations")))
        return slab_error_set(err, SLAB_EPARSE, "/deviations", "deviations must be an array"),
               NULL;
    json_t *out = json_object();
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        json_t *v = json_object_get(doc, keys[k]);
        if (v)
            json_object_set_new(out, keys[k], json_deep_copy(v));
    }
    return out;
}
