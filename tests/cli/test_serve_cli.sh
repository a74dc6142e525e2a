#!/usr/bin/env bash
# test_serve_cli.sh: issue 14, the HTTP API driven by a real client (curl)
# against a real `stratlab serve` on loopback. Each endpoint, its errors and
# limits: a stored backtest read back byte for byte and equal to `stratlab
# run --json` for the same inputs (the CLI is the reference, never the
# server's own earlier output); saved strategies and their versions; the
# queue full -> 503 with Retry-After; the body cap -> 413; API keys on a
# non-loopback address (401 without, 200 with); the rate limit -> 429;
# SIGTERM -> a clean stop. Uses $SLAB_CLI, $SLAB_TMP; needs curl, python3.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/serve_cli.$$"
mkdir -p "$tmp"
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "curl is missing (scripts/setup.sh installs it)"; exit 77; }
db="$tmp/store.db"
"$cli" data sample --symbol ORCL --bars 600 --seed 7 --db "$db" >/dev/null 2>&1
"$cli" data sample --symbol BIG --bars 200000 --timeframe 1m --seed 3 --db "$db" >/dev/null 2>&1

# start NAME ARGS...: starts a server on a free loopback port (never the
# default 8750, which another program may hold; a later --listen wins); sets $port
# and $pid (the log is $tmp/NAME.log).
start() {
  local name="$1"; shift
  "$cli" serve --db "$db" --listen 127.0.0.1:0 "$@" 2>"$tmp/$name.log" &
  pid=$!
  pids="$pids $pid"
  port=""
  for _ in $(seq 1 600); do
    port="$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$tmp/$name.log" 2>/dev/null)"
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || { echo "serve $name exited: $(cat "$tmp/$name.log")"; return 1; }
    sleep 0.05
  done
  echo "serve $name did not say where it listens in 30 s: $(cat "$tmp/$name.log")"
  return 1
}
# req METHOD PATH [BODY]: curl; the body to $tmp/body, the status printed.
req() {
  local m="$1" p="$2"
  shift 2
  if [ $# -gt 0 ]; then
    curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -X "$m" -H 'Content-Type: application/json' \
      --data-binary "$1" "http://127.0.0.1:$port$p"
  else
    curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -X "$m" "http://127.0.0.1:$port$p"
  fi
}
# jget EXPR: evaluates a Python expression over the last body (d).
jget() { python3 -c "import json,sys; d=json.load(open('$tmp/body')); print($1)"; }
# status_is NAME WANT GOT
status_is() { check "$1: HTTP $3 (want $2; body: $(head -c 300 "$tmp/body" | tr '\n' ' '))" test "$3" = "$2"; }
# err_is NAME STATUS CODE GOT: an error reply with that status and code.
err_is() {
  status_is "$1" "$2" "$4"
  check "$1: error code $(jget "d['error']['code']" 2>/dev/null) (want $3)" \
    test "$(jget "d['error']['code']" 2>/dev/null)" = "$3"
  check "$1: the error has a message and a fix" \
    test "$(jget "bool(d['error']['message']) and bool(d['error']['fix'])" 2>/dev/null)" = True
  check "$1: the error does not name the store's path" bash -c "! grep -qF '$tmp' '$tmp/body'"
}

check "serve starts on a free loopback port" start main --workers 2 --queue 8

# ---- health -------------------------------------------------------------------
s="$(req GET /api/health)"
status_is "health" 200 "$s"
check "health: status ok" test "$(jget "d['status']")" = ok
check "health: the version is the CLI's" test "$(jget "d['version']")" = "$("$cli" --version | awk '{print $2}')"
check "health: queue capacity is --queue 8, nothing running" \
  test "$(jget "(d['queue']['capacity'], d['queue']['running'], d['queue']['waiting'])")" = "(8, 0, 0)"

# ---- POST /api/backtests: the document of `run --json`, stored byte for byte --------
body='{"strategy": "sma_cross", "params": {"fast": 5, "slow": 20}, "data": {"symbols": ["ORCL"], "from": "2015-03-01", "to": "2016-06-30"}, "cash": 50000, "commission": 0.002}'
s="$(req POST /api/backtests "$body")"
status_is "POST backtests" 201 "$s"
cp "$tmp/body" "$tmp/post1.json"
id1="$(jget "d['id']")"
check "the id looks like bt_ + 16 hex digits ($id1)" bash -c "[[ '$id1' =~ ^bt_[0-9a-f]{16}$ ]]"
"$cli" run --strategy sma_cross --param fast=5 --param slow=20 --symbol ORCL --from 2015-03-01 \
  --to 2016-06-30 --cash 50000 --commission 0.002 --db "$db" --json > "$tmp/cli1.json"
# equal but for the id and the timings of this one execution
same_as_cli() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
a.pop("id", None)
for d in (a, b):
    for k in ("wall_ms", "engine_ms"):
        d["execution"].pop(k, None)
if a != b:
    for k in set(a) | set(b):
        if a.get(k) != b.get(k):
            print("differs:", k, str(a.get(k))[:200], "|", str(b.get(k))[:200])
    sys.exit(1)
EOF
}
check "POST backtests equals run --json for the same inputs" same_as_cli "$tmp/post1.json" "$tmp/cli1.json"
check "the document says cash 50000 and commission 0.002" \
  test "$(jget "(d['backtest']['config']['cash'], d['backtest']['config']['commission'])")" = "(50000.0, 0.002)"
check "the document ran from 2015-03-02 (the first trading day on or after from)" \
  test "$(jget "d['backtest']['from'][:7]")" = "2015-03"
s="$(req GET "/api/backtests/$id1")"
status_is "GET backtests/{id}" 200 "$s"
check "GET backtests/{id} is the POST's answer byte for byte" cmp -s "$tmp/body" "$tmp/post1.json"

