#!/usr/bin/env bash
# test_errors_cli.sh: issue 8's command-line contract: every subcommand
# with --json prints JSON on success and one JSON error document on stdout
# on failure, with a stable code, location, fix and the documented exit
# status; suggestions by edit distance; the run-option table's flags,
# --config FILE (JSON pointers) and --schema (checked by python3-jsonschema);
# --data twice, reversed ranges, semicolon CSV files, the CSV column hint.
# Uses $SLAB_CLI, $SLAB_TMP.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/errors_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
. "$(dirname "$0")/lib.sh"

"$cli" data sample --symbol S --bars 300 --seed 5 --out "$tmp/s.csv" >/dev/null 2>&1
"$cli" data sample --symbol S --bars 300 --seed 5 >/dev/null 2>&1

# json_is NAME RC_WANT PYTHON_CONDITION CMD...: CMD exits RC_WANT, its
# stdout is exactly one JSON document, and the condition on it (d) holds.
# The documents are checked together by one python3 at the end
# (check_json_all), so the test starts python once, not once a check.
jn=0
json_is() {
  local name="$1" rc_want="$2" cond="$3"; shift 3
  jn=$((jn + 1))
  "$@" >"$tmp/j$jn.json" 2>/dev/null
  printf '%s\n%s\n%s\n' "$name" "$rc_want" "$?" >"$tmp/j$jn.meta"
  printf '%s' "$cond" >"$tmp/j$jn.cond"
}
check_json_all() {
  local out
  out="$(python3 - "$tmp" "$jn" <<'PY'
import json, sys
tmp, n = sys.argv[1], int(sys.argv[2])
ok = 0
for k in range(1, n + 1):
    name, want, got = open(f"{tmp}/j{k}.meta").read().split("\n")[:3]
    cond = open(f"{tmp}/j{k}.cond").read()
    text = open(f"{tmp}/j{k}.json").read()
    try:
        d = json.loads(text)
        good = want == got and bool(eval(cond, {"d": d}))
    except Exception as e:  # not JSON, or the condition failed to evaluate
        good = False
    if good:
        ok += 1
    else:
        print(f"FAIL: {name}: rc={got} (want {want}); stdout: {text[:600]}")
print(f"OK {ok}")
PY
)"
  grep -v '^OK ' <<<"$out"
  pass=$((pass + $(sed -n 's/^OK //p' <<<"$out")))
  fail=$((fail + jn - $(sed -n 's/^OK //p' <<<"$out")))
}

# ---- --json on every subcommand: success is JSON --------------------------------
json_is "run --json" 0 "d['metrics']['final_value'] > 0" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --json
json_is "data list --json" 0 "d['series'][0]['symbol'] == 'S'" "$cli" data list --json
json_is "data import --json" 0 "d['bars'] == 300 and d['rows']['skipped'] == 0" \
  "$cli" data import "$tmp/s.csv" --symbol T --json
json_is "data sample --json" 0 "d['bars'] == 10 and d['seed'] == 1" \
  "$cli" data sample --symbol U --bars 10 --seed 1 --json
json_is "data sample --out --json" 0 "d['file'].endswith('u.csv')" \
  "$cli" data sample --bars 10 --seed 1 --out "$tmp/u.csv" --json
json_is "strategies --json" 0 "d[0]['name'] == 'sma_cross'" "$cli" strategies --json
json_is "indicators --json" 0 "any(e['name'] == 'RSI' for e in d)" "$cli" indicators --json
json_is "indicators show --json" 0 "d['name'] == 'RSI' and d['lookback'] == 14" \
  "$cli" indicators show RSI --json
json_is "indicators compute --json" 0 \
  "d['indicator'] == 'SMA' and d['outputs']['sma'][3] is None and d['outputs']['sma'][4] is not None" \
  "$cli" indicators compute SMA --data "$tmp/s.csv" --param timeperiod=5 --json
json_is "executions --json" 0 "isinstance(d, list)" "$cli" executions --json
json_is "--version --json" 0 "d['name'] == 'stratlab'" "$cli" --version --json
json_is "--help --json" 0 "{'run', 'data', 'strategies', 'indicators'} <= {c['name'] for c in d['commands']}" \
  "$cli" --help --json
