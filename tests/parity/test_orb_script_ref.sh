#!/usr/bin/env bash
# test_orb_script_ref.sh: the orb template (stratlab script new orb) run as
# a sandboxed script on ../shared/reference/orb gives the built-in orb's
# result bit for bit: every trade, the analyzers, metrics, stats, final
# values, orders and session records (`days`) of the two result documents
# are equal (the built-in's own independent run is the expectation), with
# the market filter (two feeds through the sandbox, --param
# market_filter=IDX) and without it, and with skip_earnings on a calendar
# imported into the store (the skipped sessions named by hand). Both are also held to backtrader's reference directly:
# trade count, entry/exit times and prices of each trade, final value
# within 1e-9 relative (reference/orb/orb_acme_*.json).
# Skips (77) when ../shared is absent (tests/support/shared.sh).
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
here="$(dirname "$0")"
. "$here/../support/shared.sh"
. "$here/../cli/lib.sh"
shared_ref reference/orb/acme_1m.csv reference/orb/idx_1m.csv \
  reference/orb/orb_acme_filter.json reference/orb/orb_acme_nofilter.json
R="$SLAB_SHARED/reference/orb"
tmp="${SLAB_TMP:-/tmp}/orb_script_ref.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
# the reference's settings (reference/orb/README.md)
C=(--data "ACME=$R/acme_1m.csv" --data "IDX=$R/idx_1m.csv" --cash 100000 --commission 0.001
   --sizer percent:95 --json --trades all --orders)

compare() { # NAME BUILTIN.json SCRIPT.json REFERENCE.json
  python3 - "$@" <<'PY'
import json, sys
name, bp, sp, rp = sys.argv[1:]
b, s, ref = (json.load(open(p)) for p in (bp, sp, rp))
assert s["execution"]["status"] == "ok", s["execution"]
assert b["backtest"]["source"] == "builtin" and s["backtest"]["source"] == "script"
for k in ("trades", "trades_total", "analyzers", "metrics", "stats", "final", "orders", "days"):
    assert k in b, (name, k, "missing in the built-in's document")
    assert b[k] == s.get(k), (name, k, "differs between built-in and script")
assert b["backtest"]["symbols"] == s["backtest"]["symbols"] == ["ACME", "IDX"]
# backtrader's own run (independent of both)
rt, st = ref["trades"], s["trades"]
assert len(st) == len(rt) == ref["counts"]["closed_trades"], (len(st), len(rt))
for x, y in zip(st, rt):
    assert x["entry_time"].replace(" ", "T")[:19] == y["entry_dt"], (x, y)
    assert x["exit_time"].replace(" ", "T")[:19] == y["exit_dt"], (x, y)
    assert abs(x["entry_price"] - y["entry_price"]) <= 1e-9 * abs(y["entry_price"]), (x, y)
    assert abs(x["exit_price"] - y["exit_price"]) <= 1e-9 * abs(y["exit_price"]), (x, y)
    assert x["exit_reason"] == y["exit_reason"], (x, y)
fv = s["final"]["value"]
assert abs(fv - ref["final"]["value"]) <= 1e-9 * ref["final"]["value"], (fv, ref["final"])
print(name, "ok:", len(st), "trades, final", fv)
PY
}

# with the filter: the template renders it as the default; the built-in
# gets it as a parameter
"$cli" script new orb --set ticker=ACME --set date=2025-06-02 --set market_filter=IDX \
  -o "$tmp/orb_filter.c" 2>/dev/null
check "render orb (filter)" test -s "$tmp/orb_filter.c"
"$cli" run --strategy orb "${C[@]}" --param market_filter=IDX >"$tmp/b_filter.json"
check "built-in orb, filter" test $? -eq 0
"$cli" run --script "$tmp/orb_filter.c" "${C[@]}" >"$tmp/s_filter.json"
check "script orb, filter (template default)" test $? -eq 0
check "filter: script == built-in == backtrader" \
  compare filter "$tmp/b_filter.json" "$tmp/s_filter.json" "$R/orb_acme_filter.json"
# the filter given as --param to the script, as to the built-in
"$cli" run --script "$tmp/orb_filter.c" "${C[@]}" --param market_filter=IDX >"$tmp/s_filter2.json"
check "filter by --param: script == built-in" \
  compare filter-param "$tmp/b_filter.json" "$tmp/s_filter2.json" "$R/orb_acme_filter.json"

# without the filter (IDX still loaded: the clock is the two feeds' union)
"$cli" script new orb --set ticker=ACME --set date=2025-06-02 -o "$tmp/orb_nofilter.c" 2>/dev/null
"$cli" run --strategy orb "${C[@]}" >"$tmp/b_nofilter.json"
check "built-in orb, no filter" test $? -eq 0
"$cli" run --script "$tmp/orb_nofilter.c" "${C[@]}" >"$tmp/s_nofilter.json"
check "script orb, no filter" test $? -eq 0
check "no filter: script == built-in == backtrader" \
  compare nofilter "$tmp/b_nofilter.json" "$tmp/s_nofilter.json" "$R/orb_acme_nofilter.json"

# the filter as a --param to a file rendered without one (slab_param_text)
"$cli" run --script "$tmp/orb_nofilter.c" "${C[@]}" --param market_filter=IDX >"$tmp/s_nf_f.json"
check "no-filter file + --param market_filter=IDX == built-in with the filter" \
  compare nofilter-param "$tmp/b_filter.json" "$tmp/s_nf_f.json" "$R/orb_acme_filter.json"

# one day (--date): the filter's previous session comes from the preroll
for day in 2025-06-03 2025-06-27; do
  "$cli" run --strategy orb "${C[@]}" --param market_filter=IDX --date $day >"$tmp/b_day.json"
  "$cli" run --script "$tmp/orb_filter.c" "${C[@]}" --date $day >"$tmp/s_day.json"
  check "--date $day: script trades == built-in trades" python3 -c '
