#!/usr/bin/env bash
# test_mcp_cli.sh: issue 14's MCP server, through the official MCP
# TypeScript SDK client (tests/mcp/test_mcp_client.mjs; the SDK is installed
# by scripts/setup.sh into tests/mcp/node_modules), beside a `stratlab
# serve` on the same store so each tool's structuredContent is checked
# against the HTTP API's answer. Also the protocol's edges by hand: a line
# that is not JSON, an unknown method, a notification (no answer).
# Skips (77) when node or the SDK is missing. Uses $SLAB_CLI, $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="${SLAB_TMP:-/tmp}/mcp_cli.$$"
mkdir -p "$tmp"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { echo "node is missing"; exit 77; }
[ -d "$root/tests/mcp/node_modules/@modelcontextprotocol/sdk" ] ||
  { echo "the MCP SDK is missing: scripts/setup.sh installs it"; exit 77; }
db="$tmp/store.db"
"$cli" data sample --symbol ORCL --bars 900 --seed 11 --db "$db" >/dev/null 2>&1
"$cli" data sample --symbol MSFT --bars 900 --seed 12 --db "$db" >/dev/null 2>&1  # a second feed
"$cli" data synth --symbol HOOD --symbol QQQ --from 2025-07-28 --to 2025-07-31 --db "$db" >/dev/null 2>&1  # orb

# the protocol's edges, by hand
printf '%s\n' 'not json' \
  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
  '{"jsonrpc":"2.0","id":7,"method":"no/such"}' \
  '{"jsonrpc":"2.0","id":8,"method":"ping"}' | "$cli" mcp --db "$db" > "$tmp/edges.out" 2>"$tmp/edges.err"
check "a line that is not JSON: parse error -32700" grep -q '"id":null,"error":{"code":-32700' "$tmp/edges.out"
check "an unknown method: -32601" grep -q '"id":7,"error":{"code":-32601' "$tmp/edges.out"
check "ping answers {}" grep -q '"id":8,"result":{}' "$tmp/edges.out"
check "a notification gets no answer (3 lines for 4 messages)" test "$(wc -l < "$tmp/edges.out")" = 3
{ head -c 9000000 /dev/zero | tr '\0' 'x'; printf '\n%s\n' '{"jsonrpc":"2.0","id":9,"method":"ping"}'; } |
  "$cli" mcp --db "$db" > "$tmp/big.out" 2>&1
check "a 9 MB line: 'message too large', then the next message is answered" \
  bash -c "grep -q 'message too large' '$tmp/big.out' && grep -q '\"id\":9,\"result\":{}' '$tmp/big.out'"

"$cli" serve --db "$db" --listen 127.0.0.1:0 2>"$tmp/serve.log" &
pid=$!
port=""
for _ in $(seq 1 600); do
  port="$(sed -n 's/.*listening on http:\/\/[^ ]*:\([0-9][0-9]*\) .*/\1/p' "$tmp/serve.log" 2>/dev/null)"
  [ -n "$port" ] && break
  sleep 0.05
done
check "serve started beside it" test -n "$port"
SLAB_SOURCE_DIR="$root" SLAB_DB="$db" SLAB_PORT="$port" SLAB_SPEC="$root/examples/specs/sma_cross.json" SLAB_TMP="$tmp" \
  node "$root/tests/mcp/test_mcp_client.mjs" > "$tmp/node.out" 2>&1
rc=$?
cat "$tmp/node.out"
check "the SDK client's checks pass" test "$rc" -eq 0

# the MCP Inspector's CLI mode (tests/mcp/package.json pins it)
insp="$root/tests/mcp/node_modules/.bin/mcp-inspector"
if [ -x "$insp" ]; then
  timeout 120 "$insp" --cli "$cli" mcp --db "$db" --method tools/list > "$tmp/insp_list.json" 2>"$tmp/insp.err"
  check "Inspector CLI: tools/list gives the nine tools" python3 -c "
import json
d = json.load(open('$tmp/insp_list.json'))
assert sorted(t['name'] for t in d['tools']) == sorted(['run_backtest', 'validate_spec', 'validate_script', 'run_script',
  'list_strategies', 'list_indicators', 'get_backtest', 'compare_backtests', 'save_strategy'])
"
  timeout 120 "$insp" --cli "$cli" mcp --db "$db" --method tools/call --tool-name run_backtest \
    --tool-arg strategy=buy_hold --tool-arg 'data={"symbols": ["ORCL"]}' > "$tmp/insp_run.json" 2>>"$tmp/insp.err"
  "$cli" run --strategy buy_hold --symbol ORCL --db "$db" --json > "$tmp/cli_bh.json"
  check "Inspector CLI: run_backtest's structuredContent equals run --json" python3 -c "
import json
a = json.load(open('$tmp/insp_run.json'))['structuredContent']; b = json.load(open('$tmp/cli_bh.json'))
a.pop('id')
for d in (a, b):
    for k in ('wall_ms', 'engine_ms'): d['execution'].pop(k, None)
assert a == b
"
else
  echo "note: the MCP Inspector is not installed (scripts/setup.sh): its checks are skipped"
fi
finish
