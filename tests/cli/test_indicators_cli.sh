#!/usr/bin/env bash
# test_indicators_cli.sh: `stratlab indicators` list/show/compute as a user
# meets them: the listing, one entry, unknown names with a suggestion,
# parameter errors, computed CSVs checked by hand. (Against TA-Lib's
# reference files: tests/parity/test_cli_ref.sh.) Uses $SLAB_CLI, $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/ind_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

check "list has DEMA" bash -c "'$cli' indicators | grep -q '^DEMA '"
check "list --json" bash -c "'$cli' indicators --json | grep -q '\"name\": \"STOCHRSI\"'"
check "show MACD outputs" bash -c "'$cli' indicators show macd | grep -q 'outputs   macd macdsignal macdhist'"
# ADX(14) by Wilder (TA-Lib ta_ADX.c): +DM, -DM and TR need the previous
# bar, so they start at bar 1; the first DX uses their sums over bars
# 1..14, at bar 14; ADX is first the mean of 14 DX values (bars 14..27), at
# bar 27: lookback 2*14 - 1 = 27. The table says so, and a computed ADX has
# its first value on data row 27 (line 29: the header, then row 0).
check "show lookback" bash -c "'$cli' indicators show ADX | grep -q 'lookback  27'"
expect_err "unknown show" 1 "unknown indicator DEMA2; did you mean DEMA?" "$cli" indicators show DEMA2
expect_err "unknown compute" 1 "unknown indicator DEMA2; did you mean DEMA?" \
  "$cli" indicators compute DEMA2 --data x.csv
"$cli" data sample --symbol S --bars 300 --seed 5 --out "$tmp/s.csv" >/dev/null 2>&1
expect_err "param range" 2 "timeperiod=1 is outside the allowed range 2..100000" \
  "$cli" indicators compute RSI --data "$tmp/s.csv" --param period=1
expect_err "unknown param" 2 "RSI has no parameter 'foo' (it has: timeperiod)" \
  "$cli" indicators compute RSI --data "$tmp/s.csv" --param foo=3
expect_err "no data" 2 "compute needs --data FILE" "$cli" indicators compute RSI
check "compute header" bash -c "'$cli' indicators compute STOCH --data '$tmp/s.csv' | head -1 | grep -qx 'date,slowk,slowd'"
check "compute ADX starts at row 27" bash -c "'$cli' indicators compute ADX --data '$tmp/s.csv' | sed -n 28p | grep -q ',NaN\$' && '$cli' indicators compute ADX --data '$tmp/s.csv' | sed -n 29p | grep -vq NaN"
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

finish
