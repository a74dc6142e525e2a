#!/usr/bin/env bash
# test_sweep_cli.sh: `stratlab sweep` and `stratlab sweep merge` against
# the contract of issue 15 (docs/sweeps.md). Every expected value comes from
# an independent path: a separate `stratlab run --json` per combination,
# grid orders and counts worked out by hand in the comments, the unsharded
# sweep for the merged shards. Small grids (tens of points) on sample bars.
# Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/sweep_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
. "$(dirname "$0")/lib.sh"

"$cli" data sample --symbol SAMPLE --bars 700 --seed 7 --out "$tmp/s.csv" >/dev/null 2>&1
check "sample csv written" test -s "$tmp/s.csv"
base=(--strategy sma_cross --data "$tmp/s.csv")

# ---- every line equals a separate `run --json`, bit for bit ------------------
# 4 fast x 3 slow x 2 trail = 24 combinations; trail is a run option axis,
# so the comparison covers option axes too; --cash fixes a run option.
grid=(--param fast=5:20:5 --param slow=30,45,60 --param trail=2%,4% --cash 50000)
"$cli" sweep "${base[@]}" "${grid[@]}" --out "$tmp/all.jsonl"
check "sweep --out exit 0" test $? -eq 0
check "24 lines" test "$(wc -l <"$tmp/all.jsonl")" -eq 24
check "no .part left" test ! -e "$tmp/all.jsonl.part"
# Grid order, the first axis slowest (worked by hand): fast 5,10,15,20 outer,
# then slow 30,45,60, then trail 2%,4% innermost.
expect=""
for f in 5 10 15 20; do for s in 30 45 60; do for t in 2% 4%; do
  expect+="$f $s $t"$'\n'
done; done; done
got="$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    p = json.loads(l)["params"]
    print(p["fast"], p["slow"], p["trail"])' "$tmp/all.jsonl")"$'\n'
check "grid order: first axis slowest" test "$got" = "$expect"
# Numbers as numbers, values with a unit as strings.
check "params types" python3 -c '
import json, sys
p = json.loads(open(sys.argv[1]).readline())["params"]
assert type(p["fast"]) is int and type(p["slow"]) is int and p["trail"] == "2%", p' "$tmp/all.jsonl"
# Separate runs for every combination: metrics and run_id equal as JSON
# values (shortest round-trip vs 17 digits parse to the same doubles).
for f in 5 10 15 20; do for s in 30 45 60; do for t in 2% 4%; do
  "$cli" run "${base[@]}" --param fast=$f --param slow=$s --trail $t --cash 50000 --json \
    >"$tmp/run_${f}_${s}_${t%\%}.json"
done; done; done
check "every line equals its separate run" python3 -c '
import json, sys, os
tmp = sys.argv[1]
bad = []
n = 0
for l in open(os.path.join(tmp, "all.jsonl")):
    o = json.loads(l)
    p = o["params"]
    r = json.load(open(os.path.join(tmp, "run_%d_%d_%s.json" % (p["fast"], p["slow"], p["trail"][:-1]))))
    n += 1
    if o["metrics"] != r["metrics"] or o["run_id"] != r["backtest"]["run_id"]:
        bad.append(p)
    if not o["metrics"] or o["metrics"]["num_trades"] is None:
        bad.append(("no metrics", p))
assert n == 24 and not bad, bad' "$tmp"
# And as text: a line's metrics are the bytes of run's metrics without the
# whitespace (every real as its shortest round-trip text, json.h).
check "line metrics text = run --json metrics text" python3 -c '
import json, sys, os, re
tmp = sys.argv[1]
for l in open(os.path.join(tmp, "all.jsonl")):
    p = json.loads(l)["params"]
    r = open(os.path.join(tmp, "run_%d_%d_%s.json" % (p["fast"], p["slow"], p["trail"][:-1]))).read()
    lm = l[l.index("\"metrics\":") + 10 : l.index(",\"run_id\":")]
    rm = r[r.index("\"metrics\": ") + 11 : r.index("\n },", r.index("\"metrics\": ")) + 3]
    strip = lambda t: re.sub(r"\s", "", t)
    assert strip(lm) == strip(rm), (p, lm[:200], rm[:200])' "$tmp"
# The comparison can fail: a different trail changes the metrics.
check "trail changes the metrics (the comparison has teeth)" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert ls[0]["metrics"] != ls[1]["metrics"]' "$tmp/all.jsonl"

# A switch and a sizer swept as run options: each line equals `run` with
# the flag given or left out.
"$cli" sweep "${base[@]}" --param cheat_on_close=0,1 --param sizer=percent:50,percent:90 \
  >"$tmp/sw.jsonl"
for c in 0 1; do for z in 50 90; do
  flag=""; [ $c = 1 ] && flag="--cheat-on-close"
  "$cli" run "${base[@]}" $flag --sizer percent:$z --json >"$tmp/sw_${c}_$z.json"
done; done
check "switch and sizer axes equal separate runs" python3 -c '
import json, sys, os
tmp = sys.argv[1]
ls = [json.loads(l) for l in open(os.path.join(tmp, "sw.jsonl"))]
assert [(o["params"]["cheat_on_close"], o["params"]["sizer"]) for o in ls] == [
    (0, "percent:50"), (0, "percent:90"), (1, "percent:50"), (1, "percent:90")]
