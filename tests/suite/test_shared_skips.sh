#!/usr/bin/env bash
# test_shared_skips.sh: the suite cannot pass by accident. Runs this
# build's tests again (CTest, from a copy of its CTestTestfile.cmake with
# SLAB_SHARED replaced) in three situations and checks CTest's own counts:
#  1. ../shared absent (an empty directory), as on a user's clone: every
#     test labelled "shared" (tests/parity) is Skipped, none failed, no
#     other test skipped for want of ../shared; no reference test may count
#     as Passed.
#  2. the same under SLAB_SHARED_REQUIRED=1 (what .ci/run sets): every
#     "shared" test fails, saying ../shared is absent.
#  3. ../shared present but incomplete (a copy of links with a few files
#     missing, a manifest row and a fill case gone, an unlisted run added):
#     each reference test that reads them fails and names what is missing,
#     the others pass, and
#     `slab_refs --check` names it on one line.
# Plus .ci/run refusing to start without ../shared. Runs the other tests
# (test_fsum_fast and test_script_hostile aside: long, and they read nothing
# from ../shared), so it
# is registered in the normal build only. Uses $SLAB_BUILD_DIR,
# $SLAB_SOURCE_DIR, $SLAB_SHARED, $SLAB_TMP.
set -u
build="${SLAB_BUILD_DIR:?set SLAB_BUILD_DIR}"
src="${SLAB_SOURCE_DIR:?set SLAB_SOURCE_DIR}"
here="$(dirname "$0")"
. "$here/../support/shared.sh"
. "$here/../cli/lib.sh"
tmp="${SLAB_TMP:-/tmp}/suite_skips.$$"
mkdir -p "$tmp/empty"
[ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT
self="$(basename "$0" .sh)"
# Not rerun: this test, and long tests that read nothing from ../shared.
not_rerun="^($self|test_fsum_fast|test_script_hostile)\$"

# suite DIR SHARED REQUIRED CTEST_ARGS...: runs the build's tests against
# SHARED from DIR (its own Testing/ folder) with SLAB_SHARED_REQUIRED set to
# REQUIRED (0 or 1, whatever the environment says); CTest's output in DIR/out.
suite() {
  local dir="$1" shared="$2" req="$3"
  shift 3
  mkdir -p "$dir"
  sed "s#SLAB_SHARED=[^;\"]*#SLAB_SHARED=$shared#g" "$build/CTestTestfile.cmake" >"$dir/CTestTestfile.cmake"
  (cd "$dir" && SLAB_SHARED_REQUIRED="$req" ctest -j2 -E "$not_rerun" "$@" >out 2>&1)
}
# status DIR: "name status" per test from DIR/out (Passed, Skipped, Failed).
status() {
  sed -n 's/.*Test *#[0-9]*: \([A-Za-z0-9_]*\) \.*[ *]*\([A-Za-z]*\).*/\1 \2/p' "$1/out" | sort
}
# expect_all DIR LABEL-FILE WANT OTHERS: every test named in LABEL-FILE has
# status WANT, every other test OTHERS ("" when only labelled tests ran,
# "*" for Passed or Skipped).
expect_all() {
  local bad=0 name st
  while read -r name st; do
    if grep -qx "$name" "$2"; then [ "$st" = "$3" ] || { echo "  $name: $st, want $3"; bad=1; }
    elif [ "$4" = "*" ]; then
      case "$st" in Passed | Skipped) ;; *) echo "  $name: $st, want Passed or Skipped"; bad=1 ;; esac
    else [ "$st" = "$4" ] || { echo "  $name: $st, want ${4:-not run}"; bad=1; }; fi
  done < <(status "$1")
  [ "$bad" -eq 0 ] && [ -n "$(status "$1")" ]
}

# log_of DIR NAME: the output test NAME left in DIR's CTest log.
log_of() {
  awk -v t="$2" '$0 ~ "Testing: " t "$" { on = 1 } on { print } $0 ~ "^\"" t "\" end time" { on = 0 }' \
    "$1/Testing/Temporary/LastTest.log"
}
# no_shared_skip DIR LABEL-FILE: no test outside LABEL-FILE skipped for a
# missing ../shared (a test may skip for its own reasons, e.g. a kernel
# without a feature, but reading ../shared makes it a tests/parity test).
no_shared_skip() {
  local bad=0 name st
  while read -r name st; do
    grep -qx "$name" "$2" && continue
    if [ "$st" = Skipped ] && log_of "$1" "$name" | grep -q "../shared is absent"; then
      echo "  $name skips without ../shared but is not in tests/parity"
      bad=1
    fi
  done < <(status "$1")
  [ "$bad" -eq 0 ]
}

(cd "$build" && ctest -N -L shared | sed -n 's/.*Test *#[0-9]*: //p' | sort) >"$tmp/shared.txt"
check "some tests are labelled shared" test "$(wc -l <"$tmp/shared.txt")" -ge 7

