#!/usr/bin/env bash
# test_script_templates_cli.sh: `stratlab script templates` and `script
# new` (seed 000's Script Template System): the five templates are listed
# with typed variables; invalid values are rejected before anything is
# written, each with its allowed form, all at once, exit 2; a value that
# tries to reach the code is refused; every template renders, compiles and
# runs in the sandbox; the orb template's trade on hand-made sessions is the
# hand-computed one and the built-in orb's; param_compare runs one row per
# trailing stop. Hand numbers as in tests/cli/test_orb_cli.sh: range high
# 101.5 (09:30-09:31), breakout close 101.75 at 09:32, buy at 09:33's open
# 102, session exit (exit_time 09:38: the 09:37 bar ends then) at 09:38's
# open 103.25; 10 shares, no commission: pnl (103.25 - 102) * 10 = 12.5.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/script_tpl_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
. "$(dirname "$0")/lib.sh"

out="$("$cli" script templates --json)"
check "templates --json: the five, typed" python3 -c '
import json, sys
t = {x["name"]: x for x in json.loads(sys.argv[1])}
assert sorted(t) == ["indicator_signal", "mean_reversion", "momentum", "orb", "param_compare"], sorted(t)
v = {x["name"]: x for x in t["orb"]["variables"]}
assert v["ticker"]["type"] == "ticker" and v["ticker"]["required"] is True, v["ticker"]
assert v["trailing_stop_pct"]["min"] == 0 and v["trailing_stop_pct"]["max"] == 99
assert v["direction"]["choices"] == ["long", "short", "both"], v["direction"]
assert v["exit_time"]["type"] == "time" and v["exit_time"]["default"] == "15:55"
' "$out"
check "templates (text) names each" bash -c '"$1" script templates | grep -q "^param_compare"' _ "$cli"

# invalid values: one line, every problem, the allowed form, no file
expect_err "bad ticker" 2 "ticker=hood is not valid: use a ticker: 1-12 of A-Z 0-9 . -" \
  "$cli" script new orb --set ticker=hood --set date=2025-07-31 -o "$tmp/x.c"
expect_err "bad date" 2 "date=2025-02-30 is not valid: use a date YYYY-MM-DD" \
  "$cli" script new orb --set ticker=HOOD --set date=2025-02-30 -o "$tmp/x.c"
expect_err "number out of range" 2 "trailing_stop_pct=150 is not valid: use a number from 0 to 99" \
  "$cli" script new orb --set ticker=HOOD --set date=2025-07-31 --set trailing_stop_pct=150
expect_err "not a number" 2 "opening_range_minutes=5.5 is not valid: use a whole number from 1 to 390" \
  "$cli" script new orb --set ticker=HOOD --set date=2025-07-31 --set opening_range_minutes=5.5
expect_err "enum" 2 "direction=up is not valid: use one of long,short,both" \
  "$cli" script new orb --set ticker=HOOD --set date=2025-07-31 --set direction=up
expect_err "time" 2 "exit_time=25:00 is not valid: use a time HH:MM" \
  "$cli" script new orb --set ticker=HOOD --set date=2025-07-31 --set exit_time=25:00
expect_err "required" 2 "date is required" "$cli" script new orb --set ticker=HOOD
expect_err "unknown variable" 2 "unknown variable colour (orb takes: ticker, date" \
  "$cli" script new orb --set ticker=HOOD --set date=2025-07-31 --set colour=red
expect_err "unknown template" 2 "no template 'donchian'; the templates are: orb," \
  "$cli" script new donchian
expect_err "list out of range" 2 "trailing_stops=1,2,200 is not valid: use 1 to 20 numbers" \
  "$cli" script new param_compare --set ticker=HOOD --set date=2025-07-31 --set trailing_stops=1,2,200
expect_err "hex is not a number" 2 "trailing_stop_pct=0x10 is not valid" \
  "$cli" script new orb --set ticker=HOOD --set date=2025-07-31 --set trailing_stop_pct=0x10
# code injection through a value: refused, nothing written
expect_err "injection" 2 "is not valid: use a ticker" \
  "$cli" script new orb --set 'ticker=A");}int x(){' --set date=2025-07-31 -o "$tmp/inj.c"
check "nothing written on a rejection" test ! -e "$tmp/x.c" -a ! -e "$tmp/inj.c"
out="$("$cli" script new orb --set ticker=hood --set date=x --set trailing_stop_pct=-1 2>&1)"
check "all problems at once, one line" test "$(grep -c 'is not valid' <<<"$out")" -eq 1 -a \
  "$(grep -o 'is not valid' <<<"$out" | wc -l)" -eq 3

# hand-made sessions (tests/cli/test_orb_cli.sh)
orb_two_sessions "$tmp"
"$cli" script new orb --set ticker=ACME --set date=2025-07-02 --set market_filter=IDX \
  --set opening_range_minutes=2 --set exit_time=09:38 --set trailing_stop_pct=0 -o "$tmp/orb.c" 2>/dev/null
