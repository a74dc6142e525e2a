#!/usr/bin/env bash
# test_walkforward_ref.sh: walk-forward on two feeds over the ORB reference
# data of ../shared/reference/orb (ACME traded, IDX the market filter with
# three bars deleted, so the feeds' clock is not one file's times). Every
# window is checked against separate commands by tests/support/wf_check.py:
# the train choice is a separate ranked sweep's best line, the test
# metrics a separate run with the chosen parameters on both feeds, bit for
# bit. Skipped (exit 77) when ../shared is absent.
# Uses $SLAB_CLI, $SLAB_TMP, $SLAB_SHARED.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
here="$(dirname "$0")"
. "$here/../support/shared.sh"
. "$here/../cli/lib.sh"
shared_ref reference/orb/acme_1m.csv reference/orb/idx_1m.csv
ref="$SLAB_SHARED/reference/orb"
tmp="${SLAB_TMP:-/tmp}/wf_ref.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
wfcheck="$here/../support/wf_check.py"

# the reference's settings (README.md there), the trailing stop swept
common=(--strategy orb --data ACME="$ref/acme_1m.csv" --data IDX="$ref/idx_1m.csv"
        --param market_filter=IDX --commission 0.001 --sizer percent:95)
grid=(--param trailing_stop_pct=1:3:0.5)
for w in "--train 1w --test 1w" "--train 1w --test 1w --anchored" "--train 2000b --test 1000b"; do
  "$cli" walkforward "${common[@]}" "${grid[@]}" $w --rank total_return --json >"$tmp/wf.json"
  check "walkforward ACME+IDX ($w): exit 0" test $? -eq 0
  check "walkforward ACME+IDX ($w): windows equal separate sweeps and runs" \
    python3 "$wfcheck" "$cli" "$tmp/wf.json" total_return 2 "${common[@]}" -- "${grid[@]}"
done
# without the filter the windows trade other days: the second feed is read
"$cli" walkforward --strategy orb --data ACME="$ref/acme_1m.csv" --commission 0.001 \
  --sizer percent:95 "${grid[@]}" --train 2000b --test 1000b --rank total_return --json >"$tmp/one.json"
check "walkforward ACME alone differs from ACME+IDX" python3 -c '
import json, sys
a, b = (json.load(open(p))["walkforward"]["windows"] for p in sys.argv[1:3])
assert [w["out_of_sample"] for w in a] != [w["out_of_sample"] for w in b]
' "$tmp/one.json" "$tmp/wf.json"
finish
