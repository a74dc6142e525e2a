#!/usr/bin/env bash
# sweep_ab.sh: two stratlab binaries, alternately, on the same sweep (the
# 10,000-point sma_cross grid on 200,000 bars unless a grid is given), so
# that a shared machine's drift falls on both alike. Prints, for each, the
# median and best wall time, the median user+sys CPU and the median
# (user+sys)/wall (how busy the workers kept the cores), and checks that
# both wrote the same lines.
#   bash bench/sweep_ab.sh A B [runs] [jobs] [data.csv] [--param ... (the grid)]
# data.csv is made (stratlab data sample, 200,000 1-minute bars, seed 42)
# when absent.
set -euo pipefail
a="${1:?usage: sweep_ab.sh A B [runs] [jobs] [data.csv] [--param ...]}"
b="${2:?usage: sweep_ab.sh A B [runs] [jobs] [data.csv] [--param ...]}"
runs="${3:-6}"
jobs="${4:-2}"
data="${5:-${TMPDIR:-/tmp}/sweep_ab_200k.csv}"
shift $(($# < 5 ? $# : 5))
grid=("$@")
[ ${#grid[@]} -gt 0 ] || grid=(--param fast=1:100:1 --param slow=110:1100:10)
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
[ -f "$data" ] || "$a" data sample --bars 200000 --timeframe 1m --seed 42 --start 2010-01-04 \
  --out "$data" >/dev/null
for i in $(seq "$runs"); do
  for v in A B; do
    bin="$a"
    [ "$v" = B ] && bin="$b"
    /usr/bin/time -f "$v %e %U %S" -a -o "$tmp/times" "$bin" sweep --strategy sma_cross \
      --data "$data" "${grid[@]}" --jobs "$jobs" --out "$tmp/$v.jsonl"
  done
done
median() { sort -g | awk '{x[NR] = $1} END {print (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2}'; }
for v in A B; do
  w="$(awk -v v=$v '$1 == v {print $2}' "$tmp/times" | median)"
  best="$(awk -v v=$v '$1 == v {print $2}' "$tmp/times" | sort -g | head -1)"
  cpu="$(awk -v v=$v '$1 == v {print $3 + $4}' "$tmp/times" | median)"
  busy="$(awk -v v=$v '$1 == v && $2 > 0 {print ($3 + $4) / $2}' "$tmp/times" | median)"
  printf '%s: wall median %.3f s, best %.3f s; CPU median %.3f s; (user+sys)/wall median %.2f\n' \
    "$v" "$w" "$best" "$cpu" "$busy"
done
if cmp -s "$tmp/A.jsonl" "$tmp/B.jsonl"; then echo "same lines"; else echo "the lines differ"; exit 1; fi
