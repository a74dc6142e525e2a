#!/usr/bin/env bash
# test_spec_cli.sh: specs as a user meets them: `validate` (exit codes,
# text and --json items), `spec new --example` and `spec examples`, `run
# --spec` on every example spec (the document's spec fields, the spec's
# cash and data applying unless flags say otherwise), and `diagnose`
# (status, Chinese, zero-trade triage). Uses $SLAB_CLI and $SLAB_TMP; the
# examples run on generated sample data (tests/parity/test_spec_examples.sh
# runs them on the real data of ../shared).
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/spec_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
here="$(cd "$(dirname "$0")" && pwd)"
examples="$here/../../examples/specs"
. "$here/lib.sh"

# ---- validate
check "validate a good spec" bash -c "'$cli' validate '$examples/sma_cross.json' | grep -q ': valid (0 warning(s)); SMA crossover compiles to'"
check "validate exit 0" "$cli" validate "$examples/rsi_reversion.json"
expect_err "validate an invalid spec" 1 "error: /execution_plan/0/action: unknown action \"buyy\"" \
  "$cli" validate "$here/../specs/invalid/26_bad_action.json"
expect_err "validate a missing file" 1 "cannot open the spec" "$cli" validate "$tmp/nope.json"
expect_err "validate without a file" 2 "give the spec file" "$cli" validate
"$cli" validate --json "$here/../specs/invalid/20_unknown_fields.json" >"$tmp/v.json"; rc=$?
check "validate --json exit 1" test "$rc" -eq 1
check "validate --json items" python3 - "$tmp/v.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["valid"] is False and d["error_count"] == 1 and d["warning_count"] == 2, d
for item in d["items"]:
    for k in ("severity", "pointer", "message", "fix"):
        assert k in item, (k, item)
assert [i["severity"] for i in d["items"]] == ["warning", "warning", "error"]
assert d["errors"][0]["pointer"] == "/execution_plan/0/trigger"
assert d["items"][0]["line"] == 3 and d["items"][0]["column"] == 17
EOF
printf '{"strategy_name": "x", "execution_plan": [{"trigger": "RSI(close, 14) < 30", "action": "buy"}]}' >"$tmp/warn.json"
check "warnings keep exit 0" bash -c "'$cli' validate '$tmp/warn.json' | grep -q 'valid with warnings (1 warning(s))'"

# ---- spec new / examples
"$cli" spec examples >"$tmp/ex.txt"
check "at least 8 examples" test "$(wc -l <"$tmp/ex.txt")" -ge 8
for name in $(awk '{print $1}' "$tmp/ex.txt"); do
  "$cli" spec new --example "$name" >"$tmp/$name.json"
  check "example $name is valid" bash -c "'$cli' validate '$tmp/$name.json' >/dev/null"
  check "example $name is the file in examples/specs" cmp -s "$tmp/$name.json" "$examples/$name.json"
  check "example $name is documented" bash -c "grep -q '\"description\"' '$tmp/$name.json'"
done
expect_err "unknown example" 1 "unknown example 'nope'; examples:" "$cli" spec new --example nope
check "spec new -o" bash -c "'$cli' spec new --example rsi_reversion -o '$tmp/o.json' && cmp -s '$tmp/o.json' '$examples/rsi_reversion.json'"

# ---- run --spec: every example
"$cli" data sample --bars 3000 --seed 5 --out "$tmp/daily.csv" >/dev/null
"$cli" data sample --bars 3900 --seed 6 --timeframe 1m --out "$tmp/minute.csv" >/dev/null
orcl="$tmp/daily.csv" nvda="$tmp/daily.csv" minute="$tmp/minute.csv"
period="--from 2015-01-01 --to 2040-12-31"  # the examples name 1995-2014; the sample is later
for name in $(awk '{print $1}' "$tmp/ex.txt"); do
  case "$name" in
    orb) data="$minute" ;;
    sma_trend) data="$nvda" ;;
    pairs|xs_momentum) continue ;;  # universes: tests/parity/test_spec_universe.sh
    *) data="$orcl" ;;
  esac
  # shellcheck disable=SC2086
  "$cli" run --spec "$examples/$name.json" --data "$data" $period --json >"$tmp/$name.out.json" 2>"$tmp/$name.err"
  check "run --spec $name" python3 - "$tmp/$name.out.json" "$examples/$name.json" <<'EOF'