import json, sys
b, s = (json.load(open(p)) for p in sys.argv[1:])
assert b["trades"] == s["trades"] and b["final"] == s["final"], (b["trades"], s["trades"])
assert b["days"] == s["days"] and len(s["days"]) == 1, (b["days"], s["days"])
assert len(s["trades"]) == 1, s["trades"]
' "$tmp/b_day.json" "$tmp/s_day.json"
done
# --stamp end: the same bars stamped at their end (+1 minute): slab_stamp_end
# and slab_bar_ns in the script, the built-in's trades again (and backtrader's
# count: the rules see the same bar starts)
python3 - "$R" "$tmp" <<'PY'
import datetime, sys
r, t = sys.argv[1:]
for name in ("acme_1m.csv", "idx_1m.csv"):
    rows = open(f"{r}/{name}").read().splitlines()
    out = [rows[0]]
    for line in rows[1:]:
        f = line.split(",")
        s = datetime.datetime.strptime(f[0] + " " + f[1], "%Y-%m-%d %H:%M:%S") + datetime.timedelta(minutes=1)
        f[0], f[1] = s.strftime("%Y-%m-%d"), s.strftime("%H:%M:%S")
        out.append(",".join(f))
    open(f"{t}/end_{name}", "w").write("\n".join(out) + "\n")
PY
E=(--data "ACME=$tmp/end_acme_1m.csv" --data "IDX=$tmp/end_idx_1m.csv" --stamp end --cash 100000
   --commission 0.001 --sizer percent:95 --json --trades all)
"$cli" run --strategy orb "${E[@]}" --param market_filter=IDX >"$tmp/b_end.json"
"$cli" run --script "$tmp/orb_filter.c" "${E[@]}" >"$tmp/s_end.json"
check "--stamp end: script trades == built-in trades, backtrader's count" python3 -c '
import json, sys
b, s, ref = (json.load(open(p)) for p in sys.argv[1:])
assert b["trades"] == s["trades"] and b["final"] == s["final"], (b["trades"], s["trades"])
assert len(s["trades"]) == ref["counts"]["closed_trades"], len(s["trades"])
' "$tmp/b_end.json" "$tmp/s_end.json" "$R/orb_acme_filter.json"
# skip_earnings (the store's calendar): ACME reports before the open of
# 2025-06-03 and after the close of 2025-06-09, so the sessions of 06-03
# and 06-10 are skipped_earnings, by the built-in and by the template
# (rendered with it, or given it as --param); IDX's release is not ACME's.
printf 'symbol,date,when\nACME,2025-06-03,bmo\nACME,2025-06-09,amc\nIDX,2025-06-04,bmo\n' \
  >"$tmp/earn.csv"
"$cli" data import-earnings "$tmp/earn.csv" >/dev/null
check "import-earnings" test $? -eq 0
"$cli" script new orb --set ticker=ACME --set date=2025-06-02 --set market_filter=IDX \
  --set skip_earnings=true -o "$tmp/orb_earn.c" 2>/dev/null
check "render orb (skip_earnings)" grep -q 'SLAB_BOOL_PARAM("skip_earnings", 1' "$tmp/orb_earn.c"
"$cli" run --strategy orb "${C[@]}" --param market_filter=IDX --param skip_earnings=true \
  >"$tmp/b_earn.json"
check "built-in orb, skip_earnings" test $? -eq 0
"$cli" run --script "$tmp/orb_earn.c" "${C[@]}" >"$tmp/s_earn.json"
check "script orb, skip_earnings (template)" test $? -eq 0
"$cli" run --script "$tmp/orb_filter.c" "${C[@]}" --param skip_earnings=true >"$tmp/s_earn2.json"
check "script orb, skip_earnings (--param)" test $? -eq 0
check "skip_earnings: script == built-in, 06-03 and 06-10 skipped" python3 - "$tmp/b_earn.json" \
  "$tmp/s_earn.json" "$tmp/s_earn2.json" "$tmp/b_filter.json" <<'PY'
import json, sys
b, s, s2, plain = (json.load(open(p)) for p in sys.argv[1:])
for doc in (s, s2):
    assert doc["execution"]["status"] == "ok", doc["execution"]
    for k in ("trades", "analyzers", "metrics", "final", "orders", "days"):
        assert b[k] == doc.get(k), (k, "differs between built-in and script")
skipped = [d["date"] for d in b["days"] if d["decision"] == "skipped_earnings"]
assert skipped == ["2025-06-03", "2025-06-10"], skipped
# without the calendar those two sessions were traded
was = {d["date"]: d["decision"] for d in plain["days"]}
assert was["2025-06-03"] == "traded" and was["2025-06-10"] == "traded", was
assert len(b["trades"]) == len(plain["trades"]) - 2, (len(b["trades"]), len(plain["trades"]))
print("skip_earnings ok:", skipped, len(b["trades"]), "trades")
PY
# no store to read the calendar from: both refuse, saying how to get one
# (each on its own path: the script's execution log makes a store)
STRATLAB_DB="$tmp/none.db" "$cli" run --script "$tmp/orb_earn.c" "${C[@]}" >"$tmp/s_nocal.json" \
  2>/dev/null
check "skip_earnings without a store: the script stops" test $? -eq 1
check "skip_earnings without a store: says import-earnings" \
  grep -q "stratlab data import-earnings" "$tmp/s_nocal.json"
STRATLAB_DB="$tmp/none2.db" "$cli" run --strategy orb "${C[@]}" --param skip_earnings=true \
  >/dev/null 2>&1
check "skip_earnings without a store: the built-in refuses too" test $? -ne 0
finish
