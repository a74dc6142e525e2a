#!/usr/bin/env bash
# test_run_cli.sh: `stratlab run` and `stratlab strategies` as a user meets
# them: help, parameter range errors, unknown names, zero-trade summaries,
# the equity file, broker and risk flags on hand-made bars. (A stored
# symbol against its file and backtrader: tests/parity/test_cli_ref.sh.)
# Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/run_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
. "$(dirname "$0")/lib.sh"

check "run --help" bash -c "'$cli' run --help | grep -q -- '--strategy NAME'"
check "strategies lists sma_cross defaults" bash -c "'$cli' strategies | grep -A2 '^sma_cross' | grep -q 'fast.*default 10'"
check "strategies --json" bash -c "'$cli' strategies --json | grep -q '\"name\": \"bbands_reversion\"'"

"$cli" data sample --symbol SAMPLE --bars 600 --seed 3 --out "$tmp/sample.csv" >/dev/null 2>&1
check "sample csv written" test -s "$tmp/sample.csv"

expect_err "param out of range" 2 "fast=0 is outside the allowed range 1..10000" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param fast=0
expect_err "param not a whole number" 2 "fast must be a whole number, got 2.5" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param fast=2.5
expect_err "unknown param" 2 "sma_cross has no parameter 'fats'; did you mean fast? (it has: fast, slow, stop_loss_pct, take_profit_pct, trail_pct, time_exit_bars)" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param fats=3
expect_err "unknown strategy" 2 "unknown strategy 'sma_crss'; did you mean sma_cross?" \
  "$cli" run --strategy sma_crss --data "$tmp/sample.csv"
expect_err "fast >= slow" 2 "fast (30) must be shorter than slow (10)" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param fast=30 --param slow=10
expect_err "missing file" 3 "$tmp/nope.csv" \
  "$cli" run --strategy sma_cross --data "$tmp/nope.csv"
expect_err "bad sizer" 2 "unknown sizer 'kelly'" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --sizer kelly
expect_err "no data" 2 "give exactly one of --data FILE or --symbol SYM" \
  "$cli" run --strategy sma_cross
# Reading a store never creates one: without it, say so; with it, name the symbol.
expect_err "no store yet" 3 "no store here (nothing has been imported to this path)" \
  "$cli" run --strategy sma_cross --symbol NOPE
check "reading did not create the store" test ! -e "$STRATLAB_DB"
"$cli" data import "$tmp/sample.csv" --symbol SAMPLE >/dev/null
expect_err "unknown symbol" 3 "NOPE" \
  "$cli" run --strategy sma_cross --symbol NOPE

# A strategy whose entry never fires says so, with a reason.
check "zero-trade summary" bash -c "'$cli' run --strategy rsi_reversion --data '$tmp/sample.csv' --param low=0.001 --param high=99 | grep -q 'No trades were made. Likely reasons: the entry condition never held'"
# Warm-up longer than the data.
check "warm-up longer than data" bash -c "'$cli' run --strategy sma_cross --data '$tmp/sample.csv' --param fast=10 --param slow=900 | grep -q 'needs more warm-up bars than the 600 the data has'"

# --equity writes one row per bar plus the header.
"$cli" run --strategy sma_cross --data "$tmp/sample.csv" --equity "$tmp/eq.csv" >/dev/null
check "equity rows" test "$(wc -l <"$tmp/eq.csv")" -eq 601
check "equity header" bash -c "head -1 '$tmp/eq.csv' | grep -qx 'datetime,cash,value'"

# --json and --out carry the same document.
"$cli" run --strategy bbands_reversion --data "$tmp/sample.csv" --json >"$tmp/a.json"
"$cli" run --strategy bbands_reversion --data "$tmp/sample.csv" --out "$tmp/b.json" >/dev/null
check "json has sections" bash -c "grep -q '\"analyzers\"' '$tmp/a.json' && grep -q '\"conventions\"' '$tmp/a.json' && grep -q '\"summary\"' '$tmp/a.json'"
check "same run_id in --json and --out" bash -c "[ \"\$(grep -o '\"run_id\": \"[0-9a-f]*\"' '$tmp/a.json')\" = \"\$(grep -o '\"run_id\": \"[0-9a-f]*\"' '$tmp/b.json')\" ]"

