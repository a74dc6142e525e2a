#!/usr/bin/env bash
# test_run_cli.sh: `stratlab run` and `stratlab strategies` as a user meets
# them: help, parameter range errors, unknown names, zero-trade summaries,
# the equity file, and a stored symbol giving the same result as its file.
# Uses $SLAB_CLI, $SLAB_TMP and (when present) $SLAB_SHARED.
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

expect_err "param out of range" 1 "fast=0 is outside the allowed range 1..10000" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param fast=0
expect_err "param not a whole number" 1 "fast must be a whole number, got 2.5" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param fast=2.5
expect_err "unknown param" 1 "sma_cross has no parameter 'fats'" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param fats=3
expect_err "unknown strategy" 1 "unknown strategy 'sma_crss'; did you mean sma_cross?" \
  "$cli" run --strategy sma_crss --data "$tmp/sample.csv"
expect_err "fast >= slow" 1 "fast (30) must be shorter than slow (10)" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --param fast=30 --param slow=10
expect_err "missing file" 1 "$tmp/nope.csv" \
  "$cli" run --strategy sma_cross --data "$tmp/nope.csv"
expect_err "bad sizer" 2 "unknown sizer 'kelly'" \
  "$cli" run --strategy sma_cross --data "$tmp/sample.csv" --sizer kelly
expect_err "no data" 2 "give exactly one of --data FILE or --symbol SYM" \
  "$cli" run --strategy sma_cross
expect_err "unknown symbol" 1 "NOPE" \
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

# A stored symbol gives the same numbers as its file.
if [ -n "${SLAB_SHARED:-}" ] && [ -f "$SLAB_SHARED/data/orcl-1995-2014.txt" ]; then
  "$cli" data import "$SLAB_SHARED/data/orcl-1995-2014.txt" --symbol ORCL >/dev/null
  a="$("$cli" run --strategy sma_cross --symbol ORCL | grep final_value)"
  b="$("$cli" run --strategy sma_cross --data "$SLAB_SHARED/data/orcl-1995-2014.txt" | grep final_value)"
  check "store run equals file run" test "$a" = "$b"
  check "from/to restricts" bash -c "'$cli' run --strategy sma_cross --symbol ORCL --from 2010-01-01 --to 2010-12-31 | grep -q '2010-01-04 to 2010-12-31, 252 bars'"
  # backtrader's smacross_orcl final value, 405152.61 (../shared/reference/backtrader/smacross_orcl.json)
  check "orcl final value" bash -c "grep -q '405152.6050' <<<'$a'"
else
  echo "SKIP: ../shared is absent; store-vs-file parity not run"
fi

finish
