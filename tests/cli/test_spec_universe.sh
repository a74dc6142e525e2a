#!/usr/bin/env bash
# test_spec_universe.sh: the universe examples (examples/specs/pairs.json,
# xs_momentum.json) run from their specs and agree with backtrader within
# 1e-9 relative: the final value, the value after every bar, every closed
# trade (symbol, open and close dates, pnl, pnlcomm) and every completed
# order (symbol, date, size, price, commission), and the same rejected
# orders. The reference, tests/parity/bt_universe/{pairs,xs_momentum}.json,
# is a backtrader 1.9.78 run of the same rules written by hand in
# tests/parity/bt_universe/make_reference.py, made by exactly:
#   stratlab data synth --symbol AAA --symbol BBB --symbol CCC --symbol DDD \
#     --symbol EEE --symbol FFF --from 2016-01-01 --to 2019-12-31 \
#     --timeframe 1d --seed 7 --out DIR
#   PYTHONPATH=<backtrader checkout> python3 \
#     tests/parity/bt_universe/make_reference.py DIR tests/parity/bt_universe
# The test makes the same synthetic bars (their SHA-256 must be the
# reference's) and, when backtrader imports (SLAB_BACKTRADER=<checkout>),
# runs the script again and requires the same reference. Also: the
# formation year's minimum-distance pair is the pairs spec's pair (the
# script asserts it), a universe spec on one feed and feeds on different
# calendars are refused with a message, and validate accepts both specs.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../cli/lib.sh"
tmp="${SLAB_TMP:-/tmp}/spec_universe.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
examples="$here/../../examples/specs"
ref="$here/../parity/bt_universe" # our backtrader run (not ../shared): a cli test
syms="AAA BBB CCC DDD EEE FFF"
args=""
for s in $syms; do args="$args --symbol $s"; done
mkdir -p "$tmp/data"
"$cli" data synth $args --from 2016-01-01 --to 2019-12-31 --timeframe 1d --seed 7 \
  --out "$tmp/data" >"$tmp/synth.log" 2>&1
check "data synth" test -s "$tmp/data/FFF.csv"

for name in xs_momentum pairs; do
  check "validate $name" "$cli" validate "$examples/$name.json"
  feeds=""
  for s in $(python3 -c "import json,sys; print(' '.join(json.load(open(sys.argv[1]))['data']['symbols']))" "$examples/$name.json"); do
    feeds="$feeds --data $s=$tmp/data/$s.csv"
  done
  "$cli" run --spec "$examples/$name.json" $feeds --json --orders --equity "$tmp/$name.csv" \
    >"$tmp/$name.json" 2>"$tmp/$name.err"
  check "run --spec $name" test -s "$tmp/$name.json"
  check "$name = backtrader" python3 - "$tmp/$name.json" "$tmp/$name.csv" "$ref/$name.json" \
    "$tmp/data" <<'PY'
import csv, hashlib, json, math, os, sys
doc = json.load(open(sys.argv[1])); ref = json.load(open(sys.argv[3])); data = sys.argv[4]
bad = []
def close(a, b, what):
    if not (abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))):
        bad.append("%s: got %.17g, want %.17g" % (what, a, b))
for s, h in ref["data_sha256"].items():
    got = hashlib.sha256(open(os.path.join(data, s + ".csv"), "rb").read()).hexdigest()
    if got != h:
        bad.append("synthetic bars of %s changed: sha256 %s, reference %s" % (s, got, h))
if doc["spec"].get("members") != ref["symbols"]:
    bad.append("members: got %s, want %s" % (doc["spec"].get("members"), ref["symbols"]))
close(doc["metrics"]["final_value"], ref["final_value"], "final value")
vals = [float(r["value"]) for r in csv.DictReader(open(sys.argv[2]))]
if len(vals) != len(ref["values"]):
    bad.append("bars: got %d, want %d" % (len(vals), len(ref["values"])))
for i, (a, b) in enumerate(zip(vals, ref["values"])):
    close(a, b, "value[%d]" % i)
got = sorted((t["symbol"], t["entry_time"][:10], t["exit_time"][:10], t["pnl"], t["pnlcomm"])
             for t in doc["trades"] if t["status"] == "closed")
