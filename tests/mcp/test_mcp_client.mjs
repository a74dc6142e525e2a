// test_mcp_client.mjs: issue 14's MCP server driven by the official MCP
// TypeScript SDK client (npm @modelcontextprotocol/sdk, installed by
// scripts/setup.sh into tests/mcp/node_modules). Spawns `stratlab mcp` on a
// store, lists the tools and calls each one. References are never the MCP
// server's own earlier answers: a run equals `stratlab run --json` for the
// same inputs and the HTTP API's answer for the same body (a `stratlab
// serve` on the same store, at $SLAB_PORT), a validation equals `stratlab
// validate --json`, the lists equal the CLI's lists, and compare's "best"
// is worked out here from the two documents.
// Env: SLAB_CLI, SLAB_DB (with ORCL stored), SLAB_PORT, SLAB_SPEC (a spec
// file), SLAB_TMP. Prints "N passed, M failed"; exit 1 on any failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import assert from "node:assert/strict";

const cli = process.env.SLAB_CLI, db = process.env.SLAB_DB, port = process.env.SLAB_PORT;
const specFile = process.env.SLAB_SPEC, tmp = process.env.SLAB_TMP;
let pass = 0, fail = 0;
async function check(name, fn) {
  try { await fn(); pass++; } catch (e) { fail++; console.log(`FAIL: ${name}: ${e.message.slice(0, 600)}`); }
}
const runCli = (...args) => JSON.parse(execFileSync(cli, args, { encoding: "utf8" }));
const runCliAnyRc = (...args) => {
  try { return JSON.parse(execFileSync(cli, args, { encoding: "utf8" })); }
  catch (e) { return JSON.parse(e.stdout); }
};
async function http(method, path, body) {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, {
    method, headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
}
// a document without what differs between two executions of one run
function stable(doc) {
  const d = structuredClone(doc);
  delete d.id;
  if (d.execution) { delete d.execution.wall_ms; delete d.execution.engine_ms; delete d.execution.compile_ms; }
  return d;
}

const client = new Client({ name: "stratlab-test", version: "1.0.0" });
const transport = new StdioClientTransport({ command: cli, args: ["mcp", "--db", db], stderr: "pipe" });
await client.connect(transport);

await check("initialize: the server names itself and speaks 2025-06-18 or later", async () => {
  const v = client.getServerVersion();
  assert.equal(v.name, "stratlab");
  assert.equal(v.version, execFileSync(cli, ["--version"], { encoding: "utf8" }).trim().split(" ")[1]);
  assert.ok(client.getServerCapabilities().tools);
});

const wanted = ["run_backtest", "validate_spec", "validate_script", "run_script", "list_strategies",
  "list_indicators", "get_backtest", "compare_backtests", "save_strategy"];
await check("tools/list: the nine tools, each with an input and an output schema", async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map(t => t.name).sort(), [...wanted].sort());
  for (const t of tools) {
    assert.equal(t.inputSchema.type, "object", t.name);
    assert.equal(t.outputSchema.type, "object", t.name);
    assert.ok(t.description.length > 20, t.name);
  }
  const rb = tools.find(t => t.name === "run_backtest");
  assert.ok(rb.inputSchema.properties.strategy && rb.inputSchema.properties.data.properties.symbols);
  assert.equal(rb.inputSchema.properties.format, undefined, "no CSV-file options over MCP");
});

