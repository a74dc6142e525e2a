#!/usr/bin/env bash
# fuzz.sh NAME SECONDS [libFuzzer flags...]: builds the libFuzzer harness
# fuzz/fuzz_NAME.c (clang, ASan+UBSan, in build-fuzz/) and runs it for
# SECONDS, starting from the seed corpus fuzz/corpus/NAME (read only: new
# inputs go to build-fuzz/corpus/NAME). A finding (crash, leak, undefined
# behaviour, a broken contract, a timeout) is saved under
# build-fuzz/artifacts/NAME/ and the script fails; replay it with
# build-fuzz/fuzz_NAME FILE. NAME "all" runs every harness in turn.
# The last line says executions and findings.
set -euo pipefail
cd "$(dirname "$0")/.."
name="${1:?usage: scripts/fuzz.sh NAME|all SECONDS [libFuzzer flags]}"
secs="${2:?usage: scripts/fuzz.sh NAME|all SECONDS [libFuzzer flags]}"
shift 2

if [ "$name" = all ]; then
  rc=0
  for f in fuzz/fuzz_*.c; do
    n="$(basename "$f" .c)"
    bash "$0" "${n#fuzz_}" "$secs" "$@" || rc=1
  done
  exit "$rc"
fi
[ -f "fuzz/fuzz_$name.c" ] || { echo "fuzz.sh: no harness fuzz/fuzz_$name.c" >&2; exit 2; }

CC="${CC:-clang}" cmake -S . -B build-fuzz -DSLAB_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >/dev/null
cmake --build build-fuzz -j2 --target "fuzz_$name" >/dev/null
mkdir -p "build-fuzz/corpus/$name" "build-fuzz/artifacts/$name" "fuzz/corpus/$name"
dict=()
[ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
seeds=("fuzz/corpus/$name")
[ "$name" = spec ] && seeds+=(examples/specs) # the documented examples seed the spec harness
log="build-fuzz/fuzz_$name.log"
set +e
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
  "build-fuzz/fuzz_$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$name/" "${dict[@]}" "$@" \
  "build-fuzz/corpus/$name" "${seeds[@]}" >"$log" 2>&1
rc=$?
set -e
execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || true)"
if [ "$rc" -ne 0 ]; then
  tail -n 40 "$log"
  echo "fuzz $name: FINDING after ${execs:-?} executions (rc $rc); inputs in build-fuzz/artifacts/$name/, log $log"
  exit 1
fi
echo "fuzz $name: ${execs:-?} executions in ${secs}s, no finding (log $log)"