want = sorted((t["symbol"], t["open"], t["close"], t["pnl"], t["pnlcomm"]) for t in ref["trades"])
if len(got) != len(want) or len(want) == 0:
    bad.append("closed trades: got %d, want %d" % (len(got), len(want)))
for g, w in zip(got, want):
    if g[:3] != w[:3]:
        bad.append("trade %s, want %s" % (g[:3], w[:3]))
    close(g[3], w[3], "pnl %s" % (g[:3],)); close(g[4], w[4], "pnlcomm %s" % (g[:3],))
orders = doc["orders"]
got = sorted((o["symbol"], o["exec_time"][:10], o["exec_size"], o["exec_price"], o["exec_comm"])
             for o in orders if o["status"] == "Completed")
want = sorted((o["symbol"], o["date"], o["size"], o["price"], o["comm"]) for o in ref["orders"]
              if "status" not in o)
if len(got) != len(want):
    bad.append("completed orders: got %d, want %d" % (len(got), len(want)))
for g, w in zip(got, want):
    if g[:2] != w[:2]:
        bad.append("order %s, want %s" % (g[:2], w[:2]))
    for k, what in ((2, "size"), (3, "price"), (4, "comm")):
        close(g[k], w[k], "order %s %s" % (g[:2], what))
rej = sum(o["status"] in ("Rejected", "Margin") for o in orders)
rej_want = sum("status" in o for o in ref["orders"])
if rej != rej_want:
    bad.append("rejected orders: got %d, want %d" % (rej, rej_want))
print("\n".join(bad[:10]), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
done

# The formation period's choice: the run's pair (data.pair_selection, among
# six) is backtrader script's minimum-distance pair, with the same distance.
check "pairs: minimum-distance pair" python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); s=d['formation_ssd']; run=json.load(open(sys.argv[2]))
best=min(s, key=s.get); ps=run['spec']['pair_selection']
assert best=='-'.join(d['symbols'])=='-'.join(ps['pair']), (best, d['symbols'], ps)
assert abs(ps['ssd'] - s[best]) <= 1e-12 * s[best], (ps['ssd'], s[best])
assert len(s) == 15 and ps['formation_bars'] == 252, ps" "$ref/pairs.json" "$tmp/pairs.json"
# With the candidates in another order the same pair is chosen.
"$cli" run --spec "$examples/pairs.json" --json \
  $(for s in FFF EEE DDD CCC BBB AAA; do printf -- '--data %s=%s ' "$s" "$tmp/data/$s.csv"; done) \
  >"$tmp/pairs_rev.json" 2>&1
check "pairs: order of the candidates" python3 -c "
import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
assert sorted(b['spec']['pair_selection']['pair']) == sorted(a['spec']['pair_selection']['pair'])
assert abs(a['metrics']['final_value'] - b['metrics']['final_value']) <= 1e-9 * a['metrics']['final_value']" \
  "$tmp/pairs.json" "$tmp/pairs_rev.json"

# Refusals: a universe spec on one feed; members on different calendars.
expect_err "universe on one feed" 2 "has one feed" \
  "$cli" run --spec "$examples/xs_momentum.json" --data "AAA=$tmp/data/AAA.csv"
sed '5d' "$tmp/data/BBB.csv" >"$tmp/gap.csv"
expect_err "members on different calendars" 2 "share one calendar" \
  "$cli" run --spec "$examples/pairs.json" --data "CCC=$tmp/data/CCC.csv" --data "BBB=$tmp/gap.csv" \
  --data "AAA=$tmp/data/AAA.csv"

# data.symbols alone: the spec's universe from the store, the same run.
"$cli" data synth $args --from 2016-01-01 --to 2019-12-31 --timeframe 1d --seed 7 \
  --db "$tmp/store.db" >/dev/null 2>&1
"$cli" run --spec "$examples/xs_momentum.json" --db "$tmp/store.db" --json >"$tmp/store.json" 2>&1
check "xs_momentum from data.symbols" python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); r=json.load(open(sys.argv[2]))
assert d['backtest']['symbols'] == r['symbols'], d['backtest'].get('symbols')
a, b = d['metrics']['final_value'], r['final_value']; assert abs(a - b) <= 1e-9 * b, (a, b)" \
  "$tmp/store.json" "$ref/xs_momentum.json"

