#!/usr/bin/env bash
# test_compare_cli.sh: `stratlab compare`: every statistic of each run, the
# best of each row where a direction exists (checked against the documents'
# own numbers with jq), the settings that differ and only those, the page
# with the overlaid curves, zh, and one line per bad input.
# Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/compare_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
jqq() { jq -e "$@" >/dev/null; }

"$cli" data sample --bars 600 --seed 11 --out "$tmp/d.csv" >/dev/null
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json --series >"$tmp/a.json"
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --param fast=5 --param slow=20 --json --series >"$tmp/b.json"
"$cli" run --strategy rsi_reversion --data "$tmp/d.csv" --json --no-series >"$tmp/c.json"
"$cli" compare "$tmp/a.json" "$tmp/b.json" "$tmp/c.json" --json >"$tmp/cmp.json"

check "three runs" jqq '.runs | length == 3' "$tmp/cmp.json"
check "each row holds the runs' own values" jqq --slurpfile a "$tmp/a.json" --slurpfile b "$tmp/b.json" \
  --slurpfile c "$tmp/c.json" '[.stats | to_entries[] | .key as $k | .value == [$a[0].stats[$k], $b[0].stats[$k], $c[0].stats[$k]]] | all' "$tmp/cmp.json"
# best: the index of the largest (return, Sharpe) or smallest (drawdown) value, from the documents
for k in return_pct sharpe_ratio cagr_pct; do
  want="$(jq -s --arg k "$k" '[.[] | .stats[$k]] | to_entries | max_by(.value) | .key' "$tmp/a.json" "$tmp/b.json" "$tmp/c.json")"
  check "best $k is run $want" jqq --arg k "$k" --argjson w "$want" '.best[$k] == $w' "$tmp/cmp.json"
done
want="$(jq -s '[.[] | .stats.max_drawdown_pct] | to_entries | min_by(.value) | .key' "$tmp/a.json" "$tmp/b.json" "$tmp/c.json")"
check "best max_drawdown_pct is the smallest (run $want)" jqq --argjson w "$want" '.best.max_drawdown_pct == $w' "$tmp/cmp.json"
check "no best for counts and spans" jqq '.best | has("num_trades") or has("bars") or has("exposure_time_pct") | not' "$tmp/cmp.json"
check "settings that differ" jqq '.config_diff | has("strategy") and has("config.params.fast") and has("config.params.period")' "$tmp/cmp.json"
check "settings that agree are left out" jqq '.config_diff | has("config.cash") or has("data_sha256") | not' "$tmp/cmp.json"
check "a missing setting is null" jqq '.config_diff["config.params.fast"] == [10, 5, null]' "$tmp/cmp.json"
"$cli" compare "$tmp/a.json" "$tmp/a.json" --json >"$tmp/same.json"
check "a run against itself: nothing differs" jqq '.config_diff == {}' "$tmp/same.json"

"$cli" compare "$tmp/a.json" "$tmp/b.json" "$tmp/c.json" -o "$tmp/cmp.html" >"$tmp/cmp.txt"
check "text table marks the best" grep -q '^Return .*\*' "$tmp/cmp.txt"
check "page: two curves of 600 points" test "$(grep -c 'data-n="600"' "$tmp/cmp.html")" -eq 2
check "page: the run without series is named" grep -q 'Run 3 has no per-bar series' "$tmp/cmp.html"
check "page: best cells" grep -q 'class="num best"' "$tmp/cmp.html"
check "page fetches nothing" bash -c "! grep -Eq '<script| (src|href)=|url\(|<link' '$tmp/cmp.html'"
"$cli" compare "$tmp/a.json" "$tmp/b.json" --lang zh >"$tmp/zh.txt"
check "zh table" grep -q '^夏普比率' "$tmp/zh.txt"

expect_err "one document" 2 "give at least two result documents" "$cli" compare "$tmp/a.json"
expect_err "page not html" 2 "must end in .html" "$cli" compare "$tmp/a.json" "$tmp/b.json" -o "$tmp/x.png"
jq 'del(.stats)' "$tmp/b.json" >"$tmp/old.json"
expect_err "a document without stats, named" 3 "old.json" "$cli" compare "$tmp/a.json" "$tmp/old.json"
expect_err "a missing document" 3 "cannot open the result document" "$cli" compare "$tmp/a.json" "$tmp/none.json"
finish
