#!/usr/bin/env bash
# test_spec_codegen.sh: `stratlab spec codegen` on every example spec.
# Each spec codegen supports is run both ways on the same real data
# (../shared): `run --spec X.json --json` and `run --script generated.c
# --json` with the spec's settings (cash, commission, data.start/end); the
# metrics, stats, analyzers, trades, final value and the run's config
# (minperiod included) must be equal, value for value. Nothing here is an expected number: each side checks the
# other. The specs codegen refuses (universes, volatility-target sizing) are listed with its one-line reason and must
# be refused with exit 2 and nothing written. Also: the header names the
# spec and its SHA-256, each rule's JSON pointer is quoted, and spec text
# cannot end the C comment it is quoted in.
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
supported=0
# tests/specs/codegen_mix.json adds what the examples do not exercise: a
# warm-up longer than any indicator's, short/cover/close, sizings, broker
# state and the math functions; codegen_pyramid.json adds to positions.
for spec in "$examples"/*.json "$here/../specs/codegen_mix.json" \
            "$here/../specs/codegen_pyramid.json"; do
  name="$(basename "$spec" .json)"
  case "$name" in
    sma_trend) data="$SLAB_SHARED/data/nvda-1999-2014.txt" ;;
    orb) data="$SLAB_SHARED/reference/orb/acme_1m.csv" ;;
    *) data="$SLAB_SHARED/data/orcl-1995-2014.txt" ;;
  esac
  "$cli" spec codegen "$spec" -o "$tmp/$name.c" 2>"$tmp/$name.cg.err"
  rc=$?
  if [ "$rc" = 2 ]; then
    echo "refused: $name: $(grep 'spec codegen:' "$tmp/$name.cg.err" | head -1)"
    check "$name refused in one line, nothing written" \
      bash -c "[ ! -e '$tmp/$name.c' ] && grep -q 'not supported by codegen yet' '$tmp/$name.cg.err'"
    continue
  fi
  check "codegen $name (rc $rc)" [ "$rc" = 0 ]
  [ "$rc" = 0 ] || continue
  supported=$((supported + 1))
  # The settings the spec run takes from the spec, given to the script run.
  read -r -a opts < <(python3 - "$spec" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); d = s.get("data", {}); o = []
if "cash" in s: o += ["--cash", repr(float(s["cash"]))]
if "commission" in s: o += ["--commission", repr(float(s["commission"]))]
if "start" in d: o += ["--from", d["start"]]
if "end" in d: o += ["--to", d["end"]]
if "timeframe" in d: o += ["--timeframe", d["timeframe"]]
print(" ".join(o))
PY
)
  "$cli" run --spec "$spec" --data "$data" --json >"$tmp/$name.spec.json" 2>"$tmp/$name.spec.err"
  check "run --spec $name" [ $? = 0 ]
  "$cli" run --script "$tmp/$name.c" --data "$data" "${opts[@]}" --json \
    >"$tmp/$name.script.json" 2>"$tmp/$name.script.err"
  check "run --script generated $name" [ $? = 0 ]
  check "$name: spec run and generated script agree" python3 - "$tmp/$name.spec.json" \
    "$tmp/$name.script.json" "$spec" "$tmp/$name.c" <<'PY'
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
  # The generated script passes `stratlab validate` too.
  check "validate generated $name" bash -c "'$cli' validate '$tmp/$name.c' >/dev/null 2>&1"
done
check "at least 9 specs generated and compared ($supported)" [ "$supported" -ge 9 ]

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
