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
    {"wf.progress", {"walk-forward: %s of %s windows", "滚动前推:%s / %s 个窗口"}},
    {"wf.train", {"train", "训练"}},
    {"wf.test", {"test", "测试"}},
    {"wf.params", {"chosen", "选中参数"}},
    {"wf.in_sample", {"in sample", "样本内"}},
    {"wf.out_of_sample", {"out of sample", "样本外"}},
    {"wf.return", {"return", "收益"}},
    {"wf.stitched", {"stitched out-of-sample result", "拼接后的样本外结果"}},

    /* ---- the run summary (src/report/summary.c, the summary line of
     * result_doc.c): each row a sentence without its line break; the
     * English rows are the summary's words as it always printed them; the
     * Chinese rows keep the numbers in the English order, so a zh summary
     * has exactly the English one's numbers (test_summary_lang_cli.sh) */
    {"summary.headline",
     {"%s on %s (%s, %s to %s, %zu bars): final value %.2f from %.2f (%+.2f%%).",
      "%s 于 %s(%s,%s 至 %s,共 %zu 根K线):最终资产 %.2f,初始资金 %.2f(%+.2f%%)。"}},
    {"summary.no_symbol", {"data", "数据"}},
    {"summary.synthetic", {"Synthetic data (stratlab data synth), not market prices.",
                           "合成数据(stratlab data synth),不是市场价格。"}},
    {"summary.trades", {"%ld closed trades, %.1f%% won, net pnl %.2f; max drawdown %.2f%%.",
                        "已平仓交易 %ld 笔,胜率 %.1f%%,净盈亏 %.2f;最大回撤 %.2f%%。"}},
    {"summary.no_trades_sessions", {"No trades: the sessions below say why.",
                                    "没有交易:原因见下面的交易日统计。"}},
    {"summary.no_trades_refused", {"No trades were made: %s.", "没有任何交易:%s。"}},
    {"summary.some_refused", {"Some %s.", "%s。"}},
    {"summary.lookahead",
     {"The strategy asked for a future bar %ld times (ago > 0) and got NaN each time: ago counts "
      "back (0 is this bar, -1 the previous one), so its signals read nothing there.",
      "策略 %ld 次请求未来的K线(ago > 0),每次得到 NaN:ago 从当前K线往回数(0 为当前,-1 为上一根),"
      "这些读取得不到任何数据。"}},
    {"summary.cause", {"Cause: %s.", "原因:%s。"}},
    {"summary.fix", {"Fix: %s.", "解决办法:%s。"}},
    {"summary.refused_all", {"every entry order was refused for lack of cash",
                             "所有入场订单都因现金不足被拒绝"}},
    {"summary.refused_some", {"orders were refused for lack of cash", "部分订单因现金不足被拒绝"}},
    {"summary.refused",
     {"%s (Margin): %ld order(s), the first (order %lld, created %s): %s",
      "%s(Margin):共 %ld 个订单,第一个(订单 %lld,创建于 %s):%s"}},
    {"summary.no_reason", {"no reason recorded", "未记录原因"}},
    {"summary.cause_check",
     {"the broker checks the cash when an order is submitted, at the creating bar's close plus "
      "commission, and again at the fill price",
      "经纪商在提交订单时按创建订单那根K线的收盘价加佣金检查现金,成交时再按成交价检查一次"}},
    {"summary.cause_percent",
     {"; --sizer %s:%g with commission %g%% of value needs %g%% of the cash at that close",
      ";--sizer %s:%g 加上按成交额 %g%% 收取的佣金,需要该收盘价下 %g%% 的现金"}},
    {"summary.fix_percent",
     {"--sizer %s:95 (the reference setting) or lower leaves room for the commission and the "
      "move from the signal's close to the next open",
      "--sizer %s:95(参考设置)或更低,可为佣金以及从信号K线收盘到下一根K线开盘的价格变动留出余地"}},
    {"summary.fix_coc",
     {"; or --cheat-on-close with at most %s:%.1f (fills at the signal's close: look-ahead)",
      ";或使用 --cheat-on-close 且不超过 %s:%.1f(按信号K线的收盘价成交:有前视偏差)"}},
    {"summary.fix_fixed",
     {"a smaller --sizer fixed:N (N shares at the price plus commission must fit the cash), "
      "more --cash, or --sizer percent:95",
      "更小的 --sizer fixed:N(N 股按价格加佣金须在现金之内)、更多的 --cash,或 --sizer "
      "percent:95"}},
    {"summary.no_trades", {"No trades were made. Likely reasons: ", "没有任何交易。可能的原因:"}},
    {"summary.why_warmup",
     {"the indicators never produced a value: the strategy needs more warm-up bars than the %zu "
      "the data has (use longer data or shorter periods)",
      "指标从未产生数值:策略需要的预热K线多于数据仅有的 %zu 根(请用更长的数据或更短的周期)"}},
    {"summary.why_last_bar",
     {"the strategy's warm-up of %ld bars leaves only the last bar, whose orders never fill",
      "策略预热 %ld 根K线后只剩最后一根,而最后一根K线上的订单不会成交"}},
    {"summary.why_never",
     {"the entry condition never held in %ld bars after warm-up (check the parameters and the "
      "data range)",
      "预热之后的 %ld 根K线中入场条件从未成立(请检查参数和数据区间)"}},
    {"summary.why_sizer",
     {"the sizer gave 0 shares %ld time(s) (price above the cash share; try --sizer percent:95 "
      "or a smaller fixed stake)",
      "仓位计算得到 0 股,共 %ld 次(价格高于可用的现金份额;可试 --sizer percent:95 或更小的固定数量)"}},
    {"summary.why_order_last",
     {"an order was created on the last bar, which never fills",
      "最后一根K线上创建了订单,它不会成交"}},
    {"summary.reason_sep", {"; ", ";"}},
    {"summary.end", {".", "。"}},
    {"summary.list_sep", {", ", "、"}},
    {"summary.exits", {"Exits: %s.", "平仓方式:%s。"}},
    {"summary.exit_count", {"%zu %s", "%zu 次%s"}},
    {"summary.rejected", {"%zu order(s) rejected (reasons in the order log: --json --orders).",
                          "%zu 个订单被拒绝(原因见委托记录:--json --orders)。"}},
    {"summary.entry", {"Entry: %s %.2f at %s", "开仓:%s %.2f,时间 %s"}},
    {"summary.long", {"long", "做多"}},
    {"summary.short", {"short", "做空"}},
    {"summary.breakout", {" (breakout %s %.2f confirmed at %s", "(%s %.2f,于 %s 确认"}},
    {"summary.below", {"below", "向下跌破"}},
    {"summary.above", {"above", "向上突破"}},
    {"summary.filter_move", {"; %s %+.2f%% on its prior close", ";%s 较其前一收盘 %+.2f%%"}},
    {"summary.close_paren", {")", ")"}},
    {"summary.still_open", {"; still open at the end.", ";到结束时仍未平仓。"}},
    {"summary.exit",
     {"Exit: %.2f at %s (%s). P&L %+.2f (%+.2f%%) after commission.",
      "平仓:%.2f,时间 %s(%s)。扣除佣金后盈亏 %+.2f(%+.2f%%)。"}},
    {"summary.reached", {"%s price reached %.2f; max gain during the trade %+.2f (%+.2f%%)",
                         "%s %.2f;持仓期间最大浮盈 %+.2f(%+.2f%%)"}},
    {"summary.highest", {"Highest", "最高价达到"}},
    {"summary.lowest", {"Lowest", "最低价达到"}},
    {"summary.kept", {"; the exit kept %.1f%% of it", ";平仓时保留了其中的 %.1f%%"}},
    {"summary.sessions",
     {"Sessions: %zu: %zu traded, %zu blocked by the filter, %zu without a breakout, %zu "
      "skipped for earnings",
      "交易日:%zu 个:%zu 个有交易,%zu 个被过滤条件挡住,%zu 个没有突破,%zu 个因财报跳过"}},
    {"summary.no_prior",
     {", %zu without a previous session for the filter (not traded)",
      ",%zu 个没有供过滤条件使用的前一交易日(未交易)"}},
    {"summary.next",
     {"Next: other trailing stops (--param trailing_stop_pct=1, =3), more dates (--from/--to)%s.",
      "下一步:换其他移动止损(--param trailing_stop_pct=1、=3)、更多日期(--from/--to)%s。"}},
    {"summary.next_filter", {", without the filter (drop --param market_filter)",
                             "、不用过滤条件(去掉 --param market_filter)"}},
    {"summary.open",
     {"%ld position(s) still open at the end, marked at the last close.",
      "%ld 个持仓到结束时仍未平仓,按最后收盘价计值。"}},
    {"summary.coc",
     {"Cheat-on-close was on: market orders filled at the close of the bar that sent them, which "
      "a live trader cannot do.",
      "已开启 cheat-on-close:市价单按发出它的那根K线的收盘价成交,实盘交易做不到。"}},
    {"summary.coo",
     {"Cheat-on-open was on: orders sent from next_open filled at that bar's open.",
      "已开启 cheat-on-open:在 next_open 中发出的订单按该K线的开盘价成交。"}},
    {"summary.sharpe", {"Sharpe %.3f (yearly returns, rf 1%%)",
                        "夏普比率 %.3f(按年收益,无风险利率 1%%)"}},
    {"summary.sharpe_undefined",
     {"Sharpe (yearly) undefined: fewer than 2 yearly returns or no variation",
      "夏普比率(按年收益)无定义:年收益少于 2 个或没有波动"}},
    {"summary.sharpe_daily", {"; %.3f on daily returns, annualized.", ";按日收益年化为 %.3f。"}},
    {"summary.sharpe_bars",
     {"; %1$.3f on %2$s bar returns, annualized (%3$s bars a year).",
      ";按%2$sK线收益年化为 %1$.3f(每年 %3$s 根K线)。"}},
    {"summary.per_period", {"per-period", "每期"}},
    {"summary.intraday", {"intraday", "日内"}},
    {"summary.market",
     {"In the market %.1f%% of bars; CAGR %.2f%%; return %+.2f%% against buy & hold %+.2f%%",
      "持仓K线占比 %.1f%%;复合年增长率 %.2f%%;收益率 %+.2f%%,买入持有 %+.2f%%"}},
    {"summary.best_worst", {"; best trade %+.2f%%, worst %+.2f%%.",
                            ";最佳交易 %+.2f%%,最差 %+.2f%%。"}},
    {"summary.notes", {"Run notes", "运行说明"}},
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
    {"stats.max_drawdown_duration_days", {"Max drawdown duration (days)", "最长回撤时长(天)"}},
    {"stats.avg_drawdown_duration_days", {"Average drawdown duration (days)", "平均回撤时长(天)"}},
    {"stats.max_trade_duration_days", {"Max trade duration (days)", "最长持仓时长(天)"}},
    {"stats.avg_trade_duration_days", {"Average trade duration (days)", "平均持仓时长(天)"}},
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
    {"report.headline",
     {"%1$s on %2$s (%3$s, %4$s to %5$s, %6$s bars): final value %7$s from %8$s (%9$s).",
      "%1$s 于 %2$s(%3$s,%4$s 至 %5$s,共 %6$s 根K线):最终资产 %7$s,初始资金 %8$s(%9$s)。"}},
    {"report.headline_trades",
     {"%1$s closed trades, %2$s won; max drawdown %3$s; Sharpe ratio %4$s.",
      "已平仓交易 %1$s 笔,胜率 %2$s;最大回撤 %3$s;夏普比率 %4$s。"}},
    {"report.headline_market",
     {"In the market %1$s of bars; CAGR %2$s; buy & hold %3$s.",
      "持仓时间占比 %1$s;复合年增长率 %2$s;买入持有收益率 %3$s。"}},
    {"report.analyzers",
     {"backtrader's analyzers, as they are", "backtrader 分析器(原样)"}},
    {"report.diagnosis",
     {"Diagnosis against the spec's expected performance", "与策略规格预期表现的对比诊断"}},
    {"report.run_notes", {"Run notes (English)", "运行说明(英文)"}},

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
    {"chart.no_series",
     {"No per-bar series in this document (run with --series)",
      "本文档不含逐K线序列(运行时加 --series)"}},
    {"report.trades_shown",
     {"The first %1$s of %2$s trades are listed; the document has them all.",
      "列出 %2$s 笔交易中的前 %1$s 笔;文档中有全部记录。"}},
    {"report.orders_shown",
     {"The first %1$s of %2$s orders are listed; the document has them all.",
      "列出 %2$s 笔委托中的前 %1$s 笔;文档中有全部记录。"}},
    {"report.markers_capped",
     {"The price and excursion charts mark the first %s trades.",
      "价格图与波动图只标出前 %s 笔交易。"}},

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
    {"diag.strategy", {"Strategy", "策略"}},
    {"diag.data", {"Data", "数据"}},
    {"diag.initial_cash", {"Initial cash", "初始资金"}},
    {"diag.metric", {"Metric", "指标"}},
    {"diag.total_return", {"Total return", "总收益率"}},
    {"diag.annual_return", {"Annual return", "年化收益"}},
    {"diag.sharpe", {"Sharpe ratio", "夏普比率"}},
    {"diag.max_drawdown", {"Max drawdown", "最大回撤"}},
    {"diag.num_trades", {"Trades", "总交易数"}},
    {"diag.win_rate", {"Win rate", "胜率"}},
    {"diag.sqn", {"SQN", "SQN"}},
    {"diag.final_value", {"Final value", "最终资产"}},
    {"diag.assessment", {"Assessment", "匹配评估"}},
    {"diag.causes", {"Likely causes, most likely first", "可能原因(按可能性排序)"}},
    {"diag.try", {"try", "建议"}},
    {"diag.triage", {"Zero-trade triage", "零交易排查"}},
    {"diag.thresholds",
     {"thresholds: Sharpe ±%.0f%%, annual return ±%.0f%%, max drawdown ±%.0f points",
      "阈值:夏普比率 ±%.0f%%,年化收益 ±%.0f%%,最大回撤 ±%.0f 个百分点"}},
    {"diag.reason.all_within",
     {"every expected metric is within its threshold", "所有预期指标均在阈值之内"}},
    {"diag.reason.some_within",
     {"%d of %d expected metrics are within their thresholds", "%d/%d 项预期指标在阈值之内"}},
    {"diag.reason.none_within",
     {"no expected metric is within its threshold", "没有预期指标在阈值之内"}},
    {"diag.reason.zero_trades",
     {"the run made no trade, so nothing can match", "回测没有产生任何交易,无法匹配"}},
    {"diag.reason.no_expected",
     {"the spec gives no expected_performance: only the trade count was judged",
      "规格没有 expected_performance:只检查了交易次数"}},
    {"diag.cause.period", {"period", "时间区间"}},
    {"diag.cause.data_source", {"data source", "数据来源"}},
    {"diag.cause.costs", {"costs", "交易成本"}},
    {"diag.cause.survivorship", {"survivorship", "幸存者偏差"}},
    {"diag.cause.signal_logic", {"signal logic", "信号逻辑"}},
    {"diag.cause.metric_convention", {"metric convention", "指标口径"}},
    {"diag.cause.risk_management", {"risk management", "风险管理"}},
    {"diag.ev.period",
     {"the spec's period is %s to %s; the run covered %s to %s",
      "规格的区间为 %s 至 %s;回测覆盖 %s 至 %s"}},
    {"diag.ev.period_same", {" (the same period)", "(区间一致)"}},
    {"diag.ev.open_end", {"(open)", "(未定)"}},
    {"diag.try.period", {"run over the spec's period: --from %s --to %s",
                         "按规格区间回测:--from %s --to %s"}},
    {"diag.ev.period_unstated",
     {"the spec does not state the paper's period; the run covered %s to %s (%.1f years)",
      "规格未注明论文的时间区间;回测覆盖 %s 至 %s(%.1f 年)"}},
    {"diag.try.period_unstated",
     {"add data.start and data.end from the paper and rerun over them",
      "在 data.start 和 data.end 中填入论文的区间后重新回测"}},
    {"diag.ev.symbol", {"the spec trades %s but the run used %s", "规格交易 %s,但回测使用的是 %s"}},
    {"diag.try.symbol", {"run on %1$s (--symbol %1$s, or --data with its file)",
                         "改用 %1$s 回测(--symbol %1$s 或 --data 指定其文件)"}},
    {"diag.ev.vendor",
     {"prices from %s; the paper may use another vendor or adjusted (split and dividend) prices",
      "价格来自 %s;论文可能使用其他数据源或复权(拆股、分红)价格"}},
    {"diag.try.vendor",
     {"compare with adjusted prices (--yahoo-adjust for Yahoo files) or the paper's data source",
      "用复权价格对比(Yahoo 文件加 --yahoo-adjust),或换用论文的数据源"}},
    {"diag.ev.costs",
     {"commission %1$g per leg cost %2$.2f in %3$ld trades, about %4$.2f%% of the starting cash "
      "a year%5$s",
      "每边佣金 %1$g,%3$ld 笔交易共花费 %2$.2f,约为每年初始资金的 %4$.2f%%%5$s"}},
    {"diag.ev.costs_gross", {"; papers often report returns before costs",
                             ";论文常报告未扣除成本的收益"}},
    {"diag.try.costs", {"rerun with --commission 0 to see the result before costs",
                        "用 --commission 0 重新回测,查看扣除成本前的结果"}},
    {"diag.ev.no_costs", {"the run charged no commission; the paper's figures may be net of costs",
                          "本次回测未收取佣金;论文的数字可能已扣除成本"}},
    {"diag.try.no_costs", {"rerun with the paper's costs, e.g. --commission 0.001",
                           "按论文的成本重新回测,例如 --commission 0.001"}},
    {"diag.ev.survivorship_universe",
     {"a universe chosen from today's listings drops the companies that failed, which flatters a "
      "backtest (and papers differ in how they handle it)",
      "按当前上市名单选出的股票池遗漏了已退市的公司,会美化回测结果(论文的处理方式各不相同)"}},
    {"diag.ev.survivorship_single",
     {"one symbol chosen today is a survivor; this matters most for universes",
      "今天选出的单只股票本身就是幸存者;对股票池影响更大"}},
    {"diag.try.survivorship", {"use a point-in-time universe, including delisted symbols",
                               "使用时点一致的股票池,包括已退市的股票"}},
    {"diag.ev.zero",
     {"no trade was made: the entry rules never led to a filled order (see the triage)",
      "没有任何交易:入场规则从未产生成交(见排查)"}},
    {"diag.try.zero",
     {"loosen the condition that never held (the triage says how close it came), or check the "
      "data period",
      "放宽从未成立的条件(排查中给出了最接近的一次),或检查数据区间"}},
    {"diag.ev.sign", {"the Sharpe ratio has the opposite sign of the paper's (%.3f vs %.3f)",
                      "夏普比率与论文符号相反(%.3f 对 %.3f)"}},
    {"diag.try.sign", {"check the direction of each rule (buy/sell swapped, > vs <)",
                       "检查每条规则的方向(买卖是否颠倒,> 与 < 是否写反)"}},
    {"diag.ev.few_trades", {"only %ld closed trades: too few for stable statistics",
                            "只有 %ld 笔已平仓交易:样本太少,统计不稳定"}},
    {"diag.try.few_trades", {"run over a longer period or check the entry thresholds",
                             "延长回测区间,或检查入场阈值"}},
    {"diag.ev.rules",
     {"%ld trades; the rules may differ from the paper's in thresholds, windows or timing "
      "(orders fill at the next bar's open)",
      "%ld 笔交易;规则可能在阈值、窗口或时点上与论文不同(订单在下一根K线开盘成交)"}},
    {"diag.try.rules", {"re-read the paper's rules and compare them with the spec, one by one",
                        "逐条对照论文的规则与规格"}},
    {"diag.ev.sharpe_daily",
     {"the Sharpe ratio annualized from daily returns is %.3f, within the threshold; backtrader's "
      "default (yearly returns) gives a different value",
      "按日收益年化的夏普比率为 %.3f,在阈值之内;backtrader 默认(年收益)口径的结果不同"}},
    {"diag.try.sharpe_daily", {"compare with the daily annualized Sharpe: diagnose --sharpe daily",
                               "改用按日收益年化的夏普比率比较:diagnose --sharpe daily"}},
    {"diag.ev.sharpe_convention",
     {"Sharpe conventions differ (yearly or daily returns, risk-free rate, annualization); this "
      "run's is backtrader's default: yearly returns, rf 1%%",
      "夏普比率口径不同(年或日收益、无风险利率、年化方式);本次为 backtrader 默认:年收益,无风险利率 1%%"}},
    {"diag.try.sharpe_convention", {"check how the paper computes its Sharpe ratio",
                                    "核对论文计算夏普比率的方法"}},
    {"diag.ev.drawdown", {"the drawdown is %.1f%% against the paper's %.1f%%%s",
                          "最大回撤为 %.1f%%,论文为 %.1f%%%s"}},
    {"diag.ev.no_stops", {", and the spec has no stop-loss or trailing stop",
                          ",且规格没有止损或移动止损"}},
    {"diag.try.drawdown",
     {"add the paper's risk rules: a stop_loss, a trailing_stop or volatility_target sizing",
      "补上论文的风控规则:止损、移动止损或按波动率定仓"}},
    {"diag.ev.drawdown_ok", {"the drawdown is not far above the paper's", "最大回撤没有明显高于论文"}},
    {"diag.try.nothing", {"nothing specific", "无特别建议"}},
    {"diag.tr.no_stats",
     {"the result has no rule statistics (run it with run --spec); Phase 5.5 checklist: "
      "conditions too strict, [0] vs [-1] indexing, a data period without signals",
      "结果中没有规格的规则统计(请用 run --spec 运行);按 Phase 5.5 清单排查:条件是否过严、是否用了 [0] 而不是 [-1]、数据区间是否包含信号"}},
    {"diag.tr.warmup", {"the rules need %ld bars of warm-up but the data has %ld: no rule ever ran",
                        "规则需要 %ld 根K线预热,但数据只有 %ld 根:规则从未运行"}},
    {"diag.tr.never", {"the %s rule's trigger `%s` never held in %ld bars",
                       "%s 规则的触发条件 `%s` 在 %ld 根K线中从未成立"}},
    {"diag.tr.no_order",
     {"the %s rule's trigger held on %ld bars but sent no order (%ld blocked by an open position "
      "or an order in flight, %ld sized to 0 shares)",
      "%s 规则的触发条件成立了 %ld 次,但没有下单(%ld 次因已有持仓或订单未完成而跳过,%ld 次仓位计算为 0)"}},
    {"diag.tr.no_fill",
     {"the %s rule sent %ld order(s) but none made a trade: see the order log (--orders) for "
      "rejections (Margin: not enough cash) or an order on the last bar",
      "%s 规则下了 %ld 个订单,但没有成交:查看订单记录(--orders)中的拒单原因(现金不足 Margin,或最后一根K线的订单不会成交)"}},
    {"diag.tr.closest",
     {"condition `%s` never held; closest on %s: %s = %.6g, %s = %.6g (off by %.4g)",
      "条件 `%s` 从未成立;最接近的一次在 %s:%s = %.6g,%s = %.6g(差 %.4g)"}},
    {"diag.tr.left", {"left side", "左边"}},
    {"diag.tr.right", {"right side", "右边"}},
    {"diag.tr.cond_never", {"condition `%s` never held", "条件 `%s` 从未成立"}},
    {"diag.tr.not_together",
     {"each condition of `%s` held on some bars, but never all on the same bar",
      "`%s` 中的每个条件都单独成立过,但从未在同一根K线上同时成立"}},
    {"diag.tr.none",
     {"the entry rules ran without an obvious cause; check that the data period contains the "
      "signals",
      "入场规则运行正常;检查数据区间是否包含信号"}},
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
