#!/usr/bin/env bash
# serve_bench.sh: requests per second and latency (p50, p99) of POST
# /api/backtests over HTTP on loopback, for a daily backtest (sma_cross on
# 2520 daily bars, the same request each time, so the store's pages are
# warm), of GET /api/backtests/{id} (a stored document) and of seed 000's
# POST /api/backtests/execute-script orb (HOOD with the QQQ filter on one
# day of synthetic minute bars; when the build has orb). Reports
# figures; never fails on timing. Loopback only, bounded (N requests).
# usage: bench/serve_bench.sh [N] [CONCURRENCY]   (build/stratlab must exist)
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
cli="${SLAB_CLI:-$root/build/stratlab}"
n="${1:-1000}" conc="${2:-4}"
tmp="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
"$cli" data sample --symbol ORCL --bars 2520 --seed 5 --db "$tmp/s.db" >/dev/null
has_orb=0
if "$cli" strategies 2>/dev/null | grep -qw orb; then
  has_orb=1
  "$cli" data synth --symbol HOOD --symbol QQQ --from 2025-07-01 --to 2025-07-31 --timeframe 1m \
    --db "$tmp/s.db" >/dev/null
fi
"$cli" serve --db "$tmp/s.db" --listen 127.0.0.1:0 --workers "$conc" --queue 1024 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 300); do
  port="$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$tmp/log")"
  [ -n "$port" ] && break
  sleep 0.05
done
body='{"strategy": "sma_cross", "params": {"fast": 10, "slow": 30}, "data": {"symbols": ["ORCL"]}, "trades": 0}'
url="http://127.0.0.1:$port/api/backtests"
for _ in 1 2 3 4 5; do curl -s -o "$tmp/one.json" -X POST --data-binary "$body" "$url"; done
id="$(python3 -c "import json; print(json.load(open('$tmp/one.json'))['id'])")"
# run LABEL METHOD URL [BODY]: N requests, CONCURRENCY at a time
run() {
  local label="$1" method="$2" u="$3" data="${4:-}" args=() t0 t1
  for _ in $(seq 1 "$n"); do args+=(-o /dev/null "$u"); done
  t0="$(date +%s.%N)"
  if [ -n "$data" ]; then
    curl -s --no-progress-meter --parallel --parallel-max "$conc" -X "$method" --data-binary "$data" \
      -w '%{http_code} %{time_total}\n' "${args[@]}" > "$tmp/times"
  else
    curl -s --no-progress-meter --parallel --parallel-max "$conc" \
      -w '%{http_code} %{time_total}\n' "${args[@]}" > "$tmp/times"
  fi
  t1="$(date +%s.%N)"
  python3 - "$label" "$t0" "$t1" "$tmp/times" <<'PY'
import sys
label, t0, t1, f = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rows = [l.split() for l in open(f)]
codes = {}
for c, _ in rows: codes[c] = codes.get(c, 0) + 1
lat = sorted(float(t) * 1000 for _, t in rows)
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"{label}: {len(rows)} requests in {t1 - t0:.2f} s = {len(rows) / (t1 - t0):.0f} req/s; "
      f"latency p50 {q(0.5):.2f} ms, p99 {q(0.99):.2f} ms; statuses {codes}")
PY
}
echo "stratlab serve on loopback, $(nproc) CPUs, $conc workers and $conc client connections"
run "POST /api/backtests (sma_cross, 2520 daily bars)" POST "$url" "$body"
run "GET /api/backtests/{id} (stored document)" GET "$url/$id"
if [ "$has_orb" = 1 ]; then
  orb='{"scriptTemplate": "orb", "parameters": {"ticker": "HOOD", "date": "2025-07-31", "trailingStopPct": 2.0, "marketFilterTicker": "QQQ"}}'
  curl -s -o /dev/null -X POST --data-binary "$orb" "$url/execute-script"
  run "POST /api/backtests/execute-script orb (HOOD + QQQ filter, one day of 1m bars)" POST "$url/execute-script" "$orb"
fi
