#!/usr/bin/env bash
# report_1m.sh: whole-process wall time of `stratlab report` (and stats)
# on a result document of 1M one-minute bars with its series and every
# trade: load (the fast series reader plus jansson for the rest), the six
# charts reduced per pixel column, the tables, the write. Figures only;
# best of N runs, as on a shared machine the spread is wide.
# usage: bash bench/report_1m.sh [build-dir] [bars] [runs]
set -eu
build="${1:-build}" bars="${2:-1000000}" runs="${3:-5}"
cli="$build/stratlab"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$cli" data sample --bars "$bars" --timeframe 1m --seed 9 --out "$tmp/bars.csv" >/dev/null
"$cli" run --strategy sma_cross --data "$tmp/bars.csv" --json --series --trades all >"$tmp/r.json"
echo "document: $(stat -c %s "$tmp/r.json") bytes, $bars bars, $(jq .trades_total "$tmp/r.json") trades"
# best WALL USER MAXRSS of runs of the command
best() {
  local b=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %M" -o "$tmp/t" "$@" >/dev/null 2>&1
    read -r w u m <"$tmp/t"
    if [ -z "$b" ] || awk -v a="$w" -v c="${b%% *}" 'BEGIN { exit !(a < c) }'; then b="$w $u $m"; fi
  done
  read -r w u m <<<"$b"
  printf '%-34s wall %5.2f s  user %5.2f s  max RSS %4d MiB\n' "$*" "$w" "$u" "$((m / 1024))" | sed "s|$tmp/||g; s|$build/||"
}
best "$cli" report "$tmp/r.json" -o "$tmp/r.html"
echo "html: $(stat -c %s "$tmp/r.html") bytes"
best "$cli" report "$tmp/r.json" -o "$tmp/r.png" --chart equity
best "$cli" report "$tmp/r.json" -o "$tmp/r.svg" --chart price
best "$cli" stats "$tmp/r.json" --json
