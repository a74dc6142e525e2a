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

finish