json_is "run --help --json" 0 "d['command'] == 'run' and '--commission' in d['help']" \
  "$cli" run --help --json

# ---- --json on every subcommand: a bad argument is one JSON error ----------------
err_is() { # NAME RC CODE CMD...: the error document's code and exit_code
  local name="$1" rc="$2" code="$3"; shift 3
  json_is "$name" "$rc" "d['error']['code'] == '$code' and d['error']['exit_code'] == $rc and d['error']['message'] and d['error']['fix']" "$@"
}
err_is "run: unknown option" 2 unknown_option "$cli" run --strategy sma_cross --data "$tmp/s.csv" --comission 0.1 --json
err_is "data import: bad option" 2 unknown_option "$cli" data import "$tmp/s.csv" --symbl X --json
err_is "data list: bad option" 2 unknown_option "$cli" data list --frob --json
err_is "data sample: bad value" 2 bad_value "$cli" data sample --bars x --json
err_is "data: unknown subcommand" 2 unknown_command "$cli" data imprt --json
err_is "strategies: bad option" 2 unknown_option "$cli" strategies --frob --json
err_is "indicators: bad argument" 2 unknown_option "$cli" indicators --frob --json
err_is "indicators show: unknown" 2 unknown_indicator "$cli" indicators show RSU --json
err_is "indicators compute: bad param" 2 unknown_param "$cli" indicators compute RSI --data "$tmp/s.csv" --param fsat=3 --json
err_is "unknown command" 2 unknown_command "$cli" frob --json
err_is "executions: bad option" 2 unknown_option "$cli" executions --frob x --json
err_is "validate: bad option" 2 unknown_option "$cli" validate --frob --json
err_is "diagnose: bad option" 2 unknown_option "$cli" diagnose --frob --json
err_is "spec: bad subcommand" 2 unknown_command "$cli" spec --frob --json
# a misspelt flag of any command gets the closest one from that command's help
json_is "validate --jsn: did you mean --json" 2 "d['error']['code'] == 'unknown_option' and d['error']['fix'] == 'did you mean --json?'" \
  "$cli" validate spec.json --jsn --json
json_is "serve --listn: did you mean --listen" 2 "d['error']['code'] == 'unknown_option' and d['error']['where'] == '--listn' and d['error']['fix'] == 'did you mean --listen?'" \
  "$cli" serve --listn 127.0.0.1:0 --json
# Every command the CLI lists (new ones included, without editing this
# file): an unknown flag with --json is one JSON error document on stdout
# with exit status 2 (usage), whatever the command.
"$cli" --help --json 2>/dev/null | python3 -c "
import json, sys
print('\n'.join(c['name'] for c in json.load(sys.stdin)['commands']))" >"$tmp/commands"
check "--help --json lists at least 15 commands" test "$(wc -l <"$tmp/commands")" -ge 15
while IFS= read -r c; do
  json_is "$c: an unknown flag is a usage error in JSON" 2 \
    "d['error']['exit_code'] == 2 and d['error']['class'] == 'usage' and d['error']['code'] and d['error']['message'] and d['error']['fix']" \
    timeout 20 "$cli" "$c" --frobnicate-xyz --json </dev/null
done <"$tmp/commands"
# walkforward's own required options are checked after the run options:
# an unknown flag is named first, not the missing --train.
err_is "walkforward: unknown flag before missing --train" 2 unknown_option "$cli" walkforward --frob --json
err_is "walkforward: missing --train" 2 missing_option "$cli" walkforward --strategy sma_cross --data "$tmp/s.csv" --json
err_is "no command" 2 missing_option "$cli" --json
err_is "missing file" 3 file_not_found "$cli" run --strategy sma_cross --data "$tmp/nope.csv" --json
err_is "unknown symbol" 3 unknown_symbol "$cli" run --strategy sma_cross --symbol NOPE --json
printf 'Date,Open,High,Low,Close,Volume\n2006-01-02,1,2,0.5,1.5,10\n2006-01-03,1,2,0.5,abc,10\n' >"$tmp/bad.csv"
err_is "bad csv row" 3 bad_csv_row "$cli" data import "$tmp/bad.csv" --symbol B --json
json_is "bad csv row location" 3 "d['error']['file'].endswith('bad.csv') and d['error']['line'] == 3 and d['error']['column'] == 5" \
  "$cli" data import "$tmp/bad.csv" --symbol B --json