# --from with several feeds gives the feeds after the first some earlier
# bars (the engine's preroll): the members still start together, so the
# run equals the run on files that start there, bar for bar.
mkdir -p "$tmp/cut"
for s in $syms; do
  awk -F, 'NR == 1 || $1 >= "2017-01-01"' "$tmp/data/$s.csv" >"$tmp/cut/$s.csv"
done
"$cli" run --spec "$examples/xs_momentum.json" --from 2017-01-01 --equity "$tmp/from1.csv" \
  $(for s in $syms; do printf -- '--data %s=%s ' "$s" "$tmp/data/$s.csv"; done) >/dev/null 2>&1
"$cli" run --spec "$examples/xs_momentum.json" --from 2017-01-01 --equity "$tmp/from2.csv" \
  $(for s in $syms; do printf -- '--data %s=%s ' "$s" "$tmp/cut/$s.csv"; done) >/dev/null 2>&1
check "--from with a universe" bash -c "test -s '$tmp/from1.csv' && cmp -s '$tmp/from1.csv' '$tmp/from2.csv' && test \$(wc -l <'$tmp/from1.csv') -gt 700"

# More symbols than a run reads: said before anything is loaded.
python3 -c "
import json,sys; s=json.load(open(sys.argv[1])); s['data']['symbols']=['S%d' % i for i in range(17)]
json.dump(s, open(sys.argv[2], 'w'))" "$examples/xs_momentum.json" "$tmp/xs17.json"
expect_err "17 symbols" 2 "data.symbols names 17 symbols; a run reads at most 16 feeds" \
  "$cli" run --spec "$tmp/xs17.json" --db "$tmp/store.db"

# diagnose names the members (en, zh), and its JSON lists them.
check "diagnose: the pair" bash -c "'$cli' diagnose '$tmp/pairs.json' --spec '$examples/pairs.json' | grep -q '^Data: BBB, CCC (2016-01-04'"
check "diagnose zh: the pair" bash -c "'$cli' diagnose '$tmp/pairs.json' --spec '$examples/pairs.json' --lang zh | grep -q '^数据: BBB, CCC ('"
check "diagnose --json: data.symbols" bash -c "'$cli' diagnose '$tmp/xs_momentum.json' --spec '$examples/xs_momentum.json' --json | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"data\"][\"symbols\"] == [\"AAA\", \"BBB\", \"CCC\", \"DDD\", \"EEE\", \"FFF\"]'"

# Protective orders cover feed 0 only: refused on a universe, not half applied.
python3 -c "
import json,sys; s=json.load(open(sys.argv[1]))
s['risk_management']=[{'type':'stop_loss','value':'5%'}]; json.dump(s, open(sys.argv[2],'w'))" \
  "$examples/pairs.json" "$tmp/pairs_stop.json"
expect_err "validate: a universe spec with a stop" 1 "/risk_management/0/value: stop_loss is not run on a universe yet" \
  "$cli" validate "$tmp/pairs_stop.json"
expect_err "run: a stop over several feeds" 2 "is not run on a universe yet" \
  "$cli" run --spec "$examples/macd_momentum.json" --from 2016-01-01 --to 2019-12-31 \
  --data "BBB=$tmp/data/BBB.csv" --data "CCC=$tmp/data/CCC.csv"

# backtrader present: its run of the script gives the committed reference.
if [ -n "${SLAB_BACKTRADER:-}" ] && PYTHONPATH="$SLAB_BACKTRADER" python3 -c "import backtrader" 2>/dev/null; then
  PYTHONPATH="$SLAB_BACKTRADER" python3 "$ref/make_reference.py" "$tmp/data" "$tmp/ref" >/dev/null
  for name in xs_momentum pairs; do
    check "reference $name regenerated" cmp -s "$tmp/ref/$name.json" "$ref/$name.json"
  done
else
  echo "note: backtrader not importable (set SLAB_BACKTRADER=<checkout>): the committed reference is used as is"
fi
finish
