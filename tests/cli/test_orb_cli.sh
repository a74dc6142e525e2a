#!/usr/bin/env bash
# test_orb_cli.sh: several feeds and the built-in orb from the command line
# (issue 10), on hand-made 1-minute sessions: --data SYM=FILE twice, the
# same from the store with --symbol twice, --date with the filter's
# previous session loaded before it, --stamp end, the result's symbol,
# exit_reason, highest_price, mfe_capture and days, and one-line errors.
# Expected values as in tests/unit/test_orb.c (breakout_then_session_close):
# range high 101.5, breakout close 101.75 at 09:32, buy at 09:33's open 102,
# session exit at 09:38's open 103.25; stake 10 shares, no commission.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/orb_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
. "$(dirname "$0")/lib.sh"

# ACME: the breakout session on 2025-07-01 and again on 2025-07-02.
# IDX: 2025-07-01 ends at 200; on 2025-07-02 it reads 201 at 09:31 and has
# no 09:32 bar, so the filter passes (201 > 200) at ACME's 09:32 breakout.
orb_two_sessions "$tmp"
P=(--strategy orb --param opening_range_minutes=2 --param exit_time=09:38 --param trailing_stop_pct=0
   --sizer fixed:10 --commission 0)

out="$("$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --data IDX="$tmp/idx.csv" \
  --param market_filter=IDX --json --orders)"
check "two feeds, filter: day 1 no prior session, day 2 traded" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["backtest"]["symbols"] == ["ACME", "IDX"], d["backtest"]["symbols"]
days = d["days"]
assert [x["decision"] for x in days] == ["no_prior_session", "traded"], days
assert days[1]["breakout_time"] == "09:32" and days[1]["filter_bar_time"] == "09:31", days[1]
assert days[1]["filter_close"] == 201 and days[1]["filter_prev_close"] == 200, days[1]
assert days[1]["range_high"] == 101.5 and days[1]["entry_status"] == "Completed", days[1]
t, = d["trades"]
assert t["symbol"] == "ACME" and t["exit_reason"] == "session_close", t
assert t["entry_price"] == 102 and t["exit_price"] == 103.25 and t["pnl"] == 12.5, t
assert t["highest_price"] == 103.5 and t["max_gain"] == 1.5, t
assert abs(t["mfe_capture"] - 1.25 / 1.5) < 1e-12, t
assert all(o["symbol"] == "ACME" for o in d["orders"]), d["orders"]
' "$out"

# --date: one session; IDX is loaded from days before, so the filter knows
# its previous close and 2025-07-02 trades alone.
out="$("$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --data IDX="$tmp/idx.csv" \
  --param market_filter=IDX --date 2025-07-02 --json)"
check "--date runs one session with the filter's previous close" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["backtest"]["bars"] == 10, d["backtest"]["bars"]
assert [x["decision"] for x in d["days"]] == ["traded"], d["days"]
assert len(d["trades"]) == 1 and d["trades"][0]["pnl"] == 12.5, d["trades"]
' "$out"

# The same from the store.
"$cli" data import "$tmp/acme.csv" --symbol ACME >/dev/null
"$cli" data import "$tmp/idx.csv" --symbol IDX >/dev/null
out="$("$cli" run "${P[@]}" --symbol ACME --symbol IDX --param market_filter=IDX --json)"
check "--symbol twice from the store" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert [x["decision"] for x in d["days"]] == ["no_prior_session", "traded"], d["days"]
assert d["trades"][0]["pnl"] == 12.5
' "$out"

# The earnings calendar: ACME reports after the close of 2025-07-01, so
# with skip_earnings the 2025-07-02 session is skipped_earnings.
printf 'symbol,date,when\nACME,2025-07-01,amc\nIDX,2025-07-02,bmo\n' >"$tmp/earn.csv"
check "import-earnings" bash -c "'$cli' data import-earnings '$tmp/earn.csv' | grep -qF 'imported 2 earnings releases'"
out="$("$cli" run "${P[@]}" --symbol ACME --symbol IDX --param skip_earnings=true --json)"
check "skip_earnings from the store" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert [x["decision"] for x in d["days"]] == ["traded", "skipped_earnings"], d["days"]
assert len(d["trades"]) == 1
assert "1 skipped for earnings" in d["summary"], d["summary"]
' "$out"
printf 'symbol,date,when\nACME,2025-07-01,at noon\n' >"$tmp/bad_earn.csv"
expect_err "import-earnings bad when" 3 "bad_earn.csv:2:3: bad when 'at noon': give bmo (before the open) or amc (after the close)" \
  "$cli" data import-earnings "$tmp/bad_earn.csv"

