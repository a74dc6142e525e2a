#!/usr/bin/env bash
# test_stats_cli.sh: `stratlab stats` and the "stats" object of every
# result document (issue 13's contract keys, one convention line each),
# checked against the figures other code computes (the metrics block, the
# CSV's closes for buy & hold), on daily and 5-minute sample bars (the
# intraday run is annualised where backtrader's yearly Sharpe is null);
# and every bad document gets one line and exit status 3.
# Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/stats_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

keys='exposure_time_pct buy_and_hold_return_pct cagr_pct annual_volatility_pct sharpe_ratio
sortino_ratio calmar_ratio max_drawdown_pct avg_drawdown_pct max_drawdown_duration
avg_drawdown_duration num_trades win_rate_pct best_trade_pct worst_trade_pct avg_trade_pct
max_trade_duration avg_trade_duration profit_factor expectancy sqn kelly_fraction'

# jqq ARGS...: jq -e without its output.
jqq() { jq -e "$@" >/dev/null; }
# close A B: the two numbers agree to 1e-12 relative.
close() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a; exit !(d <= 1e-12 * m + 1e-15) }'; }
# has_keys FILE FILTER: the object FILTER selects has every contract key
# (present, a number or null) and a one-line convention for each.
has_keys() {
  local k
  for k in $keys; do
    jq -e --arg k "$k" "$2 | has(\$k) and ((.[\$k] | type) == \"number\" or (.[\$k] | type) == \"null\")
        and ((.conventions[\$k] | type) == \"string\") and (.conventions[\$k] | test(\"\\n\") | not)" \
      "$1" >/dev/null || { echo "key $k"; return 1; }
  done
}

"$cli" data sample --bars 800 --seed 7 --out "$tmp/d.csv" >/dev/null
"$cli" data sample --bars 390 --timeframe 5m --seed 5 --out "$tmp/m.csv" >/dev/null
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json >"$tmp/d.json"
"$cli" run --strategy sma_cross --data "$tmp/m.csv" --param fast=3 --param slow=8 --json >"$tmp/m.json"
"$cli" stats "$tmp/d.json" --json >"$tmp/ds.json"
"$cli" stats "$tmp/m.json" --json >"$tmp/ms.json"

check "stats --json has every contract key" has_keys "$tmp/ds.json" .
check "the run document's stats has every contract key" has_keys "$tmp/d.json" .stats
check "stats --json is the document's stats" \
  jqq --slurpfile s "$tmp/ds.json" '.stats == $s[0]' "$tmp/d.json"
check "there were trades to count" jqq '.stats.num_trades > 2' "$tmp/d.json"
check "num_trades = metrics.num_trades" jqq '.stats.num_trades == .metrics.num_trades' "$tmp/d.json"
for pair in cagr_pct:normalized_annual_return sharpe_ratio:sharpe_ratio_annualized \
            max_drawdown_pct:max_drawdown_pct profit_factor:profit_factor win_rate_pct:win_rate; do
  s="${pair%%:*}" m="${pair#*:}"
  check "daily stats.$s = metrics.$m" close "$(jq ".stats.$s" "$tmp/d.json")" "$(jq ".metrics.$m" "$tmp/d.json")"
done
# buy & hold from the CSV's first and last close (column 5 of daily files)
bh="$(awk -F, 'NR == 2 { a = $5 } END { printf "%.17g", ($5 / a - 1) * 100 }' "$tmp/d.csv")"
check "buy_and_hold_return_pct from the CSV's closes" close "$(jq .stats.buy_and_hold_return_pct "$tmp/d.json")" "$bh"
check "return_pct from final value and cash" close "$(jq .stats.return_pct "$tmp/d.json")" \
  "$(jq '(.final.value / .backtest.config.cash - 1) * 100' "$tmp/d.json")"

# intraday: annualised with the run's annualization_periods
check "5m run: backtrader's yearly Sharpe is null" jqq '.metrics.sharpe_ratio == null' "$tmp/m.json"
check "5m run: stats Sharpe is a number" jqq '.sharpe_ratio | type == "number"' "$tmp/ms.json"
check "5m stats.sharpe_ratio = metrics.sharpe_ratio_annualized" close \
  "$(jq .stats.sharpe_ratio "$tmp/m.json")" "$(jq .metrics.sharpe_ratio_annualized "$tmp/m.json")"
check "5m stats.cagr_pct = metrics.normalized_annual_return" close \
  "$(jq .stats.cagr_pct "$tmp/m.json")" "$(jq .metrics.normalized_annual_return "$tmp/m.json")"
check "5m times are datetimes" jqq '.start | test("T09:35:00")' "$tmp/ms.json"

# the summary's last line: exposure, CAGR, return against buy & hold, best and worst trade
want="$(jq -r '.stats | "In the market \(.exposure_time_pct) \(.cagr_pct) \(.return_pct) \(.buy_and_hold_return_pct) \(.best_trade_pct) \(.worst_trade_pct)"' "$tmp/d.json" |
  awk '{ printf "In the market %.1f%% of bars; CAGR %.2f%%; return %+.2f%% against buy & hold %+.2f%%; best trade %+.2f%%, worst %+.2f%%.", $4, $5, $6, $7, $8, $9 }')"
