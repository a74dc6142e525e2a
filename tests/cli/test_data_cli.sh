#!/usr/bin/env bash
# test_data_cli.sh: `stratlab data import|list|sample` end to end: sample
# generation (store and CSV), idempotent re-import, a failed import leaving
# the store as it was, malformed files reported as path:row:col, usage
# errors and --help. Needs SLAB_CLI (the binary); uses SLAB_TMP for scratch
# files. (The shared data files: tests/parity/test_cli_ref.sh.)
set -euo pipefail

: "${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/data_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
pass=0
fail=0

# check NAME CMD...: counts CMD's success or failure under NAME.
check() {
    local name=$1
    shift
    if "$@"; then
        pass=$((pass + 1))
        echo "ok   $name"
    else
        fail=$((fail + 1))
        echo "FAIL $name"
    fi
}

# cli ARGS...: runs stratlab; stdout in $tmp/out, stderr in $tmp/err,
# exit status in $rc (never aborts the script).
cli() {
    rc=0
    "$SLAB_CLI" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
}

# bars_of SYMBOL [TIMEFRAME]: the bar count `data list` shows (empty if none).
bars_of() {
    "$SLAB_CLI" data list | awk -v s="$1" -v t="${2:-}" '$1 == s && (t == "" || $2 == t) { print $3 }'
}

has() { grep -qF -- "$1" "$2"; }
is_rc() { [ "$rc" -eq "$1" ]; }
equals() { [ "$1" = "$2" ]; }

# ---- sample data ----------------------------------------------------------
cli data sample --symbol SAMPLE --bars 300 --seed 7
check "sample into the store" is_rc 0
check "sample shows in list" equals "$(bars_of SAMPLE 1d)" 300
cli data sample --symbol SAMPLE --bars 300 --seed 7
check "sample again replaces" has "replaced 300 stored bars" "$tmp/out"
check "sample again keeps the count" equals "$(bars_of SAMPLE 1d)" 300

cli data sample --bars 300 --seed 7 --out "$tmp/s1.csv"
check "sample --out" is_rc 0
"$SLAB_CLI" data sample --bars 300 --seed 7 --out "$tmp/s2.csv" >/dev/null
check "same seed, same file" cmp -s "$tmp/s1.csv" "$tmp/s2.csv"
check "sample CSV header" equals "$(head -1 "$tmp/s1.csv")" "Date,Open,High,Low,Close,Volume,OpenInterest"
check "sample CSV rows" equals "$(wc -l <"$tmp/s1.csv" | tr -d ' ')" 301
cli data import "$tmp/s1.csv" --symbol FROMCSV
check "sample CSV imports" is_rc 0
check "sample CSV bar count" equals "$(bars_of FROMCSV 1d)" 300
cli data sample --bars 156 --timeframe 5m --out "$tmp/s5.csv"
cli data import "$tmp/s5.csv" --symbol INTRA
check "intraday sample reads back as 5m" equals "$(bars_of INTRA 5m)" 156

# ---- malformed files ----------------------------------------------------------
printf 'Date,Open,High,Low,Close,Volume,OpenInterest\n2006-01-02,1,2,0.5,1.5,10,0\n2006-01-03,1,2,0.5,abc,10,0\n' >"$tmp/bad.csv"
cli data import "$tmp/bad.csv" --symbol BAD
check "malformed file fails" is_rc 1
check "error names path:row:col" has "stratlab: $tmp/bad.csv:3:5: bad close 'abc': expected a number" "$tmp/err"
printf 'Date,Open,High,Low,Close,Volume,OpenInterest\n2006-01-02,1,0.5,2,1.5,10,0\n' >"$tmp/hl.csv"
cli data import "$tmp/hl.csv" --symbol BAD
check "inconsistent row named" has "$tmp/hl.csv:2:3: high 0.5 is below low 2" "$tmp/err"
cli data import "$tmp/bad.csv" --symbol BAD --skip-bad-rows
check "skip-bad-rows imports the rest" equals "$(bars_of BAD 1d)" 1
check "skip-bad-rows reports the skip" has "1 skipped" "$tmp/out"
cli data import "$tmp/bad.csv" --symbol SAMPLE --timeframe 1d
check "failed import exits 1" is_rc 1
check "failed import leaves the store" equals "$(bars_of SAMPLE 1d)" 300

# ---- usage and help ---------------------------------------------------------------
cli data import "$tmp/s1.csv"
check "import needs --symbol" is_rc 2
cli data frobnicate
check "unknown subcommand" is_rc 2
cli data import "$tmp/s1.csv" --symbol X --format excel
check "bad --format" has "bad format 'excel'" "$tmp/err"
for sub in import list sample; do
    cli data "$sub" --help
    check "data $sub --help" has "usage: stratlab data $sub" "$tmp/out"
done
cli data list --json
check "list --json" has '"symbol": "SAMPLE"' "$tmp/out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