for o in ls:
    r = json.load(open(os.path.join(tmp, "sw_%d_%s.json" % (o["params"]["cheat_on_close"], o["params"]["sizer"][8:]))))
    assert o["metrics"] == r["metrics"] and o["run_id"] == r["backtest"]["run_id"], o["params"]
assert len({json.dumps(o["metrics"]) for o in ls}) == 4' "$tmp"

# --config FILE: its options apply to every combination; --param on the
# command line (an axis too) replaces the file's params, as in `run`.
echo '{"cash": 50000, "commission": 0.002, "params": {"slow": 40}}' >"$tmp/cfg.json"
"$cli" sweep --config "$tmp/cfg.json" "${base[@]}" --param fast=5,10 >"$tmp/cfg.jsonl"
for f in 5 10; do
  "$cli" run --config "$tmp/cfg.json" "${base[@]}" --param fast=$f --json >"$tmp/cfg_$f.json"
done
check "--config: lines equal run --config with the same --param" python3 -c '
import json, sys, os
tmp = sys.argv[1]
ls = [json.loads(l) for l in open(os.path.join(tmp, "cfg.jsonl"))]
for o in ls:
    r = json.load(open(os.path.join(tmp, "cfg_%d.json" % o["params"]["fast"])))
    assert o["metrics"] == r["metrics"] and o["run_id"] == r["backtest"]["run_id"], o["params"]
assert len(ls) == 2 and r["backtest"]["config"]["cash"] == 50000' "$tmp"

# ---- the same bytes for any --jobs ---------------------------------------------
"$cli" sweep "${base[@]}" "${grid[@]}" --jobs 1 >"$tmp/j1.jsonl"
"$cli" sweep "${base[@]}" "${grid[@]}" --jobs 2 >"$tmp/j2.jsonl"
"$cli" sweep "${base[@]}" "${grid[@]}" --jobs 3 >"$tmp/j3.jsonl"
check "--jobs 2 same bytes as --jobs 1" cmp -s "$tmp/j2.jsonl" "$tmp/j1.jsonl"
check "--jobs 3 same bytes as --jobs 1" cmp -s "$tmp/j3.jsonl" "$tmp/j1.jsonl"
check "the default (a worker per CPU) same bytes as --jobs 1" cmp -s "$tmp/all.jsonl" "$tmp/j1.jsonl"

# ---- shards and merge ---------------------------------------------------------------
# 24 positions in 5 shards: floor((i-1)*24/5) .. floor(i*24/5)-1 gives
# 0..3, 4..8, 9..13, 14..18, 19..23 (4, 5, 5, 5, 5 lines).
for i in 1 2 3 4 5; do
  "$cli" sweep "${base[@]}" "${grid[@]}" --shard $i/5 --jobs 2 --out "$tmp/p$i.jsonl"
done
check "shard sizes 4,5,5,5,5" test "$(cat "$tmp"/p[1-5].jsonl | wc -l) $(wc -l <"$tmp/p1.jsonl") $(wc -l <"$tmp/p5.jsonl")" = "24 4 5"
check "shards concatenated = unsharded" bash -c "cat '$tmp'/p[1-5].jsonl | cmp -s - '$tmp/all.jsonl'"
"$cli" sweep merge "$tmp/p3.jsonl" "$tmp/p1.jsonl" "$tmp/p5.jsonl" "$tmp/p2.jsonl" "$tmp/p4.jsonl" \
  --out "$tmp/merged.jsonl"
check "merge (any file order) = unsharded bytes" cmp -s "$tmp/merged.jsonl" "$tmp/all.jsonl"
"$cli" sweep merge "$tmp"/p[1-5].jsonl >"$tmp/merged_stdout.jsonl"
check "merge to stdout = unsharded bytes" cmp -s "$tmp/merged_stdout.jsonl" "$tmp/all.jsonl"
# More shards than positions: the empty shards are fine.
# --out naming something that is not a regular file (here a FIFO; /dev/null
# is the everyday case) is written directly: renaming FILE.part onto it
# would replace a device or FIFO with a regular file.
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from_fifo.jsonl" &
reader=$!
"$cli" sweep "${base[@]}" "${grid[@]}" --out "$tmp/fifo"
wait "$reader"
check "--out to a FIFO: still a FIFO" test -p "$tmp/fifo"
check "--out to a FIFO: the same lines" cmp -s "$tmp/from_fifo.jsonl" "$tmp/all.jsonl"
check "--out to a FIFO: no .part left" test ! -e "$tmp/fifo.part"

"$cli" sweep "${base[@]}" --param fast=5,10 --param slow=30,40 --out "$tmp/small.jsonl"
for i in 1 2 3 4 5 6; do
  "$cli" sweep "${base[@]}" --param fast=5,10 --param slow=30,40 --shard $i/6 --out "$tmp/e$i.jsonl"