// ---- run_backtest = run --json = POST /api/backtests ----
const body1 = { strategy: "sma_cross", params: { fast: 5, slow: 20 }, data: { symbols: ["ORCL"] }, cash: 50000 };
let r1, r2;
await check("run_backtest equals `stratlab run --json` for the same inputs", async () => {
  r1 = await client.callTool({ name: "run_backtest", arguments: body1 });
  assert.equal(r1.isError, false);
  const ref = runCli("run", "--strategy", "sma_cross", "--param", "fast=5", "--param", "slow=20",
    "--symbol", "ORCL", "--cash", "50000", "--db", db, "--json");
  assert.deepEqual(stable(r1.structuredContent), stable(ref));
  assert.match(r1.structuredContent.id, /^bt_[0-9a-f]{16}$/);
});
await check("run_backtest's text is small: the summary, headline metrics and the id", async () => {
  const brief = JSON.parse(r1.content[0].text), doc = r1.structuredContent;
  assert.equal(brief.id, doc.id);
  assert.equal(brief.summary, doc.summary);
  assert.equal(brief.metrics.final_value, doc.metrics.final_value);
  assert.equal(brief.trades_total, doc.trades_total);
  assert.ok(r1.content[0].text.length < JSON.stringify(doc).length / 5, "much smaller than the document");
});
await check("an orb run's brief carries its next runs; each, called, is the run the CLI's command makes", async () => {
  const body = { strategy: "orb", data: { symbols: ["HOOD", "QQQ"] }, date: "2025-07-31",
    params: { trailing_stop_pct: 2, market_filter: "QQQ" } };
  const r = await client.callTool({ name: "run_backtest", arguments: body });
  assert.equal(r.isError, false);
  const brief = JSON.parse(r.content[0].text), doc = r.structuredContent;
  assert.deepEqual(brief.next_runs, doc.next_runs);
  const cli1 = runCli("run", "--strategy", "orb", "--symbol", "HOOD", "--symbol", "QQQ", "--date", "2025-07-31",
    "--param", "trailing_stop_pct=2", "--param", "market_filter=QQQ", "--db", db, "--json");
  assert.deepEqual(doc.next_runs.map(n => n.why), cli1.next_runs.map(n => n.why));
  assert.equal(doc.next_runs.length, 4);
  for (let i = 0; i < 4; i++) {
    const n = await client.callTool({ name: "run_backtest", arguments: doc.next_runs[i].request });
    assert.equal(n.isError, false, `next run ${i}`);
    const ref = runCli(...cli1.next_runs[i].command.split(" ").slice(1));
    const a = stable(n.structuredContent), b = stable(ref);
    delete a.next_runs; delete b.next_runs;
    assert.deepEqual(a, b, `next run ${i}: ${cli1.next_runs[i].command}`);
  }
});
await check("run_backtest equals the HTTP API's answer for the same body", async () => {
  const h = await http("POST", "/api/backtests", body1);
  assert.equal(h.status, 201);
  assert.deepEqual(stable(JSON.parse(h.text)), stable(r1.structuredContent));
});
await check("get_backtest: the stored document, byte for byte as GET /api/backtests/{id}", async () => {
  const g = await client.callTool({ name: "get_backtest", arguments: { id: r1.structuredContent.id } });
  assert.equal(g.isError, false);
  assert.deepEqual(g.structuredContent, r1.structuredContent);
  const h = await http("GET", `/api/backtests/${r1.structuredContent.id}`);
  assert.equal(h.text, g.content[0].text);
});
await check("get_backtest with trades: a page of the stored trades, as GET /api/backtests/{id}/trades", async () => {
  const id = r1.structuredContent.id;
  const g = await client.callTool({ name: "get_backtest", arguments: { id, trades: { offset: 1, limit: 2 } } });
  assert.equal(g.isError, false);
  assert.deepEqual(g.structuredContent.trades, r1.structuredContent.trades.slice(1, 3));
  const h = await http("GET", `/api/backtests/${id}/trades?offset=1&limit=2`);
  assert.deepEqual(JSON.parse(h.text), g.structuredContent);
});
await check("run_backtest with a spec equals `stratlab run --spec`", async () => {
  const spec = JSON.parse(readFileSync(specFile, "utf8"));
  const r = await client.callTool({ name: "run_backtest", arguments:
    { spec, data: { symbols: ["ORCL"], from: "2015-01-01", to: "2017-12-31" } } });
  assert.equal(r.isError, false, r.content[0].text.slice(0, 300));
  // the server compiles the object as 2-space JSON: the CLI reads that text
  writeFileSync(`${tmp}/spec_run.json`, JSON.stringify(spec, null, 2));
  const ref = runCli("run", "--spec", `${tmp}/spec_run.json`, "--symbol", "ORCL", "--from", "2015-01-01",
    "--to", "2017-12-31", "--db", db, "--json");
  assert.equal(r.structuredContent.backtest.source, "spec");
  assert.deepEqual(stable(r.structuredContent), stable(ref));
});

// ---- compare_backtests ----
await check("compare_backtests: both runs, and the best worked out from their documents", async () => {
  r2 = await client.callTool({ name: "run_backtest", arguments: { strategy: "buy_hold", data: { symbols: ["ORCL"] } } });
  const a = r1.structuredContent, b = r2.structuredContent;
  const c = await client.callTool({ name: "compare_backtests", arguments: { ids: [a.id, b.id] } });
  assert.equal(c.isError, false);
  assert.deepEqual(c.structuredContent.backtests.map(x => x.id), [a.id, b.id]);
  assert.equal(c.structuredContent.backtests[1].metrics.final_value, b.metrics.final_value);
  const best = a.metrics.total_return >= b.metrics.total_return ? a.id : b.id;
  assert.equal(c.structuredContent.best.total_return, best);
  const lowDd = a.metrics.max_drawdown_pct <= b.metrics.max_drawdown_pct ? a.id : b.id;
  assert.equal(c.structuredContent.best.max_drawdown_pct, lowDd);
  const h = await http("POST", "/api/backtests/compare", { ids: [a.id, b.id] });
  assert.deepEqual(JSON.parse(h.text), c.structuredContent);
});