check "orb renders" grep -q '^//! stratlab run: --symbol ACME --from 2025-07-02 --to 2025-07-02 --timeframe 1m --market IDX$' "$tmp/orb.c"
D=(--data ACME="$tmp/acme.csv" --data IDX="$tmp/idx.csv" --sizer fixed:10 --commission 0 --json --trades all)
"$cli" run --script "$tmp/orb.c" "${D[@]}" >"$tmp/s.json"
check "orb script runs on two feeds" test $? -eq 0
"$cli" run --strategy orb "${D[@]}" --param opening_range_minutes=2 --param exit_time=09:38 \
  --param trailing_stop_pct=0 --param market_filter=IDX >"$tmp/b.json"
check "orb script: the hand-computed trade, the built-in's trades" python3 -c '
import json, sys
s, b = (json.load(open(p)) for p in sys.argv[1:])
t, = s["trades"]  # day 1 has no previous IDX session: no trade
assert t["entry_time"].startswith("2025-07-02T09:33") and t["entry_price"] == 102, t
assert t["exit_time"].startswith("2025-07-02T09:38") and t["exit_price"] == 103.25, t
assert t["pnl"] == 12.5 and t["exit_reason"] == "session_close", t
assert s["trades"] == b["trades"] and s["final"] == b["final"], (s["trades"], b["trades"])
assert s["execution"]["status"] == "ok"
' "$tmp/s.json" "$tmp/b.json"
# the filter as a text parameter (slab_param_text in the sandbox): a file
# rendered without it, given --param market_filter=IDX, trades day 2 only;
# without the parameter it trades both days
"$cli" script new orb --set ticker=ACME --set date=2025-07-02 --set opening_range_minutes=2 \
  --set exit_time=09:38 --set trailing_stop_pct=0 -o "$tmp/orb_nf.c" 2>/dev/null
"$cli" run --script "$tmp/orb_nf.c" "${D[@]}" --param market_filter=IDX >"$tmp/nf1.json"
"$cli" run --script "$tmp/orb_nf.c" "${D[@]}" >"$tmp/nf0.json"
check "market_filter by --param reaches the script" python3 -c '
import json, sys
f, n = (json.load(open(p)) for p in sys.argv[1:])
assert [t["entry_time"][:10] for t in f["trades"]] == ["2025-07-02"], f["trades"]
assert [t["entry_time"][:10] for t in n["trades"]] == ["2025-07-01", "2025-07-02"], n["trades"]
assert f["backtest"]["config"]["params"]["market_filter"] == "IDX", f["backtest"]["config"]
' "$tmp/nf1.json" "$tmp/nf0.json"
# --date runs one session; the filter still sees the day before (preroll)
"$cli" run --script "$tmp/orb.c" "${D[@]}" --date 2025-07-02 >"$tmp/s1.json"
check "orb script --date: the one trade" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
t, = s["trades"]
assert t["pnl"] == 12.5, t
' "$tmp/s1.json"
# no --data: the script's run line names ACME, the day and (--market) IDX in the store
"$cli" data import "$tmp/acme.csv" --symbol ACME >/dev/null
"$cli" data import "$tmp/idx.csv" --symbol IDX >/dev/null
"$cli" run --script "$tmp/orb.c" --sizer fixed:10 --commission 0 --json --trades all >"$tmp/s2.json"
check "orb script: data from its run line (two stored symbols, one day)" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["backtest"]["symbols"] == ["ACME", "IDX"], s["backtest"]["symbols"]
t, = s["trades"]
assert t["pnl"] == 12.5 and t["entry_time"].startswith("2025-07-02T09:33"), t
' "$tmp/s2.json"
expect_err "filter feed missing: one line" 1 "market_filter=IDX is not one of the run's feeds" \
  "$cli" run --script "$tmp/orb.c" --data ACME="$tmp/acme.csv" --sizer fixed:10

# param_compare: one run per trailing stop, from the hint's --compare
"$cli" script new param_compare --set ticker=ACME --set date=2025-07-02 --set market_filter=IDX \
  --set opening_range_minutes=2 --set exit_time=09:38 --set trailing_stops=0,1,2 \
  -o "$tmp/cmp.c" 2>/dev/null
out="$("$cli" run --script "$tmp/cmp.c" --data ACME="$tmp/acme.csv" --data IDX="$tmp/idx.csv" \
  --sizer fixed:10 --commission 0 --json)"
check "param_compare: three runs side by side" python3 -c '
import json, sys
c = json.loads(sys.argv[1])["comparison"]
assert c["parameter"] == "trailing_stop_pct" and [r["value"] for r in c["runs"]] == [0, 1, 2], c
assert c["runs"][0]["num_trades"] == 1 and c["runs"][0]["total_pnl"] == 12.5, c["runs"][0]
' "$out"