# a second and third run, for the list
req POST /api/backtests '{"strategy": "buy_hold", "data": {"symbols": ["ORCL"]}}' >/dev/null
id2="$(jget "d['id']")"
"$cli" run --strategy buy_hold --symbol ORCL --db "$db" --json > "$tmp/cli2.json"
cp "$tmp/body" "$tmp/post2.json"
check "buy_hold over HTTP equals run --json" same_as_cli "$tmp/post2.json" "$tmp/cli2.json"
req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL"]}}' >/dev/null
id3="$(jget "d['id']")"
s="$(req GET "/api/backtests?strategy=sma_cross")"
status_is "list by strategy" 200 "$s"
check "list ?strategy=sma_cross: the two sma_cross runs, newest first" \
  test "$(jget "[b['id'] for b in d['backtests']]")" = "['$id3', '$id1']"
req GET "/api/backtests?limit=1" >/dev/null
check "list ?limit=1: the newest run only" test "$(jget "[b['id'] for b in d['backtests']]")" = "['$id3']"
req GET "/api/backtests" >/dev/null
check "list: all three" test "$(jget "len(d['backtests'])")" = 3
s="$(req GET "/api/backtests?limit=0")"
err_is "list ?limit=0" 400 bad_value "$s"
s="$(req GET "/api/backtests?limit=abc")"
err_is "list ?limit=abc" 400 bad_value "$s"

# a page of a stored document's trades
req POST /api/backtests '{"strategy": "sma_cross", "params": {"fast": 3, "slow": 8}, "data": {"symbols": ["ORCL"]}, "trades": "all"}' >/dev/null
cp "$tmp/body" "$tmp/alltrades.json"
idt="$(jget "d['id']")"
s="$(req GET "/api/backtests/$idt/trades?offset=2&limit=3")"
status_is "GET backtests/{id}/trades" 200 "$s"
check "the page is trades[2:5] of the stored document, with the totals" python3 -c "
import json
doc = json.load(open('$tmp/alltrades.json')); page = json.load(open('$tmp/body'))
assert doc['trades_total'] > 5 and len(doc['trades']) == doc['trades_total']
assert page['trades'] == doc['trades'][2:5] and page['trades_total'] == doc['trades_total']
assert (page['offset'], page['limit'], page['trades_stored']) == (2, 3, len(doc['trades']))
"
s="$(req GET "/api/backtests/$idt/trades?offset=-1")"
err_is "trades with a negative offset" 400 bad_value "$s"
s="$(req GET "/api/backtests/bt_0000000000000000/trades")"
err_is "trades of an unknown backtest" 404 not_found "$s"

# the per-bar series, asked for as run --series asks
req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL"], "to": "2015-12-31"}, "series": true}' >/dev/null
cp "$tmp/body" "$tmp/series.json"
"$cli" run --strategy sma_cross --symbol ORCL --to 2015-12-31 --series --db "$db" --json > "$tmp/cli_series.json"
check "\"series\": true gives the document of run --series --json" same_as_cli "$tmp/series.json" "$tmp/cli_series.json"
check "and it has the series" python3 -c "import json; assert json.load(open('$tmp/series.json'))['series']"



# ---- bad input of each kind --------------------------------------------------------
s="$(req POST /api/backtests '{"strategy": "sma_crss", "data": {"symbols": ["ORCL"]}}')"
err_is "unknown strategy" 400 unknown_strategy "$s"
check "unknown strategy: did you mean sma_cross, at /strategy" \
  test "$(jget "(d['error']['did_you_mean'], d['error']['where'])")" = "('sma_cross', '/strategy')"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "params": {"fats": 5}, "data": {"symbols": ["ORCL"]}}')"
err_is "unknown param" 400 unknown_param "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL"]}, "cash": -5}')"
err_is "negative cash" 400 bad_value "$s"
check "negative cash: located at /cash" test "$(jget "d['error']['where']")" = /cash
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL"]}, "cahs": 5}')"
err_is "unknown key" 400 unknown_option "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross"')"
err_is "truncated JSON" 400 bad_json "$s"
s="$(req POST /api/backtests '[1, 2]')"
err_is "an array body" 400 bad_json "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["NOPE"]}}')"
err_is "unknown symbol" 400 unknown_symbol "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross"}')"
err_is "no data" 400 missing_option "$s"
check "no data: located at /data/symbols" test "$(jget "d['error']['where']")" = /data/symbols
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": []}}')"
err_is "an empty symbol list" 400 missing_option "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "spec": {}, "data": {"symbols": ["ORCL"]}}')"
err_is "strategy and spec at once" 400 conflicting_options "$s"
s="$(req POST /api/backtests '{"data": {"symbols": ["ORCL"]}}')"
err_is "nothing to run" 400 missing_option "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL", "MSFT"]}}')"
err_is "a second symbol that is not stored" 400 unknown_symbol "$s"
check "located at /data/symbols/1" test "$(jget "d['error']['where']")" = /data/symbols/1
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL", "ORCL"]}}')"
err_is "a symbol twice" 400 conflicting_options "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL"], "from": "2016-01-01", "to": "2015-01-01"}}')"
err_is "reversed range" 400 reversed_range "$s"
# a path in the request never reaches the file system
s="$(req POST /api/backtests "{\"strategy\": \"sma_cross\", \"data\": {\"symbols\": [\"ORCL\"], \"file\": \"$tmp/x.csv\"}}")"
err_is "data.file" 400 unknown_option "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": "/etc/passwd"}')"
err_is "data as a path" 400 bad_value "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "symbol": "ORCL", "out": "/tmp/x.json"}')"
err_is "out (a CLI-only option)" 400 unknown_option "$s"
check "out was not written" test ! -e /tmp/x.json -o /tmp/x.json -ot "$db"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["../../etc/passwd"]}}')"
err_is "a path as a symbol" 400 unknown_symbol "$s"
# a server folder in an error message is replaced (here the caller's own text quotes $HOME)
if [ "${#HOME}" -ge 4 ] && [ "${#HOME}" -le 24 ] && [ "${HOME#/}" != "$HOME" ]; then
  s="$(req POST /api/backtests "{\"strategy\": \"sma_cross\", \"data\": {\"symbols\": [\"$HOME/x\"]}}")"
  check "a server folder in an error reads <server> ($(jget "d['error']['message']"))" \
    bash -c "grep -qF '<server>/x' '$tmp/body' && ! grep -qF '$HOME/' '$tmp/body'"