// ---- validate_spec = stratlab validate --json ----
await check("validate_spec on a valid spec equals `stratlab validate --json`", async () => {
  const spec = JSON.parse(readFileSync(specFile, "utf8"));
  const v = await client.callTool({ name: "validate_spec", arguments: { spec } });
  assert.equal(v.isError, false);
  assert.equal(v.structuredContent.valid, true);
  // the CLI reads the same object as the server writes it (2-space JSON)
  writeFileSync(`${tmp}/spec2.json`, JSON.stringify(spec, null, 2));
  const ref = runCliAnyRc("validate", `${tmp}/spec2.json`, "--json");
  assert.deepEqual(v.structuredContent, ref);
});
await check("validate_spec on a broken spec: invalid, the unknown indicator named at its pointer", async () => {
  const spec = JSON.parse(readFileSync(specFile, "utf8"));
  spec.indicators[0].formula = "SMAA(close, 10)";
  const v = await client.callTool({ name: "validate_spec", arguments: { spec } });
  assert.equal(v.structuredContent.valid, false);
  assert.ok(v.structuredContent.error_count >= 1);
  const item = v.structuredContent.items.find(i => i.severity === "error");
  assert.match(item.pointer, /^\/indicators\/0/);
  writeFileSync(`${tmp}/spec3.json`, JSON.stringify(spec, null, 2));
  assert.deepEqual(v.structuredContent, runCliAnyRc("validate", `${tmp}/spec3.json`, "--json"));
});

// ---- validate_script = stratlab validate FILE.c --json ----
const parityScript = new URL("../scripts/parity/sma_cross.c", import.meta.url);
await check("validate_script on a valid script equals `stratlab validate request.c --json`", async () => {
  const script = readFileSync(parityScript, "utf8");
  const v = await client.callTool({ name: "validate_script", arguments: { script } });
  assert.equal(v.isError, false, v.content[0].text.slice(0, 300));
  writeFileSync(`${tmp}/request.c`, script);
  const ref = runCliAnyRc("validate", `${tmp}/request.c`, "--json");
  assert.equal(ref.valid, true);
  assert.deepEqual(v.structuredContent, ref);
});
await check("validate_script on a broken script: invalid, as `stratlab validate --json`", async () => {
  const script = readFileSync(parityScript, "utf8").replace('"SMA_BT"', '"SMA_BTT"') +
    "\nstatic int broken(void) { return ; }\n";
  const v = await client.callTool({ name: "validate_script", arguments: { script } });
  assert.equal(v.isError, false);
  assert.equal(v.structuredContent.valid, false);
  assert.ok(v.structuredContent.error_count >= 1);
  writeFileSync(`${tmp}/request.c`, script);
  assert.deepEqual(v.structuredContent, runCliAnyRc("validate", `${tmp}/request.c`, "--json"));
});
await check("validate_script without a script: an isError result, missing_option", async () => {
  const v = await client.callTool({ name: "validate_script", arguments: {} });
  assert.equal(v.isError, true);
  assert.equal(v.structuredContent.error.code, "missing_option");
});

// ---- lists ----
await check("list_strategies: the built-ins of `stratlab strategies --json`", async () => {
  const l = await client.callTool({ name: "list_strategies", arguments: {} });
  const ref = runCli("strategies", "--json");
  const names = (Array.isArray(ref) ? ref : ref.strategies).map(s => s.name);
  assert.deepEqual(l.structuredContent.builtin.map(s => s.name), names);
  const h = await http("GET", "/api/strategies");
  assert.deepEqual(JSON.parse(h.text), l.structuredContent);
});
await check("list_indicators: every indicator of `stratlab indicators --json`", async () => {
  const l = await client.callTool({ name: "list_indicators", arguments: {} });
  const ref = runCli("indicators", "--json");
  assert.deepEqual(l.structuredContent.indicators.map(i => i.name), ref.map(i => i.name));
  assert.equal(l.structuredContent.count, ref.length);
  const sma = l.structuredContent.indicators.find(i => i.name === "SMA");
  assert.deepEqual(sma.params.map(p => [p.name, p.default, p.min]), [["timeperiod", 30, 2]]);
});

// ---- save_strategy, versioned; a run of it records the version ----
await check("save_strategy: version 1, then 2 with its id; a run records version 2", async () => {
  const s1 = await client.callTool({ name: "save_strategy", arguments: { name: "mcp sma", strategy: "sma_cross", params: { fast: 8 } } });
  assert.equal(s1.isError, false);
  assert.equal(s1.structuredContent.version, 1);
  const id = s1.structuredContent.id;
  const s2 = await client.callTool({ name: "save_strategy", arguments: { id, name: "mcp sma", strategy: "sma_cross", params: { fast: 12 } } });
  assert.equal(s2.structuredContent.version, 2);
  const r = await client.callTool({ name: "run_backtest", arguments: { saved: id, data: { symbols: ["ORCL"] } } });
  assert.deepEqual(r.structuredContent.backtest.saved, { id, version: 2 });
  assert.equal(r.structuredContent.backtest.config.params.fast, 12);
});