done
check "an empty shard writes an empty file" bash -c "test -e '$tmp/e1.jsonl' && test ! -s '$tmp/e1.jsonl'"
"$cli" sweep merge "$tmp"/e[1-6].jsonl --out "$tmp/small_merged.jsonl"
check "merge with empty shards = unsharded" cmp -s "$tmp/small_merged.jsonl" "$tmp/small.jsonl"

expect_err "merge: missing shard" 3 "positions 9..13 of 24 are missing" \
  "$cli" sweep merge "$tmp/p1.jsonl" "$tmp/p2.jsonl" "$tmp/p4.jsonl" "$tmp/p5.jsonl" --out "$tmp/x.jsonl"
check "failed merge leaves no output" test ! -e "$tmp/x.jsonl" -a ! -e "$tmp/x.jsonl.part"
expect_err "merge: missing last shard" 3 "positions 19..23 of 24 are missing" \
  "$cli" sweep merge "$tmp/p1.jsonl" "$tmp/p2.jsonl" "$tmp/p3.jsonl" "$tmp/p4.jsonl"
expect_err "merge: repeated shard" 3 "a shard was given twice" \
  "$cli" sweep merge "$tmp"/p[1-5].jsonl "$tmp/p2.jsonl"
# A shard of another sweep: the same grid with other cash.
"$cli" sweep "${base[@]}" --param fast=5:20:5 --param slow=30,45,60 --param trail=2%,4% \
  --cash 60000 --shard 3/5 --out "$tmp/other3.jsonl"
expect_err "merge: shard of another sweep (run options)" 3 "from another sweep" \
  "$cli" sweep merge "$tmp/p1.jsonl" "$tmp/p2.jsonl" "$tmp/other3.jsonl" "$tmp/p4.jsonl" "$tmp/p5.jsonl"
# A shard of another grid size.
"$cli" sweep "${base[@]}" --param fast=5:25:5 --param slow=30,45,60 --param trail=2%,4% \
  --cash 50000 --shard 5/5 --out "$tmp/other5.jsonl"
expect_err "merge: shard of another grid" 3 "belongs to a grid of 30 combinations" \
  "$cli" sweep merge "$tmp"/p[1-4].jsonl "$tmp/other5.jsonl"
# A shard on other data.
"$cli" data sample --symbol SAMPLE --bars 700 --seed 8 --out "$tmp/s8.csv" >/dev/null 2>&1
"$cli" sweep --strategy sma_cross --data "$tmp/s8.csv" "${grid[@]}" --shard 2/5 --out "$tmp/data2.jsonl"
expect_err "merge: shard on other data" 3 "ran on other data" \
  "$cli" sweep merge "$tmp/p1.jsonl" "$tmp/data2.jsonl" "$tmp"/p[3-5].jsonl
# A shard cut short (its last line without the newline).
head -c -1 "$tmp/p5.jsonl" >"$tmp/cut5.jsonl"
expect_err "merge: shard cut short" 3 "cut short" \
  "$cli" sweep merge "$tmp"/p[1-4].jsonl "$tmp/cut5.jsonl"
expect_err "merge: no files" 2 "give the shard files" "$cli" sweep merge
expect_err "merge: file not there" 4 "$tmp/nope.jsonl" "$cli" sweep merge "$tmp/nope.jsonl"

# ---- ranges, --where, samples ----------------------------------------------------------
# 2:8:3 lands on 8 (2, 5, 8); 1:9:3 stops before 9 (1, 4, 7): 3 x 1 lines.
"$cli" sweep "${base[@]}" --param fast=2:8:3 --param slow=40 >"$tmp/r1.jsonl"
check "range includes b when the steps land on it" test "$(python3 -c '
import json, sys
print(",".join(str(json.loads(l)["params"]["fast"]) for l in open(sys.argv[1])))' "$tmp/r1.jsonl")" = "2,5,8"
"$cli" sweep "${base[@]}" --param fast=1:9:3 --param slow=40 >"$tmp/r2.jsonl"
check "range never passes b" test "$(python3 -c '
import json, sys
print(",".join(str(json.loads(l)["params"]["fast"]) for l in open(sys.argv[1])))' "$tmp/r2.jsonl")" = "1,4,7"
check "a fixed --param is not in params" python3 -c '
import json, sys
assert list(json.loads(open(sys.argv[1]).readline())["params"]) == ["fast"]' "$tmp/r1.jsonl"
# fast 10,20,30,40 x slow 20,30,40: pairs with fast < slow by hand:
# (10,20) (10,30) (10,40) (20,30) (20,40) (30,40) = 6.
"$cli" sweep "${base[@]}" --param fast=10:40:10 --param slow=20:40:10 --where 'fast < slow' \
  >"$tmp/w.jsonl"
