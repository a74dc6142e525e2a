#!/usr/bin/env bash
# script_orb.sh: end-to-end latency of the orb template run as a sandboxed
# C script for one day (issue 12), against the built-in orb:
#   fresh   `stratlab run --script orb.c --date D` with an empty script
#           state folder each time: jail + compile + ELF check + sandboxed run
#   cached  the same with the compiled file in the cache (content hash)
#   builtin `stratlab run --strategy orb --date D`: no sandbox
# Whole-process wall time (fork/exec of stratlab included), median and best
# of N, plus the execution's own compile_ms / run_ms / wall_ms. The data:
# two symbols (ACME traded, IDX the market filter) x 3 sessions of 1-minute
# bars from `stratlab data sample` (deterministic), the run on the last day
# (the filter's previous session comes from the preroll).
# Usage: bash bench/script_orb.sh [build-dir] [runs]     (default build 15)
# Figures only; nothing fails on timing.
set -eu
build="${1:-build}"
runs="${2:-15}"
cli="$(cd "$build" && pwd)/stratlab"
tmp="$(mktemp -d /tmp/script_orb_bench.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db" STRATLAB_RUNNER="$(dirname "$cli")/stratlab-runner"
"$cli" data sample --symbol ACME --timeframe 1m --bars 1170 --start 2025-07-01 --seed 1 \
  --out "$tmp/acme.csv" >/dev/null
"$cli" data sample --symbol IDX --timeframe 1m --bars 1170 --start 2025-07-01 --seed 2 \
  --out "$tmp/idx.csv" >/dev/null
day="$(tail -1 "$tmp/acme.csv" | cut -d, -f1)"
"$cli" script new orb --set ticker=ACME --set date="$day" --set market_filter=IDX \
  -o "$tmp/orb.c" 2>/dev/null
python3 - "$cli" "$tmp" "$day" "$runs" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time
cli, tmp, day, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = ["--data", f"ACME={tmp}/acme.csv", "--data", f"IDX={tmp}/idx.csv", "--date", day, "--json"]
def run(args, state):
    env = dict(os.environ, STRATLAB_SCRIPT_DIR=state)
    t0 = time.perf_counter()
    p = subprocess.run([cli, "run"] + args + data, env=env, capture_output=True, text=True)
    wall = (time.perf_counter() - t0) * 1e3
    if p.returncode != 0:
        sys.exit(f"run failed ({p.returncode}): {p.stdout[-400:]} {p.stderr[-400:]}")
    return wall, json.loads(p.stdout)
rows = {}
cached_state = f"{tmp}/state-cached"
run(["--script", f"{tmp}/orb.c"], cached_state)  # fill the cache
for name in ("fresh", "cached", "builtin"):
    walls, ex = [], []
    for k in range(runs):
        if name == "fresh":
            state = f"{tmp}/state-fresh-{k}"
            w, d = run(["--script", f"{tmp}/orb.c"], state)
            shutil.rmtree(state, ignore_errors=True)
        elif name == "cached":
            w, d = run(["--script", f"{tmp}/orb.c"], cached_state)
        else:
            w, d = run(["--strategy", "orb", "--param", "market_filter=IDX"], cached_state)
        walls.append(w)
        if name != "builtin":
            e = d["execution"]
            assert e["cached"] == (name == "cached"), e
            ex.append((e["compile_ms"], e["run_ms"], e["wall_ms"]))
    rows[name] = (walls, ex, d)
print(f"orb, one day ({day}), 2 feeds x 390 1-minute bars, {runs} runs each; ms")
print(f"{'':8} {'process median':>15} {'best':>8} {'compile_ms':>11} {'run_ms':>8} {'exec wall_ms':>13}")
for name, (walls, ex, d) in rows.items():
    med = statistics.median(walls)
    if ex:
        c, r, w = (statistics.median(x[i] for x in ex) for i in range(3))
        print(f"{name:8} {med:15.1f} {min(walls):8.1f} {c:11.1f} {r:8.1f} {w:13.1f}")
    else:
        print(f"{name:8} {med:15.1f} {min(walls):8.1f} {'-':>11} {'-':>8} {'-':>13}")
sb = statistics.median(rows["cached"][0]) - statistics.median(rows["builtin"][0])
print(f"sandbox overhead per run (cached script - built-in, process medians): {sb:.1f} ms")
s, b = rows["cached"][2], rows["builtin"][2]
print("same trades as the built-in:", s["trades"] == b["trades"] if "trades" in s else "n/a")
PY
