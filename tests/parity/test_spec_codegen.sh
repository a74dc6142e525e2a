#!/usr/bin/env bash
# test_spec_codegen.sh: `stratlab spec codegen` on every example spec.
# Each example spec, and the test specs in tests/specs/codegen_*.json, is
# run both ways on the same data: `run --spec X.json --json` and `run
# --script generated.c --json` with the spec's settings (cash, commission,
# data.start/end); the metrics, stats, analyzers, trades, final value and
# the run's config (minperiod included) must be equal, value for value.
# Nothing here is an expected number: each side checks the other, and the
# spec run is the independent implementation (src/spec/runtime.c, itself
# checked against backtrader in tests/cli/test_spec_universe.sh). Single
# symbols run on ../shared's real bars; the universes (xs_momentum, pairs,
# codegen_universe) on `data synth --seed 7` bars, as their README says.
# Codegen must write every example (none is refused any more). Also: the
# header names the spec and its SHA-256, each rule's JSON pointer is
# quoted, spec text cannot end the C comment it is quoted in, `stratlab
# codegen` is `stratlab spec codegen`, and the generated universe script
# refuses feeds on different calendars as the spec run does.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../cli/lib.sh"
. "$here/../support/shared.sh"
shared_ref data/orcl-1995-2014.txt data/nvda-1999-2014.txt reference/orb/acme_1m.csv
tmp="${SLAB_TMP:-/tmp}/spec_codegen.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
examples="$here/../../examples/specs"
# The universe examples' bars (examples/specs/README.md's command).
syms="AAA BBB CCC DDD EEE FFF"
mkdir -p "$tmp/data"
"$cli" data synth $(for s in $syms; do printf -- '--symbol %s ' "$s"; done) \
  --from 2016-01-01 --to 2019-12-31 --timeframe 1d --seed 7 --out "$tmp/data" \
  >"$tmp/synth.log" 2>&1
check "data synth (universe bars)" test -s "$tmp/data/FFF.csv"
six=(); for s in $syms; do six+=(--data "$s=$tmp/data/$s.csv"); done
supported=0
# compare NAME SPEC C-FILE RUN-ARGS...: the spec run and the script run
# give the same document; the script also gets the settings the spec run
# takes from the spec (those RUN-ARGS do not set).
compare() {
  local name="$1" spec="$2" c="$3"
  shift 3
  read -r -a opts < <(python3 - "$spec" "$@" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); d = s.get("data", {}); o = []; given = sys.argv[2:]
for key, flag, v in (("cash", "--cash", s.get("cash")),
                     ("commission", "--commission", s.get("commission")),
                     ("start", "--from", d.get("start")), ("end", "--to", d.get("end")),
                     ("timeframe", "--timeframe", d.get("timeframe"))):
    if v is not None and flag not in given:
        o += [flag, repr(float(v)) if key in ("cash", "commission") else v]
print(" ".join(o))
PY
)
  "$cli" run --spec "$spec" "$@" --json >"$tmp/$name.spec.json" 2>"$tmp/$name.spec.err"
  check "run --spec $name" [ $? = 0 ]
  "$cli" run --script "$c" "${opts[@]}" "$@" --json \
    >"$tmp/$name.script.json" 2>"$tmp/$name.script.err"
  check "run --script generated $name" [ $? = 0 ]
  check "$name: spec run and generated script agree" python3 - "$tmp/$name.spec.json" \
    "$tmp/$name.script.json" "$spec" "$c" <<'PY'
import hashlib, json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
text = open(sys.argv[3], "rb").read(); spec = json.loads(text); c = open(sys.argv[4]).read()
bad = [k for k in ("metrics", "stats", "analyzers", "trades", "trades_total", "final")
       if a.get(k) != b.get(k)]
if a["backtest"]["config"] != b["backtest"]["config"]:  # cash, commission, minperiod, ...
    bad.append("backtest.config")
if bad:
    for k in bad:
        x, y = (a["backtest"]["config"], b["backtest"]["config"]) if k == "backtest.config" \
            else (a.get(k), b.get(k))
        print("  differs:", k, json.dumps(x)[:200], "|", json.dumps(y)[:200])
    sys.exit(1)
