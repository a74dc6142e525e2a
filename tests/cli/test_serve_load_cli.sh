#!/usr/bin/env bash
# test_serve_load_cli.sh: issue 14's load test, loopback only, bounded in
# count (3 rounds of 10x the queue's capacity) and time (curl --max-time,
# the test's own timeout): every request is answered (201 with a result or
# 503 busy with Retry-After), every job has exactly one execution row with
# the outcome its answer said (zero lost logs, none left "running"), the
# server's memory stays bounded across rounds, it leaves no process behind,
# and SIGTERM stops it cleanly. Prints the figures (requests per second,
# answers, RSS). Uses $SLAB_CLI, $SLAB_TMP; needs curl >= 7.66 (--parallel).
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/serve_load.$$"
mkdir -p "$tmp"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "curl is missing"; exit 77; }
curl --help all 2>/dev/null | grep -q -- --parallel-max || { echo "curl has no --parallel"; exit 77; }
db="$tmp/store.db"
"$cli" data sample --symbol ORCL --bars 2520 --seed 5 --db "$db" >/dev/null 2>&1
workers=2 queue=16 rounds=3
n=$((10 * queue))

"$cli" serve --db "$db" --listen 127.0.0.1:0 --workers $workers --queue $queue --queue-wait 5 \
  2>"$tmp/serve.log" &
pid=$!
port=""
for _ in $(seq 1 600); do
  port="$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$tmp/serve.log" 2>/dev/null)"
  [ -n "$port" ] && break
  sleep 0.05
done
check "serve started" test -n "$port"
url="http://127.0.0.1:$port/api/backtests"
printf '%s' '{"strategy": "sma_cross", "params": {"fast": 10, "slow": 30}, "data": {"symbols": ["ORCL"]}}' > "$tmp/body.json"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }

# warm up: the first runs open caches and grow SQLite's page cache
for _ in 1 2 3 4 5; do curl -s -o /dev/null -X POST --data-binary @"$tmp/body.json" "$url"; done
rss0="$(rss)"
total=0 ok=0 busy=0 other=0
declare -a rss_after
t0="$(date +%s.%N)"
for r in $(seq 1 $rounds); do
  args=()
  for _ in $(seq 1 $n); do args+=(-o /dev/null "$url"); done
  curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max $n --max-time 60 \
    -X POST -H 'Content-Type: application/json' --data-binary @"$tmp/body.json" \
    -w '%{http_code} %header{retry-after}\n' "${args[@]}" > "$tmp/codes$r"
  total=$((total + $(wc -l < "$tmp/codes$r")))
  ok=$((ok + $(grep -c '^201 $' "$tmp/codes$r")))
  busy=$((busy + $(grep -cE '^503 [0-9]+$' "$tmp/codes$r")))
  other=$((other + $(grep -vcE '^(201 |503 [0-9]+)$' "$tmp/codes$r")))
  rss_after[$r]="$(rss)"
done
t1="$(date +%s.%N)"
secs="$(python3 -c "print(round($t1 - $t0, 3))")"
echo "load: $rounds rounds x $n concurrent POST /api/backtests (workers $workers, queue $queue):" \
  "$total answered in $secs s ($(python3 -c "print(round($total / ($t1 - $t0)))") req/s):" \
  "$ok ran (201), $busy busy (503), $other other; RSS $rss0 kB after warm-up," \
  "${rss_after[*]} kB after each round"
check "every request answered ($total of $((rounds * n)))" test "$total" -eq $((rounds * n))
check "each answer is 201, or 503 with Retry-After ($other others)" test "$other" -eq 0
check "some ran and, at 10x the queue, some were refused busy ($ok, $busy)" test "$ok" -gt 0 -a "$busy" -gt 0
# (a 503 without Retry-After counts as "other" above)
grow=$(( ${rss_after[$rounds]} - ${rss_after[1]} ))
if ldd "$cli" 2>/dev/null | grep -q libasan; then
  # ASan keeps freed memory in quarantine (256 MiB): RSS says nothing here
  echo "note: an ASan build: the memory bound is checked in the plain build only (grew $grow kB)"
else
  check "memory bounded: RSS grew $grow kB from round 1 to round $rounds (< 32 MiB)" test "$grow" -lt 32768
fi
check "the server has no child process" test -z "$(pgrep -P "$pid")"

kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
check "SIGTERM: a clean stop (status $rc)" test "$rc" -eq 0
# zero lost logs: the warm-up's 5 and every request of the rounds, each with its outcome
rows() { sqlite3 "$db" "select count(*) from executions where id like 'job_%' $1"; }
check "one execution row per job ($(rows '') rows, $((total + 5)) jobs)" test "$(rows '')" -eq $((total + 5))
check "the ok rows are the 201s plus the warm-up ($(rows "and status = 'ok'"))" \
  test "$(rows "and status = 'ok'")" -eq $((ok + 5))
check "the busy rows are the 503s ($(rows "and status = 'busy'"))" test "$(rows "and status = 'busy'")" -eq "$busy"
check "no job left running" test "$(rows "and status = 'running'")" -eq 0
check "one stored backtest per 201" test "$(sqlite3 "$db" 'select count(*) from backtests')" -eq $((ok + 5))
check "the store is intact" test "$(sqlite3 "$db" 'pragma integrity_check')" = ok
finish
