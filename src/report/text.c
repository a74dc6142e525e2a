/* text.c: the one table of human-facing strings (English, Chinese) and the
 * number formatting for people. Add a sentence by adding a row here; the
 * tests check that every row has both languages with the same printf
 * conversions. Keys group by user: stats.* (the statistics block, same
 * names as its JSON keys), report.*, chart.*, compare.*, summary.*,
 * diag.* (diagnosis), unit.*, num.*. */
#include "stratlab/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Rows in any order; lookups scan (a few hundred rows, a few calls per
 * document). Chinese follows seed 001's Phase 6 table where it has the
 * word (总收益率, 年化收益, 夏普比率, 最大回撤, 总交易数, 胜率, 最终资产, 初始资金, 匹配). */
static const slab_text_row rows[] = {
    /* ---- sweeps (stratlab sweep, sweep merge, walkforward) */
    {"sweep.progress", {"sweep: %s of %s combinations (%s%%), %s a second, %s left",
                        "参数扫描:%s / %s 个组合(%s%%),每秒 %s 个,剩余 %s"}},
    {"sweep.done", {"sweep: %s combinations in %s s (%s a second)",
                    "参数扫描:%s 个组合,用时 %s 秒(每秒 %s 个)"}},
    {"sweep.failed",
     {"sweep: %s of %s combinations could not run; the first: %s",
      "参数扫描:%s / %s 个组合无法运行;第一个:%s"}},
    {"sweep.failed_fix",
     {"(their lines carry \"error\"; a --where constraint such as 'fast < slow' leaves "
      "such combinations out)",
      "(这些行带有 \"error\";用 --where 约束,例如 'fast < slow',可排除这类组合)"}},
    {"sweep.ranked", {"ranked by %s (%s is better): %s trials, %s with a value",
                      "按 %s 排名(%s 为优):%s 次试验,%s 次有值"}},
    {"sweep.higher", {"higher", "越高"}},
    {"sweep.lower", {"lower", "越低"}},
    {"sweep.rank", {"rank", "名次"}},
    {"sweep.overfitting", {"How much of the best is selection", "最优结果中有多少来自挑选"}},
    {"sweep.dsr",
     {"deflated Sharpe ratio %s: the chance that the best trial's true Sharpe beats the best of "
      "%s trials without skill (its Sharpe %s a year; that bar %s a year)",
      "收缩夏普比率 %s:最优试验的真实夏普比率高于 %s 次无技能试验中最优者的概率(其夏普比率年化 "
      "%s;该门槛年化 %s)"}},
    {"sweep.pbo",
     {"probability of backtest overfitting %s: in %s of %s splits of the data (CSCV, %s "
      "blocks) the in-sample best fell to the lower half out of sample",
      "回测过拟合概率 %s:在 %s / %s 次数据划分(CSCV,%s 块)中,样本内最优者在样本外落入下半部分"}},
    {"sweep.stability",
     {"stability: the %s neighbours of the best average %s of its %s (lowest %s)",
      "稳定性:最优点的 %s 个相邻组合的 %s 平均为其 %s(最低 %s)"}},
    {"sweep.not_computed", {"%s: not computed (%s)", "%s:未计算(%s)"}},
    {"sweep.report_title", {"Parameter sweep: %s", "参数扫描:%s"}},
    {"sweep.heatmap", {"%s by %s and %s", "%s 随 %s 与 %s 的变化"}},
    {"sweep.heatmap_fixed", {"other parameters at the best point: %s", "其余参数取最优点的值:%s"}},
    {"sweep.profile", {"%s along %s (the others at the best point)",
                       "%s 沿 %s 的变化(其余参数取最优点的值)"}},
    {"sweep.top", {"Best combinations", "最优组合"}},
    {"sweep.best_cell", {"the best point", "最优点"}},
    {"sweep.no_value", {"no value", "无值"}},
    {"wf.title", {"Walk-forward: %s windows, train %s, test %s (%s)",
                  "滚动前推:%s 个窗口,训练 %s,测试 %s(%s)"}},
    {"wf.window", {"window", "窗口"}},
    {"wf.train", {"train", "训练"}},
    {"wf.test", {"test", "测试"}},
    {"wf.params", {"chosen", "选中参数"}},
    {"wf.in_sample", {"in sample", "样本内"}},
    {"wf.out_of_sample", {"out of sample", "样本外"}},
    {"wf.return", {"return", "收益"}},
    {"wf.stitched", {"stitched out-of-sample result", "拼接后的样本外结果"}},
    /* ---- numbers and units */
    {"num.none", {"n/a", "无"}},
    {"unit.day", {"%s day", "%s 天"}},
    {"unit.days", {"%s days", "%s 天"}},
    {"unit.bar", {"%s bar", "%s 根K线"}},
    {"unit.bars", {"%s bars", "%s 根K线"}},

    /* ---- the statistics block: labels, keyed as the JSON keys */
    {"stats.start", {"Start", "开始"}},
    {"stats.end", {"End", "结束"}},
    {"stats.duration_days", {"Duration", "时长"}},
    {"stats.bars", {"Bars", "K线数"}},
    {"stats.exposure_time_pct", {"Exposure time", "持仓时间占比"}},
    {"stats.equity_final", {"Equity final", "最终资产"}},
    {"stats.equity_peak", {"Equity peak", "资产峰值"}},
    {"stats.return_pct", {"Return", "总收益率"}},
    {"stats.buy_and_hold_return_pct", {"Buy & hold return", "买入持有收益率"}},
    {"stats.annual_return_pct", {"Annual return", "年化收益"}},
    {"stats.cagr_pct", {"CAGR", "复合年增长率"}},
    {"stats.annual_volatility_pct", {"Annual volatility", "年化波动率"}},
    {"stats.sharpe_ratio", {"Sharpe ratio", "夏普比率"}},
    {"stats.sortino_ratio", {"Sortino ratio", "索提诺比率"}},
    {"stats.calmar_ratio", {"Calmar ratio", "卡玛比率"}},
    {"stats.max_drawdown_pct", {"Max drawdown", "最大回撤"}},
    {"stats.avg_drawdown_pct", {"Average drawdown", "平均回撤"}},
    {"stats.max_drawdown_duration", {"Max drawdown duration", "最长回撤时长"}},
    {"stats.avg_drawdown_duration", {"Average drawdown duration", "平均回撤时长"}},
    {"stats.num_trades", {"Trades", "总交易数"}},
    {"stats.win_rate_pct", {"Win rate", "胜率"}},
    {"stats.best_trade_pct", {"Best trade", "最佳交易"}},
    {"stats.worst_trade_pct", {"Worst trade", "最差交易"}},
    {"stats.avg_trade_pct", {"Average trade", "平均交易"}},
    {"stats.max_trade_duration", {"Max trade duration", "最长持仓时长"}},
    {"stats.avg_trade_duration", {"Average trade duration", "平均持仓时长"}},
    {"stats.profit_factor", {"Profit factor", "盈亏比"}},
    {"stats.expectancy", {"Expectancy", "期望收益"}},
    {"stats.expectancy_pct", {"Expectancy (per trade)", "单笔期望收益率"}},
    {"stats.sqn", {"SQN", "SQN"}},
    {"stats.kelly_fraction", {"Kelly fraction", "凯利比例"}},
    {"stats.commissions", {"Commissions", "手续费"}},
    {"stats.open_trades", {"Open trades", "未平仓交易"}},
    {"stats.initial_cash", {"Initial cash", "初始资金"}},

    /* ---- the HTML report */
    {"report.title", {"Backtest report: %s", "回测报告:%s"}},
    {"report.strategy", {"Strategy", "策略"}},
    {"report.data", {"Data", "数据"}},
    {"report.period", {"Period", "区间"}},
    {"report.timeframe", {"Timeframe", "周期"}},
    {"report.config", {"Configuration", "配置"}},
    {"report.run_id", {"Run id", "运行编号"}},
    {"report.data_sha256", {"Data SHA-256", "数据 SHA-256"}},
    {"report.engine", {"Engine", "引擎"}},
    {"report.summary", {"Summary", "摘要"}},
    {"report.statistics", {"Statistics", "统计指标"}},
    {"report.metric", {"Metric", "指标"}},
    {"report.value", {"Value", "数值"}},
    {"report.convention", {"Convention", "口径"}},
    {"report.trades", {"Trades", "交易"}},
    {"report.orders", {"Order log", "委托记录"}},
    {"report.show_orders", {"Show the order log (%s orders)", "显示委托记录(%s 笔)"}},
    {"report.no_orders",
     {"The order log is not in this document (run with --orders).",
      "本文档不含委托记录(运行时加 --orders)。"}},
    {"report.trades_capped",
     {"Showing %1$s of %2$s trades (the document was written with a cap; run with --trades all).",
      "显示 %2$s 笔交易中的 %1$s 笔(文档有上限;运行时加 --trades all)。"}},
    {"report.no_series",
     {"This document has no per-bar series: the price, equity, drawdown and rolling Sharpe "
      "charts need it (run with --series, or use run --report).",
      "本文档不含逐K线序列:价格、资产、回撤和滚动夏普图需要它(运行时加 --series,或使用 "
      "run --report)。"}},
    {"report.generated", {"Generated by stratlab %s", "由 stratlab %s 生成"}},
    {"report.synthetic", {"Synthetic data", "合成数据"}},
    {"report.reduced",
     {"%1$s bars drawn as %2$s columns (minimum and maximum of each column kept).",
      "%1$s 根K线绘制为 %2$s 列(保留每列的最小值和最大值)。"}},
    {"report.symbols", {"Symbols", "标的"}},

    /* ---- trade table columns */
    {"trade.symbol", {"Symbol", "标的"}},
    {"trade.side", {"Side", "方向"}},
    {"trade.long", {"long", "多"}},
    {"trade.short", {"short", "空"}},
    {"trade.entry_time", {"Entry time", "开仓时间"}},
    {"trade.entry_price", {"Entry price", "开仓价"}},
    {"trade.exit_time", {"Exit time", "平仓时间"}},
    {"trade.exit_price", {"Exit price", "平仓价"}},
    {"trade.size", {"Size", "数量"}},
    {"trade.pnl", {"P&L", "盈亏"}},
    {"trade.pnl_percent", {"P&L %%", "盈亏 %%"}},
    {"trade.exit_reason", {"Exit reason", "平仓原因"}},
    {"trade.bars", {"Bars held", "持仓K线数"}},
    {"trade.mfe", {"MFE", "最大有利波动"}},
    {"trade.mae", {"MAE", "最大不利波动"}},
    {"trade.open", {"open", "未平仓"}},
    {"exit.signal", {"signal", "信号"}},
    {"exit.stop_loss", {"stop loss", "止损"}},
    {"exit.take_profit", {"take profit", "止盈"}},
    {"exit.trailing_stop", {"trailing stop", "移动止损"}},
    {"exit.time_exit", {"time exit", "定时平仓"}},
    {"exit.session_close", {"session close", "收盘平仓"}},
    {"exit.margin", {"margin call", "强制平仓"}},
    {"exit.end_of_data", {"end of data", "数据结束"}},

    /* ---- order log columns */
    {"order.ref", {"Ref", "编号"}},
    {"order.side", {"Side", "方向"}},
    {"order.buy", {"buy", "买"}},
    {"order.sell", {"sell", "卖"}},
    {"order.type", {"Type", "类型"}},
    {"order.status", {"Status", "状态"}},
    {"order.created", {"Created", "创建时间"}},
    {"order.executed", {"Executed", "成交时间"}},
    {"order.price", {"Price", "成交价"}},
    {"order.size", {"Size", "数量"}},
    {"order.commission", {"Commission", "手续费"}},
    {"order.reason", {"Reason", "原因"}},

    /* ---- charts */
    {"chart.price", {"Price with entries and exits", "价格与买卖点"}},
    {"chart.equity", {"Equity and buy & hold", "资产曲线与买入持有"}},
    {"chart.drawdown", {"Drawdown (underwater)", "回撤(水下曲线)"}},
    {"chart.returns", {"Monthly and yearly returns", "月度与年度收益"}},
    {"chart.trades", {"Trade P&L and excursions", "交易盈亏与最大波动"}},
    {"chart.rolling_sharpe", {"Rolling Sharpe (%s periods)", "滚动夏普(%s 期)"}},
    {"chart.close", {"Close", "收盘价"}},
    {"chart.entry", {"Entry", "开仓"}},
    {"chart.exit", {"Exit", "平仓"}},
    {"chart.strategy", {"Strategy", "策略"}},
    {"chart.buy_and_hold", {"Buy & hold", "买入持有"}},
    {"chart.worst_drawdown", {"Worst drawdown %s", "最大回撤 %s"}},
    {"chart.year", {"Year", "年份"}},
    {"chart.month_1", {"Jan", "1月"}},
    {"chart.month_2", {"Feb", "2月"}},
    {"chart.month_3", {"Mar", "3月"}},
    {"chart.month_4", {"Apr", "4月"}},
    {"chart.month_5", {"May", "5月"}},
    {"chart.month_6", {"Jun", "6月"}},
    {"chart.month_7", {"Jul", "7月"}},
    {"chart.month_8", {"Aug", "8月"}},
    {"chart.month_9", {"Sep", "9月"}},
    {"chart.month_10", {"Oct", "10月"}},
    {"chart.month_11", {"Nov", "11月"}},
    {"chart.month_12", {"Dec", "12月"}},
    {"chart.year_total", {"Year", "全年"}},
    {"chart.trade_pnl", {"P&L %% by trade", "每笔交易盈亏 %%"}},
    {"chart.mfe_mae", {"MFE / MAE %% against P&L %%", "最大有利/不利波动 %% 与盈亏 %%"}},
    {"chart.trade_number", {"Trade", "交易序号"}},
    {"chart.no_trades", {"No closed trades", "没有已平仓交易"}},
    {"chart.no_data", {"Not enough data", "数据不足"}},

    /* ---- compare */
    {"compare.title", {"Runs compared", "回测对比"}},
    {"compare.run", {"Run %s", "运行 %s"}},
    {"compare.best", {"best", "最佳"}},
    {"compare.config_diff", {"Configuration differences", "配置差异"}},
    {"compare.no_config_diff",
     {"The runs share every configuration item.", "各次运行的配置完全相同。"}},
    {"compare.setting", {"Setting", "设置项"}},
    {"compare.equity", {"Equity curves", "资产曲线"}},
    {"compare.equity_missing",
     {"Run %s has no per-bar series; its curve is not drawn (run with --series).",
      "运行 %s 不含逐K线序列,未绘制其曲线(运行时加 --series)。"}},

    /* ---- diagnosis (seed 001 Phase 5/6), for the specs work */
    {"diag.match", {"match", "匹配"}},
    {"diag.partial_match", {"partial match", "部分匹配"}},
    {"diag.mismatch", {"mismatch", "不匹配"}},
    {"diag.backtest", {"Backtest", "回测结果"}},
    {"diag.expected", {"Paper", "论文预期"}},
    {"diag.deviation", {"Deviation", "偏差"}},
};

