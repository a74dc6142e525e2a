#!/usr/bin/env bash
# mutate.sh: does the suite catch small deliberate bugs? Applies each
# mutation below, one at a time, to a scratch copy of this tree (tracked and
# untracked files as they are now), builds it, runs the tests twice (with
# ../shared and with an empty SLAB_SHARED, as on a user's clone) and prints
# which tests fail. Every mutation must be caught both times; the script
# exits 1 when one is not (or no longer applies: its text changed).
#
#   bash scripts/mutate.sh [--all] [--keep] [NAME...]
#   bash scripts/mutate.sh --check     (each mutation still applies; no build)
#
# NAME... runs only those mutations. The suite's own test (test_shared_skips,
# which reruns the suite), test_fsum_fast (27 s; no mutation touches fsum)
# and test_script_hostile (minutes of sandbox timeouts; no mutation touches
# the script layer) are left out unless --all. The benches are not built. --keep keeps the scratch directory.
# Takes about a minute per mutation on 2 cores: run it when `uptime` shows
# a low load. Not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
src="$(pwd)"
shared="${SLAB_SHARED:-$(cd .. && pwd)/shared}"

all=0 keep=0 check=0 only=()
for a in "$@"; do
  case "$a" in
  --all) all=1 ;;
  --keep) keep=1 ;;
  --check) check=1 ;;
  -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
  -*) echo "mutate.sh: unknown option $a" >&2; exit 2 ;;
  *) only+=("$a") ;;
  esac
done
if [ $check = 0 ] && [ ! -d "$shared/reference" ]; then
  echo "mutate.sh: $shared (../shared) is absent; the run with it is half the check" >&2
  exit 2
fi

# ---- the mutations: NAME, FILE, the exact text (must occur once), its
# replacement, and what bug it stands for. -------------------------------------
names=() files=() froms=() tos=() whats=()
mut() { names+=("$1"); files+=("$2"); froms+=("$3"); tos+=("$4"); whats+=("$5"); }

mut commission_one_leg src/broker/fill.c \
  'closedcomm = slab__commission(b, closed, x, 1, opened);' \
  'closedcomm = 0.0;' \
  'the closing leg of a trade pays no commission'
mut sma_window_off_by_one src/ind/talib_ma.c \
  'for (size_t i = 0; i + 1 < p; i++)' \
  'for (size_t i = 0; i + 2 < p; i++)' \
  "TA-Lib SMA sums p-1 bars (divides by p)"
mut sharpe_population_sd src/metrics/analyzers.c \
  'bessel = p->stddev_sample ? 1 : 0;' \
  'bessel = 0;' \
  'Sharpe uses the population deviation where the sample one is asked for'
mut trail_on_high src/broker/fill.c \
  'if (!fill && o->ev.type == SLAB_ORDER_STOP_TRAIL)
            slab__trail_adjust(o, k->close);' \
  'if (!fill && o->ev.type == SLAB_ORDER_STOP_TRAIL)
            slab__trail_adjust(o, o->ev.is_buy ? k->low : k->high);' \
  'a trailing stop follows the high (low for shorts) instead of the close'
mut drawdown_from_cash src/metrics/analyzers.c \
  'double v = eq->value[i];' \
  'double v = eq->cash[i];' \
  'drawdown computed from cash instead of the portfolio value'
mut rsi_seed_skips_first_move src/ind/ind_int.h \
  'for (size_t i = s + 1; i <= s + p; i++) {' \
  'for (size_t i = s + 2; i <= s + p; i++) {' \
  'the Wilder seed of RSI/CMO leaves out the first move'
mut market_fills_at_creating_close src/broker/fill.c \
  '        x = k->open;' \
  '        x = o->ev.created_price;' \
  'a market order fills at the close of the bar that created it (look-ahead)'
mut cash_check_skipped_at_fill src/broker/fill.c \
  'if (cash < 0.0) {' \
  'if (0) {' \
  'a fill that makes cash negative is accepted'
mut cash_check_skipped_at_submission src/broker/broker.c \
  'if (cash >= 0.0 || o->forced) {' \
  'if (1) {' \
  'orders are accepted without the submission cash check'
mut stop_fills_at_stop_through_gap src/broker/fill.c \
  'return slip(c, buy, bound, k->open, c->slip_open, 0, x);' \
  'return slip(c, buy, bound, stop, c->slip_open, 0, x);' \
  'a stop gapped through fills at the stop price, not the open'
mut ema_alpha_one_over_p src/ind/talib_ma.c \
  'case SLAB__MA_EMA: ema0(x, n, period, 2.0 / ((double)(period + 1)), o); break;' \
  'case SLAB__MA_EMA: ema0(x, n, period, 1.0 / ((double)period), o); break;' \
  "TA-Lib EMA smooths with Wilder's 1/p instead of 2/(p+1)"
mut crossover_on_touch src/ind/kernels.c \
  'double up = (nzd < 0.0 && a[i] > b[i]) ? 1.0 : 0.0;' \
  'double up = (nzd < 0.0 && a[i] >= b[i]) ? 1.0 : 0.0;' \
  'CrossOver fires when the lines touch without crossing'
mut won_by_gross_pnl src/metrics/tradeanalyzer.c \
  'int64_t won = t->pnlcomm >= 0.0;' \
  'int64_t won = t->pnl >= 0.0;' \
  'a trade counts as won on its pnl before commission'
mut rsi_bt_seed_skips_first_move src/ind/kernels.c \
  'for (size_t i = s + 1; i <= s + p; i++) {' \
  'for (size_t i = s + 2; i <= s + p; i++) {' \
  "backtrader RSI's seed leaves out the first move"