check "summary states the statistics" test "$(jq -r .summary "$tmp/d.json" | tail -1)" = "$want"

check "text table" bash -c "'$cli' stats '$tmp/d.json' | grep -q '^Exposure time  *[0-9.]*%$'"
check "stats - reads stdin" bash -c "'$cli' stats - --json <'$tmp/d.json' | jq -e '.cagr_pct == $(jq .stats.cagr_pct "$tmp/d.json")' >/dev/null"
check "stats reads a pipe" bash -c "'$cli' stats <(cat '$tmp/d.json') | grep -q '^Exposure time'"
jq 'del(.stats.max_trade_duration_days)' "$tmp/d.json" >"$tmp/older.json"
check "a key added after the contract's may be absent" bash -c "'$cli' stats '$tmp/older.json' | grep -q '^Max trade duration (days)  *n/a$'"
expect_err "a folder" 3 "is a folder, not a file" "$cli" stats "$tmp"
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --lang zh >"$tmp/zh.txt"
check "run --lang zh: headline" grep -q "^已平仓交易 $(jq .stats.num_trades "$tmp/d.json") 笔" "$tmp/zh.txt"
check "run --lang zh: the statistics in zh" grep -q '^索提诺比率 ' "$tmp/zh.txt"
# the run notes (the summary) are Chinese too since issue 13's summary item
check "run --lang zh: the Chinese notes after them" bash -c "grep -A1 '^运行说明:$' '$tmp/zh.txt' | grep -q '^sma_cross 于 '"
check "zh table" bash -c "'$cli' stats '$tmp/d.json' --lang zh | grep -q '^夏普比率'"

# bad documents: one line each, exit 3
expect_err "missing file" 3 "cannot open the result document" "$cli" stats "$tmp/none.json"
printf '{"a":' >"$tmp/bad.json"
expect_err "not JSON" 3 "bad.json:1:5: not a JSON result document" "$cli" stats "$tmp/bad.json"
echo '[1, 2]' >"$tmp/arr.json"
expect_err "not a result document" 3 "not a stratlab result document" "$cli" stats "$tmp/arr.json"
jq 'del(.stats)' "$tmp/d.json" >"$tmp/old.json"
expect_err "document without stats" 3 'has no "stats" object (written by stratlab' "$cli" stats "$tmp/old.json"
jq 'del(.stats.sqn)' "$tmp/d.json" >"$tmp/part.json"
expect_err "stats missing a key" 3 '"stats" lacks "sqn"' "$cli" stats "$tmp/part.json"
truncate -s 1100M "$tmp/huge.json"
expect_err "huge document" 3 "over the 1024 MiB a result document may have" "$cli" stats "$tmp/huge.json"
rm -f "$tmp/huge.json"
check "--json error document" bash -c "'$cli' stats '$tmp/old.json' --json | jq -e '.error.code == \"bad_data\"' >/dev/null"
check "one line on stderr" bash -c "[ \"\$('$cli' stats '$tmp/old.json' 2>&1 >/dev/null | wc -l)\" -eq 1 ]"
expect_err "no file given" 2 "give the result file" "$cli" stats
expect_err "unknown option" 2 "unknown option '--bogus'" "$cli" stats "$tmp/d.json" --bogus
finish
