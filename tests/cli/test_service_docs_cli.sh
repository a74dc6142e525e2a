#!/usr/bin/env bash
# test_service_docs_cli.sh: docs/service.md's examples run as written: each
# ```sh block of its "Examples" section against a fresh `stratlab serve`
# ($STRATLAB_URL; sample ORCL in the store) must print one JSON document
# (the one that sends a misspelled strategy must print the error document
# naming sma_cross); the ```mcp block, piped to `stratlab mcp`, must get a
# result for every request. And the endpoint table names every route the
# server answers. Uses $SLAB_CLI, $SLAB_TMP; needs curl.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
doc="$root/docs/service.md"
tmp="${SLAB_TMP:-/tmp}/service_docs.$$"
mkdir -p "$tmp"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "curl is missing"; exit 77; }
db="$tmp/store.db"
"$cli" data sample --symbol ORCL --db "$db" >/dev/null 2>&1
"$cli" serve --db "$db" --listen 127.0.0.1:0 2>"$tmp/serve.log" &
pid=$!
port=""
for _ in $(seq 1 600); do
  port="$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$tmp/serve.log" 2>/dev/null)"
  [ -n "$port" ] && break
  sleep 0.05
done
export STRATLAB_URL="http://127.0.0.1:$port"

# the blocks of the Examples section, one file each
python3 - "$doc" "$tmp" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
ex = text[text.index("## Examples"):]
for k, (lang, body) in enumerate(re.findall(r"```(sh|mcp)\n(.*?)```", ex, re.S)):
    open(f"{sys.argv[2]}/block{k:02d}.{lang}", "w").write(body)
EOF
n_sh="$(ls "$tmp"/block*.sh | wc -l)"
check "the Examples section has curl examples ($n_sh)" test "$n_sh" -ge 4
for f in "$tmp"/block*.sh; do
  out="$(bash "$f" 2>&1)"
  rc=$?
  check "$(basename "$f"): exits 0 and prints JSON" \
    python3 -c 'import json, sys; json.loads(sys.argv[1]); sys.exit(int(sys.argv[2]))' "$out" "$rc"
  if grep -q execute-script "$f"; then
    check "$(basename "$f"): seed 000's shape (success true, or false with status and detail)" \
      python3 -c 'import json, sys; d = json.loads(sys.argv[1]); assert d["success"] is True and d["executionId"] or (d["success"] is False and d["status"] and d["detail"])' "$out"
  fi
  if grep -q sma_crss "$f"; then
    check "$(basename "$f"): the misspelled strategy's error suggests sma_cross" \
      python3 -c 'import json, sys; e = json.loads(sys.argv[1])["error"]; assert e["code"] == "unknown_strategy" and e["did_you_mean"] == "sma_cross"' "$out"
  fi
done
for f in "$tmp"/block*.mcp; do
  "$cli" mcp --db "$db" < "$f" > "$tmp/mcp.out" 2>&1
  want="$(grep -c '"id"' "$f")"
  check "$(basename "$f"): a result for each of its $want requests" \
    test "$(grep -c '"result"' "$tmp/mcp.out")" = "$want"
  check "$(basename "$f"): no error" bash -c "! grep -q '\"error\"' '$tmp/mcp.out'"
  check "$(basename "$f"): the run's structuredContent is a result document" \
    python3 -c '
import json, sys
last = json.loads(open(sys.argv[1]).read().splitlines()[-1])
sc = last["result"]["structuredContent"]
assert sc["backtest"]["strategy"] == "buy_hold" and "metrics" in sc and sc["id"].startswith("bt_")
' "$tmp/mcp.out"
done
for route in /api/health /api/backtests /api/backtests/compare /api/backtests/execute-script \
  /api/strategies /api/executions /api/indicators /api/specs/validate; do
  check "docs/service.md names $route" grep -qE "\`(GET|POST) $route" "$doc"
done
finish
