#!/usr/bin/env bash
# test_report_browser.sh: the HTML report and the comparison page in headless
# Chromium (Debian package `chromium`, installed by scripts/setup.sh), driven
# through the DevTools protocol by tests/support/cdp_page.py: each page must
# load from file:// with no console message or log entry (the pages have no
# script, so any is an error: a parse or security complaint, a failed load),
# no failed request and no request at all beyond the page itself; and
# render: the screenshot is a PNG of the window's size and not blank. A
# deliberately bad page first proves the detector sees a console error and a
# failed load. The load time the page's Navigation Timing measured is
# printed as a figure, never checked. Skips (77) where chromium is absent.
# Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "SKIP: chromium is not installed (scripts/setup.sh installs the Debian package)"
  exit 77
fi
here="$(cd "$(dirname "$0")" && pwd)"
tmp="${SLAB_TMP:-/tmp}/report_browser.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$here/lib.sh"

# visit NAME FILE: opens FILE, result JSON in $tmp/NAME.json, screenshot $tmp/NAME.png.
visit() { timeout 120 python3 "$here/../support/cdp_page.py" "$browser" "file://$2" "$tmp/$1.png" >"$tmp/$1.json"; }
# clean NAME: the visit saw no console message, failed load or request.
clean() { jq -e '(.console | length) == 0 and (.failed | length) == 0 and (.requests | length) == 0' "$tmp/$1.json" >/dev/null; }
jqq() { jq -e "$@" >/dev/null; }
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }
# page NAME FILE: the checks every page gets.
page() {
  visit "$1" "$2"
  check "$1: driven (got: $(head -c 300 "$tmp/$1.json"))" jqq 'has("driver_error") | not' "$tmp/$1.json"
  check "$1: no console message, failed load or request (got: $(jq -c '[.console, .failed, .requests]' "$tmp/$1.json" 2>/dev/null))" clean "$1"
  check "$1: screenshot 1100 x 2400" test "$(png_size "$tmp/$1.png")" = "1100 2400"
  # a blank page compresses to a few kilobytes; charts and tables do not
  check "$1: screenshot is not blank" test "$(stat -c %s "$tmp/$1.png" 2>/dev/null || echo 0)" -gt 60000
  echo "figure: $1 loaded in $(jq .load_ms "$tmp/$1.json") ms (DOM ready $(jq .dom_ms "$tmp/$1.json") ms)"
}

# the detector sees a console error and a failed load
printf '<!DOCTYPE html><html><body><img src="missing.png"><script>console.error("boom")</script></body></html>\n' >"$tmp/bad.html"
visit bad "$tmp/bad.html"
check "detector: a console error is seen" jqq '.console | any(. == "boom")' "$tmp/bad.json"
check "detector: a failed load is seen" jqq '(.console | any(test("Failed to load resource"))) and (.failed | length) == 1' "$tmp/bad.json"
check "detector: the request is seen" jqq '.requests | any(test("missing.png$"))' "$tmp/bad.json"
check "detector: not clean" bash -c "! jq -e '(.console | length) == 0' '$tmp/bad.json' >/dev/null"

"$cli" data sample --bars 2520 --seed 4 --out "$tmp/d.csv" >/dev/null
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --orders --report "$tmp/report.html" >/dev/null
page report "$tmp/report.html"
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json >"$tmp/r.json"
"$cli" report "$tmp/r.json" -o "$tmp/zh.html" --lang zh
page zh "$tmp/zh.html"
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --param fast=5 --param slow=20 --json >"$tmp/r2.json"
"$cli" compare "$tmp/r.json" "$tmp/r2.json" -o "$tmp/cmp.html" >/dev/null
page compare "$tmp/cmp.html"
# a year of 1-minute bars
"$cli" data sample --bars 98280 --timeframe 1m --seed 2 --out "$tmp/m.csv" >/dev/null
"$cli" run --strategy sma_cross --data "$tmp/m.csv" --orders --report "$tmp/year1m.html" >/dev/null
page year1m "$tmp/year1m.html"
[ -n "${SLAB_SCREENSHOT:-}" ] && cp "$tmp/report.png" "$SLAB_SCREENSHOT"
finish