check "--where keeps 6 of 12" test "$(python3 -c '
import json, sys
print(" ".join("%d/%d" % (json.loads(l)["params"]["fast"], json.loads(l)["params"]["slow"]) for l in open(sys.argv[1])))' "$tmp/w.jsonl")" = "10/20 10/30 10/40 20/30 20/40 30/40"
check "--where: positions count the kept ones" python3 -c '
import json, sys
ls = [json.loads(l)["sweep"] for l in open(sys.argv[1])]
assert [s["index"] for s in ls] == list(range(6)) and all(s["of"] == 6 for s in ls)' "$tmp/w.jsonl"
# Without --where, fast >= slow combinations are error lines, not a failure.
"$cli" sweep "${base[@]}" --param fast=10:40:10 --param slow=20:40:10 >"$tmp/nw.jsonl" 2>"$tmp/nw.err"
check "refused combinations: exit 0, 12 lines" test "$? $(wc -l <"$tmp/nw.jsonl")" = "0 12"
check "refused combinations: stderr counts them" grep -q "6 of 12 combinations could not run" "$tmp/nw.err"
check "refused combination line" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
bad = [l for l in ls if l["metrics"] is None]
assert len(bad) == 6 and all(l["run_id"] is None and "must be shorter" in l["error"] for l in bad)
assert all(l["params"]["fast"] >= l["params"]["slow"] for l in bad)' "$tmp/nw.jsonl"
# Samples: 7 distinct combinations of the 20 (fast 5..20 x slow 30..70 step 10),
# in grid order; the same for any --jobs and sharding.
samp=(--param fast=5:20:5 --param slow=30:70:10 --samples 7 --seed 11)
"$cli" sweep "${base[@]}" "${samp[@]}" >"$tmp/sa.jsonl"
"$cli" sweep "${base[@]}" "${samp[@]}" --jobs 2 >"$tmp/sb.jsonl"
"$cli" sweep "${base[@]}" "${samp[@]}" --shard 1/2 --out "$tmp/sc1.jsonl"
"$cli" sweep "${base[@]}" "${samp[@]}" --shard 2/2 --out "$tmp/sc2.jsonl"
check "samples: 7 distinct, in grid order" python3 -c '
import json, sys
ps = [(json.loads(l)["params"]["fast"], json.loads(l)["params"]["slow"]) for l in open(sys.argv[1])]
assert len(ps) == 7 and len(set(ps)) == 7 and ps == sorted(ps), ps' "$tmp/sa.jsonl"
check "samples: same bytes with --jobs 2" cmp -s "$tmp/sa.jsonl" "$tmp/sb.jsonl"
check "samples: shards concatenated = unsharded" bash -c "cat '$tmp/sc1.jsonl' '$tmp/sc2.jsonl' | cmp -s - '$tmp/sa.jsonl'"
"$cli" sweep "${base[@]}" --param fast=5:20:5 --param slow=30:70:10 --samples 7 --seed 12 >"$tmp/sd.jsonl"
check "samples: another seed, another sample" bash -c "! cmp -s '$tmp/sa.jsonl' '$tmp/sd.jsonl'"

# ---- ranking ------------------------------------------------------------------------------
"$cli" sweep "${base[@]}" "${grid[@]}" --out "$tmp/rk.jsonl" --rank total_return --top 3 --json \
  --report "$tmp/rk.html" >"$tmp/rk.json"
check "ranked sweep writes the same lines" cmp -s "$tmp/rk.jsonl" "$tmp/all.jsonl"
check "summary: top 3 are the 3 best total_return of the lines" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
want = sorted(ls, key=lambda o: (-o["metrics"]["total_return"], o["sweep"]["index"]))[:3]
s = json.load(open(sys.argv[2]))
assert s["rank_by"] == "total_return" and s["order"] == "max" and s["trials"] == 24
assert [t["sweep"]["index"] for t in s["top"]] == [w["sweep"]["index"] for w in want]
of = s["overfitting"]
assert of["trials"] == 24 and 0 <= of["deflated_sharpe"]["dsr"] <= 1 and 0 <= of["pbo"]["pbo"] <= 1
' "$tmp/all.jsonl" "$tmp/rk.json"
check "report html" grep -q "<svg" "$tmp/rk.html"
"$cli" sweep merge "$tmp"/p[1-5].jsonl --rank total_return --top 3 --json --out "$tmp/m.jsonl" >"$tmp/mk.json"
check "merge --rank gives the sweep's summary" cmp -s "$tmp/mk.json" "$tmp/rk.json"
check "text summary names DSR and PBO" bash -c "'$cli' sweep ${base[*]} ${grid[*]} --rank max_drawdown_pct 2>&1 >/dev/null | grep -q 'lower is better' && '$cli' sweep ${base[*]} ${grid[*]} --rank sharpe_ratio --out '$tmp/t.jsonl' | grep -q 'probability of backtest overfitting'"

# --summary FILE.json: each top line carries its full result document, the
# document a separate `run --json` gives for that combination.
"$cli" sweep "${base[@]}" "${grid[@]}" --rank total_return --top 2 --summary "$tmp/sum.json" \
  --out "$tmp/sum.jsonl" >/dev/null
check "--summary: top lines carry the separate run's document" python3 -c '
import json, sys, os
tmp = sys.argv[1]
s = json.load(open(os.path.join(tmp, "sum.json")))
assert len(s["top"]) == 2
for t in s["top"]:
    p = t["params"]
    r = json.load(open(os.path.join(tmp, "run_%d_%d_%s.json" % (p["fast"], p["slow"], p["trail"][:-1]))))
    d = t["result"]
    assert d["metrics"] == r["metrics"] == t["metrics"] and d["backtest"]["run_id"] == r["backtest"]["run_id"]
    assert d["analyzers"] == r["analyzers"]' "$tmp"
