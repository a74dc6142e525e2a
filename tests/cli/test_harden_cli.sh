#!/usr/bin/env bash
# test_harden_cli.sh: the defects and loose ends of issue 9 as a user meets
# them at the command line: data from a pipe or FIFO, odd files, odd
# flags. Each case says what it used to do. Expected digests come from
# coreutils' sha256sum, run here on the same bytes.
# Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/harden_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
. "$(dirname "$0")/lib.sh"

"$cli" data sample --symbol S --bars 300 --seed 5 --out "$tmp/s.csv" >/dev/null 2>&1
want_sha="$(sha256sum <"$tmp/s.csv" | cut -d' ' -f1)"
sha_of() { grep -o '"data_sha256": "[0-9a-f]*"' | cut -d'"' -f4; }

# Defect 5: a pipe got the SHA-256 of empty input (the file was read twice).
check "pipe: data_sha256 of the bytes read" \
  test "$("$cli" run --strategy sma_cross --data <(cat "$tmp/s.csv") --json | sha_of)" = "$want_sha"
check "file: the same data_sha256" \
  test "$("$cli" run --strategy sma_cross --data "$tmp/s.csv" --json | sha_of)" = "$want_sha"
# Defect 5: a FIFO hung forever (the second open waited for a writer).
mkfifo "$tmp/f.fifo"
(cat "$tmp/s.csv" >"$tmp/f.fifo" &)
check "fifo: runs, same data_sha256" \
  test "$(timeout 60 "$cli" run --strategy sma_cross --data "$tmp/f.fifo" --json | sha_of)" = "$want_sha"

# --cash 1e308 gave an infinite final value and the JSON dropped it.
expect_err "cash too large" 2 "starting cash 1e+308 is too large: at most 1e+15" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --cash 1e308
# --stop-loss 200% was accepted (stop_loss_pct stops at 99).
expect_err "stop-loss 200%" 2 "--stop-loss '200%' is not valid: give 2% (percent of the entry fill, below 100%)" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --stop-loss 200%
# A read with --db at a mistyped path created an empty store (and folders).
expect_err "mistyped --db" 3 "no store here (nothing has been imported to this path)" \
  "$cli" data list --db "$tmp/typo/s.db"
expect_err "mistyped --db (run)" 3 "no store here" \
  "$cli" run --strategy sma_cross --symbol S --db "$tmp/typo/s.db"
check "nothing created at the mistyped path" test ! -e "$tmp/typo"
# --db '' silently meant the default store.
expect_err "empty --db (list)" 2 "--db needs a path; an empty one would quietly mean the default store" \
  "$cli" data list --db ''
expect_err "empty --db (run)" 2 "--db expects PATH, got an empty text" \
  "$cli" run --strategy sma_cross --symbol S --db ''
expect_err "empty --db (import)" 2 "--db needs a path" \
  "$cli" data import "$tmp/s.csv" --symbol S --db ''
# A well-formed date outside the supported years said "expects YYYY-MM-DD".
expect_err "sample --start 2300" 2 "--start: date '2300-01-01' is outside 1678..2261" \
  "$cli" data sample --symbol X --start 2300-01-01 --db "$tmp/x.db"
expect_err "run --from 1500" 2 "--from: date '1500-01-01' is outside 1678..2261" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --from 1500-01-01
# A binary or UTF-16 header was echoed raw to the terminal.
printf '\033[31mred,\001x\n1,2\n' >"$tmp/esc.csv"
expect_err "control bytes escaped" 3 'columns are: \x1B[31mred, \x01x' \
  "$cli" run --strategy sma_cross --data "$tmp/esc.csv"
check "no raw escape byte in the message" bash -c "! '$cli' run --strategy sma_cross --data '$tmp/esc.csv' 2>&1 | grep -q \$'\\033'"
# CR-only line endings gave "more than 256 fields".
tr '\n' '\r' <"$tmp/s.csv" >"$tmp/cr.csv"
a="$("$cli" run --strategy sma_cross --data "$tmp/cr.csv" | grep final_value)"
b="$("$cli" run --strategy sma_cross --data "$tmp/s.csv" | grep final_value)"
check "CR-only file runs like the LF one" test -n "$a" -a "$a" = "$b"

finish