static const slab_text_row *find(const char *key)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (!strcmp(rows[i].key, key))
            return &rows[i];
    return NULL;
}

const slab_text_row *slab_text_table(size_t *n)
{
    *n = sizeof rows / sizeof rows[0];
    return rows;
}

int slab_text_has(const char *key) { return key && find(key) != NULL; }

const char *slab_text(slab_lang lang, const char *key)
{
    const slab_text_row *r = key ? find(key) : NULL;
    if (!r)
        return key ? key : "";
    if ((unsigned)lang >= SLAB_LANG_COUNT || !r->text[lang])
        lang = SLAB_LANG_EN;
    return r->text[lang];
}

char *slab_textf(slab_lang lang, const char *key, char *buf, size_t n, ...)
{
    va_list ap;
    va_start(ap, n);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    vsnprintf(buf, n, slab_text(lang, key), ap);
#pragma GCC diagnostic pop
    va_end(ap);
    return buf;
}

slab_status slab_lang_parse(const char *s, slab_lang *out, slab_error *err)
{
    static const struct {
        const char *name;
        slab_lang lang;
    } names[] = {{"en", SLAB_LANG_EN},    {"english", SLAB_LANG_EN}, {"en-us", SLAB_LANG_EN},
                 {"en_us", SLAB_LANG_EN}, {"zh", SLAB_LANG_ZH},      {"zh-cn", SLAB_LANG_ZH},
                 {"zh_cn", SLAB_LANG_ZH}, {"zh-hans", SLAB_LANG_ZH}, {"cn", SLAB_LANG_ZH},
                 {"chinese", SLAB_LANG_ZH}};
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(s, names[i].name)) {
            *out = names[i].lang;
            return SLAB_OK;
        }
    return slab_error_set(err, SLAB_EINVAL, "--lang",
                          "unknown language '%s'; use en (English) or zh (Chinese)",
                          s ? s : "");
}