# The whole error document, exactly (the fix text, did_you_mean, choices).
json_is "unknown param document" 2 "d == {'error': {'code': 'unknown_param', 'class': 'usage',
  'status': 'not found', 'message': \"sma_cross has no parameter 'fsat'; did you mean fast? (it has: fast, slow, stop_loss_pct, take_profit_pct, trail_pct, time_exit_bars)\",
  'where': '--param', 'option': '--param',
  'fix': 'use --param fast=... (parameters of sma_cross: fast, slow, stop_loss_pct, take_profit_pct, trail_pct, time_exit_bars)',
  'did_you_mean': 'fast', 'choices': ['fast', 'slow', 'stop_loss_pct', 'take_profit_pct', 'trail_pct', 'time_exit_bars'],
  'exit_code': 2, 'command': 'run'}}" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --param fsat=10 --json
# Without --json: text on stderr, nothing on stdout.
check "text errors go to stderr" bash -c "[ -z \"\$('$cli' run --strategy sma_cross --data '$tmp/s.csv' --cash -1 2>/dev/null)\" ]"

# ---- suggestions and exact messages ------------------------------------------------
expect_err "--comission" 2 "unknown option '--comission'; did you mean --commission?" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --comission 0.1
expect_err "unknown strategy" 2 "unknown strategy 'sma_crss'; did you mean sma_cross? (built-ins: sma_cross, rsi_reversion, bbands_reversion, buy_hold, macd_trail, orb)" \
  "$cli" run --strategy sma_crss --data "$tmp/s.csv"
expect_err "--param fsat" 2 "sma_cross has no parameter 'fsat'; did you mean fast?" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --param fsat=10
expect_err "unknown indicator" 2 "unknown indicator RSU; did you mean RSI?" "$cli" indicators show RSU
expect_err "indicator param" 2 "RSI has no parameter 'timeperod'; did you mean timeperiod? (it has: timeperiod)" \
  "$cli" indicators compute RSI --data "$tmp/s.csv" --param timeperod=3
expect_err "data subcommand" 2 "unknown subcommand 'imprt'; did you mean import?" "$cli" data imprt
expect_err "--cash range" 2 "--cash must be a number > 0 (cash units), got -5" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --cash -5
expect_err "--commission-scheme choice" 2 "--commission-scheme is one of percent|per_share|fixed, got 'per-share'" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --commission-scheme per-share

# ---- --data twice, reversed ranges -------------------------------------------------
expect_err "--data twice" 2 "symbol s is given twice" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --data "$tmp/s.csv"
expect_err "--data twice fix" 2 "fix: name each feed once (--data SYM=FILE names a file's symbol)" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --data "$tmp/s.csv"
expect_err "reversed range" 2 "the range is reversed: --from 2010 is after --to 2005" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --from 2010 --to 2005
json_is "reversed range json" 2 "d['error']['code'] == 'reversed_range' and d['error']['fix'] == 'swap them: --from 2005 --to 2010'" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --from 2010 --to 2005 --json
# A year alone covers the year. The sample's bars are every weekday from
# Friday 2015-01-02 (no holidays); 2015 has 261 weekdays, one of them
# (Thursday 01-01) before the start: 260 bars, 2015-01-02 .. 2015-12-31.
check "--from/--to take a year" bash -c "'$cli' run --strategy sma_cross --data '$tmp/s.csv' --from 2015 --to 2015 | grep -q '2015-01-02 to 2015-12-31, 260 bars'"
expect_err "range without bars" 3 "no bars between 2030-01-01T00:00:00 and the end; the series covers 2015-01-02 .. 2016-02-25" \
  "$cli" run --strategy sma_cross --data "$tmp/s.csv" --from 2030