check "--progress on stderr" bash -c "'$cli' sweep ${base[*]} ${grid[*]} --progress --out '$tmp/pg.jsonl' 2>&1 >/dev/null | grep -q 'sweep: 24 of 24 combinations (100%)'"
check "--lang zh summary" bash -c "'$cli' sweep ${base[*]} ${grid[*]} --rank total_return --lang zh --out '$tmp/zh.jsonl' | grep -q '回测过拟合概率'"

# ---- bad input: one clear line, exit 2 ---------------------------------------------------
expect_err "bad range direction" 2 "never reaches its end" \
  "$cli" sweep "${base[@]}" --param fast=20:5:5
expect_err "zero step" 2 "--param fast" \
  "$cli" sweep "${base[@]}" --param fast=5:20:0
expect_err "repeated value" 2 "listed twice" \
  "$cli" sweep "${base[@]}" --param fast=5,10,5
expect_err "unknown axis" 2 "sma_cross has no parameter 'fats'" \
  "$cli" sweep "${base[@]}" --param fats=5,10
expect_err "axis value out of range" 2 "fast=0 is outside the allowed range" \
  "$cli" sweep "${base[@]}" --param fast=0,5
expect_err "bad option value on an axis" 2 "--param stop_loss" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --param stop_loss=2%,abc
expect_err "swept and given" 2 "both swept" \
  "$cli" sweep "${base[@]}" --param trail=1%,2% --trail 3%
expect_err "no axis" 2 "needs at least one --param" \
  "$cli" sweep "${base[@]}" --param fast=5
expect_err "bad --where syntax" 2 "--where:1:" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --where 'fast <'
expect_err "unknown --where name" 2 "unknown name 'fats'" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --where 'fats < slow'
expect_err "--where keeps nothing" 2 "--where" \
  "$cli" sweep "${base[@]}" --param fast=50,60 --where 'fast < 10'
expect_err "bad --shard" 2 "is not i/N" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --shard 0/4
expect_err "--shard past N" 2 "is not i/N" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --shard 5/4
expect_err "--shard not a fraction" 2 "is not i/N" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --shard half
expect_err "bad --jobs" 2 "--jobs must be a whole number" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --jobs 0
expect_err "too many samples" 2 "samples asked" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --samples 3
expect_err "bad --rank" 2 "unknown metric 'sharp'" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --rank sharp
expect_err "bad --heatmap axis" 2 "--heatmap fast,slw" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --param slow=30,40 --rank total_return --heatmap fast,slw
expect_err "merge: bad --heatmap axis" 2 "the swept ones are: fast, slow, trail" \
  "$cli" sweep merge "$tmp/all.jsonl" --rank total_return --heatmap slow,slow
expect_err "--report without --rank" 2 "give --rank METRIC" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --report "$tmp/r.html"
expect_err "a range without its step" 2 "a range is three numbers a:b:step" \
  "$cli" sweep "${base[@]}" --param fast=1:10
expect_err "empty --out" 2 "--out needs a file name" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --out ''
expect_err "merge: not a sweep line" 3 "not a sweep line" \
  "$cli" sweep merge "$tmp/cfg.json"
expect_err "unknown run option" 2 "--comission" \
  "$cli" sweep "${base[@]}" --param fast=5,10 --comission 0.1
expect_err "missing data file" 3 "$tmp/nope.csv" \
  "$cli" sweep --strategy sma_cross --data "$tmp/nope.csv" --param fast=5,10
expect_err "every combination refused" 1 "none of the 4 combinations could run" \
  "$cli" sweep "${base[@]}" --param fast=40,50 --param slow=10,20 --out "$tmp/none.jsonl"
check "a failed sweep leaves no --out file" test ! -e "$tmp/none.jsonl" -a ! -e "$tmp/none.jsonl.part"
check "--json error document" bash -c "'$cli' sweep ${base[*]} --param fast=5,5 --json | python3 -c 'import json,sys; e=json.load(sys.stdin)[\"error\"]; assert e[\"exit_code\"] == 2 and e[\"command\"] == \"sweep\"'"
check "sweep --help" bash -c "'$cli' sweep --help | grep -q -- '--shard i/N'"
check "stratlab --help lists sweep" bash -c "'$cli' --help | grep -q '^  sweep '"

# ---- walkforward ------------------------------------------------------------------------------
# The sample's bars run 2015-01-02 .. 2017-09-07 (weekdays). Train 1y, test 6m,
# rolling, worked by hand: test k starts 1y + 6m*k after 2015-01-02, at the
# first bar on or after it: 2016-01-02 is a Saturday -> 2016-01-04;
# 2016-07-02 (Sat) -> 2016-07-04; 2017-01-02; 2017-07-02 (Sun) -> 2017-07-03,
# the last one cut short by the data's end; each train window is the year
# before its test window.
"$cli" walkforward "${base[@]}" --param fast=5:20:5 --param slow=30,45,60 --train 1y --test 6m \
  --rank total_return --json --equity "$tmp/wf_eq.csv" >"$tmp/wf.json"