# every template validates clean (compiled in the jail, no finding)
for f in orb orb_nf cmp; do
  check "validate $f.c: valid, no warning" bash -c '"$1" validate "$2" | tail -1 | grep -q ": valid (0 errors, 0 warnings)$"' _ "$cli" "$tmp/$f.c"
done
# the validator: every finding with line:col (positions counted by hand in
# the file below), errors before warnings, exit 1
cat >"$tmp/bad.c" <<'EOT'
#include <stratlab/strategy.h>
#include <stdio.h>
#include "secret.h"
/* fopen("x") in a comment is not a call */
__attribute__((constructor)) static void boot(void) { }
static int init(slab_ctx *ctx, void *s) {
    int c = SLAB_CLOSE; double p = 14;
    (void)s; puts("fopen(");
    return slab_indicator(ctx, "RSII", &c, 1, &p, 1) < 0 ? -1 : 0;
}
static void next(slab_ctx *ctx, void *s) { (void)ctx; (void)s; system("id"); }
EOT
"$cli" validate "$tmp/bad.c" --json >"$tmp/v.json"
check "validate bad.c: exit 1" test $? -eq 1
check "validate bad.c: the findings" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["valid"] is False and d["compiled"] is True, d
got = [(x["severity"], x["code"], x["line"], x["column"]) for x in d["items"] if x["code"] != "compile"]
want = [("error", "registration", 0, 0), ("error", "include", 3, 1), ("error", "forbidden", 5, 16),
        ("error", "indicator", 9, 32), ("error", "forbidden", 11, 64), ("warning", "include", 2, 1)]
assert got == want, got
ind = [x for x in d["items"] if x["code"] == "indicator"][0]
assert "did you mean \"RSI\"" in ind["message"], ind
assert any(x["code"] == "compile" and x["line"] == 3 for x in d["items"]), d["items"]
' "$tmp/v.json"

# a positive literal ago reads the future (ago counts back: -1 is the
# previous bar): an error at the literal; -1, 0 and a variable pass.
# Columns counted by hand: line 4 "    double a = slab_get(ctx, SLAB_CLOSE, "
# is 41 characters, so the 1 is at 42; line 5's "+2" follows 79 characters.
cat >"$tmp/peek.c" <<'EOT'
#include <stratlab/strategy.h>
static void next(slab_ctx *ctx, void *s) {
    int k = -1; (void)s;
    double a = slab_get(ctx, SLAB_CLOSE, 1) + slab_get(ctx, SLAB_CLOSE, -1);
    double b = slab_get(ctx, SLAB_CLOSE, k) + slab_feed_get(ctx, 1, SLAB_HIGH, +2);
    if (a > b && slab_time(ctx, 0) > 0) slab_buy(ctx, 0);
}
SLAB_STRATEGY(.name = "peek", .next = next);
EOT
"$cli" validate "$tmp/peek.c" --json >"$tmp/peek.json"
check "validate peek.c: exit 1" test $? -eq 1
check "validate peek.c: two lookahead errors at the literals" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = [(x["severity"], x["code"], x["line"], x["column"]) for x in d["items"]]
assert got == [("error", "lookahead", 4, 42), ("error", "lookahead", 5, 80)], d["items"]
assert "use -2 for 2 bar(s) ago" in d["items"][1]["message"], d["items"][1]
' "$tmp/peek.json"
# ... and running it anyway says so: a warning with the count, in the summary too
"$cli" data sample --symbol SAMP --bars 50 --out "$tmp/peek.csv" >/dev/null
check "run peek.c: the lookahead_refused warning counts 2 reads a bar" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.run([sys.argv[1], "run", "--script", sys.argv[2], "--data", sys.argv[3], "--json"],
                              capture_output=True, text=True).stdout)
w = [x for x in d["warnings"] if x["code"] == "lookahead_refused"]
assert len(w) == 1 and w[0]["reads"] == 2 * 50 == d["execution"]["lookahead_attempts"], (w, d["execution"])
assert "asked for a future bar 100 times" in d["summary"], d["summary"]
' "$cli" "$tmp/peek.c" "$tmp/peek.csv"

# the daily templates render, compile and run (sample bars)
"$cli" data sample --symbol SAMP --bars 300 --out "$tmp/samp.csv" >/dev/null
for t in indicator_signal mean_reversion momentum; do
  "$cli" script new $t --set ticker=SAMP --set from=2015-01-02 --set to=2016-03-01 \
    -o "$tmp/$t.c" 2>/dev/null
  out="$("$cli" run --script "$tmp/$t.c" --data "$tmp/samp.csv" --json)"
  check "$t validates" bash -c '"$1" validate "$2" | tail -1 | grep -q ": valid (0 errors, 0 warnings)$"' _ "$cli" "$tmp/$t.c"
  check "$t renders, compiles and runs" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["execution"]["status"] == "ok", d["execution"]
assert d["backtest"]["strategy"] == sys.argv[2], d["backtest"]["strategy"]
' "$out" "$t"
done
finish