fi
s="$(req GET /api/backtests/bt_0000000000000000)"
err_is "GET an unknown backtest" 404 not_found "$s"
s="$(req GET '/api/backtests/..%2F..%2Fetc%2Fpasswd')"
err_is "GET a path as an id" 404 not_found "$s"
s="$(req GET /api/nothing)"
err_is "unknown endpoint" 404 not_found "$s"
s="$(req DELETE /api/backtests)"
err_is "DELETE /api/backtests" 405 method_not_allowed "$s"
s="$(req POST /api/health '{}')"
err_is "POST /api/health" 405 method_not_allowed "$s"
s="$(req POST /api/backtests/execute-script '{"scriptTemplate": "nope", "parameters": {}}')"
err_is "execute-script, unknown template" 400 unknown_template "$s"
check "execute-script failures have seed 000's shape" \
  test "$(jget "(d['success'], d['status'], d['detail'][:23])")" = "(False, 'unknown_template', 'unknown script template')"
orb_req='{"scriptTemplate": "orb", "parameters": {"ticker": "HOOD", "date": "2025-07-31", "trailingStopPct": 2.0, "marketFilterTicker": "QQQ"}}'
if "$cli" strategies 2>/dev/null | grep -qw orb; then
  # seed 000's request end to end, on synthetic minute bars of HOOD and QQQ
  "$cli" data synth --symbol HOOD --symbol QQQ --from 2025-07-01 --to 2025-07-31 --timeframe 1m \
    --db "$db" >/dev/null 2>&1
  s="$(req POST /api/backtests/execute-script "$orb_req")"
  status_is "execute-script orb (the seed's request)" 201 "$s"
  cp "$tmp/body" "$tmp/orb.json"
  "$cli" run --strategy orb --symbol HOOD --symbol QQQ --date 2025-07-31 --timeframe 1m \
    --param trailing_stop_pct=2 --param market_filter=QQQ --db "$db" --json > "$tmp/cli_orb.json"
  check "execute-script orb: seed 000's fields, and the document of stratlab run --strategy orb (two feeds, one date)" python3 -c "
import json
a = json.load(open('$tmp/orb.json')); b = json.load(open('$tmp/cli_orb.json'))
assert a['success'] is True and a['executionId'] == a['execution']['id']
assert a['results'] == {'trades': a['trades'], 'metrics': a['metrics'], 'summary': a['summary']}
assert a['executionTime'] == a['execution']['wall_ms']
for k in ('success', 'executionId', 'results', 'executionTime', 'id'): a.pop(k)
a.pop('next_runs'); b.pop('next_runs')  # commands here, request bodies there: checked below
for d in (a, b):
    for k in ('wall_ms', 'engine_ms'): d['execution'].pop(k, None)
assert a == b, [k for k in a if a[k] != b.get(k)]
assert a['backtest']['symbols'] == ['HOOD', 'QQQ'], a['backtest']['symbols']
"
  # skip_earnings reads the store's calendar, as stratlab run does
  printf 'symbol,date,when\nHOOD,2025-07-31,bmo\n' > "$tmp/earn.csv"
  "$cli" data import-earnings "$tmp/earn.csv" --db "$db" >/dev/null 2>&1
  s="$(req POST /api/backtests '{"strategy": "orb", "data": {"symbols": ["HOOD", "QQQ"], "timeframe": "1m"}, "date": "2025-07-31", "params": {"market_filter": "QQQ", "skip_earnings": 1}}')"
  status_is "orb with skip_earnings" 201 "$s"
  cp "$tmp/body" "$tmp/orb_earn.json"
  "$cli" run --strategy orb --symbol HOOD --symbol QQQ --date 2025-07-31 --timeframe 1m \
    --param market_filter=QQQ --param skip_earnings=1 --db "$db" --json > "$tmp/cli_orb_earn.json"
  check "orb with skip_earnings over HTTP equals run --json (the release day skipped)" python3 -c "
import json
a = json.load(open('$tmp/orb_earn.json')); b = json.load(open('$tmp/cli_orb_earn.json'))
a.pop('id'); a.pop('next_runs'); b.pop('next_runs')
for d in (a, b):
    for k in ('wall_ms', 'engine_ms'): d['execution'].pop(k, None)
assert a == b, [k for k in a if a[k] != b.get(k)]
assert 'earn' in json.dumps(a['days']).lower(), a['days']
"
  # next_runs: the same four runs the CLI gives as commands, here as ready
  # POST /api/backtests bodies; each, posted, is the run its command makes
  s="$(req POST /api/backtests '{"strategy": "orb", "data": {"symbols": ["HOOD", "QQQ"], "timeframe": "1m"}, "date": "2025-07-31", "params": {"market_filter": "QQQ", "trailing_stop_pct": 2}}')"
  status_is "orb with a date, a trailing stop and a filter" 201 "$s"
  cp "$tmp/body" "$tmp/orb_next.json"
  "$cli" run --strategy orb --symbol HOOD --symbol QQQ --date 2025-07-31 --timeframe 1m \
    --param market_filter=QQQ --param trailing_stop_pct=2 --db "$db" --json > "$tmp/cli_orb_next.json"
  check "next_runs over HTTP: four request bodies, the CLI's four runs" python3 -c "
import json
a = json.load(open('$tmp/orb_next.json'))['next_runs']; b = json.load(open('$tmp/cli_orb_next.json'))['next_runs']
assert [r['why'] for r in a] == [r['why'] for r in b] and len(a) == 4, (a, b)
assert a[0]['request']['params'] == {'market_filter': 'QQQ', 'trailing_stop_pct': 1}, a[0]
assert a[1]['request']['params']['trailing_stop_pct'] == 3, a[1]
assert 'date' not in a[2]['request'] and a[2]['request']['data']['from'] == '2025-07-01', a[2]
assert a[2]['request']['data']['to'] == '2025-07-31', a[2]
assert a[3]['request']['params'] == {'trailing_stop_pct': 2}, a[3]
for i, r in enumerate(a):
    json.dump(r['request'], open('$tmp/next_req_%d.json' % i, 'w'))
    open('$tmp/next_cmd_%d' % i, 'w').write(b[i]['command'].replace('stratlab ', '', 1))
