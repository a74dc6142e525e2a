#!/usr/bin/env bash
# test_cli_ref.sh: the CLI on the files of ../shared: `data import` of the
# shared data files, `indicators compute` equal to TA-Lib's reference file,
# and `run` on a stored symbol equal to the same run on its file and to
# backtrader's reference value. Skipped (exit 77) when ../shared is absent.
# Uses $SLAB_CLI, $SLAB_TMP, $SLAB_SHARED.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
here="$(dirname "$0")"
. "$here/../support/shared.sh"
. "$here/../cli/lib.sh"
data="$SLAB_SHARED/data"
ind="$SLAB_SHARED/reference/indicators/orcl-1995-2014"
bt="$SLAB_SHARED/reference/backtrader"
shared_ref data/orcl-1995-2014.txt data/2006-min-005.txt data/2006-01-02-volume-min-001.txt \
  data/edge_cases_400.csv reference/indicators/orcl-1995-2014/input.csv \
  reference/indicators/orcl-1995-2014/talib/MACD_12_26_9.csv \
  reference/indicators/orcl-1995-2014/talib/manifest.csv reference/backtrader/smacross_orcl.json
tmp="${SLAB_TMP:-/tmp}/cli_ref.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"

# cli ARGS...: runs stratlab; stdout in $tmp/out, stderr in $tmp/err.
cli() { "$cli" "$@" >"$tmp/out" 2>"$tmp/err" || true; }
# bars_of SYMBOL [TIMEFRAME]: the bar count `data list` shows (empty if none).
bars_of() {
  "$cli" data list | awk -v s="$1" -v t="${2:-}" '$1 == s && (t == "" || $2 == t) { print $3 }'
}
has() { grep -qF -- "$1" "$2"; }
equals() { [ "$1" = "$2" ]; }
# lines FILE [PATTERN]: rows of FILE after its header (matching PATTERN).
rows() { tail -n +2 "$1" | grep -c -- "${2:-}"; }

# ---- data import (counts: the files' own rows, also in data/INVENTORY.md) ----
cli data import "$data/orcl-1995-2014.txt" --symbol ORCL
check "import ORCL" has "$(rows "$data/orcl-1995-2014.txt") bars, 1995-01-03 .. 2014-12-31" "$tmp/out"
cli data import "$data/orcl-1995-2014.txt" --symbol ORCL
check "re-import ORCL replaces" has "replaced 5036 stored bars" "$tmp/out"
check "re-import ORCL keeps the count" equals "$(bars_of ORCL 1d)" 5036
cli data import "$data/2006-min-005.txt" --symbol ES
check "5-minute file infers 5m" equals "$(bars_of ES 5m)" "$(rows "$data/2006-min-005.txt")"
cli data import "$data/2006-01-02-volume-min-001.txt" --symbol ES
check "1-minute file (7-column header) loads" equals "$(bars_of ES 1m)" \
  "$(rows "$data/2006-01-02-volume-min-001.txt")"
cli data import "$data/edge_cases_400.csv" --symbol EDGE
check "day-number dates load" equals "$(bars_of EDGE 1d)" 400

# ---- indicators compute against TA-Lib's file --------------------------------
"$cli" indicators compute MACD --data "$ind/input.csv" --param fastperiod=12 \
  --param slowperiod=26 --param signalperiod=9 --out "$tmp/macd.csv"
check "MACD equals TA-Lib's file" bash -c "diff <(cut -d, -f2- '$ind/talib/MACD_12_26_9.csv' | tail -n +2) <(tail -n +2 '$tmp/macd.csv') >/dev/null"
# The lookback `indicators show` prints is TA-Lib's own (the manifest's
# lookback column for ADX_14: 27; test_indicators_cli.sh derives it).
check "ADX lookback equals TA-Lib's manifest" equals \
  "$(awk -F, '$1 == "ADX_14.csv" { print $(NF-2) }' "$ind/talib/manifest.csv")" \
  "$("$cli" indicators show ADX | awk '$1 == "lookback" { print $2 }')"

# ---- run: a stored symbol, its file and backtrader's value ----------------------
a="$("$cli" run --strategy sma_cross --symbol ORCL --json | grep -o '"final_value": [-0-9.e+]*')"
b="$("$cli" run --strategy sma_cross --data "$data/orcl-1995-2014.txt" --json | grep -o '"final_value": [-0-9.e+]*')"
check "store run equals file run" test -n "$a" -a "$a" = "$b"
# backtrader's smacross_orcl (sma_cross defaults, cash 100000, commission
# 0.001, percent:95: the run defaults) ends at final.value of its JSON;
# ours must be that double exactly (awk compares the parsed numbers).
want="$(awk '/"final": \{/ { f = 1 } f && /"value":/ { gsub(/[",]/, ""); print $2; exit }' "$bt/smacross_orcl.json")"
check "final value equals backtrader's ($want)" awk -v a="${a#*: }" -v b="$want" \
  'BEGIN { exit !(b != "" && a + 0 == b + 0) }'
# 2010 on NYSE: 365 days from Friday 2010-01-01 hold 261 weekdays; 9 were
# holidays (Jan 1, Jan 18, Feb 15, Apr 2 Good Friday, May 31, Jul 5, Sep 6,
# Nov 25, Dec 24), so 252 sessions, the first on Monday Jan 4. The file
# agrees: it has 252 rows dated 2010.
check "ORCL has 252 rows in 2010" equals "$(grep -c '^2010-' "$data/orcl-1995-2014.txt")" 252
check "from/to restricts" bash -c "'$cli' run --strategy sma_cross --symbol ORCL --from 2010-01-01 --to 2010-12-31 | grep -q '2010-01-04 to 2010-12-31, 252 bars'"

finish