# The text summary in the seed's shape.
out="$("$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --data IDX="$tmp/idx.csv" \
  --param market_filter=IDX --date 2025-07-02)"
check "summary: entry with why" grep -qF "Entry: long 102.00 at 09:33 (breakout above 101.50 confirmed at 09:32; IDX +0.50% on its prior close)." <<<"$out"
check "summary: exit and P&L" grep -qF "Exit: 103.25 at 09:38 (session_close). P&L +12.50" <<<"$out"
check "summary: sessions" grep -qF "Sessions: 1: 1 traded, 0 blocked by the filter" <<<"$out"
check "next runs: a wider trail" grep -qF "stratlab run --strategy orb --param opening_range_minutes=2 --param exit_time=09:38 --sizer fixed:10 --commission 0 --data ACME=$tmp/acme.csv --data IDX=$tmp/idx.csv --param market_filter=IDX --date 2025-07-02 --param trailing_stop_pct=1" <<<"$out"
check "next runs: more dates" grep -qF -- "--param market_filter=IDX --from 2025-06-02 --to 2025-07-02" <<<"$out"
check "next runs: without the filter" grep -qE -- "--data IDX=[^ ]+ --date 2025-07-02$" <<<"$out"

# --stamp end: the same bars read as stamped at their end start a minute
# earlier, so the 09:30 bar falls before the session and the range is the
# 09:31-09:32 bars (high 102): 09:33 closes 102.5 > 102 -> traded at
# 09:34's open 102.5.
out="$("$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --stamp end --json)"
check "--stamp end moves the range" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["days"][0]["range_high"] == 102 and d["days"][0]["breakout_time"] == "09:33", d["days"][0]
assert d["trades"][0]["entry_price"] == 102.5, d["trades"][0]
' "$out"

# data import --tz/--stamp: UTC end stamps become New York start stamps
# (January: UTC-5, July: UTC-4), so both first bars are stored at 09:30.
cat >"$tmp/utc.csv" <<EOF
$hdr
2025-01-02,14:31:00,10,10,10,10,1,0
2025-01-02,14:32:00,10,10,10,10,1,0
2025-07-01,13:31:00,10,10,10,10,1,0
2025-07-01,13:32:00,10,10,10,10,1,0
EOF
out="$("$cli" data import "$tmp/utc.csv" --symbol UTCX --tz UTC --stamp end --timeframe 1m)"
check "import --tz UTC --stamp end" grep -qF "4 bars, 2025-01-02T09:30:00 .. 2025-07-01T09:31:00" <<<"$out"
expect_err "import unknown zone" 2 "unknown time zone 'Mars/Base'" \
  "$cli" data import "$tmp/utc.csv" --symbol UTCX --tz Mars/Base
expect_err "import bad stamp" 2 "--stamp is start or end, got 'middle'" \
  "$cli" data import "$tmp/utc.csv" --symbol UTCX --stamp middle

# data synth: the seed's request end to end on synthetic bars.
"$cli" data synth --symbol HOOD --symbol QQQ --from 2025-07-01 --to 2025-07-31 --timeframe 1m >/dev/null
out="$("$cli" run --strategy orb --symbol HOOD --symbol QQQ --date 2025-07-31 \
  --param trailing_stop_pct=2 --param market_filter=QQQ --json)"
check "synth + orb on one date" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["backtest"]["synthetic"] is True and d["backtest"]["bars"] == 390, d["backtest"]
day, = d["days"]
assert day["date"] == "2025-07-31" and day["decision"] != "no_prior_session", day
assert "Synthetic data" in d["summary"], d["summary"]
' "$out"
# next_runs: ready commands that change one thing; the files this run
# wrote (--out, --report) are left out so a next run does not overwrite them
"$cli" run --strategy orb --symbol HOOD --symbol QQQ --date 2025-07-31 --param trailing_stop_pct=2 \
  --param market_filter=QQQ --json --out "$tmp/nr.json" --report "$tmp/nr.html" >/dev/null