check "walkforward exit 0" test $? -eq 0
check "walkforward windows by hand" python3 -c '
import json, sys
ws = json.load(open(sys.argv[1]))["walkforward"]["windows"]
got = [(w["train"]["from"], w["test"]["from"], w["test"]["to"]) for w in ws]
assert got == [("2015-01-02", "2016-01-04", "2016-07-01"), ("2015-07-02", "2016-07-04", "2016-12-30"),
               ("2016-01-04", "2017-01-02", "2017-06-30"), ("2016-07-04", "2017-07-03", "2017-09-07")], got
' "$tmp/wf.json"
# Each window's choice equals a separate ranked sweep on its train span, and
# its out-of-sample metrics equal a separate run on its test span starting
# with the cash the previous window ended with; the stitched document ends
# at the last window's value.
check "walkforward windows equal separate sweeps and runs" python3 -c '
import json, subprocess, sys
cli, csv, path = sys.argv[1:4]
doc = json.load(open(path))
base = [cli, "--strategy", "sma_cross", "--data", csv]
cash = 100000.0
for w in doc["walkforward"]["windows"]:
    s = json.loads(subprocess.run([cli, "sweep"] + base[1:] + ["--param", "fast=5:20:5", "--param",
        "slow=30,45,60", "--from", w["train"]["from"], "--to", w["train"]["to"], "--rank",
        "total_return", "--json", "--out", "/dev/null"], capture_output=True, text=True, check=True).stdout)
    top = s["top"][0]
    assert top["params"] == w["params"], (top["params"], w["params"])
    assert top["metrics"]["total_return"] == w["in_sample"]["metric"]
    assert s["trials"] == w["in_sample"]["trials"] == 12
    p = w["params"]
    r = json.loads(subprocess.run([cli, "run"] + base[1:] + ["--param", "fast=%d" % p["fast"],
        "--param", "slow=%d" % p["slow"], "--from", w["test"]["from"], "--to", w["test"]["to"],
        "--cash", repr(cash), "--json"], capture_output=True, text=True, check=True).stdout)
    assert r["metrics"] == w["out_of_sample"], w["test"]
    cash = r["metrics"]["final_value"]
assert doc["metrics"]["final_value"] == cash
' "$cli" "$tmp/s.csv" "$tmp/wf.json"
check "walkforward equity: one row per test bar" test "$(($(wc -l <"$tmp/wf_eq.csv") - 1))" -eq "$(python3 -c '
import json, sys
print(sum(w["test"]["bars"] for w in json.load(open(sys.argv[1]))["walkforward"]["windows"]))' "$tmp/wf.json")"
check "walkforward --progress" bash -c "'$cli' walkforward ${base[*]} --param fast=5,10 --train 1y --test 6m --rank total_return --progress 2>&1 >/dev/null | grep -q 'walk-forward: 4 of 4 windows'"
expect_err "walkforward: train longer than the data" 2 "make --train shorter" \
  "$cli" walkforward "${base[@]}" --param fast=5,10 --train 5y --test 1y --rank total_return
expect_err "walkforward: bad span" 2 "--train" \
  "$cli" walkforward "${base[@]}" --param fast=5,10 --train 3x --test 1y --rank total_return
expect_err "walkforward: no --rank" 2 "needs --train SPAN, --test SPAN and --rank METRIC" \
  "$cli" walkforward "${base[@]}" --param fast=5,10 --train 1y --test 6m

# ---- several feeds: orb with its market filter, as `run` runs it ---------------
# seed 000's "now try 1% to 5% trailing stops" on HOOD with the QQQ filter: the
# sweep runs both feeds on one clock; every line equals a separate `run
# --json` (metrics and run_id), for a range and for one --date (the filter
# feed then loaded from days before: the preroll), and with skip_earnings
# reading the store's calendar.
"$cli" data synth --symbol HOOD --symbol QQQ --from 2025-07-01 --to 2025-07-11 --out "$tmp/synth" >/dev/null
feeds=(--strategy orb --data HOOD="$tmp/synth/HOOD.csv" --data QQQ="$tmp/synth/QQQ.csv" --param market_filter=QQQ)
printf 'symbol,date,when\nHOOD,2025-07-09,bmo\n' >"$tmp/earn.csv"
"$cli" data import-earnings "$tmp/earn.csv" >/dev/null
for w in "--from 2025-07-01 --to 2025-07-11" "--date 2025-07-10"; do
  # 3 trailing stops x stop_at_range 0,1 x skip_earnings 0,1 = 12 lines
  "$cli" sweep "${feeds[@]}" $w --param trailing_stop_pct=1:3:1 --param stop_at_range=0,1 \
    --param skip_earnings=0,1 --jobs 2 --out "$tmp/orb.jsonl"
  check "orb sweep ($w): exit 0, 12 lines" test "$(wc -l <"$tmp/orb.jsonl")" -eq 12
  for t in 1 2 3; do for r in 0 1; do for e in 0 1; do
    "$cli" run "${feeds[@]}" $w --param trailing_stop_pct=$t --param stop_at_range=$r \
      --param skip_earnings=$e --json >"$tmp/orb_${t}_${r}_${e}.json"
  done; done; done
  check "orb sweep ($w): every line equals its separate run" python3 -c '