"
  for i in 0 1 2 3; do
    s="$(req POST /api/backtests "$(cat "$tmp/next_req_$i.json")")"
    status_is "next run $i, posted" 201 "$s"
    cp "$tmp/body" "$tmp/next_http_$i.json"
    eval "\"\$cli\" $(cat "$tmp/next_cmd_$i")" > "$tmp/next_cli_$i.json"
    check "next run $i: the posted body and the command give the same run" python3 -c "
import json
a = json.load(open('$tmp/next_http_$i.json')); b = json.load(open('$tmp/next_cli_$i.json'))
a.pop('id'); a.pop('next_runs', None); b.pop('next_runs', None)
for d in (a, b):
    for k in ('wall_ms', 'engine_ms'): d['execution'].pop(k, None)
assert a == b, [k for k in a if a[k] != b.get(k)]
"
  done
  s="$(req POST /api/backtests/execute-script '{"scriptTemplate": "orb", "parameters": {"ticker": "HOOD", "date": "2025-07-31", "marketFilterTicker": "QQQ", "skipEarnings": true}}')"
  status_is "execute-script orb with skipEarnings" 201 "$s"
  check "skipEarnings: the release day is skipped, as skip_earnings over POST /api/backtests" \
    test "$(jget "json.dumps(d['days'])")" = "$(python3 -c "import json; print(json.dumps(json.load(open('$tmp/orb_earn.json'))['days']))")"
  # the orb template (a script in the sandbox) with skip_earnings: the
  # service hands it the store's calendar; its days are the built-in's
  "$cli" script new orb --set ticker=HOOD --set date=2025-07-31 --set market_filter=QQQ \
    --set skip_earnings=true -o "$tmp/orb_earn.c" >/dev/null 2>&1
  python3 -c "
import json
print(json.dumps({'script': open('$tmp/orb_earn.c').read(), 'date': '2025-07-31',
                  'data': {'symbols': ['HOOD', 'QQQ'], 'timeframe': '1m'}}))" >"$tmp/orb_earn_req.json"
  s="$(req POST /api/backtests "$(cat "$tmp/orb_earn_req.json")")"
  status_is "orb template with skip_earnings over HTTP" 201 "$s"
  check "the template skips the release day as the built-in does (days and trades equal)" \
    python3 -c "
import json
a = json.load(open('$tmp/body')); b = json.load(open('$tmp/orb_earn.json'))
assert a['days'] == b['days'], (a['days'], b['days'])
assert a['trades'] == b['trades']
assert 'earn' in json.dumps(a['days']).lower(), a['days']
"
  s="$(req POST /api/backtests/execute-script '{"scriptTemplate": "orb", "parameters": {"ticker": "HOOD", "date": "2025-07-31", "requireEarnings": true}}')"
  err_is "execute-script orb with requireEarnings true" 400 bad_param "$s"
  s="$(req POST /api/backtests/execute-script '{"scriptTemplate": "orb", "parameters": {"ticker": "HOOD", "date": "2025-07-31", "trailingStop": 2}}')"
  err_is "execute-script orb, a misspelled parameter" 400 unknown_param "$s"
  check "it suggests trailingStopPct" test "$(jget "d['error']['did_you_mean']")" = trailingStopPct
  s="$(req POST /api/backtests/execute-script '{"scriptTemplate": "orb", "parameters": {"date": "2025-07-31"}}')"
  err_is "execute-script orb without a ticker" 400 missing_option "$s"
  # a timeframe not stored, made from the stored 1m bars as stratlab run makes it:
  # orb on 5m bars of both feeds, and sma_cross on daily bars of HOOD
  s="$(req POST /api/backtests '{"strategy": "orb", "data": {"symbols": ["HOOD", "QQQ"], "timeframe": "5m"}, "date": "2025-07-31", "params": {"market_filter": "QQQ"}}')"
  status_is "orb on 5m bars resampled from the stored 1m" 201 "$s"
  cp "$tmp/body" "$tmp/orb5.json"
  "$cli" run --strategy orb --symbol HOOD --symbol QQQ --date 2025-07-31 --timeframe 5m \
    --param market_filter=QQQ --db "$db" --json > "$tmp/cli_orb5.json"
  check "orb on 5m over HTTP equals run --timeframe 5m (resampled from 1m)" python3 -c "
import json
a = json.load(open('$tmp/orb5.json')); b = json.load(open('$tmp/cli_orb5.json'))
a.pop('id'); a.pop('next_runs'); b.pop('next_runs')
for d in (a, b):
    for k in ('wall_ms', 'engine_ms'): d['execution'].pop(k, None)
assert a == b, [k for k in a if a[k] != b.get(k)]
assert a['backtest']['timeframe'] == '5m', a['backtest']['timeframe']
"
  s="$(req POST /api/backtests '{"strategy": "sma_cross", "params": {"fast": 2, "slow": 5}, "data": {"symbols": ["HOOD"], "timeframe": "1d"}}')"
  status_is "sma_cross on daily bars resampled from the stored 1m" 201 "$s"
  cp "$tmp/body" "$tmp/hood1d.json"
  "$cli" run --strategy sma_cross --param fast=2 --param slow=5 --symbol HOOD --timeframe 1d \
    --db "$db" --json > "$tmp/cli_hood1d.json"
  check "sma_cross on 1d over HTTP equals run --timeframe 1d (resampled from 1m)" python3 -c "
import json
a = json.load(open('$tmp/hood1d.json')); b = json.load(open('$tmp/cli_hood1d.json'))
a.pop('id')
for d in (a, b):
    for k in ('wall_ms', 'engine_ms'): d['execution'].pop(k, None)
assert a == b, [k for k in a if a[k] != b.get(k)]
assert a['backtest']['timeframe'] == '1d' and a['backtest']['bars'] == 22, a['backtest']  # July 2025's sessions
"
  # a timeframe finer than the stored one cannot be made: the CLI's error
  s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL"], "timeframe": "5m"}}')"
  err_is "a timeframe finer than the stored bars" 400 \
    "$("$cli" run --strategy sma_cross --symbol ORCL --timeframe 5m --db "$db" --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"]["code"])')" "$s"
  check "it is located at /data/symbols/0" test "$(jget "d['error']['where']")" = /data/symbols/0
  # a C script on two feeds (the orb template with its market filter on QQQ):
  # the document of stratlab run --script with the same --symbol list
  "$cli" script new orb --set ticker=HOOD --set date=2025-07-31 --set trailing_stop_pct=2 \
    --set market_filter=QQQ -o "$tmp/orb2.c" >/dev/null 2>&1
  python3 -c "
