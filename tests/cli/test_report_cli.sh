#!/usr/bin/env bash
# test_report_cli.sh: `stratlab report` and `run --report` as a user meets
# them: HTML, SVG and PNG from a saved document and from a run, zh, what a
# document without its series still gets, and one line with the right
# exit status for each bad input. Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/report_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# png_size FILE: "WIDTH HEIGHT" from the PNG's IHDR chunk.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }
# jqq ARGS...: jq -e without its output.
jqq() { jq -e "$@" >/dev/null; }
# count FILE TEXT: occurrences of TEXT.
count() { grep -o -- "$2" "$1" | wc -l; }

"$cli" data sample --bars 600 --seed 11 --out "$tmp/d.csv" >/dev/null
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json --series --orders >"$tmp/s.json"
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json --no-series >"$tmp/plain.json"
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json >"$tmp/auto.json"
"$cli" data sample --bars 10001 --seed 3 --out "$tmp/long.csv" >/dev/null
"$cli" run --strategy sma_cross --data "$tmp/long.csv" --json >"$tmp/long.json"
"$cli" run --strategy sma_cross --data "$tmp/long.csv" --json --series >"$tmp/longs.json"

check "run --series adds the series" jqq '.series.ts_s | length == 600' "$tmp/s.json"
check "--no-series leaves it out" jqq 'has("series") | not' "$tmp/plain.json"
# the series is opt-in: a plain run --json is the same document as the
# service's and MCP's, and as small
check "600 bars carry none without asking" jqq 'has("series") | not' "$tmp/auto.json"
check "the series is the run's: its last value is final.value" jqq '.series.value[-1] == .final.value' "$tmp/s.json"
check "10001 bars do not, unless asked" jqq 'has("series") | not' "$tmp/long.json"
check "10001 bars with --series" jqq '.series.close | length == 10001' "$tmp/longs.json"
check "a chart of a document without its series: exit 3 and how to get it" bash -c "\"$cli\" report '$tmp/auto.json' -o '$tmp/auto.png' --chart equity 2>&1 >/dev/null; test \$? -eq 3" 
check "... the message says --series" bash -c "\"$cli\" report '$tmp/auto.json' -o '$tmp/auto.png' --chart equity 2>&1 | grep -q -- '--json --series'"

"$cli" report "$tmp/s.json" -o "$tmp/r.html"
check "html written" test -s "$tmp/r.html"
check "html has the seven charts" test "$(count "$tmp/r.html" '<svg ')" -eq 7
check "html names the run id" grep -q "$(jq -r .backtest.run_id "$tmp/s.json")" "$tmp/r.html"
check "html has the order log behind a toggle" grep -q '<details class="orders">' "$tmp/r.html"
check "html has backtrader's analyzers behind a toggle" grep -q '<details class="analyzers">' "$tmp/r.html"
check "html has no script" bash -c "! grep -q '<script' '$tmp/r.html'"
check "html fetches nothing" bash -c "! grep -Eq ' (src|href)=|url\(|<link' '$tmp/r.html'"
check "html: every statistic" test "$(count "$tmp/r.html" '<tr data-key=')" -eq "$(jq '.stats | keys | length - 1' "$tmp/s.json")"

"$cli" report "$tmp/s.json" -o "$tmp/zh.html" --lang zh
check "zh html" grep -q '<html lang="zh">' "$tmp/zh.html"
check "zh words" grep -q '资产曲线与买入持有' "$tmp/zh.html"
check "zh summary headline" grep -q "已平仓交易 $(jq .stats.num_trades "$tmp/s.json") 笔" "$tmp/zh.html"

for c in price equity drawdown returns trades excursions sharpe; do
  "$cli" report "$tmp/s.json" -o "$tmp/$c.svg" --chart "$c"
  check "svg $c" grep -q "data-chart=\"$c\"" "$tmp/$c.svg"
done
check "svg: 600 bars, 600 points" grep -q 'class="series equity" data-n="600"' "$tmp/equity.svg"
check "svg: one marker per trade entry" test "$(count "$tmp/price.svg" 'class="entry"')" -eq "$(jq '.trades | length' "$tmp/s.json")"

"$cli" report "$tmp/s.json" -o "$tmp/eq.png" --chart equity
check "png signature" bash -c "[ \"\$(od -An -c -N4 '$tmp/eq.png' | tr -d ' ')\" = '211PNG' ]"
check "png 960 x 320" test "$(png_size "$tmp/eq.png")" = "960 320"
"$cli" report "$tmp/s.json" -o "$tmp/ret.png" --chart returns
check "png heatmap taller with more years" test "$(png_size "$tmp/ret.png" | cut -d' ' -f2)" -gt 60

"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json --series --trades 2 >"$tmp/capped.json"
"$cli" report "$tmp/capped.json" -o "$tmp/capped.html"
check "a capped trade list says so" grep -q "The first 2 of $(jq .trades_total "$tmp/capped.json") trades are listed" "$tmp/capped.html"
check "... and marks only those" test "$(count "$tmp/capped.html" 'class="entry"')" -eq 2
"$cli" report "$tmp/s.json" -o "$tmp/zh.png" --chart returns --lang zh
check "zh png" test "$(png_size "$tmp/zh.png" | cut -d' ' -f1)" = 960

# run --report: beside what the run prints
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --report "$tmp/run.html" >"$tmp/table.txt"
check "run --report writes the page" grep -q 'class="series equity" data-n="600"' "$tmp/run.html"
check "run --report still prints the table" grep -q 'final_value' "$tmp/table.txt"
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json --report "$tmp/run.png" >"$tmp/run.json"
check "run --json --report FILE.png" test "$(png_size "$tmp/run.png")" = "960 320"
check "its printed document is the plain one (no series unless --series)" jqq 'has("series") | not' "$tmp/run.json"