import json, sys, os
tmp = sys.argv[1]
bad, trades, differ = [], 0, set()
for l in open(os.path.join(tmp, "orb.jsonl")):
    o = json.loads(l)
    p = o["params"]
    r = json.load(open(os.path.join(tmp, "orb_%d_%d_%d.json" % (p["trailing_stop_pct"], p["stop_at_range"], p["skip_earnings"]))))
    if o["metrics"] != r["metrics"] or o["run_id"] != r["backtest"]["run_id"]:
        bad.append(p)
    trades += r["metrics"]["num_trades"]
    differ.add(r["metrics"]["final_value"])
assert not bad, bad
assert trades > 0 and len(differ) > 1, (trades, differ)  # the runs trade, and differ
' "$tmp"
done
# --summary: the top combinations' full documents are the separate runs'
# (the last loop's runs: --date 2025-07-10)
"$cli" sweep "${feeds[@]}" --date 2025-07-10 --param trailing_stop_pct=1:3:1 --param stop_at_range=0,1 \
  --param skip_earnings=0,1 --rank total_return --top 2 --summary "$tmp/orb_sum.json" --out /dev/null >/dev/null
check "orb sweep --summary: the top documents are the separate runs' (both feeds)" python3 -c '
import json, sys, os
tmp = sys.argv[1]
s = json.load(open(os.path.join(tmp, "orb_sum.json")))
assert len(s["top"]) == 2
for t in s["top"]:
    p = t["params"]
    r = json.load(open(os.path.join(tmp, "orb_%d_%d_%d.json" % (p["trailing_stop_pct"], p["stop_at_range"], p["skip_earnings"]))))
    d = t["result"]
    assert d["metrics"] == r["metrics"] and d["backtest"]["run_id"] == r["backtest"]["run_id"], p
    assert d["analyzers"] == r["analyzers"] and d["trades"] == r["trades"] and d["days"] == r["days"], p
' "$tmp"
check "orb sweep: the filter feed is read (without it the lines differ)" python3 -c '
import json, subprocess, sys
cli, h = sys.argv[1], sys.argv[2]
one = subprocess.run([cli, "sweep", "--strategy", "orb", "--data", "HOOD=" + h, "--from", "2025-07-01",
    "--to", "2025-07-11", "--param", "trailing_stop_pct=1:3:1", "--out", "/dev/stdout"],
    capture_output=True, text=True, check=True).stdout.splitlines()
two = open(sys.argv[3]).read().splitlines()
assert [json.loads(l)["metrics"] for l in one] != [json.loads(l)["metrics"] for l in two[0::4]]
' "$cli" "$tmp/synth/HOOD.csv" "$tmp/orb.jsonl"

# A text parameter (orb's direction=short) holds in the test windows too:
# each window's out-of-sample metrics are a separate `run` on the test span
# with the chosen parameters and the cash carried over.
"$cli" walkforward --strategy orb --data HOOD="$tmp/synth/HOOD.csv" --param direction=short \
  --param trailing_stop_pct=1,2 --train 3d --test 2d --rank total_return --json >"$tmp/wf_orb.json"
check "walkforward orb direction=short: each test window is the separate run" python3 -c '
import json, subprocess, sys
cli, h, doc = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
cash, n = 100000.0, 0
for w in doc["walkforward"]["windows"]:
    if not w["out_of_sample"]:
        continue
    r = json.loads(subprocess.run([cli, "run", "--strategy", "orb", "--data", "HOOD=" + h, "--param",
        "direction=short", "--param", "trailing_stop_pct=%g" % w["params"]["trailing_stop_pct"],
        "--from", w["test"]["from"][:10], "--to", w["test"]["to"][:10], "--cash", repr(cash), "--json"],
        capture_output=True, text=True, check=True).stdout)
    assert r["metrics"] == w["out_of_sample"], (w["test"], r["metrics"]["total_return"], w["out_of_sample"]["total_return"])
    assert r["backtest"]["config"]["params"]["direction"] == "short"
    cash = r["metrics"]["final_value"]
    n += 1
assert n >= 2, n
' "$cli" "$tmp/synth/HOOD.csv" "$tmp/wf_orb.json"

# ---- walkforward on several feeds: orb on HOOD with the QQQ filter ---------------
# Windows are cut on the feeds' one clock; every window runs both feeds as
# `run --from --to` loads them (QQQ from 10 days before, so a window's first
# session has its previous one). tests/support/wf_check.py takes every
# expected value from separate commands: each train window's choice is the
# best line of a separate ranked sweep over its span, each test window's
# metrics a separate run over its span with the chosen parameters and the
# cash the previous run ended with. Calendar windows from --from, bar-count
# windows with a skip_earnings axis (the calendar imported above), --stamp
# end, and bar-count windows inside one --date.
"$cli" data synth --symbol HOOD --symbol QQQ --from 2025-06-02 --to 2025-07-31 --out "$tmp/synth2" >/dev/null
wfc=(--strategy orb --data HOOD="$tmp/synth2/HOOD.csv" --data QQQ="$tmp/synth2/QQQ.csv" --param market_filter=QQQ)
wfg=(--param trailing_stop_pct=1:3:1 --param stop_at_range=0,1)
wfcheck="$(dirname "$0")/../support/wf_check.py"
"$cli" walkforward "${wfc[@]}" "${wfg[@]}" --from 2025-06-16 --train 2w --test 1w --rank total_return \
  --json --equity "$tmp/wf2_eq.csv" >"$tmp/wf2.json"