// ---- errors: a result with isError and the HTTP error document ----
await check("run_backtest with an unknown strategy: isError, the HTTP error document", async () => {
  const bad = { strategy: "sma_crss", data: { symbols: ["ORCL"] } };
  const r = await client.callTool({ name: "run_backtest", arguments: bad });
  assert.equal(r.isError, true);
  assert.equal(r.structuredContent.error.code, "unknown_strategy");
  assert.equal(r.structuredContent.error.did_you_mean, "sma_cross");
  const h = await http("POST", "/api/backtests", bad);
  assert.equal(h.status, 400);
  assert.deepEqual(JSON.parse(h.text), r.structuredContent);
});
await check("get_backtest of an unknown id: isError, not_found", async () => {
  const r = await client.callTool({ name: "get_backtest", arguments: { id: "bt_0000000000000000" } });
  assert.equal(r.isError, true);
  assert.equal(r.structuredContent.error.code, "not_found");
});
await check("an unknown tool is a JSON-RPC error", async () => {
  await assert.rejects(client.callTool({ name: "no_such_tool", arguments: {} }), /unknown tool/);
});
await check("run_script: a C script's document equals `stratlab run --script`", async () => {
  const file = `${process.env.SLAB_SOURCE_DIR}/tests/scripts/parity/sma_cross.c`;
  const r = await client.callTool({ name: "run_script", arguments:
    { script: readFileSync(file, "utf8"), params: { fast: 7 }, data: { symbols: ["ORCL"] } } });
  assert.equal(r.isError, false, r.content[0].text.slice(0, 400));
  const ref = runCli("run", "--script", file, "--param", "fast=7", "--symbol", "ORCL", "--db", db, "--json");
  const a = structuredClone(r.structuredContent); delete a.id; delete a.execution; delete ref.execution;
  assert.deepEqual(a, ref);
  assert.equal(r.structuredContent.execution.status, "ok");
});
await check("run_script on two feeds equals `stratlab run --script --symbol ORCL --symbol MSFT`", async () => {
  const file = `${process.env.SLAB_SOURCE_DIR}/tests/scripts/parity/sma_cross.c`;
  const r = await client.callTool({ name: "run_script", arguments:
    { script: readFileSync(file, "utf8"), data: { symbols: ["ORCL", "MSFT"], from: "2016-01-01" } } });
  assert.equal(r.isError, false, r.content[0].text.slice(0, 400));
  const ref = runCli("run", "--script", file, "--symbol", "ORCL", "--symbol", "MSFT", "--from", "2016-01-01",
    "--db", db, "--json");
  const a = structuredClone(r.structuredContent); delete a.id; delete a.execution; delete ref.execution;
  assert.deepEqual(a, ref);
  assert.deepEqual(r.structuredContent.backtest.symbols, ["ORCL", "MSFT"]);
});
await check("run_backtest with a spec on two feeds equals `stratlab run --spec --symbol ORCL --symbol MSFT`", async () => {
  const spec = JSON.parse(readFileSync(specFile, "utf8"));
  const r = await client.callTool({ name: "run_backtest", arguments:
    { spec, data: { symbols: ["ORCL", "MSFT"], from: "2015-01-01", to: "2017-12-31" } } });
  assert.equal(r.isError, false, r.content[0].text.slice(0, 300));
  writeFileSync(`${tmp}/spec_run2.json`, JSON.stringify(spec, null, 2));
  const ref = runCli("run", "--spec", `${tmp}/spec_run2.json`, "--symbol", "ORCL", "--symbol", "MSFT",
    "--from", "2015-01-01", "--to", "2017-12-31", "--db", db, "--json");
  assert.deepEqual(stable(r.structuredContent), stable(ref));
  assert.deepEqual(r.structuredContent.backtest.symbols, ["ORCL", "MSFT"]);
});
await check("run_script that does not compile: isError, compile_error at line 1", async () => {
  const r = await client.callTool({ name: "run_script", arguments: { script: "int x = ;", data: { symbols: ["ORCL"] } } });
  assert.equal(r.isError, true);
  assert.equal(r.structuredContent.success, false);
  assert.equal(r.structuredContent.status, "compile_error");
  assert.equal(r.structuredContent.errors[0].line, 1);
});
await check("the server still answers after the errors", async () => {
  assert.deepEqual(await client.ping(), {});
});

await client.close();
console.log(`${pass} passed, ${fail} failed`);
process.exit(fail ? 1 : 0);