"$cli" run --strategy sma_cross --data "$tmp/d.csv" --report "$tmp/runzh.html" --lang zh >/dev/null
check "run --report --lang zh" grep -q '<html lang="zh">' "$tmp/runzh.html"
expect_err "run --lang fr" 2 "--lang is one of en|zh, got 'fr'" \
  "$cli" run --strategy sma_cross --data "$tmp/d.csv" --report "$tmp/r.html" --lang fr

# a spec run with expected performance: its diagnosis in the page, and the
# page's run id is the printed document's (a spec run's id covers the spec)
"$cli" spec new --example rsi_reversion >"$tmp/spec.json"
"$cli" run --spec "$tmp/spec.json" --data "$tmp/d.csv" --from 2015-01-01 --to 2017-12-31 --json \
  --no-series --report "$tmp/spec.html" >"$tmp/spec_doc.json"
check "spec run: the diagnosis is in the page" grep -q '<pre class="diagnosis">' "$tmp/spec.html"
check "spec run: the page's run id is the document's" \
  grep -q "Run id</th><td>$(jq -r .backtest.run_id "$tmp/spec_doc.json")<" "$tmp/spec.html"

# a document without its series: the trade chart and the tables
"$cli" report "$tmp/plain.json" -o "$tmp/plain.html"
check "no-series html says how to get the charts" grep -q 'run with --series' "$tmp/plain.html"
check "no-series html still draws the trades" grep -q 'class="bar ' "$tmp/plain.html"
expect_err "svg equity without series" 3 "the equity chart needs the per-bar series" \
  "$cli" report "$tmp/plain.json" -o "$tmp/x.svg" --chart equity

# the fast series reader and jansson read the same numbers: a series with
# a key the fast reader does not know (a number) goes through jansson whole
sed 's/"series": {/"series": {"note": 1, /' "$tmp/s.json" >"$tmp/slow.json"
check "the slow document is another text" bash -c "! cmp -s '$tmp/s.json' '$tmp/slow.json'"
"$cli" report "$tmp/slow.json" -o "$tmp/slow.html"
check "fast and jansson series give the same page" cmp -s "$tmp/r.html" "$tmp/slow.html"
"$cli" report "$tmp/slow.json" -o "$tmp/slow.png" --chart drawdown
"$cli" report "$tmp/s.json" -o "$tmp/fast.png" --chart drawdown
check "... and the same PNG" cmp -s "$tmp/fast.png" "$tmp/slow.png"
# a parse error after the series keeps its line in the file
jq '. + {"zz": 1}' "$tmp/s.json" | sed '$d' >"$tmp/cut.json"
echo '  "zz": }' >>"$tmp/cut.json"
lines="$(wc -l <"$tmp/cut.json")"
expect_err "parse error line after the series" 3 "cut.json:$lines:" "$cli" report "$tmp/cut.json" -o "$tmp/r.html"

# odd but valid documents: every page is written and no attribute holds nan or inf
n=0
for f in '.series.value |= map(0)' '.series.value |= map(-1)' '.series.close |= map(0)' \
         '.series.ts_s |= map(0)' '.series.value[3] = null' '.trades[0].entry_price = null' \
         '.series.ts_s[5] = 99999999999999' '.trades = [] | .trades_total = 0' \
         '.series |= {ts_s: [.ts_s[0]], close: [.close[0]], value: [.value[0]]} | .trades = []'; do
  n=$((n + 1))
  jq "$f" "$tmp/s.json" >"$tmp/odd$n.json"
  "$cli" report "$tmp/odd$n.json" -o "$tmp/odd$n.html" 2>"$tmp/odd$n.err"
  check "odd document $n ($f): page written" test -s "$tmp/odd$n.html"
  check "odd document $n: no nan or inf in an attribute" \
    bash -c "! grep -Eiq '=\"[^\"]*(nan|inf)' '$tmp/odd$n.html'"
done

expect_err "bad extension" 2 "must end in .html, .svg or .png" "$cli" report "$tmp/s.json" -o "$tmp/r.pdf"
expect_err "--chart with html" 2 "--chart picks the chart of an .svg or .png" \
  "$cli" report "$tmp/s.json" -o "$tmp/r.html" --chart equity
expect_err "unknown chart" 2 "unknown chart 'candles'" "$cli" report "$tmp/s.json" -o "$tmp/r.svg" --chart candles
expect_err "no output" 2 "give the result file and the output" "$cli" report "$tmp/s.json"
expect_err "missing document" 3 "cannot open the result document" "$cli" report "$tmp/none.json" -o "$tmp/r.html"
printf '{"backtest": ' >"$tmp/bad.json"
expect_err "not JSON" 3 "not a JSON result document" "$cli" report "$tmp/bad.json" -o "$tmp/r.html"
jq '.series.close |= .[1:]' "$tmp/s.json" >"$tmp/short.json"
expect_err "unequal series" 3 "has series of unequal lengths" "$cli" report "$tmp/short.json" -o "$tmp/r.html"
jq '.backtest.engine.name = "backtrader"' "$tmp/s.json" >"$tmp/bt.json"
expect_err "another engine" 3 "written by backtrader" "$cli" report "$tmp/bt.json" -o "$tmp/r.html"
expect_err "unwritable" 4 "cannot write the report" "$cli" report "$tmp/s.json" -o "$tmp/no/dir/r.html"
expect_err "unwritable png" 4 "cannot write the PNG" "$cli" report "$tmp/s.json" -o "$tmp/no/dir/r.png"
expect_err "run --report bad extension" 2 "must end in .html, .svg or .png" \
  "$cli" run --strategy sma_cross --data "$tmp/d.csv" --report "$tmp/r.txt"
finish