check "walkforward two feeds: exit 0, both symbols, 5 windows" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["backtest"]["symbols"] == ["HOOD", "QQQ"], d["backtest"]["symbols"]
assert len(d["walkforward"]["windows"]) == 5 and "HOOD is traded" in d["walkforward"]["feeds"]
' "$tmp/wf2.json"
check "walkforward two feeds (calendar windows): windows equal separate sweeps and runs" \
  python3 "$wfcheck" "$cli" "$tmp/wf2.json" total_return 3 "${wfc[@]}" -- "${wfg[@]}"
check "walkforward two feeds: equity has one row per clock step of the test windows" \
  test "$(($(wc -l <"$tmp/wf2_eq.csv") - 1))" -eq "$(python3 -c '
import json, sys
print(sum(w["test"]["bars"] for w in json.load(open(sys.argv[1]))["walkforward"]["windows"]))' "$tmp/wf2.json")"
wfe=(--param trailing_stop_pct=1:3:1 --param skip_earnings=0,1)
"$cli" walkforward "${wfc[@]}" "${wfe[@]}" --from 2025-07-01 --train 1200b --test 700b \
  --rank total_return --json >"$tmp/wf2b.json"
check "walkforward two feeds (bar windows, skip_earnings): windows equal separate sweeps and runs" \
  python3 "$wfcheck" "$cli" "$tmp/wf2b.json" total_return 3 "${wfc[@]}" -- "${wfe[@]}"
"$cli" walkforward "${wfc[@]}" "${wfg[@]}" --from 2025-06-16 --stamp end --train 2w --test 1w \
  --rank total_return:min --json >"$tmp/wf2s.json"
check "walkforward two feeds (--stamp end): windows equal separate sweeps and runs" \
  python3 "$wfcheck" "$cli" "$tmp/wf2s.json" total_return:min 3 "${wfc[@]}" --stamp end -- "${wfg[@]}"
# inside one day the test windows start after the opening range: no trades,
# still the separate runs' numbers
"$cli" walkforward "${wfc[@]}" "${wfg[@]}" --date 2025-07-10 --train 150b --test 60b \
  --rank total_return --json >"$tmp/wf2d.json"
check "walkforward two feeds (--date, bar windows): windows equal separate sweeps and runs" \
  python3 "$wfcheck" "$cli" "$tmp/wf2d.json" total_return 0 "${wfc[@]}" -- "${wfg[@]}"
check "walkforward two feeds: the filter feed is read (HOOD alone differs)" python3 -c '
import json, subprocess, sys
cli, h, two = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3]))
one = json.loads(subprocess.run([cli, "walkforward", "--strategy", "orb", "--data", "HOOD=" + h,
    "--param", "trailing_stop_pct=1:3:1", "--param", "stop_at_range=0,1", "--from", "2025-06-16",
    "--train", "2w", "--test", "1w", "--rank", "total_return", "--json"],
    capture_output=True, text=True, check=True).stdout)
assert [w["out_of_sample"] for w in one["walkforward"]["windows"]] != \
       [w["out_of_sample"] for w in two["walkforward"]["windows"]]
' "$cli" "$tmp/synth2/HOOD.csv" "$tmp/wf2.json"
# Regression (walkforward_skip_earnings_calendar): walk-forward did not load
# the store's calendar, so skip_earnings=1 skipped nothing; on one feed too
# each window now equals the separate sweep and run, which read it.
wf1=(--strategy orb --data HOOD="$tmp/synth2/HOOD.csv" --param skip_earnings=1)
"$cli" walkforward "${wf1[@]}" --param trailing_stop_pct=1,2 --train 2w --test 1w \
  --rank total_return --json >"$tmp/wf1e.json"
check "walkforward one feed, skip_earnings=1: windows equal separate sweeps and runs" \
  python3 "$wfcheck" "$cli" "$tmp/wf1e.json" total_return 3 "${wf1[@]}" -- --param trailing_stop_pct=1,2
# HOOD from 2025-06-16 only, QQQ from 2025-06-02: the first train week has
# QQQ's clock steps but no HOOD bar to trade; refused, not run flat.
{ head -1 "$tmp/synth2/HOOD.csv"; grep -E '^2025-0(6-(1[6-9]|2|3)|7)' "$tmp/synth2/HOOD.csv"; } >"$tmp/hood_late.csv"
expect_err "walkforward two feeds: a window without the traded feed's bars" 2 \
  "window 1's train span has no bars of HOOD (the traded feed)" \
  "$cli" walkforward --strategy orb --data HOOD="$tmp/hood_late.csv" --data QQQ="$tmp/synth2/QQQ.csv" \
  --param market_filter=QQQ --param trailing_stop_pct=1,2 --train 1w --test 1w --rank total_return

finish
