#!/usr/bin/env bash
# test_sweep_parallel.sh: the GNU parallel recipe of docs/sweeps.md, run as
# written: four shards two at a time through `parallel`, merged, equal byte
# for byte to the unsharded sweep. Skips (77) when GNU parallel is not
# installed (scripts/setup.sh installs the Debian package `parallel`).
# Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
if ! command -v parallel >/dev/null 2>&1 || ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
  echo "SKIP: GNU parallel is not installed (scripts/setup.sh installs the Debian package parallel)"
  exit 77
fi
tmp="${SLAB_TMP:-/tmp}/sweep_parallel.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

"$cli" data sample --symbol SAMPLE --bars 500 --seed 4 --out "$tmp/data.csv" >/dev/null 2>&1
cd "$tmp" || exit 1
# The recipe (docs/sweeps.md), with a smaller grid: 4 x 4 = 16 combinations.
parallel --will-cite -j2 "$cli" sweep --strategy sma_cross --data data.csv --param fast=5:20:5 \
  --param slow=30:60:10 --shard {}/4 --out part-{}.jsonl ::: 1 2 3 4
check "parallel ran the 4 shards" test "$(ls part-*.jsonl | wc -l)" -eq 4
"$cli" sweep merge part-*.jsonl --out all.jsonl --rank sharpe_ratio >summary.txt
check "merge exit 0" test $? -eq 0
"$cli" sweep --strategy sma_cross --data data.csv --param fast=5:20:5 --param slow=30:60:10 \
  --out one.jsonl
check "16 lines" test "$(wc -l <one.jsonl)" -eq 16
check "merged shards = one machine's sweep, byte for byte" cmp -s all.jsonl one.jsonl
check "the merge's summary" grep -q "ranked by sharpe_ratio" summary.txt
finish