assert a["metrics"]["num_trades"] + a["metrics"]["open_trades"] > 0, "no trades: a weak check"
assert hashlib.sha256(text).hexdigest() in c.split("*/")[0], "header lacks the SHA-256"
for k in range(len(spec["execution_plan"])):
    assert "/execution_plan/%d:" % k in c, "rule %d's pointer is not quoted" % k
print("  %s: %d trades, final value %r, equal" % (spec["strategy_name"],
      a["metrics"]["num_trades"], a["final"]))
PY
}
# tests/specs/codegen_mix.json adds what the examples do not exercise: a
# warm-up longer than any indicator's, short/cover/close, sizings, broker
# state and the math functions; codegen_pyramid.json adds to positions;
# codegen_reverse.json reverses positions sized by the run's sizer;
# codegen_universe.json puts an indicator over a cross-sectional value
# and ranks an indicator, with member shorts, covers and broker state.
for spec in "$examples"/*.json "$here/../specs/codegen_mix.json" \
            "$here/../specs/codegen_pyramid.json" "$here/../specs/codegen_reverse.json" \
            "$here/../specs/codegen_universe.json"; do
  name="$(basename "$spec" .json)"
  case "$name" in
    sma_trend) data=(--data "$SLAB_SHARED/data/nvda-1999-2014.txt") ;;
    orb) data=(--data "$SLAB_SHARED/reference/orb/acme_1m.csv") ;;
    xs_momentum | pairs) data=("${six[@]}") ;;
    codegen_universe) data=("${six[@]:0:8}") ;; # AAA .. DDD
    *) data=(--data "$SLAB_SHARED/data/orcl-1995-2014.txt") ;;
  esac
  "$cli" spec codegen "$spec" -o "$tmp/$name.c" 2>"$tmp/$name.cg.err"
  rc=$?
  check "codegen $name (rc $rc; $(head -c 200 "$tmp/$name.cg.err"))" [ "$rc" = 0 ]
  [ "$rc" = 0 ] || continue
  supported=$((supported + 1))
  compare "$name" "$spec" "$tmp/$name.c" "${data[@]}"
  # The generated script passes `stratlab validate` too.
  check "validate generated $name" bash -c "'$cli' validate '$tmp/$name.c' >/dev/null 2>&1"
done
check "every example and test spec generated and compared ($supported of 14)" \
  [ "$supported" = 14 ]

# More runs of the same scripts: the run's sizer set otherwise (the
# reversals read it through slab_run_sizer), the pair's candidates in
# the other order (the legs and ties follow the feed order), a later
# start (the feeds' bars before it are a preroll, not members' bars).
orcl=(--data "$SLAB_SHARED/data/orcl-1995-2014.txt")
compare reverse_pct_int "$here/../specs/codegen_reverse.json" "$tmp/codegen_reverse.c" \
  "${orcl[@]}" --sizer percent_int:80
compare reverse_fixed "$here/../specs/codegen_reverse.json" "$tmp/codegen_reverse.c" \
  "${orcl[@]}" --sizer fixed:100
rev=(); for s in FFF EEE DDD CCC BBB AAA; do rev+=(--data "$s=$tmp/data/$s.csv"); done
compare pairs_reversed "$examples/pairs.json" "$tmp/pairs.c" "${rev[@]}"
compare xs_momentum_2017 "$examples/xs_momentum.json" "$tmp/xs_momentum.c" "${six[@]}" \
  --from 2017-01-01
compare universe_sizer "$here/../specs/codegen_universe.json" "$tmp/codegen_universe.c" \
  "${six[@]}" --sizer percent_int:20
# regression (the supervisor checked member feeds' bar indexes against the
# clock, whose preroll steps are cut: a member trade in the last days was
# "malformed"): a later start on every feed
compare universe_from "$here/../specs/codegen_universe.json" "$tmp/codegen_universe.c" \
  "${six[@]}" --from 2017-02-01

# A candidate pair that has its values late (FFF's volume 0 on its first
# 200 bars, so its groups' spread has none then): the generated script
# declares every candidate's indicators but must start its rules when the
# formation ends, as the spec run does (minperiod 190, not 260: it waited
# for the slowest candidate before slab_series_nowait).
python3 - "$tmp/data/FFF.csv" "$tmp/late_FFF.csv" <<'PY'
import sys
rows = open(sys.argv[1]).read().splitlines()
out = [rows[0]] + [",".join(f[:5] + ["0"] + f[6:]) if i < 200 else ",".join(f)
                   for i, f in enumerate(r.split(",") for r in rows[1:])]
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
late="$here/../specs/codegen_pairs_late.json"
"$cli" spec codegen "$late" -o "$tmp/pairs_late.c"
check "codegen pairs_late" test -s "$tmp/pairs_late.c"
compare pairs_late "$late" "$tmp/pairs_late.c" "${six[@]:0:10}" --data "FFF=$tmp/late_FFF.csv"
check "pairs_late: the rules start when the formation ends (minperiod 190)" python3 -c "
import json
d = json.load(open('$tmp/pairs_late.script.json'))
assert d['backtest']['config']['minperiod'] == 190, d['backtest']['config']['minperiod']"

# Feeds on different calendars: the spec run refuses them, and so does
# the generated script (it stops with the reason, exit 1).
sed '300d' "$tmp/data/BBB.csv" >"$tmp/gap.csv"
gap=(--data "AAA=$tmp/data/AAA.csv" --data "BBB=$tmp/gap.csv" --data "CCC=$tmp/data/CCC.csv")
"$cli" run --spec "$examples/xs_momentum.json" "${gap[@]}" --json >"$tmp/gap.spec.json" 2>&1
check "calendar gap: the spec run refuses it" grep -q "share one calendar" "$tmp/gap.spec.json"
"$cli" run --script "$tmp/xs_momentum.c" "${gap[@]}" --json >"$tmp/gap.script.json" 2>/dev/null
check "calendar gap: the generated script stops (exit 1)" [ $? = 1 ]
check "calendar gap: the script says why" python3 -c "
import json, sys
d = json.load(open('$tmp/gap.script.json'))['execution']
assert d['status'] == 'strategy_error', d['status']
assert 'must share one calendar: AAA and BBB differ at bar 298' in d['detail'], d['detail']"
# One feed for a universe spec: refused as the spec run refuses it.
"$cli" run --script "$tmp/xs_momentum.c" --data "AAA=$tmp/data/AAA.csv" --json \
  >"$tmp/one.json" 2>/dev/null
check "universe on one feed: the script refuses it" grep -q "the run has one feed" "$tmp/one.json"

# `stratlab codegen` (issue 12's spelling) is `stratlab spec codegen`.
"$cli" codegen "$examples/pairs.json" -o "$tmp/pairs2.c"
check "stratlab codegen writes the same file" cmp "$tmp/pairs.c" "$tmp/pairs2.c"
expect_err "codegen (top level) without a spec" 2 "give the spec" "$cli" codegen

# Spec text cannot escape its comment: a name and a trigger with */ and a
# newline compile as comments only.
python3 - "$examples/sma_cross.json" "$tmp/hostile.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["strategy_name"] = "x */ int evil; /* \n\\ ??/"
s["logic_pipeline"][0]["description"] = "*/ #error injected"
s["execution_plan"][0]["trigger"] = "golden_cross  and close > 0 "
json.dump(s, open(sys.argv[2], "w"))
PY
"$cli" spec codegen "$tmp/hostile.json" -o "$tmp/hostile.c" 2>/dev/null
check "hostile names: generated" [ -s "$tmp/hostile.c" ]
check "hostile names: no */ from the spec" bash -c "! grep -q 'x \*/' '$tmp/hostile.c'"
check "hostile names: still a valid script" bash -c "'$cli' validate '$tmp/hostile.c' >/dev/null 2>&1"
expect_err "codegen without a spec" 2 "give the spec" "$cli" spec codegen
finish