const char *slab_lang_code(slab_lang lang) { return lang == SLAB_LANG_ZH ? "zh" : "en"; }

/* ---- numbers ---------------------------------------------------------- */

/* Per language: the group and decimal separators. Both languages group
 * by thousands with ',' (seed 001 prints {:,} in its Chinese table). */
static const struct {
    const char *group, *point;
} seps[SLAB_LANG_COUNT] = {{",", "."}, {",", "."}};

char *slab_fmt_number(slab_lang lang, double x, int decimals, char *buf, size_t n)
{
    char raw[400];
    if (!isfinite(x)) {
        snprintf(buf, n, "%s", slab_text(lang, "num.none"));
        return buf;
    }
    if ((unsigned)lang >= SLAB_LANG_COUNT)
        lang = SLAB_LANG_EN;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 12)
        decimals = 12;
    int len = snprintf(raw, sizeof raw, "%.*f", decimals, x);
    if (len < 0 || (size_t)len >= sizeof raw) {
        snprintf(buf, n, "%.*g", 17, x);
        return buf;
    }
    /* Negative zero after rounding prints as 0. */
    const char *digits = raw;
    int neg = raw[0] == '-';
    if (neg)
        digits++;
    int all_zero = 1;
    for (const char *p = digits; *p; p++)
        if (*p >= '1' && *p <= '9')
            all_zero = 0;
    const char *dot = strchr(digits, '.');
    size_t int_len = dot ? (size_t)(dot - digits) : strlen(digits);
    size_t o = 0;