selected() {
  [ ${#only[@]} -eq 0 ] && return 0
  local o
  for o in "${only[@]}"; do [ "$o" = "$1" ] && return 0; done
  return 1
}
for o in "${only[@]+"${only[@]}"}"; do
  found=0
  for n in "${names[@]}"; do [ "$n" = "$o" ] && found=1; done
  [ $found = 1 ] || { echo "mutate.sh: no mutation named $o" >&2; exit 2; }
done

# count FILE FROM: how many times FROM occurs in FILE.
count() { FROM="$2" perl -0777 -ne '$n = () = /\Q$ENV{FROM}\E/g; print $n' "$1"; }
if [ $check = 1 ]; then
  stale=0
  for i in "${!names[@]}"; do
    n="$(count "${files[$i]}" "${froms[$i]}")"
    printf '%-34s %s: %s\n' "${names[$i]}" "${files[$i]}" \
      "$([ "$n" = 1 ] && echo applies || echo "STALE (its text occurs $n times)")"
    [ "$n" = 1 ] || stale=$((stale + 1))
  done
  [ $stale = 0 ]
  exit
fi

# ---- the scratch copy, built once ------------------------------------------------
scratch="$(mktemp -d "${TMPDIR:-/tmp}/stratlab-mutate.XXXXXX")"
[ $keep = 1 ] || trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/shared-empty"
git ls-files -co --exclude-standard -z |
  tar -C "$src" --null --ignore-failed-read -T - -cf - 2>/dev/null |
  tar -C "$scratch" -xf - --one-top-level=tree
echo "mutate.sh: scratch copy in $scratch/tree; building it" >&2
cmake -S "$scratch/tree" -B "$scratch/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSLAB_SHARED_DIR="$shared" >/dev/null
# Only what the tests run (the C tests, the CLI, slab_refs): not the benches.
targets="stratlab stratlab-runner slab_refs $(cd "$scratch/build" && ctest -N | sed -n 's/.*Test *#[0-9]*: //p' |
  while read -r t; do
    if [ -f "$scratch/tree/tests/unit/$t.c" ] || [ -f "$scratch/tree/tests/parity/$t.c" ]; then echo "$t"; fi
  done | tr '\n' ' ')"
build() { cmake --build "$scratch/build" -j"$(nproc)" --target $targets; }
build >"$scratch/build.log" 2>&1 ||
  { tail -20 "$scratch/build.log"; echo "mutate.sh: the unmutated tree does not build" >&2; exit 1; }

exclude='^(test_shared_skips|test_fsum_fast|test_script_hostile)$'
[ $all = 1 ] && exclude='^test_shared_skips$'
# ctest_run DIR SHARED: the suite against SHARED, from DIR; prints the
# failing tests (CTest's FAILED list), space separated, or "(none)".
ctest_run() {
  local dir="$1" with="$2"
  mkdir -p "$dir"
  sed "s#SLAB_SHARED=[^;\"]*#SLAB_SHARED=$with#g" "$scratch/build/CTestTestfile.cmake" \
    >"$dir/CTestTestfile.cmake"
  (cd "$dir" && SLAB_SHARED_REQUIRED=0 ctest -j"$(nproc)" -E "$exclude" >out 2>&1) || true
  local failed
  failed="$(awk '/tests FAILED:/ { on = 1; next } on && $2 == "-" { print $3 }' "$dir/out" |
    sort | tr '\n' ' ')"
  echo "${failed:-(none)}"
}

# The unmutated tree must pass, or the table means nothing.
base="$(ctest_run "$scratch/run-base" "$shared")"
if [ "$base" != "(none)" ]; then
  echo "mutate.sh: the unmutated suite already fails: $base" >&2
  exit 1
fi

# apply FILE FROM TO: replaces the one occurrence of FROM; 1 when FROM does
# not occur exactly once.
apply() {
  FROM="$2" TO="$3" perl -0777 -i -pe \
    '$n = () = /\Q$ENV{FROM}\E/g; if ($n != 1) { $bad = 1 } else { s/\Q$ENV{FROM}\E/$ENV{TO}/ }
     END { exit($bad ? 1 : 0) }' "$1"
}

printf '%-34s | %-s\n' "mutation" "caught by (with ../shared) / (without ../shared)"
missed=0
for i in "${!names[@]}"; do
  name="${names[$i]}"
  selected "$name" || continue
  f="$scratch/tree/${files[$i]}"
  cp "$f" "$f.orig"
  if ! apply "$f" "${froms[$i]}" "${tos[$i]}"; then
    printf '%-34s | STALE: its text no longer occurs once in %s\n' "$name" "${files[$i]}"
    missed=$((missed + 1))
    continue
  fi
  if ! build >"$scratch/build-$name.log" 2>&1; then
    with="(none: the mutant does not build) " without="(none) "
  else
    with="$(ctest_run "$scratch/run-$name-with" "$shared")"
    without="$(ctest_run "$scratch/run-$name-without" "$scratch/shared-empty")"
  fi
  printf '%-34s | with: %s| without: %s  (%s)\n' "$name" "$with" "$without" "${whats[$i]}"
  case "$with$without" in *"(none"*) missed=$((missed + 1)) ;; esac
  cp "$f.orig" "$f"
  # Restoring the old contents must rebuild: make the file newer than the objects.
  touch "$f"
done
if [ $missed -gt 0 ]; then
  echo "mutate.sh: $missed mutation(s) not caught both with and without ../shared" >&2
  exit 1
fi
echo "mutate.sh: every mutation caught, with and without ../shared" >&2