import hashlib, json, sys
doc = json.load(open(sys.argv[1])); spec_text = open(sys.argv[2], "rb").read(); spec = json.loads(spec_text)
bt = doc["backtest"]
assert bt["strategy"] == spec["strategy_name"], bt["strategy"]
assert bt["source"] == "spec"
assert bt["spec_sha256"] == hashlib.sha256(spec_text).hexdigest()
assert doc["spec"]["sha256"] == bt["spec_sha256"]
assert len(doc["spec"]["rules"]) == len(spec["execution_plan"])
assert doc["metrics"]["num_trades"] + doc["metrics"]["open_trades"] > 0, "no trade"
assert ("diagnosis" in doc) == ("expected_performance" in spec)
if "diagnosis" in doc:
    assert doc["diagnosis"]["status"] in ("match", "partial_match", "mismatch")
assert doc["execution"]["compile_ms"] is not None
EOF
done

# The spec's cash applies unless --cash is given.
sed 's/"cash": 100000/"cash": 50000/' "$examples/rsi_reversion.json" >"$tmp/cash.json"
# shellcheck disable=SC2086
"$cli" run --spec "$tmp/cash.json" --data "$orcl" $period --json >"$tmp/c1.json"
# shellcheck disable=SC2086
"$cli" run --spec "$tmp/cash.json" --data "$orcl" $period --cash 70000 --json >"$tmp/c2.json"
check "spec cash applies" python3 -c "import json; assert json.load(open('$tmp/c1.json'))['backtest']['config']['cash'] == 50000"
check "--cash wins over the spec" python3 -c "import json; assert json.load(open('$tmp/c2.json'))['backtest']['config']['cash'] == 70000"
expect_err "run --spec with an invalid spec" 1 "the spec has 1 error(s); nothing was run" \
  "$cli" run --spec "$here/../specs/invalid/39_expr_lookahead.json" --data "$orcl"
expect_err "run --spec and --strategy" 2 "give one of --strategy NAME, --spec FILE or --script FILE.c" \
  "$cli" run --spec "$examples/sma_cross.json" --strategy sma_cross --data "$orcl"
expect_err "spec without data" 2 "the spec names no data (data.symbols)" \
  "$cli" run --spec "$tmp/warn.json"
"$cli" data sample --bars 300 --seed 9 --out "$tmp/late.csv" >/dev/null  # 2015 on
expect_err "the spec's period, said so" 3 "the period is the spec's data.start/data.end" \
  "$cli" run --spec "$examples/sma_cross.json" --data "$tmp/late.csv"

# ---- diagnose
check "diagnose text" bash -c "'$cli' diagnose '$tmp/rsi_reversion.out.json' --spec '$examples/rsi_reversion.json' | grep -q '^Assessment: '"
check "diagnose --lang zh" bash -c "'$cli' diagnose '$tmp/rsi_reversion.out.json' --spec '$examples/rsi_reversion.json' --lang zh | grep -q '匹配评估: .*匹配'"
check "diagnose --json" python3 - <<EOF
import json, subprocess
out = subprocess.run(["$cli", "diagnose", "$tmp/rsi_reversion.out.json", "--spec", "$examples/rsi_reversion.json", "--json", "--lang", "zh"], capture_output=True, text=True, check=True).stdout
d = json.loads(out)
assert d["status"] in ("match", "partial_match", "mismatch")
assert d["status_text"] in ("匹配", "部分匹配", "不匹配")
assert "论文预期" in d["table"]["text"]["zh"] and "Paper" in d["table"]["text"]["en"]
for dv in d["deviations"]:
    for k in ("metric", "expected", "actual", "deviation", "threshold", "within"):
        assert k in dv
EOF
# A spec whose entry can never come close: zero trades, triaged.
sed 's/"rsi < 30"/"rsi < 2"/' "$examples/rsi_reversion.json" >"$tmp/strict.json"
# shellcheck disable=SC2086
"$cli" run --spec "$tmp/strict.json" --data "$orcl" $period --json >"$tmp/strict.out.json"
check "zero trades: mismatch" bash -c "'$cli' diagnose '$tmp/strict.out.json' --spec '$tmp/strict.json' --json | grep -q '\"status\": \"mismatch\"'"
check "zero trades: triage" bash -c "'$cli' diagnose '$tmp/strict.out.json' --spec '$tmp/strict.json' | grep -q \"condition \\\`rsi < 2\\\` never held; closest on\""
check "tolerance flags" bash -c "'$cli' diagnose '$tmp/rsi_reversion.out.json' --spec '$examples/rsi_reversion.json' --tol-sharpe 0 --tol-annual-return 0 --tol-max-drawdown 0 --json | grep -q '\"status\": \"mismatch\"'"
expect_err "diagnose a non-result" 3 "not a result document" "$cli" diagnose "$examples/sma_cross.json"
expect_err "diagnose bad --lang" 2 "--lang" "$cli" diagnose "$tmp/rsi_reversion.out.json" --lang fr
finish