check "next_runs: tighter, wider, 30 days, no filter; none writes this run's files" python3 -c '
import json, sys
runs = json.load(open(sys.argv[1]))["next_runs"]
cmds = [r["command"] for r in runs]
assert len(cmds) == 4, cmds
assert "trailing_stop_pct=1" in cmds[0] and "trailing_stop_pct=3" in cmds[1], cmds
assert "--from 2025-07-01 --to 2025-07-31" in cmds[2] and "--date" not in cmds[2], cmds[2]
assert "market_filter" not in cmds[3], cmds[3]
assert all("--out" not in c and "--report" not in c for c in cmds), cmds
' "$tmp/nr.json"
mkdir -p "$tmp/s1" "$tmp/s2"
"$cli" data synth --symbol HOOD --symbol QQQ --from 2025-07-01 --to 2025-07-03 --out "$tmp/s1" >/dev/null
"$cli" data synth --symbol HOOD --from 2025-07-01 --to 2025-07-03 --index QQQ --out "$tmp/s2" >/dev/null
check "synth is deterministic, a symbol alone the same" cmp -s "$tmp/s1/HOOD.csv" "$tmp/s2/HOOD.csv"
check "synth: 390 bars a session, the 4th of July skipped" test "$(wc -l <"$tmp/s1/QQQ.csv")" -eq $((3 * 390 + 1))
expect_err "synth without --symbol" 2 "data synth needs at least one --symbol SYM" \
  "$cli" data synth --from 2025-07-01 --to 2025-07-31
expect_err "synth weekly" 2 "synthetic bars come in 1 to 390 minutes or 1 day, not this timeframe; give --timeframe 1m, 5m, 15m, 1h or 1d" \
  "$cli" data synth --symbol X --from 2025-07-01 --to 2025-07-31 --timeframe 1w --out "$tmp/s1"

# --timeframe 5m on 1-minute bars resamples inside the session: 09:30-09:34
# and 09:35-09:39 on each day, 4 bars; the first opens 100 and closes 102.75.
out="$("$cli" run --strategy buy_hold --data ACME="$tmp/acme.csv" --timeframe 5m --json --orders)"
check "--timeframe 5m resamples 1m bars" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["backtest"]["timeframe"] == "5m" and d["backtest"]["bars"] == 4, d["backtest"]
o = d["orders"][0]
assert o["created_time"] == "2025-07-01T09:30:00" and o["created_price"] == 102.75, o
assert o["exec_time"] == "2025-07-01T09:35:00" and o["exec_price"] == 102.75, o
' "$out"

check "strategies lists orb's time and text parameters" bash -c "'$cli' strategies | grep -qE 'exit_time +time +default 15:55 +range 00:00..23:59'"
check "strategies --json: exit_time as text" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "strategies", "--json"]))
p = {x["name"]: x for s in d if s["name"] == "orb" for x in s["params"]}
assert p["exit_time"]["default"] == "15:55" and p["market_filter"]["default"] == "", p
' "$cli"

# The same from the store: ACME is stored in 1m only, so 5m is resampled.
out="$("$cli" run --strategy buy_hold --symbol ACME --timeframe 5m --json)"
check "--timeframe 5m resamples a stored 1m symbol" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["backtest"]["timeframe"] == "5m" and d["backtest"]["bars"] == 4, d["backtest"]
' "$out"

expect_err "filter not a feed" 2 "market_filter=QQQ is not one of the run's feeds; add it (--symbol QQQ, or --data QQQ=FILE)" \
  "$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --param market_filter=QQQ
expect_err "--data SYM= without a file" 2 "--data 'ACME=' names no file" \
  "$cli" run "${P[@]}" --data ACME=
expect_err "same symbol twice" 2 "symbol ACME is given twice" \
  "$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --data ACME="$tmp/idx.csv"
expect_err "bad exit_time" 2 "exit_time=9h is not a time of day HH:MM" \
  "$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --param exit_time=9h
expect_err "daily bars" 2 "orb needs intraday bars" \
  "$cli" run --strategy orb --data ACME="$tmp/acme.csv" --timeframe 1d
expect_err "--date and --from" 2 "give --date D or --from/--to, not both" \
  "$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --date 2025-07-02 --from 2025-07-01
expect_err "--date without bars" 3 "" \
  "$cli" run "${P[@]}" --data ACME="$tmp/acme.csv" --date 2025-08-01
finish