import json; print(json.dumps({'script': open('$tmp/orb2.c').read(), 'data': {'symbols': ['HOOD', 'QQQ'], 'timeframe': '1m'}, 'date': '2025-07-31'}))" > "$tmp/sreq2.json"
  s="$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data-binary @"$tmp/sreq2.json" "http://127.0.0.1:$port/api/backtests")"
  status_is "POST a script on two feeds" 201 "$s"
  cp "$tmp/body" "$tmp/script2.json"
  "$cli" run --script "$tmp/orb2.c" --symbol HOOD --symbol QQQ --timeframe 1m --date 2025-07-31 \
    --db "$db" --json > "$tmp/cli_script2.json"
  check "a script on two feeds over HTTP equals run --script --symbol HOOD --symbol QQQ" python3 -c "
import json
a = json.load(open('$tmp/script2.json')); b = json.load(open('$tmp/cli_script2.json'))
a.pop('id'); a.pop('execution'); b.pop('execution')
assert a == b, [k for k in a if a[k] != b.get(k)]
assert a['backtest']['symbols'] == ['HOOD', 'QQQ'] and a['backtest']['source'] == 'script'
assert a['metrics']['num_trades'] >= 0
"
else
  s="$(req POST /api/backtests/execute-script "$orb_req")"
  err_is "execute-script orb without the orb strategy" 400 unknown_template "$s"
  check "it says the orb strategy is missing" grep -q "needs the orb strategy" "$tmp/body"
fi
s="$(req POST /api/backtests/execute-script '{"parameters": {}}')"
err_is "execute-script without a template" 400 missing_option "$s"

# ---- a C script through the sandbox: the document of run --script -------------------------
root="$(cd "$(dirname "$0")/../.." && pwd)"
sc="$root/tests/scripts/parity/sma_cross.c"
python3 -c "
import json; print(json.dumps({'script': open('$sc').read(), 'params': {'fast': 6}, 'data': {'symbols': ['ORCL']}}))" > "$tmp/sreq.json"
s="$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data-binary @"$tmp/sreq.json" "http://127.0.0.1:$port/api/backtests")"
status_is "POST a script" 201 "$s"
cp "$tmp/body" "$tmp/script.json"
"$cli" run --script "$sc" --param fast=6 --symbol ORCL --db "$db" --json > "$tmp/cli_script.json"
check "a script over HTTP equals run --script (all but the execution's own fields)" python3 -c "
import json
a = json.load(open('$tmp/script.json')); b = json.load(open('$tmp/cli_script.json'))
a.pop('id'); a.pop('execution'); b.pop('execution')
assert a == b and a['backtest']['source'] == 'script' and a['backtest']['config']['params']['fast'] == 6
"
sid_exec="$(python3 -c "import json; print(json.load(open('$tmp/script.json'))['execution']['id'])")"
s="$(req GET "/api/executions/$sid_exec")"
status_is "the script's execution is logged" 200 "$s"
check "its log row: success, status ok, strategy sma_cross" \
  test "$(jget "(d['success'], d['status'], d['strategy'])")" = "(True, 'ok', 'sma_cross')"
s="$(req POST /api/backtests '{"script": "int x = ;", "data": {"symbols": ["ORCL"]}}')"
status_is "a script that does not compile" 422 "$s"
check "it answers success false, compile_error, the line and column" \
  test "$(jget "(d['success'], d['status'], d['errors'][0]['line'], d['errors'][0]['col'], d['error']['code'])")" = "(False, 'compile_error', 1, 9, 'run_failed')"
check "the compile error names no server path" bash -c "! grep -qE '/(tmp|work|home|root)/' '$tmp/body'"
fid="$(jget "d['execution']['id']")"
req GET "/api/executions/$fid" >/dev/null
check "the failed execution is logged too" test "$(jget "(d['success'], d['status'])")" = "(False, 'compile_error')"
s="$(req POST /api/backtests '{"script": 42, "data": {"symbols": ["ORCL"]}}')"
err_is "script not a string" 400 bad_value "$s"

# ---- POST /api/scripts/validate: the document of stratlab validate FILE.c --json ------------
cp "$sc" "$tmp/request.c"
python3 -c "
import json; print(json.dumps({'script': open('$sc').read()}))" > "$tmp/vreq.json"
s="$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data-binary @"$tmp/vreq.json" "http://127.0.0.1:$port/api/scripts/validate")"
status_is "validate a script" 200 "$s"
cp "$tmp/body" "$tmp/vresp.json"
"$cli" validate "$tmp/request.c" --json > "$tmp/cli_validate.json"
check "a valid script's validation equals stratlab validate request.c --json" python3 -c "
import json
a = json.load(open('$tmp/vresp.json')); b = json.load(open('$tmp/cli_validate.json'))
assert a == b, (a, b)
assert a['valid'] is True and a['kind'] == 'script' and a['compiled'] is True
"
python3 -c "
src = open('$sc').read().replace('\"SMA_BT\"', '\"SMA_BTT\"') + '\nstatic int broken(void) { return ; }\n'
open('$tmp/request.c', 'w').write(src)
import json; print(json.dumps({'script': src}))" > "$tmp/vreq2.json"
s="$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data-binary @"$tmp/vreq2.json" "http://127.0.0.1:$port/api/scripts/validate")"
status_is "validate a broken script (a validation, not a failed request)" 200 "$s"
cp "$tmp/body" "$tmp/vresp2.json"
"$cli" validate "$tmp/request.c" --json > "$tmp/cli_validate2.json"
check "a broken script's validation equals stratlab validate request.c --json" python3 -c "
import json
a = json.load(open('$tmp/vresp2.json')); b = json.load(open('$tmp/cli_validate2.json'))
assert a == b, (a, b)
assert a['valid'] is False and a['error_count'] >= 2, a
assert any(i['code'] == 'indicator' for i in a['errors']), a['errors']
"
check "the validation names no server path" bash -c "! grep -qE '/(tmp|work|home|root)/' '$tmp/vresp2.json'"
s="$(req POST /api/scripts/validate '{}')"
err_is "validate without a script" 400 missing_option "$s"
s="$(req POST /api/scripts/validate '{"script": 42}')"
err_is "validate a script that is not a string" 400 bad_value "$s"
check "located at /script" test "$(jget "d['error']['where']")" = /script
s="$(req POST /api/scripts/validate '{"script": ""}')"
err_is "validate an empty script" 400 bad_value "$s"
s="$(req POST /api/scripts/validate '{"script": "int x;\u0000"}')"
err_is "validate a script with a NUL byte (the JSON reader refuses it)" 400 bad_json "$s"
s="$(req POST /api/scripts/validate '{"script": "int x;", "sript": 1}')"
err_is "validate with an unknown key" 400 unknown_option "$s"
s="$(req POST /api/scripts/validate '{"script": "int x;"')"
err_is "validate, truncated JSON" 400 bad_json "$s"
s="$(req GET /api/scripts/validate)"
err_is "GET /api/scripts/validate" 405 method_not_allowed "$s"

