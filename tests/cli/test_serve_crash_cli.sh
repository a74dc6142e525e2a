#!/usr/bin/env bash
# test_serve_crash_cli.sh: issue 14, kill -9 of `stratlab serve` during a
# run and during a stream of writes. On restart: the store passes
# integrity_check, every backtest whose 201 answer reached the client is
# there byte for byte (a backtest is committed before it is answered), no
# job is left "running", and the jobs cut by the kill are "interrupted".
# Uses $SLAB_CLI, $SLAB_TMP; needs curl, sqlite3.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/serve_crash.$$"
mkdir -p "$tmp"
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "curl is missing"; exit 77; }
db="$tmp/store.db"
"$cli" data sample --symbol ORCL --bars 2520 --seed 5 --db "$db" >/dev/null 2>&1
"$cli" data sample --symbol BIG --bars 300000 --timeframe 1m --seed 3 --db "$db" >/dev/null 2>&1

start() {
  "$cli" serve --db "$db" --listen 127.0.0.1:0 --workers 1 --queue 8 --log 2>"$tmp/$1.log" &
  pid=$!
  port=""
  for _ in $(seq 1 600); do
    port="$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$tmp/$1.log" 2>/dev/null)"
    [ -n "$port" ] && return 0
    sleep 0.05
  done
  return 1
}
post() { # post BODY OUTFILE: prints the status
  curl -s -o "$2" -w '%{http_code}' -X POST --data-binary "$1" "http://127.0.0.1:$port/api/backtests"
}
small='{"strategy": "sma_cross", "data": {"symbols": ["ORCL"]}}'
# every answered backtest must be in the store, byte for byte
check_answered() {
  local bad=0 f id
  for f in "$tmp"/ok_*.json; do
    [ -f "$f" ] || continue
    id="$(python3 -c "import json; print(json.load(open('$f'))['id'])" 2>/dev/null)" || continue
    curl -s "http://127.0.0.1:$port/api/backtests/$id" | cmp -s - "$f" || bad=$((bad + 1))
  done
  echo "$bad"
}

# ---- during a run -----------------------------------------------------------------
check "serve started" start a
for k in 1 2 3; do
  s="$(post "$small" "$tmp/ok_a$k.json")"
  [ "$s" = 201 ] || rm -f "$tmp/ok_a$k.json"
done
for k in 1 2 3 4; do
  post '{"strategy": "sma_cross", "data": {"symbols": ["BIG"]}}' "$tmp/big$k.json" >/dev/null &
done
for _ in $(seq 1 200); do
  curl -s "http://127.0.0.1:$port/api/health" | grep -q '"running": 1' && break
  sleep 0.01
done
kill -9 "$pid"; wait "$pid" 2>/dev/null
wait
check "restart after kill -9 during a run" start a2
check "the store passes integrity_check" test "$(sqlite3 "$db" 'pragma integrity_check')" = ok
check "the 3 answered backtests are there byte for byte" test "$(check_answered)" = 0
check "no job is left running" test "$(sqlite3 "$db" "select count(*) from executions where status = 'running'")" = 0
n_int="$(sqlite3 "$db" "select count(*) from executions where status = 'interrupted' and parameters like '%BIG%'")"
check "the cut BIG jobs are interrupted ($n_int)" test "$n_int" -ge 1
check "the restart says so" grep -q "as interrupted" "$tmp/a2.log"
kill -TERM "$pid"; wait "$pid"

# ---- SIGTERM during a run: the running job finishes and is stored, new ones are refused ---------
check "serve started (for SIGTERM)" start t
post '{"strategy": "sma_cross", "data": {"symbols": ["BIG"]}}' "$tmp/term_big.json" > "$tmp/term_big.code" &
poster=$!
for _ in $(seq 1 200); do
  curl -s "http://127.0.0.1:$port/api/health" | grep -q '"running": 1' && break
  sleep 0.01
done
kill -TERM "$pid"
sleep 0.05
late="$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "$small" "http://127.0.0.1:$port/api/backtests")"
wait "$poster"
wait "$pid"
rc=$?
check "SIGTERM during a run: the server exits 0 (rc $rc)" test "$rc" -eq 0
check "the running job finished: 201 ($(cat "$tmp/term_big.code"))" test "$(cat "$tmp/term_big.code")" = 201
check "a request after SIGTERM is refused (HTTP $late: 000 = connection refused, or 503)" \
  test "$late" = 000 -o "$late" = 503
id="$(python3 -c "import json; print(json.load(open('$tmp/term_big.json'))['id'])")"
check "the finished job is stored" test "$(sqlite3 "$db" "select count(*) from backtests where id = '$id'")" = 1
check "no job left running after SIGTERM" \
  test "$(sqlite3 "$db" "select count(*) from executions where status = 'running'")" = 0

# ---- during writes: a stream of small runs, killed at three moments ------------------------
for delay in 0.15 0.3 0.45; do
  check "serve started (kill after $delay s)" start "w$delay"
  (
    for k in $(seq 1 200); do
      f="$tmp/ok_w${delay}_$k.json"
      s="$(post "$small" "$f.part")"
      [ "$s" = 201 ] && mv "$f.part" "$f"
    done
  ) 2>/dev/null &
  writer=$!
  sleep "$delay"
  kill -9 "$pid"; wait "$pid" 2>/dev/null
  wait "$writer"
  rm -f "$tmp"/*.part
  check "restart after kill -9 in the writes ($delay s)" start "w2$delay"
  check "integrity_check ($delay s)" test "$(sqlite3 "$db" 'pragma integrity_check')" = ok
  check "every answered backtest is there byte for byte ($delay s; $(ls "$tmp"/ok_*.json | wc -l) answered)" \
    test "$(check_answered)" = 0
  check "no job left running ($delay s)" \
    test "$(sqlite3 "$db" "select count(*) from executions where status = 'running'")" = 0
  check "every stored backtest is whole JSON ($delay s)" python3 -c "
import json, sqlite3
for (d,) in sqlite3.connect('$db').execute('select document from backtests'):
    json.loads(d)
"
  kill -TERM "$pid"; wait "$pid"
done
pid=""
finish
