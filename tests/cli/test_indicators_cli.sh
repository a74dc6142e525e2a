#!/usr/bin/env bash
# test_indicators_cli.sh: `stratlab indicators` list/show/compute as a user
# meets them: the listing, one entry, unknown names with a suggestion,
# parameter errors, and a computed CSV equal to TA-Lib's reference vector
# (when ../shared is present). Uses $SLAB_CLI, $SLAB_TMP, $SLAB_SHARED.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/ind_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

check "list has DEMA" bash -c "'$cli' indicators | grep -q '^DEMA '"
check "list --json" bash -c "'$cli' indicators --json | grep -q '\"name\": \"STOCHRSI\"'"
check "show MACD outputs" bash -c "'$cli' indicators show macd | grep -q 'outputs   macd macdsignal macdhist'"
check "show lookback" bash -c "'$cli' indicators show ADX | grep -q 'lookback  27'"
expect_err "unknown show" 2 "unknown indicator DEMA2; did you mean DEMA?" "$cli" indicators show DEMA2
expect_err "unknown compute" 2 "unknown indicator DEMA2; did you mean DEMA?" \
  "$cli" indicators compute DEMA2 --data x.csv
"$cli" data sample --symbol S --bars 300 --seed 5 --out "$tmp/s.csv" >/dev/null 2>&1
expect_err "param range" 2 "timeperiod=1 is outside the allowed range 2..100000" \
  "$cli" indicators compute RSI --data "$tmp/s.csv" --param period=1
expect_err "unknown param" 2 "RSI has no parameter 'foo' (it has: timeperiod)" \
  "$cli" indicators compute RSI --data "$tmp/s.csv" --param foo=3
expect_err "no data" 2 "compute needs --data FILE" "$cli" indicators compute RSI
check "compute header" bash -c "'$cli' indicators compute STOCH --data '$tmp/s.csv' | head -1 | grep -qx 'date,slowk,slowd'"
check "compute rows" bash -c "[ \$('$cli' indicators compute SMA --data '$tmp/s.csv' --param period=5 | wc -l) -eq 301 ]"

# docs/indicators.md is generated from the table: it must be current.
doc="$(dirname "$0")/../../docs/indicators.md"
check "docs/indicators.md is current (regenerate: stratlab indicators --markdown > docs/indicators.md)" \
  bash -c "diff <('$cli' indicators --markdown) '$doc' >/dev/null"
expect_err "json and markdown" 2 "--json and --markdown exclude each other" \
  "$cli" indicators --json --markdown
check "show CROSSUP inputs" bash -c "'$cli' indicators show CrossUp | grep -q 'inputs    a b'"
check "show VWAP day input" bash -c "'$cli' indicators show vwap | grep -q 'inputs    high low close volume day'"
check "show STOCH flat param" bash -c "'$cli' indicators show STOCH | grep -q 'param     flat'"
check "compute CROSSDOWN a/b" bash -c "[ \$('$cli' indicators compute CROSSDOWN --data '$tmp/s.csv' --input a=close --input b=open | wc -l) -eq 301 ]"
# HMA(30) starts at bar 33 (line 35: header, then bar 0 on line 2)
check "compute HMA lookback" bash -c "'$cli' indicators compute HMA --data '$tmp/s.csv' | sed -n 34p | grep -q ',NaN\$' && '$cli' indicators compute HMA --data '$tmp/s.csv' | sed -n 35p | grep -vq NaN"
# VWAP by hand: tp 10, 11 on day 1 (volume 100, 300): 10, (1000+3300)/400 =
# 10.75; day 2 restarts: tp 20 (50), 23 (150): 20, (1000+3450)/200 = 22.25.
cat > "$tmp/vwap.csv" <<'CSV'
Date,Time,Open,High,Low,Close,Volume
2024-01-02,09:30:00,10,11,9,10,100
2024-01-02,09:35:00,11,12,10,11,300
2024-01-03,09:30:00,20,21,19,20,50
2024-01-03,09:35:00,21,24,21,24,150
CSV
check "VWAP restarts each day" bash -c "[ \"\$('$cli' indicators compute VWAP --data '$tmp/vwap.csv' | cut -d, -f2 | tr '\n' ' ')\" = 'vwap 10 10.75 20 22.25 ' ]"

ref="${SLAB_SHARED:-}/reference/indicators/orcl-1995-2014"
if [ -n "${SLAB_SHARED:-}" ] && [ -f "$ref/input.csv" ]; then
  "$cli" indicators compute MACD --data "$ref/input.csv" --param fastperiod=12 \
    --param slowperiod=26 --param signalperiod=9 --out "$tmp/macd.csv"
  # Same doubles, bit for bit: the reference file has 17 digits, ours the
  # shortest text that reads back to the same double, so compare values.
  check "MACD equals TA-Lib's file" python3 -c '
import sys
ref = [l.rstrip("\n").split(",")[1:] for l in open(sys.argv[1])][1:]
got = [l.rstrip("\n").split(",") for l in open(sys.argv[2])][1:]
same = lambda a, b: a == b or (a != "NaN" and b != "NaN" and float(a) == float(b))
bad = [(i, r, g) for i, (r, g) in enumerate(zip(ref, got)) if len(r) != len(g) or r[0] != g[0]
       or not all(same(a, b) for a, b in zip(r[1:], g[1:]))]
sys.exit(1 if bad or len(ref) != len(got) else 0)' "$ref/talib/MACD_12_26_9.csv" "$tmp/macd.csv"
  # The shortest text: 0.039541780486898048 (17 digits) is 0.03954178048689805.
  check "compute prints shortest round-trip numbers" grep -q '^1995-02-27,0.03954178048689805,' "$tmp/macd.csv"
else
  echo "SKIP: ../shared is absent; reference comparison not run"
fi

finish