# ---- a spec object: the document of run --spec -----------------------------------------------
python3 -c "
import json; print(json.dumps({'spec': json.load(open('$root/examples/specs/sma_cross.json')), 'data': {'symbols': ['ORCL'], 'from': '2015-01-01', 'to': '2017-12-31'}}))" > "$tmp/specreq.json"
s="$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data-binary @"$tmp/specreq.json" "http://127.0.0.1:$port/api/backtests")"
status_is "POST a spec" 201 "$s"
cp "$tmp/body" "$tmp/specresp.json"
python3 -c "import json, sys; sys.stdout.write(json.dumps(json.load(open('$root/examples/specs/sma_cross.json')), indent=2))" > "$tmp/spec2.json"
"$cli" run --spec "$tmp/spec2.json" --symbol ORCL --from 2015-01-01 --to 2017-12-31 --db "$db" --json > "$tmp/cli_spec.json"
check "a spec over HTTP equals run --spec (the spec as 2-space JSON)" python3 -c "
import json
a = json.load(open('$tmp/specresp.json')); b = json.load(open('$tmp/cli_spec.json'))
a.pop('id')
for d in (a, b):
    for k in ('wall_ms', 'engine_ms', 'compile_ms'): d['execution'].pop(k, None)
assert a == b, [k for k in a if a[k] != b.get(k)]
"
# a universe spec (examples/specs/xs_momentum.json) on six stored symbols: the
# document of stratlab run --spec with the same --symbol list
"$cli" data synth --symbol AAA --symbol BBB --symbol CCC --symbol DDD --symbol EEE --symbol FFF \
  --from 2016-01-01 --to 2019-12-31 --timeframe 1d --seed 7 --db "$db" >/dev/null 2>&1
for ex in xs_momentum pairs; do
  python3 -c "