# ---- 1. no ../shared: Skipped, never Passed -----------------------------------
suite "$tmp/s1" "$tmp/empty" 0
check "1: exit 0 (skips are not failures)" test $? -eq 0
check "1: shared tests Skipped, none Passed" expect_all "$tmp/s1" "$tmp/shared.txt" Skipped "*"
check "1: no other test needs ../shared" no_shared_skip "$tmp/s1" "$tmp/shared.txt"
n_shared="$(wc -l <"$tmp/shared.txt")"
check "1: CTest's count: 0 failed" grep -q "tests passed, 0 tests failed out of" "$tmp/s1/out"
check "1: CTest's summary lists the $n_shared shared tests as Skipped" \
  test "$(grep -cf <(sed 's/.*/ - & (Skipped)$/' "$tmp/shared.txt") "$tmp/s1/out")" -eq "$n_shared"
check "1: the skip says why" grep -q "SKIP: ../shared is absent" "$tmp/s1/Testing/Temporary/LastTest.log"

# ---- 2. no ../shared in CI: every reference test fails --------------------------
suite "$tmp/s2" "$tmp/empty" 1 --output-on-failure -L shared
check "2: exit non-zero" test $? -ne 0
check "2: every shared test Failed" expect_all "$tmp/s2" "$tmp/shared.txt" Failed ""
check "2: the failure says why" grep -q "../shared is absent (SLAB_SHARED=$tmp/empty) and SLAB_SHARED_REQUIRED=1" "$tmp/s2/out"

# ---- 3. ../shared incomplete: each reference test names what is missing -----------
if [ -n "${SLAB_SHARED:-}" ] && [ -d "$SLAB_SHARED/reference" ]; then
  part="$tmp/part"
  cp -rs "$(cd "$SLAB_SHARED" && pwd)/." "$part"
  rm "$part/reference/backtrader/rsi_orcl.json" "$part/reference/indicators/edge_cases_400/talib/RSI_2.csv" \
    "$part/data/2006-min-005.txt" "$part/reference/backtrader/indicators_orcl.csv"
  m="$part/reference/indicators/orcl-1995-2014/talib/manifest.csv"
  grep -v '^CMO_14.csv,' "$(readlink "$m")" >"$m.new" && rm "$m" && mv "$m.new" "$m"
  j="$part/reference/backtrader/order_fill_cases.json"
  sed 's/"case": "two_orders_fifo_cash"/"case": "renamed_case"/' "$(readlink "$j")" >"$j.new" &&
    rm "$j" && mv "$j.new" "$j"
  cp "$SLAB_SHARED/reference/backtrader/buyhold_orcl.json" "$part/reference/backtrader/newrun.json"
  suite "$tmp/s3" "$part" 0 --output-on-failure -L shared
  check "3: exit non-zero" test $? -ne 0
  # The tests that read what is gone fail; the other shared tests pass.
  printf '%s\n' test_analyzers_ref test_backtrader_ind_ref test_backtrader_runs test_cli_ref \
    test_data_ref test_order_fill_cases test_spec_parity test_talib_ref test_script_parity >"$tmp/broken.txt"
  check "3: the tests reading what is gone Failed, others Passed" \
    expect_all "$tmp/s3" "$tmp/broken.txt" Failed Passed
  for msg in "reference file missing: $part/reference/backtrader/rsi_orcl.json" \
    "could not load the reference run" \
    "reference run not in slab_refs_bt_runs" \
    "RSI_2.csv                                FAIL: reference file missing" \
    "CMO_14.csv                               FAIL: in the fixed list but not in the manifest" \
    "case two_orders_fifo_cash is in slab_refs_fill_cases but not in" \
    "case renamed_case is not in slab_refs_fill_cases" \
    "reference file missing: $part/data/2006-min-005.txt" \
    "FAIL: reference file missing: $part/data/2006-min-005.txt" \
    "reference file missing: $part/reference/backtrader/indicators_orcl.csv"; do
    check "3: says '$msg'" grep -qF -- "$msg" "$tmp/s3/out"
  done
  "$build/slab_refs" --check "$part" >"$tmp/check.out"
  check "3: slab_refs --check fails" test $? -eq 1
  check "3: ... on one line" test "$(wc -l <"$tmp/check.out")" -eq 1
  check "3: ... naming the files" grep -q "missing: 4 reference file(s) under $part.*rsi_orcl.json" "$tmp/check.out"
  check "3: slab_refs --check passes on ../shared" "$build/slab_refs" --check "$SLAB_SHARED"
else
  echo "SKIP part 3: needs ../shared"
  [ "${SLAB_SHARED_REQUIRED:-0}" = 1 ] && fail=$((fail + 1))
fi

# ---- .ci/run without ../shared: one line, before anything else -------------------
mkdir -p "$tmp/ci/repo/.ci"
cp "$src/.ci/run" "$tmp/ci/repo/.ci/run"
out="$(bash "$tmp/ci/repo/.ci/run" 2>&1)"
check ".ci/run fails without ../shared" test $? -eq 1
check ".ci/run names it on one line" bash -c "[ \$(wc -l <<<'$out') -eq 1 ] && grep -q '^missing: .*/shared/reference' <<<'$out'"

finish