#define PUT(s)                                                                                     \
    do {                                                                                           \
        for (const char *q_ = (s); *q_ && o + 1 < n; q_++)                                         \
            buf[o++] = *q_;                                                                        \
    } while (0)
    if (neg && !all_zero)
        PUT("-");
    for (size_t i = 0; i < int_len; i++) {
        char d[2] = {digits[i], 0};
        PUT(d);
        size_t left = int_len - i - 1;
        if (left && left % 3 == 0)
            PUT(seps[lang].group);
    }
    if (dot) {
        PUT(seps[lang].point);
        PUT(dot + 1);
    }
#undef PUT
    buf[o < n ? o : n - 1] = '\0';
    return buf;
}

char *slab_fmt_percent(slab_lang lang, double pct, int decimals, int sign, char *buf, size_t n)
{
    char num[96];
    if (!isfinite(pct)) {
        snprintf(buf, n, "%s", slab_text(lang, "num.none"));
        return buf;
    }
    slab_fmt_number(lang, pct, decimals, num, sizeof num);
    snprintf(buf, n, "%s%s%%", sign && num[0] != '-' && pct > 0 ? "+" : "", num);
    return buf;
}

/* "%s days" with the count printed whole when it is whole. */
static char *fmt_count(slab_lang lang, double v, const char *one, const char *many, char *buf,
                       size_t n)
{
    char num[96];
    if (!isfinite(v)) {
        snprintf(buf, n, "%s", slab_text(lang, "num.none"));
        return buf;
    }
    int whole = v == floor(v) && fabs(v) < 1e15;
    slab_fmt_number(lang, v, whole ? 0 : 2, num, sizeof num);
    return slab_textf(lang, v == 1.0 ? one : many, buf, n, num);
}

char *slab_fmt_days(slab_lang lang, double days, char *buf, size_t n)
{
    return fmt_count(lang, days, "unit.day", "unit.days", buf, n);
}

char *slab_fmt_bars(slab_lang lang, double bars, char *buf, size_t n)
{
    return fmt_count(lang, bars, "unit.bar", "unit.bars", buf, n);
}