import json; print(json.dumps({'spec': json.load(open('$root/examples/specs/$ex.json')), 'data': {'symbols': ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF']}}))" > "$tmp/ureq.json"
  s="$(curl -s -o "$tmp/body" -w '%{http_code}' -X POST --data-binary @"$tmp/ureq.json" "http://127.0.0.1:$port/api/backtests")"
  status_is "POST the $ex spec on six symbols" 201 "$s"
  cp "$tmp/body" "$tmp/uresp.json"
  python3 -c "import json, sys; sys.stdout.write(json.dumps(json.load(open('$root/examples/specs/$ex.json')), indent=2))" > "$tmp/uspec.json"
  "$cli" run --spec "$tmp/uspec.json" --symbol AAA --symbol BBB --symbol CCC --symbol DDD \
    --symbol EEE --symbol FFF --db "$db" --json > "$tmp/cli_uspec.json"
  check "the $ex spec on six feeds over HTTP equals run --spec with the same --symbol list" python3 -c "
import json
a = json.load(open('$tmp/uresp.json')); b = json.load(open('$tmp/cli_uspec.json'))
a.pop('id')
for d in (a, b):
    for k in ('wall_ms', 'engine_ms', 'compile_ms'): d['execution'].pop(k, None)
assert a == b, [k for k in a if a[k] != b.get(k)]
assert a['backtest']['symbols'] == ['AAA', 'BBB', 'CCC', 'DDD', 'EEE', 'FFF'], a['backtest']['symbols']
assert a['metrics']['num_trades'] > 0, a['metrics']['num_trades']
"
done
s="$(req POST /api/backtests '{"spec": {"version": 1}, "data": {"symbols": ["ORCL"]}}')"
err_is "a spec with errors" 400 bad_value "$s"
check "the spec error points at /spec" test "$(jget "d['error']['where']")" = /spec

# ---- saved strategies, versioned ---------------------------------------------------------
s="$(req POST /api/strategies '{"name": "fast sma", "strategy": "sma_cross", "params": {"fast": 7, "slow": 25}}')"
status_is "POST strategies" 201 "$s"
sid="$(jget "d['id']")"
check "a new saved strategy is version 1, kind builtin" \
  test "$(jget "(d['version'], d['kind'], d['name'])")" = "(1, 'builtin', 'fast sma')"
s="$(req PUT "/api/strategies/$sid" '{"name": "fast sma", "strategy": "sma_cross", "params": {"fast": 9, "slow": 25}}')"
status_is "PUT strategies/{id}" 200 "$s"
check "PUT makes version 2" test "$(jget "d['version']")" = 2
req GET "/api/strategies/$sid?version=1" >/dev/null
check "GET ?version=1 is the first body" test "$(jget "d['body']['params']['fast']")" = 7
req GET "/api/strategies/$sid" >/dev/null
check "GET is the latest version" test "$(jget "(d['version'], d['body']['params']['fast'])")" = "(2, 9)"
req GET /api/strategies >/dev/null
check "the list has the saved one at version 2 and the built-ins" \
  test "$(jget "([(x['id'], x['version']) for x in d['saved']], 'sma_cross' in [b['name'] for b in d['builtin']])")" = "([('$sid', 2)], True)"
s="$(req POST /api/backtests "{\"saved\": \"$sid\", \"data\": {\"symbols\": [\"ORCL\"]}}")"
status_is "run a saved strategy" 201 "$s"
cp "$tmp/body" "$tmp/saved.json"
check "the run records the version it used" \
  test "$(jget "(d['backtest']['saved']['id'], d['backtest']['saved']['version'])")" = "('$sid', 2)"
"$cli" run --strategy sma_cross --param fast=9 --param slow=25 --symbol ORCL --db "$db" --json > "$tmp/cli3.json"
check "the saved run equals run --json with its parameters" python3 -c "
import json
a = json.load(open('$tmp/saved.json')); b = json.load(open('$tmp/cli3.json'))
a.pop('id'); a['backtest'].pop('saved')
for d in (a, b):
    d['execution'].pop('wall_ms'); d['execution'].pop('engine_ms', None)
assert a == b
"
s="$(req POST /api/backtests "{\"saved\": {\"id\": \"$sid\", \"version\": 1}, \"data\": {\"symbols\": [\"ORCL\"]}}")"
check "saved version 1 runs fast 7" test "$(jget "(d['backtest']['config']['params']['fast'], d['backtest']['saved']['version'])")" = "(7, 1)"
s="$(req POST /api/strategies '{"name": "bad", "strategy": "sma_cross", "params": {"fast": -3}}')"
err_is "save with a bad parameter" 400 bad_param "$s"
s="$(req POST /api/strategies '{"strategy": "sma_cross"}')"
err_is "save without a name" 400 missing_option "$s"
s="$(req PUT /api/strategies/st_0000000000000000 '{"name": "x", "strategy": "sma_cross"}')"
err_is "PUT an unknown strategy" 404 not_found "$s"
s="$(req DELETE "/api/strategies/$sid")"
status_is "DELETE strategies/{id}" 200 "$s"
s="$(req GET "/api/strategies/$sid")"
err_is "GET a deleted strategy" 404 not_found "$s"
s="$(req DELETE "/api/strategies/$sid")"
err_is "DELETE it again" 404 not_found "$s"
s="$(req GET "/api/backtests/$id1")"
check "the runs stay after the strategy is deleted" cmp -s "$tmp/body" "$tmp/post1.json"

# ---- the migration suggestion: one shape of parameters run 3 times ---------------------------
req GET /api/strategies/suggestions >/dev/null
check "no rsi_reversion suggestion before it runs" \
  test "$(jget "[x for x in d['suggestions'] if x['strategy'] == 'rsi_reversion']")" = "[]"
for low in 25 30; do
  req POST /api/backtests "{\"strategy\": \"rsi_reversion\", \"params\": {\"period\": 10, \"low\": $low}, \"data\": {\"symbols\": [\"ORCL\"]}}" >/dev/null
done
req GET /api/strategies/suggestions >/dev/null
check "two runs: no suggestion yet" \
  test "$(jget "[x for x in d['suggestions'] if x['strategy'] == 'rsi_reversion']")" = "[]"
req POST /api/backtests '{"strategy": "rsi_reversion", "params": {"period": 10, "low": 35}, "data": {"symbols": ["ORCL"]}}' >/dev/null
req POST /api/backtests '{"strategy": "rsi_reversion", "params": {"period": 10, "low": 99}, "data": {"symbols": ["NOPE"]}}' >/dev/null
s="$(req GET /api/strategies/suggestions)"
status_is "GET suggestions" 200 "$s"
check "three runs of one shape: save it, period fixed at 10, low varied over 25, 30, 35 (the failed run not counted)" \
  test "$(jget "[(x['runs'], x['fixed'], sorted(x['varied']['low']), x['save_with']['params']) for x in d['suggestions'] if x['strategy'] == 'rsi_reversion']")" = "[(3, {'period': 10}, [25, 30, 35], {'period': 10})]"
req GET /api/strategies >/dev/null
check "GET /api/strategies carries the suggestions too" \
  test "$(jget "[x['strategy'] for x in d['suggestions']].count('rsi_reversion')")" = 1

# ---- executions -------------------------------------------------------------------------
s="$(req GET /api/executions)"
status_is "GET executions" 200 "$s"
check "executions: a list" test "$(jget "type(d['executions']).__name__")" = list
s="$(req GET /api/executions/exec_0000000000000000)"
err_is "GET an unknown execution" 404 not_found "$s"

# ---- the bars cache sees an import made by another process ------------------------------------
body_c='{"strategy": "sma_cross", "data": {"symbols": ["ORCL"], "from": "2015-06-01"}}'
req POST /api/backtests "$body_c" >/dev/null
before="$(jget "d['metrics']['final_value']")"
req POST /api/backtests "$body_c" >/dev/null
check "a second run of the same data (from the cache) gives the same numbers" \
  test "$(jget "d['metrics']['final_value']")" = "$before"
"$cli" data sample --symbol ORCL --bars 600 --seed 99 --db "$db" >/dev/null 2>&1
s="$(req POST /api/backtests "$body_c")"
cp "$tmp/body" "$tmp/reimport.json"
"$cli" run --strategy sma_cross --symbol ORCL --from 2015-06-01 --db "$db" --json > "$tmp/cli_reimport.json"
check "after a re-import by the CLI, the server runs on the new bars (= run --json now)" \
  same_as_cli "$tmp/reimport.json" "$tmp/cli_reimport.json"
check "and the numbers changed ($before -> $(jget "d['metrics']['final_value']"))" \
  test "$(jget "d['metrics']['final_value']")" != "$before"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL"], "from": "2030-01-01"}}')"
err_is "a range with no bars (the store's words, also with the series cached)" 400 no_bars "$s"

# ---- limits: the body cap --------------------------------------------------------------------
kill -TERM "$pid"; wait "$pid"
check "SIGTERM: the server stops with status 0" test $? -eq 0
check "SIGTERM: it says so" grep -q "stopped" "$tmp/main.log"
check "a small body cap" start cap --body-max 1024
big="$(python3 -c "print('{\"strategy\": \"sma_cross\", \"pad\": \"' + 'x' * 3000 + '\"}')")"
s="$(req POST /api/backtests "$big")"
err_is "a body over --body-max (Content-Length)" 413 too_large "$s"
s="$(curl -s -o "$tmp/body" -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary "$big" "http://127.0.0.1:$port/api/backtests")"
err_is "a chunked body over --body-max" 413 too_large "$s"
s="$(curl -s -o "$tmp/body" -w '%{http_code}' -H "X-Pad: $(python3 -c "print('y' * 40000)")" "http://127.0.0.1:$port/api/health")"
check "headers over the limit: 431 (got $s)" test "$s" = 431
s="$(req GET /api/health)"
status_is "the server still answers after the refusals" 200 "$s"
kill -TERM "$pid"; wait "$pid"

# ---- the queue: 1 worker, no waiting room -> 503 with Retry-After ----------------------------
check "a server with 1 worker and queue 0" start queue --workers 1 --queue 0
# one curl, 8 connections at once (no process start-up between them)
qargs=()
for k in $(seq 1 8); do qargs+=(-o "$tmp/q$k.body" "http://127.0.0.1:$port/api/backtests"); done
curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max 8 -X POST \
  --data-binary '{"strategy": "sma_cross", "data": {"symbols": ["BIG"]}}' \
  -w '%{http_code} %header{retry-after} %{filename_effective}\n' "${qargs[@]}" > "$tmp/q.codes"
codes="$(cut -d' ' -f1 "$tmp/q.codes" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
check "8 at once on 1 worker: each answered (8 lines: $codes)" test "$(wc -l < "$tmp/q.codes")" = 8
check "each answer is 201, or 503 with Retry-After ($codes)" \
  bash -c "! grep -vqE '^(201 |503 [0-9]+ )' '$tmp/q.codes'"
check "at least one ran ($codes)" grep -q '^201 ' "$tmp/q.codes"
check "at least one was refused busy ($codes)" grep -q '^503 ' "$tmp/q.codes"
b="$(grep '^503 ' "$tmp/q.codes" | head -1 | awk '{print $3}')"
check "a 503 says busy" grep -q '"code": "busy"' "$b"
kill -TERM "$pid"; wait "$pid"
n201="$(grep -c '^201 ' "$tmp/q.codes")"; n503="$(grep -c '^503 ' "$tmp/q.codes")"
jobs_of() { sqlite3 "$db" "select count(*) from executions where id like 'job_%' and parameters like '%BIG%' and status = '$1'"; }
check "each job that ran has an ok row ($(jobs_of ok) of $n201)" test "$(jobs_of ok)" = "$n201"
check "each refused job has a busy row ($(jobs_of busy) of $n503)" test "$(jobs_of busy)" = "$n503"

# ---- a store that cannot be opened: a clear error, no server ------------------------------------
mkdir -p "$tmp/adir"
expect_err "serve on a folder as the store" 4 "cannot open the store" "$cli" serve --db "$tmp/adir" --listen 127.0.0.1:0
expect_err "mcp on a folder as the store" 4 "cannot open the store" "$cli" mcp --db "$tmp/adir"
expect_err "serve --listen without a port" 2 "expected HOST:PORT" "$cli" serve --db "$db" --listen 127.0.0.1
expect_err "serve --workers 0" 2 "--workers expects a number from 1" "$cli" serve --db "$db" --workers 0
expect_err "serve with an unknown flag" 2 "unknown option '--nope'" "$cli" serve --db "$db" --nope 1

# ---- IPv6 loopback: no key needed ---------------------------------------------------------------
"$cli" serve --db "$db" --listen '[::1]:0' 2>"$tmp/v6.log" &
v6=$!
pids="$pids $v6"
v6port=""
for _ in $(seq 1 60); do
  v6port="$(sed -n 's/.*listening on http:\/\/\[::1\]:\([0-9][0-9]*\) .*/\1/p' "$tmp/v6.log" 2>/dev/null)"
  [ -n "$v6port" ] && break
  kill -0 "$v6" 2>/dev/null || break
  sleep 0.05
done
if [ -n "$v6port" ]; then
  s="$(curl -s -g -o "$tmp/body" -w '%{http_code}' "http://[::1]:$v6port/api/health")"
  status_is "[::1] is loopback: health without a key" 200 "$s"
  kill -TERM "$v6"; wait "$v6"
else
  echo "note: no IPv6 loopback here: the [::1] check is skipped"
fi

# ---- API keys: any address but loopback needs one ----------------------------------------------
"$cli" serve --db "$db" --listen 0.0.0.0:0 > "$tmp/nokey.out" 2>&1
rc=$?
check "0.0.0.0 without any key is refused (rc $rc)" test "$rc" -ne 0
check "the refusal says how to make a key" grep -q "stratlab token create" "$tmp/nokey.out"
token="$("$cli" token create --name agent1 --db "$db" 2>/dev/null)"
check "token create prints a token" bash -c "[[ '$token' =~ ^slab_[0-9a-f]{40,}$ ]]"
check "the store keeps its SHA-256, not the token" \
  bash -c "! sqlite3 '$db' 'select * from api_keys' | grep -qF '$token' && sqlite3 '$db' 'select sha256 from api_keys' | grep -qx \"\$(printf %s '$token' | sha256sum | cut -c1-64)\""
expect_err "a second key with the same name" 2 "already a key named" "$cli" token create --name agent1 --db "$db"
check "a server on 0.0.0.0 with a key" start keyed --listen 0.0.0.0:0 --rate 3
s="$(req GET /api/health)"
err_is "no key" 401 unauthorized "$s"
s="$(req POST /api/backtests '{"strategy": "sma_cross", "data": {"symbols": ["ORCL"]}}')"
err_is "no key, with a body (refused from the headers)" 401 unauthorized "$s"
s="$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer ${token}x" "http://127.0.0.1:$port/api/health")"
err_is "a wrong key" 401 unauthorized "$s"
for k in 1 2 3; do
  s="$(curl -s -o "$tmp/body" -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/health")"
  status_is "the right key, request $k of --rate 3" 200 "$s"
done
s="$(curl -s -o "$tmp/body" -D "$tmp/head" -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/health")"
err_is "a 4th request within the minute" 429 rate_limited "$s"
check "429 has Retry-After" grep -qi '^Retry-After: [0-9]' "$tmp/head"
kill -TERM "$pid"; wait "$pid"

check "the store is intact" test "$(sqlite3 "$db" 'pragma integrity_check')" = ok
finish
