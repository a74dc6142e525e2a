#!/usr/bin/env bash
# test_store_migrate_cli.sh: the store's schema migrations (src/store/store.c,
# numbered by PRAGMA user_version), from every earlier schema to this
# build's: an empty file (0), version 1 (bars and imports), version 2 (+ the
# execution log). Each old store is made here with that version's own SQL
# (copied from the release that made it, not from today's code), holding
# rows; after stratlab opens it, the version is current, every old row is
# still there and readable (a run on the old bars, the old execution in
# `executions --json`), the new tables work, and integrity_check passes. A
# newer schema is refused with a clear error and left alone.
# Uses $SLAB_CLI, $SLAB_TMP; needs sqlite3.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
tmp="${SLAB_TMP:-/tmp}/store_migrate.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 is missing (scripts/setup.sh installs it)"; exit 77; }
current=3

v1='CREATE TABLE bars( symbol TEXT NOT NULL, timeframe TEXT NOT NULL, ts_ns INTEGER NOT NULL, open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL, oi REAL NOT NULL DEFAULT 0, PRIMARY KEY(symbol, timeframe, ts_ns)) WITHOUT ROWID;
CREATE TABLE imports( symbol TEXT NOT NULL, timeframe TEXT NOT NULL, source TEXT NOT NULL, sha256 TEXT NOT NULL, loaded_as TEXT NOT NULL, n_bars INTEGER NOT NULL, first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, imported_at INTEGER NOT NULL, PRIMARY KEY(symbol, timeframe));
PRAGMA user_version = 1;'
v2='CREATE TABLE executions( id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL, template TEXT NOT NULL, parameters TEXT NOT NULL, success INTEGER NOT NULL, status TEXT NOT NULL, execution_ms REAL NOT NULL, compile_ms REAL NOT NULL, run_ms REAL NOT NULL, cpu_ms REAL NOT NULL, max_rss_kb INTEGER NOT NULL, cached INTEGER NOT NULL, stdout TEXT NOT NULL, stderr TEXT NOT NULL, error TEXT NOT NULL, script TEXT NOT NULL, source_sha256 TEXT NOT NULL, strategy TEXT NOT NULL);
CREATE INDEX executions_by_time ON executions(created_at_ms);
PRAGMA user_version = 2;'
# 40 daily bars of OLD, 2020-01-01 on (every day), close 100 + k: a
# buy-and-hold run on them must see all 40.
bars="WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 39)
INSERT INTO bars SELECT 'OLD', '1d', (1577836800 + i * 86400) * 1000000000, 100 + i, 101 + i, 99 + i, 100 + i, 1000, 0 FROM k;
INSERT INTO imports VALUES('OLD', '1d', 'sample:old', '', '', 40, 1577836800000000000, (1577836800 + 39 * 86400) * 1000000000, 1600000000);"
exec_row="INSERT INTO executions VALUES('exec_old0000000000001', 1600000000000, 'orb', '{\"ticker\": \"HOOD\"}', 1, 'ok', 12.5, 3, 9, 8, 1024, 0, 'hello', '', '', 'orb.c', '', 'orb');"

# make VERSION FILE: an old store with rows
make() {
  case "$1" in
    0) : > "$2" ;;
    1) sqlite3 "$2" "$v1 $bars" ;;
    2) sqlite3 "$2" "$v1 $bars $v2 $exec_row" ;;
  esac
}

for v in 0 1 2; do
  f="$tmp/v$v.db"
  make "$v" "$f"
  check "schema $v: made with user_version $v" test "$(sqlite3 "$f" 'pragma user_version')" = "$v"
  "$cli" data list --db "$f" > "$tmp/list$v.txt" 2>&1
  check "schema $v: stratlab opens it" test $? -eq 0
  check "schema $v: now at version $current" test "$(sqlite3 "$f" 'pragma user_version')" = "$current"
  check "schema $v: the new tables are there" \
    test "$(sqlite3 "$f" "select count(*) from sqlite_master where name in ('backtests','strategies','api_keys','executions')")" = 4
  check "schema $v: integrity_check ok" test "$(sqlite3 "$f" 'pragma integrity_check')" = ok
  if [ "$v" -ge 1 ]; then
    check "schema $v: the 40 old bars are still there" test "$(sqlite3 "$f" "select count(*) from bars where symbol = 'OLD'")" = 40
    "$cli" run --strategy buy_hold --symbol OLD --db "$f" --json > "$tmp/run$v.json"
    check "schema $v: a run reads all 40 old bars" \
      test "$(python3 -c "import json; print(json.load(open('$tmp/run$v.json'))['backtest']['bars'])")" = 40
  fi
  if [ "$v" -ge 2 ]; then
    "$cli" executions --db "$f" --json > "$tmp/ex$v.json"
    check "schema $v: the old execution is still listed" \
      test "$(python3 -c "import json; d=json.load(open('$tmp/ex$v.json')); print([(e['id'], e['template'], e['parameters']['ticker']) for e in d])")" = "[('exec_old0000000000001', 'orb', 'HOOD')]"
  fi
  # the new tables take rows
  token="$("$cli" token create --name "k$v" --db "$f" 2>/dev/null)"
  check "schema $v: a key can be stored after the migration" test -n "$token"
  # opening again changes nothing
  cp "$f" "$f.before"
  "$cli" data list --db "$f" > /dev/null 2>&1
  check "schema $v: opening a current store again keeps its rows" \
    test "$(sqlite3 "$f" 'select count(*) from api_keys')" = 1
done

# a newer schema than this build reads: refused, untouched
f="$tmp/v99.db"
sqlite3 "$f" "$v1 PRAGMA user_version = 99;"
expect_err "a newer schema is refused" 4 "newer than this stratlab reads" "$cli" data list --db "$f"
check "the newer store is left at its version" test "$(sqlite3 "$f" 'pragma user_version')" = 99
finish