# ---- broker flags: cheat-on-close/open, slippage switches, bad combinations.
# Six hand-made daily bars; sma_cross fast=1 slow=2 crosses up on a rise
# after a fall (bar 2, C 101: buy) and down on a fall after a rise (bar 4,
# C 100: sell). Fixed stake 1, no commission.
printf '%s\n' 'Date,Open,High,Low,Close,Volume,OpenInterest' \
  2020-01-06,100,100,100,100,1000,0 2020-01-07,99,99,99,99,1000,0 \
  2020-01-08,100,101,99,101,1000,0 2020-01-09,103,104,102,104,1000,0 \
  2020-01-10,104,104,100,100,1000,0 2020-01-13,98,99,97,98,1000,0 >"$tmp/t6.csv"
t6() { "$cli" run --strategy sma_cross --data "$tmp/t6.csv" --param fast=1 --param slow=2 \
  --sizer fixed:1 --commission 0 --json --orders "$@"; }
# jnum FILE KEY: every number after "KEY": in FILE, one a line.
jnum() { grep -o "\"$2\": [-0-9.e+]*" "$1" | sed 's/.*: //'; }
# near A B: |A - B| <= 1e-9.
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }'; }
# fills FILE ENTRY [EXIT]: the one trade's entry (and exit) price.
fills() { near "$(jnum "$1" entry_price)" "$2" && { [ $# -lt 3 ] || near "$(jnum "$1" exit_price)" "$3"; }; }
has() { grep -qF -- "$2" "$1"; }

t6 >"$tmp/d.json"
# Default: buy fills at O[3] 103, sell at O[5] 98; no cheat flags in config.
check "default fills at next open" fills "$tmp/d.json" 103 98
check "default has no cheat flags" bash -c "! grep -q 'cheat_on' '$tmp/d.json'"
t6 --cheat-on-close >"$tmp/coc.json"
# coc: each order fills at the close of the bar that sent it: C[2] 101 and
# C[4] 100 (executed "at" 2020-01-08; the trade opens on the processing bar).
check "coc fills at the signal close" fills "$tmp/coc.json" 101 100
check "coc order exec time is the signal bar" has "$tmp/coc.json" '"exec_time": "2020-01-08"'
check "coc flagged in config" has "$tmp/coc.json" '"cheat_on_close": true'
check "coc in fill_model" has "$tmp/coc.json" "close (cheat-on-close, look-ahead)"
check "coc in summary" has "$tmp/coc.json" 'Cheat-on-close was on'
# coo with a built-in (no next_open): only the submission check moves to the
# open. percent:99 at C[2] 101 is 100000/101*0.99 shares = 99000 cash:
# accepted at the close, but 103 * that = 100960.4 > 100000 at the open.
t6 --sizer percent:99 >"$tmp/nocoo.json"
t6 --sizer percent:99 --cheat-on-open >"$tmp/coo.json"
check "no coo: Margin at the fill" has "$tmp/nocoo.json" '"reason": "not enough cash at the fill'
check "coo: Margin at submission (at the open)" has "$tmp/coo.json" '"reason": "not enough cash at submission'
check "coo flagged in config" has "$tmp/coo.json" '"cheat_on_open": true'
check "coo fill_model says no next_open" has "$tmp/coo.json" 'the strategy has no next_open'
check "coo in summary" has "$tmp/coo.json" 'Cheat-on-open was on'
# Slippage 1%, slip_open on by default (set_slippage_perc): buy 103*1.01 =
# 104.03 > H 104, capped at 104; sell 98*0.99 = 97.02 >= L 97.
t6 --slippage-perc 0.01 >"$tmp/s.json"
check "slippage capped at the high" fills "$tmp/s.json" 104 97.02
for kv in '"slip_open": true' '"slip_match": true' '"slip_limit": true' '"slip_out": false' \
  'slippage 1% (slip_open on, capped at the bar'; do
  check "slippage default: $kv" has "$tmp/s.json" "$kv"
done
t6 --slippage-perc 0.01 --no-slip-open >"$tmp/s.json"
check "--no-slip-open: opens unslipped" fills "$tmp/s.json" 103 98
check "--no-slip-open config" has "$tmp/s.json" '"slip_open": false'
t6 --slippage-perc 0.01 --no-slip-open --slip-open >"$tmp/s.json"
check "--slip-open (last flag wins)" fills "$tmp/s.json" 104 97.02
t6 --slippage-perc 0.01 --slip-out >"$tmp/s.json"
check "--slip-out: 104.03 kept above the high" fills "$tmp/s.json" 104.03
check "--slip-out config" has "$tmp/s.json" '"slip_out": true'
# --no-slip-match: 104.03 > H 104 (bar 3) and 104*1.01 = 105.04 > H 104
# (bar 4): no fill; bar 5: 98*1.01 = 98.98 <= H 99 fills. Flat at bar 4,
# so no sell: the trade stays open.
t6 --slippage-perc 0.01 --no-slip-match >"$tmp/s.json"
check "--no-slip-match: waits for a bar with room" fills "$tmp/s.json" 98.98
check "--no-slip-match: filled on bar 5" has "$tmp/s.json" '"entry_time": "2020-01-13"'
check "--no-slip-match config" has "$tmp/s.json" '"slip_match": false'
t6 --slippage-fixed 0.5 --no-slip-limit >"$tmp/s.json"
check "--no-slip-limit config" has "$tmp/s.json" '"slip_limit": false'
check "fixed slippage config" has "$tmp/s.json" '"fixed": 0.5'
expect_err "slip flag without slippage" 2 "--no-slip-match needs --slippage-perc or --slippage-fixed" \
  t6 --no-slip-match
expect_err "coc with coo" 2 "give one of --cheat-on-close or --cheat-on-open" \
  t6 --cheat-on-close --cheat-on-open
expect_err "slip-out with nothing to cap" 2 "--slip-out changes only capped fills" \
  t6 --slippage-perc 0.01 --slip-out --no-slip-match --no-slip-limit
# Pessimistic mode and the margin call are recorded; a long-only run without
# leverage never meets a margin call (value >= the position's value), so
# the trades are those of the default run: 103 -> 98.
t6 --pessimistic --margin-call --maintenance-margin 0.25 >"$tmp/m.json"
check "pessimistic flagged" has "$tmp/m.json" '"pessimistic": true'
check "margin call flagged" has "$tmp/m.json" '"margin_call": true'
check "maintenance recorded" has "$tmp/m.json" '"maintenance_margin": 0.25'
check "margin call in fill_model" has "$tmp/m.json" 'margin call: liquidated at the next open when the value is <= 0.25'
check "long run unchanged by the margin call" fills "$tmp/m.json" 103 98
check "default has no margin call" bash -c "! grep -q 'margin_call' '$tmp/d.json'"
expect_err "maintenance without margin call" 2 "--maintenance-margin needs --margin-call" \
  t6 --maintenance-margin 0.25
expect_err "maintenance out of range" 2 "--maintenance-margin must be a number in [0, 1) (fraction of the position's value (0.25 = 25%)), got 1.5" \
  t6 --margin-call --maintenance-margin 1.5

# Risk flags (the engine's risk manager): bad input names the accepted forms.
expect_err "bad --stop-loss" 2 "--stop-loss '2x' is not valid: give 2% (percent of the entry fill, below 100%), 1.5 (price distance), 2atr (ATR multiple) or @95.50 (a price)" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --stop-loss 2x
# Daily bars have no time of day to exit at (they are stamped at the session end).
expect_err "--exit-at on daily bars" 2 "exit_at: a clock-time exit needs intraday bars, and these bars' timeframe is Days; use time_exit (a number of bars) instead" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --exit-at 15:55
expect_err "bad --trail" 2 "--trail '2atr' is not valid: give 2% (percent of the close, below 100%) or 0.75 (price distance)" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --trail 2atr
expect_err "bad --exit-at" 2 "--exit-at '24:00' is not valid: give a clock time HH:MM or HH:MM:SS" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --exit-at 24:00
expect_err "bad --max-position" 2 "--max-position '-5' is not valid: give 100 (shares) or 50% (percent of the portfolio value" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --max-position -5
expect_err "bad --time-exit" 2 "--time-exit '0' is not valid: give a whole number of bars >= 1" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --time-exit 0
expect_err "--stop-loss without value" 2 "--stop-loss needs a value" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --stop-loss
expect_err "flag and param disagree" 2 "stop_loss is set twice: the run says 3% and the strategy 2%; give it once" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --stop-loss 3% --param stop_loss_pct=2
check "flag and param agree" "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --stop-loss 2% --param stop_loss_pct=2
check "help lists risk flags" bash -c "'$cli' run --help | grep -q -- '--exit-at HH:MM' && '$cli' run --help | grep -q -- '--allow-pyramiding'"
# The document records the risk settings; exits carry their reasons.
"$cli" run --strategy sma_cross --data "$tmp/sample.csv" --stop-loss 1% --take-profit @1000000 --trades all --json >"$tmp/risk.json"
check "risk in config" bash -c "grep -q '\"stop_loss\": \"1%\"' '$tmp/risk.json' && grep -q '\"one_position_per_symbol\": true' '$tmp/risk.json'"
check "stop_loss exits" grep -q '"exit_reason": "stop_loss"' "$tmp/risk.json"
check "take-profit far above is never hit" bash -c "! grep -q '\"exit_reason\": \"take_profit\"' '$tmp/risk.json'"
"$cli" run --strategy sma_cross --data "$tmp/sample.csv" --time-exit 3 --trades all --json >"$tmp/time.json"
check "time_exit exits" grep -q '"exit_reason": "time_exit"' "$tmp/time.json"
# The old parameter shortcut still works and is recorded the same way.
"$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param stop_loss_pct=1 --trades all --json >"$tmp/param.json"
check "param shortcut same trades as the flag" bash -c "diff <(grep exit_reason '$tmp/risk.json') <(grep exit_reason '$tmp/param.json') >/dev/null"
# t6 with a 2% stop: the buy fills at O[3] 103, the stop sits at
# 103 * 0.98 = 100.94 and bar 4 (O104 L100) goes through it: one trade, exit
# 100.94, and the summary names the exit.
t6 --stop-loss 2% >"$tmp/sl6.json"
check "stop-loss fills at 100.94" fills "$tmp/sl6.json" 103 100.94
check "summary counts the exits" has "$tmp/sl6.json" 'Exits: 1 stop_loss.'
check "no risk object by default" bash -c "! grep -q '\"risk\"' '$tmp/a.json'"

# One 1-minute session (390 bars): the yearly and daily Sharpe ratios are
# undefined (one day), the timeframe-fitted one is a number annualised with
# 252 sessions x 390 bars = 98280 bar periods a year, and the summary says
# which one it shows instead of a bare "-".
"$cli" data sample --timeframe 1m --bars 390 --seed 5 --out "$tmp/one_session.csv" >/dev/null 2>&1
"$cli" run --strategy sma_cross --data "$tmp/one_session.csv" --param fast=5 --param slow=20 --json \
  >"$tmp/one_session.json" 2>/dev/null
check "intraday: fitted Sharpe and annual return" python3 -c "
import json, math, sys
m = json.load(open(sys.argv[1]))['metrics']
assert m['sharpe_ratio'] is None and m['sharpe_ratio_daily_annualized'] is None, m
assert isinstance(m['sharpe_ratio_annualized'], float) and math.isfinite(m['sharpe_ratio_annualized']), m
assert m['annualization_periods'] == 98280, m['annualization_periods']
" "$tmp/one_session.json"
check "intraday: the summary names the fitted Sharpe" bash -c \
  "'$cli' run --strategy sma_cross --data '$tmp/one_session.csv' --param fast=5 --param slow=20 | grep -q 'on intraday bar returns, annualized (98280 bars a year)'"

# regression (issue 9, membar): printed alone, the document's trades, orders
# and series are written item by item (never held whole); with --out the
# tree is built whole. The two are the same bytes, timings apart.
"$cli" data sample --timeframe 1m --bars 3000 --seed 9 --out "$tmp/stream.csv" >/dev/null 2>&1
"$cli" run --strategy sma_cross --data "$tmp/stream.csv" --param fast=3 --param slow=12 --json \
  --orders --trades all --series >"$tmp/streamed.json" 2>/dev/null
"$cli" run --strategy sma_cross --data "$tmp/stream.csv" --param fast=3 --param slow=12 --json \
  --orders --trades all --series --out "$tmp/whole_out.json" >"$tmp/whole.json" 2>/dev/null
check "streamed document: same bytes as the whole tree" bash -c "
  mask() { sed -E 's/\"[a-z_]*_ms\": [0-9.e+-]+/T/g' \"\$1\"; }
  test \$(grep -c '\"exectype\"' '$tmp/streamed.json') -gt 50 &&
  cmp -s <(mask '$tmp/streamed.json') <(mask '$tmp/whole.json')"

finish
