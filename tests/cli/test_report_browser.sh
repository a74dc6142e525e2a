#!/usr/bin/env bash
# test_report_browser.sh: the HTML report in headless Chromium (Debian
# package `chromium`, installed by scripts/setup.sh): it must load from
# file:// with no console message (the page has no script, so any message
# is an error: a parse or security complaint) and no request (the net log
# of the page must hold no URL but the browser's own update and account
# services), and render: the screenshot is a PNG of the window's size and
# not blank. A deliberately bad page first proves the detector catches
# both a console error and a request. Skips (77) where chromium is absent.
# Uses $SLAB_CLI and $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "SKIP: chromium is not installed (scripts/setup.sh installs the Debian package)"
  exit 77
fi
tmp="${SLAB_TMP:-/tmp}/report_browser.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"

# visit PAGE SHOT: loads PAGE, writes the screenshot SHOT, the browser's
# log to SHOT.log and its net log to SHOT.net.
visit() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-default-apps --disable-extensions --user-data-dir="$tmp/profile" \
    --host-resolver-rules="MAP * ~NOTFOUND" --enable-logging=stderr --v=0 \
    --log-net-log="$2.net" --window-size=1100,2400 --screenshot="$2" "file://$1" \
    >"$2.log" 2>&1
}
# problems SHOT: prints console messages and page requests of a visit.
problems() {
  grep -h 'CONSOLE' "$1.log"
  grep -o '"url":"[^"]*"' "$1.net" 2>/dev/null | sort -u |
    grep -Ev '"url":"https?://([a-z0-9.-]*\.)?(google\.com|googleapis\.com|gvt1\.com)[/"]'
}
# has_problem SHOT TEXT: a problem of the visit mentions TEXT.
has_problem() { problems "$1" | grep -q -- "$2"; }
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'; }

# the detector catches a console error and a request
printf '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png"><script>console.error("boom")</script></body></html>\n' >"$tmp/bad.html"
visit "$tmp/bad.html" "$tmp/bad.png"
check "detector: a console error is seen" has_problem "$tmp/bad.png" boom
check "detector: a request is seen" has_problem "$tmp/bad.png" example.invalid

"$cli" data sample --bars 2520 --seed 4 --out "$tmp/d.csv" >/dev/null
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --orders --report "$tmp/report.html" >/dev/null
visit "$tmp/report.html" "$tmp/report.png"
out="$(problems "$tmp/report.png")"
check "report: no console message, no request${out:+ (got: $out)}" test -z "$out"
check "report: screenshot written" test -s "$tmp/report.png"
check "report: screenshot 1100 x 2400" test "$(png_size "$tmp/report.png")" = "1100 2400"
# a blank page compresses to a few kilobytes; charts and tables do not
check "report: screenshot is not blank" test "$(stat -c %s "$tmp/report.png")" -gt 60000
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --json --series >"$tmp/r.json"
"$cli" report "$tmp/r.json" -o "$tmp/zh.html" --lang zh
visit "$tmp/zh.html" "$tmp/zh.png"
out="$(problems "$tmp/zh.png")"
check "zh report: no console message, no request${out:+ (got: $out)}" test -z "$out"
# the comparison page too
"$cli" run --strategy sma_cross --data "$tmp/d.csv" --param fast=5 --param slow=20 --json --series >"$tmp/r2.json"
"$cli" compare "$tmp/r.json" "$tmp/r2.json" -o "$tmp/cmp.html" >/dev/null
visit "$tmp/cmp.html" "$tmp/cmp.png"
out="$(problems "$tmp/cmp.png")"
check "compare page: no console message, no request${out:+ (got: $out)}" test -z "$out"
check "compare page: screenshot written" test -s "$tmp/cmp.png"
[ -n "${SLAB_SCREENSHOT:-}" ] && cp "$tmp/report.png" "$SLAB_SCREENSHOT"
finish