# ---- --config FILE and --schema ----------------------------------------------------------
printf '{"strategy": "sma_cross", "cash": 50000, "params": {"fast": 5, "slow": 20}}\n' >"$tmp/ok.json"
a="$("$cli" run --config "$tmp/ok.json" --data "$tmp/s.csv" | grep final_value)"
b="$("$cli" run --strategy sma_cross --cash 50000 --param fast=5 --param slow=20 --data "$tmp/s.csv" | grep final_value)"
check "--config equals the flags" test -n "$a" -a "$a" = "$b"
c="$("$cli" run --config "$tmp/ok.json" --data "$tmp/s.csv" --cash 100000 | grep final_value)"
check "a flag overrides --config" test "$c" != "$a"
printf '{"strategy": "sma_cross", "cash": "lots", "comission": 0.1}\n' >"$tmp/bad.json"
json_is "--config errors at JSON pointers" 2 "d['error']['code'] == 'bad_value' and d['error']['pointer'] == '/cash' and 'comission' in d['error']['message'] and 'did you mean commission' in d['error']['message']" \
  "$cli" run --config "$tmp/bad.json" --data "$tmp/s.csv" --json
printf '{"strategy": "sma_cross",\n "cash": 5,,}\n' >"$tmp/broken.json"
json_is "--config bad JSON" 2 "d['error']['code'] == 'bad_json' and d['error']['line'] == 2" \
  "$cli" run --config "$tmp/broken.json" --data "$tmp/s.csv" --json
"$cli" run --schema >"$tmp/schema.json"
check "--schema is a valid draft 2020-12 schema; valid and invalid requests agree with the library" python3 -c '
import json, sys
import jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(s)
v = jsonschema.Draft202012Validator(s)
good = {"strategy": "sma_cross", "cash": 50000, "params": {"fast": 5}, "sizer": "fixed:10",
        "stop_loss": "2%", "take_profit": 1.5, "slip_open": False, "data": ["a.csv"],
        "columns": {"date": "When"}, "trades": "all"}
assert not list(v.iter_errors(good)), list(v.iter_errors(good))
for bad in ({"cash": 0}, {"cash": "x"}, {"comission": 0.1}, {"db": "x.db"},
            {"format": "csv"}, {"slippage_perc": 1}, {"pessimistic": 1}, {"data": ["f%d" % k for k in range(17)]}):
    assert list(v.iter_errors(bad)), bad
assert s["properties"]["cash"]["default"] == 100000
assert s["properties"]["commission"]["default"] == 0.001
assert s["properties"]["sizer"]["default"] == "percent:95"
' "$tmp/schema.json"

# ---- CSV: semicolons, the column hint ------------------------------------------------------
sed 's/,/;/g' "$tmp/s.csv" >"$tmp/semi.csv"
a="$("$cli" run --strategy sma_cross --data "$tmp/s.csv" | grep final_value)"
b="$("$cli" run --strategy sma_cross --data "$tmp/semi.csv" | grep final_value)"
check "semicolon file gives the same run" test -n "$a" -a "$a" = "$b"
printf 'Date;Open;High;Low;Close\n2020-01-02;1,5;2;1;1.5\n' >"$tmp/dc.csv"
expect_err "decimal comma named" 3 "dc.csv:2:2: bad open '1,5': expected a number (a decimal comma is not read: write 1234.5, not 1234,5)" \
  "$cli" run --strategy sma_cross --data "$tmp/dc.csv"
sed '1s/Date/When/' "$tmp/s.csv" >"$tmp/when.csv"
expect_err "header hint names a run option" 3 "no date column in the header; columns are: When, Open, High, Low, Close, Volume, OpenInterest (name it with --col date=NAME)" \
  "$cli" run --strategy sma_cross --data "$tmp/when.csv"
c="$("$cli" run --strategy sma_cross --data "$tmp/when.csv" --col date=When | grep final_value)"
check "run --col date=When follows the hint" test "$c" = "$a"

# ---- data import --skip-bad-rows says how many ----------------------------------------------
expect_err "skip count" 0 "skipped 1 bad row (--skip-bad-rows); the first: $tmp/bad.csv:3:5: bad close 'abc': expected a number" \
  "$cli" data import "$tmp/bad.csv" --symbol B --skip-bad-rows

check_json_all

# ---- the README lists every error code ------------------------------------------------------
root="$(dirname "$0")/../.."
for code in $(grep -o 'ROW(SLAB_EC_[A-Z_]*, "[a-z_]*"' "$root/src/core/error.c" | sed 's/.*"\(.*\)"/\1/'); do
  [ "$code" = none ] && continue
  check "README lists error code $code" grep -q "\`$code\`" "$root/README.md"
done

finish
