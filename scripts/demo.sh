#!/usr/bin/env bash
# The main job on the embedded default: generate deterministic sample data
# into a SQLite store, then backtest sma_cross on it and print the result.
# Then the seed's opening-range breakout on synthetic minute bars, with
# its HTML report. Expects a build from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export STRATLAB_DB="${STRATLAB_DB:-$PWD/build/demo.db}"
bin=./build/stratlab

$bin data sample --symbol SAMPLE --bars 2520 --seed 7
$bin data list
$bin run --strategy sma_cross --symbol SAMPLE --cash 100000 --commission 0.001 --sizer percent:95
$bin run --strategy rsi_reversion --symbol SAMPLE --json --out build/demo_result.json >/dev/null
echo "full result document: build/demo_result.json"
# Seed 000's request on synthetic minute bars: HOOD's opening-range
# breakout with a 2% trailing stop, only on days QQQ is up.
$bin data synth --symbol HOOD --symbol QQQ --from 2025-07-01 --to 2025-07-31 --timeframe 1m
$bin run --strategy orb --symbol HOOD --symbol QQQ --from 2025-07-01 --to 2025-07-31 \
  --param trailing_stop_pct=2 --param market_filter=QQQ --report build/demo_report.html
echo "report: build/demo_report.html"
